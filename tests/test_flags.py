"""Mismatch detectors, one by one, and flag_links end to end."""

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from align.cache import CacheFolder
from align.flags import DETECTORS, Detector, FlagConfig, PairContext, flag_links, flag_pair, pair_context
from align.flags.coverage import expanded_abbreviation, partial_flags, whole_flags
from align.flags.language import untranslated_flags
from align.flags.meaning import direction_flags, negation_flags, similarity_flags
from align.flags.names import name_flags
from align.flags.numbers import number_flags, numbers_in
from align.flags.morph import word_class
from align.flags.wordgaps import Unmatched
from align.model import Flag, Link
from align.text import WORD_RE
from align.tokens import Vocabulary, WordModel, Words, load_vocabulary
from align.translit import names_match

NO_TOKENS = FlagConfig(token_alignment=False)
FULL = FlagConfig()


@pytest.fixture
def word_model(components) -> WordModel:
    """The default word model (e5-small, layer 8, disk-cached), loaded once per session."""
    return components.words


def _vocabulary() -> Vocabulary:
    """e5-small's vocabulary in the session's cache folder (conftest points ALIGN_CACHE_DIR at it)."""
    return load_vocabulary(CacheFolder(Path(os.environ["ALIGN_CACHE_DIR"])))


# ---------------------------------------------------------------- numbers and dates

def test_same_figures_in_both_languages_raise_nothing():
    ru = "20 января 1929 г. Троцкий получил 1 500 долларов."
    en = "On January 20, 1929, Trotsky received 1,500 dollars."
    assert number_flags(ru, en, "ru", "en", FULL) == []


def test_changed_year_and_day_is_a_major_date_flag_with_evidence():
    flags = number_flags("18 января 1929 г. Особое совещание", "On January 19, 1928, a special meeting",
                         "ru", "en", FULL)
    assert len(flags) == 1
    assert flags[0].kind == "date" and flags[0].severity == "major"
    assert flags[0].evidence == "18, 1929 ↔ 19, 1928"


def test_changed_month_is_a_date_flag():
    flags = number_flags("20 января", "On February 20", "ru", "en", FULL)
    assert flags and flags[0].kind == "date"
    assert "January" in flags[0].evidence and "February" in flags[0].evidence


def test_changed_figure_is_a_number_flag():
    flags = number_flags("выдали 1 500 долларов", "were given 2,500 dollars", "ru", "en", FULL)
    assert flags[0].kind == "number" and flags[0].evidence == "1500 ↔ 2500"


def test_values_written_more_often_on_one_side_are_listed_apart_from_changed_ones():
    ru = "Я был извещен 20 января 1929 г."
    en = "The decision of January 18, 1929 was announced to me on January 20, 1929."
    added = number_flags(ru, en, "ru", "en", FULL)
    assert [(f.kind, f.severity) for f in added] == [("date", "major")]
    assert added[0].evidence == "– ↔ 18; repeated on one side: – ↔ 1929, January"
    # A figure said twice and rendered once may be a lost mention: still major.
    lost = number_flags("5 человек погибли, 5 ранены.", "5 people were killed and injured.", "ru", "en", FULL)
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
    assert number_flags(ru, en, "ru", "en", FULL) == []


def test_changed_decade_and_changed_half_are_flagged():
    assert number_flags("в 1920-х гг.", "in the 1820s", "ru", "en", FULL)[0].evidence == "1920s ↔ 1820s"
    flags = number_flags("более двух с половиной миллионов", "over 3.5 million", "ru", "en", FULL)
    assert [(f.kind, f.severity, f.evidence) for f in flags] == [("number", "major", "2500000 ↔ 3500000")]


def test_changed_day_is_a_date_flag_and_other_figures_a_separate_number_flag():
    flags = number_flags("25 июля «Зенит» обыграл «Химки» 2:0.", "On July 26, Zenit beat Khimki 3:0.", "ru", "en", FULL)
    assert [(f.kind, f.evidence) for f in flags] == [("date", "25 ↔ 26"), ("number", "2 ↔ 3")]
    assert all(f.severity == "major" for f in flags)


