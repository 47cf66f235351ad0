"""Tests of satisfaction.par_index: the PAR unit table, bands, transitions, robustness, links.

Independent references: the figures the ministry published (DESIGN.md section 1), R's
statpsych ``ci.spear`` documented example (Bonett & Wright interval), scipy (``spearmanr``,
``pearsonr`` Fisher interval, ``bootstrap``), statsmodels (t interval of a mean), pandas
``crosstab``, and naive re-statements of the band rule written in the tests.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

from satisfaction import config
from satisfaction import par_index as par
from satisfaction.params import load_params

BANDS = {"excellent": 95.0, "good": 80.0, "fair": 70.0, "completed": 50.0}


@pytest.fixture(scope="module")
def criteria() -> par.ParCriteria:
    return par.load_criteria()


@pytest.fixture(scope="module")
def shipped(criteria) -> dict[int, par.ParTable]:
    return {y: par.load_par(config.RAW / f"par_{y}.csv", criteria, y) for y in (2019, 2020)}


def _unit_rows(criteria: par.ParCriteria, code: str, points=None, self_points=None,
               **extra) -> pd.DataFrame:
    """A clean unit: every criterion, appraised = max - 1 unless given."""
    maxima = criteria.max_points.to_numpy()
    rows = pd.DataFrame({
        "unit_code": code, "unit": f"Unit {code}", "criterion": criteria.codes,
        "appraised_points": maxima - 1 if points is None else points,
        "self_points": maxima - 0.5 if self_points is None else self_points,
    })
    for k, v in extra.items():
        rows[k] = v
    return rows


def _naive_band(score: float, bands: dict[str, float]) -> str | None:
    """The band rule as the issue states it, one score at a time."""
    if np.isnan(score):
        return None
    reached = [(bound, name) for name, bound in bands.items() if score >= bound]
    return max(reached)[1] if reached else par.NOT_COMPLETED


# ---------------------------------------------------------------------------------------------
# Criteria
# ---------------------------------------------------------------------------------------------


def test_shipped_criteria_sum_to_100_points(criteria):
    assert criteria.total == 100.0
    assert len(criteria.codes) == 9
    assert criteria.max_points.gt(0).all()
    assert set(criteria.band_labels) >= {*BANDS, par.NOT_COMPLETED}
    for text in criteria.table["vi"]:
        assert unicodedata.is_normalized("NFC", text)


def test_criteria_file_faults_are_clear(tmp_path):
    with pytest.raises(par.ParDataError, match="not found"):
        par.load_criteria(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("criteria:\n  a: {max_points: 10}\n  b: {max_points: -2}\n", encoding="utf-8")
    with pytest.raises(par.ParDataError, match="positive number for b"):
        par.load_criteria(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("title: x\n", encoding="utf-8")
    with pytest.raises(par.ParDataError, match="no 'criteria'"):
        par.load_criteria(empty)


def test_the_satisfaction_criterion_is_named_or_absent(tmp_path, criteria):
    assert criteria.satisfaction == "satisfaction"
    other = tmp_path / "other.yaml"
    other.write_text("criteria:\n  a: {max_points: 60}\n  b: {max_points: 40}\n"
                     "satisfaction_criterion: b\n", encoding="utf-8")
    assert par.load_criteria(other).satisfaction == "b"
    none = tmp_path / "none.yaml"
    none.write_text("criteria:\n  a: {max_points: 60}\n  satisfaction: {max_points: 40}\n"
                    "satisfaction_criterion: null\n", encoding="utf-8")
    assert par.load_criteria(none).satisfaction is None
    plain = tmp_path / "plain.yaml"
    plain.write_text("criteria:\n  a: {max_points: 60}\n  b: {max_points: 40}\n",
                     encoding="utf-8")
    assert par.load_criteria(plain).satisfaction is None
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("criteria:\n  a: {max_points: 100}\nsatisfaction_criterion: z\n",
                     encoding="utf-8")
    with pytest.raises(par.ParDataError, match="'z' is not a criterion"):
        par.load_criteria(wrong)


# ---------------------------------------------------------------------------------------------
# The band rule
# ---------------------------------------------------------------------------------------------


def test_bands_come_from_params():
    assert load_params(2020).par_bands == BANDS
    assert load_params(2019).par_bands == BANDS


@pytest.mark.parametrize("score, band", [
    (100.0, "excellent"), (95.0, "excellent"), (94.99, "good"), (80.0, "good"),
    (79.99, "fair"), (70.0, "fair"), (69.75, "completed"), (50.0, "completed"),
    (49.99, "not_completed"), (0.0, "not_completed"),
])
def test_score_on_a_bound_goes_to_the_higher_band(score, band):
    assert par.assign_bands(pd.Series([score]), load_params(2020).par_bands).iloc[0] == band


def test_float_sum_just_below_a_bound_counts_as_on_it():
    total = sum([9.3] * 10) + 1.2 + 0.8                  # 94.99999999999999 in binary
    assert total < 95
    assert par.assign_bands(pd.Series([total]), BANDS).iloc[0] == "excellent"
    assert par.assign_bands(pd.Series([94.999]), BANDS).iloc[0] == "good"


def test_other_thresholds_change_the_bands_not_the_code():
    bands = {"top": 60, "middle": 30}
    got = par.assign_bands(pd.Series([60.0, 59.0, 30.0, 10.0]), bands).astype(str).tolist()
    assert got == ["top", "middle", "middle", "not_completed"]
    assert par.band_order({"b": 1, "a": 2}) == ["a", "b", "not_completed"]


def test_missing_score_has_no_band_and_index_is_kept():
    out = par.assign_bands(pd.Series([96.0, np.nan], index=["u1", "u2"]), BANDS)
    assert out.index.tolist() == ["u1", "u2"]
    assert out.iloc[0] == "excellent" and pd.isna(out.iloc[1])


@pytest.mark.parametrize("bands, message", [
    ({}, "non-empty"), ({"a": 1, "b": 1}, "share a lower bound"),
    ({"absent": 1}, "reserved"), ({"a": "x"}, "numbers"), ({"a": float("nan")}, "finite"),
])
def test_bad_bands_raise(bands, message):
    with pytest.raises(ValueError, match=message):
        par.assign_bands(pd.Series([1.0]), bands)


def test_non_numeric_scores_raise():
    with pytest.raises(ValueError, match="numeric"):
        par.assign_bands(pd.Series(["95"]), BANDS)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=40))
def test_band_rule_matches_the_naive_rule_and_is_monotone(scores):
    s = pd.Series(scores)
    got = par.assign_bands(s, BANDS)
    # Outside the 1e-9 tolerance the vectorised rule equals the rule as stated.
    far = [abs(x - b) > 1e-8 for x in scores for b in BANDS.values()]
    far = np.array(far).reshape(len(scores), len(BANDS)).all(axis=1)
    expected = [_naive_band(x, BANDS) for x in scores]
    assert [g for g, f in zip(got.astype(str), far) if f] == [e for e, f in zip(expected, far) if f]
    order = s.sort_values().index
    codes = got.cat.codes[order].to_numpy()
    assert (np.diff(codes) <= 0).all()                    # higher score, never a worse band


# ---------------------------------------------------------------------------------------------
# The shipped tables reproduce the published figures
# ---------------------------------------------------------------------------------------------


def test_shipped_tables_are_clean_and_complete(shipped):
    for y, t in shipped.items():
        assert t.year == y
        assert t.problems.empty, t.problems
        assert t.scores.shape[0] == 110 * 9
        assert t.units.size == 110
    assert par.align_years(shipped[2019], shipped[2020]).empty


def test_published_2020_figures_are_reproduced(shipped):
    # DESIGN.md section 1: mean 85.78 %, 14 excellent (+4), 81 good (+13), fair -13,
    # completed -4 on 2019.
    units = {y: par.unit_scores(t) for y, t in shipped.items()}
    bands = {y: par.assign_bands(units[y]["score"], load_params(y).par_bands) for y in units}
    summary = par.score_summary(units[2020]["score"])
    assert round(float(summary["mean"].iloc[0]), 2) == 85.78
    changes = par.band_changes(bands[2019], bands[2020], "2019", "2020")
    assert changes.loc["excellent", "2020"] == 14
    assert changes.loc["good", "2020"] == 81
    assert changes["change"].to_dict() == {"excellent": 4, "good": 13, "fair": -13,
                                           "completed": -4, "not_completed": 0}
    check = par.published_comparison(summary["mean"].iloc[0], changes,
                                     load_params(2020).published["par_index_mean"],
                                     par.load_criteria().published[2020], after_label="2020")
    assert len(check) == 7 and check["match"].all()


def test_published_comparison_reports_a_mismatch():
    ch = pd.DataFrame({"2019": [10], "2020": [13]}, index=["excellent"])
    ch["change"] = ch["2020"] - ch["2019"]
    out = par.published_comparison(85.70, ch, 85.78, {"counts": {"excellent": 14},
                                                      "change_on_previous": {"excellent": 4}})
    assert out["match"].tolist() == [False, False, False]


def test_published_comparison_when_nothing_was_published():
    counts = pd.DataFrame({"2019": [10, 68]}, index=["excellent", "good"])
    out = par.published_comparison(83.6, counts, None, None)
    assert out.empty and list(out.columns) == ["figure", "what", "band", "published",
                                               "reproduced", "match"]


def test_published_comparison_says_what_each_figure_is():
    ch = pd.DataFrame({"2019": [10, 24], "2020": [14, 11]}, index=["excellent", "fair"])
    ch["change"] = ch["2020"] - ch["2019"]
    out = par.published_comparison(85.78, ch, 85.78, {"counts": {"excellent": 14},
                                                      "change_on_previous": {"fair": -13}})
    assert out["what"].tolist() == ["mean", "count", "change"]
    assert out["band"].tolist()[1:] == ["excellent", "fair"] and pd.isna(out["band"].iloc[0])


def test_unit_scores_add_the_points(shipped):
    raw = pd.read_csv(config.RAW / "par_2020.csv")
    direct = raw.groupby("unit_code")["appraised_points"].sum()
    direct_self = raw.groupby("unit_code")["self_points"].sum()
    u = par.unit_scores(shipped[2020])
    np.testing.assert_allclose(u["score"].to_numpy(), direct.reindex(u.index).to_numpy())
    np.testing.assert_allclose(u["uncertainty"].to_numpy(),
                               (direct_self - direct).abs().reindex(u.index).to_numpy())
    assert u["complete"].all() and (u["n_problems"] == 0).all()


def test_the_score_net_of_a_criterion_is_the_other_criteria_in_per_cent(shipped):
    raw = pd.read_csv(config.RAW / "par_2020.csv")
    others = raw.loc[raw["criterion"] != "satisfaction"]
    direct = 100 * others.groupby("unit_code")["appraised_points"].sum() / 80.0
    direct_self = 100 * others.groupby("unit_code")["self_points"].sum() / 80.0
    net = par.unit_scores(shipped[2020], exclude=["satisfaction"])
    np.testing.assert_allclose(net["score"], direct.reindex(net.index))
    np.testing.assert_allclose(net["uncertainty"], (direct_self - direct).abs().reindex(net.index))
    assert (net["max_total"] == 80.0).all()
    alone = par.unit_scores(shipped[2020], exclude=[c for c in shipped[2020].criteria.codes
                                                    if c != "satisfaction"])
    sat = raw.loc[raw["criterion"] == "satisfaction"].set_index("unit_code")["appraised_points"]
    np.testing.assert_allclose(alone["score"], 5 * sat.reindex(alone.index))
    with pytest.raises(ValueError, match="not a criterion: nope"):
        par.unit_scores(shipped[2020], exclude=["nope"])
    with pytest.raises(ValueError, match="no criterion"):
        par.unit_scores(shipped[2020], exclude=shipped[2020].criteria.codes)


# ---------------------------------------------------------------------------------------------
# Bad input: reported and handled, never silently dropped
# ---------------------------------------------------------------------------------------------


def test_score_above_max_negative_and_missing_criterion(criteria):
    a = _unit_rows(criteria, "A")
    a.loc[0, "appraised_points"] = 12.5            # direction, max 10
    a.loc[1, "appraised_points"] = -1              # institutions
    b = _unit_rows(criteria, "B").drop(index=8)    # satisfaction missing
    t = par.load_par(pd.concat([a, b]), criteria, 2020)
    reasons = t.problems.set_index(["unit_code", "criterion"])["reason"]
    assert reasons[("A", "direction")] == "above_max"
    assert reasons[("A", "institutions")] == "negative"
    assert reasons[("B", "satisfaction")] == "criterion_missing"
    s = t.scores.set_index(["unit_code", "criterion"])
    assert s.loc[("A", "direction"), "appraised_points"] == 10.0
    assert s.loc[("A", "institutions"), "appraised_points"] == 0.0
    assert s.loc[("B", "satisfaction"), "appraised_points"] == 0.0
    assert s.loc[("B", "satisfaction"), "flag"] == "criterion_missing"
    u = par.unit_scores(t)
    maxima = criteria.max_points
    assert u.loc["A", "score"] == pytest.approx(10 + 0 + (maxima.iloc[2:] - 1).sum())
    assert u.loc["B", "score"] == pytest.approx((maxima.iloc[:8] - 1).sum())
    assert u["complete"].to_dict() == {"A": True, "B": False}
    assert np.isnan(u.loc["B", "uncertainty"])      # no self-assessment for satisfaction


def test_excluded_rows_are_all_accounted_for(criteria):
    rows = pd.concat([
        _unit_rows(criteria, "A", year=2020),
        _unit_rows(criteria, "B", year=2020).head(1).assign(criterion="bribery"),
        _unit_rows(criteria, "C", year=2019),                        # another year
        _unit_rows(criteria, "A", year=2020).head(2),                # duplicates
        _unit_rows(criteria, "", year=2020).head(1),                 # no unit code
    ], ignore_index=True)
    t = par.load_par(rows, criteria, 2020)
    excluded = {"other_year", "unit_code_missing", "unknown_criterion", "duplicate_row"}
    n_excluded = t.problems["reason"].isin(excluded).sum()
    kept = len(rows) - n_excluded
    assert kept == 9                                  # unit A's nine rows
    assert t.problems["reason"].value_counts().to_dict() == {
        "other_year": 9, "duplicate_row": 2, "unit_code_missing": 1, "unknown_criterion": 1}
    assert t.units.tolist() == ["A"]


def test_text_points_decimal_comma_and_not_a_number(criteria):
    rows = _unit_rows(criteria, "A").astype({"appraised_points": "object"})
    rows.loc[0, "appraised_points"] = "9,5"
    rows.loc[1, "appraised_points"] = "n/a"
    t = par.load_par(rows, criteria, 2020)
    s = t.scores.set_index("criterion")
    assert s.loc["direction", "appraised_points"] == 9.5
    assert s.loc["institutions", "appraised_points"] == 0.0
    assert set(t.problems.loc[t.problems["criterion"] == "institutions", "reason"]) == {
        "not_a_number", "criterion_missing"}
    assert not par.unit_scores(t).loc["A", "complete"]


def test_names_are_nfc_and_provinces_canonical(criteria):
    nfd = unicodedata.normalize("NFD", "Công an tỉnh Thừa Thiên Huế")
    rows = pd.concat([
        _unit_rows(criteria, "P1", unit=nfd, province="Huế", unit_type="province"),
        _unit_rows(criteria, "P2", province="Atlantis", unit_type="province"),
        _unit_rows(criteria, "P3", province="Hà Nội", unit_type="province")
        .assign(unit=["Unit P3"] * 8 + ["Other name"]),
    ])
    t = par.load_par(rows, criteria, 2020)
    u = par.unit_scores(t)
    assert u.loc["P1", "unit"] == unicodedata.normalize("NFC", nfd)
    assert u.loc["P1", "province"] == "Thừa Thiên Huế"
    reasons = t.problems.groupby("unit_code")["reason"].agg(set).to_dict()
    assert reasons == {"P2": {"unknown_province"}, "P3": {"unit_name_conflict"}}
    assert u.loc["P3", "unit"] == "Unit P3"


def test_file_level_faults(tmp_path, criteria):
    with pytest.raises(par.ParDataError, match="not found"):
        par.load_par(tmp_path / "par_2020.csv", criteria)
    bad = tmp_path / "par.csv"
    bad.write_text("unit_code,unit,criterion\nA,x,direction\n", encoding="utf-8")
    with pytest.raises(par.ParDataError, match="missing column.*appraised_points"):
        par.load_par(bad, criteria)
    odd = tmp_path / "par.json"
    odd.write_text("{}", encoding="utf-8")
    with pytest.raises(par.ParDataError, match="unsupported"):
        par.load_par(odd, criteria)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("unit_code,unit,criterion,appraised_points\nA,Hu\xe9,direction,1\n"
                      .encode("latin-1"))
    with pytest.raises(par.ParDataError, match="not UTF-8"):
        par.load_par(latin, criteria)
    with pytest.raises(par.ParDataError, match="no usable row"):
        par.load_par(_unit_rows(criteria, "A", year=2019), criteria, 2020)


def test_file_formats_read_alike(tmp_path, criteria):
    rows = pd.concat([_unit_rows(criteria, "A"), _unit_rows(criteria, "B")])
    rows.to_csv(tmp_path / "p.csv", index=False, encoding="utf-8-sig")
    rows.to_parquet(tmp_path / "p.parquet")
    rows.to_excel(tmp_path / "p.xlsx", index=False)
    scores = [par.unit_scores(par.load_par(tmp_path / f"p.{ext}", criteria, 2020))["score"]
              for ext in ("csv", "parquet", "xlsx")]
    for s in scores[1:]:
        pd.testing.assert_series_equal(scores[0], s)


# ---------------------------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------------------------


def test_transition_matrix_matches_crosstab_and_adds_up(shipped):
    b = {y: par.assign_bands(par.unit_scores(t)["score"], BANDS) for y, t in shipped.items()}
    m = par.transition_matrix(b[2019], b[2020], "2019", "2020")
    ref = pd.crosstab(b[2019].astype(str), b[2020].astype(str))
    core = m.loc[ref.index, ref.columns]
    pd.testing.assert_frame_equal(core, ref, check_names=False, check_dtype=False)
    assert m.loc["total", "total"] == 110
    assert (m.loc["total"].drop("total") == m.drop(index="total").drop(columns="total").sum()).all()
    assert m.loc["absent"].sum() == 0 and m["absent"].sum() == 0
    assert m.index.tolist() == [*BANDS, "not_completed", "absent", "total"]
    s = par.transition_summary(b[2019], b[2020]).iloc[0]
    assert s["moved_up"] + s["stayed"] + s["moved_down"] == 110
    # The published net changes (+4 excellent, +13 good) need more units up than down.
    assert s["moved_up"] > s["moved_down"]


def test_units_in_one_year_only_are_absent_and_counted(criteria):
    y1 = par.load_par(pd.concat([_unit_rows(criteria, c) for c in "ABC"]), criteria, 2019)
    y2 = par.load_par(pd.concat([_unit_rows(criteria, c) for c in "BCDE"]), criteria, 2020)
    problems = par.align_years(y1, y2)
    assert sorted(zip(problems["year"], problems["unit_code"])) == [
        (2019, "A"), (2020, "D"), (2020, "E")]
    assert (problems["reason"] == "unit_in_one_year_only").all()
    b1 = par.assign_bands(par.unit_scores(y1)["score"], BANDS)
    b2 = par.assign_bands(par.unit_scores(y2)["score"], BANDS)
    m = par.transition_matrix(b1, b2)
    assert m.loc["total", "total"] == 5                       # units of either year
    assert m.loc["good", "absent"] == 1                        # A left
    assert m.loc["absent", "good"] == 2                        # D and E entered
    assert m.loc["absent", "absent"] == 0
    s = par.transition_summary(b1, b2).iloc[0]
    assert (s["entered"], s["left"], s["stayed"], s["units"]) == (2, 1, 2, 5)


def test_transition_inputs_are_checked():
    with pytest.raises(TypeError, match="categorical"):
        par.transition_matrix(pd.Series(["good"]), pd.Series(["good"]))
    dup = par.assign_bands(pd.Series([90.0, 91.0], index=["A", "A"]), BANDS)
    with pytest.raises(ValueError, match="unique"):
        par.transition_matrix(dup, dup)


# ---------------------------------------------------------------------------------------------
# Summary, losses, robustness
# ---------------------------------------------------------------------------------------------


def test_score_summary_against_statsmodels_and_scipy_bootstrap(shipped):
    x = par.unit_scores(shipped[2020])["score"]
    s = par.score_summary(x, confidence=0.95, n_boot=4000, seed=1).iloc[0]
    lo, hi = DescrStatsW(x.to_numpy()).tconfint_mean(alpha=0.05)
    assert s["ci_low"] == pytest.approx(lo, abs=1e-10)
    assert s["ci_high"] == pytest.approx(hi, abs=1e-10)
    assert s["mean"] == pytest.approx(x.mean())
    assert s["median"] == pytest.approx(x.median())
    ref = stats.bootstrap((x.to_numpy(),), np.mean, n_resamples=4000, method="percentile",
                          rng=np.random.default_rng(2)).confidence_interval
    assert s["boot_low"] == pytest.approx(ref.low, abs=0.15)
    assert s["boot_high"] == pytest.approx(ref.high, abs=0.15)


def test_score_summary_bad_input():
    with pytest.raises(ValueError, match="at least 2"):
        par.score_summary(pd.Series([90.0, np.nan]))
    with pytest.raises(ValueError, match="confidence"):
        par.score_summary(pd.Series([90.0, 80.0]), confidence=95)


def test_criterion_losses_add_up(shipped):
    raw = pd.read_csv(config.RAW / "par_2020.csv")
    crit = par.load_criteria()
    losses = par.criterion_losses(shipped[2020])
    lost_direct = (raw["criterion"].map(crit.max_points) - raw["appraised_points"])
    assert losses["total_lost"].sum() == pytest.approx(lost_direct.sum())
    assert losses["total_lost"].sum() == pytest.approx(110 * 100 - raw["appraised_points"].sum())
    assert losses["total_lost"].is_monotonic_decreasing
    assert losses["share_of_losses"].sum() == pytest.approx(100.0)
    by = lost_direct.groupby(raw["criterion"]).sum()
    np.testing.assert_allclose(losses["total_lost"], by.reindex(losses.index))


def _naive_codes(scores: np.ndarray, bands: dict[str, float]) -> np.ndarray:
    order = [*sorted(bands, key=bands.get, reverse=True), par.NOT_COMPLETED]
    return np.array([order.index(_naive_band(x, bands)) for x in scores])


def test_robustness_against_a_naive_count(shipped):
    u = par.unit_scores(shipped[2020])
    # Keep away from the 1e-9 tolerance: the naive rule has none.
    s, unc = u["score"], u["uncertainty"]
    r = par.robustness(s, BANDS, uncertainty=unc, threshold_shift=1.0).set_index("scenario")
    base = _naive_codes(s.to_numpy(), BANDS)
    up = _naive_codes((s + unc).to_numpy(), BANDS)
    down = _naive_codes((s - unc).to_numpy(), BANDS)
    assert r.loc["scores + uncertainty", "changed"] == (up != base).sum()
    assert r.loc["scores - uncertainty", "changed"] == (down != base).sum()
    assert r.loc["scores +/- uncertainty", "changed"] == ((up != base) | (down != base)).sum()
    hi = _naive_codes(s.to_numpy(), {k: v + 1 for k, v in BANDS.items()})
    lo = _naive_codes(s.to_numpy(), {k: v - 1 for k, v in BANDS.items()})
    assert r.loc["thresholds +1 pt", "changed"] == (hi != base).sum()
    assert r.loc["thresholds -1 pt", "changed"] == (lo != base).sum()
    assert r.loc["thresholds +/-1 pt", "changed"] == ((hi != base) | (lo != base)).sum()
    assert r.loc["as scored", [*BANDS]].tolist() == [14, 81, 11, 4]
    # Raising every threshold can only move units down, lowering only up.
    assert r.loc["thresholds +1 pt", "moved_up"] == 0
    assert r.loc["thresholds -1 pt", "moved_down"] == 0
    for row in ("as scored", "scores + uncertainty", "thresholds -1 pt"):
        assert r.loc[row, [*BANDS, "not_completed"]].sum() == 110


def test_robustness_small_example_and_bad_input():
    s = pd.Series([80.0, 79.5, 95.2, np.nan], index=list("ABCD"))
    r = par.robustness(s, BANDS, uncertainty=pd.Series({"A": 0.0, "B": 0.5, "C": np.nan}),
                       threshold_shift=0.5).set_index("scenario")
    assert r.loc["scores + uncertainty", "changed"] == 1           # B reaches 80
    assert r.loc["scores + uncertainty", "not_moved"] == 1          # C has no uncertainty
    assert r.loc["thresholds +0.5 pt", "changed"] == 2              # A to fair, C to good
    assert r.loc["thresholds +0.5 pt", "moved_down"] == 2
    assert r.loc["thresholds -0.5 pt", "changed"] == 1              # B rises to good
    assert r.loc["as scored", "units"] == 3
    with pytest.raises(ValueError, match="threshold_shift"):
        par.robustness(s, BANDS, threshold_shift=-1)
    with pytest.raises(ValueError, match="uncertainty"):
        par.robustness(s, BANDS, uncertainty=-1.0)


def test_fragility_under_each_assumption_against_a_naive_count(shipped):
    """Each assumption's rows against the naive band rule applied to shifted scores."""
    u = par.unit_scores(shipped[2020])
    f = par.fragility(u, BANDS, fixed=(1.0, 2.0, 0.5), threshold_shift=1.0)
    s, gap = u["score"].to_numpy(), u["uncertainty"].to_numpy()
    base = _naive_codes(s, BANDS)
    deltas = {("gap", 0.0): gap, ("half_gap", 0.0): gap / 2,
              **{("fixed", d): np.full(s.size, d) for d in (1.0, 2.0, 0.5)}}
    for (name, d), delta in deltas.items():
        rows = f.loc[(f["assumption"] == name) & (f["points"].fillna(0.0) == d)]
        up, down = _naive_codes(s + delta, BANDS), _naive_codes(s - delta, BANDS)
        by = rows.set_index("direction")
        assert by.loc["up", "changed"] == (up != base).sum(), name
        assert by.loc["down", "changed"] == (down != base).sum(), name
        assert by.loc["either", "changed"] == ((up != base) | (down != base)).sum(), name
        assert by.loc["either", "moved_up"] == (up < base).sum()
        assert by.loc["either", "moved_down"] == (down > base).sum()
        assert by.loc["up", [*BANDS, "not_completed"]].sum() == len(u)
    thresholds = f.loc[f["assumption"] == "thresholds"].set_index("direction")
    hi = _naive_codes(s, {k: v + 1 for k, v in BANDS.items()})
    lo = _naive_codes(s, {k: v - 1 for k, v in BANDS.items()})
    assert thresholds.loc["either", "changed"] == ((hi != base) | (lo != base)).sum()
    scored = f.loc[f["assumption"] == "as scored"].iloc[0]
    assert scored["changed"] == 0 and scored[[*BANDS]].tolist() == [14, 81, 11, 4]
    # Half the gap can never move more units than the whole gap (bands are intervals).
    either = f.loc[f["direction"] == "either"].set_index("assumption")
    assert either.loc["half_gap", "changed"] <= either.loc["gap", "changed"]
    fixed = either.loc["fixed"].set_index("points")["changed"]
    assert fixed[0.5] <= fixed[1.0] <= fixed[2.0]


