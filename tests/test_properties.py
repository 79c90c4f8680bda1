"""Properties that hold for any input (hypothesis): the splitter, the PDF clean-up, decoding,
number and date extraction, romanisation and every writer never raise, lose no text, and
map offsets back exactly; the writers write the same text in every format."""

import csv
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree, html

from align.errors import InputError
from align.export import ExportContext, outputs_of
from align.export.registry import render_all
from align.export.run import run_record
from align.export.safe import cell, md, plain
from align.flags.numbers import day_figures, numbers_in
from align.ingest.decode import decode_bytes
from align.ingest.pdftext import clean_pdf_text
from align.model import AlignedPair, BuildResult, Document, EmbeddedDocument, Flag, Link, Paragraph, Passage, Sentence
from align.segment import split_document, split_spans
from align.settings import Settings
from align.text import romanise
from align.translit import names_match, romanisations, ru_stem, skeleton

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text like the inputs: Russian and English words, digits, the punctuation the rules look
# at, abbreviations, and every kind of white space and line break.
WORDS = ["Троцкий", "сказал", "т.", "г.", "гг.", "и др.", "ЦК", "ВКП(б).", "Mr.", "Dr.", "U.S.", "the", "He",
         "said.", "1929", "12", "№", "«цитата»", "“quote”", "…", "...", "?", "!", ";", ":", "-", "–", "—",
         "(", ")", "Ф. 3.", "Оп. 1.", "Д. 5.", "а)", "1)", "II.", "е.", "пере-", "ход", "вто-", "рой", "漢字。",
         "Б.Л.", "5", "42", "ЗАГОЛОВОК", "Heading", "с.", "Сталина»9", "word-", "break"]
SPACES = [" ", "  ", "\n", "\n\n", "\r\n", "\t", " " * 25 + "\n", "\u00a0", "\x0c", "\u2028"]
free_text = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(SPACES), st.text(max_size=6)),
                     max_size=80).map("".join)
# Text as a PDF extraction lays it out: wrapped lines between blank ones, page numbers, footnote
# separators followed by numbered notes, headings, hyphenated line ends.
text_line = st.tuples(st.lists(st.sampled_from(WORDS), max_size=14),
                      st.sampled_from(["сказал", "the", "пере-", "word-", "Троцкий", "said.", "1929"])).map(
    lambda words_last: " ".join(words_last[0] + [words_last[1]]))
pdf_line = st.one_of(text_line, text_line, st.just(""), st.just(" " * 30), st.sampled_from(["5", " 12 ", "3", "№ 7"]),
                     text_line.map(lambda line: "1 " + line), text_line.map(lambda line: " " + line))
pdf_text = st.tuples(st.lists(pdf_line, max_size=40), st.sampled_from(["\n", "\n\n", "\n\n", "\r\n\r\n"])).map(
    lambda lines_joiner: lines_joiner[1].join(lines_joiner[0]))
document_text = st.one_of(free_text, pdf_text)
# Hostile strings for the writers: control characters, XML's non-characters, formulas, markup.
HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "<script>alert(1)</script>", "[x](javascript:alert(1))",
           "**bold**", "| cell |", "\t", "\n", "\r", "\r\n", "\x00", "\x01", "\x1b[31m", "\ufffe", "\uffff", "\x85",
           "\u2028", "\u2029", "&amp;", "]]>", "\"", "'", "`", "# heading", "Троцкий", "漢字"]
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(codec="utf-8"), max_size=8)),
                        min_size=1, max_size=6).map("".join)


# ---------------------------------------------------------------- the splitter

@FAST
@given(document_text)
def test_split_spans_cover_every_non_space_character_in_order(text):
    spans = split_spans(text, "ru")
    for (start, end), following in zip(spans, spans[1:] + [(len(text), len(text))]):
        assert 0 <= start < end <= following[0]
        assert not text[start].isspace() and not text[end - 1].isspace()
    covered = "".join(text[s:e] for s, e in spans)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)


