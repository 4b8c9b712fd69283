"""Row validation: every parsed row gets a reject reason (or none) and is routed accordingly.

Reject reasons form a CLOSED set. A row gets the FIRST reason that applies, in this order:

1. ``missing_header``: the file's first non-blank line does not name two canonical columns.
2. ``missing_required_column``: the file's header lacks a required column (all its rows).
3. ``malformed_line``: the line's field count differs from its header's (an unclosed quote
   takes the rest of the line, so it usually shows up this way).
4. ``missing_pickup_datetime``: pickup_datetime is empty.
5. ``invalid_pickup_datetime``: pickup_datetime matches none of the accepted formats.
6. ``missing_total_amount``: total_amount is empty.
7. ``invalid_total_amount``: total_amount is not a plain number (e.g. ``$12.00``, ``1,234.5``).
8. ``invalid_value``: any other present value does not parse as its column's type.
9. ``passenger_count_out_of_range``: passenger_count is outside 0-9.
10. ``dropoff_before_pickup``: dropoff_datetime is earlier than pickup_datetime.
11. ``total_amount_out_of_range``: total_amount is below 0 or above 10000.

Rows with no reason are valid. Quarantined rows keep their original cells as strings, the line
(as read when malformed, otherwise its cells written back as CSV), the reason, the source file and
the run id.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from etl.layout import LAYOUT_MISSING_HEADER, LAYOUT_MISSING_REQUIRED
from etl.parse import any_unparseable, unparseable
from etl.read import Cells, raw_column
from etl.schema import CANONICAL_NAMES, TRIPS_SCHEMA

# Staged rows keep a rejected row's original strings in this struct (null for valid rows).
RAW_STRUCT = "raw"

MIN_PASSENGERS = 0
MAX_PASSENGERS = 9
MIN_TOTAL_AMOUNT = 0.0
MAX_TOTAL_AMOUNT = 10000.0

_OTHER_COLUMNS = tuple(n for n in CANONICAL_NAMES if n not in ("pickup_datetime", "total_amount"))


def _raw(name: str) -> Column:
    return sf.col(raw_column(name))


def rules() -> tuple[tuple[str, Column], ...]:
    """(code, condition) pairs in priority order; the module docstring documents them."""
    # Built on call, not at import: Column expressions need an active SparkContext.
    return (
        (LAYOUT_MISSING_HEADER, sf.col("layout_status") == LAYOUT_MISSING_HEADER),
        (LAYOUT_MISSING_REQUIRED, sf.col("layout_status") == LAYOUT_MISSING_REQUIRED),
        ("malformed_line", sf.col("malformed")),
        ("missing_pickup_datetime", _raw("pickup_datetime").isNull()),
        ("invalid_pickup_datetime", unparseable("pickup_datetime")),
        ("missing_total_amount", _raw("total_amount").isNull()),
        ("invalid_total_amount", unparseable("total_amount")),
        ("invalid_value", any_unparseable(_OTHER_COLUMNS)),
        (
            "passenger_count_out_of_range",
            ~sf.col("passenger_count").between(MIN_PASSENGERS, MAX_PASSENGERS),
        ),
        ("dropoff_before_pickup", sf.col("dropoff_datetime") < sf.col("pickup_datetime")),
        (
            "total_amount_out_of_range",
            (sf.col("total_amount") < MIN_TOTAL_AMOUNT)
            | (sf.col("total_amount") > MAX_TOTAL_AMOUNT),
        ),
    )


# The closed set, in rule order (a test keeps it equal to rules()).
REASON_CODES: tuple[str, ...] = (
    LAYOUT_MISSING_HEADER,
    LAYOUT_MISSING_REQUIRED,
    "malformed_line",
    "missing_pickup_datetime",
    "invalid_pickup_datetime",
    "missing_total_amount",
    "invalid_total_amount",
    "invalid_value",
    "passenger_count_out_of_range",
    "dropoff_before_pickup",
    "total_amount_out_of_range",
)


def with_reject_reason(typed: DataFrame) -> DataFrame:
    """Add `reject_reason`: the first rule (module docstring order) the row breaks, else null.

    A null comparison (e.g. no dropoff time) never rejects: only present, wrong values do.
    """
    reason: Column = sf.lit(None).cast("string")
    for code, condition in reversed(rules()):
        reason = sf.when(sf.coalesce(condition, sf.lit(False)), sf.lit(code)).otherwise(reason)
    return typed.withColumn("reject_reason", reason)


def stage_shape(checked: DataFrame, cells: Cells, source_file: Column) -> DataFrame:
    """Checked lines of one read -> staged rows: `source_file`, typed columns, `reject_reason`,
    `pickup_date`, and for rejected rows only their original strings (`raw` struct) and
    `raw_line`; valid rows get nulls there. Only quarantine needs the strings, and building them
    for the few rejected rows keeps the parse pass cheap."""
    rejected = sf.col("reject_reason").isNotNull()
    # Parquet cells have their file's physical types; quarantine keeps every value as a string.
    strings = sf.struct(*(_raw(name).cast("string").alias(name) for name in CANONICAL_NAMES))
    dropped = _RAW_COLUMNS | set(cells.helper_columns) | {"layout_status", "malformed"}
    return checked.select(
        # The file name is taken last: Spark cannot merge projections across it, and the rebuilt
        # line must merge into the condition below to be evaluated for rejected rows only.
        source_file.alias("source_file"),
        *(c for c in checked.columns if c not in dropped),
        sf.when(rejected, strings).alias(RAW_STRUCT),
        sf.when(rejected, cells.raw_line).alias("raw_line"),
    )


_RAW_COLUMNS = frozenset(raw_column(name) for name in CANONICAL_NAMES)


def valid_rows(checked: DataFrame) -> DataFrame:
    """Rows without a reject reason, as trips: typed canonical columns, `source_file` and the
    `pickup_date` the checks computed (TRIPS_SCHEMA)."""
    return checked.where(sf.col("reject_reason").isNull()).select(*TRIPS_SCHEMA.names)


def quarantined_rows(checked: DataFrame, run_id: str) -> DataFrame:
    """Rejected rows with their original strings, in QUARANTINE_SCHEMA column order."""
    return checked.where(sf.col("reject_reason").isNotNull()).select(
        *(sf.col(f"{RAW_STRUCT}.{name}").alias(name) for name in CANONICAL_NAMES),
        "raw_line",
        "reject_reason",
        "source_file",
        sf.lit(run_id).alias("run_id"),
    )
