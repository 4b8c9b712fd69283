"""Reading a batch: input files -> checked rows, with every unreadable file set aside.

The driver groups files by header (CSV) or footer schema (Parquet) and builds one read per group;
`run_isolated` then runs the batch's single pass over its input. A file that cannot be read
(a truncated gzip stream, bytes that are not what the name says, a file gone since listing, two
columns of exactly the same name) fails that pass or its planning; the files are then tried one
at a time, with the same reads, to find which ones fail on their own, and the pass runs again
without them. A good batch pays nothing for this; a batch with bad files pays one more read of
its files. Bad files are reported, never fatal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import reduce
from typing import Generic, TypeVar

from py4j.protocol import Py4JJavaError
from pyspark.errors.exceptions.captured import CapturedException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf

from etl.layout import FileLayout, group_by_layout, read_first_lines
from etl.metrics import with_pickup_date
from etl.parquet_input import (
    PARQUET_SUFFIXES,
    ParquetLayout,
    group_by_schema,
    read_footers,
    read_parquet_group,
)
from etl.parse import type_values
from etl.quarantine import checked_shape, with_reject_reason
from etl.read import read_headerless, read_layout_group
from etl.report import FailedFile, one_line
from etl.storage import Storage

UNREADABLE = "unreadable_file"
# What Spark raises for a file it cannot read or plan: a failed job through py4j, or an error
# PySpark turned into its own exception (AnalysisException and the like).
SPARK_ERRORS = (Py4JJavaError, CapturedException)
# Single-file checks run side by side: each is a small Spark job, mostly waiting on I/O.
_CHECKERS = 4
R = TypeVar("R")


@dataclass(frozen=True)
class ParsedBatch:
    # None when no readable file holds a row.
    checked: DataFrame | None
    unknown_columns: list[str]
    failed_files: list[FailedFile]


def is_parquet(uri: str) -> bool:
    """True for the Parquet files of a batch (by name, as the TLC names them)."""
    return uri.lower().endswith(PARQUET_SUFFIXES)


def parse_files(spark: SparkSession, files: Sequence[str], input_root: str = "") -> ParsedBatch:
    """Input files -> checked rows (typed columns, `raw` strings, `reject_reason`, `pickup_date`),
    the batch's unknown column names and the files that could not be read. Partition folders
    (`etl.parquet_input.folder_values`) are looked for below `input_root`.

    The driver reads each CSV file's header and first data lines (for its padding, see
    `etl.layout.padding_of`) and each Parquet file's footer to group files by header or schema;
    then one read per group (usually a few) parses every row. Only those first lines and footers
    reach the driver.
    """
    # The file's URI as Spark names it; `etl.merge` turns it into the path under the input root
    # in the projection that feeds the merge's shuffle, after the checks.
    source = sf.input_file_name()
    csv_files = [uri for uri in files if not is_parquet(uri)]
    footers = read_footers(spark, [uri for uri in files if is_parquet(uri)], input_root)
    headers = read_first_lines(csv_files, Storage(spark).head)
    groups = group_by_layout(headers.lines)
    parquet_groups = group_by_schema(footers)
    # Each group is checked before the union: a rejected row's original line is rebuilt from its
    # group's cells, and only while those cells are still at hand.
    frames = [
        read_layout_group(spark, layout, uris)
        if layout.has_header
        else read_headerless(spark, layout.status, uris)
        for layout, uris in groups.items()
    ] + [read_parquet_group(spark, layout, uris) for layout, uris in parquet_groups.items()]
    checked = [
        cells.frame.transform(type_values, cells.code_words)
        .transform(with_reject_reason, cells.code_words, cells.malformed)
        .transform(with_pickup_date)
        .transform(checked_shape, cells, source)
        for cells in frames
    ]
    layouts: list[FileLayout | ParquetLayout] = [*groups, *parquet_groups]
    return ParsedBatch(
        checked=reduce(DataFrame.unionByName, checked) if checked else None,
        unknown_columns=sorted({name for layout in layouts for name in layout.unknown_columns}),
        failed_files=sorted(
            [FailedFile(uri, f"{UNREADABLE}: {error}") for uri, error in headers.failed]
            + [FailedFile(f.uri, f"{UNREADABLE}: {f.error}") for f in footers if f.error],
            key=lambda failed: failed.path,
        ),
    )


@dataclass(frozen=True)
class IsolatedRun(Generic[R]):
    """The batch's pass, done: what it returned (None when no readable file holds a row), the
    unknown column names and every file that could not be read."""

    result: R | None
    unknown_columns: list[str]
    failed_files: list[FailedFile]


def run_isolated(
    spark: SparkSession,
    files: Sequence[str],
    single_pass: Callable[[DataFrame], R],
    discard: Callable[[], None],
    input_root: str = "",
) -> IsolatedRun[R]:
    """Parse `files` and run `single_pass` (the batch's one pass, which writes) over their checked
    rows. Files that cannot be read are left out and reported: `discard` removes what the failed
    pass wrote, and the pass runs again without them. An error that no single file reproduces
    (a lost executor, a full disk) is not the data's fault and is raised."""
    remaining = list(files)
    failed: list[FailedFile] = []
    while True:
        failed_now = failed
        try:
            # Planning can fail on one file too (two columns of exactly the same name).
            batch = parse_files(spark, remaining, input_root)
            failed_now = [*failed, *batch.failed_files]
            if batch.checked is None:
                return IsolatedRun(None, batch.unknown_columns, _sorted(failed_now))
            result = single_pass(batch.checked)
        except SPARK_ERRORS:
            discard()
            suspects = [f for f in remaining if f not in _paths(failed_now)]
            culprits = unreadable_files(spark, suspects, input_root)
            if not culprits:
                raise
            failed = [*failed_now, *culprits]
            remaining = [f for f in remaining if f not in _paths(failed)]
            continue
        return IsolatedRun(result, batch.unknown_columns, _sorted(failed_now))


def unreadable_files(
    spark: SparkSession, files: Sequence[str], input_root: str = ""
) -> list[FailedFile]:
    """The files whose own read fails, each with the reason; the read is the pipeline's (same
    grouping, parsing and checks) into Spark's no-op sink, so whatever failed the batch fails
    here for the file that caused it. A file gone since the batch read its header or footer is
    one of them; one still there whose header cannot be read now is not: every file would fail
    alike when access is lost meanwhile (throttling, a revoked key), and none is to blame."""
    storage = Storage(spark)

    def check(uri: str) -> FailedFile | None:
        try:
            batch = parse_files(spark, [uri], input_root)
            if batch.failed_files:
                return None if storage.exists(uri) else batch.failed_files[0]
            if batch.checked is not None:
                batch.checked.write.format("noop").mode("overwrite").save()
        except SPARK_ERRORS as error:
            return FailedFile(uri, f"{UNREADABLE}: {one_line(error)}")
        return None

    with ThreadPoolExecutor(max_workers=_CHECKERS) as pool:
        return [f for f in pool.map(check, files) if f is not None]


def _paths(failed: Sequence[FailedFile]) -> set[str]:
    return {f.path for f in failed}


def _sorted(failed: Sequence[FailedFile]) -> list[FailedFile]:
    return sorted(failed, key=lambda f: f.path)
