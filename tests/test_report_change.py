"""The change as a reviewer reads it: satisfaction.report.change.

Checks: every figure in the text and the tables against the statistic it writes (hand
arithmetic from the published 96.45 % and +9.76 %), the branches of each verdict and of each
page variant (no baseline, no published change), suppression under the disclosure threshold,
the tables through the presentation layer (both languages, the HTML lint), and the headline
figures.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from html_lint import lint

from satisfaction import compare as cmp
from satisfaction import power as pw
from satisfaction.i18n import render
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


# ------------------------------------------------------------------ change tables


def _download(table, lang="en") -> pd.DataFrame:
    return table.download(lang)


def test_changes_table_writes_rates_changes_and_p_values_by_their_kinds():
    t = _changes()
    out = _download(rc.changes_table(t, "level", years=(2020, 2019)))
    d = out.iloc[0]
    assert out["Level"].tolist() == ["district", "central", "commune"]
    assert d["2020 rate (%)"] == 96.0 and d["2019 rate (%)"] == 87.0
    assert d["Change (points)"] == 9.0
    low, high = t.loc["district", ["change_low", "change_high"]]
    assert d["95 % interval (points): lower limit"] == round(100 * low, 2)
    assert d["95 % interval (points): upper limit"] == round(100 * high, 2)
    assert d["Respondents 2020"] == 9000 and d["Verdict"] == "rise"
    # a domain of one year: its rate, no change, no p-value, and why
    c = out.iloc[2]
    assert c["2020 rate (%)"] == 80.0 and np.isnan(c["Change (points)"])
    assert c["Verdict"] == "this year only"
    page = rc.changes_table(t, "level", years=(2020, 2019)).html("en")
    assert "&lt; 0.0001" in page and "&lt;0.0001" not in page  # report.formats' rule
    assert "9,000" in page and "9000.0" not in page  # counts as whole numbers


def test_changes_table_suppresses_domains_under_the_disclosure_threshold():
    out = _download(rc.changes_table(_changes(), "level", min_n=10, years=(2020, 2019)))
    central = out.iloc[1]
    assert central["Verdict"] == ("suppressed: fewer respondents than the disclosure threshold "
                                  "in a year")
    numbers = central.drop(["Level", "Verdict", "Intervals from"])
    assert numbers.isna().all()  # no figure, not even the counts
    assert out.iloc[0]["Respondents 2019"] == 8000  # above the threshold: shown
    # a domain absent in one year is not suppressed for it
    assert out.iloc[2]["Verdict"] == "this year only"


def test_changes_table_labels_domains_from_the_codebook_in_each_language():
    long = _changes().rename_axis("domain").reset_index().assign(domain_type="level")
    labels = {"vi": {"district": "Huyện"}, "en": {"district": "District"}}
    table = rc.changes_table(long, "level", labels=lambda lang: labels[lang], min_n=10)
    assert _download(table, "vi").iloc[0, 0] == "Huyện"
    assert _download(table, "en").iloc[0, 0] == "District"
    vi = table.html("vi")
    assert "Cấp" in vi and "<th scope=\"col\">domain" not in vi
    for lang in ("vi", "en"):
        assert lint(table.html(lang)) == []


def test_a_long_change_table_is_complete_and_collapsible():
    cur = pd.DataFrame({"estimate": np.linspace(0.8, 0.99, 518), "se": 0.01, "n": 40,
                        "df": 30}, index=pd.Index([f"Công an {i}" for i in range(518)],
                                                  name="office"))
    table = rc.changes_table(cmp.change_table(cur, cur.assign(estimate=0.85)), "office",
                             min_n=10)
    page = table.html("en")
    assert page.count("<tr") == 519 and "<details" in page and "518 rows" in page
    assert lint(page) == []


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
    assert rc.describe_published(f, years=(2020, 2019)).render("en") == (
        "Published: a change of **+9.76 %** on 2019; the 2020 rate, 96.45 %, from 22,250 "
        "respondents.")
    assert "96,45 %" in rc.describe_published(f, years=(2020, 2019)).render("vi")
    unpublished = dataclasses.replace(f, n1_published=False)
    assert "the 2020 respondents were not published (22,250 in the survey file)" in \
        rc.describe_published(unpublished, years=(2020, 2019)).render("en")
    assert "**+9,76 %**" in rc.describe_published(f, years=(2020, 2019)).render("vi")
    as_number = dataclasses.replace(f, reported=-1.5)
    assert "**-1.50 %**" in rc.describe_published(as_number, years=(2020, 2019)).render("en")


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


def test_readings_table_side_by_side():
    r = cmp.two_readings(0.9645, "+9.76 %", 22250, 20000, 50.0, 50.0)
    f = cmp.PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 20000, 50.0, (1.0, 50.0))
    table = rc.readings_table(r, years=(2020, 2019), figures=f)
    t = _download(table).set_index("Quantity")
    assert list(t.columns) == ["Read as percentage points", "Read as a relative change"]
    # hand arithmetic: 96.45 - 9.76 = 86.69; 96.45 / 1.0976 = 87.87; 96.45 - 87.87 = 8.58
    assert t.loc["2019 rate implied"].tolist() == ["86.69 %", "87.87 %"]
    assert t.loc["Change"].tolist() == ["+9.76 points", "+8.58 points"]
    assert t.loc["Relative change", "Read as a relative change"] == "+9.76 %"
    assert t.loc["p-value"].tolist() == ["< 0.0001", "< 0.0001"]
    assert t.loc["Verdict"].tolist() == ["larger than sampling error"] * 2
    assert t.loc["2019 respondents"].tolist() == ["20,000 (assumed: not published)"] * 2
    assert t.loc["Design effect, both years"].tolist() == [
        "50.00 (unknown: the least favourable of 1 to 50)"] * 2
    crit = r.loc[cmp.READING_POINTS, "n_eff_base_critical"]
    assert t.loc["Within sampling error below this effective 2019 sample size",
                 "Read as percentage points"] == f"{crit:,.1f}"
    both = r.loc[cmp.READING_RELATIVE, "deff_both_critical"]
    assert t.loc["Within sampling error above this design effect of both years",
                 "Read as a relative change"] == f"{both:,.1f}"
    vi = _download(table, "vi")
    swap = str.maketrans({",": ".", ".": ","})
    assert vi.shape == t.reset_index().shape
    assert vi.iloc[-1, 1:].tolist() == [v.translate(swap) for v in t.iloc[-1]]
    for lang in ("vi", "en"):
        assert lint(table.html(lang)) == []



def test_readings_table_says_none_where_the_verdict_never_flips():
    """A small published change at the least favourable design effects: no base-year size makes
    it larger than sampling error, so the tipping rows say so in words (never a bare 0)."""
    r = cmp.two_readings(0.969, "+0.5 %", 22240, 22240, 50.0, 50.0)
    assert np.isinf(r["n_eff_base_critical"]).all() and (r["max_deff_base"] == 0).all()
    f = cmp.PublishedFigures("+0.5 %", 96.9, 0.969, 22240, 50.0, 22240, 50.0, (1.0, 50.0))
    t = _download(rc.readings_table(r, years=(2032, 2031), figures=f)).set_index("Quantity")
    assert t.loc["Largest 2031 design effect at the assumed sample size"].tolist() == [
        "none: within sampling error at any design effect"] * 2
    assert t.loc["Smallest 2031 sample at the assumed design effect"].tolist() == [
        "none: within sampling error at any size"] * 2
    assert t.loc["Within sampling error below this effective 2031 sample size"].tolist() == [
        "every size: within sampling error at any size"] * 2
    vi = _download(rc.readings_table(r, years=(2032, 2031), figures=f), "vi")
    assert "không có: nằm trong phạm vi sai số chọn mẫu với mọi hiệu ứng thiết kế" in vi.values


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
    assert "says nothing about the real 2019 survey" in text
    assert "this is a rise larger than sampling error" in text
    assert "real" not in text.replace("the real 2019 survey", "")
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


def test_changes_table_says_where_each_interval_comes_from():
    cur = pd.DataFrame({"estimate": [0.9, 0.8], "se": [0.0, 0.02], "n": [50, 400],
                        "df": [0, 30]}, index=pd.Index(["office", "level"], name="domain"))
    base = cur.assign(estimate=[0.8, 0.7])
    table = rc.changes_table(cmp.change_table(cur, base))
    out = _download(table)
    assert out["Intervals from"].tolist() == ["binomial (within one office)", "the survey design"]
    page = table.html("en")
    assert page.count('<sup class="sat-marker">a</sup>') == 2  # the row and its footnote
    assert "intervals binomial on the respondents" in page
    assert "Intervals from" not in page and "Relative change" not in page  # download only
    overall = rc.changes_table(cmp.change_table(cur, base), relative=True).html("en")
    assert "Relative change (%)" in overall


# ------------------------------------------------------------------ sensitivity, power, headline


def test_sensitivity_table_has_human_headers_whole_numbers_and_marks():
    grid = cmp.sensitivity_grid(0.9645, 22250, 0.8669, [50, 500, 5000], [1.0, 1.5, 10.0])
    table = rc.sensitivity_table(grid, cmp.READING_POINTS, years=(2020, 2019))
    t = _download(table)
    assert list(t.columns) == ["Assumed 2019 design effect ↓, respondents →", "50", "500",
                               "5,000"]
    assert t.iloc[:, 0].tolist() == ["1", "1.5", "10"]
    row = grid[(grid.n_base == 500) & (grid.deff_base == 10.0)].iloc[0]
    assert t.iloc[2]["500"] == round(100 * row["change_low"], 2)
    # the cells within sampling error carry the footnote mark, the others none
    page = table.html("en")
    within = int((~grid["interval_excludes_zero"]).sum())
    assert within > 0 and page.count('<sup class="sat-marker">a</sup>') == within + 1
    assert "within sampling error: the interval includes no change" in page
    vi = table.html("vi")
    assert ">5.000</th>" in vi and "1,5" in vi and "số người trả lời →" in vi
    for lang in ("vi", "en"):
        assert lint(table.html(lang)) == []
        assert "50.0" not in table.html(lang) and "deff_base" not in table.html(lang)


def test_detectable_table_in_percent_and_points():
    est = pd.DataFrame({"estimate": [0.9645, 0.8], "se": [0.0018, 0.02], "n": [22250, 400],
                        "deff": [2.0, 1.0]}, index=["all", "central"])
    table = pw.power_table(est, mde=0.02)
    out = _download(rc.detectable_table(table, mde=0.02,
                                        labels={"central": "Central (ministry)"}))
    assert out["Group"].tolist() == ["All respondents", "Central (ministry)"]
    assert out.loc[0, "Satisfied (%)"] == 96.45 and out.loc[0, "Effective sample size"] == 11125
    assert out.loc[1, "Smallest detectable change (points)"] == \
        round(100 * table.loc["central", "mde"], 2)
    needed = "Respondents needed per survey to detect a change of 2.00 points"
    assert out.loc[1, needed] == table.loc["central", "n_needed"]
    plain = _download(rc.detectable_table(pw.power_table(est)))
    assert not any(c.startswith("Respondents needed") for c in plain.columns)


def test_moved_table_counts_per_family_in_words():
    t = pd.DataFrame({"domain_type": ["overall", "office", "office", "office"],
                      "p_value": [1e-6, 0.001, 0.04, 0.5], "change": [0.1, 0.05, -0.02, 0.0],
                      "significant_holm": [True, True, False, False],
                      "significant_bh": [True, True, False, False]})
    out = _download(rc.moved_table(cmp.moved_summary(t)))
    assert out["Domains of"].tolist() == ["All respondents", "Office"]
    office = out.iloc[1]
    assert office["Domains"] == 3 and office["Larger than sampling error, uncorrected"] == 2
    assert office["Expected by chance alone, uncorrected"] == round(3 * 0.05, 1)  # one decimal
    assert lint(rc.moved_table(cmp.moved_summary(t)).html("vi")) == []


def test_change_headline_in_points_and_percent():
    row = cmp.compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
    h = rc.change_headline(row, baseline_year=2019, level=0.9)
    assert h["baseline_year"] == 2019 and h["confidence"] == 0.9
    assert h["change_pp"] == pytest.approx(9.76, abs=1e-10)
    assert h["change_ci_low"] == pytest.approx(100 * row["change_low"])
    assert h["change_relative_pct"] == pytest.approx(100 * (0.9645 / 0.8669 - 1))
    assert h["change_p_value"] == row["p_value"]
    assert all(isinstance(v, (int, float)) for v in h.values())


# ------------------------------------------------------------------ the page's framing and findings


def _figures(reported="+9.76 %", **changes) -> cmp.PublishedFigures:
    return dataclasses.replace(
        cmp.PublishedFigures(reported, 96.45, 0.9645, 22250, 50.0, 22250, 50.0, (1.0, 50.0)),
        **changes)


def test_introduction_is_built_from_the_published_figures():
    text = "\n".join(render(p, "en") for p in rc.introduction(_figures(), years=(2031, 2030)))
    assert 'rose by "+9.76 %" from 2030 to 2031' in text
    assert "**9.76 percentage points** (2030 would then have been 86.69 %)" in text
    assert "**relative rise of 9.76 %** (2030 would have been 87.87 %)" in text
    assert "1. **From the published figures alone**" in text and "3. **Power**" in text
    assert "p < 0.05" in text
    fall = "\n".join(render(p, "en") for p in rc.introduction(
        _figures("-1.5 %", p1=0.9), years=(2031, 2030), level=0.9))
    assert 'fell by "-1.50 %"' in fall and "relative fall of 1.50 %" in fall
    assert "(2030 would then have been 91.50 %)" in fall and "p < 0.1" in fall
    vi = "\n".join(render(p, "vi") for p in rc.introduction(_figures(), years=(2031, 2030)))
    assert "86,69 %" in vi and "năm 2030" in vi


def test_introduction_without_a_published_change_or_a_baseline():
    none = "\n".join(render(p, "en") for p in rc.introduction(None, years=(2031, 2030)))
    assert "ministry reported" not in none and "published figures alone" not in none
    assert "1. **From the survey microdata of both years**" in none and "2. **Power**" in none
    alone = "\n".join(render(p, "en") for p in rc.introduction(_figures(), years=(2031, None)))
    assert alone.count("1. ") == 1 and "**Power**" in alone and "microdata" not in alone
    assert "Newcombe" not in alone  # no method of a change when there is none


def test_baseline_note_and_no_published_change_say_so_in_plain_words():
    no = rc.baseline_note(2031, None)
    assert len(no) == 1 and no[0].render("en").startswith("**There is no baseline for 2031.**")
    assert "2031" in no[0].render("vi")
    both = [m.render("en") for m in rc.baseline_note(2031, 2030, synthetic=[2031, 2030],
                                                     published=True)]
    assert both[0] == "2031 is compared with **2030**, as its parameters say."
    assert "2031 and 2030 are **synthetic**" in both[1] and "published-figures" in both[1]
    unpublished = rc.baseline_note(2031, 2030, synthetic=[2031])[1].render("en")
    assert "published-figures" not in unpublished and "not the real survey" in unpublished
    # a year without published figures was not generated to reproduce any
    assert "reproduce" not in unpublished and "generated, not collected" in unpublished
    assert len(rc.baseline_note(2031, 2030)) == 1  # real data: no caution
    text = rc.no_published_change(2031, 2030).render("en")
    assert "no published satisfaction rate and change on 2030" in text


def test_two_intervals_note_says_why_the_intervals_differ():
    micro = cmp.compare_published(0.9645, 22250, 0.8669, 19752, 2.0, 3.42).iloc[0]
    r = cmp.two_readings(0.9645, "+9.76 %", 22250, 22250, 50.0, 50.0)
    text = rc.two_intervals_note(micro, r, _figures(), deffs=(2.0, 3.42),
                                 years=(2031, 2030)).render("en")
    low, high = 100 * micro["change_low"], 100 * micro["change_high"]
    assert f"({low:+.2f} to {high:+.2f} points)" in text
    p_low, p_high = 100 * r.loc[cmp.READING_POINTS, ["change_low", "change_high"]]
    assert f"({p_low:+.2f} to {p_high:+.2f} points read as points" in text
    assert "22,250 and 19,752 respondents, design effects 2.00 and 3.42" in text
    assert "design effects of 50 in both years and 22,250 respondents assumed for 2030" in text
    published = rc.two_intervals_note(micro, r, _figures(n0_published=True), deffs=(2.0, 3.42),
                                      years=(2031, 2030)).render("en")
    assert "respondents assumed" not in published and "(50)" in published


def test_change_findings_word_the_numbers_of_the_page():
    changes = cmp.add_multiple_testing(
        cmp.change_table(
            pd.DataFrame({"estimate": [0.96, 0.9, 0.95], "se": [0.004, 0.03, 0.01],
                          "n": [9000, 300, 800], "df": [300, 30, 40]},
                         index=pd.Index(["all", "a", "b"], name="domain")),
            pd.DataFrame({"estimate": [0.87, 0.89, 0.85], "se": [0.007, 0.03, 0.01],
                          "n": [8000, 300, 800], "df": [300, 30, 40]},
                         index=pd.Index(["all", "a", "b"], name="domain")))
        .assign(domain_type=["overall", "level", "level"]), family="domain_type")
    moved = cmp.moved_summary(changes)
    r = cmp.two_readings(0.9645, "+9.76 %", 22250, 22250, 50.0, 50.0)
    detect = pw.power_table(pd.DataFrame({"estimate": [0.96], "se": [0.004], "n": [9000],
                                          "deff": [2.0]}, index=["all"]), mde=0.02).iloc[0]
    found = rc.change_findings(years=(2031, 2030), overall=changes.iloc[0], readings=r,
                               figures=_figures(), moved=moved, detectable=detect, mde=0.02)
    text = [m.render("en") for m in found]
    assert len(text) == 4
    assert text[0].startswith("From 2030 to 2031 the satisfaction rate rose from 87.00 % to "
                              "96.00 %: +9.00 points")
    low, high = 100 * changes.iloc[0][["change_low", "change_high"]]
    assert f"(95 % confidence interval {low:+.2f} to {high:+.2f} points)" in text[0]
    assert "larger than sampling error under both readings" in text[1]
    assert text[2] == ("Corrected for the many comparisons (Holm), the change is larger than "
                       f"sampling error in {int(moved.loc['level', 'significant_holm'])} of 2 "
                       "levels.")
    # a size with no direction: unsigned (the change a survey can detect, up or down)
    assert f"a change of {100 * detect['mde']:.2f} points or more" in text[3]
    assert "a change of 2.00 points would take" in text[3]
    assert "real" not in " ".join(text).replace("page 06", "")
    # a year without a published change, and one without a baseline
    plain = [m.render("en") for m in rc.change_findings(years=(2031, 2030),
                                                         overall=changes.iloc[0])]
    assert plain[1] == ("No change on 2030 was published for 2031: the comparison rests on the "
                        "survey microdata alone.")
    alone = [m.render("en") for m in rc.change_findings(years=(2031, None), detectable=detect)]
    assert alone[0].startswith("There is no baseline for 2031") and len(alone) == 2
    for m in found:
        assert m.render("vi") != m.render("en")


def test_change_findings_of_readings_that_disagree_or_are_within_sampling_error():
    r = cmp.two_readings(0.9645, "+9.76 %", 22250, 22250, 50.0, 50.0)
    one = r.copy()
    one.loc[cmp.READING_RELATIVE, "verdict"] = cmp.VERDICT_WITHIN
    text = rc.change_findings(years=(2031, 2030), readings=one, figures=_figures())
    assert "only if read as percentage points" in text[0].render("en")
    none = r.assign(verdict=cmp.VERDICT_WITHIN)
    text = rc.change_findings(years=(2031, 2030), readings=none, figures=_figures())
    assert "is within sampling error under both readings" in text[0].render("en")


def test_tipping_words_count_whole_respondents():
    words = rc._tipping_words(15.46, 334.6, "2019").render("en")
    assert "fewer than 15.5 effective respondents" in words       # an effective size: decimals
    assert "fewer than 31 respondents at a design effect of 2" in words   # people: whole


def test_a_fall_is_not_worded_as_a_rise_in_vietnamese():
    from satisfaction.compare import compare_published

    row = compare_published(0.9512, 21870, 0.9645, 22250, 1.0, 1.0).iloc[0]
    vi = rc.describe_change(row, years=(2031, 2030)).render("vi")
    assert "từ 96,45 % thành 95,12 %" in vi and " lên " not in vi
