"""Tests of satisfaction.plots (theme, Vietnamese glyphs) and satisfaction.plots.estimates.

Figures are rendered to PNG with Agg and inspected through their artists: what is drawn where,
in which order, and which text appears. The glyph check is made twice, independently: no
missing-glyph warning while rendering, and every code point present in the font file's own
character map (FreeType). A control shows that the warning check does catch a missing glyph.
"""

from __future__ import annotations

import io
import subprocess
import sys
import types
import unicodedata
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from figure_checks import assert_legends_outside_the_axes
from matplotlib import font_manager, ft2font
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from satisfaction import plots
from satisfaction.plots import (
    VIETNAMESE_SAMPLE,
    bar_counts,
    components_plot,
    estimates_plot,
    forest_plot,
    set_theme,
    trend_plot,
)

REQUIRED_SAMPLE = (
    "ẠẢÃÀÁÂẬẦẤẨẪĂẮẰẲẴẶ ắằẳẵặ đĐ ơờớởỡợ ưừứửữự Thừa Thiên Huế"
)


@pytest.fixture(autouse=True)
def theme():
    with matplotlib.rc_context():
        set_theme()
        yield


def render(fig: Figure) -> list[str]:
    """Render to PNG with Agg; return the warnings raised while drawing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught]


def glyph_warnings(messages: list[str]) -> list[str]:
    return [m for m in messages if "missing from font" in m]


def table(estimates, n=None, index=None, name="domain", **flags) -> pd.DataFrame:
    est = np.asarray(estimates, dtype=float)
    n = np.asarray(n if n is not None else [500] * len(est), dtype=float)
    se = np.sqrt(est * (1 - est) / n)
    frame = pd.DataFrame(
        {"estimate": est, "se": se, "ci_low": est - 2 * se, "ci_high": est + 2 * se,
         "deff": 1.0, "n": n, "n_eff": n},
        index=index if isinstance(index, pd.Index) else pd.Index(index or range(len(est)), name=name),
    )
    defaults = {"suppressed": [False] * len(est), "flagged": [False] * len(est),
                "flag_reason": [""] * len(est)}
    defaults.update(flags)
    return frame.assign(**defaults)


# --- theme and fonts -------------------------------------------------------------------------

def test_theme_uses_dejavu_sans_after_seaborn():
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
    assert matplotlib.rcParams["axes.facecolor"] in ("#EAEAF2", "white")  # seaborn's style
    path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert path.endswith("DejaVuSans.ttf")


def test_the_sample_covers_the_required_letters():
    assert set(REQUIRED_SAMPLE) <= set(VIETNAMESE_SAMPLE)


def test_font_file_has_every_vietnamese_glyph():
    path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    charmap = ft2font.FT2Font(path).get_charmap()
    text = unicodedata.normalize("NFC", VIETNAMESE_SAMPLE)
    missing = [ch for ch in set(text) if not ch.isspace() and ord(ch) not in charmap]
    assert missing == []
    # Control: a font without Vietnamese letters fails the same check.
    cmr = ft2font.FT2Font(font_manager.findfont("cmr10")).get_charmap()
    assert any(ord(ch) not in cmr for ch in text if not ch.isspace())


def test_vietnamese_text_renders_without_missing_glyphs():
    fig = Figure()
    fig.text(0.05, 0.5, VIETNAMESE_SAMPLE)
    fig.suptitle(REQUIRED_SAMPLE)
    assert glyph_warnings(render(fig)) == []


def test_missing_glyph_check_can_fail():
    fig = Figure()
    fig.text(0.05, 0.5, "中文 \ue000")  # no shipped font has these
    assert glyph_warnings(render(fig))


# --- figures ---------------------------------------------------------------------------------

PROVINCES = ["Thừa Thiên Huế", "Đắk Lắk", "Bà Rịa – Vũng Tàu", "Quảng Ngãi", "Hải Phòng"]


def all_text(fig: Figure) -> str:
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return "\n".join(texts)


def errorbar_positions(ax) -> np.ndarray:
    """x positions of every drawn estimate (round markers) on horizontal plots."""
    xs = [line.get_xdata() for line in ax.get_lines() if line.get_marker() == "o"]
    return np.concatenate([np.asarray(x, dtype=float) for x in xs]) if xs else np.array([])


def test_estimates_plot_draws_points_intervals_and_n():
    t = table([0.9645, 0.874, 0.5], n=[22250, 412, 4], index=PROVINCES[:3], name="province",
              suppressed=[False, False, True],
              flag_reason=["", "", "fewer than 10 respondents"])
    fig = estimates_plot(t, national=0.9, title="Tỉ lệ hài lòng theo tỉnh")
    assert isinstance(fig, Figure)
    assert glyph_warnings(render(fig)) == []
    ax = fig.axes[0]
    drawn = errorbar_positions(ax)
    assert np.allclose(sorted(drawn[~np.isnan(drawn)]), sorted([96.45, 87.4]))
    assert not np.any(np.isclose(drawn, 50.0))  # the suppressed cell is not drawn
    text = all_text(fig)
    lines = text.splitlines()
    assert "n = 22,250" in lines and "n = 412" in lines and "n = 4" not in lines
    assert "suppressed" in text and "50.0" not in text
    assert [t.get_text() for t in ax.get_yticklabels()] == PROVINCES[:3]
    # Interval bars span exactly ci_low..ci_high (in %).
    segments = np.concatenate([c.get_segments() for c in ax.collections
                               if isinstance(c, LineCollection)])
    spans = sorted((round(s[0][0], 6), round(s[1][0], 6)) for s in segments)
    expected = sorted((round(lo * 100, 6), round(hi * 100, 6))
                      for lo, hi in t[["ci_low", "ci_high"]].to_numpy()[:2])
    assert spans == expected
    vlines = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(vlines) == 1 and np.allclose(vlines[0].get_xdata(), 90.0)


def test_flagged_cells_are_hollow():
    t = table([0.9, 0.8], flagged=[False, True], flag_reason=["", "wide interval"])
    ax = estimates_plot(t).axes[0]
    faces = {tuple(np.round(line.get_xdata(), 6)): line.get_markerfacecolor()
             for line in ax.get_lines() if line.get_marker() == "o"}
    assert faces[(80.0,)] == "white" and faces[(90.0,)] != "white"


def test_forest_plot_sorts_offices_and_draws_the_national_rate():
    est = [0.97, 0.91, 0.95, 0.99, 0.6]
    offices = ["<script>alert(1)</script>", "CA xã $5", "Đồn Huế", "Phòng PC06", "tiny"]
    t = table(est, n=[300, 300, 300, 300, 3], index=offices, name="office",
              suppressed=[False, False, False, False, True])
    national = pd.DataFrame({"estimate": [0.9645], "ci_low": [0.96], "ci_high": [0.969]})
    fig = forest_plot(t, national=national, title="Đơn vị")
    assert glyph_warnings(render(fig)) == []
    ax = fig.axes[0]
    shown = sorted(zip(est[:4], offices[:4]))
    labels = [lbl.get_text() for lbl in ax.get_yticklabels()]
    assert [lbl.replace("\\$", "$") for lbl in labels] == [o for _, o in shown]
    assert "tiny" not in labels
    assert "1 not shown" in all_text(fig)
    national_lines = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert np.allclose(national_lines[0].get_xdata(), 96.45)
    assert not np.any(np.isclose(errorbar_positions(ax), 60.0))


def test_forest_plot_max_rows_keeps_both_ends():
    t = table(np.linspace(0.5, 0.99, 40), index=[f"office {i:02d}" for i in range(40)])
    ax = forest_plot(t, max_rows=10).axes[0]
    labels = [lbl.get_text() for lbl in ax.get_yticklabels()]
    assert labels[:5] == [f"office {i:02d}" for i in range(5)]
    assert labels[5:] == [f"office {i:02d}" for i in range(35, 40)]


def test_components_plot_five_side_by_side_with_groups():
    components = ["access", "procedures", "officers", "results", "feedback"]
    names = {"access": "Tiếp cận dịch vụ", "procedures": "Thủ tục hành chính",
             "officers": "Công chức giải quyết", "results": "Kết quả giải quyết",
             "feedback": "Tiếp nhận, xử lý góp ý, phản ánh"}
    index = pd.MultiIndex.from_product([components, [2019, 2020]], names=["component", "year"])
    t = table(np.linspace(0.8, 0.97, 10), index=index)
    fig = components_plot(t, labels=names)
    assert glyph_warnings(render(fig)) == []
    ax = fig.axes[0]
    ticks = [" ".join(lbl.get_text().split()) for lbl in ax.get_xticklabels()]
    assert ticks == [names[c] for c in components]  # wrapped over lines, never cut
    assert ax.get_legend() is None  # the legend is outside the axes, never over data
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert legend == ["2019", "2020"]


def test_trend_plot_years_and_published_figures():
    t = table([0.8669, 0.9645], n=[20000, 22250], index=pd.Index([2019, 2020], name="year"))
    fig = trend_plot(t, published={2020: 0.9645})
    assert glyph_warnings(render(fig)) == []
    ax = fig.axes[0]
    assert [lbl.get_text() for lbl in ax.get_xticklabels()] == ["2019", "2020"]
    diamonds = [line for line in ax.get_lines() if line.get_marker() == "D"]
    assert np.allclose(diamonds[0].get_ydata(), [96.45])
    text = all_text(fig)
    assert "86.69" in text and "96.45" in text  # a rate has two decimals, as in the tables


def test_trend_plot_by_domain_skips_suppressed_years():
    index = pd.MultiIndex.from_product([[2019, 2020], ["province", "commune"]])
    t = table([0.85, 0.42, 0.95, 0.9], index=index, suppressed=[False, True, False, False])
    fig = trend_plot(t, labels={"commune": "Xã"})
    text = all_text(fig)
    assert "42.00" not in text and "suppressed" in text and "Xã" in text


def test_figures_use_no_pyplot_and_never_show(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show was called"))
    before = plt.get_fignums()
    t = table([0.9, 0.8], index=["a", "b"])
    for fig in (estimates_plot(t), forest_plot(t, national=0.85)):
        assert isinstance(fig, Figure)
    idx = pd.MultiIndex.from_product([["access"], [2020]])
    components_plot(table([0.9], index=idx))
    trend_plot(table([0.9], index=pd.Index([2020])))
    assert plt.get_fignums() == before


def test_figures_ask_reliability_when_flags_are_absent(monkeypatch):
    def fake(frame, disclosure_threshold):
        return frame.assign(suppressed=frame["n"] < disclosure_threshold, flagged=False,
                            flag_reason="")

    monkeypatch.setitem(sys.modules, "satisfaction.reliability",
                        types.SimpleNamespace(nchs_flags=fake))
    t = table([0.9, 0.3], n=[400, 40]).drop(columns=["suppressed", "flagged", "flag_reason"])
    ax = estimates_plot(t, disclosure_threshold=50).axes[0]
    assert not np.any(np.isclose(errorbar_positions(ax), 30.0))


def test_bad_tables_give_clear_errors():
    with pytest.raises(ValueError, match="missing column"):
        estimates_plot(pd.DataFrame({"estimate": [0.5]}))
    with pytest.raises(ValueError):
        trend_plot(table([0.9], index=pd.Index(["not a year"])))


def test_plots_module_exposes_the_figures():
    assert plots.estimates_plot is estimates_plot
    with pytest.raises(AttributeError):
        plots.no_such_plot  # noqa: B018


def test_the_export_table_is_every_figure_of_every_submodule():
    """plots._EXPORTS names each submodule's __all__ exactly, and __all__ is that plus the theme."""
    import importlib

    modules = set(plots._EXPORTS.values())
    assert modules == {"estimates", "change", "par", "instrument"}
    for module_name in modules:
        module = importlib.import_module(f"satisfaction.plots.{module_name}")
        exported = {n for n, m in plots._EXPORTS.items() if m == module_name}
        assert exported == set(module.__all__), module_name
        for name in exported:
            assert getattr(plots, name) is getattr(module, name)
    own = {"FONT_FAMILY", "VIETNAMESE_SAMPLE", "enable_notebook_display", "new_figure", "set_theme",
           "MIN_FONT_PT", "SMALL_FONT_PT", "axis_label", "smallest_text", "localise_numbers"}
    assert set(plots.__all__) == own | set(plots._EXPORTS)
    assert set(plots.__all__) <= set(dir(plots))


