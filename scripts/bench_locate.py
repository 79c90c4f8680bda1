"""Benchmark: locating renderings in a large Russian collection (comparable corpora).

Haystack: the project's Russian collection (corpus/ru) plus every WMT21 ru-en
document as its own file; a few hidden documents are quoted a second time at the
end of another document (duplicates: every copy is gold). English texts: for a
seeded random half of the WMT21 documents, a contiguous part of one of their two
references (A or B at random), interleaved with runs of unrelated NTREX English
sentences. Scored at span level: a found passage counts when it overlaps a gold pair
by at least 50 % of the shorter span on each side (characters). Also reported:
sentence-level precision/recall of links, and the share of no-counterpart English
sentences left unlinked. Passages labelled retelling give no links: P/R count the
rendered ones (translation, partial); ``all_P`` counts every passage found.

Relation labels (a second haystack, ``relation_run``): each found passage of the main
texts is gold ``translation``; English texts made of abridged renderings (two
sentences kept, two skipped) and of quotations inside another text's frame (an NTREX
sentence + "the report added: “<reference>”") are gold ``partial``; and the English of a
WMT21 document withheld from that haystack, whose story another outlet's Russian report
in it tells (Navy Day, hockey, Covid: 5-letter stem overlap of the two Russian documents
at least .45), is gold ``retelling`` or nothing. Label accuracy is reported per class.

    .venv/bin/python scripts/bench_locate.py [--seed 0] [--json OUT]
    .venv/bin/python scripts/bench_locate.py --scale 1000000   # ANN index on synthetic vectors
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
WMT = DATA / "wmt21_ru-en" / "newstest2021.ru-en.tsv"
NTREX = DATA / "ntrex128_en-ru" / "newstest2019-src.eng.txt"


def read_wmt() -> dict[str, list[tuple[str, str, str, str]]]:
    """doc_id -> segments (para, ru, en_A, en_B) in order."""
    docs: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    with WMT.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            clean = [row[c].strip().strip('"').replace('""', '"') for c in ("src_ru", "ref_en_A", "ref_en_B")]
            docs[row["doc_id"]].append((row["para"], *clean))
    return docs


def write_segments(segments: list[tuple[str, str]], prefix: str = "") -> tuple[str, list[tuple[int, int]]]:
    """Text of (para, sentence) segments (blank line between paragraphs) and each one's span."""
    text, spans, last_para = prefix, [], None
    for para, sentence in segments:
        if last_para is not None:
            text += " " if para == last_para else "\n\n"
        spans.append((len(text), len(text) + len(sentence)))
        text += sentence
        last_para = para
    return text + "\n", spans


