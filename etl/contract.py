"""The data contract shared by the Spark job and the infrastructure.

Plain Python on purpose (no pyspark import): the Pulumi program declares the curated Glue catalog
tables from these same definitions, so the job's output schema and the catalog cannot drift.
Types are Glue/Hive catalog type names; `etl.schema` turns them into Spark types.

Input is NYC TLC yellow and green trip records of every era (2009 to today), CSV or Parquet. Each
era names the same facts differently; `HEADER_ALIASES` maps every era's names to one canonical
schema, and `CODE_WORDS` maps the words older files use where newer ones have numeric codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str


# Canonical trip columns, in output order. Every era's file maps onto them; a column a file lacks
# is null (coordinates until mid-2016, location IDs after, fees from the year they began).
CANONICAL_COLUMNS: tuple[Column, ...] = (
    Column(
        "vendor_id", "int", "TPEP/LPEP provider code (1 CMT / Creative Mobile, 2 VTS / VeriFone)"
    ),
    Column("pickup_datetime", "timestamp", "Meter engaged, naive local time"),
    Column("dropoff_datetime", "timestamp", "Meter disengaged, naive local time"),
    Column("passenger_count", "int", "Passengers reported by the driver (0-9)"),
    Column("trip_distance", "double", "Trip distance in miles"),
    Column("pickup_longitude", "double", "Pickup longitude (files before July 2016)"),
    Column("pickup_latitude", "double", "Pickup latitude (files before July 2016)"),
    Column("dropoff_longitude", "double", "Dropoff longitude (files before July 2016)"),
    Column("dropoff_latitude", "double", "Dropoff latitude (files before July 2016)"),
    Column("pu_location_id", "int", "TLC taxi zone of the pickup (files from July 2016)"),
    Column("do_location_id", "int", "TLC taxi zone of the dropoff (files from July 2016)"),
    Column("rate_code_id", "int", "Final rate code"),
    Column("store_and_fwd_flag", "string", "Y/N: trip record held in vehicle memory"),
    Column(
        "payment_type",
        "int",
        "Payment type code (1 card, 2 cash, 3 no charge, 4 dispute, 5 unknown)",
    ),
    Column("fare_amount", "double", "Time-and-distance fare"),
    Column("extra", "double", "Miscellaneous extras and surcharges"),
    Column("mta_tax", "double", "MTA tax"),
    Column("tip_amount", "double", "Tip amount (card tips only)"),
    Column("tolls_amount", "double", "Tolls paid"),
    Column("improvement_surcharge", "double", "Improvement surcharge (from 2015)"),
    Column("congestion_surcharge", "double", "NYS congestion surcharge (from 2019)"),
    Column("airport_fee", "double", "Airport pickup fee (from 2022)"),
    Column("cbd_congestion_fee", "double", "MTA congestion relief zone fee (from 2025)"),
    Column("ehail_fee", "double", "E-hail fee (green taxis)"),
    Column("total_amount", "double", "Total charged to passengers, excluding cash tips"),
    Column("trip_type", "int", "Green taxis: 1 street-hail, 2 dispatch"),
    Column(
        "service",
        "string",
        "yellow or green: from the tpep_/lpep_ header, a service column or the file name",
    ),
)

# What the job cannot do without (the seed tutorial's own aggregate needs exactly these): a file
# lacking one of them has all its rows quarantined; a row with one empty is quarantined.
REQUIRED_NAMES: tuple[str, ...] = ("pickup_datetime", "total_amount")
REQUIRED_COLUMNS: tuple[Column, ...] = tuple(
    c for c in CANONICAL_COLUMNS if c.name in REQUIRED_NAMES
)

# Not read from any cell: `service` comes from the header prefix or the file name.
DERIVED_NAMES: tuple[str, ...] = ("service",)

# The seed tutorial's simplified header: the 2015 yellow columns under their canonical names.
SIMPLIFIED_HEADER: tuple[str, ...] = (
    "vendor_id",
    "pickup_datetime",
    "dropoff_datetime",
    "passenger_count",
    "trip_distance",
    "pickup_longitude",
    "pickup_latitude",
    "rate_code_id",
    "store_and_fwd_flag",
    "dropoff_longitude",
    "dropoff_latitude",
    "payment_type",
    "fare_amount",
    "extra",
    "mta_tax",
    "tip_amount",
    "tolls_amount",
    "improvement_surcharge",
    "total_amount",
)

# Header normalisation: a header name is trimmed and lower-cased, a tpep_/lpep_ prefix is dropped
# (it names the service, see SERVICE_BY_HEADER_PREFIX), then this table maps the names of every
# era that differ from the canonical one. Names already canonical need no entry.
HEADER_PREFIXES: tuple[str, ...] = ("tpep_", "lpep_")
HEADER_ALIASES: dict[str, str] = {
    # 2009 yellow
    "vendor_name": "vendor_id",
    "trip_pickup_datetime": "pickup_datetime",
    "trip_dropoff_datetime": "dropoff_datetime",
    "start_lon": "pickup_longitude",
    "start_lat": "pickup_latitude",
    "end_lon": "dropoff_longitude",
    "end_lat": "dropoff_latitude",
    "rate_code": "rate_code_id",
    "store_and_forward": "store_and_fwd_flag",
    "fare_amt": "fare_amount",
    "tip_amt": "tip_amount",
    "tolls_amt": "tolls_amount",
    "total_amt": "total_amount",
    # 2009-2014 yellow (2010-2014 use `rate_code` too)
    "surcharge": "extra",
    # 2015 onwards, yellow and green
    "vendorid": "vendor_id",
    "ratecodeid": "rate_code_id",
    "pulocationid": "pu_location_id",
    "dolocationid": "do_location_id",
    # BigQuery's public TLC tables (bigquery-public-data.new_york_taxi_trips)
    "imp_surcharge": "improvement_surcharge",
    "pickup_location_id": "pu_location_id",
    "dropoff_location_id": "do_location_id",
}

SERVICE_BY_HEADER_PREFIX: dict[str, str] = {"tpep_": "yellow", "lpep_": "green"}
SERVICES: tuple[str, ...] = tuple(SERVICE_BY_HEADER_PREFIX.values())
# File names as the TLC publishes them: yellow_tripdata_2024-01.parquet, green_tripdata_2015-01.csv
SERVICE_BY_FILE_PREFIX: dict[str, str] = {"yellow_": "yellow", "green_": "green"}

# Words older files (2009-2014) use where the TLC's dictionary has numeric codes, by canonical
# column, lower-case (matching ignores case and surrounding spaces). Read in files whose header
# has no tpep_/lpep_ names; the TLC's files since 2015 carry numeric codes and Y/N only.
CODE_WORDS: dict[str, dict[str, int | str]] = {
    "vendor_id": {"cmt": 1, "vts": 2},
    "payment_type": {
        "crd": 1,
        "cre": 1,
        "credit": 1,
        "csh": 2,
        "cas": 2,
        "cash": 2,
        "noc": 3,
        "no": 3,  # as some 2010 files spell No Charge
        "no charge": 3,
        "dis": 4,
        "dispute": 4,
        "unk": 5,
    },
    # 2009 files and some 2010-2014 files write 0/1; later files Y/N. The TLC's Parquet of
    # 2009-2010 keeps 0/1 as a float, which a CSV export of it writes as 0.0/1.0.
    "store_and_fwd_flag": {"0": "N", "1": "Y", "0.0": "N", "1.0": "Y", "n": "N", "y": "Y"},
}
# Columns where a word not in CODE_WORDS is a known but unmapped value (e.g. vendor `DDS`, a
# provider that has no TLC code): it becomes null instead of making the row invalid.
UNMAPPED_WORDS_ARE_NULL: frozenset[str] = frozenset({"vendor_id"})

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

# What identifies a trip in every era, compared null-safely within a pickup date: coordinate-era
# files have null zones and location-era files null coordinates, so each era is told apart by
# the columns it has. Two trips picked up in the same second in different places are both kept;
# a re-sent trip whose amounts changed is a duplicate. The seed's `[pickup_datetime,
# pickup_longitude]` identifies trips in coordinate-era files only (every location-era trip has a
# null longitude).
DEFAULT_DEDUPE_KEYS: tuple[str, ...] = (
    "vendor_id",
    "pickup_datetime",
    "dropoff_datetime",
    "pickup_longitude",
    "pickup_latitude",
    "dropoff_longitude",
    "dropoff_latitude",
    "pu_location_id",
    "do_location_id",
)


def _strip_prefix(cleaned: str) -> tuple[str, str | None]:
    for prefix in HEADER_PREFIXES:
        if cleaned.startswith(prefix):
            return cleaned[len(prefix) :], prefix
    return cleaned, None


def _clean(name: str) -> str:
    return name.strip().strip('"').strip().lstrip("\ufeff").strip().lower()


def normalise_header(name: str) -> str:
    """Map a raw header name (CSV cell or Parquet field) to its canonical column name; unknown
    names pass through cleaned."""
    stripped, _ = _strip_prefix(_clean(name))
    return HEADER_ALIASES.get(stripped, stripped)


def service_from_header(names: tuple[str, ...] | list[str]) -> str | None:
    """`yellow`/`green` from the first header name with a tpep_/lpep_ prefix, else None."""
    for name in names:
        _, prefix = _strip_prefix(_clean(name))
        if prefix is not None:
            return SERVICE_BY_HEADER_PREFIX[prefix]
    return None


def service_from_file_name(uri: str) -> str | None:
    """`yellow`/`green` when the file's name starts with yellow_/green_ (any case), else None."""
    name = uri.rsplit("/", 1)[-1].lower()
    for prefix, service in SERVICE_BY_FILE_PREFIX.items():
        if name.startswith(prefix):
            return service
    return None


