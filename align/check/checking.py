"""A bilingual file checked as it is: its segments become the sentences of two documents
(one paragraph per segment, carrying the segment id), linked 1-1 as the file pairs them,
scored as the aligner scores a 1-1 link, and flagged by every detector through the same
`flagged` a build uses. With ``realign``, a file whose segmentation looks off (a
segment's rendering sitting in its neighbour) is aligned again sentence by sentence."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from align.check.bilingual import BilingualFile
from align.components import Components
from align.model import AlignedPair, BuildResult, Document, EmbeddedDocument, Flag, Link, Paragraph, Sentence
from align.pipeline import align_documents, flagged
from align.segment import split_document
from align.settings import Settings

# A sentence at a segment's edge counts as the neighbour's rendering when it is this much
# closer (cosine) to the neighbouring source segment than to its own; shorter pieces
# ("1.", "Yes.") embed too vaguely to say.
SUSPECT_MARGIN = 0.05
SUSPECT_MIN_CHARS = 12


@dataclass(frozen=True)
class CheckResult:
    """The file read, the run's result (one document pair), the segment ids whose
    rendering seems to sit in a neighbour, and whether the pair was aligned again."""

    file: BilingualFile
    result: BuildResult
    suspect: tuple[str, ...]
    realigned: bool

    @property
    def moved(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """The links whose source and target lie in different segments (after a
        realignment): (source segment ids, target segment ids)."""
        pair = self.result.pairs[0]
        sides = [(pair.src.segments(link.src), pair.tgt.segments(link.tgt)) for link in pair.links]
        return [(src, tgt) for src, tgt in sides if src and tgt and src != tgt]


def check_bilingual(file: BilingualFile, settings: Settings, components: Components, *,
                    realign: bool = False) -> CheckResult:
    """Flag every segment pair of ``file`` (languages from ``settings``)."""
    src_doc, tgt_doc = side_document(file, "source", settings.src_lang), side_document(file, "target", settings.tgt_lang)
    encoder = components.encoder
    # One call for both sides: each distinct string is embedded once (the cache keys by text), in batches.
    vectors = encoder.encode([p.text for p in src_doc.paragraphs] + [p.text for p in tgt_doc.paragraphs])
    src = EmbeddedDocument(src_doc, _segment_sentences(src_doc), vectors[:len(src_doc.paragraphs)])
    tgt = EmbeddedDocument(tgt_doc, _segment_sentences(tgt_doc), vectors[len(src_doc.paragraphs):])
    pair = AlignedPair(src, tgt, segment_links(file, src, tgt, settings.align.centre_min_sentences), "parallel")
    suspect: tuple[str, ...] = ()
    if realign:
        src_split, tgt_split = (_split(doc, encoder.encode) for doc in (src_doc, tgt_doc))
        suspect = suspect_segments(src, tgt_split)
        if suspect:
            pair = AlignedPair(src_split, tgt_split,
                               align_documents(src_split, tgt_split, settings.align, encoder.encode), "parallel")
    pair = flagged(pair, settings, components)
    if suspect:
        pair = replace(pair, links=tuple(_with_segmentation_flag(pair, link) for link in pair.links))
    return CheckResult(file, BuildResult((pair.src,), (pair.tgt,), (pair,), {}), suspect, bool(suspect))


def _with_segmentation_flag(pair: AlignedPair, link: Link) -> Link:
    """A realigned link whose rendering lies in other segments than its source, flagged
    so: the file's segmentation needs mending there (major: it shows in the review and the notes)."""
    src, tgt = pair.src.segments(link.src), pair.tgt.segments(link.tgt)
    if not src or not tgt or src == tgt:
        return link
    evidence = f"source in {_named(src)}, its rendering in {_named(tgt)}"
    return replace(link, flags=(*link.flags, Flag("segmentation", "major", evidence)))


def _named(segments: tuple[str, ...]) -> str:
    return ("segment " if len(segments) == 1 else "segments ") + ", ".join(segments)


def side_document(file: BilingualFile, side: str, lang: str) -> Document:
    """One side of the file as a document: a line and a paragraph per segment with text on
    that side, the paragraph carrying the segment id. Its path names the file and the side
    (``memo.xliff#target``): the two sides are two documents of the corpus database."""
    texts = [(s.id, s.source if side == "source" else s.target) for s in file.segments]
    paragraphs, start = [], 0
    for segment_id, text in texts:
        if not text:
            continue
        paragraphs.append(Paragraph(len(paragraphs), text, start, start + len(text), "body",
                                    ((0, start, len(text)),), segment_id))
        start += len(text) + 1
    raw = "\n".join(p.text for p in paragraphs)
    return Document(Path(f"{file.path}#{side}"), lang, raw, tuple(paragraphs))


def segment_links(file: BilingualFile, src: EmbeddedDocument, tgt: EmbeddedDocument,
                  centre_min: int) -> tuple[Link, ...]:
    """A link per segment as the file pairs them (an empty target: a 1-0 link), scored as
    the aligner scores a 1-1 link: the cosine after subtracting each side's mean vector
    (when both sides have at least ``centre_min`` segments)."""
    src_vectors, tgt_vectors = _centred(src.vectors, tgt.vectors, centre_min)
    links, j = [], 0
    for i, segment in enumerate(file.segments):
        if segment.target:
            links.append(Link((i,), (j,), float(src_vectors[i] @ tgt_vectors[j])))
            j += 1
        else:
            links.append(Link((i,), (), 0.0))
    return tuple(links)


def suspect_segments(src: EmbeddedDocument, tgt_split: EmbeddedDocument) -> tuple[str, ...]:
    """Ids of the segments whose rendering (in part) sits in a neighbouring segment: the
    previous segment's when a target's first sentence is closer to it than to its own
    source, the next segment's when its last sentence is closer to that one."""
    own = {segment: k for k, segment in enumerate(p.segment for p in src.document.paragraphs)}
    found: dict[str, None] = {}
    by_segment: dict[str, list[int]] = {}
    for k, sentence in enumerate(tgt_split.sentences):
        by_segment.setdefault(tgt_split.document.paragraphs[sentence.paragraph].segment, []).append(k)
    for segment, sentences in by_segment.items():
        i = own[segment]
        for k, neighbour in ((sentences[0], i - 1), (sentences[-1], i + 1)):
            if not 0 <= neighbour < len(src.sentences) or len(tgt_split.sentences[k].text) < SUSPECT_MIN_CHARS:
                continue
            vector = tgt_split.vectors[k]
            if float(vector @ src.vectors[neighbour]) > float(vector @ src.vectors[i]) + SUSPECT_MARGIN:
                found[src.document.paragraphs[neighbour].segment] = None
    return tuple(sorted(found, key=own.__getitem__))


def _segment_sentences(doc: Document) -> tuple[Sentence, ...]:
    return tuple(Sentence(str(doc.path), p.index, p.index, p.text, p.start, p.end) for p in doc.paragraphs)


def _split(doc: Document, encode) -> EmbeddedDocument:
    sentences = tuple(split_document(doc))
    return EmbeddedDocument(doc, sentences, encode([s.text for s in sentences]))


def _centred(src: np.ndarray, tgt: np.ndarray, centre_min: int) -> tuple[np.ndarray, np.ndarray]:
    if not 0 < centre_min <= min(len(src), len(tgt)):
        return src, tgt
    return tuple(_normalise(v - v.mean(axis=0)) for v in (src, tgt))


def _normalise(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

