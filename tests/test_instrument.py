"""Tests of satisfaction.instrument (the questionnaire review) and its figures.

Independent sources:
* Cronbach's alpha: pingouin (unweighted), a published worked example (thinkdeeply.cc
  "Survey reliability": 10 respondents x 4 Likert items, covariance matrix and alpha = 0.674
  printed, checked there with R), R psych values quoted in pingouin's documentation for its
  real-statistics.com datasets, Hoyt's ANOVA identity computed with statsmodels, and rows
  repeated for integer weights.
* Domain differences and the alpha jackknife: R's survey package (4.1.1), script R_SCRIPT
  below run on the frame of ``design_frame()`` written to CSV; numbers pasted here. Also a
  hand computation and statsmodels' cluster-robust WLS (one stratum).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from satisfaction import instrument as ins
from satisfaction.instrument import InstrumentError, InstrumentSettings

ITEMS = ["a1", "a2", "a3", "p1", "p2", "p3", "p4", "o1", "o2", "o3", "o4",
         "r1", "r2", "r3", "f1", "f2", "f3"]
COMPONENTS = {"access": ["a1", "a2", "a3"], "procedures": ["p1", "p2", "p3", "p4"],
              "officers": ["o1", "o2", "o3", "o4"], "results": ["r1", "r2", "r3"],
              "feedback": ["f1", "f2", "f3"]}
DESIGN = {"weights": "weight", "strata": "stratum", "psu": "office_code", "fpc": None,
          "lonely_psu": "adjust"}


# ---------------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------------
def design_frame() -> pd.DataFrame:
    """60 rows, 12 PSUs in 5 strata (stratum D has one PSU), built from formulas (no RNG)."""
    i = np.arange(60)
    psu = i // 5
    stratum = np.select([psu <= 2, psu <= 4, psu <= 8, psu == 9], ["A", "B", "C", "D"], "E")
    w = 1 + (i * 7 % 11) / 4
    y = (((i * 3 + psu) % 4) != 0).astype(float)
    y[i % 13 == 6] = np.nan
    g = np.where((i * 5 % 7) < 3, "online", "in_person")
    x1 = 1 + (i * 3 + psu) % 5
    x2 = 1 + (i * 3 + psu + (i % 3)) % 5
    x3 = (1 + (i * 3 + 2 * psu + (i % 2)) % 5).astype(float)
    x3[i % 17 == 4] = np.nan
    x4 = np.clip(x1 + (i % 3) - 1, 1, 5)
    fpc = np.select([stratum == "A", stratum == "B", stratum == "C", stratum == "D"],
                    [10, 5, 8, 3], 6)
    return pd.DataFrame({"stratum": stratum, "psu": psu.astype(str), "w": w, "y": y, "g": g,
                         "x1": x1, "x2": x2, "x3": x3, "x4": x4, "fpc": fpc})


R_SCRIPT = r"""
# Rscript ref.R  (R 4.x, survey 4.1.1), frame.csv = design_frame().to_csv(index=False, na_rep="NA")
suppressMessages(library(survey))
d <- read.csv("frame.csv", stringsAsFactors = FALSE); d$psu <- as.character(d$psu)
d$va <- as.numeric(d$g == "online" & !is.na(d$y))
d$vb <- as.numeric(d$g == "in_person" & !is.na(d$y))
y0 <- ifelse(is.na(d$y), 0, d$y); d$ya <- y0 * d$va; d$yb <- y0 * d$vb
domain_means <- function(des) {          # ratio means by linearisation of the totals
  tot <- svytotal(~ya + va + yb + vb, des)
  m <- svycontrast(tot, list(a = quote(ya/va), b = quote(yb/vb)))
  list(tot = tot, coef = coef(m), vcov = vcov(m))
}
for (policy in c("adjust", "certainty", "average", "remove")) {
  options(survey.lonely.psu = policy)
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
  b <- domain_means(des); print(b$coef, digits = 15); print(as.vector(b$vcov), digits = 15)
  ct <- svycontrast(b$tot, quote(ya/va - yb/vb)); print(c(coef(ct), SE(ct)), digits = 15)
}
options(survey.lonely.psu = "adjust")
desf <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~fpc, data = d, nest = TRUE)
print(as.vector(domain_means(desf)$vcov), digits = 15)
d2 <- d[d$stratum != "D", ]
des2 <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d2, nest = TRUE)
walpha <- function(w, data) {
  X <- as.matrix(data[, c("x1", "x2", "x3", "x4")]); ok <- complete.cases(X)
  X <- X[ok, ]; w <- w[ok]
  C <- cov.wt(X, wt = w / sum(w), method = "ML")$cov; k <- ncol(X)
  k / (k - 1) * (1 - sum(diag(C)) / sum(C))
}
r <- withReplicates(as.svrepdesign(des2, type = "JKn", mse = TRUE), walpha)
print(c(coef(r), SE(r)), digits = 15); print(degf(des2))
"""
R_COEF = (0.61214953271028, 0.590579710144927)
R_VCOV = {  # as.vector(vcov): (a,a), (b,a), (a,b), (b,b)
    "adjust": (0.0115172336833199, -0.00593009077797364, 0.00552187857662868),
    "certainty": (0.0115163105801133, -0.00596002063924769, 0.0045514598959215),
    "average": (0.0143953882251417, -0.00745002579905961, 0.00568932486990187),
    "remove": (0.0115163105801133, -0.00596002063924769, 0.0045514598959215),
}
R_DIFF_SE = {"adjust": 0.169997922975241, "certainty": 0.167295581993459,
             "average": 0.187042146836382, "remove": 0.167295581993459}
R_VCOV_FPC = (0.00715810878727042, -0.00368575535154588, 0.00351166911651646)
R_JK_ALPHA = (0.478657146913553, 0.0805876526609079)
R_JK_DF = 7


def survey_frame(n: int = 1600, seed: int = 7, year: int = 2020, durations: bool = True
                 ) -> pd.DataFrame:
    """A small processed respondent table of the documented schema.

    Built so that the review has something to find: a2 is near-constant (almost always 5),
    p3 does not follow the others, 3 % of forms are straight-lined, 2 % very fast.
    """
    rng = np.random.default_rng(seed)
    psus = 40
    office = rng.integers(0, psus, n)
    levels = np.array(["central", "province", "district", "commune"])
    level = levels[office % 4]
    stratum = np.char.add(np.char.add(level, "|R"), (office % 3 + 1).astype(str))
    weight = rng.uniform(0.5, 3.0, n) * (1 + office % 5)
    channel = np.where(rng.uniform(size=n) < 0.25, "online", "in_person")
    rtype = np.where(rng.uniform(size=n) < 0.12, "organisation", "citizen")
    latent = (rng.normal(size=n) + rng.normal(0, 0.4, psus)[office]
              - 0.35 * (channel == "online"))
    cuts = np.array([-2.6, -2.0, -1.2, 0.1])
    df = pd.DataFrame({
        "respondent_key": [f"k{year}_{i:05d}" for i in range(n)],
        "year": year, "respondent_type": rtype, "level": level,
        "province": "Hà Nội", "region": "R2",
        "office_code": np.char.add("OF", office.astype(str)),
        "office": "Công an", "field": "residence", "channel": channel, "stratum": stratum,
        "weight": weight,
    })
    for item in ITEMS:
        if item == "p3":
            z = rng.normal(size=n) + 0.4
        else:
            z = 0.8 * latent + 0.6 * rng.normal(size=n)
        codes = 1 + np.searchsorted(cuts, z, side="right")
        if item == "a2":
            codes = np.where(rng.uniform(size=n) < 0.95, 5, codes)
        codes = codes.astype(float)
        codes[rng.uniform(size=n) < (0.06 if item.startswith("f") else 0.01)] = np.nan
        df[item] = codes
    straight = rng.uniform(size=n) < 0.03
    value = np.where(rng.uniform(size=straight.sum()) < 0.8, 5.0, 3.0)
    df.loc[straight, ITEMS] = np.repeat(value[:, None], len(ITEMS), axis=1)
    q = (1 + np.searchsorted(cuts, latent + 0.3 * rng.normal(size=n), side="right")).astype(float)
    q[rng.uniform(size=n) < 0.01] = np.nan
    df["q_overall"] = q
    for col in [*ITEMS, "q_overall"]:
        df[col] = pd.array(df[col].to_numpy(), dtype="Float64").astype("Int8")
    df["satisfied"] = np.where(np.isnan(q), np.nan, (q >= 4).astype(float))
    df["interview_date"] = pd.Timestamp(f"{year}-10-01")
    if durations:
        dur = rng.lognormal(np.log(400), 0.3, size=n)
        fast = rng.uniform(size=n) < 0.02
        dur[fast] = rng.uniform(8, 30, size=fast.sum())
        df["duration_sec"] = dur
    else:
        df["duration_sec"] = np.nan
    return df


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return survey_frame()


@pytest.fixture(scope="module")
def two_years() -> pd.DataFrame:
    return pd.concat([survey_frame(1200, seed=3, year=2019, durations=False),
                      survey_frame(1600, seed=7, year=2020)], ignore_index=True)


def _has_design() -> bool:
    try:
        from satisfaction.design import SurveyDesign  # noqa: F401
    except ImportError:
        return False
    return True


needs_design = pytest.mark.skipif(not _has_design(), reason="satisfaction.design not there yet")


# ---------------------------------------------------------------------------------------------
# Cronbach's alpha
# ---------------------------------------------------------------------------------------------
PUBLISHED = pd.DataFrame(  # thinkdeeply.cc, "Survey reliability": alpha 0.674
    [[3, 3, 3, 3], [3, 3, 4, 3], [3, 3, 3, 1], [5, 4, 4, 5], [2, 1, 4, 4],
     [4, 4, 4, 5], [3, 2, 3, 3], [3, 4, 3, 3], [4, 2, 2, 3], [3, 3, 2, 3]],
    columns=["X1", "X2", "X3", "X4"])
PUBLISHED_COV = np.array([[0.6778, 0.478, 0.0444, 0.456], [0.4778, 0.989, 0.1333, 0.256],
                          [0.0444, 0.133, 0.6222, 0.489], [0.4556, 0.256, 0.4889, 1.344]])


def test_alpha_matches_published_worked_example():
    assert round(ins.cronbach_alpha(PUBLISHED), 3) == 0.674
    # the published covariances (sample form) are reproduced by our weighted form x n/(n-1)
    C = ins._weighted_cov(PUBLISHED.to_numpy(float), np.ones(10)) * 10 / 9
    np.testing.assert_allclose(C, PUBLISHED_COV, atol=6e-4)


def test_alpha_matches_r_psych_values_quoted_by_pingouin():
    pg = pytest.importorskip("pingouin")
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    assert ins.cronbach_alpha(wide) == pytest.approx(0.5917188485995826, abs=1e-12)
    # Feldt interval quoted there: [0.195, 0.84]
    low, high = ins.feldt_interval(ins.cronbach_alpha(wide), len(wide), wide.shape[1])
    assert (round(low, 3), round(high, 3)) == (0.195, 0.84)
    missing = pg.read_dataset("cronbach_wide_missing")  # psych::alpha(use="complete.obs")
    assert ins.cronbach_alpha(missing) == pytest.approx(0.8016949152542373, abs=1e-12)


def test_unweighted_alpha_equals_pingouin_on_random_likert(survey):
    pg = pytest.importorskip("pingouin")
    for items in COMPONENTS.values():
        data = survey[items].astype("float64")
        expected = pg.cronbach_alpha(data, nan_policy="listwise")[0]
        assert ins.cronbach_alpha(survey[items]) == pytest.approx(expected, abs=1e-12)
    complete = survey[COMPONENTS["officers"]].dropna().astype("float64")
    _, ci = pg.cronbach_alpha(complete)
    low, high = ins.feldt_interval(ins.cronbach_alpha(complete), len(complete), 4)
    assert abs(low - ci[0]) <= 5e-4 and abs(high - ci[1]) <= 5e-4


def test_alpha_equals_hoyt_anova_from_statsmodels():
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    long = PUBLISHED.rename_axis("subj").reset_index().melt(id_vars="subj", var_name="item",
                                                             value_name="score")
    table = anova_lm(smf.ols("score ~ C(subj) + C(item)", data=long).fit())
    ms = table["sum_sq"] / table["df"]
    hoyt = 1 - ms["Residual"] / ms["C(subj)"]
    assert ins.cronbach_alpha(PUBLISHED) == pytest.approx(hoyt, abs=1e-12)


def test_integer_weights_equal_repeated_rows(survey):
    part = survey.head(300)
    w = (np.arange(300) % 4) + 1
    rep = part.loc[part.index.repeat(w)]
    items = COMPONENTS["procedures"]
    assert ins.cronbach_alpha(part[items], w) == pytest.approx(ins.cronbach_alpha(rep[items]),
                                                               abs=1e-12)
    pd.testing.assert_frame_equal(ins.item_rest_statistics(part[items], w),
                                  ins.item_rest_statistics(rep[items]), atol=1e-12)
    x = part[items].astype("float64").mean(axis=1)
    y = part["q_overall"].astype("float64")
    rep_x = np.repeat(x.to_numpy(), w)
    rep_y = np.repeat(y.to_numpy(), w)
    ok = ~(np.isnan(rep_x) | np.isnan(rep_y))
    expected = stats.spearmanr(rep_x[ok], rep_y[ok]).statistic
    assert ins.weighted_spearman(x, y, w) == pytest.approx(expected, abs=1e-12)


def test_weights_change_alpha_when_they_follow_the_answers():
    x = np.array([[5, 5, 5], [4, 5, 4], [1, 2, 1], [2, 1, 2], [3, 4, 2], [5, 1, 3]], dtype=float)
    w = np.array([1, 1, 1, 1, 1, 20.0])
    assert ins.cronbach_alpha(x, w) < ins.cronbach_alpha(x) - 0.2


def test_item_rest_and_alpha_if_deleted_against_direct_computation():
    pg = pytest.importorskip("pingouin")
    stats_ = ins.item_rest_statistics(PUBLISHED)
    for item in PUBLISHED.columns:
        rest = PUBLISHED.drop(columns=item).sum(axis=1)
        assert stats_.loc[item, "item_rest_r"] == pytest.approx(
            np.corrcoef(PUBLISHED[item], rest)[0, 1], abs=1e-12)
        assert stats_.loc[item, "alpha_if_deleted"] == pytest.approx(
            pg.cronbach_alpha(PUBLISHED.drop(columns=item))[0], abs=1e-12)


def test_weighted_spearman_equals_scipy_with_equal_weights(survey):
    x, y = survey["o1"], survey["q_overall"]
    ok = x.notna() & y.notna()
    expected = stats.spearmanr(x[ok].astype(float), y[ok].astype(float)).statistic
    assert ins.weighted_spearman(x, y) == pytest.approx(expected, abs=1e-12)


def test_feldt_and_alpha_bad_inputs():
    with pytest.raises(InstrumentError, match="two items"):
        ins.cronbach_alpha([[1], [2]])
    with pytest.raises(InstrumentError, match="n >= 2"):
        ins.feldt_interval(0.5, 1, 4)
    with pytest.raises(InstrumentError, match="level"):
        ins.feldt_interval(0.5, 10, 4, level=95)
    with pytest.raises(InstrumentError, match="weights"):
        ins.cronbach_alpha(PUBLISHED, np.zeros(10))
    assert np.isnan(ins.cronbach_alpha([[1, 2], [np.nan, 3]]))


# ---------------------------------------------------------------------------------------------
# Design-based pieces against R's survey package
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", ["adjust", "certainty", "average", "remove"])
def test_domain_covariance_matches_r_survey(policy):
    d = design_frame()
    spec = {"weights": "w", "strata": "stratum", "psu": "psu", "lonely_psu": policy}
    est, cov, n = ins.domain_contrasts(d, "y", {"a": d.g == "online", "b": d.g == "in_person"},
                                       spec)
    np.testing.assert_allclose(est.to_numpy(), R_COEF, rtol=1e-12)
    vaa, vab, vbb = R_VCOV[policy]
    np.testing.assert_allclose(cov.to_numpy(), [[vaa, vab], [vab, vbb]], rtol=1e-10)
    diff = ins.domain_difference(d, "y", d.g == "online", d.g == "in_person", spec)
    assert diff["se"] == pytest.approx(R_DIFF_SE[policy], rel=1e-10)
    assert diff["difference"] == pytest.approx(R_COEF[0] - R_COEF[1], rel=1e-12)
    assert diff["ci_low"] == pytest.approx(diff["difference"] - 1.959963984540054 * diff["se"])
    assert n.tolist() == [int(((d.g == g) & d.y.notna()).sum()) for g in ("online", "in_person")]


def test_domain_covariance_with_fpc_matches_r_survey():
    d = design_frame()
    spec = {"weights": "w", "strata": "stratum", "psu": "psu", "fpc": "fpc",
            "lonely_psu": "adjust"}
    _, cov, _ = ins.domain_contrasts(d, "y", {"a": d.g == "online", "b": d.g == "in_person"},
                                     spec)
    vaa, vab, vbb = R_VCOV_FPC
    np.testing.assert_allclose(cov.to_numpy(), [[vaa, vab], [vab, vbb]], rtol=1e-10)
    # the same fpc given as sampling fractions n_h / N_h
    npsu = d.groupby("stratum")["psu"].transform("nunique")
    d2 = d.assign(frac=npsu / d["fpc"])
    _, cov2, _ = ins.domain_contrasts(d2, "y", {"a": d.g == "online", "b": d.g == "in_person"},
                                      {**spec, "fpc": "frac"})
    np.testing.assert_allclose(cov2.to_numpy(), cov.to_numpy(), rtol=1e-12)


def test_domain_variance_by_hand():
    d = design_frame()
    d = d[d.stratum != "D"].reset_index(drop=True)
    spec = {"weights": "w", "strata": "stratum", "psu": "psu", "lonely_psu": "fail"}
    mask = (d.g == "online").to_numpy()
    _, cov, _ = ins.domain_contrasts(d, "y", {"a": mask}, spec)
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
    spec = {"weights": "w", "psu": "psu"}               # one stratum
    diff = ins.domain_difference(d, "y", d.g == "online", d.g == "in_person", spec)
    X = sm.add_constant((d.g == "online").astype(float).to_numpy())
    fit = sm.WLS(d.y.to_numpy(), X, weights=d.w.to_numpy()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d.psu)[0], "use_correction": False})
    G = d.psu.nunique()
    assert diff["difference"] == pytest.approx(fit.params[1], rel=1e-10)
    assert diff["se"] == pytest.approx(fit.bse[1] * np.sqrt(G / (G - 1)), rel=1e-8)


def test_alpha_jackknife_matches_r_survey_replicates():
    d = design_frame()
    d = d[d.stratum != "D"].reset_index(drop=True)
    jk = ins.alpha_jackknife(d, ["x1", "x2", "x3", "x4"],
                             {"weights": "w", "strata": "stratum", "psu": "psu"})
    assert jk["alpha"] == pytest.approx(R_JK_ALPHA[0], rel=1e-10)
    assert jk["se"] == pytest.approx(R_JK_ALPHA[1], rel=1e-9)
    assert jk["df"] == R_JK_DF
    t = stats.t.ppf(0.975, R_JK_DF)
    assert jk["ci_low"] == pytest.approx(1 - (1 - jk["alpha"]) * np.exp(t * jk["se"] /
                                                                        (1 - jk["alpha"])))
    assert jk["ci_low"] < jk["alpha"] < jk["ci_high"] < 1


def test_alpha_jackknife_by_explicit_replicates():
    """Each replicate recomputed from scratch: drop one PSU, reweight its stratum."""
    d = design_frame()
    d = d[d.stratum != "D"].reset_index(drop=True)
    items = ["x1", "x2", "x3", "x4"]
    jk = ins.alpha_jackknife(d, items, {"weights": "w", "strata": "stratum", "psu": "psu"})
    full = ins.cronbach_alpha(d[items], d.w)
    var = 0.0
    for h, rows in d.groupby("stratum"):
        psus = rows.psu.unique()
        nh = len(psus)
        for j in psus:
            w = d.w.to_numpy().copy()
            in_h = (d.stratum == h).to_numpy()
            w[in_h] *= nh / (nh - 1)
            w[(d.psu == j).to_numpy()] = 1e-300
            var += (nh - 1) / nh * (ins.cronbach_alpha(d[items], w) - full) ** 2
    assert jk["se"] == pytest.approx(np.sqrt(var), rel=1e-8)


def test_lonely_psu_policies_and_design_errors():
    d = design_frame()
    with pytest.raises(InstrumentError, match="only one PSU"):
        ins.domain_contrasts(d, "y", {"a": d.g == "online"},
                             {"weights": "w", "strata": "stratum", "psu": "psu",
                              "lonely_psu": "fail"})
    with pytest.raises(InstrumentError, match="only one PSU"):
        ins.alpha_jackknife(d, ["x1", "x2"], {"weights": "w", "strata": "stratum", "psu": "psu"})
    ok = ins.alpha_jackknife(d, ["x1", "x2"], {"weights": "w", "strata": "stratum", "psu": "psu",
                                               "lonely_psu": "certainty"})
    assert ok["replicates"] == 11
    with pytest.raises(InstrumentError, match="lonely_psu"):
        ins.domain_contrasts(d, "y", {"a": d.g == "online"}, {"weights": "w", "lonely_psu": "x"})
    with pytest.raises(InstrumentError, match="weights"):
        ins.domain_contrasts(d, "y", {"a": d.g == "online"}, {"strata": "stratum"})
    with pytest.raises(InstrumentError, match="lacks column"):
        ins.domain_contrasts(d, "y", {"a": d.g == "online"}, {"weights": "nope"})
    with pytest.raises(InstrumentError, match="> 0"):
        ins.domain_contrasts(d.assign(w=0.0), "y", {"a": d.g == "online"}, {"weights": "w"})
    with pytest.raises(InstrumentError, match="one value per row"):
        ins.domain_contrasts(d, "y", {"a": [True, False]}, {"weights": "w"})
    with pytest.raises(InstrumentError, match="varies within"):
        ins.domain_contrasts(d.assign(fpc=np.arange(60) + 20), "y", {"a": d.g == "online"},
                             {"weights": "w", "strata": "stratum", "psu": "psu", "fpc": "fpc",
                              "lonely_psu": "adjust"})
    with pytest.raises(InstrumentError, match="missing values"):
        ins.domain_contrasts(d.assign(psu=None), "y", {"a": d.g == "online"},
                             {"weights": "w", "psu": "psu"})


# ---------------------------------------------------------------------------------------------
# Item behaviour
# ---------------------------------------------------------------------------------------------
def test_item_distribution_against_value_counts(two_years):
    dist = ins.item_distribution(two_years, ["a1", "f2", "q_overall"])
    assert set(dist["year"]) == {2019, 2020}
    for (year, item), rows in dist.groupby(["year", "item"]):
        part = two_years[two_years.year == year]
        counts = part[item].astype("Int64").astype(str).replace("<NA>", "missing").value_counts()
        got = rows.set_index(rows["answer"].astype(str))["n"]
        assert got.sum() == len(part)
        for answer, n in counts.items():
            assert got[answer] == n
        wsum = part.groupby(part[item].astype("Int64").astype(str).replace("<NA>", "missing"))[
            "weight"].sum() / part["weight"].sum()
        np.testing.assert_allclose(
            rows.set_index(rows["answer"].astype(str))["weighted_share"].reindex(wsum.index),
            wsum, rtol=1e-12)
        assert rows["weighted_share_valid"].sum() == pytest.approx(1.0)


def test_near_constant_flags_the_item_built_to_be(survey):
    near = ins.near_constant_items(ins.item_distribution(survey, ITEMS, by=None))
    assert near.loc[near.near_constant, "item"].tolist() == ["a2"]
    row = near.set_index("item").loc["a1"]
    valid = survey["a1"].notna()
    x = survey.loc[valid, "a1"].astype(float)
    w = survey.loc[valid, "weight"]
    assert row["mean"] == pytest.approx(np.average(x, weights=w))
    assert row["sd"] == pytest.approx(np.sqrt(np.average((x - np.average(x, weights=w)) ** 2,
                                                         weights=w)))
    with pytest.raises(InstrumentError, match="threshold"):
        ins.near_constant_items(ins.item_distribution(survey, ["a1"], by=None), 1.5)


def test_item_nonresponse_with_and_without_the_cleaning_counts(two_years, tmp_path):
    plain = ins.item_nonresponse(two_years, ["a1", "f1"])
    assert plain["dont_know"].isna().all()
    part = two_years[two_years.year == 2020]
    assert plain.query("year == 2020 and item == 'f1'")["n_missing"].item() == part.f1.isna().sum()
    table = pd.DataFrame({"year": [2020, 2020], "item": ["a1", "f1"], "dont_know": [5, 40],
                          "refused": [1, 2], "blank": [3, 9], "out_of_range": [0, 1],
                          "n": [1700, 1700]})
    out = ins.item_nonresponse(two_years[two_years.year == 2020], ["a1", "f1"], table)
    f1 = out.set_index("item").loc["f1"]
    assert f1["dont_know_share"] == pytest.approx(40 / 1700)
    assert f1["unusable_share"] == pytest.approx(52 / 1700)
    # the file the cleaning step writes
    folder = tmp_path / "2020"
    folder.mkdir()
    table.drop(columns="year").to_csv(folder / "item_missing.csv", index=False)
    read = ins.read_item_missing(2020, root=tmp_path)
    assert read["dont_know"].tolist() == [5, 40]
    assert ins.read_item_missing(2021, root=tmp_path) is None


def test_item_nonresponse_reads_the_cleaning_steps_format(two_years):
    """The cleaning step also counts unreadable answers and writes extra columns."""
    table = pd.DataFrame({"item": ["a1"], "dont_know": [7], "refused": [5], "blank": [7],
                          "out_of_range": [11], "unreadable": [2], "word": [17],
                          "valid": [1568], "n": [1600]})
    out = ins.item_nonresponse(two_years[two_years.year == 2020], ["a1"], table).iloc[0]
    assert out["unreadable_share"] == pytest.approx(2 / 1600)
    assert out["unusable_share"] == pytest.approx(32 / 1600)


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns="blank"), "lacks column"),
    (lambda t: t.assign(refused=[-1, 0]), "whole counts"),
    (lambda t: t.assign(dont_know=[2000, 0]), "more unusable answers"),
    (lambda t: pd.concat([t, t]), "duplicated"),
])
def test_item_missing_table_errors(change, message):
    table = pd.DataFrame({"item": ["a1", "f1"], "dont_know": [5, 40], "refused": [1, 2],
                          "blank": [3, 9], "out_of_range": [0, 1], "n": [100, 100]})
    with pytest.raises(InstrumentError, match=message):
        ins.check_item_missing(change(table))


def test_item_missing_without_year_refuses_several_years(two_years):
    table = pd.DataFrame({"item": ["a1"], "dont_know": [5], "refused": [1], "blank": [3],
                          "out_of_range": [0], "n": [100]})
    with pytest.raises(InstrumentError, match="several years"):
        ins.item_nonresponse(two_years, ["a1"], table)


def test_likert_values_must_be_clean(survey):
    bad = survey.head(20).copy()
    bad["a1"] = bad["a1"].astype("Int64")
    bad.loc[bad.index[0], "a1"] = 8
    with pytest.raises(InstrumentError, match="outside 1..5"):
        ins.item_distribution(bad, ["a1"], by=None)
    with pytest.raises(InstrumentError, match="lacks column"):
        ins.item_distribution(survey, ["zz"], by=None)
    with pytest.raises(InstrumentError, match="no items"):
        ins.item_distribution(survey, [], by=None)
    with pytest.raises(InstrumentError, match="lacks column"):
        ins.item_distribution(survey.drop(columns="year"), ["a1"])


@needs_design
def test_ceiling_effects_are_weighted_top_shares(survey):
    table = ins.ceiling_effects(survey, ["a1", "q_overall"], DESIGN, {"access": COMPONENTS[
        "access"]}, by=None)
    a1 = table[(table.scale == "item") & (table.name == "a1")].iloc[0]
    valid = survey.a1.notna()
    w = survey.weight[valid]
    assert a1["estimate"] == pytest.approx(np.average(survey.a1[valid] == 5, weights=w))
    assert a1["satisfied_share"] == pytest.approx(np.average(survey.a1[valid] >= 4, weights=w))
    assert a1["n"] == valid.sum()
    assert a1["ci_low"] < a1["estimate"] < a1["ci_high"]
    comp = table[table.scale == "component"].iloc[0]
    x = survey[COMPONENTS["access"]].astype(float)
    complete = x.notna().all(axis=1)
    top = (x[complete] == 5).all(axis=1)
    assert comp["estimate"] == pytest.approx(np.average(top, weights=survey.weight[complete]))
    assert comp["n"] == complete.sum()


@needs_design
def test_ceiling_variance_agrees_with_our_linearisation(survey):
    """SurveyDesign's SE (golden-tested against R) equals our domain linearisation."""
    table = ins.ceiling_effects(survey, ["o1"], DESIGN, by=None)
    top = np.where(survey.o1.isna(), np.nan, (survey.o1 == 5).astype(float))
    _, cov, _ = ins.domain_contrasts(survey.assign(top=top), "top",
                                     {"all": np.ones(len(survey), bool)}, DESIGN)
    assert table["se"].iloc[0] == pytest.approx(np.sqrt(cov.iloc[0, 0]), rel=1e-8)


