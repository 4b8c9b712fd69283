"""Partition registration, removal and repointing against moto's Glue catalog (and botocore's Stubber for
the errors moto never returns): chunking, existing or missing partitions, other errors,
locations and descriptors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from etl.catalog_partitions import (
    BATCH_SIZE,
    DELETE_BATCH_SIZE,
    PartitionRegistrationError,
    register_curated_partitions,
    register_partitions,
    remove_curated_partitions,
    repoint_partitions,
)
from etl.contract import CURATED_TABLES
from tests.etl.helpers import moto_catalog

DATABASE = "glue_etl_test"
BUCKET = "curated-bucket"
SERDE = {
    "Name": "parquet",
    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    "Parameters": {"serialization.format": "1"},
}


def _descriptor(table: str) -> dict[str, Any]:
    return {
        "Columns": [{"Name": c.name, "Type": c.type} for c in CURATED_TABLES[table]],
        "Location": f"s3://{BUCKET}/{table}/",
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "SerdeInfo": SERDE,
    }


@pytest.fixture
def glue(monkeypatch) -> Iterator[Any]:
    """A moto Glue catalog with the curated tables as the Pulumi program declares them."""
    with moto_catalog(monkeypatch, DATABASE, _descriptor) as client:
        yield client


def _partitions(glue: Any, table: str) -> dict[str, dict[str, Any]]:
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=DATABASE, TableName=table)
    return {p["Values"][0]: p for page in pages for p in page["Partitions"]}


def test_new_dates_become_partitions_of_both_tables(glue):
    summary = register_curated_partitions(glue, DATABASE, ["2015-01-16", "2015-01-15"])

    assert summary.created == {"trips": 2, "hourly_metrics": 2}
    for table in CURATED_TABLES:
        partitions = _partitions(glue, table)
        assert sorted(partitions) == ["2015-01-15", "2015-01-16"]
        descriptor = partitions["2015-01-15"]["StorageDescriptor"]
        # The table's own descriptor (columns, formats, SerDe), located at the date's folder.
        assert descriptor == {
            **_descriptor(table),
            "Location": f"s3://{BUCKET}/{table}/pickup_date=2015-01-15/",
        }


def test_existing_partitions_are_left_alone(glue):
    register_curated_partitions(glue, DATABASE, ["2015-01-15"])
    summary = register_curated_partitions(glue, DATABASE, ["2015-01-15", "2015-01-16"])

    assert summary.created == {"trips": 1, "hourly_metrics": 1}
    assert summary.existing == {"trips": 1, "hourly_metrics": 1}
    assert sorted(_partitions(glue, "trips")) == ["2015-01-15", "2015-01-16"]


def test_no_dates_means_no_calls(glue):
    calls: list[str] = []
    glue.meta.events.register("before-call.glue", lambda model, **_: calls.append(model.name))
    assert register_curated_partitions(glue, DATABASE, []).created == {}
    assert calls == []
    register_curated_partitions(glue, DATABASE, ["2015-01-15"])
    assert calls == ["GetTable", "GetTable", "BatchCreatePartition", "BatchCreatePartition"]


def test_many_dates_are_sent_in_batches_of_one_hundred(glue):
    start = dt.date(2015, 1, 1)
    dates = [(start + dt.timedelta(days=i)).isoformat() for i in range(250)]
    sizes: list[int] = []
    glue.meta.events.register(
        "provide-client-params.glue.BatchCreatePartition",
        lambda params, **_: sizes.append(len(params["PartitionInputList"])),
    )

    summary = register_partitions(
        glue, DATABASE, {"trips": dates + dates[:10]}, {"trips": _descriptor("trips")}
    )

    assert BATCH_SIZE == 100
    assert sizes == [100, 100, 50]
    assert summary.created == {"trips": 250}
    assert len(_partitions(glue, "trips")) == 250


def _stubbed_glue() -> tuple[Any, Stubber]:
    """A Glue client that answers only what its Stubber is given."""
    glue = boto3.client(
        "glue",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return glue, Stubber(glue)


def test_other_errors_are_collected_and_raised_after_every_batch():
    glue, stubber = _stubbed_glue()
    refused = {
        "PartitionValues": ["2015-13-01"],
        "ErrorDetail": {"ErrorCode": "InvalidInputException", "ErrorMessage": "bad date"},
    }
    exists = {
        "PartitionValues": ["2015-01-15"],
        "ErrorDetail": {"ErrorCode": "AlreadyExistsException", "ErrorMessage": "exists"},
    }
    stubber.add_response("batch_create_partition", {"Errors": [exists, refused]})
    stubber.add_response("batch_create_partition", {})
    values = {"trips": ["2015-01-15", "2015-13-01"], "hourly_metrics": ["2015-01-15"]}
    descriptors = {table: _descriptor(table) for table in CURATED_TABLES}

    with stubber, pytest.raises(PartitionRegistrationError) as caught:
        register_partitions(glue, DATABASE, values, descriptors)

    # The second table was still registered, and only the refused partition is reported.
    stubber.assert_no_pending_responses()
    assert [str(e) for e in caught.value.errors] == [
        "trips 2015-13-01: InvalidInputException: bad date"
    ]
    assert str(caught.value) == (
        "1 partitions not registered: trips 2015-13-01: InvalidInputException: bad date"
    )


def test_removed_dates_leave_both_tables_in_batches_and_missing_ones_are_no_error(glue):
    start = dt.date(2015, 1, 1)
    dates = [(start + dt.timedelta(days=i)).isoformat() for i in range(30)]
    register_curated_partitions(glue, DATABASE, dates)
    sizes: list[int] = []
    glue.meta.events.register(
        "provide-client-params.glue.BatchDeletePartition",
        lambda params, **_: sizes.append(len(params["PartitionsToDelete"])),
    )

    # Two dates never registered (or removed by an earlier try) among them.
    removed = remove_curated_partitions(glue, DATABASE, [*dates[:27], "2016-01-01", "2016-01-02"])

    assert DELETE_BATCH_SIZE == 25
    assert sizes == [25, 4, 25, 4]
    assert removed == 2 * 27
    for table in CURATED_TABLES:
        assert sorted(_partitions(glue, table)) == dates[27:]
    assert remove_curated_partitions(glue, DATABASE, []) == 0


def test_a_removal_the_catalog_refuses_is_raised_after_every_table():
    glue, stubber = _stubbed_glue()
    refused = {
        "PartitionValues": ["2015-01-15"],
        "ErrorDetail": {"ErrorCode": "AccessDeniedException", "ErrorMessage": "denied"},
    }
    stubber.add_response("batch_delete_partition", {"Errors": [refused]})
    stubber.add_response("batch_delete_partition", {})

    with stubber, pytest.raises(PartitionRegistrationError) as caught:
        remove_curated_partitions(glue, DATABASE, ["2015-01-15"])

    stubber.assert_no_pending_responses()
    assert str(caught.value) == (
        "1 partitions not removed: trips 2015-01-15: AccessDeniedException: denied"
    )


def test_partitions_are_repointed_in_batches_of_one_hundred_with_their_tables_descriptor(glue):
    start = dt.date(2015, 1, 1)
    dates = [(start + dt.timedelta(days=i)).isoformat() for i in range(230)]
    elsewhere = {**_descriptor("trips"), "Location": "s3://old-bucket/trips/"}
    register_partitions(glue, DATABASE, {"trips": dates}, {"trips": elsewhere})
    sizes: list[int] = []
    glue.meta.events.register(
        "provide-client-params.glue.BatchUpdatePartition",
        lambda params, **_: sizes.append(len(params["Entries"])),
    )

    repointed = repoint_partitions(
        glue, DATABASE, {"trips": dates + dates[:5]}, {"trips": _descriptor("trips")}
    )

    assert (repointed, sizes) == (230, [100, 100, 30])
    partitions = _partitions(glue, "trips")
    assert {v: p["StorageDescriptor"]["Location"] for v, p in partitions.items()} == {
        d: f"s3://{BUCKET}/trips/pickup_date={d}/" for d in dates
    }
    assert partitions[dates[0]]["StorageDescriptor"]["SerdeInfo"] == SERDE


def test_refused_repoints_are_raised_after_every_batch_with_their_values():
    glue, stubber = _stubbed_glue()
    refused = {
        "PartitionValueList": ["2015-01-02"],
        "ErrorDetail": {"ErrorCode": "EntityNotFoundException", "ErrorMessage": "gone"},
    }
    stubber.add_response("batch_update_partition", {"Errors": [refused]})
    stubber.add_response("batch_update_partition", {})
    values = {"trips": ["2015-01-01", "2015-01-02"], "hourly_metrics": ["2015-01-01"]}
    descriptors = {table: _descriptor(table) for table in CURATED_TABLES}

    with stubber, pytest.raises(PartitionRegistrationError) as caught:
        repoint_partitions(glue, DATABASE, values, descriptors)

    stubber.assert_no_pending_responses()
    assert str(caught.value) == (
        "1 partitions not repointed: trips 2015-01-02: EntityNotFoundException: gone"
    )
