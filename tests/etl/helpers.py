"""Builders for tiny test inputs (CSV lines in TLC layout, written as files for the readers), and
what tests look at in the frames they give."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import StructType

from etl.batch_read import parse_files
from etl.contract import CURATED_TABLES, PARTITION_COLUMN, SIMPLIFIED_HEADER
from etl.jvm_classes import PYSPARK_SHORT_NAMES
from etl.read import relative_to_root
from etl.schema import CANONICAL_NAMES, TRIPS_SCHEMA

# Yellow-taxi 2015 header: tpep_ prefixes and CamelCase ids exercise the normalisation.
TLC_HEADER = (
    "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,trip_distance,"
    "pickup_longitude,pickup_latitude,RateCodeID,store_and_fwd_flag,dropoff_longitude,"
    "dropoff_latitude,payment_type,fare_amount,extra,mta_tax,tip_amount,tolls_amount,"
    "improvement_surcharge,total_amount"
)
# Canonical names of TLC_HEADER's columns, in its order.
TLC_2015_COLUMNS = SIMPLIFIED_HEADER

DEFAULTS: dict[str, str] = {
    "vendor_id": "1",
    "pickup_datetime": "2015-01-15 19:05:39",
    "dropoff_datetime": "2015-01-15 19:23:42",
    "passenger_count": "1",
    "trip_distance": "1.5",
    "pickup_longitude": "-73.99",
    "pickup_latitude": "40.75",
    "rate_code_id": "1",
    "store_and_fwd_flag": "N",
    "dropoff_longitude": "-73.97",
    "dropoff_latitude": "40.76",
    "payment_type": "1",
    "fare_amount": "12.0",
    "extra": "1.0",
    "mta_tax": "0.5",
    "tip_amount": "3.25",
    "tolls_amount": "0",
    "improvement_surcharge": "0.3",
    "total_amount": "17.05",
}


def trip_line(**values: str) -> str:
    """One CSV data line in TLC_HEADER order; keyword arguments override the defaults."""
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise KeyError(unknown)
    return ",".join({**DEFAULTS, **values}[name] for name in TLC_2015_COLUMNS)


def checked_rows(spark: SparkSession, folder: Path, files: dict[str, list[str]]) -> DataFrame:
    """Files (name -> lines) -> checked rows after reading, parsing and validation (the
    pipeline's own parse step). `source_file` is the name given: the path under the input root."""
    for name, lines in files.items():
        write_csv(folder / name, lines)
    batch = parse_files(spark, [(folder / name).as_uri() for name in files])
    assert batch.checked is not None, "no file holds a line"
    return with_source_paths(batch.checked, folder.as_uri())


def with_source_paths(checked: DataFrame, root: str) -> DataFrame:
    """Checked rows with `source_file` as the path under `root`, as the merge names them."""
    return checked.withColumn("source_file", relative_to_root(sf.col("source_file"), root))


def write_csv(path: Path, lines: list[str], newline: str = "\n", bom: bool = False) -> Path:
    """Write a CSV file for the runner tests (bytes exactly as given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(line + newline for line in lines)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


# Trips as they leave validation: TRIPS_SCHEMA without the derived pickup_date.
TRIP_FIELDS = StructType([f for f in TRIPS_SCHEMA.fields if f.name != PARTITION_COLUMN.name])


def trip(
    pickup: dt.datetime, longitude: float | None, total: float, source: str, **extra: Any
) -> tuple[Any, ...]:
    """A TRIP_FIELDS row: vendor 1 unless overridden; columns not named are null."""
    values = {
        "vendor_id": 1,
        "pickup_datetime": pickup,
        "pickup_longitude": longitude,
        "total_amount": total,
        "source_file": source,
        **extra,
    }
    return tuple(values.get(name) for name in TRIP_FIELDS.names)


def canonical_row(**values: Any) -> tuple[Any, ...]:
    """A CANONICAL_SCHEMA row: the columns named, every other one null (a misspelt name fails)."""
    unknown = set(values) - set(CANONICAL_NAMES)
    assert not unknown, unknown
    return tuple(values.get(name) for name in CANONICAL_NAMES)


@contextmanager
def moto_catalog(
    monkeypatch: pytest.MonkeyPatch, database: str, descriptor: Callable[[str], dict[str, Any]]
) -> Iterator[Any]:
    """moto in place of AWS, with a Glue database holding the curated tables partitioned by
    pickup date (`descriptor(table)` is each table's storage descriptor); yields the Glue client."""
    # Imported here: most tests that use these helpers never talk to AWS.
    import boto3

    from tests.moto_aws import moto_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto_aws():
        glue = boto3.client("glue", region_name="us-east-1")
        glue.create_database(DatabaseInput={"Name": database})
        create_curated_tables(glue, database, descriptor)
        yield glue


def create_curated_tables(
    glue: Any, database: str, descriptor: Callable[[str], dict[str, Any]]
) -> None:
    """The curated tables in `database`, partitioned by pickup date, each with the storage
    descriptor `descriptor(table)`, as the stack declares them."""
    for table in CURATED_TABLES:
        glue.create_table(
            DatabaseName=database,
            TableInput={
                "Name": table,
                "TableType": "EXTERNAL_TABLE",
                "PartitionKeys": [{"Name": PARTITION_COLUMN.name, "Type": "date"}],
                "StorageDescriptor": descriptor(table),
            },
        )


def record_shuffle_sizes(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[Any]:
    """Patch `module.cluster_by_date` to record the `ShuffleSize` of each shuffle it plans."""
    sizes: list[Any] = []
    cluster = module.cluster_by_date

    def spy(trips: DataFrame, keys: Any, size: Any, **options: Any) -> Any:
        sizes.append(size)
        return cluster(trips, keys, size, **options)

    monkeypatch.setattr(module, "cluster_by_date", spy)
    return sizes


def unpin_pyspark_classes(monkeypatch: Any, jvm: Any) -> None:
    """Take `etl.jvm_classes.pin_pyspark_classes` back from the JVM view `jvm` for one test:
    py4j finds PySpark's short names again, as in a session nobody pinned them in."""
    for name in PYSPARK_SHORT_NAMES:
        if name in vars(jvm):
            monkeypatch.delattr(jvm, name)


def plan_nodes(frame: DataFrame) -> list[Any]:
    """Every node of `frame`'s physical plan (JVM objects), as Spark would run it."""
    nodes, pending = [], [frame._jdf.queryExecution().executedPlan()]
    while pending:
        node = pending.pop()
        nodes.append(node)
        children = node.children()
        pending.extend(children.apply(i) for i in range(children.size()))
    return nodes
