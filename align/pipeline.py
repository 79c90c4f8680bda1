"""The main job, orchestration only: read and embed every document; pairs named by a
manifest or by equal stems are aligned whole, the rest are located in the collection;
every pair is flagged (`flagged`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from align.aligner import AlignConfig, Embed, Side, align_vectors
from align.cache import CacheFolder
from align.components import Components
from align.doccache import cached_document
from align.embed import Encoder
from align.errors import InputError
from align.engine import Engine, open_engine
from align.engine.base import Progress
from align.engine.local import LocalEngine
from align.engine.plan import embed_documents, word_rows
from align.engine.tasks import FlagPiece, align_task, flag_task, locate_task, read_task, worker_state
from align.flags import WORDS_AT_ONCE, FlagConfig, document_context
from align.ingest import MAX_INPUT_BYTES, check_readable, read_document, read_lines
from align.ingest.decode import decode_bytes
from align.ingest.language import check_language
from align.locate.search import make_search
from align.model import AlignedPair, BuildResult, Document, EmbeddedDocument, Link, Sentence, joined_texts
from align.segment import split_document
from align.settings import Settings



def list_input_files(folder: Path) -> list[Path]:
    """Text files of an input folder, sorted; clear errors for a missing or empty folder."""
    folder = Path(folder)
    if not folder.exists():
        raise InputError(folder, "folder does not exist")
    if not folder.is_dir():
        raise InputError(folder, "is not a folder")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.name != "pairs.csv")
    if not files:
        raise InputError(folder, "folder holds no input files")
    return files


def segment_document(document: Document, presegmented: bool = False) -> list[Sentence]:
    """Sentences of a document: split, or one per line when presegmented."""
    if presegmented:  # one sentence per line, no paragraph information
        sentences = [Sentence(str(document.path), p.index, 0, p.text, p.start, p.end)
                     for p in document.paragraphs]
    else:
        sentences = split_document(document)
    if not sentences:
        raise InputError(document.path, "no sentences found")
    return sentences


def read_segmented(path: Path, lang: str, cache: CacheFolder, presegmented: bool = False,
                   max_bytes: int = MAX_INPUT_BYTES) -> tuple[Document, list[Sentence]]:
    """Read and segment one file of at most ``max_bytes``, both cached on disk by file content."""

    def read_and_segment() -> tuple[Document, list[Sentence]]:
        document = (replace(read_lines(path, max_bytes), lang=lang) if presegmented
                    else read_document(path, lang, max_bytes))
        return document, segment_document(document, presegmented)

    check_readable(path, max_bytes)  # before the document cache hashes the file's bytes
    return cached_document(Path(path), f"{lang}|{presegmented}", cache, read_and_segment)


def load_document(path: Path, lang: str, encoder: Encoder, cache: CacheFolder, presegmented: bool = False,
                  max_bytes: int = MAX_INPUT_BYTES) -> EmbeddedDocument:
    """Read, segment (`read_segmented`) and embed one file."""
    document, sentences = read_segmented(path, lang, cache, presegmented, max_bytes)
    return EmbeddedDocument(document, tuple(sentences), encoder.encode([s.text for s in sentences]))


def align_documents(src: EmbeddedDocument, tgt: EmbeddedDocument, config: AlignConfig,
                    embed: Embed | None) -> tuple[Link, ...]:
    """Align two whole documents (unflagged); ``embed`` lets the aligner re-check whether
    unlinked sentences belong to their neighbours with real embeddings."""
    sides = Side.of_sentences(src.vectors, src.sentences), Side.of_sentences(tgt.vectors, tgt.sentences)
    return tuple(align_vectors(*sides, config, embed, (src.texts, tgt.texts)))


def align_pair(src: Path, tgt: Path, settings: Settings, components: Components, *,
               with_flags: bool = True) -> AlignedPair:
    """Align two files that translate each other; links carry flags unless ``with_flags`` is
    off. The same stages as a build of that one pair, in this process."""
    with LocalEngine(worker_state(settings, components)) as engine:
        src_doc, tgt_doc = load_all(engine, [([Path(src)], settings.src_lang, None),
                                             ([Path(tgt)], settings.tgt_lang, None)])
        pair = AlignedPair(src_doc[0], tgt_doc[0], engine.map(align_task, [(src_doc[0], tgt_doc[0])])[0], "parallel")
        return flag_all(engine, [pair])[0] if with_flags else pair


def read_manifest(src_dir: Path, tgt_dir: Path) -> list[tuple[Path, Path]]:
    """``pairs.csv`` (columns ``ru``/``en`` or first two columns: file names) in either folder.

    Decoded like any input; every entry must name a file directly inside its folder (no
    absolute path, ``..``, subfolder or hidden file: nothing outside is ever read), and a
    row may not repeat."""
    manifest = manifest_path(src_dir, tgt_dir)
    if manifest is None:
        return []
    text, _ = decode_bytes(_manifest_bytes(manifest), manifest)
    rows = [row for row in csv.reader(io.StringIO(text)) if row and "".join(row).strip()
            and not row[0].lstrip().startswith("#")]
    if rows and rows[0][0].strip().lower() in {"ru", "src", "source"}:
        rows = rows[1:]
    pairs: list[tuple[Path, Path]] = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise InputError(manifest, f"row {number} needs two file names: {','.join(row)}")
        pair = (_manifest_entry(manifest, Path(src_dir), row[0]), _manifest_entry(manifest, Path(tgt_dir), row[1]))
        if pair in pairs:
            raise InputError(manifest, f"row {number} repeats the pair {row[0].strip()}, {row[1].strip()}")
        pairs.append(pair)
    return pairs


def _manifest_bytes(manifest: Path) -> bytes:
    try:
        return manifest.read_bytes()
    except OSError as err:
        raise InputError(manifest, f"cannot read file: {err.strerror or err}") from None


def _manifest_entry(manifest: Path, folder: Path, name: str) -> Path:
    """The file ``name`` of a manifest row, which must lie directly inside ``folder``."""
    name = name.strip()
    if not name or Path(name).name != name or name in {".", ".."} or name.startswith("."):
        raise InputError(manifest, f"{name!r} must be the name of a file in {folder} (no path, no hidden file)")
    path = folder / name
    if not path.is_file():
        raise InputError(manifest, f"names a missing file: {path}")
    return path


def manifest_path(src_dir: Path, tgt_dir: Path) -> Path | None:
    """The ``pairs.csv`` that `read_manifest` reads, if any."""
    return next((Path(f) / "pairs.csv" for f in (src_dir, tgt_dir) if (Path(f) / "pairs.csv").exists()), None)


def pair_by_name(src_files: list[Path], tgt_files: list[Path],
                 manifest: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """Pairs from the manifest, else by equal file stem."""
    if manifest:
        return manifest
    by_stem = {p.stem: p for p in src_files}
    return [(by_stem[t.stem], t) for t in tgt_files if t.stem in by_stem]


def build(src_dir: Path, tgt_dir: Path, settings: Settings, components: Components,
          progress: Progress | None = None) -> BuildResult:
    """Pair (manifest, equal stems) or locate, then align and flag every document, on the
    engine ``settings`` name (`align.engine`): this function only plans the stages."""
    src_files, tgt_files = list_input_files(src_dir), list_input_files(tgt_dir)
    manifest = read_manifest(src_dir, tgt_dir)
    with open_engine(settings, components, progress) as engine:
        src_list, tgt_list = load_all(engine, [(src_files, settings.src_lang, "source"),
                                               (tgt_files, settings.tgt_lang, "target")])
        src_docs, tgt_docs = dict(zip(src_files, src_list)), dict(zip(tgt_files, tgt_list))
        named = pair_by_name(src_files, tgt_files, manifest)
        sides = [(src_docs[s], tgt_docs[t]) for s, t in named]
        aligned = engine.map(align_task, sides)
        pairs = [AlignedPair(src, tgt, links, "parallel") for (src, tgt), links in zip(sides, aligned)]
        paired_targets = {t for _, t in named}
        targets = [tgt_docs[p] for p in tgt_files if p not in paired_targets]
        located, unmatched = locate_on(engine, targets, src_list)
        flagged_pairs = flag_all(engine, pairs + located)
    return BuildResult(tuple(src_list), tuple(tgt_list), tuple(flagged_pairs), unmatched)


def locate(en_files: list[Path], ru_files: list[Path], settings: Settings, components: Components,
           progress: Progress | None = None) -> BuildResult:
    """Locate every English text in the Russian collection, align and flag (``align locate``)."""
    with open_engine(settings, components, progress) as engine:
        collection, english = load_all(engine, [(ru_files, settings.src_lang, "source"),
                                                (en_files, settings.tgt_lang, "target")])
        located, unmatched = locate_on(engine, english, collection)
        return BuildResult(tuple(collection), tuple(english), tuple(flag_all(engine, located)), unmatched)


def load_all(engine: Engine, groups: list[tuple[list[Path], str, str | None]]) -> list[list[EmbeddedDocument]]:
    """Read and segment each group of files (files, language, progress label), check each
    is in its side's language (unless ``check_language`` is off; here in the driver, not
    cached, so its warnings show on every run), then embed them all in one plan
    (`embed_documents`)."""
    read = [engine.map(read_task, [(Path(p), lang) for p in files], label=label and f"Reading {label} files")
            for files, lang, label in groups]
    if engine.state.settings.check_language:
        for group, (_, lang, _) in zip(read, groups):
            for document, _ in group:
                check_language(document.text, lang, document.path)
    embedded = embed_documents(engine, [doc for group in read for doc in group], label="Embedding")
    out, start = [], 0
    for group in read:
        out.append(embedded[start:start + len(group)])
        start += len(group)
    return out


def locate_on(engine: Engine, targets: list[EmbeddedDocument],
              collection: list[EmbeddedDocument]) -> tuple[list[AlignedPair], dict[str, tuple[int, ...]]]:
    """Each target located in the collection (unflagged pairs, in target order) and the
    sentences left without a source per target file; the search (its ANN index cached)
    is built once by the driver and shared with every task."""
    if not targets:
        return [], {}
    settings = engine.state.settings
    search = make_search(np.vstack([d.vectors for d in collection]), settings.locate, settings.cache.index)
    found = engine.map(locate_task, targets, shared=(collection, search))
    pairs = [AlignedPair(collection[k], doc, links, "located", passages)
             for doc, (located, _) in zip(targets, found) for k, links, passages in located]
    return pairs, {str(doc.path): left for doc, (_, left) in zip(targets, found)}


def flag_all(engine: Engine, pairs: list[AlignedPair]) -> list[AlignedPair]:
    """Every pair flagged. The links go to the tasks in pieces of at most `WORDS_AT_ONCE`,
    a group of pieces at a time, with the word vectors of the group's linked texts computed
    in batches first (`word_rows`): the driver holds one group's word vectors, never the
    run's (~60 KB a sentence)."""
    flagged = [list(pair.links) for pair in pairs]
    for group in _groups(_pieces(engine.state.settings.flags, pairs)):
        rows = word_rows(engine, [[text for link in piece.links if link.src and link.tgt
                                   for text in joined_texts(link, piece.src_texts, piece.tgt_texts)]
                                  for _, _, piece in group])
        pieces = [replace(piece, word_rows=found) for (_, _, piece), found in zip(group, rows)]
        for (number, start, _), links in zip(group, engine.map(flag_task, pieces)):
            flagged[number][start:start + len(links)] = links
    return [replace(pair, links=tuple(links)) for pair, links in zip(pairs, flagged)]


