"""Row validation: every parsed row gets a reject reason (or none) and is routed accordingly.

Reject reasons form a CLOSED set, `REASONS`, which says what each one means. A row gets the FIRST
reason that applies, in that order. Rows with no reason are valid. Quarantined rows keep their
original cells as strings, the line (as read when malformed, otherwise its cells written back as
CSV), the reason, the source file and the run id. Text input is read one character per byte
(`etl.read.TEXT_ENCODING`); quarantine shows it as UTF-8 text, or byte for byte (latin-1) when
the line is not UTF-8, so no byte is ever replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from etl.columns import (
    LAYOUT_STATUS,
    PICKUP_DATE,
    RAW_LINE,
    RAW_STRINGS,
    REJECT_REASON,
    RUN_ID,
    SOURCE_FILE,
    raw_column,
    require_columns,
)
from etl.contract import REQUIRED_NAMES
from etl.layout import LAYOUT_MISSING_HEADER, LAYOUT_MISSING_REQUIRED
from etl.parquet_input import PARQUET_SUFFIXES
from etl.parse import any_unparseable, unparseable
from etl.read import TEXT_ENCODING, Cells
from etl.schema import CANONICAL_NAMES, TRIPS_SCHEMA

MIN_PASSENGERS = 0
MAX_PASSENGERS = 9
MIN_TOTAL_AMOUNT = 0.0
MAX_TOTAL_AMOUNT = 10000.0

INVALID_ENCODING = "invalid_encoding"
# The reasons a bad byte can cause, which become invalid_encoding when the line holds one.
_PARSE_FAILURES = ("invalid_pickup_datetime", "invalid_total_amount", "invalid_value")
_OTHER_COLUMNS = tuple(n for n in CANONICAL_NAMES if n not in REQUIRED_NAMES)


@dataclass(frozen=True)
class Reason:
    code: str
    meaning: str


REASONS: tuple[Reason, ...] = (
    Reason(
        LAYOUT_MISSING_HEADER, "the file's first non-blank line does not name two canonical columns"
    ),
    Reason(
        LAYOUT_MISSING_REQUIRED, "the file lacks pickup_datetime or total_amount (all its rows)"
    ),
    Reason(
        "malformed_line",
        "the line's field count differs from its header's, or from the header's and the empty "
        "fields most of its file's first data lines carry past them, or those fields hold a "
        "value (an unclosed quote takes the rest of the line, so it usually shows up this way)",
    ),
    Reason("missing_pickup_datetime", "pickup_datetime is empty"),
    Reason(
        INVALID_ENCODING,
        "a value that does not parse is on a line that is not UTF-8: the quarantined strings "
        "show that line's bytes one latin-1 character each, nothing is guessed or replaced",
    ),
    Reason("invalid_pickup_datetime", "pickup_datetime matches none of the accepted formats"),
    Reason("missing_total_amount", "total_amount is empty"),
    Reason("invalid_total_amount", "total_amount is not a plain number (e.g. $12.00, 1,234.5)"),
    Reason(
        "invalid_value",
        "any other present value does not parse as its column's type (a word that is not a "
        "known code, a flag other than Y/N, a fraction of a passenger)",
    ),
    Reason("passenger_count_out_of_range", "passenger_count is outside 0-9"),
    Reason("dropoff_before_pickup", "dropoff_datetime is earlier than pickup_datetime"),
    Reason("total_amount_out_of_range", "total_amount is below 0 or above 10000"),
)
REASON_CODES: tuple[str, ...] = tuple(reason.code for reason in REASONS)
_RAW_COLUMNS = frozenset(raw_column(name) for name in CANONICAL_NAMES)


def _raw(name: str) -> Column:
    return sf.col(raw_column(name))


def rules(
    typed: DataFrame, code_words: bool = True, malformed: Column | None = None
) -> tuple[tuple[str, Column], ...]:
    """(code, condition) pairs in REASONS order, for the columns of `typed`: every reason but
    `invalid_encoding`, which `reason_with_encoding` decides from the rebuilt line. `malformed`
    is the reader's test of a line it could not split (`etl.read.Cells.malformed`); None when
    the reader splits every line."""
    # Built on call, not at import: Column expressions need an active SparkContext.
    conditions = {
        LAYOUT_MISSING_HEADER: sf.col(LAYOUT_STATUS) == LAYOUT_MISSING_HEADER,
        LAYOUT_MISSING_REQUIRED: sf.col(LAYOUT_STATUS) == LAYOUT_MISSING_REQUIRED,
        "malformed_line": sf.lit(False) if malformed is None else malformed,
        "missing_pickup_datetime": _raw("pickup_datetime").isNull(),
        "invalid_pickup_datetime": unparseable("pickup_datetime"),
        "missing_total_amount": _raw("total_amount").isNull(),
        "invalid_total_amount": unparseable("total_amount"),
        "invalid_value": any_unparseable(_OTHER_COLUMNS, code_words),
        "passenger_count_out_of_range": ~sf.col("passenger_count").between(
            MIN_PASSENGERS, MAX_PASSENGERS
        ),
        "dropoff_before_pickup": sf.col("dropoff_datetime") < sf.col("pickup_datetime"),
        "total_amount_out_of_range": (sf.col("total_amount") < MIN_TOTAL_AMOUNT)
        | (sf.col("total_amount") > MAX_TOTAL_AMOUNT),
    }
    return tuple((code, conditions[code]) for code in REASON_CODES if code in conditions)


def with_reject_reason(
    typed: DataFrame, code_words: bool = True, malformed: Column | None = None
) -> DataFrame:
    """Add `reject_reason`: the first rule (module docstring order) the row breaks, else null.

    A null comparison (e.g. no dropoff time) never rejects: only present, wrong values do.
    `malformed` is as for `rules`.
    """
    require_columns(typed, LAYOUT_STATUS, *CANONICAL_NAMES, *_RAW_COLUMNS)
    reason: Column = sf.lit(None).cast("string")
    for code, condition in reversed(rules(typed, code_words, malformed)):
        reason = sf.when(condition, sf.lit(code)).otherwise(reason)
    return typed.withColumn(REJECT_REASON, reason)


def checked_shape(checked: DataFrame, cells: Cells, source_file: Column) -> DataFrame:
    """Checked lines of one read -> staged rows: `source_file`, typed columns, `reject_reason`,
    `pickup_date`, and for rejected rows only their original strings (the `raw` array) and
    `raw_line`; valid rows get nulls there. Only quarantine needs the strings, and building them
    for the few rejected rows keeps the parse pass cheap."""
    require_columns(checked, REJECT_REASON, PICKUP_DATE, *_RAW_COLUMNS)
    rejected = sf.col(REJECT_REASON).isNotNull()
    # Parquet cells have their file's physical types; quarantine keeps every value as a string.
    # An array, not a struct: a valid row then writes one null to staging instead of one per column.
    strings = sf.array(*(_raw(name).cast("string") for name in CANONICAL_NAMES))
    dropped = _RAW_COLUMNS | set(cells.helper_columns) | {LAYOUT_STATUS}
    return checked.select(
        # The file name is taken last: Spark cannot merge projections across it, and the rebuilt
        # line must merge into the condition below to be evaluated for rejected rows only.
        source_file.alias(SOURCE_FILE),
        *(c for c in checked.columns if c not in dropped),
        sf.when(rejected, strings).alias(RAW_STRINGS),
        sf.when(rejected, cells.raw_line).alias(RAW_LINE),
    )


def _text_input(source_file: Column) -> Column:
    """Rows read from text (CSV), whose strings are one character per byte (`etl.read`);
    Parquet strings are UTF-8 already."""
    lowered = sf.lower(source_file)
    return ~reduce(lambda a, b: a | b, (lowered.endswith(s) for s in PARQUET_SUFFIXES))


def _utf8(text: Column) -> Column:
    """A string read one character per byte, decoded as the UTF-8 it should be (bytes that are
    not UTF-8 become U+FFFD)."""
    return sf.decode(sf.encode(text, TEXT_ENCODING), "UTF-8")


def not_utf8(line: Column, source_file: Column) -> Column:
    """Whether a rejected row's line holds bytes that are not UTF-8: decoding it as UTF-8 and
    encoding it back does not give the same bytes (a real U+FFFD in the line survives that
    round trip; a byte that is not UTF-8 does not, wherever it is)."""
    round_trip = sf.decode(sf.encode(_utf8(line), "UTF-8"), TEXT_ENCODING)
    return _text_input(source_file) & sf.coalesce(round_trip != line, sf.lit(False))


def reason_with_encoding(
    reason: Column, line: Column, source_file: Column, text_rows: bool = True
) -> Column:
    """`reason`, or `invalid_encoding` for a value that failed to parse on a line that is not
    UTF-8. Decided when quarantine reads the rejected rows back (`etl.reject_folder`), outside
    the parsing pass: only rejected rows have a line, and that pass's generated code is at the
    JIT's limit. `text_rows` False says no row comes from text input (a batch of Parquet files
    only): then no line is decoded and `reason` is returned as it is."""
    if not text_rows:
        return reason
    parse_failure = sf.coalesce(reason.isin(*_PARSE_FAILURES), sf.lit(False))
    return sf.when(parse_failure & not_utf8(line, source_file), sf.lit(INVALID_ENCODING)).otherwise(
        reason
    )


def valid_rows(checked: DataFrame) -> DataFrame:
    """Rows without a reject reason, as trips: typed canonical columns, `source_file` and the
    `pickup_date` the checks computed (TRIPS_SCHEMA)."""
    require_columns(checked, REJECT_REASON, *TRIPS_SCHEMA.names)
    return checked.where(sf.col(REJECT_REASON).isNull()).select(*TRIPS_SCHEMA.names)


def quarantined_rows(checked: DataFrame, run_id: str) -> DataFrame:
    """Rejected rows with their original strings, in QUARANTINE_SCHEMA column order: UTF-8
    text, or for a line that is not UTF-8 its bytes one latin-1 character each (never U+FFFD)."""
    require_columns(checked, REJECT_REASON)
    return quarantine_shape(checked.where(sf.col(REJECT_REASON).isNotNull()), run_id)


def quarantine_shape(rejected: DataFrame, run_id: str, text_rows: bool = True) -> DataFrame:
    """`quarantined_rows` of rows that are all rejected, such as those read back from staging
    (`etl.reject_folder`): no filter, which Spark would push below the unpacking of each row
    and evaluate as several more parses of it. `text_rows` False says no row comes from text
    input: Parquet strings are kept as they are anyway, and leaving the decoding out of the plan
    spares every such run its code generation (about half a second of a Parquet run)."""
    require_columns(rejected, REJECT_REASON, RAW_STRINGS, RAW_LINE, SOURCE_FILE)
    line, source = sf.col(RAW_LINE), sf.col(SOURCE_FILE)
    readable = _text_input(source) & ~not_utf8(line, source)

    def text(value: Column) -> Column:
        return sf.when(readable, _utf8(value)).otherwise(value) if text_rows else value

    return rejected.select(
        *(text(sf.col(RAW_STRINGS)[i]).alias(name) for i, name in enumerate(CANONICAL_NAMES)),
        text(line).alias(RAW_LINE),
        REJECT_REASON,
        SOURCE_FILE,
        sf.lit(run_id).alias(RUN_ID),
    )
