"""The corpus database: schema checks, replacing a pair, a killed write, the query language
(every query of a small corpus of known content returns exactly the expected links),
lemma search on real forms of the bundled corpus, KWIC, equivalents, exports, injections."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from align.errors import InputError
from align.model import AlignedPair, Document, EmbeddedDocument, Flag, Link, Paragraph, Sentence, BuildResult
from align.store import Filters, add_to_corpus, corpus_bytes, open_corpus
from align.store import schema
from align.store.formats import render
from align.tokens import WORD_RE, Words

ROOT = Path(__file__).resolve().parents[1]

# Each word's "meaning": words of one meaning align (a word model whose vectors are known).
CONCEPTS = {"партия": 0, "партии": 0, "партию": 0, "Партией": 0, "party": 0, "Сталин": 1, "Сталина": 1,
            "Stalin": 1, "Троцкий": 2, "Trotsky": 2, "исключил": 3, "expelled": 3, "из": 4, "from": 4,
            "пишет": 5, "writes": 5, "Коба": 1}


class ConceptWords:
    """A word model of one-hot concept vectors (unknown words get their own dimension)."""

    model_id = "concepts"

    def words(self, texts):
        out = []
        for text in texts:
            spans = tuple((m.start(), m.end()) for m in WORD_RE.finditer(text))
            vectors = np.zeros((len(spans), 64))
            for row, (a, b) in enumerate(spans):
                vectors[row, CONCEPTS.get(text[a:b], 10 + hash(text[a:b]) % 50)] = 1.0
            out.append(Words(text, spans, vectors))
        return out


def embedded(path: str, lang: str, texts: list[str]) -> EmbeddedDocument:
    raw, paragraphs, sentences, pos = "", [], [], 0
    for k, text in enumerate(texts):
        paragraphs.append(Paragraph(k, text, pos, pos + len(text)))
        sentences.append(Sentence(path, k, k, text, pos, pos + len(text)))
        raw += text + "\n"
        pos += len(text) + 1
    return EmbeddedDocument(Document(Path(path), lang, raw, tuple(paragraphs)), tuple(sentences),
                            np.zeros((len(texts), 1)))


def pair(name: str, ru: list[str], en: list[str], links: list[Link], mode: str = "parallel") -> AlignedPair:
    return AlignedPair(embedded(f"ru/{name}.txt", "ru", ru), embedded(f"en/{name}.txt", "en", en), tuple(links), mode)


RUN = {"command": "build", "signature": "align:test", "date": "2026-12-01T00:00:00+00:00", "inputs": []}

KNOWN = [
    pair("a", ["Сталин исключил Троцкий из партии.", "Троцкий пишет.", "Коба пишет."],
         ["Stalin expelled Trotsky from the party.", "Trotsky writes.", "He writes."],
         [Link((0,), (0,), 0.9), Link((1,), (1,), 0.8, (Flag("name", "major", "Троцкий ↔ —", 0.7),)),
          Link((2,), (2,), 0.4, (Flag("name", "major", "Коба ↔ —", 0.6),))]),
    pair("b", ["Сталина нет.", "Партией руководит Сталин.", "Лишнее."],
         ["No Stalin.", "Stalin leads the party."],
         [Link((0,), (0,), 0.7), Link((1,), (1,), 0.85), Link((2,), (), 0.0, (Flag("omission", "minor", "Лишнее", 0.5),))],
         mode="located"),
]


@pytest.fixture
def known(tmp_path) -> Path:
    path = tmp_path / "corpus.sqlite"
    add_to_corpus(path, BuildResult((), (), tuple(KNOWN), {}), RUN, ConceptWords())
    return path


def link_keys(frame) -> list[tuple[str, int]]:
    return [(Path(p).stem, ids[0] if ids else -1) for p, ids in zip(frame["src_path"], frame["src_ids"])]


@pytest.mark.parametrize("query, expected", [
    ("партия", [("a", 0), ("b", 1)]),                       # lemma (default): партии, Партией
    ("word:партии", [("a", 0)]),                             # exact form
    ("Сталин", [("a", 0), ("b", 0), ("b", 1)]),              # Сталин, Сталина
    ("word:Сталина", [("b", 0)]),
    ("ru:Сталин AND NOT en:Stalin", []),
    ("en:Stalin AND NOT ru:Сталин", []),
    ("en:writes AND NOT ru:Троцкий", [("a", 2)]),            # the name dropped: Коба ↔ He
    ('"исключил Троцкий"', [("a", 0)]),
    ('"Троцкий исключил"', []),
    ("парти*", [("a", 0), ("b", 1)]),
    ("Сталин NEAR/1 Троцкий", [("a", 0)]),
    ("Сталин NEAR/0 Троцкий", []),
    ("Троцкий OR Коба", [("a", 0), ("a", 1), ("a", 2)]),
    ("(Троцкий OR Коба) пишет", [("a", 1), ("a", 2)]),
    ("party", [("a", 0), ("b", 1)]),                          # English stems
    ("en:parties", [("a", 0), ("b", 1)]),
    ("лишний", [("b", 2)]),
])
def test_every_query_returns_exactly_the_expected_links(known, query, expected):
    with open_corpus(known) as corpus:
        assert link_keys(corpus.query(query)) == expected


@pytest.mark.parametrize("filters, expected", [
    (Filters(kind="name"), [("a", 1), ("a", 2)]),
    (Filters(kind="name", severity="minor"), []),
    (Filters(severity="minor"), [("b", 2)]),
    (Filters(mode="located"), [("b", 0), ("b", 1), ("b", 2)]),
    (Filters(type="1-0"), [("b", 2)]),
    (Filters(min_score=0.8), [("a", 0), ("a", 1), ("b", 1)]),
    (Filters(min_score=0.5, max_score=0.8), [("a", 1), ("b", 0)]),
    (Filters(document="en/a"), [("a", 0), ("a", 1), ("a", 2)]),
])
def test_filters(known, filters, expected):
    with open_corpus(known) as corpus:
        assert link_keys(corpus.links(filters=filters)) == expected



def test_a_query_with_filters(known):
    with open_corpus(known) as corpus:
        assert link_keys(corpus.query("Троцкий", Filters(kind="name"))) == [("a", 1)]
        assert link_keys(corpus.query("Сталин", Filters(mode="parallel", min_score=0.85))) == [("a", 0)]


def test_frames_have_list_ids_one_row_per_flag_and_no_flags_column(known):
    with open_corpus(known) as corpus:
        links = corpus.links()
        flags = corpus.flags()
    assert "flags" not in links.columns and "flags" not in flags.columns
    assert links["src_ids"].tolist()[:2] == [[0], [1]] and links["flag_kinds"].tolist()[1] == ["name"]
    assert flags[["kind", "severity"]].values.tolist() == [["name", "major"], ["name", "major"], ["omission", "minor"]]


def test_kwic_centres_the_hit_and_marks_the_aligned_word(known):
    with open_corpus(known) as corpus:
        kwic = corpus.kwic("партия")
    assert kwic["hit"].tolist() == ["партии", "Партией"]
    assert kwic["left"][0] == "Сталин исключил Троцкий из " and kwic["right"][0] == "."
    assert kwic["aligned"].tolist() == ["party", "party"]
    assert kwic["rendering"][0] == "Stalin expelled Trotsky from the [[party]]."


def test_equivalents_count_the_aligned_words(known):
    with open_corpus(known) as corpus:
        table = corpus.equivalents("Сталин")
        english = corpus.equivalents("en:party")
    assert table[["lemma", "form", "count"]].values.tolist() == [["stalin", "stalin", 3]]
    assert table["example_src"][0] == "Сталин исключил Троцкий из партии."
    assert english[["lemma", "count"]].values.tolist() == [["партия", 2]]
    with open_corpus(known) as corpus:
        assert corpus.equivalents("word:Сталина")[["form", "count", "example_link"]].values.tolist() == [
            ["stalin", 1, 4]]
        assert corpus.equivalents("word:Партией")["count"].tolist() == [1]


def test_count_by_document_and_kind(known):
    with open_corpus(known) as corpus:
        by_doc = corpus.count("Троцкий OR Сталин", "document")
        by_kind = corpus.count(None, "kind")
    assert by_doc["links"].tolist() == [2, 2]
    assert by_kind.values.tolist() == [["name", "major", 2], ["omission", "minor", 1]]


def test_rebuilding_a_pair_replaces_its_rows(known):
    add_to_corpus(known, BuildResult((), (), (KNOWN[0],), {}), RUN, ConceptWords())
    with open_corpus(known) as corpus:
        assert len(corpus.links()) == 6 and len(corpus.query("Троцкий")) == 2
        assert corpus.db.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
        assert corpus.db.execute("SELECT count(*) FROM link_text").fetchone()[0] == 6
        assert corpus.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert corpus.db.execute("PRAGMA foreign_key_check").fetchall() == []


KILLED_WRITER = """
import sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {tests!r})
import align.store.write as write
from test_store import KNOWN, RUN, ConceptWords
from align.model import BuildResult
from align.store import add_to_corpus

