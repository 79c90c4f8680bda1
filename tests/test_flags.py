"""Mismatch detectors, one by one, and flag_links end to end."""

from dataclasses import replace

import numpy as np
import pytest

from align.flags import FlagConfig, flag_links, flag_pair, number_flags, numbers_in
from align.flags.coverage import Unmatched, expanded_abbreviation, partial_flags
from align.flags.language import untranslated_flags
from align.flags.meaning import direction_flags, negation_flags, similarity_flags
from align.flags.names import name_flags
from align.model import Link
from align.translit import names_match

NO_TOKENS = FlagConfig(token_alignment=False)
FULL = FlagConfig()


# ---------------------------------------------------------------- numbers and dates

def test_same_figures_in_both_languages_raise_nothing():
    ru = "20 января 1929 г. Троцкий получил 1 500 долларов."
    en = "On January 20, 1929, Trotsky received 1,500 dollars."
    assert number_flags(ru, en, "ru", "en") == []


def test_changed_year_and_day_is_a_major_date_flag_with_evidence():
    flags = number_flags("18 января 1929 г. Особое совещание", "On January 19, 1928, a special meeting", "ru", "en")
    assert len(flags) == 1
    assert flags[0].kind == "date" and flags[0].severity == "major"
    assert flags[0].evidence == "18, 1929 ↔ 19, 1928"


def test_changed_month_is_a_date_flag():
    flags = number_flags("20 января", "On February 20", "ru", "en")
    assert flags and flags[0].kind == "date"
    assert "January" in flags[0].evidence and "February" in flags[0].evidence


def test_changed_figure_is_a_number_flag():
    flags = number_flags("выдали 1 500 долларов", "were given 2,500 dollars", "ru", "en")
    assert flags[0].kind == "number" and flags[0].evidence == "1500 ↔ 2500"


def test_values_written_more_often_on_one_side_are_listed_apart_from_changed_ones():
    ru = "Я был извещен 20 января 1929 г."
    en = "The decision of January 18, 1929 was announced to me on January 20, 1929."
    added = number_flags(ru, en, "ru", "en")
    assert [(f.kind, f.severity) for f in added] == [("date", "major")]
    assert added[0].evidence == "– ↔ 18; repeated on one side: – ↔ 1929, January"
    # A figure said twice and rendered once may be a lost mention: still major.
    lost = number_flags("5 человек погибли, 5 ранены.", "5 people were killed and injured.", "ru", "en")
    assert [(f.kind, f.severity, f.evidence) for f in lost] == [("number", "major", "repeated on one side: 5 ↔ –")]


@pytest.mark.parametrize("ru, en", [
    ("Прошло три года.", "Three years passed."),
    ("Прошло три года.", "3 years passed."),
    ("письмо шло 73 дня", "the letter took 73 days"),
    ("в 1920-х гг.", "in the 1920s"),
    ("на XV съезде", "at the 15th Congress"),
    ("около 4 тыс. военнослужащих", "some 4,000 servicemen"),
    ("около четырех тысяч военнослужащих", "about 4000 servicemen"),
    ("2,5 млн рублей", "2.5 million roubles"),
    ("46 кораблей", "Forty-six ships"),
    ("цены выросли на 15%", "prices rose by 15 percent"),
    ("в сезоне 2019/20", "in the 2019-2020 season"),
    ("в 17:47", "at 5:47 PM"),
    ("в мае 1929 г.", "in May 1929"),
    ("никто не поверит", "no one would believe"),
    ("случай COVID-19", "a case of coronavirus"),
    ("заслуги пред октябрьской революцией", "merits to the October Revolution"),
    ("это более двух с половиной миллионов тенге", "which is over 2 1/2 million tenge"),
    ("это более двух с половиной миллионов тенге", "equalling over 2.5 million tenge"),
    ("восстановление займет более полутора лет", "recovery will take more than a year and a half"),
    ("почти полмиллиона долларов", "almost half a million dollars"),
    ("еще $1 трлн на поддержку экономики", "another $1 tln to support the economy"),
    ("во II квартале 2020 года", "in the second quarter of 2020"),
    ("до третьего этапа снятия ограничений", "until the third stage of lifting restrictions"),
    ("пострадал четырехлетний ребенок", "a four-year-old child was injured"),
    ("трижды завоевал Кубок страны", "won the national Cup three times"),
    ("в 90-е годы", "in the 1990s"),
    ("за последние сутки умерли еще 13 пациентов", "in the past 24 hours, another 13 patients died"),
    ("обновление May 2020 Update, пишет 25 июля BetaNews", "the May 2020 Update, BetaNews reports July 25"),
    ("В ходе акций убит 1 человек", "One person killed during the protests"),
    ("транслировал телеканал «Россия 1»", "was broadcast on the TV channel Russia-1"),
    ("комплексы «Панцирь-С1» были уничтожены", "the Pantsir systems were destroyed"),
])
def test_equivalent_figures_raise_nothing(ru, en):
    assert number_flags(ru, en, "ru", "en") == []


