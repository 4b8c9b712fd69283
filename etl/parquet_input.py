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

import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

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
)

from etl.columns import LAYOUT_STATUS, MALFORMED, raw_column
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
from etl.paths import literal_path
from etl.read import READ_OPTIONS, Cells
from etl.report import one_line
from etl.schema import CANONICAL_NAMES, spark_type

PARQUET_SUFFIXES: tuple[str, ...] = (".parquet",)
# A nanosecond timestamp is read as its raw int64 (Spark 3.5 has no nanosecond type, see
# `spark.sql.legacy.parquet.nanosAsLong` in etl.pipeline.SESSION_SETTINGS) and converted here.
NANOS = "timestamp_nanos"
_FOOTER_READERS = 16
# The type name of a nested (group) column, which the read leaves out.
UNSUPPORTED = "unsupported"
# Top-level lines of parquet-mr's schema text (`PrimitiveType`/`GroupType.writeToStringBuilder`):
# "  optional int64 tpep_pickup_datetime (TIMESTAMP(MICROS,false));", an optional " = <field id>"
# before the semicolon, and "  optional group <name> (LIST) {" opening a group. Names are limited
# to characters that cannot be confused with that syntax.
_NAME = r"(?P<name>[^\s();=]+)"
_PRIMITIVE_LINE = re.compile(
    r"  (?:required|optional|repeated) (?P<type>[a-z0-9_]+)(?:\(\d+\))? "
    + _NAME
    + r"(?: \((?P<logical>[A-Z0-9_]+(?:\([A-Za-z0-9_]+(?:,[A-Za-z0-9_]+)*\))?)\))?"
    + r"(?: = (?P<id>\d+))?;"
)
_GROUP_LINE = re.compile(r"  (?:required|optional|repeated) group " + _NAME + r"(?P<rest> .*)? \{")
# Footer types the contract has no name for (the contract's own come from etl.schema).
_PARQUET_ONLY_TYPES: dict[str, DataType] = {
    "boolean": BooleanType(),
    NANOS: LongType(),
    "float": FloatType(),
    "binary": BinaryType(),
    "timestamp_ntz": TimestampNTZType(),
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
    the service its column names or file names give. Files are grouped by equal layouts."""

    fields: tuple[tuple[str, str], ...]
    service: str | None

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
        names = (normalise_header(name) for name, _ in self.fields)
        return tuple(sorted({n for n in names if n and n not in CANONICAL_NAMES}))

    def read_schema(self) -> StructType:
        """The schema to read the files with: Spark's own mapping of the footer's types."""
        return StructType([StructField(name, type_from_name(kind)) for name, kind in self.fields])


@dataclass(frozen=True)
class FooterResult:
    uri: str
    layout: ParquetLayout | None
    error: str | None


def spark_type_name(primitive: str, logical: str) -> str:
    """The Spark type Spark's Parquet reader gives a column of this physical and logical type
    (`logical` as parquet-mr prints it, e.g. `TIMESTAMP(MICROS,false)` or `INTEGER(32,false)`,
    empty when none). Narrower integers are read as int, which Spark allows."""
    if logical.startswith("TIMESTAMP("):
        if "NANOS" in logical:
            return NANOS
        return "timestamp" if logical.endswith("true)") else "timestamp_ntz"
    if logical.startswith("DECIMAL("):
        precision, scale = logical[len("DECIMAL(") : -1].split(",")
        return f"decimal({precision.strip()},{scale.strip()})"
    # parquet-mr names integer annotations INTEGER(<bits>,<signed>): unsigned 32-bit values need
    # a long and unsigned 64-bit ones a decimal, and Spark refuses to read them as anything less.
    unsigned = logical.startswith("INTEGER(") and logical.endswith(",false)")
    if primitive == "INT32":
        if logical == "DATE":
            return "date"
        return "bigint" if unsigned and logical.startswith("INTEGER(32,") else "int"
    if primitive == "INT64":
        return "decimal(20,0)" if unsigned else "bigint"
    if primitive in ("BINARY", "FIXED_LEN_BYTE_ARRAY"):
        return "string" if logical in ("STRING", "ENUM", "JSON") else "binary"
    return {"BOOLEAN": "boolean", "INT96": "timestamp", "FLOAT": "float", "DOUBLE": "double"}.get(
        primitive, "binary"
    )


def read_footer(spark: SparkSession, uri: str) -> FooterResult:
    """The file's layout from its footer, or why it cannot be read (not Parquet, truncated)."""
    try:
        fields = _fields(footer_schema(spark, uri))
    except Exception as error:  # a bad file is reported, never fatal to the run
        return FooterResult(uri, None, one_line(error))
    names = [name for name, _ in fields]
    service = service_from_header(names) or service_from_file_name(uri)
    # Nested columns hold nothing the contract knows; they are left out of the read.
    readable = tuple((name, kind) for name, kind in fields if kind != UNSUPPORTED)
    return FooterResult(uri, ParquetLayout(readable, service), None)


def footer_schema(spark: SparkSession, uri: str) -> Any:
    """The file's schema as parquet-mr reads it from the footer (a JVM `MessageType`)."""
    jvm: Any = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    conf = spark._jsc.hadoopConfiguration()
    source = jvm.org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(path, conf)
    reader = jvm.org.apache.parquet.hadoop.ParquetFileReader.open(source)
    try:
        return reader.getFileMetaData().getSchema()
    finally:
        reader.close()


def _fields(schema: Any) -> list[tuple[str, str]]:
    """The schema's top-level fields from its text form, checked against the schema itself where
    the text could mislead (see `fields_from_schema_text`), else by walking it."""
    parsed = fields_from_schema_text(str(schema.toString()))
    if parsed is not None and len(parsed) == schema.getFieldCount():
        names = [name for name, _, _ in parsed]
        unsure = [name for name, _, sure in parsed if not sure]
        if len(set(names)) == len(names) and all(schema.containsField(n) for n in unsure):
            return [(name, kind) for name, kind, _ in parsed]
    return walked_fields(schema)


def fields_from_schema_text(text: str) -> list[tuple[str, str, bool]] | None:
    """The top-level fields of a file schema in parquet-mr's text form (`MessageType.toString()`):
    name, `spark_type_name` (UNSUPPORTED for a group) and whether the name is sure. None when a
    line is not in the form expected, such as a name with a space or a parenthesis.

    One string from the JVM instead of a few calls per column, which over hundreds of files was
    seconds of the driver's time. A name followed by an annotation or a field id is not sure: a
    name such as `fare (STRING)` would read as `fare` with an annotation, so the caller checks
    those names against the schema (and that no two are the same) before trusting the text."""
    lines = text.splitlines()
    if len(lines) < 2 or not lines[0].startswith("message ") or lines[-1] != "}":
        return None
    fields: list[tuple[str, str, bool]] = []
    for line in lines[1:-1]:
        if line.startswith("    ") or line == "  }":
            continue  # inside a group: nested columns are not read
        if group := _GROUP_LINE.fullmatch(line):
            fields.append((group["name"], UNSUPPORTED, group["rest"] is None))
        elif primitive := _PRIMITIVE_LINE.fullmatch(line):
            logical = primitive["logical"] or ""
            kind = spark_type_name(primitive["type"].upper(), logical)
            sure = primitive["logical"] is None and primitive["id"] is None
            fields.append((primitive["name"], kind, sure))
        else:
            return None
    return fields


def walked_fields(schema: Any) -> list[tuple[str, str]]:
    """The top-level fields (name, `spark_type_name`, UNSUPPORTED for a group) of any schema,
    asking the JVM for each column's name and types: always right, but a few calls a column."""
    fields = []
    for field in schema.getFields():
        if not field.isPrimitive():
            fields.append((str(field.getName()), UNSUPPORTED))
            continue
        logical = field.getLogicalTypeAnnotation()
        primitive = str(field.asPrimitiveType().getPrimitiveTypeName().name())
        kind = spark_type_name(primitive, "" if logical is None else str(logical.toString()))
        fields.append((str(field.getName()), kind))
    return fields


def read_footers(spark: SparkSession, uris: Sequence[str]) -> list[FooterResult]:
    """Footers of every file, fetched in parallel (on S3 each is a ranged GET)."""
    with ThreadPoolExecutor(max_workers=_FOOTER_READERS) as pool:
        return list(pool.map(lambda uri: read_footer(spark, uri), uris))


def group_by_schema(results: Iterable[FooterResult]) -> dict[ParquetLayout, list[str]]:
    """Readable files grouped by layout, sorted by URI so reads are planned the same way."""
    groups: dict[ParquetLayout, list[str]] = {}
    for result in sorted(results, key=lambda r: r.uri):
        if result.layout is not None:
            groups.setdefault(result.layout, []).append(result.uri)
    return groups


def read_parquet_group(spark: SparkSession, layout: ParquetLayout, files: Sequence[str]) -> Cells:
    """Rows of files that share `layout`, shaped like CSV cells: `layout_status`, `malformed`
    (never, for Parquet) and every canonical column in `raw_column(name)` with its physical
    type (null when the file lacks it). `raw_line` is the row's values as a CSV line."""
    sources = layout.sources
    names = [name for name, _ in layout.fields]
    kinds = dict(layout.fields)
    reader = spark.read.schema(layout.read_schema()).options(**READ_OPTIONS)
    rows = reader.parquet(*(literal_path(uri) for uri in files))

    def value_of(field: str) -> Column:
        if kinds[field] == NANOS:
            return sf.timestamp_micros(sf.expr(f"`{field}` div 1000"))
        return sf.col(f"`{field}`")

    def raw_cell(name: str) -> Column:
        if name == "service":
            return sf.lit(layout.service).cast("string").alias(raw_column(name))
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
        *(sf.col(f"`{name}`").alias(f"_p{i}") for i, name in enumerate(names, start=1)),
        sf.lit(layout.status).alias(LAYOUT_STATUS),
        sf.lit(False).alias(MALFORMED),
        *(raw_cell(name) for name in CANONICAL_NAMES),
    )
    helpers = tuple(f"_p{i}" for i in range(1, len(names) + 1))
    line = sf.to_csv(sf.struct(*(sf.col(h).cast("string") for h in helpers)), {"escape": '"'})
    return Cells(frame, line, helpers)
