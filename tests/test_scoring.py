from align.scoring import format_link, parse_link, score_alignment


def test_links_format_round_trip():
    for link in [((1, 2), (3,)), ((), (4,)), ((5,), ())]:
        assert parse_link(format_link(*link)) == link
    assert format_link((1, 2), ()) == "[1, 2]:[]"


def test_strict_and_lax_scores():
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((4,), (2,))]
    pred = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), ()), ((4,), (2,))]
    s = score_alignment(pred, gold)
    assert s.strict.precision == 2 / 3 and s.strict.recall == 2 / 3
    assert s.lax.precision == 1.0 and s.lax.recall == 1.0
    assert s.null.precision == 0.5 and s.null.recall == 1.0