def _non_space(text):
    return re.sub(r"\s", "", text)


@FAST
@given(document_text)
def test_split_document_loses_no_text_and_maps_offsets_back_to_the_file(raw):
    paragraphs, _ = clean_pdf_text(raw)
    document = Document(Path("x.txt"), "ru", raw, tuple(paragraphs))
    sentences = split_document(document)
    assert _non_space("".join(s.text for s in sentences)) == _non_space("".join(p.text for p in paragraphs))
    for sentence in sentences:
        assert sentence.text and sentence.text == sentence.text.strip()
        assert 0 <= sentence.start < sentence.end <= len(raw)
        # The first and last characters are the file's own; the rest is the file's text in order.
        assert raw[sentence.start] == sentence.text[0] and raw[sentence.end - 1] == sentence.text[-1]
        assert _is_subsequence(_non_space(sentence.text), raw[sentence.start:sentence.end])


def _is_subsequence(needle, haystack):
    rest = iter(haystack)
    return all(ch in rest for ch in needle)


# ---------------------------------------------------------------- the PDF clean-up

@FAST
@given(document_text)
def test_pdf_clean_up_copies_runs_verbatim_and_drops_only_digits_and_mended_hyphens(raw):
    paragraphs, footnotes = clean_pdf_text(raw)
    copied = [0] * len(raw)
    for paragraph in paragraphs + footnotes:
        assert "\n" not in paragraph.text and paragraph.text == paragraph.text.strip()
        inside = [False] * len(paragraph.text)
        for clean_start, original_start, length in paragraph.pieces:
            assert paragraph.text[clean_start:clean_start + length] == raw[original_start:original_start + length]
            for k in range(length):
                copied[original_start + k] += 1
                inside[clean_start + k] = True
        # Outside the verbatim runs a paragraph holds only the single spaces that join them.
        assert all(ch == " " for ch, copy in zip(paragraph.text, inside) if not copy)
    # Documented removals: page numbers, footnote numbers and markers (digits), a mended
    # line-end hyphen, and white space; every other character is kept once.
    lost = [ch for ch, n in zip(raw, copied) if n == 0 and not ch.isspace() and not ch.isdigit() and ch != "-"]
    assert lost == [] and max(copied, default=0) <= 1


# ---------------------------------------------------------------- decoding

@FAST
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\r\t"), max_size=300))
def test_any_utf8_text_decodes_to_itself(text):
    data = text.encode("utf-8")
    try:
        decoded, encoding = decode_bytes(data, "t.txt")
    except InputError as err:  # only a file of nothing but white space, or one with a magic number
        assert not text.removeprefix("\ufeff").strip() or data.startswith((b"%PDF-", b"PK\x03\x04")), err
        return
    assert decoded == text.removeprefix("\ufeff") and encoding in ("utf-8", "utf-8-sig")


@FAST
@given(st.binary(max_size=600))
def test_any_bytes_are_text_or_one_input_error(data):
    try:
        text, encoding = decode_bytes(data, "b.txt")
    except InputError as err:
        assert str(err).startswith("b.txt: ")
        return
    assert isinstance(text, str) and text.strip() and isinstance(encoding, str)


# ---------------------------------------------------------------- numbers and dates

@FAST
@given(st.text(max_size=200), st.sampled_from(["ru", "en", "de"]))
def test_number_extraction_never_raises(text, lang):
    found = numbers_in(text, lang)
    assert all(count > 0 for count in found.values())
    day_figures(text, lang)


@FAST
@given(st.integers(0, 10**12), st.sampled_from([("ru", "Всего было", "человек."), ("ru", "В", "году"),
                                                ("en", "There were", "people."), ("en", "In", "they came")]))
def test_a_number_written_in_digits_is_found(number, context):
    lang, before, after = context
    assert str(number) in numbers_in(f"{before} {number} {after}", lang)


