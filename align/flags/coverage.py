"""Omission and addition detectors: whole sentences (1-0 / 0-1 links) and parts of a linked
pair, named word by word from the word gaps (``align.flags.wordgaps``)."""

from __future__ import annotations

import re

from align.flags.config import FlagConfig
from align.flags.context import RU_EN, Detector, PairContext
from align.flags.morph import CONTENT
from align.flags.wordgaps import Unmatched
from align.model import Flag, FlagKind
from align.text import clip
from align.translit import is_compound_abbreviation

# Russian abbreviations: «УТАК», «ЦМКБ», and compounds led by an abbreviated word («Росгидромет»).
ABBREVIATION_RE = re.compile(r"\b[А-ЯЁ][А-ЯЁа-яё]+\b")
# The side named in partial flags' evidence on ru/en pairs (either direction, as always written).
RU_EN_SIDES = {"omission": "Russian", "addition": "English"}


def whole_flags(text: str, kind: FlagKind, config: FlagConfig) -> list[Flag]:
    """A sentence with no counterpart (1-0 link: omission, 0-1 link: addition)."""
    severity = "major" if len(text.split()) >= config.omission_major_words else "minor"
    return [Flag(kind, severity, clip(text, config.whole_evidence_chars), 1.0)]


def expanded_abbreviation(added: Unmatched, ru: str) -> str | None:
    """The Russian abbreviation that an added phrase of capitalised words spells out
    («УТАК» ↔ "Korean Central News Agency", «ЦМКБ» ↔ "Central Marine Design Bureau"), if any."""
    if len(added.phrase) < 2 or not all(w[0].isupper() for w in added.phrase):
        return None
    found = [w for w in ABBREVIATION_RE.findall(ru) if w.isupper() or is_compound_abbreviation(w)]
    return found[0] if found else None


def partial_flags(unmatched: Unmatched, kind: FlagKind, config: FlagConfig, side: str,
                  expands: str | None = None) -> list[Flag]:
    """Omission/addition flag naming the ``side``'s words without a counterpart: major when they
    make a phrase (``config.partial_major_run`` in a row) or one is a noun, verb or name with
    surely no counterpart (``Unmatched.lost``); minor when scattered (alignment noise,
    paraphrase) or when the phrase spells out the abbreviation ``expands``. The evidence names
    the ``config.evidence_words`` words that matter most (lost words, then the least matched
    nouns, verbs and names, then the rest)."""
    lost = unmatched.lost(config) if expands is None else []
    if len(unmatched.words) < config.partial_min_words and not lost:
        return []
    major = (len(unmatched.phrase) >= config.partial_major_run and expands is None) or bool(lost)
    rest = sorted(set(range(len(unmatched.words))) - set(lost),
                  key=lambda i: (unmatched.classes[i] != CONTENT, unmatched.sims[i]))
    order = lost + rest
    shown = sorted(order[:config.evidence_words])
    evidence = f"{side} words without counterpart: {', '.join(unmatched.words[i] for i in shown)}"
    if len(unmatched.words) > len(shown):
        evidence += f" (+{len(unmatched.words) - len(shown)})"
    if expands:
        evidence += f" (spelling out {expands}?)"
    spans = tuple(unmatched.spans[i] for i in shown)
    on_source = kind == "omission"
    return [Flag(kind, "major" if major else "minor", evidence, round(unmatched.score, 3),
                 src_spans=spans if on_source else (), tgt_spans=() if on_source else spans)]


def _side(pair: PairContext, kind: FlagKind) -> str:
    """The side's name in the evidence: fixed labels on ru/en pairs, else the side's language code."""
    if (pair.src_lang, pair.tgt_lang) in RU_EN:
        return RU_EN_SIDES[kind]
    return pair.src_lang if kind == "omission" else pair.tgt_lang


def _omission(pair: PairContext) -> list[Flag]:
    if pair.gaps is None:
        return []
    return partial_flags(pair.gaps.omitted, "omission", pair.config, _side(pair, "omission"))


def _addition(pair: PairContext) -> list[Flag]:
    if pair.gaps is None:
        return []
    # English spelling out a Russian abbreviation adds words but nothing new.
    expands = (expanded_abbreviation(pair.gaps.added, pair.src)
               if (pair.src_lang, pair.tgt_lang) == ("ru", "en") else None)
    return partial_flags(pair.gaps.added, "addition", pair.config, _side(pair, "addition"), expands)


PARTIAL_OMISSION = Detector("partial omission", frozenset({"omission"}), None, _omission)
PARTIAL_ADDITION = Detector("partial addition", frozenset({"addition"}), None, _addition)
