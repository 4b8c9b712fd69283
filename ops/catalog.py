"""Compare the curated tables' catalog partitions with their date folders on S3, and repair them.

The Glue job registers the dates a run writes and removes those it empties, each once the run is
announced. The catalog can still drift from the folders: partitions of dates emptied by versions
of the job that did not remove them, folders deleted or restored by hand, a catalog recreated
without its partitions. Athena is not affected (it projects partitions from the table's
properties); Spark on the Glue catalog, EMR and Redshift Spectrum see only stored partitions.

Each table is compared with the folders under its own location: a `pickup_date=<date>` folder
that holds an object is a date with data. The repair registers the dates with a folder and no
partition and removes the partitions with no folder, through the job's own calls
(`etl.catalog_partitions`), and changes nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from etl.catalog_partitions import (
    PartitionRegistrationError,
    register_partitions,
    remove_partitions,
    table_descriptors,
)
from etl.contract import CURATED_TABLES, PARTITION_COLUMN

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Dates named in a summary line before it says "and N more".
_SHOWN = 5


@dataclass(frozen=True)
class TableDrift:
    """Where one table's partitions and its date folders disagree."""

    table: str
    folders: int
    partitions: int
    # Dates with a folder and no partition, and partitions with no folder; sorted.
    unregistered: tuple[str, ...]
    stale: tuple[str, ...]

    @property
    def in_line(self) -> bool:
        return not self.unregistered and not self.stale


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> (`bucket`, `some/prefix/`)."""
    if not uri.startswith(("s3://", "s3a://")):
        raise ValueError(f"table location is not an S3 URI: {uri!r}")
    bucket, _, prefix = uri.split("://", 1)[1].partition("/")
    return bucket, prefix.rstrip("/") + "/" if prefix else ""


def folder_dates(s3: Any, location: str) -> set[str]:
    """Dates of the `pickup_date=<date>/` folders under `location` that hold at least one object
    (S3 lists a folder only then). Other folders, and names that are no date, are left out."""
    bucket, prefix = split_s3_uri(location)
    marker = f"{prefix}{PARTITION_COLUMN.name}="
    paginator = s3.get_paginator("list_objects_v2")
    dates = set()
    for page in paginator.paginate(Bucket=bucket, Prefix=marker, Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            value = common["Prefix"].removeprefix(marker).rstrip("/")
            if _DATE.fullmatch(value):
                dates.add(value)
    return dates


def partition_dates(glue: Any, database: str, table: str) -> set[str]:
    """The `pickup_date` values of the table's partitions in the catalog."""
    paginator = glue.get_paginator("get_partitions")
    return {
        partition["Values"][0]
        for page in paginator.paginate(DatabaseName=database, TableName=table)
        for partition in page.get("Partitions", [])
    }


def drift(
    glue: Any, s3: Any, database: str, tables: Iterable[str] = CURATED_TABLES
) -> list[TableDrift]:
    """Each table's partitions against the date folders under its location."""
    found = []
    for table, descriptor in table_descriptors(glue, database, tables).items():
        folders = folder_dates(s3, str(descriptor["Location"]))
        partitions = partition_dates(glue, database, table)
        found.append(
            TableDrift(
                table,
                len(folders),
                len(partitions),
                tuple(sorted(folders - partitions)),
                tuple(sorted(partitions - folders)),
            )
        )
    return found


class RepairError(RuntimeError):
    """Some partitions could not be registered or removed; the message names each."""


def repair(glue: Any, database: str, drifts: Sequence[TableDrift]) -> tuple[int, int]:
    """Register every unregistered date and remove every stale partition of `drifts`; returns
    how many partitions were registered and how many removed. Removals are tried even when
    registrations were refused; then `RepairError` names every refused partition."""
    unregistered = {d.table: d.unregistered for d in drifts if d.unregistered}
    stale = {d.table: d.stale for d in drifts if d.stale}
    refused: list[PartitionRegistrationError] = []
    registered = removed = 0
    if unregistered:
        descriptors = table_descriptors(glue, database, unregistered)
        try:
            summary = register_partitions(glue, database, unregistered, descriptors)
            registered = sum(summary.created.values())
        except PartitionRegistrationError as exc:
            refused.append(exc)
    try:
        removed = remove_partitions(glue, database, stale)
    except PartitionRegistrationError as exc:
        refused.append(exc)
    if refused:
        raise RepairError("; ".join(str(exc) for exc in refused))
    return registered, removed


def format_drift(drifts: Sequence[TableDrift]) -> list[str]:
    """A line per table: in line, or which dates lack a partition and which partitions lack a
    folder (the first few of each)."""
    lines = []
    for d in drifts:
        counts = f"{d.table}: {d.folders} date folders, {d.partitions} partitions"
        if d.in_line:
            lines.append(f"{counts}: in line")
            continue
        lines.append(f"{counts}:")
        if d.unregistered:
            lines.append(f"  to register (folder, no partition): {_dates(d.unregistered)}")
        if d.stale:
            lines.append(f"  to remove (partition, no folder): {_dates(d.stale)}")
    return lines


def _dates(values: Sequence[str]) -> str:
    shown = ", ".join(values[:_SHOWN])
    more = f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else ""
    return f"{len(values)}: {shown}{more}"