original = write._write_pair
def slow(*args):
    original(*args)
    print("inside", flush=True)
    time.sleep(60)
write._write_pair = slow
add_to_corpus({path!r}, BuildResult((), (), (KNOWN[1],), {{}}), RUN, ConceptWords())
"""


def test_a_killed_write_leaves_the_previous_state(tmp_path):
    path = tmp_path / "corpus.sqlite"
    add_to_corpus(path, BuildResult((), (), (KNOWN[0],), {}), RUN, ConceptWords())
    script = KILLED_WRITER.format(root=str(ROOT), tests=str(ROOT / "tests"), path=str(path))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout.readline().strip() == "inside"  # pair b's rows are written, not committed
    child.send_signal(signal.SIGKILL)
    child.wait()
    with open_corpus(path) as corpus:
        assert link_keys(corpus.links()) == [("a", 0), ("a", 1), ("a", 2)]
        assert corpus.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert corpus.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 2


def test_foreign_newer_older_and_empty_files_are_one_line_errors(tmp_path, known):
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all, just some text " * 100)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    newer = tmp_path / "newer.sqlite"
    newer.write_bytes(known.read_bytes())
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 99")
    db.close()
    older = tmp_path / "older.sqlite"
    older.write_bytes(known.read_bytes())
    db = sqlite3.connect(older)
    db.execute("PRAGMA user_version = 0")
    db.close()
    for path, message in ((text, "not a corpus database"), (other, "not an align corpus database"),
                          (newer, "newer than this align"), (older, f"older than {schema.SCHEMA_VERSION} and cannot be migrated"),
                          (tmp_path / "missing.sqlite", "no corpus database here")):
        with pytest.raises(InputError, match=message) as error:
            open_corpus(path)
        assert "\n" not in str(error.value)


def test_an_older_schema_is_migrated(tmp_path, known, monkeypatch):
    db = sqlite3.connect(known)
    db.execute("PRAGMA user_version = 0")
    db.close()
    monkeypatch.setitem(schema.MIGRATIONS, 0, lambda db: db.execute("INSERT INTO meta VALUES ('migrated', '1')"))
    with open_corpus(known) as corpus:
        assert corpus.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert corpus.db.execute("SELECT value FROM meta WHERE key = 'migrated'").fetchone()[0] == "1"


@pytest.mark.parametrize("query", ["'; DROP TABLE links; --", 'партия"; DROP TABLE links; --', "NEAR(", "a OR",
                                   ")", "NOT партия", "партия AND", '"unclosed', "Сталин NEAR/2 (a OR b)",
                                   "ru:", "*"])
def test_injections_and_syntax_errors_are_clear_errors_and_change_nothing(known, query):
    before = known.read_bytes()
    with open_corpus(known) as corpus:
        with pytest.raises(InputError, match="query") as error:
            corpus.query(query)
        assert "\n" not in str(error.value)
        assert corpus.links(filters=Filters(document="'; DROP TABLE links; --")).empty
        assert len(corpus.links()) == 6
    assert known.read_bytes() == before


def test_a_quoted_injection_is_only_words(known):
    with open_corpus(known) as corpus:
        assert corpus.query('"партии; DROP TABLE links"').empty
        assert len(corpus.links()) == 6


def test_exports(known, tmp_path):
    import pandas as pd
    from lxml import etree

    with open_corpus(known) as corpus:
        links = corpus.links()
        langs = corpus.langs
        pairs = corpus.word_pairs(links["link_id"].tolist())
    assert pd.read_csv(__import__("io").BytesIO(render(links, "tsv", langs)), sep="\t").shape[0] == 6
    assert [json.loads(l)["link_id"] for l in render(links, "jsonl", langs).splitlines()] == links["link_id"].tolist()
    (tmp_path / "q.parquet").write_bytes(render(links, "parquet", langs))
    assert pd.read_parquet(tmp_path / "q.parquet")["src_ids"].tolist()[0].tolist() == [0]
    tmx = etree.fromstring(render(links, "tmx", langs))
    assert len(tmx.findall(".//tu")) == 5
    vrt = render(links, "vrt", langs, pairs).decode().splitlines()
    assert vrt[0] == '<corpus lang="ru" side="src">' and "партии\tпартия\tparty" in vrt
    assert sum(line.startswith("<seg ") for line in vrt) == 6


def test_corpus_bytes_are_the_same_for_the_same_run(tmp_path):
    result = BuildResult((), (), tuple(KNOWN), {})
    first = corpus_bytes(result, RUN, ConceptWords(), __import__("align.export.lines").export.lines.LineNumbers())
    second = corpus_bytes(result, {**RUN, "date": "later"}, ConceptWords(),
                          __import__("align.export.lines").export.lines.LineNumbers())
    assert first == second and first[:16] == b"SQLite format 3\x00"


def _real_sentences(*forms: str) -> list[str]:
    """Sentences of the bundled Russian corpus holding each form (the first of each)."""
    from align.segment import split_document
    from align.ingest import read_document

    document = read_document(ROOT / "corpus/ru/trotsky_opposition_politburo_documents.txt", "ru")
    found = []
    for form in forms:
        found.append(next(s.text for s in split_document(document)
                          if any(w == form for w in WORD_RE.findall(s.text))))
    return found


@pytest.mark.slow
def test_lemma_search_on_real_russian_forms_of_the_corpus(tmp_path):
    forms = ["партии", "партией", "партию", "партия"]
    texts = _real_sentences(*forms)
    links = [Link((k,), (k,), 0.9) for k in range(len(texts))]
    real = pair("real", texts, [f"Sentence {k}." for k in range(len(texts))], links)
    path = tmp_path / "real.sqlite"
    add_to_corpus(path, BuildResult((), (), (real,), {}), RUN, ConceptWords())
    with open_corpus(path) as corpus:
        assert corpus.query("партия")["src_ids"].tolist() == [[0], [1], [2], [3]]
        assert corpus.query("word:партией")["src_ids"].tolist() == [[1]]
        assert sorted(corpus.kwic("партия")["hit"].str.lower()) == sorted(forms)


def test_the_query_command(known, tmp_path):
    from typer.testing import CliRunner

    from align.cli import app

    runner = CliRunner()
    table = runner.invoke(app, ["query", "партия", "--db", str(known), "--kwic"])
    assert table.exit_code == 0 and "party" in table.stdout and "партии" in table.stdout
    tsv = runner.invoke(app, ["query", "Сталин", "--db", str(known), "--format", "tsv", "--kind", "name"])
    assert tsv.exit_code == 0 and tsv.stdout.count("\n") == 1  # the header only: no flagged link names him
    runner.invoke(app, ["query", "Троцкий", "--db", str(known), "--format", "jsonl", "-o", str(tmp_path / "h.jsonl")])
    assert len((tmp_path / "h.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    counted = runner.invoke(app, ["query", "Сталин", "--db", str(known), "--count", "--by", "document",
                                  "--format", "tsv"])
    assert counted.stdout.splitlines()[1:] == ["ru/b.txt\ten/b.txt\t2", "ru/a.txt\ten/a.txt\t1"]
    bad = runner.invoke(app, ["query", "'; DROP TABLE links; --", "--db", str(known)])
    assert bad.exit_code == 2 and "error:" in bad.output
    foreign = runner.invoke(app, ["query", "x", "--db", str(tmp_path / "none.sqlite")])
    assert foreign.exit_code == 2 and "no corpus database here" in foreign.output


@pytest.mark.slow
def test_build_writes_a_corpus_database_and_adds_to_one(parallel_dirs, tmp_path):
    from typer.testing import CliRunner

    from align.cli import app

    ru, en = parallel_dirs
    db = tmp_path / "shared.sqlite"
    for _ in range(2):
        result = CliRunner().invoke(app, ["build", str(ru), str(en), "-o", str(tmp_path / "out"), "--db", str(db)])
        assert result.exit_code == 0, result.output
    for path in (tmp_path / "out" / "corpus.sqlite", db):
        with open_corpus(path) as corpus:
            links = corpus.links()
            assert len(links) >= 5 and links["link_id"].is_unique
            assert corpus.db.execute("SELECT count(*) FROM word_pairs").fetchone()[0] > 20
            assert "Stalin" in corpus.kwic("Сталин")["aligned"].tolist()


def test_a_foreign_db_is_refused_before_any_work(parallel_dirs, tmp_path):
    from typer.testing import CliRunner

    from align.cli import app

    ru, en = parallel_dirs
    foreign = tmp_path / "notes.sqlite"
    foreign.write_text("my notes\n" * 200)
    result = CliRunner().invoke(app, ["build", str(ru), str(en), "-o", str(tmp_path / "out"), "--db", str(foreign)])
    assert result.exit_code == 2 and "not a corpus database" in result.output
    assert not (tmp_path / "out").exists() and foreign.read_text() == "my notes\n" * 200


def test_passages_keep_their_relation_and_its_evidence(tmp_path):
    """Written into the corpus and read back with the pair (`align edition --db`)."""
    import hashlib
    from dataclasses import replace

    from align.cache import CacheFolder
    from align.model import Passage, RelationEvidence
    from align.store.pairs import load_pair

    evidence = RelationEvidence(links=2, cosine=0.61, ru_words=0.5, en_words=None, order=1.0, shared=None,
                                length_ratio=0.8, ru_linked=1.0, quoted=0.75, rendered=0.5)
    sides = []
    for doc in (KNOWN[1].src, KNOWN[1].tgt):
        file = tmp_path / doc.path.name.replace(".txt", f"-{doc.lang}.txt")
        file.write_text("".join(s.text + "\n" for s in doc.sentences), encoding="utf-8")
        sides.append(embedded(str(file), doc.lang, [s.text for s in doc.sentences]))
    located = replace(KNOWN[1], src=sides[0], tgt=sides[1],
                      passages=(Passage(0, 1, 0, 1, 0.7, "partial", evidence), Passage(1, 2, 1, 3, 0.5)))
    run = {**RUN, "settings": {"presegmented": True},
           "inputs": [{"path": str(d.path), "sha256": hashlib.sha256(d.path.read_bytes()).hexdigest()} for d in sides]}
    path = tmp_path / "corpus.sqlite"
    add_to_corpus(path, BuildResult((), (), (located,), {}), run, ConceptWords())
    with open_corpus(path) as corpus:
        rows = corpus.db.execute("SELECT relation, evidence FROM passages ORDER BY idx").fetchall()
    assert [relation for relation, _ in rows] == ["partial", "translation"]
    assert RelationEvidence(**json.loads(rows[0][1])) == evidence and rows[1][1] == ""
    again = load_pair(path, 1, CacheFolder(tmp_path / "cache"), 10**6)
    assert again.passages == located.passages


def test_a_version_2_corpus_gets_the_passage_relations(tmp_path):
    path = tmp_path / "old.sqlite"
    old_passages = schema.TABLES.replace(", relation TEXT NOT NULL DEFAULT 'translation',\n  evidence TEXT NOT NULL "
                                         "DEFAULT ''", "")
    assert old_passages != schema.TABLES
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(f"BEGIN; {old_passages} {schema.CORRECTION_TABLES} PRAGMA application_id = "
                     f"{schema.APPLICATION_ID}; PRAGMA user_version = 2; COMMIT;")
    db.execute("INSERT INTO passages (pair_id, idx, src_start, src_end, tgt_start, tgt_end, score) "
               "VALUES (1, 0, 0, 1, 0, 1, 0.5)")
    db.close()
    with open_corpus(path) as corpus:
        assert corpus.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert corpus.db.execute("SELECT relation, evidence FROM passages").fetchall() == [("translation", "")]
