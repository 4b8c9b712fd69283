"""The bundled sample: committed bytes are what the generator makes, with every promised quirk."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from pathlib import Path

import pytest

from datagen import DefectKind, write_sample
from datagen.generate import SIMPLIFIED_HEADER
from datagen.sample import MANIFEST_NAME, SAMPLE_SPECS
from datagen.trips import YELLOW_2015_HEADER
from tests.datagen.checker import Checker

COMMITTED = Path(__file__).resolve().parents[2] / "data" / "sample"
YELLOW = ",".join(YELLOW_2015_HEADER)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    return out, write_sample(out)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_committed_sample_is_exactly_what_the_generator_makes(fresh):
    out, _ = fresh
    assert _tree(COMMITTED) == _tree(out)


def test_sample_is_small_nested_and_spans_several_dates(fresh):
    out, generated = fresh
    assert 3000 <= generated.rows <= 5000
    assert sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) < 1_000_000
    assert {Path(f.path).parts[0] for f in generated.files} == {"2015", "edge_cases"}
    assert any(len(Path(f.path).parts) >= 4 for f in generated.files)
    trips = [t for f in generated.files for t in Checker().check(out / f.path).trips]
    assert {t.pickup.date() for t in trips} >= {date(2015, 1, d) for d in range(1, 7)}


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
    checker = Checker()
    found = {f.path: checker.check(out / f.path) for f in generated.files}

    assert {p: c.rows for p, c in found.items()} == {f.path: f.rows for f in generated.files}
    assert {p: dict(c.kinds) for p, c in found.items()} == {
        f.path: f.defects for f in generated.files
    }
    assert {p for p, c in found.items() if c.all_rows_quarantined} == {
        "edge_cases/missing_total_amount.csv"
    }
    assert set(generated.defects) == {k.value for k in DefectKind}
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["expected"] == {
        "rows_read": 3300,
        "rows_quarantined": generated.expected_quarantined,
        "duplicates_dropped": generated.expected_duplicates,
        "rows_written": 3300 - generated.expected_quarantined - generated.expected_duplicates,
    }
    assert generated.expected_quarantined == 100 + sum(
        n
        for k, n in generated.defects.items()
        if k not in ("exact_duplicate", "key_duplicate") and k != "empty_optional_value"
    )


def test_late_file_adds_to_a_written_date_and_repeats_earlier_trips(fresh):
    out, generated = fresh
    checker = Checker()
    for f in generated.files[:-4]:
        checker.check(out / f.path)
    late = checker.check(out / "2015/02/late/yellow_tripdata_2015-01-01_late.csv")

    assert set(late.kinds) == {"exact_duplicate", "key_duplicate"}
    assert all(n >= 10 for n in late.kinds.values())
    new = [t for t in late.trips if t.kind is None]
    assert len(new) == 200 - sum(late.kinds.values())
    assert {t.pickup.date() for t in new} == {date(2015, 1, 1)}


def test_readme_lists_every_file_and_how_to_remake(fresh):
    out, generated = fresh
    readme = (out / "README.md").read_text()
    assert "python -m datagen sample --out data/sample" in readme
    for spec, f in zip(SAMPLE_SPECS, generated.files, strict=True):
        assert f"| `{spec.path}` | {f.rows} | {f.size_bytes} | {spec.note} |" in readme
    assert f"- rows_written: {generated.expected_written}" in readme
