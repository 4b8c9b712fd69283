"""The most recent runs of a workflow (GetWorkflowRuns), the job's latest run report and the runs
still waiting to be announced."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from ops.errors import aws_error_code

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def recent_runs(glue: Any, workflow: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` runs, newest first, without their graphs.

    The API documents no order, so every page is read (Glue keeps run history for a bounded
    time, so this stays small) and sorted here.
    """
    paginator = glue.get_paginator("get_workflow_runs")
    runs: list[dict[str, Any]] = []
    for page in paginator.paginate(Name=workflow, IncludeGraph=False):
        runs.extend(page.get("Runs", []))
    runs.sort(key=lambda run: run.get("StartedOn") or _EPOCH, reverse=True)
    return runs[:limit]


# Where the job writes its report of the last run (etl.paths.REPORTS_DIR in the curated bucket).
LATEST_REPORT_KEY = "_reports/latest.json"


def latest_report(s3: Any, bucket: str) -> dict[str, Any] | None:
    """The job's latest run report, or None when no run has written one yet."""
    try:
        body = s3.get_object(Bucket=bucket, Key=LATEST_REPORT_KEY)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise
    return json.loads(body)


def format_report(report: dict[str, Any] | None, bucket: str) -> list[str]:
    """The report's counts and failed files, a line each, then the runs it finished after they
    died past their commit (their own reports are under `_reports/` too)."""
    if report is None:
        return [f"latest run report: none yet (s3://{bucket}/{LATEST_REPORT_KEY})"]
    failed = report.get("failed_files", [])
    lines = [
        f"latest run report: {report['run_id']} "
        f"({report['mode']}, finished {report['finished_at']})",
        f"  rows read {report['rows_read']}, written {report['rows_written']}, "
        f"quarantined {report['rows_quarantined']}, duplicates dropped "
        f"{report['duplicates_dropped']}",
        f"  files processed {report['files_processed']}, failed {len(failed)}, "
        f"skipped {len(report.get('skipped_files', []))}",
    ]
    lines += [f"  failed: {f['path']}: {f['reason']}" for f in failed]
    earlier = [f for f in report.get("unloaded_files", []) if f not in failed]
    lines += [f"  not loaded since an earlier run: {f['path']}: {f['reason']}" for f in earlier]
    lines += [
        f"  finished run {r['run_id']}, which died after its commit: rows read {r['rows_read']}, "
        f"written {r['rows_written']}, quarantined {r['rows_quarantined']}"
        for r in _recovered(report)
    ]
    return lines


def _recovered(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The runs a report's run finished, oldest first: a recovered run may have finished one
    itself before it died."""
    runs = report.get("recovered_runs", [])
    return [run for r in runs for run in [*_recovered(r), r]]


# Where a run waits until its dates are registered and its counts published (etl.announce).
ANNOUNCE_PREFIX = "_announce/"


def waiting_runs(s3: Any, bucket: str) -> list[str] | None:
    """Ids of the runs waiting to be announced, oldest first (run ids sort by time); None when
    the caller may not list the bucket (reading the latest report needs no listing)."""
    paginator = s3.get_paginator("list_objects_v2")
    try:
        keys = [
            item["Key"]
            for page in paginator.paginate(Bucket=bucket, Prefix=ANNOUNCE_PREFIX)
            for item in page.get("Contents", [])
        ]
    except ClientError as exc:
        if aws_error_code(exc) == "AccessDenied":
            return None
        raise
    names = [key.removeprefix(ANNOUNCE_PREFIX) for key in keys]
    return sorted(n.removesuffix(".json") for n in names if n.endswith(".json") and "/" not in n)


def format_waiting(run_ids: list[str] | None, bucket: str) -> list[str]:
    """One line when runs are waiting (none otherwise): how many, and the oldest."""
    if run_ids is None:
        return [
            f"runs waiting to be announced: unknown (listing s3://{bucket}/{ANNOUNCE_PREFIX} "
            "needs s3:ListBucket)"
        ]
    if not run_ids:
        return []
    return [
        f"runs whose counts or dates are still to be announced: {len(run_ids)}, "
        f"oldest {run_ids[0]} (s3://{bucket}/{ANNOUNCE_PREFIX}; the next job run retries them)"
    ]
