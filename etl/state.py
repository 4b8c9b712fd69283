"""Which input files the local runner has already processed (the local stand-in for Glue's job
bookmarks), kept as JSON under `<output>/_state/`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from etl.merge import STATE_DIR
from etl.storage import Storage, join_path

STATE_FILE = "processed_files.json"
INPUT_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz")


@dataclass(frozen=True, order=True)
class InputFile:
    path: str
    size: int
    mtime_ns: int

    @property
    def uri(self) -> str:
        return Path(self.path).as_uri()


def list_input_files(root: Path) -> list[InputFile]:
    """CSV files (also .csv.gz) at any depth under `root` (or `root` itself), sorted by path.
    Hidden files and folders are skipped (editors and tools leave them around)."""
    candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    found = []
    for path in candidates:
        relative = path.relative_to(root).parts if path != root else (path.name,)
        if any(part.startswith(".") for part in relative):
            continue
        if path.name.lower().endswith(INPUT_SUFFIXES):
            stat = path.stat()
            found.append(InputFile(str(path.resolve()), stat.st_size, stat.st_mtime_ns))
    return found


def _state_path(output_root: str) -> str:
    return join_path(output_root, STATE_DIR, STATE_FILE)


def load_processed(storage: Storage, output_root: str) -> set[InputFile]:
    """Files recorded by earlier runs; empty when there is no state yet."""
    text = storage.read_text(_state_path(output_root))
    if text is None:
        return set()
    return {InputFile(**entry) for entry in json.loads(text)}


def new_files(files: list[InputFile], processed: set[InputFile]) -> list[InputFile]:
    """Files not processed before; a file whose size or mtime changed counts as new."""
    return [f for f in files if f not in processed]


def save_processed(storage: Storage, output_root: str, processed: set[InputFile]) -> None:
    """Record processed files (sorted, so the state file is stable)."""
    entries = [{"path": f.path, "size": f.size, "mtime_ns": f.mtime_ns} for f in sorted(processed)]
    storage.write_text(_state_path(output_root), json.dumps(entries, indent=2) + "\n")
