"""Per-file header layouts: where each canonical column sits in a file, or why the file is unusable.

Files in one batch have different headers (TLC `tpep_` names, the seed's simplified names, extra
columns), so each file gets its own layout. A layout is tiny (one per file): it is built on the
driver from the header lines and broadcast-joined to the data lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import ArrayType, IntegerType, StringType, StructField, StructType

from etl.contract import HEADER_ALIASES, HEADER_PREFIXES, REQUIRED_COLUMNS, normalise_header
from etl.schema import CANONICAL_NAMES

# A header line must name at least this many canonical columns: one match could be a data value
# that happens to equal a column name, two cannot.
MIN_KNOWN_HEADER_CELLS = 2

LAYOUT_OK = "ok"
LAYOUT_MISSING_HEADER = "missing_header"
LAYOUT_MISSING_REQUIRED = "missing_required_column"


def position_column(name: str) -> str:
    """Name of the layout column holding the 1-based cell position of canonical column `name`."""
    return f"pos_{name}"


LAYOUT_SCHEMA = StructType(
    [
        StructField("source_file", StringType(), False),
        StructField("layout_status", StringType(), False),
        StructField("header_fields", IntegerType(), False),
        StructField("header_lines", ArrayType(StringType(), False), False),
        *(StructField(position_column(name), IntegerType(), False) for name in CANONICAL_NAMES),
    ]
)


@dataclass(frozen=True)
class FileLayout:
    source_file: str
    header_fields: int
    positions: dict[str, int]
    missing_required: tuple[str, ...]
    unknown_columns: tuple[str, ...]
    # Every header line seen in the file (repeated headers of concatenated exports included), so
    # the parser can drop them by equality instead of re-testing each line.
    header_lines: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return LAYOUT_MISSING_REQUIRED if self.missing_required else LAYOUT_OK


def normalised_header_cells(line: Column) -> Column:
    """Spark twin of `contract.normalise_header`, applied to every comma-separated cell of a line."""
    aliases = sf.create_map(*(sf.lit(v) for pair in HEADER_ALIASES.items() for v in pair))
    prefixes = "|".join(HEADER_PREFIXES)

    def normalise(cell: Column) -> Column:
        bare = sf.regexp_replace(
            sf.lower(sf.trim(sf.regexp_replace(cell, '["\ufeff]', ""))), f"^({prefixes})", ""
        )
        return sf.coalesce(aliases[bare], bare)

    return sf.transform(sf.split(line, ","), normalise)


# Every canonical name and alias contains an `a` or an `i` (checked by a test), whatever its
# case, prefix or quoting in the file; typical data lines (digits, `N`/`Y`) contain neither.
HEADER_HINTS: tuple[str, ...] = ("a", "A", "i", "I")


def may_be_header(line: Column) -> Column:
    """Cheap necessary condition for `is_header_line`: plain substring searches, no regex, no
    allocation, so the exact per-cell test runs on a handful of lines instead of all of them."""
    return reduce(lambda left, right: left | right, (line.contains(c) for c in HEADER_HINTS))


def is_header_line(line: Column) -> Column:
    """True when the line names at least MIN_KNOWN_HEADER_CELLS canonical columns."""
    known = sf.array(*(sf.lit(name) for name in CANONICAL_NAMES))
    names_enough = (
        sf.size(sf.array_intersect(normalised_header_cells(line), known)) >= MIN_KNOWN_HEADER_CELLS
    )
    return sf.when(may_be_header(line), names_enough).otherwise(sf.lit(False))


def layout_for(source_file: str, header_line: str) -> FileLayout:
    """Map one header line to canonical positions (1-based; the first occurrence wins)."""
    cells = [normalise_header(cell) for cell in header_line.split(",")]
    positions: dict[str, int] = {}
    for index, name in enumerate(cells, start=1):
        if name in CANONICAL_NAMES and name not in positions:
            positions[name] = index
    missing = tuple(c.name for c in REQUIRED_COLUMNS if c.name not in positions)
    unknown = tuple(sorted({c for c in cells if c and c not in CANONICAL_NAMES}))
    return FileLayout(source_file, len(cells), positions, missing, unknown)


def layouts_for(header_lines: Iterable[tuple[str, str]]) -> list[FileLayout]:
    """One layout per file. A file with several distinct header lines uses the smallest one, so the
    choice never depends on read order; all of them are kept in `header_lines`."""
    seen: dict[str, set[str]] = {}
    for source_file, line in header_lines:
        seen.setdefault(source_file, set()).add(line)
    return [
        replace(layout_for(source_file, min(lines)), header_lines=tuple(sorted(lines)))
        for source_file, lines in sorted(seen.items())
    ]


def layout_frame(spark: SparkSession, layouts: list[FileLayout]) -> DataFrame:
    """The layouts as a small DataFrame (schema LAYOUT_SCHEMA) ready to broadcast."""
    rows = [
        (
            layout.source_file,
            layout.status,
            layout.header_fields,
            list(layout.header_lines),
            *(layout.positions.get(name, 0) for name in CANONICAL_NAMES),
        )
        for layout in layouts
    ]
    return spark.createDataFrame(rows, LAYOUT_SCHEMA)
