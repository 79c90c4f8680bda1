"""The ``align`` command end to end: outputs, pair mode, and bad input."""

import json
import re

import pytest
from lxml import etree
from typer.testing import CliRunner

from align.cli import app
from conftest import EN_SENTENCES, RU_SENTENCES

pytestmark = pytest.mark.slow  # every build here loads the encoder (cached in the session's cache folder)
runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_build_writes_every_output_with_traceable_spans(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    out = tmp_path / "out"
    result = _run("build", ru, en, "-o", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"links.jsonl", "links.txt", "pairs.tsv", "corpus.tmx", "corpus.sqlite",
                                             "corpus.flagged.tmx", "no_source.tsv", "summary.md", "review.md",
                                             "review.html", "run.json", "editions"}
    records = [json.loads(line) for line in (out / "links.jsonl").read_text(encoding="utf-8").splitlines()]
    ru_text = (ru / "statement.txt").read_text(encoding="utf-8")
    en_text = (en / "statement.txt").read_text(encoding="utf-8")
    for record in records:
        assert set(record) == {"pair", "link", "score", "ru", "en", "flags"}
        for side, text in (("ru", ru_text), ("en", en_text)):
            for start, end in record[side]["spans"]:
                assert text[start:end] in record[side]["text"]
    pairs = {(tuple(r["ru"]["ids"]), tuple(r["en"]["ids"])) for r in records}
    assert ((0,), (0,)) in pairs and ((2,), (2,)) in pairs and ((5,), (4,)) in pairs
    omitted = [r for r in records if r["ru"]["ids"] == [4]][0]
    assert omitted["en"]["ids"] == [] and omitted["flags"][0]["kind"] == "omission"
    changed_year = [r for r in records if r["ru"]["ids"] == [3]][0]
    assert [(f["kind"], f["severity"], f["evidence"]) for f in changed_year["flags"]] == [
        ("date", "major", "1924 ↔ 1925")]
    tmx, flagged = (etree.parse(str(out / name)) for name in ("corpus.tmx", "corpus.flagged.tmx"))
    assert tmx.getroot().get("version") == "1.4"
    # the changed year (a major date flag) is held back from the trusted memory
    assert [tu.findtext("tuv/seg") for tu in flagged.findall(".//tu")] == [RU_SENTENCES[3]]
    assert len(tmx.findall(".//tu")) + 1 == sum(1 for r in records if r["ru"]["ids"] and r["en"]["ids"])
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| 1-1 |" in summary and "| omission |" in summary


def test_review_lists_what_is_left_out_and_changed_with_lines_and_evidence(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    out = tmp_path / "out"
    assert _run("build", ru, en, "-o", out).exit_code == 0
    review = (out / "review.md").read_text(encoding="utf-8")
    # The fixture: Russian sentence 4 (line 9 of the file) has no rendering, sentence 3 (line 7)
    # is rendered with 1925 for 1924; sentences 0-2 are faithful.
    assert "### Left out: Russian line 9 (1 sentence)" in review
    assert f"> {RU_SENTENCES[4]}" in review
    assert "### Russian line 7 ↔ English line 7 (1-1," in review
    assert "- **date**, major: 1924 ↔ 1925" in review
    assert RU_SENTENCES[0] not in review and EN_SENTENCES[2] not in review
    assert "0 English sentences with no source" in review


def test_cache_dir_holds_every_cache(parallel_dirs, tmp_path):
    import sqlite3

    from align.cache import E5_DIRNAME

    ru, en = parallel_dirs
    cache = tmp_path / "cache"
    result = _run("build", ru, en, "-o", tmp_path / "out", "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(cache / "embeddings.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] > 0
        assert db.execute("SELECT COUNT(*) FROM word_vectors").fetchone()[0] > 0  # the flags' word vectors
    assert (cache / "models" / E5_DIRNAME).is_dir()
    assert [p.name for p in (cache / "models").iterdir()] == [E5_DIRNAME]  # `align models` builds this one


def test_pair_presegmented_links_format(tmp_path):
    src, tgt = tmp_path / "a.ru", tmp_path / "b.en"
    src.write_text("\n".join(RU_SENTENCES) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN_SENTENCES) + "\n", encoding="utf-8")
    out = tmp_path / "links.txt"
    result = _run("pair", src, tgt, "--src-lang", "ru", "--tgt-lang", "en", "--presegmented",
                  "--format", "links", "-o", out)
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines == ["[0]:[0]", "[1]:[1]", "[2]:[2]", "[3]:[3]", "[4]:[]", "[5]:[4]"]


@pytest.mark.parametrize("fmt,check", [
    ("jsonl", lambda text: json.loads(text.splitlines()[0])["src"]["ids"] == [0]),
    ("tsv", lambda text: text.startswith("src_file\ttgt_file\tlink\ttype")),
    ("tmx", lambda text: "<tmx version=\"1.4\">" in text),
])
def test_pair_other_formats(tmp_path, fmt, check):
    src, tgt = tmp_path / "a.txt", tmp_path / "b.txt"
    src.write_text("\n".join(EN_SENTENCES[:3]) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN_SENTENCES[:3]) + "\n", encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    result = _run("pair", src, tgt, "--src-lang", "en", "--tgt-lang", "en", "--presegmented", "--format", fmt,
                  "-o", out)
    assert result.exit_code == 0, result.output
    assert check(out.read_text(encoding="utf-8"))


def _bad_input_cases():
    def empty(ru, en):
        (en / "statement.txt").write_bytes(b"")
        return en / "statement.txt", "empty"

    def binary(ru, en):
        (en / "statement.txt").write_bytes(bytes(range(256)) * 8)
        return en / "statement.txt", "binary"

    def undecodable(ru, en):
        # Every byte decodes in KOI8-R or CP1251, but the letters make no language.
        (en / "statement.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d" * 50)
        return en / "statement.txt", "reads as no language"

    def russian_in_english_folder(ru, en):
        (en / "statement.txt").write_text((ru / "statement.txt").read_text(encoding="utf-8"), encoding="utf-8")
        return en / "statement.txt", "Russian"

    def missing_folder(ru, en):
        for p in en.iterdir():
            p.unlink()
        en.rmdir()
        return en, "does not exist"

    return [empty, binary, undecodable, russian_in_english_folder, missing_folder]


@pytest.mark.parametrize("make_bad", _bad_input_cases(), ids=lambda f: f.__name__)
def test_bad_input_is_one_clear_line_and_writes_nothing(parallel_dirs, tmp_path, make_bad):
    ru, en = parallel_dirs
    bad_path, words = make_bad(ru, en)
    out = tmp_path / "out"
    result = _run("build", ru, en, "-o", out)
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert message.startswith("error:")
    assert bad_path.name in message and words in message
    assert "Traceback" not in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_output_path_that_is_a_file_is_refused(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    result = _run("build", ru, en, "-o", blocker)
    assert result.exit_code == 2
    assert "not a folder" in result.output and blocker.read_text() == "not a folder"


def test_failed_rerun_keeps_previous_outputs_whole(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    out = tmp_path / "out"
    assert _run("build", ru, en, "-o", out).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (en / "statement.txt").write_bytes(b"")
    assert _run("build", ru, en, "-o", out).exit_code == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in out.iterdir() if re.search(r"\.tmp$", p.name)]


def test_same_settings_and_inputs_give_byte_identical_outputs_and_a_run_record(parallel_dirs, tmp_path):
    import hashlib

    ru, en = parallel_dirs
    first, second = tmp_path / "first", tmp_path / "second"
    assert _run("build", ru, en, "-o", first).exit_code == 0
    assert _run("build", ru, en, "-o", second).exit_code == 0
    files = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(second)) for p in second.rglob("*") if p.is_file())
    assert "editions/statement.html" in files and "editions/statement.epub" in files
    for name in files:
        if name != "run.json":  # it records the date
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    runs = [json.loads((folder / "run.json").read_text(encoding="utf-8")) for folder in (first, second)]
    assert {k: v for k, v in runs[0].items() if k != "date"} == {k: v for k, v in runs[1].items() if k != "date"}
    run = runs[0]
    assert run["encoder"] == "use-m3" and run["word_model"] == "e5-small" and run["command"] == "build"
    assert run["settings"]["align"]["skip_penalty"] == 0.2 and run["outputs"] == [
        n for n in run["outputs"] if (first / n).exists()]
    for entry in run["inputs"]:
        assert hashlib.sha256(open(entry["path"], "rb").read()).hexdigest() == entry["sha256"]
    assert {entry["path"] for entry in run["inputs"]} == {str(ru / "statement.txt"), str(en / "statement.txt")}
    summary = (first / "summary.md").read_text(encoding="utf-8").rstrip().splitlines()
    assert summary[-1] == f"Signature: `{run['signature']}`" and "Elapsed" not in "".join(summary)


