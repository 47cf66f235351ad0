"""Beyond sampling error, as a reviewer reads it: the verdict in plain words, the tables, in every language.

Page ``06_robustness`` asks whether a change larger than sampling error could come from how the
two years were measured. The statistics are :mod:`satisfaction.robustness`; this module words
them, once, for every edition (:mod:`satisfaction.i18n`; numbers through
:mod:`satisfaction.report.formats`):

* :func:`verdict` -- the findings in plain words: larger than sampling error or not, how much
  is composition, whether the change holds like for like and without low-quality forms, and
  the bias it would take to erase it. A change is never called real on sampling error alone.
* :func:`courtesy_sentence` -- the one sentence under the tipping-point figure ("the rise
  survives unless more than X % of this year's satisfied answers were courtesy").
* :func:`checklist_table`, :func:`composition_summary_table`, :func:`decomposition_table`,
  :func:`like_table`, :func:`quality_table`, :func:`nonresponse_table`, :func:`selection_table`:
  the page's tables (:class:`~satisfaction.report.tables.Table`: headers in words, every number
  by its kind's rule, written in each language by ``show.table``). The change itself reads as
  on page 03 and the index: its interval is the change page's wherever it is shown.
* :func:`no_baseline`, :func:`introduction`: the page's framing text; :func:`view_rows`: the
  rows and names of the views figure.

Not for: computing anything (:mod:`satisfaction.robustness`) or drawing
(:mod:`satisfaction.plots.robustness`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from ..i18n import N_, Fixed, Language, Listed, Message, Renderable, _, render
from ..robustness import TOGETHER, RobustnessReview, SelectionTipping, Summary
from .formats import RATE_DIGITS, Count, Decimal, Percent, Points, count, decimal, percent
from .instrument import SCENARIO_LABELS  # the scenarios as page 05 names them
from .tables import Column, Table

__all__ = [
    "ASPECT_LABELS",
    "CHARACTERISTIC_LABELS",
    "SCENARIO_LABELS",
    "checklist_table",
    "composition_summary_table",
    "courtesy_sentence",
    "decomposition_table",
    "introduction",
    "like_table",
    "no_baseline",
    "nonresponse_table",
    "quality_table",
    "selection_table",
    "verdict",
    "view_label",
    "view_rows",
]

CHARACTERISTIC_LABELS: Final[dict[str, Message]] = {
    "level": N_("level"),
    "field": N_("procedure field"),
    "channel": N_("channel"),
    "respondent_type": N_("respondent type"),
    "region": N_("region"),
    TOGETHER: N_("all of them together"),
}
"""The characteristics of who was asked, as the page names them."""

_VIEW_LABELS: Final[dict[str, Message]] = {
    "all": N_("All respondents"),
    "channel=in_person": N_("In person only"),
    "channel=online": N_("Online only"),
    "respondent_type=citizen": N_("Citizens only"),
    "respondent_type=organisation": N_("Organisations only"),
}

ASPECT_LABELS: Final[dict[str, Message]] = {
    "questionnaire": N_("Questionnaire items"),
    "overall_item": N_("Overall satisfaction question"),
    "mode_mix": N_("Mode: share online"),
    "respondent_mix": N_("Respondent type: share organisations"),
    "who_was_asked": N_("Who was asked: level, field, channel, respondent type, region"),
    "fieldwork": N_("Fieldwork dates"),
    "durations": N_("Interview durations recorded"),
    "response_quality": N_("Straight-lined forms"),
    "file_format": N_("Raw file format"),
    "design_effect": N_("Design effect of the rate"),
    "offices": N_("Offices (PSUs) surveyed"),
}
"""The rows of the comparability checklist."""

_ITEM_STATUS: Final[dict[str, Message]] = {
    "same": N_("asked the same way"),
    "same name": N_("same item name (wording not compared)"),
    "wording differs": N_("wording differs"),
    "scale differs": N_("answer scale differs"),
    "current only": N_("in the current questionnaire only"),
    "base only": N_("in the baseline questionnaire only"),
}


_VIEW_NOUNS: Final[dict[str, Message]] = {
    "all": N_("all respondents"),
    "channel=in_person": N_("respondents served in person"),
    "channel=online": N_("respondents served online"),
    "respondent_type=citizen": N_("citizens"),
    "respondent_type=organisation": N_("organisations"),
    "common items": N_("the index of the items asked the same way in both years"),
}


def view_label(key: str, value: Any = None, *, short: bool = False) -> Renderable:
    """The name of a like-for-like view (``all``, ``channel=online``, ``common items``...).

    Args:
        key: the view (an index value of :func:`satisfaction.robustness.like_for_like`).
        value: the view's ``value`` (for the items view: "17/17", items asked the same way
            over the current year's items).
        short: a short name, for a figure's rows.
    """
    if key == "common items":
        same, _sep, total = str(value).partition("/")
        counts = {"same": Fixed(same), "total": Fixed(total or same)}
        if short:
            return _("Index of the items asked the same way ({same} of {total})").format(**counts)
        return _("Satisfaction index on the component items asked the same way in both years "
                 "({same} of this year's {total}, the overall question not included; "
                 "satisfied: mean answer 4 or more)").format(**counts)
    return _VIEW_LABELS.get(key, Fixed(key))


def _interval(low: float, high: float) -> Message:
    return _("{low} to {high}").format(low=Decimal(100 * low, 2, signed=True), high=Points(high))


def _level(level: float) -> Percent:
    return Percent(level, 0)


def _y(year: Any) -> Fixed:
    return Fixed(str(year))


# ---------------------------------------------------------------------------------------------
# Framing
# ---------------------------------------------------------------------------------------------
def no_baseline(year: Any) -> Message:
    """The page of a year without a baseline: nothing to compare, in plain words.

    Examples:
        >>> no_baseline(2019).render("en")[:40]
        '**There is no baseline for 2019.** Its p'
    """
    return _("**There is no baseline for {year}.** Its parameters name no earlier year, so "
             "there is no change whose robustness this page could examine.").format(
                 year=_y(year))


def introduction(years: tuple[Any, Any], synthetic: Sequence[Any] = ()) -> list[Message]:
    """What the page asks, and (for synthetic data) what its numbers are worth."""
    parts = [_("A change larger than sampling error is not yet a real change. This page asks "
               "whether the change from {base} to {year} could come from how the two years "
               "were measured: who was asked (composition), whether it holds like for like and "
               "without low-quality forms, and how large a courtesy, non-response or "
               "office-selection bias would have to be to erase it.").format(
                   base=_y(years[1]), year=_y(years[0]))]
    if synthetic:
        parts.append(_("The survey data of {years} are **synthetic** (generated, not "
                       "collected): the results illustrate the method, they are not findings "
                       "about the real survey.").format(
                           years=Listed([_y(y) for y in synthetic])))
    return parts


# ---------------------------------------------------------------------------------------------
# The verdict
# ---------------------------------------------------------------------------------------------
def _sampling(s: Summary, years: tuple[Any, Any], level: float) -> Message:
    values = {"base": _y(years[1]), "year": _y(years[0]), "change": Points(s.change),
              "interval": _interval(s.change_low, s.change_high), "level": _level(level)}
    if s.significant:
        return _("**Larger than sampling error.** From {base} to {year} the rate changed by "
                 "{change} ({level} interval {interval}): sampling error alone does not explain "
                 "it. That does not yet make the change real: the checks below ask whether how "
                 "the two years were measured could.").format(**values)
    return _("**Not larger than sampling error.** From {base} to {year} the rate changed by "
             "{change} ({level} interval {interval}), an interval that includes no change: "
             "sampling error alone could explain it. The checks below are shown for "
             "completeness.").format(**values)


COMPOSITION_SMALL: Final = 0.2
"""Below this share of the change (in absolute value), composition is small enough for a page
to say "the change is not a change in who was asked"; from it to a half, composition is named as
a part of the change; from a half, as much of it."""


def _composition_small(s: Summary) -> bool:
    return not np.isfinite(s.composition_share) or abs(s.composition_share) < COMPOSITION_SMALL


def _composition(s: Summary, by: Sequence[str]) -> Message:
    values = {"variables": Listed([CHARACTERISTIC_LABELS.get(b, Fixed(b)) for b in by]),
              "composition": Points(s.composition),
              "interval": _interval(s.composition_low, s.composition_high),
              "share": Percent(s.composition_share), "within": Points(s.within),
              "within_interval": _interval(s.within_low, s.within_high)}
    if _composition_small(s):
        return _("**Composition.** Who was asked ({variables}) accounts for {composition} of "
                 "the change ({interval}), {share} of it; the change within groups of the same "
                 "kind is {within} ({within_interval}). The change is not a change in who was "
                 "asked.").format(**values)
    if abs(s.composition_share) < 0.5:
        return _("**Composition.** Who was asked ({variables}) accounts for {composition} of "
                 "the change ({interval}), {share} of it; the change within groups of the same "
                 "kind is {within} ({within_interval}). Part of the change is a change in who "
                 "was asked.").format(**values)
    return _("**Composition.** Who was asked ({variables}) accounts for {composition} of the "
             "change ({interval}), {share} of it; the change within groups of the same kind is "
             "only {within} ({within_interval}). Much of the change is a change in who was "
             "asked.").format(**values)


def _views(keys: Sequence[str], labels: Mapping[str, Renderable]) -> Listed:
    return Listed([labels.get(k) or _VIEW_NOUNS.get(k) or Fixed(k) for k in keys])


def _like(s: Summary, labels: Mapping[str, Renderable]) -> Renderable:
    """Which like-for-like views confirm the change, contradict it, or cannot tell."""
    if not s.like_fails and not s.like_unclear:
        return _("**Like for like.** The change keeps its direction and stays larger than "
                 "sampling error in every like-for-like view: {views}.").format(
                     views=_views(s.like_holds, labels))
    parts: list[Renderable] = [
        _("**Like for like.** The change keeps its direction and stays larger than sampling "
          "error in {holds}.").format(holds=_views(s.like_holds, labels)) if s.like_holds
        else _("**Like for like.** In no like-for-like view is the change larger than sampling "
               "error in its own direction.")]
    if s.like_fails:
        parts.append(_("In {fails} it goes the other way, beyond sampling error: that "
                       "contradicts the change.").format(fails=_views(s.like_fails, labels)))
    if s.like_unclear:
        parts.append(_("In {unclear} it is within sampling error: too imprecise to confirm or "
                       "contradict it.").format(unclear=_views(s.like_unclear, labels)))
    return Listed(parts, sep=" ", last=False)


def _quality(s: Summary, years: tuple[Any, Any]) -> list[Message]:
    out = []
    if not s.quality_fails and not s.quality_unclear:
        out.append(_("**Response quality.** Without straight-lined, very fast or incomplete "
                     "forms the change keeps its direction and stays larger than sampling "
                     "error."))
    if s.quality_fails:
        out.append(_("**Response quality.** Without {fails} the change goes the other way, "
                     "beyond sampling error.").format(
                         fails=_views(s.quality_fails, _SCENARIO_NOUNS)))
    if s.quality_unclear:
        out.append(_("Without {unclear} the change is within sampling error: too imprecise to "
                     "confirm or contradict it.").format(
                         unclear=_views(s.quality_unclear, _SCENARIO_NOUNS)))
    where = s.quality_unchecked.get("fast")
    if where in ("current", "base"):
        checked, other = (years[0], years[1]) if where == "current" else (years[1], years[0])
        out.append(_("Very fast forms could be looked for in {checked} only: {other} recorded no "
                     "interview durations, so its very fast forms, if any, are still "
                     "counted.").format(checked=_y(checked), other=_y(other)))
    elif where == "neither":
        out.append(_("Neither year recorded interview durations: very fast forms could not be "
                     "looked for."))
    return out


_SCENARIO_NOUNS: Final[dict[str, Message]] = {
    "straightlined": N_("straight-lined forms"),
    "fast": N_("very fast forms"),
    "incomplete": N_("incomplete forms"),
    "flagged": N_("any flagged form"),
}


def courtesy_sentence(s: Summary) -> Message:
    """The one sentence a reviewer reads under the tipping-point figure.

    Examples:
        >>> from satisfaction.robustness import Summary
        >>> s = Summary(0.0976, 0.088, 0.107, True, -0.002, -0.004, 0.0, -0.02, 0.1, 0.09,
        ...             0.11, [], [], [], [], {}, 0.1012, 0.0915, pd.Series(dtype=float),
        ...             np.inf, np.inf)
        >>> courtesy_sentence(s).render("en")
        'The rise survives unless more than 10.1 % of this year\\'s "satisfied" answers were courtesy (respondents who were not satisfied); above 9.2 % it would no longer be larger than sampling error.'
    """
    if not (s.change > 0 and np.isfinite(s.courtesy_erase)):
        return _("The change is not a rise: a courtesy bias, which inflates satisfaction, "
                 "cannot have produced it.")
    return _("The rise survives unless more than {erase} of this year's \"satisfied\" answers "
             "were courtesy (respondents who were not satisfied); above {nonsig} it would no "
             "longer be larger than sampling error.").format(
                 erase=Percent(s.courtesy_erase, 1), nonsig=Percent(s.courtesy_nonsignificant, 1))


def _selection(sel: SelectionTipping) -> Message:
    values = {"share": Percent(sel.weight_share, 0), "offices": Count(sel.offices),
              "top": Percent(sel.rate_top), "rest": Percent(sel.rate_rest)}
    if not np.isfinite(sel.k_erase):
        return _("Had the best-scoring offices ({offices} offices, {share} of the answers, "
                 "{top} satisfied) been over-represented by any factor, the change would "
                 "remain: the other offices alone are at {rest}.").format(**values)
    if sel.k_erase < 1:
        return _("The best-scoring offices ({offices} offices, {share} of the answers, {top} "
                 "satisfied) would have to have been under-represented, at {k} times their "
                 "share, for the change to vanish.").format(**values, k=Decimal(sel.k_erase, 1))
    return _("The best-scoring offices ({offices} offices, {share} of the answers, {top} "
             "satisfied) would have to have been over-represented {k} times for the change "
             "to vanish.").format(**values, k=Decimal(sel.k_erase, 1))


def _nonresponse(s: Summary, p1: float, rate: float = 0.5) -> Message | None:
    if s.nonresponse.empty:
        return None
    r = float(s.nonresponse.index[np.argmin(np.abs(s.nonresponse.index - rate))])
    q = float(s.nonresponse.loc[r])
    if q < 0:
        return _("At a response rate of {r}, no rate among non-respondents could erase the "
                 "change.").format(r=Percent(r, 0))
    return _("At a response rate of {r}, non-respondents would have to be satisfied at {q} or "
             "less (respondents: {p1}) for the change to vanish.").format(
                 r=Percent(r, 0), q=Percent(q), p1=Percent(p1))


def _conclusion(s: Summary) -> Renderable:
    if not s.significant:
        return _("**In short.** The change is within sampling error; nothing on this page makes "
                 "it more than that.")
    holds = _passes(s.like_holds, s.like_fails, s.like_unclear) and _passes(
        s.quality_holds, s.quality_fails, s.quality_unclear) and _composition_small(s)
    if holds:
        return _conclusion_holds(s, unclear=len(s.like_unclear) + len(s.quality_unclear))
    return _("**In short.** The change is larger than sampling error, but it does not pass "
             "every check above: read it as a change in how the years were measured as much "
             "as in satisfaction, until the failing checks are explained.")


def _passes(holds: Sequence[str], fails: Sequence[str], unclear: Sequence[str]) -> bool:
    """A check passes when no view contradicts the change and, if any view could tell, at
    least one confirms it (views within sampling error alone confirm nothing)."""
    return not fails and (bool(holds) or not unclear)


def _conclusion_holds(s: Summary, unclear: int = 0) -> Renderable:
    """The conclusion when no check contradicts the change; views too imprecise to confirm
    it (``unclear``) keep it from reading as confirmed like for like."""
    if unclear:
        head = (_("**In short.** The rise is larger than sampling error and is not a change in "
                  "who was asked; no like-for-like or response-quality view contradicts it, "
                  "though {n} of them are too imprecise to confirm it.") if s.change > 0 else
                _("**In short.** The fall is larger than sampling error and is not a change in "
                  "who was asked; no like-for-like or response-quality view contradicts it, "
                  "though {n} of them are too imprecise to confirm it.")).format(n=Count(unclear))
    elif s.change > 0:
        head = _("**In short.** The rise is larger than sampling error, is not a change in who "
                 "was asked, and holds like for like and without low-quality forms.")
    else:
        head = _("**In short.** The fall is larger than sampling error, is not a change in who "
                 "was asked, and holds like for like and without low-quality forms.")
    if s.change < 0:  # the courtesy bias erases a rise; a fall has no such sentence
        return head
    return Listed([head, _("That still does not prove it real: a courtesy bias of more than "
                           "{erase} of this year's satisfied answers, or non-respondents much "
                           "less satisfied than respondents, would erase it, and these data "
                           "cannot rule either out.").format(erase=Percent(s.courtesy_erase, 1))],
                  sep=" ", last=False)


def verdict(review: RobustnessReview) -> list[Renderable]:
    """The findings of a review in plain words, one paragraph each (Markdown).

    Args:
        review: a :class:`~satisfaction.robustness.RobustnessReview`.

    Returns:
        Paragraphs: sampling error, composition, like for like, response quality, what would
        erase it, and the conclusion. "Real" is never said on sampling error alone.
    """
    s = review.summary()
    labels = {k: _VIEW_NOUNS.get(k, Fixed(k)) for k in review.like.index}
    erase = [courtesy_sentence(s)]
    nonresponse = _nonresponse(s, float(review.change["p_current"]))
    if nonresponse is not None:
        erase.append(nonresponse)
    erase.append(_selection(review.tipping.selection))
    return [
        _sampling(s, review.years, review.level),
        _composition(s, review.by),
        _like(s, labels),
        *_quality(s, review.years),
        _("**What would erase it.**") + " " + _Joined(erase),
        _conclusion(s),
    ]


class _Joined:
    """Renderables joined by spaces (sentences of one paragraph)."""

    def __init__(self, parts: Sequence[Renderable]) -> None:
        self.parts = list(parts)

    def render(self, lang: Language) -> str:
        return " ".join(render(p, lang) for p in self.parts)


def view_rows(review: RobustnessReview) -> tuple[pd.DataFrame, dict[str, Renderable]]:
    """The rows of the views figure (every like-for-like view, then every response-quality
    scenario) and their short names."""
    rows = pd.concat([review.like, review.quality.drop(index="all")])
    labels: dict[str, Renderable] = {
        k: view_label(k, review.like.loc[k, "value"], short=True) for k in review.like.index}
    labels.update({k: v for k, v in SCENARIO_LABELS.items() if k != "all"})
    return rows, labels


# ---------------------------------------------------------------------------------------------
# Tables (report.tables: one Table, written in every language)
# ---------------------------------------------------------------------------------------------
def decomposition_table(decomposition: pd.DataFrame, change: pd.Series, years: tuple[Any, Any],
                        level: float) -> Table:
    """The decomposition of the change (all characteristics crossed) as a table.

    The change itself is shown with the change page's interval (``change``: the overall row of
    :func:`satisfaction.compare.compare_designs`, the same as page 03 and the index); its parts
    with the Wald intervals of their linearised standard errors. The standardised rate is a
    note under the table.

    Examples:
        >>> t = pd.DataFrame({"estimate": [0.1, -0.002, 0.102, 0.96, 0.86, 0.962, 0.102],
        ...                   "se": [0.005] * 7, "ci_low": [0.09] * 7, "ci_high": [0.11] * 7},
        ...                  index=["total", "composition", "within", "current", "base",
        ...                         "standardised", "standardised_change"])
        >>> c = pd.Series({"change": 0.1, "change_low": 0.0905, "change_high": 0.1102})
        >>> d = decomposition_table(t, c, (2031, 2030), 0.95).download("en")
        >>> d.to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'Part': ['Change in the rate, 2030 to 2031', 'of which composition (who was asked)',
                  'of which change within groups', 'Change had the mix of 2030 been kept (standardised)'],
         'Estimate (points)': [10.0, -0.2, 10.2, 10.2],
         '95 % interval (points): lower limit': [9.05, 9.0, 9.0, 9.0],
         '95 % interval (points): upper limit': [11.02, 11.0, 11.0, 11.0]}
    """
    values = {"base": _y(years[1]), "year": _y(years[0])}
    names = {
        "total": _("Change in the rate, {base} to {year}"),
        "composition": _("of which composition (who was asked)"),
        "within": _("of which change within groups"),
        "standardised_change": _("Change had the mix of {base} been kept (standardised)"),
    }
    frame = decomposition.loc[list(names), ["estimate", "ci_low", "ci_high"]].astype(float)
    frame.loc["total"] = [float(change["change"]), float(change["change_low"]),
                          float(change["change_high"])]
    frame.insert(0, "part", [names[k].format(**values) for k in names])
    r = decomposition.loc["standardised"]
    standardised = _("{year} rate on the {base} mix: {rate} ({level} interval {low} to "
                     "{high}).").format(**values, rate=Percent(r["estimate"]), level=_level(level),
                                        low=Percent(r["ci_low"]), high=Percent(r["ci_high"]))
    return Table(frame, [
        Column("part", _("Part")),
        Column("estimate", _("Estimate"), "points"),
        Column(("ci_low", "ci_high"), _("{level} interval").format(level=_level(level)), "points"),
    ], caption=_("How much of the change is who was asked"), notes=[
        standardised,
        _("The change's interval is the change page's (from each year's own interval); the "
          "parts' intervals are Wald intervals on standard errors linearised over both years' "
          "designs."),
    ])


def composition_summary_table(composition: pd.DataFrame, level: float) -> Table:
    """The decomposition by each characteristic alone, and by all crossed, as a table.

    Examples:
        >>> t = pd.DataFrame({"status": ["ok", "missing in 2030"], "groups": [4, np.nan],
        ...     "composition": [-0.002, np.nan], "composition_low": [-0.004, np.nan],
        ...     "composition_high": [0.0, np.nan], "share": [-0.0205, np.nan],
        ...     "within": [0.0996, np.nan]}, index=["level", "region"])
        >>> composition_summary_table(t, 0.95).download("en").iloc[:, [0, 1, 2, 5]].to_dict("list")
        {'Who was asked, by': ['level', 'region'], 'Groups': [4.0, nan], 'Composition (points)': [-0.2, nan], 'Share of the change (%)': [-2.05, nan]}
    """
    frame = composition.rename_axis("by").reset_index()
    ok = (frame["status"] == "ok").to_numpy()
    numbers = ["groups", "composition", "composition_low", "composition_high", "share", "within"]
    for column in numbers:
        frame[column] = pd.to_numeric(frame.get(column), errors="coerce").where(ok)
    frame["marker"] = np.where(ok, "", "a")
    return Table(frame, [
        Column("by", _("Who was asked, by"), "category", labels=CHARACTERISTIC_LABELS,
               marker="marker"),
        Column("groups", _("Groups"), "count"),
        Column("composition", _("Composition"), "points"),
        Column(("composition_low", "composition_high"),
               _("{level} interval").format(level=_level(level)), "points"),
        Column("share", _("Share of the change"), "rate"),
        Column("within", _("Within groups"), "points"),
    ], caption=_("The composition part of the change, by characteristic of who was asked"),
        footnotes={"a": _("not recorded in both years")} if not ok.all() else {})


def _change_columns(years: tuple[Any, Any], level: float) -> list[Column]:
    values = {"base": _y(years[1]), "year": _y(years[0])}
    return [
        Column("n_base", _("Respondents {year}").format(year=values["base"]), "count"),
        Column("n_current", _("Respondents {year}").format(year=values["year"]), "count"),
        Column("p_base", _("{year} rate").format(year=values["base"]), "rate"),
        Column("p_current", _("{year} rate").format(year=values["year"]), "rate"),
        Column("change", _("Change"), "points"),
        Column(("change_low", "change_high"), _("{level} interval").format(level=_level(level)),
               "points"),
        Column("p_value", _("p-value"), "p_value"),
        Column("larger", _("Larger than sampling error"), "boolean"),
    ]


def _change_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A change table's numbers, and ``larger`` (missing where there is no change)."""
    frame = table.copy()
    for column in ("n_base", "n_current", "p_base", "p_current", "change", "change_low",
                   "change_high", "p_value"):
        frame[column] = pd.to_numeric(frame.get(column), errors="coerce")
    tested = np.isfinite(frame["change"].to_numpy(float))
    larger = frame.get("significant", pd.Series(False, index=frame.index)).fillna(False)
    frame["larger"] = np.where(tested, larger.astype(bool).to_numpy(), None)
    return frame.reset_index(names="key")


