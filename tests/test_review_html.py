"""review.html: what it lists (flagged links and runs left out or added, in reading order,
unflagged links not), the highlighted words, context and file:line, the counts and the map;
hostile corpus text and file names shown as text under a strict CSP with nothing external;
and the page in a real headless Chromium: filter by a kind, search a word, map click."""

from __future__ import annotations

import base64
import hashlib
import re

import lxml.html
import pytest

from align.export import WRITERS
from align.export.lines import LineNumbers
from align.export.review_html import review_html
from align.model import Flag, Link
from synthetic_pair import document, pair

HOSTILE = '<script>alert(1)</script> javascript:alert(2) "><img src=x onerror=alert(3)>'
RU = [["Первое предложение без ошибок.", "В 1924 году решение было принято."],
      ["Сталин ответил Троцкому.", "Это предложение пропущено в переводе."],
      [f"Враждебный текст {HOSTILE}.", "Два предложения.", "Слиты в одно."],
      ["Последнее предложение."]]
EN = [["The first sentence without errors.", "In 1925 the decision was made."],
      ["Stalin answered him."],
      [f"Hostile text {HOSTILE}.", "Two sentences merged into one.", "A sentence the translator added."],
      ["The last sentence."]]


@pytest.fixture
def made_up(tmp_path):
    src = document(tmp_path / "ru" / "doc.txt", "ru", RU)
    tgt = document(tmp_path / 'en "><i>x' / "doc.txt", "en", EN)
    troc = RU[1][0].index("Троцкому")
    links = [
        Link((0,), (0,), 0.91),
        Link((1,), (1,), 0.72, (Flag("date", "major", "1924 ↔ 1925"),)),
        Link((2,), (2,), 0.66, (Flag("name", "major", "Троцкому ↔ –", 0.8, src_spans=((troc, troc + 8),)),)),
        Link((3,), (), 0.0, (Flag("omission", "major", RU[1][1]),)),
        Link((4,), (3,), 0.55, (Flag("format", "minor", "unpaired <bracket>", 0.3, tgt_spans=((12, 20),)),)),
        Link((5, 6), (4,), 0.35, (Flag("length", "minor", "longer than usual"),)),
        Link((), (5,), 0.0, (Flag("addition", "minor", EN[2][2]),)),
        Link((7,), (6,), 0.88),
    ]
    return pair(src, tgt, links)


def _page(made_up) -> tuple[bytes, lxml.html.HtmlElement]:
    data = review_html((made_up,), LineNumbers(), "ru", "en", "align:test")
    return data, lxml.html.fromstring(data)


def test_lists_flagged_links_and_runs_in_reading_order_not_clean_links(made_up):
    _, page = _page(made_up)
    items = page.find_class("item")
    assert [item.get("id") for item in items] == ["p1-1", "p1-2", "p1-3", "p1-4", "p1-5", "p1-6"]
    assert [item.get("class").split()[1] for item in items] == ["link", "link", "omitted", "link", "link", "added"]
    shown = page.text_content()
    assert RU[0][0] in shown  # as context of the next item only
    assert not any(RU[0][0] in item.find_class("text")[0].text_content() for item in items)
    assert items[0].get("data-f") == "date:major" and items[3].get("data-f") == "format:minor"
    assert page.get_element_by_id("p1-5").findtext(".//div[@class='head']/a") == "2-1 link"


def test_differing_words_are_highlighted_with_context_and_file_lines(made_up):
    _, page = _page(made_up)
    date = page.get_element_by_id("p1-1")
    ru_side, en_side = date.find_class("side")
    assert [m.text for m in ru_side.iter("mark")] == ["1924"] and [m.text for m in en_side.iter("mark")] == ["1925"]
    assert ru_side.get("lang") == "ru" and en_side.get("lang") == "en"
    assert [p.text for p in ru_side.find_class("ctx")] == [RU[0][0], RU[1][0]]  # a sentence before and after
    assert ru_side.find_class("file")[0].text == f"{made_up.src.path}:1"
    assert en_side.find_class("file")[0].text == f"{made_up.tgt.path}:1"
    name = page.get_element_by_id("p1-2")
    assert [(m.text, m.get("class")) for m in name.iter("mark")] == [("Троцкому", "k-name")]
    assert name.find_class("file")[0].text.endswith("doc.txt:2")
    omitted = page.get_element_by_id("p1-3")
    ru_side, en_side = omitted.find_class("side")
    assert ru_side.find_class("text")[0].text_content() == RU[1][1]
    assert en_side.find_class("none")[0].text == "nothing here"
    # the English side shows where the rendering would be: the sentences around the gap
    assert [p.text for p in en_side.find_class("ctx")] == [EN[1][0], EN[2][0]]
    assert en_side.find_class("file")[0].text.endswith("doc.txt:2-3")
    merged = page.get_element_by_id("p1-5")
    assert merged.find_class("file")[0].text.endswith(":3")
    assert merged.find_class("text")[0].text_content() == "Два предложения. Слиты в одно."


