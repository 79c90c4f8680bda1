"""review.html against its target: a 10,000-link report opens in ≤ 2 s in headless Chromium
(navigation start to the load event and the page's script ready, whichever is later).

    PYTHONPATH=. .venv/bin/python scripts/bench_review.py [--links 10000] [--runs 3] [--json out.json]

The results are synthetic (no model): documents of made-up Russian and English words, one
sentence a line, with links, flags (kinds, severities and highlighted spans as the
detectors give them) and runs left out or added, in three shapes: one pair with a fifth of
its links flagged, ten pairs with a fifth flagged, and one pair with half flagged (a
rendering far worse than any in the dev data). Each is rendered by the writer (timed), opened
``--runs`` times (the median and the best are reported), then filtered by a kind and
searched (the time the script takes to apply each)."""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from chromium import headless_chromium  # beside this script

TARGET_S = 2.0
RU_WORDS = ("решение", "партия", "оппозиция", "условия", "ссылка", "письмо", "съезд", "комиссия", "вопрос", "власть",
            "товарищ", "газета", "заявление", "борьба", "рабочие", "крестьяне", "город", "страна", "Москва", "Сталин")
EN_WORDS = ("decision", "party", "opposition", "conditions", "exile", "letter", "congress", "commission", "question",
            "power", "comrade", "newspaper", "statement", "struggle", "workers", "peasants", "city", "country",
            "Moscow", "Stalin")
KINDS = (("omission", "major"), ("addition", "minor"), ("number", "major"), ("date", "major"), ("name", "major"),
         ("mistranslation", "minor"), ("format", "minor"), ("length", "minor"), ("inconsistency", "minor"),
         ("untranslated", "critical"))


def _sentence(rng: random.Random, words: tuple[str, ...]) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(8, 24))]
    if rng.random() < 0.3:
        chosen.insert(rng.randrange(len(chosen)), str(rng.randint(1900, 1940)))
    return " ".join(chosen).capitalize() + "."


