"""Number and date detector: figures, years, decades, Roman numerals, number words,
fractions and halves, months (Russian genitive and adjectival forms), present on one side only."""

from __future__ import annotations

import re
from collections import Counter

from align.flags.config import FlagConfig
from align.flags.context import RU_EN, Detector, PairContext
from align.model import Flag

RU_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}
EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}
RU_MONTH_RE = re.compile(
    r"\b(январ[ьяе]|феврал[ьяе]|март[ае]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|август[ае]?|"
    r"сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе]|"
    # adjectives: «октябрьской революции» ↔ "the October Revolution"
    r"(?:январ|феврал|мартов|апрел|май|июн|июл|августов|сентябр|октябр|ноябр|декабр)ьск\w*|"
    r"(?:мартов|май|августов)ск\w*)\b", re.IGNORECASE)
# English "May" is a month only next to a figure (not the modal verb). Russian texts quote
# English names with months too («обновление May 2020 Update»), so both sides are searched.
EN_MONTH_RE = re.compile(r"\b(january|february|march|april|june|july|august|september|october|november|december"
                         r"|May(?=\s+\d)|(?:(?<=\d )|(?<=in )|(?<=of )|(?<=since )|(?<=until )|(?<=by )|(?<=early )"
                         r"|(?<=late )|(?<=mid-)|(?<=last )|(?<=next )|(?<=this ))May)\b", re.IGNORECASE)
# "2021-22", "2019/20": the second year written in full before counting.
YEAR_RANGE_RE = re.compile(r"\b((1[7-9]|20)\d\d)([-–/])(\d\d)\b")
PM_RE = re.compile(r"\b(\d{1,2})((?::\d\d)?\s*)(p\.?\s?m\b\.?)", re.IGNORECASE)
# Decades: «1920-х гг.», «90-е», "the 1920s", "the '90s". Two-digit decades match any century.
RU_DECADE_RE = re.compile(r"(?<![\d.,])((?:1[7-9]|20)?\d0)-(?:х|е|ых|ые|ым|ми)\b")
EN_DECADE_RE = re.compile(r"(?<![\d.,])['’]?((?:1[7-9]|20)?\d0)['’]?s\b")
NUMBER_RE = re.compile(r"(?<![\w.,])[1-9]\d{0,2}(?:[  ,]\d{3})+(?!\d)|(?<!\d)\d+(?:[.,]\d+)?")
# Digits glued to letters or by a hyphen to a short capitalised word are part of a name
# ("COVID-19", «Ту-154», "Russia-1", «Панцирь-С1», "A320"): counted as ``id:N``, they match the same figure on the other side but are never
# flagged alone («COVID-19» ↔ "coronavirus").
IDENTIFIER_RE = re.compile(r"\b[A-ZА-ЯЁ][\wЁё]{0,5}-$")
ROMAN_RE = re.compile(r"\b(?=[MDCLXVI]{2,}\b|[VX]\b)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b")
EN_ROMAN_RE = re.compile(r"\b(?=[MDCLXVI]{2,}\b)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b")
_RU_WORDS = {
    1: "один одна одно одного одной одному одним одном", 2: "два две двух двум двумя",
    3: "три трех трёх трем трём тремя", 4: "четыре четырех четырёх четырем четырьмя",
    5: "пять пяти пятью", 6: "шесть шести шестью", 7: "семь семи семью", 8: "восемь восьми восемью",
    9: "девять девяти девятью", 10: "десять десяти десятью", 11: "одиннадцать одиннадцати",
    12: "двенадцать двенадцати", 13: "тринадцать тринадцати", 14: "четырнадцать четырнадцати",
    15: "пятнадцать пятнадцати", 16: "шестнадцать шестнадцати", 17: "семнадцать семнадцати",
    18: "восемнадцать восемнадцати", 19: "девятнадцать девятнадцати", 20: "двадцать двадцати",
    30: "тридцать тридцати", 40: "сорок сорока", 50: "пятьдесят пятидесяти", 60: "шестьдесят шестидесяти",
    70: "семьдесят семидесяти", 80: "восемьдесят восьмидесяти", 90: "девяносто девяноста", 100: "сто ста сотни сотен",
    200: "двести двухсот двумстам двумястами двухстах", 300: "триста трехсот трёхсот тремстам тремястами трехстах",
    400: "четыреста четырехсот четырёхсот четыремстам четырьмястами четырехстах",
    500: "пятьсот пятисот пятистам пятьюстами пятистах", 600: "шестьсот шестисот шестистам шестьюстами шестистах",
    700: "семьсот семисот семистам семьюстами семистах", 800: "восемьсот восьмисот восьмистам восемьюстами восьмистах",
    900: "девятьсот девятисот девятистам девятьюстами девятистах",
    1000: "тысяча тысячи тысяч тысячу тыс", 10**6: "миллион миллиона миллионов млн",
    10**9: "миллиард миллиарда миллиардов млрд", 10**12: "триллион триллиона триллионов трлн",
}
_EN_WORDS = {
    1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten",
    11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen", 15: "fifteen", 16: "sixteen", 17: "seventeen",
    18: "eighteen", 19: "nineteen", 20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty",
    70: "seventy", 80: "eighty", 90: "ninety", 100: "hundred", 1000: "thousand thousands",
    10**6: "million millions mln", 10**9: "billion billions bn bln", 10**12: "trillion trillions tn tln trn",
}
# «дважды» ↔ "twice".
_RU_TIMES = {"дважды": 2, "трижды": 3, "четырежды": 4}
_EN_TIMES = {"twice": 2, "thrice": 3}
# Ordinals count as their number: «Пятый канал» ↔ "Channel 5", «II квартал» ↔ "second quarter".
_RU_ORDINALS = {1: "перв", 2: "втор", 4: "четверт", 5: "пят", 6: "шест", 7: "седьм", 8: "восьм", 9: "девят",
                10: "десят"}
