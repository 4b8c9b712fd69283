"""Session-wide fixtures. Spark is started once, lazily, only by tests that ask for it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

# Workers must run the same interpreter as the driver (the project's .venv).
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--quick-spark",
        action="store_true",
        help="interpret Spark expressions and JIT-compile quickly only (`make test`; see "
        "tests/spark_speed.py): less CPU over many tiny jobs",
    )


@pytest.fixture(scope="session")
def spark(pytestconfig: pytest.Config) -> Iterator[object]:
    from etl.pipeline import SESSION_SETTINGS
    from etl.session import local_spark
    from tests.spark_speed import session_options

    java_options, settings = session_options(pytestconfig.getoption("quick_spark"))
    session = local_spark("glue-etl-tests", java_options=java_options, settings=settings)
    # The settings every run applies first: a test of one step, in whatever order tests run,
    # sees the session the job's steps see.
    for key, value in SESSION_SETTINGS.items():
        session.conf.set(key, value)
    yield session
    session.stop()
