"""A run stopped at any point and run again gives the outputs of a clean run and leaves nothing
behind; a second run never disturbs a live one (see etl/publish.py for why)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chispa import assert_df_equality

from etl import batch, checkpoints
from etl.local import main, run
from etl.run_lock import LOCK_FILE, RunLockHeldError
from etl.schema import HOURLY_METRICS_SCHEMA, QUARANTINE_SCHEMA, TRIPS_SCHEMA
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv

PROJECT = Path(__file__).resolve().parents[2]
# Whole runs stopped and run again, some as real processes killed with SIGKILL (about a minute):
# `make test-e2e` runs them, and CI runs it next to `make test`.
pytestmark = pytest.mark.e2e

# The first batch writes 2015-01-14 (a.csv) and 2015-01-15 (c.csv); the second appends to
# 2015-01-15, writes a new date, and brings back a changed a.csv, whose earlier trip and
# quarantine row give way to its new one: 2015-01-14, which held only its trip, is cleared.
FIRST = {
    "a.csv": [
        TLC_HEADER,
        trip_line(pickup_datetime="2015-01-14 09:00:00", dropoff_datetime="2015-01-14 09:20:00"),
        trip_line(total_amount="x"),
    ],
    # Not in the second batch: only the outputs of the first run keep this trip.
    "c.csv": [
        TLC_HEADER,
        trip_line(pickup_datetime="2015-01-15 10:00:00", dropoff_datetime="2015-01-15 10:20:00"),
    ],
}
SECOND = {
    "b.csv": [
        TLC_HEADER,
        trip_line(pickup_datetime="2015-01-15 20:00:00", dropoff_datetime="2015-01-15 20:10:00"),
        trip_line(pickup_datetime="2015-01-16 08:00:00", dropoff_datetime="2015-01-16 08:10:00"),
        trip_line(passenger_count="12"),
    ],
    # a.csv again, changed: one bad row now, which replaces its quarantined row and its trips.
    "a.csv": [TLC_HEADER, trip_line(fare_amount="y")],
}


class SimulatedKill(BaseException):
    """Stands in for SIGKILL in-process: nothing after the checkpoint runs."""


def _write(source: Path, files: dict[str, list[str]]) -> None:
    for name, lines in files.items():
        write_csv(source / name, lines)
        # A rewritten file must look changed (size or time) even within one clock tick.
        os.utime(source / name, ns=(0, 10**9 * len("".join(lines))))


def _tables(spark, root: Path) -> dict[str, object]:
    return {
        "trips": spark.read.schema(TRIPS_SCHEMA).parquet(str(root / "trips")),
        "hourly_metrics": spark.read.schema(HOURLY_METRICS_SCHEMA).parquet(
            str(root / "hourly_metrics")
        ),
        # Run ids differ between runs by design; everything else must match.
        "quarantine": spark.read.schema(QUARANTINE_SCHEMA)
        .parquet(str(root / "quarantine"))
        .drop("run_id"),
    }


def _assert_same_outputs(spark, actual: Path, expected: Path) -> None:
    expected_tables = _tables(spark, expected)
    for name, table in _tables(spark, actual).items():
        assert_df_equality(
            table, expected_tables[name], ignore_row_order=True, ignore_column_order=True
        )
    assert not (actual / "_staging").exists()
    assert not (actual / LOCK_FILE).exists()
    state = json.loads((actual / "_state" / "processed_files.json").read_text())
    assert [(f["path"], f["status"]) for f in state["files"]] == [
        ("a.csv", "loaded"),
        ("b.csv", "loaded"),
        ("c.csv", "loaded"),
    ]


@pytest.fixture(scope="module")
def clean(spark, tmp_path_factory) -> tuple[Path, Path]:
    """The two batches run cleanly: (input after both batches, outputs after the first,
    outputs after both)."""
    root = tmp_path_factory.mktemp("clean")
    _write(root / "in", FIRST)
    run(spark, root / "in", root / "first", full_refresh=False)
    shutil.copytree(root / "first", root / "out")
    _write(root / "in", SECOND)
    run(spark, root / "in", root / "out", full_refresh=False)
    emptied = "pickup_date=2015-01-14"
    assert (root / "first" / "trips" / emptied).exists()
    assert not (root / "out" / "trips" / emptied).exists()
    assert not (root / "out" / "hourly_metrics" / emptied).exists()
    return root, root / "out"


# From the publish marker on, a run's outputs are decided: what is left of it is finished by the
# next run, its input state and its report included. Before it, the next run starts it over.
COMMITTED_POINTS = checkpoints.POINTS[checkpoints.POINTS.index(checkpoints.COMMITTED) :]


def _report_fields(report: dict[str, object]) -> dict[str, object]:
    """A report without what differs between two runs of the same batch."""
    return {k: v for k, v in report.items() if k not in ("run_id", "started_at", "finished_at")}


def _after_first_batch(root: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Input after both batches and a copy of the outputs after the first: (input, output)."""
    source, output = tmp_path / "in", tmp_path / "out"
    shutil.copytree(root / "in", source)
    shutil.copytree(root / "first", output)
    return source, output


