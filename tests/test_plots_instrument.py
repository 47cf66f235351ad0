"""Tests of satisfaction.plots.instrument: every figure of the review, numbered, per language,
readable on the page."""

from __future__ import annotations

import io

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread

from instrument_frames import COMPONENTS, DESIGN, two_years_frame
from satisfaction import instrument as ins
from satisfaction.codebook import load_codebook
from satisfaction.plots import MIN_FONT_PT, smallest_text
from satisfaction.plots import instrument as plots
from satisfaction.report import instrument as text

PAGE_WIDTH_PX = 1060
"""A page shows a figure at its own size up to this width (the body's 1,100 pixels less its
padding); a wider figure is shrunk, its 9-point text with it."""


@pytest.fixture(scope="module")
def review() -> ins.InstrumentReview:
    return ins.review_instrument(two_years_frame(), DESIGN, 2020, COMPONENTS)


@pytest.fixture(scope="module")
def names() -> text.Names:
    return text.Names.of([load_codebook()], reworded=["o3"])


def _figures(review, names, lang):
    return {
        "distribution": plots.item_distribution_plot(
            review.distribution, labels=names.item_labels, answer_labels=names.answer_labels,
            nonresponse=review.nonresponse, lang=lang),
        "ceiling": plots.ceiling_plot(review.ceiling, labels=names.scale_labels, lang=lang),
        "consistency": plots.consistency_plot(review.consistency,
                                              labels=names.component_labels, lang=lang),
        "items": plots.item_statistics_plot(review.items, labels=names.item_labels, lang=lang),
        "quality": plots.quality_plot(review.quality, review.sensitivity,
                                      labels=text.FLAG_LABELS,
                                      scenario_labels=text.SCENARIO_LABELS, lang=lang),
        "groups": plots.mode_plot(review.contrasts, review.rates, names.group_labels,
                                  lang=lang),
        "precision": plots.precision_plot(review.precision, labels=names.level_labels,
                                          lang=lang),
    }


def _texts(fig: Figure) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


@pytest.mark.parametrize(("lang", "word"), [("en", "Figure"), ("vi", "Hình")])
def test_figures_are_numbered_in_the_pages_language(review, names, lang, word):
    figs = _figures(review, names, lang)
    assert set(figs) == set(plots.FIGURES)
    for key, fig in figs.items():
        assert isinstance(fig, Figure)
        assert fig.get_suptitle().startswith(f"{word} {plots.FIGURES[key]}. "), key


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_readable_on_the_page(review, names, lang):
    """No text under 9 points, and no figure so wide that the page shrinks it."""
    for key, fig in _figures(review, names, lang).items():
        assert smallest_text(fig) >= MIN_FONT_PT, key
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        buffer.seek(0)
        assert imread(buffer).shape[1] <= PAGE_WIDTH_PX, key


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_legends_are_outside_the_data_and_the_titles(review, names, lang):
    for key, fig in _figures(review, names, lang).items():
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        title = fig._suptitle.get_window_extent(renderer)
        assert fig.legends, key
        for legend in fig.legends:
            box = legend.get_window_extent(renderer)
            assert not box.overlaps(title), f"{key}: legend over the figure's title"
            for ax in fig.axes:
                assert ax.get_legend() is None, key
                assert not box.overlaps(ax.get_window_extent(renderer)), f"{key}: over the data"
                if ax.get_title():
                    assert not box.overlaps(ax.title.get_window_extent(renderer)), key


def test_labels_are_the_codebooks_in_each_language(review, names):
    vi = _figures(review, names, "vi")
    ticks = [t.get_text().replace("\n", " ") for t in vi["distribution"].axes[0].get_yticklabels()]
    assert "p3 Phí, lệ phí đúng quy định" in ticks
    assert any(t.startswith("o3* ") for t in ticks)                         # reworded: marked
    assert "Mức độ hài lòng chung đối với sự phục vụ" in ticks             # no column code
    words = " ".join(_texts(vi["groups"]))
    assert "Hình thức: Trực tuyến − Trực tiếp" in words and "Loại đối tượng: Tổ chức" in words
    assert "mode" not in " ".join(_texts(_figures(review, names, "en")["groups"])).lower()
    assert "Thủ tục hành chính" in " ".join(_texts(vi["consistency"]))
    en = " ".join(_texts(_figures(review, names, "en")["precision"]))
    assert "±2-point interval on the level's rate" in en and "22,250" not in en


def test_the_hollow_marker_is_explained_only_when_drawn(review, names):
    def legend_words(fig):
        return [t.get_text() for legend in fig.legends for t in legend.get_texts()]

    fig = plots.ceiling_plot(review.ceiling, labels=names.scale_labels, lang="en")
    drawn = any(line.get_gid() == "sat-flagged" for ax in fig.axes for line in ax.lines)
    assert drawn == ("hollow: flagged, interpret with caution" in legend_words(fig))
    flagged = review.ceiling.copy()
    flagged.loc[flagged.index[0], "df"] = 4        # few degrees of freedom: flagged (NCHS)
    fig = plots.ceiling_plot(flagged, labels=names.scale_labels, lang="en")
    assert any(line.get_gid() == "sat-flagged" for ax in fig.axes for line in ax.lines)
    assert "hollow: flagged, interpret with caution" in legend_words(fig)


def test_data_text_is_drawn_literally(review):
    labels = {"a1": "Chi phí $5 (Công an)"}
    fig = plots.item_distribution_plot(review.distribution.query("item == 'a1'"), labels=labels)
    assert fig.axes[0].get_yticklabels()[0].get_text() == r"Chi phí \$5 (Công an)"
