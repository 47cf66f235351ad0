"""Figures for the notebooks and report pages (seaborn look, matplotlib figures).

Call :func:`set_theme` once at the top of a notebook: it applies seaborn's theme, then a font
that has every Vietnamese letter (province and office names keep their diacritics on a bare
machine) and text sizes a reviewer can read: nothing under :data:`MIN_FONT_PT` points on a page
(a figure is shown at its own size, 100 pixels an inch), checked by :func:`smallest_text`.

The rules every figure keeps: its labels in the page's language (``lang``), with the same
category labels as the tables; legends and notes outside the axes, never over data or the
title; a value axis that starts at 0, or says where it starts (:func:`axis_label`); and, on the
page, an alt text that says what it shows (:func:`satisfaction.report.show.figure`). The figures themselves live in submodules and are re-exported
here (the table :data:`_EXPORTS` says which module draws which figure): :mod:`.estimates`
(by-domain estimates, forest plot of offices, the five components, trend across years, plain
counts), :mod:`.change` (year-over-year change), :mod:`.par` (the PAR index) and
:mod:`.instrument` (the questionnaire review). A submodule is imported on first use, so that
``import satisfaction.plots`` does not load seaborn. Every function returns a
:class:`matplotlib.figure.Figure` and none calls ``plt.show``; the figures are built without
pyplot, so a notebook shows one when it is displayed: ``display(fig)``, or the figure as the
cell's last expression (``fig = ...`` alone shows nothing).

Not for: computing estimates or deciding reliability (figures take estimate tables and ask
:mod:`satisfaction.reliability` which cells may be drawn).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FONT_FAMILY = "DejaVu Sans"
"""Ships with matplotlib and covers Vietnamese (Latin Extended Additional, U+1EA0-U+1EF9)."""

VIETNAMESE_SAMPLE = (
    "ẠẢÃÀÁÂẬẦẤẨẪĂẮẰẲẴẶ ắằẳẵặ đĐ ơờớởỡợ ưừứửữự Thừa Thiên Huế "
    "Đắk Lắk Bà Rịa – Vũng Tàu Quảng Ngãi Hải Phòng Thành phố Hồ Chí Minh"
)
"""Text whose every glyph must render (checked by the tests)."""

MIN_FONT_PT = 9.0
"""The smallest text a figure may draw, in points (9 pt: 12.5 pixels at 100 pixels an inch)."""
SMALL_FONT_PT = 9.5
"""Notes, value labels and legends: small, never under :data:`MIN_FONT_PT`."""

_EXPORTS = {
    "bar_counts": "estimates",
    "components_plot": "estimates",
    "estimates_plot": "estimates",
    "forest_plot": "estimates",
    "trend_plot": "estimates",
    "change_plot": "change",
    "sensitivity_heatmap": "change",
    "band_changes_plot": "par",
    "criterion_losses_plot": "par",
    "fragility_plot": "par",
    "par_distribution_plot": "par",
    "par_satisfaction_plot": "par",
    "transition_heatmap": "par",
    "ceiling_plot": "instrument",
    "item_distribution_plot": "instrument",
    "item_statistics_plot": "instrument",
    "mode_plot": "instrument",
    "precision_plot": "instrument",
    "quality_plot": "instrument",
    "consistency_plot": "instrument",
    "FIGURES": "instrument",
}
"""Figure -> the submodule that draws it (each submodule's ``__all__``, checked by the tests)."""

# This module's names and every figure of _EXPORTS (the tests check the two agree).
__all__ = [
    "FIGURES",
    "FONT_FAMILY",
    "MIN_FONT_PT",
    "SMALL_FONT_PT",
    "VIETNAMESE_SAMPLE",
    "axis_label",
    "band_changes_plot",
    "bar_counts",
    "ceiling_plot",
    "change_plot",
    "components_plot",
    "consistency_plot",
    "criterion_losses_plot",
    "enable_notebook_display",
    "estimates_plot",
    "forest_plot",
    "fragility_plot",
    "item_distribution_plot",
    "item_statistics_plot",
    "mode_plot",
    "new_figure",
    "par_distribution_plot",
    "par_satisfaction_plot",
    "precision_plot",
    "quality_plot",
    "sensitivity_heatmap",
    "set_theme",
    "smallest_text",
    "transition_heatmap",
    "trend_plot",
]


def set_theme(context: str = "notebook", style: str = "whitegrid", font_scale: float = 1.0) -> None:
    """Seaborn's theme, then a Vietnamese-capable font (DejaVu Sans) for all text.

    Args:
        context: seaborn plotting context (``paper``, ``notebook``, ``talk``, ``poster``).
        style: seaborn style.
        font_scale: seaborn font scale.

    Examples:
        >>> import matplotlib as mpl
        >>> set_theme()
        >>> mpl.rcParams["font.family"], mpl.rcParams["font.sans-serif"][0]
        (['sans-serif'], 'DejaVu Sans')
    """
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context=context, style=style, font_scale=font_scale)
    others = [f for f in mpl.rcParams["font.sans-serif"] if f != FONT_FAMILY]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [FONT_FAMILY, *others]
    mpl.rcParams["axes.unicode_minus"] = True
    # Readable text on a page: seaborn's "notebook" sizes, none under MIN_FONT_PT; a relative
    # size ("small", "x-small") is a share of font.size, so font.size keeps those above it too.
    floor = MIN_FONT_PT / 0.694  # "x-small" is 0.694 of font.size
    mpl.rcParams["font.size"] = max(float(mpl.rcParams["font.size"]), floor)
    for key in ("axes.labelsize", "axes.titlesize", "xtick.labelsize", "ytick.labelsize",
                "legend.fontsize", "legend.title_fontsize", "figure.titlesize"):
        if isinstance(mpl.rcParams[key], (int, float)):
            mpl.rcParams[key] = max(float(mpl.rcParams[key]), SMALL_FONT_PT + 1)
    mpl.rcParams["figure.dpi"] = 100
    mpl.rcParams["savefig.dpi"] = 100
    mpl.rcParams["savefig.bbox"] = "tight"
    enable_notebook_display()


