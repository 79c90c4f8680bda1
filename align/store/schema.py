"""The corpus database's tables, and opening a file safely: a file is ours when its
``PRAGMA application_id`` says so, its ``user_version`` is the schema version (older ones
go through `MIGRATIONS`, in order); anything else is a one-line `InputError`. WAL mode, so
a reader is never blocked by a build; foreign keys on."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from align.errors import InputError

APPLICATION_ID = 0x416C6E43  # "AlnC"
SCHEMA_VERSION = 3

# A person's corrections (`align.store.corrections`), version 2. Keyed by document paths,
# sentence ids and text hashes, never by row ids, so a rebuild (which replaces a pair's rows)
# keeps them: confirmed links, flag decisions (Xbench-style: flag kind + hash of both texts),
# the edit history with undo, and each edited link's version (optimistic concurrency).
CORRECTION_TABLES = """
CREATE TABLE link_versions (
  link_id INTEGER PRIMARY KEY REFERENCES links(id) ON DELETE CASCADE, version INTEGER NOT NULL);
CREATE TABLE confirmed_links (
  src_path TEXT NOT NULL, tgt_path TEXT NOT NULL, src_ids TEXT NOT NULL, tgt_ids TEXT NOT NULL,
  text_hash TEXT NOT NULL, date TEXT NOT NULL, PRIMARY KEY (src_path, tgt_path, src_ids, tgt_ids));
CREATE TABLE flag_decisions (
  kind TEXT NOT NULL, text_hash TEXT NOT NULL, decision TEXT NOT NULL CHECK (decision IN ('accept', 'ignore')),
  note TEXT NOT NULL, date TEXT NOT NULL, PRIMARY KEY (kind, text_hash));
CREATE TABLE edits (
  id INTEGER PRIMARY KEY AUTOINCREMENT, src_path TEXT NOT NULL, tgt_path TEXT NOT NULL, action TEXT NOT NULL,
  date TEXT NOT NULL, payload TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0);
CREATE INDEX edits_pair ON edits(src_path, tgt_path, id);
"""


def _add_corrections(db: sqlite3.Connection) -> None:
    """Version 1 → 2: the correction tables (statement by statement: ``executescript``
    would commit the migration's open transaction)."""
    for statement in CORRECTION_TABLES.split(";"):
        if statement.strip():
            db.execute(statement.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")
                       .replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))


def _add_relations(db: sqlite3.Connection) -> None:
    """Version 2 → 3: each passage's relation label and its evidence (JSON; '' for a
    passage no label was decided for, such as a pair aligned whole)."""
    present = {row[1] for row in db.execute("PRAGMA table_info(passages)")}
    for column, default in (("relation", "'translation'"), ("evidence", "''")):
        if column not in present:
            db.execute(f"ALTER TABLE passages ADD COLUMN {column} TEXT NOT NULL DEFAULT {default}")


# Version n → the function that brings a file from n to n + 1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _add_corrections, 2: _add_relations}

TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY, command TEXT NOT NULL, signature TEXT NOT NULL, date TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE TABLE documents (
  id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, lang TEXT NOT NULL, sha256 TEXT NOT NULL,
  title TEXT NOT NULL);
CREATE TABLE paragraphs (
  id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, kind TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
  UNIQUE (document_id, idx));
CREATE TABLE sentences (
  id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, paragraph INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
  line_start INTEGER NOT NULL, line_end INTEGER NOT NULL, text TEXT NOT NULL,
  UNIQUE (document_id, idx));
CREATE TABLE pairs (
  id INTEGER PRIMARY KEY, src_document_id INTEGER NOT NULL REFERENCES documents(id),
  tgt_document_id INTEGER NOT NULL REFERENCES documents(id), mode TEXT NOT NULL
  CHECK (mode IN ('parallel', 'located')), run_id INTEGER NOT NULL REFERENCES runs(id),
  UNIQUE (src_document_id, tgt_document_id));
CREATE TABLE passages (
  id INTEGER PRIMARY KEY, pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, src_start INTEGER NOT NULL, src_end INTEGER NOT NULL, tgt_start INTEGER NOT NULL,
  tgt_end INTEGER NOT NULL, score REAL NOT NULL, relation TEXT NOT NULL DEFAULT 'translation',
  evidence TEXT NOT NULL DEFAULT '');
