"""The bench-sized generator: deterministic output, a truthful manifest, realistic clean trips."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen import DefectKind, generate
from datagen.defects import TEXT_ONLY_KINDS
from datagen.eras import YELLOW_2015_HEADER
from tests.datagen.checker import MONEY_PARTS, Checker, cents


def _bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.csv"))}


def _check(root: Path, generated) -> list:
    checker = Checker()
    return [checker.check(root / f.path) for f in generated.files]


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path):
    first = generate(tmp_path / "a", rows=3000, files=3, seed=7)
    second = generate(tmp_path / "b", rows=3000, files=3, seed=7)
    other = generate(tmp_path / "c", rows=3000, files=3, seed=8)

    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert first.to_json() == second.to_json()
    assert _bytes(tmp_path / "a").keys() == _bytes(tmp_path / "c").keys()
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")
    assert other.to_json() != first.to_json()


def test_bytes_do_not_depend_on_the_number_of_workers(tmp_path):
    serial = generate(tmp_path / "serial", rows=2000, files=4, seed=9, workers=1)
    parallel = generate(tmp_path / "parallel", rows=2000, files=4, seed=9, workers=2)

    assert _bytes(tmp_path / "serial") == _bytes(tmp_path / "parallel")
    assert serial.files == parallel.files


def test_manifest_matches_what_an_independent_reader_finds(tmp_path):
    generated = generate(tmp_path, rows=6000, files=4, seed=11, defect_rate=0.1)
    found = _check(tmp_path, generated)

    assert [f.path for f in generated.files] == [
        f"yellow_tripdata_part-{i:05d}.csv" for i in range(4)
    ]
    assert [c.rows for c in found] == [f.rows for f in generated.files] == [1500] * 4
    assert [dict(c.reasons) for c in found] == [f.reasons for f in generated.files]
    assert [dict(c.duplicates) for c in found] == [
        {k: n for k, n in f.defects.items() if k.endswith("_duplicate")} for f in generated.files
    ]
    # At 10% over 6000 rows every kind shows up, and the expected ETL figures add up.
    assert set(generated.defects) == {k.value for k in DefectKind}
    assert sum(generated.defects.values()) == pytest.approx(600, rel=0.15)
    kept = sum(len(c.kept) for c in found)
    assert generated.expected_written == kept
    expected = generated.expected
    assert expected["rows_quarantined"] == sum(expected["reasons"].values())
    assert kept + expected["rows_quarantined"] + expected["duplicates_dropped"] == 6000


@pytest.mark.parametrize("era", ["yellow_2015", "yellow_2017", "yellow_2024"])
def test_files_sharing_days_never_share_a_dedupe_key(tmp_path, era):
    # 8 files over 2 days: four files write each day, yet only injected rows may repeat a key,
    # with coordinates (2015) or with zones only (2017 CSV, 2024 Parquet).
    generated = generate(tmp_path, rows=8000, files=8, seed=4, defect_rate=0.05, days=2, era=era)
    found = _check(tmp_path, generated)

    assert [dict(c.reasons) for c in found] == [f.reasons for f in generated.files]
    assert [sum(c.duplicates.values()) for c in found] == [
        f.expected["duplicates_dropped"] for f in generated.files
    ]
    for index, check in enumerate(found):
        trips = [t for t in check.trips if t.kind is None]
        durations = {
            int((t.values["dropoff_datetime"] - t.values["pickup_datetime"]).total_seconds())
            for t in trips
        }
        assert {d % 8 for d in durations} == {index}


def test_parquet_files_have_the_era_types_and_only_typed_defects(tmp_path):
    generated = generate(tmp_path, rows=4000, files=2, seed=5, defect_rate=0.1, era="yellow_2024")
    found = _check(tmp_path, generated)

    assert [f.path for f in generated.files] == [
        "yellow_tripdata_part-00000.parquet",
        "yellow_tripdata_part-00001.parquet",
    ]
    schema = pq.read_schema(tmp_path / generated.files[0].path)
    assert str(schema.field("VendorID").type) == "int32"
    assert str(schema.field("tpep_pickup_datetime").type) == "timestamp[us]"
    assert str(schema.field("store_and_fwd_flag").type) == "large_string"
    assert set(generated.defects) == {k.value for k in set(DefectKind) - TEXT_ONLY_KINDS}
    assert [dict(c.reasons) for c in found] == [f.reasons for f in generated.files]
    assert generated.expected_written == sum(len(c.kept) for c in found)
    assert all(f.format == "parquet" and f.service == "yellow" for f in generated.files)


def test_files_use_the_2015_yellow_header_and_their_own_days(tmp_path):
    generated = generate(tmp_path, rows=900, files=3, seed=3, start_date=date(2015, 3, 1), days=6)
    checker = Checker()
    for index, f in enumerate(generated.files):
        lines = (tmp_path / f.path).read_text().splitlines()
        assert lines[0] == ",".join(YELLOW_2015_HEADER)
        own = {t.values["pickup_datetime"].date() for t in checker.check(tmp_path / f.path).kept}
        # File i covers days [2i, 2i+1] of March; duplicates may repeat an earlier file's day.
        assert own == {date(2015, 3, 1 + 2 * index), date(2015, 3, 2 + 2 * index)}


def test_clean_trips_are_realistic(tmp_path):
    generated = generate(tmp_path, rows=4000, files=1, seed=5, defect_rate=0.0)
    found = Checker().check(tmp_path / generated.files[0].path)

    assert generated.defects == {}
    assert len(found.kept) == 4000
    for trip in found.kept:
        v = trip.values
        assert cents(v["total_amount"]) == sum(cents(v[c]) for c in MONEY_PARTS)
        assert (v["mta_tax"], v["improvement_surcharge"]) == (0.5, 0.3)
        assert -74.3 < v["pickup_longitude"] < -73.6
        assert 40.5 < v["pickup_latitude"] < 41.0
        assert -74.4 < v["dropoff_longitude"] < -73.2  # long airport trips reach Long Island
        assert 40.3 < v["dropoff_latitude"] < 41.2
        assert 1 <= v["passenger_count"] <= 6
        minutes = (v["dropoff_datetime"] - v["pickup_datetime"]).total_seconds() / 60
        assert 0.5 <= minutes < 240
        distance, fare = v["trip_distance"], v["fare_amount"]
        if v["rate_code_id"] == 2:
            assert fare == 52.0
        else:
            # Meter: $2.50 + $2.50/mile + up to $0.50 per minute, rounded to 50 cents.
            assert 2.5 + 2.5 * distance - 0.3 <= fare <= 2.5 + 2.5 * distance + 0.5 * minutes + 0.3
        if v["payment_type"] != 1:
            assert v["tip_amount"] == 0.0
    dates = {t.values["pickup_datetime"].date() for t in found.kept}
    assert len(dates) == 31
    assert min(dates) == date(2015, 1, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": -1}, "rows >= 0"),
        ({"rows": 10, "files": 0}, "files >= 1"),
        ({"rows": 10, "days": 0}, "days >= 1"),
        ({"rows": 10, "defect_rate": 1.5}, "defect_rate 1.5 not in"),
        ({"rows": 10, "workers": 0}, "workers >= 1"),
        ({"rows": 10, "era": "yellow_1999"}, "era 'yellow_1999' not in"),
    ],
)
def test_bad_arguments_are_rejected(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(tmp_path, **kwargs)
