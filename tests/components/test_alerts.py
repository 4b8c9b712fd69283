"""Alerts component: inputs of the topic, rules, targets, topic policy and e-mail subscription."""

from __future__ import annotations

import json
import re

import pulumi_aws as aws
import pytest

from components.alerts import CRAWLER_TEMPLATE, JOB_TEMPLATE, Alerts, AlertsArgs
from preview.stackfile import load_stack_config
from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

TOPIC = "aws:sns/topic:Topic"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
KEY_ARN = f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT_ID}:key/mock-key-id"


def _run(stack: str) -> Graph:
    config = load_stack_config(stack)
    prefix = config.name_prefix

    def program() -> None:
        # The key comes from another resource, as in the pipeline, so Outputs flow through.
        key = aws.kms.Key("key")
        Alerts(
            "alerts",
            AlertsArgs(
                name_prefix=prefix,
                account_id=MOCK_ACCOUNT_ID,
                job_name=f"{prefix}-etl",
                crawler_name=f"{prefix}-raw-crawler",
                kms_key_arn=key.arn,
                metrics_namespace="GlueEtl",
                alert_email=config.alert_email,
            ),
        )

    return Graph.run(program, stack)


@pytest.fixture(scope="module")
def mocks(stack) -> Graph:
    return _run(stack)


def test_topic_is_encrypted_with_the_stack_key(mocks, stack):
    topic = mocks.one(TOPIC)
    assert topic.inputs == {"name": f"glue-etl-{stack}-alerts", "kmsMasterKeyId": KEY_ARN}
    assert topic.parent.endswith("glue-etl:alerts:Alerts::alerts")


def test_job_rule_matches_failed_timeout_stopped_runs_of_this_job(mocks, stack):
    rule = mocks.one(RULE, "-job-failed")
    assert rule.inputs["name"] == f"glue-etl-{stack}-job-failed"
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        "detail": {"jobName": [f"glue-etl-{stack}-etl"], "state": ["FAILED", "TIMEOUT", "STOPPED"]},
    }


def test_crawler_rule_matches_failed_crawls_of_this_crawler(mocks, stack):
    rule = mocks.one(RULE, "-crawler-failed")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.glue"],
        "detail-type": ["Glue Crawler State Change"],
        "detail": {"crawlerName": [f"glue-etl-{stack}-raw-crawler"], "state": ["Failed"]},
    }


def test_targets_send_a_readable_message_to_the_topic(mocks, stack):
    topic_arn = f"arn:aws:sns:us-east-1:{MOCK_ACCOUNT_ID}:glue-etl-{stack}-alerts"
    job = mocks.one(TARGET, "-job-failed-to-topic")
    assert job.inputs == {
        "rule": f"glue-etl-{stack}-job-failed",
        "arn": topic_arn,
        "inputTransformer": {
            "inputPaths": {
                "job": "$.detail.jobName",
                "state": "$.detail.state",
                "run_id": "$.detail.jobRunId",
                "message": "$.detail.message",
                "time": "$.time",
            },
            "inputTemplate": (
                '{"alert": "Glue job run ended badly", "job": <job>, "state": <state>, '
                '"time": <time>, "run_id": <run_id>, "message": <message>}'
            ),
        },
    }
    crawler = mocks.one(TARGET, "-crawler-failed-to-topic")
    assert crawler.inputs["arn"] == topic_arn
    assert crawler.inputs["inputTransformer"] == {
        "inputPaths": {
            "crawler": "$.detail.crawlerName",
            "state": "$.detail.state",
            "event_id": "$.id",
            "message": "$.detail.errorMessage",
            "time": "$.time",
        },
        "inputTemplate": (
            '{"alert": "Glue crawl failed", "crawler": <crawler>, "state": <state>, '
            '"time": <time>, "event_id": <event_id>, "message": <message>}'
        ),
    }


def _render(template: str, values: dict[str, object]) -> str:
    """Fill a template the way EventBridge does for placeholders outside quotes: each value is
    inserted as its JSON encoding (strings quoted, quotes and newlines escaped)."""
    return re.sub(r"<([a-z_]+)>", lambda m: json.dumps(values[m.group(1)]), template)


NASTY_MESSAGE = 'AnalysisException: cannot resolve "total_amount"\n\tat line 2 \\ col 7'


@pytest.mark.parametrize("template", [JOB_TEMPLATE, CRAWLER_TEMPLATE], ids=["job", "crawler"])
def test_alert_survives_messages_with_quotes_and_newlines(template):
    keys = re.findall(r"<([a-z_]+)>", template)
    values = {key: f"{key}-value" for key in keys} | {"message": NASTY_MESSAGE}
    payload = json.loads(_render(template, values))
    assert payload["message"] == NASTY_MESSAGE
    assert {key: payload[key] for key in keys} == values


