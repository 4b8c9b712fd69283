"""Incremental merge of a batch into the curated trips, staged for `etl.publish` to swap in.

Only the pickup dates a batch touches are rebuilt: their existing trips are read back, merged with
the batch's valid rows, deduplicated, written to `_staging/<run_id>/` and then swapped into place
folder by folder. Nothing is ever read and overwritten at the same path lazily.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as sf

from etl.columns import require_columns
from etl.contract import PARTITION_COLUMN
from etl.dedupe import RANK_COLUMN, rank_duplicates
from etl.metrics import hourly_metrics
from etl.paths import METRICS_DIR, TRIPS_DIR, partition_name, staging_root
from etl.schema import TRIPS_SCHEMA
from etl.storage import Storage, join_path

# Already-written trips sort before batch rows with identical content, so re-running a batch
# keeps what is there and counts the batch's copies as duplicates.
ORIGIN_COLUMN = "_origin"
_EXISTING, _BATCH = 0, 1
BUCKET_COLUMN = "_bucket"
# Near-unique measurements (times, coordinates, amounts) overflow Parquet's dictionary and fall
# back to plain encoding anyway, after a hash lookup per value; codes and flags keep dictionaries.
_NO_DICTIONARY = (
    "pickup_datetime",
    "dropoff_datetime",
    "trip_distance",
    "pickup_longitude",
    "pickup_latitude",
    "dropoff_longitude",
    "dropoff_latitude",
    "fare_amount",
    "tip_amount",
    "total_amount",
)
TRIPS_WRITE_OPTIONS = {f"parquet.enable.dictionary#{name}": "false" for name in _NO_DICTIONARY}
# Rows one dedupe task sorts and writes: large enough that a month of TLC data is about one task
# per date, small enough that a task's sort stays in memory on a small Glue worker.
TARGET_ROWS_PER_TASK = 500_000
# Parquet bytes a written trip takes (about 50 at 3M rows, with this job's write options), for
# estimating existing trips from file sizes; rounded down so the estimate errs towards more.
PARQUET_BYTES_PER_TRIP = 48
# Below this many rows a task costs more to start (and to open a Parquet writer per date) than it
# saves: a small batch over many dates is a few tasks, not two per date.
MIN_ROWS_PER_TASK = 50_000


@dataclass(frozen=True)
class MergeResult:
    rows_written: int
    duplicates_dropped: int
    rows_replaced: int


@dataclass(frozen=True)
class ExistingTrips:
    frame: DataFrame
    # Estimated from file sizes, per pickup date (string), without a scan.
    rows_by_date: dict[str, int]


def existing_trips(
    spark: SparkSession, storage: Storage, output_root: str, dates: Sequence[str]
) -> ExistingTrips | None:
    """Already-written trips of the given pickup dates (partition-pruned) and an estimate of
    their number per date, or None if none exist. One recursive listing of the trips folder
    (pages of 1,000 keys on S3) serves every date, however many the batch touches."""
    trips_root = join_path(output_root, TRIPS_DIR)
    sizes: dict[str, int] = {}
    for file in storage.list_files(trips_root):
        folder = file.uri.rsplit("/", 2)[-2]
        sizes[folder] = sizes.get(folder, 0) + file.size
    wanted = [d for d in dates if partition_name(d) in sizes]
    if not wanted:
        return None
    frame = (
        spark.read.schema(TRIPS_SCHEMA)
        .parquet(trips_root)
        .where(sf.col(PARTITION_COLUMN.name).cast("string").isin(wanted))
    )
    rows = {d: sizes[partition_name(d)] // PARQUET_BYTES_PER_TRIP for d in wanted}
    return ExistingTrips(frame, rows)


@dataclass(frozen=True)
class ValidBatch:
    """The batch's valid trips (TRIPS_SCHEMA), the pickup dates they touch and about how many
    there are (from the staging counts: sizes the shuffle without a scan)."""

    trips: DataFrame
    dates: Sequence[str]
    rows: int


@dataclass(frozen=True)
class MergeOptions:
    output_root: str
    run_id: str
    dedupe_keys: Sequence[str]


def merge_batch(
    spark: SparkSession, storage: Storage, batch: ValidBatch, options: MergeOptions
) -> MergeResult:
    """Merge the batch's valid trips into their dates and stage trips and hourly metrics of
    those dates under the run's staging folder. Returns the batch's counts, gathered while the
    trips are written (one pass, no cache)."""
    output_root, dedupe_keys, dates = options.output_root, options.dedupe_keys, batch.dates
    staged = staging_root(output_root, options.run_id)
    trips = require_columns(batch.trips, *TRIPS_SCHEMA.names)
    combined = trips.select(*TRIPS_SCHEMA.names).withColumn(ORIGIN_COLUMN, sf.lit(_BATCH))
    existing = existing_trips(spark, storage, output_root, dates)
    # The shuffle holds the existing trips of those dates as well as the batch. The batch's rows
    # per date are not known here, so each date is taken to get an even share of them.
    rows, largest_date = batch.rows, math.ceil(batch.rows / max(len(dates), 1))
    if existing is not None:
        combined = existing.frame.withColumn(ORIGIN_COLUMN, sf.lit(_EXISTING)).unionByName(combined)
        rows += sum(existing.rows_by_date.values())
        largest_date += max(existing.rows_by_date.values())

    clustered, cluster_columns = cluster_by_date(
        combined, dedupe_keys, len(dates), rows, largest_date
    )
    ranked = rank_duplicates(
        clustered, dedupe_keys, tiebreakers=[ORIGIN_COLUMN], cluster_columns=cluster_columns
    )
    observation = Observation("merge")
    kept = sf.col(RANK_COLUMN) == 1
    is_batch = sf.col(ORIGIN_COLUMN) == _BATCH
    (
        ranked.observe(
            observation,
            sf.count_if(is_batch & kept).alias("written"),
            sf.count_if(is_batch & ~kept).alias("dropped"),
            sf.count_if(~is_batch & ~kept).alias("replaced"),
        )
        .where(kept)
        .select(*TRIPS_SCHEMA.names)
        .write.options(**TRIPS_WRITE_OPTIONS)
        .partitionBy(PARTITION_COLUMN.name)
        .parquet(join_path(staged, TRIPS_DIR))
    )
    counts = observation.get

    # Metrics come from the staged trips: complete for every touched date, without re-running
    # the merge. The aggregate is tiny, so adaptive execution folds it into one task per write.
    staged_trips = spark.read.schema(TRIPS_SCHEMA).parquet(join_path(staged, TRIPS_DIR))
    hourly_metrics(staged_trips).write.partitionBy(PARTITION_COLUMN.name).parquet(
        join_path(staged, METRICS_DIR)
    )
    return MergeResult(
        rows_written=int(counts["written"]),
        duplicates_dropped=int(counts["dropped"]),
        rows_replaced=int(counts["replaced"]),
    )


def cluster_by_date(
    trips: DataFrame, keys: Sequence[str], dates: int, rows: int, largest_date: int
) -> tuple[DataFrame, list[str]]:
    """Shuffle the trips once so that each task holds whole dedupe groups of one or a few dates.

    The dedupe window then needs no other exchange and each task writes few files (about one per
    date instead of one per date per task). A date bigger than TARGET_ROWS_PER_TASK is split by a
    bucket of its keys; the bucket is a function of the keys, so groups never straddle tasks.
    `rows` is the shuffle's size (batch plus existing trips) and `largest_date` the rows of its
    biggest date, which sets the bucket count; `dedupe_tasks` sets the task count.
    Returns the frame and the extra column the dedupe window must partition by.
    """
    buckets = max(1, math.ceil(largest_date / TARGET_ROWS_PER_TASK))
    bucket = sf.pmod(sf.xxhash64(*keys), sf.lit(buckets)).alias(BUCKET_COLUMN)
    clustered = trips.withColumn(BUCKET_COLUMN, bucket).repartition(
        dedupe_tasks(dates, buckets, rows), PARTITION_COLUMN.name, BUCKET_COLUMN
    )
    return clustered, [BUCKET_COLUMN]


def dedupe_tasks(dates: int, buckets: int, rows: int) -> int:
    """Tasks of the merge's shuffle: two per (date, bucket) pair, which keeps hash collisions
    from stacking big dates in one task; fewer when that would leave a task under
    MIN_ROWS_PER_TASK rows; never under two (both cores of a small worker). Fewer tasks than
    pairs still gives each date one file: a pair never spans tasks."""
    by_pairs = 2 * max(dates, 1) * buckets
    by_rows = math.ceil(rows / MIN_ROWS_PER_TASK)
    return max(2, min(by_pairs, by_rows))
