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
        (["--input", "{tmp}/in", "--output", "{tmp}/a_file/out"], "a_file is a file"),
        (["--input", "{tmp}/in", "--output", "{tmp}/out[1]"], "'[' is a pattern character"),
        # A folder no one can create in, whatever the permission bits say (root on Linux).
        (["--input", "{tmp}/in", "--output", "/proc/etl-out"], "cannot be created"),
        (["--input", "{tmp}/in", "--output", "{tmp}/out*"], "'*' is a pattern character"),
    ],
)
def test_usage_error_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, argv, message):
    (tmp_path / "in").mkdir()
    (tmp_path / "a_file").write_text("")
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


def _one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert (captured.out, len(lines)) == ("", 1)
    return lines[0]


def test_an_unwritable_output_is_one_line_before_spark(tmp_path, capsys, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "locked").mkdir()
    # Root may write anywhere, so the check the runner makes is what is replaced here.
    locked = str(tmp_path / "locked")
    monkeypatch.setattr(local.os, "access", lambda path, mode: str(path) != locked)
    monkeypatch.setattr(local, "local_spark", lambda: pytest.fail("Spark started"))

    code = local.main(["--input", str(tmp_path / "in"), "--output", f"{locked}/out"])

    assert code == 2
    assert _one_error_line(capsys) == (
        f"etl.local: error: output path is not writable: {locked}/out ({locked} is read-only)"
    )


def test_spark_that_cannot_start_is_one_line(tmp_path, capsys, monkeypatch):
    from pyspark.errors import PySparkRuntimeError

    def no_java():
        raise PySparkRuntimeError(error_class="JAVA_GATEWAY_EXITED", message_parameters={})

    (tmp_path / "in").mkdir()
    monkeypatch.setattr(local, "local_spark", no_java)

    code = local.main(["--input", str(tmp_path / "in"), "--output", str(tmp_path / "out")])

    assert code == 1
    line = _one_error_line(capsys)
    assert line.startswith("etl.local: error: Spark could not start (")
    assert line.endswith("); PySpark needs Java 17")