@FAST
@given(st.integers(1, 31), st.sampled_from([("ru", "{d} июля 1929 г."), ("en", "on July {d}, 1929"),
                                           ("en", "on {d} July 1929")]))
def test_a_day_next_to_a_month_is_a_date(day, case):
    lang, pattern = case
    text = pattern.format(d=day)
    assert day_figures(text, lang) == {str(day)}
    assert "month:7" in numbers_in(text, lang) and "1929" in numbers_in(text, lang)


# ---------------------------------------------------------------- transliteration

russian_word = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
                       min_size=1, max_size=20)


@FAST
@given(russian_word)
def test_russian_words_romanise_to_lowercase_ascii(word):
    assert re.fullmatch(r"[a-z]*", romanise(word))
    assert all(re.fullmatch(r"[a-z]*", variant) for variant in romanisations(ru_stem(word)))


@FAST
@given(st.text(max_size=30), st.text(max_size=30))
def test_transliteration_never_raises_and_skeletons_are_ascii(ru_word, en_word):
    assert not re.search("[а-яё]", romanise(ru_word))
    assert re.fullmatch(r"[a-z0-9]*", skeleton(en_word))
    assert isinstance(names_match(ru_word, en_word), bool)


# ---------------------------------------------------------------- the writers

def _side(folder, name, lang, texts):
    """A document of one sentence per line (its raw file written: run.json hashes it)."""
    path = folder / name
    raw, paragraphs, sentences = "", [], []
    for i, text in enumerate(texts):
        start = len(raw)
        raw += text + "\n"
        paragraphs.append(Paragraph(i, text, start, start + len(text), "body", ((0, start, len(text)),)))
        sentences.append(Sentence(str(path), i, i, text, start, start + len(text)))
    path.write_bytes(raw.encode("utf-8", "surrogatepass"))
    document = Document(path, lang, raw, tuple(paragraphs))
    return EmbeddedDocument(document, tuple(sentences), np.zeros((len(texts), 0), dtype=np.float32))


def _links(n_src, n_tgt, evidence):
    """1-1 links in order, then the rest of the longer side as 1-0 or 0-1; flags on the first."""
    links = [Link((i,), (i,), 0.5) for i in range(min(n_src, n_tgt))]
    links += [Link((i,), (), 0.0) for i in range(n_tgt, n_src)] + [Link((), (j,), 0.0) for j in range(n_src, n_tgt)]
    flag = Flag("name", "major", evidence, 0.7, ((0, 1),), ())
    return tuple([Link(links[0].src, links[0].tgt, 0.5, (flag,))] + links[1:]) if links else ()


file_name = st.text(alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
                    min_size=1, max_size=20).filter(lambda n: n not in (".", "..") and len(n.encode()) < 200)


def _result(folder, src_name, tgt_name, src_texts, tgt_texts, evidence, located):
    src = _side(folder, src_name + ".ru", "ru", src_texts)
    tgt = _side(folder, tgt_name + ".en", "en", tgt_texts)
    links = _links(len(src_texts), len(tgt_texts), evidence)
    if located:
        pair = AlignedPair(src, tgt, links, "located", (Passage(0, len(tgt_texts), 0, len(src_texts), 0.5),))
        unmatched = {str(tgt.path): tuple(range(len(tgt_texts)))}
    else:
        pair, unmatched = AlignedPair(src, tgt, links, "parallel"), {}
    return BuildResult((src,), (tgt,), (pair,), unmatched)


def _rendered(result):
    writers = outputs_of(result)
    inputs = [result.src_docs[0].path, result.tgt_docs[0].path]
    context = ExportContext(result, run_record("build", Settings(), inputs, [w.name for w in writers]), "ru", "en")
    return dict(render_all(context, writers))


def _tsv_rows(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""), delimiter="\t"))


@pytest.mark.slow
@SLOW
@given(file_name, file_name, st.lists(hostile_text, min_size=1, max_size=4), st.lists(hostile_text, min_size=1, max_size=4),
       hostile_text, st.booleans())
