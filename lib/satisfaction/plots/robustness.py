"""Figures of page 06_robustness: composition, the change in every view, and the tipping points.

* :func:`composition_plot` -- for each characteristic of who was asked (and all crossed), the
  composition part and the within-group part of the change in points, with their intervals,
  against the total change;
* :func:`views_plot` -- the change in every like-for-like view and response-quality scenario,
  with its interval, beside the headline change;
* :func:`tipping_plot` -- three panels: the change against the share of courtesy answers, the
  non-respondents' rate that would erase it against the response rate, and the change against
  the over-representation of the best-scoring offices.

Each function draws its labels in one language (``lang``): the page builds one figure per
edition (:func:`satisfaction.report.show.figure`). Row labels come from the caller (the report
layer words them); names from the data are drawn literally
(:func:`satisfaction.plots.labels.literal`). Every function returns a
:class:`matplotlib.figure.Figure` and never calls ``plt.show``.

Not for: computing anything (:mod:`satisfaction.robustness`) or wording verdicts
(:mod:`satisfaction.report.robustness`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator

from ..i18n import Language, Renderable, _, render
from ..report.formats import Percent, decimal
from .labels import drawn

__all__ = ["composition_plot", "tipping_plot", "views_plot"]

_COMPOSITION = "#d95f02"
_WITHIN = "#1b9e77"
_CHANGE = "#4c4c4c"
_FAIL = "#b2182b"


def _label(labels: Mapping[str, Renderable | str], key: Any, lang: Language) -> str:
    value = labels.get(str(key), str(key))
    return drawn(value, lang)


def _points(x: Any) -> np.ndarray:
    return 100 * np.asarray(x, dtype=float)


def composition_plot(composition: pd.DataFrame, *, labels: Mapping[str, Renderable | str],
                     lang: Language, level: float = 0.95,
                     years: tuple[Any, Any] = ("current", "base")) -> Figure:
    """Composition and within-group parts of the change by characteristic, with intervals.

    Args:
        composition: :func:`satisfaction.robustness.composition_table` (rows whose status is
            not "ok" are left out).
        labels: characteristic -> its name (a message or text).
        lang: the language of the figure's text.
        level: the intervals' confidence level (for the axis label).
        years: the current and base years.

    Returns:
        The figure.

    Examples:
        >>> t = pd.DataFrame({"status": ["ok"], "composition": [-0.002], "composition_low": [-0.004],
        ...     "composition_high": [0.0], "within": [0.1], "within_low": [0.09],
        ...     "within_high": [0.11], "total": [0.098]}, index=["channel"])
        >>> fig = composition_plot(t, labels={"channel": "channel"}, lang="en")
        >>> [tl.get_text() for tl in fig.axes[0].get_yticklabels()]
        ['channel']
    """
    rows = composition[composition["status"] == "ok"].iloc[::-1]
    fig = Figure(figsize=(8.5, 1.2 + 0.55 * len(rows)))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    for part, colour, offset, name in (
        ("composition", _COMPOSITION, 0.15, _("composition (who was asked)")),
        ("within", _WITHIN, -0.15, _("within groups")),
    ):
        est = _points(rows[part])
        err = np.vstack([est - _points(rows[f"{part}_low"]), _points(rows[f"{part}_high"]) - est])
        ax.errorbar(est, y + offset, xerr=err, fmt="o", color=colour, capsize=3,
                    label=render(name, lang))
    if len(rows):
        total = float(_points(rows["total"].iloc[0]))
        ax.axvline(total, color=_CHANGE, linestyle="--", linewidth=1,
                   label=render(_("total change"), lang))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [_label(labels, k, lang) for k in rows.index])
    ax.set_xlabel(render(_("points of the change, {base} to {year} ({level} intervals)").format(
        base=str(years[1]), year=str(years[0]), level=Percent(level, 0)), lang))
    ax.set_title(render(_("How much of the change is who was asked"), lang))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16 - 0.6 / max(len(rows), 1)),
              ncol=3, fontsize="small", frameon=False)
    return fig


def views_plot(rows: pd.DataFrame, *, labels: Mapping[str, Renderable | str], lang: Language,
               level: float = 0.95, years: tuple[Any, Any] = ("current", "base"),
               title: Renderable | str | None = None) -> Figure:
    """The change in several views (like for like, response quality) with their intervals.

    Args:
        rows: change-table rows (``change``, ``change_low``, ``change_high``, ``significant``),
            indexed by view; the first row is the reference (all respondents / all forms).
        labels: view -> its name.
        lang: the language of the figure's text.
        level: the intervals' confidence level.
        years: the current and base years.
        title: the figure's title.

    Returns:
        The figure: one row per view, top to bottom in the table's order; a view whose change
        is not larger than sampling error is drawn in red.

    Examples:
        >>> t = pd.DataFrame({"change": [0.1, 0.12], "change_low": [0.09, 0.1],
        ...     "change_high": [0.11, 0.14], "significant": [True, True]}, index=["all", "x"])
        >>> fig = views_plot(t, labels={"all": "all", "x": "x"}, lang="en")
        >>> [tl.get_text() for tl in fig.axes[0].get_yticklabels()]
        ['x', 'all']
    """
    shown = rows[pd.to_numeric(rows["change"], errors="coerce").notna()].iloc[::-1]
    fig = Figure(figsize=(8.5, 1.2 + 0.45 * len(shown)))
    ax = fig.add_subplot()
    y = np.arange(len(shown))
    est = _points(shown["change"])
    err = np.vstack([est - _points(shown["change_low"]), _points(shown["change_high"]) - est])
    colours = [_CHANGE if bool(s) else _FAIL for s in shown["significant"]]
    for i in range(len(shown)):  # one marker per view (a dozen)
        ax.errorbar(est[i], y[i], xerr=err[:, [i]], fmt="o", color=colours[i], capsize=3)
    if len(shown):
        ax.axvspan(_points(rows["change_low"].iloc[0]), _points(rows["change_high"].iloc[0]),
                   color=_CHANGE, alpha=0.12, linewidth=0)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [_label(labels, k, lang) for k in shown.index])
    ax.set_xlabel(render(_("change, points, {base} to {year} ({level} intervals)").format(
        base=str(years[1]), year=str(years[0]), level=Percent(level, 0)), lang))
    if title is not None:
        ax.set_title(drawn(title, lang))
    return fig


def _courtesy_panel(ax: Any, curve: pd.DataFrame, courtesy: pd.Series, lang: Language) -> None:
    share = 100 * curve["share"].to_numpy(float)
    ax.fill_between(share, _points(curve["ci_low"]), _points(curve["ci_high"]), color=_CHANGE,
                    alpha=0.15, linewidth=0)
    ax.plot(share, _points(curve["change"]), color=_CHANGE)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    for key, style in (("share_erase", "--"), ("share_nonsignificant", ":")):
        if np.isfinite(courtesy[key]):
            ax.axvline(100 * courtesy[key], color=_FAIL, linestyle=style, linewidth=1)
    ax.set_xlabel(render(_("courtesy answers among this year's satisfied, %"), lang))
    ax.set_ylabel(render(_("change, points"), lang))
    ax.set_title(render(_("(a) Courtesy"), lang))


def _nonresponse_panel(ax: Any, nonresponse: pd.DataFrame, p1: float, p0: float,
                       lang: Language) -> None:
    r = 100 * nonresponse.index.to_numpy(float)
    ax.plot(r, _points(nonresponse["nonrespondent_rate_erase"]), "o-", color=_FAIL,
            label=render(_("non-respondents: erases the change"), lang))
    ax.axhline(100 * p1, color=_CHANGE, linestyle="--", linewidth=1,
               label=render(_("respondents this year"), lang))
    ax.axhline(100 * p0, color=_WITHIN, linestyle=":", linewidth=1,
               label=render(_("baseline"), lang))
    ax.set_ylim(0, 100)
    ax.set_xlabel(render(_("response rate, %"), lang))
    ax.set_ylabel(render(_("satisfied, %"), lang))
    ax.set_title(render(_("(b) Non-response"), lang))
    ax.legend(loc="lower left", fontsize="x-small")


def _selection_panel(ax: Any, table: pd.DataFrame, lang: Language) -> None:
    k = table.index.to_numpy(float)
    ax.fill_between(k, _points(table["ci_low"]), _points(table["ci_high"]), color=_CHANGE,
                    alpha=0.15, linewidth=0)
    ax.plot(k, _points(table["change"]), "o-", color=_CHANGE)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ticks = _spaced(k)
    ax.set_xticks(ticks, [decimal(v, 0, lang) if float(v).is_integer() else
                          decimal(v, 2, lang).rstrip("0") for v in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(render(_("over-representation of the best-scoring offices (k)"), lang))
    ax.set_ylabel(render(_("change, points"), lang))
    ax.set_title(render(_("(c) Office selection"), lang))


def _spaced(values: np.ndarray, gap: float = 0.2) -> list[float]:
    """Values at least ``gap`` decades apart on a log axis (the first kept), for tick labels."""
    kept: list[float] = []
    for v in sorted(float(x) for x in values if x > 0):  # a handful of factors
        if not kept or np.log10(v) - np.log10(kept[-1]) >= gap:
            kept.append(v)
    return kept


def tipping_plot(tipping: Any, *, p1: float, p0: float, lang: Language,
                 sentence: Renderable | str | None = None) -> Figure:
    """How large a bias would erase the change: courtesy, non-response, office selection.

    Args:
        tipping: :class:`satisfaction.robustness.TippingPoints`.
        p1: this year's rate.
        p0: the baseline's rate.
        lang: the language of the figure's text.
        sentence: the reading of the figure, drawn under it.

    Returns:
        The figure (three panels). In (a) the dashed line marks the courtesy share that
        erases the change and the dotted line the share above which it is within sampling
        error.
    """
    fig = Figure(figsize=(13, 4.2))
    axes: Sequence[Any] = fig.subplots(1, 3)
    _courtesy_panel(axes[0], tipping.courtesy_curve, tipping.courtesy, lang)
    _nonresponse_panel(axes[1], tipping.nonresponse, p1, p0, lang)
    _selection_panel(axes[2], tipping.selection.table, lang)
    if sentence is not None:
        fig.text(0.01, -0.04, drawn(sentence, lang), ha="left", va="top",
                 fontsize="medium", wrap=True)
    fig.tight_layout()
    return fig
