"""SparkSession for local runs and tests, configured like a small Glue 5.1 job."""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession


def local_spark(app_name: str = "glue-etl-local", shuffle_partitions: int = 4) -> SparkSession:
    """Return a local[2] session with UI off and few shuffle partitions (fast on a laptop)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.adaptive.enabled", "true")
        .getOrCreate()
    )
