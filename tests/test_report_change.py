"""The change as a reviewer reads it: satisfaction.report.change.

Checks: every figure in the text against the statistic it writes (hand arithmetic from the
published 96.45 % and +9.76 %), the branches of each verdict, suppression under the
disclosure threshold, and the headline figures.
"""

from __future__ import annotations

import dataclasses

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


def test_describe_change_rise_fall_and_within_sampling_error():
    rise = cmp.compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
    text = rc.describe_change(rise, years=(2020, 2019)).render("en")
    assert "from 86.69 % to 96.45 %: +9.76 points" in text
    low, high = f"{100 * rise['change_low']:+.2f}", f"{100 * rise['change_high']:+.2f}"
    assert f"(95 % interval {low} to {high} points)" in text
    assert "p < 0.0001" in text and text.endswith("a rise larger than sampling error.")
    assert "real" not in text and "significant" not in text
    fall = cmp.compare_published(0.8669, 22250, 0.9645, 20000, 1.0, 2.0).iloc[0]
    text = rc.describe_change(fall).render("en")
    assert "-9.76 points" in text and text.endswith("a fall larger than sampling error.")
    flat = cmp.compare_published(0.90, 100, 0.88, 100).iloc[0]
    text = rc.describe_change(flat).render("en")
    assert f"p = {flat['p_value']:.2g}:" in text
    assert text.endswith("within sampling error: both intervals include no change.")
    # the Vietnamese edition words the same row
    assert "96,45 %" in rc.describe_change(rise, years=(2020, 2019)).render("vi")


def test_describe_change_never_rounds_p_up_to_the_level_beside_a_verdict():
    """A p-value of 0.0496 is "p < 0.05" beside "larger than sampling error", not "p = 0.05"."""
    row = cmp.compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0].copy()
    row["p_value"] = 0.0496
    assert "; p < 0.05: a rise larger" in rc.describe_change(row).render("en")
    row[["p_value", "verdict", "significant"]] = [0.05, cmp.VERDICT_WITHIN, False]
    assert "; p = 0.05: within" in rc.describe_change(row).render("en")


def test_describe_change_of_a_domain_at_zero_and_inside_one_psu():
    cur = pd.DataFrame({"estimate": [0.3], "se": [0.0], "n": [40], "df": [0]}, index=["o"])
    base = pd.DataFrame({"estimate": [0.0], "se": [0.0], "n": [40], "df": [0]}, index=["o"])
    row = cmp.change_table(cur, base).iloc[0]
    text = rc.describe_change(row, years=(2020, 2019)).render("en")
    assert "no finite relative change (the 2019 rate is 0 %)" in text
    assert text.endswith("Its intervals are binomial: the domain lies within one office (PSU) "
                         "in a year.")


def test_describe_change_of_a_domain_in_one_year():
    row = _changes().loc["commune"]
    assert rc.describe_change(row).render("en") == \
        f"No change can be computed ({cmp.STATUS_CURRENT_ONLY})."


def test_beyond_sampling_error_points_to_page_06():
    rise = cmp.compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
    text = rc.beyond_sampling_error(rise).render("en")
    assert "not yet real" in text and f"]({rc.ROBUSTNESS_PAGE})" in text
    assert rc.ROBUSTNESS_PAGE == "06_robustness.html"
    flat = cmp.compare_published(0.90, 100, 0.88, 100).iloc[0]
    assert rc.beyond_sampling_error(flat) is None


def test_describe_published_names_the_figures_as_published():
    f = cmp.PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 22250, 50.0)
    assert rc.describe_published(f, years=(2020, 2019)) == (
        "Reported: **+9.76 %** on 2019; 2020 rate 96.45 % of 22,250 respondents.")


def test_published_assumptions_say_both_design_effects_are_unknown():
    f = cmp.PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 22250, 50.0, (1.0, 50.0))
    text = rc.published_assumptions(f, years=(2020, 2019)).render("en")
    assert "neither year's design effect is" in text
    assert "unknown between 1 and 50" in text and "50 in both years" in text
    assert "not published either: 22,250, as many as 2020, is assumed" in text
    published = dataclasses.replace(f, n0=18000, n0_published=True)
    assert "The 2019 respondents (18,000) are published." in rc.published_assumptions(
        published, years=(2020, 2019)).render("en")
    note = rc.sensitivity_note(f, years=(2020, 2019)).render("en")
    assert "with 2020's design effect at 50, the least favourable of its range" in note


# ------------------------------------------------------------------ the two readings