def like_table(like: pd.DataFrame, years: tuple[Any, Any], level: float) -> Table:
    """The like-for-like views as a table (respondents, rates, change, interval, p, verdict)."""
    frame = _change_frame(like)
    frame["view"] = [view_label(str(k), v) for k, v in zip(frame["key"], frame["value"],
                                                           strict=True)]
    return Table(frame, [Column("view", _("View")), *_change_columns(years, level)],
                 caption=_("The change like for like"))


def _checked(where: str, years: tuple[Any, Any]) -> Renderable:
    return {"both": _("both years"), "neither": _("neither year"),
            "current": _("{year} only").format(year=_y(years[0])),
            "base": _("{year} only").format(year=_y(years[1]))}[where]


def quality_table(quality: pd.DataFrame, years: tuple[Any, Any], level: float) -> Table:
    """The response-quality scenarios as a table (forms left out, rates, change, where checked)."""
    frame = _change_frame(quality)
    frame["checked"] = [_checked(str(w), years) for w in frame["checked_in"]]
    return Table(frame, [
        Column("key", _("Forms"), "category", labels=SCENARIO_LABELS),
        Column("left_out_base", _("Left out, {year}").format(year=_y(years[1])), "count"),
        Column("left_out_current", _("Left out, {year}").format(year=_y(years[0])), "count"),
        *_change_columns(years, level),
        Column("checked", _("Checked in")),
    ], caption=_("The change without low-quality forms"))


