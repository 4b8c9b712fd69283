"""Storage: the stack's KMS key and its raw, curated and scripts buckets, all secure by default."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.policies import (
    deny_insecure_bucket_access,
    glue_log_groups_arn,
    policy_document,
)

TEMP_PREFIX = "temp/"
SPARK_UI_PREFIX = "sparkui/"
CODE_PREFIX = "code/"
INPUT_PREFIX = "input/"
TEMP_EXPIRY_DAYS = 7
SPARK_UI_EXPIRY_DAYS = 30
NONCURRENT_EXPIRY_DAYS = 30
ABORT_MULTIPART_DAYS = 7


@dataclass(frozen=True)
class StorageArgs:
    """Inputs of the storage component."""

    name_prefix: str
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    protect_data: bool
    raw_retention_days: int
    # True when S3 publishes raw-bucket events to an SQS queue encrypted with this key.
    s3_publishes_to_encrypted_queue: bool = False


class Storage(pulumi.ComponentResource):
    """KMS key + raw (input), curated (output) and scripts (code, temp, Spark UI) buckets."""

    key: aws.kms.Key
    raw_bucket: aws.s3.Bucket
    curated_bucket: aws.s3.Bucket
    scripts_bucket: aws.s3.Bucket

    def __init__(
        self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:storage:Storage", name, None, opts)
        self._name = name
        self._args = args
        self.key = self._create_key()
        self.key_arn: pulumi.Output[str] = self.key.arn
        self.raw_bucket = self._create_bucket("raw", versioned=True, data=True)
        self.curated_bucket = self._create_bucket("curated", versioned=True, data=True)
        self.scripts_bucket = self._create_bucket("scripts", versioned=False, data=False)
        self.register_outputs(
            {
                "key_arn": self.key.arn,
                "raw_bucket": self.raw_bucket.bucket,
                "curated_bucket": self.curated_bucket.bucket,
                "scripts_bucket": self.scripts_bucket.bucket,
            }
        )

    def _child(self, protect: bool = False) -> pulumi.ResourceOptions:
        # retain_on_delete keeps the cloud resource even if it leaves the program or the stack is
        # destroyed; protect makes `pulumi destroy` refuse outright. Both only for data.
        return pulumi.ResourceOptions(parent=self, protect=protect, retain_on_delete=protect)

    def _create_key(self) -> aws.kms.Key:
        args = self._args
        account_root = pulumi.Output.concat("arn:aws:iam::", args.account_id, ":root")
        log_groups = glue_log_groups_arn(args.region, args.account_id)
        statements = [
            {
                # Without this the account (and so IAM policies) could not manage or use the key.
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogsForGlueLogGroups",
                "Effect": "Allow",
                "Principal": {
                    "Service": pulumi.Output.concat("logs.", args.region, ".amazonaws.com")
                },
                "Action": [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
            },
            {
                # EventBridge publishes failure alerts to an SNS topic encrypted with this key.
                "Sid": "EventBridgeAndSnsForAlerts",
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "sns.amazonaws.com"]},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
            },
        ]
        if args.s3_publishes_to_encrypted_queue:
            statements.append(
                {
                    "Sid": "S3EventNotificationsToQueue",
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
                }
            )
        key = aws.kms.Key(
            f"{self._name}-key",
            description=f"{args.name_prefix}: data, logs, bookmarks and queues",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy_document(statements),
            opts=self._child(protect=args.protect_data),
        )
        aws.kms.Alias(
            f"{self._name}-key-alias",
            name=f"alias/{args.name_prefix}",
            target_key_id=key.key_id,
            opts=self._child(),
        )
        return key

    def _create_bucket(self, role: str, versioned: bool, data: bool) -> aws.s3.Bucket:
        args = self._args
        name = f"{self._name}-{role}"
        # Bucket names are global: account id and region make `<project>-<stack>-<role>` unique
        # while staying readable and stable (no random suffix to look up).
        bucket = aws.s3.Bucket(
            name,
            bucket=pulumi.Output.concat(
                args.name_prefix, "-", role, "-", args.account_id, "-", args.region
            ),
            force_destroy=not args.protect_data,
            opts=self._child(protect=data and args.protect_data),
        )
        child = self._child()
        pab = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": self.key.arn,
                    },
                    # Bucket keys cut KMS request costs for the many small Spark part files.
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket.id,
            policy=policy_document([deny_insecure_bucket_access(bucket.arn)]),
            # S3 rejects policy writes that race the public access block being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[pab]),
        )
        if versioned:
            aws.s3.BucketVersioning(
                f"{name}-versioning",
                bucket=bucket.id,
                versioning_configuration={"status": "Enabled"},
                opts=child,
            )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=self._lifecycle_rules(role, versioned),
            opts=child,
        )
        return bucket

    def _lifecycle_rules(self, role: str, versioned: bool) -> list[dict[str, object]]:
        rules: list[dict[str, object]] = [
            {
                "id": "abort-incomplete-uploads",
                "status": "Enabled",
                "filter": {},
                "abort_incomplete_multipart_upload": {
                    "days_after_initiation": ABORT_MULTIPART_DAYS
                },
            }
        ]
        if versioned:
            rules.append(
                {
                    "id": "expire-noncurrent-versions",
                    "status": "Enabled",
                    "filter": {},
                    "noncurrent_version_expiration": {"noncurrent_days": NONCURRENT_EXPIRY_DAYS},
                }
            )
        if role == "scripts":
            rules.append(_expire_prefix("expire-temp", TEMP_PREFIX, TEMP_EXPIRY_DAYS))
            rules.append(
                _expire_prefix("expire-spark-ui-logs", SPARK_UI_PREFIX, SPARK_UI_EXPIRY_DAYS)
            )
        if role == "raw" and self._args.raw_retention_days > 0:
            rules.append(
                _expire_prefix("expire-raw-input", INPUT_PREFIX, self._args.raw_retention_days)
            )
        return rules


def _expire_prefix(rule_id: str, prefix: str, days: int) -> dict[str, object]:
    return {
        "id": rule_id,
        "status": "Enabled",
        "filter": {"prefix": prefix},
        "expiration": {"days": days},
    }