_RU_ORDINAL_ENDINGS = ("ой", "ый", "ий", "ого", "его", "ому", "ему", "ым", "им", "ом", "ая", "ья", "ую", "ью", "ое",
                       "ье", "ые", "ьи", "ых", "ьих", "ыми", "ьими")
_RU_THIRD = "третий третья третье третьи третьего третьему третьим третьем третьей третью третьих третьими"
_EN_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
                8: "eighth", 9: "ninth", 10: "tenth"}
WORD_NUMBERS = {
    "ru": {w: n for n, words in _RU_WORDS.items() for w in words.split()}
    | {stem + end: n for n, stem in _RU_ORDINALS.items() for end in _RU_ORDINAL_ENDINGS}
    | dict.fromkeys(_RU_THIRD.split(), 3) | _RU_TIMES,
    "en": {w: n for n, words in _EN_WORDS.items() for w in words.split()} | {w: n for n, w in _EN_ORDINALS.items()}
    | _EN_TIMES,
}
# Russian compound adjectives led by a number: «четырехлетний» ↔ "four-year-old", «двухдневный».
RU_COMPOUND_RE = re.compile(
    r"(одно|двух|трех|трёх|четырех|четырёх|пяти|шести|семи|восьми|девяти|десяти|двенадцати|пятнадцати|"
    r"двадцати|тридцати|сорока|пятидесяти|ста|сто)(?:лет|дневн|месячн|недельн|часов|минутн|кратн|этажн|"
    r"комнатн|местн|тонн|процентн|значн|серийн|разов)", re.IGNORECASE)
# Halves: «двух с половиной миллионов», «полтора», «полмиллиона», "2 1/2 million", "half a million".
RU_HALF_RE = re.compile(r"\b(\d+|[а-яё]+)\s+с\s+половиной\b", re.IGNORECASE)
EN_HALF_RE = re.compile(r"\b(\d+|[a-z]+)(?:[\s-]+and[\s-]+a[\s-]+half\b|\s+1/2\b|\s*½)", re.IGNORECASE)
EN_NOUN_AND_HALF_RE = re.compile(r"\ban?\s+(\w+)\s+and\s+a\s+half\b", re.IGNORECASE)  # "a year and a half"
RU_ONE_AND_HALF_RE = re.compile(r"\b(?:полтора|полторы|полутора)\b", re.IGNORECASE)
RU_HALF_SCALE_RE = re.compile(r"\bпол(миллиона|миллиарда|триллиона)\b", re.IGNORECASE)
EN_HALF_SCALE_RE = re.compile(r"\bhalf\s+an?\s+(million|billion|trillion)\b", re.IGNORECASE)
# «за сутки» ↔ "in the past 24 hours": the figure 24 is matched by «сутки» on the other side.
RU_DAY_RE = re.compile(r"\bсут(?:ки|ок|кам|ками|ках)\b", re.IGNORECASE)
EN_24_HOURS_RE = re.compile(r"\b(?:24|twenty-four)[\s-]hours?\b", re.IGNORECASE)
_SCALES = {1000, 10**6, 10**9, 10**12}
_TENS = {20, 30, 40, 50, 60, 70, 80, 90}
# "one", «один», "first": left over they are rarely the figure 1 ("no one", "one of", «один из»).
_WEAK = {"word:1"}


