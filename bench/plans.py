"""Physical-plan checks: Python UDF nodes and shuffle exchanges in the queries a job ran, and how
many Spark jobs it ran.

Spark keeps every executed query's physical plan, and every job, in its status stores even with
the UI off, so the job's plans are read after it ran instead of being re-derived from its code.
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
    # Spark jobs (actions, including those Spark starts itself, e.g. to list files or sample for
    # a sort); None in results saved before it was counted.
    spark_jobs: int | None = None


def executed_plans(spark: SparkSession) -> list[str]:
    """The final physical plan of every query executed so far in this session."""
    _drain_events(spark)
    store = spark._jsparkSession.sharedState().statusStore()  # private: no public API for plans
    executions = store.executionsList()
    plans = []
    for i in range(executions.size()):
        plans.append(final_plan(executions.apply(i).physicalPlanDescription()))
    return plans


def spark_job_ids(spark: SparkSession) -> set[int]:
    """Ids of every Spark job this context has run (in any job group), as far as its status store
    retains them (`spark.ui.retainedJobs`, 1,000 by default: plenty for one run)."""
    _drain_events(spark)
    # private: the public StatusTracker lists jobs of one job group at a time.
    jobs = spark.sparkContext._jsc.sc().statusStore().jobsList(None)
    return {jobs.apply(i).jobId() for i in range(jobs.size())}


def _drain_events(spark: SparkSession) -> None:
    """Wait until Spark's event queue is empty: the status stores are filled from it on another
    thread, so a read right after an action could miss its last query or job."""
    spark.sparkContext._jsc.sc().listenerBus().waitUntilEmpty()


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
