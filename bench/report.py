"""Bench results: targets, results.json, the Markdown table and its copy in README.md."""

from __future__ import annotations

import json
import os
import platform
import re
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


@dataclass(frozen=True)
class Results:
    rows: int
    csv_bytes: int
    repeats: int
    seconds: dict[str, float]
    plans: PlanStats
    machine: dict[str, str] = field(default_factory=dict)

    @property
    def ratios(self) -> dict[str, float]:
        s = self.seconds
        return {
            "job_vs_floor": s["job"] / s["floor"],
            "job_vs_seed": s["job"] / s["seed"],
            "scaling_4x": s["job_4x"] / s["job"],
            "incremental_vs_full": s["incremental"] / s["job"],
        }

    @property
    def passed(self) -> dict[str, bool]:
        met = {k: self.ratios[k] <= bound for k, bound in TARGETS.items()}
        met["no_python_udfs"] = self.plans.python_udf_nodes == 0
        return met

    def to_json(self) -> str:
        body = asdict(self) | {"ratios": self.ratios, "targets": TARGETS, "passed": self.passed}
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
    s, r, ok = results.seconds, results.ratios, results.passed

    def mark(key: str) -> str:
        return "met" if ok[key] else "MISSED"

    m = results.machine
    size_mb = results.csv_bytes / 1e6
    lines = [
        f"{results.rows:,} rows ({size_mb:,.0f} MB of CSV), median of {results.repeats} runs, "
        f"whole processes (JVM start included), local[2] on {m.get('cpus', '?')} cores / "
        f"{m.get('memory', '?')}, Python {m.get('python', '?')}, {m.get('java', '?')}.",
        "",
        "| measure | seconds | ratio | target | |",
        "|---|---:|---:|---:|---|",
        f"| floor: CSV read + parse + count | {s['floor']:.1f} | | | |",
        f"| seed tutorial logic | {s['seed']:.1f} | | | |",
        f"| job, full refresh | {s['job']:.1f} | {r['job_vs_floor']:.2f}x floor | <= 3.0 | {mark('job_vs_floor')} |",
        f"| job vs seed logic | | {r['job_vs_seed']:.2f}x seed | <= 1.5 | {mark('job_vs_seed')} |",
        f"| job, full refresh at 4x rows | {s['job_4x']:.1f} | {r['scaling_4x']:.2f}x | <= 4.2 | {mark('scaling_4x')} |",
        f"| job, incremental over 10% new files | {s['incremental']:.1f} | {r['incremental_vs_full']:.2f}x full | <= 0.3 | {mark('incremental_vs_full')} |",
        f"| Python UDF nodes in the job's plans | {results.plans.python_udf_nodes} | | 0 | {mark('no_python_udfs')} |",
        f"| shuffle exchanges in the job's plans | {results.plans.shuffle_exchanges} | | | |",
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
