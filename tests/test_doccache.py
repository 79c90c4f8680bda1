"""The document cache: a second read of an unchanged file skips reading and splitting."""

from pathlib import Path

from align.doccache import cached_document
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
    first = cached_document(text, "en", tmp_path / "cache", _counting_reader(text, calls))
    second = cached_document(text, "en", tmp_path / "cache", _counting_reader(text, calls))
    assert len(calls) == 1
    assert [s.text for s in second[1]] == [s.text for s in first[1]] == [
        "The first sentence is here.", "The second one follows it."]
    assert [(s.start, s.end) for s in second[1]] == [(s.start, s.end) for s in first[1]]


def test_changed_file_or_language_is_read_again(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("One sentence here.\n", encoding="utf-8")
    calls: list = []
    cached_document(text, "en", tmp_path / "cache", _counting_reader(text, calls))
    text.write_text("Another sentence here.\n", encoding="utf-8")
    _, sentences = cached_document(text, "en", tmp_path / "cache", _counting_reader(text, calls))
    assert [s.text for s in sentences] == ["Another sentence here."]
    cached_document(text, "de", tmp_path / "cache", _counting_reader(text, calls))
    assert len(calls) == 3


def test_damaged_entry_is_rebuilt(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("One sentence here.\n", encoding="utf-8")
    calls: list = []
    cached_document(text, "en", tmp_path / "cache", _counting_reader(text, calls))
    for entry in (tmp_path / "cache" / "documents").iterdir():
        entry.write_bytes(b"not a pickle")
    _, sentences = cached_document(text, "en", tmp_path / "cache", _counting_reader(text, calls))
    assert len(calls) == 2 and [s.text for s in sentences] == ["One sentence here."]
