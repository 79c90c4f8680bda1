"""The close-call analysis script: its error regions and word-pair counts (synthetic input)."""

import importlib.util
import sys
from pathlib import Path

import numpy as np

from align.tokens import Words

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _script():
    sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location("analyse_close_calls", SCRIPTS / "analyse_close_calls.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_error_regions_group_disagreeing_links_and_name_their_kind():
    script = _script()
    gold = [((0,), (0,)), ((1,), (1, 2)), ((2,), (3,)), ((3,), (4,)), ((4, 5), (5, 6)), ((6,), (7,))]
    pred = [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2, 3), (3, 4)), ((4,), (5,)), ((5,), (6,)), ((6,), (7,))]
    regions = script.error_regions(pred, gold)
    assert [r["kind"] for r in regions] == ["null where the gold merges", "merge", "split"]
    assert regions[0]["gold"] == [((1,), (1, 2))] and regions[0]["pred"] == [((), (2,)), ((1,), (1,))]


def test_a_boundary_shift_keeps_the_number_of_links():
    script = _script()
    gold = [((0,), (0, 1)), ((1,), (2,))]
    pred = [((0,), (0,)), ((1,), (1, 2))]
    assert [r["kind"] for r in script.error_regions(pred, gold)] == ["boundary shift"]


def test_matched_pairs_counts_mutual_best_content_words_above_the_cosine():
    script = _script()
    basis = np.eye(4, dtype=np.float32)
    src = Words("Haus Berg an", ((0, 4), (5, 9), (10, 12)), basis[[0, 1, 2]])
    near = (basis[1] + 0.2 * basis[3]) / np.linalg.norm(basis[1] + 0.2 * basis[3])
    tgt = Words("maison montagne au", ((0, 6), (7, 15), (16, 18)), np.stack([basis[0], near, basis[2]]))
    assert script.matched_pairs(src, tgt, 0.9) == 2  # "an"/"au" are too short to count
    assert script.matched_pairs(src, tgt, 0.99) == 1  # the near match falls under the cosine
