"""Files of every TLC era, as people download them, map onto the one canonical schema."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType, StructField, StructType

from etl.quarantine import valid_rows
from etl.reject_folder import raw_string
from etl.schema import CANONICAL_SCHEMA
from tests.etl.helpers import canonical_row, checked_rows

YELLOW_2009 = (
    "vendor_name,Trip_Pickup_DateTime,Trip_Dropoff_DateTime,Passenger_Count,Trip_Distance,"
    "Start_Lon,Start_Lat,Rate_Code,store_and_forward,End_Lon,End_Lat,Payment_Type,Fare_Amt,"
    "surcharge,mta_tax,Tip_Amt,Tolls_Amt,Total_Amt"
)
YELLOW_2010 = (
    "vendor_id,pickup_datetime,dropoff_datetime,passenger_count,trip_distance,pickup_longitude,"
    "pickup_latitude,rate_code,store_and_fwd_flag,dropoff_longitude,dropoff_latitude,"
    "payment_type,fare_amount,surcharge,mta_tax,tip_amount,tolls_amount,total_amount"
)
YELLOW_2015 = (
    "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,trip_distance,"
    "pickup_longitude,pickup_latitude,RateCodeID,store_and_fwd_flag,dropoff_longitude,"
    "dropoff_latitude,payment_type,fare_amount,extra,mta_tax,tip_amount,tolls_amount,"
    "improvement_surcharge,total_amount"
)
YELLOW_2019 = (
    "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,trip_distance,"
    "RatecodeID,store_and_fwd_flag,PULocationID,DOLocationID,payment_type,fare_amount,extra,"
    "mta_tax,tip_amount,tolls_amount,improvement_surcharge,total_amount,congestion_surcharge"
)
GREEN_2019 = (
    "VendorID,lpep_pickup_datetime,lpep_dropoff_datetime,store_and_fwd_flag,RatecodeID,"
    "PULocationID,DOLocationID,passenger_count,trip_distance,fare_amount,extra,mta_tax,"
    "tip_amount,tolls_amount,ehail_fee,improvement_surcharge,total_amount,payment_type,"
    "trip_type,congestion_surcharge"
)
SEED_SIMPLIFIED = (
    "pickup_datetime,dropoff_datetime,pickup_longitude,pickup_latitude,dropoff_longitude,"
    "dropoff_latitude,passenger_count,trip_distance,total_amount"
)

FILES: dict[str, list[str]] = {
    "yellow_tripdata_2009-01.csv": [
        YELLOW_2009,
        "VTS,2009-01-04 02:52:00,2009-01-04 03:02:00,1,2.63,-73.991957,40.721567,,,"
        "-73.993803,40.695922,CASH,8.9,0.5,,0,0,9.4",
    ],
    # 2010-2014 files have an empty line after the header.
    "yellow_tripdata_2010-01.csv": [
        YELLOW_2010,
        "",
        "CMT,2010-01-26 07:41:00,2010-01-26 07:45:00,1,.75,-73.956778,40.76775,1,0,"
        "-73.965957,40.765232,Cre,4.5,0,0.5,1,0,6",
    ],
    "yellow_tripdata_2015-01.csv": [
        YELLOW_2015,
        "2,2015-01-15 19:05:39,2015-01-15 19:23:42,1,1.59,-73.993896,40.750111,1,N,"
        "-73.974785,40.750618,1,12,1,0.5,3.25,0,0.3,17.05",
    ],
    "yellow_tripdata_2019-01.csv": [
        YELLOW_2019,
        "1,2019-01-01 00:46:40,2019-01-01 00:53:20,1,1.50,1,N,151,239,1,7,0.5,0.5,1.65,0,0.3,9.95,",
    ],
    "green_tripdata_2019-01.csv": [
        GREEN_2019,
        "2,2019-01-01 00:10:16,2019-01-01 00:16:32,N,1,97,49,2,.86,6,0.5,0.5,0,0,,0.3,7.3,2,1,0",
    ],
    # NYC Open Data exports: the same names, US timestamps.
    "2019_Yellow_Taxi_Trip_Data.csv": [
        YELLOW_2019,
        "2,01/15/2019 02:05:33 PM,01/15/2019 02:25:10 PM,1,2.1,1,N,151,239,1,10,0,0.5,2.26,"
        "0,0.3,13.56,2.5",
    ],
    "trips.csv": [
        SEED_SIMPLIFIED,
        "2015-01-15 19:05:39,2015-01-15 19:23:42,-73.99,40.75,-73.97,40.76,1,1.5,17.05",
    ],
}


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


EXPECTED = [
    canonical_row(
        vendor_id=2,
        pickup_datetime=_ts("2009-01-04 02:52:00"),
        dropoff_datetime=_ts("2009-01-04 03:02:00"),
        passenger_count=1,
        trip_distance=2.63,
        pickup_longitude=-73.991957,
        pickup_latitude=40.721567,
        dropoff_longitude=-73.993803,
        dropoff_latitude=40.695922,
        payment_type=2,
        fare_amount=8.9,
        extra=0.5,
        tip_amount=0.0,
        tolls_amount=0.0,
        total_amount=9.4,
        service="yellow",
    ),
    canonical_row(
        vendor_id=1,
        pickup_datetime=_ts("2010-01-26 07:41:00"),
        dropoff_datetime=_ts("2010-01-26 07:45:00"),
        passenger_count=1,
        trip_distance=0.75,
        pickup_longitude=-73.956778,
        pickup_latitude=40.76775,
        dropoff_longitude=-73.965957,
        dropoff_latitude=40.765232,
        rate_code_id=1,
        store_and_fwd_flag="N",
        payment_type=1,
        fare_amount=4.5,
        extra=0.0,
        mta_tax=0.5,
        tip_amount=1.0,
        tolls_amount=0.0,
        total_amount=6.0,
        service="yellow",
    ),
    canonical_row(
        vendor_id=2,
        pickup_datetime=_ts("2015-01-15 19:05:39"),
        dropoff_datetime=_ts("2015-01-15 19:23:42"),
        passenger_count=1,
        trip_distance=1.59,
        pickup_longitude=-73.993896,
        pickup_latitude=40.750111,
        dropoff_longitude=-73.974785,
        dropoff_latitude=40.750618,
        rate_code_id=1,
        store_and_fwd_flag="N",
        payment_type=1,
        fare_amount=12.0,
        extra=1.0,
        mta_tax=0.5,
        tip_amount=3.25,
        tolls_amount=0.0,
        improvement_surcharge=0.3,
        total_amount=17.05,
        service="yellow",
    ),
    canonical_row(
        vendor_id=1,
        pickup_datetime=_ts("2019-01-01 00:46:40"),
        dropoff_datetime=_ts("2019-01-01 00:53:20"),
        passenger_count=1,
        trip_distance=1.5,
        pu_location_id=151,
        do_location_id=239,
        rate_code_id=1,
        store_and_fwd_flag="N",
        payment_type=1,
        fare_amount=7.0,
        extra=0.5,
        mta_tax=0.5,
        tip_amount=1.65,
        tolls_amount=0.0,
        improvement_surcharge=0.3,
        total_amount=9.95,
        service="yellow",
    ),
    canonical_row(
        vendor_id=2,
        pickup_datetime=_ts("2019-01-01 00:10:16"),
        dropoff_datetime=_ts("2019-01-01 00:16:32"),
        passenger_count=2,
        trip_distance=0.86,
        pu_location_id=97,
        do_location_id=49,
        rate_code_id=1,
        store_and_fwd_flag="N",
        payment_type=2,
        fare_amount=6.0,
        extra=0.5,
        mta_tax=0.5,
        tip_amount=0.0,
        tolls_amount=0.0,
        improvement_surcharge=0.3,
        congestion_surcharge=0.0,
        total_amount=7.3,
        trip_type=1,
        service="green",
    ),
    canonical_row(
        vendor_id=2,
        pickup_datetime=_ts("2019-01-15 14:05:33"),
        dropoff_datetime=_ts("2019-01-15 14:25:10"),
        passenger_count=1,
        trip_distance=2.1,
        pu_location_id=151,
        do_location_id=239,
        rate_code_id=1,
        store_and_fwd_flag="N",
        payment_type=1,
        fare_amount=10.0,
        extra=0.0,
        mta_tax=0.5,
        tip_amount=2.26,
        tolls_amount=0.0,
        improvement_surcharge=0.3,
        congestion_surcharge=2.5,
        total_amount=13.56,
        service="yellow",
    ),
    canonical_row(
        pickup_datetime=_ts("2015-01-15 19:05:39"),
        dropoff_datetime=_ts("2015-01-15 19:23:42"),
        passenger_count=1,
        trip_distance=1.5,
        pickup_longitude=-73.99,
        pickup_latitude=40.75,
        dropoff_longitude=-73.97,
        dropoff_latitude=40.76,
        total_amount=17.05,
    ),
]


def test_every_era_loads_with_its_values_mapped(spark, tmp_path):
    checked = checked_rows(spark, tmp_path, FILES)
    assert checked.where(sf.col("reject_reason").isNotNull()).count() == 0
    actual = valid_rows(checked).drop("source_file", "pickup_date")
    expected = spark.createDataFrame(EXPECTED, CANONICAL_SCHEMA)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


WORDS_VIEW = StructType(
    [
        StructField("vendor", StringType()),
        StructField("payment", StringType()),
        StructField("flag", StringType()),
        StructField("vendor_id", StringType()),
        StructField("payment_type", StringType()),
        StructField("store_and_fwd_flag", StringType()),
        StructField("reject_reason", StringType()),
    ]
)

# (vendor, payment, store-and-forward) as written -> the codes, or the row's reject reason.
WORD_CASES = [
    ("CMT", "CRD", "0", "1", "1", "N", None),
    ("VTS", "CSH", "1", "2", "2", "Y", None),
    ("cmt", "Credit", "n", "1", "1", "N", None),
    ("DDS", "CASH", "y", None, "2", "Y", None),  # a vendor with no TLC code: null, not a reject
    ("2", "No Charge", "N", "2", "3", "N", None),
    ("1", "NOC", "", "1", "3", None, None),
    ("1", "dispute", "Y", "1", "4", "Y", None),
    ("1", "DIS", "N", "1", "4", "N", None),
    ("1", "UNK", "N", "1", "5", "N", None),
    ("1", "Cas", "N", "1", "2", "N", None),
    ("1", "CRE", "N", "1", "1", "N", None),
    ("1", "No ", "N", "1", "3", "N", None),  # No Charge as some 2010 files spell it
    # A float flag written as text (pandas' CSV of the TLC's 2009-2010 Parquet files).
    ("2", "CAS", "1.0", "2", "2", "Y", None),
    ("2", "CAS", "0.0", "2", "2", "N", None),
    ("1", "0", "N", "1", "0", "N", None),  # 2024 files have payment_type 0
    ("1", "Bogus", "N", "1", None, "N", "invalid_value"),
    ("1x", "CSH", "N", None, "2", "N", "invalid_value"),
    ("1", "CSH", "X", "1", "2", None, "invalid_value"),
]


def test_word_codes_map_to_the_tlc_codes(spark, tmp_path):
    lines = [YELLOW_2010, ""]
    for minute, (vendor, payment, flag, *_) in enumerate(WORD_CASES):
        lines.append(
            f"{vendor},2010-01-26 07:{minute:02d}:00,2010-01-26 07:59:00,1,1,-73.9,40.7,1,{flag},"
            f"-73.9,40.7,{payment},4.5,0,0.5,0,0,5"
        )
    checked = checked_rows(spark, tmp_path, {"yellow_tripdata_2010-02.csv": lines})
    # Quarantine keeps the strings as written; valid rows have the codes.
    actual = checked.select(
        raw_string("vendor_id").alias("vendor"),
        raw_string("payment_type").alias("payment"),
        raw_string("store_and_fwd_flag").alias("flag"),
        sf.col("vendor_id").cast("string"),
        sf.col("payment_type").cast("string"),
        "store_and_fwd_flag",
        "reject_reason",
    )
    rejected = [
        (vendor, payment, flag or None, v, p, s, reason)
        if reason
        else (None, None, None, v, p, s, None)
        for vendor, payment, flag, v, p, s, reason in WORD_CASES
    ]
    expected = spark.createDataFrame(rejected, WORDS_VIEW)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
