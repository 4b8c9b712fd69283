"""`python -m datagen`: the sample and big commands, and usage errors."""

from __future__ import annotations

import json

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
    assert json.loads((tmp_path / "_manifest.json").read_text())["rows"] == 3300


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
