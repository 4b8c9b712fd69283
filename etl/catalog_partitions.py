"""Register the curated tables' new `pickup_date` partitions in the Glue Data Catalog.

Athena finds partitions through partition projection (table properties), but Spark on the Glue
catalog, EMR and Redshift Spectrum read only the partitions stored in the catalog. After a run
publishes its dates, the Glue job calls `register_curated_partitions` with them.

Each partition copies its table's storage descriptor (columns, Parquet formats, SerDe) with the
location of its own folder, `<table location>pickup_date=<date>/`. Partitions that already exist
are left as they are (a re-run or a late file for a known date is normal); any other error is
collected and raised once every batch was tried, so one bad value does not hide the rest.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from etl.contract import CURATED_TABLES, PARTITION_COLUMN

# BatchCreatePartition accepts at most 100 partitions per call.
BATCH_SIZE = 100
ALREADY_EXISTS = "AlreadyExistsException"


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
    """Some partitions could not be registered; `errors` lists each one."""

    def __init__(self, errors: Sequence[PartitionError]) -> None:
        self.errors = list(errors)
        shown = "; ".join(str(e) for e in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} partitions not registered: {shown}{more}")


@dataclass
class RegistrationSummary:
    """Per table: how many partitions were created and how many already existed."""

    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)


def partition_input(descriptor: Mapping[str, Any], value: str) -> dict[str, Any]:
    """The PartitionInput of `value`: the table's storage descriptor, located at its folder."""
    partition_descriptor = copy.deepcopy(dict(descriptor))
    base = str(descriptor["Location"]).rstrip("/")
    partition_descriptor["Location"] = f"{base}/{PARTITION_COLUMN.name}={value}/"
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
    for table, values in values_by_table.items():
        unique = sorted(set(values))
        existing = 0
        for start in range(0, len(unique), BATCH_SIZE):
            batch = unique[start : start + BATCH_SIZE]
            response = glue.batch_create_partition(
                DatabaseName=database,
                TableName=table,
                PartitionInputList=[partition_input(descriptors[table], v) for v in batch],
            )
            for error in response.get("Errors", []):
                detail = error.get("ErrorDetail", {})
                code = detail.get("ErrorCode", "")
                if code == ALREADY_EXISTS:
                    existing += 1
                    continue
                errors.append(
                    PartitionError(
                        table,
                        tuple(error.get("PartitionValues", [])),
                        code,
                        detail.get("ErrorMessage", ""),
                    )
                )
        failed = sum(1 for e in errors if e.table == table)
        summary.created[table] = len(unique) - existing - failed
        summary.existing[table] = existing
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
