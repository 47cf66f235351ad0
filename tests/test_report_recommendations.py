"""Tests of satisfaction.report.recommendations: each line follows from a test that supports it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from html_lint import lint

from instrument_frames import COMPONENTS, DESIGN, two_years_frame
from satisfaction import instrument as ins
from satisfaction.codebook import load_codebook
from satisfaction.i18n import _
from satisfaction.plots.instrument import FIGURES
from satisfaction.report.instrument import Names
from satisfaction.report.recommendations import (
    TOPICS,
    Recommendation,
    recommendations,
    recommendations_table,
)


@pytest.fixture(scope="module")
def review() -> ins.InstrumentReview:
    return ins.review_instrument(two_years_frame(), DESIGN, 2020, COMPONENTS)


@pytest.fixture(scope="module")
def names() -> Names:
    return Names.of([load_codebook()])


def _texts(recs: list[Recommendation], lang: str = "en") -> list[str]:
    return [" | ".join(x.render(lang) for x in (r.target, r.finding, r.action)) for r in recs]


def test_recommendations_follow_from_the_tables(review, names):
    recs = recommendations(review, names)
    assert all(r.topic in TOPICS and r.figure in FIGURES for r in recs)
    assert [list(TOPICS).index(r.topic) for r in recs] == sorted(
        list(TOPICS).index(r.topic) for r in recs)                      # in the page's order
    items = [(r.target.render("en").split()[0], r.figure) for r in recs if r.topic == "item"]
    assert ("a2", "distribution") in items                              # near-constant
    assert ("p3", "items") in items                                     # weak item-rest
    sample = [r for r in recs if r.topic == "sample"]
    prec = review.precision.set_index("level")
    assert len(sample) == len(prec)
    levels = names.level_labels("en")
    for r in sample:
        code = next(c for c, label in levels.items() if label == r.target.render("en"))
        assert f"{prec.loc[code, 'n_required']:,.0f} respondents" in r.action.render("en")
        assert r.figure_name.render("en") == "Figure 7" and r.figure_name.render("vi") == "Hình 7"
    quality = _texts([r for r in recs if r.topic == "quality"])
    assert not any("No interview durations" in t for t in quality)      # 2020 has durations


def test_no_mode_and_no_change_needed_after_a_descriptive_comparison(review, names):
    """The respondent type is not a mode; a contrast within sampling error recommends nothing."""
    recs = recommendations(review, names)
    words = " ".join(_texts(recs))
    assert "mode" not in words.lower() and "no change needed" not in words.lower()
    contrasts = review.contrasts[review.contrasts["year"] == 2020]
    significant = contrasts[(contrasts["ci_low"] > 0) | (contrasts["ci_high"] < 0)]
    assert set(significant["variable"]) == {"channel"}                 # the frame makes it so
    assert [r.topic for r in recs if r.figure == "groups"] == ["channel"]
    line = next(r for r in recs if r.topic == "channel")
    assert "descriptive" in line.action.render("en")
    assert line.target.render("en") == "Channel: Online − In person"
    # the respondent-type contrast made to exclude zero: a line under its own topic
    moved = review.contrasts.copy()
    row = (moved["year"] == 2020) & (moved["variable"] == "respondent_type")
    moved.loc[row, ["difference", "ci_low", "ci_high"]] = [0.05, 0.02, 0.08]
    topics = [r.topic for r in recommendations(replace(review, contrasts=moved), names)
              if r.figure == "groups"]
    assert topics == ["channel", "respondent_type"]
    # both within sampling error: no line at all, and nothing else says "no change"
    none = review.contrasts.copy()
    none.loc[none["year"] == 2020, ["ci_low", "ci_high"]] = [-0.01, 0.01]
    quiet = recommendations(replace(review, contrasts=none), names)
    assert not [r for r in quiet if r.figure == "groups"]


def _sensitivity(review, scenario, change, low, high):
    table = review.sensitivity.copy()
    row = (table["year"] == 2020) & (table["scenario"] == scenario)
    table.loc[row, ["change", "change_low", "change_high"]] = [change, low, high]
    return replace(review, sensitivity=table)


def test_the_rate_is_kept_only_when_the_whole_interval_of_the_change_is_within_its_margin(
        review, names):
    sens = review.sensitivity.query("year == 2020").set_index("scenario")
    margin = (sens.loc["all", "ci_high"] - sens.loc["all", "ci_low"]) / 2

    def quality(r):
        return {r_.action.render("en") for r_ in recommendations(r, names)
                if r_.topic == "quality"}

    keep = "Keep every valid form in the published rate."
    publish = ("Publish the rate with and without these forms, and add an attention check to "
               "the questionnaire.")
    inside = _sensitivity(review, "flagged", -0.1 * margin, -0.5 * margin, 0.3 * margin)
    assert keep in quality(inside) and publish not in quality(inside)
    reaching = _sensitivity(review, "flagged", -0.5 * margin, -1.5 * margin, 0.5 * margin)
    assert keep not in quality(reaching) and publish not in quality(reaching)   # not conclusive
    beyond = _sensitivity(review, "straightlined", -3 * margin, -4 * margin, -2 * margin)
    assert publish in quality(beyond) and keep not in quality(beyond)
    line = next(r for r in recommendations(beyond, names) if r.action.render("en") == publish)
    assert line.target.render("en") == "Straight-lined forms" and line.figure == "quality"
    assert "more than its margin of error" in line.finding.render("en")


def test_thresholds_apply_to_intervals(review, names):
    """A component is too low only when its whole interval is below the minimum."""
    recs = recommendations(review, names)
    cons = review.consistency.query("year == 2020").set_index("component")
    low = {c for c, r in cons.iterrows() if r["ci_high"] < review.settings.alpha_min}
    reaching = {c for c, r in cons.iterrows()
                if r["alpha"] < review.settings.alpha_min <= r["ci_high"]}
    assert low and reaching                                    # the frame has one of each
    flagged = {r.target.render("en") for r in recs if r.topic == "component"}
    labels = names.component_labels("en")
    assert flagged == {labels[c] for c in low}
    strict = replace(review, settings=replace(review.settings, alpha_min=0.999))
    lines = [r for r in recommendations(strict, names) if r.topic == "component"]
    assert len(lines) == len(COMPONENTS)
    assert all("below 1.00" in r.finding.render("en") and r.figure == "consistency"
               for r in lines)
    old = recommendations(replace(review, year=2019), names)
    assert any("No interview durations" in r.finding.render("en") for r in old)


def test_the_table_reads_in_both_languages(review, names):
    recs = recommendations(review, names)
    table = recommendations_table(recs, 2020)
    for lang in ("vi", "en"):
        page = str(table.html(lang))
        assert not lint(page)
        assert len(table.download(lang)) == len(recs)
    vi, en = table.download("vi"), table.download("en")
    assert "Hình 5" in set(vi.iloc[:, -1]) and "Figure 5" in set(en.iloc[:, -1])
    assert list(en.columns) == ["Topic", "Concerns", "Finding", "Recommendation", "Figure"]
    assert not set(vi.columns) & set(en.columns)          # every header translated
    assert set(vi.iloc[:, 0]) <= {t.render("vi") for t in TOPICS.values()}


def test_a_recommendation_names_a_known_topic_and_figure():
    with pytest.raises(ValueError, match="topic"):
        Recommendation("mode", _("x"), _("x"), _("x"), "groups")
    with pytest.raises(ValueError, match="figure"):
        Recommendation("channel", _("x"), _("x"), _("x"), "mode")


def test_default_names_come_from_the_codebook(review):
    recs = recommendations(review)
    assert any(r.target.render("vi") == "p3 Phí, lệ phí đúng quy định" for r in recs)
