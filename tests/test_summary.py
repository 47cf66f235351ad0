"""Tests of satisfaction.report.summary: findings computed from the numbers, honest labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from satisfaction.report.summary import (
    index_findings,
    par_reproduction,
    published_check,
    satisfaction_findings,
)


def estimates(values, names, n=None, name="level", **extra) -> pd.DataFrame:
    est = np.asarray(values, dtype=float)
    n = np.asarray(n if n is not None else [2000] * len(est), dtype=float)
    return pd.DataFrame({"estimate": est, "se": 0.005, "ci_low": est - 0.01,
                         "ci_high": np.minimum(est + 0.01, 1.0), "deff": 2.0, "n": n,
                         "n_eff": n / 2, **extra}, index=pd.Index(names, name=name))


OVERALL = pd.Series({"estimate": 0.9645, "ci_low": 0.96088, "ci_high": 0.96787, "n": 22250})


def test_three_to_five_findings_with_the_numbers_of_the_tables():
    level = estimates([0.9465, 0.9639, 0.9675], ["central", "province", "district"])
    field = estimates([0.9424, 0.975, 0.5], ["seals", "passport", "weapons"], n=[1500, 1900, 4],
                      name="field")
    components = estimates([0.9269, 0.9481, 0.7727], ["sat_access", "sat_procedures",
                                                     "sat_feedback"], name="component")
    offices = estimates([0.90, 0.99, 0.96, 0.5], ["A", "B", "C", "tiny"], n=[400, 400, 400, 3],
                        name="office")
    found = satisfaction_findings(
        2020, OVERALL, domains={"level": level, "field": field},
        labels={"field": {"seals": "Con dấu", "passport": "Hộ chiếu"}}, components=components,
        component_labels={"sat_feedback": "Tiếp nhận, xử lý góp ý"}, offices=offices,
        published_pct=96.45, synthetic=True)
    assert 3 <= len(found) <= 5
    en = [f.render("en") for f in found]
    vi = [f.render("vi") for f in found]
    assert "96.45 %" in en[0] and "96.09 % to 96.79 %" in en[0] and "22,250" in en[0]
    assert "96,45 %" in vi[0] and "22.250" in vi[0]
    # the widest gap ignores the suppressed cell (weapons, 4 respondents)
    assert "procedure field" in en[1] and "94.24 % (Con dấu) to 97.50 % (Hộ chiếu)" in en[1]
    assert "+3.26 points" in en[1] and "50.00" not in en[1]
    assert "does not test" in en[1]
    assert "Tiếp nhận, xử lý góp ý" in en[2] and "77.27 %" in en[2]
    assert en[3].startswith("3 of 4 offices") and "1 of them lies entirely below" in en[3]
    assert "1 entirely above" in en[3] and "not corrected for multiple comparisons" in en[3]
    assert en[4].startswith("Calibration check, not a confirmation")


def test_without_a_published_figure_the_last_finding_counts_flags():
    level = estimates([0.95, 0.9], ["a", "b"], n=[5, 2000])
    found = satisfaction_findings(2019, OVERALL, domains={"level": level})
    assert "suppressed (too few respondents or too unstable to publish): 1" in found[-1].render("en")
    # it says which estimates it counts (the page's cross-tabulation is not among them)
    assert found[-1].render("en").startswith("Estimates by level: 2;")
    assert found[-1].render("vi").startswith("Số ước lượng theo cấp: 2;")


@pytest.mark.parametrize(("values", "words"), [
    ([0.90, 0.99], ("1 of them lies entirely below", "1 entirely above")),
    ([0.90, 0.96], ("1 of them lies entirely below", "and none entirely above it")),
    ([0.99, 0.96], ("none of their intervals lies entirely below", "1 lie entirely above")),
    ([0.96, 0.965], ("none of their intervals lies entirely below or above",)),
])
def test_offices_above_or_below_the_national_rate_never_read_of_0(values, words):
    offices = estimates(values, ["A", "B"], n=[400, 400], name="office")
    found = satisfaction_findings(2020, OVERALL, domains={"level": estimates([0.96], ["x"])},
                                  offices=offices)
    text = next(f.render("en") for f in found if "offices have a rate" in f.render("en"))
    assert all(w in text for w in words) and "of 0" not in text, text


def test_calibration_is_not_called_confirmation():
    synthetic = published_check(0.9645, 96.45, synthetic=True).render("en")
    assert "Calibration check, not a confirmation" in synthetic and "does." in synthetic
    close = published_check(0.9640, 96.45, synthetic=True).render("en")
    assert "comes close" in close
    real = published_check(0.9612, 96.45, synthetic=False, ci=(0.957, 0.965)).render("vi")
    assert "nằm trong khoảng tin cậy" in real and "-0,33 điểm" in real
    outside = published_check(0.90, 96.45, synthetic=False, ci=(0.89, 0.91)).render("en")
    assert "outside" in outside
    assert published_check(0.9, None, synthetic=True) is None
    assert published_check(0.9, float("nan"), synthetic=True) is None


def test_par_reproduction_wording():
    assert par_reproduction(7, 7, synthetic=True).render("en").startswith("Calibration, not")
    assert "kiểm tra hiệu chỉnh" in par_reproduction(7, 7, synthetic=True).render("vi")
    assert par_reproduction(7, 7, synthetic=False).render("en") == (
        "The unit table reproduces all 7 published figures.")
    assert "6 of the 7" in par_reproduction(6, 7, synthetic=False).render("en")


HEADLINES = {
    "01_clean": {"rows_in": 22400, "respondents": 22250, "quarantined": 150},
    "02_satisfaction": {"rate": 0.9645, "ci_low": 0.96088, "ci_high": 0.96787,
                        "respondents": 22250, "n_valid": 22250, "published_rate": 96.45},
    "03_change": {"baseline_year": 2019, "change_pp": 9.76, "change_ci_low": 9.06,
                  "change_ci_high": 10.48, "change_p_value": 0.0, "confidence": 0.95},
    "04_par_index": {"par_index_mean": 85.78, "par_units": 110, "par_excellent": 14,
                     "par_good": 81},
}


def test_index_findings_from_the_saved_headlines():
    found = index_findings(2020, HEADLINES, synthetic=True)
    en = [f.render("en") for f in found]
    assert len(en) == 5
    assert en[0].startswith("In 2020, 96.45 %")
    assert en[1].startswith("Calibration check")
    assert "+9.76 points" in en[2] and "+9.06 points to +10.48 points" in en[2]
    assert "p < 0.0001" in en[2] and "larger than sampling error" in en[2]
    assert "85.78" in en[3] and "110 units" in en[3] and "14 were ranked excellent" in en[3]
    assert "150 of the 22,250" not in en[4] and "150 of the 22,400 rows" in en[4]
    vi = [f.render("vi") for f in found]
    assert "96,45 %" in vi[0] and "lớn hơn sai số chọn mẫu" in vi[2]


@pytest.mark.parametrize("figures", [{}, {"02_satisfaction": {}}, {"x": {"rate": None}}])
def test_index_findings_with_little_or_nothing_saved(figures):
    assert index_findings(2021, figures) == []


def test_a_change_within_sampling_error_says_so():
    heads = {"03_change": {"baseline_year": 2019, "change_pp": 0.3, "change_ci_low": -0.5,
                           "change_ci_high": 1.1, "change_p_value": 0.46}}
    text = index_findings(2020, heads)[0].render("en")
    assert "within sampling error" in text and "p = 0.46" in text
