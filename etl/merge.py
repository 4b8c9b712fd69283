"""The batch's one pass: checked rows deduplicated and staged per date, for `etl.publish`.

The pass parses and checks every line, dedupes the valid rows per date and writes them to
`_staging/<run_id>/trips/`, with the batch's rejected rows beside them (`etl.reject_folder`),
counting the batch on the way: the input is read once, and its dates need no count first. Dates
that already hold trips are then appended to or merged with them (`etl.loaded_dates`);
quarantine and hourly metrics are built from what was staged, and `etl.publish` moves it into
place. Nothing is ever read and overwritten at the same path lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as sf

from etl.clustering import ShuffleSize, cluster_by_date
from etl.columns import REJECT_REASON, SOURCE_FILE, require_columns
from etl.contract import PARTITION_COLUMN
from etl.dedupe import RANK_COLUMN, rank_duplicates
from etl.loaded_dates import Superseded, Target, merge_into_loaded
from etl.paths import TRIPS_DIR, partition_name, partition_values, staging_root
from etl.read import relative_to_root
from etl.reject_folder import packed_source
from etl.schema import TRIPS_SCHEMA, TRIPS_WRITE_OPTIONS
from etl.storage import Storage, join_path
from etl.superseded import superseded_trips

_ROWS = "rows_read"
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
    # Pickup dates holding a valid row of the batch: the dates the run writes.
    dates: list[str]
    # Those of `dates` whose staged trips are added to the written ones (`etl.loaded_dates`).
    appended: list[str] = field(default_factory=list)
    # Dates whose every trip was a superseded file's (`etl.superseded`): cleared on publish.
    emptied: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MergeOptions:
    input_root: str
    output_root: str
    run_id: str
    dedupe_keys: Sequence[str]
    # Rows the batch is estimated to hold, from its files' sizes (`etl.clustering.estimated_rows`):
    # sizes the shuffle, since the batch is not counted first.
    estimated_rows: int
    # Paths of the batch's files that earlier runs recorded, read again now: their earlier
    # trips give way to the new ones (`etl.superseded`).
    superseded: tuple[str, ...] = ()
    # Every file is small enough to send all its rejected rows to one task of the shuffle
    # (`etl.clustering.rejects_by_file`), so that quarantine needs no shuffle of its own.
    rejects_by_file: bool = False


def stage_batch(
    spark: SparkSession, storage: Storage, checked: DataFrame, options: MergeOptions
) -> MergeResult:
    """Dedupe the batch's valid rows and stage them per date, with the batch's rejected rows,
    under the run's staging folder. `checked` is the batch as `etl.batch_read.parse_files`
    gives it. Returns the batch's counts."""
    size = ShuffleSize(
        options.estimated_rows,
        largest_date=None,
        dates=None,
        cores=spark.sparkContext.defaultParallelism,
    )
    return _write_batch(storage, checked, options, size, staged_trips(options))


def merge_with_written(
    spark: SparkSession, storage: Storage, batch: MergeResult, options: MergeOptions
) -> MergeResult:
    """Append the staged batch to, or merge it with, the trips already written on its dates
    (`etl.loaded_dates`), dropping the earlier trips of `options.superseded` files wherever
    they are. Returns the batch's counts with what the merge changed: a superseded trip counts
    as replaced, and its dates are written too (or cleared, when no trip is left on them)."""
    trips = join_path(options.output_root, TRIPS_DIR)
    written = set(storage.list_dirs(trips))
    loaded = [d for d in batch.dates if partition_name(d) in written]
    earlier = superseded_trips(spark, trips, options.superseded) if written else {}
    if not loaded and not earlier:
        return batch
    staging = staging_root(options.output_root, options.run_id)
    target = Target(staging, options.output_root, options.dedupe_keys)
    superseded = Superseded(options.superseded, tuple(sorted(earlier)))
    merged = merge_into_loaded(
        spark, storage, target, loaded, batch_trips=batch.rows_written, superseded=superseded
    )
    return replace(
        batch,
        rows_written=batch.rows_written - merged.dropped,
        duplicates_dropped=batch.duplicates_dropped + merged.dropped,
        rows_replaced=merged.replaced + sum(earlier.values()),
        dates=sorted(set(batch.dates) | (set(earlier) - set(merged.emptied))),
        appended=merged.appended,
        emptied=merged.emptied,
    )


def staged_trips(options: MergeOptions) -> str:
    """The run's staged trips folder."""
    return join_path(staging_root(options.output_root, options.run_id), TRIPS_DIR)


def written_dates(storage: Storage, trips: str) -> list[str]:
    """The dates a write of trips partitioned by date left folders for under `trips`, sorted.

    Every date that holds a valid row of the batch keeps at least one trip (the first of each
    group), so these are exactly the batch's dates. Read from the listing rather than collected
    while writing: a set of dates gathered row by row (`collect_set` in the pass's `observe`)
    cost 0.5-0.7 s of a 3M-row full refresh, where a listing is one request."""
    return partition_values(storage.list_dirs(trips))


def shuffled_batch(
    checked: DataFrame,
    input_root: str,
    keys: Sequence[str],
    size: ShuffleSize,
    rejects_by_file: bool = False,
) -> tuple[DataFrame, list[str]]:
    """The batch's checked rows with their files named as state names them (the path under
    `input_root`), through the merge's one shuffle (`etl.clustering.cluster_by_date`, which
    sends each file's rejected rows to one task when `rejects_by_file`).

    Named before the shuffle, in the pass's last projection, which builds every row anyway:
    after it, the name would take a projection of its own that copies each row once more
    before the dedupe's sort (about 5% of that stage's time, for the same string work)."""
    named = checked.withColumn(SOURCE_FILE, relative_to_root(sf.col(SOURCE_FILE), input_root))
    return cluster_by_date(named, keys, size, by_file=rejects_by_file)


def _write_batch(
    storage: Storage, checked: DataFrame, options: MergeOptions, size: ShuffleSize, path: str
) -> MergeResult:
    """Dedupe the batch's valid rows per date and write them and the rejected rows to `path`,
    counting the batch's rows on the way (one pass, no cache)."""
    require_columns(checked, REJECT_REASON, *TRIPS_SCHEMA.names)
    keys = options.dedupe_keys
    clustered, cluster_columns = shuffled_batch(
        checked, options.input_root, keys, size, options.rejects_by_file
    )
    ranked = rank_duplicates(clustered, keys, cluster_columns=cluster_columns)
    observation = Observation("merge")
    rejected = sf.col(REJECT_REASON).isNotNull()
    kept = sf.col(RANK_COLUMN) == 1
    trip = ~rejected
    (
        ranked.observe(
            observation,
            sf.count(sf.lit(1)).alias(_ROWS),
            # Per reason, quarantine counts them: a few rows there, not one test per reason here.
            sf.count_if(rejected).alias(_REJECTED),
            sf.count_if(trip & kept).alias("written"),
            sf.count_if(trip & ~kept).alias("dropped"),
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
        rows_replaced=0,
        dates=written_dates(storage, path),
    )
