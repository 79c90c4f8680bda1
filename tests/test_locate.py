"""Locating renderings: runs of English sentences found among unrelated Russian text."""

from dataclasses import replace

import numpy as np
import pytest

from align.locate import (AnnSearch, ExactSearch, LocateConfig, evidence, find_passages, make_search, quotations,
                          retrieve, with_quotations)
from align.text import figures, name_keys


def _unit(rng, n, dim=96):
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _near(v, rng, noise=0.6):
    w = v + noise * rng.normal(size=v.shape).astype(np.float32) / np.sqrt(v.shape[1])
    return w / np.linalg.norm(w, axis=1, keepdims=True)


def _collection(rng):
    ru = _unit(rng, 3000)
    doc_of_row = np.repeat(np.arange(3), 1000)
    return ru, doc_of_row


def test_run_of_renderings_is_found_and_commentary_left_out():
    rng = np.random.default_rng(0)
    ru, doc_of_row = _collection(rng)
    commentary = _unit(rng, 20)
    rendered = _near(ru[1500:1506], rng)
    en = np.vstack([commentary[:10], rendered, commentary[10:]])
    words = np.full(len(en), 12)
    passages = find_passages(retrieve(en, ru), doc_of_row, words)
    assert [(p.en_start, p.en_end, p.ru_start, p.ru_end) for p in passages] == [(10, 16, 1500, 1506)]


def test_two_passages_from_different_documents():
    rng = np.random.default_rng(1)
    ru, doc_of_row = _collection(rng)
    commentary = _unit(rng, 12)
    en = np.vstack([commentary[:4], _near(ru[200:204], rng), commentary[4:8], _near(ru[2700:2703], rng),
                    commentary[8:]])
    passages = find_passages(retrieve(en, ru), doc_of_row, np.full(len(en), 12))
    found = [(p.en_start, p.en_end, p.ru_start, p.ru_end) for p in passages]
    assert found == [(4, 8, 200, 204), (12, 15, 2700, 2703)]


def test_short_lone_sentence_is_not_a_passage_but_a_long_one_is():
    rng = np.random.default_rng(2)
    ru, doc_of_row = _collection(rng)
    en = np.vstack([_unit(rng, 5), _near(ru[42:43], rng, 0.3), _unit(rng, 5)])
    words = np.full(len(en), 12)
    cands = retrieve(en, ru)
    assert [(p.en_start, p.ru_start) for p in find_passages(cands, doc_of_row, words)] == [(5, 42)]
    words[5] = 2  # a caption: too short to trust on its own
    assert find_passages(cands, doc_of_row, words) == []


def test_margin_scores_prefer_the_true_source():
    rng = np.random.default_rng(3)
    ru, _ = _collection(rng)
    en = _near(ru[:50], rng)
    cands = retrieve(en, ru, LocateConfig(candidates=4))
    assert (cands.rows[:, 0] == np.arange(50)).all()
    assert (cands.margin[:, 0] > cands.margin[:, 1]).all()


def test_every_copy_of_a_quoted_text_is_reported():
    rng = np.random.default_rng(4)
    ru, doc_of_row = _collection(rng)
    ru[2400:2406] = _near(ru[300:306], rng, 0.05)  # the same text quoted again in another document
    en = np.vstack([_unit(rng, 6), _near(ru[300:306], rng), _unit(rng, 6)])
    passages = find_passages(retrieve(en, ru), doc_of_row, np.full(len(en), 12))
    assert [(p.en_start, p.en_end, p.ru_start, p.ru_end) for p in passages] == [(6, 12, 300, 306),
                                                                                (6, 12, 2400, 2406)]


def test_a_looser_paraphrase_elsewhere_is_not_a_copy():
    rng = np.random.default_rng(5)
    ru, doc_of_row = _collection(rng)
    ru[2400:2406] = _near(ru[300:306], rng, 1.0)  # another author on the same subject
    en = np.vstack([_unit(rng, 6), _near(ru[300:306], rng, 0.3), _unit(rng, 6)])
    passages = find_passages(retrieve(en, ru), doc_of_row, np.full(len(en), 12))
    assert [(p.ru_start, p.ru_end) for p in passages] == [(300, 306)]


def test_abridged_quote_stays_one_passage():
    rng = np.random.default_rng(6)
    ru, doc_of_row = _collection(rng)
    picked = [500, 501, 512, 513, 530, 531]  # the English skips stretches of the original
    en = np.vstack([_unit(rng, 5), _near(ru[picked], rng), _unit(rng, 5)])
    passages = find_passages(retrieve(en, ru), doc_of_row, np.full(len(en), 12))
    assert [(p.en_start, p.en_end, p.ru_start, p.ru_end) for p in passages] == [(5, 11, 500, 532)]


