"""Text features every stage reads the same way: letters and figures, capitalised words,
Cyrillic, and the one Russian→Latin romanisation.

This module is the lexicon; each stage keeps its own policy on top of it (the aligner
anchors on figures of 2+ digits and capitalised words of 4+ letters as written; locate
compares figures and 4-letter Latin keys of names; the flags find names after the start
of a sentence and match them by transliteration in ``align.translit``).
"""

from __future__ import annotations

import re

# GOST/BGN-like romanisation; ``name_keys`` collapses y and j into i on top of it.
RU_LATIN: dict[str, str] = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))

LETTERS_RE = re.compile(r"[^\W\d_]+")  # a run of letters (any script)
LETTER_RE = re.compile(r"[^\W\d_]")
# A word of letters, hyphenated or with an apostrophe: «Санкт-Петербург», "O'Neill".
WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
DIGITS_RE = re.compile(r"\d+")  # a run of digits
FIGURE_RE = re.compile(r"\d+(?:[.,]\d+)?")  # digits with one decimal mark or thousands separator
CYRILLIC_RE = re.compile(r"[А-Яа-яЁё]")
CYRILLIC_WORD_RE = re.compile(r"\b[А-Яа-яЁё][А-Яа-яЁё-]+\b")

NAME_KEY_LETTERS = 4  # locate compares names by their first four Latin letters


def is_capitalised(word: str) -> bool:
    """The capitalised-word rule every stage uses for names: an upper-case first letter."""
    return word[:1].isupper()


def romanise(word: str) -> str:
    """Russian letters to Latin, lower-cased (other characters kept)."""
    return "".join(RU_LATIN.get(ch, ch) for ch in word.lower())


def figures(text: str) -> frozenset[str]:
    """Figures of a sentence, thousands separators and decimal marks ignored (locate's evidence)."""
    return frozenset(n.replace(",", "").replace(".", "") for n in FIGURE_RE.findall(text.replace("\u00a0", "")))


def name_keys(text: str) -> frozenset[str]:
    """Capitalised words of 4+ letters (not the first word) as 4-letter Latin keys, y and j
    read as i, so renderings such as Троцкий / Trotskij / Trotsky share a key (locate's evidence)."""
    keys = set()
    for word in LETTERS_RE.findall(text)[1:]:
        if len(word) >= NAME_KEY_LETTERS and is_capitalised(word):
            keys.add(romanise(word).replace("y", "i").replace("j", "i")[:NAME_KEY_LETTERS])
    return frozenset(keys)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
