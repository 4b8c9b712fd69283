"""What a publish marker commits besides the outputs: the run's state and report, written by
whoever finishes the publish (the run itself, or the next run's recovery)."""

from __future__ import annotations

import json
from pathlib import Path

from etl.publish import PUBLISH_MARKER, finish_publish, recover_dead_runs
from etl.report import RunReport, report_from_document
from etl.storage import Storage

STATE = '{"version": 2, "files": []}\n'


def _report(run_id: str) -> RunReport:
    return RunReport(run_id, "t0", "t1", "incremental", 1, 3, 1, 0, 2, partitions_written=["d"])


def _dead_run(output: Path, run_id: str, marker: dict[str, object]) -> None:
    staged = output / "_staging" / run_id
    staged.mkdir(parents=True)
    (staged / PUBLISH_MARKER).write_text(json.dumps(marker))


def test_a_marker_of_an_earlier_version_publishes_without_state_or_report(spark, tmp_path):
    output = tmp_path / "out"
    _dead_run(output, "r-old", {"clear": []})

    assert finish_publish(Storage(spark), output.as_uri(), "r-old") is None

    assert not (output / "_state").exists()
    assert not (output / "_reports").exists()
    assert not (output / "_staging").exists()


def test_recovery_writes_each_dead_runs_state_and_report_oldest_first(spark, tmp_path):
    output = tmp_path / "out"
    older, newer = _report("r-1"), _report("r-2")
    # Runs that take the lock in turn never leave two committed stagings (each finishes the one
    # before first), but a copied or restored output could: each is finished, oldest first.
    _dead_run(output, "r-2", {"clear": [], "state": STATE + " ", "report": newer.document()})
    _dead_run(output, "r-1", {"clear": [], "state": STATE, "report": older.document()})
    _dead_run(output, "r-live", {"clear": []})

    recovered = recover_dead_runs(Storage(spark), output.as_uri(), "r-live")

    assert recovered == [older, newer]
    # The newer run's state is the one left.
    assert (output / "_state" / "processed_files.json").read_text() == STATE + " "
    for report in (older, newer):
        written = json.loads((output / "_reports" / f"{report.run_id}.json").read_text())
        assert report_from_document(written) == report
    latest = json.loads((output / "_reports" / "latest.json").read_text())
    assert latest["run_id"] == "r-2"
    assert [p.name for p in (output / "_staging").iterdir()] == ["r-live"]
