"""Job: worker settings from each real stack file, arguments, code upload keyed by content."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.code_bundle import PROJECT_ROOT, code_bundle, content_hash, package_files
from components.job import GlueJob, GlueJobArgs, JobSettings
from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID


@contextlib.contextmanager
def _project_directory() -> Iterator[None]:
    # Code assets are relative to the project root, where Pulumi runs the program.
    previous = Path.cwd()
    os.chdir(PROJECT_ROOT)
    try:
        yield
    finally:
        os.chdir(previous)


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
        "--catalog_database": f"glue_etl_{stack}",
        "--metrics_namespace": "GlueEtl",
        "--pipeline_name": f"glue-etl-{stack}-etl",
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


def test_job_waits_for_the_database_it_registers_partitions_in(dev: Graph) -> None:
    database = dev.one("aws:glue/catalogDatabase:CatalogDatabase")
    assert database.urn in dev.one(JOB).dependencies


def test_component_takes_only_job_settings() -> None:
    # The job component's interface is JobSettings, not the whole stack config.
    settings = JobSettings(
        name_prefix="team-x",
        glue_version="5.0",
        worker_type="G.4X",
        number_of_workers=3,
        execution_class="STANDARD",
        timeout_minutes=15,
        max_retries=2,
        max_concurrent_runs=1,
        auto_scaling=False,
        spark_ui=False,
        dedupe_keys=("vendor_id", "pickup_datetime"),
        metrics_namespace="TeamX",
    )

    def program() -> None:
        GlueJob(
            "job",
            GlueJobArgs(
                settings=settings,
                code=code_bundle(),
                role_arn="arn:aws:iam::123456789012:role/r",
                security_configuration="sec",
                raw_bucket="raw",
                curated_bucket="curated",
                scripts_bucket="scripts",
                catalog_database="db",
            ),
        )

    with _project_directory():
        job = Graph.run(program, "dev").one(JOB).inputs
    assert (job["name"], job["glueVersion"], job["workerType"]) == ("team-x-etl", "5.0", "G.4X")
    assert (job["numberOfWorkers"], job["timeout"], job["maxRetries"]) == (3, 15, 2)
    arguments = job["defaultArguments"]
    assert arguments["--dedupe_keys"] == "vendor_id,pickup_datetime"
    assert arguments["--catalog_database"] == "db"
    assert (arguments["--metrics_namespace"], arguments["--pipeline_name"]) == (
        "TeamX",
        "team-x-etl",
    )
    assert "--enable-spark-ui" not in arguments
    assert "--enable-auto-scaling" not in arguments


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
