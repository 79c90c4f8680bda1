"""Atomic output files: all or nothing, with the permissions a plain write would give."""

import os
import stat

import pytest

from align.fileio import atomic_open, write_bytes_atomic


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_bytes_atomic(tmp_path / "pairs.tsv", b"a\tb\n")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "pairs.tsv") == 0o644
    assert (tmp_path / "pairs.tsv").read_text(encoding="utf-8") == "a\tb\n"


def test_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "corpus.tmx"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_bytes_atomic(path, b"new")
    assert _mode(path) == 0o640
    assert path.read_text(encoding="utf-8") == "new"


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "links.jsonl"
    path.write_text("complete\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_open(path) as out:
            out.write("half-")
            raise RuntimeError("stopped mid-write")
    assert path.read_text(encoding="utf-8") == "complete\n"
    assert [p.name for p in tmp_path.iterdir()] == ["links.jsonl"]
