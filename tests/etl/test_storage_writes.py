"""Small control files (state, publish marker, reports) are replaced whole, never cut."""

from __future__ import annotations

import os

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
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".crc")) == [
        "old_name",
        "processed_files.json",
    ]


def test_a_new_text_file_is_written_in_a_new_folder(spark, tmp_path):
    target = tmp_path / "_reports" / "latest.json"
    Storage(spark).write_text(target.as_uri(), "{}\n")
    assert target.read_text() == "{}\n"
    assert [p.name for p in target.parent.iterdir() if not p.name.endswith(".crc")] == [
        "latest.json"
    ]
