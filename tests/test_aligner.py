"""Aligner behaviour on controlled vectors: known gold, every sentence linked once."""

from dataclasses import replace

import numpy as np
import pytest

from align.aligner import AlignConfig, Side, align_vectors, anchor_pairs, continuations, link_types


def _unit(rng, n, dim=64):
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _noisy(v, rng, noise=0.35):
    w = v + noise * rng.normal(size=v.shape).astype(np.float32) / np.sqrt(v.shape[1])
    return w / np.linalg.norm(w, axis=1, keepdims=True)


def _check_partition(links, n, m):
    src = [i for link in links for i in link.src]
    tgt = [j for link in links for j in link.tgt]
    assert src == list(range(n))
    assert tgt == list(range(m))


def test_identical_order_gives_one_to_one():
    rng = np.random.default_rng(0)
    src = _unit(rng, 50)
    links = align_vectors(Side.of(src), Side.of(_noisy(src, rng)))
    assert [(l.src, l.tgt) for l in links] == [((i,), (i,)) for i in range(50)]
    assert all(l.score > 0.8 for l in links)


def test_deleted_sentence_becomes_one_to_zero():
    rng = np.random.default_rng(1)
    src = _unit(rng, 40)
    keep = [i for i in range(40) if i != 17]
    links = align_vectors(Side.of(src), Side.of(_noisy(src[keep], rng)))
    _check_partition(links, 40, 39)
    assert ((17,), ()) in [(l.src, l.tgt) for l in links]


def test_added_target_sentence_becomes_zero_to_one():
    rng = np.random.default_rng(2)
    src = _unit(rng, 30)
    extra = _unit(rng, 1)
    tgt = np.vstack([_noisy(src[:10], rng), extra, _noisy(src[10:], rng)])
    links = align_vectors(Side.of(src), Side.of(tgt))
    _check_partition(links, 30, 31)
    assert ((), (10,)) in [(l.src, l.tgt) for l in links]


def test_merged_target_gives_two_to_one():
    rng = np.random.default_rng(3)
    src = _unit(rng, 30)
    lengths = np.full(30, 100.0)
    merged = src[12] + src[13]
    tgt_vectors = np.vstack([src[:12], merged[None] / np.linalg.norm(merged), src[14:]])
    tgt_lengths = np.concatenate([lengths[:12], [200.0], lengths[14:]])
    links = align_vectors(Side.of(src, lengths), Side.of(_noisy(tgt_vectors, rng, 0.1), tgt_lengths))
    _check_partition(links, 30, 29)
    assert ((12, 13), (12,)) in [(l.src, l.tgt) for l in links]


def test_long_documents_use_the_band_and_stay_correct():
    rng = np.random.default_rng(4)
    n = 2500
    src = _unit(rng, n)
    drop = set(range(100, n, 250))
    keep = [i for i in range(n) if i not in drop]
    links = align_vectors(Side.of(src), Side.of(_noisy(src[keep], rng)), AlignConfig(coarse_size=300))
    _check_partition(links, n, len(keep))
    pairs = {(l.src, l.tgt) for l in links}
    assert all(((i,), ()) in pairs for i in drop)
    correct = sum(((i,), (keep.index(i),)) in pairs for i in keep[:300])
    assert correct == 300


def test_empty_side_links_everything_to_nothing():
    rng = np.random.default_rng(5)
    links = align_vectors(Side.of(_unit(rng, 3)), Side.of(np.zeros((0, 64), np.float32)))
    assert [(l.src, l.tgt) for l in links] == [((0,), ()), ((1,), ()), ((2,), ())]


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_link_types_respect_the_maximum(k):
    types = link_types(k)
    assert (1, 0) in types and (0, 1) in types and (1, 1) in types
    assert all(max(a, b) <= k for a, b in types)
    assert ((1, k) in types) and ((k, 1) in types)


def test_sides_shorter_than_the_largest_merge():
    rng = np.random.default_rng(6)
    src = _unit(rng, 1)
    links = align_vectors(Side.of(src), Side.of(np.vstack([src, _unit(rng, 1)])))
    _check_partition(links, 1, 2)
    assert ((0,), (0,)) in [(l.src, l.tgt) for l in links]


