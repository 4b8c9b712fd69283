"""The bounds built on the job's own checks do the work their names promise, and no less."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
from chispa import assert_df_equality
from pyspark.sql import functions as F

from bench.checked import checked_trips, checked_with_quarantine, main
from etl.reject_folder import REJECTED_FOLDER, read_rejected
from tests.bench.helpers import csv_input, csv_line
from tests.etl.parquet_tables import DROPOFFS, PICKUPS, TYPES_2024, write_parquet, yellow_table

LINES = (
    csv_line(1, "2015-01-01 00:10:00", -73.99, 15.0),
    csv_line(1, "2015-01-01 00:10:00", -73.99, 12.0),  # same trip, first in content order
    csv_line(1, "2015-01-01 00:10:00", -73.98, 11.0),
    # The same keys again, -1 passengers: first in content order, but rejected, so it is never
    # ranked with the trips and takes no trip's place.
    csv_line(1, "2015-01-01 00:10:00", -73.99, 12.0).replace(":30:00,1,", ":30:00,-1,"),
    csv_line(2, "2015-01-02 09:00:00", -73.99, 20000.0),  # dropoff before pickup: rejected
    csv_line(2, "not a time", -73.99, 20.0),  # rejected
    csv_line(2, "not a time", -73.99, 20.0),  # rejected again: quarantine keeps both
)
TRIP_COLUMNS = ("vendor_id", "pickup_datetime", "pickup_longitude", "total_amount", "pickup_date")


def _assert_trips_and_metrics(spark, out):
    written = spark.read.parquet(str(out / "trips")).where(F.col("pickup_date").isNotNull())
    # The trips' own columns: what marked or packed the rejected rows is not written.
    assert not {"reject_reason", "raw", "raw_line", "_rank"} & set(written.columns)
    actual = written.select(*TRIP_COLUMNS)
    expected = spark.createDataFrame(
        [
            (1, datetime(2015, 1, 1, 0, 10), -73.99, 12.0, date(2015, 1, 1)),
            (1, datetime(2015, 1, 1, 0, 10), -73.98, 11.0, date(2015, 1, 1)),
        ],
        actual.schema,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    # Hourly metrics of the trips written, as the job computes them: the rejected rows and the
    # dropped duplicate count nowhere.
    metrics = spark.read.parquet(str(out / "hourly_metrics"))
    expected_metrics = spark.createDataFrame(
        [(datetime(2015, 1, 1, 0, 0), 2, 23.0, 1.0, 1.5, date(2015, 1, 1))],
        metrics.schema,
    )
    assert_df_equality(metrics, expected_metrics, ignore_nullable=True)


def _assert_quarantine_copies_the_staged_rejected_rows(spark, out):
    """Quarantine is the staged rejected rows' packed column, copied as it is."""
    quarantine = spark.read.parquet(str(out / "quarantine"))
    staged = spark.read.parquet(str(out / "trips" / REJECTED_FOLDER)).select("source_file")
    assert_df_equality(quarantine, staged, ignore_row_order=True, ignore_nullable=True)


def test_checked_trips_writes_the_valid_rows_deduplicated_and_drops_rejected_ones(spark, tmp_path):
    checked_trips(spark, str(csv_input(tmp_path, *LINES)), str(tmp_path / "out"))

    _assert_trips_and_metrics(spark, tmp_path / "out")
    assert not (tmp_path / "out" / "trips" / REJECTED_FOLDER).exists()
    assert not (tmp_path / "out" / "quarantine").exists()


def test_checked_with_quarantine_carries_every_rejected_row_to_a_quarantine_copy(spark, tmp_path):
    checked_with_quarantine(spark, str(csv_input(tmp_path, *LINES)), str(tmp_path / "out"))

    out = tmp_path / "out"
    _assert_trips_and_metrics(spark, out)
    # Beside the trips as the job stages them, packed as the job packs them, none deduplicated.
    rejected = read_rejected(spark, str(out / "trips")).select("reject_reason", "raw_line")
    expected = spark.createDataFrame(
        [
            ("passenger_count_out_of_range", LINES[3]),
            ("dropoff_before_pickup", LINES[4]),
            ("invalid_pickup_datetime", LINES[5]),
            ("invalid_pickup_datetime", LINES[6]),
        ],
        rejected.schema,
    )
    assert_df_equality(rejected, expected, ignore_row_order=True, ignore_nullable=True)
    assert spark.read.parquet(str(out / "quarantine")).columns == ["source_file"]
    _assert_quarantine_copies_the_staged_rejected_rows(spark, out)


def test_checked_with_quarantine_reads_parquet_input_as_the_job_does(spark, tmp_path):
    # The 2024 layout's two trips, the first again, and two rejected rows with the same keys as
    # the first (one with -1 passengers, one with its dropoff a day before its pickup).
    trips = yellow_table(TYPES_2024, "Airport_fee")
    early = datetime(2023, 12, 31)
    rejected_rows = yellow_table(
        TYPES_2024,
        "Airport_fee",
        passenger_count=[-1, 1],
        tpep_pickup_datetime=[PICKUPS[0], PICKUPS[0]],
        tpep_dropoff_datetime=[DROPOFFS[0], early],
    )
    table = pa.concat_tables([trips, trips.slice(0, 1), rejected_rows])
    write_parquet(tmp_path / "in" / "yellow_tripdata_2024-01.parquet", table)

    checked_with_quarantine(spark, str(tmp_path / "in"), str(tmp_path / "out"))

    out = tmp_path / "out"
    written = spark.read.parquet(str(out / "trips")).where(F.col("pickup_date").isNotNull())
    actual = written.select("vendor_id", "pickup_datetime", "passenger_count", "total_amount")
    expected = spark.createDataFrame(
        [(2, PICKUPS[0], 1, 22.7), (1, PICKUPS[1], None, 18.75)], actual.schema
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    metrics = spark.read.parquet(str(out / "hourly_metrics"))
    expected_metrics = spark.createDataFrame(
        [
            (datetime(2024, 1, 1, 0, 0), 1, 22.7, 1.0, 1.72, date(2024, 1, 1)),
            (datetime(2024, 1, 1, 1, 0), 1, 18.75, None, 1.8, date(2024, 1, 1)),
        ],
        metrics.schema,
    )
    assert_df_equality(metrics, expected_metrics, ignore_row_order=True, ignore_nullable=True)
    rejected = read_rejected(spark, str(out / "trips")).select("reject_reason")
    expected_reasons = spark.createDataFrame(
        [("passenger_count_out_of_range",), ("dropoff_before_pickup",)], rejected.schema
    )
    assert_df_equality(rejected, expected_reasons, ignore_row_order=True, ignore_nullable=True)
    _assert_quarantine_copies_the_staged_rejected_rows(spark, out)


def test_the_command_line_names_the_two_bounds_and_refuses_anything_else(capsys):
    assert main(["both", "in", "out"]) == 2
    assert main(["quarantine", "in"]) == 2
    assert capsys.readouterr().err.strip() == (
        "usage: python -m bench.checked rows|quarantine INPUT OUTPUT\n"
        "usage: python -m bench.checked rows|quarantine INPUT OUTPUT"
    )
