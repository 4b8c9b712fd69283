"""Write generated rows as Parquet with the physical types of the TLC's own files.

Rows arrive as text (the same rows the CSV eras write); each column is converted to its era's
Arrow type by Arrow's own casts, so a chunk of 20,000 rows costs a few milliseconds per column.
Empty text is null. Each chunk is one row group.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from datagen.eras import Era

_ARROW: dict[str, pa.DataType] = {
    "int32": pa.int32(),
    "int64": pa.int64(),
    "double": pa.float64(),
    "string": pa.string(),
    "large_string": pa.large_string(),
    "timestamp[us]": pa.timestamp("us"),
    "timestamp[ns]": pa.timestamp("ns"),
}


def arrow_schema(era: Era) -> pa.Schema:
    """The Parquet schema of the era's files (column names as the TLC spells them)."""
    return pa.schema(
        [pa.field(name, _ARROW[t]) for name, t in zip(era.header, era.parquet_types, strict=True)]
    )


class ParquetRows:
    """An open Parquet file taking chunks of text rows in the era's column order."""

    def __init__(self, path: Path, era: Era) -> None:
        self._schema = arrow_schema(era)
        # Format 2.6 keeps nanosecond timestamps as nanoseconds (older formats coerce them).
        self._writer = pq.ParquetWriter(path, self._schema, version="2.6", compression="snappy")

    def write(self, rows: list[list[str]]) -> None:
        columns = zip(*rows, strict=True) if rows else ([] for _ in self._schema)
        arrays = [
            pa.array([value or None for value in column], pa.string()).cast(target.type)
            for column, target in zip(columns, self._schema, strict=True)
        ]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        self._writer.close()
