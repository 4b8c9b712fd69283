"""The run report read back from its JSON, as recovery reads a dead run's from its marker."""

from __future__ import annotations

import json

from etl.report import FailedFile, RunReport, SkippedFile, report_from_json, summary_table


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

    back = report_from_json(report.to_json())

    assert back == report
    assert back.recovered_runs[0].failed_files == [
        FailedFile("bad.parquet", "IOException: cut short")
    ]
    assert back.to_json() == report.to_json()


def test_a_report_of_an_earlier_version_reads_with_defaults_and_no_derived_counts():
    document = json.loads(_report("r-old").to_json())
    for newer in ("recovered_runs", "unloaded_files", "partitions_removed", "rows_replaced"):
        del document[newer]

    back = report_from_json(json.dumps(document))

    assert (back.files_failed, back.files_skipped) == (1, 1)
    assert (back.recovered_runs, back.unloaded_files, back.partitions_removed) == ([], [], [])
    assert back.rows_replaced == 0


def test_the_summary_names_the_runs_this_one_finished():
    lines = summary_table(_report("r-now", recovered_runs=[_report("r-dead")])).splitlines()

    assert [line.split() for line in lines[-2:]] == [
        ["recovered_runs", "1"],
        ["r-dead", "rows_read", "10,", "rows_written", "7"],
    ]
    assert not any("recovered" in line for line in summary_table(_report("r-now")).splitlines())
