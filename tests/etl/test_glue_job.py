"""The Glue entrypoint end to end with AWS's own Glue library (`AWSGlueDataplanePython`, module
`awsglue`, pinned in requirements-dev.txt): its real `getResolvedOptions`, `GlueContext` and `Job`
run over real local Spark; only the Glue classes they call on the JVM, which open-source Spark
lacks, are stubbed. The arguments are the ones the stack gives the job, local files stand in for
the raw and curated buckets, and three runs share one state file. No AWS is involved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from awsglue.utils import GlueArgumentError
from botocore.exceptions import ClientError
from chispa import assert_df_equality
from pyspark import SparkContext
from pyspark.sql.types import DateType, DoubleType, IntegerType, TimestampType

from etl import checkpoints, glue_job
from etl.announce import AnnounceError
from etl.catalog_partitions import register_curated_partitions
from etl.contract import CURATED_TABLES, DEFAULT_DEDUPE_KEYS
from etl.jvm_classes import PYSPARK_SHORT_NAMES, StaticsFoundOnce
from etl.report import RunReport
from etl.schema import TRIPS_SCHEMA
from etl.storage import Storage
from preview.capture import capture_stack
from tests.etl.helpers import (
    DEFAULTS,
    TLC_HEADER,
    moto_catalog,
    trip_line,
    unpin_pyspark_classes,
    write_csv,
)

DATABASE = "glue_etl_dev"


@dataclasses.dataclass
class GlueJvmStubs:
    """The JVM side of the Glue runtime that awsglue calls (`com.amazonaws.services.glue.*`):
    the Scala GlueContext, GlueLogger and Job, recording each call in order."""

    calls: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)
    # Called at Job.commit, so a test can check what the run had written by then.
    on_commit: Any = None

    def GlueContext(self, spark_context: Any, *partitions: int) -> object:
        self.calls.append(("GlueContext", *partitions))
        return object()  # the job reads and writes through Spark, never through this context

    def GlueLogger(self) -> object:
        self.calls.append(("GlueLogger",))
        return object()

    @property
    def Job(self) -> GlueJvmStubs:  # a Scala object: Job.init(...), Job.commit()
        return self

    def init(self, name: str, spark_session: Any, args: dict[str, Any]) -> None:
        self.calls.append(("Job.init", name, spark_session, dict(args)))

    def commit(self) -> None:
        self.calls.append(("Job.commit", self.on_commit() if self.on_commit else None))


class JvmWithGlue:
    """SparkContext's JVM view with the Glue classes added: their names go to the stubs, every
    other name (and py4j's own attributes) to the real JVM that runs the job's Spark work."""

    GLUE_CLASSES = ("GlueContext", "GlueLogger", "Job")

    def __init__(self, real: Any, stubs: GlueJvmStubs) -> None:
        self._real = real
        self._stubs = stubs

    def __getattr__(self, name: str) -> Any:
        if name in self.GLUE_CLASSES:
            return getattr(self._stubs, name)
        return getattr(self._real, name)


@pytest.fixture
def glue_jvm(spark, monkeypatch) -> GlueJvmStubs:
    """Stub the Glue JVM classes for this test; Spark's own JVM stays real."""
    stubs = GlueJvmStubs()
    monkeypatch.setattr(SparkContext, "_jvm", JvmWithGlue(SparkContext._jvm, stubs))
    return stubs


@pytest.fixture
def aws(monkeypatch) -> Iterator[dict[str, Any]]:
    """moto in place of AWS: the stack's Glue database with its two curated tables (what the
    job registers partitions in) and CloudWatch (where it publishes the run's counts)."""

    def location(table: str) -> dict[str, Any]:
        return {"Location": f"s3://curated/{table}/"}

    with moto_catalog(monkeypatch, DATABASE, location) as glue:
        yield {"glue": glue, "cloudwatch": boto3.client("cloudwatch")}


def _dates(glue: Any, table: str) -> list[str]:
    partitions = glue.get_partitions(DatabaseName=DATABASE, TableName=table)["Partitions"]
    return sorted(p["Values"][0] for p in partitions)


def _metrics(cloudwatch: Any) -> dict[str, float]:
    """Sum of each GlueEtl metric of the dev pipeline, as the alarm would see it."""
    sums = {}
    for metric in cloudwatch.list_metrics(Namespace="GlueEtl")["Metrics"]:
        assert metric["Dimensions"] == [{"Name": "Pipeline", "Value": "glue-etl-dev-etl"}]
        stats = cloudwatch.get_metric_statistics(
            Namespace="GlueEtl",
            MetricName=metric["MetricName"],
            Dimensions=metric["Dimensions"],
            StartTime=dt.datetime(2000, 1, 1),
            EndTime=dt.datetime(2100, 1, 1),
            Period=86400 * 365,
            Statistics=["Sum"],
        )
        sums[metric["MetricName"]] = sum(p["Sum"] for p in stats["Datapoints"])
    return sums


@pytest.fixture(scope="module")
def job_arguments() -> dict[str, str]:
    """The job's default arguments as the dev stack declares them (s3:// paths included)."""
    job = next(r for r in capture_stack("dev") if r.type == "aws:glue/job:Job")
    return {"JOB_NAME": job.inputs["name"], **job.inputs["defaultArguments"]}


def _argv(arguments: dict[str, str], raw: Path, curated: Path) -> list[str]:
    """The command line Glue runs the script with: its own run ids, the job name and the default
    arguments, with local folders in place of the buckets."""
    local = {"--input_path": raw.as_uri() + "/", "--output_path": curated.as_uri()}
    argv = ["glue_job.py", "--JOB_ID", "j_0123", "--JOB_RUN_ID", "jr_0123"]
    argv += ["--JOB_NAME", arguments["JOB_NAME"]]
    for key, value in arguments.items():
        if key.startswith("--"):
            argv += [key, local.get(key, value)]
    return argv


def _typed(value: str, data_type: Any) -> Any:
    if isinstance(data_type, IntegerType):
        return int(value)
    if isinstance(data_type, DoubleType):
        return float(value)
    if isinstance(data_type, TimestampType):
        return dt.datetime.fromisoformat(value)
    return value


def _expected_trip(source: str, **values: str) -> tuple[Any, ...]:
    """The trips row of one `trip_line(**values)` from `source`: every field as the CSV wrote
    it, optional columns absent from the TLC header null, the date taken from the pickup."""
    # TLC_HEADER's tpep_ names make the service yellow.
    cells = {**DEFAULTS, "service": "yellow", **values}
    row = []
    for field in TRIPS_SCHEMA.fields:
        if field.name == "source_file":
            row.append(source)
        elif isinstance(field.dataType, DateType):
            row.append(dt.datetime.fromisoformat(cells["pickup_datetime"]).date())
        else:
            cell = cells.get(field.name)
            row.append(None if cell is None else _typed(cell, field.dataType))
    return tuple(row)


def _trips(spark, curated: Path):
    return (
        spark.read.schema(TRIPS_SCHEMA).parquet(str(curated / "trips")).select(*TRIPS_SCHEMA.names)
    )


def _run(argv: list[str], capsys, curated: Path) -> dict[str, Any]:
    """One job execution; returns the report it printed, checked against latest.json."""
    glue_job.main(argv)
    printed = json.loads(capsys.readouterr().out)
    assert json.loads((curated / "_reports" / "latest.json").read_text()) == printed
    assert (curated / "_reports" / f"{printed['run_id']}.json").is_file()
    return printed


def test_job_processes_each_input_file_once_across_runs(
    spark, tmp_path, glue_jvm, job_arguments, aws, capsys
):
    raw, curated = tmp_path / "raw" / "input", tmp_path / "curated"
    argv = _argv(job_arguments, raw, curated)
    first = write_csv(
        raw / "2015" / "a.csv", [TLC_HEADER, trip_line(), trip_line(), trip_line(extra="?")]
    )
    # Job.commit must come after the run report is written.
    glue_jvm.on_commit = lambda: sorted(p.name for p in (curated / "_reports").glob("*.json"))

    report = _run(argv, capsys, curated)

    assert [call[0] for call in glue_jvm.calls] == [
        "GlueContext",
        "GlueLogger",
        "Job.init",
        "Job.commit",
    ]
    _, name, session, args = glue_jvm.calls[2]
    assert (name, session) == ("glue-etl-dev-etl", spark._jsparkSession)
    assert args["JOB_NAME"] == "glue-etl-dev-etl"
    assert (args["input_path"], args["output_path"]) == (raw.as_uri() + "/", curated.as_uri())
    assert args["dedupe_keys"] == ",".join(DEFAULT_DEDUPE_KEYS)
    # The stack disables bookmarks (the job tracks processed files itself); Glue's parser agrees.
    assert args["job_bookmark_option"] == "job-bookmark-disable"
    assert glue_jvm.calls[3] == ("Job.commit", [f"{report['run_id']}.json", "latest.json"])
    assert report["mode"] == "incremental"
    assert (report["files_processed"], report["rows_read"]) == (1, 3)
    assert (report["rows_written"], report["duplicates_dropped"]) == (1, 1)
    assert (report["rows_quarantined"], report["reasons"]) == (1, {"invalid_value": 1})
    assert report["partitions_written"] == ["2015-01-15"]
    # Trips name their file by its path under the input root.
    expected = spark.createDataFrame([_expected_trip("2015/a.csv")], TRIPS_SCHEMA)
    assert_df_equality(_trips(spark, curated), expected, ignore_nullable=True)
    state = json.loads((curated / "_state" / "processed_files.json").read_text())
    assert [(e["path"], e["size"], e["status"]) for e in state["files"]] == [
        ("2015/a.csv", first.stat().st_size, "loaded")
    ]
    # The dates written are partitions in the catalog, and the counts are CloudWatch metrics.
    for table in CURATED_TABLES:
        assert _dates(aws["glue"], table) == ["2015-01-15"]
    assert _metrics(aws["cloudwatch"]) == {
        "RowsRead": 3.0,
        "RowsWritten": 1.0,
        "RowsQuarantined": 1.0,
        "DuplicatesDropped": 1.0,
        "FilesFailed": 0.0,
    }

    glue_jvm.on_commit = None
    rerun = _run(argv, capsys, curated)

    assert [call[0] for call in glue_jvm.calls].count("Job.commit") == 2
    assert rerun["run_id"] != report["run_id"]
    assert (rerun["files_processed"], rerun["rows_read"], rerun["rows_written"]) == (0, 0, 0)
    assert_df_equality(_trips(spark, curated), expected, ignore_nullable=True)

    late = {"pickup_datetime": "2015-01-16 08:00:00", "dropoff_datetime": "2015-01-16 08:20:00"}
    write_csv(raw / "2015" / "b.csv", [TLC_HEADER, trip_line(**late)])

    third = _run(argv, capsys, curated)

    assert (third["files_processed"], third["rows_read"], third["rows_written"]) == (1, 1, 1)
    assert third["partitions_written"] == ["2015-01-16"]
    both = spark.createDataFrame(
        [_expected_trip("2015/a.csv"), _expected_trip("2015/b.csv", **late)], TRIPS_SCHEMA
    )
    for table in CURATED_TABLES:
        assert _dates(aws["glue"], table) == ["2015-01-15", "2015-01-16"]
    assert_df_equality(_trips(spark, curated), both, ignore_row_order=True, ignore_nullable=True)


def test_a_missing_job_argument_fails_in_glues_parser_before_spark(
    tmp_path, glue_jvm, job_arguments
):
    arguments = {k: v for k, v in job_arguments.items() if k != "--output_path"}

    with pytest.raises(
        GlueArgumentError, match="the following arguments are required: --output_path"
    ):
        glue_job.main(_argv(arguments, tmp_path / "raw", tmp_path / "curated"))

    assert glue_jvm.calls == []


def test_without_catalog_and_metrics_arguments_aws_is_untouched(
    tmp_path, glue_jvm, job_arguments, aws, capsys
):
    optional = {"--catalog_database", "--metrics_namespace", "--pipeline_name"}
    arguments = {k: v for k, v in job_arguments.items() if k not in optional}
    raw, curated = tmp_path / "raw" / "input", tmp_path / "curated"
    write_csv(raw / "a.csv", [TLC_HEADER, trip_line()])

    report = _run(_argv(arguments, raw, curated), capsys, curated)

    assert report["partitions_written"] == ["2015-01-15"]
    for table in CURATED_TABLES:
        assert _dates(aws["glue"], table) == []
    assert aws["cloudwatch"].list_metrics(Namespace="GlueEtl")["Metrics"] == []
    # Nothing announced, and nothing left waiting for a job that never will.
    assert not (curated / "_announce").exists()


def test_failed_files_are_retried_when_the_run_asks(tmp_path, glue_jvm, job_arguments, aws, capsys):
    raw, curated = tmp_path / "raw" / "input", tmp_path / "curated"
    write_csv(raw / "a.csv", [TLC_HEADER, trip_line()])
    (raw / "yellow_tripdata_2024-01.parquet").write_bytes(b"PAR1 cut short")
    argv = _argv(job_arguments, raw, curated)

    first = _run(argv, capsys, curated)
    again = _run(argv, capsys, curated)
    retried = _run([*argv, "--retry_failed", "true"], capsys, curated)

    assert [f["path"] for f in first["failed_files"]] == ["yellow_tripdata_2024-01.parquet"]
    assert (again["files_processed"], again["failed_files"]) == (0, [])
    assert retried["files_processed"] == 1
    assert [f["path"] for f in retried["failed_files"]] == ["yellow_tripdata_2024-01.parquet"]
    # The failed file is what the FilesFailed metric counts, once per run that met it.
    assert _metrics(aws["cloudwatch"])["FilesFailed"] == 2.0


def test_the_job_finds_the_classes_pyspark_names_once_as_local_runs_do(
    spark, tmp_path, glue_jvm, job_arguments, aws, capsys, monkeypatch
):
    # As a Glue driver starts: PySpark's own lookups, not the local session's.
    unpin_pyspark_classes(monkeypatch, spark.sparkContext._gateway.jvm)
    raw, curated = tmp_path / "raw" / "input", tmp_path / "curated"
    write_csv(raw / "a.csv", [TLC_HEADER, trip_line()])

    report = _run(_argv(job_arguments, raw, curated), capsys, curated)

    # The JVM view the job's PySpark calls go through (here the one with Glue's stubs).
    view = vars(SparkContext._jvm)
    assert all(isinstance(view.get(name), StaticsFoundOnce) for name in PYSPARK_SHORT_NAMES)
    assert report["rows_written"] == 1


class _Killed(BaseException):
    """Stands in for the driver lost at a checkpoint: nothing after it runs."""


# What the one-file job of the tests below announces: a trip written and a row quarantined.
_ONE_RUN_COUNTS = {
    "RowsRead": 2.0,
    "RowsWritten": 1.0,
    "RowsQuarantined": 1.0,
    "DuplicatesDropped": 0.0,
    "FilesFailed": 0.0,
}


def _one_file_job(tmp_path: Path, job_arguments: dict[str, str]) -> tuple[list[str], Path]:
    """The job's arguments over one input file, and its curated folder."""
    raw, curated = tmp_path / "raw" / "input", tmp_path / "curated"
    write_csv(raw / "a.csv", [TLC_HEADER, trip_line(), trip_line(total_amount="x")])
    return _argv(job_arguments, raw, curated), curated


def _killed_jobs(argv: list[str], monkeypatch, points: tuple[str, ...]) -> None:
    """One job execution per checkpoint, each lost there."""

    def kill() -> None:
        raise _Killed

    for point in points:
        with monkeypatch.context() as killed:
            killed.setattr(checkpoints, "_kill", kill)
            killed.setenv(checkpoints.KILL_AT_ENV, point)
            with pytest.raises(_Killed):
                glue_job.main(argv)


def _announced_once(aws: dict[str, Any], curated: Path) -> None:
    """The one-file run's date is registered, its counts published once, nothing waits."""
    for table in CURATED_TABLES:
        assert _dates(aws["glue"], table) == ["2015-01-15"]
    assert _metrics(aws["cloudwatch"]) == _ONE_RUN_COUNTS
    assert list((curated / "_announce").iterdir()) == []


# The first point a run is committed, and the last of its publish (its entry already written).
@pytest.mark.parametrize("point", [checkpoints.COMMITTED, checkpoints.REPORTED])
def test_runs_killed_after_their_commit_have_their_dates_and_counts_published_by_the_next(
    tmp_path, glue_jvm, job_arguments, aws, capsys, monkeypatch, point
):
    argv, curated = _one_file_job(tmp_path, job_arguments)
    # Two runs in a row die after their commit: the second had finished the first's publish.
    _killed_jobs(argv, monkeypatch, (point, point))
    capsys.readouterr()

    rerun = _run(argv, capsys, curated)

    # The rerun reads nothing; what the first run loaded is registered and counted all the same.
    # (Killed at `reported`, the second run died finishing the first's publish: the rerun
    # finished it. Killed at `committed`, the second had finished it: the rerun names both.)
    assert (rerun["files_processed"], rerun["rows_read"]) == (0, 0)
    [second] = rerun["recovered_runs"]
    first = second if point == checkpoints.REPORTED else second["recovered_runs"][0]
    assert (first["rows_read"], first["rows_written"], first["partitions_written"]) == (
        2,
        1,
        ["2015-01-15"],
    )
    _announced_once(aws, curated)


def test_a_run_that_died_finishing_a_dead_runs_publish_leaves_it_to_be_announced(
    tmp_path, glue_jvm, job_arguments, aws, capsys, monkeypatch
):
    argv, curated = _one_file_job(tmp_path, job_arguments)
    # The first run dies after its commit; the second finishes its publish, then dies before
    # its own commit, so no staging of either is left for the third to find.
    _killed_jobs(argv, monkeypatch, (checkpoints.COMMITTED, checkpoints.STAGED))
    capsys.readouterr()
    assert not (curated / "_staging").exists()
    for table in CURATED_TABLES:
        assert _dates(aws["glue"], table) == []

    third = _run(argv, capsys, curated)

    assert (third["files_processed"], third["recovered_runs"]) == (0, [])
    _announced_once(aws, curated)


def test_a_run_whose_registration_failed_is_announced_by_the_next(
    tmp_path, glue_jvm, job_arguments, aws, capsys, monkeypatch
):
    argv, curated = _one_file_job(tmp_path, job_arguments)
    throttled = ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
        "BatchCreatePartition",
    )

    def refused(*_: object) -> None:
        raise throttled

    with monkeypatch.context() as patched:
        patched.setattr(glue_job, "register_curated_partitions", refused)
        with pytest.raises(AnnounceError, match="ThrottlingException") as failed:
            glue_job.main(argv)
    assert failed.value.__cause__ is throttled

    # The run loaded its file and printed its report; its counts went out (the alarm on failed
    # files hears of it), and the failure only kept its dates waiting.
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((curated / "_reports" / "latest.json").read_text())
    assert (printed["files_processed"], printed["rows_written"]) == (1, 1)
    assert [p.name for p in (curated / "_announce").iterdir()] == [f"{printed['run_id']}.json"]
    assert [call[0] for call in glue_jvm.calls].count("Job.commit") == 0
    assert _metrics(aws["cloudwatch"]) == _ONE_RUN_COUNTS

    rerun = _run(argv, capsys, curated)

    # The rerun registers the date and publishes no count twice (its own are zeros).
    assert (rerun["files_processed"], rerun["rows_read"]) == (0, 0)
    _announced_once(aws, curated)


