"""Files that cannot be read never stop a run: they are reported, recorded as failed, and tried
again only when they change or when asked to."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from chispa import assert_df_equality

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

    assert main(["--input", str(source), "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    report = json.loads((output / "_reports" / "latest.json").read_text())

    failed = {f["path"]: f["reason"] for f in report["failed_files"]}
    assert sorted(failed) == ["cut.csv.gz", "not_gzip.csv.gz", "yellow_tripdata_2024-01.parquet"]
    assert failed["cut.csv.gz"] == "unreadable_file: EOFException: Unexpected end of input stream"
    assert failed["not_gzip.csv.gz"] == "unreadable_file: IOException: not a gzip file"
    assert "is not a Parquet file" in failed["yellow_tripdata_2024-01.parquet"]
    assert report["files_failed"] == 3
    assert report["skipped_files"] == [
        {"path": "trips.zip", "reason": "unsupported_file_type: reads only .csv, .csv.gz, .parquet"}
    ]
    assert report["files_skipped"] == 1
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
