"""The layouts NYC TLC trip files have had, 2009 to today, as literal headers and encodings.

Each era names its columns exactly as the real files spell them (case, prefixes, order) and says
how values are written: word codes before 2015, an empty line after the 2010-2014 header, US
12-hour timestamps in NYC Open Data exports, Parquet physical types that drift between years.
Kept here rather than derived from `etl.contract`, so the generator describes the files people
download, not what the ETL happens to accept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from operator import itemgetter

from datagen.encodings import Finisher, compact, unreported_rows, words
from datagen.trips import (
    DO_LOCATION,
    DROPOFF,
    DROPOFF_LAT,
    DROPOFF_LON,
    EXTRA,
    FARE,
    FIELDS,
    PICKUP,
    PICKUP_LAT,
    PICKUP_LON,
    PU_LOCATION,
    RATE_CODE,
    STORE_FWD,
    TIP,
    TOLLS,
    TOTAL,
    VENDOR,
    RateCard,
)

# Trips field of each column name (lower case, tpep_/lpep_ dropped) that differs from FIELDS.
_FIELD_OF: dict[str, int] = {name: i for i, (name, _) in enumerate(FIELDS)} | {
    "vendor_name": VENDOR,
    "vendorid": VENDOR,
    "trip_pickup_datetime": PICKUP,
    "trip_dropoff_datetime": DROPOFF,
    "start_lon": PICKUP_LON,
    "start_lat": PICKUP_LAT,
    "end_lon": DROPOFF_LON,
    "end_lat": DROPOFF_LAT,
    "rate_code": RATE_CODE,
    "ratecodeid": RATE_CODE,
    "store_and_forward": STORE_FWD,
    "fare_amt": FARE,
    "surcharge": EXTRA,
    "tip_amt": TIP,
    "tolls_amt": TOLLS,
    "total_amt": TOTAL,
    "pulocationid": PU_LOCATION,
    "dolocationid": DO_LOCATION,
}
# Arrow type of a Parquet column unless the era says otherwise.
_DEFAULT_ARROW = {
    "int": "int64",
    "double": "double",
    "timestamp": "timestamp[us]",
    "string": "string",
}
_DOUBLE_FIELDS = frozenset(i for i, (_, kind) in enumerate(FIELDS) if kind == "double")


def field_of(name: str) -> int:
    """The trips field a column of a real TLC file holds."""
    key = name.strip().lower()
    return _FIELD_OF[key[5:] if key.startswith(("tpep_", "lpep_")) else key]


@dataclass(frozen=True)
class Era:
    """One file layout: header names (as in the real files) and how values are encoded."""

    name: str
    description: str
    header_line: str  # the header exactly as the era's files have it
    card: RateCard
    default_start: date
    format: str = "csv"  # or "parquet"
    arrow_types: tuple[tuple[str, str], ...] = ()  # Parquet: (column, Arrow type) not default
    timestamps: str = "standard"  # or "us": `MM/dd/yyyy hh:mm:ss a`
    blank_line_after_header: bool = False
    compact_numbers: bool = False  # `2.5` and `0` instead of `2.50` and `0.00`
    padding: int = 0  # empty fields every line carries past the header's (CSV)
    finish: Finisher | None = None  # re-encodes a clean row the way the era's files do

    @cached_property
    def header(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.header_line.split(","))

    @cached_property
    def columns(self) -> tuple[tuple[str, int], ...]:
        """(header name, trips field) of each column."""
        return tuple((name, field_of(name)) for name in self.header)

    @property
    def parquet_types(self) -> tuple[str, ...]:
        """The Arrow type of each column when written as Parquet."""
        special = dict(self.arrow_types)
        return tuple(
            special.get(name, _DEFAULT_ARROW[FIELDS[field][1]]) for name, field in self.columns
        )

    @property
    def extension(self) -> str:
        return ".parquet" if self.format == "parquet" else ".csv"

    @cached_property
    def fields(self) -> Callable[[list[str]], list[str]]:
        """row -> the row's values in this era's column order and number format."""
        picks = [field for _, field in self.columns]
        if self.compact_numbers:
            return lambda row: [compact(row[i]) if i in _DOUBLE_FIELDS else row[i] for i in picks]
        pick = itemgetter(*picks)
        return lambda row: list(pick(row))


_H2010 = (
    "vendor_id,pickup_datetime,dropoff_datetime,passenger_count,trip_distance,pickup_longitude,"
    "pickup_latitude,rate_code,store_and_fwd_flag,dropoff_longitude,dropoff_latitude,"
    "payment_type,fare_amount,surcharge,mta_tax,tip_amount,tolls_amount,total_amount"
)
_H2016 = (
    "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,trip_distance,"
    "RatecodeID,store_and_fwd_flag,PULocationID,DOLocationID,payment_type,fare_amount,extra,"
    "mta_tax,tip_amount,tolls_amount,improvement_surcharge,total_amount"
)
_HGREEN = (
    "VendorID,lpep_pickup_datetime,lpep_dropoff_datetime,store_and_fwd_flag,RatecodeID,"
    "PULocationID,DOLocationID,passenger_count,trip_distance,fare_amount,extra,mta_tax,"
    "tip_amount,tolls_amount,ehail_fee,improvement_surcharge,total_amount,payment_type,trip_type,"
    "congestion_surcharge"
)
_CARD_2023 = RateCard(
    per_mile=350,
    jfk_flat=7000,
    night_extra=100,
    rush_extra=250,
    tolls=694,
    improvement=100,
    congestion=250,
)
_TYPES_2023 = (("passenger_count", "double"), ("RatecodeID", "double"))
_TYPES_2024 = (
    ("VendorID", "int32"),
    ("store_and_fwd_flag", "large_string"),
    ("PULocationID", "int32"),
    ("DOLocationID", "int32"),
)
_WORDS_2010 = words(
    ("CMT", "VTS", "DDS"),
    {"1": ("CRE", "Cre"), "2": ("CAS", "Cas"), "3": ("NOC",), "4": ("DIS",)},
    ((0.8, ""), (0.99, "0"), (1.0, "1")),
)
_WORDS_2014 = words(
    ("CMT", "VTS"),
    {"1": ("CRD",), "2": ("CSH",), "3": ("NOC",), "4": ("DIS",), "5": ("UNK",)},
    ((0.5, ""), (0.99, "N"), (1.0, "Y")),
)

_ALL: tuple[Era, ...] = (
    Era(
        "yellow_2009",
        "2009 yellow CSV: its own column names, vendor and payment words, mostly blank rate "
        "codes, store flags and MTA tax",
        "vendor_name,Trip_Pickup_DateTime,Trip_Dropoff_DateTime,Passenger_Count,Trip_Distance,"
        "Start_Lon,Start_Lat,Rate_Code,store_and_forward,End_Lon,End_Lat,Payment_Type,Fare_Amt,"
        "surcharge,mta_tax,Tip_Amt,Tolls_Amt,Total_Amt",
        RateCard(per_mile=200, jfk_flat=4500, mta_tax=None, tolls=480, improvement=0),
        date(2009, 1, 1),
        finish=words(
            ("CMT", "VTS", "DDS"),
            {
                "1": ("CREDIT", "Credit"),
                "2": ("CASH", "Cash"),
                "3": ("No Charge",),
                "4": ("Dispute",),
            },
            ((0.7, ""), (0.99, "0"), (1.0, "1")),
            blank_rate_code=0.95,
        ),
    ),
    Era(
        "yellow_2010",
        "2010 yellow CSV (2010-2014 layout): an empty line after the header, vendor "
        "CMT/VTS/DDS, payment CRE/CAS/NOC/DIS in mixed case, store flags 0/1",
        _H2010,
        RateCard(per_mile=200, jfk_flat=4500, tolls=480, improvement=0),
        date(2010, 1, 1),
        blank_line_after_header=True,
        finish=_WORDS_2010,
    ),
    Era(
        "yellow_2014",
        "2014 yellow CSV (2010-2014 layout): an empty line after the header, a space after "
        "each comma of the header, payment CRD/CSH/NOC/DIS/UNK, store flags N/Y",
        _H2010.replace(",", ", "),
        RateCard(tolls=533, improvement=0),
        date(2014, 1, 1),
        blank_line_after_header=True,
        finish=_WORDS_2014,
    ),
    Era(
        "yellow_2015",
        "2015 to mid-2016 yellow CSV: tpep_ names, coordinates, numeric codes",
        "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,trip_distance,"
        "pickup_longitude,pickup_latitude,RateCodeID,store_and_fwd_flag,dropoff_longitude,"
        "dropoff_latitude,payment_type,fare_amount,extra,mta_tax,tip_amount,tolls_amount,"
        "improvement_surcharge,total_amount",
        RateCard(),
        date(2015, 1, 1),
    ),
    Era(
        "yellow_2016_h2",
        "yellow CSV of July-December 2016: taxi zones, and two empty fields past the header's on "
        "every line",
        _H2016,
        RateCard(),
        date(2016, 7, 1),
        padding=2,
    ),
    Era(
        "yellow_2017",
        "yellow CSV from July 2016: taxi zones (PULocationID/DOLocationID), no coordinates",
        _H2016,
        RateCard(),
        date(2017, 1, 1),
    ),
    Era(
        "yellow_2019_opendata",
        "NYC Open Data export of 2019 yellow trips: `MM/dd/yyyy hh:mm:ss a` timestamps, numbers "
        "without trailing zeros",
        _H2016 + ",congestion_surcharge",
        RateCard(congestion=250),
        date(2019, 1, 1),
        timestamps="us",
        compact_numbers=True,
    ),
    Era(
        "green_2014",
        "green CSV of 2013-2016: coordinates, capitalised names, `Trip_type ` with a space, an "
        "empty line after the header, and two empty fields past the header's on every line",
        "VendorID,lpep_pickup_datetime,Lpep_dropoff_datetime,Store_and_fwd_flag,RateCodeID,"
        "Pickup_longitude,Pickup_latitude,Dropoff_longitude,Dropoff_latitude,Passenger_count,"
        "Trip_distance,Fare_amount,Extra,MTA_tax,Tip_amount,Tolls_amount,Ehail_fee,Total_amount,"
        "Payment_type,Trip_type ",
        RateCard(tolls=533, improvement=0, green=True),
        date(2014, 1, 1),
        blank_line_after_header=True,
        padding=2,
    ),
    Era(
        "green_2019",
        "2019 green CSV: lpep_ names, ehail_fee (always empty), trip_type",
        _HGREEN,
        RateCard(congestion=275, green=True),
        date(2019, 1, 1),
    ),
    Era(
        "seed_tutorial",
        "the seed tutorial's own simplified header: nine lower-case columns",
        "pickup_datetime,dropoff_datetime,pickup_longitude,pickup_latitude,dropoff_longitude,"
        "dropoff_latitude,passenger_count,trip_distance,total_amount",
        RateCard(),
        date(2015, 1, 1),
    ),
    Era(
        "yellow_2022_ns",
        "2022 yellow Parquet as pandas re-writes it: timestamp[ns], otherwise the 2023 types",
        _H2016 + ",congestion_surcharge,airport_fee",
        RateCard(tolls=655, congestion=250, airport_fee=125),
        date(2022, 1, 1),
        format="parquet",
        arrow_types=(
            *_TYPES_2023,
            ("tpep_pickup_datetime", "timestamp[ns]"),
            ("tpep_dropoff_datetime", "timestamp[ns]"),
        ),
    ),
    Era(
        "yellow_2023",
        "2023 yellow Parquet: VendorID int64, passenger_count and RatecodeID double, "
        "timestamp[us], airport_fee",
        _H2016 + ",congestion_surcharge,airport_fee",
        replace(_CARD_2023, airport_fee=175),
        date(2023, 1, 1),
        format="parquet",
        arrow_types=_TYPES_2023,
    ),
    Era(
        "yellow_2024",
        "2024 yellow Parquet: VendorID and zones int32, counts int64, large_string flag, "
        "Airport_fee; unreported trips with nulls and payment_type 0",
        _H2016 + ",congestion_surcharge,Airport_fee",
        replace(_CARD_2023, airport_fee=175),
        date(2024, 1, 1),
        format="parquet",
        arrow_types=_TYPES_2024,
        finish=unreported_rows,
    ),
    Era(
        "yellow_2025",
        "2025 yellow Parquet: the 2024 types plus cbd_congestion_fee",
        _H2016 + ",congestion_surcharge,Airport_fee,cbd_congestion_fee",
        replace(_CARD_2023, airport_fee=175, cbd_fee=75),
        date(2025, 1, 1),
        format="parquet",
        arrow_types=_TYPES_2024,
        finish=unreported_rows,
    ),
    Era(
        "green_2024",
        "2024 green Parquet: lpep_ names, ehail_fee all null, trip_type",
        _HGREEN,
        replace(_CARD_2023, congestion=275, green=True),
        date(2024, 1, 1),
        format="parquet",
        arrow_types=_TYPES_2024,
    ),
)
# The TLC's download page now serves 2009-2010 as Parquet only, with the types a dataframe
# library inferred from the CSV: times, vendors and payments as strings (words, as in the CSV),
# counts as int64, and the mostly empty store-and-forward flag (and 2009's rate code) as doubles.
_PARQUET_OF_CSV: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "yellow_2009",
        "2009 yellow Parquet as the TLC serves it: the 2009 CSV's names and words, times as "
        "strings, store flag and rate code as doubles (0.0/1.0, mostly null)",
        (
            ("vendor_name", "string"),
            ("Trip_Pickup_DateTime", "string"),
            ("Trip_Dropoff_DateTime", "string"),
            ("Rate_Code", "double"),
            ("store_and_forward", "double"),
            ("Payment_Type", "string"),
        ),
    ),
    (
        "yellow_2010",
        "2010 yellow Parquet as the TLC serves it: the 2010 CSV's names and words, times as "
        "strings, store flag as a double (0.0/1.0, mostly null)",
        (
            ("vendor_id", "string"),
            ("pickup_datetime", "string"),
            ("dropoff_datetime", "string"),
            ("store_and_fwd_flag", "double"),
            ("payment_type", "string"),
        ),
    ),
)
_BY_NAME = {era.name: era for era in _ALL}
_ALL += tuple(
    replace(
        _BY_NAME[csv_era],
        name=f"{csv_era}_parquet",
        description=description,
        format="parquet",
        arrow_types=types,
        blank_line_after_header=False,
    )
    for csv_era, description, types in _PARQUET_OF_CSV
)
ERAS: dict[str, Era] = {era.name: era for era in _ALL}
DEFAULT_ERA = {"csv": "yellow_2015", "parquet": "yellow_2024"}
YELLOW_2015_HEADER = ERAS["yellow_2015"].header
