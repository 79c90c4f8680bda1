"""Mistranslation detectors: a link whose meaning departs from its source.

Signals: the link's similarity far below the document's own distribution (z-score),
negation on one side only, opposite meanings (rose ↔ fell, allowed ↔ banned), and a change of
grammatical person (we ↔ they). The similarity drop only ever supports the word-level signals:
with it they are major, alone they stay minor."""

from __future__ import annotations

import re

from align.flags.config import FlagConfig
from align.flags.context import RU_EN, Detector, PairContext
from align.flags.morph import EN_PERSON, RU_PERSON, RU_PERSON_IDIOMS, ru_word
from align.flags.opposites import reversals
from align.model import Flag, Span

RU_NEGATION = re.compile(r"\b(?:не|нет|ни|никогда|никто|ничего|ничто|нигде|никак|никакой|никакого|никакие|"
                         r"никаких|нельзя|отнюдь)\b", re.IGNORECASE)
EN_NEGATION = re.compile(r"\b(?:not|no|never|nobody|none|nothing|nowhere|neither|nor|cannot|without|"
                         r"unable|refused?|failed|lack|\w+n['’]t)\b", re.IGNORECASE)
# Russian prefixes that negate a word: «недоволен», «невозможно», «нереально».
# Idioms built on a negative word that negate nothing: «не только» ↔ "not only",
# «не раз» (more than once), «чуть ли не» (almost), «не менее» ↔ "no less".
RU_NOT_NEGATION = re.compile(r"\b(?:не только|не раз|не менее|не более|чуть ли не|едва ли не|не без того|"
                             r"чуть не|едва не)\b", re.IGNORECASE)
# Words that carry a negative meaning without a negation: a bare «не» rendered by one of them
# ("lost control" for «не справился»), or "no longer" for «перестал», is a rendering, so minor.
EN_NEGATIVE_MEANING = re.compile(r"\b(?:lost|los[et]s?|los(?:ing)|miss\w*|avoid\w*|den(?:y|ies|ied)|prevent\w*|stop\w*|"
                                 r"absen\w*|hardly|barely|instead|rather|unless|until|only|trouble\w*|ban\w*|"
                                 r"forb[ia]d\w*|prohibit\w*|reject\w*|declin\w*|impossible|little|few|question)\b",
                                 re.IGNORECASE)
RU_NEGATIVE_MEANING = re.compile(r"\b(?:перестал|прекрат|отказ|отсутств|нехват|лиш[ьеи]|только|мало|кроме|вне|"
                                 r"против|запрет|избега|избеж|помеша|едва|невозмож|трудно)\w*", re.IGNORECASE)
# ... and "No. 30" (a number sign, not a negation).
EN_NOT_NEGATION = re.compile(r"\b(?:not only|no less|no more than|not least|nothing but|none other)\b|\bno\.(?=\s*\d)",
                             re.IGNORECASE)
# Endings of Russian verbs in the 1st and 2nd person (present and future; the past has no
# person): only such words are looked up in the dictionary.
RU_PERSON_VERB = re.compile(r"[а-яё]+(?:у|ю|ем|ём|им|ешь|ёшь|ишь|ете|ёте|ите)")
# Negation carried by a particle alone: dropped or added, it reverses the statement.
PLAIN_NEGATION = frozenset({"не", "нет", "никогда", "not", "never", "no"})
RU_NEG_PREFIX = re.compile(r"\b(?:не|без|бес)[а-яё]{4,}", re.IGNORECASE)
EN_NEG_PREFIX = re.compile(r"\b(?:un|in|im|ir|il|dis|non)[a-z]{4,}|\w+less\b", re.IGNORECASE)
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


def negation_flags(src: str, tgt: str, config: FlagConfig, z: float = 0.0) -> list[Flag]:
    """Negation on one side only (``src`` Russian, ``tgt`` English); spans point at the negation.
    Minor alone (translators turn «не мог не» into "had to"); major when a particle (не, not,
    never) stands on one side with no negative word, prefix, suffix or negative meaning ("lost",
    «перестал») on the other, or when the
    link's similarity z-score ``z`` is at most ``config.meaning_support_z``."""
    ru_text, en_text = RU_NOT_NEGATION.sub(lambda m: " " * len(m.group()), src), \
        EN_NOT_NEGATION.sub(lambda m: " " * len(m.group()), tgt)
    ru, en = list(RU_NEGATION.finditer(ru_text)), list(EN_NEGATION.finditer(en_text))
    if bool(ru) == bool(en):
        return []
    if (ru and EN_NEG_PREFIX.search(tgt)) or (en and RU_NEG_PREFIX.search(src)):
        return []
    words = ru or en
    rendered = EN_NEGATIVE_MEANING.search(tgt) if ru else RU_NEGATIVE_MEANING.search(src)
    plain = all(m.group().lower() in PLAIN_NEGATION for m in words) and not rendered
    evidence = f"{', '.join(m.group() for m in ru) or '–'} ↔ {', '.join(m.group() for m in en) or '–'} (negation on one side only)"
    major = plain or z <= config.meaning_support_z
    return [Flag("mistranslation", "major" if major else "minor", evidence,
                 config.negation_major_score if major else config.negation_score,
                 src_spans=_spans(ru), tgt_spans=_spans(en))]


