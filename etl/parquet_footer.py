"""What a Parquet file's footer says about its columns: each top-level column's name and the type
Spark's Parquet reader gives it, read on the driver from the footer alone (no Spark job)."""

from __future__ import annotations

import re
from typing import Any

from pyspark.sql import SparkSession

from etl.jvm_classes import java_class

# A nanosecond timestamp is read as its raw int64 (Spark 3.5 has no nanosecond type, see
# `spark.sql.legacy.parquet.nanosAsLong` in etl.pipeline.SESSION_SETTINGS), converted on reading.
NANOS = "timestamp_nanos"
# The same for a nanosecond instant (adjusted to UTC), which may name a zone (etl.parquet_zones).
NANOS_UTC = "timestamp_nanos_utc"
# Kinds that are instants: the only ones a file's Arrow schema can give a zone.
INSTANT_KINDS = ("timestamp", NANOS_UTC)
# A naive timestamp (`TIMESTAMP(..., false)`) is read as an instant (see etl.parquet_input),
# except in a file Spark wrote in its legacy hybrid calendar: Spark shifts an instant read from
# such a file back to the proleptic calendar, but never a naive time (its writer did not shift
# them), so those keep the naive type.
NAIVE = "timestamp_ntz"
NAIVE_LEGACY_CALENDAR = "timestamp_ntz_legacy_calendar"
_SPARK_VERSION_KEY = "org.apache.spark.version"
_SPARK_LEGACY_DATETIME_KEY = "org.apache.spark.legacyDateTime"
# The type name of a column the read leaves out: a nested (group) column, or a decimal wider
# than Spark's widest (pyarrow's decimal256, BigQuery's BIGNUMERIC), which Spark refuses to read.
UNSUPPORTED = "unsupported"
_WIDEST_DECIMAL = 38
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


def spark_type_name(primitive: str, logical: str) -> str:
    """The Spark type Spark's Parquet reader gives a column of this physical and logical type
    (`logical` as parquet-mr prints it, e.g. `TIMESTAMP(MICROS,false)` or `INTEGER(32,false)`,
    empty when none). Narrower integers are read as int, which Spark allows."""
    if logical.startswith("TIMESTAMP("):
        if "NANOS" in logical:
            return NANOS_UTC if logical.endswith("true)") else NANOS
        return "timestamp" if logical.endswith("true)") else NAIVE
    if logical.startswith("DECIMAL("):
        precision, scale = logical[len("DECIMAL(") : -1].split(",")
        if int(precision) > _WIDEST_DECIMAL:
            return UNSUPPORTED
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


def footer_metadata(spark: SparkSession, uri: str) -> Any:
    """The file's metadata as parquet-mr reads it from the footer (a JVM `FileMetaData`: the
    schema and the writer's key-value pairs)."""
    jvm: Any = spark._jvm
    path = java_class(jvm, "org.apache.hadoop.fs.Path")(uri)
    conf = spark._jsc.hadoopConfiguration()
    source = java_class(jvm, "org.apache.parquet.hadoop.util.HadoopInputFile").fromPath(path, conf)
    reader = java_class(jvm, "org.apache.parquet.hadoop.ParquetFileReader").open(source)
    try:
        return reader.getFileMetaData()
    finally:
        reader.close()


def legacy_calendar(key_values: Any) -> bool:
    """Whether Spark's reader shifts this file's instants from the legacy hybrid calendar, by
    the footer's key-value metadata (a JVM map): a file Spark wrote before 3.0, or wrote with
    `spark.sql.parquet.datetimeRebaseModeInWrite` LEGACY. Files of other writers are read in the
    calendar the session names (the proleptic one, see etl.pipeline.SESSION_SETTINGS)."""
    version = key_values.get(_SPARK_VERSION_KEY)
    if version is None:
        return False
    return str(version) < "3.0.0" or key_values.get(_SPARK_LEGACY_DATETIME_KEY) is not None


def footer_schema(spark: SparkSession, uri: str) -> Any:
    """The file's schema as parquet-mr reads it from the footer (a JVM `MessageType`)."""
    return footer_metadata(spark, uri).getSchema()


def footer_fields(schema: Any) -> list[tuple[str, str]]:
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
