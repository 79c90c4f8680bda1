"""DOCX, ODT, EPUB and PDF readers on files built by the tests (tests/readerfiles.py): every
sentence found once, in order, headings and footnotes kept apart, each location pointing at
the sentence in the original, alignment as for the same texts in plain text; hostile files
(zip bomb, external entities, encrypted, truncated, scanned) are one-line errors."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from lxml import etree
from typer.testing import CliRunner

from align.aligner import AlignConfig
from align.cache import CacheFolder
from align.cli import app
from align.errors import InputError
from align.ingest import read_document, read_lines
from align.ingest.archive import MAX_RATIO
from align.ingest.formats import reader_name
from align.model import EmbeddedDocument
from align.pipeline import align_documents, read_segmented, segment_document
from readerfiles import RUNNING_HEADER, Book, make_docx, make_epub, make_epub2, make_odt, make_pdf, make_pdf_bomb, rewrite_member

RU = Book(
    "Глава первая",
    ("Поезд ушёл рано утром. Никто не пришёл его провожать, кроме старого друга.",
     "Город остался позади, за рекой и лесом. Впереди была длинная дорога на восток.",
     "К вечеру пошёл дождь. Пассажиры закрыли окна и зажгли лампы."),
    "Это примечание переводчика о названии поезда.",
    (("Станция отправления.", "Москва."), ("Станция прибытия.", "Владивосток.")),
)
EN = Book(
    "Chapter One",
    ("The train left early in the morning. Nobody came to see him off except an old friend.",
     "The city stayed behind, beyond the river and the forest. Ahead lay the long road east.",
     "By evening it began to rain. The passengers closed the windows and lit the lamps."),
    "This is the translator's note on the name of the train.",
)
SECRET = "TOP-SECRET-LOCAL-FILE-CONTENT"
runner = CliRunner()


def blocks_of(book: Book) -> list[str]:
    """The book's paragraphs in the order a reader numbers them."""
    return [book.heading, *book.paragraphs, *(cell for row in book.table for cell in row)]


def plain_sentences(tmp_path: Path, book: Book, lang: str) -> list[str]:
    path = tmp_path / f"plain-{lang}.txt"
    path.write_text(book.plain_text(), encoding="utf-8")
    return [s.text for s in segment_document(read_document(path, lang))]


def assert_found_once(texts: list[str], expected: list[str]) -> None:
    assert texts == expected
    assert len(set(texts)) == len(texts)


# --- DOCX -------------------------------------------------------------------

def test_docx_headings_table_footnote_and_locations(tmp_path: Path) -> None:
    document = read_document(make_docx(tmp_path / "ru.docx", RU), "ru")
    assert document.reader == "docx"
    assert [p.kind for p in document.paragraphs] == ["heading"] + ["body"] * 7
    assert [p.text for p in document.paragraphs] == blocks_of(RU)
    assert [p.text for p in document.footnotes] == [RU.footnote]
    assert document.location(document.footnotes[0].start).describe() == "footnote 1, char 1"
    sentences = segment_document(document)
    assert_found_once([s.text for s in sentences], plain_sentences(tmp_path, RU, "ru"))
    blocks = blocks_of(RU)
    for sentence in sentences:
        where = document.location(sentence.start)
        assert where.unit == "paragraph"
        assert blocks[where.number - 1][where.offset:].startswith(sentence.text)
    assert sentences[3].text.startswith("Город")
    assert (document.location(sentences[3].start).number, document.location(sentences[3].start).offset) == (3, 0)
    assert document.location(sentences[2].start).offset == RU.paragraphs[0].index("Никто")


def test_docx_tracked_changes_read_as_accepted(tmp_path: Path) -> None:
    document = read_document(make_docx(tmp_path / "t.docx", RU, tracked=("вставленные слова", "удалённые слова")),
                             "ru")
    assert document.paragraphs[-1].text == "Kept words вставленные слова end."
    assert "удалённые" not in document.raw


