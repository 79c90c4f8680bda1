"""Outputs of located targets: no_source.tsv (English sentences with no Russian source),
coverage.tsv (one row per passage found, with its relation and the evidence for it) and
coverage.md (per English text, the share of sentences with a source and the Russian
documents and lines it renders; then the related passages: retellings of the same facts)."""

from __future__ import annotations

import csv
import io

from align.export.registry import ExportContext, Writer, register
from align.export.safe import cell, md_path
from align.model import AlignedPair, BuildResult, Passage


def no_source_table(context: ExportContext) -> bytes:
    result = context.result
    rows = [["file", "sentence", "start", "end", "text"]]
    for doc in result.tgt_docs:
        for j in result.unmatched.get(str(doc.path), ()):
            s = doc.sentences[j]
            rows.append([cell(str(doc.path)), str(j), str(s.start), str(s.end), cell(s.text)])
    return _tsv(rows)


EVIDENCE_COLUMNS = ("cosine", "ru_words", "en_words", "quoted", "order", "shared", "length_ratio", "ru_linked")


def coverage_tsv(context: ExportContext) -> bytes:
    """One row per passage: English and Russian sentence ids and lines, its score, its
    relation and the evidence of the label (empty for a pair aligned whole)."""
    lines = context.lines.of
    rows = [["en_file", "en_sentences", "en_lines", "ru_file", "ru_sentences", "ru_lines", "score", "relation",
             *EVIDENCE_COLUMNS]]
    for doc in context.result.tgt_docs:
        for pair in (p for p in context.result.pairs if p.tgt is doc):
            for ps in pair.passages or (_whole(pair),):
                rows.append([cell(str(doc.path)), f"{ps.en_start}-{ps.en_end - 1}", lines(doc, ps.en_start, ps.en_end - 1),
                             cell(str(pair.src.path)), f"{ps.ru_start}-{ps.ru_end - 1}",
                             lines(pair.src, ps.ru_start, ps.ru_end - 1), f"{ps.score:.3f}", ps.relation,
                             *_evidence(ps)])
    return _tsv(rows)


def _evidence(passage: Passage) -> list[str]:
    """The label's evidence numbers (``EVIDENCE_COLUMNS``), blank where there are none."""
    if passage.evidence is None:
        return [""] * len(EVIDENCE_COLUMNS)
    values = [getattr(passage.evidence, name) for name in EVIDENCE_COLUMNS]
    return ["" if v is None else f"{v:.2f}" for v in values]


def _tsv(rows: list[list[str]]) -> bytes:
    """Tab-separated rows; the csv module quotes a cell holding a tab, quote or line break."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def coverage_markdown(context: ExportContext) -> bytes:
    """Per English text: share of sentences with a source, the Russian documents and lines
    it renders (translations and partial renderings); then every related passage (a
    retelling: the same facts in another author's words, not linked by default) with the
    evidence of its label."""
    lines = context.lines.of
    table = ["# Coverage: which Russian documents each English text draws on", "",
             "| English file | sentences | with a source | share | Russian documents (lines) |",
             "|---|---:|---:|---:|---|"]
    related = []
    for doc in context.result.tgt_docs:
        located = [p for p in context.result.pairs if p.tgt is doc]
        linked = {j for p in located for link in p.links if link.src for j in link.tgt}
        sources = []
        for pair in located:
            spans = tuple(p for p in pair.passages if p.relation != "retelling") or (
                () if pair.passages else (_whole(pair),))
            if spans:
                ranges = ", ".join(lines(pair.src, start, end - 1) for start, end in _merged_rows(spans))
                sources.append(f"{md_path(str(pair.src.path))} ({ranges})")
            related += [(doc, pair, p) for p in pair.passages if p.relation == "retelling"]
        total = len(doc.sentences)
        table.append(f"| {md_path(str(doc.path))} | {total} | {len(linked)} | {len(linked) / total:.1%} | "
                     f"{'; '.join(sources) or '–'} |")
    if related:
        table += ["", "## Related passages: retellings of the same facts", "",
                  "Another author's account of what the Russian passage says: found, but not a rendering of it "
                  "(word alignment, order and length say so), so not linked.", "",
                  "| English file | sentences (lines) | Russian document | sentences (lines) | cosine | "
                  "Russian words matched | English words matched | order | shared figures and names |",
                  "|---|---|---|---|---:|---:|---:|---:|---:|"]
        for doc, pair, p in related:
            e = p.evidence
            numbers = ["–" if v is None else f"{v:.2f}" for v in
                       ((e.cosine, e.ru_words, e.en_words, e.order, e.shared) if e else (None,) * 5)]
            table.append(f"| {md_path(str(doc.path))} | {p.en_start}-{p.en_end - 1} "
                         f"({lines(doc, p.en_start, p.en_end - 1)}) | {md_path(str(pair.src.path))} | "
                         f"{p.ru_start}-{p.ru_end - 1} ({lines(pair.src, p.ru_start, p.ru_end - 1)}) | "
                         + " | ".join(numbers) + " |")
    return ("\n".join(table) + "\n").encode()


def _merged_rows(passages: tuple[Passage, ...]) -> list[tuple[int, int]]:
    """Russian row ranges of the passages in document order, overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for p in sorted(passages, key=lambda p: p.ru_start):
        if merged and p.ru_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], p.ru_end))
        else:
            merged.append((p.ru_start, p.ru_end))
    return merged


def _whole(pair: AlignedPair) -> Passage:
    """A parallel pair as one passage spanning both documents."""
    return Passage(0, len(pair.tgt.sentences), 0, len(pair.src.sentences), 1.0)


def _located(result: BuildResult) -> bool:
    """Some target text was located in the collection (not paired by name)."""
    return bool(result.unmatched)


register(Writer("no_source.tsv", "English sentences for which no Russian source was found in the collection",
                no_source_table, format="no_source"))
register(Writer("coverage.md", "per English text located in the collection: share of sentences with a source, "
                               "Russian documents and lines", coverage_markdown, _located))
register(Writer("coverage.tsv", "one row per passage found: English and Russian sentence ids and lines, score, "
                                "relation (translation, partial, retelling) and its evidence",
                coverage_tsv, _located))
