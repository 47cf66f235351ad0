"""Figures of estimate tables: by domain, offices as a forest plot, the components, the trend.

Every function takes an estimate table (columns ``estimate, se, ci_low, ci_high, deff, n,
n_eff``, the domain as index) and returns a :class:`matplotlib.figure.Figure` drawn in the
seaborn theme (:func:`satisfaction.plots.set_theme`), with its words in the page's language
(``lang``; the category labels are the tables' own, :data:`satisfaction.report.tables.Labels`)
and its numbers written by the tables' rules (a rate with two decimals). Each estimate is a
point with its confidence interval; ``n`` is written beside it; a cell the NCHS standard flags
is drawn hollow; a suppressed cell (:func:`satisfaction.reliability.nchs_flags`) is never drawn
as a number: it is named as suppressed, or counted in a note. Legends and notes sit outside the
axes; a rate axis that does not start at 0 says where it starts. Figures are built without
pyplot, so a notebook shows each once and a batch run keeps no figure in memory.

Not for: tables (see :mod:`satisfaction.report.tables`) or change between years beyond the
trend line (see the change figures).
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..i18n import Language, Renderable, _, render
from ..reliability import with_flags
from ..report.formats import Count, count, decimal
from ..report.formats import percent as percent_text
from ..report.tables import Labels, label_map
from . import SMALL_FONT_PT, axis_label, new_figure
from .labels import drawn, literal

__all__ = ["bar_counts", "components_plot", "estimates_plot", "forest_plot", "trend_plot"]

_GREY = "#6e7781"
_SEP = " · "
_NATIONAL = _("National rate")
_SUPPRESSED = _("suppressed")


def _palette(n: int) -> list[Any]:
    import seaborn as sns

    return list(sns.color_palette(n_colors=max(n, 1)))


def plot_frame(
    table: pd.DataFrame,
    *,
    percent: bool = True,
    labels: Labels | None = None,
    disclosure_threshold: int = 10,
    lang: Language = "en",
) -> pd.DataFrame:
    """The table as the figures draw it: one label, scaled numbers, the reliability columns.

    Args:
        table: an estimate table.
        percent: scale proportions to percentages.
        labels: display labels for domain values (any index level), as the tables take them.
        disclosure_threshold: passed to :func:`satisfaction.reliability.nchs_flags`.
        lang: the language of the labels.

    Returns:
        Columns ``label`` (index levels joined by " · "), ``estimate``, ``ci_low``, ``ci_high``
        (scaled; missing where suppressed), ``n``, ``suppressed``, ``flagged``, ``flag_reason``,
        plus one ``level_<i>`` column per index level (raw values), in table order.

    Examples:
        >>> t = pd.DataFrame({"estimate": [0.9, 0.5], "se": [0.01, 0.2], "ci_low": [0.88, 0.1],
        ...     "ci_high": [0.92, 0.9], "deff": [1.0, 1.0], "n": [900, 4], "n_eff": [900.0, 4.0],
        ...     "suppressed": [False, True], "flagged": [False, False],
        ...     "flag_reason": ["", "fewer than 10 respondents"]},
        ...     index=pd.Index(["Huế", "$tiny"], name="office"))
        >>> f = plot_frame(t)
        >>> f["label"].tolist(), f["estimate"].round(1).tolist()
        (['Huế', '\\\\$tiny'], [90.0, nan])
    """
    flagged = with_flags(table, disclosure_threshold, proportions=percent)
    scale = 100.0 if percent else 1.0
    index = flagged.index.to_frame(index=False)
    names = label_map(labels, lang)
    if names:
        index = index.apply(lambda col: col.astype(object).map(lambda v: names.get(v, v)))
    label = index.astype(str).agg(_SEP.join, axis=1).map(literal)
    suppressed = flagged["suppressed"].fillna(True).astype(bool).to_numpy()
    frame = pd.DataFrame({
        "label": label.to_numpy(),
        "estimate": pd.to_numeric(flagged["estimate"], errors="coerce").to_numpy() * scale,
        "ci_low": pd.to_numeric(flagged["ci_low"], errors="coerce").to_numpy() * scale,
        "ci_high": pd.to_numeric(flagged["ci_high"], errors="coerce").to_numpy() * scale,
        "n": pd.to_numeric(flagged["n"], errors="coerce").to_numpy(),
        "suppressed": suppressed,
        "flagged": flagged["flagged"].fillna(False).astype(bool).to_numpy() & ~suppressed,
        "flag_reason": flagged["flag_reason"].fillna("").astype(str).to_numpy(),
    })
    for column in ("estimate", "ci_low", "ci_high"):
        frame.loc[suppressed, column] = np.nan
    raw = flagged.index.to_frame(index=False)
    for i, column in enumerate(raw.columns):
        frame[f"level_{i}"] = raw[column].to_numpy()
    return frame


def _value(frame_or_number: Any, percent: bool) -> float | None:
    """The national rate as a number on the figure's scale (a float or a one-row table)."""
    if frame_or_number is None:
        return None
    if isinstance(frame_or_number, pd.DataFrame):
        value = float(frame_or_number["estimate"].iloc[0])
    elif isinstance(frame_or_number, pd.Series):
        value = float(frame_or_number["estimate"])
    else:
        value = float(frame_or_number)
    return value * (100.0 if percent else 1.0)


