"""Compare the curated tables' catalog partitions with their date folders on S3, and repair them.

The Glue job registers the dates a run writes and removes those it empties, each once the run is
announced. The catalog can still drift from the folders: partitions of dates emptied by versions
of the job that did not remove them, folders deleted or restored by hand, a catalog recreated
without its partitions. Athena is not affected (it projects partitions from the table's
properties); Spark on the Glue catalog, EMR and Redshift Spectrum see only stored partitions.

Each table is compared with the folders under its own location: a `pickup_date=<date>` folder
is a date with data (one to register only when it holds a file, see `holds_data`), and its
partition must point at that folder. The repair registers the dates with a folder and no
partition, removes the partitions with no folder and points those registered at another folder
(a table moved to another bucket or prefix, a partition added by hand) at their own, through the
job's own calls (`etl.catalog_partitions`), and changes nothing else. It is refused while the
job has a run in progress (`refuse_while_running`), since that run changes its own dates after
it publishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from etl.catalog_partitions import (
    PartitionRegistrationError,
    partition_location,
    register_partitions,
    remove_partitions,
    repoint_partitions,
    table_descriptors,
)
from etl.contract import CURATED_TABLES, PARTITION_COLUMN
from ops.errors import OpsError, aws_error_code

# Dates named in a summary line before it says "and N more".
_SHOWN = 5


@dataclass(frozen=True)
class TableDrift:
    """Where one table's partitions and its date folders disagree."""

    table: str
    folders: int
    partitions: int
    # Dates whose folder holds a file and that have no partition, partitions with no folder (or
    # at another folder, when their own holds no file), and partitions at another folder when
    # their own holds a file; sorted.
    unregistered: tuple[str, ...]
    stale: tuple[str, ...]
    misplaced: tuple[str, ...] = ()
    # The table's storage descriptor as the comparison read it: the repair builds partitions
    # from it without reading the table again.
    descriptor: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def in_line(self) -> bool:
        """Whether every date folder has its partition and every partition points at its
        folder."""
        return not self.unregistered and not self.stale and not self.misplaced


class LocationError(ValueError):
    """A table's location is not a folder in S3: there are no folders to compare with."""


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> (`bucket`, `some/prefix/`)."""
    if not uri.startswith(("s3://", "s3a://")) or not uri.split("://", 1)[1].strip("/"):
        raise LocationError(f"table location is not an S3 folder: {uri!r}")
    bucket, _, prefix = uri.split("://", 1)[1].partition("/")
    return bucket, prefix.rstrip("/") + "/" if prefix else ""


def _date_folders(location: str) -> tuple[str, str]:
    """The bucket of `location`, and the key prefix its date folders' names start with."""
    bucket, prefix = split_s3_uri(location)
    return bucket, f"{prefix}{PARTITION_COLUMN.name}="


def folder_dates(s3: Any, location: str) -> set[str]:
    """Dates of the `pickup_date=<date>/` folders under `location` that hold at least one object
    (S3 lists a folder only then). Other folders, and names that are no date, are left out."""
    bucket, marker = _date_folders(location)
    paginator = s3.get_paginator("list_objects_v2")
    dates = set()
    for page in paginator.paginate(Bucket=bucket, Prefix=marker, Delimiter="/"):
        for common in page.get("CommonPrefixes", []):
            value = common["Prefix"].removeprefix(marker).rstrip("/")
            if _is_date(value):
                dates.add(value)
    return dates


def _is_date(value: str) -> bool:
    # The job writes `YYYY-MM-DD`; fromisoformat alone would also take `20150101`.
    try:
        return len(value) == 10 and date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def holds_data(s3: Any, location: str, value: str) -> bool:
    """Whether the folder of date `value` under `location` holds a file, not only the empty
    object the S3 console makes for a folder (which S3 lists as a folder all the same)."""
    bucket, marker = _date_folders(location)
    folder = f"{marker}{value}/"
    paginator = s3.get_paginator("list_objects_v2")
    return any(
        not item["Key"].endswith("/")
        for page in paginator.paginate(Bucket=bucket, Prefix=folder)
        for item in page.get("Contents", [])
    )


def partition_locations(glue: Any, database: str, table: str) -> dict[str, str]:
    """The `pickup_date` value of each of the table's partitions in the catalog, with the
    folder it points at."""
    paginator = glue.get_paginator("get_partitions")
    # Only values and locations are compared: the columns of every partition would only weigh
    # the pages.
    pages = paginator.paginate(DatabaseName=database, TableName=table, ExcludeColumnSchema=True)
    return {
        partition["Values"][0]: str(partition.get("StorageDescriptor", {}).get("Location", ""))
        for page in pages
        for partition in page.get("Partitions", [])
    }


def _at_own_folder(partition: str, location: str, value: str) -> bool:
    """Whether the partition location `partition` is the folder of date `value` under the table
    `location`, as the job registers it (`s3a://` names the same folder as `s3://`)."""
    try:
        return split_s3_uri(partition) == split_s3_uri(partition_location(location, value))
    except LocationError:
        return False


