"""Figures of the instrument review (notebook 05_instrument): one function per figure.

Each function takes a table from :mod:`satisfaction.instrument` and returns a
:class:`matplotlib.figure.Figure` (built without pyplot, so a notebook shows it once), titled
with its number from :data:`FIGURES` so that every recommendation
(:mod:`satisfaction.report.recommendations`) can point at it. Proportions are drawn with their
interval and their ``n``; a cell the NCHS standard flags is hollow and a suppressed one is left
out and named in a note (:func:`satisfaction.reliability.with_flags`). Years are told apart by
colour. Text from the data is drawn literally (:func:`satisfaction.plots.labels.literal`).

Not for: computing anything (see :mod:`satisfaction.instrument`) or the headline estimate
figures (see :mod:`satisfaction.plots.estimates`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..instrument import ANSWERS
from ..reliability import with_flags
from . import set_theme
from .labels import literal

__all__ = [
    "FIGURES",
    "ceiling_plot",
    "consistency_plot",
    "item_distribution_plot",
    "item_statistics_plot",
    "mode_plot",
    "precision_plot",
    "quality_plot",
]

FIGURES = {
    "distribution": "Figure 1",
    "ceiling": "Figure 2",
    "consistency": "Figure 3",
    "items": "Figure 4",
    "quality": "Figure 5",
    "mode": "Figure 6",
    "precision": "Figure 7",
}
"""The number of each figure of notebook 05_instrument (its title starts with it)."""

_GREY = "#8c959f"
_ANSWER_COLOURS = ("#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac", "#ffffff")
_ANSWER_LABELS = ("1 very dissatisfied", "2", "3 neutral", "4", "5 very satisfied",
                  "missing")


def _years(table: pd.DataFrame) -> list[Any]:
    return sorted(table["year"].unique().tolist()) if "year" in table.columns else [None]


def _year_colours(years: list[Any]) -> dict[Any, Any]:
    import seaborn as sns

    palette = sns.color_palette("deep", n_colors=max(len(years), 2))
    # the latest year in the strongest colour (blue), earlier years after it
    return {y: palette[i] for i, y in enumerate(reversed(years))}


def _rows(table: pd.DataFrame, year: Any) -> pd.DataFrame:
    return table if year is None else table[table["year"] == year]


def _dodge(n: int, width: float = 0.5) -> np.ndarray:
    if n == 1:
        return np.zeros(1)
    return np.linspace(-width / 2, width / 2, n)


def _flags(table: pd.DataFrame, disclosure_threshold: int) -> pd.DataFrame:
    out = table.reset_index(drop=True)
    return with_flags(out, disclosure_threshold).reset_index(drop=True)


def _interval_points(ax: Axes, pos: np.ndarray, table: pd.DataFrame, colour: Any, label: str,
                     scale: float = 100.0, horizontal: bool = True) -> list[str]:
    """Points with intervals; hollow when flagged; suppressed cells skipped and returned."""
    est = table["estimate"].to_numpy(float) * scale
    lo = table["ci_low"].to_numpy(float) * scale
    hi = table["ci_high"].to_numpy(float) * scale
    suppressed = table["suppressed"].fillna(True).astype(bool).to_numpy()
    hollow = table["flagged"].fillna(False).astype(bool).to_numpy() & ~suppressed
    err = np.vstack([est - lo, hi - est])
    err = np.where(np.isfinite(err), np.clip(err, 0, None), 0.0)
    first = True
    for mask, face in ((~suppressed & ~hollow, colour), (~suppressed & hollow, "white")):
        if not mask.any():
            continue
        kw = {"fmt": "o", "color": colour, "ecolor": colour, "elinewidth": 1.5, "capsize": 2.5,
              "markersize": 5, "markerfacecolor": face, "markeredgecolor": colour,
              "label": label if first else None}
        first = False
        if horizontal:
            ax.errorbar(est[mask], pos[mask], xerr=err[:, mask], **kw)
        else:
            ax.errorbar(pos[mask], est[mask], yerr=err[:, mask], **kw)
    names = table.get("label", pd.Series([""] * len(table)))
    return [str(n) for n in np.asarray(names)[suppressed]]


def _categories(ax: Axes, names: list[str], fontsize: float = 9) -> None:
    """Categorical y axis, first name on top, no horizontal grid through dodged points."""
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([literal(n) for n in names], fontsize=fontsize)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)


def _legend_top(fig: Figure, ax: Axes, title: str | None = None) -> None:
    handles, names = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="outside upper right", ncol=min(len(names), 4),
                   fontsize=8, frameon=False, title=title, title_fontsize=8)


def _note(fig: Figure, lines: list[str]) -> None:
    lines = [literal(x) for x in lines if x]
    if lines:
        fig.text(0.01, -0.01, "\n".join(lines), ha="left", va="top", fontsize=8, color="#57606a")


def _title(fig: Figure, key: str, text: str) -> None:
    fig.suptitle(literal(f"{FIGURES[key]}. {text}"), x=0.01, ha="left", fontsize=12,
                 fontweight="bold")


# ---------------------------------------------------------------------------------------------
def item_distribution_plot(distribution: pd.DataFrame, labels: dict[str, str] | None = None,
                           nonresponse: pd.DataFrame | None = None) -> Figure:
    """Figure 1: the answers to every item (weighted shares of all forms), one panel per year.

    Args:
        distribution: :func:`satisfaction.instrument.item_distribution`.
        labels: item -> display text (e.g. the codebook's English wording).
        nonresponse: :func:`satisfaction.instrument.item_nonresponse`; its unusable share
            (don't know, refused, blank, out of range) is written at the end of each bar.

    Returns:
        The figure.

    Examples:
        >>> from satisfaction import instrument as ins
        >>> df = ins.example_survey()
        >>> fig = item_distribution_plot(ins.item_distribution(df, ["a1", "f2"]))
        >>> fig.get_suptitle()
        'Figure 1. Answers to each item'
    """
    set_theme()
    years = _years(distribution)
    items = list(dict.fromkeys(distribution["item"]))
    fig = Figure(figsize=(5.2 * len(years) + 1.5, 0.36 * len(items) + 2.2),
                 layout="constrained")
    axes = fig.subplots(1, len(years), sharey=True, squeeze=False)[0]
    ypos = np.arange(len(items))
    for ax, year in zip(axes, years):
        part = _rows(distribution, year)
        grid = part.pivot_table(index="item", columns="answer", values="weighted_share",
                                observed=False, aggfunc="sum").reindex(index=items,
                                                                       columns=list(ANSWERS))
        n_forms = int(part[part["item"] == items[0]]["n"].sum())
        left = np.zeros(len(items))
        for j, answer in enumerate(ANSWERS):
            width = grid[answer].fillna(0).to_numpy() * 100
            ax.barh(ypos, width, left=left, color=_ANSWER_COLOURS[j],
                    edgecolor=_GREY if answer == "missing" else "white", linewidth=0.5,
                    label=_ANSWER_LABELS[j], hatch="//" if answer == "missing" else None)
            left += width
        if nonresponse is not None:
            nr = _rows(nonresponse, year).set_index("item")
            share = nr["unusable_share"].astype("Float64").fillna(
                nr["missing_share"].astype("Float64"))
            for yi, item in zip(ypos, items):
                if item in share.index and pd.notna(share[item]):
                    ax.text(101, yi, f"{100 * float(share[item]):.1f}%", va="center",
                            fontsize=7, color="#57606a")
        ax.set_xlim(0, 108 if nonresponse is not None else 100)
        ax.set_title(literal(f"{year if year is not None else ''}  (n = {n_forms:,} forms)"),
                     fontsize=10)
        ax.set_xlabel("Share of forms, weighted (%)")
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(ypos)
    axes[0].set_yticklabels([literal((labels or {}).get(i, i)) for i in items], fontsize=8)
    axes[0].invert_yaxis()
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=6, fontsize=8, frameon=False)
    _title(fig, "distribution", "Answers to each item"
           + (" (right: share unusable)" if nonresponse is not None else ""))
    return fig


def ceiling_plot(ceiling: pd.DataFrame, ceiling_share: float = 0.15,
                 disclosure_threshold: int = 10) -> Figure:
    """Figure 2: share at the top of the scale, per item and per component, with intervals.

    Args:
        ceiling: :func:`satisfaction.instrument.ceiling_effects`.
        ceiling_share: the component ceiling criterion, drawn as a line (Terwee et al. 2007).
        disclosure_threshold: cells with fewer respondents are not drawn.

    Returns:
        The figure (a :class:`matplotlib.figure.Figure`; nothing is shown).

    Examples:
        >>> from satisfaction import instrument as ins
        >>> from satisfaction.design import DesignSpec
        >>> df = ins.example_survey()
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> fig = ceiling_plot(ins.ceiling_effects(df, ["a1"], D, {"access": ["a1", "a2", "a3"]}))
        >>> fig.get_suptitle()
        'Figure 2. How much of the scale is used: the share at its top'
    """
    set_theme()
    years = _years(ceiling)
    colours = _year_colours(years)
    n_items = ceiling.loc[ceiling["scale"] == "item", "name"].nunique()
    fig = Figure(figsize=(11, 0.42 * n_items + 2.6), layout="constrained")
    ax_item, ax_comp = fig.subplots(1, 2, width_ratios=[3, 2])
    hidden: list[str] = []
    for ax, scale in ((ax_item, "item"), (ax_comp, "component")):
        part = ceiling[ceiling["scale"] == scale]
        names = list(dict.fromkeys(part["name"]))
        pos = {n: i for i, n in enumerate(names)}
        offsets = _dodge(len(years), 0.36)
        for off, year in zip(offsets, years):
            rows = _flags(_rows(part, year), disclosure_threshold)
            rows["label"] = [f"{year} {n}" for n in rows["name"]]
            y = rows["name"].map(pos).to_numpy(float) + off
            hidden += _interval_points(ax, y, rows, colours[year], str(year))
            for yi, (_, r) in zip(y, rows.iterrows()):
                if not r["suppressed"]:
                    ax.text(101, yi, f"n={int(r['n']):,}", va="center", fontsize=6.5,
                            color="#57606a")
        _categories(ax, names, 8)
        ax.set_xlim(0, 114)
    ax_item.set_xlabel("Answering 5, 'very satisfied' (% of valid answers)")
    ax_item.set_title("Items", fontsize=10)
    ax_comp.axvline(100 * ceiling_share, color="#cf222e", linestyle="--", linewidth=1)
    ax_comp.text(100 * ceiling_share + 1, 0.01, f"ceiling {100 * ceiling_share:.0f} %",
                 color="#cf222e", fontsize=8, transform=ax_comp.get_xaxis_transform(),
                 va="bottom")
    ax_comp.set_xlabel("Every item of the component at 5 (% of respondents)")
    ax_comp.set_title("Components (maximum score)", fontsize=10)
    handles, names = ax_item.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper right", ncol=len(years), fontsize=8,
               frameon=False)
    _title(fig, "ceiling", "How much of the scale is used: the share at its top")
    _note(fig, ["Bars: 95 % intervals (Korn-Graubard). Hollow: NCHS-flagged estimate."]
          + ([f"Not shown (too few respondents): {', '.join(hidden)}"] if hidden else []))
    return fig


def consistency_plot(consistency: pd.DataFrame, alpha_min: float = 0.70) -> Figure:
    """Figure 3: Cronbach's alpha per component: weighted (design jackknife) and unweighted (Feldt).

    Args:
        consistency: :func:`satisfaction.instrument.internal_consistency`.
        alpha_min: the conventional minimum, drawn as a line.

    Returns:
        The figure (a :class:`matplotlib.figure.Figure`; nothing is shown).

    Examples:
        >>> from satisfaction import instrument as ins
        >>> from satisfaction.design import DesignSpec
        >>> df = ins.example_survey()
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> fig = consistency_plot(ins.internal_consistency(df, {"access": ["a1", "a2", "a3"]}, D))
        >>> fig.get_suptitle()
        'Figure 3. Do the items of each component measure one thing?'
    """
    set_theme()
    years = _years(consistency)
    colours = _year_colours(years)
    comps = list(dict.fromkeys(consistency["component"]))
    fig = Figure(figsize=(8.5, 0.55 * len(comps) + 2.2), layout="constrained")
    ax = fig.add_subplot()
    offsets = _dodge(2 * len(years), 0.6)
    i = 0
    for year in years:
        rows = _rows(consistency, year)
        y = rows["component"].map({c: j for j, c in enumerate(comps)}).to_numpy(float)
        for kind, est, lo, hi, face in (
                ("weighted, design jackknife", "alpha", "ci_low", "ci_high", colours[year]),
                ("unweighted, Feldt", "alpha_unweighted", "feldt_low", "feldt_high", "white")):
            x = rows[est].to_numpy(float)
            err = np.vstack([x - rows[lo].to_numpy(float), rows[hi].to_numpy(float) - x])
            ax.errorbar(x, y + offsets[i], xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o",
                        color=colours[year], markerfacecolor=face, capsize=2.5,
                        label=literal(f"{year} {kind}" if year is not None else kind))
            i += 1
        for yi, (_, r) in zip(y, rows.iterrows()):
            if year == years[-1]:
                ax.text(1.005, yi, f"k={int(r['k'])}, n={int(r['n']):,}", va="center",
                        fontsize=7, color="#57606a", transform=ax.get_yaxis_transform())
    ax.axvline(alpha_min, color="#cf222e", linestyle="--", linewidth=1)
    _categories(ax, comps)
    ax.set_xlabel("Cronbach's alpha (95 % interval)")
    _legend_top(fig, ax)
    _title(fig, "consistency", "Do the items of each component measure one thing?")
    return fig


def item_statistics_plot(items: pd.DataFrame, item_rest_min: float = 0.30,
                         alpha_gain: float = 0.02) -> Figure:
    """Figure 4: item-rest correlation and the change in alpha if each item is deleted.

    Args:
        items: :func:`satisfaction.instrument.item_statistics`.
        item_rest_min: weak item-rest correlation line.
        alpha_gain: the gain in alpha that makes an item a drop candidate.

    Returns:
        The figure (a :class:`matplotlib.figure.Figure`; nothing is shown).

    Examples:
        >>> from satisfaction import instrument as ins
        >>> df = ins.example_survey()
        >>> fig = item_statistics_plot(ins.item_statistics(df, {"access": ["a1", "a2", "a3"]}))
        >>> fig.get_suptitle()
        'Figure 4. Does each item move with the rest of its component?'
    """
    set_theme()
    years = _years(items)
    colours = _year_colours(years)
    names = list(dict.fromkeys(items["item"]))
    comp_of = dict(zip(items["item"], items["component"]))
    fig = Figure(figsize=(10, 0.32 * len(names) + 2.4), layout="constrained")
    ax_r, ax_g = fig.subplots(1, 2, sharey=True)
    height = 0.8 / len(years)
    for j, year in enumerate(years):
        rows = _rows(items, year).set_index("item").reindex(names)
        y = np.arange(len(names)) + (j - (len(years) - 1) / 2) * height
        ax_r.barh(y, rows["item_rest_r"], height=height, color=colours[year],
                  label=str(year) if year is not None else None)
        ax_g.barh(y, rows["alpha_gain"], height=height, color=colours[year])
    ax_r.axvline(item_rest_min, color="#cf222e", linestyle="--", linewidth=1)
    ax_g.axvline(alpha_gain, color="#cf222e", linestyle="--", linewidth=1)
    ax_g.axvline(0, color="black", linewidth=0.8)
    _categories(ax_r, [f"{n} ({comp_of[n]})" for n in names], 8)
    ax_r.set_xlabel("Item-rest correlation (weighted)")
    ax_g.set_xlabel("Alpha if the item is deleted, minus alpha")
    from matplotlib.ticker import MaxNLocator

    ax_g.xaxis.set_major_locator(MaxNLocator(5))
    if years != [None]:
        ax_r.legend(fontsize=8, title="year", loc="lower right")
    _title(fig, "items", "Does each item move with the rest of its component?")
    _note(fig, [(f"Dashed lines: item-rest {item_rest_min:.2f} (weak below); "
                 f"alpha gain {alpha_gain:.2f} (drop candidate above).")])
    return fig


def quality_plot(quality: pd.DataFrame, sensitivity: pd.DataFrame,
                 disclosure_threshold: int = 10) -> Figure:
    """Figure 5: flagged forms (left) and the satisfaction rate with and without them (right).

    Args:
        quality: :func:`satisfaction.instrument.quality_summary`.
        sensitivity: :func:`satisfaction.instrument.quality_sensitivity`.
        disclosure_threshold: cells with fewer respondents are not drawn.

    Returns:
        The figure (a :class:`matplotlib.figure.Figure`; nothing is shown).

    Examples:
        >>> from satisfaction import instrument as ins
        >>> from satisfaction.design import DesignSpec
        >>> df = ins.example_survey()
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> flags = ins.response_flags(df, ["a1", "a2", "a3"])
        >>> fig = quality_plot(
        ...     ins.quality_summary(df, flags), ins.quality_sensitivity(df, flags, D))
        >>> fig.get_suptitle()
        'Figure 5. Straight-lined, very fast and incomplete forms, and what they change'
    """
    set_theme()
    years = _years(sensitivity)
    colours = _year_colours(years)
    fig = Figure(figsize=(12, 4.6), layout="constrained")
    ax_q, ax_s = fig.subplots(1, 2, width_ratios=[2, 3])
    labels = list(dict.fromkeys(quality["label"]))
    height = 0.8 / len(years)
    for j, year in enumerate(years):
        rows = _rows(quality, year).set_index("label").reindex(labels)
        y = np.arange(len(labels)) + (j - (len(years) - 1) / 2) * height
        ax_q.barh(y, 100 * rows["weighted_share"], height=height, color=colours[year],
                  label=str(year))
        for yi, (_, r) in zip(y, rows.iterrows()):
            text = (f"{int(r['n_flagged']):,}" if r["n_checkable"] > 0 else "no data")
            ax_q.text(100 * r["weighted_share"] + 0.1, yi, text, va="center", fontsize=7)
    _categories(ax_q, labels, 8)
    ax_q.set_xlabel("Forms flagged, weighted (%)")
    ax_q.set_xlim(0, ax_q.get_xlim()[1] * 1.15)
    _legend_top(fig, ax_q, "year")
    scen = list(dict.fromkeys(sensitivity["scenario"]))
    offsets = _dodge(len(years), 0.4)
    hidden: list[str] = []
    for off, year in zip(offsets, years):
        rows = _rows(sensitivity, year).reset_index(drop=True)
        checkable = rows["checkable"].to_numpy(bool)
        rows = _flags(rows[checkable], disclosure_threshold)
        rows["label"] = [f"{year} {s}" for s in rows["scenario"]]
        y = rows["scenario"].map({s: i for i, s in enumerate(scen)}).to_numpy(float) + off
        hidden += _interval_points(ax_s, y, rows, colours[year], str(year))
        for yi, (_, r) in zip(y, rows.iterrows()):
            if r["scenario"] != "all forms" and np.isfinite(r["change"]):
                ax_s.text(1.01, yi, f"{100 * r['change']:+.2f} pp, n={int(r['n']):,}",
                          transform=ax_s.get_yaxis_transform(), va="center", fontsize=7)
            elif r["scenario"] == "all forms":
                ax_s.text(1.01, yi, f"n={int(r['n']):,}", transform=ax_s.get_yaxis_transform(),
                          va="center", fontsize=7)
    _categories(ax_s, scen, 8)
    ax_s.set_xlabel("Satisfied or very satisfied (%, 95 % interval)")
    _title(fig, "quality", "Straight-lined, very fast and incomplete forms, and what they change")
    _note(fig, [("Right: each row is a domain of the full design; the change against all "
                 "forms (pp) has its own interval in the table.")]
          + ([f"Not shown: {', '.join(hidden)}"] if hidden else []))
    return fig


def mode_plot(mode: pd.DataFrame, rates: pd.DataFrame, labels: dict[str, str] | None = None,
              disclosure_threshold: int = 10) -> Figure:
    """Figure 6: satisfaction by channel and respondent type, and the design-based differences.

    Args:
        mode: :func:`satisfaction.instrument.mode_effects`.
        rates: :func:`satisfaction.instrument.group_rates`.
        labels: group code -> display text.
        disclosure_threshold: cells with fewer respondents are not drawn.

    Returns:
        The figure (a :class:`matplotlib.figure.Figure`; nothing is shown).

    Examples:
        >>> from satisfaction import instrument as ins
        >>> from satisfaction.design import DesignSpec
        >>> df = ins.example_survey()
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> fig = mode_plot(
        ...     ins.mode_effects(df, D), ins.group_rates(df, D, ["channel", "respondent_type"]))
        >>> fig.get_suptitle()
        'Figure 6. Does the channel or the respondent type change the answer?'
    """
    set_theme()
    labels = labels or {}
    years = _years(mode)
    colours = _year_colours(years)
    fig = Figure(figsize=(12, 4.6), layout="constrained")
    ax_r, ax_d = fig.subplots(1, 2)
    groups = list(dict.fromkeys(zip(rates["variable"], rates["group"].astype(str))))
    offsets = _dodge(len(years), 0.4)
    hidden: list[str] = []
    for off, year in zip(offsets, years):
        rows = _rows(rates, year).reset_index(drop=True)
        rows = _flags(rows, disclosure_threshold)
        rows["label"] = [f"{year} {g}" for g in rows["group"]]
        y = np.array([groups.index((v, str(g))) for v, g in zip(rows["variable"], rows["group"])],
                     dtype=float) + off
        hidden += _interval_points(ax_r, y, rows, colours[year], str(year))
        for yi, (_, r) in zip(y, rows.iterrows()):
            ax_r.text(1.01, yi, f"n={int(r['n']):,}", transform=ax_r.get_yaxis_transform(),
                      va="center", fontsize=7)
    _categories(ax_r, [labels.get(g, g) for _, g in groups])
    ax_r.set_xlabel("Satisfied or very satisfied (%, 95 % interval)")
    contrasts = list(dict.fromkeys(f"{labels.get(a, a)} − {labels.get(b, b)}"
                                   for a, b in zip(mode["group_a"], mode["group_b"])))
    for off, year in zip(offsets, years):
        rows = _rows(mode, year)
        names = [f"{labels.get(a, a)} − {labels.get(b, b)}"
                 for a, b in zip(rows["group_a"], rows["group_b"])]
        y = np.array([contrasts.index(n) for n in names], dtype=float) + off
        d = 100 * rows["difference"].to_numpy(float)
        err = np.vstack([d - 100 * rows["ci_low"].to_numpy(float),
                         100 * rows["ci_high"].to_numpy(float) - d])
        ax_d.errorbar(d, y, xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o",
                      color=colours[year], capsize=3, label=str(year))
        quantile = ((rows["ci_high"] - rows["difference"]) / rows["se"]).to_numpy(float)
        ind = quantile * 100 * rows["se_independent"].to_numpy(float)
        ax_d.errorbar(d, y + 0.08, xerr=ind, fmt="none", ecolor=colours[year], alpha=0.45,
                      elinewidth=1, capsize=0)
        for yi, (_, r) in zip(y, rows.iterrows()):
            ax_d.text(1.01, yi, f"p={r['p_value']:.3f}", transform=ax_d.get_yaxis_transform(),
                      va="center", fontsize=7)
    ax_d.axvline(0, color="black", linewidth=0.8)
    _categories(ax_d, contrasts)
    ax_d.set_xlabel("Difference (percentage points, 95 % interval)")
    _legend_top(fig, ax_d, "year")
    _title(fig, "mode", "Does the channel or the respondent type change the answer?")
    _note(fig, [("Right: thick bar = interval with the covariance between the groups (one "
                 "design); faint bar = what treating them as independent samples would give.")]
          + ([f"Not shown: {', '.join(hidden)}"] if hidden else []))
    return fig


def precision_plot(precision: pd.DataFrame, domain: str = "level") -> Figure:
    """Figure 7: respondents per level now and needed next year for the target precision.

    Args:
        precision: :func:`satisfaction.instrument.sample_size_for_precision` (one year).
        domain: the domain column (``level``).

    Returns:
        The figure (a :class:`matplotlib.figure.Figure`; nothing is shown).

    Examples:
        >>> from satisfaction import instrument as ins
        >>> from satisfaction.design import DesignSpec
        >>> df = ins.example_survey()
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> fig = precision_plot(ins.sample_size_for_precision(df, D, half_width=0.05))
        >>> fig.get_suptitle()
        'Figure 7. Sample size per level for next year (from 2020)'
    """
    set_theme()
    rows = precision.reset_index(drop=True)
    names = rows[domain].astype(str).tolist()
    fig = Figure(figsize=(8.5, 0.6 * len(names) + 2.0), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(names))
    ax.barh(y - 0.18, rows["n"], height=0.36, color="#4c72b0", label="respondents now")
    ax.barh(y + 0.18, rows["n_required"], height=0.36, color="#dd8452",
            label="needed for the target")
    target = float(rows["target_half_width"].iloc[0]) if len(rows) else float("nan")
    for yi, (_, r) in zip(y, rows.iterrows()):
        ax.text(r["n"], yi - 0.18, f" ±{100 * r['half_width_now']:.1f} pp (deff {r['deff']:.1f})",
                va="center", fontsize=7)
        ax.text(r["n_required"], yi + 0.18, f" {int(r['n_required']):,}", va="center",
                fontsize=7)
    _categories(ax, names)
    ax.set_xlim(0, 1.18 * float(max(rows["n"].max(), rows["n_required"].max())))
    ax.set_xlabel("Respondents")
    ax.legend(fontsize=8, loc="lower right",
              handles=[Patch(color="#4c72b0", label="respondents now"),
                       Patch(color="#dd8452", label=f"needed for ±{100 * target:.1f} pp")])
    year = rows["year"].iloc[0] if "year" in rows.columns and len(rows) else ""
    _title(fig, "precision", f"Sample size per level for next year (from {year})")
    _note(fig, [("Planning rate: the end of this year's interval closest to 50 %; design "
                 "effect as observed this year.")])
    return fig
