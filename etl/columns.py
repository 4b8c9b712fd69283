"""Names of the columns the job adds while it works, defined once.

The canonical trip columns are in `etl.contract`; these are the job's own: where a row came
from, what the reader said about its line, why it was rejected. A stage that needs one says so
with `require_columns`, so a missing column names itself instead of failing deep in a plan.
"""

from __future__ import annotations

from pyspark.sql import DataFrame

from etl.contract import PARTITION_COLUMN

SOURCE_FILE = "source_file"  # the input file's path under the input root
LAYOUT_STATUS = "layout_status"  # the file's header verdict, see etl.layout
REJECT_REASON = "reject_reason"  # null for valid rows, see etl.quarantine.REASONS
RAW_STRINGS = "raw"  # a rejected row's original strings, in canonical order (null for valid rows)
RAW_LINE = "raw_line"  # a rejected row's line
RUN_ID = "run_id"
PICKUP_DATE = PARTITION_COLUMN.name


def raw_column(name: str) -> str:
    """Column holding canonical column `name` as read, before it is typed: a string cell (CSV)
    or the file's own physical type (Parquet)."""
    return f"_raw_{name}"


class MissingColumnsError(ValueError):
    """A stage got a frame without the columns it works on."""


def require_columns(frame: DataFrame, *names: str) -> DataFrame:
    """`frame` unchanged, or MissingColumnsError naming the columns it lacks."""
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise MissingColumnsError(f"missing columns {missing}; the frame has {frame.columns}")
    return frame
