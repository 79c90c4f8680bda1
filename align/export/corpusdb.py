"""corpus.sqlite: the run as a corpus database (`align.store`), searched by `align query`."""

from __future__ import annotations

from align.export.registry import ExportContext, Writer, register


def corpus_sqlite(context: ExportContext) -> bytes:
    from align.components import word_model_for
    from align.store import corpus_bytes

    words = word_model_for(context.settings) if context.settings is not None else None
    return corpus_bytes(context.result, context.run, words, context.lines)


register(Writer("corpus.sqlite", "the corpus database: documents, sentences, links, flags, word alignments, "
                                 "full-text index of words and lemmas (align query)", corpus_sqlite))
