"""Bounds built on the job's own checks of every cell, each run as its own process.

`python -m bench.checked rows INPUT OUTPUT` writes the valid rows, deduplicated, and their
hourly metrics; `python -m bench.checked quarantine INPUT OUTPUT` also carries the rejected rows
beside the trips and copies them into a quarantine folder, less quarantine work than the job
does. Both read CSV and Parquet input alike.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from bench.workloads import dedupe_and_write, run_in_session, session_conf, write_metrics
from etl.batch_read import parse_files
from etl.columns import RAW_LINE, RAW_STRINGS, REJECT_REASON
from etl.local import hadoop_path
from etl.pipeline import SESSION_SETTINGS
from etl.quarantine import valid_rows
from etl.reject_folder import REJECTED_FOLDER, read_packed
from etl.schema import TRIPS_SCHEMA
from etl.state import list_input_files
from etl.storage import Storage


def _checked(spark: SparkSession, path: str) -> DataFrame | None:
    """The job's reading and checks of every file under `path` (`etl.batch_read.parse_files`:
    the grouping by header or footer, every cell read as a string and typed, every reject
    rule); None when no file holds a line."""
    storage = Storage(spark)
    files = [f.uri for f in list_input_files(storage, hadoop_path(Path(path))).files]
    return parse_files(spark, files).checked


def checked_trips(spark: SparkSession, path: str, output: str) -> None:
    """The job's reading and checks of every cell, then the bare trips job's dedupe and write of
    the valid rows into OUTPUT/trips and their hourly metrics into OUTPUT/hourly_metrics, as
    `bench.workloads.bare_trips_and_metrics` writes them, under the job's session settings.

    Left out, next to the job: quarantine (carrying the rejected rows through the shuffle and
    writing them), the merge with earlier runs and its sizing, the path under the input root,
    the counts, state, the report, the run lock and recovery. It does strictly less work than
    the job: what checking each cell and writing the second output cost on their own.
    """
    with session_conf(spark, SESSION_SETTINGS):
        checked = _checked(spark, path)
        if checked is not None:
            dedupe_and_write(valid_rows(checked), f"{output}/trips")
            write_metrics(spark, output, TRIPS_SCHEMA)


def checked_with_quarantine(spark: SparkSession, path: str, output: str) -> None:
    """`checked_trips` with quarantine done the job's way but with less work: the rejected rows
    go through the same shuffle as the trips and are written beside them, with everything
    quarantine keeps of them (reason, line, original strings, file) packed into their
    `source_file` after the dedupe, as the job stages them (`etl.merge`); then that one column
    is read back and written as it is into OUTPUT/quarantine, beside the hourly metrics (two
    threads, as the job runs its quarantine and metrics).

    Quarantine has its own schema, so a design that writes it with Spark pays for a third write
    (a plan, generated code, tasks and a commit), which it can overlap with the metrics, as the
    job and this bound do. The bound assumes the job's one pass, whose only write is the trips'.
    Left out, next to the job: unpacking the rows, the check for bytes that are not UTF-8, the
    run id, a quarantine folder per input file and the shuffle that makes it, the counts, the
    merge with earlier runs and its sizing, the path under the input root (the rows carry the
    full file name), state, the report, the run lock, recovery and publish.
    """
    with session_conf(spark, SESSION_SETTINGS):
        checked = _checked(spark, path)
        if checked is None:
            return
        carried = (REJECT_REASON, RAW_STRINGS, RAW_LINE)
        dedupe_and_write(checked.select(*TRIPS_SCHEMA.names, *carried), f"{output}/trips")
        rejected = Path(output, "trips", REJECTED_FOLDER)
        with ThreadPoolExecutor(max_workers=2) as pool:
            metrics = pool.submit(write_metrics, spark, output, TRIPS_SCHEMA, True)
            if rejected.exists():
                packed = read_packed(spark, f"{output}/trips")
                packed.write.mode("overwrite").parquet(f"{output}/quarantine")
            metrics.result()


_WRITERS = {"rows": checked_trips, "quarantine": checked_with_quarantine}
_USAGE = "usage: python -m bench.checked rows|quarantine INPUT OUTPUT"


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in _WRITERS:
        print(_USAGE, file=sys.stderr)
        return 2
    name, source, output = argv
    run_in_session(f"checked-{name}", lambda spark: _WRITERS[name](spark, source, output))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
