#!/usr/bin/env python
"""Mismatch flags measured on real data from ../shared/data (skipped with a message if absent).

1. WMT21 ru-en: both human references are correct translations (flags on them are
   false alarms); a seeded generator perturbs one reference per segment (deletes a
   clause, name, number or negation; replaces a number, date or name; adds a phrase;
   swaps in a sentence from another document; copies the source) and records which
   flag kinds should catch it. Scores are z-scored against the unperturbed pairs'
   distribution (the sample acts as one document).
2. MLQE-PE ru-en dev: sentence level, does the flagger's risk rank sentences that have
   BAD source tokens or BAD gaps in the MT (ROC AUC, Spearman with HTER); word level,
   precision/recall of the Russian words named as omitted against BAD source tags.

3. Word-level perturbations of WMT21 and NTREX references (``scripts/word_perturb.py``): one
   word or phrase left out or added, negated, reversed, replaced, left in Russian; recall of a
   major flag of the right kind, false major rate on the unperturbed references.
4. ``--speed N``: ``flag_links`` on N sentences of a novel, cold and cached.

Usage: .venv/bin/python scripts/bench_flags.py [--limit 300] [--mlqe-limit 1000] [--word-limit 300]
       [--word-per-kind 40] [--skip-old] [--speed 2400] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parent.parent

from align.cache import resolve_cache
from align.embed import load_encoder
from align.model import Link
from align.flags import FlagConfig, flag_links, flag_pair, pair_context
from align.flags.names import name_candidates
from align.flags.wordgaps import STOPWORDS, unmatched_words
from align.tokens import E5Words, best_matches, load_vocabulary
from align.translit import names_match
from align.wordcache import CachedWordModel
from word_perturb import WORD_EXPECT, word_perturb  # beside this script

DATA = ROOT.parent / "shared" / "data"
SEED = 20261121
MAJOR = {"major", "critical"}
# perturbation -> (kinds that should catch it, kinds that are not false alarms on it)
EXPECT = {
    "delete_clause": ({"omission"}, {"omission", "name", "number", "date", "mistranslation"}),
    "delete_name": ({"name"}, {"name", "omission"}),
    "delete_number": ({"number", "date"}, {"number", "date", "omission"}),
    "delete_negation": ({"mistranslation"}, {"mistranslation", "omission"}),
    "replace_number": ({"number", "date"}, {"number", "date"}),  # a changed day of a month is a date flag
    "replace_date": ({"date"}, {"date", "number"}),
    "replace_name": ({"name"}, {"name"}),
    "add_phrase": ({"addition"}, {"addition", "name", "number", "date", "mistranslation"}),
    "swap_sentence": ({"mistranslation"}, {"mistranslation", "omission", "addition", "name", "number", "date"}),
    "copy_source": ({"untranslated"}, {"untranslated"}),
}
# Figures that really differ between a WMT21 source and its human reference (read one by one;
# (doc_id, seg_id, reference) -> what differs). Number/date flags on them count as false alarms
# in the main table; a second precision counts them as correct.
REFERENCE_DISCREPANCIES = {
    ("rus.err.ee.56473", "20", "ref_en_A"): "«в июле» rendered as June",
    ("mk.224363", "2", "ref_en_B"): "«с 27 июля» left out",
    ("bbc-russian.43692", "12", "ref_en_A"): "source «1,5 военнослужащих» (thousand missing) rendered as 1500",
    ("bbc-russian.43692", "12", "ref_en_B"): "source «1,5 военнослужащих» (thousand missing) rendered as 1,500",
    ("rg.ru.74104", "10", "ref_en_A"): "«4-6%» rendered as 4.6%",
    ("rg.ru.74104", "22", "ref_en_A"): "«0,3-0,6» rendered as 0.3-0.5",
    ("vesti.ru.343831", "17", "ref_en_B"): "«XVI века» left out",
    ("pnp.ru.112053", "13", "ref_en_B"): "«(6,2 процента)» left out",
    ("izvestiya.520940", "8", "ref_en_A"): "«24 апреля» as April 14, «полтриллиона» as half a million",
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
OTHER_NAMES = ["Petrov", "Ivanova", "Smirnov", "Novosibirsk", "Kazan", "Sokolov", "Yekaterinburg", "Morozov"]


@dataclass
class Pair:
    src: str
    tgt: str
    perturbation: str = ""  # "" = a correct reference
    doc: str = ""  # WMT21 document id
    seg: str = ""  # WMT21 segment id
    ref: str = ""  # which reference: ref_en_A or ref_en_B
    flags: list = field(default_factory=list)
    score: float = 0.0  # use-m3 cosine
    omission_score: float = 0.0


# ------------------------------------------------------------------ perturbations

def perturb(kind: str, src: str, tgt: str, other: str, rng: random.Random) -> str | None:
    """The reference ``tgt`` changed by ``kind``; None when it does not apply to this pair."""
    if kind == "delete_clause":
        parts = re.split(r"(?<=[,;])\s+|\s+(?=(?:and|but|which|who|because|while|when)\b)", tgt)
        long = [i for i, p in enumerate(parts) if len(p.split()) >= 4]
        if len(parts) < 2 or not long:
            return None
        i = rng.choice(long)
        return _tidy(" ".join(parts[:i] + parts[i + 1:]))
    if kind in ("delete_name", "replace_name"):
        rare = [r for r in name_candidates(src) if not r.isupper() and not VOCABULARY.is_common(r)]
        names = [w for w in name_candidates(tgt) if any(names_match(r, w) for r in rare)]
        if not names:
            return None
        name = rng.choice(names)
        new = "" if kind == "delete_name" else rng.choice([n for n in OTHER_NAMES if n != name])
        return _tidy(re.sub(rf"\b{re.escape(name)}(?:'s)?\b", new, tgt, count=1))
    if kind in ("delete_number", "replace_number"):
        figures = [m for m in re.finditer(r"(?<![-\w])\d+(?:[.,]\d+)*", tgt) if not _is_year(m.group())]
        if not figures:
            return None
        m = rng.choice(figures)
        new = "" if kind == "delete_number" else str(int(re.sub(r"\D", "", m.group())[-3:] or 0) + rng.choice([1, 2, 3, 7]))
        return _tidy(tgt[: m.start()] + new + tgt[m.end():])
    if kind == "replace_date":
        years = [m for m in re.finditer(r"\d{4}", tgt) if _is_year(m.group())]
        months = [m for m in re.finditer(r"\b(?:" + "|".join(MONTHS) + r")\b", tgt)]
        if years:
            m = rng.choice(years)
            return tgt[: m.start()] + str(int(m.group()) + rng.choice([-2, -1, 1, 3])) + tgt[m.end():]
        if months:
            m = rng.choice(months)
            return tgt[: m.start()] + rng.choice([x for x in MONTHS if x != m.group()]) + tgt[m.end():]
        return None
    if kind == "delete_negation":
        if not re.search(r"\b(?:не|нет|никогда)\b", src, re.IGNORECASE):
            return None
        new, n = re.subn(r"\s*\b(?:not|never)\b|n't\b", "", tgt, count=1)
        return _tidy(new.replace("ca ", "can ").replace("wo ", "will ")) if n else None
    if kind == "add_phrase":
        clauses = [c for c in re.split(r"[,;.]\s+", other) if len(c.split()) >= 5]
        if not clauses:
            return None
        return tgt.rstrip(".!? ") + ", " + rng.choice(clauses).strip().rstrip(".") + "."
    if kind == "swap_sentence":
        return other
    if kind == "copy_source":
        return src
    raise ValueError(kind)


def _is_year(token: str) -> bool:
    return token.isdigit() and 1700 <= int(token) <= 2100


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    return re.sub(r"^[,;]\s*", "", text)


def calibration_docs(path: Path) -> set[str]:
    """Half of the WMT21 documents, drawn with a fixed seed: thresholds in ``FlagConfig`` were
    chosen looking at pairs of these documents only; the other half is held out."""
    with path.open(encoding="utf-8", newline="") as f:
        docs = sorted({r["doc_id"] for r in csv.DictReader(f, delimiter="\t")})
    random.Random(SEED).shuffle(docs)
    return set(docs[: len(docs) // 2])


def wmt_pairs(path: Path, limit: int, per_kind: int) -> list[Pair]:
    """Both references of the first ``limit`` segments, and up to ``per_kind`` perturbed
    references per perturbation (segments drawn from all 1,000, seeded)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    rng = random.Random(SEED)
    pairs = [Pair(r["src_ru"], r[ref], doc=r["doc_id"], seg=r["seg_id"], ref=ref)
             for r in rows[:limit] for ref in ("ref_en_A", "ref_en_B")]
    for kind in EXPECT:
        order = rng.sample(range(len(rows)), len(rows))
        made = 0
        for i in order:
            if made == per_kind:
                break
            row = rows[i]
            other = rng.choice([r for r in rows if r["doc_id"] != row["doc_id"]])["ref_en_A"]
            ref = rng.choice(["ref_en_A", "ref_en_B"])
            tgt = row[ref]
            new = perturb(kind, row["src_ru"], tgt, other, rng)
            if new and new != tgt:
                pairs.append(Pair(row["src_ru"], new, kind, doc=row["doc_id"], seg=row["seg_id"], ref=ref))
                made += 1
    return pairs


