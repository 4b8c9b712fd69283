"""Storage: KMS key policy, bucket security settings, lifecycle and protection per stack."""

from __future__ import annotations

import pytest

from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

KEY = "aws:kms/key:Key"
KEY_ARN = f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT_ID}:key/mock-key-id"
BUCKET = "aws:s3/bucket:Bucket"
ROLES = ("raw", "curated", "scripts")
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
ABORT_UPLOADS = {
    "id": "abort-incomplete-uploads",
    "status": "Enabled",
    "filter": {},
    "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
}
NONCURRENT = {
    "id": "expire-noncurrent-versions",
    "status": "Enabled",
    "filter": {},
    "noncurrentVersionExpiration": {"noncurrentDays": 30},
}


def test_key_rotates_and_policy_scopes_services(dev: Graph) -> None:
    key = dev.inputs(KEY)
    assert key["enableKeyRotation"] is True
    assert key["deletionWindowInDays"] == 30
    statements = dev.statements(KEY)
    assert set(statements) == {
        "AccountAdministers",
        "CloudWatchLogsForGlueLogGroups",
        "EventBridgeAndSnsForAlerts",
    }
    assert statements["AccountAdministers"]["Principal"] == {
        "AWS": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:root"
    }
    logs = statements["CloudWatchLogsForGlueLogGroups"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:us-east-1:{MOCK_ACCOUNT_ID}:log-group:/aws-glue/*"
            )
        }
    }
    alerts = statements["EventBridgeAndSnsForAlerts"]
    assert alerts["Principal"] == {"Service": ["events.amazonaws.com", "sns.amazonaws.com"]}
    assert alerts["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"]


def test_key_lets_s3_encrypt_queue_messages_only_in_event_mode(event_mode: Graph) -> None:
    s3 = event_mode.statements(KEY)["S3EventNotificationsToQueue"]
    assert s3["Principal"] == {"Service": "s3.amazonaws.com"}
    assert s3["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"]
    assert s3["Condition"] == {"StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID}}


@pytest.mark.parametrize("role", ROLES)
def test_bucket_blocks_public_access_and_acls(dev: Graph, role: str) -> None:
    name = f"glue-etl-dev-{role}-{MOCK_ACCOUNT_ID}-us-east-1"
    assert dev.inputs(BUCKET, f"-{role}")["bucket"] == name
    assert dev.inputs(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"-{role}-public-access"
    ) == {
        "bucket": name,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert dev.inputs(
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"-{role}-ownership"
    ) == {"bucket": name, "rule": {"objectOwnership": "BucketOwnerEnforced"}}


@pytest.mark.parametrize("role", ROLES)
def test_bucket_encrypts_with_stack_key_and_bucket_keys(dev: Graph, role: str) -> None:
    sse = dev.inputs(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        f"-{role}-encryption",
    )
    assert sse["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": KEY_ARN,
            },
            "bucketKeyEnabled": True,
        }
    ]


@pytest.mark.parametrize("role", ROLES)
def test_bucket_policy_denies_insecure_transport(dev: Graph, role: str) -> None:
    arn = f"arn:aws:s3:::glue-etl-dev-{role}-{MOCK_ACCOUNT_ID}-us-east-1"
    policy = dev.policy("aws:s3/bucketPolicy:BucketPolicy", f"-{role}-tls-only")
    assert policy["Statement"] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_versioning_on_data_buckets_only(dev: Graph) -> None:
    versioned = {
        r.name: r.inputs["versioningConfiguration"]
        for r in dev.all("aws:s3/bucketVersioning:BucketVersioning")
    }
    assert versioned == {
        "glue-etl-dev-storage-raw-versioning": {"status": "Enabled"},
        "glue-etl-dev-storage-curated-versioning": {"status": "Enabled"},
    }


def test_lifecycle_rules_dev(dev: Graph) -> None:
    assert dev.inputs(LIFECYCLE, "-raw-lifecycle")["rules"] == [
        ABORT_UPLOADS,
        NONCURRENT,
        {
            "id": "expire-raw-input",
            "status": "Enabled",
            "filter": {"prefix": "input/"},
            "expiration": {"days": 30},
        },
    ]
    assert dev.inputs(LIFECYCLE, "-curated-lifecycle")["rules"] == [ABORT_UPLOADS, NONCURRENT]
    assert dev.inputs(LIFECYCLE, "-scripts-lifecycle")["rules"] == [
        ABORT_UPLOADS,
        {
            "id": "expire-temp",
            "status": "Enabled",
            "filter": {"prefix": "temp/"},
            "expiration": {"days": 7},
        },
        {
            "id": "expire-spark-ui-logs",
            "status": "Enabled",
            "filter": {"prefix": "sparkui/"},
            "expiration": {"days": 30},
        },
    ]


def test_prod_keeps_raw_input_forever(prod: Graph) -> None:
    assert prod.inputs(LIFECYCLE, "-raw-lifecycle")["rules"] == [ABORT_UPLOADS, NONCURRENT]


def test_prod_protects_and_retains_data(prod: Graph) -> None:
    guarded = {r.name for r in prod.resources if r.protect and r.retain_on_delete}
    assert guarded == {
        "glue-etl-prod-storage-key",
        "glue-etl-prod-storage-raw",
        "glue-etl-prod-storage-curated",
        "glue-etl-prod-catalog-database",
    }
    assert {r.inputs["forceDestroy"] for r in prod.all(BUCKET)} == {False}


def test_dev_is_disposable(dev: Graph) -> None:
    assert [r.name for r in dev.resources if r.protect or r.retain_on_delete] == []
    assert {r.inputs["forceDestroy"] for r in dev.all(BUCKET)} == {True}
