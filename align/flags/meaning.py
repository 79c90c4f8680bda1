"""Mistranslation detector: a link whose meaning departs from its source.

Signals: the link's similarity far below the document's own distribution (z-score),
negation on one side only, and opposite directions of change (rose ↔ fell)."""

from __future__ import annotations

import re

from align.flags.config import FlagConfig
from align.flags.context import RU_EN, Detector, PairContext
from align.model import Flag

RU_NEGATION = re.compile(r"\b(?:не|нет|ни|никогда|никто|ничего|ничто|нигде|никак|никакой|никакого|никакие|"
                         r"никаких|нельзя|отнюдь)\b", re.IGNORECASE)
EN_NEGATION = re.compile(r"\b(?:not|no|never|nobody|none|nothing|nowhere|neither|nor|cannot|without|"
                         r"unable|refused?|failed|lack|\w+n't)\b", re.IGNORECASE)
# Russian prefixes that negate a word: «недоволен», «невозможно», «нереально».
# Idioms built on a negative word that negate nothing: «не только» ↔ "not only",
# «не раз» (more than once), «чуть ли не» (almost), «не менее» ↔ "no less".
RU_NOT_NEGATION = re.compile(r"\b(?:не только|не раз|не менее|не более|чуть ли не|едва ли не|не без того)\b",
                             re.IGNORECASE)
EN_NOT_NEGATION = re.compile(r"\b(?:not only|no less|no more than|not least|nothing but|none other)\b", re.IGNORECASE)
RU_NEG_PREFIX = re.compile(r"\b(?:не|без|бес)[а-яё]{4,}", re.IGNORECASE)
EN_NEG_PREFIX = re.compile(r"\b(?:un|in|im|ir|il|dis|non)[a-z]{4,}|\w+less\b", re.IGNORECASE)
RU_UP = re.compile(r"\b(?:вырос\w*|рост\w*|увелич\w*|повыс\w*|повыш\w*|подорож\w*|прибав\w*)", re.IGNORECASE)
RU_DOWN = re.compile(r"\b(?:упал\w*|паден\w*|сниз\w*|сниж\w*|уменьш\w*|сократ\w*|сокращ\w*|подешев\w*)", re.IGNORECASE)
EN_UP = re.compile(r"\b(?:ris(?:e|es|ing|en)|rose|grow(?:s|n|th)?|grew|increas\w*|rais\w*|up|higher|gain\w*)\b",
                   re.IGNORECASE)
EN_DOWN = re.compile(r"\b(?:fall(?:s|ing|en)?|fell|drop\w*|declin\w*|decreas\w*|reduc\w*|cut|lower\w*|down|"
                     r"shrank|shrink\w*)\b", re.IGNORECASE)


def similarity_flags(score: float, mean: float, std: float, config: FlagConfig,
                     coverage: float | None = None) -> list[Flag]:
    """Flag a link whose similarity is far below the document's (z-score) or below an absolute floor.

    ``coverage`` (mean best word cosine of the two sides, if word vectors were computed) must
    confirm a low z-score for a major flag: short sentences full of names score low as a whole
    although every word has its counterpart."""
    z = (score - mean) / std
    evidence = f"similarity {score:.2f}, document mean {mean:.2f} (z = {z:.1f})"
    if coverage is not None:
        evidence += f", word coverage {coverage:.2f}"
    risk = round(min(1.0, max(0.0, -z / config.mistranslation_risk_z)), 3)
    confirmed = coverage is None or coverage <= config.mistranslation_coverage_major
    if score < config.mistranslation_cosine_critical:
        return [Flag("mistranslation", "critical", evidence, max(risk, config.mistranslation_critical_score))]
    if (z <= config.mistranslation_z_major and confirmed) or score < config.mistranslation_cosine_major:
        return [Flag("mistranslation", "major", evidence, max(risk, config.mistranslation_major_score))]
    if z <= config.mistranslation_z_minor:
        return [Flag("mistranslation", "minor", evidence, risk)]
    return []


def negation_flags(src: str, tgt: str, config: FlagConfig) -> list[Flag]:
    """Negation on one side only (``src`` Russian, ``tgt`` English). Minor: translators often
    turn «не мог не» into "had to"."""
    ru = RU_NEGATION.findall(RU_NOT_NEGATION.sub(" ", src))
    en = EN_NEGATION.findall(EN_NOT_NEGATION.sub(" ", tgt))
    if bool(ru) == bool(en):
        return []
    if (ru and EN_NEG_PREFIX.search(tgt)) or (en and RU_NEG_PREFIX.search(src)):
        return []
    evidence = f"{', '.join(ru) or '–'} ↔ {', '.join(en) or '–'} (negation on one side only)"
    return [Flag("mistranslation", "minor", evidence, config.negation_score)]


def direction_flags(src: str, tgt: str, config: FlagConfig) -> list[Flag]:
    """Opposite directions of change (``src`` Russian, ``tgt`` English): «вырос» ↔ "fell"."""
    ru_up, ru_down = RU_UP.findall(src), RU_DOWN.findall(src)
    en_up, en_down = EN_UP.findall(tgt), EN_DOWN.findall(tgt)
    for ru, en, ru_other, en_other in ((ru_up, en_down, ru_down, en_up), (ru_down, en_up, ru_up, en_down)):
        if ru and en and not ru_other and not en_other:
            return [Flag("mistranslation", "major", f"{', '.join(ru)} ↔ {', '.join(en)} (opposite direction)",
                         config.direction_score)]
    return []


def _similarity(pair: PairContext) -> list[Flag]:
    coverage = pair.gaps.coverage if pair.gaps is not None else None
    return similarity_flags(pair.score, pair.mean, pair.std, pair.config, coverage)


def _negation(pair: PairContext) -> list[Flag]:
    return negation_flags(*pair.ru_en, pair.config) if pair.config.negation else []


def _direction(pair: PairContext) -> list[Flag]:
    return direction_flags(*pair.ru_en, pair.config) if pair.config.negation else []


SIMILARITY = Detector("similarity", frozenset({"mistranslation"}), None, _similarity)
NEGATION = Detector("negation", frozenset({"mistranslation"}), RU_EN, _negation)
DIRECTION = Detector("direction", frozenset({"mistranslation"}), RU_EN, _direction)
