"""The change between two years as a reviewer reads it: tables, sentences and findings, in every language.

Every table and sentence of the change page (``03_change``) that is written, not computed, is
written here, and each one words a row of a change table (:mod:`satisfaction.compare`): the
verdict (``verdict``: a rise or a fall larger than sampling error, or within it), both
intervals and the p-value come from that one row, so no sentence can say more than the row
does, and none calls a change "real" on sampling error alone (page 06 asks the rest). Nothing
here names a year or a published figure: they come from each year's parameters.

* :func:`change_findings` -- the summary of findings at the top of the page;
* :func:`introduction`, :func:`baseline_note`, :func:`no_published_change`,
  :func:`microdata_method` -- the page's framing, built from the parameters;
* the published figures: :func:`describe_published`, :func:`published_assumptions`,
  :func:`readings_table` (both readings of a reported change such as "+9.76 %" side by side),
  :func:`sensitivity_note` and :func:`sensitivity_table` (the grid over the unknown baseline
  survey), :func:`readings_verdict` (what the readings mean, in words);
* the microdata: :func:`describe_change` (one change in a sentence),
  :func:`beyond_sampling_error` (the pointer to page 06), :func:`two_intervals_note` (why the
  microdata and published-figures intervals of one change differ), :func:`changes_table`
  (a change table of one kind of domain), :func:`binomial_note`, :func:`moved_table`
  (how many domains moved, per family of tests);
* :func:`detectable_table` -- the power of this year's design;
* :func:`change_headline` -- the figures the index page shows for the change.

Tables are :class:`~satisfaction.report.tables.Table` objects (headers in words, every number by
its kind's rule of :mod:`satisfaction.report.formats`, domain labels from the codebook, long
tables complete), so a rate, a change and a p-value read the same here as on every other page.

Not for: computing changes, tests or power (:mod:`satisfaction.compare`,
:mod:`satisfaction.power`) or drawing them (:mod:`satisfaction.plots.change`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from ..compare import (
    READING_POINTS,
    READING_RELATIVE,
    STATUS_BASE_ONLY,
    STATUS_BOTH,
    STATUS_COLUMN_MISSING,
    STATUS_CURRENT_ONLY,
    STATUS_NO_ANSWER_BASE,
    STATUS_NO_ANSWER_BOTH,
    STATUS_NO_ANSWER_CURRENT,
    STATUS_NO_INTERVAL,
    TEST_BINOMIAL,
    TEST_DESIGN,
    VERDICT_FALL,
    VERDICT_RISE,
    VERDICT_WITHIN,
    PublishedFigures,
    implied_base_rates,
    parse_reported_change,
    significance_level,
)
from ..i18n import N_, Fixed, Language, Listed, Message, Renderable, _, render
from .formats import Count, Decimal, Percent, Points, PValue, decimal, p_value
from .tables import DIMENSION_NAMES, DOMAIN_HEADERS, Column, Labels, Table, label_map

__all__ = [
    "COUNT_NOUNS",
    "DOMAIN_LABELS",
    "READING_NAMES",
    "ROBUSTNESS_PAGE",
    "baseline_note",
    "beyond_sampling_error",
    "binomial_note",
    "change_findings",
    "change_headline",
    "changes_table",
    "describe_change",
    "describe_published",
    "detectable_table",
    "introduction",
    "microdata_method",
    "moved_table",
    "no_published_change",
    "published_assumptions",
    "readings_table",
    "readings_verdict",
    "sensitivity_note",
    "sensitivity_table",
    "two_intervals_note",
]

DOMAIN_LABELS: Final[dict[str, Message]] = {
    k: DIMENSION_NAMES[k] for k in ("level", "field", "province", "office")}
"""The kinds of domain of the change page, as its sentences name them (the tables' nouns)."""

COUNT_NOUNS: Final[dict[str, Message]] = {
    "level": N_("{k} of {n} levels"),
    "field": N_("{k} of {n} procedure fields"),
    "province": N_("{k} of {n} provinces"),
    "office": N_("{k} of {n} offices"),
}
"""How many domains of a kind, in a sentence ("3 of 4 levels")."""

READING_NAMES: Final[dict[str, Message]] = {
    READING_POINTS: N_("Read as percentage points"),
    READING_RELATIVE: N_("Read as a relative change"),
}
"""The two readings of a reported change, as headers and panel titles."""

_READING_NOUNS: Final[dict[str, Message]] = {
    READING_POINTS: N_("percentage points"),
    READING_RELATIVE: N_("a relative change"),
}

ROBUSTNESS_PAGE: Final = "06_robustness.html"
"""Page 06 of the same year (a sibling file): whether the change could come from how the years
were measured."""

_RESULTS: Final[dict[str, Message]] = {
    VERDICT_RISE: N_("rise"),
    VERDICT_FALL: N_("fall"),
    VERDICT_WITHIN: N_("within sampling error"),
    STATUS_CURRENT_ONLY: N_("this year only"),
    STATUS_BASE_ONLY: N_("baseline year only"),
    STATUS_NO_ANSWER_CURRENT: N_("no valid answer this year"),
    STATUS_NO_ANSWER_BASE: N_("no valid answer in the baseline year"),
    STATUS_NO_ANSWER_BOTH: N_("no valid answer in either year"),
    STATUS_NO_INTERVAL: N_("no interval: a year's estimate has no effective sample size"),
    STATUS_COLUMN_MISSING: N_("not recorded in both years"),
    "suppressed": N_("suppressed: fewer respondents than the disclosure threshold in a year"),
}
"""What the verdict column of a change table says: the verdict, or why there is none."""

_TESTS: Final[dict[str, Message]] = {
    TEST_DESIGN: N_("the survey design"),
    TEST_BINOMIAL: N_("binomial (within one office)"),
}


class _Relative:
    """A relative change in signed percent (``+11.26 %``), in any language."""

    def __init__(self, value: float) -> None:
        self.value = value

    def render(self, lang: Language) -> str:
        return f"{decimal(100 * self.value, 2, lang, signed=True)} %"


class _PText:
    """``p < 0.0001`` / ``p = 0.023``, never a rounded ``p = 0.05`` beside "larger than sampling
    error" (a p-value just under the significance level is written ``p < 0.05``)."""

    def __init__(self, p: float, alpha: float) -> None:
        self.p, self.alpha = p, alpha

    def render(self, lang: Language) -> str:
        text = p_value(self.p, lang)
        if text.startswith("<"):
            return f"p {text}"
        if self.p < self.alpha and float(f"{self.p:.2g}") >= self.alpha:
            return f"p < {p_value(self.alpha, lang)}"
        return f"p = {text}"


def _and(parts: Sequence[Renderable | str]) -> Listed:
    return Listed(parts)


def _conf(level: float) -> Percent:
    return Percent(level, 0)


def _interval(low: float, high: float) -> Message:
    """An interval of a change in points: "+8.82 to +10.73 points"."""
    return _("{low} to {high}").format(low=Decimal(100 * low, 2, signed=True), high=Points(high))


def _years(years: tuple[Any, Any]) -> dict[str, Fixed]:
    return {"year": Fixed(years[0]), "base": Fixed(years[1])}


def _larger(verdict: Any) -> bool:
    return verdict in (VERDICT_RISE, VERDICT_FALL)


# ---------------------------------------------------------------------------------------------
# Framing: built from the parameters, never naming a year
# ---------------------------------------------------------------------------------------------
def _reported_value(figures: PublishedFigures) -> float:
    """The published change as a fraction (``"+9.76 %"`` -> 0.0976)."""
    return (parse_reported_change(figures.reported) if isinstance(figures.reported, str)
            else float(figures.reported) / 100)


def _reported(figures: PublishedFigures) -> _Relative:
    """The published change as each edition writes a number: "+9.76 %", "+9,76 %"."""
    return _Relative(_reported_value(figures))


def _claim(figures: PublishedFigures, years: tuple[Any, Any]) -> Message:
    """What the ministry published, and its two readings."""
    reported = _reported_value(figures)
    bases = implied_base_rates(figures.p1, reported)
    values = {**_years(years), "reported": _reported(figures),
              "number": Decimal(abs(100 * reported), 2), "p_points": Percent(bases[READING_POINTS]),
              "p_relative": Percent(bases[READING_RELATIVE])}
    if reported < 0:
        return _("The ministry reported that satisfaction fell by \"{reported}\" from {base} to "
                 "{year}, without saying whether that is **{number} percentage points** ({base} "
                 "would then have been {p_points}) or a **relative fall of {number} %** ({base} "
                 "would have been {p_relative}).").format(**values)
    return _("The ministry reported that satisfaction rose by \"{reported}\" from {base} to "
             "{year}, without saying whether that is **{number} percentage points** ({base} "
             "would then have been {p_points}) or a **relative rise of {number} %** ({base} "
             "would have been {p_relative}).").format(**values)


class _Numbered:
    """Markdown list items numbered 1, 2, 3 in every language."""

    def __init__(self, items: Sequence[Renderable]) -> None:
        self.items = list(items)

    def render(self, lang: Language) -> str:
        return "\n".join(f"{i}. {render(item, lang)}" for i, item in enumerate(self.items, 1))


def introduction(figures: PublishedFigures | None, *, years: tuple[Any, Any | None],
                 level: float = 0.95, ci_method: str = "beta") -> list[Renderable]:
    """The questions the change page answers, and how its intervals and tests are built.

    Args:
        figures: what was published (:func:`~satisfaction.compare.published_setup`), or None
            when the year publishes no change on its baseline.
        years: the current year and its baseline (None: no baseline).
        level: the confidence level.
        ci_method: each year's interval method.

    Returns:
        Markdown paragraphs: the published claim (if any), the questions in order, and the
        method (if there is a baseline).

    Examples:
        >>> print(render(introduction(None, years=(2031, None))[0], "en"))
        This page answers, for a reviewer:
        1. **Power**: the smallest change this year's survey design can detect, overall and per level, and the sample needed to detect a chosen change next time.
    """
    questions: list[Renderable] = []
    if figures is not None and years[1] is not None:
        questions.append(_(
            "**From the published figures alone**, is the published change larger than sampling "
            "error under either reading, given that the baseline's sample size and both years' "
            "design effects were never published? A sensitivity table shows the answer for "
            "every plausible baseline survey, and the point at which it would flip."))
    if years[1] is not None:
        questions.append(_(
            "**From the survey microdata of both years**, each analysed with its own design "
            "(strata, offices as primary sampling units, weights), how large is the change "
            "overall and in each level, procedure field, province and office, once the many "
            "comparisons are corrected for (Holm; Benjamini-Hochberg)?"))
    questions.append(_("**Power**: the smallest change this year's survey design can detect, "
                       "overall and per level, and the sample needed to detect a chosen change "
                       "next time."))
    parts: list[Renderable] = []
    if figures is not None and years[1] is not None:
        parts.append(_claim(figures, (years[0], years[1])))
    parts.append(_("This page answers, for a reviewer:") + "\n" + _Numbered(questions))
    if years[1] is not None:
        parts.append(_intervals_method(level, ci_method, published=figures is not None))
    return parts


def _intervals_method(level: float, ci_method: str, *, published: bool) -> Message:
    """How the change's intervals and p-value are made (Newcombe's only where figures were
    published: a year without them has no published change to test)."""
    values = {"level": _conf(level), "name": _method_name(ci_method),
              "alpha": PValue(significance_level(level)), "page": Fixed(ROBUSTNESS_PAGE)}
    if published:
        return _(
            "Changes are in percentage points (points) and relative %, each with a {level} "
            "interval built from the two years' own intervals (square-and-add, MOVER: "
            "Newcombe's hybrid score interval for published figures, each year's {name} "
            "interval with its design degrees of freedom for microdata), and a p-value that is "
            "the inversion of those intervals: a change is larger than sampling error exactly "
            "when both intervals exclude no change and p < {alpha}. Two independent samples are "
            "assumed. Larger than sampling error is not yet real: [page 06]({page}) asks whether "
            "the change could come from how the years were measured.").format(**values)
    return _(
        "Changes are in percentage points (points) and relative %, each with a {level} interval "
        "built from the two years' own intervals (square-and-add, MOVER: each year's {name} "
        "interval with its design degrees of freedom), and a p-value that is the inversion of "
        "those intervals: a change is larger than sampling error exactly when both intervals "
        "exclude no change and p < {alpha}. Two independent samples are assumed. Larger than "
        "sampling error is not yet real: [page 06]({page}) asks whether the change could come "
        "from how the years were measured.").format(**values)


def _method_name(ci_method: str) -> Renderable:
    return _("Korn-Graubard") if ci_method == "beta" else Fixed(ci_method)


def baseline_note(year: Any, base: Any | None, *, synthetic: Sequence[Any] = (),
                  published: bool = False) -> list[Message]:
    """Which year this one is compared with (or that there is none), and what synthetic data mean.

    Args:
        year: the current year.
        base: its baseline year (None: no baseline).
        synthetic: the years (of the two) whose survey data are synthetic.
        published: the page has a published-figures section.

    Examples:
        >>> print(baseline_note(2031, None)[0].render("en")[:36])
        **There is no baseline for 2031.** I
        >>> [m.render("en")[:40] for m in baseline_note(2031, 2030, synthetic=[2031])]
        ['2031 is compared with **2030**, as its p', 'The survey data of 2031 are **synthetic*']
    """
    values = {"year": Fixed(year), "base": Fixed(base)}
    if base is None:
        return [_("**There is no baseline for {year}.** Its parameters name no earlier year, so "
                  "there is no change to test on this page. The power analysis at the end "
                  "describes {year}'s design.").format(**values)]
    out = [_("{year} is compared with **{base}**, as its parameters say.").format(**values)]
    if synthetic:
        values["years"] = _and([Fixed(y) for y in synthetic])
        out.append((_("The survey data of {years} are **synthetic** (generated, not "
                      "collected), so the microdata results below illustrate the method; the "
                      "published-figures section holds for the real survey.") if published
                    else _("The survey data of {years} are **synthetic** (generated, not "
                           "collected), so the microdata results below illustrate the method, "
                           "not the real survey.")).format(**values))
    return out


def no_published_change(year: Any, base: Any) -> Message:
    """A year with a baseline but no published change: what the page does instead.

    Examples:
        >>> no_published_change(2031, 2030).render("en")[:58]
        'The parameters of 2031 record no published satisfaction ra'
    """
    return _("The parameters of {year} record no published satisfaction rate and change on "
             "{base}, so there is no published figure to test: the comparison rests on the "
             "survey microdata of both years.").format(year=Fixed(year), base=Fixed(base))


def microdata_method(ci_method: str = "beta") -> Message:
    """How the microdata changes are computed (Markdown), for the change page's microdata section."""
    return _("Each year is estimated with its own design. The change of a domain is built "
             "from the two years' own intervals (each year's {name} interval, with the domain's "
             "design degrees of freedom), combined by square-and-add (MOVER) for the points and "
             "the relative change alike, and its p-value is the level at which those intervals "
             "reach no change: the verdict, both intervals and the p-value cannot disagree. A "
             "domain that lies within a single office (PSU) in a year has no design-based "
             "variance there: its interval that year is binomial on its respondents, and the "
             "tables say so. Domains found in one year only are listed with their status, never "
             "dropped.").format(name=_method_name(ci_method))


# ---------------------------------------------------------------------------------------------
# One change in words
# ---------------------------------------------------------------------------------------------
def describe_change(row: pd.Series, *, years: tuple[Any, Any] = ("current", "base"),
                    level: float = 0.95) -> Renderable:
    """One sentence on one change (a row of a change table), in plain words.

    The verdict, both intervals and the p-value are the row's own (one verdict: the intervals
    exclude no change exactly when ``p < 1 - level``); "larger than sampling error", never
    "real" (see :func:`beyond_sampling_error`).

    Examples:
        >>> from satisfaction.compare import compare_published
        >>> r = compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
        >>> describe_change(r, years=(2031, 2030)).render("en")
        'From 2030 to 2031 the rate went from 86.69 % to 96.45 %: +9.76 points (95 % interval +9.06 to +10.48 points), a relative change of +11.26 % (95 % interval +10.38 % to +12.18 %); p < 0.0001: a rise larger than sampling error.'
        >>> describe_change(pd.Series({"change": np.nan, "status": "base year only"})).render("en")
        'No change can be computed (base year only).'
    """
    y1, y0 = (Fixed(y) for y in years)
    if not np.isfinite(row["change"]):
        return _("No change can be computed ({status}).").format(
            status=Fixed(row.get("status", "not in both years")))
    verdict = {VERDICT_RISE: _("a rise larger than sampling error"),
               VERDICT_FALL: _("a fall larger than sampling error")}.get(
        row["verdict"], _("within sampling error: both intervals include no change"))
    values = {"base": y0, "year": y1, "p0": Percent(row["p_base"]), "p1": Percent(row["p_current"]),
              "change": Points(row["change"]), "level": _conf(level),
              "low": Decimal(100 * row["change_low"], 2, signed=True),
              "high": Points(row["change_high"]),
              "p": _PText(row["p_value"], significance_level(level)), "verdict": verdict}
    if np.isfinite(row["rel_change"]):
        relative = _("a relative change of {rel} ({level} interval {rel_low} to {rel_high})").format(
            rel=_Relative(row["rel_change"]), level=_conf(level),
            rel_low=_Relative(row["rel_change_low"]), rel_high=_Relative(row["rel_change_high"]))
    else:
        relative = _("no finite relative change (the {base} rate is 0 %)").format(base=y0)
    sentence = _("From {base} to {year} the rate went from {p0} to {p1}: {change} ({level} "
                 "interval {low} to {high}), {relative}; {p}: {verdict}.").format(
                     **values, relative=relative)
    if row.get("test") == TEST_BINOMIAL:
        return sentence + " " + _("Its intervals are binomial: the domain lies within one office "
                                  "(PSU) in a year.")
    return sentence


def beyond_sampling_error(row: pd.Series, *, page: str = ROBUSTNESS_PAGE) -> Message | None:
    """Where the question goes next for a change larger than sampling error (page 06).

    Examples:
        >>> row = pd.Series({"verdict": "rise"})
        >>> beyond_sampling_error(row).render("en")[:68]
        'Larger than sampling error is not yet real: whether the change could'
        >>> beyond_sampling_error(pd.Series({"verdict": "within sampling error"})) is None
        True
    """
    if not _larger(row.get("verdict")):
        return None
    return _("Larger than sampling error is not yet real: whether the change could come from "
             "how the two years were measured (who was asked, the mode of the interview, "
             "low-quality forms, a courtesy, non-response or office-selection bias) is the "
             "question of [page 06, beyond sampling error]({page}).").format(page=Fixed(page))


def two_intervals_note(overall: pd.Series, readings: pd.DataFrame, figures: PublishedFigures,
                       *, deffs: tuple[float, float], years: tuple[Any, Any],
                       level: float = 0.95) -> Message:
    """Why the page shows two intervals for one change: the microdata's and the published figures'.

    Args:
        overall: the overall row of the microdata change table.
        readings: :func:`~satisfaction.compare.two_readings` of the published change.
        figures: what was published and assumed (:func:`~satisfaction.compare.published_setup`).
        deffs: the design effects of the overall rate in the current and base survey files.
        years: the current and base years.
        level: the confidence level.

    Examples:
        >>> from satisfaction.compare import PublishedFigures, compare_published, two_readings
        >>> row = compare_published(0.9645, 22250, 0.8669, 19752, 2.0, 3.4).iloc[0]
        >>> r = two_readings(0.9645, "+9.76 %", 22250, 22250, 50.0, 50.0)
        >>> f = PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 22250, 50.0)
        >>> two_intervals_note(row, r, f, deffs=(2.0, 3.4), years=(2031, 2030)).render("en")[:63]
        'Two intervals are shown for the change from 2030 to 2031, and t'
    """
    values = {
        **_years(years), "level": _conf(level),
        "micro": _interval(overall["change_low"], overall["change_high"]),
        "n1": Count(overall["n_current"]), "n0": Count(overall["n_base"]),
        "d1": Decimal(deffs[0], 2), "d0": Decimal(deffs[1], 2),
        "points": _interval(*readings.loc[READING_POINTS, ["change_low", "change_high"]]),
        "relative": _interval(*readings.loc[READING_RELATIVE, ["change_low", "change_high"]]),
        "deff": Decimal(figures.deff1, 0), "assumed": Count(figures.n0),
    }
    if figures.n0_published:
        return _("Two intervals are shown for the change from {base} to {year}, and they differ "
                 "on purpose. The microdata interval ({micro}) comes from each year's own survey "
                 "file and design: {n1} and {n0} respondents, design effects {d1} and {d0}. The "
                 "published-figures intervals ({points} read as points, {relative} read as "
                 "relative) use only what was published and take what was not, both years' "
                 "design effects, at its least favourable value ({deff}): they are wider, and "
                 "say what the published figures alone can support whatever the surveys' "
                 "designs were.").format(**values)
    return _("Two intervals are shown for the change from {base} to {year}, and they differ on "
             "purpose. The microdata interval ({micro}) comes from each year's own survey file "
             "and design: {n1} and {n0} respondents, design effects {d1} and {d0}. The "
             "published-figures intervals ({points} read as points, {relative} read as relative) "
             "use only what was published and take what was not at its least favourable value: "
             "design effects of {deff} in both years and {assumed} respondents assumed for "
             "{base}. They are wider, and say what the published figures alone can support "
             "whatever the surveys' designs were.").format(**values)


# ---------------------------------------------------------------------------------------------
# The published figures
# ---------------------------------------------------------------------------------------------
def describe_published(figures: PublishedFigures, *, years: tuple[Any, Any]) -> Message:
    """The published figures the readings start from, in one line (Markdown).

    Examples:
        >>> from satisfaction.compare import PublishedFigures
        >>> f = PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 22250, 50.0)
        >>> describe_published(f, years=(2031, 2030)).render("en")
        'Published: a change of **+9.76 %** on 2030; the 2031 rate, 96.45 %, from 22,250 respondents.'
        >>> describe_published(f, years=(2031, 2030)).render("vi")[:40]
        'Đã công bố: thay đổi **+9,76 %** so với '
    """
    values = {**_years(years), "reported": _reported(figures),
              "rate": Percent(figures.p1), "n": Count(figures.n1)}
    if figures.n1_published:
        return _("Published: a change of **{reported}** on {base}; the {year} rate, {rate}, from "
                 "{n} respondents.").format(**values)
    return _("Published: a change of **{reported}** on {base} and the {year} rate, {rate}; the "
             "{year} respondents were not published ({n} in the survey file).").format(**values)


def published_assumptions(figures: PublishedFigures, *, years: tuple[Any, Any]) -> Message:
    """What the published-figures section assumes, and why (both design effects unknown).

    Examples:
        >>> from satisfaction.compare import PublishedFigures
        >>> f = PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 22250, 50.0)
        >>> published_assumptions(f, years=(2031, 2030)).render("en")[:79]
        "The current year's rate and respondents are published; neither year's design ef"
    """
    low, high = figures.deff_range
    values = {"year": Fixed(years[0]), "base": Fixed(years[1]), "low": Decimal(low, 0),
              "high": Decimal(high, 0), "n0": Count(figures.n0)}
    text = _("The current year's rate and respondents are published; neither year's design "
             "effect is. This section rests on the published figures alone (the {year} survey "
             "file's own design effect is used only in the microdata section below): both "
             "years' design effects are treated as unknown between {low} and {high}, and the "
             "table tests the reported "
             "change under both readings at the least favourable end, {high} in both years. A "
             "larger design effect only widens the intervals, so what holds there holds over "
             "the whole range.").format(**values)
    if figures.n0_published:
        return text + " " + _("The {base} respondents ({n0}) are published.").format(**values)
    return text + " " + _("The {base} respondents were not published either: {n0}, as many as "
                          "{year}, is assumed. The last rows say how far these assumptions "
                          "could be wrong before the verdict changes (solved exactly, not read "
                          "off a grid).").format(**values)


def _verdict_words(verdict: str) -> Message:
    return _("larger than sampling error") if _larger(verdict) else _("within sampling error")


def _deff_words(deff1: float, deff0: float, deff_range: tuple[float, float] | None) -> Renderable:
    """The design effects a reading was computed at, and (if known) the range they stand for."""
    if deff_range is not None and deff1 == deff0 == deff_range[1]:
        return _("{deff} (unknown: the least favourable of {low} to {high})").format(
            deff=Decimal(deff1, 2), low=Decimal(deff_range[0], 0), high=Decimal(deff_range[1], 0))
    return _("{deff1} in {year1}, {deff0} in {year0} (assumed)").format(
        deff1=Decimal(deff1, 2), deff0=Decimal(deff0, 2), year1=_("the current year"),
        year0=_("the base year"))


def _reading_cells(r: pd.Series, published: bool,
                   deff_range: tuple[float, float] | None) -> dict[str, Renderable]:
    """One reading's figures, each written by its kind's rule."""
    return {
        "p_base": Percent(r["p_base"]), "p_current": Percent(r["p_current"]),
        "change": Points(r["change"]), "change_ci": _interval(r["change_low"], r["change_high"]),
        "rel": _Relative(r["rel_change"]),
        "rel_ci": _("{low} to {high}").format(low=_Relative(r["rel_change_low"]),
                                              high=_Relative(r["rel_change_high"])),
        "p": PValue(r["p_value"]), "verdict": _verdict_words(r["verdict"]),
        "n0": (_("{n} (published)") if published else _("{n} (assumed: not published)")
               ).format(n=Count(r["n_base"])),
        "deff": _deff_words(r["deff_current"], r["deff_base"], deff_range),
        **_tipping_cells(r),
        "both": Decimal(r["deff_both_critical"], 1),
    }


def _tipping_cells(r: pd.Series) -> dict[str, Renderable]:
    """Where a reading's verdict flips; in words where it never does (no number such as 0)."""
    critical = float(r["n_eff_base_critical"])
    if math.isinf(critical):
        return {"critical": _("every size: within sampling error at any size"),
                "min_n": _("none: within sampling error at any size"),
                "max_deff": _("none: within sampling error at any design effect")}
    if critical == 0:
        always = _("none: larger than sampling error at any size")
        return {"critical": always, "min_n": always,
                "max_deff": _("none: larger than sampling error at any design effect")}
    return {"critical": Decimal(critical, 1), "min_n": Count(r["min_n_base"]),
            "max_deff": Decimal(r["max_deff_base"], 0)}


def readings_table(readings: pd.DataFrame, *, years: tuple[Any, Any], level: float = 0.95,
                   figures: PublishedFigures | None = None) -> Table:
    """The two readings of a reported change side by side (one column per reading).

    Args:
        readings: the output of :func:`satisfaction.compare.two_readings`.
        years: the current and base years.
        level: the confidence level.
        figures: what was published and what is assumed (:func:`~satisfaction.compare.published_setup`):
            whether the base year's respondents were published and the range of design effects.

    Returns:
        A :class:`~satisfaction.report.tables.Table`: one row per figure (the implied base
        rate, the change and its interval in points and relative, the p-value, the verdict,
        the assumptions and the tipping points), one column per reading.

    Examples:
        >>> from satisfaction.compare import two_readings
        >>> r = two_readings(0.9645, "+9.76 %", 22250, 20000, 1.0, 2.0)
        >>> t = readings_table(r, years=(2031, 2030)).download("en")
        >>> t.iloc[:3].to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'Quantity': ['2030 rate implied', '2031 rate', 'Change'],
         'Read as percentage points': ['86.69 %', '96.45 %', '+9.76 points'],
         'Read as a relative change': ['87.87 %', '96.45 %', '+8.58 points']}
    """
    values = {**_years(years), "level": _conf(level)}
    rows = {
        "p_base": _("{base} rate implied"), "p_current": _("{year} rate"),
        "change": _("Change"), "change_ci": _("{level} interval of the change"),
        "rel": _("Relative change"), "rel_ci": _("{level} interval of the relative change"),
        "p": _("p-value"), "verdict": _("Verdict"), "n0": _("{base} respondents"),
        "deff": _("Design effect, both years"),
        "critical": _("Within sampling error below this effective {base} sample size"),
        "min_n": _("Smallest {base} sample at the assumed design effect"),
        "max_deff": _("Largest {base} design effect at the assumed sample size"),
        "both": _("Within sampling error above this design effect of both years"),
    }
    published = figures.n0_published if figures is not None else False
    deff_range = figures.deff_range if figures is not None else None
    frame = pd.DataFrame({"what": [m.format(**values) for m in rows.values()]})
    columns = [Column("what", _("Quantity"))]
    for reading, r in readings.iterrows():  # two readings
        cells = _reading_cells(r, published, deff_range)
        frame[str(reading)] = [cells[key] for key in rows]
        columns.append(Column(str(reading), READING_NAMES.get(str(reading), Fixed(reading))))
    return Table(frame, columns, caption=_("The published change tested under both readings, "
                                           "from published figures only"))


def sensitivity_note(figures: PublishedFigures, *, years: tuple[Any, Any],
                     level: float = 0.95) -> Message:
    """What each cell of the sensitivity grid is (Markdown).

    Examples:
        >>> from satisfaction.compare import PublishedFigures
        >>> f = PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 22250, 50.0)
        >>> sensitivity_note(f, years=(2031, 2030)).render("en")[:60]
        'Each cell is the lower limit of the 95 % interval of the cha'
    """
    return _("Each cell is the lower limit of the {level} interval of the change, in points, "
             "for an assumed {base} sample size (columns) and design effect (rows), with "
             "{year}'s design effect at {deff}, the least favourable of its range. Cells marked "
             "in the tables, and hatched in the figure, are those where the interval contains "
             "zero: only there would the change be within sampling error.").format(
                 level=_conf(level), base=Fixed(years[1]), year=Fixed(years[0]),
                 deff=Decimal(figures.deff1, 0))


class _DeffText:
    """A design effect as the grid shows it: a whole number, or one decimal (1,5)."""

    def __init__(self, value: float) -> None:
        self.value = float(value)

    def render(self, lang: Language) -> str:
        return decimal(self.value, 0 if self.value.is_integer() else 1, lang)


def sensitivity_table(grid: pd.DataFrame, reading: str, *, years: tuple[Any, Any],
                      level: float = 0.95, value: str = "change_low") -> Table:
    """A sensitivity grid as a table: the assumed base-year design effect (rows) by the assumed
    base-year respondents (columns), the interval's lower limit in points in each cell.

    A cell where the interval includes no change (within sampling error) is marked, with a
    footnote.

    Args:
        grid: one reading's :func:`satisfaction.compare.sensitivity_grid`.
        reading: the reading (:data:`~satisfaction.compare.READING_POINTS` or ``READING_RELATIVE``).
        years: the current and base years.
        level: the confidence level.
        value: the change column shown (the interval's lower limit by default).

    Examples:
        >>> from satisfaction.compare import sensitivity_grid
        >>> g = sensitivity_grid(0.9645, 22250, 0.8669, [50, 5000], [1.0, 10.0])
        >>> t = sensitivity_table(g, "percentage points", years=(2031, 2030))
        >>> t.download("en").to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'Assumed 2030 design effect ↓, respondents →': ['1', '10'], '50': [2.93, -1.79],
         '5,000': [8.81, 7.05]}
        >>> "<sup" in t.html("vi") and ">5.000</th>" in t.html("vi")
        True
    """
    values = grid.pivot(index="deff_base", columns="n_base", values=value).sort_index()
    excludes = grid.pivot(index="deff_base", columns="n_base",
                          values="interval_excludes_zero").reindex_like(values)
    frame = pd.DataFrame({"deff": [_DeffText(d) for d in values.index]})
    columns = [Column("deff", _("Assumed {base} design effect ↓, respondents →").format(
        base=Fixed(years[1])))]
    for j, n in enumerate(values.columns):  # a handful of assumed sizes
        frame[f"n{j}"] = values[n].to_numpy(float)
        frame[f"m{j}"] = np.where(excludes[n].fillna(False).astype(bool).to_numpy(), "", "a")
        columns.append(Column(f"n{j}", Count(n), "points", unit=False, marker=f"m{j}"))
    marked = bool((frame[[f"m{j}" for j in range(len(values.columns))]] == "a").any().any())
    footnotes = ({"a": _("within sampling error: the interval includes no change")}
                 if marked else {})
    caption = _("Lower limit of the {level} interval of the change (points), read as {reading}, "
                "by the assumed design effect (rows) and number of respondents (columns) of the "
                "{base} survey").format(level=_conf(level), base=Fixed(years[1]),
                                        reading=_READING_NOUNS.get(reading, Fixed(reading)))
    return Table(frame, columns, caption=caption, footnotes=footnotes)


def _tipping_words(crit: float, both: float, y0: Renderable) -> Message:
    if np.isfinite(crit) and crit > 0:
        return _("it would be within sampling error only if the {base} survey had fewer than "
                 "{crit} effective respondents (for example fewer than {crit2} respondents at a "
                 "design effect of 2), or if both years' design effects were above {both}").format(
                     base=y0, crit=Decimal(crit, 1), crit2=Count(math.ceil(2 * crit)),
                     both=Decimal(both, 1))
    if crit == 0:
        return _("it is larger than sampling error whatever the size of the base-year survey")
    return _("it cannot be larger than sampling error whatever the size of the base-year survey")


def _reading_line(reading: str, row: pd.Series, y0: Renderable, level: float) -> Message:
    """The verdict on one reading: the implied base rate, the change, and its tipping points."""
    values = {"base": y0, "p0": Percent(row["p_base"]), "change": Points(row["change"]),
              "level": _conf(level), "low": Points(row["change_low"]),
              "high": Points(row["change_high"]), "rel": Decimal(100 * row["rel_change"], 2),
              "rel_low": Decimal(100 * row["rel_change_low"], 2),
              "rel_high": Decimal(100 * row["rel_change_high"], 2)}
    if reading == READING_POINTS:
        what = _("{base} would have been {p0}; the change is {change} ({level} interval {low} "
                 "to {high}), a relative rise of {rel} %").format(**values)
        name = _("**Read as percentage points:**")
    else:
        what = _("{base} would have been {p0}; the rate rose by {rel} % of its {base} level "
                 "({level} interval {rel_low} % to {rel_high} %), which is {change} ({level} "
                 "interval {low} to {high})").format(**values)
        name = _("**Read as relative:**")
    verdict = {VERDICT_RISE: _("a rise larger than sampling error"),
               VERDICT_FALL: _("a fall larger than sampling error")}.get(
        row["verdict"], _("within sampling error"))
    how = _tipping_words(row.get("n_eff_base_critical", np.nan),
                         row.get("deff_both_critical", np.nan), y0)
    return _("- {name} {what}. At the assumed {base} sample size and the design effects shown "
             "this is {verdict}; {how}.").format(name=name, what=what, base=y0, verdict=verdict,
                                                  how=how)


def _microdata_lines(readings: pd.DataFrame, base_estimate: pd.Series | dict,
                     base_synthetic: bool, y0: Renderable, level: float) -> list[Message]:
    """Which readings the base year's own estimate is consistent with (and a caution)."""
    est = pd.Series(base_estimate)
    low, high = float(est["ci_low"]), float(est["ci_high"])
    inside = [r for r, row in readings.iterrows() if low <= row["p_base"] <= high]
    if len(inside) == 1:
        fits = (_("only the percentage points reading") if inside[0] == READING_POINTS
                else _("only the relative reading"))
    else:
        fits = _("both readings") if len(inside) == 2 else _("neither reading")
    lines = [_("- **What the {base} microdata say:** the {base} rate estimated from its own "
               "survey is {rate} ({level} interval {low} to {high}); its interval is consistent "
               "with {fits}.").format(base=y0, rate=Percent(float(est["estimate"])),
                                      level=_conf(level), low=Percent(low), high=Percent(high),
                                      fits=fits)]
    if base_synthetic:
        lines.append(_("- **Caution:** the {base} microdata in this repository are synthetic: "
                       "whether their rate fits a reading says nothing about the real {base} "
                       "survey (a synthetic year can be generated to fit one, and the shipped "
                       "ones were calibrated to the published figures). It becomes evidence "
                       "only when the real {base} survey file arrives.").format(base=y0))
    return lines


def readings_verdict(
    readings: pd.DataFrame,
    *,
    base_estimate: pd.Series | dict | None = None,
    base_synthetic: bool = False,
    years: tuple[Any, Any] = ("current", "base"),
    level: float = 0.95,
) -> list[Message]:
    """A plain-words verdict on the two readings of a reported change (Markdown lines).

    Each reading's line words its row of :func:`~satisfaction.compare.two_readings` (its
    ``verdict`` and tipping points), so the words cannot contradict the table.

    Args:
        readings: the output of :func:`satisfaction.compare.two_readings`.
        base_estimate: the base year's own estimate from microdata, if any: ``estimate``,
            ``ci_low``, ``ci_high`` (fractions).
        base_synthetic: the base-year microdata are synthetic (the check is then circular).
        years: labels of the current and base years.
        level: the confidence level used (for wording).

    Returns:
        Markdown list items for a reviewer (one message each).

    Examples:
        >>> from satisfaction.compare import two_readings
        >>> r = two_readings(0.9645, "+9.76 %", 22250, 20000, 1.0, 2.0)
        >>> print(readings_verdict(r, years=(2031, 2030))[-1].render("en"))
        - **Which reading?** The published figures cannot tell: both readings describe a rise larger than sampling error; they differ only in the 2030 level (86.69 % against 87.87 %, 1.18 points apart).
    """
    y0 = Fixed(years[1])
    lines = [_reading_line(reading, row, y0, level) for reading, row in readings.iterrows()]
    gap = abs(readings["p_base"].iloc[0] - readings["p_base"].iloc[1])
    verdicts = set(readings["verdict"])
    both = (_("both readings describe a rise larger than sampling error") if verdicts == {VERDICT_RISE}
            else _("both readings describe a fall larger than sampling error")
            if verdicts == {VERDICT_FALL} else _("the readings are tested above"))
    lines.append(_("- **Which reading?** The published figures cannot tell: {both}; they differ "
                   "only in the {base} level ({p_points} against {p_relative}, {gap} points "
                   "apart).").format(both=both, base=y0,
                                     p_points=Percent(readings["p_base"].iloc[0]),
                                     p_relative=Percent(readings["p_base"].iloc[1]),
                                     gap=Decimal(100 * gap, 2)))
    if base_estimate is not None:
        lines.extend(_microdata_lines(readings, base_estimate, base_synthetic, y0, level))
    return lines


# ---------------------------------------------------------------------------------------------
# Change tables
# ---------------------------------------------------------------------------------------------
def _result_codes(changes: pd.DataFrame, small: np.ndarray) -> np.ndarray:
    """The verdict column's code per row: the verdict, or the status that says why there is none."""
    status = changes["status"].astype(object).fillna("").astype(str)
    status = status.where(~status.str.startswith(STATUS_COLUMN_MISSING), STATUS_COLUMN_MISSING)
    verdict = changes["verdict"].astype(object).fillna("").astype(str).to_numpy()
    codes = np.where(np.isin(verdict, list(_RESULTS)), verdict, status.to_numpy())
    codes = np.where(codes == STATUS_BOTH, STATUS_NO_INTERVAL, codes)
    return np.where(small, "suppressed", codes).astype(object)


def changes_table(
    changes: pd.DataFrame,
    kind: str = "domain",
    *,
    labels: Labels | None = None,
    years: tuple[Any, Any] = ("current", "base"),
    level: float = 0.95,
    min_n: int | None = None,
    caption: Renderable | str | None = None,
    relative: bool = False,
) -> Table:
    """A change table of one kind of domain, as reviewers read it.

    Each row: the domain by its label, the respondents and the rate of each year, the change in
    points with its interval, the p-value, the verdict (a rise or a fall larger than sampling
    error, within it, or why there is none) and the p-value after Holm's correction when
    present. A domain whose intervals are binomial (it lies within one office in a year) is
    marked, with a footnote. The download holds every column: also the relative change and its
    interval, where each interval comes from and the Benjamini-Hochberg p-value. A domain with
    fewer than ``min_n`` respondents in a year keeps its row but shows no figure, not even its
    counts.

    Args:
        changes: rows of one kind of domain of :func:`~satisfaction.compare.compare_domains`
            (the ``domain`` column names them), or a :func:`~satisfaction.compare.change_table`
            (its index names them).
        kind: the kind of domain (its header: ``level``, ``field``, ``province``, ``office``;
            ``domain`` for a mix).
        labels: the domains' labels in each language (the codebook's); ``"all"`` reads "All
            respondents".
        years: the current and base years.
        level: the confidence level.
        min_n: the disclosure threshold (None: every domain shown).
        caption: a caption above the table.
        relative: show the relative change on the page too (the overall table), not only in
            the download.

    Returns:
        A :class:`~satisfaction.report.tables.Table` (complete however long).

    Examples:
        >>> from satisfaction.compare import change_table
        >>> cur = pd.DataFrame({"estimate": [0.96, 0.9], "se": [0.004, 0.03], "n": [9000, 100],
        ...                     "df": [300, 30]}, index=pd.Index(["district", "central"], name="level"))
        >>> base = pd.DataFrame({"estimate": [0.87, 0.8], "se": [0.007, 0.05], "n": [8000, 8],
        ...                      "df": [300, 30]}, index=pd.Index(["district", "central"], name="level"))
        >>> t = changes_table(change_table(cur, base), "level", years=(2031, 2030), min_n=10,
        ...                   labels=lambda lang: {"district": "Huyện"})
        >>> d = t.download("en")
        >>> d[["Level", "Respondents 2030", "Change (points)", "Verdict"]].to_dict("list")
        ... # doctest: +NORMALIZE_WHITESPACE
        {'Level': ['Huyện', 'central'], 'Respondents 2030': [8000.0, nan],
         'Change (points)': [9.0, nan], 'Verdict': ['rise',
         'suppressed: fewer respondents than the disclosure threshold in a year']}
    """
    frame = changes.reset_index() if "domain" not in changes.columns else changes.copy()
    if "domain" not in frame.columns:
        frame = frame.rename(columns={frame.columns[0]: "domain"})
    frame = frame.reset_index(drop=True)
    n1 = pd.to_numeric(frame["n_current"], errors="coerce")
    n0 = pd.to_numeric(frame["n_base"], errors="coerce")
    small = (((n1.fillna(np.inf) < min_n) | (n0.fillna(np.inf) < min_n)).to_numpy()
             if min_n is not None else np.zeros(len(frame), dtype=bool))
    numbers = ["n_current", "n_base", "p_current", "p_base", "change", "change_low",
               "change_high", "rel_change", "rel_change_low", "rel_change_high", "p_value",
               *[c for c in ("p_holm", "p_bh") if c in frame.columns]]
    for column in numbers:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        frame.loc[small, column] = np.nan
    frame["result"] = _result_codes(frame, small)
    frame["test"] = frame.get("test", pd.Series("", index=frame.index)).where(~small, "")
    frame["marker"] = np.where(frame["test"] == TEST_BINOMIAL, "a", "")
    given = labels

    def with_all(lang: Language) -> dict[Any, str]:
        return {"all": render(_("All respondents"), lang), **label_map(given, lang)}

    values = {**_years(years), "level": _conf(level)}
    columns = [
        Column("domain", DOMAIN_HEADERS.get(kind, _("Group")), "category", labels=with_all,
               marker="marker"),
        Column("n_base", _("Respondents {year}").format(year=values["base"]), "count"),
        Column("n_current", _("Respondents {year}").format(year=values["year"]), "count"),
        Column("p_base", _("{year} rate").format(year=values["base"]), "rate"),
        Column("p_current", _("{year} rate").format(year=values["year"]), "rate"),
        Column("change", _("Change"), "points"),
        Column(("change_low", "change_high"), _("{level} interval").format(**values), "points"),
        Column("rel_change", _("Relative change (%)"), "points", unit=False, on_page=relative),
        Column(("rel_change_low", "rel_change_high"),
               _("{level} interval of the relative change (%)").format(**values), "points",
               unit=False, on_page=relative),
        Column("p_value", _("p-value"), "p_value"),
        Column("result", _("Verdict"), "category", labels=_RESULTS),
        Column("test", _("Intervals from"), "category", labels=_TESTS, missing="",
               on_page=False),
    ]
    if "p_holm" in frame.columns:
        columns.append(Column("p_holm", _("p-value after Holm's correction"), "p_value",
                              on_page=not relative))
    if "p_bh" in frame.columns:
        columns.append(Column("p_bh", _("p-value after Benjamini-Hochberg"), "p_value",
                              on_page=False))
    binomial = (frame["marker"] == "a").any()
    return Table(frame, columns, caption=caption, notes=[_VERDICT_NOTE], footnotes={
        "a": _("intervals binomial on the respondents: the domain lies within one office (PSU) "
               "in a year")} if binomial else {})


_VERDICT_NOTE: Final = N_("Verdict: a rise or a fall larger than sampling error (the interval "
                          "excludes no change), or within sampling error; where there is no "
                          "verdict, why.")


def binomial_note(changes: pd.DataFrame, kind: str) -> Message | None:
    """A sentence for a table of domains some of which lie within one PSU (``test`` binomial).

    Examples:
        >>> t = pd.DataFrame({"test": ["binomial", "binomial", "design"]})
        >>> binomial_note(t, "office").render("en")[:52]
        '2 of the 3 office domains lie within a single office'
        >>> binomial_note(t.iloc[2:], "level") is None
        True
    """
    tested = changes["test"].isin([TEST_DESIGN, TEST_BINOMIAL]) if "test" in changes else None
    if tested is None:
        return None
    binomial = int((changes["test"] == TEST_BINOMIAL).sum())
    if not binomial:
        return None
    return _("{binomial} of the {tested} {kind} domains lie within a single office (PSU) in a "
             "year: the design cannot estimate their variance between offices, so their "
             "intervals are binomial on their respondents (the table says so), taking the "
             "office's respondents as a simple random sample of its clients.").format(
                 binomial=Count(binomial), tested=Count(int(tested.sum())),
                 kind=DOMAIN_LABELS.get(kind, Fixed(kind)))


def moved_table(moved: pd.DataFrame) -> Table:
    """How many domains moved, per family of tests (:func:`satisfaction.compare.moved_summary`).

    The rises and falls among the Benjamini-Hochberg verdicts are in the download (the page's
    per-domain tables show each one).

    Examples:
        >>> from satisfaction.compare import moved_summary
        >>> t = pd.DataFrame({"domain_type": ["level", "level"], "p_value": [0.001, 0.4],
        ...     "change": [0.05, -0.01], "significant_holm": [True, False],
        ...     "significant_bh": [True, False]})
        >>> moved_table(moved_summary(t)).download("en").iloc[0, :5].to_dict()
        {'Domains of': 'Level', 'Domains': 2.0, 'Compared': 2.0, 'Not compared': 0.0, 'Larger than sampling error, uncorrected': 1.0}
    """
    frame = moved.rename_axis("family").reset_index()
    frame["estimated_true_moves"] = pd.to_numeric(frame["estimated_true_moves"], errors="coerce")
    kinds = {"overall": _("All respondents"), **DOMAIN_HEADERS}
    columns = [
        Column("family", _("Domains of"), "category", labels=kinds),
        Column("domains", _("Domains"), "count"),
        Column("tested", _("Compared"), "count"),
        Column("not_tested", _("Not compared"), "count"),
        Column("significant_raw", _("Larger than sampling error, uncorrected"), "count"),
        Column("expected_false_raw", _("Expected by chance alone, uncorrected"), "decimal",
               digits=1),
        Column("significant_holm", _("After Holm's correction"), "count"),
        Column("significant_bh", _("After Benjamini-Hochberg"), "count"),
        Column("up_bh", _("Of which rises (Benjamini-Hochberg)"), "count", on_page=False),
        Column("down_bh", _("Of which falls (Benjamini-Hochberg)"), "count", on_page=False),
        Column("estimated_true_moves", _("Domains that changed at all, estimated (Storey)"),
               "decimal", digits=1),
    ]
    return Table(frame, columns, caption=_("Domains whose change is larger than sampling error, "
                                           "by kind of domain"))


# ---------------------------------------------------------------------------------------------
# Power
# ---------------------------------------------------------------------------------------------
def detectable_table(table: pd.DataFrame, *, mde: float | None = None,
                     labels: Labels | None = None) -> Table:
    """A :func:`satisfaction.power.power_table` as reviewers read it.

    Args:
        table: the output of :func:`satisfaction.power.power_table` (one row per group; ``all``
            reads "All respondents").
        mde: the planned change of ``n_needed`` (for its header).
        labels: the groups' labels in each language (the codebook's levels).

    Examples:
        >>> from satisfaction.power import power_table
        >>> est = pd.DataFrame({"estimate": [0.9645], "se": [0.0018], "n": [22250],
        ...                     "deff": [2.0]}, index=["all"])
        >>> print(detectable_table(power_table(est, mde=0.02), mde=0.02).download("en").T.to_string())
                                                                                       0
        Group                                                            All respondents
        Satisfied (%)                                                              96.45
        Respondents (n)                                                          22250.0
        Design effect                                                                2.0
        Effective sample size                                                    11125.0
        Smallest detectable change (points)                                         0.73
        The same, from the standard error alone (points)                            0.71
        Respondents needed per survey to detect a change of 2.00 points           3407.0
        Times this year's respondents                                               0.15
    """
    frame = table.copy()
    frame.insert(0, "group", frame.index.to_numpy())
    frame = frame.reset_index(drop=True)
    frame["mde_points"] = 100 * frame["mde"]
    frame["mde_se_points"] = 100 * frame["mde_se"]
    given = labels

    def with_all(lang: Language) -> dict[Any, str]:
        return {"all": render(_("All respondents"), lang), **label_map(given, lang)}

    columns = [
        Column("group", _("Group"), "category", labels=with_all),
        Column("estimate", _("Satisfied"), "rate"),
        Column("n", _("Respondents (n)"), "count"),
        Column("deff", _("Design effect"), "decimal"),
        Column("n_eff", _("Effective sample size"), "count"),
        Column("mde_points", _("Smallest detectable change (points)"), "decimal"),
        Column("mde_se_points", _("The same, from the standard error alone (points)"), "decimal"),
    ]
    if "n_needed" in frame.columns and mde is not None:
        columns += [
            Column("n_needed", _("Respondents needed per survey to detect a change of {mde}")
                   .format(mde=Points(mde, signed=False)), "count"),
            Column("n_needed_ratio", _("Times this year's respondents"), "decimal"),
        ]
    return Table(frame, columns, caption=_("The smallest change this year's design can detect"))


# ---------------------------------------------------------------------------------------------
# The summary of findings
# ---------------------------------------------------------------------------------------------
def _overall_finding(row: pd.Series, years: tuple[Any, Any], level: float) -> Message:
    values = {**_years(years), "p0": Percent(row["p_base"]), "p1": Percent(row["p_current"]),
              "change": Points(row["change"]), "level": _conf(level),
              "interval": _interval(row["change_low"], row["change_high"]),
              "page": Fixed(ROBUSTNESS_PAGE)}
    if not np.isfinite(row["change"]):
        return _("The change from {base} to {year} cannot be computed from the microdata.").format(
            **values)
    if row["verdict"] == VERDICT_RISE:
        return _("From {base} to {year} the satisfaction rate rose from {p0} to {p1}: {change} "
                 "({level} confidence interval {interval}), larger than sampling error. Whether "
                 "it could come from how the years were measured is the question of "
                 "[page 06]({page}).").format(**values)
    if row["verdict"] == VERDICT_FALL:
        return _("From {base} to {year} the satisfaction rate fell from {p0} to {p1}: {change} "
                 "({level} confidence interval {interval}), larger than sampling error. Whether "
                 "it could come from how the years were measured is the question of "
                 "[page 06]({page}).").format(**values)
    return _("From {base} to {year} the satisfaction rate went from {p0} to {p1}: {change} "
             "({level} confidence interval {interval}), within sampling error.").format(**values)


def _published_finding(readings: pd.DataFrame, figures: PublishedFigures) -> Message:
    larger = [r for r, row in readings.iterrows() if _larger(row["verdict"])]
    values = {"reported": _reported(figures), "deff": Decimal(figures.deff1, 0)}
    if len(larger) == len(readings):
        return _("The published change, \"{reported}\", is larger than sampling error under both "
                 "readings (percentage points or relative), even at the least favourable design "
                 "effects assumed ({deff} in both years).").format(**values)
    if larger:
        return _("The published change, \"{reported}\", is larger than sampling error only if "
                 "read as {reading}, at the least favourable design effects assumed ({deff} in "
                 "both years).").format(**values, reading=_READING_NOUNS.get(larger[0],
                                                                             Fixed(larger[0])))
    return _("The published change, \"{reported}\", is within sampling error under both "
             "readings at the least favourable design effects assumed ({deff} in both years); "
             "the sensitivity tables show what the unpublished figures would have to be for it "
             "not to be.").format(**values)


def _moved_finding(moved: pd.DataFrame) -> Message | None:
    parts = [COUNT_NOUNS[kind].format(k=Count(moved.loc[kind, "significant_holm"]),
                                      n=Count(moved.loc[kind, "tested"]))
             for kind in COUNT_NOUNS if kind in moved.index and moved.loc[kind, "tested"] > 0]
    if not parts:
        return None
    return _("Corrected for the many comparisons (Holm), the change is larger than sampling error "
             "in {parts}.").format(parts=_and(parts))


def _power_finding(row: pd.Series, *, alpha: float, power: float, mde: float | None) -> Message:
    values = {"mde": Points(row["mde"], signed=False), "alpha": Percent(alpha, 0), "power": Percent(power, 0)}
    if mde is not None and "n_needed" in row and np.isfinite(row["n_needed"]):
        return _("A repeat survey with this year's design could detect a change of {mde} or "
                 "more in the overall rate ({power} power, {alpha} significance level); a change "
                 "of {target} would take {n} respondents per survey.").format(
                     **values, target=Points(mde, signed=False), n=Count(row["n_needed"]))
    return _("A repeat survey with this year's design could detect a change of {mde} or more in "
             "the overall rate ({power} power, {alpha} significance level).").format(**values)


def change_findings(
    *,
    years: tuple[Any, Any | None],
    overall: pd.Series | None = None,
    readings: pd.DataFrame | None = None,
    figures: PublishedFigures | None = None,
    moved: pd.DataFrame | None = None,
    detectable: pd.Series | None = None,
    level: float = 0.95,
    alpha: float = 0.05,
    power: float = 0.8,
    mde: float | None = None,
) -> list[Message]:
    """The change page's findings in plain words (three to five), each computed from its numbers.

    Args:
        years: the current year and its baseline (None: no baseline).
        overall: the overall row of the microdata change table.
        readings: both readings of the published change (None: nothing published).
        figures: what was published and assumed.
        moved: :func:`satisfaction.compare.moved_summary` of the domains' changes.
        detectable: the overall row of :func:`satisfaction.power.power_table`.
        level: the confidence level of the intervals.
        alpha: the significance level of the power analysis.
        power: the power of the power analysis.
        mde: the planned change of the power analysis.

    Returns:
        Messages, most important first: the change, the published change, the domains, power.

    Examples:
        >>> [m.render("en")[:45] for m in change_findings(years=(2031, None))]
        ['There is no baseline for 2031: this page test']
    """
    year, base = years
    out: list[Message] = []
    if base is None:
        out.append(_("There is no baseline for {year}: this page tests no change. It shows what "
                     "{year}'s design could detect in a future comparison.").format(
                         year=Fixed(year)))
    elif overall is not None:
        out.append(_overall_finding(overall, (year, base), level))
    if base is not None and readings is not None and figures is not None:
        out.append(_published_finding(readings, figures))
    elif base is not None:
        out.append(_("No change on {base} was published for {year}: the comparison rests on the "
                     "survey microdata alone.").format(year=Fixed(year), base=Fixed(base)))
    finding = _moved_finding(moved) if moved is not None else None
    if finding is not None:
        out.append(finding)
    if detectable is not None:
        out.append(_power_finding(detectable, alpha=alpha, power=power, mde=mde))
    return out[:5]


def change_headline(overall: pd.Series, *, baseline_year: int, level: float) -> dict[str, Any]:
    """The figures of the overall change that the index page shows (points and %).

    Args:
        overall: the overall row of a change table.
        baseline_year: the year compared with.
        level: the confidence level of the interval.

    Returns:
        ``baseline_year``, ``change_pp`` and its interval ``change_ci_low`` /
        ``change_ci_high`` (points), ``change_relative_pct`` (%), ``change_p_value`` and
        ``confidence``: the ``03_change`` headline of
        :func:`satisfaction.report.index.save_headline`.

    Examples:
        >>> from satisfaction.compare import compare_published
        >>> r = compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
        >>> {k: round(v, 2) for k, v in change_headline(r, baseline_year=2030, level=0.95).items()}
        ... # doctest: +NORMALIZE_WHITESPACE
        {'baseline_year': 2030, 'change_pp': 9.76, 'change_ci_low': 9.06, 'change_ci_high': 10.48,
         'change_relative_pct': 11.26, 'change_p_value': 0.0, 'confidence': 0.95}
    """
    return {
        "baseline_year": baseline_year,
        "change_pp": 100 * float(overall["change"]),
        "change_ci_low": 100 * float(overall["change_low"]),
        "change_ci_high": 100 * float(overall["change_high"]),
        "change_relative_pct": 100 * float(overall["rel_change"]),
        "change_p_value": float(overall["p_value"]),
        "confidence": level,
    }

