"""Glue security configuration: S3 and CloudWatch SSE-KMS, bookmarks CSE-KMS, all with the key."""

from __future__ import annotations

from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID

KEY_ARN = f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT_ID}:key/mock-key-id"


def test_security_configuration_encrypts_everything_with_stack_key(dev: Graph) -> None:
    assert dev.inputs("aws:glue/securityConfiguration:SecurityConfiguration") == {
        "name": "glue-etl-dev-security",
        "encryptionConfiguration": {
            "s3Encryption": {"s3EncryptionMode": "SSE-KMS", "kmsKeyArn": KEY_ARN},
            "cloudwatchEncryption": {"cloudwatchEncryptionMode": "SSE-KMS", "kmsKeyArn": KEY_ARN},
            "jobBookmarksEncryption": {
                "jobBookmarksEncryptionMode": "CSE-KMS",
                "kmsKeyArn": KEY_ARN,
            },
        },
    }
