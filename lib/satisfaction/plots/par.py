"""Figures of the PAR index: score distribution, band counts, transitions, criteria, satisfaction.

Every function takes a table from :mod:`satisfaction.par_index` and returns a
:class:`matplotlib.figure.Figure` in the seaborn theme (call
:func:`satisfaction.plots.set_theme` first). Figures are built without pyplot, so a notebook
shows each once and a batch run keeps none in memory. Each figure says how many units it
shows; intervals are drawn where the table has them.

Not for: computing anything (see :mod:`satisfaction.par_index`) or the survey estimates
(see :mod:`satisfaction.plots.estimates`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..par_index import ABSENT, TOTAL, ParSatisfaction, band_order
from . import new_figure
from .labels import literal

__all__ = [
    "band_changes_plot",
    "criterion_losses_plot",
    "par_distribution_plot",
    "par_satisfaction_plot",
    "transition_heatmap",
]

_GREY = "#6e7781"


def _band_palette(names: list[str]) -> dict[str, Any]:
    import seaborn as sns

    colours = sns.color_palette("RdYlGn_r", n_colors=max(len(names), 2))
    return dict(zip(names, colours, strict=False))


def _labels(names: list[str], labels: Mapping[str, str] | None) -> list[str]:
    return [literal((labels or {}).get(n, n)) for n in names]


def par_distribution_plot(scores: pd.Series, bands: Mapping[str, float],
                          summary: pd.DataFrame | None = None,
                          labels: Mapping[str, str] | None = None, binwidth: float = 1.0,
                          ax: Axes | None = None) -> Figure:
    """Histogram of unit scores coloured by band, the thresholds and the mean with its interval.

    Args:
        scores: unit scores in per cent.
        bands: band name -> lower bound (params ``par_bands``).
        summary: :func:`~satisfaction.par_index.score_summary` (mean and t interval drawn).
        labels: band display names.
        binwidth: histogram bin width in points.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.

    Examples:
        >>> fig = par_distribution_plot(pd.Series([96.0, 85, 81, 72]), {"excellent": 95,
        ...                             "good": 80, "fair": 70})
        >>> fig.axes[0].get_xlabel()
        'PAR score (%)'
    """
    from ..par_index import assign_bands

    fig, ax = new_figure(8, 4, ax)
    s = pd.Series(scores, dtype="float64").dropna()
    band = assign_bands(s, bands)
    order = band_order(bands)
    palette = _band_palette(order)
    lo = np.floor(s.min() / binwidth) * binwidth
    hi = np.ceil((s.max() + 1e-9) / binwidth) * binwidth + binwidth
    edges = np.arange(lo, hi + binwidth / 2, binwidth)
    bottom = np.zeros(edges.size - 1)
    for name, lab in zip(order, _labels(order, labels), strict=True):
        counts, _ = np.histogram(s[band == name], bins=edges)
        if counts.sum() == 0:
            continue
        ax.bar(edges[:-1], counts, width=binwidth, bottom=bottom, align="edge",
               color=palette[name], edgecolor="white", linewidth=0.5,
               label=f"{lab} ({int(counts.sum())})")
        bottom += counts
    ax.set_ylim(0, max(float(bottom.max()), 1.0) * 1.15)
    for bound in bands.values():
        ax.axvline(float(bound), color=_GREY, linestyle="--", linewidth=1)
    if summary is not None and not summary.empty:
        row = summary.iloc[0]
        ax.axvspan(row["ci_low"], row["ci_high"], color="black", alpha=0.12, linewidth=0)
        ax.axvline(row["mean"], color="black", linewidth=1.5,
                   label=f"mean {row['mean']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]")
    ax.set_xlabel("PAR score (%)")
    ax.set_ylabel("units")
    ax.set_title(f"Distribution of unit scores (n = {s.size} units); dashed: band bounds")
    ax.legend(fontsize="small", loc="upper left")
    return fig


def band_changes_plot(changes: pd.DataFrame, labels: Mapping[str, str] | None = None,
                      ax: Axes | None = None) -> Figure:
    """Units per band in two years, side by side, with the change written above.

    Args:
        changes: :func:`~satisfaction.par_index.band_changes` (two year columns, ``change``).
        labels: band display names.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.

    Examples:
        >>> ch = pd.DataFrame({"2019": [10, 68], "2020": [14, 81]}, index=["excellent", "good"])
        >>> ch["change"] = ch["2020"] - ch["2019"]
        >>> [t.get_text() for t in band_changes_plot(ch).axes[0].texts]
        ['+4', '+13']
    """
    import seaborn as sns

    fig, ax = new_figure(7, 4, ax)
    years = [c for c in changes.columns if c != "change"]
    x = np.arange(len(changes))
    width = 0.8 / max(len(years), 1)
    colours = sns.color_palette("Blues", n_colors=len(years) + 1)[1:]
    for i, (year, colour) in enumerate(zip(years, colours, strict=True)):
        ax.bar(x + (i - (len(years) - 1) / 2) * width, changes[year], width=width,
               color=colour, label=literal(year))
    if "change" in changes:
        top = changes[years].max(axis=1).to_numpy()
        for xi, yi, d in zip(x, top, changes["change"].to_numpy(), strict=True):
            ax.annotate(f"{int(d):+d}", (xi, yi), xytext=(0, 3), textcoords="offset points",
                        ha="center", fontsize="small")
    ax.set_ylim(0, float(changes[years].to_numpy().max()) * 1.12 + 1)
    ax.set_xticks(x, _labels(list(changes.index), labels))
    ax.set_ylabel("units")
    total = int(changes[years[-1]].sum()) if years else 0
    ax.set_title(f"Units per band ({total} units)")
    ax.legend(fontsize="small")
    return fig


def transition_heatmap(matrix: pd.DataFrame, labels: Mapping[str, str] | None = None,
                       drop_empty: bool = True, ax: Axes | None = None) -> Figure:
    """The transition matrix as a heatmap: counts in the cells, the diagonal outlined.

    Args:
        matrix: :func:`~satisfaction.par_index.transition_matrix` (margins allowed; they go
            into the tick labels as n).
        labels: band display names.
        drop_empty: leave out the ``not_completed`` and ``absent`` rows and columns when they
            are empty in both years (the totals still count every unit).
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.

    Examples:
        >>> m = pd.DataFrame([[8, 2], [6, 60]], index=pd.Index(["excellent", "good"], name="2019"),
        ...                  columns=pd.Index(["excellent", "good"], name="2020"))
        >>> fig = transition_heatmap(m)
        >>> fig.axes[0].get_ylabel(), fig.axes[0].get_xlabel()
        ('band in 2019', 'band in 2020')
    """
    import seaborn as sns

    core = matrix.drop(index=TOTAL, columns=TOTAL, errors="ignore")
    if drop_empty:
        keep = [c for c in core.index
                if c not in ("not_completed", ABSENT) or core.loc[c].sum() or core[c].sum()]
        core = core.loc[keep, keep]
    fig, ax = new_figure(6.5, 5, ax)
    rows = [f"{lab} (n={int(core.loc[r].sum())})"
            for r, lab in zip(core.index, _labels(list(core.index), labels), strict=True)]
    cols = [f"{lab}\n(n={int(core[c].sum())})"
            for c, lab in zip(core.columns, _labels(list(core.columns), labels), strict=True)]
    sns.heatmap(core.to_numpy(), annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax,
                xticklabels=cols, yticklabels=rows, linewidths=0.5, linecolor="white")
    for i, r in enumerate(core.index):
        if r in core.columns:
            j = list(core.columns).index(r)
            ax.add_patch(Rectangle((j, i), 1, 1, fill=False, edgecolor="black", linewidth=1.5))
    ax.set_ylabel(f"band in {literal(matrix.index.name or 'earlier year')}")
    ax.set_xlabel(f"band in {literal(matrix.columns.name or 'later year')}")
    ax.tick_params(axis="y", rotation=0)
    n = int(core.to_numpy().sum())
    ax.set_title(f"Band transitions ({n} units); outlined: same band both years",
                 fontsize="medium")
    return fig


def criterion_losses_plot(losses: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Mean points lost per unit by criterion, with the share of the criterion's maximum.

    Args:
        losses: :func:`~satisfaction.par_index.criterion_losses`.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.

    Examples:
        >>> l = pd.DataFrame({"label": ["E-government", "Direction"], "max_points": [12.0, 10],
        ...     "mean_lost": [2.5, 0.9], "lost_pct_of_max": [20.8, 9.0]},
        ...     index=["e_government", "direction"])
        >>> [t.get_text() for t in criterion_losses_plot(l).axes[0].texts]
        ['2.50 (21% of 12)', '0.90 (9% of 10)']
    """
    fig, ax = new_figure(8, 0.45 * len(losses) + 1.5, ax)
    y = np.arange(len(losses))
    ax.barh(y, losses["mean_lost"], color="#c0504d")
    for yi, lost, pct, mx in zip(y, losses["mean_lost"], losses["lost_pct_of_max"],
                                 losses["max_points"], strict=True):
        ax.annotate(f"{lost:.2f} ({pct:.0f}% of {mx:g})", (lost, yi), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize="small")
    ax.set_yticks(y, [literal(v) for v in losses.get("label", pd.Series(losses.index))])
    ax.invert_yaxis()
    ax.set_xlim(0, float(losses["mean_lost"].max()) * 1.35 or 1)
    ax.set_xlabel("mean points lost per unit")
    n = f", n = {int(losses['units'].max())} units" if "units" in losses else ""
    ax.set_title(f"Where units lose points (criterion losing most first{n})", fontsize="medium")
    return fig


