"""Parquet input files -> the same cells as CSV files, grouped by schema as CSV files are by header.

The TLC has published trip records only as Parquet since 2022, and their physical types drift
between years and writers: counts and codes as int32, int64 or double, timestamps in micro- or
nanoseconds, strings as string or large_string. Each file's schema is read from its footer on the
driver (no Spark job, nothing read but the footer), files with the same schema and service are
read together with that exact schema, and each canonical column keeps its physical type until
`etl.parse.typed_native` converts it, so a value that cannot be represented is quarantined
instead of silently rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import unquote

from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    DataType,
    DecimalType,
    FloatType,
    LongType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

from etl.columns import LAYOUT_STATUS, raw_column
from etl.contract import (
    DERIVED_NAMES,
    REQUIRED_NAMES,
    normalise_header,
    service_from_file_name,
    service_from_header,
)
from etl.layout import (
    LAYOUT_MISSING_REQUIRED,
    LAYOUT_OK,
    canonical_positions,
    canonical_sources,
)
from etl.parquet_footer import (
    INSTANT_KINDS,
    NAIVE,
    NAIVE_LEGACY_CALENDAR,
    NANOS,
    NANOS_UTC,
    UNSUPPORTED,
    footer_fields,
    footer_metadata,
    legacy_calendar,
)
from etl.parquet_zones import named_zones
from etl.paths import literal_path, uri_path
from etl.read import READ_OPTIONS, Cells, service_cell
from etl.report import one_line
from etl.schema import CANONICAL_NAMES, spark_type

PARQUET_SUFFIXES: tuple[str, ...] = (".parquet",)
# How Hive, Spark and pyarrow name the partition folder of a null value.
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
_FOOTER_READERS = 16
# Footer types the contract has no name for (the contract's own come from etl.schema).
_PARQUET_ONLY_TYPES: dict[str, DataType] = {
    "boolean": BooleanType(),
    NANOS: LongType(),
    NANOS_UTC: LongType(),
    "float": FloatType(),
    "binary": BinaryType(),
    # Read as an instant, Spark's reader hands over the naive time's own microseconds: with the
    # session's zone UTC, the value a cast of the naive time gives, without the cast's zone
    # conversion of every value (about a second of a 3M-row run on two cores).
    NAIVE: TimestampType(),
    NAIVE_LEGACY_CALENDAR: TimestampNTZType(),
}


def type_from_name(kind: str) -> DataType:
    """Spark type for a name `spark_type_name` returns."""
    if kind.startswith("decimal("):
        precision, scale = kind[len("decimal(") : -1].split(",")
        return DecimalType(int(precision), int(scale))
    return _PARQUET_ONLY_TYPES.get(kind) or spark_type(kind)


@dataclass(frozen=True)
class ParquetLayout:
    """One Parquet schema as Spark types (`fields`: name and type string, in file order), plus
    the service its column names or file names give, the zone of each timestamp column whose
    file names one other than UTC (`zones`: name and zone), the nested columns the read leaves
    out (`nested`) and the values of partition folders (`folders`). Files are grouped by equal
    layouts."""

    fields: tuple[tuple[str, str], ...]
    service: str | None
    zones: tuple[tuple[str, str], ...] = ()
    nested: tuple[str, ...] = ()
    # Canonical columns the files lack and their folders name (`folder_values`), with the value.
    folders: tuple[tuple[str, str | None], ...] = ()

    @property
    def positions(self) -> dict[str, int]:
        return canonical_positions(tuple(name for name, _ in self.fields))

    @property
    def sources(self) -> dict[str, tuple[int, ...]]:
        return canonical_sources(tuple(name for name, _ in self.fields))

    @property
    def missing_required(self) -> tuple[str, ...]:
        return tuple(name for name in REQUIRED_NAMES if name not in self.positions)

    @property
    def status(self) -> str:
        return LAYOUT_MISSING_REQUIRED if self.missing_required else LAYOUT_OK

    @property
    def unknown_columns(self) -> tuple[str, ...]:
        """Columns not read: names the contract does not know, and every nested column."""
        names = [normalise_header(name) for name, _ in self.fields]
        nested = [normalise_header(name) for name in self.nested]
        unknown = {n for n in names if n not in CANONICAL_NAMES} | set(nested)
        return tuple(sorted(n for n in unknown if n))

    def read_schema(self) -> StructType:
        """The schema to read the files with: Spark's own mapping of the footer's types."""
        return StructType([StructField(name, type_from_name(kind)) for name, kind in self.fields])


@dataclass(frozen=True)
class FooterResult:
    uri: str
    layout: ParquetLayout | None
    error: str | None


def read_footer(spark: SparkSession, uri: str, input_root: str = "") -> FooterResult:
    """The file's layout from its footer, or why it cannot be read (not Parquet, truncated).
    Partition folders are looked for below `input_root` (in the whole path when not given)."""
    try:
        metadata = footer_metadata(spark, uri)
        fields = footer_fields(metadata.getSchema())
        if legacy_calendar(metadata.getKeyValueMetaData()):
            fields = [(n, NAIVE_LEGACY_CALENDAR if k == NAIVE else k) for n, k in fields]
        instants = [name for name, kind in fields if kind in INSTANT_KINDS]
        zones = named_zones(spark, metadata.getKeyValueMetaData(), instants) if instants else ()
    except Exception as error:  # a bad file is reported, never fatal to the run
        return FooterResult(uri, None, one_line(error))
    names = [name for name, _ in fields]
    unreadable = [
        names[position - 1]
        for positions in canonical_sources(tuple(names)).values()
        for position in positions
        if fields[position - 1][1] == UNSUPPORTED
    ]
    if unreadable:
        # Left out, its values would load as null without a word.
        return FooterResult(
            uri,
            None,
            f"column {unreadable[0]} holds a type Spark cannot read (a nested type, or a "
            "decimal of more than 38 digits)",
        )
    service = service_from_header(names) or service_from_file_name(uri)
    # Other columns Spark cannot read hold nothing the contract knows: left out of the read.
    readable = tuple((name, kind) for name, kind in fields if kind != UNSUPPORTED)
    nested = tuple(name for name, kind in fields if kind == UNSUPPORTED)
    folders = folder_values(uri, names, input_root)
    return FooterResult(uri, ParquetLayout(readable, service, zones, nested, folders), None)


def folder_values(
    uri: str, names: Sequence[str], input_root: str = ""
) -> tuple[tuple[str, str | None], ...]:
    """Canonical columns a file lacks whose value its path gives, as a Hive-style partition
    folder (`VendorID=2/`: Spark's partitionBy, DuckDB's PARTITION_BY and pyarrow's
    write_to_dataset keep the column there, not in the file). The deepest folder of a name
    wins; `%XX` escapes are decoded, and Hive's name for null is None. Folders of other names
    (`year=2024/`) hold no column of the contract and are not read, nor are the folders of
    `input_root` itself, as in Spark's partition discovery."""
    present = set(canonical_sources(tuple(names)))
    found: dict[str, str | None] = {}
    path, root = uri_path(uri), uri_path(input_root) if input_root else ""
    if path == root:
        return ()  # the input is this one file: no folder of its path is below the input
    below = path[len(root) :] if path.startswith(root + "/") else path
    for folder in below.split("/")[:-1]:
        key, equals, value = folder.partition("=")
        name = normalise_header(key)
        if equals and name in CANONICAL_NAMES and name not in (*DERIVED_NAMES, *present):
            found[name] = None if value == HIVE_NULL else unquote(value)
    return tuple(sorted(found.items()))


