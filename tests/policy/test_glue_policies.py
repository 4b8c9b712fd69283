"""Glue policies: security configuration, timeout, glue version, DPU cap, crawler."""

from __future__ import annotations

from typing import Any

import pytest
from validators import DPU_PER_WORKER

from components.config import UNSUPPORTED_WORKER_TYPES, WORKER_TYPES
from tests.policy.helpers import check

JOB = "aws:glue/job:Job"
CRAWLER = "aws:glue/crawler:Crawler"
GOOD_JOB: dict[str, Any] = {
    "glueVersion": "5.1",
    "workerType": "G.2X",
    "numberOfWorkers": 10,
    "timeout": 120,
    "securityConfiguration": "glue-etl-prod-security",
}


@pytest.mark.parametrize(
    "name",
    [
        "glue-job-security-configuration",
        "glue-job-timeout",
        "glue-job-glue-version",
        "glue-job-dpu-cap",
    ],
)
def test_compliant_job_passes_every_job_policy(name):
    assert check(name, JOB, GOOD_JOB) == []


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
    assert check(name, JOB, props) == [f"r: {expected}"]


def test_dpu_cap_is_read_from_policy_config():
    assert check("glue-job-dpu-cap", JOB, GOOD_JOB, config={"maxDpuPerRun": 16}) == [
        "r: one run may use 20 DPUs, above the cap of 16"
    ]
    assert (
        check(
            "glue-job-dpu-cap", JOB, {**GOOD_JOB, "workerType": "G.8X"}, config={"maxDpuPerRun": 80}
        )
        == []
    )


def test_job_policies_ignore_other_resource_types():
    assert check("glue-job-timeout", CRAWLER, {}) == []


def test_crawler_needs_security_configuration():
    name = "glue-crawler-security-configuration"
    assert check(name, CRAWLER, {"securityConfiguration": "glue-etl-dev-security"}) == []
    assert check(name, CRAWLER, {}) == ["r: securityConfiguration is not set"]


def test_dpu_table_is_the_stack_configs_plus_the_streaming_worker():
    # The pack keeps its own copy (Pulumi runs it without the project's modules); this ties the
    # copy to components/config.py, the table the stack config validates against.
    assert {worker: DPU_PER_WORKER[worker] for worker in WORKER_TYPES} == WORKER_TYPES
    # The only extra entry is a real worker type the config refuses, so such a job is measured.
    assert set(DPU_PER_WORKER) - set(WORKER_TYPES) == {"G.025X"}
    assert "G.025X" in UNSUPPORTED_WORKER_TYPES
