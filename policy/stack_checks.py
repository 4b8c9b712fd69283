"""Stack-wide S3 checks: rules about a bucket that live in its separate configuration resources.

pulumi-aws v7 declares a bucket's public access block, encryption, policy, versioning and logging
as resources of their own, so a resource policy on the bucket cannot see them; these checks relate
each one to its bucket and report against the bucket (or the configuration resource).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs
from validators import (
    BUCKET_POLICY_TYPES,
    BUCKET_TYPES,
    ENCRYPTION_TYPES,
    PUBLIC_ACCESS_BLOCK_TYPES,
    encryption_problems,
)

VERSIONING_TYPES = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
LOGGING_TYPES = (
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2",
)

BUCKET_COMPANIONS: dict[str, tuple[str, ...]] = {
    "public access block": PUBLIC_ACCESS_BLOCK_TYPES,
    "server-side encryption configuration": ENCRYPTION_TYPES,
    "bucket policy": BUCKET_POLICY_TYPES,
}


def _of_type(resources: Sequence[PolicyResource], types: Sequence[str]) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in types]


def _targets_bucket(
    companion: PolicyResource, bucket: PolicyResource, prop: str = "bucket"
) -> bool:
    # The engine records which resources a property came from: the reliable link, known even in
    # preview when the bucket name is not. Name equality covers programs that pass a plain string.
    # When dependencies are recorded, the name (unknown before the bucket exists) is not read.
    dependencies = companion.property_dependencies.get(prop)
    if dependencies:
        return any(dep.urn == bucket.urn for dep in dependencies)
    target = companion.props.get(prop)
    return target is not None and target in {bucket.props.get("bucket"), bucket.props.get("id")}


def _log_targets(resources: Sequence[PolicyResource]) -> set[str]:
    """URNs of the buckets that receive server access logs."""
    loggings = _of_type(resources, LOGGING_TYPES)
    return {
        bucket.urn
        for bucket in _of_type(resources, BUCKET_TYPES)
        if any(_targets_bucket(logging, bucket, "targetBucket") for logging in loggings)
    }


def validate_bucket_companions(
    args: StackValidationArgs, report_violation: ReportViolation
) -> None:
    """Each S3 bucket must have a public access block, an SSE config and a bucket policy (the
    resource policies check what each one contains)."""
    for bucket in _of_type(args.resources, BUCKET_TYPES):
        for label, types in BUCKET_COMPANIONS.items():
            companions = _of_type(args.resources, types)
            if not any(_targets_bucket(c, bucket) for c in companions):
                report_violation(f"bucket {bucket.name} has no {label}", bucket.urn)


def validate_bucket_encryption(
    args: StackValidationArgs, report_violation: ReportViolation
) -> None:
    """Default encryption is SSE-KMS with an explicit key; a server access log bucket may use
    SSE-S3 instead."""
    buckets = _of_type(args.resources, BUCKET_TYPES)
    log_targets = _log_targets(args.resources)
    for sse in _of_type(args.resources, ENCRYPTION_TYPES):
        allow_sse_s3 = any(b.urn in log_targets and _targets_bucket(sse, b) for b in buckets)
        for problem in encryption_problems(sse.props, allow_sse_s3=allow_sse_s3):
            report_violation(f"{sse.name}: {problem}", sse.urn)


def _inline(bucket: PolicyResource, prop: str) -> Mapping[str, Any] | list[Any]:
    # The deprecated inline forms on aws.s3.Bucket (`versioning`, `loggings`) count as well.
    return bucket.props.get(prop) or {}


def validate_access_logging(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Every bucket except the log buckets themselves has server access logging (CKV_AWS_18)."""
    loggings = _of_type(args.resources, LOGGING_TYPES)
    log_targets = _log_targets(args.resources)
    for bucket in _of_type(args.resources, BUCKET_TYPES):
        # A log bucket logging into itself would log its own log deliveries forever.
        if bucket.urn in log_targets or _inline(bucket, "loggings"):
            continue
        if not any(_targets_bucket(logging, bucket) for logging in loggings):
            report_violation(f"bucket {bucket.name} has no server access logging", bucket.urn)


def validate_versioning(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Every bucket has versioning enabled (CKV_AWS_21)."""
    versionings = _of_type(args.resources, VERSIONING_TYPES)
    for bucket in _of_type(args.resources, BUCKET_TYPES):
        inline = _inline(bucket, "versioning")
        if isinstance(inline, Mapping) and inline.get("enabled") is True:
            continue
        enabled = [
            v
            for v in versionings
            if _targets_bucket(v, bucket)
            and (v.props.get("versioningConfiguration") or {}).get("status") == "Enabled"
        ]
        if not enabled:
            report_violation(f"bucket {bucket.name} is not versioned", bucket.urn)
