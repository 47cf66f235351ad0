"""The summary first: three to five findings in plain words, computed from a page's numbers.

Each page opens with its findings (``show.findings(...)``), and the index with the findings of
each year (:func:`index_findings`, from the headline figures the notebooks saved). A finding is
a :class:`~satisfaction.i18n.Message` with its numbers in it, so it reads the same as the tables
(two decimals for a rate) in both editions. The wording is honest about what a number shows: a
check that matches only because the synthetic data were calibrated to the published figures
says so (:func:`published_check`, :func:`par_reproduction`), and a difference that was not
tested is not called significant.

=============================  ==================================================================
:func:`satisfaction_findings`  page 02: the rate, the widest gap between groups, the components,
                               the offices, the published figure
:func:`published_check`        the estimate against the published rate: calibration or check
:func:`par_reproduction`       page 04: "7 of 7 published figures reproduced", honestly labelled
:func:`index_findings`         the index: a year's findings from its saved headline figures
=============================  ==================================================================

Not for: computing estimates or tests (the statistics modules) or showing them
(:mod:`satisfaction.report.show`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..i18n import Fixed, Language, Listed, Message, Renderable, _
from ..reliability import with_flags
from .formats import Count, Percent, Points, PValue
from .tables import DIMENSION_NAMES, DOMAIN_HEADERS, Labels, label_map

__all__ = [
    "index_findings",
    "par_reproduction",
    "published_check",
    "satisfaction_findings",
]



class _Label:
    """A category code by its label, in each language."""

    def __init__(self, labels: Labels | None, code: Any) -> None:
        self.labels, self.code = labels, code

    def render(self, lang: Language) -> str:
        return str(label_map(self.labels, lang).get(self.code, self.code))


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _shown(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The rows a page shows with a number (not suppressed), with their reliability columns."""
    flagged = with_flags(table, threshold)
    return flagged[~flagged["suppressed"].fillna(True).astype(bool)]


def published_check(estimate: float, published_pct: float | None, *, synthetic: bool,
                    ci: tuple[float, float] | None = None) -> Message | None:
    """The estimate beside the published rate, labelled for what it proves.

    On synthetic data that were generated to reproduce the published rate, a match is a
    calibration check (the generator and the estimator agree), not a confirmation of the
    ministry's figure. On real data, the sentence says whether the published rate lies inside
    the estimate's confidence interval.

    Args:
        estimate: the estimated rate (0-1).
        published_pct: the published rate in per cent (None: nothing published).
        synthetic: the data are synthetic, calibrated to the published figures.
        ci: the estimate's interval (0-1), for real data.

    Returns:
        The sentence, or None when nothing was published.

    Examples:
        >>> print(published_check(0.9645, 96.45, synthetic=True).render("en"))
        Calibration check, not a confirmation: the synthetic data were generated to reproduce the published rate of 96.45 %, and this estimate (96.45 %) does. It shows that the generator and the estimator agree; it says nothing about the ministry's figure.
        >>> print(published_check(0.9612, 96.45, synthetic=False, ci=(0.957, 0.965)).render("en"))
        The ministry published 96.45 %; this estimate is 96.12 % (-0.33 points), and the published rate lies inside its confidence interval.
    """
    if published_pct is None or not _finite(published_pct):
        return None
    published = float(published_pct) / 100.0
    if synthetic:
        return _("Calibration check, not a confirmation: the synthetic data were generated to "
                 "reproduce the published rate of {published}, and this estimate ({estimate}) "
                 "{verb}. It shows that the generator and the estimator agree; it says nothing "
                 "about the ministry's figure.").format(
                     published=Percent(published), estimate=Percent(estimate),
                     verb=_("does") if round(100 * estimate, 2) == round(100 * published, 2)
                     else _("comes close"))
    inside = ci is not None and ci[0] <= published <= ci[1]
    return _("The ministry published {published}; this estimate is {estimate} ({difference}), "
             "and the published rate lies {where} its confidence interval.").format(
                 published=Percent(published), estimate=Percent(estimate),
                 difference=Points(estimate - published),
                 where=_("inside") if inside else _("outside"))


def _overall(year: Any, overall: pd.Series, level: float) -> Message:
    return _("In {year}, {rate} of respondents with a valid answer were satisfied or very "
             "satisfied ({level} confidence interval {low} to {high}; {n} respondents).").format(
                 year=Fixed(year), rate=Percent(overall["estimate"]), level=Percent(level, 0),
                 low=Percent(overall["ci_low"]), high=Percent(overall["ci_high"]),
                 n=Count(overall["n"]))


