"""One incremental (or full-refresh) run over an input location: the single code path that both
entrypoints, `etl.local` and the Glue job, go through.

The run lists the input files, keeps those not recorded in `<output>/_state/` and hands them to
the pipeline. The files are recorded only after the pipeline has published its outputs, so a run
that fails part-way processes the same files again next time (the merge makes that idempotent).
"""

from __future__ import annotations

from pyspark.sql import SparkSession

from etl.merge import reset_outputs
from etl.pipeline import RunOptions, run_pipeline
from etl.report import RunReport, new_run_id, write_report
from etl.state import list_input_files, load_processed, new_files, save_processed
from etl.storage import Storage


def run_batch(
    spark: SparkSession,
    input_root: str,
    output_root: str,
    full_refresh: bool,
    dedupe_keys: tuple[str, ...],
) -> RunReport:
    """Process the files under `input_root` not processed before (all of them, after clearing
    outputs and state, when `full_refresh`), record them and write the run report.
    Both roots are URIs (file:// locally, s3:// in Glue). Returns the report written."""
    storage = Storage(spark)
    if full_refresh:
        reset_outputs(storage, output_root)
    processed = load_processed(storage, output_root)
    batch = new_files(list_input_files(storage, input_root), processed)
    options = RunOptions(
        output_root=output_root,
        run_id=new_run_id(),
        mode="full" if full_refresh else "incremental",
        dedupe_keys=dedupe_keys,
    )
    # Nothing new is still a run: its report says so, and latest.json moves on.
    report = run_pipeline(spark, [f.uri for f in batch], options)
    save_processed(storage, output_root, processed | set(batch))
    write_report(storage, output_root, report)
    return report
