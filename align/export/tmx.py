"""TMX 1.4b: one translation unit per link with a non-empty side on both ends."""

from __future__ import annotations

from lxml import etree

from align.export.registry import Writer, register
from align.export.safe import plain
from align.model import AlignedPair
from align.version import __version__


def tmx_bytes(pairs: tuple[AlignedPair, ...], src_lang: str, tgt_lang: str) -> bytes:
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {
        "creationtool": "align", "creationtoolversion": __version__, "segtype": "sentence",
        "o-tmf": "align", "adminlang": "en", "srclang": src_lang, "datatype": "plaintext",
    })
    body = etree.SubElement(root, "body")
    for pair in pairs:
        for number, link in enumerate(pair.links):
            if not (link.src and link.tgt):
                continue
            tu = etree.SubElement(body, "tu", tuid=plain(f"{pair.src.path.name}|{pair.tgt.path.name}|{number}"))
            _prop(tu, "x-score", f"{link.score:.4f}")
            _prop(tu, "x-link", link.kind)
            _prop(tu, "x-source-file", str(pair.src.path))
            _prop(tu, "x-target-file", str(pair.tgt.path))
            for flag in link.flags:
                _prop(tu, f"x-flag-{flag.kind}", f"{flag.severity}: {flag.evidence}")
            for lang, doc, ids in ((src_lang, pair.src, link.src), (tgt_lang, pair.tgt, link.tgt)):
                tuv = etree.SubElement(tu, "tuv", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
                etree.SubElement(tuv, "seg").text = plain(" ".join(doc.sentences[i].text for i in ids))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True,
                          doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">')


def _prop(tu, kind: str, value: str) -> None:
    etree.SubElement(tu, "prop", type=kind).text = plain(value)


register(Writer("corpus.tmx", "TMX 1.4b, one <tu> per link with both sides; score and flags as <prop>",
                lambda context: tmx_bytes(context.result.pairs, context.src_lang, context.tgt_lang), format="tmx"))
