"""Hostile and careless input through the real CLI: each case asserts the exit code, the
one-line message and what the output folder holds (docs/RELIABILITY.md lists them)."""

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from align.cli import app
from align.ingest import read_document, read_lines
from align.ingest.language import check_language
from conftest import EN_SENTENCES, RU_SENTENCES

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
GERMAN = [
    "Die Verhandlungen zwischen den beiden Regierungen wurden im Herbst wieder aufgenommen, nachdem sie "
    "monatelang unterbrochen worden waren.",
    "Nach Angaben des Außenministeriums haben sich die Delegationen auf einen gemeinsamen Zeitplan geeinigt, "
    "der bis zum Ende des Jahres umgesetzt werden soll.",
    "Kritiker bemängeln jedoch, dass wichtige Fragen der Sicherheit und der wirtschaftlichen Zusammenarbeit "
    "noch immer offen sind.",
    "Die Opposition fordert eine ausführliche Debatte im Parlament, bevor weitere Schritte unternommen werden.",
]
UKRAINIAN = [
    "Переговори між двома урядами відновилися восени, після того як їх було перервано на кілька місяців.",
    "За словами міністерства закордонних справ, делегації погодили спільний розклад, який має бути виконаний "
    "до кінця року.",
    "Проте критики зауважують, що важливі питання безпеки та економічної співпраці досі залишаються відкритими.",
    "Опозиція вимагає докладного обговорення в парламенті, перш ніж будуть зроблені наступні кроки.",
]
CHINESE = [
    "两国政府之间的谈判在秋季恢复，此前谈判已中断了几个月。",
    "据外交部称，双方代表团商定了一个共同的时间表，计划在年底前完成。",
    "然而，批评人士指出，安全和经济合作等重要问题仍未解决。",
    "反对派要求在采取进一步行动之前在议会进行详细辩论。",
]


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _one_line_error(result, *words):
    message = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert message.startswith("error:") and "Traceback" not in result.output
    for word in words:
        assert word in message, message


