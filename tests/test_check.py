"""`align check`: bilingual files (XLIFF 1.2, 2.0, SDLXLIFF, TMX, TSV) built here, read as
paired segments, flagged with their ids carried through every output, annotated in a
copy only; hostile XML refused in one line before any model loads."""

import hashlib
import json
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pytest
from lxml import etree
from typer.testing import CliRunner

from align.check import read_bilingual
from align.check.annotate import annotate_xliff, annotated_name
from align.check.checking import side_document, suspect_segments
from align.cli import app
from align.export.records import link_records
from align.export.tables import COLUMNS, links_frame
from align.model import AlignedPair, EmbeddedDocument, Flag, Link, Sentence
from conftest import EN_SENTENCES, RU_SENTENCES

runner = CliRunner()
XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF_20 = "urn:oasis:names:tc:xliff:document:2.0"
SDL = "http://sdl.com/FileTypes/SdlXliff/1.0"

# (id, source, target): the year changed in "u4", "u5" not translated.
SEGMENTS = [("u1", RU_SENTENCES[0], EN_SENTENCES[0]), ("u2", RU_SENTENCES[1], EN_SENTENCES[1]),
            ("u3", RU_SENTENCES[2], EN_SENTENCES[2]), ("u4", RU_SENTENCES[3], EN_SENTENCES[3]),
            ("u5", RU_SENTENCES[4], ""), ("u6", RU_SENTENCES[5], EN_SENTENCES[4])]


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _one_line_error(result, *words):
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in result.output, result.output
    for word in words:
        assert word in lines[0], lines[0]


def xliff_12(segments=SEGMENTS, unit_extra: str = "") -> str:
    units = "".join(
        f'      <trans-unit id="{i}">\n        <source>{escape(s)}</source>\n'
        + (f"        <target>{escape(t)}</target>\n" if t else "") + unit_extra + "      </trans-unit>\n"
        for i, s, t in segments)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="{XLIFF_12}">\n'
            f'  <file original="memo.docx" source-language="ru-RU" target-language="en-US" datatype="plaintext">\n'
            f"    <body>\n{units}    </body>\n  </file>\n</xliff>\n")


def xliff_20(segments=SEGMENTS) -> str:
    units = "".join(
        f'    <unit id="{i}">\n      <segment id="s1">\n        <source>{escape(s)}</source>\n'
        + (f"        <target>{escape(t)}</target>\n" if t else "") + "      </segment>\n    </unit>\n"
        for i, s, t in segments)
    return (f"<?xml version='1.0' encoding='utf-8'?>\n<xliff xmlns=\"{XLIFF_20}\" version=\"2.0\" srcLang=\"ru\" "
            f'trgLang="en">\n  <file id="f1">\n{units}  </file>\n</xliff>\n')


def sdlxliff(segments=SEGMENTS) -> str:
    """Two Trados segments per trans-unit (mids numbered through the file), inside <g> tags."""
    units = []
    for k in range(0, len(segments), 2):
        pair = segments[k:k + 2]
        source = " ".join(f'<mrk mtype="seg" mid="{k + n + 1}">{escape(s)}</mrk>' for n, (_, s, _) in enumerate(pair))
        target = " ".join(f'<mrk mtype="seg" mid="{k + n + 1}">{escape(t)}</mrk>' for n, (_, _, t) in enumerate(pair))
        units.append(f'      <trans-unit id="9f{k}c-guid">\n        <source>{escape(" ".join(s for _, s, _ in pair))}'
                     f'</source>\n        <seg-source><g id="1">{source}</g></seg-source>\n'
                     f'        <target><g id="1">{target}</g></target>\n      </trans-unit>\n')
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<xliff xmlns:sdl="{SDL}" version="1.2" sdl:version="1.0" '
            f'xmlns="{XLIFF_12}">\n  <file original="memo.docx" source-language="ru-RU" target-language="en-GB" '
            f'datatype="x-sdlfilterframework2">\n    <header><sdl:ref-files/></header>\n    <body>\n'
            + "".join(units) + "    </body>\n  </file>\n</xliff>\n")