def nonresponse_table(nonresponse: pd.DataFrame, p1: float) -> Table:
    """The non-response tipping points by response rate as a table."""
    frame = nonresponse.rename_axis("rate").reset_index()
    frame["rate_pct"] = 100 * frame["rate"].astype(float)
    possible = frame["possible"].fillna(False).astype(bool)
    frame["erase"] = frame["nonrespondent_rate_erase"].astype(float).where(possible)
    return Table(frame, [
        Column("rate_pct", _("Response rate (%)"), "decimal", digits=0),
        Column("gap_erase", _("Gap that erases the change"), "points"),
        Column("erase", _("Non-respondents' rate that erases it"), "rate",
               missing=_("impossible (below 0 %)")),
        Column("nonrespondent_rate_nonsignificant",
               _("Non-respondents' rate at which it is within sampling error"), "rate"),
    ], caption=_("Non-response: how much less satisfied non-respondents would have to be "
                 "(respondents: {p1})").format(p1=Percent(p1)))


def selection_table(selection: SelectionTipping, level: float) -> Table:
    """The office-selection scenario by factor k as a table."""
    frame = selection.table.rename_axis("k").reset_index()
    return Table(frame, [
        Column("k", _("Over-representation of the best-scoring offices (k)"), "decimal"),
        Column("rate", _("Rate this year"), "rate"),
        Column("change", _("Change"), "points"),
        Column(("ci_low", "ci_high"), _("{level} interval").format(level=_level(level)), "points"),
    ], caption=_("Office selection: the change if the best-scoring offices were "
                 "over-represented"))