# ---------------------------------------------------------------------------------------------
# Reliability tables
# ---------------------------------------------------------------------------------------------
def test_reliability_table_per_year_and_component(two_years):
    pg = pytest.importorskip("pingouin")
    rel = ins.reliability(two_years, COMPONENTS, DESIGN)
    assert len(rel) == 10 and set(rel.year) == {2019, 2020}
    row = rel.query("year == 2020 and component == 'officers'").iloc[0]
    part = two_years[two_years.year == 2020]
    assert row["alpha_unweighted"] == pytest.approx(
        pg.cronbach_alpha(part[COMPONENTS["officers"]].astype(float), nan_policy="listwise")[0])
    assert row["alpha"] == pytest.approx(ins.cronbach_alpha(part[COMPONENTS["officers"]],
                                                            part.weight))
    assert row["ci_low"] < row["alpha"] < row["ci_high"]
    assert row["feldt_low"] < row["alpha_unweighted"] < row["feldt_high"]
    assert row["df"] == part.office_code.nunique() - part.stratum.nunique()


def test_item_statistics_finds_the_item_that_does_not_fit(survey):
    items = ins.item_statistics(survey, COMPONENTS, by=None)
    p3 = items.set_index("item").loc["p3"]
    assert p3["item_rest_r"] < 0.3
    assert p3["alpha_gain"] > 0
    assert items.set_index("item").loc["a2", "item_rest_r"] < 0.3   # near-constant: no variance
    others = items[~items.item.isin(["p3", "a2"])]
    assert (others.item_rest_r > 0.3).all()