def _compressed(v, floor=0.78):
    """Vectors whose mutual cosines are squeezed towards ``floor`` (like e5's)."""
    shared = np.ones((1, v.shape[1]), np.float32) / np.sqrt(v.shape[1])
    w = np.sqrt(1 - floor) * v + np.sqrt(floor) * shared
    return w / np.linalg.norm(w, axis=1, keepdims=True)


def test_compressed_cosines_still_find_the_omission():
    rng = np.random.default_rng(7)
    src = _unit(rng, 40)
    keep = [i for i in range(40) if i != 21]
    tgt = _noisy(src[keep], rng)
    links = align_vectors(Side.of(_compressed(src)), Side.of(_compressed(tgt)))
    _check_partition(links, 40, 39)
    assert ((21,), ()) in [(l.src, l.tgt) for l in links]


def test_recheck_joins_an_unlinked_clause_to_its_neighbour():
    rng = np.random.default_rng(8)
    src = _unit(rng, 30)
    clause = _unit(rng, 1)[0] - 0.5 * src[12]  # on its own, target 13 matches nothing
    tgt = np.vstack([_noisy(src[:13], rng), clause / np.linalg.norm(clause), _noisy(src[13:], rng)])
    # No cues; target labels share no number with source labels (which would be anchors).
    texts = ([f"Source line {i:03d}." for i in range(30)], [f"Target line {j + 500}." for j in range(31)])
    asked: list[str] = []

    def embed(batch):
        asked.extend(batch)
        # Joined with target 12, the clause reads as the translation of source 12.
        joined = "Target line 512. Target line 513."
        return np.array([src[12] if text == joined else _unit(rng, 1)[0] for text in batch])

    tgt_lengths = np.full(31, 100.0)
    tgt_lengths[12:14] = 70.0, 30.0
    sides = Side.of(src, np.full(30, 100.0)), Side.of(tgt, tgt_lengths)
    assert ((), (13,)) in [(l.src, l.tgt) for l in align_vectors(*sides)]
    links = align_vectors(*sides, embed=embed, texts=texts)
    _check_partition(links, 30, 31)
    assert ((12,), (12, 13)) in [(l.src, l.tgt) for l in links]
    # Only the unlinked sentence's two joins.
    assert sorted(asked) == ["Target line 512. Target line 513.", "Target line 513. Target line 514."]


def test_recheck_keeps_a_true_omission():
    rng = np.random.default_rng(13)
    src = _unit(rng, 40)
    keep = [i for i in range(40) if i != 17]
    tgt = _noisy(src[keep], rng)
    vectors = ({f"Source-line-{i:03d}": v for i, v in enumerate(src)}
               | {f"Target-line-{j + 500}": v for j, v in enumerate(tgt)})
    asked: list[str] = []

    def embed(batch):  # a joined text embeds like the sum of its sentences
        asked.extend(batch)
        sums = np.array([sum(vectors[part] for part in text.split()) for text in batch])
        return sums / np.linalg.norm(sums, axis=1, keepdims=True)

    texts = ([f"Source-line-{i:03d}" for i in range(40)], [f"Target-line-{j + 500}" for j in range(39)])
    links = align_vectors(Side.of(src), Side.of(tgt), embed=embed, texts=texts)
    _check_partition(links, 40, 39)
    assert ((17,), ()) in [(l.src, l.tgt) for l in links]
    assert "Source-line-016 Source-line-017" in asked  # the omission was re-checked, and stayed


def test_recheck_leaves_a_short_unlinked_piece_to_the_composed_value():
    rng = np.random.default_rng(8)
    src = _unit(rng, 30)
    junk = _unit(rng, 1)[0]
    tgt = np.vstack([_noisy(src[:13], rng), junk, _noisy(src[13:], rng)])
    texts = ([f"Source {i:03d}." for i in range(30)],
             [f"Target {j:03d}." for j in range(13)] + ["24 a !"] + [f"Target {j:03d}." for j in range(14, 31)])
    asked: list[str] = []

    def embed(batch):  # a joined text's embedding ignores the short piece: it matches its neighbour's source
        asked.extend(batch)
        return np.array([src[12] if text.startswith("Target 012.") else src[13] if text.endswith("Target 014.")
                         else _unit(rng, 1)[0] for text in batch])

    sides = Side.of(src, np.full(30, 100.0)), Side.of(tgt, np.array([100.0] * 13 + [6.0] + [100.0] * 17))
    links = align_vectors(*sides, embed=embed, texts=texts)
    _check_partition(links, 30, 31)
    assert ((), (13,)) in [(l.src, l.tgt) for l in links]
    assert not any("24 a !" in text for text in asked)
    links = align_vectors(*sides, AlignConfig(recheck_min_chars=0), embed=embed, texts=texts)
    assert ((), (13,)) not in [(l.src, l.tgt) for l in links]  # re-checked, the piece would be absorbed


