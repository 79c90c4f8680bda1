"""pairs.tsv: aligned pairs as a table (pandas), one row per link."""

from __future__ import annotations

import pandas as pd

from align.export.registry import ExportContext, Writer, register
from align.export.safe import cell
from align.model import AlignedPair

COLUMNS = ["src_file", "tgt_file", "link", "type", "src_ids", "tgt_ids", "score", "src_text", "tgt_text", "flags"]
# With a bilingual file's segment ids (`align check`), after the sentence ids.
SEGMENT_COLUMNS = ["src_segments", "tgt_segments"]


def links_frame(pairs: tuple[AlignedPair, ...] | list[AlignedPair]) -> pd.DataFrame:
    """One row per link: files, ids, texts, score, link type and flags; every text is a
    safe spreadsheet cell (`safe.cell`), and pandas quotes tabs and line breaks. Links of a
    bilingual file (`align check`) also name their segments."""
    rows = []
    for pair in pairs:
        for number, link in enumerate(pair.links):
            rows.append({
                "src_file": cell(str(pair.src.path)),
                "tgt_file": cell(str(pair.tgt.path)),
                "link": number,
                "type": link.kind,
                "src_ids": " ".join(map(str, link.src)),
                "tgt_ids": " ".join(map(str, link.tgt)),
                "score": round(float(link.score), 4),
                "src_text": cell(" ".join(pair.src.sentences[i].text for i in link.src)),
                "tgt_text": cell(" ".join(pair.tgt.sentences[j].text for j in link.tgt)),
                "flags": cell("; ".join(f"{f.kind}/{f.severity}: {f.evidence}" for f in link.flags)),
                "src_segments": cell(" ".join(pair.src.segments(link.src))),
                "tgt_segments": cell(" ".join(pair.tgt.segments(link.tgt))),
            })
    segmented = any(row["src_segments"] or row["tgt_segments"] for row in rows)
    columns = [*COLUMNS[:6], *SEGMENT_COLUMNS, *COLUMNS[6:]] if segmented else COLUMNS
    return pd.DataFrame(rows, columns=columns)


def tsv_bytes(context: ExportContext) -> bytes:
    return links_frame(context.result.pairs).to_csv(sep="\t", index=False, lineterminator="\n").encode()


register(Writer("pairs.tsv", "the links as a table (pandas), one row per link", tsv_bytes, format="tsv"))
