"""The merge's one shuffle: whole dedupe groups per task, few files per date, same winners."""

from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as sf
from pyspark.sql.types import DateType, LongType, StructField, StructType

from bench.workloads import session_conf
from etl import clustering, merge
from etl.batch_read import parse_files
from etl.clustering import ShuffleSize
from etl.contract import DEFAULT_DEDUPE_KEYS as DEDUPE_KEYS
from etl.dedupe import rank_duplicates
from etl.local import run
from etl.metrics import with_pickup_date
from etl.state import InputFile
from tests.etl.helpers import (
    TLC_HEADER,
    TRIP_FIELDS,
    plan_nodes,
    record_shuffle_sizes,
    trip,
    trip_line,
    write_csv,
)

KEYS = ("pickup_datetime", "pickup_longitude")
DAYS = [dt.datetime(2015, 1, day, 10, 0, 0) for day in (1, 2, 3)]
THREE_DAYS = ShuffleSize(rows=15, largest_date=5, dates=3)
TASKS_PER_DATE = StructType(
    [StructField("pickup_date", DateType(), True), StructField("tasks", LongType(), False)]
)


def _trips(spark):
    """Five trips a day over three days, with a key duplicate on each day."""
    rows = [
        trip(day + dt.timedelta(minutes=minute), -73.9, 10.0 + minute, "a.csv")
        for day in DAYS
        for minute in range(4)
    ]
    rows += [trip(day, -73.9, 99.0, "b.csv") for day in DAYS]
    trips = with_pickup_date(spark.createDataFrame(rows, TRIP_FIELDS))
    return trips.withColumns({"reject_reason": sf.lit(None), "raw_line": sf.lit(None)})


def _tasks_per_date(clustered):
    tasks = clustered.select("pickup_date", sf.spark_partition_id().alias("task"))
    return tasks.groupBy("pickup_date").agg(sf.count_distinct("task").alias("tasks"))


def test_each_date_lands_in_one_task(spark):
    clustered, _ = clustering.cluster_by_date(_trips(spark), KEYS, THREE_DAYS)

    expected = spark.createDataFrame([(day.date(), 1) for day in DAYS], TASKS_PER_DATE)
    assert_df_equality(_tasks_per_date(clustered), expected, ignore_row_order=True)


@pytest.mark.parametrize(
    ("dates", "buckets", "rows", "tasks"),
    [
        (31, 1, 3_000_000, 12),  # a month: 250k rows per task, a few dates each
        (3, 1, 300_000, 2),  # three new days: two tasks, both cores
        (31, 1, 3_000, 2),  # a small batch over a month: a few tasks, not 62
        (1, 1, 10, 2),
        (2, 2, 2_000_000, 8),  # 1M rows per date: two buckets each, two tasks per pair
        (100, 1, 12_000_000, 48),  # 120k rows per date: 250k rows per task at least
        (None, 1, 3_000_000, 12),  # dates not counted: by rows alone
    ],
)
def test_dedupe_tasks_follow_dates_and_rows(dates, buckets, rows, tasks):
    assert clustering.dedupe_tasks(dates, buckets, rows) == tasks


@pytest.mark.parametrize(
    ("dates", "rows", "cores", "tasks"),
    [
        (31, 3_000_000, 40, 40),  # ten Glue workers: every core busy
        (3, 300_000, 40, 6),  # still no more than two tasks per date
        (None, 3_000, 40, 40),
        (31, 30_000_000, 40, 62),  # rows ask for more than the cores
    ],
)
def test_dedupe_tasks_keep_every_core_busy(dates, rows, cores, tasks):
    assert clustering.dedupe_tasks(dates, 1, rows, cores) == tasks


def test_a_small_batch_over_many_dates_is_few_tasks_with_each_date_in_one(spark):
    clustered, _ = clustering.cluster_by_date(_trips(spark), KEYS, THREE_DAYS)

    assert clustered.rdd.getNumPartitions() == 2
    expected = spark.createDataFrame([(day.date(), 1) for day in DAYS], TASKS_PER_DATE)
    assert_df_equality(_tasks_per_date(clustered), expected, ignore_row_order=True)


