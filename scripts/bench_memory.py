"""Peak memory of a build as the corpus grows: one document pair of N Russian and about
1.1 N English sentences (*Anna Karenina* vol. 1 from ../shared/data, one segment per line,
repeated), built by ``align build --set presegmented=true`` in a fresh process each time;
the peak resident set size of that process, its wall time, and MB per 1,000 sentences.

    PYTHONPATH=. .venv/bin/python scripts/bench_memory.py [--copies 1,5,10] [--json out.json]

Every copy is the same text, so the embedding and word-vector caches are filled by the
first size (run it once before timing; the default cache is used) and the larger sizes
measure the pipeline's own memory, not the encoders'. The data is read from ../shared/data
and never copied into the repository (the documents are written to a temporary folder)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "anna_karenina_vol1_ru-en"
ALIGN = "import sys; from align.cli import app; sys.argv[0] = 'align'; app()"
# Runs the build as its own child and prints that child's peak RSS (KB on Linux).
MEASURE = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)")


def write_pair(folder: Path, copies: int) -> tuple[Path, Path, int, int]:
    ru_lines = (DATA / "ru.txt").read_text(encoding="utf-8").splitlines()
    en_lines = (DATA / "en.txt").read_text(encoding="utf-8").splitlines()
    ru, en = folder / "ru", folder / "en"
    ru.mkdir(parents=True)
    en.mkdir()
    (ru / "novel.txt").write_text("\n".join(ru_lines * copies) + "\n", encoding="utf-8")
    (en / "novel.txt").write_text("\n".join(en_lines * copies) + "\n", encoding="utf-8")
    return ru, en, len(ru_lines) * copies, len(en_lines) * copies


def measure(copies: int, work: Path) -> dict:
    ru, en, n_ru, n_en = write_pair(work / f"x{copies}", copies)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-c", ALIGN, "-q", "build", str(ru), str(en),
                           "-o", str(work / f"out{copies}"), "--set", "presegmented=true"],
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build of {copies} copies failed: {done.stderr[-2000:]}")
    peak_mb = int(done.stdout.split()[-1]) / 1024
    return {"copies": copies, "ru_sentences": n_ru, "en_sentences": n_en, "peak_mb": round(peak_mb),
            "seconds": round(elapsed, 1), "mb_per_1000_sentences": round(1000 * peak_mb / (n_ru + n_en), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", default="1,5,10", help="comma-separated numbers of copies of the novel")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    if not DATA.exists():
        raise SystemExit(f"{DATA} is missing: the benchmark needs the shared development data")
    work = Path(tempfile.mkdtemp(prefix="align-bench-memory-"))
    try:
        rows = []
        for copies in (int(c) for c in args.copies.split(",")):
            rows.append(measure(copies, work))
            row = rows[-1]
            print(f"{row['copies']:>3} copies: {row['ru_sentences']:>7} ru + {row['en_sentences']:>7} en sentences, "
                  f"peak {row['peak_mb']:>6} MB, {row['seconds']:>7} s, {row['mb_per_1000_sentences']} MB per 1,000",
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"cpus": os.cpu_count(), "runs": rows}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
