"""Validation functions behind the glue-etl policy pack.

Kept free of project imports: Pulumi runs the pack from its own folder and virtualenv, so this
module may only depend on pulumi-policy and the standard library. Properties arrive with the
engine's camelCase names (e.g. `glueVersion`, `defaultArguments`), not the SDK's snake_case ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from documents import as_list, is_everyone, policy_document, statements
from pulumi_policy import (
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
)

# pulumi-aws v7 still accepts the V2 names as aliases; a program using them must not slip through.
BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS_BLOCK_TYPES = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
ENCRYPTION_TYPES = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
BUCKET_POLICY_TYPES = ("aws:s3/bucketPolicy:BucketPolicy",)
GLUE_JOB_TYPE = "aws:glue/job:Job"
GLUE_CRAWLER_TYPE = "aws:glue/crawler:Crawler"
IAM_POLICY_TYPES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")
# A Role can carry its inline policies itself (`inline_policies`), not only as RolePolicy.
IAM_ROLE_TYPE = "aws:iam/role:Role"

PUBLIC_ACCESS_FLAGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
SSE_S3 = "AES256"
MAX_JOB_TIMEOUT_MINUTES = 10080

# DPUs per worker (https://docs.aws.amazon.com/glue/latest/dg/worker-types.html); R.nX are the
# memory-optimised variants of G.nX. A copy of components/config.py WORKER_TYPES because the
# pack runs without the project's modules; tests/policy/test_glue_policies.py ties the two.
DPU_PER_WORKER: dict[str, float] = {
    "G.025X": 0.25,  # streaming only, listed so such a job is still measured
    "G.1X": 1,
    "G.2X": 2,
    "G.4X": 4,
    "G.8X": 8,
    "G.12X": 12,
    "G.16X": 16,
    "R.1X": 1,
    "R.2X": 2,
    "R.4X": 4,
    "R.8X": 8,
}
# prod runs 10 x G.2X = 20 DPUs; twice that leaves room to grow without a policy change.
DEFAULT_MAX_DPU_PER_RUN = 40


# --- pure checks: properties in, list of problems out -------------------------------------------


def public_access_block_problems(props: Mapping[str, Any]) -> list[str]:
    """Every one of the four public access switches must be on."""
    return [f"{flag} must be true" for flag in PUBLIC_ACCESS_FLAGS if props.get(flag) is not True]


def encryption_problems(props: Mapping[str, Any], allow_sse_s3: bool = False) -> list[str]:
    """Default encryption must be SSE-KMS with an explicit key (not SSE-S3, not the AWS key).

    `allow_sse_s3` admits SSE-S3 too: for server access log buckets, whose writer (S3 log
    delivery) would otherwise need a grant in the key policy.
    """
    rules = props.get("rules") or []
    if not rules:
        return ["no server-side encryption rule"]
    problems = []
    for rule in rules:
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        algorithm = default.get("sseAlgorithm")
        if allow_sse_s3 and algorithm == SSE_S3:
            continue
        if algorithm not in KMS_ALGORITHMS:
            problems.append(f"sseAlgorithm is {algorithm!r}, expected aws:kms")
        elif not default.get("kmsMasterKeyId"):
            problems.append("aws:kms without kmsMasterKeyId uses the AWS managed key")
    return problems


def tls_only_problems(props: Mapping[str, Any]) -> list[str]:
    """The bucket policy must deny every S3 action to everyone when aws:SecureTransport is false."""
    document, error = policy_document(props.get("policy"))
    if error:
        return [error]
    for statement in statements(document):
        if statement.get("Effect") != "Deny" or not is_everyone(statement.get("Principal")):
            continue
        actions = as_list(statement.get("Action"))
        if not {"s3:*", "*"} & set(actions):
            continue
        bool_condition = (statement.get("Condition") or {}).get("Bool") or {}
        secure = [str(v).lower() for v in as_list(bool_condition.get("aws:SecureTransport"))]
        if "false" not in secure:
            continue
        resources = as_list(statement.get("Resource"))
        objects = any(r.endswith("/*") for r in resources)
        bucket = any(not r.endswith("/*") for r in resources)
        if objects and bucket:
            return []
        return ["the TLS deny statement must cover both the bucket ARN and <bucket ARN>/*"]
    return ["no Deny statement for s3:* with Bool aws:SecureTransport=false"]


def job_security_configuration_problems(props: Mapping[str, Any]) -> list[str]:
    """A job without a security configuration writes logs and temp data unencrypted."""
    return [] if props.get("securityConfiguration") else ["securityConfiguration is not set"]


def job_timeout_problems(props: Mapping[str, Any]) -> list[str]:
    """The API default (480 or 2880 minutes) silently changed over time, so it must be explicit."""
    timeout = props.get("timeout")
    if timeout is None:
        return ["timeout is not set (the Glue default is 480 minutes or more)"]
    if not 1 <= int(timeout) <= MAX_JOB_TIMEOUT_MINUTES:
        return [f"timeout {timeout} is outside 1-{MAX_JOB_TIMEOUT_MINUTES} minutes"]
    return []


def job_glue_version_problems(props: Mapping[str, Any]) -> list[str]:
    """Pin the runtime: the API default version differs by account age and changes over time."""
    return [] if props.get("glueVersion") else ["glueVersion is not set"]


def job_dpu(props: Mapping[str, Any]) -> float | None:
    """DPUs one run may use: workers x DPU per worker (with auto scaling, the maximum)."""
    worker_type = props.get("workerType")
    workers = props.get("numberOfWorkers")
    if worker_type and workers is not None:
        per_worker = DPU_PER_WORKER.get(str(worker_type))
        if per_worker is None:
            return None
        return float(workers) * per_worker
    capacity = props.get("maxCapacity")
    return float(capacity) if capacity is not None else None


def job_capacity_problems(props: Mapping[str, Any], max_dpu: float) -> list[str]:
    """Cap the DPUs of one run so a config typo cannot multiply the bill."""
    if props.get("maxCapacity") is not None and props.get("workerType"):
        return ["maxCapacity must not be combined with workerType/numberOfWorkers"]
    worker_type = props.get("workerType")
    if worker_type and str(worker_type) not in DPU_PER_WORKER:
        return [f"unknown workerType {worker_type!r}"]
    dpu = job_dpu(props)
    if dpu is None:
        return ["no workerType/numberOfWorkers: the run size is the Glue default, not capped"]
    if dpu > max_dpu:
        return [f"one run may use {dpu:g} DPUs, above the cap of {max_dpu:g}"]
    return []


def crawler_security_configuration_problems(props: Mapping[str, Any]) -> list[str]:
    """A crawler without a security configuration writes unencrypted CloudWatch logs."""
    return [] if props.get("securityConfiguration") else ["securityConfiguration is not set"]


def wildcard_action_problems(props: Mapping[str, Any]) -> list[str]:
    """Allow statements name actions explicitly: no "*", no "service:*", no NotAction."""
    document, error = policy_document(props.get("policy"))
    if error:
        return [error]
    problems = []
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            problems.append("Allow with NotAction grants every other action")
        for action in as_list(statement.get("Action")):
            if action == "*" or action.endswith(":*"):
                problems.append(f"action {action!r} is a wildcard")
    return problems


def role_inline_policy_problems(props: Mapping[str, Any]) -> list[str]:
    """The wildcard checks for each policy declared inline on a role, named in the message."""
    problems = []
    for inline in props.get("inlinePolicies") or []:
        name = inline.get("name") or "<unnamed>"
        problems += [
            f"inline policy {name!r}: {problem}" for problem in wildcard_action_problems(inline)
        ]
    return problems


# --- resource validations (signature of pulumi_policy.ResourceValidation) ------------------------


Check = Callable[[Mapping[str, Any]], list[str]]


def _resource_validation(types: Iterable[str], check: Check) -> ResourceValidation:
    """Run `check` on resources of `types` and report each problem it finds."""
    wanted = tuple(types)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in wanted:
            return
        for problem in check(args.props):
            report_violation(f"{args.name}: {problem}", None)

    return validate


validate_public_access_block = _resource_validation(
    PUBLIC_ACCESS_BLOCK_TYPES, public_access_block_problems
)
validate_bucket_policy_tls = _resource_validation(BUCKET_POLICY_TYPES, tls_only_problems)
validate_job_security_configuration = _resource_validation(
    (GLUE_JOB_TYPE,), job_security_configuration_problems
)
validate_job_timeout = _resource_validation((GLUE_JOB_TYPE,), job_timeout_problems)
validate_job_glue_version = _resource_validation((GLUE_JOB_TYPE,), job_glue_version_problems)
validate_crawler_security_configuration = _resource_validation(
    (GLUE_CRAWLER_TYPE,), crawler_security_configuration_problems
)
_validate_policy_actions = _resource_validation(IAM_POLICY_TYPES, wildcard_action_problems)
_validate_role_inline_actions = _resource_validation((IAM_ROLE_TYPE,), role_inline_policy_problems)


def validate_iam_actions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Role policies, managed policies and roles' inline policies allow no wildcard action."""
    _validate_policy_actions(args, report_violation)
    _validate_role_inline_actions(args, report_violation)


def validate_job_capacity(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Glue jobs stay within the pack's `maxDpuPerRun` setting."""
    if args.resource_type != GLUE_JOB_TYPE:
        return
    max_dpu = float(args.get_config().get("maxDpuPerRun", DEFAULT_MAX_DPU_PER_RUN))
    for problem in job_capacity_problems(args.props, max_dpu):
        report_violation(f"{args.name}: {problem}", None)
