"""Bench results: targets, results.json, the Markdown table and its copy in README.md."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.plans import PlanStats

# Issue 6 targets on the 2-core machine at 3M rows: (ratio key, upper bound).
TARGETS: dict[str, float] = {
    "job_vs_floor": 3.0,
    "job_vs_seed": 1.5,
    "scaling_4x": 4.2,
    "incremental_vs_full": 0.3,
}
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"


# Each ratio as (numerator, denominator) workloads of the same round.
RATIOS: dict[str, tuple[str, str]] = {
    "job_vs_floor": ("job", "floor"),
    "job_vs_seed": ("job", "seed"),
    "scaling_4x": ("job_4x", "job"),
    "incremental_vs_full": ("incremental", "job"),
    # Context, no target: how the gap changes once fixed costs (JVM start, JIT) weigh less.
    "job_vs_floor_4x": ("job_4x", "floor_4x"),
    "job_vs_seed_4x": ("job_4x", "seed_4x"),
    # Context, no target: lower bounds. The bare trips job does none of the checks, so no design
    # of the job can beat its ratios; nor can an incremental run cost less than a tiny batch.
    "bare_vs_floor": ("bare", "floor"),
    "bare_vs_seed": ("bare", "seed"),
    "tiny_vs_full": ("job_tiny", "job"),
}


@dataclass(frozen=True)
class Results:
    """Wall seconds of every workload in each round (see `bench.__main__.one_round`)."""

    rows: int
    csv_bytes: int
    rounds: list[dict[str, float]]
    plans: PlanStats
    machine: dict[str, str] = field(default_factory=dict)
    tiny_rows: int = 0

    @property
    def repeats(self) -> int:
        return len(self.rounds)

    @property
    def seconds(self) -> dict[str, float]:
        """Median seconds of each workload over the rounds."""
        return {name: statistics.median(r[name] for r in self.rounds) for name in self.rounds[0]}

    @property
    def spread(self) -> dict[str, tuple[float, float]]:
        """Fastest and slowest run of each workload."""
        return {
            name: (min(r[name] for r in self.rounds), max(r[name] for r in self.rounds))
            for name in self.rounds[0]
        }

    @property
    def ratios(self) -> dict[str, float]:
        """Median over the rounds of each round's own ratio."""
        return {
            key: statistics.median(r[top] / r[bottom] for r in self.rounds)
            for key, (top, bottom) in RATIOS.items()
        }

    @property
    def passed(self) -> dict[str, bool]:
        met = {k: self.ratios[k] <= bound for k, bound in TARGETS.items()}
        met["no_python_udfs"] = self.plans.python_udf_nodes == 0
        return met

    def to_json(self) -> str:
        body = asdict(self) | {
            "repeats": self.repeats,
            "seconds": self.seconds,
            "ratios": self.ratios,
            "targets": TARGETS,
            "passed": self.passed,
        }
        return json.dumps(body, indent=2, sort_keys=True) + "\n"


def machine_info() -> dict[str, str]:
    """What the figures were measured on; they mean little without it."""
    try:
        java = subprocess.run(
            ["java", "-version"], capture_output=True, text=True, check=False
        ).stderr.splitlines()[0]
    except (OSError, IndexError):
        java = "unknown"
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": str(os.cpu_count()),
        "memory": f"{mem_gib:.0f} GiB",
        "platform": platform.platform(),
        "python": platform.python_version(),
        "java": java,
    }


def markdown(results: Results) -> str:
    """The table README shows: each figure, its ratio and target, and the machine."""
    s, r, ok, spread = results.seconds, results.ratios, results.passed, results.spread

    def mark(key: str) -> str:
        return "met" if ok[key] else "MISSED"

    def secs(name: str) -> str:
        low, high = spread[name]
        return f"{s[name]:.1f} ({low:.1f}-{high:.1f})"

    m = results.machine
    size_mb = results.csv_bytes / 1e6
    lines = [
        f"{results.rows:,} rows ({size_mb:,.0f} MB of CSV), {results.repeats} rounds of every "
        f"workload back to back: seconds are medians (fastest-slowest), ratios the median of "
        f"each round's own ratio. Whole processes (JVM start included), local[2] on "
        f"{m.get('cpus', '?')} cores / {m.get('memory', '?')}, Python {m.get('python', '?')}, "
        f"{m.get('java', '?')}.",
        "",
        "| measure | seconds | ratio | target | |",
        "|---|---:|---:|---:|---|",
        f"| floor: CSV read + parse + count | {secs('floor')} | | | |",
        f"| seed tutorial logic | {secs('seed')} | | | |",
        f"| job, full refresh | {secs('job')} | {r['job_vs_floor']:.2f}x floor | <= 3.0 | {mark('job_vs_floor')} |",
        f"| job vs seed logic | | {r['job_vs_seed']:.2f}x seed | <= 1.5 | {mark('job_vs_seed')} |",
        f"| job, full refresh at 4x rows | {secs('job_4x')} | {r['scaling_4x']:.2f}x | <= 4.2 | {mark('scaling_4x')} |",
        f"| job, incremental over 10% new files | {secs('incremental')} | {r['incremental_vs_full']:.2f}x full | <= 0.3 | {mark('incremental_vs_full')} |",
        f"| Python UDF nodes in the job's plans | {results.plans.python_udf_nodes} | | 0 | {mark('no_python_udfs')} |",
        f"| shuffle exchanges in the job's plans | {results.plans.shuffle_exchanges} | | | |",
        f"| context: floor at 4x rows | {secs('floor_4x')} | job {r['job_vs_floor_4x']:.2f}x | | |",
        f"| context: seed logic at 4x rows | {secs('seed_4x')} | job {r['job_vs_seed_4x']:.2f}x | | |",
        f"| bound: bare trips job (typed read, dedupe, trips write; no checks, quarantine or metrics) | {secs('bare')} | {r['bare_vs_floor']:.2f}x floor, {r['bare_vs_seed']:.2f}x seed | | |",
        f"| bound: job over one {results.tiny_rows:,}-row file (fixed cost of a run) | {secs('job_tiny')} | {r['tiny_vs_full']:.2f}x full | | |",
    ]
    return "\n".join(lines) + "\n"


def update_readme(readme: Path, table: str) -> None:
    """Replace the text between the bench markers in README.md with the latest table."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{readme} has no {README_START} ... {README_END} section")
    block = f"{README_START}\n{table}{README_END}"
    readme.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
