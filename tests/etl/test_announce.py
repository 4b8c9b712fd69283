"""Runs waiting to be announced: written by whoever finishes a publish that asks for it,
announced oldest first by the next run that announces, and kept until they are."""

from __future__ import annotations

import json

import pytest

from etl import checkpoints
from etl.announce import AnnounceError, announce_waiting, waiting_runs, write_entry
from etl.batch import run_batch
from etl.contract import DEFAULT_DEDUPE_KEYS
from etl.report import RunReport
from etl.storage import Storage
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv


class _Killed(BaseException):
    """Stands in for the driver lost at a checkpoint: nothing after it runs."""


def _report(run_id: str, *dates: str) -> RunReport:
    return RunReport(run_id, "t0", "t1", "incremental", 1, 1, 0, 0, 1, partitions_written=[*dates])


def test_waiting_runs_are_announced_oldest_first_and_a_refused_one_stays_waiting(spark, tmp_path):
    storage, output = Storage(spark), (tmp_path / "out").as_uri()
    for run in (_report("r-3", "c"), _report("r-1", "a"), _report("r-2", "b")):
        write_entry(storage, output, run)
    seen: list[str] = []

    def refuse_r2(run: RunReport) -> None:
        seen.append(run.run_id)
        if run.run_id == "r-2":
            raise RuntimeError("throttled")

    with pytest.raises(AnnounceError, match=r"^1 run\(s\) not announced.*: r-2: .*throttled$"):
        announce_waiting(storage, output, refuse_r2)

    # The refused run holds back no other.
    assert seen == ["r-1", "r-2", "r-3"]
    assert waiting_runs(storage, output) == [_report("r-2", "b")]

    announced = announce_waiting(storage, output, lambda run: seen.append(run.run_id))

    assert announced == [_report("r-2", "b")]
    assert seen == ["r-1", "r-2", "r-3", "r-2"]
    assert waiting_runs(storage, output) == []


def test_an_entry_holds_the_runs_own_report_and_finished_runs_without_one_are_announced_too(
    spark, tmp_path
):
    storage, output = Storage(spark), (tmp_path / "out").as_uri()
    dead = _report("r-2", "b")
    live = RunReport(**{**vars(_report("r-3", "c")), "recovered_runs": [dead]})
    write_entry(storage, output, dead)
    write_entry(storage, output, live)
    # Committed by an earlier version of the job, which wrote no entry.
    older = _report("r-1", "a")
    seen: list[RunReport] = []
    entry = json.loads((tmp_path / "out" / "_announce" / "r-3.json").read_text())

    announce_waiting(storage, output, seen.append, [older, dead, live])

    # Each run once, with its own counts: the live run's entry does not repeat the dead one.
    assert entry["recovered_runs"] == []
    assert seen == [older, dead, RunReport(**{**vars(live), "recovered_runs": []})]


_NEXT_DAY = {"pickup_datetime": "2015-01-16 08:00:00", "dropoff_datetime": "2015-01-16 08:20:00"}


def _batch(spark, source, output, announce=None) -> RunReport:
    return run_batch(
        spark,
        source.as_uri(),
        output.as_uri(),
        full_refresh=False,
        dedupe_keys=DEFAULT_DEDUPE_KEYS,
        announce=announce,
    )


def test_a_local_run_announces_nothing_and_leaves_a_dead_runs_entry_for_the_next_that_does(
    spark, tmp_path, monkeypatch
):
    source, output = tmp_path / "in", tmp_path / "out"
    write_csv(source / "a.csv", [TLC_HEADER, trip_line()])

    def kill() -> None:
        raise _Killed

    with monkeypatch.context() as killed:
        killed.setattr(checkpoints, "_kill", kill)
        killed.setenv(checkpoints.KILL_AT_ENV, checkpoints.COMMITTED)
        with pytest.raises(_Killed):
            _batch(spark, source, output, announce=lambda run: None)
    write_csv(source / "b.csv", [TLC_HEADER, trip_line(**_NEXT_DAY)])

    local = _batch(spark, source, output)

    [dead] = local.recovered_runs
    # The local run finished the dead run's publish and wrote its entry; its own has none.
    assert [p.name for p in (output / "_announce").iterdir()] == [f"{dead.run_id}.json"]
    announced: list[RunReport] = []

    last = _batch(spark, source, output, announce=announced.append)

    assert [run.run_id for run in announced] == [dead.run_id, last.run_id]
    assert announced[0] == dead
    assert list((output / "_announce").iterdir()) == []
