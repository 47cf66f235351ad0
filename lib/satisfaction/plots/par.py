"""Figures of the PAR index: score distribution, band counts, transitions, criteria, fragility,
satisfaction.

Every function takes a table from :mod:`satisfaction.par_index` and returns a
:class:`matplotlib.figure.Figure` in the seaborn theme (call
:func:`satisfaction.plots.set_theme` first), with every word in one language (``lang``: the page
builds one figure per edition, :func:`satisfaction.report.show.figure`). Band and criterion
names come from the caller (``labels``: the criteria file's vi/en labels, as the tables take
them, :data:`satisfaction.report.tables.Labels`); names from the data are drawn literally
(:func:`satisfaction.plots.labels.literal`). The rules of :mod:`satisfaction.plots`: legends
outside the axes, no text under :data:`~satisfaction.plots.MIN_FONT_PT`, intervals inside the
axes, each figure says how many units it shows.

=================================  ==========================================================
:func:`par_distribution_plot`      histogram of unit scores by band, thresholds, the mean and
                                   its interval
:func:`band_changes_plot`          units per band in two years, the change above each pair
:func:`transition_heatmap`         the band transition matrix, the diagonal outlined
:func:`criterion_losses_plot`      mean points lost per unit by criterion
:func:`fragility_plot`             units that could move up or down a band under each
                                   assumption about measurement error
:func:`par_satisfaction_plot`      provinces' PAR score against their citizens' satisfaction
=================================  ==========================================================

Not for: computing anything (see :mod:`satisfaction.par_index`), wording the page
(:mod:`satisfaction.report.par`) or the survey estimates (see
:mod:`satisfaction.plots.estimates`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..i18n import Language, Renderable, _, render
from ..par_index import ABSENT, NOT_COMPLETED, TOTAL, ParSatisfaction, band_order
from ..report.formats import Count, Decimal, Percent, count
from ..report.tables import Labels, label_map
from . import MIN_FONT_PT, SMALL_FONT_PT, axis_label, new_figure
from .labels import drawn, literal

__all__ = [
    "band_changes_plot",
    "criterion_losses_plot",
    "fragility_plot",
    "par_distribution_plot",
    "par_satisfaction_plot",
    "transition_heatmap",
]

_GREY = "#6e7781"
_UP = "#1a9850"
_DOWN = "#d73027"


def _band_palette(names: list[str]) -> dict[str, Any]:
    import seaborn as sns

    colours = sns.color_palette("RdYlGn_r", n_colors=max(len(names), 2))
    return dict(zip(names, colours, strict=False))


def _names(codes: Sequence[Any], labels: Labels | None, lang: Language) -> list[str]:
    """The label of each code in ``lang`` (the code itself when it has none), drawn literally."""
    words = label_map(labels, lang)
    return [literal(words.get(c, c)) for c in codes]


def _legend(fig: Figure, handles: list[Any], ncols: int = 2) -> None:
    """The legend under the axes, outside them: never over data or the title."""
    if handles:
        fig.legend(handles=handles, loc="outside lower left", fontsize=SMALL_FONT_PT,
                   ncols=min(len(handles), ncols), frameon=False)


def par_distribution_plot(scores: pd.Series, bands: Mapping[str, float],
                          summary: pd.DataFrame | None = None,
                          labels: Labels | None = None, binwidth: float = 1.0,
                          confidence: float = 0.95, lang: Language = "en",
                          ax: Axes | None = None) -> Figure:
    """Histogram of unit scores coloured by band, the thresholds and the mean with its interval.

    Args:
        scores: unit scores in per cent.
        bands: band name -> lower bound (params ``par_bands``).
        summary: :func:`~satisfaction.par_index.score_summary` (mean and t interval drawn).
        labels: band names (:data:`~satisfaction.report.tables.Labels`).
        binwidth: histogram bin width in points.
        confidence: the level of the summary's interval (for the legend).
        lang: the language of every word on the figure.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.

    Examples:
        >>> fig = par_distribution_plot(pd.Series([96.0, 85, 81, 72]), {"excellent": 95,
        ...                             "good": 80, "fair": 70}, lang="vi")
        >>> fig.axes[0].get_xlabel().splitlines()[0]
        'Điểm chỉ số cải cách hành chính (%) — trục bắt đầu từ 72, không phải từ 0'
    """
    from ..par_index import assign_bands

    fig, ax = new_figure(8, 4.6, ax)
    s = pd.Series(scores, dtype="float64").dropna()
    band = assign_bands(s, bands)
    order = band_order(bands)
    palette = _band_palette(order)
    lo = np.floor(s.min() / binwidth) * binwidth
    hi = np.ceil((s.max() + 1e-9) / binwidth) * binwidth + binwidth
    edges = np.arange(lo, hi + binwidth / 2, binwidth)
    bottom = np.zeros(edges.size - 1)
    handles: list[Any] = []
    for name, lab in zip(order, _names(order, labels, lang), strict=True):
        counts, _edges = np.histogram(s[band == name], bins=edges)
        if counts.sum() == 0:
            continue
        handles.append(ax.bar(edges[:-1], counts, width=binwidth, bottom=bottom, align="edge",
                              color=palette[name], edgecolor="white", linewidth=0.5,
                              label=f"{lab} ({count(counts.sum(), lang)})"))
        bottom += counts
    ax.set_ylim(0, max(float(bottom.max()), 1.0) * 1.12)
    left = float(edges[0])
    if summary is not None and not summary.empty:
        row = summary.iloc[0]
        left = min(left, float(np.floor(row["ci_low"])))
        handles.append(ax.axvspan(row["ci_low"], row["ci_high"], color="black", alpha=0.12,
                                  linewidth=0))
        handles[-1].set_label(render(_("{level} confidence interval of the mean: {low} to "
                                       "{high}").format(level=Percent(confidence, 0),
                                                        low=Decimal(row["ci_low"]),
                                                        high=Decimal(row["ci_high"])), lang))
        handles.append(ax.axvline(row["mean"], color="black", linewidth=1.5,
                                  label=render(_("mean score {mean}").format(
                                      mean=Decimal(row["mean"])), lang)))
    shown = [float(b) for b in bands.values() if edges[0] - binwidth <= float(b) <= edges[-1]]
    for bound in shown:
        ax.axvline(bound, color=_GREY, linestyle="--", linewidth=1)
    if shown:
        handles.append(Line2D([], [], color=_GREY, linestyle="--",
                              label=render(_("band threshold"), lang)))
    ax.set_xlim(left, float(edges[-1]))
    ax.set_xlabel(axis_label(render(_("PAR index score (%)"), lang), left, lang=lang))
    ax.set_ylabel(render(_("Units"), lang))
    ax.set_title(render(_("Unit scores by band ({n} units)").format(n=Count(s.size)), lang),
                 loc="left")
    _legend(fig, handles)
    return fig


def band_changes_plot(changes: pd.DataFrame, labels: Labels | None = None,
                      lang: Language = "en", ax: Axes | None = None) -> Figure:
    """Units per band in two years, side by side, with the change written above.

    Args:
        changes: :func:`~satisfaction.par_index.band_changes` (two year columns, ``change``).
        labels: band names.
        lang: the language of every word on the figure.
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

    fig, ax = new_figure(7.5, 4.4, ax)
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
            ax.annotate(f"{int(d):+d}" if d else "0", (xi, yi), xytext=(0, 3),
                        textcoords="offset points", ha="center", fontsize=SMALL_FONT_PT)
    ax.set_ylim(0, float(changes[years].to_numpy().max()) * 1.15 + 1)
    ax.set_xticks(x, ["\n".join(textwrap.wrap(n, 14)) for n in
                      _names(list(changes.index), labels, lang)])
    ax.set_ylabel(render(_("Units"), lang))
    total = int(changes[years[-1]].sum()) if years else 0
    ax.set_title(render(_("Units per band ({n} units); above each pair: the change")
                        .format(n=Count(total)), lang), loc="left")
    _legend(fig, ax.get_legend_handles_labels()[0], ncols=len(years) or 1)
    return fig


