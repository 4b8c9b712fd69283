"""End-to-end local runs: bad files, incremental == full refresh, re-runs and no-op runs."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest
from chispa import assert_df_equality

from etl.local import run
from etl.schema import HOURLY_METRICS_SCHEMA, TRIPS_SCHEMA
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv

SEED_HEADER = TLC_HEADER.replace("VendorID", "vendor_id").replace("tpep_", "")


def read_table(spark, root: Path, table: str):
    schema = TRIPS_SCHEMA if table == "trips" else HOURLY_METRICS_SCHEMA
    return spark.read.schema(schema).parquet(str(root / table))


def latest_report(root: Path) -> dict:
    return json.loads((root / "_reports" / "latest.json").read_text())


def assert_reconciles(report) -> None:
    assert report.rows_read == (
        report.rows_written + report.rows_quarantined + report.duplicates_dropped
    )


def test_bad_files_are_handled_and_counted(spark, tmp_path):
    source = tmp_path / "in"
    write_csv(source / "crlf_bom.csv", [TLC_HEADER, trip_line(), ""], newline="\r\n", bom=True)
    (source / "empty.csv").write_bytes(b"")
    write_csv(source / "header_only.csv", [SEED_HEADER])
    no_total = TLC_HEADER.rsplit(",", 1)[0]
    write_csv(source / "nested" / "no_total.csv", [no_total, trip_line().rsplit(",", 1)[0]])
    gz_line = trip_line(pickup_datetime="2015-01-16 08:00:00", dropoff_datetime="")
    with gzip.open(source / "nested" / "more.csv.gz", "wt") as handle:
        handle.write(f"{SEED_HEADER},tip_note\n{gz_line},thanks\n{trip_line(total_amount='x')},\n")
    (source / "notes.txt").write_text("not input")

    report = run(spark, source, tmp_path / "out", full_refresh=True)

    assert (report.files_processed, report.rows_read, report.rows_written) == (5, 4, 2)
    assert report.reasons == {"invalid_total_amount": 1, "missing_required_column": 1}
    assert report.unknown_columns == ["tip_note"]
    assert report.partitions_written == ["2015-01-15", "2015-01-16"]
    # A file of a type the job does not read is reported, not silently passed over.
    assert [(f.path, f.reason.split(":")[0]) for f in report.skipped_files] == [
        ("notes.txt", "unsupported_file_type")
    ]
    assert report.failed_files == []
    assert_reconciles(report)
    assert latest_report(tmp_path / "out")["rows_read"] == 4
    actual = read_table(spark, tmp_path / "out", "trips").select(
        "pickup_datetime", "dropoff_datetime", "total_amount", "source_file", "pickup_date"
    )
    expected = spark.createDataFrame(
        [
            (
                dt.datetime(2015, 1, 15, 19, 5, 39),
                dt.datetime(2015, 1, 15, 19, 23, 42),
                17.05,
                "crlf_bom.csv",
                dt.date(2015, 1, 15),
            ),
            (
                dt.datetime(2015, 1, 16, 8),
                None,
                17.05,
                "nested/more.csv.gz",
                dt.date(2015, 1, 16),
            ),
        ],
        "pickup_datetime timestamp, dropoff_datetime timestamp, total_amount double, "
        "source_file string, pickup_date date",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    # The metrics are built while quarantine reads the rejected rows staged beside the trips:
    # they hold the trips' dates and nothing of the rejected rows.
    metrics = read_table(spark, tmp_path / "out", "hourly_metrics")
    expected_metrics = spark.createDataFrame(
        [
            (dt.datetime(2015, 1, 15, 19), 1, 17.05, 1.0, 1.5, dt.date(2015, 1, 15)),
            (dt.datetime(2015, 1, 16, 8), 1, 17.05, 1.0, 1.5, dt.date(2015, 1, 16)),
        ],
        HOURLY_METRICS_SCHEMA,
    )
    assert_df_equality(metrics, expected_metrics, ignore_row_order=True, ignore_nullable=True)
    assert sorted(p.name for p in (tmp_path / "out" / "hourly_metrics").glob("pickup_date=*")) == [
        "pickup_date=2015-01-15",
        "pickup_date=2015-01-16",
    ]


SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
# The bundled sample in arrival order: January's files, then a late file adding 2015-01-01 trips
# and repeating trips already written, then the edge cases (zero-byte, header-only, a file
# without total_amount), then one file of every TLC era, 2009 to 2025, CSV and Parquet.
SAMPLE_BATCHES = ("2015/01", "2015/02", "edge_cases", "eras")


# Seven runs over the whole sample (about 30 s): in `make test-e2e`.
@pytest.mark.e2e
def test_incremental_batches_equal_full_refresh_and_reruns_add_nothing(spark, tmp_path):
    source, incremental, full = tmp_path / "in", tmp_path / "inc", tmp_path / "full"
    reports = []
    for batch in SAMPLE_BATCHES:
        shutil.copytree(SAMPLE / batch, source / batch)
        reports.append(run(spark, source, incremental, full_refresh=False))
    for report in reports:
        assert_reconciles(report)
        assert report.mode == "incremental"
    late = reports[1]
    assert late.files_processed == 1
    assert "2015-01-01" in late.partitions_written
    assert late.duplicates_dropped > 0

    full_report = run(spark, source, full, full_refresh=True)
    # The generator's own account of the whole sample, every era: what a full run must report.
    expected = json.loads((SAMPLE / "_manifest.json").read_text())["groups"]["all"]["expected"]
    assert {key: getattr(full_report, key) for key in expected} == expected
    assert full_report.mode == "full"
    assert sum(r.rows_read for r in reports) == full_report.rows_read
    assert sum(r.rows_written - r.rows_replaced for r in reports) == full_report.rows_written
    for table in ("trips", "hourly_metrics"):
        assert_df_equality(
            read_table(spark, incremental, table),
            read_table(spark, full, table),
            ignore_row_order=True,
        )

    # Nothing new: a clean no-op that still leaves a report.
    noop = run(spark, source, incremental, full_refresh=False)
    assert (noop.files_processed, noop.rows_read, noop.rows_written) == (0, 0, 0)
    assert latest_report(incremental)["run_id"] == noop.run_id

    # A batch processed again (state lost after a failure before it was saved) adds nothing.
    shutil.rmtree(incremental / "_state")
    rerun = run(spark, source / "2015" / "02", incremental, full_refresh=False)
    assert (rerun.rows_written, rerun.rows_replaced) == (0, 0)
    assert rerun.duplicates_dropped == late.rows_read - late.rows_quarantined
    assert_df_equality(
        read_table(spark, incremental, "trips"),
        read_table(spark, full, "trips"),
        ignore_row_order=True,
    )
    assert not (incremental / "_staging").exists()


def test_a_new_row_that_sorts_first_replaces_a_written_one(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "a.csv", [TLC_HEADER, trip_line(total_amount="10.0")])
    first = run(spark, source, output, full_refresh=False)
    write_csv(source / "b.csv", [TLC_HEADER, trip_line(total_amount="9.5")])
    second = run(spark, source, output, full_refresh=False)
    assert (first.rows_written, second.rows_written, second.rows_replaced) == (1, 1, 1)
    assert_reconciles(second)
    actual = read_table(spark, output, "hourly_metrics").select("trip_count", "total_revenue")
    expected = spark.createDataFrame([(1, 9.5)], "trip_count long, total_revenue double")
    assert_df_equality(actual, expected)


def test_a_rejected_row_on_a_loaded_date_leaves_that_date_as_it_was(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "a.csv", [TLC_HEADER, trip_line()])
    run(spark, source, output, full_refresh=False)
    day = output / "trips" / "pickup_date=2015-01-15"
    files_before = sorted(path.name for path in day.glob("*.parquet"))
    # Same pickup date, but rejected: the date is read back for the merge, yet nothing changes.
    write_csv(source / "b.csv", [TLC_HEADER, trip_line(total_amount="$3")])

    report = run(spark, source, output, full_refresh=False)

    assert report.partitions_written == []
    assert report.reasons == {"invalid_total_amount": 1}
    assert sorted(path.name for path in day.glob("*.parquet")) == files_before
    assert sorted(p.name for p in (output / "quarantine").iterdir()) == ["source_file=b.csv"]
    assert not (output / "_staging").exists()
    assert_reconciles(report)


def test_a_batch_of_rejected_rows_only_writes_quarantine_and_no_trips(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(
        source / "a.csv", [TLC_HEADER, trip_line(pickup_datetime=""), trip_line(fare_amount="x")]
    )

    report = run(spark, source, output, full_refresh=True)

    assert (report.rows_read, report.rows_written, report.rows_quarantined) == (2, 0, 2)
    assert report.partitions_written == []
    assert not (output / "trips").exists()
    assert not (output / "hourly_metrics").exists()
    quarantine = spark.read.parquet(str(output / "quarantine"))
    assert sorted(r.reject_reason for r in quarantine.collect()) == [
        "invalid_value",
        "missing_pickup_datetime",
    ]


def test_a_file_that_failed_stays_in_every_report_until_it_loads(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    cut = source / "yellow_tripdata_2015-01.csv.gz"
    cut.parent.mkdir(parents=True)
    cut.write_bytes(gzip.compress(f"{TLC_HEADER}\n{trip_line()}\n".encode())[:-20])
    first = run(spark, source, output, full_refresh=False)
    write_csv(source / "b.csv", [TLC_HEADER, trip_line(vendor_id="2")])
    second = run(spark, source, output, full_refresh=False)
    (source / "gone.csv.gz").write_bytes(b"\x1f\x8b broken")
    third = run(spark, source, output, full_refresh=False)
    (source / "gone.csv.gz").unlink()
    cut.write_bytes(gzip.compress(f"{TLC_HEADER}\n{trip_line()}\n".encode()))
    fourth = run(spark, source, output, full_refresh=False)

    failed = "yellow_tripdata_2015-01.csv.gz"
    assert [f.path for f in first.failed_files] == [failed]
    assert (second.failed_files, [f.path for f in second.unloaded_files]) == ([], [failed])
    assert [f.path for f in third.unloaded_files] == ["gone.csv.gz", failed]
    assert second.unloaded_files[0].reason == first.failed_files[0].reason
    # A file loaded at last, or gone from the input, is no longer listed.
    assert (fourth.rows_written, fourth.unloaded_files) == (1, [])
    assert latest_report(output)["unloaded_files"] == []
