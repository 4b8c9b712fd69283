"""`python -m ops run` / `follow` against moto, with GetWorkflowRun scripted where moto stops."""

from __future__ import annotations

from typing import Any

import pytest

from ops.stack import run_pulumi
from tests.ops.conftest import (
    CRAWLER,
    JOB,
    REGION,
    STACK,
    WORKFLOW,
    FakePulumi,
    Result,
    crawler_node,
    frame,
    job_node,
    run_cli,
    script_workflow_run,
    stack_outputs,
)


def run_and_wait(glue: Any) -> Result:
    """`python -m ops run --stack dev --wait`, names and region from the stack's outputs."""
    return run_cli(["run", "--stack", STACK, "--wait"], FakePulumi(stack_outputs()), {"glue": glue})


def started_run_id(result_out: str) -> str:
    first = result_out.splitlines()[0].split()
    assert first[:3] == ["started", WORKFLOW, "run"]
    return first[3]


def tokens(lines: list[str]) -> list[list[str]]:
    return [line.split() for line in lines]


def test_run_without_wait_starts_the_stack_workflow_in_the_stack_region(glue):
    pulumi = FakePulumi(stack_outputs())

    result = run_cli(["run", "--stack", STACK], pulumi, {"glue": glue})

    assert result.code == 0
    run_id = started_run_id(result.out)
    assert result.out_lines[1] == f"follow it: python -m ops follow --stack {STACK} {run_id}"
    runs = glue.get_workflow_runs(Name=WORKFLOW)["Runs"]
    assert [(run["WorkflowRunId"], run["Status"]) for run in runs] == [(run_id, "RUNNING")]
    assert pulumi.calls == [
        ["stack", "output", "--json", "--stack", STACK],
        ["config", "get", "aws:region", "--stack", STACK],
    ]
    assert result.regions == [("glue", REGION)]
    assert result.err == ""


def test_run_wait_prints_each_action_change_and_exits_0_on_success(glue, monkeypatch):
    calls = script_workflow_run(
        monkeypatch,
        glue,
        [
            frame("RUNNING", crawler_node("RUNNING", started=5), job_node()),
            frame("RUNNING", crawler_node("SUCCEEDED", 5, 65), job_node("RUNNING", started=70)),
            frame("RUNNING", crawler_node("SUCCEEDED", 5, 65), job_node("RUNNING", started=70)),
            frame(
                "COMPLETED",
                crawler_node("SUCCEEDED", 5, 65),
                job_node("SUCCEEDED", 70, 370),
                statistics={"TotalActions": 2, "SucceededActions": 2, "FailedActions": 0},
                completed=375,
            ),
        ],
    )

    result = run_cli(
        ["run", "--stack", STACK, "--wait", "--interval", "0.5"],
        FakePulumi(stack_outputs()),
        {"glue": glue},
    )

    run_id = started_run_id(result.out)
    # NOW is T0 + 600 s, so a running action shows the time since it started.
    assert tokens(result.out_lines[1:]) == [
        ["crawler", CRAWLER, "RUNNING", "0:09:55"],
        ["job", JOB, "WAITING", "-"],
        ["crawler", CRAWLER, "SUCCEEDED", "0:01:00"],
        ["job", JOB, "RUNNING", "0:08:50"],
        ["job", JOB, "SUCCEEDED", "0:05:00"],
        ["run", run_id, "COMPLETED", "in", "0:06:15", "(total=2", "succeeded=2)"],
    ]
    assert result.code == 0
    assert result.err == ""
    assert result.sleeps == [0.5, 0.5, 0.5]
    assert all(call == {"Name": WORKFLOW, "RunId": run_id, "IncludeGraph": True} for call in calls)


def test_failed_job_exits_1_with_glue_error_message(glue, monkeypatch):
    error = "AnalysisException: Path does not exist: s3://glue-etl-dev-raw-0a1b2c/input/"
    script_workflow_run(
        monkeypatch,
        glue,
        [
            frame(
                "COMPLETED",
                crawler_node("SUCCEEDED", 5, 65),
                job_node("FAILED", 70, 130, error=error),
                statistics={"TotalActions": 2, "SucceededActions": 1, "FailedActions": 1},
                completed=131,
            )
        ],
    )

    result = run_and_wait(glue)

    assert result.code == 1
    assert tokens(result.out_lines[-1:])[0][2:] == [
        "COMPLETED",
        "in",
        "0:02:11",
        "(total=2",
        "succeeded=1",
        "failed=1)",
    ]
    assert result.err_lines == [f"FAILED job {JOB} FAILED: {error}"]
    assert result.sleeps == []