def test_fragility_bad_input_and_unknown_gaps():
    units = pd.DataFrame({"score": [80.0, 79.5], "uncertainty": [np.nan, 1.0]}, index=["A", "B"])
    f = par.fragility(units, BANDS, fixed=(1.0,))
    gap = f.loc[(f["assumption"] == "gap") & (f["direction"] == "either")].iloc[0]
    assert gap["not_moved"] == 1 and gap["changed"] == 1           # A has no gap; B reaches 80
    fixed = f.loc[(f["assumption"] == "fixed") & (f["direction"] == "either")].iloc[0]
    assert fixed["not_moved"] == 0 and fixed["changed"] == 2
    for bad in ({"fixed": (0.0,)}, {"fixed": (-1.0,)}, {"threshold_shift": 0.0}):
        with pytest.raises(ValueError, match="positive"):
            par.fragility(units, BANDS, **bad)
    with pytest.raises(KeyError):
        par.fragility(units.drop(columns="uncertainty"), BANDS)


def test_band_margins():
    m = par.band_margins(pd.Series([95.0, 94.5, 40.0]), BANDS)
    assert m["to_lower"].tolist()[:2] == [0.0, 14.5]
    assert np.isnan(m["to_upper"].iloc[0]) and m["to_upper"].iloc[1] == 0.5
    assert np.isnan(m["to_lower"].iloc[2]) and m["to_upper"].iloc[2] == 10.0


