"""Parquet input: drifting physical types, the same validation as CSV, unreadable files reported."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType, StructField, StructType

from etl import pipeline
from etl.batch_read import parse_files, unreadable_files
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
from etl.quarantine import quarantine_shape, quarantined_rows, valid_rows
from etl.schema import CANONICAL_NAMES, CANONICAL_SCHEMA, QUARANTINE_SCHEMA
from etl.state import list_input_files
from etl.storage import Storage
from tests.etl.helpers import TLC_HEADER, trip_line, with_source_paths, write_csv

PICKUPS = [dt.datetime(2024, 1, 1, 0, 57, 55), dt.datetime(2024, 1, 1, 1, 3, 0, 250000)]
DROPOFFS = [dt.datetime(2024, 1, 1, 1, 17, 43), dt.datetime(2024, 1, 1, 1, 9, 0)]


def _yellow(types: dict[str, pa.DataType], airport_fee: str, **columns: list) -> pa.Table:
    """Two 2023/2024 yellow trips with the physical types given (the writer's choice)."""
    data = {
        "VendorID": [2, 1],
        "tpep_pickup_datetime": PICKUPS,
        "tpep_dropoff_datetime": DROPOFFS,
        "passenger_count": [1, None],
        "trip_distance": [1.72, 1.8],
        "RatecodeID": [1, None],
        "store_and_fwd_flag": ["N", None],
        "PULocationID": [186, 140],
        "DOLocationID": [79, 236],
        "payment_type": [2, 0],
        "fare_amount": [17.7, 10.0],
        "extra": [1.0, 3.5],
        "mta_tax": [0.5, 0.5],
        "tip_amount": [0.0, 3.75],
        "tolls_amount": [0.0, 0.0],
        "improvement_surcharge": [1.0, 1.0],
        "total_amount": [22.7, 18.75],
        "congestion_surcharge": [2.5, None],
        airport_fee: [0.0, None],
        **columns,
    }
    return pa.table({name: pa.array(values, types.get(name)) for name, values in data.items()})


# 2023: counts and codes as double, int64 ids, nanosecond timestamps (pandas' default).
TYPES_2023 = {
    "VendorID": pa.int64(),
    "tpep_pickup_datetime": pa.timestamp("ns"),
    "tpep_dropoff_datetime": pa.timestamp("ns"),
    "passenger_count": pa.float64(),
    "RatecodeID": pa.float64(),
    "store_and_fwd_flag": pa.string(),
    "PULocationID": pa.int64(),
    "DOLocationID": pa.int64(),
    "payment_type": pa.int64(),
}
# 2024: int32 ids, int64 counts, microsecond timestamps, large_string flags.
TYPES_2024 = {
    "VendorID": pa.int32(),
    "tpep_pickup_datetime": pa.timestamp("us"),
    "tpep_dropoff_datetime": pa.timestamp("us"),
    "passenger_count": pa.int64(),
    "RatecodeID": pa.int64(),
    "store_and_fwd_flag": pa.large_string(),
    "PULocationID": pa.int32(),
    "DOLocationID": pa.int32(),
    "payment_type": pa.int64(),
}

# A writer that keeps pandas' unsigned dtypes: every width of unsigned integer.
TYPES_UNSIGNED = {
    **TYPES_2024,
    "VendorID": pa.uint8(),
    "passenger_count": pa.uint8(),
    "RatecodeID": pa.uint16(),
    "PULocationID": pa.uint32(),
    "DOLocationID": pa.uint32(),
    "payment_type": pa.uint64(),
}


def _write(path: Path, table: pa.Table) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Parquet format 2.6 keeps nanosecond timestamps as such instead of coercing them.
    pq.write_table(table, path, version="2.6")
    return path.as_uri()


def _expected(source: str) -> list[tuple]:
    common = {"service": "yellow", "mta_tax": 0.5, "tolls_amount": 0.0}
    rows = [
        {
            "vendor_id": 2,
            "pickup_datetime": PICKUPS[0],
            "dropoff_datetime": DROPOFFS[0],
            "passenger_count": 1,
            "trip_distance": 1.72,
            "rate_code_id": 1,
            "store_and_fwd_flag": "N",
            "pu_location_id": 186,
            "do_location_id": 79,
            "payment_type": 2,
            "fare_amount": 17.7,
            "extra": 1.0,
            "tip_amount": 0.0,
            "improvement_surcharge": 1.0,
            "total_amount": 22.7,
            "congestion_surcharge": 2.5,
            "airport_fee": 0.0,
        },
        {
            "vendor_id": 1,
            "pickup_datetime": PICKUPS[1],
            "dropoff_datetime": DROPOFFS[1],
            "trip_distance": 1.8,
            "pu_location_id": 140,
            "do_location_id": 236,
            "payment_type": 0,
            "fare_amount": 10.0,
            "extra": 3.5,
            "tip_amount": 3.75,
            "improvement_surcharge": 1.0,
            "total_amount": 18.75,
        },
    ]
    return [(*({**common, **r}.get(n) for n in CANONICAL_NAMES), source) for r in rows]


def test_drifting_physical_types_load_as_the_same_canonical_values(spark, tmp_path):
    files = [
        _write(tmp_path / "yellow_tripdata_2023-01.parquet", _yellow(TYPES_2023, "airport_fee")),
        _write(tmp_path / "yellow_tripdata_2024-01.parquet", _yellow(TYPES_2024, "Airport_fee")),
        _write(
            tmp_path / "yellow_tripdata_2024-02.parquet", _yellow(TYPES_UNSIGNED, "Airport_fee")
        ),
    ]
    batch = parse_files(spark, files)
    assert batch.failed_files == []
    assert batch.unknown_columns == []
    actual = (
        valid_rows(batch.checked)
        .drop("pickup_date")
        .withColumn("source_file", sf.regexp_extract("source_file", r"([^/]+)$", 1))
    )
    expected = spark.createDataFrame(
        _expected("yellow_tripdata_2023-01.parquet")
        + _expected("yellow_tripdata_2024-01.parquet")
        + _expected("yellow_tripdata_2024-02.parquet"),
        # A new schema: StructType.add would change the shared CANONICAL_SCHEMA in place.
        StructType([*CANONICAL_SCHEMA.fields, StructField("source_file", StringType())]),
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_bad_parquet_rows_are_quarantined_with_their_values_as_strings(spark, tmp_path):
    table = pa.table(
        {
            "VendorID": pa.array([1, 3_000_000_000, 1, 1, 1], pa.int64()),
            "tpep_pickup_datetime": pa.array(
                [PICKUPS[0], PICKUPS[0], None, PICKUPS[0], PICKUPS[0]], pa.timestamp("us")
            ),
            "tpep_dropoff_datetime": pa.array([DROPOFFS[0]] * 5, pa.timestamp("us")),
            "passenger_count": pa.array([1.5, 1.0, 1.0, 12.0, 1.0]),
            "total_amount": pa.array([10.0, 10.0, 10.0, 10.0, float("nan")]),
        }
    )
    checked = parse_files(spark, [_write(tmp_path / "green_tripdata_2024-01.parquet", table)])
    actual = quarantined_rows(with_source_paths(checked.checked, tmp_path.as_uri()), "run-1")

    def rejected(vendor: str, pickup: str | None, passengers: str, total: str, line: str, reason):
        values = {
            "vendor_id": vendor,
            "pickup_datetime": pickup,
            "dropoff_datetime": "2024-01-01 01:17:43",
            "passenger_count": passengers,
            "total_amount": total,
            # The tpep_ column names say yellow, and the header wins over the file name.
            "service": "yellow",
        }
        source = "green_tripdata_2024-01.parquet"
        return (*(values.get(n) for n in CANONICAL_NAMES), line, reason, source, "run-1")

    pickup, dropoff = "2024-01-01 00:57:55", "2024-01-01 01:17:43"
    expected = spark.createDataFrame(
        [
            rejected("1", pickup, "1.5", "10.0", f"1,{pickup},{dropoff},1.5,10.0", "invalid_value"),
            rejected(
                "3000000000",
                pickup,
                "1.0",
                "10.0",
                f"3000000000,{pickup},{dropoff},1.0,10.0",
                "invalid_value",
            ),
            rejected("1", None, "1.0", "10.0", f"1,,{dropoff},1.0,10.0", "missing_pickup_datetime"),
            rejected(
                "1",
                pickup,
                "12.0",
                "10.0",
                f"1,{pickup},{dropoff},12.0,10.0",
                "passenger_count_out_of_range",
            ),
            rejected(
                "1", pickup, "1.0", "NaN", f"1,{pickup},{dropoff},1.0,NaN", "invalid_total_amount"
            ),
        ],
        QUARANTINE_SCHEMA,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_an_unreadable_parquet_file_is_reported_and_the_others_load(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "yellow_tripdata_2015-01.csv", [TLC_HEADER, trip_line()])
    _write(source / "yellow_tripdata_2024-01.parquet", _yellow(TYPES_2024, "Airport_fee"))
    (source / "yellow_tripdata_2024-02.parquet").write_bytes(b"PAR1 then the download broke")
    report = run(spark, source, output, full_refresh=False)

    assert (report.files_processed, report.rows_read, report.rows_written) == (3, 3, 3)
    [failed] = report.failed_files
    assert failed.path == "yellow_tripdata_2024-02.parquet"
    assert failed.reason.startswith("unreadable_file: ")
    assert "is not a Parquet file" in failed.reason
    written = json.loads((output / "_reports" / "latest.json").read_text())
    assert written["files_failed"] == 1
    assert written["failed_files"] == [{"path": failed.path, "reason": failed.reason}]


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


def test_parquet_strings_are_quarantined_as_they_are_never_as_bytes(spark, tmp_path):
    # Parquet strings are UTF-8 text already: the one-character-per-byte view of CSV input must
    # not touch them, whatever the case of the file's suffix.
    flags = ["\xe9", "\ufffdx"]
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0]] * 2, pa.timestamp("us")),
            "store_and_fwd_flag": pa.array(flags, pa.string()),
            "total_amount": pa.array([10.0, 10.0]),
        }
    )
    uri = _write(tmp_path / "YELLOW_TRIPDATA_2024-02.PARQUET", table)
    checked = parse_files(spark, [uri])
    actual = quarantined_rows(with_source_paths(checked.checked, tmp_path.as_uri()), "run-1")

    expected = spark.createDataFrame(
        [(flag, "invalid_value") for flag in flags],
        "store_and_fwd_flag string, reject_reason string",
    )
    assert_df_equality(
        actual.select("store_and_fwd_flag", "reject_reason"),
        expected,
        ignore_row_order=True,
        ignore_nullable=True,
    )


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
    schema = footer_schema(spark, _write(tmp_path / "types.parquet", table))

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
    uri = _write(tmp_path / "yellow_tripdata_2024-01.parquet", table)

    footer = read_footer(spark, uri)

    assert footer.layout is not None
    assert footer.layout.fields == (("tpep_pickup_datetime", "timestamp_ntz"), (name, "double"))