def test_overall_agreement_rows(survey):
    agree = ins.overall_agreement(survey, COMPONENTS, by=None)
    assert agree.score.tolist() == [*COMPONENTS, "all components"]
    row = agree.set_index("score").loc["officers"]
    x = survey[COMPONENTS["officers"]].astype(float)
    score = x.mean(axis=1, skipna=False)
    ok = score.notna() & survey.q_overall.notna()
    assert row["n"] == ok.sum()
    assert row["rho_unweighted"] == pytest.approx(
        stats.spearmanr(score[ok], survey.q_overall[ok].astype(float)).statistic)
    assert 0.3 < row["rho"] < 1


# ---------------------------------------------------------------------------------------------
# Response quality
# ---------------------------------------------------------------------------------------------
def test_response_flags_against_direct_rules(survey):
    flags = ins.response_flags(survey, ITEMS)
    x = survey[ITEMS].astype(float)
    expected_straight = x.notna().all(axis=1) & (x.nunique(axis=1) == 1)
    assert (flags.straightlined == expected_straight).all()
    assert flags.attrs["min_duration_sec"] == 36.0
    assert (flags.fast == (survey.duration_sec < 36)).all()
    expected_incomplete = x.isna().any(axis=1) | survey.q_overall.isna()
    assert (flags.incomplete == expected_incomplete).all()
    assert (flags.flagged == (flags.straightlined | flags.fast | flags.incomplete)).all()
    assert (flags.loc[flags.straightlined, "straightline_value"].isin([3, 5])).all()
    custom = ins.response_flags(survey, ITEMS, min_duration_sec=500)
    assert custom.fast.sum() == (survey.duration_sec < 500).sum()


