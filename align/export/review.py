"""The review report for a translator: what each rendering leaves out, adds or changes."""

from __future__ import annotations

from itertools import groupby

from align.export.lines import LineNumbers
from align.export.registry import ExportContext, Writer, register
from align.export.safe import md, md_path
from align.model import AlignedPair, EmbeddedDocument, Link

SERIOUS = ("critical", "major")
QUOTE_CHARS = 600


def review_markdown(pairs: tuple[AlignedPair, ...], lines: LineNumbers) -> str:
    """Per document pair, in reading order: runs of sentences left out or added, and every
    link with a major or critical flag, with both texts and the evidence."""
    out = ["# Review: what the renderings leave out, add or change", "",
           "In reading order for each document pair: Russian sentences with no rendering, English "
           "sentences with no source, and every link with a major or critical flag (all its flags "
           "listed). Links with minor flags only are in `pairs.tsv` and `links.jsonl`.", ""]
    for pair in pairs:
        out += _pair_section(pair, lines)
    return "\n".join(out)


def review_bytes(context: ExportContext) -> bytes:
    return review_markdown(context.result.pairs, context.lines).encode()


def _pair_section(pair: AlignedPair, lines: LineNumbers) -> list[str]:
    links = pair.links
    serious = [link for link in links if link.src and link.tgt and _is_serious(link)]
    left_out = sum(len(link.src) for link in links if not link.tgt)
    added = sum(len(link.tgt) for link in links if not link.src)
    no_source = (f"{added} English sentences with no source" if pair.mode == "parallel" else
                 "English sentences outside the passages found are listed in `no_source.tsv`")
    out = [f"## {md_path(str(pair.src.path))} ↔ {md_path(str(pair.tgt.path))}", "",
           f"{len(links)} links: {len(serious)} with a major or critical flag; {left_out} Russian "
           f"sentences with no rendering; {no_source}.", ""]
    for kind, run in groupby(links, key=_kind):
        run = list(run)
        if kind == "left out":
            out += _gap(pair.src, [i for link in run for i in link.src], "Left out: Russian", lines)
        elif kind == "added":
            out += _gap(pair.tgt, [j for link in run for j in link.tgt], "Added: English", lines)
        else:
            for link in run:
                if _is_serious(link):
                    out += _flagged(pair, link, lines)
    return out


def _kind(link: Link) -> str:
    return "left out" if not link.tgt else "added" if not link.src else "linked"


def _is_serious(link: Link) -> bool:
    return any(flag.severity in SERIOUS for flag in link.flags)


def _gap(doc: EmbeddedDocument, ids: list[int], title: str, lines: LineNumbers) -> list[str]:
    count = f"{len(ids)} sentence{'s' if len(ids) > 1 else ''}"
    return [f"### {title} {lines.words(doc, ids[0], ids[-1])} ({count})", "",
            f"> {_quote(doc, ids)}", ""]


def _flagged(pair: AlignedPair, link: Link, lines: LineNumbers) -> list[str]:
    where = (f"Russian {lines.words(pair.src, link.src[0], link.src[-1])} ↔ "
             f"English {lines.words(pair.tgt, link.tgt[0], link.tgt[-1])}")
    out = [f"### {where} ({len(link.src)}-{len(link.tgt)}, score {link.score:.2f})", "",
           f"- ru: {_quote(pair.src, link.src)}", f"- en: {_quote(pair.tgt, link.tgt)}"]
    for flag in sorted(link.flags, key=lambda f: (f.severity not in SERIOUS, f.kind)):
        label = f"**{flag.kind}**, {flag.severity}" if flag.severity in SERIOUS else f"{flag.kind}, {flag.severity}"
        out.append(f"- {label}: {md(flag.evidence)}")
    return out + [""]


def _quote(doc: EmbeddedDocument, ids: tuple[int, ...] | list[int]) -> str:
    """The sentences as one line of literal Markdown, cut at a word after QUOTE_CHARS."""
    text = " ".join(doc.sentences[i].text for i in ids).replace("\n", " ")
    return md(text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …")


register(Writer("review.md", "for a translator: passages left out or added and links with major or critical "
                             "flags, in reading order, with line numbers and evidence", review_bytes,
                format="review"))
