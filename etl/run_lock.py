"""One run at a time per output root.

Two runs over the same outputs would race: both would read the same `_state/`, and one run's
recovery would take the other's staging for a dead run's. In Glue the job allows one concurrent
run (`maxConcurrentRuns` is 1, and the stack configuration refuses more for this reason), so
Glue itself keeps runs apart. Local runs take a lock file, `<output>/_run.lock`, created
exclusively by the operating system: a second run finds it held and exits cleanly, doing
nothing. The holder touches the lock every `HEARTBEAT_SECONDS`. A lock left by a run that was
killed is taken over:
- on the same host, when its process is gone, or its pid now names another process (started at
  another time: in a container every run is pid 1);
- from any host (a container gets a new host name per run), when it has not been touched for
  `STALE_AFTER_SECONDS`;
- when it is empty (the run was killed between creating and writing it) and `EMPTY_GRACE_SECONDS`
  old.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

LOCK_FILE = "_run.lock"


HEARTBEAT_SECONDS = 30.0
STALE_AFTER_SECONDS = 600.0
EMPTY_GRACE_SECONDS = 10.0


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


def process_start(pid: int) -> str | None:
    """When process `pid` started, in clock ticks since boot (`/proc/<pid>/stat`, field 22); None
    where there is no /proc (macOS) or no such process. With the pid it names one process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.rpartition(")")[2].split()[19]


def _holder_gone(holder: dict[str, Any], age: float, host: str) -> bool:
    """Whether the run that wrote `holder` to a lock last touched `age` seconds ago is gone. On
    this host its process says so, however old the lock (a suspended laptop's run is alive);
    from another host only a lock untouched for `STALE_AFTER_SECONDS` is."""
    if not holder:
        return age > EMPTY_GRACE_SECONDS
    if holder.get("host") != host:
        return age > STALE_AFTER_SECONDS
    pid = int(holder.get("pid", 0))
    started = holder.get("started")
    return not _alive(pid) or (started is not None and started != process_start(pid))


def remove_if_unchanged(lock: Path, judged: str) -> None:
    """Remove a lock whose text was `judged` left behind, unless it changed since: two runs that
    judged the same lock must not remove the one the first of them then created. Takeovers go
    one at a time, under an advisory lock on `<lock>.takeover`, which the operating system
    releases when its holder dies (so a killed takeover leaves nothing to clear)."""
    # Closing the guard releases its lock.
    with open(lock.with_name(lock.name + ".takeover"), "a") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        with suppress(FileNotFoundError):
            if lock.read_text() == judged:
                lock.unlink()


def _local_path(output_root: str) -> Path | None:
    if not output_root.startswith("file:"):
        return None
    return Path("/" + output_root[len("file:") :].lstrip("/"))


def _heartbeat(lock: Path, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        with suppress(OSError):
            os.utime(lock)


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
    pid = os.getpid()
    me = {"run_id": run_id, "pid": pid, "host": socket.gethostname(), "started": process_start(pid)}
    while True:
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                text = lock.read_text()
                age = time.time() - lock.stat().st_mtime
            except FileNotFoundError:
                continue  # released meanwhile
            try:
                holder = json.loads(text or "{}")
            except ValueError:
                holder = {}
            if _holder_gone(holder, age, me["host"]):
                remove_if_unchanged(lock, text)  # its run was killed: take over
                continue
            raise RunLockHeldError(
                f"another run ({holder.get('run_id', '?')}, pid {holder.get('pid', '?')} on "
                f"{holder.get('host', '?')}, last seen {age:.0f} s ago) is writing to {root};"
                " nothing done"
            ) from None
        with os.fdopen(descriptor, "w") as handle:
            json.dump(me, handle)
        break
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(lock, stop), daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        # Not a lock another run took over, judging this one gone.
        with suppress(OSError, ValueError):
            if json.loads(lock.read_text()).get("run_id") == run_id:
                lock.unlink()
