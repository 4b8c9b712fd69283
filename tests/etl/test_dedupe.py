"""Deduplication keeps the same row whatever the input order or partitioning."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from chispa import assert_df_equality

from etl.dedupe import drop_duplicates
from etl.metrics import with_pickup_date
from etl.schema import CANONICAL_NAMES, TRIPS_SCHEMA
from tests.etl.helpers import TRIP_FIELDS, trip

KEYS = ("pickup_datetime", "pickup_longitude")
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
