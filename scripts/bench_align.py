#!/usr/bin/env python
"""Alignment accuracy and cost on gold sets from ../shared/data, ours against peers.

Every method gets the same (cached) sentence embeddings. Ours runs through the Python
API (`align.aligner.align_vectors`), plus one Text+Berg row through the `align pair`
CLI. Peers (optional extra `peers`): `sentalign` and `lingtrain-aligner` (PyPI), and a
Bertalign-style two-pass aligner re-implemented here from the paper (labelled as such). A set whose
data is missing is skipped with a message. Prints a table; writes JSON (--json OUT).

Usage: .venv/bin/python scripts/bench_align.py [--sets textberg,parice,wmt21,chekhov,scale]
       [--methods ours,sentalign,bertalign-style,lingtrain,ablations,cli] [--model NAME] [--json OUT]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

from align.aligner import AlignConfig, Side, align_vectors
from align.cache import resolve_cache
from align.embed import ConcatEncoder, load_encoder
from align.scoring import LinkIds, read_links, score_alignment
from align.model import Document, Paragraph
from align.segment import split_document, split_spans
from align.settings import make_settings, parse_assignment

DATA = ROOT.parent / "shared" / "data"
SEED = 20261121


@dataclass
class Doc:
    src: list[str]
    tgt: list[str]
    src_par: list[int]
    tgt_par: list[int]
    gold: list[LinkIds] | None  # sentence-level gold; None: paragraph gold (i <-> i) only


@dataclass
class Case:
    name: str
    model: str
    docs: list[Doc]


# ---------------------------------------------------------------- data sets

def textberg() -> list[Case]:
    folder = DATA / "textberg_de-fr_dev"
    src, tgt = _lines(folder / "dev.de"), _lines(folder / "dev.fr")
    return [Case("Text+Berg de-fr dev", "use-m3",
                 [Doc(src, tgt, [0] * len(src), [0] * len(tgt), read_links(folder / "dev.defr"))])]


def parice() -> list[Case]:
    folder = DATA / "parice_en-is" / "parice"
    docs = []
    for gold in sorted((folder / "gold").glob("*.txt")):
        src = [line.split("\t", 1)[1] for line in _lines(folder / "eng" / gold.name)]
        tgt = [line.split("\t", 1)[1] for line in _lines(folder / "isl" / gold.name)]
        docs.append(Doc(src, tgt, [0] * len(src), [0] * len(tgt), read_links(gold)))
    # USE-m3 does not cover Icelandic.
    return [Case("ParIce en-is", "e5-small", docs)]


def wmt21() -> list[Case]:
    path = DATA / "wmt21_ru-en" / "newstest2021.ru-en.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    units = [[([r["src_ru"]], [r["ref_en_A"]], int(r["para"])) for r in doc] for doc in by_doc.values()]
    rng = np.random.default_rng(SEED)
    return [Case("WMT21 ru-en", "use-m3", [_doc_of_units(u) for u in units]),
            Case("WMT21 ru-en perturbed", "use-m3", [_doc_of_units(_perturb(u, rng)) for u in units])]


def chekhov() -> list[Case]:
    folder = DATA / "chekhov_ru-en_paragraphs"
    docs = []
    for ru in sorted(folder.glob("*_ru.txt")):
        sides = []
        for path, lang in ((ru, "ru"), (ru.with_name(ru.name.replace("_ru", "_en")), "en")):
            paragraphs = [re.sub(r"<[^>]+>", " ", line.replace("<delimiter>", " ")).strip()
                          for line in _lines(path)[1:]]  # line 1: author
            sentences, ids = [], []
            for k, text in enumerate(paragraphs):
                for start, end in split_spans(text, lang):
                    sentences.append(text[start:end])
                    ids.append(k)
            sides.append((sentences, ids))
        docs.append(Doc(sides[0][0], sides[1][0], sides[0][1], sides[1][1], None))
    return [Case("Chekhov ru-en paragraphs", "use-m3", docs)]


def anna_karenina() -> list[Case]:
    """Tolstoy/Garnett, vol. 1: one segment per line (dialogue lines start with "--"),
    sentence gold with 1-0/0-1 links; no paragraph structure is given."""
    folder = DATA / "anna_karenina_vol1_ru-en"
    src, tgt = _file_lines(folder / "ru.txt"), _file_lines(folder / "en.txt")
    return [Case("Anna Karenina vol.1 ru-en", "use-m3",
                 [Doc(src, tgt, [0] * len(src), [0] * len(tgt), read_links(folder / "gold.links"))])]


def literary() -> list[Case]:
    """The 12 books of literary_ru-en_paragraphs, one case each: paragraph i <-> i (line 1,
    the author, left out as in the Chekhov set), each side split into sentences as
    `align pair` splits a document; an English line with no text is a real omission."""
    folder = DATA / "literary_ru-en_paragraphs"
    cases = []
    for ru in sorted(folder.glob("*_ru.txt")):
        src, src_par = _split_paragraphs(_paragraph_lines(ru), "ru")
        tgt, tgt_par = _split_paragraphs(_paragraph_lines(ru.with_name(ru.name[:-len("_ru.txt")] + "_en.txt")), "en")
        cases.append(Case(f"literary: {ru.name[:-len('_ru.txt')]}", "use-m3", [Doc(src, tgt, src_par, tgt_par, None)]))
    return cases


def _paragraph_lines(path: Path) -> list[str]:
    """Paragraph lines after the author line, tags removed, soft breaks as spaces (may be empty)."""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line.replace("<delimiter>", " "))).strip()
            for line in _file_lines(path)[1:]]


def _split_paragraphs(paragraphs: list[str], lang: str) -> tuple[list[str], list[int]]:
    """Sentences and their paragraph ids, split with one model for the whole document
    (as `align.segment.split_document` does)."""
    document = Document(Path(f"bench.{lang}"), lang, "\n".join(paragraphs),
                        tuple(Paragraph(k, text, 0, len(text)) for k, text in enumerate(paragraphs) if text))
    sentences = split_document(document)
    return [s.text for s in sentences], [s.paragraph for s in sentences]


def _file_lines(path: Path) -> list[str]:
    """Every line of a file (blank ones too: gold ids count them), without the final newline."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line.rstrip("\r") for line in (lines[:-1] if lines and not lines[-1] else lines)]