def _number(value: float, lang: Language) -> str:
    """A value on the figure's scale as the tables write it (a rate: two decimals)."""
    return decimal(value, 2, lang)


def _reference_label(label: Renderable | str, ref: float, percent: bool, lang: Language) -> str:
    number = percent_text(ref / 100.0, lang=lang) if percent else decimal(ref, 2, lang)
    return f"{drawn(label, lang)} {number}"


def _points(ax: Axes, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray,
            hollow: np.ndarray, color: Any, horizontal: bool, label: str | None = None) -> None:
    """Points with interval bars; hollow markers for flagged cells; NaN (suppressed) skipped."""
    drawn = ~np.isnan(x)
    err = np.vstack([x - lo, hi - x])
    err = np.where(np.isnan(err), 0.0, np.clip(err, 0.0, None))
    for mask, face in ((drawn & ~hollow, color), (drawn & hollow, "white")):
        if not mask.any():
            continue
        kwargs = {"fmt": "o", "color": color, "ecolor": color, "elinewidth": 1.6, "capsize": 3,
                  "markersize": 6, "markerfacecolor": face, "markeredgecolor": color,
                  "label": label if face is color else None, "clip_on": False}
        if horizontal:
            ax.errorbar(x[mask], y[mask], xerr=err[:, mask], **kwargs)
        else:
            ax.errorbar(y[mask], x[mask], yerr=err[:, mask], **kwargs)


def _axis_title(percent: bool, given: Renderable | str | None, start: float,
                lang: Language, vertical: bool = False) -> str:
    """The value axis' label in ``lang``; it says where it starts when that is not 0."""
    if given is not None:
        label = drawn(given, lang)
    else:
        label = render(_("Satisfied or very satisfied (%)") if percent else _("Estimate"), lang)
    return axis_label(label, start, lang=lang, vertical=vertical) if percent else label


def _limits(frame: pd.DataFrame, percent: bool, extra: list[float] | None = None) -> tuple[float, float]:
    """Axis limits around every interval (and ``extra`` values), whole numbers for rates."""
    values = np.concatenate([frame["ci_low"].to_numpy(), frame["ci_high"].to_numpy(),
                             frame["estimate"].to_numpy(), np.asarray(extra or [], dtype=float)])
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (0.0, 100.0) if percent else (0.0, 1.0)
    lo, hi = float(values.min()), float(values.max())
    pad = max((hi - lo) * 0.08, 0.5 if percent else 0.01)
    lo, hi = lo - pad, hi + pad
    if percent:
        lo, hi = max(np.floor(lo), 0.0), min(np.ceil(hi), 100.0)
    return lo, hi


