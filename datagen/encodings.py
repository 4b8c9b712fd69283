"""How a TLC era writes values that the trips generator makes as plain codes and amounts.

Finishers re-encode a clean row in place, before it can be copied by a duplicate, so an exact
duplicate repeats the same words: vendor and payment words and store flags of 2009-2014, the
unreported trips of 2020 onwards with their nulls and payment_type 0.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from datagen.trips import (
    AIRPORT_FEE,
    CONGESTION,
    PASSENGERS,
    PAYMENT,
    RATE_CODE,
    STORE_FWD,
    VENDOR,
    retotal,
)

Finisher = Callable[[list[str], random.Random], None]


def compact(value: str) -> str:
    if "." not in value or value.startswith('"'):
        return value
    return value.rstrip("0").rstrip(".") or "0"


def _choose(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[0] if len(options) == 1 else rng.choice(options)


def words(
    vendors: tuple[str, ...],
    payments: dict[str, tuple[str, ...]],
    flags: tuple[tuple[float, str], ...],
    blank_rate_code: float = 0.0,
) -> Finisher:
    """A finisher writing the 2009-2014 word codes: vendor and payment words, store flags.

    `vendors`: words for vendor 1 and 2, then optionally a third vendor taking 8% of trips.
    A payment key "5" is UNK, written for 1% of trips."""

    def finish(row: list[str], rng: random.Random) -> None:
        rnd = rng.random
        third = len(vendors) > 2 and rnd() < 0.08
        row[VENDOR] = vendors[2] if third else vendors[row[VENDOR] == "2"]
        code = "5" if "5" in payments and rnd() < 0.01 else row[PAYMENT]
        row[PAYMENT] = _choose(rng, payments[code])
        draw = rnd()
        row[STORE_FWD] = next(flag for share, flag in flags if draw < share)
        if blank_rate_code and rnd() < blank_rate_code:
            row[RATE_CODE] = ""

    return finish


def unreported_rows(row: list[str], rng: random.Random) -> None:
    """From 2020 a few percent of yellow rows (trips booked outside the meter) leave passengers,
    rate code, store flag and the newer fees null, with payment_type 0."""
    if rng.random() < 0.06:
        for field in (PASSENGERS, RATE_CODE, STORE_FWD, CONGESTION, AIRPORT_FEE):
            row[field] = ""
        row[PAYMENT] = "0"
        retotal(row)
