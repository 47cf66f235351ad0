"""Multi-stage designs, the small-domain rule and the lonely-PSU fallback of satisfaction.design.

R's multistage variance itself is checked case by case in tests/test_design.py (the golden
files include R's apiclus2 and constructed two- and three-stage designs); here: the covariance
between domains against R's svyby(covmat = TRUE), the documented rules where R has no number
(the ``average`` fallback against R's ``adjust``), designs that must be equal by construction,
and the bad inputs.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satisfaction import SurveyDesign
from satisfaction.design import DesignSpec

GOLDEN = Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8"))


@cache
def data(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "data" / f"{name}.csv", encoding="utf-8")


@cache
def results() -> pd.DataFrame:
    return pd.read_csv(
        GOLDEN / "results.csv", dtype={"domain_1": str, "domain_2": str},
        keep_default_na=False, na_values=["NA"], encoding="utf-8",
    )


def split(text) -> str | list[str] | None:
    if not isinstance(text, str):
        return None
    parts = text.split("+")
    return parts[0] if len(parts) == 1 else parts


def find_case(**want) -> dict:
    hits = [c for c in CASES if all(c.get(k) == v for k, v in want.items())]
    assert len(hits) == 1, (want, len(hits))
    return hits[0]


def design(case: dict, **change) -> SurveyDesign:
    spec = {k: case[k] for k in ("weights", "strata", "psu", "fpc", "lonely_psu")}
    spec["adjust_domain_lonely"] = case["adjust_domain_lonely"]
    return SurveyDesign(data(case["data"]), **(spec | change))


def r_rows(case: dict) -> pd.DataFrame:
    r = results()
    return r[r["case"] == case["case"]]


def rule_se(r: pd.DataFrame) -> np.ndarray:
    """R's SE with the small-domain rule: R's first-stage variance times K / (K - 1) where R's
    df is 0 and the domain reaches K >= 2 PSUs."""
    small = (r["df"] < 1) & (r["psus"] >= 2)
    extra = np.where(small, r["se_stage1"] ** 2 / np.maximum(r["psus"] - 1, 1), 0.0)
    return np.sqrt(r["se"] ** 2 + extra)


# ------------------------------------------------------------------------------------------
# Covariance between domains: R's vcov(svyby(..., covmat = TRUE))
# ------------------------------------------------------------------------------------------
COVARIANCE = pd.read_csv(GOLDEN / "covariance.csv", keep_default_na=False, na_values=["NA"])
COV_CASES = list(COVARIANCE.groupby(["data", "psu", "strata", "fpc", "lonely_psu", "var", "by"],
                                    dropna=False).groups)


@pytest.mark.parametrize("key", COV_CASES, ids=lambda k: "-".join(map(str, k)))
def test_domain_covariance_equals_r_svyby_covmat(key) -> None:
    name, psu, strata, fpc, policy, var, by = key
    rows = COVARIANCE.set_index(["data", "psu", "strata", "fpc", "lonely_psu", "var", "by"])
    rows = rows.loc[key]
    frame = data(name)
    d = SurveyDesign(frame, strata=split(strata), psu=split(psu), fpc=split(fpc),
                     weights="weight" if "pop2s" in fpc else None, lonely_psu=policy)
    labels = list(dict.fromkeys(rows["row"].astype(str)))
    valid = frame[var].notna()
    domains = {lab: (frame[by].astype(str) == lab) & valid for lab in labels}
    _, cov, _ = d.domain_covariance(var, domains)
    value = rows.pivot(index="row", columns="col", values="value").loc[labels, labels]
    stage1 = rows.pivot(index="row", columns="col", values="stage1").loc[labels, labels]
    # The small-domain rule: a domain with R's df 0 has its first stage's variance times
    # K / (K - 1), so a covariance with it the first stage's times sqrt of the factors.
    first = psu.split("+")[0]
    stratum = strata.split("+")[0] if isinstance(strata, str) else None
    k, h = [], []
    for lab in labels:
        rows_in = frame[domains[lab]]
        k.append(len(rows_in[[c for c in (stratum, first) if c]].drop_duplicates()))
        h.append(rows_in[stratum].nunique() if stratum else 1)
    k, h = np.array(k, dtype=float), np.array(h, dtype=float)
    factor = np.where((k - h < 1) & (k >= 2), k / np.maximum(k - 1, 1), 1.0)
    expected = value.to_numpy(float) + (np.sqrt(np.outer(factor, factor)) - 1) * stage1.to_numpy(
        float)
    np.testing.assert_allclose(cov.to_numpy(), expected, rtol=1e-9,
                               atol=1e-14 * np.abs(expected).max())
    assert d.stages >= 2


def test_covariance_goldens_include_second_stage_strata_and_apiclus2() -> None:
    assert {"stratum+channel", "stratum"} <= set(COVARIANCE["strata"].dropna())
    assert "apiclus2" in set(COVARIANCE["data"])


# ------------------------------------------------------------------------------------------
# Where R has no variance: the documented ``average`` fallback, checked against R's ``adjust``
# ------------------------------------------------------------------------------------------
def test_average_without_anything_to_average_is_adjust_at_stage_two() -> None:
    """apiclus2 with single schools that are not a census: R's ``average`` is NaN; with no
    first-stage strata and no lonely PSU at stage 1, the rule makes it R's ``adjust``."""
    fpc = ["fpc1", "fpc2b"]
    avg = find_case(data="apiclus2", fpc=fpc, lonely_psu="average", stat="proportion")
    adj = find_case(data="apiclus2", fpc=fpc, lonely_psu="adjust", stat="proportion")
    assert r_rows(avg)["se"].isna().any()  # R: NaN
    mine = design(avg).proportion(avg["var"], by=avg["by"])
    r = r_rows(adj).set_index("domain_1")
    np.testing.assert_allclose(mine.loc[r.index, "se"], rule_se(r), rtol=1e-10)
    np.testing.assert_array_equal(mine.loc[r.index, "df"], r["df"])