def _legend(fig: Figure, handles: list[Any], ncols: int = 3) -> None:
    """The legend under the axes, outside them: never over data or the title."""
    if handles:
        fig.legend(handles=handles, loc="outside lower left", fontsize=SMALL_FONT_PT,
                   ncols=min(len(handles), ncols), frameon=False)


def _flag_handles(frame: pd.DataFrame, color: Any, lang: Language) -> list[Any]:
    """Legend entries of the flagged / suppressed markers (if any)."""
    handles = []
    if frame["flagged"].any():
        handles.append(Line2D([], [], marker="o", color=color, markerfacecolor="white",
                              linestyle="none",
                              label=render(_("hollow: flagged, interpret with caution"), lang)))
    if frame["suppressed"].any():
        handles.append(Line2D([], [], marker="$—$", color=_GREY, linestyle="none",
                              label=render(_("suppressed: not shown"), lang)))
    return handles


def estimates_plot(
    table: pd.DataFrame,
    *,
    percent: bool = True,
    labels: Labels | None = None,
    title: Renderable | str | None = None,
    national: Any = None,
    national_label: Renderable | str = _NATIONAL,
    xlabel: Renderable | str | None = None,
    disclosure_threshold: int = 10,
    ax: Axes | None = None,
    lang: Language = "en",
) -> Figure:
    """Estimates by domain (level, field...) as points with intervals, ``n`` beside each.

    Args:
        table: an estimate table (one row per domain, any number of index levels).
        percent: proportions shown as percentages.
        labels: display labels for domain values (as :func:`~satisfaction.report.tables.
            estimates_table` takes them).
        title: the figure title (a message or text).
        national: the national rate, drawn as a dashed line (a number on the table's scale,
            e.g. ``0.9645``, or a one-row estimate table).
        national_label: what the line is.
        xlabel: the axis label.
        disclosure_threshold: see :func:`satisfaction.reliability.nchs_flags`.
        ax: draw into these axes instead of a new figure.
        lang: the language of every word on the figure.

    Returns:
        The figure.
    """
    frame = plot_frame(table, percent=percent, labels=labels,
                       disclosure_threshold=disclosure_threshold, lang=lang)
    fig, ax = new_figure(7.5, 1.6 + 0.42 * max(len(frame), 1), ax)
    color = _palette(1)[0]
    y = np.arange(len(frame))[::-1].astype(float)
    _points(ax, frame["estimate"].to_numpy(), y, frame["ci_low"].to_numpy(),
            frame["ci_high"].to_numpy(), frame["flagged"].to_numpy(), color, horizontal=True)
    ref = _value(national, percent)
    lo, hi = _limits(frame, percent, [ref] if ref is not None else None)
    ax.set_xlim(lo, hi)
    handles = []
    if ref is not None:
        handles.append(ax.axvline(ref, color="#9a3412", linestyle="--", linewidth=1.2,
                                  label=_reference_label(national_label, ref, percent, lang)))
    n_text = np.where(frame["suppressed"], render(_SUPPRESSED, lang), frame["n"].map(
        lambda v: "" if pd.isna(v) else render(_("n = {n}").format(n=Count(v)), lang)).to_numpy())
    # n beside each row, in a column right of the axes (never over an interval).
    for yi, text, sup in zip(y, n_text, frame["suppressed"], strict=True):
        ax.annotate(text, (1.0, yi), xycoords=("axes fraction", "data"), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=SMALL_FONT_PT, color=_GREY,
                    style="italic" if sup else "normal", annotation_clip=False)
    ax.set_yticks(y, frame["label"].tolist())
    ax.set_ylim(-0.7, y.max() + 0.7 if len(y) else 1)
    ax.set_xlabel(_axis_title(percent, xlabel, lo, lang))
    if title is not None:
        ax.set_title(drawn(title, lang), loc="left")
    _legend(fig, handles + _flag_handles(frame, color, lang))
    return fig


