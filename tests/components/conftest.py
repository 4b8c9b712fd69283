"""Component test fixtures: the shared mocks fixture and one capture per stack variant.

Captures are session-scoped: the program runs once per variant (about a second each) and every
test reads the recorded inputs.
"""

from __future__ import annotations

import pytest

from preview.stackfile import STACKS
from tests.components.graph import Graph
from tests.pulumi_mocks import pulumi_mocks

__all__ = ["pulumi_mocks"]


@pytest.fixture(scope="module", params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    """Each committed stack file in turn, for modules that build their component per stack."""
    return request.param


@pytest.fixture(scope="session")
def dev() -> Graph:
    """The program with the real Pulumi.dev.yaml."""
    return Graph.capture("dev")


@pytest.fixture(scope="session")
def prod() -> Graph:
    """The program with the real Pulumi.prod.yaml."""
    return Graph.capture("prod")


@pytest.fixture(scope="session")
def event_mode() -> Graph:
    """Pulumi.dev.yaml with crawlerRecrawl: CRAWL_EVENT_MODE."""
    return Graph.capture("dev", crawlerRecrawl="CRAWL_EVENT_MODE")


@pytest.fixture(scope="session")
def prod_event_mode() -> Graph:
    """Pulumi.prod.yaml with crawlerRecrawl: CRAWL_EVENT_MODE."""
    return Graph.capture("prod", crawlerRecrawl="CRAWL_EVENT_MODE")


@pytest.fixture(params=[("dev", "event_mode"), ("prod", "prod_event_mode")], ids=["dev", "prod"])
def event_stack(request: pytest.FixtureRequest) -> tuple[str, Graph]:
    """(stack name, event-mode capture) for each committed stack file."""
    stack, fixture = request.param
    return stack, request.getfixturevalue(fixture)
