#!/usr/bin/env python
"""Alignment accuracy on gold sets from ../shared/data, through the `align pair` command.

Prints a table and writes JSON (--json OUT). A set whose data is missing is skipped
with a message. Usage: .venv/bin/python scripts/bench_align.py [--model M] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.scoring import read_links, score_alignment  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def textberg() -> list[tuple[str, Path, Path, str, str, Path]]:
    folder = DATA / "textberg_de-fr_dev"
    return [("textberg de-fr dev", folder / "dev.de", folder / "dev.fr", "de", "fr", folder / "dev.defr")]


SETS = {"textberg": textberg}


def run_pair(src: Path, tgt: Path, src_lang: str, tgt_lang: str, model: str, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "align"), "pair", str(src), str(tgt), "--src-lang", src_lang,
                    "--tgt-lang", tgt_lang, "--presegmented", "--format", "links", "--model", model,
                    "-o", str(out)], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="use-m3")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in SETS.items():
            cases = make()
            missing = [p for case in cases for p in case[1:3] + case[5:] if not p.exists()]
            if missing:
                print(f"skipping {name}: missing {missing[0]}", file=sys.stderr)
                continue
            for label, src, tgt, src_lang, tgt_lang, gold in cases:
                out = Path(tmp) / f"{name}.links"
                seconds = run_pair(src, tgt, src_lang, tgt_lang, args.model, out)
                scores = score_alignment(read_links(out), read_links(gold))
                rows.append({"set": label, "model": args.model, "strict_p": scores.strict.precision,
                             "strict_r": scores.strict.recall, "strict_f1": scores.strict.f1,
                             "lax_f1": scores.lax.f1, "null_p": scores.null.precision,
                             "null_r": scores.null.recall, "seconds": seconds})
    print(f"{'set':<22} {'model':<10} {'strict P':>8} {'strict R':>8} {'strict F1':>9} {'lax F1':>7} "
          f"{'1-0/0-1 P':>9} {'1-0/0-1 R':>9} {'seconds':>8}")
    for r in rows:
        print(f"{r['set']:<22} {r['model']:<10} {r['strict_p']:>8.3f} {r['strict_r']:>8.3f} {r['strict_f1']:>9.3f} "
              f"{r['lax_f1']:>7.3f} {r['null_p']:>9.3f} {r['null_r']:>9.3f} {r['seconds']:>8.1f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
