"""File-system access through Hadoop's FileSystem API, so the same calls work on local paths
(tests, `etl.local`) and on s3:// inside Glue, where Python's os module cannot reach."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyspark.sql import SparkSession

from etl.jvm_classes import java_class

# Bounds of the driver's first-line read: characters kept of a line, bytes scanned for its end.
MAX_LINE_CHARS = 1024 * 1024
MAX_SCAN_BYTES = 64 * 1024 * 1024


# Schemes of object stores, where a written file appears whole when its stream closes.
_WHOLE_ON_CLOSE = ("s3", "s3a", "s3n", "gs")

# The first bytes of every gzip stream.
_GZIP_MAGIC = b"\x1f\x8b"


# Byte order marks of UTF-16 text (Excel's "Unicode Text"), little- and big-endian.
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


class Utf16TextError(ValueError):
    """UTF-16 text, which the job does not read: each line would be half NUL bytes."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"UTF-16 text in {path.rsplit('/', 1)[-1]} (it starts with a UTF-16 byte order mark):"
            " the job reads UTF-8; save the file as UTF-8"
        )


class MisnamedGzipError(ValueError):
    """Gzip data under a name Hadoop does not decompress (`.GZ`, or no `.gz` at all)."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"gzip data in {path.rsplit('/', 1)[-1]}, whose name does not end in '.gz' (lower"
            " case), the one name Spark decompresses: rename it to end in .gz"
        )


@dataclass(frozen=True, order=True)
class FileInfo:
    uri: str
    size: int
    modified_ms: int


class Storage:
    """Thin wrapper over `org.apache.hadoop.fs.FileSystem` for one Spark session."""

    def __init__(self, spark: SparkSession) -> None:
        # The py4j gateway is the only route from Python to Hadoop's FileSystem classes.
        self._jvm: Any = spark._jvm
        self._conf: Any = spark._jsc.hadoopConfiguration()
        # Hadoop caches file systems per scheme and authority too; keeping them here saves two
        # calls into the JVM for each file operation (a publish makes hundreds).
        self._file_systems: dict[tuple[str, str], Any] = {}

    def _path(self, path: str) -> Any:
        return java_class(self._jvm, "org.apache.hadoop.fs.Path")(path)

    def _fs(self, path: str) -> Any:
        parts = urlsplit(path)
        key = (parts.scheme, parts.netloc)
        if key not in self._file_systems:
            self._file_systems[key] = self._path(path).getFileSystem(self._conf)
        return self._file_systems[key]

    def exists(self, path: str) -> bool:
        """True when a file or folder exists at `path`."""
        return bool(self._fs(path).exists(self._path(path)))

    def delete(self, path: str) -> None:
        """Delete `path` recursively; a missing path is not an error, one left behind is: a
        publish marker that outlived its staging folder would be published again."""
        fs = self._fs(path)
        if self.exists(path) and not fs.delete(self._path(path), True) and self.exists(path):
            raise OSError(f"could not delete {path}")

    def rename(self, source: str, target: str) -> None:
        """Move `source` to `target`, creating the target's parent folder first."""
        fs = self._fs(source)
        fs.mkdirs(self._path(target).getParent())
        if not fs.rename(self._path(source), self._path(target)):
            raise OSError(f"could not rename {source} to {target}")

    def list_dirs(self, path: str) -> list[str]:
        """Names of the sub-folders of `path`, sorted; empty when `path` does not exist."""
        if not self.exists(path):
            return []
        statuses = self._fs(path).listStatus(self._path(path))
        return sorted(s.getPath().getName() for s in statuses if s.isDirectory())

    def list_files(self, path: str) -> list[FileInfo]:
        """Every file at any depth under `path` (or `path` itself when it is a file), sorted by
        URI; empty when `path` does not exist. One recursive listing, which S3 answers in pages
        instead of one request per folder."""
        if not self.exists(path):
            return []
        found = []
        listing = self._fs(path).listFiles(self._path(path), True)
        while listing.hasNext():
            status = listing.next()
            found.append(
                FileInfo(
                    # Hadoop's own spelling: a java.net.URI string would percent-encode
                    # characters such as `=` or spaces, which Hadoop paths then fail to find.
                    str(status.getPath().toString()),
                    int(status.getLen()),
                    int(status.getModificationTime()),
                )
            )
        return sorted(found)

    def head(
        self, path: str, data_lines: int = 0, max_lines: int = 10_000
    ) -> tuple[str | None, tuple[str, ...]]:
        """The first line of a text file that is not blank, a header, and up to `data_lines`
        non-blank lines under it (gzip and other Hadoop codecs are decompressed). The first is
        None when every line is blank, "" (a blank line, no header) when the first `max_lines`
        are and more follow; the data lines end at the file's end or after `max_lines` blank
        lines in a row. Lines end at CR, LF or CRLF. A line longer than MAX_LINE_CHARS is cut
        there: a header is never that long, and a file of one endless line must not exhaust the
        driver's memory. Raises `MisnamedGzipError` for gzip data that Hadoop would read as
        text, as it picks codecs by the name's exact suffix, and `Utf16TextError` for UTF-16
        text."""
        stream = self._fs(path).open(self._path(path))
        codecs = java_class(self._jvm, "org.apache.hadoop.io.compress.CompressionCodecFactory")
        codec = codecs(self._conf).getCodec(self._path(path))
        if codec is not None:
            stream = codec.createInputStream(stream)
        reader = java_class(self._jvm, "org.apache.hadoop.util.LineReader")(stream)
        text = java_class(self._jvm, "org.apache.hadoop.io.Text")()

        def next_line() -> str | None:
            for _ in range(max_lines):
                if reader.readLine(text, MAX_LINE_CHARS, MAX_SCAN_BYTES) == 0:
                    return None
                line = str(text.toString())
                if line.strip():
                    return line
            return ""

        try:
            first = next_line()
            if not first:
                return first, ()
            start = bytes(text.copyBytes())[:2]
            if codec is None and start == _GZIP_MAGIC:
                raise MisnamedGzipError(path)
            if start in _UTF16_MARKS:
                raise Utf16TextError(path)
            lines: list[str] = []
            while len(lines) < data_lines and (line := next_line()):
                lines.append(line)
            return first, tuple(lines)
        finally:
            reader.close()

    def write_text(self, path: str, text: str) -> None:
        """Write (or replace) a UTF-8 text file whole: a reader, or a run after a kill, sees the
        old text or the new, never a cut one. Object stores publish an object only when its
        stream closes; elsewhere a hidden sibling is written and renamed over the file."""
        data = bytearray(text.encode("utf-8"))
        if urlsplit(path).scheme in _WHOLE_ON_CLOSE:
            self._write(path, data)
            return
        if (local := self._local(path)) is not None:
            _replace_local(local, bytes(data))
            return
        folder, _, name = path.rpartition("/")
        partial = f"{folder}/{_partial_name(name)}"
        self._write(partial, data)
        fs = self._fs(path)
        # POSIX rename replaces the file atomically; a file system whose rename refuses to
        # replace gets the old file deleted first.
        if not fs.rename(self._path(partial), self._path(path)):
            fs.delete(self._path(path), False)
            self.rename(partial, path)

    def _local(self, path: str) -> Path | None:
        """The local file `path` names (a `file:` URI), else None."""
        if urlsplit(path).scheme != "file":
            return None
        return Path(str(self._path(path).toUri().getPath()))

    def _write(self, path: str, data: bytearray) -> None:
        stream = self._fs(path).create(self._path(path), True)
        try:
            stream.write(data)
        finally:
            stream.close()

    def read_text(self, path: str) -> str | None:
        """Contents of a UTF-8 text file, or None when it does not exist."""
        if (local := self._local(path)) is not None:
            try:
                return local.read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
        if not self.exists(path):
            return None
        stream = self._fs(path).open(self._path(path))
        try:
            io_utils = java_class(self._jvm, "org.apache.commons.io.IOUtils")
            return str(io_utils.toString(stream, "UTF-8"))
        finally:
            stream.close()


def _partial_name(name: str) -> str:
    """A hidden sibling's name for a file being written (readers skip names starting with `.`)."""
    return f".{name}.{uuid.uuid4().hex}.partial"


def _replace_local(target: Path, data: bytes) -> None:
    """Replace a local file by a renamed sibling, written without Hadoop's local checksum file:
    Hadoop renames a file and its `.crc` one after the other, and a kill between the two left
    new text beside the old checksum, which every later read refused. A `.crc` left by an
    earlier writer goes first, so a kill leaves the old text readable."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(_partial_name(target.name))
    partial.write_bytes(data)
    target.with_name(f".{target.name}.crc").unlink(missing_ok=True)
    os.replace(partial, target)


def join_path(root: str, *parts: str) -> str:
    """Join URI-style paths with '/' (os.path.join would break s3:// on some platforms)."""
    return "/".join([root.rstrip("/"), *(part.strip("/") for part in parts)])
