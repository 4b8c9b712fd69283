"""Argument parsing and the four commands: run, follow, status, upload."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from ops import display
from ops.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, OpsError, UsageError
from ops.stack import Runner, require_output, run_pulumi, stack_outputs, stack_region
from ops.status import recent_runs
from ops.upload import collect, upload
from ops.workflow import ActionState, follow, start_run

ClientFactory = Callable[[str, str | None], Any]


def boto3_client(service: str, region: str | None) -> Any:
    """A boto3 client using the standard credential chain (env, profile, SSO, instance role)."""
    return boto3.client(service, region_name=region)


@dataclass
class Env:
    """Everything a command touches outside its arguments, injectable for tests."""

    runner: Runner = run_pulumi
    client: ClientFactory = boto3_client
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m ops`` parser; argparse itself exits 2 on bad arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m ops",
        description="Operate a deployed glue-etl stack (names come from `pulumi stack output`).",
        epilog="exit codes: 0 ok, 1 run failed or runtime error, 2 usage error, 130 Ctrl-C",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--stack", required=True, help="Pulumi stack, e.g. dev")
    common.add_argument("--region", help="AWS region (default: the stack's aws:region)")

    following = argparse.ArgumentParser(add_help=False)
    following.add_argument("--workflow", help="Glue workflow name (default: stack output)")
    following.add_argument(
        "--interval", type=_positive, default=15.0, help="seconds between polls (default 15)"
    )

    run = commands.add_parser("run", parents=[common, following], help="start the workflow")
    run.add_argument("--wait", action="store_true", help="follow the run until it ends")
    run.set_defaults(handler=cmd_run)

    again = commands.add_parser(
        "follow", parents=[common, following], help="follow a run that is already started"
    )
    again.add_argument("run_id", help="workflow run id (wr_...)")
    again.set_defaults(handler=cmd_follow)

    status = commands.add_parser("status", parents=[common], help="show the last runs")
    status.add_argument("--workflow", help="Glue workflow name (default: stack output)")
    status.add_argument("--limit", type=_positive_int, default=10, help="runs to show")
    status.set_defaults(handler=cmd_status)

    up = commands.add_parser("upload", parents=[common], help="upload CSV files to input/")
    up.add_argument("paths", nargs="+", type=Path, help=".csv/.csv.gz files or folders")
    up.add_argument("--bucket", help="raw bucket (default: stack output raw_bucket)")
    up.add_argument("--kms-key", help="KMS key for SSE-KMS (default: stack output kms_key_arn)")
    up.set_defaults(handler=cmd_upload)
    return parser


def _region(args: argparse.Namespace, env: Env) -> str | None:
    return args.region or stack_region(args.stack, env.runner)


def _workflow(args: argparse.Namespace, env: Env) -> str:
    if args.workflow:
        return args.workflow
    return require_output(
        stack_outputs(args.stack, env.runner), "workflow_name", args.stack, "--workflow"
    )


def _follow_hint(args: argparse.Namespace, run_id: str) -> str:
    parts = ["python -m ops follow", f"--stack {args.stack}"]
    if args.workflow:
        parts.append(f"--workflow {args.workflow}")
    if args.region:
        parts.append(f"--region {args.region}")
    return " ".join([*parts, run_id])


def _watch(glue: Any, workflow: str, run_id: str, args: argparse.Namespace, env: Env) -> int:
    def show(action: ActionState) -> None:
        print(display.format_action(action, env.now()), file=env.out, flush=True)

    try:
        snapshot = follow(
            glue, workflow, run_id, interval=args.interval, sleep=env.sleep, on_change=show
        )
    except KeyboardInterrupt:
        print(f"stopped following; run {run_id} of {workflow} keeps running", file=env.err)
        print(f"follow again: {_follow_hint(args, run_id)}", file=env.err)
        print(f"last runs:    python -m ops status --stack {args.stack}", file=env.err)
        return EXIT_INTERRUPTED
    print(display.format_summary(snapshot), file=env.out)
    if snapshot.succeeded:
        return EXIT_OK
    for action in snapshot.failures:
        print(f"FAILED {display.format_failure(action)}", file=env.err)
    if snapshot.error:
        print(f"FAILED run {run_id}: {snapshot.error}", file=env.err)
    if not snapshot.failures and not snapshot.error:
        print(f"FAILED run {run_id} ended {snapshot.status}", file=env.err)
    return EXIT_FAILED


def _is_not_found(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "EntityNotFoundException"


def _workflow_exists(glue: Any, workflow: str) -> bool:
    try:
        glue.get_workflow(Name=workflow)
    except ClientError as exc:
        if _is_not_found(exc):
            return False
        raise
    return True


def _not_found(exc: ClientError, workflow: str, region: str | None) -> OpsError:
    where = region or "the default region"
    return OpsError(
        f"workflow '{workflow}' not found in {where}: deploy the stack or check --workflow/--region"
        if _is_not_found(exc)
        else f"AWS error: {exc}"
    )


def cmd_run(args: argparse.Namespace, env: Env) -> int:
    """Start the stack's workflow; with --wait, follow it to the end."""
    workflow = _workflow(args, env)
    region = _region(args, env)
    glue = env.client("glue", region)
    try:
        run_id = start_run(glue, workflow)
    except ClientError as exc:
        raise _not_found(exc, workflow, region) from exc
    print(f"started {workflow} run {run_id}", file=env.out, flush=True)
    if not args.wait:
        print(f"follow it: {_follow_hint(args, run_id)}", file=env.out)
        return EXIT_OK
    return _watch(glue, workflow, run_id, args, env)