def transition_heatmap(matrix: pd.DataFrame, labels: Labels | None = None,
                       drop_empty: bool = True, lang: Language = "en",
                       ax: Axes | None = None) -> Figure:
    """The transition matrix as a heatmap: counts in the cells, the diagonal outlined.

    Args:
        matrix: :func:`~satisfaction.par_index.transition_matrix` (margins allowed; they go
            into the tick labels as n). Its index and columns are named by the two years.
        labels: band names (``absent`` too: a unit scored in one year only).
        drop_empty: leave out the ``not_completed`` and ``absent`` rows and columns when they
            are empty in both years (the totals still count every unit).
        lang: the language of every word on the figure.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.

    Examples:
        >>> m = pd.DataFrame([[8, 2], [6, 60]], index=pd.Index(["excellent", "good"], name="2019"),
        ...                  columns=pd.Index(["excellent", "good"], name="2020"))
        >>> fig = transition_heatmap(m)
        >>> fig.axes[0].get_ylabel(), fig.axes[0].get_xlabel()
        ('Band in 2019', 'Band in 2020')
    """
    import seaborn as sns

    core = matrix.drop(index=TOTAL, columns=TOTAL, errors="ignore")
    if drop_empty:
        keep = [c for c in core.index
                if c not in (NOT_COMPLETED, ABSENT) or core.loc[c].sum() or core[c].sum()]
        core = core.loc[keep, keep]
    fig, ax = new_figure(7, 5.4, ax)
    n_of = _("n = {n}")
    rows = [f"{lab} ({render(n_of.format(n=Count(core.loc[r].sum())), lang)})"
            for r, lab in zip(core.index, _names(list(core.index), labels, lang), strict=True)]
    cols = ["\n".join([*textwrap.wrap(lab, 13), f"({render(n_of.format(n=Count(core[c].sum())), lang)})"])
            for c, lab in zip(core.columns, _names(list(core.columns), labels, lang), strict=True)]
    sns.heatmap(core.to_numpy(), annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax,
                xticklabels=cols, yticklabels=rows, linewidths=0.5, linecolor="white",
                annot_kws={"fontsize": SMALL_FONT_PT + 1.5})
    for i, r in enumerate(core.index):
        if r in core.columns:
            j = list(core.columns).index(r)
            ax.add_patch(Rectangle((j, i), 1, 1, fill=False, edgecolor="black", linewidth=1.5))
    earlier = literal(matrix.index.name or "")
    later = literal(matrix.columns.name or "")
    ax.set_ylabel(render(_("Band in {year}").format(year=earlier), lang))
    ax.set_xlabel(render(_("Band in {year}").format(year=later), lang))
    ax.tick_params(axis="y", rotation=0)
    ax.tick_params(axis="x", rotation=0)
    n = int(core.to_numpy().sum())
    ax.set_title(render(_("Band transitions ({n} units); outlined: the same band in both years")
                        .format(n=Count(n)), lang), loc="left")
    return fig