def scale() -> list[Case]:
    """Synthetic 10,000-sentence pair for time and memory (random vectors, no text)."""
    return [Case("synthetic 10k (memory)", "none", [])]


def _lines(path: Path) -> list[str]:
    return [line.rstrip("\r") for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


Unit = tuple[list[str], list[str], int]  # source pieces, target pieces, paragraph


def _doc_of_units(units: list[Unit]) -> Doc:
    doc = Doc([], [], [], [], [])
    for src, tgt, par in units:
        ids = (tuple(range(len(doc.src), len(doc.src) + len(src))), tuple(range(len(doc.tgt), len(doc.tgt) + len(tgt))))
        doc.src += src
        doc.tgt += tgt
        doc.src_par += [par] * len(src)
        doc.tgt_par += [par] * len(tgt)
        if src or tgt:
            doc.gold.append(ids)
    return doc


def _perturb(units: list[Unit], rng: np.random.Generator, rate: float = 0.05) -> list[Unit]:
    """Seeded edits, each segment at most one: delete on one side (1-0/0-1), merge with
    the next segment of the same paragraph on one side (2-1/1-2), split a long segment
    at the comma nearest its middle on one side (1-2/2-1); sides chosen at random."""
    out: list[Unit] = []
    k = 0
    while k < len(units):
        src, tgt, par = units[k]
        side = int(rng.integers(2))
        draw = rng.random()
        if draw < rate:  # delete
            out.append(([], tgt, par) if side == 0 else (src, [], par))
        elif draw < 2 * rate and k + 1 < len(units) and units[k + 1][2] == par:  # merge
            nsrc, ntgt, _ = units[k + 1]
            pieces = [src + nsrc, tgt + ntgt]
            pieces[side] = [" ".join(pieces[side])]
            out.append((pieces[0], pieces[1], par))
            k += 1
        elif draw < 3 * rate and (split := _split_clause((src, tgt)[side][0])):
            out.append((split, tgt, par) if side == 0 else (src, split, par))
        else:
            out.append((src, tgt, par))
        k += 1
    return out


def _split_clause(text: str, min_chars: int = 60) -> list[str] | None:
    commas = [m.end() for m in re.finditer(r"[,;:] ", text)]
    if len(text) < min_chars or not commas:
        return None
    cut = min(commas, key=lambda c: abs(c - len(text) / 2))
    left, right = text[:cut].strip(), text[cut:].strip()
    return [left, right] if min(len(left), len(right)) >= 15 else None


# ---------------------------------------------------------------- methods

Method = Callable[[Doc, np.ndarray, np.ndarray, "TimedEncoder"], list[LinkIds]]


class TimedEncoder:
    """The cached encoder for peers and lookups; `raw` embeds uncached, for real cost."""

    def __init__(self, name: str):
        self.cached = load_encoder(name, resolve_cache(None, os.environ), progress=False)
        self.raw = (ConcatEncoder([part.encoder for part in self.cached.encoders])
                    if isinstance(self.cached, ConcatEncoder) else self.cached.encoder)
        self.model_id = self.cached.model_id

    def encode(self, texts) -> np.ndarray:
        return self.cached.encode(list(texts))


def ours(config: AlignConfig, cached_recheck: bool = False) -> Method:
    """Our aligner as `align build` / `align pair` run it: with the (uncached) encoder for
    the re-check, which runs unless ``config.recheck`` is off; ``cached_recheck`` embeds
    the re-checked texts through the cache instead (--quick: same links, no real cost)."""
    def run(doc: Doc, sv: np.ndarray, tv: np.ndarray, enc: TimedEncoder) -> list[LinkIds]:
        src = Side.of(sv, [len(s) for s in doc.src], doc.src_par)
        tgt = Side.of(tv, [len(s) for s in doc.tgt], doc.tgt_par)
        embed = enc.encode if cached_recheck else enc.raw.encode
        return [(l.src, l.tgt) for l in align_vectors(src, tgt, config, embed, (doc.src, doc.tgt))]
    return run


def sentalign_peer(doc: Doc, sv: np.ndarray, tv: np.ndarray, enc: TimedEncoder) -> list[LinkIds]:
    from sentalign import sentalign
    result = sentalign(doc.src, doc.tgt, enc, alignment_max_size=4)
    return [(tuple(a.src_indices), tuple(a.tgt_indices)) for a in result.alignments]


def bertalign_style(doc: Doc, sv: np.ndarray, tv: np.ndarray, enc: TimedEncoder,
                    max_align: int = 5, skip: float = -0.1, win: int = 5, top_k: int = 3) -> list[LinkIds]:
    """Bertalign's two passes, re-implemented from Liu & Zhu (2022), not its code.

    Pass 1: 1-1 links only (score = cosine if the target is among the source's top-k,
    else 0; skips free) in a diagonal band of max(win, 6 %). Pass 2: every m-n link
    with m + n <= max_align, m, n < max_align, within ±win of the pass-1 path; score =
    (cosine of embedded joined texts - mean cosine of the sentences' k nearest
    neighbours) * log2(1 + length ratio); skips cost `skip`."""
    n, m = len(doc.src), len(doc.tgt)
    sims = sv @ tv.T
    band = max(win, int(0.06 * max(n, m)))
    top = np.argsort(-sims, axis=1)[:, :top_k]
    first = np.full((n + 1, m + 1), -np.inf)
    first[0, :] = first[:, 0] = 0.0
    move = np.zeros((n + 1, m + 1), dtype=np.int8)
    for i in range(1, n + 1):
        centre = i * m / n
        for j in range(max(1, int(centre - band)), min(m, int(centre + band)) + 1):
            match = first[i - 1, j - 1] + (sims[i - 1, j - 1] if j - 1 in top[i - 1] else 0.0)
            best, arg = max((match, 0), (first[i - 1, j], 1), (first[i, j - 1], 2))
            first[i, j], move[i, j] = best, arg
    path, i, j = [], n, m
    while i > 0 and j > 0:
        path.append((i, j))
        i, j = (i - 1, j - 1) if move[i, j] == 0 else (i - 1, j) if move[i, j] == 1 else (i, j - 1)
    path_cols: dict[int, list[int]] = {}
    for pi, pj in path:
        path_cols.setdefault(pi, []).append(pj)
    lo = np.zeros(n + 1, dtype=int)
    hi = np.full(n + 1, m)
    for i in range(n + 1):
        near = [c for r in range(max(0, i - win), min(n, i + win) + 1) for c in path_cols.get(r, [])]
        if near:
            lo[i], hi[i] = max(0, min(near) - win), min(m, max(near) + win)
    lo[0], hi[n] = 0, m
    types = [(a, b) for a in range(max_align) for b in range(max_align) if 0 < a + b <= max_align
             and (a == 0 or b == 0) <= (a + b == 1)]
    src_runs = _joined_vectors(doc.src, max_align - 1, enc)
    tgt_runs = _joined_vectors(doc.tgt, max_align - 1, enc)
    src_nn = np.sort(sims, axis=1)[:, -4:].mean(axis=1)
    tgt_nn = np.sort(sims, axis=0)[-4:, :].mean(axis=0)
    src_len, tgt_len = np.cumsum([0] + [len(s) for s in doc.src]), np.cumsum([0] + [len(s) for s in doc.tgt])
    ratio = tgt_len[-1] / max(src_len[-1], 1)
    score: dict[tuple[int, int], tuple[float, tuple[int, int]]] = {(0, 0): (0.0, (0, 0))}
    for i in range(n + 1):
        for j in range(lo[i], hi[i] + 1):
            best = score.get((i, j), (-np.inf, (0, 0)))
            for a, b in types:
                prev = score.get((i - a, j - b))
                if prev is None or i - a < 0 or j - b < 0:
                    continue
                if a and b:
                    cos = float(src_runs[a][i - a] @ tgt_runs[b][j - b])
                    nn = 0.5 * (src_nn[i - a:i].mean() + tgt_nn[j - b:j].mean())
                    sl, tl = (src_len[i] - src_len[i - a]) * ratio, tgt_len[j] - tgt_len[j - b]
                    value = (cos - nn) * np.log2(1 + min(sl, tl) / max(sl, tl, 1e-9))
                else:
                    value = skip
                if prev[0] + value > best[0]:
                    best = (prev[0] + value, (a, b))
            if (i, j) != (0, 0) and np.isfinite(best[0]):
                score[(i, j)] = best
    links, i, j = [], n, m
    while i > 0 or j > 0:
        a, b = score[(i, j)][1]
        links.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    return links[::-1]


def lingtrain_peer(doc: Doc, sv: np.ndarray, tv: np.ndarray, enc: TimedEncoder) -> list[LinkIds]:
    """lingtrain-aligner 1.0.3 as its README runs it: `fill_db`, `align_db` (batches of
    200 lines, window 40), then conflict resolution with growing chain lengths. Its
    `model=` hook gets our vectors for single sentences (looked up by text, also after
    its punctuation clean-up) and the same cached encoder for the joined texts its
    resolver compares. It has no 1-0/0-1: unmatched lines are merged into neighbours."""
    from lingtrain_aligner import aligner as lt_aligner
    from lingtrain_aligner import helper, resolver

    lookup = {}
    for texts, vectors in ((doc.src, sv), (doc.tgt, tv)):
        for text, cleaned, vector in zip(texts, lt_aligner.clean_lines(texts), vectors):
            lookup[text.strip()] = lookup[cleaned.strip()] = vector

    class Vectors:
        def encode(self, lines, **_) -> np.ndarray:
            missing = [line for line in lines if line.strip() not in lookup]
            fresh = dict(zip(missing, enc.encode(missing))) if missing else {}
            return np.array([lookup.get(line.strip(), fresh.get(line)) for line in lines])

    model = Vectors()
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):  # it prints progress
        db = str(Path(tmp) / "pair.db")
        lt_aligner.fill_db(db, "from", "to", splitted_from=doc.src, splitted_to=doc.tgt)
        lt_aligner.align_db(db, "bench", batch_size=200, window=40, model=model)
        for chain, conflict in ((2, 6), (3, 6), (4, 8), (5, 10)):
            steps, _ = resolver.get_all_conflicts(db, min_chain_length=chain, max_conflicts_len=conflict, batch_id=-1,
                                                  handle_start=True, handle_finish=True)
            resolver.resolve_all_conflicts(db, steps, "bench", model=model)
        index = helper.get_clear_flatten_doc_index(db)
    links = [(tuple(i - 1 for i in json.loads(src)), tuple(j - 1 for j in json.loads(tgt))) for _, src, _, tgt in index]
    return sorted(links, key=lambda link: (link[0] or (-1,), link[1] or (-1,)))


