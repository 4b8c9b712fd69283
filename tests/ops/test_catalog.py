"""`python -m ops catalog` against moto's Glue Data Catalog and S3."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from ops.catalog import folder_dates, partition_locations
from tests.ops.catalog_setup import (
    TABLES,
    catalog_argv,
    create_partitions,
    pulumi_with_database,
    put_folders,
    put_objects,
    registered,
)
from tests.ops.conftest import (
    CURATED_BUCKET,
    DATABASE,
    REGION,
    STACK,
    FakePulumi,
    run_cli,
    stack_outputs,
)


def _drifted(glue: Any) -> None:
    """trips: two dates without a partition and one partition of a date emptied long ago;
    hourly_metrics: in line."""
    put_folders("trips", "2015-01-01", "2015-01-02", "2015-01-03")
    create_partitions(glue, "trips", "2014-12-31", "2015-01-01")
    put_folders("hourly_metrics", "2015-01-01", "2015-01-02", "2015-01-03")
    create_partitions(glue, "hourly_metrics", "2015-01-01", "2015-01-02", "2015-01-03")


def test_a_catalog_in_line_with_its_folders_is_left_alone(catalog):
    for table in TABLES:
        put_folders(table, "2015-01-01", "2015-01-02")
        create_partitions(catalog, table, "2015-01-01", "2015-01-02")

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog})

    assert (result.code, result.err) == (0, "")
    assert result.out_lines == [
        "trips: 2 date folders, 2 partitions: in line",
        "hourly_metrics: 2 date folders, 2 partitions: in line",
    ]


def test_without_apply_the_drift_is_printed_and_nothing_changes(catalog):
    _drifted(catalog)

    result = run_cli(catalog_argv(), pulumi_with_database(), {"glue": catalog})

    assert (result.code, result.err) == (0, "")
    assert result.out_lines == [
        "trips: 3 date folders, 2 partitions:",
        "  to register (folder, no partition): 2: 2015-01-02, 2015-01-03",
        "  to remove (partition, no folder): 1: 2014-12-31",
        "hourly_metrics: 3 date folders, 3 partitions: in line",
        "nothing changed: pass --apply to make these changes",
    ]
    assert sorted(registered(catalog, "trips")) == ["2014-12-31", "2015-01-01"]


@pytest.mark.parametrize(("drifted", "code"), [(True, 1), (False, 0)])
def test_check_exits_1_on_drift_for_monitors_and_changes_nothing(catalog, drifted, code):
    if drifted:
        _drifted(catalog)
    else:
        for table in TABLES:
            put_folders(table, "2015-01-01")
            create_partitions(catalog, table, "2015-01-01")

    result = run_cli(catalog_argv("--check"), pulumi_with_database(), {"glue": catalog})

    assert (result.code, result.err) == (code, "")
    if drifted:
        assert result.out_lines[-1] == (
            "catalog out of line with the data: pass --apply to make these changes"
        )
        assert sorted(registered(catalog, "trips")) == ["2014-12-31", "2015-01-01"]
    else:
        assert result.out_lines[-1] == "hourly_metrics: 1 date folders, 1 partitions: in line"


def test_check_and_apply_cannot_be_given_together(catalog, capsys):
    with pytest.raises(SystemExit) as exited:
        run_cli(catalog_argv("--check", "--apply"), pulumi_with_database(), {"glue": catalog})

    assert exited.value.code == 2
    assert "argument --apply: not allowed with argument --check" in capsys.readouterr().err


def test_apply_registers_the_dates_with_data_and_removes_partitions_without(catalog):
    _drifted(catalog)

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog})

    assert (result.code, result.err) == (0, "")
    assert result.out_lines[-1] == "registered 2 partitions, removed 1, repointed 0"
    assert registered(catalog, "trips") == {
        date: f"s3://{CURATED_BUCKET}/trips/pickup_date={date}/"
        for date in ("2015-01-01", "2015-01-02", "2015-01-03")
    }
    # A registered partition carries its table's columns and formats.
    added = catalog.get_partition(
        DatabaseName=DATABASE, TableName="trips", PartitionValues=["2015-01-02"]
    )["Partition"]["StorageDescriptor"]
    assert added["Columns"] == [{"Name": "trip_distance", "Type": "double"}]
    assert added["InputFormat"].endswith("MapredParquetInputFormat")
    assert sorted(registered(catalog, "hourly_metrics")) == [
        "2015-01-01",
        "2015-01-02",
        "2015-01-03",
    ]
    again = run_cli(catalog_argv(), pulumi_with_database(), {"glue": catalog})
    assert again.out_lines == [
        "trips: 3 date folders, 3 partitions: in line",
        "hourly_metrics: 3 date folders, 3 partitions: in line",
    ]


def test_each_table_is_compared_with_its_own_folders_and_only_date_folders_count(catalog):
    put_folders("trips", "2015-01-01", "2015-01-02")
    put_folders("hourly_metrics", "2015-01-01")
    # Folders that are no date of the table: Spark's folder for rows without a date, a copy
    # someone left under the table, and a table whose name starts the same way.
    put_objects(
        "trips/pickup_date=__HIVE_DEFAULT_PARTITION__/part-0.parquet",
        "trips/backup/pickup_date=2014-01-01/part-0.parquet",
        "trips_old/pickup_date=2014-02-01/part-0.parquet",
        "trips/_SUCCESS",
    )

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog})

    assert result.code == 0
    assert sorted(registered(catalog, "trips")) == ["2015-01-01", "2015-01-02"]
    assert sorted(registered(catalog, "hourly_metrics")) == ["2015-01-01"]


def test_many_dates_are_named_by_count_and_the_first_few(catalog):
    dates = [f"2015-01-{day:02d}" for day in range(1, 32)]
    put_folders("trips", *dates)
    put_folders("hourly_metrics", *dates)

    result = run_cli(catalog_argv(), pulumi_with_database(), {"glue": catalog})

    assert result.out_lines[1] == (
        "  to register (folder, no partition): 31: 2015-01-01, 2015-01-02, 2015-01-03,"
        " 2015-01-04, 2015-01-05 and 26 more"
    )
    # More than one BatchCreatePartition and BatchDeletePartition call's worth.
    many = [f"2016-{month:02d}-{day:02d}" for month in range(1, 5) for day in range(1, 29)]
    put_folders("trips", *many)
    assert run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog}).code == 0
    assert sorted(registered(catalog, "trips")) == sorted(dates + many)
    boto3.resource("s3", region_name=REGION).Bucket(CURATED_BUCKET).objects.filter(
        Prefix="trips/pickup_date=2016-"
    ).delete()
    assert run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog}).out_lines[
        -1
    ] == ("registered 0 partitions, removed 112, repointed 0")
    assert sorted(registered(catalog, "trips")) == dates


def test_a_refused_partition_fails_the_command_after_every_change_was_tried(
    catalog, monkeypatch: pytest.MonkeyPatch
):
    _drifted(catalog)
    real = catalog.batch_create_partition

    def refusing(**kwargs: Any) -> dict[str, Any]:
        inputs = kwargs["PartitionInputList"]
        kwargs["PartitionInputList"] = [p for p in inputs if p["Values"] != ["2015-01-03"]]
        response = real(**kwargs)
        response.setdefault("Errors", []).append(
            {
                "PartitionValues": ["2015-01-03"],
                "ErrorDetail": {"ErrorCode": "AccessDeniedException", "ErrorMessage": "no"},
            }
        )
        return response

    monkeypatch.setattr(catalog, "batch_create_partition", refusing)

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog})

    assert result.code == 1
    assert result.err_lines == [
        "error: catalog not repaired in full: 1 partitions not registered: "
        "trips 2015-01-03: AccessDeniedException: no"
    ]
    # The other date was registered and the stale partition removed all the same.
    assert sorted(registered(catalog, "trips")) == ["2015-01-01", "2015-01-02"]


def test_the_database_comes_from_the_stack_or_the_option(catalog):
    missing = run_cli(catalog_argv(), FakePulumi(stack_outputs()), {"glue": catalog})
    assert (missing.code, missing.err_lines) == (
        2,
        [
            f"error: stack '{STACK}' has no output 'database_name': run `pulumi up` on it or "
            "pass --database"
        ],
    )

    wrong = run_cli(
        catalog_argv("--database", "nope"), FakePulumi(stack_outputs()), {"glue": catalog}
    )
    assert (wrong.code, wrong.err_lines) == (
        1,
        [
            f"error: database 'nope' or a curated table in it not found in {REGION}: deploy the "
            "stack or check --database/--region"
        ],
    )


def test_a_folder_with_no_file_or_no_real_date_is_not_registered(catalog):
    put_folders("trips", "2015-01-01")
    put_folders("hourly_metrics", "2015-01-01")
    # The empty object the S3 console makes for a folder, and names that only look like dates.
    put_objects(
        "trips/pickup_date=2015-01-05/",
        "trips/pickup_date=2015-13-45/part-0.parquet",
        "trips/pickup_date=20150102/part-0.parquet",
    )

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog})

    assert result.code == 0
    assert sorted(registered(catalog, "trips")) == ["2015-01-01"]


def test_a_whole_call_refused_still_leaves_the_removals_tried(
    catalog, monkeypatch: pytest.MonkeyPatch
):
    _drifted(catalog)

    def denied(**kwargs: Any) -> dict[str, Any]:
        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}},
            "BatchCreatePartition",
        )

    monkeypatch.setattr(catalog, "batch_create_partition", denied)

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": catalog})

    assert result.code == 1
    assert result.err_lines == [
        "error: catalog not repaired in full: An error occurred (AccessDeniedException) when "
        "calling the BatchCreatePartition operation: not allowed"
    ]
    assert sorted(registered(catalog, "trips")) == ["2015-01-01"]


def test_a_table_outside_s3_is_named_in_one_line(catalog):
    catalog.update_table(
        DatabaseName=DATABASE,
        TableInput={
            "Name": "hourly_metrics",
            "PartitionKeys": [{"Name": "pickup_date", "Type": "date"}],
            "StorageDescriptor": {"Location": "hdfs:///warehouse/hourly_metrics"},
        },
    )

    result = run_cli(catalog_argv(), pulumi_with_database(), {"glue": catalog})

    assert (result.code, result.err_lines) == (
        1,
        [
            f"error: database '{DATABASE}': hourly_metrics: table location is not an S3 "
            "folder: 'hdfs:///warehouse/hourly_metrics'"
        ],
    )


class _Pages:
    """A client whose paginators hand back fixed pages, as AWS splits long answers."""

    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def get_paginator(self, name: str) -> Any:
        client = self

        class Paginator:
            def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                client.calls.append({"operation": name, **kwargs})
                return client.pages

        return Paginator()


def test_every_page_of_folders_and_partitions_is_read():
    s3 = _Pages(
        [
            {"CommonPrefixes": [{"Prefix": "trips/pickup_date=2015-01-01/"}]},
            {"CommonPrefixes": [{"Prefix": "trips/pickup_date=2015-01-02/"}]},
        ]
    )
    assert folder_dates(s3, "s3://bucket/trips") == {"2015-01-01", "2015-01-02"}
    assert s3.calls == [
        {
            "operation": "list_objects_v2",
            "Bucket": "bucket",
            "Prefix": "trips/pickup_date=",
            "Delimiter": "/",
        }
    ]
    glue = _Pages(
        [
            {
                "Partitions": [
                    {"Values": [date], "StorageDescriptor": {"Location": f"s3://b/{date}"}}
                ]
            }
            for date in ("2015-01-01", "2015-01-03")
        ]
    )
    assert partition_locations(glue, DATABASE, "trips") == {
        "2015-01-01": "s3://b/2015-01-01",
        "2015-01-03": "s3://b/2015-01-03",
    }
    assert glue.calls[0]["ExcludeColumnSchema"] is True
