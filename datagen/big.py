"""Bench-sized data sets: many rows in plain 2015 yellow-taxi files at a realistic defect rate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from datagen.generate import FileSpec, GeneratedSet, write_files

DEFAULT_START = date(2015, 1, 1)


def generate(
    out_dir: Path,
    rows: int,
    files: int = 1,
    seed: int = 2015,
    defect_rate: float = 0.02,
    start_date: date = DEFAULT_START,
    days: int = 31,
    prefix: str = "yellow_tripdata",
) -> GeneratedSet:
    """Write `rows` trips split evenly over `files` CSV files in out_dir and return the manifest.

    File i holds pickups from its own slice of the `days` days after start_date (slices overlap
    only when there are more files than days), like TLC's date-ordered exports. Use a different
    `prefix` (and seed) to add new files next to an existing set, e.g. for an incremental run.
    """
    if rows < 0 or files < 1 or days < 1:
        raise ValueError(f"need rows >= 0, files >= 1, days >= 1 (got {rows}, {files}, {days})")
    specs = []
    for i in range(files):
        first = i * days // files
        last = max((i + 1) * days // files, first + 1)
        specs.append(
            FileSpec(
                path=f"{prefix}_part-{i:05d}.csv",
                rows=rows // files + (1 if i < rows % files else 0),
                first_day=first,
                days=last - first,
            )
        )
    generated = write_files(Path(out_dir), specs, seed, defect_rate, start_date)
    return generated
