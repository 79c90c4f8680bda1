"""The correction loop: the correction store (merge, split, move, unlink, relink, undo and
history; stale versions refused; flag ignores and confirmed links surviving a rebuild),
realigning around confirmed links, import and export, the HTTP server's defences
(cross-site and token-less writes, foreign hosts, paths outside its data, markup in the
corpus shown as text), and the editor in a real Chromium."""

from __future__ import annotations

import hashlib
import http.client
import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from align.aligner import AlignConfig
from align.cache import CacheFolder
from align.cli import app as cli
from align.components import Components
from align.errors import InputError
from align.model import AlignedPair, BuildResult, Document, EmbeddedDocument, Flag, Link, Paragraph, Sentence
from align.realign import realign_around, realign_stored, reapply_corrections
from align.serve import App, make_server
from align.settings import Settings
from align.store import add_to_corpus, schema
from align.store.corrections import Corrections, StaleEdit
from align.store.exchange import export_corpus, import_links

RU = ["Мальчик читает книгу у окна.", "Девочка поёт песню в саду.", "Старик ловит рыбу на реке.",
      "Собака спит возле печки.", "Кошка смотрит на птиц.", "Мать печёт хлеб утром.",
      "Отец чинит крышу дома.", "Дети играют на снегу.", "Ветер гонит облака.", "Зима пришла рано."]
EN = ["The boy reads a book by the window.", "The girl sings a song in the garden.",
      "The old man fishes on the river.", "The dog sleeps near the stove.", "The cat watches the birds.",
      "Mother bakes bread in the morning.", "Father mends the roof of the house.", "The children play in the snow.",
      "The wind drives the clouds.", "Winter came early."]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & “quotes”'


class ConceptEncoder:
    """Sentence k of either side → the k-th unit vector: the true alignment is the diagonal."""

    model_id = "concepts"

    def __init__(self, ru: list[str], en: list[str]) -> None:
        self.index = {text: k for k, text in enumerate(ru)} | {text: k for k, text in enumerate(en)}

    def encode(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, self.index.get(text, 32 + int(hashlib.sha256(text.encode()).hexdigest(), 16) % 32)] = 1.0
        return out


def _document(path: Path, lang: str, texts: list[str], encoder: ConceptEncoder) -> EmbeddedDocument:
    raw, paragraphs, sentences, pos = "", [], [], 0
    for k, text in enumerate(texts):
        paragraphs.append(Paragraph(k, text, pos, pos + len(text)))
        sentences.append(Sentence(str(path), k, k, text, pos, pos + len(text)))
        raw += text + "\n"
        pos += len(text) + 1
    path.write_text(raw, encoding="utf-8")  # one sentence a line: re-read as presegmented
    return EmbeddedDocument(Document(path, lang, raw, tuple(paragraphs)), tuple(sentences), encoder.encode(texts))


def _diagonal(n: int, flags: dict[int, tuple[Flag, ...]] | None = None) -> list[Link]:
    return [Link((k,), (k,), 0.9, (flags or {}).get(k, ())) for k in range(n)]


FLAGS = {2: (Flag("number", "major", "1924 ↔ 1925", 0.8),), 4: (Flag("name", "minor", "птиц ↔ —", 0.4),)}


