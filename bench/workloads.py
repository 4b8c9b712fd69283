"""Reference workloads the job is measured against, each run as its own process (JVM included).

`python -m bench.workloads floor INPUT` reads and parses the CSV with an explicit schema and counts it;
`python -m bench.workloads seed INPUT OUTPUT` runs the seed tutorial's logic on the same data;
`python -m bench.workloads bare INPUT OUTPUT` writes deduplicated trips with none of the job's checks.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DataType,
    DoubleType,
    IntegerType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from etl.contract import DEFAULT_DEDUPE_KEYS, PARTITION_COLUMN, REQUIRED_COLUMNS
from etl.merge import TRIPS_WRITE_OPTIONS
from etl.pipeline import SESSION_SETTINGS
from etl.session import local_spark

_SPARK_TYPES: dict[str, DataType] = {
    "int": IntegerType(),
    "double": DoubleType(),
    "string": StringType(),
    "timestamp": TimestampType(),
}

# The generator writes the 2015 yellow-taxi layout: the 19 required columns in contract order.
CSV_SCHEMA = StructType([StructField(c.name, _SPARK_TYPES[c.type]) for c in REQUIRED_COLUMNS])


def read_csv(spark: SparkSession, path: str) -> DataFrame:
    """Plain Spark CSV read of every file under `path` with the explicit TLC schema."""
    return (
        spark.read.schema(CSV_SCHEMA)
        .option("header", "true")
        .option("recursiveFileLookup", "true")
        .option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
        .csv(path)
    )


@contextmanager
def session_conf(spark: SparkSession, settings: Mapping[str, str]) -> Iterator[None]:
    """Set SQL confs for one workload and restore them, so in-process runs leave no trace."""
    previous = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


# An impossible time such as 10:61 makes Spark's default parser policy raise instead of giving
# null; the reference workloads must read the same messy data the job reads.
_LENIENT_TIMES = {"spark.sql.legacy.timeParserPolicy": "CORRECTED"}


def floor(spark: SparkSession, path: str) -> int:
    """Read + count with the explicit schema: the least any job over this input has to do.

    Spark's defaults apply, as a user would run it (CSV column pruning lets count() tokenise
    lines without converting every field), so the floor is the cheapest honest pass.
    """
    with session_conf(spark, _LENIENT_TIMES):
        return read_csv(spark, path).count()


def seed_logic(spark: SparkSession, path: str, output: str) -> None:
    """The seed tutorial's job: dedupe on two keys, drop null totals, hourly sum/avg, write them.

    One pass and one output, as the seed had: no validation, no quarantine, no trips table.
    """
    with session_conf(spark, _LENIENT_TIMES):
        (
            read_csv(spark, path)
            .dropDuplicates(["pickup_datetime", "pickup_longitude"])
            .na.drop(subset=["total_amount"])
            .groupBy(F.date_trunc("hour", "pickup_datetime").alias("pickup_hour"))
            .agg(
                F.count(F.lit(1)).alias("trip_count"),
                F.sum("total_amount").alias("total_revenue"),
                F.avg("passenger_count").alias("avg_passengers"),
                F.avg("trip_distance").alias("avg_trip_distance"),
            )
            .write.mode("overwrite")
            .parquet(output)
        )


# The job's own split size and timestamp encoding (see etl.pipeline), so the bound is comparable.
_BARE_SETTINGS = _LENIENT_TIMES | {
    key: SESSION_SETTINGS[key]
    for key in ("spark.sql.files.maxPartitionBytes", "spark.sql.parquet.outputTimestampType")
}


def bare_trips(spark: SparkSession, path: str, output: str) -> None:
    """The least work that yields a trips table like the job's: typed read, dedupe, write.

    Same keys, winner rule (first row in the order of every column, nulls last) and date
    partitions as the job, with the job's split size, timestamp encoding and Parquet write
    options. Left out: validation, quarantine, hourly metrics, `source_file`, the optional
    columns and the merge with earlier runs. Any design of the job does at least this work, so
    the table shows which targets a design change could still reach.
    """
    date = PARTITION_COLUMN.name
    window = Window.partitionBy(date, *DEFAULT_DEDUPE_KEYS).orderBy(
        *(F.col(name).asc_nulls_last() for name in CSV_SCHEMA.names)
    )
    with session_conf(spark, _BARE_SETTINGS):
        (
            read_csv(spark, path)
            .withColumn(date, F.to_date("pickup_datetime"))
            .repartition(date)
            .withColumn("_rank", F.row_number().over(window))
            .where(F.col("_rank") == 1)
            .drop("_rank")
            .write.mode("overwrite")
            .options(**TRIPS_WRITE_OPTIONS)
            .partitionBy(date)
            .parquet(output)
        )


_USAGE = "usage: python -m bench.workloads floor INPUT | seed INPUT OUTPUT | bare INPUT OUTPUT"


def main(argv: list[str]) -> int:
    if (
        len(argv) < 2
        or argv[0] not in {"floor", "seed", "bare"}
        or (argv[0] != "floor" and len(argv) < 3)
    ):
        print(_USAGE, file=sys.stderr)
        return 2
    spark = local_spark("bench-" + argv[0])
    try:
        if argv[0] == "floor":
            print(floor(spark, argv[1]))
        elif argv[0] == "seed":
            seed_logic(spark, argv[1], argv[2])
        else:
            bare_trips(spark, argv[1], argv[2])
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
