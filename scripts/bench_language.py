"""The document language check (align/ingest/language.py) against real data: how often
lingua misreads a window of real text by its size in letters, the confidence it gives
right windows (the evidence for ``WINDOW_MIN_LETTERS`` and ``WINDOW_CONFIDENCE``), the
files of the bundled corpus and of ../shared/data refused or warned about (target: none),
hostile documents refused (target: all), and the time of one check.

    PYTHONPATH=. .venv/bin/python scripts/bench_language.py [--json out.json]

Windows are made of consecutive single sentences (segments) of WMT21 ru-en, NTREX en-ru,
ParIce en-is and Text+Berg de-fr, lower-case words only, cut when they reach the size."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.errors import InputError  # noqa: E402
from align.ingest import read_document, read_lines  # noqa: E402
from align.ingest.language import (WINDOW_CONFIDENCE, _LETTERS, check_language,  # noqa: E402
                                   language_of_window)

DATA = ROOT.parent / "shared" / "data"
SIZES = (40, 80, 150)


def segment_sets() -> dict[str, tuple[str, list[str]]]:
    """Single sentences of each set with their language."""
    sets: dict[str, tuple[str, list[str]]] = {}
    wmt = list(csv.DictReader(open(DATA / "wmt21_ru-en/newstest2021.ru-en.tsv", encoding="utf-8"), delimiter="\t"))
    sets["wmt21 ru"] = ("ru", [row["src_ru"] for row in wmt])
    sets["wmt21 en"] = ("en", [row["ref_en_A"] for row in wmt])
    sets["ntrex ru"] = ("ru", _lines(DATA / "ntrex128_en-ru/newstest2019-ref.rus.txt"))
    sets["ntrex en"] = ("en", _lines(DATA / "ntrex128_en-ru/newstest2019-src.eng.txt"))
    for folder, lang in (("eng", "en"), ("isl", "is")):
        files = sorted((DATA / "parice_en-is/parice" / folder).glob("*.txt"))
        sets[f"parice {lang}"] = (lang, [line.split("\t", 1)[-1] for f in files for line in _lines(f)])
    for lang in ("de", "fr"):
        sets[f"text+berg {lang}"] = (lang, _lines(DATA / f"textberg_de-fr_dev/dev.{lang}"))
    return sets


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").replace("\r", "").splitlines()


def window_errors(sets: dict[str, tuple[str, list[str]]], size: int) -> dict:
    """Windows of ``size`` letters or more: how many, misread, misread with confidence ≥ the cut-off."""
    total = wrong = confident_wrong = 0
    lowest_right = 1.0
    for lang, sentences in sets.values():
        words: list[str] = []
        for sentence in sentences:
            words += [w for w in _LETTERS.findall(sentence) if not w[0].isupper()]
            if sum(map(len, words)) < size:
                continue
            found, confidence = language_of_window(" ".join(words))
            words = []
            total += 1
            if found != lang:
                wrong += 1
                confident_wrong += confidence >= WINDOW_CONFIDENCE
            else:
                lowest_right = min(lowest_right, confidence)
    return {"letters": size, "windows": total, "misread": wrong, "misread_confident": confident_wrong,
            "lowest_right_confidence": round(lowest_right, 3)}


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def real_files() -> list[tuple[Path, str]]:
    files = [(p, lang) for lang in ("ru", "en") for p in sorted((ROOT / "corpus" / lang).iterdir())]
    files += [(DATA / "textberg_de-fr_dev" / f"dev.{lang}", lang) for lang in ("de", "fr")]
    files += [(p, lang) for folder, lang in (("eng", "en"), ("isl", "is"))
              for p in sorted((DATA / "parice_en-is" / "parice" / folder).glob("*.txt"))]
    files += [(p, p.stem.rsplit("_", 1)[1]) for name in ("literary_ru-en_paragraphs", "chekhov_ru-en_paragraphs")
              for p in sorted((DATA / name).glob("*_??.txt"))]
    return files


def false_alarms(files: list[tuple[Path, str]], warnings: _Warnings) -> dict:
    refused, times = [], []
    for path, lang in files:
        for document in (read_document(path, lang), read_lines(path)):
            start = time.perf_counter()
            try:
                check_language(document.text, lang, path)
            except InputError as err:
                refused.append(str(err))
            times.append(time.perf_counter() - start)
    return {"files": len(files), "checks": len(times), "refused": refused, "warned": list(warnings.messages),
            "median_ms": round(1000 * sorted(times)[len(times) // 2], 1), "max_ms": round(1000 * max(times), 1)}


def hostile(files: list[tuple[Path, str]]) -> dict:
    """Each real file given as another language of the set: refused?"""
    cases = refused = 0
    for path, lang in files:
        document = read_document(path, lang)
        for wrong in {"en", "ru", "de", "fr", "is"} - {lang}:
            cases += 1
            try:
                check_language(document.text, wrong, path)
            except InputError:
                refused += 1
    return {"cases": cases, "refused": refused}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: this benchmark needs the shared data sets")
    warnings = _Warnings()
    logging.getLogger("align").addHandler(warnings)
    language_of_window("warm up the detector with one window of plain english words")
    sets = segment_sets()
    windows = [window_errors(sets, size) for size in SIZES]
    files = real_files()
    alarms = false_alarms(files, warnings)
    wrong = hostile(files)
    print("| window letters | windows | misread | misread at confidence ≥ 0.9 | lowest right confidence |")
    print("|---:|---:|---:|---:|---:|")
    for row in windows:
        print(f"| {row['letters']} | {row['windows']} | {row['misread']} | {row['misread_confident']} | "
              f"{row['lowest_right_confidence']} |")
    print()
    print(f"real files checked (document and lines): {alarms['files']} files, {alarms['checks']} checks, "
          f"refused {len(alarms['refused'])}, warned {len(alarms['warned'])} (target 0); "
          f"check time median {alarms['median_ms']} ms, max {alarms['max_ms']} ms")
    print(f"real files given as another language of the set: {wrong['refused']} of {wrong['cases']} refused "
          "(target: all)")
    if args.json:
        args.json.write_text(json.dumps({"windows": windows, "false_alarms": alarms, "wrong_language": wrong},
                                        ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
