"""Bounded memory on long documents: the aligner's blocks and the flags' pieces give
exactly what one pass over the whole document gives (peak memory itself is measured by
`scripts/bench_memory.py`, never in a unit test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import align.aligner as aligner
import align.flags as flags
import align.pipeline as pipeline
from align.aligner import AlignConfig, Side, align_vectors
from align.cache import CacheFolder
from align.components import Components
from align.engine.local import LocalEngine
from align.engine.tasks import worker_state
from align.model import AlignedPair, Document, EmbeddedDocument, Link, Sentence
from align.settings import Settings
from align.wordcache import CachedWordModel
from test_store import ConceptWords


def _sides(n: int, seed: int = 3) -> tuple[Side, Side, tuple[list[str], list[str]]]:
    """A source of n sentences and a target that renders most one by one, merges every 11th
    with the next and leaves every 17th out."""
    rng = np.random.default_rng(seed)
    src = rng.standard_normal((n, 64)).astype(np.float32)
    tgt, k = [], 0
    while k < n:
        if k % 17 == 5:
            k += 1
            continue
        take = 2 if k % 11 == 3 and k + 1 < n else 1
        tgt.append(src[k:k + take].sum(axis=0) + 0.6 * rng.standard_normal(64).astype(np.float32))
        k += take
    m = len(tgt)
    texts = ([f"Строка {k} 19{k % 90:02d} Троцкий." for k in range(n)], [f"Line {k} 19{k % 90:02d}." for k in range(m)])
    src_side = Side.of(src, rng.integers(5, 200, n).tolist(), (np.arange(n) // 6).tolist())
    tgt_side = Side.of(np.stack(tgt), rng.integers(5, 200, m).tolist(), (np.arange(m) // 6).tolist())
    return src_side, tgt_side, texts


def _embed(batch: list[str]) -> np.ndarray:
    return np.stack([np.cos(np.arange(64) * (len(text) % 13 + 1)) for text in batch]).astype(np.float32)


def test_the_aligner_in_blocks_of_rows_gives_the_same_links_to_the_last_bit(monkeypatch):
    src, tgt, texts = _sides(300)
    whole = align_vectors(src, tgt, AlignConfig(), _embed, texts)
    monkeypatch.setattr(aligner, "VALUE_ROWS", 7)
    blocks = align_vectors(src, tgt, AlignConfig(), _embed, texts)
    assert [(link.src, link.tgt, link.score) for link in blocks] == [(link.src, link.tgt, link.score) for link in whole]
    assert len({link.kind for link in whole}) > 2  # merges, splits and gaps were all in play


def test_run_norms_in_blocks_equal_one_cumulative_sum(monkeypatch):
    rng = np.random.default_rng(5)
    vectors, weights = rng.standard_normal((50, 16)).astype(np.float32), rng.random(50)
    weighted = vectors * weights[:, None]
    cum = np.concatenate([np.zeros((1, 16)), np.cumsum(weighted, axis=0, dtype=np.float64)])
    monkeypatch.setattr(aligner, "VALUE_ROWS", 4)
    norms = aligner._run_norms(vectors, weights, 3)
    for a in (1, 2, 3):
        assert np.array_equal(norms[a][:51 - a], np.maximum(np.linalg.norm(cum[a:] - cum[:-a], axis=1), 1e-9))
        assert np.all(norms[a][51 - a:] == 1.0)


def _document(path: str, lang: str, texts: list[str]) -> EmbeddedDocument:
    sentences = tuple(Sentence(path, k, k, text, 0, len(text)) for k, text in enumerate(texts))
    return EmbeddedDocument(Document(Path(path), lang, "\n".join(texts), ()), sentences, np.zeros((len(texts), 1)))


class NoEncoder:
    """The flags need no sentence vectors: an encoder that is never asked."""

    model_id = "unused"

    def encode(self, texts):
        raise AssertionError("the flags asked for sentence vectors")


def _flagged(tmp_path: Path, pairs: list[AlignedPair], name: str) -> list[tuple]:
    settings = Settings(cache=CacheFolder(tmp_path / name))
    words = CachedWordModel(ConceptWords(), settings.cache.embeddings)
    state = worker_state(settings, Components(encoder=NoEncoder(), words=words, vocabulary=None))
    with LocalEngine(state) as engine:
        flagged = pipeline.flag_all(engine, pairs)
    return [[(link.src, link.tgt, link.flags) for link in pair.links] for pair in flagged]


@pytest.fixture
def long_pairs() -> list[AlignedPair]:
    ru = ["Сталин исключил Троцкий из партии.", "Троцкий пишет письмо.", "Коба пишет 12 писем.", "Партия молчит."]
    en = ["Stalin expelled Trotsky from the party.", "Trotsky writes a letter.", "He writes 13 letters.", "Silence."]
    big = (_document("ru/big.txt", "ru", ru * 12), _document("en/big.txt", "en", en * 12))
    links = [Link((k,), (k,), 0.45 if k == 22 else 0.8 + 0.01 * (k % 7)) for k in range(40)] + [Link((40,), (), 0.0), Link((), (40,), 0.0)] + [
        Link((k,), (k,), 0.6) for k in range(41, 48)]
    small = (_document("ru/s.txt", "ru", ru), _document("en/s.txt", "en", en))
    return [AlignedPair(*big, tuple(links), "parallel"),
            AlignedPair(*small, tuple(Link((k,), (k,), 0.7) for k in range(4)), "parallel")]


def test_flags_in_pieces_and_groups_equal_flags_in_one_go(tmp_path, monkeypatch, long_pairs):
    whole = _flagged(tmp_path, long_pairs, "whole")
    monkeypatch.setattr(flags, "WORDS_AT_ONCE", 5)
    monkeypatch.setattr(pipeline, "WORDS_AT_ONCE", 5)
    monkeypatch.setattr(pipeline, "FLAG_GROUP", 12)
    pieces = _flagged(tmp_path, long_pairs, "pieces")
    assert pieces == whole
    kinds = {flag.kind for pair in whole for _, _, link_flags in pair for flag in link_flags}
    # The word model and the document's statistics (link 22 scores far below the rest) were used.
    assert {"omission", "addition", "number", "mistranslation"} <= kinds
