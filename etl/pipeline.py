"""The core both entrypoints run: raw text lines in, curated outputs and a run report out."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf

from etl.contract import PARTITION_COLUMN
from etl.layout import layout_frame, layouts_for
from etl.merge import MergeResult, merge_batch, publish, stage_quarantine
from etl.metrics import with_pickup_date
from etl.parse import clean_lines, extract_cells, type_values
from etl.quarantine import quarantined_rows, valid_rows, with_reject_reason
from etl.report import RunReport, utc_now
from etl.storage import Storage

# Session settings the parsing rules rely on: no ANSI exceptions on bad input (patterns guard the
# casts instead), the Spark 3 datetime parser (no legacy fallbacks or upgrade errors) and UTC so
# naive timestamps are stored as written.
_SESSION_SETTINGS = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.session.timeZone": "UTC",
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
    files_seen: int


def parse_batch(spark: SparkSession, lines: DataFrame) -> ParsedBatch:
    """Cleaned lines (see `clean_lines`) -> checked rows (typed columns, `raw` strings,
    `reject_reason`, `pickup_date`), the batch's unknown column names and the number of files
    with at least one non-blank line. Collects one small row per file (its header lines)."""
    per_file = (
        lines.groupBy("source_file")
        .agg(sf.collect_set(sf.when(sf.col("is_header"), sf.col("line"))).alias("headers"))
        .collect()
    )
    layouts = layouts_for(
        (row["source_file"], header) for row in per_file for header in row["headers"]
    )
    cells = extract_cells(
        lines.where(~sf.col("is_header")).select("source_file", "line"),
        layout_frame(spark, layouts),
    )
    return ParsedBatch(
        checked=with_pickup_date(with_reject_reason(type_values(cells))),
        unknown_columns=sorted({name for layout in layouts for name in layout.unknown_columns}),
        files_seen=len(per_file),
    )


def run_pipeline(spark: SparkSession, raw_lines: DataFrame, options: RunOptions) -> RunReport:
    """Parse, validate, deduplicate and merge one batch, then publish trips, hourly metrics and
    quarantine. The caller writes the report (last, after any state it keeps).

    The input is scanned once: cleaned lines are cached for the per-file header collect and the
    row parsing, and the checked rows are cached for the summary and the writes.
    """
    started_at = utc_now()
    for key, value in _SESSION_SETTINGS.items():
        spark.conf.set(key, value)
    storage = Storage(spark)
    lines = clean_lines(raw_lines).persist()
    try:
        batch = parse_batch(spark, lines)
        checked = batch.checked.persist()
        try:
            summary = _summarise(checked)
            reasons = summary.reasons
            if reasons:
                stage_quarantine(
                    quarantined_rows(checked, options.run_id), options.output_root, options.run_id
                )
            merged = MergeResult(0, 0, 0)
            if summary.dates:
                merged = merge_batch(
                    spark,
                    storage,
                    valid_rows(checked).transform(with_pickup_date),
                    summary.dates,
                    options.output_root,
                    options.run_id,
                    options.dedupe_keys,
                )
        finally:
            checked.unpersist()
    finally:
        lines.unpersist()
    partitions = publish(storage, options.output_root, options.run_id)
    files = options.files_processed if options.files_processed is not None else batch.files_seen
    return RunReport(
        run_id=options.run_id,
        started_at=started_at,
        finished_at=utc_now(),
        mode=options.mode,
        files_processed=files,
        rows_read=summary.rows_read,
        rows_quarantined=sum(reasons.values()),
        duplicates_dropped=merged.duplicates_dropped,
        rows_written=merged.rows_written,
        rows_replaced=merged.rows_replaced,
        reasons=reasons,
        partitions_written=partitions,
        unknown_columns=batch.unknown_columns,
    )


@dataclass(frozen=True)
class _Summary:
    rows_read: int
    reasons: dict[str, int]
    dates: list[str]


def _summarise(checked: DataFrame) -> _Summary:
    """One small aggregate: rows per reject reason, and the pickup dates of valid rows."""
    valid_date = sf.when(
        sf.col("reject_reason").isNull(), sf.col(PARTITION_COLUMN.name).cast("string")
    )
    rows = checked.groupBy("reject_reason", valid_date.alias("date")).count().collect()
    reasons: dict[str, int] = {}
    for row in rows:
        if row["reject_reason"] is not None:
            reasons[row["reject_reason"]] = reasons.get(row["reject_reason"], 0) + row["count"]
    return _Summary(
        rows_read=sum(row["count"] for row in rows),
        reasons=dict(sorted(reasons.items())),
        dates=sorted({row["date"] for row in rows if row["date"] is not None}),
    )


def dedupe_keys_from(text: str) -> tuple[str, ...]:
    """Parse the comma-separated `--dedupe_keys` job argument."""
    return tuple(key.strip() for key in text.split(",") if key.strip())
