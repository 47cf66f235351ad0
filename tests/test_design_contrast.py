"""Tests of SurveyDesign.contrasts / contrast: the difference of two domains of ONE design.

Independent sources: R's survey package 4.1.1 (``svycontrast`` of two domain ratios built from
``svytotal``, every lonely-PSU policy, with an FPC; script and numbers in
tests/r_survey_reference.py), a hand computation of the stratified PSU variance, and
statsmodels' cluster-robust WLS (one stratum).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from r_survey_reference import R_COEF, R_DIFF_SE, R_VCOV, R_VCOV_FPC, design_frame
from satisfaction.design import DesignSpec, SurveyDesign


def _design(d: pd.DataFrame, **spec: object) -> SurveyDesign:
    return DesignSpec(**{"weights": "w", "strata": "stratum", "psu": "psu", **spec}).build(d)


@pytest.mark.parametrize("policy", ["adjust", "certainty", "average", "remove"])
def test_domain_covariance_matches_r_survey(policy):
    d = design_frame()
    sd = _design(d, lonely_psu=policy)
    est, cov, n = sd.domain_covariance("y", {"a": d.g == "online", "b": d.g == "in_person"})
    np.testing.assert_allclose(est.to_numpy(), R_COEF, rtol=1e-12)
    vaa, vab, vbb = R_VCOV[policy]
    np.testing.assert_allclose(cov.to_numpy(), [[vaa, vab], [vab, vbb]], rtol=1e-10)
    diff = sd.contrast("y", d.g == "online", d.g == "in_person")
    assert diff["se"] == pytest.approx(R_DIFF_SE[policy], rel=1e-10)
    assert diff["difference"] == pytest.approx(R_COEF[0] - R_COEF[1], rel=1e-12)
    assert diff["ci_low"] == pytest.approx(diff["difference"] - 1.959963984540054 * diff["se"])
    assert n.tolist() == [int(((d.g == g) & d.y.notna()).sum()) for g in ("online", "in_person")]
    assert [diff["n_a"], diff["n_b"]] == n.tolist()


def test_domain_covariance_with_fpc_matches_r_survey():
    d = design_frame()
    masks = {"a": d.g == "online", "b": d.g == "in_person"}
    _, cov, _ = _design(d, fpc="fpc", lonely_psu="adjust").domain_covariance("y", masks)
    vaa, vab, vbb = R_VCOV_FPC
    np.testing.assert_allclose(cov.to_numpy(), [[vaa, vab], [vab, vbb]], rtol=1e-10)
    # the same fpc given as sampling fractions n_h / N_h
    npsu = d.groupby("stratum")["psu"].transform("nunique")
    d2 = d.assign(frac=npsu / d["fpc"])
    _, cov2, _ = _design(d2, fpc="frac", lonely_psu="adjust").domain_covariance("y", masks)
    np.testing.assert_allclose(cov2.to_numpy(), cov.to_numpy(), rtol=1e-12)
    diff = _design(d, fpc="fpc", lonely_psu="adjust").contrast("y", masks["a"], masks["b"])
    assert diff["se"] ** 2 == pytest.approx(vaa + vbb - 2 * vab, rel=1e-10)


def test_domain_variance_by_hand():
    d = design_frame()
    d = d[d.stratum != "D"].reset_index(drop=True)
    mask = (d.g == "online").to_numpy()
    _, cov, _ = _design(d, lonely_psu="fail").domain_covariance("y", {"a": mask})
    valid = mask & d.y.notna().to_numpy()
    w = d.w.to_numpy()
    y = d.y.fillna(0).to_numpy()
    mean = (w * y * valid).sum() / (w * valid).sum()
    z = w * valid * (y - mean) / (w * valid).sum()
    total = 0.0
    for _, rows in d.assign(z=z).groupby("stratum"):
        t = rows.groupby("psu")["z"].sum().to_numpy()
        total += len(t) / (len(t) - 1) * ((t - t.mean()) ** 2).sum()
    assert cov.iloc[0, 0] == pytest.approx(total, rel=1e-12)


def test_difference_matches_statsmodels_cluster_robust_wls():
    import statsmodels.api as sm

    d = design_frame()
    d = d[d.y.notna()].reset_index(drop=True)          # every PSU keeps rows
    sd = DesignSpec(weights="w", psu="psu").build(d)  # one stratum
    diff = sd.contrast("y", d.g == "online", d.g == "in_person")
    X = sm.add_constant((d.g == "online").astype(float).to_numpy())
    fit = sm.WLS(d.y.to_numpy(), X, weights=d.w.to_numpy()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d.psu)[0], "use_correction": False})
    G = d.psu.nunique()
    assert diff["difference"] == pytest.approx(fit.params[1], rel=1e-10)
    assert diff["se"] == pytest.approx(fit.bse[1] * np.sqrt(G / (G - 1)), rel=1e-8)


def test_contrasts_share_one_covariance_matrix_and_agree_with_contrast():
    d = design_frame()
    sd = _design(d, lonely_psu="adjust")
    masks = {"on": d.g == "online", "in": d.g == "in_person", "all": d.g.notna(),
             "A": d.stratum == "A"}
    pairs = [("on", "in"), ("on", "all"), ("A", "all"), ("in", "in")]
    table = sd.contrasts("y", masks, pairs, level=0.9)
    assert table.index.names == ["domain_a", "domain_b"] and table.index.tolist() == pairs
    _, cov, _ = sd.domain_covariance("y", masks)
    for (a, b), row in table.iterrows():
        one = sd.contrast("y", masks[a], masks[b], level=0.9)
        pd.testing.assert_series_equal(row.rename(None), one, rtol=1e-13)
        var = cov.loc[a, a] + cov.loc[b, b] - 2 * cov.loc[a, b]
        assert row["se"] == pytest.approx(np.sqrt(max(var, 0.0)), rel=1e-12, abs=1e-300)
        assert row["se_independent"] == pytest.approx(np.sqrt(cov.loc[a, a] + cov.loc[b, b]))
        assert row["covariance"] == cov.loc[a, b]
    on = table.loc[("on", "all")]
    assert on["p_value"] == pytest.approx(2 * stats.norm.sf(abs(on["difference"] / on["se"])))
    assert on["ci_high"] - on["difference"] == pytest.approx(stats.norm.ppf(0.95) * on["se"])
    same = table.loc[("in", "in")]                          # no variance: no test, no width
    assert same["difference"] == 0 and same["se"] == 0 and np.isnan(same["p_value"])


def test_contrast_bad_inputs():
    d = design_frame()
    sd = _design(d, lonely_psu="adjust")
    masks = {"a": d.g == "online", "b": d.g == "in_person"}
    with pytest.raises(ValueError, match="unknown domain"):
        sd.contrasts("y", masks, [("a", "c")])
    with pytest.raises(ValueError, match="no pairs"):
        sd.contrasts("y", masks, [])
    with pytest.raises(ValueError, match="level"):
        sd.contrast("y", masks["a"], masks["b"], level=1.5)
    with pytest.raises(ValueError, match="one value per row"):
        DesignSpec(weights="w").build(d).contrast("y", [True, False], masks["b"])


def test_lonely_psu_policies_and_design_errors():
    d = design_frame()
    with pytest.raises(ValueError, match="only one PSU"):
        _design(d, lonely_psu="fail")
    with pytest.raises(ValueError, match="lonely_psu"):
        DesignSpec(weights="w", lonely_psu="x")
    with pytest.raises(ValueError, match="not in the data"):
        DesignSpec(weights="nope").build(d)
    with pytest.raises(ValueError, match="not positive"):
        DesignSpec(weights="w").build(d.assign(w=0.0))
    with pytest.raises(ValueError, match="one value per row"):
        DesignSpec(weights="w").build(d).domain_covariance("y", {"a": [True, False]})
    with pytest.raises(ValueError, match="varies within"):
        _design(d.assign(fpc=np.arange(60) + 20), fpc="fpc", lonely_psu="adjust")
    with pytest.raises(ValueError, match="missing value"):
        DesignSpec(weights="w", psu="psu").build(d.assign(psu=None))
