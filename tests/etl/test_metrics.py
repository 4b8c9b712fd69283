"""Hourly metrics per pickup date."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from chispa import assert_approx_df_equality

from bench.workloads import session_conf
from etl.metrics import hourly_metrics, with_pickup_date
from etl.schema import HOURLY_METRICS_SCHEMA, TRIPS_SCHEMA
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


def test_hours_are_the_naive_times_own_whatever_the_session_zone(spark):
    # Naive times are stored as UTC; a session in a zone half an hour off it must still group
    # 19:05 and 19:59 into 19:00, and a placeholder time before 1970 into its own hour.
    times = [
        dt.datetime(2015, 1, 15, 19, 5),
        dt.datetime(2015, 1, 15, 19, 59, 59),
        dt.datetime(2015, 1, 15, 20, 0),
        dt.datetime(1899, 12, 30, 10, 15),
    ]
    rows = [(*trip(t, -73.9, 1.0, "a"), t.date()) for t in times]
    trips = spark.createDataFrame(rows, TRIPS_SCHEMA)
    expected = spark.createDataFrame(
        [
            (dt.datetime(1899, 12, 30, 10), 1, 1.0, None, None, dt.date(1899, 12, 30)),
            (dt.datetime(2015, 1, 15, 19), 2, 2.0, None, None, dt.date(2015, 1, 15)),
            (dt.datetime(2015, 1, 15, 20), 1, 1.0, None, None, dt.date(2015, 1, 15)),
        ],
        HOURLY_METRICS_SCHEMA,
    )
    with session_conf(spark, {"spark.sql.session.timeZone": "Asia/Kolkata"}):
        # Evaluated while the session is in that zone; compared once it is back in UTC.
        actual = spark.createDataFrame(
            hourly_metrics(trips).orderBy("pickup_hour").collect(), HOURLY_METRICS_SCHEMA
        )
    assert_approx_df_equality(actual, expected, 1e-9, ignore_nullable=True)


@pytest.mark.parametrize(
    "amounts",
    [
        # Summed as doubles, these give 0.6000000000000001 or 0.6 depending on the order.
        [0.1, 0.2, 0.3],
        # Big values are summed exactly too, and an absurd one (no trip is 1e16 miles, but
        # nothing rejects it) leaves the others exact.
        [5e11 + 0.25, 1.0, 0.1, 1234.5678, 0.2],
        [1e16, 1.0, 0.1, 1234.5678, 0.2],
    ],
)
def test_metrics_do_not_depend_on_the_order_of_the_trips(spark, amounts):
    # A date loaded in one file and the same date loaded in several must give the same metrics.
    hour = dt.datetime(2015, 1, 15, 19)
    metrics = []
    for order in (amounts, amounts[::-1]):
        rows = [
            trip(hour, -73.9, amount, "a", trip_distance=amount, passenger_count=1)
            for amount in order
        ]
        # One task: the values are added in the order given.
        trips = with_pickup_date(spark.createDataFrame(rows, TRIP_FIELDS).repartition(1))
        metrics.append(hourly_metrics(trips).collect())
    assert metrics[0] == metrics[1]
    [row] = metrics[0]
    assert row.total_revenue == pytest.approx(math.fsum(amounts), rel=1e-15)
    assert row.avg_trip_distance == pytest.approx(math.fsum(amounts) / len(amounts), rel=1e-15)
    if amounts == [0.1, 0.2, 0.3]:
        assert (row.total_revenue, row.avg_trip_distance) == (0.6, 0.2)


def test_values_beyond_1e12_are_summed_as_doubles(spark):
    hour = dt.datetime(2015, 1, 15, 19)
    rows = [trip(hour, -73.9, 1.0, "a", trip_distance=d) for d in (1e300, 1.0)]
    trips = with_pickup_date(spark.createDataFrame(rows, TRIP_FIELDS))
    assert hourly_metrics(trips).collect()[0].avg_trip_distance == (1e300 + 1.0) / 2


def test_an_hour_without_distances_has_no_mean_distance(spark):
    hour = dt.datetime(2015, 1, 15, 19)
    trips = with_pickup_date(
        spark.createDataFrame([trip(hour, -73.9, 1.0, "a", trip_distance=None)], TRIP_FIELDS)
    )
    [row] = hourly_metrics(trips).collect()
    assert (row.total_revenue, row.avg_trip_distance) == (1.0, None)
