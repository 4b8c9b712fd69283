"""Input files -> one row per data line, with each canonical column as a string cell.

Files sharing a header line (and padding, `etl.layout.padding_of`) are read with one Spark CSV
read (the reader tokenises far faster than anything built from string functions), every cell as a
string so that a bad value can still be quarantined as written. Positional column names keep the
reader from checking header names; the header line itself is dropped by value, which also drops
header lines repeated inside a file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType, StructField, StructType

from etl.columns import LAYOUT_STATUS, raw_column
from etl.contract import SERVICES, service_from_header
from etl.layout import FileLayout, service_positions
from etl.paths import literal_path, uri_path
from etl.schema import CANONICAL_NAMES

_CORRUPT = "_corrupt_line"
_LINE = "_line"
# Names compared with the header's own to recognise a header line among the data (with any
# empty names before them, which alone would match every line that starts with empty cells).
_HEADER_MATCH_CELLS = 2

# Input folders such as `year=2015/` must not become partition columns (or make files at
# different depths conflict): the files are listed already, nothing is to be discovered.
READ_OPTIONS = {"recursiveFileLookup": "true"}

# Text input is decoded one character per byte (ISO-8859-1), not as UTF-8: a UTF-8 decoder
# replaces bytes it cannot decode with U+FFFD and the bytes are lost. Every value a trip keeps is
# ASCII (numbers, times, codes), which reads the same either way; quarantine turns the strings of
# rejected rows back into UTF-8 text, or keeps them one character per byte when the line is not
# UTF-8 (see `etl.quarantine`).
TEXT_ENCODING = "ISO-8859-1"
# A UTF-8 byte order mark as TEXT_ENCODING shows it (Hadoop drops one at the start of a file only).
BOM_AS_READ = "\ufeff".encode().decode(TEXT_ENCODING)

# RFC 4180 quoting (a doubled quote escapes a quote), surrounding spaces trimmed, empty cells null,
# and a line with the wrong number of fields kept whole in the corrupt-record column.
CSV_READ_OPTIONS = {
    "encoding": TEXT_ENCODING,
    "header": "false",
    "mode": "PERMISSIVE",
    "quote": '"',
    "escape": '"',
    "ignoreLeadingWhiteSpace": "true",
    "ignoreTrailingWhiteSpace": "true",
    "columnNameOfCorruptRecord": _CORRUPT,
    # Spark's default (20,480) fails the whole file on one longer line, which is only a malformed
    # line. The reader fills two arrays of this size for each file or split it reads: at 2^20
    # that took 20-100 ms a file (twice the time of a batch of small files), at 2^16 it is lost
    # in the noise. A line of more fields (64 KB of separators at least) still fails its file.
    "maxColumns": str(1 << 16),
    **READ_OPTIONS,
}


def service_cell(
    names: Sequence[str], column: Callable[[int], Column], fallback: str | None
) -> Column:
    """A row's raw `service`: the one a tpep_/lpep_ header names (then `fallback` is it); else
    the file's own `service` column when it holds yellow or green in any case (the job's curated
    trips read back, an export of them); else `fallback`, the file name's. `names` are the
    file's column names, `column(position)` the cell at a 1-based position."""
    positions = service_positions(names)
    if not positions or service_from_header(names) is not None:
        return sf.lit(fallback).cast("string")
    values = [sf.lower(sf.trim(column(position).cast("string"))) for position in positions]
    value = sf.coalesce(*values) if len(values) > 1 else values[0]
    return sf.coalesce(sf.when(value.isin(*SERVICES), value), sf.lit(fallback).cast("string"))


def relative_to_root(uri: Column, input_root: str) -> Column:
    """`uri` (as Spark names a file: a URI, percent-encoded) as a path under `input_root`
    (`file:/data`, `s3://bucket/input/`); the file name for a file outside the root (the root
    itself being that file)."""
    # s3://bucket/input -> /input: the pattern below matches any scheme and authority.
    root = uri_path(input_root)
    # `+` is a literal plus in a URI path; url_decode would read it as a space.
    decoded = sf.url_decode(sf.replace(uri, sf.lit("+"), sf.lit("%2B")))
    # (?s): a line break in a name is part of the path, as any other character.
    pattern = r"(?s)^[^:/]+:(?://[^/]*)?" + _literal_pattern(root) + r"/(.+)$"
    relative = sf.regexp_extract(decoded, pattern, 1)
    name = sf.regexp_extract(decoded, r"([^/]+)$", 1)
    slow = sf.when(relative != "", relative).otherwise(name)
    # This runs once per row: a URI with nothing to decode, spelled as the root is, takes a
    # prefix comparison instead of two regular expressions (the same path, a fraction of the cost).
    # Lengths and the cut are in bytes: counting characters walks the whole string each time.
    # The prefix matched byte for byte, so the cut is at a character boundary.
    plain = ~uri.contains("%")
    path = slow
    for prefix in _root_spellings(input_root):
        size = len(prefix.encode("utf-8"))
        hit = plain & uri.startswith(prefix) & (sf.octet_length(uri) > size)
        rest = sf.substring(uri.cast("binary"), size + 1, _TO_THE_END).cast("string")
        path = sf.when(hit, rest).otherwise(path)
    return path


