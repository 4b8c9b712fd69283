"""Cells as read -> typed canonical values, with built-in Spark functions only (no UDFs).

A cell is a string (CSV, or a Parquet string column) or a Parquet value of whatever physical type
that file's writer chose (counts as int32, int64 or double; timestamps in micro- or nanoseconds).
Either way it becomes the canonical type, or null when it cannot: `unparseable` then tells a
present-but-wrong value from an absent one.
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf
from pyspark.sql.types import (
    BooleanType,
    ByteType,
    DataType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    ShortType,
    StringType,
    TimestampNTZType,
    TimestampType,
)

from etl.columns import raw_column, require_columns
from etl.contract import CANONICAL_COLUMNS, CODE_WORDS, UNMAPPED_WORDS_ARE_NULL
from etl.contract import Column as Contract
from etl.schema import spark_type

# Accepted timestamp shapes (naive local times; the session time zone is UTC so nothing shifts).
# ISO_TIMESTAMP covers `yyyy-MM-dd HH:mm:ss[.fraction]` and the same with `T`, with an optional
# UTC label (` UTC` or `Z`: BigQuery exports its public TLC tables' local times so), read as
# written, as a UTC-zoned Parquet time is; other offsets and zones are not accepted.
# US_TIMESTAMP is `MM/dd/yyyy hh:mm:ss a`.
ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?( UTC|Z)?$"
US_TIMESTAMP = "MM/dd/yyyy hh:mm:ss a"
# A word that names something (e.g. vendor `DDS`) as opposed to a garbled value (`1x`, `$`).
WORD = r"^[A-Za-z][A-Za-z ]*$"

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_INTEGRAL = (ByteType, ShortType, IntegerType)


def parse_timestamp(raw: Column) -> Column:
    """Timestamp from one of the accepted shapes; null for anything else or an impossible time.

    ISO shapes go through Spark's cast, a hand-written parser several times faster than a
    pattern-based one; the shape check in front keeps the cast from accepting more than the
    contract (dates without a time, time zones). Only other strings try the US pattern.
    """
    return sf.when(raw.rlike(ISO_TIMESTAMP), raw.cast("timestamp")).otherwise(
        sf.try_to_timestamp(raw, sf.lit(US_TIMESTAMP))
    )


# Spark orders NaN above every number and infinities beyond these bounds, so one range test
# keeps finite numbers only (with less generated code than isnan and abs: see SESSION_SETTINGS
# in etl.pipeline on the size of the parsing stage).
_DOUBLE_MAX = 1.7976931348623157e308


def _finite(number: Column) -> Column:
    return sf.when(number.between(-_DOUBLE_MAX, _DOUBLE_MAX), number)


def _code_word(raw: Column, name: str) -> Column:
    """The code a word stands for (case-insensitive), null for any other value."""
    words = CODE_WORDS[name]
    pairs = [item for word, code in sorted(words.items()) for item in (sf.lit(word), sf.lit(code))]
    return sf.create_map(*pairs)[sf.lower(sf.trim(raw))]


def typed_string(raw: Column, column: Contract, code_words: bool = True) -> Column:
    """Parse one string cell to `column`'s type; null when absent or unparseable.

    Numbers use Spark's casts (null on `$12.00`, `1,234.5`), with NaN and infinities rejected and
    integers required to be whole (`1.0` is 1, `1.5` is invalid: the int cast alone truncates).
    Columns with code words (`CODE_WORDS`) accept them too; a string column with code words
    accepts nothing else.
    """
    catalog_type = column.type
    if catalog_type == "double":
        value = _finite(raw.cast("double"))
    elif catalog_type == "int":
        whole = raw.cast("int")
        # Without a `.` the int cast is exact or null; only a fraction pays for the double parse.
        value = sf.when(~raw.contains(".") | (whole == raw.cast("double")), whole)
    elif catalog_type == "timestamp":
        value = parse_timestamp(raw)
    elif catalog_type == "string" and column.name in CODE_WORDS:
        # Files without words spell the flag as the TLC's dictionary does: Y or N.
        return _code_word(raw, column.name) if code_words else sf.when(raw.isin("Y", "N"), raw)
    else:
        value = raw.cast(spark_type(catalog_type))
    if column.name in CODE_WORDS and code_words:
        # Numbers first: the word lookup only runs for the cells that are not numbers.
        value = sf.coalesce(value, _code_word(raw, column.name))
    return value


# The first and last times text can hold (four-digit years); cast once, by the planner.
_FIRST_TIME = "0001-01-01 00:00:00"
_LAST_TIME = "9999-12-31 23:59:59.999999"


def typed_native(
    raw: Column, source: DataType, column: Contract, code_words: bool = True
) -> Column:
    """Convert one Parquet value of physical type `source` to `column`'s type; null when it
    cannot be represented (a fraction or an out-of-range number for an int, NaN, infinity)."""
    if isinstance(source, StringType):
        return typed_string(raw, column, code_words)
    target = column.type
    numeric = isinstance(source, (*_INTEGRAL, LongType, FloatType, DoubleType, DecimalType))
    if target == "int" and isinstance(source, _INTEGRAL):
        return raw.cast("int")
    if target == "int" and isinstance(source, LongType):
        return sf.when(raw.between(_INT_MIN, _INT_MAX), raw.cast("int"))
    if target == "int" and numeric:
        number = raw.cast("double")
        whole = (number == sf.floor(number)) & number.between(_INT_MIN, _INT_MAX)
        return sf.when(whole, number.cast("int"))
    if target == "double" and isinstance(source, FloatType):
        # Through its shortest decimal form: a float32 11.85 is 11.850000381469727 as a double.
        return _finite(raw.cast("string").cast("double"))
    if target == "double" and numeric:
        return _finite(raw.cast("double"))
    # A date is no time: as midnight, the trips of one day could collide as duplicates (CSV
    # dates are quarantined for the same reason).
    if target == "timestamp" and isinstance(source, (TimestampType, TimestampNTZType)):
        # Years 1-9999, as in text: a corrupt count of microseconds can reach year 294247, and
        # as a pickup it would name a date folder (`pickup_date=+148108-07-06`) no reader takes.
        # Compared as instants, not by year (cheaper per row); the session's zone is UTC.
        value = raw.cast("timestamp")
        first, last = (sf.lit(time).cast("timestamp") for time in (_FIRST_TIME, _LAST_TIME))
        return sf.when(value.between(first, last), value)
    if target == "string" and column.name in CODE_WORDS:
        # A writer's take on Y/N as the codes 1/0 the word table maps: a boolean, or a number
        # (the TLC's 2009-2010 Parquet files keep the mostly empty flag as a double, 0.0 or 1.0).
        text = raw
        if isinstance(source, BooleanType):
            text = raw.cast("int")
        elif numeric and not isinstance(source, (*_INTEGRAL, LongType)):
            number = raw.cast("double")
            text = sf.when(number.isin(0.0, 1.0), number.cast("int"))
        return _code_word(text.cast("string"), column.name)
    if target == "string":
        return raw.cast("string")
    # Any other pairing (e.g. a boolean passenger count) has no faithful conversion.
    return sf.lit(None).cast(spark_type(target))


def type_values(cells: DataFrame, code_words: bool = True) -> DataFrame:
    """Add every canonical column, typed, next to the cell it was parsed from. String cells are
    parsed; Parquet cells are converted from their physical type. `code_words`: whether codes may
    be written as words (see `etl.layout.FileLayout.code_words`)."""
    require_columns(cells, *(raw_column(c.name) for c in CANONICAL_COLUMNS))
    types = {field.name: field.dataType for field in cells.schema.fields}
    return cells.select(
        "*",
        *(
            typed_native(
                sf.col(raw_column(c.name)), types[raw_column(c.name)], c, code_words
            ).alias(c.name)
            for c in CANONICAL_COLUMNS
        ),
    )


def unparseable(name: str, code_words: bool = True) -> Column:
    """True when column `name` has a present raw value that did not parse (a word of a column
    in UNMAPPED_WORDS_ARE_NULL, such as an unknown vendor, is not a parse error)."""
    raw = sf.col(raw_column(name))
    failed = raw.isNotNull() & sf.col(name).isNull()
    if name in UNMAPPED_WORDS_ARE_NULL and code_words:
        return failed & ~raw.cast("string").rlike(WORD)
    return failed


def any_unparseable(names: tuple[str, ...], code_words: bool = True) -> Column:
    """True when any of `names` has a present value that did not parse."""
    failures = (unparseable(n, code_words) for n in names)
    return reduce(lambda left, right: left | right, failures, sf.lit(False))
