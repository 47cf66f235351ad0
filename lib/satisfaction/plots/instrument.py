"""Figures of the questionnaire review (page 05_instrument): one function per figure.

Each function takes a table from :mod:`satisfaction.instrument` and returns a
:class:`matplotlib.figure.Figure` (built without pyplot, so a notebook shows it once), titled
with its number from :data:`FIGURES` ("Figure 3." / "Hình 3.") so that every recommendation
(:mod:`satisfaction.report.recommendations`) can point at it. Every word is drawn in the page's
language (``lang``): the item, component, group and scenario names come from the caller (the
report layer takes them from the year's codebook, :mod:`satisfaction.report.instrument`), as
:data:`satisfaction.report.tables.Labels`, the same words as the page's tables. Proportions are
drawn with their interval and their ``n``; a cell the NCHS standard flags is hollow and a
suppressed one is left out and named in a note (:func:`satisfaction.reliability.with_flags`).
Years are told apart by colour. No text under 9 points; legends sit under the axes, never over
the data or the title; a value axis that does not start at 0 says so
(:func:`satisfaction.plots.axis_label`). Text from the data is drawn literally
(:func:`satisfaction.plots.labels.literal`).

Not for: computing anything (see :mod:`satisfaction.instrument`), wording (the report layer) or
the headline estimate figures (see :mod:`satisfaction.plots.estimates`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..i18n import Language, Message, Renderable, _, render
from ..instrument import ANSWERS
from ..reliability import with_flags
from ..report.formats import Count, Decimal, Percent, Points, PValue, count, decimal
from ..report.tables import Labels, label_map
from . import SMALL_FONT_PT, axis_label, set_theme
from .labels import drawn, literal

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

FIGURES: Final[dict[str, int]] = {
    "distribution": 1,
    "ceiling": 2,
    "consistency": 3,
    "items": 4,
    "quality": 5,
    "groups": 6,
    "precision": 7,
}
"""The number of each figure of page 05_instrument (its title starts with "Figure N.")."""

_WIDTH: Final = 10.0
"""Inches: a page shows a figure at its own size (100 pixels an inch) up to about 10.6 inches;
wider, it is shrunk and its 9-point text with it. A figure with labels beside its axes (n,
p-values) is narrower by their width (:data:`_NARROW`)."""
_NARROW: Final = 8.6
_WRAP: Final = 40
_CHAR_PX: Final = 7.2
"""The width of a character of 9.5-point text, in pixels (on average, generously)."""
_TITLE_CHAR_PX: Final = 10.0
"""The same for the 12-point bold title."""
"""Characters of a category label per line (long item wordings wrap)."""
_GREY: Final = "#57606a"
_FLAGGED: Final = "sat-flagged"
_LINE: Final = "#cf222e"
_ANSWER_COLOURS: Final = ("#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac", "#ffffff")
_UNUSABLE: Final = _("unusable (don't know, refused, blank, out of range)")
_SUPPRESSED_NOTE: Final = _("Not shown (too few respondents or unreliable): {cells}.")
_INTERVALS_NOTE: Final = _("Bars: {level} confidence intervals (Korn-Graubard).")


def _name(labels: Labels | None, code: Any, lang: Language) -> str:
    """A code's label in ``lang`` (the code itself when it has none), drawn literally."""
    return literal(label_map(labels, lang).get(code, code))


def _years(table: pd.DataFrame) -> list[Any]:
    return sorted(table["year"].unique().tolist()) if "year" in table.columns else [None]


def _year_text(year: Any) -> str:
    return "" if year is None else str(year)


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


def _interval_points(ax: Axes, pos: np.ndarray, table: pd.DataFrame, colour: Any,
                     label: str | None, scale: float = 100.0) -> list[str]:
    """Points with intervals (horizontal); hollow when flagged; suppressed cells skipped and
    their ``label`` returned."""
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
        drawn = ax.errorbar(est[mask], pos[mask], xerr=err[:, mask], fmt="o", color=colour,
                            ecolor=colour, elinewidth=1.5, capsize=2.5, markersize=5,
                            markerfacecolor=face, markeredgecolor=colour,
                            label=label if first else None, clip_on=False)
        if face == "white":
            drawn.lines[0].set_gid(_FLAGGED)  # the legend explains hollow points when drawn
        first = False
    names = table.get("label", pd.Series([""] * len(table)))
    return [str(n) for n in np.asarray(names)[suppressed]]


