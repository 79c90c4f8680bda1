"""Transliteration-aware matching of Russian and English proper names.

Russian is romanised (``align.text.romanise``), then both sides are reduced to a spelling
*skeleton* that merges the usual English variants (``-sky``/``-skiy``, ``ie``/``e``,
``kh``/``h``, ``x``/``ks``, double letters), so ``Троцкому`` ↔ ``Trotsky`` and
``Зиновьева`` ↔ ``Zinoviev`` compare equal up to a case ending.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from align.text import RU_LATIN, romanise

# Nominal and adjectival case endings, longest first (applied once, to stems of 4+ letters).
_RU_ENDINGS = sorted("""ами ями ого его ому ему ыми ими ой ей ий ый ая яя ое ее ую юю ых их ым им ом ем ов ев ёв
ам ям ах ях а я у ю е ы и о ь""".split(), key=len, reverse=True)  # noqa: SIM905
# Exonyms and abbreviations that are translated, not transliterated (Russian stem → English stems).
EXONYMS: dict[str, tuple[str, ...]] = {
    "росси": ("russia",), "русск": ("russia",), "ссср": ("ussr", "soviet union"), "союз": ("union",),
    "германи": ("german",), "немецк": ("german",), "турци": ("turk",), "франци": ("franc", "french"),
    "англи": ("england", "english", "britain", "british"), "британи": ("britain", "british"),
    "китай": ("china", "chinese"), "япони": ("japan",), "польш": ("poland", "polish"),
    "итали": ("italy", "italian"), "испани": ("spain", "spanish"), "европ": ("europe",),
    "америк": ("america",), "сша": ("us", "usa", "united states", "america"), "кремл": ("kremlin",),
    "бог": ("god",), "цк": ("central committee", "cc"), "рф": ("russia", "russian federation"),
    "кавказ": ("caucasus",), "сибир": ("siberia",), "белорусси": ("belarus",), "беларус": ("belarus",),
    "грузи": ("georgia",), "греци": ("greece", "greek"), "швеци": ("sweden",), "норвеги": ("norway",),
    "финлянди": ("finland",), "австри": ("austria",), "венгри": ("hungary",), "чехи": ("czech",),
    "госдум": ("duma",), "дум": ("duma",), "мид": ("foreign ministry", "foreign affairs"),
    "минздрав": ("health",), "мвд": ("interior",), "фсб": ("fsb",), "оон": ("un", "united nations"),
    "ес": ("eu", "european union"), "нато": ("nato",), "лев": ("leon", "lev", "leo"),
    "новый": ("new",), "нов": ("new",), "санкт": ("st", "saint"), "петербург": ("petersburg",),
    "соединен": ("united",), "штат": ("states",), "побед": ("victory",), "отечеств": ("fatherland", "homeland"),
    "миров": ("world",), "балт": ("baltic",), "саш": ("alexand", "sasha"), "ол": ("olga", "olya"),
    "арави": ("arabia",), "литв": ("lithuania",), "латви": ("latvia",), "эстони": ("estonia",),
    "ази": ("asia",), "тих": ("pacific",), "черномор": ("black sea",), "беломор": ("white sea",),
    "морск": ("naval", "navy", "sea", "marine", "maritime"), "молд": ("moldova",), "белорус": ("belarus",), "майкл": ("michael", "mike"), "инди": ("india",), "кита": ("china", "chinese"), "кнр": ("china", "prc"), "корe": ("korea",),
    # Capitalised words that head names of institutions, days and events, and are translated.
    "северн": ("north",), "южн": ("south",), "восточн": ("east",), "западн": ("west",),
    "центральн": ("central",), "главн": ("main", "chief", "general"), "государствен": ("state", "government"),
    "гос": ("state",), "федеральн": ("federal",), "верховн": ("supreme",), "народн": ("people", "national"),
    "национальн": ("national",), "народ": ("people",), "ден": ("day",), "дн": ("day",), "кубк": ("cup",),
    "кубок": ("cup",), "флот": ("fleet", "navy", "naval"), "военно": ("military", "navy", "naval", "armed"),
    "вооружен": ("armed",), "министерств": ("ministry",), "мин": ("ministry", "minister"),
    "римск": ("rome", "roman", "pope"), "пап": ("pope",), "святого": ("st", "saint"), "свят": ("st", "saint", "holy"),
    "красн": ("red",), "бел": ("white",), "черн": ("black",), "великий": ("great",), "велик": ("great",),
    "совет": ("soviet", "council"), "президент": ("president",), "правительств": ("government",),
    "генеральн": ("general",), "прокуратур": ("prosecutor",), "суд": ("court",), "партия": ("party",),
    "парти": ("party",), "съезд": ("congress",), "политбюро": ("politburo",), "коминтерн": ("comintern",),
    "революци": ("revolution",), "гидромет": ("hydromet", "meteorolog", "weather"), "финск": ("finland", "finnish"),
}


# Heads of Russian compound abbreviations («Минобороны», «Госдума», «Гидрометцентр») and the
# English stems that render them.
_COMPOUND_HEADS: dict[str, tuple[str, ...]] = {
    "мин": ("minist",), "гос": ("state", "government"), "рос": ("russia",),
    "гидромет": ("hydromet", "meteorolog", "weather"),
}


@lru_cache(maxsize=65536)
def ru_stem(word: str) -> str:
    """Lower-case Russian word without one case ending (kept whole if that leaves < 4 letters)."""
    word = word.lower().replace("ё", "е")
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


# Other renderings of a letter in names that came into Russian from English and elsewhere:
# Техас ↔ Texas, Гарвард ↔ Harvard, Полиция ↔ Police.
# English names in Russian spelling: Кэпиталз ↔ Capitals, Флайерз ↔ Flyers.
# Greek theta came into Russian as ф: Фаддей ↔ Thaddeus, Фёдор ↔ Theodore, Афины ↔ Athens.
_VARIANTS = ({"х": "ks"}, {"г": "h"}, {"ц": "c"}, {"э": "a", "з": "s", "й": ""}, {"ф": "th"})


_ENGLISH_LETTERS = {"дж": "j", "уэ": "wa", "уи": "wi", "уо": "wo"}
_ENGLISH_SPELLING = re.compile(r"дж|^у[эио]")


def romanisations(stem: str) -> list[str]:
    """The standard romanisation of a stem and its variants, also without an adjective ``-ск``
    (Московский ↔ Moscow)."""
    base = re.sub(r"(?:ов|ев|ий|ин|ан|ян)?[сц]к$", "", stem)
    stems = [stem] + ([base] if base != stem and len(base) >= 3 else [])
    if len(stem) >= 4 and stem[-1] in "аеиоуыэюяй":  # short words keep their ending: «Дохе» ↔ Doha
        stems.append(stem[:-1])
    # English names in Russian spelling: Джонс ↔ Jones, Уэльс ↔ Wales, Уильям ↔ William.
    stems += [_ENGLISH_SPELLING.sub(lambda m: _ENGLISH_LETTERS[m.group()], s) for s in stems
              if _ENGLISH_SPELLING.search(s)]
    out = []
    for s in stems:
        out.append(romanise(s))
        out += ["".join(v.get(ch, RU_LATIN.get(ch, ch)) for ch in s) for v in _VARIANTS if any(ch in s for ch in v)]
    return out


@lru_cache(maxsize=65536)
def skeleton(latin: str) -> str:
    """A spelling skeleton on which common English renderings of one Russian name agree."""
    s = unicodedata.normalize("NFKD", latin.lower())
    s = re.sub(r"['’]s$", "", "".join(ch for ch in s if not unicodedata.combining(ch)))
    for old, new in (("shch", "sh"), ("sch", "sh"), ("tch", "ch"), ("kh", "h"), ("x", "ks"), ("ck", "k"),
                     ("ph", "f"), ("oo", "u"), ("ee", "i"), ("w", "v"), ("tz", "ts"), ("zh", "z"), ("j", "y"), ("q", "k"), ("yo", "e"),
                     ("iy", "i"), ("yi", "i"), ("ij", "i"), ("ii", "i"), ("ie", "e"), ("ye", "e"), ("ya", "ia"), ("yu", "u"), ("iu", "u"), ("ou", "u"), ("y", "i"), ("c", "k")):
        s = s.replace(old, new)
    s = re.sub(r"[^a-z0-9]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=262144)
def names_match(ru_word: str, en_word: str) -> bool:
    """Whether an English word renders a Russian name (case endings, transliteration variants)."""
    exonyms, parts, skeletons = _ru_name_forms(ru_word)
    en = en_word.lower()
    if any(_renders(en, rendering) for rendering in exonyms):
        return True
    if parts:  # «Санкт-Петербурге», «Военно-морского»: any part
        return any(names_match(part, en_word) for part in parts)
    en_sk = skeleton(en)
    return any(_skeletons_match(ru_sk, en_sk) for ru_sk in skeletons)


@lru_cache(maxsize=65536)
def _ru_name_forms(ru_word: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What ``names_match`` compares of one Russian word, worked out once per word (not per
    English word): the exonyms' first words, the parts of a hyphenated word, and the skeletons
    of its romanisations."""
    stem = ru_stem(ru_word)
    lower = ru_word.lower().replace("ё", "е")
    exonyms = tuple(r.split()[0] for key, renderings in EXONYMS.items()
                    if lower.startswith(key) and (len(key) >= len(stem) - 4 or key in _COMPOUND_HEADS)
                    for r in renderings)
    if "-" in ru_word:
        return exonyms, tuple(part for part in ru_word.split("-") if part), ()
    return exonyms, (), tuple(skeleton(latin) for latin in romanisations(stem))