def numbers_in(text: str, lang: str) -> Counter:
    """Figures in a text as normalised strings: digits (thousands separators removed, halves
    folded in), Roman numerals, number words as ``word:N``, decades as ``decade:N`` and
    months as ``month:N``."""
    found: Counter = Counter()
    words = WORD_NUMBERS.get(lang, {})
    text = _normalise(text, lang, words)
    decade_re = RU_DECADE_RE if lang == "ru" else EN_DECADE_RE
    for match in decade_re.finditer(text):
        found[f"decade:{match.group(1)}"] += 1
    text = decade_re.sub(" ", text)
    scaled: set[int] = set()  # start offsets of scale words already folded into a figure
    for match in NUMBER_RE.finditer(text):
        token = match.group()
        glued = match.start() > 0 and text[match.start() - 1].isalpha()
        if glued or IDENTIFIER_RE.search(text[max(0, match.start() - 8):match.start()]):
            found[f"id:{token}"] += 1
            continue
        if re.fullmatch(r"[1-9]\d{0,2}(?:[  ,]\d{3})+", token):
            token = re.sub(r"[  ,]", "", token)
        token = token.replace(",", ".")
        scale = re.match(r"[ \u00a0]*(\w+)", text[match.end():])
        if scale and words.get(scale.group(1).lower()) in _SCALES:
            token = _fmt_float(float(token) * words[scale.group(1).lower()])
            scaled.add(match.end() + scale.start(1))
        found[token if "." in token else token.lstrip("0") or "0"] += 1
    roman = ROMAN_RE if lang == "ru" else EN_ROMAN_RE
    for match in roman.finditer(text):
        if match.group():
            found[str(_roman(match.group()))] += 1
    found.update(_number_words(text, words, scaled, lang))
    found = +found
    month_res = [(RU_MONTH_RE, RU_MONTHS), (EN_MONTH_RE, EN_MONTHS)] if lang == "ru" else [(EN_MONTH_RE, EN_MONTHS)]
    for month_re, months in month_res:
        for match in month_re.finditer(text):
            found[f"month:{_month(match.group(), months)}"] += 1
    return found


def _normalise(text: str, lang: str, words: dict[str, int]) -> str:
    """Rewrite year ranges, p.m. times and halves as plain figures."""
    text = YEAR_RANGE_RE.sub(lambda m: f"{m[1]}{m[3]}{m[2]}{m[4]}", text)
    text = PM_RE.sub(lambda m: f"{int(m[1]) % 12 + 12}{m[2]}", text)

    def half(m: re.Match) -> str:
        value = int(m[1]) if m[1].isdigit() else words.get(m[1].lower())
        return m[0] if value is None else f"{value}.5"

    if lang == "ru":
        text = RU_HALF_RE.sub(half, text)
        text = RU_ONE_AND_HALF_RE.sub("1.5", text)
        return RU_HALF_SCALE_RE.sub(r"0.5 \1", text)
    text = EN_HALF_RE.sub(half, text)
    text = EN_NOUN_AND_HALF_RE.sub(r"1.5 \1", text)
    return EN_HALF_SCALE_RE.sub(r"0.5 \1", text)


