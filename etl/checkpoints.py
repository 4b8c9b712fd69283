"""Named points of a run, where the crash-consistency tests stop it.

`etl.publish` explains why a run stopped at any of them and run again gives the outputs of a
clean run. With `GLUE_ETL_KILL_AT=<name>` in its environment a run kills its own process with
SIGKILL on reaching that point, as a lost node would: no `finally` runs, nothing is flushed.
Unset (always, outside tests) a checkpoint does nothing.
"""

from __future__ import annotations

import os
import signal

KILL_AT_ENV = "GLUE_ETL_KILL_AT"

# In run order.
STAGED = "staged"  # trips and rejected rows staged, before quarantine and metrics
MERGED = "merged"  # every output staged, before the publish marker
COMMITTED = "committed"  # publish marker written, nothing swapped yet
SWAPPING = "swapping"  # between the two renames of the first swapped partition
APPENDING = "appending"  # after the first file added to a date's written trips
PUBLISHED = "published"  # outputs in place, state not yet recorded
RECORDED = "recorded"  # state recorded, report not yet written
REPORTED = "reported"  # report written, staging not yet dropped
POINTS: tuple[str, ...] = (
    STAGED,
    MERGED,
    COMMITTED,
    SWAPPING,
    APPENDING,
    PUBLISHED,
    RECORDED,
    REPORTED,
)


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def checkpoint(name: str) -> None:
    """Kill this process here if the environment asks for it (see the module docstring)."""
    if os.environ.get(KILL_AT_ENV) == name:
        _kill()
