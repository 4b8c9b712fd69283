"""The batch's one pass over its input: checked rows are written to the run's staging folder and
counted on the way, so nothing wide is cached and no second action re-reads the input.

Valid rows keep only their typed values and quarantined rows only their original strings (the
other side is written as nulls, which Parquet stores almost for free); later steps read back just
the columns they need.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Observation, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from etl.columns import RAW_LINE, RAW_STRINGS, REJECT_REASON, SOURCE_FILE
from etl.contract import PARTITION_COLUMN
from etl.quarantine import REASON_CODES, reason_with_encoding
from etl.read import relative_to_root
from etl.schema import CANONICAL_NAMES, CANONICAL_SCHEMA, spark_type

CHECKED_DIR = "checked"
_ROWS = "rows_read"
# Staged rows are read once and deleted: dictionary encoding (a hash lookup per value) costs more
# than it saves there, except for the few repeated file names.
_STAGING_WRITE_OPTIONS = {
    "parquet.enable.dictionary": "false",
    "parquet.enable.dictionary#source_file": "true",
}
_DATES = "dates"


@dataclass(frozen=True)
class BatchSummary:
    rows_read: int
    reasons: dict[str, int]
    dates: list[str]

    @property
    def valid_rows(self) -> int:
        return self.rows_read - sum(self.reasons.values())


def _reason() -> Column:
    return reason_with_encoding(sf.col(REJECT_REASON), sf.col(RAW_LINE), sf.col(SOURCE_FILE))


def raw_string(name: str) -> Column:
    """A staged rejected row's original string of canonical column `name` (null for valid rows)."""
    return sf.col(RAW_STRINGS)[CANONICAL_NAMES.index(name)]


def _valid() -> Column:
    return sf.col(REJECT_REASON).isNull()


# What later steps read back: typed values and `pickup_date` (valid rows), the `raw` strings and
# `raw_line` (quarantined rows, see `etl.quarantine.checked_shape`), `reject_reason`, `source_file`.
STAGED_SCHEMA = StructType(
    [
        StructField(SOURCE_FILE, StringType(), True),
        StructField(RAW_LINE, StringType(), True),
        StructField(
            RAW_STRINGS,
            ArrayType(StringType(), True),
            True,
        ),
        *CANONICAL_SCHEMA.fields,
        StructField(REJECT_REASON, StringType(), True),
        StructField(PARTITION_COLUMN.name, spark_type(PARTITION_COLUMN.type), True),
    ]
)


def _metrics() -> list[Column]:
    """Counts gathered while the staged rows are written: rows, rows per reason, valid dates."""
    valid_date = sf.when(_valid(), sf.col(PARTITION_COLUMN.name))
    # The set is cast to strings once, at the end: a per-row cast would format 3M dates to collect
    # a few dozen. A string, not an array: Observation hands complex values back as JVM objects.
    dates = sf.array_sort(sf.collect_set(valid_date)).cast("array<string>")
    return [
        sf.count(sf.lit(1)).alias(_ROWS),
        *(sf.count_if(_reason() == code).alias(code) for code in REASON_CODES),
        sf.array_join(dates, ",").alias(_DATES),
    ]


def stage_checked(checked: DataFrame, path: str) -> BatchSummary:
    """Write checked rows (STAGED_SCHEMA's columns) to `path` and return the batch's counts."""
    observation = Observation("checked_rows")
    (
        checked.select(*STAGED_SCHEMA.names)
        .observe(observation, *_metrics())
        .write.options(**_STAGING_WRITE_OPTIONS)
        .parquet(path)
    )
    counts = observation.get
    reasons = {code: int(counts[code]) for code in REASON_CODES if counts[code]}
    return BatchSummary(
        rows_read=int(counts[_ROWS]),
        reasons=dict(sorted(reasons.items())),
        dates=[d for d in (counts[_DATES] or "").split(",") if d],
    )


def read_staged(spark: SparkSession, path: str, input_root: str) -> DataFrame:
    """The staged checked rows, for `valid_rows` and `quarantined_rows`, each named by its
    file's path under `input_root` (staging keeps the URI Spark gave)."""
    staged = spark.read.schema(STAGED_SCHEMA).parquet(path)
    return staged.withColumns(
        {
            SOURCE_FILE: relative_to_root(sf.col(SOURCE_FILE), input_root),
            REJECT_REASON: _reason(),
        }
    )
