"""The reference workloads the job is measured against do the work their names promise."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
from chispa import assert_df_equality

from bench import workloads
from bench.workloads import (
    CSV_SCHEMA,
    bare_late_batch,
    bare_parquet_trips,
    bare_trips,
    bare_trips_and_metrics,
    floor,
    read_parquet_trips,
)
from etl.loaded_dates import dates_sharing_keys
from tests.bench.helpers import HEADER, csv_input, csv_line


def test_bare_trips_keeps_the_first_row_of_each_key_per_date(spark, tmp_path):
    source = csv_input(
        tmp_path,
        # Same keys (amounts aside): the row first in column order (total 12.0) wins, wherever
        # it is in the file.
        csv_line(1, "2015-01-01 00:10:00", -73.99, 15.0),
        csv_line(1, "2015-01-01 00:10:00", -73.99, 12.0),
        csv_line(1, "2015-01-01 00:10:00", -73.98, 11.0),
        csv_line(2, "2015-01-02 09:00:00", -73.99, 20.0),
    )

    bare_trips(spark, str(source), str(tmp_path / "out"))

    written = spark.read.parquet(str(tmp_path / "out"))
    actual = written.select(
        "vendor_id", "pickup_datetime", "pickup_longitude", "total_amount", "pickup_date"
    )
    expected = spark.createDataFrame(
        [
            (1, datetime(2015, 1, 1, 0, 10), -73.99, 12.0, date(2015, 1, 1)),
            (1, datetime(2015, 1, 1, 0, 10), -73.98, 11.0, date(2015, 1, 1)),
            (2, datetime(2015, 1, 2, 9, 0), -73.99, 20.0, date(2015, 1, 2)),
        ],
        actual.schema,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    assert sorted(p.name for p in (tmp_path / "out").glob("pickup_date=*")) == [
        "pickup_date=2015-01-01",
        "pickup_date=2015-01-02",
    ]
    assert set(written.columns) == {*CSV_SCHEMA.names, "pickup_date"}
    assert floor(spark, str(source)) == 4


def _tlc_2024(path, rows: list[tuple]) -> None:
    """A Parquet file with the 2024 TLC names and physical types (a subset of the columns)."""
    schema = pa.schema(
        [
            ("VendorID", pa.int32()),
            ("tpep_pickup_datetime", pa.timestamp("us")),
            ("tpep_dropoff_datetime", pa.timestamp("us")),
            ("passenger_count", pa.int64()),
            ("store_and_fwd_flag", pa.large_string()),
            ("PULocationID", pa.int32()),
            ("DOLocationID", pa.int32()),
            ("total_amount", pa.float64()),
            ("Airport_fee", pa.float64()),
        ]
    )
    pq.write_table(
        pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows], schema), path
    )


def test_bare_parquet_trips_types_dedupes_and_partitions_tlc_parquet(spark, tmp_path):
    source = tmp_path / "in"
    (source / "nested").mkdir(parents=True)
    pickup, dropoff = datetime(2024, 1, 5, 8, 0), datetime(2024, 1, 5, 8, 20)
    _tlc_2024(
        source / "yellow_tripdata_2024-01.parquet",
        [
            # Same on every key column: the row first in column order (fewer passengers) wins.
            (2, pickup, dropoff, 3, "N", 161, 237, 19.5, 0.0),
            (2, pickup, dropoff, 1, "N", 161, 237, 21.0, 0.0),
            (1, datetime(2024, 1, 6, 23, 59), None, None, None, 132, 230, 70.0, None),
        ],
    )
    _tlc_2024(
        source / "nested" / "yellow_tripdata_2024-02.parquet",
        [(2, datetime(2024, 2, 1, 0, 5), None, 2, "Y", 138, 48, 33.25, 1.75)],
    )

    typed = read_parquet_trips(spark, str(source))
    assert dict(typed.dtypes) == {
        "vendor_id": "int",
        "pickup_datetime": "timestamp",
        "dropoff_datetime": "timestamp",
        "passenger_count": "int",
        "store_and_fwd_flag": "string",
        "pu_location_id": "int",
        "do_location_id": "int",
        "total_amount": "double",
        "airport_fee": "double",
        **{k: "double" for k in typed.columns if k.endswith(("_longitude", "_latitude"))},
    }

    bare_parquet_trips(spark, str(source), str(tmp_path / "out"))

    written = spark.read.parquet(str(tmp_path / "out"))
    actual = written.select("pickup_datetime", "passenger_count", "total_amount", "pickup_date")
    expected = spark.createDataFrame(
        [
            (pickup, 1, 21.0, date(2024, 1, 5)),
            (datetime(2024, 1, 6, 23, 59), None, 70.0, date(2024, 1, 6)),
            (datetime(2024, 2, 1, 0, 5), 2, 33.25, date(2024, 2, 1)),
        ],
        actual.schema,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    assert sorted(p.name for p in (tmp_path / "out").glob("pickup_date=*")) == [
        "pickup_date=2024-01-05",
        "pickup_date=2024-01-06",
        "pickup_date=2024-02-01",
    ]


def test_bare_trips_and_metrics_writes_the_bare_trips_and_their_hourly_metrics(spark, tmp_path):
    source = csv_input(
        tmp_path,
        csv_line(1, "2015-01-01 00:10:00", -73.99, 15.0),
        csv_line(1, "2015-01-01 00:10:00", -73.99, 12.0),  # the same trip: one of the two is kept
        csv_line(1, "2015-01-01 00:50:00", -73.98, 11.0),
        csv_line(2, "2015-01-02 09:00:00", -73.99, 20.0),
    )

    bare_trips_and_metrics(spark, str(source), str(tmp_path / "out"))
    bare_trips(spark, str(source), str(tmp_path / "bare"))

    trips = spark.read.parquet(str(tmp_path / "out" / "trips"))
    assert_df_equality(trips, spark.read.parquet(str(tmp_path / "bare")), ignore_row_order=True)
    metrics = spark.read.parquet(str(tmp_path / "out" / "hourly_metrics"))
    expected = spark.createDataFrame(
        [
            (datetime(2015, 1, 1, 0, 0), 2, 23.0, 1.0, 1.5, date(2015, 1, 1)),
            (datetime(2015, 1, 2, 9, 0), 1, 20.0, 1.0, 1.5, date(2015, 1, 2)),
        ],
        metrics.schema,
    )
    assert_df_equality(metrics, expected, ignore_row_order=True, ignore_nullable=True)


def test_bare_late_batch_checks_its_keys_against_the_written_trips_of_its_dates(
    spark, tmp_path, monkeypatch
):
    written = csv_input(
        tmp_path,
        csv_line(1, "2015-01-01 00:10:00", -73.99, 15.0),
        csv_line(1, "2015-01-02 08:00:00", -73.99, 10.0),
        csv_line(3, "not a time", -73.99, 5.0),  # no pickup date: Spark's null partition
    )
    bare_trips(spark, str(written), str(tmp_path / "job" / "trips"))
    late = tmp_path / "late"
    late.mkdir()
    late_lines = [
        csv_line(1, "2015-01-01 00:10:00", -73.99, 16.0),  # the keys of a written trip of Jan 1
        csv_line(2, "2015-01-02 09:00:00", -73.99, 20.0),  # a new trip on Jan 2
        csv_line(2, "2015-01-03 09:00:00", -73.99, 30.0),  # a date nothing was written on
        # The keys of the written row with no date: no date to merge into, as the job rejects it.
        csv_line(3, "not a time", -73.99, 6.0),
    ]
    (late / "late.csv").write_text("\n".join([HEADER, *late_lines]) + "\n")

    checked = []

    def recording(spark, target, dates, batch_trips):
        checked.append((list(dates), batch_trips))
        return dates_sharing_keys(spark, target, dates, batch_trips)

    monkeypatch.setattr(workloads, "dates_sharing_keys", recording)
    shared = bare_late_batch(spark, str(late), str(tmp_path / "job"), str(tmp_path / "out"))
    bare_trips_and_metrics(spark, str(late), str(tmp_path / "alone"))

    assert shared == ["2015-01-01"]
    # Only dates are checked: the job rejects a row with no pickup date and never merges it.
    assert [dates for dates, _ in checked] == [["2015-01-01", "2015-01-02", "2015-01-03"]]
    # Its outputs are the batch's alone, as the bare trips job and its metrics write them.
    for output in ("trips", "hourly_metrics"):
        assert_df_equality(
            spark.read.parquet(str(tmp_path / "out" / output)),
            spark.read.parquet(str(tmp_path / "alone" / output)),
            ignore_row_order=True,
        )