def test_fragile_units_are_the_units_robustness_moves(shipped):
    """Against the naive band rule: a unit is fragile when score +/- its uncertainty lands in
    another band; the count is robustness's "scores +/- uncertainty" row."""
    u = par.unit_scores(shipped[2020])
    fragile = par.fragile_units(u, BANDS)
    s, unc = u["score"].to_numpy(), u["uncertainty"].to_numpy()
    base = _naive_codes(s, BANDS)
    moved = (_naive_codes(s + unc, BANDS) != base) | (_naive_codes(s - unc, BANDS) != base)
    assert set(fragile.index) == set(u.index[moved])
    r = par.robustness(u["score"], BANDS, uncertainty=u["uncertainty"]).set_index("scenario")
    assert len(fragile) == r.loc["scores +/- uncertainty", "changed"] > 0
    assert list(fragile.columns) == ["score", "band", "to_lower", "to_upper", "unit",
                                     "uncertainty"]
    assert fragile["to_lower"].is_monotonic_increasing
    # Each fragile unit is within its uncertainty of a bound of its band, on one side or the other.
    near = (fragile["to_lower"] < fragile["uncertainty"]) | (
        fragile["to_upper"] <= fragile["uncertainty"])
    assert near.all()


def test_fragile_units_on_a_bound_missing_uncertainty_and_bad_input():
    units = pd.DataFrame({"unit": list("abcde"), "score": [80.0, 80.0, 79.5, 60.0, np.nan],
                          "uncertainty": [0.0, 0.25, 0.5, np.nan, 3.0]}, index=list("ABCDE"))
    fragile = par.fragile_units(units, BANDS)
    # A (on the bound, no uncertainty) stays; B drops to fair; C reaches good (80.0 is good);
    # D has no uncertainty; E has no score.
    assert fragile.index.tolist() == ["B", "C"]
    with pytest.raises(KeyError):
        par.fragile_units(units.drop(columns="uncertainty"), BANDS)
    with pytest.raises(ValueError, match="bands"):
        par.fragile_units(units, {})


