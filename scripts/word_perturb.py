"""Seeded word-level perturbations of an English rendering of a Russian sentence, for
``bench_flags.py``: one word or short phrase left out, added, negated, reversed, replaced, or
left in Russian. The English side is read by its own rules (suffixes, closed-class words), the
Russian side by pymorphy3; the word alignment (mutual best e5 matches) tells which English word
renders a Russian noun, verb or subject."""

from __future__ import annotations

import random
import re

from align.flags.morph import EN_FUNCTION, _analyzer, ru_word
from align.tokens import Words, best_matches

# perturbation -> flag kinds that should catch it
WORD_EXPECT = {
    "drop_modifier": {"omission"},
    "drop_verb": {"omission", "mistranslation"},
    "drop_noun": {"omission"},
    "drop_subject": {"omission", "name"},
    "drop_entity": {"omission", "name"},
    "drop_prep_phrase": {"omission"},
    "add_word": {"addition"},
    "negate": {"mistranslation"},
    "antonym": {"mistranslation"},
    "replace_entity": {"name"},
    "replace_number": {"number", "date"},
    "code_mix": {"untranslated"},
}
ADDED = ["secret", "illegal", "reportedly", "foreign", "annual", "wealthy", "elderly", "armed", "nuclear",
         "in the capital", "last week", "for the first time", "with his wife", "according to the police"]
ANTONYMS = {"increase": "decrease", "increased": "decreased", "rose": "fell", "rise": "fall", "grew": "shrank",
            "higher": "lower", "more": "fewer", "won": "lost", "win": "lose", "allowed": "banned",
            "allow": "ban", "open": "closed", "opened": "closed", "accepted": "rejected", "large": "small",
            "big": "small", "before": "after", "early": "late", "best": "worst", "strong": "weak",
            "support": "oppose", "supported": "opposed", "began": "ended", "start": "end", "started": "ended",
            "buy": "sell", "bought": "sold", "first": "last", "new": "old", "good": "bad", "high": "low",
            "young": "old", "agreed": "refused", "arrived": "left", "success": "failure", "true": "false",
            "include": "exclude", "included": "excluded", "increasing": "decreasing", "up": "down",
            "positive": "negative", "peace": "war", "legal": "illegal", "public": "private", "long": "short"}
ANTONYMS |= {v: k for k, v in ANTONYMS.items() if v not in ANTONYMS}
NAMES = ["Petrov", "Ivanova", "Smirnov", "Novosibirsk", "Kazan", "Sokolov", "Yekaterinburg", "Morozov", "Volkov",
         "Samara", "Kuznetsova", "Orlov", "Tomsk", "Belova"]
AUX = re.compile(r"\b(is|are|was|were|will|can|could|would|should|has|have|had|must|may)\b(?! not\b| never\b)")
PREP_PHRASE = re.compile(r"\s(?:in|on|at|from|with|for|during|after|before|near|under)\s(?:the\s|a\s|an\s|his\s|her\s|"
                         r"their\s|its\s)?(?:[A-Za-z-]+\s){0,2}[A-Za-z-]{3,}(?=[,.;]|\s(?:and|but|in|on|at|to)\b)")
EN_MODIFIER = re.compile(r"\b[a-z]{3,}(?:ly|ous|ive|ful|able|ible|ical|ic|al|ish|ern)\b")
NUMBER = re.compile(r"(?<![-\w.,])\d+(?:[.,]\d+)*(?![\w-])")


def aligned(src: Words, tgt: Words) -> dict[int, int]:
    """English word index -> the Russian word index it is the mutual best match of."""
    if not len(tgt.spans) or not len(src.spans):
        return {}
    _, mutual_t = best_matches(tgt, src)
    sim = tgt.vectors @ src.vectors.T
    return {i: int(sim[i].argmax()) for i in range(len(tgt.spans)) if mutual_t[i]}


