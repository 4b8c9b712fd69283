"""Curated tables component: columns match the Spark job's schema; Parquet SerDe; projection."""

from __future__ import annotations

import pulumi_aws as aws
import pytest
from pyspark.sql.types import StructType

from components.curated_tables import CuratedTables, CuratedTablesArgs
from etl.schema import HOURLY_METRICS_SCHEMA, TRIPS_SCHEMA
from preview.stackfile import load_stack_config
from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

TABLE = "aws:glue/catalogTable:CatalogTable"
SPARK_SCHEMAS: dict[str, StructType] = {
    "trips": TRIPS_SCHEMA,
    "hourly_metrics": HOURLY_METRICS_SCHEMA,
}


def _bucket(stack: str) -> str:
    return f"glue-etl-{stack}-curated-{MOCK_ACCOUNT_ID}"


def _run(stack: str) -> Graph:
    config = load_stack_config(stack)

    def program() -> None:
        # Database and bucket come from other resources, as in the pipeline.
        database = aws.glue.CatalogDatabase("db", name=config.name_prefix.replace("-", "_"))
        bucket = aws.s3.Bucket("curated", bucket=_bucket(stack))
        CuratedTables(
            "curated-tables",
            CuratedTablesArgs(database_name=database.name, curated_bucket=bucket.bucket),
        )

    return Graph.run(program, stack)


@pytest.fixture(scope="module")
def mocks(stack) -> Graph:
    return _run(stack)


@pytest.mark.parametrize("table", ["trips", "hourly_metrics"])
def test_catalog_columns_equal_the_spark_schema_the_job_writes(mocks, table):
    inputs = mocks.one(TABLE, f"-{table}").inputs
    catalog = [(c["name"], c["type"]) for c in inputs["storageDescriptor"]["columns"]]
    catalog += [(k["name"], k["type"]) for k in inputs["partitionKeys"]]
    # Spark's own type names (int, bigint, double, string, timestamp, date) are Hive's, so the
    # comparison needs no mapping of ours that could share a mistake with the component.
    spark = [(f.name, f.dataType.simpleString()) for f in SPARK_SCHEMAS[table].fields]
    assert catalog == spark


def test_trips_columns_in_full(mocks):
    columns = mocks.one(TABLE, "-trips").inputs["storageDescriptor"]["columns"]
    assert columns[:3] == [
        {
            "name": "vendor_id",
            "type": "int",
            "comment": "TPEP/LPEP provider code (1 CMT / Creative Mobile, 2 VTS / VeriFone)",
        },
        {
            "name": "pickup_datetime",
            "type": "timestamp",
            "comment": "Meter engaged, naive local time",
        },
        {
            "name": "dropoff_datetime",
            "type": "timestamp",
            "comment": "Meter disengaged, naive local time",
        },
    ]
    # Every era's columns are in the one table: coordinates and zones alike, and the service.
    names = [c["name"] for c in columns]
    assert names[5:11] == [
        "pickup_longitude",
        "pickup_latitude",
        "dropoff_longitude",
        "dropoff_latitude",
        "pu_location_id",
        "do_location_id",
    ]
    assert columns[-2:] == [
        {
            "name": "service",
            "type": "string",
            "comment": "yellow or green: from the tpep_/lpep_ header, a service column or the file name",
        },
        {"name": "source_file", "type": "string", "comment": "Input file the row was read from"},
    ]
    assert columns[-1] == {
        "name": "source_file",
        "type": "string",
        "comment": "Input file the row was read from",
    }
    assert all(c["comment"] for c in columns)


@pytest.mark.parametrize("table", ["trips", "hourly_metrics"])
def test_table_is_external_parquet_with_date_projection(mocks, stack, table):
    inputs = mocks.one(TABLE, f"-{table}").inputs
    location = f"s3://{_bucket(stack)}/{table}/"
    assert inputs["name"] == table
    assert inputs["databaseName"] == f"glue_etl_{stack}"
    assert inputs["tableType"] == "EXTERNAL_TABLE"
    assert inputs["partitionKeys"] == [
        {"name": "pickup_date", "type": "date", "comment": "Calendar date of pickup_datetime"}
    ]
    descriptor = {k: v for k, v in inputs["storageDescriptor"].items() if k != "columns"}
    assert descriptor == {
        "location": location,
        "inputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "outputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "serDeInfo": {
            "name": "parquet",
            "serializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            "parameters": {"serialization.format": "1"},
        },
    }
    assert inputs["parameters"] == {
        "EXTERNAL": "TRUE",
        "classification": "parquet",
        "projection.enabled": "true",
        "projection.pickup_date.type": "date",
        "projection.pickup_date.format": "yyyy-MM-dd",
        "projection.pickup_date.range": "2009-01-01,NOW",
        "projection.pickup_date.interval": "1",
        "projection.pickup_date.interval.unit": "DAYS",
        "storage.location.template": f"{location}pickup_date=${{pickup_date}}/",
    }


def test_tables_are_children_of_the_component(mocks):
    tables = mocks.all(TABLE)
    assert sorted(t.name for t in tables) == [
        "curated-tables-hourly_metrics",
        "curated-tables-trips",
    ]
    assert {t.parent.split("::")[-1] for t in tables} == {"curated-tables"}
    components = [(r.type, r.name) for r in mocks.resources if not r.custom]
    assert components == [("glue-etl:catalog:CuratedTables", "curated-tables")]