def _joined_vectors(texts: list[str], k: int, enc: TimedEncoder) -> dict[int, np.ndarray]:
    """Embeddings of every run of 1..k consecutive sentences (Bertalign embeds them all)."""
    out = {}
    for size in range(1, k + 1):
        runs = [" ".join(texts[s:s + size]) for s in range(max(len(texts) - size + 1, 0))]
        out[size] = enc.encode(runs) if runs else np.zeros((0, 1), np.float32)
    return out


def methods(selected: set[str], quick: bool = False, default: AlignConfig = AlignConfig()) -> dict[str, Method]:
    table: dict[str, Method] = {"ours": ours(default, quick)}  # as `align build` / `align pair` run it
    if "ablations" in selected:
        table["ours − re-check"] = ours(replace(default, recheck=False))
        # Raw cosine units: the penalties of the scale-free default times a typical scale (~0.3).
        table["ours − scale-free"] = ours(replace(default, scale_free=False, skip_penalty=0.06, merge_penalty=0.08,
                                                  paragraph_penalty=0.08, continuation_bonus=0.08,
                                                  substitution_margin=0.05, anchor_bonus=0.3))
        table["ours − continuation cues"] = ours(replace(default, continuation_bonus=0.0))
        table["ours − bracket cues"] = ours(replace(default, bracket_cues=False))
        table["ours − length weights"] = ours(replace(default, length_power=0.0))
        table["ours − substitution floor"] = ours(replace(default, substitution_margin=-np.inf))
        table["ours − paragraph penalty"] = ours(replace(default, paragraph_penalty=0.0))
        table["ours − centring"] = ours(replace(default, centre_min_sentences=0))
        table["ours − close-pair re-check"] = ours(replace(default, recheck_close=-1.0))
        table["ours − split re-check"] = ours(replace(default, recheck_splits=False))
        table["ours − anchors"] = ours(replace(default, anchor_bonus=0.0))
        table["ours − short-piece rule"] = ours(replace(default, recheck_min_chars=0))
        table["ours − 5 per side (max 4)"] = ours(replace(default, max_per_side=4))
    if "sentalign" in selected:
        table["sentalign 0.3.0"] = sentalign_peer
    if "bertalign-style" in selected:
        table["Bertalign-style (re-impl.)"] = bertalign_style
    if "lingtrain" in selected:
        table["lingtrain-aligner 1.0.3"] = lingtrain_peer
    return table


