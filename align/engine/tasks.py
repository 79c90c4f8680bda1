"""The per-document work, as pure functions of (worker state, shared input, item) → result.

Every engine runs these same functions, in the driver's process, in a process pool or on
a Ray cluster; the driver plans the items (the embedding chunks among them, so a text is
always embedded in the same batch) and writes every output and every cache row, so the
outputs do not depend on where the work ran. A worker reads the cache but never writes
it: what it computes on the side (the aligner's joined texts, a missing word vector) is
kept in `PendingStore`s and handed back with the result (`run_task`).
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from align.cache import SqliteStore
from align.components import Components
from align.embed import CachedEncoder, ConcatEncoder, Encoder
from align.flags import DocumentContext, flag_links
from align.locate.aligning import locate_and_align, unlinked_targets
from align.locate.search import AnnSearch, Search
from align.model import Document, EmbeddedDocument, Link, Passage, Sentence
from align.settings import Settings
from align.tokens import Vocabulary, Words
from align.wordcache import CachedWordModel, UnkeptWords

Rows = list[tuple[str, list[tuple]]]  # (cache table, rows of (key, *columns)) for the driver to write
Task = Callable[["WorkerState", Any, Any], Any]


class PendingStore:
    """A cache table as a worker sees it: read from the cache file (when the worker can
    reach it) and from rows the driver sent along; what the worker computes is kept in
    memory and drained for the driver to write, so workers never write the cache."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.table = store.table
        self.known: dict[bytes, tuple] = {}
        self.fresh: list[tuple] = []

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, tuple]:
        found = {key: self.known[key] for key in keys if key in self.known}
        rest = [key for key in keys if key not in found]
        if rest:
            found.update(self.store.get_many(rest))
        return found

    def put_many(self, rows: Sequence[tuple]) -> None:
        self.preload(rows)
        self.fresh.extend(rows)

    def preload(self, rows: Sequence[tuple]) -> None:
        """Rows the driver holds (read from its cache or computed for this run)."""
        self.known.update((key, tuple(columns)) for key, *columns in rows)

    def drain(self) -> list[tuple]:
        fresh, self.fresh = self.fresh, []
        return fresh


@dataclass
class WorkerState:
    """What a worker keeps between tasks: the run's settings and its models, loaded once
    (the networks on first use), their cache tables behind `PendingStore`s."""

    settings: Settings
    encoder: Encoder  # the run's encoder (parts combined as `load_encoder` does)
    parts: list[CachedEncoder]  # its cached parts, in order
    words: CachedWordModel | None
    vocabulary: Vocabulary

    def stores(self) -> list[PendingStore]:
        stores = [part.store for part in self.parts] + ([self.words.store] if self.words is not None else [])
        return [s for s in stores if isinstance(s, PendingStore)]

    def drain(self) -> Rows:
        """The cache rows computed since the last drain, by table."""
        return [(store.table, rows) for store in self.stores() if (rows := store.drain())]

    def forget(self) -> None:
        """Drop the rows held for one task (a worker keeps no run-sized memory)."""
        for store in self.stores():
            store.known.clear()


def worker_state(settings: Settings, components: Components) -> WorkerState:
    """A `WorkerState` over the networks of ``components`` (shared, not loaded again)."""
    cached = components.encoder.encoders if isinstance(components.encoder, ConcatEncoder) else [components.encoder]
    parts = []
    for part in cached:
        network = part.encoder if isinstance(part, CachedEncoder) else part
        fresh = CachedEncoder(network, settings.cache.embeddings, progress=False)
        fresh.store = PendingStore(fresh.store)  # type: ignore[assignment]
        parts.append(fresh)
    encoder: Encoder = parts[0] if len(parts) == 1 else ConcatEncoder(parts)
    words = None
    if components.words is not None:
        network = components.words.model if isinstance(components.words, CachedWordModel) else components.words
        words = CachedWordModel(network, settings.cache.embeddings)
        words.store = PendingStore(words.store)  # type: ignore[assignment]
    return WorkerState(settings, encoder, parts, words, components.vocabulary)


def run_task(state: WorkerState, task: Task, shared: Any, item: Any) -> tuple[Any, Rows]:
    """``task`` on one item, with the cache rows it computed on the side."""
    try:
        return task(state, shared, item), state.drain()
    finally:
        state.forget()