def test_changed_decade_and_changed_half_are_flagged():
    assert number_flags("в 1920-х гг.", "in the 1820s", "ru", "en")[0].evidence == "1920s ↔ 1820s"
    flags = number_flags("более двух с половиной миллионов", "over 3.5 million", "ru", "en")
    assert [(f.kind, f.severity, f.evidence) for f in flags] == [("number", "major", "2500000 ↔ 3500000")]


def test_changed_day_is_a_date_flag_and_other_figures_a_separate_number_flag():
    flags = number_flags("25 июля «Зенит» обыграл «Химки» 2:0.", "On July 26, Zenit beat Khimki 3:0.", "ru", "en")
    assert [(f.kind, f.evidence) for f in flags] == [("date", "25 ↔ 26"), ("number", "2 ↔ 3")]
    assert all(f.severity == "major" for f in flags)


def test_a_dropped_russian_figure_one_is_major_an_added_english_one_minor():
    dropped = number_flags("«Зенит» обыграл «Химки» (1:0)", "Zenit beat Khimki (–0)", "ru", "en")
    assert [(f.kind, f.severity, f.evidence) for f in dropped] == [("number", "major", "1 ↔ –")]
    added = number_flags("через месяц", "after 1 month", "ru", "en")
    assert [(f.kind, f.severity) for f in added] == [("number", "minor")]


def test_24_hours_is_only_matched_by_sutki():
    assert number_flags("за последние сутки", "over the past twenty-four hours", "ru", "en") == []
    assert number_flags("за последний час", "over the past 24 hours", "ru", "en")[0].evidence == "– ↔ 24"


def test_genitive_months_and_roman_numerals_are_recognised():
    found = numbers_in("12 февраля и 3 марта, XX век", "ru")
    assert found["month:2"] == 1 and found["month:3"] == 1 and found["20"] == 1
    assert "1" not in numbers_in("I think so", "en")  # the pronoun is no Roman numeral


def test_modal_may_is_no_month_and_lone_number_word_is_minor():
    assert numbers_in("It may be so", "en") == {}
    flags = number_flags("до месяца", "up to three months", "ru", "en")
    assert [(f.kind, f.severity) for f in flags] == [("number", "minor")]


# ---------------------------------------------------------------- names

@pytest.mark.parametrize("ru, en", [("Троцкий", "Trotsky"), ("Троцкому", "Trotsky"), ("Зиновьева", "Zinoviev"),
                                    ("Принкипо", "Prinkipo"), ("Москвы", "Moscow"), ("Хабаровского", "Khabarovsk"),
                                    ("Техас", "Texas"), ("Китая", "China"), ("Санкт-Петербурге", "Petersburg"),
                                    ("Фаддея", "Thaddeus"), ("Фёдора", "Theodore"),
                                    ("Принпико", "Prinkipo")])  # the corpus misprint: two letters swapped
def test_transliterated_names_match(ru, en):
    assert names_match(ru, en)


@pytest.mark.parametrize("ru, en", [("Троцкий", "Stalin"), ("Зиновьев", "Kamenev"), ("Рыков", "Radek"),
                                    ("Россия", "USSR"), ("Госсуд", "statement"), ("Фаддея", "Fabian"),
                                    ("Карпов", "Kaprov"[::-1]), ("Ленина", "Nelina")])
def test_different_names_do_not_match(ru, en):
    assert not names_match(ru, en)


def test_soviet_russia_rendered_as_ussr_is_a_name_flag():
    flags = name_flags("Советская Россия выслала Троцкого на Принкипо.", "The USSR deported Trotsky to Prinkipo.")
    assert len(flags) == 1 and flags[0].kind == "name"
    assert flags[0].evidence == "Россия ↔ USSR"


def test_replaced_and_removed_names_are_major_and_correct_renderings_pass():
    assert name_flags("Зиновьев и Каменев выступили против.", "Zinoviev and Kamenev objected.") == []
    replaced = name_flags("Вчера Зиновьев и Каменев выступили против.", "Yesterday Zinoviev and Bukharin objected.")
    assert replaced[0].severity == "major" and replaced[0].evidence == "Каменев ↔ Bukharin"
    removed = name_flags("Письмо Бутова передали Троцкому.", "The letter was passed to Trotsky.")
    assert removed[0].severity == "major" and "Бутова" in removed[0].evidence


