"""`python -m ops status` against moto's GetWorkflowRuns."""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.glue.models import glue_backends

from ops.display import format_statistics
from ops.status import format_waiting, waiting_runs
from tests.ops.conftest import (
    CURATED_BUCKET,
    REGION,
    STACK,
    T0,
    WORKFLOW,
    FakePulumi,
    run_cli,
    stack_outputs,
)

NO_REPORT = f"latest run report: none yet (s3://{CURATED_BUCKET}/_reports/latest.json)"


def test_status_lists_runs_newest_first(glue):
    first = glue.start_workflow_run(Name=WORKFLOW)["RunId"]
    second = glue.start_workflow_run(Name=WORKFLOW)["RunId"]
    # moto has no way to finish a run through the API; set its state as Glue would.
    runs = glue_backends[DEFAULT_ACCOUNT_ID][REGION].workflows[WORKFLOW].runs
    runs[first].started_on = T0
    runs[first].status = "COMPLETED"
    runs[first].completed_on = T0 + timedelta(minutes=6, seconds=15)
    runs[second].started_on = T0 + timedelta(hours=1)

    result = run_cli(["status", "--stack", STACK], FakePulumi(stack_outputs()), {"glue": glue})

    assert result.code == 0
    assert [line.split() for line in result.out_lines] == [
        ["RUN", "ID", "STATUS", "STARTED", "COMPLETED", "ACTIONS"],
        [second, "RUNNING", "2026-11-24", "23:00:00Z", "-", "-"],
        [first, "COMPLETED", "2026-11-24", "22:00:00Z", "2026-11-24", "22:06:15Z", "-"],
        NO_REPORT.split(),
    ]


def test_status_limit_keeps_the_newest(glue):
    ids = [glue.start_workflow_run(Name=WORKFLOW)["RunId"] for _ in range(3)]
    runs = glue_backends[DEFAULT_ACCOUNT_ID][REGION].workflows[WORKFLOW].runs
    for offset, run_id in enumerate(ids):
        runs[run_id].started_on = T0 + timedelta(minutes=offset)

    result = run_cli(
        ["status", "--stack", STACK, "--limit", "2"], FakePulumi(stack_outputs()), {"glue": glue}
    )

    assert [line.split()[0] for line in result.out_lines[1:3]] == [ids[2], ids[1]]


def test_status_without_runs(glue):
    result = run_cli(["status", "--stack", STACK], FakePulumi(stack_outputs()), {"glue": glue})

    assert result.code == 0
    assert result.out_lines == [f"no runs yet for workflow {WORKFLOW}", NO_REPORT]


def test_status_of_a_missing_workflow(glue):
    result = run_cli(
        ["status", "--stack", STACK, "--workflow", "gone"],
        FakePulumi(stack_outputs()),
        {"glue": glue},
    )

    assert result.code == 1
    assert result.err_lines == [
        f"error: workflow 'gone' not found in {REGION}: deploy the stack or check --workflow/--region"
    ]


def test_statistics_show_total_and_nonzero_counts():
    # moto returns no Statistics, so the column's real content is checked here.
    statistics = {
        "TotalActions": 2,
        "SucceededActions": 1,
        "FailedActions": 1,
        "RunningActions": 0,
        "WaitingActions": 0,
    }

    assert format_statistics(statistics) == "total=2 succeeded=1 failed=1"
    assert format_statistics({"TotalActions": 0}) == "total=0"
    assert format_statistics({}) == "-"


