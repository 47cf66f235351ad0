"""The change between two years as a reviewer reads it: tables in % and points, and sentences.

Every table and sentence of the change page that is written, not computed, is written here,
and each one words a row of a change table (:mod:`satisfaction.compare`): the verdict
(``verdict``: a rise or a fall larger than sampling error, or within it), both intervals and
the p-value come from that one row, so no sentence can say more than the row does, and none
calls a change "real" on sampling error alone (page 06 asks the rest):

* :func:`format_changes` -- a change table with rates in %, changes in points, p-values as
  text, the ``test`` behind each interval, and domains under the disclosure threshold
  suppressed; :func:`binomial_note` -- what a ``binomial`` test means;
* :func:`format_readings`, :func:`readings_verdict` -- the two readings of a reported change
  ("+9.76 %": points or relative) side by side, and a plain-words verdict on them;
  :func:`published_assumptions`, :func:`sensitivity_note` -- what the published-figures
  section assumes (both years' design effects unknown over a range);
* :func:`describe_change` -- one sentence on one change; :func:`beyond_sampling_error` -- the
  pointer to page 06; :func:`describe_published` -- the published figures the test starts
  from; :func:`introduction`, :func:`microdata_method` -- the page's framing;
* :func:`format_sensitivity` -- a sensitivity grid as a table of points;
* :func:`format_power` -- a power table in % and points;
* :func:`change_headline` -- the figures the index page shows for the change.

Numbers are written by :mod:`satisfaction.report.formats` (``percent``, ``points``,
``p_value``), so a rate reads the same here as on every other page. Text written since the
pages became bilingual is a :class:`~satisfaction.i18n.Message` (English in the code,
Vietnamese from the catalogue); the older tables keep their English labels.

Not for: computing changes, tests or power (:mod:`satisfaction.compare`,
:mod:`satisfaction.power`) or drawing them (:mod:`satisfaction.plots.change`).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from ..compare import (
    READING_POINTS,
    TEST_BINOMIAL,
    VERDICT_FALL,
    VERDICT_RISE,
    PublishedFigures,
    sensitivity_table,
    significance_level,
)
from ..i18n import N_, Language, Message, Renderable, _, render
from .formats import Count, Decimal, Percent, Points, decimal, p_value, percent

__all__ = [
    "DOMAIN_LABELS",
    "ROBUSTNESS_PAGE",
    "beyond_sampling_error",
    "binomial_note",
    "change_headline",
    "describe_change",
    "describe_published",
    "format_changes",
    "format_power",
    "format_readings",
    "format_sensitivity",
    "introduction",
    "microdata_method",
    "published_assumptions",
    "readings_verdict",
    "sensitivity_note",
]

DOMAIN_LABELS: Final[dict[str, Message]] = {
    "level": N_("level"),
    "field": N_("procedure field"),
    "province": N_("province"),
    "office": N_("office"),
}
"""The kinds of domain of the change page, as its sentences name them."""

ROBUSTNESS_PAGE: Final = "06_robustness.html"
"""Page 06 of the same year (a sibling file): whether the change could come from how the years
were measured."""


class _Fixed:
    """A text that is the same in every language (a year, a label as typed)."""

    def __init__(self, text: Any) -> None:
        self.text = str(text)

    def render(self, lang: Language) -> str:
        return self.text


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


def _conf(level: float) -> Percent:
    return Percent(level, 0)


def _interval_points(low: pd.Series, high: pd.Series) -> list[str]:
    """Interval limits in signed points without the unit (``"+8.83 to +10.72"``); "" if none."""
    return ["" if np.isnan(a) else f"{100 * a:+.2f} to {100 * b:+.2f}"
            for a, b in zip(low, high, strict=True)]


def _p_cells(values: pd.Series) -> pd.Series:
    """p-values as the change tables show them: :func:`~.formats.p_value`, written ``<0.0001``
    without the space (as these tables have always shown it)."""
    return values.map(lambda p: p_value(p).replace("< ", "<"))


def format_changes(
    changes: pd.DataFrame, *, min_n: int | None = None, years: tuple[Any, Any] = ("current", "base"),
    level: float = 0.95,
) -> pd.DataFrame:
    """A change table for reading: rates and changes in percent/points, rounded.

    Domains with fewer than ``min_n`` respondents in either year (the disclosure threshold)
    keep their row but show no figures, and say so in ``status``.

    Args:
        changes: a change table (:func:`~satisfaction.compare.change_table` or
            :func:`~satisfaction.compare.compare_domains`).
        min_n: the disclosure threshold (None: show every domain).
        years: labels of the current and base years (column names).
        level: confidence level (column names).

    Returns:
        Columns: status, n per year, rate per year (%), change (points) and its interval,
        relative change (%) and its interval, p-value, the ``test`` (``design``, or
        ``binomial`` where a year's domain lies within one PSU: :data:`~satisfaction.compare.TEST_BINOMIAL`;
        :func:`binomial_note` says what that means) and (if present) Holm / BH p-values.

    Examples:
        >>> from satisfaction.compare import change_table
        >>> cur = pd.DataFrame({"estimate": [0.96], "se": [0.004], "n": [9000], "df": [300]},
        ...                    index=["x"])
        >>> base = pd.DataFrame({"estimate": [0.87], "se": [0.007], "n": [8], "df": [300]},
        ...                     index=["x"])
        >>> format_changes(change_table(cur, base), min_n=10, years=(2020, 2019))["status"].iloc[0]
        'suppressed: fewer than 10 respondents'
        >>> base["n"] = 8000
        >>> format_changes(change_table(cur, base), years=(2020, 2019)).iloc[:, 5:9].T
                                           x
        change, points                   9.0
        95 % CI, points      +7.39 to +10.63
        relative change, %             10.34
        95 % CI, relative %  +8.39 to +12.40
    """
    y1, y0 = (str(y) for y in years)
    ci = f"{100 * level:g} % CI"
    df = changes
    out = pd.DataFrame(index=df.index)
    for col in ("domain_type", "domain"):
        if col in df.columns:
            out[col] = df[col]
    out["status"] = df["status"]
    out[f"n {y1}"] = df["n_current"].astype("Int64")
    out[f"n {y0}"] = df["n_base"].astype("Int64")
    out[f"% {y1}"] = (100 * df["p_current"]).round(2)
    out[f"% {y0}"] = (100 * df["p_base"]).round(2)
    out["change, points"] = (100 * df["change"]).round(2)
    out[f"{ci}, points"] = _interval_points(df["change_low"], df["change_high"])
    out["relative change, %"] = (100 * df["rel_change"]).round(2)
    out[f"{ci}, relative %"] = _interval_points(df["rel_change_low"], df["rel_change_high"])
    out["p"] = _p_cells(df["p_value"])
    if "test" in df.columns:
        out["test"] = df["test"]
    for col, name in (("p_holm", "p (Holm)"), ("p_bh", "p (BH)")):
        if col in df.columns:
            out[name] = _p_cells(df[col])
    if min_n is not None:
        small = (df["n_current"].fillna(np.inf) < min_n) | (df["n_base"].fillna(np.inf) < min_n)
        figures = [c for c in out.columns if c not in ("domain_type", "domain", "status")]
        out[figures] = out[figures].astype(object)
        out.loc[small, figures] = ""
        out.loc[small, "status"] = f"suppressed: fewer than {min_n} respondents"
    return out


def format_readings(readings: pd.DataFrame, *, years: tuple[Any, Any] = ("current", "base"),
                    level: float = 0.95, figures: PublishedFigures | None = None,
                    lang: Language = "en") -> pd.DataFrame:
    """The two readings side by side, for reading (one column per reading).

    Args:
        readings: the output of :func:`satisfaction.compare.two_readings`.
        years: labels of the current and base years.
        level: confidence level (row names).
        figures: what was published and what is assumed (:func:`~satisfaction.compare.published_setup`):
            whether the base year's respondents were published and the range of design effects.
        lang: the language of the rows written since the page became bilingual.

    Returns:
        A table of text: implied base rate, change and interval in points, relative change
        and interval, p-value, the verdict, the assumptions and the tipping points.

    Examples:
        >>> from satisfaction.compare import two_readings
        >>> r = two_readings(0.9645, "+9.76 %", 22250, 20000, 1.0, 2.0)
        >>> format_readings(r, years=(2020, 2019)).iloc[:3]  # doctest: +NORMALIZE_WHITESPACE
                          percentage points relative
        2019 rate implied           86.69 %  87.87 %
        2020 rate                   96.45 %  96.45 %
        change, points               +9.76    +8.58
        >>> format_readings(r, years=(2020, 2019)).loc["verdict"].tolist()
        ['larger than sampling error', 'larger than sampling error']
    """
    y1, y0 = (str(y) for y in years)
    ci = f"{100 * level:g} % CI"
    published = figures.n0_published if figures is not None else False
    deff_range = figures.deff_range if figures is not None else None
    labels = {
        "verdict": _("verdict"),
        "n0": _("{year} respondents").format(year=_Fixed(y0)),
        "deff": _("design effect, both years"),
        "critical": _("within sampling error below this effective {year} sample size").format(
            year=_Fixed(y0)),
        "both": _("within sampling error above this design effect of both years"),
    }
    rows = {}
    for reading, r in readings.iterrows():  # two readings
        rows[reading] = {
            f"{y0} rate implied": percent(r["p_base"]),
            f"{y1} rate": percent(r["p_current"]),
            "change, points": f"{100 * r['change']:+.2f}",
            f"{ci}, points": f"{100 * r['change_low']:+.2f} to {100 * r['change_high']:+.2f}",
            "relative change, %": f"{100 * r['rel_change']:+.2f}",
            f"{ci}, relative %": f"{100 * r['rel_change_low']:+.2f} to "
                                 f"{100 * r['rel_change_high']:+.2f}",
            "p": p_value(r["p_value"]),
            labels["verdict"]: _verdict_words(r["verdict"]),
            labels["n0"]: (_("{n} (published)") if published else _("{n} (assumed: not published)")
                           ).format(n=Count(r["n_base"])),
            labels["deff"]: _deff_words(r["deff_current"], r["deff_base"], deff_range),
            labels["critical"]: Decimal(r["n_eff_base_critical"], 1),
            f"smallest {y0} n at the assumed design effect": f"{r['min_n_base']:,.0f}",
            f"largest {y0} design effect at the assumed n": f"{r['max_deff_base']:,.0f}",
            labels["both"]: Decimal(r["deff_both_critical"], 1),
        }
    table = pd.DataFrame(rows)
    table.index = [render(i, lang) for i in table.index]
    return table.map(lambda v: render(v, lang))


def _verdict_words(verdict: str) -> Message:
    return (_("larger than sampling error") if verdict in (VERDICT_RISE, VERDICT_FALL)
            else _("within sampling error"))


def _deff_words(deff1: float, deff0: float, deff_range: tuple[float, float] | None) -> Renderable:
    """The design effects a reading was computed at, and (if known) the range they stand for."""
    if deff_range is not None and deff1 == deff0 == deff_range[1]:
        return _("{deff} (unknown: the least favourable of {low} to {high})").format(
            deff=Decimal(deff1, 2), low=Decimal(deff_range[0], 0), high=Decimal(deff_range[1], 0))
    return _("{deff1} in {year1}, {deff0} in {year0} (assumed)").format(
        deff1=Decimal(deff1, 2), deff0=Decimal(deff0, 2), year1=_("the current year"),
        year0=_("the base year"))


def describe_change(row: pd.Series, *, years: tuple[Any, Any] = ("current", "base"),
                    level: float = 0.95) -> Renderable:
    """One sentence on one change (a row of a change table), in plain words.

    The verdict, both intervals and the p-value are the row's own (one verdict: the intervals
    exclude no change exactly when ``p < 1 - level``); "larger than sampling error", never
    "real" (see :func:`beyond_sampling_error`).

    Examples:
        >>> from satisfaction.compare import compare_published
        >>> r = compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
        >>> describe_change(r, years=(2020, 2019)).render("en")
        'From 2019 to 2020 the rate went from 86.69 % to 96.45 %: +9.76 points (95 % interval +9.06 to +10.48 points), a relative change of +11.26 % (95 % interval +10.38 % to +12.18 %); p < 0.0001: a rise larger than sampling error.'
        >>> describe_change(pd.Series({"change": np.nan, "status": "base year only"})).render("en")
        'No change can be computed (base year only).'
    """
    y1, y0 = (_Fixed(y) for y in years)
    if not np.isfinite(row["change"]):
        return _("No change can be computed ({status}).").format(
            status=_Fixed(row.get("status", "not in both years")))
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
    if row.get("verdict") not in (VERDICT_RISE, VERDICT_FALL):
        return None
    return _("Larger than sampling error is not yet real: whether the change could come from "
             "how the two years were measured -- who was asked, the mode of the interview, "
             "low-quality forms, a courtesy, non-response or office-selection bias -- is the "
             "question of [page 06, beyond sampling error]({page}).").format(page=_Fixed(page))


def describe_published(figures: PublishedFigures, *, years: tuple[Any, Any]) -> str:
    """The published figures the readings start from, in one line (Markdown).

    Args:
        figures: the output of :func:`satisfaction.compare.published_setup`.
        years: labels of the current and base years.

    Examples:
        >>> from satisfaction.compare import PublishedFigures
        >>> f = PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 22250, 50.0)
        >>> describe_published(f, years=(2020, 2019))
        'Reported: **+9.76 %** on 2019; 2020 rate 96.45 % of 22,250 respondents.'
    """
    y1, y0 = years
    return (f"Reported: **{figures.reported}** on {y0}; "
            f"{y1} rate {figures.rate} % of {figures.n1:,} respondents.")


def published_assumptions(figures: PublishedFigures, *, years: tuple[Any, Any]) -> Message:
    """What the published-figures section assumes, and why (both design effects unknown).

    Examples:
        >>> from satisfaction.compare import PublishedFigures
        >>> f = PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 22250, 50.0)
        >>> published_assumptions(f, years=(2020, 2019)).render("en")[:79]
        "The current year's rate and respondents are published; neither year's design ef"
    """
    low, high = figures.deff_range
    values = {"year": _Fixed(years[0]), "base": _Fixed(years[1]), "low": Decimal(low, 0),
              "high": Decimal(high, 0), "n0": Count(figures.n0)}
    text = _("The current year's rate and respondents are published; neither year's design "
             "effect is. The design effect of this repository's {year} survey file is not "
             "evidence about the real surveys and is not used: both years' design effects are "
             "treated as unknown between {low} and {high}, and the table tests the reported "
             "change under both readings at the least favourable end, {high} in both years. A "
             "larger design effect only widens the intervals, so what holds there holds over "
             "the whole range.").format(**values)
    if figures.n0_published:
        return text + " " + _("The {base} respondents ({n0}) are published.").format(**values)
    return text + " " + _("The {base} respondents were not published either: {n0}, as many as "
                          "{year}, is assumed. The last rows say how far these assumptions "
                          "could be wrong before the verdict changes (solved exactly, not read "
                          "off a grid).").format(**values)


def sensitivity_note(figures: PublishedFigures, *, years: tuple[Any, Any],
                     level: float = 0.95) -> Message:
    """What each cell of the sensitivity grid is (Markdown).

    Examples:
        >>> from satisfaction.compare import PublishedFigures
        >>> f = PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 50.0, 22250, 50.0)
        >>> sensitivity_note(f, years=(2020, 2019)).render("en")[:60]
        'Each cell is the lower limit of the 95 % interval of the cha'
    """
    return _("Each cell is the lower limit of the {level} interval of the change, in points, "
             "for an assumed {base} sample size (columns) and design effect (rows), with "
             "{year}'s design effect at {deff}, the least favourable of its range. Hatched "
             "cells marked \"n.s.\" are those where the interval contains zero: only there "
             "would the change be within sampling error.").format(
                 level=_conf(level), base=_Fixed(years[1]), year=_Fixed(years[0]),
                 deff=Decimal(figures.deff1, 0))


def introduction() -> Message:
    """The questions the change page answers, and how its intervals and tests are built."""
    return _(
        "1. **From the published figures alone**, is the rise larger than sampling error under "
        "either reading, given that the baseline's sample size and both years' design effects "
        "were never published? A sensitivity table shows the answer for every plausible "
        "baseline survey, and the point at which it would flip.\n"
        "2. **From the survey microdata of both years**, each analysed with its own design "
        "(strata, offices as primary sampling units, weights), how large is the change overall "
        "and in each level, procedure field, province and office, once the many comparisons "
        "are corrected for (Holm; Benjamini-Hochberg)?\n"
        "3. **Power**: the smallest change this year's survey design can detect, overall and per "
        "level, and the sample needed to detect a chosen change next time.\n\n"
        "Changes are in percentage points (points) and relative %, each with a 95 % interval "
        "built from the two years' own intervals (square-and-add, MOVER: Newcombe's hybrid "
        "score interval for published figures, each year's Korn-Graubard interval with its "
        "design degrees of freedom for microdata), and a p-value that is the inversion of "
        "those intervals: a change is larger than sampling error exactly when both intervals "
        "exclude no change and p < 0.05. Two independent samples are assumed. Larger than "
        "sampling error is not yet real: [page 06]({page}) asks whether the change could come "
        "from how the years were measured.").format(page=_Fixed(ROBUSTNESS_PAGE))


def microdata_method(ci_method: str = "beta") -> Message:
    """How the microdata changes are computed (Markdown), for the change page's section 2."""
    name = _("Korn-Graubard") if ci_method == "beta" else _Fixed(ci_method)
    return _("Each year is estimated with its own design. The change of a domain is built "
             "from the two years' own intervals (each year's {name} interval, with the domain's "
             "design degrees of freedom), combined by square-and-add (MOVER) for the points and "
             "the relative change alike, and its p-value is the level at which those intervals "
             "reach no change: the verdict, both intervals and the p-value cannot disagree. A "
             "domain that lies within a single office (PSU) in a year has no design-based "
             "variance there: its interval that year is binomial on its respondents, and the "
             "`test` column says `binomial`. Domains found in one year only are listed with "
             "their status, never dropped.").format(name=name)