def test_unsigned_values_too_big_for_their_column_are_quarantined_as_written(spark, tmp_path):
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0]] * 3, pa.timestamp("us")),
            "PULocationID": pa.array([4_000_000_000, 5, 6], pa.uint32()),
            "payment_type": pa.array([1, 2**64 - 1, 2], pa.uint64()),
            "total_amount": pa.array([10.0] * 3),
        }
    )
    batch = parse_files(spark, [_write(tmp_path / "yellow_tripdata_2024-03.parquet", table)])

    assert batch.failed_files == []
    pickup = "2024-01-01 00:57:55"
    assert_df_equality(
        quarantined_rows(batch.checked, "run-1").select(
            "pu_location_id", "payment_type", "reject_reason"
        ),
        spark.createDataFrame(
            [("4000000000", "1", "invalid_value"), ("5", str(2**64 - 1), "invalid_value")],
            "pu_location_id string, payment_type string, reject_reason string",
        ),
        ignore_row_order=True,
        ignore_nullable=True,
    )
    assert_df_equality(
        valid_rows(batch.checked).select("pickup_datetime", "pu_location_id", "payment_type"),
        spark.createDataFrame(
            [(dt.datetime.fromisoformat(pickup), 6, 2)],
            "pickup_datetime timestamp, pu_location_id int, payment_type int",
        ),
        ignore_nullable=True,
    )


