"""Pulumi.yaml documents every config key with the contract's defaults; stack files are tagged."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from components.config import CONFIG_KEYS, StackConfig, parse_config, project_settings
from preview.stackfile import PROJECT_ROOT, STACKS, encode_value

PYTHON_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list}


def _project_config() -> dict[str, dict]:
    project = yaml.safe_load((PROJECT_ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "glue-etl"
    assert project["runtime"] == {
        "name": "python",
        "options": {"toolchain": "pip", "virtualenv": ".venv"},
    }
    return project["config"]


def test_every_config_field_is_documented_with_its_default() -> None:
    documented = _project_config()
    defaults = parse_config({}, "any")
    fields = [f.name for f in dataclasses.fields(StackConfig) if f.name not in ("project", "stack")]
    assert sorted(documented) == sorted(f"glue-etl:{key}" for key in CONFIG_KEYS)
    for name, key in zip(fields, CONFIG_KEYS, strict=True):
        entry = documented[f"glue-etl:{key}"]
        assert entry["description"].strip(), name
        assert isinstance(entry["default"], PYTHON_TYPES[entry["type"]]), name
        expected = getattr(defaults, name)
        assert entry["default"] == (list(expected) if isinstance(expected, tuple) else expected)


def test_documented_defaults_parse() -> None:
    raw = {key: encode_value(entry["default"]) for key, entry in _project_config().items()}
    assert parse_config(project_settings(raw), "any") == StackConfig(
        project="glue-etl", stack="any"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_stack_file_sets_region_and_default_tags(stack: str) -> None:
    config = yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert config["aws:region"] == "us-east-1"
    assert config["aws:defaultTags"] == {
        "tags": {"Project": "glue-etl", "Environment": stack, "ManagedBy": "pulumi"}
    }