def _number_words(text: str, words: dict[str, int], scaled: set[int], lang: str) -> Counter:
    """Number words as ``word:N``, composed left to right as written: "forty-six", «сорок шесть»,
    "four thousand", «сто двадцать три», "two hundred and five", and ordinal years
    («в тысяча девятьсот двадцать девятом году» ↔ 1929)."""
    found: Counter = Counter()
    total = group = 0  # the number being read: thousands and more, and the group below a thousand
    end = -1  # where the last number word of the run ended
    for match in re.finditer(r"\w+", text):
        word = match.group().lower()
        if word == "and" and end >= 0:  # "two hundred and five": the run goes on
            continue
        value = words.get(word)
        compound = value is None and lang == "ru" and RU_COMPOUND_RE.match(word)
        if compound:
            value = words.get(compound.group(1).replace("одно", "один"))
        joined = end >= 0 and re.fullmatch(r"[-\s]+(?:and[-\s]+)?", text[end:match.start()]) is not None
        if value is None or match.start() in scaled or compound or not joined or not _continues(group, value):
            if end >= 0 and (total or group):
                found[f"word:{total + group}"] += 1
            total = group = 0
            end = -1
            if value is None or match.start() in scaled:
                continue
            if compound:
                found[f"word:{value}"] += 1
                continue
        if value in _SCALES:
            total, group = total + max(group, 1) * value, 0
        elif value == 100 and 0 < group < 10:
            group *= 100  # "two hundred"
        else:
            group += value
        end = match.end()
    if end >= 0 and (total or group):
        found[f"word:{total + group}"] += 1
    return found


def _continues(group: int, value: int) -> bool:
    """Whether ``value`` can follow the group read so far in one number: a smaller order of
    magnitude («сто» → «двадцать» → «три»), a scale word, or "hundred" after a unit."""
    if value in _SCALES or not group:
        return True
    if value == 100:
        return group < 10
    last = group % 100 or group  # the lowest part written so far
    if last % 100 == 0:
        return value < 100
    if last % 10 == 0 and last >= 20:
        return value < 10
    return False


def _month(word: str, months: dict[str, int]) -> int:
    word = word.lower()
    return next(v for k, v in sorted(months.items(), key=lambda kv: -len(kv[0])) if word.startswith(k))


def day_figures(text: str, lang: str) -> set[str]:
    """Figures 1–31 written next to a month name: days of a date («25 июля», "July 25th")."""
    days = set()
    for match in re.finditer(r"\b([1-3]?\d)(?:st|nd|rd|th)?\b", text):
        before = re.search(r"(\w+)\W{0,2}$", text[: match.start()])
        after = re.match(r"\W{0,2}(\w+)", text[match.end():])
        near = [m.group(1) for m in (before, after) if m]
        if 1 <= int(match[1]) <= 31 and any(_is_month(w, lang) for w in near):
            days.add(str(int(match[1])))
    return days


def _is_month(word: str, lang: str) -> bool:
    return word.lower() in EN_MONTHS or (lang == "ru" and bool(RU_MONTH_RE.fullmatch(word)))


def number_flags(src: str, tgt: str, src_lang: str, tgt_lang: str, config: FlagConfig) -> list[Flag]:
    """Figures, years and months present on one side only (any language pair; number words,
    Russian months and «сутки» ↔ "24 hours" are read in Russian and English only).

    A number word (``три``) matches the same figure or word on the other side; number
    words or scale words (``тыс.``, ``million``) left over are only minor, a lone "one"
    is dropped. Changed months, years, decades and days next to a month make a ``date``
    flag, other figures a ``number`` flag; both major. The evidence lists apart the values
    the other side also has but writes fewer times."""
    in_src, in_tgt = numbers_in(src, src_lang), numbers_in(tgt, tgt_lang)
    only_src = _cancel_words(in_src - in_tgt, in_tgt)
    only_tgt = _cancel_words(in_tgt - in_src, in_src)
    ru, en = (src, tgt) if src_lang == "ru" else (tgt, src)
    if (src_lang, tgt_lang) in RU_EN and RU_DAY_RE.search(ru) and EN_24_HOURS_RE.search(en):
        for only in (only_src, only_tgt):
            only.pop("24", None)
            only.pop("word:24", None)
    days = day_figures(src, src_lang) | day_figures(tgt, tgt_lang)
    flags = []
    for kind in ("date", "number"):
        left_src = Counter({k: v for k, v in only_src.items() if (_is_date(k, days) == (kind == "date"))})
        left_tgt = Counter({k: v for k, v in only_tgt.items() if (_is_date(k, days) == (kind == "date"))})
        if not left_src and not left_tgt:
            continue
        # A value the other side also has, written once more here, is still counted (a
        # figure said twice and rendered once may be a lost mention), but shown apart.
        repeated_src = Counter({k: v for k, v in left_src.items() if _has_twin(k, in_tgt)})
        repeated_tgt = Counter({k: v for k, v in left_tgt.items() if _has_twin(k, in_src)})
        evidence = _evidence(left_src - repeated_src, left_tgt - repeated_tgt, repeated_src, repeated_tgt)
        # Number words are often idiomatic; English writes "up to 1 year" for «до года».
        strong = [k for k, lang in [*((k, src_lang) for k in left_src), *((k, tgt_lang) for k in left_tgt)]
                  if not k.startswith("word:") and not (k == "1" and lang == "en")]
        if not strong:
            flags.append(Flag(kind, "minor", evidence, config.number_minor_score))
        else:
            score = config.number_changed_score if left_src and left_tgt else config.number_major_score
            flags.append(Flag(kind, "major", evidence, score))
    return flags


