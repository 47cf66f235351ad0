"""Coverage study: how often the library's 95 % intervals contain the true value (Monte Carlo).

What it is for: measuring, not assuming, that every default interval covers at its nominal
level in the regimes the reports meet -- the interval of a single proportion
(``SurveyDesign.proportion``, Korn-Graubard) and the two intervals of a change between two
independent years (``compare.change_table``: the points and the ratio, MOVER from each year's
interval) -- rates from 50 % to 99.5 %, domains from 20 respondents to the whole sample,
domains made of whole PSUs (a province's offices: one office in each stratum), a domain that
is one office (the binomial fallback of a change), one year at 0 % or 100 % (one-edge
ratios), single- and two-stage designs -- with a missing interval counted as a miss. It writes
one row per regime (``coverage_results.csv``) and prints the worst cell.

What it is NOT: a test (nothing here runs in the test suite; ``tests/test_coverage.py`` runs a
small study and checks the harness).

The populations (fixed by ``--seed``): 10 strata of 6 to 15 offices (PSUs; a multiple of 3),
100 to 400 clients an office. Satisfaction is Bernoulli with ``logit P = logit(p) + v_h + u_j``
(stratum effects ``v_h ~ N(0, 0.3**2)``, office effects ``u_j ~ N(0, s**2)`` with ``s`` 0.5 --
an intra-office correlation of about 0.07 on the latent scale -- or 1.0, about 0.23: the
``clustering`` column, moderate or strong). A third of the offices of every stratum are "type
A", and a random third (independently) "type B". The true value of a domain is its proportion
in the finite population.

A sample (R's ``ids = ~office + client, fpc = ~N1 + N2``): in every stratum, 3 offices -- one
of the type-A offices and two of the others, so that every office of the stratum has the same
probability and every sample has exactly one type-A office a stratum -- then 30 clients of
each office, without replacement: 900 respondents, unequal weights (N1 / 3 x N2 / 30).

Domains: ``all`` (900); clients with an attribute of population share 20/900, 60/900 and
200/900 (``n20``, ``n60``, ``n200``: about 20, 60 and 200 respondents, spread over the
offices); ``psu_all``: the type-A offices (one office in each of the 10 strata, about 300
respondents; R's degrees of freedom 0); ``psu_3``: the type-A offices of three strata (3
offices, 90 respondents; R's df 0); ``psu_some``: the type-B offices of five strata (0 to 3
offices a stratum: sometimes R's df 0, sometimes not).

Changes (statistics ``change``, the difference in points, and ``ratio``): a second sample,
drawn independently of the first (the base year), with the rate ``p_base``; the pairs
:data:`CHANGES` go from no change at 50 %, 90 %, 97 % and 99.5 % to rises of 90 -> 97 % and
97 -> 99.5 % (where one year of a small domain is often at 100 %: the ``one_edge_share``
column). The truth is the difference (ratio) of the domain's population proportions at the two
rates. ``psu_1``, changes only: the type-A office of stratum 0 -- one office, a single PSU in
each year (df 0), as an office is on page 03; its base-year sample keeps the same office with
fresh clients (an office is compared with itself), and its truth is that office's own change.

Designs analysed: ``one-stage`` (``psu="office"``, no FPC: the with-replacement approximation
most surveys use) and ``two-stage`` (``psu=["office", "client"], fpc=["N1", "N2"]``: the design
as drawn). Every replicate is estimated in one call: the replicates are stacked, each its own
strata, and estimated as domains of one design (``by=[replicate]``), so the study runs the
library's own code path, vectorised over replicates.

Run from the repository root (the committed table was made by the first command):

    .venv/bin/python benchmarks/coverage.py                  # 2,000 samples a regime
    .venv/bin/python benchmarks/coverage.py --quick          # 200 samples, a minute or less
    .venv/bin/python benchmarks/coverage.py --methods beta,wilson,logit --samples 1000
    .venv/bin/python benchmarks/coverage.py --statistics change,ratio   # the changes only
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from satisfaction import SurveyDesign
from satisfaction.compare import TEST_BINOMIAL, change_table
from satisfaction.intervals import SURVEY_METHODS, check_method

RATES = (0.5, 0.9, 0.97, 0.995)
STRATA, MAX_OFFICES, MAX_CLIENTS = 10, 15, 400  # population
SAMPLED_OFFICES, SAMPLED_CLIENTS = 3, 30  # per stratum, per office
CLUSTERING = {"moderate": 0.5, "strong": 1.0}  # sd of the office effects (logit scale)
SHARES = {"n20": 20 / 900, "n60": 60 / 900, "n200": 200 / 900}
DOMAINS = ("all", "n20", "n60", "n200", "psu_all", "psu_3", "psu_some")
CHANGE_DOMAINS = (*DOMAINS, "psu_1")
CHANGES = ((0.5, 0.5), (0.9, 0.9), (0.97, 0.97), (0.995, 0.995), (0.9, 0.97), (0.97, 0.995))
"""(base-year rate, current rate) of the changes studied."""
DESIGNS = {
    "one-stage": {"weights": "w", "strata": "stratum", "psu": "office"},
    "two-stage": {"weights": "w", "strata": "stratum", "psu": ["office", "client"],
                  "fpc": ["N1", "N2"]},
}
OUT = Path(__file__).with_name("coverage_results.csv")


@dataclass(frozen=True)
class Population:
    """A finite population, as arrays indexed ``[stratum, office, client]`` (padded: ``exists``
    marks the real clients, ``offices`` and ``clients`` the real sizes)."""

    satisfied: dict[float, np.ndarray]
    attribute: dict[str, np.ndarray]
    type_a: np.ndarray  # [stratum, office]
    type_b: np.ndarray  # [stratum, office]
    offices: np.ndarray  # [stratum]
    clients: np.ndarray  # [stratum, office]
    exists: np.ndarray  # [stratum, office, client]

    def member(self, domain: str) -> np.ndarray:
        """The population units of a domain."""
        if domain == "all":
            return self.exists
        if domain in SHARES:
            return self.attribute[domain] & self.exists
        offices = {"psu_all": self.type_a, "psu_3": self.type_a, "psu_some": self.type_b}[domain]
        offices = offices.copy()
        offices[{"psu_all": STRATA, "psu_3": 3, "psu_some": 5}[domain]:] = False
        return offices[:, :, None] & self.exists

    def truth(self, rate: float, domain: str) -> float:
        """The proportion satisfied in a domain of the population."""
        return float(self.satisfied[rate][self.member(domain)].mean())

    def office_rate(self, rate: float) -> np.ndarray:
        """The proportion satisfied of every office, ``[stratum, office]`` (NaN: no office)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.satisfied[rate] & self.exists).sum(axis=2) / self.clients


