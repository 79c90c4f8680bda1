"""The corpus database: every run's documents, sentences, links, flags and word
alignments in SQLite (`schema.py`), written per document pair in one transaction
(`write.py`, `build.py`), searched by word, lemma, phrase and side (`query.py`, FTS5 over
`morph.py`'s lemmas) and read as DataFrames (`corpus.py`); `formats.py` exports them."""

from align.store.build import add_to_corpus, corpus_bytes
from align.store.corpus import Corpus, Filters, open_corpus

__all__ = ["Corpus", "Filters", "add_to_corpus", "corpus_bytes", "open_corpus"]
