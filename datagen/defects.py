"""The defects injected into generated trips, and what the ETL must do with each.

Each defective row carries exactly one defect, so the manifest's counts translate directly into
the ETL's expected figures. A quarantining defect is named after the reject reason the run
report gives the row; the duplicate kinds are counted in `duplicates_dropped`; the kept kinds are
valid rows the ETL must write.
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
    SAME_SECOND_TRIP = "same_second_trip"
    MALFORMED_LINE = "malformed_line"
    MISSING_PICKUP_DATETIME = "missing_pickup_datetime"
    INVALID_PICKUP_DATETIME = "invalid_pickup_datetime"
    MISSING_TOTAL_AMOUNT = "missing_total_amount"
    INVALID_TOTAL_AMOUNT = "invalid_total_amount"
    INVALID_VALUE = "invalid_value"
    PASSENGER_COUNT_OUT_OF_RANGE = "passenger_count_out_of_range"
    DROPOFF_BEFORE_PICKUP = "dropoff_before_pickup"
    TOTAL_AMOUNT_OUT_OF_RANGE = "total_amount_out_of_range"


DUPLICATE_KINDS = frozenset({DefectKind.EXACT_DUPLICATE, DefectKind.KEY_DUPLICATE})
KEPT_KINDS = frozenset({DefectKind.EMPTY_OPTIONAL_VALUE, DefectKind.SAME_SECOND_TRIP})
QUARANTINED_KINDS = frozenset(DefectKind) - DUPLICATE_KINDS - KEPT_KINDS
# A typed Parquet column cannot hold a malformed line or a value of the wrong type.
TEXT_ONLY_KINDS = frozenset(
    {
        DefectKind.MALFORMED_LINE,
        DefectKind.INVALID_PICKUP_DATETIME,
        DefectKind.INVALID_TOTAL_AMOUNT,
        DefectKind.INVALID_VALUE,
    }
)


def applicable(
    kinds: tuple[DefectKind, ...], parquet: bool, written: frozenset[int]
) -> tuple[DefectKind, ...]:
    """The kinds a file can show: no text-only defects in Parquet, no empty optional value in a
    file without an optional column."""
    return tuple(
        k
        for k in kinds
        if not (parquet and k in TEXT_ONLY_KINDS)
        and not (k is DefectKind.EMPTY_OPTIONAL_VALUE and not written & set(_OPTIONAL_FIELDS))
    )


DESCRIPTIONS: dict[DefectKind, str] = {
    DefectKind.EXACT_DUPLICATE: "an earlier clean row repeated value for value",
    DefectKind.KEY_DUPLICATE: "an earlier clean row with every dedupe key column copied (vendor, "
    "times, coordinates, zones) and a different fare, tip and total",
    DefectKind.EMPTY_OPTIONAL_VALUE: "store_and_fwd_flag, rate code or payment_type empty "
    "(null in Parquet)",
    DefectKind.SAME_SECOND_TRIP: "another trip picked up in the same second as an earlier one, "
    "at other coordinates or zones: not a duplicate",
    DefectKind.MALFORMED_LINE: "too few or too many fields on the line",
    DefectKind.MISSING_PICKUP_DATETIME: "pickup time empty (null in Parquet)",
    DefectKind.INVALID_PICKUP_DATETIME: "pickup time that is not a valid timestamp "
    "(`2015-13-01 10:00:00`, `N/A`, ...)",
    DefectKind.MISSING_TOTAL_AMOUNT: "total amount empty (null in Parquet)",
    DefectKind.INVALID_TOTAL_AMOUNT: 'total amount like `$12.50` or `"1,234.50"`',
    DefectKind.INVALID_VALUE: 'fare like `$12.50`, distance like `"1,234.50"`, dropoff time '
    "that is not a timestamp, or (word eras) a payment word that is not a TLC code",
    DefectKind.PASSENGER_COUNT_OUT_OF_RANGE: "passenger count -1 or 10+",
    DefectKind.DROPOFF_BEFORE_PICKUP: "dropoff 1-60 minutes before pickup",
    DefectKind.TOTAL_AMOUNT_OUT_OF_RANGE: "a refund (every amount negative) or a mistyped fare "
    "making the total over 10000",
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
_BAD_PAYMENT_WORDS = ("Voided", "CARD?", "Other")
_INVALID_VALUE_FIELDS = (trips.FARE, trips.DISTANCE, trips.DROPOFF, trips.PAYMENT)


def key_duplicate(source: list[str], rng: random.Random) -> list[str]:
    """A new row with the source's dedupe key but a different (still valid) fare and tip."""
    row = source.copy()
    while row == source:
        trips.reprice(row, fare_cents=rng.randrange(300, 6000, 50), tip_cents=rng.randrange(0, 900))
    return row


