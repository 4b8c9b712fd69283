"""Write a set of trip files (CSV or Parquet, any era) from one seed; report what was injected.

One random stream drives every file in order, so the same seed and file specs give the same
bytes (CSV) or the same values and types (Parquet). CSV lines are built as strings and written in
large buffered chunks: the csv module and datetime formatting would cost most of the time at
bench sizes (millions of rows).
"""

from __future__ import annotations

import gzip
import io
import random
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from datagen import trips
from datagen.defects import (
    DUPLICATE_KINDS,
    DefectKind,
    applicable,
    corrupt_line,
    corrupt_values,
    key_duplicate,
)
from datagen.eras import ERAS, Era
from datagen.manifest import GeneratedFile, GeneratedSet
from datagen.parquet import ParquetRows

UNKNOWN_COLUMN = "medallion"
_UNKNOWN_COLUMN_POSITION = 1
_POOL_SIZE = 2000  # recent clean rows that duplicates are copied from (spans earlier files)
_CHUNK_ROWS = 20_000

TIMESTAMP_STYLES = ("standard", "alternative", "us")
LAYOUTS = ("plain", "simplified", "extra_column", "missing_total_amount")
_WORD_ERAS = frozenset(
    {"yellow_2009", "yellow_2010", "yellow_2014", "yellow_2009_parquet", "yellow_2010_parquet"}
)


@dataclass(frozen=True)
class FileSpec:
    """One output file: where, how many data rows, which era, pickup days and quirks."""

    path: str  # relative to the output folder, POSIX separators
    rows: int
    first_day: int = 0  # offset from the set's start date
    days: int = 1
    era: str = "yellow_2015"
    layout: str = "plain"  # simplified, extra_column, missing_total_amount: CSV only
    timestamps: str | None = None  # None: the era's; "alternative": ISO `T` and US, mixed
    bom: bool = False
    crlf: bool = False
    header: bool = True  # False with rows=0 gives a zero-byte file
    defect_rate: float | None = None  # None: the set's rate
    kinds: tuple[DefectKind, ...] = tuple(DefectKind)
    note: str = ""

    def __post_init__(self) -> None:
        if self.era not in ERAS:
            raise ValueError(f"era {self.era!r} not in {sorted(ERAS)}")
        if self.layout not in LAYOUTS or (self.layout != "plain" and self.format == "parquet"):
            raise ValueError(f"layout {self.layout!r} not in {LAYOUTS} (CSV eras only)")
        if self.timestamps is not None and self.timestamps not in TIMESTAMP_STYLES:
            raise ValueError(f"timestamps {self.timestamps!r} not in {TIMESTAMP_STYLES}")
        if self.rows < 0 or self.days < 1 or (self.rows and not self.header):
            raise ValueError(f"{self.path}: rows >= 0, days >= 1, rows need a header")

    @property
    def format(self) -> str:
        return ERAS[self.era].format

    @property
    def columns(self) -> tuple[tuple[str, int], ...]:
        """(header name, trips field) of each column the file has."""
        columns = list(ERAS[self.era].columns)
        if self.layout == "simplified":
            columns = [(trips.FIELDS[f][0], f) for _, f in columns]
        elif self.layout == "extra_column":
            columns.insert(_UNKNOWN_COLUMN_POSITION, (UNKNOWN_COLUMN, -1))
        elif self.layout == "missing_total_amount":
            columns = [(name, f) for name, f in columns if f != trips.TOTAL]
        return tuple(columns)

    @property
    def header_line(self) -> str:
        era = ERAS[self.era]
        if self.layout == "plain":
            return era.header_line
        return ",".join(name for name, _ in self.columns)

    @property
    def service(self) -> str | None:
        """What the ETL derives: a tpep_/lpep_ header prefix, else a yellow_/green_ file name."""
        names = [name.strip().lower() for name, _ in self.columns] if self.header else []
        for prefix, service in (("tpep_", "yellow"), ("lpep_", "green")):
            if any(name.startswith(prefix) for name in names):
                return service
        file_name = self.path.rsplit("/", 1)[-1].lower()
        return next((s for s in ("yellow", "green") if file_name.startswith(s + "_")), None)


