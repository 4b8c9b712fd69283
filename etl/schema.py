"""Spark schemas derived from `etl.contract`, so the job and the catalog tables share one source."""

from __future__ import annotations

from pyspark.sql.types import (
    DataType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from etl.columns import RAW_LINE, REJECT_REASON, RUN_ID, SOURCE_FILE
from etl.contract import (
    CANONICAL_COLUMNS,
    HOURLY_METRICS_COLUMNS,
    PARTITION_COLUMN,
    TRIPS_COLUMNS,
    Column,
)

_SPARK_TYPES: dict[str, DataType] = {
    "int": IntegerType(),
    "bigint": LongType(),
    "double": DoubleType(),
    "string": StringType(),
    "timestamp": TimestampType(),
    "date": DateType(),
}

CANONICAL_NAMES: tuple[str, ...] = tuple(column.name for column in CANONICAL_COLUMNS)


def spark_type(catalog_type: str) -> DataType:
    """Spark type for a Glue/Hive catalog type name used in the contract."""
    return _SPARK_TYPES[catalog_type]


def struct_of(columns: tuple[Column, ...], nullable: bool = True) -> StructType:
    """StructType with the contract's column names and types, in contract order."""
    return StructType(
        [StructField(column.name, spark_type(column.type), nullable) for column in columns]
    )


_PARTITION_FIELD = StructField(PARTITION_COLUMN.name, spark_type(PARTITION_COLUMN.type), True)

# Typed canonical trip columns, as they leave parsing.
CANONICAL_SCHEMA: StructType = struct_of(CANONICAL_COLUMNS)

# Trips and hourly metrics as the pipeline holds them: the partition column is the last field.
TRIPS_SCHEMA: StructType = StructType([*struct_of(TRIPS_COLUMNS).fields, _PARTITION_FIELD])
HOURLY_METRICS_SCHEMA: StructType = StructType(
    [*struct_of(HOURLY_METRICS_COLUMNS).fields, _PARTITION_FIELD]
)

# Quarantine keeps every canonical value exactly as read (strings) so a bad row can be inspected
# and replayed; raw_line matters for malformed lines whose cells cannot be trusted.
QUARANTINE_SCHEMA: StructType = StructType(
    [
        *(StructField(name, StringType(), True) for name in CANONICAL_NAMES),
        StructField(RAW_LINE, StringType(), True),
        StructField(REJECT_REASON, StringType(), True),
        StructField(SOURCE_FILE, StringType(), True),
        StructField(RUN_ID, StringType(), True),
    ]
)


# Near-unique measurements (times, coordinates, amounts) overflow Parquet's dictionary and fall
# back to plain encoding anyway, after a hash lookup per value; codes and flags keep dictionaries.
_NO_DICTIONARY = (
    "pickup_datetime",
    "dropoff_datetime",
    "trip_distance",
    "pickup_longitude",
    "pickup_latitude",
    "dropoff_longitude",
    "dropoff_latitude",
    "fare_amount",
    "tip_amount",
    "total_amount",
)
TRIPS_WRITE_OPTIONS = {f"parquet.enable.dictionary#{name}": "false" for name in _NO_DICTIONARY}