def test_response_flags_without_durations():
    df = survey_frame(200, durations=False).drop(columns="duration_sec")
    flags = ins.response_flags(df, ITEMS, duration=None)
    assert not flags.fast.any() and not flags.duration_known.any()
    with pytest.raises(InstrumentError, match="negative"):
        ins.response_flags(survey_frame(50).assign(duration_sec=-1.0), ITEMS)


def test_quality_summary_counts(two_years):
    flags = ins.response_flags(two_years, ITEMS)
    summary = ins.quality_summary(two_years, flags)
    s20 = summary.query("year == 2020").set_index("flag")
    part = flags[two_years.year == 2020]
    w = two_years.weight[two_years.year == 2020]
    assert s20.loc["straightlined", "n_flagged"] == part.straightlined.sum()
    assert s20.loc["fast", "weighted_share"] == pytest.approx(w[part.fast].sum() / w.sum())
    assert summary.query("year == 2019").set_index("flag").loc["fast", "n_checkable"] == 0
    with pytest.raises(InstrumentError, match="indexed like"):
        ins.quality_summary(two_years, flags.reset_index(drop=True).iloc[:10])


@needs_design
def test_quality_sensitivity_rows_are_domains(survey):
    flags = ins.response_flags(survey, ITEMS)
    sens = ins.quality_sensitivity(survey, flags, DESIGN, by=None).set_index("scenario")
    valid = survey.satisfied.notna()
    assert sens.loc["all forms", "estimate"] == pytest.approx(
        np.average(survey.satisfied[valid], weights=survey.weight[valid]))
    keep = valid & ~flags.straightlined
    without = np.average(survey.satisfied[keep], weights=survey.weight[keep])
    assert sens.loc["without straight-lined", "estimate"] == pytest.approx(without)
    assert sens.loc["without straight-lined", "change"] == pytest.approx(
        without - sens.loc["all forms", "estimate"])
    assert sens.loc["without straight-lined", "forms_left_out"] == flags.straightlined.sum()
    row = sens.loc["without any flagged"]
    assert row["change_low"] <= row["change"] <= row["change_high"]
    nodur = survey.assign(duration_sec=np.nan)
    s2 = ins.quality_sensitivity(nodur, ins.response_flags(nodur, ITEMS), DESIGN, by=None)
    assert not s2.set_index("scenario").loc["without very fast", "checkable"]


