"""Reader editions against their targets: the time to write an edition of a ~1,200-paragraph
book once it is aligned (≤ 3 s), the time the HTML takes to open in headless Chromium
(≤ 1 s), and the EPUB's size against the two texts (≤ 2×).

    PYTHONPATH=. .venv/bin/python scripts/bench_editions.py [--book alice_in_wonderland] [--json out.json]

The book is a literary dev pair (../shared/data/literary_ru-en_paragraphs), written as two
HTML files (headings and line breaks kept) and aligned once with the default settings
(the cache makes a rerun quick); only the edition is timed."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from chromium import headless_chromium  # beside this script

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "literary_ru-en_paragraphs"
TARGETS = {"edition_s": 3.0, "html_open_s": 1.0, "epub_ratio": 2.0}


def as_html(text_file: Path, out: Path) -> Path:
    """A dev text (one paragraph a line, `<h1>` headings, `<delimiter>` a line break) as HTML."""
    body = []
    for line in (line.strip() for line in text_file.read_text(encoding="utf-8").splitlines()):
        if line and line != "<delimiter>":
            body.append(line if re.fullmatch(r"<h(\d)>.*</h\1>", line) else
                        f"<p>{line.replace('<delimiter>', '<br>')}</p>")
    out.write_text("<!DOCTYPE html><html><body>\n" + "\n".join(body) + "\n</body></html>\n", encoding="utf-8")
    return out


def open_time(page: Path, runs: int = 3) -> float:
    """Best of ``runs``: navigation start to the load event, in Debian's headless Chromium."""
    with headless_chromium() as driver:
        times = []
        for _ in range(runs):
            driver.get("about:blank")
            driver.get(page.as_uri())
            times.append(driver.execute_script(
                "var n=performance.getEntriesByType('navigation')[0];return n.loadEventEnd-n.startTime;") / 1000)
        return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", default="alice_in_wonderland", help="stem of a literary dev pair")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if not (DATA / f"{args.book}_ru.txt").exists():
        print(f"dev data not found: {DATA}", file=sys.stderr)
        return 1
    from align.api import align_files, settings_from
    from align.export.edition import parallel_edition
    from align.export.edition_epub import edition_epub
    from align.export.edition_html import edition_html

    work = Path(tempfile.mkdtemp(prefix="align-bench-editions-"))
    texts = [DATA / f"{args.book}_{lang}.txt" for lang in ("ru", "en")]
    src, tgt = (as_html(text, work / f"{text.stem}.html") for text in texts)
    started = time.perf_counter()
    pair = align_files(src, tgt, settings_from())
    align_s = time.perf_counter() - started

    started = time.perf_counter()
    edition = parallel_edition(pair, "ru", "en")
    html, epub = edition_html(edition), edition_epub(edition)
    edition_s = time.perf_counter() - started
    page = work / "book.html"
    page.write_bytes(html)
    texts_bytes = sum(t.stat().st_size for t in texts)
    results = {
        "book": args.book, "paragraphs": len(pair.src.document.paragraphs),
        "sentences": [len(pair.src.sentences), len(pair.tgt.sentences)], "links": len(pair.links),
        "align_s": round(align_s, 2), "edition_s": round(edition_s, 3), "html_bytes": len(html),
        "html_open_s": round(open_time(page), 3), "epub_bytes": len(epub), "texts_bytes": texts_bytes,
        "epub_ratio": round(len(epub) / texts_bytes, 3),
    }
    shutil.rmtree(work, ignore_errors=True)
    print(f"{'measure':<14}{'value':>14}{'target':>10}")
    for key in ("paragraphs", "links", "align_s", "edition_s", "html_bytes", "html_open_s", "epub_bytes",
                "texts_bytes", "epub_ratio"):
        target = TARGETS.get(key)
        mark = "" if target is None else f"≤ {target:g}" + (" ok" if results[key] <= target else " MISSED")
        print(f"{key:<14}{results[key]:>14}{mark:>10}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
