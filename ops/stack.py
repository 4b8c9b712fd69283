"""Read a Pulumi stack's outputs and region through the pulumi CLI.

The CLI call goes through a ``Runner`` so tests (and callers without a Pulumi backend) can inject
their own; nothing here talks to a Pulumi backend directly.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ops.errors import OpsError, UsageError

# Takes the arguments after ``pulumi`` and returns the command's stdout.
Runner = Callable[[Sequence[str]], str]


INSTALL_URL = "https://www.pulumi.com/docs/install/"


class PulumiCliMissingError(OpsError):
    """The pulumi executable is not installed (or not on PATH)."""

    def __init__(self, executable: str) -> None:
        super().__init__(f"{executable} CLI not found: install it ({INSTALL_URL})")
        self.executable = executable


def run_pulumi(args: Sequence[str], executable: str = "pulumi") -> str:
    """Run ``pulumi <args>`` and return its stdout; raise ``OpsError`` with pulumi's own message
    (``PulumiCliMissingError`` when there is no pulumi to run)."""
    try:
        completed = subprocess.run(
            [executable, *args], capture_output=True, text=True, check=False, timeout=120
        )
    except FileNotFoundError as exc:
        raise PulumiCliMissingError(executable) from exc
    except subprocess.TimeoutExpired as exc:
        raise OpsError(f"`{executable} {' '.join(args)}` did not answer within 120 s") from exc
    if completed.returncode != 0:
        lines = completed.stderr.strip().splitlines() or ["no error output"]
        raise OpsError(f"`{executable} {' '.join(args)}` failed: {lines[-1]}")
    return completed.stdout


def stack_outputs(stack: str, runner: Runner = run_pulumi) -> dict[str, Any]:
    """Return the stack's outputs as a dict (``pulumi stack output --json``)."""
    raw = runner(["stack", "output", "--json", "--stack", stack])
    try:
        outputs = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise OpsError(f"pulumi returned invalid JSON for stack '{stack}' outputs") from exc
    if not isinstance(outputs, dict):
        raise OpsError(f"pulumi returned no output object for stack '{stack}'")
    return outputs


class LazyOutputs:
    """A stack's outputs, read through pulumi when a name is first needed, and only once: a
    command given every name on its command line needs no pulumi at all. `flags`: every flag
    the command still lacks, all named at once when there is no pulumi to read them from."""

    def __init__(self, stack: str, runner: Runner, flags: Sequence[str] = ()) -> None:
        self.stack = stack
        self.runner = runner
        self.flags = tuple(flags)
        self._read: dict[str, Any] | None = None

    def require(self, key: str, flag: str) -> str:
        """Output ``key``; without pulumi, or without the output, an error naming ``flag``."""
        return require_output(self._outputs(flag), key, self.stack, flag)

    def get(self, key: str, flag: str) -> Any:
        """Output ``key``, or None when the stack has no such output; without pulumi, an error
        naming ``flag``."""
        return self._outputs(flag).get(key)

    def _outputs(self, flag: str) -> dict[str, Any]:
        if self._read is None:
            try:
                self._read = stack_outputs(self.stack, self.runner)
            except PulumiCliMissingError as exc:
                raise OpsError(f"{exc} or pass {' and '.join(self.flags or (flag,))}") from exc
        return self._read


def lacking_flags(*flags: tuple[str, object]) -> list[str]:
    """Of (flag, value given) pairs, the flags not given: those `LazyOutputs` names."""
    return [flag for flag, given in flags if not given]


def require_output(outputs: Mapping[str, Any], key: str, stack: str, flag: str) -> str:
    """Return output ``key`` or fail as a usage error that names the flag to pass instead."""
    value = outputs.get(key)
    if not isinstance(value, str) or not value:
        raise UsageError(
            f"stack '{stack}' has no output '{key}': run `pulumi up` on it or pass {flag}"
        )
    return value


def stack_region(stack: str, runner: Runner = run_pulumi) -> str | None:
    """Return the stack's ``aws:region`` config, or None when pulumi says it is not set or cannot
    read it. A missing pulumi CLI is not swallowed: the caller decides whether it can do without."""
    try:
        value = runner(["config", "get", "aws:region", "--stack", stack]).strip()
    except PulumiCliMissingError:
        raise
    except OpsError:
        return None
    return value or None