def test_recheck_turns_two_weak_one_to_one_links_into_a_two_to_two():
    rng = np.random.default_rng(0)
    base = _unit(rng, 30)
    a, b, c = _unit(rng, 3)
    texts = ([f"Source {i:03d}." for i in range(30)], [f"Target {j:03d}." for j in range(30)])
    content = dict(zip(texts[0], base)) | dict(zip(texts[1], _noisy(base, rng)))
    # Source 12 says A and B, source 13 says C; target 12 says A, target 13 says B and C.
    content |= {"Source 012.": a + b, "Source 013.": c, "Target 012.": a, "Target 013.": b + c}
    pieces = {"Source 012.", "Source 013.", "Target 012.", "Target 013."}

    def single(text):  # a fragment embeds poorly on its own
        v = content[text] / np.linalg.norm(content[text])
        return _noisy(v[None], rng, 1.0)[0] if text in pieces else v

    asked: list[str] = []

    def embed(batch):  # a joined text embeds like the sum of what its sentences say
        asked.extend(batch)
        sums = np.array([sum(content[part if part.endswith(".") else part + "."] for part in text.split(". "))
                         for text in batch])
        return sums / np.linalg.norm(sums, axis=1, keepdims=True)

    lengths = np.full(30, 100.0)
    src_lengths, tgt_lengths = lengths.copy(), lengths.copy()
    src_lengths[12:14], tgt_lengths[12:14] = (140.0, 60.0), (60.0, 140.0)
    sides = (Side.of(np.array([single(t) for t in texts[0]]), src_lengths),
             Side.of(np.array([single(t) for t in texts[1]]), tgt_lengths))
    apart = align_vectors(*sides, AlignConfig(recheck_close=-1.0), embed=embed, texts=texts)
    assert ((12,), (12,)) in [(l.src, l.tgt) for l in apart] and not asked
    links = align_vectors(*sides, embed=embed, texts=texts)
    _check_partition(links, 30, 30)
    assert ((12, 13), (12, 13)) in [(l.src, l.tgt) for l in links]
    assert sorted(asked) == ["Source 012. Source 013.", "Target 012. Target 013."]


def test_centring_removes_a_component_shared_by_every_sentence():
    rng = np.random.default_rng(9)
    src = _unit(rng, 30)
    keep = [i for i in range(30) if i not in (8, 19)]
    tgt = _noisy(src[keep], rng, 0.6)
    offset_src, offset_tgt = _unit(rng, 1) * 3, _unit(rng, 1) * 3  # a different shared part per side
    plain = align_vectors(Side.of(src), Side.of(tgt))
    shifted = align_vectors(Side.of(src + offset_src), Side.of(tgt + offset_tgt))
    assert [(l.src, l.tgt) for l in shifted] == [(l.src, l.tgt) for l in plain]
    assert ((8,), ()) in [(l.src, l.tgt) for l in shifted]


def test_continuations_count_an_open_end_and_a_lower_case_start():
    texts = ["Il n' y a pas d' arête nord ;", "mais une paroi .", "Tenter une voie :", "Peine perdue .", "Fin"]
    assert continuations(texts).tolist() == [2.0, 0.0, 1.0, 0.0, 0.0]


def test_a_bracket_closed_by_a_later_sentence_counts_as_two_cues_per_boundary():
    texts = ["Bericht ( « Alpine Journal » No .", "293 , Nov .", "1956 ) .", "Ende ( offen .", "Fin ."]
    assert continuations(texts).tolist() == [2.0, 2.0, 0.0, 0.0, 0.0]  # the last bracket never closes
    assert continuations(texts, brackets=False).tolist() == [0.0] * 5