# --- the tasks ---------------------------------------------------------------------------

def read_task(state: WorkerState, shared: None, item: tuple[Path, str]) -> tuple[Document, list[Sentence]]:
    """Read and segment one file (``item``: path and language)."""
    from align.pipeline import read_segmented

    path, lang = item
    settings = state.settings
    return read_segmented(path, lang, settings.cache, settings.presegmented, settings.max_bytes)


def embed_task(state: WorkerState, shared: None, item: tuple[int, list[str]]) -> np.ndarray:
    """Vectors of one chunk of texts by one part of the encoder (``item``: part, texts),
    computed by the network alone: the driver looked the cache up and writes it."""
    part, texts = item
    return np.asarray(state.parts[part].encoder.encode(texts), dtype=np.float32)


def words_task(state: WorkerState, shared: None, texts: list[str]) -> list[Words]:
    """Word vectors of one chunk of texts by the word network alone (the driver caches them)."""
    assert state.words is not None
    return state.words.model.words(texts)


def align_task(state: WorkerState, shared: None, item: tuple[EmbeddedDocument, EmbeddedDocument]) -> tuple[Link, ...]:
    """The links of two whole documents (unflagged); only links travel back, the driver
    keeps the documents."""
    from align.pipeline import align_documents

    src, tgt = item
    return align_documents(src, tgt, state.settings.align, state.encoder.encode)


Located = tuple[int, tuple[Link, ...], tuple[Passage, ...]]  # a collection document's number, links, passages


def locate_task(state: WorkerState, shared: tuple[list[EmbeddedDocument], Search],
                target: EmbeddedDocument) -> tuple[list[Located], tuple[int, ...]]:
    """The passages of the collection one target renders, aligned (unflagged), and the
    target's sentences left without a source; ``shared`` is the collection and its
    search, built once by the driver."""
    collection, search = shared
    settings = state.settings
    # The labels' word evidence, read from the cache but never stored: the flags' rows must
    # come from the planned chunks (`plan.word_rows`), whatever engine ran this task.
    words = UnkeptWords(state.words) if state.words is not None and settings.flags.token_alignment else None
    located = locate_and_align(target, collection, settings.locate, settings.align, search, state.encoder.encode,
                               words)
    number = {id(doc): k for k, doc in enumerate(collection)}
    return [(number[id(pair.src)], pair.links, pair.passages) for pair in located], unlinked_targets(target, located)


@dataclass(frozen=True)
class FlagPiece:
    """Some links of one pair to flag, with what they need and no more (a piece travels to
    a worker): the texts of their sentences by id, the document's statistics worked out
    from all its links, and the word-vector rows of their linked texts (the driver computed
    them in batches, so no network runs in the task)."""

    links: tuple[Link, ...]
    src_texts: dict[int, str]
    tgt_texts: dict[int, str]
    src_lang: str
    tgt_lang: str
    document: DocumentContext
    word_rows: list[tuple]


def flag_task(state: WorkerState, shared: None, piece: FlagPiece) -> tuple[Link, ...]:
    """The piece's links, flagged."""
    if state.words is not None:
        state.words.store.preload(piece.word_rows)  # type: ignore[union-attr]
    return tuple(flag_links(piece.links, piece.src_texts, piece.tgt_texts, piece.src_lang, piece.tgt_lang,
                            state.settings.flags, state.words, state.vocabulary, document=piece.document))


# --- what travels ------------------------------------------------------------------------

def _restore_ann(vectors: np.ndarray, path: Path, build_seconds: float, index: np.ndarray, probe: int) -> AnnSearch:
    import faiss

    search = AnnSearch.__new__(AnnSearch)
    search.vectors, search.path, search.build_seconds = vectors, path, build_seconds
    search.index = faiss.deserialize_index(index)
    search.index.nprobe = probe
    return search


def _reduce_ann(search: AnnSearch):
    """An ANN search travels as its vectors and its serialised faiss index (built once)."""
    import faiss

    return _restore_ann, (search.vectors, search.path, search.build_seconds, faiss.serialize_index(search.index),
                          search.index.nprobe)


copyreg.pickle(AnnSearch, _reduce_ann)
