"""A person's corrections of a corpus database, in place: link edits (merge, split, relink,
unlink, move a sentence boundary, confirm) and flag decisions (accept or ignore, with a
note), each stored as an event with what it replaced, so any of them can be undone.

Every link edit is one primitive, `Corrections._replace`: links ``[start, start + n)`` of a
pair become a new run of links covering the same sentences in the same order, in one
transaction (texts, lines, flags, word pairs and the FTS rows follow). Links a person made
or edited are confirmed: a realign or a rebuild keeps them fixed (`align.realign`).
Confirmed links and flag decisions are keyed by document paths, sentence ids and text
hashes, never by row ids, so they outlive a rebuild that replaces the pair's rows.

Optimistic concurrency: every edited link gets a new version (the edit's id, which only
grows); an edit names the links it read with their versions, and a stale one is refused
(`StaleEdit`, HTTP 409 in `align serve`) with nothing changed."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from align.errors import InputError
from align.model import AlignedPair, Passage, passage_of
from align.store.morph import lemma, lemma_text
from align.store.schema import connect

DECISIONS = ("accept", "ignore")


class StaleEdit(Exception):
    """An edit made from a stale view: the link changed (or went) since it was read."""


@dataclass(frozen=True)
class LinkState:
    """A link as an edit stores it (before and after): sentence ids, score, flags
    ``(kind, severity, score, evidence)``, word pairs ``(src_start, src_end, tgt_start,
    tgt_end, score)`` into its two texts, and whether a person confirmed it."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float
    flags: tuple[tuple[str, str, float, str], ...] = ()
    words: tuple[tuple[int, int, int, int, float], ...] = ()
    confirmed: bool = False

    @classmethod
    def of(cls, data: dict) -> LinkState:
        return cls(tuple(data["src"]), tuple(data["tgt"]), float(data["score"]),
                   tuple(tuple(f) for f in data["flags"]), tuple(tuple(w) for w in data["words"]),
                   bool(data["confirmed"]))


@dataclass(frozen=True)
class FlagView:
    """A stored flag with the person's decision on it (None: open)."""

    kind: str
    severity: str
    score: float
    evidence: str
    decision: str | None = None
    note: str = ""


