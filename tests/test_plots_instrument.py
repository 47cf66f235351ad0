"""Tests of satisfaction.plots.instrument: every figure of the review, numbered and returned."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from instrument_frames import COMPONENTS, DESIGN, two_years_frame
from satisfaction import instrument as ins
from satisfaction.plots import instrument as plots


@pytest.fixture(scope="module")
def review() -> ins.InstrumentReview:
    return ins.review_instrument(two_years_frame(), DESIGN, 2020, COMPONENTS)


def test_figures_are_numbered_and_returned(review):
    figs = {
        "distribution": plots.item_distribution_plot(review.distribution,
                                                     nonresponse=review.nonresponse),
        "ceiling": plots.ceiling_plot(review.ceiling),
        "consistency": plots.consistency_plot(review.consistency),
        "items": plots.item_statistics_plot(review.items),
        "quality": plots.quality_plot(review.quality, review.sensitivity),
        "mode": plots.mode_plot(review.mode, review.rates),
        "precision": plots.precision_plot(review.precision),
    }
    assert set(figs) == set(plots.FIGURES)
    for key, fig in figs.items():
        assert isinstance(fig, Figure)
        assert fig.get_suptitle().startswith(plots.FIGURES[key] + ".")
        fig.canvas.draw() if hasattr(fig.canvas, "draw") else None


def test_data_text_is_drawn_literally(review):
    labels = {"a1": "Chi phí $5 (Công an)"}
    fig = plots.item_distribution_plot(review.distribution.query("item == 'a1'"), labels=labels)
    assert fig.axes[0].get_yticklabels()[0].get_text() == r"Chi phí \$5 (Công an)"
