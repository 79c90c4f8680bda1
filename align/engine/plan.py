"""The driver's side of the model stages: look the cache up, cut what is missing into
chunks (always the same chunks for the same inputs, whichever engine runs them: an
encoder's vectors depend slightly on the batch a text is in), have the engine compute
them, write them to the cache, and hand each task the rows it needs."""

from __future__ import annotations

from collections.abc import Sequence

from align.engine.base import Engine
from align.engine.tasks import embed_task, words_task
from align.model import Document, EmbeddedDocument, Sentence
from align.wordcache import _encode as word_row

CHUNK = 512  # texts a model embeds per task (and the driver commits per cache write)


def embed_documents(engine: Engine, read: Sequence[tuple[Document, list[Sentence]]],
                    label: str | None = None) -> list[EmbeddedDocument]:
    """Every read document with its sentence vectors: the cache's, else computed in
    chunks of the texts missing (shortest first, as `CachedEncoder` orders them)."""
    state = engine.state
    texts = list(dict.fromkeys(s.text for _, sentences in read for s in sentences))
    jobs: list[tuple[int, list[str]]] = []
    for number, part in enumerate(state.parts):
        keys = {text: part._key(text) for text in texts}
        stored = part.store.store.get_many(list(keys.values()))  # type: ignore[attr-defined]
        part.store.preload([(key, *columns) for key, columns in stored.items()])  # type: ignore[attr-defined]
        misses = sorted((t for t in texts if keys[t] not in stored), key=len)
        jobs += [(number, misses[start:start + CHUNK]) for start in range(0, len(misses), CHUNK)]
    for (number, chunk), vectors in zip(jobs, engine.map_models(embed_task, jobs, label=label)):
        part = state.parts[number]
        rows = [(part._key(text), vector.tobytes()) for text, vector in zip(chunk, vectors)]
        engine.accept([(part.store.table, rows)])  # type: ignore[attr-defined]
        part.store.preload(rows)  # type: ignore[attr-defined]
    embedded = [EmbeddedDocument(doc, tuple(sentences), state.encoder.encode([s.text for s in sentences]))
                for doc, sentences in read]
    state.forget()
    return embedded


def word_rows(engine: Engine, wanted: Sequence[Sequence[str]], label: str | None = None) -> list[list[tuple]]:
    """For each list of texts (the linked texts of a piece of a pair), their word-vector
    cache rows: the cache's, else computed in chunks (shortest first) by the engine and
    written by the driver."""
    words = engine.state.words
    if words is None or not engine.state.settings.flags.token_alignment:
        return [[] for _ in wanted]
    wanted = [list(dict.fromkeys(group)) for group in wanted]
    texts = list(dict.fromkeys(text for group in wanted for text in group))
    keys = {text: words._key(text) for text in texts}
    rows = {key: (key, *columns) for key, columns in
            words.store.store.get_many(list(keys.values())).items()}  # type: ignore[attr-defined]
    misses = sorted((t for t in texts if keys[t] not in rows), key=len)
    jobs = [misses[start:start + CHUNK] for start in range(0, len(misses), CHUNK)]
    for chunk, found in zip(jobs, engine.map_models(words_task, jobs, label=label)):
        fresh = [(keys[text], *word_row(w)) for text, w in zip(chunk, found)]
        engine.accept([(words.store.table, fresh)])
        rows.update((row[0], row) for row in fresh)
    return [[rows[keys[text]] for text in group] for group in wanted]
