"""Reader editions: the layout (rows level, every sentence once, escaping, notes, verse),
the HTML page in a real headless Chromium (hover lights the counterpart, each toggle works,
no console errors, no request), and the EPUB judged by epubcheck, on a made-up pair and on
the Chekhov, literary and bundled-corpus texts."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import lxml.html
import numpy as np
import pytest
from lxml import etree
from typer.testing import CliRunner

from align.cli import app
from align.export.edition import MetaOverrides, editions_of, parallel_edition
from align.export.edition_epub import edition_epub
from align.export.edition_html import edition_html
from align.fileio import write_file_set
from align.ingest import read_document
from align.model import AlignedPair, BuildResult, EmbeddedDocument, Flag, Link, Paragraph, Passage
from align.pipeline import segment_document

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_CACHE = Path.home() / ".cache" / "align"  # warm on developers' machines; CI fills it once

RU = """<html><body><p>Антон Чехов</p><h1>Хамелеон &amp; «кот»</h1>
<p>Через площадь идёт надзиратель. За ним шагает городовой.</p>
<p>Кругом тишина. <b>Ни души</b> &lt;script&gt;alert(1)&lt;/script&gt;.</p>
<p>Лишний абзац без перевода.</p>
<h2>Песня</h2>
<p>Вот мчится тройка удалая<br>Вдоль по дороге столбовой.<br>И колокольчик, дар Валдая,<br>Гудит уныло под дугой.</p>
</body></html>"""
EN = """<html><body><p>Anton Chekhov</p><h1>The Chameleon &amp; "cat"</h1>
<p>The superintendent walks across the square. A policeman strides after him.</p>
<p>There is silence all around. <i>Not a soul</i> &lt;script&gt;alert(2)&lt;/script&gt;.</p>
<h2>Song</h2>
<p>There speeds a troika bold and daring<br>Along the highway wide and long.<br>The bell, a gift of Valdai,
ringing,<br>Drones sadly under the yoke.</p>
<p>An added paragraph.</p>
</body></html>"""


def _embedded(path: Path, lang: str, notes: tuple[str, ...] = ()) -> EmbeddedDocument:
    document = read_document(path, lang)
    footnotes = tuple(Paragraph(i, text, 0, 0, "footnote") for i, text in enumerate(notes))
    document = replace(document, footnotes=footnotes)
    sentences = tuple(segment_document(document))
    return EmbeddedDocument(document, sentences, np.zeros((len(sentences), 4), dtype=np.float32))


@pytest.fixture
def made_up_pair(tmp_path) -> AlignedPair:
    """A pair with headings, verse, markup to escape, a 1-0 and a 0-1 link and notes;
    links by sentence order (no model)."""
    (tmp_path / "ru.html").write_text(RU, encoding="utf-8")
    (tmp_path / "en.html").write_text(EN, encoding="utf-8")
    src = _embedded(tmp_path / "ru.html", "ru", ("Примечание <автора> & ко.",))
    tgt = _embedded(tmp_path / "en.html", "en", ("The author's note.",))
    assert len(src.sentences) == 9 and len(tgt.sentences) == 9, [s.text for s in src.sentences]
    links = [Link((i,), (i,), 0.9) for i in range(6)]
    links[3] = Link((3,), (3,), 0.8, (Flag("omission", "major", "«Ни души» dropped"),))
    links += [Link((6,), (), 0.0), Link((7,), (6,), 0.9), Link((8,), (7,), 0.9), Link((), (8,), 0.0)]
    return AlignedPair(src, tgt, tuple(links), "parallel")


def _page(pair: AlignedPair, **meta) -> tuple[bytes, lxml.html.HtmlElement]:
    data = edition_html(parallel_edition(pair, "ru", "en", MetaOverrides(**meta)))
    return data, lxml.html.fromstring(data)


# --- layout and HTML structure ---------------------------------------------------------

def test_rows_are_level_and_hold_every_sentence_once(made_up_pair):
    edition = parallel_edition(made_up_pair, "ru", "en")
    rows = edition.sections[0].rows
    for side, doc in (("src", made_up_pair.src), ("tgt", made_up_pair.tgt)):
        # (the HTML reader joins lines at <br> without a space; the edition keeps the line breaks)
        shown = "".join(line for row in rows for block in getattr(row, side) for p in block.pieces for line in p.lines)
        assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", "".join(s.text for s in doc.sentences))
        rows_of_paragraph: dict[int, set[str]] = {}
        for row in rows:
            for block in getattr(row, side):
                for piece in block.pieces:
                    link = made_up_pair.links[piece.link - 1]
                    for i in (link.src if side == "src" else link.tgt):
                        rows_of_paragraph.setdefault(doc.sentences[i].paragraph, set()).add(row.anchor)
        assert all(len(anchors) == 1 for anchors in rows_of_paragraph.values())  # the columns stay level
    assert [row.heading for row in rows][:2] == [False, True]
    assert sum(len(u[0]) + len(u[1]) for row in rows for u in row.units) == 18


def test_title_author_toc_verse_notes_and_marks(made_up_pair):
    data, page = _page(made_up_pair, translator="Constance Garnett")
    assert page.findtext(".//h1") == "Хамелеон & «кот»"
    assert page.find(".//head/title").text == 'Хамелеон & «кот» · The Chameleon & "cat"'
    assert page.find(".//meta[@name='author']").get("content") == "Антон Чехов"
    assert "Translated by Constance Garnett" in page.text_content()
    toc = [a.text_content() for a in page.findall(".//nav[@class='toc']//a")]
    assert toc == ['Хамелеон & «кот» / The Chameleon & "cat"', "Песня / Song"]
    for a in page.findall(".//nav[@class='toc']//a"):
        assert page.get_element_by_id(a.get("href")[1:]) is not None
    verse = page.find_class("verse")[0]
    assert len(verse.findall(".//br")) == 3 and verse.text_content().startswith("Вот мчится тройка удалая")
    notes = page.get_element_by_id("notes")
    assert [li.text for li in notes.findall(".//li")] == ["Примечание <автора> & ко.", "The author's note."]
    kinds = {e.get("title") for kind in ("m-omission", "m-addition") for e in page.find_class(kind)}
    assert {"«Ни души» dropped", "not rendered in the translation", "not in the original"} <= kinds
    assert page.get_element_by_id("marks").get("checked") is None  # marks are off for readers


def test_the_wrapping_of_a_plain_text_is_not_taken_for_verse(tmp_path):
    """PDF-extracted prose is wrapped at the page's measure: its line breaks are not the
    author's (plain-text verse reaches the edition as one paragraph a line from ingest)."""
    prose = ("Городишко Б., состоящий из двух-трёх кривых улиц, спит непробудным\n"
             "сном. В застывшем воздухе тишина. Слышно только, как где-то далеко,\n"
             "должно быть за городом, жидким, охрипшим тенорком лает собака.\n")
    path = tmp_path / "text.txt"
    path.write_text(prose + "\n" + prose, encoding="utf-8")
    doc = _embedded(path, "ru")
    pair = AlignedPair(doc, doc, tuple(Link((i,), (i,), 1.0) for i in range(len(doc.sentences))), "parallel")
    blocks = [b for row in parallel_edition(pair, "ru", "ru").sections[0].rows for b in row.src]
    assert len(blocks) == 2 and not any(b.verse for b in blocks)
    assert all(len(p.lines) == 1 for b in blocks for p in b.pieces)


