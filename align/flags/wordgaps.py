"""Word gaps: the content words of each side of a linked pair with no counterpart on the other,
from a word alignment (SimAlign-style mutual best matches, ``align.tokens.best_matches``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from align.flags.config import FlagConfig
from align.flags.morph import CONTENT, word_class
from align.model import Span
from align.tokens import Words, best_matches

# Words that are never content words. Other languages have none yet: every word counts.
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


@dataclass(frozen=True)
class Unmatched:
    """Content words of one side with no counterpart on the other."""

    words: tuple[str, ...]
    score: float  # 0..1 risk: the summed shortfall of every unmatched content word
    phrase: tuple[str, ...]  # the longest run of unmatched content words (stopwords between allowed)
    coverage: float  # mean best cosine of the side's content words (1.0 when it has none)
    spans: tuple[Span, ...]  # character spans of ``words``
    sims: tuple[float, ...]  # best cosine of each of ``words``
    classes: tuple[str, ...]  # part-of-speech class of each of ``words`` (``align.flags.morph``)

    def lost(self, config: FlagConfig) -> list[int]:
        """Indices of the nouns, verbs and names among ``words`` that surely have no counterpart:
        one such word is enough for a major flag (its cosine below ``config.token_content_major_sim``).
        Figures and capitalised Latin words are left to the number and name detectors, which
        read them better than the word vectors do."""
        return [i for i, (w, c, sim) in enumerate(zip(self.words, self.classes, self.sims))
                if c == CONTENT and sim < config.token_content_major_sim and not re.search(r"\d", w)
                and not re.match(r"[A-Z]", w)]


@dataclass(frozen=True)
class WordGaps:
    """Both directions of one pair: source words left out, target words added."""

    omitted: Unmatched
    added: Unmatched

    @property
    def coverage(self) -> float:
        """Mean of both sides' coverage: how well the word alignment accounts for the pair."""
        return (self.omitted.coverage + self.added.coverage) / 2


def word_gaps(src: Words, tgt: Words, src_lang: str, tgt_lang: str, config: FlagConfig) -> WordGaps:
    """Unmatched content words of the source (omitted) and of the target (added)."""
    return WordGaps(unmatched_words(src, tgt, src_lang, config), unmatched_words(tgt, src, tgt_lang, config))


def unmatched_words(side: Words, other: Words, lang: str, config: FlagConfig) -> Unmatched:
    """Content words of ``side`` with no counterpart in ``other``.

    A word counts when it is not a mutual best match and its best cosine is below
    ``config.token_sim``; the score sums the shortfalls, so it ranks pairs even when
    no word passes the cut-off."""
    best, mutual = best_matches(side, other)
    stop = STOPWORDS.get(lang, frozenset())
    words, sims, shortfall, run, phrase, spans, word_sims = [], [], 0.0, [], [], [], []
    for span, word, sim, is_mutual in zip(side.spans, side.tokens, best, mutual):
        if word.lower() in stop or (len(word) < config.token_min_letters and not re.search(r"\d", word)):
            continue
        sims.append(float(sim))
        if not is_mutual:
            shortfall += max(0.0, config.token_sim + config.token_shortfall_margin - float(sim))
        if not is_mutual and sim < config.token_sim:
            words.append(word)
            spans.append(span)
            word_sims.append(round(float(sim), 3))
            run = [*run, word]
            phrase = run if len(run) > len(phrase) else phrase
        else:
            run = []
    return Unmatched(tuple(words), float(1.0 - np.exp(-shortfall / config.token_shortfall_scale)), tuple(phrase),
                     float(np.mean(sims)) if sims else 1.0, tuple(spans), tuple(word_sims),
                     tuple(word_class(w, lang) for w in words))