def tmx(segments=SEGMENTS) -> str:
    units = "".join(f'    <tu tuid="{i}">\n      <tuv xml:lang="RU-RU"><seg>{escape(s)}</seg></tuv>\n'
                    f'      <tuv xml:lang="EN-US"><seg>{escape(t)}</seg></tuv>\n    </tu>\n'
                    for i, s, t in segments if t)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n'
            '  <header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" '
            f'srclang="ru-RU" datatype="plaintext"/>\n  <body>\n{units}  </body>\n</tmx>\n')


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- readers (no model)

@pytest.mark.parametrize("make, name, ids", [
    (xliff_12, "memo.xliff", ["u1", "u2", "u3", "u4", "u5", "u6"]),
    (xliff_20, "memo.xlf", ["u1/s1", "u2/s1", "u3/s1", "u4/s1", "u5/s1", "u6/s1"]),
    (sdlxliff, "memo.sdlxliff", ["1", "2", "3", "4", "5", "6"]),
])
def test_xliff_segments_ids_and_languages(tmp_path, make, name, ids):
    read = read_bilingual(_write(tmp_path, name, make()))
    assert [s.id for s in read.segments] == ids
    assert [(s.source, s.target) for s in read.segments] == [(s, t) for _, s, t in SEGMENTS]
    assert (read.src_lang, read.tgt_lang) == ("ru", "en")
    assert all(s.location.startswith("line ") for s in read.segments)


def test_formats_are_told_by_content_not_suffix(tmp_path):
    assert read_bilingual(_write(tmp_path, "a.txt", sdlxliff())).format == "sdlxliff"
    assert read_bilingual(_write(tmp_path, "b.xml", xliff_20())).format == "xliff-2.0"
    assert read_bilingual(_write(tmp_path, "c.xliff", tmx())).format == "tmx"
    assert read_bilingual(_write(tmp_path, "d.xliff", "ru\ten\nДа\tYes\n")).format == "tsv"
    bare = read_bilingual(_write(tmp_path, "e.xliff", xliff_12().replace(f' xmlns="{XLIFF_12}"', "")))
    assert bare.format == "xliff-1.2" and len(bare.segments) == 6  # no namespace: read alike


def test_tmx_and_tsv_segments(tmp_path):
    read = read_bilingual(_write(tmp_path, "memo.tmx", tmx()))
    assert [s.id for s in read.segments] == ["u1", "u2", "u3", "u4", "u6"]
    assert (read.src_lang, read.tgt_lang) == ("ru", "en") and read.segments[3].target == EN_SENTENCES[3]
    # A TSV: the header names the languages; ids are line numbers; an empty target is kept.
    rows = "\n".join(f"{s}\t{t}" for _, s, t in SEGMENTS)
    read = read_bilingual(_write(tmp_path, "memo.tsv", "ru\ten\n\n" + rows + "\n"))
    assert [s.id for s in read.segments] == ["3", "4", "5", "6", "7", "8"]
    assert read.segments[4].target == "" and (read.src_lang, read.tgt_lang) == ("ru", "en")


def test_inline_tags_become_plain_text_without_tag_numbers(tmp_path):
    tagged = [("t1", 'Намеченное ещё в <g id="7">1924</g> году,<x id="31"/>оно <bpt id="5">&lt;b&gt;</bpt>проводится'
                     '<ept id="5">&lt;/b&gt;</ept> в жизнь<ph id="8">&lt;br/&gt;</ph>постепенно.',
               'Planned as far back as <g id="7">1924</g>,<x id="32"/>it is <bpt id="5">&lt;b&gt;</bpt>being'
               '<ept id="5">&lt;/b&gt;</ept> put into practice<ph id="9">{0}</ph>gradually.')]
    text = xliff_12().replace('<trans-unit id="u1">', "<trans-unit id=\"u1\">", 1)
    units = "".join(f'<trans-unit id="{i}"><source>{s}</source><target>{t}</target></trans-unit>' for i, s, t in tagged)
    read = read_bilingual(_write(tmp_path, "tags.xliff", text.replace("<body>\n", "<body>\n" + units, 1)))
    segment = read.segments[0]
    assert segment.source == "Намеченное ещё в 1924 году, оно проводится в жизнь постепенно."
    assert segment.target == "Planned as far back as 1924, it is being put into practice gradually."


