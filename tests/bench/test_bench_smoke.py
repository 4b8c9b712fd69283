"""A tiny run of the whole benchmark so it cannot rot; the real one is `make bench`."""

from __future__ import annotations

import json

from pyspark.sql import functions as F

from bench.__main__ import run_bench, write_results
from bench.measure import InProcessWorkloads
from bench.plans import PlanStats, executed_plans, plan_stats
from bench.report import README_END, README_START, Results


def test_plan_stats_sees_python_udfs_and_shuffles(spark):
    before = len(executed_plans(spark))
    plus_one = F.udf(lambda x: x + 1, "long")
    spark.range(10).select(plus_one("id")).collect()
    spark.range(10).groupBy((F.col("id") % 2).alias("k")).count().collect()
    stats = plan_stats(executed_plans(spark)[before:])
    assert (stats.queries, stats.python_udf_nodes, stats.shuffle_exchanges) == (2, 1, 1)


def test_bench_smoke_run_writes_results_and_readme_table(spark, tmp_path):
    results = run_bench(
        rows=2_000, repeats=1, work=tmp_path / "work", runner=InProcessWorkloads(spark)
    )

    assert set(results.seconds) == {
        "floor",
        "seed",
        "bare",
        "job",
        "incremental",
        "job_tiny",
        "floor_4x",
        "seed_4x",
        "job_4x",
    }
    assert all(seconds > 0 for seconds in results.seconds.values())
    assert results.plans.python_udf_nodes == 0
    assert results.plans.shuffle_exchanges >= 1
    assert results.csv_bytes > 100_000

    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{README_START}\nold\n{README_END}\ntail\n")
    write_results(results, tmp_path / "out", readme)

    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert saved["rows"] == 2_000
    assert set(saved["ratios"]) == {
        "job_vs_floor",
        "job_vs_seed",
        "scaling_4x",
        "incremental_vs_full",
        "job_vs_floor_4x",
        "job_vs_seed_4x",
        "bare_vs_floor",
        "bare_vs_seed",
        "tiny_vs_full",
    }
    assert len(saved["rounds"]) == 1
    assert saved["passed"]["no_python_udfs"] is True
    table = (tmp_path / "out" / "results.md").read_text()
    assert "| job, full refresh |" in table
    assert "| bound: job over one 2,000-row file (fixed cost of a run) |" in table
    assert readme.read_text() == f"# x\n{README_START}\n{table}{README_END}\ntail\n"


def _round(floor: float, job: float) -> dict[str, float]:
    return {
        "floor": floor,
        "seed": 2 * floor,
        "bare": 1.5 * floor,
        "job": job,
        "incremental": job / 2,
        "job_tiny": job / 4,
        "floor_4x": 4 * floor,
        "seed_4x": 8 * floor,
        "job_4x": 4 * job,
    }


def test_ratios_pair_workloads_of_the_same_round():
    # The machine got twice as slow in round 2: its floor and job moved together.
    rounds = [_round(10, 30), _round(20, 40), _round(30, 90)]
    results = Results(1, 1, rounds, PlanStats(1, 0, 1, 0))

    assert results.seconds["job"] == 40
    assert results.seconds["floor"] == 20
    # The ratio of the medians would be 2.0; each round's own ratio is 3, 2 and 3.
    assert results.ratios["job_vs_floor"] == 3.0
    assert results.ratios["incremental_vs_full"] == 0.5
    assert results.spread["job"] == (30, 90)
    assert results.passed["job_vs_floor"]
    assert not results.passed["incremental_vs_full"]
