"""The core both entrypoints run: input files in, curated outputs and a run report out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import reduce

from pyspark.sql import DataFrame, SparkSession

from etl.layout import FileLayout, group_by_layout, read_first_lines
from etl.merge import MergeResult, merge_batch, publish, stage_quarantine, staging_root
from etl.metrics import with_pickup_date
from etl.parquet_input import (
    PARQUET_SUFFIXES,
    ParquetLayout,
    group_by_schema,
    read_footers,
    read_parquet_group,
)
from etl.parse import type_values
from etl.quarantine import (
    quarantined_rows,
    stage_shape,
    valid_rows,
    with_reject_reason,
)
from etl.read import read_headerless, read_layout_group
from etl.report import FailedFile, RunReport, utc_now
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
    # Parquet input with nanosecond timestamps (pandas' default) is read as int64 and converted
    # in etl.parquet_input; without this Spark 3.5 refuses the file.
    "spark.sql.legacy.parquet.nanosAsLong": "true",
}


@dataclass(frozen=True)
class RunOptions:
    output_root: str
    run_id: str
    mode: str
    dedupe_keys: tuple[str, ...]


@dataclass(frozen=True)
class ParsedBatch:
    # None when no readable file holds a row.
    checked: DataFrame | None
    unknown_columns: list[str]
    failed_files: list[FailedFile]


def is_parquet(uri: str) -> bool:
    """True for the Parquet files of a batch (by name, as the TLC names them)."""
    return uri.lower().endswith(PARQUET_SUFFIXES)


def parse_files(spark: SparkSession, files: Sequence[str]) -> ParsedBatch:
    """Input files -> checked rows (typed columns, `raw` strings, `reject_reason`, `pickup_date`),
    the batch's unknown column names and the files that could not be read.

    The driver reads each CSV file's first line and each Parquet file's footer to group files by
    header or schema; then one read per group (usually a few) parses every row. Only header lines
    and footers reach the driver.
    """
    csv_files = [uri for uri in files if not is_parquet(uri)]
    footers = read_footers(spark, [uri for uri in files if is_parquet(uri)])
    groups = group_by_layout(read_first_lines(csv_files, Storage(spark).first_line))
    parquet_groups = group_by_schema(footers)
    # Each group is checked before the union: a rejected row's original line is rebuilt from its
    # group's cells, and only while those cells are still at hand.
    frames = [
        read_layout_group(spark, layout, uris)
        if layout.has_header
        else read_headerless(spark, layout.status, uris)
        for layout, uris in groups.items()
    ] + [read_parquet_group(spark, layout, uris) for layout, uris in parquet_groups.items()]
    checked = [
        stage_shape(with_pickup_date(with_reject_reason(type_values(cells.frame))), cells)
        for cells in frames
    ]
    layouts: list[FileLayout | ParquetLayout] = [*groups, *parquet_groups]
    return ParsedBatch(
        checked=reduce(DataFrame.unionByName, checked) if checked else None,
        unknown_columns=sorted({name for layout in layouts for name in layout.unknown_columns}),
        failed_files=[
            FailedFile(f.uri, f"unreadable_file: {f.error}") for f in footers if f.error
        ],
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
    if batch.checked is None:
        return replace(
            empty_report(options, started_at, len(files)),
            failed_files=batch.failed_files,
            unknown_columns=batch.unknown_columns,
        )
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
        failed_files=batch.failed_files,
    )


def empty_report(options: RunOptions, started_at: str, files: int) -> RunReport:
    """Report of a run whose files hold no lines (or that got no files): nothing read or written."""
    return RunReport(options.run_id, started_at, utc_now(), options.mode, files, 0, 0, 0, 0)


def dedupe_keys_from(text: str) -> tuple[str, ...]:
    """Parse the comma-separated `--dedupe_keys` job argument."""
    return tuple(key.strip() for key in text.split(",") if key.strip())
