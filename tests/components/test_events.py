"""Event-mode crawling: encrypted queue + DLQ fed only by the raw bucket's input/ prefix."""

from __future__ import annotations

import json

from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

QUEUE = "aws:sqs/queue:Queue"
KEY_ARN = f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT_ID}:key/mock-key-id"


def _queue_arn(stack: str, suffix: str) -> str:
    return f"arn:aws:sqs:us-east-1:{MOCK_ACCOUNT_ID}:glue-etl-{stack}-crawler-events-{suffix}"


def _raw_bucket(stack: str) -> str:
    return f"glue-etl-{stack}-raw-{MOCK_ACCOUNT_ID}-us-east-1"


def test_queues_are_encrypted_with_stack_key_and_redrive(event_stack: tuple[str, Graph]) -> None:
    stack, graph = event_stack
    queue = graph.inputs(QUEUE, "-queue")
    dlq = graph.inputs(QUEUE, "-dlq")
    assert (queue["kmsMasterKeyId"], dlq["kmsMasterKeyId"]) == (KEY_ARN, KEY_ARN)
    assert json.loads(queue["redrivePolicy"]) == {
        "deadLetterTargetArn": _queue_arn(stack, "dlq"),
        "maxReceiveCount": 5,
    }
    assert "redrivePolicy" not in dlq
    assert dlq["messageRetentionSeconds"] == 14 * 24 * 3600


def test_queue_policy_allows_only_the_raw_bucket(event_stack: tuple[str, Graph]) -> None:
    stack, graph = event_stack
    queue_arn = _queue_arn(stack, "queue")
    policy = graph.policy("aws:sqs/queuePolicy:QueuePolicy")
    assert policy["Statement"] == [
        {
            "Sid": "RawBucketEventsOnly",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {
                "ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{_raw_bucket(stack)}"},
                "StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID},
            },
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": queue_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]


def test_notification_filters_input_prefix(event_stack: tuple[str, Graph]) -> None:
    stack, graph = event_stack
    notification = graph.inputs("aws:s3/bucketNotification:BucketNotification")
    assert notification == {
        "bucket": _raw_bucket(stack),
        "queues": [
            {
                "queueArn": _queue_arn(stack, "queue"),
                "events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                "filterPrefix": "input/",
            }
        ],
    }


def test_no_event_resources_without_event_mode(dev: Graph, prod: Graph) -> None:
    for graph in (dev, prod):
        assert graph.all(QUEUE) == []
        assert graph.all("aws:s3/bucketNotification:BucketNotification") == []
        assert graph.all("glue-etl:events:CrawlerEvents") == []
