"""The query language, compiled to an FTS5 expression that never carries the user's
text as syntax: every word becomes a quoted FTS5 string, so quotes, semicolons or SQL in
a query are words at most, and a malformed query is a one-line `InputError`.

A term is ``[ru:|en:|src:|tgt:][word:|lemma:]`` then a word, a prefix ``парти*`` or a
``"phrase"``. Lemmas are the default (``партия`` finds партии, партией); ``word:`` is the
exact form. A term without a side goes to the side its script belongs to (Cyrillic:
Russian). Terms combine with AND (or juxtaposition), OR, NOT (``a AND NOT b``), brackets,
and ``a NEAR/5 b`` (within 5 words, same side)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from align.errors import InputError
from align.store.morph import lemma, script_lang, words

TOKEN_RE = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<near>NEAR/(?P<dist>\d+))|(?P<op>AND|OR|NOT)(?=[\s()]|$)'
                      r'|(?P<term>(?:(?:ru|en|src|tgt|word|lemma):)*(?:"[^"]*"|[^\s()"]+)))')
SIDES = ("src", "tgt")


@dataclass(frozen=True)
class Term:
    """One searched word or phrase: its side (None: both), column form, the words as
    indexed (lemmas or lower-cased forms) and whether the last is a prefix."""

    side: str | None
    form: str  # "word" | "lemma"
    values: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        sides = (self.side,) if self.side else SIDES
        columns = " ".join(f"{side}_{self.form}" for side in sides)
        phrase = '"' + " ".join(self.values).replace('"', '""') + '"' + ("*" if self.prefix else "")
        return f"{{{columns}}} : {phrase}"


@dataclass(frozen=True)
class Query:
    """A compiled query: the FTS5 expression and the terms a hit shows (not under NOT)."""

    text: str
    fts: str
    terms: tuple[Term, ...]


def compile_query(text: str, langs: tuple[str, str]) -> Query:
    """Parse ``text`` for a corpus of languages ``langs`` (source, target)."""
    tokens = _tokens(text)
    parser = _Parser(tokens, langs, text)
    fts = parser.expression()
    if parser.pos != len(tokens):
        raise InputError(None, f"query {text!r}: unexpected {tokens[parser.pos][1]!r}")
    return Query(text, fts, tuple(parser.shown))


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            raise InputError(None, f"query {text!r}: cannot read {text[pos:].strip()[:20]!r} (an unclosed quote?)")
        kind = next(k for k in ("open", "close", "near", "op", "term") if match.group(k) is not None)
        out.append((kind, match.group(kind)))
        pos = match.end()
    if not out:
        raise InputError(None, "empty query")
    return out


class _Parser:
    """Recursive descent: or → and (OR and)*; and → near ((AND)? [NOT] near)*; near → atom (NEAR/k atom)*."""

    def __init__(self, tokens: list[tuple[str, str]], langs: tuple[str, str], text: str) -> None:
        self.tokens, self.langs, self.text, self.pos = tokens, langs, text, 0
        self.shown: list[Term] = []
        self.negated = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _fail(self, what: str) -> InputError:
        return InputError(None, f"query {self.text!r}: {what}")

    def expression(self) -> str:
        parts = [self._and()]
        while self._peek() == ("op", "OR"):
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        if self._peek() == ("op", "NOT"):
            raise self._fail("NOT needs something before it (a AND NOT b)")
        out = self._near()
        while (token := self._peek()) and token[0] in ("open", "term", "op") and token[1] != "OR":
            if token == ("op", "AND"):
                self.pos += 1
            if self._peek() == ("op", "NOT"):
                self.pos += 1
                self.negated += 1
                out = f"({out} NOT {self._near()})"
                self.negated -= 1
            else:
                out = f"({out} AND {self._near()})"
        return out

    def _near(self) -> str:
        first = self._atom()
        if not (token := self._peek()) or token[0] != "near":
            return first if isinstance(first, str) else first.fts()
        terms, distance = [first], 10
        while (token := self._peek()) and token[0] == "near":
            distance = int(token[1].split("/")[1])
            self.pos += 1
            terms.append(self._atom())
        if not all(isinstance(t, Term) for t in terms):
            raise self._fail("NEAR joins words or phrases, not bracketed expressions")
        sides = {t.side for t in terms}
        forms = {t.form for t in terms}
        if len(sides) > 1 or len(forms) > 1:
            raise self._fail("NEAR joins terms of one side and one form")
        side, form = terms[0].side, terms[0].form
        columns = " ".join(f"{s}_{form}" for s in ((side,) if side else SIDES))
        phrases = " ".join('"' + " ".join(t.values).replace('"', '""') + '"' + ("*" if t.prefix else "")
                           for t in terms)
        return f"{{{columns}}} : NEAR({phrases}, {distance})"

    def _atom(self) -> str | Term:
        token = self._peek()
        if token is None:
            raise self._fail("ends where a word was expected")
        kind, value = token
        self.pos += 1
        if kind == "open":
            inner = self.expression()
            if self._peek() != ("close", ")"):
                raise self._fail("a bracket is not closed")
            self.pos += 1
            return f"({inner})"
        if kind != "term":
            raise self._fail(f"{value!r} where a word was expected")
        term = self._term(value)
        if not self.negated:
            self.shown.append(term)
        return term

    def _term(self, value: str) -> Term:
        side, form = None, "lemma"
        while (head := re.match(r"(ru|en|src|tgt|word|lemma):", value)):
            name = head.group(1)
            if name in ("word", "lemma"):
                form = name
            else:
                side = self._side(name)
            value = value[head.end():]
        prefix = value.endswith("*") and not value.startswith('"')
        body = value.strip('"').rstrip("*") if not value.startswith('"') else value[1:-1]
        found = [w for _, _, w in words(body)]
        if not found:
            raise self._fail(f"{value!r} has no word in it")
        if side is None:
            side = self._side(script_lang(found[0], self.langs))
        lang = self.langs[SIDES.index(side)] if side else ("ru" if re.search("[А-Яа-яЁё]", found[0]) else "en")
        if form == "lemma" and not prefix:
            values = tuple(lemma(w, lang) for w in found)
        else:
            values = tuple(w.lower().replace("ё", "е") if form == "lemma" else w.lower() for w in found)
        return Term(side, form, values, prefix)

    def _side(self, name: str | None) -> str | None:
        """A side by name: src/tgt, or a language of the corpus (ru, en)."""
        if name is None:
            return None
        if name in SIDES:
            return name
        if name not in self.langs:
            raise self._fail(f"{name}: is neither side of this corpus ({'-'.join(self.langs)})")
        return SIDES[self.langs.index(name)]
