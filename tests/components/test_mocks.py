"""The shared mocks: invokes are answered, resources recorded with options, runs are re-entrant.

These tests are also the canary for the Pulumi testing API the mocks rely on (see
`preview/mocks.py`): after a Pulumi upgrade, a failure here names what changed.
"""

from __future__ import annotations

import inspect
import json

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2

from tests.components.graph import Graph
from tests.pulumi_mocks import MOCK_ACCOUNT_ID, RecordingMocks, run_with_mocks, stack_config


def _program() -> None:
    parent = pulumi.ComponentResource("glue-etl:probe:Probe", "probe")
    bucket = aws.s3.Bucket(
        "probe-bucket",
        bucket_prefix="probe-",
        opts=pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True),
    )
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    aws.s3.BucketPolicy(
        "probe-policy",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
            {"Resource": bucket.arn, "Account": account.account_id, "Region": region.region}
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[bucket]),
    )


def test_records_inputs_options_parent_and_dependencies() -> None:
    graph = Graph(run_with_mocks(_program, stack_config("dev"), stack="dev").resources)
    bucket = graph.one("aws:s3/bucket:Bucket")
    assert bucket.inputs == {"bucketPrefix": "probe-"}
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)
    assert bucket.urn == (
        "urn:pulumi:dev::glue-etl::glue-etl:probe:Probe$aws:s3/bucket:Bucket::probe-bucket"
    )
    assert bucket.parent == graph.one("glue-etl:probe:Probe").urn
    assert bucket.parent.endswith("::pulumi:pulumi:Stack$glue-etl:probe:Probe::probe")
    policy = graph.one("aws:s3/bucketPolicy:BucketPolicy")
    assert (policy.protect, policy.retain_on_delete) == (False, False)
    assert policy.dependencies == [bucket.urn]
    assert json.loads(policy.inputs["policy"]) == {
        "Resource": "arn:aws:s3:::probe-mock",
        "Account": MOCK_ACCOUNT_ID,
        "Region": "us-east-1",
    }
    assert [r.custom for r in graph.resources] == [False, True, True]


def test_an_invoke_the_mocks_do_not_answer_fails_the_run() -> None:
    def program() -> None:
        aws.get_partition_output().partition.apply(print)

    with pytest.raises(Exception, match="mocks do not answer invoke aws:index/getPartition"):
        run_with_mocks(program, stack_config("dev"), stack="dev")


def test_runs_are_independent() -> None:
    first = run_with_mocks(_program, stack_config("dev"), stack="dev")
    second = run_with_mocks(_program, stack_config("prod"), stack="prod")
    assert [r.name for r in first.resources] == [r.name for r in second.resources]
    assert all(r.urn.startswith("urn:pulumi:dev::") for r in first.resources)
    assert all(r.urn.startswith("urn:pulumi:prod::") for r in second.resources)
    assert len(second.resources) == 3


def test_fixture_installs_mocks(pulumi_mocks: RecordingMocks) -> None:
    @pulumi.runtime.test
    def declare() -> pulumi.Output:
        return aws.s3.Bucket("fixture-bucket", bucket_prefix="f-").bucket

    declare()
    assert [(r.type, r.inputs) for r in pulumi_mocks.resources] == [
        ("aws:s3/bucket:Bucket", {"bucketPrefix": "f-"})
    ]


def test_the_pulumi_api_the_mocks_use_is_still_there() -> None:
    # The public entry points, with the parameters preview/mocks.py passes.
    params = inspect.signature(pulumi.runtime.set_mocks).parameters
    assert {"mocks", "project", "stack", "preview", "monitor"} <= set(params)
    assert callable(pulumi.runtime.test)
    assert callable(pulumi.runtime.set_all_config)
    # The registration request fields RecordingMonitor reads (resource-monitor protocol).
    fields = set(resource_pb2.RegisterResourceRequest.DESCRIPTOR.fields_by_name)
    assert {"type", "name", "parent", "protect", "retainOnDelete", "dependencies"} <= fields
    assert "urn" in resource_pb2.RegisterResourceResponse.DESCRIPTOR.fields_by_name
    assert callable(MockMonitor.RegisterResource)
