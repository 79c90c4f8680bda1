"""Python front door, mirroring the CLI."""

from __future__ import annotations

import os
from pathlib import Path

from align.cache import resolve_cache
from align.embed import load_encoder
from align.flags import FlagConfig
from align.pipeline import AlignedPair, BuildResult, align_documents, build as build_corpus, load_document


def align_pair(src: Path, tgt: Path, src_lang: str, tgt_lang: str, presegmented: bool = False,
               model: str = "use-m3", cache_dir: Path | None = None, flags: bool = True) -> AlignedPair:
    """Align two documents that translate each other; links carry flags unless ``flags`` is False."""
    cache = resolve_cache(cache_dir, os.environ)
    encoder = load_encoder(model, cache, progress=False)
    src_doc = load_document(Path(src), src_lang, encoder, presegmented, cache=cache)
    tgt_doc = load_document(Path(tgt), tgt_lang, encoder, presegmented, cache=cache)
    links = align_documents(src_doc, tgt_doc, flag_config=FlagConfig() if flags else None)
    return AlignedPair(src_doc, tgt_doc, tuple(links), "parallel")


def build(src_dir: Path, tgt_dir: Path, model: str = "use-m3", src_lang: str = "ru", tgt_lang: str = "en",
          cache_dir: Path | None = None) -> BuildResult:
    """Align every document of two folders (pairs.csv, equal stems, else located passages).

    ``cache_dir`` holds embeddings and read documents; the flags' word vectors and the e5
    model stay in ``$ALIGN_CACHE_DIR`` (``~/.cache/align``)."""
    cache = resolve_cache(cache_dir, os.environ)
    return build_corpus(Path(src_dir), Path(tgt_dir), load_encoder(model, cache), src_lang, tgt_lang, cache=cache)
