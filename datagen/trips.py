"""Clean, realistic NYC yellow-taxi trips in the 2015 TLC CSV layout.

Values follow the 2015 yellow-cab rate card closely enough for the ETL's checks and metrics to be
meaningful: $2.50 flag drop + $2.50/mile + $0.50/slow minute (rounded to 50 cents like the meter),
JFK flat fare $52, MTA tax $0.50, improvement surcharge $0.30 (from 2015-01-01), night and
rush-hour extras, card-only tips, occasional tolls, and total_amount = sum of the parts.

Every trip gets a unique dedupe key (pickup second + pickup longitude) so the only duplicates in a
generated set are the ones the defect injector adds on purpose: the manifest can then state exactly
how many rows the ETL must drop.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

YELLOW_2015_HEADER: tuple[str, ...] = (
    "VendorID",
    "tpep_pickup_datetime",
    "tpep_dropoff_datetime",
    "passenger_count",
    "trip_distance",
    "pickup_longitude",
    "pickup_latitude",
    "RateCodeID",
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

# Field positions in a row (same order as the header).
PICKUP, DROPOFF, PASSENGERS, DISTANCE, PICKUP_LON = 1, 2, 3, 4, 5
RATE_CODE, STORE_FWD, PAYMENT = 7, 8, 11
FARE, EXTRA, MTA_TAX, TIP, TOLLS, SURCHARGE, TOTAL = 12, 13, 14, 15, 16, 17, 18
MONEY_FIELDS: tuple[int, ...] = (FARE, EXTRA, MTA_TAX, TIP, TOLLS, SURCHARGE)

# Relative pickup volume per hour of day (TLC 2015 shape: quiet 3-6am, evening peak).
_HOUR_WEIGHTS = (6, 4, 3, 2, 2, 2, 4, 7, 9, 9, 8, 8, 9, 9, 9, 9, 8, 10, 12, 12, 11, 10, 9, 8)
_HOUR_CUMULATIVE = tuple(accumulate(_HOUR_WEIGHTS))

# Pickup zones: (cumulative weight, centre lon, centre lat, spread in degrees).
_ZONES = (
    (85, -73.9800, 40.7550, 0.018),  # Manhattan
    (90, -73.9550, 40.6850, 0.015),  # Brooklyn
    (95, -73.8740, 40.7740, 0.002),  # LaGuardia
    (100, -73.7817, 40.6446, 0.003),  # JFK
)
_ZONE_CUMULATIVE = tuple(z[0] for z in _ZONES)
_JFK_ZONE = 3
# 2015 share of passenger counts: ~70% solo riders, then couples, groups up to a minivan's 6.
_PASSENGER_CUMULATIVE = (0.70, 0.84, 0.88, 0.90, 0.95)
_PASSENGER_TEXT = ("1", "2", "3", "4", "5", "6")
_EXTRA_TEXT = {0: "0.00", 50: "0.50", 100: "1.00"}
_MILES_PER_DEG_LAT = 69.0
_MILES_PER_DEG_LON = 52.4  # at NYC's latitude
_ROAD_FACTOR = 1.25  # street distance / straight-line distance

TimestampFormatter = Callable[[date, int], str]


@lru_cache(maxsize=4096)
def _day(base: date, offset: int) -> date:
    return base + timedelta(days=offset)


@lru_cache(maxsize=4096)
def _iso_day(base: date, offset: int) -> str:
    return (base + timedelta(days=offset)).isoformat()


def format_standard(day: date, second: int) -> str:
    """`yyyy-MM-dd HH:mm:ss`, the TLC format (seconds may run past midnight)."""
    iso = _iso_day(day, second // 86400)
    second %= 86400
    return f"{iso} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"


def format_iso_t(day: date, second: int) -> str:
    """`yyyy-MM-ddTHH:mm:ss`, as written by many exporters."""
    return format_standard(day, second).replace(" ", "T", 1)


def format_us_12h(day: date, second: int) -> str:
    """`MM/dd/yyyy hh:mm:ss a`, as written by spreadsheet exports."""
    shifted = _day(day, second // 86400)
    second %= 86400
    hour = second // 3600
    suffix = "AM" if hour < 12 else "PM"
    hour12 = hour % 12 or 12
    return (
        f"{shifted.month:02d}/{shifted.day:02d}/{shifted.year} "
        f"{hour12:02d}:{second // 60 % 60:02d}:{second % 60:02d} {suffix}"
    )


def money(cents: int) -> str:
    """Format integer cents as dollars with two decimals (exact, no float rounding noise)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