@dataclass(frozen=True)
class LinkView:
    """A link as the editor shows it."""

    id: int
    idx: int
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float
    src_text: str
    tgt_text: str
    src_lines: str
    tgt_lines: str
    version: int
    confirmed: bool
    flags: tuple[FlagView, ...] = field(default=())

    @property
    def type(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"

    @property
    def open_flags(self) -> tuple[FlagView, ...]:
        return tuple(f for f in self.flags if f.decision != "ignore")


@dataclass(frozen=True)
class PairInfo:
    id: int
    src_path: str
    tgt_path: str
    src_lang: str
    tgt_lang: str
    mode: str
    src_document: int
    tgt_document: int


@dataclass(frozen=True)
class Edit:
    """One event of a pair's history."""

    id: int
    action: str
    date: str
    undone: bool
    summary: str


def text_hash(src_text: str, tgt_text: str) -> str:
    """The key of a link's content: both texts, so a decision follows the text, not the row."""
    return hashlib.sha256(f"{src_text}\x00{tgt_text}".encode()).hexdigest()[:32]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Corrections:
    """The corrections of one corpus database (its own connection; writes serialised by
    SQLite's ``BEGIN IMMEDIATE``)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db: sqlite3.Connection = connect(self.path, create=False)
        # WAL with NORMAL: a commit survives a crash of the process, and costs no fsync.
        self.db.execute("PRAGMA synchronous = NORMAL")
        self._pairs: dict[int, PairInfo] = {}

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Corrections:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reading ---------------------------------------------------------------------------

    def pairs(self) -> list[dict]:
        """Every document pair with its counts of links, open flags and confirmed links
        (one pass over the corpus, not one per pair)."""
        rows = self.db.execute(
            "SELECT p.id, s.path, t.path, p.mode, s.title, t.title, (SELECT count(*) FROM links WHERE pair_id = p.id) "
            "FROM pairs p JOIN documents s ON s.id = p.src_document_id JOIN documents t ON t.id = p.tgt_document_id "
            "ORDER BY p.id").fetchall()
        ignored = {key for key, decision in self.decisions().items() if decision == "ignore"}
        open_flags: dict[int, int] = {}
        for pid, kind, src_text, tgt_text in self.db.execute(
                "SELECT l.pair_id, f.kind, l.src_text, l.tgt_text FROM flags f JOIN links l ON l.id = f.link_id"):
            if (kind, text_hash(src_text, tgt_text)) not in ignored:
                open_flags[pid] = open_flags.get(pid, 0) + 1
        confirmed = dict(self.db.execute(
            "SELECT l.pair_id, count(*) FROM links l JOIN pairs p ON p.id = l.pair_id "
            "JOIN documents s ON s.id = p.src_document_id JOIN documents t ON t.id = p.tgt_document_id "
            "JOIN confirmed_links c ON c.src_path = s.path AND c.tgt_path = t.path AND c.src_ids = l.src_ids "
            "AND c.tgt_ids = l.tgt_ids GROUP BY l.pair_id"))
        return [{"id": pid, "src_path": src, "tgt_path": tgt, "mode": mode, "src_title": src_title,
                 "tgt_title": tgt_title, "links": links, "open_flags": open_flags.get(pid, 0),
                 "confirmed": confirmed.get(pid, 0)}
                for pid, src, tgt, mode, src_title, tgt_title, links in rows]

    def pair(self, pair_id: int) -> PairInfo:
        if int(pair_id) in self._pairs:
            return self._pairs[int(pair_id)]
        row = self.db.execute(
            "SELECT p.id, s.path, t.path, s.lang, t.lang, p.mode, s.id, t.id FROM pairs p "
            "JOIN documents s ON s.id = p.src_document_id JOIN documents t ON t.id = p.tgt_document_id "
            "WHERE p.id = ?", (int(pair_id),)).fetchone()
        if row is None:
            raise InputError(self.path, f"no document pair {pair_id}")
        self._pairs[int(pair_id)] = PairInfo(*row)
        return self._pairs[int(pair_id)]

    def links(self, pair_id: int) -> list[LinkView]:
        """The pair's links in order, with versions, confirmations and flag decisions."""
        info = self.pair(pair_id)
        confirmed = {(s, t) for s, t in self.db.execute(
            "SELECT src_ids, tgt_ids FROM confirmed_links WHERE src_path = ? AND tgt_path = ?",
            (info.src_path, info.tgt_path))}
        decisions = {(k, h): (d, n) for k, h, d, n in self.db.execute(
            "SELECT kind, text_hash, decision, note FROM flag_decisions")}
        flags: dict[int, list[tuple]] = {}
        for link_id, kind, severity, score, evidence in self.db.execute(
                "SELECT f.link_id, f.kind, f.severity, f.score, f.evidence FROM flags f JOIN links l ON l.id = f.link_id "
                "WHERE l.pair_id = ? ORDER BY f.id", (info.id,)):
            flags.setdefault(link_id, []).append((kind, severity, score, evidence))
        views = []
        for link_id, idx, src, tgt, score, src_text, tgt_text, src_lines, tgt_lines, version in self.db.execute(
                "SELECT l.id, l.idx, l.src_ids, l.tgt_ids, l.score, l.src_text, l.tgt_text, l.src_lines, l.tgt_lines, "
                "coalesce(v.version, 0) FROM links l LEFT JOIN link_versions v ON v.link_id = l.id "
                "WHERE l.pair_id = ? ORDER BY l.idx", (info.id,)):
            key = text_hash(src_text, tgt_text)
            views.append(LinkView(
                link_id, idx, tuple(json.loads(src)), tuple(json.loads(tgt)), score, src_text, tgt_text, src_lines,
                tgt_lines, version, (src, tgt) in confirmed,
                tuple(FlagView(k, s, sc, e, *decisions.get((k, key), (None, ""))) for k, s, sc, e in flags.get(link_id, ()))))
        return views

    def history(self, pair_id: int, limit: int = 50) -> list[Edit]:
        info = self.pair(pair_id)
        rows = self.db.execute("SELECT id, action, date, undone, payload FROM edits WHERE src_path = ? AND tgt_path = ? "
                               "ORDER BY id DESC LIMIT ?", (info.src_path, info.tgt_path, limit)).fetchall()
        return [Edit(i, a, d, bool(u), _summary(a, json.loads(p))) for i, a, d, u, p in rows]

    def undoable(self, pair_id: int) -> Edit | None:
        """The edit `undo` would undo now (however far back in the history it lies)."""
        row = self._last_undoable(self.pair(pair_id))
        return None if row is None else Edit(row[0], row[1], row[2], False, _summary(row[1], json.loads(row[3])))

    def _last_undoable(self, info: PairInfo) -> tuple | None:
        return self.db.execute("SELECT id, action, date, payload FROM edits WHERE src_path = ? AND tgt_path = ? "
                               "AND undone = 0 AND action NOT IN ('rebuild') ORDER BY id DESC LIMIT 1",
                               (info.src_path, info.tgt_path)).fetchone()

    def decisions(self) -> dict[tuple[str, str], str]:
        """Every flag decision: (kind, text hash) → accept or ignore."""
        return {(k, h): d for k, h, d in self.db.execute("SELECT kind, text_hash, decision FROM flag_decisions")}

    # --- link edits ------------------------------------------------------------------------

    def merge(self, pair_id: int, seen: Sequence[tuple[int, int]]) -> int:
        """Join two (or more) neighbouring links into one."""
        if len(seen) < 2:
            raise InputError(None, "a merge needs a link and the next one")
        with self._edit(pair_id, seen) as (start, old):
            new = [LinkState(_join(o.src for o in old), _join(o.tgt for o in old), max(o.score for o in old),
                             (), _merged_words(self, pair_id, old), True)]
            return self._replace(pair_id, start, old, new, "merge")

    def split(self, pair_id: int, seen: tuple[int, int], src_at: int, tgt_at: int) -> int:
        """Cut one link in two: its first ``src_at`` source and ``tgt_at`` target sentences
        become the first link, the rest the second."""
        with self._edit(pair_id, [seen]) as (start, old):
            link = old[0]
            if not (0 <= src_at <= len(link.src) and 0 <= tgt_at <= len(link.tgt)) or \
                    (src_at + tgt_at == 0) or (src_at == len(link.src) and tgt_at == len(link.tgt)):
                raise InputError(None, f"cannot split a {len(link.src)}-{len(link.tgt)} link after {src_at} source "
                                       f"and {tgt_at} target sentences (both parts need a sentence)")
            new = [LinkState(link.src[:src_at], link.tgt[:tgt_at], link.score, (), (), True),
                   LinkState(link.src[src_at:], link.tgt[tgt_at:], link.score, (), (), True)]
            return self._replace(pair_id, start, old, new, "split")

    def unlink(self, pair_id: int, seen: tuple[int, int]) -> int:
        """Every sentence of the link on its own: the source ones as 1-0, the target ones as 0-1."""
        with self._edit(pair_id, [seen]) as (start, old):
            link = old[0]
            new = ([LinkState((i,), (), 0.0, (), (), True) for i in link.src]
                   + [LinkState((), (j,), 0.0, (), (), True) for j in link.tgt])
            return self._replace(pair_id, start, old, new, "unlink")

    def move(self, pair_id: int, seen: Sequence[tuple[int, int]], side: str, direction: str) -> int:
        """Move the boundary between a link and the next on one side: ``down`` gives the
        link's last sentence to the next link, ``up`` takes the next link's first one."""
        if len(seen) != 2 or side not in ("src", "tgt") or direction not in ("up", "down"):
            raise InputError(None, "a boundary move needs a link, the next one, a side (src/tgt) and up or down")
        with self._edit(pair_id, seen) as (start, old):
            first, second = (list(getattr(o, side)) for o in old)
            giver = first if direction == "down" else second
            if not giver:
                raise InputError(None, f"no {side} sentence to move {direction}")
            if direction == "down":
                second.insert(0, first.pop())
            else:
                first.append(second.pop(0))
            new = [LinkState(**{**_sides(o), side: tuple(ids)}, score=o.score, confirmed=True)
                   for o, ids in zip(old, (first, second))]
            new = [n for n in new if n.src or n.tgt]
            return self._replace(pair_id, start, old, new, "move")

    def relink(self, pair_id: int, seen: Sequence[tuple[int, int]], links: Sequence[tuple[Sequence[int], Sequence[int]]]) -> int:
        """Replace neighbouring links by any other cut of the same sentences (each once, in order)."""
        with self._edit(pair_id, seen) as (start, old):
            new = [LinkState(tuple(s), tuple(t), max(o.score for o in old), (), (), True) for s, t in links]
            _check_same_sentences(old, new, "relink")
            return self._replace(pair_id, start, old, new, "relink")

    def confirm(self, pair_id: int, seen: tuple[int, int], confirmed: bool = True) -> int:
        """Mark a link as checked (or take the mark back): realign keeps confirmed links fixed."""
        with self._edit(pair_id, [seen]) as (start, old):
            return self._replace(pair_id, start, old, [LinkState(**{**asdict(old[0]), "confirmed": confirmed})],
                                 "confirm" if confirmed else "unconfirm")

    def replace_all(self, pair_id: int, new: Sequence[LinkState], action: str, *, check: bool = True,
                    expected: Sequence[LinkState] | None = None) -> int:
        """Replace every link of the pair (a realign, an import); ``check``: the new links
        must cover the same sentences, each once, in order; ``expected``: the links ``new``
        was computed from, which must still be the stored ones (another window's edit made
        while a realign ran is not overwritten: `StaleEdit`, nothing written). Only the
        stretch between the unchanged links at either end is rewritten (and stored in the
        history)."""
        new = list(new)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            old = self.states(pair_id, 0, None)
            if expected is not None and old != list(expected):
                raise StaleEdit(f"the links of this pair were changed in another window during the {action}: "
                                f"reload the page and {action} again")
            if check:
                _check_same_sentences(old, new, action)
            head = next((k for k, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            tail = next((k for k, (a, b) in enumerate(zip(old[::-1], new[::-1])) if a != b or k >= min(len(old), len(new)) - head),
                        min(len(old), len(new)) - head)
            edit = self._replace(pair_id, head, old[head:len(old) - tail], new[head:len(new) - tail], action)
            self.db.execute("COMMIT")
            return edit
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def renew_versions(self, pair_id: int) -> None:
        """A new version for every link of the pair (after a rebuild, whose new rows may
        reuse the ids an open page still holds)."""
        self.db.execute("INSERT OR REPLACE INTO link_versions SELECT id, ? FROM links WHERE pair_id = ?",
                        (self._next_version(), int(pair_id)))

    # --- flags -----------------------------------------------------------------------------

    def decide(self, pair_id: int, link_id: int, kind: str, decision: str | None, note: str = "") -> int:
        """Accept or ignore the link's flag of ``kind`` (None: take the decision back). Keyed
        by kind and both texts, so the same flag on the same text is never raised again."""
        if decision is not None and decision not in DECISIONS:
            raise InputError(None, f"a flag decision is accept or ignore, not {decision!r}")
        info = self.pair(pair_id)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self.db.execute("SELECT src_text, tgt_text FROM links WHERE id = ? AND pair_id = ?",
                                  (int(link_id), info.id)).fetchone()
            if row is None:
                raise StaleEdit("this link changed in another window since the page was loaded: reload the page")
            if not self.db.execute("SELECT 1 FROM flags WHERE link_id = ? AND kind = ?", (int(link_id), kind)).fetchone():
                raise InputError(None, f"link {link_id} has no {kind} flag")
            key = text_hash(*row)
            before = self._decision(kind, key)
            after = {"decision": decision, "note": note[:2000]} if decision else None
            self._set_decision(kind, key, after)
            edit = self._log(info, decision or "reopen", {"kind": kind, "hash": key, "link": int(link_id),
                                                           "before": before, "after": after})
            self.db.execute("COMMIT")
            return edit
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _decision(self, kind: str, key: str) -> dict | None:
        row = self.db.execute("SELECT decision, note FROM flag_decisions WHERE kind = ? AND text_hash = ?",
                              (kind, key)).fetchone()
        return {"decision": row[0], "note": row[1]} if row else None

    def _set_decision(self, kind: str, key: str, value: dict | None) -> None:
        self.db.execute("DELETE FROM flag_decisions WHERE kind = ? AND text_hash = ?", (kind, key))
        if value:
            self.db.execute("INSERT INTO flag_decisions VALUES (?, ?, ?, ?, ?)",
                            (kind, key, value["decision"], value["note"], _now()))

    # --- undo ------------------------------------------------------------------------------

    def undo(self, pair_id: int, expected: int | None = None) -> int:
        """Undo the pair's latest edit not undone yet (``expected``: its id, as the page saw
        it; another id means the page is stale). Returns the edit undone."""
        info = self.pair(pair_id)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self._last_undoable(info)
            if row is None:
                raise InputError(None, "nothing to undo")
            edit_id, action, payload = row[0], row[1], json.loads(row[3])
            if expected is not None and int(expected) != edit_id:
                raise StaleEdit("the history changed in another window since the page was loaded: reload the page")
            if "kind" in payload:
                self._set_decision(payload["kind"], payload["hash"], payload["before"])
            else:
                after = [LinkState.of(s) for s in payload["after"]]
                start = payload["start"]
                now = self.states(info.id, start, len(after))
                if [(s.src, s.tgt) for s in now] != [(s.src, s.tgt) for s in after]:
                    raise StaleEdit(f"the links of this {action} were changed again since: undo the later edits first")
                self._replace(info.id, start, now, [LinkState.of(s) for s in payload["before"]], "undo", log=False)
            self.db.execute("UPDATE edits SET undone = 1 WHERE id = ?", (edit_id,))
            self.db.execute("COMMIT")
            return edit_id
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # --- the primitive ---------------------------------------------------------------------

    class _EditContext:
        def __init__(self, owner: Corrections, pair_id: int, seen: Sequence[tuple[int, int]]):
            self.owner, self.pair_id, self.seen = owner, pair_id, [(int(i), int(v)) for i, v in seen]

        def __enter__(self) -> tuple[int, list[LinkState]]:
            if not self.seen:
                raise InputError(None, "an edit needs at least one link")
            db = self.owner.db
            db.execute("BEGIN IMMEDIATE")
            try:
                rows = []
                for link_id, version in self.seen:
                    row = db.execute("SELECT l.idx, coalesce(v.version, 0) FROM links l LEFT JOIN link_versions v "
                                     "ON v.link_id = l.id WHERE l.id = ? AND l.pair_id = ?",
                                     (link_id, int(self.pair_id))).fetchone()
                    if row is None or row[1] != version:
                        raise StaleEdit("this link was changed in another window since this page was loaded: "
                                        "reload the page to see the change")
                    rows.append(row[0])
                if rows != list(range(rows[0], rows[0] + len(rows))):
                    raise InputError(None, "the links of an edit must be neighbours, in order")
                return rows[0], self.owner.states(self.pair_id, rows[0], len(rows))
            except BaseException:
                db.execute("ROLLBACK")
                raise

        def __exit__(self, kind, value, tb) -> None:
            self.owner.db.execute("COMMIT" if kind is None else "ROLLBACK")

    def _edit(self, pair_id: int, seen: Sequence[tuple[int, int]]) -> _EditContext:
        """A transaction over links the page saw (id, version): they must still be there,
        unchanged, and neighbours; yields the first one's index and their states."""
        return Corrections._EditContext(self, pair_id, seen)

    def states(self, pair_id: int, start: int, count: int | None) -> list[LinkState]:
        """The stored states of links ``[start, start + count)`` (None: to the end)."""
        info = self.pair(pair_id)
        confirmed = {(s, t) for s, t in self.db.execute(
            "SELECT src_ids, tgt_ids FROM confirmed_links WHERE src_path = ? AND tgt_path = ?",
            (info.src_path, info.tgt_path))}
        rows = self.db.execute("SELECT id, src_ids, tgt_ids, score FROM links WHERE pair_id = ? AND idx >= ? "
                               "ORDER BY idx LIMIT ?", (info.id, start, -1 if count is None else count)).fetchall()
        out = []
        for link_id, src, tgt, score in rows:
            flags = tuple(self.db.execute("SELECT kind, severity, score, evidence FROM flags WHERE link_id = ? "
                                          "ORDER BY id", (link_id,)))
            words = tuple(self.db.execute("SELECT src_start, src_end, tgt_start, tgt_end, score FROM word_pairs "
                                          "WHERE link_id = ? ORDER BY id", (link_id,)))
            out.append(LinkState(tuple(json.loads(src)), tuple(json.loads(tgt)), score, flags, words,
                                 (src, tgt) in confirmed))
        return out

    def _replace(self, pair_id: int, start: int, old: list[LinkState], new: list[LinkState], action: str, *,
                 log: bool = True) -> int:
        """Links ``[start, start + len(old))`` become ``new`` (inside the caller's
        transaction); returns the edit's id (its number is the new links' version)."""
        info = self.pair(pair_id)
        db = self.db
        edit = self._log(info, action, {"start": start, "before": [_plain(s) for s in old],
                                        "after": [_plain(s) for s in new]}) if log else self._next_version()
        ids = [r[0] for r in db.execute("SELECT id FROM links WHERE pair_id = ? AND idx >= ? ORDER BY idx LIMIT ?",
                                        (info.id, start, len(old)))]
        if ids:
            marks = ",".join("?" * len(ids))
            db.execute(f"DELETE FROM link_text WHERE rowid IN ({marks})", ids)
            db.execute(f"DELETE FROM links WHERE id IN ({marks})", ids)
        delta = len(new) - len(old)
        if delta:  # two steps: UNIQUE (pair_id, idx) is checked row by row
            db.execute("UPDATE links SET idx = -(idx + ?) - 1 WHERE pair_id = ? AND idx >= ?",
                       (delta, info.id, start + len(old)))
            db.execute("UPDATE links SET idx = -idx - 1 WHERE pair_id = ? AND idx < 0", (info.id,))
        for s in old:
            db.execute("DELETE FROM confirmed_links WHERE src_path = ? AND tgt_path = ? AND src_ids = ? AND tgt_ids = ?",
                       (info.src_path, info.tgt_path, json.dumps(list(s.src)), json.dumps(list(s.tgt))))
        texts = _Texts(db, info)
        passages = [Passage(ts, te, ss, se, score) for ss, se, ts, te, score in db.execute(
            "SELECT src_start, src_end, tgt_start, tgt_end, score FROM passages WHERE pair_id = ? ORDER BY idx",
            (info.id,))]
        for k, s in enumerate(new):
            src_text, tgt_text = texts.joined("src", s.src), texts.joined("tgt", s.tgt)
            link_id = db.execute(
                "INSERT INTO links (pair_id, idx, type, score, passage, src_ids, tgt_ids, src_text, tgt_text, "
                "src_lines, tgt_lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (info.id, start + k, f"{len(s.src)}-{len(s.tgt)}", s.score, passage_of(passages, s.src, s.tgt),
                 json.dumps(list(s.src)), json.dumps(list(s.tgt)), src_text, tgt_text, texts.lines("src", s.src),
                 texts.lines("tgt", s.tgt))).lastrowid
            db.execute("INSERT INTO link_versions VALUES (?, ?)", (link_id, edit))
            db.executemany("INSERT INTO flags (link_id, kind, severity, score, evidence) VALUES (?, ?, ?, ?, ?)",
                           [(link_id, kind, severity, score, evidence) for kind, severity, score, evidence in s.flags])
            db.executemany(
                "INSERT INTO word_pairs (link_id, src_start, src_end, tgt_start, tgt_end, src_word, tgt_word, "
                "src_lemma, tgt_lemma, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(link_id, a, b, c, d, src_text[a:b], tgt_text[c:d], lemma(src_text[a:b], info.src_lang),
                  lemma(tgt_text[c:d], info.tgt_lang), score) for a, b, c, d, score in s.words])
            db.execute("INSERT INTO link_text (rowid, src_word, src_lemma, tgt_word, tgt_lemma) VALUES (?, ?, ?, ?, ?)",
                       (link_id, src_text, lemma_text(src_text, info.src_lang), tgt_text,
                        lemma_text(tgt_text, info.tgt_lang)))
            if s.confirmed:
                db.execute("INSERT OR REPLACE INTO confirmed_links VALUES (?, ?, ?, ?, ?, ?)",
                           (info.src_path, info.tgt_path, json.dumps(list(s.src)), json.dumps(list(s.tgt)),
                            text_hash(src_text, tgt_text), _now()))
        return edit

    def _log(self, info: PairInfo, action: str, payload: dict) -> int:
        return self.db.execute("INSERT INTO edits (src_path, tgt_path, action, date, payload) VALUES (?, ?, ?, ?, ?)",
                               (info.src_path, info.tgt_path, action, _now(),
                                json.dumps(payload, ensure_ascii=False))).lastrowid

    def _next_version(self) -> int:
        """A version above every one given so far, reserved: an undo or a rebuild changes
        links without an edit of its own, so the edits' AUTOINCREMENT counter (whose next
        id is the next edit's version) is moved past it, and no later edit hands it out again."""
        row = self.db.execute("SELECT max(version) FROM link_versions").fetchone()
        last = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'edits'").fetchone()
        version = max(row[0] or 0, last[0] if last else 0) + 1
        if last is None:
            self.db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('edits', ?)", (version,))
        else:
            self.db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'edits'", (version,))
        return version


