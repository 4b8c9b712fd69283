"""Read a real `Pulumi.<stack>.yaml`: the flat string config the Pulumi runtime expects, or the
validated `StackConfig` the program builds from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from components.config import NAMESPACE, StackConfig, parse_config, project_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STACKS: tuple[str, ...] = ("dev", "prod")


class StackFileError(ValueError):
    """A stack file that is missing or cannot be read as Pulumi stack config (one-line message)."""


def stack_file(stack: str) -> Path:
    """Path of the committed stack file for `stack`."""
    return PROJECT_ROOT / f"Pulumi.{stack}.yaml"


def stack_config(stack: str, overrides: dict[str, Any] | None = None) -> dict[str, str]:
    """Config of `stack` as `{"glue-etl:key": "value"}`, values encoded like the Pulumi CLI does.

    Structured values (lists, objects) become JSON and booleans `true`/`false`, which is what
    `pulumi.Config.get_object` / `get_bool` parse. `overrides` uses short keys (`"workerType"`)
    for the project namespace or full keys (`"aws:region"`).
    """
    path = stack_file(stack)
    if not path.is_file():
        raise StackFileError(f"no stack file {path.name} (known stacks: {', '.join(STACKS)})")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise StackFileError(f"{path.name} is not valid YAML{where}: {problem}") from None
    config = raw.get("config") if isinstance(raw, dict) else None
    if not isinstance(raw, dict) or not isinstance(config or {}, dict):
        raise StackFileError(f"{path.name} must be a mapping with a `config:` mapping")
    values: dict[str, Any] = dict(config or {})
    for key, value in (overrides or {}).items():
        values[key if ":" in key else f"{NAMESPACE}:{key}"] = value
    return {key: encode_value(value) for key, value in values.items()}


def encode_value(value: Any) -> str:
    """A YAML config value as the string the Pulumi CLI hands the program."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def load_stack_config(stack: str, overrides: dict[str, Any] | None = None) -> StackConfig:
    """The validated StackConfig of the committed stack file (raises ConfigError when invalid)."""
    return parse_config(project_settings(stack_config(stack, overrides)), stack)