def test_load_year_is_the_table_its_scores_and_its_bands(criteria):
    p = load_params(2020)
    year = par.load_year(p, criteria)
    table = par.load_par(config.RAW / "par_2020.csv", criteria, 2020)
    pd.testing.assert_frame_equal(year.table.scores, table.scores)
    pd.testing.assert_frame_equal(year.units, par.unit_scores(table))
    assert year.bands.tolist() == [_naive_band(x, p.par_bands) for x in year.units["score"]]
    assert year.bands.index.equals(year.units.index) and year.thresholds == p.par_bands
    assert par.band_counts(year.bands)["n"].head(4).tolist() == [14, 81, 11, 4]  # published


def test_load_baseline_year_and_a_year_without_its_file(tmp_path, criteria):
    import dataclasses

    base = par.load_baseline_year(load_params(2020), criteria)
    assert base.year == 2019 and len(base.units) == 110
    assert base.bands.tolist() == [_naive_band(x, base.thresholds) for x in base.units["score"]]
    assert par.load_baseline_year(load_params(2019), criteria) is None
    # A baseline whose unit table is not in this repository: no comparison, not an error.
    folder = tmp_path / "params"
    folder.mkdir()
    for year in (2019, 2020):
        text = (config.PARAMS / f"{year}.yaml").read_text(encoding="utf-8")
        if year == 2019:
            text = text.replace("data/raw/par_2019.csv", "data/raw/par_1999.csv")
        (folder / f"{year}.yaml").write_text(text, encoding="utf-8")
    moved = load_params(2020, folder / "2020.yaml")
    assert par.load_baseline_year(moved, criteria) is None
    no_file = dataclasses.replace(load_params(2020), par_file=None)
    with pytest.raises(par.ParDataError, match="no par_file"):
        par.load_year(no_file, criteria)


