"""The one pass over the input: staged rows keep what later steps need, counts come with the write."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql.types import DoubleType, StringType, StructField, StructType, TimestampType

from etl.stage import BatchSummary, raw_string, read_staged, stage_checked
from tests.etl.helpers import TLC_HEADER, checked_rows, trip_line

STAGED_VIEW = StructType(
    [
        StructField("source_file", StringType(), True),
        StructField("reject_reason", StringType(), True),
        StructField("raw_line", StringType(), True),
        StructField("raw_total", StringType(), True),
        StructField("pickup_datetime", TimestampType(), True),
        StructField("total_amount", DoubleType(), True),
    ]
)


def test_staging_counts_rows_and_keeps_raw_strings_for_rejects_only(spark, tmp_path):
    late = trip_line(pickup_datetime="2015-01-16 08:00:00", dropoff_datetime="2015-01-16 08:10:00")
    bad_total = trip_line(total_amount="$3")
    files = {
        "a.csv": [TLC_HEADER, trip_line(), bad_total],
        "b.csv": [TLC_HEADER, late, trip_line(passenger_count="12")],
        "header_only.csv": [TLC_HEADER],
    }
    path = str(tmp_path / "checked")

    summary = stage_checked(checked_rows(spark, tmp_path, files), path)

    assert summary == BatchSummary(
        rows_read=4,
        reasons={"invalid_total_amount": 1, "passenger_count_out_of_range": 1},
        dates=["2015-01-15", "2015-01-16"],
    )
    assert summary.valid_rows == 2
    staged = read_staged(spark, path, tmp_path.as_uri()).select(
        "source_file",
        "reject_reason",
        "raw_line",
        raw_string("total_amount").alias("raw_total"),
        "pickup_datetime",
        "total_amount",
    )
    pickup = dt.datetime(2015, 1, 15, 19, 5, 39)
    expected = spark.createDataFrame(
        [
            ("a.csv", None, None, None, pickup, 17.05),
            ("a.csv", "invalid_total_amount", bad_total, "$3", pickup, None),
            ("b.csv", None, None, None, dt.datetime(2015, 1, 16, 8, 0, 0), 17.05),
            (
                "b.csv",
                "passenger_count_out_of_range",
                trip_line(passenger_count="12"),
                "17.05",
                pickup,
                17.05,
            ),
        ],
        STAGED_VIEW,
    )
    assert_df_equality(staged, expected, ignore_row_order=True, ignore_nullable=True)


def test_an_all_rejected_batch_has_no_dates(spark, tmp_path):
    files = {"a.csv": [TLC_HEADER, trip_line(pickup_datetime="")]}

    summary = stage_checked(checked_rows(spark, tmp_path, files), str(tmp_path / "checked"))

    assert summary == BatchSummary(1, {"missing_pickup_datetime": 1}, [])
