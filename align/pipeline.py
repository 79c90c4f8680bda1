"""The main job: ingest, segment, embed, pair or locate, align, flag."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from align.aligner import AlignConfig, Embed, Side, align_vectors
from align.doccache import cached_document
from align.embed import Encoder, default_cache_dir
from align.errors import InputError
from align.flags import FlagConfig, flag_links
from align.ingest import read_document, read_lines
from align.locate import (AnnSearch, ExactSearch, LocateConfig, Passage, evidence, find_passages, make_search,
                          quotations, retrieve, with_quotations)
from align.model import Document, Link, Sentence
from align.segment import split_document
from align.tokens import Words, is_common_word
from align.wordcache import cached_word_vectors

TEXT_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm"}


@dataclass(frozen=True, eq=False)
class EmbeddedDocument:
    """A document split into sentences, one vector per sentence."""

    document: Document
    sentences: tuple[Sentence, ...]
    vectors: np.ndarray
    encode: Embed | None = None  # the encoder that made the vectors (for the aligner's re-check)

    @property
    def path(self) -> Path:
        return self.document.path

    @property
    def lang(self) -> str:
        return self.document.lang

    def side(self) -> Side:
        return Side.of(self.vectors, [len(s.text) for s in self.sentences],
                       [s.paragraph for s in self.sentences])


@dataclass(frozen=True, eq=False)
class AlignedPair:
    """Links between a source and a target document (ids are sentence indices)."""

    src: EmbeddedDocument
    tgt: EmbeddedDocument
    links: tuple[Link, ...]
    mode: str  # "parallel" (whole documents) or "located" (passages found by search)
    passages: tuple[Passage, ...] = field(default=())


@dataclass(frozen=True)
class BuildResult:
    src_docs: tuple[EmbeddedDocument, ...]
    tgt_docs: tuple[EmbeddedDocument, ...]
    pairs: tuple[AlignedPair, ...]
    unmatched: dict[str, tuple[int, ...]]  # target file -> sentence ids with no source


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


def load_document(path: Path, lang: str, encoder: Encoder, presegmented: bool = False,
                  cache_dir: Path | None = None) -> EmbeddedDocument:
    """Read, segment (both cached on disk by file content) and embed one file."""

    def read_and_segment() -> tuple[Document, list[Sentence]]:
        document = replace(read_lines(path), lang=lang) if presegmented else read_document(path, lang)
        return document, segment_document(document, presegmented)

    document, sentences = cached_document(Path(path), f"{lang}|{presegmented}", cache_dir or default_cache_dir(),
                                          read_and_segment)
    return EmbeddedDocument(document, tuple(sentences), encoder.encode([s.text for s in sentences]), encoder.encode)


def align_documents(src: EmbeddedDocument, tgt: EmbeddedDocument,
                    align_config: AlignConfig = AlignConfig(),
                    flag_config: FlagConfig | None = FlagConfig(), embed: Embed | None = None) -> list[Link]:
    """Align two whole documents and flag every link (no flags when ``flag_config`` is
    None); ``embed`` (default: the documents' encoder) lets the aligner re-check whether
    unlinked sentences belong to their neighbours with real embeddings."""
    texts = ([s.text for s in src.sentences], [s.text for s in tgt.sentences])
    links = align_vectors(src.side(), tgt.side(), align_config, embed or src.encode, texts)
    if flag_config is None:
        return links
    return flag_links(links, *texts, src.lang, tgt.lang, flag_config, _TodayWords(flag_config.token_layer),
                      _TodayVocabulary())


@dataclass(frozen=True)
class _TodayWords:
    """Bridge to flag_links' WordModel until tokens.load_word_model exists: today's cached e5-small words."""

    layer: int

    def words(self, texts: Sequence[str]) -> list[Words]:
        return cached_word_vectors(texts, self.layer)


class _TodayVocabulary:
    """Bridge to flag_links' Vocabulary until tokens.load_vocabulary exists."""

    def is_common(self, word: str) -> bool:
        return is_common_word(word)


def read_manifest(src_dir: Path, tgt_dir: Path) -> list[tuple[Path, Path]]:
    """``pairs.csv`` (columns ``ru``/``en`` or first two columns: file names) in either folder."""
    for folder in (src_dir, tgt_dir):
        manifest = Path(folder) / "pairs.csv"
        if manifest.exists():
            with manifest.open(encoding="utf-8", newline="") as handle:
                rows = [row for row in csv.reader(handle) if row and not row[0].startswith("#")]
            if rows and rows[0][0].strip().lower() in {"ru", "src", "source"}:
                rows = rows[1:]
            pairs = []
            for row in rows:
                if len(row) < 2:
                    raise InputError(manifest, f"line needs two file names: {','.join(row)}")
                src, tgt = Path(src_dir) / row[0].strip(), Path(tgt_dir) / row[1].strip()
                for path in (src, tgt):
                    if not path.exists():
                        raise InputError(manifest, f"names a missing file: {path}")
                pairs.append((src, tgt))
            return pairs
    return []


def pair_by_name(src_files: list[Path], tgt_files: list[Path],
                 manifest: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """Pairs from the manifest, else by equal file stem."""
    if manifest:
        return manifest
    by_stem = {p.stem: p for p in src_files}
    return [(by_stem[t.stem], t) for t in tgt_files if t.stem in by_stem]


def locate_and_align(tgt: EmbeddedDocument, collection: list[EmbeddedDocument],
                     locate_config: LocateConfig = LocateConfig(),
                     align_config: AlignConfig = AlignConfig(),
                     flag_config: FlagConfig = FlagConfig(),
                     search: ExactSearch | AnnSearch | None = None,
                     embed: Embed | None = None) -> list[AlignedPair]:
    """Find the passages of the collection that ``tgt`` renders (every copy) and align each one.

    ``search`` (from ``make_search`` over the stacked collection vectors) can be built
    once and shared by every target document. Quotations inside English sentences are
    embedded with ``embed`` (default: the target's encoder) and searched on their own."""
    doc_of_row = np.concatenate([np.full(len(d.sentences), k) for k, d in enumerate(collection)])
    first_row = np.concatenate([[0], np.cumsum([len(d.sentences) for d in collection])])
    search = search or make_search(np.vstack([d.vectors for d in collection]), locate_config)
    en_texts = [s.text for s in tgt.sentences]
    cands = retrieve(tgt.vectors, search.vectors, locate_config, search)

    def ru_text(row: int) -> str:
        k = int(doc_of_row[row])
        return collection[k].sentences[row - int(first_row[k])].text

    bonus = evidence(en_texts, ru_text, cands.rows, locate_config)
    embed = embed or tgt.encode
    quoted = [(j, quote) for j, text in enumerate(en_texts) for quote in quotations(text)] if embed else []
    if quoted:
        quote_texts = [quote for _, quote in quoted]
        quote_cands = retrieve(embed(quote_texts), search.vectors, locate_config, search, cands, tgt.vectors)
        cands, score = with_quotations(cands, cands.margin + bonus, quote_cands,
                                       quote_cands.margin + evidence(quote_texts, ru_text, quote_cands.rows,
                                                                     locate_config),
                                       np.array([j for j, _ in quoted]))
        bonus = score - cands.margin
    en_words = np.array([len(t.split()) for t in en_texts])
    passages = _merge_overlapping(find_passages(cands, doc_of_row, en_words, locate_config, bonus),
                                  doc_of_row, locate_config.context)
    by_doc: dict[int, list[tuple[Passage, list[Link]]]] = {}
    for passage in passages:
        k = int(doc_of_row[passage.ru_start])
        src = collection[k]
        offset = int(first_row[k])
        # Context on both sides gives the margin scores neighbours to compare with;
        # unlinked context at the edges is trimmed after alignment.
        pad = locate_config.context
        ru_ids = range(max(passage.ru_start - offset - pad, 0), min(passage.ru_end - offset + pad, len(src.sentences)))
        en_ids = range(max(passage.en_start - pad, 0), min(passage.en_end + pad, len(tgt.sentences)))
        links = align_vectors(_sub_side(src, ru_ids), _sub_side(tgt, en_ids), align_config)
        links = [Link(tuple(ru_ids[i] for i in link.src), tuple(en_ids[j] for j in link.tgt), link.score)
                 for link in links]
        links = _trim(links, src.vectors, tgt.vectors, locate_config.edge_cosine)
        if not links:
            continue
        local = Passage(min(j for link in links for j in link.tgt), max(j for link in links for j in link.tgt) + 1,
                        min(i for link in links for i in link.src), max(i for link in links for i in link.src) + 1,
                        passage.score)
        by_doc.setdefault(k, []).append((local, links))
    pairs = []
    for k, found in sorted(by_doc.items()):
        src = collection[k]
        found.sort(key=lambda item: (item[0].en_start, item[0].ru_start))
        links = [link for _, passage_links in found for link in passage_links]
        flagged = flag_links(links, [s.text for s in src.sentences], en_texts, src.lang, tgt.lang, flag_config,
                             _TodayWords(flag_config.token_layer), _TodayVocabulary())
        pairs.append(AlignedPair(src, tgt, tuple(flagged), "located", tuple(p for p, _ in found)))
    return pairs


def _merge_overlapping(passages: list[Passage], doc_of_row: np.ndarray, pad: int) -> list[Passage]:
    """Passages of one document whose padded English and Russian ranges both overlap
    become one (aligned once); copies elsewhere in the document stay apart."""
    merged: list[Passage] = []
    for p in sorted(passages, key=lambda p: (int(doc_of_row[p.ru_start]), p.ru_start)):
        last = merged[-1] if merged else None
        if (last is not None and doc_of_row[last.ru_start] == doc_of_row[p.ru_start]
                and p.ru_start < last.ru_end + 2 * pad and p.en_start < last.en_end + 2 * pad
                and last.en_start < p.en_end + 2 * pad):
            merged[-1] = Passage(min(last.en_start, p.en_start), max(last.en_end, p.en_end), last.ru_start,
                                 max(last.ru_end, p.ru_end), max(last.score, p.score))
        else:
            merged.append(p)
    return merged


def _sub_side(doc: EmbeddedDocument, ids: range) -> Side:
    sentences = doc.sentences[ids.start:ids.stop]
    return Side.of(doc.vectors[ids.start:ids.stop], [len(s.text) for s in sentences],
                   [s.paragraph for s in sentences])


def _trim(links: list[Link], src_vectors: np.ndarray, tgt_vectors: np.ndarray, min_edge_score: float) -> list[Link]:
    """Drop unlinked or weakly linked sentences (cosine of the link's summed vectors
    below ``min_edge_score``) at the edges of a passage: they are the context added
    for alignment, not omissions, additions or renderings. A merge at an
    edge also loses its outer sentences that match nothing on the other side (context
    the aligner merged into the first or last rendering)."""

    def kept(link: Link) -> bool:
        if not (link.src and link.tgt):
            return False
        src, tgt = src_vectors[list(link.src)].sum(axis=0), tgt_vectors[list(link.tgt)].sum(axis=0)
        return float(src @ tgt) / max(float(np.linalg.norm(src) * np.linalg.norm(tgt)), 1e-12) >= min_edge_score

    start, end = 0, len(links)
    while start < end and not kept(links[start]):
        start += 1
    while end > start and not kept(links[end - 1]):
        end -= 1
    links = links[start:end]
    if links:
        links[0] = _trim_merge(links[0], src_vectors, tgt_vectors, min_edge_score, outer_end=False)
        links[-1] = _trim_merge(links[-1], src_vectors, tgt_vectors, min_edge_score, outer_end=True)
    return links


def _trim_merge(link: Link, src_vectors: np.ndarray, tgt_vectors: np.ndarray, min_cosine: float,
                outer_end: bool) -> Link:
    """Remove the sentences at one end of a merged link (the leading ones, or with
    ``outer_end`` the trailing ones) whose best cosine with the other side is below
    ``min_cosine``; at least one sentence stays on each side."""

    def trimmed(ids: tuple[int, ...], own: np.ndarray, other: np.ndarray) -> tuple[int, ...]:
        ids = list(ids)
        while len(ids) > 1:
            edge = ids[-1] if outer_end else ids[0]
            if float((own[edge] @ other.T).max()) >= min_cosine:
                break
            ids.remove(edge)
        return tuple(ids)

    src = trimmed(link.src, src_vectors, tgt_vectors[list(link.tgt)])
    tgt = trimmed(link.tgt, tgt_vectors, src_vectors[list(src)])
    return replace(link, src=src, tgt=tgt) if (src, tgt) != (link.src, link.tgt) else link


def locate_all(targets: list[EmbeddedDocument], collection: list[EmbeddedDocument],
               cache_dir: Path | None = None) -> tuple[list[AlignedPair], dict[str, tuple[int, ...]]]:
    """Locate and align every target document in the collection (one shared search);
    also returns, per target file, the sentence ids left without a source."""
    search = make_search(np.vstack([d.vectors for d in collection]), LocateConfig(), cache_dir)
    pairs: list[AlignedPair] = []
    unmatched: dict[str, tuple[int, ...]] = {}
    for doc in targets:
        located = locate_and_align(doc, collection, search=search)
        pairs.extend(located)
        linked = {j for pair in located for link in pair.links if link.src for j in link.tgt}
        unmatched[str(doc.path)] = tuple(j for j in range(len(doc.sentences)) if j not in linked)
    return pairs, unmatched


def build(src_dir: Path, tgt_dir: Path, encoder: Encoder, src_lang: str = "ru", tgt_lang: str = "en",
          progress=None, cache_dir: Path | None = None) -> BuildResult:
    """Pair (manifest, equal stems) or locate, then align and flag every document."""
    src_files, tgt_files = list_input_files(src_dir), list_input_files(tgt_dir)
    manifest = read_manifest(src_dir, tgt_dir)
    src_docs = {p: load_document(p, src_lang, encoder, cache_dir=cache_dir)
                for p in _tracked(src_files, progress, "source")}
    tgt_docs = {p: load_document(p, tgt_lang, encoder, cache_dir=cache_dir)
                for p in _tracked(tgt_files, progress, "target")}
    pairs: list[AlignedPair] = []
    paired_targets = set()
    for src_path, tgt_path in pair_by_name(src_files, tgt_files, manifest):
        src, tgt = src_docs[src_path], tgt_docs[tgt_path]
        pairs.append(AlignedPair(src, tgt, tuple(align_documents(src, tgt)), "parallel"))
        paired_targets.add(tgt_path)
    unmatched: dict[str, tuple[int, ...]] = {}
    targets = [tgt_docs[p] for p in tgt_files if p not in paired_targets]
    if targets:
        located, unmatched = locate_all(targets, list(src_docs.values()), cache_dir)
        pairs.extend(located)
    return BuildResult(tuple(src_docs.values()), tuple(tgt_docs.values()), tuple(pairs), unmatched)


def _tracked(items, progress, label: str):
    return progress(items, label) if progress else items
