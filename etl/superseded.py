"""Trips of an earlier version of a file that is loaded again.

A file whose size or modification time changed is read again: a corrected re-publish of a month,
or a file a run read while it was still being copied. Its earlier version's trips must give way
to the new ones, not compete with them in the dedupe (where the smaller values would win and a
withdrawn trip would stay): a full refresh never saw the earlier version. Trips carry their
file's path (`source_file`), so the merge drops the earlier trips from every date that holds
them (`etl.loaded_dates`), and a date left with no trip is cleared when the run publishes.

Only files that earlier runs recorded are looked for: a run with no such file reads nothing here.
A trip of the earlier version that another file also held (and that lost to it in the dedupe
then) is not brought back; a full refresh would keep that file's copy.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import SparkSession
from pyspark.sql import functions as sf

from etl.columns import SOURCE_FILE
from etl.contract import PARTITION_COLUMN
from etl.schema import TRIPS_SCHEMA

_DATE = PARTITION_COLUMN.name


def superseded_trips(spark: SparkSession, written: str, paths: Sequence[str]) -> dict[str, int]:
    """Trips per pickup date (as `YYYY-MM-DD`) in the written trips folder (which must exist)
    whose source file is one of `paths` (paths under the input root). One read of two columns,
    done only when `paths` is not empty."""
    if not paths:
        return {}
    rows = (
        spark.read.schema(TRIPS_SCHEMA)
        .parquet(written)
        .where(sf.col(SOURCE_FILE).isin(list(paths)))
        .groupBy(sf.col(_DATE).cast("string").alias(_DATE))
        .count()
        .collect()
    )
    return {row[_DATE]: int(row["count"]) for row in rows}
