"""TMX 1.4b a CAT tool can trust: `corpus.tmx` holds the links worth reusing as they are;
`corpus.flagged.tmx` holds the links with a major or critical flag and those scoring below
``export.tmx_min_score`` (for OmegaT's ``tm/penalty-NN/`` folder, whose matches are
offered with a penalty). Only links with text on both sides are translation units.

Each ``<tu>`` has a ``tuid`` unique across folders and stable across reruns (a digest of the
two texts, then the link's number), a ``segtype`` (``sentence`` for a 1-1 link,
``paragraph`` when the link's sentences are whole paragraphs on both sides, else
``block``), and ``creationdate``/``changedate``: the modification time of the newer of its
two files. The wall clock is never read, so the same inputs give the same bytes; touching a
file changes only its units' dates (the header's is the newest file's)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from lxml import etree

from align.export.registry import ExportContext, Writer, register
from align.export.safe import plain
from align.model import AlignedPair, EmbeddedDocument, Link
from align.settings import ExportConfig
from align.version import __version__

SERIOUS = ("major", "critical")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Unit:
    """One link with both sides, and why it is held back from corpus.tmx (None: it is not)."""

    pair: AlignedPair
    number: int
    link: Link
    held_back: str | None


def units(pairs: tuple[AlignedPair, ...], min_score: float) -> list[Unit]:
    """Every link with text on both sides, in reading order, with the reason it is held back."""
    return [Unit(pair, number, link, held_back(link, min_score))
            for pair in pairs for number, link in enumerate(pair.links) if link.src and link.tgt]


def held_back(link: Link, min_score: float) -> str | None:
    """Why a CAT tool should not trust ``link`` as it is: its major or critical flags, or a
    score below ``min_score``."""
    serious = sorted({f"{flag.severity} {flag.kind}" for flag in link.flags if flag.severity in SERIOUS})
    reasons = serious + ([f"score {link.score:.4f} below {min_score:g}"] if link.score < min_score else [])
    return "; ".join(reasons) or None


def tmx_bytes(pairs: tuple[AlignedPair, ...], src_lang: str, tgt_lang: str, *,
              config: ExportConfig = ExportConfig(), flagged: bool = False) -> bytes:
    """corpus.tmx (``flagged`` False: the trusted links) or corpus.flagged.tmx (the rest)."""
    dates = {pair: _pair_date(pair) for pair in pairs}
    known = sorted(d for d in dates.values() if d)
    header = {"creationtool": "align", "creationtoolversion": __version__, "segtype": "sentence",
              "o-tmf": "align", "adminlang": "en", "srclang": src_lang, "datatype": "plaintext"}
    if known:
        header |= {"creationdate": known[-1], "changedate": known[-1]}
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", header)
    body = etree.SubElement(root, "body")
    digests = {pair: _pair_digest(pair) for pair in pairs}
    paragraphs = _ParagraphSizes()
    for unit in units(pairs, config.tmx_min_score):
        if (unit.held_back is not None) != flagged:
            continue
        pair, link = unit.pair, unit.link
        attributes = {"tuid": f"{digests[pair]}-{unit.number}", "segtype": _segtype(pair, link, paragraphs)}
        if dates[pair]:
            attributes |= {"creationdate": dates[pair], "changedate": dates[pair]}
        tu = etree.SubElement(body, "tu", attributes)
        _prop(tu, "x-score", f"{link.score:.4f}")
        _prop(tu, "x-link", link.kind)
        _prop(tu, "x-source-file", str(pair.src.path))
        _prop(tu, "x-target-file", str(pair.tgt.path))
        for side, doc, ids in (("source", pair.src, link.src), ("target", pair.tgt, link.tgt)):
            if doc.segments(ids):  # a checked bilingual file: back to the segment in the CAT tool
                _prop(tu, f"x-{side}-segment", " ".join(doc.segments(ids)))
        if unit.held_back:
            _prop(tu, "x-held-back", unit.held_back)
        for flag in link.flags:
            _prop(tu, f"x-flag-{flag.kind}", f"{flag.severity}: {flag.evidence}")
        for lang, doc, ids in ((src_lang, pair.src, link.src), (tgt_lang, pair.tgt, link.tgt)):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            etree.SubElement(tuv, "seg").text = plain(" ".join(doc.sentences[i].text for i in ids))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True,
                          doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">')


def tmx_date(timestamp: float) -> str:
    """A POSIX time in TMX's date format, YYYYMMDDThhmmssZ (UTC)."""
    return datetime.fromtimestamp(int(timestamp), timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _pair_date(pair: AlignedPair) -> str | None:
    """When the newer of the pair's two files last changed; None when a file is gone."""
    try:
        return tmx_date(max(pair.src.path.stat().st_mtime, pair.tgt.path.stat().st_mtime))
    except OSError:
        return None


def _pair_digest(pair: AlignedPair) -> str:
    """12 hex digits naming the pair by its two texts and languages: the same texts give the
    same tuids in any folder, different texts never share one."""
    digest = hashlib.sha256()
    for doc in (pair.src, pair.tgt):
        digest.update(f"{doc.lang}\0{len(doc.document.raw)}\0".encode())
        digest.update(doc.document.raw.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:12]


class _ParagraphSizes:
    """Sentences per paragraph of each document, counted once."""

    def __init__(self) -> None:
        self._sizes: dict[EmbeddedDocument, Counter[int]] = {}

    def whole(self, doc: EmbeddedDocument, ids: tuple[int, ...]) -> bool:
        """Whether sentences ``ids`` are whole paragraphs of ``doc``."""
        if doc not in self._sizes:
            self._sizes[doc] = Counter(sentence.paragraph for sentence in doc.sentences)
        held = Counter(doc.sentences[i].paragraph for i in ids)
        return all(self._sizes[doc][paragraph] == count for paragraph, count in held.items())


def _segtype(pair: AlignedPair, link: Link, paragraphs: _ParagraphSizes) -> str:
    if len(link.src) == 1 and len(link.tgt) == 1:
        return "sentence"
    return "paragraph" if paragraphs.whole(pair.src, link.src) and paragraphs.whole(pair.tgt, link.tgt) else "block"


def _prop(tu: etree._Element, kind: str, value: str) -> None:
    etree.SubElement(tu, "prop", type=kind).text = plain(value)


def _config(context: ExportContext) -> ExportConfig:
    return context.settings.export if context.settings is not None else ExportConfig()


register(Writer("corpus.tmx", "TMX 1.4b, one <tu> per link with both sides that a CAT tool can trust (no major or "
                              "critical flag, score at least export.tmx_min_score); score and flags as <prop>",
                lambda context: tmx_bytes(context.result.pairs, context.src_lang, context.tgt_lang,
                                          config=_config(context)), format="tmx"))
register(Writer("corpus.flagged.tmx", "TMX 1.4b of the links held back from corpus.tmx (a major or critical flag, "
                                      "or a score below export.tmx_min_score), the reason as <prop type=x-held-back>; "
                                      "for OmegaT's tm/penalty-NN/ folder",
                lambda context: tmx_bytes(context.result.pairs, context.src_lang, context.tgt_lang,
                                          config=_config(context), flagged=True), format="tmx-flagged"))