def _renders(en: str, rendering: str) -> bool:
    """An English word is a form of a rendering ("russian", "states" for "russia", "state"); short
    renderings allow only a short ending ("state" is not "statement")."""
    if not en.startswith(rendering[: max(4, len(rendering) - 3)]):
        return False
    return len(rendering) > 5 or len(en) <= len(rendering) + 3


def _skeletons_match(ru_sk: str, en_sk: str) -> bool:
    if len(ru_sk) < 2 or len(en_sk) < 2:
        return ru_sk == en_sk
    if en_sk.startswith(ru_sk) or (ru_sk.startswith(en_sk) and len(en_sk) >= 4):
        return True
    if min(len(ru_sk), len(en_sk)) >= 4 and (ru_sk in en_sk or en_sk in ru_sk):
        return True
    # Near spellings must agree on the first letter: «Раковский» (stem "rak") is not "Mrachkovsky".
    if ru_sk[0] == en_sk[0] and SequenceMatcher(None, ru_sk, en_sk[: len(ru_sk) + 1]).ratio() >= 0.8:
        return True
    head = en_sk[:len(ru_sk)]
    swapped = [i for i, (a, b) in enumerate(zip(ru_sk, head)) if a != b]
    if (len(ru_sk) >= 5 and len(head) == len(ru_sk) and len(swapped) == 2 and swapped[0] >= 2
            and ru_sk[swapped[0]] == head[swapped[1]] and ru_sk[swapped[1]] == head[swapped[0]]):
        return True  # two letters after the first two swapped: a misprint (Принпико ↔ Prinkipo)
    ru_c, en_c = _consonants(ru_sk), _consonants(en_sk)  # Майкл ↔ Michael
    return len(ru_c) >= 3 and en_c.startswith(ru_c) and len(en_c) <= len(ru_c) + 1


