"""Publishing a run's staged outputs, and recovering from a run that died.

How a run becomes durable, step by step (`etl.batch.run_batch` drives them in this order):

1. **Stage.** Everything the run writes goes under `_staging/<run_id>/`: the trips of the
   touched dates (whole, or only the batch's for an appended date; the batch's rejected rows
   beside them until quarantine has read them, see `etl.reject_folder`), hourly metrics of
   those dates, quarantine rows of each input file. Readers of the curated folders see nothing
   of it. A crash here loses only staging; the files are not in `_state/` yet, so the next run
   processes them again.
2. **Commit point: the publish marker.** When every staged output is complete, the run writes
   `_staging/<run_id>/_PUBLISH`, as JSON: the quarantine folders and dates it will clear, the
   input state it will record, its report and whether it announces. From here on the run is
   decided: whoever gets there first, this run or the next run's recovery, finishes it exactly
   as it was staged.
3. **Swap.** Each staged partition folder replaces its curated folder (the old one is moved into
   the staging folder first, then the new one moved in), then the quarantine folders of files
   that no longer have rejected rows are removed. The files of an appended date
   (`etl.loaded_dates`) are moved file by file into its curated folder, beside the ones there.
   Every step is a check-then-rename that can run again, and no step depends on another
   partition's, so several partitions move at once: a crash between the two renames of one
   partition leaves the curated folder missing and the new one still staged, which the rest of
   the publish moves in; a file already moved is no longer staged.
4. **Record state.** The marker's state is written to `_state/` (after the swap, never before:
   a file recorded there is never read again unless it changes).
5. **Report.** The marker's report, to `_reports/<run_id>.json`, then `latest.json`; for a run
   that announces (the Glue job), also to `_announce/<run_id>.json`, where it waits to have its
   dates registered and counts published (`etl.announce`).
6. **Drop staging.** The staging folder, with the replaced partitions and the marker, is
   deleted: the run is over.

Recovery (`recover_dead_runs`, at the start of every run, which holds the run lock): a staging
folder without a publish marker is deleted. The dead run's files were not recorded, so this run
processes them again: the merge keeps a trip already written instead of adding it twice, and
reprocessing a file replaces its quarantine rows. A staging folder with a marker is published to
completion, steps 3 to 6, its state and report included: its files are not read again, and the
report of the run that finished it lists the dead run's under `recovered_runs` (a run that
announces then waits in `_announce/` until it is announced, see `etl.announce`). Writing the
same state and report twice is harmless, so a crash during recovery is recovered the same way.
A run killed at any point and run again therefore gives the outputs of a clean run, and leaves
no staging behind.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from etl import checkpoints
from etl.announce import write_entry
from etl.paths import (
    APPENDED_TRIPS_DIR,
    METRICS_DIR,
    QUARANTINE_DIR,
    QUARANTINE_PARTITION,
    STAGING_DIR,
    STATE_DIR,
    TRIPS_DIR,
    partition_name,
    partition_values,
    quarantine_folder,
    quarantine_value,
    staging_root,
)
from etl.report import RunReport, report_from_document, write_report
from etl.state import state_path
from etl.storage import Storage, join_path

PUBLISH_MARKER = "_PUBLISH"
# Partitions (or appended files) moved at once.
_MOVERS = 8
_REPLACED = "_replaced"
# Rejected rows a quarantine Parquet file holds, about, when a batch has very many.
QUARANTINE_ROWS_PER_FILE = 1_000_000
_SPLIT = "_split"
_TABLES = (TRIPS_DIR, METRICS_DIR, QUARANTINE_DIR)


def stage_quarantine(
    quarantine: DataFrame,
    output_root: str,
    run_id: str,
    rows: int,
    sources: Sequence[str],
    clustered: bool = False,
) -> None:
    """Stage the batch's `rows` quarantined rows, one partition folder per input file (its path
    under the input root; `sources` are the batch's files, of which a path too long for a
    folder name is shortened, see `etl.paths.quarantine_value`): reprocessing a file replaces
    its rows instead of adding to them.

    Each file's rows are written by one task, so its folder holds one Parquet file, not one
    from every task that read the rejected rows back (on S3, dozens of tiny objects per input
    file, each a request to write and to read). `clustered`: the merge's shuffle staged each
    file's rows in one file already (`etl.clustering.rejects_by_file`), so they are written as
    they are read, with no shuffle (a staged file big enough to be read in parts, hundreds of
    MB of rejected rows, can leave a file's rows in two). Otherwise they are brought together
    by a shuffle, and in a batch of more than QUARANTINE_ROWS_PER_FILE rejected rows each
    file's rows are spread over up to one Parquet file per QUARANTINE_ROWS_PER_FILE rows of the
    batch, so that a file of nothing but bad lines is not one task's work."""
    values = {path: quarantine_value(path) for path in sources}
    shortened = {path: value for path, value in values.items() if value != path}
    if shortened:
        quarantine = quarantine.withColumn(
            QUARANTINE_PARTITION, _renamed(sf.col(QUARANTINE_PARTITION), shortened)
        )
    if not clustered:
        quarantine = _gathered_by_file(quarantine, rows)
    quarantine.write.partitionBy(QUARANTINE_PARTITION).parquet(
        join_path(staging_root(output_root, run_id), QUARANTINE_DIR)
    )


def _gathered_by_file(quarantine: DataFrame, rows: int) -> DataFrame:
    """`quarantine` (`rows` rows) shuffled so that each input file's rows are in one task, or
    in one of up to `rows / QUARANTINE_ROWS_PER_FILE` tasks in a batch of very many."""
    splits = max(1, math.ceil(rows / QUARANTINE_ROWS_PER_FILE))
    cores = quarantine.sparkSession.sparkContext.defaultParallelism
    split = sf.pmod(sf.xxhash64(*quarantine.columns), sf.lit(splits)) if splits > 1 else sf.lit(0)
    return (
        quarantine.withColumn(_SPLIT, split)
        .repartition(max(cores, splits), QUARANTINE_PARTITION, _SPLIT)
        .drop(_SPLIT)
    )


def _renamed(column: Column, names: dict[str, str]) -> Column:
    """`column` with each key of `names` given its value (a literal map: the few long paths)."""
    lookup = sf.create_map(*(sf.lit(text) for pair in names.items() for text in pair))
    return sf.when(column.isin(*names), sf.element_at(lookup, column)).otherwise(column)


@dataclass(frozen=True)
class RunRecord:
    """What a run leaves besides its outputs, written once they are in place: the input state
    after the run (`etl.state.state_text`) and its report; `announce`, whether the report waits
    to be announced (`etl.announce`)."""

    state: str
    report: RunReport
    announce: bool = False


def staged_dates(storage: Storage, output_root: str, run_id: str) -> list[str]:
    """The trips partitions (dates) the run has staged, new, rewritten or appended to."""
    staged = staging_root(output_root, run_id)
    folders = {
        *storage.list_dirs(join_path(staged, TRIPS_DIR)),
        *storage.list_dirs(join_path(staged, APPENDED_TRIPS_DIR)),
    }
    return partition_values(sorted(folders))


def publish(
    storage: Storage,
    output_root: str,
    run_id: str,
    sources: Sequence[str],
    record: RunRecord,
) -> None:
    """Commit the run's staged outputs with its state and report, swap the outputs into place,
    then write the state and the report. `sources` are the batch's input files (paths under
    the input root): their old quarantine folders go away when they have no rejected rows now.
    The trips and hourly metrics of the dates the report names as removed go too."""
    staged = staging_root(output_root, run_id)
    staged_quarantine = set(storage.list_dirs(join_path(staged, QUARANTINE_DIR)))
    folders = {quarantine_folder(s) for s in sources}
    # A long path's folder from before paths were shortened (S3 took the whole name) goes too,
    # rows or not: of the whole names, those that are no file's folder now.
    unshortened = {partition_name(s, QUARANTINE_PARTITION) for s in sources} - folders
    clear = sorted((folders - staged_quarantine) | unshortened)
    checkpoints.checkpoint(checkpoints.MERGED)
    marker = {
        "clear": clear,
        "clear_dates": [partition_name(d) for d in sorted(record.report.partitions_removed)],
        "state": record.state,
        "report": record.report.document(),
        "announce": record.announce,
    }
    storage.write_text(join_path(staged, PUBLISH_MARKER), json.dumps(marker) + "\n")
    checkpoints.checkpoint(checkpoints.COMMITTED)
    finish_publish(storage, output_root, run_id)


def finish_publish(
    storage: Storage, output_root: str, run_id: str, announces: bool = False
) -> RunReport | None:
    """Swap every partition still staged into place, add the appended dates' files, clear the
    quarantine folders the marker lists, write the state and the report the marker holds (and
    leave the run to be announced when it asks, see `etl.announce`), and delete the staging
    folder. Safe to run again after a crash at any point. Returns the run's report (None from a
    marker of an earlier version, which held neither state nor report). `announces`: whether
    the run finishing the publish announces, which decides for a marker that does not say."""
    staged = staging_root(output_root, run_id)
    marker = storage.read_text(join_path(staged, PUBLISH_MARKER))
    if marker is None:
        raise RuntimeError(f"no publish marker in {staged}: its outputs were never committed")
    partitions = [(t, name) for t in _TABLES for name in storage.list_dirs(join_path(staged, t))]
    # Each partition's swap and each appended file's move stands alone (check, then rename), so
    # several run at once: a run publishes a hundred partitions, and on S3 a move copies every
    # object of the folder.
    with ThreadPoolExecutor(max_workers=_MOVERS) as pool:
        list(pool.map(lambda p: _swap(storage, output_root, staged, *p), partitions))
        _append_trips(storage, output_root, staged, pool)
    committed = json.loads(marker)
    for name in committed["clear"]:
        storage.delete(join_path(output_root, QUARANTINE_DIR, name))
    # Markers of earlier versions have no dates to clear, and no state or report.
    for name in committed.get("clear_dates", []):
        storage.delete(join_path(output_root, TRIPS_DIR, name))
        storage.delete(join_path(output_root, METRICS_DIR, name))
    checkpoints.checkpoint(checkpoints.PUBLISHED)
    report = None
    if "report" in committed:
        storage.write_text(state_path(output_root), committed["state"])
        checkpoints.checkpoint(checkpoints.RECORDED)
        report = report_from_document(committed["report"])
        write_report(storage, output_root, report)
        if committed.get("announce", announces):
            # A job that wrote no flag announced the runs its run had finished too.
            runs = [report] if "announce" in committed else report.finished_runs()
            for run in runs:
                write_entry(storage, output_root, run)
        checkpoints.checkpoint(checkpoints.REPORTED)
    storage.delete(staged)
    if not storage.list_dirs(join_path(output_root, STAGING_DIR)):
        storage.delete(join_path(output_root, STAGING_DIR))
    return report


def _swap(storage: Storage, output_root: str, staged: str, table: str, name: str) -> None:
    """Move one staged partition into place, the one it replaces into the staging folder."""
    target = join_path(output_root, table, name)
    if storage.exists(target):
        replaced = join_path(staged, _REPLACED, table, name)
        storage.delete(replaced)
        storage.rename(target, replaced)
        checkpoints.checkpoint(checkpoints.SWAPPING)
    storage.rename(join_path(staged, table, name), target)


def _append_trips(
    storage: Storage, output_root: str, staged: str, pool: ThreadPoolExecutor
) -> None:
    """Move each staged file of an appended date into the date's written folder. A file both
    staged and in place was copied by a move that died before deleting it (a move on S3 is a
    copy and a delete): the copy is whole, so only the staged one is removed."""

    def move(name: str, uri: str) -> None:
        target = join_path(output_root, TRIPS_DIR, name, uri.rsplit("/", 1)[-1])
        if storage.exists(target):
            storage.delete(uri)
        else:
            storage.rename(uri, target)
        checkpoints.checkpoint(checkpoints.APPENDING)

    moves = [
        (name, file.uri)
        for name in storage.list_dirs(join_path(staged, APPENDED_TRIPS_DIR))
        for file in storage.list_files(join_path(staged, APPENDED_TRIPS_DIR, name))
    ]
    list(pool.map(lambda m: move(*m), moves))


def recover_dead_runs(
    storage: Storage, output_root: str, run_id: str, announces: bool = False
) -> list[RunReport]:
    """Finish or discard the staging of runs that died (every staging folder but this run's:
    the caller holds the run lock, so no other run is alive). Returns the reports of the runs
    whose publish was finished, oldest first. `announces`: whether this run announces (see
    `finish_publish`)."""
    dead = sorted(
        name for name in storage.list_dirs(join_path(output_root, STAGING_DIR)) if name != run_id
    )
    recovered: list[RunReport] = []
    for name in dead:
        if storage.exists(join_path(staging_root(output_root, name), PUBLISH_MARKER)):
            report = finish_publish(storage, output_root, name, announces)
            if report is not None:
                recovered.append(report)
        else:
            storage.delete(staging_root(output_root, name))
    if dead and not storage.list_dirs(join_path(output_root, STAGING_DIR)):
        storage.delete(join_path(output_root, STAGING_DIR))
    return recovered


def reset_outputs(storage: Storage, output_root: str) -> None:
    """Remove curated outputs, state and staging for a full refresh (reports are kept as
    history)."""
    for folder in (*_TABLES, STATE_DIR, STAGING_DIR):
        storage.delete(join_path(output_root, folder))
