"""Opposite meanings across Russian and English: a concept on one side, its opposite on the other
(«вырос» ↔ "fell", «разрешили» ↔ "banned", «победил» ↔ "lost"). Each row is two concepts with
their Russian and English forms; a word form written the same in both concepts is avoided."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Opposites:
    """Two opposite concepts, each as a Russian and an English pattern; ``label`` names the pair."""

    label: str
    ru_a: re.Pattern
    en_a: re.Pattern
    ru_b: re.Pattern
    en_b: re.Pattern


def _row(label: str, ru_a: str, en_a: str, ru_b: str, en_b: str) -> Opposites:
    ru = lambda p: re.compile(rf"\b(?:{p})\w*", re.IGNORECASE)  # Russian stems: any ending
    en = lambda p: re.compile(rf"\b(?:{p})\b", re.IGNORECASE)  # English: whole forms
    return Opposites(label, ru(ru_a), en(en_a), ru(ru_b), en(en_b))


OPPOSITES: tuple[Opposites, ...] = (
    _row("direction", r"вырос|рост|увелич|повыс|повыш|подорож|прибав",
         r"ris(?:e|es|ing|en)|rose|grow(?:s|n|th)?|grew|increas\w*|rais\w*|up|higher|gain\w*",
         r"упал|паден|сниз|сниж|уменьш|сократ|сокращ|подешев",
         r"fall(?:s|ing|en)?|fell|drop\w*|declin\w*|decreas\w*|reduc\w*|cut|lower\w*|down|shrank|shrink\w*"),
    _row("allowed / forbidden", r"разреш|позвол", r"allow\w*|permit\w*|authori[sz]\w*",
         r"запрет|запрещ", r"ban(?:s|ned|ning)?|forb[ia]d\w*|prohibit\w*"),
    _row("won / lost", r"побед|выигр", r"wins?|won|winning|victor\w*", r"проигр|поражен", r"los(?:e|es|t|ing)|defeat\w*"),
    _row("opened / closed", r"откр[ыо]", r"open\w*", r"закр[ыо]", r"clos(?:e|es|ed|ing|ure)|shut\w*"),
    _row("bought / sold", r"купи|покуп|приобр", r"buy\w*|bought|purchas\w*", r"прода|продаж", r"sell\w*|sold|sales?"),
    _row("more / less", r"больше|более", r"more", r"меньше|менее", r"less|fewer"),
    _row("high / low", r"высок", r"high\w*", r"низк", r"low\w*"),
    _row("early / late", r"рано|ранн", r"early|earlier", r"поздн|поздно", r"late|later"),
    _row("better / worse", r"лучш", r"best|better", r"худш|хуже", r"worst|worse"),
    _row("strong / weak", r"сильн", r"strong\w*", r"слаб", r"weak\w*"),
    _row("large / small", r"больш(?:ой|ая|ое|ие|их|ого|ому|им|ими|ую)\b|крупн|огромн", r"big\w*|large\w*|huge",
         r"мал(?:ый|ая|ое|ые|ых|ым|ыми|ого|ому|ой|ом|ую|еньк\w*)\b|небольш", r"small\w*|little|tiny"),
    _row("success / failure", r"успе[хш]", r"success\w*", r"неудач|провал", r"fail(?:s|ed|ure)?"),
    _row("included / excluded", r"включ", r"includ\w*", r"исключ", r"exclud\w*"),
    _row("legal / illegal", r"законн", r"legal(?:ly)?", r"незаконн|нелегальн", r"illegal(?:ly)?|unlawful\w*"),
    _row("first / last", r"перв", r"first", r"последн", r"last"),
    _row("new / old", r"нов(?:ый|ая|ое|ые|ых|ого|ому|ой|ую|ом|ым|ыми)\b", r"new\w*",
         r"стар(?:ый|ая|ое|ые|ых|ого|ому|ой|ую|ом|ым|ыми)\b", r"old\w*"),
    _row("good / bad", r"хорош", r"good", r"плох", r"bad(?:ly)?"),
    _row("positive / negative", r"положительн|позитивн", r"positive\w*", r"отрицательн|негативн", r"negative\w*"),
    _row("agreed / refused", r"соглас|одобр", r"agree\w*|approv\w*|accept\w*", r"отказ|отклон|отверг",
         r"refus\w*|reject\w*|declined"),
    _row("began / ended", r"нача|начин", r"beg[iau]n\w*|start\w*", r"законч|заверш|оконч|прекрат|перестал",
         r"end(?:s|ed|ing)?|finish\w*|stop(?:s|ped|ping)?|ceas\w*"),
    _row("after / before", r"после", r"after\w*", r"перед|прежде|раньше", r"before|earlier|prior"),
    _row("true / false", r"правд|истинн|верн(?:ый|ая|ое|ые|ым|ыми|ых)\b", r"true|truth\w*", r"ложн|неправд|неверн",
         r"false\w*|untrue"),
    _row("young / old", r"молод", r"young\w*", r"пожил|старик|старух", r"elderly|old"),
    _row("public / private", r"публичн|общественн|государственн", r"public", r"частн", r"private\w*"),
    _row("long / short", r"длинн|долг(?:ий|ая|ое|ие|их|ого|о)\b", r"long\w*", r"коротк|кратк", r"short\w*|brief\w*"),
)


@dataclass(frozen=True)
class Reversal:
    """A concept on the Russian side rendered by its opposite; the words and their spans."""

    label: str
    ru: re.Match
    en: re.Match


def reversals(ru: str, en: str, negated: bool = False) -> list[Reversal]:
    """Rows where the Russian has one concept only and the English its opposite only; none when
    one side only is ``negated`` (a negated concept is its opposite: «не увенчалась успехом» ↔ "failed")."""
    if negated:
        return []
    found = []
    for row in OPPOSITES:
        for ru_this, en_that, ru_other, en_other in ((row.ru_a, row.en_b, row.ru_b, row.en_a),
                                                     (row.ru_b, row.en_a, row.ru_a, row.en_b)):
            if not (r := ru_this.search(ru)) or not (e := en_that.search(en)):
                continue
            if not ru_other.search(ru) and not en_other.search(en):
                found.append(Reversal(row.label, r, e))
    return found
