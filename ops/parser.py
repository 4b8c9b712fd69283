"""The ``python -m ops`` command line: subcommands, their options with defaults, and help.

Each subcommand's ``--help`` says what it does and the default of every option; values that come
from the stack (names, region) say which stack output or config key they are read from.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _positive(value: str) -> float:
    # argparse names the converter in its own message ("invalid _positive value"): say it plainly.
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {value!r}")
    return number


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number > 0, got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m ops`` parser; argparse itself exits 2 on bad arguments."""
    exit_codes = "exit codes: 0 ok, 1 run failed or runtime error, 2 usage error, 130 Ctrl-C"
    parser = argparse.ArgumentParser(
        prog="python -m ops",
        description="Operate a deployed glue-etl stack (names come from `pulumi stack output`).",
        epilog=exit_codes,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--stack", required=True, help="Pulumi stack, e.g. dev")
    common.add_argument("--region", help="AWS region (default: the stack's aws:region)")

    following = argparse.ArgumentParser(add_help=False)
    following.add_argument(
        "--workflow", help="Glue workflow name (default: the stack output workflow_name)"
    )
    following.add_argument(
        "--interval",
        type=_positive,
        default=15.0,
        help="seconds between polls while following (default: %(default)g)",
    )

    def command(
        name: str, parents: list[argparse.ArgumentParser], summary: str, description: str
    ) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, parents=parents, help=summary, description=description, epilog=exit_codes
        )

    run = command(
        "run",
        [common, following],
        "start the workflow",
        "Start the stack's Glue workflow (crawler, then the ETL job) and print its run id. With "
        "--wait, print each crawler and job state change until the run ends; the exit code "
        "says whether it succeeded.",
    )
    run.add_argument("--wait", action="store_true", help="follow the run until it ends")

    again = command(
        "follow",
        [common, following],
        "follow a run that is already started",
        "Follow a workflow run started earlier (e.g. after Ctrl-C on `run --wait`) until it "
        "ends, as `run --wait` does.",
    )
    again.add_argument("run_id", help="workflow run id (wr_...), as printed by `run`")

    status = command(
        "status",
        [common],
        "show the last runs",
        "List the last runs of the stack's workflow, newest first: run id, status, start and end "
        "times, and how many actions succeeded or failed; then the job's latest run report: "
        "rows read, written, quarantined and dropped as duplicates, and the files it could not "
        "read, with the reason.",
    )
    status.add_argument(
        "--workflow", help="Glue workflow name (default: the stack output workflow_name)"
    )
    status.add_argument(
        "--limit", type=_positive_int, default=10, help="runs to show (default: %(default)s)"
    )
    status.add_argument(
        "--curated-bucket",
        help="bucket holding the run reports (default: the stack output curated_bucket)",
    )

    catalog = command(
        "catalog",
        [common],
        "compare the catalog's partitions with the data, and repair them",
        "Compare the partitions of the curated tables (trips, hourly_metrics) in the Glue Data "
        "Catalog with the pickup_date=<date> folders under each table's location, and print "
        "where they disagree. With --apply, register the dates that have a folder and no "
        "partition, remove the partitions that have no folder and point the partitions "
        "registered at another folder at their own. The job keeps them in line "
        "for the dates its runs write or empty; this repairs older drift and folders changed by "
        "hand. --apply refuses while the job has a run in progress, which registers or removes "
        "its own dates once it has published; a run started during the repair does the same: "
        "run it again if it named such dates. Athena projects its partitions and "
        "needs none of this. With --check, it exits 1 when they disagree, for a monitor or a "
        "scheduled check.",
    )
    catalog.add_argument(
        "--database", help="Glue database (default: the stack output database_name)"
    )
    catalog.add_argument(
        "--job",
        help="Glue job that must have no run in progress for --apply (default: the stack output "
        "job_name)",
    )
    mode = catalog.add_mutually_exclusive_group()
    mode.add_argument(
        "--apply", action="store_true", help="make the changes (default: only print them)"
    )
    mode.add_argument(
        "--check",
        action="store_true",
        help="change nothing and exit 1 if the catalog and the data disagree",
    )

    up = command(
        "upload",
        [common],
        "upload CSV and Parquet files to input/",
        "Upload .csv, .csv.gz and .parquet files to s3://<raw bucket>/input/, where the next run "
        "picks them up. Folders are walked recursively and keep their layout under input/; files "
        "are encrypted with the stack's KMS key (else the bucket's default encryption applies).",
    )
    up.add_argument("paths", nargs="+", type=Path, help=".csv/.csv.gz/.parquet files or folders")
    up.add_argument("--bucket", help="raw bucket (default: the stack output raw_bucket)")
    up.add_argument("--kms-key", help="KMS key for SSE-KMS (default: the stack output kms_key_arn)")
    return parser
