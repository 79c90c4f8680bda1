"""The Python front door, mirroring the CLI: keyword arguments (or a TOML file) build
`Settings` once, the environment is read here only as the cache folder's fallback, and
the same library calls as the CLI's run with them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from align.aligner import AlignConfig
from align.cache import resolve_cache
from align.check import CheckResult, annotated_copy, check_path
from align.components import load_components
from align.export.registry import ExportContext
from align.flags import FlagConfig
from align.locate import LocateConfig
from align.model import AlignedPair, BuildResult
from align.errors import InputError
from align.fileio import check_output_path
from align.pipeline import Progress, list_input_files, manifest_path
from align.pipeline import locate as locate_in
from align.pipeline import align_pair as align_pair_files
from align.pipeline import build as run_build
from align.settings import Settings, make_settings

Section = Mapping[str, Any] | None


def settings_from(*, settings: Settings | None = None, config: Path | None = None, cache_dir: Path | None = None,
                  align: AlignConfig | Section = None, locate: LocateConfig | Section = None,
                  flags: FlagConfig | Section = None, **fields: Any) -> Settings:
    """`Settings` from keyword arguments: ``settings`` (or the defaults with the cache folder
    from ``cache_dir``, else ``$ALIGN_CACHE_DIR``, else ``~/.cache/align``), then the TOML
    ``config``, then top-level ``fields`` (encoder, word_model, src_lang, …) and each section
    as a config object or a mapping of its fields. Unknown keys are an `InputError`."""
    base = settings or Settings(cache=resolve_cache(None, os.environ))
    cache = resolve_cache(cache_dir, os.environ) if cache_dir is not None else None
    sections = {name: value for name, value in (("align", align), ("locate", locate), ("flags", flags))}
    return make_settings(base, config_file=config, cache=cache, **fields, **sections)


def align_files(src: Path, tgt: Path, settings: Settings, *, with_flags: bool = True) -> AlignedPair:
    """Align two files with ``settings`` (the CLI's ``pair``)."""
    components = load_components(settings, progress=False)
    return align_pair_files(Path(src), Path(tgt), settings, components, with_flags=with_flags)


def build_corpus(src_dir: Path, tgt_dir: Path, settings: Settings, progress: Progress | None = None) -> BuildResult:
    """Align every document of two folders with ``settings`` (the CLI's ``build``); with a
    ``progress`` callback, long embedding runs show a bar too."""
    components = load_components(settings, progress=progress is not None)
    return run_build(Path(src_dir), Path(tgt_dir), settings, components, progress)


def locate_texts(en_files: list[Path], ru_files: list[Path], settings: Settings, *,
                 progress: bool = False) -> BuildResult:
    """Locate every English text in the Russian collection, align and flag (the CLI's
    ``locate``); ``progress`` shows a bar on long embedding runs."""
    components = load_components(settings, progress=progress)
    return locate_in(list(map(Path, en_files)), list(map(Path, ru_files)), settings, components)


def align_pair(src: str | Path, tgt: str | Path, src_lang: str | None = None, tgt_lang: str | None = None, *,
               presegmented: bool | None = None, model: str | None = None, word_model: str | None = None,
               cache_dir: str | Path | None = None, config: str | Path | None = None,
               align: AlignConfig | Section = None, locate: LocateConfig | Section = None,
               flags: FlagConfig | Section = None, with_flags: bool = True,
               settings: Settings | None = None) -> AlignedPair:
    """Align two documents that translate each other; links carry flags unless ``with_flags``
    is off. ``align``/``locate``/``flags`` set any config field, e.g.
    ``align={"skip_penalty": 0.3}``; ``config`` is a TOML file of settings. Arguments left
    at None keep the value of ``settings``, the config file or the defaults (ru, en)."""
    chosen = settings_from(settings=settings, config=_path(config), cache_dir=_path(cache_dir), align=align,
                           locate=locate, flags=flags, encoder=model, word_model=word_model, src_lang=src_lang,
                           tgt_lang=tgt_lang, presegmented=presegmented)
    return align_files(Path(src), Path(tgt), chosen, with_flags=with_flags)


def build(src_dir: str | Path, tgt_dir: str | Path, *, output: str | Path | None = None, model: str | None = None,
          word_model: str | None = None, src_lang: str | None = None, tgt_lang: str | None = None,
          presegmented: bool | None = None, cache_dir: str | Path | None = None, config: str | Path | None = None,
          align: AlignConfig | Section = None, locate: LocateConfig | Section = None,
          flags: FlagConfig | Section = None, settings: Settings | None = None, workers: int | None = None,
          engine: str | None = None, address: str | None = None) -> BuildResult:
    """Align every document of two folders (pairs.csv, equal stems, else located passages);
    with ``output``, write every output there as ``align build`` does. ``workers``,
    ``engine`` ("local" or "ray") and ``address`` say where the work runs (`align.engine`)."""
    chosen = settings_from(settings=settings, config=_path(config), cache_dir=_path(cache_dir), align=align,
                           locate=locate, flags=flags, encoder=model, word_model=word_model, src_lang=src_lang,
                           tgt_lang=tgt_lang, presegmented=presegmented, workers=workers, engine=engine,
                           address=address)
    inputs = build_inputs(Path(src_dir), Path(tgt_dir), _path(config))
    if output is not None:
        check_output_path(Path(output), [Path(src_dir), Path(tgt_dir), *inputs])
    result = build_corpus(Path(src_dir), Path(tgt_dir), chosen)
    if output is not None:
        write_build(Path(output), result, chosen, inputs)
    return result


def check_file(path: str | Path, *, output: str | Path | None = None, src_lang: str | None = None,
               tgt_lang: str | None = None, realign: bool = False, annotate: bool = False, model: str | None = None,
               word_model: str | None = None, cache_dir: str | Path | None = None, config: str | Path | None = None,
               flags: FlagConfig | Section = None, settings: Settings | None = None) -> CheckResult:
    """Check a bilingual file (XLIFF 1.2/2.0, SDLXLIFF, TMX, two-column TSV) as it is: every
    segment pair flagged, links carrying the file's segment ids. Languages: those given,
    else the file's. With ``output``, write the outputs of a build there (``annotate``: and
    a copy of the XLIFF with the flags as notes); ``realign`` aligns a file whose
    segmentation looks off again, sentence by sentence."""
    chosen = settings_from(settings=settings, config=_path(config), cache_dir=_path(cache_dir), flags=flags,
                           encoder=model, word_model=word_model, src_lang=src_lang, tgt_lang=tgt_lang)
    inputs = [Path(path), *([Path(config)] if config is not None else [])]
    if output is not None:
        check_output_path(Path(output), inputs)
    checked, chosen = check_path(Path(path), chosen, src_lang=src_lang, tgt_lang=tgt_lang, realign=realign,
                                 annotate=annotate)
    if output is not None:
        write_check(Path(output), checked, chosen, inputs, annotate=annotate)
    return checked


def write_check(output: Path, checked: CheckResult, settings: Settings, inputs: list[Path], *,
                annotate: bool = False) -> list[str]:
    """The outputs of a check (those of a build, and with ``annotate`` the annotated XLIFF) at once."""
    extra = annotated_copy(checked, settings.max_bytes) if annotate else None
    return write_build(output, checked.result, settings, inputs, "check", extra=extra)


def build_inputs(src_dir: Path, tgt_dir: Path, config: Path | None) -> list[Path]:
    """Every file a build reads, for its run record: both folders' files, the manifest
    and the config file (the CLI and the API record the same)."""
    manifest = manifest_path(src_dir, tgt_dir)
    extra = [p for p in (manifest, config) if p is not None]
    return [*list_input_files(src_dir), *list_input_files(tgt_dir), *extra]


def write_build(output: Path, result: BuildResult, settings: Settings, inputs: list[Path],
                command: str = "build", db: Path | None = None, extra: Mapping[str, bytes] | None = None) -> list[str]:
    """Every output of ``result`` into the folder ``output`` at once; returns the names
    written. ``db``: also add the run to that corpus database, in place; ``extra``: more
    files (by name) written in the same set."""
    from align.export import ExportContext, outputs_of, write_outputs
    from align.export.run import run_record
    from align.fileio import ensure_output_dir

    check_output_path(output, inputs)
    ensure_output_dir(output)
    shown = _ignores_applied(result, Path(db)) if db is not None and Path(db).is_file() else result
    writers = outputs_of(shown, settings.outputs)
    record = run_record(command, settings, inputs, [w.name for w in writers])
    context = ExportContext(shown, record, settings.src_lang, settings.tgt_lang, settings=settings)
    written = write_outputs(output, context, writers, extra)
    if db is not None:  # every flag, the ignored ones too: the editor lists them with their decision
        add_run(db, replace(context, result=result))
    return written


def _ignores_applied(result: BuildResult, db: Path) -> BuildResult:
    """``result`` without the flags a person ignored in ``db`` (not raised again on a
    rebuild of the same text: the output folder shows what the editor shows)."""
    from align.store.corrections import ignored_flags, without_ignored

    ignored = ignored_flags(db)
    return replace(result, pairs=tuple(without_ignored(pair, ignored) for pair in result.pairs))


def add_run(db: Path, context: ExportContext) -> None:
    """Add a run (its result, record and settings) to the corpus database ``db`` in place,
    in one transaction; its document pairs replace their earlier rows, and a person's
    confirmed links in them are re-applied (`align.realign.reapply_corrections`)."""
    from align.components import word_model_for
    from align.realign import reapply_corrections
    from align.store import add_to_corpus

    words = word_model_for(context.settings) if context.settings is not None else None
    add_to_corpus(Path(db), context.result, context.run, words, context.lines)
    if context.settings is not None:
        reapply_corrections(Path(db), context.result, context.settings)


def write_edition(output: Path, src: Path | None, tgt: Path | None, settings: Settings, *, title: str | None = None,
                  author: str | None = None, translator: str | None = None, db: Path | None = None,
                  pair_id: int | None = None) -> AlignedPair:
    """The reader edition of one pair into ``output`` (.html or .epub, by its suffix; the
    CLI's ``edition``): two files aligned now, or pair ``pair_id`` of the corpus ``db`` as it
    was built (a located pair gives an edition of its passages). Title, author and
    translator default to the texts'."""
    from align.export.edition import MetaOverrides
    from align.export.editions import edition_bytes, renderer_for
    from align.fileio import ensure_output_dir, write_bytes_atomic
    from align.store.pairs import load_pair

    renderer_for(output)
    if db is not None:
        if pair_id is None or src is not None or tgt is not None:
            raise InputError(None, "with --db, give --pair ID and no files")
        aligned = load_pair(db, pair_id, settings.cache, settings.max_bytes)
        check_output_path(output, [db, aligned.src.path, aligned.tgt.path])
        src_lang, tgt_lang = aligned.src.lang, aligned.tgt.lang
    else:
        if src is None or tgt is None:
            raise InputError(None, "give the two files, or --db FILE --pair ID")
        check_output_path(output, [src, tgt])
        aligned = align_files(src, tgt, settings)
        src_lang, tgt_lang = settings.src_lang, settings.tgt_lang
    data = edition_bytes(aligned, output, src_lang, tgt_lang, MetaOverrides(title, author, translator))
    ensure_output_dir(output.parent if str(output.parent) else Path("."))
    write_bytes_atomic(output, data)
    return aligned


def _path(value: str | Path | None) -> Path | None:
    return None if value is None else Path(value)
