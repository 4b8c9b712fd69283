"""Shared Pulumi mocks for component tests.

Usage in a test module::

    from components.storage import Storage, StorageArgs
    from tests.pulumi_mocks import run_with_mocks, stack_config

    def test_key_rotates():
        def program() -> None:
            Storage("storage", StorageArgs(name_prefix="glue-etl-dev", ...))

        mocks = run_with_mocks(program, stack_config("dev"), stack="dev")
        assert mocks.one("aws:kms/key:Key").inputs["enableKeyRotation"] is True

To run the whole program for a real stack file, use `preview.capture.capture_stack(stack,
overrides)` instead (what tests/components/graph.py does).

`run_with_mocks` resets the Pulumi runtime and calls `set_mocks` on every call, never at import:
pytest imports every test module before running any, so import-time `set_mocks` calls from two
modules would clobber each other. The `pulumi_mocks` fixture does the same for tests that prefer
`@pulumi.runtime.test` style: it installs fresh mocks (dev config) and returns them. It is
re-exported by `tests/components/conftest.py`; other test folders can import it the same way.
"""

from __future__ import annotations

import pytest

from preview.mocks import (
    MOCK_ACCOUNT_ID,
    MOCK_PARTITION,
    MOCK_REGION,
    CapturedResource,
    RecordingMocks,
    RecordingMonitor,
    install_mocks,
    run_with_mocks,
)
from preview.stackfile import stack_config

__all__ = [
    "MOCK_ACCOUNT_ID",
    "MOCK_PARTITION",
    "MOCK_REGION",
    "CapturedResource",
    "RecordingMocks",
    "RecordingMonitor",
    "pulumi_mocks",
    "run_with_mocks",
    "stack_config",
]


@pytest.fixture
def pulumi_mocks() -> RecordingMocks:
    """Fresh mocks installed for one test (dev stack config); resources are recorded on them."""
    return install_mocks(RecordingMocks(), stack_config("dev"), project="glue-etl", stack="dev")
