"""Query helpers over a captured stack: find resources, read their JSON policies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from preview.capture import capture_stack
from preview.mocks import CapturedResource


@dataclass
class Graph:
    """The resources of one captured stack."""

    stack: str
    resources: list[CapturedResource]

    @classmethod
    def capture(cls, stack: str, **overrides: Any) -> Graph:
        return cls(stack, capture_stack(stack, overrides))

    def all(self, type_token: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name_suffix: str = "") -> CapturedResource:
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
