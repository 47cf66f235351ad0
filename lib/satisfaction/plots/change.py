"""Figures of year-over-year change: per-domain changes with intervals, and sensitivity.

* :func:`change_plot` -- one row per domain (level, field, province or office): the change in
  percentage points with its interval, sorted, a zero line, and the changes that survive the
  multiple-testing correction marked.
* :func:`sensitivity_heatmap` -- the published-figures test over a grid of assumed base-year
  sample sizes and design effects: the interval's lower limit in each cell, the cells where
  the change is within sampling error hatched.

Both take tables from :mod:`satisfaction.compare` and return a
:class:`matplotlib.figure.Figure` (no pyplot state, no ``plt.show``), with every word in the
page's language (``lang``: the page draws one figure per edition,
:func:`satisfaction.report.show.figure`), domain labels as the tables show them (the codebook's,
:data:`satisfaction.report.tables.Labels`) and numbers written by the tables' rules. Domain
names and titles are drawn as typed (:func:`satisfaction.plots.labels.literal`): an office
named with a ``$`` does not switch matplotlib into mathtext. Legends and notes sit outside the
axes.

Not for: computing changes or tests (:mod:`satisfaction.compare`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..compare import sensitivity_table
from ..i18n import Language, Renderable, _, render
from ..report.formats import Count, Percent, count, decimal
from ..report.tables import Labels, label_map
from . import SMALL_FONT_PT
from .labels import drawn, literal

__all__ = ["change_plot", "sensitivity_heatmap"]

_UP = "#1b7837"
_DOWN = "#b2182b"
_NS = "#8c8c8c"
_LABEL_WIDTH = 44
"""A domain's label longer than this (with its respondents) is drawn on two lines."""
_CORRECTIONS = {"significant_holm": _("Holm"), "significant_bh": _("Benjamini-Hochberg")}


def change_plot(
    changes: pd.DataFrame,
    *,
    significant: str = "significant_holm",
    label: str = "domain",
    labels: Labels | None = None,
    title: Renderable | str | None = None,
    top: int | None = None,
    min_n: int | None = None,
    level: float = 0.95,
    years: tuple[object, object] = ("current", "base"),
    lang: Language = "en",
) -> Figure:
    """Changes per domain in percentage points with their intervals, sorted.

    Args:
        changes: a change table (:func:`satisfaction.compare.compare_domains` rows of one
            domain type, or :func:`~satisfaction.compare.change_table` output).
        significant: boolean column marking the changes to highlight (default: larger than
            sampling error after Holm's correction; ``significant_bh`` or ``significant`` for
            the others).
        label: column (or ``"index"``) naming the domains.
        labels: the domains' labels (as the tables take them: a mapping or a function of the
            language); a domain without one is drawn as typed.
        title: figure title (a message or text).
        top: show only the ``top`` most extreme domains: the ``top - top // 2`` highest
            changes and the ``top // 2`` lowest.
        min_n: hide domains with fewer respondents than this in either year (disclosure).
        level: the intervals' confidence level (for the axis label).
        years: labels of the current and base years.
        lang: the language of every word on the figure.

    Returns:
        The figure. Domains in one year only and hidden domains are counted in a note under it.

    Examples:
        >>> t = pd.DataFrame({"domain": ["a", "b"], "status": ["both years"] * 2,
        ...     "change": [0.05, -0.01], "change_low": [0.02, -0.03],
        ...     "change_high": [0.08, 0.01], "n_current": [500, 4000], "n_base": [450, 420],
        ...     "significant_holm": [True, False]})
        >>> fig = change_plot(t, labels={"a": "Xã"}, lang="vi")
        >>> [tl.get_text() for tl in fig.axes[0].get_yticklabels()]
        ['b (n = 4.000 / 420)', 'Xã (n = 500 / 450)']
    """
    df = changes.copy()
    if label == "index" or label not in df.columns:
        df = df.rename_axis("_label").reset_index().rename(columns={"_label": "__label"})
        label = "__label"
    for col in ("change", "change_low", "change_high"):
        if col not in df.columns:
            raise ValueError(f"change table lacks column {col!r}")
    if significant not in df.columns:
        raise ValueError(f"change table lacks column {significant!r} (see add_multiple_testing)")
    df, notes = _shown(df, min_n=min_n, top=top)
    k = len(df)
    ticks = _tick_labels(df, label, label_map(labels, lang), lang)
    row = 0.32 if all("\n" not in t for t in ticks) else 0.5  # two-line names need room
    fig = Figure(figsize=(8.5, min(row * max(k, 1) + 2.2, 60.0)), layout="constrained")
    ax = fig.add_subplot()
    _draw_changes(ax, df, significant, lang)
    ax.set_yticks(np.arange(k), ticks)
    ax.set_ylim(-0.7, k - 0.3 if k else 0.7)
    ax.set_xlabel(render(_("Change from {base} to {year}, percentage points ({level} confidence "
                           "interval)").format(base=str(years[1]), year=str(years[0]),
                                               level=Percent(level, 0)), lang))
    if title is not None:  # over the whole figure: long names never push it off the page
        fig.suptitle(textwrap.fill(drawn(title, lang) or "", 80))
    if k:
        fig.legend(loc="outside upper center", ncols=3, fontsize=SMALL_FONT_PT, frameon=False)
    if notes:
        fig.supxlabel("; ".join(render(n, lang) for n in notes), fontsize=SMALL_FONT_PT,
                      color="dimgray")
    return fig


