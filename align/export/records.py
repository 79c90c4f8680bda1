"""One JSON-ready record per link (interface 3 of the design)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from align.fileio import atomic_open
from align.model import Link, Sentence
from align.scoring import format_link


def side_record(path: Path, sentences: tuple[Sentence, ...], ids: tuple[int, ...]) -> dict:
    return {
        "file": str(path),
        "ids": list(ids),
        "spans": [[sentences[i].start, sentences[i].end] for i in ids],
        "text": " ".join(sentences[i].text for i in ids),
    }


def link_records(pair) -> Iterator[dict]:
    """Records of an ``AlignedPair``; source/target keys are the languages."""
    src, tgt = pair.src, pair.tgt
    src_key, tgt_key = _keys(src.lang, tgt.lang)
    for number, link in enumerate(pair.links):
        yield {
            "pair": f"{src.path}|{tgt.path}",
            "link": number,
            "score": round(float(link.score), 4),
            src_key: side_record(src.path, src.sentences, link.src),
            tgt_key: side_record(tgt.path, tgt.sentences, link.tgt),
            "flags": [_flag_record(flag) for flag in link.flags],
        }


def _keys(src_lang: str, tgt_lang: str) -> tuple[str, str]:
    """Language codes as keys; ``src``/``tgt`` when both sides share a language."""
    return (src_lang, tgt_lang) if src_lang != tgt_lang else ("src", "tgt")


def _flag_record(flag) -> dict:
    return {"kind": flag.kind, "severity": flag.severity, "evidence": flag.evidence, "score": flag.score}


def write_jsonl(path: Path, pairs) -> int:
    count = 0
    with atomic_open(path) as out:
        for pair in pairs:
            for record in link_records(pair):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    return count


def links_text(links: list[Link]) -> str:
    """Vecalign/Bertalign ``[src ids]:[tgt ids]`` lines, one per link."""
    return "".join(format_link(link.src, link.tgt) + "\n" for link in links)
