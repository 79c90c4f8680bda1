"""Locating renderings: runs of English sentences found among unrelated Russian text."""

import numpy as np

from align.locate import LocateConfig, find_passages, retrieve


def _unit(rng, n, dim=96):
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _near(v, rng, noise=0.6):
    w = v + noise * rng.normal(size=v.shape).astype(np.float32) / np.sqrt(v.shape[1])
    return w / np.linalg.norm(w, axis=1, keepdims=True)


def _collection(rng):
    ru = _unit(rng, 3000)
    doc_of_row = np.repeat(np.arange(3), 1000)
    return ru, doc_of_row


def test_run_of_renderings_is_found_and_commentary_left_out():
    rng = np.random.default_rng(0)
    ru, doc_of_row = _collection(rng)
    commentary = _unit(rng, 20)
    rendered = _near(ru[1500:1506], rng)
    en = np.vstack([commentary[:10], rendered, commentary[10:]])
    words = np.full(len(en), 12)
    passages = find_passages(retrieve(en, ru), doc_of_row, words)
    assert [(p.en_start, p.en_end, p.ru_start, p.ru_end) for p in passages] == [(10, 16, 1500, 1506)]


def test_two_passages_from_different_documents():
    rng = np.random.default_rng(1)
    ru, doc_of_row = _collection(rng)
    commentary = _unit(rng, 12)
    en = np.vstack([commentary[:4], _near(ru[200:204], rng), commentary[4:8], _near(ru[2700:2703], rng),
                    commentary[8:]])
    passages = find_passages(retrieve(en, ru), doc_of_row, np.full(len(en), 12))
    found = [(p.en_start, p.en_end, p.ru_start, p.ru_end) for p in passages]
    assert found == [(4, 8, 200, 204), (12, 15, 2700, 2703)]


def test_short_lone_sentence_is_not_a_passage_but_a_long_one_is():
    rng = np.random.default_rng(2)
    ru, doc_of_row = _collection(rng)
    en = np.vstack([_unit(rng, 5), _near(ru[42:43], rng, 0.3), _unit(rng, 5)])
    words = np.full(len(en), 12)
    cands = retrieve(en, ru)
    assert [(p.en_start, p.ru_start) for p in find_passages(cands, doc_of_row, words)] == [(5, 42)]
    words[5] = 2  # a caption: too short to trust on its own
    assert find_passages(cands, doc_of_row, words) == []


def test_margin_scores_prefer_the_true_source():
    rng = np.random.default_rng(3)
    ru, _ = _collection(rng)
    en = _near(ru[:50], rng)
    cands = retrieve(en, ru, LocateConfig(candidates=4))
    assert (cands.rows[:, 0] == np.arange(50)).all()
    assert (cands.margin[:, 0] > cands.margin[:, 1]).all()