def test_sdlxliff_pairs_target_marks_by_mid(tmp_path):
    text = sdlxliff().replace('<mrk mtype="seg" mid="1">' + escape(EN_SENTENCES[0]),
                              '<mrk mtype="seg" mid="1">' + "moved", 1)
    swapped = text.replace('<target><g id="1"><mrk mtype="seg" mid="1">moved</mrk> <mrk mtype="seg" mid="2">'
                           + escape(EN_SENTENCES[1]) + "</mrk>",
                           '<target><g id="1"><mrk mtype="seg" mid="2">' + escape(EN_SENTENCES[1])
                           + '</mrk> <mrk mtype="seg" mid="1">moved</mrk>')
    read = read_bilingual(_write(tmp_path, "memo.sdlxliff", swapped))
    assert read.segments[0].target == "moved" and read.segments[1].target == EN_SENTENCES[1]


def test_repeated_segment_ids_are_qualified_by_unit_and_file(tmp_path):
    text = xliff_20().replace('<file id="f1">', '<file id="f1">', 1)
    second = text.split("<file", 1)[1].split("</file>", 1)[0].replace('id="f1"', 'id="f2"', 1)
    read = read_bilingual(_write(tmp_path, "two.xlf", text.replace("</file>", "</file>\n  <file" + second + "</file>", 1)))
    ids = [s.id for s in read.segments]
    assert len(ids) == 12 and len(set(ids)) == 12 and ids[0] == "f1/u1/s1" and ids[6] == "f2/u1/s1"


# ---------------------------------------------------------------- refused in one line (no model loads)

def test_xxe_does_not_read_local_files(tmp_path):
    secret = _write(tmp_path, "secret.txt", "TOP-SECRET-VALUE")
    hostile = xliff_12().replace('<?xml version="1.0" encoding="UTF-8"?>\n',
                                 f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xliff [<!ENTITY xxe SYSTEM '
                                 f'"file://{secret}">]>\n').replace(escape(EN_SENTENCES[0]), "&xxe;")
    path = _write(tmp_path, "xxe.xliff", hostile)
    result = _run("check", path, "-o", tmp_path / "out")
    _one_line_error(result, "xxe.xliff", "entities")
    assert "TOP-SECRET" not in result.output and not (tmp_path / "out").exists()


def test_billion_laughs_is_refused_quickly(tmp_path):
    entities = "".join(f'<!ENTITY l{k} "{("&l" + str(k - 1) + ";") * 10}">' for k in range(1, 10))
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY l0 "ha">' + entities + ']>\n'
            f'<xliff version="1.2" xmlns="{XLIFF_12}"><file source-language="ru" target-language="en"><body>'
            '<trans-unit id="1"><source>&l9;</source><target>x</target></trans-unit></body></file></xliff>')
    _one_line_error(_run("check", _write(tmp_path, "lol.xliff", bomb), "-o", tmp_path / "out"), "entities")


def test_many_doctype_openings_are_refused_in_linear_time(tmp_path):
    """The entity check tries the first <!DOCTYPE only: 200,000 of them (2 MB) are one
    quick "broken XML", not a quadratic scan (hours at the input limit)."""
    import time

    started = time.perf_counter()
    _one_line_error(_run("check", _write(tmp_path, "many.xliff", "<!DOCTYPE[" * 200_000), "-o", tmp_path / "out"),
                    "many.xliff")
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("name, content, words", [
    ("broken.xliff", xliff_12()[:-40], ["broken.xliff", "broken XML"]),
    ("empty.xliff", xliff_12(segments=[]), ["no segments"]),
    ("empty.tmx", tmx(segments=[]), ["no segments"]),
    ("other.xml", "<html><body>hello</body></html>", ["unknown format", "<html>"]),
    ("notes.txt", "Just a plain text file\nwith no tabs.\n", ["unknown format"]),
    ("three.tsv", "a\tb\tc\n", ["line 1 has 3", "two"]),
])
def test_bad_files_are_one_line_errors(tmp_path, name, content, words):
    _one_line_error(_run("check", _write(tmp_path, name, content), "-o", tmp_path / "out"), *words)


