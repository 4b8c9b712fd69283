"""Bench-sized data sets: many rows in plain TLC files of one era at a realistic defect rate."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from datagen.eras import ERAS
from datagen.generate import FileSpec, GeneratedSet, write_files
from datagen.manifest import GeneratedFile


def generate(
    out_dir: Path,
    rows: int,
    files: int = 1,
    seed: int = 2015,
    defect_rate: float = 0.02,
    start_date: date | None = None,
    days: int = 31,
    prefix: str | None = None,
    workers: int = 1,
    era: str = "yellow_2015",
) -> GeneratedSet:
    """Write `rows` trips split evenly over `files` files of `era` in out_dir; return the manifest.

    File i holds pickups from its own slice of the `days` days after start_date (default: the
    era's first month; slices overlap only when there are more files than days), like TLC's
    date-ordered exports. Files are named `<prefix>_part-NNNNN.csv` (or `.parquet`), prefix
    `yellow_tripdata`/`green_tripdata` by default; use a different prefix (and seed) to add new
    files next to an existing set, e.g. for an incremental run.

    Each file has its own random stream (derived from seed and file number), so files can be
    written by `workers` processes and the bytes do not depend on how many there are. Duplicates
    therefore repeat rows of the same file; clean rows' dedupe keys are unique across all files
    (each file owns a longitude and a trip-duration stripe), so the manifest's duplicate count
    stays exact.
    """
    if rows < 0 or files < 1 or days < 1 or workers < 1:
        raise ValueError(
            f"need rows >= 0, files >= 1, days >= 1, workers >= 1 "
            f"(got {rows}, {files}, {days}, {workers})"
        )
    if era not in ERAS:
        raise ValueError(f"era {era!r} not in {', '.join(sorted(ERAS))}")
    chosen = ERAS[era]
    start = chosen.default_start if start_date is None else start_date
    name = prefix or ("green_tripdata" if era.startswith("green") else "yellow_tripdata")
    specs = []
    for i in range(files):
        first = i * days // files
        last = max((i + 1) * days // files, first + 1)
        specs.append(
            FileSpec(
                path=f"{name}_part-{i:05d}{chosen.extension}",
                rows=rows // files + (1 if i < rows % files else 0),
                first_day=first,
                days=last - first,
                era=era,
            )
        )
    jobs = [
        (Path(out_dir), spec, f"{seed}/{i}", defect_rate, start, (i, files))
        for i, spec in enumerate(specs)
    ]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            parts = list(pool.map(_write_one, jobs))
    else:
        parts = [_write_one(job) for job in jobs]
    return GeneratedSet(Path(out_dir), seed, defect_rate, tuple(parts))


def _write_one(job: tuple[Path, FileSpec, str, float, date, tuple[int, int]]) -> GeneratedFile:
    out_dir, spec, file_seed, defect_rate, start_date, stripe = job
    return write_files(out_dir, [spec], file_seed, defect_rate, start_date, stripe).files[0]
