"""Reading IAM-style policy documents as the engine hands them over (JSON string or object)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def policy_document(policy: Any) -> tuple[Mapping[str, Any], str | None]:
    """The parsed document, or an empty one and the reason it could not be read."""
    if isinstance(policy, Mapping):
        return policy, None
    if not isinstance(policy, str) or not policy:
        return {}, "policy document is missing"
    try:
        document = json.loads(policy)
    except json.JSONDecodeError:
        return {}, "policy is not valid JSON"
    if not isinstance(document, Mapping):
        return {}, "policy is not a JSON object"
    return document, None


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The Statement list (a single statement object is allowed by IAM)."""
    found = document.get("Statement") or []
    return [found] if isinstance(found, Mapping) else list(found)


def as_list(value: Any) -> list[str]:
    """Action/Resource/condition values: IAM allows a string or a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def is_everyone(principal: Any) -> bool:
    """True for the anonymous principal, written "*" or {"AWS": "*"}."""
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and "*" in as_list(principal.get("AWS"))
