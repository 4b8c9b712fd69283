"""The GitHub workflows keep the delivery rules zizmor does not check: gates, stacks, OIDC."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(workflow: dict[str, Any]) -> Any:
    # YAML 1.1 reads the bare key `on` as boolean True.
    return workflow.get("on", workflow.get(True))


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


@pytest.mark.parametrize("name", ["test.yml", "preview.yml", "deploy.yml"])
def test_every_action_is_pinned_to_a_commit_with_its_version(name):
    lines = [line.strip() for line in (WORKFLOWS / name).read_text().splitlines()]
    uses = [line.removeprefix("- ").removeprefix("uses: ") for line in lines if "uses: " in line]
    remote = [ref for ref in uses if not ref.startswith("./")]

    assert remote
    assert [ref for ref in remote if not PINNED.match(ref)] == []


@pytest.mark.parametrize("name", ["test.yml", "preview.yml", "deploy.yml"])
def test_no_default_permissions_and_checkout_drops_credentials(name):
    workflow = load(name)

    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert "permissions" in job
        for step in steps(job):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_tests_run_lint_the_quick_and_e2e_suites_and_bench_smoke_on_push_and_pull_request():
    workflow = load("test.yml")
    job = workflow["jobs"]["test"]

    assert set(triggers(workflow)) == {"push", "pull_request", "workflow_call"}
    assert [step["run"] for step in steps(job) if "run" in step] == [
        "make lint test test-e2e bench-smoke"
    ]
    java = next(step for step in steps(job) if "setup-java" in step.get("uses", ""))
    python = next(step for step in steps(job) if "setup-python" in step.get("uses", ""))
    assert java["with"] == {"distribution": "temurin", "java-version": "17"}
    assert python["with"]["python-version"] == "3.11"
    assert python["with"]["cache"] == "pip"


def test_preview_runs_per_stack_with_oidc_policy_pack_and_pr_comment():
    workflow = load("preview.yml")
    job = workflow["jobs"]["preview"]

    assert set(triggers(workflow)) == {"pull_request"}
    assert job["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    assert "${{ matrix.stack }}" in job["concurrency"]["group"]
    assert job["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",
    }
    aws = next(s for s in steps(job) if "configure-aws-credentials" in s.get("uses", ""))
    assert set(aws["with"]) >= {"role-to-assume", "aws-region"}
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(aws["with"])
    pulumi = next(s for s in steps(job) if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["stack-name"] == "${{ matrix.stack }}"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["with"]["policyPackConfigs"] == "policy/config/${{ matrix.stack }}.json"


def test_deploy_goes_dev_then_approved_prod_never_concurrently():
    workflow = load("deploy.yml")
    jobs = workflow["jobs"]

    assert triggers(workflow) == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert jobs["dev"]["needs"] == "test"
    assert jobs["prod"]["needs"] == "dev"
    for stack in ("dev", "prod"):
        job = jobs[stack]
        assert job["environment"] == stack
        assert job["concurrency"] == {"group": f"deploy-{stack}", "cancel-in-progress": False}
        assert job["permissions"] == {"contents": "read", "id-token": "write"}
        pulumi = next(s for s in steps(job) if s.get("uses", "").startswith("pulumi/actions@"))
        assert pulumi["with"] == {
            "command": "up",
            "stack-name": stack,
            "policyPacks": "policy",
            "policyPackConfigs": f"policy/config/{stack}.json",
        }


def test_run_steps_never_interpolate_expressions():
    # Template injection: values reach shell scripts through env, never through ${{ }} in `run`.
    for name in ("test.yml", "preview.yml", "deploy.yml"):
        for job in load(name)["jobs"].values():
            for step in steps(job):
                assert "${{" not in step.get("run", "")
