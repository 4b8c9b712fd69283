"""Runs whose dates and counts are still to be announced (registered in the Glue catalog and
published to CloudWatch), kept under the output root until they are.

A run that announces (the Glue job) says so in its publish marker. Whoever finishes that
publish, the run itself or the next run's recovery (`etl.publish`), writes the run's report to
`_announce/<run_id>.json` with its state and report. The announcing run, still holding the run
lock once its own publish is done, announces every run waiting there, oldest first, and deletes
each entry once its run is announced; a run that cannot be announced stays, and fails the job. So a run killed after its commit, a run that died while
finishing another's publish, or an announcement that failed (a throttled or refused AWS call)
is announced by the next run, whatever happened in between.

Announcing is at least once: a run killed between announcing a run and deleting its entry
announces it again next time. Registering a date twice changes nothing; that run's counts are
published twice, so a CloudWatch sum over that period counts them twice.

Local runs do not announce (there is no catalog to register in) and write no entries; a local
run that finishes the publish of a run that does announce writes that run's entry, which the next
announcing run picks up.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from etl.report import RunReport, one_line, report_from_document
from etl.storage import Storage, join_path

ANNOUNCE_DIR = "_announce"
_SUFFIX = ".json"


def entry_path(output_root: str, run_id: str) -> str:
    """Where a run waits to be announced."""
    return join_path(output_root, ANNOUNCE_DIR, f"{run_id}{_SUFFIX}")


def write_entry(storage: Storage, output_root: str, report: RunReport) -> None:
    """Leave the run to be announced. Its recovered runs are left out: each has an entry of
    its own, written when its publish was finished."""
    own = report.document() | {"recovered_runs": []}
    storage.write_text(entry_path(output_root, report.run_id), json.dumps(own) + "\n")


def waiting_runs(storage: Storage, output_root: str) -> list[RunReport]:
    """The runs still to be announced, oldest first (run ids sort by time)."""
    folder = join_path(output_root, ANNOUNCE_DIR)
    names = sorted(
        f.uri.rsplit("/", 1)[-1] for f in storage.list_files(folder) if f.uri.endswith(_SUFFIX)
    )
    runs = []
    for name in names:
        text = storage.read_text(join_path(folder, name))
        # Deleted since listing (announced by a run that had the lock before this one).
        if text is not None:
            runs.append(report_from_document(json.loads(text)))
    return runs


class AnnounceError(RuntimeError):
    """Runs that could not be announced, each with its error; they are still waiting."""


def announce_waiting(
    storage: Storage,
    output_root: str,
    announce: Callable[[RunReport], None],
    finished: Sequence[RunReport] = (),
) -> list[RunReport]:
    """Announce every waiting run, oldest first, deleting its entry once `announce` returns.
    `finished` (the runs this run finished) adds those with no entry: runs committed by an
    earlier version of the job, which wrote none. Returns the runs announced.

    A run whose `announce` raises stays waiting and the others are still announced (one run the
    catalog refuses does not hold back every later one); then `AnnounceError` names each, from
    the first error, so the job fails and its alert goes out."""
    waiting = waiting_runs(storage, output_root)
    queued = {run.run_id for run in waiting}
    older = [run for run in finished if run.run_id not in queued]
    announced = []
    failed: list[tuple[str, Exception]] = []
    for run in sorted([*waiting, *older], key=lambda r: r.run_id):
        # Every run is tried; the errors are raised together below.
        try:
            announce(run)
        except Exception as error:
            failed.append((run.run_id, error))
            continue
        storage.delete(entry_path(output_root, run.run_id))
        announced.append(run)
    if failed:
        reasons = "; ".join(f"{run_id}: {one_line(error)}" for run_id, error in failed)
        raise AnnounceError(
            f"{len(failed)} run(s) not announced, left waiting in {ANNOUNCE_DIR}/: {reasons}"
        ) from failed[0][1]
    return announced
