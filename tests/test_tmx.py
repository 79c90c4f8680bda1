"""TMX a CAT tool can trust: links with a major or critical flag or a score below
``export.tmx_min_score`` go to corpus.flagged.tmx, the rest to corpus.tmx; both valid
against the published TMX 1.4b DTD; segtype per unit; tuids unique across folders and
stable; dates from the input files, so reruns give the same bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from align.cli import app
from align.errors import InputError
from align.export import WRITERS, ExportContext
from align.export.tmx import tmx_bytes, tmx_date
from align.model import BuildResult, Flag, Link
from align.settings import ExportConfig, Settings, defaults_toml, make_settings
from conftest import EN_SENTENCES, RU_SENTENCES
from synthetic_pair import document, pair

DTD = etree.DTD(str(Path(__file__).parent / "data" / "tmx14.dtd"))
RU = [["Первое.", "Второе <b>&amp;</b>."], ["Третье.", "Четвёртое."], ["Пятое целиком."], ["Шестое."]]
EN = [["First.", "Second <b>&amp;</b>."], ["Third and fourth."], ["Fifth, whole."], ["Sixth."]]
WHEN = 1_577_934_245  # 2020-01-02 03:04:05 UTC


@pytest.fixture
def made_up(tmp_path):
    return _pair(tmp_path / "a")


def _pair(folder: Path, ru=RU, en=EN):
    src = document(folder / "ru" / "doc.txt", "ru", ru)
    tgt = document(folder / "en" / "doc.txt", "en", en)
    for path in (src.path, tgt.path):
        os.utime(path, (WHEN, WHEN))
    links = [
        Link((0,), (0,), 0.9),
        Link((1,), (1,), 0.8, (Flag("format", "minor", "unpaired <b>"),)),
        Link((2, 3), (2,), 0.7, (Flag("number", "major", "4 ↔ –"),)),
        Link((4,), (3,), 0.2),
        Link((5,), (), 0.0, (Flag("omission", "major", "Шестое."),)),
        Link((), (4,), 0.0),
    ]
    return pair(src, tgt, links)


def _units(data: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(data)
    assert DTD.validate(root), DTD.error_log.filter_from_errors()
    return {tu.get("tuid"): tu for tu in root.iter("tu")}


def _props(tu) -> dict[str, str]:
    return {prop.get("type"): prop.text for prop in tu.findall("prop")}


def test_serious_flags_and_low_scores_go_to_the_flagged_file(made_up):
    config = ExportConfig(tmx_min_score=0.5)
    trusted = _units(tmx_bytes((made_up,), "ru", "en", config=config))
    held = _units(tmx_bytes((made_up,), "ru", "en", config=config, flagged=True))
    assert [_props(tu)["x-link"] for tu in trusted.values()] == ["1-1", "1-1"]  # a minor flag is trusted
    assert [_props(tu)["x-held-back"] for tu in held.values()] == ["major number", "score 0.2000 below 0.5"]
    assert not set(trusted) & set(held)
    assert all("x-held-back" not in _props(tu) for tu in trusted.values())
    # the default (0) keeps the weak link; 1-0 and 0-1 links are in neither file
    default = _units(tmx_bytes((made_up,), "ru", "en"))
    assert len(default) == 3 and len(_units(tmx_bytes((made_up,), "ru", "en", flagged=True))) == 1


def test_segtype_per_unit_and_text_kept_as_text(made_up):
    units = {**_units(tmx_bytes((made_up,), "ru", "en", config=ExportConfig(tmx_min_score=-1.0))),
             **_units(tmx_bytes((made_up,), "ru", "en", flagged=True))}
    kinds = {_props(tu)["x-link"] + ("/p" if tu.findtext("tuv/seg").startswith("Пятое") else ""): tu.get("segtype")
             for tu in units.values()}
    # 2-1 over a whole paragraph on both sides is a paragraph; a 1-1 link inside a paragraph a sentence
    assert kinds == {"1-1": "sentence", "2-1": "paragraph", "1-1/p": "sentence"}
    second = [tu for tu in units.values() if _props(tu)["x-link"] == "1-1"][1]
    assert second.findtext("tuv/seg") == "Второе <b>&amp;</b>."
    folder = made_up.src.path.parent.parent.parent / "b"
    part = pair(document(folder / "ru.txt", "ru", [["Один.", "Два.", "Три."]]),
                document(folder / "en.txt", "en", [["One and two.", "Three."]]),
                [Link((0, 1), (0,), 0.9), Link((2,), (1,), 0.9)])
    assert [tu.get("segtype") for tu in _units(tmx_bytes((part,), "ru", "en")).values()] == ["block", "sentence"]


def test_tuids_are_unique_across_folders_and_stable(tmp_path):
    same_names = [_pair(tmp_path / "one"), _pair(tmp_path / "two", ru=[*RU[:3], ["Другое шестое."]])]
    data = tmx_bytes(tuple(same_names), "ru", "en")
    ids = [tu.get("tuid") for tu in etree.fromstring(data).iter("tu")]
    assert len(ids) == len(set(ids)) == 6
    moved = _pair(tmp_path / "elsewhere")  # the same texts in another folder: the same units
    assert [tu.get("tuid") for tu in etree.fromstring(tmx_bytes((moved,), "ru", "en")).iter("tu")] == ids[:3]


def test_dates_come_from_the_files_and_reruns_are_byte_identical(made_up):
    assert tmx_date(WHEN) == "20200102T030405Z"
    data = tmx_bytes((made_up,), "ru", "en")
    root = etree.fromstring(data)
    assert root.find("header").get("creationdate") == root.find("header").get("changedate") == "20200102T030405Z"
    assert {tu.get("creationdate") for tu in root.iter("tu")} == {"20200102T030405Z"}
    assert tmx_bytes((made_up,), "ru", "en") == data
    os.utime(made_up.tgt.path, (WHEN + 86400, WHEN + 86400))  # the newer file of the pair dates its units
    assert {tu.get("changedate") for tu in etree.fromstring(tmx_bytes((made_up,), "ru", "en")).iter("tu")} == {
        "20200103T030405Z"}


def test_writers_read_the_setting_from_the_run(made_up):
    result = BuildResult((made_up.src,), (made_up.tgt,), (made_up,), {})
    settings = make_settings(sets={"export.tmx_min_score": 0.75})
    context = ExportContext(result, {"signature": settings.signature()}, "ru", "en", settings=settings)
    assert len(_units(WRITERS["corpus.tmx"].render(context))) == 2
    assert len(_units(WRITERS["corpus.flagged.tmx"].render(context))) == 2
    assert WRITERS["corpus.flagged.tmx"].format == "tmx-flagged"


def test_the_setting_is_validated_shown_and_signed():
    assert "[export]\ntmx_min_score = 0.0" in defaults_toml()
    assert "|export:default" in Settings().signature()
    assert "export:default" not in make_settings(export={"tmx_min_score": 0.3}).signature()
    for bad in (2.0, "high"):
        with pytest.raises(InputError, match="export.tmx_min_score"):
            make_settings(sets={"export.tmx_min_score": bad})


@pytest.mark.slow
def test_pair_min_score_option_moves_links_to_the_flagged_file(tmp_path):
    src, tgt = tmp_path / "a.ru", tmp_path / "b.en"
    src.write_text("\n".join(RU_SENTENCES) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN_SENTENCES) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [str(a) for a in ("pair", src, tgt, "--src-lang", "ru", "--tgt-lang", "en",
                                                       "--presegmented", "--min-score", "0.99", "-o", out)])
    assert result.exit_code == 0, result.output
    assert _units((out / "corpus.tmx").read_bytes()) == {}
    held = _units((out / "corpus.flagged.tmx").read_bytes())
    assert len(held) == 5 and all("below 0.99" in _props(tu)["x-held-back"] for tu in held.values())
    assert "review.html" in {p.name for p in out.iterdir()}
