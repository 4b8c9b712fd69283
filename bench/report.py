"""Bench results: targets, results.json, the Markdown tables and their copies in the READMEs.

bench/README.md holds the full table (between the bench markers), README.md a short summary
(between the bench-summary markers).
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from bench.plans import PlanStats

# Targets on the 2-core machine at 3M rows: (ratio key, upper bound).
TARGETS: dict[str, float] = {
    "job_vs_floor": 3.0,
    "job_vs_seed": 1.5,
    "scaling_4x": 4.2,
    "incremental_vs_full": 0.3,
    # Supporting more input layouts must not cost the CSV job more than the noise.
    "job_vs_bare": 1.8,
}
BENCH_README = Path("bench") / "README.md"
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"
SUMMARY_START = "<!-- bench-summary:start -->"
SUMMARY_END = "<!-- bench-summary:end -->"


# Each ratio as (numerator, denominator) workloads of the same round.
RATIOS: dict[str, tuple[str, str]] = {
    "job_vs_floor": ("job", "floor"),
    "job_vs_seed": ("job", "seed"),
    "scaling_4x": ("job_4x", "job"),
    "incremental_vs_full": ("incremental", "job"),
    "job_vs_bare": ("job", "bare"),
    # Context, no target: how the gap changes once fixed costs (JVM start, JIT) weigh less.
    "job_vs_floor_4x": ("job_4x", "floor_4x"),
    "job_vs_seed_4x": ("job_4x", "seed_4x"),
    # Context, no target: lower bounds. The bare trips job does none of the checks, so no design
    # of the job can beat its ratios; nor can an incremental run cost less than a tiny batch.
    "bare_vs_floor": ("bare", "floor"),
    "bare_vs_seed": ("bare", "seed"),
    "tiny_vs_full": ("job_tiny", "job"),
    # Context, no target: the same trips as TLC Parquet files (2024 layout).
    "parquet_job_vs_bare": ("job_parquet", "bare_parquet"),
    "parquet_vs_csv_job": ("job_parquet", "job"),
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
    parquet_bytes: int = 0

    @classmethod
    def from_json(cls, text: str) -> Results:
        """Results from a results.json (derived figures are recomputed, not read)."""
        body = json.loads(text)
        names = {f.name for f in fields(cls)}
        kept = {k: v for k, v in body.items() if k in names}
        return cls(**kept | {"plans": PlanStats(**body["plans"])})

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
        """Median over the rounds of each round's own ratio (of the workloads that were run)."""
        return {
            key: statistics.median(r[top] / r[bottom] for r in self.rounds)
            for key, (top, bottom) in RATIOS.items()
            if top in self.rounds[0] and bottom in self.rounds[0]
        }

    @property
    def passed(self) -> dict[str, bool]:
        ratios = self.ratios
        met = {k: ratios[k] <= bound for k, bound in TARGETS.items() if k in ratios}
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
    """The full table bench/README.md shows: each figure, its ratio and target, and the machine."""
    s, r, spread = results.seconds, results.ratios, results.spread

    def secs(name: str) -> str:
        if name not in s:
            return "not measured"
        low, high = spread[name]
        return f"{s[name]:.1f} ({low:.1f}-{high:.1f})"

    def ratio(key: str, template: str = "{:.2f}x") -> str:
        return template.format(r[key]) if key in r else "-"

    def target(key: str, label: str) -> str:
        shown = ratio(key, "{:.2f}x " + label if label else "{:.2f}x")
        return f"{shown} | <= {TARGETS[key]} | {_mark(results, key)}"

    m = results.machine
    parquet = f", {results.parquet_bytes / 1e6:,.0f} MB as Parquet" if results.parquet_bytes else ""
    lines = [
        f"{results.rows:,} rows ({results.csv_bytes / 1e6:,.0f} MB of CSV{parquet}), "
        f"{results.repeats} rounds of every "
        f"workload back to back: seconds are medians (fastest-slowest), ratios the median of "
        f"each round's own ratio. Whole processes (JVM start included), local[2] on "
        f"{m.get('cpus', '?')} cores / {m.get('memory', '?')}, Python {m.get('python', '?')}, "
        f"{m.get('java', '?')}.",
        "",
        "| measure | seconds | ratio | target | |",
        "|---|---:|---:|---:|---|",
        f"| floor: CSV read + parse + count | {secs('floor')} | | | |",
        f"| seed tutorial logic | {secs('seed')} | | | |",
        f"| job, full refresh | {secs('job')} | {target('job_vs_floor', 'floor')} |",
        f"| job vs seed logic | | {target('job_vs_seed', 'seed')} |",
        f"| job vs bare trips job | | {target('job_vs_bare', 'bare')} |",
        f"| job, full refresh at 4x rows | {secs('job_4x')} | {target('scaling_4x', '')} |",
        f"| job, incremental over 10% new files | {secs('incremental')} | "
        f"{target('incremental_vs_full', 'full')} |",
        f"| Python UDF nodes in the job's plans | {results.plans.python_udf_nodes} | | 0 | "
        f"{_mark(results, 'no_python_udfs')} |",
        f"| shuffle exchanges in the job's plans | {results.plans.shuffle_exchanges} | | | |",
        f"| context: floor at 4x rows | {secs('floor_4x')} | job {ratio('job_vs_floor_4x')} | | |",
        f"| context: seed logic at 4x rows | {secs('seed_4x')} | job {ratio('job_vs_seed_4x')} "
        "| | |",
        f"| bound: bare trips job (typed read, dedupe, trips write; no checks, quarantine or "
        f"metrics) | {secs('bare')} | {ratio('bare_vs_floor')} floor, {ratio('bare_vs_seed')} "
        "seed | | |",
        f"| bound: job over one {results.tiny_rows:,}-row file (fixed cost of a run) | "
        f"{secs('job_tiny')} | {ratio('tiny_vs_full')} full | | |",
        f"| Parquet input: job, full refresh over the same trips as 2024-layout TLC Parquet | "
        f"{secs('job_parquet')} | {ratio('parquet_vs_csv_job', '{:.2f}x CSV job')} | | |",
        f"| Parquet input bound: bare trips job (typed Parquet read, dedupe, trips write) | "
        f"{secs('bare_parquet')} | {ratio('parquet_job_vs_bare', 'job {:.2f}x')} | | |",
    ]
    return "\n".join(lines) + "\n"


