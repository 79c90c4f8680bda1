"""The correction editor against its targets: every editor action answers in ≤ 100 ms over
HTTP on the bundled corpus, and realigning a 500-sentence pair after a correction takes
≤ 2 s (embeddings from the cache).

    PYTHONPATH=. .venv/bin/python scripts/bench_serve.py [--db /tmp/x/corpus.sqlite] [--json out.json]

The bundled corpus database is built once (`align build corpus/ru corpus/en -o FOLDER`,
minutes with a cold cache) into --folder and reused; the 500-sentence pair is the first
500 lines of NTREX-128 (../shared/data/ntrex128_en-ru, one sentence a line) aligned once
with `align pair --presegmented --db`. Each action runs on a copy of the database, through
a server in this process, over a real socket; an action is timed several times (each
followed by its undo, also timed) and the median and the worst are reported."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT.parent / "shared" / "data" / "ntrex128_en-ru"
TARGETS = {"action_ms": 100.0, "realign_500_s": 2.0}


def align_cli(*args: str) -> None:
    subprocess.run([sys.executable, "-c", "from align.cli import app; app()", "-q", *args], check=True, cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})


class Client:
    def __init__(self, app, port: int) -> None:
        self.app, self.port = app, port
        self.headers = {"Content-Type": "application/json", "X-Align-Token": app.token,
                        "Origin": f"http://127.0.0.1:{port}", "Host": f"127.0.0.1:{port}"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.perf_counter()
        connection.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                           headers=self.headers if body is not None else {"Host": self.headers["Host"]})
        response = connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        connection.close()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} {body}: {response.status} {data[:300]!r}")
        return response.status, data, elapsed


def serve(db: Path):
    from align.cache import resolve_cache
    from align.serve import App, make_server
    from align.settings import Settings

    app = App(db, Settings(cache=resolve_cache(None, os.environ)))
    app.warming.join()  # the lemmatiser and templates, loaded at start
    server = make_server(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return app, server


def seen(db: Path, pair: int, *idx: int) -> list[list[int]]:
    from align.store.corrections import Corrections

    with Corrections(db) as c:
        links = c.links(pair)
    return [[links[k].id, links[k].version] for k in idx]


def first_flag(db: Path, pair: int) -> tuple[int, str]:
    from align.store.corrections import Corrections

    with Corrections(db) as c:
        return next((v.id, f.kind) for v in c.links(pair) for f in v.open_flags)


def two_sided(db: Path, pair: int) -> int:
    """A link that has both sides, and so has the next one (every action applies to it)."""
    from align.store.corrections import Corrections

    with Corrections(db) as c:
        links = c.links(pair)
    return next(k for k in range(5, len(links) - 1) if all(v.src and v.tgt for v in links[k:k + 2]))


def splittable(db: Path, pair: int) -> int:
    from align.store.corrections import Corrections

    with Corrections(db) as c:
        return next(k for k, v in enumerate(c.links(pair)) if len(v.src) + len(v.tgt) > 2 and v.src and v.tgt)


def time_actions(db: Path, pair: int, runs: int) -> dict[str, list[float]]:
    """Milliseconds per request, per action (each edit followed by its undo)."""
    app, server = serve(db)
    client = Client(app, server.server_address[1])
    times: dict[str, list[float]] = {}

    def note(name: str, seconds: float) -> None:
        times.setdefault(name, []).append(seconds * 1000)

    def edit(name: str, body_of) -> None:
        for _ in range(runs):
            note(name, client.call("POST", f"/api/pair/{pair}", body_of())[2])
            note("undo", client.call("POST", f"/api/pair/{pair}", {"action": "undo"})[2])

    try:
        first = {"GET pair page": client.call("GET", f"/pair/{pair}")[2] * 1000}
        first["GET concordance"] = client.call("GET", "/concordance?" + urlencode({"q": "Сталин", "w": "партия"}))[2] * 1000
        for _ in range(runs):
            note("GET pair list", client.call("GET", "/")[2])
            note("GET pair page", client.call("GET", f"/pair/{pair}")[2])
            note("GET concordance (KWIC + equivalents)", client.call("GET", "/concordance?" + urlencode({"q": "Сталин", "w": "партия"}))[2])
        k = two_sided(db, pair)
        edit("merge", lambda: {"action": "merge", "links": seen(db, pair, k, k + 1)})
        s = splittable(db, pair)
        edit("split", lambda: {"action": "split", "links": seen(db, pair, s), "src_at": 1, "tgt_at": 1})
        edit("unlink", lambda: {"action": "unlink", "links": seen(db, pair, k)})
        edit("move boundary", lambda: {"action": "move", "links": seen(db, pair, k, k + 1), "side": "src",
                                       "direction": "down"})
        edit("relink", lambda: {"action": "relink", "links": seen(db, pair, k, k + 1), "text": _relink(db, pair, k)})
        edit("confirm", lambda: {"action": "confirm", "links": seen(db, pair, k)})
        link, kind = first_flag(db, pair)
        edit("ignore a flag (with a note)", lambda: {"action": "flag", "link": link, "kind": kind,
                                                     "decision": "ignore", "note": "benchmark"})
    finally:
        server.shutdown()
        server.server_close()
    return times, first


def _relink(db: Path, pair: int, k: int) -> str:
    from align.store.corrections import Corrections

    with Corrections(db) as c:
        a, b = c.links(pair)[k:k + 2]
    ids = [*a.src, *b.src], [*a.tgt, *b.tgt]
    return f"{' '.join(map(str, ids[0]))} : {' '.join(map(str, ids[1][:1]))}\n : {' '.join(map(str, ids[1][1:]))}"


def realign_500(folder: Path, runs: int) -> dict | None:
    """Seconds to realign a 500-sentence pair after a correction (first call: models load)."""
    if not NTREX.exists():
        print(f"skipped the 500-sentence realign: {NTREX} is absent", file=sys.stderr)
        return None
    work = folder / "ntrex500"
    db = work / "corpus.sqlite"
    if not db.exists():
        work.mkdir(parents=True, exist_ok=True)
        for name, out in (("newstest2019-ref.rus.txt", "ru.txt"), ("newstest2019-src.eng.txt", "en.txt")):
            lines = (NTREX / name).read_text(encoding="utf-8").splitlines()[:500]
            (work / out).write_text("\n".join(lines) + "\n", encoding="utf-8")
        align_cli("pair", str(work / "ru.txt"), str(work / "en.txt"), "--src-lang", "ru", "--tgt-lang", "en",
                  "--presegmented", "-o", str(work / "out"), "--db", str(db))
    copy = Path(tempfile.mkdtemp(prefix="bench-serve-")) / "corpus.sqlite"
    shutil.copy(db, copy)
    app, server = serve(copy)
    client = Client(app, server.server_address[1])
    seconds = []
    try:
        for run in range(runs + 1):
            client.call("POST", "/api/pair/1", {"action": "merge", "links": seen(copy, 1, 200 + run, 201 + run)})
            seconds.append(client.call("POST", "/api/pair/1", {"action": "realign"})[2])
    finally:
        server.shutdown()
        server.server_close()
    from align.store.corrections import Corrections

    with Corrections(copy) as c:
        links = c.links(1)
    return {"sentences": 500, "links": len(links), "first_s": seconds[0], "warm_s": statistics.median(seconds[1:]),
            "worst_warm_s": max(seconds[1:])}


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "align-bench-serve",
                        help="Where the built corpora are kept between runs.")
    parser.add_argument("--db", type=Path, help="A bundled-corpus database built already (else built into --folder).")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    db = args.db or args.folder / "bundled" / "corpus.sqlite"
    if not db.exists():
        align_cli("build", "corpus/ru", "corpus/en", "-o", str(db.parent))
    copy = Path(tempfile.mkdtemp(prefix="bench-serve-")) / "corpus.sqlite"
    shutil.copy(db, copy)
    times, first = time_actions(copy, 1, args.runs)
    realign = realign_500(args.folder, 3)
    print(f"{'action (bundled corpus, over HTTP)':40} {'median ms':>10} {'p90 ms':>10} {'worst ms':>10}")
    for name, values in times.items():
        print(f"{name:40} {statistics.median(values):10.1f} {p90(values):10.1f} {max(values):10.1f}")
    print("first requests after start (not counted): " + ", ".join(f"{k} {v:.0f} ms" for k, v in first.items()))
    worst = max(max(v) for v in times.values())
    print(f"worst action: {worst:.1f} ms (target ≤ {TARGETS['action_ms']:.0f} ms)")
    if realign:
        print(f"realign 500 sentences after a merge: {realign['warm_s']:.2f} s median, {realign['worst_warm_s']:.2f} s "
              f"worst (the first realign of the server: {realign['first_s']:.2f} s; target ≤ {TARGETS['realign_500_s']} s)")
    record = {"actions_ms": {k: {"median": statistics.median(v), "p90": p90(v), "worst": max(v), "runs": len(v)} for k, v in times.items()},
              "worst_action_ms": worst, "first_requests_ms": first, "realign_500": realign, "targets": TARGETS}
    if args.json:
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
