"""The word-level and CAT-tool detectors: each case fails without its detector or rule."""

from __future__ import annotations

import pytest

from align.flags import FlagConfig, flag_links, pair_context
from align.flags.brackets import bracket_flags
from align.flags.consistency import consistency_flags
from align.flags.document import document_stats
from align.flags.identical import identical_flags
from align.flags.language import untranslated_flags, wrong_language_flags
from align.flags.length import length_flags
from align.flags.meaning import direction_flags, negation_flags, person_flags
from align.flags.morph import CONTENT, FUNCTION, MODIFIER, is_ru_name, word_class
from align.flags.names import name_flags, ru_names
from align.flags.numbers import number_flags, numbers_in
from align.flags.repeats import repeat_flags
from align.flags.urls import url_flags
from align.model import Link
from align.translit import names_match

CONFIG = FlagConfig(token_alignment=False)


def _context(src: str, tgt: str, pairs: list[tuple[str, str]]):
    return pair_context(src=src, tgt=tgt, src_lang="ru", tgt_lang="en", score=0.8, mean=0.8, std=0.05,
                        config=CONFIG, src_words=None, tgt_words=None, vocabulary=None,
                        document=document_stats(pairs, CONFIG.min_links))


# ---------------------------------------------------------------- parts of speech and names

def test_pymorphy_classes_russian_words_and_rules_class_english_ones():
    assert word_class("кошка", "ru") == CONTENT and word_class("пошёл", "ru") == CONTENT
    assert word_class("красивый", "ru") == MODIFIER and word_class("быстро", "ru") == MODIFIER
    assert word_class("же", "ru") == FUNCTION
    assert word_class("quickly", "en") == MODIFIER and word_class("the", "en") == FUNCTION
    assert word_class("house", "en") == CONTENT


def test_capitalised_common_words_are_not_names_but_dictionary_surnames_are():
    assert ru_names("Он нарушил статью Уголовного Кодекса, сказал Раковский.") == ["Раковский"]
    assert is_ru_name("Гнусмасе")  # unknown to the dictionary: a rare name
    assert name_flags("Он нарушил статью Уголовного Кодекса.", "He broke an article of the Criminal Code.",
                      None, CONFIG, en_unmatched=frozenset()) == []


def test_a_swapped_surname_is_not_a_transliteration():
    assert not names_match("Раковский", "Mrachkovsky")
    assert names_match("Раковского", "Rakovsky") and names_match("Уэльса", "Wales") and names_match("Джонсу", "Jones")
    flags = name_flags("Об этом сказал Раковский.", "This was said by Kamenev.", None, CONFIG)
    assert [(f.kind, f.severity) for f in flags] == [("name", "major")]
    assert flags[0].src_spans == ((15, 24),) and flags[0].tgt_spans == ((17, 24),)


# ---------------------------------------------------------------- numbers

def test_russian_hundreds_and_ordinal_years_in_words():
    assert numbers_in("пятьсот человек", "ru")["word:500"] == 1
    assert numbers_in("сто двадцать три рубля", "ru")["word:123"] == 1
    assert numbers_in("two hundred and five", "en")["word:205"] == 1
    assert number_flags("Пришли пятьсот человек.", "500 people came.", "ru", "en", CONFIG) == []
    assert number_flags("в тысяча девятьсот двадцать девятом году", "in 1929", "ru", "en", CONFIG) == []
    assert number_flags("в тысяча девятьсот двадцать девятом году", "in 1928", "ru", "en", CONFIG)


# ---------------------------------------------------------------- meaning changes

def test_a_dropped_bare_negation_is_major():
    flags = negation_flags("Он не согласился.", "He agreed.", CONFIG)
    assert [(f.severity, f.src_spans) for f in flags] == [("major", ((3, 5),))]


def test_number_sign_and_curly_apostrophe_are_read_right():
    assert negation_flags("Школа №30 ликовала.", "School No. 30 was jubilant.", CONFIG) == []
    assert negation_flags("Трудности были не с сетью.", "The difficulties weren’t with the network.", CONFIG) == []


def test_opposites_beyond_direction():
    flags = direction_flags("Власти разрешили митинг.", "The authorities banned the rally.", CONFIG)
    assert flags and flags[0].severity == "major" and "allowed / forbidden" in flags[0].evidence
    assert direction_flags("Команда проиграла.", "The team won.", CONFIG)
    assert direction_flags("Власти разрешили митинг.", "The authorities allowed the rally.", CONFIG) == []