def test_binary_and_annotate_of_tmx_are_refused(tmp_path):
    zipped = tmp_path / "memo.docx"
    zipped.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    _one_line_error(_run("check", zipped, "-o", tmp_path / "out"), "unknown format")
    _one_line_error(_run("check", _write(tmp_path, "memo.tmx", tmx()), "--annotate", "-o", tmp_path / "out"),
                    "--annotate", "TMX")


# ---------------------------------------------------------------- segment ids in the outputs, annotation (no model)

def _fake_pair(read, flags: dict[str, list[Flag]]) -> AlignedPair:
    """The 1-1 pair of a file with unit vectors and the given flags by segment id."""
    src_doc, tgt_doc = side_document(read, "source", "ru"), side_document(read, "target", "en")

    def embedded(doc):
        sentences = tuple(Sentence(str(doc.path), p.index, p.index, p.text, p.start, p.end) for p in doc.paragraphs)
        return EmbeddedDocument(doc, sentences, np.eye(len(sentences), 4, dtype=np.float32))

    links, j = [], 0
    for i, segment in enumerate(read.segments):
        tgt = (j,) if segment.target else ()
        j += bool(segment.target)
        links.append(Link((i,), tgt, 0.5, tuple(flags.get(segment.id, ()))))
    return AlignedPair(embedded(src_doc), embedded(tgt_doc), tuple(links), "parallel")


def test_segment_ids_reach_records_and_table_only_for_bilingual_files(tmp_path):
    read = read_bilingual(_write(tmp_path, "memo.xliff", xliff_12()))
    pair = _fake_pair(read, {})
    records = list(link_records(pair))
    assert [r["ru"]["segments"] for r in records] == [["u1"], ["u2"], ["u3"], ["u4"], ["u5"], ["u6"]]
    assert records[4]["en"] == {"file": f"{tmp_path}/memo.xliff#target", "ids": [], "spans": [], "text": ""}
    frame = links_frame([pair])
    assert list(frame["src_segments"]) == ["u1", "u2", "u3", "u4", "u5", "u6"] and frame["tgt_segments"][4] == ""
    # Running text (no segment ids): the records and columns of a build, unchanged.
    plain = AlignedPair(*(EmbeddedDocument(e.document.__class__(e.path, e.lang, e.document.raw, tuple(
        p.__class__(p.index, p.text, p.start, p.end, p.kind, p.pieces) for p in e.document.paragraphs)),
        e.sentences, e.vectors) for e in (pair.src, pair.tgt)), pair.links, "parallel")
    assert "segments" not in next(link_records(plain))["ru"] and list(links_frame([plain]).columns) == COLUMNS
    from lxml import etree

    from align.export.tmx import tmx_bytes

    units = etree.fromstring(tmx_bytes((pair,), "ru", "en")).findall(".//tu")
    props = [{p.get("type"): p.text for p in tu.findall("prop")} for tu in units]
    assert [p["x-source-segment"] for p in props] == ["u1", "u2", "u3", "u4", "u6"]  # u5 has no target
    assert "x-source-segment" not in etree.tostring(etree.fromstring(tmx_bytes((plain,), "ru", "en"))).decode()


@pytest.mark.parametrize("make, unit, note", [(xliff_12, "trans-unit", "note"), (xliff_20, "unit", "note"),
                                              (sdlxliff, "trans-unit", "note")])
def test_annotation_adds_notes_and_keeps_every_other_byte(tmp_path, make, unit, note):
    path = _write(tmp_path, "memo.xliff", make())
    original = path.read_bytes()
    read = read_bilingual(path)
    changed = read.segments[3].id
    flags = {changed: [Flag("date", "major", "1924 ↔ 1925 <&>")], read.segments[4].id: [Flag("omission", "major", "x")]}
    annotated = annotate_xliff(path, original, read, _fake_pair(read, flags))
    assert path.read_bytes() == original
    root = etree.fromstring(annotated)
    units = [u for u in root.iter() if etree.QName(u).localname == unit]
    ours = [n for n in root.iter(f"{{{root.nsmap[None]}}}{note}")
            if n.get("from") == "align" or n.get("category") == "align"]
    assert len(ours) == 2 and "1924 ↔ 1925 <&>" in ours[0].text and ours[0].get("priority") == "2"
    holder = ours[0].getparent() if unit == "trans-unit" else ours[0].getparent().getparent()
    assert holder is units[1 if make is sdlxliff else 3]
    if make is sdlxliff:
        assert ours[0].text.startswith("segment 4: ")
    if unit == "unit":  # <notes> comes before the segments, as XLIFF 2.0 orders them
        assert [etree.QName(c).localname for c in holder][:2] == ["notes", "segment"]
    # Every line but the inserted ones is the file's own.
    kept = [line for line in annotated.decode().splitlines() if "align" not in line and "notes>" not in line]
    assert kept == original.decode().splitlines()
    assert annotated_name(Path("memo.sdlxliff")) == "memo.annotated.sdlxliff"