def test_a_setting_from_config_or_set_reaches_the_aligner_and_the_record(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    config = tmp_path / "align.toml"
    config.write_text("[flags]\nnames = false\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _run("build", ru, en, "-o", out, "--config", config, "--set", "align.skip_penalty=5.0")
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["settings"]["align"]["skip_penalty"] == 5.0 and run["settings"]["flags"]["names"] is False
    assert str(config) in {entry["path"] for entry in run["inputs"]}
    # Leaving a sentence out now costs more than any weak link: the omitted Russian sentence is merged.
    links = (out / "links.txt").read_text().splitlines()
    assert "[4]:[]" not in links


def test_pair_into_a_folder_writes_every_output_of_one_pair(tmp_path):
    src, tgt = tmp_path / "a.ru", tmp_path / "b.en"
    src.write_text("\n".join(RU_SENTENCES) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(EN_SENTENCES) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _run("pair", src, tgt, "--src-lang", "ru", "--tgt-lang", "en", "--presegmented", "-o", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"links.jsonl", "links.txt", "pairs.tsv", "corpus.tmx", "corpus.sqlite",
                                             "corpus.flagged.tmx", "no_source.tsv", "summary.md", "review.md",
                                             "review.html", "run.json", "editions"}
    assert "### Left out: Russian line 5 (1 sentence)" in (out / "review.md").read_text(encoding="utf-8")
    assert (out / "links.txt").read_text().splitlines()[4] == "[4]:[]"
    single = tmp_path / "single.tsv"
    assert _run("pair", src, tgt, "--src-lang", "ru", "--tgt-lang", "en", "--presegmented", "--format", "tsv",
                "-o", single).exit_code == 0
    assert single.read_bytes() == (out / "pairs.tsv").read_bytes()


def test_outputs_over_inputs_are_refused(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    before = (ru / "statement.txt").read_bytes()
    result = _run("pair", ru / "statement.txt", en / "statement.txt", "--src-lang", "ru", "--tgt-lang", "en",
                  "--format", "tsv", "-o", ru / "statement.txt")
    assert result.exit_code == 2 and "would overwrite the input file" in result.output
    result = _run("build", ru, en, "-o", ru)
    assert result.exit_code == 2 and "would overwrite the input folder" in result.output
    assert (ru / "statement.txt").read_bytes() == before and [p.name for p in ru.iterdir()] == ["statement.txt"]


def test_json_summary_on_stdout(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    result = CliRunner().invoke(app, ["-q", "build", str(ru), str(en), "-o", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["link_types"]["1-1"] >= 4 and "run.json" in record["outputs"]
    assert record["signature"].startswith("align:")


def test_a_later_run_leaves_no_outputs_of_an_earlier_one(parallel_dirs, tmp_path):
    ru, en = parallel_dirs
    out = tmp_path / "out"
    # A located build (no file pairs by name) has coverage files; a parallel build must not keep them.
    (en / "statement.txt").rename(en / "other.txt")
    assert _run("build", ru, en, "-o", out).exit_code == 0
    assert (out / "coverage.md").exists()
    (en / "other.txt").rename(en / "statement.txt")
    (out / "notes.txt").write_text("mine")
    assert _run("build", ru, en, "-o", out).exit_code == 0
    names = {p.name for p in out.iterdir()}
    assert "coverage.md" not in names and "coverage.tsv" not in names and "notes.txt" in names
