"""Alerts: failed, timed-out or stopped job runs, failed crawls and runs with unreadable input files
reach people through SNS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.policies import deny_insecure_transport, policy_document

# States of "Glue Job State Change" that need a human (SUCCEEDED is the only other one).
JOB_ALERT_STATES: tuple[str, ...] = ("FAILED", "TIMEOUT", "STOPPED")
# "Glue Crawler State Change" uses capitalised states: Started, Succeeded, Failed.
CRAWLER_ALERT_STATES: tuple[str, ...] = ("Failed",)

# Templates are JSON objects whose placeholders are not quoted: EventBridge then inserts each value
# JSON-encoded (quotes and newlines escaped). Inside quotes it inserts values verbatim, so a Spark
# error message with a `"` or a line break made the payload invalid and the alert was never
# delivered: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
# Job events carry the run id; crawler events have none, so the event id identifies the occurrence.
JOB_INPUT_PATHS: dict[str, str] = {
    "job": "$.detail.jobName",
    "state": "$.detail.state",
    "run_id": "$.detail.jobRunId",
    "message": "$.detail.message",
    "time": "$.time",
}
JOB_TEMPLATE = (
    '{"alert": "Glue job run ended badly", "job": <job>, "state": <state>, "time": <time>, '
    '"run_id": <run_id>, "message": <message>}'
)
CRAWLER_INPUT_PATHS: dict[str, str] = {
    "crawler": "$.detail.crawlerName",
    "state": "$.detail.state",
    "event_id": "$.id",
    "message": "$.detail.errorMessage",
    "time": "$.time",
}
CRAWLER_TEMPLATE = (
    '{"alert": "Glue crawl failed", "crawler": <crawler>, "state": <state>, "time": <time>, '
    '"event_id": <event_id>, "message": <message>}'
)

# The job publishes its run report's counts as metrics in its own namespace, one series per
# pipeline (dimension `Pipeline` = the job name). A file that could not be read fails no run (the
# others still load), so this alarm is what tells people about it.
METRICS_NAMESPACE = "GlueEtl"
PIPELINE_DIMENSION = "Pipeline"
FILES_FAILED_METRIC = "FilesFailed"
ALARM_PERIOD_SECONDS = 300


@dataclass(frozen=True)
class AlertsArgs:
    """Inputs of the alerts component: plain values or Outputs of the other components."""

    name_prefix: str
    account_id: pulumi.Input[str]
    job_name: pulumi.Input[str]
    crawler_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    # Namespace of the job's run metrics (`--metrics_namespace`); their `Pipeline` is job_name.
    metrics_namespace: str
    # Empty: no subscription (the topic still exists for chat/pager integrations).
    alert_email: str = ""


class Alerts(pulumi.ComponentResource):
    """Encrypted SNS topic fed by EventBridge rules on this job's and this crawler's failures."""

    topic: aws.sns.Topic
    job_rule: aws.cloudwatch.EventRule
    crawler_rule: aws.cloudwatch.EventRule
    files_failed_alarm: aws.cloudwatch.MetricAlarm
    subscription: aws.sns.TopicSubscription | None

    def __init__(
        self, name: str, args: AlertsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:alerts:Alerts", name, None, opts)
        self._name = name
        self._args = args
        self.topic = self._create_topic()
        self.job_rule = self._create_rule(
            "job-failed",
            "Glue Job State Change",
            {"jobName": [args.job_name], "state": list(JOB_ALERT_STATES)},
            JOB_INPUT_PATHS,
            JOB_TEMPLATE,
            "Glue job run failed, timed out or was stopped",
        )
        self.crawler_rule = self._create_rule(
            "crawler-failed",
            "Glue Crawler State Change",
            {"crawlerName": [args.crawler_name], "state": list(CRAWLER_ALERT_STATES)},
            CRAWLER_INPUT_PATHS,
            CRAWLER_TEMPLATE,
            "Glue crawler failed",
        )
        self.files_failed_alarm = self._create_files_failed_alarm()
        self._create_topic_policy()
        self.subscription = self._create_subscription()
        self.topic_arn: pulumi.Output[str] = self.topic.arn
        self.register_outputs({"topic_arn": self.topic.arn})

    def _child(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self)

    def _create_topic(self) -> aws.sns.Topic:
        # A customer managed key (not alias/aws/sns): EventBridge can only publish to an encrypted
        # topic whose key policy lets events.amazonaws.com use it, which the storage key does.
        return aws.sns.Topic(
            f"{self._name}-topic",
            name=f"{self._args.name_prefix}-alerts",
            kms_master_key_id=self._args.kms_key_arn,
            opts=self._child(),
        )

    def _create_rule(
        self,
        suffix: str,
        detail_type: str,
        detail: dict[str, Any],
        input_paths: dict[str, str],
        template: str,
        description: str,
    ) -> aws.cloudwatch.EventRule:
        pattern = pulumi.Output.json_dumps(
            {"source": ["aws.glue"], "detail-type": [detail_type], "detail": detail}
        )
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-{suffix}",
            name=f"{self._args.name_prefix}-{suffix}",
            description=description,
            event_pattern=pattern,
            opts=self._child(),
        )
        aws.cloudwatch.EventTarget(
            f"{self._name}-{suffix}-to-topic",
            rule=rule.name,
            arn=self.topic.arn,
            input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
                input_paths=input_paths, input_template=template
            ),
            opts=self._child(),
        )
        return rule

    def _create_files_failed_alarm(self) -> aws.cloudwatch.MetricAlarm:
        args = self._args
        return aws.cloudwatch.MetricAlarm(
            f"{self._name}-files-failed",
            name=f"{args.name_prefix}-files-failed",
            alarm_description="A job run could not read some input files (see its run report)",
            namespace=args.metrics_namespace,
            metric_name=FILES_FAILED_METRIC,
            dimensions={PIPELINE_DIMENSION: args.job_name},
            statistic="Sum",
            period=ALARM_PERIOD_SECONDS,
            evaluation_periods=1,
            comparison_operator="GreaterThanThreshold",
            threshold=0,
            # No data between runs is normal, not a breach.
            treat_missing_data="notBreaching",
            alarm_actions=[self.topic.arn],
            opts=self._child(),
        )

    def _create_topic_policy(self) -> aws.sns.TopicPolicy:
        statements = [
            {
                # Only these two rules, in this account, may publish (confused-deputy guard).
                "Sid": "EventBridgeRulesPublish",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": self.topic.arn,
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": [self.job_rule.arn, self.crawler_rule.arn]},
                    "StringEquals": {"aws:SourceAccount": self._args.account_id},
                },
            },
            {
                "Sid": "CloudWatchAlarmPublishes",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": self.topic.arn,
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": self.files_failed_alarm.arn},
                    "StringEquals": {"aws:SourceAccount": self._args.account_id},
                },
            },
            deny_insecure_transport("sns:Publish", self.topic.arn),
        ]
        return aws.sns.TopicPolicy(
            f"{self._name}-topic-policy",
            arn=self.topic.arn,
            policy=policy_document(statements),
            opts=self._child(),
        )

    def _create_subscription(self) -> aws.sns.TopicSubscription | None:
        if not self._args.alert_email:
            return None
        # The address must confirm the subscription from the e-mail AWS sends before it receives
        # alerts; Pulumi cannot do that step.
        return aws.sns.TopicSubscription(
            f"{self._name}-email",
            topic=self.topic.arn,
            protocol="email",
            endpoint=self._args.alert_email,
            opts=self._child(),
        )