def test_suspect_segmentation_is_a_rendering_in_the_neighbour():
    """Made-up vectors: segment b's rendering sits at the start of segment c's target."""
    from align.check.bilingual import BilingualFile, BilingualSegment

    read = BilingualFile(Path("f.xliff"), "xliff-1.2", "ru", "en", (
        BilingualSegment("a", "Source sentence one here.", "Target sentence one here.", ""),
        BilingualSegment("b", "Source sentence two here.", "", ""),
        BilingualSegment("c", "Source sentence three here.", "Target two is here. Target three is here.", "")))
    src_doc, tgt_doc = side_document(read, "source", "ru"), side_document(read, "target", "en")
    src = EmbeddedDocument(src_doc, tuple(Sentence("s", k, k, p.text, p.start, p.end)
                                          for k, p in enumerate(src_doc.paragraphs)), np.eye(3, dtype=np.float32))
    from align.segment import split_document

    sentences = tuple(split_document(tgt_doc))
    tgt = EmbeddedDocument(tgt_doc, sentences, np.eye(3, dtype=np.float32)[[0, 1, 2]])
    assert [s.text for s in sentences] == ["Target sentence one here.", "Target two is here.", "Target three is here."]
    assert suspect_segments(src, tgt) == ("b",)
    assert suspect_segments(src, EmbeddedDocument(tgt_doc, sentences, np.eye(3, dtype=np.float32)[[0, 2, 2]])) == ()


# ---------------------------------------------------------------- end to end (loads the encoder)

@pytest.mark.slow
@pytest.mark.parametrize("make, name, kind, changed", [
    (xliff_12, "memo.xliff", "xliff-1.2", "u4"), (xliff_20, "memo.xlf", "xliff-2.0", "u4/s1"),
    (sdlxliff, "memo.sdlxliff", "sdlxliff", "4"), (tmx, "memo.tmx", "tmx", "u4")])