def _shown(df: pd.DataFrame, *, min_n: int | None,
           top: int | None) -> tuple[pd.DataFrame, list[Renderable]]:
    """The domains drawn, sorted by change, and the notes that count those left out."""
    notes: list[Renderable] = []
    comparable = df["change"].notna()
    if "status" in df.columns:
        one_year = int((~comparable).sum())
        if one_year:
            notes.append(_("not in both years, not shown: {n}").format(n=Count(one_year)))
    df = df[comparable]
    if min_n is not None and {"n_current", "n_base"} <= set(df.columns):
        small = (df["n_current"] < min_n) | (df["n_base"] < min_n)
        if small.any():
            notes.append(_("fewer than {k} respondents in a year, hidden: {n}").format(
                k=Count(min_n), n=Count(int(small.sum()))))
        df = df[~small]
    df = df.sort_values("change", kind="mergesort")
    if top is not None and len(df) > top:
        high, low = top - top // 2, top // 2
        notes.append(_("showing the {high} highest and {low} lowest of {n} changes").format(
            high=Count(high), low=Count(low), n=Count(len(df))))
        df = pd.concat([df.iloc[:low], df.iloc[len(df) - high:]])
    return df, notes


def _draw_changes(ax: Axes, df: pd.DataFrame, significant: str, lang: Language) -> None:
    """The changes and their intervals in points: three artists (rise, fall, within)."""
    x = 100 * df["change"].to_numpy(float)
    lo = 100 * df["change_low"].to_numpy(float)
    hi = 100 * df["change_high"].to_numpy(float)
    y = np.arange(len(df))
    sig = df[significant].fillna(False).astype(bool).to_numpy()
    correction = _CORRECTIONS.get(significant)
    if correction is not None:
        names = (_("rise larger than sampling error (after {method})"),
                 _("fall larger than sampling error (after {method})"),
                 _("within sampling error (after {method})"))
        names = tuple(n.format(method=correction) for n in names)
    else:
        names = (_("rise larger than sampling error"), _("fall larger than sampling error"),
                 _("within sampling error"))
    groups = (
        (sig & (x > 0), _UP, _UP, names[0]),
        (sig & (x <= 0), _DOWN, _DOWN, names[1]),
        (~sig, _NS, "white", names[2]),
    )
    for mask, color, face, name in groups:  # three artists, not one per domain
        if not mask.any():
            continue
        ax.errorbar(
            x[mask], y[mask], xerr=[x[mask] - lo[mask], hi[mask] - x[mask]], fmt="o", ms=5,
            capsize=2, color=color, mec=color, mfc=face, ls="none", label=render(name, lang),
        )
    ax.axvline(0, color="black", lw=0.8)


def _tick_labels(df: pd.DataFrame, label: str, names: Mapping[Any, str],
                 lang: Language) -> list[str]:
    """Each domain by its label (drawn as typed, a long one on two lines), with its
    respondents in each year."""
    shown = [literal(str(names.get(d, d))) for d in df[label]]
    if {"n_current", "n_base"} <= set(df.columns):
        shown = [f"{d} (n = {count(a, lang)} / {count(b, lang)})" for d, a, b in
                 zip(shown, df["n_current"], df["n_base"], strict=True)]
    return [textwrap.fill(t, _LABEL_WIDTH, max_lines=2, placeholder="…") for t in shown]