def test_a_dropped_russian_figure_one_is_major_an_added_english_one_minor():
    dropped = number_flags("«Зенит» обыграл «Химки» (1:0)", "Zenit beat Khimki (–0)", "ru", "en", FULL)
    assert [(f.kind, f.severity, f.evidence) for f in dropped] == [("number", "major", "1 ↔ –")]
    added = number_flags("через месяц", "after 1 month", "ru", "en", FULL)
    assert [(f.kind, f.severity) for f in added] == [("number", "minor")]


def test_24_hours_is_only_matched_by_sutki():
    assert number_flags("за последние сутки", "over the past twenty-four hours", "ru", "en", FULL) == []
    assert number_flags("за последний час", "over the past 24 hours", "ru", "en", FULL)[0].evidence == "– ↔ 24"


def test_genitive_months_and_roman_numerals_are_recognised():
    found = numbers_in("12 февраля и 3 марта, XX век", "ru")
    assert found["month:2"] == 1 and found["month:3"] == 1 and found["20"] == 1
    assert "1" not in numbers_in("I think so", "en")  # the pronoun is no Roman numeral


def test_modal_may_is_no_month_and_lone_number_word_is_minor():
    assert numbers_in("It may be so", "en") == {}
    flags = number_flags("до месяца", "up to three months", "ru", "en", FULL)
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


def _names(ru: str, en: str) -> list:
    return name_flags(ru, en, _vocabulary(), FULL)


@pytest.mark.slow
def test_soviet_russia_rendered_as_ussr_is_a_name_flag():
    flags = _names("Советская Россия выслала Троцкого на Принкипо.", "The USSR deported Trotsky to Prinkipo.")
    assert len(flags) == 1 and flags[0].kind == "name"
    assert flags[0].evidence == "Россия ↔ USSR"


@pytest.mark.slow
def test_replaced_and_removed_names_are_major_and_correct_renderings_pass():
    assert _names("Зиновьев и Каменев выступили против.", "Zinoviev and Kamenev objected.") == []
    replaced = _names("Вчера Зиновьев и Каменев выступили против.", "Yesterday Zinoviev and Bukharin objected.")
    assert replaced[0].severity == "major" and replaced[0].evidence == "Каменев ↔ Bukharin"
    removed = _names("Письмо Бутова передали Троцкому.", "The letter was passed to Trotsky.")
    assert removed[0].severity == "major" and "Бутова" in removed[0].evidence


@pytest.mark.slow
def test_compound_abbreviation_needs_both_parts_rendered():
    ru = "Теперь свое слово должен будет сказать Госсуд."
    assert _names(ru, "Now the State Court will have its say.") == []
    assert _names(ru, "Now the Federal Court will have its say.")[0].evidence == "Госсуд ↔ Federal"
    assert _names(ru, "The Court now has to make its statement.")[0].evidence == "Госсуд ↔ –"
    flags = _names("По словам замглавы центра Росгидромета Анатолия Цыганкова, будет жарко.",
                   "According to Anatoly Tsygankov of the Russian Federal Service for Hydrometeorology, "
                   "it will be hot.")
    assert all(f.severity == "minor" and "Росгидромета" not in f.evidence for f in flags)


@pytest.mark.slow
def test_capitalised_institution_words_are_only_minor():
    flags = _names("Теперь свое мнение должен высказать Государственный суд.", "Now the Federal Court will speak.")
    assert all(f.severity == "minor" for f in flags)


# ---------------------------------------------------------------- untranslated, meaning

def test_untranslated_target_is_critical_and_kept_words_minor():
    ru = "Троцкий отказался прекратить политическую деятельность."
    assert untranslated_flags(ru, ru, FULL)[0].severity == "critical"
    assert untranslated_flags(ru, "Троцкий отказался прекратить деятельность.", FULL)[0].severity == "critical"
    kept = untranslated_flags(ru, "Trotsky refused to stop his political activity («политическую деятельность»).", FULL)
    assert kept[0].severity == "minor" and "политическую" in kept[0].evidence
    assert untranslated_flags(ru, "Trotsky refused to stop his political activity.", FULL) == []


