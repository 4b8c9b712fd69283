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
from bench.targets import TARGETS, round_ratios

BENCH_README = Path("bench") / "README.md"
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"
SUMMARY_START = "<!-- bench-summary:start -->"
SUMMARY_END = "<!-- bench-summary:end -->"
NO_PYTHON_UDFS = "no_python_udfs"


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
        per_round = [round_ratios(r) for r in self.rounds]
        keys = dict.fromkeys(key for ratios in per_round for key in ratios)
        return {
            key: statistics.median(ratios[key] for ratios in per_round if key in ratios)
            for key in keys
        }

    @property
    def status(self) -> dict[str, str]:
        """Each measured target's status: met, MISSED or out of reach (see `Target.status`)."""
        seconds, ratios = self.seconds, self.ratios
        shown = {key: target.status(seconds, ratios) for key, target in TARGETS.items()}
        shown[NO_PYTHON_UDFS] = "met" if self.plans.python_udf_nodes == 0 else "MISSED"
        return {key: text for key, text in shown.items() if text}

    @property
    def passed(self) -> dict[str, bool]:
        return {key: text == "met" for key, text in self.status.items()}

    def to_json(self) -> str:
        body = asdict(self) | {
            "repeats": self.repeats,
            "seconds": self.seconds,
            "ratios": self.ratios,
            "targets": {
                key: {"figure": t.figure, "limit": t.limit, "unit": "s" if t.seconds else "x"}
                for key, t in TARGETS.items()
            },
            "passed": self.passed,
            "status": self.status,
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
    s, r, spread, status = results.seconds, results.ratios, results.spread, results.status

    def secs(name: str) -> str:
        if name not in s:
            return "not measured"
        low, high = spread[name]
        return f"{s[name]:.1f} ({low:.1f}-{high:.1f})"

    def ratio(key: str, template: str = "{:.2f}x") -> str:
        return template.format(r[key]) if key in r else "-"

    def target(key: str) -> str:
        return f"{TARGETS[key].shown_limit} | {status.get(key, '')}".rstrip()

    m, plans, tiny = results.machine, results.plans, f"{results.tiny_rows:,}"
    parquet = f", {results.parquet_bytes / 1e6:,.0f} MB as Parquet" if results.parquet_bytes else ""
    jobs = "not measured" if plans.spark_jobs is None else str(plans.spark_jobs)
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
        f"| job, full refresh | {secs('job')} | {ratio('job_vs_bare', '{:.2f}x bare')} | "
        f"{target('job_vs_bare')} |",
        f"| job / bare (earlier target) | | {ratio('job_vs_bare', '{:.2f}x bare')} | "
        f"{target('job_vs_bare_earlier')} |",
        f"| Parquet input: job, full refresh over the same trips as 2024-layout TLC Parquet | "
        f"{secs('job_parquet')} | {ratio('parquet_job_vs_bare', '{:.2f}x its bare')} | "
        f"{target('parquet_job_vs_bare')} |",
        f"| job, incremental over 10% new files on new dates | {secs('incremental')} | "
        f"{ratio('incremental_net', '{:.2f} of full, net of fixed cost')} | "
        f"{target('incremental_net')} |",
        f"| job, late batch of 10% onto dates already loaded | {secs('late')} | "
        f"{ratio('late_vs_full', '{:.2f}x full')} | {target('late_vs_full')} |",
        f"| fixed cost: job over one {tiny}-row file | {secs('job_tiny')} | "
        f"{ratio('tiny_vs_full', '{:.2f}x full')} | {target('fixed_cost')} |",
        f"| Python UDF nodes in the job's plans | {plans.python_udf_nodes} | | 0 | "
        f"{status[NO_PYTHON_UDFS]} |",
        f"| SQL queries / Spark jobs in a full-refresh run | {plans.queries} / {jobs} | | | |",
        f"| shuffle exchanges in the job's plans | {plans.shuffle_exchanges} | | | |",
        f"| bound: bare trips job (typed read, dedupe, trips write; no checks, quarantine or "
        f"metrics) | {secs('bare')} | {ratio('bare_vs_floor')} floor, {ratio('bare_vs_seed')} "
        "seed | | |",
        f"| bound: checked rows + quarantine (the job's checks of every cell, dedupe, trips "
        f"write, hourly metrics, the rejected rows carried beside the trips and copied to one "
        f"quarantine folder; no merge, counts, state or publish) | {secs('checked_quarantine')} | "
        f"{ratio('checked_quarantine_vs_bare', '{:.2f}x bare')} | | |",
        f"| context: checked rows alone (no quarantine) | {secs('checked')} | "
        f"{ratio('checked_vs_bare', '{:.2f}x bare')} | | |",
        f"| bound: bare trips job and its hourly metrics over the same {tiny}-row file | "
        f"{secs('bare_metrics_tiny')} | | | |",
        f"| context: bare trips job alone over that file | {secs('bare_tiny')} | | | |",
        f"| bound: late batch done bare (its trips and their hourly metrics written with no "
        f"checks, its keys checked against the trips written on its dates; no quarantine, no "
        f"metrics of the written trips, no state or publish) | {secs('bare_late')} | "
        f"{ratio('bare_late_vs_full', '{:.2f}x full')} | | |",
        f"| context: bare trips job over the 10% new files on new dates | "
        f"{secs('bare_incremental')} | "
        f"{ratio('bare_incremental_net', '{:.2f} of its full, net of its fixed cost')} | | |",
        f"| Parquet input bound: bare trips job (typed Parquet read, dedupe, trips write) | "
        f"{secs('bare_parquet')} | | | |",
        f"| Parquet input bound: checked rows + quarantine | "
        f"{secs('checked_quarantine_parquet')} | "
        f"{ratio('parquet_checked_quarantine_vs_bare', '{:.2f}x its bare')} | | |",
        f"| context: Parquet input, checked rows alone | {secs('checked_parquet')} | "
        f"{ratio('parquet_checked_vs_bare', '{:.2f}x its bare')} | | |",
        f"| context: floor: CSV read + parse + count | {secs('floor')} | "
        f"job {ratio('job_vs_floor')} | | |",
        f"| context: seed tutorial logic | {secs('seed')} | job {ratio('job_vs_seed')} | | |",
        f"| context: job, full refresh at 4x rows | {secs('job_4x')} | "
        f"{ratio('scaling_4x', '{:.2f}x job')} | | |",
        f"| context: floor at 4x rows | {secs('floor_4x')} | job {ratio('job_vs_floor_4x')} | | |",
        f"| context: seed logic at 4x rows | {secs('seed_4x')} | job {ratio('job_vs_seed_4x')} "
        "| | |",
        f"| context: incremental over new dates / full refresh, gross | | "
        f"{ratio('incremental_vs_full')} | | |",
        f"| context: Parquet input job / CSV job | | {ratio('parquet_vs_csv_job')} | | |",
    ]
    return "\n".join(lines) + "\n"


def summary(results: Results) -> str:
    """The short table README.md shows: each target's figure and whether it is met."""
    seconds, ratios, status = results.seconds, results.ratios, results.status
    lines = [
        f"{results.rows:,} rows, medians of {results.repeats} rounds on "
        f"{results.machine.get('cpus', '?')} cores:",
        "",
        "| measure | figure | target | |",
        "|---|---:|---:|---|",
    ]
    for key, target in TARGETS.items():
        value = target.value(seconds, ratios)
        shown = "not measured" if value is None else target.show(value)
        row = f"| {target.label} | {shown} | {target.shown_limit} | {status.get(key, '')}"
        lines.append(row.rstrip() + " |")
    lines.append(
        f"| Python UDF nodes in the job's plans | {results.plans.python_udf_nodes} | 0 | "
        f"{status[NO_PYTHON_UDFS]} |"
    )
    return "\n".join(lines) + "\n"


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