def _categories(ax: Axes, names: Sequence[str]) -> None:
    """Categorical y axis, first name on top, no horizontal grid through dodged points."""
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([textwrap.fill(n, _WRAP) for n in names], fontsize=SMALL_FONT_PT)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)


def _columns(labels: Sequence[str], width_px: float, most: int) -> int:
    """How many legend columns fit in ``width_px`` (entries fill the columns top to bottom)."""
    for n in range(max(min(most, len(labels)), 1), 1, -1):
        rows = -(-len(labels) // n)
        widths = [max(len(x) for x in labels[i * rows:(i + 1) * rows]) * _CHAR_PX + 60
                  for i in range(n) if labels[i * rows:(i + 1) * rows]]
        if sum(widths) <= width_px:
            return n
    return 1


def _legend(fig: Figure, handles: list[Any], lang: Language, ncols: int = 4,
            notes: Sequence[Renderable | str | None] = ()) -> None:
    """The legend under the axes, outside them (never over the data or a title), with the
    figure's notes written above its entries; as many columns as the figure's width holds."""
    handles = [h for h in handles if h is not None]
    width = fig.get_figwidth() * fig.dpi
    texts = [textwrap.fill(drawn(x, lang), int(width / _CHAR_PX))
             for x in notes if x is not None and render(x, lang)]
    if handles or texts:
        labels = [h.get_label() for h in handles]
        fig.legend(handles=handles, loc="outside lower left",
                   ncols=_columns(labels, width, ncols) if labels else 1,
                   fontsize=SMALL_FONT_PT, frameon=False, title="\n".join(texts) or None,
                   title_fontsize=SMALL_FONT_PT, alignment="left")


def _hidden_note(hidden: list[str]) -> Message | None:
    return _SUPPRESSED_NOTE.format(cells=", ".join(hidden)) if hidden else None


def _title(fig: Figure, key: str, text: Renderable | str, lang: Language) -> None:
    number = _("Figure {n}").format(n=str(FIGURES[key]))
    title = textwrap.fill(f"{render(number, lang)}. {render(text, lang)}",
                          int(fig.get_figwidth() * fig.dpi / _TITLE_CHAR_PX))
    fig.suptitle(literal(title), x=0.01, ha="left", fontsize=12, fontweight="bold")


def _line_handle(colour: str, label: Renderable | str, lang: Language,
                 style: str = "--") -> Line2D:
    return Line2D([], [], color=colour, linestyle=style, linewidth=1.2, label=drawn(label, lang))


def _hollow_handle(fig: Figure, lang: Language) -> Line2D | None:
    """The legend entry of the hollow (flagged) points, when the figure has any."""
    if not any(line.get_gid() == _FLAGGED for ax in fig.axes for line in ax.lines):
        return None
    return Line2D([], [], marker="o", color=_GREY, markerfacecolor="white", linestyle="none",
                  label=render(_("hollow: flagged, interpret with caution"), lang))


def _year_handles(years: list[Any], colours: dict[Any, Any], marker: bool = True) -> list[Any]:
    if years == [None]:
        return []
    if marker:
        return [Line2D([], [], marker="o", color=colours[y], linestyle="none", label=str(y))
                for y in years]
    return [Patch(color=colours[y], label=str(y)) for y in years]


def _rate_axis(ax: Axes, label: Renderable, lang: Language, values: Sequence[float]) -> None:
    """A rate axis (per cent) around ``values``, saying where it starts when not at 0."""
    finite = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    lo = float(np.floor(finite.min() - 1.0)) if finite.size else 0.0
    hi = float(np.ceil(finite.max() + 1.0)) if finite.size else 100.0
    lo, hi = max(lo, 0.0), min(hi, 100.0)
    ax.set_xlim(lo, hi)
    ax.set_xlabel(axis_label(render(label, lang), lo, lang=lang))


# ---------------------------------------------------------------------------------------------
def item_distribution_plot(distribution: pd.DataFrame, *, labels: Labels | None = None,
                           answer_labels: Labels | None = None,
                           nonresponse: pd.DataFrame | None = None,
                           lang: Language = "en") -> Figure:
    """Figure 1: the answers to every item (weighted shares of all forms), one panel per year.

    Args:
        distribution: :func:`satisfaction.instrument.item_distribution`.
        labels: item code -> its name (the codebook's wording, in ``lang``).
        answer_labels: answer code ("1".."5") -> its name (the codebook's scale labels).
        nonresponse: :func:`satisfaction.instrument.item_nonresponse`; its unusable share
            (don't know, refused, blank, out of range) is written at the end of each bar.
        lang: the language of every word on the figure.

    Returns:
        The figure.

    Examples:
        >>> from satisfaction import instrument as ins
        >>> df = ins.example_survey()
        >>> fig = item_distribution_plot(ins.item_distribution(df, ["a1", "f2"]), lang="vi")
        >>> fig.get_suptitle()
        'Hình 1. Câu trả lời cho từng câu hỏi'
    """
    set_theme()
    years = _years(distribution)
    items = list(dict.fromkeys(distribution["item"]))
    names = [_name(labels, i, lang) for i in items]
    lines = sum(len(textwrap.wrap(n, _WRAP)) for n in names)
    fig = Figure(figsize=(_WIDTH, 0.2 * lines + 0.2 * len(items) + 2.8), layout="constrained")
    axes = fig.subplots(1, len(years), sharey=True, squeeze=False)[0]
    ypos = np.arange(len(items))
    answer_names = label_map(answer_labels, lang)
    for ax, year in zip(axes, years):
        part = _rows(distribution, year)
        grid = part.pivot_table(index="item", columns="answer", values="weighted_share",
                                observed=False, aggfunc="sum").reindex(index=items,
                                                                       columns=list(ANSWERS))
        n_forms = int(part[part["item"] == part["item"].iloc[0]]["n"].sum()) if len(part) else 0
        asked = set(part.loc[part["n"] > 0, "item"])
        left = np.zeros(len(items))
        for j, answer in enumerate(ANSWERS):
            width_ = grid[answer].fillna(0).to_numpy() * 100
            name = (render(_UNUSABLE, lang) if answer == "missing"
                    else literal(f"{answer} {answer_names.get(answer, '')}".strip()))
            ax.barh(ypos, width_, left=left, color=_ANSWER_COLOURS[j],
                    edgecolor=_GREY if answer == "missing" else "white", linewidth=0.5,
                    label=name, hatch="//" if answer == "missing" else None)
            left += width_
        if nonresponse is not None:
            nr = _rows(nonresponse, year).set_index("item")
            share = nr["unusable_share"].astype("Float64").fillna(
                nr["missing_share"].astype("Float64"))
            for yi, item in zip(ypos, items):
                if item in share.index and pd.notna(share[item]):
                    ax.text(101, yi, f"{decimal(100 * float(share[item]), 2, lang)} %",
                            va="center", fontsize=SMALL_FONT_PT, color=_GREY)
        for yi, item in zip(ypos, items):
            if item not in asked:
                ax.text(1, yi, render(_("not asked this year"), lang), va="center",
                        fontsize=SMALL_FONT_PT, color=_GREY, style="italic")
        ax.set_xlim(0, 114 if nonresponse is not None else 100)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.set_title(render(_("{year} ({n} forms)").format(year=_year_text(year),
                                                          n=Count(n_forms)), lang).strip(),
                     fontsize=SMALL_FONT_PT + 1)
        ax.set_xlabel(render(_("Share of forms, weighted (%)"), lang))
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(ypos)
    axes[0].set_yticklabels([textwrap.fill(n, _WRAP) for n in names], fontsize=SMALL_FONT_PT)
    axes[0].invert_yaxis()
    _legend(fig, axes[0].get_legend_handles_labels()[0], lang, ncols=3)
    _title(fig, "distribution", _("Answers to each item") if nonresponse is None else
           _("Answers to each item (at the end of each bar: the share unusable)"), lang)
    return fig


def ceiling_plot(ceiling: pd.DataFrame, ceiling_share: float = 0.15,
                 disclosure_threshold: int = 10, *, labels: Labels | None = None,
                 level: float = 0.95, lang: Language = "en") -> Figure:
    """Figure 2: share at the top of the scale, per item and per component, with intervals.

    Args:
        ceiling: :func:`satisfaction.instrument.ceiling_effects`.
        ceiling_share: the component ceiling criterion, drawn as a line (Terwee et al. 2007).
        disclosure_threshold: cells with fewer respondents are not drawn.
        labels: item and component code -> name, in ``lang``.
        level: the confidence level of the intervals (for the note).
        lang: the language of every word on the figure.

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
    n_comps = max(ceiling.loc[ceiling["scale"] == "component", "name"].nunique(), 1)
    per_row = 0.15 + 0.15 * len(years)
    fig = Figure(figsize=(_WIDTH, per_row * (n_items + n_comps) + 3.8), layout="constrained")
    ax_item, ax_comp = fig.subplots(2, 1, height_ratios=[n_items, n_comps])
    hidden: list[str] = []
    for ax, scale in ((ax_item, "item"), (ax_comp, "component")):
        part = ceiling[ceiling["scale"] == scale]
        codes = list(dict.fromkeys(part["name"]))
        pos = {n: i for i, n in enumerate(codes)}
        for off, year in zip(_dodge(len(years), 0.36), years):
            rows = _flags(_rows(part, year), disclosure_threshold)
            rows["label"] = [f"{_year_text(year)} {_name(labels, n, lang)}".strip()
                             for n in rows["name"]]
            y = rows["name"].map(pos).to_numpy(float) + off
            hidden += _interval_points(ax, y, rows, colours[year], None)
            for yi, (_i, r) in zip(y, rows.iterrows()):
                if not r["suppressed"]:
                    ax.text(101, yi, render(_("n = {n}").format(n=Count(r["n"])), lang),
                            va="center", fontsize=SMALL_FONT_PT, color=_GREY)
        _categories(ax, [_name(labels, c, lang) for c in codes])
        ax.set_xlim(0, 122)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax_item.set_xlabel(render(_("Answering 5, very satisfied (% of valid answers)"), lang))
    ax_item.set_title(render(_("Items"), lang), fontsize=SMALL_FONT_PT + 1)
    ax_comp.axvline(100 * ceiling_share, color=_LINE, linestyle="--", linewidth=1.2)
    ax_comp.set_xlabel(render(_("Every item of the component at 5 (% of respondents)"), lang))
    ax_comp.set_title(render(_("Components (the maximum score)"), lang),
                      fontsize=SMALL_FONT_PT + 1)
    threshold = _("ceiling effect above {share} of respondents").format(
        share=Percent(ceiling_share, 0))
    _legend(fig, [*_year_handles(years, colours), _hollow_handle(fig, lang),
                  _line_handle(_LINE, threshold, lang)], lang, ncols=4,
            notes=[_INTERVALS_NOTE.format(level=Percent(level, 0)), _hidden_note(hidden)])
    _title(fig, "ceiling", _("How much of the scale is used: the share at its top"), lang)
    return fig


def consistency_plot(consistency: pd.DataFrame, alpha_min: float = 0.70, *,
                     labels: Labels | None = None, level: float = 0.95,
                     lang: Language = "en") -> Figure:
    """Figure 3: Cronbach's alpha per component: weighted (design jackknife) and unweighted (Feldt).

    Args:
        consistency: :func:`satisfaction.instrument.internal_consistency`.
        alpha_min: the conventional minimum, drawn as a line.
        labels: component code -> name, in ``lang``.
        level: the confidence level of the intervals (for the axis label).
        lang: the language of every word on the figure.

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
    fig = Figure(figsize=(_NARROW, 0.62 * len(comps) + 2.8), layout="constrained")
    ax = fig.add_subplot()
    offsets = _dodge(2 * len(years), 0.6)
    i = 0
    values: list[float] = [alpha_min]
    for year in years:
        rows = _rows(consistency, year)
        y = rows["component"].map({c: j for j, c in enumerate(comps)}).to_numpy(float)
        for est, lo, hi, face in (("alpha", "ci_low", "ci_high", colours[year]),
                                  ("alpha_unweighted", "feldt_low", "feldt_high", "white")):
            x = rows[est].to_numpy(float)
            err = np.vstack([x - rows[lo].to_numpy(float), rows[hi].to_numpy(float) - x])
            ax.errorbar(x, y + offsets[i], xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o",
                        color=colours[year], markerfacecolor=face, capsize=2.5, clip_on=False)
            values += [*rows[lo].to_numpy(float), *rows[hi].to_numpy(float)]
            i += 1
        if year == years[-1]:
            for yi, (_i, r) in zip(y, rows.iterrows()):
                text = _("{k} items, n = {n}").format(k=str(int(r["k"])), n=Count(r["n"]))
                ax.annotate(render(text, lang), (1.0, yi), xycoords=("axes fraction", "data"),
                            xytext=(6, 0), textcoords="offset points", va="center",
                            fontsize=SMALL_FONT_PT, color=_GREY, annotation_clip=False)
    ax.axvline(alpha_min, color=_LINE, linestyle="--", linewidth=1.2)
    _categories(ax, [_name(labels, c, lang) for c in comps])
    finite = np.asarray([v for v in values if np.isfinite(v)])
    lo = max(0.0, np.floor(finite.min() * 10 - 1) / 10) if finite.size else 0.0
    ax.set_xlim(lo, 1.0)
    ax.set_xlabel(axis_label(render(_("Cronbach's alpha ({level} interval)").format(
        level=Percent(level, 0)), lang), lo, lang=lang))
    handles = [*_year_handles(years, colours),
               Line2D([], [], marker="o", color=_GREY, linestyle="none",
                      label=render(_("filled: weighted, interval by jackknife over offices"),
                                   lang)),
               Line2D([], [], marker="o", color=_GREY, markerfacecolor="white", linestyle="none",
                      label=render(_("hollow: unweighted, Feldt's interval (independent "
                                     "respondents)"), lang)),
               _line_handle(_LINE, _("usual minimum {alpha}").format(alpha=Decimal(alpha_min)),
                            lang)]
    _legend(fig, handles, lang, ncols=2)
    _title(fig, "consistency", _("Do the items of each component measure one thing?"), lang)
    return fig


def item_statistics_plot(items: pd.DataFrame, item_rest_min: float = 0.30,
                         alpha_gain: float = 0.02, *, labels: Labels | None = None,
                         lang: Language = "en") -> Figure:
    """Figure 4: item-rest correlation and the change in alpha if each item is deleted.

    Args:
        items: :func:`satisfaction.instrument.item_statistics`.
        item_rest_min: weak item-rest correlation line.
        alpha_gain: the gain in alpha that makes an item a drop candidate.
        labels: item code -> name, in ``lang``.
        lang: the language of every word on the figure.

    Returns:
        The figure (a :class:`matplotlib.figure.Figure`; nothing is shown).

    Examples:
        >>> from satisfaction import instrument as ins
        >>> df = ins.example_survey()
        >>> fig = item_statistics_plot(ins.item_statistics(df, {"access": ["a1", "a2", "a3"]}))
        >>> fig.get_suptitle()
        'Figure 4. Does each item move with the rest of its component?'
    """
    from matplotlib.ticker import MaxNLocator

    set_theme()
    years = _years(items)
    colours = _year_colours(years)
    codes = list(dict.fromkeys(items["item"]))
    fig = Figure(figsize=(_WIDTH, 0.36 * len(codes) + 2.8), layout="constrained")
    ax_r, ax_g = fig.subplots(1, 2, sharey=True)
    height = 0.8 / len(years)
    for j, year in enumerate(years):
        rows = _rows(items, year).set_index("item").reindex(codes)
        y = np.arange(len(codes)) + (j - (len(years) - 1) / 2) * height
        ax_r.barh(y, rows["item_rest_r"], height=height, color=colours[year])
        ax_g.barh(y, rows["alpha_gain"], height=height, color=colours[year])
    ax_r.axvline(item_rest_min, color=_LINE, linestyle="--", linewidth=1.2)
    ax_g.axvline(alpha_gain, color="#9a3412", linestyle=":", linewidth=1.5)
    ax_g.axvline(0, color="black", linewidth=0.8)
    _categories(ax_r, [_name(labels, c, lang) for c in codes])
    ax_r.set_xlabel(textwrap.fill(render(_("Item-rest correlation (weighted)"), lang), _WRAP))
    ax_g.set_xlabel(textwrap.fill(render(_("Alpha if the item is deleted, minus alpha"), lang),
                                  _WRAP))
    ax_g.xaxis.set_major_locator(MaxNLocator(5))
    handles = [*_year_handles(years, colours, marker=False),
               _line_handle(_LINE, _("item-rest correlation {r}: weak below").format(
                   r=Decimal(item_rest_min)), lang),
               _line_handle("#9a3412", _("alpha gain {gain}: a candidate to drop above").format(
                   gain=Decimal(alpha_gain)), lang, style=":")]
    _legend(fig, handles, lang, ncols=4)
    _title(fig, "items", _("Does each item move with the rest of its component?"), lang)
    return fig


def _quality_counts(ax: Axes, quality: pd.DataFrame, years: list[Any],
                    colours: dict[Any, Any], labels: Labels | None, lang: Language) -> None:
    """The left panel of Figure 5: the weighted share of forms each rule flags, with counts."""
    flags = list(dict.fromkeys(quality["flag"]))
    height = 0.8 / len(years)
    peak = 0.0
    for j, year in enumerate(years):
        rows = _rows(quality, year).set_index("flag").reindex(flags)
        y = np.arange(len(flags)) + (j - (len(years) - 1) / 2) * height
        share = 100 * rows["weighted_share"].to_numpy(float)
        checkable = rows["n_checkable"].to_numpy(float) > 0
        ax.barh(y, np.where(checkable, share, 0.0), height=height, color=colours[year])
        peak = max(peak, float(np.nanmax(np.where(checkable, share, 0.0))))
        for yi, n, ok, s in zip(y, rows["n_flagged"], checkable, share):
            text = count(n, lang) if ok else render(_("not checked: no durations"), lang)
            ax.text((s if ok else 0) + 0.1, yi, text, va="center", fontsize=SMALL_FONT_PT,
                    color="black" if ok else _GREY)
    _categories(ax, [_name(labels, f, lang) for f in flags])
    ax.set_xlim(0, max(peak, 1.0) * 1.45)
    ax.set_xlabel(render(_("Forms flagged, weighted (%)"), lang))


def quality_plot(quality: pd.DataFrame, sensitivity: pd.DataFrame,
                 disclosure_threshold: int = 10, *, labels: Labels | None = None,
                 scenario_labels: Labels | None = None, level: float = 0.95,
                 lang: Language = "en") -> Figure:
    """Figure 5: flagged forms (left) and the satisfaction rate with and without them (right).

    Args:
        quality: :func:`satisfaction.instrument.quality_summary`.
        sensitivity: :func:`satisfaction.instrument.quality_sensitivity`.
        disclosure_threshold: cells with fewer respondents are not drawn.
        labels: flag code (``straightlined``...) -> name, in ``lang``.
        scenario_labels: scenario code (``all``, ``straightlined``...) -> name, in ``lang``.
        level: the confidence level of the intervals (for the axis label).
        lang: the language of every word on the figure.

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
    n_flags = max(quality["flag"].nunique(), 1)
    n_scen = max(sensitivity["scenario"].nunique(), 1)
    per_row = 0.2 + 0.25 * len(years)
    fig = Figure(figsize=(_NARROW, per_row * (n_flags + n_scen) + 3.6), layout="constrained")
    ax_q, ax_s = fig.subplots(2, 1, height_ratios=[n_flags, n_scen])
    _quality_counts(ax_q, quality, years, colours, labels, lang)
    scen = list(dict.fromkeys(sensitivity["scenario"]))
    hidden: list[str] = []
    values: list[float] = []
    for off, year in zip(_dodge(len(years), 0.4), years):
        rows = _rows(sensitivity, year).reset_index(drop=True)
        rows = _flags(rows[rows["checkable"].to_numpy(bool)], disclosure_threshold)
        rows["label"] = [f"{_year_text(year)} {_name(scenario_labels, s, lang)}".strip()
                         for s in rows["scenario"]]
        y = rows["scenario"].map({s: i for i, s in enumerate(scen)}).to_numpy(float) + off
        hidden += _interval_points(ax_s, y, rows, colours[year], None)
        values += [*(100 * rows["ci_low"]).tolist(), *(100 * rows["ci_high"]).tolist()]
        for yi, (_i, r) in zip(y, rows.iterrows()):
            if r["scenario"] != "all" and np.isfinite(r["change"]):
                text = _("{change}, n = {n}").format(change=Points(r["change"]), n=Count(r["n"]))
            else:
                text = _("n = {n}").format(n=Count(r["n"]))
            ax_s.annotate(render(text, lang), (1.0, yi), xycoords=("axes fraction", "data"),
                          xytext=(6, 0), textcoords="offset points", va="center",
                          fontsize=SMALL_FONT_PT, annotation_clip=False)
    _categories(ax_s, [_name(scenario_labels, s, lang) for s in scen])
    _rate_axis(ax_s, _("Satisfied or very satisfied (%, {level} interval)").format(
        level=Percent(level, 0)), lang, values)
    _legend(fig, [*_year_handles(years, colours), _hollow_handle(fig, lang)], lang, ncols=4,
            notes=[_("Below: each row is a domain of the full design; the change against all "
                     "forms (in points) has its own interval in the table."),
                   _hidden_note(hidden)])
    _title(fig, "quality", _("Straight-lined, very fast and incomplete forms, and what they "
                             "change"), lang)
    return fig


def _contrast_names(contrasts: pd.DataFrame, labels: Labels | None, lang: Language) -> list[str]:
    """"Channel: Online − In person" (the characteristic, then the two groups)."""
    return [f"{_name(labels, v, lang)}: {_name(labels, a, lang)} − {_name(labels, b, lang)}"
            for v, a, b in zip(contrasts["variable"], contrasts["group_a"], contrasts["group_b"])]


def mode_plot(contrasts: pd.DataFrame, rates: pd.DataFrame, labels: Labels | None = None,
              disclosure_threshold: int = 10, *, level: float = 0.95,
              lang: Language = "en") -> Figure:
    """Figure 6: satisfaction by channel and by respondent type, and the differences.

    Two descriptive comparisons (:mod:`satisfaction.instrument.groups`): the rates of the
    groups (left) and the design-based difference of each pair with its interval (right; the
    faint bar is what treating the groups as independent samples would give). The function's
    name is historical: neither comparison is a mode effect.

    Args:
        contrasts: :func:`satisfaction.instrument.group_contrasts`.
        rates: :func:`satisfaction.instrument.group_rates`.
        labels: group code (``online``, ``citizen``...) and characteristic (``channel``,
            ``respondent_type``) -> name, in ``lang``.
        disclosure_threshold: cells with fewer respondents are not drawn.
        level: the confidence level of the intervals (for the axis labels).
        lang: the language of every word on the figure.

    Returns:
        The figure (a :class:`matplotlib.figure.Figure`; nothing is shown).

    Examples:
        >>> from satisfaction import instrument as ins
        >>> from satisfaction.design import DesignSpec
        >>> df = ins.example_survey()
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> fig = mode_plot(
        ...     ins.group_contrasts(df, D), ins.group_rates(df, D, ["channel", "respondent_type"]))
        >>> fig.get_suptitle()
        'Figure 6. Satisfaction by channel and by respondent type: descriptive differences'
    """
    set_theme()
    years = _years(contrasts)
    colours = _year_colours(years)
    groups = list(dict.fromkeys(zip(rates["variable"], rates["group"].astype(str))))
    n_pairs = max(len(contrasts[["group_a", "group_b"]].drop_duplicates()), 1)
    per_row = 0.2 + 0.25 * len(years)
    fig = Figure(figsize=(_NARROW, per_row * (len(groups) + n_pairs) + 3.6), layout="constrained")
    ax_r, ax_d = fig.subplots(2, 1, height_ratios=[len(groups), n_pairs])
    offsets = _dodge(len(years), 0.4)
    hidden: list[str] = []
    values: list[float] = []
    for off, year in zip(offsets, years):
        rows = _flags(_rows(rates, year).reset_index(drop=True), disclosure_threshold)
        rows["label"] = [f"{_year_text(year)} {_name(labels, g, lang)}".strip()
                         for g in rows["group"]]
        y = np.array([groups.index((v, str(g))) for v, g in zip(rows["variable"], rows["group"])],
                     dtype=float) + off
        hidden += _interval_points(ax_r, y, rows, colours[year], None)
        values += [*(100 * rows["ci_low"]).tolist(), *(100 * rows["ci_high"]).tolist()]
        for yi, (_i, r) in zip(y, rows.iterrows()):
            if not r["suppressed"]:
                ax_r.annotate(render(_("n = {n}").format(n=Count(r["n"])), lang), (1.0, yi),
                              xycoords=("axes fraction", "data"), xytext=(6, 0),
                              textcoords="offset points", va="center", fontsize=SMALL_FONT_PT,
                              color=_GREY, annotation_clip=False)
    _categories(ax_r, [f"{_name(labels, v, lang)}: {_name(labels, g, lang)}" for v, g in groups])
    _rate_axis(ax_r, _("Satisfied or very satisfied (%, {level} interval)").format(
        level=Percent(level, 0)), lang, values)
    names = list(dict.fromkeys(_contrast_names(contrasts, labels, lang)))
    for off, year in zip(offsets, years):
        rows = _rows(contrasts, year)
        y = np.array([names.index(n) for n in _contrast_names(rows, labels, lang)],
                     dtype=float) + off
        d = 100 * rows["difference"].to_numpy(float)
        err = np.vstack([d - 100 * rows["ci_low"].to_numpy(float),
                         100 * rows["ci_high"].to_numpy(float) - d])
        ax_d.errorbar(d, y, xerr=np.clip(np.nan_to_num(err), 0, None), fmt="o",
                      color=colours[year], capsize=3)
        quantile = ((rows["ci_high"] - rows["difference"]) / rows["se"]).to_numpy(float)
        ind = quantile * 100 * rows["se_independent"].to_numpy(float)
        ax_d.errorbar(d, y + 0.08, xerr=np.nan_to_num(ind), fmt="none", ecolor=colours[year],
                      alpha=0.45, elinewidth=1, capsize=0)
        for yi, (_i, r) in zip(y, rows.iterrows()):
            ax_d.annotate(render(_("p = {p}").format(p=PValue(r["p_value"])), lang), (1.0, yi),
                          xycoords=("axes fraction", "data"), xytext=(6, 0),
                          textcoords="offset points", va="center", fontsize=SMALL_FONT_PT,
                          annotation_clip=False)
    ax_d.axvline(0, color="black", linewidth=0.8)
    _categories(ax_d, names)
    ax_d.set_xlabel(render(_("Difference (points, {level} interval)").format(
        level=Percent(level, 0)), lang))
    _legend(fig, [*_year_handles(years, colours), _hollow_handle(fig, lang)], lang, ncols=4,
            notes=[_("Below: thick bar = interval with the covariance between the groups (one "
                     "design); faint bar = what treating them as independent samples would "
                     "give."), _hidden_note(hidden)])
    _title(fig, "groups", _("Satisfaction by channel and by respondent type: descriptive "
                            "differences"), lang)
    return fig


def precision_plot(precision: pd.DataFrame, domain: str = "level", *,
                   labels: Labels | None = None, lang: Language = "en") -> Figure:
    """Figure 7: respondents per level now, and needed next year for the target interval.

    Args:
        precision: :func:`satisfaction.instrument.sample_size_for_precision` (one year).
        domain: the domain column (``level``).
        labels: level code -> name, in ``lang``.
        lang: the language of every word on the figure.

    Returns:
        The figure (a :class:`matplotlib.figure.Figure`; nothing is shown).

    Examples:
        >>> from satisfaction import instrument as ins
        >>> from satisfaction.design import DesignSpec
        >>> df = ins.example_survey()
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> fig = precision_plot(ins.sample_size_for_precision(df, D, half_width=0.05))
        >>> fig.get_suptitle().replace("\\n", " ")  # wrapped to the figure's width
        "Figure 7. Respondents per level: now, and needed next year for a ±5-point interval on the level's rate"
    """
    from matplotlib.ticker import FuncFormatter

    set_theme()
    rows = _in_label_order(precision.reset_index(drop=True), domain, labels, lang)
    codes = rows[domain].astype(str).tolist()
    fig = Figure(figsize=(_WIDTH, 0.7 * len(codes) + 2.6), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(codes))
    now, needed = "#4c72b0", "#dd8452"
    ax.barh(y - 0.18, rows["n"], height=0.36, color=now)
    ax.barh(y + 0.18, rows["n_required"], height=0.36, color=needed)
    target = float(rows["target_half_width"].iloc[0]) if len(rows) else float("nan")
    for yi, (_i, r) in zip(y, rows.iterrows()):
        text = _(" {n}: ±{half} now (design effect {deff})").format(
            n=Count(r["n"]), half=Points(r["half_width_now"]).render(lang).lstrip("+"),
            deff=Decimal(r["deff"]))
        ax.text(r["n"], yi - 0.18, render(text, lang), va="center", fontsize=SMALL_FONT_PT)
        ax.text(r["n_required"], yi + 0.18, " " + count(r["n_required"], lang), va="center",
                fontsize=SMALL_FONT_PT)
    _categories(ax, [_name(labels, c, lang) for c in codes])
    peak = float(max(rows["n"].max(), rows["n_required"].max())) if len(rows) else 1.0
    ax.set_xlim(0, 1.45 * peak)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: count(x, lang)))
    ax.set_xlabel(render(_("Respondents"), lang))
    half = _half_width(target)
    _legend(fig, [Patch(color=now, label=render(_("respondents now"), lang)),
                  Patch(color=needed, label=render(_(
                      "respondents needed for a ±{half}-point interval on the level's rate")
                      .format(half=half), lang))], lang, ncols=2,
            notes=[_("Planning rate: the end of this year's interval closest to 50 %; design "
                     "effect as observed this year.")])
    _title(fig, "precision", _("Respondents per level: now, and needed next year for a "
                               "±{half}-point interval on the level's rate").format(half=half),
           lang)
    return fig


def _in_label_order(table: pd.DataFrame, column: str, labels: Labels | None,
                    lang: Language) -> pd.DataFrame:
    """The rows in the order of the labels (the codebook's order), unlabelled codes last."""
    order = {code: i for i, code in enumerate(label_map(labels, lang))}
    rank = table[column].astype(str).map(lambda c: order.get(c, len(order)))
    return table.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)


def _half_width(target: float) -> Decimal:
    """A target half-width (proportion scale) in points: 0.02 -> 2, 0.015 -> 1.50."""
    points = round(100 * float(target), 9)
    return Decimal(points, 0 if points.is_integer() else 2)