def test_counts_by_kind_and_severity_and_the_map(made_up):
    _, page = _page(made_up)
    table = page.find_class("counts")[0]
    assert [th.text_content().strip() for th in table.findall(".//thead//th")] == ["kind", "critical", "major", "minor"]
    rows = {tr.find("th").text_content().strip(): [td.text or "" for td in tr.findall("td")]
            for tr in table.findall(".//tbody/tr")}
    assert rows == {"addition": ["", "", "1"], "date": ["", "1", ""], "format": ["", "", "1"],
                    "length": ["", "", "1"], "name": ["", "1", ""], "omission": ["", "1", ""]}
    svg = page.find(".//svg")
    assert svg.get("viewbox") == "0 0 7 8"  # English sentences across, Russian down
    paths = {p.get("class"): p.get("d") for p in svg.iter("path")}
    assert sum(d.count("M") for css, d in paths.items() if not css.startswith("m-")) == len(made_up.links)
    assert paths["b4"] == "M0 0l1 1M6 7l1 1" and paths["gap"] == "M3 3l0 1M5 7l1 0"
    assert paths["m-major"].count("M") == 3 and paths["m-minor"].count("M") == 3


def test_hostile_text_is_text_under_a_strict_csp_with_nothing_external(made_up):
    data, page = _page(made_up)
    text = data.decode()
    assert len(page.findall(".//script")) == 1 and page.find(".//img") is None and page.find(".//i") is None
    assert HOSTILE in page.get_element_by_id("p1-4").text_content()
    assert f'{made_up.tgt.path}:3' in page.get_element_by_id("p1-4").text_content()
    for element in page.iter():
        for name, value in element.attrib.items():
            assert not name.startswith("on"), (element.tag, name)
            assert "javascript:" not in value.lower()
            if name in ("href", "src", "action", "xlink:href"):
                assert value.startswith("#"), value
    assert not re.search(r"https?://|//[a-z]", text.replace("default-src", "")) and "@import" not in text
    csp = page.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'none'" in csp and "unsafe" not in csp and "connect-src 'none'" in csp
    style, script = page.find(".//style").text, page.find(".//script").text
    for code, directive in ((style, "style-src"), (script, "script-src")):
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp


def test_the_writer_is_registered_and_renders_the_same_bytes_twice(made_up):
    writer = WRITERS["review.html"]
    assert writer.format == "review-html"
    assert _page(made_up)[0] == _page(made_up)[0]


# --- a real browser -----------------------------------------------------------------------

def _visible(driver) -> list[str]:
    return [e.get_attribute("id") for e in driver.find_elements("css selector", ".item") if e.is_displayed()]


@pytest.mark.slow
def test_in_chromium_filter_by_kind_search_and_map_click(browser, made_up, tmp_path, artefacts):
    page = tmp_path / "review.html"
    page.write_bytes(review_html((made_up,), LineNumbers(), "ru", "en", "align:test"))
    browser.set_window_size(1280, 1000)
    browser.get_log("browser")
    browser.get(page.as_uri())
    assert browser.execute_script("return typeof window.reviewReady") == "number"
    assert browser.find_element("id", "shown").text == "6 of 6 shown"
    hostile = browser.find_element("id", "p1-4").find_element("css selector", ".text")
    assert hostile.text.startswith("Враждебный текст <script>")
    browser.save_screenshot(str(artefacts / "review-all.png"))
    for box in browser.find_elements("css selector", "input[data-kind]"):
        if box.get_attribute("data-kind") != "date":
            box.click()
    assert _visible(browser) == ["p1-1"] and browser.find_element("id", "shown").text == "1 of 6 shown"
    browser.save_screenshot(str(artefacts / "review-date-only.png"))
    for box in browser.find_elements("css selector", "input[data-kind]"):
        if not box.is_selected():
            box.click()
    browser.find_element("css selector", "input[data-severity=minor]").click()
    assert _visible(browser) == ["p1-1", "p1-2", "p1-3"]
    browser.find_element("css selector", "input[data-severity=minor]").click()
    search = browser.find_element("id", "q")
    search.send_keys("Stalin")
    browser.implicitly_wait(0)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 3).until(lambda d: d.find_element("id", "shown").text == "1 of 6 shown")
    assert _visible(browser) == ["p1-2"]
    browser.save_screenshot(str(artefacts / "review-search.png"))
    search.clear()
    search.send_keys("x")
    search.clear()
    WebDriverWait(browser, 3).until(lambda d: d.find_element("id", "shown").text == "6 of 6 shown")
    # A click at the map's lower right goes to the item nearest there: the sentence added at the end.
    svg = browser.find_element("css selector", "svg.map")
    from selenium.webdriver import ActionChains

    size = svg.size
    ActionChains(browser).move_to_element_with_offset(svg, size["width"] * 0.28, size["height"] * 0.4).click().perform()
    assert browser.find_element("css selector", ".item.flash").get_attribute("id") == "p1-6"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
