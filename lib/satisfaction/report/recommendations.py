"""The recommendations of the questionnaire review, in words: each with its finding and its figure.

:func:`recommendations` reads the tables of an
:class:`~satisfaction.instrument.InstrumentReview` for its year and keeps what crosses a stated
threshold (:class:`~satisfaction.instrument.InstrumentSettings`), each as a
:class:`Recommendation`: what it concerns, the finding, the action, and the figure of page
05_instrument that shows it (:data:`satisfaction.plots.instrument.FIGURES`).
:func:`recommendations_table` is the page's table of them, in every language.

A recommendation follows only from a test that supports it:

* a threshold is applied to an interval wherever the statistic has one: a component's alpha is
  too low when its whole interval lies below the minimum (redundant when it lies above the
  redundancy threshold), a component has a ceiling effect when its whole interval lies above
  the ceiling share;
* leaving flagged forms out changes the published rate when the interval of the change excludes
  zero and the change is larger than the rate's margin of error; the rate needs no change when
  the whole interval of the change lies within that margin (an equivalence test); between the
  two, nothing is recommended about the rate;
* the channel and the respondent type are descriptive comparisons: when the interval of a
  difference excludes zero, the rate depends on the mix of the groups, so the rate by group and
  the mix are to be published beside it; when it does not, nothing is recommended (a descriptive
  comparison within sampling error shows neither that the groups answer alike nor that nothing
  needs to change);
* item-level conventions with no interval (a near-constant item, a weak item-rest correlation,
  unusable answers) are applied to the estimate, as their sources define them.

Every word is a message (:mod:`satisfaction.i18n`), so the table exists in every edition.

Not for: computing any number (:mod:`satisfaction.instrument`), the names of the codes
(:class:`satisfaction.report.instrument.Names`) or drawing the figures
(:mod:`satisfaction.plots.instrument`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from ..i18n import N_, Fixed, Language, Listed, Message, Renderable, _
from ..instrument import InstrumentReview, InstrumentSettings
from ..plots.instrument import FIGURES
from .formats import Count, Decimal, Percent, Points
from .instrument import Names, alpha_reading, in_level_order, quality_reading, target_points
from .tables import Column, Table

__all__ = ["TOPICS", "Recommendation", "recommendations", "recommendations_table"]

TOPICS: Final[dict[str, Message]] = {
    "item": N_("Question"),
    "scale": N_("Answer scale"),
    "component": N_("Component"),
    "quality": N_("Response quality"),
    "channel": N_("Channel"),
    "respondent_type": N_("Respondent type"),
    "sample": N_("Sample size"),
}
"""What a recommendation is about, in the order of the page."""


@dataclass(frozen=True)
class Recommendation:
    """One recommendation: what it concerns, why, what to do, and the figure that shows it.

    Attributes:
        topic: a key of :data:`TOPICS`.
        target: what it concerns (an item, components, a comparison...), in every language.
        finding: the finding it follows from, with its numbers.
        action: what to do.
        figure: the key of its figure in :data:`satisfaction.plots.instrument.FIGURES`.
    """

    topic: str
    target: Renderable
    finding: Message
    action: Message
    figure: str

    def __post_init__(self) -> None:
        if self.topic not in TOPICS:
            raise ValueError(f"unknown topic {self.topic!r}; one of {', '.join(TOPICS)}")
        if self.figure not in FIGURES:
            raise ValueError(f"unknown figure {self.figure!r}; one of {', '.join(FIGURES)}")

    @property
    def figure_name(self) -> Message:
        """"Figure 3" ("Hình 3")."""
        return _("Figure {n}").format(n=str(FIGURES[self.figure]))


def _of_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    return table[table["year"] == year]


def _interval(low: float, high: float) -> Message:
    return _("{low} to {high}").format(low=Decimal(100 * low, 2, signed=True), high=Points(high))


def _item_lines(review: InstrumentReview, s: InstrumentSettings, names: Names
                ) -> list[Recommendation]:
    """Near-constant items, items that do not move with their component, unusable answers."""
    lines = []
    near = _of_year(review.near_constant, review.year)
    for r in near[near["near_constant"]].to_dict("records"):
        lines.append(Recommendation(
            "item", names.item(r["item"]),
            _("{share} of the valid answers are {answer} (near-constant from {threshold}).")
            .format(share=Percent(r["modal_share"]), answer=Fixed(r["mode"]),
                    threshold=Percent(s.near_constant_share, 0)),
            _("Reword it so that it separates good from poor service, or drop it."),
            "distribution"))
    for r in _of_year(review.items, review.year).to_dict("records"):
        values = {"component": names.component(r["component"]), "alpha": Decimal(r["alpha"]),
                  "deleted": Decimal(r["alpha_if_deleted"]), "r": Decimal(r["item_rest_r"]),
                  "minimum": Decimal(s.item_rest_min)}
        if r["item_rest_r"] < s.item_rest_min:
            finding = (_("Item-rest correlation {r} in {component} (weak below {minimum}); "
                         "deleting it raises the component's alpha from {alpha} to {deleted}.")
                       if r["alpha_gain"] >= s.alpha_gain else
                       _("Item-rest correlation {r} in {component} (weak below {minimum})."))
            lines.append(Recommendation(
                "item", names.item(r["item"]), finding.format(**values),
                _("Reword it, move it to another component or drop it: it does not move with "
                  "the other items."), "items"))
        elif r["alpha_gain"] >= s.alpha_gain:
            lines.append(Recommendation(
                "item", names.item(r["item"]),
                _("Deleting it raises the alpha of {component} from {alpha} to {deleted}.")
                .format(**values), _("A candidate to drop."), "items"))
    nonresp = _of_year(review.nonresponse, review.year)
    share = nonresp["unusable_share"].astype("Float64").fillna(
        nonresp["missing_share"].astype("Float64"))
    for item, sh in zip(nonresp["item"], share):
        if pd.notna(sh) and sh > s.nonresponse_max:
            lines.append(Recommendation(
                "item", names.item(item),
                _("{share} of the answers are unusable (don't know, refused, blank, out of "
                  "range; more than {maximum}).").format(share=Percent(float(sh)),
                                                        maximum=Percent(s.nonresponse_max, 0)),
                _("Add a \"not applicable\" answer or a filter question."), "distribution"))
    return lines


def _scale_lines(review: InstrumentReview, s: InstrumentSettings, names: Names
                 ) -> list[Recommendation]:
    """Components at their ceiling (the whole interval above it), the overall rate at its
    ceiling."""
    lines = []
    ceiling = _of_year(review.ceiling, review.year)
    comp = ceiling[(ceiling["scale"] == "component") & (ceiling["ci_low"] > s.ceiling_share)]
    if len(comp):
        lines.append(Recommendation(
            "scale", Listed([names.component(c) for c in comp["name"]], last=False),
            _("{low} to {high} of respondents give every item of the component 5, the whole "
              "interval above the ceiling of {ceiling}.").format(
                  low=Percent(comp["estimate"].min()), high=Percent(comp["estimate"].max()),
                  ceiling=Percent(s.ceiling_share, 0)),
            _("Use a wider scale (0-10, or 7 points) or more demanding answer labels, so that "
              "the scale can show further improvement."), "ceiling"))
    overall = ceiling[(ceiling["scale"] == "item") & (ceiling["name"] == names.overall)]
    for r in overall.to_dict("records"):
        if r["satisfied_share"] >= s.rate_ceiling:
            lines.append(Recommendation(
                "scale", names.item(names.overall),
                _("{satisfied} answer 4 or 5 (the satisfaction rate; at its ceiling from "
                  "{ceiling}); {top} answer 5.").format(
                      satisfied=Percent(r["satisfied_share"]), top=Percent(r["estimate"]),
                      ceiling=Percent(s.rate_ceiling, 0)),
                _("Publish the share answering 5 (very satisfied) beside the rate, and widen "
                  "the scale."), "ceiling"))
    return lines


def _component_lines(review: InstrumentReview, s: InstrumentSettings, names: Names
                     ) -> list[Recommendation]:
    """Components whose whole alpha interval lies below the minimum, or above the redundancy
    threshold."""
    lines = []
    for r in _of_year(review.consistency, review.year).to_dict("records"):
        reading = alpha_reading(r, s)
        values = {"alpha": Decimal(r["alpha"]), "low": Decimal(r["ci_low"]),
                  "high": Decimal(r["ci_high"]), "minimum": Decimal(s.alpha_min),
                  "redundant": Decimal(s.alpha_redundant)}
        if reading == "low":
            lines.append(Recommendation(
                "component", names.component(r["component"]),
                _("Cronbach's alpha {alpha} (interval {low}–{high}), the whole interval below "
                  "{minimum}.").format(**values),
                _("Review its items: they do not measure one thing."), "consistency"))
        elif reading == "redundant":
            lines.append(Recommendation(
                "component", names.component(r["component"]),
                _("Cronbach's alpha {alpha} (interval {low}–{high}), the whole interval above "
                  "{redundant}.").format(**values),
                _("Its items are near-duplicates: the component can be shortened."),
                "consistency"))
    return lines


_FLAG_NOUNS: Final[dict[str, Message]] = {
    "straightlined": N_("straight-lined forms"),
    "fast": N_("very fast forms"),
    "incomplete": N_("incomplete forms"),
    "flagged": N_("flagged forms"),
}
_FLAG_TARGETS: Final[dict[str, Message]] = {
    "straightlined": N_("Straight-lined forms"),
    "fast": N_("Very fast forms"),
    "incomplete": N_("Incomplete forms"),
    "flagged": N_("All flagged forms"),
}


def _quality_lines(review: InstrumentReview) -> list[Recommendation]:
    """Rules that could not be checked, flagged forms that change the rate, flagged forms the
    rate does not depend on, and straight-lining the questionnaire cannot tell apart."""
    lines = []
    sens = _of_year(review.sensitivity, review.year)
    all_forms = sens[sens["scenario"] == "all"].iloc[0]
    margin = float(all_forms["ci_high"] - all_forms["ci_low"]) / 2
    readings = {r["scenario"]: (quality_reading(r, margin), r) for r in sens.to_dict("records")}
    for flag, (reading, r) in readings.items():
        values = {"n": Count(r["forms_left_out"]), "forms": _FLAG_NOUNS.get(flag, Fixed(flag)),
                  "change": Points(r["change"]),
                  "interval": _interval(r["change_low"], r["change_high"]),
                  "margin": Decimal(100 * margin)}
        if reading == "unchecked":
            lines.append(Recommendation(
                "quality", _FLAG_TARGETS.get(flag, Fixed(flag)),
                _("No interview durations recorded: very fast forms cannot be found."),
                _("Record the interview duration on every form."), "quality"))
        elif reading == "beyond":
            lines.append(Recommendation(
                "quality", _FLAG_TARGETS.get(flag, Fixed(flag)),
                _("Leaving out {n} {forms} moves the rate by {change} ({interval}), more than "
                  "its margin of error (±{margin} points).").format(**values),
                _("Publish the rate with and without these forms, and add an attention check "
                  "to the questionnaire."), "quality"))
    flagged = readings.get("flagged")
    if flagged is not None and flagged[0] == "within" and not any(
            reading == "beyond" for reading, _r in readings.values()):
        r = flagged[1]
        lines.append(Recommendation(
            "quality", _FLAG_TARGETS["flagged"],
            _("Leaving out {n} flagged forms moves the rate by {change} ({interval}), the whole "
              "interval within its margin of error (±{margin} points).").format(
                  n=Count(r["forms_left_out"]), change=Points(r["change"]),
                  interval=_interval(r["change_low"], r["change_high"]),
                  margin=Decimal(100 * margin)),
            _("Keep every valid form in the published rate."), "quality"))
    quality = _of_year(review.quality, review.year).set_index("flag")
    if "straightlined_at_5" in quality.index and quality.loc["straightlined_at_5", "n_flagged"]:
        lines.append(Recommendation(
            "quality", _("Forms with 5 to every item"),
            _("{share} of forms (weighted) give 5 to every item: the questionnaire cannot tell "
              "an attentive \"5 to everything\" from straight-lining.").format(
                  share=Percent(quality.loc["straightlined_at_5", "weighted_share"])),
            _("Add one reverse-worded item (an attention check)."), "quality"))
    return lines


def _group_lines(review: InstrumentReview, names: Names) -> list[Recommendation]:
    """Descriptive differences between the groups whose interval excludes zero, and only those."""
    lines = []
    actions = {
        "channel": _("Publish the rate by channel and the share served online beside the "
                     "national rate, and keep the channel mix in view between years. The "
                     "comparison is descriptive: it does not show that the channel changes "
                     "the answer."),
        "respondent_type": _("Publish the rate by respondent type and the share of "
                             "organisations beside the national rate, and keep that mix in view "
                             "between years."),
    }
    for r in _of_year(review.contrasts, review.year).to_dict("records"):
        if not (r["ci_low"] > 0 or r["ci_high"] < 0):
            continue  # within sampling error: a descriptive comparison recommends nothing
        topic = r["variable"] if r["variable"] in TOPICS else "channel"
        lines.append(Recommendation(
            topic, names.contrast(r["variable"], r["group_a"], r["group_b"]),
            _("Difference {difference} ({interval}): the rates of the two groups differ by "
              "more than sampling error, so the national rate depends on their mix.").format(
                  difference=Points(r["difference"]),
                  interval=_interval(r["ci_low"], r["ci_high"])),
            actions.get(r["variable"], actions["respondent_type"]), "groups"))
    return lines


def _sample_lines(review: InstrumentReview, s: InstrumentSettings, names: Names
                  ) -> list[Recommendation]:
    """Respondents per level now, and needed next year for the target half-width."""
    target = target_points(s.half_width)
    levels = names.level_labels
    lines = []
    for r in in_level_order(_of_year(review.precision, review.year), names).to_dict("records"):
        values = {"half": target, "needed": Count(r["n_required"]), "n": Count(r["n"])}
        action = (_("For a ±{half}-point interval on this level's rate next year: {needed} "
                    "respondents.") if r["n_required"] > r["n"] else
                  _("The {n} respondents of this year already give a ±{half}-point interval on "
                    "this level's rate ({needed} would).")).format(**values)
        lines.append(Recommendation(
            "sample", _Level(levels, r["level"]),
            _("{n} respondents give ±{now} points now (design effect {deff}).").format(
                n=Count(r["n"]), now=Decimal(100 * r["half_width_now"]),
                deff=Decimal(r["deff"])), action, "precision"))
    return lines


class _Level:
    def __init__(self, labels: Any, code: str) -> None:
        self.labels, self.code = labels, code

    def render(self, lang: Language) -> str:
        return str(self.labels(lang).get(self.code, self.code))


def recommendations(review: InstrumentReview, names: Names | None = None
                    ) -> list[Recommendation]:
    """A short, data-driven list of changes to the questionnaire and the sample for
    ``review.year``.

    Args:
        review: the review (:func:`satisfaction.instrument.review_years`).
        names: the names of its codes (default: the shared codebook's).

    Returns:
        The recommendations, in the order of :data:`TOPICS`: items, the answer scale,
        components, response quality, channel and respondent type, sample size.

    Examples:
        >>> from satisfaction.design import DesignSpec
        >>> from satisfaction.instrument import example_survey, review_instrument
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> recs = recommendations(review_instrument(example_survey(), D, 2020))
        >>> [(r.topic, r.figure_name.render("vi")) for r in recs][:2]
        [('quality', 'Hình 5'), ('sample', 'Hình 7')]
        >>> print(recs[0].finding.render("en"))
        17.42 % of forms (weighted) give 5 to every item: the questionnaire cannot tell an attentive "5 to everything" from straight-lining.
    """
    if names is None:
        from ..codebook import load_codebook

        names = Names.of([load_codebook()])
    s = review.settings
    return [*_item_lines(review, s, names), *_scale_lines(review, s, names),
            *_component_lines(review, s, names), *_quality_lines(review),
            *_group_lines(review, names), *_sample_lines(review, s, names)]


def recommendations_table(recs: list[Recommendation], year: int) -> Table:
    """The recommendations as the page's table (and its download), in every language."""
    frame = pd.DataFrame({
        "topic": [r.topic for r in recs],
        "target": [r.target for r in recs],
        "finding": [r.finding for r in recs],
        "action": [r.action for r in recs],
        "figure": [r.figure_name for r in recs],
    })
    return Table(frame, [
        Column("topic", _("Topic"), "category", labels=TOPICS, nowrap=True),
        Column("target", _("Concerns"), "text"),
        Column("finding", _("Finding"), "text"),
        Column("action", _("Recommendation"), "text"),
        Column("figure", _("Figure"), "text", nowrap=True),
    ], caption=_("Recommendations for the questionnaire and the sample, from {year}").format(
        year=Fixed(year)))
