"""Alignment scoring in the Bleualign/Vecalign convention, and the links file format."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

LinkIds = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, correct_predicted: int, n_predicted: int, correct_gold: int, n_gold: int) -> PRF:
        p = correct_predicted / n_predicted if n_predicted else 0.0
        r = correct_gold / n_gold if n_gold else 0.0
        return cls(p, r, 2 * p * r / (p + r) if p + r else 0.0)


@dataclass(frozen=True)
class AlignmentScores:
    strict: PRF
    lax: PRF
    null: PRF  # 1-0 and 0-1 links, exact match


def format_link(src: tuple[int, ...], tgt: tuple[int, ...]) -> str:
    """``[1, 2]:[3]`` — the Vecalign/Bertalign links format."""
    return f"[{', '.join(map(str, src))}]:[{', '.join(map(str, tgt))}]"


def parse_link(line: str) -> LinkIds:
    left, right = line.strip().split(":")[:2]
    return tuple(ast.literal_eval(left)), tuple(ast.literal_eval(right))


def read_links(path: Path) -> list[LinkIds]:
    return [parse_link(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def score_alignment(predicted: list[LinkIds], gold: list[LinkIds]) -> AlignmentScores:
    """Strict and lax P/R/F1 over links with both sides non-empty; null links apart."""
    pred_full = [link for link in predicted if link[0] and link[1]]
    gold_full = [link for link in gold if link[0] and link[1]]
    gold_set, pred_set = set(gold_full), set(pred_full)
    strict = PRF.of(sum(link in gold_set for link in pred_full), len(pred_full),
                    sum(link in pred_set for link in gold_full), len(gold_full))
    lax = PRF.of(sum(_overlaps(link, gold_full) for link in pred_full), len(pred_full),
                 sum(_overlaps(link, pred_full) for link in gold_full), len(gold_full))
    pred_null = {link for link in predicted if not (link[0] and link[1])}
    gold_null = {link for link in gold if not (link[0] and link[1])}
    hits = len(pred_null & gold_null)
    null = PRF.of(hits, len(pred_null), hits, len(gold_null))
    return AlignmentScores(strict, lax, null)


def _overlaps(link: LinkIds, others: list[LinkIds]) -> bool:
    src, tgt = set(link[0]), set(link[1])
    return any(src & set(o[0]) and tgt & set(o[1]) for o in others)
