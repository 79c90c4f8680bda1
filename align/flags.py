"""Mismatch detectors. Each takes the texts of one link and returns flags with evidence."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from align.model import Flag, Link

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
EN_MONTH_RE = re.compile(r"\b(" + "|".join(EN_MONTHS) + r")\b", re.IGNORECASE)
NUMBER_RE = re.compile(r"(?<![\w.,])\d{1,3}(?:[  ,]\d{3})+(?![\d])|\d+(?:[.,]\d+)?")
WORD_NUMBERS = {
    "ru": {"один": 1, "одна": 1, "одного": 1, "два": 2, "две": 2, "двух": 2, "три": 3, "трех": 3, "трёх": 3,
           "четыре": 4, "четырех": 4, "пять": 5, "пяти": 5, "шесть": 6, "шести": 6, "семь": 7, "семи": 7,
           "восемь": 8, "восьми": 8, "девять": 9, "девяти": 9, "десять": 10, "десяти": 10},
    "en": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10},
}


@dataclass(frozen=True)
class FlagConfig:
    """Thresholds; the weak-link cut-offs are z-scores within the document's own links."""

    weak_z_major: float = -2.5
    weak_z_minor: float = -1.5
    weak_cosine_major: float = 0.35
    omission_major_words: int = 6
    weak_min_links: int = 8


def numbers_in(text: str, lang: str) -> Counter:
    """Figures in a text as normalised strings: digits (thousands separators removed),
    number words up to ten as ``word:N``, and months as ``month:N``."""
    found: Counter = Counter()
    for match in NUMBER_RE.finditer(text):
        token = match.group()
        if re.fullmatch(r"\d{1,3}(?:[  ,]\d{3})+", token):
            token = re.sub(r"[  ,]", "", token)
        token = token.replace(",", ".")
        found[token.lstrip("0") or "0"] += 1
    for word in re.findall(r"\w+", text.lower()):
        if word in WORD_NUMBERS.get(lang, {}):
            found[f"word:{WORD_NUMBERS[lang][word]}"] += 1
    month_re, months = (RU_MONTH_RE, RU_MONTHS) if lang == "ru" else (EN_MONTH_RE, EN_MONTHS)
    for match in month_re.finditer(text):
        word = match.group().lower()
        number = next(v for k, v in sorted(months.items(), key=lambda kv: -len(kv[0])) if word.startswith(k))
        found[f"month:{number}"] += 1
    return found


def number_flags(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[Flag]:
    """Figures, years and months present on one side only.

    A number word (``три``) matches the same figure or word on the other side; a
    number word left over is only a minor flag (``one`` is often a pronoun)."""
    in_src, in_tgt = numbers_in(src, src_lang), numbers_in(tgt, tgt_lang)
    only_src = _cancel_words(in_src - in_tgt, in_tgt)
    only_tgt = _cancel_words(in_tgt - in_src, in_src)
    if not only_src and not only_tgt:
        return []
    keys = list(only_src) + list(only_tgt)
    evidence = f"{_fmt(only_src) or '–'} ↔ {_fmt(only_tgt) or '–'}"
    if all(k.startswith("word:") for k in keys):
        return [Flag("number", "minor", evidence, 0.5)]
    is_date = any(k.startswith("month:") or (k.isdigit() and 1700 <= int(k) <= 2100) for k in keys)
    return [Flag("date" if is_date else "number", "major", evidence, 1.0)]


def _cancel_words(only: Counter, other: Counter) -> Counter:
    """Drop ``word:N`` entries matched by a figure N on the other side, and figures
    matched by a ``word:N`` there."""
    left = Counter()
    for key, count in only.items():
        twin = key[5:] if key.startswith("word:") else f"word:{key}"
        count -= min(count, other.get(twin, 0))
        if count > 0:
            left[key] = count
    return left


def _fmt(counter: Counter) -> str:
    names = {f"month:{v}": k.capitalize() for k, v in EN_MONTHS.items()}
    return ", ".join(names.get(k, k.removeprefix("word:")) for k in sorted(counter.elements()))


def flag_links(links: list[Link], src_texts: list[str], tgt_texts: list[str],
               src_lang: str, tgt_lang: str, config: FlagConfig = FlagConfig()) -> list[Link]:
    """Attach flags to every link of one aligned document pair."""
    full = [link.score for link in links if link.src and link.tgt]
    # Too few links for a distribution: only the absolute cut-off applies.
    mean, std = (float(np.mean(full)), float(np.std(full)) or 1.0) if len(full) >= config.weak_min_links else (0.0, np.inf)
    flagged = []
    for link in links:
        src = " ".join(src_texts[i] for i in link.src)
        tgt = " ".join(tgt_texts[j] for j in link.tgt)
        flags: list[Flag] = []
        if not link.tgt:
            words = len(src.split())
            severity = "major" if words >= config.omission_major_words else "minor"
            flags.append(Flag("omission", severity, _clip(src), 1.0))
        elif not link.src:
            words = len(tgt.split())
            severity = "major" if words >= config.omission_major_words else "minor"
            flags.append(Flag("addition", severity, _clip(tgt), 1.0))
        else:
            flags.extend(_weak_flag(link.score, mean, std, config))
            flags.extend(number_flags(src, tgt, src_lang, tgt_lang))
        flagged.append(Link(link.src, link.tgt, link.score, tuple(flags)))
    return flagged


def _weak_flag(score: float, mean: float, std: float, config: FlagConfig) -> list[Flag]:
    z = (score - mean) / std
    if z <= config.weak_z_major or score < config.weak_cosine_major:
        return [Flag("weak", "major", f"similarity {score:.2f}, document mean {mean:.2f} (z = {z:.1f})",
                     round(min(1.0, max(0.0, -z / 4)), 3))]
    if z <= config.weak_z_minor:
        return [Flag("weak", "minor", f"similarity {score:.2f}, document mean {mean:.2f} (z = {z:.1f})",
                     round(min(1.0, max(0.0, -z / 4)), 3))]
    return []


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
