"""Parquet files of TLC trips, written with pyarrow in the physical types real writers chose."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.schema import CANONICAL_NAMES

PICKUPS = [dt.datetime(2024, 1, 1, 0, 57, 55), dt.datetime(2024, 1, 1, 1, 3, 0, 250000)]
DROPOFFS = [dt.datetime(2024, 1, 1, 1, 17, 43), dt.datetime(2024, 1, 1, 1, 9, 0)]


def yellow_table(types: dict[str, pa.DataType], airport_fee: str, **columns: list) -> pa.Table:
    """Two 2023/2024 yellow trips with the physical types given (the writer's choice)."""
    data = {
        "VendorID": [2, 1],
        "tpep_pickup_datetime": PICKUPS,
        "tpep_dropoff_datetime": DROPOFFS,
        "passenger_count": [1, None],
        "trip_distance": [1.72, 1.8],
        "RatecodeID": [1, None],
        "store_and_fwd_flag": ["N", None],
        "PULocationID": [186, 140],
        "DOLocationID": [79, 236],
        "payment_type": [2, 0],
        "fare_amount": [17.7, 10.0],
        "extra": [1.0, 3.5],
        "mta_tax": [0.5, 0.5],
        "tip_amount": [0.0, 3.75],
        "tolls_amount": [0.0, 0.0],
        "improvement_surcharge": [1.0, 1.0],
        "total_amount": [22.7, 18.75],
        "congestion_surcharge": [2.5, None],
        airport_fee: [0.0, None],
        **columns,
    }
    return pa.table({name: pa.array(values, types.get(name)) for name, values in data.items()})


# 2023: counts and codes as double, int64 ids, nanosecond timestamps (pandas' default).
TYPES_2023 = {
    "VendorID": pa.int64(),
    "tpep_pickup_datetime": pa.timestamp("ns"),
    "tpep_dropoff_datetime": pa.timestamp("ns"),
    "passenger_count": pa.float64(),
    "RatecodeID": pa.float64(),
    "store_and_fwd_flag": pa.string(),
    "PULocationID": pa.int64(),
    "DOLocationID": pa.int64(),
    "payment_type": pa.int64(),
}
# 2024: int32 ids, int64 counts, microsecond timestamps, large_string flags.
TYPES_2024 = {
    "VendorID": pa.int32(),
    "tpep_pickup_datetime": pa.timestamp("us"),
    "tpep_dropoff_datetime": pa.timestamp("us"),
    "passenger_count": pa.int64(),
    "RatecodeID": pa.int64(),
    "store_and_fwd_flag": pa.large_string(),
    "PULocationID": pa.int32(),
    "DOLocationID": pa.int32(),
    "payment_type": pa.int64(),
}

# A writer that keeps pandas' unsigned dtypes: every width of unsigned integer; times in ms.
TYPES_UNSIGNED = {
    **TYPES_2024,
    "tpep_pickup_datetime": pa.timestamp("ms"),
    "tpep_dropoff_datetime": pa.timestamp("ms"),
    "VendorID": pa.uint8(),
    "passenger_count": pa.uint8(),
    "RatecodeID": pa.uint16(),
    "PULocationID": pa.uint32(),
    "DOLocationID": pa.uint32(),
    "payment_type": pa.uint64(),
}


def write_parquet(path: Path, table: pa.Table) -> str:
    """Write `table` to `path` (folders made as needed); returns the file's URI."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Parquet format 2.6 keeps nanosecond timestamps as such instead of coercing them.
    pq.write_table(table, path, version="2.6")
    return path.as_uri()


def expected_rows(source: str) -> list[tuple]:
    """The canonical values of `yellow_table`'s two trips, and `source` as their source file."""
    common = {"service": "yellow", "mta_tax": 0.5, "tolls_amount": 0.0}
    rows = [
        {
            "vendor_id": 2,
            "pickup_datetime": PICKUPS[0],
            "dropoff_datetime": DROPOFFS[0],
            "passenger_count": 1,
            "trip_distance": 1.72,
            "rate_code_id": 1,
            "store_and_fwd_flag": "N",
            "pu_location_id": 186,
            "do_location_id": 79,
            "payment_type": 2,
            "fare_amount": 17.7,
            "extra": 1.0,
            "tip_amount": 0.0,
            "improvement_surcharge": 1.0,
            "total_amount": 22.7,
            "congestion_surcharge": 2.5,
            "airport_fee": 0.0,
        },
        {
            "vendor_id": 1,
            "pickup_datetime": PICKUPS[1],
            "dropoff_datetime": DROPOFFS[1],
            "trip_distance": 1.8,
            "pu_location_id": 140,
            "do_location_id": 236,
            "payment_type": 0,
            "fare_amount": 10.0,
            "extra": 3.5,
            "tip_amount": 3.75,
            "improvement_surcharge": 1.0,
            "total_amount": 18.75,
        },
    ]
    return [(*({**common, **r}.get(n) for n in CANONICAL_NAMES), source) for r in rows]