def _numbers(pair: PairContext) -> list[Flag]:
    return number_flags(pair.src, pair.tgt, pair.src_lang, pair.tgt_lang, pair.config)


NUMBERS = Detector("numbers", frozenset({"number", "date"}), None, _numbers)


def _is_date(key: str, days: set[str]) -> bool:
    return (key.startswith(("month:", "decade:")) or key in days
            or (key.isdigit() and 1700 <= int(key) <= 2100))


def _roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for ch, nxt in zip(numeral, numeral[1:] + " "):
        total += -values[ch] if values.get(nxt, 0) > values[ch] else values[ch]
    return total


def _cancel_words(only: Counter, other: Counter) -> Counter:
    """Drop ``word:N`` and ``id:N`` entries matched by a figure N on the other side, figures
    matched by a ``word:N`` or ``id:N`` there, scale words (``тыс.`` ↔ ``1,000`` written out),
    two-digit decades matched by a four-digit one (``90-х`` ↔ ``1990s``), a weak "one" and
    identifiers left over."""
    left = Counter()
    for key, count in only.items():
        for twin in _forms(key):
            if twin != key:
                count -= min(count, other.get(twin, 0))
        if key.startswith("word:") and float(key[5:]) in _SCALES and _has_scaled_figure(other, int(key[5:])):
            count = 0
        if key.startswith("decade:") and any(k.startswith("decade:") and (k.endswith(key[7:]) or key.endswith(k[7:]))
                                             for k in other):
            count = 0
        if count > 0 and key not in _WEAK and not key.startswith("id:"):
            left[key] = count
    return left


def _evidence(changed_src: Counter, changed_tgt: Counter, repeated_src: Counter, repeated_tgt: Counter) -> str:
    """``source values ↔ target values``, then the values one side writes more often."""
    parts = []
    if changed_src or changed_tgt:
        parts.append(f"{_fmt(changed_src) or '–'} ↔ {_fmt(changed_tgt) or '–'}")
    if repeated_src or repeated_tgt:
        parts.append(f"repeated on one side: {_fmt(repeated_src) or '–'} ↔ {_fmt(repeated_tgt) or '–'}")
    return "; ".join(parts)


def _forms(key: str) -> tuple[str, str, str]:
    """The keys one value can have: figure, number word, identifier (``5``, ``word:5``, ``id:5``)."""
    figure = key.split(":", 1)[1] if key.startswith(("word:", "id:")) else key
    return figure, f"word:{figure}", f"id:{figure}"


def _has_twin(key: str, found: Counter) -> bool:
    """Whether ``found`` holds the value of ``key`` in any form."""
    return any(found.get(form) for form in _forms(key))


def _has_scaled_figure(found: Counter, scale: int) -> bool:
    """Whether a figure of at least ``scale`` stands on that side (``3 тыс.`` ↔ ``3,000``)."""
    return any(_is_float(k) and float(k) >= scale for k in found)


def _fmt_float(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _is_float(key: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", key))


def _fmt(counter: Counter) -> str:
    names = {f"month:{v}": k.capitalize() for k, v in EN_MONTHS.items()}
    return ", ".join(names.get(k, k.removeprefix("word:").replace("decade:", "") + ("s" if k.startswith("decade:") else ""))
                     for k in sorted(counter.elements()))
