"""The local run lock: held by a live run, taken over from a run that is gone, kept fresh."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from etl import run_lock as locks
from etl.run_lock import LOCK_FILE, RunLockHeldError, process_start, run_lock


def _leave_lock(root, holder: dict | None, age: float = 0.0):
    lock = root / LOCK_FILE
    lock.write_text("" if holder is None else json.dumps(holder))
    touched = time.time() - age
    os.utime(lock, (touched, touched))
    return lock


def _takes_over(root) -> bool:
    try:
        with run_lock(root.as_uri(), "new"):
            return True
    except RunLockHeldError:
        return False


@pytest.fixture
def live_process():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child
    child.kill()
    child.wait()


def test_a_live_run_on_this_host_keeps_the_lock_and_a_killed_one_loses_it(tmp_path, live_process):
    pid = live_process.pid
    host = socket.gethostname()
    _leave_lock(tmp_path, {"run_id": "a", "pid": pid, "host": host, "started": process_start(pid)})
    assert not _takes_over(tmp_path)
    live_process.kill()
    live_process.wait()
    assert _takes_over(tmp_path)
    assert not (tmp_path / LOCK_FILE).exists()


def test_a_live_run_on_this_host_keeps_its_lock_however_long_untouched(tmp_path, live_process):
    # A suspended laptop: the run's heartbeat stopped, its process did not.
    pid = live_process.pid
    holder = {
        "run_id": "a",
        "pid": pid,
        "host": socket.gethostname(),
        "started": process_start(pid),
    }
    _leave_lock(tmp_path, holder, age=locks.STALE_AFTER_SECONDS * 10)
    assert not _takes_over(tmp_path)


def test_a_pid_that_now_names_another_process_is_taken_over(tmp_path):
    # In a container every run is pid 1: the dead run's pid is alive again, as the new run.
    me = os.getpid()
    host = socket.gethostname()
    _leave_lock(tmp_path, {"run_id": "dead", "pid": me, "host": host, "started": "1"})
    assert _takes_over(tmp_path)


@pytest.mark.parametrize(
    ("holder", "age", "taken"),
    [
        # Another host (a new container per run): only a lock left untouched is taken over.
        ({"run_id": "a", "pid": 7, "host": "etl-7f3a"}, 30.0, False),
        ({"run_id": "a", "pid": 7, "host": "etl-7f3a"}, locks.STALE_AFTER_SECONDS + 5, True),
        # Killed between creating the lock and writing it.
        (None, 1.0, False),
        (None, locks.EMPTY_GRACE_SECONDS + 5, True),
        ({}, locks.EMPTY_GRACE_SECONDS + 5, True),
    ],
)
def test_a_lock_nobody_touches_is_taken_over(tmp_path, holder, age, taken):
    _leave_lock(tmp_path, holder, age)
    assert _takes_over(tmp_path) is taken


def test_the_holder_touches_its_lock_while_it_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(locks, "HEARTBEAT_SECONDS", 0.05)
    with run_lock(tmp_path.as_uri(), "run"):
        lock = tmp_path / LOCK_FILE
        old = time.time() - 3600
        os.utime(lock, (old, old))
        time.sleep(0.5)
        assert time.time() - lock.stat().st_mtime < 60
        assert json.loads(lock.read_text())["started"] == process_start(os.getpid())
    assert not lock.exists()


def test_a_takeover_leaves_a_lock_created_since_it_was_judged(tmp_path):
    lock = _leave_lock(tmp_path, {"run_id": "dead", "pid": 7, "host": "elsewhere"})
    judged = lock.read_text()
    # Another run took it over first and holds it now.
    lock.write_text(json.dumps({"run_id": "other", "pid": 8, "host": "elsewhere"}))
    locks.remove_if_unchanged(lock, judged)
    assert json.loads(lock.read_text())["run_id"] == "other"
    locks.remove_if_unchanged(lock, lock.read_text())
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_FILE + ".takeover"]


def test_a_run_leaves_the_lock_of_a_run_that_took_it_over(tmp_path):
    with run_lock(tmp_path.as_uri(), "slow"):
        # Judged gone (no heartbeat for too long), its lock was taken over by another run.
        (tmp_path / LOCK_FILE).write_text(json.dumps({"run_id": "other", "pid": 8, "host": "x"}))
    assert json.loads((tmp_path / LOCK_FILE).read_text())["run_id"] == "other"