def test_compound_abbreviation_needs_both_parts_rendered():
    ru = "Теперь свое слово должен будет сказать Госсуд."
    assert name_flags(ru, "Now the State Court will have its say.") == []
    assert name_flags(ru, "Now the Federal Court will have its say.")[0].evidence == "Госсуд ↔ Federal"
    assert name_flags(ru, "The Court now has to make its statement.")[0].evidence == "Госсуд ↔ –"
    flags = name_flags("По словам замглавы центра Росгидромета Анатолия Цыганкова, будет жарко.",
                       "According to Anatoly Tsygankov of the Russian Federal Service for Hydrometeorology, it will be hot.")
    assert all(f.severity == "minor" and "Росгидромета" not in f.evidence for f in flags)


def test_capitalised_institution_words_are_only_minor():
    flags = name_flags("Теперь свое мнение должен высказать Государственный суд.", "Now the Federal Court will speak.")
    assert all(f.severity == "minor" for f in flags)


# ---------------------------------------------------------------- untranslated, meaning

def test_untranslated_target_is_critical_and_kept_words_minor():
    ru = "Троцкий отказался прекратить политическую деятельность."
    assert untranslated_flags(ru, ru)[0].severity == "critical"
    assert untranslated_flags(ru, "Троцкий отказался прекратить деятельность.")[0].severity == "critical"
    kept = untranslated_flags(ru, "Trotsky refused to stop his political activity («политическую деятельность»).")
    assert kept[0].severity == "minor" and "политическую" in kept[0].evidence
    assert untranslated_flags(ru, "Trotsky refused to stop his political activity.") == []


def test_negation_on_one_side_only_is_flagged():
    assert negation_flags("Он не прекратит борьбу.", "He will stop the struggle.")[0].kind == "mistranslation"
    assert negation_flags("Он не прекратит борьбу.", "He will not stop the struggle.") == []
    assert negation_flags("Он не прекратит борьбу.", "He will never stop the struggle.") == []


def test_idioms_on_a_negative_word_are_no_negation():
    # From the corpus: «Троцкий продолжал вести борьбу с правящим режимом в СССР.»
    ru = "Троцкий продолжал вести борьбу с правящим режимом в СССР."
    assert negation_flags(ru, "Trotsky conducted his agitation not only for the USSR, but also for Western communists.") == []
    assert negation_flags("Он писал об этом не раз.", "He wrote about it more than once.") == []
    flags = negation_flags("Он писал об этом не только в письмах.", "He did not write about it.")
    assert flags[0].kind == "mistranslation"


def test_opposite_direction_of_change_is_major():
    flags = direction_flags("Цены выросли на 5%.", "Prices fell by 5%.")
    assert flags[0].severity == "major" and "выросли" in flags[0].evidence
    assert direction_flags("Цены выросли на 5%.", "Prices rose by 5%.") == []


def test_similarity_far_below_the_document_is_flagged():
    config = FlagConfig()
    assert similarity_flags(0.75, 0.76, 0.05, config) == []
    assert similarity_flags(0.66, 0.76, 0.05, config)[0].severity == "minor"
    assert similarity_flags(0.55, 0.76, 0.05, config)[0].severity == "major"
    assert similarity_flags(0.1, 0.76, 0.05, config)[0].severity == "critical"


def test_low_similarity_is_major_only_when_word_coverage_agrees():
    config = FlagConfig()
    # "Drury was selected 42nd overall by Carolina": names and figures, every word has its counterpart.
    assert similarity_flags(0.55, 0.76, 0.05, config, coverage=0.70)[0].severity == "minor"
    assert similarity_flags(0.55, 0.76, 0.05, config, coverage=0.50)[0].severity == "major"
    assert "word coverage 0.70" in similarity_flags(0.55, 0.76, 0.05, config, coverage=0.70)[0].evidence
    assert similarity_flags(0.30, 0.76, 0.05, config, coverage=0.70)[0].severity == "major"  # absolute floor


def test_unmatched_words_in_a_row_are_major_scattered_ones_minor():
    phrase = Unmatched(("censors", "Ankara", "opened"), 0.6, ("censors", "Ankara", "opened"), 0.7)
    scattered = Unmatched(("himself", "given", "lap", "torn", "him"), 0.6, ("lap",), 0.7)
    assert [(f.kind, f.severity) for f in partial_flags(phrase, "addition", FULL)] == [("addition", "major")]
    assert [(f.kind, f.severity) for f in partial_flags(scattered, "addition", FULL)] == [("addition", "minor")]
    assert partial_flags(Unmatched(("lap",), 0.2, ("lap",), 0.8), "addition", FULL) == []


