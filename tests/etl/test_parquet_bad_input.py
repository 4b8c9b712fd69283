"""Bad Parquet input: rows quarantined with their values as strings, files that cannot be read
reported with the reason and the others loaded."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from chispa import assert_df_equality

from etl import pipeline
from etl.batch_read import parse_files, unreadable_files
from etl.local import run
from etl.quarantine import quarantine_shape, quarantined_rows
from etl.schema import CANONICAL_NAMES, QUARANTINE_SCHEMA
from tests.etl.helpers import TLC_HEADER, trip_line, with_source_paths, write_csv
from tests.etl.parquet_tables import (
    DROPOFFS,
    PICKUPS,
    TYPES_2024,
    write_parquet,
    yellow_table,
)


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
    checked = parse_files(
        spark, [write_parquet(tmp_path / "green_tripdata_2024-01.parquet", table)]
    )
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
    write_parquet(source / "yellow_tripdata_2024-02.parquet", table)
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


def test_an_unreadable_parquet_file_is_reported_and_the_others_load(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "yellow_tripdata_2015-01.csv", [TLC_HEADER, trip_line()])
    write_parquet(
        source / "yellow_tripdata_2024-01.parquet", yellow_table(TYPES_2024, "Airport_fee")
    )
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
