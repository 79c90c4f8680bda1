"""The run summary: documents, sentences, links by type, flags by kind, coverage."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    documents: list[tuple[str, str, int]]  # (file, language, sentences)
    link_types: Counter
    flag_kinds: Counter  # (kind, severity) -> count
    coverage: list[tuple[str, int, int, list[str]]]  # (target file, with source, sentences, source files)
    elapsed: float

    def markdown(self) -> str:
        lines = ["# Alignment summary", "", "## Documents", "", "| file | language | sentences |",
                 "|---|---|---:|"]
        lines += [f"| {f} | {lang} | {n} |" for f, lang, n in self.documents]
        lines += ["", "## Links by type", "", "| type | links |", "|---|---:|"]
        lines += [f"| {t} | {n} |" for t, n in sorted(self.link_types.items(), key=_type_order)]
        lines += ["", "## Flags by kind", "", "| kind | severity | links |", "|---|---|---:|"]
        lines += [f"| {k} | {s} | {n} |" for (k, s), n in sorted(self.flag_kinds.items())]
        lines += ["", "## Target sentences with and without a source", "",
                  "| file | with a source | without | share with a source | drawn from |",
                  "|---|---:|---:|---:|---|"]
        for f, linked, total, sources in self.coverage:
            share = linked / total if total else 0.0
            lines.append(f"| {f} | {linked} | {total - linked} | {share:.1%} | {', '.join(sources) or '–'} |")
        lines += ["", f"Elapsed: {self.elapsed:.1f} s", ""]
        return "\n".join(lines)


def summarise(result, elapsed: float) -> Summary:
    documents = [(str(d.path), d.lang, len(d.sentences)) for d in result.src_docs + result.tgt_docs]
    link_types: Counter = Counter()
    flag_kinds: Counter = Counter()
    for pair in result.pairs:
        for link in pair.links:
            link_types[link.kind] += 1
            for flag in link.flags:
                flag_kinds[(flag.kind, flag.severity)] += 1
    coverage = []
    for doc in result.tgt_docs:
        pairs = [p for p in result.pairs if p.tgt is doc]
        linked = {j for p in pairs for link in p.links if link.src for j in link.tgt}
        coverage.append((str(doc.path), len(linked), len(doc.sentences), [str(p.src.path) for p in pairs]))
    return Summary(documents, link_types, flag_kinds, coverage, elapsed)


def _type_order(item: tuple[str, int]) -> tuple[int, int]:
    a, b = item[0].split("-")
    return (int(a) + int(b) if int(a) and int(b) else 99, int(a))
