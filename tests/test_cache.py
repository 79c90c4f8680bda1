"""The cache folder: where it is, its SQLite store and its faults, and its upkeep (info, prune, clear)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from align.cache import (
    E5_DIRNAME,
    SQL_VARS,
    CacheFolder,
    SqliteStore,
    cache_info,
    clear_cache,
    prune_cache,
    resolve_cache,
)
from align.errors import InputError
from cachefaults import read_only, tiny_disk


# --- where the cache is --------------------------------------------------------------


def test_explicit_beats_environment_beats_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    environ = {"ALIGN_CACHE_DIR": str(tmp_path / "from-env")}
    assert resolve_cache(tmp_path / "given", environ).root == tmp_path / "given"
    assert resolve_cache(None, environ).root == tmp_path / "from-env"
    assert resolve_cache(None, {}).root == tmp_path / "home" / ".cache" / "align"
    assert resolve_cache(None, {"ALIGN_CACHE_DIR": ""}).root == tmp_path / "home" / ".cache" / "align"
    assert resolve_cache(Path("~/c"), {}).root == tmp_path / "home" / "c"


def test_resolving_writes_nothing(tmp_path: Path) -> None:
    environ = {"OTHER": "1"}
    resolve_cache(tmp_path / "given", environ)
    resolve_cache(None, environ)
    assert environ == {"OTHER": "1"}
    assert "ALIGN_CACHE_DIR" not in environ and not (tmp_path / "given").exists()


def test_parts_of_the_folder(tmp_path: Path) -> None:
    cache = CacheFolder(tmp_path)
    assert cache.embeddings == tmp_path / "embeddings.sqlite3"
    assert cache.documents == tmp_path / "documents"
    assert cache.e5_model == tmp_path / "models" / E5_DIRNAME and cache.e5_model.parent == cache.models
    assert cache.index == tmp_path / "index"


def test_a_file_as_cache_folder_is_a_one_line_error(tmp_path: Path) -> None:
    file = tmp_path / "cache"
    file.write_text("not a folder")
    with pytest.raises(InputError, match="cache folder is a file") as caught:
        resolve_cache(file, {})
    assert caught.value.path == str(file)
    with pytest.raises(InputError, match="cache folder is a file"):
        SqliteStore(file / "embeddings.sqlite3", "t", "v BLOB").get_many([b"k"])


# --- the store -----------------------------------------------------------------------


def test_store_round_trip_beyond_one_select(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "new" / "db.sqlite3", "pairs", "a INTEGER NOT NULL, b BLOB NOT NULL")
    rows = [(i.to_bytes(4, "little"), i, bytes([i % 256]) * 3) for i in range(SQL_VARS * 2 + 7)]
    store.put_many(rows)
    store.put_many([(rows[0][0], -1, b"new")])  # an equal key replaces the row
    found = store.get_many([r[0] for r in rows] + [b"absent"])
    assert len(found) == len(rows)
    assert found[rows[0][0]] == (-1, b"new") and found[rows[5][0]] == (5, b"\x05\x05\x05")


def test_damaged_file_is_moved_aside_and_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "db.sqlite3"
    store = SqliteStore(path, "t", "v BLOB")
    store.put_many([(b"k", b"v")])
    path.write_bytes(os.urandom(8192))
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        assert store.get_many([b"k"]) == {}
    assert "damaged" in caplog.text and (tmp_path / "db.sqlite3.corrupt").is_file()
    store.put_many([(b"k", b"again")])
    assert SqliteStore(path, "t", "v BLOB").get_many([b"k"]) == {b"k": (b"again",)}


def test_full_disk_stops_writing_but_not_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "db.sqlite3"
    store = SqliteStore(path, "t", "v BLOB")
    store.put_many([(b"kept", b"v")])
    tiny_disk(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        store.put_many([(i.to_bytes(4, "little"), b"x" * 100) for i in range(500)])
        store.put_many([(b"later", b"x")])  # no second attempt, no second warning
    assert caplog.text.count("database or disk is full") == 1 and not store.writable
    assert store.get_many([b"kept", b"later"]) == {b"kept": (b"v",)}


def test_read_only_database_is_read_but_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "db.sqlite3"
    SqliteStore(path, "t", "v BLOB").put_many([(b"kept", b"v")])
    read_only(monkeypatch)
    store = SqliteStore(path, "t", "v BLOB")
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        store.put_many([(b"new", b"v")])
    assert "readonly" in caplog.text
    assert store.get_many([b"kept", b"new"]) == {b"kept": (b"v",)}


def test_missing_database_in_read_only_folder_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    read_only(monkeypatch)
    store = SqliteStore(tmp_path / "db.sqlite3", "t", "v BLOB")
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        assert store.get_many([b"k"]) == {}
        store.put_many([(b"k", b"v")])
    assert caplog.text.count("going on without caching") == 1
    assert not store.readable and not (tmp_path / "db.sqlite3").exists()


# --- upkeep --------------------------------------------------------------------------


def filled_cache(root: Path) -> CacheFolder:
    """A cache with rows in both tables, three documents and two index files of known
    sizes and ages, and a model file."""
    cache = CacheFolder(root)
    SqliteStore(cache.embeddings, "embeddings", "vec BLOB NOT NULL").put_many(
        [(i.to_bytes(4, "little"), b"e" * 1000) for i in range(200)])
    SqliteStore(cache.embeddings, "word_vectors", "words INTEGER NOT NULL").put_many([(b"w", 3)])
    for age, (folder, name) in enumerate([(cache.documents, "old.pickle"), (cache.index, "ivf-1-old.faiss"),
                                          (cache.documents, "mid.pickle"), (cache.index, "ivf-2-new.faiss"),
                                          (cache.documents, "new.pickle")]):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"d" * 10_000)
        os.utime(folder / name, (1_000_000 + age, 1_000_000 + age))
    cache.e5_model.mkdir(parents=True)
    (cache.e5_model / "model.safetensors").write_bytes(b"m" * 5000)
    return cache


def test_info_measures_each_part(tmp_path: Path) -> None:
    cache = filled_cache(tmp_path / "c")
    info = cache_info(cache)
    assert info.embedding_rows == 200 and info.word_vector_rows == 1
    assert info.embeddings_bytes == cache.embeddings.stat().st_size > 200_000
    assert (info.documents_bytes, info.index_bytes, info.models_bytes) == (30_000, 20_000, 5000)
    assert info.total_bytes == info.embeddings_bytes + 55_000
    empty = cache_info(CacheFolder(tmp_path / "none"))
    assert (empty.total_bytes, empty.embedding_rows, empty.word_vector_rows) == (0, 0, 0)


def test_prune_drops_oldest_documents_and_indexes_first(tmp_path: Path) -> None:
    cache = filled_cache(tmp_path / "c")
    before = cache_info(cache)
    after = prune_cache(cache, before.total_bytes - 15_000)  # two files must go
    assert sorted(p.name for p in cache.documents.iterdir()) == ["mid.pickle", "new.pickle"]
    assert [p.name for p in cache.index.iterdir()] == ["ivf-2-new.faiss"]
    assert after.embedding_rows == 200 and after.total_bytes <= before.total_bytes - 15_000


def test_prune_empties_the_tables_last_and_keeps_models(tmp_path: Path) -> None:
    cache = filled_cache(tmp_path / "c")
    after = prune_cache(cache, 6000)
    assert (after.documents_bytes, after.index_bytes, after.embedding_rows, after.word_vector_rows) == (0, 0, 0, 0)
    assert after.models_bytes == 5000
    assert after.embeddings_bytes < 20_000  # VACUUM gave the space back


def test_prune_under_the_limit_removes_nothing(tmp_path: Path) -> None:
    cache = filled_cache(tmp_path / "c")
    before = cache_info(cache)
    assert prune_cache(cache, before.total_bytes) == before


def test_clear_named_parts_only(tmp_path: Path) -> None:
    cache = filled_cache(tmp_path / "c")
    after = clear_cache(cache, parts={"word_vectors", "documents"})
    assert (after.word_vector_rows, after.documents_bytes) == (0, 0)
    assert (after.embedding_rows, after.index_bytes, after.models_bytes) == (200, 20_000, 5000)
    everything = clear_cache(cache)
    assert everything.total_bytes == cache.embeddings.stat().st_size and everything.embedding_rows == 0
    assert not any(cache.models.iterdir())
    with pytest.raises(ValueError, match="unknown cache parts"):
        clear_cache(cache, parts={"nonsense"})


def test_clear_deletes_a_damaged_database(tmp_path: Path) -> None:
    cache = filled_cache(tmp_path / "c")
    cache.embeddings.write_bytes(os.urandom(4096))
    assert clear_cache(cache, parts={"embeddings"}).embeddings_bytes == 0