def test_quoted_placeholders_would_break_on_such_messages():
    # The old templates put <message> inside a JSON string; EventBridge inserts such values
    # verbatim, which is what lost alerts exactly when a job failed.
    old = '"Glue job <job> ended: <message>"'
    rendered = old.replace("<job>", "etl").replace("<message>", NASTY_MESSAGE)
    with pytest.raises(json.JSONDecodeError):
        json.loads(rendered)


def test_every_template_placeholder_has_an_input_path_and_none_is_quoted(mocks):
    for target in mocks.all(TARGET):
        transformer = target.inputs["inputTransformer"]
        template = transformer["inputTemplate"]
        placeholders = re.findall(r"<([a-z_]+)>", template)
        assert set(placeholders) == set(transformer["inputPaths"])
        # Each placeholder is a whole JSON value, never part of a string: with every one replaced
        # by null the template is still JSON, with one null per placeholder.
        as_nulls = json.loads(re.sub(r"<[a-z_]+>", "null", template))
        assert [k for k, v in as_nulls.items() if v is None] == placeholders


def test_files_failed_alarm_notifies_the_topic(mocks, stack):
    topic_arn = f"arn:aws:sns:us-east-1:{MOCK_ACCOUNT_ID}:glue-etl-{stack}-alerts"
    alarm = mocks.one(ALARM)
    assert alarm.inputs == {
        "name": f"glue-etl-{stack}-files-failed",
        "alarmDescription": "A job run could not read some input files (see its run report)",
        "namespace": "GlueEtl",
        "metricName": "FilesFailed",
        "dimensions": {"Pipeline": f"glue-etl-{stack}-etl"},
        "statistic": "Sum",
        "period": 300,
        "evaluationPeriods": 1,
        "comparisonOperator": "GreaterThanThreshold",
        "threshold": 0,
        "treatMissingData": "notBreaching",
        "alarmActions": [topic_arn],
    }


def test_topic_policy_lets_only_these_rules_publish_and_requires_tls(mocks, stack):
    topic_arn = f"arn:aws:sns:us-east-1:{MOCK_ACCOUNT_ID}:glue-etl-{stack}-alerts"
    policy = mocks.one(TOPIC_POLICY)
    assert policy.inputs["arn"] == topic_arn
    rule_arn = f"arn:aws:cloudwatch:us-east-1:{MOCK_ACCOUNT_ID}:eventrule/alerts-"
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EventBridgeRulesPublish",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "ArnEquals": {
                        "aws:SourceArn": [f"{rule_arn}job-failed", f"{rule_arn}crawler-failed"]
                    },
                    "StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID},
                },
            },
            {
                "Sid": "CloudWatchAlarmPublishes",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "ArnEquals": {
                        "aws:SourceArn": (
                            f"arn:aws:cloudwatch:us-east-1:{MOCK_ACCOUNT_ID}"
                            ":metricalarm/alerts-files-failed"
                        )
                    },
                    "StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID},
                },
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def test_email_subscription_only_when_alert_email_is_set(mocks, stack):
    subscriptions = mocks.all(SUBSCRIPTION)
    if stack == "dev":  # alertEmail is "" in Pulumi.dev.yaml
        assert subscriptions == []
        return
    assert [s.inputs for s in subscriptions] == [
        {
            "topic": f"arn:aws:sns:us-east-1:{MOCK_ACCOUNT_ID}:glue-etl-prod-alerts",
            "protocol": "email",
            "endpoint": "data-alerts@example.com",
        }
    ]


def test_children_are_named_from_the_component(mocks, stack):
    components = [(r.type, r.name) for r in mocks.resources if not r.custom]
    assert components == [("glue-etl:alerts:Alerts", "alerts")]
    names = sorted(r.name for r in mocks.resources if r.custom and r.type != "aws:kms/key:Key")
    expected = [
        "alerts-crawler-failed",
        "alerts-crawler-failed-to-topic",
        "alerts-files-failed",
        "alerts-job-failed",
        "alerts-job-failed-to-topic",
        "alerts-topic",
        "alerts-topic-policy",
    ]
    assert names == sorted(expected + (["alerts-email"] if stack == "prod" else []))
    children = [r for r in mocks.resources if r.custom and r.type != "aws:kms/key:Key"]
    assert {r.parent.split("::")[-1] for r in children} == {"alerts"}
