"""Word vectors from the encoder's token embeddings, for word-level alignment.

multilingual-e5-small (the offline folder ``align.e5_convert`` builds) returns one
vector per sub-word token; a word's vector is the mean of its tokens. Words of two
sentences are then compared SimAlign-style: cosine matrix, argmax both ways.
The model is loaded on first use and kept for the process.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from align.embed import E5_DIRNAME, TORCH_THREADS, default_cache_dir

WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")
PREFIX = "query: "
BATCH = 32


@dataclass(frozen=True)
class Words:
    """The words of one text: character spans and L2-normalised vectors (one row each)."""

    text: str
    spans: tuple[tuple[int, int], ...]
    vectors: np.ndarray

    @property
    def tokens(self) -> list[str]:
        return [self.text[s:e] for s, e in self.spans]


@lru_cache(maxsize=2)
def _model(model_dir: str, layer: int):
    """The sentence-transformers model cut after ``layer`` transformer layers (the rest is never needed)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    from align.e5_convert import build_e5_model

    torch.set_num_threads(TORCH_THREADS)
    path = build_e5_model(Path(model_dir))
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    encoder = model[0].auto_model.encoder
    encoder.layer = encoder.layer[:layer]
    return model


def word_vectors(texts: Sequence[str], layer: int = 8, model_dir: Path | None = None) -> list[Words]:
    """Word spans and vectors for each text: e5-small hidden states after ``layer`` of its
    12 layers (SimAlign found middle layers align words best), averaged per word."""
    import torch

    model = _model(str(model_dir or default_cache_dir() / "models" / E5_DIRNAME), layer)
    bert = model[0].auto_model
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[Words | None] = [None] * len(texts)
    for start in range(0, len(order), BATCH):
        idx = order[start:start + BATCH]
        batch = model.tokenizer([PREFIX + texts[i] for i in idx], padding=True, truncation=True,
                                max_length=model.max_seq_length, return_offsets_mapping=True, return_tensors="pt")
        offsets = batch.pop("offset_mapping").tolist()
        with torch.inference_mode():
            hidden = bert(**batch).last_hidden_state.float().numpy()
        for row, i in enumerate(idx):
            out[i] = _pool(texts[i], hidden[row], offsets[row])
    return [w for w in out if w is not None]


def _pool(text: str, tokens: np.ndarray, offsets: list[tuple[int, int]]) -> Words:
    """Average token vectors over the words they overlap (prefix and special tokens dropped)."""
    spans = [(m.start(), m.end()) for m in WORD_RE.finditer(text)]
    sums = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    counts = np.zeros(len(spans))
    starts = np.array([s for s, _ in spans])
    for vec, (a, b) in zip(tokens, offsets):
        a, b = a - len(PREFIX), b - len(PREFIX)
        if b <= a or a < 0:
            continue
        w = int(np.searchsorted(starts, a, side="right")) - 1
        if w >= 0 and a < spans[w][1]:
            sums[w] += vec
            counts[w] += 1
    kept = counts > 0  # words beyond the model's length limit get no vector
    vectors = sums[kept] / counts[kept, None]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return Words(text, tuple(s for s, k in zip(spans, kept) if k), vectors)


def best_matches(src: Words, tgt: Words) -> tuple[np.ndarray, np.ndarray]:
    """For each source word: its best cosine with a target word, and whether the two are
    mutual best matches (SimAlign's argmax intersection)."""
    if not len(src.spans) or not len(tgt.spans):
        return np.zeros(len(src.spans)), np.zeros(len(src.spans), dtype=bool)
    sim = src.vectors @ tgt.vectors.T
    fwd = sim.argmax(axis=1)
    bwd = sim.argmax(axis=0)
    mutual = bwd[fwd] == np.arange(len(src.spans))
    return sim.max(axis=1), mutual


@lru_cache(maxsize=1)
def _tokenizer(model_dir: str):
    from tokenizers import Tokenizer

    from align.e5_convert import build_e5_model

    return Tokenizer.from_file(str(build_e5_model(Path(model_dir)) / "tokenizer.json"))


def is_common_word(word: str, model_dir: Path | None = None) -> bool:
    """Whether the word, as written or lower-cased, is one piece of the encoder's 250k
    vocabulary: frequent words are (``Государственный``, ``России``); rare names are
    split (``Тро|цкий``, ``Де|г|тя|рев``)."""
    tokenizer = _tokenizer(str(model_dir or default_cache_dir() / "models" / E5_DIRNAME))
    return any(len([p for p in tokenizer.encode(form, add_special_tokens=False).tokens if p != "▁"]) <= 1
               for form in (word, word.lower()))
