"""The core both entrypoints run: input files in, curated outputs and a run report out."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import reduce

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as sf

from etl.batch_read import is_parquet, run_isolated
from etl.checkpoints import STAGED, checkpoint
from etl.clustering import estimated_rows, rejects_by_file
from etl.columns import REJECT_REASON
from etl.contract import PARTITION_COLUMN
from etl.loaded_dates import trips_on
from etl.merge import MergeOptions, MergeResult, merge_with_written, stage_batch
from etl.metrics import hourly_metrics, spread_by_date
from etl.paths import APPENDED_TRIPS_DIR, METRICS_DIR, TRIPS_DIR, staging_root
from etl.publish import stage_quarantine, staged_dates
from etl.quarantine import REASON_CODES, quarantine_shape
from etl.reject_folder import REJECTED_FOLDER, read_rejected
from etl.report import RunReport, utc_now
from etl.schema import TRIPS_SCHEMA
from etl.state import InputFile
from etl.storage import Storage, join_path

# Session settings the job relies on: no ANSI exceptions on bad input (the casts return null and
# are checked instead), the Spark 3 datetime parser (no legacy fallbacks or upgrade errors), UTC so
# naive timestamps are stored as written, and no whole-stage code generation for methods the JVM
# would refuse to JIT-compile (HotSpot skips methods over 8000 bytes of bytecode; the parsing
# pass of a layout with a column no TLC name maps to is that big, and running it interpreted was
# 2-3x slower than Spark's fallback; other layouts split it, see tests/etl/test_pass_codegen.py).
SESSION_SETTINGS = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.codegen.hugeMethodLimit": "8000",
    # Input splits of 32 MB: a few hundred MB of CSV become a dozen tasks, which keeps both cores
    # busy to the end instead of leaving one idle behind a last 128 MB split.
    "spark.sql.files.maxPartitionBytes": str(32 * 1024 * 1024),
    # 64-bit timestamps instead of the deprecated INT96 (a 12-byte binary per value): cheaper to
    # write, and read back as the same values by Spark, Athena and Glue.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # Parquet input with nanosecond timestamps (pandas' default) is read as int64 and converted
    # in etl.parquet_input; without this Spark 3.5 refuses the file.
    "spark.sql.legacy.parquet.nanosAsLong": "true",
    # Times before 1900 (placeholders such as Excel's day zero, 1899-12-30, or 0001-01-01) are
    # proleptic Gregorian, as every writer of this data means them. Spark's default refuses to
    # read them from Parquet (INT96) or write them without being told, failing the whole run.
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInWrite": "CORRECTED",
    # Column names are matched exactly: a Parquet file may hold two names that differ only in
    # case (`airport_fee` and `Airport_fee`, files joined across the TLC's renaming), which a
    # case-insensitive reader refuses. The job names every column itself, exactly.
    "spark.sql.caseSensitive": "true",
}


@dataclass(frozen=True)
class RunOptions:
    input_root: str
    output_root: str
    run_id: str
    mode: str
    dedupe_keys: tuple[str, ...]
    # Paths of the batch's files that earlier runs recorded (loaded or failed): read again
    # because they changed, or to retry them.
    reloaded: tuple[str, ...] = ()


@dataclass(frozen=True)
class StagedRun:
    """A run's outputs, staged: its report, and the input files it read (paths under the input
    root; not those that failed), whose quarantine the publish replaces."""

    report: RunReport
    sources: list[str]


def run_pipeline(spark: SparkSession, files: Sequence[InputFile], options: RunOptions) -> StagedRun:
    """Parse, validate, deduplicate and merge one batch of input files, and stage its trips,
    hourly metrics and quarantine. The caller publishes them with the run's state and report
    (see `etl.publish` for the order and why a crash is safe).

    The data is read once: that pass parses and checks every line, dedupes the valid rows and
    writes them to staging with the rejected rows beside them, counted on the way (`etl.merge`).
    Dates that hold trips already are then appended to or merged with them
    (`etl.loaded_dates`). Quarantine and hourly metrics are built from what was staged, so
    nothing wide is cached and no action repeats the parsing.
    """
    started_at = utc_now()
    for key, value in SESSION_SETTINGS.items():
        spark.conf.set(key, value)
    storage = Storage(spark)
    staged = staging_root(options.output_root, options.run_id)
    staged_trips = join_path(staged, TRIPS_DIR)
    target = MergeOptions(
        input_root=options.input_root,
        output_root=options.output_root,
        run_id=options.run_id,
        dedupe_keys=options.dedupe_keys,
        estimated_rows=estimated_rows(files),
        rejects_by_file=rejects_by_file(files),
    )
    batch = run_isolated(
        spark,
        [f.uri for f in files],
        lambda checked: stage_batch(spark, storage, checked, target),
        discard=lambda: storage.delete(staged_trips),
        input_root=options.input_root,
    )
    # A file that failed now keeps what its earlier version loaded: trips and quarantine.
    failed = {f.path for f in batch.failed_files}
    read = [f.path for f in files if f.uri not in failed]
    reloaded = set(options.reloaded)
    target = replace(target, superseded=tuple(p for p in read if p in reloaded))
    merged = MergeResult(0, 0, 0, 0, 0, [])
    # A batch with no line at all still supersedes its files' earlier trips.
    if batch.result is not None or target.superseded:
        merged = merge_with_written(spark, storage, batch.result or merged, target)
    checkpoint(STAGED)
    # Quarantine and metrics read different folders of staging and are small next to the pass:
    # run side by side, one plans and compiles while the other's tasks hold the cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        text_rows = not all(is_parquet(f.uri) for f in files)
        quarantined = pool.submit(
            _stage_quarantine,
            spark,
            staged_trips,
            merged,
            options,
            text_rows,
            read,
            target.rejects_by_file,
        )
        metrics = pool.submit(_stage_metrics, spark, staged, options.output_root, merged)
        reasons = quarantined.result()
        metrics.result()
    # Read by quarantine: published trips hold trips only.
    storage.delete(join_path(staged_trips, REJECTED_FOLDER))
    report = RunReport(
        run_id=options.run_id,
        started_at=started_at,
        finished_at=utc_now(),
        mode=options.mode,
        files_processed=len(files),
        rows_read=merged.rows_read,
        rows_quarantined=sum(reasons.values()),
        duplicates_dropped=merged.duplicates_dropped,
        rows_written=merged.rows_written,
        rows_replaced=merged.rows_replaced,
        reasons=dict(sorted(reasons.items())),
        partitions_written=staged_dates(storage, options.output_root, options.run_id),
        partitions_removed=sorted(merged.emptied),
        unknown_columns=batch.unknown_columns,
        failed_files=batch.failed_files,
    )
    return StagedRun(report, read)


def _stage_quarantine(
    spark: SparkSession,
    staged_trips: str,
    merged: MergeResult,
    options: RunOptions,
    text_rows: bool,
    sources: Sequence[str],
    clustered: bool,
) -> dict[str, int]:
    """Stage the batch's rejected rows as quarantine; returns the count of each reason.
    `text_rows` False: every file of the batch is Parquet, whose strings need no decoding.
    `sources`: the batch's files read, as paths under the input root. `clustered`: the pass
    staged each file's rejected rows in one task (`MergeOptions.rejects_by_file`)."""
    if not merged.rows_rejected:
        return {}
    observation = Observation("quarantine")
    rejected = read_rejected(spark, staged_trips, text_rows)
    quarantine = quarantine_shape(rejected, options.run_id, text_rows).observe(
        observation, *(sf.count_if(sf.col(REJECT_REASON) == c).alias(c) for c in REASON_CODES)
    )
    stage_quarantine(
        quarantine,
        options.output_root,
        options.run_id,
        merged.rows_rejected,
        sources,
        clustered=clustered,
    )
    return {code: int(n) for code, n in observation.get.items() if n}