# ---------------------------------------------------------------- scoring

def run_case(case: Case, name: str, method: Method, enc: TimedEncoder, vectors: list[tuple], embed_once: float,
             trace_memory: bool = True) -> dict:
    """Scores, untraced wall time, and peak memory from a second run under tracemalloc
    (which slows allocation-heavy numpy code 1.5-3x, so it must not be timed)."""
    links: list[LinkIds] = []
    gold: list[LinkIds] = []
    crossing = total = 0
    # paragraph gold: false 1-0 (of sentences in translated paragraphs), 0-1, 1-0 of omitted paragraphs
    null_counts = np.zeros(6, dtype=np.int64)
    par_pred: list[LinkIds] = []
    par_gold: list[LinkIds] = []
    seconds = 0.0
    peak = 0
    n_src = n_tgt = 0
    for doc, (sv, tv) in zip(case.docs, vectors):
        started = time.perf_counter()
        found = method(doc, sv, tv, enc)
        seconds += time.perf_counter() - started
        if trace_memory:
            tracemalloc.start()
            method(doc, sv, tv, enc)
            peak = max(peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        links += [_shift(link, n_src, n_tgt) for link in found]
        if doc.gold is not None:
            gold += [_shift(link, n_src, n_tgt) for link in doc.gold]
        else:
            full = [link for link in found if link[0] and link[1]]
            total += len(full)
            crossing += sum({doc.src_par[i] for i in s} != {doc.tgt_par[j] for j in t} for s, t in full)
            translated = set(doc.tgt_par)
            unlinked_src = {i for s, t in found if not t for i in s}
            unlinked_tgt = {j for s, t in found if not s for j in t}
            src_kept = [i for i in range(len(doc.src)) if doc.src_par[i] in translated]
            src_left = [i for i in range(len(doc.src)) if doc.src_par[i] not in translated]
            null_counts += np.array([sum(i in unlinked_src for i in src_kept), len(src_kept),
                                     len(unlinked_tgt), len(doc.tgt),
                                     sum(i in unlinked_src for i in src_left), len(src_left)])
            offset = len(par_gold)
            par_pred += [_shift(link, offset, offset) for link in _paragraph_links(found, doc)]
            par_gold += [((offset + k,), (offset + k,)) for k in range(max(doc.src_par) + 1)]
        n_src, n_tgt = n_src + len(doc.src), n_tgt + len(doc.tgt)
    row = {"set": case.name, "model": case.model, "method": name, "sentences": n_src + n_tgt,
           "align_s": seconds, "embed_once_s": embed_once, "peak_mb": peak / 2**20 if trace_memory else None,
           "total_per_1k_s": (seconds + embed_once) / (n_src + n_tgt) * 1000,
           "ratio_to_embed_once": (seconds + embed_once) / embed_once if embed_once else None}
    if gold:
        s = score_alignment(links, gold)
        row.update(strict_p=s.strict.precision, strict_r=s.strict.recall, strict_f1=s.strict.f1,
                   lax_p=s.lax.precision, lax_r=s.lax.recall, lax_f1=s.lax.f1,
                   **({"null_p": s.null.precision, "null_r": s.null.recall}
                      if any(not (g[0] and g[1]) for g in gold) else {}))
    if total:
        row.update(crossing=crossing / total, para_f1=score_alignment(par_pred, par_gold).strict.f1,
                   false_10=null_counts[0] / max(null_counts[1], 1), false_01=null_counts[2] / max(null_counts[3], 1))
        if null_counts[5]:
            row.update(omission_r=null_counts[4] / null_counts[5])
    return row


def _shift(link: LinkIds, di: int, dj: int) -> LinkIds:
    return tuple(i + di for i in link[0]), tuple(j + dj for j in link[1])


def _paragraph_links(links: list[LinkIds], doc: Doc) -> list[LinkIds]:
    """Paragraph alignment induced by sentence links: connected groups of paragraphs."""
    groups: list[tuple[set[int], set[int]]] = []
    for s, t in links:
        sp, tp = {doc.src_par[i] for i in s}, {doc.tgt_par[j] for j in t}
        if groups and (groups[-1][0] & sp or groups[-1][1] & tp):
            groups[-1][0].update(sp)
            groups[-1][1].update(tp)
        else:
            groups.append((sp, tp))
    return [(tuple(sorted(s)), tuple(sorted(t))) for s, t in groups]


def embed_once_seconds(case: Case, enc: TimedEncoder) -> float:
    """Wall time to embed every sentence once, uncached (the unit of the cost ratio)."""
    texts = [t for doc in case.docs for t in doc.src + doc.tgt]
    enc.raw.encode(texts[:8])  # load the model outside the timing
    started = time.perf_counter()
    enc.raw.encode(texts)
    return time.perf_counter() - started


def synthetic_row(n: int = 10_000, dim: int = 512) -> dict:
    rng = np.random.default_rng(SEED)
    src = rng.normal(size=(n, dim)).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    keep = [i for i in range(n) if i % 97]
    tgt = src[keep] + 0.3 * rng.normal(size=(len(keep), dim)).astype(np.float32) / np.sqrt(dim)
    tgt /= np.linalg.norm(tgt, axis=1, keepdims=True)
    started = time.perf_counter()
    links = align_vectors(Side.of(src), Side.of(tgt))
    seconds = time.perf_counter() - started
    tracemalloc.start()
    align_vectors(Side.of(src), Side.of(tgt))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    correct = sum((l.src, l.tgt) in {((i,), (k,)) for k, i in enumerate(keep)} or (l.src and not l.tgt) for l in links)
    return {"set": f"synthetic {n:,}/{len(keep):,} vectors", "model": "random", "method": "ours", "align_s": seconds,
            "peak_mb": peak / 2**20, "sentences": n + len(keep), "correct_links": correct / len(links)}


def cli_row(model: str = "use-m3") -> dict:
    folder = DATA / "textberg_de-fr_dev"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.links"
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venv" / "bin" / "align"), "pair", str(folder / "dev.de"), str(folder / "dev.fr"),
                        "--src-lang", "de", "--tgt-lang", "fr", "--presegmented", "--format", "links",
                        "--model", model, "-o", str(out)], check=True)
        seconds = time.perf_counter() - started
        s = score_alignment(read_links(out), read_links(folder / "dev.defr"))
    return {"set": "Text+Berg de-fr dev", "model": model, "method": "ours via `align pair` CLI (cached)",
            "strict_p": s.strict.precision, "strict_r": s.strict.recall, "strict_f1": s.strict.f1,
            "lax_p": s.lax.precision, "lax_r": s.lax.recall, "lax_f1": s.lax.f1,
            "null_p": s.null.precision, "null_r": s.null.recall, "align_s": seconds}


