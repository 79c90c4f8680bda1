"""Checking a bilingual file as it is (`align check`): XLIFF 1.2/2.0, SDLXLIFF, TMX or a
two-column TSV read as already-paired segments (`read.py` picks the reader by content:
`xliff.py`, `tmx.py`, `tsv.py`, all returning a `BilingualFile`), every pair flagged as a
build flags its links (`checking.py`), the outputs of a build written with the file's
segment ids, and optionally a copy of the XLIFF with the flags as notes (`annotate.py`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from align.check.annotate import annotate_xliff, annotated_name
from align.check.bilingual import BilingualFile, BilingualSegment
from align.check.checking import CheckResult, check_bilingual
from align.check.read import read_bilingual
from align.check.xmltext import read_bytes
from align.components import load_components
from align.errors import InputError
from align.settings import Settings

__all__ = ["BilingualFile", "BilingualSegment", "CheckResult", "annotated_copy", "check_path", "read_bilingual"]


def check_path(path: Path, settings: Settings, *, src_lang: str | None = None, tgt_lang: str | None = None,
               realign: bool = False, annotate: bool = False, progress: bool = False) -> tuple[CheckResult, Settings]:
    """Read and check the bilingual file ``path``; returns the check and the settings it ran
    with: the languages given, else the file's, else those of ``settings``. ``annotate``
    only checks here that the file is an XLIFF (before any work)."""
    file = read_bilingual(Path(path), settings.max_bytes, src_lang or "", tgt_lang or "")
    if annotate and file.format in ("tmx", "tsv"):
        raise InputError(path, f"--annotate writes XLIFF notes; this is a {file.format.upper()} file")
    chosen = replace(settings, src_lang=src_lang or file.src_lang or settings.src_lang,
                     tgt_lang=tgt_lang or file.tgt_lang or settings.tgt_lang)
    components = load_components(chosen, progress=progress)
    return check_bilingual(file, chosen, components, realign=realign), chosen


def annotated_copy(checked: CheckResult, max_bytes: int) -> dict[str, bytes]:
    """``{name: bytes}`` of the XLIFF with the flags as notes, for the output folder; the
    file is read again and must still hold the segments checked."""
    path = checked.file.path
    data = read_bytes(path, max_bytes)
    return {annotated_name(path): annotate_xliff(path, data, checked.file, checked.result.pairs[0])}
