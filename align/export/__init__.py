"""Writers for aligned pairs: links JSONL, TSV, TMX, links format, summary."""