def _widest_gap(domains: Mapping[str, pd.DataFrame], labels: Mapping[str, Labels | None],
                threshold: int) -> Message | None:
    """The dimension whose shown groups differ most, with its lowest and highest group."""
    best: tuple[float, str, Any, Any, float, float] | None = None
    for dimension, table in domains.items():
        shown = _shown(table, threshold)
        if len(shown) < 2:
            continue
        low, high = shown["estimate"].idxmin(), shown["estimate"].idxmax()
        gap = float(shown.loc[high, "estimate"] - shown.loc[low, "estimate"])
        if best is None or gap > best[0]:
            best = (gap, dimension, low, high, float(shown.loc[low, "estimate"]),
                    float(shown.loc[high, "estimate"]))
    if best is None:
        return None
    gap, dimension, low, high, p_low, p_high = best
    names = labels.get(dimension)
    return _("The widest gap between groups is by {dimension}: from {low} ({low_name}) to "
             "{high} ({high_name}), {gap}. This page does not test the difference; each "
             "group's interval is in the tables.").format(
                 dimension=DIMENSION_NAMES.get(dimension, DOMAIN_HEADERS.get(dimension,
                                                                              Fixed(dimension))),
                 low=Percent(p_low), low_name=_Label(names, low), high=Percent(p_high),
                 high_name=_Label(names, high), gap=Points(gap))


def _components(components: pd.DataFrame, labels: Labels | None, threshold: int) -> Message | None:
    shown = _shown(components, threshold)
    if len(shown) < 2:
        return None
    low, high = shown["estimate"].idxmin(), shown["estimate"].idxmax()
    return _("Of the {k} components of the service, {low_name} has the lowest rate ({low}) and "
             "{high_name} the highest ({high}).").format(
                 k=Count(len(components)), low_name=_Label(labels, low),
                 low=Percent(shown.loc[low, "estimate"]), high_name=_Label(labels, high),
                 high=Percent(shown.loc[high, "estimate"]))


def _offices(offices: pd.DataFrame, national: float, threshold: int) -> Message | None:
    if offices is None or offices.empty:
        return None
    shown = _shown(offices, threshold)
    below = int((pd.to_numeric(shown["ci_high"], errors="coerce") < national).sum())
    above = int((pd.to_numeric(shown["ci_low"], errors="coerce") > national).sum())
    sides = {  # a count of none is said in words, never "of 0"
        (True, True): _("the interval of {below} of them lies entirely below the national rate "
                        "and of {above} entirely above it"),
        (True, False): _("the interval of {below} of them lies entirely below the national "
                         "rate, and none entirely above it"),
        (False, True): _("none of their intervals lies entirely below the national rate; "
                         "{above} lie entirely above it"),
        (False, False): _("none of their intervals lies entirely below or above the national "
                          "rate"),
    }[(below > 0, above > 0)]
    return _("{shown} of {offices} offices have a rate that meets the reliability standard; "
             "{sides} (each office compared on its own, not corrected for multiple "
             "comparisons).").format(shown=Count(len(shown)), offices=Count(len(offices)),
                                     sides=sides.format(below=Count(below), above=Count(above)))


def _reliability(tables: Mapping[str, pd.DataFrame], threshold: int) -> Message:
    """How many of the one-way group estimates are flagged or suppressed, naming the groups
    counted (the page's cross-tabulation and offices have their own flags in their tables)."""
    flags = pd.concat([with_flags(t, threshold)[["suppressed", "flagged"]]
                       for t in tables.values()])
    suppressed = int(flags["suppressed"].fillna(True).astype(bool).sum())
    flagged = int(flags["flagged"].fillna(False).astype(bool).sum())
    dimensions = Listed([DIMENSION_NAMES.get(k, Fixed(k)) for k in tables])
    return _("Estimates by {dimensions}: {total}; flagged (interpret with caution): "
             "{flagged}; suppressed (too few respondents or too unstable to publish): "
             "{suppressed}.").format(dimensions=dimensions, total=Count(len(flags)),
                                     flagged=Count(flagged), suppressed=Count(suppressed))


