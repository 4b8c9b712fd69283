"""An independent reader of generated files that applies the ETL contract to every row.

It shares no code with the generator: it reads the bytes back (csv module, pyarrow), maps header
names of every TLC era with its own table, decodes word codes, and gives each row the reject
reason the contract assigns (first applicable wins) or keeps it, then finds duplicates with the
contract's default keys (null-safe). Tests compare its findings with the generator's manifest,
so a defect that is counted but not written (or written but not counted) fails.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

ALIASES = {
    "vendor_name": "vendor_id",
    "vendorid": "vendor_id",
    "trip_pickup_datetime": "pickup_datetime",
    "trip_dropoff_datetime": "dropoff_datetime",
    "start_lon": "pickup_longitude",
    "start_lat": "pickup_latitude",
    "end_lon": "dropoff_longitude",
    "end_lat": "dropoff_latitude",
    "rate_code": "rate_code_id",
    "ratecodeid": "rate_code_id",
    "store_and_forward": "store_and_fwd_flag",
    "fare_amt": "fare_amount",
    "surcharge": "extra",
    "tip_amt": "tip_amount",
    "tolls_amt": "tolls_amount",
    "total_amt": "total_amount",
    "pulocationid": "pu_location_id",
    "dolocationid": "do_location_id",
}
INTS = ("vendor_id", "passenger_count", "rate_code_id", "payment_type", "pu_location_id")
INTS += ("do_location_id", "trip_type")
DOUBLES = ("trip_distance", "pickup_longitude", "pickup_latitude", "dropoff_longitude")
DOUBLES += ("dropoff_latitude", "fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount")
DOUBLES += ("improvement_surcharge", "total_amount", "congestion_surcharge", "airport_fee")
DOUBLES += ("cbd_congestion_fee", "ehail_fee")
CANONICAL = (*INTS, *DOUBLES, "pickup_datetime", "dropoff_datetime", "store_and_fwd_flag")
KEYS = ("vendor_id", "pickup_datetime", "dropoff_datetime", "pickup_longitude", "pickup_latitude")
KEYS += ("dropoff_longitude", "dropoff_latitude", "pu_location_id", "do_location_id")
VENDOR_WORDS = {"cmt": 1, "vts": 2}
PAYMENT_WORDS = {"crd": 1, "cre": 1, "credit": 1, "csh": 2, "cas": 2, "cash": 2, "noc": 3}
PAYMENT_WORDS |= {"no charge": 3, "dis": 4, "dispute": 4, "unk": 5}
FLAGS = {"0": "N", "1": "Y", "n": "N", "y": "Y"}
NUMBER = re.compile(r"-?\d+(\.\d+)?")
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %I:%M:%S %p")
MONEY_PARTS = ("fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount")
MONEY_PARTS += (
    "improvement_surcharge",
    "congestion_surcharge",
    "airport_fee",
    "cbd_congestion_fee",
)


class InvalidValueError(ValueError):
    """A present value that does not parse as its column's type."""


def canonical(name: str) -> str:
    key = name.strip().lower().removeprefix("\ufeff")
    key = key[5:] if key.startswith(("tpep_", "lpep_")) else key
    return ALIASES.get(key, key)


@dataclass
class Trip:
    """A valid row, parsed (what the ETL keeps before deduplication)."""

    values: dict[str, Any]
    raw: dict[str, Any]
    kind: str | None  # None, "exact_duplicate" or "key_duplicate"


@dataclass
class FileCheck:
    rows: int = 0
    header: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    trips: list[Trip] = field(default_factory=list)

    @property
    def kept(self) -> list[Trip]:
        return [t for t in self.trips if t.kind is None]


