"""The Glue entrypoint registers the run's dates as catalog partitions when --catalog_database is
given (the batch itself is replaced by a fixed report: its behaviour is tested elsewhere)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from etl.contract import CURATED_TABLES, PARTITION_COLUMN
from etl.report import RunReport

FAKES = Path(__file__).resolve().parents[1] / "fakes"
DATABASE = "glue_etl_dev"
ARGV = [
    "glue_job.py",
    "--JOB_NAME",
    "glue-etl-dev-etl",
    "--input_path",
    "s3://raw/input/",
    "--output_path",
    "s3://curated/",
    "--dedupe_keys",
    "pickup_datetime,pickup_longitude",
]
REPORT = RunReport(
    run_id="r1",
    started_at="2026-01-01T00:00:00+00:00",
    finished_at="2026-01-01T00:01:00+00:00",
    mode="incremental",
    files_processed=1,
    rows_read=2,
    rows_quarantined=0,
    duplicates_dropped=0,
    rows_written=2,
    partitions_written=["2015-01-15", "2015-01-16"],
)


@pytest.fixture
def glue_job(spark, monkeypatch) -> Iterator[Any]:
    """etl.glue_job over the fake awsglue, with run_batch returning REPORT."""
    monkeypatch.syspath_prepend(str(FAKES))
    for name in [m for m in sys.modules if m == "awsglue" or m.startswith("awsglue.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "etl.glue_job", raising=False)
    module = importlib.import_module("etl.glue_job")
    monkeypatch.setattr(module, "run_batch", lambda *_, **__: REPORT)
    yield module
    sys.modules.pop("etl.glue_job", None)


@pytest.fixture
def catalog(monkeypatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("glue", region_name="us-east-1")
        client.create_database(DatabaseInput={"Name": DATABASE})
        for table in CURATED_TABLES:
            client.create_table(
                DatabaseName=DATABASE,
                TableInput={
                    "Name": table,
                    "PartitionKeys": [{"Name": PARTITION_COLUMN.name, "Type": "date"}],
                    "StorageDescriptor": {"Location": f"s3://curated/{table}/"},
                },
            )
        yield client


def _dates(catalog: Any, table: str) -> list[str]:
    partitions = catalog.get_partitions(DatabaseName=DATABASE, TableName=table)["Partitions"]
    return sorted(p["Values"][0] for p in partitions)


def test_job_registers_the_dates_it_wrote(glue_job, catalog, capsys):
    glue_job.main([*ARGV, "--catalog_database", DATABASE])
    capsys.readouterr()
    for table in CURATED_TABLES:
        assert _dates(catalog, table) == ["2015-01-15", "2015-01-16"]


def test_without_the_argument_the_catalog_is_untouched(glue_job, catalog, capsys):
    glue_job.main(ARGV)
    capsys.readouterr()
    for table in CURATED_TABLES:
        assert _dates(catalog, table) == []