_TO_THE_END = 2**31 - 1


def _literal_pattern(text: str) -> str:
    """A Java regular expression matching `text` as it is: quoted, with each `\\E` in it (which
    would end the quote early) closed, matched as itself and reopened, as Pattern.quote does."""
    return "\\Q" + text.replace("\\E", "\\E\\\\E\\Q") + "\\E"


def _root_spellings(input_root: str) -> list[str]:
    """How Spark may spell a file URI under `input_root`, up to the path under it: `s3://b/in/`
    for `s3://b/in`; `file:/in/` and `file:///in/` for `file:/in` (Hadoop lists local files as
    the one, Spark names them the other)."""
    scheme, _, rest = input_root.partition(":")
    authority = rest[2:].partition("/")[0] if rest.startswith("//") else ""
    root = uri_path(input_root)
    spellings = [f"{scheme}://{authority}{root}/"]
    if not authority:
        spellings.append(f"{scheme}:{root}/")
    return spellings


def cell_name(position: int) -> str:
    """Name of the string column holding cell `position` (1-based) of a CSV line."""
    return f"_c{position}"


def csv_schema(fields: int) -> StructType:
    """All-string schema for lines of `fields` cells, plus the corrupt-record column."""
    return StructType(
        [StructField(cell_name(i), StringType(), True) for i in range(1, fields + 1)]
        + [StructField(_CORRUPT, StringType(), True)]
    )


def as_read(text: str) -> str:
    """`text` as the CSV reader shows it: its UTF-8 bytes, one character per byte."""
    return text.encode("utf-8").decode(TEXT_ENCODING)


def _is_header_row(layout: FileLayout) -> Column:
    """A line that is the header again: its leading names and its last name where the header
    has them. The last name tells a header from a copy cut short (a truncated file joined to
    another) or a data line that happens to start with the names: those are data, quarantined
    and counted, never dropped unseen."""
    # Hadoop drops a byte order mark at the start of a file, but not one inside it: files joined
    # end to end repeat their header, each behind its own mark.
    compared = _compared_cells(layout.cells)
    first, *rest = [as_read(cell) for cell in compared]
    matches = [_cell_is(1, first, BOM_AS_READ + first)] + [
        _cell_is(i, cell) for i, cell in enumerate(rest, start=2)
    ]
    last = max(i for i, cell in enumerate(layout.cells, start=1) if cell)
    if last > len(compared):
        # In any case and trimmed: files joined across the TLC's renaming repeat the header
        # with `Airport_fee` for `airport_fee`. Only lines that matched so far get this far.
        name = as_read(layout.cells[last - 1]).strip().lower()
        matches.append(sf.lower(sf.trim(sf.col(cell_name(last)))) == sf.lit(name))
    return reduce(lambda left, right: left & right, matches)


def _compared_cells(cells: tuple[str, ...]) -> tuple[str, ...]:
    """The header's leading cells up to its _HEADER_MATCH_CELLS-th name that is not empty."""
    names = 0
    for count, cell in enumerate(cells, start=1):
        names += bool(cell)
        if names == _HEADER_MATCH_CELLS:
            return cells[:count]
    return cells


def _cell_is(position: int, *values: str) -> Column:
    """Cell `position` holds one of `values`. An empty header name (pandas' index column, R's
    row names) reads as null, so there null counts as empty; other cells compare as they are,
    which keeps the code generated for every line of the usual headers as small as it was."""
    cell = sf.col(cell_name(position))
    if "" in values:
        cell = sf.coalesce(cell, sf.lit(""))
    return cell.isin(*values) if len(values) > 1 else cell == sf.lit(values[0])


