"""Snapshot of each stack's resource graph: any unreviewed infrastructure change fails here."""

from __future__ import annotations

import json
import time

import pytest

from preview import stackfile
from preview.__main__ import dump, main, snapshot_graph, snapshot_path
from preview.capture import capture_stack
from preview.stackfile import STACKS

UPDATE_HINT = "review the change, then run `make snapshots` and commit tests/snapshots/"


def _changed(expected: list[dict], actual: list[dict]) -> list[str]:
    def index(graph: list[dict]) -> dict[str, str]:
        return {f"{e['type']}::{e['name']}": json.dumps(e, sort_keys=True) for e in graph}

    old, new = index(expected), index(actual)
    return sorted(
        [f"+ {k}" for k in new.keys() - old.keys()]
        + [f"- {k}" for k in old.keys() - new.keys()]
        + [f"~ {k}" for k in old.keys() & new.keys() if old[k] != new[k]]
    )


@pytest.mark.parametrize("stack", STACKS)
def test_graph_matches_committed_snapshot(stack: str) -> None:
    path = snapshot_path(stack)
    assert path.is_file(), f"missing {path.name}: {UPDATE_HINT}"
    expected = json.loads(path.read_text())
    actual = json.loads(dump(snapshot_graph(stack)))
    changes = _changed(expected, actual)
    assert not changes, f"{stack} graph differs from its snapshot ({UPDATE_HINT}):\n" + "\n".join(
        changes
    )


@pytest.mark.parametrize("stack", STACKS)
def test_program_runs_under_mocks_quickly(stack: str) -> None:
    started = time.perf_counter()
    resources = capture_stack(stack)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{stack} took {elapsed:.1f}s under mocks"
    assert {r.type for r in resources} >= {"aws:glue/job:Job", "aws:glue/crawler:Crawler"}


def test_capture_is_reentrant() -> None:
    dev_first = dump(snapshot_graph("dev"))
    snapshot_graph("prod")
    assert dump(snapshot_graph("dev")) == dev_first


def test_preview_prints_tree_and_writes_json(tmp_path, capsys) -> None:
    target = tmp_path / "graph.json"
    assert main(["--stack", "dev", "--json", str(target)]) == 0
    out = capsys.readouterr().out
    assert "glue-etl:pipeline:GluePipeline  glue-etl-dev" in out
    assert '        workerType = "G.1X"' in out
    assert "Cost estimate (dev)" in out
    graph = json.loads(target.read_text())
    job = next(e for e in graph if e["type"] == "aws:glue/job:Job")
    assert job["parent"] == "glue-etl:job:GlueJob::glue-etl-dev-job"
    assert job["inputs"]["executionClass"] == "FLEX"


def test_unknown_stack_is_a_usage_error(capsys) -> None:
    assert main(["--stack", "staging"]) == 2
    assert capsys.readouterr().err.strip() == (
        "preview: no stack file Pulumi.staging.yaml (known stacks: dev, prod)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "config:\n  glue-etl:workerType: [G.1X\n",
            "preview: Pulumi.broken.yaml is not valid YAML at line 3: "
            "expected ',' or ']', but got '<stream end>'",
        ),
        (
            "- just\n- a list\n",
            "preview: Pulumi.broken.yaml must be a mapping with a `config:` mapping",
        ),
        ("config: 3\n", "preview: Pulumi.broken.yaml must be a mapping with a `config:` mapping"),
    ],
)
def test_a_malformed_stack_file_is_one_line(capsys, monkeypatch, tmp_path, text, message) -> None:
    monkeypatch.setattr(stackfile, "PROJECT_ROOT", tmp_path)
    (tmp_path / "Pulumi.broken.yaml").write_text(text)
    assert main(["--stack", "broken"]) == 2
    assert capsys.readouterr().err.strip() == message