class _Texts:
    """Sentence texts and lines of a pair's two documents, read as needed."""

    def __init__(self, db: sqlite3.Connection, info: PairInfo) -> None:
        self.db, self.docs = db, {"src": info.src_document, "tgt": info.tgt_document}

    def _rows(self, side: str, ids: Sequence[int]) -> list[tuple[str, int, int]]:
        if not ids:
            return []
        found = {idx: (text, a, b) for idx, text, a, b in self.db.execute(
            f"SELECT idx, text, line_start, line_end FROM sentences WHERE document_id = ? AND idx IN "
            f"({','.join('?' * len(ids))})", [self.docs[side], *ids])}
        missing = [i for i in ids if i not in found]
        if missing:
            raise InputError(None, f"the {side} document has no sentence {missing[0]}")
        return [found[i] for i in ids]

    def joined(self, side: str, ids: Sequence[int]) -> str:
        return " ".join(text for text, _, _ in self._rows(side, ids))

    def lines(self, side: str, ids: Sequence[int]) -> str:
        rows = self._rows(side, ids)
        return f"{rows[0][1]}-{rows[-1][2]}" if rows else ""




def _join(parts) -> tuple[int, ...]:
    return tuple(i for part in parts for i in part)


def _sides(state: LinkState) -> dict:
    return {"src": state.src, "tgt": state.tgt}


