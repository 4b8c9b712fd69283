"""Reading stack outputs through the pulumi CLI (a fake executable; pulumi itself never runs)."""

from __future__ import annotations

import stat

import pytest

from ops.errors import OpsError
from ops.stack import run_pulumi, stack_outputs, stack_region
from tests.ops.conftest import STACK, FakePulumi, run_cli
from tests.ops.conftest import stack_outputs as deployed_outputs


def fake_cli(tmp_path, body: str) -> str:
    script = tmp_path / "pulumi"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_stack_outputs_parses_pulumi_json(tmp_path):
    cli = fake_cli(tmp_path, 'echo "$@" > "$(dirname "$0")/args"; echo \'{"workflow_name": "wf"}\'')

    outputs = stack_outputs(STACK, lambda args: run_pulumi(args, executable=cli))

    assert outputs == {"workflow_name": "wf"}
    assert (tmp_path / "args").read_text() == f"stack output --json --stack {STACK}\n"


def test_failing_pulumi_reports_its_last_stderr_line(tmp_path):
    cli = fake_cli(
        tmp_path, "echo 'warning: x' >&2; echo \"error: no stack named 'dev'\" >&2; exit 255"
    )

    with pytest.raises(OpsError) as raised:
        run_pulumi(["stack", "output", "--json", "--stack", STACK], executable=cli)

    assert str(raised.value) == (
        f"`{cli} stack output --json --stack {STACK}` failed: error: no stack named 'dev'"
    )
    assert raised.value.exit_code == 1


def test_invalid_json_is_a_runtime_error(tmp_path):
    cli = fake_cli(tmp_path, "echo 'not json'")

    with pytest.raises(OpsError, match="invalid JSON for stack 'dev' outputs"):
        stack_outputs(STACK, lambda args: run_pulumi(args, executable=cli))


def test_unset_region_falls_back_to_the_aws_default(tmp_path):
    cli = fake_cli(tmp_path, "echo 'error: configuration key aws:region not found' >&2; exit 255")

    assert stack_region(STACK, lambda args: run_pulumi(args, executable=cli)) is None


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["run"], "--workflow"),
        (["follow", "wr_1"], "--workflow"),
        (["status"], "--workflow and --curated-bucket"),
        (["status", "--workflow", "wf"], "--curated-bucket"),
        (["upload", "x.csv"], "--bucket"),
        (["catalog"], "--database"),
        (["catalog", "--apply"], "--database and --job"),
        (["catalog", "--apply", "--database", "db"], "--job"),
    ],
)
def test_missing_pulumi_cli_names_the_flag_the_command_needs(
    aws, tmp_path, monkeypatch, argv, flag
):
    # moto stands in for AWS: a command that called it before naming the flag would not fail.
    missing = str(tmp_path / "no-such-pulumi")
    # With a default region the region is not what stops the command.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    (tmp_path / "x.csv").write_text("a\n")
    monkeypatch.chdir(tmp_path)

    result = run_cli(
        [argv[0], "--stack", STACK, *argv[1:]], lambda args: run_pulumi(args, executable=missing)
    )

    assert result.code == 1
    assert result.err_lines == [
        f"error: {missing} CLI not found: install it (https://www.pulumi.com/docs/install/) "
        f"or pass {flag}"
    ]


def test_status_reads_the_stack_outputs_once(glue):
    pulumi = FakePulumi(deployed_outputs())

    result = run_cli(["status", "--stack", STACK], pulumi, {"glue": glue})

    assert result.code == 0, result.err
    assert [call[:2] for call in pulumi.calls].count(["stack", "output"]) == 1