def test_average_with_every_reached_stratum_lonely_is_adjust_at_stage_one() -> None:
    """The lonely design, average + adjust_domain_lonely: a domain whose every stratum is
    domain-lonely has R's NaN; here it is R's adjust + adjust_domain_lonely."""
    avg = find_case(data="lonely", lonely_psu="average", adjust_domain_lonely=True, fpc=None,
                    by=["level", "field"])
    adj = find_case(data="lonely", lonely_psu="adjust", adjust_domain_lonely=True, fpc=None,
                    by=["level", "field"])
    r_avg = r_rows(avg).set_index(["domain_1", "domain_2"])
    gone = r_avg.index[r_avg["se"].isna()]
    assert len(gone) >= 1
    mine = design(avg).proportion("satisfied", by=["level", "field"])
    r_adj = r_rows(adj).set_index(["domain_1", "domain_2"])
    np.testing.assert_allclose(mine.loc[gone, "se"], rule_se(r_adj.loc[gone]), rtol=1e-10)


def test_domain_covariance_has_no_nan_row_when_every_reached_stratum_is_lonely() -> None:
    frame = data("lonely")
    d = SurveyDesign(frame, weights="weight", strata="stratum", psu="office",
                     lonely_psu="average", adjust_domain_lonely=True)
    table = d.mean("satisfied", by=["level", "field"])
    keys = list(table.index[table["n"] > 0])
    domains = {f"{a}/{b}": ((frame["level"] == a) & (frame["field"] == b)).to_numpy()
               for a, b in keys}
    _, cov, _ = d.domain_covariance("satisfied", domains)
    assert np.isfinite(cov.to_numpy()).all()
    np.testing.assert_allclose(np.diag(cov), table.loc[keys, "se"] ** 2, rtol=1e-10)