def forest_plot(
    table: pd.DataFrame,
    *,
    national: Any = None,
    national_label: Renderable | str = _NATIONAL,
    percent: bool = True,
    labels: Labels | None = None,
    title: Renderable | str | None = None,
    xlabel: Renderable | str | None = None,
    disclosure_threshold: int = 10,
    max_rows: int | None = None,
    lang: Language = "en",
) -> Figure:
    """Offices (or any units) sorted by estimate, with intervals and the national rate as a line.

    Suppressed units are left out and counted in a note under the plot.

    Args:
        table: an estimate table, one row per office.
        national: the national rate (a number on the table's scale, or a one-row table whose
            interval is drawn as a band).
        national_label: what the line is.
        percent: proportions shown as percentages.
        labels: display labels for office codes.
        title: the figure title.
        xlabel: the axis label.
        disclosure_threshold: see :func:`satisfaction.reliability.nchs_flags`.
        max_rows: draw only the lowest and highest units, this many in all (all if None).
        lang: the language of every word on the figure.

    Returns:
        The figure.
    """
    frame = plot_frame(table, percent=percent, labels=labels,
                       disclosure_threshold=disclosure_threshold, lang=lang)
    shown = frame[~frame["suppressed"]].sort_values("estimate", ascending=True, kind="stable")
    hidden = int(frame["suppressed"].sum())
    cut = 0
    if max_rows is not None and len(shown) > max_rows:
        half = max_rows // 2
        cut = len(shown) - max_rows
        shown = pd.concat([shown.iloc[:half], shown.iloc[len(shown) - (max_rows - half):]])
    fig, ax = new_figure(7.5, 2.0 + 0.26 * max(len(shown), 1), None)
    color = _palette(1)[0]
    y = np.arange(len(shown)).astype(float)
    _points(ax, shown["estimate"].to_numpy(), y, shown["ci_low"].to_numpy(),
            shown["ci_high"].to_numpy(), shown["flagged"].to_numpy(), color, horizontal=True)
    ref = _value(national, percent)
    handles = []
    if ref is not None:
        if isinstance(national, pd.DataFrame) and {"ci_low", "ci_high"} <= set(national.columns):
            scale = 100.0 if percent else 1.0
            ax.axvspan(float(national["ci_low"].iloc[0]) * scale,
                       float(national["ci_high"].iloc[0]) * scale, color=_GREY, alpha=0.15, lw=0)
        handles.append(ax.axvline(ref, color="#9a3412", linestyle="--", linewidth=1.3,
                                  label=_reference_label(national_label, ref, percent, lang)))
    if shown.empty:
        ax.text(0.5, 0.5, render(_("No unit meets the reliability standard ({n} suppressed).")
                                 .format(n=Count(hidden)), lang),
                transform=ax.transAxes, ha="center", va="center", color=_GREY)
    ax.set_yticks(y, shown["label"].tolist())
    ax.set_ylim(-0.8, max(len(shown) - 0.2, 0.8))
    lo, hi = _limits(shown, percent, [ref] if ref is not None else None)
    ax.set_xlim(lo, hi)
    ax.set_xlabel(_axis_title(percent, xlabel, lo, lang))
    if title is not None:
        ax.set_title(drawn(title, lang), loc="left")
    notes = []
    if hidden:
        notes.append(_("{n} not shown (suppressed: too few respondents or unreliable)")
                     .format(n=Count(hidden)))
    if cut:
        notes.append(_("{n} in the middle of the ranking not drawn").format(n=Count(cut)))
    handles += _flag_handles(shown.assign(suppressed=False), color, lang)
    _legend(fig, handles, ncols=2)
    if notes:
        fig.supxlabel("; ".join(render(n, lang) for n in notes), fontsize=SMALL_FONT_PT,
                      color=_GREY)
    return fig


