"""The run report read back from its JSON, as recovery reads a dead run's from its marker, and
the runs a report names."""

from __future__ import annotations

import json

from etl.report import FailedFile, RunReport, SkippedFile, report_from_document, summary_table


def _report(run_id: str, **changes: object) -> RunReport:
    fields: dict[str, object] = {
        "run_id": run_id,
        "started_at": "2026-01-02T03:04:05+00:00",
        "finished_at": "2026-01-02T03:05:06+00:00",
        "mode": "incremental",
        "files_processed": 3,
        "rows_read": 10,
        "rows_quarantined": 2,
        "duplicates_dropped": 1,
        "rows_written": 7,
        "rows_replaced": 1,
        "reasons": {"invalid_value": 2},
        "partitions_written": ["2015-01-14", "2015-01-15"],
        "partitions_removed": ["2015-01-13"],
        "unknown_columns": ["extra"],
        "failed_files": [FailedFile("bad.parquet", "IOException: cut short")],
        "skipped_files": [SkippedFile("notes.zip", "not a CSV or Parquet file")],
        "unloaded_files": [FailedFile("bad.parquet", "IOException: cut short")],
    }
    return RunReport(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_report_read_back_from_its_json_is_the_report_written():
    dead = _report("r-dead")
    report = _report("r-now", recovered_runs=[dead])

    back = report_from_document(json.loads(report.to_json()))

    assert back == report
    assert back.recovered_runs[0].failed_files == [
        FailedFile("bad.parquet", "IOException: cut short")
    ]
    assert back.to_json() == report.to_json()


def test_a_report_of_an_earlier_version_reads_with_defaults_and_no_derived_counts():
    document = json.loads(_report("r-old").to_json())
    for newer in ("recovered_runs", "unloaded_files", "partitions_removed", "rows_replaced"):
        del document[newer]

    back = report_from_document(document)

    assert (back.files_failed, back.files_skipped) == (1, 1)
    assert (back.recovered_runs, back.unloaded_files, back.partitions_removed) == ([], [], [])
    assert back.rows_replaced == 0


def test_the_summary_names_the_runs_this_one_finished():
    # r-dead had finished r-older before it died in turn.
    dead = _report("r-dead", recovered_runs=[_report("r-older", rows_written=6)])
    lines = summary_table(_report("r-now", recovered_runs=[dead])).splitlines()

    assert [line.split() for line in lines[-3:]] == [
        ["recovered_runs", "2"],
        ["r-older", "rows_read", "10,", "rows_written", "6"],
        ["r-dead", "rows_read", "10,", "rows_written", "7"],
    ]
    assert not any("recovered" in line for line in summary_table(_report("r-now")).splitlines())


def test_recovered_runs_are_written_as_whole_reports_and_read_back_past_unknown_keys():
    report = _report("r-now", recovered_runs=[_report("r-dead")])
    document = json.loads(report.to_json())
    [dead] = document["recovered_runs"]

    # The same shape at every level, derived counts included.
    assert (dead["files_failed"], dead["files_skipped"]) == (1, 1)
    assert set(dead) == set(document)
    # Fields of a later version (a marker read after a rollback) are left out, at every level.
    dead["added_later"] = 1
    dead["failed_files"][0]["added_later"] = 2
    assert report_from_document(document) == report


def test_the_runs_a_report_finished_come_oldest_first_then_its_own():
    first = _report("r-1")
    second = _report("r-2", recovered_runs=[first])
    third = _report("r-3", recovered_runs=[second])

    assert [r.run_id for r in third.finished_runs()] == ["r-1", "r-2", "r-3"]
    assert third.finished_runs()[1] == second
