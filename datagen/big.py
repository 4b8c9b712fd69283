"""Bench-sized data sets: many rows in plain 2015 yellow-taxi files at a realistic defect rate."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
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
    workers: int = 1,
) -> GeneratedSet:
    """Write `rows` trips split evenly over `files` CSV files in out_dir and return the manifest.

    File i holds pickups from its own slice of the `days` days after start_date (slices overlap
    only when there are more files than days), like TLC's date-ordered exports. Use a different
    `prefix` (and seed) to add new files next to an existing set, e.g. for an incremental run.

    Each file has its own random stream (derived from seed and file number), so files can be
    written by `workers` processes and the bytes do not depend on how many there are. Duplicates
    therefore repeat rows of the same file; clean rows' dedupe keys are unique across all files
    (each file owns a longitude stripe), so the manifest's duplicate count stays exact.
    """
    if rows < 0 or files < 1 or days < 1 or workers < 1:
        raise ValueError(
            f"need rows >= 0, files >= 1, days >= 1, workers >= 1 "
            f"(got {rows}, {files}, {days}, {workers})"
        )
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
    jobs = [
        (Path(out_dir), spec, f"{seed}/{i}", defect_rate, start_date, (i, files))
        for i, spec in enumerate(specs)
    ]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            parts = list(pool.map(_write_one, jobs))
    else:
        parts = [_write_one(job) for job in jobs]
    return GeneratedSet(Path(out_dir), seed, defect_rate, tuple(p.files[0] for p in parts))


def _write_one(job: tuple[Path, FileSpec, str, float, date, tuple[int, int]]) -> GeneratedSet:
    out_dir, spec, file_seed, defect_rate, start_date, stripe = job
    return write_files(out_dir, [spec], file_seed, defect_rate, start_date, stripe)
