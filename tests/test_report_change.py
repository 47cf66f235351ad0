"""The change as a reviewer reads it: satisfaction.report.change.

Checks: every figure in the text against the statistic it writes (hand arithmetic from the
published 96.45 % and +9.76 %), the branches of each verdict, suppression under the
disclosure threshold, and the headline figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from satisfaction import compare as cmp
from satisfaction import power as pw
from satisfaction.report import change as rc


def _changes() -> pd.DataFrame:
    """A change table of three domains: a large rise, a small one (not significant), one
    found in the current year only."""
    cur = pd.DataFrame({"estimate": [0.96, 0.90, 0.80], "se": [0.004, 0.03, 0.05],
                        "n": [9000, 100, 60], "n_eff": [4500.0, 100.0, 60.0]},
                       index=pd.Index(["district", "central", "commune"], name="level"))
    base = pd.DataFrame({"estimate": [0.87, 0.88], "se": [0.007, 0.03], "n": [8000, 8],
                         "n_eff": [4000.0, 8.0]},
                        index=pd.Index(["district", "central"], name="level"))
    return cmp.add_multiple_testing(cmp.change_table(cur, base).assign(fam=1), family="fam")


# ------------------------------------------------------------------ format_changes


def test_format_changes_writes_rates_changes_and_p_values():
    t = _changes()
    out = rc.format_changes(t, years=(2020, 2019))
    d = out.loc["district"]
    assert d["% 2020"] == 96.0 and d["% 2019"] == 87.0 and d["change, points"] == 9.0
    low, high = t.loc["district", ["change_low", "change_high"]]
    assert d["95 % CI, points"] == f"{100 * low:+.2f} to {100 * high:+.2f}"
    assert d["p"] == "<0.0001" and d["p (Holm)"] == "<0.0001"  # z = 0.09 / 0.0081 = 11
    central_p = t.loc["central", "p_value"]
    assert 1e-4 < central_p < 1 and out.loc["central", "p"] == f"{central_p:.2g}"
    # a domain of one year: its rate, no change, no p-value
    c = out.loc["commune"]
    assert c["status"] == cmp.STATUS_CURRENT_ONLY and c["% 2020"] == 80.0
    assert np.isnan(c["change, points"]) and c["95 % CI, points"] == "" and c["p"] == ""
    assert list(out.columns[:3]) == ["status", "n 2020", "n 2019"]


def test_format_changes_suppresses_domains_under_the_disclosure_threshold():
    out = rc.format_changes(_changes(), min_n=10, years=(2020, 2019))
    central = out.loc["central"]
    assert central["status"] == "suppressed: fewer than 10 respondents"
    assert (central.drop("status") == "").all()  # no figure, not even the counts
    assert out.loc["district", "n 2019"] == 8000  # above the threshold: shown
    # a domain absent in one year is not suppressed for it
    assert out.loc["commune", "status"] == cmp.STATUS_CURRENT_ONLY


def test_format_changes_keeps_the_domain_columns_of_a_long_table():
    long = _changes().rename_axis("domain").reset_index().assign(domain_type="level")
    out = rc.format_changes(long, min_n=10)
    assert list(out.columns[:3]) == ["domain_type", "domain", "status"]
    assert out.loc[1, "domain"] == "central" and out.loc[1, "domain_type"] == "level"


# ------------------------------------------------------------------ one change in words


def test_describe_change_rise_fall_and_not_significant():
    rise = cmp.compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
    text = rc.describe_change(rise, years=(2020, 2019))
    assert "from 86.69 % to 96.45 %: +9.76 points" in text
    assert f"z = {rise['z']:.1f}, p < 0.0001" in text and text.endswith("significant rise.")
    fall = cmp.compare_published(0.8669, 22250, 0.9645, 20000, 1.0, 2.0).iloc[0]
    assert "-9.76 points" in rc.describe_change(fall)
    assert rc.describe_change(fall).endswith("a statistically significant fall.")
    flat = cmp.compare_published(0.90, 100, 0.88, 100).iloc[0]
    text = rc.describe_change(flat)
    assert f"p = {flat['p_value']:.2g}:" in text and text.endswith("not statistically significant.")


def test_describe_change_of_a_domain_in_one_year():
    row = _changes().loc["commune"]
    assert rc.describe_change(row) == f"No change can be computed ({cmp.STATUS_CURRENT_ONLY})."


def test_describe_published_names_the_figures_as_published():
    f = cmp.PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 3.5, 22250, 3.5)
    assert rc.describe_published(f, years=(2020, 2019)) == (
        "Reported: **+9.76 %** on 2019; 2020 rate 96.45 % of 22,250 respondents.")


# ------------------------------------------------------------------ the two readings


def test_format_readings_side_by_side():
    r = cmp.two_readings(0.9645, "+9.76 %", 22250, 20000, 1.0, 2.0)
    t = rc.format_readings(r, years=(2020, 2019))
    assert list(t.columns) == [cmp.READING_POINTS, cmp.READING_RELATIVE]
    # hand arithmetic: 96.45 - 9.76 = 86.69; 96.45 / 1.0976 = 87.87; 96.45 - 87.87 = 8.58
    assert t.loc["2019 rate implied"].tolist() == ["86.69 %", "87.87 %"]
    assert t.loc["change, points"].tolist() == ["+9.76", "+8.58"]
    assert t.loc["relative change, %", cmp.READING_RELATIVE] == "+9.76"
    assert t.loc["p"].tolist() == ["< 0.0001", "< 0.0001"]
    assert t.loc["assumed 2019 respondents / design effect"].tolist() == ["20,000 / 2.00"] * 2
    crit = r.loc[cmp.READING_POINTS, "n_eff_base_critical"]
    assert t.loc["not significant below this effective 2019 n", cmp.READING_POINTS] == \
        f"{crit:,.1f}"


def test_readings_verdict_words():
    r = cmp.two_readings(0.9645, 0.0976, 22250, 20000, 1.0, 2.0)
    text = rc.readings_verdict(
        r, base_estimate={"estimate": 0.867, "ci_low": 0.861, "ci_high": 0.873},
        base_synthetic=True, years=(2020, 2019),
    )
    assert "86.69 %" in text and "87.87 %" in text
    assert "only the percentage points reading" in text
    assert "circular" in text
    assert "real rise" in text
    plain = rc.readings_verdict(r, years=(2020, 2019))
    assert "circular" not in plain and "microdata" not in plain


@pytest.mark.parametrize(("low", "high", "fits"), [
    (0.80, 0.95, "both readings"), (0.90, 0.95, "neither reading"),
    (0.875, 0.880, "only the relative reading"),
])
def test_readings_verdict_says_which_reading_the_base_year_supports(low, high, fits):
    r = cmp.two_readings(0.9645, 0.0976, 22250, 20000, 1.0, 2.0)
    text = rc.readings_verdict(r, base_estimate={"estimate": (low + high) / 2, "ci_low": low,
                                                  "ci_high": high}, years=(2020, 2019))
    assert f"consistent with {fits}." in text


def test_readings_verdict_of_a_fall_and_of_a_change_never_significant():
    fall = cmp.two_readings(0.85, "-5 %", 22250, 20000)
    assert "a real fall" in rc.readings_verdict(fall, years=(2020, 2019))
    tiny = cmp.two_readings(0.85, "+0.1 %", 100, 100)
    text = rc.readings_verdict(tiny, years=(2020, 2019))
    assert "not distinguishable from no change" in text
    assert "cannot be significant whatever the size" in text
    assert "are tested above" in text  # not "both describe a significant rise"


# ------------------------------------------------------------------ sensitivity, power, headline


def test_format_sensitivity_is_the_pivot_in_points():
    grid = cmp.sensitivity_grid(0.9645, 22250, 0.8669, [50, 500, 5000], [1.0, 10.0])
    t = rc.format_sensitivity(grid)
    assert list(t.columns) == [50, 500, 5000] and list(t.index) == [1.0, 10.0]
    row = grid[(grid.n_base == 500) & (grid.deff_base == 10.0)].iloc[0]
    assert t.loc[10.0, 500] == round(100 * row["change_low"], 2)
    assert rc.format_sensitivity(grid, "change_high").loc[10.0, 500] == \
        round(100 * row["change_high"], 2)


def test_format_power_in_percent_and_points():
    est = pd.DataFrame({"estimate": [0.9645, 0.8], "se": [0.0018, 0.02], "n": [22250, 400],
                        "deff": [2.0, 1.0]}, index=["all", "central"])
    table = pw.power_table(est, mde=0.02)
    out = rc.format_power(table, mde=0.02)
    assert out.loc["all", "rate, %"] == 96.45 and out.loc["all", "effective n"] == 11125
    assert out.loc["central", "smallest detectable change, points"] == \
        round(100 * table.loc["central", "mde"], 2)
    assert out.loc["central", "respondents needed for 2 points"] == table.loc["central", "n_needed"]
    assert "x current n" in out.columns
    plain = rc.format_power(pw.power_table(est))
    assert not any(c.startswith("respondents needed") for c in plain.columns)


def test_change_headline_in_points_and_percent():
    row = cmp.compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
    h = rc.change_headline(row, baseline_year=2019, level=0.9)
    assert h["baseline_year"] == 2019 and h["confidence"] == 0.9
    assert h["change_pp"] == pytest.approx(9.76, abs=1e-10)
    assert h["change_ci_low"] == pytest.approx(100 * row["change_low"])
    assert h["change_relative_pct"] == pytest.approx(100 * (0.9645 / 0.8669 - 1))
    assert h["change_p_value"] == row["p_value"]
    assert all(isinstance(v, (int, float)) for v in h.values())