# ---------------------------------------------------------------------------------------------
# Spearman with an interval; PAR against satisfaction
# ---------------------------------------------------------------------------------------------

# R statpsych::ci.spear documented example (Bonett & Wright 2000 standard error).
STATPSYCH_Y = [21, 4, 9, 12, 35, 18, 10, 22, 24, 1, 6, 8, 13, 16, 19]
STATPSYCH_X = [67, 28, 30, 28, 52, 40, 25, 37, 44, 10, 14, 20, 28, 40, 51]


def test_spearman_bonett_wright_equals_statpsych():
    r = par.spearman_ci(STATPSYCH_Y, STATPSYCH_X, method="bonett-wright", confidence=0.95)
    assert r["rho"] == pytest.approx(0.8699639, abs=5e-8)
    assert r["se"] == pytest.approx(0.08241326, abs=5e-9)
    assert r["ci_low"] == pytest.approx(0.5840951, abs=5e-8)
    assert r["ci_high"] == pytest.approx(0.9638297, abs=5e-8)


def test_spearman_rho_and_p_equal_scipy_with_ties():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 6, 40).astype(float)
    y = x + rng.integers(0, 4, 40)
    ref = stats.spearmanr(x, y)
    r = par.spearman_ci(x, y)
    assert r["rho"] == pytest.approx(ref.statistic, abs=1e-12)
    assert r["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)


def test_spearman_fisher_and_fieller_against_scipy_pearson_on_ranks():
    rng = np.random.default_rng(3)
    x = rng.normal(size=63)
    y = 0.5 * x + rng.normal(size=63)
    ref = stats.pearsonr(stats.rankdata(x), stats.rankdata(y)).confidence_interval(0.95)
    fisher = par.spearman_ci(x, y, method="fisher")
    assert (fisher["ci_low"], fisher["ci_high"]) == pytest.approx((ref.low, ref.high), abs=1e-12)
    fieller = par.spearman_ci(x, y, method="fieller")
    half_ref = (np.arctanh(ref.high) - np.arctanh(ref.low)) / 2
    half = (np.arctanh(fieller["ci_high"]) - np.arctanh(fieller["ci_low"])) / 2
    assert half == pytest.approx(np.sqrt(1.06) * half_ref, rel=1e-10)


def test_spearman_bootstrap_against_scipy_bootstrap():
    rng = np.random.default_rng(4)
    x = rng.normal(size=63)
    y = 0.5 * x + rng.normal(size=63)
    r = par.spearman_ci(x, y, method="bootstrap", n_boot=4000, seed=1)

    def rho(a, b):
        return stats.spearmanr(a, b).statistic

    ref = stats.bootstrap((x, y), rho, paired=True, vectorized=False, n_resamples=1000,
                          method="percentile", rng=np.random.default_rng(9)).confidence_interval
    assert r["ci_low"] == pytest.approx(ref.low, abs=0.05)
    assert r["ci_high"] == pytest.approx(ref.high, abs=0.05)


@pytest.mark.parametrize("x, y, kwargs, message", [
    ([1, 2, 3], [1, 2, 3], {}, "at least 4"),
    ([1, 1, 1, 1, 1], [1, 2, 3, 4, 5], {}, "constant"),
    ([1, 2, 3, 4], [1, 2, 3], {}, "equal length"),
    ([1, 2, 3, 4], [1, 2, 4, 3], {"method": "kendall"}, "method"),
    ([1, 2, 3, 4], [1, 2, 4, 3], {"confidence": 1.5}, "confidence"),
])
def test_spearman_bad_input(x, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        par.spearman_ci(x, y, **kwargs)


def _satisfaction_table(units: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """A SurveyDesign-like table: one row per province, the columns of an estimate table."""
    rng = np.random.default_rng(seed)
    prov = units.loc[units["unit_type"] == "province", "province"]
    est = np.clip(0.9 + 0.002 * (units.loc[prov.index, "score"].to_numpy() - 85)
                  + rng.normal(0, 0.02, prov.size), 0, 1)
    return pd.DataFrame({"estimate": est, "se": 0.01, "ci_low": est - 0.02,
                         "ci_high": est + 0.02, "deff": 1.5, "n": 350, "n_eff": 233.0,
                         "df": 12},
                        index=pd.Index(prov.to_numpy(), name="province"))


def test_par_vs_satisfaction_pairs_provinces(shipped):
    units = par.unit_scores(shipped[2020])
    sat = _satisfaction_table(units)
    r = par.par_vs_satisfaction(units, sat)
    assert len(r.table) == 63 and r.unmatched.empty
    assert set(r.table["unit_code"]) == set(units.index[units["unit_type"] == "province"])
    pairs = units.loc[units["unit_type"] == "province"].set_index("province")["score"]
    ref = stats.spearmanr(pairs.reindex(sat.index), sat["estimate"]).statistic
    assert r.summary["rho"].iloc[0] == pytest.approx(ref, abs=1e-12)
    assert r.summary["n"].iloc[0] == 63
    assert {"sat_ci_low", "sat_ci_high", "sat_n"} <= set(r.table.columns)


def test_par_vs_satisfaction_unmatched_suppressed_and_aliases(shipped):
    units = par.unit_scores(shipped[2020])
    sat = _satisfaction_table(units).drop(index="Cà Mau")
    sat = sat.rename(index={"Thừa Thiên Huế": "Huế", "TP. Hồ Chí Minh": "TP.HCM"})
    sat.loc["Atlantis"] = sat.iloc[0]
    sat["suppressed"] = False
    sat.loc["Sơn La", "suppressed"] = True
    r = par.par_vs_satisfaction(units, sat)
    assert len(r.table) == 61
    assert {"Thừa Thiên Huế", "TP. Hồ Chí Minh"} <= set(r.table["province"])
    assert sorted(map(tuple, r.unmatched[["province", "side"]].to_numpy())) == [
        ("Atlantis", "satisfaction only"), ("Cà Mau", "PAR only"),
        ("Sơn La", "satisfaction suppressed")]


def test_unreliable_satisfaction_is_suppressed_by_the_nchs_rules(shipped):
    units = par.unit_scores(shipped[2020])
    sat = _satisfaction_table(units)
    sat.loc["Hà Giang", "n_eff"] = 20.0                   # NCHS: n_eff < 30 -> suppressed
    sat.loc["Lai Châu", "n"] = 5                          # under the disclosure threshold
    r = par.par_vs_satisfaction(units, sat)
    hidden = set(r.unmatched.loc[r.unmatched["side"] == "satisfaction suppressed", "province"])
    assert hidden == {"Hà Giang", "Lai Châu"}
    assert r.summary["n"].iloc[0] == 61
    assert not set(r.table["province"]) & hidden


def test_par_vs_satisfaction_bad_input(shipped):
    units = par.unit_scores(shipped[2020])
    with pytest.raises(ValueError, match="estimate"):
        par.par_vs_satisfaction(units, pd.DataFrame({"rate": [0.9]}, index=["Hà Nội"]))
    with pytest.raises(ValueError, match="at least 4"):
        par.par_vs_satisfaction(units, pd.Series([0.9, 0.8], index=["Hà Nội", "Cà Mau"]))
    twice = units.copy()
    twice.loc["B01", ["province", "unit_type"]] = ["Hà Nội", "province"]
    with pytest.raises(ValueError, match="several PAR units"):
        par.par_vs_satisfaction(twice, _satisfaction_table(units))
    with pytest.raises(ValueError, match="province"):
        par.par_vs_satisfaction(units.drop(columns="province"), _satisfaction_table(units))


def test_par_vs_satisfaction_with_the_survey_design(tmp_path):
    """With the cleaned 2020 survey and SurveyDesign."""
    from satisfaction.clean import clean_file

    p = load_params(2020)
    survey = clean_file(config.RAW / "survey_2020.csv", 2020, tmp_path / "2020").data
    sat = p.design.build(survey).proportion("satisfied", by="province")
    units = par.unit_scores(par.load_par(p.par_file, year=2020))
    r = par.par_vs_satisfaction(units, sat)
    # Every province is either in the correlation or listed (suppressed or not surveyed).
    assert r.summary["n"].iloc[0] + (r.unmatched["side"] != "satisfaction only").sum() == 63
    assert -1 <= r.summary["ci_low"].iloc[0] <= r.summary["rho"].iloc[0] <= r.summary[
        "ci_high"].iloc[0] <= 1


def _province_table(criteria, scores: dict[str, np.ndarray], provinces: list[str]) -> par.ParTable:
    """A unit table of provincial units whose points per criterion are given."""
    n = len(provinces)
    points = np.tile(criteria.max_points.to_numpy() * 0.8, (n, 1))
    for code, values in scores.items():
        points[:, criteria.codes.index(code)] = values
    rows = pd.DataFrame({
        "unit_code": np.repeat([f"P{i:02d}" for i in range(n)], len(criteria.codes)),
        "unit": np.repeat(provinces, len(criteria.codes)), "unit_type": "province",
        "province": np.repeat(provinces, len(criteria.codes)),
        "criterion": criteria.codes * n, "appraised_points": points.ravel()})
    return par.load_par(rows, criteria, 2020)


def test_the_satisfaction_criterion_can_make_the_whole_score_correlate(criteria):
    """Planted truth: the index's satisfaction criterion follows the survey, the rest of the
    index runs against it. The whole score correlates with the survey; net of the criterion it
    does not, and the criterion alone does perfectly."""
    from satisfaction.codebook import load_codebook

    provinces = load_codebook().provinces[:30]
    rng = np.random.default_rng(7)
    survey = pd.Series(np.sort(rng.uniform(0.85, 0.99, 30)), index=provinces)
    planted = np.linspace(4, 20, 30)                       # follows the survey's ranks
    noise = {c: rng.uniform(0, criteria.max_points[c], 30) for c in ("direction", "impact")}
    table = _province_table(criteria, {"satisfaction": planted, **noise}, provinces)
    links = par.satisfaction_links(table, survey)
    assert list(links) == ["score", "net", "criterion"]
    rho = {k: float(v.summary["rho"].iloc[0]) for k, v in links.items()}
    assert rho["criterion"] == pytest.approx(1.0)
    net = par.unit_scores(table, exclude=["satisfaction"]).set_index("province")["score"]
    whole = par.unit_scores(table).set_index("province")["score"]
    assert rho["net"] == pytest.approx(stats.spearmanr(net[provinces], survey).statistic)
    assert rho["score"] == pytest.approx(stats.spearmanr(whole[provinces], survey).statistic)
    assert rho["score"] > 0.5 > abs(rho["net"])


def test_satisfaction_links_without_a_usable_criterion(tmp_path, criteria):
    from satisfaction.codebook import load_codebook

    provinces = load_codebook().provinces[:10]
    survey = pd.Series(np.linspace(0.9, 0.99, 10), index=provinces)
    # Every unit has full points on the satisfaction criterion: no rank correlation for it alone.
    table = _province_table(criteria, {"satisfaction": np.full(10, 20.0),
                                       "direction": np.linspace(1, 10, 10)}, provinces)
    assert list(par.satisfaction_links(table, survey)) == ["score", "net"]
    spec = tmp_path / "criteria.yaml"
    spec.write_text("criteria:\n  direction: {max_points: 50}\n  impact: {max_points: 50}\n",
                    encoding="utf-8")
    plain = par.load_criteria(spec)
    rows = pd.DataFrame({"unit_code": np.repeat([f"P{i}" for i in range(10)], 2),
                         "unit": "u", "unit_type": "province",
                         "province": np.repeat(provinces, 2),
                         "criterion": ["direction", "impact"] * 10,
                         "appraised_points": np.tile([30.0, 40.0], 10) + np.repeat(
                             np.arange(10.0), 2)})
    assert list(par.satisfaction_links(par.load_par(rows, plain, 2020), survey)) == ["score"]