# ------------------------------------------------------------------------------------------
# Designs equal by construction
# ------------------------------------------------------------------------------------------
def two_stage_frame(seed: int = 1, census_first: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(4):
        n_psu = 3 if census_first else int(rng.integers(2, 5))
        for j in range(n_psu):
            m = int(rng.integers(2, 8))
            rows.append(pd.DataFrame({
                "s": f"h{h}", "office": f"o{j}", "N1": n_psu if census_first else 3 * n_psu,
                "N2": int(rng.integers(m, 60)), "y": (rng.random(m) < 0.7).astype(float),
                "x": rng.normal(3, 1, m), "g": rng.choice(list("ab"), m),
            }))
    frame = pd.concat(rows, ignore_index=True)
    frame["rid"] = np.arange(len(frame))
    frame["w"] = frame["N1"] / frame.groupby("s")["office"].transform("nunique") * frame["N2"] \
        / frame.groupby(["s", "office"])["y"].transform("size")
    return frame


def test_a_census_of_offices_leaves_the_second_stage_only() -> None:
    """Every office of every stratum taken (f1 = 0): the variance is the second stage's, i.e.
    a stratified design with the offices as strata and the respondents as PSUs, FPC = N2."""
    frame = two_stage_frame(census_first=True)
    two = SurveyDesign(frame, strata="s", psu=["office", "rid"], fpc=["N1", "N2"])
    frame = frame.assign(so=frame["s"] + "/" + frame["office"])
    one = SurveyDesign(frame, weights="w", strata="so", fpc="N2")
    for method, var in (("proportion", "y"), ("mean", "x"), ("total", "x")):
        a, b = getattr(two, method)(var, by="g"), getattr(one, method)(var, by="g")
        np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)
        np.testing.assert_allclose(a["se"], b["se"], rtol=1e-10)


def test_without_fpc_only_the_first_stage_counts_and_weights_are_given() -> None:
    frame = two_stage_frame()
    two = SurveyDesign(frame, weights="w", strata="s", psu=["office", "rid"])
    one = SurveyDesign(frame, weights="w", strata="s", psu="office")
    pd.testing.assert_frame_equal(two.proportion("y", by="g"), one.proportion("y", by="g"))
    assert two.first_stage().variance_stages == 1 and two.stages == 2


def test_weights_from_the_fpc_are_the_product_over_the_stages() -> None:
    frame = two_stage_frame()
    derived = SurveyDesign(frame, strata="s", psu=["office", "rid"], fpc=["N1", "N2"])
    given_w = SurveyDesign(frame, weights="w", strata="s", psu=["office", "rid"],
                           fpc=["N1", "N2"])
    np.testing.assert_allclose(derived.first_stage().weights, frame["w"], rtol=1e-12)
    pd.testing.assert_frame_equal(derived.total("x", by="g"), given_w.total("x", by="g"))
    fs = derived.first_stage()
    assert fs.variance_stages == 2 and len(fs.n_psu) == 4


def test_fractions_and_population_sizes_give_the_same_design() -> None:
    frame = two_stage_frame()
    n1 = frame.groupby("s")["office"].transform("nunique")
    m = frame.groupby(["s", "office"])["y"].transform("size")
    frame = frame.assign(f1=n1 / frame["N1"], f2=m / frame["N2"])
    a = SurveyDesign(frame, strata="s", psu=["office", "rid"], fpc=["N1", "N2"])
    b = SurveyDesign(frame, strata="s", psu=["office", "rid"], fpc=["f1", "f2"])
    pd.testing.assert_frame_equal(a.mean("x", by="g"), b.mean("x", by="g"), rtol=1e-12)


def test_within_psu_of_a_two_stage_design_is_its_second_stage() -> None:
    frame = two_stage_frame()
    two = SurveyDesign(frame, strata="s", psu=["office", "rid"], fpc=["N1", "N2"])
    frame = frame.assign(so=frame["s"] + "/" + frame["office"])
    direct = SurveyDesign(frame, weights="w", strata="so", psu="rid", fpc="N2")
    a = two.within_psu().proportion("y", by="so" if "so" in two.data else ["s", "office"])
    b = direct.proportion("y", by=["s", "office"])
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-10)
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), policy=st.sampled_from(["adjust", "average", "certainty"]))
def test_permuting_rows_of_a_two_stage_design_changes_nothing(seed: int, policy: str) -> None:
    frame = two_stage_frame(seed % 1000)
    frame.loc[frame.index[:2], "y"] = np.nan
    shuffled = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    kw = {"strata": "s", "psu": ["office", "rid"], "fpc": ["N1", "N2"], "lonely_psu": policy,
          "adjust_domain_lonely": True}
    a, b = SurveyDesign(frame, **kw), SurveyDesign(shuffled, **kw)
    pd.testing.assert_frame_equal(a.proportion("y", by="g"), b.proportion("y", by="g"),
                                  rtol=1e-9)
    masks = {k: (frame["g"] == k).to_numpy() for k in "ab"}
    _, cov, _ = a.domain_covariance("x", masks)
    np.testing.assert_allclose(np.diag(cov), a.mean("x", by="g")["se"] ** 2, rtol=1e-10)