def _label_boxes(ax: Axes, x: np.ndarray, y: np.ndarray, names: list[str],
                 fontsize_pt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point positions and estimated label boxes (x0, y0, x1, y1) in axes fractions.

    A label sits up-right of its point, or up-left in the right fifth of the axes.
    """
    ax.autoscale_view()
    pos = (ax.transData + ax.transAxes.inverted()).transform(np.column_stack([x, y]))
    bbox = ax.get_position()
    w_pt, h_pt = (bbox.width * ax.get_figure(root=True).get_figwidth() * 72,
                  bbox.height * ax.get_figure(root=True).get_figheight() * 72)
    width = np.array([len(n) for n in names]) * 0.55 * fontsize_pt / w_pt
    height = 1.2 * fontsize_pt / h_pt
    off_x, off_y = 4 / w_pt, 3 / h_pt
    left = pos[:, 0] > 0.8
    x0 = np.where(left, pos[:, 0] - off_x - width, pos[:, 0] + off_x)
    boxes = np.column_stack([x0, pos[:, 1] + off_y, x0 + width, pos[:, 1] + off_y + height])
    return pos, boxes, left


def _readable(pos: np.ndarray, boxes: np.ndarray, pad: float = 0.004) -> np.ndarray:
    """Labels that overlap no other label kept so far and cover no other point.

    Greedy, most isolated points first; a plotting helper over at most a few dozen labels.
    """
    n = len(pos)
    keep = np.zeros(n, dtype=bool)
    d = np.hypot(pos[:, None, 0] - pos[None, :, 0], pos[:, None, 1] - pos[None, :, 1])
    np.fill_diagonal(d, np.inf)
    px, py = pos[None, :, 0], pos[None, :, 1]
    covers = ((px >= boxes[:, None, 0] - pad) & (px <= boxes[:, None, 2] + pad)
              & (py >= boxes[:, None, 1] - pad) & (py <= boxes[:, None, 3] + pad))
    np.fill_diagonal(covers, False)
    inside = (boxes[:, 0] >= 0) & (boxes[:, 2] <= 1) & (boxes[:, 3] <= 1)
    for i in np.argsort(-d.min(axis=1), kind="stable"):
        if covers[i].any() or not inside[i]:
            continue
        b = boxes[keep]
        overlap = ((b[:, 0] < boxes[i, 2] + pad) & (b[:, 2] > boxes[i, 0] - pad)
                   & (b[:, 1] < boxes[i, 3] + pad) & (b[:, 3] > boxes[i, 1] - pad))
        keep[i] = not overlap.any()
    return keep


def par_satisfaction_plot(result: ParSatisfaction, label: bool = True,
                          ax: Axes | None = None) -> Figure:
    """Scatter of the PAR score against satisfaction by province, names where readable.

    Satisfaction is drawn in per cent (proportions are scaled), with its confidence interval
    when the table has one; a province flagged by the reliability standard is drawn hollow,
    suppressed ones are not drawn (a note counts them). A province is named when no other
    point is close enough for the labels to collide (its label would overlap another label or
    cover another point); the title gives the rank correlation with its interval, the number
    of provinces and how many are named.

    Args:
        result: :func:`~satisfaction.par_index.par_vs_satisfaction`.
        label: name the provinces whose label is readable.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.

    Examples:
        >>> from satisfaction.par_index import par_vs_satisfaction
        >>> units = pd.DataFrame({"province": ["Hà Nội", "Huế", "Cà Mau", "Sơn La"],
        ...                       "score": [90.0, 85, 80, 75]}, index=list("ABCD"))
        >>> sat = pd.Series([0.97, 0.95, 0.96, 0.90], index=["Hà Nội", "Huế", "Cà Mau", "Sơn La"])
        >>> fig = par_satisfaction_plot(par_vs_satisfaction(units, sat))
        >>> sorted(t.get_text() for t in fig.axes[0].texts)
        ['Cà Mau', 'Hà Nội', 'Sơn La', 'Thừa Thiên Huế']
    """
    t = result.table
    fig, ax = new_figure(8, 6, ax)
    scale = 100.0 if t["satisfaction"].max() <= 1.0 else 1.0
    x = t["par_score"].to_numpy(dtype="float64")
    y = t["satisfaction"].to_numpy(dtype="float64") * scale
    if {"sat_ci_low", "sat_ci_high"} <= set(t.columns):
        lo = t["sat_ci_low"].to_numpy(dtype="float64") * scale
        hi = t["sat_ci_high"].to_numpy(dtype="float64") * scale
        ax.errorbar(x, y, yerr=np.vstack([y - lo, hi - y]), fmt="none", ecolor=_GREY,
                    elinewidth=0.8, alpha=0.6, zorder=1)
    flagged = (t["sat_flagged"].fillna(False).astype(bool).to_numpy()
               if "sat_flagged" in t else np.zeros(len(t), dtype=bool))
    ax.scatter(x[~flagged], y[~flagged], s=22, color="#1f77b4", zorder=2)
    if flagged.any():
        ax.scatter(x[flagged], y[flagged], s=22, facecolors="white", edgecolors="#1f77b4",
                   zorder=2, label=f"{int(flagged.sum())} flagged (statistical review)")
        ax.legend(fontsize="small", loc="lower right")
    names = [literal(v) for v in t["province"]]
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size="x-small").get_size_in_points()
    pos, boxes, right = _label_boxes(ax, x, y, names, size)
    readable = _readable(pos, boxes) if label else np.zeros(len(t), dtype=bool)
    for i in np.flatnonzero(readable):
        ax.annotate(names[i], (x[i], y[i]), xytext=(-4 if right[i] else 4, 3),
                    textcoords="offset points", ha="right" if right[i] else "left",
                    fontsize=size)
    r = result.summary.iloc[0]
    hidden = int((result.unmatched["side"] == "satisfaction suppressed").sum())
    note = (f"\n{hidden} province(s) not shown: satisfaction estimate suppressed "
            "(reliability standard)" if hidden else "")
    ax.set_xlabel("PAR score of the provincial police (%)" + note)
    ax.set_ylabel("satisfied (%)" + (", with confidence interval" if "sat_ci_low" in t else ""))
    ax.set_title(
        f"Spearman rho = {r['rho']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}] "
        f"({round(100 * r['confidence'])}% CI, {r['method']}), n = {int(r['n'])} provinces; "
        f"{int(readable.sum())} named", fontsize="medium")
    return fig
