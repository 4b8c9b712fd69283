"""The project's own stacks pass every policy of the pack (resources as the engine sees them)."""

from __future__ import annotations

import pytest
from policies import build_policies
from pulumi_policy import (
    PolicyResource,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from preview.capture import capture_stack
from tests.policy.helpers import Violations, policy_resource, resource_args

# Types each stack must contain, so "no violations" cannot come from checking nothing.
GUARDED_TYPES = {
    "aws:s3/bucket:Bucket": 3,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 3,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 3,
    "aws:s3/bucketPolicy:BucketPolicy": 3,
    "aws:glue/job:Job": 1,
    "aws:glue/crawler:Crawler": 1,
}


@pytest.fixture(
    scope="module",
    params=[("dev", {}), ("prod", {}), ("dev", {"crawlerRecrawl": "CRAWL_EVENT_MODE"})],
    ids=["dev", "prod", "dev-event-mode"],
)
def resources(request) -> list[PolicyResource]:
    stack, overrides = request.param
    captured = [r for r in capture_stack(stack, overrides) if r.custom]
    return [policy_resource(r.type, r.inputs, r.name) for r in captured]


def test_stack_declares_the_guarded_resources(resources):
    counts = {t: sum(r.resource_type == t for r in resources) for t in GUARDED_TYPES}
    assert counts == GUARDED_TYPES
    assert any(r.resource_type == "aws:iam/rolePolicy:RolePolicy" for r in resources)


def test_no_resource_policy_violations(resources):
    violations = Violations()
    for policy in build_policies():
        if not isinstance(policy, ResourceValidationPolicy):
            continue
        for resource in resources:
            args = resource_args(resource.resource_type, resource.props, resource.name)
            policy.validate(args, violations)
    assert violations.messages == []


def test_no_stack_policy_violations(resources):
    violations = Violations()
    for policy in build_policies():
        if isinstance(policy, StackValidationPolicy):
            policy.validate(StackValidationArgs(resources), violations)
    assert violations.messages == []
