"""`python -m ops catalog --apply` leaves the catalog alone while the job has a run in progress:
that run registers and removes its own dates once it publishes, whatever the repair did."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ops.stack import INSTALL_URL, PulumiCliMissingError
from tests.ops.catalog_setup import (
    catalog_argv,
    create_partitions,
    pulumi_with_database,
    put_folders,
    registered,
)
from tests.ops.conftest import DATABASE, JOB, REGION, run_cli


def _runs(*states: str) -> list[dict[str, Any]]:
    return [{"Id": f"jr_{n}", "JobName": JOB, "JobRunState": s} for n, s in enumerate(states)]


@pytest.fixture
def drifted(catalog: Any) -> Any:
    """trips: one date without its partition; hourly_metrics in line."""
    for table in ("trips", "hourly_metrics"):
        put_folders(table, "2015-01-01")
    create_partitions(catalog, "hourly_metrics", "2015-01-01")
    return catalog


def _job_runs(glue: Any, monkeypatch: pytest.MonkeyPatch, runs: list[dict[str, Any]]) -> list:
    """Answer GetJobRuns with `runs` (newest first); returns the calls made."""
    calls: list[dict[str, Any]] = []

    def answer(**kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs)
        return {"JobRuns": runs}

    monkeypatch.setattr(glue, "get_job_runs", answer)
    return calls


# A state AWS adds later may be a run that still publishes: only the known ended states pass.
@pytest.mark.parametrize("state", ["STARTING", "RUNNING", "STOPPING", "WAITING", "PAUSED"])
def test_apply_refuses_while_a_job_run_is_in_progress(drifted, monkeypatch, state):
    # With concurrent runs allowed, a run that ended can be newer than one still running.
    calls = _job_runs(drifted, monkeypatch, _runs("SUCCEEDED", state, "FAILED"))

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": drifted})

    assert result.code == 1
    assert result.err_lines == [
        f"error: job '{JOB}' has a run in progress (jr_1, {state}): it registers and removes its "
        "own dates when it publishes; run --apply again once it has ended"
    ]
    assert calls == [{"JobName": JOB, "MaxResults": 200}]
    assert registered(drifted, "trips") == {}


def test_apply_repairs_once_every_run_has_ended(drifted, monkeypatch):
    _job_runs(
        drifted, monkeypatch, _runs("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED")
    )

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": drifted})

    assert (result.code, result.out_lines[-1]) == (
        0,
        "registered 1 partitions, removed 0, repointed 0",
    )
    assert sorted(registered(drifted, "trips")) == ["2015-01-01"]


def test_only_apply_asks_for_the_job_runs(drifted, monkeypatch):
    calls = _job_runs(drifted, monkeypatch, _runs("RUNNING"))

    assert run_cli(catalog_argv(), pulumi_with_database(), {"glue": drifted}).code == 0
    assert run_cli(catalog_argv("--check"), pulumi_with_database(), {"glue": drifted}).code == 1
    create_partitions(drifted, "trips", "2015-01-01")
    in_line = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": drifted})
    assert in_line.code == 0
    assert calls == []


def test_the_job_comes_from_the_stack_or_the_option(drifted, monkeypatch):
    calls = _job_runs(drifted, monkeypatch, [])
    pulumi = pulumi_with_database()
    del pulumi.outputs["job_name"]

    missing = run_cli(catalog_argv("--apply"), pulumi, {"glue": drifted})
    assert (missing.code, missing.err_lines) == (
        2,
        ["error: stack 'dev' has no output 'job_name': run `pulumi up` on it or pass --job"],
    )
    # Known to be missing before the catalog and the folders are read.
    assert missing.out == ""
    pulumi.calls.clear()
    named = run_cli(catalog_argv("--apply", "--job", "other-job"), pulumi, {"glue": drifted})
    assert named.code == 0
    assert calls == [{"JobName": "other-job", "MaxResults": 200}]
    assert [call for call in pulumi.calls if call[:2] == ["stack", "output"]] == [
        ["stack", "output", "--json", "--stack", "dev"]
    ]


def test_apply_with_every_name_given_needs_no_pulumi(drifted, monkeypatch):
    _job_runs(drifted, monkeypatch, [])

    def no_pulumi(args: Sequence[str]) -> str:
        raise PulumiCliMissingError("pulumi")

    argv = catalog_argv("--apply", "--database", DATABASE, "--job", JOB, "--region", REGION)
    result = run_cli(argv, no_pulumi, {"glue": drifted})
    assert (result.code, result.out_lines[-1]) == (
        0,
        "registered 1 partitions, removed 0, repointed 0",
    )

    without_job = run_cli(argv[:-4] + argv[-2:], no_pulumi, {"glue": drifted})
    assert (without_job.code, without_job.err_lines) == (
        1,
        [f"error: pulumi CLI not found: install it ({INSTALL_URL}) or pass --job"],
    )


def test_a_role_that_cannot_list_job_runs_changes_nothing_and_says_why(drifted, monkeypatch):
    def denied(**kwargs: Any) -> dict[str, Any]:
        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "GetJobRuns"
        )

    monkeypatch.setattr(drifted, "get_job_runs", denied)

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": drifted})

    assert (result.code, result.err_lines) == (
        1,
        [
            f"error: cannot tell whether job '{JOB}' has a run in progress: --apply needs "
            "glue:GetJobRuns on it, as a run publishing meanwhile changes its own dates"
        ],
    )
    assert registered(drifted, "trips") == {}


def test_a_job_that_does_not_exist_is_named(drifted):
    result = run_cli(
        catalog_argv("--apply", "--job", "no-such-job"), pulumi_with_database(), {"glue": drifted}
    )

    assert result.code == 1
    assert result.err_lines == [
        "error: job 'no-such-job' not found in eu-west-1: check --job/--region"
    ]
    assert registered(drifted, "trips") == {}