def test_every_text_is_escaped_and_nothing_loads(made_up_pair):
    data, page = _page(made_up_pair, title="<img src=x onerror=alert(3)>", author='"quoted" & <b>bold</b>')
    text = data.decode()
    assert "<script>alert" not in text and "<img src=x" not in text and "<b>bold" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert page.findtext(".//h1") == "<img src=x onerror=alert(3)>"
    assert len(page.findall(".//script")) == 1 and len(page.findall(".//style")) == 1
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text) and "@import" not in text and "url(" not in text
    assert not page.xpath("//@style") and not page.xpath("//@*[starts-with(name(), 'on')]")


def test_content_security_policy_allows_only_the_inline_style_and_script(made_up_pair):
    _, page = _page(made_up_pair)
    policy = page.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    digest = {kind: base64.b64encode(hashlib.sha256(page.find(f".//{kind}").text.encode()).digest()).decode()
              for kind in ("style", "script")}
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert f"style-src 'sha256-{digest['style']}'" in policy and f"script-src 'sha256-{digest['script']}'" in policy


def test_editions_of_a_build_name_one_per_pair(made_up_pair):
    result = BuildResult((made_up_pair.src,), (made_up_pair.tgt,), (made_up_pair, made_up_pair), {})
    assert [e.stem for e in editions_of(result, "ru", "en")] == ["ru--en", "ru--en-2"]


