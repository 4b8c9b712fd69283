"""moto-backed AWS, a fake pulumi CLI and builders for scripted GetWorkflowRun answers."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from ops.cli import Env, main
from ops.stack import Runner
from tests.etl.helpers import create_curated_tables
from tests.moto_aws import moto_aws

REGION = "eu-west-1"
STACK = "dev"
WORKFLOW = "glue-etl-dev-pipeline"
CRAWLER = "glue-etl-dev-raw-crawler"
JOB = "glue-etl-dev-etl"
RAW_BUCKET = "glue-etl-dev-raw-0a1b2c"
CURATED_BUCKET = "glue-etl-dev-curated-0a1b2c"
T0 = datetime(2026, 11, 24, 22, 0, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=10)


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """Fake credentials, and a default region that is NOT the stack's, to prove region lookup."""
    empty = tmp_path_factory.mktemp("aws") / "none"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)


@pytest.fixture
def aws() -> Iterator[None]:
    with moto_aws():
        yield


@pytest.fixture
def glue(aws: None) -> Any:
    """A Glue client with the stack's crawler -> job workflow, as the infra component builds it."""
    client = boto3.client("glue", region_name=REGION)
    role = "arn:aws:iam::123456789012:role/glue-etl-dev-glue"
    client.create_database(DatabaseInput={"Name": "glue_etl_dev"})
    client.create_crawler(
        Name=CRAWLER,
        Role=role,
        DatabaseName="glue_etl_dev",
        Targets={"S3Targets": [{"Path": f"s3://{RAW_BUCKET}/input/"}]},
    )
    client.create_job(
        Name=JOB,
        Role=role,
        Command={"Name": "glueetl", "ScriptLocation": "s3://scripts/etl/glue_job.py"},
        GlueVersion="5.1",
    )
    client.create_workflow(Name=WORKFLOW)
    # The curated bucket, where the job leaves its run reports.
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket=CURATED_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    client.create_trigger(
        Name=f"{WORKFLOW}-start",
        WorkflowName=WORKFLOW,
        Type="ON_DEMAND",
        Actions=[{"CrawlerName": CRAWLER}],
    )
    client.create_trigger(
        Name=f"{WORKFLOW}-after-crawl",
        WorkflowName=WORKFLOW,
        Type="CONDITIONAL",
        StartOnCreation=True,
        Predicate={
            "Logical": "ANY",
            "Conditions": [
                {"LogicalOperator": "EQUALS", "CrawlerName": CRAWLER, "CrawlState": "SUCCEEDED"}
            ],
        },
        Actions=[{"JobName": JOB}],
    )
    return client


@dataclass
class FakePulumi:
    """Stands in for the pulumi CLI: answers `stack output --json` and `config get aws:region`."""

    outputs: dict[str, Any]
    region: str = REGION
    calls: list[list[str]] = field(default_factory=list)

    def __call__(self, args: Sequence[str]) -> str:
        self.calls.append(list(args))
        if list(args[:3]) == ["stack", "output", "--json"]:
            return json.dumps(self.outputs)
        if list(args[:3]) == ["config", "get", "aws:region"]:
            return self.region + "\n"
        raise AssertionError(f"unexpected pulumi call: {args}")


DATABASE = "glue_etl_dev"
PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"


def location(table: str) -> str:
    """The table's location, as the stack declares it."""
    return f"s3://{CURATED_BUCKET}/{table}/"


@pytest.fixture
def catalog(glue: Any) -> Any:
    """The two curated tables, as the stack declares them, with no partitions yet."""
    create_curated_tables(
        glue,
        DATABASE,
        lambda table: {
            "Columns": [{"Name": "trip_distance", "Type": "double"}],
            "Location": location(table),
            "InputFormat": PARQUET_INPUT_FORMAT,
        },
    )
    return glue


def stack_outputs(**overrides: Any) -> dict[str, Any]:
    outputs = {
        "raw_bucket": RAW_BUCKET,
        "curated_bucket": CURATED_BUCKET,
        "workflow_name": WORKFLOW,
        "job_name": JOB,
        "crawler_name": CRAWLER,
    }
    outputs.update(overrides)
    return outputs


