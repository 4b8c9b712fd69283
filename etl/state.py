"""Which input files earlier runs processed, kept as JSON under `<output>/_state/`.

Both entrypoints use it (locally and in Glue): a run lists the input, processes the files not
recorded before and records them once its outputs are in place (`etl.publish` writes the state
the run commits with them).

A file is identified by its path relative to the input root, its size and its modification time:
moving or copying the whole input tree elsewhere reprocesses nothing, and a file whose size or
modification time changed counts as new. A file that could not be read is recorded as failed,
with its reason, and is not tried again until it changes (or the run asks to retry failed files).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import PurePosixPath

from etl.contract import FOR_HIRE_TRIPS, ZONE_LOOKUP, not_taxi_trips
from etl.parquet_input import PARQUET_SUFFIXES
from etl.paths import STATE_DIR, uri_path
from etl.report import SkippedFile
from etl.storage import Storage, join_path

STATE_FILE = "processed_files.json"
CSV_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz")
INPUT_SUFFIXES: tuple[str, ...] = (*CSV_SUFFIXES, *PARQUET_SUFFIXES)
LOADED, FAILED = "loaded", "failed"
_VERSION = 2


@dataclass(frozen=True, order=True)
class InputFile:
    """One input file: `path` relative to the input root (the identity that survives moving the
    tree), its URI for reading, size and modification time (ms)."""

    path: str
    uri: str
    size: int
    modified_ms: int

    @property
    def version(self) -> tuple[str, int, int]:
        return (self.path, self.size, self.modified_ms)


@dataclass(frozen=True)
class Listing:
    files: list[InputFile]
    skipped: list[SkippedFile]


@dataclass(frozen=True)
class Recorded:
    """A file version an earlier run finished with: loaded, or failed with a reason."""

    path: str
    size: int
    modified_ms: int
    status: str = LOADED
    reason: str = ""

    @property
    def version(self) -> tuple[str, int, int]:
        return (self.path, self.size, self.modified_ms)


def relative_path(root: str, uri: str) -> str:
    """`uri`'s path relative to the input root (its name when the root is the file itself)."""
    base, path = PurePosixPath(uri_path(root) or "/"), PurePosixPath(uri_path(uri) or "/")
    if path == base:
        return path.name
    return path.relative_to(base).as_posix()


# Why each kind of `etl.contract.not_taxi_trips` file is skipped.
NOT_TAXI_TRIPS_REASONS = {
    FOR_HIRE_TRIPS: f"{FOR_HIRE_TRIPS}: no total_amount; the job loads yellow and green taxi trips",
    ZONE_LOOKUP: f"{ZONE_LOOKUP}: the TLC's table of taxi zones, not trips",
}


# Local files that Hadoop's listing leaves out without a word (`unlisted_local_files`).
NOT_UTF8_NAME = (
    "unreadable_name: its path is not UTF-8 text, so the job cannot open it; rename it in UTF-8"
)
BROKEN_LINK = "broken_link: a symbolic link to a file that does not exist"
UNNAMED_BY_JVM = (
    "unreadable_name: Java cannot name this path in its locale's encoding (LC_ALL=C, say); "
    "run with a UTF-8 locale such as C.UTF-8"
)


def list_input_files(storage: Storage, root: str) -> Listing:
    """CSV (also .csv.gz) and Parquet files at any depth under `root` (or `root` itself), sorted
    by path, and the other files, reported as skipped: other types, and the TLC's files of
    something other than taxi trips (`etl.contract.not_taxi_trips`). Hidden files and folders
    (names starting with `.` or `_`, as Spark and Hadoop treat them: `_SUCCESS`,
    `_manifest.json`, editors' backups) are ignored."""
    found, skipped, listed = [], [], set()
    suffixes = ", ".join(INPUT_SUFFIXES)
    for file in storage.list_files(root):
        path = relative_path(root, file.uri)
        listed.add(path)
        parts = PurePosixPath(path).parts
        if any(part.startswith((".", "_")) for part in parts):
            continue
        if not path.lower().endswith(INPUT_SUFFIXES):
            skipped.append(SkippedFile(path, f"unsupported_file_type: reads only {suffixes}"))
        elif kind := not_taxi_trips(parts[-1]):
            skipped.append(SkippedFile(path, NOT_TAXI_TRIPS_REASONS[kind]))
        else:
            found.append(InputFile(path, file.uri, file.size, file.modified_ms))
    skipped.extend(unlisted_local_files(root, listed))
    return Listing(sorted(found), sorted(skipped, key=lambda s: s.path))