# ------------------------------------------------------------------ running the flagger

CACHE = resolve_cache(None, os.environ)
VOCABULARY = load_vocabulary(CACHE)


def word_model(config: FlagConfig) -> CachedWordModel:
    """e5-small word vectors, cached as a run caches them (a re-run embeds nothing)."""
    return CachedWordModel(E5Words(CACHE.e5_model, config.token_layer), CACHE.embeddings)


def run_flags(pairs: list[Pair], config: FlagConfig, baseline: list[int] | None = None) -> dict:
    """Flag every pair as one document (the score distribution comes from ``baseline``
    pairs); returns the word vectors of every text."""
    encoder = load_encoder("use-m3", CACHE, progress=False)
    src_v = encoder.encode([p.src for p in pairs])
    tgt_v = encoder.encode([p.tgt for p in pairs])
    scores = np.sum(src_v * tgt_v, axis=1)
    base = scores[baseline] if baseline is not None else scores
    mean, std = float(np.mean(base)), float(np.std(base))
    texts = sorted({p.src for p in pairs} | {p.tgt for p in pairs})
    vectors = dict(zip(texts, word_model(config).words(texts))) if config.token_alignment else {}
    for pair, score in zip(pairs, scores):
        pair.score = float(score)
        src_words, tgt_words = (vectors[pair.src], vectors[pair.tgt]) if vectors else (None, None)
        pair.flags = flag_pair(pair_context(src=pair.src, tgt=pair.tgt, src_lang="ru", tgt_lang="en", score=float(score),
                                            mean=mean, std=std, config=config, src_words=src_words,
                                            tgt_words=tgt_words, vocabulary=VOCABULARY))
        if vectors:
            pair.omission_score = unmatched_words(src_words, tgt_words, "ru", config).score
    return vectors


