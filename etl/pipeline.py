"""The core both entrypoints run: input files in, curated outputs and a run report out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import DataFrame, SparkSession

from etl.layout import group_by_layout, read_first_lines
from etl.merge import MergeResult, merge_batch, publish, stage_quarantine, staging_root
from etl.metrics import with_pickup_date
from etl.parse import type_values
from etl.quarantine import (
    quarantined_rows,
    stage_shape,
    valid_rows,
    with_reject_reason,
)
from etl.read import read_headerless, read_layout_group
from etl.report import RunReport, utc_now
from etl.stage import CHECKED_DIR, read_staged, stage_checked
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
}


@dataclass(frozen=True)
class RunOptions:
    output_root: str
    run_id: str
    mode: str
    dedupe_keys: tuple[str, ...]


@dataclass(frozen=True)
class ParsedBatch:
    checked: DataFrame
    unknown_columns: list[str]


def parse_files(spark: SparkSession, files: Sequence[str]) -> ParsedBatch | None:
    """Input files -> checked rows (typed columns, `raw` strings, `reject_reason`, `pickup_date`)
    and the batch's unknown column names; None when no file holds a line.

    Each file's first line is read on the driver to group files by header; then one CSV read per
    group (usually a single one) parses every line. Only the header lines reach the driver.
    """
    groups = group_by_layout(read_first_lines(files, Storage(spark).first_line))
    # Each group is checked before the union: a rejected row's original line is rebuilt from its
    # group's cells, and only while those cells are still at hand.
    frames = [
        read_layout_group(spark, layout, uris)
        if layout.has_header
        else read_headerless(spark, layout.status, uris)
        for layout, uris in groups.items()
    ]
    if not frames:
        return None
    checked = [
        stage_shape(with_pickup_date(with_reject_reason(type_values(cells.frame))), cells)
        for cells in frames
    ]
    return ParsedBatch(
        checked=reduce(DataFrame.unionByName, checked),
        unknown_columns=sorted({name for layout in groups for name in layout.unknown_columns}),
    )


def run_pipeline(spark: SparkSession, files: Sequence[str], options: RunOptions) -> RunReport:
    """Parse, validate, deduplicate and merge one batch of input files (URIs), then publish
    trips, hourly metrics and quarantine. The caller writes the report (last, after any state it
    keeps).

    The data is read once: that pass parses every line and stages the checked rows, counted on
    the way. Quarantine, dedupe and metrics work from the staged rows, so nothing wide is cached
    and no action repeats the parsing.
    """
    started_at = utc_now()
    for key, value in SESSION_SETTINGS.items():
        spark.conf.set(key, value)
    storage = Storage(spark)
    batch = parse_files(spark, files)
    if batch is None:
        return empty_report(options, started_at, len(files))
    checked_path = join_path(staging_root(options.output_root, options.run_id), CHECKED_DIR)
    summary = stage_checked(batch.checked, checked_path)
    staged = read_staged(spark, checked_path)
    if summary.reasons:
        stage_quarantine(
            quarantined_rows(staged, options.run_id), options.output_root, options.run_id
        )
    merged = MergeResult(0, 0, 0)
    if summary.dates:
        merged = merge_batch(
            spark,
            storage,
            valid_rows(staged).transform(with_pickup_date),
            summary.dates,
            options.output_root,
            options.run_id,
            options.dedupe_keys,
            summary.valid_rows,
        )
    partitions = publish(storage, options.output_root, options.run_id)
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
    )


def empty_report(options: RunOptions, started_at: str, files: int) -> RunReport:
    """Report of a run whose files hold no lines (or that got no files): nothing read or written."""
    return RunReport(options.run_id, started_at, utc_now(), options.mode, files, 0, 0, 0, 0)


def dedupe_keys_from(text: str) -> tuple[str, ...]:
    """Parse the comma-separated `--dedupe_keys` job argument."""
    return tuple(key.strip() for key in text.split(",") if key.strip())
