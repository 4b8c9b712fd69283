"""The core both entrypoints run: input files in, curated outputs and a run report out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import SparkSession

from etl.batch_read import stage_isolated
from etl.checkpoints import STAGED, checkpoint
from etl.merge import MergeOptions, MergeResult, ValidBatch, merge_batch
from etl.paths import staging_root
from etl.publish import publish, stage_quarantine
from etl.quarantine import quarantined_rows, valid_rows
from etl.report import RunReport, utc_now
from etl.stage import CHECKED_DIR, BatchSummary, read_staged
from etl.state import InputFile
from etl.storage import Storage, join_path

# Session settings the job relies on: no ANSI exceptions on bad input (the casts return null and
# are checked instead), the Spark 3 datetime parser (no legacy fallbacks or upgrade errors), UTC so
# naive timestamps are stored as written, and no whole-stage code generation for methods the JVM
# would refuse to JIT-compile (HotSpot skips methods over 8000 bytes of bytecode; the parsing
# projection is that big, and running it interpreted was 2-3x slower than Spark's fallback).
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
}


@dataclass(frozen=True)
class RunOptions:
    input_root: str
    output_root: str
    run_id: str
    mode: str
    dedupe_keys: tuple[str, ...]


def run_pipeline(spark: SparkSession, files: Sequence[InputFile], options: RunOptions) -> RunReport:
    """Parse, validate, deduplicate and merge one batch of input files, then publish trips,
    hourly metrics and quarantine (see `etl.publish` for the order and why a crash is safe). The
    caller records the files and writes the report, after the publish.

    The data is read once: that pass parses every line and stages the checked rows, counted on
    the way. Quarantine, dedupe and metrics work from the staged rows, so nothing wide is cached
    and no action repeats the parsing.
    """
    started_at = utc_now()
    for key, value in SESSION_SETTINGS.items():
        spark.conf.set(key, value)
    storage = Storage(spark)
    checked_path = join_path(staging_root(options.output_root, options.run_id), CHECKED_DIR)
    batch = stage_isolated(spark, [f.uri for f in files], checked_path)
    summary = batch.summary or BatchSummary(0, {}, [])
    checkpoint(STAGED)
    if summary.reasons:
        staged = read_staged(spark, checked_path, options.input_root)
        stage_quarantine(
            quarantined_rows(staged, options.run_id), options.output_root, options.run_id
        )
    merged = MergeResult(0, 0, 0)
    if summary.dates:
        valid = ValidBatch(
            valid_rows(read_staged(spark, checked_path, options.input_root)),
            summary.dates,
            summary.valid_rows,
        )
        target = MergeOptions(options.output_root, options.run_id, options.dedupe_keys)
        merged = merge_batch(spark, storage, valid, target)
    partitions: list[str] = []
    if files:
        partitions = publish(storage, options.output_root, options.run_id, [f.path for f in files])
    return RunReport(
        run_id=options.run_id,
        started_at=started_at,
        finished_at=utc_now(),
        mode=options.mode,
        files_processed=len(files),
        rows_read=summary.rows_read,
        rows_quarantined=sum(summary.reasons.values()),
        duplicates_dropped=merged.duplicates_dropped,
        rows_written=merged.rows_written,
        rows_replaced=merged.rows_replaced,
        reasons=summary.reasons,
        partitions_written=partitions,
        unknown_columns=batch.unknown_columns,
        failed_files=batch.failed_files,
    )


def dedupe_keys_from(text: str) -> tuple[str, ...]:
    """Parse the comma-separated `--dedupe_keys` job argument."""
    return tuple(key.strip() for key in text.split(",") if key.strip())
