"""Fake `awsglue.context`: GlueContext whose S3 reader reads local paths with real Spark.

It honours the CSV options the job relies on (separator, quoteChar -1, no header, attachFilename),
names the single column `col0` as Glue does, and records every read so tests can assert on it.
"""

from __future__ import annotations

from typing import Any

from pyspark import SparkContext
from pyspark.sql import SparkSession
from pyspark.sql import functions as sf

from awsglue.dynamicframe import DynamicFrame

READS: list[dict[str, Any]] = []
EVENTS: list[str] = []


class _DynamicFrameReader:
    def __init__(self, spark: SparkSession) -> None:
        self._spark = spark

    def from_options(
        self,
        connection_type: str,
        connection_options: dict[str, Any],
        format: str,
        format_options: dict[str, Any],
        transformation_ctx: str = "",
    ) -> DynamicFrame:
        READS.append(
            {
                "connection_type": connection_type,
                "connection_options": connection_options,
                "format": format,
                "format_options": format_options,
                "transformation_ctx": transformation_ctx,
            }
        )
        EVENTS.append("read")
        if format != "csv" or str(format_options.get("quoteChar")) != "-1":
            raise ValueError("the fake only models the raw-line CSV read")
        reader = self._spark.read.option("recursiveFileLookup", "true")
        df = reader.text(connection_options["paths"]).withColumnRenamed("value", "col0")
        if "attachFilename" in format_options:
            df = df.withColumn(format_options["attachFilename"], sf.input_file_name())
        return DynamicFrame(df, transformation_ctx)


class GlueContext:
    def __init__(self, spark_context: SparkContext) -> None:
        self.spark_session = SparkSession.builder.getOrCreate()
        self.create_dynamic_frame = _DynamicFrameReader(self.spark_session)
