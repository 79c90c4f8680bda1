"""Query results and whole corpora in the formats other tools read: TSV and JSONL
(pandas), Parquet (pyarrow), TMX 1.4b, and vertical text (VRT) for CWB/CQPweb and
NoSketch Engine: one ``<seg>`` per link with its id, type, score and flag kinds, one
token per line as word, lemma and the aligned word of the other side, so that the two
sides' files align on ``seg_id`` (``cwb-align-encode -V seg_id``)."""

from __future__ import annotations

import io
from xml.sax.saxutils import quoteattr

import pandas as pd
from lxml import etree

from align.export.safe import cell, plain
from align.version import __version__

FORMATS = ("tsv", "jsonl", "tmx", "parquet", "vrt")


def render(frame: pd.DataFrame, fmt: str, langs: tuple[str, str], word_pairs: pd.DataFrame | None = None,
           side: str = "src") -> bytes:
    """``frame`` (links, flags, KWIC or equivalents) as ``fmt``; TMX and VRT need links
    (``src_text``/``tgt_text``); VRT also the links' ``word_pairs``."""
    if fmt == "tsv":  # every text a safe spreadsheet cell, as in pairs.tsv
        safe = frame.apply(lambda column: column.map(lambda v: cell(v) if isinstance(v, str) else v))
        return safe.to_csv(sep="\t", index=False, lineterminator="\n").encode()
    if fmt == "jsonl":
        return frame.to_json(orient="records", lines=True, force_ascii=False).encode() if len(frame) else b""
    if fmt == "parquet":
        out = io.BytesIO()
        frame.to_parquet(out, engine="pyarrow", index=False)
        return out.getvalue()
    if fmt == "tmx":
        return _tmx(frame, langs)
    if fmt == "vrt":
        return _vrt(frame, langs, word_pairs if word_pairs is not None else pd.DataFrame(), side)
    raise ValueError(fmt)


def _tmx(frame: pd.DataFrame, langs: tuple[str, str]) -> bytes:
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {"creationtool": "align", "creationtoolversion": __version__,
                                      "segtype": "sentence", "o-tmf": "align", "adminlang": "en",
                                      "srclang": langs[0], "datatype": "plaintext"})
    body = etree.SubElement(root, "body")
    for row in frame.itertuples():
        if not (row.src_text and row.tgt_text):
            continue
        tu = etree.SubElement(body, "tu", tuid=str(row.link_id))
        for kind, value in (("x-score", f"{row.score:.4f}"), ("x-link", row.type), ("x-source-file", row.src_path),
                            ("x-target-file", row.tgt_path), *((f"x-flag-{k}", s) for k, s in
                                                               zip(row.flag_kinds, row.flag_severities))):
            etree.SubElement(tu, "prop", type=kind).text = plain(str(value))
        for lang, text in zip(langs, (row.src_text, row.tgt_text)):
            tuv = etree.SubElement(tu, "tuv", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
            etree.SubElement(tuv, "seg").text = plain(text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True,
                          doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">')


def _vrt(frame: pd.DataFrame, langs: tuple[str, str], word_pairs: pd.DataFrame, side: str) -> bytes:
    from align.store.morph import lemma, words

    other = "tgt" if side == "src" else "src"
    lang = langs[0 if side == "src" else 1]
    aligned: dict[tuple[int, int], str] = {}
    for row in word_pairs.itertuples():
        aligned[(row.link_id, getattr(row, f"{side}_start"))] = getattr(row, f"{other}_word")
    out = [f'<corpus lang="{lang}" side="{side}">']
    path = None
    for row in frame.itertuples():
        doc = row.src_path if side == "src" else row.tgt_path
        if doc != path:
            if path is not None:
                out.append("</text>")
            out.append(f"<text id={quoteattr(str(doc))}>")
            path = doc
        out.append(f'<seg id="{row.link_id}" type="{row.type}" score="{row.score:.4f}" '
                   f'kinds={quoteattr("|" + "".join(k + "|" for k in row.flag_kinds))}>')  # a CWB feature set
        for start, _, word in words(getattr(row, f"{side}_text")):
            out.append(f"{_clean(word)}\t{_clean(lemma(word, lang))}\t{_clean(aligned.get((row.link_id, start), '-'))}")
        out.append("</seg>")
    if path is not None:
        out.append("</text>")
    out.append("</corpus>")
    return ("\n".join(out) + "\n").encode()


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("<", "&lt;").replace(">", "&gt;") or "-"
