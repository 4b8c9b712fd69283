"""Storage: the stack's KMS key, its raw, curated and scripts buckets and (with `accessLogs`) the
bucket their server access logs go to, all secure by default."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.bucket_layout import lifecycle_rules
from components.policies import (
    Statement,
    deny_insecure_bucket_access,
    glue_log_groups_arn,
    policy_document,
)

# Short on purpose: `<project>-<stack>-<role>-<account id>-<region>` must fit S3's 63 characters
# with the longest stack name config allows (16) and region (14), so a role has at most 7.
LOG_BUCKET_ROLE = "logs"
SOURCE_BUCKET_ROLES: tuple[str, ...] = ("raw", "curated", "scripts")
DATA_BUCKET_ROLES: tuple[str, ...] = ("raw", "curated")

SSE_KMS = "aws:kms"
SSE_S3 = "AES256"


@dataclass(frozen=True)
class StorageArgs:
    """Inputs of the storage component."""

    name_prefix: str
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    protect_data: bool
    raw_retention_days: int
    # Server access logs of the raw, curated and scripts buckets, into a log bucket of their own.
    access_logs: bool = True
    # True when S3 publishes raw-bucket events to an SQS queue encrypted with this key.
    s3_publishes_to_encrypted_queue: bool = False


class Storage(pulumi.ComponentResource):
    """KMS key + raw (input), curated (output), scripts (code, temp, Spark UI) and log buckets."""

    key: aws.kms.Key
    raw_bucket: aws.s3.Bucket
    curated_bucket: aws.s3.Bucket
    scripts_bucket: aws.s3.Bucket
    log_bucket: aws.s3.Bucket | None

    def __init__(
        self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:storage:Storage", name, None, opts)
        self._name = name
        self._args = args
        self.key = self._create_key()
        self.key_arn: pulumi.Output[str] = self.key.arn
        self.log_bucket = None
        log_policy: aws.s3.BucketPolicy | None = None
        if args.access_logs:
            self.log_bucket, log_policy = self._create_bucket(
                LOG_BUCKET_ROLE,
                retained=args.protect_data,
                sse_algorithm=SSE_S3,
                extra_statements=[self._log_delivery_statement()],
            )
        self.raw_bucket, _ = self._create_bucket("raw", retained=args.protect_data)
        self.curated_bucket, _ = self._create_bucket("curated", retained=args.protect_data)
        self.scripts_bucket, _ = self._create_bucket("scripts", retained=False)
        if self.log_bucket is not None and log_policy is not None:
            for role, bucket in self.source_buckets.items():
                self._log_to(role, bucket, self.log_bucket, log_policy)
        outputs: dict[str, pulumi.Input[str]] = {
            "key_arn": self.key.arn,
            "raw_bucket": self.raw_bucket.bucket,
            "curated_bucket": self.curated_bucket.bucket,
            "scripts_bucket": self.scripts_bucket.bucket,
        }
        if self.log_bucket is not None:
            outputs["log_bucket"] = self.log_bucket.bucket
        self.register_outputs(outputs)

    @property
    def source_buckets(self) -> dict[str, aws.s3.Bucket]:
        """The buckets whose requests are logged, by role."""
        return {
            "raw": self.raw_bucket,
            "curated": self.curated_bucket,
            "scripts": self.scripts_bucket,
        }

    def _child(self, protect: bool = False, retain: bool = False) -> pulumi.ResourceOptions:
        # retain_on_delete keeps the cloud resource even if it leaves the program or the stack is
        # destroyed; protect makes `pulumi destroy` refuse outright.
        return pulumi.ResourceOptions(
            parent=self, protect=protect, retain_on_delete=protect or retain
        )

    def _bucket_name(self, role: str) -> pulumi.Output[str]:
        # Bucket names are global: account id and region make `<project>-<stack>-<role>` unique
        # while staying readable and stable (no random suffix to look up).
        args = self._args
        return pulumi.Output.concat(
            args.name_prefix, "-", role, "-", args.account_id, "-", args.region
        )

    def _create_key(self) -> aws.kms.Key:
        args = self._args
        account_root = pulumi.Output.concat("arn:aws:iam::", args.account_id, ":root")
        log_groups = glue_log_groups_arn(args.region, args.account_id)
        statements: list[Statement] = [
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
                # EventBridge publishes failure alerts to the SNS topic encrypted with this key; the
                # publisher needs the key, SNS itself does not (so sns.amazonaws.com has no grant).
                "Sid": "EventBridgeForAlerts",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
            },
            {
                # The FilesFailed alarm publishes to the same topic; CloudWatch needs the key too:
                # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
                "Sid": "CloudWatchAlarmsForAlerts",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
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

    def _log_delivery_statement(self) -> Statement:
        """S3 log delivery may write the source buckets' logs, for this account only.

        With ACLs disabled (BucketOwnerEnforced) the log bucket's policy is the only way to let
        logging.s3.amazonaws.com write: https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
        """
        args = self._args
        log_bucket_arn = pulumi.Output.concat("arn:aws:s3:::", self._bucket_name(LOG_BUCKET_ROLE))
        return {
            "Sid": "S3ServerAccessLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": [
                pulumi.Output.concat(log_bucket_arn, "/", role, "/*")
                for role in SOURCE_BUCKET_ROLES
            ],
            "Condition": {
                "ArnLike": {
                    "aws:SourceArn": [
                        pulumi.Output.concat("arn:aws:s3:::", self._bucket_name(role))
                        for role in SOURCE_BUCKET_ROLES
                    ]
                },
                "StringEquals": {"aws:SourceAccount": args.account_id},
            },
        }

    def _create_bucket(
        self,
        role: str,
        *,
        retained: bool,
        sse_algorithm: str = SSE_KMS,
        extra_statements: Sequence[Statement] = (),
    ) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
        """A versioned bucket with its guardrails; `retained` buckets and all their settings stay
        when the stack is destroyed (a retained bucket must not lose its encryption or policy)."""
        args = self._args
        name = f"{self._name}-{role}"
        bucket = aws.s3.Bucket(
            name,
            bucket=self._bucket_name(role),
            force_destroy=not args.protect_data,
            opts=self._child(protect=retained),
        )
        child = self._child(retain=retained)
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
            rules=[_encryption_rule(sse_algorithm, self.key.arn)],
            opts=child,
        )
        policy = aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket.id,
            policy=policy_document([*extra_statements, deny_insecure_bucket_access(bucket.arn)]),
            # S3 rejects policy writes that race the public access block being applied.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[pab])),
        )
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=lifecycle_rules(role, args.raw_retention_days),
            opts=child,
        )
        return bucket, policy

    def _log_to(
        self,
        role: str,
        source: aws.s3.Bucket,
        log_bucket: aws.s3.Bucket,
        log_policy: aws.s3.BucketPolicy,
    ) -> aws.s3.BucketLogging:
        return aws.s3.BucketLogging(
            f"{self._name}-{role}-access-logs",
            bucket=source.id,
            target_bucket=log_bucket.id,
            target_prefix=f"{role}/",
            # Delivery is only allowed once the log bucket's policy grants it.
            opts=pulumi.ResourceOptions.merge(
                self._child(retain=role in DATA_BUCKET_ROLES and self._args.protect_data),
                pulumi.ResourceOptions(depends_on=[log_policy]),
            ),
        )


def _encryption_rule(sse_algorithm: str, key_arn: pulumi.Input[str]) -> dict[str, object]:
    if sse_algorithm == SSE_S3:
        # The log bucket: S3 server access log delivery writes with SSE-S3, which needs no key
        # policy grant to logging.s3.amazonaws.com (the stack key has none).
        return {"apply_server_side_encryption_by_default": {"sse_algorithm": SSE_S3}}
    return {
        "apply_server_side_encryption_by_default": {
            "sse_algorithm": SSE_KMS,
            "kms_master_key_id": key_arn,
        },
        # Bucket keys cut KMS request costs for the many small Spark part files.
        "bucket_key_enabled": True,
    }
