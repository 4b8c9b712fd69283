"""The reference workloads the job is measured against do the work their names promise."""

from __future__ import annotations

from datetime import date, datetime

from chispa import assert_df_equality

from bench.workloads import CSV_SCHEMA, bare_trips, floor
from etl.contract import REQUIRED_COLUMNS

HEADER = ",".join(c.name for c in REQUIRED_COLUMNS)


def _line(vendor: int, pickup: str, longitude: float, total: float) -> str:
    cells = [vendor, pickup, "2015-01-01 00:30:00", 1, 1.5, longitude, 40.7, 1, "N"]
    cells += [-73.9, 40.8, 1, 8.0, 0.5, 0.5, 1.0, 0.0, 0.3, total]
    return ",".join(str(cell) for cell in cells)


def test_bare_trips_keeps_the_first_row_of_each_key_per_date(spark, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    lines = [
        HEADER,
        # Same keys: the row first in column order (vendor 1) wins, wherever it is in the file.
        _line(2, "2015-01-01 00:10:00", -73.99, 12.0),
        _line(1, "2015-01-01 00:10:00", -73.99, 15.0),
        _line(1, "2015-01-01 00:10:00", -73.98, 11.0),
        _line(2, "2015-01-02 09:00:00", -73.99, 20.0),
    ]
    (source / "trips.csv").write_text("\n".join(lines) + "\n")

    bare_trips(spark, str(source), str(tmp_path / "out"))

    written = spark.read.parquet(str(tmp_path / "out"))
    actual = written.select("vendor_id", "pickup_datetime", "pickup_longitude", "pickup_date")
    expected = spark.createDataFrame(
        [
            (1, datetime(2015, 1, 1, 0, 10), -73.99, date(2015, 1, 1)),
            (1, datetime(2015, 1, 1, 0, 10), -73.98, date(2015, 1, 1)),
            (2, datetime(2015, 1, 2, 9, 0), -73.99, date(2015, 1, 2)),
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
