"""Usage errors of `python -m etl.local`: exit 2 with exactly one line on stderr, before Spark."""

from __future__ import annotations

import pytest

from etl import local


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--input", "{tmp}/missing"], "input path not found"),
        (["--input", "{tmp}/in", "--output", "{tmp}/in/out"], "must not be inside input"),
        (["--input", "{tmp}/in", "--output", "{tmp}/in"], "must not be inside input"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--input"], "expected one argument"),
    ],
)
def test_usage_error_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, argv, message):
    (tmp_path / "in").mkdir()
    monkeypatch.setattr(local, "local_spark", lambda: pytest.fail("Spark started"))
    code = local.main([arg.format(tmp=tmp_path) for arg in argv])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("etl.local: error: ")
    assert message in lines[0]


def test_every_cli_shares_one_usage_error():
    from ops import errors

    assert errors.UsageError is local.UsageError
    assert local.UsageError("x").exit_code == errors.EXIT_USAGE == 2
