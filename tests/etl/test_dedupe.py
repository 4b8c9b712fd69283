"""Deduplication keeps the same row whatever the input order or partitioning."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from chispa import assert_df_equality

from etl.contract import DEFAULT_DEDUPE_KEYS
from etl.dedupe import RANK_COLUMN, rank_duplicates
from etl.metrics import with_pickup_date
from etl.schema import CANONICAL_NAMES, TRIPS_SCHEMA
from tests.etl.helpers import TRIP_FIELDS, trip

# The seed's pair: enough for these coordinate-era rows, and small enough to read the cases.
KEYS = ("pickup_datetime", "pickup_longitude")


def drop_duplicates(trips, keys):
    """Keep the rows the job keeps: rank 1 of each (pickup_date, *keys) group."""
    return rank_duplicates(trips, keys).where(f"{RANK_COLUMN} = 1").drop(RANK_COLUMN)


T1 = dt.datetime(2015, 1, 15, 19, 5, 39)
T2 = dt.datetime(2015, 1, 15, 20, 0, 0)
T3 = dt.datetime(2015, 1, 16, 0, 30, 0)


ROWS = [
    trip(T1, -73.9, 10.0, "b.csv"),
    trip(T1, -73.9, 10.0, "a.csv"),  # exact duplicate content, other file: a.csv sorts first
    trip(T1, -73.9, 12.5, "a.csv"),  # key duplicate: higher total sorts after 10.0
    trip(T1, -73.9, 10.0, "c.csv", vendor_id=None),  # null vendor sorts last
    trip(T1, -74.0, 10.0, "c.csv"),  # other longitude: not a duplicate
    trip(T2, None, 7.0, "a.csv", passenger_count=2),
    trip(T2, None, 7.0, "b.csv", passenger_count=1),  # null key values still group together
    trip(T3, -73.9, 5.0, "d.csv"),
]

EXPECTED = [
    trip(T1, -73.9, 10.0, "a.csv"),
    trip(T1, -74.0, 10.0, "c.csv"),
    trip(T2, None, 7.0, "b.csv", passenger_count=1),
    trip(T3, -73.9, 5.0, "d.csv"),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_winner_for_any_input_order(spark, seed):
    rows = ROWS[:]
    random.Random(seed).shuffle(rows)
    trips = spark.createDataFrame(rows, TRIP_FIELDS).repartition(seed + 1)
    actual = drop_duplicates(with_pickup_date(trips), KEYS)
    expected = with_pickup_date(spark.createDataFrame(EXPECTED, TRIP_FIELDS))
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_keys_must_be_canonical_columns(spark):
    trips = spark.createDataFrame([], TRIPS_SCHEMA)
    with pytest.raises(ValueError, match="dedupe keys"):
        drop_duplicates(trips, ("pickup_datetime", "no_such_column"))
    assert "pickup_longitude" in CANONICAL_NAMES


def test_rank_marks_the_kept_row_of_each_group(spark):
    trips = with_pickup_date(spark.createDataFrame(ROWS[:4], TRIP_FIELDS))
    actual = rank_duplicates(trips, KEYS).select(
        "source_file", "total_amount", "vendor_id", RANK_COLUMN
    )
    expected = spark.createDataFrame(
        [
            ("a.csv", 10.0, 1, 1),
            ("b.csv", 10.0, 1, 2),
            ("a.csv", 12.5, 1, 3),
            ("c.csv", 10.0, None, 4),
        ],
        f"source_file string, total_amount double, vendor_id int, {RANK_COLUMN} int",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


# Location-era trips (no coordinates) and coordinate-era trips (no zones) under the default keys.
ZONE_ROWS = [
    trip(T1, None, 10.0, "z.csv", pu_location_id=161, do_location_id=237),
    trip(T1, None, 10.0, "y.csv", pu_location_id=161, do_location_id=237),  # the same trip again
    trip(T1, None, 11.0, "z.csv", pu_location_id=161, do_location_id=237),  # re-sent, new total
    trip(
        T1, None, 10.0, "z.csv", pu_location_id=162, do_location_id=237
    ),  # same second, other zone
    trip(T1, -73.9, 10.0, "a.csv"),  # a coordinate-era trip in the same second: no zones at all
    trip(T1, -73.8, 10.0, "a.csv"),  # and another one elsewhere
]


def test_default_keys_tell_trips_apart_in_every_era_with_nulls_equal(spark):
    trips = with_pickup_date(spark.createDataFrame(ZONE_ROWS, TRIP_FIELDS))
    actual = drop_duplicates(trips, DEFAULT_DEDUPE_KEYS)
    expected = with_pickup_date(
        spark.createDataFrame([ZONE_ROWS[1], ZONE_ROWS[3], ZONE_ROWS[4], ZONE_ROWS[5]], TRIP_FIELDS)
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
