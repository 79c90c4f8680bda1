"""Sentence segmentation on passages copied from the project's corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from align.model import Document, Paragraph
from align.segment import split_document, split_spans

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def sents(text: str, lang: str = "ru") -> list[str]:
    """Sentences of ``text``, checking the span invariants on the way."""
    spans = split_spans(text, lang)
    out = [text[s:e] for s, e in spans]
    assert all(s == s.strip() and s for s in out)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert re.sub(r"\s", "", "".join(out)) == re.sub(r"\s", "", text)
    return out


@pytest.mark.parametrize(
    "text",
    [
        "В настоящем издании освещается деятельность Политбюро ЦК ВКП(б) и органов "
        "государственной безопасности по борьбе с троцкистской оппозицией в СССР, которая "
        "закончилась истреблением почти всех приверженцев Л.Д. Троцкого.",
        "Письмо Л. Д. Троцкого М. М. Литвинову, Г. Е. Зиновьеву, И. В. Сталину "
        "от 1 февраля 1923 г. об интервью корреспонденту.",
        "Особое внимание представляют работы Н.А. Васецкого3 и Г.И. Чернявского4, которые "
        "дают наиболее объективное представление о деятельности Троцкого.",
        "Ю.Г. Фельштинский вместе с Г.И. Чернявским издали двухтомник биографии Л.Д. Троцкого.",
        "Опыт автобиографии, т. 1–2, М., 1990; Троцкий Л.Д. Сталин, т. 1–2, М., 1990;",
        "Так как разговор мой с тов. Сталиным был довольно давно /во время Пленума ЦК/ и "
        "т.к. тов. Сталин чрезвычайно загружен всякого рода работой, то я нисколько не удивлен.",
        "В военных кругах наблюдается сочувственное отношение к перевороту, совершенному "
        "Пилсудским в Польше, т. е. он прошел почти безболезненно и бесшумно.",
        "Смилга, Преображенский, Енукидзе и др. были вытащены с балкона толпой.",
        "В 1912 г. Троцкий организовал т.н. \"Августовский блок\".",
        "Целый ряд его представителей, напр. т. Угланов признал открыто недостатки.",
        "Мы вывезли более 40 млн. пудов хлеба.",
        "До XII съезда РКП в Москве имел место ряд собраний б. членов «Рабочей оппозиции».",
        "Одно из таких собраний имело место 20.07. с.г., причем в нем принимало участие до 35 человек.",
        "Являлся нелегальным организатором троцкистских групп в Ленинском районе г. Киева.",
        "Пом. Секретаря ЦК Строго секретно В ЦК ВКП(б) тов. Сталину ДОКЛАДНАЯ ЗАПИСКА.",
        "Уже после убийства Троцкого, 19 сентября 1940 г. Берия направил Сталину перевод.",
        "17 января 1928 г. Троцкий высылается в Алма-Ату.",
        "В октябре 1924 г. Троцкий публикует статью «Уроки Октября».",
        "Ведь единственная проверка – это Октябрь 1917 г.",
        "Принять предложение т. Дзержинского (см. особую папку).",
        "«Должен ли я понять это так, что вы имеете соглашение с турецкой полицией об увозе "
        "меня в Турцию силой?» – спросил я.",
        "С одной стороны, группой Троцкого– Парвуса, выдвигавшей лозунг «Долой царя, а "
        "правительство – рабочее!» – с другой, и поляками.",
        "16 декабря 1928 г. Л. Троцкий Алма-Ата",
        "19-го февраля 1926г. Т.т. Троцкому, Бухарину, Каменеву.",
        "«Теперь... заниматься оценкой разных точек зрения на революцию вообще».",
        "Отправляет нас в ссылку по статье уголовного кодекса, преследующей… контрреволюционеров.",
    ],
)
def test_one_sentence_ru(text: str) -> None:
    assert sents(text) == [text]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Мы вывезли более 40 млн. пудов хлеба. Мы готовимся к вывозу 200 млн. пудов.",
            ["Мы вывезли более 40 млн. пудов хлеба.", "Мы готовимся к вывозу 200 млн. пудов."],
        ),
        (
            "Объявляют новый крестьянский заем и т. д. Принятые слишком поздно, эти мероприятия "
            "не могут существенно смягчить хозяйственный кризис.",
            [
                "Объявляют новый крестьянский заем и т. д.",
                "Принятые слишком поздно, эти мероприятия не могут существенно смягчить "
                "хозяйственный кризис.",
            ],
        ),
        (
            "Через кооперацию и т.п. Отказ от прямого налога улучшил бы настроение крестьян.",
            ["Через кооперацию и т.п.", "Отказ от прямого налога улучшил бы настроение крестьян."],
        ),
        (
            "Присутствовали: Шляпников, Медведев, С. Демидов и др. На заводе «Икар» "
            "распространялись воззвания «Р.Г.».",
            [
                "Присутствовали: Шляпников, Медведев, С. Демидов и др.",
                "На заводе «Икар» распространялись воззвания «Р.Г.».",
            ],
        ),
        (
            "Документами по процессам 1930-х гг. Ведь почти во всех этих процессах находили лиц.",
            ["Документами по процессам 1930-х гг.", "Ведь почти во всех этих процессах находили лиц."],
        ),
        (
            "Член партии с 1907 г. До революции работал на заводе.",
            ["Член партии с 1907 г.", "До революции работал на заводе."],
        ),
        (
            "Л. Троцкий 8 октября 1923 г. РГАСПИ. Ф. 17. Оп. 171. Д. 25. Л. 34–51. Копия. "
            "Машинопись",
            [
                "Л. Троцкий 8 октября 1923 г. РГАСПИ. Ф. 17. Оп. 171. Д. 25. Л. 34–51.",
                "Копия.",
                "Машинопись",
            ],
        ),
        (
            "Х. Р. РГАСПИ. Ф. 17. Оп. 171. Д. 139. Л. 36-108. Подлинник. Машинопись",
            ["Х. Р. РГАСПИ. Ф. 17. Оп. 171. Д. 139. Л. 36-108.", "Подлинник.", "Машинопись"],
        ),
        (
            "АП РФ. Ф. 3. Оп. 24. Д. 466. Л. 1–5. Подлинник.",  # format named in the brief
            ["АП РФ. Ф. 3. Оп. 24. Д. 466. Л. 1–5.", "Подлинник."],
        ),
        (
            "Вероятные ячейки на следующих завода: 1. Завод Амстро. Участие принимают "
            "бывший член РКП и б. Пред. Завкома Мироков.",
            [
                "Вероятные ячейки на следующих завода: 1. Завод Амстро.",
                "Участие принимают бывший член РКП и б. Пред. Завкома Мироков.",
            ],
        ),
        (
            "2. Сейчас уж всем должно быть ясно. 3. Машинотрест.",
            ["2. Сейчас уж всем должно быть ясно.", "3. Машинотрест."],
        ),
        (
            "Т. Троцкий, что же Вы поддерживаете здесь старый клич Плеханова: «Не надо было "
            "браться за оружие!» Надо или не надо было это делать? Да или нет?",
            [
                "Т. Троцкий, что же Вы поддерживаете здесь старый клич Плеханова: «Не надо было "
                "браться за оружие!»",
                "Надо или не надо было это делать?",
                "Да или нет?",
            ],
        ),
        (
            "Расколоть правительство – значит погубить Советскую власть... На основании этого "
            "пленумы осудили товарищи.",
            [
                "Расколоть правительство – значит погубить Советскую власть...",
                "На основании этого пленумы осудили товарищи.",
            ],
        ),
        (
            "– Ведь надо же понять то, что было. А была борьба за власть.",
            ["– Ведь надо же понять то, что было.", "А была борьба за власть."],
        ),
        (
            "Буланов ответил: «Это не изменит решения – вы все равно будете увезены в Турцию». "
            "«Должен ли я понять это так?» – спросил я.",
            [
                "Буланов ответил: «Это не изменит решения – вы все равно будете увезены в Турцию».",
                "«Должен ли я понять это так?» – спросил я.",
            ],
        ),
        (
            "Вероятные ячейки: 1) Завод Амстро; 2. Письмо Л.Д. Троцкому; 3. Письмо о положении.",
            ["Вероятные ячейки: 1) Завод Амстро; 2. Письмо Л.Д. Троцкому; 3. Письмо о положении."],
        ),
    ],
)
def test_splits_ru(text: str, expected: list[str]) -> None:
    assert sents(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "“From Central Asia, I had the opportunity to maintain continuous contact with the "
            "opposition, which was growing,” Lev Davidovich himself explained. Under these "
            "conditions, Stalin decided to apply expulsion abroad.",
            [
                "“From Central Asia, I had the opportunity to maintain continuous contact with the "
                "opposition, which was growing,” Lev Davidovich himself explained.",
                "Under these conditions, Stalin decided to apply expulsion abroad.",
            ],
        ),
        (
            'Trotsky received this resolution and wrote on it: "Here are the scoundrels!" - '
            "adding to this receipt of the following content.",
            [
                'Trotsky received this resolution and wrote on it: "Here are the scoundrels!" - '
                "adding to this receipt of the following content."
            ],
        ),
        (
            "In the book by Yu. Felshtinsky and G. Chernyavsky “Leo Trotsky. Oppositionist” "
            "describes the dramatic departure.",
            [
                "In the book by Yu. Felshtinsky and G. Chernyavsky “Leo Trotsky.",
                "Oppositionist” describes the dramatic departure.",
            ],
        ),
        (
            "At which N. I. Bukharin, A. I. Rykov and M. P. Tomsky were officially accused.",
            ["At which N. I. Bukharin, A. I. Rykov and M. P. Tomsky were officially accused."],
        ),
        (
            "It shows the confrontation between two leaders - I.V. Stalin and L.D. Trotsky. "
            "It did not end after the expulsion.",
            [
                "It shows the confrontation between two leaders - I.V. Stalin and L.D. Trotsky.",
                "It did not end after the expulsion.",
            ],
        ),
        (
            "Lena Goldfields was allowed to mine silver, copper, lead, etc. It was to this "
            "company that the Revdinsky works were leased.",
            [
                "Lena Goldfields was allowed to mine silver, copper, lead, etc.",
                "It was to this company that the Revdinsky works were leased.",
            ],
        ),
        (
            "Uritsky heads the St. Petersburg Cheka, and so on. All this is contained in vol. 45 "
            "and 54, i.e. reaction. In 1930, in Bulletin No. 14, Trotsky wrote.",
            [
                "Uritsky heads the St. Petersburg Cheka, and so on.",
                "All this is contained in vol. 45 and 54, i.e. reaction.",
                "In 1930, in Bulletin No. 14, Trotsky wrote.",
            ],
        ),
    ],
)
def test_splits_en(text: str, expected: list[str]) -> None:
    assert sents(text, "en") == expected


def test_cjk_and_other_languages() -> None:
    assert sents("托洛茨基被驱逐。他去了土耳其！为什么？", "zh") == [
        "托洛茨基被驱逐。",
        "他去了土耳其！",
        "为什么？",
    ]
    assert sents("Trotzki wurde 1929 ausgewiesen. Er ging z. B. nach Prinkipo.", "de") == [
        "Trotzki wurde 1929 ausgewiesen.",
        "Er ging z. B. nach Prinkipo.",
    ]


def test_offsets_are_stripped_and_exact() -> None:
    text = "  Копия.   Подлинник.\n\n Машинопись  "
    spans = split_spans(text, "ru")
    assert [text[s:e] for s, e in spans] == ["Копия.", "Подлинник.", "Машинопись"]
    assert split_spans("   ", "ru") == []


def test_split_document_maps_to_raw_offsets() -> None:
    raw = (
        "Вниманию читателей предлагается документальное издание. \n\n"
        "Оно освещает деятельность Политбюро ЦК ВКП(б) по борьбе с \n\n"
        "троцкистской оппозицией. Л.Д. Троцкий был выслан.\n\n"
        "В 1912 г. Троцкий организовал т.н. \"Августовский блок\".\n"
    )
    first_end = raw.index("\n\nтроцкистской") + len("\n\nтроцкистской оппозицией. Л.Д. Троцкий был выслан.")
    line1, line2 = raw.index("Вниманию"), raw.index("Оно")
    line3 = raw.index("троцкистской")
    text1 = raw[line1:raw.index(" \n\nОно")] + " " + raw[line2:raw.index(" \n\nтроцк")]
    text1 += " " + raw[line3:first_end]
    len1 = raw.index(" \n\nОно") - line1
    len2 = raw.index(" \n\nтроцк") - line2
    pieces = ((0, line1, len1), (len1 + 1, line2, len2), (len1 + len2 + 2, line3, first_end - line3))
    p0 = Paragraph(0, text1, line1, first_end, pieces=pieces)
    last = raw.index("В 1912")
    p1 = Paragraph(1, raw[last:].rstrip(), last, len(raw.rstrip()))
    doc = Document(Path("ru.txt"), "ru", raw, (p0, p1))

    out = split_document(doc)
    assert [s.index for s in out] == [0, 1, 2, 3]
    assert [s.paragraph for s in out] == [0, 0, 0, 1]
    assert out[1].text == (
        "Оно освещает деятельность Политбюро ЦК ВКП(б) по борьбе с троцкистской оппозицией."
    )
    assert raw[out[1].start:out[1].end] == (
        "Оно освещает деятельность Политбюро ЦК ВКП(б) по борьбе с \n\nтроцкистской оппозицией."
    )
    for s in out:
        assert s.doc == "ru.txt"
        assert re.sub(r"\s", "", raw[s.start:s.end]) == re.sub(r"\s", "", s.text)


def test_sentences_never_cross_paragraphs() -> None:
    raw = "Первый абзац без точки\nВторой абзац и т. д.\nТретий."
    paragraphs, pos = [], 0
    for i, line in enumerate(raw.split("\n")):
        paragraphs.append(Paragraph(i, line, pos, pos + len(line)))
        pos += len(line) + 1
    out = split_document(Document(Path("x.txt"), "ru", raw, tuple(paragraphs)))
    assert [(s.paragraph, s.text) for s in out] == [
        (0, "Первый абзац без точки"),
        (1, "Второй абзац и т. д."),
        (2, "Третий."),
    ]
    assert all(raw[s.start:s.end] == s.text for s in out)


def test_english_article_sanity() -> None:
    lines = (CORPUS / "en" / "trotsky_expulsion_article.txt").read_text(encoding="utf-8")
    out = [s for line in lines.split("\n") for s in sents(line, "en")]
    assert len(out) > 250
    lowercase = [s for s in out if s[0].islower()]
    assert lowercase == ["background"]  # a caption line of the article
    short = sorted({s for s in out if len(s) < 3})
    assert short == []