# ---------------------------------------------------------------------------------------------
# The comparability checklist
# ---------------------------------------------------------------------------------------------
def _value(kind: str, value: Any, lang: Language) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if kind == "items":
        return _("{same} of the {total} questions of either year asked the same way, the "
                 "overall question included").format(
            same=Count(value[0]), total=Count(value[1])).render(lang)
    if kind == "share":  # the digits of every other page's rates (page 05: 6.03 %, not 6.0 %)
        return percent(value, RATE_DIGITS, lang)
    if kind == "decimal":
        return decimal(value, 2, lang)
    if kind == "counts":
        return count(value, lang)
    if kind == "dates":
        start, end = value
        return f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"
    return render(_ITEM_STATUS.get(str(value), Fixed(str(value))), lang)


_RESTRICTED: Final[dict[str, Message]] = {
    "questionnaire": N_("change of the satisfaction index on the items asked the same way: "
                        "{change} ({interval})"),
    "fieldwork": N_("change within the fieldwork window both years share: {change} ({interval})"),
    "durations": N_("change without very fast forms (looked for in {checked}): {change} "
                    "({interval})"),
    "response_quality": N_("change without any flagged form: {change} ({interval})"),
    "offices": N_("change in the {n} offices surveyed in both years: {change} ({interval})"),
}


