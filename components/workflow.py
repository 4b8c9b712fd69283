"""Workflow: start trigger -> crawler; crawler SUCCEEDED -> job."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class WorkflowArgs:
    """Inputs of the workflow component."""

    name_prefix: str
    crawler_name: pulumi.Input[str]
    job_name: pulumi.Input[str]
    # Empty: on demand. Otherwise a 6-field UTC cron expression (validated in config).
    schedule: str
    max_concurrent_runs: int = 1


class Workflow(pulumi.ComponentResource):
    """A Glue workflow with one start trigger and one conditional trigger."""

    workflow: aws.glue.Workflow
    start_trigger: aws.glue.Trigger
    job_trigger: aws.glue.Trigger

    def __init__(
        self, name: str, args: WorkflowArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:workflow:Workflow", name, None, opts)
        self._name = name
        self._args = args
        self.workflow = aws.glue.Workflow(
            f"{name}-workflow",
            name=f"{args.name_prefix}-pipeline",
            description="Crawl raw input, then run the ETL job when the crawl succeeds",
            # One run at a time: two overlapping runs would race on the curated outputs.
            max_concurrent_runs=args.max_concurrent_runs,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.start_trigger = self._create_start_trigger()
        self.job_trigger = self._create_job_trigger()
        self.workflow_name: pulumi.Output[str] = self.workflow.name
        self.register_outputs({"workflow_name": self.workflow.name})

    def _create_start_trigger(self) -> aws.glue.Trigger:
        args = self._args
        common = {
            "workflow_name": self.workflow.name,
            "actions": [{"crawler_name": args.crawler_name}],
            "opts": pulumi.ResourceOptions(parent=self),
        }
        if args.schedule:
            return aws.glue.Trigger(
                f"{self._name}-start",
                name=f"{args.name_prefix}-start-scheduled",
                type="SCHEDULED",
                schedule=args.schedule,
                start_on_creation=True,
                **common,
            )
        # No start_on_creation: an ON_DEMAND trigger has been reported to fire when created.
        return aws.glue.Trigger(
            f"{self._name}-start",
            name=f"{args.name_prefix}-start-on-demand",
            type="ON_DEMAND",
            **common,
        )

    def _create_job_trigger(self) -> aws.glue.Trigger:
        args = self._args
        return aws.glue.Trigger(
            f"{self._name}-run-job",
            name=f"{args.name_prefix}-run-job-after-crawl",
            type="CONDITIONAL",
            workflow_name=self.workflow.name,
            start_on_creation=True,
            predicate={
                "logical": "ANY",
                "conditions": [
                    {
                        "crawler_name": args.crawler_name,
                        "crawl_state": "SUCCEEDED",
                        "logical_operator": "EQUALS",
                    }
                ],
            },
            actions=[{"job_name": args.job_name}],
            opts=pulumi.ResourceOptions(parent=self),
        )
