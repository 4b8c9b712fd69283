"""Physical-plan checks: Python UDF nodes and shuffle exchanges in the queries a job ran.

Spark keeps every executed query's physical plan in the SQL status store even with the UI off, so
the job's plans are read after it ran instead of being re-derived from its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyspark.sql import SparkSession

# Nodes that move rows through a Python worker; any of them means a Python UDF is on the path.
_PYTHON_NODES = re.compile(
    r"\b(BatchEvalPython|ArrowEvalPython|FlatMapGroupsInPandas|FlatMapCoGroupsInPandas|"
    r"MapInPandas|MapInArrow|AggregateInPandas|WindowInPandas|PythonUDF)\b"
)
_SHUFFLE = re.compile(r"^\W*(?:Exchange|ShuffleExchange)\b", re.MULTILINE)
_BROADCAST = re.compile(r"^\W*BroadcastExchange\b", re.MULTILINE)


@dataclass(frozen=True)
class PlanStats:
    queries: int
    python_udf_nodes: int
    shuffle_exchanges: int
    broadcast_exchanges: int


def executed_plans(spark: SparkSession) -> list[str]:
    """The final physical plan of every query executed so far in this session."""
    store = spark._jsparkSession.sharedState().statusStore()  # private: no public API for plans
    executions = store.executionsList()
    plans = []
    for i in range(executions.size()):
        plans.append(final_plan(executions.apply(i).physicalPlanDescription()))
    return plans


def final_plan(description: str) -> str:
    """With AQE the description holds the final and the initial plan; only the final one ran."""
    tree = description.split("\n\n", 1)[0]
    return tree.split("== Initial Plan ==", 1)[0]


def plan_stats(plans: list[str]) -> PlanStats:
    """Count Python UDF nodes and exchanges over a list of plan trees."""
    return PlanStats(
        queries=len(plans),
        python_udf_nodes=sum(len(_PYTHON_NODES.findall(p)) for p in plans),
        shuffle_exchanges=sum(len(_SHUFFLE.findall(p)) for p in plans),
        broadcast_exchanges=sum(len(_BROADCAST.findall(p)) for p in plans),
    )
