"""The TLC's own Parquet files of 2009 and 2010, as its download page serves them today.

The TLC re-issued its early years as Parquet with the types a dataframe library inferred from the
CSV: times, vendors and payments as strings (words, as in the CSV), counts as int64, and the
store-and-forward flag, mostly empty, as a double holding 0.0 and 1.0.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from chispa import assert_df_equality

from etl.batch_read import parse_files
from etl.quarantine import valid_rows
from etl.reject_folder import raw_string
from etl.schema import CANONICAL_SCHEMA
from tests.etl.helpers import canonical_row

# The footer schemas of yellow_tripdata_2009-*.parquet and yellow_tripdata_2010-*.parquet.
SCHEMA_2009 = pa.schema(
    [
        ("vendor_name", pa.string()),
        ("Trip_Pickup_DateTime", pa.string()),
        ("Trip_Dropoff_DateTime", pa.string()),
        ("Passenger_Count", pa.int64()),
        ("Trip_Distance", pa.float64()),
        ("Start_Lon", pa.float64()),
        ("Start_Lat", pa.float64()),
        ("Rate_Code", pa.float64()),
        ("store_and_forward", pa.float64()),
        ("End_Lon", pa.float64()),
        ("End_Lat", pa.float64()),
        ("Payment_Type", pa.string()),
        ("Fare_Amt", pa.float64()),
        ("surcharge", pa.float64()),
        ("mta_tax", pa.float64()),
        ("Tip_Amt", pa.float64()),
        ("Tolls_Amt", pa.float64()),
        ("Total_Amt", pa.float64()),
    ]
)
SCHEMA_2010 = pa.schema(
    [
        ("vendor_id", pa.string()),
        ("pickup_datetime", pa.string()),
        ("dropoff_datetime", pa.string()),
        ("passenger_count", pa.int64()),
        ("trip_distance", pa.float64()),
        ("pickup_longitude", pa.float64()),
        ("pickup_latitude", pa.float64()),
        ("rate_code", pa.int64()),
        ("store_and_fwd_flag", pa.float64()),
        ("dropoff_longitude", pa.float64()),
        ("dropoff_latitude", pa.float64()),
        ("payment_type", pa.string()),
        ("fare_amount", pa.float64()),
        ("surcharge", pa.float64()),
        ("mta_tax", pa.float64()),
        ("tip_amount", pa.float64()),
        ("tolls_amount", pa.float64()),
        ("total_amount", pa.float64()),
    ]
)


def _write(path: Path, schema: pa.Schema, rows: list[tuple]) -> str:
    records = [dict(zip(schema.names, row, strict=True)) for row in rows]
    pq.write_table(pa.Table.from_pylist(records, schema), path)
    return path.as_uri()


def test_the_tlcs_2009_and_2010_parquet_files_load_with_their_flags_and_words(spark, tmp_path):
    files = [
        _write(
            tmp_path / "yellow_tripdata_2009-01.parquet",
            SCHEMA_2009,
            [
                # VTS trips leave the flag empty, CMT trips write 0 or 1.
                ("VTS", "2009-01-04 02:52:00", "2009-01-04 03:02:00", 1, 2.63, -73.991957,
                 40.721567, None, None, -73.993803, 40.695922, "CASH", 8.9, 0.5, None, 0.0, 0.0,
                 9.4),
                ("CMT", "2009-01-04 03:31:00", "2009-01-04 03:38:00", 3, 4.55, -73.982102,
                 40.73629, 1.0, 0.0, -73.95585, 40.76803, "Credit", 12.1, 0.5, None, 2.0, 0.0,
                 14.6),
                ("CMT", "2009-01-04 04:10:00", "2009-01-04 04:19:00", 1, 1.2, -73.9851,
                 40.7508, None, 1.0, -73.9712, 40.7575, "Cash", 6.1, 0.0, None, 0.0, 0.0, 6.1),
            ],
        ),
        _write(
            tmp_path / "yellow_tripdata_2010-01.parquet",
            SCHEMA_2010,
            [
                ("CMT", "2010-01-26 07:41:00", "2010-01-26 07:45:00", 1, 0.75, -73.956778,
                 40.76775, 1, 0.0, -73.965957, 40.765232, "Cre", 4.5, 0.0, 0.5, 1.0, 0.0, 6.0),
                ("VTS", "2010-01-26 08:02:00", "2010-01-26 08:09:00", 2, 1.1, -73.9901,
                 40.7402, 1, None, -73.9822, 40.7611, "CAS", 5.3, 0.0, 0.5, 0.0, 0.0, 5.8),
            ],
        ),
    ]  # fmt: skip
    batch = parse_files(spark, files)
    assert batch.failed_files == []
    assert batch.unknown_columns == []
    assert batch.checked.where("reject_reason is not null").count() == 0
    actual = valid_rows(batch.checked).drop("source_file", "pickup_date")
    ts = dt.datetime.fromisoformat
    expected = spark.createDataFrame(
        [
            canonical_row(vendor_id=2, pickup_datetime=ts("2009-01-04 02:52:00"),
                  dropoff_datetime=ts("2009-01-04 03:02:00"), passenger_count=1,
                  trip_distance=2.63, pickup_longitude=-73.991957, pickup_latitude=40.721567,
                  dropoff_longitude=-73.993803, dropoff_latitude=40.695922, payment_type=2,
                  fare_amount=8.9, extra=0.5, tip_amount=0.0, tolls_amount=0.0, total_amount=9.4,
                  service="yellow"),
            canonical_row(vendor_id=1, pickup_datetime=ts("2009-01-04 03:31:00"),
                  dropoff_datetime=ts("2009-01-04 03:38:00"), passenger_count=3,
                  trip_distance=4.55, pickup_longitude=-73.982102, pickup_latitude=40.73629,
                  rate_code_id=1, store_and_fwd_flag="N", dropoff_longitude=-73.95585,
                  dropoff_latitude=40.76803, payment_type=1, fare_amount=12.1, extra=0.5,
                  tip_amount=2.0, tolls_amount=0.0, total_amount=14.6, service="yellow"),
            canonical_row(vendor_id=1, pickup_datetime=ts("2009-01-04 04:10:00"),
                  dropoff_datetime=ts("2009-01-04 04:19:00"), passenger_count=1,
                  trip_distance=1.2, pickup_longitude=-73.9851, pickup_latitude=40.7508,
                  store_and_fwd_flag="Y", dropoff_longitude=-73.9712, dropoff_latitude=40.7575,
                  payment_type=2, fare_amount=6.1, extra=0.0, tip_amount=0.0, tolls_amount=0.0,
                  total_amount=6.1, service="yellow"),
            canonical_row(vendor_id=1, pickup_datetime=ts("2010-01-26 07:41:00"),
                  dropoff_datetime=ts("2010-01-26 07:45:00"), passenger_count=1,
                  trip_distance=0.75, pickup_longitude=-73.956778, pickup_latitude=40.76775,
                  rate_code_id=1, store_and_fwd_flag="N", dropoff_longitude=-73.965957,
                  dropoff_latitude=40.765232, payment_type=1, fare_amount=4.5, extra=0.0,
                  mta_tax=0.5, tip_amount=1.0, tolls_amount=0.0, total_amount=6.0,
                  service="yellow"),
            canonical_row(vendor_id=2, pickup_datetime=ts("2010-01-26 08:02:00"),
                  dropoff_datetime=ts("2010-01-26 08:09:00"), passenger_count=2,
                  trip_distance=1.1, pickup_longitude=-73.9901, pickup_latitude=40.7402,
                  rate_code_id=1, dropoff_longitude=-73.9822, dropoff_latitude=40.7611,
                  payment_type=2, fare_amount=5.3, extra=0.0, mta_tax=0.5, tip_amount=0.0,
                  tolls_amount=0.0, total_amount=5.8, service="yellow"),
        ],
        CANONICAL_SCHEMA,
    )  # fmt: skip
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_numeric_flag_other_than_0_or_1_is_quarantined_as_written(spark, tmp_path):
    flags = [0.0, 1.0, 0.5, 2.0, -0.0, float("nan")]
    rows = [
        ("CMT", f"2010-01-26 07:{i:02d}:00", None, 1, 1.0, None, None, 1, flag, None, None, "CAS",
         4.5, 0.0, 0.5, 0.0, 0.0, 5.0)
        for i, flag in enumerate(flags)
    ]  # fmt: skip
    path = _write(tmp_path / "yellow_tripdata_2010-02.parquet", SCHEMA_2010, rows)
    checked = parse_files(spark, [path]).checked
    actual = checked.select(
        raw_string("store_and_fwd_flag").alias("written"), "store_and_fwd_flag", "reject_reason"
    )
    expected = spark.createDataFrame(
        [
            (None, "N", None),
            (None, "Y", None),
            ("0.5", None, "invalid_value"),
            ("2.0", None, "invalid_value"),
            (None, "N", None),
            ("NaN", None, "invalid_value"),
        ],
        "written string, store_and_fwd_flag string, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
