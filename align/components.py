"""The models a run uses, built once from `Settings` and handed to every stage: the
sentence encoder, the word model of the flags, and the vocabulary the name flags consult."""

from __future__ import annotations

from dataclasses import dataclass

from align.embed import Encoder, load_encoder
from align.settings import Settings
from align.tokens import Vocabulary, WordModel, load_vocabulary
from align.wordcache import load_word_model


@dataclass(frozen=True)
class Components:
    encoder: Encoder
    words: WordModel | None  # None: no word alignment (FlagConfig.token_alignment off)
    vocabulary: Vocabulary


def load_components(settings: Settings, *, progress: bool = True) -> Components:
    """Encoder, word model and vocabulary of ``settings``; the networks load lazily, on
    their first use (a fully cached run loads none)."""
    encoder = load_encoder(settings.encoder, settings.cache, progress=progress)
    return Components(encoder, word_model_for(settings), load_vocabulary(settings.cache))


def word_model_for(settings: Settings) -> WordModel | None:
    """The run's word model (disk-cached), or None when token alignment is off; the corpus
    database asks for it too (after the flags ran, every vector is a cache hit)."""
    if not settings.flags.token_alignment:
        return None
    return load_word_model(settings.word_model, settings.encoder, settings.cache)