def enable_notebook_display() -> bool:
    """Let Jupyter show a returned figure as a PNG (once), also when pyplot was never used.

    The figures are built without pyplot, so the inline backend may not have registered its
    display formatter yet. An existing registration (say, SVG chosen by the user) is kept.

    Returns:
        True inside IPython (formatter present), False elsewhere.
    """
    from IPython import get_ipython  # a dependency (ipykernel); None outside a kernel
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is None:
        return False

    formatters = shell.display_formatter.formatters
    if any(Figure in f.type_printers for f in formatters.values()):
        return True
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(shell, {"png"}, bbox_inches="tight")
    return True


def new_figure(width: float, height: float, ax: Axes | None = None) -> tuple[Figure, Axes]:
    """A figure of ``width`` x ``height`` inches with one axes, or the figure of ``ax`` when given.

    Figures are built without pyplot (nothing stays in memory after a batch run); Jupyter is
    told once how to show them (:func:`enable_notebook_display`).

    Examples:
        >>> fig, ax = new_figure(4, 3)
        >>> fig.get_size_inches().tolist(), new_figure(1, 1, ax)[0] is fig
        ([4.0, 3.0], True)
    """
    from matplotlib.figure import Figure

    enable_notebook_display()
    if ax is not None:
        fig = ax.get_figure(root=True)
        if fig is None:
            raise ValueError("ax belongs to no figure")
        return fig, ax
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def smallest_text(fig: Figure) -> float:
    """The size, in points, of the smallest visible text of a figure (inf when it has none).

    Examples:
        >>> fig, ax = new_figure(4, 3)
        >>> _ = ax.set_title("Tỉ lệ", fontsize=12); _ = ax.text(0, 0, "n = 5", fontsize=7)
        >>> smallest_text(fig)
        7.0
    """
    from matplotlib.text import Text

    sizes = [float(t.get_fontsize()) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    return min(sizes, default=float("inf"))


def axis_label(label: str, start: float, *, zero: float = 0.0, lang: str = "en",
               vertical: bool = False) -> str:
    """An axis label that says where the axis starts when it does not start at zero.

    Rates near 96 % drawn from 0 would show nothing; drawn from 94 they must say so.

    Args:
        label: the axis label (already in ``lang``).
        start: where the axis starts (the lower limit on the figure's scale).
        zero: the value a reader would assume the axis starts at.
        lang: the language of the added words.
        vertical: the label of a vertical axis: the note goes on a second line, in brackets.

    Examples:
        >>> axis_label("Satisfied (%)", 94.0)
        'Satisfied (%) — the axis starts at 94, not at 0'
        >>> axis_label("Satisfied (%)", 94.0, vertical=True)
        'Satisfied (%)\\n(the axis starts at 94, not at 0)'
        >>> axis_label("Hài lòng (%)", 0.0, lang="vi")
        'Hài lòng (%)'
    """
    from ..i18n import _
    from ..report.formats import decimal

    if abs(float(start) - zero) < 1e-9:
        return label
    digits = 0 if float(start).is_integer() else 1
    note = _("the axis starts at {start}, not at {zero}").format(
        start=decimal(start, digits, lang), zero=decimal(zero, 0, lang))
    text = note.render(lang)  # type: ignore[arg-type]
    return f"{label}\n({text})" if vertical else f"{label} — {text}"


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'satisfaction.plots' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