def test_status_shows_the_latest_report_and_its_failed_files(glue):
    report = {
        "run_id": "20261124T220000000000Z-abc123",
        "mode": "incremental",
        "finished_at": "2026-11-24T22:06:15+00:00",
        "files_processed": 3,
        "rows_read": 120,
        "rows_written": 100,
        "rows_quarantined": 15,
        "duplicates_dropped": 5,
        "failed_files": [
            {"path": "2024/cut.csv.gz", "reason": "unreadable_file: EOFException: truncated"}
        ],
        "unloaded_files": [
            {"path": "2023/old.parquet", "reason": "unreadable_file: not a Parquet file"},
            {"path": "2024/cut.csv.gz", "reason": "unreadable_file: EOFException: truncated"},
        ],
        "skipped_files": [{"path": "notes.txt", "reason": "unsupported_file_type"}],
    }
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(Bucket=CURATED_BUCKET, Key="_reports/latest.json", Body=json.dumps(report))

    result = run_cli(["status", "--stack", STACK], FakePulumi(stack_outputs()), {"glue": glue})

    assert result.code == 0
    assert result.out_lines == [
        f"no runs yet for workflow {WORKFLOW}",
        "latest run report: 20261124T220000000000Z-abc123 (incremental, finished "
        "2026-11-24T22:06:15+00:00)",
        "  rows read 120, written 100, quarantined 15, duplicates dropped 5",
        "  files processed 3, failed 1, skipped 1",
        "  failed: 2024/cut.csv.gz: unreadable_file: EOFException: truncated",
        "  not loaded since an earlier run: 2023/old.parquet: unreadable_file: not a Parquet file",
    ]


def test_status_names_a_run_the_latest_one_finished_after_it_died(glue):
    older = {"run_id": "20261124T200000000000Z-dead00", "rows_read": 9, "rows_written": 8}
    dead = {"run_id": "20261124T210000000000Z-dead01", "rows_read": 90, "rows_written": 80}
    # The dead run had finished an older one before it died in turn.
    dead["recovered_runs"] = [{**older, "rows_quarantined": 1}]
    report = {
        "run_id": "20261124T220000000000Z-abc123",
        "mode": "incremental",
        "finished_at": "2026-11-24T22:06:15+00:00",
        "files_processed": 0,
        "rows_read": 0,
        "rows_written": 0,
        "rows_quarantined": 0,
        "duplicates_dropped": 0,
        "recovered_runs": [{**dead, "rows_quarantined": 10}],
    }
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(Bucket=CURATED_BUCKET, Key="_reports/latest.json", Body=json.dumps(report))

    result = run_cli(["status", "--stack", STACK], FakePulumi(stack_outputs()), {"glue": glue})

    assert result.code == 0
    assert result.out_lines[-2:] == [
        "  finished run 20261124T200000000000Z-dead00, which died after its commit: "
        "rows read 9, written 8, quarantined 1",
        "  finished run 20261124T210000000000Z-dead01, which died after its commit: "
        "rows read 90, written 80, quarantined 10",
    ]


def test_status_names_the_runs_still_waiting_to_be_announced(glue):
    s3 = boto3.client("s3", region_name=REGION)
    for run_id in ("20261124T220000000000Z-abc123", "20261124T210000000000Z-dead01"):
        s3.put_object(Bucket=CURATED_BUCKET, Key=f"_announce/{run_id}.json", Body=b"{}")
    # The folder object some S3 tools create is not a run.
    s3.put_object(Bucket=CURATED_BUCKET, Key="_announce/", Body=b"")

    result = run_cli(["status", "--stack", STACK], FakePulumi(stack_outputs()), {"glue": glue})

    assert result.code == 0
    assert result.out_lines[-1] == (
        "runs whose counts or dates are still to be announced: 2, oldest "
        f"20261124T210000000000Z-dead01 (s3://{CURATED_BUCKET}/_announce/; the next job run "
        "retries them)"
    )


class _NoListing:
    """An S3 client whose caller may read objects but not list the bucket."""

    def get_paginator(self, operation: str) -> _NoListing:
        return self

    def paginate(self, **_: object) -> list[dict[str, object]]:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "ListObjectsV2")


def test_status_says_when_it_may_not_list_the_runs_waiting():
    assert format_waiting(waiting_runs(_NoListing(), CURATED_BUCKET), CURATED_BUCKET) == [
        f"runs waiting to be announced: unknown (listing s3://{CURATED_BUCKET}/_announce/ "
        "needs s3:ListBucket)"
    ]
