"""One lexicon for figures, names and romanisation: each stage's extraction is unchanged by it."""

import re

import pytest
from conftest import EN_SENTENCES, RU_SENTENCES

from align import locate, translit
from align.aligner import _anchor_tokens
from align.text import RU_LATIN, figures, name_keys, romanise

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
    assert _collapse(romanise(letter)) == _collapse("".join(locate._CYRILLIC.get(c, c) for c in letter.lower()))


def test_the_two_tables_differ_only_where_the_collapse_merges_them():
    differ = {ch for ch in CYRILLIC if RU_LATIN[ch] != locate._CYRILLIC[ch]}
    assert differ == {"й", "ю", "я"}


@pytest.mark.parametrize("text", TEXTS)
def test_name_keys_and_figures_equal_locates(text):
    assert name_keys(text) == locate.names(text)
    assert figures(text) == locate.numbers(text)


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
    assert _anchor_tokens(text) == _old_anchor_tokens(text)