def summary(results: Results) -> str:
    """The short table README.md shows: each target's ratio and whether it is met."""
    r = results.ratios
    labels = {
        "job_vs_floor": "job / floor (CSV read + count)",
        "job_vs_seed": "job / seed tutorial logic",
        "job_vs_bare": "job / bare trips job (no checks)",
        "scaling_4x": "job at 4x rows / job",
        "incremental_vs_full": "incremental run over 10% new files / full refresh",
    }
    lines = [
        f"{results.rows:,} rows, medians of {results.repeats} rounds on "
        f"{results.machine.get('cpus', '?')} cores:",
        "",
        "| measure | ratio | target | |",
        "|---|---:|---:|---|",
    ]
    for key, label in labels.items():
        shown = f"{r[key]:.2f}" if key in r else "not measured"
        lines.append(f"| {label} | {shown} | <= {TARGETS[key]} | {_mark(results, key)} |")
    if "parquet_job_vs_bare" in r:
        lines.append(
            f"| Parquet input: job / its bare trips job | {r['parquet_job_vs_bare']:.2f} | | |"
        )
    return "\n".join(lines) + "\n"


def _mark(results: Results, key: str) -> str:
    passed = results.passed
    if key not in passed:
        return ""
    return "met" if passed[key] else "MISSED"


def update_readme(
    readme: Path, table: str, start: str = README_START, end: str = README_END
) -> None:
    """Replace the text between the markers in a README with the latest table."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{readme} has no {start} ... {end} section")
    block = f"{start}\n{table}{end}"
    readme.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
