"""Cleaning a million raw rows: speed against ``pandas.read_csv`` and peak memory against the
file's size.

Builds a field-like file of N rows (default 1,000,000) by repeating the shipped 2020 raw
file with fresh respondent ids and phone numbers (so that the copies are not duplicates of
each other), then measures, each in a fresh Python process (so that one step's memory does
not count against another's):

* the floor: ``pandas.read_csv(path, dtype=str)`` of the same file;
* ``satisfaction.io.read_raw`` then ``satisfaction.clean.clean_survey`` (the whole
  codebook-driven cleaning, every hostile-input check included);
* ``satisfaction.clean.clean_file``: reading, cleaning and writing the four outputs together.

It prints seconds and the ratio to the floor (goal: read + clean within 5x), and each
process's peak resident memory (``ru_maxrss``) as a multiple of the file's size, in total and
above the process's own baseline (Python with pandas, pyarrow and the library imported; goal:
under 3x the file's size). The machine's load average is printed beside the numbers: on a
shared machine the times vary by up to 2x; the memory does not.

    .venv/bin/python benchmarks/bench_clean.py [--rows N] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from satisfaction import config


def build_file(rows: int, folder: Path) -> Path:
    base = pd.read_csv(config.RAW / "survey_2020.csv", dtype=str, keep_default_na=False)
    reps = -(-rows // len(base))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:rows]
    copy = np.repeat(np.arange(reps), len(base))[:rows].astype(str)
    big["ma_phieu"] = big["ma_phieu"] + "-r" + copy
    big["so_dien_thoai"] = big["so_dien_thoai"] + copy
    path = folder / "bench.csv"
    big.to_csv(path, index=False)
    return path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(step: str, path: Path, out: Path) -> dict[str, float]:
    """One measured step, in this (fresh) process."""
    from satisfaction.clean import clean_file, clean_survey, read_offices
    from satisfaction.codebook import load_codebook
    from satisfaction.io import read_raw

    codebook, offices = load_codebook(), read_offices(config.RAW / "offices.csv")
    base = _peak_mb()
    start = time.perf_counter()
    if step == "floor":
        pd.read_csv(path, dtype=str, keep_default_na=False)
        times = {"total": time.perf_counter() - start}
    elif step == "clean":
        raw = read_raw(path)
        read = time.perf_counter() - start
        clean_survey(raw, 2020, codebook=codebook, offices=offices, salt=b"bench")
        times = {"read": read, "clean": time.perf_counter() - start - read,
                 "total": time.perf_counter() - start}
    else:
        os.environ["SATISFACTION_SALT"] = "bench"
        clean_file(path, 2020, out, codebook=codebook)
        times = {"total": time.perf_counter() - start}
    return {**times, "base_mb": base, "peak_mb": _peak_mb()}


def measure(step: str, path: Path, out: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", step, str(path), str(out)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", default=None, help="reuse or keep the built file here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, path, out = args.child
        print(json.dumps(child(step, Path(path), Path(out))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else build_file(args.rows, Path(tmp))
        if args.keep and not path.exists():
            build_file(args.rows, Path(tmp)).replace(path)
        size_mb = path.stat().st_size / 2**20
        load = os.getloadavg()
        floor = measure("floor", path, Path(tmp) / "out")
        clean = measure("clean", path, Path(tmp) / "out")
        whole = measure("file", path, Path(tmp) / "out")
    print(f"{args.rows:,} rows, {size_mb:.0f} MiB; load average {load[0]:.1f} "
          f"(2 cores shared: times vary, memory does not)")
    print(f"{'step':<40}{'seconds':>9}{'x floor':>9}{'peak MiB':>10}{'x file':>8}"
          f"{'above base':>12}")
    for name, row, t in [
        ("pandas.read_csv(dtype=str) [floor]", floor, floor["total"]),
        ("read_raw", clean, clean["read"]),
        ("clean_survey", clean, clean["clean"]),
        ("read_raw + clean_survey", clean, clean["total"]),
        ("clean_file (read, clean, write)", whole, whole["total"]),
    ]:
        above = (row["peak_mb"] - row["base_mb"]) / size_mb
        print(f"{name:<40}{t:>9.2f}{t / floor['total']:>9.2f}{row['peak_mb']:>10.0f}"
              f"{row['peak_mb'] / size_mb:>8.2f}{above:>11.2f}x")
    speed = clean["total"] / floor["total"]
    memory = max(clean["peak_mb"], whole["peak_mb"]) / size_mb
    print(f"goal: read + clean within 5x of the floor -> {speed:.2f}x, "
          f"{'met' if speed <= 5 else 'NOT met'}")
    print(f"goal: peak memory under 3x the file -> {memory:.2f}x (whole process), "
          f"{'met' if memory < 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
