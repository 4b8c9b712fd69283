"""IAM: separate least-privilege roles for the crawler and the job (inline policies only).

No managed policies (AWSGlueServiceRole grants far more than either needs) and no "*" action:
every S3 object grant names the prefixes the role touches, catalog grants name this database (and
the job writes partitions of its two curated tables only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.bucket_layout import (
    CODE_PREFIX,
    INPUT_PREFIX,
    SPARK_UI_PREFIX,
    TEMP_PREFIX,
)
from components.policies import (
    Statement,
    bucket_statement,
    folder_keys,
    glue_log_groups_arn,
    glue_trust_policy,
    objects_statement,
    policy_document,
    put_metrics_statement,
)

CRAWLER_CATALOG_ACTIONS: tuple[str, ...] = (
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
    "glue:CreatePartitionIndex",
)
# The job reads the catalog; the curated tables are declared by the program, not by the job.
JOB_CATALOG_ACTIONS: tuple[str, ...] = (
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
)
KMS_USE_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "kms:DescribeKey",
)
LOG_ACTIONS: tuple[str, ...] = (
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    # Needed because the security configuration encrypts the Glue log groups with the stack key.
    "logs:AssociateKmsKey",
)
# After publishing, the job registers the new partitions of its curated tables for readers other
# than Athena (which uses partition projection), and removes those of dates left with no trip.
# GetTable, which it also needs to copy the table's storage descriptor, is already part of
# JOB_CATALOG_ACTIONS.
JOB_PARTITION_ACTIONS: tuple[str, ...] = ("glue:BatchCreatePartition", "glue:BatchDeletePartition")
# The actions AWS lists for a crawler role consuming S3 events from SQS (and its DLQ):
# https://docs.aws.amazon.com/glue/latest/dg/crawler-s3-event-notifications.html
QUEUE_ACTIONS: tuple[str, ...] = (
    "sqs:DeleteMessage",
    "sqs:GetQueueUrl",
    "sqs:ListDeadLetterSourceQueues",
    "sqs:ReceiveMessage",
    "sqs:GetQueueAttributes",
    "sqs:ListQueueTags",
    "sqs:SetQueueAttributes",
    "sqs:PurgeQueue",
)
# Bucket-level calls every Glue role makes on the buckets it uses (what AWSGlueServiceRole grants
# on them): listing, and the bucket's region lookup.
BUCKET_READ: tuple[str, ...] = ("s3:ListBucket", "s3:GetBucketLocation")
# Where the job writes, the S3-optimised committer lists and aborts the multipart uploads of failed
# or speculative tasks.
BUCKET_WRITE: tuple[str, ...] = (*BUCKET_READ, "s3:ListBucketMultipartUploads")
OBJECT_READ: tuple[str, ...] = ("s3:GetObject", "s3:GetObjectVersion")
OBJECT_WRITE: tuple[str, ...] = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
)
# Keys Hadoop's FileSystem probes for a folder `f/`: `f` itself and EMRFS's `f_$folder$` marker.
FOLDER_MARKER = "_$folder$"
PROBED_KEYS: tuple[str, ...] = ("", FOLDER_MARKER)
# Folders Glue itself writes in the scripts bucket.
GLUE_FOLDERS: tuple[str, ...] = (TEMP_PREFIX, SPARK_UI_PREFIX)
# Glue's own job metrics (--enable-metrics); the job's run metrics have a namespace of their own.
GLUE_METRICS_NAMESPACE = "Glue"


@dataclass(frozen=True)
class GlueRolesArgs:
    """Inputs of the IAM component."""

    name_prefix: str
    account_id: pulumi.Input[str]
    region: pulumi.Input[str]
    database_name: str
    key_arn: pulumi.Input[str]
    raw_bucket_arn: pulumi.Input[str]
    curated_bucket_arn: pulumi.Input[str]
    scripts_bucket_arn: pulumi.Input[str]
    # CloudWatch namespace the job publishes its run metrics to.
    metrics_namespace: str
    # Curated tables whose partitions the job registers (in `database_name`).
    curated_tables: Sequence[str] = field(default_factory=tuple)
    event_queue_arns: Sequence[pulumi.Input[str]] = field(default_factory=tuple)


class GlueRoles(pulumi.ComponentResource):
    """The crawler role and the job role, each with one inline policy."""

    crawler_role: aws.iam.Role
    job_role: aws.iam.Role

    def __init__(
        self, name: str, args: GlueRolesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:iam:GlueRoles", name, None, opts)
        self._name = name
        self._args = args
        self.crawler_role, self.crawler_role_arn = self._create_role(
            "crawler", self._crawler_statements()
        )
        self.job_role, self.job_role_arn = self._create_role("job", self._job_statements())
        self.register_outputs(
            {"crawler_role_arn": self.crawler_role_arn, "job_role_arn": self.job_role_arn}
        )

    def _create_role(
        self, role: str, statements: list[Statement]
    ) -> tuple[aws.iam.Role, pulumi.Output[str]]:
        """The role and its ARN as an Output that resolves only once the inline policy exists.

        Glue checks some permissions when a crawler is created (CreateCrawler fails if the role
        cannot read the event queue), so users of the ARN must wait for the policy, not the role.
        """
        resource = aws.iam.Role(
            f"{self._name}-{role}",
            name=f"{self._args.name_prefix}-{role}",
            assume_role_policy=glue_trust_policy(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{self._name}-{role}-policy",
            role=resource.id,
            name=f"{self._args.name_prefix}-{role}",
            policy=policy_document(statements),
            opts=pulumi.ResourceOptions(parent=self),
        )
        arn = pulumi.Output.all(resource.arn, policy.id).apply(lambda values: values[0])
        return resource, arn

    # -- statements --------------------------------------------------------------------------------
    def _glue_arn(self, suffix: str) -> pulumi.Output[str]:
        args = self._args
        return pulumi.Output.concat("arn:aws:glue:", args.region, ":", args.account_id, ":", suffix)

    def _catalog(self, actions: Sequence[str], sid: str) -> Statement:
        db = self._args.database_name
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Action": list(actions),
            "Resource": [
                self._glue_arn("catalog"),
                self._glue_arn(f"database/{db}"),
                self._glue_arn(f"table/{db}/*"),
            ],
        }

    def _common(self) -> list[Statement]:
        args = self._args
        log_groups = glue_log_groups_arn(args.region, args.account_id)
        return [
            {
                "Sid": "UseStackKey",
                "Effect": "Allow",
                "Action": list(KMS_USE_ACTIONS),
                "Resource": args.key_arn,
            },
            {
                "Sid": "GlueLogs",
                "Effect": "Allow",
                "Action": list(LOG_ACTIONS),
                "Resource": log_groups,
            },
            {
                # GetSecurityConfiguration has no resource-level permissions in IAM.
                "Sid": "ReadSecurityConfiguration",
                "Effect": "Allow",
                "Action": "glue:GetSecurityConfiguration",
                "Resource": "*",
            },
        ]

    def _crawler_statements(self) -> list[Statement]:
        args = self._args
        statements = [
            # Unconditioned (no s3:prefix), as AWSGlueServiceRole grants it on crawled buckets:
            # https://docs.aws.amazon.com/glue/latest/dg/crawler-prereqs.html
            bucket_statement("ListRawBucket", BUCKET_READ, args.raw_bucket_arn),
            objects_statement("ReadRawInput", OBJECT_READ, args.raw_bucket_arn, INPUT_PREFIX),
            self._catalog(CRAWLER_CATALOG_ACTIONS, "CatalogThisDatabase"),
            *self._common(),
        ]
        if args.event_queue_arns:
            statements.append(
                {
                    "Sid": "ConsumeCrawlerEvents",
                    "Effect": "Allow",
                    "Action": list(QUEUE_ACTIONS),
                    "Resource": list(args.event_queue_arns),
                }
            )
        return statements

    def _job_statements(self) -> list[Statement]:
        args = self._args
        return [
            # The job lists its input through Hadoop's FileSystem, which first probes the folder
            # with a HEAD on `input` (EMRFS may also probe its `input_$folder$` marker). S3
            # answers a HEAD on a missing key with 404, not 403, only to callers allowed
            # s3:ListBucket, and a HEAD has no s3:prefix to match: so listing is not
            # prefix-conditioned (the raw bucket holds nothing but input/) and the probed keys
            # are readable.
            bucket_statement("ListRawBucket", BUCKET_READ, args.raw_bucket_arn),
            {
                "Sid": "ProbeRawInputFolder",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": folder_keys(args.raw_bucket_arn, [INPUT_PREFIX], PROBED_KEYS),
            },
            objects_statement("ReadRawInput", OBJECT_READ, args.raw_bucket_arn, INPUT_PREFIX),
            bucket_statement("ListCurated", BUCKET_WRITE, args.curated_bucket_arn),
            objects_statement("ReadWriteCurated", OBJECT_WRITE, args.curated_bucket_arn, ""),
            # Same probe pattern for the folders Glue writes in the scripts bucket (temp files,
            # and Spark UI event logs every 30 s), which may also create the `_$folder$` markers.
            bucket_statement("ListScripts", BUCKET_WRITE, args.scripts_bucket_arn),
            {
                "Sid": "ProbeScriptsFolders",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": folder_keys(args.scripts_bucket_arn, GLUE_FOLDERS, PROBED_KEYS),
            },
            {
                "Sid": "WriteScriptsFolderMarkers",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": folder_keys(args.scripts_bucket_arn, GLUE_FOLDERS, [FOLDER_MARKER]),
            },
            objects_statement("ReadCode", OBJECT_READ, args.scripts_bucket_arn, CODE_PREFIX),
            objects_statement("ReadWriteTemp", OBJECT_WRITE, args.scripts_bucket_arn, TEMP_PREFIX),
            objects_statement(
                "WriteSparkUiLogs", OBJECT_WRITE, args.scripts_bucket_arn, SPARK_UI_PREFIX
            ),
            self._catalog(JOB_CATALOG_ACTIONS, "ReadCatalogThisDatabase"),
            self._register_partitions(),
            {
                # With the Data Catalog as Spark's Hive metastore (--enable-glue-datacatalog), the
                # job checks that the `default` database exists and creates it if missing.
                "Sid": "HiveMetastoreDefaultDatabase",
                "Effect": "Allow",
                "Action": ["glue:GetDatabase", "glue:CreateDatabase"],
                "Resource": [self._glue_arn("catalog"), self._glue_arn("database/default")],
            },
            *self._common(),
            # PutMetricData has no resource-level permissions; the namespace condition scopes it:
            # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html
            put_metrics_statement("PublishGlueMetrics", GLUE_METRICS_NAMESPACE),
            put_metrics_statement("PublishPipelineMetrics", args.metrics_namespace),
        ]

    def _register_partitions(self) -> Statement:
        db = self._args.database_name
        return {
            "Sid": "RegisterCuratedPartitions",
            "Effect": "Allow",
            "Action": list(JOB_PARTITION_ACTIONS),
            "Resource": [
                self._glue_arn("catalog"),
                self._glue_arn(f"database/{db}"),
                *(self._glue_arn(f"table/{db}/{table}") for table in self._args.curated_tables),
            ],
        }
