"""Smoke test of the Glue entrypoint against the fake `awsglue` package in tests/fakes."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as sf

from etl.schema import TRIPS_SCHEMA
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv

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
    context.READS.clear()
    context.EVENTS.clear()
    yield glue_job, context
    sys.modules.pop("etl.glue_job", None)


def test_job_inits_reads_with_bookmark_context_writes_and_commits(spark, tmp_path, glue):
    glue_job, context = glue
    raw = tmp_path / "raw" / "input"
    write_csv(raw / "2015" / "a.csv", [TLC_HEADER, trip_line(), trip_line(), trip_line(extra="?")])
    curated = tmp_path / "curated"
    argv = [
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

    glue_job.main(argv)

    assert context.EVENTS == ["init", "read", "commit"]
    (read,) = context.READS
    assert read["transformation_ctx"] == "raw_trips"
    assert read["connection_type"] == "s3"
    assert read["connection_options"] == {"paths": [raw.as_uri() + "/"], "recurse": True}
    assert read["format_options"]["withHeader"] is False

    report = json.loads((curated / "_reports" / "latest.json").read_text())
    assert report["mode"] == "incremental"
    assert (report["files_processed"], report["rows_read"]) == (1, 3)
    assert (report["rows_written"], report["duplicates_dropped"]) == (1, 1)
    assert report["reasons"] == {"invalid_value": 1}
    assert (curated / "_reports" / f"{report['run_id']}.json").exists()
    assert (curated / "hourly_metrics" / "pickup_date=2015-01-15").is_dir()
    assert (curated / "quarantine" / f"run_id={report['run_id']}").is_dir()

    trips = spark.read.schema(TRIPS_SCHEMA).parquet(str(curated / "trips"))
    expected = spark.createDataFrame(
        [(dt.datetime(2015, 1, 15, 19, 5, 39), 17.05, dt.date(2015, 1, 15))],
        "pickup_datetime timestamp, total_amount double, pickup_date date",
    )
    assert_df_equality(
        trips.select("pickup_datetime", "total_amount", "pickup_date"),
        expected,
        ignore_nullable=True,
    )


def test_raw_lines_keep_their_file_when_the_reader_ignores_attach_filename(
    spark, tmp_path, glue, monkeypatch
):
    glue_job, context = glue
    monkeypatch.delitem(glue_job.RAW_LINE_FORMAT_OPTIONS, "attachFilename")
    source = tmp_path / "input" / "a.csv"
    write_csv(source, [TLC_HEADER, "1,x"])

    lines = glue_job.read_raw_lines(context.GlueContext(spark.sparkContext), str(source.parent))

    expected = spark.createDataFrame(
        [(source.as_uri(), TLC_HEADER), (source.as_uri(), "1,x")], "source_file string, line string"
    )
    actual = lines.withColumn(
        "source_file", sf.regexp_replace("source_file", "^file:/+", "file:///")
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