def cmd_follow(args: argparse.Namespace, env: Env) -> int:
    """Follow an existing run (e.g. after Ctrl-C on ``run --wait``)."""
    workflow = _workflow(args, env)
    region = _region(args, env)
    glue = env.client("glue", region)
    try:
        return _watch(glue, workflow, args.run_id, args, env)
    except ClientError as exc:
        # GetWorkflowRun says EntityNotFound for a wrong run id too: only blame the workflow
        # when it is really missing.
        if _is_not_found(exc) and _workflow_exists(glue, workflow):
            raise OpsError(
                f"run '{args.run_id}' of workflow '{workflow}' not found in "
                f"{region or 'the default region'}: "
                f"list the runs with python -m ops status --stack {args.stack}"
            ) from exc
        raise _not_found(exc, workflow, region) from exc


def cmd_status(args: argparse.Namespace, env: Env) -> int:
    """Print the last runs of the stack's workflow as a table."""
    workflow = _workflow(args, env)
    region = _region(args, env)
    try:
        runs = recent_runs(env.client("glue", region), workflow, args.limit)
    except ClientError as exc:
        raise _not_found(exc, workflow, region) from exc
    if not runs:
        print(f"no runs yet for workflow {workflow}", file=env.out)
        return EXIT_OK
    print(display.RUN_TABLE_HEADER, file=env.out)
    for run in runs:
        print(display.format_run_row(run), file=env.out)
    return EXIT_OK


def cmd_upload(args: argparse.Namespace, env: Env) -> int:
    """Upload CSV files to s3://<raw bucket>/input/ with a progress bar on stderr."""
    items = collect(args.paths)
    bucket, kms_key = args.bucket, args.kms_key
    if not bucket:
        outputs = stack_outputs(args.stack, env.runner)
        bucket = require_output(outputs, "raw_bucket", args.stack, "--bucket")
        kms_key = kms_key or outputs.get("kms_key_arn") or None
    total = sum(item.size for item in items)
    print(f"uploading {len(items)} files ({total} bytes) to s3://{bucket}/input/", file=env.out)
    for item in items:
        print(f"  {item.path} -> {item.key}", file=env.out)
    s3 = env.client("s3", _region(args, env))
    upload(s3, bucket, items, kms_key, display.ProgressBar(total, env.err))
    print(f"uploaded {len(items)} files", file=env.out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    """Run one command and return its exit code (see the ``ops`` package docstring)."""
    env = env or Env()
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args, env)
    except (OpsError, UsageError) as exc:
        print(f"error: {exc}", file=env.err)
        return exc.exit_code
    except NoRegionError:
        print("error: no AWS region: pass --region or set aws:region on the stack", file=env.err)
        return EXIT_USAGE
    except NoCredentialsError:
        print("error: no AWS credentials found (aws configure / aws sso login)", file=env.err)
        return EXIT_FAILED
    except (ClientError, BotoCoreError) as exc:
        print(f"error: AWS: {exc}", file=env.err)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=env.err)
        return EXIT_INTERRUPTED
