"""A document pair read back from the corpus database as an `AlignedPair` (for an edition
of a pair built earlier): links, flags and passages come from the database; the texts are
read again from their files, which must still be the bytes the corpus was built from."""

from __future__ import annotations

import hashlib
import json
from contextlib import closing
from pathlib import Path

import numpy as np

from align.cache import CacheFolder
from align.errors import InputError
from align.model import AlignedPair, EmbeddedDocument, Flag, Link, Passage, RelationEvidence
from align.store.schema import connect


def load_pair(db_path: Path, pair_id: int, cache: CacheFolder, max_bytes: int) -> AlignedPair:
    """Pair ``pair_id`` of the corpus at ``db_path``; `InputError` for a missing pair (the
    message lists the pairs there) or a file that changed since the corpus was built."""
    with closing(connect(Path(db_path), create=False)) as db:
        row = db.execute(
            "SELECT p.mode, s.path, s.lang, s.sha256, t.path, t.lang, t.sha256, r.record FROM pairs p "
            "JOIN documents s ON s.id = p.src_document_id JOIN documents t ON t.id = p.tgt_document_id "
            "JOIN runs r ON r.id = p.run_id WHERE p.id = ?", (pair_id,)).fetchone()
        if row is None:
            raise InputError(db_path, f"no document pair {pair_id}; the pairs: {_listing(db)}")
        mode, src_path, src_lang, src_sha, tgt_path, tgt_lang, tgt_sha, record = row
        presegmented = bool(json.loads(record).get("settings", {}).get("presegmented", False))
        flags: dict[int, list[Flag]] = {}
        for link_id, kind, severity, score, evidence in db.execute(
                "SELECT f.link_id, f.kind, f.severity, f.score, f.evidence FROM flags f JOIN links l ON l.id = f.link_id "
                "WHERE l.pair_id = ? ORDER BY f.id", (pair_id,)):
            flags.setdefault(link_id, []).append(Flag(kind, severity, evidence, score))
        links = tuple(Link(tuple(json.loads(src)), tuple(json.loads(tgt)), score, tuple(flags.get(link_id, ())))
                      for link_id, src, tgt, score in db.execute(
                          "SELECT id, src_ids, tgt_ids, score FROM links WHERE pair_id = ? ORDER BY idx", (pair_id,)))
        passages = tuple(Passage(tgt_start, tgt_end, src_start, src_end, score, relation,
                                 RelationEvidence(**json.loads(evidence)) if evidence else None)
                         for src_start, src_end, tgt_start, tgt_end, score, relation, evidence in db.execute(
                             "SELECT src_start, src_end, tgt_start, tgt_end, score, relation, evidence FROM passages "
                             "WHERE pair_id = ? ORDER BY idx", (pair_id,)))
        counts = dict(db.execute("SELECT d.path, COUNT(*) FROM sentences s JOIN documents d ON d.id = s.document_id "
                                 "WHERE d.path IN (?, ?) GROUP BY d.path", (src_path, tgt_path)))
    src = _reread(Path(src_path), src_lang, src_sha, counts.get(src_path, 0), presegmented, cache, max_bytes)
    tgt = _reread(Path(tgt_path), tgt_lang, tgt_sha, counts.get(tgt_path, 0), presegmented, cache, max_bytes)
    return AlignedPair(src, tgt, links, mode, passages)


def _reread(path: Path, lang: str, sha256: str, sentences: int, presegmented: bool, cache: CacheFolder,
            max_bytes: int) -> EmbeddedDocument:
    """The document read and segmented again (from the document cache when it can), checked
    against the corpus: the same bytes and the same number of sentences."""
    from align.ingest import check_readable
    from align.pipeline import read_segmented

    check_readable(path, max_bytes)
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise InputError(path, "changed since the corpus was built: build it again, or use the file it was built from")
    document, found = read_segmented(path, lang, cache, presegmented, max_bytes)
    if len(found) != sentences:
        raise InputError(path, f"splits into {len(found)} sentences now, {sentences} when the corpus was built "
                               "(another version of align): build the corpus again")
    return EmbeddedDocument(document, tuple(found), np.zeros((len(found), 0), dtype=np.float32))


def _listing(db) -> str:
    rows = db.execute("SELECT p.id, s.path, t.path FROM pairs p JOIN documents s ON s.id = p.src_document_id "
                      "JOIN documents t ON t.id = p.tgt_document_id ORDER BY p.id LIMIT 20").fetchall()
    return "; ".join(f"{pid}: {src} ↔ {tgt}" for pid, src, tgt in rows) or "none"
