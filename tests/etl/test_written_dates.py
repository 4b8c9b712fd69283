"""The batch's dates come from the folders its write left, not from a set gathered per row."""

from __future__ import annotations

from etl.local import run
from etl.merge import written_dates
from etl.storage import Storage
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv
from tests.etl.test_local_runs import assert_reconciles


def test_only_date_folders_count_and_the_rejected_rows_folder_is_not_one(spark, tmp_path):
    trips = tmp_path / "trips"
    for name in ("pickup_date=2024-01-02", "pickup_date=2024-01-01", "_temporary"):
        (trips / name).mkdir(parents=True)
    (trips / "pickup_date=__HIVE_DEFAULT_PARTITION__").mkdir()
    (trips / "_SUCCESS").write_text("")

    assert written_dates(Storage(spark), trips.as_uri()) == ["2024-01-01", "2024-01-02"]
    assert written_dates(Storage(spark), (tmp_path / "none").as_uri()) == []


def test_a_date_of_rejected_rows_alone_is_not_written(spark, tmp_path):
    source = tmp_path / "in"
    day = "2024-03-0{}".format
    write_csv(
        source / "batch.csv",
        [
            TLC_HEADER,
            trip_line(pickup_datetime=f"{day(1)} 08:00:00", dropoff_datetime=f"{day(1)} 08:20:00"),
            trip_line(pickup_datetime=f"{day(1)} 08:00:00", dropoff_datetime=f"{day(1)} 08:20:00"),
            trip_line(
                pickup_datetime=f"{day(2)} 09:00:00",
                dropoff_datetime=f"{day(2)} 09:10:00",
                total_amount="x",
            ),
            trip_line(pickup_datetime=f"{day(3)} 10:00:00", dropoff_datetime=f"{day(3)} 10:30:00"),
        ],
    )

    report = run(spark, source, tmp_path / "out", full_refresh=True)

    assert report.partitions_written == [day(1), day(3)]
    assert (report.rows_written, report.duplicates_dropped, report.rows_quarantined) == (2, 1, 1)
    assert sorted(p.name for p in (tmp_path / "out" / "hourly_metrics").iterdir()) == [
        f"pickup_date={day(1)}",
        f"pickup_date={day(3)}",
    ]
    assert_reconciles(report)
