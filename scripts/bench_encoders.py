"""Benchmark the sentence encoders: speed on Russian archival sentences, ru<->en retrieval on WMT21.

Usage: .venv/bin/python scripts/bench_encoders.py [--json OUT] [--sentences 500] [--pairs 300]

Speed is measured on the raw backends (no cache), best of ``--repeats`` runs, after a
warm-up; model load time is reported separately. Retrieval: each Russian segment
against all English references (and back), top-1 by raw cosine and by ratio margin (k=4).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

from align.embed import TORCH_THREADS, USE_THREADS, ConcatEncoder, E5SmallEncoder, Encoder, UseM3Encoder  # noqa: E402

RU_TEXT = ROOT / "corpus/ru/trotsky_opposition_politburo_documents.txt"
WMT = Path("/work/shared/data/wmt21_ru-en/newstest2021.ru-en.tsv")
_SPLIT = re.compile(r"(?<=[.!?…])(?<!\b[А-ЯЁA-Z]\.)\s+(?=[«\"(]?[А-ЯЁA-Z])")


def russian_sentences(path: Path, n: int) -> list[str]:
    """Join the file's lines into running text and cut it roughly into sentences (>= 4 words)."""
    text = " ".join(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    text = re.sub(r"(\w)- (\w)", r"\1\2", text)  # words hyphenated across lines
    sentences = [s.strip() for s in _SPLIT.split(text) if len(s.split()) >= 4]
    return sentences[:n]


def wmt_pairs(path: Path, n: int) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))[:n]
    return [r["src_ru"] for r in rows], [r["ref_en_A"] for r in rows]


def top1(sim: np.ndarray) -> float:
    return float(np.mean(sim.argmax(axis=1) == np.arange(len(sim))))


def margin_top1(sim: np.ndarray, k: int = 4) -> float:
    """Top-1 under ratio margin: cos(x, y) / mean of the k-NN cosines of x and of y."""
    k = min(k, sim.shape[1])
    knn_src = np.sort(sim, axis=1)[:, -k:].mean(axis=1)
    knn_tgt = np.sort(sim, axis=0)[-k:, :].mean(axis=0)
    return top1(sim / ((knn_src[:, None] + knn_tgt[None, :]) / 2))


def bench(name: str, make: Callable[[], Encoder], sentences: list[str], ru: list[str], en: list[str], repeats: int) -> dict:
    t0 = time.perf_counter()
    encoder: Encoder = make()
    encoder.encode(sentences[:8])  # the ST backends load lazily: count it as loading
    load_s = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        encoder.encode(sentences)
        times.append(time.perf_counter() - t0)
    vr, ve = encoder.encode(ru), encoder.encode(en)
    sim = vr @ ve.T
    return {
        "encoder": name,
        "load_s": round(load_s, 2),
        "sentences_per_s": round(len(sentences) / min(times), 1),
        "ru2en_top1": round(top1(sim), 4),
        "en2ru_top1": round(top1(sim.T), 4),
        "ru2en_margin_top1": round(margin_top1(sim), 4),
        "en2ru_margin_top1": round(margin_top1(sim.T), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the results as JSON here")
    ap.add_argument("--sentences", type=int, default=500)
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    sentences = russian_sentences(RU_TEXT, args.sentences)
    ru, en = wmt_pairs(WMT, args.pairs)
    chars = sum(map(len, sentences)) / len(sentences)
    print(f"speed: {len(sentences)} Russian sentences (mean {chars:.0f} chars); retrieval: {len(ru)} WMT21 pairs")
    makers = {
        "use-m3": UseM3Encoder,
        "e5-small": E5SmallEncoder,
        "use-m3+e5-small": lambda: ConcatEncoder([UseM3Encoder(), E5SmallEncoder()]),
    }
    results = [bench(name, make, sentences, ru, en, args.repeats) for name, make in makers.items()]

    cols = list(results[0])
    print(" | ".join(f"{c:>17}" for c in cols))
    for r in results:
        print(" | ".join(f"{r[c]!s:>17}" for c in cols))
    if args.json:
        meta = {"sentences": len(sentences), "mean_chars": round(chars, 1), "pairs": len(ru), "torch_threads": TORCH_THREADS, "use_blas_threads": USE_THREADS}
        args.json.write_text(json.dumps({"setup": meta, "results": results}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