def _build(db: Path, pair: AlignedPair) -> None:
    run = {"command": "build", "signature": "align:test", "settings": {"presegmented": True},
           "inputs": [{"path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
                      for p in (pair.src.path, pair.tgt.path)]}
    add_to_corpus(db, BuildResult((pair.src,), (pair.tgt,), (pair,), {}), run, None)


@pytest.fixture
def corpus(tmp_path):
    """A built corpus of one 10-sentence pair (links on the diagonal, two flagged) and what
    it was built from."""
    encoder = ConceptEncoder(RU, EN)
    (tmp_path / "ru").mkdir()
    (tmp_path / "en").mkdir()
    src = _document(tmp_path / "ru" / "tale.txt", "ru", RU, encoder)
    tgt = _document(tmp_path / "en" / "tale.txt", "en", EN, encoder)
    pair = AlignedPair(src, tgt, tuple(_diagonal(len(RU), FLAGS)), "parallel")
    db = tmp_path / "corpus.sqlite"
    _build(db, pair)
    return db, pair, encoder


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(cache=CacheFolder(tmp_path / "cache"), align=replace(AlignConfig(), recheck=False),
                    presegmented=True)


def _components(encoder) -> Components:
    return Components(encoder, None, None)


def _ids(c: Corrections) -> list[tuple]:
    return [(v.src, v.tgt) for v in c.links(1)]


def _seen(c: Corrections, *idx: int) -> list[tuple[int, int]]:
    links = c.links(1)
    return [(links[k].id, links[k].version) for k in idx]


# --- the correction store -----------------------------------------------------------------

def test_merge_split_move_unlink_and_undo_each_in_turn(corpus):
    db, _, _ = corpus
    with Corrections(db) as c:
        original = _ids(c)
        c.merge(1, _seen(c, 0, 1))
        merged = c.links(1)[0]
        assert (merged.src, merged.tgt, merged.confirmed) == ((0, 1), (0, 1), True)
        assert merged.src_text == f"{RU[0]} {RU[1]}" and merged.src_lines == "1-2" and merged.version > 0
        c.split(1, _seen(c, 0)[0], 1, 0)
        assert _ids(c)[:2] == [((0,), ()), ((1,), (0, 1))]
        c.move(1, _seen(c, 1, 2), "tgt", "down")
        assert _ids(c)[1:3] == [((1,), (0,)), ((2,), (1, 2))]
        c.unlink(1, _seen(c, 2)[0])
        assert _ids(c)[2:5] == [((2,), ()), ((), (1,)), ((), (2,))]
        assert [e.action for e in c.history(1)] == ["unlink", "move", "split", "merge"]
        for _ in range(4):
            c.undo(1)
        assert _ids(c) == original
        assert not any(v.confirmed for v in c.links(1))
        assert all(e.undone for e in c.history(1))
        with pytest.raises(InputError, match="nothing to undo"):
            c.undo(1)


def test_an_edit_from_a_stale_view_is_refused_and_nothing_changes(corpus):
    db, _, _ = corpus
    with Corrections(db) as first, Corrections(db) as second:
        stale = _seen(second, 0, 1)
        first.merge(1, _seen(first, 0, 1))
        before = _ids(second)
        with pytest.raises(StaleEdit, match="changed in another window"):
            second.merge(1, stale)
        with pytest.raises(StaleEdit):
            second.confirm(1, stale[0])
        assert _ids(second) == before
        with pytest.raises(StaleEdit, match="history changed"):
            second.undo(1, expected=12345)


def test_the_edit_to_undo_is_found_behind_any_number_of_undone_ones(corpus):
    db, _, _ = corpus
    with Corrections(db) as c:
        merged = c.merge(1, _seen(c, 0, 1))
        for _ in range(21):
            c.confirm(1, _seen(c, 3)[0])
            c.undo(1)
        assert all(e.undone for e in c.history(1, 20))
        assert c.undoable(1).id == merged and c.undoable(1).action == "merge"
        assert c.undo(1) == merged and c.undoable(1) is None


def test_a_view_loaded_after_an_undo_is_stale_once_another_edit_reuses_the_row(corpus):
    """An undo gives its links a version of their own; the next edit must not hand out
    the same number again (SQLite reuses the deleted row's id), or a stale save passes."""
    db, _, _ = corpus
    with Corrections(db) as first, Corrections(db) as second:
        first.merge(1, _seen(first, 8, 9))
        first.undo(1)
        stale = _seen(second, 9)  # tab A sees the last link after the undo
        first.confirm(1, _seen(first, 9)[0])  # tab B edits it: a new row, perhaps with the same id
        with pytest.raises(StaleEdit, match="changed in another window"):
            second.unlink(1, stale[0])


def test_relink_and_import_keep_every_sentence_once_in_order(corpus, tmp_path):
    db, _, _ = corpus
    with Corrections(db) as c:
        c.relink(1, _seen(c, 3, 4), [((3, 4), (3,)), ((), (4,))])
        assert _ids(c)[3:5] == [((3, 4), (3,)), ((), (4,))]
        for bad, problem in (([((3,), (3, 4)), ((3,), ())], "src sentence 3 is in two links"),
                             ([((5,), (5,))], "src sentence 6 is missing"),
                             ([((6,), (6,)), ((5,), (5,))], "out of order"),
                             ([((), ()), ((5,), (5,)), ((6,), (6,))], "needs a sentence")):
            with pytest.raises(InputError, match=problem):
                c.relink(1, _seen(c, 5, 6), bad)
    lines = [json.dumps({"ru": {"ids": s}, "en": {"ids": t}}) for s, t in
             [([0, 1], [0]), ([], [1])] + [([k], [k]) for k in range(2, 10)]]
    good = tmp_path / "links.jsonl"
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_links(db, 1, good) == 10
    with Corrections(db) as c:
        assert _ids(c)[:2] == [((0, 1), (0,)), ((), (1,))]
        assert [v.confirmed for v in c.links(1)][:3] == [True, True, False]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines[:5] + lines[6:]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(bad), "--pair", "1", "--db", str(db)])
    assert result.exit_code == 2
    assert "bad.jsonl: import: src sentence 5 is missing" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_an_ignored_flag_stays_ignored_after_a_rebuild_and_an_undo_reopens_it(corpus):
    db, pair, _ = corpus
    with Corrections(db) as c:
        link = c.links(1)[2]
        c.decide(1, link.id, "number", "ignore", "the source has a misprint")
        c.decide(1, c.links(1)[4].id, "name", "accept", "")
        assert [f.decision for f in c.links(1)[2].flags] == ["ignore"]
        assert c.links(1)[2].open_flags == ()
        c.confirm(1, _seen(c, 0)[0])
        assert [(p["links"], p["open_flags"], p["confirmed"]) for p in c.pairs()] == [(10, 1, 1)]
        c.undo(1)
    _build(db, pair)  # the same text built again: new rows, the same flags raised
    with Corrections(db) as c:
        again = c.links(1)
        assert [(f.kind, f.decision, f.note) for f in again[2].flags] == [("number", "ignore", "the source has a misprint")]
        assert [f.decision for f in again[4].flags] == ["accept"]
        c.undo(1)  # the accept
        c.undo(1)  # the ignore
        assert [f.decision for f in c.links(1)[2].flags] == [None]


