"""Hourly trip metrics per pickup date."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as sf

from etl.columns import require_columns
from etl.contract import PARTITION_COLUMN


def with_pickup_date(trips: DataFrame) -> DataFrame:
    """Add the partition column `pickup_date` (calendar date of the naive pickup time)."""
    require_columns(trips, "pickup_datetime")
    return trips.withColumn(PARTITION_COLUMN.name, sf.to_date(sf.col("pickup_datetime")))


def hourly_metrics(trips: DataFrame) -> DataFrame:
    """Trips -> one row per pickup hour: trip_count, total_revenue, avg_passengers,
    avg_trip_distance, plus `pickup_date`. Averages ignore null values, as SQL AVG does."""
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
            sf.sum("total_amount").alias("total_revenue"),
            sf.avg("passenger_count").alias("avg_passengers"),
            sf.avg("trip_distance").alias("avg_trip_distance"),
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
