"""Writing a run into the corpus: each document pair's rows are replaced in one
transaction (a pair built again has no duplicates; a write killed half-way leaves the
previous state, since SQLite rolls an unfinished transaction back)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from align.export.lines import LineNumbers
from align.model import AlignedPair, EmbeddedDocument, passage_of
from align.store.morph import lemma, lemma_text
from align.store.wordalign import WordPair, link_texts

PairWords = Sequence[Sequence[WordPair]]  # per link of a pair, its word pairs


def write_run(db: sqlite3.Connection, pairs: Sequence[tuple[AlignedPair, PairWords]], run: dict[str, Any],
              sha256: dict[str, str], lines: LineNumbers) -> None:
    """Add ``pairs`` (each with its links' word pairs) and the ``run`` record in one
    transaction; ``sha256`` maps a document path to its digest (from the run record)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        run_id = db.execute("INSERT INTO runs (command, signature, date, record) VALUES (?, ?, ?, ?)",
                            (run["command"], run["signature"], run.get("date", ""),
                             json.dumps(run, ensure_ascii=False))).lastrowid
        for lang in {p.src.lang for p, _ in pairs}:
            db.execute("INSERT OR IGNORE INTO meta VALUES ('src_lang', ?)", (lang,))
        for lang in {p.tgt.lang for p, _ in pairs}:
            db.execute("INSERT OR IGNORE INTO meta VALUES ('tgt_lang', ?)", (lang,))
        for pair, words in pairs:
            _write_pair(db, pair, words, run_id, sha256, lines)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _write_pair(db: sqlite3.Connection, pair: AlignedPair, words: PairWords, run_id: int,
                sha256: dict[str, str], lines: LineNumbers) -> None:
    src_id = _document(db, pair.src, sha256, lines)
    tgt_id = _document(db, pair.tgt, sha256, lines)
    old = db.execute("SELECT id FROM pairs WHERE src_document_id = ? AND tgt_document_id = ?",
                     (src_id, tgt_id)).fetchone()
    if old:
        db.execute("DELETE FROM link_text WHERE rowid IN (SELECT id FROM links WHERE pair_id = ?)", old)
        db.execute("DELETE FROM pairs WHERE id = ?", old)
    pair_id = db.execute("INSERT INTO pairs (src_document_id, tgt_document_id, mode, run_id) VALUES (?, ?, ?, ?)",
                         (src_id, tgt_id, pair.mode, run_id)).lastrowid
    db.executemany("INSERT INTO passages (pair_id, idx, src_start, src_end, tgt_start, tgt_end, score, relation, "
                   "evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(pair_id, k, p.ru_start, p.ru_end, p.en_start, p.en_end, p.score, p.relation,
                     json.dumps(asdict(p.evidence)) if p.evidence is not None else "")
                    for k, p in enumerate(pair.passages)])
    src_lang, tgt_lang = pair.src.lang, pair.tgt.lang
    for k, (link, (src_text, tgt_text), pairs) in enumerate(zip(pair.links, link_texts(pair), words)):
        link_id = db.execute(
            "INSERT INTO links (pair_id, idx, type, score, passage, src_ids, tgt_ids, src_text, tgt_text, "
            "src_lines, tgt_lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (pair_id, k, link.kind, link.score, passage_of(pair.passages, link.src, link.tgt), json.dumps(list(link.src)),
             json.dumps(list(link.tgt)), src_text, tgt_text, _lines(lines, pair.src, link.src),
             _lines(lines, pair.tgt, link.tgt))).lastrowid
        db.executemany("INSERT INTO flags (link_id, kind, severity, score, evidence) VALUES (?, ?, ?, ?, ?)",
                       [(link_id, f.kind, f.severity, f.score, f.evidence) for f in link.flags])
        db.executemany(
            "INSERT INTO word_pairs (link_id, src_start, src_end, tgt_start, tgt_end, src_word, tgt_word, "
            "src_lemma, tgt_lemma, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(link_id, w.src_start, w.src_end, w.tgt_start, w.tgt_end, src_text[w.src_start:w.src_end],
              tgt_text[w.tgt_start:w.tgt_end], lemma(src_text[w.src_start:w.src_end], src_lang),
              lemma(tgt_text[w.tgt_start:w.tgt_end], tgt_lang), w.score) for w in pairs])
        db.execute("INSERT INTO link_text (rowid, src_word, src_lemma, tgt_word, tgt_lemma) VALUES (?, ?, ?, ?, ?)",
                   (link_id, src_text, lemma_text(src_text, src_lang), tgt_text, lemma_text(tgt_text, tgt_lang)))


def _document(db: sqlite3.Connection, doc: EmbeddedDocument, sha256: dict[str, str], lines: LineNumbers) -> int:
    """The document's id; its rows are (re)written when it is new or its content changed."""
    path, digest = str(doc.path), sha256.get(str(doc.path), "")
    row = db.execute("SELECT id, sha256 FROM documents WHERE path = ?", (path,)).fetchone()
    if row and row[1] == digest:
        return row[0]
    if row:
        db.execute("UPDATE documents SET lang = ?, sha256 = ?, title = ? WHERE id = ?",
                   (doc.lang, digest, _title(doc), row[0]))
        db.execute("DELETE FROM paragraphs WHERE document_id = ?", (row[0],))
        db.execute("DELETE FROM sentences WHERE document_id = ?", (row[0],))
        doc_id = row[0]
    else:
        doc_id = db.execute("INSERT INTO documents (path, lang, sha256, title) VALUES (?, ?, ?, ?)",
                            (path, doc.lang, digest, _title(doc))).lastrowid
    db.executemany('INSERT INTO paragraphs (document_id, idx, kind, start, "end") VALUES (?, ?, ?, ?, ?)',
                   [(doc_id, p.index, p.kind, p.start, p.end) for p in doc.document.paragraphs])
    db.executemany('INSERT INTO sentences (document_id, idx, paragraph, start, "end", line_start, line_end, text) '
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [(doc_id, s.index, s.paragraph, s.start, s.end, *lines.span(doc, k, k), s.text)
                    for k, s in enumerate(doc.sentences)])
    return doc_id


def _title(doc: EmbeddedDocument) -> str:
    """The first heading, else the first paragraph's opening, else the file name."""
    paragraphs = doc.document.paragraphs
    first = next((p for p in paragraphs if p.kind == "heading"), paragraphs[0] if paragraphs else None)
    return first.text[:120] if first else doc.path.name


def _lines(lines: LineNumbers, doc: EmbeddedDocument, ids: tuple[int, ...]) -> str:
    return lines.of(doc, ids[0], ids[-1]) if ids else ""


