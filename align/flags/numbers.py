"""Number and date detector: figures, years, decades, Roman numerals, number words,
months (Russian genitive and adjectival forms), present on one side only."""

from __future__ import annotations

import re
from collections import Counter

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
# English "May" is a month only next to a figure (not the modal verb).
EN_MONTH_RE = re.compile(r"\b(january|february|march|april|june|july|august|september|october|november|december"
                         r"|May(?=\s+\d)|(?:(?<=\d )|(?<=in )|(?<=of )|(?<=since )|(?<=until )|(?<=by )|(?<=early )"
                         r"|(?<=late )|(?<=mid-)|(?<=last )|(?<=next )|(?<=this ))May)\b", re.IGNORECASE)
# "2021-22", "2019/20": the second year written in full before counting.
YEAR_RANGE_RE = re.compile(r"\b((1[7-9]|20)\d\d)([-–/])(\d\d)\b")
PM_RE = re.compile(r"\b(\d{1,2})((?::\d\d)?\s*)(p\.?\s?m\b\.?)", re.IGNORECASE)
NUMBER_RE = re.compile(r"(?<![\w.,])[1-9]\d{0,2}(?:[  ,]\d{3})+(?!\d)|(?<!\d)\d+(?:[.,]\d+)?")
# Digits glued by a hyphen to a short capitalised word are part of a name: "COVID-19", «Ту-154».
IDENTIFIER_RE = re.compile(r"\b[A-ZА-ЯЁ][\wЁё]{0,5}-$")
ROMAN_RE = re.compile(r"\b(?=[MDCLXVI]{2,}\b|[VX]\b)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b")
# "one" is left out on purpose: "no one", "one of", "один" (alone) are rarely the figure 1.
EN_ROMAN_RE = re.compile(r"\b(?=[MDCLXVI]{2,}\b)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b")
_RU_WORDS = {
    2: "два две двух двум двумя", 3: "три трех трёх трем трём тремя", 4: "четыре четырех четырёх четырем четырьмя",
    5: "пять пяти пятью", 6: "шесть шести шестью", 7: "семь семи семью", 8: "восемь восьми восемью",
    9: "девять девяти девятью", 10: "десять десяти десятью", 11: "одиннадцать одиннадцати",
    12: "двенадцать двенадцати", 15: "пятнадцать пятнадцати", 20: "двадцать двадцати", 30: "тридцать тридцати",
    40: "сорок сорока", 50: "пятьдесят пятидесяти", 60: "шестьдесят шестидесяти", 70: "семьдесят семидесяти",
    80: "восемьдесят восьмидесяти", 90: "девяносто девяноста", 100: "сто ста", 1000: "тысяча тысячи тысяч тысячу тыс",
    10**6: "миллион миллиона миллионов млн", 10**9: "миллиард миллиарда миллиардов млрд",
}
_EN_WORDS = {
    2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten",
    11: "eleven", 12: "twelve", 15: "fifteen", 20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety",
    100: "hundred", 1000: "thousand thousands", 10**6: "million millions mln", 10**9: "billion billions bn",
}
# Ordinals: «Пятый канал» ↔ "Channel 5". "first" and "second" are left out (often no count).
_RU_ORDINALS = {2: "втор", 3: "трет", 4: "четверт", 5: "пят", 6: "шест", 7: "седьм", 8: "восьм", 9: "девят",
                10: "десят"}
