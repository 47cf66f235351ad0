"""Benchmark: ``SurveyDesign.proportion(by=domain)`` against a floor and against peers.

What it is for: measuring, in one run on the same data (1,000,000 respondents, 200 strata,
5,000 PSUs, 700 domains), the time of a design-based proportion by domain -- for the
single-stage design (PSUs) and for the two-stage one (PSUs, then respondents, an FPC at each
stage: R's ``ids = ~psu + respondent, fpc = ~N1 + N2``) -- as ratios against

  (a) the floor: one pandas groupby weighted sum over the same rows;
  (b) samplics' ``TaylorEstimator`` and its successor ``svy`` (where importable);
  (c) R's ``svyby(~y, ~domain, design, svymean, na.rm = TRUE)`` through ``Rscript`` (where
      installed, with the survey package);

and checking that the estimates and standard errors agree with each peer. Peers run in a
child process with a time limit, on the same rows written to a temporary Parquet file; the
time reported for a peer is its estimation call only (not reading the data, not starting R).

What it is NOT: a test. Nothing here runs in the test suite, and nothing asserts a time.

Run from the repository root:

    .venv/bin/python benchmarks/bench_design.py              # everything found
    .venv/bin/python benchmarks/bench_design.py --rows 100000 --peers none   # quick look
    .venv/bin/python benchmarks/bench_design.py --peers none --stages 2     # two-stage only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from satisfaction import SurveyDesign

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c(domain = "character", stratum = "integer",
                                      psu = "integer"))
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
t0 <- proc.time()[["elapsed"]]
r <- svyby(~y, ~domain, des, svymean, na.rm = TRUE)
secs <- proc.time()[["elapsed"]] - t0
out <- data.frame(domain = r$domain, estimate = coef(r), se = SE(r))
write.csv(out, args[2], row.names = FALSE)
cat(sprintf("%.6f\n", secs), file = args[3])
cat(as.character(packageVersion("survey")), paste0("R ", R.version$major, ".", R.version$minor),
    sep = "\n", file = args[4])
"""


def make_data(
    rows: int = 1_000_000,
    strata: int = 200,
    psus: int = 5_000,
    domains: int = 700,
    seed: int = 2020,
) -> pd.DataFrame:
    """Synthetic respondents: PSUs nested in strata, weights, a 0/1 item with 3 % missing.

    For the two-stage design: ``respondent`` (a row id), ``N1`` (4 times the sampled PSUs of
    the stratum in its population) and ``N2`` (5 times the sampled respondents of the PSU).
    """
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, psus, rows)
    stratum = psu % strata  # psus / strata PSUs in every stratum
    dom = rng.integers(0, domains, rows)
    rate = 0.75 + 0.2 * rng.random(domains)
    y = (rng.random(rows) < rate[dom]).astype(float)
    y[rng.random(rows) < 0.03] = np.nan
    per_psu = np.bincount(psu, minlength=psus)
    return pd.DataFrame(
        {
            "stratum": stratum,
            "psu": psu,
            "respondent": np.arange(rows),
            "N1": 4 * np.bincount(stratum[np.unique(psu)], minlength=strata)[stratum],
            "N2": 5 * per_psu[psu],
            "w": rng.lognormal(3.0, 0.5, rows),
            "y": y,
            "domain": pd.Series([f"d{k:03d}" for k in range(domains)], dtype=object).to_numpy()[
                dom
            ],
        }
    )


# Peers, each run in a child process --------------------------------------------------------------
def peer_samplics(path: str) -> dict:
    warnings.simplefilter("ignore")
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    d = pd.read_parquet(path)
    t0 = time.perf_counter()
    est = TaylorEstimator(PopParam.prop)
    est.estimate(
        y=d["y"],
        samp_weight=d["w"],
        stratum=d["stratum"],
        psu=d["psu"],
        domain=d["domain"],
        remove_nan=True,
    )
    secs = time.perf_counter() - t0
    # point_est[domain][level] for a proportion by domain
    est_1 = {str(k): float(v[1.0]) for k, v in est.point_est.items() if 1.0 in v}
    se_1 = {str(k): float(v[1.0]) for k, v in est.stderror.items() if 1.0 in v}
    return {"seconds": secs, "estimate": est_1, "se": se_1, "version": metadata.version("samplics")}


def peer_svy(path: str) -> dict:
    warnings.simplefilter("ignore")
    import polars as pl
    import svy

    d = pl.read_parquet(path)
    sample = svy.Sample(d, design=svy.Design(stratum="stratum", psu="psu", wgt="w"))
    t0 = time.perf_counter()
    res = sample.estimation.mean("y", by="domain", drop_nulls=True)
    secs = time.perf_counter() - t0
    frame = res.to_polars() if hasattr(res, "to_polars") else pl.DataFrame(res.to_dict())
    cols = frame.columns
    est_col = next(c for c in ("est", "estimate", "mean") if c in cols)
    se_col = next(c for c in ("se", "stderr", "std_err") if c in cols)
    return {
        "seconds": secs,
        "estimate": dict(zip(map(str, frame["domain"]), map(float, frame[est_col]), strict=True)),
        "se": dict(zip(map(str, frame["domain"]), map(float, frame[se_col]), strict=True)),
        "version": metadata.version("svy"),
    }


