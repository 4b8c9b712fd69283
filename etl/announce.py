"""Runs whose counts and dates are still to be announced (published to CloudWatch, registered
in or removed from the Glue catalog), kept under the output root until they are.

The Glue job announces its runs; local runs do not (there is no catalog to register in). A run
that announces says so in its publish marker, and whoever finishes that publish, the run itself
or a later run's recovery (`etl.publish`), leaves the run in `_announce/<run_id>.json` (its
report) when it writes the run's state and report. A marker written before runs said so is
announced when the run finishing it announces. After its own publish, an announcing run
announces every run waiting there, oldest first, and deletes each entry once every step of it
is done. So a run killed after its commit, a run that died while finishing another's publish,
and an announcement that failed (a throttled or refused AWS call) are announced by a later run,
whatever happened in between.

Each step done is recorded in the entry before the next starts: a retry repeats only what is
not done yet. Announcing is still at least once per step: a run stopped between a step's call
and its record (killed, or the record's own write failed) repeats that step next time. An entry
is deleted once the steps the job runs with are done: a step the job is not configured for (its
job argument unset) is not waited for. Registering or removing a date twice changes nothing;
counts published twice are counted twice by a CloudWatch sum over that period.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from etl.report import RunReport, report_from_document
from etl.storage import Storage, join_path

ANNOUNCE_DIR = "_announce"
_SUFFIX = ".json"
# The entry's key for the steps done, beside the report's own keys.
_DONE = "announced"


@dataclass(frozen=True)
class Step:
    """One part of announcing a run, named so that an entry can record it as done."""

    name: str
    run: Callable[[RunReport], None]


class AnnounceError(RuntimeError):
    """Runs that could not be announced, each with its error; they are still waiting."""

    # The report of the run that raised it, whose outputs were published all the same.
    report: RunReport | None = None


def entry_path(output_root: str, run_id: str) -> str:
    """Where a run waits to be announced."""
    return join_path(output_root, ANNOUNCE_DIR, f"{run_id}{_SUFFIX}")


def write_entry(
    storage: Storage, output_root: str, report: RunReport, done: Sequence[str] = ()
) -> None:
    """Leave the run to be announced, with the steps already `done`. Its recovered runs are
    left out: each has an entry of its own."""
    own = report.document() | {"recovered_runs": [], _DONE: list(done)}
    storage.write_text(entry_path(output_root, report.run_id), json.dumps(own) + "\n")


def waiting_run_ids(storage: Storage, output_root: str) -> list[str]:
    """The runs waiting to be announced, oldest first (run ids sort by time)."""
    folder = join_path(output_root, ANNOUNCE_DIR)
    names = (f.uri.rsplit("/", 1)[-1] for f in storage.list_files(folder))
    return sorted(n.removesuffix(_SUFFIX) for n in names if n.endswith(_SUFFIX))


def announce_waiting(storage: Storage, output_root: str, steps: Sequence[Step]) -> list[str]:
    """Run every step not yet done for each waiting run, oldest first, recording each as done,
    and delete the run's entry once all are. Returns the ids of the runs announced.

    A run that fails (a step raises, or its entry cannot be read) stays waiting and the others
    are still announced: one run the catalog refuses must not hold back every later one. Then
    `AnnounceError` names each, raised from the first error, so the job fails and its failure
    alert goes out."""
    try:
        waiting = waiting_run_ids(storage, output_root)
    except Exception as error:
        raise AnnounceError(
            f"{ANNOUNCE_DIR}/ could not be listed: {_in_one_line(error)}"
        ) from error
    announced = []
    failed: list[tuple[str, Exception]] = []
    for run_id in waiting:
        try:
            if _announce(storage, output_root, run_id, steps):
                announced.append(run_id)
        except Exception as error:
            failed.append((run_id, error))
    if failed:
        reasons = "; ".join(f"{run_id}: {_in_one_line(error)}" for run_id, error in failed)
        raise AnnounceError(
            f"{len(failed)} run(s) not announced, left waiting in {ANNOUNCE_DIR}/: {reasons}"
        ) from failed[0][1]
    return announced


def _announce(storage: Storage, output_root: str, run_id: str, steps: Sequence[Step]) -> bool:
    path = entry_path(output_root, run_id)
    text = storage.read_text(path)
    if text is None:
        return False
    entry = json.loads(text)
    report = report_from_document(entry)
    done = list(entry.get(_DONE, []))
    pending = [step for step in steps if step.name not in done]
    for step in pending:
        step.run(report)
        done.append(step.name)
        # After the last step the entry is deleted instead.
        if step is not pending[-1]:
            write_entry(storage, output_root, report, done)
    storage.delete(path)
    return True


def _in_one_line(error: BaseException) -> str:
    """The error's class and whole message on one line (every refused partition it names)."""
    return " ".join(f"{type(error).__name__}: {error}".split())
