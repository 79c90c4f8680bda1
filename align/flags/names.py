"""Name detector: a proper name on one side with no rendering on the other, or a different one."""

from __future__ import annotations

import re
from functools import lru_cache

from align.flags.config import FlagConfig
from align.flags.context import RU_EN, Detector, PairContext, Vocabulary
from align.flags.morph import is_ru_name, ru_word
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


@lru_cache(maxsize=1 << 14)
def name_candidates(text: str, skip_adjective_heads: bool = False) -> tuple[str, ...]:
    """Capitalised words not at the start of a sentence or quotation (abbreviations included),
    optionally without capitalised adjectives that head a lower-case phrase (cached: each side
    is read up to three times, and a document repeats its sentences)."""
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
    return tuple(found)


def ru_names(text: str) -> list[str]:
    """Russian names: capitalised words after the start of a sentence that pymorphy3 reads as a
    name, surname, patronymic, place or organisation, or does not know (rare surnames), and
    abbreviations; capitalised common words («Уголовного Кодекса») are not names."""
    return [w for w in name_candidates(text) if w.isupper() or is_ru_name(w)]


def name_flags(src: str, tgt: str, vocabulary: Vocabulary | None, config: FlagConfig,
               en_unmatched: frozenset[str] | None = None) -> list[Flag]:
    """Russian names (``src``) with no English rendering in ``tgt`` and the converse.

    A Russian name may be matched by any English word and vice versa (``советский``
    ↔ ``Soviet``). A rare Russian name left out or replaced is major. Minor are:
    abbreviations, common words (in ``vocabulary``; without one, no word is common) and
    capitalised adjectives heading a lower-case phrase (institutions and regions:
    ``Государственный суд`` ↔ ``State Court``, «Пензенской области» ↔ "Penza Region"),
    and English-only names (translators add first names). ``en_unmatched`` (the English words the
    word alignment leaves without counterpart, if it ran) keeps English capitalised words that
    render a common Russian word ("Criminal Code" ↔ «Уголовного кодекса») out of the flags."""
    ru_words = WORD_RE.findall(src)
    en_words = WORD_RE.findall(tgt)
    ru_only = _unique([w for w in ru_names(src)
                       if not any(names_match(w, e) for e in en_words) and not compound_rendered(w, en_words)])
    en_only = _unique([e for e in name_candidates(tgt) if (en_unmatched is None or e in en_unmatched)
                       and not any(names_match(w, e) or any(compound_parts_rendered(w, e) or ()) for w in ru_words)])
    if not ru_only and not en_only:
        return []
    shown_ru, shown_en = ru_only[:config.evidence_words], en_only[:config.evidence_words]
    evidence = f"{', '.join(shown_ru) or '–'} ↔ {', '.join(shown_en) or '–'}"
    spans = {"src_spans": _spans(src, shown_ru), "tgt_spans": _spans(tgt, shown_en)}
    heads = set(ru_only) - set(name_candidates(src, skip_adjective_heads=True))
    if any((_rare(w, vocabulary) or ru_word(w).name) and not w.isupper() and w not in heads for w in ru_only):
        replaced = any(_rare(e, vocabulary) for e in en_only)
        return [Flag("name", "major", evidence,
                     config.name_major_replaced_score if replaced else config.name_major_missing_score, **spans)]
    return [Flag("name", "minor", evidence,
                 config.name_minor_russian_score if ru_only else config.name_minor_english_score, **spans)]


def _spans(text: str, words: list[str]) -> tuple[tuple[int, int], ...]:
    """The first occurrence of each word as a whole word in ``text``."""
    found = (re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text) for w in words)
    return tuple(m.span() for m in found if m)


def _rare(word: str, vocabulary: Vocabulary | None) -> bool:
    """A word that is neither an abbreviation nor a common word of the vocabulary."""
    return not word.isupper() and not (vocabulary is not None and vocabulary.is_common(word))


def _unique(words: list[str]) -> list[str]:
    return list(dict.fromkeys(words))


def _names(pair: PairContext) -> list[Flag]:
    if not pair.config.names:
        return []
    en_unmatched = None
    if pair.gaps is not None:
        en_unmatched = frozenset((pair.gaps.added if pair.src_lang == "ru" else pair.gaps.omitted).words)
    return pair.oriented(name_flags(*pair.ru_en, pair.vocabulary, pair.config, en_unmatched))


NAMES = Detector("names", frozenset({"name"}), RU_EN, _names)
