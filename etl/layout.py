"""Per-file header layouts: where each canonical column sits in a file, or why the file is unusable.

Files in one batch have different headers (TLC `tpep_` names, the seed's simplified names, extra
columns), so each file gets its own layout. A layout is tiny (one per file): it is built on the
driver from the header lines and broadcast-joined to the data lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

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


# Every canonical name and alias contains one of these words (a test checks it), so a line without
# any of them cannot be a header. Plain substring tests are far cheaper than a regex per line.
HEADER_WORDS: tuple[str, ...] = (
    "vendor", "pickup", "dropoff", "passenger", "distance", "rate", "fwd", "payment", "amount",
    "extra", "tax", "surcharge", "fee", "location",
)  # fmt: skip


def is_header_line(line: Column) -> Column:
    """True when the line names at least MIN_KNOWN_HEADER_CELLS canonical columns.

    This runs on every input line and almost all lines are data, so two cheap tests come first:
    a header starts like a name (letter, quote, underscore or space, never a digit) and contains
    one of HEADER_WORDS. Only lines passing both pay for the per-cell normalisation.
    """
    first = sf.upper(sf.substring(line, 1, 1))
    starts_like_name = ((first >= "A") & (first <= "Z")) | first.isin('"', "_", " ")
    lowered = sf.lower(line)
    mentions_a_name = reduce(
        lambda left, right: left | right, (sf.instr(lowered, w) > 0 for w in HEADER_WORDS)
    )
    known = sf.array(*(sf.lit(name) for name in CANONICAL_NAMES))
    enough = sf.size(sf.array_intersect(normalised_header_cells(line), known)) >= (
        MIN_KNOWN_HEADER_CELLS
    )
    candidate = sf.when(starts_like_name, mentions_a_name).otherwise(sf.lit(False))
    return sf.when(candidate, enough).otherwise(sf.lit(False))


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
    choice never depends on read order."""
    chosen: dict[str, str] = {}
    for source_file, line in header_lines:
        if source_file not in chosen or line < chosen[source_file]:
            chosen[source_file] = line
    return [layout_for(source_file, line) for source_file, line in sorted(chosen.items())]


def layout_frame(spark: SparkSession, layouts: list[FileLayout]) -> DataFrame:
    """The layouts as a small DataFrame (schema LAYOUT_SCHEMA) ready to broadcast."""
    rows = [
        (
            layout.source_file,
            layout.status,
            layout.header_fields,
            *(layout.positions.get(name, 0) for name in CANONICAL_NAMES),
        )
        for layout in layouts
    ]
    return spark.createDataFrame(rows, LAYOUT_SCHEMA)
