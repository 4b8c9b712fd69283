"""Bounds built on the job's own checks of every cell, each run as its own process.

`python -m bench.checked rows INPUT OUTPUT` writes the valid rows, deduplicated, and their
hourly metrics; `python -m bench.checked quarantine INPUT OUTPUT` also writes the least
quarantine any design of the job has to. Both read CSV and Parquet input alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bench.workloads import dedupe_and_write, run_in_session, session_conf, write_metrics
from etl.batch_read import parse_files
from etl.columns import REJECT_REASON, SOURCE_FILE
from etl.local import hadoop_path
from etl.pipeline import SESSION_SETTINGS
from etl.quarantine import valid_rows
from etl.reject_folder import REJECTED_FOLDER, packed_source
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
            write_metrics(spark, output)


def checked_with_quarantine(spark: SparkSession, path: str, output: str) -> None:
    """`checked_trips` and the least quarantine: the rejected rows carried through the same
    shuffle and written beside the trips, everything quarantine keeps of them (reason, line,
    original strings, file) packed into their `source_file` as the job packs it
    (`etl.reject_folder.packed_source`), then that one column read back and written as it is
    into OUTPUT/quarantine.

    Quarantine has its own schema, so it is a third output, and Spark writes one output per
    action: any design pays for a third write, with its plan, generated code, tasks and commit.
    The rejected rows must get out of the one pass over the input to reach it, and the only
    write of that pass is the trips'; a second pass over the input, or a copy of every checked
    row, costs more (see bench/README.md). Left out, next to the job: unpacking the rows, the
    check for bytes that are not UTF-8, the run id, a quarantine folder per input file and the
    shuffle that makes it, the per-reason counts, the merge with earlier runs and its sizing,
    the path under the input root, the other counts, state, the report, the run lock, recovery
    and publish. It does strictly less work than the job.
    """
    with session_conf(spark, SESSION_SETTINGS):
        checked = _checked(spark, path)
        if checked is None:
            return
        rows = checked.withColumn(
            SOURCE_FILE, packed_source(F.col(REJECT_REASON).isNotNull())
        ).select(*TRIPS_SCHEMA.names, REJECT_REASON)
        dedupe_and_write(rows, f"{output}/trips")
        write_metrics(spark, output)
        rejected = Path(output, "trips", REJECTED_FOLDER)
        if rejected.exists():
            spark.read.parquet(str(rejected)).select(SOURCE_FILE).write.mode("overwrite").parquet(
                f"{output}/quarantine"
            )


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
