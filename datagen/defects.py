"""The defects injected into generated trips, and what the ETL must do with each.

Each defective row carries exactly one defect, so the manifest's counts translate directly into
the ETL's expected figures: every QUARANTINED kind adds one quarantined row, every DUPLICATE kind
adds one dropped duplicate, and KEPT kinds are valid rows with a null value.
"""

from __future__ import annotations

import random
from enum import StrEnum

from datagen import trips
from datagen.trips import TimestampFormatter


class DefectKind(StrEnum):
    EXACT_DUPLICATE = "exact_duplicate"
    KEY_DUPLICATE = "key_duplicate"
    EMPTY_OPTIONAL_VALUE = "empty_optional_value"
    MISSING_PICKUP_DATETIME = "missing_pickup_datetime"
    MISSING_TOTAL_AMOUNT = "missing_total_amount"
    UNPARSEABLE_NUMBER = "unparseable_number"
    UNPARSEABLE_TIMESTAMP = "unparseable_timestamp"
    PASSENGER_COUNT_OUT_OF_RANGE = "passenger_count_out_of_range"
    DROPOFF_BEFORE_PICKUP = "dropoff_before_pickup"
    NEGATIVE_TOTAL_AMOUNT = "negative_total_amount"
    HUGE_TOTAL_AMOUNT = "huge_total_amount"
    MALFORMED_LINE = "malformed_line"


DUPLICATE_KINDS = frozenset({DefectKind.EXACT_DUPLICATE, DefectKind.KEY_DUPLICATE})
KEPT_KINDS = frozenset({DefectKind.EMPTY_OPTIONAL_VALUE})
QUARANTINED_KINDS = frozenset(DefectKind) - DUPLICATE_KINDS - KEPT_KINDS

DESCRIPTIONS: dict[DefectKind, str] = {
    DefectKind.EXACT_DUPLICATE: "an earlier clean row repeated value for value (dropped)",
    DefectKind.KEY_DUPLICATE: "same pickup_datetime + pickup_longitude as an earlier row, "
    "different fare/tip/total (dropped)",
    DefectKind.EMPTY_OPTIONAL_VALUE: "store_and_fwd_flag, RateCodeID or payment_type empty "
    "(kept, value null)",
    DefectKind.MISSING_PICKUP_DATETIME: "pickup_datetime empty (quarantined)",
    DefectKind.MISSING_TOTAL_AMOUNT: "total_amount empty (quarantined)",
    DefectKind.UNPARSEABLE_NUMBER: 'a money or distance value like `$12.50` or `"1,234.50"` '
    "(quarantined)",
    DefectKind.UNPARSEABLE_TIMESTAMP: "pickup or dropoff time that is not a valid timestamp "
    "(quarantined)",
    DefectKind.PASSENGER_COUNT_OUT_OF_RANGE: "passenger_count -1 or 10+ (quarantined)",
    DefectKind.DROPOFF_BEFORE_PICKUP: "dropoff 1-60 minutes before pickup (quarantined)",
    DefectKind.NEGATIVE_TOTAL_AMOUNT: "a refund: every amount negative (quarantined)",
    DefectKind.HUGE_TOTAL_AMOUNT: "a mistyped fare making total_amount > 10000 (quarantined)",
    DefectKind.MALFORMED_LINE: "too few or too many fields on the line (quarantined)",
}

_BAD_TIMESTAMPS = (
    "2015-13-01 10:00:00",
    "2015-01-01 25:61:00",
    "2015-02-30 08:15:00",
    "N/A",
    "01/02/2015 10:00",
    "yesterday",
)
_OPTIONAL_FIELDS = (trips.STORE_FWD, trips.RATE_CODE, trips.PAYMENT)


def key_duplicate(source: list[str], rng: random.Random) -> list[str]:
    """A new row with the source's dedupe key but a different (still valid) fare and tip."""
    row = source.copy()
    while row == source:
        trips.reprice(row, fare_cents=rng.randrange(300, 6000, 50), tip_cents=rng.randrange(0, 900))
    return row


def corrupt_values(
    kind: DefectKind,
    row: list[str],
    rng: random.Random,
    fmt: TimestampFormatter,
    pickup_day: trips.date,
    pickup_sec: int,
) -> None:
    """Apply a value-level defect to a clean row in place (duplicates and malformed lines aside)."""
    if kind is DefectKind.EMPTY_OPTIONAL_VALUE:
        row[rng.choice(_OPTIONAL_FIELDS)] = ""
    elif kind is DefectKind.MISSING_PICKUP_DATETIME:
        row[trips.PICKUP] = ""
    elif kind is DefectKind.MISSING_TOTAL_AMOUNT:
        row[trips.TOTAL] = ""
    elif kind is DefectKind.UNPARSEABLE_NUMBER:
        if rng.random() < 0.5:
            row[trips.FARE] = "$" + row[trips.FARE]
        else:
            # Quoted so the comma stays inside one CSV field: the line is well-formed, the value
            # is not a number.
            column = rng.choice((trips.TOTAL, trips.DISTANCE))
            row[column] = f'"1,{rng.randrange(1000):03d}.{rng.randrange(100):02d}"'
    elif kind is DefectKind.UNPARSEABLE_TIMESTAMP:
        row[rng.choice((trips.PICKUP, trips.DROPOFF))] = rng.choice(_BAD_TIMESTAMPS)
    elif kind is DefectKind.PASSENGER_COUNT_OUT_OF_RANGE:
        row[trips.PASSENGERS] = str(rng.choice((-1, 10, 12, 99)))
    elif kind is DefectKind.DROPOFF_BEFORE_PICKUP:
        row[trips.DROPOFF] = fmt(pickup_day, pickup_sec - rng.randrange(60, 3600))
    elif kind is DefectKind.NEGATIVE_TOTAL_AMOUNT:
        for column in (*trips.MONEY_FIELDS, trips.TOTAL):
            if row[column] != "0.00":
                row[column] = "-" + row[column]
    elif kind is DefectKind.HUGE_TOTAL_AMOUNT:
        trips.reprice(row, fare_cents=rng.randrange(1_000_000, 10_000_000, 50), tip_cents=0)
    else:
        raise ValueError(f"{kind} is not a value-level defect")


def corrupt_line(fields: list[str], rng: random.Random) -> list[str]:
    """Drop 1-5 trailing fields or add 1-2 extra ones, so the field count no longer matches."""
    if rng.random() < 0.5:
        return fields[: -rng.randrange(1, 6)]
    return fields + ["0"] * rng.randrange(1, 3)
