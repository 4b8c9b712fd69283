"""Raw text lines -> canonical string cells -> typed canonical values.

Input files are read as text, one record per line (`source_file`, `line`), because files in one
batch have different headers and one CSV schema cannot fit them all. Everything here is built-in
Spark functions; no UDFs.
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from etl.contract import CANONICAL_COLUMNS
from etl.layout import LAYOUT_MISSING_HEADER, is_header_line, position_column
from etl.schema import CANONICAL_NAMES, spark_type

# Accepted timestamp shapes (naive local times; the session time zone is UTC so nothing shifts).
TIMESTAMP_FORMATS: tuple[str, ...] = (
    "yyyy-MM-dd HH:mm:ss[.SSSSSSSSS]",
    "yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS]",
    "MM/dd/yyyy hh:mm:ss a",
)


RAW_STRUCT = "raw"


def clean_lines(raw: DataFrame) -> DataFrame:
    """Strip a leading BOM and a trailing CR, drop blank lines and flag header lines.

    In: `source_file`, `line`. Out: `source_file`, `line`, `is_header` (boolean).
    """
    # Fixed-character trims, not regexes: this runs on every input line.
    line = sf.expr("trim(TRAILING '\\r' FROM trim(LEADING '\\ufeff' FROM line))")
    return (
        raw.select("source_file", line.alias("line"))
        .where(sf.trim(sf.col("line")) != "")
        .withColumn("is_header", is_header_line(sf.col("line")))
    )


# A comma followed by an even number of quotes up to the end of the line is outside quotes.
_COMMA_OUTSIDE_QUOTES = r',(?=(?:[^"]*"[^"]*")*[^"]*$)'
_QUOTED_CELL = r'^\s*"(.*)"\s*$'


def split_cells(line: Column) -> Column:
    """CSV line -> array of cell strings (quotes removed, doubled quotes unescaped).

    Most lines have no quote at all and take the plain split; only quoted lines pay for the
    quote-aware pattern and the unquoting.
    """

    def unquote(cell: Column) -> Column:
        inner = sf.regexp_extract(cell, _QUOTED_CELL, 1)
        return sf.when(cell.rlike(_QUOTED_CELL), sf.regexp_replace(inner, '""', '"')).otherwise(
            cell
        )

    quoted = sf.transform(sf.split(line, _COMMA_OUTSIDE_QUOTES, -1), unquote)
    return sf.when(sf.instr(line, '"') == 0, sf.split(line, ",", -1)).otherwise(quoted)


def has_unbalanced_quotes(line: Column) -> Column:
    """True when a double quote is never closed (the cells after it cannot be trusted).

    Most lines have no quote: a substring search settles them before any quote is counted.
    """
    quotes = sf.length(line) - sf.length(sf.replace(line, sf.lit('"'), sf.lit("")))
    return sf.when(line.contains('"'), quotes % 2 == 1).otherwise(sf.lit(False))


def extract_cells(data_lines: DataFrame, layouts: DataFrame) -> DataFrame:
    """Attach each data line's file layout and pick its cells by canonical name.

    In: `source_file`, `line` (data lines only) and the small layout frame (broadcast).
    Out: `source_file`, `raw_line`, `layout_status`, `malformed` and a `raw` struct holding every
    canonical column as a trimmed string (null when empty or absent from the file).
    """
    joined = data_lines.join(sf.broadcast(layouts), "source_file", "left").select(
        "source_file",
        sf.col("line").alias("raw_line"),
        sf.coalesce(sf.col("layout_status"), sf.lit(LAYOUT_MISSING_HEADER)).alias("layout_status"),
        "header_fields",
        split_cells(sf.col("line")).alias("_cells"),
        *(sf.col(position_column(name)) for name in CANONICAL_NAMES),
    )

    def cell(name: str) -> Column:
        position = sf.col(position_column(name))
        value = sf.trim(sf.element_at(sf.col("_cells"), position))
        return sf.when((position > 0) & (value != ""), value)

    malformed = (sf.size("_cells") != sf.col("header_fields")) | has_unbalanced_quotes(
        sf.col("raw_line")
    )
    return joined.select(
        "source_file",
        "raw_line",
        "layout_status",
        sf.coalesce(malformed, sf.lit(False)).alias("malformed"),
        sf.struct(*(cell(name).alias(name) for name in CANONICAL_NAMES)).alias(RAW_STRUCT),
    )


def typed_value(raw: Column, catalog_type: str) -> Column:
    """Parse one string cell to its contract type; null when absent or unparseable.

    Numbers use Spark's casts (null on `$12.00`, `1,234.5`), with NaN and infinities rejected and
    integers required to be whole (`1.0` is 1, `1.5` is invalid: the int cast alone truncates).
    """
    if catalog_type == "double":
        number = raw.cast("double")
        return sf.when(~sf.isnan(number) & (sf.abs(number) != float("inf")), number)
    if catalog_type == "int":
        whole = raw.cast("int")
        # Without a `.` the int cast is exact or null; only a fraction pays for the double parse.
        return sf.when(~raw.contains(".") | (whole == raw.cast("double")), whole)
    if catalog_type == "timestamp":
        return sf.coalesce(*(sf.try_to_timestamp(raw, sf.lit(fmt)) for fmt in TIMESTAMP_FORMATS))
    return raw.cast(spark_type(catalog_type))


def type_values(cells: DataFrame) -> DataFrame:
    """Add every canonical column, typed, next to the `raw` struct it was parsed from."""
    return cells.select(
        "*",
        *(
            typed_value(sf.col(f"{RAW_STRUCT}.{column.name}"), column.type).alias(column.name)
            for column in CANONICAL_COLUMNS
        ),
    )


def unparseable(name: str) -> Column:
    """True when column `name` has a present raw value that did not parse."""
    return sf.col(f"{RAW_STRUCT}.{name}").isNotNull() & sf.col(name).isNull()


def any_unparseable(names: tuple[str, ...]) -> Column:
    """True when any of `names` has a present value that did not parse."""
    return reduce(lambda left, right: left | right, (unparseable(n) for n in names), sf.lit(False))
