"""The time zones of the timestamp fields of an Arrow schema, as pyarrow, pandas and polars store
it in a Parquet footer (key `ARROW:schema`: an Arrow IPC schema message, base64-encoded).

Read here, in Python, rather than by the Arrow Java library Spark bundles: that library is older
than the writers and refuses a whole schema for one type it does not know (string views, list
views), while only the names and the timestamp fields matter. The message is a FlatBuffers
table (arrow/format/Message.fbs, Schema.fbs), walked just far enough:
Message.header -> Schema.fields -> Field.name, Field.type_type, Field.type -> Timestamp.timezone.
"""

from __future__ import annotations

import struct

_CONTINUATION = b"\xff\xff\xff\xff"
# Field positions within their FlatBuffers tables (the order of the .fbs declarations).
_MESSAGE_HEADER_TYPE, _MESSAGE_HEADER = 1, 2
_SCHEMA_FIELDS = 1
_FIELD_NAME, _FIELD_TYPE_TYPE, _FIELD_TYPE = 0, 2, 3
_TIMESTAMP_TIMEZONE = 1
# Union tags: MessageHeader.Schema and Type.Timestamp.
_HEADER_SCHEMA = 1
_TYPE_TIMESTAMP = 10


class ArrowSchemaError(ValueError):
    """Bytes that are not an Arrow schema message."""


def timestamp_zones(message: bytes) -> dict[str, str | None]:
    """Each top-level timestamp field of an Arrow IPC schema message, by name, and the zone it
    names (None when naive). Raises ArrowSchemaError for bytes that are not such a message."""
    try:
        return _timestamp_zones(_flatbuffer(message))
    except (struct.error, IndexError, UnicodeDecodeError) as error:
        raise ArrowSchemaError(f"not an Arrow schema message ({error})") from error


def _flatbuffer(message: bytes) -> memoryview:
    """The FlatBuffers part of an IPC message: after the continuation marker (Arrow 0.15 on) and
    the length, which say how long it is."""
    start = 4 if message.startswith(_CONTINUATION) else 0
    (length,) = struct.unpack_from("<i", message, start)
    body = memoryview(message)[start + 4 : start + 4 + length]
    if length <= 0 or len(body) != length:
        raise ArrowSchemaError(f"not an Arrow schema message ({len(message)} bytes)")
    return body


def _unpack(form: str, buffer: memoryview, at: int) -> int:
    """One value at `at`, which must lie inside the buffer (struct would read a negative offset
    from the end)."""
    if at < 0 or at + struct.calcsize(form) > len(buffer):
        raise ArrowSchemaError(f"not an Arrow schema message (offset {at} outside it)")
    return int(struct.unpack_from(form, buffer, at)[0])


def _timestamp_zones(buffer: memoryview) -> dict[str, str | None]:
    root = _unpack("<I", buffer, 0)
    message = _Table(buffer, root)
    if message.scalar(_MESSAGE_HEADER_TYPE, "<B") != _HEADER_SCHEMA:
        raise ArrowSchemaError("an Arrow message, but not a schema")
    schema = message.table(_MESSAGE_HEADER)
    zones: dict[str, str | None] = {}
    if schema is None:
        return zones
    for field in schema.tables(_SCHEMA_FIELDS):
        if field.scalar(_FIELD_TYPE_TYPE, "<B") != _TYPE_TIMESTAMP:
            continue
        kind = field.table(_FIELD_TYPE)
        zones[field.string(_FIELD_NAME) or ""] = kind.string(_TIMESTAMP_TIMEZONE) if kind else None
    return zones


class _Table:
    """One FlatBuffers table: a signed offset back to its vtable, whose entries locate fields."""

    def __init__(self, buffer: memoryview, position: int) -> None:
        self.buffer, self.position = buffer, position
        self.vtable = position - _unpack("<i", buffer, position)
        self.vtable_size = _unpack("<H", buffer, self.vtable)

    def _field(self, index: int) -> int | None:
        """Where field `index` is, or None when absent (it has its default)."""
        entry = 4 + 2 * index
        if entry >= self.vtable_size:
            return None
        offset = _unpack("<H", self.buffer, self.vtable + entry)
        return self.position + offset if offset else None

    def _target(self, index: int) -> int | None:
        at = self._field(index)
        return None if at is None else at + _unpack("<I", self.buffer, at)

    def scalar(self, index: int, form: str) -> int:
        at = self._field(index)
        return 0 if at is None else _unpack(form, self.buffer, at)

    def table(self, index: int) -> _Table | None:
        target = self._target(index)
        return None if target is None else _Table(self.buffer, target)

    def string(self, index: int) -> str | None:
        target = self._target(index)
        if target is None:
            return None
        length = _unpack("<I", self.buffer, target)
        if target + 4 + length > len(self.buffer):
            raise ArrowSchemaError("not an Arrow schema message (a string runs past its end)")
        return bytes(self.buffer[target + 4 : target + 4 + length]).decode("utf-8")

    def tables(self, index: int) -> list[_Table]:
        target = self._target(index)
        if target is None:
            return []
        count = _unpack("<I", self.buffer, target)
        slots = (target + 4 + 4 * i for i in range(count))
        return [_Table(self.buffer, s + _unpack("<I", self.buffer, s)) for s in slots]
