"""summary.md: documents, sentences, links by type, flags by kind, coverage, and the run
signature on the last line (no time: the same run gives the same bytes)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from align.export.registry import Writer, register
from align.export.safe import md, md_path
from align.model import BuildResult


@dataclass(frozen=True)
class Summary:
    documents: list[tuple[str, str, int]]  # (file, language, sentences)
    link_types: Counter[str]
    flag_kinds: Counter[tuple[str, str]]  # (kind, severity) -> count
    coverage: list[tuple[str, int, int, list[str]]]  # (target file, with source, sentences, source files)

    def markdown(self, signature: str) -> str:
        lines = ["# Alignment summary", "", "## Documents", "", "| file | language | sentences |",
                 "|---|---|---:|"]
        lines += [f"| {md_path(f)} | {md(lang)} | {n} |" for f, lang, n in self.documents]
        lines += ["", "## Links by type", "", "| type | links |", "|---|---:|"]
        lines += [f"| {t} | {n} |" for t, n in sorted(self.link_types.items(), key=_type_order)]
        lines += ["", "## Flags by kind", "", "| kind | severity | links |", "|---|---|---:|"]
        lines += [f"| {k} | {s} | {n} |" for (k, s), n in sorted(self.flag_kinds.items())]
        lines += ["", "## Target sentences with and without a source", "",
                  "| file | with a source | without | share with a source | drawn from |",
                  "|---|---:|---:|---:|---|"]
        for f, linked, total, sources in self.coverage:
            share = linked / total if total else 0.0
            drawn = ", ".join(md_path(source) for source in sources) or "–"
            lines.append(f"| {md_path(f)} | {linked} | {total - linked} | {share:.1%} | {drawn} |")
        code = signature.replace("`", "'")  # a code span: literal, whatever the encoder's name
        lines += ["", f"Signature: `{code}`", ""]
        return "\n".join(lines)

    def record(self) -> dict[str, Any]:
        """The same counts as JSON values (``align build --json``)."""
        return {
            "documents": [{"file": f, "language": lang, "sentences": n} for f, lang, n in self.documents],
            "link_types": dict(sorted(self.link_types.items(), key=_type_order)),
            "flags": [{"kind": k, "severity": s, "links": n} for (k, s), n in sorted(self.flag_kinds.items())],
            "coverage": [{"file": f, "with_source": linked, "sentences": total, "sources": sources}
                         for f, linked, total, sources in self.coverage],
        }


def summarise(result: BuildResult) -> Summary:
    documents = [(str(d.path), d.lang, len(d.sentences)) for d in result.src_docs + result.tgt_docs]
    link_types: Counter[str] = Counter()
    flag_kinds: Counter[tuple[str, str]] = Counter()
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
    return Summary(documents, link_types, flag_kinds, coverage)


def _type_order(item: tuple[str, int]) -> tuple[int, int]:
    a, b = item[0].split("-")
    return (int(a) + int(b) if int(a) and int(b) else 99, int(a))


register(Writer("summary.md", "documents, sentences, links by type, flags by kind, target sentences with a "
                              "source, and the run signature",
                lambda context: summarise(context.result).markdown(context.signature).encode()))
