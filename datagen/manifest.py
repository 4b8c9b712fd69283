"""What a generated set holds, and the figures the ETL must report for it.

Figures use the run report's names: rows_read, rows_quarantined with `reasons` (reject reason ->
rows), duplicates_dropped and rows_written. They hold per file and add up over any group of files
that contains the rows its duplicates repeat (duplicates only ever repeat a row of their own file
or of a file generated before it in the same `write_files` call).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen.defects import DUPLICATE_KINDS, QUARANTINED_KINDS

MISSING_REQUIRED_COLUMN = "missing_required_column"


@dataclass(frozen=True)
class GeneratedFile:
    """What one written file holds."""

    path: str  # relative to the output folder, POSIX separators
    rows: int  # data rows (header and blank lines excluded)
    size_bytes: int
    era: str
    format: str  # csv or parquet
    service: str | None  # yellow/green: from a tpep_/lpep_ header, else a yellow_/green_ name
    defects: dict[str, int]
    all_rows_quarantined: bool  # the file lacks a required column
    unknown_columns: tuple[str, ...] = ()  # columns no era has (dropped by the ETL)
    note: str = ""

    @property
    def reasons(self) -> dict[str, int]:
        """Reject reason -> rows the ETL must quarantine with it."""
        if self.all_rows_quarantined:
            return {MISSING_REQUIRED_COLUMN: self.rows} if self.rows else {}
        return {k: n for k, n in sorted(self.defects.items()) if k in QUARANTINED_KINDS}

    @property
    def duplicates(self) -> int:
        return sum(self.defects.get(k, 0) for k in DUPLICATE_KINDS)

    @property
    def expected(self) -> dict[str, Any]:
        return expected_figures([self])

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "rows": self.rows,
            "size_bytes": self.size_bytes,
            "era": self.era,
            "format": self.format,
            "service": self.service,
            "defects": self.defects,
            "all_rows_quarantined": self.all_rows_quarantined,
            "unknown_columns": list(self.unknown_columns),
            "note": self.note,
            "expected": self.expected,
        }


def expected_figures(files: Iterable[GeneratedFile]) -> dict[str, Any]:
    """The ETL's figures for a full refresh over exactly these files."""
    files = list(files)
    reasons: Counter[str] = Counter()
    for f in files:
        reasons.update(f.reasons)
    rows = sum(f.rows for f in files)
    quarantined = sum(reasons.values())
    duplicates = sum(f.duplicates for f in files)
    return {
        "rows_read": rows,
        "rows_quarantined": quarantined,
        "reasons": dict(sorted(reasons.items())),
        "duplicates_dropped": duplicates,
        "rows_written": rows - quarantined - duplicates,
    }


@dataclass(frozen=True)
class GeneratedSet:
    """Manifest of a generated set: files, injected defects and the figures the ETL must report."""

    out_dir: Path
    seed: int | str
    defect_rate: float
    files: tuple[GeneratedFile, ...]
    defects: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.defects)
        object.__setattr__(self, "defects", dict(sorted(total.items())))

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def size_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files)

    @property
    def expected(self) -> dict[str, Any]:
        return expected_figures(self.files)

    @property
    def expected_quarantined(self) -> int:
        return int(self.expected["rows_quarantined"])

    @property
    def expected_duplicates(self) -> int:
        return int(self.expected["duplicates_dropped"])

    @property
    def expected_written(self) -> int:
        return int(self.expected["rows_written"])

    def document(self) -> dict[str, Any]:
        """The manifest as a JSON-ready dict (no absolute paths, so it can be committed)."""
        return {
            "seed": self.seed,
            "defect_rate": self.defect_rate,
            "rows": self.rows,
            "files": [f.to_dict() for f in self.files],
            "defects": self.defects,
            "expected": self.expected,
        }

    def to_json(self, document: dict[str, Any] | None = None) -> str:
        """Stable JSON (sorted keys) of `document()`, or of a document built from it."""
        return json.dumps(document or self.document(), indent=2, sort_keys=True) + "\n"
