"""Partitions of the curated tables in moto's Glue Data Catalog and their date folders in S3, for
the tests of `python -m ops catalog` (the tables themselves: the `catalog` fixture)."""

from __future__ import annotations

from typing import Any

import boto3

from tests.ops.conftest import (
    CURATED_BUCKET,
    DATABASE,
    REGION,
    STACK,
    FakePulumi,
    location,
    stack_outputs,
)

TABLES = ("trips", "hourly_metrics")


def put_objects(*keys: str) -> None:
    """An empty object at each key of the curated bucket."""
    s3 = boto3.client("s3", region_name=REGION)
    for key in keys:
        s3.put_object(Bucket=CURATED_BUCKET, Key=key)


def put_folders(table: str, *dates: str) -> None:
    """A file in each date's folder under the table's location."""
    put_objects(*(f"{table}/pickup_date={date}/part-0.parquet" for date in dates))


def create_partitions(glue: Any, table: str, *dates: str, under: str | None = None) -> None:
    """A partition for each date at its folder under `under` (default: the table's location)."""
    base = under or location(table)
    for date in dates:
        glue.create_partition(
            DatabaseName=DATABASE,
            TableName=table,
            PartitionInput={
                "Values": [date],
                "StorageDescriptor": {"Location": f"{base}pickup_date={date}/"},
            },
        )


def registered(glue: Any, table: str) -> dict[str, str]:
    """Each partition's date and location, every page read."""
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=DATABASE, TableName=table)
    return {
        p["Values"][0]: p["StorageDescriptor"]["Location"]
        for page in pages
        for p in page["Partitions"]
    }


def catalog_argv(*extra: str) -> list[str]:
    return ["catalog", "--stack", STACK, *extra]


def pulumi_with_database() -> FakePulumi:
    return FakePulumi(stack_outputs(database_name=DATABASE))
