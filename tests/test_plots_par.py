"""Figures of the PAR index (satisfaction.plots.par) in each language: readable text, legends
outside the axes, intervals inside them, the band and criterion names of the tables.
"""

from __future__ import annotations

import io
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from figure_checks import assert_legends_outside_the_axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from satisfaction import par_index as par
from satisfaction import plots
from satisfaction.params import load_params
from satisfaction.plots import par as figures
from satisfaction.report import par as text

LANGS = ("vi", "en")


@pytest.fixture(autouse=True)
def theme():
    with matplotlib.rc_context():
        plots.set_theme()
        yield


@pytest.fixture(scope="module")
def data():
    criteria = par.load_criteria()
    p = load_params(2020)
    current = par.load_year(p, criteria)
    base = par.load_baseline_year(p, criteria)
    rng = np.random.default_rng(1)
    prov = current.units.loc[current.units["unit_type"] == "province", "province"]
    est = np.clip(0.93 + rng.normal(0, 0.03, prov.size), 0, 1)
    sat = pd.DataFrame({"estimate": est, "se": 0.01, "ci_low": np.clip(est - 0.2, 0, 1),
                        "ci_high": np.clip(est + 0.06, 0, 1), "deff": 1.5, "n": 350,
                        "n_eff": 233.0, "df": 12}, index=pd.Index(prov.to_numpy(), name="province"))
    sat.loc[prov.iloc[0], "n"] = 4                        # suppressed: not drawn, counted
    return criteria, p, current, base, sat


def _figures(data, lang) -> list[Figure]:
    criteria, p, current, base, sat = data
    bands = text.band_labels(criteria)
    summary = par.score_summary(current.units["score"])
    changes = par.band_changes(base.bands, current.bands, "2019", "2020")
    matrix = par.transition_matrix(base.bands, current.bands, "2019", "2020")
    fragility = par.fragility(current.units, p.par_bands)
    either = fragility.loc[fragility["direction"] == "either"]
    link = par.par_vs_satisfaction(current.units, sat)
    return [
        figures.par_distribution_plot(current.units["score"], p.par_bands, summary,
                                      labels=bands, lang=lang),
        figures.band_changes_plot(changes, labels=bands, lang=lang),
        figures.transition_heatmap(matrix, labels=bands, lang=lang),
        figures.criterion_losses_plot(par.criterion_losses(current.table),
                                      labels=text.criterion_labels(criteria), lang=lang),
        figures.fragility_plot(either.set_index(either.apply(text.assumption_key, axis=1)),
                               text.assumption_names(either), lang=lang),
        figures.par_satisfaction_plot(link, lang=lang),
    ]


def _words(fig: Figure) -> str:
    return " ".join(" ".join(t.get_text().split()) for t in fig.findobj(Text))


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_under_nine_points_and_every_glyph_drawn(data, lang):
    for fig in _figures(data, lang):
        assert plots.smallest_text(fig) >= plots.MIN_FONT_PT, fig.axes[0].get_title()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(io.BytesIO(), format="png")
        assert not [w for w in caught if "missing from font" in str(w.message)]


@pytest.mark.parametrize("lang", LANGS)
def test_legends_are_outside_the_axes(data, lang):
    for fig in _figures(data, lang):
        assert_legends_outside_the_axes(fig)


def test_the_figures_use_the_tables_names_in_each_language(data):
    criteria = data[0]
    vi, en = (" ".join(_words(f) for f in _figures(data, lang)) for lang in LANGS)
    for band in ("excellent", "good", "fair", "completed"):
        assert criteria.band_label(band, "vi") in vi and criteria.band_label(band, "en") in en
    assert "Mức xếp loại năm 2019" in vi and "Band in 2019" in en
    assert "Xây dựng Chính phủ điện tử" in vi
    assert "not_completed" not in vi + en and "excellent" not in vi + en


def test_the_satisfaction_intervals_are_inside_the_axes(data):
    fig = _figures(data, "en")[-1]
    ax = fig.axes[0]
    link = par.par_vs_satisfaction(data[2].units, data[4])
    low, high = ax.get_ylim()
    assert low <= 100 * link.table["sat_ci_low"].min() and 100 * link.table["sat_ci_high"].max() <= high
    left, right = ax.get_xlim()
    assert left <= link.table["par_score"].min() and link.table["par_score"].max() <= right
    assert f"the axis starts at {low:.0f}, not at 0" in ax.get_ylabel().replace("\n", " ")
    assert "1 province(s) not shown" in _words(fig)


def test_the_distribution_draws_the_mean_interval_and_every_unit(data):
    criteria, p, current, _, _ = data
    summary = par.score_summary(current.units["score"])
    fig = figures.par_distribution_plot(current.units["score"], p.par_bands, summary,
                                        labels=text.band_labels(criteria), lang="en")
    ax = fig.axes[0]
    heights = sum(patch.get_height() for patch in ax.patches if patch.get_width() == 1.0)
    assert heights == len(current.units)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Excellent (14)" in legend and "mean score 85.78" in legend
    assert ax.get_xlim()[0] <= summary["ci_low"].iloc[0]


def test_the_fragility_figure_counts_down_left_and_up_right(data):
    _, p, current, _, _ = data
    f = par.fragility(current.units, p.par_bands)
    either = f.loc[f["direction"] == "either"]
    keyed = either.set_index(either.apply(text.assumption_key, axis=1))
    fig = figures.fragility_plot(keyed, text.assumption_names(either), lang="vi")
    widths = [patch.get_width() for patch in fig.axes[0].patches]
    n = len(keyed)
    assert widths[:n] == [-d for d in keyed["moved_down"]]
    assert widths[n:] == list(keyed["moved_up"])
    assert "Cộng/trừ cố định ±1 điểm cho điểm của mọi đơn vị" in _words(fig)
