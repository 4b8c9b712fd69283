"""Input for the bench's workload tests: CSV in the layout the CSV workloads read."""

from __future__ import annotations

from pathlib import Path

from bench.workloads import CSV_SCHEMA

HEADER = ",".join(CSV_SCHEMA.names)


def csv_line(vendor: int, pickup: str, longitude: float, total: float) -> str:
    """A trip line of the 2015 yellow layout; the other cells are fixed, plausible values."""
    cells = [vendor, pickup, "2015-01-01 00:30:00", 1, 1.5, longitude, 40.7, 1, "N"]
    cells += [-73.9, 40.8, 1, 8.0, 0.5, 0.5, 1.0, 0.0, 0.3, total]
    return ",".join(str(cell) for cell in cells)


def csv_input(tmp_path: Path, *lines: str) -> Path:
    """An input folder holding one CSV file: the header, then `lines`."""
    source = tmp_path / "in"
    source.mkdir()
    (source / "trips.csv").write_text("\n".join([HEADER, *lines]) + "\n")
    return source
