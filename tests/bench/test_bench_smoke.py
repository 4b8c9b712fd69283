"""A tiny run of the whole benchmark so it cannot rot; the real one is `make bench`.

The whole-run test runs the job seven times and every other workload once (about a minute), so
it is marked `bench_smoke`: `make test` leaves it out, `make bench-smoke` (run by CI) runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from bench.__main__ import run_bench, write_results
from bench.measure import InProcessWorkloads
from bench.plans import executed_plans, plan_stats, spark_job_ids
from bench.report import (
    BENCH_README,
    README_END,
    README_START,
    SUMMARY_END,
    SUMMARY_START,
    Results,
    summary,
)
from bench.targets import NET_RATIOS, RATIOS, TARGETS

WORKLOADS = {
    "floor",
    "seed",
    "bare",
    "checked",
    "checked_quarantine",
    "job",
    "late",
    "incremental",
    "job_tiny",
    "bare_tiny",
    "bare_metrics_tiny",
    "bare_late",
    "bare_incremental",
    "floor_4x",
    "seed_4x",
    "job_4x",
    "bare_parquet",
    "checked_parquet",
    "checked_quarantine_parquet",
    "job_parquet",
}


def test_plan_stats_sees_python_udfs_and_shuffles(spark):
    before, jobs_before = len(executed_plans(spark)), spark_job_ids(spark)
    plus_one = F.udf(lambda x: x + 1, "long")
    # No rows: the plan holds the UDF, and no Python worker has to start (seconds of a test).
    spark.range(0).select(plus_one("id")).collect()
    spark.range(10).groupBy((F.col("id") % 2).alias("k")).count().collect()
    stats = plan_stats(executed_plans(spark)[before:])
    assert (stats.queries, stats.python_udf_nodes, stats.shuffle_exchanges) == (2, 1, 1)
    # A job per collect at least; with the UI off the status store still records them.
    assert len(spark_job_ids(spark) - jobs_before) >= 2


class RecordingWorkloads(InProcessWorkloads):
    """In-process workloads that keep the report of every incremental job run."""

    def __init__(self, spark: object) -> None:
        super().__init__(spark)
        self.incremental_runs: dict[str, dict] = {}

    def job(self, input_dir: Path, output_dir: Path, *, full_refresh: bool) -> None:
        super().job(input_dir, output_dir, full_refresh=full_refresh)
        if not full_refresh:
            latest = output_dir / "_reports" / "latest.json"
            self.incremental_runs[output_dir.name] = json.loads(latest.read_text())


@pytest.mark.bench_smoke
def test_bench_smoke_run_writes_results_and_readme_tables(spark, tmp_path):
    runner = RecordingWorkloads(spark)
    results = run_bench(rows=2_000, repeats=1, work=tmp_path / "work", runner=runner)

    assert set(results.seconds) == WORKLOADS
    assert all(seconds > 0 for seconds in results.seconds.values())
    assert results.plans.python_udf_nodes == 0
    assert results.plans.shuffle_exchanges >= 1
    assert results.plans.spark_jobs is not None
    assert results.plans.spark_jobs >= results.plans.queries >= 1
    assert results.csv_bytes > 100_000
    assert 10_000 < results.parquet_bytes < results.csv_bytes

    # Each incremental run starts from the base files' outputs and reads only its own batch:
    # the late batch (one 200-row file) onto loaded dates, the new files onto dates of their own.
    late, new = runner.incremental_runs["job_late"], runner.incremental_runs["job"]
    assert (late["files_processed"], late["rows_read"]) == (1, 200)
    assert (new["files_processed"], new["rows_read"]) == (1, 200)
    assert len(late["partitions_written"]) > 3
    assert all(p.startswith("2015-01") for p in late["partitions_written"])
    assert set(new["partitions_written"]) <= {"2015-02-01", "2015-02-02", "2015-02-03"}
    assert new["partitions_written"]

    root = tmp_path / "repo"
    (root / "bench").mkdir(parents=True)
    (root / "README.md").write_text(f"# x\n{SUMMARY_START}\nold\n{SUMMARY_END}\ntail\n")
    (root / BENCH_README).write_text(f"# b\n{README_START}\nold\n{README_END}\n")
    write_results(results, tmp_path / "out", root)

    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert saved["rows"] == 2_000
    # A net ratio is left out of a round whose full run cost no more than the tiny one (noise on
    # 2,000 rows); every other ratio is there.
    seconds_of = results.rounds[0]
    expected = set(RATIOS) | {
        key
        for key, (_, fixed, whole) in NET_RATIOS.items()
        if seconds_of[whole] > seconds_of[fixed]
    }
    assert set(saved["ratios"]) == expected
    assert len(saved["rounds"]) == 1
    assert saved["plans"]["spark_jobs"] == results.plans.spark_jobs
    assert saved["passed"]["no_python_udfs"] is True
    assert set(saved["targets"]) == set(TARGETS)
    assert saved["targets"]["fixed_cost"] == {"figure": "job_tiny", "limit": 9.0, "unit": "s"}
    assert set(saved["status"]) >= set(TARGETS) - {"incremental_net"} | {"no_python_udfs"}
    table = (tmp_path / "out" / "results.md").read_text()
    for row in (
        "| job, full refresh |",
        "| job / bare (earlier target) |",
        "| job, late batch of 10% onto dates already loaded |",
        "| job, incremental over 10% new files on new dates |",
        "| fixed cost: job over one 2,000-row file |",
        "| bound: bare trips job and its hourly metrics over the same 2,000-row file |",
        "| context: bare trips job alone over that file |",
        "| bound: late batch done bare (",
        "| context: bare trips job over the 10% new files on new dates |",
        "| Parquet input bound: bare trips job",
        "| bound: checked rows + quarantine (",
        "| context: checked rows alone (no quarantine) |",
        "| Parquet input bound: checked rows + quarantine |",
        "| context: Parquet input, checked rows alone |",
        f"| SQL queries / Spark jobs in a full-refresh run | {results.plans.queries} / "
        f"{results.plans.spark_jobs} |",
    ):
        assert row in table
    assert "not measured" not in table
    assert (root / BENCH_README).read_text() == f"# b\n{README_START}\n{table}{README_END}\n"
    short = summary(results)
    assert all(target.label in short for target in TARGETS.values())
    assert (root / "README.md").read_text() == f"# x\n{SUMMARY_START}\n{short}{SUMMARY_END}\ntail\n"
    assert Results.from_json((tmp_path / "out" / "results.json").read_text()) == results
