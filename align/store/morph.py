"""Words and lemmas for the full-text index: the same word pattern as the word model
(`align.tokens.WORD_RE`), Russian lemmas from pymorphy3 (offline dictionaries), English
Snowball stems (nltk, no data download). Index and queries go through the same functions,
so a query word and the forms it should find meet on one lemma."""

from __future__ import annotations

from functools import lru_cache

from align.text import CYRILLIC_RE
from align.tokens import WORD_RE


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


@lru_cache(maxsize=1 << 18)
def lemma(word: str, lang: str) -> str:
    """The lemma of one word (lower case): pymorphy3's first parse for Russian (and any
    Cyrillic word), a Snowball stem for English, the lower-cased word otherwise (also for
    a word pymorphy3 cannot read: it asks every letter's Unicode name, and some letters,
    such as Tangut in Python 3.11, have none)."""
    low = word.lower().replace("ё", "е")
    if lang == "ru" or CYRILLIC_RE.search(low):
        try:
            return _morph().parse(low)[0].normal_form.replace("ё", "е")
        except ValueError:
            return low
    if lang == "en":
        return _stemmer().stem(low)
    return low


def words(text: str) -> list[tuple[int, int, str]]:
    """Each word of ``text`` as (start, end, word)."""
    return [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(text)]


def lemma_text(text: str, lang: str) -> str:
    """The lemmas of ``text``'s words, in order, space-separated (the lemma column)."""
    return " ".join(lemma(w, lang) for _, _, w in words(text))


def script_lang(word: str, langs: tuple[str, str]) -> str | None:
    """The side a query word belongs to by its script: Cyrillic → the Russian side,
    Latin → the other; None when neither side is Russian."""
    if "ru" not in langs:
        return None
    if CYRILLIC_RE.search(word):
        return "ru"
    return next(lang for lang in langs if lang != "ru") if langs[0] != langs[1] else None