def build_sets(folder: Path, seed: int, texts: int = 6, duplicates: int = 4):
    """Write the haystack and the English texts; return gold pairs and segment gold."""
    rng = random.Random(seed)
    docs = read_wmt()
    ids = sorted(docs)
    rng.shuffle(ids)
    hidden, others = ids[: len(ids) // 2], ids[len(ids) // 2:]
    ru_dir, en_dir = folder / "ru", folder / "en"
    ru_dir.mkdir()
    en_dir.mkdir()
    collection = ROOT / "corpus" / "ru" / "trotsky_opposition_politburo_documents.txt"
    (ru_dir / collection.name).write_bytes(collection.read_bytes())
    ru_spans: dict[str, list[tuple[str, list[tuple[int, int]]]]] = defaultdict(list)  # doc -> copies
    hosts = rng.sample(others, duplicates)
    quoted = dict(zip(hosts, rng.sample(hidden, duplicates)))
    for doc_id in ids:
        name = f"wmt_{doc_id}.txt"
        text, spans = write_segments([(p, ru) for p, ru, _, _ in docs[doc_id]])
        ru_spans[doc_id].append((name, spans))
        if doc_id in quoted:  # the hidden document quoted again, as an appendix
            copy, copy_spans = write_segments([(p, ru) for p, ru, _, _ in docs[quoted[doc_id]]], text + "\n")
            text = copy
            ru_spans[quoted[doc_id]].append((name, copy_spans))
        (ru_dir / name).write_text(text, encoding="utf-8")
    ntrex = [line.strip() for line in NTREX.read_text(encoding="utf-8").splitlines() if line.strip()]
    cursor = rng.randrange(len(ntrex))
    gold: list[dict] = []  # one per (rendered part, Russian copy)
    segments: dict[str, list[dict]] = defaultdict(list)  # English file -> per-segment gold
    commentary: dict[str, list[tuple[int, int]]] = defaultdict(list)
    per_text = [hidden[i::texts] for i in range(texts)]
    for t, chunk in enumerate(per_text):
        name = f"text_{t}.txt"
        text = ""
        for doc_id in chunk:
            n = rng.randint(2, 9)
            filler = [ntrex[(cursor + i) % len(ntrex)] for i in range(n)]
            cursor += n
            filler_text, filler_spans = write_segments([(str(i // 3), s) for i, s in enumerate(filler)], text)
            commentary[name] += filler_spans
            text = filler_text + "\n"
            segs = docs[doc_id]
            length = rng.randint(max(2, len(segs) // 2), len(segs))
            start = rng.randint(0, len(segs) - length)
            ref = rng.choice((2, 3))
            part, part_spans = write_segments([(s[0], s[ref]) for s in segs[start:start + length]], text)
            text = part + "\n"
            for ru_file, spans in ru_spans[doc_id]:
                gold.append({"en": name, "en_span": (part_spans[0][0], part_spans[-1][1]), "ru": ru_file,
                             "ru_span": (spans[start][0], spans[start + length - 1][1])})
                for i, en_span in enumerate(part_spans):
                    segments[name].append({"en_span": en_span, "ru": ru_file, "ru_span": spans[start + i]})
        (en_dir / name).write_text(text, encoding="utf-8")
    return ru_dir, en_dir, gold, segments, commentary


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """At least 50 % of the shorter span lies inside the other."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and inter >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def inside(point: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= point[0] and point[1] <= e + 1 for s, e in spans)


def run(seed: int, model: str, show_errors: bool = False) -> dict:
    from align.aligner import AlignConfig
    from align.cache import resolve_cache
    from align.embed import load_encoder
    from align.locate import LocateConfig, locate_and_align, make_search
    from align.pipeline import load_document
    from align.settings import Settings
    from align.wordcache import load_word_model

    cache = resolve_cache(None, os.environ)
    encoder = load_encoder(model, cache)
    words = load_word_model(Settings().word_model, model, cache)
    with tempfile.TemporaryDirectory() as tmp:
        ru_dir, en_dir, gold, segments, commentary = build_sets(Path(tmp), seed)
        started = time.perf_counter()
        collection = [load_document(p, "ru", encoder, cache) for p in sorted(ru_dir.iterdir())]
        english = [load_document(p, "en", encoder, cache) for p in sorted(en_dir.iterdir())]
        embedded = time.perf_counter() - started
        started = time.perf_counter()
        search = make_search(np.vstack([d.vectors for d in collection]), LocateConfig(), cache.index)
        found, links = [], []
        for doc in english:  # flags are not scored here: the pairs stay unflagged
            for pair in locate_and_align(doc, collection, LocateConfig(), AlignConfig(), search, encoder.encode,
                                         words):
                sents_en, sents_ru = doc.sentences, pair.src.sentences
                for p in pair.passages:
                    found.append({"en": doc.path.name, "ru": pair.src.path.name, "relation": p.relation,
                                  "evidence": p.evidence,
                                  "en_span": (sents_en[p.en_start].start, sents_en[p.en_end - 1].end),
                                  "ru_span": (sents_ru[p.ru_start].start, sents_ru[p.ru_end - 1].end)})
                for link in pair.links:
                    if link.src and link.tgt:
                        links.append((doc, pair.src.path.name, link))
        located = time.perf_counter() - started
        ru_texts = {d.path.name: d.document.raw for d in collection}

    def hit(f: dict, g: dict) -> bool:
        return (f["en"] == g["en"] and f["ru"] == g["ru"] and overlaps(f["en_span"], g["en_span"])
                and overlaps(f["ru_span"], g["ru_span"]))

    def near_copy(f: dict, g: dict) -> bool:
        """Another outlet's copy of the gold Russian text: most of the found words are in it."""
        found_words = _stems(ru_texts[f["ru"]][slice(*f["ru_span"])])
        gold_words = _stems(ru_texts[g["ru"]][slice(*g["ru_span"])])
        return (f["en"] == g["en"] and overlaps(f["en_span"], g["en_span"])
                and len(found_words & gold_words) >= 0.5 * max(len(found_words), 1))

    every = found
    all_tp = sum(any(hit(f, g) for g in gold) for f in every)
    if show_errors:
        for f in every:
            if any(hit(f, g) for g in gold) and f["relation"] != "translation":
                print(f"translation labelled {f['relation']}: {f['en']} {f['evidence']}")
    translation_labels = [f["relation"] for f in every if any(hit(f, g) for g in gold)]
    found = [f for f in every if f["relation"] != "retelling"]
    tp = sum(any(hit(f, g) for g in gold) for f in found)
    if show_errors:
        en_texts = {d.path.name: d.document.raw for d in english}
        for f in found:
            if not any(hit(f, g) for g in gold):
                print(f"false: {f['en']} {en_texts[f['en']][slice(*f['en_span'])][:300]!r}\n"
                      f"    <- {f['ru']} {ru_texts[f['ru']][slice(*f['ru_span'])][:300]!r}")
    tp_near = sum(any(hit(f, g) or near_copy(f, g) for g in gold) for f in found)
    recalled = sum(any(hit(f, g) for f in found) for g in gold)
    dup_docs = [g for g in gold if sum(h["en"] == g["en"] and h["en_span"] == g["en_span"] for h in gold) > 1]
    dup_found = sum(any(hit(f, g) for f in found) for g in dup_docs)
    # Sentence level: each English sentence of a link, against the gold segment it lies in.
    correct, linked_rendering, linked_commentary = 0, set(), set()
    for doc, ru_name, link in links:
        name = doc.path.name
        ru_span = (min(link_ru.start for link_ru in [_ru(collection, ru_name, i) for i in link.src]),
                   max(link_ru.end for link_ru in [_ru(collection, ru_name, i) for i in link.src]))
        for j in link.tgt:
            s = doc.sentences[j]
            gold_segs = [g for g in segments[name] if g["en_span"][0] <= s.start < g["en_span"][1] + 1]
            if gold_segs:
                linked_rendering.add((name, j))
                correct += any(g["ru"] == ru_name and min(g["ru_span"][1], ru_span[1]) > max(g["ru_span"][0], ru_span[0])
                               for g in gold_segs)
            elif inside((s.start, s.end), commentary[name]):
                linked_commentary.add((name, j))
                if show_errors:
                    print(f"no-counterpart sentence linked: {name} {s.text[:200]!r}\n"
                          f"    <- {ru_name} {' '.join(_ru(collection, ru_name, i).text for i in link.src)[:200]!r}")
    rendering_total = sum(1 for doc in english for s in doc.sentences
                          if any(g["en_span"][0] <= s.start < g["en_span"][1] + 1 for g in segments[doc.path.name]))
    commentary_total = sum(1 for doc in english for s in doc.sentences
                           if inside((s.start, s.end), commentary[doc.path.name]))
    link_units = sum(len(link.tgt) for _, _, link in links)
    p = tp / len(found) if found else 0.0
    r = recalled / len(gold) if gold else 0.0
    return {
        "seed": seed, "model": model, "gold_pairs": len(gold), "found": len(found),
        "P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0,
        "all_found": len(every), "all_P": all_tp / len(every) if every else 0.0,
        "translation_label_acc": translation_labels.count("translation") / max(len(translation_labels), 1),
        "translation_labels": _counts(translation_labels),
        "false_labels": _counts([f["relation"] for f in every if not any(hit(f, g) for g in gold)]),
        "P_near_copies_ok": tp_near / len(found) if found else 0.0,
        "duplicates_found": f"{dup_found}/{len(dup_docs)}",
        "sentence_P": correct / link_units if link_units else 0.0,
        "sentence_R": len(linked_rendering) / rendering_total if rendering_total else 0.0,
        "no_counterpart_unlinked": 1 - len(linked_commentary) / commentary_total if commentary_total else 0.0,
        **relation_run(seed, encoder, words, cache, show_errors),
        "ru_sentences": int(sum(len(d.sentences) for d in collection)),
        "en_sentences": int(sum(len(d.sentences) for d in english)),
        "embed_s": round(embedded, 1), "locate_align_s": round(located, 1),
    }


def _counts(labels: list[str]) -> str:
    return " ".join(f"{name}:{labels.count(name)}" for name in ("translation", "partial", "retelling"))


def same_story(docs: dict, min_overlap: float = 0.45) -> dict[str, str]:
    """Documents withheld (the key) whose story another document (the value) reports:
    shares of 5-letter stems of the two Russian texts, greedy, each document used once."""
    stems = {d: _stems(" ".join(s[1] for s in segs)) for d, segs in docs.items()}
    ids = sorted(docs)
    scored = sorted(((len(stems[a] & stems[b]) / min(len(stems[a]), len(stems[b])), a, b)
                     for i, a in enumerate(ids) for b in ids[i + 1:]), reverse=True)
    withheld: dict[str, str] = {}
    for overlap, a, b in scored:
        if overlap < min_overlap:
            break
        if a not in withheld and b not in withheld and a not in withheld.values():
            withheld[a] = b
    return withheld


def relation_run(seed: int, encoder, words, cache, show_errors: bool = False) -> dict:
    """Label accuracy on abridged renderings and quotations in a frame (gold partial) and on
    other outlets' reports of a withheld document's story (gold retelling or nothing)."""
    from align.aligner import AlignConfig
    from align.locate import LocateConfig, locate_and_align, make_search
    from align.pipeline import load_document

    rng = random.Random(seed + 100)
    docs = read_wmt()
    withheld = same_story(docs)
    ntrex = [line.strip() for line in NTREX.read_text(encoding="utf-8").splitlines() if line.strip()]
    usable = [d for d in sorted(docs) if d not in withheld and len(docs[d]) >= 12]
    rng.shuffle(usable)
    with tempfile.TemporaryDirectory() as tmp:
        ru_dir, en_dir = Path(tmp) / "ru", Path(tmp) / "en"
        ru_dir.mkdir()
        en_dir.mkdir()
        ru_spans = {}
        for doc_id in sorted(docs):
            if doc_id not in withheld:
                text, spans = write_segments([(p, ru) for p, ru, _, _ in docs[doc_id]])
                (ru_dir / f"wmt_{doc_id}.txt").write_text(text, encoding="utf-8")
                ru_spans[doc_id] = spans
        gold: list[dict] = []
        cursor = rng.randrange(len(ntrex))

        def filler(n: int) -> list[tuple[str, str]]:
            nonlocal cursor
            cursor += n
            return [(f"f{cursor}-{i // 3}", ntrex[(cursor + i) % len(ntrex)]) for i in range(n)]

        texts: dict[str, list[tuple[str, str]]] = {}
        parts: list[tuple[str, str, int, int, str, str | None]] = []  # text, label, first, last segment, doc, ru doc
        for k, doc_id in enumerate(usable[:12]):
            segs = docs[doc_id]
            start = rng.randrange(0, len(segs) - 10)
            name = f"relation_{k % 4}.txt"
            body = texts.setdefault(name, [])
            body += filler(rng.randint(2, 5))
            if k % 2 == 0:  # abridged: two kept, two skipped
                kept = [i for i in range(start, start + 10) if (i - start) % 4 < 2]
                chosen = [(segs[i][0], segs[i][rng.choice((2, 3))]) for i in kept]
            else:  # quoted inside another text's frame
                kept = list(range(start, start + 3))
                frames = filler(3)
                chosen = [(f"q{k}", f"{frame.rstrip('.!?')}, the report added: “{segs[i][2]}”")
                          for (_, frame), i in zip(frames, kept)]
            parts.append((name, "partial", len(body), len(body) + len(chosen), doc_id, doc_id))
            body += chosen
        for k, (doc_id, other) in enumerate(sorted(withheld.items())):
            name = f"relation_{k % 4}.txt"
            body = texts.setdefault(name, [])
            body += filler(rng.randint(2, 5))
            segs = docs[doc_id]
            parts.append((name, "retelling", len(body), len(body) + len(segs), doc_id, other))
            body += [(f"r{k}-{p}", en) for p, _, en, _ in segs]
        en_spans = {}
        for name, body in texts.items():
            text, spans = write_segments(body)
            (en_dir / name).write_text(text, encoding="utf-8")
            en_spans[name] = spans
        for name, label, first, last, doc_id, ru_doc in parts:
            span = (en_spans[name][first][0], en_spans[name][last - 1][1])
            ru = ru_spans.get(ru_doc)
            gold.append({"en": name, "label": label, "en_span": span, "ru": f"wmt_{ru_doc}.txt",
                         "ru_span": (ru[0][0], ru[-1][1]) if ru else None})
        collection = [load_document(p, "ru", encoder, cache) for p in sorted(ru_dir.iterdir())]
        english = [load_document(p, "en", encoder, cache) for p in sorted(en_dir.iterdir())]
        search = make_search(np.vstack([d.vectors for d in collection]), LocateConfig(), cache.index)
        found = []
        for doc in english:
            for pair in locate_and_align(doc, collection, LocateConfig(), AlignConfig(), search, encoder.encode,
                                         words):
                for p in pair.passages:
                    found.append({"en": doc.path.name, "ru": pair.src.path.name, "relation": p.relation,
                                  "evidence": p.evidence,
                                  "en_span": (doc.sentences[p.en_start].start, doc.sentences[p.en_end - 1].end),
                                  "ru_span": (pair.src.sentences[p.ru_start].start,
                                              pair.src.sentences[p.ru_end - 1].end)})
    result = {}
    for label in ("partial", "retelling"):
        golds = [g for g in gold if g["label"] == label]
        labels = [f["relation"] for g in golds for f in found
                  if f["en"] == g["en"] and overlaps(f["en_span"], g["en_span"])
                  and (label == "retelling" or (f["ru"] == g["ru"] and overlaps(f["ru_span"], g["ru_span"])))]
        result[f"{label}_gold"] = len(golds)
        result[f"{label}_found"] = len(labels)
        result[f"{label}_labels"] = _counts(labels)
        result[f"{label}_label_acc"] = labels.count(label) / len(labels) if labels else 0.0
        if show_errors:
            for g in golds:
                for f in found:
                    if (f["en"] == g["en"] and overlaps(f["en_span"], g["en_span"]) and f["relation"] != label):
                        print(f"{label} labelled {f['relation']}: {f['en']} {f['ru']} {f['evidence']}")
    retold = [g for g in gold if g["label"] == "retelling"]
    result["retelling_linked"] = sum(any(f["en"] == g["en"] and overlaps(f["en_span"], g["en_span"])
                                         and f["relation"] != "retelling" for f in found) for g in retold)
    return result


def _stems(text: str) -> set[str]:
    return {w[:5].lower() for w in text.split() if len(w) > 3}


def _ru(collection, name: str, i: int):
    return next(d for d in collection if d.path.name == name).sentences[i]


def scale(n: int, queries: int = 1000, dim: int = 512, seed: int = 0) -> dict:
    """Build the ANN index over ``n`` synthetic clustered unit vectors; time and memory."""
    import faiss

    from align.locate import LocateConfig, build_ivf

    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(2000, dim)).astype(np.float32)
    vectors = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        end = min(n, start + 100_000)
        vectors[start:end] = centres[rng.integers(0, 2000, end - start)] + 1.2 * rng.normal(size=(end - start, dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    truth = rng.choice(n, queries, replace=False)
    q = vectors[truth] + 0.045 * rng.normal(size=(queries, dim)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    data_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    started = time.perf_counter()
    index = build_ivf(vectors)
    build_s = time.perf_counter() - started
    index.nprobe = LocateConfig().ann_probe
    started = time.perf_counter()
    _, rows = index.search(q, 16)
    query_ms = (time.perf_counter() - started) / queries * 1000
    with tempfile.TemporaryDirectory() as tmp:
        faiss.write_index(index, f"{tmp}/i")
        started = time.perf_counter()
        faiss.read_index(f"{tmp}/i")
        load_s = time.perf_counter() - started
    return {"n": n, "build_s": round(build_s, 1), "load_s": round(load_s, 1),
            "query_ms": round(query_ms, 2), "recall@1": float((rows[:, 0] == truth).mean()),
            "recall@16": float((rows == truth[:, None]).any(axis=1).mean()),
            "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
            "vectors_gb": round(vectors.nbytes / 1e9, 2), "rss_before_build_gb": round(data_gb, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default="use-m3")
    parser.add_argument("--scale", type=int, default=0, help="Only the ANN scale test, with this many vectors.")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--show-errors", action="store_true", help="Print the passages found that match no gold pair.")
    args = parser.parse_args()
    if args.scale:
        result = scale(args.scale)
    else:
        if not WMT.exists() or not NTREX.exists():
            print(f"skipped: {WMT} or {NTREX} is missing")
            return
        result = run(args.seed, args.model, args.show_errors)
    print(" | ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