def criterion_losses_plot(losses: pd.DataFrame, labels: Labels | None = None,
                          lang: Language = "en", ax: Axes | None = None) -> Figure:
    """Mean points lost per unit by criterion, with the share of the criterion's maximum.

    Args:
        losses: :func:`~satisfaction.par_index.criterion_losses` (index the criterion codes).
        labels: criterion names (the ``label`` column when None).
        lang: the language of every word on the figure.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.

    Examples:
        >>> l = pd.DataFrame({"label": ["E-government", "Direction"], "max_points": [12.0, 10],
        ...     "mean_lost": [2.5, 0.9], "lost_pct_of_max": [20.8, 9.0]},
        ...     index=["e_government", "direction"])
        >>> [t.get_text() for t in criterion_losses_plot(l).axes[0].texts]
        ['2.50 (21 % of 12)', '0.90 (9 % of 10)']
    """
    fig, ax = new_figure(8.5, 0.55 * len(losses) + 1.6, ax)
    y = np.arange(len(losses))
    ax.barh(y, losses["mean_lost"], color="#c0504d")
    for yi, lost, pct, mx in zip(y, losses["mean_lost"], losses["lost_pct_of_max"],
                                 losses["max_points"], strict=True):
        text = _("{lost} ({share} of {max})").format(
            lost=Decimal(lost), share=Percent(pct / 100, 0), max=Decimal(mx, 0))
        ax.annotate(render(text, lang), (lost, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=SMALL_FONT_PT)
    if labels is not None:
        names = _names(list(losses.index), labels, lang)
    else:
        names = [literal(v) for v in losses.get("label", pd.Series(losses.index))]
    ax.set_yticks(y, ["\n".join(textwrap.wrap(n, 38)) for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, float(losses["mean_lost"].max()) * 1.45 or 1)
    ax.set_xlabel(render(_("Mean points lost per unit"), lang))
    units = (_(" ({n} units)").format(n=Count(losses["units"].max())) if "units" in losses
             else "")
    ax.set_title(render(_("Where units lose points, the criterion losing most first"), lang)
                 + render(units, lang), loc="left")
    return fig


def fragility_plot(fragility: pd.DataFrame, names: Mapping[str, Renderable | str],
                   lang: Language = "en", ax: Axes | None = None) -> Figure:
    """Units that could move down (left) or up (right) a band under each assumption.

    Args:
        fragility: the ``either`` rows of :func:`~satisfaction.par_index.fragility`, indexed
            by a key of ``names`` (the assumption, in the page's words), in the order drawn.
        names: key -> what the assumption is (a message).
        lang: the language of every word on the figure.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.

    Examples:
        >>> f = pd.DataFrame({"moved_up": [10, 5], "moved_down": [30, 12], "changed": [40, 17],
        ...                   "units": [110, 110]}, index=["gap", "fixed_1"])
        >>> fig = fragility_plot(f, {"gap": "gap", "fixed_1": "±1"})
        >>> sorted(t.get_text() for t in fig.axes[0].texts)
        ['10', '12', '30', '5']
    """
    fig, ax = new_figure(8.5, 0.6 * len(fragility) + 1.9, ax)
    y = np.arange(len(fragility))
    down = fragility["moved_down"].to_numpy(dtype=float)
    up = fragility["moved_up"].to_numpy(dtype=float)
    ax.barh(y, -down, color=_DOWN)
    ax.barh(y, up, color=_UP)
    peak = max(float(np.nanmax(np.concatenate([down, up, [1.0]]))), 1.0)
    for yi, d, u in zip(y, down, up, strict=True):
        ax.annotate(count(d, lang), (-d, yi), xytext=(-3, 0), textcoords="offset points",
                    ha="right", va="center", fontsize=SMALL_FONT_PT)
        ax.annotate(count(u, lang), (u, yi), xytext=(3, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=SMALL_FONT_PT)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-peak * 1.25, peak * 1.25)
    ax.set_yticks(y, ["\n".join(textwrap.wrap(drawn(names.get(k, k), lang), 34))
                      for k in fragility.index])
    ax.invert_yaxis()
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [count(abs(t), lang) for t in ticks])
    ax.set_xlim(-peak * 1.25, peak * 1.25)
    ax.set_xlabel(render(_("Units that could change band"), lang))
    units = int(fragility["units"].max()) if "units" in fragility and len(fragility) else 0
    ax.set_title(render(_("How many of the {n} units could change band").format(n=Count(units)),
                        lang), loc="left")
    _legend(fig, [Patch(color=_DOWN, label=render(_("could move down a band"), lang)),
                  Patch(color=_UP, label=render(_("could move up a band"), lang))])
    return fig


def _label_boxes(ax: Axes, x: np.ndarray, y: np.ndarray, names: list[str],
                 fontsize_pt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point positions and estimated label boxes (x0, y0, x1, y1) in axes fractions.

    A label sits up-right of its point, or up-left in the right fifth of the axes.
    """
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


def _padded(lo: np.ndarray, hi: np.ndarray, share: float = 0.05) -> tuple[float, float]:
    """Axis limits that hold every value from ``lo`` to ``hi`` with a margin, the lower one a
    whole number (the axis label says where the axis starts)."""
    low, high = float(np.nanmin(lo)), float(np.nanmax(hi))
    pad = max((high - low) * share, 0.5)
    return float(np.floor(low - pad)), high + pad


def par_satisfaction_plot(result: ParSatisfaction, label: bool = True,
                          score: Renderable | str | None = None, lang: Language = "en",
                          ax: Axes | None = None) -> Figure:
    """Scatter of the PAR score against satisfaction by province, names where readable.

    Satisfaction is drawn in per cent (proportions are scaled), with its confidence interval
    when the table has one (the axes hold every interval); a province flagged by the
    reliability standard is drawn hollow, suppressed ones are not drawn (a note counts them).
    A province is named when no other point is close enough for the labels to collide (its
    label would overlap another label or cover another point); the title gives the rank
    correlation with its interval, the number of provinces and how many are named.

    Args:
        result: :func:`~satisfaction.par_index.par_vs_satisfaction`.
        label: name the provinces whose label is readable.
        score: what the horizontal axis shows (the whole PAR score by default; e.g. the score
            net of the satisfaction criterion).
        lang: the language of every word on the figure.
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
    fig, ax = new_figure(8, 6.4, ax)
    scale = 100.0 if t["satisfaction"].max() <= 1.0 else 1.0
    x = t["par_score"].to_numpy(dtype="float64")
    y = t["satisfaction"].to_numpy(dtype="float64") * scale
    lo, hi = y, y
    if {"sat_ci_low", "sat_ci_high"} <= set(t.columns):
        lo = np.fmin(t["sat_ci_low"].to_numpy(dtype="float64") * scale, y)
        hi = np.fmax(t["sat_ci_high"].to_numpy(dtype="float64") * scale, y)
        ax.errorbar(x, y, yerr=np.vstack([y - lo, hi - y]), fmt="none", ecolor=_GREY,
                    elinewidth=0.8, alpha=0.6, zorder=1)
    flagged = (t["sat_flagged"].fillna(False).astype(bool).to_numpy()
               if "sat_flagged" in t else np.zeros(len(t), dtype=bool))
    ax.scatter(x[~flagged], y[~flagged], s=24, color="#1f77b4", zorder=2, clip_on=False)
    handles: list[Any] = []
    if flagged.any():
        handles.append(ax.scatter(
            x[flagged], y[flagged], s=24, facecolors="white", edgecolors="#1f77b4", zorder=2,
            clip_on=False, label=render(_("hollow: flagged, interpret with caution ({n})")
                                        .format(n=Count(flagged.sum())), lang)))
    ax.set_xlim(*_padded(x, x))
    y_low, y_high = _padded(lo, hi)
    ax.set_ylim(y_low, min(y_high, 100.0 + (y_high - y_low) * 0.02) if scale == 100.0
                else y_high)
    names = [literal(v) for v in t["province"]]
    pos, boxes, right = _label_boxes(ax, x, y, names, MIN_FONT_PT)
    readable = _readable(pos, boxes) if label else np.zeros(len(t), dtype=bool)
    for i in np.flatnonzero(readable):
        ax.annotate(names[i], (x[i], y[i]), xytext=(-4 if right[i] else 4, 3),
                    textcoords="offset points", ha="right" if right[i] else "left",
                    fontsize=MIN_FONT_PT)
    r = result.summary.iloc[0]
    hidden = int((result.unmatched["side"] == "satisfaction suppressed").sum())
    if hidden:
        handles.append(Line2D([], [], linestyle="none", label=render(
            _("{n} province(s) not shown: satisfaction estimate suppressed (reliability "
              "standard)").format(n=Count(hidden)), lang)))
    xlabel = drawn(score, lang) if score is not None else render(
        _("PAR index score of the provincial police (%)"), lang)
    ax.set_xlabel(axis_label(xlabel, ax.get_xlim()[0], lang=lang))
    ax.set_ylabel(axis_label(render(_("Satisfied or very satisfied (%)"), lang),
                             ax.get_ylim()[0], lang=lang, vertical=True))
    if "sat_ci_low" in t:
        handles.insert(0, Line2D([], [], color=_GREY, linewidth=0.8, label=render(
            _("vertical lines: the confidence interval of the province's satisfaction"), lang)))
    ax.set_title(render(_("Spearman's rho = {rho} ({level} confidence interval {low} to "
                          "{high}), {n} provinces; {named} named").format(
        rho=Decimal(r["rho"]), level=Percent(r["confidence"], 0), low=Decimal(r["ci_low"]),
        high=Decimal(r["ci_high"]), n=Count(r["n"]), named=Count(readable.sum())), lang),
        loc="left", fontsize="medium")
    _legend(fig, handles, ncols=1)
    return fig
