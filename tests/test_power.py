"""Power of a change: satisfaction.power (minimum detectable change, required sample size).

Independent checks: statsmodels (samplesize_proportions_2indep_onetail,
power_proportions_2indep) and the normal quantiles written out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import (
    power_proportions_2indep,
    samplesize_proportions_2indep_onetail,
)

from satisfaction import power as pw


def _estimates(counts: dict) -> pd.DataFrame:
    """An estimate table as a simple random sample would give it: se = sqrt(pq/n)."""
    x = np.array([c[0] for c in counts.values()], dtype=float)
    n = np.array([c[1] for c in counts.values()], dtype=float)
    p = x / n
    return pd.DataFrame({"estimate": p, "se": np.sqrt(p * (1 - p) / n), "n": n, "deff": 1.0},
                        index=list(counts))


@pytest.mark.parametrize("direction", ["decrease", "increase"])
@pytest.mark.parametrize("p", [0.9645, 0.8669, 0.5, 0.2])
def test_required_sample_size_matches_statsmodels(p, direction):
    mde = 0.03
    sign = -1 if direction == "decrease" else 1
    n = pw.required_sample_size(p, mde, deff=2.5, direction=direction, ratio=1.5)[0]
    expected = samplesize_proportions_2indep_onetail(
        sign * mde, p, 0.8, ratio=1.5, alpha=0.05, alternative="two-sided")
    assert n == pytest.approx(2.5 * expected, rel=1e-9)


def test_minimum_detectable_change_inverts_statsmodels_sample_size():
    p = np.array([0.9645, 0.8669, 0.95, 0.7])
    n = np.array([22250, 20000, 800, 150])
    deff = np.array([2.0, 1.0, 3.0, 1.5])
    mde = pw.minimum_detectable_change(p, n, deff, direction="decrease")
    for pi, ni, di, mi in zip(p, n, deff, mde, strict=True):
        need = samplesize_proportions_2indep_onetail(-mi, pi, 0.8, alpha=0.05)
        assert need == pytest.approx(ni / di, rel=1e-8)
        power = power_proportions_2indep(-mi, pi, ni / di, alpha=0.05, return_results=False)
        assert power == pytest.approx(0.8, abs=1e-3)  # statsmodels adds the far tail


def test_minimum_detectable_change_conservative_and_impossible():
    up = pw.minimum_detectable_change(0.9645, 22250, 2.0, direction="increase")[0]
    down = pw.minimum_detectable_change(0.9645, 22250, 2.0, direction="decrease")[0]
    cons = pw.minimum_detectable_change(0.9645, 22250, 2.0)[0]
    assert cons == down and down > up
    # ten respondents cannot detect any rise from 99 %
    assert np.isnan(pw.minimum_detectable_change(0.99, 10, direction="increase")[0])
    assert np.isnan(pw.required_sample_size(0.97, 0.05, direction="increase")[0])


def test_power_table_per_domain():
    est = _estimates({"central": (190, 200), "province": (930, 1000),
                      "district": (2830, 3000), "commune": (40, 50)})
    est["deff"] = [1.0, 2.0, np.nan, 1.2]
    t = pw.power_table(est, mde=0.05)
    assert t.loc["district", "deff"] == 1.0  # undefined deff treated as 1
    mde = pw.minimum_detectable_change(est["estimate"], est["n"], [1.0, 2.0, 1.0, 1.2])
    assert t["mde"].to_numpy() == pytest.approx(mde)
    assert t.loc["central", "mde_se"] == pytest.approx(
        (1.959963984540054 + 0.8416212335729143) * np.sqrt(2) * est.loc["central", "se"])
    expected = np.ceil(2.0 * samplesize_proportions_2indep_onetail(-0.05, 0.93, 0.8))
    assert t.loc["province", "n_needed"] == expected


def test_power_bad_input():
    with pytest.raises(ValueError, match="must be > 0"):
        pw.required_sample_size(0.9, 0.0)
    with pytest.raises(ValueError, match="direction"):
        pw.required_sample_size(0.9, 0.02, direction="sideways")
    with pytest.raises(ValueError, match="must be > 0"):
        pw.minimum_detectable_change(0.9, 0)
    with pytest.raises(ValueError, match="must be > 0"):
        pw.minimum_detectable_change(0.9, 100, deff=0.0)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        pw.required_sample_size(0.9, 0.02, alpha=0.0)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        pw.required_sample_size(0.9, 0.02, power=1.0)
    with pytest.raises(ValueError, match="direction"):
        pw.minimum_detectable_change(0.9, 100, direction="up")


def test_power_table_without_design_effects_is_a_simple_random_sample():
    est = _estimates({"all": (930, 1000)}).drop(columns="deff")
    t = pw.power_table(est)
    assert t.loc["all", "deff"] == 1.0 and t.loc["all", "n_eff"] == 1000
    assert "n_needed" not in t.columns
    need = samplesize_proportions_2indep_onetail(-t.loc["all", "mde"], 0.93, 0.8, alpha=0.05)
    assert need == pytest.approx(1000, rel=1e-8)