def wmt_report(pairs: list[Pair], calibration: set[str]) -> dict:
    clean = [p for p in pairs if not p.perturbation]
    out: dict = {"pairs": len(pairs), "unperturbed": len(clean)}
    out["false_flag_rate_major"] = _rate(clean, lambda p: any(f.severity in MAJOR for f in p.flags))
    for half, inside in (("calibration", True), ("held_out", False)):
        part = [p for p in clean if (p.doc in calibration) == inside]
        out[f"false_flag_rate_major_{half}"] = (_rate(part, lambda p: any(f.severity in MAJOR for f in p.flags)),
                                                len(part))
    out["false_flag_rate_any"] = _rate(clean, lambda p: bool(p.flags))
    out["false_by_kind_major"] = {k: _rate(clean, lambda p, k=k: any(f.kind == k and f.severity in MAJOR for f in p.flags))
                                  for k in sorted({f.kind for p in clean for f in p.flags})}
    out["recall"] = _recall(pairs, {kind: target for kind, (target, _) in EXPECT.items()})
    out["precision"] = {}
    for kind in sorted({f.kind for p in pairs for f in p.flags}):
        for level, ok in (("any", lambda f: True), ("major", lambda f: f.severity in MAJOR)):
            flagged = [p for p in pairs if any(f.kind == kind and ok(f) for f in p.flags)]
            good = [p for p in flagged if p.perturbation and kind in EXPECT[p.perturbation][1]]
            out["precision"].setdefault(kind, {})[level] = (len(good) / len(flagged), len(flagged)) if flagged else None
    # Number and date changes as one family, at the major level (the operating point a user sees).
    figures = {"number", "date"}
    changed = [p for p in pairs if p.perturbation in ("delete_number", "replace_number", "replace_date")]
    flagged = [p for p in pairs if any(f.kind in figures and f.severity in MAJOR for f in p.flags)]
    out["number_date_major"] = {
        "recall": _rate(changed, lambda p: any(f.kind in figures and f.severity in MAJOR for f in p.flags)),
        "precision": _rate(flagged, lambda p: bool(p.perturbation) and bool(figures & EXPECT[p.perturbation][1])),
        "precision_reference_errors_correct": _rate(flagged, lambda p: (
            bool(p.perturbation) and bool(figures & EXPECT[p.perturbation][1])
            or (p.doc, p.seg, p.ref) in REFERENCE_DISCREPANCIES)),
        "changed": len(changed), "flagged": len(flagged),
    }
    deleted = [p for p in pairs if p.perturbation == "delete_clause"]
    if deleted:
        y = [1] * len(deleted) + [0] * len(clean)
        out["omission_auc_delete_clause"] = roc_auc_score(y, [p.omission_score for p in deleted + clean])
    return out


