"""Job: worker settings from each real stack file, arguments, code upload keyed by content."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.code_bundle import code_bundle, content_hash, package_files
from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

JOB = "aws:glue/job:Job"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"


def _bucket(stack: str, role: str) -> str:
    return f"glue-etl-{stack}-{role}-{MOCK_ACCOUNT_ID}-us-east-1"


def _expected_arguments(graph: Graph, stack: str) -> dict[str, str]:
    scripts = _bucket(stack, "scripts")
    return {
        "--job-language": "python",
        "--job-bookmark-option": "job-bookmark-disable",
        "--enable-metrics": "true",
        "--enable-observability-metrics": "true",
        "--enable-glue-datacatalog": "true",
        "--TempDir": f"s3://{scripts}/temp/",
        "--extra-py-files": f"s3://{scripts}/{graph.inputs(OBJECT, '-package')['key']}",
        "--input_path": f"s3://{_bucket(stack, 'raw')}/input/",
        "--output_path": f"s3://{_bucket(stack, 'curated')}/",
        "--dedupe_keys": "vendor_id,pickup_datetime,dropoff_datetime,pickup_longitude,"
        "pickup_latitude,dropoff_longitude,dropoff_latitude,pu_location_id,do_location_id",
        "--enable-spark-ui": "true",
        "--spark-event-logs-path": f"s3://{scripts}/sparkui/",
    }


def test_dev_job_settings(dev: Graph) -> None:
    job = dev.inputs(JOB)
    assert {
        k: job[k] for k in ("glueVersion", "workerType", "numberOfWorkers", "executionClass")
    } == {
        "glueVersion": "5.1",
        "workerType": "G.1X",
        "numberOfWorkers": 2,
        "executionClass": "FLEX",
    }
    assert (job["timeout"], job["maxRetries"]) == (30, 0)
    assert job["executionProperty"] == {"maxConcurrentRuns": 1}
    assert job["defaultArguments"] == _expected_arguments(dev, "dev")


def test_prod_job_settings(prod: Graph) -> None:
    job = prod.inputs(JOB)
    assert {
        k: job[k] for k in ("glueVersion", "workerType", "numberOfWorkers", "executionClass")
    } == {
        "glueVersion": "5.1",
        "workerType": "G.2X",
        "numberOfWorkers": 10,
        "executionClass": "STANDARD",
    }
    assert (job["timeout"], job["maxRetries"]) == (120, 1)
    assert job["defaultArguments"] == {
        **_expected_arguments(prod, "prod"),
        "--enable-auto-scaling": "true",
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_job_never_sets_max_capacity_and_is_secured(request, stack: str) -> None:
    graph: Graph = request.getfixturevalue(stack)
    job = graph.inputs(JOB)
    assert "maxCapacity" not in job
    assert job["name"] == f"glue-etl-{stack}-etl"
    assert job["securityConfiguration"] == f"glue-etl-{stack}-security"
    assert job["roleArn"] == f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/glue-etl-{stack}-job"
    script_key = graph.inputs(OBJECT, "-script")["key"]
    assert job["command"] == {
        "name": "glueetl",
        "pythonVersion": "3",
        "scriptLocation": f"s3://{_bucket(stack, 'scripts')}/{script_key}",
    }


def test_code_objects_are_keyed_by_content(dev: Graph) -> None:
    bundle = code_bundle()
    script = dev.inputs(OBJECT, "-script")
    package = dev.inputs(OBJECT, "-package")
    assert script["key"] == f"code/glue_job-{bundle.script_hash}.py"
    assert script["source"] == {"$asset": "etl/glue_job.py"}
    assert package["key"] == f"code/etl-{bundle.package_hash}.zip"
    assert package["source"] == {"$archive": package_files()}
    assert all(name.startswith("etl/") for name in package["source"]["$archive"])


def test_glue_4_keeps_continuous_logging_flag() -> None:
    job = Graph.capture("dev", glueVersion="4.0").inputs(JOB)
    assert job["glueVersion"] == "4.0"
    assert job["defaultArguments"]["--enable-continuous-cloudwatch-log"] == "true"


def _fake_project(root: Path, job_source: str) -> None:
    (root / "etl" / "__pycache__").mkdir(parents=True)
    (root / "etl" / "__init__.py").write_text("")
    (root / "etl" / "glue_job.py").write_text(job_source)
    (root / "etl" / "__pycache__" / "glue_job.cpython-311.pyc").write_bytes(b"\0")


def test_hash_changes_with_code_and_ignores_caches(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _fake_project(first, "print('v1')\n")
    _fake_project(second, "print('v2')\n")
    assert package_files(first) == ["etl/__init__.py", "etl/glue_job.py"]
    a, b = code_bundle(first), code_bundle(second)
    assert a.script_hash != b.script_hash
    assert a.package_hash != b.package_hash
    assert a.package_hash == content_hash(["etl/__init__.py", "etl/glue_job.py"], first)
    assert sorted(a.package.assets) == ["etl/__init__.py", "etl/glue_job.py"]


def test_missing_entrypoint_is_reported(tmp_path: Path) -> None:
    (tmp_path / "etl").mkdir()
    with pytest.raises(FileNotFoundError, match=r"etl/glue_job\.py is missing"):
        code_bundle(tmp_path)