def _killed_runs(spark, monkeypatch, source: Path, output: Path, stops: dict[str, str]) -> None:
    """Run once per `stops` entry (run id: checkpoint), each stopped at its checkpoint."""

    def kill() -> None:
        raise SimulatedKill()

    monkeypatch.setattr(checkpoints, "_kill", kill)
    for run_id, point in stops.items():
        with monkeypatch.context() as killed:
            killed.setenv(checkpoints.KILL_AT_ENV, point)
            killed.setattr(batch, "new_run_id", lambda run_id=run_id: run_id)
            with pytest.raises(SimulatedKill):
                run(spark, source, output, full_refresh=False)
        # A real kill leaves it; see the SIGKILL test.
        (output / LOCK_FILE).unlink(missing_ok=True)


@pytest.mark.parametrize("point", checkpoints.POINTS)
def test_a_run_stopped_at_any_point_and_rerun_equals_a_clean_run(
    spark, tmp_path, clean, monkeypatch, point
):
    root, expected = clean
    source, output = _after_first_batch(root, tmp_path)
    dead_id = "20150101T000000000000Z-dead00"
    _killed_runs(spark, monkeypatch, source, output, {dead_id: point})

    rerun = run(spark, source, output, full_refresh=False)

    _assert_same_outputs(spark, output, expected)
    assert rerun.rows_read == rerun.rows_written + rerun.rows_quarantined + rerun.duplicates_dropped
    dead_report = output / "_reports" / f"{dead_id}.json"
    if point not in COMMITTED_POINTS:
        assert (rerun.files_processed, rerun.recovered_runs) == (2, [])
        assert not dead_report.exists()
        return
    # The files are not read again: the dead run recorded them, through its successor.
    assert (rerun.files_processed, rerun.rows_read, rerun.rows_written) == (0, 0, 0)
    # The dead run's report is the one a clean run writes, and the rerun's names it.
    clean_report = json.loads((expected / "_reports" / "latest.json").read_text())
    assert _report_fields(json.loads(dead_report.read_text())) == _report_fields(clean_report)
    assert [r.run_id for r in rerun.recovered_runs] == [dead_id]
    assert rerun.recovered_runs[0].partitions_written == clean_report["partitions_written"]
    latest = json.loads((output / "_reports" / "latest.json").read_text())
    assert latest["run_id"] == rerun.run_id
    assert latest["recovered_runs"][0]["run_id"] == dead_id


@pytest.mark.parametrize(
    "point", [checkpoints.SWAPPING, checkpoints.RECORDED, checkpoints.REPORTED]
)
def test_a_run_stopped_while_it_finishes_a_dead_runs_publish_is_recovered_the_same_way(
    spark, tmp_path, clean, monkeypatch, point
):
    root, expected = clean
    source, output = _after_first_batch(root, tmp_path)
    # The first run dies at its commit, the second while it finishes the first's publish.
    stops = {"r-1-dead": checkpoints.COMMITTED, "r-2-dead": point}
    _killed_runs(spark, monkeypatch, source, output, stops)

    rerun = run(spark, source, output, full_refresh=False)

    _assert_same_outputs(spark, output, expected)
    assert ([r.run_id for r in rerun.recovered_runs], rerun.files_processed) == (["r-1-dead"], 0)
    clean_report = json.loads((expected / "_reports" / "latest.json").read_text())
    dead = json.loads((output / "_reports" / "r-1-dead.json").read_text())
    assert _report_fields(dead) == _report_fields(clean_report)


def test_a_process_killed_inside_publish_recovers_on_the_next_run(spark, tmp_path, clean):
    root, expected = clean
    source, output = _after_first_batch(root, tmp_path)
    environment = {**os.environ, checkpoints.KILL_AT_ENV: checkpoints.SWAPPING}

    killed = subprocess.run(
        [sys.executable, "-m", "etl.local", "--input", str(source), "--output", str(output)],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        check=False,
        timeout=600,
    )

    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    # Killed between the two renames of a partition: it is in neither place, only in staging.
    assert (output / "_staging").exists()
    assert (output / LOCK_FILE).exists()

    run(spark, source, output, full_refresh=False)

    _assert_same_outputs(spark, output, expected)


