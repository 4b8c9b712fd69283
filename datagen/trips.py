"""Clean, realistic NYC taxi trips as rows of text fields holding every value any TLC era has.

A row is a list of strings in the order of FIELDS below; an era (datagen.eras) picks, renames and
re-encodes the fields its files have. Values follow the rate card of the trip's era closely
enough for the ETL's checks and metrics to be meaningful: flag drop + per-mile + $0.50/slow
minute (rounded to 50 cents like the meter), the JFK flat fare, MTA tax, night and rush-hour
extras, card-only tips, occasional tolls, the surcharges and fees of later years, and
total_amount = sum of the parts.

Every trip gets a unique dedupe key in both the coordinate and the location-ID eras, so the only
duplicates in a generated set are the ones the defect injector adds on purpose: the manifest can
then state exactly how many rows the ETL must drop.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

from datagen import geo

# Canonical name and type of each field of a row, in row order.
FIELDS: tuple[tuple[str, str], ...] = (
    ("vendor_id", "int"),
    ("pickup_datetime", "timestamp"),
    ("dropoff_datetime", "timestamp"),
    ("passenger_count", "int"),
    ("trip_distance", "double"),
    ("pickup_longitude", "double"),
    ("pickup_latitude", "double"),
    ("rate_code_id", "int"),
    ("store_and_fwd_flag", "string"),
    ("dropoff_longitude", "double"),
    ("dropoff_latitude", "double"),
    ("payment_type", "int"),
    ("fare_amount", "double"),
    ("extra", "double"),
    ("mta_tax", "double"),
    ("tip_amount", "double"),
    ("tolls_amount", "double"),
    ("improvement_surcharge", "double"),
    ("total_amount", "double"),
    ("congestion_surcharge", "double"),
    ("airport_fee", "double"),
    ("cbd_congestion_fee", "double"),
    ("ehail_fee", "double"),
    ("pu_location_id", "int"),
    ("do_location_id", "int"),
    ("trip_type", "int"),
)
VENDOR, PICKUP, DROPOFF, PASSENGERS, DISTANCE, PICKUP_LON, PICKUP_LAT = range(7)
RATE_CODE, STORE_FWD, DROPOFF_LON, DROPOFF_LAT, PAYMENT = range(7, 12)
FARE, EXTRA, MTA_TAX, TIP, TOLLS, SURCHARGE, TOTAL = range(12, 19)
CONGESTION, AIRPORT_FEE, CBD_FEE, EHAIL_FEE, PU_LOCATION, DO_LOCATION, TRIP_TYPE = range(19, 26)
# The parts total_amount is the sum of (an empty part counts 0).
MONEY_FIELDS: tuple[int, ...] = (
    FARE, EXTRA, MTA_TAX, TIP, TOLLS, SURCHARGE, CONGESTION, AIRPORT_FEE, CBD_FEE,
)  # fmt: skip


@dataclass(frozen=True)
class RateCard:
    """What a trip costs in one era, in cents. None: the era's files leave the field empty."""

    per_mile: int = 250
    jfk_flat: int = 5200
    night_extra: int = 50
    rush_extra: int = 100
    mta_tax: int | None = 50
    tolls: int = 554
    improvement: int = 30
    congestion: int = 0  # charged when the trip starts or ends in Manhattan
    airport_fee: int = 0  # charged on pickups at JFK and LaGuardia
    cbd_fee: int = 0  # charged when the trip starts or ends in the congestion relief zone
    green: bool = False  # green cabs: outer-borough pickups, trip_type, no airport pickups