def read_rows(path: Path) -> tuple[list[str], list[list[Any]]]:
    """Header and data rows of a CSV (blank lines skipped) or Parquet file."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return table.column_names, [list(r.values()) for r in table.to_pylist()]
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    records = [r for r in csv.reader(io.StringIO(raw.decode("utf-8"), newline="")) if r]
    return (records[0], records[1:]) if records else ([], [])


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _int(name: str, value: Any) -> int | None:
    if isinstance(value, int | float):
        if value != int(value):
            raise InvalidValueError(name)
        return int(value)
    words = VENDOR_WORDS if name == "vendor_id" else PAYMENT_WORDS if name == "payment_type" else {}
    if value.lower() in words:
        return words[value.lower()]
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if name == "vendor_id" and value.isalpha():
        return None  # another vendor's word, e.g. DDS
    raise InvalidValueError(name)


def _double(name: str, value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    if not NUMBER.fullmatch(value):
        raise InvalidValueError(name)
    return float(value)


def _timestamp(name: str, value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    for fmt in TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise InvalidValueError(name)


def parse(name: str, value: Any) -> Any:
    if _empty(value):
        return None
    if name in INTS:
        return _int(name, value)
    if name in DOUBLES:
        return _double(name, value)
    if name.endswith("_datetime"):
        return _timestamp(name, value)
    if name == "store_and_fwd_flag":
        if isinstance(value, float) and value in (0.0, 1.0):
            value = int(value)  # a numeric Parquet flag
        if str(value).lower() not in FLAGS:
            raise InvalidValueError(name)
        return FLAGS[str(value).lower()]
    return value


def reason_or_values(raw: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The contract's reject reason for a well-formed row (None: valid) and its parsed values."""
    for name, missing in (("pickup_datetime", "missing"), ("total_amount", "missing")):
        if _empty(raw.get(name)):
            return f"{missing}_{name}", {}
        try:
            parse(name, raw[name])
        except InvalidValueError:
            return f"invalid_{name}", {}
    try:
        values = {name: parse(name, raw.get(name)) for name in CANONICAL}
    except InvalidValueError:
        return "invalid_value", {}
    passengers = values["passenger_count"]
    if passengers is not None and not 0 <= passengers <= 9:
        return "passenger_count_out_of_range", values
    dropoff = values["dropoff_datetime"]
    if dropoff is not None and dropoff < values["pickup_datetime"]:
        return "dropoff_before_pickup", values
    if not 0 <= values["total_amount"] <= 10000:
        return "total_amount_out_of_range", values
    return None, values


@dataclass
class Checker:
    """Reads files in generation order, remembering earlier rows to recognise duplicates."""

    exact: set[tuple[Any, ...]] = field(default_factory=set)
    keys: set[tuple[Any, ...]] = field(default_factory=set)

    def check(self, path: Path) -> FileCheck:
        header, rows = read_rows(path)
        result = FileCheck(rows=len(rows), header=header)
        names = [canonical(h) for h in header]
        if rows and not {"pickup_datetime", "total_amount"} <= set(names):
            result.reasons["missing_required_column"] = len(rows)
            return result
        # Empty fields past the header's on the first line are padding every line must carry.
        extra = rows[0][len(names) :] if rows else []
        padding = len(extra) if extra and not any(f.strip() for f in extra) else 0
        for fields in rows:
            padded = fields[len(names) :]
            if padding and len(padded) == padding and not any(f.strip() for f in padded):
                fields = fields[: len(names)]
            elif padding:
                fields = []  # the wrong number of fields, or values in the padding
            if len(fields) != len(names):
                result.reasons["malformed_line"] += 1
                continue
            raw = dict(zip(names, fields, strict=True))
            reason, values = reason_or_values(raw)
            if reason is not None:
                result.reasons[reason] += 1
                continue
            full = tuple(values[name] for name in CANONICAL)
            key = tuple(values[name] for name in KEYS)
            kind = "exact_duplicate" if full in self.exact else None
            if kind is None and key in self.keys:
                kind = "key_duplicate"
            if kind is not None:
                result.duplicates[kind] += 1
            self.exact.add(full)
            self.keys.add(key)
            result.trips.append(Trip(values, raw, kind))
        return result


def cents(value: Any) -> int:
    """Dollars (text or number, empty or None as 0) to integer cents."""
    return 0 if _empty(value) else round(float(value) * 100)
