"""The typed result of every bilingual reader: segments already paired by a CAT tool,
each with the id the tool shows, so a flag can send the translator back to it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

BilingualFormat = Literal["xliff-1.2", "xliff-2.0", "sdlxliff", "tmx", "tsv"]


@dataclass(frozen=True)
class BilingualSegment:
    """One source segment and its target as the file pairs them (``target`` "": not
    translated); ``location`` says where the segment sits in the file (``line 12``)."""

    id: str
    source: str
    target: str
    location: str


@dataclass(frozen=True)
class BilingualFile:
    """A bilingual file read as it is; languages as the file declares them ("" unknown),
    reduced to their primary subtag (``ru-RU`` → ``ru``)."""

    path: Path
    format: BilingualFormat
    src_lang: str
    tgt_lang: str
    segments: tuple[BilingualSegment, ...]


def primary_language(code: str | None) -> str:
    """``ru-RU``, ``en_US``, ``EN`` → ``ru``, ``en``; "" for none (or TMX's ``*all*``)."""
    code = (code or "").strip()
    if not code or code.startswith("*"):
        return ""
    return code.replace("_", "-").split("-")[0].lower()


def unique_ids(paths: list[tuple[str, ...]]) -> list[str]:
    """Each segment's id: the fewest trailing parts of its path (file, unit, segment) that
    tell every segment of the file apart (SDLXLIFF's ``mid`` alone, as Trados numbers
    segments; ``unit/segment`` where segment ids repeat across units). A file repeating
    whole paths gets the segment's ordinal appended (``u1/s1#7``)."""
    longest = max((len(p) for p in paths), default=0)
    for k in range(1, longest + 1):
        ids = ["/".join(p[-k:]) for p in paths]
        if len(set(ids)) == len(ids):
            return ids
    return [f"{'/'.join(p)}#{n}" for n, p in enumerate(paths, start=1)]