def _not_a_number(value: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "$" + value
    # Quoted so the comma stays inside one CSV field: the line is well-formed, the value is not
    # a number.
    return f'"1,{rng.randrange(1000):03d}.{rng.randrange(100):02d}"'


def corrupt_values(
    kind: DefectKind,
    row: list[str],
    rng: random.Random,
    fmt: TimestampFormatter,
    pickup_day: trips.date,
    pickup_sec: int,
    written: frozenset[int],
    words: bool = False,
) -> None:
    """Apply a value-level defect to a clean row in place (duplicates and malformed lines aside).

    `written`: the trips fields the file has, so the defect lands where it shows. `words`: the
    era writes payment types as words, so a bad word is one more invalid value."""
    if kind is DefectKind.EMPTY_OPTIONAL_VALUE:
        row[rng.choice([f for f in _OPTIONAL_FIELDS if f in written])] = ""
    elif kind is DefectKind.MISSING_PICKUP_DATETIME:
        row[trips.PICKUP] = ""
    elif kind is DefectKind.INVALID_PICKUP_DATETIME:
        row[trips.PICKUP] = rng.choice(_BAD_TIMESTAMPS)
    elif kind is DefectKind.MISSING_TOTAL_AMOUNT:
        row[trips.TOTAL] = ""
    elif kind is DefectKind.INVALID_TOTAL_AMOUNT:
        row[trips.TOTAL] = _not_a_number(row[trips.TOTAL], rng)
    elif kind is DefectKind.INVALID_VALUE:
        field = rng.choice([f for f in _INVALID_VALUE_FIELDS if f in written])
        if field == trips.DROPOFF:
            row[field] = rng.choice(_BAD_TIMESTAMPS)
        elif field == trips.PAYMENT and words:
            row[field] = rng.choice(_BAD_PAYMENT_WORDS)
        elif field == trips.DISTANCE:
            row[field] = _not_a_number(row[field], rng)
        else:
            row[field] = "$" + row[field]
    elif kind is DefectKind.PASSENGER_COUNT_OUT_OF_RANGE:
        row[trips.PASSENGERS] = str(rng.choice((-1, 10, 12, 99)))
    elif kind is DefectKind.DROPOFF_BEFORE_PICKUP:
        row[trips.DROPOFF] = fmt(pickup_day, pickup_sec - rng.randrange(60, 3600))
    elif kind is DefectKind.TOTAL_AMOUNT_OUT_OF_RANGE:
        if rng.random() < 0.5:
            for column in (*trips.MONEY_FIELDS, trips.TOTAL):
                if row[column] and trips.cents(row[column]) != 0:
                    row[column] = "-" + row[column]
        else:
            trips.reprice(row, fare_cents=rng.randrange(1_000_000, 10_000_000, 50), tip_cents=0)
    else:
        raise ValueError(f"{kind} is not a value-level defect")


def corrupt_line(fields: list[str], rng: random.Random) -> list[str]:
    """Drop 1-5 trailing fields or add 1-2 extra ones, so the field count no longer matches."""
    if rng.random() < 0.5:
        return fields[: -rng.randrange(1, 6)]
    return fields + ["0"] * rng.randrange(1, 3)