def word_perturb(kind: str, src: Words, tgt: Words, rng: random.Random) -> str | None:
    """The English text of ``tgt`` changed by ``kind``; None when the sentence has nothing to change."""
    text, tokens = tgt.text, tgt.tokens
    links = aligned(src, tgt)
    ru = src.tokens

    def ru_pos(i: int) -> str | None:
        j = links.get(i)
        return ru_word(ru[j]).pos if j is not None and re.search("[а-яё]", ru[j], re.I) else None

    def drop(spans: list[tuple[int, int]]) -> str | None:
        if not spans:
            return None
        a, b = rng.choice(spans)
        return _tidy(text[:a] + text[b:])

    mid = [i for i in range(1, len(tokens))]
    if kind == "drop_modifier":
        return drop([m.span() for m in EN_MODIFIER.finditer(text) if m.group() not in EN_FUNCTION])
    if kind in ("drop_verb", "drop_noun"):
        want = {"VERB", "INFN"} if kind == "drop_verb" else {"NOUN"}
        return drop([tgt.spans[i] for i in mid if ru_pos(i) in want and tokens[i].lower() not in EN_FUNCTION
                     and tokens[i][:1].islower() and len(tokens[i]) > 3])
    if kind == "drop_subject":
        # The English word rendering the first Russian nominative noun before its verb, with its determiner.
        for i in range(len(tokens)):
            j = links.get(i)
            if j is None or not re.search("[а-яё]", ru[j], re.I):
                continue
            tag = _analyzer().parse(ru[j])[0].tag
            if tag.POS == "NOUN" and tag.case == "nomn" and len(tokens[i]) > 3:
                a, b = tgt.spans[i]
                det = re.search(r"(?:\b(?:the|a|an)\s+)?$", text[:a])
                return _tidy(text[:det.start()] + text[b:]) if det else None
            if tag.POS == "VERB":
                return None
        return None
    if kind in ("drop_entity", "replace_entity"):
        spans = [tgt.spans[i] for i in mid if tokens[i][:1].isupper() and links.get(i) is not None
                 and ru_word(ru[links[i]]).name and not tokens[i].isupper()]
        if not spans:
            return None
        if kind == "drop_entity":
            return drop(spans)
        a, b = rng.choice(spans)
        return text[:a] + rng.choice([n for n in NAMES if n != text[a:b]]) + text[b:]
    if kind == "drop_prep_phrase":
        return drop([m.span() for m in PREP_PHRASE.finditer(text)])
    if kind == "add_word":
        nouns = [tgt.spans[i] for i in mid if ru_pos(i) == "NOUN" and tokens[i][:1].islower()]
        if not nouns:
            return None
        a, b = rng.choice(nouns)
        added = rng.choice(ADDED)
        return text[:a] + added + " " + text[a:] if " " not in added else text[:b] + " " + added + text[b:]
    if kind == "negate":
        if re.search(r"\b(?:not|never|no)\b|n't\b", text) or not (m := AUX.search(text)):
            return None
        return text[:m.end()] + " not" + text[m.end():]
    if kind == "antonym":
        hits = [m for m in re.finditer(r"\b[a-z]+\b", text) if m.group() in ANTONYMS]
        if not hits:
            return None
        m = rng.choice(hits)
        return text[:m.start()] + ANTONYMS[m.group()] + text[m.end():]
    if kind == "replace_number":
        figures = list(NUMBER.finditer(text))
        if not figures:
            return None
        m = rng.choice(figures)
        digits = re.sub(r"\D", "", m.group())
        new = str(int(digits[-3:] or 0) + rng.choice([1, 2, 3, 7]))
        return text[:m.start()] + new + text[m.end():]
    if kind == "code_mix":
        pairs = [(i, links[i]) for i in mid if links.get(i) is not None and tokens[i].lower() not in EN_FUNCTION
                 and tokens[i][:1].islower() and len(tokens[i]) > 3 and re.search("[а-яё]", ru[links[i]], re.I)]
        if not pairs:
            return None
        chosen = sorted(rng.sample(pairs, min(len(pairs), rng.choice([1, 2]))), reverse=True)
        for i, j in chosen:
            a, b = tgt.spans[i]
            text = text[:a] + ru[j].lower() + text[b:]
        return text
    raise ValueError(kind)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    text = re.sub(r"^[,;]\s*", "", text)
    return text[:1].upper() + text[1:]
