"""Word models: word vectors from a transformer's token embeddings, for word-level alignment.

A word model turns each text into ``Words``: its word spans and one vector per word,
the mean of the sub-word tokens the word overlaps. The words of two sentences are then
compared SimAlign-style: cosine matrix, argmax both ways. ``E5Words`` is e5-small (the
offline folder ``align.e5_convert`` builds) cut after layer 8, the flags' default;
``TransformerWords`` takes any sentence-transformers model's last hidden state, its
token embeddings. Networks load on first use and are kept for the process.
``Vocabulary`` is e5-small's tokenizer as a lexicon of common words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from align.cache import E5_DIRNAME, CacheFolder
from align.embed import load_sentence_transformer
from align.errors import InputError

WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")
PREFIX = "query: "
BATCH = 32
E5_WORD_LAYER = 8  # SimAlign found middle layers align words best
E5_LAYERS = 12
BF16_CPU_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})
# Threads of the word passes, the same in every process: a text's vectors change (~1e-7)
# with the thread count, and a pool worker or a Ray actor must give the driver's vectors
# (tests/test_engine.py). Two: an idle 2-core machine checks 10,000 segments in 57.6 s
# against 65.8 s with one (on cores other jobs share, one thread wastes less CPU).
WORD_THREADS = 2


@dataclass(frozen=True)
class Words:
    """The words of one text: character spans and L2-normalised vectors (one row each)."""

    text: str
    spans: tuple[tuple[int, int], ...]
    vectors: np.ndarray

    @property
    def tokens(self) -> list[str]:
        return [self.text[s:e] for s, e in self.spans]


class WordModel(Protocol):
    """Anything that gives each text its words and their vectors."""

    model_id: str  # recorded in the run signature and part of the cache key

    def words(self, texts: Sequence[str]) -> list[Words]: ...


@lru_cache(maxsize=2)
def _model(path: str, layers: int | None):
    """The sentence-transformers model at ``path``, cut after ``layers`` transformer layers
    when given (the rest is never needed)."""
    model = load_sentence_transformer(path)
    if not hasattr(model[0], "auto_model") or not getattr(model.tokenizer, "is_fast", False):
        raise InputError(path, "no token embeddings with character offsets: the word model needs a "
                               "transformer with a fast tokenizer")
    if layers is not None:
        encoder = model[0].auto_model.encoder
        encoder.layer = encoder.layer[:layers]
    model[0].auto_model.pooler = None  # the words need token states, not the pooled [CLS]
    return model


@lru_cache(maxsize=1)
def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AMX or AVX512-BF16: there bf16 passes
    take 2.5x less CPU than float32); read from /proc/cpuinfo, so no torch import is needed
    to name the cache key. Elsewhere (or unreadable) float32."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return bool(BF16_CPU_FLAGS & set(line.split()))
    except OSError:
        pass
    return False


@contextmanager
def _word_pass(bf16: bool) -> Iterator[None]:
    """Inference with ``WORD_THREADS`` threads (restored after) and, if ``bf16``, bfloat16 matmuls."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(WORD_THREADS)
    try:
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            yield
    finally:
        torch.set_num_threads(threads)


class TransformerWords:
    """A sentence-transformers model's token embeddings (its transformer's hidden states,
    after ``layers`` layers if given, else the last), averaged per word; ``prefix`` goes
    before every text, as the model was trained (e5: ``"query: "``); ``bf16``: bfloat16 matmuls
    (vectors within 3e-5 cosine of float32 ones on e5-small; the model id must say so)."""

    def __init__(self, path: str, *, model_id: str, prefix: str = "", layers: int | None = None,
                 bf16: bool = False) -> None:
        self.path = path
        self.model_id = model_id
        self.prefix = prefix
        self.layers = layers
        self.bf16 = bf16

    def _folder(self) -> str:
        return self.path

    def words(self, texts: Sequence[str]) -> list[Words]:
        """Word spans and vectors for each text, in input order, batched by token count (by
        characters a batch of news was 25 % padding, by tokens 3 %); each text tokenised once."""
        import torch

        model = _model(self._folder(), self.layers)
        bert = model[0].auto_model
        encoded = model.tokenizer([self.prefix + text for text in texts], truncation=True,
                                  max_length=model.max_seq_length, return_offsets_mapping=True)
        ids, offsets = encoded["input_ids"], encoded["offset_mapping"]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        out: list[Words | None] = [None] * len(texts)
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            width = max(len(ids[i]) for i in idx)
            input_ids = torch.full((len(idx), width), model.tokenizer.pad_token_id, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):
                input_ids[row, :len(ids[i])] = torch.tensor(ids[i])
                mask[row, :len(ids[i])] = 1
            with _word_pass(self.bf16):
                hidden = bert(input_ids=input_ids, attention_mask=mask).last_hidden_state.float().numpy()
            for row, i in enumerate(idx):
                out[i] = pool_words(texts[i], hidden[row, :len(ids[i])], offsets[i], self.prefix)
        return [w for w in out if w is not None]