def test_quotations_are_taken_from_their_frame():
    text = ('After Volynsky invited Trotsky to sign, Trotsky wrote: "The decision of the GPU has been '
            'announced to me, criminal in essence and lawless in form."')
    assert quotations(text) == ["The decision of the GPU has been announced to me, "
                                "criminal in essence and lawless in form"]
    # A quotation left open continues in the next sentence; it runs to the end of this one.
    opened = ("Volynsky presented the resolution of the OSO, which stated: "
              "“We heard: the case of citizen Trotsky under Art. 58")
    assert quotations(opened) == ["We heard: the case of citizen Trotsky under Art. 58"]
    # Scare quotes, and a quotation that is the whole sentence, are not worth a search of their own.
    assert quotations('Stalin called it "the greatest mistake" in 1929, as Trotsky later wrote.') == []
    assert quotations('"He did not say that he was feeling down or depressed at all," she said.') == []
    # A closing straight quote does not open a new quotation.
    assert quotations('the attorney added." The court said it would rule on the matter within the next ten days.') == []


def test_a_quotation_inside_a_long_sentence_finds_its_source():
    rng = np.random.default_rng(7)
    ru, doc_of_row = _collection(rng)
    en = _unit(rng, 12)  # commentary; sentence 5 frames a quotation of ru[700]
    words = np.full(len(en), 30)
    plain = retrieve(en, ru)
    assert find_passages(plain, doc_of_row, words) == []
    quote = retrieve(_near(ru[700:701], rng, 0.5), ru, text=plain, text_vectors=en)
    cands, score = with_quotations(plain, plain.margin, quote, quote.margin, np.array([5]))
    assert cands.rows[5, 0] == 700 and cands.quoted[5, 0] and not cands.quoted[4].any()
    passages = find_passages(cands, doc_of_row, words, bonus=score - cands.margin)
    assert [(p.en_start, p.ru_start) for p in passages] == [(5, 700)]


def test_a_lone_sentence_returning_to_a_rendered_passage_is_linked():
    rng = np.random.default_rng(8)
    ru, doc_of_row = _collection(rng)
    # Sentences 4-9 render ru[1500:1506]; sentence 20 comes back, loosely, to ru[1503].
    en = np.vstack([_unit(rng, 4), _near(ru[1500:1506], rng), _unit(rng, 10), _near(ru[1503:1504], rng, 0.95),
                    _unit(rng, 4)])
    words = np.full(len(en), 12)
    cands = retrieve(en, ru)
    assert cands.rows[20, 0] == 1503 and cands.cosine[20, 0] < LocateConfig().single_cosine
    found = [(p.en_start, p.en_end, p.ru_start, p.ru_end) for p in find_passages(cands, doc_of_row, words)]
    assert len(found) == 2 and found[0][1] == 10 and found[0][3] == 1506
    assert found[1] == (20, 21, 1503, 1504)
    # Without the passage to return to, the same sentence stays unlinked.
    alone = np.vstack([en[:4], en[10:]])
    assert find_passages(retrieve(alone, ru), doc_of_row, words[:len(alone)]) == []


def test_numbers_names_and_length_adjust_scores():
    en = ["On January 18, 1929 Trotsky was expelled from the USSR by the OGPU."]
    ru = ["18 января 1929 г. Троцкий был выслан из СССР решением ОГПУ.", "В 1931 г. было много дождей и снега."]
    bonus = evidence(en, ru.__getitem__, np.array([[0, 1]]))
    assert bonus[0, 0] > 0 > bonus[0, 1]
    assert name_keys(en[0]) & name_keys(ru[0]) == {"trot", "ogpu"}
    assert figures("1,000 и 2 000 300") == {"1000", "2", "000", "300"}


