"""Time zones Parquet writers name for timestamp columns, so that a zoned timestamp is read as the
wall clock its writer saw.

The TLC's own files hold naive New York times. A timestamp marked as adjusted to UTC is an
instant, and comes from a file someone re-wrote; which wall clock it stands for depends on the
writer:
- pandas, pyarrow and polars store the column's zone in the Arrow schema they keep in the footer
  (key `ARROW:schema`): `America/New_York` after `tz_localize` or `tz_convert`, `UTC` after
  pandas' `utc=True`, the writer's own zone after localising New York times to it;
- Spark, Glue and DuckDB name no zone: they store the instant that a wall clock in their
  session's zone stands for, so the UTC wall clock gives back the times they read only for a UTC
  session (Glue's). Their default zone is the machine's own.
Each column is read as the wall clock of the zone its file names, UTC when it names none. That
gives back the times the writer saw in every case above; only instants converted to a zone other
than New York's come out in that zone's time, as pandas would show them too.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from pyspark.sql import SparkSession

from etl.arrow_schema import timestamp_zones
from etl.jvm_classes import java_class

ARROW_SCHEMA_KEY = "ARROW:schema"


class UnknownZoneError(ValueError):
    """A column names a zone Spark cannot convert to: reading it as UTC would shift it silently."""


def named_zones(
    spark: SparkSession, metadata: Any, columns: Iterable[str]
) -> tuple[tuple[str, str], ...]:
    """(column, zone) for each of `columns` whose Arrow schema, in the footer's key-value
    `metadata` (a JVM map), names a zone other than UTC; in the order of `columns`."""
    encoded = metadata.get(ARROW_SCHEMA_KEY)
    if encoded is None:
        return ()
    zones = timestamp_zones(base64.b64decode(str(encoded)))
    named = [(column, zones[column]) for column in columns if zones.get(column)]
    utc: dict[str, bool] = {}
    for column, zone in named:
        if zone not in utc:
            utc[zone] = _is_utc(spark, column, zone)
    return tuple((column, zone) for column, zone in named if not utc[zone])


def _is_utc(spark: SparkSession, column: str, zone: str) -> bool:
    """Whether `zone` is UTC under any of its names, as Spark's own parsing of zones reads it
    (`java.time.ZoneId` with the short ids). Raises UnknownZoneError for a zone it rejects."""
    zone_ids = java_class(spark._jvm, "java.time.ZoneId")
    try:
        zone_id = zone_ids.of(zone, zone_ids.SHORT_IDS)
    except Exception as error:  # py4j raises the JVM's DateTimeException wrapped
        raise UnknownZoneError(
            f"column {column} names the time zone {zone!r}, which is neither a zone name nor an"
            " offset from UTC"
        ) from error
    return str(zone_id.normalized().getId()) == "Z"