def binomial_note(changes: pd.DataFrame, kind: str) -> Message | None:
    """A sentence for a table of domains some of which lie within one PSU (``test`` binomial).

    Examples:
        >>> t = pd.DataFrame({"test": ["binomial", "binomial", "design"]})
        >>> binomial_note(t, "office").render("en")[:52]
        '2 of the 3 office domains lie within a single office'
        >>> binomial_note(t.iloc[2:], "level") is None
        True
    """
    tested = changes["test"].isin(["design", TEST_BINOMIAL]) if "test" in changes else None
    if tested is None:
        return None
    binomial = int((changes["test"] == TEST_BINOMIAL).sum())
    if not binomial:
        return None
    return _("{binomial} of the {tested} {kind} domains lie within a single office (PSU) in a "
             "year: the design cannot estimate their variance between offices, so their "
             "intervals are binomial on their respondents (the `test` column says `binomial`), "
             "taking the office's respondents as a simple random sample of its clients.").format(
                 binomial=Count(binomial), tested=Count(int(tested.sum())),
                 kind=DOMAIN_LABELS.get(kind, _Fixed(kind)))


def _tipping_words(crit: float, both: float, y0: Renderable) -> Message:
    if np.isfinite(crit) and crit > 0:
        return _("it would be within sampling error only if the {base} survey had fewer than "
                 "{crit} effective respondents (for example fewer than {crit2} respondents at a "
                 "design effect of 2), or if both years' design effects were above {both}").format(
                     base=y0, crit=Decimal(crit, 1), crit2=Decimal(2 * crit, 1),
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
        lines.append(_("- **Caution:** the {base} microdata in this repository are synthetic, "
                       "generated to reproduce a {base} rate chosen from one of the readings, so "
                       "this check is circular. It becomes evidence only when the real {base} "
                       "survey file arrives.").format(base=y0))
    return lines


def readings_verdict(
    readings: pd.DataFrame,
    *,
    base_estimate: pd.Series | dict | None = None,
    base_synthetic: bool = False,
    years: tuple[Any, Any] = ("2020", "2019"),
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
        >>> print(readings_verdict(r, years=(2020, 2019))[-1].render("en"))
        - **Which reading?** The published figures cannot tell: both readings describe a rise larger than sampling error; they differ only in the 2019 level (86.69 % against 87.87 %, 1.18 points apart).
    """
    y0 = _Fixed(years[1])
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


def format_sensitivity(grid: pd.DataFrame, value: str = "change_low") -> pd.DataFrame:
    """A sensitivity grid as a table of points: base-year design effect x sample size.

    Args:
        grid: the output of :func:`satisfaction.compare.sensitivity_grid`.
        value: a change column (``change_low`` by default, the interval's lower limit).

    Returns:
        :func:`satisfaction.compare.sensitivity_table` of ``value`` in percentage points,
        two decimals.

    Examples:
        >>> from satisfaction.compare import sensitivity_grid
        >>> format_sensitivity(sensitivity_grid(0.9645, 22250, 0.8669, [50, 5000], [1.0, 10.0]))
        ... # doctest: +NORMALIZE_WHITESPACE
        n_base     50.0    5000.0
        deff_base
        1.0          2.93    8.81
        10.0        -1.79    7.05
    """
    return sensitivity_table(grid, value).mul(100).round(2)


def format_power(table: pd.DataFrame, mde: float | None = None) -> pd.DataFrame:
    """A :func:`satisfaction.power.power_table` for reading: rates in %, changes in points.

    Args:
        table: the output of :func:`satisfaction.power.power_table`.
        mde: the planned change used for ``n_needed`` (for the column name).

    Returns:
        A rounded copy with readable column names.

    Examples:
        >>> from satisfaction.power import power_table
        >>> est = pd.DataFrame({"estimate": [0.9645], "se": [0.0018], "n": [22250],
        ...                     "deff": [2.0]}, index=["all"])
        >>> format_power(power_table(est, mde=0.02), mde=0.02).T
                                                     all
        rate, %                                    96.45
        respondents                                22250
        design effect                                2.0
        effective n                                11125
        smallest detectable change, points          0.73
        from the se alone (repeat survey), points   0.71
        respondents needed for 2 points             3407
        x current n                                 0.15
    """
    out = pd.DataFrame(index=table.index)
    out["rate, %"] = (100 * table["estimate"]).round(2)
    out["respondents"] = table["n"].astype("Int64")
    out["design effect"] = table["deff"].round(2)
    out["effective n"] = table["n_eff"].round(0).astype("Int64")
    out["smallest detectable change, points"] = (100 * table["mde"]).round(2)
    out["from the se alone (repeat survey), points"] = (100 * table["mde_se"]).round(2)
    if "n_needed" in table:
        label = f"{100 * mde:g} points" if mde is not None else "the planned change"
        out[f"respondents needed for {label}"] = table["n_needed"].astype("Int64")
        out["x current n"] = table["n_needed_ratio"].round(2)
    return out


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
        >>> {k: round(v, 2) for k, v in change_headline(r, baseline_year=2019, level=0.95).items()}
        ... # doctest: +NORMALIZE_WHITESPACE
        {'baseline_year': 2019, 'change_pp': 9.76, 'change_ci_low': 9.06, 'change_ci_high': 10.48,
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
