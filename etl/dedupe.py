"""Deduplication whose winner depends on row content only, never on file order or partitioning."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as sf

from etl.columns import SOURCE_FILE, require_columns
from etl.contract import PARTITION_COLUMN
from etl.schema import CANONICAL_NAMES

RANK_COLUMN = "_dedupe_rank"


def content_order(tiebreakers: Sequence[str] = ()) -> list[Column]:
    """Total order over a row's content: every canonical column ascending, nulls last, then
    `source_file` and any extra tiebreakers (which only separate rows with identical content)."""
    return [
        *(sf.col(name).asc_nulls_last() for name in CANONICAL_NAMES),
        sf.col(SOURCE_FILE).asc_nulls_last(),
        *(sf.col(name).asc_nulls_last() for name in tiebreakers),
    ]


def rank_duplicates(
    trips: DataFrame,
    keys: Sequence[str],
    tiebreakers: Sequence[str] = (),
    cluster_columns: Sequence[str] = (),
) -> DataFrame:
    """Add `_dedupe_rank`: 1 for the row kept in its (pickup_date, *keys) group, >1 for duplicates.

    Exact duplicates are rows equal on every canonical column; they are equal on the keys too and
    sort next to each other, so one window handles both kinds with the same winner a two-step
    dedupe would pick. Groups are scoped to a pickup date so that merging one date's partition
    at a time gives the same result as a full rebuild. `cluster_columns` (functions of the keys,
    such as a hash bucket the data is already partitioned by) join the window's partitioning so
    Spark can reuse that partitioning; they never split a group.
    """
    unknown = [key for key in keys if key not in CANONICAL_NAMES]
    if not keys or unknown:
        raise ValueError(f"dedupe keys must be canonical column names, got {list(keys)}")
    require_columns(trips, PARTITION_COLUMN.name, SOURCE_FILE, *CANONICAL_NAMES, *tiebreakers)
    window = Window.partitionBy(PARTITION_COLUMN.name, *cluster_columns, *keys).orderBy(
        *content_order(tiebreakers)
    )
    return trips.withColumn(RANK_COLUMN, sf.row_number().over(window))
