"""Hourly trip metrics per pickup date.

Sums and means are taken over whole millionths, as 64-bit integers, not over doubles: a
double sum depends on the order its values arrive in, which depends on how a date's trips are
split into files and tasks (one file after a full refresh, several after late batches were
appended). An integer sum does not, so the same trips give the same metrics, to the last bit,
however they were loaded. (Decimals would do too, at three times the cost.)
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from etl.columns import require_columns
from etl.contract import PARTITION_COLUMN

_MICROS = 1e6
# Sums of millionths fit a long (up to 9.2e18) while the largest value times the number of values
# stays under this; beyond it (never with real trips) the hour falls back to a double sum.
_EXACT_LIMIT = 9e12


def with_pickup_date(trips: DataFrame) -> DataFrame:
    """Add the partition column `pickup_date` (calendar date of the naive pickup time)."""
    require_columns(trips, "pickup_datetime")
    return trips.withColumn(PARTITION_COLUMN.name, sf.to_date(sf.col("pickup_datetime")))


def hourly_metrics(trips: DataFrame) -> DataFrame:
    """Trips -> one row per pickup hour: trip_count, total_revenue, avg_passengers,
    avg_trip_distance, plus `pickup_date`. Averages ignore null values, as SQL AVG does. Each value
    counts to the nearest millionth."""
    require_columns(
        trips,
        "pickup_datetime",
        PARTITION_COLUMN.name,
        "total_amount",
        "passenger_count",
        "trip_distance",
    )
    return (
        trips.groupBy(
            sf.date_trunc("hour", sf.col("pickup_datetime")).alias("pickup_hour"),
            sf.col(PARTITION_COLUMN.name),
        )
        .agg(
            sf.count(sf.lit(1)).alias("trip_count"),
            _exact_sum("total_amount").alias("total_revenue"),
            sf.avg("passenger_count").alias("avg_passengers"),
            _exact_avg("trip_distance").alias("avg_trip_distance"),
        )
        .select(
            "pickup_hour",
            "trip_count",
            "total_revenue",
            "avg_passengers",
            "avg_trip_distance",
            PARTITION_COLUMN.name,
        )
    )


def _exact_sum(name: str) -> Column:
    return sf.when(_fits(name), sf.sum(_micros(name)) / _MICROS).otherwise(sf.sum(name))


def _exact_avg(name: str) -> Column:
    exact = sf.sum(_micros(name)) / (sf.count(name) * _MICROS)
    return sf.when(_fits(name), exact).otherwise(sf.avg(name))


def _micros(name: str) -> Column:
    # rint, not round: round goes through BigDecimal for every value.
    return sf.rint(sf.col(name) * _MICROS).cast("long")


def _fits(name: str) -> Column:
    return sf.max(sf.abs(sf.col(name))) * sf.count(name) < _EXACT_LIMIT
