"""Made-up document pairs for the writer tests (review.html, TMX): documents built from lists
of paragraphs of sentences, written to disk (line numbers and dates come from the files),
with hand-made links and flags; no model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from align.model import AlignedPair, Document, EmbeddedDocument, Link, Paragraph, Sentence


def document(path: Path, lang: str, paragraphs: list[list[str]]) -> EmbeddedDocument:
    """A document of ``paragraphs`` (each a list of sentences), one paragraph a line, written to ``path``."""
    raw, paras, sentences = "", [], []
    for number, texts in enumerate(paragraphs):
        start, text = len(raw), " ".join(texts)
        offset = start
        for sentence in texts:
            sentences.append(Sentence(str(path), len(sentences), number, sentence, offset, offset + len(sentence)))
            offset += len(sentence) + 1
        raw += text + "\n"
        paras.append(Paragraph(number, text, start, start + len(text)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw, encoding="utf-8")
    doc = Document(path, lang, raw, tuple(paras))
    return EmbeddedDocument(doc, tuple(sentences), np.zeros((len(sentences), 4), dtype=np.float32))


def pair(src: EmbeddedDocument, tgt: EmbeddedDocument, links: list[Link]) -> AlignedPair:
    ids_src = [i for link in links for i in link.src]
    ids_tgt = [j for link in links for j in link.tgt]
    assert ids_src == list(range(len(src.sentences))) and ids_tgt == list(range(len(tgt.sentences)))
    return AlignedPair(src, tgt, tuple(links), "parallel")
