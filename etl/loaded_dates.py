"""A batch's trips on dates already loaded: added beside the trips there, or merged with them.

The batch's one pass (`etl.merge`) dedupes the batch on its own and stages its trips per date.
A date that already holds trips then needs one of two things:

- **Append.** No staged trip shares its dedupe keys with a trip already written on its date,
  so nothing written can lose to the batch or beat it: the staged files are moved beside the
  date's files (`APPENDED_TRIPS_DIR`, see `etl.publish`) and the written trips are not rewritten.
  This is how late trips usually arrive, and it costs a read of the written trips' keys, not a
  rewrite of every trip of every date the batch touches.
- **Rewrite.** Some staged trip shares its keys with a written one (a file loaded again, a
  corrected trip), the date holds trips of an earlier version of a batch file (which are left
  out, `etl.superseded`), or the date has gathered `MAX_FILES_PER_DATE` files from earlier
  appends: the staged and written trips of the date are deduped together and the date's folder
  is replaced.
  The winner is the one a full refresh keeps (`etl.dedupe`), so either way the trips equal a
  full refresh's.

Keys are compared by a 64-bit hash of them: a collision of two different keys only makes a date
rewritten that could have been appended, never the reverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as sf

from etl.clustering import PARQUET_BYTES_PER_TRIP, ShuffleSize, cluster_by_date
from etl.columns import RAW_LINE, REJECT_REASON, SOURCE_FILE
from etl.contract import PARTITION_COLUMN
from etl.dedupe import RANK_COLUMN, rank_duplicates
from etl.paths import APPENDED_TRIPS_DIR, TRIPS_DIR, partition_name
from etl.schema import TRIPS_SCHEMA, TRIPS_WRITE_OPTIONS
from etl.storage import Storage, join_path

# Appends add about one file per date and run; past this many files a date is rewritten, which
# leaves it one file per bucket again, so daily late batches never pile up small files.
MAX_FILES_PER_DATE = 16
# Batches up to this many trips send their key hashes to every task (about 30 bytes a trip);
# bigger ones are joined by a shuffle.
BROADCAST_TRIPS = 2_000_000
# Staged (batch) trips sort after written ones with identical content, so loading a file again
# keeps what is there and counts the batch's copies as duplicates.
ORIGIN_COLUMN = "_origin"
EXISTING, BATCH = 0, 1
_KEY_HASH = "_key_hash"
_DATE = PARTITION_COLUMN.name


@dataclass(frozen=True)
class Folder:
    """One date's folder of trips: its bytes and file count."""

    bytes: int = 0
    files: int = 0

    @property
    def trips(self) -> int:
        return self.bytes // PARQUET_BYTES_PER_TRIP


@dataclass(frozen=True)
class LoadedMerge:
    """What merging into loaded dates changed: rows of the batch that lost to written trips,
    written trips that lost to the batch, the dates appended (the others were rewritten), and
    the dates left with no trip (all were a superseded file's, `etl.superseded`)."""

    dropped: int
    replaced: int
    appended: list[str]
    emptied: list[str] = field(default_factory=list)


def folders(storage: Storage, path: str) -> dict[str, Folder]:
    """Bytes and files per partition folder (`pickup_date=...`) under `path`, from one recursive
    listing (pages of 1,000 keys on S3), however many dates there are."""
    found: dict[str, Folder] = {}
    for file in storage.list_files(path):
        name = file.uri.rsplit("/", 2)[-2]
        folder = found.get(name, Folder())
        found[name] = Folder(folder.bytes + file.size, folder.files + 1)
    return found


def _folder(found: dict[str, Folder], date: str) -> Folder:
    # A date's folder can be listed with no file in it (an empty folder left by hand).
    return found.get(partition_name(date), Folder())


def trips_on(spark: SparkSession, folder: str, dates: Sequence[str]) -> DataFrame:
    """The trips of the given pickup dates in a trips folder (partition-pruned)."""
    return (
        spark.read.schema(TRIPS_SCHEMA)
        .parquet(folder)
        .where(sf.col(_DATE).cast("string").isin(list(dates)))
    )


@dataclass(frozen=True)
class Target:
    """Where the merge reads and writes: the run's staging folder, the output root whose trips
    it merges into, and the dedupe keys."""

    staging: str
    output_root: str
    keys: Sequence[str]

    @property
    def staged(self) -> str:
        """The run's staged trips folder."""
        return join_path(self.staging, TRIPS_DIR)

    @property
    def written(self) -> str:
        return join_path(self.output_root, TRIPS_DIR)


@dataclass(frozen=True)
class Superseded:
    """Trips of earlier versions of the batch's files (`etl.superseded`): the files' paths and
    the dates that hold their trips."""

    paths: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()