def test_realign_keeps_the_confirmed_links_and_realigns_the_rest(corpus, settings):
    db, pair, encoder = corpus
    with Corrections(db) as c:
        c.relink(1, _seen(c, 5, 6), [((5, 6), (5,)), ((), (6,))])  # a wrong link, confirmed by hand
        c.merge(1, _seen(c, 0, 1))
        c.unlink(1, _seen(c, 2)[0])  # [3]:[] and []:[3], unconfirmed below: realign should mend them
        c.confirm(1, _seen(c, 2)[0], False)
        c.confirm(1, _seen(c, 3)[0], False)
        realign_stored(c, 1, settings, _components(encoder))
        links = _ids(c)
        assert links[0] == ((0, 1), (0, 1))
        assert ((5, 6), (5,)) in links and ((), (6,)) in links
        assert ((3,), (3,)) in links and ((2,), (2,)) in links
        assert c.history(1)[0].action == "realign"
        c.undo(1)
        assert ((3,), ()) in _ids(c)


def test_realign_does_not_overwrite_an_edit_made_while_it_ran(corpus, settings, monkeypatch):
    """Another window merges two links while a realign computes: the realign is refused
    (409 in the editor) and the merge stays."""
    import align.realign as realign

    db, _, encoder = corpus
    computed = realign.realigned_states

    def meanwhile(*args, **kwargs):
        states = computed(*args, **kwargs)
        with Corrections(db) as other:
            other.merge(1, _seen(other, 0, 1))
        return states

    monkeypatch.setattr(realign, "realigned_states", meanwhile)
    with Corrections(db) as c:
        c.unlink(1, _seen(c, 4)[0])  # something for the realign to mend
        with pytest.raises(StaleEdit, match="changed in another window during the realign"):
            realign_stored(c, 1, settings, _components(encoder))
        links = _ids(c)
        assert links[0] == ((0, 1), (0, 1)) and ((4,), ()) in links
        assert c.history(1)[0].action == "merge"


