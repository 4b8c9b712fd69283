"""Policy documents as plain dicts rendered with `Output.json_dumps`.

One way to write every policy in the program (key, bucket, queue, role policies): the JSON in the
preview and the snapshots is exactly what AWS receives, and nested Outputs (ARNs) resolve in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

Statement = dict[str, Any]

# Glue writes its logs under this group prefix; the key and the roles allow logs only there.
GLUE_LOG_GROUP_PREFIX = "/aws-glue/"


def policy_document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """A policy document JSON string; statements may contain Outputs anywhere."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def deny_insecure_transport(action: str, resource: pulumi.Input[str] | list[Any]) -> Statement:
    """Deny `action` on `resource` to everyone when the request is not made over TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def deny_insecure_bucket_access(bucket_arn: pulumi.Input[str]) -> Statement:
    """Deny every request to the bucket and its objects that is not made over TLS."""
    return deny_insecure_transport("s3:*", [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")])


def glue_log_groups_arn(
    region: pulumi.Input[str], account_id: pulumi.Input[str]
) -> pulumi.Output[str]:
    """ARN pattern of every CloudWatch log group Glue writes to (all under `/aws-glue/`)."""
    return pulumi.Output.concat(
        "arn:aws:logs:", region, ":", account_id, ":log-group:", GLUE_LOG_GROUP_PREFIX, "*"
    )


def glue_trust_policy() -> pulumi.Output[str]:
    """Role trust for the Glue service (crawlers and jobs).

    No aws:SourceAccount / aws:SourceArn condition: AWS documents the Glue service role's trust as
    the plain `glue.amazonaws.com` principal and does not document Glue sending those keys on
    sts:AssumeRole, and a condition Glue does not satisfy makes CreateCrawler fail with "Service is
    unable to assume provided role":
    https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html
    Who may hand the role to Glue is controlled by iam:PassRole in this account instead.
    """
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "glue.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
    )


# --- statement builders for role policies --------------------------------------------------------


def put_metrics_statement(sid: str, namespace: str) -> Statement:
    """cloudwatch:PutMetricData into one namespace only (the action has no resource ARNs)."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": "cloudwatch:PutMetricData",
        "Resource": "*",
        "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}},
    }


def bucket_statement(sid: str, actions: Sequence[str], bucket_arn: pulumi.Input[str]) -> Statement:
    """Bucket-level `actions` (list, location, multipart listing) on one bucket."""
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": bucket_arn}


def objects_statement(
    sid: str, actions: Sequence[str], bucket_arn: pulumi.Input[str], prefix: str
) -> Statement:
    """Object-level `actions` on every key under `prefix` ("" for the whole bucket)."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": pulumi.Output.concat(bucket_arn, "/", prefix, "*"),
    }


def folder_keys(
    bucket_arn: pulumi.Input[str], prefixes: Sequence[str], suffixes: Sequence[str]
) -> list[pulumi.Output[str]]:
    """ARNs of the folder keys Hadoop uses for `prefixes`: `<folder><suffix>` for each suffix."""
    return [
        pulumi.Output.concat(bucket_arn, "/", prefix.rstrip("/"), suffix)
        for prefix in prefixes
        for suffix in suffixes
    ]
