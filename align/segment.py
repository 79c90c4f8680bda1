"""Sentence segmentation: nltk Punkt with curated parameters, corrected by rules.

Punkt (no downloaded model) proposes boundaries using curated abbreviation sets
and an orthographic context learned from the text itself (which words occur in
lower case, so a capitalised common word after an abbreviation starts a
sentence, a capitalised name does not). Rules then veto or add boundaries where
Punkt errs on this corpus: initials, archival references, list markers,
quotations followed by a lowercase continuation, ellipses, ``и др.``/``г.``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from align.model import Document, Sentence

# Abbreviations that never end a sentence (lower case, without the final period).
_NEVER_FINAL = frozenset(
    """
    т тов тт т.т см ср стр с ст ч п пп им ул б т.е т.к т.н т.о с.г напр проф акад
    ф оп д л лл об св гр ген ред изд вып доп прим рис табл гл разд
    mr mrs ms dr st cf e.g i.e vol vols pp p no nos gen col prof rev sen ed eds
    зам пред нач пом сов нар выс уполном отд исх зав чл окр мед воен обл през
    полк подп пл раб соед кв дом пер p.s п.с
    fig ch art sect op jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# Abbreviations that may end a sentence: split iff a sentence starter follows.
_MAY_END = frozenset(
    "г гг др т.д т.п млн млрд тыс руб коп etc u.s u.s.s.r ussr".split()
)
_ABBREVIATIONS = _NEVER_FINAL | _MAY_END | {"е", "д"}

# Common words that start sentences; supplements the text's own lowercase vocabulary.
_STARTERS = frozenset(
    """
    в во на с со по к ко из за о об от до при после для но а и или однако это
    этот эта эти он она оно они я мы вы ты так как когда тогда там здесь все
    всё тем поэтому если хотя уже еще ещё же кроме между через под над перед
    the a an in on at he she it they we i you this that these those but and
    however when then there after before for of as his her their its our
    """.split()
)

_CLOSERS = "»”’)]"  # closing marks that cannot start a sentence
_OPENERS = "«“„\"'‘(["
_DASHES = "-–—"
_MONTHS = (
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
    "январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре|"
    "начале|конце|середине"
)
_BARE_DATE = re.compile(
    rf"^(?:(?:В|Во|С|К|До|После|Летом|Весной|Осенью|Зимой|На|Январь|Февраль|Март|Апрель|"
    rf"Май|Июнь|Июль|Август|Сентябрь|Октябрь|Ноябрь|Декабрь)\s+)?(?:\d{{1,2}}\s+)?"
    rf"(?:(?:{_MONTHS})\s+)?\d{{4}}(?:\s*[–-]\s*\d{{2,4}})?\s+гг?\.$"
)
_LIST_MARKER = re.compile(r"(?:^|[:;]\s*)(?:\(?\d{1,3}[.)]|[IVXLCDM]{1,6}\.|\(?[a-zа-яё]\))$")
_ARCHIVE_FIELD = re.compile(r"^(?:Ф|Оп|Д|Лл?|On)\.\s?\d")
_INITIAL = re.compile(r"(?:^|[\s(«\"“.])(?:[A-ZА-ЯЁ]|Yu|Ya|Ch|Sh|Zh|Kh|Ts|Th|Дж)\.$")
_LAST_TOKEN = re.compile(r"(\S+?)\.[»”’\")\]]*$")
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)[»”’\")\]]*$")
_EXTRA_CANDIDATE = re.compile(
    r"(?:\.{3}|…|(?<![\w.])(?:др|гг|г|т\.\s?[дп]|etc|млн|тыс|руб|коп)\.)[»”’\")\]]*(?=\s+\S)"
)
_SPACES = re.compile(r"\s*")
_CJK_END = re.compile(r"[。！？]+[」』”’）)]*")
_LOWER_WORD = re.compile(r"(?<!\w)[^\W\dA-ZА-ЯЁ_]\w*")
_MID_CAPITAL = re.compile(r"(?<=[a-zа-яё,] )[A-ZА-ЯЁ][a-zа-яё]+")
_FIRST_WORD = re.compile(r"[«“„\"'‘(\[]*(\w+)")


@dataclass(frozen=True)
class _Model:
    """A Punkt tokenizer, the text's lowercase vocabulary and its names.

    ``names`` are capitalised words seen mid-sentence and never in lower case.
    """

    punkt: PunktSentenceTokenizer
    lower: frozenset[str]
    names: frozenset[str]


def _model(text: str) -> _Model:
    """Curated Punkt parameters plus orthographic context from ``text``'s lowercase words."""
    lower = frozenset(_LOWER_WORD.findall(text)) | _STARTERS
    names = frozenset(w for w in _MID_CAPITAL.findall(text) if w.lower() not in lower)
    params = PunktParameters()
    params.abbrev_types = set(_ABBREVIATIONS)
    params.ortho_context = defaultdict(int)
    for word in lower:
        params.ortho_context[word] |= 1 << 5  # nltk's _ORTHO_MID_LC: lower case mid-sentence
    return _Model(PunktSentenceTokenizer(params), lower, names)