def _split_clause_case(rng):
    """Target sentence 12 is split in two; its short second clause matches nothing on its own."""
    src = _unit(rng, 30)
    clause = _unit(rng, 1)
    tgt = np.vstack([_noisy(src[:13], rng), clause, _noisy(src[13:], rng)])
    tgt_lengths = np.full(31, 100.0)
    tgt_lengths[12:14] = 70.0, 30.0
    src_texts = [f"Satz {i} ." for i in range(30)]
    tgt_texts = [f"Phrase {j} ." for j in range(31)]
    tgt_texts[12], tgt_texts[13] = "Phrase 12 ;", "mais c' est en vain ."
    return Side.of(src, np.full(30, 100.0)), Side.of(tgt, tgt_lengths), (src_texts, tgt_texts)


def test_a_clause_split_off_by_a_semicolon_stays_in_its_link():
    src, tgt, texts = _split_clause_case(np.random.default_rng(10))
    without_cues = [(l.src, l.tgt) for l in align_vectors(src, tgt)]
    assert ((), (13,)) in without_cues
    links = align_vectors(src, tgt, texts=texts)
    _check_partition(links, 30, 31)
    assert ((12,), (12, 13)) in [(l.src, l.tgt) for l in links]


def test_a_sentence_replaced_by_an_unrelated_one_is_one_link_not_two_gaps():
    rng = np.random.default_rng(11)
    src = _unit(rng, 30)
    tgt = _noisy(src, rng)
    tgt[14] = -tgt[14]  # as far from source 14 as can be
    pairs = [(l.src, l.tgt) for l in align_vectors(Side.of(src), Side.of(tgt))]
    assert ((14,), (14,)) in pairs
    gaps = [(l.src, l.tgt) for l in align_vectors(Side.of(src), Side.of(tgt), AlignConfig(substitution_margin=-9.0))]
    assert {((14,), ()), ((), (14,))} <= set(gaps)


def test_merges_are_composed_leaning_towards_the_longer_sentence():
    rng = np.random.default_rng(12)
    src = _unit(rng, 30)
    lengths = np.full(30, 100.0)
    lengths[13] = 15.0
    # The joined text of a long and a short sentence embeds close to the long one.
    joined = src[12] + 0.15 * src[13]
    tgt = np.vstack([src[:12], joined[None] / np.linalg.norm(joined), src[14:]])
    tgt_lengths = np.concatenate([lengths[:12], [115.0], lengths[14:]])
    sides = Side.of(src, lengths), Side.of(_noisy(tgt, rng, 0.1), tgt_lengths)
    assert ((12, 13), (12,)) in [(l.src, l.tgt) for l in align_vectors(*sides)]
    plain = [(l.src, l.tgt) for l in align_vectors(*sides, AlignConfig(length_power=0.0))]
    assert ((12, 13), (12,)) not in plain


def test_anchor_pairs_are_numbers_and_names_unique_nearby():
    src = ["Evans leitete 1955 .", "Band folgte .", "Am 3. Mai .", "Evans kam zurück .", "Ende ."]
    tgt = ["Evans dirigea en 1955 .", "puis Band .", "Le 3 mai .", "Fin .", "Fin ."]
    assert anchor_pairs(src, tgt, window=3) == [(0, 0), (1, 1)]  # "Evans" repeats within 3; "3" is one digit
    assert sorted(anchor_pairs(src, tgt, window=2)) == [(0, 0), (0, 0), (1, 1), (3, 0)]


def test_a_shared_name_pins_a_clause_to_its_link():
    rng = np.random.default_rng(14)
    src = _unit(rng, 30)
    clause = _unit(rng, 1)  # matches nothing on its own
    tgt = np.vstack([_noisy(src[:13], rng), clause, _noisy(src[13:], rng)])
    tgt_lengths = np.full(31, 100.0)
    tgt_lengths[12:14] = 70.0, 30.0
    texts = ([f"Satz {chr(97 + i % 26)} ." for i in range(30)], [f"Phrase {chr(97 + j % 26)} ." for j in range(31)])
    texts[0][12] = "Evans und Band erreichten den Gipfel ."
    texts[1][12], texts[1][13] = "Ils atteignirent le sommet .", "Evans et Band redescendirent ."
    sides = Side.of(src, np.full(30, 100.0)), Side.of(tgt, tgt_lengths)
    assert ((), (13,)) in [(l.src, l.tgt) for l in align_vectors(*sides, AlignConfig(anchor_bonus=0.0), texts=texts)]
    links = align_vectors(*sides, texts=texts)
    _check_partition(links, 30, 31)
    assert ((12,), (12, 13)) in [(l.src, l.tgt) for l in links]


def test_recheck_splits_a_merge_that_composed_vectors_overrate():
    rng = np.random.default_rng(0)
    base = _unit(rng, 30)
    src, tgt = base.copy(), _noisy(base, rng)
    mixed = base[12] + base[13] + 1.5 * _unit(rng, 2)  # each target says a bit of both sources
    tgt[12:14] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
    texts = ([f"Quelle {chr(97 + i % 26)}." for i in range(30)], [f"Ziel {chr(97 + j % 26)}." for j in range(30)])
    joined_rng = np.random.default_rng(99)
    asked: list[str] = []

    def embed(batch):  # the real joined texts are unrelated: the composed sums overrated the 2-2
        asked.extend(batch)
        return _unit(joined_rng, len(batch))

    sides = Side.of(src, np.full(30, 100.0)), Side.of(tgt, np.full(30, 100.0))
    kept = align_vectors(*sides, AlignConfig(recheck_splits=False), embed=embed, texts=texts)
    assert ((12, 13), (12, 13)) in [(l.src, l.tgt) for l in kept] and not asked
    links = align_vectors(*sides, embed=embed, texts=texts)
    _check_partition(links, 30, 30)
    assert {((12,), (12,)), ((13,), (13,))} <= {(l.src, l.tgt) for l in links}
    assert sorted(asked) == ["Quelle m. Quelle n.", "Ziel m. Ziel n."]


# Structure rules at full weight whatever the vectors' margins (as for a free translation).
FREE = AlignConfig(free_margin=0.0, close_margin=0.0)


def _paragraphs(sizes):
    return np.repeat(np.arange(len(sizes)), sizes)


def test_weak_sentence_inside_a_translated_paragraph_is_merged_not_dropped():
    """A source sentence only loosely like its neighbour's target, inside a paragraph whose
    other sentences are linked, joins that link when both sides have paragraphs; without
    paragraph ids (one sentence per line) it stays a 1-0 link."""
    rng = np.random.default_rng(11)
    tgt = _unit(rng, 30)
    weak = 0.5 * tgt[14] + _unit(rng, 1)[0]  # a loose rendering folded into target 14
    src = np.vstack([_noisy(tgt[:15], rng), weak[None] / np.linalg.norm(weak), _noisy(tgt[15:], rng)])
    src_par = np.concatenate([_paragraphs([3] * 5), [4], _paragraphs([3] * 5) + 5])
    src_par[15] = 4  # sentence 15 shares paragraph 4 with sentences 12-14
    tgt_par = _paragraphs([3] * 10)
    with_paragraphs = align_vectors(Side.of(src, paragraphs=src_par), Side.of(tgt, paragraphs=tgt_par), FREE)
    _check_partition(with_paragraphs, 31, 30)
    assert not any(l.src and not l.tgt for l in with_paragraphs)
    plain = align_vectors(Side.of(src), Side.of(tgt), FREE)
    assert ((15,), ()) in [(l.src, l.tgt) for l in plain]
    # These vectors match closely (median best margin above `close_margin`): by default the
    # missing match is evidence enough, and the sentence stays a 1-0 link.
    default = align_vectors(Side.of(src, paragraphs=src_par), Side.of(tgt, paragraphs=tgt_par))
    assert ((15,), ()) in [(l.src, l.tgt) for l in default]


def test_whole_paragraph_left_out_stays_unlinked():
    """A source paragraph of three sentences the translation leaves out: three 1-0 links,
    the extra cost for a sentence left out inside a paragraph notwithstanding."""
    rng = np.random.default_rng(12)
    tgt = _unit(rng, 24)
    src = np.vstack([_noisy(tgt[:12], rng), _unit(rng, 3), _noisy(tgt[12:], rng)])
    src_par = np.concatenate([_paragraphs([3] * 4), [4, 4, 4], _paragraphs([3] * 4) + 5])
    tgt_par = np.concatenate([_paragraphs([3] * 4), _paragraphs([3] * 4) + 5])
    links = [(l.src, l.tgt) for l in align_vectors(Side.of(src, paragraphs=src_par), Side.of(tgt, paragraphs=tgt_par))]
    _check_partition([type("L", (), {"src": s, "tgt": t}) for s, t in links], 27, 24)
    assert [((12,), ()), ((13,), ()), ((14,), ())] == [link for link in links if not link[1]]