def _grid_text(value: float, lang: Language) -> str:
    """A design effect as a tick label: 2, 1,5."""
    return decimal(value, 0 if float(value).is_integer() else 1, lang)


def _one_heatmap(ax: Axes, grid: pd.DataFrame, value: str, title: str | None,
                 years: tuple[object, object], lang: Language) -> None:
    import seaborn as sns

    table = sensitivity_table(grid, value).sort_index(ascending=False)
    sig = sensitivity_table(grid, "interval_excludes_zero").sort_index(ascending=False).astype(bool)
    points = value.startswith("change")
    shown = table * (100.0 if points else 1.0)
    # the digits of the sensitivity tables beside the figure (-0.87, not -0.9)
    annot = shown.map(lambda v: decimal(v, 2, lang, signed=True) if points else f"{v:.2g}")
    bar = (render(_("lower limit of the interval, points"), lang) if points else value)
    sns.heatmap(shown, ax=ax, annot=annot, fmt="", cmap="RdBu" if points else "viridis",
                center=0.0 if points else None, cbar_kws={"label": bar},
                linewidths=0.5, linecolor="white", annot_kws={"fontsize": SMALL_FONT_PT})
    for (i, j), ok in np.ndenumerate(sig.to_numpy()):
        if not ok:
            ax.add_patch(_hatch(j, i))
    base = str(years[1])
    ax.set_xlabel(render(_("Assumed {base} respondents").format(base=base), lang))
    ax.set_ylabel(render(_("Assumed {base} design effect").format(base=base), lang))
    ax.set_xticklabels([count(n, lang) for n in shown.columns], rotation=45)
    ax.set_yticklabels([_grid_text(d, lang) for d in shown.index], rotation=0)
    if title:
        ax.set_title(title)


def _hatch(x: float, y: float):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, fill=False, hatch="//", edgecolor="0.45", lw=0.0)


def sensitivity_heatmap(
    grids: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    value: str = "change_low",
    title: Renderable | str | None = None,
    titles: Mapping[str, Renderable | str] | None = None,
    years: tuple[object, object] = ("current", "base"),
    lang: Language = "en",
) -> Figure:
    """Heatmap of a sensitivity grid: base-year design effect (rows) x sample size (columns).

    Panels are stacked one above the other, so that the figure is shown at its own size (its
    cell values readable) on a page.

    Args:
        grids: the output of :func:`satisfaction.compare.sensitivity_grid`, or a mapping of
            panel key -> grid (one panel each, e.g. one per reading of "+9.76 %").
        value: the column shown; the default, the interval's lower limit, is in points.
        title: figure title.
        titles: each panel's title (a message or text), by its key; the key as typed if absent.
        years: the current and base years (the axes name the base year).
        lang: the language of every word on the figure.

    Returns:
        The figure; cells where the interval contains 0 (the change is within sampling
        error) are hatched, and a legend under the panels says so.

    Examples:
        >>> from satisfaction.compare import sensitivity_grid
        >>> fig = sensitivity_heatmap(sensitivity_grid(0.9645, 22250, 0.8669, [50, 100, 1000],
        ...                                            [1.0, 2.0]), lang="vi")
        >>> len(fig.axes), [t.get_text() for t in fig.axes[0].get_xticklabels()]
        (2, ['50', '100', '1.000'])
    """
    from matplotlib.patches import Patch

    panels = dict(grids) if isinstance(grids, Mapping) else {None: grids}
    for name, grid in panels.items():
        missing = {"n_base", "deff_base", value, "interval_excludes_zero"} - set(grid.columns)
        if missing:
            raise ValueError(f"sensitivity grid {name or ''} lacks column(s) {sorted(missing)}")
    fig = Figure(figsize=(8.5, 0.6 + 4.9 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]  # stacked: shown at full size
    for ax, (name, grid) in zip(axes, panels.items(), strict=True):
        panel = (titles or {}).get(name, name) if name is not None else None
        _one_heatmap(ax, grid, value, drawn(panel, lang), years, lang)
    fig.legend(handles=[Patch(fill=False, hatch="//", edgecolor="0.45", label=render(
        _("hatched: within sampling error (the interval includes no change)"), lang))],
        loc="outside lower center", fontsize=SMALL_FONT_PT, frameon=False)
    if title is not None:
        fig.suptitle(drawn(title, lang))
    return fig
