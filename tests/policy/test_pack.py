"""The pack assembles every guardrail once, each with a unique name."""

from __future__ import annotations

from policies import build_policies


def test_pack_declares_every_guardrail_once():
    names = [p.name for p in build_policies()]
    assert names == [
        "s3-bucket-guardrails-present",
        "s3-access-logging",
        "s3-versioning",
        "s3-public-access-blocked",
        "s3-sse-kms",
        "s3-tls-only",
        "glue-job-security-configuration",
        "glue-job-timeout",
        "glue-job-glue-version",
        "glue-job-dpu-cap",
        "glue-crawler-security-configuration",
        "iam-no-wildcard-actions",
    ]
