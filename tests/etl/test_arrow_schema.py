"""Timestamp zones read from Arrow's serialised schema, whatever other types it holds."""

from __future__ import annotations

import pyarrow as pa
import pytest

from etl.arrow_schema import ArrowSchemaError, timestamp_zones

# Types newer than the Arrow library Spark bundles, nested ones, and every timestamp unit.
SCHEMA = pa.schema(
    [
        ("flag", pa.string_view()),
        ("pickup", pa.timestamp("us", tz="America/New_York")),
        ("ids", pa.list_view(pa.int32())),
        ("dropoff", pa.timestamp("ns", tz="+05:30")),
        ("nested", pa.struct([("inner", pa.timestamp("ms", tz="Europe/Berlin"))])),
        ("naive", pa.timestamp("s")),
        ("amount", pa.decimal128(10, 2)),
        ("day", pa.date32()),
        ("ré", pa.timestamp("us", tz="UTC")),
    ],
    metadata={"pandas": "{}"},
)


def test_top_level_timestamps_and_their_zones_are_read_from_the_serialised_schema():
    message = SCHEMA.serialize().to_pybytes()
    assert timestamp_zones(message) == {
        "pickup": "America/New_York",
        "dropoff": "+05:30",
        "naive": None,
        "ré": "UTC",
    }


def test_a_schema_without_fields_and_one_without_the_stream_prefix_are_read():
    empty = pa.schema([]).serialize().to_pybytes()
    assert timestamp_zones(empty) == {}
    # Before Arrow 0.15, messages had no 0xFFFFFFFF continuation marker in front.
    legacy = SCHEMA.serialize().to_pybytes()[4:]
    assert timestamp_zones(legacy)["pickup"] == "America/New_York"


@pytest.mark.parametrize("message", [b"", b"\xff\xff\xff\xff", b"\x00" * 3, b"garbage!" * 4])
def test_bytes_that_are_no_schema_raise_one_error(message):
    with pytest.raises(ArrowSchemaError):
        timestamp_zones(message)


def test_a_length_or_offset_that_points_outside_the_message_raises():
    message = bytearray(pa.schema([("t", pa.timestamp("us", tz="UTC"))]).serialize().to_pybytes())
    zone = message.index(b"UTC")
    # The zone's length, just before it, made to run past the end.
    message[zone - 4 : zone] = (10_000).to_bytes(4, "little")
    with pytest.raises(ArrowSchemaError):
        timestamp_zones(bytes(message))
    # The root offset pointing backwards (struct would read from the end).
    flat = bytearray(SCHEMA.serialize().to_pybytes())
    flat[8:12] = (2**32 - 8).to_bytes(4, "little")
    with pytest.raises(ArrowSchemaError):
        timestamp_zones(bytes(flat))