def test_negation_on_one_side_only_is_flagged():
    assert negation_flags("Он не прекратит борьбу.", "He will stop the struggle.", FULL)[0].kind == "mistranslation"
    assert negation_flags("Он не прекратит борьбу.", "He will not stop the struggle.", FULL) == []
    assert negation_flags("Он не прекратит борьбу.", "He will never stop the struggle.", FULL) == []


def test_idioms_on_a_negative_word_are_no_negation():
    # From the corpus: «Троцкий продолжал вести борьбу с правящим режимом в СССР.»
    ru = "Троцкий продолжал вести борьбу с правящим режимом в СССР."
    en = "Trotsky conducted his agitation not only for the USSR, but also for Western communists."
    assert negation_flags(ru, en, FULL) == []
    assert negation_flags("Он писал об этом не раз.", "He wrote about it more than once.", FULL) == []
    flags = negation_flags("Он писал об этом не только в письмах.", "He did not write about it.", FULL)
    assert flags[0].kind == "mistranslation"


def test_opposite_direction_of_change_is_major():
    flags = direction_flags("Цены выросли на 5%.", "Prices fell by 5%.", FULL)
    assert flags[0].severity == "major" and "выросли" in flags[0].evidence
    assert direction_flags("Цены выросли на 5%.", "Prices rose by 5%.", FULL) == []


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


def make_unmatched(words: tuple[str, ...], score: float, phrase: tuple[str, ...], coverage: float,
              sim: float = 0.5, lang: str = "en") -> Unmatched:
    """Unmatched words, each with best cosine ``sim`` (0.5: above the lone-word major cut-off)."""
    return Unmatched(words, score, phrase, coverage, tuple((i, i + 1) for i in range(len(words))),
                     (sim,) * len(words), tuple(word_class(w, lang) for w in words))


def test_unmatched_words_in_a_row_are_major_scattered_ones_minor():
    phrase = make_unmatched(("censors", "Ankara", "opened"), 0.6, ("censors", "Ankara", "opened"), 0.7)
    scattered = make_unmatched(("himself", "given", "lap", "torn", "him"), 0.6, ("lap",), 0.7)
    for unmatched, severity in ((phrase, "major"), (scattered, "minor")):
        flags = partial_flags(unmatched, "addition", FULL, "English")
        assert [(f.kind, f.severity) for f in flags] == [("addition", severity)]
    assert partial_flags(make_unmatched(("lap",), 0.2, ("lap",), 0.8), "addition", FULL, "English") == []


def test_spelled_out_abbreviation_is_a_minor_addition():
    added = make_unmatched(("Korean", "Central", "News", "Agency"), 0.7, ("Korean", "Central", "News", "Agency"), 0.6)
    ru = "По данным УТАК, у человека подозревают коронавирус."
    assert expanded_abbreviation(added, ru) == "УТАК"
    assert expanded_abbreviation(added, "По данным агентства, у человека подозревают коронавирус.") is None
    assert expanded_abbreviation(added, "Об этом сообщил Росгидромет.") == "Росгидромет"
    flags = partial_flags(added, "addition", FULL, "English", expands="УТАК")
    assert flags[0].severity == "minor" and "spelling out УТАК" in flags[0].evidence
    lower = make_unmatched(("censors", "opened", "envelopes"), 0.6, ("censors", "opened", "envelopes"), 0.7)
    assert expanded_abbreviation(lower, ru) is None


# ---------------------------------------------------------------- flag_links

def test_flag_links_marks_omission_addition_and_mistranslation():
    src = ["Первое предложение о высылке.", "Второе предложение, которое пропало в переводе целиком.", "Третье."]
    tgt = ["The first sentence on the expulsion.", "An added remark.", "Third."]
    links = [Link((0,), (0,), 0.85), Link((1,), (), 0.0), Link((), (1,), 0.0), Link((2,), (2,), 0.2)]
    flagged = flag_links(links, src, tgt, "ru", "en", NO_TOKENS, None, None)
    kinds = [[f.kind for f in link.flags] for link in flagged]
    assert kinds[0] == []
    assert kinds[1] == ["omission"] and flagged[1].flags[0].severity == "major"
    assert "пропало" in flagged[1].flags[0].evidence
    assert kinds[2] == ["addition"]
    assert kinds[3] == ["mistranslation"]