def test_docx_deleted_paragraph_mark_joins_paragraphs(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    edited = docx.Document(str(make_docx(tmp_path / "d.docx", RU)))
    paragraph = edited.paragraphs[2]._p  # heading, first paragraph, then RU.paragraphs[1]
    paragraph.get_or_add_pPr().append(parse_xml(f'<w:rPr {nsdecls("w")}><w:del w:id="9" w:author="e"/></w:rPr>'))
    edited.save(str(tmp_path / "m.docx"))
    document = read_document(tmp_path / "m.docx", "ru")
    assert [p.text for p in document.paragraphs][2] == RU.paragraphs[1] + RU.paragraphs[2]
    assert [p.text for p in document.footnotes] == [RU.footnote]


# --- ODT --------------------------------------------------------------------

def test_odt_headings_notes_table_and_tracked_deletion(tmp_path: Path) -> None:
    document = read_document(make_odt(tmp_path / "ru.odt", RU, deleted="Удалённый абзац."), "ru")
    assert document.reader == "odt"
    assert [p.text for p in document.paragraphs] == blocks_of(RU)
    assert document.paragraphs[0].kind == "heading" and {p.kind for p in document.paragraphs[1:]} == {"body"}
    assert [p.text for p in document.footnotes] == [RU.footnote]
    assert "Удалённый" not in document.raw
    sentences = segment_document(document)
    assert_found_once([s.text for s in sentences], plain_sentences(tmp_path, RU, "ru"))
    blocks = blocks_of(RU)
    for sentence in sentences:
        where = document.location(sentence.start)
        assert blocks[where.number - 1][where.offset:].startswith(sentence.text)


# --- EPUB -------------------------------------------------------------------

def test_epub_follows_spine_skips_nav_and_keeps_notes_apart(tmp_path: Path) -> None:
    second = Book("Глава вторая. Дорога", ("Утром поезд пересёк границу. Все спали.",), "Второе примечание.")
    document = read_document(make_epub(tmp_path / "ru.epub", [RU, second]), "ru")
    assert document.reader == "epub"
    assert [p.text for p in document.paragraphs] == [RU.heading, *RU.paragraphs, second.heading, *second.paragraphs]
    assert [p.kind for p in document.paragraphs].count("heading") == 2
    assert [p.text for p in document.footnotes] == [RU.footnote, second.footnote]
    assert "Содержание" not in document.raw and "Contents" not in document.raw
    sentences = segment_document(document)
    texts = [s.text for s in sentences]
    assert texts[0] == RU.heading and texts[1] == "Поезд ушёл рано утром."  # the noteref is gone
    assert len(set(texts)) == len(texts)
    where = document.location(sentences[-1].start)
    assert (where.item, where.unit, where.number, where.offset) == ("OEBPS/text/chapter2.xhtml", "paragraph", 2,
                                                                    second.paragraphs[0].index("Все"))
    note = document.location(document.footnotes[1].start)
    assert (note.item, note.unit, note.number) == ("OEBPS/text/chapter2.xhtml", "footnote", 1)


def test_epub2_entities_bare_noteref_and_non_linear_notes(tmp_path: Path) -> None:
    document = read_document(make_epub2(tmp_path / "ru.epub", RU), "ru")
    assert [p.text for p in document.paragraphs] == [RU.heading, *RU.paragraphs]  # nbsp collapsed, "1" gone
    assert document.paragraphs[0].kind == "heading"
    assert [p.text for p in document.footnotes] == [RU.footnote]  # its back-link "1" dropped too
    assert document.location(document.footnotes[0].start).item == "notes.xhtml"
    assert "\xa0" in document.raw  # the entity read as the character, kept in the text read


# --- PDF --------------------------------------------------------------------

def long_book(book: Book, copies: int) -> Book:
    """``book`` with its paragraphs repeated, each sentence numbered so that it stays unique."""
    paragraphs = tuple(" ".join(f"{s.rstrip('.')} in part {k}." for s in p.split(". "))
                       for k in range(copies) for p in book.paragraphs)
    return Book(book.heading, paragraphs, book.footnote)


def test_pdf_two_columns_page_numbers_footnote_and_locations(tmp_path: Path) -> None:
    book = long_book(EN, 20)
    drawn = make_pdf(tmp_path / "en.pdf", [book])
    assert max(line.page for line in drawn) >= 3  # the text runs over two-column pages
    document = read_document(tmp_path / "en.pdf", "en")
    assert document.reader == "pdf"
    assert [p.text for p in document.paragraphs] == [book.heading, *book.paragraphs]
    assert document.paragraphs[0].kind == "heading"
    assert [p.text for p in document.footnotes] == [EN.footnote]
    assert RUNNING_HEADER not in document.raw  # the running header is left out, as are page numbers
    sentences = segment_document(document)
    assert_found_once([s.text for s in sentences], plain_sentences(tmp_path, book, "en"))
    lines = {(line.page, line.line): line.text for line in drawn}
    for sentence in sentences:
        where = document.location(sentence.start)
        rest = lines[where.page, where.number][where.offset:]
        assert rest.startswith(sentence.text) or sentence.text.startswith(rest), (where, sentence.text)
    columns = {(line.page, line.line): line.column for line in drawn}
    places = {(document.location(s.start).page, columns[document.location(s.start).page,
                                                        document.location(s.start).number]) for s in sentences}
    assert {(1, 0), (1, 1), (2, 0)} <= places  # both columns of page 1 and page 2 read


def test_pdf_flowed_by_platypus_text_rise_marker_and_left_footnote(tmp_path: Path) -> None:
    """reportlab's platypus flows paragraphs through two frames; its superscript marker is a
    text rise (which pypdf does not report: the marker sits on the baseline) and the footnote
    is drawn under the left column."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    def foot(canvas, doc) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(50, 60, "1 " + EN.footnote)

    width, height = 595, 842
    column = (width - 120) / 2
    document = BaseDocTemplate(str(tmp_path / "flowed.pdf"), pagesize=(width, height))
    document.addPageTemplates([PageTemplate(frames=[Frame(50, 90, column, height - 140),
                                                    Frame(70 + column, 90, column, height - 140)], onPage=foot)])
    style = getSampleStyleSheet()["BodyText"]
    first, rest = EN.paragraphs[0].split(" ", 1)
    story = [Paragraph(f"{first}<super>1</super> {rest}", style),
             *(Paragraph(p, style) for p in EN.paragraphs[1:] * 12)]
    document.build(story)
    read = read_document(tmp_path / "flowed.pdf", "en")
    assert read.paragraphs[0].text == EN.paragraphs[0]  # the marker is gone
    assert [p.text for p in read.footnotes] == [EN.footnote]
    assert len(read.paragraphs) == 1 + 2 * 12


def test_pdf_without_text_layer_is_a_scan(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(tmp_path / "scan.pdf"))
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.showPage()
    pdf.save()
    with pytest.raises(InputError, match=r"scan\.pdf: scanned PDF: it has no text layer \(run OCR first\)"):
        read_document(tmp_path / "scan.pdf", "en")


def test_encrypted_pdf_needs_a_password_but_owner_only_protection_reads(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    for name, user in (("locked.pdf", "secret"), ("owner.pdf", "")):
        pdf = canvas.Canvas(str(tmp_path / name), encrypt=StandardEncryption(user, "owner", canCopy=0))
        pdf.setFont("Helvetica", 10)
        for k, sentence in enumerate(EN.paragraphs):
            pdf.drawString(50, 700 - 30 * k, sentence[:80])
        pdf.showPage()
        pdf.save()
    with pytest.raises(InputError, match=r"locked\.pdf: encrypted PDF: it needs a password"):
        read_document(tmp_path / "locked.pdf", "en")
    assert read_document(tmp_path / "owner.pdf", "en").paragraphs


# --- the same alignment as plain text ---------------------------------------

class PairEncoder:
    """A cheap encoder that knows the pairs: the k-th sentence of the Russian and of the
    English plain text get the same random vector; any other text one of its own."""

    model_id = "pairs"

    def __init__(self, ru: list[str], en: list[str]):
        self.keys = {text: k for side in (ru, en) for k, text in enumerate(side)}

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            key = self.keys.get(text, int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) + 1000)
            vector = np.random.default_rng(key).standard_normal(32)
            rows.append(vector / np.linalg.norm(vector))
        return np.array(rows, dtype=np.float32).reshape(len(texts), 32)


def _embedded(path: Path, lang: str, encoder: PairEncoder) -> EmbeddedDocument:
    document = read_document(path, lang)
    sentences = segment_document(document)
    return EmbeddedDocument(document, tuple(sentences), encoder.encode([s.text for s in sentences]))


def _aligned(src: EmbeddedDocument, tgt: EmbeddedDocument, encoder: PairEncoder) -> list[tuple[list[str], list[str]]]:
    links = align_documents(src, tgt, AlignConfig(), encoder.encode)
    return [([src.sentences[i].text for i in link.src], [tgt.sentences[j].text for j in link.tgt]) for link in links]


@pytest.mark.parametrize("ru_format", ["docx", "odt", "epub"])
def test_alignment_of_read_files_equals_plain_text(tmp_path: Path, ru_format: str) -> None:
    ru_book, en_book = Book(RU.heading, RU.paragraphs, RU.footnote), EN
    (tmp_path / "ru.txt").write_text(ru_book.plain_text(), encoding="utf-8")
    (tmp_path / "en.txt").write_text(en_book.plain_text(), encoding="utf-8")
    maker = {"docx": make_docx, "odt": make_odt}.get(ru_format)
    ru_file = maker(tmp_path / f"ru.{ru_format}", ru_book) if maker else make_epub(tmp_path / "ru.epub", [ru_book])
    make_pdf(tmp_path / "en.pdf", [en_book], header=False)
    encoder = PairEncoder(plain_sentences(tmp_path, ru_book, "ru"), plain_sentences(tmp_path, en_book, "en"))
    plain = _aligned(_embedded(tmp_path / "ru.txt", "ru", encoder), _embedded(tmp_path / "en.txt", "en", encoder),
                     encoder)
    read = _aligned(_embedded(ru_file, "ru", encoder), _embedded(tmp_path / "en.pdf", "en", encoder), encoder)
    assert read == plain
    assert len(plain) == 7 and all(len(src) == len(tgt) == 1 for src, tgt in plain)  # the pairs were found


@pytest.mark.slow
def test_cli_pair_and_build_over_documents(tmp_path: Path) -> None:
    """`align pair ru.docx en.pdf` links the same texts as the plain files, with locations in
    links.jsonl; `align build` reads a folder of DOCX/ODT/EPUB against one of PDF/EPUB."""
    ru_book = Book(RU.heading, RU.paragraphs, RU.footnote)
    make_docx(tmp_path / "ru.docx", ru_book)
    make_pdf(tmp_path / "en.pdf", [EN], header=False)
    (tmp_path / "ru.txt").write_text(ru_book.plain_text(), encoding="utf-8")
    (tmp_path / "en.txt").write_text(EN.plain_text(), encoding="utf-8")
    runs = {}
    for name, (src, tgt) in {"docs": ("ru.docx", "en.pdf"), "plain": ("ru.txt", "en.txt")}.items():
        result = runner.invoke(app, ["pair", str(tmp_path / src), str(tmp_path / tgt), "--src-lang", "ru",
                                     "--tgt-lang", "en", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        runs[name] = [json.loads(line) for line in (tmp_path / name / "links.jsonl").read_text().splitlines()]
    assert [(r["ru"]["text"], r["en"]["text"]) for r in runs["docs"]] == [
        (r["ru"]["text"], r["en"]["text"]) for r in runs["plain"]]
    assert all("locations" not in r["ru"] for r in runs["plain"])
    assert runs["docs"][1]["ru"]["locations"] == ["paragraph 2, char 0"]
    assert runs["docs"][1]["en"]["locations"][0].startswith("page 1, line ")
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    src.mkdir()
    tgt.mkdir()
    make_docx(src / "a.docx", ru_book)
    make_odt(src / "b.odt", ru_book)
    make_epub(src / "c.epub", [ru_book])
    make_pdf(tgt / "a.pdf", [EN], header=False)
    make_pdf(tgt / "b.pdf", [EN], header=False)
    make_epub(tgt / "c.epub", [EN])
    result = runner.invoke(app, ["build", str(src), str(tgt), "-o", str(tmp_path / "corpus")])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (tmp_path / "corpus" / "links.jsonl").read_text().splitlines()]
    assert {r["pair"].split("|")[0].rsplit(".", 1)[-1] for r in records} == {"docx", "odt", "epub"}


# --- reader choice, cache, presegmented --------------------------------------

def test_format_chosen_by_content_not_suffix(tmp_path: Path) -> None:
    disguised = make_docx(tmp_path / "report.txt", RU)
    assert read_document(disguised, "ru").reader == "docx"
    make_epub(tmp_path / "book.zip", [RU])
    assert read_document(tmp_path / "book.zip", "ru").reader == "epub"
    make_pdf(tmp_path / "scan.docx", [EN])
    assert read_document(tmp_path / "scan.docx", "en").reader == "pdf"
    assert {reader_name(p.read_bytes(), p, 10**8) for p in tmp_path.iterdir()} == {"docx", "epub", "pdf"}


def test_document_cache_keeps_readers_apart(tmp_path: Path) -> None:
    cache = CacheFolder(tmp_path / "cache")
    path = tmp_path / "ru"
    make_docx(path, RU)
    first, _ = read_segmented(path, "ru", cache)
    make_odt(path, RU)
    second, _ = read_segmented(path, "ru", cache)
    assert (first.reader, second.reader) == ("docx", "odt")
    again, _ = read_segmented(path, "ru", cache)  # from the cache: locations survive pickling
    assert again.reader == "odt" and again.regions == second.regions


def test_presegmented_docx_gives_one_unit_per_paragraph(tmp_path: Path) -> None:
    document = read_lines(make_docx(tmp_path / "ru.docx", RU))
    assert [p.text for p in document.paragraphs] == blocks_of(RU) and not document.footnotes


def test_plain_text_has_no_regions(tmp_path: Path) -> None:
    (tmp_path / "ru.txt").write_text(RU.plain_text(), encoding="utf-8")
    document = read_document(tmp_path / "ru.txt", "ru")
    assert document.reader == "text" and document.regions == () and document.location(0) is None


# --- hostile and broken files -----------------------------------------------

def _error(path: Path, lang: str = "ru", **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        read_document(path, lang, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message


def test_zip_bomb_refused_before_inflating(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "ok.docx", RU)
    bomb = b"<w:document>" + b" " * 50_000_000 + b"</w:document>"
    rewrite_member(path, "word/document.xml", bomb, tmp_path / "bomb.docx")
    assert (tmp_path / "bomb.docx").stat().st_size < 200_000
    assert f"over {MAX_RATIO}x" in _error(tmp_path / "bomb.docx")
    assert "zip bomb" in _error(tmp_path / "bomb.docx")


def test_archive_text_past_max_input_refused(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "ok.docx", RU)
    message = _error(path, max_bytes=path.stat().st_size + 1000)
    assert "expands to" in message and "max_input_mb" in message


def test_external_entities_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doctype = f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY lol "lol">]>'
    path = make_docx(tmp_path / "ok.docx", RU)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode()
    body = xml.index("?>") + 2
    hostile = xml[:body] + doctype + xml[body:].replace(RU.heading, RU.heading + " &xxe;&lol;", 1)
    rewrite_member(path, "word/document.xml", hostile.encode(), tmp_path / "xxe.docx")
    epub = make_epub(tmp_path / "ok.epub", [RU])
    with zipfile.ZipFile(epub) as archive:
        chapter = archive.read("OEBPS/text/chapter1.xhtml").decode()
    chapter = chapter.replace("<html", doctype.replace("d [", "html [") + "<html", 1).replace(
        RU.heading + "</h1>", RU.heading + " &xxe;</h1>")
    rewrite_member(epub, "OEBPS/text/chapter1.xhtml", chapter.encode(), tmp_path / "xxe.epub")
    odt = make_odt(tmp_path / "ok.odt", RU)
    with zipfile.ZipFile(odt) as archive:
        content = archive.read("content.xml").decode()
    body = content.index("?>") + 2
    content = content[:body] + doctype + content[body:].replace(RU.heading, RU.heading + " &xxe;", 1)
    rewrite_member(odt, "content.xml", content.encode(), tmp_path / "xxe.odt")
    for name, member in (("xxe.docx", "word/document.xml"), ("xxe.epub", "OEBPS/text/chapter1.xhtml"),
                         ("xxe.odt", "content.xml")):
        message = _error(tmp_path / name)
        assert f"refused: {member} declares XML entities" in message and SECRET not in message


def test_entities_never_expanded_by_the_parser(tmp_path: Path) -> None:
    """Below the refusal, the parser itself reads no local file and expands no entity."""
    from align.ingest.archive import safe_xml_parser

    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    root = etree.fromstring(f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY lol "lol">]>'
                            "<d>a &xxe; &lol; b</d>".encode(), safe_xml_parser())
    assert "".join(root.itertext()) == "a &xxe; &lol; b"  # references left as written, none expanded


@pytest.mark.parametrize("maker", [make_docx, make_odt, lambda path, book: make_epub(path, [book])])
def test_truncated_archive(tmp_path: Path, maker) -> None:
    path = maker(tmp_path / "whole", RU)
    (tmp_path / "cut").write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert "broken or truncated archive" in _error(tmp_path / "cut")


def test_truncated_and_broken_pdf(tmp_path: Path) -> None:
    make_pdf(tmp_path / "whole.pdf", [EN])
    (tmp_path / "cut.pdf").write_bytes((tmp_path / "whole.pdf").read_bytes()[:600])
    assert "broken PDF" in _error(tmp_path / "cut.pdf", "en") or "scanned PDF" in _error(tmp_path / "cut.pdf", "en")


def test_pdf_decompression_bomb(tmp_path: Path) -> None:
    make_pdf_bomb(tmp_path / "bomb.pdf", 5_000_000)
    assert "draw over 4 MB each (a drawing, or a decompression bomb)" in _error(tmp_path / "bomb.pdf", "en")
    assert "past the limit of 1.0 MB" in _error(tmp_path / "bomb.pdf", "en", max_bytes=1_000_000)
    make_pdf_bomb(tmp_path / "small.pdf", 1000)
    assert read_document(tmp_path / "small.pdf", "en").text == "Hello world"


def test_other_containers_and_office_files_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "notes.zip", "w") as archive:
        archive.writestr("a.txt", "text")
    assert "a ZIP archive that is not a DOCX, ODT or EPUB document" in _error(tmp_path / "notes.zip")
    with zipfile.ZipFile(tmp_path / "sheet.ods", "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert "OpenDocument file of type spreadsheet" in _error(tmp_path / "sheet.ods")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert "old Word .doc or a password-protected Office file" in _error(tmp_path / "old.doc")
    (tmp_path / "a.rtf").write_bytes(b"{\\rtf1\\ansi Hello}")
    assert "RTF" in _error(tmp_path / "a.rtf")


def test_cli_hostile_document_is_exit_2_one_line(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "ok.docx", RU)
    rewrite_member(path, "word/document.xml", b"<w:document>" + b" " * 20_000_000 + b"</w:document>",
                   tmp_path / "bomb.docx")
    (tmp_path / "en.txt").write_text(EN.plain_text(), encoding="utf-8")
    result = runner.invoke(app, ["pair", str(tmp_path / "bomb.docx"), str(tmp_path / "en.txt"), "--src-lang", "ru",
                                 "--tgt-lang", "en", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error:") and len(result.output.strip().splitlines()) == 1
    assert "zip bomb" in result.output and not (tmp_path / "out").exists()


def test_encrypted_archive_member_refused(tmp_path: Path) -> None:
    """content.xml marked encrypted (flag bit 0 of its local and central headers; zipfile
    cannot write it, so the bytes are patched)."""
    path = make_odt(tmp_path / "ok.odt", RU)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo("content.xml").header_offset
    data[offset + 6] |= 0x1
    central = data.index(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(b"content.xml")] != b"content.xml":
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 8] |= 0x1
    (tmp_path / "locked.odt").write_bytes(bytes(data))
    assert "encrypted archive (content.xml needs a password)" in _error(tmp_path / "locked.odt")


@pytest.mark.parametrize("kind", ["docx", "odt", "epub", "pdf"])
def test_damaged_files_are_input_errors(tmp_path: Path, kind: str) -> None:
    """Bytes overwritten, cut short or cut out: a one-line InputError or a read, never another
    exception (a fixed seed; 30 damaged copies a format)."""
    import random

    book = EN if kind == "pdf" else RU
    maker = {"docx": make_docx, "odt": make_odt, "epub": lambda p, b: make_epub(p, [b]),
             "pdf": lambda p, b: make_pdf(p, [b])}[kind]
    maker(tmp_path / f"whole.{kind}", book)
    data = (tmp_path / f"whole.{kind}").read_bytes()
    rng = random.Random(7)
    for trial in range(30):
        damaged = bytearray(data)
        if trial % 3 == 0:
            for _ in range(rng.randint(1, 20)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        elif trial % 3 == 1:
            damaged = damaged[:rng.randrange(len(damaged))]
        else:
            cut = rng.randrange(len(damaged))
            damaged[cut:cut + rng.randint(1, 200)] = b""
        path = tmp_path / f"damaged.{kind}"
        path.write_bytes(bytes(damaged))
        try:
            read_document(path, "en" if kind == "pdf" else "ru")
        except InputError as error:
            assert "\n" not in str(error) and str(error).startswith(f"{path}: ")


def test_review_cites_the_page_and_line_of_a_pdf_and_the_line_of_a_text(tmp_path: Path) -> None:
    from align.export.lines import LineNumbers

    make_pdf(tmp_path / "en.pdf", [EN], header=False)
    (tmp_path / "en.txt").write_text(EN.plain_text(), encoding="utf-8")
    lines = LineNumbers()
    for name in ("en.pdf", "en.txt"):
        document = read_document(tmp_path / name, "en")
        sentences = segment_document(document)
        doc = EmbeddedDocument(document, tuple(sentences), np.zeros((len(sentences), 4), dtype=np.float32))
        cited = lines.words(doc, 1, 2)
        if name == "en.pdf":
            assert cited.startswith("page 1, line ") and cited.endswith(", char 0")
        else:
            assert cited.startswith("line") and "page" not in cited


def test_docx_empty_content_control_and_impossible_symbols_read_as_nothing(tmp_path: Path) -> None:
    """An ``<w:sdt/>`` with no content, and ``w:sym`` codes past Unicode or surrogates,
    are read as nothing, not a traceback."""
    path = make_docx(tmp_path / "plain.docx", RU)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    odd = ('<w:sdt/><w:p><w:r><w:t>Символы</w:t><w:sym w:char="FFFFFFFF"/><w:sym w:char="-1"/>'
           '<w:sym w:char="D800"/><w:sym w:char="F041"/><w:t> в строке.</w:t></w:r></w:p>')
    xml = xml.replace("<w:body>", "<w:body>" + odd, 1)
    document = read_document(rewrite_member(path, "word/document.xml", xml.encode(), tmp_path / "odd.docx"), "ru")
    assert document.paragraphs[0].text == "СимволыA в строке."
    document.raw.encode("utf-8")  # no lone surrogate
