"""The batch's one pass: checked rows merged into the curated trips, staged for `etl.publish`.

Only the pickup dates a batch touches are rebuilt: their existing trips are read back, merged with
the batch's valid rows, deduplicated and written to `_staging/<run_id>/`, with the batch's
rejected rows beside them (`etl.reject_folder`); quarantine and hourly metrics are then built
from what was staged, and `etl.publish` swaps it into place folder by folder. Nothing is ever
read and overwritten at the same path lazily.

The input is read once, by the write of the staged trips, and counted on the way. Dates are
counted first (a pass over the pickup column alone) only when there are trips already written
that the batch may have to merge into.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as sf

from etl.clustering import PARQUET_BYTES_PER_TRIP, ShuffleSize, cluster_by_date
from etl.columns import REJECT_REASON, SOURCE_FILE, require_columns
from etl.contract import PARTITION_COLUMN
from etl.dedupe import RANK_COLUMN, rank_duplicates
from etl.paths import TRIPS_DIR, partition_name, staging_root
from etl.read import relative_to_root
from etl.reject_folder import packed_source
from etl.schema import TRIPS_SCHEMA
from etl.storage import Storage, join_path

# Already-written trips sort before batch rows with identical content, so re-running a batch
# keeps what is there and counts the batch's copies as duplicates.
ORIGIN_COLUMN = "_origin"
_EXISTING, _BATCH = 0, 1
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
_ROWS = "rows_read"
_DATES = "dates"
_REJECTED = "rejected"


@dataclass(frozen=True)
class MergeResult:
    """The batch's counts, gathered while its trips are written."""

    rows_read: int
    # Written to the rejected rows' folder (`etl.reject_folder`), for quarantine.
    rows_rejected: int
    rows_written: int
    duplicates_dropped: int
    rows_replaced: int
    # Pickup dates holding a valid row of the batch: the dates the run writes. A date read back
    # only for a rejected row's pickup time is staged unchanged and left out of the publish.
    dates: list[str]


@dataclass(frozen=True)
class MergeOptions:
    input_root: str
    output_root: str
    run_id: str
    dedupe_keys: Sequence[str]
    # Rows the batch is estimated to hold, from its files' sizes (`etl.clustering.estimated_rows`):
    # sizes the shuffle when there is nothing to merge into and the batch is not counted first.
    estimated_rows: int


def trips_sizes(storage: Storage, output_root: str) -> dict[str, int]:
    """Bytes of written trips per partition folder (`pickup_date=...`), from one recursive
    listing of the trips folder (pages of 1,000 keys on S3), however many dates there are."""
    sizes: dict[str, int] = {}
    for file in storage.list_files(join_path(output_root, TRIPS_DIR)):
        folder = file.uri.rsplit("/", 2)[-2]
        sizes[folder] = sizes.get(folder, 0) + file.size
    return sizes


def batch_dates(checked: DataFrame) -> dict[str, int]:
    """Rows per pickup date of a batch: a pass over its pickup column alone (Spark prunes the
    other columns' parsing and checks), so it counts rejected rows with a readable pickup time
    too. Those dates can only make the merge rebuild a date with nothing new, never miss one."""
    date = PARTITION_COLUMN.name
    counts = checked.where(sf.col(date).isNotNull()).groupBy(date).count().collect()
    return {str(row[date]): int(row["count"]) for row in counts}