def make_population(seed: int, office_sd: float) -> Population:
    """A population of the module docstring (the same draws for every rate)."""
    rng = np.random.default_rng(seed)
    offices = 3 * rng.integers(2, 6, STRATA)  # 6 to 15
    clients = rng.integers(100, MAX_CLIENTS + 1, (STRATA, MAX_OFFICES))
    office_exists = np.arange(MAX_OFFICES)[None, :] < offices[:, None]
    clients = np.where(office_exists, clients, 0)
    exists = np.arange(MAX_CLIENTS)[None, None, :] < clients[:, :, None]
    v = rng.normal(0, 0.3, STRATA)[:, None, None]
    u = rng.normal(0, office_sd, (STRATA, MAX_OFFICES))[:, :, None]
    uniform = rng.random((STRATA, MAX_OFFICES, MAX_CLIENTS))
    satisfied = {}
    for p in RATES:
        latent = np.log(p / (1 - p)) + v + u
        satisfied[p] = uniform < 1 / (1 + np.exp(-latent))
    draw = rng.random((STRATA, MAX_OFFICES, MAX_CLIENTS))
    attribute = {name: draw < share for name, share in SHARES.items()}
    type_a = np.arange(MAX_OFFICES)[None, :] < (offices // 3)[:, None]
    type_b = (rng.random((STRATA, MAX_OFFICES)) < 1 / 3) & office_exists
    return Population(satisfied, attribute, type_a, type_b, offices, clients, exists)


def _first(keys: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` smallest keys along the last axis (a random draw of ``k``)."""
    return np.argpartition(keys, k - 1, axis=-1)[..., :k] if k < keys.shape[-1] else keys


def draw_samples(pop: Population, n: int, rng: np.random.Generator,
                 offices: np.ndarray | None = None) -> pd.DataFrame:
    """``n`` stacked samples (rows: replicate, stratum, office slot, client).

    ``offices`` (``[replicate, stratum, slot]``, the ``attrs["offices"]`` of an earlier draw):
    the same offices with fresh clients (a panel of offices), for a domain that is one office.
    """
    idx = np.arange(MAX_OFFICES)
    n_a = (pop.offices // 3)[:, None]  # type-A offices are 0 .. n_a - 1
    keys = rng.random((n, STRATA, MAX_OFFICES))
    key_a = np.where(idx < n_a, keys, np.inf)
    key_b = np.where((idx >= n_a) & (idx < pop.offices[:, None]), keys, np.inf)
    office = (np.concatenate([_first(key_a, 1), _first(key_b, 2)], axis=2) if offices is None
              else offices)  # [rep, h, slot]
    h_idx = np.arange(STRATA)[None, :, None]
    m_pop = pop.clients[h_idx, office]  # [rep, h, slot]
    ckeys = rng.random((n, STRATA, SAMPLED_OFFICES, MAX_CLIENTS))
    ckeys = np.where(np.arange(MAX_CLIENTS) < m_pop[..., None], ckeys, np.inf)
    clients = _first(ckeys, SAMPLED_CLIENTS)
    rep, h, slot, _ = np.indices(clients.shape).reshape(4, -1)
    j = office[rep, h, slot]
    i = clients.reshape(-1)
    n1 = pop.offices[h]
    n2 = pop.clients[h, j]
    frame = {
        "replicate": rep,
        "stratum": rep * STRATA + h,
        "office": (rep * STRATA + h) * SAMPLED_OFFICES + slot,
        "client": np.arange(len(rep)),
        "w": n1 / SAMPLED_OFFICES * n2 / SAMPLED_CLIENTS,
        "N1": n1,
        "N2": n2,
    }
    for p in RATES:
        frame[f"y{p}"] = pop.satisfied[p][h, j, i].astype(float)
    in_domain = {name: pop.attribute[name][h, j, i] for name in SHARES}
    in_domain["psu_all"] = pop.type_a[h, j]
    in_domain["psu_3"] = pop.type_a[h, j] & (h < 3)
    in_domain["psu_some"] = pop.type_b[h, j] & (h < 5)
    in_domain["psu_1"] = pop.type_a[h, j] & (h == 0)
    for name, member in in_domain.items():  # the replicate inside the domain, missing outside
        frame[name] = np.where(member, rep, np.nan)
    out = pd.DataFrame(frame)
    out.attrs["offices"] = office
    return out


def _table(design: SurveyDesign, rate: float, domain: str, method: str, n: int) -> pd.DataFrame:
    """Every replicate's estimate table of a domain (rows 0 .. n-1; NaN where it is empty)."""
    by = "replicate" if domain == "all" else domain
    table = design.proportion(f"y{rate}", by=by, ci_method=method)
    return table.reindex(pd.Index(np.arange(n), dtype=float)).set_axis(np.arange(n))


def changes(current: pd.DataFrame, base: pd.DataFrame, method: str) -> dict[str, np.ndarray]:
    """The change and ratio intervals of every replicate (``compare.change_table``), with the
    columns the summary reads (NaN where a replicate has no interval: a miss)."""
    t = change_table(current, base, ci_method=method)
    p1, p0 = t["p_current"].to_numpy(), t["p_base"].to_numpy()
    edge1, edge0 = (p1 == 0) | (p1 == 1), (p0 == 0) | (p0 == 1)
    common = {"df": np.fmin(current["df"].to_numpy(float), base["df"].to_numpy(float)),
              "edge": (edge1 | edge0).astype(float), "one_edge": (edge1 ^ edge0).astype(float),
              "binomial": (t["test"] == TEST_BINOMIAL).to_numpy(float)}
    return {
        "change": np.column_stack([t["change"], t["change_low"], t["change_high"],
                                   *common.values()]),
        "ratio": np.column_stack([t["ratio"], t["ratio_low"], t["ratio_high"],
                                  *common.values()]),
    }


#: The statistics measured.
STATISTICS = ("proportion", "change", "ratio")


@dataclass
class _Chunk:
    """One chunk of replicates: the current, base and office-panel samples, and their tables."""

    pop: Population
    current: pd.DataFrame
    base: pd.DataFrame
    panel: pd.DataFrame
    n: int
    cache: dict = field(default_factory=dict)

    def table(self, which: str, design_name: str, rate: float, domain: str,
              method: str) -> pd.DataFrame:
        key = (which, design_name, rate, domain, method)
        if key not in self.cache:
            frame = getattr(self, which)
            design = self.cache.setdefault((which, design_name),
                                           SurveyDesign(frame, **DESIGNS[design_name]))
            self.cache[key] = _table(design, rate, domain, method, self.n)
        return self.cache[key]

    def office_truth(self, rate0: float, rate1: float) -> tuple[np.ndarray, np.ndarray]:
        """Each replicate's change and ratio of the one office of ``psu_1`` (its own rates)."""
        j = self.current.attrs["offices"][:, 0, 0]  # slot 0 is the type-A office
        rates = self.pop.office_rate(rate1)[0, j], self.pop.office_rate(rate0)[0, j]
        return rates[0] - rates[1], rates[0] / rates[1]


def _truths(pop: Population, stat: str, rate0: float, rate1: float, domain: str,
            chunks: list[_Chunk]) -> float | np.ndarray:
    """The true value of a regime: a number, or one per replicate (``psu_1``)."""
    if stat == "proportion":
        return pop.truth(rate1, domain)
    if domain == "psu_1":
        return np.concatenate([c.office_truth(rate0, rate1)[stat == "ratio"] for c in chunks])
    t1, t0 = pop.truth(rate1, domain), pop.truth(rate0, domain)
    return t1 - t0 if stat == "change" else t1 / t0


def _measure_chunk(chunk: _Chunk, statistics: tuple[str, ...], methods: list[str],
                   parts: dict[tuple, list[np.ndarray]]) -> None:
    """Every regime's intervals for one chunk of replicates (appended to ``parts``)."""
    for design_name in DESIGNS:
        for method in methods:
            if "proportion" in statistics:
                for rate in RATES:
                    for domain in DOMAINS:
                        t = chunk.table("current", design_name, rate, domain, method)
                        values = np.column_stack([t["estimate"], t["ci_low"], t["ci_high"],
                                                  t["df"].astype(float)])
                        parts.setdefault((design_name, "proportion", method, np.nan, rate,
                                          domain), []).append(values)
            if not {"change", "ratio"} & set(statistics):
                continue
            for rate0, rate1 in CHANGES:
                for domain in CHANGE_DOMAINS:
                    base = "panel" if domain == "psu_1" else "base"
                    out = changes(chunk.table("current", design_name, rate1, domain, method),
                                  chunk.table(base, design_name, rate0, domain, method), method)
                    for stat in ("change", "ratio"):
                        if stat in statistics:
                            parts.setdefault((design_name, stat, method, rate0, rate1, domain),
                                             []).append(out[stat])


def measure(
    samples: int, seed: int, methods: list[str], chunk: int = 250,
    clustering: tuple[str, ...] = tuple(CLUSTERING),
    statistics: tuple[str, ...] = STATISTICS,
) -> pd.DataFrame:
    """Coverage of every regime (clustering x design x statistic x method x rates x domain)."""
    rows = []
    for c, (name, office_sd) in enumerate(CLUSTERING.items()):  # regimes, not replicates
        if name not in clustering:
            continue
        pop = make_population(seed + c, office_sd)
        rng = np.random.default_rng(seed + 100 + c)
        other = np.random.default_rng(seed + 200 + c)  # the base years: the current samples
        # are the same draws with or without the changes
        parts: dict[tuple, list[np.ndarray]] = {}
        chunks: list[_Chunk] = []
        done = 0
        while done < samples:
            n = min(chunk, samples - done)
            current = draw_samples(pop, n, rng)
            base = draw_samples(pop, n, other)
            panel = draw_samples(pop, n, other, offices=current.attrs["offices"])
            part = _Chunk(pop, current, base, panel, n)
            _measure_chunk(part, statistics, methods, parts)
            part.cache.clear()
            chunks.append(part)
            done += n
        rows += [_summary(name, key, np.vstack(values),
                          _truths(pop, key[1], key[3], key[4], key[5], chunks))
                 for key, values in parts.items()]
    return pd.DataFrame(rows)


def _summary(clustering: str, key: tuple, values: np.ndarray,
             truth: float | np.ndarray) -> dict:
    """One regime's row of the results table (``truth`` one value, or one per replicate)."""
    design_name, stat, method, rate0, rate1, domain = key
    est, low, high, df = values.T[:4]
    extra = values.T[4:] if values.shape[1] > 4 else None
    missing = np.isnan(low) | np.isnan(high)  # [L, inf): a ratio over a base year at 0 %
    with np.errstate(invalid="ignore"):
        covered = ~missing & (low <= truth) & (truth <= high)
        below, above = ~missing & (high < truth), ~missing & (low > truth)
    edge = extra[0] if extra is not None else ((est == 0) | (est == 1)).astype(float)
    return {
        "clustering": clustering, "design": design_name, "statistic": stat, "method": method,
        "p_base": rate0, "p": rate1, "domain": domain, "truth": float(np.mean(truth)),
        "samples": len(est),
        "coverage": float(np.mean(covered)),
        "missing": float(missing.mean()),
        "below": float(np.mean(below)),
        "above": float(np.mean(above)),
        "mean_width": float(np.nanmean(np.where(np.isfinite(high - low), high - low, np.nan))),
        "median_width": float(np.nanmedian(np.where(np.isfinite(high - low), high - low, np.nan))),
        "mean_df": float(np.nanmean(df)),
        "df0_share": float(np.mean(df < 1)),
        "share_at_edge": float(np.mean(edge)),
        "one_edge_share": float(np.mean(extra[1])) if extra is not None else np.nan,
        "binomial_share": float(np.mean(extra[2])) if extra is not None else np.nan,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=2000, help="samples a regime (2000)")
    ap.add_argument("--quick", action="store_true", help="200 samples a regime")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--methods", default="beta", help=f"comma list of {', '.join(SURVEY_METHODS)}")
    ap.add_argument("--statistics", default=",".join(STATISTICS),
                    help=f"comma list of {', '.join(STATISTICS)}")
    ap.add_argument("--out", type=Path, default=OUT, help="the results table (CSV)")
    args = ap.parse_args(argv)
    samples = 200 if args.quick else args.samples
    methods = [check_method(m) for m in args.methods.split(",")]
    t0 = time.perf_counter()
    statistics = tuple(args.statistics.split(","))
    unknown = set(statistics) - set(STATISTICS)
    if unknown:
        ap.error(f"unknown statistic(s) {sorted(unknown)}; choose from {', '.join(STATISTICS)}")
    table = measure(samples, args.seed, methods, statistics=statistics)
    secs = time.perf_counter() - t0
    command = "python benchmarks/coverage.py " + " ".join(argv if argv is not None else sys.argv[1:])
    args.out.write_text(
        f"# {command.strip()} (seed {args.seed}, {samples} samples a regime)\n"
        + table.to_csv(index=False, float_format="%.4f"),
        encoding="utf-8",
    )
    show = table.sort_values("coverage")
    print(show.head(10).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    worst = show.iloc[0]
    rates = f"p={worst['p']}" if np.isnan(worst["p_base"]) else \
        f"p={worst['p_base']}->{worst['p']}"
    print(
        f"\n{len(table)} regimes, {samples} samples each, {secs:.0f} s. Worst cell: "
        f"{worst['clustering']} clustering, {worst['design']} {worst['statistic']} "
        f"{worst['method']} {rates} "
        f"domain={worst['domain']}: coverage {worst['coverage']:.3f} "
        f"(missing {worst['missing']:.3f}). Written to {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
