"""A tiny run of the whole benchmark so it cannot rot; the real one is `make bench`."""

from __future__ import annotations

import json

from pyspark.sql import functions as F

from bench.__main__ import run_bench, write_results
from bench.measure import InProcessWorkloads
from bench.plans import executed_plans, plan_stats
from bench.report import README_END, README_START


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

    assert set(results.seconds) == {"floor", "seed", "job", "incremental", "job_4x"}
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
    }
    assert saved["passed"]["no_python_udfs"] is True
    table = (tmp_path / "out" / "results.md").read_text()
    assert "| job, full refresh |" in table
    assert readme.read_text() == f"# x\n{README_START}\n{table}{README_END}\ntail\n"
