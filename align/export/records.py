"""links.jsonl: one JSON record per link (interface 3 of the design); links.txt: the
Vecalign/Bertalign ``[src ids]:[tgt ids]`` lines of a single pair."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from align.export.registry import ExportContext, Writer, register
from align.export.safe import plain
from align.model import AlignedPair, BuildResult, EmbeddedDocument, Flag, Link, Sentence, passage_of
from align.scoring import format_link


def side_record(path: Path, sentences: tuple[Sentence, ...], ids: tuple[int, ...]) -> dict[str, Any]:
    return {
        "file": plain(str(path)),
        "ids": list(ids),
        "spans": [[sentences[i].start, sentences[i].end] for i in ids],
        "text": plain(" ".join(sentences[i].text for i in ids)),
    }


def link_records(pair: AlignedPair) -> Iterator[dict[str, Any]]:
    """Records of an ``AlignedPair``; source/target keys are the languages."""
    src, tgt = pair.src, pair.tgt
    src_key, tgt_key = _keys(src.lang, tgt.lang)
    for number, link in enumerate(pair.links):
        yield {
            "pair": plain(f"{src.path}|{tgt.path}"),
            "link": number,
            "score": round(float(link.score), 4),
            src_key: _side(src, link.src),
            tgt_key: _side(tgt, link.tgt),
            "flags": [_flag_record(flag) for flag in link.flags],
        } | _passage(pair, link)


def _passage(pair: AlignedPair, link: Link) -> dict[str, Any]:
    """For a located pair: the passage holding the link and how it renders its original."""
    k = passage_of(pair.passages, link.src, link.tgt) if pair.mode == "located" else None
    return {} if k is None else {"passage": k, "relation": pair.passages[k].relation}


def _side(doc: EmbeddedDocument, ids: tuple[int, ...]) -> dict[str, Any]:
    return side_record(doc.path, doc.sentences, ids) | _locations(doc, ids) | _segments(doc, ids)


def _locations(doc: EmbeddedDocument, ids: tuple[int, ...]) -> dict[str, Any]:
    """Where each sentence starts in a DOCX, ODT, EPUB or PDF original (``page 3, line 12,
    char 5``); nothing for plain text, whose spans already say it."""
    if not doc.document.regions:
        return {}
    return {"locations": [plain(doc.document.location(doc.sentences[i].start).describe()) for i in ids]}


def _segments(doc: EmbeddedDocument, ids: tuple[int, ...]) -> dict[str, Any]:
    """The segment ids of a bilingual file (`align check`) that the sentences lie in; nothing for other files."""
    segments = doc.segments(ids)
    return {"segments": [plain(s) for s in segments]} if segments else {}


def _keys(src_lang: str, tgt_lang: str) -> tuple[str, str]:
    """Language codes as keys; ``src``/``tgt`` when both sides share a language."""
    return (src_lang, tgt_lang) if src_lang != tgt_lang else ("src", "tgt")


def _flag_record(flag: Flag) -> dict[str, Any]:
    """The flag's fields; the spans only when a detector gave them (older records stay as they were)."""
    record: dict[str, Any] = {"kind": flag.kind, "severity": flag.severity, "evidence": plain(flag.evidence),
                              "score": flag.score}
    if flag.src_spans:
        record["src_spans"] = [list(s) for s in flag.src_spans]
    if flag.tgt_spans:
        record["tgt_spans"] = [list(s) for s in flag.tgt_spans]
    return record


# Line separators JSON leaves raw in strings, at which ``str.splitlines`` (and JavaScript
# before ES2019) end a line: escaped, so that every reader sees one record per line.
_LINE_SEPARATORS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def jsonl_bytes(context: ExportContext) -> bytes:
    return "".join(json.dumps(record, ensure_ascii=False).translate(_LINE_SEPARATORS) + "\n"
                   for pair in context.result.pairs for record in link_records(pair)).encode()


def links_text(links: tuple[Link, ...] | list[Link]) -> str:
    """Vecalign/Bertalign ``[src ids]:[tgt ids]`` lines, one per link."""
    return "".join(format_link(link.src, link.tgt) + "\n" for link in links)


def _single_pair(result: BuildResult) -> bool:
    return len(result.pairs) == 1 and result.pairs[0].mode == "parallel"


register(Writer("links.jsonl", "one aligned unit per line: files, sentence ids, character spans, texts, "
                               "score, flags", jsonl_bytes, format="jsonl"))
register(Writer("links.txt", "the links of one document pair as [src ids]:[tgt ids] lines (Vecalign format)",
                lambda context: links_text(context.result.pairs[0].links).encode(), _single_pair, format="links"))
