"""The data contract shared by the Spark job and the infrastructure.

Plain Python on purpose (no pyspark import): the Pulumi program declares the curated Glue catalog
tables from these same definitions, so the job's output schema and the catalog cannot drift.
Types are Glue/Hive catalog type names; `etl.schema` turns them into Spark types.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str


# Canonical trip columns, in output order. Every one of them must be present in an input file's
# header: a file without one of them has all its rows quarantined.
REQUIRED_COLUMNS: tuple[Column, ...] = (
    Column("vendor_id", "int", "TPEP/LPEP provider code"),
    Column("pickup_datetime", "timestamp", "Meter engaged, naive local time"),
    Column("dropoff_datetime", "timestamp", "Meter disengaged, naive local time"),
    Column("passenger_count", "int", "Passengers reported by the driver (0-9)"),
    Column("trip_distance", "double", "Trip distance in miles"),
    Column("pickup_longitude", "double", "Pickup longitude"),
    Column("pickup_latitude", "double", "Pickup latitude"),
    Column("rate_code_id", "int", "Final rate code"),
    Column("store_and_fwd_flag", "string", "Y/N: trip record held in vehicle memory"),
    Column("dropoff_longitude", "double", "Dropoff longitude"),
    Column("dropoff_latitude", "double", "Dropoff latitude"),
    Column("payment_type", "int", "Payment type code"),
    Column("fare_amount", "double", "Time-and-distance fare"),
    Column("extra", "double", "Miscellaneous extras and surcharges"),
    Column("mta_tax", "double", "MTA tax"),
    Column("tip_amount", "double", "Tip amount (card tips only)"),
    Column("tolls_amount", "double", "Tolls paid"),
    Column("improvement_surcharge", "double", "Improvement surcharge"),
    Column("total_amount", "double", "Total charged to passengers, excluding cash tips"),
)

# Present in newer TLC files only; null when a file does not have them.
OPTIONAL_COLUMNS: tuple[Column, ...] = (
    Column("congestion_surcharge", "double", "NYS congestion surcharge"),
    Column("airport_fee", "double", "Airport pickup fee"),
    Column("pu_location_id", "int", "TLC taxi zone of the pickup"),
    Column("do_location_id", "int", "TLC taxi zone of the dropoff"),
)

CANONICAL_COLUMNS: tuple[Column, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Header normalisation: after trimming, lower-casing and dropping a tpep_/lpep_ prefix.
HEADER_PREFIXES: tuple[str, ...] = ("tpep_", "lpep_")
HEADER_ALIASES: dict[str, str] = {
    "vendorid": "vendor_id",
    "ratecodeid": "rate_code_id",
    "pulocationid": "pu_location_id",
    "dolocationid": "do_location_id",
}

PARTITION_COLUMN = Column("pickup_date", "date", "Calendar date of pickup_datetime")

TRIPS_COLUMNS: tuple[Column, ...] = (
    *CANONICAL_COLUMNS,
    Column("source_file", "string", "Input file the row was read from"),
)

HOURLY_METRICS_COLUMNS: tuple[Column, ...] = (
    Column("pickup_hour", "timestamp", "Start of the pickup hour"),
    Column("trip_count", "bigint", "Trips picked up in the hour"),
    Column("total_revenue", "double", "Sum of total_amount"),
    Column("avg_passengers", "double", "Mean passenger_count"),
    Column("avg_trip_distance", "double", "Mean trip_distance"),
)

# Curated datasets: name -> (columns, partition column). Folder names under the output root.
CURATED_TABLES: dict[str, tuple[Column, ...]] = {
    "trips": TRIPS_COLUMNS,
    "hourly_metrics": HOURLY_METRICS_COLUMNS,
}

DEFAULT_DEDUPE_KEYS: tuple[str, ...] = ("pickup_datetime", "pickup_longitude")


def normalise_header(name: str) -> str:
    """Map a raw CSV header cell to its canonical column name (unknown names pass through)."""
    cleaned = name.strip().strip('"').strip().lower().lstrip("\ufeff")
    for prefix in HEADER_PREFIXES:
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :]
            break
    return HEADER_ALIASES.get(cleaned, cleaned)
