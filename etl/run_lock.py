"""One run at a time per output root.

Two runs over the same outputs would race: both would read the same `_state/`, and one run's
recovery would take the other's staging for a dead run's. In Glue the job allows one concurrent
run (`maxConcurrentRuns` is 1, and the stack configuration refuses more for this reason), so
Glue itself keeps runs apart. Local runs take a lock file, `<output>/_run.lock`, created
exclusively by the operating system: a second run finds it held and exits cleanly, doing
nothing. A lock left by a run that was killed (its process is gone) is taken over.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "_run.lock"


class RunLockHeldError(Exception):
    """Another live run holds the output root."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _local_path(output_root: str) -> Path | None:
    if not output_root.startswith("file:"):
        return None
    return Path("/" + output_root[len("file:") :].lstrip("/"))


@contextmanager
def run_lock(output_root: str, run_id: str) -> Iterator[None]:
    """Hold the output root for one run (a no-op outside local file systems, see the module
    docstring). Raises RunLockHeldError, with a one-line message, when a live run holds it."""
    root = _local_path(output_root)
    if root is None:
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    lock = root / LOCK_FILE
    me = {"run_id": run_id, "pid": os.getpid(), "host": socket.gethostname()}
    while True:
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = json.loads(lock.read_text() or "{}")
            except (OSError, ValueError):
                holder = {}
            same_host = holder.get("host") == me["host"]
            if holder and same_host and not _alive(int(holder.get("pid", 0))):
                lock.unlink(missing_ok=True)  # its run was killed: take over
                continue
            raise RunLockHeldError(
                f"another run ({holder.get('run_id', '?')}, pid {holder.get('pid', '?')} on "
                f"{holder.get('host', '?')}) is writing to {root}; nothing done"
            ) from None
        with os.fdopen(descriptor, "w") as handle:
            json.dump(me, handle)
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
