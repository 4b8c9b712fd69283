"""Rejected rows ride along with the trips in the batch's one write, and are read back from there.

Spark writes one output per action, and quarantine needs the rejected rows of the same pass that
checks, dedupes and writes the trips: a second pass over the input, or a staged copy of every
checked row, would cost more than everything else the job does. So the merge writes rejected
rows into the staged trips, with no pickup date (Spark puts them in its default partition
folder) and everything quarantine needs packed as JSON into their `source_file`, the one free
string column. Quarantine reads that folder back, and the folder is deleted before anything is
published: the published trips hold trips only, with the trips' own schema.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from etl.columns import RAW_LINE, RAW_STRINGS, REJECT_REASON, SOURCE_FILE
from etl.paths import NULL_PARTITION_VALUE, partition_name
from etl.quarantine import reason_with_encoding
from etl.schema import CANONICAL_NAMES
from etl.storage import join_path

# Spark's folder for a null partition value.
REJECTED_FOLDER = partition_name(NULL_PARTITION_VALUE)
_PACKED = StructType(
    [
        StructField(REJECT_REASON, StringType(), True),
        StructField(RAW_LINE, StringType(), True),
        StructField(RAW_STRINGS, ArrayType(StringType(), True), True),
        StructField(SOURCE_FILE, StringType(), True),
    ]
)
_PACKED_READ = StructType([StructField(SOURCE_FILE, StringType(), True)])


def raw_string(name: str) -> Column:
    """A rejected row's original string of canonical column `name` (null for valid rows)."""
    return sf.col(RAW_STRINGS)[CANONICAL_NAMES.index(name)]


def packed_source(rejected: Column) -> Column:
    """The `source_file` a row is written with: its own for a trip; for a rejected row, its
    reason, line, original strings and source file as one JSON object (nulls left out)."""
    packed = sf.to_json(sf.struct(*(sf.col(field.name) for field in _PACKED.fields)))
    return sf.when(rejected, packed).otherwise(sf.col(SOURCE_FILE))


def read_packed(spark: SparkSession, staged_trips: str) -> DataFrame:
    """The rejected rows written into `staged_trips`, still packed: their `source_file` alone."""
    return spark.read.schema(_PACKED_READ).parquet(join_path(staged_trips, REJECTED_FOLDER))


def read_rejected(spark: SparkSession, staged_trips: str, text_rows: bool = True) -> DataFrame:
    """The rejected rows written into `staged_trips` (a run's staged trips folder), unpacked:
    `reject_reason` (`invalid_encoding` where a bad byte caused it, see `etl.quarantine`),
    `raw_line`, `raw` and `source_file`. JSON gives back every string as it went in, so
    quarantine sees what the checks saw. `text_rows` False: no row comes from text input, see
    `etl.quarantine.reason_with_encoding`."""
    packed = read_packed(spark, staged_trips)
    unpacked = sf.from_json(sf.col(SOURCE_FILE), _PACKED)
    rows = packed.select(unpacked.alias("row")).select(
        *(sf.col(f"row.{field.name}").alias(field.name) for field in _PACKED.fields)
    )
    # Decided here, on the few rejected rows, rather than for every row of the pass.
    reason = reason_with_encoding(
        sf.col(REJECT_REASON), sf.col(RAW_LINE), sf.col(SOURCE_FILE), text_rows
    )
    return rows.withColumn(REJECT_REASON, reason)
