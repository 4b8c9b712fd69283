"""SparkSession for local runs and tests, configured like a small Glue 5.1 job."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from pyspark.sql import SparkSession

from etl.jvm_classes import pin_pyspark_classes

# Spark's own defaults (log4j2-defaults.properties in spark-core) at WARN, minus lines that bury
# the run summary on a laptop and say nothing about the data: Hadoop's native library is missing
# (the Java fallback is fine), the job's plans have more columns than
# spark.sql.debug.maxToStringFields (only their log strings are cut) and make big task binaries.
# A task that fails on an unreadable input file logs its stack trace from several places (the
# batch pass and the single-file check that finds the file); the run reports that file itself
# (failed_files) and goes on, and any other failure still reaches the caller with Spark's full
# message, so those loggers are off. Using a file of our own also stops
# Spark printing "Setting default log level" at start-up.
# Loggers turned down, by the alias log4j's properties format needs for each.
_QUIET_LOGGERS = {
    "jetty": ("org.sparkproject.jetty.util.component.AbstractLifeCycle", "error"),
    "parquet": ("org.apache.parquet.CorruptStatistics", "error"),
    "nativecode": ("org.apache.hadoop.util.NativeCodeLoader", "error"),
    "plan_strings": ("org.apache.spark.sql.catalyst.util.SparkStringUtils", "error"),
    "task_binary": ("org.apache.spark.scheduler.DAGScheduler", "error"),
    "executor": ("org.apache.spark.executor.Executor", "off"),
    "task_set": ("org.apache.spark.scheduler.TaskSetManager", "off"),
    "writer": ("org.apache.spark.sql.execution.datasources.FileFormatWriter", "off"),
    "utils": ("org.apache.spark.util.Utils", "off"),
    "noop_task": ("org.apache.spark.sql.execution.datasources.v2.DataWritingSparkTask", "off"),
    "noop_write": (
        "org.apache.spark.sql.execution.datasources.v2.OverwriteByExpressionExec",
        "off",
    ),
}
LOG4J2_PROPERTIES = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
""" + "".join(
    f"logger.{alias}.name = {name}\nlogger.{alias}.level = {level}\n"
    for alias, (name, level) in _QUIET_LOGGERS.items()
)


def log4j2_config() -> Path:
    """The logging configuration above as a file the driver JVM can read (rewritten only when
    its content changed, so concurrent runs never see a half-written file)."""
    path = Path(tempfile.gettempdir()) / "glue-etl-log4j2.properties"
    if not path.is_file() or path.read_text() != LOG4J2_PROPERTIES:
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        partial.write_text(LOG4J2_PROPERTIES)
        partial.replace(path)
    return path


def local_spark(
    app_name: str = "glue-etl-local",
    shuffle_partitions: int = 4,
    *,
    java_options: Sequence[str] = (),
    settings: Mapping[str, str] | None = None,
) -> SparkSession:
    """Return a local[2] session with UI off and few shuffle partitions (fast on a laptop), and
    the classes PySpark names by short name, Spark SQL's functions among them, found once
    (`etl.jvm_classes.pin_pyspark_classes`), as the Glue job has them.

    `java_options` are added to the driver JVM's options (when this call starts Spark) and
    `settings` to the builder's: the test suite's own speed settings."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    # A local run talks to itself only: binding to loopback avoids Spark's start-up warning that
    # the hostname resolves to a loopback address.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    driver_options = " ".join([f"-Dlog4j2.configurationFile={log4j2_config()}", *java_options])
    builder = (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.driver.extraJavaOptions", driver_options)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.adaptive.enabled", "true")
    )
    for key, value in (settings or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    pin_pyspark_classes(session.sparkContext._jvm)
    return session
