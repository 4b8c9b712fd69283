"""Pulumi mocks that record every resource the program declares, and a re-entrant runner.

Lives in `preview/` (not `tests/`) because the offline preview and the tests share it: the preview
is a user-facing command and must not import test code. `tests/pulumi_mocks.py` re-exports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import settings as _settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

MOCK_ACCOUNT_ID = "123456789012"
MOCK_REGION = "us-east-1"
MOCK_PARTITION = "aws"


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


@dataclass
class _Options:
    urn: str = ""
    parent: str = ""
    protect: bool = False
    retain_on_delete: bool = False
    dependencies: tuple[str, ...] = ()


class RecordingMocks(Mocks):
    """Answers the invokes the program makes and records every `new_resource` call.

    Outputs echo the inputs plus the attributes AWS would compute (arn, id, name), so code that
    reads `bucket.arn` or `job.name` sees realistic, deterministic values.
    """

    def __init__(self, region: str = MOCK_REGION, account_id: str = MOCK_ACCOUNT_ID) -> None:
        self.region = region
        self.account_id = account_id
        self.resources: list[CapturedResource] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._options: dict[tuple[str, str], _Options] = {}

    # -- invokes ---------------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        self.calls.append((args.token, dict(args.args)))
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
        if token == "aws:index/getPartition:getPartition":
            return {
                "partition": MOCK_PARTITION,
                "dnsSuffix": "amazonaws.com",
                "id": MOCK_PARTITION,
            }, []
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return {"json": _policy_document_json(args.args), "id": "policy"}, []
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
        if args.typ in ("aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket"):
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
        opts = self._options.get((args.typ, name), _Options())
        self.resources.append(
            CapturedResource(
                type=args.typ,
                name=name,
                urn=opts.urn,
                parent=opts.parent,
                inputs=dict(args.inputs),
                protect=opts.protect,
                retain_on_delete=opts.retain_on_delete,
                custom=bool(args.custom),
                dependencies=sorted(opts.dependencies),
            )
        )
        return resource_id, outputs

    # -- queries used by tests -------------------------------------------------------------------
    def of_type(self, type_token: str) -> list[CapturedResource]:
        """All recorded resources with this type token, in declaration order."""
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name_contains: str = "") -> CapturedResource:
        """The single resource of this type (whose name contains `name_contains`)."""
        found = [r for r in self.of_type(type_token) if name_contains in r.name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_token)]
            raise AssertionError(f"expected one {type_token} ~ {name_contains!r}, got {names}")
        return found[0]


class RecordingMonitor(MockMonitor):
    """MockMonitor that also keeps the parent URN, protect/retain flags and dependencies of each
    registration.

    `MockResourceArgs` does not carry resource options, and the preview tree needs the parent, the
    prod tests `protect` and `retain_on_delete`, and ordering tests the dependencies.
    """

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self._recording = mocks

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        # Registrations can run on executor threads, so options are keyed by (type, name) - unique
        # in this program because child names derive from their component's name - rather than
        # passed through shared mutable state.
        self._recording._options[(request.type, request.name)] = _Options(
            urn=self.make_urn(request.parent, request.type, request.name),
            parent=request.parent,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            dependencies=tuple(request.dependencies),
        )
        return super().RegisterResource(request)


def install_mocks(
    mocks: RecordingMocks, config: Mapping[str, str], *, project: str, stack: str
) -> RecordingMocks:
    """Reset the Pulumi runtime and install `mocks` with `config`, ready to declare resources.

    The runtime's root resource, config and RPC bookkeeping are reset, so this can be called again
    in the same process (one call per captured stack or per test).
    """
    _settings.reset_options(project=project, stack=stack)
    pulumi.runtime.set_all_config(dict(config))
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=False, monitor=RecordingMonitor(mocks)
    )
    _settings.SETTINGS.rpc_manager.clear()
    _settings.SETTINGS.outputs.clear()
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

    Re-entrant (see `install_mocks`), so several stacks can be captured in one process (the
    policy-pack tests do exactly that).
    """
    mocks = install_mocks(mocks or RecordingMocks(), config, project=project, stack=stack)
    _sync_await(run_pulumi_func(program))
    return mocks


def _policy_document_json(args: Mapping[str, Any]) -> str:
    """Render getPolicyDocument statements the way AWS would, enough for tests to read them."""
    import json

    statements = []
    for st in args.get("statements") or []:
        out: dict[str, Any] = {"Effect": st.get("effect", "Allow")}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        for key, aws_key in (("actions", "Action"), ("resources", "Resource")):
            if st.get(key):
                out[aws_key] = st[key]
        principals = st.get("principals") or []
        if principals:
            out["Principal"] = {p["type"]: p["identifiers"] for p in principals}
        conditions = st.get("conditions") or []
        if conditions:
            cond: dict[str, dict[str, Any]] = {}
            for c in conditions:
                cond.setdefault(c["test"], {})[c["variable"]] = c["values"]
            out["Condition"] = cond
        statements.append(out)
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


__all__ = [
    "MOCK_ACCOUNT_ID",
    "MOCK_PARTITION",
    "MOCK_REGION",
    "CapturedResource",
    "RecordingMocks",
    "RecordingMonitor",
    "install_mocks",
    "run_with_mocks",
]
