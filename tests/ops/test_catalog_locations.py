"""`python -m ops catalog` with partitions registered at a folder other than their date's own
(a table moved to another bucket or prefix, a partition added by hand)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ops.catalog_setup import (
    catalog_argv,
    create_partitions,
    pulumi_with_database,
    put_folders,
    put_objects,
    registered,
)
from tests.ops.conftest import CURATED_BUCKET, DATABASE, location, run_cli

ELSEWHERE = "s3://glue-etl-old-curated/trips/"


def _own_folder(table: str, date: str) -> str:
    return f"{location(table)}pickup_date={date}/"


@pytest.fixture
def moved(catalog: Any) -> Any:
    """trips: 2015-01-02 registered under another bucket; hourly_metrics in line."""
    for table in ("trips", "hourly_metrics"):
        put_folders(table, "2015-01-01", "2015-01-02")
    create_partitions(catalog, "trips", "2015-01-01")
    create_partitions(catalog, "trips", "2015-01-02", under=ELSEWHERE)
    create_partitions(catalog, "hourly_metrics", "2015-01-01", "2015-01-02")
    return catalog


def test_a_partition_at_another_folder_is_out_of_line(moved):
    result = run_cli(catalog_argv(), pulumi_with_database(), {"glue": moved})

    assert (result.code, result.err) == (0, "")
    assert result.out_lines == [
        "trips: 2 date folders, 2 partitions:",
        "  to repoint (partition at another folder): 1: 2015-01-02",
        "hourly_metrics: 2 date folders, 2 partitions: in line",
        "nothing changed: pass --apply to make these changes",
    ]
    assert registered(moved, "trips")["2015-01-02"] == f"{ELSEWHERE}pickup_date=2015-01-02/"
    assert run_cli(catalog_argv("--check"), pulumi_with_database(), {"glue": moved}).code == 1


def test_apply_points_the_partition_at_its_own_folder_with_the_tables_descriptor(moved):
    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": moved})

    assert (result.code, result.err) == (0, "")
    assert result.out_lines[-1] == "registered 0 partitions, removed 0, repointed 1"
    assert registered(moved, "trips") == {
        date: _own_folder("trips", date) for date in ("2015-01-01", "2015-01-02")
    }
    descriptor = moved.get_partition(
        DatabaseName=DATABASE, TableName="trips", PartitionValues=["2015-01-02"]
    )["Partition"]["StorageDescriptor"]
    assert descriptor["Columns"] == [{"Name": "trip_distance", "Type": "double"}]
    assert descriptor["InputFormat"].endswith("MapredParquetInputFormat")
    again = run_cli(catalog_argv("--check"), pulumi_with_database(), {"glue": moved})
    assert (again.code, again.out_lines[0]) == (0, "trips: 2 date folders, 2 partitions: in line")


def test_a_location_without_its_last_slash_is_the_same_folder(catalog):
    put_folders("trips", "2015-01-01")
    put_folders("hourly_metrics", "2015-01-01")
    create_partitions(catalog, "hourly_metrics", "2015-01-01")
    catalog.create_partition(
        DatabaseName=DATABASE,
        TableName="trips",
        PartitionInput={
            "Values": ["2015-01-01"],
            "StorageDescriptor": {"Location": _own_folder("trips", "2015-01-01").rstrip("/")},
        },
    )

    result = run_cli(catalog_argv("--check"), pulumi_with_database(), {"glue": catalog})

    assert (result.code, result.out_lines[0]) == (0, "trips: 1 date folders, 1 partitions: in line")


def test_a_partition_elsewhere_whose_own_folder_is_gone_is_removed(catalog):
    put_folders("hourly_metrics", "2015-01-01")
    create_partitions(catalog, "hourly_metrics", "2015-01-01")
    create_partitions(catalog, "trips", "2015-01-01", under=ELSEWHERE)

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog})

    assert result.out_lines[:2] == [
        "trips: 0 date folders, 1 partitions:",
        "  to remove (partition, no folder): 1: 2015-01-01",
    ]
    assert result.out_lines[-1] == "registered 0 partitions, removed 1, repointed 0"
    assert registered(catalog, "trips") == {}


def test_more_partitions_than_one_call_takes_are_all_repointed(catalog):
    dates = [f"2016-{month:02d}-{day:02d}" for month in range(1, 6) for day in range(1, 29)]
    for table in ("trips", "hourly_metrics"):
        put_folders(table, *dates)
    create_partitions(catalog, "trips", *dates, under=ELSEWHERE)
    create_partitions(catalog, "hourly_metrics", *dates)

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog})

    assert result.out_lines[-1] == "registered 0 partitions, removed 0, repointed 140"
    assert registered(catalog, "trips") == {date: _own_folder("trips", date) for date in dates}


def test_a_refused_repoint_fails_the_command_after_the_others_were_made(
    moved, monkeypatch: pytest.MonkeyPatch
):
    create_partitions(moved, "trips", "2015-01-03", under=ELSEWHERE)
    put_folders("trips", "2015-01-03", "2015-01-04")
    real = moved.batch_update_partition

    def refusing(**kwargs: Any) -> dict[str, Any]:
        entries = kwargs["Entries"]
        kwargs["Entries"] = [e for e in entries if e["PartitionValueList"] != ["2015-01-03"]]
        response = real(**kwargs)
        response.setdefault("Errors", []).append(
            {
                "PartitionValueList": ["2015-01-03"],
                "ErrorDetail": {"ErrorCode": "AccessDeniedException", "ErrorMessage": "no"},
            }
        )
        return response

    monkeypatch.setattr(moved, "batch_update_partition", refusing)

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": moved})

    assert result.code == 1
    assert result.err_lines == [
        "error: catalog not repaired in full: 1 partitions not repointed: "
        "trips 2015-01-03: AccessDeniedException: no"
    ]
    trips = registered(moved, "trips")
    assert trips["2015-01-02"] == _own_folder("trips", "2015-01-02")
    assert trips["2015-01-03"] == f"{ELSEWHERE}pickup_date=2015-01-03/"
    # The registration was made all the same.
    assert trips["2015-01-04"] == _own_folder("trips", "2015-01-04")


def test_a_partition_elsewhere_whose_own_folder_holds_no_file_is_removed(catalog):
    # The own folder holds only the empty object the S3 console makes for a folder: no data to
    # point the partition at.
    put_objects("trips/pickup_date=2015-01-01/")
    create_partitions(catalog, "trips", "2015-01-01", under=ELSEWHERE)

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog})

    assert result.out_lines[:2] == [
        "trips: 1 date folders, 1 partitions:",
        "  to remove (partition, no folder): 1: 2015-01-01",
    ]
    assert result.out_lines[-1] == "registered 0 partitions, removed 1, repointed 0"
    assert registered(catalog, "trips") == {}


def test_the_same_folder_named_with_s3a_is_in_line(catalog):
    for table in ("trips", "hourly_metrics"):
        put_folders(table, "2015-01-01")
    create_partitions(catalog, "hourly_metrics", "2015-01-01")
    create_partitions(catalog, "trips", "2015-01-01", under=f"s3a://{CURATED_BUCKET}/trips/")

    result = run_cli(catalog_argv("--check"), pulumi_with_database(), {"glue": catalog})

    assert (result.code, result.out_lines[0]) == (0, "trips: 1 date folders, 1 partitions: in line")


def test_the_repair_reads_each_table_once_so_a_lookup_cannot_hold_back_the_removals(
    moved, monkeypatch: pytest.MonkeyPatch
):
    create_partitions(moved, "trips", "2014-12-31")
    put_folders("trips", "2015-01-03")
    lookups: list[str] = []
    real = moved.get_table

    def counted(**kwargs: Any) -> dict[str, Any]:
        lookups.append(kwargs["Name"])
        return real(**kwargs)

    monkeypatch.setattr(moved, "get_table", counted)

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": moved})

    assert result.out_lines[-1] == "registered 1 partitions, removed 1, repointed 1"
    assert sorted(lookups) == ["hourly_metrics", "trips"]
