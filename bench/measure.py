"""How each workload is started and timed: as its own process (the real bench) or in this process."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from pyspark.sql import SparkSession

from bench import checked, workloads
from bench.plans import PlanStats, executed_plans, plan_stats, spark_job_ids


class Workloads(Protocol):
    def floor(self, input_dir: Path) -> None: ...
    def seed(self, input_dir: Path, output_dir: Path) -> None: ...
    def bare(self, input_dir: Path, output_dir: Path) -> None: ...
    def bare_metrics(self, input_dir: Path, output_dir: Path) -> None: ...
    def bare_late(self, input_dir: Path, job_output: Path, output_dir: Path) -> None: ...
    def bare_parquet(self, input_dir: Path, output_dir: Path) -> None: ...
    def checked(self, input_dir: Path, output_dir: Path) -> None: ...
    def checked_quarantine(self, input_dir: Path, output_dir: Path) -> None: ...
    def job(self, input_dir: Path, output_dir: Path, *, full_refresh: bool) -> None: ...
    def job_plans(self, input_dir: Path, output_dir: Path) -> PlanStats: ...


def job_argv(input_dir: Path, output_dir: Path, *, full_refresh: bool) -> list[str]:
    argv = ["--input", str(input_dir), "--output", str(output_dir)]
    return [*argv, "--full-refresh"] if full_refresh else argv


class ProcessWorkloads:
    """Each workload in a fresh Python + JVM, as a user or Glue would start it."""

    def _run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, *args], check=True, capture_output=True, text=True)
        return done.stdout

    def floor(self, input_dir: Path) -> None:
        self._run("-m", "bench.workloads", "floor", str(input_dir))

    def seed(self, input_dir: Path, output_dir: Path) -> None:
        self._run("-m", "bench.workloads", "seed", str(input_dir), str(output_dir))

    def bare(self, input_dir: Path, output_dir: Path) -> None:
        self._run("-m", "bench.workloads", "bare", str(input_dir), str(output_dir))

    def bare_metrics(self, input_dir: Path, output_dir: Path) -> None:
        self._run("-m", "bench.workloads", "bare-metrics", str(input_dir), str(output_dir))

    def bare_late(self, input_dir: Path, job_output: Path, output_dir: Path) -> None:
        self._run(
            "-m", "bench.workloads", "bare-late", str(input_dir), str(job_output), str(output_dir)
        )

    def bare_parquet(self, input_dir: Path, output_dir: Path) -> None:
        self._run("-m", "bench.workloads", "bare-parquet", str(input_dir), str(output_dir))

    def checked(self, input_dir: Path, output_dir: Path) -> None:
        self._run("-m", "bench.checked", "rows", str(input_dir), str(output_dir))

    def checked_quarantine(self, input_dir: Path, output_dir: Path) -> None:
        self._run("-m", "bench.checked", "quarantine", str(input_dir), str(output_dir))

    def job(self, input_dir: Path, output_dir: Path, *, full_refresh: bool) -> None:
        self._run("-m", "etl.local", *job_argv(input_dir, output_dir, full_refresh=full_refresh))

    def job_plans(self, input_dir: Path, output_dir: Path) -> PlanStats:
        out = self._run("-m", "bench.probe", str(input_dir), str(output_dir))
        # The job prints its summary table first; the statistics are the probe's last line.
        stats = out.strip().splitlines()[-1]
        return PlanStats(**{k: int(v) for k, v in (kv.split("=") for kv in stats.split())})


class InProcessWorkloads:
    """The same workloads on an existing session: no JVM start, for the smoke test."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def floor(self, input_dir: Path) -> None:
        workloads.floor(self.spark, str(input_dir))

    def seed(self, input_dir: Path, output_dir: Path) -> None:
        workloads.seed_logic(self.spark, str(input_dir), str(output_dir))

    def bare(self, input_dir: Path, output_dir: Path) -> None:
        workloads.bare_trips(self.spark, str(input_dir), str(output_dir))

    def bare_metrics(self, input_dir: Path, output_dir: Path) -> None:
        workloads.bare_trips_and_metrics(self.spark, str(input_dir), str(output_dir))

    def bare_late(self, input_dir: Path, job_output: Path, output_dir: Path) -> None:
        workloads.bare_late_batch(self.spark, str(input_dir), str(job_output), str(output_dir))

    def bare_parquet(self, input_dir: Path, output_dir: Path) -> None:
        workloads.bare_parquet_trips(self.spark, str(input_dir), str(output_dir))

    def checked(self, input_dir: Path, output_dir: Path) -> None:
        checked.checked_trips(self.spark, str(input_dir), str(output_dir))

    def checked_quarantine(self, input_dir: Path, output_dir: Path) -> None:
        checked.checked_with_quarantine(self.spark, str(input_dir), str(output_dir))

    def job(self, input_dir: Path, output_dir: Path, *, full_refresh: bool) -> None:
        from etl.local import main

        code = main(job_argv(input_dir, output_dir, full_refresh=full_refresh))
        if code != 0:
            raise RuntimeError(f"etl.local exited {code}")

    def job_plans(self, input_dir: Path, output_dir: Path) -> PlanStats:
        before, jobs_before = len(executed_plans(self.spark)), spark_job_ids(self.spark)
        self.job(input_dir, output_dir, full_refresh=True)
        stats = plan_stats(executed_plans(self.spark)[before:])
        return replace(stats, spark_jobs=len(spark_job_ids(self.spark) - jobs_before))


def seconds(action: Callable[[], object]) -> float:
    """Wall time of one run of `action`."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start
