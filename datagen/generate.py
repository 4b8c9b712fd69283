"""Write a set of trip CSV files from one seed and report exactly what was injected.

One random stream drives every file in order, so the same seed and file specs give byte-identical
output. Lines are built as strings and written in large buffered chunks: the csv module and
datetime formatting would cost most of the time at bench sizes (millions of rows).
"""

from __future__ import annotations

import gzip
import io
import json
import random
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from datagen import trips
from datagen.defects import (
    DUPLICATE_KINDS,
    QUARANTINED_KINDS,
    DefectKind,
    corrupt_line,
    corrupt_values,
    key_duplicate,
)
from etl.contract import REQUIRED_COLUMNS

SIMPLIFIED_HEADER: tuple[str, ...] = tuple(c.name for c in REQUIRED_COLUMNS)
UNKNOWN_COLUMN = "medallion"
_UNKNOWN_COLUMN_POSITION = 1
_MISSING_COLUMN = trips.TOTAL
_POOL_SIZE = 2000  # recent clean rows that duplicates are copied from (spans earlier files)
_CHUNK_ROWS = 20_000

TIMESTAMP_STYLES = ("standard", "alternative")
LAYOUTS = ("yellow", "simplified", "extra_column", "missing_total_amount")


@dataclass(frozen=True)
class FileSpec:
    """One output file: where, how many data rows, which pickup days and which quirks."""

    path: str  # relative to the output folder, POSIX separators
    rows: int
    first_day: int = 0  # offset from the set's start date
    days: int = 1
    layout: str = "yellow"
    timestamps: str = "standard"  # "alternative": ISO `T` and `MM/dd/yyyy hh:mm:ss a`, mixed
    bom: bool = False
    crlf: bool = False
    header: bool = True  # False with rows=0 gives a zero-byte file
    defect_rate: float | None = None  # None: the set's rate
    kinds: tuple[DefectKind, ...] = tuple(DefectKind)
    note: str = ""

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout {self.layout!r} not in {LAYOUTS}")
        if self.timestamps not in TIMESTAMP_STYLES:
            raise ValueError(f"timestamps {self.timestamps!r} not in {TIMESTAMP_STYLES}")
        if self.rows < 0 or self.days < 1 or (self.rows and not self.header):
            raise ValueError(f"{self.path}: rows >= 0, days >= 1, rows need a header")


@dataclass(frozen=True)
class GeneratedFile:
    """What one written file holds."""

    path: str
    rows: int  # data lines (header excluded)
    size_bytes: int
    defects: dict[str, int]
    all_rows_quarantined: bool  # the file lacks a required column
    note: str = ""


