"""Session-wide fixtures. Spark is started once, lazily, only by tests that ask for it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

# Workers must run the same interpreter as the driver (the project's .venv).
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    from etl.pipeline import SESSION_SETTINGS
    from etl.session import local_spark

    session = local_spark("glue-etl-tests")
    # The settings every run applies first: a test of one step, in whatever order tests run,
    # sees the session the job's steps see.
    for key, value in SESSION_SETTINGS.items():
        session.conf.set(key, value)
    yield session
    session.stop()