def test_realign_around_cuts_runs_at_anchors():
    encoder = ConceptEncoder(RU, EN)
    src = EmbeddedDocument(Document(Path("r"), "ru", "", ()), tuple(Sentence("r", k, k, t, 0, 1) for k, t in enumerate(RU)),
                           encoder.encode(RU))
    tgt = EmbeddedDocument(Document(Path("e"), "en", "", ()), tuple(Sentence("e", k, k, t, 0, 1) for k, t in enumerate(EN)),
                           encoder.encode(EN))
    scrambled = [Link((0, 1, 2), (0,), 0.1), Link((), (1, 2), 0.1), Link((3,), (3, 4), 1.0),
                 Link((4, 5), (), 0.1), Link((6, 7, 8, 9), (5, 6, 7, 8, 9), 0.1)]
    links, fixed = realign_around(scrambled, [False, False, True, False, False], src, tgt,
                                  replace(AlignConfig(), recheck=False), None)
    assert [(link.src, link.tgt) for link, f in zip(links, fixed) if f] == [((3,), (3, 4))]
    assert [(link.src, link.tgt) for link in links] == [
        ((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3, 4)), ((4,), ()), *[((k,), (k,)) for k in range(5, 10)]]


def test_an_anchor_across_the_new_alignment_keeps_every_side_in_order():
    """A confirmed link the rebuild's alignment crosses: the links between are cut to
    single sentences around it, so each side stays once and in order."""
    from align.realign import with_anchors

    diagonal = [Link((k,), (k,), 0.9) for k in range(12)]
    links, fixed = with_anchors(diagonal, [Link((5,), (9,), 0.9)])
    src = [i for link in links for i in link.src]
    tgt = [j for link in links for j in link.tgt]
    assert src == list(range(12)) and tgt == list(range(12)) and fixed.count(True) == 1
    assert Link((5,), (9,), 0.9) in links


def test_a_confirmed_link_survives_a_rebuild_that_lost_it(corpus, settings):
    db, pair, encoder = corpus
    with Corrections(db) as c:
        c.merge(1, _seen(c, 7, 8))  # confirmed: [7 8]:[7 8]
    _build(db, pair)  # the aligner's diagonal again
    assert reapply_corrections(db, BuildResult((pair.src,), (pair.tgt,), (pair,), {}), settings,
                               _components(encoder)) == 1
    with Corrections(db) as c:
        links = c.links(1)
        assert ((7, 8), (7, 8)) in [(v.src, v.tgt) for v in links]
        assert len(links) == 9 and [v.confirmed for v in links].count(True) == 1
        assert c.history(1)[0].action == "rebuild"
        assert all(v.version > 0 for v in links)  # row ids come back after a rebuild: a stale page's versions do not


