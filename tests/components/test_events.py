"""Event-mode crawling: encrypted queue + DLQ fed only by the raw bucket's input/ prefix."""

from __future__ import annotations

import json

from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

QUEUE = "aws:sqs/queue:Queue"
KEY_ARN = f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT_ID}:key/mock-key-id"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{MOCK_ACCOUNT_ID}:glue-etl-dev-crawler-events-queue"
DLQ_ARN = f"arn:aws:sqs:us-east-1:{MOCK_ACCOUNT_ID}:glue-etl-dev-crawler-events-dlq"
RAW_ARN = f"arn:aws:s3:::glue-etl-dev-raw-{MOCK_ACCOUNT_ID}-us-east-1"


def test_queues_are_encrypted_with_stack_key_and_redrive(event_mode: Graph) -> None:
    queue = event_mode.inputs(QUEUE, "-queue")
    dlq = event_mode.inputs(QUEUE, "-dlq")
    assert (queue["kmsMasterKeyId"], dlq["kmsMasterKeyId"]) == (KEY_ARN, KEY_ARN)
    assert json.loads(queue["redrivePolicy"]) == {
        "deadLetterTargetArn": DLQ_ARN,
        "maxReceiveCount": 5,
    }
    assert "redrivePolicy" not in dlq
    assert dlq["messageRetentionSeconds"] == 14 * 24 * 3600


def test_queue_policy_allows_only_the_raw_bucket(event_mode: Graph) -> None:
    policy = event_mode.policy("aws:sqs/queuePolicy:QueuePolicy")
    assert policy["Statement"] == [
        {
            "Sid": "RawBucketEventsOnly",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": QUEUE_ARN,
            "Condition": {
                "ArnEquals": {"aws:SourceArn": RAW_ARN},
                "StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID},
            },
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": QUEUE_ARN,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]


def test_notification_filters_input_prefix(event_mode: Graph) -> None:
    notification = event_mode.inputs("aws:s3/bucketNotification:BucketNotification")
    assert notification == {
        "bucket": f"glue-etl-dev-raw-{MOCK_ACCOUNT_ID}-us-east-1",
        "queues": [
            {
                "queueArn": QUEUE_ARN,
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
