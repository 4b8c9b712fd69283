"""The merge's one shuffle: how many tasks, and which rows go to which task.

Each task holds whole dedupe groups of one or a few dates, so the dedupe window needs no other
exchange and each task writes about one file per date. Rejected rows travel in the same shuffle
(they are written next to the trips, see `etl.reject_folder`). In a batch of small files
(`rejects_by_file`) each file's rejected rows go to one task, so that quarantine, one folder per
input file, can write them as they were staged, with no shuffle of its own; otherwise they are
spread over the tasks by their line, so that a big file of nothing but bad lines is not one
task's work.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from etl.batch_read import is_parquet
from etl.columns import RAW_LINE, REJECT_REASON, SOURCE_FILE, require_columns
from etl.contract import PARTITION_COLUMN
from etl.state import InputFile

BUCKET_COLUMN = "_bucket"
# Rows one dedupe task sorts and writes: large enough that a month of TLC data is about one task
# per date, small enough that a task's sort stays in memory on a small Glue worker.
TARGET_ROWS_PER_TASK = 500_000
# Parquet bytes a written trip takes (about 50 at 3M rows, with this job's write options), for
# estimating existing trips from file sizes; rounded down so the estimate errs towards more.
PARQUET_BYTES_PER_TRIP = 48
# Estimated rows of the biggest file whose rejected rows all go to one task (`rejects_by_file`):
# a file of nothing but bad lines then adds at most one task's worth of rows to one task. Under
# `etl.publish.QUARANTINE_ROWS_PER_FILE`, so such a file's quarantine is one Parquet file anyway.
WHOLE_FILE_ROWS = TARGET_ROWS_PER_TASK
# Below this many rows a task costs more to start (and to open a Parquet writer per date) than it
# saves: a small batch over many dates is a few tasks, not two per date.
MIN_ROWS_PER_TASK = 250_000
# Input bytes per row, for sizing a batch nobody has counted: TLC CSV lines are 90-180 bytes,
# gzip shrinks them about five times, TLC Parquet takes 15-30 bytes a trip. Each is at the low
# end, so the estimate errs towards more rows (more, smaller tasks), never towards one huge task.
_INPUT_BYTES_PER_ROW = {".gz": 20, "parquet": 15, "csv": 90}


@dataclass(frozen=True)
class ShuffleSize:
    """What sizes the shuffle: its rows (batch plus existing trips), the rows of its biggest
    date and the number of dates; the last two None when the batch's dates are not known (a run
    with nothing to merge into does not count them first: then each date is one bucket, as a
    day of TLC data always fits one task)."""

    rows: int
    largest_date: int | None
    dates: int | None
    # The cluster's cores (Spark's default parallelism): the shuffle keeps them all busy.
    cores: int = 2

    @property
    def buckets(self) -> int:
        if self.largest_date is None:
            return 1
        return max(1, math.ceil(self.largest_date / TARGET_ROWS_PER_TASK))

    @property
    def tasks(self) -> int:
        return dedupe_tasks(self.dates, self.buckets, self.rows, self.cores)


def estimated_rows(files: Sequence[InputFile]) -> int:
    """Rows of a batch from its files' sizes alone (see `_INPUT_BYTES_PER_ROW`)."""
    return sum(file.size // _bytes_per_row(file.path) for file in files)


def rejects_by_file(files: Sequence[InputFile]) -> bool:
    """Whether each file of the batch is small enough (WHOLE_FILE_ROWS, estimated from its size)
    for the merge's shuffle to take all its rejected rows to one task (`cluster_by_date`)."""
    return all(estimated_rows([file]) <= WHOLE_FILE_ROWS for file in files)


def _bytes_per_row(path: str) -> int:
    if path.lower().endswith(".gz"):
        return _INPUT_BYTES_PER_ROW[".gz"]
    return _INPUT_BYTES_PER_ROW["parquet" if is_parquet(path) else "csv"]


def cluster_by_date(
    rows: DataFrame, keys: Sequence[str], size: ShuffleSize, by_file: bool = False
) -> tuple[DataFrame, list[str]]:
    """Shuffle the rows once so that each task holds whole dedupe groups of one or a few dates.

    A date bigger than TARGET_ROWS_PER_TASK is split by a bucket of its keys; the bucket is a
    function of the keys, so groups never straddle tasks. A rejected row (`reject_reason` set)
    loses its `pickup_date` here, before the shuffle, so that it is written to the rejected rows'
    folder and never ranked with trips; its bucket is a hash of its `source_file` when `by_file`
    (see `rejects_by_file`: every rejected row of a file then goes to one task), else of its line.
    Returns the frame and the extra column the dedupe window must partition by.
    """
    require_columns(rows, PARTITION_COLUMN.name, REJECT_REASON, RAW_LINE, *keys)
    tasks = size.tasks
    valid = sf.col(REJECT_REASON).isNull()
    # One bucket per date is the usual case: no hash to compute for each row then.
    by_keys = sf.pmod(sf.xxhash64(*keys), sf.lit(size.buckets)) if size.buckets > 1 else sf.lit(0)
    spread_by = sf.col(SOURCE_FILE) if by_file else sf.col(RAW_LINE)
    bucket: Column = sf.when(valid, by_keys).otherwise(
        sf.pmod(sf.xxhash64(spread_by), sf.lit(tasks))
    )
    clustered = rows.withColumns(
        {
            PARTITION_COLUMN.name: sf.when(valid, sf.col(PARTITION_COLUMN.name)),
            BUCKET_COLUMN: bucket,
        }
    ).repartition(tasks, PARTITION_COLUMN.name, BUCKET_COLUMN)
    return clustered, [BUCKET_COLUMN]


def dedupe_tasks(dates: int | None, buckets: int, rows: int, cores: int = 2) -> int:
    """Tasks of the merge's shuffle: one per MIN_ROWS_PER_TASK rows or one per core of the
    cluster, whichever is more (never under two), but at most two per (date, bucket) pair, which
    keeps hash collisions from stacking big dates in one task and leaves no task idle. Fewer
    tasks than pairs still gives each date one file: a pair never spans tasks. Unknown dates:
    no cap by pairs."""
    wanted = max(2, cores, math.ceil(rows / MIN_ROWS_PER_TASK))
    if dates is None:
        return wanted
    return max(2, min(wanted, 2 * max(dates, 1) * buckets))
