"""The review report for a translator: what each rendering leaves out, adds or changes."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import groupby
from pathlib import Path

from align.fileio import write_text_atomic
from align.model import Link

SERIOUS = ("critical", "major")
QUOTE_CHARS = 600


class LineNumbers:
    """Line ranges (1-based, in the original file) of runs of sentences."""

    def __init__(self) -> None:
        self._breaks: dict = {}  # document -> offsets of its line breaks

    def span(self, doc, first: int, last: int) -> tuple[int, int]:
        """First and last line that sentences ``first``..``last`` of ``doc`` occupy."""
        if doc not in self._breaks:
            self._breaks[doc] = [m.start() for m in re.finditer("\n", doc.document.raw)]
        breaks = self._breaks[doc]
        start, end = doc.sentences[first].start, doc.sentences[last].end
        return bisect_right(breaks, start - 1) + 1, bisect_right(breaks, max(end - 1, start) - 1) + 1

    def of(self, doc, first: int, last: int) -> str:
        """``a-b``, the lines of sentences ``first``..``last`` (as in coverage.tsv)."""
        return "{}-{}".format(*self.span(doc, first, last))

    def words(self, doc, first: int, last: int) -> str:
        """``line a`` or ``lines a-b``, for a reader."""
        a, b = self.span(doc, first, last)
        return f"line {a}" if a == b else f"lines {a}-{b}"


def review_markdown(pairs, lines: LineNumbers) -> str:
    """Per document pair, in reading order: runs of sentences left out or added, and every
    link with a major or critical flag, with both texts and the evidence."""
    out = ["# Review: what the renderings leave out, add or change", "",
           "In reading order for each document pair: Russian sentences with no rendering, English "
           "sentences with no source, and every link with a major or critical flag (all its flags "
           "listed). Links with minor flags only are in `pairs.tsv` and `links.jsonl`.", ""]
    for pair in pairs:
        out += _pair_section(pair, lines)
    return "\n".join(out)


def write_review(path: Path, pairs, lines: LineNumbers) -> None:
    write_text_atomic(path, review_markdown(pairs, lines))


def _pair_section(pair, lines: LineNumbers) -> list[str]:
    links = pair.links
    serious = [link for link in links if link.src and link.tgt and _is_serious(link)]
    left_out = sum(len(link.src) for link in links if not link.tgt)
    added = sum(len(link.tgt) for link in links if not link.src)
    no_source = (f"{added} English sentences with no source" if pair.mode == "parallel" else
                 "English sentences outside the passages found are listed in `no_source.tsv`")
    out = [f"## {pair.src.path} ↔ {pair.tgt.path}", "",
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


def _gap(doc, ids: list[int], title: str, lines: LineNumbers) -> list[str]:
    count = f"{len(ids)} sentence{'s' if len(ids) > 1 else ''}"
    return [f"### {title} {lines.words(doc, ids[0], ids[-1])} ({count})", "",
            f"> {_quote(doc, ids)}", ""]


def _flagged(pair, link: Link, lines: LineNumbers) -> list[str]:
    where = (f"Russian {lines.words(pair.src, link.src[0], link.src[-1])} ↔ "
             f"English {lines.words(pair.tgt, link.tgt[0], link.tgt[-1])}")
    out = [f"### {where} ({len(link.src)}-{len(link.tgt)}, score {link.score:.2f})", "",
           f"- ru: {_quote(pair.src, link.src)}", f"- en: {_quote(pair.tgt, link.tgt)}"]
    for flag in sorted(link.flags, key=lambda f: (f.severity not in SERIOUS, f.kind)):
        label = f"**{flag.kind}**, {flag.severity}" if flag.severity in SERIOUS else f"{flag.kind}, {flag.severity}"
        out.append(f"- {label}: {flag.evidence}")
    return out + [""]


def _quote(doc, ids) -> str:
    text = " ".join(doc.sentences[i].text for i in ids).replace("\n", " ")
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
