"""Per-file header layouts: where each canonical column sits in a file, or why the file is unusable.

Files in one batch have different headers (TLC `tpep_` names, the seed's simplified names, extra
columns). The driver reads each file's first line (one small read per file, not a pass over the
data) and maps it to canonical positions; files with the same header line are then read together
with one CSV read (see `etl.read`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from etl.contract import (
    DERIVED_NAMES,
    REQUIRED_NAMES,
    normalise_header,
    service_from_file_name,
    service_from_header,
)
from etl.report import one_line
from etl.schema import CANONICAL_NAMES

# A header line must name at least this many canonical columns: one match could be a data value
# that happens to equal a column name, two cannot.
MIN_KNOWN_HEADER_CELLS = 2
# First lines are fetched in parallel: on S3 each is a request with tens of ms of latency.
_HEADER_READERS = 16
# Data lines read with each header to find the file's padding (`padding_of`): a few KB, in the
# same request.
PADDING_SAMPLE_LINES = 20

# A column name as headers spell them: a letter or underscore first, no digits-only cells.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ]*$")

LAYOUT_OK = "ok"
LAYOUT_MISSING_HEADER = "missing_header"
LAYOUT_MISSING_REQUIRED = "missing_required_column"


@dataclass(frozen=True)
class FileLayout:
    """How one header line maps to the contract. `cells` are the header's cells as the CSV
    reader yields them (unquoted, trimmed); `positions` are 1-based, the first occurrence of a
    name; `sources` every occurrence (`canonical_sources`).
    `service` is the header's tpep_/lpep_ service, else the file name's: files are grouped by
    both, so a group's service is one literal. `padding` is how many empty fields the file's
    data lines carry past the header's (`padding_of`), also a grouping key."""

    header: str
    cells: tuple[str, ...] = field(compare=False)
    positions: dict[str, int] = field(compare=False)
    service: str | None = None
    padding: int = 0

    @property
    def sources(self) -> dict[str, tuple[int, ...]]:
        return canonical_sources(self.cells)

    @property
    def has_header(self) -> bool:
        """True when the line names two canonical columns, or is names only: a line of words
        and no number or time is a header even if none of its names is known (its file is then
        missing the required columns), never a row of data."""
        if len(self.positions) >= MIN_KNOWN_HEADER_CELLS:
            return True
        names = [cell for cell in self.cells if cell]
        return len(names) >= MIN_KNOWN_HEADER_CELLS and all(_NAME.match(n) for n in names)

    @property
    def code_words(self) -> bool:
        """Words for codes are an older era's: files whose header has tpep_/lpep_ names (the
        TLC's files since 2015) carry numeric codes only, and are parsed without the word
        lookups (which keeps the parsing stage's generated code within the JIT's limit)."""
        return service_from_header(self.cells) is None

    @property
    def missing_required(self) -> tuple[str, ...]:
        return tuple(name for name in REQUIRED_NAMES if name not in self.positions)

    @property
    def unknown_columns(self) -> tuple[str, ...]:
        if not self.has_header:
            return ()
        names = (normalise_header(cell) for cell in self.cells)
        return tuple(sorted({n for n in names if n and n not in CANONICAL_NAMES}))

    @property
    def status(self) -> str:
        if not self.has_header:
            return LAYOUT_MISSING_HEADER
        return LAYOUT_MISSING_REQUIRED if self.missing_required else LAYOUT_OK


def header_cells(line: str) -> tuple[str, ...]:
    """Split a header line like Spark's CSV reader does (RFC 4180 quotes, spaces around a cell
    ignored, a quoted cell after `, ` included), cells trimmed."""
    try:
        row = next(csv.reader([line.lstrip("\ufeff")], skipinitialspace=True), [])
    except csv.Error:
        # A cell over the csv module's limit (128 KiB) is no header name: the line is data.
        return ()
    return tuple(cell.strip() for cell in row)


