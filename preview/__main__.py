"""Offline preview: `python -m preview --stack dev [--json PATH]`, `--update-snapshots`.

Runs the real program under Pulumi mocks with the committed `Pulumi.<stack>.yaml`: no Pulumi CLI,
no AWS credentials. Prints the resource tree, the cost estimate and optionally writes the graph.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from components.config import ConfigError
from preview.capture import capture_stack, normalise, to_graph
from preview.cost import estimate, format_estimate
from preview.render import render_tree
from preview.stackfile import PROJECT_ROOT, STACKS, StackFileError, load_stack_config

SNAPSHOT_DIR = PROJECT_ROOT / "tests" / "snapshots"


def snapshot_path(stack: str) -> Path:
    """Where the committed, normalised graph of `stack` lives."""
    return SNAPSHOT_DIR / f"{stack}.json"


def snapshot_graph(stack: str) -> list[dict[str, Any]]:
    """The normalised graph of `stack`, as committed in tests/snapshots/<stack>.json."""
    return normalise(to_graph(capture_stack(stack)))


def dump(graph: list[dict[str, Any]]) -> str:
    """Stable JSON text (sorted keys, trailing newline) so snapshot diffs are reviewable."""
    return json.dumps(graph, indent=2, sort_keys=True) + "\n"


def _preview(stack: str, json_path: str | None) -> None:
    started = time.perf_counter()
    graph = to_graph(capture_stack(stack))
    elapsed = time.perf_counter() - started
    print(f"Stack {stack}: {len(graph)} resources (mocks, {elapsed:.1f}s)\n")
    print(render_tree(graph))
    print()
    print(format_estimate(estimate(load_stack_config(stack))))
    if json_path == "-":
        print()
        print(dump(graph), end="")
    elif json_path:
        Path(json_path).write_text(dump(graph))
        print(f"\nFull graph written to {json_path}")


def _update_snapshots() -> None:
    SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for stack in STACKS:
        path = snapshot_path(stack)
        path.write_text(dump(snapshot_graph(stack)))
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (2 for usage and config errors)."""
    parser = argparse.ArgumentParser(prog="python -m preview", description=__doc__)
    parser.add_argument("--stack", default="dev", help="stack file to use (default: dev)")
    parser.add_argument(
        "--json", metavar="PATH", help="also write the full graph as JSON ('-': print it)"
    )
    parser.add_argument(
        "--update-snapshots",
        action="store_true",
        help=f"rewrite tests/snapshots/<stack>.json for {', '.join(STACKS)}",
    )
    args = parser.parse_args(argv)
    try:
        if args.update_snapshots:
            _update_snapshots()
        else:
            _preview(args.stack, args.json)
    except (ConfigError, StackFileError) as error:
        print(f"preview: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