def _plain(state: LinkState) -> dict:
    return {**asdict(state), "src": list(state.src), "tgt": list(state.tgt)}


def _merged_words(owner: Corrections, pair_id: int, old: list[LinkState]) -> tuple:
    """The word pairs of merged links, shifted into the joined texts (a side's text is its
    parts joined by a space)."""
    info = owner.pair(pair_id)
    texts = _Texts(owner.db, info)
    out, src_at, tgt_at = [], 0, 0
    for s in old:
        out += [(a + src_at, b + src_at, c + tgt_at, d + tgt_at, score) for a, b, c, d, score in s.words]
        if s.src:
            src_at += len(texts.joined("src", s.src)) + 1
        if s.tgt:
            tgt_at += len(texts.joined("tgt", s.tgt)) + 1
    return tuple(out)


def _check_same_sentences(old: Sequence[LinkState], new: Sequence[LinkState], what: str) -> None:
    """The new links must hold exactly the old links' sentences, each once, in order, and
    none may be empty."""
    for side in ("src", "tgt"):
        before, after = _join(getattr(s, side) for s in old), _join(getattr(s, side) for s in new)
        if after != before:
            seen: set[int] = set()
            repeated = next((i for i in after if i in seen or seen.add(i)), None)
            missing, foreign = sorted(set(before) - set(after)), sorted(set(after) - set(before))
            if repeated is not None:
                problem = f"{side} sentence {repeated} is in two links"
            elif missing:
                problem = f"{side} sentence {missing[0]} is missing"
            elif foreign:
                problem = f"{side} sentence {foreign[0]} is not in this pair's links"
            else:
                problem = f"{side} sentences are out of order"
            raise InputError(None, f"{what}: {problem} (every sentence once, in order)")
    if any(not s.src and not s.tgt for s in new):
        raise InputError(None, f"{what}: a link needs a sentence on one side at least")