def reference_rows(limit: int) -> list[Pair]:
    """Correct pairs: both WMT21 references of the first ``limit`` segments, and the first
    ``limit`` NTREX segments (English original, professional Russian; read as Russian ↔ English)."""
    pairs = []
    wmt = DATA / "wmt21_ru-en" / "newstest2021.ru-en.tsv"
    with wmt.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    pairs += [Pair(r["src_ru"], r[ref], doc=r["doc_id"], seg=r["seg_id"], ref=ref)
              for r in rows[:limit] for ref in ("ref_en_A", "ref_en_B")]
    folder = DATA / "ntrex128_en-ru"
    ru = (folder / "newstest2019-ref.rus.txt").read_text(encoding="utf-8").replace("\r", "").split("\n")
    en = (folder / "newstest2019-src.eng.txt").read_text(encoding="utf-8").replace("\r", "").split("\n")
    pairs += [Pair(r, e, doc="ntrex", seg=str(i), ref="ntrex") for i, (r, e) in enumerate(zip(ru[:limit], en[:limit]))
              if r.strip() and e.strip()]
    return pairs


def word_level_pairs(limit: int, per_kind: int, config: FlagConfig) -> list[Pair]:
    """The correct pairs, and up to ``per_kind`` word-level perturbations of each kind, drawn
    with a fixed seed from all references (WMT21 and NTREX) beyond the first ``limit`` too."""
    clean = reference_rows(limit)
    pool = reference_rows(10_000)
    rng = random.Random(SEED + 1)
    words = word_model(config)
    out = list(clean)
    for kind in WORD_EXPECT:
        order = rng.sample(range(len(pool)), len(pool))
        made = 0
        for start in range(0, len(order), 64):
            if made >= per_kind:
                break
            chunk = [pool[i] for i in order[start:start + 64]]
            vectors = words.words([p.src for p in chunk] + [p.tgt for p in chunk])
            for k, base in enumerate(chunk):
                if made >= per_kind:
                    break
                new = word_perturb(kind, vectors[k], vectors[len(chunk) + k], rng)
                if new and new != base.tgt:
                    out.append(Pair(base.src, new, kind, doc=base.doc, seg=base.seg, ref=base.ref))
                    made += 1
    return out


def word_level_report(pairs: list[Pair]) -> dict:
    """Recall of a major/critical flag of an expected kind per perturbation, and the false
    major/critical rate on the correct references."""
    clean = [p for p in pairs if not p.perturbation]
    out: dict = {"unperturbed": len(clean),
                 "false_flag_rate_major": _rate(clean, lambda p: any(f.severity in MAJOR for f in p.flags)),
                 "false_by_kind_major": {k: _rate(clean, lambda p, k=k: any(f.kind == k and f.severity in MAJOR
                                                                           for f in p.flags))
                                         for k in sorted({f.kind for p in clean for f in p.flags})},
                 "recall": _recall(pairs, WORD_EXPECT)}
    return out


def _recall(pairs: list[Pair], expect: dict) -> dict:
    """Per perturbation kind: how many pairs, and the share with a flag of an expected kind
    (any severity, and major or critical)."""
    out = {}
    for kind, target in expect.items():
        hit = [p for p in pairs if p.perturbation == kind]
        if hit:
            out[kind] = {
                "n": len(hit),
                "any": _rate(hit, lambda p, t=target: any(f.kind in t for f in p.flags)),
                "major": _rate(hit, lambda p, t=target: any(f.kind in t and f.severity in MAJOR for f in p.flags)),
            }
    return out


