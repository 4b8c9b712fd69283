"""Files that cannot be read never stop a run: they are reported, recorded as failed, and tried
again only when they change or when asked to."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from chispa import assert_df_equality

from etl import batch_read
from etl.layout import HeaderScan
from etl.local import main, run
from etl.schema import TRIPS_SCHEMA
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv


def _gzip(lines: list[str]) -> bytes:
    return gzip.compress("".join(f"{line}\n" for line in lines).encode())


def _state(output: Path) -> dict[str, tuple[str, str]]:
    document = json.loads((output / "_state" / "processed_files.json").read_text())
    return {f["path"]: (f["status"], f["reason"].split(":")[0]) for f in document["files"]}


def test_poison_files_beside_good_files_over_several_runs(spark, tmp_path, capsys):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "good.csv", [TLC_HEADER, trip_line()])
    pickups = [f"2015-01-15 00:{i // 60:02d}:{i % 60:02d}" for i in range(2000)]
    many = [TLC_HEADER] + [trip_line(pickup_datetime=p) for p in pickups]
    whole = _gzip(many)
    (source / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    (source / "not_gzip.csv.gz").write_bytes(b"VendorID,total_amount\n1,2\n")
    (source / "yellow_tripdata_2024-01.parquet").write_bytes(b"PAR1 and then nothing")
    write_csv(source / "long_first_line.csv", ["x" * 200_000, trip_line()])
    write_csv(source / "unknown_header.csv", ["medallion,hack_license", "89D2,BA96"])
    (source / "trips.zip").write_bytes(b"PK")
    # For-hire vehicle trips, published beside the taxi trips: no total_amount, never opened.
    (source / "fhv" / "fhvhv_tripdata_2024-01.parquet").parent.mkdir()
    (source / "fhv" / "fhvhv_tripdata_2024-01.parquet").write_bytes(b"PAR1 20 million rows")
    write_csv(source / "FHV_tripdata_2019-01.csv", ["dispatching_base_num,pickup_datetime"])
    # The TLC's zone lookup table, often downloaded into the same folder, under the name its
    # old address gave it: reference data, not 265 trips to quarantine.
    write_csv(
        source / "taxi+_zone_lookup.csv",
        ['"LocationID","Borough","Zone","service_zone"', '1,"EWR","Newark Airport","EWR"'],
    )

    assert main(["--input", str(source), "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    report = json.loads((output / "_reports" / "latest.json").read_text())

    failed = {f["path"]: f["reason"] for f in report["failed_files"]}
    assert sorted(failed) == ["cut.csv.gz", "not_gzip.csv.gz", "yellow_tripdata_2024-01.parquet"]
    assert failed["cut.csv.gz"] == "unreadable_file: EOFException: Unexpected end of input stream"
    assert failed["not_gzip.csv.gz"] == "unreadable_file: IOException: not a gzip file"
    assert "is not a Parquet file" in failed["yellow_tripdata_2024-01.parquet"]
    assert report["files_failed"] == 3
    for_hire = "for_hire_vehicle_trips: no total_amount; the job loads yellow and green taxi trips"
    assert report["skipped_files"] == [
        {"path": "FHV_tripdata_2019-01.csv", "reason": for_hire},
        {"path": "fhv/fhvhv_tripdata_2024-01.parquet", "reason": for_hire},
        {
            "path": "taxi+_zone_lookup.csv",
            "reason": "taxi_zone_lookup: the TLC's table of taxi zones, not trips",
        },
        {
            "path": "trips.zip",
            "reason": "unsupported_file_type: reads only .csv, .csv.gz, .parquet",
        },
    ]
    assert report["files_skipped"] == 4
    # The good file loads; the long line and the unknown header's row are quarantined.
    assert (report["rows_read"], report["rows_written"]) == (4, 1)
    assert report["reasons"] == {"missing_header": 2, "missing_required_column": 1}
    assert report["unknown_columns"] == ["hack_license", "medallion"]
    assert "cut.csv.gz" in printed
    assert not (output / "_staging").exists()
    assert _state(output) == {
        "cut.csv.gz": ("failed", "unreadable_file"),
        "good.csv": ("loaded", ""),
        "long_first_line.csv": ("loaded", ""),
        "not_gzip.csv.gz": ("failed", "unreadable_file"),
        "unknown_header.csv": ("loaded", ""),
        "yellow_tripdata_2024-01.parquet": ("failed", "unreadable_file"),
    }

    # The next run is clean: failed files are not tried again while they are unchanged.
    quiet = run(spark, source, output, full_refresh=False)
    assert (quiet.files_processed, quiet.failed_files) == (0, [])

    # A failed file that changes (the download completed) is read like any new file.
    (source / "cut.csv.gz").write_bytes(whole)
    fixed = run(spark, source, output, full_refresh=False)
    assert (fixed.files_processed, fixed.files_failed) == (1, 0)
    assert (fixed.rows_read, fixed.rows_written, fixed.duplicates_dropped) == (2000, 2000, 0)
    assert _state(output)["cut.csv.gz"] == ("loaded", "")

    # Asked to, a run tries the other failed files again; still broken, they stay failed.
    retried = run(spark, source, output, full_refresh=False, retry_failed=True)
    assert sorted(f.path for f in retried.failed_files) == [
        "not_gzip.csv.gz",
        "yellow_tripdata_2024-01.parquet",
    ]
    assert retried.files_processed == 2
    trips = spark.read.schema(TRIPS_SCHEMA).parquet(str(output / "trips"))
    assert_df_equality(
        trips.groupBy("source_file").count(),
        spark.createDataFrame(
            [("good.csv", 1), ("cut.csv.gz", 2000)], "source_file string, count long"
        ),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_file_names_spark_would_read_as_patterns_load_as_named(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    names = {
        # A browser's second download of a file, and names holding Hadoop's other glob syntax.
        "yellow_tripdata_2015-01[1].csv": "2015-01-01 10:00:00",
        "yellow_tripdata_2015-01{2}.csv": "2015-01-02 10:00:00",
        # As a pattern this would also match the next file: its rows would be read twice.
        "yellow_tripdata_2015-0?.csv": "2015-01-03 10:00:00",
        "yellow_tripdata_2015-01.csv": "2015-01-04 10:00:00",
    }
    for name, pickup in names.items():
        write_csv(source / name, [TLC_HEADER, trip_line(pickup_datetime=pickup)])
    pq.write_table(
        pa.table({"tpep_pickup_datetime": [dt.datetime(2015, 1, 5, 10)], "total_amount": [9.5]}),
        source / "yellow_tripdata_2015-01[2].parquet",
    )

    report = run(spark, source, output, full_refresh=False)

    assert (report.failed_files, report.rows_read, report.rows_written) == ([], 5, 5)
    trips = spark.read.parquet(str(output / "trips")).select("source_file", "pickup_datetime")
    expected = spark.createDataFrame(
        [(name, dt.datetime.fromisoformat(pickup)) for name, pickup in names.items()]
        + [("yellow_tripdata_2015-01[2].parquet", dt.datetime(2015, 1, 5, 10))],
        "source_file string, pickup_datetime timestamp",
    )
    assert_df_equality(trips, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_file_whose_read_cannot_be_planned_is_reported_and_the_others_load(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "yellow_tripdata_2015-01.csv", [TLC_HEADER, trip_line()])
    # Two columns of one name, which Spark's reader refuses (pyarrow writes them).
    columns = {
        "tpep_pickup_datetime": pa.array([dt.datetime(2024, 1, 1, 10)] * 2),
        "total_amount": pa.array([9.5, 10.5]),
        "Airport_fee": pa.array([1.75, None]),
    }
    pq.write_table(
        pa.Table.from_arrays(
            [*columns.values(), pa.array([None, 1.75])], [*columns, "Airport_fee"]
        ),
        source / "yellow_tripdata_2023-2024.parquet",
    )

    report = run(spark, source, output, full_refresh=False)

    assert (report.rows_read, report.rows_written) == (1, 1)
    [failed] = report.failed_files
    assert failed.path == "yellow_tripdata_2023-2024.parquet"
    assert failed.reason.startswith("unreadable_file: AnalysisException: ")
    assert "Airport_fee" in failed.reason


def test_gzip_and_utf16_data_read_as_text_are_reported_and_late_headers_are_found(spark, tmp_path):
    source, output = tmp_path / "in", tmp_path / "out"
    packed = _gzip([TLC_HEADER, trip_line(pickup_datetime="2015-01-01 10:00:00")])
    (source / "yellow_tripdata_2015-01.CSV.GZ").parent.mkdir(parents=True)
    (source / "yellow_tripdata_2015-01.CSV.GZ").write_bytes(packed)
    (source / "yellow_tripdata_2015-02.csv").write_bytes(packed)
    write_csv(
        source / "yellow_tripdata_2015-03.csv",
        [""] * 150 + [TLC_HEADER, trip_line(pickup_datetime="2015-01-03 10:00:00")],
    )
    # Excel's "Unicode Text": UTF-16 behind its byte order mark, CRLF line ends.
    text = f"{TLC_HEADER}\r\n{trip_line()}\r\n"
    (source / "yellow_tripdata_2015-04.csv").write_bytes(text.encode("utf-16"))

    report = run(spark, source, output, full_refresh=False)

    assert (report.rows_read, report.rows_written) == (1, 1)
    assert [(f.path, f.reason.split(",")[0]) for f in report.failed_files] == [
        ("yellow_tripdata_2015-01.CSV.GZ", "unreadable_file: MisnamedGzipError: gzip data in"
         " yellow_tripdata_2015-01.CSV.GZ"),
        ("yellow_tripdata_2015-02.csv", "unreadable_file: MisnamedGzipError: gzip data in"
         " yellow_tripdata_2015-02.csv"),
        ("yellow_tripdata_2015-04.csv", "unreadable_file: Utf16TextError: UTF-16 text in"
         " yellow_tripdata_2015-04.csv (it starts with a UTF-16 byte order mark):"
         " the job reads UTF-8; save the file as UTF-8"),
    ]  # fmt: skip
    assert _state(output)["yellow_tripdata_2015-03.csv"] == ("loaded", "")


@pytest.mark.parametrize(
    "victim", ["yellow_tripdata_2015-02.csv", "yellow_tripdata_2024-01.parquet"]
)
def test_a_file_deleted_after_its_header_was_read_is_reported_and_the_others_load(
    spark, tmp_path, monkeypatch, victim
):
    # Gone between the header or footer reads and the pass (raw files expiring, a user
    # cleaning up): the pass fails on it, and the file alone must be found to blame.
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "yellow_tripdata_2015-01.csv", [TLC_HEADER, trip_line()])
    write_csv(source / "yellow_tripdata_2015-02.csv", [TLC_HEADER, trip_line(vendor_id="2")])
    columns = {"tpep_pickup_datetime": [dt.datetime(2024, 1, 1, 10)], "total_amount": [9.5]}
    pq.write_table(pa.table(columns), source / "yellow_tripdata_2024-01.parquet")
    reader = "read_footers" if victim.endswith(".parquet") else "read_first_lines"
    original = getattr(batch_read, reader)

    def read_then_lose(*args, **kwargs):
        read = original(*args, **kwargs)
        (source / victim).unlink(missing_ok=True)
        return read

    monkeypatch.setattr(batch_read, reader, read_then_lose)

    report = run(spark, source, output, full_refresh=False)

    assert (report.rows_read, report.rows_written) == (2, 2)
    [failed] = report.failed_files
    assert failed.path == victim
    assert failed.reason.startswith("unreadable_file: ")


def test_headers_that_cannot_be_read_from_files_still_there_blame_no_file(
    spark, tmp_path, monkeypatch
):
    # Access lost while a batch is checked (throttling, a revoked key) fails every header read
    # alike. No file is to blame: the run must fail and be run again, not record every file as
    # failed, never to be read again until it changes.
    names = ["yellow_tripdata_2015-01.csv", "yellow_tripdata_2015-02.csv"]
    uris = [write_csv(tmp_path / name, [TLC_HEADER, trip_line()]).as_uri() for name in names]
    monkeypatch.setattr(
        batch_read,
        "read_first_lines",
        lambda files, head: HeaderScan([], [(u, "denied") for u in files]),
    )

    assert batch_read.unreadable_files(spark, uris) == []
