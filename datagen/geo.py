"""Where trips start: pickup areas per service, and the TLC taxi zone a coordinate falls in.

Zones are approximate (latitude bands in Manhattan, a grid hash elsewhere): close enough that
zone IDs are plausible TLC zone numbers, airports map to their real zones (132 JFK, 138
LaGuardia) and a trip's zones follow from its coordinates, so the coordinate and location-ID
eras describe the same trips.
"""

from __future__ import annotations

from bisect import bisect

JFK = 132
LAGUARDIA = 138

# (cumulative weight out of 100, centre lon, centre lat, spread in degrees, airport zone or 0).
Area = tuple[int, float, float, float, int]
YELLOW_AREAS: tuple[Area, ...] = (
    (85, -73.9800, 40.7550, 0.018, 0),  # Manhattan
    (90, -73.9550, 40.6850, 0.015, 0),  # Brooklyn
    (95, -73.8740, 40.7740, 0.002, LAGUARDIA),
    (100, -73.7817, 40.6446, 0.003, JFK),
)
# Green cabs may not pick up in Manhattan below East 96th / West 110th St, nor at the airports.
GREEN_AREAS: tuple[Area, ...] = (
    (30, -73.9450, 40.8100, 0.010, 0),  # Harlem, Washington Heights
    (70, -73.9550, 40.6850, 0.020, 0),  # Brooklyn
    (95, -73.9050, 40.7600, 0.015, 0),  # Astoria, Jackson Heights
    (100, -73.9000, 40.8400, 0.012, 0),  # the Bronx
)

# Manhattan zones from the Battery to Inwood, roughly south to north.
_MANHATTAN = (
    261, 87, 12, 209, 231, 144, 211, 125, 114, 79, 113, 249, 148, 234, 90, 68, 246, 186, 164,
    170, 161, 230, 162, 163, 229, 48, 142, 237, 141, 236, 239, 238, 263, 262, 75, 41, 74, 166,
    152, 42, 116, 244, 243, 127,
)  # fmt: skip
# Zones of the Congestion Relief Zone (Manhattan south of 60th Street), charged from 2025.
CBD_ZONES = frozenset(_MANHATTAN[:27])
MANHATTAN_ZONES = frozenset(_MANHATTAN)
_BROOKLYN = (33, 65, 66, 97, 25, 40, 52, 54, 106, 181, 189, 190, 228, 257, 61, 62, 225, 17, 255)
_QUEENS = (7, 8, 179, 146, 145, 260, 129, 82, 83, 56, 95, 196, 226, 193, 223)
_BRONX = (69, 159, 168, 247, 167, 119, 235, 78, 60, 212)
_MANHATTAN_SOUTH, _MANHATTAN_NORTH = 40.700, 40.875


def cumulative(areas: tuple[Area, ...]) -> tuple[int, ...]:
    return tuple(a[0] for a in areas)


def pick_area(areas: tuple[Area, ...], weights: tuple[int, ...], draw: float) -> Area:
    """The area a uniform draw in [0, 1) falls in."""
    return areas[bisect(weights, draw * 100)]


def zone_id(lon: float, lat: float) -> int:
    """The TLC taxi zone (1-263) of a coordinate."""
    if -73.83 < lon < -73.74 and 40.62 < lat < 40.67:
        return JFK
    if -73.89 < lon < -73.85 and 40.76 < lat < 40.79:
        return LAGUARDIA
    if -74.02 < lon < -73.925 and _MANHATTAN_SOUTH <= lat < _MANHATTAN_NORTH:
        band = (lat - _MANHATTAN_SOUTH) / (_MANHATTAN_NORTH - _MANHATTAN_SOUTH)
        return _MANHATTAN[int(band * len(_MANHATTAN))]
    cell = int(lat * 200) * 31 + int(-lon * 200) * 17
    if lat < 40.705:
        return _BROOKLYN[cell % len(_BROOKLYN)]
    if lat > 40.80 and lon > -73.93:
        return _BRONX[cell % len(_BRONX)]
    return _QUEENS[cell % len(_QUEENS)]
