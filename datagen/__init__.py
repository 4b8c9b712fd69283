"""Seeded, deterministic NYC TLC trip files of every era (CSV and Parquet) with counted defects.

`generate(...)` writes bench-sized sets; `write_sample(...)` writes the bundled `data/sample`.
Both return a `GeneratedSet` manifest of the files, every injected defect and the figures the
ETL must report.
"""

from datagen.big import generate
from datagen.defects import DefectKind
from datagen.eras import ERAS, Era
from datagen.generate import FileSpec, write_files
from datagen.manifest import GeneratedFile, GeneratedSet
from datagen.sample import write_sample

__all__ = [
    "ERAS",
    "DefectKind",
    "Era",
    "FileSpec",
    "GeneratedFile",
    "GeneratedSet",
    "generate",
    "write_files",
    "write_sample",
]
