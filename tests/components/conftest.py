"""Makes the shared `pulumi_mocks` fixture available to every component test."""

from tests.pulumi_mocks import pulumi_mocks

__all__ = ["pulumi_mocks"]
