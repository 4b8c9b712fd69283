"""Late trips on loaded dates: added beside the written files, or merged with them, and the
trips and metrics always equal a full refresh's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from chispa import assert_df_equality

from etl import loaded_dates, pipeline
from etl.local import run
from etl.merge import staged_trips
from etl.publish import PUBLISH_MARKER, finish_publish
from etl.storage import Storage
from tests.etl.helpers import TLC_HEADER, record_shuffle_sizes, trip_line, write_csv
from tests.etl.test_local_runs import assert_reconciles, read_table

DAY, NEXT_DAY = "2015-01-15", "2015-01-16"


def _at(day: str, time: str, **values: str) -> str:
    """A trip picked up at `day time`, dropped off ten minutes later."""
    hour, minute = time.split(":")
    drop = f"{hour}:{int(minute) + 10:02d}"
    return trip_line(
        pickup_datetime=f"{day} {time}:00", dropoff_datetime=f"{day} {drop}:00", **values
    )


def _files(output: Path, day: str) -> dict[str, tuple[int, int]]:
    """Name -> (size, modification time) of each trips file of one date."""
    folder = output / "trips" / f"pickup_date={day}"
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob("*.parquet")}


def _assert_equals_full_refresh(spark, source: Path, output: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    run(spark, source, full, full_refresh=True)
    for table in ("trips", "hourly_metrics"):
        assert_df_equality(
            read_table(spark, output, table), read_table(spark, full, table), ignore_row_order=True
        )


def test_late_trips_on_a_loaded_date_are_added_beside_its_files(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "a.csv", [TLC_HEADER, _at(DAY, "10:00"), _at(DAY, "11:00")])
    run(spark, source, output, full_refresh=False)
    before = _files(output, DAY)
    write_csv(source / "b.csv", [TLC_HEADER, _at(DAY, "12:00"), _at(NEXT_DAY, "08:00")])

    report = run(spark, source, output, full_refresh=False)

    # The written file is left as it was and one file is added next to it.
    after = _files(output, DAY)
    assert {name: after[name] for name in before} == before
    assert len(after) == len(before) + 1
    assert report.partitions_written == [DAY, NEXT_DAY]
    assert (report.rows_written, report.rows_replaced, report.duplicates_dropped) == (2, 0, 0)
    assert_reconciles(report)
    assert not (output / "_staging").exists()
    _assert_equals_full_refresh(spark, source, output, tmp_path)


@pytest.mark.parametrize("broadcast_trips", [loaded_dates.BROADCAST_TRIPS, 0])
def test_a_trip_sharing_keys_with_a_written_one_rewrites_its_date_alone(
    spark, tmp_path, monkeypatch, broadcast_trips
):
    # Both ways of joining the keys (hashes sent to every task, or shuffled) find the same dates.
    monkeypatch.setattr(loaded_dates, "BROADCAST_TRIPS", broadcast_trips)
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "a.csv", [TLC_HEADER, _at(DAY, "10:00"), _at(NEXT_DAY, "10:00")])
    run(spark, source, output, full_refresh=False)
    day_before, next_day_before = _files(output, DAY), _files(output, NEXT_DAY)
    # Same keys as the written 10:00 trip on DAY (the TLC 2015 layout has no zones: those keys
    # are null on both sides), but a bigger total: it sorts after and loses.
    write_csv(
        source / "b.csv",
        [TLC_HEADER, _at(DAY, "10:00", total_amount="99.0"), _at(NEXT_DAY, "12:00")],
    )

    report = run(spark, source, output, full_refresh=False)

    assert set(_files(output, DAY)).isdisjoint(day_before)  # rewritten
    assert len(_files(output, DAY)) == 1
    assert _files(output, NEXT_DAY).items() >= next_day_before.items()  # appended to
    assert (report.rows_written, report.rows_replaced, report.duplicates_dropped) == (1, 0, 1)
    assert_reconciles(report)
    _assert_equals_full_refresh(spark, source, output, tmp_path)


def test_a_date_that_gathered_many_files_is_rewritten_as_one(spark, tmp_path, monkeypatch):
    monkeypatch.setattr(loaded_dates, "MAX_FILES_PER_DATE", 2)
    source, output = tmp_path / "in", tmp_path / "out"
    for name, time in (("a.csv", "10:00"), ("b.csv", "11:00")):
        write_csv(source / name, [TLC_HEADER, _at(DAY, time)])
        run(spark, source, output, full_refresh=False)
    assert len(_files(output, DAY)) == 2
    write_csv(source / "c.csv", [TLC_HEADER, _at(DAY, "12:00")])

    report = run(spark, source, output, full_refresh=False)

    assert len(_files(output, DAY)) == 1
    assert (report.rows_written, report.rows_replaced) == (1, 0)
    _assert_equals_full_refresh(spark, source, output, tmp_path)


def test_a_rewrite_is_sized_with_the_trips_already_written(spark, tmp_path, monkeypatch):
    source, output = tmp_path / "in", tmp_path / "out"
    lines = [_at(DAY, f"10:{minute:02d}") for minute in range(40)] + [_at(NEXT_DAY, "10:00")]
    write_csv(source / "a.csv", [TLC_HEADER, *lines])
    run(spark, source, output, full_refresh=False)
    written = {
        day: sum(size for size, _ in _files(output, day).values()) // 48 for day in (DAY, NEXT_DAY)
    }
    sizes = record_shuffle_sizes(monkeypatch, loaded_dates)
    # A trip sharing keys on each written date, and one on a new date (not merged at all).
    late = [_at(DAY, "10:00", fare_amount="1.0"), _at(NEXT_DAY, "10:00", fare_amount="1.0")]
    write_csv(source / "b.csv", [TLC_HEADER, *late, _at("2015-01-17", "10:00")])
    run(spark, source, output, full_refresh=False)

    # Two dates, each with its written trips and its staged one, both estimated from their
    # files (a one-trip Parquet file is mostly footer: well under 10 kB).
    [size] = sizes
    both = written[DAY] + written[NEXT_DAY]
    assert size.dates == 2
    assert written[DAY] > written[NEXT_DAY] > 0
    assert both + 2 <= size.rows <= both + 2 * 10_000 // 48
    assert written[DAY] + 1 <= size.largest_date <= written[DAY] + 10_000 // 48


def test_an_append_that_died_after_copying_a_file_finishes_without_a_second_copy(spark, tmp_path):
    # On S3 a move is a copy then a delete: a run killed between them leaves the file in both
    # places, and the publish that recovers it must not add the trips twice.
    output = tmp_path / "out"
    day = output / "trips" / f"pickup_date={DAY}"
    staged = output / "_staging" / "r-dead"
    appended = staged / "trips_appended" / f"pickup_date={DAY}"
    for folder in (day, appended):
        folder.mkdir(parents=True)
    (day / "part-0-old.parquet").write_bytes(b"old")
    (day / "part-1-new.parquet").write_bytes(b"new")
    (appended / "part-1-new.parquet").write_bytes(b"new")
    (appended / "part-2-new.parquet").write_bytes(b"new 2")
    (staged / PUBLISH_MARKER).write_text('{"clear": []}\n')

    finish_publish(Storage(spark), output.as_uri(), "r-dead")

    assert sorted(p.name for p in day.iterdir() if not p.name.startswith(".")) == [
        "part-0-old.parquet",
        "part-1-new.parquet",
        "part-2-new.parquet",
    ]
    assert (day / "part-2-new.parquet").read_bytes() == b"new 2"
    assert not (output / "_staging").exists()


def test_reloading_written_files_rewrites_nothing_new(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "a.csv", [TLC_HEADER, _at(DAY, "10:00"), _at(NEXT_DAY, "10:00")])
    run(spark, source, output, full_refresh=False)
    shutil.rmtree(output / "_state")

    report = run(spark, source, output, full_refresh=False)

    # Every trip shares its keys (and content) with a written one: both dates are rewritten and
    # the written trips win.
    assert (report.rows_written, report.rows_replaced, report.duplicates_dropped) == (0, 0, 2)
    assert len(_files(output, DAY)) == 1
    _assert_equals_full_refresh(spark, source, output, tmp_path)


def test_a_batch_appended_to_every_date_needs_no_staged_trips_folder(spark, tmp_path, monkeypatch):
    # On S3 a folder is only its files' common prefix: once every date has moved to the appended
    # trips (and without a `_SUCCESS` marker), the staged trips folder does not exist at all.
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "a.csv", [TLC_HEADER, _at(DAY, "10:00")])
    run(spark, source, output, full_refresh=False)
    write_csv(source / "b.csv", [TLC_HEADER, _at(DAY, "12:00")])
    merge = pipeline.merge_with_written

    def merge_then_drop_empty_folder(spark, storage, batch, options):
        merged = merge(spark, storage, batch, options)
        assert merged.appended == merged.dates == [DAY]
        storage.delete(staged_trips(options))
        return merged

    monkeypatch.setattr(pipeline, "merge_with_written", merge_then_drop_empty_folder)
    report = run(spark, source, output, full_refresh=False)
    monkeypatch.undo()

    assert report.partitions_written == [DAY]
    _assert_equals_full_refresh(spark, source, output, tmp_path)
