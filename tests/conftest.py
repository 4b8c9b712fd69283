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
    from etl.session import local_spark

    session = local_spark("glue-etl-tests")
    yield session
    session.stop()
