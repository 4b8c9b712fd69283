"""Line cleaning, header normalisation, cell splitting and typed values."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import functions as sf
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from etl.contract import HEADER_ALIASES, HEADER_PREFIXES, normalise_header
from etl.layout import (
    HEADER_WORDS,
    LAYOUT_MISSING_REQUIRED,
    is_header_line,
    layout_for,
    normalised_header_cells,
)
from etl.parse import clean_lines, split_cells, typed_value
from etl.schema import CANONICAL_NAMES, RAW_LINES_SCHEMA
from tests.etl.helpers import TLC_HEADER, raw_lines, trip_line

HEADER_NAMES = [
    " VendorID ",
    "tpep_pickup_datetime",
    "LPEP_DROPOFF_DATETIME",
    '"RateCodeID"',
    "PULocationID",
    "DOLocationID",
    "\ufeffvendor_id",
    "surcharge_x",
    "",
]


def test_clean_lines_strips_bom_and_cr_and_drops_blank_lines(spark):
    raw = raw_lines(
        spark,
        {
            "a.csv": ["\ufeff" + TLC_HEADER + "\r", trip_line() + "\r", "\r", "   ", ""],
            "b.csv": ["vendor_id,total_amount", "1,2.5"],
        },
    )
    expected = spark.createDataFrame(
        [
            ("a.csv", TLC_HEADER, True),
            ("a.csv", trip_line(), False),
            ("b.csv", "vendor_id,total_amount", True),
            ("b.csv", "1,2.5", False),
        ],
        StructType([*RAW_LINES_SCHEMA.fields, StructField("is_header", BooleanType(), True)]),
    )
    assert_df_equality(clean_lines(raw), expected, ignore_row_order=True, ignore_nullable=True)


def test_spark_header_normalisation_matches_the_contract(spark):
    line = ",".join(HEADER_NAMES)
    df = spark.createDataFrame([(line,)], "line string")
    actual = df.select(normalised_header_cells(sf.col("line")).alias("cells"))
    expected = spark.createDataFrame(
        [([normalise_header(name) for name in HEADER_NAMES],)],
        StructType([StructField("cells", ArrayType(StringType(), True), True)]),
    )
    assert_df_equality(actual, expected, ignore_nullable=True)
    assert [normalise_header(name) for name in HEADER_NAMES] == [
        "vendor_id",
        "pickup_datetime",
        "dropoff_datetime",
        "rate_code_id",
        "pu_location_id",
        "do_location_id",
        "vendor_id",
        "surcharge_x",
        "",
    ]


def test_header_detection_needs_two_canonical_names(spark):
    df = spark.createDataFrame(
        [(TLC_HEADER,), ("vendor_id,foo",), ("VendorID,Total_Amount",), (trip_line(),)],
        "line string",
    )
    actual = df.select("line", is_header_line(sf.col("line")).alias("is_header"))
    expected = spark.createDataFrame(
        [
            (TLC_HEADER, True),
            ("vendor_id,foo", False),
            ("VendorID,Total_Amount", True),
            (trip_line(), False),
        ],
        "line string, is_header boolean",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_layout_maps_positions_and_reports_missing_and_unknown_columns():
    layout = layout_for("f.csv", "tpep_pickup_datetime,Extra_Col,VendorID,total_amount")
    assert layout.positions == {"pickup_datetime": 1, "vendor_id": 3, "total_amount": 4}
    assert layout.header_fields == 4
    assert layout.unknown_columns == ("extra_col",)
    assert layout.status == LAYOUT_MISSING_REQUIRED
    assert "passenger_count" in layout.missing_required
    assert "airport_fee" not in layout.missing_required


def test_split_cells_honours_quotes(spark):
    df = spark.createDataFrame(
        [('a,"b,c",,"say ""hi""", d ',), ("1,2,3",), ('"only"',)], "line string"
    )
    actual = df.select(split_cells(sf.col("line")).alias("cells"))
    expected = spark.createDataFrame(
        [(["a", "b,c", "", 'say "hi"', " d "],), (["1", "2", "3"],), (["only"],)],
        StructType([StructField("cells", ArrayType(StringType(), True), True)]),
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


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
        ("2015-1-5 1:2:3", None),
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


def test_every_known_name_contains_a_header_word():
    names = [*CANONICAL_NAMES, *HEADER_ALIASES, *(p + "pickup_datetime" for p in HEADER_PREFIXES)]
    assert [name for name in names if not any(word in name for word in HEADER_WORDS)] == []