def satisfaction_findings(
    year: Any,
    overall: pd.Series,
    *,
    domains: Mapping[str, pd.DataFrame],
    labels: Mapping[str, Labels | None] | None = None,
    components: pd.DataFrame | None = None,
    component_labels: Labels | None = None,
    offices: pd.DataFrame | None = None,
    published_pct: float | None = None,
    synthetic: bool = False,
    level: float = 0.95,
    disclosure_threshold: int = 10,
) -> list[Renderable]:
    """The findings of the satisfaction page, in plain words (three to five).

    Args:
        year: the survey year.
        overall: the overall row of the estimate table (``estimate, ci_low, ci_high, n``).
        domains: dimension -> its estimate table (level, field, respondent type, channel).
        labels: dimension -> the labels of its codes (as the tables take them).
        components: the components' estimate table.
        component_labels: the components' labels.
        offices: the offices' estimate table (within-office intervals).
        published_pct: the rate the ministry published, in per cent (None: none).
        synthetic: the data are synthetic (a match with the published rate is calibration).
        level: the confidence level.
        disclosure_threshold: the disclosure threshold of the tables.

    Returns:
        The findings: the rate; the widest gap between groups; the components; the offices;
        the published figure (or, when none, how many estimates are flagged or suppressed).

    Examples:
        >>> t = pd.DataFrame({"estimate": [0.95, 0.97], "se": [0.004, 0.003],
        ...     "ci_low": [0.94, 0.96], "ci_high": [0.96, 0.98], "deff": [2.0, 2.0],
        ...     "n": [5000, 6000], "n_eff": [2500.0, 3000.0]},
        ...     index=pd.Index(["central", "commune"], name="level"))
        >>> overall = pd.Series({"estimate": 0.9645, "ci_low": 0.9609, "ci_high": 0.9679, "n": 22250})
        >>> found = satisfaction_findings(2020, overall, domains={"level": t},
        ...                               labels={"level": {"central": "Trung ương", "commune": "Xã"}})
        >>> print(found[0].render("vi"))
        Năm 2020, 96,45 % số người có câu trả lời hợp lệ hài lòng hoặc rất hài lòng (khoảng tin cậy 95 % từ 96,09 % đến 96,79 %; 22.250 người trả lời).
        >>> print(found[1].render("en"))
        The widest gap between groups is by level: from 95.00 % (Trung ương) to 97.00 % (Xã), +2.00 points. This page does not test the difference; each group's interval is in the tables.
    """
    labels = dict(labels or {})
    found: list[Renderable | None] = [_overall(year, overall, level),
                                      _widest_gap(domains, labels, disclosure_threshold)]
    if components is not None:
        found.append(_components(components, component_labels, disclosure_threshold))
    if offices is not None:
        found.append(_offices(offices, float(overall["estimate"]), disclosure_threshold))
    check = published_check(float(overall["estimate"]), published_pct, synthetic=synthetic,
                            ci=(float(overall["ci_low"]), float(overall["ci_high"])))
    found.append(check if check is not None
                 else _reliability(domains, disclosure_threshold))
    return [f for f in found if f is not None][:5]


def par_reproduction(matched: int, total: int, *, synthetic: bool) -> Message:
    """What "published figures reproduced from the unit table" proves (page 04).

    Args:
        matched: published figures the unit table reproduces.
        total: published figures compared.
        synthetic: the unit table is synthetic, generated to reproduce the published figures.

    Examples:
        >>> print(par_reproduction(7, 7, synthetic=True).render("en"))
        Calibration, not confirmation: the synthetic unit table was generated to reproduce the published figures, and it reproduces 7 of 7. This checks the page's arithmetic (mean, band counts, changes), not the ministry's figures.
        >>> print(par_reproduction(6, 7, synthetic=False).render("en"))
        The unit table reproduces 6 of the 7 published figures; the table shows the ones that differ.
    """
    if synthetic:
        return _("Calibration, not confirmation: the synthetic unit table was generated to "
                 "reproduce the published figures, and it reproduces {matched} of {total}. This "
                 "checks the page's arithmetic (mean, band counts, changes), not the ministry's "
                 "figures.").format(matched=Count(matched), total=Count(total))
    if matched == total:
        return _("The unit table reproduces all {total} published figures.").format(
            total=Count(total))
    return _("The unit table reproduces {matched} of the {total} published figures; the table "
             "shows the ones that differ.").format(matched=Count(matched), total=Count(total))


# ---------------------------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------------------------
def _rate(figures: Mapping[str, Any], short: str, long: str) -> float | None:
    """A rate (0-1) from the headline figures: ``rate`` (0-1) or ``satisfaction_rate`` (%)."""
    if _finite(figures.get(short)):
        return float(figures[short])
    if _finite(figures.get(long)):
        return float(figures[long]) / 100.0
    return None


def _index_rate(year: Any, f: Mapping[str, Any], synthetic: bool) -> list[Renderable]:
    rate = _rate(f, "rate", "satisfaction_rate")
    if rate is None:
        return []
    low = _rate(f, "ci_low", "satisfaction_ci_low")
    high = _rate(f, "ci_high", "satisfaction_ci_high")
    n = f.get("n_valid", f.get("respondents"))
    level = f.get("confidence", 0.95) if _finite(f.get("confidence")) else 0.95
    out: list[Renderable] = []
    if low is not None and high is not None and _finite(n):
        out.append(_overall(year, pd.Series({"estimate": rate, "ci_low": low, "ci_high": high,
                                             "n": n}), float(level)))
    else:
        out.append(_("In {year}, {rate} of respondents were satisfied or very satisfied.")
                   .format(year=Fixed(year), rate=Percent(rate)))
    check = published_check(rate, f.get("published_rate"), synthetic=synthetic,
                            ci=(low, high) if low is not None and high is not None else None)
    if check is not None:
        out.append(check)
    return out


