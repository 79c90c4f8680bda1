"""The word model: chosen by name, cached on disk (a second run needs no network), faults cost only time."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from align.cache import E5_DIRNAME, CacheFolder
from align.e5_convert import build_e5_model
from align.errors import InputError
from align.tokens import WORD_RE, E5Words, Words, load_vocabulary, native_bf16, pool_words
from align.wordcache import CachedWordModel, load_word_model
from cachefaults import read_only, tiny_disk
from conftest import EN_SENTENCES, RU_SENTENCES

TEXTS = [RU_SENTENCES[0], EN_SENTENCES[0], RU_SENTENCES[0], "…"]  # a repeat, and a text with no words


class FakeWords:
    """A word model without a network: a vector per word seeded by the word; records its calls."""

    def __init__(self, model_id: str = "fake|words") -> None:
        self.model_id = model_id
        self.calls: list[list[str]] = []

    def words(self, texts: Sequence[str]) -> list[Words]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            spans = tuple((m.start(), m.end()) for m in WORD_RE.finditer(text))
            rows = [np.random.default_rng(list(f"{self.model_id}|{text[s:e]}".encode())).standard_normal(4)
                    for s, e in spans]
            vectors = np.array(rows, dtype=np.float64).reshape(len(spans), 4)
            out.append(Words(text, spans, vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)))
        return out


def same_words(a: Sequence[Words], b: Sequence[Words]) -> bool:
    return all(x.text == y.text and x.spans == y.spans and np.array_equal(x.vectors, y.vectors) for x, y in zip(a, b))


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> CacheFolder:
    """The cache conftest points $ALIGN_CACHE_DIR at, e5-small built once for every test that needs it."""
    cache = CacheFolder(tmp_path_factory.getbasetemp() / "align-cache")
    build_e5_model(cache.e5_model)
    return cache


# --- the disk cache ----------------------------------------------------------------


def test_cached_words_equal_fresh_ones_and_skip_the_model(tmp_path: Path) -> None:
    fake = FakeWords()
    first = CachedWordModel(fake, tmp_path / "e.sqlite3").words(TEXTS)
    assert fake.calls == [[RU_SENTENCES[0], EN_SENTENCES[0], "…"]]  # each text once
    assert same_words(first, FakeWords().words(TEXTS)) and first[3].spans == ()
    again = CachedWordModel(fake, tmp_path / "e.sqlite3").words(TEXTS[::-1])
    assert len(fake.calls) == 1 and same_words(again, first[::-1])
    other = FakeWords("other|words")
    CachedWordModel(other, tmp_path / "e.sqlite3").words(TEXTS[:1])  # another model is another key
    assert other.calls == [TEXTS[:1]]


def test_corrupt_word_cache_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "e.sqlite3"
    first = CachedWordModel(FakeWords(), path).words(TEXTS)
    path.write_bytes(os.urandom(path.stat().st_size))
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        assert same_words(CachedWordModel(FakeWords(), path).words(TEXTS), first)
    assert "damaged" in caplog.text
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM word_vectors").fetchone()[0] == 3


@pytest.mark.parametrize("fault", [read_only, tiny_disk])
def test_unwritable_word_cache_gives_the_same_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture, fault) -> None:
    path = tmp_path / "e.sqlite3"
    CachedWordModel(FakeWords(), path).words(["Один."])
    fault(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="align.cache"):
        out = CachedWordModel(FakeWords(), path).words(TEXTS * 100)
    assert same_words(out, FakeWords().words(TEXTS * 100))
    assert "going on without caching" in caplog.text


def test_word_cache_in_a_file_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file")
    with pytest.raises(InputError, match="cache folder is a file"):
        load_word_model("e5-small", "use-m3", CacheFolder(tmp_path / "cache")).words(["Один."])


# --- choosing the model (nothing loads) ----------------------------------------------


@pytest.mark.parametrize("encoder", ["use-m3", "e5-small", "use-m3+e5-small"])
def test_auto_gives_e5_small_words_with_the_old_cache_key(tmp_path: Path, encoder: str) -> None:
    model = load_word_model("auto", encoder, CacheFolder(tmp_path))
    old_key = f"{E5_DIRNAME}|words|8" + ("|bf16" if native_bf16() else "")
    assert model.model_id == old_key == load_word_model("e5-small", "x", CacheFolder(tmp_path)).model_id
    assert not (tmp_path / "models").exists()  # the network loads lazily


def test_bfloat16_vectors_have_their_own_cache_key(tmp_path: Path) -> None:
    """bf16 vectors differ from float32 ones (by < 1e-4 cosine): a cache never mixes the two."""
    assert E5Words(tmp_path, bf16=False).model_id == f"{E5_DIRNAME}|words|8"
    assert E5Words(tmp_path, bf16=True).model_id == f"{E5_DIRNAME}|words|8|bf16"
    assert E5Words(tmp_path, layer=12, bf16=True).model_id == f"{E5_DIRNAME}|words|12|bf16"


def test_auto_with_another_encoder_uses_its_token_embeddings(tmp_path: Path) -> None:
    folder = tmp_path / "st-model"
    folder.mkdir()
    (folder / "modules.json").write_text('[{"idx": 0, "name": "0", "path": "", '
                                         '"type": "sentence_transformers.models.Transformer"}]')
    assert load_word_model("auto", str(folder), CacheFolder(tmp_path)).model_id == f"{folder}|words"
    assert load_word_model("encoder", str(folder), CacheFolder(tmp_path)).model_id == f"{folder}|words"
    assert load_word_model(str(folder), "use-m3", CacheFolder(tmp_path)).model_id == f"{folder}|words"
    bf16 = "|bf16" if native_bf16() else ""
    assert load_word_model("encoder", "e5-small", CacheFolder(tmp_path)).model_id == f"{E5_DIRNAME}|words|12{bf16}"


def test_models_without_token_embeddings_are_input_errors(tmp_path: Path) -> None:
    cache = CacheFolder(tmp_path)
    for name, encoder in [("encoder", "use-m3"), ("encoder", "use-m3+e5-small"), ("use-m3", "e5-small")]:
        with pytest.raises(InputError, match="no token embeddings"):
            load_word_model(name, encoder, cache)
    not_transformer = tmp_path / "static"
    not_transformer.mkdir()
    (not_transformer / "modules.json").write_text('[{"type": "sentence_transformers.models.StaticEmbedding"}]')
    with pytest.raises(InputError, match="no token embeddings"):
        load_word_model("encoder", str(not_transformer), cache)
    with pytest.raises(InputError, match="not found offline"):
        load_word_model("no-such-org/no-such-model-1234", "use-m3", cache)


# --- the networks (slow: they load e5-small) --------------------------------------------


@pytest.mark.slow
def test_e5_small_words_are_layer_8_hidden_states_under_the_old_key(shared_cache: CacheFolder) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    cache = shared_cache
    words = load_word_model("e5-small", "use-m3", cache).words(TEXTS)
    tokenizer = AutoTokenizer.from_pretrained(shared_cache.e5_model)
    bert = AutoModel.from_pretrained(shared_cache.e5_model, output_hidden_states=True)
    for text, got in zip(TEXTS, words):
        batch = tokenizer("query: " + text, return_offsets_mapping=True, return_tensors="pt")
        offsets = batch.pop("offset_mapping")[0].tolist()
        with torch.inference_mode():
            layer8 = bert(**batch).hidden_states[8][0].float().numpy()
        expected = pool_words(text, layer8, offsets)
        assert got.spans == expected.spans
        if native_bf16():  # bfloat16 matmuls: the same directions, not the same digits
            assert np.all(np.sum(got.vectors * expected.vectors, axis=1) > 0.9999)
        else:
            np.testing.assert_allclose(got.vectors, expected.vectors, atol=1e-4)
    old_key = hashlib.sha256(f"{E5_DIRNAME}|words|8{'|bf16' if native_bf16() else ''}\0{TEXTS[0]}".encode()).digest()
    with sqlite3.connect(cache.embeddings) as db:
        assert db.execute("SELECT COUNT(*) FROM word_vectors WHERE key = ?", (old_key,)).fetchone()[0] == 1


@pytest.mark.slow
def test_encoder_path_gives_one_unit_vector_per_word(shared_cache: CacheFolder, tmp_path: Path) -> None:
    model = load_word_model("encoder", str(shared_cache.e5_model), CacheFolder(tmp_path))
    words = model.words(TEXTS)
    for text, got in zip(TEXTS, words):
        assert got.tokens == WORD_RE.findall(text)
        assert got.vectors.shape == (len(got.spans), 384)
        np.testing.assert_allclose(np.linalg.norm(got.vectors, axis=1), 1.0, atol=1e-5)
    layer8 = E5Words(shared_cache.e5_model).words(TEXTS[:1])[0]
    assert not np.allclose(words[0].vectors, layer8.vectors, atol=1e-3)  # the last layer, not layer 8


@pytest.mark.slow
def test_vocabulary_knows_common_words_not_rare_names(shared_cache: CacheFolder) -> None:
    vocabulary = load_vocabulary(shared_cache)
    assert vocabulary.is_common("России") and vocabulary.is_common("Государственный")
    assert not vocabulary.is_common("Троцкий") and not vocabulary.is_common("Дегтярев")
    assert vocabulary.is_common("ПРАВИТЕЛЬСТВО")  # four pieces as written, one lower-cased
