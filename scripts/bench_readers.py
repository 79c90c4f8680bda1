"""Readers against their targets: a 300-page two-column PDF read in ≤ 10 s, and each hostile
file (zip bomb, external entities, encrypted PDF, truncated archive, PDF decompression bomb)
a one-line error in ≤ 5 s;
also the time to read a large DOCX, ODT and EPUB of the same text.

    PYTHONPATH=. .venv/bin/python scripts/bench_readers.py [--pages 300] [--json out.json]

Every file is generated here (reportlab draws the PDF, python-docx writes the DOCX,
zipfile + lxml build the ODT and EPUB: tests/readerfiles.py); only reading is timed
(`align.ingest.read_document`: the format chosen, text extracted, cleaned, checked), best
of two runs."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
TARGETS = {"pdf_s": 10.0, "hostile_s": 5.0}
SENTENCES = ("The train left early in the morning", "Nobody came to see him off except an old friend",
             "The city stayed behind, beyond the river and the forest", "Ahead lay the long road east",
             "By evening it began to rain", "The passengers closed the windows and lit the lamps")


def book(paragraphs: int):
    """A heading and numbered paragraphs of three sentences each (every sentence unique)."""
    from readerfiles import Book

    body = tuple(" ".join(f"{SENTENCES[(3 * k + j) % len(SENTENCES)]} in part {k}." for j in range(3))
                 for k in range(paragraphs))
    return Book("Chapter One", body, "This is the translator's note on the name of the train.")


def timed(path: Path, lang: str = "en", runs: int = 2) -> tuple[float, object]:
    """Best time of ``runs`` reads of ``path`` and the document (or the InputError) read."""
    from align.errors import InputError
    from align.ingest import read_document

    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        try:
            result = read_document(path, lang)
        except InputError as error:
            result = error
        best = min(best, time.perf_counter() - started)
    return best, result


def hostile_files(work: Path, sample) -> dict[str, Path]:
    """The hostile files of tests/test_readers.py, built the same way."""
    import zipfile

    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas
    from readerfiles import make_docx, make_epub, make_pdf_bomb, rewrite_member

    docx = make_docx(work / "ok.docx", sample)
    files = {"zip bomb (DOCX, 1 GB of XML)": work / "bomb.docx"}
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(files["zip bomb (DOCX, 1 GB of XML)"], "w",
                                                           zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info.filename))
        with target.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * 10_000_000
            for _ in range(100):
                member.write(chunk)
    secret = work / "secret.txt"
    secret.write_text("TOP-SECRET")
    with zipfile.ZipFile(docx) as archive:
        xml = archive.read("word/document.xml").decode()
    head = xml.index("?>") + 2
    entities = f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">' + "".join(
        f'<!ENTITY l{k} "{"&l%d;" % (k - 1) * 10 if k else "lol"}">' for k in range(10)) + "]>"
    hostile = xml[:head] + entities + xml[head:].replace(sample.heading, sample.heading + " &xxe;&l9;", 1)
    files["external entities + billion laughs (DOCX)"] = rewrite_member(docx, "word/document.xml",
                                                                        hostile.encode(), work / "xxe.docx")
    pdf = canvas.Canvas(str(work / "locked.pdf"), encrypt=StandardEncryption("secret", "owner"))
    pdf.drawString(50, 700, "Locked text.")
    pdf.showPage()
    pdf.save()
    files["encrypted PDF"] = work / "locked.pdf"
    epub = make_epub(work / "ok.epub", [sample]).read_bytes()
    (work / "cut.epub").write_bytes(epub[: len(epub) // 2])
    files["truncated archive (EPUB)"] = work / "cut.epub"
    files["decompression bomb (PDF, 70 MB page)"] = make_pdf_bomb(work / "bomb.pdf", 70_000_000)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages of the PDF")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    from readerfiles import make_docx, make_epub, make_odt, make_pdf

    work = Path(tempfile.mkdtemp(prefix="align-bench-readers-"))
    lines_per_column = 45
    paragraphs = args.pages * 2 * lines_per_column // 5  # a paragraph is about 4 lines and a gap
    drawn = make_pdf(work / "book.pdf", [book(paragraphs)], lines_per_column=lines_per_column)
    paragraphs = paragraphs * args.pages // max(line.page for line in drawn)  # scaled to the pages asked for
    text = book(paragraphs)
    drawn = make_pdf(work / "book.pdf", [text], lines_per_column=lines_per_column)
    while max(line.page for line in drawn) < args.pages:
        paragraphs += 5
        text = book(paragraphs)
        drawn = make_pdf(work / "book.pdf", [text], lines_per_column=lines_per_column)
    rows = []
    seconds, document = timed(work / "book.pdf")
    rows.append({"file": f"PDF, {max(line.page for line in drawn)} pages, two columns", "mb": _mb(work / "book.pdf"),
                 "paragraphs": len(document.paragraphs), "seconds": seconds, "target": TARGETS["pdf_s"],
                 "ok": seconds <= TARGETS["pdf_s"] and len(document.paragraphs) == 1 + paragraphs})
    for name, maker in (("DOCX", make_docx), ("ODT", make_odt), ("EPUB", lambda p, b: make_epub(p, [b]))):
        path = maker(work / f"book.{name.lower()}", text)
        seconds, document = timed(path)
        rows.append({"file": f"{name}, same text", "mb": _mb(path), "paragraphs": len(document.paragraphs),
                     "seconds": seconds, "target": None, "ok": len(document.paragraphs) == 1 + paragraphs})
    for name, path in hostile_files(work, book(3)).items():
        seconds, result = timed(path, runs=1)
        message = str(result)
        refused = not hasattr(result, "paragraphs")
        safe = refused or "TOP-SECRET" not in result.raw and "lollol" not in result.raw
        rows.append({"file": name, "mb": _mb(path), "paragraphs": None if refused else len(result.paragraphs),
                     "seconds": seconds, "target": TARGETS["hostile_s"],
                     "message": message.split(": ", 1)[-1] if refused else "read safely",
                     "ok": seconds <= TARGETS["hostile_s"] and safe and "\n" not in message})
    print(f"{'file':44} {'MB':>7} {'paragraphs':>10} {'seconds':>8} {'target':>7}  ok  outcome")
    for row in rows:
        print(f"{row['file']:44} {row['mb']:7.2f} {row['paragraphs'] if row['paragraphs'] is not None else '-':>10} "
              f"{row['seconds']:8.3f} {row['target'] if row['target'] else '':>7}  {'yes' if row['ok'] else 'NO ':3} "
              f"{row.get('message', '')[:90]}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "targets": TARGETS}, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(row["ok"] for row in rows) else 1


def _mb(path: Path) -> float:
    return path.stat().st_size / 1e6


if __name__ == "__main__":
    sys.exit(main())