def components_plot(
    table: pd.DataFrame,
    *,
    percent: bool = True,
    labels: Labels | None = None,
    title: Renderable | str | None = None,
    ylabel: Renderable | str | None = None,
    disclosure_threshold: int = 10,
    lang: Language = "en",
) -> Figure:
    """The five components (access, procedures, officers, results, feedback) side by side.

    Args:
        table: an estimate table indexed by component; an optional second index level (year,
            level...) draws one coloured series per value, dodged.
        percent: proportions shown as percentages.
        labels: display labels for components and groups.
        title: the figure title.
        ylabel: the axis label.
        disclosure_threshold: see :func:`satisfaction.reliability.nchs_flags`.
        lang: the language of every word on the figure.

    Returns:
        The figure.
    """
    frame = plot_frame(table, percent=percent, labels=labels,
                       disclosure_threshold=disclosure_threshold, lang=lang)
    names = label_map(labels, lang)
    components = list(dict.fromkeys(frame["level_0"]))
    comp_label = [textwrap.fill(literal(names.get(c, c)), 16) for c in components]
    groups = list(dict.fromkeys(frame["level_1"])) if "level_1" in frame else [None]
    fig, ax = new_figure(max(7.5, 1.6 * len(components)), 4.8, None)
    colors = _palette(len(groups))
    width = 0.7 / max(len(groups), 1)
    position = pd.Series(np.arange(len(components), dtype=float), index=components)
    lo, hi = _limits(frame, percent)
    top = hi + (hi - lo) * 0.1  # room for the value labels above the intervals
    for g, (group, color) in enumerate(zip(groups, colors, strict=True)):
        part = frame if group is None else frame[frame["level_1"] == group]
        x = position.loc[part["level_0"]].to_numpy() + (g - (len(groups) - 1) / 2) * width
        name = None if group is None else literal(str(names.get(group, group)))
        _points(ax, part["estimate"].to_numpy(), x, part["ci_low"].to_numpy(),
                part["ci_high"].to_numpy(), part["flagged"].to_numpy(), color,
                horizontal=False, label=name)
        for xi, (est, sup, high) in zip(x, part[["estimate", "suppressed", "ci_high"]].to_numpy(),
                                        strict=True):
            text = render(_SUPPRESSED, lang) if sup else (
                "" if pd.isna(est) else _number(est, lang))
            anchor = high if not pd.isna(high) else lo
            ax.annotate(text, (xi, anchor), textcoords="offset points", xytext=(0, 4),
                        ha="center", fontsize=SMALL_FONT_PT, color=_GREY if sup else "black")
    ax.set_xticks(position.to_numpy(), comp_label)
    ax.set_ylim(lo, top)
    ax.set_ylabel(_axis_title(percent, ylabel, lo, lang, vertical=True))
    if groups != [None]:
        _legend(fig, ax.get_legend_handles_labels()[0], ncols=4)
    if title is not None:
        ax.set_title(drawn(title, lang), loc="left")
    return fig


