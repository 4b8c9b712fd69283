"""Register the curated tables' new `pickup_date` partitions in the Glue Data Catalog, and
remove those of dates no trip is left on.

Athena finds partitions through partition projection (table properties), but Spark on the Glue
catalog, EMR and Redshift Spectrum read only the partitions stored in the catalog. After a run
publishes its dates, the Glue job calls `register_curated_partitions` with the dates it wrote and
`remove_curated_partitions` with those it removed (a changed file's earlier trips were all a
date held), each as far as the dates' folders still agree when it does (`etl.glue_job`). The
operators' `python -m ops catalog` repairs drift from outside the job with the same calls, and
with `repoint_partitions` for partitions registered at another folder.

Each partition copies its table's storage descriptor (columns, Parquet formats, SerDe) with the
location of its own folder, `<table location>pickup_date=<date>/`. Partitions that already exist
are left as they are (a re-run or a late file for a known date is normal); any other error is
collected and raised once every batch was tried, so one bad value does not hide the rest.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from etl.contract import CURATED_TABLES, PARTITION_COLUMN

# BatchCreatePartition and BatchUpdatePartition accept at most 100 partitions per call,
# BatchDeletePartition 25.
BATCH_SIZE = 100
DELETE_BATCH_SIZE = 25
ALREADY_EXISTS = "AlreadyExistsException"
NOT_FOUND = "EntityNotFoundException"


@dataclass(frozen=True)
class PartitionError:
    """One partition the catalog refused, with the error code and message it gave."""

    table: str
    values: tuple[str, ...]
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.table} {'/'.join(self.values)}: {self.code}: {self.message}"


class PartitionRegistrationError(RuntimeError):
    """Some partitions could not be registered (or removed, or repointed); `errors` lists each
    one."""

    def __init__(self, errors: Sequence[PartitionError], done: str = "registered") -> None:
        self.errors = list(errors)
        shown = "; ".join(str(e) for e in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} partitions not {done}: {shown}{more}")


@dataclass
class RegistrationSummary:
    """Per table: how many partitions were created and how many already existed."""

    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)


def partition_location(table_location: str, value: str) -> str:
    """The folder of partition `value` under the table's location, as partitions point at it."""
    return f"{table_location.rstrip('/')}/{PARTITION_COLUMN.name}={value}/"


def partition_input(descriptor: Mapping[str, Any], value: str) -> dict[str, Any]:
    """The PartitionInput of `value`: the table's storage descriptor, located at its folder."""
    partition_descriptor = copy.deepcopy(dict(descriptor))
    partition_descriptor["Location"] = partition_location(str(descriptor["Location"]), value)
    return {"Values": [value], "StorageDescriptor": partition_descriptor}


def register_partitions(
    glue: Any,
    database: str,
    values_by_table: Mapping[str, Iterable[str]],
    descriptors: Mapping[str, Mapping[str, Any]],
) -> RegistrationSummary:
    """Create the partitions `values_by_table` (table -> partition values) in `database`.

    `descriptors` holds each table's storage descriptor (as GetTable returns it). Calls
    BatchCreatePartition in batches of BATCH_SIZE; raises PartitionRegistrationError listing every
    refused partition other than those that already exist.
    """
    summary = RegistrationSummary()
    errors: list[PartitionError] = []
    calls = _batch_calls(
        values_by_table,
        BATCH_SIZE,
        lambda table, batch: glue.batch_create_partition(
            DatabaseName=database,
            TableName=table,
            PartitionInputList=[partition_input(descriptors[table], v) for v in batch],
        ),
    )
    for table in values_by_table:
        summary.created[table] = summary.existing[table] = 0
    for table, batch, refused in calls:
        existing = sum(1 for e in refused if e.code == ALREADY_EXISTS)
        summary.existing[table] += existing
        summary.created[table] += len(batch) - len(refused)
        errors += [e for e in refused if e.code != ALREADY_EXISTS]
    if errors:
        raise PartitionRegistrationError(errors)
    return summary