_NEXT_DAY = {"pickup_datetime": "2015-01-16 08:00:00", "dropoff_datetime": "2015-01-16 08:20:00"}


def test_a_date_a_corrected_file_no_longer_holds_leaves_the_catalog(
    tmp_path, glue_jvm, job_arguments, aws, capsys
):
    argv, curated = _one_file_job(tmp_path, job_arguments)
    _run(argv, capsys, curated)
    # The file is corrected: its one trip was on the 16th, and it holds no bad line any more.
    write_csv(tmp_path / "raw" / "input" / "a.csv", [TLC_HEADER, trip_line(**_NEXT_DAY)])

    corrected = _run(argv, capsys, curated)

    assert corrected["partitions_written"] == ["2015-01-16"]
    assert corrected["partitions_removed"] == ["2015-01-15"]
    for table in CURATED_TABLES:
        assert _dates(aws["glue"], table) == ["2015-01-16"]


def test_the_catalog_is_brought_to_the_dates_written_when_a_run_is_announced(spark, tmp_path, aws):
    curated = tmp_path / "curated"
    (curated / "trips" / "pickup_date=2015-01-16").mkdir(parents=True)
    # A folder someone made by hand is no date.
    (curated / "trips" / "notes").mkdir()
    register_curated_partitions(aws["glue"], DATABASE, ["2015-01-17"])
    # Announced late: since it ran, a later run removed the 15th and wrote the 16th again.
    late = RunReport(
        "r-1", "t0", "t1", "incremental", 1, 2, 0, 0, 2,
        partitions_written=["2015-01-15", "2015-01-16"],
        partitions_removed=["2015-01-16", "2015-01-17"],
    )  # fmt: skip
    args = {"JOB_NAME": "job", "catalog_database": DATABASE, "output_path": curated.as_uri()}

    for step in glue_job.announce_steps(args, Storage(spark)):
        step.run(late)

    for table in CURATED_TABLES:
        assert _dates(aws["glue"], table) == ["2015-01-16"]