@pytest.mark.slow
def test_a_located_edition_heads_each_passage_with_its_place_and_keeps_its_notes(made_up_pair, tmp_path):
    src, tgt = made_up_pair.src, made_up_pair.tgt
    note = Paragraph(0, "Сноска к отрывку.", src.sentences[2].start + 1, src.sentences[2].start + 5, "footnote")
    src = replace(src, document=replace(src.document, footnotes=(note, Paragraph(1, "Далёкая.", 0, 1, "footnote"))))
    links = tuple(Link((i,), (i,), 0.9) for i in (1, 2, 7, 8))
    located = AlignedPair(src, tgt, links, "located", (Passage(7, 9, 7, 9, 1.3), Passage(1, 3, 1, 3, 1.2)))
    result = BuildResult((src,), (tgt,), (located,), {str(tgt.path): (0, 3, 4, 5, 6)})
    [edition] = editions_of(result, "ru", "en")
    assert edition.stem == "en" and [s.reference for s in edition.sections] == [
        "ru.html, lines 1-2 ↔ en.html, lines 1-2", "ru.html, lines 5-6 ↔ en.html, lines 5-7"]  # English order
    assert [e.tgt for e in edition.toc] == ["English lines 1-2 · Russian lines 1-2",
                                            "English lines 5-7 · Russian lines 5-6"]
    assert edition.src_notes == ("Сноска к отрывку.",)
    shown = [p.link for s in edition.sections for r in s.rows for b in r.src for p in b.pieces]
    assert shown == [1, 2, 3, 4]
    book = tmp_path / "located.epub"
    book.write_bytes(edition_epub(edition))
    _epubcheck(book)


