"""AWS Glue entrypoint: job arguments, one incremental batch (the same code path as the local
runner), the run report, commit.

Job arguments (set by the infrastructure): --input_path (s3://<raw bucket>/input/),
--output_path (s3://<curated bucket>/), --dedupe_keys (comma-separated canonical column names);
optional --catalog_database (Glue database of the curated tables: after the run, the dates it
wrote are registered there as partitions of `trips` and `hourly_metrics`, and those it removed
taken out, see `etl.catalog_partitions`), --metrics_namespace and --pipeline_name (the run
report's counts are published as CloudWatch metrics there, see `etl.run_metrics`),
--retry_failed true (also read the input files an earlier run could not read; set it on one
run, e.g. `aws glue start-job-run --arguments '{"--retry_failed": "true"}'`). Every run still
waiting to be announced is too (`etl.announce`): a run that died after committing its outputs,
or whose registration or publishing failed, is announced by the next run.

The job keeps its own record of processed files in `<output_path>/_state/processed_files.json`
instead of using Glue job bookmarks: the pipeline reads whole files with Spark's CSV reader, which
bookmarks do not track (they only cover DynamicFrame reads), and the same state file makes local
runs and Glue runs behave identically. The job is deployed with bookmarks disabled; `job.init`
and `job.commit` still frame the run so Glue's run bookkeeping stays normal.
"""

from __future__ import annotations

import sys
from functools import cache

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from etl.announce import AnnounceError, Step
from etl.batch import run_batch
from etl.catalog_partitions import register_curated_partitions, remove_curated_partitions
from etl.jvm_classes import pin_pyspark_classes
from etl.paths import TRIPS_DIR, partition_values
from etl.pipeline import dedupe_keys_from
from etl.report import RunReport
from etl.run_metrics import publish_metrics
from etl.storage import Storage, join_path

JOB_ARGUMENTS = ["JOB_NAME", "input_path", "output_path", "dedupe_keys"]
# Read only when present: getResolvedOptions fails on a listed argument that is missing.
OPTIONAL_ARGUMENTS = ["catalog_database", "metrics_namespace", "pipeline_name", "retry_failed"]


def main(argv: list[str]) -> None:
    """Run one Glue job execution: the files under --input_path not processed before."""
    present = [name for name in OPTIONAL_ARGUMENTS if f"--{name}" in argv]
    args = getResolvedOptions(argv, JOB_ARGUMENTS + present)
    spark_context = SparkContext.getOrCreate()
    pin_pyspark_classes(spark_context._jvm)
    glue_context = GlueContext(spark_context)
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)
    try:
        report = run_batch(
            glue_context.spark_session,
            input_root=args["input_path"],
            output_root=args["output_path"],
            full_refresh=False,
            dedupe_keys=dedupe_keys_from(args["dedupe_keys"]),
            retry_failed=args.get("retry_failed", "false").strip().lower() == "true",
            # With neither argument set nothing is announced, and waiting runs keep waiting.
            announce=announce_steps(args, Storage(glue_context.spark_session)) or None,
        )
    except AnnounceError as error:
        # The run's outputs, state and report were published: its log shows the report too.
        if error.report is not None:
            print(error.report.to_json())
        raise
    print(report.to_json())
    job.commit()


def announce_steps(args: dict[str, str], storage: Storage) -> list[Step]:
    """What announcing a run means for this job: its counts published to CloudWatch, then its
    dates registered in the catalog and its removed dates taken out, each when its job argument
    is set. Counts go first so that the alarm on failed files hears of the run even while the
    catalog refuses its dates. An AWS error leaves the run waiting for the next run
    (`etl.announce`).

    The catalog is brought to the dates as they are when announcing, not as the run left them:
    a run announced late may have written a date that a later run removed, or removed one a
    later run wrote again."""
    steps = []
    if "metrics_namespace" in args:
        cloudwatch = boto3.client("cloudwatch")
        namespace = args["metrics_namespace"]
        pipeline = args.get("pipeline_name", args["JOB_NAME"])
        steps.append(
            Step("counts", lambda run: publish_metrics(cloudwatch, namespace, pipeline, run))
        )
    if "catalog_database" in args:
        glue = boto3.client("glue")
        database = args["catalog_database"]

        # Listed once, on first use: steps run after the publish, under the run lock, and
        # announcing changes no folder.
        @cache
        def present_dates() -> frozenset[str]:
            folders = storage.list_dirs(join_path(args["output_path"], TRIPS_DIR))
            # A folder that is not a date's (made by hand, or by another tool) is not counted.
            return frozenset(partition_values(folders))

        def register(run: RunReport) -> None:
            if run.partitions_written:
                present = present_dates()
                dates = [date for date in run.partitions_written if date in present]
                register_curated_partitions(glue, database, dates)

        def remove(run: RunReport) -> None:
            if run.partitions_removed:
                present = present_dates()
                dates = [date for date in run.partitions_removed if date not in present]
                remove_curated_partitions(glue, database, dates)

        steps += [Step("dates", register), Step("removed dates", remove)]
    return steps


if __name__ == "__main__":
    main(sys.argv)
