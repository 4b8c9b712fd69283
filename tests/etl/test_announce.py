"""Runs waiting to be announced: left by whoever finishes a publish that asks for it, announced
step by step, oldest first, by the next run that announces, and kept until they are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl import checkpoints
from etl.announce import AnnounceError, Step, announce_waiting, waiting_run_ids, write_entry
from etl.batch import run_batch
from etl.contract import DEFAULT_DEDUPE_KEYS
from etl.publish import PUBLISH_MARKER, finish_publish
from etl.report import RunReport
from etl.storage import Storage
from tests.etl.helpers import TLC_HEADER, trip_line, write_csv


class _Killed(BaseException):
    """Stands in for the driver lost mid-run: nothing after it runs."""


def _report(run_id: str, *dates: str) -> RunReport:
    return RunReport(run_id, "t0", "t1", "incremental", 1, 1, 0, 0, 1, partitions_written=[*dates])


def _recorder(seen: list[str], name: str, refuse: str = "") -> Step:
    """A step that notes `name:<run id>` for each run, and raises for run `refuse`."""

    def run(report: RunReport) -> None:
        seen.append(f"{name}:{report.run_id}")
        if report.run_id == refuse:
            raise RuntimeError(f"{name} throttled")

    return Step(name, run)


def test_waiting_runs_are_announced_oldest_first_and_a_refused_one_stays_waiting(spark, tmp_path):
    storage, output = Storage(spark), (tmp_path / "out").as_uri()
    for run in (_report("r-3", "c"), _report("r-1", "a"), _report("r-2", "b")):
        write_entry(storage, output, run)
    seen: list[str] = []

    with pytest.raises(AnnounceError, match=r"^1 run\(s\) not announced.*: r-2: .*throttled$"):
        announce_waiting(storage, output, [_recorder(seen, "counts", refuse="r-2")])

    # The refused run holds back no other.
    assert seen == ["counts:r-1", "counts:r-2", "counts:r-3"]
    assert waiting_run_ids(storage, output) == ["r-2"]

    assert announce_waiting(storage, output, [_recorder(seen, "counts")]) == ["r-2"]
    assert seen[3:] == ["counts:r-2"]
    assert waiting_run_ids(storage, output) == []


def test_a_retry_repeats_only_the_steps_not_recorded_as_done(spark, tmp_path):
    storage, output = Storage(spark), (tmp_path / "out").as_uri()
    write_entry(storage, output, _report("r-1", "a"))
    seen: list[str] = []

    with pytest.raises(AnnounceError, match="dates throttled"):
        announce_waiting(
            storage, output, [_recorder(seen, "counts"), _recorder(seen, "dates", refuse="r-1")]
        )
    announce_waiting(storage, output, [_recorder(seen, "counts"), _recorder(seen, "dates")])

    # The counts went out once; only the dates were tried again.
    assert seen == ["counts:r-1", "dates:r-1", "dates:r-1"]

    # A run lost between a step and its record repeats that step: at least once.
    write_entry(storage, output, _report("r-2", "b"))

    def lost(report: RunReport) -> None:
        seen.append(f"counts:{report.run_id}")
        raise _Killed

    with pytest.raises(_Killed):
        announce_waiting(storage, output, [Step("counts", lost), _recorder(seen, "dates")])
    announce_waiting(storage, output, [_recorder(seen, "counts"), _recorder(seen, "dates")])

    assert seen[3:] == ["counts:r-2", "counts:r-2", "dates:r-2"]
    assert waiting_run_ids(storage, output) == []


def test_an_unreadable_entry_is_named_and_holds_back_no_other_run(spark, tmp_path):
    storage, output = Storage(spark), (tmp_path / "out").as_uri()
    write_entry(storage, output, _report("r-2", "b"))
    (tmp_path / "out" / "_announce" / "r-1.json").write_text("{not json")
    seen: list[str] = []

    with pytest.raises(AnnounceError, match=r"^1 run\(s\) not announced.*: r-1: JSONDecodeError"):
        announce_waiting(storage, output, [_recorder(seen, "counts")])

    assert seen == ["counts:r-2"]
    assert waiting_run_ids(storage, output) == ["r-1"]


def _dead_run(output: Path, run_id: str, marker: dict[str, object]) -> None:
    staged = output / "_staging" / run_id
    staged.mkdir(parents=True)
    (staged / PUBLISH_MARKER).write_text(json.dumps(marker))


@pytest.mark.parametrize(
    ("flag", "announces", "waiting"),
    [
        # Written before runs said: the finishing run decides, for the runs it had finished too.
        ({}, True, ["r-1", "r-2"]),
        ({}, False, []),
        # A run that said it does not announce is never announced.
        ({"announce": False}, True, []),
        ({"announce": True}, False, ["r-2"]),
    ],
)
def test_a_finished_publish_leaves_the_run_to_be_announced_when_it_or_its_finisher_asks(
    spark, tmp_path, flag, announces, waiting
):
    output = tmp_path / "out"
    dead = RunReport(**{**vars(_report("r-2", "b")), "recovered_runs": [_report("r-1", "a")]})
    marker = {"clear": [], "state": "{}\n", "report": dead.document(), **flag}
    _dead_run(output, "r-2", marker)
    storage = Storage(spark)

    finish_publish(storage, output.as_uri(), "r-2", announces)

    assert waiting_run_ids(storage, output.as_uri()) == waiting
    # Each entry holds its own run's report: a recovered run is not announced twice.
    for run_id in waiting:
        entry = json.loads((output / "_announce" / f"{run_id}.json").read_text())
        assert (entry["run_id"], entry["recovered_runs"], entry["announced"]) == (run_id, [], [])


_NEXT_DAY = {"pickup_datetime": "2015-01-16 08:00:00", "dropoff_datetime": "2015-01-16 08:20:00"}


def _batch(spark, source: Path, output: Path, announce=None) -> RunReport:
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
            _batch(spark, source, output, announce=[])
    write_csv(source / "b.csv", [TLC_HEADER, trip_line(**_NEXT_DAY)])

    local = _batch(spark, source, output)

    [dead] = local.recovered_runs
    # The local run finished the dead run's publish and left it to be announced; not itself.
    assert [p.name for p in (output / "_announce").iterdir()] == [f"{dead.run_id}.json"]
    seen: list[RunReport] = []

    last = _batch(spark, source, output, announce=[Step("counts", seen.append)])

    assert seen == [dead, last]
    assert list((output / "_announce").iterdir()) == []


def test_a_listing_that_fails_is_an_announce_error(spark, tmp_path, monkeypatch):
    storage, output = Storage(spark), (tmp_path / "out").as_uri()

    def unlistable(path: str) -> list[object]:
        raise OSError("SlowDown")

    monkeypatch.setattr(storage, "list_files", unlistable)

    with pytest.raises(AnnounceError, match=r"^_announce/ could not be listed: OSError: SlowDown"):
        announce_waiting(storage, output, [Step("counts", lambda run: None)])
