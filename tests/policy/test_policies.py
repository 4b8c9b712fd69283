"""Each policy of the pack reports a violation on a bad resource and none on a good one."""

from __future__ import annotations

from typing import Any

import pytest
from policies import build_policies
from pulumi_policy import Policy

from tests.policy.helpers import (
    policy_json,
    policy_resource,
    resource_args,
    run_resource_policy,
    run_stack_policy,
)

BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
JOB = "aws:glue/job:Job"
CRAWLER = "aws:glue/crawler:Crawler"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/k"
TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::raw", "arn:aws:s3:::raw/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
GOOD_JOB: dict[str, Any] = {
    "glueVersion": "5.1",
    "workerType": "G.2X",
    "numberOfWorkers": 10,
    "timeout": 120,
    "securityConfiguration": "glue-etl-prod-security",
    "defaultArguments": {"--job-bookmark-option": "job-bookmark-enable"},
}


def _policy(name: str) -> Policy:
    matches = [p for p in build_policies() if p.name == name]
    assert len(matches) == 1, name
    return matches[0]


def _check(name: str, resource_type: str, props: dict[str, Any], **kwargs: Any) -> list[str]:
    return run_resource_policy(_policy(name), resource_args(resource_type, props, "r", **kwargs))


def test_pack_declares_every_guardrail_once():
    names = [p.name for p in build_policies()]
    assert names == [
        "s3-bucket-guardrails-present",
        "s3-public-access-blocked",
        "s3-sse-kms",
        "s3-tls-only",
        "glue-job-security-configuration",
        "glue-job-timeout",
        "glue-job-bookmarks",
        "glue-job-glue-version",
        "glue-job-dpu-cap",
        "glue-crawler-security-configuration",
        "iam-no-wildcard-actions",
    ]


# --- S3 -------------------------------------------------------------------------------------

ALL_BLOCKED = {
    "bucket": "raw",
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}


def test_public_access_block_passes_when_all_four_switches_are_on():
    assert _check("s3-public-access-blocked", PAB, ALL_BLOCKED) == []


def test_public_access_block_reports_each_switch_left_off():
    props = {**ALL_BLOCKED, "blockPublicPolicy": False}
    del props["restrictPublicBuckets"]
    assert _check("s3-public-access-blocked", PAB, props) == [
        "r: blockPublicPolicy must be true",
        "r: restrictPublicBuckets must be true",
    ]


def _sse(algorithm: str, key: str | None) -> dict[str, Any]:
    default = {"sseAlgorithm": algorithm} | ({"kmsMasterKeyId": key} if key else {})
    return {"bucket": "raw", "rules": [{"applyServerSideEncryptionByDefault": default}]}


def test_sse_kms_with_customer_key_passes():
    assert _check("s3-sse-kms", SSE, _sse("aws:kms", KEY_ARN)) == []


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (_sse("AES256", None), ["r: sseAlgorithm is 'AES256', expected aws:kms"]),
        (_sse("aws:kms", None), ["r: aws:kms without kmsMasterKeyId uses the AWS managed key"]),
        ({"bucket": "raw", "rules": []}, ["r: no server-side encryption rule"]),
    ],
)
def test_sse_other_than_customer_kms_is_reported(props, expected):
    assert _check("s3-sse-kms", SSE, props) == expected


def test_tls_only_bucket_policy_passes():
    assert _check("s3-tls-only", BUCKET_POLICY, {"policy": policy_json(TLS_DENY)}) == []


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            {**TLS_DENY, "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
            "r: no Deny statement for s3:* with Bool aws:SecureTransport=false",
        ),
        (
            {**TLS_DENY, "Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
            "r: no Deny statement for s3:* with Bool aws:SecureTransport=false",
        ),
        (
            {**TLS_DENY, "Action": "s3:GetObject"},
            "r: no Deny statement for s3:* with Bool aws:SecureTransport=false",
        ),
        (
            {**TLS_DENY, "Resource": "arn:aws:s3:::raw/*"},
            "r: the TLS deny statement must cover both the bucket ARN and <bucket ARN>/*",
        ),
    ],
)
def test_bucket_policy_without_full_tls_deny_is_reported(statement, expected):
    assert _check("s3-tls-only", BUCKET_POLICY, {"policy": policy_json(statement)}) == [expected]


def test_bucket_policy_that_is_not_json_is_reported():
    assert _check("s3-tls-only", BUCKET_POLICY, {"policy": "{"}) == ["r: policy is not valid JSON"]


def _bucket_with_companions(*kinds: str) -> list:
    bucket = policy_resource(BUCKET, {"bucket": "raw-123"}, "raw")
    resources = [bucket]
    props = {PAB: ALL_BLOCKED, SSE: _sse("aws:kms", KEY_ARN), BUCKET_POLICY: {"policy": "{}"}}
    for kind in kinds:
        # Linked the way the engine links them in preview: by property dependency, not by name.
        resources.append(
            policy_resource(
                kind, {**props[kind], "bucket": "x"}, f"raw-{kind[-6:]}", {"bucket": [bucket]}
            )
        )
    return resources


def test_bucket_with_all_companions_passes():
    resources = _bucket_with_companions(PAB, SSE, BUCKET_POLICY)
    assert run_stack_policy(_policy("s3-bucket-guardrails-present"), resources).reported == []


def test_bucket_missing_companions_is_reported_against_the_bucket():
    resources = _bucket_with_companions(SSE)
    violations = run_stack_policy(_policy("s3-bucket-guardrails-present"), resources)
    urn = resources[0].urn
    assert violations.reported == [
        ("bucket raw has no public access block", urn),
        ("bucket raw has no bucket policy", urn),
    ]


