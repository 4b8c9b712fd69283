"""GluePipeline: composes every component of one stack.

Order follows the data: storage -> (event queue) -> roles -> security -> catalog -> job -> workflow,
then the parts that only observe or describe them: curated tables and alerts.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.alerts import METRICS_NAMESPACE, Alerts, AlertsArgs
from components.catalog import Catalog, CatalogArgs, database_name
from components.code_bundle import CodeBundle, code_bundle
from components.config import StackConfig
from components.curated_tables import CuratedTables, CuratedTablesArgs
from components.events import CrawlerEvents, CrawlerEventsArgs
from components.iam import GlueRoles, GlueRolesArgs
from components.job import GlueJob, GlueJobArgs, JobSettings
from components.security import GlueSecurity, GlueSecurityArgs
from components.storage import Storage, StorageArgs
from components.workflow import Workflow, WorkflowArgs
from etl.contract import CURATED_TABLES


def job_settings(config: StackConfig) -> JobSettings:
    """The part of the stack config the job component needs."""
    return JobSettings(
        name_prefix=config.name_prefix,
        glue_version=config.glue_version,
        worker_type=config.worker_type,
        number_of_workers=config.number_of_workers,
        execution_class=config.execution_class,
        timeout_minutes=config.job_timeout_minutes,
        max_retries=config.max_retries,
        max_concurrent_runs=config.max_concurrent_runs,
        auto_scaling=config.auto_scaling,
        spark_ui=config.spark_ui,
        dedupe_keys=config.dedupe_keys,
        metrics_namespace=METRICS_NAMESPACE,
    )


@dataclass(frozen=True)
class GluePipelineArgs:
    """Inputs of the pipeline: the validated stack config (and the code, for tests to swap)."""

    config: StackConfig
    code: CodeBundle | None = None


class GluePipeline(pulumi.ComponentResource):
    """The whole pipeline. Attributes expose what further components need to attach:

    `storage.key_arn`, `storage.curated_bucket`, `catalog.database_name`, `catalog.crawler_name`,
    `job.job_name`, `workflow.workflow_name`.
    """

    storage: Storage
    events: CrawlerEvents | None
    roles: GlueRoles
    security: GlueSecurity
    catalog: Catalog
    job: GlueJob
    workflow: Workflow
    curated_tables: CuratedTables
    alerts: Alerts

    def __init__(
        self, name: str, args: GluePipelineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:pipeline:GluePipeline", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        # One lookup each, shared by every component that builds ARNs or globally unique names.
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).account_id
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region

        self.storage = Storage(
            f"{name}-storage",
            StorageArgs(
                name_prefix=config.name_prefix,
                account_id=account_id,
                region=region,
                protect_data=config.protect_data,
                raw_retention_days=config.raw_retention_days,
                access_logs=config.access_logs,
                s3_publishes_to_encrypted_queue=config.event_mode,
            ),
            child,
        )
        self.events = None
        if config.event_mode:
            self.events = CrawlerEvents(
                f"{name}-events",
                CrawlerEventsArgs(
                    name_prefix=config.name_prefix,
                    account_id=account_id,
                    raw_bucket_id=self.storage.raw_bucket.id,
                    raw_bucket_arn=self.storage.raw_bucket.arn,
                    key_arn=self.storage.key_arn,
                ),
                child,
            )
        self.roles = GlueRoles(
            f"{name}-iam",
            GlueRolesArgs(
                name_prefix=config.name_prefix,
                account_id=account_id,
                region=region,
                database_name=database_name(config.name_prefix),
                key_arn=self.storage.key_arn,
                raw_bucket_arn=self.storage.raw_bucket.arn,
                curated_bucket_arn=self.storage.curated_bucket.arn,
                scripts_bucket_arn=self.storage.scripts_bucket.arn,
                metrics_namespace=METRICS_NAMESPACE,
                curated_tables=tuple(CURATED_TABLES),
                event_queue_arns=(
                    (self.events.queue_arn, self.events.dead_letter_queue_arn)
                    if self.events
                    else ()
                ),
            ),
            child,
        )
        self.security = GlueSecurity(
            f"{name}-security",
            GlueSecurityArgs(name_prefix=config.name_prefix, key_arn=self.storage.key_arn),
            child,
        )
        self.catalog = Catalog(
            f"{name}-catalog",
            CatalogArgs(
                name_prefix=config.name_prefix,
                raw_bucket=self.storage.raw_bucket.bucket,
                crawler_role_arn=self.roles.crawler_role_arn,
                security_configuration=self.security.name,
                recrawl_behavior=config.crawler_recrawl,
                protect_data=config.protect_data,
                event_queue_arn=self.events.queue_arn if self.events else None,
                dead_letter_queue_arn=self.events.dead_letter_queue_arn if self.events else None,
            ),
            child,
        )
        self.job = GlueJob(
            f"{name}-job",
            GlueJobArgs(
                settings=job_settings(config),
                code=args.code or code_bundle(),
                role_arn=self.roles.job_role_arn,
                security_configuration=self.security.name,
                raw_bucket=self.storage.raw_bucket.bucket,
                curated_bucket=self.storage.curated_bucket.bucket,
                scripts_bucket=self.storage.scripts_bucket.bucket,
                catalog_database=self.catalog.database_name,
            ),
            child,
        )
        self.workflow = Workflow(
            f"{name}-workflow",
            WorkflowArgs(
                name_prefix=config.name_prefix,
                crawler_name=self.catalog.crawler_name,
                job_name=self.job.job_name,
                schedule=config.schedule,
            ),
            child,
        )
        self.curated_tables = CuratedTables(
            f"{name}-curated",
            CuratedTablesArgs(
                database_name=self.catalog.database_name,
                curated_bucket=self.storage.curated_bucket.bucket,
            ),
            child,
        )
        self.alerts = Alerts(
            f"{name}-alerts",
            AlertsArgs(
                name_prefix=config.name_prefix,
                account_id=account_id,
                job_name=self.job.job_name,
                crawler_name=self.catalog.crawler_name,
                kms_key_arn=self.storage.key_arn,
                metrics_namespace=METRICS_NAMESPACE,
                alert_email=config.alert_email,
            ),
            child,
        )
        self.outputs: dict[str, pulumi.Input[str]] = {
            "raw_bucket": self.storage.raw_bucket.bucket,
            "curated_bucket": self.storage.curated_bucket.bucket,
            "scripts_bucket": self.storage.scripts_bucket.bucket,
            "kms_key_arn": self.storage.key_arn,
            **({"log_bucket": self.storage.log_bucket.bucket} if self.storage.log_bucket else {}),
            "database_name": self.catalog.database_name,
            "crawler_name": self.catalog.crawler_name,
            "job_name": self.job.job_name,
            "workflow_name": self.workflow.workflow_name,
            "start_run_command": self.workflow.workflow_name.apply(
                lambda wf: (
                    f"python -m ops run --stack {config.stack}"
                    f"  # or: aws glue start-workflow-run --name {wf}"
                )
            ),
        }
        self.register_outputs(self.outputs)