def test_every_writer_is_total_and_writes_the_same_text(src_name, tgt_name, src_texts, tgt_texts, evidence, located):
    with tempfile.TemporaryDirectory() as folder:
        result = _result(Path(folder), src_name, tgt_name, src_texts, tgt_texts, evidence, located)
        files = _rendered(result)
    pair = result.pairs[0]
    joined = [(" ".join(pair.src.sentences[i].text for i in link.src), " ".join(pair.tgt.sentences[j].text
                                                                               for j in link.tgt))
              for link in pair.links]

    records = [json.loads(line) for line in files["links.jsonl"].decode("utf-8").splitlines()]
    assert [(r["ru"]["text"], r["en"]["text"]) for r in records] == [(plain(s), plain(t)) for s, t in joined]
    assert records[0]["flags"][0]["evidence"] == plain(evidence)

    rows = _tsv_rows(files["pairs.tsv"])
    assert [(r["src_text"], r["tgt_text"]) for r in rows] == [(cell(s), cell(t)) for s, t in joined]
    assert len(rows) == len(pair.links) and all(None not in r for r in rows)  # no cell shifted or split

    # The two TMX files (trusted links, and those held back by a major flag) hold the plain
    # text between them, each link once; neutralised as a spreadsheet cell, it is the TSV's.
    segs = sorted([seg.text or "" for seg in tu.iter("seg")] for name in ("corpus.tmx", "corpus.flagged.tmx")
                  for tu in etree.fromstring(files[name]).iter("tu"))
    assert segs == sorted([plain(s), plain(t)] for (s, t), link in zip(joined, pair.links) if link.src and link.tgt)
    both = sorted([r["src_text"], r["tgt_text"]] for r, link in zip(rows, pair.links) if link.src and link.tgt)
    assert sorted([cell(s), cell(t)] for s, t in segs) == both

    for name, data in files.items():
        if name.endswith(".md"):
            assert not re.search(r"(?<!\\)<script", data.decode("utf-8"))
        if name.endswith(".html"):
            page = html.fromstring(data)
            assert len(page.xpath("//script[contains(., 'alert(1)')]")) == 0
        if name.endswith(".epub"):
            with zipfile.ZipFile(io.BytesIO(data)) as epub:
                for member in epub.namelist():
                    if member.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                        etree.fromstring(epub.read(member))  # well-formed XML
        if name.endswith(".sqlite"):
            with tempfile.NamedTemporaryFile(suffix=".sqlite") as db_file:
                db_file.write(data)
                db_file.flush()
                with sqlite3.connect(db_file.name) as db:
                    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_corpus_database_takes_letters_without_a_unicode_name(tmp_path):
    """pymorphy3 asks every letter's Unicode name; Tangut letters have none in Python 3.11."""
    result = _result(tmp_path, "a", "b", ["Слово \U00017000 слово."], ["Word \U00017000 word."], "ev", False)
    assert _rendered(result)["corpus.sqlite"]


@FAST
@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=40))
def test_plain_text_is_valid_xml_and_utf8_and_cells_start_no_formula(text):
    clean = plain(text)
    assert len(clean) == len(text)
    clean.encode("utf-8")  # no lone surrogate left
    seg = etree.Element("seg")
    seg.text = clean  # lxml refuses what XML 1.0 cannot hold
    assert not cell(text).startswith(("=", "+", "-", "@", "\t")) and "\r" not in cell(text)


@FAST
@given(hostile_text)
def test_markdown_text_is_one_line_that_unescapes_to_the_plain_text(text):
    escaped = md(text)
    assert "\n" not in escaped and "\r" not in escaped
    assert not re.search(r"(?<!\\)[<>\[\]|*_`]", re.sub(r"\\\\", "", escaped))
    assert re.sub(r"\\(.)", r"\1", escaped) == plain(text).replace("\r", " ").replace("\n", " ")
