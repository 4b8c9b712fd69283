"""Parquet input: drifting physical types and the values they hold, read as CSV values are."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from chispa import assert_df_equality
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType, StructField, StructType

from etl.batch_read import parse_files
from etl.quarantine import quarantined_rows, valid_rows
from etl.schema import CANONICAL_SCHEMA
from tests.etl.helpers import with_source_paths
from tests.etl.parquet_tables import (
    PICKUPS,
    TYPES_2023,
    TYPES_2024,
    TYPES_UNSIGNED,
    expected_rows,
    write_parquet,
    yellow_table,
)


def test_drifting_physical_types_load_as_the_same_canonical_values(spark, tmp_path):
    files = [
        write_parquet(
            tmp_path / "yellow_tripdata_2023-01.parquet", yellow_table(TYPES_2023, "airport_fee")
        ),
        write_parquet(
            tmp_path / "yellow_tripdata_2024-01.parquet", yellow_table(TYPES_2024, "Airport_fee")
        ),
        write_parquet(
            tmp_path / "yellow_tripdata_2024-02.parquet",
            yellow_table(TYPES_UNSIGNED, "Airport_fee"),
        ),
    ]
    batch = parse_files(spark, files)
    assert batch.failed_files == []
    assert batch.unknown_columns == []
    actual = (
        valid_rows(batch.checked)
        .drop("pickup_date")
        .withColumn("source_file", sf.regexp_extract("source_file", r"([^/]+)$", 1))
    )
    expected = spark.createDataFrame(
        expected_rows("yellow_tripdata_2023-01.parquet")
        + expected_rows("yellow_tripdata_2024-01.parquet")
        + expected_rows("yellow_tripdata_2024-02.parquet"),
        # A new schema: StructType.add would change the shared CANONICAL_SCHEMA in place.
        StructType([*CANONICAL_SCHEMA.fields, StructField("source_file", StringType())]),
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_unsigned_values_too_big_for_their_column_are_quarantined_as_written(spark, tmp_path):
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0]] * 3, pa.timestamp("us")),
            "PULocationID": pa.array([4_000_000_000, 5, 6], pa.uint32()),
            "payment_type": pa.array([1, 2**64 - 1, 2], pa.uint64()),
            "total_amount": pa.array([10.0] * 3),
        }
    )
    batch = parse_files(spark, [write_parquet(tmp_path / "yellow_tripdata_2024-03.parquet", table)])

    assert batch.failed_files == []
    pickup = "2024-01-01 00:57:55"
    assert_df_equality(
        quarantined_rows(batch.checked, "run-1").select(
            "pu_location_id", "payment_type", "reject_reason"
        ),
        spark.createDataFrame(
            [("4000000000", "1", "invalid_value"), ("5", str(2**64 - 1), "invalid_value")],
            "pu_location_id string, payment_type string, reject_reason string",
        ),
        ignore_row_order=True,
        ignore_nullable=True,
    )
    assert_df_equality(
        valid_rows(batch.checked).select("pickup_datetime", "pu_location_id", "payment_type"),
        spark.createDataFrame(
            [(dt.datetime.fromisoformat(pickup), 6, 2)],
            "pickup_datetime timestamp, pu_location_id int, payment_type int",
        ),
        ignore_nullable=True,
    )


def test_single_precision_amounts_keep_the_decimals_they_were_written_with(spark, tmp_path):
    # pandas' float32, chosen to halve a file: 11.85 is stored as the float nearest to it.
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array(PICKUPS, pa.timestamp("us")),
            "trip_distance": pa.array([1.72, 0.1], pa.float32()),
            "total_amount": pa.array([11.85, float("inf")], pa.float32()),
        }
    )
    batch = parse_files(spark, [write_parquet(tmp_path / "yellow_tripdata_2024-01.parquet", table)])
    actual = batch.checked.select("trip_distance", "total_amount", "reject_reason")
    expected = spark.createDataFrame(
        [(1.72, 11.85, None), (0.1, None, "invalid_total_amount")],
        "trip_distance double, total_amount double, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_column_named_in_two_cases_takes_each_rows_value_from_either(spark, tmp_path):
    # pandas' concat of a 2023 file (`airport_fee`, nanosecond times) and a 2024 one
    # (`Airport_fee`), whose times pandas also keeps under two names when they differ in case;
    # values of two types are checked as strings, so 2.5 passengers is no 2.
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0], None], pa.timestamp("ns")),
            "TPEP_PICKUP_DATETIME": pa.array([None, PICKUPS[1]], pa.timestamp("us")),
            "total_amount": [14.0, 15.0],
            "airport_fee": pa.array([1.75, None], pa.float64()),
            "Airport_fee": pa.array([None, 1], pa.int64()),
            "passenger_count": pa.array([1, None], pa.int64()),
            "Passenger_count": pa.array([None, 2.5], pa.float64()),
        }
    )
    batch = parse_files(
        spark, [write_parquet(tmp_path / "yellow_tripdata_2023-2024.parquet", table)]
    )
    actual = batch.checked.select(
        "pickup_datetime", "total_amount", "airport_fee", "passenger_count", "reject_reason"
    )
    expected = spark.createDataFrame(
        [(PICKUPS[0], 14.0, 1.75, 1, None), (PICKUPS[1], 15.0, 1.0, None, "invalid_value")],
        "pickup_datetime timestamp, total_amount double, airport_fee double,"
        " passenger_count int, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_boolean_store_and_forward_flag_loads_as_y_and_n(spark, tmp_path):
    # A writer that turned the TLC's Y/N into a boolean column.
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([*PICKUPS, PICKUPS[0]], pa.timestamp("us")),
            "total_amount": [14.0, 15.0, 16.0],
            "store_and_fwd_flag": pa.array([True, False, None], pa.bool_()),
        }
    )
    batch = parse_files(spark, [write_parquet(tmp_path / "yellow_tripdata_2024-01.parquet", table)])
    actual = batch.checked.select("total_amount", "store_and_fwd_flag", "reject_reason")
    expected = spark.createDataFrame(
        [(14.0, "Y", None), (15.0, "N", None), (16.0, None, None)],
        "total_amount double, store_and_fwd_flag string, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_parquet_strings_are_quarantined_as_they_are_never_as_bytes(spark, tmp_path):
    # Parquet strings are UTF-8 text already: the one-character-per-byte view of CSV input must
    # not touch them, whatever the case of the file's suffix.
    flags = ["\xe9", "\ufffdx"]
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0]] * 2, pa.timestamp("us")),
            "store_and_fwd_flag": pa.array(flags, pa.string()),
            "total_amount": pa.array([10.0, 10.0]),
        }
    )
    uri = write_parquet(tmp_path / "YELLOW_TRIPDATA_2024-02.PARQUET", table)
    checked = parse_files(spark, [uri])
    actual = quarantined_rows(with_source_paths(checked.checked, tmp_path.as_uri()), "run-1")

    expected = spark.createDataFrame(
        [(flag, "invalid_value") for flag in flags],
        "store_and_fwd_flag string, reject_reason string",
    )
    assert_df_equality(
        actual.select("store_and_fwd_flag", "reject_reason"),
        expected,
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_a_date_without_a_time_is_quarantined_as_in_csv_not_read_as_midnight(spark, tmp_path):
    # Read as midnight, trips of one vendor between two zones on one day would share their
    # dedupe keys, and all but one would be dropped as duplicates.
    day = dt.date(2024, 1, 15)
    dropoffs = pa.array([day, day], pa.date32())
    dated = pa.table(
        {
            "VendorID": pa.array([2, 2], pa.int32()),
            "tpep_pickup_datetime": pa.array([day, day], pa.date32()),
            "tpep_dropoff_datetime": dropoffs,
            "total_amount": [21.5, 14.3],
        }
    )
    timed = dated.set_column(
        1, "tpep_pickup_datetime", pa.array([PICKUPS[0], PICKUPS[1]], pa.timestamp("us"))
    )
    files = [
        write_parquet(tmp_path / "yellow_tripdata_2024-01.parquet", dated),
        write_parquet(tmp_path / "yellow_tripdata_2024-02.parquet", timed),
    ]
    batch = parse_files(spark, files)
    actual = batch.checked.select("total_amount", "pickup_datetime", "reject_reason")
    expected = spark.createDataFrame(
        [
            (21.5, None, "invalid_pickup_datetime"),
            (14.3, None, "invalid_pickup_datetime"),
            (21.5, PICKUPS[0], "invalid_value"),
            (14.3, PICKUPS[1], "invalid_value"),
        ],
        "total_amount double, pickup_datetime timestamp, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_service_column_names_each_rows_service_where_no_tpep_or_lpep_name_does(spark, tmp_path):
    # The job's own curated trips read back: canonical names, a `service` column, part files.
    curated = pa.table(
        {
            "pickup_datetime": pa.array([PICKUPS[0]] * 5, pa.timestamp("us")),
            "total_amount": [1.0, 2.0, 3.0, 4.0, 5.0],
            "service": ["green", "yellow", " Green", "fhv", None],
        }
    )
    named = curated.rename_columns(["lpep_pickup_datetime", "total_amount", "service"])
    files = [
        write_parquet(tmp_path / "trips" / "part-00000-c000.snappy.parquet", curated),
        write_parquet(tmp_path / "yellow_tripdata_2024-01.parquet", curated.slice(4)),
        write_parquet(tmp_path / "green_tripdata_2024-01.parquet", named.slice(1, 1)),
    ]
    batch = parse_files(spark, files)
    actual = batch.checked.select("total_amount", "service", "reject_reason")
    expected = spark.createDataFrame(
        [
            (1.0, "green", None),
            (2.0, "yellow", None),
            (3.0, "green", None),
            (4.0, None, None),
            (5.0, None, None),
            # No service in the column: the file name's.
            (5.0, "yellow", None),
            # An lpep_ header names the service whatever the column says.
            (2.0, "green", None),
        ],
        "total_amount double, service string, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_times_past_year_9999_are_quarantined_as_in_csv_not_written_under_odd_dates(
    spark, tmp_path
):
    # A corrupt value can hold any 64-bit count of microseconds; as a trip it would be written
    # under a date folder such as `pickup_date=+148108-07-06`, which Athena cannot read. CSV
    # text of such a year does not parse.
    year_10000 = (dt.datetime(9999, 12, 31, 23, 59) - dt.datetime(1970, 1, 1)) // dt.timedelta(
        microseconds=1
    ) + 60_000_000
    normal = (PICKUPS[0] - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([normal, year_10000, normal], pa.timestamp("us")),
            "tpep_dropoff_datetime": pa.array([normal, normal, year_10000], pa.timestamp("us")),
            "total_amount": [1.0, 2.0, 3.0],
        }
    )
    batch = parse_files(spark, [write_parquet(tmp_path / "yellow_tripdata_2024-01.parquet", table)])

    assert batch.checked is not None
    # As text: Python has no year 10000 to collect one with.
    actual = batch.checked.select(
        "total_amount", sf.col("pickup_datetime").cast("string"), "reject_reason"
    )
    expected = spark.createDataFrame(
        [
            (1.0, str(PICKUPS[0]), None),
            (2.0, None, "invalid_pickup_datetime"),
            (3.0, str(PICKUPS[0]), "invalid_value"),
        ],
        "total_amount double, pickup_datetime string, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