# ---------------------------------------------------------------------------------------------
# Mode and respondent effects, precision
# ---------------------------------------------------------------------------------------------
def test_mode_effects_differences_and_errors(two_years):
    mode = ins.mode_effects(two_years, DESIGN)
    assert len(mode) == 4
    row = mode.query("year == 2020 and variable == 'channel'").iloc[0]
    part = two_years[two_years.year == 2020]
    valid = part.satisfied.notna()
    means = {g: np.average(part.satisfied[valid & (part.channel == g)],
                           weights=part.weight[valid & (part.channel == g)])
             for g in ("online", "in_person")}
    assert row["difference"] == pytest.approx(means["online"] - means["in_person"])
    direct = ins.domain_difference(part, "satisfied", part.channel == "online",
                                   part.channel == "in_person", DESIGN)
    assert row["se"] == pytest.approx(direct["se"])
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(abs(row["difference"] / row["se"])))
    assert row["difference"] < 0          # the frame makes online respondents less satisfied
    within = ins.mode_effects(part, DESIGN, within="level", by=None)
    assert set(within["level"]) == {"all", "central", "province", "district", "commune"}
    central = within.query("variable == 'channel' and level == 'central'").iloc[0]
    inside = part.level == "central"
    ref = ins.domain_difference(part, "satisfied", inside & (part.channel == "online"),
                                inside & (part.channel == "in_person"), DESIGN)
    assert central["se"] == pytest.approx(ref["se"])
    p = within["p_value"].to_numpy()                  # Holm by hand: sorted, (m - i) p, running max
    order = np.argsort(p)
    adjusted = np.minimum(np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order]), 1)
    np.testing.assert_allclose(within["p_holm"].to_numpy()[order], adjusted)
    with pytest.raises(InstrumentError, match="no row equal"):
        ins.mode_effects(part, DESIGN, contrasts=[("channel", "phone", "online")], by=None)
    with pytest.raises(InstrumentError, match="level"):
        ins.mode_effects(part, DESIGN, level=1.5, by=None)


