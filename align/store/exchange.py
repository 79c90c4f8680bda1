"""The corrected corpus in and out: `export_corpus` writes TMX, TSV, JSONL and editions of
every pair as corrected (ignored flags left out) through the export registry; `import_links`
reads a corrected links.jsonl or pairs.tsv of one pair back, validated (every sentence of
the pair once, in order), as one undoable edit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from align.errors import InputError
from align.model import BuildResult
from align.settings import Settings
from align.store.corrections import Corrections, LinkState, corrected_pair, pair_ids

# Outputs a corpus database cannot give again: the database itself, and what only a
# locate run knows (target sentences without a source, coverage).
NOT_EXPORTED = {"corpus.sqlite", "no_source.tsv", "coverage.md", "coverage.tsv"}


def export_corpus(db: Path, output: Path, settings: Settings, pairs: list[int] | None = None) -> list[str]:
    """Every output of the corrected pairs (all, or ``pairs``) into the folder ``output`` at
    once; returns the names written."""
    from align.export import ExportContext, outputs_of, write_outputs
    from align.export.run import run_record
    from align.fileio import check_output_path, ensure_output_dir

    chosen = pairs or pair_ids(db)
    aligned = tuple(corrected_pair(db, pid, settings.cache, settings.max_bytes) for pid in chosen)
    if not aligned:
        raise InputError(db, "holds no document pairs to export")
    inputs = [Path(db), *dict.fromkeys(p for pair in aligned for p in (pair.src.path, pair.tgt.path))]
    check_output_path(Path(output), inputs)
    ensure_output_dir(Path(output))
    result = BuildResult(tuple({id(p.src): p.src for p in aligned}.values()),
                         tuple({id(p.tgt): p.tgt for p in aligned}.values()), aligned, {})
    names = tuple(n for n in (settings.outputs or ()) if n not in NOT_EXPORTED)
    writers = [w for w in outputs_of(result, names) if w.name not in NOT_EXPORTED]
    langs = aligned[0].src.lang, aligned[0].tgt.lang
    context = ExportContext(result, run_record("export", settings, inputs, [w.name for w in writers]), *langs,
                            settings=settings)
    return write_outputs(Path(output), context, writers)


def import_links(db: Path, pair_id: int, path: Path) -> int:
    """Replace pair ``pair_id``'s links by those of ``path`` (links.jsonl or pairs.tsv, the
    rows of this pair); links that differ from the stored ones count as confirmed. Returns
    the number of links."""
    path = Path(path)
    with Corrections(Path(db)) as corrections:
        info = corrections.pair(pair_id)
        read = _read_jsonl if path.suffix.lower() in (".jsonl", ".json") else _read_tsv
        wanted = read(path, info.src_path, info.tgt_path, info.src_lang, info.tgt_lang)
        old = corrections.states(info.id, 0, None)
        by_ids = {(s.src, s.tgt): s for s in old}
        new = [by_ids.get((s, t)) or LinkState(s, t, 0.0, (), (), True) for s, t in wanted]
        try:
            corrections.replace_all(info.id, new, "import")
        except InputError as error:
            raise InputError(path, error.problem) from None
    return len(new)


def _read_jsonl(path: Path, src_path: str, tgt_path: str, src_lang: str, tgt_lang: str) -> list[tuple]:
    keys = (src_lang, tgt_lang) if src_lang != tgt_lang else ("src", "tgt")
    pair_key = f"{src_path}|{tgt_path}"
    links = []
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if record.get("pair", pair_key) != pair_key:
                continue
            links.append((_ids(record[keys[0]]["ids"]), _ids(record[keys[1]]["ids"])))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InputError(path, f"line {number} is not a link record of links.jsonl "
                                   f"(needs {keys[0]}.ids and {keys[1]}.ids)") from None
    return _some(links, path, pair_key)


def _read_tsv(path: Path, src_path: str, tgt_path: str, src_lang: str, tgt_lang: str) -> list[tuple]:
    rows = list(csv.DictReader(io.StringIO(_text(path)), delimiter="\t"))
    if not rows or not {"src_ids", "tgt_ids"} <= set(rows[0]):
        raise InputError(path, "is not a pairs.tsv (needs the columns src_ids and tgt_ids)")
    links = []
    for number, row in enumerate(rows, start=2):
        if "src_file" in row and (row.get("src_file", "").lstrip("'") != src_path
                                  or row.get("tgt_file", "").lstrip("'") != tgt_path):
            continue
        try:
            links.append((_ids((row["src_ids"] or "").split()), _ids((row["tgt_ids"] or "").split())))
        except (ValueError, TypeError):
            raise InputError(path, f"row {number}: sentence ids must be whole numbers") from None
    return _some(links, path, f"{src_path}|{tgt_path}")


def _ids(values) -> tuple[int, ...]:
    if isinstance(values, str) or not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values):
        raise ValueError("ids")
    return tuple(int(v) for v in values)


def _some(links: list[tuple], path: Path, pair_key: str) -> list[tuple]:
    if not links:
        raise InputError(path, f"has no links of the pair {pair_key}")
    return links


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise InputError(path, f"cannot read file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text") from None
