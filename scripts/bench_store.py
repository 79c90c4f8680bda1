#!/usr/bin/env python
"""The corpus database at scale: build time, size and query latency of a synthetic corpus,
and what the database adds to a cached ``align build`` of the bundled corpus.

The synthetic corpus is recombined from real aligned sentences of both languages in
../shared/data (skipped with a message if absent): the 1,000 WMT21 ru→en segments
(reference A) and the 1,997 NTREX-128 en→ru segments. Their word vectors come from the
flags' word model (e5-small, disk-cached) and their word alignments from the same mutual
argmax the build stores. Each synthetic document pair holds ``--links-per-pair`` links
drawn with a seeded generator: 80 % one real segment pair (1-1), 10 % two segment pairs
joined (2-2; the word alignment is the two pairs' alignments side by side), 5 % a Russian
segment alone (1-0, an omission flag), 5 % an English one alone (0-1, an addition flag);
5 % of the linked ones get a name or number flag; scores are the segments' own e5 word
coverage plus noise. Documents are written in transactions of 10 pairs through
`align.store.write.write_run`, as ``align build --db`` writes them.

Usage: .venv/bin/python scripts/bench_store.py [--pairs 100000] [--links-per-pair 10000]
       [--db /tmp/bench.sqlite] [--json OUT] [--skip-bundled]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"

from align.cache import resolve_cache
from align.export.lines import LineNumbers
from align.model import AlignedPair, Document, EmbeddedDocument, Flag, Link, Paragraph, Sentence
from align.store import Filters, open_corpus
from align.store.schema import connect
from align.store.wordalign import WordPair, mutual_pairs
from align.store.write import write_run
from align.wordcache import load_word_model

QUERIES = {
    "word": ["word:года", "word:России", "word:Путин", "word:people", "word:said", "word:президента"],
    "lemma": ["год", "Россия", "президент", "en:people", "en:government", "сказать"],
    "phrase": ['"в том числе"', '"Владимир Путин"', '"United States"', '"по словам"', '"in the"', '"у нас"'],
    "filtered": [("Россия", Filters(kind="name")), ("год", Filters(min_score=0.6, type="1-1")),
                 ("президент", Filters(mode="parallel", severity="major")), ("en:people", Filters(type="2-2")),
                 ("ru:Путин AND NOT en:Putin", Filters()), ("Москва NEAR/5 год", Filters())],
}
EQUIVALENTS = ["год", "Россия", "en:people", "президент"]
KWIC = ["Россия", "год", "en:government", "Путин"]


def pool() -> list[tuple[str, str]]:
    """Real (Russian, English) segment pairs."""
    pairs = []
    with open(DATA / "wmt21_ru-en" / "newstest2021.ru-en.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            pairs.append((row["src_ru"].strip('"'), row["ref_en_A"]))
    ntrex = DATA / "ntrex128_en-ru"
    en = (ntrex / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    ru = (ntrex / "newstest2019-ref.rus.txt").read_text(encoding="utf-8").splitlines()
    pairs += list(zip(ru, en))
    return [(r, e) for r, e in pairs if r.strip() and e.strip()]


def aligned_pool(pairs: list[tuple[str, str]]) -> tuple[list[list[WordPair]], list[float]]:
    """Each pool pair's word alignment and a score (mean best word cosine)."""
    words = load_word_model("e5-small", "use-m3", resolve_cache(None, {}))
    src = words.words([r for r, _ in pairs])
    tgt = words.words([e for _, e in pairs])
    alignments = [mutual_pairs(s, t) for s, t in zip(src, tgt)]
    scores = [float((s.vectors @ t.vectors.T).max(axis=1).mean()) if len(s.spans) and len(t.spans) else 0.0
              for s, t in zip(src, tgt)]
    return alignments, scores


def document(path: str, lang: str, texts: list[str]) -> EmbeddedDocument:
    raw, paragraphs, sentences, pos = [], [], [], 0
    for k, text in enumerate(texts):
        paragraphs.append(Paragraph(k, text, pos, pos + len(text)))
        sentences.append(Sentence(path, k, k, text, pos, pos + len(text)))
        raw.append(text)
        pos += len(text) + 1
    return EmbeddedDocument(Document(Path(path), lang, "\n".join(raw), tuple(paragraphs)), tuple(sentences),
                            np.zeros((len(texts), 1), dtype=np.float32))


