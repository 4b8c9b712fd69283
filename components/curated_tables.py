"""Curated tables: the job's Parquet outputs declared in the Glue catalog, queryable by Athena.

Columns come from `etl.contract`, the definition the Spark job writes with, so the catalog cannot
drift from the data. Partition projection computes `pickup_date` partitions from the table
properties: no crawler and no `MSCK REPAIR` is needed after a run adds a new date.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from etl.contract import CURATED_TABLES, PARTITION_COLUMN, Column

PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
# Partition folder values as Spark writes them for a DateType column: pickup_date=2024-01-31.
PROJECTION_DATE_FORMAT = "yyyy-MM-dd"
TABLE_DESCRIPTIONS: dict[str, str] = {
    "trips": "Cleaned, deduplicated taxi trips (one row per trip), partitioned by pickup date",
    "hourly_metrics": "Trips, revenue and averages per pickup hour, partitioned by pickup date",
}


@dataclass(frozen=True)
class CuratedTablesArgs:
    """Inputs of the curated tables component."""

    database_name: pulumi.Input[str]
    curated_bucket: pulumi.Input[str]
    # First date Athena projects; NYC TLC trip records start in 2009.
    projection_start: str = "2009-01-01"


class CuratedTables(pulumi.ComponentResource):
    """One external Parquet table per curated dataset (`trips`, `hourly_metrics`)."""

    tables: dict[str, aws.glue.CatalogTable]

    def __init__(
        self, name: str, args: CuratedTablesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("glue-etl:catalog:CuratedTables", name, None, opts)
        self._name = name
        self._args = args
        self.tables = {
            table: self._create_table(table, columns) for table, columns in CURATED_TABLES.items()
        }
        self.table_names: pulumi.Output[list[str]] = pulumi.Output.all(
            *(t.name for t in self.tables.values())
        )
        self.register_outputs({"table_names": self.table_names})

    def _create_table(self, table: str, columns: tuple[Column, ...]) -> aws.glue.CatalogTable:
        location = pulumi.Output.concat("s3://", self._args.curated_bucket, f"/{table}/")
        return aws.glue.CatalogTable(
            f"{self._name}-{table}",
            name=table,
            database_name=self._args.database_name,
            description=TABLE_DESCRIPTIONS[table],
            table_type="EXTERNAL_TABLE",
            parameters=self._table_parameters(location),
            partition_keys=[
                aws.glue.CatalogTablePartitionKeyArgs(
                    name=PARTITION_COLUMN.name,
                    type=PARTITION_COLUMN.type,
                    comment=PARTITION_COLUMN.comment,
                )
            ],
            storage_descriptor=aws.glue.CatalogTableStorageDescriptorArgs(
                location=location,
                input_format=PARQUET_INPUT_FORMAT,
                output_format=PARQUET_OUTPUT_FORMAT,
                ser_de_info=aws.glue.CatalogTableStorageDescriptorSerDeInfoArgs(
                    name="parquet",
                    serialization_library=PARQUET_SERDE,
                    parameters={"serialization.format": "1"},
                ),
                columns=[
                    aws.glue.CatalogTableStorageDescriptorColumnArgs(
                        name=column.name, type=column.type, comment=column.comment
                    )
                    for column in columns
                ],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _table_parameters(self, location: pulumi.Output[str]) -> dict[str, pulumi.Input[str]]:
        key = PARTITION_COLUMN.name
        return {
            "EXTERNAL": "TRUE",
            "classification": "parquet",
            "projection.enabled": "true",
            f"projection.{key}.type": "date",
            f"projection.{key}.format": PROJECTION_DATE_FORMAT,
            # NOW: today's partition exists in queries as soon as the job writes it.
            f"projection.{key}.range": f"{self._args.projection_start},NOW",
            f"projection.{key}.interval": "1",
            f"projection.{key}.interval.unit": "DAYS",
            "storage.location.template": pulumi.Output.concat(location, key, "=${", key, "}/"),
        }
