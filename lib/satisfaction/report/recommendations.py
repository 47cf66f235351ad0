"""The recommendations of the instrument review, in words: one line per finding, with its figure.

:func:`recommendations` reads the tables of an
:class:`~satisfaction.instrument.InstrumentReview` for its year, keeps what crosses a stated
threshold (:class:`~satisfaction.instrument.InstrumentSettings`: near-constant items, weak
item-rest correlations, unusable answers, ceiling effects, alpha too low or redundant, quality
flags that move the rate by more than its margin of error, mode differences whose interval
excludes zero, respondents needed next year) and writes each as a finding and an action, naming
the figure of notebook 05 that shows it (:data:`satisfaction.plots.instrument.FIGURES`). Every
sentence of the review is written here, so that a second language changes this module only.

Not for: computing any number (:mod:`satisfaction.instrument`) or drawing the figures
(:mod:`satisfaction.plots.instrument`).
"""

from __future__ import annotations

import pandas as pd

from ..instrument import InstrumentReview, InstrumentSettings
from ..plots.instrument import FIGURES
from .formats import percent

__all__ = ["COLUMNS", "recommendations"]

COLUMNS = ("topic", "target", "finding", "action", "figure")
"""Columns of :func:`recommendations`."""

Line = dict[str, str]


def _line(topic: str, target: str, finding: str, action: str, figure: str) -> Line:
    return {"topic": topic, "target": target, "finding": finding, "action": action,
            "figure": FIGURES[figure]}


def _of_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    return table[table["year"] == year]


def _item_lines(review: InstrumentReview, s: InstrumentSettings) -> list[Line]:
    """Near-constant items, items that do not move with their component, unusable answers."""
    lines = []
    near = _of_year(review.near_constant, review.year)
    for r in near[near["near_constant"]].itertuples():
        lines.append(_line("item", r.item,
                           f"{percent(r.modal_share, 1)} of valid answers are {r.mode}",
                           "reword so that it separates good from poor service, or drop it",
                           "distribution"))
    for r in _of_year(review.items, review.year).itertuples():
        deletion = (f"deleting it raises {r.component} alpha from {r.alpha:.2f} to "
                    f"{r.alpha_if_deleted:.2f}")
        if r.item_rest_r < s.item_rest_min:
            gain = f"; {deletion}" if r.alpha_gain >= s.alpha_gain else ""
            lines.append(_line(
                "item", r.item, f"item-rest correlation {r.item_rest_r:.2f} in {r.component} "
                f"(below {s.item_rest_min:.2f}){gain}",
                "reword, move to another component or drop: it does not move with the others",
                "items"))
        elif r.alpha_gain >= s.alpha_gain:
            lines.append(_line("item", r.item, deletion, "candidate to drop", "items"))
    nonresp = _of_year(review.nonresponse, review.year)
    share = nonresp["unusable_share"].astype("Float64").fillna(
        nonresp["missing_share"].astype("Float64"))
    for r, sh in zip(nonresp.itertuples(), share):
        if pd.notna(sh) and sh > s.nonresponse_max:
            lines.append(_line("item", r.item, f"{percent(float(sh), 1)} unusable answers "
                               "(don't know, refused, blank, out of range)",
                               "add a 'not applicable' answer or a filter question",
                               "distribution"))
    return lines


def _scale_lines(review: InstrumentReview, s: InstrumentSettings) -> list[Line]:
    """Ceiling effects of the components, and the overall rate at its ceiling."""
    lines = []
    ceiling = _of_year(review.ceiling, review.year)
    comp = ceiling[(ceiling["scale"] == "component") & (ceiling["estimate"] > s.ceiling_share)]
    if len(comp):
        lines.append(_line(
            "scale", ", ".join(comp["name"]),
            f"{percent(comp['estimate'].min(), 1)} to {percent(comp['estimate'].max(), 1)} of "
            f"respondents at the maximum score (ceiling effect above "
            f"{percent(s.ceiling_share, 1)})",
            "use a wider scale (0-10 or 7 points) or more demanding anchors", "ceiling"))
    overall = ceiling[(ceiling["scale"] == "item") & (ceiling["name"] == "q_overall")]
    for r in overall.itertuples():
        if r.satisfied_share >= s.rate_ceiling:
            lines.append(_line(
                "scale", "q_overall", f"{percent(r.satisfied_share, 1)} satisfied: the binary rate "
                f"is at its ceiling; {percent(r.estimate, 1)} answer 'very satisfied'",
                "report the 'very satisfied' share next to the rate and widen the scale",
                "ceiling"))
    return lines