class TripFactory:
    """Makes clean trip rows (lists of 19 strings) from one seeded random stream."""

    def __init__(
        self, rng: random.Random, first_day: date, stripe: tuple[int, int] = (0, 1)
    ) -> None:
        """`stripe` (index, count): pickup longitudes in micro-degrees are congruent to index
        modulo count, so factories with different stripes can never make the same dedupe key
        (files written in parallel stay key-unique; the shift is under count micro-degrees)."""
        self._rng = rng
        self._first_day = first_day
        self._stripe, self._stripes = stripe
        self._keys: set[int] = set()

    def pickup_day(self, offset: int) -> date:
        """The calendar date `offset` days after the first day."""
        return _day(self._first_day, offset)

    def make(self, day_offset: int, fmt: TimestampFormatter) -> tuple[list[str], int]:
        """Return a clean row for a pickup on the given day and its pickup second of day."""
        rng = self._rng
        rnd = rng.random
        day = _day(self._first_day, day_offset)
        zone = bisect(_ZONE_CUMULATIVE, rnd() * 100)
        _, lon0, lat0, spread = _ZONES[zone]
        pickup_lat = rng.gauss(lat0, spread)

        # Re-draw the second and longitude until the dedupe key is new: only injected duplicates
        # may share a key.
        while True:
            hour = bisect(_HOUR_CUMULATIVE, rnd() * _HOUR_CUMULATIVE[-1])
            pickup_sec = hour * 3600 + int(rnd() * 3600)
            micro = round(rng.gauss(lon0, spread) * -1e6)
            micro += self._stripe - micro % self._stripes
            pickup_lon = micro / -1e6
            key = ((day_offset * 86400 + pickup_sec) << 32) ^ micro
            if key not in self._keys:
                self._keys.add(key)
                break

        if zone == _JFK_ZONE:
            distance = min(max(rng.gauss(17.0, 3.0), 9.0), 30.0)
        else:
            distance = min(max(rng.lognormvariate(0.55, 0.75), 0.1), 25.0)
        speed_mph = min(7.0 + 9.0 * rnd() + distance * 0.4, 35.0)
        duration = int(distance / speed_mph * 3600) + 30 + int(rnd() * 210)
        slow_minutes = int(duration / 60 * (0.1 + 0.3 * rnd()))

        straight = distance / _ROAD_FACTOR
        bearing = rnd() * 2 * math.pi
        dropoff_lat = pickup_lat + straight * math.cos(bearing) / _MILES_PER_DEG_LAT
        dropoff_lon = pickup_lon + straight * math.sin(bearing) / _MILES_PER_DEG_LON

        rate_code = 2 if zone == _JFK_ZONE and rnd() < 0.8 else 1
        if rate_code == 2:
            fare = 5200
        else:
            meter = 250 + 250 * distance + 50 * slow_minutes
            fare = int(meter / 50 + 0.5) * 50
        weekday = day.weekday() < 5
        if hour >= 20 or hour < 6:
            extra = 50
        elif weekday and 16 <= hour < 20:
            extra = 100
        else:
            extra = 0
        payment = 1 if rnd() < 0.62 else (2 if rnd() < 0.97 else rng.choice((3, 4)))
        tip = int(fare * (0.12 + 0.18 * rnd())) if payment == 1 and rnd() < 0.9 else 0
        tolls = 554 if rnd() < (0.5 if zone == _JFK_ZONE else 0.03) else 0
        total = fare + extra + 50 + tip + tolls + 30

        row = [
            "2" if rnd() < 0.53 else "1",
            fmt(day, pickup_sec),
            fmt(day, pickup_sec + duration),
            _PASSENGER_TEXT[bisect(_PASSENGER_CUMULATIVE, rnd())],
            f"{distance:.2f}",
            f"{pickup_lon:.6f}",
            f"{pickup_lat:.6f}",
            str(rate_code),
            "Y" if rnd() < 0.01 else "N",
            f"{dropoff_lon:.6f}",
            f"{dropoff_lat:.6f}",
            str(payment),
            # Amounts are non-negative cents here, so float formatting is exact and fast.
            f"{fare / 100:.2f}",
            _EXTRA_TEXT[extra],
            "0.50",
            f"{tip / 100:.2f}",
            "5.54" if tolls else "0.00",
            "0.30",
            f"{total / 100:.2f}",
        ]
        return row, pickup_sec


def reprice(row: list[str], fare_cents: int, tip_cents: int) -> None:
    """Set a new fare and tip on a row and recompute total_amount so it stays the sum of parts."""
    row[FARE] = money(fare_cents)
    row[TIP] = money(tip_cents)
    row[TOTAL] = money(sum(_cents(row[i]) for i in MONEY_FIELDS))


def _cents(value: str) -> int:
    sign = -1 if value.startswith("-") else 1
    dollars, _, cents = value.lstrip("-").partition(".")
    return sign * (int(dollars) * 100 + int(cents or 0))
