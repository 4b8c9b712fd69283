"""The one query helper over recorded resources: find them by type and name suffix, read their
JSON policies. Used for whole-stack captures and for single components run under mocks."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from preview.capture import capture_stack
from preview.mocks import CapturedResource, run_with_mocks
from preview.stackfile import stack_config


@dataclass
class Graph:
    """Resources in declaration order, as the mocks recorded them."""

    resources: list[CapturedResource]

    @classmethod
    def capture(cls, stack: str, **overrides: Any) -> Graph:
        """The whole program with the real `Pulumi.<stack>.yaml` (plus overrides)."""
        return cls(capture_stack(stack, overrides))

    @classmethod
    def run(cls, program: Callable[[], None], stack: str) -> Graph:
        """`program` (e.g. one component) under fresh mocks with the stack file's config."""
        return cls(run_with_mocks(program, stack_config(stack), stack=stack).resources)

    def all(self, type_token: str) -> list[CapturedResource]:
        """Every resource of this type, in declaration order."""
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name_suffix: str = "") -> CapturedResource:
        """The single resource of this type whose logical name ends with `name_suffix`."""
        found = [r for r in self.all(type_token) if r.name.endswith(name_suffix)]
        assert len(found) == 1, f"{type_token} *{name_suffix}: {[r.name for r in found]}"
        return found[0]

    def inputs(self, type_token: str, name_suffix: str = "") -> dict[str, Any]:
        return self.one(type_token, name_suffix).inputs

    def policy(self, type_token: str, name_suffix: str = "", field: str = "policy") -> dict:
        return json.loads(self.inputs(type_token, name_suffix)[field])

    def statements(self, type_token: str, name_suffix: str = "") -> dict[str, dict]:
        """Statements of a resource's policy, keyed by Sid."""
        return {s["Sid"]: s for s in self.policy(type_token, name_suffix)["Statement"]}
