"""Rejected rows written with the trips, in their own folder, come back exactly as they went in."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import functions as sf
from pyspark.sql.types import ArrayType, DateType, StringType, StructField, StructType

from etl.columns import RAW_LINE, RAW_STRINGS, REJECT_REASON, SOURCE_FILE
from etl.reject_folder import REJECTED_FOLDER, packed_source, read_rejected

REJECTED = StructType(
    [
        StructField(REJECT_REASON, StringType(), True),
        StructField(RAW_LINE, StringType(), True),
        StructField(RAW_STRINGS, ArrayType(StringType(), True), True),
        StructField(SOURCE_FILE, StringType(), True),
    ]
)
WRITTEN = StructType([*REJECTED.fields, StructField("pickup_date", DateType(), True)])


def test_rejected_rows_come_back_from_their_folder_string_for_string(spark, tmp_path):
    awkward = 'a "quoted", multi\nline \\ cell \t caf\u00c3\u00a9 \xe9 \ufffd {"json": [1]}'
    rows = [
        ("invalid_value", awkward, [awkward, None, "", "12"], "2015/01/a b+c.csv", None),
        ("malformed_line", "1,2", ["1", "2"], "x.parquet", None),
        ("missing_pickup_datetime", None, [None, None], "y.csv", None),
        (None, None, None, "trip.csv", dt.date(2015, 1, 15)),
    ]
    frame = spark.createDataFrame(rows, WRITTEN)
    staged = tmp_path / "trips"

    rejected = sf.col(REJECT_REASON).isNotNull()
    frame.select(packed_source(rejected).alias(SOURCE_FILE), "pickup_date").write.partitionBy(
        "pickup_date"
    ).parquet(str(staged))

    folders = sorted(p.name for p in staged.iterdir() if p.is_dir())
    assert folders == ["pickup_date=2015-01-15", REJECTED_FOLDER]
    # The line of the first row holds a byte that is not UTF-8 (`\xe9` alone, read one character
    # per byte): its parse failure is reported as such once it is read back.
    expected = spark.createDataFrame(
        [("invalid_encoding", *rows[0][1:4]), *(row[:4] for row in rows[1:3])], REJECTED
    )
    # The trip (no reason) keeps its own source_file, in its date's folder.
    assert_df_equality(
        read_rejected(spark, str(staged)),
        expected,
        ignore_row_order=True,
        ignore_nullable=True,
    )
