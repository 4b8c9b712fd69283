"""The glue-etl guardrails as pulumi-policy Policy objects (the checks live in `validators`)."""

from __future__ import annotations

import stack_checks as stack
import validators as v
from pulumi_policy import (
    Policy,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    StackValidationPolicy,
)


def build_policies() -> list[Policy]:
    """Every policy of the pack; enforcement is set once, on the pack."""
    return [
        StackValidationPolicy(
            name="s3-bucket-guardrails-present",
            description="Each S3 bucket has a public access block, SSE-KMS and a TLS-only policy.",
            validate=stack.validate_bucket_companions,
        ),
        StackValidationPolicy(
            name="s3-access-logging",
            description=(
                "Each S3 bucket except the server access log buckets logs its requests to one."
            ),
            validate=stack.validate_access_logging,
        ),
        StackValidationPolicy(
            name="s3-versioning",
            description="Each S3 bucket has versioning enabled.",
            validate=stack.validate_versioning,
        ),
        ResourceValidationPolicy(
            name="s3-public-access-blocked",
            description="S3 public access blocks turn on all four switches.",
            validate=v.validate_public_access_block,
        ),
        StackValidationPolicy(
            name="s3-sse-kms",
            description=(
                "S3 default encryption is SSE-KMS with a customer managed key "
                "(server access log buckets may use SSE-S3)."
            ),
            validate=stack.validate_bucket_encryption,
        ),
        ResourceValidationPolicy(
            name="s3-tls-only",
            description="S3 bucket policies deny all access without TLS (aws:SecureTransport).",
            validate=v.validate_bucket_policy_tls,
        ),
        ResourceValidationPolicy(
            name="glue-job-security-configuration",
            description="Glue jobs use a security configuration (encrypted S3 data and logs).",
            validate=v.validate_job_security_configuration,
        ),
        ResourceValidationPolicy(
            name="glue-job-timeout",
            description="Glue jobs set an explicit timeout within the Glue limit.",
            validate=v.validate_job_timeout,
        ),
        ResourceValidationPolicy(
            name="glue-job-glue-version",
            description="Glue jobs pin an explicit glue_version.",
            validate=v.validate_job_glue_version,
        ),
        ResourceValidationPolicy(
            name="glue-job-dpu-cap",
            description="One Glue job run uses at most maxDpuPerRun DPUs (workers x DPU per worker).",
            validate=v.validate_job_capacity,
            config_schema=PolicyConfigSchema(
                properties={
                    "maxDpuPerRun": {
                        "type": "number",
                        "minimum": 1,
                        "default": v.DEFAULT_MAX_DPU_PER_RUN,
                    }
                }
            ),
        ),
        ResourceValidationPolicy(
            name="glue-crawler-security-configuration",
            description="Glue crawlers use a security configuration (encrypted logs).",
            validate=v.validate_crawler_security_configuration,
        ),
        ResourceValidationPolicy(
            name="iam-no-wildcard-actions",
            description='IAM policies allow no "*" or "service:*" action and no NotAction.',
            validate=v.validate_iam_actions,
        ),
    ]
