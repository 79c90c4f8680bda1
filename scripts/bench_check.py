"""`align check` on a 10,000-segment XLIFF against its target (≤ 60 s with an empty cache),
and whether number changes put into it are flagged on their own segment.

    PYTHONPATH=. .venv/bin/python scripts/bench_check.py [--segments 10000] [--no-word-alignment] [--json out.json]

The XLIFF 1.2 (written to a temporary folder, never into the project) cycles through the
real pairs of ../shared/data: WMT21 news (Russian with each of its two English
translations) and NTREX-128 (English originals with their Russian translation, Russian
put on the source side); repeated pairs get new ids, as a CAT file repeats segments.
Every 50th target holding a figure has one digit changed. The whole command runs in a
subprocess with a fresh cache folder (cold: every string embedded; the offline models,
which `scripts/setup` builds once with `align models`, are linked in from the user's
cache, as a user who has run the setup has them; `--build-models` builds them in the
fresh folder too); `--no-word-alignment` runs it with `--set flags.token_alignment=false` (no word
vectors: the word-level flags and the database's word alignments are off)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

from align.cache import resolve_cache
from align.e5_convert import build_e5_model

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
WMT = DATA / "wmt21_ru-en" / "newstest2021.ru-en.tsv"
NTREX = DATA / "ntrex128_en-ru"
TARGET_S = 60.0
CHANGE_EVERY = 50


def real_pairs() -> list[tuple[str, str]]:
    """(Russian, English) pairs: WMT21 with translator A, with translator B, then NTREX-128."""
    with open(WMT, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    pairs = [(row["src_ru"], row[ref]) for ref in ("ref_en_A", "ref_en_B") for row in rows]
    ru = (NTREX / "newstest2019-ref.rus.txt").read_text(encoding="utf-8").replace("\r", "").splitlines()
    en = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").replace("\r", "").splitlines()
    pairs += list(zip(ru, en))
    return [(r.strip(), e.strip()) for r, e in pairs if r.strip() and e.strip()]


def changed_digit(text: str) -> str | None:
    """``text`` with its first digit changed (9 → 1, else + 1), or None without a digit."""
    match = re.search(r"\d", text)
    if not match:
        return None
    digit = int(match.group())
    return text[:match.start()] + str(1 if digit == 9 else digit + 1) + text[match.end():]


def build_xliff(pairs: list[tuple[str, str]], count: int, path: Path) -> tuple[list[str], int]:
    """Write ``count`` segments cycling through ``pairs``; returns the ids whose target's
    figure was changed and the number of distinct strings."""
    units, changed, strings = [], [], set()
    for k in range(count):
        ru, en = pairs[k % len(pairs)]
        unit_id = f"tu{k + 1}"
        if k % CHANGE_EVERY == CHANGE_EVERY - 1 and (altered := changed_digit(en)) is not None:
            en = altered
            changed.append(unit_id)
        strings.update((ru, en))
        units.append(f'      <trans-unit id="{unit_id}">\n        <source>{escape(ru)}</source>\n'
                     f'        <target state="translated">{escape(en)}</target>\n      </trans-unit>\n')
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" '
                    'xmlns="urn:oasis:names:tc:xliff:document:1.2">\n  <file original="news.docx" '
                    'source-language="ru-RU" target-language="en-US" datatype="plaintext">\n    <body>\n'
                    + "".join(units) + "    </body>\n  </file>\n</xliff>\n", encoding="utf-8")
    return changed, len(strings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=10_000)
    parser.add_argument("--no-word-alignment", action="store_true", help="flags without word vectors")
    parser.add_argument("--cache-dir", type=Path, help="a cache folder to use (default: a new, empty one: cold)")
    parser.add_argument("--build-models", action="store_true",
                        help="build the offline models in the fresh cache too (else: linked from the user's cache)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if not WMT.exists() or not NTREX.exists():
        print(f"dev data not found: {WMT} / {NTREX}", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="align-bench-check-"))
    try:
        pairs = real_pairs()
        xliff = work / "news.xliff"
        changed, distinct = build_xliff(pairs, args.segments, xliff)
        cache = args.cache_dir or work / "cache"
        if args.cache_dir is None and not args.build_models:
            installed = resolve_cache(None, os.environ)
            build_e5_model(installed.e5_model)  # what `align models` (scripts/setup) does, once
            cache.mkdir()
            (cache / "models").symlink_to(installed.models, target_is_directory=True)
        command = [sys.executable, "-c", "from align.cli import app; app()", "-q", "check", str(xliff),
                   "-o", str(work / "out"), "--cache-dir", str(cache), "--json"]
        if args.no_word_alignment:
            command += ["--set", "flags.token_alignment=false"]
        started = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        elapsed = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the check's CPU time: other jobs on the cores add wall time
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)
            return run.returncode
        summary = json.loads(run.stdout)
        flags_by_segment: dict[str, set[str]] = {}
        for line in (work / "out" / "links.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            for segment in record["ru"].get("segments", []):
                flags_by_segment.setdefault(segment, set()).update(f["kind"] for f in record["flags"])
        figures = {"number", "date"}
        caught = sum(bool(figures & flags_by_segment.get(s, set())) for s in changed)
        unchanged = [s for s in flags_by_segment if s not in set(changed)]
        false_figures = sum(bool(figures & flags_by_segment[s]) for s in unchanged)
        results = {
            "segments": args.segments, "distinct_strings": distinct,
            "word_alignment": not args.no_word_alignment, "cold": args.cache_dir is None,
            "models_built_in_run": args.build_models, "check_s": round(elapsed, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "load_average": round(os.getloadavg()[0], 1),
            "inside_command_s": summary["elapsed_s"], "target_s": TARGET_S,
            "links_flagged": sum(1 for kinds in flags_by_segment.values() if kinds),
            "changed_figures": len(changed), "changed_flagged": caught,
            "figure_flags_on_unchanged": false_figures, "unchanged_segments": len(unchanged),
            "flags": summary["flags"],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'measure':<28}{'value':>12}")
    for key in ("segments", "distinct_strings", "word_alignment", "cold", "check_s", "cpu_s", "load_average",
                "inside_command_s", "links_flagged",
                "changed_figures", "changed_flagged", "figure_flags_on_unchanged", "unchanged_segments"):
        print(f"{key:<28}{results[key]!s:>12}")
    verdict = "met" if results["check_s"] <= TARGET_S else "MISSED"
    print(f"{'cold' if results['cold'] else 'warm'} check {results['check_s']} s against ≤ {TARGET_S:g} s (cold): "
          f"{verdict}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
