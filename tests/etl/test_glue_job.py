"""The Glue entrypoint end to end against the fake `awsglue` package in tests/fakes: real Spark,
local files standing in for the raw and curated buckets, three runs sharing one state file."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as sf
from pyspark.sql.types import DateType, DoubleType, IntegerType, TimestampType

from etl.schema import TRIPS_SCHEMA
from tests.etl.helpers import DEFAULTS, TLC_HEADER, trip_line, write_csv

FAKES = Path(__file__).resolve().parents[1] / "fakes"


@pytest.fixture
def glue(monkeypatch):
    """Import etl.glue_job with the fake awsglue on sys.path; forget both afterwards."""
    monkeypatch.syspath_prepend(str(FAKES))
    for name in [m for m in sys.modules if m == "awsglue" or m.startswith("awsglue.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(sys.modules, "etl.glue_job", raising=False)
    glue_job = importlib.import_module("etl.glue_job")
    context = importlib.import_module("awsglue.context")
    context.EVENTS.clear()
    yield glue_job, context
    sys.modules.pop("etl.glue_job", None)


def _argv(raw: Path, curated: Path) -> list[str]:
    return [
        "glue_job.py",
        "--JOB_NAME",
        "trips-etl",
        "--input_path",
        raw.as_uri() + "/",
        "--output_path",
        curated.as_uri(),
        "--dedupe_keys",
        "pickup_datetime, pickup_longitude",
    ]


def _typed(value: str, data_type: Any) -> Any:
    if isinstance(data_type, IntegerType):
        return int(value)
    if isinstance(data_type, DoubleType):
        return float(value)
    if isinstance(data_type, TimestampType):
        return dt.datetime.fromisoformat(value)
    return value


def _expected_trip(source: Path, **values: str) -> tuple[Any, ...]:
    """The trips row of one `trip_line(**values)` from `source`: every field as the CSV wrote
    it, optional columns absent from the TLC header null, the date taken from the pickup."""
    # TLC_HEADER's tpep_ names make the service yellow.
    cells = {**DEFAULTS, "service": "yellow", **values}
    row = []
    for field in TRIPS_SCHEMA.fields:
        if field.name == "source_file":
            row.append(source.as_uri())
        elif isinstance(field.dataType, DateType):
            row.append(dt.datetime.fromisoformat(cells["pickup_datetime"]).date())
        else:
            cell = cells.get(field.name)
            row.append(None if cell is None else _typed(cell, field.dataType))
    return tuple(row)


def _trips(spark, curated: Path):
    trips = spark.read.schema(TRIPS_SCHEMA).parquet(str(curated / "trips"))
    # Hadoop spells local URIs file:/path; the expected rows use Path.as_uri() (file:///path).
    return trips.withColumn(
        "source_file", sf.regexp_replace("source_file", "^file:/+", "file:///")
    ).select(*TRIPS_SCHEMA.names)


def _run(glue_job, capsys, raw: Path, curated: Path) -> dict[str, Any]:
    """One job execution; returns the report it printed, checked against latest.json."""
    glue_job.main(_argv(raw, curated))
    printed = json.loads(capsys.readouterr().out)
    assert json.loads((curated / "_reports" / "latest.json").read_text()) == printed
    assert (curated / "_reports" / f"{printed['run_id']}.json").is_file()
    return printed


def test_job_processes_each_input_file_once_across_runs(spark, tmp_path, glue, capsys):
    glue_job, context = glue
    raw, curated = tmp_path / "raw" / "input", tmp_path / "curated"
    first = write_csv(
        raw / "2015" / "a.csv", [TLC_HEADER, trip_line(), trip_line(), trip_line(extra="?")]
    )

    report = _run(glue_job, capsys, raw, curated)

    assert context.EVENTS == ["init", "commit"]
    assert report["mode"] == "incremental"
    assert (report["files_processed"], report["rows_read"]) == (1, 3)
    assert (report["rows_written"], report["duplicates_dropped"]) == (1, 1)
    assert (report["rows_quarantined"], report["reasons"]) == (1, {"invalid_value": 1})
    assert report["partitions_written"] == ["2015-01-15"]
    expected = spark.createDataFrame([_expected_trip(first)], TRIPS_SCHEMA)
    assert_df_equality(_trips(spark, curated), expected, ignore_nullable=True)
    state = json.loads((curated / "_state" / "processed_files.json").read_text())
    assert [re.sub("^file:/+", "/", entry["uri"]) for entry in state] == [str(first)]

    rerun = _run(glue_job, capsys, raw, curated)

    assert context.EVENTS == ["init", "commit"] * 2
    assert rerun["run_id"] != report["run_id"]
    assert (rerun["files_processed"], rerun["rows_read"], rerun["rows_written"]) == (0, 0, 0)
    assert_df_equality(_trips(spark, curated), expected, ignore_nullable=True)

    late = {"pickup_datetime": "2015-01-16 08:00:00", "dropoff_datetime": "2015-01-16 08:20:00"}
    second = write_csv(raw / "2015" / "b.csv", [TLC_HEADER, trip_line(**late)])

    third = _run(glue_job, capsys, raw, curated)

    assert (third["files_processed"], third["rows_read"], third["rows_written"]) == (1, 1, 1)
    assert third["partitions_written"] == ["2015-01-16"]
    both = spark.createDataFrame(
        [_expected_trip(first), _expected_trip(second, **late)], TRIPS_SCHEMA
    )
    assert_df_equality(_trips(spark, curated), both, ignore_row_order=True, ignore_nullable=True)
