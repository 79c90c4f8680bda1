"""Omission and addition detectors: whole sentences (1-0 / 0-1 links) and parts of a
linked pair, named word by word from a word alignment (``align.tokens``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from align.flags.config import FlagConfig
from align.model import Flag
from align.tokens import Words, best_matches
from align.translit import is_compound_abbreviation

# Russian abbreviations: «УТАК», «ЦМКБ», and compounds led by an abbreviated word («Росгидромет»).
ABBREVIATION_RE = re.compile(r"\b[А-ЯЁ][А-ЯЁа-яё]+\b")
STOPWORDS = {
    "ru": frozenset("""и в во не на с со что как а то все всё он она оно они его ее её их к ко у по из за от до о об
для же бы ли так но или да нет это этот эта эти тот та те того этого был была было были быть есть при
мы вы я ты мне меня нас вас им ним ней нее неё него себя свой своей свои своих который которая которые
которого которой также уже еще ещё только даже очень чтобы если когда где там тут здесь вот ведь лишь
под над без через между после перед про всех всего всем более менее может можно""".split()),  # noqa: SIM905
    "en": frozenset("""the a an and or but of to in on at by for with from as is are was were be been being it its
this that these those he she they them his her their we you i me my our your not no so if then than
there here which who whom whose what when where how also just only even very too has have had do does
did will would can could shall should may might must into onto over under about after before between
through during up down out off again all any each both some such own same other more most less much""".split()),  # noqa: SIM905
}


def whole_flags(text: str, kind: str, config: FlagConfig) -> list[Flag]:
    """A sentence with no counterpart (1-0 link: omission, 0-1 link: addition)."""
    severity = "major" if len(text.split()) >= config.omission_major_words else "minor"
    return [Flag(kind, severity, _clip(text), 1.0)]


@dataclass(frozen=True)
class Unmatched:
    """Content words of one side with no counterpart on the other."""

    words: tuple[str, ...]
    score: float  # 0..1 risk: the summed shortfall of every unmatched content word
    phrase: tuple[str, ...]  # the longest run of unmatched content words (stopwords between allowed)
    coverage: float  # mean best cosine of the side's content words (1.0 when it has none)


def unmatched_words(side: Words, other: Words, lang: str, config: FlagConfig) -> Unmatched:
    """Content words of ``side`` with no counterpart in ``other``.

    A word counts when it is not a mutual best match and its best cosine is below
    ``config.token_sim``; the score sums the shortfalls, so it ranks pairs even when
    no word passes the cut-off."""
    best, mutual = best_matches(side, other)
    stop = STOPWORDS.get(lang, frozenset())
    words, sims, shortfall, run, phrase = [], [], 0.0, [], []
    for word, sim, is_mutual in zip(side.tokens, best, mutual):
        if word.lower() in stop or (len(word) < 3 and not re.search(r"\d", word)):
            continue
        sims.append(float(sim))
        if not is_mutual:
            shortfall += max(0.0, config.token_sim + 0.15 - float(sim))
        if not is_mutual and sim < config.token_sim:
            words.append(word)
            run = [*run, word]
            phrase = run if len(run) > len(phrase) else phrase
        else:
            run = []
    return Unmatched(tuple(words), float(1.0 - np.exp(-shortfall / 0.5)), tuple(phrase),
                     float(np.mean(sims)) if sims else 1.0)


def expanded_abbreviation(added: Unmatched, ru: str) -> str | None:
    """The Russian abbreviation that an added phrase of capitalised words spells out
    («УТАК» ↔ "Korean Central News Agency", «ЦМКБ» ↔ "Central Marine Design Bureau"), if any."""
    if len(added.phrase) < 2 or not all(w[0].isupper() for w in added.phrase):
        return None
    found = [w for w in ABBREVIATION_RE.findall(ru) if w.isupper() or is_compound_abbreviation(w)]
    return found[0] if found else None


def partial_flags(unmatched: Unmatched, kind: str, config: FlagConfig, expands: str | None = None) -> list[Flag]:
    """Omission/addition flag naming the words without a counterpart: major when they make a
    phrase (``config.partial_major_run`` in a row), minor when scattered (alignment noise,
    paraphrase) or when the phrase spells out the abbreviation ``expands``."""
    if len(unmatched.words) < config.partial_min_words:
        return []
    major = len(unmatched.phrase) >= config.partial_major_run and expands is None
    side = "Russian" if kind == "omission" else "English"
    evidence = f"{side} words without counterpart: {', '.join(unmatched.words)}"
    if expands:
        evidence += f" (spelling out {expands}?)"
    return [Flag(kind, "major" if major else "minor", evidence, round(unmatched.score, 3))]


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