def _is_starter(right: str, model: _Model, unknown: bool) -> bool:
    """True if ``right`` begins with a capitalised common word, False for a name or acronym.

    A capitalised word the text never shows in lower case nor as a name gets ``unknown``.
    """
    m = _FIRST_WORD.match(right)
    if not m:
        return False
    word = m.group(1)
    if len(word) == 1 and right[m.end():m.end() + 1] == ".":
        return False
    if not word[0].isupper() or (len(word) > 1 and word.isupper()):
        return False
    if word.lower() in model.lower:
        return True
    return unknown and word not in model.names


def _keep(left: str, right: str, model: _Model) -> bool:
    """Decide whether a boundary between sentence-so-far ``left`` and text ``right`` stands."""
    left = left.strip()
    first = right[:1]
    after_dash = right.lstrip(_DASHES + " ")[:1] if first in _DASHES else ""
    if first in _CLOSERS or first in ",;:" or first.islower() or after_dash.islower():
        return False
    if _LIST_MARKER.search(left) or _ARCHIVE_FIELD.match(right) or _INITIAL.search(left):
        return False
    if left.count("(") > left.count(")") and ")" in right[:60].split(". ")[0]:
        return False
    if _ELLIPSIS_END.search(left):
        m = _FIRST_WORD.match(right)
        return bool(m) and m.group(1)[0].isupper()
    token = _LAST_TOKEN.search(left)
    if token:
        typ = re.sub(r"\.\s+", ".", token.group(1).lower()).lstrip(_OPENERS)
        if re.fullmatch(r"\d+гг?", typ):
            typ = typ.lstrip("0123456789")
        elif typ in ("г", "гг") and not re.search(r"\d(?:-[а-я]{1,3})?\s*гг?\.$", left):
            return False
        if typ in ("д", "п") and re.search(r"(?:^|\s)т\.\s?[дп]\.$", left):
            typ = "т." + typ
        if typ in _MAY_END:
            if typ in ("г", "гг") and _BARE_DATE.match(left):
                return False
            return _is_starter(right, model, unknown=typ != "г")
        if typ in _ABBREVIATIONS:
            return False
    return True


def _split_chunk(
    text: str, offset: int, model: _Model, out: list[tuple[int, int]]
) -> None:
    """Append the sentence spans of ``text`` (shifted by ``offset``) to ``out``."""
    spans = list(model.punkt.span_tokenize(text))
    boundaries = {s: e for (_, e), (s, _) in zip(spans, spans[1:])}
    for m in _EXTRA_CANDIDATE.finditer(text):
        start = _SPACES.match(text, m.end()).end()
        boundaries.setdefault(start, m.end())
    cur = 0
    for start in sorted(boundaries):
        end = boundaries[start]
        if end <= cur:
            continue
        if _keep(text[cur:end], text[start:start + 200], model):
            out.append((offset + cur, offset + end))
            cur = start
    out.append((offset + cur, offset + len(text)))


def _split(text: str, model: _Model) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` using ``model``; CJK enders always split."""
    raw: list[tuple[int, int]] = []
    cut = 0
    for m in _CJK_END.finditer(text):
        _split_chunk(text[cut:m.end()], cut, model, raw)
        cut = m.end()
    _split_chunk(text[cut:], cut, model, raw)
    spans = []
    for s, e in raw:
        chunk = text[s:e]
        stripped = chunk.strip()
        if stripped:
            s += len(chunk) - len(chunk.lstrip())
            spans.append((s, s + len(stripped)))
    return spans


def split_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, stripped, covering all non-space text.

    ``lang`` is accepted for the API but unused: the rules cover Russian and
    English, other Latin/Cyrillic text gets Punkt's defaults, and CJK full
    stops split in any language.
    """
    return _split(text, _model(text))


# A "sentence" longer than this (characters) is cut at spaces into pieces no longer: a
# line with no punctuation (a table, a dump) would otherwise be one unit for the encoders,
# whose token windows end long before it, and for the aligner.
MAX_SENTENCE_CHARS = 2000


def split_document(doc: Document) -> list[Sentence]:
    """Split every paragraph of ``doc`` into sentences with original-file offsets."""
    model = _model(doc.text)
    sentences: list[Sentence] = []
    for p in doc.paragraphs:
        for s, e in (piece for span in _split(p.text, model) for piece in cut_long(p.text, *span)):
            start, end = p.original_span(s, e)
            sentences.append(
                Sentence(str(doc.path), len(sentences), p.index, p.text[s:e], start, end)
            )
    return sentences


def cut_long(text: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """``text[start:end]`` as spans of at most ``limit`` characters, cut after the last
    space before the limit (mid-word only when a piece has no space)."""
    pieces = []
    while end - start > limit:
        cut = text.rfind(" ", start + 1, start + limit)
        cut = cut + 1 if cut > start else start + limit
        pieces.append((start, len(text[start:cut].rstrip()) + start))
        start = cut
        while start < end and text[start] == " ":
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces
