"""Small control files (state, publish marker, reports) are replaced whole, never cut, and what
is deleted is gone."""

from __future__ import annotations

import os

import pytest

from etl.storage import Storage


def test_a_text_file_is_replaced_by_a_new_file_not_rewritten_in_place(spark, tmp_path):
    # Rewritten in place, a run killed mid-write leaves the state or the publish marker cut
    # (empty), and every later run fails reading it. A second name for the old file shows
    # whether its bytes were touched.
    state = tmp_path / "processed_files.json"
    state.write_text('{"old": true}\n')
    os.link(state, tmp_path / "old_name")

    Storage(spark).write_text(state.as_uri(), '{"new": true}\n')

    assert state.read_text() == '{"new": true}\n'
    assert (tmp_path / "old_name").read_text() == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old_name", "processed_files.json"]


def test_a_new_text_file_is_written_in_a_new_folder(spark, tmp_path):
    target = tmp_path / "_reports" / "latest.json"
    Storage(spark).write_text(target.as_uri(), "{}\n")
    assert target.read_text() == "{}\n"
    assert [p.name for p in target.parent.iterdir()] == ["latest.json"]


def test_a_checksum_left_by_an_earlier_writer_never_stops_a_read(spark, tmp_path):
    # Hadoop's local file system renames a file, then its `.crc`: killed in between, it left
    # new text beside the old checksum, and every later read of the state failed.
    storage = Storage(spark)
    state = tmp_path / "processed_files.json"
    storage._write(state.as_uri(), bytearray(b'{"old": true}\n'))
    stale = tmp_path / ".processed_files.json.crc"
    assert stale.exists()
    state.write_text('{"new": true}\n')

    assert storage.read_text(state.as_uri()) == '{"new": true}\n'
    storage.write_text(state.as_uri(), '{"newer": true}\n')
    assert storage.read_text(state.as_uri()) == '{"newer": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed_files.json"]
    assert storage.read_text((tmp_path / "missing.json").as_uri()) is None


class _RefusingFileSystem:
    """A file system whose delete removes nothing and says so, as Hadoop's may; `gone` makes
    the path disappear anyway (deleted by someone else meanwhile)."""

    def __init__(self, gone: bool) -> None:
        self._checks = 0
        self._gone = gone

    def exists(self, _: object) -> bool:
        self._checks += 1
        return not (self._gone and self._checks > 1)

    def delete(self, _: object, recursive: bool) -> bool:
        return False


def test_a_path_the_file_system_would_not_delete_is_an_error(spark, tmp_path):
    storage = Storage(spark)
    target = (tmp_path / "_staging" / "r-1").as_uri()
    storage._file_systems[("file", "")] = _RefusingFileSystem(gone=False)

    with pytest.raises(OSError, match=r"could not delete .*/_staging/r-1$"):
        storage.delete(target)

    storage._file_systems[("file", "")] = _RefusingFileSystem(gone=True)
    storage.delete(target)
