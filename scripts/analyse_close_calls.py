"""Where the aligner's sentence-gold errors lie, and whether word-level evidence would fix them.

Usage: .venv/bin/python scripts/analyse_close_calls.py [--sets textberg,anna] [--json OUT]

For each set (the default configuration, re-check through the embedding cache as
`bench_align.py --quick` runs it):
1. Error regions: predicted and gold links that disagree, grouped by shared sentences,
   and each region's kind: a null where the gold merges (1-0/0-1 + a link instead of one
   link), a merge where the gold has a null, a merge or split of links with both sides,
   or a boundary shift (as many links, other cuts).
2. Close calls on the final path: two neighbouring links (one of them may be a 1-0/0-1)
   against their merge, and a link with 2+ sentences a side against its best split, whose
   values (after the re-check) differ by less than ``--close``; each labelled by which
   configuration the gold has (path, alternative or neither).
3. Token evidence at those calls, as issue 15 proposes it: the word pairs (content words
   of 3+ letters or figures, mutual best matches of the flags' e5 word vectors with cosine
   >= ``--min-cosine``, texts joined as the flags join a link's) matched inside the merge
   but not inside its parts, per the document's mean content words a sentence. A rule
   "take the alternative when weight x evidence beats the value difference, for gains of
   at least ``min_gain`` pairs (fewer, for a split)" is counted call by call: right flips (the gold has the
   alternative), wrong flips (the gold has the path) and flips to a configuration the gold
   has neither way.
The word vectors come from the word cache (computed once where missing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_align  # noqa: E402  (the data sets and the method as the benchmark runs them)

import align.aligner as aligner_module  # noqa: E402
from align.aligner import AlignConfig  # noqa: E402
from align.cache import resolve_cache  # noqa: E402
from align.tokens import WORD_RE, Words  # noqa: E402
from align.wordcache import load_word_model  # noqa: E402

Link = tuple[tuple[int, ...], tuple[int, ...]]
RULES = ((1.0, 1), (2.0, 1), (3.0, 1), (2.0, 2), (2.0, 3), (3.0, 3))  # (weight, least pairs gained)


@contextmanager
def last_aligner() -> list:
    """The banded aligners `align_vectors` runs, in order (the last one made the final path)."""
    seen: list = []
    run = aligner_module._BandedAligner.run

    def recording(self):
        seen.append(self)
        return run(self)

    aligner_module._BandedAligner.run = recording
    try:
        yield seen
    finally:
        aligner_module._BandedAligner.run = run


def error_regions(pred: list[Link], gold: list[Link]) -> list[dict]:
    """Disagreeing links grouped by the sentences they share, each group with its kind."""
    gold_set, pred_set = set(gold), set(pred)
    bad = [("gold", link) for link in gold if link not in pred_set] + [("pred", link) for link in pred
                                                                      if link not in gold_set]
    groups: list[tuple[set, list]] = []
    for item in bad:
        sentences = {("s", i) for i in item[1][0]} | {("t", j) for j in item[1][1]}
        members = [item]
        for group in [g for g in groups if g[0] & sentences]:
            groups.remove(group)
            sentences |= group[0]
            members += group[1]
        groups.append((sentences, members))
    regions = []
    for _, members in groups:
        g = sorted(link for side, link in members if side == "gold")
        p = sorted(link for side, link in members if side == "pred")
        regions.append({"gold": g, "pred": p, "kind": region_kind(g, p)})
    return sorted(regions, key=lambda r: min(i for link in r["gold"] + r["pred"] for i in link[0] + link[1]))


def region_kind(gold: list[Link], pred: list[Link]) -> str:
    nulls = [sum(not (s and t) for s, t in links) for links in (gold, pred)]
    if nulls[1] > nulls[0]:
        return "null where the gold merges"
    if nulls[0] > nulls[1]:
        return "merge where the gold has a null"
    if len(pred) != len(gold):
        return "merge" if len(pred) < len(gold) else "split"
    return "boundary shift"


def close_calls(aligner, pred: list[Link], close: float) -> list[dict]:
    """Merges of neighbouring links and best splits of merged links, valued within ``close``."""
    def value(link: Link) -> float:
        s, t = link
        if s and t:
            return aligner._value(s[-1] + 1, t[-1] + 1, len(s), len(t))
        return -float(aligner.src_skip[s[0]] if s else aligner.tgt_skip[t[0]])

    calls = []
    for first, second in zip(pred, pred[1:]):
        merged = (first[0] + second[0], first[1] + second[1])
        if merged[0] and merged[1] and (len(merged[0]), len(merged[1])) in aligner.values:
            kind = "merge" if all(first) and all(second) else "null or merge"
            calls.append({"kind": kind, "path": [first, second], "alt": [merged]})
    for s, t in pred:
        if len(s) >= 2 and len(t) >= 2:
            splits = [[(s[:a], t[:b]), (s[a:], t[b:])] for a in range(1, len(s)) for b in range(1, len(t))]
            best = max(splits, key=lambda parts: sum(map(value, parts)))
            calls.append({"kind": "split", "path": [(s, t)], "alt": best})
    kept = []
    for call in calls:
        call["dv"] = sum(map(value, call["path"])) - sum(map(value, call["alt"]))
        if np.isfinite(call["dv"]) and call["dv"] < close:
            kept.append(call)
    return kept


def content(word: str) -> bool:
    return len(word) >= 3 or any(ch.isdigit() for ch in word)


def matched_pairs(src: Words, tgt: Words, min_cosine: float) -> int:
    """Content-word pairs of two texts that are mutual best matches with at least ``min_cosine``."""
    a = [k for k, w in enumerate(src.tokens) if content(w)]
    b = [k for k, w in enumerate(tgt.tokens) if content(w)]
    if not a or not b:
        return 0
    sim = src.vectors[a] @ tgt.vectors[b].T
    forward, backward = sim.argmax(axis=1), sim.argmax(axis=0)
    return int(((backward[forward] == np.arange(len(a))) & (sim.max(axis=1) >= min_cosine)).sum())


def analyse(case, close: float, min_cosine: float) -> dict:
    doc = case.docs[0]
    enc = bench_align.TimedEncoder(case.model)
    with last_aligner() as seen:
        pred = bench_align.ours(AlignConfig(), True)(doc, enc.encode(doc.src), enc.encode(doc.tgt), enc)
    pred = [(tuple(s), tuple(t)) for s, t in pred]
    gold = [(tuple(s), tuple(t)) for s, t in doc.gold]
    regions = error_regions(pred, gold)
    calls = close_calls(seen[-1], pred, close)
    gold_set = set(gold)
    for call in calls:
        call["label"] = ("path" if all(link in gold_set for link in call["path"])
                         else "alternative" if all(link in gold_set for link in call["alt"]) else "neither")
    links = sorted({link for call in calls for link in call["path"] + call["alt"] if link[0] and link[1]})
    words = load_word_model("auto", case.model, resolve_cache(None, os.environ))
    found = words.words([" ".join(doc.src[i] for i in s) for s, _ in links]
                        + [" ".join(doc.tgt[j] for j in t) for _, t in links])
    pairs = {link: matched_pairs(found[k], found[len(links) + k], min_cosine) for k, link in enumerate(links)}
    unit = float(np.mean([sum(map(content, WORD_RE.findall(t))) for t in doc.src + doc.tgt]))
    for call in calls:
        # Pairs the alternative keeps inside its links minus the path's (for a split: fewer).
        call["gained"] = (sum(pairs.get(link, 0) for link in call["alt"])
                          - sum(pairs.get(link, 0) for link in call["path"]))
    rules = []
    for weight, least in RULES:
        flips = Counter()
        for call in calls:
            if abs(call["gained"]) >= least and weight * call["gained"] / unit > call["dv"]:
                flips[call["label"]] += 1
        rules.append({"weight": weight, "min_gain": least, "right": flips["alternative"],
                      "wrong": flips["path"], "neither": flips["neither"]})
    return {"set": case.name, "regions": Counter(r["kind"] for r in regions),
            "region_list": [{**r, "gold": [list(map(list, l)) for l in r["gold"]],
                             "pred": [list(map(list, l)) for l in r["pred"]]} for r in regions],
            "calls": Counter(f"{c['kind']}: {c['label']}" for c in calls), "rules": rules,
            "texts_for_words": len(links) * 2, "chars_for_words": sum(len(w.text) for w in found),
            "chars": sum(map(len, doc.src + doc.tgt))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="textberg,anna")
    parser.add_argument("--close", type=float, default=0.5)
    parser.add_argument("--min-cosine", type=float, default=0.4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    for key in args.sets.split(","):
        for case in bench_align.SETS[key]():
            if case.docs[0].gold is None or len(case.docs) != 1:
                print(f"skipping {case.name}: needs one document with sentence gold", file=sys.stderr)
                continue
            result = analyse(case, args.close, args.min_cosine)
            results.append(result)
            print(f"\n{result['set']}: error regions {dict(result['regions'])}")
            print(f"close calls (value difference < {args.close}): {dict(sorted(result['calls'].items()))}")
            print(f"word vectors for {result['texts_for_words']} texts, "
                  f"{result['chars_for_words'] / result['chars']:.0%} of the document's characters")
            print("| weight | least pairs gained | right flips | wrong flips | flips to neither |")
            print("|---:|---:|---:|---:|---:|")
            for rule in result["rules"]:
                print(f"| {rule['weight']:g} | {rule['min_gain']} | {rule['right']} | {rule['wrong']} | {rule['neither']} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=dict) + "\n")


if __name__ == "__main__":
    main()