# Files the TLC publishes beside the taxi trips that hold no taxi trips, known by their names:
# - the for-hire vehicle trips (FHV, and Uber's and Lyft's high-volume FHV) have no total_amount,
#   so every row would be quarantined: a month of high-volume FHV trips is some 20 million rows of
#   nothing but quarantine;
# - the taxi zone lookup table (LocationID to borough and zone), which users download into the
#   same folder; its old address named it `taxi _zone_lookup.csv`, saved as `taxi+_zone_lookup.csv`.
# The job skips them, and says so, as it does files of other types.
FOR_HIRE_TRIPS = "for_hire_vehicle_trips"
ZONE_LOOKUP = "taxi_zone_lookup"
_FOR_HIRE_PREFIXES = ("fhv_tripdata", "fhvhv_tripdata")
# The zone table's name with everything but letters dropped (spaces, `+`, `_`, a ` (1)` suffix).
_ZONE_LOOKUP_LETTERS = "taxizonelookup"


def not_taxi_trips(file_name: str) -> str | None:
    """What `file_name` (a name, not a path) is when it is one of the TLC's files of something
    other than taxi trips: FOR_HIRE_TRIPS or ZONE_LOOKUP; None for any other name."""
    name = file_name.lower()
    if name.startswith(_FOR_HIRE_PREFIXES):
        return FOR_HIRE_TRIPS
    if "".join(c for c in name if c.isalpha()).startswith(_ZONE_LOOKUP_LETTERS):
        return ZONE_LOOKUP
    return None