def test_format_readings_side_by_side():
    r = cmp.two_readings(0.9645, "+9.76 %", 22250, 20000, 50.0, 50.0)
    f = cmp.PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 20000, 50.0, (1.0, 50.0))
    t = rc.format_readings(r, years=(2020, 2019), figures=f)
    assert list(t.columns) == [cmp.READING_POINTS, cmp.READING_RELATIVE]
    # hand arithmetic: 96.45 - 9.76 = 86.69; 96.45 / 1.0976 = 87.87; 96.45 - 87.87 = 8.58
    assert t.loc["2019 rate implied"].tolist() == ["86.69 %", "87.87 %"]
    assert t.loc["change, points"].tolist() == ["+9.76", "+8.58"]
    assert t.loc["relative change, %", cmp.READING_RELATIVE] == "+9.76"
    assert t.loc["p"].tolist() == ["< 0.0001", "< 0.0001"]
    assert t.loc["verdict"].tolist() == ["larger than sampling error"] * 2
    assert t.loc["2019 respondents"].tolist() == ["20,000 (assumed: not published)"] * 2
    assert t.loc["design effect, both years"].tolist() == [
        "50.00 (unknown: the least favourable of 1 to 50)"] * 2
    assert "z (design)" not in t.index  # the test is the interval's inversion, not a z
    crit = r.loc[cmp.READING_POINTS, "n_eff_base_critical"]
    assert t.loc["within sampling error below this effective 2019 sample size",
                 cmp.READING_POINTS] == f"{crit:,.1f}"
    both = r.loc[cmp.READING_RELATIVE, "deff_both_critical"]
    assert t.loc["within sampling error above this design effect of both years",
                 cmp.READING_RELATIVE] == f"{both:,.1f}"
    vi = rc.format_readings(r, years=(2020, 2019), figures=f, lang="vi")
    swap = str.maketrans({",": ".", ".": ","})
    assert vi.shape == t.shape and vi.iloc[-1].tolist() == [v.translate(swap) for v in t.iloc[-1]]


def _lines(messages) -> str:
    return "\n".join(m.render("en") for m in messages)


def test_readings_verdict_words():
    r = cmp.two_readings(0.9645, 0.0976, 22250, 20000, 1.0, 2.0)
    text = _lines(rc.readings_verdict(
        r, base_estimate={"estimate": 0.867, "ci_low": 0.861, "ci_high": 0.873},
        base_synthetic=True, years=(2020, 2019),
    ))
    assert "86.69 %" in text and "87.87 %" in text
    assert "only the percentage points reading" in text
    assert "circular" in text
    assert "this is a rise larger than sampling error" in text
    assert "real" not in text.replace("the real 2019 survey file", "")
    crit = r.loc[cmp.READING_POINTS, "n_eff_base_critical"]
    assert f"fewer than {crit:,.1f} effective respondents" in text
    plain = _lines(rc.readings_verdict(r, years=(2020, 2019)))
    assert "circular" not in plain and "microdata" not in plain


@pytest.mark.parametrize(("low", "high", "fits"), [
    (0.80, 0.95, "both readings"), (0.90, 0.95, "neither reading"),
    (0.875, 0.880, "only the relative reading"),
])
def test_readings_verdict_says_which_reading_the_base_year_supports(low, high, fits):
    r = cmp.two_readings(0.9645, 0.0976, 22250, 20000, 1.0, 2.0)
    text = _lines(rc.readings_verdict(r, base_estimate={"estimate": (low + high) / 2,
                                                        "ci_low": low, "ci_high": high},
                                      years=(2020, 2019)))
    assert f"consistent with {fits}." in text


def test_readings_verdict_of_a_fall_and_of_a_change_within_sampling_error():
    fall = cmp.two_readings(0.85, "-5 %", 22250, 20000)
    text = _lines(rc.readings_verdict(fall, years=(2020, 2019)))
    assert "this is a fall larger than sampling error" in text
    assert "both readings describe a fall larger than sampling error" in text
    tiny = cmp.two_readings(0.85, "+0.1 %", 100, 100)
    text = _lines(rc.readings_verdict(tiny, years=(2020, 2019)))
    assert "this is within sampling error" in text
    assert "cannot be larger than sampling error whatever the size" in text
    assert "are tested above" in text  # not "both describe a rise"


def test_binomial_note_counts_the_single_psu_domains():
    t = pd.DataFrame({"test": [cmp.TEST_BINOMIAL] * 3 + [cmp.TEST_DESIGN, ""]})
    text = rc.binomial_note(t, "office").render("en")
    assert text.startswith("3 of the 4 office domains lie within a single office (PSU)")
    assert rc.binomial_note(t.iloc[3:], "level") is None
    assert rc.binomial_note(pd.DataFrame({"x": [1]}), "level") is None


def test_format_changes_shows_the_test_of_each_interval():
    cur = pd.DataFrame({"estimate": [0.9, 0.8], "se": [0.0, 0.02], "n": [50, 400],
                        "df": [0, 30]}, index=["office", "level"])
    base = cur.assign(estimate=[0.8, 0.7])
    out = rc.format_changes(cmp.change_table(cur, base))
    assert out["test"].tolist() == [cmp.TEST_BINOMIAL, cmp.TEST_DESIGN]


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
