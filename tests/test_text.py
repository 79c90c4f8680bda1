"""One lexicon for figures, names and romanisation: each stage's extraction is unchanged by it."""

import re

import pytest
from conftest import EN_SENTENCES, RU_SENTENCES

from align import translit
from align.aligner import anchor_tokens
from align.text import RU_LATIN, figures, name_keys, romanise

# locate.py's extraction as of a78ccff, verbatim (the reference ``figures`` / ``name_keys`` must equal).
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]+")
_LOCATE_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                            ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
                             "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia"]))


def _locate_numbers(text: str) -> frozenset[str]:
    return frozenset(n.replace(",", "").replace(".", "") for n in _NUMBER.findall(text.replace("\u00a0", "")))


def _locate_names(text: str) -> frozenset[str]:
    words = _WORD.findall(text)[1:]
    keys = set()
    for word in words:
        if len(word) >= 4 and word[0].isupper():
            latin = "".join(_LOCATE_CYRILLIC.get(c, c) for c in word.lower())
            keys.add(latin.replace("y", "i").replace("j", "i")[:4])
    return frozenset(keys)


CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
# Synthetic sentences: every Cyrillic letter at the head, middle and end of a capitalised word,
# Latin names with y and j, figures with separators, sentence-initial names, short words.
SYNTHETIC = [
    *(f"Слово {ch.upper()}{ch}бв и Аб{ch}{ch}д, Абвг{ch}." for ch in CYRILLIC),
    "Троцкий, Зиновьев и Каменев прибыли в Алма-Ату 16 января 1928 г.",
    "Юрий Яковлев и Йозеф встретились с Jürgen Jolly и Yvonne в Нью-Йорке.",
    "ЦК ВКП(б), ОГПУ и СССР: 1,5 млн, 2 000 300, 3.14, 1\u00a0000 и 12,345.67 рублей.",
    "Jones met Yury Tynyanov; O'Neill and McCarthy too. Ещё Щукин, Чайковский, Хрущёв.",
    "Évian, Ålesund and Þingvellir; İstanbul, Ærø; Σωκράτης.",
    "", "1", "Abc", "A B C D", "x² and 2³, ½ and ٣٤ (Arabic-Indic digits)",
]
TEXTS = [*RU_SENTENCES, *EN_SENTENCES, *SYNTHETIC]


def _collapse(latin: str) -> str:
    return latin.replace("y", "i").replace("j", "i")


@pytest.mark.parametrize("letter", [*CYRILLIC, *CYRILLIC.upper()])
def test_one_romanisation_gives_locates_keys_for_every_letter(letter):
    """locate's table writes й, ю, я as i, iu, ia; ours as y, yu, ya: equal once y and j read as i."""
    assert _collapse(romanise(letter)) == _collapse("".join(_LOCATE_CYRILLIC.get(c, c) for c in letter.lower()))


def test_the_two_tables_differ_only_where_the_collapse_merges_them():
    differ = {ch for ch in CYRILLIC if RU_LATIN[ch] != _LOCATE_CYRILLIC[ch]}
    assert differ == {"й", "ю", "я"}


@pytest.mark.parametrize("text", TEXTS)
def test_name_keys_and_figures_equal_locates(text):
    assert name_keys(text) == _locate_names(text)
    assert figures(text) == _locate_numbers(text)


def test_name_keys_read_y_and_j_as_i():
    assert name_keys("Вчера Юрий Яковлев и Yury Jakovlev") == {"iuri", "iako"}
    assert figures("1,000 и 2 000 300 и 1\u00a0000") == {"1000", "2", "000", "300"}


def test_translit_romanises_with_the_shared_table():
    assert translit.romanise is romanise
    assert romanise("Щукин-Йошкар") == "shchukin-yoshkar"


def _old_anchor_tokens(text: str) -> set[str]:
    """The aligner's anchor tokens as written before the shared lexicon (reference)."""
    return {t for t in re.findall(r"\d+|[^\W\d_]+", text) if len(t) >= (2 if t.isdigit() else 4)
            and (t.isdigit() or t[0].isupper())}


@pytest.mark.parametrize("text", TEXTS)
def test_anchor_tokens_are_unchanged(text):
    assert anchor_tokens(text) == _old_anchor_tokens(text)
