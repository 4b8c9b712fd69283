"""One incremental (or full-refresh) run over an input location: the single code path that both
entrypoints, `etl.local` and the Glue job, go through.

The run takes the output root (`etl.run_lock`), finishes or discards what dead runs left in
staging, lists the input files, keeps those not recorded in `<output>/_state/` and hands them to
the pipeline, then publishes what it staged with the new state and the report, and announces
what waits to be (`etl.announce`; the Glue job announces, local runs do not). The files are
recorded only once the outputs are in place, so a run that fails before its commit processes
the same files again next time, and one that fails after it is finished by the next run;
`etl.publish` walks through why either gives the outputs of a clean run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pyspark.sql import SparkSession

from etl.announce import AnnounceError, Step, announce_waiting
from etl.pipeline import RunOptions, run_pipeline
from etl.publish import RunRecord, publish, recover_dead_runs, reset_outputs
from etl.report import FailedFile, RunReport, new_run_id
from etl.run_lock import run_lock
from etl.state import (
    files_to_process,
    list_input_files,
    load_recorded,
    record,
    state_text,
    unloaded,
)
from etl.storage import Storage


def run_batch(
    spark: SparkSession,
    input_root: str,
    output_root: str,
    full_refresh: bool,
    dedupe_keys: tuple[str, ...],
    retry_failed: bool = False,
    announce: Sequence[Step] | None = None,
) -> RunReport:
    """Process the files under `input_root` not processed before (all of them, after clearing
    outputs and state, when `full_refresh`; also those that failed before, when
    `retry_failed`), record them and write the run report. Both roots are URIs (file:// locally,
    s3:// in Glue). With `announce` (the steps of announcing a run, see `etl.announce`), the run
    announces: once published, it announces every run waiting, oldest first, itself included;
    an `AnnounceError` carries its report. Returns the report written."""
    storage = Storage(spark)
    run_id = new_run_id()
    with run_lock(output_root, run_id):
        announces = announce is not None
        recovered = recover_dead_runs(storage, output_root, run_id, announces)
        if full_refresh:
            reset_outputs(storage, output_root)
        recorded = load_recorded(storage, output_root)
        listing = list_input_files(storage, input_root)
        batch = files_to_process(listing.files, recorded, retry_failed)
        options = RunOptions(
            input_root=input_root,
            output_root=output_root,
            run_id=run_id,
            mode="full" if full_refresh else "incremental",
            dedupe_keys=dedupe_keys,
            reloaded=tuple(f.path for f in batch if f.path in recorded),
        )
        # Nothing new is still a run: its report says so, and latest.json moves on.
        staged = run_pipeline(spark, batch, options)
        paths = {f.uri: f.path for f in batch}
        failed_by_uri = {f.path: f.reason for f in staged.report.failed_files}
        report = replace(
            staged.report,
            # Reports name files as state does: by their path under the input root.
            failed_files=[
                replace(f, path=paths.get(f.path, f.path)) for f in staged.report.failed_files
            ],
            skipped_files=listing.skipped,
            recovered_runs=recovered,
        )
        updated = record(recorded, batch, failed_by_uri)
        report = replace(
            report,
            unloaded_files=[FailedFile(e.path, e.reason) for e in unloaded(updated, listing)],
        )
        committed = RunRecord(state_text(updated), report, announce=announces)
        publish(storage, output_root, run_id, staged.sources, committed)
        if announce is not None:
            try:
                announce_waiting(storage, output_root, announce)
            except AnnounceError as error:
                error.report = report
                raise
    return report
