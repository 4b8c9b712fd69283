"""`python -m bench [--rows N] [--repeats K]`: measure the job against its targets and bounds.

Writes bench/results.json and bench/results.md, copies the table into bench/README.md and a short
summary into README.md. Generated data is cached under the work folder per (name, rows, seed) so a
re-run measures instead of regenerating.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.measure import InProcessWorkloads, ProcessWorkloads, Workloads, seconds
from bench.report import (
    BENCH_README,
    SUMMARY_END,
    SUMMARY_START,
    Results,
    machine_info,
    markdown,
    summary,
    update_readme,
)
from datagen import generate

ROOT = Path(__file__).resolve().parent.parent
BASE_SEED = 6
LATE_SEED = 66
LATE_START = date(2015, 2, 1)
# Trips arriving late for the month already loaded: same dates as the base set, other trips.
BACKFILL_SEED = 67
# A small batch of one file: what the job costs when it has almost nothing to do.
TINY_ROWS = 3_000
# The layout of the TLC's current files: zones instead of coordinates, drifting integer types.
PARQUET_ERA = "yellow_2024"


def dataset(work: Path, name: str, rows: int, seed: int, files: int, **options: object) -> Path:
    """Generated TLC input under work/<name>-<rows>-<seed>, made once and reused by later runs."""
    target = work / f"{name}-{rows}-{seed}"
    done = target / ".complete"
    if not done.exists():
        shutil.rmtree(target, ignore_errors=True)
        generate(target, rows=rows, files=files, seed=seed, workers=2, **options)
        done.touch()
    return target


def input_bytes(folder: Path, pattern: str = "*.csv*") -> int:
    return sum(p.stat().st_size for p in folder.rglob(pattern))


def run_bench(rows: int, repeats: int, work: Path, runner: Workloads) -> Results:
    """Every figure over `repeats` rounds: the job's full refresh, its two incremental runs (new
    dates, and a late batch onto dates already loaded) and its fixed cost, each next to a lower
    bound where one exists (the bare trips job, over the whole input and over the tiny file), the
    job over the same number of trips as TLC Parquet files (the 2024 layout) next to its own bare
    bound, and the floor and seed logic at 1x and 4x rows for context."""
    files = max(4, min(40, rows // 100_000))
    tiny_rows = min(rows, TINY_ROWS)

    def tenth(name: str, seed: int, **options: object) -> Path:
        """A batch of 10% new files, named apart from the base set's so both can share a folder."""
        return dataset(
            work, name, max(1, rows // 10), seed, max(1, files // 10), prefix=name, **options
        )

    data = Datasets(
        base=dataset(work, "base", rows, BASE_SEED, files),
        # New files the way they usually arrive: the next days' exports, next to the loaded month.
        late=tenth("late", LATE_SEED, start_date=LATE_START, days=3),
        backfill=tenth("backfill", BACKFILL_SEED),
        quad=dataset(work, "quad", rows * 4, BASE_SEED, files * 4),
        tiny=dataset(work, "tiny", tiny_rows, BASE_SEED, 1),
        parquet=dataset(work, "parquet", rows, BASE_SEED, files, era=PARQUET_ERA),
    )
    out = work / "out"
    rounds = [one_round(runner, data, work, out) for _ in range(repeats)]
    plans = runner.job_plans(data.base, out / "plans")
    shutil.rmtree(out, ignore_errors=True)
    return Results(
        rows=rows,
        csv_bytes=input_bytes(data.base),
        parquet_bytes=input_bytes(data.parquet, "*.parquet"),
        rounds=rounds,
        plans=plans,
        machine=machine_info(),
        tiny_rows=tiny_rows,
    )


@dataclass(frozen=True)
class Datasets:
    base: Path
    late: Path
    backfill: Path
    quad: Path
    tiny: Path
    parquet: Path


def one_round(runner: Workloads, data: Datasets, work: Path, out: Path) -> dict[str, float]:
    """Each workload once, back to back. A shared machine speeds up and slows down over the
    minutes a bench takes; within a round every workload sees about the same machine, so each
    round's own ratios are compared, not medians taken at different times."""
    seconds_of: dict[str, float] = {}
    seconds_of["floor"] = seconds(lambda: runner.floor(data.base))
    seconds_of["seed"] = seconds(lambda: runner.seed(data.base, out / "seed"))
    seconds_of["bare"] = seconds(lambda: runner.bare(data.base, out / "bare"))
    seconds_of["checked"] = seconds(lambda: runner.checked(data.base, out / "checked"))
    seconds_of["checked_quarantine"] = seconds(
        lambda: runner.checked_quarantine(data.base, out / "checkedQ")
    )
    # A fresh copy of the base input keeps earlier rounds' added files out of the full run.
    batch = work / "batch"
    shutil.rmtree(batch, ignore_errors=True)
    shutil.copytree(data.base, batch)
    seconds_of["job"] = seconds(lambda: runner.job(batch, out / "job", full_refresh=True))
    # Both incremental runs must start from the outputs of the base files alone: the late batch
    # runs on a copy of them (untimed), its files leave the input before the new dates arrive.
    late_out = out / "job_late"
    shutil.rmtree(late_out, ignore_errors=True)
    shutil.copytree(out / "job", late_out)
    seconds_of["bare_late"] = seconds(
        lambda: runner.bare_late(data.backfill, out / "job", out / "bare_late")
    )
    shutil.copytree(data.backfill, batch / "backfill")
    seconds_of["late"] = seconds(lambda: runner.job(batch, late_out, full_refresh=False))
    shutil.rmtree(batch / "backfill")
    shutil.copytree(data.late, batch / "late")
    seconds_of["incremental"] = seconds(lambda: runner.job(batch, out / "job", full_refresh=False))
    seconds_of["bare_incremental"] = seconds(lambda: runner.bare(data.late, out / "bare_inc"))
    seconds_of["job_tiny"] = seconds(
        lambda: runner.job(data.tiny, out / "job_tiny", full_refresh=True)
    )
    seconds_of["bare_tiny"] = seconds(lambda: runner.bare(data.tiny, out / "bare_tiny"))
    seconds_of["bare_metrics_tiny"] = seconds(
        lambda: runner.bare_metrics(data.tiny, out / "bare_metrics_tiny")
    )
    seconds_of["floor_4x"] = seconds(lambda: runner.floor(data.quad))
    seconds_of["seed_4x"] = seconds(lambda: runner.seed(data.quad, out / "seed4x"))
    seconds_of["job_4x"] = seconds(lambda: runner.job(data.quad, out / "job4x", full_refresh=True))
    seconds_of["bare_parquet"] = seconds(lambda: runner.bare_parquet(data.parquet, out / "bareP"))
    seconds_of["checked_parquet"] = seconds(lambda: runner.checked(data.parquet, out / "checkedP"))
    seconds_of["checked_quarantine_parquet"] = seconds(
        lambda: runner.checked_quarantine(data.parquet, out / "checkedPQ")
    )
    seconds_of["job_parquet"] = seconds(
        lambda: runner.job(data.parquet, out / "job_parquet", full_refresh=True)
    )
    return seconds_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--results", type=Path, default=ROOT / "bench")
    parser.add_argument(
        "--no-readme", action="store_true", help="do not update README.md and bench/README.md"
    )
    args = parser.parse_args(argv)

    results = run_bench(args.rows, args.repeats, args.work, ProcessWorkloads())
    write_results(results, args.results, None if args.no_readme else ROOT)
    print(markdown(results))
    return 0 if all(results.passed.values()) else 1


def write_results(results: Results, folder: Path, root: Path | None) -> None:
    """results.json and results.md in folder; with `root`, the full table in root/bench/README.md
    and the summary in root/README.md."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(results.to_json(), encoding="utf-8")
    table = markdown(results)
    (folder / "results.md").write_text(table, encoding="utf-8")
    if root is not None:
        update_readme(root / BENCH_README, table)
        update_readme(root / "README.md", summary(results), SUMMARY_START, SUMMARY_END)


__all__ = ["InProcessWorkloads", "main", "run_bench", "write_results"]

if __name__ == "__main__":
    sys.exit(main())
