"""S3 policies: public access block, SSE-KMS, TLS-only policy, and all three present per bucket."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy.helpers import (
    check,
    find_policy,
    policy_json,
    policy_resource,
    run_stack_policy,
)

BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/k"
TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::raw", "arn:aws:s3:::raw/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}

ALL_BLOCKED = {
    "bucket": "raw",
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}


def test_public_access_block_passes_when_all_four_switches_are_on():
    assert check("s3-public-access-blocked", PAB, ALL_BLOCKED) == []


def test_public_access_block_reports_each_switch_left_off():
    props = {**ALL_BLOCKED, "blockPublicPolicy": False}
    del props["restrictPublicBuckets"]
    assert check("s3-public-access-blocked", PAB, props) == [
        "r: blockPublicPolicy must be true",
        "r: restrictPublicBuckets must be true",
    ]


def _sse(algorithm: str, key: str | None) -> dict[str, Any]:
    default = {"sseAlgorithm": algorithm} | ({"kmsMasterKeyId": key} if key else {})
    return {"bucket": "raw", "rules": [{"applyServerSideEncryptionByDefault": default}]}


def _sse_stack(props: dict[str, Any], *, log_target: bool = False) -> list[str]:
    """s3-sse-kms over one bucket and its SSE config (and, if asked, a bucket logging into it)."""
    bucket = policy_resource(BUCKET, {"bucket": "b-123"}, "b")
    resources = [bucket, policy_resource(SSE, props, "b-sse", {"bucket": [bucket]})]
    if log_target:
        source = policy_resource(BUCKET, {"bucket": "src-123"}, "src")
        resources += [
            source,
            policy_resource(
                LOGGING,
                {"bucket": "x", "targetBucket": "y", "targetPrefix": "src/"},
                "src-logging",
                {"bucket": [source], "targetBucket": [bucket]},
            ),
        ]
    return run_stack_policy(find_policy("s3-sse-kms"), resources).messages


def test_sse_kms_with_customer_key_passes():
    assert _sse_stack(_sse("aws:kms", KEY_ARN)) == []


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (_sse("AES256", None), ["b-sse: sseAlgorithm is 'AES256', expected aws:kms"]),
        (_sse("aws:kms", None), ["b-sse: aws:kms without kmsMasterKeyId uses the AWS managed key"]),
        ({"bucket": "raw", "rules": []}, ["b-sse: no server-side encryption rule"]),
    ],
)
def test_sse_other_than_customer_kms_is_reported(props, expected):
    assert _sse_stack(props) == expected


def test_access_log_bucket_may_use_sse_s3_but_not_the_aws_managed_key():
    assert _sse_stack(_sse("AES256", None), log_target=True) == []
    assert _sse_stack(_sse("aws:kms", None), log_target=True) == [
        "b-sse: aws:kms without kmsMasterKeyId uses the AWS managed key"
    ]


def _logged_stack(*, log_source: bool, versioned: str | None = "Enabled") -> list:
    """A source bucket and a log bucket; optionally the source logs into it and both have
    versioning with status `versioned`."""
    source = policy_resource(BUCKET, {"bucket": "src-123"}, "src")
    logs = policy_resource(BUCKET, {"bucket": "logs-123"}, "logs")
    resources = [source, logs]
    if log_source:
        resources.append(
            policy_resource(
                LOGGING,
                {"bucket": "src-123", "targetBucket": "logs-123", "targetPrefix": "src/"},
                "src-logging",
            )
        )
    if versioned is not None:
        for bucket in (source, logs):
            resources.append(
                policy_resource(
                    VERSIONING,
                    {"bucket": "x", "versioningConfiguration": {"status": versioned}},
                    f"{bucket.name}-versioning",
                    {"bucket": [bucket]},
                )
            )
    return resources


def test_bucket_logging_to_a_log_bucket_passes():
    resources = _logged_stack(log_source=True)
    assert run_stack_policy(find_policy("s3-access-logging"), resources).reported == []


def test_bucket_without_access_logging_is_reported_against_the_bucket():
    resources = _logged_stack(log_source=False)
    violations = run_stack_policy(find_policy("s3-access-logging"), resources)
    # With no logging at all, no bucket is a log target: both are reported.
    assert violations.reported == [
        ("bucket src has no server access logging", resources[0].urn),
        ("bucket logs has no server access logging", resources[1].urn),
    ]


def test_inline_bucket_logging_counts():
    bucket = policy_resource(
        BUCKET, {"bucket": "b", "loggings": [{"targetBucket": "l", "targetPrefix": "b/"}]}, "b"
    )
    assert run_stack_policy(find_policy("s3-access-logging"), [bucket]).reported == []


def test_versioned_buckets_pass():
    resources = _logged_stack(log_source=True)
    assert run_stack_policy(find_policy("s3-versioning"), resources).reported == []


@pytest.mark.parametrize("status", [None, "Suspended"])
def test_unversioned_or_suspended_bucket_is_reported(status):
    resources = _logged_stack(log_source=True, versioned=status)
    violations = run_stack_policy(find_policy("s3-versioning"), resources)
    assert violations.reported == [
        ("bucket src is not versioned", resources[0].urn),
        ("bucket logs is not versioned", resources[1].urn),
    ]


def test_versioning_of_another_bucket_does_not_count():
    resources = [r for r in _logged_stack(log_source=True) if r.name != "src-versioning"]
    violations = run_stack_policy(find_policy("s3-versioning"), resources)
    assert violations.messages == ["bucket src is not versioned"]


def test_tls_only_bucket_policy_passes():
    assert check("s3-tls-only", BUCKET_POLICY, {"policy": policy_json(TLS_DENY)}) == []


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
    assert check("s3-tls-only", BUCKET_POLICY, {"policy": policy_json(statement)}) == [expected]


def test_bucket_policy_that_is_not_json_is_reported():
    assert check("s3-tls-only", BUCKET_POLICY, {"policy": "{"}) == ["r: policy is not valid JSON"]


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
    assert run_stack_policy(find_policy("s3-bucket-guardrails-present"), resources).reported == []


def test_bucket_missing_companions_is_reported_against_the_bucket():
    resources = _bucket_with_companions(SSE)
    violations = run_stack_policy(find_policy("s3-bucket-guardrails-present"), resources)
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
    violations = run_stack_policy(find_policy("s3-bucket-guardrails-present"), resources)
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
    violations = run_stack_policy(find_policy("s3-bucket-guardrails-present"), [raw, curated, pab])
    assert "bucket raw has no public access block" in violations.messages
    assert "bucket curated has no public access block" not in violations.messages
