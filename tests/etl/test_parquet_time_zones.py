"""Parquet timestamps that carry a time zone are read as the wall clock their writer saw."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from chispa import assert_df_equality

from etl.batch_read import parse_files
from etl.parquet_input import read_footer
from etl.quarantine import valid_rows

# Local New York times; the second crosses midnight in UTC in summer time.
PICKUPS = [dt.datetime(2024, 1, 1, 0, 5), dt.datetime(2024, 7, 4, 23, 30)]
DROPOFFS = [dt.datetime(2024, 1, 1, 0, 25), dt.datetime(2024, 7, 5, 0, 10)]


def _tzinfo(zone: str | None) -> dt.tzinfo | None:
    if zone is None:
        return None
    if zone[0] in "+-":
        hours, minutes = zone[1:].split(":")
        sign = -1 if zone[0] == "-" else 1
        return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))
    return ZoneInfo(zone)


def _write(
    path: Path, zone: str | None, unit: str = "us", localise: str | None = None, int96: bool = False
) -> str:
    """Two trips whose times are `PICKUPS`/`DROPOFFS` localised to `localise` (the zone itself
    unless given), stored as instants with `zone` as the column's zone (as INT96 if `int96`)."""
    where = _tzinfo(localise or zone)

    def times(values: list[dt.datetime]) -> pa.Array:
        instants = [v.replace(tzinfo=where) if where else v for v in values]
        return pa.array(instants, pa.timestamp(unit, tz=zone))

    table = pa.table(
        {
            "tpep_pickup_datetime": times(PICKUPS),
            "tpep_dropoff_datetime": times(DROPOFFS),
            "total_amount": [22.7, 18.75],
        }
    )
    # Parquet format 2.6 keeps nanosecond timestamps as such instead of coercing them.
    pq.write_table(table, path, version="2.6", use_deprecated_int96_timestamps=int96)
    return path.as_uri()


def _times(spark, batch):
    return valid_rows(batch.checked).select("pickup_datetime", "dropoff_datetime", "pickup_date")


def _expected(spark, copies: int):
    rows = [(p, d, p.date()) for p, d in zip(PICKUPS, DROPOFFS, strict=True)] * copies
    return spark.createDataFrame(
        rows, "pickup_datetime timestamp, dropoff_datetime timestamp, pickup_date date"
    )


def test_zoned_timestamps_read_as_the_wall_clock_of_the_zone_the_file_names(spark, tmp_path):
    files = [
        # pandas' tz_localize("America/New_York"), or tz_convert to it from true UTC instants.
        _write(tmp_path / "yellow_new_york.parquet", "America/New_York"),
        _write(tmp_path / "yellow_new_york_ns.parquet", "America/New_York", unit="ns"),
        _write(tmp_path / "yellow_new_york_int96.parquet", "America/New_York", int96=True),
        # A zone given as an offset, and a writer that localised New York times to its own zone:
        # either way, the times the writer saw are the ones it wrote.
        _write(tmp_path / "yellow_offset.parquet", "-05:00"),
        _write(tmp_path / "yellow_berlin.parquet", "Europe/Berlin"),
        # pandas' utc=True on naive local times, and a zone-less writer (Spark, DuckDB) in UTC.
        _write(tmp_path / "yellow_utc.parquet", "UTC"),
        _write(tmp_path / "yellow_naive.parquet", None),
    ]
    batch = parse_files(spark, files)
    assert batch.failed_files == []
    assert_df_equality(
        _times(spark, batch),
        _expected(spark, copies=len(files)),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_only_a_zone_other_than_utc_is_kept_in_the_layout(spark, tmp_path):
    footers = [
        read_footer(spark, _write(tmp_path / "a.parquet", "America/New_York")),
        read_footer(spark, _write(tmp_path / "b.parquet", "Etc/UTC", localise="UTC")),
        read_footer(spark, _write(tmp_path / "c.parquet", None)),
    ]
    new_york = (
        ("tpep_pickup_datetime", "America/New_York"),
        ("tpep_dropoff_datetime", "America/New_York"),
    )
    assert [footer.layout.zones if footer.layout else footer.error for footer in footers] == [
        new_york,
        (),
        (),
    ]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "+25:00"])
def test_a_zone_spark_does_not_know_fails_the_file_and_names_the_zone(spark, tmp_path, zone):
    good = _write(tmp_path / "yellow_good.parquet", "America/New_York")
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([0], pa.timestamp("us", tz=zone)),
            "total_amount": [1.0],
        }
    )
    bad = tmp_path / "yellow_bad.parquet"
    pq.write_table(table, bad)
    batch = parse_files(spark, [good, bad.as_uri()])
    assert [(failure.path, zone in failure.reason) for failure in batch.failed_files] == [
        (bad.as_uri(), True)
    ]
    assert_df_equality(
        _times(spark, batch),
        _expected(spark, copies=1),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_zones_are_read_beside_types_newer_than_sparks_arrow_library(spark, tmp_path):
    zone = "America/New_York"
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array(
                [p.replace(tzinfo=ZoneInfo(zone)) for p in PICKUPS], pa.timestamp("us", tz=zone)
            ),
            "store_and_fwd_flag": pa.array(["N", "Y"], pa.string_view()),
            "total_amount": [22.7, 18.75],
        }
    )
    path = tmp_path / "yellow_views.parquet"
    pq.write_table(table, path)
    batch = parse_files(spark, [path.as_uri()])
    assert batch.failed_files == []
    actual = valid_rows(batch.checked).select("pickup_datetime", "store_and_fwd_flag")
    expected = spark.createDataFrame(
        [(PICKUPS[0], "N"), (PICKUPS[1], "Y")],
        "pickup_datetime timestamp, store_and_fwd_flag string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