def test_companion_of_another_bucket_does_not_count():
    raw = policy_resource(BUCKET, {"bucket": "raw-123"}, "raw")
    curated = policy_resource(BUCKET, {"bucket": "curated-123"}, "curated")
    # Plain bucket names as `bucket` (no property dependency) are matched by value.
    resources = [
        raw,
        curated,
        policy_resource(PAB, {**ALL_BLOCKED, "bucket": "raw-123"}, "raw-pab"),
        policy_resource(SSE, {**_sse("aws:kms", KEY_ARN), "bucket": "raw-123"}, "raw-sse"),
        policy_resource(BUCKET_POLICY, {"bucket": "raw-123", "policy": "{}"}, "raw-policy"),
    ]
    violations = run_stack_policy(_policy("s3-bucket-guardrails-present"), resources)
    assert violations.messages == [
        "bucket curated has no public access block",
        "bucket curated has no server-side encryption configuration",
        "bucket curated has no bucket policy",
    ]


def test_companion_linked_by_dependency_to_another_bucket_does_not_count():
    raw = policy_resource(BUCKET, {"bucket": "raw-123"}, "raw")
    curated = policy_resource(BUCKET, {"bucket": "curated-123"}, "curated")
    # The name says raw, the recorded dependency says curated: the dependency wins.
    pab = policy_resource(PAB, {**ALL_BLOCKED, "bucket": "raw-123"}, "pab", {"bucket": [curated]})
    violations = run_stack_policy(_policy("s3-bucket-guardrails-present"), [raw, curated, pab])
    assert "bucket raw has no public access block" in violations.messages
    assert "bucket curated has no public access block" not in violations.messages


# --- Glue -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "glue-job-security-configuration",
        "glue-job-timeout",
        "glue-job-bookmarks",
        "glue-job-glue-version",
        "glue-job-dpu-cap",
    ],
)
def test_compliant_job_passes_every_job_policy(name):
    assert _check(name, JOB, GOOD_JOB) == []


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        (
            "glue-job-security-configuration",
            {"securityConfiguration": None},
            "securityConfiguration is not set",
        ),
        (
            "glue-job-timeout",
            {"timeout": None},
            "timeout is not set (the Glue default is 480 minutes or more)",
        ),
        ("glue-job-timeout", {"timeout": 20000}, "timeout 20000 is outside 1-10080 minutes"),
        (
            "glue-job-bookmarks",
            {"defaultArguments": {"--job-bookmark-option": "job-bookmark-disable"}},
            "--job-bookmark-option is 'job-bookmark-disable', expected 'job-bookmark-enable'",
        ),
        (
            "glue-job-bookmarks",
            {"defaultArguments": {}},
            "--job-bookmark-option is None, expected 'job-bookmark-enable'",
        ),
        ("glue-job-glue-version", {"glueVersion": None}, "glueVersion is not set"),
        (
            "glue-job-dpu-cap",
            {"workerType": "G.8X"},
            "one run may use 80 DPUs, above the cap of 40",
        ),
        ("glue-job-dpu-cap", {"workerType": "G.9X"}, "unknown workerType 'G.9X'"),
        (
            "glue-job-dpu-cap",
            {"maxCapacity": 10},
            "maxCapacity must not be combined with workerType/numberOfWorkers",
        ),
        (
            "glue-job-dpu-cap",
            {"workerType": None, "numberOfWorkers": None},
            "no workerType/numberOfWorkers: the run size is the Glue default, not capped",
        ),
    ],
)
def test_job_policy_reports_bad_job(name, change, expected):
    props = {k: v for k, v in (GOOD_JOB | change).items() if v is not None}
    assert _check(name, JOB, props) == [f"r: {expected}"]


def test_dpu_cap_is_read_from_policy_config():
    assert _check("glue-job-dpu-cap", JOB, GOOD_JOB, config={"maxDpuPerRun": 16}) == [
        "r: one run may use 20 DPUs, above the cap of 16"
    ]
    assert (
        _check(
            "glue-job-dpu-cap", JOB, {**GOOD_JOB, "workerType": "G.8X"}, config={"maxDpuPerRun": 80}
        )
        == []
    )


def test_job_policies_ignore_other_resource_types():
    assert _check("glue-job-timeout", CRAWLER, {}) == []


def test_crawler_needs_security_configuration():
    name = "glue-crawler-security-configuration"
    assert _check(name, CRAWLER, {"securityConfiguration": "glue-etl-dev-security"}) == []
    assert _check(name, CRAWLER, {}) == ["r: securityConfiguration is not set"]


# --- IAM ------------------------------------------------------------------------------------

SCOPED = {
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::raw", "arn:aws:s3:::raw/input/*"],
}


@pytest.mark.parametrize("resource_type", [ROLE_POLICY, IAM_POLICY])
def test_scoped_actions_pass(resource_type):
    deny_all = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    props = {"policy": policy_json(SCOPED, deny_all)}
    assert _check("iam-no-wildcard-actions", resource_type, props) == []


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ({**SCOPED, "Action": "*"}, ["r: action '*' is a wildcard"]),
        ({**SCOPED, "Action": ["s3:GetObject", "glue:*"]}, ["r: action 'glue:*' is a wildcard"]),
        (
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            ["r: Allow with NotAction grants every other action"],
        ),
    ],
)
@pytest.mark.parametrize("resource_type", [ROLE_POLICY, IAM_POLICY])
def test_wildcard_actions_are_reported(resource_type, statement, expected):
    props = {"policy": policy_json(statement)}
    assert _check("iam-no-wildcard-actions", resource_type, props) == expected
