"""The bundled sample: committed files are what the generator makes, with every promised quirk."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen import DefectKind, write_sample
from datagen.eras import YELLOW_2015_HEADER
from datagen.sample import ERA_SPECS, GROUPS, MANIFEST_NAME, SAMPLE_SPECS
from etl.contract import SIMPLIFIED_HEADER
from tests.datagen.checker import Checker

COMMITTED = Path(__file__).resolve().parents[2] / "data" / "sample"
YELLOW = ",".join(YELLOW_2015_HEADER)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    return out, write_sample(out)


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _without_parquet_sizes(manifest: str) -> dict:
    # Parquet bytes carry the writing library's version; their values and types are compared.
    document = json.loads(manifest)
    for f in document["files"]:
        if f["format"] == "parquet":
            del f["size_bytes"]
    return document


def test_committed_sample_is_exactly_what_the_generator_makes(fresh):
    out, _ = fresh
    assert _files(COMMITTED) == _files(out)
    for name in sorted(_files(out)):
        if name.endswith(".parquet"):
            committed, made = pq.read_table(COMMITTED / name), pq.read_table(out / name)
            assert committed.schema.equals(made.schema), name
            assert committed.equals(made), name
        elif name == MANIFEST_NAME:
            committed_manifest = (COMMITTED / name).read_text()
            made_manifest = (out / name).read_text()
            assert _without_parquet_sizes(committed_manifest) == _without_parquet_sizes(
                made_manifest
            )
        else:
            assert (COMMITTED / name).read_bytes() == (out / name).read_bytes(), name


def test_sample_is_small_nested_and_spans_several_dates(fresh):
    out, generated = fresh
    assert 4000 <= generated.rows <= 6000
    assert sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) < 1_000_000
    assert {Path(f.path).parts[0] for f in generated.files} == {"2015", "edge_cases", "eras"}
    assert all(100 <= f.rows <= 300 for f in generated.files if f.path.startswith("eras/"))
    checker = Checker()
    trips = [t for f in generated.files[:7] for t in checker.check(out / f.path).kept]
    assert {t.values["pickup_datetime"].date() for t in trips} >= {
        date(2015, 1, d) for d in range(1, 7)
    }


def test_quirky_files_have_their_quirks(fresh):
    out, _ = fresh
    base = out / "2015" / "01"

    packed = (base / "yellow_tripdata_2015-01-02.csv.gz").read_bytes()
    assert packed[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed).decode().splitlines()[0] == YELLOW

    bom_crlf = (base / "windows_export" / "yellow_tripdata_2015-01-06_bom_crlf.csv").read_bytes()
    assert bom_crlf.startswith(b"\xef\xbb\xbf" + YELLOW.encode() + b"\r\n")
    assert bom_crlf.count(b"\n") == bom_crlf.count(b"\r\n") == 401

    extra = (base / "yellow_tripdata_2015-01-03_extra_column.csv").read_text().splitlines()
    assert extra[0] == YELLOW.replace("VendorID,", "VendorID,medallion,")
    assert all(re.fullmatch(r"[0-9A-F]{16}", line.split(",")[1]) for line in extra[1:])

    simplified = (base / "seed_format" / "trips_2015-01-04.csv").read_text().splitlines()[0]
    assert simplified == ",".join(SIMPLIFIED_HEADER)
    assert simplified.startswith("vendor_id,pickup_datetime,dropoff_datetime,passenger_count,")
    assert simplified.endswith(",improvement_surcharge,total_amount")

    alt = (base / "yellow_tripdata_2015-01-05_alt_timestamps.csv").read_text()
    assert len(re.findall(r",2015-01-05T\d\d:\d\d:\d\d,", alt)) > 100
    assert len(re.findall(r",01/05/2015 \d\d:\d\d:\d\d [AP]M,", alt)) > 100
    assert not re.search(r",2015-01-05 \d\d:\d\d:\d\d,", alt.split("\n", 1)[1])

    edge = out / "edge_cases"
    assert (edge / "zero_byte.csv").read_bytes() == b""
    assert (edge / "header_only.csv").read_text() == YELLOW + "\n"
    missing = (edge / "missing_total_amount.csv").read_text().splitlines()
    assert missing[0] == YELLOW.removesuffix(",total_amount")
    assert len(missing) == 101


def test_sample_manifest_matches_an_independent_read(fresh):
    out, generated = fresh
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    checker = Checker()
    for f, entry in zip(generated.files, manifest["files"], strict=True):
        if f.path.startswith("eras/"):
            checker = Checker()  # each era file holds its own duplicates' originals
        found = checker.check(out / f.path)
        expected = entry["expected"]
        assert found.rows == expected["rows_read"] == f.rows, f.path
        assert dict(found.reasons) == expected["reasons"], f.path
        assert sum(found.duplicates.values()) == expected["duplicates_dropped"], f.path
        assert len(found.kept) == expected["rows_written"], f.path
        assert dict(found.duplicates) == {
            k: n for k, n in f.defects.items() if k.endswith("_duplicate")
        }, f.path
    assert set(generated.defects) == {k.value for k in DefectKind}


def test_manifest_states_figures_per_folder_group(fresh):
    out, generated = fresh
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    groups = manifest["groups"]
    assert {name: g["folders"] for name, g in groups.items()} == {
        name: list(folders) for name, folders in GROUPS.items()
    }
    for name, group in groups.items():
        files = [f for f in manifest["files"] if f["path"].split("/")[0] in group["folders"]]
        figures = group["expected"]
        for key in ("rows_read", "rows_quarantined", "duplicates_dropped", "rows_written"):
            assert figures[key] == sum(f["expected"][key] for f in files), (name, key)
        assert figures["rows_quarantined"] == sum(figures["reasons"].values())
        assert figures["rows_read"] == (
            figures["rows_written"] + figures["rows_quarantined"] + figures["duplicates_dropped"]
        )
    # Tests that load 2015/ and edge_cases/ batch by batch read the top-level figures.
    assert manifest["expected"] == groups["2015"]["expected"]
    assert groups["2015"]["expected"]["rows_read"] == 3300
    assert groups["2015"]["expected"]["reasons"]["missing_required_column"] == 100
    assert groups["all"]["expected"]["rows_read"] == generated.rows
    services = {f["path"]: f["service"] for f in manifest["files"]}
    assert services["eras/2019/green_tripdata_2019-02.csv"] == "green"
    assert services["eras/open_data/2019_Yellow_Taxi_Trip_Data.csv"] == "yellow"
    assert services["eras/seed_tutorial/trips_2015-02-10.csv"] is None
    assert services["2015/01/seed_format/trips_2015-01-04.csv"] is None
    unknown = {f["path"]: f["unknown_columns"] for f in manifest["files"] if f["unknown_columns"]}
    assert unknown == {"2015/01/yellow_tripdata_2015-01-03_extra_column.csv": ["medallion"]}


def test_late_file_adds_to_a_written_date_and_repeats_earlier_trips(fresh):
    out, generated = fresh
    checker = Checker()
    for f in generated.files[:6]:
        checker.check(out / f.path)
    late = checker.check(out / "2015/02/late/yellow_tripdata_2015-01-01_late.csv")

    assert set(late.duplicates) == {"exact_duplicate", "key_duplicate"}
    assert all(n >= 10 for n in late.duplicates.values())
    assert not late.reasons
    assert len(late.kept) == 200 - sum(late.duplicates.values())
    assert {t.values["pickup_datetime"].date() for t in late.kept} == {date(2015, 1, 1)}


def test_every_era_file_is_in_the_sample_on_its_own_dates(fresh):
    out, generated = fresh
    by_path = {f.path: f for f in generated.files}
    for spec, start in ERA_SPECS:
        f = by_path[spec.path]
        assert (f.era, f.rows) == (spec.era, spec.rows)
        dates = {t.values["pickup_datetime"].date() for t in Checker().check(out / f.path).kept}
        assert min(dates) == start, spec.path
        assert (max(dates) - start).days < spec.days


def test_readme_lists_every_file_reason_and_figure(fresh):
    out, generated = fresh
    readme = (out / "README.md").read_text()
    assert "python -m datagen sample --out data/sample" in readme
    for spec, f in zip(SAMPLE_SPECS, generated.files, strict=False):
        assert f"| `{spec.path}` | {f.era} | {f.rows} |" in readme
    for spec, _ in ERA_SPECS:
        assert f"| `{spec.path}` | {spec.era} | {spec.rows} |" in readme
    for kind in DefectKind:
        assert f"| `{kind}` |" in readme
    assert "| `invalid_total_amount` | quarantined, reason `invalid_total_amount` |" in readme
    assert "| `key_duplicate` | dropped: counted in `duplicates_dropped` |" in readme
    figures = generated.expected
    assert (
        f"| `2015/`, `edge_cases/`, `eras/` | {figures['rows_read']} | "
        f"{figures['rows_quarantined']} | {figures['duplicates_dropped']} | "
        f"{figures['rows_written']} |"
    ) in readme
