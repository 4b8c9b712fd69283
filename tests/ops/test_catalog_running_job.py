"""`python -m ops catalog --apply` leaves the catalog alone while the job has a run in progress:
that run registers and removes its own dates once it publishes, whatever the repair did."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ops.catalog_setup import (
    catalog_argv,
    create_partitions,
    pulumi_with_database,
    put_folders,
    registered,
)
from tests.ops.conftest import JOB, run_cli


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


@pytest.mark.parametrize("state", ["STARTING", "RUNNING", "STOPPING", "WAITING"])
def test_apply_refuses_while_a_job_run_is_in_progress(drifted, monkeypatch, state):
    calls = _job_runs(drifted, monkeypatch, _runs(state, "SUCCEEDED"))

    result = run_cli(catalog_argv("--apply"), pulumi_with_database(), {"glue": drifted})

    assert result.code == 1
    assert result.err_lines == [
        f"error: job '{JOB}' has a run in progress (jr_0, {state}): it registers and removes its "
        "own dates when it publishes; run --apply again once it has ended"
    ]
    assert calls == [{"JobName": JOB, "MaxResults": 200}]
    assert registered(drifted, "trips") == {}


def test_apply_repairs_once_every_run_has_ended(drifted, monkeypatch):
    _job_runs(drifted, monkeypatch, _runs("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR"))

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
    named = run_cli(catalog_argv("--apply", "--job", "other-job"), pulumi, {"glue": drifted})
    assert named.code == 0
    assert calls == [{"JobName": "other-job", "MaxResults": 200}]
    # The stack is read once for both names.
    assert sum(call[:3] == ["stack", "output", "--json"] for call in pulumi.calls) == 2


def test_a_job_that_does_not_exist_is_named(drifted):
    result = run_cli(
        catalog_argv("--apply", "--job", "no-such-job"), pulumi_with_database(), {"glue": drifted}
    )

    assert result.code == 1
    assert result.err_lines == [
        "error: job 'no-such-job' not found in eu-west-1: check --job/--region"
    ]
    assert registered(drifted, "trips") == {}