class _Writer:
    """Generates the rows of one FileSpec from the shared random stream and duplicate pool."""

    def __init__(self, rng: random.Random, factory: trips.TripFactory, pool: deque) -> None:
        self._rng = rng
        self._factory = factory
        # Clean rows with their pickup day offset and second, for duplicates and same-second trips.
        self._pool: deque[tuple[list[str], int, int]] = pool

    def rows(self, spec: FileSpec, rate: float, counts: Counter[str]) -> list[list[str]]:
        rng = self._rng
        era = ERAS[spec.era]
        out: list[list[str]] = []
        written = frozenset(f for _, f in spec.columns)
        inject = spec.layout != "missing_total_amount" and rate > 0
        kinds = applicable(spec.kinds, spec.format == "parquet", written)
        words = spec.era in _WORD_ERAS
        plain = era.fields if spec.layout == "plain" else None
        pool, make, finish = self._pool, self._factory.make, era.finish
        for _ in range(spec.rows):
            day = spec.first_day + int(rng.random() * spec.days)
            fmt = self._formatter(spec)
            row, pickup_sec = make(day, fmt)
            if finish is not None:
                finish(row, rng)
            kind = rng.choice(kinds) if inject and rng.random() < rate else None
            if kind is None and plain is not None:  # the common case, kept fast
                pool.append((row, day, pickup_sec))
                out.append(plain(row))
                continue
            if kind in DUPLICATE_KINDS and not self._pool:
                kind = None  # nothing to copy yet: emit the clean row
            elif kind is DefectKind.SAME_SECOND_TRIP and not self._recent_in(spec):
                kind = None  # no trip of this file's days to share a second with yet
            if kind is DefectKind.EXACT_DUPLICATE:
                row = rng.choice(self._pool)[0]
            elif kind is DefectKind.KEY_DUPLICATE:
                row = key_duplicate(rng.choice(self._pool)[0], rng)
            elif kind is DefectKind.SAME_SECOND_TRIP:
                _, day, pickup_sec = self._pool[-1]
                row, pickup_sec = self._factory.make(day, fmt, second=pickup_sec)
                if era.finish is not None:
                    era.finish(row, rng)
            elif kind not in (None, DefectKind.MALFORMED_LINE):
                pickup_day = self._factory.pickup_day(day)
                corrupt_values(kind, row, rng, fmt, pickup_day, pickup_sec, written, words)
            clean = kind is None or kind is DefectKind.SAME_SECOND_TRIP
            if clean and spec.layout != "missing_total_amount":
                self._pool.append((row, day, pickup_sec))
            fields = self._fields(spec, era, row)
            if kind is DefectKind.MALFORMED_LINE:
                fields = corrupt_line(fields, rng)
            if kind is not None:
                counts[kind.value] += 1
            out.append(fields)
        return out

    def _recent_in(self, spec: FileSpec) -> bool:
        return bool(self._pool) and 0 <= self._pool[-1][1] - spec.first_day < spec.days

    def _formatter(self, spec: FileSpec) -> trips.TimestampFormatter:
        style = spec.timestamps or ERAS[spec.era].timestamps
        if style == "standard":
            return trips.format_standard
        if style == "us":
            return trips.format_us_12h
        return trips.format_iso_t if self._rng.random() < 0.5 else trips.format_us_12h

    def _fields(self, spec: FileSpec, era: Era, row: list[str]) -> list[str]:
        if spec.layout == "plain":
            return era.fields(row)
        if spec.layout == "extra_column":
            medallion = f"{self._rng.getrandbits(64):016X}"
            fields = era.fields(row)
            return [
                *fields[:_UNKNOWN_COLUMN_POSITION],
                medallion,
                *fields[_UNKNOWN_COLUMN_POSITION:],
            ]
        return [row[f] for _, f in spec.columns]


def write_files(
    out_dir: Path,
    specs: list[FileSpec],
    seed: int | str,
    defect_rate: float,
    start_date: date,
    stripe: tuple[int, int] = (0, 1),
) -> GeneratedSet:
    """Write every spec under out_dir (folders created) and return the manifest.

    Specs share one random stream, trip factory (so clean trips never share a dedupe key) and
    duplicate pool, so they should share an era's rate card: the first spec's era sets it.
    `stripe` keeps dedupe keys apart from other write_files calls (see TripFactory).
    """
    if not 0.0 <= defect_rate <= 1.0:
        raise ValueError(f"defect_rate {defect_rate} not in [0, 1]")
    rng = random.Random(seed)
    card = ERAS[specs[0].era].card if specs else ERAS["yellow_2015"].card
    factory = trips.TripFactory(rng, start_date, stripe, card)
    writer = _Writer(rng, factory, deque(maxlen=_POOL_SIZE))
    written: list[GeneratedFile] = []
    for spec in specs:
        counts: Counter[str] = Counter()
        rate = defect_rate if spec.defect_rate is None else spec.defect_rate
        target = out_dir / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if spec.format == "parquet":
            _write_parquet(target, spec, writer, rate, counts)
        else:
            _write_csv(target, spec, writer, rate, counts)
        written.append(
            GeneratedFile(
                path=spec.path,
                rows=spec.rows,
                size_bytes=target.stat().st_size,
                era=spec.era,
                format=spec.format,
                service=spec.service,
                defects=dict(sorted(counts.items())),
                all_rows_quarantined=spec.layout == "missing_total_amount" and spec.rows > 0,
                unknown_columns=(UNKNOWN_COLUMN,) if spec.layout == "extra_column" else (),
                note=spec.note,
            )
        )
    return GeneratedSet(out_dir, seed, defect_rate, tuple(written))


def _chunks(spec: FileSpec) -> Iterator[FileSpec]:
    remaining = spec.rows
    while remaining:
        yield replace(spec, rows=min(remaining, _CHUNK_ROWS))
        remaining -= min(remaining, _CHUNK_ROWS)


def _write_csv(
    target: Path, spec: FileSpec, writer: _Writer, rate: float, counts: Counter[str]
) -> None:
    newline = "\r\n" if spec.crlf else "\n"
    with _open(target) as out:
        if spec.bom:
            out.write("\ufeff")
        if spec.header:
            out.write(spec.header_line + newline)
            if ERAS[spec.era].blank_line_after_header:
                out.write(newline)
        # Empty fields past the header's, on every line, malformed or not (green 2013-2016,
        # yellow July-December 2016).
        padding = "," * ERAS[spec.era].padding
        for chunk in _chunks(spec):
            rows = writer.rows(chunk, rate, counts)
            out.write(newline.join(",".join(fields) + padding for fields in rows) + newline)


def _write_parquet(
    target: Path, spec: FileSpec, writer: _Writer, rate: float, counts: Counter[str]
) -> None:
    out = ParquetRows(target, ERAS[spec.era])
    try:
        for chunk in _chunks(spec):
            out.write(writer.rows(chunk, rate, counts))
        if not spec.rows:
            out.write([])
    finally:
        out.close()


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
