"""The Kitagawa decomposition of a change: against R, against a hand computation, against a jackknife."""

from __future__ import annotations

import json
import unicodedata

import numpy as np
import pandas as pd
import pytest

from satisfaction import config
from satisfaction.compare import (
    DECOMPOSITION_ROWS,
    MISSING_GROUP,
    CompareError,
    decompose_change,
    decomposition_by_group,
    influence_variance,
)
from satisfaction.design import SurveyDesign

GOLDEN = config.ROOT / "tests" / "golden"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "data" / f"{name}.csv", keep_default_na=False, na_values=[""])


CASES = json.loads((GOLDEN / "decompose_cases.json").read_text(encoding="utf-8"))
RESULTS = pd.read_csv(GOLDEN / "decompose_results.csv")


def _designs(case: dict) -> tuple[SurveyDesign, SurveyDesign]:
    spec = {"weights": "weight", "strata": "stratum", "psu": "office", "fpc": case["fpc"],
            "lonely_psu": case["lonely_psu"], "adjust_domain_lonely": case["adjust_domain_lonely"]}
    return SurveyDesign(_read("decompose_current"), **spec), SurveyDesign(_read("decompose_base"), **spec)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_decomposition_equals_r_svycontrast_on_each_years_svytotal(case):
    current, base = _designs(case)
    table = decompose_change(current, base, "satisfied", by=case["by"], level=case["level"])
    expected = RESULTS[RESULTS["case"] == case["case"]].set_index("row")
    assert list(expected.index) == list(DECOMPOSITION_ROWS)
    np.testing.assert_allclose(table.loc[expected.index, "estimate"], expected["estimate"],
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(table.loc[expected.index, "se"], expected["se"], rtol=1e-10,
                               atol=1e-14)


def test_golden_data_cover_the_edges():
    current, base = _read("decompose_current"), _read("decompose_base")
    assert current["channel"].isna().any() and current["satisfied"].isna().any()
    assert set(current["level"]) - set(base["level"]) == {"Xã"}
    assert set(base["level"]) - set(current["level"]) == {"other"}
    lonely = [d.groupby("stratum")["office"].nunique().eq(1).any() for d in (current, base)]
    assert all(lonely)


# --------------------------------------------------------------------------- by hand


def _kitagawa(frames: list[pd.DataFrame], by: list[str]) -> dict[str, float]:
    """The decomposition by plain pandas: shares and rates by group, then the formulas."""
    parts = []
    for df in frames:
        valid = df[df["y"].notna()]
        key = valid[by].astype(str).agg("|".join, axis=1)
        w = valid.groupby(key)["w"].sum()
        a = (valid["w"] * valid["y"]).groupby(key).sum()
        parts.append((w / w.sum(), a / w))
    (p1, r1), (p0, r0) = parts
    groups = p1.index.union(p0.index)
    p1, p0 = p1.reindex(groups, fill_value=0.0), p0.reindex(groups, fill_value=0.0)
    r1, r0 = r1.reindex(groups), r0.reindex(groups)
    r1, r0 = r1.fillna(r0), r0.fillna(r1)
    return {"total": float((p1 * r1).sum() - (p0 * r0).sum()),
            "composition": float(((p1 - p0) * (r1 + r0) / 2).sum()),
            "within": float(((r1 - r0) * (p1 + p0) / 2).sum()),
            "standardised": float((p0 * r1).sum())}


def _pair(seed: int = 1, n: int = 400) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)

    def year(shift: float, online: float) -> pd.DataFrame:
        df = pd.DataFrame({
            "stratum": rng.choice(["A", "B", "C"], n),
            "psu": rng.integers(0, 12, n),
            "w": rng.uniform(1, 9, n),
            "g": rng.choice(["x", "y", "z"], n, p=[0.5, 0.3, 0.2]),
            "channel": np.where(rng.uniform(size=n) < online, "online", "in_person"),
        })
        p = 0.6 + shift + 0.2 * (df["channel"] == "online") + 0.1 * (df["g"] == "x")
        df["y"] = (rng.uniform(size=n) < p).astype(float)
        df.loc[rng.choice(n, 10, replace=False), "y"] = np.nan
        return df

    return year(0.05, 0.6), year(0.0, 0.2)


