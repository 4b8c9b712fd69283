"""The five commands (run, follow, status, catalog, upload) and the entry point that dispatches
to them."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from ops import display
from ops.catalog import (
    LocationError,
    RepairError,
    drift,
    format_drift,
    refuse_while_running,
    repair,
)
from ops.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    OpsError,
    UsageError,
    aws_error_code,
)
from ops.parser import build_parser
from ops.stack import (
    INSTALL_URL,
    LazyOutputs,
    PulumiCliMissingError,
    Runner,
    lacking_flags,
    run_pulumi,
    stack_region,
)
from ops.status import format_report, format_waiting, latest_report, recent_runs, waiting_runs
from ops.upload import collect, upload
from ops.workflow import ActionState, follow, start_run

ClientFactory = Callable[[str, str | None], Any]


def boto3_client(service: str, region: str | None) -> Any:
    """A boto3 client using the standard credential chain (env, profile, SSO, instance role)."""
    return boto3.client(service, region_name=region)


def boto3_default_region() -> str | None:
    """The region boto3 uses when none is given (AWS_REGION, AWS_DEFAULT_REGION, the profile)."""
    return boto3.session.Session().region_name


@dataclass
class Env:
    """Everything a command touches outside its arguments, injectable for tests."""

    runner: Runner = run_pulumi
    client: ClientFactory = boto3_client
    default_region: Callable[[], str | None] = boto3_default_region
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)


def _region(args: argparse.Namespace, env: Env) -> str | None:
    if args.region:
        return args.region
    try:
        return stack_region(args.stack, env.runner)
    except PulumiCliMissingError as exc:
        # Without pulumi the stack's region is unknown; boto3's own default may still do.
        if env.default_region():
            return None
        raise OpsError(
            f"{exc.executable} CLI not found, so the stack's aws:region cannot be read: "
            f"pass --region, or install it ({INSTALL_URL})"
        ) from exc


def _workflow(args: argparse.Namespace, outputs: LazyOutputs) -> str:
    return args.workflow or outputs.require("workflow_name", "--workflow")


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
    return aws_error_code(exc) == "EntityNotFoundException"


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
    workflow = _workflow(args, LazyOutputs(args.stack, env.runner))
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
    workflow = _workflow(args, LazyOutputs(args.stack, env.runner))
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
    lacking = lacking_flags(
        ("--workflow", args.workflow), ("--curated-bucket", args.curated_bucket)
    )
    outputs = LazyOutputs(args.stack, env.runner, lacking)
    workflow = _workflow(args, outputs)
    # Named before any AWS call, so that a missing name costs none.
    bucket = args.curated_bucket or outputs.require("curated_bucket", "--curated-bucket")
    region = _region(args, env)
    try:
        runs = recent_runs(env.client("glue", region), workflow, args.limit)
    except ClientError as exc:
        raise _not_found(exc, workflow, region) from exc
    if not runs:
        print(f"no runs yet for workflow {workflow}", file=env.out)
    else:
        print(display.RUN_TABLE_HEADER, file=env.out)
        for run in runs:
            print(display.format_run_row(run), file=env.out)
    s3 = env.client("s3", region)
    for line in format_report(latest_report(s3, bucket), bucket):
        print(line, file=env.out)
    for line in format_waiting(waiting_runs(s3, bucket), bucket):
        print(line, file=env.out)
    return EXIT_OK


def cmd_catalog(args: argparse.Namespace, env: Env) -> int:
    """Print where the curated tables' partitions and date folders disagree; with --apply,
    register, remove and repoint partitions until they agree; with --check, exit 1 if they
    disagree."""
    lacking = lacking_flags(("--database", args.database), ("--job", args.job or not args.apply))
    outputs = LazyOutputs(args.stack, env.runner, lacking)
    database = args.database or outputs.require("database_name", "--database")
    # Named before the comparison, so that a missing name costs no listing.
    job = (args.job or outputs.require("job_name", "--job")) if args.apply else ""
    region = _region(args, env)
    glue = env.client("glue", region)
    try:
        drifts = drift(glue, env.client("s3", region), database)
    except ClientError as exc:
        if _is_not_found(exc):
            raise OpsError(
                f"database '{database}' or a curated table in it not found in "
                f"{region or 'the default region'}: deploy the stack or check --database/--region"
            ) from exc
        raise
    except LocationError as exc:
        raise OpsError(f"database '{database}': {exc}") from exc
    for line in format_drift(drifts):
        print(line, file=env.out)
    if all(d.in_line for d in drifts):
        return EXIT_OK
    if args.check:
        print(
            "catalog out of line with the data: pass --apply to make these changes",
            file=env.out,
        )
        return EXIT_FAILED
    if not args.apply:
        print("nothing changed: pass --apply to make these changes", file=env.out)
        return EXIT_OK
    refuse_while_running(glue, job, region or "the default region")
    try:
        done = repair(glue, database, drifts)
    except RepairError as exc:
        raise OpsError(f"catalog not repaired in full: {exc}") from exc
    print(
        f"registered {done.registered} partitions, removed {done.removed}, "
        f"repointed {done.repointed}",
        file=env.out,
    )
    return EXIT_OK


def cmd_upload(args: argparse.Namespace, env: Env) -> int:
    """Upload CSV files to s3://<raw bucket>/input/ with a progress bar on stderr."""
    items = collect(args.paths)
    bucket, kms_key = args.bucket, args.kms_key
    if not bucket:
        outputs = LazyOutputs(args.stack, env.runner)
        bucket = outputs.require("raw_bucket", "--bucket")
        kms_key = kms_key or outputs.get("kms_key_arn", "--kms-key") or None
    region = _region(args, env)
    # Fail on missing or expired credentials before announcing an upload that cannot start.
    # GetCallerIdentity needs no IAM permission, so it checks the credentials and nothing else.
    env.client("sts", region).get_caller_identity()
    total = sum(item.size for item in items)
    print(f"uploading {len(items)} files ({total} bytes) to s3://{bucket}/input/", file=env.out)
    for item in items:
        print(f"  {item.path} -> {item.key}", file=env.out)
    s3 = env.client("s3", region)
    upload(s3, bucket, items, kms_key, display.ProgressBar(total, env.err))
    print(f"uploaded {len(items)} files", file=env.out)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Env], int]] = {
    "run": cmd_run,
    "follow": cmd_follow,
    "status": cmd_status,
    "catalog": cmd_catalog,
    "upload": cmd_upload,
}


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    """Run one command and return its exit code (see the ``ops`` package docstring)."""
    env = env or Env()
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, env)
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
