"""Pulumi mocks that record every resource the program declares, and a re-entrant runner.

Lives in `preview/` (not `tests/`) because the offline preview and the tests share it: the preview
is a user-facing command and must not import test code. `tests/pulumi_mocks.py` re-exports it.

Only Pulumi's public testing API is used: `pulumi.runtime.set_all_config`, `set_mocks` (with its
`monitor` parameter) and `@pulumi.runtime.test`. The one thing the public `Mocks` interface does
not hand over is a resource's options (parent, protect, retain-on-delete, dependencies), so
`RecordingMonitor` reads them from the registration request, whose fields are defined by Pulumi's
resource-monitor protocol (`RegisterResourceRequest` in resource.proto), not by the Python SDK.
`tests/components/test_mocks.py` fails loudly if a Pulumi upgrade changes any of this.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks
from pulumi.runtime.mocks import MockMonitor

MOCK_ACCOUNT_ID = "123456789012"
MOCK_REGION = "us-east-1"


@dataclass
class CapturedResource:
    """One resource as the engine saw it: type token, logical name, parent URN, resolved inputs."""

    type: str
    name: str
    urn: str
    parent: str
    inputs: dict[str, Any]
    protect: bool = False
    retain_on_delete: bool = False
    custom: bool = True
    # URNs this resource waits for: explicit depends_on plus every resource its inputs came from.
    dependencies: list[str] = field(default_factory=list)


class RecordingMocks(Mocks):
    """Answers the invokes the program makes and records every `new_resource` call.

    Outputs echo the inputs plus the attributes AWS would compute (arn, id, name), so code that
    reads `bucket.arn` or `job.name` sees realistic, deterministic values.
    """

    def __init__(self, region: str = MOCK_REGION, account_id: str = MOCK_ACCOUNT_ID) -> None:
        self.region = region
        self.account_id = account_id
        self.resources: list[CapturedResource] = []
        # (type, name) is unique in this program: child names derive from their component's name.
        self._by_key: dict[tuple[str, str], CapturedResource] = {}

    # -- invokes ---------------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        # Only the invokes the program makes; any other one fails loudly instead of yielding None.
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:aws:iam::{self.account_id}:user/mock",
                "userId": "AIDAMOCK",
                "id": self.account_id,
            }, []
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}, []
        raise NotImplementedError(f"mocks do not answer invoke {token}")

    # -- resources -------------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        name = args.name
        resource_id = f"{name}-id"
        outputs = dict(args.inputs)
        short = args.typ.split(":")[-1].lower()
        arn_service = args.typ.split(":")[1].split("/")[0]
        outputs.setdefault("name", outputs.get("bucket") or name)
        outputs.setdefault(
            "arn", f"arn:aws:{arn_service}:{self.region}:{self.account_id}:{short}/{name}"
        )
        if args.typ == "aws:s3/bucket:Bucket":
            bucket = outputs.get("bucket") or f"{outputs.get('bucketPrefix', name)}mock"
            outputs["bucket"] = bucket
            outputs["arn"] = f"arn:aws:s3:::{bucket}"
            resource_id = bucket
        elif args.typ == "aws:kms/key:Key":
            resource_id = "mock-key-id"
            outputs["keyId"] = resource_id
            outputs["arn"] = f"arn:aws:kms:{self.region}:{self.account_id}:key/{resource_id}"
        elif args.typ == "aws:sqs/queue:Queue":
            queue = outputs.get("name") or name
            outputs["arn"] = f"arn:aws:sqs:{self.region}:{self.account_id}:{queue}"
            outputs["url"] = f"https://sqs.{self.region}.amazonaws.com/{self.account_id}/{queue}"
            resource_id = outputs["url"]
        elif args.typ == "aws:iam/role:Role":
            outputs["arn"] = f"arn:aws:iam::{self.account_id}:role/{outputs['name']}"
        elif args.typ == "aws:sns/topic:Topic":
            outputs["arn"] = f"arn:aws:sns:{self.region}:{self.account_id}:{outputs['name']}"
            resource_id = outputs["arn"]
        # URN, parent and flags arrive with the registration (see `RecordingMonitor`).
        captured = CapturedResource(
            args.typ, name, urn="", parent="", inputs=dict(args.inputs), custom=bool(args.custom)
        )
        self.resources.append(captured)
        self._by_key[(args.typ, name)] = captured
        return resource_id, outputs

    def record_options(self, type_token: str, name: str, request: Any, urn: str) -> None:
        """Add the options of one registration (see `RecordingMonitor`) to its recorded resource."""
        captured = self._by_key[(type_token, name)]
        captured.urn = urn
        captured.parent = request.parent
        captured.protect = bool(request.protect)
        captured.retain_on_delete = bool(request.retainOnDelete)
        captured.dependencies = sorted(request.dependencies)


class RecordingMonitor(MockMonitor):
    """A mock monitor that also records each registration's URN, parent, protect and
    retain-on-delete flags and dependencies.

    `MockResourceArgs` carries no resource options, yet the preview tree needs the parent, the prod
    tests `protect` and `retain_on_delete`, and ordering tests the dependencies.
    """

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self._recording = mocks

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        # The base class calls `new_resource` (which records the resource) and answers with its
        # URN; registrations can run on executor threads, so the options are attached by key
        # rather than passed through shared mutable state.
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self._recording.record_options(request.type, request.name, request, response.urn)
        return response


def install_mocks(
    mocks: RecordingMocks, config: Mapping[str, str], *, project: str, stack: str
) -> RecordingMocks:
    """Install `mocks` with `config` as the ambient Pulumi runtime, ready to declare resources.

    Can be called again in the same process (one call per captured stack or per test): the config
    map is replaced and `set_mocks` brings a fresh monitor and RPC bookkeeping. The root Stack
    resource of the first call stays, which only shows in the parent URN of top-level resources.
    """
    pulumi.runtime.set_all_config(dict(config))
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=False, monitor=RecordingMonitor(mocks)
    )
    return mocks


def run_with_mocks(
    program: Callable[[], None],
    config: Mapping[str, str],
    *,
    project: str = "glue-etl",
    stack: str = "test",
    mocks: RecordingMocks | None = None,
) -> RecordingMocks:
    """Run `program` under fresh mocks and config; return the mocks with everything recorded.

    `@pulumi.runtime.test` runs the program and waits for every registration it started, so the
    recording is complete on return. Re-entrant (see `install_mocks`): several stacks can be
    captured in one process, as the preview and the policy-pack tests do.
    """
    mocks = install_mocks(mocks or RecordingMocks(), config, project=project, stack=stack)
    pulumi.runtime.test(program)()
    return mocks


__all__ = [
    "MOCK_ACCOUNT_ID",
    "MOCK_REGION",
    "CapturedResource",
    "RecordingMocks",
    "RecordingMonitor",
    "install_mocks",
    "run_with_mocks",
]
