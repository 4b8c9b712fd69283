"""The local session is quiet: Spark's start-up, plan-string and failed-task logs do not bury the
summary."""

from __future__ import annotations

import pytest


def _level(spark, logger: str) -> str:
    log_manager = spark.sparkContext._jvm.org.apache.logging.log4j.LogManager
    return str(log_manager.getLogger(logger).getLevel())


@pytest.mark.parametrize(
    ("logger", "level"),
    [
        ("org.apache.hadoop.util.NativeCodeLoader", "ERROR"),
        ("org.apache.spark.sql.catalyst.util.SparkStringUtils", "ERROR"),
        # A task failing on an unreadable file: the run reports the file itself and goes on.
        ("org.apache.spark.scheduler.TaskSetManager", "OFF"),
        ("org.apache.spark.executor.Executor", "OFF"),
        # Everything else still warns: only the noisy lines are silenced.
        ("org.apache.spark.storage.BlockManager", "WARN"),
        ("org.apache.spark.sql.execution.datasources.InMemoryFileIndex", "WARN"),
    ],
)
def test_the_driver_jvm_runs_with_the_projects_logging(spark, logger, level):
    assert _level(spark, logger) == level


def test_the_driver_binds_to_loopback(spark):
    # Spark warns at start-up when the hostname resolves to loopback and no address is set.
    assert spark.sparkContext.getConf().get("spark.driver.host") in ("127.0.0.1", "localhost")