def test_point_estimates_equal_a_computation_by_hand_and_add_up():
    cur, base = _pair()
    designs = [SurveyDesign(d, weights="w", strata="stratum", psu="psu") for d in (cur, base)]
    table = decompose_change(*designs, "y", by=["g", "channel"])
    hand = _kitagawa([cur, base], ["g", "channel"])
    for row, value in hand.items():
        assert table.loc[row, "estimate"] == pytest.approx(value, abs=1e-12)
    e = table["estimate"]
    assert e["composition"] + e["within"] == pytest.approx(e["total"], abs=1e-14)
    assert e["current"] - e["base"] == pytest.approx(e["total"], abs=1e-14)
    assert e["standardised"] - e["base"] == pytest.approx(e["standardised_change"], abs=1e-14)
    assert e["composition"] > 0.05  # the online share tripled and online is more satisfied


def test_the_rates_and_their_ses_are_each_years_own_estimates():
    cur, base = _pair(2)
    designs = [SurveyDesign(d, weights="w", strata="stratum", psu="psu") for d in (cur, base)]
    table = decompose_change(*designs, "y", by="g")
    for row, design in (("current", designs[0]), ("base", designs[1])):
        own = design.proportion("y").iloc[0]
        assert table.loc[row, "estimate"] == pytest.approx(own["estimate"], abs=1e-14)
        assert table.loc[row, "se"] == pytest.approx(own["se"], rel=1e-10)
    se_total = np.hypot(table.loc["current", "se"], table.loc["base", "se"])
    assert table.loc["total", "se"] == pytest.approx(se_total, rel=1e-10)


def _jackknife_se(frames: list[pd.DataFrame], by: list[str]) -> pd.Series:
    """Delete-one-PSU jackknife (JKn) of the decomposition over both years' PSUs: independent of
    the linearisation (replicate weights, a loop over PSUs, which a test may afford)."""
    full = pd.Series(_kitagawa(frames, by))
    variance = full * 0.0
    for i, df in enumerate(frames):
        for stratum, part in df.groupby("stratum"):
            psus = part["psu"].unique()
            n_h = len(psus)
            for psu in psus:
                rep = df.copy()
                in_h = rep["stratum"] == stratum
                rep.loc[in_h, "w"] *= n_h / (n_h - 1)
                rep = rep[~(in_h & (rep["psu"] == psu))]
                reps = [rep if j == i else frames[j] for j in range(len(frames))]
                variance += (n_h - 1) / n_h * (pd.Series(_kitagawa(reps, by)) - full) ** 2
    return np.sqrt(variance)


def test_standard_errors_agree_with_a_delete_one_psu_jackknife():
    cur, base = _pair(3, n=600)
    designs = [SurveyDesign(d, weights="w", strata="stratum", psu="psu") for d in (cur, base)]
    table = decompose_change(*designs, "y", by=["channel"])
    jack = _jackknife_se([cur, base], ["channel"])
    for row in ("composition", "within", "total", "standardised"):
        assert table.loc[row, "se"] == pytest.approx(jack[row], rel=0.1), row


