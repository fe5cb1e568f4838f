"""Atomic writes: the whole file or the old one, never a temporary left behind, and an ordinary file mode."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from studio.atomic import FILE_MODE, write_bytes_atomic, write_json_atomic


def test_a_write_replaces_the_file_whole_and_leaves_no_temporary(tmp_path) -> None:
    target = tmp_path / "deep" / "model.onnx"
    write_bytes_atomic(target, b"old")
    write_bytes_atomic(target, b"new bytes")
    assert target.read_bytes() == b"new bytes"
    assert [p.name for p in target.parent.iterdir()] == ["model.onnx"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path) -> None:
    target = tmp_path / "summary.json"
    write_json_atomic(target, {"a": 1})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"a": object()})
    assert target.read_text(encoding="utf-8") == '{\n  "a": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_the_file_gets_the_mode_open_would_give_it_not_mkstemps_0600(tmp_path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    assert 0o666 & ~umask == FILE_MODE
    written = write_bytes_atomic(tmp_path / "model.onnx", b"x")
    plain = tmp_path / "plain"
    plain.write_bytes(b"x")
    assert stat.S_IMODE(written.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
