"""Which input files earlier runs processed, kept as JSON under `<output>/_state/`.

Both entrypoints use it (locally and in Glue): a run lists the input, processes the files not
recorded before and records them after its outputs are published. A file whose size or
modification time changed counts as new.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from etl.merge import STATE_DIR
from etl.storage import FileInfo, Storage, join_path

STATE_FILE = "processed_files.json"
INPUT_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".parquet")

# The unit of incremental processing: a file's URI, size and modification time (ms).
InputFile = FileInfo


def list_input_files(storage: Storage, root: str) -> list[InputFile]:
    """CSV (also .csv.gz) and Parquet files at any depth under `root` (or `root` itself), sorted
    by URI. Hidden files and folders (names starting with `.`) are skipped: editors and tools
    leave them around."""
    base = PurePosixPath(root.rstrip("/").split(":", 1)[-1].lstrip("/"))
    found = []
    for file in storage.list_files(root):
        path = PurePosixPath(file.uri.split(":", 1)[-1].lstrip("/"))
        relative = path.relative_to(base).parts if path != base else (path.name,)
        if any(part.startswith(".") for part in relative):
            continue
        if path.name.lower().endswith(INPUT_SUFFIXES):
            found.append(file)
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
    entries = [
        {"uri": f.uri, "size": f.size, "modified_ms": f.modified_ms} for f in sorted(processed)
    ]
    storage.write_text(_state_path(output_root), json.dumps(entries, indent=2) + "\n")
