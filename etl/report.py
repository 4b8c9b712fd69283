"""The run report written to `_reports/<run_id>.json` and `_reports/latest.json`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

from etl.paths import REPORTS_DIR
from etl.storage import Storage, join_path


def new_run_id(now: datetime | None = None) -> str:
    """Sortable, unique run id: UTC time to the microsecond plus a short random suffix."""
    moment = now or datetime.now(UTC)
    return f"{moment.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:6]}"


def utc_now() -> str:
    """Current UTC time in ISO 8601, as used by the report's timestamps."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FailedFile:
    """An input file the run could not read at all, with a one-line reason. The run goes on
    without it: one bad file never stops the others from loading."""

    path: str
    reason: str


@dataclass(frozen=True)
class SkippedFile:
    """A file under the input root the job does not read (e.g. a `.zip`), with the reason."""

    path: str
    reason: str


# Errors from valid files that Spark cannot decode, which name an internal class or a reader
# detail, and what a user can change about such a file.
_KNOWN_CAUSES = (
    (
        "BrotliCodec",
        "brotli compression, which Spark cannot read: write the file with snappy, gzip or zstd",
    ),
    (
        "Unsupported encoding: BYTE_STREAM_SPLIT",
        "BYTE_STREAM_SPLIT encoding, which Spark cannot read: write the file without it"
        " (pyarrow's default; DuckDB's PARQUET_VERSION V1)",
    ),
)


def one_line(error: BaseException) -> str:
    """A one-line reason for a failed file: the Java exception's class and message (its root
    cause's, which names what went wrong) when the error came through py4j, else the Python one;
    led by what to change when the cause is a known one."""
    java = getattr(error, "java_exception", None)
    if java is not None:
        while java.getCause() is not None and java.getCause() != java:
            java = java.getCause()
        text = f"{java.getClass().getSimpleName()}: {java.getMessage()}"
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    hint = next((hint for cause, hint in _KNOWN_CAUSES if cause in text), None)
    return (f"{hint} ({text})" if hint else text)[:300]


@dataclass(frozen=True)
class RunReport:
    """Counts of one run. Invariant: rows_read = rows_written + rows_quarantined +
    duplicates_dropped (each counts the batch's own rows; rows_replaced counts previously
    written trips displaced by a batch row that sorts first, or by a new version of their file).
    `files_processed` counts the input files this run tried, `failed_files` among them;
    `skipped_files` (not trips data, or not openable by name) are never tried.
    `unloaded_files` are every input file not loaded because its last attempt failed: this
    run's `failed_files` and earlier ones unchanged since. `finished_at` is when the run
    committed its outputs (`etl.publish`): they are in place moments later, or, when the run
    dies after its commit, once the next run has finished publishing them."""

    run_id: str
    started_at: str
    finished_at: str
    mode: str
    files_processed: int
    rows_read: int
    rows_quarantined: int
    duplicates_dropped: int
    rows_written: int
    rows_replaced: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    partitions_written: list[str] = field(default_factory=list)
    # Dates left with no trip once a changed file's earlier trips were dropped: removed.
    partitions_removed: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    failed_files: list[FailedFile] = field(default_factory=list)
    skipped_files: list[SkippedFile] = field(default_factory=list)
    unloaded_files: list[FailedFile] = field(default_factory=list)
    # Runs that died after committing their outputs, whose publish this run finished (their
    # reports as they committed them; see `etl.publish`).
    recovered_runs: list[RunReport] = field(default_factory=list)

    @property
    def files_failed(self) -> int:
        return len(self.failed_files)

    @property
    def files_skipped(self) -> int:
        return len(self.skipped_files)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_written + self.rows_quarantined + self.duplicates_dropped

    def finished_runs(self) -> list[RunReport]:
        """Every run this one finished, oldest first (a recovered run may have finished one
        before it died), then this run itself."""
        return [*(run for r in self.recovered_runs for run in r.finished_runs()), self]

    def document(self) -> dict[str, Any]:
        """The report as JSON data, with its derived counts, recovered runs' alike."""
        data = asdict(replace(self, recovered_runs=[]))
        return {
            **data,
            "recovered_runs": [r.document() for r in self.recovered_runs],
            "files_failed": self.files_failed,
            "files_skipped": self.files_skipped,
        }

    def to_json(self) -> str:
        return json.dumps(self.document(), indent=2, sort_keys=True) + "\n"


def report_from_document(document: Mapping[str, Any]) -> RunReport:
    """The report `RunReport.document` gave. Keys it does not know are left out at every level
    (derived counts, or fields of a later version), so a marker from a newer job, read after a
    rollback, is still published."""
    data = _fields_of(RunReport, document)
    return RunReport(
        **{
            **data,
            "failed_files": [
                FailedFile(**_fields_of(FailedFile, f)) for f in data.get("failed_files", [])
            ],
            "skipped_files": [
                SkippedFile(**_fields_of(SkippedFile, f)) for f in data.get("skipped_files", [])
            ],
            "unloaded_files": [
                FailedFile(**_fields_of(FailedFile, f)) for f in data.get("unloaded_files", [])
            ],
            "recovered_runs": [report_from_document(r) for r in data.get("recovered_runs", [])],
        }
    )


def _fields_of(kind: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(kind)}
    return {name: value for name, value in data.items() if name in names}


def write_report(storage: Storage, output_root: str, report: RunReport) -> None:
    """Write the report under its run id, then as latest.json (latest is replaced last)."""
    text = report.to_json()
    storage.write_text(join_path(output_root, REPORTS_DIR, f"{report.run_id}.json"), text)
    storage.write_text(join_path(output_root, REPORTS_DIR, "latest.json"), text)


def summary_table(report: RunReport) -> str:
    """A short human-readable summary of the run."""
    rows = [
        ("run_id", report.run_id),
        ("mode", report.mode),
        ("files_processed", report.files_processed),
        ("rows_read", report.rows_read),
        ("rows_written", report.rows_written),
        ("rows_quarantined", report.rows_quarantined),
        ("duplicates_dropped", report.duplicates_dropped),
        ("rows_replaced", report.rows_replaced),
        ("partitions_written", len(report.partitions_written)),
    ]
    if report.partitions_removed:
        rows.append(("partitions_removed", ", ".join(report.partitions_removed)))
    rows += [(f"  {code}", count) for code, count in sorted(report.reasons.items())]
    if report.unknown_columns:
        rows.append(("unknown_columns", ", ".join(report.unknown_columns)))
    rows.append(("files_failed", report.files_failed))
    rows += [(f"  {f.path}", f.reason) for f in report.failed_files]
    rows.append(("files_skipped", report.files_skipped))
    rows += [(f"  {f.path}", f.reason) for f in report.skipped_files]
    earlier = [f for f in report.unloaded_files if f not in report.failed_files]
    if earlier:
        rows.append(("files_failed_earlier", len(earlier)))
        rows += [(f"  {f.path}", f.reason) for f in earlier]
    recovered = report.finished_runs()[:-1]
    if recovered:
        # Runs that died after their commit, finished by this one: what they loaded.
        rows.append(("recovered_runs", len(recovered)))
        rows += [
            (f"  {r.run_id}", f"rows_read {r.rows_read}, rows_written {r.rows_written}")
            for r in recovered
        ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
