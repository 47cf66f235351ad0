"""Tests of satisfaction.report.recommendations: each line follows from a table of the review."""

from __future__ import annotations

from dataclasses import replace

import pytest

from instrument_frames import COMPONENTS, DESIGN, two_years_frame
from satisfaction import instrument as ins
from satisfaction.plots.instrument import FIGURES
from satisfaction.report.recommendations import COLUMNS, recommendations


@pytest.fixture(scope="module")
def review() -> ins.InstrumentReview:
    return ins.review_instrument(two_years_frame(), DESIGN, 2020, COMPONENTS)


def test_recommendations_follow_from_the_tables(review):
    recs = recommendations(review)
    assert set(recs.columns) == {"topic", "target", "finding", "action", "figure"}
    assert tuple(recs.columns) == COLUMNS
    assert set(recs.figure) <= set(FIGURES.values())
    items = recs[recs.topic == "item"]
    assert "a2" in items.target.tolist()                      # near-constant
    assert "p3" in items.target.tolist()                      # weak item-rest
    pairs = set(zip(items.target, items.figure))
    assert ("a2", FIGURES["distribution"]) in pairs
    assert ("p3", FIGURES["items"]) in pairs
    sample = recs[recs.topic == "sample"]
    assert len(sample) == 4
    prec = review.precision.set_index("level")
    for r in sample.itertuples():
        assert f"{int(prec.loc[r.target, 'n_required'])} respondents" in r.action
    modes = recs[recs.topic == "mode"]
    assert len(modes) == 2
    quality = recs[recs.topic == "quality"]
    assert not any("no durations" in f for f in quality.finding)   # 2020 has durations


def test_quality_recommendation_needs_a_material_change(review):
    sens = review.sensitivity.query("year == 2020").set_index("scenario")
    margin = (sens.loc["all forms", "ci_high"] - sens.loc["all forms", "ci_low"]) / 2
    material = sens[(sens.change.abs() > margin)
                    & ((sens.change_low > 0) | (sens.change_high < 0))]
    quality = recommendations(review).query("topic == 'quality'")
    assert len(quality) == max(len(material), 1)
    big = review.sensitivity.copy()
    row = (big.year == 2020) & (big.scenario == "without straight-lined")
    big.loc[row, ["change", "change_low", "change_high"]] = [-3 * margin, -4 * margin, -2 * margin]
    quality = recommendations(replace(review, sensitivity=big)).query("topic == 'quality'")
    line = quality.set_index("target").loc["straight-lined"]
    assert "more than its margin of error" in line["finding"]
    assert line["figure"] == FIGURES["quality"]


def test_thresholds_decide_the_lines(review):
    """A stricter alpha threshold adds component lines; the 2019 review has no durations."""
    strict = replace(review, settings=replace(review.settings, alpha_min=0.999))
    lines = recommendations(strict).query("topic == 'component'")
    assert len(lines) == len(COMPONENTS)
    assert all("below 1.00" in f for f in lines.finding)
    assert (lines.figure == FIGURES["consistency"]).all()
    old = recommendations(replace(review, year=2019)).query("topic == 'quality'")
    assert "no durations recorded" in old.finding.tolist()