def speed(sentences: int, config: FlagConfig) -> dict:
    """Seconds ``flag_links`` takes on the first ``sentences`` Russian sentences of Anna Karenina
    (gold links, ru+en), wall and CPU seconds: cold (an empty word cache: every word vector
    computed, the network loaded in this process) and cached (the
    same run again), and without word alignment. Link scores are a constant: the similarity
    detector costs nothing either way."""
    import tempfile

    folder = DATA / "anna_karenina_vol1_ru-en"
    ru = (folder / "ru.txt").read_text(encoding="utf-8").split("\n")
    en = (folder / "en.txt").read_text(encoding="utf-8").split("\n")
    links = []
    for line in (folder / "gold.links").read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        src, tgt = (tuple(json.loads(side)) for side in line.split(":"))
        if src and max(src) >= sentences:
            break
        links.append(Link(src, tgt, 0.8))
    out = {"sentences": sentences, "links": len(links)}
    with tempfile.TemporaryDirectory() as tmp:
        words = CachedWordModel(E5Words(CACHE.e5_model, config.token_layer), Path(tmp) / "words.sqlite3")
        for label, model in (("cold", words), ("cached", words), ("no_words", None)):
            t, cpu = time.time(), time.process_time()
            flag_links(links, ru, en, "ru", "en", config, model, VOCABULARY)
            out[f"{label}_s"] = round(time.time() - t, 1)
            out[f"{label}_cpu_s"] = round(time.process_time() - cpu, 1)  # other jobs on the cores add wall time
    out["load_average"] = round(os.getloadavg()[0], 1)
    return out


def _rate(pairs: list[Pair], test) -> float:
    return sum(1 for p in pairs if test(p)) / len(pairs) if pairs else float("nan")


def mlqe(folder: Path, limit: int, config: FlagConfig) -> dict:
    """Sentence- and word-level agreement with MLQE-PE's human tags."""
    read = lambda ext: (folder / f"dev.{ext}").read_text(encoding="utf-8").split("\n")[:limit]
    src, mt, hter = read("src"), read("mt"), [float(x) for x in read("hter")]
    src_tags = [line.split() for line in read("source_tags")]
    gap_bad = ["BAD" in line.split()[0::2] for line in read("tags")]
    label = [int("BAD" in t or g) for t, g in zip(src_tags, gap_bad)]
    pairs = [Pair(s, m) for s, m in zip(src, mt)]
    vectors = run_flags(pairs, config)
    risk = [max([f.score for f in p.flags] + [0.0]) for p in pairs]
    # The flags' two continuous signals, z-scored and summed: link cosine and word coverage
    # (mean best word similarity of the Russian content words).
    coverage = np.array([_coverage(vectors[s], vectors[m]) for s, m in zip(src, mt)])
    cosine = np.array([p.score for p in pairs])
    signals = -(cosine - cosine.mean()) / cosine.std() - (coverage - coverage.mean()) / coverage.std()
    flagged_any = [int(bool(p.flags)) for p in pairs]
    tp = fp = fn = 0
    for s, m, tags in zip(src, mt, src_tags):
        named = list(unmatched_words(vectors[s], vectors[m], "ru", config).words)
        omitted_spans = _named_spans(vectors[s], named)
        starts = np.cumsum([0] + [len(t) + 1 for t in s.split(" ")])[:-1]
        bad = {i for i, t in enumerate(tags) if t == "BAD"}
        named_idx = {int(np.searchsorted(starts, a, side="right")) - 1 for a in omitted_spans}
        if len(named) >= config.partial_min_words:
            tp += len(named_idx & bad)
            fp += len(named_idx - bad)
        fn += len(bad - (named_idx if len(named) >= config.partial_min_words else set()))
    spans = _span_counts(pairs, src_tags)
    return {
        "sentences": len(pairs), "positive_rate": float(np.mean(label)),
        "auc_risk": roc_auc_score(label, risk), "spearman_hter_risk": float(spearmanr(risk, hter).statistic),
        "auc_signals": roc_auc_score(label, signals), "spearman_hter_signals": float(spearmanr(signals, hter).statistic),
        "auc_omission_score": roc_auc_score(label, [p.omission_score for p in pairs]),
        "spearman_hter_omission": float(spearmanr([p.omission_score for p in pairs], hter).statistic),
        "flagged_rate": float(np.mean(flagged_any)),
        "precision_flagged": float(np.mean([l for l, f in zip(label, flagged_any) if f])) if any(flagged_any) else None,
        "word_precision": tp / (tp + fp) if tp + fp else None, "word_recall": tp / (tp + fn) if tp + fn else None,
        "span_precision": spans[0] / (spans[0] + spans[1]) if spans[0] + spans[1] else None,
        "span_recall": spans[0] / (spans[0] + spans[2]) if spans[0] + spans[2] else None,
        "span_mcc": _mcc(*spans),
    }


