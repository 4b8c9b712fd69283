"""IAM policy: no wildcard actions in inline role policies or managed policies."""

from __future__ import annotations

import pytest

from tests.policy.helpers import check, policy_json

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"

SCOPED = {
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::raw", "arn:aws:s3:::raw/input/*"],
}


@pytest.mark.parametrize("resource_type", [ROLE_POLICY, IAM_POLICY])
def test_scoped_actions_pass(resource_type):
    deny_all = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    props = {"policy": policy_json(SCOPED, deny_all)}
    assert check("iam-no-wildcard-actions", resource_type, props) == []


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ({**SCOPED, "Action": "*"}, ["r: action '*' is a wildcard"]),
        ({**SCOPED, "Action": ["s3:GetObject", "glue:*"]}, ["r: action 'glue:*' is a wildcard"]),
        (
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            ["r: Allow with NotAction grants every other action"],
        ),
    ],
)
@pytest.mark.parametrize("resource_type", [ROLE_POLICY, IAM_POLICY])
def test_wildcard_actions_are_reported(resource_type, statement, expected):
    props = {"policy": policy_json(statement)}
    assert check("iam-no-wildcard-actions", resource_type, props) == expected