def read_footers(
    spark: SparkSession, uris: Sequence[str], input_root: str = ""
) -> list[FooterResult]:
    """Footers of every file, fetched in parallel (on S3 each is a ranged GET)."""
    with ThreadPoolExecutor(max_workers=_FOOTER_READERS) as pool:
        return list(pool.map(lambda uri: read_footer(spark, uri, input_root), uris))


def group_by_schema(results: Iterable[FooterResult]) -> dict[ParquetLayout, list[str]]:
    """Readable files grouped by layout, sorted by URI so reads are planned the same way."""
    groups: dict[ParquetLayout, list[str]] = {}
    for result in sorted(results, key=lambda r: r.uri):
        if result.layout is not None:
            groups.setdefault(result.layout, []).append(result.uri)
    return groups


def quoted(name: str) -> str:
    """A column name as Spark's expressions take it whatever it holds: dots, spaces, backticks."""
    return "`" + name.replace("`", "``") + "`"


def read_parquet_group(spark: SparkSession, layout: ParquetLayout, files: Sequence[str]) -> Cells:
    """Rows of files that share `layout`, shaped like CSV cells: `layout_status` and every
    canonical column in `raw_column(name)` with its physical type (null when the file lacks
    it). `raw_line` is the row's values as a CSV line; no row is malformed."""
    sources = layout.sources
    names = [name for name, _ in layout.fields]
    kinds = dict(layout.fields)
    zones = dict(layout.zones)
    folders = dict(layout.folders)
    reader = spark.read.schema(layout.read_schema()).options(**READ_OPTIONS)
    rows = reader.parquet(*(literal_path(uri) for uri in files))

    def value_of(field: str) -> Column:
        value = sf.col(quoted(field))
        if kinds[field] in (NANOS, NANOS_UTC):
            value = sf.timestamp_micros(sf.expr(f"{quoted(field)} div 1000"))
        # An instant, as the wall clock of the zone its file names (the session's zone is UTC).
        return sf.from_utc_timestamp(value, zones[field]) if field in zones else value

    def raw_cell(name: str) -> Column:
        if name == "service":
            service = service_cell(names, lambda p: sf.col(quoted(names[p - 1])), layout.service)
            return service.alias(raw_column(name))
        if name in folders:
            # A value from the path is text, checked as a CSV cell is.
            return sf.lit(folders[name]).cast("string").alias(raw_column(name))
        if name not in sources or name in DERIVED_NAMES:
            return sf.lit(None).cast("string").alias(raw_column(name))
        fields = [names[position - 1] for position in sources[name]]
        values = [value_of(field) for field in fields]
        if len(values) == 1:
            return values[0].alias(raw_column(name))
        # A name given twice (files joined across a renaming): the first value not null. Of
        # types that differ, as strings, which `etl.parse` checks as it checks CSV cells: a
        # cast to one of them could cut 2.5 passengers to 2.
        if len({kinds[field] for field in fields}) > 1:
            values = [value.cast("string") for value in values]
        return sf.coalesce(*values).alias(raw_column(name))

    frame = rows.select(
        *(sf.col(quoted(name)).alias(f"_p{i}") for i, name in enumerate(names, start=1)),
        sf.lit(layout.status).alias(LAYOUT_STATUS),
        *(raw_cell(name) for name in CANONICAL_NAMES),
    )

    def as_read(name: str) -> str | None:
        """The field whose value, as read, is the raw cell of `name`; None for a cell that is
        built (the service, a folder's value, a null, a coalesce or a converted time)."""
        positions = sources.get(name, ())
        if name == "service" or name in folders or name in DERIVED_NAMES or len(positions) != 1:
            return None
        field = names[positions[0] - 1]
        return None if field in zones or kinds[field] in (NANOS, NANOS_UTC) else field

    # The line takes each field from its raw cell, the same value, as the CSV line does (see
    # `etl.read.read_layout_group`): the pass's operators then each get a generated method of
    # their own instead of one near the JIT's size limit. Only when every field is a raw cell:
    # one field carried for the line alone would keep the pass in one method, and without the
    # split that reading each field twice (raw cell and line) gives the scan's output.
    cell_of = {field: raw_column(name) for name in CANONICAL_NAMES if (field := as_read(name))}
    if set(cell_of) != set(names):
        cell_of = {}
    helpers = tuple(f"_p{i}" for i in range(1, len(names) + 1))
    line = sf.to_csv(
        sf.struct(
            *(sf.col(cell_of.get(f, h)).cast("string") for f, h in zip(names, helpers, strict=True))
        ),
        {"escape": '"'},
    )
    return Cells(frame, line, helpers)