def layout_for(first_line: str, uri: str = "", data_lines: Sequence[str] = ()) -> FileLayout:
    """The layout a file's first non-blank line gives it (a missing header when the line names
    fewer than MIN_KNOWN_HEADER_CELLS canonical columns), with the padding its first data lines
    `data_lines` show."""
    cells = header_cells(first_line)
    positions = canonical_positions(cells)
    service = service_from_header(cells) or service_from_file_name(uri)
    layout = FileLayout(first_line.lstrip("\ufeff"), cells, positions, service)
    padding = padding_of(len(cells), data_lines) if layout.has_header else 0
    return replace(layout, padding=padding)


def padding_of(fields: int, data_lines: Sequence[str]) -> int:
    """How many empty fields past a header of `fields` names most of a file's first data lines
    `data_lines` carry: the TLC's green CSVs of 2013-2016 name 20 or 21 columns and end every
    line with two more, always empty (other exports end each line with a separator). Every line
    of such a file must carry that padding, empty: a line without it could as well be a line
    short of its last fields (see `etl.read.read_layout_group`). 0 unless more than half of the
    lines show the same padding, so one odd line cannot decide for the whole file."""
    counts: dict[int, int] = {}
    for line in data_lines:
        extra = header_cells(line)[fields:]
        padding = len(extra) if extra and not any(extra) else 0
        counts[padding] = counts.get(padding, 0) + 1
    padding, seen = max(counts.items(), key=lambda item: item[1], default=(0, 0))
    return padding if seen * 2 > len(data_lines) else 0


def canonical_positions(names: tuple[str, ...]) -> dict[str, int]:
    """Canonical column -> 1-based position of the first header name that maps to it."""
    return {name: first for name, (first, *_) in canonical_sources(names).items()}


def canonical_sources(names: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    """Canonical column -> 1-based positions of every header name that maps to it, in order.
    Two positions are what pandas makes of files joined across a renaming (2023's `airport_fee`
    and 2024's `Airport_fee`): each row holds its value under one of them."""
    sources: dict[str, tuple[int, ...]] = {}
    for index, cell in enumerate(names, start=1):
        name = normalise_header(cell)
        if name in CANONICAL_NAMES and name not in DERIVED_NAMES:
            sources[name] = (*sources.get(name, ()), index)
    return sources


def service_positions(names: Sequence[str]) -> tuple[int, ...]:
    """1-based positions of the names that map to `service`, which `canonical_sources` leaves
    out: the service is derived (see `etl.read.service_cell`)."""
    return tuple(i for i, cell in enumerate(names, start=1) if normalise_header(cell) == "service")


def group_by_layout(
    first_lines: Iterable[tuple[str, str | None, tuple[str, ...]]],
) -> dict[FileLayout, list[str]]:
    """Files grouped by header line and padding, from (uri, first non-blank line, the first data
    lines): sorted, so reads are planned the same way every run. Files without a non-blank line
    hold no rows and are left out."""
    groups: dict[FileLayout, list[str]] = {}
    for uri, line, data_lines in sorted(first_lines, key=lambda scanned: scanned[0]):
        if line is not None:
            # Layouts are equal when their header lines and padding are: one group for each.
            groups.setdefault(layout_for(line, uri, data_lines), []).append(uri)
    return groups


@dataclass(frozen=True)
class HeaderScan:
    """First lines of the files that could be read, and why the others could not."""

    lines: list[tuple[str, str | None, tuple[str, ...]]]
    failed: list[tuple[str, str]]


def read_first_lines(
    uris: Sequence[str], head: Callable[[str, int], tuple[str | None, tuple[str, ...]]]
) -> HeaderScan:
    """(uri, first non-blank line, up to PADDING_SAMPLE_LINES data lines) for every readable
    file, fetched in parallel (`head`: `etl.storage.Storage.head`); a file that cannot be
    opened or decompressed is reported instead of failing the batch."""

    def scan(uri: str) -> tuple[str, tuple[str | None, tuple[str, ...]], str | None]:
        try:
            return uri, head(uri, PADDING_SAMPLE_LINES), None
        except Exception as error:  # one bad file never stops the others
            return uri, (None, ()), one_line(error)

    with ThreadPoolExecutor(max_workers=_HEADER_READERS) as pool:
        results = list(pool.map(scan, uris))
    return HeaderScan(
        lines=[(uri, *lines) for uri, lines, error in results if error is None],
        failed=[(uri, error) for uri, _, error in results if error is not None],
    )