def test_ann_index_agrees_with_exact_search_and_is_cached(tmp_path):
    rng = np.random.default_rng(7)
    ru, doc_of_row = _collection(rng)
    en = np.vstack([_unit(rng, 8), _near(ru[1200:1210], rng), _unit(rng, 8)])
    config = LocateConfig(ann_threshold=1000)
    ann = make_search(ru, config, tmp_path)
    assert isinstance(ann, AnnSearch) and ann.path.exists() and ann.build_seconds > 0
    assert isinstance(make_search(ru, LocateConfig(), tmp_path), ExactSearch)
    exact_cands, ann_cands = retrieve(en, ru, config), retrieve(en, ru, config, ann)
    assert (exact_cands.rows[8:18, 0] == ann_cands.rows[8:18, 0]).all()
    words = np.full(len(en), 12)

    def spans(cands):
        return [(p.en_start, p.en_end, p.ru_start, p.ru_end) for p in find_passages(cands, doc_of_row, words, config)]

    # The rendering is found either way; commentary's low-ranked candidates may differ.
    for found in (spans(exact_cands), spans(ann_cands)):
        assert len(found) == 1 and found[0][0] == 8 and found[0][2] == 1200
        assert 18 <= found[0][1] <= 19 and 1210 <= found[0][3] <= 1212
    probe_all = make_search(ru, LocateConfig(ann_threshold=1000, ann_probe=1000), tmp_path)
    assert spans(retrieve(en, ru, config, probe_all)) == spans(exact_cands)  # every list probed: exact
    again = make_search(ru, config, tmp_path)
    assert again.build_seconds == 0.0 and again.path == ann.path


def test_exact_search_blocks_match_one_product():
    rng = np.random.default_rng(8)
    ru, en = _unit(rng, 1000), _unit(rng, 20)
    rows, sims = ExactSearch(ru, block=97).search(en, 5)
    full = en @ ru.T
    assert (rows == np.argsort(-full, axis=1)[:, :5]).all()
    assert np.allclose(sims, -np.sort(-full, axis=1)[:, :5], atol=1e-6)