# ------------------------------------------------------------------------------------------
# Small domains: the degrees-of-freedom rule
# ------------------------------------------------------------------------------------------
def test_a_domain_with_one_psu_per_stratum_gets_psus_minus_one_df_and_an_interval() -> None:
    frame = data("twostage")
    case = find_case(data="twostage", psu=["office", "rid"], fpc=["pop_psu", "pop2"],
                     lonely_psu="certainty", adjust_domain_lonely=False, stat="proportion",
                     by=["dom"])
    r = r_rows(case).set_index("domain_1")
    assert r.loc["onepsu", "df"] == 0 and np.isnan(r.loc["onepsu", "beta_low"])  # R: none
    t = design(case).proportion("satisfied", by="dom")
    assert t.loc["onepsu", "df"] == r.loc["onepsu", "psus"] - 1 == 3
    assert 0 < t.loc["onepsu", "ci_low"] < t.loc["onepsu", "estimate"] < t.loc["onepsu", "ci_high"]
    # inside one office: no design-based variance, no interval (the reliability rules say so)
    assert t.loc["oneoffice", "df"] == 0 and np.isnan(t.loc["oneoffice", "ci_low"])
    assert frame.loc[frame["dom"] == "oneoffice", "office"].nunique() == 1


def test_where_r_has_degrees_of_freedom_they_are_kept() -> None:
    """A domain with two PSUs in one stratum and one in another keeps R's 1."""
    frame = pd.DataFrame({"s": list("aaaabbbb"), "p": [1, 1, 2, 3, 4, 5, 5, 6],
                          "y": [1, 0, 1, 1, 0, 1, 1, 0], "g": list("xxyyxxyy")})
    d = SurveyDesign(frame, strata="s", psu="p")
    t = d.proportion("y", by="g")
    assert t.loc["x", "df"] == 1  # PSUs 1 (a) and 4, 5 (b): 3 PSUs, 2 strata
    assert t.loc["y", "df"] == 2  # PSUs 2, 3 (a) and 5, 6 (b)... R's count is kept
    one_per = SurveyDesign(frame.assign(g=np.where(frame["p"].isin([1, 5]), "z", "o")),
                           strata="s", psu="p").proportion("y", by="g")
    assert one_per.loc["z", "df"] == 1  # PSU 1 of a, PSU 5 of b: R's 0 -> 2 - 1


def test_small_domain_df_is_at_most_the_design_df() -> None:
    frame = pd.DataFrame({"s": list("abcde") + ["e"], "p": [1, 2, 3, 4, 5, 6],
                          "y": [1, 0, 1, 1, 0, 1], "g": ["x"] * 5 + ["o"]})
    d = SurveyDesign(frame, strata="s", psu="p", lonely_psu="adjust")
    assert d.degf == 1
    assert d.proportion("y", by="g").loc["x", "df"] == 1  # 5 PSUs, 5 strata: min(4, degf)


# ------------------------------------------------------------------------------------------
# Specs and bad inputs
# ------------------------------------------------------------------------------------------
def test_design_spec_accepts_a_column_per_stage() -> None:
    spec = DesignSpec.from_mapping({"strata": ["stratum", "channel"], "psu": ["office", "rid"],
                                    "fpc": ["pop_psu", "pop2s"], "weights": "weight",
                                    "lonely_psu": "adjust"})
    assert spec.psu == ("office", "rid") and spec.strata == ("stratum", "channel")
    assert spec.columns == ["weight", "stratum", "channel", "office", "rid", "pop_psu", "pop2s"]
    assert hash(spec) == hash(DesignSpec(**spec.as_dict()))
    frame = data("twostage")
    built = spec.build(frame)
    direct = SurveyDesign(frame, weights="weight", strata=["stratum", "channel"],
                          psu=["office", "rid"], fpc=["pop_psu", "pop2s"], lonely_psu="adjust")
    pd.testing.assert_frame_equal(built.proportion("satisfied", by="dom"),
                                  direct.proportion("satisfied", by="dom"))
    assert DesignSpec(psu=["office"]).psu == "office"


