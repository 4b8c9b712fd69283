"""Shared Pulumi mocks for component tests.

Usage in a test module::

    from components.storage import Storage, StorageArgs
    from tests.components.graph import Graph

    def test_key_rotates():
        def program() -> None:
            Storage("storage", StorageArgs(name_prefix="glue-etl-dev", ...))

        graph = Graph.run(program, "dev")
        assert graph.inputs("aws:kms/key:Key")["enableKeyRotation"] is True

`Graph.capture(stack, **overrides)` runs the whole program for a real stack file instead, and
`Graph` is the one way tests look resources up (by type and name suffix).

`run_with_mocks` installs fresh mocks and config on every call, never at import: pytest imports
every test module before running any, so import-time `set_mocks` calls from two modules would
clobber each other. The `pulumi_mocks` fixture does the same for tests written in the
`@pulumi.runtime.test` style: it installs fresh mocks (dev config) and returns them.
"""

from __future__ import annotations

import pytest

from preview.mocks import (
    MOCK_ACCOUNT_ID,
    CapturedResource,
    RecordingMocks,
    install_mocks,
    run_with_mocks,
)
from preview.stackfile import stack_config

__all__ = [
    "MOCK_ACCOUNT_ID",
    "CapturedResource",
    "RecordingMocks",
    "pulumi_mocks",
    "run_with_mocks",
    "stack_config",
]


@pytest.fixture
def pulumi_mocks() -> RecordingMocks:
    """Fresh mocks installed for one test (dev stack config); resources are recorded on them."""
    return install_mocks(RecordingMocks(), stack_config("dev"), project="glue-etl", stack="dev")
