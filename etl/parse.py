"""String cells -> typed canonical values, with built-in Spark functions only (no UDFs)."""

from __future__ import annotations

from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from etl.contract import CANONICAL_COLUMNS
from etl.read import raw_column
from etl.schema import spark_type

# Accepted timestamp shapes (naive local times; the session time zone is UTC so nothing shifts).
# ISO_TIMESTAMP covers `yyyy-MM-dd HH:mm:ss[.fraction]` and the same with `T`; US_TIMESTAMP is
# `MM/dd/yyyy hh:mm:ss a`.
ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$"
US_TIMESTAMP = "MM/dd/yyyy hh:mm:ss a"


def parse_timestamp(raw: Column) -> Column:
    """Timestamp from one of the accepted shapes; null for anything else or an impossible time.

    ISO shapes go through Spark's cast, a hand-written parser several times faster than a
    pattern-based one; the shape check in front keeps the cast from accepting more than the
    contract (dates without a time, time zones). Only other strings try the US pattern.
    """
    return sf.when(raw.rlike(ISO_TIMESTAMP), raw.cast("timestamp")).otherwise(
        sf.try_to_timestamp(raw, sf.lit(US_TIMESTAMP))
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
        return parse_timestamp(raw)
    return raw.cast(spark_type(catalog_type))


def type_values(cells: DataFrame) -> DataFrame:
    """Add every canonical column, typed, next to the string it was parsed from."""
    return cells.select(
        "*",
        *(
            typed_value(sf.col(raw_column(column.name)), column.type).alias(column.name)
            for column in CANONICAL_COLUMNS
        ),
    )


def unparseable(name: str) -> Column:
    """True when column `name` has a present raw value that did not parse."""
    return sf.col(raw_column(name)).isNotNull() & sf.col(name).isNull()


def any_unparseable(names: tuple[str, ...]) -> Column:
    """True when any of `names` has a present value that did not parse."""
    return reduce(lambda left, right: left | right, (unparseable(n) for n in names), sf.lit(False))
