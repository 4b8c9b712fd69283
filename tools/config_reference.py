"""The README's configuration reference, generated from the `config:` block of Pulumi.yaml.

`python -m tools.config_reference` rewrites the section between the markers in README.md;
`--check` exits 1 when README.md and Pulumi.yaml disagree (the test suite runs the same check).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- config-reference:start -->"
END = "<!-- config-reference:end -->"
_SECTION = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)


def _default(value: object) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return "`[" + ", ".join(str(v) for v in value) + "]`"
    return f"`{value}`" if value != "" else '`""`'


def render(project_file: Path) -> str:
    """One table row per documented key: name, type, default, description."""
    project = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    rows = [
        "| key | type | default | description |",
        "|---|---|---|---|",
    ]
    for key, spec in project["config"].items():
        kind = spec.get("type", "string")
        if kind == "array":
            kind = f"list of {spec.get('items', {}).get('type', 'string')}"
        description = " ".join(str(spec.get("description", "")).split()).replace("|", "\\|")
        rows.append(f"| `{key}` | {kind} | {_default(spec.get('default', ''))} | {description} |")
    return "\n".join(rows) + "\n"


def section(readme: Path) -> str:
    """The README's current text between the markers (without them)."""
    match = _SECTION.search(readme.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{readme} has no {START} ... {END} section")
    return match.group(0)[len(START) : -len(END)].strip("\n") + "\n"


def write(readme: Path, table: str) -> None:
    text = readme.read_text(encoding="utf-8")
    readme.write_text(_SECTION.sub(lambda _: f"{START}\n{table}{END}", text), encoding="utf-8")


def main(argv: list[str]) -> int:
    readme, project_file = ROOT / "README.md", ROOT / "Pulumi.yaml"
    table = render(project_file)
    if "--check" in argv:
        if section(readme) != table:
            print("README.md config reference is stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    write(readme, table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
