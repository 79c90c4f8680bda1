"""Re-aligning around what a person confirmed (InterText's "realign the unconfirmed rest"):
confirmed links stay fixed as anchors and only the stretches between them go through the
aligner again (`pipeline.align_documents` on each slice), then the whole pair is flagged
anew. Used by `align serve` (vectors from the embedding cache) and after a rebuild into a
corpus database (`reapply_corrections`: the build's own vectors), so corrections outlive it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import numpy as np

from align.aligner import AlignConfig, Embed, Side, align_vectors
from align.components import Components
from align.flags import flag_links
from align.model import AlignedPair, BuildResult, Document, EmbeddedDocument, Flag, Link, Passage, Sentence, passage_of
from align.pipeline import align_documents
from align.settings import Settings
from align.store.corrections import Corrections, LinkState, text_hash
from align.store.wordalign import align_words, link_texts


def realign_around(links: Sequence[Link], fixed: Sequence[bool], src: EmbeddedDocument, tgt: EmbeddedDocument,
                   config: AlignConfig, embed: Embed | None,
                   parts: Sequence[int | None] | None = None, located: bool = False) -> tuple[list[Link], list[bool]]:
    """``links`` with the ``fixed`` ones kept as they are and every run of the others
    between them aligned anew (the run's sentences of each side, in order); a run is cut
    where ``parts`` (each link's located passage) changes or the sentence ids stop rising
    (a located text's copies of one passage), so passages never mix; ``located``: align
    as `align.locate` does. Returns the links in
    order and which of them are fixed."""
    parts = list(parts) if parts is not None else [None] * len(links)
    out: list[Link] = []
    kept: list[bool] = []
    run: list[Link] = []
    top = {"src": -1, "tgt": -1}  # the run's highest sentence id per side

    def flush() -> None:
        top.update(src=-1, tgt=-1)
        if run:
            found = _align_slice(sorted({i for link in run for i in link.src}),
                                 sorted({j for link in run for j in link.tgt}), src, tgt, config, embed,
                                 located)
            out.extend(found)
            kept.extend([False] * len(found))
            run.clear()

    def rising(link: Link) -> bool:
        return all(min(ids) > top[side] for side, ids in (("src", link.src), ("tgt", link.tgt)) if ids)

    for k, (link, is_fixed) in enumerate(zip(links, fixed)):
        if is_fixed or (run and (parts[k] != parts[k - 1] or not rising(link))):
            flush()
        if is_fixed:
            out.append(link)
            kept.append(True)
        else:
            run.append(link)
            for side, ids in (("src", link.src), ("tgt", link.tgt)):
                top[side] = max(top[side], *ids, -1)
    flush()
    return out, kept


def with_anchors(links: Sequence[Link], anchors: Sequence[Link]) -> tuple[list[Link], list[bool]]:
    """A new alignment (a rebuild's) with confirmed ``anchors`` put in: each anchor takes
    the place of the first link sharing a sentence with it; the other sentences of the
    links it overlaps, and of those between them, stay, alone, before or after it (to be
    realigned with their run). An anchor overlapping one placed already, or crossing the
    new alignment so that no order keeps each side's sentences in order, is dropped."""
    out = [(link, False) for link in links]
    for anchor in anchors:
        src, tgt = set(anchor.src), set(anchor.tgt)
        touched = [k for k, (link, fixed) in enumerate(out) if src & set(link.src) or tgt & set(link.tgt)]
        hit = list(range(touched[0], touched[-1] + 1)) if touched else []
        if not hit or any(out[k][1] for k in hit):
            continue
        before, after = [], []
        for k in hit:
            link = out[k][0]
            for i in link.src:
                if i not in src:
                    (before if anchor.src and i < anchor.src[0] else after).append((Link((i,), (), 0.0), False))
            for j in link.tgt:
                if j not in tgt:
                    (before if anchor.tgt and j < anchor.tgt[0] else after).append((Link((), (j,), 0.0), False))
        placed = out[:hit[0]] + before + [(anchor, True)] + after + out[hit[-1] + 1:]
        if _in_order([link for link, _ in placed]):
            out = placed
    return [link for link, _ in out], [fixed for _, fixed in out]


def _in_order(links: Sequence[Link]) -> bool:
    """Each side's sentences once each, in rising order, over ``links``."""
    for ids in ([i for link in links for i in link.src], [j for link in links for j in link.tgt]):
        if any(b <= a for a, b in zip(ids, ids[1:])):
            return False
    return True


def _align_slice(src_ids: list[int], tgt_ids: list[int], src: EmbeddedDocument, tgt: EmbeddedDocument,
                 config: AlignConfig, embed: Embed | None, located: bool) -> list[Link]:
    """The aligner on the sentences given of each side, as the pair was aligned: a whole
    document pair with texts and re-check (`align_documents`), a located passage from
    vectors only (as `align.locate` aligns it); ids mapped back to the documents'."""
    if not src_ids or not tgt_ids:
        return [Link((i,), (), 0.0) for i in src_ids] + [Link((), (j,), 0.0) for j in tgt_ids]
    sub_src, sub_tgt = _slice(src, src_ids), _slice(tgt, tgt_ids)
    if located:
        local = align_vectors(Side.of_sentences(sub_src.vectors, sub_src.sentences),
                              Side.of_sentences(sub_tgt.vectors, sub_tgt.sentences), config)
    else:
        local = align_documents(sub_src, sub_tgt, config, embed)
    return [Link(tuple(src_ids[i] for i in link.src), tuple(tgt_ids[j] for j in link.tgt), link.score)
            for link in local]




def _slice(doc: EmbeddedDocument, ids: list[int]) -> EmbeddedDocument:
    return EmbeddedDocument(doc.document, tuple(doc.sentences[i] for i in ids), doc.vectors[ids])


def realigned_states(pair: AlignedPair, fixed: Sequence[bool], settings: Settings, components: Components,
                     previous: Sequence[LinkState] = ()) -> list[LinkState]:
    """The pair's links realigned around its ``fixed`` ones, as states to store: a link
    found again among ``previous`` keeps its score, flags and word pairs; the others are
    flagged (against the statistics of the whole pair) and word-aligned now."""
    parts = [passage_of(pair.passages, link.src, link.tgt) for link in pair.links]
    links, fixed = realign_around(pair.links, fixed, pair.src, pair.tgt, settings.align, components.encoder.encode,
                                  parts, located=pair.mode == "located")
    known = {(s.src, s.tgt): s for s in previous}
    links = [Link(link.src, link.tgt, known[(link.src, link.tgt)].score, _flags(known[(link.src, link.tgt)]))
             if (link.src, link.tgt) in known else link for link in links]
    changed = [k for k, link in enumerate(links) if (link.src, link.tgt) not in known]
    if changed:
        links = flag_links(links, pair.src.texts, pair.tgt.texts, pair.src.lang, pair.tgt.lang, settings.flags,
                           components.words, components.vocabulary, only=changed)
    texts = link_texts(replace(pair, links=tuple(links[k] for k in changed)))
    words = dict(zip(changed, align_words(texts, components.words)))
    return [LinkState(link.src, link.tgt, float(link.score),
                      tuple((f.kind, f.severity, float(f.score), f.evidence) for f in link.flags),
                      tuple((w.src_start, w.src_end, w.tgt_start, w.tgt_end, float(w.score)) for w in words[k])
                      if k in words else known[(link.src, link.tgt)].words, confirmed)
            for k, (link, confirmed) in enumerate(zip(links, fixed))]


def _flags(state: LinkState) -> tuple[Flag, ...]:
    return tuple(Flag(kind, severity, evidence, score) for kind, severity, score, evidence in state.flags)


# --- a stored pair, in `align serve` --------------------------------------------------------

class RememberedEncoder:
    """An encoder whose vectors stay in memory for the server's life: a realign after a
    correction reads every sentence of the pair again, and the disk cache's lookups alone
    take longer than the alignment."""

    def __init__(self, encoder) -> None:
        self.encoder, self.vectors = encoder, {}
        self.model_id = getattr(encoder, "model_id", "")

    def encode(self, texts):
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, np.asarray(self.encoder.encode(missing), dtype=np.float32)))
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)


def stored_pair(corrections: Corrections, pair_id: int, encoder) -> tuple[AlignedPair, list[bool]]:
    """The pair as stored (sentences from the database, vectors from the encoder's cache)
    and which of its links are confirmed."""
    info = corrections.pair(pair_id)
    views = corrections.links(pair_id)
    docs = []
    for doc_id, path, lang, side in ((info.src_document, info.src_path, info.src_lang, "src"),
                                     (info.tgt_document, info.tgt_path, info.tgt_lang, "tgt")):
        rows = corrections.db.execute('SELECT idx, paragraph, text, start, "end" FROM sentences WHERE document_id = ? '
                                      "ORDER BY idx", (doc_id,)).fetchall()
        sentences = tuple(Sentence(path, idx, par, text, a, b) for idx, par, text, a, b in rows)
        used = sorted({i for v in views for i in getattr(v, side)})
        vectors = np.zeros((len(sentences), 0), dtype=np.float32)
        if used:
            found = np.asarray(encoder.encode([sentences[i].text for i in used]), dtype=np.float32)
            vectors = np.zeros((len(sentences), found.shape[1]), dtype=np.float32)
            vectors[used] = found
        docs.append(EmbeddedDocument(Document(Path(path), lang, "", ()), sentences, vectors))
    passages = tuple(Passage(te, tf, ss, se, score) for ss, se, te, tf, score in corrections.db.execute(
        "SELECT src_start, src_end, tgt_start, tgt_end, score FROM passages WHERE pair_id = ? ORDER BY idx",
        (info.id,)))
    links = tuple(Link(v.src, v.tgt, v.score) for v in views)
    return AlignedPair(docs[0], docs[1], links, info.mode, passages), [v.confirmed for v in views]


def realign_stored(corrections: Corrections, pair_id: int, settings: Settings, components: Components) -> int:
    """Realign a stored pair around its confirmed links (one undoable edit); its id."""
    pair, fixed = stored_pair(corrections, pair_id, components.encoder)
    previous = corrections.states(pair_id, 0, None)
    return corrections.replace_all(pair_id, realigned_states(pair, fixed, settings, components, previous), "realign",
                                   expected=previous)


# --- after a rebuild ------------------------------------------------------------------------

def reapply_corrections(db_path: Path, result: BuildResult, settings: Settings, components: Components | None = None) -> int:
    """After ``result`` was written into the corpus ``db_path``: every pair that had
    confirmed links (on the same sentence texts) the new alignment lacks is realigned
    around them with the build's own vectors. Flag decisions need nothing: they are keyed
    by text. Returns how many pairs were realigned."""
    realigned = 0
    with closing(Corrections(Path(db_path))) as corrections:
        for pair in result.pairs:
            anchors = _valid_anchors(corrections.db, pair)
            have = {(link.src, link.tgt) for link in pair.links}
            pair_id = _pair_id(corrections.db, pair)
            if pair_id is None:
                continue
            corrections.renew_versions(pair_id)
            if not anchors:
                continue
            if all((a.src, a.tgt) in have for a in anchors):
                continue
            if components is None:
                from align.components import load_components

                components = load_components(settings, progress=False)
            stored = {(v.src, v.tgt): v.score for v in corrections.links(pair_id)}
            anchors = [Link(a.src, a.tgt, stored.get((a.src, a.tgt), a.score)) for a in anchors]
            links, fixed = with_anchors(pair.links, anchors)
            previous = corrections.states(pair_id, 0, None)
            states = realigned_states(replace(pair, links=tuple(links)), fixed, settings, components, previous)
            corrections.replace_all(pair_id, states, "rebuild", check=False, expected=previous)
            realigned += 1
    return realigned


def _pair_id(db: sqlite3.Connection, pair: AlignedPair) -> int | None:
    row = db.execute("SELECT p.id FROM pairs p JOIN documents s ON s.id = p.src_document_id JOIN documents t "
                     "ON t.id = p.tgt_document_id WHERE s.path = ? AND t.path = ?",
                     (str(pair.src.path), str(pair.tgt.path))).fetchone()
    return row[0] if row else None


def _valid_anchors(db: sqlite3.Connection, pair: AlignedPair) -> list[Link]:
    """The pair's confirmed links whose sentences still hold the texts confirmed."""
    src, tgt = pair.src.sentences, pair.tgt.sentences
    out = []
    for src_ids, tgt_ids, digest in db.execute(
            "SELECT src_ids, tgt_ids, text_hash FROM confirmed_links WHERE src_path = ? AND tgt_path = ?",
            (str(pair.src.path), str(pair.tgt.path))):
        s, t = tuple(json.loads(src_ids)), tuple(json.loads(tgt_ids))
        if any(i >= len(src) for i in s) or any(j >= len(tgt) for j in t):
            continue
        if text_hash(" ".join(src[i].text for i in s), " ".join(tgt[j].text for j in t)) == digest:
            out.append(Link(s, t, 0.0))
    return out
