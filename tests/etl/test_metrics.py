"""Hourly metrics per pickup date."""

from __future__ import annotations

import datetime as dt

from chispa import assert_approx_df_equality

from etl.metrics import hourly_metrics, with_pickup_date
from etl.schema import HOURLY_METRICS_SCHEMA
from tests.etl.helpers import TRIP_FIELDS, trip


def test_hourly_metrics(spark):
    rows = [
        trip(
            dt.datetime(2015, 1, 15, 19, 5), -73.9, 10.0, "a", passenger_count=1, trip_distance=1.0
        ),
        trip(dt.datetime(2015, 1, 15, 19, 59, 59), -73.8, 20.5, "a", passenger_count=2),
        trip(
            dt.datetime(2015, 1, 15, 19, 30), -73.7, 1.25, "a", passenger_count=4, trip_distance=2.5
        ),
        trip(
            dt.datetime(2015, 1, 15, 20, 0), -73.9, 3.0, "a", passenger_count=0, trip_distance=0.0
        ),
        trip(dt.datetime(2015, 1, 16, 23, 59), -73.9, 9.99, "b", trip_distance=7.0),
    ]
    trips = with_pickup_date(spark.createDataFrame(rows, TRIP_FIELDS))
    expected = spark.createDataFrame(
        [
            (dt.datetime(2015, 1, 15, 19), 3, 31.75, 7 / 3, 1.75, dt.date(2015, 1, 15)),
            (dt.datetime(2015, 1, 15, 20), 1, 3.0, 0.0, 0.0, dt.date(2015, 1, 15)),
            (dt.datetime(2015, 1, 16, 23), 1, 9.99, None, 7.0, dt.date(2015, 1, 16)),
        ],
        HOURLY_METRICS_SCHEMA,
    )
    actual = hourly_metrics(trips).orderBy("pickup_hour")
    assert_approx_df_equality(actual, expected, 1e-9, ignore_nullable=True)
