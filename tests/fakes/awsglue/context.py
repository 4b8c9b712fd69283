"""Fake `awsglue.context`: a GlueContext over the test's real local Spark session.

It offers no DynamicFrame reader on purpose: the job reads its input with Spark itself, and a
DynamicFrame read (the bookmarked path the job no longer uses) fails here with AttributeError.
"""

from __future__ import annotations

from pyspark import SparkContext
from pyspark.sql import SparkSession

# Job lifecycle calls in order (`init`, `commit`), shared with the fake `awsglue.job`.
EVENTS: list[str] = []


class GlueContext:
    def __init__(self, spark_context: SparkContext) -> None:
        self.spark_context = spark_context
        self.spark_session = SparkSession.builder.getOrCreate()
