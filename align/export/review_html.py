"""review.html: the translator's review as one self-contained page. At the top, how many
items carry each kind and severity of flag (the table is also the filter) and a search box;
then per document pair an alignment map (inline SVG: English sentence index across, Russian
down, links coloured by score band, flagged links marked) and, in reading order, every
flagged link and every run of sentences left out or added, both texts with the flagged
words highlighted, a sentence of context each side, and file:line of each side.

Rendered like the reader edition (`edition_html.py`): a Jinja2 template with every text
escaped, inline style and script allowed by their hashes in a strict Content-Security-Policy,
nothing loaded. Unflagged links are not listed and each score band of the map is one path,
so a 10,000-link report stays a small DOM (`scripts/bench_review.py`)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from align.export.edition import LANGUAGE_NAMES
from align.export.lines import LineNumbers
from align.export.pages import asset, content_security_policy, environment
from align.export.registry import ExportContext, Writer, register
from align.export.safe import plain
from align.model import AlignedPair, EmbeddedDocument, Flag, Link, Span
from align.text import FIGURE_RE
from align.version import __version__

SEVERITIES = ("critical", "major", "minor")
# Score bands of the map, best first: (least score, CSS class, legend).
BANDS = ((0.8, "b4", "score ≥ 0.8"), (0.6, "b3", "0.6–0.8"), (0.4, "b2", "0.4–0.6"),
         (float("-inf"), "b1", "< 0.4"))
RUN_CHARS = 1500  # a run left out or added is shown up to this many characters
CONTEXT_CHARS = 300  # a context sentence is cut here


@dataclass(frozen=True)
class Piece:
    """A run of a text; ``mark`` is the flag kind that highlights it (None: plain)."""

    text: str
    mark: str | None = None


@dataclass(frozen=True)
class Side:
    """One language's part of an item: where it is, the sentence before, the text (empty
    when this side has nothing: the other side's run was left out or added), the sentence after."""

    lang: str
    where: str
    before: str
    pieces: tuple[Piece, ...]
    after: str


@dataclass(frozen=True)
class FlagRow:
    kind: str
    severity: str
    evidence: str
    score: float


@dataclass(frozen=True)
class Item:
    """A flagged link, or a run of sentences left out or added, as the page lists it;
    ``tags`` ("kind:severity" words) drive the filter, ``x``/``y`` place it on the map."""

    anchor: str
    kind: str  # link | omitted | added
    title: str
    severity: str
    tags: str
    score: float | None
    src: Side
    tgt: Side
    flags: tuple[FlagRow, ...]
    x: float
    y: float


@dataclass(frozen=True)
class Band:
    css: str
    label: str
    path: str


@dataclass(frozen=True)
class PairReview:
    anchor: str
    src_path: str
    tgt_path: str
    mode: str
    links: int
    src_sentences: int
    tgt_sentences: int
    view: tuple[int, int, int, int]  # the map's viewBox: first English and Russian index, widths
    bands: tuple[Band, ...]
    marks: tuple[Band, ...]  # flagged links on the map, one path per severity
    items: tuple[Item, ...]


def review_pairs(pairs: tuple[AlignedPair, ...], lines: LineNumbers) -> list[PairReview]:
    """Every pair's items and map, in reading order."""
    return [_pair_review(number, pair, lines) for number, pair in enumerate(pairs, 1)]


def review_html(pairs: tuple[AlignedPair, ...], lines: LineNumbers, src_lang: str, tgt_lang: str,
                signature: str) -> bytes:
    css, js = asset("review.css"), asset("review.js")
    reviews = review_pairs(pairs, lines)
    items = [item for review in reviews for item in review.items]
    counts = Counter(tag for item in items for tag in item.tags.split())
    kinds = sorted({tag.split(":")[0] for tag in counts})
    page = environment().get_template("review.html.j2").render(
        pairs=reviews, kinds=kinds, severities=SEVERITIES, counts=counts, items=len(items),
        links=sum(r.links for r in reviews), flagged=sum(i.kind == "link" for i in items),
        omitted=sum(i.kind == "omitted" for i in items), added=sum(i.kind == "added" for i in items),
        legend=[(css_class, label) for _, css_class, label in BANDS], signature=signature,
        src_name=LANGUAGE_NAMES.get(src_lang, src_lang), tgt_name=LANGUAGE_NAMES.get(tgt_lang, tgt_lang),
        src_lang=src_lang, tgt_lang=tgt_lang, css=css, js=js, csp=content_security_policy(css, js),
        version=__version__)
    return page.encode("utf-8")