@pytest.mark.slow
def test_locate_command_finds_the_quoted_statement(tmp_path):
    from typer.testing import CliRunner

    from align.cli import app
    from conftest import EN_SENTENCES, RU_SENTENCES

    ru_dir = tmp_path / "ru"
    ru_dir.mkdir()
    (ru_dir / "letters.txt").write_text(
        "Письмо о погоде. Весной в горах долго лежит снег, и дороги закрыты до мая.\n\n"
        "Завод выпустил на прошлой неделе двести тракторов новой модели.\n\n"
        + "\n\n".join(RU_SENTENCES[:4]) + "\n\nКонец письма. Прошу передать привет товарищам.\n", encoding="utf-8")
    en = tmp_path / "article.txt"
    en.write_text("The museum opened a new exhibition of paintings by local artists on Sunday.\n\n"
                  "Visitors praised the bright colours and the careful restoration work.\n\n"
                  "In his letter he wrote:\n\n" + "\n\n".join(EN_SENTENCES[:4]) + "\n\n"
                  "Historians still argue about what happened to the archive.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["locate", str(en), "--in", str(ru_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = (out / "coverage.tsv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and rows[1].split("\t")[1] == "3-6"
    assert "letters.txt" in rows[1] and "| 8 | 4 | 50.0% |" in (out / "coverage.md").read_text(encoding="utf-8")
    no_source = (out / "no_source.tsv").read_text(encoding="utf-8")
    assert "museum" in no_source and "Historians" in no_source and "pitiful threat" not in no_source


def test_context_merged_into_an_edge_link_is_trimmed():
    from align.locate import trim_edges
    from align.model import Link

    rng = np.random.default_rng(9)
    ru = _unit(rng, 4)
    en = np.vstack([_near(ru[1:2], rng, 0.3), _near(ru[2:3], rng, 0.3), _near(ru[3:4], rng, 0.3), _unit(rng, 1)])
    # The aligner merged context into the first link (ru 0) and the last one (en 3).
    links = [Link((0, 1), (0,), 0.6), Link((2,), (1,), 0.8), Link((3,), (2, 3), 0.7)]
    trimmed = trim_edges(links, ru, en, LocateConfig().edge_cosine)
    assert [(link.src, link.tgt) for link in trimmed] == [((1,), (0,)), ((2,), (1,)), ((3,), (2,))]
    # Unlinked context at the edges goes as before; inner links are never trimmed.
    with_context = [Link((), (3,), 0.0)] + links[1:2] + [Link((0,), (), 0.0)]
    assert [(link.src, link.tgt) for link in trim_edges(with_context, ru, en, 0.45)] == [((2,), (1,))]


class _TokenWords:
    """A word model for tests: each word's vector is fixed by its spelling, so a 'rendering'
    made of the same made-up words aligns word for word and a 'retelling' does not."""

    model_id = "test-words"

    def words(self, texts):
        from align.tokens import WORD_RE, Words

        out = []
        for text in texts:
            spans = tuple((m.start(), m.end()) for m in WORD_RE.finditer(text))
            vectors = np.array([_word_vector(text[a:b].lower()) for a, b in spans], dtype=np.float32).reshape(-1, 32)
            out.append(Words(text, spans, vectors))
        return out


def _word_vector(word: str) -> np.ndarray:
    import zlib

    v = np.random.default_rng(zlib.crc32(word.encode())).normal(size=32)
    return v / np.linalg.norm(v)


def _words_of(rng, n: int, k: int = 10) -> list[str]:
    return [" ".join(f"w{w}" for w in rng.integers(0, 5000, k)) + "." for _ in range(n)]


def _retold(text: str, rng) -> str:
    """Two of the words kept (a name, a date), the rest another author's."""
    kept = text.rstrip(".").split()[:2]
    return " ".join(kept + [f"v{w}" for w in rng.integers(0, 5000, 8)]) + "."


def _docs(tmp_path, ru_texts: list[list[str]], ru_vectors: list[np.ndarray], en_texts: list[str], en_vectors):
    from synthetic_pair import document

    from align.model import EmbeddedDocument

    def embedded(path, lang, texts, vectors):
        made = document(path, lang, [[t] for t in texts])
        return EmbeddedDocument(made.document, made.sentences, vectors)

    ru = [embedded(tmp_path / f"ru{k}.txt", "ru", texts, vectors)
          for k, (texts, vectors) in enumerate(zip(ru_texts, ru_vectors, strict=True))]
    return ru, embedded(tmp_path / "en.txt", "en", en_texts, en_vectors)


def _locate(ru, en, config=LocateConfig()):
    from align.aligner import AlignConfig
    from align.locate import locate_and_align

    search = ExactSearch(np.vstack([d.vectors for d in ru]))
    return locate_and_align(en, ru, config, AlignConfig(), search, None, _TokenWords())


def _relation_case(tmp_path):
    """One Russian document; an English text with commentary, a translation of rows 50-55, an
    abridged rendering of 200-221 (six of its sentences) and a retelling of 300-305."""
    rng = np.random.default_rng(10)
    ru_vectors, ru_texts = _unit(rng, 400), _words_of(rng, 400)
    abridged = [200, 201, 210, 211, 220, 221]
    parts = [(_unit(rng, 6), _words_of(rng, 6)), (_near(ru_vectors[50:56], rng), ru_texts[50:56]),
             (_unit(rng, 6), _words_of(rng, 6)), (_near(ru_vectors[abridged], rng), [ru_texts[i] for i in abridged]),
             (_unit(rng, 6), _words_of(rng, 6)),
             (_near(ru_vectors[300:306], rng, 1.1), [_retold(t, rng) for t in ru_texts[300:306]]),
             (_unit(rng, 6), _words_of(rng, 6))]
    en_vectors = np.vstack([v for v, _ in parts])
    return _docs(tmp_path, [ru_texts], [ru_vectors], [t for _, texts in parts for t in texts], en_vectors)


def test_translation_abridged_rendering_and_retelling_are_labelled(tmp_path):
    ru, en = _relation_case(tmp_path)
    (pair,) = _locate(ru, en)
    found = {(p.ru_start // 100, p.relation) for p in pair.passages}
    assert found == {(0, "translation"), (2, "partial"), (3, "retelling")}
    retelling = next(p for p in pair.passages if p.relation == "retelling")
    assert retelling.evidence.ru_words < LocateConfig().retelling_words < min(
        p.evidence.ru_words for p in pair.passages if p.relation != "retelling")
    abridged = next(p for p in pair.passages if p.relation == "partial")
    assert abridged.evidence.ru_linked < LocateConfig().partial_linked and abridged.ru_end - abridged.ru_start > 15
    # The retelling gives no links (its English sentences stay without a source) ...
    linked_en = {j for link in pair.links if link.src for j in link.tgt}
    assert linked_en and not linked_en & set(range(retelling.en_start, retelling.en_end))
    # ... unless retellings are asked for.
    (kept,) = _locate(ru, en, LocateConfig(keep_retellings=True))
    assert set(range(retelling.en_start, retelling.en_end)) <= {j for link in kept.links if link.src for j in link.tgt}


def test_retellings_are_listed_in_coverage_as_related_passages(tmp_path):
    from align.export.coverage import coverage_markdown, coverage_tsv
    from align.export.registry import ExportContext
    from align.model import BuildResult

    ru, en = _relation_case(tmp_path)
    pairs = _locate(ru, en)
    linked = {j for link in pairs[0].links if link.src for j in link.tgt}
    result = BuildResult(tuple(ru), (en,), tuple(pairs),
                         {str(en.path): tuple(j for j in range(len(en.sentences)) if j not in linked)})
    context = ExportContext(result, {"signature": "s"}, "ru", "en")
    rows = [row.split("\t") for row in coverage_tsv(context).decode().splitlines()]
    assert rows[0][7] == "relation" and sorted(row[7] for row in rows[1:]) == ["partial", "retelling", "translation"]
    retelling = next(row for row in rows if row[7] == "retelling")
    assert retelling[4].startswith("30") and float(retelling[9]) < 0.7  # ru_words
    markdown = coverage_markdown(context).decode()
    table, related = markdown.split("## Related passages")
    assert "| 12 | " in table  # the translation's 6 and the abridged rendering's 6 sentences have a source
    assert "ru0.txt" in related and f"| {retelling[4]} (" in related


def test_links_of_a_located_pair_name_their_passage_and_its_relation(tmp_path):
    from align.export.records import link_records

    ru, en = _relation_case(tmp_path)
    (pair,) = _locate(ru, en, LocateConfig(keep_retellings=True))
    records = list(link_records(pair))
    relations = {(r["passage"], r["relation"]) for r in records if r["ru"]["ids"] and r["en"]["ids"]}
    assert {relation for _, relation in relations} == {"translation", "partial", "retelling"}
    assert all(pair.passages[k].relation == relation for k, relation in relations)


def test_the_rendered_original_wins_over_its_retelling_and_every_copy_is_reported(tmp_path):
    rng = np.random.default_rng(11)
    original_vectors, original_texts = _unit(rng, 300), _words_of(rng, 300)
    # Another document retells rows 100-105 of the original (same facts, other words) ...
    retelling_vectors, retelling_texts = _unit(rng, 300), _words_of(rng, 300)
    retelling_vectors[40:46] = _near(original_vectors[100:106], rng, 0.8)
    retelling_texts[40:46] = [_retold(t, rng) for t in original_texts[100:106]]
    # ... and a third one quotes them word for word.
    copy_vectors, copy_texts = _unit(rng, 300), _words_of(rng, 300)
    copy_vectors[200:206] = _near(original_vectors[100:106], rng, 0.05)
    copy_texts[200:206] = original_texts[100:106]
    en_vectors = np.vstack([_unit(rng, 5), _near(original_vectors[100:106], rng, 0.5), _unit(rng, 5)])
    en_texts = _words_of(rng, 5) + original_texts[100:106] + _words_of(rng, 5)
    # Without the original, the retelling is what the collection has: found, and labelled so.
    ru, en = _docs(tmp_path, [retelling_texts], [retelling_vectors], en_texts, en_vectors)
    (alone,) = _locate(ru, en)
    assert [(p.ru_start, p.relation) for p in alone.passages] == [(40, "retelling")] and not alone.links
    ru, en = _docs(tmp_path, [original_texts, retelling_texts, copy_texts],
                   [original_vectors, retelling_vectors, copy_vectors], en_texts, en_vectors)
    found = {(pair.src.path.name, p.ru_start, p.relation) for pair in _locate(ru, en) for p in pair.passages}
    assert found == {("ru0.txt", 100, "translation"), ("ru2.txt", 200, "translation")}


def test_a_quotation_inside_narrative_is_partial_and_the_vectors_decide_without_words():
    from align.locate.relation import relation_of
    from align.model import RelationEvidence

    # The author's frame leaves most words of both sides unmatched, but what is quoted is the Russian.
    framed = RelationEvidence(links=2, cosine=0.54, ru_words=0.43, en_words=0.39, order=1.0, shared=0.3,
                              length_ratio=1.1, ru_linked=1.0, quoted=0.55, rendered=0.0)
    assert relation_of(framed, LocateConfig()) == "partial"
    # The same numbers without a quotation: another author's account.
    assert relation_of(replace(framed, quoted=None), LocateConfig()) == "retelling"
    # No word model: the sentence cosines decide.
    blind = replace(framed, ru_words=None, en_words=None, quoted=None, rendered=None)
    assert relation_of(replace(blind, cosine=0.5), LocateConfig()) == "retelling"
    assert relation_of(replace(blind, cosine=0.75), LocateConfig()) == "translation"
