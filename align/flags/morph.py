"""Part of speech and lemmas for the flags: Russian from pymorphy3's dictionary (loaded once,
offline), English from suffix and closed-class rules (no tagger data to download).

The word-level detectors weigh a word by what it is: a dropped noun or verb changes what a
sentence says, a dropped particle or article does not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# pymorphy3 grammemes that mark proper names: first names, surnames, patronymics, places, organisations.
NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn"})
# Coarse classes the detectors reason about.
CONTENT = "content"  # noun, verb, named entity, number
MODIFIER = "modifier"  # adjective, adverb
FUNCTION = "function"  # pronoun, preposition, conjunction, particle, article, auxiliary
_RU_CLASS = {"NOUN": CONTENT, "VERB": CONTENT, "INFN": CONTENT, "PRTF": CONTENT, "PRTS": CONTENT, "GRND": CONTENT,
             "NUMR": CONTENT, "ADJF": MODIFIER, "ADJS": MODIFIER, "COMP": MODIFIER, "ADVB": MODIFIER,
             "PRED": MODIFIER}
EN_FUNCTION = frozenset("""a an the and or but nor of to in on at by for with from as into onto upon about over under
after before between through during without within against among towards toward across behind beyond
is are was were be been being am has have had do does did will would shall should can could may might must
i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
this that these those there here which who whom whose what when where why how than then so if
also just only even very too such own same other another each every all any both some much many more most
less least few not no yes oh well quite rather really still yet ever already again once
although though while because since whereas unless until whether however therefore thus hence""".split())  # noqa: SIM905
_EN_MODIFIER = re.compile(r"[a-z]{3,}(?:ly|ous|ive|ful|less|able|ible|ical|ic|al|ish|ary|ern)$")
# Pronouns by grammatical person: a sentence told in the 1st person rendered in the 3rd changes who acts.
RU_PERSON = dict.fromkeys("""я меня мне мной мы нас нам нами мой моя мое моё мои моего моей моему моим моих моими
мою наш наша наше наши нашего нашей нашему нашим наших нашими нашу""".split(), 1) | dict.fromkeys(  # noqa: SIM905
    """ты тебя тебе тобой вы вас вам вами твой твоя твое твоё твои твоего твоей твоих ваш ваша ваше ваши вашего
вашей вашему вашим ваших вашу""".split(), 2)  # noqa: SIM905
# First-person plural verbs that address the reader, not a speaker: «напомним» ↔ "recall that".
RU_PERSON_IDIOMS = frozenset("напомним скажем допустим представим отметим заметим подчеркнем подчеркнём".split())
EN_PERSON = {"i": 1, "me": 1, "my": 1, "mine": 1, "we": 1, "us": 1, "our": 1, "ours": 1,
             "you": 2, "your": 2, "yours": 2}


@dataclass(frozen=True)
class RuWord:
    """What pymorphy3 says of one Russian word form (its most probable reading)."""

    pos: str | None
    person: str | None  # "1per", "2per", "3per" for verbs
    lemma: str
    name: bool  # a dictionary reading is a first name, surname, patronymic, place or organisation
    known: bool  # the dictionary has the form (unknown capitalised words are rare names)


@lru_cache(maxsize=1)
def _analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=1 << 17)
def ru_word(word: str) -> RuWord:
    """pymorphy3's reading of a Russian word (cached: a document repeats its words)."""
    morph = _analyzer()
    parses = morph.parse(word)
    top = parses[0]
    known = morph.word_is_known(word.lower())  # for unknown words pymorphy3 guesses tags from the ending
    return RuWord(top.tag.POS, top.tag.person, top.normal_form.replace("ё", "е"),
                  known and any(NAME_TAGS & set(p.tag.grammemes) for p in parses), known)


def ru_class(word: str) -> str:
    """Content, modifier or function word (names and unknown words are content)."""
    info = ru_word(word)
    if info.name or not info.known:
        return CONTENT
    return _RU_CLASS.get(info.pos or "", FUNCTION)


def en_class(word: str) -> str:
    """Content, modifier or function word by closed-class list and suffix (no tagger)."""
    lower = word.lower()
    if lower in EN_FUNCTION:
        return FUNCTION
    if word[:1].isupper() or any(ch.isdigit() for ch in word):
        return CONTENT
    return MODIFIER if _EN_MODIFIER.match(lower) else CONTENT


def word_class(word: str, lang: str) -> str:
    """The word's class in its language; words of other languages count as content words."""
    if lang == "ru" and re.search(r"[а-яё]", word, re.IGNORECASE):
        return ru_class(word)
    if lang == "en":
        return en_class(word)
    return CONTENT


def is_ru_name(word: str) -> bool:
    """A Russian proper name: a name reading in the dictionary, or a capitalised word it lacks."""
    info = ru_word(word)
    return info.name or (word[:1].isupper() and not info.known)
