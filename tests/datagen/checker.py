"""An independent reader of generated files that classifies every row by looking at it.

It shares no code with the generator's defect injection: it reads the bytes back with the csv
module, applies the ETL contract's rules (etl/contract.py, etl/quarantine.py) and says which
defect each row shows. Tests compare its counts with the generator's manifest, so a defect that
is counted but not written (or written but not counted) fails.
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

from etl.contract import REQUIRED_COLUMNS, normalise_header

NUMBER = re.compile(r"-?\d+(\.\d+)?")
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %I:%M:%S %p")
NUMERIC = tuple(c.name for c in REQUIRED_COLUMNS if c.type in ("int", "double"))
MONEY_PARTS = ("fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount")
OPTIONAL_EMPTY = ("store_and_fwd_flag", "rate_code_id", "payment_type")
REQUIRED = tuple(c.name for c in REQUIRED_COLUMNS)


@dataclass
class Trip:
    """A valid row, parsed (what the ETL would keep before deduplication)."""

    values: dict[str, str]
    pickup: datetime
    dropoff: datetime
    kind: str | None  # None, "empty_optional_value" or a duplicate kind


@dataclass
class FileCheck:
    rows: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    all_rows_quarantined: bool = False
    trips: list[Trip] = field(default_factory=list)


@dataclass
class Checker:
    """Reads files in generation order, remembering earlier rows to recognise duplicates."""

    exact: set[tuple[str, ...]] = field(default_factory=set)
    keys: set[tuple[datetime, float]] = field(default_factory=set)

    def check(self, path: Path) -> FileCheck:
        raw = path.read_bytes()
        if path.name.endswith(".gz"):
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8").removeprefix("\ufeff")
        result = FileCheck()
        records = list(csv.reader(io.StringIO(text, newline="")))
        if not records:
            return result
        header = [normalise_header(h) for h in records[0]]
        result.all_rows_quarantined = not set(REQUIRED) <= set(header)
        for fields in records[1:]:
            result.rows += 1
            if result.all_rows_quarantined:
                continue
            if len(fields) != len(header):
                result.kinds["malformed_line"] += 1
                continue
            values = {name: fields[header.index(name)] for name in REQUIRED}
            kind, trip = self._classify(values)
            if kind is not None:
                result.kinds[kind] += 1
            if trip is not None:
                result.trips.append(trip)
        return result

    def _classify(self, v: dict[str, str]) -> tuple[str | None, Trip | None]:
        if v["pickup_datetime"] == "":
            return "missing_pickup_datetime", None
        if v["total_amount"] == "":
            return "missing_total_amount", None
        if any(v[c] != "" and not NUMBER.fullmatch(v[c]) for c in NUMERIC):
            return "unparseable_number", None
        pickup, dropoff = _timestamp(v["pickup_datetime"]), _timestamp(v["dropoff_datetime"])
        if pickup is None or dropoff is None:
            return "unparseable_timestamp", None
        if not 0 <= int(v["passenger_count"]) <= 9:
            return "passenger_count_out_of_range", None
        if dropoff < pickup:
            return "dropoff_before_pickup", None
        total = float(v["total_amount"])
        if total < 0:
            return "negative_total_amount", None
        if total > 10000:
            return "huge_total_amount", None
        # Duplicates compare parsed values, as the ETL does after parsing.
        parsed = (*(v[c] for c in REQUIRED if "datetime" not in c), str(pickup), str(dropoff))
        key = (pickup, float(v["pickup_longitude"]))
        kind: str | None = None
        if parsed in self.exact:
            kind = "exact_duplicate"
        elif key in self.keys:
            kind = "key_duplicate"
        elif any(v[c] == "" for c in OPTIONAL_EMPTY):
            kind = "empty_optional_value"
        self.exact.add(parsed)
        self.keys.add(key)
        return kind, Trip(v, pickup, dropoff, kind)


def _timestamp(text: str) -> datetime | None:
    for fmt in TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def cents(text: str) -> int:
    """Dollars text to integer cents."""
    return round(float(text) * 100)
