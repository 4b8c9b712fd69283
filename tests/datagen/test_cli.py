"""`python -m datagen`: the sample and big commands, and usage errors."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from datagen.__main__ import main


def test_big_writes_files_and_manifest(tmp_path, capsys):
    assert (
        main(["big", "--rows", "1000", "--out", str(tmp_path), "--files", "3", "--seed", "1"]) == 0
    )

    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "_manifest.json",
        "yellow_tripdata_part-00000.csv",
        "yellow_tripdata_part-00001.csv",
        "yellow_tripdata_part-00002.csv",
    ]
    manifest = json.loads((tmp_path / "_manifest.json").read_text())
    assert [f["rows"] for f in manifest["files"]] == [334, 333, 333]
    assert manifest["seed"] == 1
    assert manifest["defect_rate"] == 0.02
    lines = [len((tmp_path / f["path"]).read_text().splitlines()) for f in manifest["files"]]
    assert lines == [335, 334, 334]
    out = capsys.readouterr().out
    assert "wrote 3 files, 1000 rows" in out
    assert f"written {manifest['expected']['rows_written']}" in out


def test_sample_command_writes_readme_and_manifest(tmp_path):
    assert main(["sample", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "README.md").is_file()
    manifest = json.loads((tmp_path / "_manifest.json").read_text())
    assert manifest["rows"] == 5500
    assert (tmp_path / "eras" / "parquet" / "yellow_tripdata_2024-01.parquet").is_file()


@pytest.mark.parametrize(
    ("options", "era", "types"),
    [
        (["--format", "parquet"], "yellow_2024", ("int32", "large_string")),
        (["--era", "yellow_2023"], "yellow_2023", ("int64", "string")),
        (["--format", "parquet", "--era", "green_2024"], "green_2024", ("int32", "large_string")),
    ],
)
def test_big_writes_parquet_of_an_era(tmp_path, options, era, types):
    assert main(["big", "--rows", "500", "--out", str(tmp_path), "--files", "2", *options]) == 0

    manifest = json.loads((tmp_path / "_manifest.json").read_text())
    assert {f["era"] for f in manifest["files"]} == {era}
    first = tmp_path / manifest["files"][0]["path"]
    assert first.suffix == ".parquet"
    schema = pq.read_schema(first)
    assert (str(schema.field("VendorID").type), str(schema.field("store_and_fwd_flag").type)) == (
        types
    )
    assert sum(pq.read_metadata(tmp_path / f["path"]).num_rows for f in manifest["files"]) == 500


def test_era_of_another_format_is_a_usage_error(tmp_path, capsys):
    argv = [
        "big",
        "--rows",
        "10",
        "--out",
        str(tmp_path),
        "--format",
        "csv",
        "--era",
        "yellow_2024",
    ]
    assert main(argv) == 2
    assert capsys.readouterr().err == "datagen: era yellow_2024 is parquet, not csv\n"


def test_invalid_values_exit_2_with_one_line(tmp_path, capsys):
    assert main(["big", "--rows", "10", "--files", "0", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert (
        err == "datagen: need rows >= 0, files >= 1, days >= 1, workers >= 1 (got 10, 0, 31, 2)\n"
    )


def test_missing_required_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["big", "--out", "x"])
    assert exit_info.value.code == 2
    assert "--rows" in capsys.readouterr().err
