"""Engines against each other: ``align build`` over 50, 100 and 200 document pairs in one
process, with ``--workers 2`` (a local pool) and on Ray with 2 workers (a Ray instance the
run starts); pairs per second, total time, the per-pair overhead of each engine over one
process, and how the time grows from 50 to 200 pairs. Then the many-small-pairs case: 200
one-sentence file pairs, cold (a fresh cache) and warm: the per-pair cost of the build, and
where a warm pair's time goes (a profiled run).

    PYTHONPATH=. .venv/bin/python scripts/bench_scale.py [--json out.json] [--engines local,pool,ray]

The 200 pairs come from ../shared/data (read only, never copied into the repository):
20 chunks of 25 paragraphs of the literary dev books, 100 WMT21 documents (Russian
originals, reference A) and 80 NTREX-128 documents; sizes are prefixes of one mixed list.
The engine comparison runs on a warm cache (one build of the 200 pairs first embeds every
sentence and word vector), so it measures the engines, not the encoders; every build is
a fresh ``align`` process, as a user runs it. The machine is shared: each number is one run."""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SIZES = (50, 100, 200)
ALIGN = [sys.executable, "-c", "import sys; from align.cli import app; sys.argv[0] = 'align'; app()"]
ENGINE_OPTIONS = {"local": [], "pool": ["--workers", "2"], "ray": ["--engine", "ray", "--workers", "2"]}


