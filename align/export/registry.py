"""The registry of writers: one `Writer` per output file, used by `build`, `locate` and
`pair` alike. A writer renders bytes from an `ExportContext`; `write_outputs` puts the
whole set in place at once (see `fileio.write_file_set`).

Adding an output is one new module in ``align/export/`` that calls `register` (every
module of the package is imported by ``align.export``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import chain
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from align.errors import InputError
from align.export.lines import LineNumbers
from align.fileio import write_file_set
from align.model import BuildResult
from align.settings import Settings


@dataclass(frozen=True, eq=False)
class ExportContext:
    """What every writer may read: the result, the run record (settings, signature,
    inputs), the line numbers of sentences, found once per document and shared, and the
    run's `Settings` (the corpus database loads the word model they name; None: unknown,
    and the database has no word alignment)."""

    result: BuildResult
    run: dict[str, Any]
    src_lang: str
    tgt_lang: str
    lines: LineNumbers = field(default_factory=LineNumbers)
    settings: Settings | None = None

    @property
    def signature(self) -> str:
        return self.run["signature"]


def _always(result: BuildResult) -> bool:
    return True


@dataclass(frozen=True)
class Writer:
    """One output file: its name, what it holds, how it is rendered and when a run has it.
    A writer of several files (one per pair) names a folder and renders a mapping of file
    names inside it to bytes."""

    name: str
    description: str
    render: Callable[[ExportContext], bytes | Mapping[str, bytes]]
    applies: Callable[[BuildResult], bool] = _always
    # A `pair --format` name that writes this file alone (None: only part of a folder).
    format: str | None = None


WRITERS: dict[str, Writer] = {}


def register(writer: Writer) -> Writer:
    """Add a writer; names are unique."""
    if writer.name in WRITERS:
        raise ValueError(f"a writer named {writer.name!r} is registered already")
    WRITERS[writer.name] = writer
    return writer


def formats() -> dict[str, Writer]:
    """Writers by their ``--format`` name."""
    return {w.format: w for w in WRITERS.values() if w.format}


def outputs_of(result: BuildResult, names: tuple[str, ...] = ()) -> list[Writer]:
    """The writers a run has (``names``: only these, each checked)."""
    unknown = [n for n in names if n not in WRITERS]
    if unknown:
        raise InputError(None, f"unknown output {unknown[0]!r} (known: {', '.join(WRITERS)})")
    chosen = [WRITERS[n] for n in names] if names else list(WRITERS.values())
    return [w for w in chosen if w.applies(result)]


def render_all(context: ExportContext, writers: list[Writer]) -> Iterator[tuple[str, bytes]]:
    """Every file of ``writers``, one writer at a time, as (name in the output folder, bytes)
    (``folder/file`` for a writer of several files)."""
    for writer in writers:
        output = writer.render(context)
        if isinstance(output, bytes):
            yield writer.name, output
        else:
            yield from ((f"{writer.name}/{name}", data) for name, data in output.items())


def write_outputs(folder: Path, context: ExportContext, writers: list[Writer],
                  extra: Mapping[str, bytes] | None = None) -> list[str]:
    """Render every output, then swap the whole set into ``folder`` (files of an earlier
    run that this one does not write are gone; other files in the folder are kept).
    ``extra``: more files of the run (by name) in the same set (`align check --annotate`'s
    copy of the XLIFF). Each writer's files are written as it renders them (memory: one
    writer's files at a time). Returns the names written."""
    names: list[str] = []

    def files() -> Iterator[tuple[str, bytes]]:
        for name, data in chain(render_all(context, writers), (extra or {}).items()):
            names.append(name)
            yield name, data

    try:
        write_file_set(folder, files(), owned=set(WRITERS) | set(extra or {}))
    except OSError as err:  # a full disk, a file size limit, a folder made read-only meanwhile
        raise InputError(folder, f"cannot write the outputs ({err.strerror or err}); "
                                 "the previous outputs are left as they were") from None
    return names
