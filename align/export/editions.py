"""``editions/``: a bilingual reader edition of every parallel pair and of every located
English text, as one HTML page and one EPUB each (see edition.py for the layout)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from align.errors import InputError
from align.export.edition import Edition, MetaOverrides, editions_of, located_edition, parallel_edition
from align.export.lines import LineNumbers
from align.export.edition_epub import edition_epub
from align.export.edition_html import edition_html
from align.export.registry import ExportContext, Writer, register
from align.model import AlignedPair, BuildResult

RENDERERS: dict[str, Callable[[Edition], bytes]] = {".html": edition_html, ".epub": edition_epub}


def renderer_for(output: Path) -> Callable[[Edition], bytes]:
    """The edition format an output file's suffix names (checked before any work)."""
    try:
        return RENDERERS[output.suffix.lower()]
    except KeyError:
        raise InputError(output, f"an edition is a .html or .epub file, not {output.suffix or 'no suffix'!r}") from None


def edition_bytes(pair: AlignedPair, output: Path, src_lang: str, tgt_lang: str,
                  overrides: MetaOverrides | None = None) -> bytes:
    """One pair's edition in the format of ``output`` (``align edition``): the whole pair,
    or for a located pair the passages found."""
    if pair.mode == "located":
        return renderer_for(output)(located_edition(pair.tgt, [pair], src_lang, tgt_lang, LineNumbers(), overrides))
    return renderer_for(output)(parallel_edition(pair, src_lang, tgt_lang, overrides))


def edition_files(context: ExportContext) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for edition in editions_of(context.result, context.src_lang, context.tgt_lang, context.lines):
        files[f"{edition.stem}.html"] = edition_html(edition)
        files[f"{edition.stem}.epub"] = edition_epub(edition)
    return files


def _has_links(result: BuildResult) -> bool:
    return any(pair.links for pair in result.pairs)


register(Writer("editions", "bilingual reader editions, one per parallel pair and per located English text: "
                            "<stem>.html (self-contained page) and <stem>.epub (EPUB 3)", edition_files, _has_links))
