from pathlib import Path

import pytest

from tools import config_reference

ROOT = Path(__file__).resolve().parents[2]


def test_readme_reference_matches_pulumi_yaml():
    assert config_reference.section(ROOT / "README.md") == config_reference.render(
        ROOT / "Pulumi.yaml"
    ), "README.md config reference is stale: run `make docs`"


def test_every_documented_key_has_type_default_and_description():
    import yaml

    config = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    glue_keys = [k for k in config if k.startswith("glue-etl:")]
    assert len(glue_keys) == 16
    for key in glue_keys:
        assert {"type", "default", "description"} <= set(config[key]), key


def test_check_fails_on_a_stale_reference(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text(f"x\n{config_reference.START}\n| old |\n{config_reference.END}\n")
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    monkeypatch.setattr(config_reference, "ROOT", tmp_path)
    assert config_reference.main(["--check"]) == 1
    assert config_reference.main([]) == 0
    assert config_reference.main(["--check"]) == 0
    assert "`glue-etl:workerType` | string | `G.1X`" in readme.read_text()


@pytest.mark.parametrize(
    ("value", "shown"), [(True, "`true`"), ("", '`""`'), (["a", "b"], "`[a, b]`"), (2, "`2`")]
)
def test_defaults_render_as_code(value, shown):
    assert config_reference._default(value) == shown
