"""Each TLC era's files: literal headers, encodings and quirks, Parquet physical types."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen import ERAS, FileSpec, write_files
from tests.datagen.checker import MONEY_PARTS, Checker, cents, read_rows


def _write(tmp_path: Path, era: str, rows: int = 400, rate: float = 0.0, seed: int = 1) -> Path:
    name = f"{'green' if era.startswith('green') else 'yellow'}_{era}{ERAS[era].extension}"
    write_files(tmp_path, [FileSpec(name, rows, days=2, era=era)], seed, rate, date(2020, 1, 1))
    return tmp_path / name


def _column(path: Path, name: str) -> list:
    header, rows = read_rows(path)
    index = [h.strip() for h in header].index(name)
    return [row[index] for row in rows]


HEADERS = {
    "yellow_2009": "vendor_name,Trip_Pickup_DateTime,Trip_Dropoff_DateTime,Passenger_Count,"
    "Trip_Distance,Start_Lon,Start_Lat,Rate_Code,store_and_forward,End_Lon,End_Lat,Payment_Type,"
    "Fare_Amt,surcharge,mta_tax,Tip_Amt,Tolls_Amt,Total_Amt",
    "yellow_2010": "vendor_id,pickup_datetime,dropoff_datetime,passenger_count,trip_distance,"
    "pickup_longitude,pickup_latitude,rate_code,store_and_fwd_flag,dropoff_longitude,"
    "dropoff_latitude,payment_type,fare_amount,surcharge,mta_tax,tip_amount,tolls_amount,"
    "total_amount",
    "yellow_2017": "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,"
    "trip_distance,RatecodeID,store_and_fwd_flag,PULocationID,DOLocationID,payment_type,"
    "fare_amount,extra,mta_tax,tip_amount,tolls_amount,improvement_surcharge,total_amount",
    "green_2014": "VendorID,lpep_pickup_datetime,Lpep_dropoff_datetime,Store_and_fwd_flag,"
    "RateCodeID,Pickup_longitude,Pickup_latitude,Dropoff_longitude,Dropoff_latitude,"
    "Passenger_count,Trip_distance,Fare_amount,Extra,MTA_tax,Tip_amount,Tolls_amount,Ehail_fee,"
    "Total_amount,Payment_type,Trip_type ",
    "green_2019": "VendorID,lpep_pickup_datetime,lpep_dropoff_datetime,store_and_fwd_flag,"
    "RatecodeID,PULocationID,DOLocationID,passenger_count,trip_distance,fare_amount,extra,mta_tax,"
    "tip_amount,tolls_amount,ehail_fee,improvement_surcharge,total_amount,payment_type,trip_type,"
    "congestion_surcharge",
}


@pytest.mark.parametrize("era", sorted(HEADERS))
def test_csv_eras_write_the_real_header(tmp_path, era):
    path = _write(tmp_path, era, rows=10)
    assert path.read_text().splitlines()[0] == HEADERS[era]


@pytest.mark.parametrize(("era", "fields"), [("green_2014", 22), ("yellow_2016_h2", 19)])
def test_padded_eras_carry_two_empty_fields_past_the_header_on_every_line(tmp_path, era, fields):
    header, *lines = _write(tmp_path, era, rate=0.0).read_text().splitlines()
    assert len(header.split(",")) == fields - 2
    data = [line for line in lines if line]
    assert len(data) == 400
    assert all(line.endswith(",,") and len(line.split(",")) == fields for line in data)


def test_2009_uses_words_and_blank_fields(tmp_path):
    path = _write(tmp_path, "yellow_2009")
    assert set(_column(path, "vendor_name")) == {"CMT", "VTS", "DDS"}
    assert set(_column(path, "Payment_Type")) <= {"CASH", "Cash", "CREDIT", "Credit", "No Charge",
                                                   "Dispute"}  # fmt: skip
    assert {"CASH", "Cash", "CREDIT", "Credit"} <= set(_column(path, "Payment_Type"))
    assert set(_column(path, "store_and_forward")) == {"", "0", "1"}
    assert set(_column(path, "mta_tax")) == {""}
    assert _column(path, "Rate_Code").count("") > 300


@pytest.mark.parametrize(
    ("era", "vendors", "payments", "flags"),
    [
        ("yellow_2010", {"CMT", "VTS", "DDS"}, {"CRE", "Cre", "CAS", "Cas"}, {"", "0"}),
        ("yellow_2014", {"CMT", "VTS"}, {"CRD", "CSH", "UNK"}, {"", "N", "Y"}),
    ],
)
def test_2010_2014_have_an_empty_line_after_the_header_and_words(
    tmp_path, era, vendors, payments, flags
):
    path = _write(tmp_path, era, rows=1000)
    lines = path.read_text().split("\n")
    assert lines[1] == ""
    assert all(lines[2:-1])
    if era == "yellow_2014":
        assert lines[0] == HEADERS["yellow_2010"].replace(",", ", ")
    assert set(_column(path, "vendor_id")) == vendors
    assert payments <= set(_column(path, "payment_type"))
    assert flags <= set(_column(path, "store_and_fwd_flag"))


def test_open_data_export_has_us_timestamps_and_compact_numbers(tmp_path):
    path = _write(tmp_path, "yellow_2019_opendata")
    pickups = _column(path, "tpep_pickup_datetime")
    assert all(re.fullmatch(r"\d\d/\d\d/2020 \d\d:\d\d:\d\d [AP]M", p) for p in pickups)
    assert "0.5" in _column(path, "mta_tax")
    assert not any(v.endswith("0") and "." in v for v in _column(path, "total_amount"))
    assert set(_column(path, "congestion_surcharge")) <= {"0", "2.5"}


def test_green_csv_has_empty_ehail_fee_and_trip_types(tmp_path):
    path = _write(tmp_path, "green_2019", rows=1000)
    assert set(_column(path, "ehail_fee")) == {""}
    assert set(_column(path, "trip_type")) == {"1", "2"}
    assert "132" not in _column(path, "PULocationID")  # green cabs do not pick up at JFK


PARQUET_TYPES = {
    "yellow_2023": {
        "VendorID": "int64",
        "tpep_pickup_datetime": "timestamp[us]",
        "passenger_count": "double",
        "RatecodeID": "double",
        "store_and_fwd_flag": "string",
        "PULocationID": "int64",
        "payment_type": "int64",
        "total_amount": "double",
        "airport_fee": "double",
    },
    "yellow_2022_ns": {"tpep_pickup_datetime": "timestamp[ns]", "passenger_count": "double"},
    "yellow_2024": {
        "VendorID": "int32",
        "tpep_dropoff_datetime": "timestamp[us]",
        "passenger_count": "int64",
        "RatecodeID": "int64",
        "store_and_fwd_flag": "large_string",
        "PULocationID": "int32",
        "DOLocationID": "int32",
        "payment_type": "int64",
        "Airport_fee": "double",
    },
    "yellow_2025": {"VendorID": "int32", "cbd_congestion_fee": "double"},
    # The TLC's 2009-2010 Parquet: the CSV's strings, the flag (and 2009's rate code) as double.
    "yellow_2009_parquet": {
        "vendor_name": "string",
        "Trip_Pickup_DateTime": "string",
        "Passenger_Count": "int64",
        "Rate_Code": "double",
        "store_and_forward": "double",
        "Payment_Type": "string",
        "Total_Amt": "double",
    },
    "yellow_2010_parquet": {
        "vendor_id": "string",
        "pickup_datetime": "string",
        "passenger_count": "int64",
        "rate_code": "int64",
        "store_and_fwd_flag": "double",
        "payment_type": "string",
        "total_amount": "double",
    },
    "green_2024": {
        "lpep_pickup_datetime": "timestamp[us]",
        "ehail_fee": "double",
        "trip_type": "int64",
        "PULocationID": "int32",
    },
}


@pytest.mark.parametrize("era", sorted(PARQUET_TYPES))
def test_parquet_eras_have_the_tlc_physical_types(tmp_path, era):
    path = _write(tmp_path, era, rows=300)
    schema = pq.read_schema(path)
    assert schema.names == list(ERAS[era].header)
    assert {name: str(schema.field(name).type) for name in PARQUET_TYPES[era]} == PARQUET_TYPES[era]
    table = pq.read_table(path)
    assert table.num_rows == 300
    assert table.column(schema.names[1]).null_count == 0  # a clean file: every pickup set


def test_2024_parquet_has_unreported_trips_with_nulls_and_payment_type_0(tmp_path):
    rows = pq.read_table(_write(tmp_path, "yellow_2024", rows=1000)).to_pylist()
    unreported = [r for r in rows if r["passenger_count"] is None]
    assert 20 < len(unreported) < 120
    for row in unreported:
        assert row["payment_type"] == 0
        assert row["RatecodeID"] is row["store_and_fwd_flag"] is row["Airport_fee"] is None
        assert row["congestion_surcharge"] is None
    assert all(r["payment_type"] != 0 for r in rows if r["passenger_count"] is not None)


@pytest.mark.parametrize(
    ("era", "flag"),
    [("yellow_2009_parquet", "store_and_forward"), ("yellow_2010_parquet", "store_and_fwd_flag")],
)
def test_early_parquet_keeps_words_and_a_mostly_empty_numeric_flag(tmp_path, era, flag):
    table = pq.read_table(_write(tmp_path, era, rows=1000))
    vendor, payment = table.column_names[0], table.column_names[11]
    assert set(table.column(vendor).to_pylist()) == {"CMT", "VTS", "DDS"}
    assert all(word.isalpha() for word in table.column(payment).to_pylist() if " " not in word)
    flags = table.column(flag).to_pylist()
    assert set(flags) == {None, 0.0, 1.0}
    assert flags.count(None) > 500


def test_green_parquet_has_null_ehail_fee(tmp_path):
    table = pq.read_table(_write(tmp_path, "green_2024"))
    assert table.column("ehail_fee").null_count == table.num_rows
    assert set(table.column("trip_type").to_pylist()) == {1, 2}


@pytest.mark.parametrize("era", sorted(ERAS))
def test_every_era_is_deterministic_and_adds_up(tmp_path, era):
    first = _write(tmp_path / "a", era, rate=0.1)
    second = _write(tmp_path / "b", era, rate=0.1)
    other = _write(tmp_path / "c", era, rate=0.1, seed=2)
    if first.suffix == ".parquet":
        assert pq.read_table(first).equals(pq.read_table(second))
        assert not pq.read_table(first).equals(pq.read_table(other))
    else:
        assert first.read_bytes() == second.read_bytes() != other.read_bytes()
    # Clean trips: total_amount is the sum of the parts the era's files have.
    for trip in Checker().check(first).kept:
        parts = [trip.values[c] for c in MONEY_PARTS if c in trip.raw]
        if "total_amount" in trip.raw and len(parts) > 3:
            assert cents(trip.values["total_amount"]) == sum(cents(p) for p in parts)
