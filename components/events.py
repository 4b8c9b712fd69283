"""Event-mode crawling: S3 `input/` notifications -> encrypted SQS queue (+ DLQ) -> crawler.

Only declared with `crawlerRecrawl: CRAWL_EVENT_MODE`; the crawler then lists only the folders
named by queued events instead of the whole input prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.bucket_layout import INPUT_PREFIX
from components.policies import deny_insecure_transport, policy_document

# Messages the crawler could not process this many times go to the DLQ for inspection.
MAX_RECEIVE_COUNT = 5
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
QUEUE_RETENTION_SECONDS = 4 * 24 * 3600


@dataclass(frozen=True)
class CrawlerEventsArgs:
    """Inputs of the event-mode component."""

    name_prefix: str
    account_id: pulumi.Input[str]
    raw_bucket_id: pulumi.Input[str]
    raw_bucket_arn: pulumi.Input[str]
    key_arn: pulumi.Input[str]


class CrawlerEvents(pulumi.ComponentResource):
    """Queue and DLQ for the crawler, fed only by this stack's raw bucket."""

    queue: aws.sqs.Queue
    dead_letter_queue: aws.sqs.Queue

    def __init__(
        self, name: str, args: CrawlerEventsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:events:CrawlerEvents", name, None, opts)
        self._name = name
        self._args = args
        self.dead_letter_queue = self._create_queue("dlq", DLQ_RETENTION_SECONDS, redrive=None)
        self.queue = self._create_queue(
            "queue", QUEUE_RETENTION_SECONDS, redrive=self.dead_letter_queue.arn
        )
        policy = self._create_queue_policy()
        self._create_notification(policy)
        self.queue_arn: pulumi.Output[str] = self.queue.arn
        self.dead_letter_queue_arn: pulumi.Output[str] = self.dead_letter_queue.arn
        self.register_outputs(
            {"queue_arn": self.queue.arn, "dead_letter_queue_arn": self.dead_letter_queue.arn}
        )

    def _create_queue(
        self, suffix: str, retention: int, redrive: pulumi.Output[str] | None
    ) -> aws.sqs.Queue:
        return aws.sqs.Queue(
            f"{self._name}-{suffix}",
            name=f"{self._args.name_prefix}-crawler-events-{suffix}",
            kms_master_key_id=self._args.key_arn,
            # Reusing a data key for 5 minutes keeps KMS calls (and cost) low for bursts of files.
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=retention,
            redrive_policy=(
                pulumi.Output.json_dumps(
                    {"deadLetterTargetArn": redrive, "maxReceiveCount": MAX_RECEIVE_COUNT}
                )
                if redrive is not None
                else None
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_queue_policy(self) -> aws.sqs.QueuePolicy:
        statements = [
            {
                "Sid": "RawBucketEventsOnly",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": self.queue.arn,
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": self._args.raw_bucket_arn},
                    "StringEquals": {"aws:SourceAccount": self._args.account_id},
                },
            },
            deny_insecure_transport("sqs:*", self.queue.arn),
        ]
        return aws.sqs.QueuePolicy(
            f"{self._name}-queue-policy",
            queue_url=self.queue.url,
            policy=policy_document(statements),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_notification(self, policy: aws.sqs.QueuePolicy) -> None:
        aws.s3.BucketNotification(
            f"{self._name}-raw-notification",
            bucket=self._args.raw_bucket_id,
            queues=[
                {
                    "queue_arn": self.queue.arn,
                    "events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                    "filter_prefix": INPUT_PREFIX,
                }
            ],
            # S3 validates the destination when the notification is saved: the queue policy
            # must exist first or the call fails.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
