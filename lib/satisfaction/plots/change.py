"""Figures of year-over-year change: per-domain changes with intervals, and sensitivity.

* :func:`change_plot` -- one row per domain (level, field, province or office): the change in
  percentage points with its interval, sorted, a zero line, and the changes that survive the
  multiple-testing correction marked.
* :func:`sensitivity_heatmap` -- the published-figures test over a grid of assumed base-year
  sample sizes and design effects: the interval's lower limit in each cell, the cells where
  the change is not significant marked.

Both take tables from :mod:`satisfaction.compare` and return a
:class:`matplotlib.figure.Figure` (no pyplot state, no ``plt.show``). Domain names and titles
are drawn as typed (:func:`satisfaction.plots.labels.literal`): an office named with a ``$``
does not switch matplotlib into mathtext.

Not for: computing changes or tests (:mod:`satisfaction.compare`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..compare import sensitivity_table
from .labels import literal

__all__ = ["change_plot", "sensitivity_heatmap"]

_UP = "#1b7837"
_DOWN = "#b2182b"
_NS = "#8c8c8c"


def change_plot(
    changes: pd.DataFrame,
    *,
    significant: str = "significant_holm",
    label: str = "domain",
    title: str | None = None,
    top: int | None = None,
    min_n: int | None = None,
    level: float = 0.95,
    years: tuple[object, object] = ("current", "base"),
) -> Figure:
    """Changes per domain in percentage points with their intervals, sorted.

    Args:
        changes: a change table (:func:`satisfaction.compare.compare_domains` rows of one
            domain type, or :func:`~satisfaction.compare.change_table` output).
        significant: boolean column marking the changes to highlight (default: significant
            after Holm's correction; use ``significant_bh`` or ``significant`` for others).
        label: column (or ``"index"``) naming the domains.
        title: figure title.
        top: show only the ``top`` most extreme domains: the ``top - top // 2`` highest
            changes and the ``top // 2`` lowest.
        min_n: hide domains with fewer respondents than this in either year (disclosure).
        level: the intervals' confidence level (for the axis label).
        years: labels of the current and base years.

    Returns:
        The figure. Domains in one year only and hidden domains are counted in a footnote.

    Examples:
        >>> t = pd.DataFrame({"domain": ["a", "b"], "status": ["both years"] * 2,
        ...     "change": [0.05, -0.01], "change_low": [0.02, -0.03],
        ...     "change_high": [0.08, 0.01], "n_current": [500, 400], "n_base": [450, 420],
        ...     "significant_holm": [True, False]})
        >>> fig = change_plot(t)
        >>> [tl.get_text() for tl in fig.axes[0].get_yticklabels()]
        ['b (n = 400 / 420)', 'a (n = 500 / 450)']
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
    fig = Figure(figsize=(8.0, min(0.32 * max(k, 1) + 1.8, 60.0)), layout="constrained")
    ax = fig.add_subplot()
    _draw_changes(ax, df, significant)
    ax.set_yticks(np.arange(k), _tick_labels(df, label))
    ax.set_ylim(-0.7, k - 0.3 if k else 0.7)
    y1, y0 = (str(y) for y in years)
    ax.set_xlabel(f"change {y0} \u2192 {y1}, percentage points ({100 * level:g} % CI)")
    if title:
        ax.set_title(literal(title))
    if k:
        fig.legend(loc="outside upper center", ncols=3, fontsize="small", frameon=False)
    if notes:
        fig.supxlabel("; ".join(notes), fontsize="small", color="dimgray")
    return fig


def _shown(df: pd.DataFrame, *, min_n: int | None,
           top: int | None) -> tuple[pd.DataFrame, list[str]]:
    """The domains drawn, sorted by change, and the footnotes that count those left out."""
    notes = []
    comparable = df["change"].notna()
    if "status" in df.columns:
        one_year = int((~comparable).sum())
        if one_year:
            notes.append(f"{one_year} domain(s) not in both years (not shown)")
    df = df[comparable]
    if min_n is not None and {"n_current", "n_base"} <= set(df.columns):
        small = (df["n_current"] < min_n) | (df["n_base"] < min_n)
        if small.any():
            notes.append(f"{int(small.sum())} domain(s) with fewer than {min_n} respondents "
                         f"in a year hidden")
        df = df[~small]
    df = df.sort_values("change", kind="mergesort")
    if top is not None and len(df) > top:
        high, low = top - top // 2, top // 2
        notes.append(f"showing the {high} highest and {low} lowest of {len(df)} changes")
        df = pd.concat([df.iloc[:low], df.iloc[len(df) - high:]])
    return df, notes


def _draw_changes(ax: Axes, df: pd.DataFrame, significant: str) -> None:
    """The changes and their intervals in points: three artists (rise, fall, not significant)."""
    x = 100 * df["change"].to_numpy(float)
    lo = 100 * df["change_low"].to_numpy(float)
    hi = 100 * df["change_high"].to_numpy(float)
    y = np.arange(len(df))
    sig = df[significant].fillna(False).astype(bool).to_numpy()
    method = {"significant_holm": "Holm", "significant_bh": "Benjamini-Hochberg"}.get(significant, "")
    suffix = f" after {method}" if method else ""
    groups = (
        (sig & (x > 0), _UP, _UP, f"significant rise{suffix}"),
        (sig & (x <= 0), _DOWN, _DOWN, f"significant fall{suffix}"),
        (~sig, _NS, "white", "not significant"),
    )
    for mask, color, face, name in groups:  # three artists, not one per domain
        if not mask.any():
            continue
        ax.errorbar(
            x[mask], y[mask], xerr=[x[mask] - lo[mask], hi[mask] - x[mask]], fmt="o", ms=5,
            capsize=2, color=color, mec=color, mfc=face, ls="none", label=name,
        )
    ax.axvline(0, color="black", lw=0.8)


def _tick_labels(df: pd.DataFrame, label: str) -> list[str]:
    """Each domain's name as typed (:func:`~satisfaction.plots.labels.literal`), with its n."""
    if {"n_current", "n_base"} <= set(df.columns):
        return [f"{literal(d)} (n = {int(a):,} / {int(b):,})" for d, a, b in
                zip(df[label], df["n_current"], df["n_base"], strict=True)]
    return [literal(d) for d in df[label]]


def _one_heatmap(ax: Axes, grid: pd.DataFrame, value: str, title: str | None) -> None:
    import seaborn as sns

    table = sensitivity_table(grid, value).sort_index(ascending=False)
    sig = sensitivity_table(grid, "interval_excludes_zero").sort_index(ascending=False).astype(bool)
    scale = 100.0 if value.startswith("change") else 1.0
    shown = table * scale
    annot = shown.map(lambda v: f"{v:+.1f}" if scale == 100 else f"{v:.2g}")
    annot = annot.where(sig, annot + "\nn.s.")
    center = 0.0 if value.startswith("change") else None
    sns.heatmap(shown, ax=ax, annot=annot, fmt="", cmap="RdBu" if center is not None else "viridis",
                center=center, cbar_kws={"label": "lower CI limit, points" if scale == 100 else value},
                linewidths=0.5, linecolor="white", annot_kws={"fontsize": "x-small"})
    for (i, j), ok in np.ndenumerate(sig.to_numpy()):
        if not ok:
            ax.add_patch(_hatch(j, i))
    ax.set_xlabel("assumed base-year respondents")
    ax.set_ylabel("assumed base-year design effect")
    ax.set_xticklabels([f"{int(float(t.get_text())):,}" for t in ax.get_xticklabels()], rotation=45)
    ax.set_yticklabels([f"{float(t.get_text()):g}" for t in ax.get_yticklabels()], rotation=0)
    if title:
        ax.set_title(literal(title))


def _hatch(x: float, y: float):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, fill=False, hatch="//", edgecolor="0.45", lw=0.0)


