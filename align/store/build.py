"""A run into a corpus database: word alignments computed from the flags' word model
(cached vectors), then every pair written in one transaction. `corpus_bytes` renders a
fresh database for the output folder; `add_to_corpus` adds to an existing one in place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from align.errors import InputError
from align.export.lines import LineNumbers
from align.model import BuildResult
from align.store.schema import connect
from align.store.wordalign import align_words, link_texts
from align.store.write import write_run
from align.tokens import WordModel

WORD_CHUNK = 512  # links whose word vectors are read from the cache at once


def add_to_corpus(path: Path, result: BuildResult, run: dict[str, Any], words: WordModel | None,
                  lines: LineNumbers | None = None) -> None:
    """Write ``result`` into the corpus at ``path`` (created if missing); its document
    pairs replace any earlier rows of the same pairs, all in one transaction."""
    # The word model is asked in chunks of links, not once per pair (a cache read per pair
    # cost more than a small pair's work), nor once for the run (memory).
    texts = [link_texts(pair) for pair in result.pairs]
    flat = [text for group in texts for text in group]
    aligned = iter([pairs for start in range(0, len(flat), WORD_CHUNK)
                    for pairs in align_words(flat[start:start + WORD_CHUNK], words)])
    pairs = [(pair, [next(aligned) for _ in group]) for pair, group in zip(result.pairs, texts)]
    sha256 = {item["path"]: item["sha256"] for item in run.get("inputs", [])}
    db = connect(Path(path), create=True)
    try:
        write_run(db, pairs, run, sha256, lines or LineNumbers())
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def corpus_bytes(result: BuildResult, run: dict[str, Any], words: WordModel | None, lines: LineNumbers) -> bytes:
    """A new corpus database of ``result`` as bytes (built in a temporary file), for the
    output set that `align.fileio.write_file_set` swaps in at once. The run's date is left
    out, and so is where it ran, so that the same run gives the same bytes on any engine
    (run.json keeps both)."""
    run = {key: value for key, value in run.items() if key not in ("date", "engine")}
    handle, tmp = tempfile.mkstemp(prefix="align-corpus-", suffix=".sqlite")
    os.close(handle)
    try:
        add_to_corpus(Path(tmp), result, run, words, lines)
        return Path(tmp).read_bytes()
    except InputError as error:  # the temporary file could not be written: say so, not "not a corpus"
        raise InputError(None, f"cannot write the outputs: building corpus.sqlite in {tmp} failed "
                               f"({error.problem}; a full disk or a file size limit?)") from None
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(tmp + suffix).unlink(missing_ok=True)