def test_check_flags_the_changed_year_on_its_segment(tmp_path, make, name, kind, changed):
    path = _write(tmp_path, name, make())
    out = tmp_path / "out"
    result = _run("check", path, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["segments"] == (5 if make is tmx else 6) and summary["format"] == kind
    records = [json.loads(line) for line in (out / "links.jsonl").read_text(encoding="utf-8").splitlines()]
    flagged = {r["ru"]["segments"][0]: {f["kind"] for f in r["flags"]} for r in records}
    assert {"number", "date"} & flagged[changed]
    assert not {"number", "date"} & set().union(*(v for k, v in flagged.items() if k != changed))
    table = pd.read_csv(out / "pairs.tsv", sep="\t", dtype=str, keep_default_na=False)
    row = table[table["src_segments"] == changed].iloc[0]
    assert row["tgt_segments"] == changed and ("date" in row["flags"] or "number" in row["flags"])
    review = (out / "review.md").read_text(encoding="utf-8")
    assert f"Russian segment `{changed}` ↔ English segment `{changed}`" in review
    assert f"{path.name}#target:segment {changed}<" in (out / "review.html").read_text(encoding="utf-8")
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["command"] == "check" and run["inputs"][0]["path"] == str(path)


@pytest.mark.slow
def test_check_annotate_writes_a_copy_and_leaves_the_file(tmp_path):
    path = _write(tmp_path, "memo.xliff", xliff_12())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "out"
    result = _run("check", path, "-o", out, "--annotate")
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    root = etree.parse(str(out / "memo.annotated.xliff")).getroot()
    notes = {u.get("id"): [n.text for n in u.iter(f"{{{XLIFF_12}}}note")] for u in root.iter(f"{{{XLIFF_12}}}trans-unit")}
    assert any("1924" in n and "1925" in n for n in notes["u4"])
    assert any(n.startswith("omission") for n in notes["u5"]) and not notes["u1"]
    records = [json.loads(line) for line in (out / "links.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records[4]["en"]["ids"] == [] and records[4]["flags"][0]["kind"] == "omission"


@pytest.mark.slow
def test_check_tsv_with_tags_as_text_flags_no_numbers(tmp_path):
    """Placeholders of different ids on the two sides read as no figure at all."""
    units = [("t1", f'{escape(RU_SENTENCES[0])}<x id="1"/>', f'{escape(EN_SENTENCES[0])}<x id="27"/>'),
             ("t2", f'<g id="3">{escape(RU_SENTENCES[2])}</g>', f'<g id="4">{escape(EN_SENTENCES[2])}</g>')]
    body = "".join(f'<trans-unit id="{i}"><source>{s}</source><target>{t}</target></trans-unit>' for i, s, t in units)
    path = _write(tmp_path, "tags.xliff", xliff_12(segments=[]).replace("<body>\n", "<body>\n" + body))
    result = _run("check", path, "-o", tmp_path / "out", "--json")
    assert result.exit_code == 0, result.output
    assert not [f for f in json.loads(result.stdout)["flags"] if f["kind"] in ("number", "date")]


@pytest.mark.slow
def test_realign_joins_a_rendering_that_sits_in_the_next_segment(tmp_path):
    shifted = [("s1", RU_SENTENCES[0], EN_SENTENCES[0]), ("s2", RU_SENTENCES[1], ""),
               ("s3", RU_SENTENCES[2], EN_SENTENCES[1] + " " + EN_SENTENCES[2]),
               ("s4", RU_SENTENCES[5], EN_SENTENCES[4])]
    path = _write(tmp_path, "shifted.xliff", xliff_12(segments=shifted))
    plain = _run("check", path, "-o", tmp_path / "plain", "--json")
    assert plain.exit_code == 0 and not json.loads(plain.stdout)["realigned"]
    result = _run("check", path, "-o", tmp_path / "out", "--realign", "--annotate", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["realigned"] and summary["suspect_segments"] == ["s2"]
    assert {"source_segments": ["s2"], "target_segments": ["s3"]} in summary["moved"]
    review = (tmp_path / "out" / "review.md").read_text(encoding="utf-8")
    assert "**segmentation**, major: source in segment s2, its rendering in segment s3" in review
    root = etree.parse(str(tmp_path / "out" / "shifted.annotated.xliff")).getroot()
    s2 = next(u for u in root.iter(f"{{{XLIFF_12}}}trans-unit") if u.get("id") == "s2")
    assert [n.text for n in s2.iter(f"{{{XLIFF_12}}}note")] == [
        "segments s2, s3: segmentation (major): source in segment s2, its rendering in segment s3"]
    records = [json.loads(line) for line in (tmp_path / "out" / "links.jsonl").read_text(encoding="utf-8").splitlines()]
    spans = [(r["ru"].get("segments", []), r["en"].get("segments", [])) for r in records]
    assert (["s2"], ["s3"]) in spans and (["s3"], ["s3"]) in spans
    assert not [r for r in records if not r["en"]["ids"]]  # the "untranslated" segment found its rendering


@pytest.mark.slow
def test_check_file_from_python_takes_the_languages_given(tmp_path):
    import align

    rows = "".join(f"{s}\t{t}\n" for _, s, t in SEGMENTS)  # no header: languages from the call
    path = _write(tmp_path, "memo.tsv", rows)
    checked = align.check_file(path, output=tmp_path / "out", src_lang="ru", tgt_lang="en")
    pair = checked.result.pairs[0]
    assert checked.file.format == "tsv" and (pair.src.lang, pair.tgt.lang) == ("ru", "en")
    assert [pair.src.segments(link.src) for link in pair.links][3] == ("4",)
    assert {f.kind for f in pair.links[3].flags} & {"number", "date"}
    assert (tmp_path / "out" / "review.md").exists() and not (tmp_path / "out" / "memo.annotated.tsv").exists()