def _document(path: Path, lang: str, texts: list[str]):
    """An EmbeddedDocument of ``texts``, one sentence a line, a paragraph every five lines."""
    from align.model import Document, EmbeddedDocument, Paragraph, Sentence

    raw, paragraphs, sentences = "", [], []
    for index, text in enumerate(texts):
        start = len(raw)
        raw += text + "\n"
        paragraphs.append(Paragraph(index // 5, text, start, start + len(text)))
        sentences.append(Sentence(str(path), index, index // 5, text, start, start + len(text)))
    path.write_text(raw, encoding="utf-8")
    return EmbeddedDocument(Document(path, lang, raw, tuple(paragraphs)), tuple(sentences),
                            np.zeros((len(texts), 1), dtype=np.float32))


def synthetic_pair(folder: Path, name: str, links: int, flagged: float, seed: int):
    """A parallel pair of about ``links`` links: mostly 1-1, some 2-1 and 1-2, 2 % runs left
    out or added, ``flagged`` of the linked ones with one to three flags."""
    from align.model import AlignedPair, Flag, Link

    rng = random.Random(seed)
    ru, en, out = [], [], []
    for _ in range(links):
        shape = rng.random()
        n_src, n_tgt = (1, 0) if shape < 0.01 else (0, 1) if shape < 0.02 else (2, 1) if shape < 0.07 else (
            1, 2) if shape < 0.1 else (1, 1)
        src_ids = tuple(range(len(ru), len(ru) + n_src))
        tgt_ids = tuple(range(len(en), len(en) + n_tgt))
        ru += [_sentence(rng, RU_WORDS) for _ in src_ids]
        en += [_sentence(rng, EN_WORDS) for _ in tgt_ids]
        flags: list = []
        if not (n_src and n_tgt):
            text = ru[src_ids[0]] if n_src else en[tgt_ids[0]]
            flags = [Flag("omission" if n_src else "addition", "major" if len(text) > 80 else "minor", text[:120])]
        elif rng.random() < flagged:
            src_text, tgt_text = " ".join(ru[i] for i in src_ids), " ".join(en[j] for j in tgt_ids)
            for kind, severity in rng.sample(KINDS, rng.randint(1, 3)):
                a = rng.randrange(max(len(src_text) - 10, 1))
                b = rng.randrange(max(len(tgt_text) - 10, 1))
                flags.append(Flag(kind, severity, f"{src_text[a:a + 8]} ↔ {tgt_text[b:b + 8]}", rng.random(),
                                  ((a, a + 8),), ((b, b + 8),)))
        out.append(Link(src_ids, tgt_ids, rng.uniform(0.3, 0.95) if n_src and n_tgt else 0.0, tuple(flags)))
    src = _document(folder / f"{name}.ru.txt", "ru", ru)
    tgt = _document(folder / f"{name}.en.txt", "en", en)
    return AlignedPair(src, tgt, tuple(out), "parallel")


OPEN_JS = """var n = performance.getEntriesByType('navigation')[0];
return [n.loadEventEnd - n.startTime, window.reviewReady - n.startTime, document.getElementsByTagName('*').length];"""
FILTER_JS = """var box = document.querySelector('input[data-kind="number"]'), t = performance.now();
box.click(); var off = performance.now() - t; box.click();
var q = document.getElementById('q'); q.value = 'moscow 19'; t = performance.now();
q.dispatchEvent(new Event('change', {bubbles: true})); var found = performance.now() - t;
var shown = document.getElementById('shown').textContent; q.value = '';
q.dispatchEvent(new Event('change', {bubbles: true}));
return [off, found, shown];"""


def measure(driver, page: Path, runs: int) -> dict:
    opened = []
    for _ in range(runs):
        driver.get("about:blank")
        driver.get(page.as_uri())
        load, ready, nodes = driver.execute_script(OPEN_JS)
        opened.append(max(load, ready) / 1000)
    off, found, shown = driver.execute_script(FILTER_JS)
    return {"open_s": round(statistics.median(opened), 3), "open_best_s": round(min(opened), 3), "dom_nodes": nodes,
            "filter_ms": round(off, 1), "search_ms": round(found, 1), "search_shown": shown}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=10_000, help="links per report")
    parser.add_argument("--runs", type=int, default=3, help="page opens per report")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if not Path("/usr/bin/chromium").exists():
        print("Debian chromium is not installed", file=sys.stderr)
        return 1
    from align.export.lines import LineNumbers
    from align.export.review_html import review_html

    shapes = (("1 pair, 20 % flagged", 1, 0.2), ("10 pairs, 20 % flagged", 10, 0.2), ("1 pair, 50 % flagged", 1, 0.5))
    work = Path(tempfile.mkdtemp(prefix="align-bench-review-"))
    results = []
    with headless_chromium() as driver:
        for label, pairs, share in shapes:
            made = tuple(synthetic_pair(work, f"{label[:2].strip()}-{k}", args.links // pairs, share, seed=k)
                         for k in range(pairs))
            started = time.perf_counter()
            html = review_html(made, LineNumbers(), "ru", "en", "align:bench")
            render_s = time.perf_counter() - started
            page = work / "review.html"
            page.write_bytes(html)
            row = {"shape": label, "links": sum(len(p.links) for p in made), "render_s": round(render_s, 2),
                   "html_mb": round(len(html) / 1e6, 2), **measure(driver, page, args.runs)}
            results.append(row)
    shutil.rmtree(work, ignore_errors=True)
    columns = ("shape", "links", "render_s", "html_mb", "dom_nodes", "open_s", "open_best_s", "filter_ms", "search_ms")
    print(" | ".join(columns))
    for row in results:
        print(" | ".join(str(row[c]) for c in columns))
    worst = max(row["open_s"] for row in results)
    print(f"target: open ≤ {TARGET_S:g} s; worst median {worst:g} s: {'ok' if worst <= TARGET_S else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"target_open_s": TARGET_S, "results": results}, indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