def test_sample_size_for_half_width_formula():
    z = stats.norm.ppf(0.975)
    got = ins.sample_size_for_half_width([0.96, 0.5], [2.5, 1.0], 0.01)
    assert got.tolist() == [int(np.ceil(2.5 * z * z * 0.96 * 0.04 / 1e-4)),
                            int(np.ceil(z * z * 0.25 / 1e-4))]
    with pytest.raises(InstrumentError, match="half_width"):
        ins.sample_size_for_half_width(0.5, 1, 0.7)


@needs_design
def test_sample_size_for_precision_uses_the_least_favourable_end(survey):
    prec = ins.sample_size_for_precision(survey, DESIGN, half_width=0.03, by=None)
    assert set(prec.level) == {"central", "province", "district", "commune"}
    for r in prec.itertuples():
        end = r.ci_low if r.ci_low > 0.5 else min(0.5, r.ci_high)
        assert r.p_plan == end
        assert r.n_required == ins.sample_size_for_half_width(end, r.deff, 0.03)


# ---------------------------------------------------------------------------------------------
# Settings, review, recommendations, figures
# ---------------------------------------------------------------------------------------------
def test_settings_from_params_and_errors():
    from types import SimpleNamespace

    s = InstrumentSettings.from_params(
        SimpleNamespace(raw={"instrument": {"min_duration_sec": 60, "half_width": 0.01}}))
    assert s.duration_threshold(18) == 60 and s.half_width == 0.01
    assert InstrumentSettings().duration_threshold(18) == 36.0

    with pytest.raises(InstrumentError, match="unknown instrument setting"):
        InstrumentSettings.from_params(SimpleNamespace(raw={"instrument": {"min_duraton": 60}}))
    with pytest.raises(InstrumentError, match="need a number"):
        InstrumentSettings(alpha_min=-1)
    with pytest.raises(InstrumentError, match="half_width"):
        InstrumentSettings(half_width=0.9)


