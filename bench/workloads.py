"""Reference workloads the job is measured against, each run as its own process (JVM included).

`python -m bench.workloads floor INPUT` reads and parses the CSV with an explicit schema and counts it;
`python -m bench.workloads seed INPUT OUTPUT` runs the seed tutorial's logic on the same data;
`python -m bench.workloads bare INPUT OUTPUT` writes deduplicated trips with none of the job's checks;
`python -m bench.workloads bare-metrics INPUT OUTPUT` writes them and their hourly metrics;
`python -m bench.workloads bare-late INPUT JOB_OUTPUT OUTPUT` writes them and their hourly metrics
after checking their keys against the trips the job wrote under JOB_OUTPUT on the same dates;
`python -m bench.workloads bare-parquet INPUT OUTPUT` does the same from TLC Parquet files.
The bounds built on the job's own checks of every cell are in `bench.checked`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType, TimestampNTZType, TimestampType

from datagen.eras import ERAS
from datagen.trips import FIELDS
from etl.columns import RAW_LINE, RAW_STRINGS, REJECT_REASON, SOURCE_FILE
from etl.contract import CANONICAL_COLUMNS, DEFAULT_DEDUPE_KEYS, PARTITION_COLUMN, normalise_header
from etl.loaded_dates import Target, dates_sharing_keys, folders
from etl.local import hadoop_path
from etl.metrics import hourly_metrics, spread_by_date
from etl.paths import partition_name, partition_values
from etl.pipeline import SESSION_SETTINGS
from etl.reject_folder import packed_source
from etl.schema import TRIPS_WRITE_OPTIONS, spark_type
from etl.session import local_spark
from etl.storage import Storage

# The CSV workloads read what `datagen big` writes by default: the 2015 yellow layout, its 19
# columns under their canonical names.
CSV_SCHEMA = StructType(
    [
        StructField(FIELDS[field][0], spark_type(FIELDS[field][1]))
        for _, field in ERAS["yellow_2015"].columns
    ]
)


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
    with session_conf(spark, _BARE_SETTINGS):
        dedupe_and_write(read_csv(spark, path), output)


def dedupe_and_write(trips: DataFrame, output: str) -> None:
    """Keep the first row of each dedupe key per pickup date, in the order of every column, and
    write them partitioned by date (the date computed from the pickup time, unless `trips`
    has it already).

    A `reject_reason` column, when `trips` has one, marks rejected rows as the job stages them
    (`etl.merge`): they lose their date (written into Spark's folder for a null partition) and
    are never ranked with trips; their `raw` strings and `raw_line` ride through the shuffle
    unranked, and after the dedupe everything quarantine keeps of them is packed into their
    `source_file` (`etl.reject_folder.packed_source`). Those three columns are not written."""
    date = PARTITION_COLUMN.name
    carried = [name for name in (REJECT_REASON, RAW_STRINGS, RAW_LINE) if name in trips.columns]
    columns = [name for name in trips.columns if name not in carried]
    # A key the layout lacks is null in every row, so leaving it out groups the same rows.
    keys = [key for key in DEFAULT_DEDUPE_KEYS if key in columns]
    window = Window.partitionBy(date, *keys).orderBy(
        *(F.col(name).asc_nulls_last() for name in columns)
    )
    rows = trips if date in columns else trips.withColumn(date, F.to_date("pickup_datetime"))
    kept = F.col("_rank") == 1
    rejected = F.col(REJECT_REASON).isNotNull()
    if carried:
        rows = rows.withColumn(date, F.when(~rejected, F.col(date)))
        kept = kept | rejected
    ranked = rows.repartition(date).withColumn("_rank", F.row_number().over(window)).where(kept)
    if carried:
        ranked = ranked.withColumn(SOURCE_FILE, packed_source(rejected))
    (
        ranked.drop("_rank", *carried)
        .write.mode("overwrite")
        .options(**TRIPS_WRITE_OPTIONS)
        .partitionBy(date)
        .parquet(output)
    )


def read_parquet_trips(spark: SparkSession, path: str) -> DataFrame:
    """Typed read of TLC Parquet files: every known column under its canonical name and type.

    The files' own types drift between years (int32, int64 or double codes; us or ns times);
    casting them is part of the work, except for naive times, which Spark's reader gives as
    instants for free. Dedupe keys the layout lacks (coordinates in files since
    2016) are null, as they are in the job.
    """
    inferred = spark.read.option("recursiveFileLookup", "true").parquet(path).schema
    # Naive times read as instants, as the job reads them: the same microseconds, no cast.
    schema = StructType(
        [
            StructField(f.name, TimestampType()) if f.dataType == TimestampNTZType() else f
            for f in inferred.fields
        ]
    )
    raw = spark.read.schema(schema).option("recursiveFileLookup", "true").parquet(path)
    types = {c.name: spark_type(c.type) for c in CANONICAL_COLUMNS}
    names = {normalise_header(name): name for name in raw.columns}
    return raw.select(
        *(F.col(name).cast(types[canonical]).alias(canonical)
          for canonical, name in names.items() if canonical in types),
        *(F.lit(None).cast(types[key]).alias(key)
          for key in DEFAULT_DEDUPE_KEYS if key not in names),
    )  # fmt: skip


def bare_parquet_trips(spark: SparkSession, path: str, output: str) -> None:
    """`bare_trips` over TLC Parquet input: typed read, dedupe, date-partitioned write."""
    with session_conf(spark, _BARE_SETTINGS):
        dedupe_and_write(read_parquet_trips(spark, path), output)


def bare_trips_and_metrics(spark: SparkSession, path: str, output: str) -> None:
    """`bare_trips` into OUTPUT/trips, then the job's hourly metrics of them into
    OUTPUT/hourly_metrics: the two outputs every run of the job writes, with none of its checks,
    quarantine, state or merge. Spark writes one output per action, so any design pays for a
    second write; reading back the trips just written is its cheapest input, as in the job."""
    with session_conf(spark, _BARE_SETTINGS):
        dedupe_and_write(read_csv(spark, path), f"{output}/trips")
        write_metrics(spark, output)


def bare_late_batch(spark: SparkSession, path: str, job_output: str, output: str) -> list[str]:
    """`bare_trips_and_metrics` over a batch of late trips, whose dates already hold the trips
    the job wrote under `job_output`, plus the one step such a batch cannot skip: finding the
    dates where a batch trip shares its dedupe keys with a written one, by the job's own check
    (`etl.loaded_dates.dates_sharing_keys`: the written trips' keys of the batch's dates read
    and joined on their hash). Returns those dates.

    Left out, next to the job's run over the same batch: the checks of every cell, quarantine,
    the hourly metrics of the trips already written on those dates (here only the batch's own
    are summed), the rewrite of a date whose keys are shared, state and publish. It does
    strictly less work than the job's run, so a late batch can cost no less.
    """
    bare_trips_and_metrics(spark, path, output)
    with session_conf(spark, _BARE_SETTINGS):
        keys = [key for key in DEFAULT_DEDUPE_KEYS if key in CSV_SCHEMA.names]
        target = Target(hadoop_path(Path(output)), hadoop_path(Path(job_output)), keys)
        # Dates and size from the listing, as the job sizes its merge: no count. (The listing
        # also holds the write's marker file, in no date's folder, and the folder of rows with
        # no pickup date, which the job rejects and never merges.)
        listed = folders(Storage(spark), target.staged)
        dates = partition_values(sorted(listed))
        batch_trips = sum(listed[partition_name(date)].trips for date in dates)
        return sorted(dates_sharing_keys(spark, target, dates, batch_trips))


def write_metrics(
    spark: SparkSession,
    output: str,
    schema: StructType | None = None,
    rejected_beside: bool = False,
) -> None:
    """The job's hourly metrics of the trips under OUTPUT/trips, into OUTPUT/hourly_metrics.
    `schema`: the trips' own, read with it as the job reads them (no job to infer it).
    `rejected_beside`: rejected rows are staged beside the trips, in the folder of no date,
    which is then left out, as the job leaves it out."""
    date = PARTITION_COLUMN.name
    reader = spark.read if schema is None else spark.read.schema(schema)
    trips = reader.parquet(f"{output}/trips")
    folders = [folder.name for folder in Path(output, "trips").glob(f"{date}=*")]
    if rejected_beside:
        trips = trips.where(F.col(date).isNotNull())
        folders = partition_values(folders)
    # Spread over the cores by date as the job writes them, its dates counted from the folders.
    (
        spread_by_date(hourly_metrics(trips), len(folders))
        .write.mode("overwrite")
        .partitionBy(date)
        .parquet(f"{output}/hourly_metrics")
    )


_USAGE = (
    "usage: python -m bench.workloads floor INPUT | seed INPUT OUTPUT | bare INPUT OUTPUT"
    " | bare-metrics INPUT OUTPUT | bare-late INPUT JOB_OUTPUT OUTPUT | bare-parquet INPUT OUTPUT"
)
_WRITERS = {
    "seed": seed_logic,
    "bare": bare_trips,
    "bare-metrics": bare_trips_and_metrics,
    "bare-parquet": bare_parquet_trips,
}


def run_in_session(name: str, work: Callable[[SparkSession], object]) -> None:
    """Run one workload in a local session of its own, stopped whatever happens."""
    spark = local_spark("bench-" + name)
    try:
        work(spark)
    finally:
        spark.stop()


def _run(argv: list[str], spark: SparkSession) -> None:
    if argv[0] == "floor":
        print(floor(spark, argv[1]))
    elif argv[0] == "bare-late":
        print(",".join(bare_late_batch(spark, argv[1], argv[2], argv[3])))
    else:
        _WRITERS[argv[0]](spark, argv[1], argv[2])


def main(argv: list[str]) -> int:
    # Arguments after the workload's name: INPUT, with OUTPUT for most.
    arguments = {"floor": 1, "bare-late": 3} | dict.fromkeys(_WRITERS, 2)
    if not argv or len(argv) - 1 != arguments.get(argv[0]):
        print(_USAGE, file=sys.stderr)
        return 2
    run_in_session(argv[0], lambda spark: _run(argv, spark))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