def test_every_flag_has_a_kind_severity_score_and_evidence():
    src = ["В декабре 1928 г. к Троцкому явился представитель ОГПУ."]
    tgt = ["In December 1929, a representative of the OGPU came to Stalin."]
    flags = flag_links([Link((0,), (0,), 0.7)], src, tgt, "ru", "en", NO_TOKENS, None, None)[0].flags
    assert {f.kind for f in flags} == {"date", "name"}
    for f in flags:
        assert f.severity in {"minor", "major", "critical"} and 0.0 <= f.score <= 1.0 and "↔" in f.evidence


def _pair(src: str, tgt: str, score: float, config: FlagConfig = NO_TOKENS, langs: tuple[str, str] = ("ru", "en"),
          vocabulary=None):
    return pair_context(src=src, tgt=tgt, src_lang=langs[0], tgt_lang=langs[1], score=score, mean=0.8, std=0.05,
                        config=config, src_words=None, tgt_words=None, vocabulary=vocabulary)


def test_critical_untranslated_target_ends_the_checks():
    flags = flag_pair(_pair(RU, "Совершенно другой текст.", 0.1))
    # Alone: the similarity (0.1, critical) and the other detectors are not consulted.
    assert [(f.kind, f.severity) for f in flags] == [("untranslated", "critical")]
    assert all(0.0 <= f.score <= 1.0 for f in flags) and not np.isnan(flags[0].score)


# ---------------------------------------------------------------- the detector registry

def test_registry_runs_detectors_in_the_order_flags_appear():
    assert [d.name for d in DETECTORS] == ["untranslated", "target equals source", "wrong language", "similarity",
                                           "partial omission", "partial addition", "negation", "opposites", "person",
                                           "numbers", "names", "urls and e-mails", "brackets", "repeated words",
                                           "length ratio", "consistency"]
    ru = "В 1929 г. цены не выросли, сказал Бутов."
    en = "In 1928, prices fell, said Petrov."
    flags = flag_pair(_pair(ru, en, 0.55))
    # «не выросли» ↔ "fell": a negated concept is its opposite, so negation only, no reversal.
    assert [f.kind for f in flags] == ["mistranslation", "mistranslation", "date", "name"]
    assert "negation on one side only" in flags[1].evidence


def _called(src_lang: str, tgt_lang: str, src: str = "Gestern sagte Merkel 12 Worte.",
            tgt: str = "Hier, Merkel a dit 12 mots.") -> list[str]:
    """Names of the detectors flag_pair consults for a language pair (each reports only its kinds)."""
    called: list[str] = []

    def spy(detector: Detector) -> Detector:
        def detect(pair: PairContext) -> list[Flag]:
            called.append(detector.name)
            found = detector.detect(pair)
            assert {f.kind for f in found} <= detector.kinds
            return found
        return replace(detector, detect=detect)

    flag_pair(_pair(src, tgt, 0.5, langs=(src_lang, tgt_lang)), detectors=tuple(spy(d) for d in DETECTORS))
    return called


def test_russian_rules_run_on_russian_english_pairs_only():
    everything = [d.name for d in DETECTORS]
    assert _called("ru", "en") == everything
    assert _called("en", "ru") == [n for n in everything if n != "untranslated"]  # a Cyrillic target is the translation
    assert _called("de", "fr") == ["target equals source", "wrong language", "similarity", "partial omission",
                                   "partial addition", "numbers", "urls and e-mails", "brackets", "repeated words",
                                   "length ratio", "consistency"]
    assert _called("ru", "de") == _called("de", "fr")
    # Every detector reports only the kinds it declares (a pair that trips most of them).
    assert _called("ru", "en", "В 1929 г. цены не выросли, сказал Бутов.", "In 1928, prices fell, said Petrov.")


