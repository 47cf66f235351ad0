"""Cleaning speed: 1,000,000 raw rows, as a ratio against plain ``pandas.read_csv``.

Builds a field-like file of N rows (default 1,000,000) by repeating the shipped 2020 raw
file with fresh respondent ids and phone numbers (so that the copies are not duplicates of
each other), then times, in one run:

* the floor: ``pandas.read_csv(path, dtype=str)`` of the same file;
* ``satisfaction.io.read_raw`` (encoding detection, NFC);
* ``satisfaction.clean.clean_survey`` (the whole codebook-driven cleaning);

and prints each as seconds and as a ratio to the floor. Goal: read + clean within 5x.

    .venv/bin/python benchmarks/bench_clean.py [--rows N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from satisfaction import config
from satisfaction.clean import clean_survey, read_offices
from satisfaction.codebook import load_codebook
from satisfaction.io import read_raw


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


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    codebook, offices = load_codebook(), read_offices(config.RAW / "offices.csv")
    with tempfile.TemporaryDirectory() as tmp:
        path = build_file(args.rows, Path(tmp))
        size = path.stat().st_size / 1e6
        _, floor = timed(pd.read_csv, path, dtype=str, keep_default_na=False)
        raw, t_read = timed(read_raw, path)
        result, t_clean = timed(clean_survey, raw, 2020, codebook=codebook, offices=offices,
                                salt=b"bench")
    total = t_read + t_clean
    print(f"{args.rows:,} rows, {size:.0f} MB; kept {len(result.data):,}, "
          f"quarantined {len(result.quarantine):,}")
    print(f"{'step':<34}{'seconds':>9}{'x floor':>9}")
    for name, t in [("pandas.read_csv(dtype=str) [floor]", floor), ("read_raw", t_read),
                    ("clean_survey", t_clean), ("read_raw + clean_survey", total)]:
        print(f"{name:<34}{t:>9.2f}{t / floor:>9.2f}")
    print(f"goal: read + clean within 5x of the floor -> {'met' if total <= 5 * floor else 'NOT met'}")


if __name__ == "__main__":
    main()
