"""Typed values: the accepted timestamp shapes and number validation."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType, StructField, StructType, TimestampType

from etl.contract import Column
from etl.parse import typed_string


def typed_value(raw, catalog_type):
    return typed_string(raw, Column("value", catalog_type, ""))


def test_timestamp_formats(spark):
    values = [
        ("2015-01-15 19:05:39", dt.datetime(2015, 1, 15, 19, 5, 39)),
        ("2015-01-15 19:05:39.5", dt.datetime(2015, 1, 15, 19, 5, 39, 500000)),
        ("2015-01-15 19:05:39.123456", dt.datetime(2015, 1, 15, 19, 5, 39, 123456)),
        ("2015-01-15T19:05:39", dt.datetime(2015, 1, 15, 19, 5, 39)),
        ("2015-01-15T19:05:39.250", dt.datetime(2015, 1, 15, 19, 5, 39, 250000)),
        ("01/15/2015 07:05:39 PM", dt.datetime(2015, 1, 15, 19, 5, 39)),
        ("01/15/2015 12:00:00 AM", dt.datetime(2015, 1, 15, 0, 0, 0)),
        ("2015-03-08 02:30:00", dt.datetime(2015, 3, 8, 2, 30, 0)),  # no DST shift: naive
        ("2015-01-15 19:05:39.123456789", dt.datetime(2015, 1, 15, 19, 5, 39, 123456)),
        ("2015-1-5 1:2:3", None),
        # Labelled UTC, as BigQuery exports its public TLC tables: the time as written.
        ("2015-01-15 19:05:39 UTC", dt.datetime(2015, 1, 15, 19, 5, 39)),
        ("2015-01-15T19:05:39.5Z", dt.datetime(2015, 1, 15, 19, 5, 39, 500000)),
        # Shapes the cast alone would accept, outside the contract.
        ("2015-01-15", None),
        ("2015-01-15 19:05:39+01:00", None),
        ("2015-01-15 19:05:39 EST", None),
        ("2015-01-15 19:05:39  UTC", None),
        ("2015-01-15 24:00:00", None),
        ("15/01/2015 19:05:39", None),
        ("2015-02-30 10:00:00", None),
        ("not a time", None),
        (None, None),
    ]
    schema = StructType(
        [StructField("raw", StringType(), True), StructField("ts", TimestampType(), True)]
    )
    df = spark.createDataFrame([(raw,) for raw, _ in values], "raw string")
    actual = df.select("raw", typed_value(sf.col("raw"), "timestamp").alias("ts"))
    assert_df_equality(actual, spark.createDataFrame(values, schema), ignore_nullable=True)


def test_numbers_are_validated_before_casting(spark):
    values = [
        ("12", 12, 12.0),
        ("+3", 3, 3.0),
        ("-4.0", -4, -4.0),
        ("2.50", None, 2.5),
        (".5", None, 0.5),
        ("1e3", None, 1000.0),
        ("$12.00", None, None),
        ("1,234.5", None, None),
        ("NaN", None, None),
        ("Infinity", None, None),
        ("3000000000", None, 3000000000.0),
        ("twelve", None, None),
    ]
    df = spark.createDataFrame([(raw,) for raw, _, _ in values], "raw string")
    actual = df.select(
        "raw",
        typed_value(sf.col("raw"), "int").alias("as_int"),
        typed_value(sf.col("raw"), "double").alias("as_double"),
    )
    expected = spark.createDataFrame(values, "raw string, as_int int, as_double double")
    assert_df_equality(actual, expected, ignore_nullable=True)
