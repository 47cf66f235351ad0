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
* :func:`checklist_html`, :func:`composition_html`, :func:`decomposition_html`,
  :func:`like_html`, :func:`quality_html`, :func:`nonresponse_html`, :func:`selection_html`:
  the page's tables, built for one language (``show.html(lambda lang: ...)``).
* :func:`no_baseline`, :func:`introduction`: the page's framing text; :func:`view_rows`: the
  rows and names of the views figure.

Not for: computing anything (:mod:`satisfaction.robustness`) or drawing
(:mod:`satisfaction.plots.robustness`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from ..i18n import N_, Language, Message, Renderable, _, render
from ..robustness import TOGETHER, RobustnessReview, SelectionTipping, Summary
from .formats import Count, Decimal, Percent, Points, count, decimal, p_value, percent, points

__all__ = [
    "ASPECT_LABELS",
    "CHARACTERISTIC_LABELS",
    "SCENARIO_LABELS",
    "checklist_html",
    "composition_html",
    "courtesy_sentence",
    "decomposition_html",
    "introduction",
    "like_html",
    "no_baseline",
    "nonresponse_html",
    "selection_html",
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

SCENARIO_LABELS: Final[dict[str, Message]] = {
    "all": N_("All forms"),
    "straightlined": N_("Without straight-lined forms"),
    "fast": N_("Without very fast forms"),
    "incomplete": N_("Without incomplete forms"),
    "flagged": N_("Without any flagged form"),
}
"""The response-quality scenarios, as the page names them."""

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


class _Text:
    """A fixed text that is the same in every language (a year, a number as typed)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def render(self, lang: Language) -> str:
        return self.text


class _List:
    """Renderables joined as a list in words: "a, b and c" ("a, b và c")."""

    def __init__(self, parts: Sequence[Renderable | str]) -> None:
        self.parts = list(parts)

    def render(self, lang: Language) -> str:
        texts = [render(p, lang) for p in self.parts]
        if len(texts) <= 1:
            return "".join(texts)
        return ", ".join(texts[:-1]) + render(_(" and "), lang) + texts[-1]


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
    if key == "common items" and short:
        return _("Index of the items asked the same way ({items})").format(items=_Text(str(value)))
    if key == "common items":
        return _("Satisfaction index on the items asked the same way in both years ({items}; "
                 "satisfied: mean answer 4 or more)").format(items=_Text(str(value)))
    return _VIEW_LABELS.get(key, _Text(key))


def _interval(low: float, high: float) -> Message:
    return _("{low} to {high}").format(low=Decimal(100 * low, 2, signed=True), high=Points(high))


def _level(level: float) -> Percent:
    return Percent(level, 0)


def _y(year: Any) -> _Text:
    return _Text(str(year))


# ---------------------------------------------------------------------------------------------
# Framing
# ---------------------------------------------------------------------------------------------
def no_baseline(year: Any) -> Message:
    """The page of a year without a baseline: nothing to compare, in plain words.

    Examples:
        >>> no_baseline(2019).render("en")[:40]
        '**There is no baseline for 2019.** Its p'
    """
    return _("**There is no baseline for {year}.** Its parameters name no earlier year "
             "(`baseline_year` is null), so there is no change whose robustness this page "
             "could examine.").format(year=_y(year))


def introduction(years: tuple[Any, Any], synthetic: Sequence[Any] = ()) -> list[Message]:
    """What the page asks, and (for synthetic data) what its numbers are worth."""
    parts = [_("A change larger than sampling error is not yet a real change. This page asks "
               "whether the change from {base} to {year} could come from how the two years "
               "were measured: who was asked (composition), whether it holds like for like and "
               "without low-quality forms, and how large a courtesy, non-response or "
               "office-selection bias would have to be to erase it.").format(
                   base=_y(years[1]), year=_y(years[0]))]
    if synthetic:
        parts.append(_("The survey data of {years} are **synthetic** (generated to reproduce "
                       "the published figures): the results illustrate the method, they are not "
                       "findings about the real survey.").format(
                           years=_List([_y(y) for y in synthetic])))
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


def _composition(s: Summary, by: Sequence[str]) -> Message:
    values = {"variables": _List([CHARACTERISTIC_LABELS.get(b, _Text(b)) for b in by]),
              "composition": Points(s.composition),
              "interval": _interval(s.composition_low, s.composition_high),
              "share": Percent(s.composition_share, 1), "within": Points(s.within),
              "within_interval": _interval(s.within_low, s.within_high)}
    if not np.isfinite(s.composition_share) or abs(s.composition_share) < 0.5:
        return _("**Composition.** Who was asked ({variables}) accounts for {composition} of "
                 "the change ({interval}), {share} of it; the change within groups of the same "
                 "kind is {within} ({within_interval}). The change is not a change in who was "
                 "asked.").format(**values)
    return _("**Composition.** Who was asked ({variables}) accounts for {composition} of the "
             "change ({interval}), {share} of it; the change within groups of the same kind is "
             "only {within} ({within_interval}). Much of the change is a change in who was "
             "asked.").format(**values)


def _views(keys: Sequence[str], labels: Mapping[str, Renderable]) -> _List:
    return _List([labels.get(k, _Text(k)) for k in keys])


def _like(s: Summary, labels: Mapping[str, Renderable]) -> Message:
    if not s.like_fails:
        return _("**Like for like.** The change keeps its direction and stays larger than "
                 "sampling error in every like-for-like view: {views}.").format(
                     views=_views(s.like_holds, labels))
    if not s.like_holds:
        return _("**Like for like.** In no like-for-like view does the change keep its direction "
                 "and stay larger than sampling error ({fails}).").format(
                     fails=_views(s.like_fails, labels))
    return _("**Like for like.** The change holds in {holds}, but not in {fails}: there it "
             "changes direction or is within sampling error.").format(
                 holds=_views(s.like_holds, labels), fails=_views(s.like_fails, labels))


def _quality(s: Summary, years: tuple[Any, Any]) -> list[Message]:
    out = []
    if not s.quality_fails:
        out.append(_("**Response quality.** Without straight-lined, very fast or incomplete "
                     "forms the change keeps its direction and stays larger than sampling "
                     "error."))
    else:
        out.append(_("**Response quality.** Without {fails} the change no longer keeps its "
                     "direction or is within sampling error.").format(
                         fails=_views(s.quality_fails, {k: _SCENARIO_NOUNS[k]
                                                        for k in _SCENARIO_NOUNS})))
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


def _conclusion(s: Summary) -> Message:
    if not s.significant:
        return _("**In short.** The change is within sampling error; nothing on this page makes "
                 "it more than that.")
    holds = not s.like_fails and not s.quality_fails and abs(s.composition_share) < 0.5
    if holds and s.change > 0:
        return _("**In short.** The rise is larger than sampling error, is not a change in who "
                 "was asked, and holds like for like and without low-quality forms. That still "
                 "does not prove it real: a courtesy bias of more than {erase} of this year's "
                 "satisfied answers, or non-respondents much less satisfied than respondents, "
                 "would erase it, and these data cannot rule either out.").format(
                     erase=Percent(s.courtesy_erase, 1))
    if holds:
        return _("**In short.** The fall is larger than sampling error, is not a change in who "
                 "was asked, and holds like for like and without low-quality forms.")
    return _("**In short.** The change is larger than sampling error, but it does not pass "
             "every check above: read it as a change in how the years were measured as much "
             "as in satisfaction, until the failing checks are explained.")


def verdict(review: RobustnessReview) -> list[Message]:
    """The findings of a review in plain words, one paragraph each (Markdown).

    Args:
        review: a :class:`~satisfaction.robustness.RobustnessReview`.

    Returns:
        Paragraphs: sampling error, composition, like for like, response quality, what would
        erase it, and the conclusion. "Real" is never said on sampling error alone.
    """
    s = review.summary()
    labels = {k: _VIEW_NOUNS.get(k, _Text(k)) for k in review.like.index}
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
# Tables (HTML, one language at a time)
# ---------------------------------------------------------------------------------------------
def _table(headers: Sequence[Renderable | str], rows: Sequence[Sequence[Any]], lang: Language,
           caption: Renderable | None = None) -> str:
    """An HTML table in the pages' style; every cell rendered in ``lang`` and escaped."""
    def cell(value: Any) -> str:
        return html.escape(render(value, lang), quote=True)

    head = "".join(f'<th scope="col">{cell(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    cap = f"<caption>{cell(caption)}</caption>" if caption is not None else ""
    return f'<table class="sat-estimates">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _pts(x: float, lang: Language) -> str:
    return points(x, lang=lang)


def _ci(low: float, high: float, lang: Language) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "—"
    return _interval(low, high).render(lang)


def decomposition_html(decomposition: pd.DataFrame, years: tuple[Any, Any], level: float,
                       lang: Language) -> str:
    """The decomposition of the change (all characteristics crossed) as a table.

    Examples:
        >>> t = pd.DataFrame({"estimate": [0.1, -0.002, 0.102, 0.96, 0.86, 0.962, 0.102],
        ...                   "se": [0.005] * 7, "ci_low": [0.09] * 7, "ci_high": [0.11] * 7},
        ...                  index=["total", "composition", "within", "current", "base",
        ...                         "standardised", "standardised_change"])
        >>> "−0,20 điểm" in decomposition_html(t, (2020, 2019), 0.95, "vi").replace("-", "−")
        True
    """
    names = {
        "total": _("Change in the rate, {base} to {year}"),
        "composition": _("of which composition (who was asked)"),
        "within": _("of which change within groups"),
        "standardised_change": _("Change had the mix of {base} been kept (standardised)"),
    }
    rows = []
    for key, name in names.items():
        r = decomposition.loc[key]
        rows.append([name.format(base=_y(years[1]), year=_y(years[0])),
                     _pts(r["estimate"], lang), _ci(r["ci_low"], r["ci_high"], lang)])
    r = decomposition.loc["standardised"]
    rows.append([_("{year} rate on the {base} mix").format(base=_y(years[1]), year=_y(years[0])),
                 percent(r["estimate"], lang=lang),
                 _("{low} to {high}").format(low=Percent(r["ci_low"]), high=Percent(r["ci_high"]))])
    return _table([_("Part"), _("Estimate"), _("{level} interval").format(level=_level(level))],
                  rows, lang)


def composition_html(composition: pd.DataFrame, level: float, lang: Language) -> str:
    """The decomposition by each characteristic alone, and by all crossed, as a table."""
    rows = []
    for key, r in composition.iterrows():  # a handful of characteristics
        name = CHARACTERISTIC_LABELS.get(str(key), _Text(str(key)))
        if r.get("status") != "ok":
            rows.append([name, _("not in both years"), "", "", "", ""])
            continue
        rows.append([name, count(r["groups"], lang), _pts(r["composition"], lang),
                     _ci(r["composition_low"], r["composition_high"], lang),
                     percent(r["share"], 1, lang), _pts(r["within"], lang)])
    headers = [_("Who was asked, by"), _("Groups"), _("Composition"),
               _("{level} interval").format(level=_level(level)), _("Share of the change"),
               _("Within groups")]
    return _table(headers, rows, lang)


def _change_cells(r: pd.Series, lang: Language) -> list[str]:
    if not np.isfinite(r.get("change", np.nan)):
        return [percent(r.get("p_base", np.nan), lang=lang),
                percent(r.get("p_current", np.nan), lang=lang), "—", "—", "", ""]
    return [percent(r["p_base"], lang=lang), percent(r["p_current"], lang=lang),
            _pts(r["change"], lang), _ci(r["change_low"], r["change_high"], lang),
            p_value(r["p_value"], lang),
            render(_("yes") if r["significant"] else _("no"), lang)]


def _change_headers(years: tuple[Any, Any], level: float) -> list[Renderable]:
    return [_("{year} rate").format(year=_y(years[1])), _("{year} rate").format(year=_y(years[0])),
            _("Change"), _("{level} interval").format(level=_level(level)), _("p"),
            _("Larger than sampling error")]


def like_html(like: pd.DataFrame, years: tuple[Any, Any], level: float, lang: Language) -> str:
    """The like-for-like views as a table (rates, change, interval, p, verdict, n)."""
    rows = []
    for key, r in like.iterrows():  # a handful of views
        rows.append([view_label(str(key), r.get("value")), *_change_cells(r, lang),
                     count(r.get("n_base", np.nan), lang), count(r.get("n_current", np.nan), lang)])
    headers = [_("View"), *_change_headers(years, level),
               _("n {year}").format(year=_y(years[1])), _("n {year}").format(year=_y(years[0]))]
    return _table(headers, rows, lang)


def _checked(where: str, years: tuple[Any, Any]) -> Renderable:
    return {"both": _("both years"), "neither": _("neither year"),
            "current": _("{year} only").format(year=_y(years[0])),
            "base": _("{year} only").format(year=_y(years[1]))}[where]


def quality_html(quality: pd.DataFrame, years: tuple[Any, Any], level: float,
                 lang: Language) -> str:
    """The response-quality scenarios as a table (forms left out, rates, change, where checked)."""
    rows = []
    for key, r in quality.iterrows():  # five scenarios
        rows.append([SCENARIO_LABELS.get(str(key), _Text(str(key))),
                     count(r["left_out_base"], lang), count(r["left_out_current"], lang),
                     *_change_cells(r, lang), _checked(str(r["checked_in"]), years)])
    headers = [_("Forms"), _("Left out, {year}").format(year=_y(years[1])),
               _("Left out, {year}").format(year=_y(years[0])), *_change_headers(years, level),
               _("Checked in")]
    return _table(headers, rows, lang)


def nonresponse_html(nonresponse: pd.DataFrame, p1: float, lang: Language) -> str:
    """The non-response tipping points by response rate as a table."""
    rows = []
    for r, row in nonresponse.iterrows():  # a grid of response rates
        possible = bool(row["possible"])
        rows.append([percent(r, 0, lang), _pts(row["gap_erase"], lang),
                     percent(row["nonrespondent_rate_erase"], 1, lang) if possible
                     else render(_("impossible (below 0 %)"), lang),
                     percent(row["nonrespondent_rate_nonsignificant"], 1, lang)])
    headers = [_("Response rate"), _("Gap that erases the change"),
               _("Non-respondents' rate that erases it (respondents: {p1})").format(
                   p1=Percent(p1)),
               _("Non-respondents' rate at which it is within sampling error")]
    return _table(headers, rows, lang)


def selection_html(selection: SelectionTipping, level: float, lang: Language) -> str:
    """The office-selection scenario by factor k as a table."""
    rows = [[decimal(k, 2, lang), percent(r["rate"], lang=lang), _pts(r["change"], lang),
             _ci(r["ci_low"], r["ci_high"], lang)]
            for k, r in selection.table.iterrows()]  # a handful of factors
    headers = [_("Over-representation of the best-scoring offices (k)"), _("Rate this year"),
               _("Change"), _("{level} interval").format(level=_level(level))]
    return _table(headers, rows, lang)


# ---------------------------------------------------------------------------------------------
# The comparability checklist
# ---------------------------------------------------------------------------------------------
def _value(kind: str, value: Any, lang: Language) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if kind == "items":
        return _("{same} of {total} asked the same way").format(
            same=Count(value[0]), total=Count(value[1])).render(lang)
    if kind == "share":
        return percent(value, 1, lang)
    if kind == "decimal":
        return decimal(value, 2, lang)
    if kind == "counts":
        return count(value, lang)
    if kind == "dates":
        start, end = value
        return f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"
    return render(_ITEM_STATUS.get(str(value), _Text(str(value))), lang)


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
                     q1=Percent(q1, 1), q0=Percent(q0, 1), year=_y(years[0]), base=_y(years[1]))
    if aspect == "design_effect":
        return _("changes the width of each year's interval, not the change: each year is "
                 "estimated with its own design")
    if aspect == "fieldwork" and "missing" in detail:
        year = years[0] if detail["missing"] == "current" else years[1]
        return _("no interview dates in {year}: not measurable").format(year=_y(year))
    if aspect == "fieldwork":
        return _("the fieldwork windows do not overlap: not measurable")
    return _("not measurable from the data")


def checklist_html(checklist: pd.DataFrame, years: tuple[Any, Any], lang: Language) -> str:
    """The comparability checklist as a table: aspect, each year, same?, measured effect."""
    rows = []
    for aspect, r in checklist.iterrows():  # a dozen aspects
        same = "—" if r["same"] is None or pd.isna(r["same"]) else render(
            _("yes") if r["same"] else _("no"), lang)
        rows.append([ASPECT_LABELS.get(str(aspect), _Text(str(aspect))),
                     _value(r["kind"], r["base"], lang), _value(r["kind"], r["current"], lang),
                     same, _effect(str(aspect), r, years)])
    headers = [_("Aspect"), _y(years[1]), _y(years[0]), _("Same in both years"),
               _("Measured effect on the change")]
    return _table(headers, rows, lang)