def _stage_metrics(spark: SparkSession, staged: str, output_root: str, merged: MergeResult) -> None:
    """Stage the hourly metrics of every date the run writes, one file a date."""
    if merged.dates:
        metrics = hourly_metrics(_trips_of_written_dates(spark, staged, output_root, merged))
        spread_by_date(metrics, len(merged.dates)).write.partitionBy(PARTITION_COLUMN.name).parquet(
            join_path(staged, METRICS_DIR)
        )


def _trips_of_written_dates(
    spark: SparkSession, staged: str, output_root: str, merged: MergeResult
) -> DataFrame:
    """Every trip of the dates the run writes, as they will be once published: the staged trips
    of new and rewritten dates, and for an appended date its written trips and the staged ones
    added to them. A folder is read only when it holds a date: on S3 an empty folder does not
    exist (without a `_SUCCESS` marker, a staged trips folder whose dates were all appended)."""
    frames = []
    if set(merged.dates) - set(merged.appended):
        # Not the rejected rows' folder beside them (no date): quarantine reads it meanwhile.
        frames.append(
            spark.read.schema(TRIPS_SCHEMA)
            .parquet(join_path(staged, TRIPS_DIR))
            .where(sf.col(PARTITION_COLUMN.name).isNotNull())
        )
    if merged.appended:
        frames.append(
            spark.read.schema(TRIPS_SCHEMA).parquet(join_path(staged, APPENDED_TRIPS_DIR))
        )
        frames.append(trips_on(spark, join_path(output_root, TRIPS_DIR), merged.appended))
    return reduce(DataFrame.unionByName, frames)


def dedupe_keys_from(text: str) -> tuple[str, ...]:
    """Parse the comma-separated `--dedupe_keys` job argument."""
    return tuple(key.strip() for key in text.split(",") if key.strip())
