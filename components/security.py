"""Glue security configuration: how the crawler and the job encrypt what they write."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class GlueSecurityArgs:
    """Inputs of the Glue security configuration component."""

    name_prefix: str
    key_arn: pulumi.Input[str]


class GlueSecurity(pulumi.ComponentResource):
    """One security configuration shared by the crawler and the job (same key, same rules)."""

    configuration: aws.glue.SecurityConfiguration

    def __init__(
        self, name: str, args: GlueSecurityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:security:GlueSecurity", name, None, opts)
        self.configuration = aws.glue.SecurityConfiguration(
            f"{name}-config",
            name=f"{args.name_prefix}-security",
            encryption_configuration={
                "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": args.key_arn},
                # CloudWatch encryption needs the key policy's statement for logs.<region>.
                "cloudwatch_encryption": {
                    "cloudwatch_encryption_mode": "SSE-KMS",
                    "kms_key_arn": args.key_arn,
                },
                "job_bookmarks_encryption": {
                    "job_bookmarks_encryption_mode": "CSE-KMS",
                    "kms_key_arn": args.key_arn,
                },
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.name: pulumi.Output[str] = self.configuration.name
        self.register_outputs({"name": self.configuration.name})