def unlisted_local_files(root: str, listed: set[str]) -> list[SkippedFile]:
    """Files under a local `root` that Hadoop's listing (`listed`: paths under `root`) leaves
    out without a word, so that they are reported, not lost: paths that are not UTF-8 (a name
    from a Windows archive), links to nothing, and names beyond ASCII when Java runs in a locale
    that cannot spell them. Paths show their other bytes as `\\xNN`. On S3 none of these can
    happen: keys are UTF-8, and there are no links."""
    if not root.startswith("file:"):
        return []
    base = os.fsencode(uri_path(root))
    found = []
    for folder, folders, names in os.walk(base):
        folders[:] = [f for f in folders if not f.startswith((b".", b"_"))]
        for name in names:
            if name.startswith((b".", b"_")):
                continue
            full = os.path.join(folder, name)
            relative = os.path.relpath(full, base)
            try:
                path = relative.decode("utf-8")
            except UnicodeDecodeError:
                path = relative.decode("utf-8", "backslashreplace")
                found.append(SkippedFile(path, NOT_UTF8_NAME))
                continue
            if not os.path.exists(full):
                found.append(SkippedFile(path, BROKEN_LINK))
            elif not path.isascii() and path not in listed:
                found.append(SkippedFile(path, UNNAMED_BY_JVM))
    return found


def state_path(output_root: str) -> str:
    """Where the state is: `<output>/_state/processed_files.json`."""
    return join_path(output_root, STATE_DIR, STATE_FILE)


def load_recorded(storage: Storage, output_root: str) -> dict[str, Recorded]:
    """File versions recorded by earlier runs, by path; empty when there is no state yet."""
    text = storage.read_text(state_path(output_root))
    if text is None:
        return {}
    document = json.loads(text)
    if isinstance(document, list):
        # The first state format listed loaded files by absolute URI only: their paths are not
        # known, so they are processed once more (the merge makes that idempotent).
        return {}
    return {entry["path"]: Recorded(**entry) for entry in document["files"]}


def files_to_process(
    files: list[InputFile], recorded: dict[str, Recorded], retry_failed: bool = False
) -> list[InputFile]:
    """Files not finished before: new paths, changed sizes or modification times, and (with
    `retry_failed`) files whose last attempt failed."""

    def done(file: InputFile) -> bool:
        entry = recorded.get(file.path)
        if entry is None or entry.version != file.version:
            return False
        return not (retry_failed and entry.status == FAILED)

    return [f for f in files if not done(f)]


def record(
    recorded: dict[str, Recorded], batch: list[InputFile], failed: dict[str, str]
) -> dict[str, Recorded]:
    """The state after a run over `batch`: each of its files loaded, or failed (`failed` maps
    URIs to reasons)."""
    updated = dict(recorded)
    for file in batch:
        reason = failed.get(file.uri)
        status = LOADED if reason is None else FAILED
        updated[file.path] = Recorded(file.path, file.size, file.modified_ms, status, reason or "")
    return updated


def unloaded(recorded: dict[str, Recorded], listing: Listing) -> list[Recorded]:
    """Files of the input whose last attempt failed (by path): not loaded until they change or
    are retried. Files gone from the input are left out."""
    listed = {f.path for f in listing.files}
    return [e for path, e in sorted(recorded.items()) if e.status == FAILED and path in listed]


def state_text(recorded: dict[str, Recorded]) -> str:
    """The state file's text (sorted by path, so the file is stable); `etl.publish` writes it
    once the run's outputs are in place."""
    entries = [
        {
            "path": entry.path,
            "size": entry.size,
            "modified_ms": entry.modified_ms,
            "status": entry.status,
            "reason": entry.reason,
        }
        for _, entry in sorted(recorded.items())
    ]
    document = {"version": _VERSION, "files": entries}
    return json.dumps(document, indent=2) + "\n"