def _pair_review(number: int, pair: AlignedPair, lines: LineNumbers) -> PairReview:
    positions = _positions(pair.links)
    items: list[Item] = []
    for kind, run in groupby(enumerate(pair.links), key=lambda entry: _kind(entry[1])):
        run = list(run)
        if kind == "link":
            items += [_link_item(number, pair, at, link, positions[at], lines) for at, link in run if link.flags]
        else:
            items.append(_run_item(number, pair, kind, run, positions, lines))
    return PairReview(f"p{number}", plain(str(pair.src.path)), plain(str(pair.tgt.path)), pair.mode, len(pair.links),
                      len(pair.src.sentences), len(pair.tgt.sentences), _view(pair.links, positions),
                      _bands(pair.links, positions),
                      _marks(items), tuple(items))


def _kind(link: Link) -> str:
    return "omitted" if not link.tgt else "added" if not link.src else "link"


def _positions(links: tuple[Link, ...]) -> list[tuple[int, int]]:
    """Where each link starts on the map, (English, Russian) sentence index; an empty side
    sits where the previous link ended."""
    x = next((link.tgt[0] for link in links if link.tgt), 0)
    y = next((link.src[0] for link in links if link.src), 0)
    out = []
    for link in links:
        x, y = (link.tgt[0] if link.tgt else x), (link.src[0] if link.src else y)
        out.append((x, y))
        x, y = x + len(link.tgt), y + len(link.src)
    return out


def _view(links: tuple[Link, ...], positions: list[tuple[int, int]]) -> tuple[int, int, int, int]:
    """The sentences the links span (a parallel pair: both documents; a located one: its passages)."""
    if not links:
        return 0, 0, 1, 1
    x0, y0 = min(x for x, _ in positions), min(y for _, y in positions)
    x1 = max(x + len(link.tgt) for link, (x, _) in zip(links, positions))
    y1 = max(y + len(link.src) for link, (_, y) in zip(links, positions))
    return x0, y0, max(x1 - x0, 1), max(y1 - y0, 1)


def _bands(links: tuple[Link, ...], positions: list[tuple[int, int]]) -> tuple[Band, ...]:
    """One path per score band (left out and added: a band of their own), a segment a link."""
    paths: dict[str, list[str]] = {css: [] for _, css, _ in BANDS} | {"gap": []}
    for link, (x, y) in zip(links, positions):
        css = "gap" if not (link.src and link.tgt) else next(c for least, c, _ in BANDS if link.score >= least)
        paths[css].append(f"M{x} {y}l{len(link.tgt)} {len(link.src)}")
    labels = {css: label for _, css, label in BANDS} | {"gap": "left out or added"}
    return tuple(Band(css, labels[css], "".join(segments)) for css, segments in paths.items() if segments)


def _marks(items: list[Item]) -> tuple[Band, ...]:
    by_severity: dict[str, list[str]] = {severity: [] for severity in SEVERITIES}
    for item in items:
        by_severity[item.severity].append(f"M{item.x:g} {item.y:g}h0")
    return tuple(Band(f"m-{severity}", severity, "".join(dots)) for severity, dots in by_severity.items() if dots)


def _link_item(number: int, pair: AlignedPair, at: int, link: Link, position: tuple[int, int],
               lines: LineNumbers) -> Item:
    src_text = " ".join(pair.src.sentences[i].text for i in link.src)
    tgt_text = " ".join(pair.tgt.sentences[j].text for j in link.tgt)
    src_marks = [(span, flag.kind) for flag in link.flags for span in flag.src_spans]
    tgt_marks = [(span, flag.kind) for flag in link.flags for span in flag.tgt_spans]
    for flag in link.flags:
        if flag.kind in ("number", "date") and not (flag.src_spans or flag.tgt_spans):
            src_only, tgt_only = _figures_apart(src_text, tgt_text)
            src_marks += [(span, flag.kind) for span in src_only]
            tgt_marks += [(span, flag.kind) for span in tgt_only]
    flags = sorted(link.flags, key=lambda f: (SEVERITIES.index(f.severity), f.kind))
    return Item(
        f"p{number}-{at}", "link", f"{link.kind} link", flags[0].severity, _tags(link.flags), link.score,
        _side(pair.src, link.src, _pieces(src_text, src_marks), lines),
        _side(pair.tgt, link.tgt, _pieces(tgt_text, tgt_marks), lines),
        tuple(FlagRow(f.kind, f.severity, plain(f.evidence), f.score) for f in flags),
        position[0] + len(link.tgt) / 2, position[1] + len(link.src) / 2)


