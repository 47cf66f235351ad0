"""Tests of satisfaction.report.instrument: the questionnaire review as a reviewer reads it."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from html_lint import lint

from instrument_frames import COMPONENTS, DESIGN, two_years_frame
from satisfaction import instrument as ins
from satisfaction.codebook import load_codebook
from satisfaction.questionnaire import compare
from satisfaction.report import instrument as text
from satisfaction.report.formats import percent


@pytest.fixture(scope="module")
def review() -> ins.InstrumentReview:
    return ins.review_instrument(two_years_frame(), DESIGN, 2020, COMPONENTS)


@pytest.fixture(scope="module")
def names() -> text.Names:
    return text.Names.of([load_codebook()])


def _tables(review, names):
    within = ins.group_contrasts(two_years_frame().query("year == 2020"), DESIGN, within="level",
                                 by=None)
    return {
        "answers": text.answers_table(review, names),
        "unusable": text.unusable_table(review, names),
        "top_items": text.top_items_table(review, names),
        "top_components": text.top_components_table(review, names),
        "consistency": text.consistency_table(review, names),
        "items": text.item_table(review, names),
        "agreement": text.agreement_table(review, names),
        "quality": text.quality_table(review, names),
        "sensitivity": text.sensitivity_table(review, names),
        "rates": text.group_rates_table(review, names),
        "contrasts": text.contrasts_table(review.contrasts, names, 2020),
        "within": text.contrasts_table(within, names, 2020, within="level"),
        "precision": text.precision_table(review, names),
    }


# --- names -------------------------------------------------------------------------------------

def test_names_come_from_each_years_codebook():
    old = load_codebook()
    names = text.Names.of([old], reworded=["o3"])
    assert names.item_labels("vi")["o3"].startswith("o3* ")           # reworded: marked
    assert names.item_labels("en")["a1"] == "a1 The office is easy to find and reach"
    assert names.item_labels("en")["q_overall"] == "Overall satisfaction with the service"
    assert names.component_labels("vi")["feedback"] == "Tiếp nhận, xử lý góp ý, phản ánh"
    groups = names.group_labels("vi")
    assert groups["online"] == "Trực tuyến" and groups["respondent_type"] == "Loại đối tượng"
    assert names.contrast("respondent_type", "organisation", "citizen").render("en") == \
        "Respondent type: Organisation − Citizen"
    assert "mode" not in names.contrast("channel", "online", "in_person").render("en").lower()


def test_names_of_the_shipped_years_mark_the_reworded_item():
    from satisfaction.params import available_years, load_params
    from satisfaction.questionnaire import compare_years

    for year in available_years():
        P = load_params(year)
        if P.baseline_year is None or P.baseline_year not in available_years():
            continue
        B = load_params(P.baseline_year)
        q = compare_years(P, B)
        names = text.Names.for_years([B, P])
        marked = {c for c, label in names.item_labels("en").items() if label.startswith(f"{c}*")}
        assert marked == set(q.reworded)
        assert set(q.dropped) <= set(names.items) and set(q.added) <= set(names.items)


# --- verdicts on intervals -----------------------------------------------------------------

def test_alpha_reading_is_decided_on_the_interval():
    s = ins.InstrumentSettings()
    assert text.alpha_reading({"alpha": 0.6, "ci_low": 0.55, "ci_high": 0.699}, s) == "low"
    assert text.alpha_reading({"alpha": 0.6, "ci_low": 0.55, "ci_high": 0.70}, s) == "low?"
    assert text.alpha_reading({"alpha": 0.96, "ci_low": 0.95, "ci_high": 0.97}, s) == "ok"
    assert text.alpha_reading({"alpha": 0.97, "ci_low": 0.951, "ci_high": 0.98}, s) == "redundant"


@pytest.mark.parametrize(("low", "high", "change", "expected"), [
    (-0.003, 0.003, 0.0, "within"),          # the whole interval inside +-margin
    (-0.009, -0.006, -0.007, "beyond"),      # excludes 0 and larger than the margin
    (-0.006, -0.001, -0.003, "unclear"),     # excludes 0, but reaches past the margin
    (-0.006, 0.002, -0.002, "unclear"),      # includes 0 and reaches past the margin
])
def test_quality_reading_is_an_equivalence_test(low, high, change, expected):
    row = {"scenario": "flagged", "checkable": True, "forms_left_out": 10, "change": change,
           "change_low": low, "change_high": high}
    assert text.quality_reading(row, 0.005) == expected


def test_quality_reading_of_rows_that_leave_nothing_out():
    base = {"change": 0.0, "change_low": 0.0, "change_high": 0.0}
    assert text.quality_reading({**base, "scenario": "all", "checkable": True,
                                 "forms_left_out": 0}, 0.01) == "reference"
    assert text.quality_reading({**base, "scenario": "fast", "checkable": False,
                                 "forms_left_out": 0}, 0.01) == "unchecked"
    assert text.quality_reading({**base, "scenario": "fast", "checkable": True,
                                 "forms_left_out": 0}, 0.01) == "none"


# --- findings ------------------------------------------------------------------------------

def test_findings_are_honest_about_the_comparisons(review, names):
    found = [f.render("en") for f in text.findings(review, names)]
    assert 3 <= len(found) <= 5
    groups = next(f for f in found if f.startswith("**By channel"))
    assert "descriptive" in groups and "mode" not in groups.lower()
    assert "Channel: Online − In person" in groups and "larger than sampling error" in groups
    assert "Respondent type: Organisation − Citizen" in groups and "within sampling error" in groups
    assert not any("no change needed" in f.lower() for f in found)
    consistency = next(f for f in found if f.startswith("**Internal consistency"))
    assert "Access to the service (0.61)" in consistency          # the whole interval below 0.70
    assert "Administrative procedures (" not in consistency      # below, but reaching 0.70
    vi = [f.render("vi") for f in text.findings(review, names)]
    assert vi != found and all("{" not in f for f in vi)


def test_findings_name_a_questionnaire_change(review, names):
    q = compare(["a1", "a2", "q_overall"], ["a1", "a3", "q_overall"], years=(2020, 2019))
    found = [f.render("en") for f in text.findings(review, names, q)]
    assert found[0].startswith("**The questionnaire changed from 2019 to 2020**")
    assert "added: a2" in found[0] and "dropped: a3" in found[0]
    same = compare(["a1", "q_overall"], ["a1", "q_overall"], years=(2020, 2019))
    assert not any("questionnaire changed" in f.render("en")
                   for f in text.findings(review, names, same))


def test_the_quality_finding_follows_its_reading(review, names):
    table = review.sensitivity.copy()
    margin = text._margin(table[table["year"] == 2020])
    row = (table["year"] == 2020) & (table["scenario"] == "flagged")
    table.loc[row, ["change", "change_low", "change_high"]] = [-2 * margin, -3 * margin, -margin * 1.5]
    beyond = text.findings(replace(review, sensitivity=table), names)
    assert any("the rate depends on them" in f.render("en") for f in beyond)
    table.loc[row, ["change", "change_low", "change_high"]] = [-0.5 * margin, -1.5 * margin, 0.0]
    unclear = text.findings(replace(review, sensitivity=table), names)
    assert any("not conclusive" in f.render("en") for f in unclear)


# --- tables --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_table_passes_the_reviewer_lint(review, names, lang):
    for name, table in _tables(review, names).items():
        page = str(table.html(lang))
        assert not lint(page), (name, lint(page))
        assert "e-0" not in page and "<NA>" not in page, name


def test_numbers_follow_the_rules_of_their_kind(review, names):
    tables = _tables(review, names)
    first = review.rates.query("year == 2020").iloc[0]
    assert percent(first["estimate"], lang="vi").removesuffix(" %") in tables["rates"].html("vi")
    assert percent(first["estimate"]).removesuffix(" %") in tables["rates"].html("en")
    top = tables["top_items"].download("en")
    eff = top["Effective sample size"].dropna()
    assert (eff == eff.round()).all()                                     # a whole number
    answers = tables["answers"].download("en")
    assert answers.filter(like="(%)").max().max() <= 100                  # shares as percentages
    sens = tables["sensitivity"].download("en").set_index("Forms")
    assert pd.isna(sens.loc["All forms", "Change against all forms (points)"])   # the reference


def test_the_precision_table_says_what_it_is(review, names):
    table = text.precision_table(review, names)
    headers = [c.header_text("en") for c in table.columns]
    assert "Respondents needed for a ±2-point interval on the level's rate" in headers
    assert not any("detect" in h for h in headers)
    assert any("not the sample needed to detect a change" in n.render("en") for n in table.notes)
    wider = replace(review, settings=replace(review.settings, half_width=0.015))
    assert "±1.50-point" in " ".join(c.header_text("en") for c in
                                     text.precision_table(wider, names).columns)
    vi = [c.header_text("vi") for c in table.columns]
    assert "Số người trả lời cần có để tỉ lệ của cấp có khoảng tin cậy ±2 điểm phần trăm" in vi


def test_the_contrasts_table_names_each_comparison(review, names):
    table = text.contrasts_table(review.contrasts, names, 2020)
    rows = table.download("en")
    assert rows.iloc[:, 0].tolist() == ["Channel: Online − In person",
                                        "Respondent type: Organisation − Citizen"]
    assert rows["Larger than sampling error"].tolist() == ["yes", "no"]
    within = _tables(review, names)["within"].download("vi")
    assert "Mọi cấp" in set(within["Cấp"]) and "Giá trị p, hiệu chỉnh theo Holm" in within
    en = _tables(review, names)["within"].download("en")
    assert en["Level"].tolist()[:5] == ["All levels", "Central (ministry)", "Province",
                                        "District", "Commune"]
    larger = en["Larger than sampling error, after Holm"] == "yes"   # many comparisons: Holm
    assert (larger == (en["p-value, Holm-adjusted"] < 0.05)).all()
    unadjusted = en["p-value"] < 0.05
    assert not (larger & ~unadjusted).any()


def test_unchecked_rules_say_so(review, names):
    old = replace(review, year=2019)
    table = text.quality_table(old, names)
    quality = table.download("en").set_index("Forms")
    assert pd.isna(quality.loc["Very fast: under the time threshold", "Forms flagged"])
    assert quality.loc["Very fast: under the time threshold", "Forms that could be checked"] == 0
    assert "not checked" in table.html("en") and "không kiểm tra" in table.html("vi")
    sens = text.sensitivity_table(old, names).download("en").set_index("Forms")
    reading = next(c for c in sens.columns if c.startswith("Reading"))
    assert sens.loc["Without very fast forms", reading] == "not checked: no interview durations"
    assert pd.isna(sens.loc["Without very fast forms", "Satisfied (%)"])


def test_review_notes_are_words(review):
    notes = text.review_notes(review)
    assert len(notes) == 1 and "not found" in notes[0].render("en")
    assert notes[0].render("vi") != notes[0].render("en")


def test_the_groups_finding_says_what_a_null_result_does_not_show_only_when_there_is_one(
        review, names):
    def groups(r):
        return next(f.render("en") for f in text.findings(r, names)
                    if f.render("en").startswith("**By channel"))

    assert "makes no difference either" in groups(review)          # one within sampling error
    both = review.contrasts.copy()
    both.loc[both["year"] == 2020, ["ci_low", "ci_high"]] = [0.01, 0.05]
    text_both = groups(replace(review, contrasts=both))
    assert "makes no difference" not in text_both and "within sampling error" not in text_both
