"""Name detector: a proper name on one side with no rendering on the other, or a different one."""

from __future__ import annotations

import re

from align.flags.config import FlagConfig
from align.flags.context import RU_EN, Detector, PairContext, Vocabulary
from align.flags.wordgaps import STOPWORDS
from align.model import Flag
from align.text import WORD_RE, is_capitalised
from align.translit import compound_parts_rendered, compound_rendered, names_match

_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]\s*|[«\"“(—–-]\s*)$")
# Capitalised English words that are not names of people or places.
# A capitalised adjective before a lower-case word heads an institution's or region's name
# («Центристской партии», «Пензенской области»): translated, not transliterated.
_ADJECTIVE_HEAD = re.compile(r"[А-ЯЁ][а-яё-]*(?:ый|ий|ой|ая|яя|ое|ее|ую|юю|ого|его|ому|ему|ым|им|ых|их|ыми|ими)\s+[а-яё]")
EN_NOT_NAMES = frozenset("""i mr mrs ms dr st mt jr sr ok tv
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday""".split())  # noqa: SIM905


def name_candidates(text: str, skip_adjective_heads: bool = False) -> list[str]:
    """Capitalised words not at the start of a sentence or quotation (abbreviations included),
    optionally without capitalised adjectives that head a lower-case phrase."""
    found = []
    for match in WORD_RE.finditer(text):
        word = match.group()
        if not is_capitalised(word) or _SENTENCE_START.search(text[: match.start()]):
            continue
        if word.lower() in EN_NOT_NAMES or word.lower() in STOPWORDS["en"] or len(word) < 2:
            continue
        if skip_adjective_heads and _ADJECTIVE_HEAD.match(text, match.start()):
            continue
        found.append(word)
    return found


def name_flags(src: str, tgt: str, vocabulary: Vocabulary | None, config: FlagConfig) -> list[Flag]:
    """Russian names (``src``) with no English rendering in ``tgt`` and the converse.

    A Russian name may be matched by any English word and vice versa (``советский``
    ↔ ``Soviet``). A rare Russian name left out or replaced is major. Minor are:
    abbreviations, common words (in ``vocabulary``; without one, no word is common) and
    capitalised adjectives heading a lower-case phrase (institutions and regions:
    ``Государственный суд`` ↔ ``State Court``, «Пензенской области» ↔ "Penza Region"),
    and English-only names (translators add first names)."""
    ru_words = WORD_RE.findall(src)
    en_words = WORD_RE.findall(tgt)
    ru_only = _unique([w for w in name_candidates(src)
                       if not any(names_match(w, e) for e in en_words) and not compound_rendered(w, en_words)])
    en_only = _unique([e for e in name_candidates(tgt)
                       if not any(names_match(w, e) or any(compound_parts_rendered(w, e) or ()) for w in ru_words)])
    if not ru_only and not en_only:
        return []
    evidence = f"{', '.join(ru_only) or '–'} ↔ {', '.join(en_only) or '–'}"
    heads = set(ru_only) - set(name_candidates(src, skip_adjective_heads=True))
    if any(_rare(w, vocabulary) and w not in heads for w in ru_only):
        replaced = any(_rare(e, vocabulary) for e in en_only)
        return [Flag("name", "major", evidence,
                     config.name_major_replaced_score if replaced else config.name_major_missing_score)]
    return [Flag("name", "minor", evidence,
                 config.name_minor_russian_score if ru_only else config.name_minor_english_score)]


def _rare(word: str, vocabulary: Vocabulary | None) -> bool:
    """A word that is neither an abbreviation nor a common word of the vocabulary."""
    return not word.isupper() and not (vocabulary is not None and vocabulary.is_common(word))


def _unique(words: list[str]) -> list[str]:
    return list(dict.fromkeys(words))


def _names(pair: PairContext) -> list[Flag]:
    return name_flags(*pair.ru_en, pair.vocabulary, pair.config) if pair.config.names else []


NAMES = Detector("names", frozenset({"name"}), RU_EN, _names)