def test_importing_plots_does_not_load_seaborn():
    code = "import sys, satisfaction.plots; print('seaborn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_bar_counts_largest_first_with_numbers():
    reasons = pd.DataFrame({"reason": ["duplicate", "Thiếu mã đơn vị", "out of range"],
                            "rows": [12, 300, 65]})
    fig = bar_counts(reasons, label="reason", value="rows", title="Quarantined rows")
    assert glyph_warnings(render(fig)) == []
    ax = fig.axes[0]
    top_down = sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])
    assert [t.get_text() for t in top_down] == ["Thiếu mã đơn vị", "out of range", "duplicate"]
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [12, 65, 300]
    assert {"300", "65", "12"} <= set(all_text(fig).splitlines())
    with pytest.raises(ValueError, match="no column"):
        bar_counts(reasons, label="why", value="rows")


def test_forest_plot_says_so_when_every_unit_is_suppressed():
    t = table([0.9, 0.8], n=[5, 6], index=["a", "b"], suppressed=[True, True])
    fig = forest_plot(t, national=0.85)
    assert "No unit meets the reliability standard (2 suppressed)." in all_text(fig)
    assert errorbar_positions(fig.axes[0]).size == 0


# --- readable in each language: sizes, legends, axes, labels ------------------------------------

def _all_figures(lang: str) -> list[Figure]:
    level = table([0.9465, 0.9639, 0.5], n=[1335, 6008, 4], index=["central", "province", "x"],
                  name="level", suppressed=[False, False, True], flagged=[True, False, False],
                  flag_reason=["df", "", "few"])
    components = table(np.linspace(0.77, 0.95, 5),
                       index=pd.Index([f"sat_{c}" for c in "abcde"], name="component"))
    trend = table([0.8669, 0.9645], index=pd.Index([2019, 2020], name="year"))
    offices = table(np.linspace(0.6, 0.99, 60), index=[f"Công an xã {i}" for i in range(60)],
                    name="office")
    counts = pd.DataFrame({"reason": ["a", "b"], "rows": [1200, 3]})
    return [estimates_plot(level, national=0.9645, title="t", lang=lang),
            forest_plot(offices, national=0.9645, max_rows=20, title="t", lang=lang),
            components_plot(components, title="t", lang=lang),
            trend_plot(trend, published={2020: 0.9645}, title="t", lang=lang),
            bar_counts(counts, label="reason", value="rows", title="t", lang=lang)]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_text_under_nine_points(lang):
    for fig in _all_figures(lang):
        assert plots.smallest_text(fig) >= plots.MIN_FONT_PT, fig.axes[0].get_title()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_legends_and_notes_are_outside_the_axes(lang):
    for fig in _all_figures(lang):
        assert_legends_outside_the_axes(fig)


