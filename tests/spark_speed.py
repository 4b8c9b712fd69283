"""What the test suite's SparkSession changes from a local run's, for speed only.

The suite is a few hundred small Spark jobs, most over a handful of rows: the JVM's work is
planning, compiling and starting processes, not moving data.

Every test session, `make test-e2e` and `make bench-smoke` included, writes local files through
`tests/java/ForklessLocalFileSystem.java`. With no native Hadoop library (as here), Hadoop's
local file system runs `chmod` for every folder and file it writes, and for each checksum file:
several hundred processes a minute. The class sets the same modes through Java instead (listing
still runs `ls -ld` per file, as Hadoop's does). It is compiled on first use into the project's
virtualenv, once per version of its source and of Spark's Hadoop jar. Without `javac` (a JRE
only) each pytest process says so once and runs with Hadoop's own; a `javac` that fails stops
the session with its message, since the source and Hadoop then disagree.

Two more apply when pytest runs with `--quick-spark`, which `make test` passes (with
`-n 2`: two pytest processes). `make test-e2e` and `make bench-smoke`, which CI also runs, do
not, so every CI run still runs the job's expressions as generated code over the whole sample:

- **Expressions interpreted, not compiled to Java** (`spark.sql.codegen.wholeStage` off,
  `spark.sql.codegen.factoryMode=NO_CODEGEN`, the setting Spark's own expression tests use to
  check that both ways compute the same values). Compiling each new plan costs more than
  running it over a few rows. A value that only a unit test feeds is then never computed by
  generated code: a bug in Spark that only its generated code has would pass `make test`.
- **Only the JVM's quick JIT compiler** (`-XX:TieredStopAtLevel=1`). Its optimising compiler
  spends a core on code that runs a few rows; with two pytest workers that core is the other
  worker's.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pyspark

JAVA_SOURCE = Path(__file__).parent / "java" / "ForklessLocalFileSystem.java"
FILE_SYSTEM_CLASS = "glueetl.tests.ForklessLocalFileSystem"
INTERPRETED = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}
QUICK_JIT = ("-XX:TieredStopAtLevel=1",)


def _spark_jars() -> Path:
    return Path(pyspark.__file__).parent / "jars"


def _javac() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "javac").is_file():
        return str(Path(home) / "bin" / "javac")
    return shutil.which("javac")


def forkless_classes(cache: Path | None = None) -> Path | None:
    """The folder holding the compiled file system, compiled on first use; None without javac.

    Kept in the virtualenv (`cache` elsewhere) by a hash of the source and of Spark's Hadoop jar,
    so pytest workers and later sessions share it. Each compile writes its own folder and
    renames it into place: a worker never sees another's half-written classes."""
    javac = _javac()
    hadoop = sorted(_spark_jars().glob("hadoop-client-api-*.jar"))
    if javac is None or not hadoop:
        warnings.warn(
            "no javac (or no Hadoop jar in pyspark): tests run Hadoop's local file system, "
            "which starts a chmod process per file written (slower, same results)",
            stacklevel=2,
        )
        return None
    digest = hashlib.sha256(JAVA_SOURCE.read_bytes() + hadoop[-1].name.encode()).hexdigest()
    root = cache or Path(sys.prefix) / "glue-etl-test-classes"
    target = root / digest[:16]
    if target.is_dir():
        return target
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=root, prefix=".compiling-"))
    try:
        # Class files the JVM that runs Spark (Java 17) reads, whichever JDK compiles them.
        command = [javac, "--release", "17", "-nowarn", "-cp", str(hadoop[-1])]
        subprocess.run(
            [*command, "-d", str(partial), str(JAVA_SOURCE)], check=True, capture_output=True
        )
        partial.rename(target)
    except subprocess.CalledProcessError as failed:
        raise RuntimeError(f"javac failed on {JAVA_SOURCE}:\n{failed.stderr.decode()}") from None
    except OSError:
        # Another worker renamed its identical copy first; anything else is a real failure.
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def session_options(quick: bool) -> tuple[tuple[str, ...], dict[str, str]]:
    """The driver JVM options and session settings of the test session (see the module doc)."""
    settings: dict[str, str] = {}
    classes = forkless_classes()
    if classes is not None:
        settings["spark.driver.extraClassPath"] = str(classes)
        settings["spark.hadoop.fs.file.impl"] = FILE_SYSTEM_CLASS
    if not quick:
        return (), settings
    return QUICK_JIT, settings | INTERPRETED
