"""Workflow: one start trigger (on demand or scheduled) -> crawler; crawl SUCCEEDED -> job."""

from __future__ import annotations

import pytest

from tests.components.graph import Graph

TRIGGER = "aws:glue/trigger:Trigger"


def test_dev_starts_on_demand_without_start_on_creation(dev: Graph) -> None:
    assert dev.inputs(TRIGGER, "-start") == {
        "name": "glue-etl-dev-start-on-demand",
        "type": "ON_DEMAND",
        "workflowName": "glue-etl-dev-pipeline",
        "actions": [{"crawlerName": "glue-etl-dev-raw-crawler"}],
    }


def test_prod_starts_on_schedule(prod: Graph) -> None:
    assert prod.inputs(TRIGGER, "-start") == {
        "name": "glue-etl-prod-start-scheduled",
        "type": "SCHEDULED",
        "schedule": "cron(0 2 * * ? *)",
        "startOnCreation": True,
        "workflowName": "glue-etl-prod-pipeline",
        "actions": [{"crawlerName": "glue-etl-prod-raw-crawler"}],
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_job_runs_when_crawl_succeeds(request, stack: str) -> None:
    graph: Graph = request.getfixturevalue(stack)
    assert graph.inputs(TRIGGER, "-run-job") == {
        "name": f"glue-etl-{stack}-run-job-after-crawl",
        "type": "CONDITIONAL",
        "startOnCreation": True,
        "workflowName": f"glue-etl-{stack}-pipeline",
        "predicate": {
            "logical": "ANY",
            "conditions": [
                {
                    "crawlerName": f"glue-etl-{stack}-raw-crawler",
                    "crawlState": "SUCCEEDED",
                    "logicalOperator": "EQUALS",
                }
            ],
        },
        "actions": [{"jobName": f"glue-etl-{stack}-etl"}],
    }
    assert len(graph.all(TRIGGER)) == 2
    assert graph.inputs("aws:glue/workflow:Workflow")["maxConcurrentRuns"] == 1
