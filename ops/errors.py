"""Errors that end a command with a one-line message and a documented exit code."""

from __future__ import annotations

from botocore.exceptions import ClientError

from etl.errors import EXIT_USAGE, UsageError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130

# Usage errors are the project-wide `etl.errors.UsageError` (exit_code 2), shared with etl.local.
__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "OpsError",
    "UsageError",
    "aws_error_code",
]


class OpsError(Exception):
    """A failure reported to the user as one line on stderr, ending with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def aws_error_code(exc: ClientError) -> str:
    """The error code AWS answered with (`EntityNotFoundException`, `AccessDenied`, ...)."""
    return str(exc.response.get("Error", {}).get("Code", ""))
