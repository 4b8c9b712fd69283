"""The command-line usage error shared by every CLI of the project.

It lives in `etl/` because AWS Glue ships this package alone: the local runner (`etl.local`) can
import nothing outside it, while the operator CLI (`ops`) can import from here.
"""

from __future__ import annotations

EXIT_USAGE = 2


class UsageError(Exception):
    """The command as typed cannot work: the user has to change the arguments (or, for `ops`, the
    stack). Reported as one line on stderr; the process exits with `exit_code` (2)."""

    exit_code = EXIT_USAGE