@pytest.fixture(scope="module")
def review(two_years):
    if not _has_design():
        pytest.skip("satisfaction.design not there yet")
    return ins.review_instrument(two_years, DESIGN, 2020, COMPONENTS)


def test_recommendations_follow_from_the_tables(review):
    recs = ins.recommendations(review)
    assert set(recs.columns) == {"topic", "target", "finding", "action", "figure"}
    assert set(recs.figure) <= set(ins.FIGURES.values())
    items = recs[recs.topic == "item"]
    assert "a2" in items.target.tolist()                      # near-constant
    assert "p3" in items.target.tolist()                      # weak item-rest
    pairs = set(zip(items.target, items.figure))
    assert ("a2", ins.FIGURES["distribution"]) in pairs
    assert ("p3", ins.FIGURES["items"]) in pairs
    sample = recs[recs.topic == "sample"]
    assert len(sample) == 4
    prec = review.precision.set_index("level")
    for r in sample.itertuples():
        assert f"{int(prec.loc[r.target, 'n_required'])} respondents" in r.action
    modes = recs[recs.topic == "mode"]
    assert len(modes) == 2
    quality = recs[recs.topic == "quality"]
    assert not any("no durations" in f for f in quality.finding)   # 2020 has durations


def test_review_needs_the_year(two_years):
    with pytest.raises(InstrumentError, match="no rows of year 2031"):
        ins.review_instrument(two_years, DESIGN, 2031, COMPONENTS)