def _index_change(f: Mapping[str, Any]) -> Renderable | None:
    change = f.get("change_pp")
    if not _finite(change):
        return None
    low, high, p = f.get("change_ci_low"), f.get("change_ci_high"), f.get("change_p_value")
    level = f.get("confidence", 0.95) if _finite(f.get("confidence")) else 0.95
    base = Fixed(f.get("baseline_year", "?"))
    if not (_finite(low) and _finite(high)):
        return _("Compared with {base}, the rate changed by {change}.").format(
            base=base, change=Points(float(change) / 100))
    larger = float(low) > 0 or float(high) < 0
    verdict = (_("larger than sampling error") if larger else _("within sampling error"))
    return _("Compared with {base}, the rate changed by {change} ({level} confidence interval "
             "{low} to {high}; p {p}): {verdict}. Whether it is a real change is examined on the "
             "change and robustness pages.").format(
                 base=base, change=Points(float(change) / 100), level=Percent(float(level), 0),
                 low=Points(float(low) / 100), high=Points(float(high) / 100),
                 p=_PText(p), verdict=verdict)


class _PText:
    """A p-value with its relation: "= 0.023" or "< 0.0001" ("—" when not tested)."""

    def __init__(self, p: Any) -> None:
        self.p = p

    def render(self, lang: Language) -> str:
        text = PValue(self.p).render(lang) if _finite(self.p) else "—"
        return text if text.startswith("<") or text == "—" else f"= {text}"


def _index_par(f: Mapping[str, Any]) -> Renderable | None:
    mean = f.get("par_index_mean")
    if not _finite(mean):
        return None
    bands = {k[4:]: v for k, v in f.items() if k.startswith("par_") and k not in
             ("par_index_mean", "par_units") and _finite(v)}
    units = f.get("par_units")
    text = _("The PAR index of the units averaged {mean} over {units} units.").format(
        mean=Percent(float(mean) / 100.0), units=Count(units) if _finite(units) else Fixed("?"))
    if {"excellent", "good"} <= set(bands):
        return text + " " + _("{excellent} were ranked excellent and {good} good.").format(
            excellent=Count(bands["excellent"]), good=Count(bands["good"]))
    return text


def _index_cleaning(f: Mapping[str, Any]) -> Renderable | None:
    rows, quarantined = f.get("rows_in"), f.get("quarantined")
    if not (_finite(rows) and _finite(quarantined)) or float(rows) <= 0:
        return None
    return _("The cleaning step set aside {quarantined} of the {rows} rows of the raw file "
             "({share}), each with its reason.").format(
                 quarantined=Count(quarantined), rows=Count(rows),
                 share=Percent(float(quarantined) / float(rows)))


def index_findings(year: Any, headlines: Mapping[str, Mapping[str, Any]], *,
                   synthetic: bool = False) -> list[Renderable]:
    """A year's findings for the index, from the headline figures its notebooks saved.

    Args:
        year: the survey year.
        headlines: notebook -> figures (:func:`satisfaction.report.index.load_headlines`).
        synthetic: the year's data are synthetic (a match with a published figure is then a
            calibration check, and the sentence says so).

    Returns:
        Up to five findings (messages, rendered per language): the rate with its interval, the
        published figure, the change on the baseline year, the PAR index, the cleaning step;
        as many as the saved figures allow.

    Examples:
        >>> heads = {"02_satisfaction": {"rate": 0.9645, "ci_low": 0.9609, "ci_high": 0.9679,
        ...          "n_valid": 22250, "published_rate": 96.45},
        ...          "03_change": {"change_pp": 9.76, "change_ci_low": 9.06, "change_ci_high": 10.48,
        ...          "change_p_value": 0.0, "baseline_year": 2019, "confidence": 0.95}}
        >>> for finding in index_findings(2020, heads, synthetic=True):
        ...     print(finding.render("en")[:72])
        In 2020, 96.45 % of respondents with a valid answer were satisfied or ve
        Calibration check, not a confirmation: the synthetic data were generated
        Compared with 2019, the rate changed by +9.76 points (95 % confidence in
    """
    figures: dict[str, Any] = {}
    for name in sorted(headlines):
        for key, value in (headlines.get(name) or {}).items():
            figures.setdefault(key, value)
    found: list[Renderable | None] = [*_index_rate(year, figures, synthetic),
                                      _index_change(figures), _index_par(figures),
                                      _index_cleaning(figures)]
    return [f for f in found if f is not None][:5]