def _effect(aspect: str, r: pd.Series, years: tuple[Any, Any]) -> Renderable:
    detail = r["detail"] if isinstance(r["detail"], Mapping) else {}
    values = {"change": Points(r["estimate"]), "interval": _interval(r["ci_low"], r["ci_high"])}
    if r["measure"] == "composition" and np.isfinite(r["estimate"]):
        return _("composition: {change} of the change ({interval})").format(**values)
    if r["measure"] == "restricted" and aspect in _RESTRICTED:
        return _RESTRICTED[aspect].format(
            **values, checked=_checked(str(detail.get("checked_in", "both")), years),
            n=Count(detail.get("in_both", 0)))
    return _none_effect(aspect, r, detail, years)


def _none_effect(aspect: str, r: pd.Series, detail: Mapping[str, Any],
                 years: tuple[Any, Any]) -> Renderable:
    if aspect == "overall_item":
        return (_("the headline change compares the same question") if r["same"] else
                _("the headline change compares different questions: it is not like for like"))
    if aspect == "file_format":
        q1, q0 = detail.get("quarantined", (np.nan, np.nan))
        return _("not measurable from the data; the cleaning step quarantined {q1} of the "
                 "{year} rows and {q0} of the {base} rows").format(
                     q1=Percent(q1), q0=Percent(q0), year=_y(years[0]), base=_y(years[1]))
    if aspect == "design_effect":
        return _("changes the width of each year's interval, not the change: each year is "
                 "estimated with its own design")
    if aspect == "fieldwork" and "missing" in detail:
        year = years[0] if detail["missing"] == "current" else years[1]
        return _("no interview dates in {year}: not measurable").format(year=_y(year))
    if aspect == "fieldwork":
        return _("the fieldwork windows do not overlap: not measurable")
    return _("not measurable from the data")


