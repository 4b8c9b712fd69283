"""Start a Glue workflow run and follow it through GetWorkflowRun(IncludeGraph=True).

A workflow run reports COMPLETED once every triggered action has finished, even when some of
them failed, so success is decided from the actions and the run statistics, not the status alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FINISHED_RUN_STATES = frozenset({"COMPLETED", "STOPPED", "ERROR"})
# Action states that mean the pipeline did not do its work (crawl and job-run state enums).
FAILED_ACTION_STATES = frozenset(
    {"FAILED", "CANCELLED", "CANCELLING", "ERROR", "TIMEOUT", "STOPPED", "STOPPING", "EXPIRED"}
)
FAILURE_STATISTICS = ("FailedActions", "TimeoutActions", "StoppedActions", "ErroredActions")
NOT_STARTED = "WAITING"


@dataclass(frozen=True)
class ActionState:
    """The latest attempt of one crawler or job inside a workflow run."""

    kind: str  # "crawler" or "job"
    name: str
    state: str
    started_on: datetime | None = None
    completed_on: datetime | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        """True when this action ended (or is ending) without doing its work."""
        return self.state in FAILED_ACTION_STATES


@dataclass(frozen=True)
class RunSnapshot:
    """One GetWorkflowRun answer, reduced to what the CLI shows and decides on."""

    run_id: str
    status: str
    started_on: datetime | None
    completed_on: datetime | None
    error: str | None
    statistics: Mapping[str, int]
    actions: tuple[ActionState, ...] = field(default_factory=tuple)

    @property
    def finished(self) -> bool:
        """True once the run will not change any more."""
        return self.status in FINISHED_RUN_STATES

    @property
    def failures(self) -> tuple[ActionState, ...]:
        """Actions that failed, timed out, were stopped or errored."""
        return tuple(action for action in self.actions if action.failed)

    @property
    def succeeded(self) -> bool:
        """COMPLETED with no failed action, by the graph and by the statistics."""
        failed_by_statistics = any(self.statistics.get(key, 0) for key in FAILURE_STATISTICS)
        return self.status == "COMPLETED" and not self.failures and not failed_by_statistics


def start_run(glue: Any, workflow: str) -> str:
    """Start ``workflow`` and return the new run id."""
    return glue.start_workflow_run(Name=workflow)["RunId"]


def _started(attempt: Mapping[str, Any]) -> float:
    started = attempt.get("StartedOn")
    return started.timestamp() if isinstance(started, datetime) else 0.0


def _crawler_state(node: Mapping[str, Any]) -> ActionState:
    crawls = node.get("CrawlerDetails", {}).get("Crawls") or []
    if not crawls:
        return ActionState("crawler", node["Name"], NOT_STARTED)
    last = max(crawls, key=_started)
    return ActionState(
        "crawler",
        node["Name"],
        last.get("State", "RUNNING"),
        last.get("StartedOn"),
        last.get("CompletedOn"),
        last.get("ErrorMessage"),
    )


def _job_state(node: Mapping[str, Any]) -> ActionState:
    runs = node.get("JobDetails", {}).get("JobRuns") or []
    if not runs:
        return ActionState("job", node["Name"], NOT_STARTED)
    # Retries are separate attempts of the same job; the highest attempt is the current one.
    last = max(runs, key=lambda run: (run.get("Attempt", 0), _started(run)))
    return ActionState(
        "job",
        node["Name"],
        last.get("JobRunState", "RUNNING"),
        last.get("StartedOn"),
        last.get("CompletedOn"),
        last.get("ErrorMessage"),
    )


def parse_run(run: Mapping[str, Any]) -> RunSnapshot:
    """Reduce a GetWorkflowRun ``Run`` structure to a ``RunSnapshot`` (triggers are skipped)."""
    actions: list[ActionState] = []
    for node in run.get("Graph", {}).get("Nodes", []):
        if node.get("Type") == "CRAWLER":
            actions.append(_crawler_state(node))
        elif node.get("Type") == "JOB":
            actions.append(_job_state(node))
    # Crawlers feed jobs in this pipeline; list them first, then by name, for a stable display.
    actions.sort(key=lambda action: (action.kind != "crawler", action.name))
    return RunSnapshot(
        run_id=run["WorkflowRunId"],
        status=run["Status"],
        started_on=run.get("StartedOn"),
        completed_on=run.get("CompletedOn"),
        error=run.get("ErrorMessage"),
        statistics=dict(run.get("Statistics", {})),
        actions=tuple(actions),
    )


def get_snapshot(glue: Any, workflow: str, run_id: str) -> RunSnapshot:
    """Fetch the run with its graph, so each crawler/job state is visible."""
    response = glue.get_workflow_run(Name=workflow, RunId=run_id, IncludeGraph=True)
    return parse_run(response["Run"])


def follow(
    glue: Any,
    workflow: str,
    run_id: str,
    *,
    interval: float,
    sleep: Callable[[float], None],
    on_change: Callable[[ActionState], None],
) -> RunSnapshot:
    """Poll until the run finishes, calling ``on_change`` whenever an action changes state.

    KeyboardInterrupt propagates to the caller untouched: stopping to follow never stops the run.
    """
    seen: dict[tuple[str, str], str] = {}
    while True:
        snapshot = get_snapshot(glue, workflow, run_id)
        for action in snapshot.actions:
            key = (action.kind, action.name)
            if seen.get(key) != action.state:
                seen[key] = action.state
                on_change(action)
        if snapshot.finished:
            return snapshot
        sleep(interval)