def test_a_big_date_is_split_by_key_bucket_without_changing_winners(spark, monkeypatch):
    monkeypatch.setattr(clustering, "TARGET_ROWS_PER_TASK", 2)
    monkeypatch.setattr(clustering, "MIN_ROWS_PER_TASK", 1)
    trips = _trips(spark)

    clustered, extra = clustering.cluster_by_date(trips, KEYS, THREE_DAYS)

    assert extra == [clustering.BUCKET_COLUMN]
    spread = _tasks_per_date(clustered).agg(sf.max("tasks")).first()[0]
    assert spread > 1
    ranked = rank_duplicates(clustered, KEYS, cluster_columns=extra).drop(clustering.BUCKET_COLUMN)
    assert_df_equality(
        ranked, rank_duplicates(trips, KEYS), ignore_row_order=True, ignore_nullable=True
    )


@pytest.mark.parametrize("files", [1, 3])
def test_a_run_writes_one_trips_file_per_date(spark, tmp_path, files):
    source = tmp_path / "in"
    for index in range(files):
        lines = [
            trip_line(
                pickup_datetime=f"2015-01-0{day} 1{index}:00:00",
                dropoff_datetime=f"2015-01-0{day} 1{index}:30:00",
            )
            for day in (1, 2, 3)
        ]
        write_csv(source / f"part-{index}.csv", [TLC_HEADER, *lines])

    run(spark, source, tmp_path / "out", full_refresh=True)

    for day in (1, 2, 3):
        folder = tmp_path / "out" / "trips" / f"pickup_date=2015-01-0{day}"
        assert len(list(folder.glob("*.parquet"))) == 1


def test_files_are_named_under_the_root_before_the_shuffle_so_the_sort_takes_its_rows_as_they_are(
    spark, tmp_path
):
    # A projection between the shuffle and the dedupe's sort would copy every row once more.
    files = [
        write_csv(tmp_path / "2015" / name, [TLC_HEADER, trip_line(total_amount=amount)])
        for name, amount in (("a.csv", "5.00"), ("b.csv", "$5"))
    ]
    checked = parse_files(spark, [file.as_uri() for file in files]).checked
    size = ShuffleSize(rows=1_000, largest_date=None, dates=None)

    clustered, columns = merge.shuffled_batch(checked, tmp_path.as_uri(), DEDUPE_KEYS, size)
    ranked = rank_duplicates(clustered, DEDUPE_KEYS, cluster_columns=columns)

    expected = spark.createDataFrame(
        [("2015/a.csv", None), ("2015/b.csv", "invalid_total_amount")],
        "source_file string, reject_reason string",
    )
    assert_df_equality(
        ranked.select("source_file", "reject_reason"),
        expected,
        ignore_row_order=True,
        ignore_nullable=True,
    )
    with session_conf(spark, {"spark.sql.adaptive.enabled": "false"}):
        sorts = [node for node in plan_nodes(ranked) if node.nodeName() == "Sort"]
    assert len(sorts) == 1
    below = sorts[0].child()
    while below.nodeName() == "InputAdapter":
        below = below.child()
    assert below.nodeName() == "Exchange"


def test_rejected_rows_lose_their_date_and_spread_over_the_tasks_by_line(spark):
    lines = [trip_line(total_amount=f"${index}") for index in range(40)]
    rejected = (
        _trips(spark)
        .limit(1)
        .crossJoin(spark.createDataFrame([(line,) for line in lines], "line string"))
    )
    rejected = rejected.withColumns(
        {"reject_reason": sf.lit("invalid_total_amount"), "raw_line": sf.col("line")}
    ).drop("line")
    size = ShuffleSize(rows=40_000_000, largest_date=None, dates=None)

    clustered, _ = clustering.cluster_by_date(rejected, KEYS, size)

    assert clustered.where(sf.col("pickup_date").isNotNull()).count() == 0
    tasks = clustered.select(sf.spark_partition_id()).distinct().count()
    assert tasks > 10