def test_reprocessing_after_a_state_reset_or_a_move_adds_nothing(spark, tmp_path, clean):
    root, expected = clean
    output = tmp_path / "out"
    shutil.copytree(expected, output)
    quarantined = _tables(spark, output)["quarantine"].count()

    moved = tmp_path / "elsewhere" / "input"
    shutil.copytree(root / "in", moved)
    after_move = run(spark, moved, output, full_refresh=False)
    assert after_move.files_processed == 0  # same paths under the root, sizes and times

    (output / "_state" / "processed_files.json").unlink()
    reset = run(spark, moved, output, full_refresh=False)

    assert reset.files_processed == 3
    # Every row comes back as what it is: already written (a duplicate) or quarantined again.
    assert (reset.rows_written, reset.rows_replaced) == (0, 0)
    assert reset.duplicates_dropped == reset.rows_read - reset.rows_quarantined
    assert _tables(spark, output)["quarantine"].count() == quarantined
    _assert_same_outputs(spark, output, expected)


def test_a_second_run_leaves_a_live_run_alone(spark, tmp_path, capsys):
    source, output = tmp_path / "in", tmp_path / "out"
    _write(source, FIRST)
    output.mkdir()
    # A live process (this one) holds the lock: the run does nothing and says why.
    holder = {"run_id": "r-live", "pid": os.getpid(), "host": os.uname().nodename}
    (output / LOCK_FILE).write_text(json.dumps(holder))
    (output / "_staging" / "r-live").mkdir(parents=True)

    with pytest.raises(RunLockHeldError, match="another run \\(r-live"):
        run(spark, source, output, full_refresh=False)
    assert main(["--input", str(source), "--output", str(output)]) == 0
    assert "another run (r-live" in capsys.readouterr().err
    assert (output / "_staging" / "r-live").exists()
    assert not (output / "trips").exists()

    # Once its process is gone, the lock and the dead run's staging are taken over and cleared.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], check=True, capture_output=True
    )
    holder["pid"] = int(dead.stdout)
    (output / LOCK_FILE).write_text(json.dumps(holder))

    report = run(spark, source, output, full_refresh=False)

    assert (report.rows_read, report.rows_written) == (3, 2)
    assert not (output / "_staging").exists()
    assert not (output / LOCK_FILE).exists()


def _wait_for(predicate, process: subprocess.Popen, timeout: float = 300.0) -> bool:
    """Poll until `predicate()` holds (True) or the process ends first (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if process.poll() is not None:
            return predicate()
        time.sleep(0.01)
    return False


def test_a_process_killed_while_staging_recovers_on_the_next_run(spark, tmp_path):
    source, killed_out, clean_out = tmp_path / "in", tmp_path / "killed", tmp_path / "clean"
    # Enough rows that writing the staged trips takes a while: the kill lands inside that write.
    for day in range(1, 4):
        pickups = [
            f"2015-01-{day:02d} {i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
            for i in range(10_000)
        ]
        lines = [TLC_HEADER] + [
            trip_line(pickup_datetime=p, dropoff_datetime=f"2015-01-{day:02d} 23:59:59")
            for p in pickups
        ]
        write_csv(source / f"day{day}.csv", lines)
    process = subprocess.Popen(
        [sys.executable, "-m", "etl.local", "--input", str(source), "--output", str(killed_out)],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        staging = killed_out / "_staging"
        writing = _wait_for(lambda: any(staging.glob("*/trips/_temporary")), process)
        process.kill()
    finally:
        process.wait(timeout=60)
    assert writing, "the run ended before it started writing its staged trips"
    assert not (killed_out / "trips").exists()

    rerun = run(spark, source, killed_out, full_refresh=False)
    run(spark, source, clean_out, full_refresh=False)

    assert (rerun.rows_read, rerun.rows_written) == (30_000, 30_000)
    for table, schema in (("trips", TRIPS_SCHEMA), ("hourly_metrics", HOURLY_METRICS_SCHEMA)):
        assert_df_equality(
            spark.read.schema(schema).parquet(str(killed_out / table)),
            spark.read.schema(schema).parquet(str(clean_out / table)),
            ignore_row_order=True,
        )
    assert not (killed_out / "_staging").exists()
