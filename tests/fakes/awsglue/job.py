"""Fake `awsglue.job`: records init/commit order into the shared event log."""

from __future__ import annotations

from typing import Any

from awsglue.context import EVENTS, GlueContext


class Job:
    def __init__(self, glue_context: GlueContext) -> None:
        self.glue_context = glue_context
        self.name: str | None = None
        self.args: dict[str, Any] = {}

    def init(self, name: str, args: dict[str, Any]) -> None:
        self.name, self.args = name, args
        EVENTS.append("init")

    def commit(self) -> None:
        EVENTS.append("commit")
