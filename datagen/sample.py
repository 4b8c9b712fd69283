"""The bundled sample under data/sample: small, messy on purpose, and re-made exactly.

Two parts. `2015/` and `edge_cases/`: 2015 yellow CSV dated 2015-01-01..06 in nested folders,
each file exercising one input quirk (gzip, BOM + CRLF, an unknown column, the seed's lower-case
header, mixed timestamp styles, a late file re-visiting 2015-01-01 and repeating trips, a file
without total_amount, empty files); incremental runs over it can be checked against a full
refresh. `eras/`: one small file per layout the TLC has published, 2009 to 2025, CSV and
Parquet, each with its own seed, dates and duplicate pool, so any subset of them has exact
expected figures.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from datagen.defects import DefectKind
from datagen.generate import FileSpec, write_files
from datagen.manifest import GeneratedSet, expected_figures
from datagen.readme import readme

SAMPLE_DIR = Path("data/sample")
SAMPLE_SEED = 20150101
SAMPLE_DEFECT_RATE = 0.05
ERA_DEFECT_RATE = 0.1
SAMPLE_START = date(2015, 1, 1)
MANIFEST_NAME = "_manifest.json"  # leading underscore: Spark's file listing skips it
# Folder groups of the sample whose figures the manifest states (each holds its duplicates' rows).
GROUPS: dict[str, tuple[str, ...]] = {
    "2015": ("2015", "edge_cases"),
    "eras": ("eras",),
    "all": ("2015", "edge_cases", "eras"),
}

SAMPLE_SPECS: tuple[FileSpec, ...] = (
    FileSpec("2015/01/yellow_tripdata_2015-01-01.csv", 700, note="TLC 2015 yellow CSV"),
    FileSpec("2015/01/yellow_tripdata_2015-01-02.csv.gz", 700, first_day=1, note="gzip-compressed"),
    FileSpec(
        "2015/01/yellow_tripdata_2015-01-03_extra_column.csv",
        400,
        first_day=2,
        layout="extra_column",
        note="unknown `medallion` column as the 2nd column (dropped, listed in the run report)",
    ),
    FileSpec(
        "2015/01/seed_format/trips_2015-01-04.csv",
        400,
        first_day=3,
        layout="simplified",
        note="the seed tutorial's lower-case canonical headers (vendor_id, pickup_datetime, ...)",
    ),
    FileSpec(
        "2015/01/yellow_tripdata_2015-01-05_alt_timestamps.csv",
        400,
        first_day=4,
        timestamps="alternative",
        note="timestamps as `yyyy-MM-ddTHH:mm:ss` or `MM/dd/yyyy hh:mm:ss a`, mixed by row",
    ),
    FileSpec(
        "2015/01/windows_export/yellow_tripdata_2015-01-06_bom_crlf.csv",
        400,
        first_day=5,
        bom=True,
        crlf=True,
        note="UTF-8 BOM before the header, CRLF line endings",
    ),
    FileSpec(
        "2015/02/late/yellow_tripdata_2015-01-01_late.csv",
        200,
        defect_rate=0.2,
        kinds=(DefectKind.EXACT_DUPLICATE, DefectKind.KEY_DUPLICATE),
        note="arrives late: more 2015-01-01 trips plus repeats of trips from earlier files",
    ),
    FileSpec(
        "edge_cases/missing_total_amount.csv",
        100,
        first_day=2,
        layout="missing_total_amount",
        note="no total_amount column: every row quarantined",
    ),
    FileSpec("edge_cases/header_only.csv", 0, note="header row, no data"),
    FileSpec("edge_cases/zero_byte.csv", 0, header=False, note="empty file (0 bytes)"),
)

# (spec, first pickup date): one file per era, each on its own dates.
ERA_SPECS: tuple[tuple[FileSpec, date], ...] = (
    (FileSpec("eras/2009/yellow_tripdata_2009-01.csv", 200, days=2, era="yellow_2009"),
     date(2009, 1, 14)),
    (FileSpec("eras/2010/yellow_tripdata_2010-03.csv", 120, era="yellow_2010"), date(2010, 3, 9)),
    (FileSpec("eras/2014/yellow_tripdata_2014-05.csv", 120, era="yellow_2014"), date(2014, 5, 20)),
    (FileSpec("eras/2017/yellow_tripdata_2017-03.csv", 150, era="yellow_2017"), date(2017, 3, 14)),
    (FileSpec("eras/2019/green_tripdata_2019-02.csv", 150, era="green_2019"), date(2019, 2, 5)),
    (FileSpec("eras/2014/green_tripdata_2014-06.csv", 120, era="green_2014"), date(2014, 6, 10)),
    (FileSpec("eras/open_data/2019_Yellow_Taxi_Trip_Data.csv", 150, era="yellow_2019_opendata"),
     date(2019, 1, 15)),
    (FileSpec("eras/seed_tutorial/trips_2015-02-10.csv", 100, era="seed_tutorial"),
     date(2015, 2, 10)),
    (FileSpec("eras/parquet/yellow_tripdata_2023-01.parquet", 200, era="yellow_2023"),
     date(2023, 1, 10)),
    (FileSpec("eras/parquet/yellow_tripdata_2024-01.parquet", 250, days=2, era="yellow_2024"),
     date(2024, 1, 20)),
    (FileSpec("eras/parquet/pandas_export/yellow_tripdata_2022-06.parquet", 120,
              era="yellow_2022_ns"), date(2022, 6, 8)),
    (FileSpec("eras/parquet/yellow_tripdata_2025-02.parquet", 150, era="yellow_2025"),
     date(2025, 2, 3)),
    (FileSpec("eras/parquet/green_tripdata_2024-03.parquet", 150, era="green_2024"),
     date(2024, 3, 12)),
    (FileSpec("eras/parquet/yellow_tripdata_2009-02.parquet", 120, era="yellow_2009_parquet"),
     date(2009, 2, 3)),
    (FileSpec("eras/parquet/yellow_tripdata_2010-04.parquet", 100, era="yellow_2010_parquet"),
     date(2010, 4, 6)),
)  # fmt: skip


def write_sample(out_dir: Path = SAMPLE_DIR) -> GeneratedSet:
    """Write the sample files, `_manifest.json` and README.md under out_dir."""
    legacy = write_files(out_dir, list(SAMPLE_SPECS), SAMPLE_SEED, SAMPLE_DEFECT_RATE, SAMPLE_START)
    files = list(legacy.files)
    for spec, start in ERA_SPECS:
        seed = f"{SAMPLE_SEED}/{spec.path}"
        files += write_files(out_dir, [spec], seed, ERA_DEFECT_RATE, start).files
    generated = GeneratedSet(out_dir, SAMPLE_SEED, SAMPLE_DEFECT_RATE, tuple(files))
    (out_dir / MANIFEST_NAME).write_text(
        generated.to_json(manifest_document(generated)), encoding="utf-8"
    )
    figures = group_figures(generated)
    groups = {name: (GROUPS[name], figures[name]) for name in GROUPS}
    (out_dir / "README.md").write_text(readme(generated, groups), encoding="utf-8")
    return generated


def group_figures(generated: GeneratedSet) -> dict[str, dict[str, Any]]:
    """Expected figures of a full refresh over each folder group."""
    return {
        name: expected_figures(f for f in generated.files if f.path.split("/")[0] in folders)
        for name, folders in GROUPS.items()
    }


def manifest_document(generated: GeneratedSet) -> dict[str, Any]:
    """The manifest: per-file figures, and per folder group under `groups`.

    Top-level `expected` is the `2015` group (2015/ and edge_cases/), the part that tests of
    incremental runs load batch by batch; `groups.all` covers the whole sample."""
    figures = group_figures(generated)
    document = generated.document()
    document["expected"] = figures["2015"]
    document["era_defect_rate"] = ERA_DEFECT_RATE
    document["groups"] = {
        name: {"folders": list(GROUPS[name]), "expected": figures[name]} for name in GROUPS
    }
    return document
