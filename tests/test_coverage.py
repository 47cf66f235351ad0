"""The coverage study's harness (benchmarks/coverage.py): its sampler, its truths, and a small
study of the small-domain rule (a domain with one PSU in each stratum gets an interval that
covers). The full study is run by hand; its table is benchmarks/coverage_results.csv."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from satisfaction import SurveyDesign

PATH = Path(__file__).parents[1] / "benchmarks" / "coverage.py"


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("coverage_study", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["coverage_study"] = module  # a dataclass needs its module registered
    spec.loader.exec_module(module)
    return module


def test_samples_follow_the_design(study) -> None:
    pop = study.make_population(7, 0.5)
    frame = study.draw_samples(pop, 40, np.random.default_rng(1))
    per_rep = frame.groupby("replicate")
    assert (per_rep.size() == study.STRATA * 3 * 30).all()
    # exactly one type-A office in each stratum of each sample: the PSU-level domain
    a = frame[frame["psu_all"].notna()].groupby(["replicate", "stratum"])["office"].nunique()
    assert (a == 1).all() and len(a) == 40 * study.STRATA
    # Horvitz-Thompson: the weights add up to the population, on average
    total = per_rep["w"].sum().mean()
    assert total == pytest.approx(pop.exists.sum(), rel=0.05)
    # clients of an office are distinct
    assert not frame.duplicated(["replicate", "office", "client"]).any()


def test_truths_are_the_population_proportions(study) -> None:
    pop = study.make_population(7, 0.5)
    y = pop.satisfied[0.9]
    assert pop.truth(0.9, "all") == pytest.approx(y[pop.exists].mean())
    assert pop.member("psu_3")[3:].sum() == 0 and pop.member("psu_3")[:3].sum() > 0
    assert 0.8 < pop.truth(0.9, "all") < 0.95


def test_a_missing_interval_counts_as_a_miss(study) -> None:
    row = study._summary("x", ("d", "proportion", "beta", np.nan, 0.5, "all"),
                         np.array([[0.5, 0.4, 0.6, 5.0], [0.5, np.nan, np.nan, 0.0]]), 0.5)
    assert row["coverage"] == 0.5 and row["missing"] == 0.5
    # a ratio over a base year at 0 %: [L, inf) is an interval, not a missing one
    ratio = study._summary("x", ("d", "ratio", "beta", 0.5, 0.5, "psu_1"),
                           np.array([[np.inf, 1.5, np.inf, 0.0, 1.0, 1.0, 1.0],
                                     [1.0, 0.8, 1.3, 0.0, 0.0, 0.0, 1.0]]), np.array([2.0, 1.4]))
    assert ratio["coverage"] == 0.5 and ratio["missing"] == 0 and ratio["below"] == 0.5
    assert ratio["mean_width"] == pytest.approx(0.5)


def test_psu_level_domains_get_intervals_that_cover(study) -> None:
    """R's df is 0 for these domains (no interval in R); with the small-domain rule every
    sample has an interval, and they cover (300 samples: 0.95 - 4 Monte Carlo SE is 0.90)."""
    table = study.measure(300, 11, ["beta"], clustering=("moderate",),
                          statistics=("proportion",))
    psu = table[table["domain"].isin(["psu_all", "psu_3"])]
    assert (psu["missing"] == 0).all()
    assert (psu["coverage"] >= 0.90).all(), psu[["design", "p", "domain", "coverage"]]
    assert (table["coverage"] >= 0.90).all()
    frame = study.draw_samples(study.make_population(11, 0.5), 5, np.random.default_rng(2))
    r_df0 = SurveyDesign(frame, weights="w", strata="stratum", psu="office").proportion(
        "y0.5", by="psu_all")
    assert (r_df0["df"] == study.STRATA - 1).all()  # R: 0


def test_the_committed_table_says_how_it_was_made(study) -> None:
    first = PATH.with_name("coverage_results.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# python benchmarks/coverage.py") and "seed" in first
    table = pd.read_csv(PATH.with_name("coverage_results.csv"), comment="#")
    assert set(table["domain"]) == set(study.CHANGE_DOMAINS) and (table["samples"] == 2000).all()
    assert set(table["statistic"]) == set(study.STATISTICS)
    changes = table[table["statistic"] != "proportion"]
    assert len(changes) == 2 * 2 * 2 * len(study.CHANGES) * len(study.CHANGE_DOMAINS)


def test_the_office_domain_keeps_its_office_in_the_base_year(study) -> None:
    pop = study.make_population(3, 1.0)
    rng = np.random.default_rng(4)
    current = study.draw_samples(pop, 30, rng)
    panel = study.draw_samples(pop, 30, rng, offices=current.attrs["offices"])
    one = current[current["psu_1"].notna()]
    assert (one.groupby("replicate")["office"].nunique() == 1).all()  # one PSU a replicate
    assert (one.groupby("replicate").size() == 30).all()
    same = panel[panel["psu_1"].notna()]
    assert (one["office"].to_numpy() == same["office"].to_numpy()).all()
    assert not (one["y0.9"].to_numpy() == same["y0.9"].to_numpy()).all()  # fresh clients
    chunk = study._Chunk(pop, current, current, panel, 30)
    change, ratio = chunk.office_truth(0.9, 0.97)
    j = current.attrs["offices"][:, 0, 0]
    rate = [pop.satisfied[r][0, j, : pop.clients[0, j][0]] for r in (0.9, 0.97)]
    assert change[0] == pytest.approx(rate[1][0].mean() - rate[0][0].mean())
    assert ratio[0] == pytest.approx(rate[1][0].mean() / rate[0][0].mean())


def test_changes_cover_and_single_offices_fall_back_to_binomial(study) -> None:
    """A small study of the changes (200 samples: 0.95 - 4 Monte Carlo SE is 0.89)."""
    table = study.measure(200, 5, ["beta"], clustering=("moderate",),
                          statistics=("change", "ratio"))
    # missing only where a year's sample has no office of the domain at all (counted as a miss)
    assert (table.loc[table["domain"] != "psu_some", "missing"] == 0).all()
    assert (table["missing"] < 0.05).all()
    assert (table["coverage"] >= 0.89).all(), table.sort_values("coverage").head()
    office = table[table["domain"] == "psu_1"]
    assert (office["binomial_share"] == 1).all() and (office["df0_share"] == 1).all()
    # elsewhere only where a sample reaches one office of the domain (psu_some, now and then)
    many = ~table["domain"].isin(["psu_1", "psu_some"])
    assert (table.loc[many, "binomial_share"] == 0).all()
    assert (table.loc[table["domain"] == "psu_some", "binomial_share"] < 0.1).all()
    edge = table[(table["p_base"] == 0.97) & (table["p"] == 0.995) & (table["domain"] == "n20")]
    assert (edge["one_edge_share"] > 0.2).all()  # one year at 100 %: the ratio's edge case
