"""A file replaced by a new version (a corrected re-publish, a copy completed after a run read it
cut): its earlier version's rows give way to the new ones, as in a full refresh."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from chispa import assert_df_equality

from etl.local import run
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv
from tests.etl.test_local_runs import read_table


def _trip(day: int, minute: int, total: str) -> str:
    return trip_line(
        pickup_datetime=f"2015-01-{day:02d} 10:{minute:02d}:00",
        dropoff_datetime=f"2015-01-{day:02d} 10:{minute + 10:02d}:00",
        total_amount=total,
    )


def _write(path: Path, lines: list[str], stamp: int) -> None:
    write_csv(path, [TLC_HEADER, *lines])
    os.utime(path, (stamp, stamp))


def _assert_same_outputs(spark, actual: Path, expected: Path) -> None:
    for table in ("trips", "hourly_metrics"):
        assert_df_equality(
            read_table(spark, actual, table),
            read_table(spark, expected, table),
            ignore_row_order=True,
        )
    assert _quarantined(spark, actual) == _quarantined(spark, expected)


def _quarantined(spark, root: Path) -> list[tuple]:
    """Quarantined rows, less the run that quarantined them; none when nothing was."""
    if not any((root / "quarantine").glob("*/*.parquet")):
        return []
    rows = spark.read.parquet(str(root / "quarantine")).drop("run_id", "quarantined_at")
    return sorted((tuple(row) for row in rows.collect()), key=repr)


def test_a_corrected_file_replaces_its_earlier_rows_as_a_full_refresh_would(spark, tmp_path):
    source, incremental, full = tmp_path / "in", tmp_path / "inc", tmp_path / "full"
    # The month as first published: day 2 only in this file, day 3 shared with another file.
    _write(
        source / "yellow_tripdata_2015-01.csv",
        [_trip(2, 5, "20.00"), _trip(3, 5, "30.00"), _trip(3, 6, "bad"), _trip(4, 5, "40.00")],
        stamp=1_000_000,
    )
    _write(source / "yellow_tripdata_extra.csv", [_trip(3, 7, "31.00")], stamp=1_000_000)
    first = run(spark, source, incremental, full_refresh=False)
    assert first.rows_written == 4

    # Re-published: a total corrected upwards, day 2's only trip withdrawn, the bad line fixed,
    # a trip added on a date no file had.
    _write(
        source / "yellow_tripdata_2015-01.csv",
        [_trip(3, 5, "35.00"), _trip(3, 6, "36.00"), _trip(4, 5, "40.00"), _trip(5, 5, "50.00")],
        stamp=2_000_000,
    )
    second = run(spark, source, incremental, full_refresh=False)
    run(spark, source, full, full_refresh=True)

    _assert_same_outputs(spark, incremental, full)
    totals = sorted(row.total_amount for row in read_table(spark, incremental, "trips").collect())
    assert totals == [31.0, 35.0, 36.0, 40.0, 50.0]
    assert not (incremental / "trips" / "pickup_date=2015-01-02").exists()
    assert not (incremental / "hourly_metrics" / "pickup_date=2015-01-02").exists()
    # The earlier version's three trips are replaced by the new version's four.
    assert (second.rows_written, second.rows_replaced, second.duplicates_dropped) == (4, 3, 0)
    assert second.partitions_removed == ["2015-01-02"]
    assert not (incremental / "_staging").exists()


def test_a_file_whose_new_version_cannot_be_read_keeps_its_earlier_rows(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    month = source / "yellow_tripdata_2015-01.csv.gz"
    month.parent.mkdir(parents=True)
    lines = [TLC_HEADER, _trip(2, 5, "20.00"), _trip(3, 5, "bad")]
    month.write_bytes(gzip.compress("".join(f"{line}\n" for line in lines).encode()))
    os.utime(month, (1_000_000, 1_000_000))
    run(spark, source, output, full_refresh=False)
    before = _tables(spark, output)

    # The re-download was cut short: the file changed, and cannot be read.
    month.write_bytes(month.read_bytes()[:-20])
    report = run(spark, source, output, full_refresh=False)

    assert [f.path for f in report.failed_files] == ["yellow_tripdata_2015-01.csv.gz"]
    assert _tables(spark, output) == before


def _tables(spark, root: Path) -> dict[str, list[tuple]]:
    trips = [tuple(r) for r in read_table(spark, root, "trips").collect()]
    metrics = [tuple(r) for r in read_table(spark, root, "hourly_metrics").collect()]
    return {"trips": trips, "metrics": metrics, "quarantine": _quarantined(spark, root)}


def test_a_file_emptied_alone_takes_its_earlier_trips_with_it(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    month = source / "yellow_tripdata_2015-01.csv"
    _write(month, [_trip(2, 5, "20.00"), _trip(3, 5, "bad")], stamp=1_000_000)
    run(spark, source, output, full_refresh=False)

    month.write_bytes(b"")
    report = run(spark, source, output, full_refresh=False)

    assert (report.rows_read, report.rows_replaced, report.failed_files) == (0, 1, [])
    assert not (output / "trips" / "pickup_date=2015-01-02").exists()
    assert not (output / "hourly_metrics" / "pickup_date=2015-01-02").exists()
    assert _quarantined(spark, output) == []