_EN_ORDINALS = {3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth"}
_RU_ORDINAL_ENDINGS = "ой ый ий ого его ому ему ым им ом ая ья ой ую ью ое ье ые ьи ых ьих ыми ьими".split()
WORD_NUMBERS = {
    "ru": {w: n for n, words in _RU_WORDS.items() for w in words.split()}
    | {stem + end: n for n, stem in _RU_ORDINALS.items() for end in _RU_ORDINAL_ENDINGS},
    "en": {w: n for n, words in _EN_WORDS.items() for w in words.split()} | {w: n for n, w in _EN_ORDINALS.items()},
}
_SCALES = {1000, 10**6, 10**9}
_TENS = {20, 30, 40, 50, 60, 70, 80, 90}


def numbers_in(text: str, lang: str) -> Counter:
    """Figures in a text as normalised strings: digits (thousands separators removed),
    Roman numerals, number words as ``word:N``, and months as ``month:N``."""
    found: Counter = Counter()
    words = WORD_NUMBERS.get(lang, {})
    text = YEAR_RANGE_RE.sub(lambda m: f"{m[1]}{m[3]}{m[2]}{m[4]}", text)
    text = PM_RE.sub(lambda m: f"{int(m[1]) % 12 + 12}{m[2]}", text)
    scaled: set[int] = set()  # start offsets of scale words already folded into a figure
    for match in NUMBER_RE.finditer(text):
        if IDENTIFIER_RE.search(text[max(0, match.start() - 8):match.start()]):
            continue
        token = match.group()
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
    tens = None  # a tens word waiting for its unit: "forty-six", «сорок шесть»
    last = None  # the last number word, for "four thousand", «четырех тысяч»
    for match in re.finditer(r"\w+", text):
        word = match.group().lower()
        value = words.get(word) or (1 if tens and word in ("one", "один", "одна", "одно") else None)
        if value is None or match.start() in scaled:
            tens = last = None
            continue
        if tens and value < 10 and re.fullmatch(r"[-\s]", text[tens[1]:match.start()]):
            found[f"word:{tens[0]}"] -= 1
            value += tens[0]
        elif last and value in _SCALES and last[0] < 1000 and text[last[1]:match.start()].isspace():
            found[f"word:{last[0]}"] -= 1
            value *= last[0]
        found[f"word:{value}"] += 1
        tens = (value, match.end()) if value in _TENS else None
        last = (value, match.end())
    found = +found
    month_re, months = (RU_MONTH_RE, RU_MONTHS) if lang == "ru" else (EN_MONTH_RE, EN_MONTHS)
    for match in month_re.finditer(text):
        word = match.group().lower()
        number = next(v for k, v in sorted(months.items(), key=lambda kv: -len(kv[0])) if word.startswith(k))
        found[f"month:{number}"] += 1
    return found


def number_flags(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[Flag]:
    """Figures, years and months present on one side only.

    A number word (``три``) matches the same figure or word on the other side; number
    words or scale words (``тыс.``, ``million``) left over are only minor. A changed
    date is a ``date`` flag, anything else ``number``; both major."""
    in_src, in_tgt = numbers_in(src, src_lang), numbers_in(tgt, tgt_lang)
    only_src = _cancel_words(in_src - in_tgt, in_tgt)
    only_tgt = _cancel_words(in_tgt - in_src, in_src)
    if not only_src and not only_tgt:
        return []
    keys = list(only_src) + list(only_tgt)
    evidence = f"{_fmt(only_src) or '–'} ↔ {_fmt(only_tgt) or '–'}"
    if all(k.startswith("word:") or k == "1" for k in keys):  # "up to 1 year" ↔ «до года»
        return [Flag("number", "minor", evidence, 0.4)]
    is_date = any(k.startswith("month:") or (k.isdigit() and 1700 <= int(k) <= 2100) for k in keys)
    return [Flag("date" if is_date else "number", "major", evidence, 1.0 if only_src and only_tgt else 0.8)]


def _roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for ch, nxt in zip(numeral, numeral[1:] + " "):
        total += -values[ch] if values.get(nxt, 0) > values[ch] else values[ch]
    return total


def _cancel_words(only: Counter, other: Counter) -> Counter:
    """Drop ``word:N`` entries matched by a figure N on the other side, figures matched
    by a ``word:N`` there, and scale words (``тыс.`` ↔ ``1,000`` written out)."""
    left = Counter()
    for key, count in only.items():
        twin = key[5:] if key.startswith("word:") else f"word:{key}"
        count -= min(count, other.get(twin, 0))
        if key.startswith("word:") and int(key[5:]) in _SCALES and _has_scaled_figure(other, int(key[5:])):
            count = 0
        if count > 0:
            left[key] = count
    return left


def _has_scaled_figure(found: Counter, scale: int) -> bool:
    """Whether a figure of at least ``scale`` stands on that side (``3 тыс.`` ↔ ``3,000``)."""
    return any(_is_float(k) and float(k) >= scale for k in found)


def _fmt_float(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _is_float(key: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", key))


def _fmt(counter: Counter) -> str:
    names = {f"month:{v}": k.capitalize() for k, v in EN_MONTHS.items()}
    return ", ".join(names.get(k, k.removeprefix("word:")) for k in sorted(counter.elements()))
