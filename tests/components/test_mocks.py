"""The shared mocks: invokes are answered, resources recorded with options, runs are re-entrant."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from tests.pulumi_mocks import MOCK_ACCOUNT_ID, RecordingMocks, run_with_mocks, stack_config


def _program() -> None:
    parent = pulumi.ComponentResource("glue-etl:probe:Probe", "probe")
    bucket = aws.s3.Bucket(
        "probe-bucket",
        bucket_prefix="probe-",
        opts=pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True),
    )
    doc = aws.iam.get_policy_document_output(
        statements=[{"actions": ["s3:GetObject"], "resources": [bucket.arn.apply(str)]}]
    )
    account = aws.get_caller_identity_output().account_id
    aws.s3.BucketPolicy(
        "probe-policy",
        bucket=bucket.id,
        policy=pulumi.Output.all(doc.json, account).apply(lambda v: v[0].replace("mock", v[1])),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def test_records_inputs_options_and_parent() -> None:
    mocks = run_with_mocks(_program, stack_config("dev"), stack="dev")
    bucket = mocks.one("aws:s3/bucket:Bucket")
    assert bucket.inputs == {"bucketPrefix": "probe-"}
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)
    assert bucket.parent.endswith("glue-etl:probe:Probe::probe")
    policy = json.loads(mocks.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    assert policy["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::probe-{MOCK_ACCOUNT_ID}"],
        }
    ]


def test_runs_are_independent() -> None:
    first = run_with_mocks(_program, stack_config("dev"), stack="dev")
    second = run_with_mocks(_program, stack_config("prod"), stack="prod")
    assert [r.name for r in first.resources] == [r.name for r in second.resources]
    assert all(r.urn.startswith("urn:pulumi:prod::") for r in second.resources)
    assert len(second.resources) == 3


def test_fixture_installs_mocks(pulumi_mocks: RecordingMocks) -> None:
    @pulumi.runtime.test
    def declare() -> pulumi.Output:
        return aws.s3.Bucket("fixture-bucket", bucket_prefix="f-").bucket

    declare()
    assert pulumi_mocks.one("aws:s3/bucket:Bucket").inputs == {"bucketPrefix": "f-"}