@dataclass(frozen=True)
class GeneratedSet:
    """Manifest of a generated set: files, injected defects and the figures the ETL must report."""

    out_dir: Path
    seed: int | str
    defect_rate: float
    files: tuple[GeneratedFile, ...]
    defects: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.defects)
        object.__setattr__(self, "defects", dict(sorted(total.items())))

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def size_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files)

    @property
    def expected_quarantined(self) -> int:
        """Rows the ETL must quarantine: quarantine defects plus every row of a broken file."""
        return sum(
            f.rows
            if f.all_rows_quarantined
            else sum(f.defects.get(k, 0) for k in QUARANTINED_KINDS)
            for f in self.files
        )

    @property
    def expected_duplicates(self) -> int:
        return sum(self.defects.get(k, 0) for k in DUPLICATE_KINDS)

    @property
    def expected_written(self) -> int:
        return self.rows - self.expected_quarantined - self.expected_duplicates

    def to_json(self) -> str:
        """The manifest as stable JSON (sorted keys, no absolute paths, so it can be committed)."""
        doc = {
            "seed": self.seed,
            "defect_rate": self.defect_rate,
            "rows": self.rows,
            "files": [vars(f) for f in self.files],
            "defects": self.defects,
            "expected": {
                "rows_read": self.rows,
                "rows_quarantined": self.expected_quarantined,
                "duplicates_dropped": self.expected_duplicates,
                "rows_written": self.expected_written,
            },
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"


class _Writer:
    """Generates the rows of one FileSpec from the shared random stream and duplicate pool."""

    def __init__(self, rng: random.Random, factory: trips.TripFactory, pool: deque) -> None:
        self._rng = rng
        self._factory = factory
        self._pool: deque[list[str]] = pool

    def lines(self, spec: FileSpec, rate: float, counts: Counter[str]) -> list[str]:
        rng = self._rng
        lines: list[str] = []
        inject = spec.layout != "missing_total_amount" and rate > 0
        for _ in range(spec.rows):
            day = spec.first_day + int(rng.random() * spec.days)
            fmt = self._formatter(spec)
            row, pickup_sec = self._factory.make(day, fmt)
            kind = rng.choice(spec.kinds) if inject and rng.random() < rate else None
            if kind in DUPLICATE_KINDS and not self._pool:
                kind = None  # nothing to copy yet: emit the clean row
            if kind is None:
                if spec.layout != "missing_total_amount":
                    self._pool.append(row)
            elif kind is DefectKind.EXACT_DUPLICATE:
                row = rng.choice(self._pool)
            elif kind is DefectKind.KEY_DUPLICATE:
                row = key_duplicate(rng.choice(self._pool), rng)
            elif kind is not DefectKind.MALFORMED_LINE:
                corrupt_values(kind, row, rng, fmt, self._factory.pickup_day(day), pickup_sec)
            fields = self._layout(spec, row)
            if kind is DefectKind.MALFORMED_LINE:
                fields = corrupt_line(fields, rng)
            if kind is not None:
                counts[kind.value] += 1
            lines.append(",".join(fields))
        return lines

    def _formatter(self, spec: FileSpec) -> trips.TimestampFormatter:
        if spec.timestamps == "standard":
            return trips.format_standard
        return trips.format_iso_t if self._rng.random() < 0.5 else trips.format_us_12h

    def _layout(self, spec: FileSpec, row: list[str]) -> list[str]:
        if spec.layout == "extra_column":
            medallion = f"{self._rng.getrandbits(64):016X}"
            return [*row[:_UNKNOWN_COLUMN_POSITION], medallion, *row[_UNKNOWN_COLUMN_POSITION:]]
        if spec.layout == "missing_total_amount":
            return row[:_MISSING_COLUMN] + row[_MISSING_COLUMN + 1 :]
        return row


def header_for(layout: str) -> list[str]:
    """The header row a layout writes."""
    if layout == "simplified":
        return list(SIMPLIFIED_HEADER)
    header = list(trips.YELLOW_2015_HEADER)
    if layout == "extra_column":
        header.insert(_UNKNOWN_COLUMN_POSITION, UNKNOWN_COLUMN)
    elif layout == "missing_total_amount":
        del header[_MISSING_COLUMN]
    return header


def write_files(
    out_dir: Path,
    specs: list[FileSpec],
    seed: int | str,
    defect_rate: float,
    start_date: date,
    stripe: tuple[int, int] = (0, 1),
) -> GeneratedSet:
    """Write every spec under out_dir (folders created) and return the manifest.

    `stripe` keeps dedupe keys apart from other write_files calls (see TripFactory).
    """
    if not 0.0 <= defect_rate <= 1.0:
        raise ValueError(f"defect_rate {defect_rate} not in [0, 1]")
    rng = random.Random(seed)
    writer = _Writer(rng, trips.TripFactory(rng, start_date, stripe), deque(maxlen=_POOL_SIZE))
    written: list[GeneratedFile] = []
    for spec in specs:
        counts: Counter[str] = Counter()
        rate = defect_rate if spec.defect_rate is None else spec.defect_rate
        target = out_dir / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        newline = "\r\n" if spec.crlf else "\n"
        with _open(target) as out:
            if spec.bom:
                out.write("\ufeff")
            if spec.header:
                out.write(",".join(header_for(spec.layout)) + newline)
            remaining = spec.rows
            while remaining:
                chunk = replace(spec, rows=min(remaining, _CHUNK_ROWS))
                lines = writer.lines(chunk, rate, counts)
                out.write(newline.join(lines) + newline)
                remaining -= chunk.rows
        written.append(
            GeneratedFile(
                path=spec.path,
                rows=spec.rows,
                size_bytes=target.stat().st_size,
                defects=dict(sorted(counts.items())),
                all_rows_quarantined=spec.layout == "missing_total_amount" and spec.rows > 0,
                note=spec.note,
            )
        )
    return GeneratedSet(out_dir, seed, defect_rate, tuple(written))


@contextmanager
def _open(path: Path) -> Iterator[io.TextIOWrapper]:
    # newline="" keeps "\r\n" as written; mtime=0 and no file name keep gzip output reproducible.
    with path.open("wb") as raw:
        if path.name.endswith(".gz"):
            with (
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed,
                io.TextIOWrapper(packed, encoding="utf-8", newline="") as text,
            ):
                yield text
        else:
            with io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False) as text:
                yield text