def test_an_axis_that_does_not_start_at_zero_says_so():
    fig = estimates_plot(table([0.9465, 0.9639], index=["a", "b"], name="level"), lang="vi")
    ax = fig.axes[0]
    assert ax.get_xlim()[0] > 0
    assert f"trục bắt đầu từ {ax.get_xlim()[0]:.0f}, không phải từ 0" in ax.get_xlabel()
    wide = estimates_plot(table([0.02, 0.98], index=["a", "b"], name="level"))
    assert wide.axes[0].get_xlim()[0] == 0 and "starts" not in wide.axes[0].get_xlabel()
    trend = trend_plot(table([0.8669, 0.9645], index=pd.Index([2019, 2020])), lang="en")
    assert "\n(the axis starts at" in trend.axes[0].get_ylabel()


def test_figures_speak_the_pages_language_with_the_tables_labels():
    from satisfaction.codebook import load_codebook
    from satisfaction.report.tables import estimates_table

    codebook = load_codebook()
    labels = lambda lang: codebook.labels("level", lang)
    t = table([0.9465, 0.9639], n=[1335, 6008], index=["central", "province"], name="level")
    for lang in ("vi", "en"):
        fig = estimates_plot(t, labels=labels, national=0.9645, lang=lang)
        ticks = [x.get_text() for x in fig.axes[0].get_yticklabels()]
        html = estimates_table(t, labels=labels).html(lang)
        assert all(tick in html for tick in ticks)  # the same words as the table
        text = all_text(fig)
        if lang == "vi":
            assert "n = 1.335" in text and "Tỉ lệ toàn quốc 96,45 %" in text
            assert "Hài lòng hoặc rất hài lòng (%)" in fig.axes[0].get_xlabel()
        else:
            assert "n = 1,335" in text and "National rate 96.45 %" in text
