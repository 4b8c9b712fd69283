"""Parquet schemas: footer types, column names, nested columns and partition folders."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from chispa import assert_df_equality

from etl.batch_read import parse_files
from etl.local import run
from etl.parquet_footer import (
    NANOS,
    NANOS_UTC,
    UNSUPPORTED,
    fields_from_schema_text,
    footer_schema,
    spark_type_name,
    walked_fields,
)
from etl.parquet_input import folder_values, read_footer
from etl.quarantine import valid_rows
from etl.state import list_input_files
from etl.storage import Storage
from tests.etl.parquet_tables import (
    DROPOFFS,
    PICKUPS,
    write_parquet,
)


@pytest.mark.parametrize(
    ("primitive", "logical", "expected"),
    [
        ("INT32", "", "int"),
        ("INT32", "INTEGER(8,true)", "int"),
        ("INT32", "INTEGER(16,false)", "int"),
        ("INT32", "INTEGER(32,false)", "bigint"),
        ("INT32", "DATE", "date"),
        ("INT64", "", "bigint"),
        ("INT64", "INTEGER(64,true)", "bigint"),
        ("INT64", "INTEGER(64,false)", "decimal(20,0)"),
        ("INT64", "TIMESTAMP(MICROS,false)", "timestamp_ntz"),
        ("INT64", "TIMESTAMP(MILLIS,true)", "timestamp"),
        ("INT64", "TIMESTAMP(NANOS,false)", NANOS),
        ("INT64", "TIMESTAMP(NANOS,true)", NANOS_UTC),
        ("INT64", "DECIMAL(10,2)", "decimal(10,2)"),
        ("FIXED_LEN_BYTE_ARRAY", "DECIMAL(38,9)", "decimal(38,9)"),
        ("FIXED_LEN_BYTE_ARRAY", "DECIMAL(40,2)", UNSUPPORTED),
        ("INT96", "", "timestamp"),
        ("DOUBLE", "", "double"),
        ("FLOAT", "", "float"),
        ("BINARY", "STRING", "string"),
        ("BINARY", "", "binary"),
        ("BOOLEAN", "", "boolean"),
    ],
)
def test_footer_types_map_as_spark_reads_them(primitive, logical, expected):
    assert spark_type_name(primitive, logical) == expected


def test_schema_text_gives_the_types_a_walk_of_the_schema_gives(spark, tmp_path):
    # Every physical and logical type a TLC file (or another writer) may use, nested columns
    # and a field id among them: the text form must give what asking for each column gives.
    with_id = pa.field("RatecodeID", pa.int64(), metadata={b"PARQUET:field_id": b"7"})
    table = pa.table(
        {
            "VendorID": pa.array([1], pa.int32()),
            "tpep_pickup_datetime": pa.array([PICKUPS[0]], pa.timestamp("us")),
            "tpep_dropoff_datetime": pa.array([DROPOFFS[0]], pa.timestamp("ns")),
            "lpep_pickup_datetime": pa.array([PICKUPS[0]], pa.timestamp("ms", tz="UTC")),
            "passenger_count": pa.array([1], pa.int8()),
            "trip_distance": pa.array([1.5], pa.float32()),
            "payment_type": pa.array([1], pa.uint32()),
            "PULocationID": pa.array([1], pa.uint64()),
            "DOLocationID": pa.array([2], pa.int16()),
            "store_and_fwd_flag": pa.array(["N"], pa.large_string()),
            "congestion_surcharge": pa.array(["N"], pa.string()).dictionary_encode(),
            "fare_amount": pa.array([dt.date(2024, 1, 1)], pa.date32()),
            "tip_amount": pa.array([1], pa.decimal128(10, 2)),
            "tolls_amount": pa.array([b"\x00"], pa.binary()),
            "extra": pa.array([b"0123456789abcdef"], pa.binary(16)),
            "mta_tax": pa.array([True], pa.bool_()),
            "airport_fee": pa.array([[1, 2]], pa.list_(pa.int64())),
            "cbd_congestion_fee": pa.array([{"a": 1}], pa.struct([("a", pa.int64())])),
            "total_amount": pa.array([10.0], pa.float64()),
        }
    )
    table = table.append_column(with_id, pa.array([1], pa.int64()))
    schema = footer_schema(spark, write_parquet(tmp_path / "types.parquet", table))

    parsed = fields_from_schema_text(str(schema.toString()))

    assert parsed is not None
    fields = [(name, kind) for name, kind, _ in parsed]
    assert fields == walked_fields(schema)
    assert [name for name, _ in fields] == table.column_names
    kinds = dict(fields)
    assert (kinds["tpep_dropoff_datetime"], kinds["airport_fee"]) == (NANOS, UNSUPPORTED)
    assert (kinds["tip_amount"], kinds["PULocationID"]) == ("decimal(10,2)", "decimal(20,0)")


@pytest.mark.parametrize(
    "name",
    [
        "total amount",
        "total_amount (usd)",
        "total_amount (STRING)",
        "total_amount = 3",
        "total_amount;\n  optional double tip_amount",
    ],
)
def test_a_column_name_the_schema_text_cannot_carry_is_read_by_asking_for_it(spark, tmp_path, name):
    table = pa.table({"tpep_pickup_datetime": pa.array([PICKUPS[0]]), name: pa.array([10.0])})
    uri = write_parquet(tmp_path / "yellow_tripdata_2024-01.parquet", table)

    footer = read_footer(spark, uri)

    assert footer.layout is not None
    assert footer.layout.fields == (("tpep_pickup_datetime", "timestamp_ntz"), (name, "double"))


def test_nested_columns_are_reported_as_unknown_columns_not_dropped_silently(spark, tmp_path):
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0]], pa.timestamp("us")),
            "total_amount": [14.0],
            "zone_names": pa.array([["JFK Airport", "Midtown"]], pa.list_(pa.string())),
            "Meter": pa.array([{"id": 7}], pa.struct([("id", pa.int64())])),
            "fare_notes": ["paid"],
        }
    )
    batch = parse_files(spark, [write_parquet(tmp_path / "yellow_tripdata_2024-01.parquet", table)])
    assert batch.unknown_columns == ["fare_notes", "meter", "zone_names"]
    assert [row.total_amount for row in valid_rows(batch.checked).collect()] == [14.0]


def test_a_column_written_as_partition_folders_is_read_from_the_folder_names(spark, tmp_path):
    # Spark's partitionBy, DuckDB's PARTITION_BY and pyarrow's write_to_dataset keep a
    # partition column's value in the folder name (`VendorID=2/`) and not in the file.
    table = pa.table(
        {
            "VendorID": pa.array([1, 2, None], pa.int32()),
            "tpep_pickup_datetime": pa.array([PICKUPS[0]] * 3, pa.timestamp("us")),
            "total_amount": [1.0, 2.0, 3.0],
            "store_and_fwd_flag": ["N", "Y", "N"],
            "year": [2024, 2024, 2024],
        }
    )
    root = tmp_path / "in"
    pq.write_to_dataset(table, root, partition_cols=["year", "VendorID", "store_and_fwd_flag"])
    # A writer that also keeps the column in the file: the file's value is the one read.
    kept = table.drop_columns(["year", "store_and_fwd_flag"]).slice(0, 1)
    kept = kept.set_column(0, "VendorID", pa.array([9], pa.int32()))
    write_parquet(root / "year=2024" / "VendorID=1" / "store_and_fwd_flag=N" / "kept.parquet", kept)

    files = [f.uri for f in list_input_files(Storage(spark), f"file:{root}").files]
    batch = parse_files(spark, files, f"file:{root}")

    assert (batch.failed_files, batch.unknown_columns) == ([], [])
    actual = valid_rows(batch.checked).select(
        "total_amount", "vendor_id", "store_and_fwd_flag", "service"
    )
    expected = spark.createDataFrame(
        [
            (1.0, 1, "N", "yellow"),
            (2.0, 2, "Y", "yellow"),
            (3.0, None, "N", "yellow"),
            (1.0, 9, "N", "yellow"),
        ],
        "total_amount double, vendor_id int, store_and_fwd_flag string, service string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_folders_above_the_input_root_are_not_partition_folders(spark, tmp_path):
    # Where the input happens to live says nothing about its trips.
    root = tmp_path / "payment_type=3" / "in"
    table = pa.table(
        {"tpep_pickup_datetime": pa.array([PICKUPS[0]], pa.timestamp("us")), "total_amount": [1.0]}
    )
    write_parquet(root / "VendorID=2" / "yellow_tripdata_2024-01.parquet", table)
    run(spark, root, tmp_path / "out", full_refresh=True)
    trips = spark.read.parquet(str(tmp_path / "out" / "trips"))
    assert [tuple(r) for r in trips.select("vendor_id", "payment_type").collect()] == [(2, None)]
    # An input that is the file itself has no folder below it.
    # (URIs as Hadoop spells them, not percent-encoded.)
    file = f"file:{root}/VendorID=2/yellow_tripdata_2024-01.parquet"
    assert folder_values(file, ["total_amount"], file) == ()
    assert folder_values(file, ["total_amount"], f"file:{root}") == (("vendor_id", "2"),)


def test_extra_columns_spark_cannot_name_or_read_leave_their_file_readable(spark, tmp_path):
    # A backtick in a name (Spark's quote for names), and a decimal wider than Spark's 38 digits
    # (pyarrow's decimal256, BigQuery's BIGNUMERIC): neither column is the contract's.
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0], None], pa.timestamp("us")),
            "total_amount": [14.0, 15.0],
            "driver`s note": ["on time", "late"],
            "exact_total": pa.array([1, 2], pa.decimal256(40, 2)),
        }
    )
    path = write_parquet(tmp_path / "yellow_tripdata_2024-01.parquet", table)

    batch = parse_files(spark, [path])

    assert (batch.failed_files, batch.unknown_columns) == ([], ["driver`s note", "exact_total"])
    assert batch.checked is not None
    actual = batch.checked.select("total_amount", "reject_reason", "raw_line")
    expected = spark.createDataFrame(
        [(14.0, None, None), (15.0, "missing_pickup_datetime", ",15.0,late")],
        "total_amount double, reject_reason string, raw_line string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_contract_column_spark_cannot_read_fails_its_file_by_name(spark, tmp_path):
    # Left out, the column would load as null without a word (or every row would lack a total).
    wide = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0]], pa.timestamp("us")),
            "total_amount": [14.0],
            "tip_amount": pa.array([1], pa.decimal256(40, 2)),
        }
    )
    good = wide.drop_columns(["tip_amount"])
    files = [
        write_parquet(tmp_path / "yellow_tripdata_2024-01.parquet", wide),
        write_parquet(tmp_path / "yellow_tripdata_2024-02.parquet", good),
    ]

    batch = parse_files(spark, files)

    [failed] = batch.failed_files
    assert failed.path == files[0]
    assert failed.reason == (
        "unreadable_file: column tip_amount holds a type Spark cannot read (a nested type, or a "
        "decimal of more than 38 digits)"
    )
    assert batch.checked is not None
    assert [row.total_amount for row in valid_rows(batch.checked).collect()] == [14.0]