CREATE TABLE links (
  id INTEGER PRIMARY KEY, pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, type TEXT NOT NULL, score REAL NOT NULL, passage INTEGER,
  src_ids TEXT NOT NULL, tgt_ids TEXT NOT NULL, src_text TEXT NOT NULL, tgt_text TEXT NOT NULL,
  src_lines TEXT NOT NULL, tgt_lines TEXT NOT NULL, UNIQUE (pair_id, idx));
CREATE TABLE flags (
  id INTEGER PRIMARY KEY, link_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  kind TEXT NOT NULL, severity TEXT NOT NULL, score REAL NOT NULL, evidence TEXT NOT NULL);
CREATE TABLE word_pairs (
  id INTEGER PRIMARY KEY, link_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  src_start INTEGER NOT NULL, src_end INTEGER NOT NULL, tgt_start INTEGER NOT NULL, tgt_end INTEGER NOT NULL,
  src_word TEXT NOT NULL, tgt_word TEXT NOT NULL, src_lemma TEXT NOT NULL, tgt_lemma TEXT NOT NULL,
  score REAL NOT NULL);
CREATE VIRTUAL TABLE link_text USING fts5(
  src_word, src_lemma, tgt_word, tgt_lemma, tokenize = 'unicode61 remove_diacritics 0');
CREATE INDEX links_pair ON links(pair_id);
CREATE INDEX links_type ON links(type);
CREATE INDEX links_score ON links(score);
CREATE INDEX flags_link ON flags(link_id);
CREATE INDEX flags_kind ON flags(kind, severity);
CREATE INDEX word_pairs_link ON word_pairs(link_id);
CREATE INDEX word_pairs_src ON word_pairs(src_lemma, tgt_lemma, tgt_word);
CREATE INDEX word_pairs_tgt ON word_pairs(tgt_lemma, src_lemma, src_word);
CREATE INDEX pairs_tgt ON pairs(tgt_document_id);
CREATE INDEX passages_pair ON passages(pair_id);
"""


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """A connection to the corpus at ``path``, schema checked (and created in a new or
    empty file when ``create``); `InputError` for a file that is not a corpus of this
    version."""
    path = Path(path)
    if not create and not path.is_file():
        raise InputError(path, "no corpus database here (build one with `align build`)")
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
        db.execute("PRAGMA foreign_keys = ON")
        app, version = _identity(db)
        if app == 0 and version == 0 and not _has_tables(db):
            if not create:
                raise InputError(path, "is an empty file, not a corpus database")
            _create(db)
        else:
            _check(db, path, app, version)
        db.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        raise InputError(path, f"is not a corpus database ({exc})") from None
    return db


def check_corpus(path: Path) -> None:
    """`InputError` now, before a long build, if ``path`` exists and is not a corpus this
    align can add to (a missing file is fine: it will be created)."""
    if Path(path).exists():
        connect(Path(path), create=True).close()


def _identity(db: sqlite3.Connection) -> tuple[int, int]:
    return db.execute("PRAGMA application_id").fetchone()[0], db.execute("PRAGMA user_version").fetchone()[0]


def _has_tables(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


def _create(db: sqlite3.Connection) -> None:
    db.executescript(f"BEGIN; {TABLES} {CORRECTION_TABLES} PRAGMA application_id = {APPLICATION_ID}; "
                     f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")


def _check(db: sqlite3.Connection, path: Path, app: int, version: int) -> None:
    if app != APPLICATION_ID:
        raise InputError(path, "is an SQLite file but not an align corpus database")
    if version > SCHEMA_VERSION:
        raise InputError(path, f"corpus schema {version} is newer than this align's ({SCHEMA_VERSION}): "
                               "upgrade align")
    while version < SCHEMA_VERSION:
        if version not in MIGRATIONS:
            raise InputError(path, f"corpus schema {version} is older than {SCHEMA_VERSION} and cannot be "
                                   "migrated: rebuild it")
        db.execute("BEGIN IMMEDIATE")
        MIGRATIONS[version](db)
        version += 1
        db.execute(f"PRAGMA user_version = {version}")
        db.execute("COMMIT")