def test_a_version_1_corpus_is_migrated(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(f"BEGIN; {schema.TABLES} PRAGMA application_id = {schema.APPLICATION_ID}; "
                     "PRAGMA user_version = 1; COMMIT;")
    db.close()
    with Corrections(path) as c:
        assert c.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert c.db.execute("SELECT relation, evidence FROM passages").fetchall() == []
        assert c.db.execute("SELECT count(*) FROM edits").fetchone()[0] == 0


def test_export_writes_the_corrected_links_without_ignored_flags(corpus, settings, tmp_path):
    db, _, _ = corpus
    with Corrections(db) as c:
        c.merge(1, _seen(c, 0, 1))
        c.decide(1, c.links(1)[1].id, "number", "ignore", "fine")
    written = export_corpus(db, tmp_path / "out", settings)
    assert {"links.jsonl", "pairs.tsv", "corpus.tmx"} <= set(written)
    assert "corpus.sqlite" not in written and "no_source.tsv" not in written
    records = [json.loads(line) for line in (tmp_path / "out" / "links.jsonl").read_text().splitlines()]
    assert records[0]["ru"]["ids"] == [0, 1] and len(records) == 9
    assert records[1]["flags"] == [] and [f["kind"] for f in records[3]["flags"]] == ["name"]
    tmx = (tmp_path / "out" / "corpus.tmx").read_text()
    assert f"{RU[0]} {RU[1]}" in tmx
    back = import_links(db, 1, tmp_path / "out" / "pairs.tsv")  # the TSV reads back as it was written
    assert back == 9
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "-o", str(tmp_path / "cli-out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli-out" / "links.jsonl").read_bytes() == (tmp_path / "out" / "links.jsonl").read_bytes()


def test_a_rebuild_into_the_database_leaves_ignored_flags_out_of_its_outputs(corpus, settings, tmp_path):
    from align.api import write_build

    db, pair, _ = corpus
    with Corrections(db) as c:
        c.decide(1, c.links(1)[2].id, "number", "ignore", "a misprint in the source")
    result = BuildResult((pair.src,), (pair.tgt,), (pair,), {})
    write_build(tmp_path / "rebuilt", result, settings, [pair.src.path, pair.tgt.path], db=db)
    records = [json.loads(line) for line in (tmp_path / "rebuilt" / "links.jsonl").read_text().splitlines()]
    assert records[2]["flags"] == [] and [f["kind"] for f in records[4]["flags"]] == ["name"]
    with Corrections(db) as c:  # the database keeps the flag, with its decision, for the editor
        assert [(f.kind, f.decision) for f in c.links(1)[2].flags] == [("number", "ignore")]
    write_build(tmp_path / "plain", result, settings, [pair.src.path, pair.tgt.path])  # no database: all flags
    records = [json.loads(line) for line in (tmp_path / "plain" / "links.jsonl").read_text().splitlines()]
    assert [f["kind"] for f in records[2]["flags"]] == ["number"]


# --- the HTTP server ----------------------------------------------------------------------

@pytest.fixture
def served(corpus, settings):
    db, _, encoder = corpus
    application = App(db, settings, components=_components(encoder))
    server = make_server(application, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield application, server.server_address[1], db
    server.shutdown()
    server.server_close()


def test_the_server_binds_an_ipv6_loopback(corpus, settings):
    import socket

    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError as error:
        pytest.skip(f"this machine has no IPv6 loopback ({error})")
    db, _, encoder = corpus
    application = App(db, settings, host="::1", port=0, components=_components(encoder))
    server = make_server(application, "::1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        connection = http.client.HTTPConnection("::1", port, timeout=10)
        connection.request("GET", "/", headers={"Host": f"[::1]:{port}"})
        response = connection.getresponse()
        assert response.status == 200 and b"ru/" in response.read()
        connection.close()
    finally:
        server.shutdown()
        server.server_close()


def _request(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                       headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def _write_headers(application: App, port: int, **changes) -> dict:
    headers = {"Content-Type": "application/json", "X-Align-Token": application.token,
               "Origin": f"http://127.0.0.1:{port}"}
    headers.update(changes)
    return {k: v for k, v in headers.items() if v is not None}


def test_pages_carry_a_strict_policy_and_writes_need_token_and_origin(served):
    application, port, db = served
    status, headers, page = _request(port, "GET", "/pair/1")
    assert status == 200 and "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
    assert application.token.encode() in page
    with Corrections(db) as c:
        merge = {"action": "merge", "links": [list(x) for x in _seen(c, 0, 1)]}
    for changes, problem in (({"X-Align-Token": None}, b"token"), ({"X-Align-Token": "guess"}, b"token"),
                             ({"Origin": "http://evil.example"}, b"own pages"), ({"Origin": None}, b"own pages"),
                             ({"Content-Type": "text/plain"}, b"JSON")):
        status, _, answer = _request(port, "POST", "/api/pair/1", merge, _write_headers(application, port, **changes))
        assert status == 403 and problem in answer
    status, _, _ = _request(port, "POST", "/api/pair/1", merge,
                            _write_headers(application, port, Host="attacker.example:80"))
    assert status == 403  # a rebound DNS name
    status, _, _ = _request(port, "GET", "/", headers={"Host": "attacker.example"})
    assert status == 403
    with Corrections(db) as c:
        assert len(c.links(1)) == 10
    status, _, answer = _request(port, "POST", "/api/pair/1", merge, _write_headers(application, port))
    assert status == 200, answer
    status, _, answer = _request(port, "POST", "/api/pair/1", merge, _write_headers(application, port))
    assert status == 409 and "another window" in json.loads(answer)["error"]


def test_bound_to_every_interface_a_rebound_name_is_still_refused(corpus, settings):
    """DNS rebinding: a page whose name an attacker points at this machine must not read
    the token; an IP address on the server's port is answered."""
    db, _, encoder = corpus
    application = App(db, settings, host="0.0.0.0", port=8765, components=_components(encoder))
    refused = application.handle("GET", "/", {"Host": "evil.example:8765"})
    assert refused.status == 403 and application.token.encode() not in refused.body
    assert application.handle("GET", "/", {"Host": "192.168.1.20:8765"}).status == 200
    assert application.handle("GET", "/", {"Host": "[fe80::1]:8765"}).status == 200
    assert application.handle("GET", "/", {"Host": "192.168.1.20:9999"}).status == 403
    assert application.handle("GET", "/", {"Host": "localhost:8765"}).status == 200


@pytest.mark.parametrize("body, problem", [
    (b"not json", "not JSON"), (b"[1, 2]", "not a JSON object"), (b'{"action": "merge", "links": 5}', "list of"),
    (b'{"action": "merge", "links": [["a", 1], [2, 3]]}', "whole number"), (b'{"action": "rm -rf"}', "unknown action"),
    (b'{"action": "split", "links": [[1, 0]], "src_at": 9, "tgt_at": 0}', "cannot split"),
    (b'{"action": "flag", "link": 1, "kind": "number", "decision": "delete"}', "accept or ignore"),
    (b'{"action": "relink", "links": [[1, 0]], "text": "1 2 3"}', "source ids : target ids"),
    (b'{"action": "relink", "links": [], "text": "0 : 0"}', "at least one link"),
    ('{"action": "undo", "edit": "\u00b2"}'.encode(), "whole number"),
    (b'{"action": "undo", "edit": 123456789012345678901234}', "whole number"),
])
def test_a_malformed_write_is_a_clear_400(served, body, problem):
    application, port, _ = served
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/api/pair/1", body=body, headers=_write_headers(application, port))
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status == 400 and problem in answer["error"]


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e/app.py", "//etc/passwd",
                                  "/etc/passwd", "/static//etc/passwd", "/static/app.py", "/static/",
                                  "/../corpus.sqlite", "/corpus.sqlite", "/pair/1/../../corpus.sqlite",
                                  "/static/app.js/../../store/corrections.py"])
def test_nothing_outside_the_servers_own_assets_is_served(served, path):
    _, port, _ = served
    status, _, body = _request(port, "GET", path)
    assert status == 404
    assert b"SQLite" not in body and b"import" not in body and b"root:" not in body


def test_markup_in_the_corpus_is_shown_as_text(tmp_path, settings):
    encoder = ConceptEncoder([HOSTILE, *RU[1:3]], [HOSTILE, *EN[1:3]])
    (tmp_path / "ru").mkdir()
    (tmp_path / "en").mkdir()
    src = _document(tmp_path / "ru" / "x.txt", "ru", [HOSTILE, *RU[1:3]], encoder)
    tgt = _document(tmp_path / "en" / "x.txt", "en", [HOSTILE, *EN[1:3]], encoder)
    db = tmp_path / "x.sqlite"
    _build(db, AlignedPair(src, tgt, tuple(_diagonal(3, {0: (Flag("format", "minor", HOSTILE, 0.5),)})), "parallel"))
    application = App(db, settings)
    for target in ("/pair/1", "/", "/concordance?q=alert&w=script"):
        page = application.handle("GET", target, {"Host": "127.0.0.1:8765"}).body.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
    page = application.handle("GET", "/pair/1", {"Host": "127.0.0.1:8765"}).body.decode()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert page.count("<script") == 1  # the server's own /static/app.js


def test_serve_refuses_another_interface_without_the_flag(corpus):
    db, _, _ = corpus
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--allow-remote" in result.output


# --- in a real browser --------------------------------------------------------------------

def _row(driver, k: int):
    return driver.find_element("css selector", f"tr#l{k}")


def _click(driver, k: int, act: str) -> None:
    """Click a row's button and wait for the page the save reloads."""
    old = driver.find_element("css selector", "html")
    _row(driver, k).find_element("css selector", f"button[data-act={act}]").click()
    _wait(lambda: _stale(old))


def _stale(element) -> bool:
    """Whether ``element``'s page is gone; mid-navigation Chromium may say so as "Node with
    given id does not belong to the document" rather than as a stale reference."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.tag_name
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def _wait(condition, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.slow
def test_the_editor_merges_ignores_realigns_in_chromium(browser, served, artefacts):
    application, port, db = served
    base = f"http://127.0.0.1:{port}"
    browser.get(f"{base}/pair/1")
    assert len(browser.find_elements("css selector", "table.links tbody tr")) == 10
    _click(browser, 0, "merge")
    browser.refresh()
    first = _row(browser, 0)
    assert RU[0] in first.text and RU[1] in first.text and EN[1] in first.text
    assert "confirmed" in first.get_attribute("class")
    assert len(browser.find_elements("css selector", "table.links tbody tr")) == 9
    browser.save_screenshot(str(artefacts / "serve-merged.png"))

    report = browser.find_elements("css selector", "ol.report li")
    assert [li.get_attribute("data-kind") for li in report] == ["number", "name"]
    report[0].find_element("css selector", "input.note").send_keys("misprint in the source")
    old = browser.find_element("css selector", "html")
    report[0].find_element("css selector", "button[data-decision=ignore]").click()
    _wait(lambda: _stale(old))
    assert [li.get_attribute("data-kind") for li in browser.find_elements("css selector", "ol.report li")] == ["name"]
    assert "misprint in the source" in browser.find_element("css selector", "details.ignored").get_attribute(
        "textContent")
    browser.save_screenshot(str(artefacts / "serve-ignored.png"))

    _click(browser, 4, "unlink")  # [5]:[5] → [5]:[] [ ]:[5], both confirmed
    _click(browser, 4, "unconfirm")
    _click(browser, 5, "unconfirm")
    old = browser.find_element("css selector", "html")
    browser.find_element("css selector", "button[data-act=realign]").click()
    _wait(lambda: _stale(old))
    rows = browser.find_elements("css selector", "table.links tbody tr")
    assert RU[0] in rows[0].text and RU[1] in rows[0].text  # the confirmed merge is kept
    assert RU[5] in rows[4].text and EN[5] in rows[4].text  # the unconfirmed stretch realigned
    assert _errors(browser) == []
    browser.save_screenshot(str(artefacts / "serve-realigned.png"))
    browser.get(f"{base}/pair/1/edition")  # the preview, under its own policy (its inline parts by hash)
    assert RU[0] in browser.find_element("css selector", "body").text
    assert _errors(browser) == []
    browser.save_screenshot(str(artefacts / "serve-edition.png"))


@pytest.mark.slow
def test_two_tabs_editing_one_link_the_second_is_refused_in_chromium(browser, served, artefacts):
    application, port, db = served
    base = f"http://127.0.0.1:{port}"
    browser.get(f"{base}/pair/1")
    first = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(f"{base}/pair/1")
    second = browser.current_window_handle
    browser.switch_to.window(first)
    _click(browser, 2, "merge")
    browser.switch_to.window(second)
    _row(browser, 2).find_element("css selector", "button[data-act=confirm]").click()
    status = browser.find_element("id", "status")
    _wait(lambda: "not saved" in status.text)
    assert "changed in another window" in status.text and "reload" in status.text
    assert "bad" in status.get_attribute("class")
    browser.save_screenshot(str(artefacts / "serve-conflict.png"))
    with Corrections(db) as c:
        assert ((2, 3), (2, 3)) in _ids(c)  # the first save kept, nothing lost
        assert [v.confirmed for v in c.links(1)].count(True) == 1
    browser.close()
    browser.switch_to.window(first)