def _span_counts(pairs: list[Pair], src_tags: list[list[str]]) -> tuple[int, int, int, int]:
    """TP, FP, FN, TN of the Russian tokens the flags point at (``src_spans`` of any flag: the
    words named as omitted or mistranslated) against MLQE's BAD source tags."""
    tp = fp = fn = tn = 0
    for pair, tags in zip(pairs, src_tags):
        starts = np.cumsum([0] + [len(t) + 1 for t in pair.src.split(" ")])[:-1]
        pointed = {int(np.searchsorted(starts, a, side="right")) - 1
                   for f in pair.flags for a, _ in f.src_spans}
        for i, tag in enumerate(tags):
            bad, hit = tag == "BAD", i in pointed
            tp, fp, fn, tn = tp + (bad and hit), fp + (hit and not bad), fn + (bad and not hit), tn + (not bad and not hit)
    return tp, fp, fn, tn


def _mcc(tp: int, fp: int, fn: int, tn: int) -> float:
    denominator = ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)) ** 0.5
    return (tp * tn - fp * fn) / denominator if denominator else 0.0


def _coverage(src, tgt) -> float:
    best, _ = best_matches(src, tgt)
    keep = [b for b, w in zip(best, src.tokens) if w.lower() not in STOPWORDS["ru"] and len(w) >= 3]
    return float(np.mean(keep)) if keep else 1.0


