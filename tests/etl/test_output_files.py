"""How outputs are laid out in files: quarantine as one Parquet file per input file's folder,
however many tasks read the batch's rejected rows back (unless the batch has a great many), and
hourly metrics as one file a date, written side by side."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from chispa import assert_df_equality

from etl import clustering, paths, publish
from etl.local import run
from etl.metrics import MIN_DATES_PER_TASK, hourly_metrics, spread_by_date
from etl.paths import partition_name, quarantine_folder, quarantine_value
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv

BAD_PER_FILE = 40


def write_batch(source: Path) -> None:
    """Two files, each with one trip and BAD_PER_FILE rows whose total is not a number."""
    bad = [trip_line(total_amount=f"x{i}") for i in range(BAD_PER_FILE)]
    for name in ("a.csv", "b.csv"):
        write_csv(source / name, [TLC_HEADER, *bad, trip_line()])


def parquet_files(output: Path) -> dict[str, int]:
    folders = sorted((output / "quarantine").glob("source_file=*"))
    return {folder.name: len(list(folder.glob("*.parquet"))) for folder in folders}


def expected_rows(spark):
    rows = [(name, f"x{i}") for name in ("a.csv", "b.csv") for i in range(BAD_PER_FILE)]
    return spark.createDataFrame(rows, "source_file string, total_amount string")


def quarantined(spark, output: Path):
    rows = spark.read.parquet(str(output / "quarantine")).where(
        "reject_reason = 'invalid_total_amount'"
    )
    return rows.select("source_file", "total_amount")


@pytest.mark.parametrize("small_files", [True, False], ids=["staged-by-file", "shuffled"])
def test_each_input_file_quarantine_is_one_parquet_file(spark, tmp_path, monkeypatch, small_files):
    # A batch big enough for several tasks. Files counted as small have each file's rejected
    # rows staged by one task, which quarantine writes as they are; other files' rows are
    # staged by every task, and quarantine gathers them.
    monkeypatch.setattr(clustering, "MIN_ROWS_PER_TASK", 10)
    monkeypatch.setattr(clustering, "WHOLE_FILE_ROWS", 10**6 if small_files else 0)
    write_batch(tmp_path / "in")

    report = run(spark, tmp_path / "in", tmp_path / "out", full_refresh=True)

    assert report.reasons == {"invalid_total_amount": 2 * BAD_PER_FILE}
    assert parquet_files(tmp_path / "out") == {"source_file=a.csv": 1, "source_file=b.csv": 1}
    assert_df_equality(
        quarantined(spark, tmp_path / "out"), expected_rows(spark), ignore_row_order=True
    )


def test_a_file_with_many_rejected_rows_is_split_over_several_parquet_files(
    spark, tmp_path, monkeypatch
):
    monkeypatch.setattr(publish, "QUARANTINE_ROWS_PER_FILE", 10)
    # Files too big to stage each one's rejected rows in one task.
    monkeypatch.setattr(clustering, "WHOLE_FILE_ROWS", 0)
    write_batch(tmp_path / "in")

    report = run(spark, tmp_path / "in", tmp_path / "out", full_refresh=True)

    assert report.reasons == {"invalid_total_amount": 2 * BAD_PER_FILE}
    # 80 rows at 10 a file: each input file's 40 rows go to up to 8 Parquet files.
    files = parquet_files(tmp_path / "out")
    assert list(files) == ["source_file=a.csv", "source_file=b.csv"]
    assert all(2 <= count <= 8 for count in files.values()), files
    assert_df_equality(
        quarantined(spark, tmp_path / "out"), expected_rows(spark), ignore_row_order=True
    )


def test_hourly_metrics_of_many_dates_are_written_by_every_core(spark, tmp_path):
    days = range(1, 17)
    write_csv(
        tmp_path / "in" / "a.csv",
        [
            TLC_HEADER,
            *(
                trip_line(
                    pickup_datetime=f"2015-01-{day:02d} 08:00:00",
                    dropoff_datetime=f"2015-01-{day:02d} 08:20:00",
                )
                for day in days
            ),
        ],
    )

    run(spark, tmp_path / "in", tmp_path / "out", full_refresh=True)

    folders = sorted((tmp_path / "out" / "hourly_metrics").glob("pickup_date=*"))
    assert [f.name for f in folders] == [f"pickup_date=2015-01-{day:02d}" for day in days]
    files = [path for folder in folders for path in folder.glob("*.parquet")]
    assert len(files) == len(days)
    # Spark names a file after the task that wrote it: part-<task>-<uuid>.
    assert {path.name.split("-")[1] for path in files} == {"00000", "00001"}


def test_metrics_are_spread_over_the_cores_only_when_each_task_gets_several_dates(spark):
    trips = spark.createDataFrame(
        [(dt.datetime(2015, 1, day, 8), dt.date(2015, 1, day), 10.0, 1, 1.5) for day in (1, 2, 3)],
        "pickup_datetime timestamp, pickup_date date, total_amount double, "
        "passenger_count int, trip_distance double",
    )
    metrics = hourly_metrics(trips)

    # Fewer than two tasks' worth of dates.
    assert spread_by_date(metrics, 2 * MIN_DATES_PER_TASK - 1) is metrics
    spread = spread_by_date(metrics, 2 * MIN_DATES_PER_TASK)
    # The session has two cores.
    assert spread.rdd.getNumPartitions() == 2
    assert_df_equality(spread, metrics, ignore_row_order=True)


def test_a_path_too_long_for_a_folder_name_is_quarantined_under_a_shortened_one(spark, tmp_path):
    # Local file systems take folder names of up to 255 bytes; quarantine names a folder after
    # each file's path, escaped (`/` as `%2F`), which makes this deep path longer than that.
    deep = "/".join(["f" * 78] * 3) + "/yellow_tripdata_2015-01.csv"
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / deep, [TLC_HEADER, trip_line(total_amount="x0"), trip_line()])
    other = trip_line(vendor_id="2")
    write_csv(source / "b.csv", [TLC_HEADER, trip_line(total_amount="x1"), other])

    report = run(spark, source, output, full_refresh=True)

    assert (report.rows_read, report.rows_written, report.rows_quarantined) == (4, 2, 2)
    assert report.failed_files == []
    value = quarantine_value(deep)
    assert value != deep
    assert value.startswith(deep[:200])
    assert len(quarantine_folder(deep).encode()) <= 255
    assert parquet_files(output) == {quarantine_folder(deep): 1, "source_file=b.csv": 1}
    actual = spark.read.parquet(str(output / "quarantine")).select("source_file", "total_amount")
    expected = spark.createDataFrame(
        [(value, "x0"), ("b.csv", "x1")], "source_file string, total_amount string"
    )
    assert_df_equality(actual, expected, ignore_row_order=True)

    # The file corrected: its quarantine folder is found by the same name, and goes.
    write_csv(source / deep, [TLC_HEADER, trip_line()])
    run(spark, source, output, full_refresh=False)

    assert parquet_files(output) == {"source_file=b.csv": 1}


def test_a_shortened_quarantine_value_keeps_what_fits_and_tells_paths_apart():
    # Escaped characters take three bytes in the folder name and accented ones two: the cut
    # counts the name's bytes, and never splits an escape or a character.
    long_paths = [("é/" * 90) + name for name in ("a.csv", "b.csv")]
    values = [quarantine_value(path) for path in long_paths]

    assert quarantine_value("2015/01/a.csv") == "2015/01/a.csv"
    assert values[0] != values[1]
    assert values == [quarantine_value(path) for path in long_paths]
    for path, value in zip(long_paths, values, strict=True):
        prefix, digest = value.rsplit("~", 1)
        assert path.startswith(prefix)
        assert len(digest) == 16
        assert 250 <= len(quarantine_folder(path).encode()) <= 255


def test_a_long_paths_quarantine_from_before_shortening_goes_when_the_file_is_read_again(
    spark, tmp_path, monkeypatch
):
    # S3 takes folder names of any length, so runs before paths were shortened wrote a long
    # path's quarantine under its whole name. A limit this low makes a path that long here.
    monkeypatch.setattr(paths, "MAX_FOLDER_BYTES", 40)
    name = "sub/yellow_tripdata_2015-01.csv"
    source, output = tmp_path / "in", tmp_path / "out"
    old = output / "quarantine" / partition_name(name, "source_file")
    old.mkdir(parents=True)
    (old / "part-0.parquet").write_bytes(b"rows of an earlier run")
    write_csv(source / name, [TLC_HEADER, trip_line(total_amount="x0"), trip_line()])

    run(spark, source, output, full_refresh=False)

    assert parquet_files(output) == {quarantine_folder(name): 1}
    assert quarantine_folder(name) != old.name
