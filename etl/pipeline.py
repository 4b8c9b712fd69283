"""The core both entrypoints run: raw text lines in, curated outputs and a run report out."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf

from etl.layout import layout_frame, layouts_for
from etl.merge import MergeResult, merge_batch, publish, stage_quarantine, staging_root
from etl.metrics import with_pickup_date
from etl.parse import clean_lines, extract_cells, type_values
from etl.quarantine import quarantined_rows, valid_rows, with_reject_reason
from etl.report import RunReport, utc_now
from etl.stage import CHECKED_DIR, read_staged, stage_checked
from etl.storage import Storage, join_path

# Session settings the job relies on: no ANSI exceptions on bad input (the casts return null and
# are checked instead), the Spark 3 datetime parser (no legacy fallbacks or upgrade errors), UTC so
# naive timestamps are stored as written, and no whole-stage code generation for methods the JVM
# would refuse to JIT-compile (HotSpot skips methods over 8000 bytes of bytecode; the parsing
# projection is that big, and running it interpreted was 2-3x slower than Spark's fallback).
_SESSION_SETTINGS = {
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
    # Known up front by the local runner (zero-byte files included); None: count source files seen.
    files_processed: int | None = None


@dataclass(frozen=True)
class ParsedBatch:
    checked: DataFrame
    unknown_columns: list[str]
    header_files: frozenset[str]


def parse_batch(spark: SparkSession, lines: DataFrame) -> ParsedBatch:
    """Cleaned lines (see `clean_lines`) -> checked rows (typed columns, `raw` strings,
    `reject_reason`, `pickup_date`), the batch's unknown column names and the files that have a
    header line. Collects only the header lines (about one per file)."""
    header_rows = lines.where(sf.col("is_header")).select("source_file", "line").distinct()
    layouts = layouts_for((row["source_file"], row["line"]) for row in header_rows.collect())
    cells = extract_cells(
        lines.where(~sf.col("is_header")).select("source_file", "line"),
        layout_frame(spark, layouts),
    )
    return ParsedBatch(
        checked=with_pickup_date(with_reject_reason(type_values(cells))),
        unknown_columns=sorted({name for layout in layouts for name in layout.unknown_columns}),
        header_files=frozenset(layout.source_file for layout in layouts),
    )


def run_pipeline(spark: SparkSession, raw_lines: DataFrame, options: RunOptions) -> RunReport:
    """Parse, validate, deduplicate and merge one batch, then publish trips, hourly metrics and
    quarantine. The caller writes the report (last, after any state it keeps).

    The input is read twice: a light scan for the header lines, then the one pass that parses
    every line and stages the checked rows (counted on the way). Quarantine, dedupe and metrics
    work from the staged rows, so nothing wide is cached and no action repeats the parsing.
    """
    started_at = utc_now()
    for key, value in _SESSION_SETTINGS.items():
        spark.conf.set(key, value)
    storage = Storage(spark)
    batch = parse_batch(spark, clean_lines(raw_lines))
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
    files = options.files_processed
    if files is None:
        files = len(batch.header_files | summary.data_files)
    return RunReport(
        run_id=options.run_id,
        started_at=started_at,
        finished_at=utc_now(),
        mode=options.mode,
        files_processed=files,
        rows_read=summary.rows_read,
        rows_quarantined=sum(summary.reasons.values()),
        duplicates_dropped=merged.duplicates_dropped,
        rows_written=merged.rows_written,
        rows_replaced=merged.rows_replaced,
        reasons=summary.reasons,
        partitions_written=partitions,
        unknown_columns=batch.unknown_columns,
    )


def dedupe_keys_from(text: str) -> tuple[str, ...]:
    """Parse the comma-separated `--dedupe_keys` job argument."""
    return tuple(key.strip() for key in text.split(",") if key.strip())
