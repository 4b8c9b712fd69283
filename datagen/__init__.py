"""Seeded, deterministic NYC TLC yellow-taxi CSV generator with counted defects.

`generate(...)` writes bench-sized sets; `write_sample(...)` writes the bundled `data/sample`.
Both return a `GeneratedSet` manifest of the files and every injected defect.
"""

from datagen.big import generate
from datagen.defects import DefectKind
from datagen.generate import FileSpec, GeneratedFile, GeneratedSet, write_files
from datagen.sample import write_sample

__all__ = [
    "DefectKind",
    "FileSpec",
    "GeneratedFile",
    "GeneratedSet",
    "generate",
    "write_files",
    "write_sample",
]