@pytest.mark.parametrize("bad", [{"psu": []}, {"psu": ["office", None]}, {"psu": [1]},
                                 {"fpc": ""}, {"strata": [""]}, {"weights": ["w"]}])
def test_design_spec_rejects_bad_stage_lists(bad: dict) -> None:
    with pytest.raises(ValueError, match="design (psu|fpc|strata|weights) must be"):
        DesignSpec(**bad)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"psu": ["office", "rid"], "fpc": ["pop_psu"]}, "one column per stage"),
        ({"psu": "office", "fpc": ["pop_psu", "pop2"]}, "one column per stage"),
        ({"psu": ["office", "rid"], "strata": ["stratum", "channel", "level"]}, "3 columns"),
        ({"psu": ["office", "nope"]}, "psu column 'nope' is not in the data"),
        ({"psu": ["office", "rid"], "strata": ["stratum", "nope"]}, "strata column 'nope'"),
        ({"psu": ["office", "rid"], "fpc": ["pop_psu", "pop2s"], "strata": "stratum"},
         "'pop2s' varies within a stratum"),
        ({"psu": ["office", "rid"], "fpc": ["pop_psu", "frac2"]}, "mixes population sizes"),
    ],
)
def test_bad_multi_stage_designs(kwargs: dict, message: str) -> None:
    base = {"strata": "stratum", "lonely_psu": "adjust"}
    with pytest.raises(ValueError, match=message):
        SurveyDesign(data("twostage"), **(base | kwargs))


def test_fail_at_stage_two_names_the_office() -> None:
    frame = data("twostage")
    frame = frame[~frame["stratum"].isin(["S3"])]  # no lonely stratum at stage 1 (S7: census)
    with pytest.raises(ValueError, match=r"'S(2/S2-O2|6/S6-O4)'.*only one PSU at stage 2"):
        SurveyDesign(frame, strata="stratum", psu=["office", "rid"], fpc=["pop_psu", "pop2"])
    # S2-O2 is a census of its single respondent: only S6-O4 is lonely
    with pytest.raises(ValueError, match=r"stratum 'S6/S6-O4' has only one PSU at stage 2"):
        SurveyDesign(frame, strata="stratum", psu=["office", "rid"], fpc=["pop_psu", "pop2"])


def test_a_domain_inside_one_psu_is_suppressed_with_its_reason() -> None:
    """No interval (df 0): the reliability rules say why, never a silent NaN."""
    from satisfaction.reliability import nchs_flags

    case = find_case(data="twostage", psu=["office", "rid"], fpc=["pop_psu", "pop2"],
                     lonely_psu="certainty", adjust_domain_lonely=False, stat="proportion",
                     by=["dom"])
    flags = nchs_flags(design(case).proportion("satisfied", by="dom"), disclosure_threshold=0)
    one = flags.loc["oneoffice"]
    assert one["suppressed"] and "within one PSU" in one["flag_reason"]
    assert "no confidence interval" not in flags.loc["onepsu", "flag_reason"]


def test_an_empty_domain_does_not_shift_the_others_variance() -> None:
    """Two domains, one reaching two strata and one without valid answers: as many (domain,
    stratum) groups as domains, which must still be summed by domain."""
    frame = pd.DataFrame({"s": list("aabb"), "p": [1, 2, 3, 4], "y": [1.0, 0, 1, 0],
                          "g": ["x", "x", "x", "x"]})
    frame = pd.concat([frame, pd.DataFrame({"s": ["a"], "p": [1], "y": [np.nan], "g": ["z"]})],
                      ignore_index=True)
    t = SurveyDesign(frame, strata="s", psu="p").mean("y", by="g")
    whole = SurveyDesign(frame, strata="s", psu="p").mean("y")
    assert t.loc["x", "se"] == pytest.approx(whole["se"].iloc[0], rel=1e-12)
    assert t.loc["z", "n"] == 0 and np.isnan(t.loc["z", "se"])