def _component_lines(review: InstrumentReview, s: InstrumentSettings) -> list[Line]:
    """Components whose alpha is too low, or so high that their items are near-duplicates."""
    lines = []
    for r in _of_year(review.consistency, review.year).itertuples():
        if r.alpha < s.alpha_min:
            lines.append(_line("component", r.component, f"alpha {r.alpha:.2f} (CI {r.ci_low:.2f}-"
                               f"{r.ci_high:.2f}) below {s.alpha_min:.2f}",
                               "review the items: they do not measure one thing", "consistency"))
        elif r.alpha > s.alpha_redundant:
            lines.append(_line("component", r.component,
                               f"alpha {r.alpha:.2f} above {s.alpha_redundant:.2f}",
                               "items are near-duplicates: the component can be shortened",
                               "consistency"))
    return lines


def _quality_lines(review: InstrumentReview) -> list[Line]:
    """Rules that could not be checked, and flagged forms that move the rate (or a summary)."""
    lines = []
    sens = _of_year(review.sensitivity, review.year).set_index("scenario")
    margin = float(sens.loc["all forms", "ci_high"] - sens.loc["all forms", "ci_low"]) / 2
    material = False
    for label, r in sens.drop(index="all forms").iterrows():
        what = str(label).replace("without ", "")
        if not r["checkable"]:
            lines.append(_line("quality", what, "no durations recorded",
                               "record the interview duration on every form", "quality"))
        elif (r["forms_left_out"] and abs(r["change"]) > margin
              and (r["change_low"] > 0 or r["change_high"] < 0)):
            material = True
            lines.append(_line(
                "quality", what, f"leaving {int(r['forms_left_out'])} forms out moves the rate "
                f"by {100 * r['change']:+.2f} pp (CI {100 * r['change_low']:+.2f} to "
                f"{100 * r['change_high']:+.2f}), more than its margin of error "
                f"(+-{100 * margin:.2f} pp)",
                "publish the rate with and without these forms; add an attention check",
                "quality"))
    if not material and "without any flagged" in sens.index:
        q = _of_year(review.quality, review.year).set_index("flag")
        r = sens.loc["without any flagged"]
        flagged, straight = (percent(q.loc[flag, "weighted_share"], 1)
                             for flag in ("flagged", "straightlined"))
        lines.append(_line(
            "quality", "flagged forms", f"{flagged} of forms flagged ({straight} straight-lined); "
            f"leaving them out moves the rate by {100 * r['change']:+.2f} pp, within its margin of "
            f"error (+-{100 * margin:.2f} pp)",
            "no change to the estimate; add one reverse-worded item to tell attentive "
            "'all 5' answers from straight-lining", "quality"))
    return lines


def _mode_lines(review: InstrumentReview) -> list[Line]:
    """Each mode or respondent-type difference: detectable (interval excludes 0) or not."""
    lines = []
    for r in _of_year(review.mode, review.year).itertuples():
        d, lo, hi = (f"{100 * v:+.2f}" for v in (r.difference, r.ci_low, r.ci_high))
        if r.ci_low > 0 or r.ci_high < 0:
            lines.append(_line("mode", f"{r.group_a} vs {r.group_b}",
                               f"difference {d} pp (CI {lo} to {hi})",
                               f"report by {r.variable} and keep its mix stable between years",
                               "mode"))
        else:
            lines.append(_line("mode", f"{r.group_a} vs {r.group_b}",
                               f"no detectable difference ({d} pp, CI {lo} to {hi})",
                               "no change needed", "mode"))
    return lines


def _sample_lines(review: InstrumentReview, s: InstrumentSettings) -> list[Line]:
    """Respondents per level now, and needed next year for the target half-width."""
    return [_line("sample", str(getattr(r, "level", "")),
                  f"{int(r.n)} respondents give +-{100 * r.half_width_now:.2f} pp "
                  f"(deff {r.deff:.2f})",
                  f"{int(r.n_required)} respondents for +-{100 * s.half_width:.1f} pp",
                  "precision")
            for r in _of_year(review.precision, review.year).itertuples()]


def recommendations(review: InstrumentReview) -> pd.DataFrame:
    """A short, data-driven list of changes to the questionnaire and sample for ``review.year``.

    Each line follows from a table of the review by a stated threshold
    (:class:`~satisfaction.instrument.InstrumentSettings`) and names the figure of notebook 05
    that shows it.

    Returns:
        Columns :data:`COLUMNS`: topic, target, finding, action, figure. Ordered: items,
        scale, components, response quality, mode, sample size.

    Examples:
        >>> from satisfaction.design import DesignSpec
        >>> from satisfaction.instrument import example_survey, review_instrument
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> review = review_instrument(example_survey(), D, 2020)
        >>> recommendations(review)[["topic", "target", "figure"]].head(4)
             topic                                           target    figure
        0    scale  access, procedures, officers, results, feedback  Figure 2
        1  quality                                    flagged forms  Figure 5
        2     mode                              online vs in_person  Figure 6
        3     mode                          organisation vs citizen  Figure 6
    """
    s = review.settings
    rows = [*_item_lines(review, s), *_scale_lines(review, s), *_component_lines(review, s),
            *_quality_lines(review), *_mode_lines(review), *_sample_lines(review, s)]
    return pd.DataFrame(rows, columns=list(COLUMNS))