def test_spelled_out_abbreviation_is_a_minor_addition():
    added = Unmatched(("Korean", "Central", "News", "Agency"), 0.7, ("Korean", "Central", "News", "Agency"), 0.6)
    ru = "По данным УТАК, у человека подозревают коронавирус."
    assert expanded_abbreviation(added, ru) == "УТАК"
    assert expanded_abbreviation(added, "По данным агентства, у человека подозревают коронавирус.") is None
    assert expanded_abbreviation(added, "Об этом сообщил Росгидромет.") == "Росгидромет"
    flags = partial_flags(added, "addition", FULL, expands="УТАК")
    assert flags[0].severity == "minor" and "spelling out УТАК" in flags[0].evidence
    lower = Unmatched(("censors", "opened", "envelopes"), 0.6, ("censors", "opened", "envelopes"), 0.7)
    assert expanded_abbreviation(lower, ru) is None


# ---------------------------------------------------------------- flag_links

def test_flag_links_marks_omission_addition_and_mistranslation():
    src = ["Первое предложение о высылке.", "Второе предложение, которое пропало в переводе целиком.", "Третье."]
    tgt = ["The first sentence on the expulsion.", "An added remark.", "Third."]
    links = [Link((0,), (0,), 0.85), Link((1,), (), 0.0), Link((), (1,), 0.0), Link((2,), (2,), 0.2)]
    flagged = flag_links(links, src, tgt, "ru", "en", NO_TOKENS)
    kinds = [[f.kind for f in link.flags] for link in flagged]
    assert kinds[0] == []
    assert kinds[1] == ["omission"] and flagged[1].flags[0].severity == "major"
    assert "пропало" in flagged[1].flags[0].evidence
    assert kinds[2] == ["addition"]
    assert kinds[3] == ["mistranslation"]


def test_every_flag_has_a_kind_severity_score_and_evidence():
    src = ["В декабре 1928 г. к Троцкому явился представитель ОГПУ."]
    tgt = ["In December 1929, a representative of the OGPU came to Stalin."]
    flags = flag_links([Link((0,), (0,), 0.7)], src, tgt, "ru", "en", NO_TOKENS)[0].flags
    assert {f.kind for f in flags} == {"date", "name"}
    for f in flags:
        assert f.severity in {"minor", "major", "critical"} and 0.0 <= f.score <= 1.0 and "↔" in f.evidence


# ---------------------------------------------------------------- partial omission / addition (e5 token embeddings)

RU = "Так, письмо от заболевшей дочери из Москвы шло к Троцкому 73 дня, и его ответ уже не застал ее в живых."
EN = ("Thus a letter from his sick daughter in Moscow took 73 days to reach Trotsky, "
      "and his answer no longer found her alive.")
EN_CUT = "Thus a letter from his sick daughter in Moscow took 73 days to reach Trotsky."


def _partial(src: str, tgt: str, config: FlagConfig = FULL):
    flagged = flag_links([Link((0,), (0,), 0.8)], [src], [tgt], "ru", "en", config)[0]
    return [f for f in flagged.flags if f.kind in ("omission", "addition")]


def test_faithful_translation_has_no_partial_omission():
    assert _partial(RU, EN) == []


def test_left_out_clause_is_named_word_by_word():
    flags = _partial(RU, EN_CUT)
    assert [f.kind for f in flags] == ["omission"]
    named = flags[0].evidence.split(": ", 1)[1].split(", ")
    assert {"ответ", "живых"} & set(named) and not {"письмо", "дочери", "Москвы"} & set(named)


def test_added_phrase_is_named_and_switch_turns_word_alignment_off():
    added = EN_CUT[:-1] + ", although the censors in Ankara opened every envelope twice."
    flags = _partial(RU.split(", и")[0] + ".", added)
    assert [f.kind for f in flags] == ["addition"] and "censors" in flags[0].evidence
    assert _partial(RU, EN_CUT, replace(FlagConfig(), token_alignment=False)) == []


def test_flag_pair_scores_are_bounded():
    flags = flag_pair(RU, "Совершенно другой текст.", "ru", "en", 0.1, 0.8, 0.05, NO_TOKENS)
    assert flags[0].kind == "untranslated" and flags[0].severity == "critical"
    assert all(0.0 <= f.score <= 1.0 for f in flags) and not np.isnan(flags[0].score)