@pytest.mark.parametrize("with_csv", [False, True])
def test_only_a_batch_with_text_input_decodes_its_rejected_strings(
    spark, tmp_path, monkeypatch, with_csv
):
    # Parquet strings are kept as they are whatever the batch holds; a batch of Parquet files
    # only leaves the decoding of text lines out of its quarantine's plan.
    shaped: list = []

    def spy(*args, **kwargs):
        shaped.append(quarantine_shape(*args, **kwargs))
        return shaped[-1]

    monkeypatch.setattr(pipeline, "quarantine_shape", spy)
    source, output = tmp_path / "in", tmp_path / "out"
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0]] * 3, pa.timestamp("us")),
            "store_and_fwd_flag": pa.array(["\xe9", "\ufffdx", "N"], pa.string()),
            "total_amount": pa.array([10.0, 10.0, float("nan")]),
        }
    )
    _write(source / "yellow_tripdata_2024-02.parquet", table)
    if with_csv:
        write_csv(source / "yellow_tripdata_2015-01.csv", [TLC_HEADER, trip_line()])

    run(spark, source, output, full_refresh=False)

    [frame] = shaped
    plan = str(frame._jdf.queryExecution().optimizedPlan().toString())
    assert ("decode(" in plan) is with_csv
    assert_df_equality(
        spark.read.parquet(str(output / "quarantine")).select(
            "store_and_fwd_flag", "total_amount", "reject_reason"
        ),
        spark.createDataFrame(
            [
                ("\xe9", "10.0", "invalid_value"),
                ("\ufffdx", "10.0", "invalid_value"),
                ("N", "NaN", "invalid_total_amount"),
            ],
            "store_and_fwd_flag string, total_amount string, reject_reason string",
        ),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_single_precision_amounts_keep_the_decimals_they_were_written_with(spark, tmp_path):
    # pandas' float32, chosen to halve a file: 11.85 is stored as the float nearest to it.
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array(PICKUPS, pa.timestamp("us")),
            "trip_distance": pa.array([1.72, 0.1], pa.float32()),
            "total_amount": pa.array([11.85, float("inf")], pa.float32()),
        }
    )
    batch = parse_files(spark, [_write(tmp_path / "yellow_tripdata_2024-01.parquet", table)])
    actual = batch.checked.select("trip_distance", "total_amount", "reject_reason")
    expected = spark.createDataFrame(
        [(1.72, 11.85, None), (0.1, None, "invalid_total_amount")],
        "trip_distance double, total_amount double, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_column_named_in_two_cases_takes_each_rows_value_from_either(spark, tmp_path):
    # pandas' concat of a 2023 file (`airport_fee`, nanosecond times) and a 2024 one
    # (`Airport_fee`), whose times pandas also keeps under two names when they differ in case;
    # values of two types are checked as strings, so 2.5 passengers is no 2.
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([PICKUPS[0], None], pa.timestamp("ns")),
            "TPEP_PICKUP_DATETIME": pa.array([None, PICKUPS[1]], pa.timestamp("us")),
            "total_amount": [14.0, 15.0],
            "airport_fee": pa.array([1.75, None], pa.float64()),
            "Airport_fee": pa.array([None, 1], pa.int64()),
            "passenger_count": pa.array([1, None], pa.int64()),
            "Passenger_count": pa.array([None, 2.5], pa.float64()),
        }
    )
    batch = parse_files(spark, [_write(tmp_path / "yellow_tripdata_2023-2024.parquet", table)])
    actual = batch.checked.select(
        "pickup_datetime", "total_amount", "airport_fee", "passenger_count", "reject_reason"
    )
    expected = spark.createDataFrame(
        [(PICKUPS[0], 14.0, 1.75, 1, None), (PICKUPS[1], 15.0, 1.0, None, "invalid_value")],
        "pickup_datetime timestamp, total_amount double, airport_fee double,"
        " passenger_count int, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_boolean_store_and_forward_flag_loads_as_y_and_n(spark, tmp_path):
    # A writer that turned the TLC's Y/N into a boolean column.
    table = pa.table(
        {
            "tpep_pickup_datetime": pa.array([*PICKUPS, PICKUPS[0]], pa.timestamp("us")),
            "total_amount": [14.0, 15.0, 16.0],
            "store_and_fwd_flag": pa.array([True, False, None], pa.bool_()),
        }
    )
    batch = parse_files(spark, [_write(tmp_path / "yellow_tripdata_2024-01.parquet", table)])
    actual = batch.checked.select("total_amount", "store_and_fwd_flag", "reject_reason")
    expected = spark.createDataFrame(
        [(14.0, "Y", None), (15.0, "N", None), (16.0, None, None)],
        "total_amount double, store_and_fwd_flag string, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


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
    batch = parse_files(spark, [_write(tmp_path / "yellow_tripdata_2024-01.parquet", table)])
    assert batch.unknown_columns == ["fare_notes", "meter", "zone_names"]
    assert [row.total_amount for row in valid_rows(batch.checked).collect()] == [14.0]


def test_a_date_without_a_time_is_quarantined_as_in_csv_not_read_as_midnight(spark, tmp_path):
    # Read as midnight, trips of one vendor between two zones on one day would share their
    # dedupe keys, and all but one would be dropped as duplicates.
    day = dt.date(2024, 1, 15)
    dropoffs = pa.array([day, day], pa.date32())
    dated = pa.table(
        {
            "VendorID": pa.array([2, 2], pa.int32()),
            "tpep_pickup_datetime": pa.array([day, day], pa.date32()),
            "tpep_dropoff_datetime": dropoffs,
            "total_amount": [21.5, 14.3],
        }
    )
    timed = dated.set_column(
        1, "tpep_pickup_datetime", pa.array([PICKUPS[0], PICKUPS[1]], pa.timestamp("us"))
    )
    files = [
        _write(tmp_path / "yellow_tripdata_2024-01.parquet", dated),
        _write(tmp_path / "yellow_tripdata_2024-02.parquet", timed),
    ]
    batch = parse_files(spark, files)
    actual = batch.checked.select("total_amount", "pickup_datetime", "reject_reason")
    expected = spark.createDataFrame(
        [
            (21.5, None, "invalid_pickup_datetime"),
            (14.3, None, "invalid_pickup_datetime"),
            (21.5, PICKUPS[0], "invalid_value"),
            (14.3, PICKUPS[1], "invalid_value"),
        ],
        "total_amount double, pickup_datetime timestamp, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_service_column_names_each_rows_service_where_no_tpep_or_lpep_name_does(spark, tmp_path):
    # The job's own curated trips read back: canonical names, a `service` column, part files.
    curated = pa.table(
        {
            "pickup_datetime": pa.array([PICKUPS[0]] * 5, pa.timestamp("us")),
            "total_amount": [1.0, 2.0, 3.0, 4.0, 5.0],
            "service": ["green", "yellow", " Green", "fhv", None],
        }
    )
    named = curated.rename_columns(["lpep_pickup_datetime", "total_amount", "service"])
    files = [
        _write(tmp_path / "trips" / "part-00000-c000.snappy.parquet", curated),
        _write(tmp_path / "yellow_tripdata_2024-01.parquet", curated.slice(4)),
        _write(tmp_path / "green_tripdata_2024-01.parquet", named.slice(1, 1)),
    ]
    batch = parse_files(spark, files)
    actual = batch.checked.select("total_amount", "service", "reject_reason")
    expected = spark.createDataFrame(
        [
            (1.0, "green", None),
            (2.0, "yellow", None),
            (3.0, "green", None),
            (4.0, None, None),
            (5.0, None, None),
            # No service in the column: the file name's.
            (5.0, "yellow", None),
            # An lpep_ header names the service whatever the column says.
            (2.0, "green", None),
        ],
        "total_amount double, service string, reject_reason string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


@pytest.mark.parametrize(
    ("options", "hint"),
    [
        ({"compression": "brotli"}, "brotli compression, which Spark cannot read"),
        (
            {"use_dictionary": False, "use_byte_stream_split": True},
            "BYTE_STREAM_SPLIT encoding, which Spark cannot read",
        ),
    ],
)
def test_a_parquet_file_spark_cannot_decode_is_reported_with_what_to_change(
    spark, tmp_path, options, hint
):
    table = pa.table(
        {"tpep_pickup_datetime": pa.array([PICKUPS[0]], pa.timestamp("us")), "total_amount": [1.0]}
    )
    path = tmp_path / "yellow_tripdata_2024-01.parquet"
    pq.write_table(table, path, **options)
    # The check a run makes of each file when its batch fails.
    [failed] = unreadable_files(spark, [path.as_uri()])
    assert failed.reason.startswith(f"unreadable_file: {hint}"), failed.reason


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
    _write(root / "year=2024" / "VendorID=1" / "store_and_fwd_flag=N" / "kept.parquet", kept)

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
    _write(root / "VendorID=2" / "yellow_tripdata_2024-01.parquet", table)
    run(spark, root, tmp_path / "out", full_refresh=True)
    trips = spark.read.parquet(str(tmp_path / "out" / "trips"))
    assert [tuple(r) for r in trips.select("vendor_id", "payment_type").collect()] == [(2, None)]
    # An input that is the file itself has no folder below it.
    # (URIs as Hadoop spells them, not percent-encoded.)
    file = f"file:{root}/VendorID=2/yellow_tripdata_2024-01.parquet"
    assert folder_values(file, ["total_amount"], file) == ()
    assert folder_values(file, ["total_amount"], f"file:{root}") == (("vendor_id", "2"),)
