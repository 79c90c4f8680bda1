"""Mismatch detectors: numbers, dates, omissions, additions, weak links."""

from align.flags import flag_links, number_flags, numbers_in
from align.model import Link


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


def test_number_words_match_figures():
    assert number_flags("Прошло три года.", "Three years passed.", "ru", "en") == []
    assert number_flags("Прошло три года.", "3 years passed.", "ru", "en") == []


def test_changed_figure_is_a_number_flag():
    flags = number_flags("выдали 1 500 долларов", "were given 2,500 dollars", "ru", "en")
    assert flags[0].kind == "number" and flags[0].evidence == "1500 ↔ 2500"


def test_genitive_months_are_recognised():
    assert numbers_in("12 февраля и 3 марта", "ru")["month:2"] == 1
    assert numbers_in("12 февраля и 3 марта", "ru")["month:3"] == 1


def test_flag_links_marks_omission_addition_and_weak_link():
    src = ["Первое предложение о высылке.", "Второе предложение, которое пропало в переводе целиком.", "Третье."]
    tgt = ["The first sentence on the expulsion.", "An added remark.", "Third."]
    links = [Link((0,), (0,), 0.85), Link((1,), (), 0.0), Link((), (1,), 0.0), Link((2,), (2,), 0.2)]
    flagged = flag_links(links, src, tgt, "ru", "en")
    kinds = [[f.kind for f in link.flags] for link in flagged]
    assert kinds[0] == []
    assert kinds[1] == ["omission"] and flagged[1].flags[0].severity == "major"
    assert "пропало" in flagged[1].flags[0].evidence
    assert kinds[2] == ["addition"]
    assert kinds[3] == ["weak"]


def test_month_adjectives_match_english_month_names():
    assert number_flags("заслуги пред октябрьской революцией", "merits to the October Revolution", "ru", "en") == []
    assert numbers_in("мартовский пленум", "ru")["month:3"] == 1
