"""Build pulumi-policy argument objects and collect violations, as the analyzer would."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)


@dataclass
class Violations:
    """A `report_violation` callback that remembers what it was told."""

    reported: list[tuple[str, str | None]] = field(default_factory=list)

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.reported.append((message, urn))

    @property
    def messages(self) -> list[str]:
        return [message for message, _ in self.reported]


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    name: str = "res",
    config: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    urn = f"urn:pulumi:dev::glue-etl::{resource_type}::{name}"
    return ResourceValidationArgs(resource_type, props, urn, name, _options(), None, config)


def policy_resource(
    resource_type: str,
    props: Mapping[str, Any],
    name: str,
    property_dependencies: dict[str, list[PolicyResource]] | None = None,
) -> PolicyResource:
    urn = f"urn:pulumi:dev::glue-etl::{resource_type}::{name}"
    return PolicyResource(
        resource_type, props, urn, name, _options(), None, None, [], property_dependencies or {}
    )


def find_policy(name: str) -> Policy:
    """The pack's policy called `name` (exactly one)."""
    from policies import build_policies

    matches = [p for p in build_policies() if p.name == name]
    assert len(matches) == 1, name
    return matches[0]


def check(name: str, resource_type: str, props: Mapping[str, Any], **kwargs: Any) -> list[str]:
    """Violation messages of policy `name` for one resource named "r"."""
    return run_resource_policy(
        find_policy(name), resource_args(resource_type, props, "r", **kwargs)
    )


def run_resource_policy(policy: Policy, args: ResourceValidationArgs) -> list[str]:
    violations = Violations()
    policy.validate(args, violations)  # type: ignore[attr-defined]
    return violations.messages


def run_stack_policy(policy: Policy, resources: list[PolicyResource]) -> Violations:
    violations = Violations()
    policy.validate(StackValidationArgs(resources), violations)  # type: ignore[attr-defined]
    return violations


def policy_json(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