def sensitivity_heatmap(
    grids: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    value: str = "change_low",
    title: str | None = None,
) -> Figure:
    """Heatmap of a sensitivity grid: base-year design effect (rows) x sample size (columns).

    Args:
        grids: the output of :func:`satisfaction.compare.sensitivity_grid`, or a mapping of
            panel title -> grid (one panel each, e.g. one per reading of "+9.76 %").
        value: the column shown; the default, the interval's lower limit, is in points.
        title: figure title.

    Returns:
        The figure; cells where the interval contains 0 (the change is not significant) are
        hatched and marked "n.s.".

    Examples:
        >>> from satisfaction.compare import sensitivity_grid
        >>> fig = sensitivity_heatmap(sensitivity_grid(0.9645, 22250, 0.8669, [50, 100, 1000],
        ...                                            [1.0, 2.0]))
        >>> len(fig.axes)  # the heatmap and its colour bar
        2
    """
    panels = dict(grids) if isinstance(grids, Mapping) else {None: grids}
    for name, grid in panels.items():
        missing = {"n_base", "deff_base", value, "interval_excludes_zero"} - set(grid.columns)
        if missing:
            raise ValueError(f"sensitivity grid {name or ''} lacks column(s) {sorted(missing)}")
    width = 7.5 * len(panels)
    fig = Figure(figsize=(width, 5.2), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, grid) in zip(axes, panels.items(), strict=True):
        _one_heatmap(ax, grid, value, name)
    if title:
        fig.suptitle(literal(title))
    return fig