def table_descriptors(glue: Any, database: str, tables: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each table's storage descriptor as the catalog holds it (declared by the Pulumi program)."""
    return {
        table: glue.get_table(DatabaseName=database, Name=table)["Table"]["StorageDescriptor"]
        for table in tables
    }


def register_curated_partitions(
    glue: Any, database: str, dates: Iterable[str]
) -> RegistrationSummary:
    """Register `dates` (pickup_date values, `YYYY-MM-DD`) in every curated table.

    A run writes hourly_metrics for exactly the dates it writes trips for, so both tables get the
    same values.
    """
    values = sorted(set(dates))
    if not values:
        return RegistrationSummary()
    descriptors = table_descriptors(glue, database, CURATED_TABLES)
    return register_partitions(glue, database, dict.fromkeys(CURATED_TABLES, values), descriptors)


def remove_curated_partitions(glue: Any, database: str, dates: Iterable[str]) -> int:
    """Remove the partitions of `dates` from every curated table; returns how many were there.
    A partition already gone is not an error (a retry, or a date never registered); any other
    refusal is collected and raised once every batch was tried."""
    values = sorted(set(dates))
    return remove_partitions(glue, database, dict.fromkeys(CURATED_TABLES, values))


def remove_partitions(
    glue: Any, database: str, values_by_table: Mapping[str, Iterable[str]]
) -> int:
    """Remove the partitions `values_by_table` (table -> partition values) from `database`, in
    batches of DELETE_BATCH_SIZE; returns how many were there. As `remove_curated_partitions`,
    a missing partition is no error and other refusals are raised once all were tried."""
    removed = 0
    errors: list[PartitionError] = []
    calls = _batch_calls(
        values_by_table,
        DELETE_BATCH_SIZE,
        lambda table, batch: glue.batch_delete_partition(
            DatabaseName=database,
            TableName=table,
            PartitionsToDelete=[{"Values": [value]} for value in batch],
        ),
    )
    for _, batch, refused in calls:
        removed += len(batch) - len(refused)
        errors += refused
    missing = [e for e in errors if e.code != NOT_FOUND]
    if missing:
        raise PartitionRegistrationError(missing, done="removed")
    return removed


def repoint_partitions(
    glue: Any,
    database: str,
    values_by_table: Mapping[str, Iterable[str]],
    descriptors: Mapping[str, Mapping[str, Any]],
) -> int:
    """Point the existing partitions `values_by_table` at their own folders, each with its
    table's storage descriptor as `register_partitions` gives a new one (BatchUpdatePartition in
    batches of BATCH_SIZE: a partition is never missing meanwhile). Returns how many were
    changed; raises PartitionRegistrationError listing every refusal once all were tried."""
    repointed = 0
    errors: list[PartitionError] = []
    calls = _batch_calls(
        values_by_table,
        BATCH_SIZE,
        lambda table, batch: glue.batch_update_partition(
            DatabaseName=database,
            TableName=table,
            Entries=[
                {
                    "PartitionValueList": [v],
                    "PartitionInput": partition_input(descriptors[table], v),
                }
                for v in batch
            ],
        ),
    )
    for _, batch, refused in calls:
        repointed += len(batch) - len(refused)
        errors += refused
    if errors:
        raise PartitionRegistrationError(errors, done="repointed")
    return repointed


def _batch_calls(
    values_by_table: Mapping[str, Iterable[str]],
    size: int,
    call: Callable[[str, list[str]], Mapping[str, Any]],
) -> Iterator[tuple[str, list[str], list[PartitionError]]]:
    """Call `call(table, values)` for each table's distinct values, `size` at a time, and yield
    each batch with the partitions the answer says were refused."""
    for table, values in values_by_table.items():
        unique = sorted(set(values))
        for start in range(0, len(unique), size):
            batch = unique[start : start + size]
            response = call(table, batch)
            yield table, batch, [_refused(table, e) for e in response.get("Errors", [])]


def _refused(table: str, error: Mapping[str, Any]) -> PartitionError:
    """One entry of a batch call's `Errors` (BatchUpdatePartition names the values
    `PartitionValueList`, the others `PartitionValues`)."""
    detail = error.get("ErrorDetail", {})
    return PartitionError(
        table,
        tuple(error.get("PartitionValues") or error.get("PartitionValueList") or []),
        detail.get("ErrorCode", ""),
        detail.get("ErrorMessage", ""),
    )
