"""Local runner: `python -m etl.local [--input PATH] [--output PATH] [--full-refresh]`.

Runs the same core as the Glue job on this machine. Incremental by default (only files not seen
before, tracked under `<output>/_state/`); `--full-refresh` clears the outputs and state and
processes every file. Exit 0 when the run completes (bad rows are data, not errors); exit 2 with
one line on stderr for usage errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf

from etl.contract import DEFAULT_DEDUPE_KEYS
from etl.merge import reset_outputs
from etl.pipeline import RunOptions, run_pipeline
from etl.report import RunReport, new_run_id, summary_table, utc_now, write_report
from etl.schema import RAW_LINES_SCHEMA
from etl.session import local_spark
from etl.state import InputFile, list_input_files, load_processed, new_files, save_processed
from etl.storage import Storage

DEFAULT_INPUT = Path("data/sample")
DEFAULT_OUTPUT = Path(".local/warehouse")
USAGE_ERROR = 2


class UsageError(Exception):
    """A command-line mistake: reported as one line on stderr, exit code 2."""


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
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse and check arguments; raises UsageError with a one-line message."""
    args = _parser().parse_args(argv)
    source, target = args.input.resolve(), args.output.resolve()
    if not source.exists():
        raise UsageError(f"input path not found: {args.input}")
    if target == source or target.is_relative_to(source):
        raise UsageError(f"output path {args.output} must not be inside input path {args.input}")
    if target.exists() and not target.is_dir():
        raise UsageError(f"output path is not a folder: {args.output}")
    args.input, args.output = source, target
    return args


def read_lines(spark: SparkSession, files: Sequence[InputFile]) -> DataFrame:
    """All files in one text read: one (`source_file`, `line`) record per line."""
    if not files:
        return spark.createDataFrame([], RAW_LINES_SCHEMA)
    return spark.read.text([f.uri for f in files]).select(
        sf.input_file_name().alias("source_file"), sf.col("value").alias("line")
    )


def run(spark: SparkSession, input_path: Path, output_path: Path, full_refresh: bool) -> RunReport:
    """One local run; returns the report it wrote."""
    output_root = output_path.as_uri()
    storage = Storage(spark)
    if full_refresh:
        reset_outputs(storage, output_root)
    files = list_input_files(input_path)
    processed = load_processed(storage, output_root)
    batch = new_files(files, processed)
    options = RunOptions(
        output_root=output_root,
        run_id=new_run_id(),
        mode="full" if full_refresh else "incremental",
        dedupe_keys=DEFAULT_DEDUPE_KEYS,
        files_processed=len(batch),
    )
    if batch:
        report = run_pipeline(spark, read_lines(spark, batch), options)
    else:
        now = utc_now()
        report = RunReport(options.run_id, now, now, options.mode, 0, 0, 0, 0, 0)
    save_processed(storage, output_root, processed | set(batch))
    write_report(storage, output_root, report)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    try:
        args = parse_args(argv)
    except UsageError as error:
        print(f"etl.local: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    spark = local_spark()
    report = run(spark, args.input, args.output, args.full_refresh)
    print(summary_table(report))
    print(f"outputs: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
