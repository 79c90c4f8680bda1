"""The document cache: a second read of an unchanged file skips reading and splitting."""

import errno
import logging
from pathlib import Path

import pytest

import align.doccache
from align.cache import CacheFolder
from align.doccache import cached_document
from align.errors import InputError
from align.ingest import read_document
from align.segment import split_document


def _counting_reader(path: Path, calls: list):
    def make():
        calls.append(path)
        document = read_document(path, "en")
        return document, split_document(document)
    return make


def test_unchanged_file_is_read_once(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("The first sentence is here. The second one follows it.\n", encoding="utf-8")
    calls: list = []
    first = cached_document(text, "en", CacheFolder(tmp_path / "cache"), _counting_reader(text, calls))
    second = cached_document(text, "en", CacheFolder(tmp_path / "cache"), _counting_reader(text, calls))
    assert len(calls) == 1
    assert [s.text for s in second[1]] == [s.text for s in first[1]] == [
        "The first sentence is here.", "The second one follows it."]
    assert [(s.start, s.end) for s in second[1]] == [(s.start, s.end) for s in first[1]]


def test_changed_file_or_language_is_read_again(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("One sentence here.\n", encoding="utf-8")
    calls: list = []
    cached_document(text, "en", CacheFolder(tmp_path / "cache"), _counting_reader(text, calls))
    text.write_text("Another sentence here.\n", encoding="utf-8")
    _, sentences = cached_document(text, "en", CacheFolder(tmp_path / "cache"), _counting_reader(text, calls))
    assert [s.text for s in sentences] == ["Another sentence here."]
    cached_document(text, "de", CacheFolder(tmp_path / "cache"), _counting_reader(text, calls))
    assert len(calls) == 3


def test_damaged_entry_is_rebuilt(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("One sentence here.\n", encoding="utf-8")
    calls: list = []
    cached_document(text, "en", CacheFolder(tmp_path / "cache"), _counting_reader(text, calls))
    for entry in (tmp_path / "cache" / "documents").iterdir():
        entry.write_bytes(b"not a pickle")
    _, sentences = cached_document(text, "en", CacheFolder(tmp_path / "cache"), _counting_reader(text, calls))
    assert len(calls) == 2 and [s.text for s in sentences] == ["One sentence here."]


def test_failed_write_is_a_warning_and_the_document_is_kept(tmp_path, monkeypatch, caplog):
    text = tmp_path / "a.txt"
    text.write_text("One sentence here.\n", encoding="utf-8")

    def full_disk(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(align.doccache, "write_bytes_atomic", full_disk)
    calls: list = []
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        _, sentences = cached_document(text, "en", CacheFolder(tmp_path / "cache"), _counting_reader(text, calls))
    assert [s.text for s in sentences] == ["One sentence here."]
    assert "No space left on device" in caplog.text
    assert not any((tmp_path / "cache" / "documents").iterdir())


def test_cache_folder_that_is_a_file_is_an_input_error_before_reading(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("One sentence here.\n", encoding="utf-8")
    (tmp_path / "cache").write_text("a file")
    calls: list = []
    with pytest.raises(InputError, match="cache folder is a file"):
        cached_document(text, "en", CacheFolder(tmp_path / "cache"), _counting_reader(text, calls))
    assert calls == []
