"""How a located passage relates to its Russian source: ``translation`` (rendered whole),
``partial`` (rendered in part: an abridged rendering, a quotation inside the author's own
narrative) or ``retelling`` (the same facts told independently, in other words).

The sentence vectors alone cannot tell a close rendering from another author's account of
the same events: both score well. The words can: a rendering accounts for most content
words of both sides (word alignment over the flags' word vectors), keeps the original's
order and length; a retelling shares names, dates and topic words but leaves most words
without a counterpart."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from align.flags.wordgaps import STOPWORDS
from align.locate.config import LocateConfig
from align.locate.evidence import quotations
from align.model import EmbeddedDocument, Link, Passage, Relation, RelationEvidence
from align.text import figures, name_keys
from align.tokens import WordModel, Words, best_matches

_DIGIT = re.compile(r"\d")


def relation_evidence(src: EmbeddedDocument, tgt: EmbeddedDocument, passage: Passage, links: Sequence[Link],
                      words: Sequence[tuple[Words, Words]] | None, config: LocateConfig) -> RelationEvidence:
    """The evidence of one aligned passage (``passage`` in document sentence ids, ``links``
    its links; ``words``: the word vectors of each link with both sides, or None)."""
    both = [link for link in links if link.src and link.tgt]
    cosines = [_cosine(src.vectors[list(link.src)].sum(axis=0), tgt.vectors[list(link.tgt)].sum(axis=0))
               for link in both]
    ru_words = en_words = None
    if words is not None:
        ru_words = _covered([(ru, en) for ru, en in words], src.lang, config.relation_word_cosine)
        en_words = _covered([(en, ru) for ru, en in words], tgt.lang, config.relation_word_cosine)
    en_text = " ".join(tgt.sentences[j].text for link in both for j in link.tgt)
    ru_text = " ".join(src.sentences[i].text for link in both for i in link.src)
    en_facts = figures(en_text) | name_keys(en_text)
    shared = len(en_facts & (figures(ru_text) | name_keys(ru_text))) / len(en_facts) if en_facts else None
    linked = {i for link in both for i in link.src}
    return RelationEvidence(
        links=len(both), cosine=float(np.median(cosines)) if cosines else 0.0, ru_words=ru_words, en_words=en_words,
        order=_order(src.vectors[passage.ru_start:passage.ru_end], tgt.vectors[passage.en_start:passage.en_end]),
        shared=shared, length_ratio=len(en_text) / max(len(ru_text), 1),
        ru_linked=len(linked) / max(passage.ru_end - passage.ru_start, 1),
        quoted=_quoted([(en, ru) for ru, en in words], tgt.lang, config.relation_word_cosine) if words else None,
        rendered=float(np.mean([min(_covered([(ru, en)], src.lang, config.relation_word_cosine),
                                    _covered([(en, ru)], tgt.lang, config.relation_word_cosine))
                                >= config.retelling_words for ru, en in words])) if words else None)


def relation_of(evidence: RelationEvidence, config: LocateConfig) -> Relation:
    """The label. Without a word model the sentence vectors decide: a retelling when the
    links' median cosine is low or the order is broken. With one, the words. When neither
    side's content words are mostly accounted for (``retelling_words``), or the order is
    broken, the passage is
    still rendered in part if what the English quotes is the Russian (``quoted``), if
    at least ``rendered_links`` of its links are close renderings (``rendered``) or if its sentences are as
    close as a rendering's (``translation_cosine``): partial; else a retelling. When one
    side is covered but not both on average (a paraphrase inside the author's frame) it
    is partial; so is a covered passage when much of the Russian is left out (abridged),
    when the English holds much the Russian does not, or when the lengths disagree; else
    translation."""
    if evidence.ru_words is None or evidence.en_words is None or evidence.rendered is None:
        if evidence.cosine < config.retelling_cosine or (evidence.order < config.retelling_order
                                                         and evidence.cosine < config.translation_cosine):
            return "retelling"
        framed = False
    else:
        if max(evidence.ru_words, evidence.en_words) < config.retelling_words or (
                evidence.order < config.retelling_order):
            quoted = evidence.quoted is not None and evidence.quoted >= config.quote_words
            if quoted or evidence.rendered >= config.rendered_links or evidence.cosine >= config.translation_cosine:
                return "partial"
            return "retelling"
        framed = (evidence.ru_words + evidence.en_words) / 2 < config.retelling_words or (
            evidence.ru_words - evidence.en_words >= config.partial_word_gap)
    abridged = evidence.ru_linked < config.partial_linked
    lengths = not config.partial_length_ratio <= evidence.length_ratio <= 1 / config.partial_length_ratio
    return "partial" if framed or abridged or lengths else "translation"


def link_words(words: WordModel, src: EmbeddedDocument, tgt: EmbeddedDocument,
               links: Sequence[Link]) -> list[tuple[Words, Words]]:
    """Word vectors of each link with both sides, texts joined as the flags join them (so
    the flags find them in the word cache)."""
    both = [link for link in links if link.src and link.tgt]
    ru = words.words([" ".join(src.sentences[i].text for i in link.src) for link in both])
    en = words.words([" ".join(tgt.sentences[j].text for j in link.tgt) for link in both])
    return list(zip(ru, en, strict=True))


def labelled(src: EmbeddedDocument, tgt: EmbeddedDocument, passage: Passage, links: Sequence[Link],
             words: WordModel | None, config: LocateConfig) -> Passage:
    """``passage`` with its relation and evidence."""
    found = relation_evidence(src, tgt, passage, links, link_words(words, src, tgt, links) if words else None,
                              config)
    return replace(passage, relation=relation_of(found, config), evidence=found)


def _covered(pairs: list[tuple[Words, Words]], lang: str, min_cosine: float,
             within: list[list[tuple[int, int]]] | None = None) -> float:
    """Share of the content words of the first side (over all links; with ``within``, only
    those inside these character ranges of each link's text) that are mutual best matches
    of a word on the other side with at least ``min_cosine``."""
    stop = STOPWORDS.get(lang, frozenset())
    total = matched = 0
    for k, (side, other) in enumerate(pairs):
        best, mutual = best_matches(side, other)
        for (start, end), word, sim, is_mutual in zip(side.spans, side.tokens, best, mutual):
            if word.lower() in stop or (len(word) < 3 and not _DIGIT.search(word)):
                continue
            if within is not None and not any(a <= start and end <= b for a, b in within[k]):
                continue
            total += 1
            matched += bool(is_mutual and sim >= min_cosine)
    return matched / total if total else 0.0


def _quoted(pairs: list[tuple[Words, Words]], lang: str, min_cosine: float) -> float | None:
    """`_covered` over the English words inside quotations (`evidence.quotations`, found in
    the passage's English as one text, so a quotation opened in one link and closed, or
    left open, in a later one counts in each): whether what the author quotes is the
    Russian text. None when the English quotes nothing."""
    starts = np.cumsum([0] + [len(side.text) + 1 for side, _ in pairs])
    joined = " ".join(side.text for side, _ in pairs)
    quoted, at = [], 0
    for quote in quotations(joined, max_share=1.0):
        at = joined.find(quote, at)
        quoted.append((at, at + len(quote)))
        at += len(quote)
    if not quoted:
        return None
    ranges = [[(max(a - start, 0), b - start) for a, b in quoted if a < start + len(side.text) and b > start]
              for (side, _), start in zip(pairs, starts)]
    return _covered(pairs, lang, min_cosine, ranges)


def _order(ru: np.ndarray, en: np.ndarray) -> float:
    """Share of consecutive English sentences whose most similar Russian sentence of the
    passage comes at or after the previous one's (1.0 for a single sentence)."""
    if len(en) < 2 or len(ru) < 2:
        return 1.0
    best = (en @ ru.T).argmax(axis=1)
    return float((np.diff(best) >= 0).mean())


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12)
