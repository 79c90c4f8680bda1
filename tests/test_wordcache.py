"""Word vectors are cached on disk: a second run needs no word model."""

import numpy as np
import pytest

import align.wordcache as wordcache
from align.tokens import word_vectors
from conftest import EN_SENTENCES, RU_SENTENCES


def test_cached_word_vectors_equal_fresh_ones_and_skip_the_model(tmp_path, monkeypatch):
    texts = [RU_SENTENCES[0], EN_SENTENCES[0], RU_SENTENCES[0], "…"]  # a repeat, and a text with no words
    first = wordcache.cached_word_vectors(texts, 8, tmp_path)
    fresh = word_vectors(texts, 8)
    for cached, computed in zip(first, fresh):
        assert cached.spans == computed.spans and cached.tokens == computed.tokens
        np.testing.assert_array_equal(cached.vectors, computed.vectors)

    def no_model(*_):
        raise AssertionError("the word model ran although every text was cached")

    monkeypatch.setattr(wordcache, "word_vectors", no_model)
    second = wordcache.cached_word_vectors(texts, 8, tmp_path)
    assert [w.spans for w in second] == [w.spans for w in first]
    assert all(np.array_equal(a.vectors, b.vectors) for a, b in zip(first, second))
    with pytest.raises(AssertionError):  # another layer is another key
        wordcache.cached_word_vectors(texts[:1], 6, tmp_path)
