"""Trips exported from BigQuery's public TLC tables (`bigquery-public-data.new_york_taxi_trips`):
their own column names and times labelled UTC, as `bq extract` writes CSV."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import functions as sf

from etl.quarantine import valid_rows
from etl.schema import CANONICAL_SCHEMA
from tests.etl.helpers import canonical_row, checked_rows

# tlc_yellow_trips_2017 and later, in the table's column order.
BIGQUERY_YELLOW = (
    "vendor_id,pickup_datetime,dropoff_datetime,passenger_count,trip_distance,rate_code,"
    "store_and_fwd_flag,payment_type,fare_amount,extra,mta_tax,tip_amount,tolls_amount,"
    "imp_surcharge,total_amount,pickup_location_id,dropoff_location_id,data_file_year,"
    "data_file_month"
)


def test_a_bigquery_export_maps_its_names_and_reads_its_utc_labels_as_written(spark, tmp_path):
    lines = [
        BIGQUERY_YELLOW,
        "2,2017-01-09 11:13:28 UTC,2017-01-09 11:25:45 UTC,1,3.3,1,N,1,12.5,0,0.5,2,0,0.3,15.3,"
        "263,161,2017,1",
        # The same vendor and times in other zones: another trip, not a duplicate.
        "2,2017-01-09 11:13:28 UTC,2017-01-09 11:25:45 UTC,2,0.9,1,N,2,6.5,0,0.5,0,0,0.3,7.3,"
        "48,50,2017,1",
    ]
    checked = checked_rows(spark, tmp_path, {"yellow_trips_2017-000000000000.csv": lines})
    assert checked.where(sf.col("reject_reason").isNotNull()).count() == 0
    actual = valid_rows(checked).drop("source_file", "pickup_date")

    def trip(**values: object) -> tuple:
        common = {
            "vendor_id": 2,
            "pickup_datetime": dt.datetime(2017, 1, 9, 11, 13, 28),
            "dropoff_datetime": dt.datetime(2017, 1, 9, 11, 25, 45),
            "rate_code_id": 1,
            "store_and_fwd_flag": "N",
            "extra": 0.0,
            "mta_tax": 0.5,
            "tolls_amount": 0.0,
            "improvement_surcharge": 0.3,
            "service": "yellow",
        }
        return canonical_row(**{**common, **values})

    expected = spark.createDataFrame(
        [
            trip(passenger_count=1, trip_distance=3.3, payment_type=1, fare_amount=12.5,
                 tip_amount=2.0, total_amount=15.3, pu_location_id=263, do_location_id=161),
            trip(passenger_count=2, trip_distance=0.9, payment_type=2, fare_amount=6.5,
                 tip_amount=0.0, total_amount=7.3, pu_location_id=48, do_location_id=50),
        ],
        CANONICAL_SCHEMA,
    )  # fmt: skip
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
