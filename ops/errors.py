"""Errors that end a command with a one-line message and a documented exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class OpsError(Exception):
    """A failure reported to the user as one line on stderr, ending with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class UsageError(OpsError):
    """The command as typed cannot work; the user has to change the arguments or the stack."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_USAGE)