def test_failed_crawler_exits_1_and_the_job_never_starts(glue, monkeypatch):
    error = "Insufficient Lake Formation permission(s) on glue_etl_dev"
    script_workflow_run(
        monkeypatch,
        glue,
        [
            frame(
                "COMPLETED",
                crawler_node("FAILED", 5, 20, error=error),
                job_node(),
                statistics={"TotalActions": 1, "FailedActions": 1},
                completed=21,
            )
        ],
    )

    result = run_and_wait(glue)

    assert result.code == 1
    assert tokens(result.out_lines[1:3]) == [
        ["crawler", CRAWLER, "FAILED", "0:00:15"],
        ["job", JOB, "WAITING", "-"],
    ]
    assert result.err_lines == [f"FAILED crawler {CRAWLER} FAILED: {error}"]


def test_run_in_error_status_exits_1_with_the_run_error(glue, monkeypatch):
    script_workflow_run(
        monkeypatch,
        glue,
        [frame("ERROR", crawler_node(), job_node(), error="Concurrent runs exceeded", completed=1)],
    )

    result = run_and_wait(glue)

    run_id = started_run_id(result.out)
    assert result.code == 1
    assert result.err_lines == [f"FAILED run {run_id}: Concurrent runs exceeded"]


def test_completed_run_with_failed_statistics_only_is_not_success(glue, monkeypatch):
    # Glue can drop a node's run history from the graph; the statistics still count it.
    script_workflow_run(
        monkeypatch,
        glue,
        [
            frame(
                "COMPLETED",
                crawler_node("SUCCEEDED", 5, 65),
                job_node(),
                statistics={"TotalActions": 2, "SucceededActions": 1, "TimeoutActions": 1},
                completed=400,
            )
        ],
    )

    result = run_and_wait(glue)

    run_id = started_run_id(result.out)
    assert result.code == 1
    assert result.err_lines == [f"FAILED run {run_id} ended COMPLETED"]


def test_ctrl_c_stops_following_but_not_the_run(glue, monkeypatch):
    script_workflow_run(
        monkeypatch, glue, [frame("RUNNING", crawler_node("RUNNING", started=5), job_node())]
    )

    result = run_cli(
        ["run", "--stack", STACK, "--wait"],
        FakePulumi(stack_outputs()),
        {"glue": glue},
        sleep_error=KeyboardInterrupt(),
    )

    run_id = started_run_id(result.out)
    assert result.code == 130
    assert result.err_lines == [
        f"stopped following; run {run_id} of {WORKFLOW} keeps running",
        f"follow again: python -m ops follow --stack {STACK} {run_id}",
        f"last runs:    python -m ops status --stack {STACK}",
    ]
    runs = glue.get_workflow_runs(Name=WORKFLOW)["Runs"]
    assert [(run["WorkflowRunId"], run["Status"]) for run in runs] == [(run_id, "RUNNING")]


def test_follow_attaches_to_an_existing_run(glue, monkeypatch):
    run_id = glue.start_workflow_run(Name=WORKFLOW)["RunId"]
    script_workflow_run(
        monkeypatch,
        glue,
        [
            frame(
                "COMPLETED",
                crawler_node("SUCCEEDED", 5, 65),
                job_node("SUCCEEDED", 70, 370),
                statistics={"TotalActions": 2, "SucceededActions": 2},
                completed=375,
            )
        ],
    )

    result = run_cli(
        ["follow", "--stack", STACK, "--workflow", WORKFLOW, "--region", REGION, run_id],
        FakePulumi(stack_outputs()),
        {"glue": glue},
    )

    assert result.code == 0
    assert tokens(result.out_lines) == [
        ["crawler", CRAWLER, "SUCCEEDED", "0:01:00"],
        ["job", JOB, "SUCCEEDED", "0:05:00"],
        ["run", run_id, "COMPLETED", "in", "0:06:15", "(total=2", "succeeded=2)"],
    ]


