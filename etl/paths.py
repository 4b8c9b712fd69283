"""Where everything lives under the output root (locally a folder, in AWS the curated bucket).

The curated folders are the names of `contract.CURATED_TABLES`, which the catalog tables are
declared from too, so the writer and the catalog cannot disagree on a folder name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import unquote

from etl.columns import SOURCE_FILE
from etl.contract import CURATED_TABLES, PARTITION_COLUMN
from etl.storage import join_path

TRIPS_DIR, METRICS_DIR = CURATED_TABLES
QUARANTINE_DIR = "quarantine"
STATE_DIR = "_state"
STAGING_DIR = "_staging"
# Staged trips that `etl.publish` adds to a date's existing files instead of replacing them.
APPENDED_TRIPS_DIR = "trips_appended"
REPORTS_DIR = "_reports"
# Quarantine is partitioned by input file, so reprocessing a file replaces its rows.
QUARANTINE_PARTITION = SOURCE_FILE

# Spark's folder value for a null partition value (ExternalCatalogUtils.DEFAULT_PARTITION_NAME).
NULL_PARTITION_VALUE = "__HIVE_DEFAULT_PARTITION__"
# Characters Spark escapes in a partition folder name (as `%XX`), so that a value such as a
# path with `/` is one folder; see ExternalCatalogUtils.escapePathName.
_ESCAPED = frozenset(
    [chr(c) for c in range(0x01, 0x20)]
    + ['"', "#", "%", "'", "*", "/", ":", "=", "?", "\\", "\x7f", "{", "[", "]", "^"]
)


def uri_path(uri: str) -> str:
    """The path part of a URI, without a trailing slash: `file:/a/b`, `file:///a/b` and
    `s3://bucket/a/b/` all give `/a/b` (`s3://bucket` gives ``)."""
    rest = uri.split(":", 1)[-1]
    if rest.startswith("//"):
        rest = rest[2:].partition("/")[2]
    return ("/" + rest.lstrip("/")).rstrip("/")


# What Hadoop's glob expands in a path given to Spark's readers; a backslash escapes each.
GLOB_CHARACTERS = "\\{}[]*?"
_GLOB = re.compile(f"([{re.escape(GLOB_CHARACTERS)}])")


def literal_path(uri: str) -> str:
    """`uri` as Spark's readers take it to mean that one file. They read a path as a pattern, so
    a browser's second download, `trips[1].csv`, would name no file (and fail the run), and
    `trips?.csv` every file one character longer than `trips`: each such character is escaped."""
    return _GLOB.sub(r"\\\1", uri)


def staging_root(output_root: str, run_id: str) -> str:
    """Folder where a run writes everything before it is swapped in."""
    return join_path(output_root, STAGING_DIR, run_id)


def partition_name(value: str, column: str = PARTITION_COLUMN.name) -> str:
    """Folder name of one partition as Spark writes it, e.g. `pickup_date=2024-01-15`."""
    escaped = "".join(f"%{ord(c):02X}" if c in _ESCAPED else c for c in value)
    return f"{column}={escaped}"


def partition_values(names: Iterable[str], column: str = PARTITION_COLUMN.name) -> list[str]:
    """The values of the partition folders among folder `names`, in their order: the inverse
    of `partition_name`. Other folders (`_temporary`, one made by hand) and Spark's folder for
    a null value are left out."""
    prefix = partition_name("", column)
    return [
        unquote(name.removeprefix(prefix))
        for name in names
        if name.startswith(prefix) and name != prefix + NULL_PARTITION_VALUE
    ]


# Longest folder name in bytes on the usual local file systems (ext4, APFS, NTFS). S3 has no
# such limit, but a run writes the same folders locally and in Glue.
MAX_FOLDER_BYTES = 255
# Hex digits of a path's SHA-256 that stand for the part of it a folder name cannot hold.
_DIGEST_DIGITS = 16


def quarantine_value(source_path: str) -> str:
    """The `source_file` quarantine gives an input file (its path under the input root): the
    path, or for a path whose folder name would be over MAX_FOLDER_BYTES, as long a start of it
    as fits, `~` and a digest of the whole path. The same path always gives the same value, so
    reprocessing a file still replaces its folder."""
    if _fits(source_path):
        return source_path
    tail = "~" + hashlib.sha256(source_path.encode("utf-8")).hexdigest()[:_DIGEST_DIGITS]
    # The longest start that fits, found by halving: a longer start never fits better.
    low, high = 0, len(source_path)
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(source_path[:middle] + tail):
            low = middle
        else:
            high = middle - 1
    return source_path[:low] + tail


def _fits(value: str) -> bool:
    return len(partition_name(value, QUARANTINE_PARTITION).encode("utf-8")) <= MAX_FOLDER_BYTES


def quarantine_folder(source_path: str) -> str:
    """The quarantine partition folder of one input file (its path under the input root)."""
    return partition_name(quarantine_value(source_path), QUARANTINE_PARTITION)