def merge_batch(
    spark: SparkSession, storage: Storage, checked: DataFrame, options: MergeOptions
) -> MergeResult:
    """Merge the batch's valid rows into their dates and stage the trips of those dates, with the
    batch's rejected rows, under the run's staging folder. `checked` is the batch as
    `etl.batch_read.parse_files` gives it. Returns the batch's counts."""
    sizes = trips_sizes(storage, options.output_root)
    batch = checked.withColumn(ORIGIN_COLUMN, sf.lit(_BATCH))
    cores = spark.sparkContext.defaultParallelism
    size = ShuffleSize(options.estimated_rows, largest_date=None, dates=None, cores=cores)
    if sizes:
        # Trips are written already: the batch's dates pick the ones it merges into.
        by_date = batch_dates(checked)
        existing = {
            d: sizes[partition_name(d)] // PARQUET_BYTES_PER_TRIP
            for d in by_date
            if partition_name(d) in sizes
        }
        size = ShuffleSize(
            rows=sum(by_date.values()) + sum(existing.values()),
            largest_date=max((by_date[d] + existing.get(d, 0) for d in by_date), default=0),
            dates=len(by_date),
            cores=cores,
        )
        if existing:
            batch = batch.unionByName(
                _existing_trips(spark, options.output_root, list(existing)),
                allowMissingColumns=True,
            )
    staged = join_path(staging_root(options.output_root, options.run_id), TRIPS_DIR)
    return _write_merged(batch, options, size, staged)


def _existing_trips(spark: SparkSession, output_root: str, dates: list[str]) -> DataFrame:
    """Already-written trips of the given pickup dates (partition-pruned)."""
    return (
        spark.read.schema(TRIPS_SCHEMA)
        .parquet(join_path(output_root, TRIPS_DIR))
        .where(sf.col(PARTITION_COLUMN.name).cast("string").isin(dates))
        .withColumn(ORIGIN_COLUMN, sf.lit(_EXISTING))
    )


def _write_merged(
    combined: DataFrame, options: MergeOptions, size: ShuffleSize, path: str
) -> MergeResult:
    """Dedupe `combined` (batch and existing rows) per date and write the kept trips and the
    batch's rejected rows to `path`, counting the batch's rows on the way (one pass, no cache)."""
    require_columns(combined, ORIGIN_COLUMN, REJECT_REASON, *TRIPS_SCHEMA.names)
    keys = options.dedupe_keys
    clustered, cluster_columns = cluster_by_date(combined, keys, size)
    is_batch = sf.col(ORIGIN_COLUMN) == _BATCH
    # After the shuffle, outside the parsing pass's generated code (at the JIT's size limit):
    # files named as state names them.
    source = sf.when(is_batch, relative_to_root(sf.col(SOURCE_FILE), options.input_root)).otherwise(
        sf.col(SOURCE_FILE)
    )
    ranked = rank_duplicates(
        clustered.withColumn(SOURCE_FILE, source),
        keys,
        tiebreakers=[ORIGIN_COLUMN],
        cluster_columns=cluster_columns,
    )
    observation = Observation("merge")
    rejected = sf.col(REJECT_REASON).isNotNull()
    kept = sf.col(RANK_COLUMN) == 1
    trip = ~rejected
    date = sf.col(PARTITION_COLUMN.name)
    (
        ranked.observe(
            observation,
            sf.count_if(is_batch).alias(_ROWS),
            # Per reason, quarantine counts them: a few rows there, not one test per reason here.
            sf.count_if(rejected).alias(_REJECTED),
            sf.count_if(is_batch & trip & kept).alias("written"),
            sf.count_if(is_batch & trip & ~kept).alias("dropped"),
            sf.count_if(~is_batch & ~kept).alias("replaced"),
            # Cast to strings once, at the end: a per-row cast would format millions of dates to
            # collect a few dozen. A string, not an array: Observation hands complex values back
            # as JVM objects.
            sf.array_join(
                sf.array_sort(sf.collect_set(sf.when(is_batch & trip, date))).cast("array<string>"),
                ",",
            ).alias(_DATES),
        )
        .where(rejected | kept)
        .withColumn(SOURCE_FILE, packed_source(rejected))
        .select(*TRIPS_SCHEMA.names)
        .write.options(**TRIPS_WRITE_OPTIONS)
        .partitionBy(PARTITION_COLUMN.name)
        .parquet(path)
    )
    counts = observation.get
    return MergeResult(
        rows_read=int(counts[_ROWS]),
        rows_rejected=int(counts[_REJECTED]),
        rows_written=int(counts["written"]),
        duplicates_dropped=int(counts["dropped"]),
        rows_replaced=int(counts["replaced"]),
        dates=[d for d in (counts[_DATES] or "").split(",") if d],
    )