def test_a_group_in_one_year_only_is_all_composition_and_a_missing_label_a_group():
    cur = pd.DataFrame({"y": [1.0, 1, 0, 1, 1, 0], "g": ["a", "a", "b", "new", "new", None]})
    base = pd.DataFrame({"y": [1.0, 0, 0, 1, 0, 1], "g": ["a", "a", "b", "b", "gone", None]})
    designs = (SurveyDesign(cur), SurveyDesign(base))
    groups = decomposition_by_group(*designs, "y", by="g")
    assert MISSING_GROUP in groups.index
    assert groups.loc["new", "within"] == 0 and groups.loc["gone", "within"] == 0
    assert groups.loc["new", "composition"] == pytest.approx(2 / 6 * 1.0)
    assert groups.loc["gone", "composition"] == pytest.approx(-1 / 6 * 0.0)
    table = decompose_change(*designs, "y", by="g")
    assert table.attrs["groups_current_only"] == 1 and table.attrs["groups_base_only"] == 1
    assert groups["composition"].sum() == pytest.approx(table.loc["composition", "estimate"])
    assert groups["within"].sum() == pytest.approx(table.loc["within", "estimate"])
    assert table.loc["total", "estimate"] == pytest.approx(4 / 6 - 3 / 6)


def test_labels_in_two_unicode_forms_are_one_group():
    nfd = unicodedata.normalize("NFD", "Xã")
    cur = pd.DataFrame({"y": [1.0, 0, 1, 1], "g": ["Xã", "Xã", "Tỉnh", "Tỉnh"]})
    base = pd.DataFrame({"y": [1.0, 0, 0, 1], "g": [nfd, nfd, "Tỉnh", "Tỉnh"]})
    table = decompose_change(SurveyDesign(cur), SurveyDesign(base), "y", by="g")
    assert table.attrs["groups"] == 2 and table.attrs["groups_base_only"] == 0


def test_weights_scaled_by_a_constant_change_nothing():
    cur, base = _pair(4)
    designs = [SurveyDesign(d, weights="w", strata="stratum", psu="psu") for d in (cur, base)]
    scaled = SurveyDesign(cur.assign(w=cur["w"] * 37.5), weights="w", strata="stratum", psu="psu")
    a = decompose_change(*designs, "y", by=["g", "channel"])
    b = decompose_change(scaled, designs[1], "y", by=["g", "channel"])
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)


def test_intervals_widen_with_the_level_and_bad_levels_are_refused():
    cur, base = _pair(5)
    designs = [SurveyDesign(d, weights="w", strata="stratum", psu="psu") for d in (cur, base)]
    narrow = decompose_change(*designs, "y", by="g", level=0.9)
    wide = decompose_change(*designs, "y", by="g", level=0.99)
    assert ((wide["ci_high"] - wide["ci_low"]) > (narrow["ci_high"] - narrow["ci_low"])).all()
    with pytest.raises(ValueError, match="level"):
        decompose_change(*designs, "y", by="g", level=95)


@pytest.mark.parametrize("bad, message", [
    ({"by": "nope"}, "year 2019: column.*nope"),
    ({"by": []}, "at least one grouping column"),
    ({"var": "g"}, "0/1 variable"),
    ({"var": "score"}, "values other than 0, 1"),
    ({"var": "empty"}, "no valid answer"),
    ({"var": "absent"}, "not in the survey table"),
])
def test_bad_inputs_are_refused_with_the_year_named(bad, message):
    base = pd.DataFrame({"y": [1.0, 0], "g": ["a", "b"], "score": [1.0, 2.0],
                         "empty": [np.nan, np.nan]})
    cur = base.assign(nope=["a", "b"])
    kwargs = {"var": "y", "by": "g", **bad}
    with pytest.raises(CompareError, match=message):
        decompose_change(SurveyDesign(cur), SurveyDesign(base), years=(2020, 2019), **kwargs)


def test_influence_variance_refuses_a_wrong_length_or_missing_values():
    d = SurveyDesign(pd.DataFrame({"y": [1.0, 0, 1]}))
    with pytest.raises(ValueError, match="3 finite values"):
        influence_variance(d, {"u": [0.1, 0.2]})
    with pytest.raises(ValueError, match="finite"):
        influence_variance(d, {"u": [0.1, np.nan, 0.0]})
