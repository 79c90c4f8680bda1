"""Reading a corpus database: `open_corpus(path)` and its queries, each a pandas
DataFrame (ids as lists; flag kinds and severities as list columns, never a column
named ``flags``, which clashes with ``DataFrame.flags``). SQL is parameterised
throughout; the query text reaches FTS5 only as compiled by `align.store.query`."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from align.errors import InputError
from align.store.morph import lemma, words
from align.store.query import SIDES, Query, Term, compile_query
from align.store.schema import connect

LINK_COLUMNS = ["link_id", "src_path", "tgt_path", "mode", "type", "score", "passage", "src_ids", "tgt_ids",
                "src_lines", "tgt_lines", "src_text", "tgt_text", "flag_kinds", "flag_severities"]


@dataclass(frozen=True)
class Filters:
    """Which links a query keeps: a document (a substring of either file's path), a flag
    kind and/or severity, a score range, a link type ("2-1"), the mode."""

    document: str | None = None
    kind: str | None = None
    severity: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    type: str | None = None
    mode: str | None = None

    def sql(self) -> tuple[str, list]:
        """WHERE clauses (joined by AND) and their parameters."""
        clauses, params = [], []
        if self.document:
            clauses.append("(instr(ds.path, ?) > 0 OR instr(dt.path, ?) > 0)")
            params += [self.document, self.document]
        if self.kind or self.severity:
            clauses.append("EXISTS (SELECT 1 FROM flags f WHERE f.link_id = l.id AND (? IS NULL OR f.kind = ?) "
                           "AND (? IS NULL OR f.severity = ?))")
            params += [self.kind, self.kind, self.severity, self.severity]
        for column, op, value in (("l.score", ">=", self.min_score), ("l.score", "<=", self.max_score),
                                  ("l.type", "=", self.type), ("p.mode", "=", self.mode)):
            if value is not None:
                clauses.append(f"{column} {op} ?")
                params.append(value)
        return " AND ".join(clauses) or "1", params


_SELECT = """
SELECT l.id, ds.path, dt.path, p.mode, l.type, l.score, l.passage, l.src_ids, l.tgt_ids, l.src_lines,
       l.tgt_lines, l.src_text, l.tgt_text,
       (SELECT json_group_array(kind) FROM flags WHERE link_id = l.id),
       (SELECT json_group_array(severity) FROM flags WHERE link_id = l.id)
FROM links l JOIN pairs p ON p.id = l.pair_id
JOIN documents ds ON ds.id = p.src_document_id JOIN documents dt ON dt.id = p.tgt_document_id
"""


class Corpus:
    """An open corpus database (read-only use; WAL lets a build write meanwhile)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db: sqlite3.Connection = connect(self.path, create=False)
        self.db.create_function("py_lower", 1, str.lower, deterministic=True)  # SQLite's lower() is ASCII-only
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        self.langs = (meta.get("src_lang", "ru"), meta.get("tgt_lang", "en"))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def compile(self, text: str) -> Query:
        return compile_query(text, self.langs)

    def links(self, query: str | None = None, filters: Filters = Filters(), limit: int | None = None) -> pd.DataFrame:
        """Links matching ``query`` (None: all) and ``filters``, in corpus order."""
        where, params = filters.sql()
        if query:
            sql = (f"{_SELECT} JOIN link_text ON link_text.rowid = l.id WHERE link_text MATCH ? AND {where} "
                   "ORDER BY link_text.rowid")
            params = [self.compile(query).fts, *params]
        else:
            sql = f"{_SELECT} WHERE {where} ORDER BY l.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        rows = self._run(sql, params)
        frame = pd.DataFrame(rows, columns=LINK_COLUMNS)
        for column in ("src_ids", "tgt_ids", "flag_kinds", "flag_severities"):
            frame[column] = [json.loads(v) for v in frame[column]]
        return frame

    query = links

    def count(self, query: str | None, by: str, filters: Filters = Filters()) -> pd.DataFrame:
        """How many links match, per document pair (``by="document"``) or per flag kind and
        severity (``by="kind"``)."""
        where, params = filters.sql()
        match = ""
        if query:
            match = "JOIN link_text ON link_text.rowid = l.id AND link_text MATCH ?"
            params = [self.compile(query).fts, *params]
        joins = ("FROM links l JOIN pairs p ON p.id = l.pair_id JOIN documents ds ON ds.id = p.src_document_id "
                 f"JOIN documents dt ON dt.id = p.tgt_document_id {match}")
        if by == "document":
            sql = (f"SELECT ds.path, dt.path, count(*) {joins} WHERE {where} GROUP BY p.id ORDER BY count(*) DESC")
            columns = ["src_path", "tgt_path", "links"]
        elif by == "kind":
            sql = (f"SELECT fk.kind, fk.severity, count(DISTINCT l.id) {joins} JOIN flags fk ON fk.link_id = l.id "
                   f"WHERE {where} GROUP BY fk.kind, fk.severity ORDER BY count(DISTINCT l.id) DESC")
            columns = ["kind", "severity", "links"]
        else:
            raise InputError(None, f"cannot count by {by!r} (document or kind)")
        return pd.DataFrame(self._run(sql, params), columns=columns)

    def flags(self, query: str | None = None, filters: Filters = Filters(), limit: int | None = None) -> pd.DataFrame:
        """One row per flag of the matching links."""
        links = self.links(query, filters, limit)
        ids = links["link_id"].tolist()
        rows = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows += self._run("SELECT link_id, kind, severity, score, evidence FROM flags WHERE link_id IN "
                              f"({','.join('?' * len(chunk))}) ORDER BY link_id, id", chunk)
        frame = pd.DataFrame(rows, columns=["link_id", "kind", "severity", "flag_score", "evidence"])
        if filters.kind:
            frame = frame[frame["kind"] == filters.kind]
        if filters.severity:
            frame = frame[frame["severity"] == filters.severity]
        return frame.merge(links.drop(columns=["flag_kinds", "flag_severities"]), on="link_id").reset_index(drop=True)

    def equivalents(self, word: str, limit: int = 20) -> pd.DataFrame:
        """The words ``word`` (``[ru:|en:][word:|lemma:]word``) is aligned to on the other
        side across the corpus, most frequent first: the other side's lemma, its most
        frequent form, how often, and an example link. Counted in SQL over a covering index
        (lemma, other lemma, other form), so a frequent word costs one index range."""
        term = self._single(word)
        side = term.side or SIDES[0]
        here, there = side, SIDES[1 - SIDES.index(side)]
        value = term.values[0] if term.form == "lemma" else lemma(term.values[0], self.langs[SIDES.index(side)])
        exact = f" AND py_lower({here}_word) = ?" if term.form == "word" else ""
        params = [value, term.values[0]] if exact else [value]
        rows = self._run(f"SELECT {there}_lemma, {there}_word, count(*), min(id) FROM word_pairs "
                         f"WHERE {here}_lemma = ?{exact} GROUP BY {there}_lemma, {there}_word", params)
        columns = ["lemma", "form", "count", "example_link", "example_src", "example_tgt"]
        if not rows:
            return pd.DataFrame(columns=columns)
        forms = pd.DataFrame(rows, columns=["lemma", "form", "count", "example"])
        forms["form"] = forms["form"].str.lower()
        forms = forms.groupby(["lemma", "form"], as_index=False).agg(count=("count", "sum"), example=("example", "min"))
        best = forms.sort_values("count", ascending=False).drop_duplicates("lemma")
        table = forms.groupby("lemma", as_index=False).agg(count=("count", "sum"), example=("example", "min"))
        table = table.merge(best[["lemma", "form"]], on="lemma")
        table = table.sort_values(["count", "example"], ascending=[False, True]).head(limit).reset_index(drop=True)
        ids = [int(i) for i in table["example"]]
        examples = {pair_id: (link_id, s, t) for pair_id, link_id, s, t in self._run(
            "SELECT w.id, l.id, l.src_text, l.tgt_text FROM word_pairs w JOIN links l ON l.id = w.link_id "
            f"WHERE w.id IN ({','.join('?' * len(ids))})", ids)}
        table["example_link"] = [examples[i][0] for i in ids]
        table["example_src"] = [examples[i][1] for i in ids]
        table["example_tgt"] = [examples[i][2] for i in ids]
        return table[columns]

    def kwic(self, query: str, filters: Filters = Filters(), limit: int = 50, width: int = 40) -> pd.DataFrame:
        """A concordance: each hit centred (left, hit, right) with its link's other side,
        the words aligned to the hit (from the stored word alignment) marked ``[[…]]``."""
        compiled = self.compile(query)
        links = self.links(query, filters, limit)
        rows = []
        for link in links.itertuples():
            hit = _first_hit(compiled.terms, link.src_text, link.tgt_text, self.langs)
            if hit is None:
                continue
            side, start, end = hit
            text = link.src_text if side == "src" else link.tgt_text
            other = "tgt" if side == "src" else "src"
            spans = self._run(f"SELECT {other}_start, {other}_end FROM word_pairs WHERE link_id = ? AND "
                              f"{side}_start < ? AND {side}_end > ? ORDER BY {other}_start", [link.link_id, end, start])
            other_text = link.tgt_text if side == "src" else link.src_text
            rows.append((link.link_id, link.src_path, link.tgt_path, side, text[max(0, start - width):start],
                         text[start:end], text[end:end + width], " ".join(other_text[a:b] for a, b in spans),
                         _mark(other_text, spans), [list(s) for s in spans]))
        return pd.DataFrame(rows, columns=["link_id", "src_path", "tgt_path", "side", "left", "hit", "right",
                                           "aligned", "rendering", "aligned_spans"])

    def word_pairs(self, link_ids: list[int]) -> pd.DataFrame:
        """The stored word alignment of these links, one row per aligned word pair."""
        columns = ["link_id", "src_start", "src_end", "tgt_start", "tgt_end", "src_word", "tgt_word", "src_lemma",
                   "tgt_lemma", "score"]
        rows = []
        for start in range(0, len(link_ids), 500):
            chunk = [int(i) for i in link_ids[start:start + 500]]
            rows += self._run(f"SELECT {', '.join(columns)} FROM word_pairs WHERE link_id IN "
                              f"({','.join('?' * len(chunk))}) ORDER BY link_id, src_start", chunk)
        return pd.DataFrame(rows, columns=columns)

    def _single(self, word: str) -> Term:
        terms = self.compile(word).terms
        if len(terms) != 1 or len(terms[0].values) != 1 or terms[0].prefix:
            raise InputError(None, f"equivalents need one word, not {word!r}")
        return terms[0]

    def _run(self, sql: str, params: list) -> list[tuple]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise InputError(self.path, f"query failed: {exc}") from None


def _first_hit(terms: tuple[Term, ...], src: str, tgt: str, langs: tuple[str, str]) -> tuple[str, int, int] | None:
    """The first word (side, start, end) that a shown term matches."""
    for term in terms:
        for side in ((term.side,) if term.side else SIDES):
            text = src if side == "src" else tgt
            lang = langs[SIDES.index(side)]
            found = words(text)
            for k in range(len(found) - len(term.values) + 1):
                window = found[k:k + len(term.values)]
                if all(_matches(term, w, v, lang, last=(n == len(window) - 1))
                       for n, ((_, _, w), v) in enumerate(zip(window, term.values))):
                    return side, window[0][0], window[-1][1]
    return None


def _matches(term: Term, word: str, value: str, lang: str, last: bool) -> bool:
    """Whether ``word`` is what the term's ``value`` indexes: its lemma, else its form
    (prefixes compare forms, as typed)."""
    if term.prefix and last:
        return word.lower().replace("ё", "е").startswith(value) or word.lower().startswith(value)
    return (lemma(word, lang) if term.form == "lemma" else word.lower()) == value


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for a, b in spans:
        if a < pos:
            continue
        out += [text[pos:a], "[[", text[a:b], "]]"]
        pos = b
    return "".join(out) + text[pos:]


def open_corpus(path: str | Path) -> Corpus:
    """The corpus database at ``path`` (``output/corpus.sqlite`` after ``align build``)."""
    return Corpus(Path(path))

