"""Check that a file's script matches the language its folder is for (ru vs Latin-script)."""

from __future__ import annotations

import re
from pathlib import Path

from align.errors import InputError

LATIN_LANGS = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "cs": "Czech", "sv": "Swedish",
    "da": "Danish", "no": "Norwegian", "fi": "Finnish", "ro": "Romanian", "hu": "Hungarian",
}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
MIN_LETTERS = 20


def check_language(text: str, expected_lang: str, path: Path | str | None) -> None:
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