def run_peer(name: str, path: str, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--child", name, "--data", path]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:.0f} s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:200]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_r(frame: pd.DataFrame, workdir: Path, timeout: float) -> dict:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return {"error": "Rscript not installed"}
    check = subprocess.run([rscript, "-e", "library(survey)"], capture_output=True, check=False)
    if check.returncode != 0:
        return {"error": "R package survey not installed"}
    csv, out, secs, ver = (workdir / n for n in ("d.csv", "r.csv", "secs.txt", "ver.txt"))
    script = workdir / "bench.R"
    frame.to_csv(csv, index=False, na_rep="NA")
    script.write_text(R_SCRIPT, encoding="utf-8")
    try:
        proc = subprocess.run(
            [rscript, str(script), str(csv), str(out), str(secs), str(ver)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1][:200]}
    r = pd.read_csv(out, dtype={"domain": str})
    survey_version, r_version = ver.read_text(encoding="utf-8").splitlines()[:2]
    return {
        "seconds": float(secs.read_text(encoding="utf-8")),
        "estimate": dict(zip(r["domain"], r["estimate"], strict=True)),
        "se": dict(zip(r["domain"], r["se"], strict=True)),
        "version": f"survey {survey_version}, {r_version}",
    }


def max_rel_diff(mine: pd.Series, theirs: dict) -> float:
    other = pd.Series(theirs, dtype=float).reindex(mine.index.astype(str))
    if other.isna().all():
        return float("nan")
    return float(np.nanmax(np.abs(mine.to_numpy() - other.to_numpy()) / np.abs(other.to_numpy())))


def time_design(
    frame: pd.DataFrame, spec: dict, repeat: int
) -> tuple[float, float, float, float, object]:
    """Median seconds of the floor, a fresh design's construction, its first call and a
    repeated call, each repetition timing all four in turn (so that a busy machine slows the
    floor and the library alike), and the last table."""
    floors, builds, colds, warms = [], [], [], []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        frame["w"].mul(frame["y"]).groupby(frame["domain"]).sum()
        t1 = time.perf_counter()
        design = SurveyDesign(frame, **spec)  # a new design each time: its first call codes
        t2 = time.perf_counter()  # the domains
        design.proportion("y", by="domain")
        t3 = time.perf_counter()
        out = design.proportion("y", by="domain")
        t4 = time.perf_counter()
        floors.append(t1 - t0)
        builds.append(t2 - t1)
        colds.append(t3 - t2)
        warms.append(t4 - t3)
    return tuple(statistics.median(v) for v in (floors, builds, colds, warms)) + (out,)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--strata", type=int, default=200)
    ap.add_argument("--psus", type=int, default=5_000)
    ap.add_argument("--domains", type=int, default=700)
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions (median)")
    ap.add_argument("--peers", default="samplics,svy,r", help="comma list, or 'none'")
    ap.add_argument("--stages", default="1,2", help="designs to time: 1, 2 or 1,2")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per peer")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        fn = {"samplics": peer_samplics, "svy": peer_svy}[args.child]
        print(json.dumps(fn(args.data)))
        return 0

    frame = make_data(args.rows, args.strata, args.psus, args.domains)
    print(
        f"data: {len(frame):,} respondents, {args.strata} strata, {args.psus:,} PSUs, "
        f"{frame['domain'].nunique()} domains, {int(frame['y'].isna().sum()):,} missing answers"
    )
    print(
        f"numpy {np.__version__}, pandas {pd.__version__}, python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores"
    )

    designs = {
        1: ("", {"weights": "w", "strata": "stratum", "psu": "psu"}),
        2: ("two-stage ", {"weights": "w", "strata": "stratum", "psu": ["psu", "respondent"],
                           "fpc": ["N1", "N2"]}),
    }
    print()
    print(f"{'':50s}{'seconds':>10s}{'x floor':>10s}")
    single = None  # the single-stage design's repeated time and table, for the peers
    for stages in sorted({int(s) for s in args.stages.split(",")}):
        label, spec = designs[stages]
        floor, build, cold, warm, out = time_design(frame, spec, args.repeat)
        if stages == 1:
            single = (warm, out)
        rows = [
            ("(a) floor: pandas groupby weighted sum", floor),
            (label + "proportion(by=domain), repeated call", warm),
            (label + "proportion(by=domain), first call for by", cold),
            (label + "SurveyDesign(...) construction", build),
        ]
        for text, secs in rows:
            print(f"{text:50s}{secs:10.4f}{secs / floor:10.2f}")

    peers = [p for p in args.peers.split(",") if p and p != "none"]
    if not peers:
        return 0
    warm, mine = single or time_design(frame, designs[1][1], args.repeat)[3:]
    print()
    print(f"{'peer':50s}{'seconds':>10s}{'peer / us':>10s}{'est diff':>10s}{'se diff':>10s}")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.parquet")
        frame.to_parquet(path)
        for name in peers:
            if name == "r":
                res = run_r(frame, Path(tmp), args.timeout)
                label = "(c) R svyby(svymean)"
            else:
                try:
                    metadata.version(name)
                except metadata.PackageNotFoundError:
                    print(f"{name:50s}  not installed")
                    continue
                res = run_peer(name, path, args.timeout)
                label = "(b) samplics TaylorEstimator" if name == "samplics" else "(b) svy mean"
            if "error" in res:
                print(f"{label:50s}  {res['error']}")
                continue
            label = f"{label} ({res['version']})"
            print(
                f"{label[:50]:50s}{res['seconds']:10.3f}{res['seconds'] / warm:10.1f}"
                f"{max_rel_diff(mine['estimate'], res['estimate']):10.1e}"
                f"{max_rel_diff(mine['se'], res['se']):10.1e}"
            )
    print(
        "\n'peer / us': the peer's time over the repeated call; 'diff': largest relative "
        "difference over the domains."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
