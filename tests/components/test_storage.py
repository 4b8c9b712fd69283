"""Storage: KMS key policy, bucket security settings, lifecycle and protection per stack."""

from __future__ import annotations

import pytest

from components.bucket_layout import STAGING_PREFIX
from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

KEY = "aws:kms/key:Key"
KEY_ARN = f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT_ID}:key/mock-key-id"
BUCKET = "aws:s3/bucket:Bucket"
ROLES = ("raw", "curated", "scripts")
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
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
DELETE_MARKERS = {
    "id": "expire-delete-markers",
    "status": "Enabled",
    "filter": {},
    "expiration": {"expiredObjectDeleteMarker": True},
}
COMMON_RULES = [ABORT_UPLOADS, NONCURRENT, DELETE_MARKERS]


def _short_noncurrent(name: str, prefix: str) -> dict:
    return {
        "id": f"expire-noncurrent-{name}",
        "status": "Enabled",
        "filter": {"prefix": prefix},
        "noncurrentVersionExpiration": {"noncurrentDays": 1},
    }


def _arn(stack: str, role: str) -> str:
    return f"arn:aws:s3:::glue-etl-{stack}-{role}-{MOCK_ACCOUNT_ID}-us-east-1"


def test_key_rotates_and_policy_scopes_services(dev: Graph) -> None:
    key = dev.inputs(KEY)
    assert key["enableKeyRotation"] is True
    assert key["deletionWindowInDays"] == 30
    statements = dev.statements(KEY)
    assert set(statements) == {
        "AccountAdministers",
        "CloudWatchLogsForGlueLogGroups",
        "EventBridgeForAlerts",
        "CloudWatchAlarmsForAlerts",
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
    # The alert publishers (EventBridge rules, the CloudWatch alarm) use the key; SNS does not.
    assert statements["EventBridgeForAlerts"] == {
        "Sid": "EventBridgeForAlerts",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
    }
    assert statements["CloudWatchAlarmsForAlerts"] == {
        "Sid": "CloudWatchAlarmsForAlerts",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID}},
    }
    principals = [str(st["Principal"]) for st in statements.values()]
    assert not any("sns.amazonaws.com" in p for p in principals)


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


@pytest.mark.parametrize(("stack", "roles"), [("dev", ROLES), ("prod", (*ROLES, "logs"))])
def test_every_bucket_is_versioned(request, stack: str, roles: tuple[str, ...]) -> None:
    graph: Graph = request.getfixturevalue(stack)
    versioned = {
        r.name: r.inputs["versioningConfiguration"]
        for r in graph.all("aws:s3/bucketVersioning:BucketVersioning")
    }
    assert versioned == {
        f"glue-etl-{stack}-storage-{role}-versioning": {"status": "Enabled"} for role in roles
    }


def test_lifecycle_rules_dev(dev: Graph) -> None:
    assert dev.inputs(LIFECYCLE, "-raw-lifecycle")["rules"] == [
        *COMMON_RULES,
        {
            "id": "expire-raw-input",
            "status": "Enabled",
            "filter": {"prefix": "input/"},
            "expiration": {"days": 30},
        },
    ]
    # Every run copies and deletes its _staging/ tree: those versions go after a day.
    assert dev.inputs(LIFECYCLE, "-curated-lifecycle")["rules"] == [
        *COMMON_RULES,
        _short_noncurrent("staging", "_staging/"),
    ]
    assert dev.inputs(LIFECYCLE, "-scripts-lifecycle")["rules"] == [
        *COMMON_RULES,
        _short_noncurrent("temp", "temp/"),
        _short_noncurrent("sparkui", "sparkui/"),
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


def test_staging_prefix_is_where_the_job_stages() -> None:
    from etl.paths import STAGING_DIR

    assert f"{STAGING_DIR}/" == STAGING_PREFIX


def test_prod_keeps_raw_input_forever_and_access_logs_a_year(prod: Graph) -> None:
    assert prod.inputs(LIFECYCLE, "-raw-lifecycle")["rules"] == COMMON_RULES
    assert prod.inputs(LIFECYCLE, "-logs-lifecycle")["rules"] == [
        *COMMON_RULES,
        {
            "id": "expire-access-logs",
            "status": "Enabled",
            "filter": {},
            "expiration": {"days": 365},
        },
    ]


def test_prod_logs_every_bucket_to_its_log_bucket(prod: Graph) -> None:
    log_bucket = f"glue-etl-prod-logs-{MOCK_ACCOUNT_ID}-us-east-1"
    loggings = {r.name: r.inputs for r in prod.all(LOGGING)}
    assert loggings == {
        f"glue-etl-prod-storage-{role}-access-logs": {
            "bucket": f"glue-etl-prod-{role}-{MOCK_ACCOUNT_ID}-us-east-1",
            "targetBucket": log_bucket,
            "targetPrefix": f"{role}/",
        }
        for role in ROLES
    }
    # Delivery may start only once the log bucket's policy lets S3 write.
    log_policy = prod.one("aws:s3/bucketPolicy:BucketPolicy", "-logs-tls-only")
    assert all(log_policy.urn in r.dependencies for r in prod.all(LOGGING))


def test_log_bucket_has_its_own_encryption_and_policy(prod: Graph) -> None:
    # SSE-S3: log delivery then needs no grant on the stack's key.
    assert prod.inputs(SSE, "-logs-encryption")["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    log_arn = _arn("prod", "logs")
    assert prod.policy("aws:s3/bucketPolicy:BucketPolicy", "-logs-tls-only")["Statement"] == [
        {
            "Sid": "S3ServerAccessLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": [f"{log_arn}/{role}/*" for role in ROLES],
            "Condition": {
                "ArnLike": {"aws:SourceArn": [_arn("prod", role) for role in ROLES]},
                "StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID},
            },
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [log_arn, f"{log_arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]
    assert prod.inputs(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-logs-public-access"
    )["restrictPublicBuckets"]


def test_dev_has_no_access_logs(dev: Graph) -> None:
    assert dev.all(LOGGING) == []
    # Resources register concurrently: their order in the capture means nothing.
    assert sorted(r.name for r in dev.all(BUCKET)) == sorted(
        f"glue-etl-dev-storage-{role}" for role in ROLES
    )


def test_prod_protects_and_retains_data(prod: Graph) -> None:
    guarded = {r.name for r in prod.resources if r.protect and r.retain_on_delete}
    assert guarded == {
        "glue-etl-prod-storage-key",
        "glue-etl-prod-storage-raw",
        "glue-etl-prod-storage-curated",
        "glue-etl-prod-storage-logs",
        "glue-etl-prod-catalog-database",
    }
    assert {r.inputs["forceDestroy"] for r in prod.all(BUCKET)} == {False}


def test_retained_buckets_keep_their_settings(prod: Graph) -> None:
    # A bucket kept after destroy must not lose its public access block, encryption, TLS policy,
    # versioning, lifecycle or logging: they are retained with it (but not protected).
    retained = {
        r.name.removeprefix("glue-etl-prod-storage-")
        for r in prod.resources
        if r.retain_on_delete and not r.protect
    }
    settings = ("public-access", "ownership", "encryption", "tls-only", "versioning", "lifecycle")
    expected = {f"{role}-{s}" for role in ("raw", "curated", "logs") for s in settings}
    expected |= {"raw-access-logs", "curated-access-logs"}
    assert retained == expected


def test_dev_is_disposable(dev: Graph) -> None:
    assert [r.name for r in dev.resources if r.protect or r.retain_on_delete] == []
    assert {r.inputs["forceDestroy"] for r in dev.all(BUCKET)} == {True}