def test_a_german_french_pair_gets_no_name_flag_from_russian_rules():
    de = "Gestern hat Merkel mit Macron gesprochen."
    fr = "Hier, Merkel a parlé avec le président."
    assert [f.kind for f in flag_pair(_pair(de, fr, 0.8, langs=("ru", "en")))] == ["name"]  # what the rule would say
    assert flag_pair(_pair(de, fr, 0.8, langs=("de", "fr"))) == []
    # Figures are compared in any language pair.
    assert [f.kind for f in flag_pair(_pair("Es kamen 12 Leute.", "Il est venu 13 personnes.", 0.8,
                                            langs=("de", "fr")))] == ["number"]


def test_a_new_detector_is_one_value_passed_with_the_registry():
    def exclamations(pair: PairContext) -> list[Flag]:
        if pair.src.count("!") == pair.tgt.count("!"):
            return []
        return [Flag("mistranslation", "minor", f"{pair.src.count('!')} ↔ {pair.tgt.count('!')} exclamations", 0.1)]

    mine = Detector("exclamations", frozenset({"mistranslation"}), frozenset({("de", "fr")}), exclamations)
    links = [Link((0,), (0,), 0.8)]
    flagged = flag_links(links, ["Es kamen 12 Leute!"], ["Il est venu 13 personnes."], "de", "fr", NO_TOKENS, None,
                         None, detectors=(*DETECTORS, mine))
    assert [(f.kind, f.evidence) for f in flagged[0].flags] == [("number", "12 ↔ 13"),
                                                                 ("mistranslation", "1 ↔ 0 exclamations")]
    # Its languages are respected: not run on ru-en.
    assert flag_links(links, ["Пришли люди!"], ["People came."], "ru", "en", NO_TOKENS, None, None,
                      detectors=(*DETECTORS, mine))[0].flags == ()


class SetVocabulary:
    def __init__(self, common: set[str]) -> None:
        self.common = common

    def is_common(self, word: str) -> bool:
        return word in self.common


def test_the_vocabulary_decides_whether_a_missing_name_is_major():
    # pymorphy3's dictionary lacks «Гнусмасе» (a rare name): the vocabulary decides.
    ru, en = "Самолет сел в Гнусмасе, сообщил Троцкий.", "The plane landed, said Trotsky."
    assert [f.severity for f in name_flags(ru, en, SetVocabulary(set()), FULL)] == ["major"]
    assert [f.severity for f in name_flags(ru, en, SetVocabulary({"Гнусмасе"}), FULL)] == ["minor"]
    assert [f.severity for f in name_flags(ru, en, None, FULL)] == ["major"]  # no lexicon: no word is common


def test_a_dictionary_surname_left_out_is_major_even_when_common():
    ru, en = "Письмо Бутова передали Троцкому.", "The letter was passed to Trotsky."
    assert [f.severity for f in name_flags(ru, en, SetVocabulary({"Бутова"}), FULL)] == ["major"]


# ---------------------------------------------------------------- FlagConfig holds the cut-offs and scores

def test_scores_and_cut_offs_come_from_the_config():
    assert negation_flags("Он не уедет.", "He will leave.", replace(FULL, negation_major_score=0.25))[0].score == 0.25
    assert negation_flags("Он никак не прекратит.", "He will stop.",
                          replace(FULL, negation_score=0.25))[0].score == 0.25  # «никак»: not a bare particle
    assert direction_flags("Цены выросли.", "Prices fell.", replace(FULL, direction_score=0.7))[0].score == 0.7
    kept = "He said «да» and «нет»."
    assert untranslated_flags(RU, kept, FULL)[0].severity == "minor"
    assert untranslated_flags(RU, kept, replace(FULL, untranslated_min_words=3)) == []
    changed = replace(FULL, number_changed_score=0.9)
    assert number_flags("1 500 долларов", "2,500 dollars", "ru", "en", changed)[0].score == 0.9
    major = similarity_flags(0.30, 0.32, 0.05, replace(FULL, mistranslation_major_score=0.95))[0]  # the floor
    assert major.severity == "major" and major.score == 0.95
    assert similarity_flags(0.66, 0.76, 0.05, FULL)[0].score == 0.5  # z = -2
    assert similarity_flags(0.66, 0.76, 0.05, replace(FULL, mistranslation_risk_z=8.0))[0].score == 0.25
    removed = name_flags("Письмо Бутова передали Троцкому.", "The letter was passed to Trotsky.", None,
                         replace(FULL, name_major_missing_score=0.65))
    assert removed[0].score == 0.65
    long = "Второе предложение, которое пропало в переводе целиком."
    assert whole_flags(long, "omission", replace(FULL, whole_evidence_chars=10))[0].evidence == "Второе пр…"