@dataclass(frozen=True)
class Cells:
    """Lines of a group of files: `frame` has `layout_status` and every canonical column as a
    string in `raw_column(name)` (null when empty or absent from the file), plus the reader's
    own columns (`helper_columns`) that `raw_line` and `malformed` are built from.

    `raw_line` is an expression, not a column, so that it is only evaluated where used: for
    rejected rows (see `etl.quarantine.checked_shape`). For the same reason the strings stay
    top-level columns: a struct of them would be built for every row. `malformed` (the reader
    could not split the line into its header's fields; None for readers that split every line)
    is an expression too, evaluated within the reject rule that tests it, so that no column of
    its own crosses the pass's operators (see `read_layout_group`).
    """

    frame: DataFrame
    raw_line: Column
    helper_columns: tuple[str, ...]
    malformed: Column | None = None
    # Whether vendor, payment and store-and-forward cells may be words (`contract.CODE_WORDS`).
    code_words: bool = True


def read_layout_group(spark: SparkSession, layout: FileLayout, files: Sequence[str]) -> Cells:
    """Data lines of files that share `layout` (which has a header). A line's `raw_line` is the
    line as read when the reader found the wrong number of fields on it, otherwise its cells
    written back as a CSV line (the same values; surrounding spaces and needless quotes are not
    kept), as for a line with a value in the padding."""
    fields = len(layout.cells) + layout.padding
    cells = tuple(cell_name(i) for i in range(1, fields + 1))
    lines = (
        spark.read.schema(csv_schema(fields))
        .options(**CSV_READ_OPTIONS)
        .csv([literal_path(uri) for uri in files])
        .where(~sf.coalesce(_is_header_row(layout), sf.lit(False)))
    )

    sources = layout.sources

    def raw_cell(name: str) -> Column:
        if name == "service":
            service = service_cell(layout.cells, lambda p: sf.col(cell_name(p)), layout.service)
            return service.alias(raw_column(name))
        positions = sources.get(name, ())
        if not positions:
            return sf.lit(None).cast("string").alias(raw_column(name))
        # A name given twice (files joined across a renaming): the first cell that is not empty.
        cells = [sf.col(cell_name(position)) for position in positions]
        return (sf.coalesce(*cells) if len(cells) > 1 else cells[0]).alias(raw_column(name))

    malformed = sf.col(_CORRUPT).isNotNull()
    if layout.padding:
        # Read with the padding's cells, which a line must carry, empty (`etl.layout.padding_of`).
        padding = (sf.col(cell).isNotNull() for cell in cells[len(layout.cells) :])
        malformed = reduce(lambda a, b: a | b, padding, malformed)
    frame = lines.select(
        "*",
        sf.lit(layout.status).alias(LAYOUT_STATUS),
        *(raw_cell(name) for name in CANONICAL_NAMES),
    )
    # Spark's own CSV writer quotes exactly the cells that need it; one expression keeps the
    # generated code small (see `SESSION_SETTINGS` in etl.pipeline). A cell that is a canonical
    # column's raw cell is taken from that column, the same value: Spark gives an operator of
    # the pass a generated method of its own only when it uses each of its input columns at
    # least twice, so a cell carried on for the line alone would keep the whole pass in one
    # method, for most layouts over the JIT's limit (`tests/etl/test_pass_codegen.py`).
    raw_of = {
        cell_name(sources[name][0]): raw_column(name)
        for name in CANONICAL_NAMES
        if name != "service" and len(sources.get(name, ())) == 1
    }
    joined = sf.to_csv(sf.struct(*(sf.col(raw_of.get(c, c)) for c in cells)), {"escape": '"'})
    line = sf.coalesce(sf.col(_CORRUPT), joined)
    return Cells(frame, line, (*cells, _CORRUPT), malformed, code_words=layout.code_words)


def read_headerless(spark: SparkSession, status: str, files: Sequence[str]) -> Cells:
    """Non-blank lines of files without a header: nothing can be said about their cells, so the
    canonical strings are null and the line is kept as read (one character per byte, like CSV
    cells: the text reader keeps a line's bytes, the cast to binary gets them back), less a byte
    order mark left inside a file by files joined end to end."""
    value = sf.decode(sf.col("value").cast("binary"), TEXT_ENCODING)
    line = sf.regexp_replace(value, f"^{BOM_AS_READ}|\\r+$", "")
    frame = (
        spark.read.options(**READ_OPTIONS)
        .text([literal_path(uri) for uri in files])
        .select(line.alias(_LINE))
        .where(sf.trim(sf.col(_LINE)) != "")
        .select(
            _LINE,
            sf.lit(status).alias(LAYOUT_STATUS),
            *(sf.lit(None).cast("string").alias(raw_column(n)) for n in CANONICAL_NAMES),
        )
    )
    return Cells(frame, sf.col(_LINE), (_LINE,))