SETS = {"textberg": textberg, "parice": parice, "wmt21": wmt21, "chekhov": chekhov, "anna": anna_karenina,
        "literary": literary}
REQUIRED = {"textberg": "textberg_de-fr_dev", "parice": "parice_en-is", "wmt21": "wmt21_ru-en",
            "chekhov": "chekhov_ru-en_paragraphs", "anna": "anna_karenina_vol1_ru-en",
            "literary": "literary_ru-en_paragraphs"}


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace("0.", ".", 1) if abs(value) < 1 and digits == 3 else f"{value:.{digits}f}"


def print_table(rows: list[dict]) -> None:
    cols = [("set", None), ("model", None), ("method", None), ("strict_p", 3), ("strict_r", 3), ("strict_f1", 3),
            ("lax_p", 3), ("lax_r", 3), ("lax_f1", 3), ("null_p", 3), ("null_r", 3), ("false_10", 3),
            ("false_01", 3), ("omission_r", 3), ("crossing", 3),
            ("para_f1", 3), ("align_s", 2), ("peak_mb", 1), ("total_per_1k_s", 2), ("ratio_to_embed_once", 2)]
    print("| " + " | ".join(c for c, _ in cols) + " |")
    print("|" + "|".join("---" if d is None else "---:" for _, d in cols) + "|")
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "–")) if d is None else _fmt(r.get(c), d) for c, d in cols) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="textberg,parice,wmt21,chekhov,scale")
    parser.add_argument("--methods", default="ours,sentalign,bertalign-style,lingtrain,ablations,cli")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--quick", action="store_true", help="scores only: re-check through the embedding "
                        "cache, no uncached embed-once timing, no memory tracing (for iterating on the aligner)")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="an AlignConfig field for every 'ours' method (repeatable)")
    parser.add_argument("--model", help="encoder for every set instead of each set's default "
                        "(use-m3, e5-small, use-m3+e5-small or a sentence-transformers model)")
    args = parser.parse_args()
    selected = set(args.methods.split(","))
    config = make_settings(sets=dict(parse_assignment(f"align.{item}") for item in args.set)).align
    rows = []
    for key in args.sets.split(","):
        if key == "scale":
            rows.append(synthetic_row())
            continue
        if not (DATA / REQUIRED[key]).exists():
            print(f"skipping {key}: {DATA / REQUIRED[key]} is missing", file=sys.stderr)
            continue
        for case in SETS[key]():
            if args.model:
                case = replace(case, model=args.model)
            enc = TimedEncoder(case.model)
            vectors = [(enc.encode(d.src), enc.encode(d.tgt)) for d in case.docs]
            embed_once = 0.0 if args.quick else embed_once_seconds(case, enc)
            for name, method in methods(selected, args.quick, config).items():
                try:
                    rows.append(run_case(case, name, method, enc, vectors, embed_once,
                                         name.startswith("ours") and not args.quick))
                except Exception as error:  # noqa: BLE001 (a peer that cannot run is reported, not fatal)
                    rows.append({"set": case.name, "model": case.model, "method": f"{name}: FAILED {error!r}"[:120]})
                print(rows[-1], file=sys.stderr)
        if key == "textberg" and "cli" in selected:
            rows.append(cli_row())
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