def test_figures_are_numbered_and_returned(review):
    from matplotlib.figure import Figure

    from satisfaction.plots import instrument as plots

    figs = {
        "distribution": plots.item_distribution_plot(review.distribution,
                                                     nonresponse=review.nonresponse),
        "ceiling": plots.ceiling_plot(review.ceiling),
        "reliability": plots.reliability_plot(review.reliability),
        "items": plots.item_statistics_plot(review.items),
        "quality": plots.quality_plot(review.quality, review.sensitivity),
        "mode": plots.mode_plot(review.mode, review.rates),
        "precision": plots.precision_plot(review.precision),
    }
    for key, fig in figs.items():
        assert isinstance(fig, Figure)
        assert fig.get_suptitle().startswith(ins.FIGURES[key] + ".")
        fig.canvas.draw() if hasattr(fig.canvas, "draw") else None


def test_quality_recommendation_needs_a_material_change(review):
    from dataclasses import replace

    sens = review.sensitivity.query("year == 2020").set_index("scenario")
    margin = (sens.loc["all forms", "ci_high"] - sens.loc["all forms", "ci_low"]) / 2
    material = sens[(sens.change.abs() > margin)
                    & ((sens.change_low > 0) | (sens.change_high < 0))]
    quality = ins.recommendations(review).query("topic == 'quality'")
    assert len(quality) == max(len(material), 1)
    big = review.sensitivity.copy()
    row = (big.year == 2020) & (big.scenario == "without straight-lined")
    big.loc[row, ["change", "change_low", "change_high"]] = [-3 * margin, -4 * margin, -2 * margin]
    quality = ins.recommendations(replace(review, sensitivity=big)).query("topic == 'quality'")
    line = quality.set_index("target").loc["straight-lined"]
    assert "more than its margin of error" in line["finding"]
    assert line["figure"] == ins.FIGURES["quality"]