# ---------------------------------------------------------------- partial omission / addition (word alignment)

class OneHotWords:
    """A stand-in word model: every word its own direction, so no word has a counterpart."""

    def __init__(self) -> None:
        self.used = 0  # directions handed out so far, over all calls

    def words(self, texts: Sequence[str]) -> list[Words]:
        out = []
        for text in texts:
            spans = tuple((m.start(), m.end()) for m in WORD_RE.finditer(text))
            vectors = np.zeros((len(spans), 64))
            vectors[np.arange(len(spans)), self.used + np.arange(len(spans))] = 1.0
            self.used += len(spans)
            out.append(Words(text, spans, vectors))
        return out


def test_word_model_is_used_unless_none_or_switched_off():
    links = [Link((0,), (0,), 0.8)]
    src, tgt = ["Письмо дочери шло долго."], ["Her daughter's letter took long."]
    with_words = flag_links(links, src, tgt, "ru", "en", FULL, OneHotWords(), None)[0].flags
    assert [f.kind for f in with_words] == ["omission", "addition"]
    # All cosines 0: the first words are each other's (tied) best match, the rest have no counterpart.
    assert with_words[0].evidence == "Russian words without counterpart: дочери, шло (+1)"
    assert with_words[0].src_spans == ((src[0].index("дочери"), src[0].index("дочери") + 6),
                                       (src[0].index("шло"), src[0].index("шло") + 3))
    assert flag_links(links, src, tgt, "ru", "en", FULL, None, None)[0].flags == ()
    assert flag_links(links, src, tgt, "ru", "en", NO_TOKENS, OneHotWords(), None)[0].flags == ()
    de = flag_links(links, ["Der Brief kam spät."], ["La lettre est arrivée tard."], "de", "fr", FULL, OneHotWords(),
                    None)[0].flags
    assert [f.evidence.split(":")[0] for f in de] == ["de words without counterpart", "fr words without counterpart"]


RU = "Так, письмо от заболевшей дочери из Москвы шло к Троцкому 73 дня, и его ответ уже не застал ее в живых."
EN = ("Thus a letter from his sick daughter in Moscow took 73 days to reach Trotsky, "
      "and his answer no longer found her alive.")
EN_CUT = "Thus a letter from his sick daughter in Moscow took 73 days to reach Trotsky."


def _partial(src: str, tgt: str, words: WordModel, config: FlagConfig = FULL):
    flagged = flag_links([Link((0,), (0,), 0.8)], [src], [tgt], "ru", "en", config, words, _vocabulary())[0]
    return [f for f in flagged.flags if f.kind in ("omission", "addition")]


@pytest.mark.slow
def test_faithful_translation_has_no_partial_omission(word_model):
    assert _partial(RU, EN, word_model) == []


@pytest.mark.slow
def test_left_out_clause_is_named_word_by_word(word_model):
    flags = _partial(RU, EN_CUT, word_model)
    assert [f.kind for f in flags] == ["omission"]
    named = flags[0].evidence.split(": ", 1)[1].split(", ")
    assert {"ответ", "живых"} & set(named) and not {"письмо", "дочери", "Москвы"} & set(named)


@pytest.mark.slow
def test_added_phrase_is_named_and_switch_turns_word_alignment_off(word_model):
    added = EN_CUT[:-1] + ", although the censors in Ankara opened every envelope twice."
    flags = _partial(RU.split(", и")[0] + ".", added, word_model)
    assert [f.kind for f in flags] == ["addition"] and flags[0].severity == "major"
    assert "(+" in flags[0].evidence  # the two words that matter, not all seven
    assert _partial(RU, EN_CUT, word_model, replace(FlagConfig(), token_alignment=False)) == []