def test_person_change_is_minor_alone_and_major_with_a_similarity_drop():
    ru, en = "Мы решили уйти.", "They decided to leave."
    assert [f.severity for f in person_flags(ru, en, CONFIG, z=0.0)] == ["minor"]
    assert [f.severity for f in person_flags(ru, en, CONFIG, z=-2.0)] == ["major"]
    assert person_flags(ru, "We decided to leave.", CONFIG) == []
    assert person_flags("Напомним, матч перенесли.", "The match was postponed.", CONFIG) == []


# ---------------------------------------------------------------- untranslated and language

def test_a_russian_word_inside_english_is_major_code_mixing():
    flags = untranslated_flags("Он купил дом.", "He bought a дом.", CONFIG)
    assert [(f.severity, f.tgt_spans) for f in flags] == [("major", ((12, 15),))]
    assert untranslated_flags("Он сказал «да».", "He said «да».", CONFIG) == []  # quoted: on purpose


@pytest.mark.slow
def test_a_target_in_a_third_language_is_critical():
    de = "Trotzki weigerte sich, seine politische Tätigkeit einzustellen, und wurde verbannt."
    flags = wrong_language_flags("Троцкий отказался прекратить политическую деятельность.", de, "ru", "en", CONFIG)
    assert [(f.kind, f.severity) for f in flags] == [("language", "critical")]
    uk = "Троцький відмовився припинити свою політичну діяльність і був висланий."
    assert wrong_language_flags("Trotsky refused to stop his political activity.", uk, "en", "ru", CONFIG)
    en = "Trotsky refused to stop his political activity and was exiled."
    assert wrong_language_flags("Троцкий отказался.", en, "ru", "en", CONFIG) == []


# ---------------------------------------------------------------- CAT-tool checks

def test_unpaired_bracket_in_the_target_only():
    flags = bracket_flags("Он (Троцкий) уехал.", "He (Trotsky left.", 0.3)
    assert [(f.kind, f.tgt_spans) for f in flags] == [("format", ((3, 4),))]
    assert bracket_flags("Он (Троцкий уехал.", "He (Trotsky left.", 0.3) == []


def test_repeated_word_in_the_target():
    flags = repeat_flags("Он уехал в Москву.", "He left for the the capital.", 0.3)
    assert [(f.kind, f.tgt_spans) for f in flags] == [("repetition", ((12, 19),))]
    assert repeat_flags("Нет нет, и ещё раз нет.", "No no, and once more no.", 0.3) == []


def test_target_equal_to_source_for_any_language_pair():
    assert identical_flags("Das ist ein Test.", "Das ist ein Test!", 3)[0].severity == "critical"
    assert identical_flags("COVID-19", "COVID-19", 3) == []


def test_url_or_email_on_one_side_only():
    flags = url_flags("Пишите на info@kremlin.ru или www.kremlin.ru.", "Write to info@kremlin.ru.", 0.8)
    assert flags and flags[0].severity == "major" and "www.kremlin.ru" in flags[0].evidence
    assert url_flags("Сайт: https://example.org/a.", "Site: https://example.org/a.", 0.8) == []


def test_length_ratio_outlier_for_the_document():
    pairs = [(f"Предложение номер {i} обычной длины.", f"Sentence number {i} of usual length.") for i in range(20)]
    short = ("Очень длинное русское предложение, в котором много слов и подробностей о событии.", "It happened.")
    assert length_flags(_context(*short, [*pairs, short]))[0].kind == "length"
    assert length_flags(_context(*pairs[0], [*pairs, short])) == []


def test_the_same_source_rendered_two_ways_is_inconsistent():
    pairs = [("Заседание суда отложено на неделю.", "The hearing was postponed for a week."),
             ("Заседание суда отложено на неделю.", "The court session was adjourned for a week.")]
    flags = consistency_flags(_context(*pairs[0], pairs))
    assert [f.kind for f in flags] == ["inconsistency"] and "adjourned" in flags[0].evidence
    assert consistency_flags(_context(*pairs[0], pairs[:1])) == []


def test_flag_links_runs_the_document_checks():
    src = ["Заседание суда отложено на неделю."] * 2
    tgt = ["The hearing was postponed for a week.", "The court session was adjourned for a week."]
    links = [Link((0,), (0,), 0.9), Link((1,), (1,), 0.9)]
    flagged = flag_links(links, src, tgt, "ru", "en", CONFIG, None, None)
    assert all("inconsistency" in {f.kind for f in link.flags} for link in flagged)
