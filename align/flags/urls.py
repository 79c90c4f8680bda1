"""URL and e-mail check: addresses are copied, never translated, so one present on one side only
or changed is an error (a link that leads elsewhere)."""

from __future__ import annotations

import re

from align.flags.context import Detector, PairContext
from align.model import Flag

ADDRESS_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\b(?:https?://|www\.)[^\s<>«»\"]+[^\s<>«»\".,;:!?)]",
                        re.IGNORECASE)


def addresses(text: str) -> dict[str, tuple[int, int]]:
    """URLs and e-mail addresses (lower-cased, without a trailing slash) and their spans."""
    return {m.group().lower().rstrip("/"): m.span() for m in ADDRESS_RE.finditer(text)}


def url_flags(src: str, tgt: str, score: float) -> list[Flag]:
    """Major ``format`` flag for a URL or e-mail address on one side only."""
    in_src, in_tgt = addresses(src), addresses(tgt)
    only_src = [a for a in in_src if a not in in_tgt]
    only_tgt = [a for a in in_tgt if a not in in_src]
    if not only_src and not only_tgt:
        return []
    evidence = f"{', '.join(only_src) or '–'} ↔ {', '.join(only_tgt) or '–'} (address on one side only)"
    return [Flag("format", "major", evidence, score, src_spans=tuple(in_src[a] for a in only_src),
                 tgt_spans=tuple(in_tgt[a] for a in only_tgt))]


def _urls(pair: PairContext) -> list[Flag]:
    return url_flags(pair.src, pair.tgt, pair.config.url_score)


URLS = Detector("urls and e-mails", frozenset({"format"}), None, _urls)
