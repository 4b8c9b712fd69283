"""Upload local CSV, CSV.GZ and Parquet files to the raw bucket's ``input/`` prefix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from etl.contract import not_taxi_trips
from ops.display import ProgressBar
from ops.errors import UsageError

INPUT_PREFIX = "input/"
SUFFIXES = (".csv", ".csv.gz", ".parquet")


@dataclass(frozen=True)
class UploadItem:
    """One local file and the S3 key it is uploaded to."""

    path: Path
    key: str
    size: int


def is_input_file(path: Path) -> bool:
    """CSV, gzipped CSV or Parquet, by name (case-insensitive), as the ETL job reads them: not
    the TLC's files of something other than taxi trips (for-hire vehicle trips, the zone lookup
    table), which it skips."""
    name = path.name
    return path.is_file() and name.lower().endswith(SUFFIXES) and not_taxi_trips(name) is None


def _key(relative: PurePosixPath) -> str:
    return f"{INPUT_PREFIX}{relative.as_posix()}"


def collect(paths: Sequence[Path]) -> list[UploadItem]:
    """Files to upload, sorted by key; folders are walked recursively.

    A file keeps its name; a folder's files keep their path relative to that folder, so the
    folder layout (e.g. ``2024/01/``) is reproduced under ``input/``.
    """
    items: dict[str, UploadItem] = {}
    for path in paths:
        if not path.exists():
            raise UsageError(f"path does not exist: {path}")
        candidates: Iterable[tuple[Path, PurePosixPath]]
        if path.is_dir():
            candidates = (
                (file, PurePosixPath(file.relative_to(path).as_posix())) for file in path.rglob("*")
            )
        else:
            candidates = [(path, PurePosixPath(path.name))]
        for file, relative in candidates:
            if is_input_file(file):
                key = _key(relative)
                if key in items and items[key].path.resolve() != file.resolve():
                    raise UsageError(f"two files map to s3 key {key}: {items[key].path}, {file}")
                items[key] = UploadItem(file, key, file.stat().st_size)
    if not items:
        raise UsageError(f"no .csv, .csv.gz or .parquet files under: {' '.join(map(str, paths))}")
    return sorted(items.values(), key=lambda item: item.key)


def extra_args(item: UploadItem, kms_key_arn: str | None) -> dict[str, str]:
    """Object metadata: content type, and SSE-KMS with the stack's key when it is known.

    Without a key the bucket's default encryption applies; naming it explicitly also satisfies
    bucket policies that deny uploads lacking the SSE-KMS header.
    """
    key = item.key.lower()
    content_type = "text/csv"
    if key.endswith(".gz"):
        content_type = "application/gzip"
    elif key.endswith(".parquet"):
        content_type = "application/vnd.apache.parquet"
    args = {"ContentType": content_type}
    if kms_key_arn:
        args["ServerSideEncryption"] = "aws:kms"
        args["SSEKMSKeyId"] = kms_key_arn
    return args


def upload(
    s3: Any, bucket: str, items: Sequence[UploadItem], kms_key_arn: str | None, bar: ProgressBar
) -> None:
    """Upload every item (multipart for big files, handled by boto3's transfer manager)."""
    for item in items:
        s3.upload_file(
            str(item.path),
            bucket,
            item.key,
            ExtraArgs=extra_args(item, kms_key_arn),
            Callback=bar.advance,
        )
    bar.close()