FLAG_GROUP = 2048  # linked texts whose word vectors the driver holds at once


def _pieces(config: FlagConfig, pairs: list[AlignedPair]) -> Iterator[tuple[int, int, FlagPiece]]:
    """Each pair's links in runs of `WORDS_AT_ONCE`: (pair number, first link, piece)."""
    for number, pair in enumerate(pairs):
        src, tgt = pair.src.texts, pair.tgt.texts
        document = document_context(pair.links, src, tgt, config)
        for start in range(0, len(pair.links), WORDS_AT_ONCE):
            links = pair.links[start:start + WORDS_AT_ONCE]
            yield number, start, FlagPiece(links, {i: src[i] for link in links for i in link.src},
                                           {j: tgt[j] for link in links for j in link.tgt}, pair.src.lang,
                                           pair.tgt.lang, document, [])


def _groups(pieces: Iterator[tuple[int, int, FlagPiece]]) -> Iterator[list[tuple[int, int, FlagPiece]]]:
    """Consecutive pieces holding at most `FLAG_GROUP` linked texts together (one piece at least)."""
    group: list[tuple[int, int, FlagPiece]] = []
    size = 0
    for item in pieces:
        count = 2 * sum(1 for link in item[2].links if link.src and link.tgt)
        if group and size + count > FLAG_GROUP:
            yield group
            group, size = [], 0
        group.append(item)
        size += count
    if group:
        yield group


def flagged(pair: AlignedPair, settings: Settings, components: Components) -> AlignedPair:
    """One pair flagged in this process, by the stages a build flags with (`align check`)."""
    with LocalEngine(worker_state(settings, components)) as engine:
        return flag_all(engine, [pair])[0]
