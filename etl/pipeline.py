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

# Session settings the parsing rules rely on: no ANSI exceptions on bad input (patterns guard the
# casts instead), the Spark 3 datetime parser (no legacy fallbacks or upgrade errors) and UTC so
# naive timestamps are stored as written.
_SESSION_SETTINGS = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.session.timeZone": "UTC",
    # Input splits of 32 MB: a few hundred MB of CSV become a dozen tasks, which keeps both cores
    # busy to the end instead of leaving one idle behind a last 128 MB split.
    "spark.sql.files.maxPartitionBytes": str(32 * 1024 * 1024),
    # Parsing two dozen columns makes a large generated method; the JVM will not JIT-compile
    # methods over 8000 bytes of bytecode and interprets them, 3-4x slower (measured). At this
    # limit Spark splits such a stage into smaller compiled pieces instead.
    "spark.sql.codegen.hugeMethodLimit": "8000",
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
    files_seen: int | None


def parse_batch(spark: SparkSession, lines: DataFrame, count_files: bool = True) -> ParsedBatch:
    """Cleaned lines (see `clean_lines`) -> checked rows (typed columns, `raw` strings,
    `reject_reason`, `pickup_date`), the batch's unknown column names and, with `count_files`,
    the number of files with at least one non-blank line (else None).

    Runs one action, a light scan that collects the header lines (one small row per file when
    counting files; without counting, only the header lines leave the scan, which saves a
    per-line aggregation). The checked rows stay lazy and recognise header lines by equality.
    """
    headers = sf.col("is_header")
    if count_files:
        per_file = (
            lines.groupBy("source_file")
            .agg(sf.collect_set(sf.when(headers, sf.col("line"))).alias("headers"))
            .collect()
        )
        found = [(row["source_file"], line) for row in per_file for line in row["headers"]]
    else:
        header_rows = lines.where(headers).select("source_file", "line").distinct().collect()
        found = [(row["source_file"], row["line"]) for row in header_rows]
    layouts = layouts_for(found)
    cells = extract_cells(lines, layout_frame(spark, layouts))
    return ParsedBatch(
        checked=with_pickup_date(with_reject_reason(type_values(cells))),
        unknown_columns=sorted({name for layout in layouts for name in layout.unknown_columns}),
        files_seen=len(per_file) if count_files else None,
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
    batch = parse_batch(spark, clean_lines(raw_lines), count_files=options.files_processed is None)
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
    files = batch.files_seen if batch.files_seen is not None else (options.files_processed or 0)
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
