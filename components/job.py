"""Job: uploads the ETL code and declares the Glue Spark job that runs it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.bucket_layout import CODE_PREFIX, INPUT_PREFIX, SPARK_UI_PREFIX, TEMP_PREFIX
from components.code_bundle import CodeBundle


@dataclass(frozen=True)
class JobSettings:
    """How the job runs: runtime, size, limits and the ETL options it is given."""

    name_prefix: str
    glue_version: str
    worker_type: str
    number_of_workers: int
    execution_class: str
    timeout_minutes: int
    max_retries: int
    max_concurrent_runs: int
    auto_scaling: bool
    spark_ui: bool
    dedupe_keys: Sequence[str]
    # CloudWatch namespace of the run metrics the job publishes (see the job arguments below).
    metrics_namespace: str

    @property
    def job_name(self) -> str:
        """The Glue job's name, also the `Pipeline` dimension of its run metrics."""
        return f"{self.name_prefix}-etl"


@dataclass(frozen=True)
class GlueJobArgs:
    """Inputs of the job component."""

    settings: JobSettings
    code: CodeBundle
    role_arn: pulumi.Input[str]
    security_configuration: pulumi.Input[str]
    raw_bucket: pulumi.Input[str]
    curated_bucket: pulumi.Input[str]
    scripts_bucket: pulumi.Input[str]
    # Glue database holding the curated tables; the job registers their new partitions in it.
    catalog_database: pulumi.Input[str]


def s3_uri(bucket: pulumi.Input[str], key: str = "") -> pulumi.Output[str]:
    """`s3://<bucket>/<key>` from a bucket name that may be an Output."""
    return pulumi.Output.concat("s3://", bucket, "/", key)


def job_arguments(
    settings: JobSettings,
    *,
    raw_bucket: pulumi.Input[str],
    curated_bucket: pulumi.Input[str],
    scripts_bucket: pulumi.Input[str],
    catalog_database: pulumi.Input[str],
    package_key: str,
) -> dict[str, pulumi.Input[str]]:
    """Default arguments of the job: Glue's special parameters plus the ETL contract's own."""
    arguments: dict[str, pulumi.Input[str]] = {
        "--job-language": "python",
        # Off on purpose: the job records the files it processed under the curated bucket's
        # `_state/` and reads them with spark.read, which bookmarks do not track (they only
        # cover DynamicFrame reads). Explicit, so the choice is visible and tested.
        "--job-bookmark-option": "job-bookmark-disable",
        "--enable-metrics": "true",
        "--enable-observability-metrics": "true",
        "--enable-glue-datacatalog": "true",
        # Without it Glue creates its own unmanaged, unencrypted-by-us temp bucket.
        "--TempDir": s3_uri(scripts_bucket, TEMP_PREFIX),
        "--extra-py-files": s3_uri(scripts_bucket, package_key),
        "--input_path": s3_uri(raw_bucket, INPUT_PREFIX),
        "--output_path": s3_uri(curated_bucket),
        "--dedupe_keys": ",".join(settings.dedupe_keys),
        # After publishing, register the new pickup_date partitions of the curated tables here.
        "--catalog_database": catalog_database,
        # Run report counts go to CloudWatch as <namespace>/<metric> with dimension
        # Pipeline=<pipeline_name>; the FilesFailed alarm watches exactly that metric.
        "--metrics_namespace": settings.metrics_namespace,
        "--pipeline_name": settings.job_name,
    }
    if settings.auto_scaling:
        arguments["--enable-auto-scaling"] = "true"
    if settings.spark_ui:
        arguments["--enable-spark-ui"] = "true"
        arguments["--spark-event-logs-path"] = s3_uri(scripts_bucket, SPARK_UI_PREFIX)
    return arguments


class GlueJob(pulumi.ComponentResource):
    """Code objects in the scripts bucket + the Glue job (worker settings from JobSettings)."""

    script: aws.s3.BucketObjectv2
    package: aws.s3.BucketObjectv2
    job: aws.glue.Job

    def __init__(
        self, name: str, args: GlueJobArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:job:GlueJob", name, None, opts)
        self._name = name
        self._args = args
        script_key = f"{CODE_PREFIX}glue_job-{args.code.script_hash}.py"
        package_key = f"{CODE_PREFIX}etl-{args.code.package_hash}.zip"
        self.script = self._upload("script", script_key, args.code.script)
        self.package = self._upload("package", package_key, args.code.package)
        self.job = self._create_job(script_key, package_key)
        self.job_name: pulumi.Output[str] = self.job.name
        self.register_outputs({"job_name": self.job.name, "script_key": script_key})

    def _upload(
        self, role: str, key: str, source: pulumi.FileAsset | pulumi.AssetArchive
    ) -> aws.s3.BucketObjectv2:
        return aws.s3.BucketObjectv2(
            f"{self._name}-{role}",
            bucket=self._args.scripts_bucket,
            key=key,
            source=source,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_job(self, script_key: str, package_key: str) -> aws.glue.Job:
        args = self._args
        settings = args.settings
        return aws.glue.Job(
            f"{self._name}-job",
            name=settings.job_name,
            description="Raw taxi CSV -> curated trips and hourly metrics (Parquet)",
            role_arn=args.role_arn,
            glue_version=settings.glue_version,
            command={
                "name": "glueetl",
                "script_location": s3_uri(args.scripts_bucket, script_key),
                "python_version": "3",
            },
            # Worker type + count only: max_capacity cannot be combined with them.
            worker_type=settings.worker_type,
            number_of_workers=settings.number_of_workers,
            execution_class=settings.execution_class,
            timeout=settings.timeout_minutes,
            max_retries=settings.max_retries,
            execution_property={"max_concurrent_runs": settings.max_concurrent_runs},
            security_configuration=args.security_configuration,
            default_arguments=job_arguments(
                settings,
                raw_bucket=args.raw_bucket,
                curated_bucket=args.curated_bucket,
                scripts_bucket=args.scripts_bucket,
                catalog_database=args.catalog_database,
                package_key=package_key,
            ),
            # Uploads first, so a run started right after the deploy finds its code.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.script, self.package]),
        )