def _named_spans(words, named: list[str]) -> list[int]:
    """Start offsets of the named words (in order of appearance)."""
    left, out = list(named), []
    for (a, _end), token in zip(words.spans, words.tokens):
        if left and token == left[0]:
            out.append(a)
            left.pop(0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=300, help="WMT21 segments")
    parser.add_argument("--per-kind", type=int, default=40, help="perturbed pairs per perturbation")
    parser.add_argument("--mlqe-limit", type=int, default=1000)
    parser.add_argument("--no-tokens", action="store_true", help="switch off word alignment")
    parser.add_argument("--word-limit", type=int, default=300, help="WMT21 and NTREX segments as correct pairs "
                                                                    "of the word-level perturbations (0: skip)")
    parser.add_argument("--word-per-kind", type=int, default=40, help="word-level perturbations per kind")
    parser.add_argument("--skip-old", action="store_true", help="only the word-level perturbations")
    parser.add_argument("--speed", type=int, default=0, metavar="N",
                        help="time flag_links on the first N sentences of Anna Karenina, cold and cached")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    config = replace(FlagConfig(), token_alignment=not args.no_tokens)
    result: dict = {}
    if args.speed:
        result["speed"] = speed(args.speed, config)
        print(result["speed"])
        args.word_limit = args.limit = args.mlqe_limit = 0
    if args.word_limit:
        t = time.time()
        pairs = word_level_pairs(args.word_limit, args.word_per_kind, config)
        run_flags(pairs, config, baseline=[i for i, p in enumerate(pairs) if not p.perturbation])
        result["word_level"] = word_level_report(pairs) | {"seconds": round(time.time() - t, 1)}
        result["word_level_examples"] = [{"perturbation": p.perturbation, "src": p.src, "tgt": p.tgt,
                                          "flags": [(f.kind, f.severity, f.evidence) for f in p.flags]}
                                         for p in pairs]
    if args.skip_old:
        args.limit = args.mlqe_limit = 0
    wmt = DATA / "wmt21_ru-en" / "newstest2021.ru-en.tsv"
    if not wmt.exists():
        print(f"skipped WMT21: {wmt} not found")
    elif args.limit:
        t = time.time()
        pairs = wmt_pairs(wmt, args.limit, args.per_kind)
        run_flags(pairs, config, baseline=[i for i, p in enumerate(pairs) if not p.perturbation])
        result["wmt21"] = wmt_report(pairs, calibration_docs(wmt)) | {"seconds": round(time.time() - t, 1)}
        result["wmt21_examples"] = [{"perturbation": p.perturbation, "tgt": p.tgt,
                                     "flags": [(f.kind, f.severity, f.evidence) for f in p.flags]}
                                    for p in pairs if p.flags]
    folder = DATA / "mlqe-pe_ru-en" / "ru-en-dev"
    if not folder.exists():
        print(f"skipped MLQE-PE: {folder} not found")
    elif args.mlqe_limit:
        t = time.time()
        result["mlqe"] = mlqe(folder, args.mlqe_limit, config) | {"seconds": round(time.time() - t, 1)}
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def print_table(result: dict) -> None:
    if "word_level" in result:
        w = result["word_level"]
        print(f"word-level perturbations: {w['unperturbed']} correct pairs (WMT21 + NTREX), {w['seconds']} s")
        print(f"false-flag rate (major/critical): {w['false_flag_rate_major']:.3f}; by kind:",
              ", ".join(f"{k} {v:.3f}" for k, v in w["false_by_kind_major"].items()))
        print("| word-level perturbation | n | recall (any) | recall (major) |\n|---|---:|---:|---:|")
        for kind, r in w["recall"].items():
            print(f"| {kind} | {r['n']} | {r['any']:.2f} | {r['major']:.2f} |")
    if "wmt21" in result:
        w = result["wmt21"]
        print(f"WMT21 perturbations: {w['pairs']} pairs, {w['unperturbed']} unperturbed, {w['seconds']} s")
        print(f"false-flag rate (major/critical): {w['false_flag_rate_major']:.3f}   any severity: {w['false_flag_rate_any']:.3f}")
        print("  by kind (major):", ", ".join(f"{k} {v:.3f}" for k, v in w["false_by_kind_major"].items()))
        for half in ("calibration", "held_out"):
            rate, n = w[f"false_flag_rate_major_{half}"]
            print(f"  {half.replace('_', '-')} documents: {rate:.3f} of {n} pairs")
        nd = w["number_date_major"]
        print(f"number/date changes (major): recall {nd['recall']:.3f} of {nd['changed']}, "
              f"precision {nd['precision']:.3f} of {nd['flagged']} flagged pairs "
              f"({nd['precision_reference_errors_correct']:.3f} counting the {len(REFERENCE_DISCREPANCIES)} "
              "verified reference discrepancies as correct)")
        print(f"omission ROC AUC (deleted clause vs unperturbed): {w.get('omission_auc_delete_clause', float('nan')):.3f}")
        print("| perturbation | n | recall (any) | recall (major) |\n|---|---:|---:|---:|")
        for kind, r in w["recall"].items():
            print(f"| {kind} | {r['n']} | {r['any']:.2f} | {r['major']:.2f} |")
        print("| flag kind | precision (any), n | precision (major), n |\n|---|---:|---:|")
        for kind, p in w["precision"].items():
            cell = lambda v: f"{v[0]:.2f} ({v[1]})" if v else "–"
            print(f"| {kind} | {cell(p['any'])} | {cell(p['major'])} |")
    if "mlqe" in result:
        m = result["mlqe"]
        print(f"MLQE-PE dev: {m['sentences']} sentences, {m['positive_rate']:.2f} with BAD source/gap tags, {m['seconds']} s")
        print(f"  risk (max flag score): ROC AUC {m['auc_risk']:.3f}, Spearman with HTER {m['spearman_hter_risk']:.3f}")
        print(f"  cosine z + word coverage z: ROC AUC {m['auc_signals']:.3f}, Spearman with HTER {m['spearman_hter_signals']:.3f}")
        print(f"  omission score: ROC AUC {m['auc_omission_score']:.3f}, Spearman with HTER {m['spearman_hter_omission']:.3f}")
        print(f"  flagged {m['flagged_rate']:.2f} of sentences, of which {m['precision_flagged'] or 0:.2f} have BAD tags")
        print(f"  words named as omitted vs BAD source tags: P {m['word_precision'] or 0:.2f}, R {m['word_recall'] or 0:.2f}")
        print(f"  words the flags point at (src_spans) vs BAD source tags: P {m['span_precision'] or 0:.2f}, "
              f"R {m['span_recall'] or 0:.2f}, MCC {m['span_mcc']:.3f}")


if __name__ == "__main__":
    main()
