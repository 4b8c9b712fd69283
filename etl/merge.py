"""Incremental merge of a batch into the curated trips, staged and then swapped in by partition.

Only the pickup dates a batch touches are rebuilt: their existing trips are read back, merged with
the batch's valid rows, deduplicated, written to `_staging/<run_id>/` and then swapped into place
folder by folder. Nothing is ever read and overwritten at the same path lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf

from etl.contract import PARTITION_COLUMN
from etl.dedupe import RANK_COLUMN, rank_duplicates
from etl.metrics import hourly_metrics
from etl.schema import TRIPS_SCHEMA
from etl.storage import Storage, join_path

TRIPS_DIR = "trips"
METRICS_DIR = "hourly_metrics"
QUARANTINE_DIR = "quarantine"
STATE_DIR = "_state"
STAGING_DIR = "_staging"
# Already-written trips sort before batch rows with identical content, so re-running a batch
# keeps what is there and counts the batch's copies as duplicates.
ORIGIN_COLUMN = "_origin"
_EXISTING, _BATCH = 0, 1


@dataclass(frozen=True)
class MergeResult:
    rows_written: int
    duplicates_dropped: int
    rows_replaced: int


def staging_root(output_root: str, run_id: str) -> str:
    """Folder where a run writes everything before it is swapped in."""
    return join_path(output_root, STAGING_DIR, run_id)


def partition_name(value: str) -> str:
    """Folder name of one date partition, e.g. `pickup_date=2024-01-15`."""
    return f"{PARTITION_COLUMN.name}={value}"


def existing_trips(
    spark: SparkSession, storage: Storage, output_root: str, dates: Sequence[str]
) -> DataFrame | None:
    """Already-written trips of the given pickup dates (partition-pruned), or None if none exist."""
    trips_root = join_path(output_root, TRIPS_DIR)
    present = set(storage.list_dirs(trips_root))
    wanted = [d for d in dates if partition_name(d) in present]
    if not wanted:
        return None
    return (
        spark.read.schema(TRIPS_SCHEMA)
        .parquet(trips_root)
        .where(sf.col(PARTITION_COLUMN.name).cast("string").isin(wanted))
    )


def merge_batch(
    spark: SparkSession,
    storage: Storage,
    batch: DataFrame,
    dates: Sequence[str],
    output_root: str,
    run_id: str,
    dedupe_keys: Sequence[str],
) -> MergeResult:
    """Merge the batch's valid trips (TRIPS_SCHEMA) into the given dates and stage trips and
    hourly metrics for those dates under the run's staging folder. Returns the batch's counts."""
    staged = staging_root(output_root, run_id)
    combined = batch.select(*TRIPS_SCHEMA.names).withColumn(ORIGIN_COLUMN, sf.lit(_BATCH))
    existing = existing_trips(spark, storage, output_root, dates)
    if existing is not None:
        combined = existing.withColumn(ORIGIN_COLUMN, sf.lit(_EXISTING)).unionByName(combined)

    ranked = rank_duplicates(combined, dedupe_keys, tiebreakers=[ORIGIN_COLUMN]).persist()
    try:
        counts = {
            (row[ORIGIN_COLUMN], row["kept"]): row["count"]
            for row in ranked.groupBy(ORIGIN_COLUMN, (sf.col(RANK_COLUMN) == 1).alias("kept"))
            .count()
            .collect()
        }
        (
            ranked.where(sf.col(RANK_COLUMN) == 1)
            .select(*TRIPS_SCHEMA.names)
            .write.partitionBy(PARTITION_COLUMN.name)
            .parquet(join_path(staged, TRIPS_DIR))
        )
    finally:
        ranked.unpersist()

    # Metrics come from the staged trips: complete for every touched date, without re-running
    # the merge.
    staged_trips = spark.read.schema(TRIPS_SCHEMA).parquet(join_path(staged, TRIPS_DIR))
    hourly_metrics(staged_trips).write.partitionBy(PARTITION_COLUMN.name).parquet(
        join_path(staged, METRICS_DIR)
    )
    return MergeResult(
        rows_written=counts.get((_BATCH, True), 0),
        duplicates_dropped=counts.get((_BATCH, False), 0),
        rows_replaced=counts.get((_EXISTING, False), 0),
    )


def stage_quarantine(quarantine: DataFrame, output_root: str, run_id: str) -> None:
    """Stage quarantined rows; `run_id` becomes the partition folder so each run's rows stay apart."""
    quarantine.write.partitionBy("run_id").parquet(
        join_path(staging_root(output_root, run_id), QUARANTINE_DIR)
    )


def publish(storage: Storage, output_root: str, run_id: str) -> list[str]:
    """Swap staged partitions into place (trips, then hourly_metrics, then quarantine) and drop
    the staging folder. Returns the trips partitions written."""
    staged = staging_root(output_root, run_id)
    replaced = join_path(staged, "_replaced")
    written: list[str] = []
    for table in (TRIPS_DIR, METRICS_DIR, QUARANTINE_DIR):
        for name in storage.list_dirs(join_path(staged, table)):
            target = join_path(output_root, table, name)
            if storage.exists(target):
                storage.rename(target, join_path(replaced, table, name))
            storage.rename(join_path(staged, table, name), target)
            if table == TRIPS_DIR:
                written.append(name.split("=", 1)[1])
    storage.delete(staged)
    if not storage.list_dirs(join_path(output_root, STAGING_DIR)):
        storage.delete(join_path(output_root, STAGING_DIR))
    return written


def reset_outputs(storage: Storage, output_root: str) -> None:
    """Remove curated outputs, state and staging for a full refresh (reports are kept as history)."""
    for folder in (TRIPS_DIR, METRICS_DIR, QUARANTINE_DIR, STATE_DIR, STAGING_DIR):
        storage.delete(join_path(output_root, folder))
