"""The most recent runs of a workflow (GetWorkflowRuns)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def recent_runs(glue: Any, workflow: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` runs, newest first, without their graphs.

    The API documents no order, so every page is read (Glue keeps run history for a bounded
    time, so this stays small) and sorted here.
    """
    paginator = glue.get_paginator("get_workflow_runs")
    runs: list[dict[str, Any]] = []
    for page in paginator.paginate(Name=workflow, IncludeGraph=False):
        runs.extend(page.get("Runs", []))
    runs.sort(key=lambda run: run.get("StartedOn") or _EPOCH, reverse=True)
    return runs[:limit]