def test_missing_workflow_is_a_one_line_runtime_error(glue):
    pulumi = FakePulumi(stack_outputs())

    result = run_cli(
        ["run", "--stack", STACK, "--workflow", "nope", "--wait"], pulumi, {"glue": glue}
    )

    assert result.code == 1
    assert result.err_lines == [
        f"error: workflow 'nope' not found in {REGION}: "
        "deploy the stack or check --workflow/--region"
    ]
    assert result.out == ""
    # --workflow skips the outputs; the region still comes from the stack.
    assert pulumi.calls == [["config", "get", "aws:region", "--stack", STACK]]


def test_unknown_run_id_on_follow_blames_the_run_not_the_workflow(glue):
    result = run_cli(
        ["follow", "--stack", STACK, "wr_missing"], FakePulumi(stack_outputs()), {"glue": glue}
    )

    assert result.code == 1
    assert result.err_lines == [
        f"error: run 'wr_missing' of workflow '{WORKFLOW}' not found in {REGION}: "
        f"list the runs with python -m ops status --stack {STACK}"
    ]


def test_follow_on_a_missing_workflow_names_the_workflow(glue):
    result = run_cli(
        ["follow", "--stack", STACK, "--workflow", "nope", "wr_1"],
        FakePulumi(stack_outputs()),
        {"glue": glue},
    )

    assert result.code == 1
    assert result.err_lines == [
        f"error: workflow 'nope' not found in {REGION}: "
        "deploy the stack or check --workflow/--region"
    ]


def test_missing_stack_output_is_a_usage_error(glue):
    outputs = stack_outputs()
    del outputs["workflow_name"]

    result = run_cli(["run", "--stack", STACK], FakePulumi(outputs), {"glue": glue})

    assert result.code == 2
    assert result.err_lines == [
        f"error: stack '{STACK}' has no output 'workflow_name': run `pulumi up` on it or pass --workflow"
    ]
    assert glue.get_workflow_runs(Name=WORKFLOW)["Runs"] == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run"], "the following arguments are required: --stack"),
        (
            ["run", "--stack", STACK, "--interval", "0"],
            "argument --interval: expected a number of seconds > 0, got '0'",
        ),
        (
            ["follow", "--stack", STACK, "--interval", "abc", "wr_1"],
            "argument --interval: expected a number of seconds > 0, got 'abc'",
        ),
        (
            ["status", "--stack", STACK, "--limit", "ten"],
            "argument --limit: expected a whole number > 0, got 'ten'",
        ),
    ],
)
def test_bad_arguments_exit_2_with_a_readable_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        run_cli(argv, FakePulumi(stack_outputs()))

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "usage: python -m ops" in err
    assert err.splitlines()[-1].endswith(f"error: {message}")


@pytest.mark.parametrize("command", ["run", "follow", "status", "upload"])
def test_each_command_help_describes_it_and_shows_defaults(command, capsys):
    with pytest.raises(SystemExit) as exited:
        run_cli([command, "--help"], FakePulumi(stack_outputs()))

    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    description = text.split("options:")[0].split("positional arguments:")[0]
    # The usage block, then a description of what the command does.
    assert len(description.split("]")[-1].split()) >= 10, description
    assert "(default: the stack's aws:region)" in text
    expected = {
        "run": ["(default: the stack output workflow_name)", "(default: 15)"],
        "follow": ["(default: the stack output workflow_name)", "(default: 15)"],
        "status": ["(default: the stack output workflow_name)", "(default: 10)"],
        "upload": [
            "(default: the stack output raw_bucket)",
            "(default: the stack output kms_key_arn)",
        ],
    }
    for default in expected[command]:
        assert default in text


def test_without_pulumi_cli_a_missing_region_blames_the_cli(glue, tmp_path, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    missing = str(tmp_path / "no-such-pulumi")

    result = run_cli(
        ["run", "--stack", STACK, "--workflow", WORKFLOW],
        lambda args: run_pulumi(args, executable=missing),
        {"glue": glue},
    )

    assert result.code == 1
    assert result.err_lines == [
        f"error: {missing} CLI not found, so the stack's aws:region cannot be read: "
        "pass --region, or install it (https://www.pulumi.com/docs/install/)"
    ]
    assert result.regions == []


def test_without_pulumi_cli_the_default_region_still_serves(glue, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    missing = str(tmp_path / "no-such-pulumi")

    result = run_cli(
        ["run", "--stack", STACK, "--workflow", WORKFLOW],
        lambda args: run_pulumi(args, executable=missing),
        {"glue": glue},
    )

    assert result.code == 0
    assert result.regions == [("glue", None)]
    assert glue.get_workflow_runs(Name=WORKFLOW)["Runs"] != []
