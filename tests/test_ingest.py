"""Tests for align.ingest: decoding, bad input, PDF-text clean-up, offsets."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from align.errors import InputError
from align.ingest import read_document, read_lines
from align.ingest.decode import decode_bytes
from align.ingest.language import check_language, check_script
from align.ingest.pdftext import clean_pdf_text
from align.model import Paragraph

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
RU_FILE = CORPUS / "ru" / "trotsky_opposition_politburo_documents.txt"
RUSSIAN = "Вниманию читателей предлагается документальное издание.\nЛев Давидович Троцкий родился в 1879 г.\n"

# Lines 1-14 and 44-82 of the corpus file (footnotes 1-4, a page break at line 80).
PREFACE = (
    " ПРЕДИСЛОВИЕ \n  \n\n"
    "Вниманию читателей предлагается документальное издание, являющееся продолжением \n\n"
    "серии сборников документов под условным названием «Политбюро». В первом была показана \n\n"
    "роль Президиума ЦК КПСС в расследовании дела Берия. В настоящем издании освещается \n\n"
    "деятельность Политбюро ЦК ВКП(б) и органов государственной безопасности по борьбе с \n\n"
    "троцкистской оппозицией в СССР, которая закончилась истреблением почти всех приверженцев \n\n"
    "Л.Д. Троцкого.  \n\n"
    "Немного позже, в течение 1990–1991 гг. вышли в свет почти все главные работы \n\n"
    "Троцкого1. Они являются лучшими и наиболее самобытными исследованиями, вышедшими из-\n\n"
    "под пера партийных историков. По мнению многих, в нем жил талант незаурядного писателя. \n\n"
    "Появляются работы о Троцком2. Особое внимание представляют работы Н.А. Васецкого3 \n\n"
    "и Г.И. Чернявского4, которые дают наиболее объективное представление о деятельности \n\n"
    "Троцкого в Октябрьском перевороте, в построении социалистического общества в СССР.  \n\n"
    + " " * 49 + "\n"
    "1\n"
    " К истории русской революции, М., 1990; Литература и революция. М., 1991; Моя жизнь. Опыт автобиографии, \n\n"
    "т. 1–2, М., 1990; Троцкий Л.Д. Сталин, т. 1–2, М., 1990; Сталинская школа фальсификаций. М., 1990; Архив \n\n"
    "Троцкого: Коммунистическая оппозиция в СССР. М., 1990: Уроки Октября, 1991 и др. \n"
    "2\n"
    " Радзинский Э. Сталин. М.: Вагриус, 1998; Луначарский А., Радек К., Троцкий Л. Силуэты: политические портреты. \n\n"
    "3\n"
    " Васецкий Н.А. Троцкий: Опыт политической биографии. М., 1992.  \n\n"
    "4\n"
    " Чернявский Г. Лев Троцкий. (ЖЗЛ). М., 2010. \n"
    " В 2012 г. два ведущих специалиста по Троцкому объединили свои усилия. \n\n"
    "Ю.Г. Фельштинский вместе с Г.И. Чернявским издали двухтомник биографии Л.Д. Троцкого5 \n\n"
)

# Lines 114-128 (hyphen kept in a compound); lines 296-305 (page break at line 299).
HYPHEN_AND_PAGE = (
    "с другими большевистскими лидерами. Бажанов справедливо подчеркивает ораторские \n\n"
    "способности, мужество и решительность Троцкого, считая, что он был незаменимым \n\n"
    "исполнителем ленинского плана захвата власти.  \n\n"
    "Основная источниковая база о жизни и деятельности Троцкого сосредоточена на Западе и \n\n"
    "в США. Большое количество источников по Троцкому хранится на сайте российско-\n\n"
    "американского историка Ю.Г. Фельштинского. Им же опубликован четырехтомник \n\n"
    "\"Коммунистическая оппозиция в СССР, 1923–1927\", где объединены документы из фонда \n\n"
    "Архива Троцкого, хранящегося в Хогтонской библиотеке Гарвардского университета. В издание \n\n"
)
PAGE_BREAK = (
    "В 1912 г. Троцкий организовал т.н. \"Августовский блок\". В это время он играет главную \n\n"
    "роль в издании в течение трех с половиной лет газеты \"Правда\".  \n"
    " В 1912 г. Троцкий уезжает корреспондентом от \"Киевской мысли\" на Балканы, где шла \n\n"
    "война. В 1913 г. он вновь в Вене пишет статьи для ряда газет. С февраля 1914 г. в Петербурге \n\n"
    "Троцкий издает ежемесячный журнал \"Борьба\". В этом же году он с семьей вначале переезжает  \n\n"
    "в Цюрих, а затем в Париж, где вошел в редакцию социалистической газеты \"Голос\". После ее \n\n"
)

# Lines 1299-1319: a section heading after a page break, a document number and title.
DOCUMENT_HEAD = (
    "д.и.н. Олег Мозохин \n"
    " ДОКУМЕНТЫ \n \n\n"
    "№ 1 \n"
    "Письмо Л. Д. Троцкого М. М. Литвинову, Г. Е. Зиновьеву, И. В. Сталину  \n\n"
    "от 1 февраля 1923 г. об интервью корреспонденту Ренсому \n \n\n"
    "Тов. Литвинову \n\n"
    "Копия т. Зиновьеву, т. Сталину. \n\n"
    "Прошу передать этот ответ Ренсому только в том случае, если не будет возражений и \n\n"
    "поправок со стороны тт. Сталина и Зиновьева. \n\n"
    "Л.Троцкий \n\n"
    "1.02.23г. \n"
)


def assert_offsets(raw: str, paragraphs: list[Paragraph]) -> None:
    """Every non-space character of every paragraph maps back to the same character in raw."""
    for p in paragraphs:
        assert p.start <= p.end <= len(raw)
        for i, ch in enumerate(p.text):
            if not ch.isspace():
                assert raw[p.original_offset(i)] == ch, (p.index, i, p.text[max(0, i - 20):i + 20])


def texts(paragraphs: list[Paragraph]) -> list[str]:
    return [p.text for p in paragraphs]


# --- decoding ---------------------------------------------------------------

@pytest.mark.parametrize("encoding, name", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16-le"), ("utf-16-le", "utf-16-le"),
    ("utf-16-be", "utf-16-be"), ("cp1251", "cp1251"), ("koi8-r", "koi8-r"),
])
def test_encodings_round_trip(tmp_path: Path, encoding: str, name: str) -> None:
    path = tmp_path / f"doc-{encoding}.txt"
    path.write_bytes(RUSSIAN.encode(encoding))
    assert decode_bytes(path.read_bytes(), path) == (RUSSIAN, name)
    doc = read_document(path, "ru")
    assert doc.text == RUSSIAN.strip() and doc.encoding == name


@pytest.mark.parametrize("sample", ["Привет, мир", "ПРЕДИСЛОВИЕ", "ДОКУМЕНТЫ", "Совершенно секретно", "мир"])
def test_short_cp1251_and_koi8r_told_apart(sample: str) -> None:
    assert decode_bytes(sample.encode("cp1251"), "x") == (sample, "cp1251")
    assert decode_bytes(sample.encode("koi8-r"), "x") == (sample, "koi8-r")


def test_crlf_kept_and_treated_as_line_break(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes("Первая строка текста.\r\n\r\nВторая строка текста.\r\n".encode("utf-8"))
    doc = read_document(path, "ru")
    assert "\r\n" in doc.raw
    assert texts(doc.paragraphs) == ["Первая строка текста.", "Вторая строка текста."]
    assert_offsets(doc.raw, list(doc.paragraphs))


def test_bom_removed_offsets_into_decoded_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffОдин абзац текста здесь.\n".encode("utf-8"))
    doc = read_document(path, "ru")
    assert doc.encoding == "utf-8-sig" and doc.raw.startswith("Один")
    assert doc.paragraphs[0].start == 0


# --- bad input --------------------------------------------------------------

@pytest.mark.parametrize("data, problem", [
    (b"", "empty"),
    (b"  \n\n\t \r\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20, "binary"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary"),
    (bytes(range(1, 9)) * 50 + b"some text", "binary"),
    (b"\xff\xfe" + "текст".encode("utf-16-le") + b"\x00\xd8", "cannot decode"),
])
def test_bad_input_raises_naming_file(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "bad_input.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_document(path, "ru")
    assert str(path) in str(err.value) and problem in str(err.value)


def test_russian_file_in_english_folder(tmp_path: Path) -> None:
    path = tmp_path / "ru_in_en.txt"
    path.write_text(PREFACE, encoding="utf-8")
    with pytest.raises(InputError, match=r"ru_in_en\.txt: looks like Russian text \(\d+% Cyrillic letters\), "
                                         r"but the folder is for English"):
        check_language(read_document(path, "en").text, "en", path)


def test_language_check_passes_matching_and_mixed_text() -> None:
    check_language(PREFACE, "ru", "x.txt")
    check_language("Trotsky (Троцкий) was expelled from the USSR in 1929 by the Politburo.", "en", "x.txt")
    check_language("Ein ganz normaler deutscher Satz ohne Probleme.", "de", "x.txt")
    check_script(PREFACE, "zh", "x.txt")  # no script check for Chinese (lingua's check refuses it)
    with pytest.raises(InputError, match="folder is for Russian"):
        check_language("This is plainly an English sentence about Trotsky and Stalin.", "ru", "y.txt")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.txt"):
        read_document(tmp_path / "nope.txt", "ru")


# --- PDF clean-up -----------------------------------------------------------

def test_preface_paragraphs_footnotes_and_markers() -> None:
    body, notes = clean_pdf_text(PREFACE)
    assert body[0].kind == "heading" and body[0].text == "ПРЕДИСЛОВИЕ"
    assert body[1].text.startswith("Вниманию читателей") and body[1].text.endswith("Л.Д. Троцкого.")
    assert "продолжением серии сборников" in body[1].text  # wrapped lines joined with one space
    fourth = body[2].text
    assert "главные работы Троцкого. Они" in fourth          # "Троцкого1." marker removed
    assert "о Троцком. Особое" in fourth and "Васецкого и Г.И. Чернявского, которые" in fourth
    assert "вышедшими из-под пера" in fourth                  # prefix hyphen kept
    assert "1990–1991 гг." in fourth                          # real numbers kept
    assert "К истории" not in " ".join(texts(body))           # footnote text left the body
    assert body[3].text.startswith("В 2012 г. два ведущих")   # next page starts a paragraph
    assert [p.kind for p in notes] == ["footnote"] * 4
    assert notes[0].text.startswith("К истории русской революции") and notes[0].text.endswith("1991 и др.")
    assert "Опыт автобиографии, т. 1–2, М., 1990;" in notes[0].text
    assert PREFACE[notes[1].start] == "2" and notes[3].text == "Чернявский Г. Лев Троцкий. (ЖЗЛ). М., 2010."
    assert [p.index for p in notes] == [0, 1, 2, 3] and [p.index for p in body] == list(range(len(body)))
    assert_offsets(PREFACE, body + notes)


def test_marker_kept_when_no_footnote_on_page() -> None:
    # "Троцкого5" at the end of PREFACE: footnote 5 is on the next page, not here.
    body, _ = clean_pdf_text(PREFACE)
    assert body[-1].text.endswith("Л.Д. Троцкого5")


def test_hyphen_kept_for_compound() -> None:
    body, _ = clean_pdf_text(HYPHEN_AND_PAGE)
    assert texts(body)[0].endswith("захвата власти.")
    assert texts(body)[1].startswith("Основная источниковая база")
    assert "сайте российско-американского историка" in texts(body)[1]
    assert "1923–1927" in texts(body)[1]
    assert len(body) == 2
    assert_offsets(HYPHEN_AND_PAGE, body)


def test_page_break_starts_paragraph_and_wraps_join() -> None:
    body, _ = clean_pdf_text(PAGE_BREAK)
    assert texts(body)[0].endswith("газеты \"Правда\".")
    page = texts(body)[1]
    assert page.startswith("В 1912 г. Троцкий уезжает") and "шла война. В 1913 г." in page
    assert "переезжает в Цюрих" in page  # trailing double space mid-sentence does not end the paragraph
    assert len(body) == 2
    assert_offsets(PAGE_BREAK, body)


def test_soft_hyphen_mended_by_evidence() -> None:
    raw = ("Слово революции встречается в этом тексте уже несколько раз подряд, и это хорошо \n\n"
           "видно. Теперь история русской револю-\n\n"
           "ции снова написана здесь на длинной строке, которая тянется почти до края страницы \n\n"
           "и дальше. Это российско-\n\n"
           "американского образца пример, где дефис остается на своем месте в этой строке \n\n")
    body, _ = clean_pdf_text(raw)
    joined = " ".join(texts(body))
    assert "русской революции снова" in joined and "российско-американского" in joined
    assert_offsets(raw, body)


def test_headings_and_document_titles() -> None:
    body, _ = clean_pdf_text(DOCUMENT_HEAD)
    kinds = {p.text: p.kind for p in body}
    assert kinds["ДОКУМЕНТЫ"] == "heading" and kinds["№ 1"] == "heading"
    title = "Письмо Л. Д. Троцкого М. М. Литвинову, Г. Е. Зиновьеву, И. В. Сталину от 1 февраля 1923 г. об интервью корреспонденту Ренсому"
    assert kinds[title] == "heading"
    assert kinds["1.02.23г."] == "heading"
    assert kinds["Прошу передать этот ответ Ренсому только в том случае, если не будет возражений и "
                 "поправок со стороны тт. Сталина и Зиновьева."] == "body"
    assert "Копия т. Зиновьеву, т. Сталину." in kinds


def test_one_paragraph_per_line_mode() -> None:
    raw = ("Expulsion of Trotsky from the USSR\n\n"
           "On January 18, 1929, a special meeting decided to expel Trotsky.\n\n"
           "Trotsky was sure that he would not be allowed to take out the archive.\n")
    body, notes = clean_pdf_text(raw)
    assert texts(body) == raw.replace("\n\n", "\n").splitlines() and not notes
    assert [p.kind for p in body] == ["heading", "body", "body"]


def test_blank_line_separated_blocks_mode() -> None:
    raw = ("The first paragraph is wrapped\nover three lines of text that\ndo not end with a stop\n\n"
           "and the second one is also\nwrapped over two lines here\n")
    body, _ = clean_pdf_text(raw)
    assert texts(body) == ["The first paragraph is wrapped over three lines of text that do not end with a stop",
                           "and the second one is also wrapped over two lines here"]
    assert_offsets(raw, body)


def test_read_lines_keeps_blank_lines_and_exact_offsets(tmp_path: Path) -> None:
    path = tmp_path / "sentences.txt"
    path.write_bytes("Первое предложение.\r\n\r\n  Второе  предложение. \nТретье.".encode("utf-8"))
    doc = read_lines(path)
    assert texts(list(doc.paragraphs)) == ["Первое предложение.", "", "  Второе  предложение. ", "Третье."]
    for p in doc.paragraphs:
        assert doc.raw[p.start:p.end] == p.text and p.kind == "body"
    assert_offsets(doc.raw, list(doc.paragraphs))


def test_html_blocks(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<html><head><style>p {}</style></head><body><h1>Заголовок &amp; текст</h1>\n"
                    "<div><p>Первый <b>абзац</b>\n  текста.</p><ul><li>Пункт два</li></ul></div></body></html>",
                    encoding="utf-8")
    doc = read_document(path, "ru")
    assert texts(list(doc.paragraphs)) == ["Заголовок & текст", "Первый абзац текста.", "Пункт два"]
    assert [p.kind for p in doc.paragraphs] == ["heading", "body", "body"]
    assert_offsets(doc.raw, list(doc.paragraphs))


# --- the whole corpus file ---------------------------------------------------

@pytest.mark.slow
def test_corpus_file_offsets_and_speed() -> None:
    started = time.perf_counter()
    doc = read_document(RU_FILE, "ru")
    elapsed = time.perf_counter() - started
    assert elapsed < 10
    assert doc.encoding == "utf-8" and len(doc.paragraphs) > 5000 and len(doc.footnotes) >= 40
    assert_offsets(doc.raw, list(doc.paragraphs) + list(doc.footnotes))
    text = doc.text
    assert "Троцкого1." not in text and "Сталина»9" not in text and "руководстве.10" not in text
    assert "Сталина», где современник" in text
    assert not any("  " in p.text or "\n" in p.text for p in doc.paragraphs)
    assert any(p.text == "Подпись не разборчива" for p in doc.footnotes)


def test_english_corpus_files() -> None:
    for path in sorted((CORPUS / "en").glob("*.txt")):
        doc = read_document(path, "en")
        lines = [line.strip() for line in doc.raw.splitlines() if line.strip()]
        assert len(doc.paragraphs) == len(lines)
        assert_offsets(doc.raw, list(doc.paragraphs))
