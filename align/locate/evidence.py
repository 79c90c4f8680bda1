"""Evidence beyond the vectors: quotations searched on their own, and numbers, names and
length agreement that adjust each candidate's score."""

from __future__ import annotations

import numpy as np

from align.locate.config import LocateConfig
from align.locate.search import Candidates
from align.text import figures, name_keys


_QUOTE_PAIRS = {"“": "”", "«": "»", '"': '"', "„": "“"}


def quotations(text: str, min_words: int = 6, max_share: float = 0.8) -> list[str]:
    """Quoted passages inside a sentence ("Trotsky wrote: “...”"), worth searching on
    their own: the narrative frame around a quotation dilutes the sentence embedding.
    A quotation left open runs to the end of the sentence (it continues in the next
    one). Scare quotes (fewer than ``min_words`` words) and quotations that are almost
    the whole sentence are skipped."""
    found, i = [], 0
    total = len(text.split())
    while i < len(text):
        close = _QUOTE_PAIRS.get(text[i])
        # A straight quote opens only after a space or punctuation and before a word.
        opens = close is not None and (close != text[i] or (
            (i == 0 or text[i - 1] in " ([:—–-") and i + 1 < len(text) and not text[i + 1].isspace()))
        if not opens:
            i += 1
            continue
        end = text.find(close, i + 1)
        end = len(text) if end < 0 else end
        quote = text[i + 1:end].strip(" ,.:;-–—")
        words = len(quote.split())
        if words >= min_words and words <= max_share * total:
            found.append(quote)
        i = end + 1
    return found


def with_quotations(cands: Candidates, score: np.ndarray, quote_cands: Candidates, quote_score: np.ndarray,
                    owner: np.ndarray) -> tuple[Candidates, np.ndarray]:
    """Add the candidates of quotations (quotation ``i`` lies in English sentence
    ``owner[i]``) to those of their sentences: per sentence, each Russian row keeps its
    best score (and is marked quoted when a quotation found it), and the best ``k`` rows stay."""
    rows, cosine, margin, best = cands.rows.copy(), cands.cosine.copy(), cands.margin.copy(), score.copy()
    quoted = np.zeros(rows.shape, dtype=bool)
    k = rows.shape[1]
    for j in np.unique(owner):
        pool: dict[int, tuple[float, float, float, bool]] = {}  # row -> (score, cosine, margin, quoted)
        sources = [(cands, score, j, False)] + [(quote_cands, quote_score, i, True)
                                                for i in np.flatnonzero(owner == j)]
        for source, values, at, is_quote in sources:
            for c, row in enumerate(source.rows[at]):
                entry = (float(values[at, c]), float(source.cosine[at, c]), float(source.margin[at, c]), is_quote)
                known = pool.get(int(row))
                if known is None or entry[0] > known[0]:
                    pool[int(row)] = entry[:3] + (is_quote or (known is not None and known[3]),)
                elif is_quote:
                    pool[int(row)] = known[:3] + (True,)
        top = sorted(pool.items(), key=lambda item: -item[1][0])[:k]
        for c, (row, (value, cos, mar, is_quote)) in enumerate(top):
            rows[j, c], best[j, c], cosine[j, c], margin[j, c], quoted[j, c] = row, value, cos, mar, is_quote
    return Candidates(rows, cosine, margin, cands.typical_neighbour, quoted), best


def evidence(en_texts: list[str], ru_text, rows: np.ndarray, config: LocateConfig = LocateConfig()) -> np.ndarray:
    """Score adjustment per candidate from figures, names and length (``ru_text(row)`` -> str);
    the figures and name keys are `align.text`'s."""
    bonus = np.zeros(rows.shape)
    for j, text in enumerate(en_texts):
        en_num, en_names, en_len = figures(text), name_keys(text), max(len(text), 1)
        for c, row in enumerate(rows[j]):
            other = ru_text(int(row))
            ru_num = figures(other)
            if en_num and ru_num:
                bonus[j, c] += config.number_weight * (1 if en_num & ru_num else -1)
            if en_names & name_keys(other):
                bonus[j, c] += config.name_weight
            short, long_ = sorted((en_len, max(len(other), 1)))
            bonus[j, c] += config.length_weight * (np.log2(1 + short / long_) - 1)
    return bonus
