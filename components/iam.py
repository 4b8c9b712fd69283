"""IAM: separate least-privilege roles for the crawler and the job (inline policies only).

No managed policies (AWSGlueServiceRole grants far more than either needs) and no "*" action:
every S3 grant names the prefixes the role touches, catalog grants name this database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.policies import (
    Statement,
    glue_log_groups_arn,
    glue_trust_policy,
    policy_document,
)
from components.storage import (
    CODE_PREFIX,
    INPUT_PREFIX,
    SPARK_UI_PREFIX,
    TEMP_PREFIX,
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
# The job only reads the catalog: curated tables are declared by the program, not by the job.
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
QUEUE_ACTIONS: tuple[str, ...] = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
)
OBJECT_READ: tuple[str, ...] = ("s3:GetObject", "s3:GetObjectVersion")
OBJECT_WRITE: tuple[str, ...] = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")


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
            assume_role_policy=glue_trust_policy(self._args.account_id),
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
            _list_bucket("ListRawInput", args.raw_bucket_arn, [INPUT_PREFIX]),
            _objects("ReadRawInput", OBJECT_READ, args.raw_bucket_arn, INPUT_PREFIX),
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
        input_folder = INPUT_PREFIX.rstrip("/")
        return [
            # The job lists its input through Hadoop's FileSystem, which first probes the folder
            # with a HEAD on `input` (EMRFS may also probe its `input_$folder$` marker). S3
            # answers a HEAD on a missing key with 404, not 403, only to callers allowed
            # s3:ListBucket, and a HEAD has no s3:prefix to match: so listing is not
            # prefix-conditioned (the raw bucket holds nothing but input/) and the probed keys
            # are readable.
            _list_bucket("ListRawInput", args.raw_bucket_arn, None),
            {
                "Sid": "ProbeRawInputFolder",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": [
                    pulumi.Output.concat(args.raw_bucket_arn, "/", input_folder),
                    pulumi.Output.concat(args.raw_bucket_arn, "/", input_folder, "_$folder$"),
                ],
            },
            _objects("ReadRawInput", OBJECT_READ, args.raw_bucket_arn, INPUT_PREFIX),
            _list_bucket("ListCurated", args.curated_bucket_arn, None),
            _objects("ReadWriteCurated", OBJECT_WRITE, args.curated_bucket_arn, ""),
            _list_bucket(
                "ListScripts", args.scripts_bucket_arn, [CODE_PREFIX, TEMP_PREFIX, SPARK_UI_PREFIX]
            ),
            _objects("ReadCode", OBJECT_READ, args.scripts_bucket_arn, CODE_PREFIX),
            _objects("ReadWriteTemp", OBJECT_WRITE, args.scripts_bucket_arn, TEMP_PREFIX),
            _objects("WriteSparkUiLogs", OBJECT_WRITE, args.scripts_bucket_arn, SPARK_UI_PREFIX),
            self._catalog(JOB_CATALOG_ACTIONS, "ReadCatalogThisDatabase"),
            {
                # With the Data Catalog as Spark's Hive metastore (--enable-glue-datacatalog), the
                # job checks that the `default` database exists and creates it if missing.
                "Sid": "HiveMetastoreDefaultDatabase",
                "Effect": "Allow",
                "Action": ["glue:GetDatabase", "glue:CreateDatabase"],
                "Resource": [self._glue_arn("catalog"), self._glue_arn("database/default")],
            },
            *self._common(),
            {
                "Sid": "PublishGlueMetrics",
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": "Glue"}},
            },
        ]


def _objects(
    sid: str, actions: Sequence[str], bucket_arn: pulumi.Input[str], prefix: str
) -> Statement:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": pulumi.Output.concat(bucket_arn, "/", prefix, "*"),
    }


def _list_bucket(
    sid: str, bucket_arn: pulumi.Input[str], prefixes: Sequence[str] | None
) -> Statement:
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": bucket_arn,
    }
    if prefixes is not None:
        statement["Condition"] = {"StringLike": {"s3:prefix": [f"{p}*" for p in prefixes]}}
    return statement