def direction_flags(src: str, tgt: str, config: FlagConfig) -> list[Flag]:
    """Opposite meanings (``src`` Russian, ``tgt`` English): «вырос» ↔ "fell", «разрешили» ↔
    "banned" (``align.flags.opposites``); major, the first reversal named."""
    negated = bool(RU_NEGATION.search(RU_NOT_NEGATION.sub(" ", src))) != bool(
        EN_NEGATION.search(EN_NOT_NEGATION.sub(" ", tgt)))
    found = reversals(src, tgt, negated)
    if not found:
        return []
    first = found[0]
    label = "opposite direction" if first.label == "direction" else f"opposites: {first.label}"
    return [Flag("mistranslation", "major", f"{first.ru.group()} ↔ {first.en.group()} ({label})",
                 config.direction_score, src_spans=(first.ru.span(),), tgt_spans=(first.en.span(),))]


def persons(text: str, lang: str) -> dict[int, list[re.Match]]:
    """First- and second-person words (pronouns; in Russian also verbs in that person)."""
    found: dict[int, list[re.Match]] = {}
    for m in re.finditer(r"\w+", text):
        word = m.group().lower()
        person = (RU_PERSON if lang == "ru" else EN_PERSON).get(word)
        if person is None and lang == "ru" and RU_PERSON_VERB.fullmatch(word) and word not in RU_PERSON_IDIOMS:
            tag = ru_word(word)
            person = {"1per": 1, "2per": 2}.get(tag.person or "") if tag.pos == "VERB" else None
        if person is not None:
            found.setdefault(person, []).append(m)
    return found


def person_flags(src: str, tgt: str, config: FlagConfig, z: float = 0.0) -> list[Flag]:
    """The speaker changed (``src`` Russian, ``tgt`` English): a first person on one side with none
    on the other («мы решили» ↔ "they decided"). Minor alone (reported speech turns "we" into
    "the company"), major with the similarity drop (``config.meaning_support_z``)."""
    ru, en = persons(src, "ru"), persons(tgt, "en")
    if bool(ru.get(1)) == bool(en.get(1)):
        return []
    words_ru, words_en = ru.get(1, []), en.get(1, [])
    evidence = (f"{', '.join(m.group() for m in words_ru[:2]) or '–'} ↔ "
                f"{', '.join(m.group() for m in words_en[:2]) or '–'} (first person on one side only)")
    major = z <= config.meaning_support_z
    return [Flag("mistranslation", "major" if major else "minor", evidence, config.person_score,
                 src_spans=_spans(words_ru[:2]), tgt_spans=_spans(words_en[:2]))]


def _spans(matches: list[re.Match]) -> tuple[Span, ...]:
    return tuple(m.span() for m in matches)


def _z(pair: PairContext) -> float:
    return (pair.score - pair.mean) / pair.std


def _similarity(pair: PairContext) -> list[Flag]:
    coverage = pair.gaps.coverage if pair.gaps is not None else None
    return similarity_flags(pair.score, pair.mean, pair.std, pair.config, coverage)


def _negation(pair: PairContext) -> list[Flag]:
    return pair.oriented(negation_flags(*pair.ru_en, pair.config, _z(pair))) if pair.config.negation else []


def _direction(pair: PairContext) -> list[Flag]:
    return pair.oriented(direction_flags(*pair.ru_en, pair.config)) if pair.config.negation else []


def _person(pair: PairContext) -> list[Flag]:
    return pair.oriented(person_flags(*pair.ru_en, pair.config, _z(pair))) if pair.config.negation else []


SIMILARITY = Detector("similarity", frozenset({"mistranslation"}), None, _similarity)
NEGATION = Detector("negation", frozenset({"mistranslation"}), RU_EN, _negation)
DIRECTION = Detector("opposites", frozenset({"mistranslation"}), RU_EN, _direction)
PERSON = Detector("person", frozenset({"mistranslation"}), RU_EN, _person)