def test_each_small_files_rejected_rows_go_to_one_task(spark):
    rows = [(f"{name}.csv", trip_line(total_amount=f"${i}")) for name in "abc" for i in range(40)]
    rejected = (
        _trips(spark)
        .drop("source_file")
        .limit(1)
        .crossJoin(spark.createDataFrame(rows, "source_file string, line string"))
    )
    rejected = rejected.withColumns(
        {"reject_reason": sf.lit("invalid_total_amount"), "raw_line": sf.col("line")}
    ).drop("line")
    size = ShuffleSize(rows=40_000_000, largest_date=None, dates=None)

    clustered, _ = clustering.cluster_by_date(rejected, KEYS, size, by_file=True)

    tasks = (
        clustered.withColumn("task", sf.spark_partition_id())
        .groupBy("source_file")
        .agg(sf.count_distinct("task").alias("tasks"), sf.count("*").alias("rows"))
    )
    expected = spark.createDataFrame(
        [(name, 1, 40) for name in ("a.csv", "b.csv", "c.csv")],
        "source_file string, tasks long, rows long",
    )
    assert_df_equality(tasks, expected, ignore_row_order=True, ignore_nullable=True)


def test_only_a_batch_of_small_files_stages_each_files_rejected_rows_in_one_task():
    limit = clustering.WHOLE_FILE_ROWS
    small = [
        InputFile("a.csv", "file:/in/a.csv", limit * 90, 0),
        InputFile("b.parquet", "file:/in/b.parquet", limit * 15, 0),
    ]
    big = InputFile("c.csv.gz", "file:/in/c.csv.gz", limit * 20 + 20, 0)

    assert clustering.rejects_by_file(small)
    assert not clustering.rejects_by_file([*small, big])


def test_a_batch_nobody_counted_is_sized_from_its_files():
    files = [
        InputFile("a.csv", "file:/in/a.csv", 90_000_000, 0),
        InputFile("b.csv.gz", "file:/in/b.csv.gz", 20_000_000, 0),
        InputFile("2024/c.PARQUET", "file:/in/2024/c.PARQUET", 15_000_000, 0),
    ]

    assert clustering.estimated_rows(files) == 3_000_000


def test_every_batch_is_sized_from_its_files_without_counting_dates(spark, tmp_path, monkeypatch):
    source = tmp_path / "in"
    write_csv(source / "a.csv", [TLC_HEADER, trip_line()])
    sizes = record_shuffle_sizes(monkeypatch, merge)
    run(spark, source, tmp_path / "out", full_refresh=True)
    # A later batch onto the written date too: the pass needs no count of its dates first.
    write_csv(source / "b.csv", [TLC_HEADER, trip_line(), trip_line(total_amount="1.0")])
    run(spark, source, tmp_path / "out", full_refresh=False)

    assert sizes == [
        ShuffleSize(rows=(source / name).stat().st_size // 90, largest_date=None, dates=None)
        for name in ("a.csv", "b.csv")
    ]


def test_a_first_run_keeps_each_date_in_one_bucket_however_big_the_batch(spark):
    # A big batch nobody counted: splitting every date by its size would give each date
    # dozens of small files.
    size = ShuffleSize(rows=21_000_000, largest_date=None, dates=None, cores=2)
    clustered, _ = clustering.cluster_by_date(_trips(spark), KEYS, size)

    assert size.buckets == 1
    assert clustered.where(sf.col(clustering.BUCKET_COLUMN) != 0).count() == 0
    expected = spark.createDataFrame([(day.date(), 1) for day in DAYS], TASKS_PER_DATE)
    assert_df_equality(_tasks_per_date(clustered), expected, ignore_row_order=True)
