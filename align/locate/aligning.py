"""Aligning the passages found: each one, with context on both sides, goes through the
sentence aligner; the context left unlinked or weakly linked at its edges is trimmed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from align.aligner import AlignConfig, Embed, Side, align_vectors
from align.locate.config import LocateConfig
from align.locate.evidence import evidence, quotations, with_quotations
from align.locate.passages import find_passages, merge_overlapping
from align.locate.relation import labelled
from align.locate.search import Search, retrieve
from align.model import AlignedPair, EmbeddedDocument, Link, Passage
from align.tokens import WordModel


def locate_and_align(tgt: EmbeddedDocument, collection: list[EmbeddedDocument], locate_config: LocateConfig,
                     align_config: AlignConfig, search: Search, embed: Embed | None,
                     words: WordModel | None = None) -> list[AlignedPair]:
    """Find the passages of the collection that ``tgt`` renders (every copy), align and
    label each one (translation, partial, retelling); the pairs come back unflagged.

    ``search`` (from ``make_search`` over the stacked collection vectors) is built once and
    shared by every target document. Quotations inside English sentences are embedded
    with ``embed`` (the target's encoder) and searched on their own; without it they are not.
    ``words`` (the flags' word model) gives the labels their word-alignment evidence; without
    it they rest on the sentence vectors, order and length. Retellings give no links unless
    ``keep_retellings``; they come after the rendered passages in ``AlignedPair.passages``."""
    doc_of_row = np.concatenate([np.full(len(d.sentences), k) for k, d in enumerate(collection)])
    first_row = np.concatenate([[0], np.cumsum([len(d.sentences) for d in collection])])
    en_texts = tgt.texts
    cands = retrieve(tgt.vectors, search.vectors, locate_config, search)

    def ru_text(row: int) -> str:
        k = int(doc_of_row[row])
        return collection[k].sentences[row - int(first_row[k])].text

    bonus = evidence(en_texts, ru_text, cands.rows, locate_config)
    quoted = [(j, quote) for j, text in enumerate(en_texts) for quote in quotations(text)] if embed else []
    if quoted:
        quote_texts = [quote for _, quote in quoted]
        quote_cands = retrieve(embed(quote_texts), search.vectors, locate_config, search, cands, tgt.vectors)
        cands, score = with_quotations(cands, cands.margin + bonus, quote_cands,
                                       quote_cands.margin + evidence(quote_texts, ru_text, quote_cands.rows,
                                                                     locate_config),
                                       np.array([j for j, _ in quoted]))
        bonus = score - cands.margin
    en_words = np.array([len(t.split()) for t in en_texts])
    passages = merge_overlapping(find_passages(cands, doc_of_row, en_words, locate_config, bonus),
                                 doc_of_row, locate_config.context)
    aligned: list[tuple[int, Passage, list[Link]]] = []
    for passage in passages:
        k = int(doc_of_row[passage.ru_start])
        found = _align_passage(collection[k], tgt, passage, int(first_row[k]), locate_config, align_config)
        if found is not None:
            local, links = found
            aligned.append((k, labelled(collection[k], tgt, local, links, words, locate_config), links))
    by_doc: dict[int, list[tuple[Passage, list[Link]]]] = {}
    for k, passage, links in _originals_win(aligned):
        by_doc.setdefault(k, []).append((passage, links))
    pairs = []
    for k, found in sorted(by_doc.items()):
        found.sort(key=lambda item: (item[0].relation == "retelling", item[0].en_start, item[0].ru_start))
        links = tuple(link for passage, passage_links in found for link in passage_links
                      if passage.relation != "retelling" or locate_config.keep_retellings)
        pairs.append(AlignedPair(collection[k], tgt, links, "located", tuple(p for p, _ in found)))
    return pairs


def _originals_win(aligned: list[tuple[int, Passage, list[Link]]]) -> list[tuple[int, Passage, list[Link]]]:
    """Drop each retelling whose English sentences a rendered passage (translation or
    partial, of any document) already accounts for: the text the English renders is its
    source, another author's account of the same facts is not. Every rendered copy stays."""
    rendered = {j for _, p, _ in aligned if p.relation != "retelling" for j in range(p.en_start, p.en_end)}
    return [(k, p, links) for k, p, links in aligned
            if p.relation != "retelling" or not rendered.intersection(range(p.en_start, p.en_end))]


def _align_passage(src: EmbeddedDocument, tgt: EmbeddedDocument, passage: Passage, offset: int,
                   locate_config: LocateConfig, align_config: AlignConfig) -> tuple[Passage, list[Link]] | None:
    """Links of one passage (collection rows from ``offset`` are ``src``'s sentences) and
    its trimmed extent in document sentence ids; None when nothing is left after trimming.

    Context on both sides gives the margin scores neighbours to compare with; unlinked
    context at the edges is trimmed after alignment."""
    pad = locate_config.context
    ru_ids = range(max(passage.ru_start - offset - pad, 0), min(passage.ru_end - offset + pad, len(src.sentences)))
    en_ids = range(max(passage.en_start - pad, 0), min(passage.en_end + pad, len(tgt.sentences)))
    links = align_vectors(_sub_side(src, ru_ids), _sub_side(tgt, en_ids), align_config)
    links = [Link(tuple(ru_ids[i] for i in link.src), tuple(en_ids[j] for j in link.tgt), link.score)
             for link in links]
    links = trim_edges(links, src.vectors, tgt.vectors, locate_config.edge_cosine)
    if not links:
        return None
    local = Passage(min(j for link in links for j in link.tgt), max(j for link in links for j in link.tgt) + 1,
                    min(i for link in links for i in link.src), max(i for link in links for i in link.src) + 1,
                    passage.score)
    return local, links


def _sub_side(doc: EmbeddedDocument, ids: range) -> Side:
    return Side.of_sentences(doc.vectors[ids.start:ids.stop], doc.sentences[ids.start:ids.stop])


def trim_edges(links: list[Link], src_vectors: np.ndarray, tgt_vectors: np.ndarray,
               min_edge_score: float) -> list[Link]:
    """Drop unlinked or weakly linked sentences (cosine of the link's summed vectors
    below ``min_edge_score``) at the edges of a passage: they are the context added
    for alignment, not omissions, additions or renderings. A merge at an
    edge also loses its outer sentences that match nothing on the other side (context
    the aligner merged into the first or last rendering)."""

    def kept(link: Link) -> bool:
        if not (link.src and link.tgt):
            return False
        src, tgt = src_vectors[list(link.src)].sum(axis=0), tgt_vectors[list(link.tgt)].sum(axis=0)
        return float(src @ tgt) / max(float(np.linalg.norm(src) * np.linalg.norm(tgt)), 1e-12) >= min_edge_score

    start, end = 0, len(links)
    while start < end and not kept(links[start]):
        start += 1
    while end > start and not kept(links[end - 1]):
        end -= 1
    links = links[start:end]
    if links:
        links[0] = _trim_merge(links[0], src_vectors, tgt_vectors, min_edge_score, outer_end=False)
        links[-1] = _trim_merge(links[-1], src_vectors, tgt_vectors, min_edge_score, outer_end=True)
    return links


def _trim_merge(link: Link, src_vectors: np.ndarray, tgt_vectors: np.ndarray, min_cosine: float,
                outer_end: bool) -> Link:
    """Remove the sentences at one end of a merged link (the leading ones, or with
    ``outer_end`` the trailing ones) whose best cosine with the other side is below
    ``min_cosine``; at least one sentence stays on each side."""

    def trimmed(ids: tuple[int, ...], own: np.ndarray, other: np.ndarray) -> tuple[int, ...]:
        ids = list(ids)
        while len(ids) > 1:
            edge = ids[-1] if outer_end else ids[0]
            if float((own[edge] @ other.T).max()) >= min_cosine:
                break
            ids.remove(edge)
        return tuple(ids)

    src = trimmed(link.src, src_vectors, tgt_vectors[list(link.tgt)])
    tgt = trimmed(link.tgt, tgt_vectors, src_vectors[list(src)])
    return replace(link, src=src, tgt=tgt) if (src, tgt) != (link.src, link.tgt) else link


def unlinked_targets(target: EmbeddedDocument, located: list[AlignedPair]) -> tuple[int, ...]:
    """The sentences of ``target`` that no located passage links to a source."""
    linked = {j for pair in located for link in pair.links if link.src for j in link.tgt}
    return tuple(j for j in range(len(target.sentences)) if j not in linked)