def _run_item(number: int, pair: AlignedPair, kind: str, run: list[tuple[int, Link]],
              positions: list[tuple[int, int]], lines: LineNumbers) -> Item:
    """A run of 1-0 (``omitted``) or 0-1 (``added``) links as one item; the other side shows
    the sentences around the place where the run would be."""
    first, last = run[0][0], run[-1][0]
    links = [link for _, link in run]
    flags = [flag for link in links for flag in link.flags]
    default = Flag("omission" if kind == "omitted" else "addition", "minor", "")
    severity = min((f.severity for f in flags), key=SEVERITIES.index, default="minor")
    if kind == "omitted":
        ids = tuple(i for link in links for i in link.src)
        src = _side(pair.src, ids, (Piece(_clip(" ".join(pair.src.sentences[i].text for i in ids), RUN_CHARS)),), lines)
        tgt = _gap_side(pair.tgt, pair.links, first, last, "tgt", lines)
        title = f"Left out: {len(ids)} sentence{'s' * (len(ids) > 1)} with no rendering"
    else:
        ids = tuple(j for link in links for j in link.tgt)
        tgt = _side(pair.tgt, ids, (Piece(_clip(" ".join(pair.tgt.sentences[j].text for j in ids), RUN_CHARS)),), lines)
        src = _gap_side(pair.src, pair.links, first, last, "src", lines)
        title = f"Added: {len(ids)} sentence{'s' * (len(ids) > 1)} with no source"
    x, y = positions[first]
    return Item(f"p{number}-{first}", kind, title, severity, _tags(flags or [default]), None, src, tgt, (),
                x + (len(ids) / 2 if kind == "added" else 0), y + (len(ids) / 2 if kind == "omitted" else 0))


def _tags(flags: list[Flag] | tuple[Flag, ...]) -> str:
    return " ".join(sorted({f"{flag.kind}:{flag.severity}" for flag in flags}))


def _side(doc: EmbeddedDocument, ids: tuple[int, ...], pieces: tuple[Piece, ...], lines: LineNumbers) -> Side:
    first, last = ids[0], ids[-1]
    return Side(doc.lang, f"{plain(str(doc.path))}:{_line_range(lines, doc, first, last)}",
                _sentence(doc, first - 1), pieces, _sentence(doc, last + 1))


def _line_range(lines: LineNumbers, doc: EmbeddedDocument, first: int, last: int) -> str:
    segments = doc.segments(range(first, last + 1))
    if segments:  # a bilingual file (`align check`): the segment ids its CAT tool shows
        return "segment " + "–".join(plain(s) for s in dict.fromkeys((segments[0], segments[-1])))
    where = lines.origin(doc, first)
    if where is not None:
        return where
    a, b = lines.span(doc, first, last)
    return str(a) if a == b else f"{a}-{b}"


def _gap_side(doc: EmbeddedDocument, links: tuple[Link, ...], first: int, last: int, side: str,
              lines: LineNumbers) -> Side:
    """The side with nothing: the sentences of ``doc`` just before and after the run."""
    before = next((getattr(link, side)[-1] for link in reversed(links[:first]) if getattr(link, side)), None)
    after = next((getattr(link, side)[0] for link in links[last + 1:] if getattr(link, side)), None)
    near = [i for i in (before, after) if i is not None]
    where = plain(str(doc.path)) + (f":{_line_range(lines, doc, near[0], near[-1])}" if near else "")
    return Side(doc.lang, where, _sentence(doc, before), (), _sentence(doc, after))


def _sentence(doc: EmbeddedDocument, index: int | None) -> str:
    if index is None or not 0 <= index < len(doc.sentences):
        return ""
    return _clip(doc.sentences[index].text, CONTEXT_CHARS)


def _clip(text: str, limit: int) -> str:
    text = plain(text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _pieces(text: str, marks: list[tuple[Span, str]]) -> tuple[Piece, ...]:
    """``text`` cut at the marked spans (overlaps joined; the first flag's kind names a joined span)."""
    text = plain(text)
    spans = sorted((max(0, a), min(len(text), b), kind) for (a, b), kind in marks if b > a)
    merged: list[list] = []
    for a, b, kind in spans:
        if a >= len(text):
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b, kind])
    pieces, at = [], 0
    for a, b, kind in merged:
        if a > at:
            pieces.append(Piece(text[at:a]))
        pieces.append(Piece(text[a:b], kind))
        at = b
    if at < len(text) or not pieces:
        pieces.append(Piece(text[at:]))
    return tuple(pieces)


def _figures_apart(src: str, tgt: str) -> tuple[list[Span], list[Span]]:
    """Spans of the figures each side has and the other lacks (number flags name values, not places)."""
    def found(text: str) -> list[tuple[str, Span]]:
        return [(re.sub(r"[.,\s]", "", m.group()), m.span()) for m in FIGURE_RE.finditer(text)]

    in_src, in_tgt = found(src), found(tgt)
    src_values, tgt_values = {v for v, _ in in_src}, {v for v, _ in in_tgt}
    return [span for v, span in in_src if v not in tgt_values], [span for v, span in in_tgt if v not in src_values]


def review_html_bytes(context: ExportContext) -> bytes:
    return review_html(context.result.pairs, context.lines, context.src_lang, context.tgt_lang, context.signature)


register(Writer("review.html", "for a translator, one self-contained page: counts by kind and severity (a filter), "
                               "search, an alignment map per pair, and in reading order every flagged link and run "
                               "left out or added, differing words highlighted, with context and file:line",
                review_html_bytes, format="review-html"))
