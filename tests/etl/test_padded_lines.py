"""CSV files whose data lines carry empty fields beyond their header's: the TLC's green CSVs of
2013-2016 have 20 or 21 names in the header and two more, always empty, fields on every line."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import functions as sf

from etl.layout import layout_for
from etl.quarantine import valid_rows
from etl.schema import CANONICAL_SCHEMA
from tests.etl.helpers import canonical_row, checked_rows

GREEN_2014 = (
    "VendorID,lpep_pickup_datetime,Lpep_dropoff_datetime,Store_and_fwd_flag,RateCodeID,"
    "Pickup_longitude,Pickup_latitude,Dropoff_longitude,Dropoff_latitude,Passenger_count,"
    "Trip_distance,Fare_amount,Extra,MTA_tax,Tip_amount,Tolls_amount,Ehail_fee,Total_amount,"
    "Payment_type,Trip_type "
)
FIRST = (
    "2,2014-01-01 00:10:12,2014-01-01 00:21:07,N,1,-73.950813,40.711811,-73.958023,40.717212,"
    "1,1.42,8.5,0.5,0.5,0,0,,9.5,2,1"
)
SECOND = (
    "2,2014-01-01 00:31:40,2014-01-01 00:44:02,N,1,-73.944633,40.807026,-73.953857,40.782497,"
    "2,1.95,10,0.5,0.5,2.1,0,,13.1,1,1"
)


def _trip(pickup: str, dropoff: str, coordinates: tuple[float, ...], **values: object) -> tuple:
    longitude, latitude, dropoff_longitude, dropoff_latitude = coordinates
    row = {
        "vendor_id": 2,
        "pickup_datetime": dt.datetime.fromisoformat(pickup),
        "dropoff_datetime": dt.datetime.fromisoformat(dropoff),
        "pickup_longitude": longitude,
        "pickup_latitude": latitude,
        "dropoff_longitude": dropoff_longitude,
        "dropoff_latitude": dropoff_latitude,
        "rate_code_id": 1,
        "store_and_fwd_flag": "N",
        "extra": 0.5,
        "mta_tax": 0.5,
        "tolls_amount": 0.0,
        "trip_type": 1,
        "service": "green",
        **values,
    }
    return canonical_row(**row)


def test_empty_fields_past_the_header_are_padding_not_a_malformed_line(spark, tmp_path):
    lines = [GREEN_2014, "", f"{FIRST},,", f"{SECOND},,"]
    checked = checked_rows(spark, tmp_path, {"green_tripdata_2014-01.csv": lines})
    assert checked.where(sf.col("reject_reason").isNotNull()).count() == 0
    actual = valid_rows(checked).drop("source_file", "pickup_date")
    expected = spark.createDataFrame(
        [
            _trip("2014-01-01 00:10:12", "2014-01-01 00:21:07",
                  (-73.950813, 40.711811, -73.958023, 40.717212), passenger_count=1,
                  trip_distance=1.42, fare_amount=8.5, tip_amount=0.0, total_amount=9.5,
                  payment_type=2),
            _trip("2014-01-01 00:31:40", "2014-01-01 00:44:02",
                  (-73.944633, 40.807026, -73.953857, 40.782497), passenger_count=2,
                  trip_distance=1.95, fare_amount=10.0, tip_amount=2.1, total_amount=13.1,
                  payment_type=1),
        ],
        CANONICAL_SCHEMA,
    )  # fmt: skip
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_padded_file_still_quarantines_lines_of_any_other_shape(spark, tmp_path):
    # Every line must carry the padding most of the first data lines show: without it a line
    # could as well be short of its last fields. A value in it, or a field more or less, is a
    # malformed line, kept as read.
    shifted = FIRST.replace(",8.5,", ",8,5,")
    good = [f"{SECOND.replace('00:31', f'00:{m}')},," for m in (33, 34, 35, 36)]
    lines = [
        GREEN_2014,
        f"{FIRST},,",
        SECOND,
        *good,
        f"{SECOND.replace('00:31', '00:32')},,x",
        f"{shifted},,",
        f"{FIRST.replace('00:10', '00:11')},",
        '2,"2014-01-01 00:12:00",2014-01-01 00:20:00,N,1,,,,,1,1,"8,5",0.5,0.5,0,0,,9.5,2,1,,',
    ]
    checked = checked_rows(spark, tmp_path, {"green_tripdata_2014-02.csv": lines})
    actual = checked.select("pickup_datetime", "raw_line", "reject_reason")
    ts = dt.datetime.fromisoformat
    expected = spark.createDataFrame(
        [
            (ts("2014-01-01 00:10:12"), None, None),
            (ts("2014-01-01 00:31:40"), SECOND, "malformed_line"),
            *((ts(f"2014-01-01 00:{m}:40"), None, None) for m in (33, 34, 35, 36)),
            (ts("2014-01-01 00:32:40"), f"{SECOND.replace('00:31', '00:32')},,x",
             "malformed_line"),
            (ts("2014-01-01 00:10:12"), f"{shifted},,", "malformed_line"),
            (ts("2014-01-01 00:11:12"), f"{FIRST.replace('00:10', '00:11')},",
             "malformed_line"),
            # A quoted comma is no field separator: 20 fields and the padding, `8,5` invalid.
            (ts("2014-01-01 00:12:00"),
             "2,2014-01-01 00:12:00,2014-01-01 00:20:00,N,1,,,,,1,1,\"8,5\",0.5,0.5,0,0,,9.5,2,1,,",
             "invalid_value"),
        ],
        "pickup_datetime timestamp, raw_line string, reject_reason string",
    )  # fmt: skip
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_padding_is_what_most_first_data_lines_add_past_the_header_when_all_empty():
    padded, plain = f"{FIRST},,", FIRST
    assert layout_for(GREEN_2014, data_lines=[padded, padded]).padding == 2
    assert layout_for(GREEN_2014, data_lines=[f"{FIRST}, , ", padded]).padding == 2
    assert layout_for(GREEN_2014, data_lines=[plain, plain]).padding == 0
    assert layout_for(GREEN_2014, data_lines=[f"{FIRST},,x"]).padding == 0
    assert layout_for(GREEN_2014, data_lines=[FIRST.rsplit(",", 1)[0]]).padding == 0
    assert layout_for(GREEN_2014).padding == 0
    # One odd line decides nothing: a junk first line, or one trailing comma among plain lines.
    assert layout_for(GREEN_2014, data_lines=["," * 29, padded, padded]).padding == 2
    assert layout_for(GREEN_2014, data_lines=[f"{FIRST},", plain, plain]).padding == 0
    assert layout_for(GREEN_2014, data_lines=[padded, plain]).padding == 0
    # Files with one header but different padding are read apart.
    assert layout_for(GREEN_2014, data_lines=[padded]) != layout_for(GREEN_2014)


def test_one_odd_line_at_the_top_of_a_file_is_quarantined_alone(spark, tmp_path):
    plain = [FIRST.replace("00:10", f"00:{m:02d}") for m in range(10)]
    files = {
        # Only the first data line ends with a separator: the file has no padding.
        "green_tripdata_2014-03.csv": [GREEN_2014, f"{FIRST},", *plain],
        # A junk line of separators first (a spreadsheet's empty row), then padded lines.
        "green_tripdata_2014-04.csv": [GREEN_2014, "," * 29, *(f"{line},," for line in plain)],
    }
    checked = checked_rows(spark, tmp_path, files)
    actual = checked.groupBy("source_file", "reject_reason").count()
    expected = spark.createDataFrame(
        [
            ("green_tripdata_2014-03.csv", None, 10),
            ("green_tripdata_2014-03.csv", "malformed_line", 1),
            ("green_tripdata_2014-04.csv", None, 10),
            ("green_tripdata_2014-04.csv", "malformed_line", 1),
        ],
        "source_file string, reject_reason string, count long",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