class _Value:
    """A checklist value, written by its kind in each language."""

    def __init__(self, kind: str, value: Any) -> None:
        self.kind, self.value = kind, value

    def render(self, lang: Language) -> str:
        return _value(self.kind, self.value, lang)


def checklist_table(checklist: pd.DataFrame, years: tuple[Any, Any]) -> Table:
    """The comparability checklist as a table: aspect, each year, same?, measured effect."""
    frame = checklist.rename_axis("aspect").reset_index()
    frame["base_value"] = [_Value(k, v) for k, v in zip(frame["kind"], frame["base"], strict=True)]
    frame["current_value"] = [_Value(k, v) for k, v in zip(frame["kind"], frame["current"],
                                                           strict=True)]
    frame["same_answer"] = pd.Series([None if v is None or pd.isna(v) else bool(v)
                                      for v in frame["same"]], dtype=object)
    frame["effect"] = [_effect(str(a), r, years) for a, (_i, r) in
                       zip(frame["aspect"], checklist.iterrows(), strict=True)]
    return Table(frame, [
        Column("aspect", _("Aspect"), "category", labels=ASPECT_LABELS),
        Column("base_value", _y(years[1])),
        Column("current_value", _y(years[0])),
        Column("same_answer", _("Same in both years"), "boolean"),
        Column("effect", _("Measured effect on the change")),
    ], caption=_("Comparability checklist: each difference between the years and its measured "
                 "effect"))