def _tree(folder):
    """Every file below ``folder`` (relative name → bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _pair_args(src, tgt, out, *extra):
    return ["pair", src, tgt, "--src-lang", "ru", "--tgt-lang", "en", "--presegmented", "-o", out, *extra]


# ---------------------------------------------------------------- refused before any work

@pytest.mark.parametrize("make", ["fifo", "dev_zero", "folder"])
def test_inputs_that_are_not_regular_files_are_refused(tmp_path, make):
    en = tmp_path / "en.txt"
    en.write_text("\n".join(EN_SENTENCES) + "\n", encoding="utf-8")
    if make == "fifo":
        src = tmp_path / "pipe"
        os.mkfifo(src)
    elif make == "dev_zero":
        src = "/dev/zero"
    else:
        src = tmp_path / "dir"
        src.mkdir()
    result = _run("pair", src, en, "--src-lang", "ru", "--tgt-lang", "en", "--format", "tsv")
    _one_line_error(result, "not a regular file")


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Слово " * 1000, encoding="utf-8")
    result = _run("pair", big, big, "--src-lang", "ru", "--tgt-lang", "ru", "--set", "max_input_mb=0.001")
    _one_line_error(result, "big.txt", "over the limit of 0.0 MB", "max_input_mb")


def test_random_high_bytes_read_as_no_language(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    rng = random.Random(0)
    (ru / "statement.txt").write_bytes(bytes(rng.randrange(128, 256) for _ in range(4000)))
    _one_line_error(_run("build", ru, en, "-o", tmp_path / "out"), "statement.txt", "reads as no language")
    assert not (tmp_path / "out").exists()


def test_html_without_elements_is_no_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<!-- nothing here -->", encoding="utf-8")
    _one_line_error(_run("pair", page, page, "--src-lang", "en", "--tgt-lang", "en", "--format", "tsv"),
                    "page.html", "no text paragraphs")


@pytest.mark.parametrize("entry,words", [
    ("/etc/passwd,statement.txt", "must be the name of a file"),
    ("../statement.txt,statement.txt", "must be the name of a file"),
    (".hidden.txt,statement.txt", "no hidden file"),
    ("sub/statement.txt,statement.txt", "must be the name of a file"),
    ("missing.txt,statement.txt", "names a missing file"),
    ("statement.txt", "needs two file names"),
    ("statement.txt,statement.txt\nstatement.txt,statement.txt", "repeats the pair"),
])
def test_bad_manifest_entries_are_one_line_errors(parallel_dirs, tmp_path, entry, words):
    ru, en = parallel_dirs
    (ru / ".hidden.txt").write_text("Скрытый файл.", encoding="utf-8")
    (ru / "pairs.csv").write_text(entry + "\n", encoding="utf-8")
    _one_line_error(_run("build", ru, en, "-o", tmp_path / "out"), "pairs.csv", words)
    assert not (tmp_path / "out").exists()


# Another language in a folder: the document given first is the wrong one, so the error comes
# before any embedding (the check runs on each document as it is read).
@pytest.mark.parametrize("folder,sentences,found,expected", [
    ("en", GERMAN, "German", "English"),
    ("en", CHINESE, "Chinese", "English"),
    ("ru", UKRAINIAN, "Ukrainian", "Russian"),
])
def test_a_document_in_another_language_is_refused(parallel_dirs, tmp_path, folder, sentences, found, expected):
    ru, en = parallel_dirs
    first, second = (ru, en) if folder == "ru" else (en, ru)
    (first / "statement.txt").write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    other = "en" if folder == "ru" else "ru"
    result = _run("build", first, second, "--src-lang", folder, "--tgt-lang", other, "-o", tmp_path / "out")
    _one_line_error(result, "statement.txt", f"reads as {found}", f"folder is for {expected}", "check_language=false")
    assert not (tmp_path / "out").exists()


def test_check_language_must_be_a_boolean(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    result = _run("build", ru, en, "-o", tmp_path / "out", "--set", "check_language=sometimes")
    _one_line_error(result, "--set", "'check_language' must be bool")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_language_check_can_be_turned_off_and_a_wrong_target_is_refused(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    (en / "statement.txt").write_text("\n\n".join(GERMAN) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    _one_line_error(_run("build", ru, en, "-o", out), "statement.txt", "reads as German", "folder is for English")
    assert not out.exists()
    result = _run("build", ru, en, "-o", out, "--set", "check_language=false")
    assert result.exit_code == 0, result.output
    assert "German" not in result.output and (out / "links.jsonl").exists()


@pytest.mark.slow
def test_a_mixed_document_is_aligned_with_a_warning(tmp_path):
    src, tgt = tmp_path / "a.txt", tmp_path / "b.txt"
    src.write_text("\n\n".join(RU_SENTENCES * 2) + "\n", encoding="utf-8")
    tgt.write_text("\n\n".join(EN_SENTENCES * 2 + GERMAN) + "\n", encoding="utf-8")
    result = _run("pair", src, tgt, "--src-lang", "ru", "--tgt-lang", "en", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    message = " ".join(result.output.split())
    assert "warning:" in message and "b.txt: mixed languages" in message and "(German 2)" in message
    assert "a.txt" not in message
    assert (tmp_path / "out" / "links.jsonl").exists()


def _shared_files():
    """The files of ../shared/data's sets with their languages (de-fr Text+Berg, en-is ParIce,
    the ru-en literary paragraphs)."""
    files = [(SHARED / "textberg_de-fr_dev" / f"dev.{lang}", lang) for lang in ("de", "fr")]
    files += [(p, lang) for folder, lang in (("eng", "en"), ("isl", "is"))
              for p in sorted((SHARED / "parice_en-is" / "parice" / folder).glob("*.txt"))]
    files += [(p, p.stem.rsplit("_", 1)[1]) for name in ("literary_ru-en_paragraphs", "chekhov_ru-en_paragraphs")
              for p in sorted((SHARED / name).glob("*_??.txt"))]
    return files


def _assert_no_misfire(files, caplog):
    for path, lang in files:
        for document in (read_document(path, lang), read_lines(path)):
            check_language(document.text, lang, path)  # raises on a misfire
    assert "mixed languages" not in caplog.text
    check_language(" ".join(EN_SENTENCES * 2 + GERMAN), "en", "mixed.txt")  # the warnings are seen
    assert "mixed.txt: mixed languages" in caplog.text


def test_the_language_check_passes_the_bundled_corpus(caplog):
    files = [(p, lang) for lang in ("ru", "en") for p in sorted((ROOT / "corpus" / lang).iterdir())]
    assert len(files) == 3
    _assert_no_misfire(files, caplog)


def test_the_language_check_passes_the_shared_data_sets(caplog):
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared data sets are not checked")
    files = _shared_files()
    assert len(files) > 40
    _assert_no_misfire(files, caplog)


def test_unknown_languages_and_texts_too_poor_to_judge_are_not_checked(caplog):
    text = " ".join(GERMAN * 3)
    check_language(text, "la", "x.txt")  # Latin: lingua is not asked to tell it apart
    check_language(text, "xx", "x.txt")
    check_language(" ".join(CHINESE), "en-gb", "x.txt")
    check_language(" ".join(["слово"] * 3000), "ru", "x.txt")  # one word repeated reads as Ukrainian, unsure
    check_language(" ".join(["word"] * 3000), "en", "x.txt")
    check_language("Ein ganz normaler deutscher Satz.", "en", "x.txt")  # under 80 letters in lower-case words
    assert caplog.text == ""


# ---------------------------------------------------------------- accepted, and written safely

@pytest.mark.slow
def test_a_stray_byte_in_utf8_is_replaced_with_a_warning_naming_its_offset(tmp_path):
    src, tgt = tmp_path / "a.ru", tmp_path / "b.en"
    data = ("\n".join(RU_SENTENCES) + "\n").encode()
    cut = data.index("\n".encode()) + 1  # the start of the second line
    src.write_bytes(data[:cut] + b"\xff" + data[cut:])
    tgt.write_text("\n".join(EN_SENTENCES) + "\n", encoding="utf-8")
    result = _run(*_pair_args(src, tgt, tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert f"not UTF-8 (at byte {cut})" in result.output
    first = [json.loads(line) for line in (tmp_path / "out" / "links.jsonl").read_text(encoding="utf-8").splitlines()]
    assert first[1]["ru"]["text"].startswith("\ufffd")


@pytest.mark.slow
def test_characters_xml_cannot_hold_are_spaces_in_every_format(tmp_path):
    src, tgt = tmp_path / "a.ru", tmp_path / "b.en"
    ru = list(RU_SENTENCES)
    ru[2] = "Это решение,\x01как сказано выше,\ufffe для меня не ново."
    src.write_text("\n".join(ru) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN_SENTENCES) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _run(*_pair_args(src, tgt, out)).exit_code == 0
    expected = "Это решение, как сказано выше,  для меня не ново."
    record = [json.loads(line) for line in (out / "links.jsonl").read_text(encoding="utf-8").splitlines()][2]
    assert record["ru"]["text"] == expected
    segs = [seg.text for name in ("corpus.tmx", "corpus.flagged.tmx")
            for seg in etree.parse(str(out / name)).iter("seg")]
    assert expected in segs
    rows = list(csv.DictReader(io.StringIO((out / "pairs.tsv").read_text(encoding="utf-8")), delimiter="\t"))
    assert rows[2]["src_text"] == expected


@pytest.mark.slow
def test_formulas_markup_and_table_breakers_are_neutralised(tmp_path):
    src, tgt = tmp_path / "a|b\tc.ru", tmp_path / "b.en"
    ru = list(RU_SENTENCES[:4]) + ["<script>alert(1)</script> [жми](javascript:alert(1)) **жирно** | ячейка"]
    en = ["=HYPERLINK(\"http://evil\",\"click\")"] + list(EN_SENTENCES[1:4])
    src.write_text("\n".join(ru) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(en) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _run(*_pair_args(src, tgt, out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((out / "pairs.tsv").read_text(encoding="utf-8")), delimiter="\t"))
    assert rows[0]["tgt_text"].startswith("'=HYPERLINK") and rows[0]["src_file"] == str(src)
    review = (out / "review.md").read_text(encoding="utf-8")
    unescaped = [pattern for pattern in (r"(?<!\\)<script", r"(?<!\\)\]\(javascript", r"(?<!\\)\*\*жирно")
                 if re.search(pattern, review)]
    assert unescaped == []
    assert r"\<script\>alert(1)\</script\>" in review and r"\[жми\]" in review
    page = (out / "review.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    summary = (out / "summary.md").read_text(encoding="utf-8")
    row = [line for line in summary.splitlines() if "a" in line and ".ru" in line and line.startswith("|")][0]
    assert row.count(" | ") == 2 and r"a\|b" in row  # file | language | sentences: the | in the name is escaped
    no_source = list(csv.reader(io.StringIO((out / "no_source.tsv").read_text(encoding="utf-8")), delimiter="\t"))
    assert all(len(r) == 5 for r in no_source)


@pytest.mark.slow
def test_a_long_line_without_punctuation_is_cut_for_the_encoders(tmp_path):
    src, tgt = tmp_path / "a.txt", tmp_path / "b.txt"
    src.write_text(" ".join(["слово"] * 3000) + "\n", encoding="utf-8")
    tgt.write_text(" ".join(["word"] * 3000) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _run("pair", src, tgt, "--src-lang", "ru", "--tgt-lang", "en", "-o", out)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "links.jsonl").read_text(encoding="utf-8").splitlines()]
    ru_ids = sorted(i for r in records for i in r["ru"]["ids"])
    en_ids = sorted(j for r in records for j in r["en"]["ids"])
    # 17,999 and 14,999 characters, cut at a space before every 2,000: every piece in one link
    assert ru_ids == list(range(len(ru_ids))) and len(ru_ids) >= 9
    assert en_ids == list(range(len(en_ids))) and len(en_ids) >= 8
    spans = [end - start for r in records for side in ("ru", "en") for start, end in r[side]["spans"]]
    assert max(spans) <= 2000


@pytest.mark.slow
def test_a_file_size_limit_mid_write_is_one_line_and_keeps_the_previous_set(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    out = tmp_path / "out"
    assert _run("build", ru, en, "-o", out).exit_code == 0
    before = _tree(out)
    script = ("import sys; from align.cli import app; sys.argv = ['align', 'build', sys.argv[1], sys.argv[2], '-o', "
              "sys.argv[3]]; app()")
    done = subprocess.run(["bash", "-c", f'ulimit -f 1; exec "{sys.executable}" -c "$0" "$@"', script,
                           str(ru), str(en), str(out)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 2, done.stderr
    assert "error:" in done.stderr and "cannot write the outputs" in done.stderr and "Traceback" not in done.stderr
    assert _tree(out) == before