@dataclass
class Result:
    code: int
    out: str
    err: str
    sleeps: list[float]
    regions: list[tuple[str, str | None]]

    @property
    def out_lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def run_cli(
    argv: Sequence[str],
    pulumi: Runner,
    clients: dict[str, Any] | None = None,
    sleep_error: BaseException | None = None,
) -> Result:
    """Run `python -m ops ...` in-process with injected pulumi, clients, clock and sleep."""
    out, err = io.StringIO(), io.StringIO()
    sleeps: list[float] = []
    regions: list[tuple[str, str | None]] = []

    def client(service: str, region: str | None) -> Any:
        regions.append((service, region))
        if clients and service in clients:
            return clients[service]
        return boto3.client(service, region_name=region)

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if sleep_error is not None:
            raise sleep_error

    env = Env(runner=pulumi, client=client, sleep=sleep, now=lambda: NOW, out=out, err=err)
    code = main(list(argv), env)
    return Result(code, out.getvalue(), err.getvalue(), sleeps, regions)


def crawler_node(
    state: str | None = None,
    started: int | None = None,
    completed: int | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """A CRAWLER graph node; times are seconds after T0; no state means not started yet."""
    crawls = []
    if state is not None:
        crawl: dict[str, Any] = {"State": state, "StartedOn": T0 + timedelta(seconds=started or 0)}
        if completed is not None:
            crawl["CompletedOn"] = T0 + timedelta(seconds=completed)
        if error:
            crawl["ErrorMessage"] = error
        crawls.append(crawl)
    return {
        "Type": "CRAWLER",
        "Name": CRAWLER,
        "UniqueId": "c1",
        "CrawlerDetails": {"Crawls": crawls},
    }


def job_node(
    state: str | None = None,
    started: int | None = None,
    completed: int | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """A JOB graph node; times are seconds after T0; no state means not started yet."""
    runs = []
    if state is not None:
        run: dict[str, Any] = {
            "Id": "jr_1",
            "Attempt": 0,
            "JobName": JOB,
            "JobRunState": state,
            "StartedOn": T0 + timedelta(seconds=started or 0),
        }
        if completed is not None:
            run["CompletedOn"] = T0 + timedelta(seconds=completed)
        if error:
            run["ErrorMessage"] = error
        runs.append(run)
    return {"Type": "JOB", "Name": JOB, "UniqueId": "j1", "JobDetails": {"JobRuns": runs}}


def trigger_node(name: str) -> dict[str, Any]:
    return {"Type": "TRIGGER", "Name": name, "UniqueId": name, "TriggerDetails": {}}


def frame(
    status: str,
    crawler: dict[str, Any],
    job: dict[str, Any],
    statistics: dict[str, int] | None = None,
    completed: int | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """The fields of one GetWorkflowRun answer that moto does not simulate."""
    nodes = [
        trigger_node(f"{WORKFLOW}-start"),
        job,
        trigger_node(f"{WORKFLOW}-after-crawl"),
        crawler,
    ]
    overlay: dict[str, Any] = {
        "Status": status,
        "StartedOn": T0,
        "Graph": {"Nodes": nodes, "Edges": []},
        "Statistics": statistics or {},
    }
    if completed is not None:
        overlay["CompletedOn"] = T0 + timedelta(seconds=completed)
    if error:
        overlay["ErrorMessage"] = error
    return overlay


def script_workflow_run(
    monkeypatch: pytest.MonkeyPatch, glue: Any, frames: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Replace only get_workflow_run: moto keeps every run RUNNING and returns no graph.

    The real (moto) call still runs first, so an unknown workflow or run id fails as in AWS;
    the scripted frame then supplies status, statistics and graph. Returns the recorded kwargs.
    """
    real = glue.get_workflow_run
    remaining = list(frames)
    calls: list[dict[str, Any]] = []

    def scripted(**kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs)
        response = real(Name=kwargs["Name"], RunId=kwargs["RunId"])
        response["Run"].update(remaining.pop(0))
        return response

    monkeypatch.setattr(glue, "get_workflow_run", scripted)
    return calls
