"""Check that a document is in the language its folder is for.

Two steps: the script (Russian against Latin-script languages, by letter counts), then
the language itself with lingua (German given as English, Ukrainian as Russian, Chinese
anywhere). lingua reads evenly spaced windows of the text, not the whole of it: a
document that reads as another language in most windows is refused, one where a
notable share of windows does is mixed (a warning); a language lingua is not asked to
tell apart, or a text too short or too repetitive to judge, is not checked.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from align.errors import InputError

log = logging.getLogger("align.ingest")

LATIN_LANGS = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "cs": "Czech", "sv": "Swedish",
    "da": "Danish", "no": "Norwegian", "fi": "Finnish", "ro": "Romanian", "hu": "Hungarian",
}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
MIN_LETTERS = 20

# The languages lingua tells apart (ISO 639-1): the project's, the neighbours each is
# mistaken for (same script, related), and the other scripts a wrong file is most likely in.
DOCUMENT_LANGUAGES = (
    "en", "ru", "uk", "be", "bg", "sr", "mk", "kk", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "sl",
    "hr", "sv", "da", "nb", "is", "fi", "et", "lv", "lt", "hu", "ro", "tr", "el", "zh", "ja", "ko", "ar", "he",
)
SAMPLES = 24  # windows read per document: 10-30 ms whatever its size
WINDOW_CHARS = 400  # a window: ~60 words, where lingua's top language is all but always right
# Windows with fewer letters in lower-case words are not read (tables, page furniture, a
# short sentence): names belong to no language ("Grzegorz Krychowiak" reads as Polish), and
# on 6,328 windows of real sentences lingua erred on 8 with 40 letters, on none of 4,561 with 80
# (scripts/bench_language.py).
WINDOW_MIN_LETTERS = 80
# A window whose top language has a lower confidence is no evidence: one word repeated
# ("слово слово …" reads as Ukrainian at 0.27); of 4,561 real windows, none misread, 99.9%
# scored 0.993 or more, the lowest 0.82 (scripts/bench_language.py).
WINDOW_CONFIDENCE = 0.9
REFUSE_SHARE = 0.7  # another language in this share of the windows or more: the document is refused
MIXED_SHARE = 0.2  # other languages in this share of the windows or more (and 2 windows): a warning
_LETTERS = re.compile(r"[^\W\d_]+")


def check_language(text: str, expected_lang: str, path: Path | str | None) -> None:
    """Raise InputError when the text is in another language than ``expected_lang``;
    log a warning when it is mixed. Both checks read the same `sample` of the text."""
    parts = sample(text)
    check_script(" ".join(parts), expected_lang, path)
    check_lingua(parts, expected_lang, path)


def sample(text: str) -> list[str]:
    """``SAMPLES`` evenly spaced windows of ``WINDOW_CHARS`` (the whole text, cut in
    windows, when it is no longer than those): the checks cost the same whatever the size."""
    if len(text) <= SAMPLES * WINDOW_CHARS:
        starts = range(0, len(text), WINDOW_CHARS)
    else:
        step = (len(text) - WINDOW_CHARS) / (SAMPLES - 1)
        starts = [round(i * step) for i in range(SAMPLES)]
    return [text[start:start + WINDOW_CHARS] for start in starts]


def check_script(text: str, expected_lang: str, path: Path | str | None) -> None:
    """Raise InputError when the dominant script contradicts ``expected_lang``.

    Only Russian (Cyrillic) against Latin-script languages is checked: a Russian
    folder fails when over 70% of letters are Latin, a Latin-script folder when over
    50% are Cyrillic. Texts with fewer than 20 letters and other languages pass.
    """
    lang = expected_lang.lower()
    if lang != "ru" and lang not in LATIN_LANGS:
        return
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    letters = cyrillic + latin
    if letters < MIN_LETTERS:
        return
    if lang == "ru" and latin > 0.7 * letters:
        share = round(100 * latin / letters)
        raise InputError(path, f"looks like Latin-script text ({share}% Latin letters), "
                               "but the folder is for Russian")
    if lang != "ru" and cyrillic > 0.5 * letters:
        share = round(100 * cyrillic / letters)
        raise InputError(path, f"looks like Russian text ({share}% Cyrillic letters), "
                               f"but the folder is for {LATIN_LANGS[lang]}")


def check_lingua(parts: list[str], expected_lang: str, path: Path | str | None) -> None:
    """Refuse a text whose windows (``parts`` with ``WINDOW_MIN_LETTERS`` letters or more in
    lower-case words) read confidently as one other language in ``REFUSE_SHARE`` of them or
    more; warn when other languages hold ``MIXED_SHARE`` of them."""
    expected = expected_lang.lower()
    if expected not in DOCUMENT_LANGUAGES:
        return
    words = ([w for w in _LETTERS.findall(part) if not w[0].isupper()] for part in parts)
    judged = [language_of_window(" ".join(w)) for w in words if sum(map(len, w)) >= WINDOW_MIN_LETTERS]
    counts = Counter(lang for lang, confidence in judged if confidence >= WINDOW_CONFIDENCE and lang != expected)
    if not counts:
        return
    name = _name(expected)
    (other, other_count), = counts.most_common(1)
    if other_count >= REFUSE_SHARE * len(judged):
        raise InputError(path, f"reads as {_name(other)} ({other_count} of {len(judged)} samples), but the folder "
                               f"is for {name} (give the right --src-lang/--tgt-lang, or --set check_language=false)")
    others = sum(counts.values())
    if others >= 2 and others >= MIXED_SHARE * len(judged):
        shown = ", ".join(f"{_name(lang)} {n}" for lang, n in counts.most_common())
        log.warning("%s: mixed languages: %d of %d samples do not read as %s (%s); aligned as %s",
                    path, others, len(judged), name, shown, name)


def language_of_window(window: str) -> tuple[str, float]:
    """lingua's most likely language of ``window`` among ``DOCUMENT_LANGUAGES``, and its confidence."""
    best = _detector().compute_language_confidence_values(window)[0]
    return best.language.iso_code_639_1.name.lower(), best.value


@lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in DOCUMENT_LANGUAGES]
    # Trigram models only (0.2 s to load): a window of ~60 words needs no more.
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def _name(code: str) -> str:
    from lingua import IsoCode639_1, Language

    return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())).name.title()
