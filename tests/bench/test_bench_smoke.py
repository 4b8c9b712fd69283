"""A tiny run of the whole benchmark so it cannot rot; the real one is `make bench`.

The whole-run test starts the job six times (about a minute), so it is marked `bench_smoke`:
`make test` leaves it out, `make bench-smoke` (run by CI) runs it.
"""

from __future__ import annotations

import json

import pytest
from pyspark.sql import functions as F

from bench.__main__ import run_bench, write_results
from bench.measure import InProcessWorkloads
from bench.plans import PlanStats, executed_plans, plan_stats
from bench.report import (
    BENCH_README,
    README_END,
    README_START,
    SUMMARY_END,
    SUMMARY_START,
    Results,
    markdown,
    summary,
)

WORKLOADS = {
    "floor",
    "seed",
    "bare",
    "job",
    "incremental",
    "job_tiny",
    "floor_4x",
    "seed_4x",
    "job_4x",
    "bare_parquet",
    "job_parquet",
}
RATIOS = {
    "job_vs_floor",
    "job_vs_seed",
    "job_vs_bare",
    "scaling_4x",
    "incremental_vs_full",
    "job_vs_floor_4x",
    "job_vs_seed_4x",
    "bare_vs_floor",
    "bare_vs_seed",
    "tiny_vs_full",
    "parquet_job_vs_bare",
    "parquet_vs_csv_job",
}


def test_plan_stats_sees_python_udfs_and_shuffles(spark):
    before = len(executed_plans(spark))
    plus_one = F.udf(lambda x: x + 1, "long")
    spark.range(10).select(plus_one("id")).collect()
    spark.range(10).groupBy((F.col("id") % 2).alias("k")).count().collect()
    stats = plan_stats(executed_plans(spark)[before:])
    assert (stats.queries, stats.python_udf_nodes, stats.shuffle_exchanges) == (2, 1, 1)


@pytest.mark.bench_smoke
def test_bench_smoke_run_writes_results_and_readme_tables(spark, tmp_path):
    results = run_bench(
        rows=2_000, repeats=1, work=tmp_path / "work", runner=InProcessWorkloads(spark)
    )

    assert set(results.seconds) == WORKLOADS
    assert all(seconds > 0 for seconds in results.seconds.values())
    assert results.plans.python_udf_nodes == 0
    assert results.plans.shuffle_exchanges >= 1
    assert results.csv_bytes > 100_000
    assert 10_000 < results.parquet_bytes < results.csv_bytes

    root = tmp_path / "repo"
    (root / "bench").mkdir(parents=True)
    (root / "README.md").write_text(f"# x\n{SUMMARY_START}\nold\n{SUMMARY_END}\ntail\n")
    (root / BENCH_README).write_text(f"# b\n{README_START}\nold\n{README_END}\n")
    write_results(results, tmp_path / "out", root)

    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert saved["rows"] == 2_000
    assert set(saved["ratios"]) == RATIOS
    assert len(saved["rounds"]) == 1
    assert saved["passed"]["no_python_udfs"] is True
    table = (tmp_path / "out" / "results.md").read_text()
    assert "| job, full refresh |" in table
    assert "| bound: job over one 2,000-row file (fixed cost of a run) |" in table
    assert "| Parquet input bound: bare trips job" in table
    assert "not measured" not in table
    assert (root / BENCH_README).read_text() == f"# b\n{README_START}\n{table}{README_END}\n"
    short = summary(results)
    assert (root / "README.md").read_text() == f"# x\n{SUMMARY_START}\n{short}{SUMMARY_END}\ntail\n"
    assert Results.from_json((tmp_path / "out" / "results.json").read_text()) == results


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
        "bare_parquet": floor,
        "job_parquet": 2 * floor,
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
    assert results.ratios["parquet_job_vs_bare"] == 2.0
    assert results.spread["job"] == (30, 90)
    assert results.passed["job_vs_floor"]
    assert not results.passed["incremental_vs_full"]
    assert not results.passed["job_vs_bare"]  # 2.0, over the 1.8 target
    assert set(results.ratios) == RATIOS


def test_results_of_an_older_bench_still_render():
    # Results saved before the Parquet workloads existed: their rows say "not measured".
    old = [{k: v for k, v in _round(10, 30).items() if "parquet" not in k}]
    results = Results.from_json(Results(3_000_000, 1, old, PlanStats(1, 0, 2, 0)).to_json())

    assert "parquet_job_vs_bare" not in results.ratios
    table = markdown(results)
    bound = "| Parquet input bound: bare trips job (typed Parquet read, dedupe, trips write) |"
    assert f"{bound} not measured | - | | |" in table
    assert "| job / bare trips job (no checks) | 2.00 | <= 1.8 | MISSED |" in summary(results)
