"""Plain-text rendering for the CLI: action lines, run rows, durations and a progress bar."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from ops.workflow import ActionState, RunSnapshot

STATISTIC_LABELS = (
    ("TotalActions", "total"),
    ("SucceededActions", "succeeded"),
    ("FailedActions", "failed"),
    ("TimeoutActions", "timeout"),
    ("StoppedActions", "stopped"),
    ("ErroredActions", "errored"),
    ("RunningActions", "running"),
    ("WaitingActions", "waiting"),
)


def format_duration(seconds: float) -> str:
    """``H:MM:SS`` (never negative, so clock skew between hosts cannot print nonsense)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def elapsed(action: ActionState, now: datetime) -> str:
    """Time spent so far (running) or in total (finished); ``-`` before the action starts."""
    if action.started_on is None:
        return "-"
    end = action.completed_on or now
    return format_duration((end - action.started_on).total_seconds())


def format_action(action: ActionState, now: datetime) -> str:
    """One progress line, e.g. ``crawler  glue-etl-dev-raw   RUNNING     0:00:42``."""
    return f"{action.kind:<8} {action.name:<40} {action.state:<10} {elapsed(action, now)}"


def format_timestamp(value: datetime | None) -> str:
    """UTC ``YYYY-MM-DD HH:MM:SSZ``; ``-`` when absent."""
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def format_statistics(statistics: Mapping[str, Any]) -> str:
    """Non-zero statistics as ``total=2 succeeded=1 failed=1``; ``-`` when Glue sent none."""
    parts = [
        f"{label}={statistics[key]}"
        for key, label in STATISTIC_LABELS
        if statistics.get(key) or (key == "TotalActions" and key in statistics)
    ]
    return " ".join(parts) or "-"


def format_run_row(run: Mapping[str, Any]) -> str:
    """One ``status`` table row from a GetWorkflowRuns entry."""
    return (
        f"{run['WorkflowRunId']:<36} {run['Status']:<10} "
        f"{format_timestamp(run.get('StartedOn')):<21} "
        f"{format_timestamp(run.get('CompletedOn')):<21} "
        f"{format_statistics(run.get('Statistics', {}))}"
    )


RUN_TABLE_HEADER = f"{'RUN ID':<36} {'STATUS':<10} {'STARTED':<21} {'COMPLETED':<21} ACTIONS"


def format_summary(snapshot: RunSnapshot) -> str:
    """Closing line of a followed run."""
    duration = "-"
    if snapshot.started_on and snapshot.completed_on:
        duration = format_duration((snapshot.completed_on - snapshot.started_on).total_seconds())
    return (
        f"run {snapshot.run_id} {snapshot.status} in {duration} "
        f"({format_statistics(snapshot.statistics)})"
    )


def format_failure(action: ActionState) -> str:
    """Why an action failed, in one line (Glue's own error message when there is one)."""
    reason = (action.error or "no error message from Glue").replace("\n", " ").strip()
    return f"{action.kind} {action.name} {action.state}: {reason}"


class ProgressBar:
    """Byte-based progress on one stderr line, fed by boto3's upload ``Callback``.

    boto3 calls the callback from its transfer threads, hence the lock.
    """

    def __init__(self, total_bytes: int, stream: TextIO, width: int = 30) -> None:
        self.total = max(total_bytes, 1)
        self.done = 0
        self.stream = stream
        self.width = width
        self._lock = threading.Lock()
        self._last_percent = -1

    def advance(self, nbytes: int) -> None:
        """Add transferred bytes and redraw when the whole percentage changed."""
        with self._lock:
            self.done = min(self.total, self.done + nbytes)
            percent = self.done * 100 // self.total
            if percent == self._last_percent:
                return
            self._last_percent = percent
            filled = self.width * self.done // self.total
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r[{bar}] {percent:3d}% {self.done}/{self.total} bytes")
            self.stream.flush()

    def close(self) -> None:
        """End the progress line."""
        self.stream.write("\n")
        self.stream.flush()
