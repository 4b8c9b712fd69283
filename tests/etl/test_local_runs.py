"""End-to-end local runs: bad files, incremental == full refresh, re-runs and no-op runs."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

from chispa import assert_df_equality
from pyspark.sql import functions as sf

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
                (source / "crlf_bom.csv").as_uri(),
                dt.date(2015, 1, 15),
            ),
            (
                dt.datetime(2015, 1, 16, 8),
                None,
                17.05,
                (source / "nested" / "more.csv.gz").as_uri(),
                dt.date(2015, 1, 16),
            ),
        ],
        "pickup_datetime timestamp, dropoff_datetime timestamp, total_amount double, "
        "source_file string, pickup_date date",
    )
    # input_file_name() spells local URIs file:/path; compare on the path part.
    actual = actual.withColumn("source_file", sf.regexp_replace("source_file", "^file:/+", "/"))
    expected = expected.withColumn("source_file", sf.regexp_replace("source_file", "^file:/+", "/"))
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def day(date: int, hour: int, minute: int = 0) -> str:
    return f"2015-01-{date:02d} {hour:02d}:{minute:02d}:00"


def trips_on(date: int, count: int, total: str = "10.0", longitude: str = "-73.9") -> list[str]:
    return [
        trip_line(
            pickup_datetime=day(date, hour),
            dropoff_datetime=day(date, hour, 30),
            total_amount=total,
            pickup_longitude=longitude,
        )
        for hour in range(count)
    ]


BATCHES: list[dict[str, list[str]]] = [
    {
        "jan15.csv": [TLC_HEADER, *trips_on(15, 4), trips_on(15, 1)[0], trip_line(extra="$1")],
        "jan16.csv": [SEED_HEADER, *trips_on(16, 3)],
    },
    {
        # Late file: new trips for an already written date, duplicates of written trips, and a
        # key duplicate that sorts before a written trip (lower total) and so replaces it.
        "late/jan15_late.csv": [
            TLC_HEADER,
            trip_line(pickup_datetime=day(15, 10), dropoff_datetime=day(15, 11), total_amount="7"),
            *trips_on(15, 2),
            trips_on(16, 1, total="9.0")[0],
        ],
    },
    {"jan17.csv.gz": [TLC_HEADER, *trips_on(17, 2), *trips_on(16, 3)]},
]


def add_batch(source: Path, batch: dict[str, list[str]]) -> None:
    for name, lines in batch.items():
        if name.endswith(".gz"):
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            with gzip.open(source / name, "wt") as handle:
                handle.write("\n".join(lines) + "\n")
        else:
            write_csv(source / name, lines)


def test_incremental_runs_equal_full_refresh_and_reruns_add_nothing(spark, tmp_path):
    source, incremental, full = tmp_path / "in", tmp_path / "inc", tmp_path / "full"
    source.mkdir()
    reports = []
    for batch in BATCHES:
        add_batch(source, batch)
        reports.append(run(spark, source, incremental, full_refresh=False))
    for report in reports:
        assert_reconciles(report)
        assert report.mode == "incremental"
    counts = [(r.rows_read, r.rows_written, r.duplicates_dropped, r.rows_replaced) for r in reports]
    assert counts == [(9, 7, 1, 0), (4, 2, 2, 1), (5, 2, 3, 0)]

    full_report = run(spark, source, full, full_refresh=True)
    assert_reconciles(full_report)
    assert (full_report.mode, full_report.rows_written, full_report.rows_read) == ("full", 10, 18)
    for table in ("trips", "hourly_metrics"):
        assert_df_equality(
            read_table(spark, incremental, table),
            read_table(spark, full, table),
            ignore_row_order=True,
        )
    jan16_revenue = (
        read_table(spark, full, "hourly_metrics")
        .where("pickup_hour = '2015-01-16 00:00:00'")
        .select("trip_count", "total_revenue")
    )
    assert_df_equality(
        jan16_revenue, spark.createDataFrame([(1, 9.0)], "trip_count long, total_revenue double")
    )

    # Nothing new: a clean no-op that still leaves a report.
    noop = run(spark, source, incremental, full_refresh=False)
    assert (noop.files_processed, noop.rows_read, noop.rows_written) == (0, 0, 0)
    assert latest_report(incremental)["run_id"] == noop.run_id

    # A batch processed again (state lost after a failure) adds nothing.
    shutil.rmtree(incremental / "_state")
    rerun = run(spark, source, incremental, full_refresh=False)
    assert (rerun.rows_read, rerun.rows_written, rerun.rows_replaced) == (18, 0, 0)
    assert rerun.duplicates_dropped + rerun.rows_quarantined == 18
    assert_df_equality(
        read_table(spark, incremental, "trips"),
        read_table(spark, full, "trips"),
        ignore_row_order=True,
    )
    assert not (incremental / "_staging").exists()
