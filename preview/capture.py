"""Run the real Pulumi program under mocks with a committed stack file and capture its graph."""

from __future__ import annotations

import contextlib
import os
import re
import runpy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi

from preview.mocks import MOCK_ACCOUNT_ID, CapturedResource, RecordingMocks, run_with_mocks
from preview.stackfile import PROJECT_ROOT, stack_config

PROGRAM = PROJECT_ROOT / "__main__.py"
PROJECT = "glue-etl"

# Content hashes in code object keys change with every ETL code change; snapshots must not.
_CODE_HASH = re.compile(r"(code/[a-z_]+-)[0-9a-f]{12}(\.py|\.zip)")


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    # Pulumi runs programs from the project directory; asset paths are relative to it.
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _run_program() -> None:
    runpy.run_path(str(PROGRAM), run_name="__pulumi_program__")


def capture_stack(stack: str, overrides: Mapping[str, Any] | None = None) -> list[CapturedResource]:
    """Every resource the program declares for `stack` (real `Pulumi.<stack>.yaml` + overrides).

    Re-entrant: each call installs fresh mocks and config, so several stacks can be captured in one
    process. Inputs are plain JSON values (assets become `{"$asset": path}` dicts).
    """
    config = stack_config(stack, dict(overrides or {}))
    mocks = RecordingMocks(region=config.get("aws:region", "us-east-1"))
    with _working_directory(PROJECT_ROOT):
        run_with_mocks(_run_program, config, project=PROJECT, stack=stack, mocks=mocks)
    for resource in mocks.resources:
        resource.inputs = _plain(resource.inputs)
    return mocks.resources


def _plain(value: Any) -> Any:
    """Engine values -> JSON values (assets and archives become tagged dicts)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, pulumi.FileAsset):
        return {"$asset": str(value.path)}
    if isinstance(value, pulumi.AssetArchive):
        return {"$archive": sorted(value.assets)}
    if isinstance(value, pulumi.FileArchive):
        return {"$archive": str(value.path)}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def to_graph(resources: list[CapturedResource]) -> list[dict[str, Any]]:
    """JSON form of the graph: one entry per resource, parents by `type::name`."""
    by_urn = {r.urn: r for r in resources}
    graph = []
    for r in resources:
        parent = by_urn.get(r.parent)
        entry: dict[str, Any] = {
            "type": r.type,
            "name": r.name,
            "parent": f"{parent.type}::{parent.name}" if parent else None,
            "inputs": r.inputs,
        }
        if r.protect:
            entry["protect"] = True
        if r.retain_on_delete:
            entry["retainOnDelete"] = True
        graph.append(entry)
    return sorted(graph, key=lambda e: (e["type"], e["name"]))


def normalise(graph: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace volatile values (code hashes, account id, code file lists) with placeholders."""

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            if "$archive" in value:
                return {"$archive": "<etl package>"}
            return {key: scrub(item) for key, item in value.items()}
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, str):
            value = _CODE_HASH.sub(r"\1<hash>\2", value)
            return value.replace(MOCK_ACCOUNT_ID, "<account-id>")
        return value

    return [scrub(entry) for entry in graph]