def synthetic_pair(number: int, size: int, pairs, alignments, scores, rng: random.Random):
    """One synthetic document pair of ``size`` links and its links' word pairs."""
    ru, en, links, words = [], [], [], []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.05:
            k = rng.randrange(len(pairs))
            links.append(Link((len(ru),), (), 0.0, (Flag("omission", "major", pairs[k][0][:60], 0.8),)))
            ru.append(pairs[k][0])
            words.append([])
            continue
        if roll < 0.10:
            k = rng.randrange(len(pairs))
            links.append(Link((), (len(en),), 0.0, (Flag("addition", "minor", pairs[k][1][:60], 0.5),)))
            en.append(pairs[k][1])
            words.append([])
            continue
        ks = [rng.randrange(len(pairs))] + ([rng.randrange(len(pairs))] if roll < 0.2 else [])
        src_ids = tuple(range(len(ru), len(ru) + len(ks)))
        tgt_ids = tuple(range(len(en), len(en) + len(ks)))
        shifted, ds, dt = [], 0, 0
        for k in ks:
            shifted += [WordPair(w.src_start + ds, w.src_end + ds, w.tgt_start + dt, w.tgt_end + dt, w.score)
                        for w in alignments[k]]
            ds += len(pairs[k][0]) + 1
            dt += len(pairs[k][1]) + 1
            ru.append(pairs[k][0])
            en.append(pairs[k][1])
        flags = ()
        if rng.random() < 0.05:
            flags = (rng.choice([Flag("name", "major", "Путин ↔ —", 0.7), Flag("number", "major", "1929 ↔ 1928", 0.9),
                                 Flag("mistranslation", "minor", "similarity", 0.4)]),)
        score = float(np.clip(np.mean([scores[k] for k in ks]) + rng.gauss(0, 0.05), 0, 1))
        links.append(Link(src_ids, tgt_ids, score, flags))
        words.append(shifted)
    src = document(f"synthetic/ru/doc{number:05d}.txt", "ru", ru)
    tgt = document(f"synthetic/en/doc{number:05d}.txt", "en", en)
    return AlignedPair(src, tgt, tuple(links), "parallel" if number % 2 else "located"), words


def build(path: Path, total: int, size: int, seed: int = 1) -> dict:
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    pairs = pool()
    started = time.perf_counter()
    alignments, scores = aligned_pool(pairs)
    vectors_s = time.perf_counter() - started
    rng = random.Random(seed)
    db = connect(path, create=True)
    run = {"command": "bench", "signature": "align:bench", "date": "", "inputs": []}
    started = time.perf_counter()
    batch, written = [], 0
    for number in range(0, (total + size - 1) // size):
        batch.append(synthetic_pair(number, min(size, total - number * size), pairs, alignments, scores, rng))
        if len(batch) == 10 or (number + 1) * size >= total:
            write_run(db, batch, run, {}, LineNumbers())
            written += sum(len(p.links) for p, _ in batch)
            batch = []
            print(f"  {written:,} links written, {time.perf_counter() - started:.0f} s", flush=True)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    build_s = time.perf_counter() - started
    return {"pool_pairs": len(pairs), "word_vectors_s": round(vectors_s, 1), "links": written,
            "build_s": round(build_s, 1), "links_per_s": round(written / build_s), "db_mb": round(path.stat().st_size / 1e6, 1)}


def timed(call, repeat: int = 5) -> list[float]:
    """Milliseconds of each call after one warm-up."""
    call()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def latencies(path: Path) -> dict:
    results = {}
    with open_corpus(path) as corpus:
        for family, queries in QUERIES.items():
            times, hits = [], []
            for query in queries:
                text, filters = query if isinstance(query, tuple) else (query, Filters())
                times += timed(lambda: corpus.query(text, filters, limit=50))
                hits.append(len(corpus.query(text, filters, limit=50)))
            results[family] = _summary(times) | {"hits_per_page": hits}
        times = []
        for word in EQUIVALENTS:
            times += timed(lambda: corpus.equivalents(word), repeat=3)
        results["equivalents"] = _summary(times) | {"aligned_pairs_of_top_word": int(corpus.equivalents(
            EQUIVALENTS[0])["count"].sum())}
        times = []
        for query in KWIC:
            times += timed(lambda: corpus.kwic(query, limit=50))
        results["kwic_50"] = _summary(times)
    return results


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1), "runs": len(ordered)}


def bundled() -> dict:
    """A cached build of the bundled corpus, then the corpus database alone."""
    from align.api import build_corpus
    from align.export import ExportContext
    from align.export.corpusdb import corpus_sqlite
    from align.export.run import run_record
    from align.pipeline import list_input_files
    from align.settings import Settings

    settings = Settings(cache=resolve_cache(None, {}))
    started = time.perf_counter()
    result = build_corpus(ROOT / "corpus/ru", ROOT / "corpus/en", settings)
    build_s = time.perf_counter() - started
    inputs = [*list_input_files(ROOT / "corpus/ru"), *list_input_files(ROOT / "corpus/en")]
    context = ExportContext(result, run_record("build", settings, inputs, []), "ru", "en", settings=settings)
    started = time.perf_counter()
    data = corpus_sqlite(context)
    db_s = time.perf_counter() - started
    return {"cached_build_s": round(build_s, 1), "corpus_sqlite_s": round(db_s, 2), "corpus_sqlite_mb": round(len(data) / 1e6, 2),
            "links": sum(len(p.links) for p in result.pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--links-per-pair", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/align-bench-store.sqlite"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--skip-bundled", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="Measure queries on an existing --db.")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is absent")
        return
    report: dict = {}
    if not args.skip_bundled:
        report["bundled"] = bundled()
    report["build"] = {"reused": str(args.db)} if args.reuse else build(args.db, args.pairs, args.links_per_pair)
    report["queries"] = latencies(args.db)
    print(f"{'measure':<14} {'median ms':>10} {'p95 ms':>8}")
    for name, values in report["queries"].items():
        print(f"{name:<14} {values['median_ms']:>10} {values['p95_ms']:>8}")
    for section in ("bundled", "build"):
        if section in report:
            print(section, json.dumps(report[section]))
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