def wmt_pairs() -> list[tuple[str, str, str]]:
    """(name, Russian text, English text) of each WMT21 document: a paragraph per ``para``."""
    docs: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    with open(DATA / "wmt21_ru-en" / "newstest2021.ru-en.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            docs[row["doc_id"]][row["para"]].append((row["src_ru"], row["ref_en_A"]))
    out = []
    for doc_id, paras in docs.items():
        ru = "\n\n".join(" ".join(r for r, _ in segs) for segs in paras.values())
        en = "\n\n".join(" ".join(e for _, e in segs) for segs in paras.values())
        out.append((f"wmt-{doc_id}", ru, en))
    return out


def ntrex_pairs() -> list[tuple[str, str, str]]:
    """NTREX-128 documents: English originals, the Russian translation; a paragraph a segment."""
    folder = DATA / "ntrex128_en-ru"
    ids = (folder / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    en = (folder / "newstest2019-src.eng.txt").read_text(encoding="utf-8").replace("\r", "").splitlines()
    ru = (folder / "newstest2019-ref.rus.txt").read_text(encoding="utf-8").replace("\r", "").splitlines()
    docs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for doc_id, r, e in zip(ids, ru, en):
        docs[doc_id.strip()].append((r, e))
    return [(f"ntrex-{i:03d}", "\n\n".join(r for r, _ in segs), "\n\n".join(e for _, e in segs))
            for i, segs in enumerate(docs.values())]


def literary_pairs(chunks: int = 20, size: int = 25) -> list[tuple[str, str, str]]:
    """Chunks of ``size`` paragraphs (line i ↔ line i) from the literary dev books."""
    folder = DATA / "literary_ru-en_paragraphs"
    books = sorted(p.name.removesuffix("_ru.txt") for p in folder.glob("*_ru.txt"))
    out = []
    for part in range(chunks):
        book = books[part % len(books)]
        ru = (folder / f"{book}_ru.txt").read_text(encoding="utf-8").splitlines()[2:]
        en = (folder / f"{book}_en.txt").read_text(encoding="utf-8").splitlines()[2:]
        start = (part // len(books)) * size
        lines = [(r.replace("<delimiter>", " ").strip(), e.replace("<delimiter>", " ").strip())
                 for r, e in zip(ru[start:start + size], en[start:start + size])]
        lines = [(r, e) for r, e in lines if r and e]
        out.append((f"lit-{book}-{part // len(books)}", "\n\n".join(r for r, _ in lines),
                    "\n\n".join(e for _, e in lines)))
    return out


def mixed_pairs() -> list[tuple[str, str, str]]:
    """200 pairs, the three sources interleaved so that every prefix mixes them."""
    sources = [literary_pairs(), wmt_pairs()[:100], ntrex_pairs()[:80]]
    mixed = []
    while any(sources):
        for source in sources:
            if source:
                mixed.append(source.pop(0))
    return mixed[:200]


def write_corpus(folder: Path, pairs: list[tuple[str, str, str]]) -> tuple[Path, Path]:
    ru, en = folder / "ru", folder / "en"
    ru.mkdir(parents=True)
    en.mkdir()
    for name, ru_text, en_text in pairs:
        (ru / f"{name}.txt").write_text(ru_text + "\n", encoding="utf-8")
        (en / f"{name}.txt").write_text(en_text + "\n", encoding="utf-8")
    return ru, en


def run_build(ru: Path, en: Path, out: Path, cache: Path, options: list[str]) -> float:
    """Wall time of one ``align build`` process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_AUTH_MODE": "disabled"}
    started = time.perf_counter()
    done = subprocess.run([*ALIGN, "-q", "build", str(ru), str(en), "-o", str(out), "--cache-dir", str(cache),
                           *options], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed ({' '.join(options) or 'local'}): {done.stderr[-2000:]}")
    return elapsed


def encoder_rates(cache: Path, sentences: list[str]) -> dict[str, float]:
    """Sentences a second on this machine: USE-m3 sentence vectors, e5-small word vectors."""
    sys.path.insert(0, str(ROOT))
    from align.cache import CacheFolder
    from align.embed import UseM3Encoder
    from align.tokens import E5Words

    use = UseM3Encoder()
    use.encode(sentences[:16])
    started = time.perf_counter()
    use.encode(sentences[:1024])
    use_rate = len(sentences[:1024]) / (time.perf_counter() - started)
    words = E5Words(CacheFolder(cache).e5_model)
    words.words(sentences[:16])
    started = time.perf_counter()
    words.words(sentences[:256])
    return {"use_m3_sentences_per_s": use_rate,
            "e5_word_vectors_sentences_per_s": len(sentences[:256]) / (time.perf_counter() - started)}


WORKER_PROBE = """
import resource, sys
from pathlib import Path
from align.engine.tasks import worker_state
from align.components import load_components
from align.settings import Settings
from align.cache import CacheFolder
settings = Settings(cache=CacheFolder(Path(sys.argv[1])))
state = worker_state(settings, load_components(settings, progress=False))
texts = [line for line in sys.stdin.read().splitlines() if line][:256]
state.parts[0].encoder.encode(texts)
state.words.model.words(texts)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def worker_memory(cache: Path, sentences: list[str]) -> float:
    """Peak resident MB of one worker process with its models loaded and used (USE-m3 and
    the e5-small word model on 256 sentences)."""
    done = subprocess.run([sys.executable, "-c", WORKER_PROBE, str(cache)], input="\n".join(sentences),
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def fresh_cache(folder: Path, models: Path) -> Path:
    """An empty cache folder that shares the converted e5 model (no embeddings, no documents)."""
    folder.mkdir(parents=True)
    (folder / "models").symlink_to(models, target_is_directory=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--engines", default="local,pool,ray", help="comma-separated: local, pool, ray")
    parser.add_argument("--parts", default="engines,small", help="comma-separated: engines, small")
    args = parser.parse_args()
    if not DATA.exists():
        raise SystemExit(f"{DATA} is missing: the benchmark needs the shared development data")
    engines = [e for e in args.engines.split(",") if e]
    work = Path(tempfile.mkdtemp(prefix="align-bench-scale-"))
    from align.cache import resolve_cache
    from align.e5_convert import build_e5_model

    models = build_e5_model(resolve_cache(None, os.environ).e5_model).parent
    report: dict = {"cpus": os.cpu_count()}
    try:
        pairs = mixed_pairs()
        if "engines" in args.parts:
            report.update(engine_comparison(work, models, pairs, engines))
        if "small" in args.parts:
            report["one_sentence_pairs"] = small_pairs(work, models)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def engine_comparison(work: Path, models: Path, pairs: list[tuple[str, str, str]], engines: list[str]) -> dict:
    """Warm-up on a fresh cache, the encoders' rates, then every engine at every size (warm)."""
    corpora = {n: write_corpus(work / f"pairs-{n}", pairs[:n]) for n in SIZES}
    cache = fresh_cache(work / "cache", models)
    warm_up = run_build(*corpora[200], work / "warm-up", cache, [])
    sentences = [line for _, ru_text, _ in pairs for line in ru_text.split("\n\n") if line]
    rates = encoder_rates(cache, sentences)
    rates["worker_peak_rss_mb"] = worker_memory(cache, sentences)
    results: dict[str, dict[int, float]] = {engine: {} for engine in engines}
    for engine in engines:
        for n in SIZES:
            results[engine][n] = run_build(*corpora[n], work / f"out-{engine}-{n}", cache, ENGINE_OPTIONS[engine])
    return summarise(results, warm_up, rates)


def small_pairs(work: Path, models: Path, count: int = 200) -> dict:
    """``count`` one-sentence file pairs (the first WMT21 segments, Russian and reference A):
    cold, then warm; warm again on the first half, so the slope from half to all is the cost
    of a pair with every fixed cost (model files, dictionaries) paid in both runs; one such
    pair, warm, for the fixed cost of a build process; and where a warm pair's time goes."""
    with open(DATA / "wmt21_ru-en" / "newstest2021.ru-en.tsv", encoding="utf-8") as handle:
        rows = [(r["src_ru"], r["ref_en_A"]) for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    named = [(f"p{i:03d}", ru, en) for i, (ru, en) in enumerate(rows[:count])]
    small = write_corpus(work / "one-sentence", named)
    half = write_corpus(work / "one-sentence-half", named[:count // 2])
    cache = fresh_cache(work / "small-cache", models)
    cold = run_build(*small, work / "small-cold", cache, [])
    warm = run_build(*small, work / "small-warm", cache, [])
    warm_half = run_build(*half, work / "small-warm-half", cache, [])
    one = write_corpus(work / "one-pair", [named[0]])
    run_build(*one, work / "one-first", cache, [])  # reads the file into the document cache
    single = run_build(*one, work / "one-out", cache, [])
    return {"pairs": count, "cold_s": round(cold, 1), "warm_s": round(warm, 1), "warm_half_s": round(warm_half, 1),
            "one_pair_s": round(single, 2),
            "warm_ms_per_pair": round(1000 * (warm - warm_half) / (count - count // 2), 1),
            "stages_ms_per_pair": stage_split(*small, work / "small-profiled", cache, count)}


STAGES = {  # where a build's time goes: (file, function) of the stage's entry
    "read and check language": ("align/pipeline.py", "load_all"),
    "align": ("align/engine/tasks.py", "align_task"),
    "flag": ("align/pipeline.py", "flag_all"),
    "corpus.sqlite": ("align/store/build.py", "corpus_bytes"),
    "editions": ("align/export/editions.py", "edition_files"),
    "review.html": ("align/export/review_html.py", "review_html_bytes"),
    "all outputs": ("align/export/registry.py", "write_outputs"),
}


def stage_split(ru: Path, en: Path, out: Path, cache: Path, count: int) -> dict[str, float]:
    """Milliseconds a pair in each stage of a warm build run under cProfile (which slows
    Python code down: compare stages with each other, not with the wall times)."""
    profile, script = out.with_suffix(".prof"), out.with_suffix(".py")
    script.write_text("import sys\nfrom align.cli import app\nsys.argv = ['align', '-q', 'build', *sys.argv[1:]]\napp()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), str(script), str(ru), str(en), "-o", str(out),
                    "--cache-dir", str(cache)], env=env, check=True, capture_output=True)
    import pstats

    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    totals = {}
    for stage, (file, function) in STAGES.items():
        totals[stage] = round(1000 * sum(cumulative for (path, _, name), (_, _, _, cumulative, _) in stats.items()
                                         if path.endswith(file) and name == function) / count, 2)
    return totals


def summarise(results: dict[str, dict[int, float]], warm_up: float, rates: dict[str, float]) -> dict:
    rows = []
    for engine, times in results.items():
        slope = (times[200] - times[50]) / 150  # seconds per extra pair
        row = {"engine": engine, **{f"total_s_{n}": round(times[n], 2) for n in SIZES},
               **{f"pairs_per_s_{n}": round(n / times[n], 2) for n in SIZES},
               "s_per_extra_pair": round(slope, 4), "fixed_s": round(times[50] - 50 * slope, 2)}
        if "local" in results and engine != "local":
            row["overhead_ms_per_pair_200"] = round(1000 * (times[200] - results["local"][200]) / 200, 1)
        rows.append(row)
    return {"engines": rows, "warm_up_200_pairs_cold_s": round(warm_up, 1),
            "rates": {k: round(v, 1) for k, v in rates.items()}}


def print_table(report: dict) -> None:
    if "engines" in report:
        print_engines(report)
    small = report.get("one_sentence_pairs")
    if small:
        print(f"{small['pairs']} one-sentence pairs: cold {small['cold_s']} s, warm {small['warm_s']} s "
              f"(half of them {small['warm_half_s']} s); one pair {small['one_pair_s']} s; "
              f"warm per pair {small['warm_ms_per_pair']} ms")
        print("a warm pair under cProfile, ms: " + ", ".join(f"{stage} {ms}"
                                                             for stage, ms in small["stages_ms_per_pair"].items()))


def print_engines(report: dict) -> None:
    print(f"{'engine':8} {'50 pairs':>10} {'100 pairs':>10} {'200 pairs':>10} {'pairs/s@200':>12} "
          f"{'s/extra pair':>13} {'fixed s':>8} {'overhead ms/pair':>17}")
    for row in report["engines"]:
        print(f"{row['engine']:8} {row['total_s_50']:>10} {row['total_s_100']:>10} {row['total_s_200']:>10} "
              f"{row['pairs_per_s_200']:>12} {row['s_per_extra_pair']:>13} {row['fixed_s']:>8} "
              f"{row.get('overhead_ms_per_pair_200', '–'):>17}")
    print(f"warm-up (200 pairs, cold cache): {report['warm_up_200_pairs_cold_s']} s; rates: {report['rates']}")


if __name__ == "__main__":
    main()
