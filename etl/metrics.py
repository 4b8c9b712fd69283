"""Hourly trip metrics per pickup date.

Sums and means are taken over whole millionths, as integers, not over doubles: a
double sum depends on the order its values arrive in, which depends on how a date's trips are
split into files and tasks (one file after a full refresh, several after late batches were
appended). An integer sum does not, so the same trips give the same metrics, to the last bit,
however they were loaded. (Decimals would do too, at twice the cost.)
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from etl.columns import require_columns
from etl.contract import PARTITION_COLUMN

_MICROS = 1e6
# Each value under 1e12 is split into its whole units and its fraction in millionths, and each
# part is summed in a long: exact, so neither sum depends on the order of the values (an hour
# would need nine million values to overflow them). The parts are added once per group. Only
# values beyond 1e12 (no real trip has one) are summed as doubles.
_EXACT_LIMIT = 1e12
# Dates whose hourly metrics one task writes, at least, when they are spread (`spread_by_date`).
MIN_DATES_PER_TASK = 8
_MICROS_PER_HOUR = 3_600_000_000


def with_pickup_date(trips: DataFrame) -> DataFrame:
    """Add the partition column `pickup_date` (calendar date of the naive pickup time)."""
    require_columns(trips, "pickup_datetime")
    return trips.withColumn(PARTITION_COLUMN.name, sf.to_date(sf.col("pickup_datetime")))


def hourly_metrics(trips: DataFrame) -> DataFrame:
    """Trips -> one row per pickup hour: trip_count, total_revenue, avg_passengers,
    avg_trip_distance, plus `pickup_date`. Averages ignore null values, as SQL AVG does. Each value
    under 10^12 counts to the nearest millionth."""
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
            pickup_hour(sf.col("pickup_datetime")).alias("pickup_hour"),
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


def pickup_hour(pickup: Column) -> Column:
    """The start of the hour of a naive pickup time: its microseconds with those past the whole
    hour dropped. The times are naive wall-clock times stored as UTC, so whole hours since the
    epoch are the wall-clock hours whatever the session's time zone (`date_trunc` truncates in
    that zone, and takes every value through java.time objects: a third of the CPU of reading
    the trips for their metrics)."""
    micros = sf.unix_micros(pickup)
    return sf.timestamp_micros(micros - sf.pmod(micros, sf.lit(_MICROS_PER_HOUR)))


def spread_by_date(metrics: DataFrame, dates: int) -> DataFrame:
    """`metrics` of `dates` pickup dates, spread by date over up to one task per core, each
    task with MIN_DATES_PER_TASK dates or more.

    The metrics are a few rows a date, which Spark gathers into one task after the aggregation;
    that task then writes every date's file in turn (a full refresh over years: thousands of
    files, one after another, each a request on S3). Spread by date, each date is still one
    file, and the files are written side by side. A run of a few dates is left as it is: the
    exchange that spreads them costs more than writing a few files in turn."""
    cores = metrics.sparkSession.sparkContext.defaultParallelism
    tasks = min(cores, dates // MIN_DATES_PER_TASK)
    return metrics.repartition(tasks, PARTITION_COLUMN.name) if tasks > 1 else metrics


def _exact_sum(name: str, divisor: Column | None = None) -> Column:
    """Sum of `name` over the group (divided by `divisor`, each part before they are added, so
    that a mean of whole millionths is one division: 0.6 over three trips is 0.2)."""
    value = sf.col(name)
    exact = sf.abs(value) < _EXACT_LIMIT
    units = sf.floor(value)
    whole = sf.sum(sf.when(exact, units.cast("long")))
    # A double minus its floor is exact; only the scaling to millionths rounds. rint, not round:
    # round goes through BigDecimal for every value.
    millionths = sf.sum(sf.when(exact, sf.rint((value - units) * _MICROS).cast("long")))
    # NaN fails the test above and lands here, as a double sum would have it.
    rest = sf.sum(sf.when(~exact, value))
    by = sf.lit(1.0) if divisor is None else divisor
    parts = (whole / by, millionths / (by * _MICROS), rest / by)
    total = reduce(lambda a, b: a + b, (sf.coalesce(part, sf.lit(0.0)) for part in parts))
    return sf.when(sf.count(value) > 0, total)


def _exact_avg(name: str) -> Column:
    return _exact_sum(name, divisor=sf.count(name))
