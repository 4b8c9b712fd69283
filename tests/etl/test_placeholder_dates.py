"""Placeholder dates (Excel's day zero 1899-12-30, 0001-01-01) in every input format: each such
row is quarantined or written like any other, and never fails the run or a file.

Spark refuses by default to read or write times before 1900 without being told which calendar
they are in; the job says they are proleptic Gregorian, as every writer of this data means.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from chispa import assert_df_equality
from pyspark.sql import functions as sf

from etl.local import run
from etl.parquet_footer import NAIVE, NAIVE_LEGACY_CALENDAR
from etl.parquet_input import read_footer
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv

NORMAL = (dt.datetime(2024, 1, 1, 0, 57, 55), dt.datetime(2024, 1, 1, 1, 17, 43))
EXCEL_ZERO = dt.datetime(1899, 12, 30)
# A normal pickup dropped off at Excel's day zero, and a trip wholly at 0001-01-01.
DROPPED_OFF_AT_ZERO = (NORMAL[0], EXCEL_ZERO)
YEAR_ONE = (dt.datetime(1, 1, 1), dt.datetime(1, 1, 1, 0, 10))
TRIPS = (NORMAL, DROPPED_OFF_AT_ZERO, YEAR_ONE)
NORMAL_TEXT = ("2024-01-01 00:57:55", "2024-01-01 01:17:43")


def _parquet(path: Path, vendor: int, total: float, int96: bool) -> None:
    """The three trips as a 2024 yellow Parquet file; `int96`: times in the deprecated INT96
    encoding (old Hive and Impala exports), otherwise microseconds."""
    table = pa.table(
        {
            "VendorID": pa.array([vendor] * 3, pa.int32()),
            "tpep_pickup_datetime": pa.array([t[0] for t in TRIPS], pa.timestamp("us")),
            "tpep_dropoff_datetime": pa.array([t[1] for t in TRIPS], pa.timestamp("us")),
            "total_amount": pa.array([total] * 3),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, use_deprecated_int96_timestamps=int96)


def _text(moment: dt.datetime) -> str:
    return f"{moment.year:04d}-{moment:%m-%d %H:%M:%S}"


def test_placeholder_dates_are_quarantined_or_written_in_every_format(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    # Vendors (a dedupe key) tell the files' trips apart, and totals tell which file each is.
    _parquet(source / "yellow_tripdata_2024-01.parquet", 1, 10.0, int96=False)
    _parquet(source / "yellow_tripdata_2024-02.parquet", 2, 20.0, int96=True)
    write_csv(
        source / "yellow_tripdata_2024-03.csv",
        [
            TLC_HEADER,
            *(
                trip_line(
                    pickup_datetime=_text(pickup),
                    dropoff_datetime=_text(dropoff),
                    total_amount="30.0",
                )
                for pickup, dropoff in TRIPS
            ),
        ],
    )

    report = run(spark, source, output, full_refresh=False)

    assert report.failed_files == []
    assert (report.rows_read, report.rows_written, report.rows_quarantined) == (9, 6, 3)
    assert report.reasons == {"dropoff_before_pickup": 3}
    files = {10.0: "yellow_tripdata_2024-01.parquet", 20.0: "yellow_tripdata_2024-02.parquet"}
    files[30.0] = "yellow_tripdata_2024-03.csv"
    # As strings: Python's datetime cannot hold every instant of year 1 in every time zone.
    trips = spark.read.parquet(str(output / "trips")).select(
        "source_file",
        sf.col("pickup_datetime").cast("string"),
        sf.col("dropoff_datetime").cast("string"),
        "total_amount",
    )
    expected_trips = spark.createDataFrame(
        [
            (name, _text(pickup), _text(dropoff), total)
            for total, name in files.items()
            for pickup, dropoff in (NORMAL, YEAR_ONE)
        ],
        "source_file string, pickup_datetime string, dropoff_datetime string, total_amount double",
    )
    assert_df_equality(trips, expected_trips, ignore_row_order=True, ignore_nullable=True)
    quarantined = spark.read.parquet(str(output / "quarantine")).select(
        "source_file", "pickup_datetime", "dropoff_datetime", "reject_reason"
    )
    expected_quarantine = spark.createDataFrame(
        [
            (name, _text(NORMAL[0]), _text(EXCEL_ZERO), "dropoff_before_pickup")
            for name in files.values()
        ],
        "source_file string, pickup_datetime string, dropoff_datetime string, reject_reason string",
    )
    assert_df_equality(
        quarantined, expected_quarantine, ignore_row_order=True, ignore_nullable=True
    )


def test_naive_times_spark_wrote_in_its_legacy_calendar_load_as_written(spark, tmp_path):
    """Spark's reader shifts instants from a file it wrote in its legacy hybrid calendar, but
    not naive times, which its writer did not shift: such a file's naive times are read as
    naive ones, every other file's as instants (the same microseconds, without a cast)."""
    source, output = tmp_path / "in", tmp_path / "out"
    trips = spark.createDataFrame(
        [(1, "1000-03-01 10:00:00", "1000-03-01 10:20:00", 10.0), (1, *NORMAL_TEXT, 10.0)],
        "VendorID int, pickup string, dropoff string, total_amount double",
    ).select(
        "VendorID",
        sf.col("pickup").cast("timestamp_ntz").alias("tpep_pickup_datetime"),
        sf.col("dropoff").cast("timestamp_ntz").alias("tpep_dropoff_datetime"),
        "total_amount",
    )
    # Vendors (a dedupe key) tell the files' trips apart, and totals tell which file each is.
    for mode, vendor, total in (("LEGACY", 1, 10.0), ("CORRECTED", 2, 20.0)):
        spark.conf.set("spark.sql.parquet.datetimeRebaseModeInWrite", mode)
        folder = source / f"yellow_tripdata_1000-{mode.lower()}.parquet"
        file_trips = trips.withColumns({"VendorID": sf.lit(vendor), "total_amount": sf.lit(total)})
        file_trips.coalesce(1).write.parquet(str(folder))
    spark.conf.unset("spark.sql.parquet.datetimeRebaseModeInWrite")

    kinds = {
        uri.rsplit("/", 2)[-2]: dict(read_footer(spark, uri).layout.fields)["tpep_pickup_datetime"]
        for uri in (str(p.as_uri()) for p in source.glob("*/*.parquet"))
    }
    assert kinds == {
        "yellow_tripdata_1000-legacy.parquet": NAIVE_LEGACY_CALENDAR,
        "yellow_tripdata_1000-corrected.parquet": NAIVE,
    }
    report = run(spark, source, output, full_refresh=False)

    assert (report.failed_files, report.rows_written) == ([], 4)
    written = spark.read.parquet(str(output / "trips")).select(
        sf.col("pickup_datetime").cast("string"),
        sf.col("dropoff_datetime").cast("string"),
        "total_amount",
    )
    expected = spark.createDataFrame(
        [
            (*times, total)
            for times in (("1000-03-01 10:00:00", "1000-03-01 10:20:00"), NORMAL_TEXT)
            for total in (10.0, 20.0)
        ],
        "pickup_datetime string, dropoff_datetime string, total_amount double",
    )
    assert_df_equality(written, expected, ignore_row_order=True, ignore_nullable=True)
