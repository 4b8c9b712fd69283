"""The test session's speed settings leave every result as Hadoop and Spark give it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests import spark_speed

HADOOPS = "org.apache.hadoop.fs.LocalFileSystem"


def _modes(root: Path) -> dict[str, int]:
    return {
        path.relative_to(root).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in sorted(root.rglob("*"))
    }


def _file_system(spark, class_name: str) -> object:
    """A local file system of that class, not from Hadoop's cache."""
    jvm = spark._jvm
    conf = jvm.org.apache.hadoop.conf.Configuration(spark._jsc.hadoopConfiguration())
    conf.set("fs.file.impl", class_name)
    fs = jvm.org.apache.hadoop.fs.FileSystem.newInstance(jvm.java.net.URI("file:///"), conf)
    assert fs.getClass().getName() == class_name
    return fs


def _processes_started() -> int:
    """Processes the machine has started since boot (Linux's count in /proc/stat)."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("processes "):
            return int(line.split()[1])
    raise AssertionError("no process count in /proc/stat")


def _processes_for_modes(spark, fs: object, folder: Path, times: int) -> int:
    jvm = spark._jvm
    mode = jvm.org.apache.hadoop.fs.permission.FsPermission("640")
    folder.mkdir()
    paths = []
    for i in range(times):
        (folder / str(i)).touch()
        paths.append(jvm.org.apache.hadoop.fs.Path(f"file://{folder}/{i}"))
    before = _processes_started()
    for path in paths:
        fs.setPermission(path, mode)
    return _processes_started() - before


def _write_with(spark, fs: object, root: Path) -> None:
    jvm = spark._jvm
    permission = jvm.org.apache.hadoop.fs.permission.FsPermission
    path = jvm.org.apache.hadoop.fs.Path
    fs.mkdirs(path(f"file://{root}/plain/nested"))
    fs.mkdirs(path(f"file://{root}/private"), permission("700"))
    fs.create(path(f"file://{root}/plain/nested/part-0.parquet")).close()
    fs.create(path(f"file://{root}/shared.txt")).close()
    fs.setPermission(path(f"file://{root}/shared.txt"), permission("751"))
    fs.mkdirs(path(f"file://{root}/sticky"))
    # Beyond rwxrwxrwx: the forkless file system hands this to Hadoop's chmod.
    fs.setPermission(path(f"file://{root}/sticky"), permission("1777"))


@pytest.mark.skipif(spark_speed._javac() is None, reason="needs a JDK's javac")
def test_the_forkless_file_system_leaves_the_modes_hadoops_chmod_leaves(spark, tmp_path):
    session_fs = spark._jvm.org.apache.hadoop.fs.FileSystem.get(
        spark._jvm.java.net.URI("file:///"), spark._jsc.hadoopConfiguration()
    )
    assert session_fs.getClass().getName() == spark_speed.FILE_SYSTEM_CLASS

    for name, class_name in (("hadoop", HADOOPS), ("forkless", spark_speed.FILE_SYSTEM_CLASS)):
        fs = _file_system(spark, class_name)
        _write_with(spark, fs, tmp_path / name)
        fs.close()

    expected = _modes(tmp_path / "hadoop")
    assert _modes(tmp_path / "forkless") == expected
    # The modes asked for, not the umask's defaults: the comparison above says something.
    assert expected["private"] == 0o700
    assert expected["shared.txt"] == 0o751
    assert expected["sticky"] == 0o1777
    assert ".shared.txt.crc" in expected


@pytest.mark.skipif(not Path("/proc/stat").is_file(), reason="counts processes in /proc/stat")
@pytest.mark.skipif(spark_speed._javac() is None, reason="needs a JDK's javac")
def test_the_forkless_file_system_sets_modes_without_starting_processes(spark, tmp_path):
    hadoop = _file_system(spark, HADOOPS)
    forkless = _file_system(spark, spark_speed.FILE_SYSTEM_CLASS)

    # Hadoop's own starts a chmod per call: the count sees them (other processes only add).
    assert _processes_for_modes(spark, hadoop, tmp_path / "hadoop", 30) >= 30
    # Other processes on the machine may start a few meanwhile, never one per call.
    assert _processes_for_modes(spark, forkless, tmp_path / "forkless", 30) < 15
    hadoop.close()
    forkless.close()
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "forkless").iterdir()} == {0o640}


def test_the_file_system_is_compiled_once(tmp_path, monkeypatch):
    if spark_speed._javac() is None:
        pytest.skip("needs a JDK's javac")
    first = spark_speed.forkless_classes(tmp_path)
    assert first is not None
    assert (first / "glueetl" / "tests" / "ForklessLocalFileSystem.class").is_file()

    def no_compiler(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(spark_speed.subprocess, "run", no_compiler)
    assert spark_speed.forkless_classes(tmp_path) == first
    assert [p.name for p in tmp_path.iterdir()] == [first.name]


def test_a_javac_that_fails_stops_the_session_with_its_message(tmp_path, monkeypatch):
    if spark_speed._javac() is None:
        pytest.skip("needs a JDK's javac")
    broken = tmp_path / "Broken.java"
    broken.write_text("class Broken { not java }\n")
    monkeypatch.setattr(spark_speed, "JAVA_SOURCE", broken)

    with pytest.raises(RuntimeError, match=r"javac failed on .*Broken\.java:\n.*error"):
        spark_speed.forkless_classes(tmp_path / "cache")
    # Nothing half-compiled is left to be taken for the classes later.
    assert list((tmp_path / "cache").iterdir()) == []


def test_without_javac_the_suite_warns_and_keeps_hadoops_file_system(tmp_path, monkeypatch):
    monkeypatch.setattr(spark_speed, "_javac", lambda: None)

    with pytest.warns(UserWarning, match="no javac"):
        java_options, settings = spark_speed.session_options(quick=False)

    assert (java_options, settings) == ((), {})


def test_quick_mode_interprets_expressions_and_jits_quickly_only(monkeypatch):
    monkeypatch.setattr(spark_speed, "forkless_classes", lambda: Path("/classes"))
    forkless = {
        "spark.driver.extraClassPath": "/classes",
        "spark.hadoop.fs.file.impl": spark_speed.FILE_SYSTEM_CLASS,
    }

    assert spark_speed.session_options(quick=False) == ((), forkless)
    assert spark_speed.session_options(quick=True) == (
        ("-XX:TieredStopAtLevel=1",),
        forkless
        | {"spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"},
    )


def test_the_session_runs_in_the_mode_pytest_was_asked_for(spark, pytestconfig):
    quick = pytestconfig.getoption("quick_spark")
    jvm = spark._jvm
    jvm_options = list(
        jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
    )

    assert spark.conf.get("spark.sql.codegen.wholeStage") == ("false" if quick else "true")
    assert spark.conf.get("spark.sql.codegen.factoryMode") == (
        "NO_CODEGEN" if quick else "FALLBACK"
    )
    assert ("-XX:TieredStopAtLevel=1" in jvm_options) == quick
    assert any(option.startswith("-Dlog4j2.configurationFile=") for option in jvm_options)