@lru_cache(maxsize=65536)
def _consonants(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouyh]", "", s))



def is_compound_abbreviation(ru_word: str) -> bool:
    """«Росгидромет», «Госдума», «Минобороны»: a capitalised word led by an abbreviated word."""
    lower = ru_word.lower().replace("ё", "е")
    return ru_word[0].isupper() and any(lower.startswith(h) and len(lower) - len(h) >= 3 for h in _COMPOUND_HEADS)


def compound_parts_rendered(ru_word: str, en_word: str) -> tuple[bool, bool] | None:
    """For a compound abbreviation, whether ``en_word`` renders its head and its tail
    («Госсуд» = «гос» + «суд»: "State", "Court"); None for other words."""
    split = _compound_split(ru_word)
    if split is None:
        return None
    renderings, tail = split
    return any(_renders(en_word.lower(), r) for r in renderings), names_match(tail, en_word)


@lru_cache(maxsize=65536)
def _compound_split(ru_word: str) -> tuple[tuple[str, ...], str] | None:
    """The renderings of a compound abbreviation's head and its tail, or None for other words."""
    lower = ru_word.lower().replace("ё", "е")
    for head, renderings in _COMPOUND_HEADS.items():
        tail = lower[len(head):]
        if lower.startswith(head) and len(tail) >= 3:
            return renderings, tail
    return None


def compound_rendered(ru_word: str, en_words: list[str]) -> bool:
    """Whether both parts of a compound abbreviation are rendered among ``en_words``:
    «Госсуд» ↔ "State Court", «Росгидромета» ↔ "Russian ... Hydrometeorology"."""
    parts = [compound_parts_rendered(ru_word, e) for e in en_words]
    return any(p and p[0] for p in parts) and any(p and p[1] for p in parts)