# Relative pickup volume per hour of day (TLC shape: quiet 3-6am, evening peak).
_HOUR_WEIGHTS = (6, 4, 3, 2, 2, 2, 4, 7, 9, 9, 8, 8, 9, 9, 9, 9, 8, 10, 12, 12, 11, 10, 9, 8)
_HOUR_CUMULATIVE = tuple(accumulate(_HOUR_WEIGHTS))
_YELLOW_WEIGHTS = geo.cumulative(geo.YELLOW_AREAS)
_GREEN_WEIGHTS = geo.cumulative(geo.GREEN_AREAS)
# ~70% solo riders, then couples, groups up to a minivan's 6.
_PASSENGER_CUMULATIVE = (0.70, 0.84, 0.88, 0.90, 0.95)
_PASSENGER_TEXT = ("1", "2", "3", "4", "5", "6")
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
    """`MM/dd/yyyy hh:mm:ss a`, as NYC Open Data and spreadsheet exports write."""
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
    """Makes clean trip rows (lists of len(FIELDS) strings) from one seeded random stream."""

    def __init__(
        self,
        rng: random.Random,
        first_day: date,
        stripe: tuple[int, int] = (0, 1),
        card: RateCard = RateCard(),
    ) -> None:
        """`stripe` (index, count): pickup longitudes in micro-degrees and trip durations in
        seconds are congruent to index modulo count, so factories with different stripes can
        never make the same dedupe key, with coordinates or with zones (files written in
        parallel stay key-unique; the shifts are under count micro-degrees or seconds)."""
        self._rng = rng
        self._first_day = first_day
        self._stripe, self._stripes = stripe
        self._card = card
        self._areas = geo.GREEN_AREAS if card.green else geo.YELLOW_AREAS
        self._weights = _GREEN_WEIGHTS if card.green else _YELLOW_WEIGHTS
        self._coordinate_keys: set[int] = set()
        self._zone_keys: set[int] = set()

    def pickup_day(self, offset: int) -> date:
        """The calendar date `offset` days after the first day."""
        return _day(self._first_day, offset)

    def make(
        self, day_offset: int, fmt: TimestampFormatter, second: int | None = None
    ) -> tuple[list[str], int]:
        """Return a clean row for a pickup on the given day and its pickup second of day.

        With `second`, the trip starts in that second (another trip of the same second, at
        other coordinates or zones)."""
        rng, card = self._rng, self._card
        rnd = rng.random
        day = _day(self._first_day, day_offset)
        _, lon0, lat0, spread, airport = geo.pick_area(self._areas, self._weights, rnd())
        pickup_lat = rng.gauss(lat0, spread)
        if airport == geo.JFK:
            distance = min(max(rng.gauss(17.0, 3.0), 9.0), 30.0)
        else:
            distance = min(max(rng.lognormvariate(0.55, 0.75), 0.1), 25.0)
        speed_mph = min(7.0 + 9.0 * rnd() + distance * 0.4, 35.0)
        duration = int(distance / speed_mph * 3600) + 30 + int(rnd() * 210)
        duration += (self._stripe - duration) % self._stripes
        slow_minutes = int(duration / 60 * (0.1 + 0.3 * rnd()))
        straight = distance / _ROAD_FACTOR
        bearing = rnd() * 2 * math.pi
        dropoff_lat = pickup_lat + straight * math.cos(bearing) / _MILES_PER_DEG_LAT
        lon_shift = straight * math.sin(bearing) / _MILES_PER_DEG_LON

        # Re-draw the second and longitude until both dedupe keys are new: only injected
        # duplicates may share a key, in the coordinate eras or in the zone eras.
        while True:
            if second is None:
                hour = bisect(_HOUR_CUMULATIVE, rnd() * _HOUR_CUMULATIVE[-1])
                pickup_sec = hour * 3600 + int(rnd() * 3600)
            else:
                pickup_sec = second
                hour = second // 3600
            micro = round(rng.gauss(lon0, spread) * -1e6)
            micro += self._stripe - micro % self._stripes
            pickup_lon = micro / -1e6
            dropoff_lon = pickup_lon + lon_shift
            pu, do = geo.zone_id(pickup_lon, pickup_lat), geo.zone_id(dropoff_lon, dropoff_lat)
            moment = day_offset * 86400 + pickup_sec
            coordinate_key = (moment << 32) ^ micro
            zone_key = (((moment << 18) | (pu << 9) | do) << 20) | duration
            if coordinate_key not in self._coordinate_keys and zone_key not in self._zone_keys:
                self._coordinate_keys.add(coordinate_key)
                self._zone_keys.add(zone_key)
                break
            if second is not None:
                duration += self._stripes  # the second is fixed: make the dropoff differ

        rate_code = 2 if airport == geo.JFK and rnd() < 0.8 else 1
        if rate_code == 2:
            fare = card.jfk_flat
        else:
            meter = 250 + card.per_mile * distance + 50 * slow_minutes
            fare = int(meter / 50 + 0.5) * 50
        if hour >= 20 or hour < 6:
            extra = card.night_extra
        elif day.weekday() < 5 and 16 <= hour < 20:
            extra = card.rush_extra
        else:
            extra = 0
        payment = 1 if rnd() < 0.62 else (2 if rnd() < 0.97 else rng.choice((3, 4)))
        tip = int(fare * (0.12 + 0.18 * rnd())) if payment == 1 and rnd() < 0.9 else 0
        tolls = card.tolls if rnd() < (0.5 if airport == geo.JFK else 0.03) else 0
        manhattan = pu in geo.MANHATTAN_ZONES or do in geo.MANHATTAN_ZONES
        congestion = card.congestion if manhattan else 0
        airport_fee = card.airport_fee if airport else 0
        cbd = card.cbd_fee if pu in geo.CBD_ZONES or do in geo.CBD_ZONES else 0
        mta = card.mta_tax or 0
        total = fare + extra + mta + tip + tolls + card.improvement + congestion + airport_fee + cbd

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
            f"{extra / 100:.2f}",
            "" if card.mta_tax is None else f"{mta / 100:.2f}",
            f"{tip / 100:.2f}",
            f"{tolls / 100:.2f}",
            f"{card.improvement / 100:.2f}",
            f"{total / 100:.2f}",
            f"{congestion / 100:.2f}",
            f"{airport_fee / 100:.2f}",
            f"{cbd / 100:.2f}",
            "",  # ehail_fee: the e-hail pilot never charged it
            str(pu),
            str(do),
            ("1" if rnd() < 0.97 else "2") if card.green else "",
        ]
        return row, pickup_sec


def reprice(row: list[str], fare_cents: int, tip_cents: int) -> None:
    """Set a new fare and tip on a row and recompute total_amount so it stays the sum of parts."""
    row[FARE] = money(fare_cents)
    row[TIP] = money(tip_cents)
    retotal(row)


def retotal(row: list[str]) -> None:
    """Make total_amount the sum of the row's parts again (after a part was changed or emptied)."""
    row[TOTAL] = money(sum(cents(row[i]) for i in MONEY_FIELDS))


def cents(value: str) -> int:
    """Dollars text (`-12.5`, `3.00`, empty) to integer cents."""
    if not value:
        return 0
    sign = -1 if value.startswith("-") else 1
    dollars, _, fraction = value.lstrip("-").partition(".")
    return sign * (int(dollars) * 100 + int((fraction + "00")[:2]))
