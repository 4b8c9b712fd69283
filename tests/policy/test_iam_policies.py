"""IAM policy: no wildcard actions in inline role policies or managed policies."""

from __future__ import annotations

import pytest

from tests.policy.helpers import check, policy_json

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"

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


def test_role_inline_policies_are_checked_too():
    # aws.iam.Role(inline_policies=[...]) is also a role policy: the "*" must not slip through.
    props = {
        "assumeRolePolicy": policy_json({"Effect": "Allow", "Action": "sts:AssumeRole"}),
        "inlinePolicies": [
            {"name": "scoped", "policy": policy_json(SCOPED)},
            {"name": "broad", "policy": policy_json({**SCOPED, "Action": "*"})},
        ],
    }
    assert check("iam-no-wildcard-actions", ROLE, props) == [
        "r: inline policy 'broad': action '*' is a wildcard"
    ]


def test_role_without_inline_policies_passes():
    props = {"assumeRolePolicy": policy_json({"Effect": "Allow", "Action": "sts:AssumeRole"})}
    assert check("iam-no-wildcard-actions", ROLE, props) == []