def test_a_file_set_can_hold_folders_and_still_swaps_whole(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("mine")
    owned = {"a.txt", "editions"}
    write_file_set(out, {"a.txt": b"a", "editions/x.html": b"old", "editions/y.epub": b"old"}, owned=owned)
    write_file_set(out, {"a.txt": b"b", "editions/x.html": b"new"}, owned={"a.txt", "editions"})
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["README.md", "a.txt", "editions",
                                                                          "editions/x.html"]
    assert (out / "editions" / "x.html").read_bytes() == b"new"
    with pytest.raises(ValueError):
        write_file_set(out, {"../escape.txt": b"x"}, owned=set())
    assert (out / "a.txt").read_bytes() == b"b" and not (tmp_path / "escape.txt").exists()


def test_edition_command_refuses_an_unknown_format_at_once(tmp_path):
    (tmp_path / "a.txt").write_text("Текст.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Text.", encoding="utf-8")
    result = CliRunner().invoke(app, ["edition", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                                      "-o", str(tmp_path / "book.pdf")])
    assert result.exit_code == 2 and "an edition is a .html or .epub file" in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- EPUB structure ---------------------------------------------------------------------

def test_epub_has_mimetype_first_stored_langs_and_a_nav(made_up_pair):
    data = edition_epub(parallel_edition(made_up_pair, "ru", "en", MetaOverrides(translator="C. Garnett")))
    archive = zipfile.ZipFile(__import__("io").BytesIO(data))
    first = archive.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert archive.read("mimetype") == b"application/epub+zip" and data[30:38] == b"mimetype"
    opf = etree.fromstring(archive.read("EPUB/package.opf"))
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert [e.text for e in opf.iter(f"{dc}language")] == ["ru", "en"]
    assert opf.find(f".//{dc}contributor").text == "C. Garnett"
    nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
    assert nav.find(f".//{XHTML}nav").get("{http://www.idpf.org/2007/ops}type") == "toc"
    text = etree.fromstring(archive.read("EPUB/text-001.xhtml"))
    assert text.get("lang") == text.get(XML_LANG) == "ru"
    translated = [e for e in text.iter(f"{XHTML}p") if "tr" in (e.get("class") or "").split()]
    assert translated and all(e.get("lang") == e.get(XML_LANG) == "en" for e in translated)
    assert edition_epub(parallel_edition(made_up_pair, "ru", "en")) == edition_epub(
        parallel_edition(made_up_pair, "ru", "en"))  # same texts, same bytes


def _epubcheck(path: Path) -> str:
    if not (shutil.which("java") and EPUBCHECK.exists()):
        pytest.skip("epubcheck is not installed (apt-get install epubcheck; .ci/run does it)")
    run = subprocess.run(["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "0 fatals / 0 errors / 0 warnings" in output, output
    return output


@pytest.mark.slow
def test_epubcheck_passes_the_made_up_edition(made_up_pair, tmp_path):
    book = tmp_path / "book.epub"
    book.write_bytes(edition_epub(parallel_edition(made_up_pair, "ru", "en", MetaOverrides(translator="X"))))
    _epubcheck(book)


# --- a real browser -----------------------------------------------------------------------

def _open(driver, path: Path, width: int, height: int) -> None:
    driver.set_window_size(width, height)
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(path.as_uri())


def _requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _click(driver, target: str) -> None:
    driver.find_element("css selector", f"label[for={target}]").click()


def _shown(driver, selector: str) -> bool:
    return any(e.is_displayed() for e in driver.find_elements("css selector", selector))


@pytest.mark.slow
def test_the_page_in_chromium_hover_toggles_no_errors_no_requests(browser, made_up_pair, tmp_path, artefacts):
    from selenium.webdriver import ActionChains

    page = tmp_path / "book.html"
    page.write_bytes(edition_html(parallel_edition(made_up_pair, "ru", "en", MetaOverrides(translator="C. Garnett"))))
    _open(browser, page, 1280, 900)
    browser.save_screenshot(str(artefacts / "made-up-desktop.png"))

    first = browser.find_element("css selector", ".row:not(.heading) .src .s")
    ActionChains(browser).move_to_element(first).perform()
    key = first.get_attribute("data-l")
    lit = browser.find_elements("css selector", ".s.hl")
    assert {e.get_attribute("data-l") for e in lit} == {key}
    counterpart = browser.find_element("css selector", f".side.tgt .s[data-l='{key}']")
    assert "hl" in counterpart.get_attribute("class").split()
    assert browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", counterpart) != \
        "rgba(0, 0, 0, 0)"
    first.click()  # a tap pins the pair
    assert "pin" in counterpart.get_attribute("class").split()
    browser.save_screenshot(str(artefacts / "made-up-desktop-highlight.png"))

    assert _shown(browser, ".side.src") and _shown(browser, ".side.tgt") and not _shown(browser, ".il")
    _click(browser, "v-inter")
    assert not _shown(browser, ".side") and _shown(browser, ".il .u .src") and _shown(browser, ".il .u .tgt")
    unit = browser.find_element("css selector", ".il .u")
    below = browser.execute_script("var p=arguments[0].children;return p[1].getBoundingClientRect().top>="
                                   "p[0].getBoundingClientRect().bottom-1", unit)
    assert below  # sentence under sentence
    browser.save_screenshot(str(artefacts / "made-up-interlinear.png"))
    _click(browser, "v-src")
    assert _shown(browser, ".side.src") and not _shown(browser, ".side.tgt")
    _click(browser, "v-tgt")
    assert _shown(browser, ".side.tgt") and not _shown(browser, ".side.src")
    _click(browser, "v-side")
    row = ".row:not(.heading)"
    src_x = browser.find_element("css selector", f"{row} .side.src").rect["x"]
    tgt_x = browser.find_element("css selector", f"{row} .side.tgt").rect["x"]
    assert src_x < tgt_x
    _click(browser, "swap")
    assert browser.find_element("css selector", f"{row} .side.src").rect["x"] > \
        browser.find_element("css selector", f"{row} .side.tgt").rect["x"]
    _click(browser, "swap")
    mark = browser.find_element("css selector", ".m-omission")
    decoration = "return getComputedStyle(arguments[0]).textDecorationLine"
    assert browser.execute_script(decoration, mark) == "none" and not _shown(browser, ".legend")
    _click(browser, "marks")
    assert _shown(browser, ".legend")
    assert browser.execute_script(decoration, mark) == "underline"
    assert browser.execute_script("return getComputedStyle(arguments[0], '::before').content", mark) == '"−"'
    browser.save_screenshot(str(artefacts / "made-up-marks.png"))

    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors
    assert _requests(browser) == [page.as_uri()]


@pytest.mark.slow
def test_the_page_keeps_its_layout_with_scripts_off_and_stacks_on_a_phone(browser, made_up_pair, tmp_path, artefacts):
    page = tmp_path / "book.html"
    page.write_bytes(edition_html(parallel_edition(made_up_pair, "ru", "en")))
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        _open(browser, page, 390, 844)
        browser.save_screenshot(str(artefacts / "made-up-phone-no-script.png"))
        row = ".row:not(.heading)"
        src = browser.find_element("css selector", f"{row} .side.src").rect
        tgt = browser.find_element("css selector", f"{row} .side.tgt").rect
        assert tgt["y"] >= src["y"] + src["height"] - 1  # stacked: original, then translation
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        _click(browser, "v-inter")  # the views are CSS: they work without the script
        assert not _shown(browser, ".side") and _shown(browser, ".il")
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


@pytest.mark.slow
def test_the_page_follows_a_dark_scheme_and_prints_without_controls(browser, made_up_pair, tmp_path, artefacts):
    page = tmp_path / "book.html"
    page.write_bytes(edition_html(parallel_edition(made_up_pair, "ru", "en")))
    background = "return getComputedStyle(document.body).backgroundColor"
    try:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        _open(browser, page, 1280, 900)
        assert browser.execute_script(background) == "rgb(22, 21, 19)"
        browser.save_screenshot(str(artefacts / "made-up-dark.png"))
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert browser.execute_script(background) == "rgb(255, 255, 255)"
        assert not _shown(browser, ".controls") and _shown(browser, ".side.tgt")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})


# --- real texts (the aligner's models) ------------------------------------------------------

def _dev_pair_as_html(folder: Path, stem: str, out: Path) -> tuple[Path, Path]:
    """A dev pair (line 1 author, `<h1>`, one paragraph a line, `<delimiter>` a line break) as
    two HTML files, so that headings and verse lines reach the reader."""
    if not (folder / f"{stem}_ru.txt").exists():
        pytest.skip(f"dev data not found: {folder} (see ../shared/data/README.md)")
    paths = []
    for lang in ("ru", "en"):
        lines = (folder / f"{stem}_{lang}.txt").read_text(encoding="utf-8").splitlines()
        body = []
        for line in (line.strip() for line in lines):
            if not line or line == "<delimiter>":
                continue
            heading = re.fullmatch(r"<h(\d)>(.*)</h\1>", line)
            body.append(line if heading else f"<p>{line.replace('<delimiter>', '<br>')}</p>")
        path = out / lang / f"{stem}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<!DOCTYPE html><html><body>\n" + "\n".join(body) + "\n</body></html>\n", encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def _edition_command(src: Path, tgt: Path, output: Path, *extra: str) -> None:
    result = CliRunner().invoke(app, ["-q", "edition", str(src), str(tgt), "-o", str(output),
                                      "--cache-dir", str(DEFAULT_CACHE), *extra])
    assert result.exit_code == 0, result.output
    assert output.exists()


@pytest.mark.slow
@pytest.mark.parametrize("folder, stem", [("chekhov_ru-en_paragraphs", "khameleon"),
                                          ("literary_ru-en_paragraphs", "the_happy_prince")])
def test_editions_of_dev_books_pass_epubcheck(folder, stem, tmp_path, browser, artefacts):
    src, tgt = _dev_pair_as_html(DATA / folder, stem, tmp_path)
    book = tmp_path / f"{stem}.epub"
    _edition_command(src, tgt, book, "--translator", "Constance Garnett" if "chekhov" in folder else "—")
    print(_epubcheck(book))
    page = tmp_path / f"{stem}.html"
    _edition_command(src, tgt, page)
    html = lxml.html.fromstring(page.read_bytes())
    assert html.find_class("row") and html.findall(".//nav[@class='toc']//a")
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        _open(browser, page, width, height)
        browser.save_screenshot(str(artefacts / f"{stem}-{name}.png"))
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert _requests(browser) == [page.as_uri()]


@pytest.mark.slow
def test_build_of_the_bundled_corpus_writes_a_located_edition_that_passes_epubcheck(tmp_path, browser, artefacts):
    out = tmp_path / "output"
    result = CliRunner().invoke(app, ["-q", "build", str(ROOT / "corpus" / "ru"), str(ROOT / "corpus" / "en"),
                                      "-o", str(out), "--cache-dir", str(DEFAULT_CACHE)])
    assert result.exit_code == 0, result.output
    books = sorted((out / "editions").glob("*.epub"))
    # one edition per English text with passages found (the other article has no source here)
    assert [b.stem for b in books] == ["trotsky_expulsion_article"]
    for book in books:
        _epubcheck(book)
        page = lxml.html.fromstring(book.with_suffix(".html").read_bytes())
        references = [h.text for h in page.find_class("ref")]
        assert references and all(re.match(r"trotsky_opposition_politburo_documents\.txt, lines? \d", r)
                                  for r in references)
    _open(browser, books[0].with_suffix(".html"), 1280, 900)
    browser.save_screenshot(str(artefacts / "located-desktop.png"))
    _open(browser, books[0].with_suffix(".html"), 390, 844)
    browser.save_screenshot(str(artefacts / "located-phone.png"))
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.slow
def test_an_edition_from_the_corpus_database_equals_the_builds_and_checks_its_files(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(ru), str(en), "-o", str(out)]).exit_code == 0
    db, book = out / "corpus.sqlite", tmp_path / "book.html"
    result = runner.invoke(app, ["edition", "--db", str(db), "--pair", "1", "-o", str(book)])
    assert result.exit_code == 0, result.output
    assert book.read_bytes() == (out / "editions" / "statement.html").read_bytes()
    missing = runner.invoke(app, ["edition", "--db", str(db), "--pair", "7", "-o", str(book)])
    assert missing.exit_code == 2 and "no document pair 7; the pairs: 1: " in " ".join(missing.output.split())
    (en / "statement.txt").write_text((en / "statement.txt").read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
    changed = runner.invoke(app, ["edition", "--db", str(db), "--pair", "1", "-o", str(book)])
    assert changed.exit_code == 2 and "changed since the corpus was built" in changed.output
