"""Local runner: `python -m etl.local [--input PATH] [--output PATH] [--full-refresh]`.

Runs the same core as the Glue job on this machine. Incremental by default (only files not seen
before, tracked under `<output>/_state/`); `--full-refresh` clears the outputs and state and
processes every file. Exit 0 when the run completes (bad rows are data, not errors); exit 2 with
one line on stderr for usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pyspark.errors import PySparkRuntimeError
from pyspark.sql import SparkSession

from etl.batch import run_batch
from etl.contract import DEFAULT_DEDUPE_KEYS
from etl.errors import UsageError
from etl.paths import GLOB_CHARACTERS
from etl.report import RunReport, summary_table
from etl.run_lock import RunLockHeldError
from etl.session import local_spark

DEFAULT_INPUT = Path("data/sample")
DEFAULT_OUTPUT = Path(".local/warehouse")


class _OneLineParser(argparse.ArgumentParser):
    # argparse prints the usage block plus the message; the contract is a single line.
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="python -m etl.local", description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="input folder or file")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="output root folder")
    parser.add_argument(
        "--full-refresh", action="store_true", help="clear outputs and state, process all input"
    )
    parser.add_argument(
        "--retry-failed",
        action="store_true",
        help="also retry files an earlier run could not read (otherwise retried when they change)",
    )
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse and check arguments; raises UsageError with a one-line message."""
    args = _parser().parse_args(argv)
    source, target = args.input.resolve(), args.output.resolve()
    if not source.exists():
        raise UsageError(f"input path not found: {args.input}")
    # Spark reads the output's own folders back through Hadoop's globbing (the input's files
    # are escaped one by one, see etl.paths.literal_path; the output's folders are not).
    if pattern := next((c for c in str(target) if c in GLOB_CHARACTERS), None):
        raise UsageError(
            f"output path {args.output}: {pattern!r} is a pattern character to Spark;"
            f" choose a folder whose path has none of {' '.join(GLOB_CHARACTERS)}"
        )
    if target == source or target.is_relative_to(source):
        raise UsageError(f"output path {args.output} must not be inside input path {args.input}")
    if target.exists() and not target.is_dir():
        raise UsageError(f"output path is not a folder: {args.output}")
    existing = next(p for p in (target, *target.parents) if p.exists())
    if not existing.is_dir():
        raise UsageError(f"output path {args.output} cannot be created: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"output path is not writable: {args.output} ({existing} is read-only)")
    try:
        # Created now, before Spark starts: some folders refuse whatever their mode bits say.
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"output path {args.output} cannot be created: {error.strerror}") from None
    args.input, args.output = source, target
    return args


def run(
    spark: SparkSession,
    input_path: Path,
    output_path: Path,
    full_refresh: bool,
    retry_failed: bool = False,
) -> RunReport:
    """One local run; returns the report it wrote."""
    return run_batch(
        spark,
        hadoop_path(input_path),
        hadoop_path(output_path),
        full_refresh,
        DEFAULT_DEDUPE_KEYS,
        retry_failed,
    )


def hadoop_path(path: Path) -> str:
    """`file:` + the absolute path, as Hadoop spells it (`Path.as_uri()` would percent-encode
    characters such as spaces, and Hadoop does not decode them)."""
    return f"file:{path.resolve()}"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    try:
        args = parse_args(argv)
    except UsageError as error:
        print(f"etl.local: error: {error}", file=sys.stderr)
        return error.exit_code
    try:
        spark = local_spark()
    except PySparkRuntimeError as error:
        # Spark could not start its JVM: a machine problem, not a bug to trace.
        print(
            f"etl.local: error: Spark could not start ({error}); PySpark needs Java 17",
            file=sys.stderr,
        )
        return 1
    try:
        report = run(spark, args.input, args.output, args.full_refresh, args.retry_failed)
    except RunLockHeldError as held:
        # Not an error: the other run is doing the work; this one leaves everything to it.
        print(f"etl.local: {held}", file=sys.stderr)
        return 0
    print(summary_table(report))
    print(f"outputs: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