def drift(
    glue: Any, s3: Any, database: str, tables: Iterable[str] = CURATED_TABLES
) -> list[TableDrift]:
    """Each table's partitions against the date folders under its location. A folder with no
    partition, or whose partition points elsewhere, counts only when it holds a file (see
    `holds_data`; a partition elsewhere is stale otherwise); that is checked for those folders
    alone, so a table in line costs two listings. Raises `LocationError` for a table whose
    location is not in S3."""
    found = []
    for table, descriptor in table_descriptors(glue, database, tables).items():
        location = str(descriptor.get("Location", ""))
        try:
            folders = folder_dates(s3, location)
        except LocationError as exc:
            raise LocationError(f"{table}: {exc}") from exc
        partitions = partition_locations(glue, database, table)
        missing = [d for d in sorted(folders - partitions.keys()) if holds_data(s3, location, d)]
        elsewhere = [
            d for d in folders & partitions.keys() if not _at_own_folder(partitions[d], location, d)
        ]
        misplaced = {d for d in elsewhere if holds_data(s3, location, d)}
        stale = (partitions.keys() - folders) | (set(elsewhere) - misplaced)
        found.append(
            TableDrift(
                table,
                len(folders),
                len(partitions),
                tuple(missing),
                tuple(sorted(stale)),
                tuple(sorted(misplaced)),
                descriptor,
            )
        )
    return found


# Job run states of a run that has ended. Any other (STARTING, RUNNING, STOPPING, WAITING for
# resources, or a state added later) is a run that may still publish.
_ENDED = frozenset({"SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED"})


def runs_in_progress(glue: Any, job: str) -> list[tuple[str, str]]:
    """The job's runs that have not ended, newest first, as (run id, state). GetJobRuns lists
    the newest first; a run in progress is among the newest 200 (the most one call returns)
    unless 200 others started and ended while it ran."""
    runs = glue.get_job_runs(JobName=job, MaxResults=200).get("JobRuns", [])
    return [
        (r["Id"], str(r.get("JobRunState"))) for r in runs if r.get("JobRunState") not in _ENDED
    ]


def refuse_while_running(glue: Any, job: str, region: str) -> None:
    """Raise `OpsError` when the job has a run in progress: it registers and removes its own
    dates after it publishes, so a repair made meanwhile could be undone or leave its dates
    behind. A job that does not exist, or runs that cannot be listed, are refusals too."""
    try:
        running = runs_in_progress(glue, job)
    except ClientError as exc:
        code = aws_error_code(exc)
        if code == "EntityNotFoundException":
            raise OpsError(f"job '{job}' not found in {region}: check --job/--region") from exc
        if code == "AccessDeniedException":
            raise OpsError(
                f"cannot tell whether job '{job}' has a run in progress: --apply needs "
                "glue:GetJobRuns on it, as a run publishing meanwhile changes its own dates"
            ) from exc
        raise
    if running:
        run_id, state = running[0]
        raise OpsError(
            f"job '{job}' has a run in progress ({run_id}, {state}): it registers and removes "
            "its own dates when it publishes; run --apply again once it has ended"
        )


class RepairError(RuntimeError):
    """Some partitions could not be registered, removed or repointed; the message names
    each."""


@dataclass(frozen=True)
class Repaired:
    """How many partitions a repair registered, removed and pointed at their own folder."""

    registered: int
    removed: int
    repointed: int


def repair(glue: Any, database: str, drifts: Sequence[TableDrift]) -> Repaired:
    """Register every unregistered date, remove every stale partition and repoint every
    misplaced one of `drifts`. Each step is tried even when another was refused (a partition,
    or a whole call); then `RepairError` names each refusal."""
    unregistered = {d.table: d.unregistered for d in drifts if d.unregistered}
    misplaced = {d.table: d.misplaced for d in drifts if d.misplaced}
    descriptors = {d.table: d.descriptor for d in drifts}
    refused: list[Exception] = []

    def attempt(step: Callable[[], int]) -> int:
        try:
            return step()
        except (PartitionRegistrationError, ClientError) as exc:
            # A whole call refused (no permission, throttled) holds back no other step.
            refused.append(exc)
            return 0

    done = Repaired(
        registered=attempt(
            lambda: sum(
                register_partitions(glue, database, unregistered, descriptors).created.values()
            )
        ),
        removed=attempt(
            lambda: remove_partitions(glue, database, {d.table: d.stale for d in drifts})
        ),
        repointed=attempt(lambda: repoint_partitions(glue, database, misplaced, descriptors)),
    )
    if refused:
        raise RepairError("; ".join(str(exc) for exc in refused))
    return done


def format_drift(drifts: Sequence[TableDrift]) -> list[str]:
    """A line per table: in line, or which dates lack a partition, which partitions lack a
    folder and which point at another folder (the first few of each)."""
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
        if d.misplaced:
            lines.append(f"  to repoint (partition at another folder): {_dates(d.misplaced)}")
    return lines


def _dates(values: Sequence[str]) -> str:
    shown = ", ".join(values[:_SHOWN])
    more = f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else ""
    return f"{len(values)}: {shown}{more}"