def test_long_paragraph_pairs_with_its_rendering_beyond_link_sizes():
    """A target paragraph of seven short sentences rendering one source sentence (longer than
    any link type) is one link with it, not a 0-1 run beside a 1-0."""
    rng = np.random.default_rng(13)
    base = _unit(rng, 12)
    pieces = _unit(rng, 7)
    src = np.vstack([base[:6], (pieces.sum(0) / np.linalg.norm(pieces.sum(0)))[None], base[6:]])
    tgt = np.vstack([_noisy(base[:6], rng), _noisy(pieces, rng, 2.0), _noisy(base[6:], rng)])
    src_par = np.arange(13)
    tgt_par = np.concatenate([np.arange(6), [6] * 7, np.arange(7, 13)])
    config = replace(FREE, recheck=False)
    links = [(l.src, l.tgt) for l in align_vectors(Side.of(src, paragraphs=src_par),
                                                   Side.of(tgt, paragraphs=tgt_par), config)]
    assert ((6,), tuple(range(6, 13))) in links
    assert all(s and t for s, t in links)


def test_paragraph_start_penalty_keeps_links_inside_matching_paragraphs():
    """Two sides with the same paragraphs: a link never starts a paragraph on one side only."""
    rng = np.random.default_rng(14)
    src = _unit(rng, 40)
    tgt = _noisy(src, rng, 1.2)  # weak similarities, as in a free translation
    par = _paragraphs([4] * 10)
    links = align_vectors(Side.of(src, paragraphs=par), Side.of(tgt, paragraphs=par))
    _check_partition(links, 40, 40)
    for link in links:
        if link.src and link.tgt:
            assert {par[i] for i in link.src} == {par[j] for j in link.tgt}


def test_speech_units_follow_quotes_and_dialogue_dashes():
    from align.aligner import opens_turn, speech_units
    english = ["'Won't you go and try again, sir?", "By God's grace you might make it up!",
               "There's no joy without...'", "Oblonsky sighed.", "'All right!", "I'll come.'"]
    units = speech_units(english)
    assert units[0] == units[1] == units[2]  # one quotation over three lines; apostrophes are not quotes
    assert len({units[2], units[3], units[4]}) == 3
    assert units[4] == units[5]
    russian = ["-- Вы сходите, сударь, повинитесь еще.", "Авось бог даст.", "-- Ну что? -- сказал он уныло.",
               "Степан Аркадьич вздохнул."]
    assert list(speech_units(russian)) == [0, 0, 1, 1]
    assert len(set(speech_units(russian, dash_turns=False))) == 4
    assert [opens_turn(t) for t in english] == [True, False, False, False, True, False]
    assert opens_turn(russian[0]) and not opens_turn(russian[1])


def test_a_stray_quote_makes_no_speech_unit():
    """An opening mark that nothing closes (an OCR slip) leaves every sentence on its own."""
    from align.aligner import speech_units
    texts = ["Er sagte „ nichts .", "Dann ging er .", "Es regnete .", "Am Abend kam er zurück ."]
    assert len(set(speech_units(texts))) == 4


def test_turn_start_penalty_keeps_a_reply_with_its_turn():
    """One-sentence-per-line dialogue: a short English reply that opens a turn goes with the
    Russian line that opens the same turn, not with the end of the previous one."""
    rng = np.random.default_rng(15)
    base = _unit(rng, 12)
    reply = _unit(rng, 1)[0]
    src_texts = [f"Строка {k}." for k in range(12)]
    src_texts[6] = "-- Ну, хорошо, я сейчас выйду и распоряжусь."
    src = base.copy()
    mixed = base[6] + 0.6 * reply
    src[6] = mixed / np.linalg.norm(mixed)
    tgt_texts = [f"Line {k}." for k in range(6)] + ["'All right!", "I'll come and see about it.'"] + \
                [f"Line {k}." for k in range(7, 12)]
    tgt = np.vstack([_noisy(base[:6], rng), _noisy(reply[None], rng), _noisy(base[6:], rng)])
    tgt[7] = _noisy((base[6] + 0.3 * base[5])[None] / np.linalg.norm(base[6] + 0.3 * base[5]), rng, 0.1)[0]
    links = [(l.src, l.tgt) for l in align_vectors(Side.of(src), Side.of(tgt), replace(FREE, recheck=False),
                                                   texts=(src_texts, tgt_texts))]
    assert ((6,), (6, 7)) in links
