"""Offline preview of the Pulumi program: runs it under mocks with a real stack file."""
