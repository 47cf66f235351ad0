"""Tests for satisfaction.reliability: the NCHS presentation rules for proportions.

Each case is built by hand so that one rule (and only that rule) decides it; the expected
outcome is read off the standard (Parker et al. 2017, Vital Health Stat 2(175)), not computed
by the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from satisfaction import SurveyDesign
from satisfaction.reliability import nchs_flags


def row(
    estimate: float, low: float, high: float, n: int = 500, n_eff: float = 200.0, df: int = 40
) -> dict:
    return {"estimate": estimate, "ci_low": low, "ci_high": high, "n": n, "n_eff": n_eff, "df": df}


CASES = {
    # name: (row, suppressed, flagged, words in the reason)
    "fine": (row(0.90, 0.88, 0.92), False, False, ""),
    "disclosure": (row(0.5, 0.45, 0.55, n=9, n_eff=9), True, False, "fewer than 10 respondents"),
    "threshold exactly": (row(0.5, 0.46, 0.50, n=10, n_eff=30), False, False, ""),
    "n_eff below 30": (
        row(0.5, 0.46, 0.50, n=100, n_eff=29.6),
        True,
        False,
        "effective sample size 29.6 < 30",
    ),
    "n_eff exactly 30": (row(0.5, 0.46, 0.50, n=100, n_eff=30.0), False, False, ""),
    "width 30 points": (row(0.5, 0.35, 0.65), True, False, "CI width 30 % >= 30 %"),
    "width just under 30": (row(0.5, 0.355, 0.645), False, False, ""),
    "width 5 points, huge relative": (row(0.02, 0.0, 0.05), False, False, ""),
    "relative width above 130 %": (
        row(0.05, 0.01, 0.076),
        True,
        False,
        "relative CI width 132 % > 130 %",
    ),
    "relative width 129 %": (row(0.1, 0.05, 0.179), False, False, ""),
    "few degrees of freedom": (row(0.6, 0.58, 0.62, df=7), False, True, "degrees of freedom 7 < 8"),
    "eight degrees of freedom": (row(0.6, 0.58, 0.62, df=8), False, False, ""),
    "100 %": (row(1.0, 0.97, 1.0), False, True, "estimate of 100 %"),
    "0 %": (row(0.0, 0.0, 0.03), False, True, "estimate of 0 %"),
    "0 % wide": (row(0.0, 0.0, 0.12, n=30, n_eff=30), False, True, "estimate of 0 %"),
    "complement": (row(0.95, 0.89, 0.99), False, True, "complement's relative CI width 200 %"),
    "no interval": (row(0.5, np.nan, np.nan), True, False, "no confidence interval"),
    "no estimate": (row(np.nan, np.nan, np.nan, n=0, n_eff=np.nan), True, False, "no estimate"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_rule(name: str) -> None:
    data, suppressed, flagged, words = CASES[name]
    out = nchs_flags(pd.DataFrame([data]))
    assert bool(out["suppressed"].iloc[0]) is suppressed
    assert bool(out["flagged"].iloc[0]) is flagged
    reason = out["flag_reason"].iloc[0]
    if words:
        assert words in reason
    else:
        assert reason == ""


def test_reasons_accumulate_and_suppression_wins() -> None:
    out = nchs_flags(pd.DataFrame([row(0.5, 0.2, 0.8, n=20, n_eff=12, df=3)]))
    assert out["suppressed"].iloc[0] and not out["flagged"].iloc[0]
    assert out["flag_reason"].iloc[0] == "effective sample size 12.0 < 30; CI width 60 % >= 30 %"


def test_disclosure_threshold_is_configurable() -> None:
    t = pd.DataFrame([row(0.9, 0.86, 0.93, n=40, n_eff=40)])
    assert not nchs_flags(t)["suppressed"].iloc[0]
    assert nchs_flags(t, disclosure_threshold=50)["suppressed"].iloc[0]
    assert "fewer than 50 respondents" in nchs_flags(t, disclosure_threshold=50)["flag_reason"][0]


def test_without_df_column_no_df_rule() -> None:
    t = pd.DataFrame([row(0.6, 0.58, 0.62, df=2)]).drop(columns="df")
    out = nchs_flags(t)
    assert not out["flagged"].iloc[0] and out["flag_reason"].iloc[0] == ""


def test_table_is_not_modified_and_index_is_kept() -> None:
    t = pd.DataFrame([row(0.9, 0.88, 0.92), row(0.5, 0.1, 0.9)], index=["hanoi", "hue"])
    before = t.copy()
    out = nchs_flags(t)
    pd.testing.assert_frame_equal(t, before)
    assert list(out.index) == ["hanoi", "hue"]
    assert list(out.columns) == [*t.columns, "suppressed", "flagged", "flag_reason"]
    assert out["suppressed"].dtype == bool and out["flagged"].dtype == bool


def test_on_a_design_table() -> None:
    """A tiny domain is suppressed, a 100 % domain flagged, a large one fine."""
    rng = np.random.default_rng(3)
    n = 3000
    frame = pd.DataFrame(
        {
            "stratum": rng.integers(0, 10, n),
            "w": rng.uniform(1, 3, n),
            "y": (rng.random(n) < 0.85).astype(float),
            "dom": "big",
        }
    )
    frame["psu"] = frame["stratum"] * 100 + rng.integers(0, 20, n)
    frame.loc[:4, "dom"] = "tiny"
    frame.loc[5:204, "dom"] = "all_yes"
    frame.loc[5:204, "y"] = 1.0
    table = SurveyDesign(frame, weights="w", strata="stratum", psu="psu").proportion("y", by="dom")
    out = nchs_flags(table)
    assert out.loc["tiny", "suppressed"]
    assert out.loc["all_yes", "flagged"] and not out.loc["all_yes", "suppressed"]
    assert not out.loc["big", "suppressed"] and not out.loc["big", "flagged"]


@pytest.mark.parametrize(
    ("table", "kwargs", "message"),
    [
        (pd.DataFrame({"estimate": [0.5]}), {}, "needs the columns ci_low, ci_high, n, n_eff"),
        (pd.DataFrame([row(3.2, 3.0, 3.4)]), {}, "between 0 and 1"),
        (pd.DataFrame([row(0.5, 0.4, 0.6)]), {"disclosure_threshold": -1}, ">= 0"),
        (pd.DataFrame([row(0.5, 0.4, 0.6)]), {"disclosure_threshold": 2.5}, "whole number"),
    ],
)
def test_bad_input(table: pd.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nchs_flags(table, **kwargs)


def test_the_column_sets_come_from_the_estimate_table() -> None:
    """One list of estimate columns (design.COLUMNS): what with_flags and the NCHS rules read
    is a part of it, and a design table has every one of them."""
    from satisfaction.design import COLUMNS
    from satisfaction.reliability import NCHS_COLUMNS, REQUIRED_ESTIMATE_COLUMNS

    assert REQUIRED_ESTIMATE_COLUMNS == tuple(c for c in COLUMNS if c != "df")
    assert set(NCHS_COLUMNS) <= set(REQUIRED_ESTIMATE_COLUMNS)
    frame = pd.DataFrame({"y": [1.0, 0.0, 1.0, 1.0], "w": 1.0, "s": [1, 1, 2, 2],
                          "p": [1, 2, 3, 4]})
    table = SurveyDesign(frame, weights="w", strata="s", psu="p").proportion("y")
    assert list(table.columns) == list(COLUMNS)


def test_with_flags_names_every_missing_column() -> None:
    from satisfaction.reliability import with_flags

    with pytest.raises(ValueError, match="missing column\\(s\\) se, deff"):
        with_flags(pd.DataFrame([row(0.5, 0.4, 0.6)]))  # row() has no se and no deff