def merge_into_loaded(
    spark: SparkSession,
    storage: Storage,
    target: Target,
    dates: Sequence[str],
    batch_trips: int,
    superseded: Superseded | None = None,
) -> LoadedMerge:
    """Append or rewrite each of `dates` (the batch's dates that hold written trips), whose
    batch trips are staged in `target.staged`. `batch_trips` is how many trips the batch staged
    in all. The dates of `superseded` trips are rewritten without them, whether the batch has
    trips there or not."""
    superseded = superseded or Superseded()
    written = folders(storage, target.written)
    crowded = {d for d in dates if _folder(written, d).files >= MAX_FILES_PER_DATE}
    checked = [d for d in dates if d not in crowded and d not in superseded.dates]
    sharing = dates_sharing_keys(spark, target, checked, batch_trips)
    rewrite = sorted(crowded | sharing | set(superseded.dates))
    appended = [d for d in dates if d not in rewrite]
    dropped = replaced = 0
    emptied: list[str] = []
    if rewrite:
        dropped, replaced, emptied = _rewrite(
            spark, storage, target, rewrite, written, superseded.paths
        )
    for date in appended:
        name = partition_name(date)
        storage.rename(
            join_path(target.staged, name), join_path(target.staging, APPENDED_TRIPS_DIR, name)
        )
    return LoadedMerge(dropped=dropped, replaced=replaced, appended=appended, emptied=emptied)


def dates_sharing_keys(
    spark: SparkSession, target: Target, dates: Sequence[str], batch_trips: int
) -> set[str]:
    """Dates where a staged trip may share its dedupe keys with a written one: a read of the
    written trips' key columns and a join on (date, hash of the keys). The window that dedupes
    groups nulls together, and so does the hash (which also hashes -0.0 as 0.0)."""
    if not dates:
        return set()

    def hashed(trips: DataFrame) -> DataFrame:
        return trips.select(_DATE, sf.xxhash64(*target.keys).alias(_KEY_HASH))

    batch = hashed(trips_on(spark, target.staged, dates))
    if batch_trips <= BROADCAST_TRIPS:
        batch = sf.broadcast(batch)
    found = (
        hashed(trips_on(spark, target.written, dates))
        .join(batch, [_DATE, _KEY_HASH], "left_semi")
        .select(sf.col(_DATE).cast("string").alias(_DATE))
        .distinct()
        .collect()
    )
    return {row[_DATE] for row in found}


def _rewrite(
    spark: SparkSession,
    storage: Storage,
    target: Target,
    dates: Sequence[str],
    written: dict[str, Folder],
    superseded: Sequence[str] = (),
) -> tuple[int, int, list[str]]:
    """Dedupe the staged and written trips of `dates` together, less the written trips of the
    `superseded` files, and stage the result in place of the dates' staged folders. Returns
    (batch trips dropped, written trips replaced, dates left with no trip)."""
    staged = target.staged
    batch_folders = folders(storage, staged)
    per_date = {d: _folder(batch_folders, d).trips + _folder(written, d).trips for d in dates}
    size = ShuffleSize(
        rows=sum(per_date.values()),
        largest_date=max(per_date.values()),
        dates=len(dates),
        cores=spark.sparkContext.defaultParallelism,
    )
    combined = trips_on(spark, target.written, dates)
    if superseded:
        combined = combined.where(~sf.col(SOURCE_FILE).isin(list(superseded)))
    combined = combined.withColumn(ORIGIN_COLUMN, sf.lit(EXISTING))
    # A batch with no row at all (a superseded file's new version is empty) staged nothing.
    if storage.exists(staged):
        batch = trips_on(spark, staged, dates).withColumn(ORIGIN_COLUMN, sf.lit(BATCH))
        combined = batch.unionByName(combined)
    # Trips only: nothing for the shuffle to set apart as rejected.
    combined = combined.withColumns(
        {REJECT_REASON: sf.lit(None).cast("string"), RAW_LINE: sf.lit(None).cast("string")}
    )
    clustered, cluster_columns = cluster_by_date(combined, target.keys, size)
    ranked = rank_duplicates(
        clustered, target.keys, tiebreakers=[ORIGIN_COLUMN], cluster_columns=cluster_columns
    )
    is_batch = sf.col(ORIGIN_COLUMN) == BATCH
    lost = sf.col(RANK_COLUMN) > 1
    observation = Observation("rewrite")
    merged = join_path(target.staging, "_rewritten")
    (
        ranked.observe(
            observation,
            sf.count_if(is_batch & lost).alias("dropped"),
            sf.count_if(~is_batch & lost).alias("replaced"),
        )
        .where(~lost)
        .select(*TRIPS_SCHEMA.names)
        .write.options(**TRIPS_WRITE_OPTIONS)
        .partitionBy(_DATE)
        .parquet(merged)
    )
    counts = observation.get
    emptied = []
    for date in dates:
        name = partition_name(date)
        storage.delete(join_path(staged, name))
        if storage.exists(join_path(merged, name)):
            storage.rename(join_path(merged, name), join_path(staged, name))
        else:
            emptied.append(date)
    storage.delete(merged)
    return int(counts["dropped"]), int(counts["replaced"]), emptied