def trend_plot(
    table: pd.DataFrame,
    *,
    percent: bool = True,
    labels: Labels | None = None,
    title: Renderable | str | None = None,
    ylabel: Renderable | str | None = None,
    published: dict[int, float] | None = None,
    disclosure_threshold: int = 10,
    lang: Language = "en",
) -> Figure:
    """Estimates across survey years, with intervals; one line per domain when there are several.

    Args:
        table: an estimate table indexed by year, or by (year, domain).
        percent: proportions shown as percentages.
        labels: display labels for domains.
        title: the figure title.
        ylabel: the axis label.
        published: year -> a figure the ministry published (table scale), drawn as diamonds.
        disclosure_threshold: see :func:`satisfaction.reliability.nchs_flags`.
        lang: the language of every word on the figure.

    Returns:
        The figure.
    """
    frame = plot_frame(table, percent=percent, labels=labels,
                       disclosure_threshold=disclosure_threshold, lang=lang)
    names = label_map(labels, lang)
    years = pd.to_numeric(frame["level_0"], errors="raise").astype(int)
    frame = frame.assign(year=years.to_numpy())
    groups = list(dict.fromkeys(frame["level_1"])) if "level_1" in frame else [None]
    fig, ax = new_figure(7.5, 4.8, None)
    colors = _palette(len(groups))
    for group, color in zip(groups, colors, strict=True):
        part = frame if group is None else frame[frame["level_1"] == group]
        part = part.sort_values("year")
        name = (render(_("Survey estimate"), lang) if group is None
                else literal(str(names.get(group, group))))
        ax.plot(part["year"], part["estimate"], color=color, linewidth=1.5, alpha=0.8)
        _points(ax, part["estimate"].to_numpy(), part["year"].to_numpy(dtype=float),
                part["ci_low"].to_numpy(), part["ci_high"].to_numpy(),
                part["flagged"].to_numpy(), color, horizontal=False, label=name)
        for year, est, sup in part[["year", "estimate", "suppressed"]].to_numpy():
            text = render(_SUPPRESSED, lang) if sup else (
                "" if pd.isna(est) else _number(est, lang))
            ax.annotate(text, (year, est if not pd.isna(est) else 0), textcoords="offset points",
                        xytext=(8, 0), va="center", fontsize=SMALL_FONT_PT,
                        color=_GREY if sup else "black")
    extra: list[float] = []
    if published:
        scale = 100.0 if percent else 1.0
        pub = pd.Series(published, dtype="float64").dropna() * scale
        extra = pub.tolist()
        ax.plot(pub.index.astype(int), pub.to_numpy(), linestyle="none", marker="D",
                markerfacecolor="none", markeredgecolor="#9a3412", markersize=8,
                label=render(_("Published by the ministry"), lang))
    all_years = sorted(set(frame["year"]) | {int(y) for y in (published or {})})
    ax.set_xticks(all_years, [str(y) for y in all_years])
    if all_years:
        ax.set_xlim(min(all_years) - 0.5, max(all_years) + 0.7)
    lo, hi = _limits(frame, percent, extra)
    ax.set_ylim(lo, hi)
    ax.set_ylabel(_axis_title(percent, ylabel, lo, lang, vertical=True))
    ax.set_xlabel(render(_("Survey year"), lang))
    handles = ax.get_legend_handles_labels()[0]
    if len(handles) > 1:  # one series alone needs no legend
        _legend(fig, handles, ncols=4)
    if title is not None:
        ax.set_title(drawn(title, lang), loc="left")
    return fig


def bar_counts(
    table: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: Renderable | str | None = None,
    xlabel: Renderable | str | None = None,
    labels: Labels | None = None,
    lang: Language = "en",
) -> Figure:
    """Counts as horizontal bars, largest first, each with its number (e.g. rows by reason).

    Counts are not estimates: no interval, no suppression. Do not use it for respondents of a
    small domain (use :func:`estimates_plot`, which applies the disclosure rule).

    Args:
        table: one row per category.
        label: the column naming the category.
        value: the column with the count.
        title: the figure title.
        xlabel: the axis label (``value`` if None).
        labels: display labels for categories.
        lang: the language of the labels and numbers.

    Returns:
        The figure.

    Raises:
        ValueError: ``label`` or ``value`` is not a column.
    """
    missing = [c for c in (label, value) if c not in table.columns]
    if missing:
        raise ValueError(f"bar_counts: no column(s) {', '.join(missing)} in the table")
    counts = pd.to_numeric(table[value], errors="coerce").fillna(0)
    words = label_map(labels, lang)
    names = table[label].map(lambda v: words.get(v, v)).map(literal)
    order = np.argsort(-counts.to_numpy(), kind="stable")
    counts, names = counts.iloc[order], names.iloc[order]
    fig, ax = new_figure(7.5, 1.2 + 0.38 * max(len(counts), 1), None)
    y = np.arange(len(counts))[::-1]
    ax.barh(y, counts.to_numpy(), color=_palette(1)[0])
    peak = float(counts.max()) if len(counts) else 1.0
    for yi, n in zip(y, counts.to_numpy(), strict=True):
        ax.text(n + peak * 0.01, yi, count(n, lang), va="center", fontsize=SMALL_FONT_PT)
    ax.set_yticks(y, names.tolist())
    ax.set_xlim(0, peak * 1.15 if peak > 0 else 1)
    ax.set_xlabel(drawn(xlabel, lang) if xlabel is not None
                  else literal(value.replace("_", " ")))
    if title is not None:
        ax.set_title(drawn(title, lang), loc="left")
    return fig