class E5Words(TransformerWords):
    """e5-small's hidden states after ``layer`` of its 12 layers, built at ``model_dir``
    on first use, in bfloat16 where the CPU has it (``native_bf16``). Its ``model_id``
    (``E5_DIRNAME|words|layer``, ``|bf16`` added for bfloat16 vectors) is the cache key."""

    def __init__(self, model_dir: Path, layer: int = E5_WORD_LAYER, bf16: bool | None = None) -> None:
        bf16 = native_bf16() if bf16 is None else bf16
        super().__init__(str(model_dir), model_id=f"{E5_DIRNAME}|words|{layer}" + ("|bf16" if bf16 else ""),
                         prefix=PREFIX, layers=layer, bf16=bf16)

    def _folder(self) -> str:
        from align.e5_convert import build_e5_model

        return str(build_e5_model(Path(self.path)))


def check_token_model(folder: str, name: str) -> None:
    """``InputError`` unless the sentence-transformers folder starts with a Transformer
    module (the one that has token embeddings): found before any text is embedded."""
    try:
        first = json.loads((Path(folder) / "modules.json").read_text(encoding="utf-8"))[0]["type"]
    except (OSError, ValueError, LookupError, TypeError):
        first = ""
    if not str(first).endswith("Transformer"):
        raise InputError(name, "has no token embeddings (not a sentence-transformers Transformer model): "
                               "choose the word model e5-small")


def pool_words(text: str, tokens: np.ndarray, offsets: list[tuple[int, int]], prefix: str = PREFIX) -> Words:
    """Average token vectors over the words they overlap (prefix and special tokens dropped)."""
    spans = [(m.start(), m.end()) for m in WORD_RE.finditer(text)]
    sums = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    counts = np.zeros(len(spans))
    if spans:
        n = min(len(tokens), len(offsets))
        shifted = np.asarray(offsets[:n], dtype=np.int64).reshape(n, 2) - len(prefix)
        a, b = shifted[:, 0], shifted[:, 1]
        starts, ends = (np.array(column) for column in zip(*spans))
        w = np.searchsorted(starts, a, side="right") - 1
        hit = (b > a) & (a >= 0) & (w >= 0) & (a < ends[np.maximum(w, 0)])
        np.add.at(sums, w[hit], tokens[:n][hit])  # in token order, as a loop would add them
        np.add.at(counts, w[hit], 1)
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


class Vocabulary:
    """e5-small's 250k-piece vocabulary as a lexicon: frequent words are one piece
    (``Государственный``, ``России``); rare names are split (``Тро|цкий``, ``Де|г|тя|рев``).
    The tokenizer loads (and the model folder is built) on the first question."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = Path(model_dir)
        self._answers = lru_cache(maxsize=1 << 16)(self._one_piece)

    def is_common(self, word: str) -> bool:
        """Whether the word, as written or lower-cased, is one piece of the vocabulary."""
        return self._answers(word)

    def _one_piece(self, word: str) -> bool:
        tokenizer = _tokenizer(str(self.model_dir))

        def pieces(form: str) -> int:
            return len([p for p in tokenizer.encode(form, add_special_tokens=False).tokens if p != "▁"])

        return any(pieces(form) <= 1 for form in (word, word.lower()))


def load_vocabulary(cache: CacheFolder) -> Vocabulary:
    """The vocabulary of the e5-small folder in ``cache`` (what the name flags ask)."""
    return Vocabulary(cache.e5_model)