def _summary(action: str, payload: dict) -> str:
    if "kind" in payload:
        note = (payload.get("after") or {}).get("note") or ""
        return f"{payload['kind']} flag on link {payload['link']}" + (f": {note}" if note else "")

    def show(states):
        return ", ".join(f"[{' '.join(map(str, s['src']))}]:[{' '.join(map(str, s['tgt']))}]" for s in states[:4]) + \
            (" …" if len(states) > 4 else "")
    if len(payload["before"]) > 6:
        return f"{len(payload['before'])} links → {len(payload['after'])}"
    return f"{show(payload['before'])} → {show(payload['after'])}"


def corrected_pair(db_path: Path, pair_id: int, cache, max_bytes: int) -> AlignedPair:
    """Pair ``pair_id`` as corrected, its files re-read (`store.pairs.load_pair`), with the
    ignored flags left out: what the writers and the edition preview are given."""
    from align.store.pairs import load_pair

    pair = load_pair(Path(db_path), pair_id, cache, max_bytes)
    return without_ignored(pair, ignored_flags(Path(db_path)))


def ignored_flags(db_path: Path) -> set[tuple[str, str]]:
    """The (kind, text hash) keys of every flag a person marked ignored in ``db_path``."""
    with Corrections(Path(db_path)) as corrections:
        return {key for key, decision in corrections.decisions().items() if decision == "ignore"}


def without_ignored(pair: AlignedPair, ignored: set[tuple[str, str]]) -> AlignedPair:
    """``pair`` with the flags in ``ignored`` left out (Xbench-style: keyed by the link's
    texts, so an ignore made on one build holds on a rebuild of the same text)."""
    if not ignored:
        return pair
    src, tgt = pair.src.sentences, pair.tgt.sentences
    links = []
    for link in pair.links:
        digest = text_hash(" ".join(src[i].text for i in link.src), " ".join(tgt[j].text for j in link.tgt))
        links.append(replace(link, flags=tuple(f for f in link.flags if (f.kind, digest) not in ignored)))
    return replace(pair, links=tuple(links))


def pair_ids(db_path: Path) -> list[int]:
    with Corrections(Path(db_path)) as corrections:
        return [row[0] for row in corrections.db.execute("SELECT id FROM pairs ORDER BY id")]
