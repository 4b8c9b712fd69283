"""The job's code as Pulumi assets, with content hashes so a code change changes the S3 keys.

Keys that change with the content make every deploy upload a new object and point the job at it:
no stale script served from a cached key, and the previous version stays until lifecycle expiry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pulumi

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "etl"
ENTRYPOINT = f"{PACKAGE}/glue_job.py"
HASH_LENGTH = 12


@dataclass(frozen=True)
class CodeBundle:
    """Entrypoint script + zip of the `etl` package (with `etl/` at the zip root)."""

    script: pulumi.FileAsset
    script_hash: str
    package: pulumi.AssetArchive
    package_hash: str


def package_files(root: Path = PROJECT_ROOT) -> list[str]:
    """Relative paths of the package's Python files, sorted (caches and tests excluded)."""
    base = root / PACKAGE
    return sorted(
        path.relative_to(root).as_posix()
        for path in base.rglob("*.py")
        if "__pycache__" not in path.parts
    )


def content_hash(relative_paths: list[str], root: Path = PROJECT_ROOT) -> str:
    """Digest over file names and contents, stable across machines and checkouts."""
    digest = hashlib.sha256()
    for rel in relative_paths:
        digest.update(rel.encode())
        digest.update(b"\0")
        digest.update((root / rel).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:HASH_LENGTH]


def code_bundle(root: Path = PROJECT_ROOT) -> CodeBundle:
    """Build the assets from the working tree; paths are relative to the project root (the
    directory Pulumi runs the program in)."""
    if not (root / ENTRYPOINT).is_file():
        raise FileNotFoundError(f"{ENTRYPOINT} is missing: the Glue job needs its entrypoint")
    files = package_files(root)
    # Listing files one by one (rather than FileArchive("etl")) keeps __pycache__ out of the zip.
    archive = pulumi.AssetArchive({rel: pulumi.FileAsset(rel) for rel in files})
    return CodeBundle(
        script=pulumi.FileAsset(ENTRYPOINT),
        script_hash=content_hash([ENTRYPOINT], root),
        package=archive,
        package_hash=content_hash(files, root),
    )
