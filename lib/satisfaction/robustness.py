"""Beyond sampling error: could a change in satisfaction come from how the two years were measured?

A change larger than sampling error (page 03) is not yet a real change. For a survey year and
its baseline, this module answers the next questions, each with a design-based interval:

* **Composition** -- :func:`composition_table`: how much of the change comes from who was asked
  (level, procedure field, channel, respondent type, region; each alone and all crossed), by the
  Kitagawa decomposition of :func:`satisfaction.compare.decompose_change`.
* **Like for like** -- :func:`like_for_like`: the change restricted to what both years measured
  the same way: in person only, online only, one respondent type at a time, and a satisfaction
  index on the items both questionnaires asked the same way (:func:`common_items`, from
  :mod:`satisfaction.questionnaire`, compares the two years' questionnaires).
* **Response quality** -- :func:`quality_change`: the change without straight-lined, very fast
  and incomplete forms (:func:`satisfaction.instrument.response_flags`), in both years where
  the data allow; a year that cannot be checked (no interview durations) is named, never
  silently treated as clean.
* **Tipping points** -- how large a bias would erase the change: :func:`courtesy_tipping` (the
  share of this year's "satisfied" answers that would have to be courtesy), :func:`nonresponse_tipping`
  (how much less satisfied non-respondents would have to be, for a grid of response rates) and
  :func:`office_selection` (the change if the best-scoring offices were over-represented by a
  factor k); :func:`tipping_points` runs the three.
* **Comparability** -- :func:`comparability_checklist`: questionnaire, overall item, mode mix,
  respondent mix, who was asked, fieldwork dates, durations, response quality, file format,
  design effect and offices of the two years, each with its measured effect where the data
  allow.
* :func:`review` runs all of it on two designs; :func:`review_years` on a year's parameters
  (what notebook ``06_robustness`` shows); :meth:`RobustnessReview.summary` states the
  findings as facts (is it larger than sampling error, how much is composition, does it hold
  like for like and without low-quality forms, what bias would erase it) for the report layer
  to word.

Rates are proportions (0.9645) and changes differences of proportions (0.0976 = 9.76 points).
Every subset is a domain of the full design (never a re-weighted subset), the two years are
independent samples, and every interval of a change is page 03's
(:func:`satisfaction.compare.change_table`): each year keeps the interval its estimate table
reports (Korn-Graubard by default, with the domain's design degrees of freedom), the change's
intervals are MOVER-D (points) and MOVER-R (ratio) from those limits, and its test is their
inversion -- so a subset that is the whole sample gives exactly page 03's change and interval.
The decomposition's parts, the tipping points and the selection scenario have Wald intervals on
linearised standard errors.

Not for: the change test itself (:mod:`satisfaction.compare`), wording
(:mod:`satisfaction.report.robustness`) or drawing (:mod:`satisfaction.plots.robustness`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from scipy import optimize

from .codebook import Codebook, nfc
from .compare import (
    CompareError,
    change_table,
    compare_designs,
    decompose_change,
    decomposition_by_group,
    influence_variance,
)
from .design import DesignSpec, SurveyDesign
from .intervals import z_quantile
from .questionnaire import ItemSource, common_items

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .params import YearParams

__all__ = [
    "DEFAULT_COMPOSITION",
    "DEFAULT_FACTORS",
    "DEFAULT_RESPONSE_RATES",
    "LIKE_FOR_LIKE_VIEWS",
    "QUALITY_SCENARIOS",
    "TOGETHER",
    "RobustnessReview",
    "SelectionTipping",
    "Summary",
    "TippingPoints",
    "YearSource",
    "common_items",
    "comparability_checklist",
    "composition_table",
    "courtesy_curve",
    "courtesy_tipping",
    "like_for_like",
    "nonresponse_tipping",
    "office_selection",
    "quality_change",
    "review",
    "review_years",
    "tipping_points",
]

DEFAULT_COMPOSITION: Final = ("level", "field", "channel", "respondent_type", "region")
"""Who was asked: the characteristics whose mix the decomposition holds fixed."""
TOGETHER: Final = "together"
"""The :func:`composition_table` row of all characteristics crossed."""
LIKE_FOR_LIKE_VIEWS: Final = (
    ("channel", "in_person"),
    ("channel", "online"),
    ("respondent_type", "citizen"),
    ("respondent_type", "organisation"),
)
"""(column, value): the like-for-like views of :func:`like_for_like`, one mode or type at a time."""
QUALITY_SCENARIOS: Final = ("all", "straightlined", "fast", "incomplete", "flagged")
"""Rows of :func:`quality_change`: all forms, then without each kind of flagged form."""
DEFAULT_RESPONSE_RATES: Final = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
DEFAULT_FACTORS: Final = (1.0, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)
COMMON_INDEX: Final = "__common_items__"


# ---------------------------------------------------------------------------------------------
# Helpers on designs
# ---------------------------------------------------------------------------------------------
def _spec(design: SurveyDesign) -> DesignSpec:
    return DesignSpec(weights=design.weights, strata=design.strata, psu=design.psu,
                      fpc=design.fpc, lonely_psu=design.lonely_psu,
                      adjust_domain_lonely=design.adjust_domain_lonely)


def _with_columns(design: SurveyDesign, columns: Mapping[str, ArrayLike]) -> SurveyDesign:
    """The same design over its data with derived columns added."""
    return _spec(design).build(design.data.assign(**{k: np.asarray(v) for k, v in columns.items()}))


def _rate(design: SurveyDesign, var: str) -> tuple[float, float]:
    """The overall rate of ``var`` and its linearised standard error."""
    row = design.proportion(var).iloc[0]
    return float(row["estimate"]), float(row["se"])


def _domain_table(design: SurveyDesign, var: str, masks: Mapping[str, ArrayLike], *,
                  level: float = 0.95, ci_method: str = "beta") -> pd.DataFrame:
    """The estimate table of ``var`` in several domains of one design, one row per mask.

    Each mask is a domain of the full design, estimated by
    :meth:`~satisfaction.design.SurveyDesign.proportion` exactly as every estimate table
    (estimate, se, interval, n, n_eff and the domain's design degrees of freedom), so that a
    mask covering every row gives the year's overall row. The design is rebuilt once with
    every mask as a column (a handful of masks: one ``proportion`` call each).
    """
    columns = {f"__domain_{i}__": np.asarray(m, dtype=bool) for i, m in enumerate(masks.values())}
    marked = _with_columns(design, columns)
    rows = []
    for column in columns:  # a handful of domains (scenarios, a window), not a hot path
        table = marked.proportion(var, by=column, ci_method=ci_method, level=level)
        rows.append(table.reindex([True]).iloc[0])
    out = pd.DataFrame(rows, index=pd.Index([str(k) for k in masks], name="domain"))
    out["n"] = out["n"].fillna(0)
    return out


def _restricted_changes(current: SurveyDesign, base: SurveyDesign, var: str,
                        masks_current: Mapping[str, ArrayLike], masks_base: Mapping[str, ArrayLike],
                        *, level: float, method: str, ci_method: str = "beta") -> pd.DataFrame:
    """The change of ``var`` within matching domains of the two years (one row per domain)."""
    tables = [_domain_table(d, var, m, level=level, ci_method=ci_method)
              for d, m in ((current, masks_current), (base, masks_base))]
    return change_table(*tables, level=level, method=method, ci_method=ci_method)


# ---------------------------------------------------------------------------------------------
# Composition
# ---------------------------------------------------------------------------------------------
def composition_table(current: SurveyDesign, base: SurveyDesign, var: str = "satisfied",
                      variables: Sequence[str] = DEFAULT_COMPOSITION, *, level: float = 0.95,
                      years: tuple[Any, Any] = ("current", "base")) -> pd.DataFrame:
    """The Kitagawa decomposition by each characteristic of who was asked, and by all crossed.

    Args:
        current: the current year's design.
        base: the baseline year's design.
        var: the 0/1 variable.
        variables: the characteristics (columns); one found in only one year gets a row that
            says so, and is left out of the crossed row.
        level: confidence level.
        years: labels of the two years.

    Returns:
        One row per characteristic and a last row :data:`TOGETHER` (all present ones crossed):
        ``status`` ("ok" or "missing in <year>"), ``groups``, ``groups_one_year``, ``total``,
        ``composition`` and ``within`` with ``_se``, ``_low``, ``_high``, ``share`` (composition
        over total), ``standardised`` (this year's rates on the baseline's mix) with ``_low`` and
        ``_high``.

    Examples:
        >>> base = pd.DataFrame({"y": [1., 1, 0, 1, 0, 0], "g": list("aaabbb"), "h": list("xyxyxy")})
        >>> cur = pd.DataFrame({"y": [1., 1, 1, 1, 0, 1], "g": list("aaaaab"), "h": list("xyxyxy")})
        >>> t = composition_table(SurveyDesign(cur), SurveyDesign(base), "y", ["g", "h"])
        >>> t[["status", "groups", "composition", "within"]].round(4)
        ... # doctest: +NORMALIZE_WHITESPACE
                 status  groups  composition  within
        by
        g            ok       2       0.0222  0.3111
        h            ok       2       0.0000  0.3333
        together     ok       4       0.1389  0.1944
    """
    present, rows = [], {}
    for column in variables:
        lacking = [str(y) for d, y in ((current, years[0]), (base, years[1]))
                   if column not in d.data.columns]
        if lacking:
            rows[column] = {"status": f"missing in {' and '.join(lacking)}"}
        else:
            present.append(column)
    sets = [(c, [c]) for c in present] + ([(TOGETHER, present)] if len(present) > 1 else [])
    for key, by in sets:  # one decomposition per characteristic: a handful, not domains
        t = decompose_change(current, base, var, by, level=level, years=years)
        row: dict[str, Any] = {"status": "ok", "groups": t.attrs["groups"],
                               "groups_one_year": t.attrs["groups_current_only"]
                               + t.attrs["groups_base_only"]}
        for part in ("total", "composition", "within", "standardised"):
            row[part] = t.loc[part, "estimate"]
            row[f"{part}_se"] = t.loc[part, "se"]
            row[f"{part}_low"] = t.loc[part, "ci_low"]
            row[f"{part}_high"] = t.loc[part, "ci_high"]
        row["share"] = row["composition"] / row["total"] if row["total"] != 0 else np.nan
        rows[key] = row
    order = [*variables, TOGETHER] if len(present) > 1 else list(variables)
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(order)
    out.index.name = "by"
    if "groups" in out:
        out["groups"] = out["groups"].astype("Int64")
        out["groups_one_year"] = out["groups_one_year"].astype("Int64")
    return out


# ---------------------------------------------------------------------------------------------
# Like for like
# ---------------------------------------------------------------------------------------------
def _index_on(data: pd.DataFrame, items: Sequence[str], cut: float) -> np.ndarray:
    """1 where the mean answer over ``items`` reaches ``cut``, 0 below, NaN when none answered."""
    answers = data[list(items)].astype("float64").to_numpy(dtype=float, na_value=np.nan)
    answered = (~np.isnan(answers)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.nansum(answers, axis=1) / np.where(answered > 0, answered, 1)
    return np.where(answered > 0, (mean >= cut).astype(float), np.nan)


def _items_view(current: SurveyDesign, base: SurveyDesign, items: tuple[ItemSource, ItemSource],
                overall: str | None, cut: float, kwargs: dict[str, Any]) -> pd.DataFrame:
    """The like-for-like row of the satisfaction index on the items common to both years."""
    table = common_items(*items)
    usable = [i for i in table.index[table["comparable"]] if i != overall
              and i in current.data.columns and i in base.data.columns]
    if not usable:
        row = change_table(pd.DataFrame({"estimate": [np.nan], "se": [np.nan], "n": [0]}),
                           pd.DataFrame({"estimate": [np.nan], "se": [np.nan], "n": [0]}))
        row["status"] = "no item asked the same way in both years"
    else:
        designs = [_with_columns(d, {COMMON_INDEX: _index_on(d.data, usable, cut)})
                   for d in (current, base)]
        row = compare_designs(designs[0], designs[1], COMMON_INDEX, None, **kwargs)
    row.index = pd.Index(["common items"])
    asked = int(table["in_current"].sum()) - int(overall in table.index)
    row.insert(0, "value", f"{len(usable)}/{asked}")
    row.insert(0, "column", "items")
    return row


def like_for_like(
    current: SurveyDesign,
    base: SurveyDesign,
    var: str = "satisfied",
    *,
    items: tuple[ItemSource, ItemSource] | None = None,
    overall: str | None = "q_overall",
    views: Sequence[tuple[str, str]] = LIKE_FOR_LIKE_VIEWS,
    satisfied_from: float = 4,
    level: float = 0.95,
    ci_method: str = "beta",
    method: str = "newcombe",
    years: tuple[Any, Any] = ("current", "base"),
) -> pd.DataFrame:
    """The change restricted to what both years measured the same way, each with its interval.

    Args:
        current: the current year's design.
        base: the baseline year's design.
        var: the 0/1 variable of the headline change.
        items: both years' questionnaires (current, base): codebooks or item lists (see
            :func:`common_items`). A questionnaire per year plugs in here. None: no items view.
        overall: the overall item (left out of the items index: ``var`` is made from it).
        views: (column, value) domains: one mode or one respondent type at a time.
        satisfied_from: the mean answer over the common items that counts as satisfied (4:
            the cut of the overall item, as :mod:`satisfaction.scores` applies to components).
        level: confidence level.
        ci_method: interval method of each year's rate.
        method: how the two years' intervals are combined (page 03's MOVER, see
            :func:`satisfaction.compare.change_table`).
        years: labels of the two years.

    Returns:
        One row per view: ``all`` (every respondent), each (column, value) view, and
        ``common items`` (the share whose mean answer over the items asked the same way in
        both years is ``satisfied_from`` or more; ``value``: those items / the current
        year's items, e.g. ``"17/17"``). Columns
        ``column``, ``value`` and :data:`satisfaction.compare.CHANGE_COLUMNS`. A view absent
        in a year keeps its row with that ``status``.

    Examples:
        >>> cur = pd.DataFrame({"y": [1., 1, 1, 0, 1, 1], "channel": list("aabbab")})
        >>> base = pd.DataFrame({"y": [1., 0, 0, 0, 1, 0], "channel": list("aabbab")})
        >>> t = like_for_like(SurveyDesign(cur), SurveyDesign(base), "y",
        ...                   views=[("channel", "a"), ("channel", "b")])
        >>> t[["column", "value", "p_current", "p_base", "change"]].round(3)
        ... # doctest: +NORMALIZE_WHITESPACE
                column value  p_current  p_base  change
        all            NaN   NaN      0.833   0.333   0.500
        channel=a  channel     a      1.000   0.667   0.333
        channel=b  channel     b      0.667   0.000   0.667
    """
    kwargs = {"level": level, "ci_method": ci_method, "method": method, "years": years}
    overall_row = compare_designs(current, base, var, None, **kwargs)
    overall_row.index = pd.Index(["all"])
    parts = [overall_row.assign(column=np.nan, value=np.nan)]
    by_column: dict[str, pd.DataFrame] = {}
    for column, value in views:  # a handful of views
        key = f"{column}={value}"
        try:
            if column not in by_column:
                by_column[column] = compare_designs(current, base, var, column, **kwargs)
            table = by_column[column]
        except CompareError as exc:
            parts.append(pd.DataFrame({"status": [str(exc)], "column": [column], "value": [value]},
                                      index=[key]))
            continue
        labels = [nfc(str(v)) for v in table.index]
        row = table.iloc[[labels.index(value)]] if value in labels else pd.DataFrame(
            {"status": ["in neither year"]}, index=[key])
        parts.append(row.set_axis([key]).assign(column=column, value=value))
    if items is not None:
        parts.append(_items_view(current, base, items, overall, satisfied_from, kwargs))
    out = pd.concat(parts)
    columns = ["column", "value", *[c for c in overall_row.columns if c not in ("column", "value")]]
    return out[columns]


# ---------------------------------------------------------------------------------------------
# Response quality
# ---------------------------------------------------------------------------------------------
def _quality_masks(flags: pd.DataFrame, design: SurveyDesign, label: Any) -> dict[str, np.ndarray]:
    needed = ["straightlined", "fast", "incomplete", "flagged", "duration_known"]
    missing = [c for c in needed if c not in flags.columns]
    if missing:
        raise ValueError(f"year {label}: response flags lack {', '.join(missing)} "
                         "(use satisfaction.instrument.response_flags)")
    if not flags.index.equals(design.data.index):
        raise ValueError(f"year {label}: response flags must be indexed like the survey table")
    masks = {"all": np.ones(design.n, dtype=bool)}
    for key in QUALITY_SCENARIOS[1:]:
        masks[key] = ~flags[key].to_numpy(dtype=bool)
    return masks


def _checked_in(flags_current: pd.DataFrame, flags_base: pd.DataFrame) -> str:
    """Where very fast forms could be checked: both, current, base or neither year."""
    a, b = bool(flags_current["duration_known"].any()), bool(flags_base["duration_known"].any())
    return {(True, True): "both", (True, False): "current", (False, True): "base",
            (False, False): "neither"}[(a, b)]


def quality_change(
    current: SurveyDesign,
    base: SurveyDesign,
    var: str = "satisfied",
    *,
    flags: tuple[pd.DataFrame, pd.DataFrame],
    level: float = 0.95,
    ci_method: str = "beta",
    method: str = "newcombe",
) -> pd.DataFrame:
    """The change with all forms, and without each kind of low-quality form, in both years.

    Each year's rate without a kind of form is a domain of its full design; the change is
    :func:`satisfaction.compare.change_table` of the two years' domains. Very fast forms can only
    be found where the interview duration is known: ``checked_in`` says in which year(s) they
    could be looked for (``both``, ``current``, ``base`` or ``neither``); straight-lined and
    incomplete forms can be checked in every year.

    Args:
        current: the current year's design.
        base: the baseline year's design.
        var: the 0/1 variable.
        flags: each year's :func:`satisfaction.instrument.response_flags` (indexed like its
            survey table), current then base.
        level: confidence level.
        ci_method: interval method of each year's rate (the change is built from them).
        method: interval method of the change.

    Returns:
        One row per :data:`QUALITY_SCENARIOS` (``all``, ``straightlined``, ``fast``,
        ``incomplete``, ``flagged``): ``left_out_current``, ``left_out_base`` (forms), the
        :data:`~satisfaction.compare.CHANGE_COLUMNS` and ``checked_in``.

    Raises:
        ValueError: flags that lack a column or are not indexed like the survey table.
    """
    masks1 = _quality_masks(flags[0], current, "current")
    masks0 = _quality_masks(flags[1], base, "base")
    out = _restricted_changes(current, base, var, masks1, masks0, level=level, method=method,
                              ci_method=ci_method)
    out.insert(0, "left_out_current", [int((~m).sum()) for m in masks1.values()])
    out.insert(1, "left_out_base", [int((~m).sum()) for m in masks0.values()])
    fast = _checked_in(flags[0], flags[1])
    out["checked_in"] = ["both" if key != "fast" else fast for key in out.index]
    out.index.name = "scenario"
    return out


# ---------------------------------------------------------------------------------------------
# Tipping points
# ---------------------------------------------------------------------------------------------
def courtesy_tipping(p1: float, se1: float, p0: float, se0: float,
                     level: float = 0.95) -> pd.Series:
    """The share of this year's "satisfied" answers that would have to be courtesy to erase a rise.

    If a share ``c`` of the current year's satisfied answers were courtesy (the respondent was
    not satisfied), the current rate would be ``p1 (1 - c)`` -- more courtesy than in the
    baseline, whose rate is taken as measured. The rise is erased at ``c* = 1 - p0 / p1``
    (with a delta-method interval from both years' standard errors) and stops being larger than
    sampling error at the ``c`` where the Wald interval of ``p1 (1 - c) - p0`` (standard error
    ``sqrt((1 - c)^2 se1^2 + se0^2)``) touches 0 (solved by Brent's method).

    Args:
        p1: the current year's rate.
        se1: its standard error.
        p0: the baseline's rate.
        se0: its standard error.
        level: confidence level.

    Returns:
        ``change``, ``share_erase`` with ``share_erase_se``, ``share_erase_low``,
        ``share_erase_high``, and ``share_nonsignificant`` (0 when the rise is not significant
        to begin with). NaN shares when the rate did not rise (courtesy cannot erase a fall).

    Examples:
        >>> t = courtesy_tipping(0.9645, 0.00175, 0.8669, 0.00447)
        >>> round(float(t.share_erase), 4), round(float(t.share_nonsignificant), 4)
        (0.1012, 0.0916)
    """
    z = z_quantile(level)
    change = p1 - p0
    out = {"change": change, "share_erase": np.nan, "share_erase_se": np.nan,
           "share_erase_low": np.nan, "share_erase_high": np.nan, "share_nonsignificant": np.nan}
    if not (change > 0 and p1 > 0):
        return pd.Series(out)
    erase = 1 - p0 / p1
    se = float(np.hypot(p0 / p1**2 * se1, se0 / p1))

    def margin(c: float) -> float:
        return p1 * (1 - c) - p0 - z * float(np.hypot((1 - c) * se1, se0))

    nonsig = 0.0 if margin(0.0) <= 0 else float(optimize.brentq(margin, 0.0, erase, xtol=1e-12))
    out.update({"share_erase": erase, "share_erase_se": se, "share_erase_low": erase - z * se,
                "share_erase_high": erase + z * se, "share_nonsignificant": nonsig})
    return pd.Series(out)


def courtesy_curve(p1: float, se1: float, p0: float, se0: float,
                   shares: ArrayLike | None = None, level: float = 0.95) -> pd.DataFrame:
    """The change for each assumed share of courtesy among this year's satisfied answers.

    Args:
        p1: the current year's rate.
        se1: its standard error.
        p0: the baseline's rate.
        se0: its standard error.
        shares: courtesy shares (default 0 to 20 % in steps of 0.5 %).
        level: confidence level.

    Returns:
        One row per share: ``share``, ``rate`` (``p1 (1 - share)``), ``change``, ``ci_low``,
        ``ci_high`` (Wald, as :func:`courtesy_tipping`).

    Examples:
        >>> courtesy_curve(0.9, 0.01, 0.8, 0.01, [0, 0.1]).round(4)
           share  rate  change  ci_low  ci_high
        0    0.0  0.90    0.10  0.0723   0.1277
        1    0.1  0.81    0.01 -0.0164   0.0364
    """
    z = z_quantile(level)
    c = np.linspace(0, 0.2, 41) if shares is None else np.asarray(shares, dtype=float)
    rate = p1 * (1 - c)
    se = np.hypot((1 - c) * se1, se0)
    change = rate - p0
    return pd.DataFrame({"share": c, "rate": rate, "change": change, "ci_low": change - z * se,
                         "ci_high": change + z * se})


def nonresponse_tipping(p1: float, se1: float, p0: float, se0: float,
                        response_rates: ArrayLike = DEFAULT_RESPONSE_RATES,
                        level: float = 0.95) -> pd.DataFrame:
    """How much less satisfied this year's non-respondents would have to be to erase the change.

    With a response rate ``r``, the population's rate is ``r p1 + (1 - r) q`` (``q`` the rate
    among non-respondents): a gap ``d = p1 - q`` lowers it by ``(1 - r) d``. The baseline is
    taken as measured (a non-response bias that differs between the years). The change is
    erased at ``d = change / (1 - r)`` and stops being larger than sampling error at
    ``d = (change - z se) / (1 - r)`` (``se`` of the change, the gap held fixed).

    Args:
        p1: the current year's rate.
        se1: its standard error.
        p0: the baseline's rate.
        se0: its standard error.
        response_rates: the grid of assumed response rates (0 < r < 1).
        level: confidence level.

    Returns:
        One row per response rate: ``gap_erase``, ``nonrespondent_rate_erase`` (``p1 - gap``),
        ``possible`` (that rate is at least 0: otherwise no non-respondents could erase the
        change), ``gap_nonsignificant``, ``nonrespondent_rate_nonsignificant``.

    Examples:
        >>> t = nonresponse_tipping(0.9645, 0.00175, 0.8669, 0.00447, [0.5, 0.9])
        >>> t[["gap_erase", "nonrespondent_rate_erase", "possible"]].round(4)
        ... # doctest: +NORMALIZE_WHITESPACE
                       gap_erase  nonrespondent_rate_erase  possible
        response_rate
        0.5               0.1952                    0.7693      True
        0.9               0.9760                   -0.0115     False
    """
    r = np.asarray(response_rates, dtype=float)
    if np.any(~((r > 0) & (r < 1))):
        raise ValueError("response rates must be strictly between 0 and 1")
    z = z_quantile(level)
    change = p1 - p0
    se = float(np.hypot(se1, se0))
    gap = change / (1 - r)
    gap_sig = np.maximum(change - z * se, 0.0) / (1 - r)
    out = pd.DataFrame({"gap_erase": gap, "nonrespondent_rate_erase": p1 - gap,
                        "possible": p1 - gap >= 0, "gap_nonsignificant": gap_sig,
                        "nonrespondent_rate_nonsignificant": p1 - gap_sig},
                       index=pd.Index(r, name="response_rate"))
    return out


@dataclass(frozen=True)
class SelectionTipping:
    """The office-selection scenario of :func:`office_selection`.

    Attributes:
        table: one row per factor k: ``rate``, ``se``, ``change``, ``ci_low``, ``ci_high``.
        offices: the best-scoring offices (PSUs) down-weighted.
        offices_total: offices with a valid answer this year.
        weight_share: their share of the weighted valid answers.
        rate_top: their rate; ``rate_rest``: the other offices' rate.
        k_erase: the factor that erases the change (inf: none does, the other offices alone
            are above the baseline).
        k_nonsignificant: the factor from which the change is within sampling error.
    """

    table: pd.DataFrame
    offices: int
    offices_total: int
    weight_share: float
    rate_top: float
    rate_rest: float
    k_erase: float
    k_nonsignificant: float


def _top_offices(design: SurveyDesign, y: np.ndarray, valid: np.ndarray,
                 top_share: float) -> np.ndarray:
    """Rows in the best-scoring offices holding ``top_share`` of the weighted valid answers."""
    fs = design.first_stage()
    w = np.where(valid, fs.weights, 0.0)
    w_o = np.bincount(fs.psu, weights=w)
    a_o = np.bincount(fs.psu, weights=w * y)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate_o = np.where(w_o > 0, a_o / w_o, -np.inf)
    rate_o = np.round(rate_o, 12)  # equal rates computed in another order are a tie
    order = np.lexsort((np.arange(len(rate_o)), -rate_o))  # best first, ties by PSU code
    before = np.cumsum(w_o[order]) - w_o[order]
    top = np.zeros(len(rate_o), dtype=bool)
    top[order[(before < top_share * w_o.sum()) & (w_o[order] > 0)]] = True
    return top[fs.psu]


def office_selection(current: SurveyDesign, p0: float, se0: float, var: str = "satisfied", *,
                     top_share: float = 0.2, factors: ArrayLike = DEFAULT_FACTORS,
                     level: float = 0.95) -> SelectionTipping:
    """The change if the best-scoring offices had been over-represented by a factor k.

    The offices (PSUs) with the highest rates this year, holding ``top_share`` of the weighted
    valid answers, are taken as over-represented by ``k``: their weights are divided by ``k``.
    The current rate becomes ``(A_t / k + A_r) / (W_t / k + W_r)`` (weighted satisfied answers
    ``A`` and valid answers ``W`` of the top and the other offices); its standard error comes
    from the covariance of the four totals under the year's own design (by polarisation of
    :func:`satisfaction.compare.influence_variance`), so no factor needs a new pass over the
    data. ``k_erase`` is solved in closed form, ``k_nonsignificant`` by Brent's method.

    Args:
        current: the current year's design (PSUs are the offices).
        p0: the baseline's rate.
        se0: its standard error.
        var: the 0/1 variable.
        top_share: the weighted share of answers in the best-scoring offices.
        factors: the factors k to tabulate (1 = as sampled).
        level: confidence level.

    Returns:
        A :class:`SelectionTipping`.
    """
    if not 0 < top_share < 1:
        raise ValueError("top_share must be strictly between 0 and 1")
    y = current.data[var].astype("float64").to_numpy(dtype=float, na_value=np.nan)
    valid = ~np.isnan(y)
    y = np.where(valid, y, 0.0)
    top = _top_offices(current, y, valid, top_share)
    basis = {"a_top": top * y, "a_rest": ~top * y, "w_top": top * valid, "w_rest": ~top * valid}
    basis = {k: v.astype(float) for k, v in basis.items()}
    w = current.first_stage().weights
    totals = np.array([float(np.dot(w, v)) for v in basis.values()])
    cov = _influence_covariance(current, basis)
    z = z_quantile(level)

    def rate_se(k: float) -> tuple[float, float]:
        a_t, a_r, w_t, w_r = totals
        denom = w_t / k + w_r
        rate = (a_t / k + a_r) / denom
        grad = np.array([1 / k, 1.0, -rate / k, -rate]) / denom
        return rate, float(np.sqrt(max(grad @ cov @ grad, 0.0)))

    k = np.asarray(factors, dtype=float)
    rates = np.array([rate_se(f) for f in k])  # a handful of factors, closed form each
    se = np.hypot(rates[:, 1], se0)
    change = rates[:, 0] - p0
    table = pd.DataFrame({"rate": rates[:, 0], "se": rates[:, 1], "change": change,
                          "ci_low": change - z * se, "ci_high": change + z * se},
                         index=pd.Index(k, name="factor"))
    a_t, a_r, w_t, w_r = totals
    rate_top, rate_rest = a_t / w_t, a_r / w_r
    share = w_t / (w_t + w_r)
    k_erase = (share * (rate_top - p0) / ((1 - share) * (p0 - rate_rest))
               if rate_rest < p0 < rate_top else np.inf)

    def margin(log_k: float) -> float:
        rate, s = rate_se(float(np.exp(log_k)))
        return rate - p0 - z * float(np.hypot(s, se0))

    hi = np.log(1e8)
    if margin(0.0) <= 0:
        k_sig = 1.0
    elif margin(hi) > 0:
        k_sig = np.inf
    else:
        k_sig = float(np.exp(optimize.brentq(margin, 0.0, hi, xtol=1e-12)))
    fs = current.first_stage()
    return SelectionTipping(
        table=table, offices=int(np.unique(fs.psu[top]).size),
        offices_total=int(np.unique(fs.psu[valid]).size), weight_share=float(share),
        rate_top=float(rate_top), rate_rest=float(rate_rest), k_erase=float(k_erase),
        k_nonsignificant=k_sig)


def _influence_covariance(design: SurveyDesign, columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Design covariance of the weighted totals of several columns (by polarisation)."""
    names = list(columns)
    pairs = {f"{a}+{b}": columns[a] + columns[b]
             for i, a in enumerate(names) for b in names[i + 1:]}
    variance = influence_variance(design, {**columns, **pairs})
    cov = np.diag(variance[names].to_numpy(float))
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):  # a 4 x 4 matrix
            b = names[j]
            cov[i, j] = cov[j, i] = (variance[f"{a}+{b}"] - cov[i, i] - cov[j, j]) / 2
    return cov


@dataclass(frozen=True)
class TippingPoints:
    """How large a bias would erase the change (:func:`tipping_points`)."""

    courtesy: pd.Series
    courtesy_curve: pd.DataFrame
    nonresponse: pd.DataFrame
    selection: SelectionTipping


def tipping_points(current: SurveyDesign, base: SurveyDesign, var: str = "satisfied", *,
                   response_rates: ArrayLike = DEFAULT_RESPONSE_RATES,
                   top_share: float = 0.2, factors: ArrayLike = DEFAULT_FACTORS,
                   level: float = 0.95) -> TippingPoints:
    """Courtesy, non-response and office-selection tipping points of the change in ``var``.

    Args:
        current: the current year's design.
        base: the baseline year's design.
        var: the 0/1 variable.
        response_rates: the grid of :func:`nonresponse_tipping`.
        top_share: the best-scoring offices' weighted share (:func:`office_selection`).
        factors: the factors of :func:`office_selection`.
        level: confidence level.

    Returns:
        A :class:`TippingPoints`; each year's rate and standard error are linearised from
        its own design.
    """
    p1, se1 = _rate(current, var)
    p0, se0 = _rate(base, var)
    courtesy = courtesy_tipping(p1, se1, p0, se0, level)
    top = courtesy["share_erase_high"] if np.isfinite(courtesy["share_erase_high"]) else 0.1
    shares = np.linspace(0, max(0.05, min(0.5, 1.5 * top)), 61)
    return TippingPoints(
        courtesy=courtesy,
        courtesy_curve=courtesy_curve(p1, se1, p0, se0, shares, level),
        nonresponse=nonresponse_tipping(p1, se1, p0, se0, response_rates, level),
        selection=office_selection(current, p0, se0, var, top_share=top_share, factors=factors,
                                   level=level),
    )


# ---------------------------------------------------------------------------------------------
# Comparability checklist
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class YearSource:
    """How a year's raw file came in: what the checklist says about file format.

    Attributes:
        format: the file format (``csv``, ``xlsx``, ``sav``...).
        encoding: the text encoding (None for binary formats or when unknown).
        rows_in: physical rows read (None when the cleaning log is missing).
        rows_quarantined: rows the cleaning step quarantined.
    """

    format: str
    encoding: str | None = None
    rows_in: int | None = None
    rows_quarantined: int | None = None

    @classmethod
    def from_params(cls, params: YearParams) -> YearSource:
        """A year's source from its cleaning log (else from the raw file's name).

        Examples:
            >>> from satisfaction.params import load_params
            >>> YearSource.from_params(load_params(2019)).format
            'xlsx'
        """
        path = params.processed_dir / "clean_log.json"
        if path.exists():
            log = json.loads(path.read_text(encoding="utf-8"))
            source = log.get("source") or {}
            return cls(format=str(source.get("format") or params.raw_file.suffix.lstrip(".")),
                       encoding=source.get("encoding"), rows_in=log.get("rows_in"),
                       rows_quarantined=log.get("rows_quarantined"))
        return cls(format=params.raw_file.suffix.lstrip(".").lower(), encoding=params.encoding)

    @property
    def quarantined_share(self) -> float:
        """Quarantined rows over rows read (NaN when unknown)."""
        if not self.rows_in or self.rows_quarantined is None:
            return np.nan
        return self.rows_quarantined / self.rows_in


def _weighted_share(design: SurveyDesign, var: str, mask: np.ndarray) -> float:
    """The weighted share of ``mask`` among the valid answers of ``var``."""
    y = design.data[var].astype("float64").to_numpy(dtype=float, na_value=np.nan)
    w = np.where(np.isnan(y), 0.0, design.first_stage().weights)
    return float(np.dot(w, mask) / w.sum()) if w.sum() > 0 else np.nan


def _equals(design: SurveyDesign, column: str, value: str) -> np.ndarray:
    if column not in design.data.columns:
        return np.zeros(design.n, dtype=bool)
    text = design.data[column].astype("string").map(lambda v: nfc(v), na_action="ignore")
    return (text == value).fillna(False).to_numpy(dtype=bool)


def _day_of_year(design: SurveyDesign, column: str) -> np.ndarray | None:
    """Month * 100 + day of each interview (NaN where unknown); None without any date."""
    if column not in design.data.columns:
        return None
    dates = pd.to_datetime(design.data[column], errors="coerce")
    if dates.notna().sum() == 0:
        return None
    return (dates.dt.month * 100 + dates.dt.day).to_numpy(dtype=float, na_value=np.nan)


def _row(aspect: str, kind: str, current: Any, base: Any, same: bool | None,
         measure: str = "none", change: pd.Series | None = None,
         estimate: tuple[float, float, float] | None = None, **detail: Any) -> dict[str, Any]:
    """One checklist row; the effect from a change-table row or (estimate, low, high)."""
    if change is not None:
        estimate = (change["change"], change["change_low"], change["change_high"])
    est, low, high = estimate if estimate is not None else (np.nan, np.nan, np.nan)
    return {"aspect": aspect, "kind": kind, "current": current, "base": base, "same": same,
            "measure": measure, "estimate": est, "ci_low": low, "ci_high": high,
            "detail": detail}


def _fieldwork_row(current: SurveyDesign, base: SurveyDesign, var: str, column: str,
                   kwargs: dict[str, Any]) -> dict[str, Any]:
    days1, days0 = _day_of_year(current, column), _day_of_year(base, column)
    dates = [pd.to_datetime(d.data[column], errors="coerce") if column in d.data.columns else None
             for d in (current, base)]
    spans = [(s.min(), s.max()) if s is not None and s.notna().any() else None for s in dates]
    if days1 is None or days0 is None:
        return _row("fieldwork", "dates", spans[0], spans[1], None,
                    missing="current" if days1 is None else "base")
    lo, hi = max(np.nanmin(days1), np.nanmin(days0)), min(np.nanmax(days1), np.nanmax(days0))
    same = bool(np.nanmin(days1) == np.nanmin(days0) and np.nanmax(days1) == np.nanmax(days0))
    if lo > hi:
        return _row("fieldwork", "dates", spans[0], spans[1], False, overlap=False)
    masks = [{"window": (d >= lo) & (d <= hi)} for d in (days1, days0)]
    change = _restricted_changes(current, base, var, masks[0], masks[1], **kwargs).iloc[0]
    return _row("fieldwork", "dates", spans[0], spans[1], same, "restricted", change,
                overlap=True, window=(int(lo), int(hi)))


def _offices_row(current: SurveyDesign, base: SurveyDesign, var: str,
                 kwargs: dict[str, Any]) -> dict[str, Any]:
    if current.psu is None or base.psu is None:
        return _row("offices", "counts", current.n, base.n, None, no_psu=True)
    codes = [d.data[d.psu].astype("string").map(lambda v: nfc(v), na_action="ignore")
             for d in (current, base)]
    both = set(codes[0].dropna()) & set(codes[1].dropna())
    counts = (int(codes[0].nunique()), int(codes[1].nunique()))
    masks = [{"both": c.isin(both).fillna(False).to_numpy(dtype=bool)} for c in codes]
    if not both:
        return _row("offices", "counts", counts[0], counts[1], False, in_both=0)
    change = _restricted_changes(current, base, var, masks[0], masks[1], **kwargs).iloc[0]
    return _row("offices", "counts", counts[0], counts[1], len(both) == max(counts),
                "restricted", change, in_both=len(both))


def comparability_checklist(
    current: SurveyDesign,
    base: SurveyDesign,
    var: str = "satisfied",
    *,
    items: pd.DataFrame,
    composition: pd.DataFrame,
    like: pd.DataFrame,
    quality: pd.DataFrame,
    flags: tuple[pd.DataFrame, pd.DataFrame],
    sources: tuple[YearSource, YearSource],
    overall: str | None = "q_overall",
    date_column: str = "interview_date",
    level: float = 0.95,
    ci_method: str = "beta",
    method: str = "newcombe",
) -> pd.DataFrame:
    """Do the two years measure the same thing? Every difference, with its measured effect.

    Args:
        current: the current year's design.
        base: the baseline year's design.
        var: the 0/1 variable.
        items: :func:`common_items` of the two questionnaires.
        composition: :func:`composition_table` of the two years.
        like: :func:`like_for_like` of the two years.
        quality: :func:`quality_change` of the two years.
        flags: each year's response flags (current, base).
        sources: each year's :class:`YearSource`.
        overall: the overall item (``var`` is made from it).
        date_column: the interview date.
        level: confidence level.
        ci_method: interval method of each year's rate in the restricted changes.
        method: interval method of the restricted changes.

    Returns:
        One row per aspect: ``aspect`` (``questionnaire``, ``overall_item``, ``mode_mix``,
        ``respondent_mix``, ``who_was_asked``, ``fieldwork``, ``durations``,
        ``response_quality``, ``file_format``, ``design_effect``, ``offices``), ``kind`` (how
        to read ``current`` and ``base``: ``items``, ``text``, ``share``, ``dates``,
        ``decimal``, ``counts``), ``current``, ``base``, ``same`` (None: not a yes/no
        question), ``measure`` (``composition``: the part of the change the difference
        accounts for; ``restricted``: the change when both years are restricted to what they
        share; ``none``: not measurable from the data), ``estimate``, ``ci_low``, ``ci_high``
        (proportion scale) and ``detail`` (a dict: what differs, the counts behind it).
    """
    kwargs = {"level": level, "ci_method": ci_method, "method": method}
    compared = items[items["in_current"] | items["in_base"]]
    differ = [str(i) for i in compared.index[~compared["comparable"]]]
    n_items = (int(compared["comparable"].sum()), len(compared))
    common = like.loc["common items"] if "common items" in like.index else None
    rows = [_row("questionnaire", "items", n_items, n_items, not differ,
                 "restricted" if common is not None else "none", common, differ=differ)]
    if overall is not None and overall in items.index:
        status = items.loc[overall, "status"]
        rows.append(_row("overall_item", "text", status, status,
                         bool(items.loc[overall, "comparable"])))
    for aspect, column, value in (("mode_mix", "channel", "online"),
                                  ("respondent_mix", "respondent_type", "organisation")):
        shares = [_weighted_share(d, var, _equals(d, column, value)) for d in (current, base)]
        comp = composition.loc[column] if column in composition.index else None
        rows.append(_row(aspect, "share", shares[0], shares[1], None, "composition",
                         estimate=None if comp is None or comp.get("status") != "ok" else
                         (comp["composition"], comp["composition_low"], comp["composition_high"]),
                         value=value))
    if TOGETHER in composition.index:
        comp = composition.loc[TOGETHER]
        rows.append(_row("who_was_asked", "text", None, None, None, "composition",
                         estimate=(comp["composition"], comp["composition_low"],
                                   comp["composition_high"]),
                         variables=[c for c in composition.index if c != TOGETHER]))
    rows.append(_fieldwork_row(current, base, var, date_column, kwargs))
    known = [float(f["duration_known"].mean()) for f in flags]
    rows.append(_row("durations", "share", known[0], known[1], (known[0] > 0) == (known[1] > 0),
                     "restricted", quality.loc["fast"], checked_in=quality.loc["fast", "checked_in"]))
    straight = [float(f["straightlined"].mean()) for f in flags]
    rows.append(_row("response_quality", "share", straight[0], straight[1], None, "restricted",
                     quality.loc["flagged"]))
    fmt = [s.format + (f" ({s.encoding})" if s.encoding else "") for s in sources]
    rows.append(_row("file_format", "text", fmt[0], fmt[1], fmt[0] == fmt[1],
                     quarantined=(sources[0].quarantined_share, sources[1].quarantined_share)))
    deff = [float(d.proportion(var).iloc[0]["deff"]) for d in (current, base)]
    rows.append(_row("design_effect", "decimal", deff[0], deff[1], None,
                     strata=(len(current.first_stage().strata), len(base.first_stage().strata))))
    rows.append(_offices_row(current, base, var, kwargs))
    return pd.DataFrame(rows).set_index("aspect")


# ---------------------------------------------------------------------------------------------
# Everything for a year and its baseline
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    """The findings of a :class:`RobustnessReview` as facts, for the report layer to word.

    Attributes:
        change, change_low, change_high: the change and its interval (page 03's).
        significant: the change is larger than sampling error (its interval excludes 0).
        composition, composition_low, composition_high, composition_share: the part of the
            change from who was asked (all characteristics crossed) and its share of the change.
        within, within_low, within_high: the change within groups.
        like_holds: views where the change keeps its sign and stays significant.
        like_fails: views where the change is significant the other way (a contradiction).
        like_unclear: views whose interval contains 0: too imprecise to confirm or contradict.
        quality_holds, quality_fails, quality_unclear: the same for the response-quality
            scenarios.
        quality_unchecked: kinds of forms that could not be checked in a year (e.g. very fast
            forms without durations), with the year(s) they were checked in.
        courtesy_erase, courtesy_nonsignificant: the courtesy shares of :func:`courtesy_tipping`.
        nonresponse: the non-respondents' rate that would erase the change, by response rate.
        selection_k_erase, selection_k_nonsignificant: :class:`SelectionTipping`'s factors.
    """

    change: float
    change_low: float
    change_high: float
    significant: bool
    composition: float
    composition_low: float
    composition_high: float
    composition_share: float
    within: float
    within_low: float
    within_high: float
    like_holds: list[str]
    like_fails: list[str]
    quality_holds: list[str]
    quality_fails: list[str]
    quality_unchecked: dict[str, str]
    courtesy_erase: float
    courtesy_nonsignificant: float
    nonresponse: pd.Series
    selection_k_erase: float
    selection_k_nonsignificant: float
    like_unclear: list[str] = field(default_factory=list)
    quality_unclear: list[str] = field(default_factory=list)


def _holds(table: pd.DataFrame, sign: float) -> tuple[list[str], list[str], list[str]]:
    """The views that confirm, contradict or cannot tell.

    A view *holds* when its change keeps ``sign`` and its interval excludes 0; it *fails* when
    its interval excludes 0 on the other side (a change the other way, larger than sampling
    error); a view whose interval contains 0 is *unclear*: too imprecise to confirm or
    contradict (a small group, not evidence about how the years were measured).
    """
    significant = table["significant"].astype(bool) & table["change"].notna()
    same = np.sign(table["change"]) == sign
    unclear = table["change"].notna() & ~significant
    return ([str(i) for i in table.index[significant & same]],
            [str(i) for i in table.index[significant & ~same]],
            [str(i) for i in table.index[unclear]])


@dataclass(frozen=True)
class RobustnessReview:
    """Everything notebook ``06_robustness`` shows for a year and its baseline (:func:`review`)."""

    years: tuple[Any, Any]
    level: float
    change: pd.Series
    decomposition: pd.DataFrame
    groups: pd.DataFrame
    composition: pd.DataFrame
    items: pd.DataFrame
    like: pd.DataFrame
    quality: pd.DataFrame
    tipping: TippingPoints
    checklist: pd.DataFrame
    by: list[str] = field(default_factory=list)

    def summary(self) -> Summary:
        """The findings as facts (see :class:`Summary`)."""
        c, d = self.change, self.decomposition
        sign = float(np.sign(c["change"]))
        like_ok, like_no, like_unclear = _holds(self.like.drop(index="all"), sign)
        scenarios = self.quality.drop(index="all")
        unchecked = {k: str(v) for k, v in scenarios["checked_in"].items() if v != "both"}
        quality_ok, quality_no, quality_unclear = _holds(
            scenarios[scenarios["checked_in"] != "neither"], sign)
        total = d.loc["total", "estimate"]
        return Summary(
            change=float(c["change"]), change_low=float(c["change_low"]),
            change_high=float(c["change_high"]), significant=bool(c["interval_excludes_zero"]),
            composition=float(d.loc["composition", "estimate"]),
            composition_low=float(d.loc["composition", "ci_low"]),
            composition_high=float(d.loc["composition", "ci_high"]),
            composition_share=float(d.loc["composition", "estimate"] / total) if total else np.nan,
            within=float(d.loc["within", "estimate"]), within_low=float(d.loc["within", "ci_low"]),
            within_high=float(d.loc["within", "ci_high"]),
            like_holds=like_ok, like_fails=like_no, quality_holds=quality_ok,
            quality_fails=quality_no, quality_unchecked=unchecked,
            like_unclear=like_unclear, quality_unclear=quality_unclear,
            courtesy_erase=float(self.tipping.courtesy["share_erase"]),
            courtesy_nonsignificant=float(self.tipping.courtesy["share_nonsignificant"]),
            nonresponse=self.tipping.nonresponse["nonrespondent_rate_erase"],
            selection_k_erase=self.tipping.selection.k_erase,
            selection_k_nonsignificant=self.tipping.selection.k_nonsignificant,
        )


def review(
    current: SurveyDesign,
    base: SurveyDesign,
    var: str = "satisfied",
    *,
    items: tuple[ItemSource, ItemSource],
    flags: tuple[pd.DataFrame, pd.DataFrame],
    sources: tuple[YearSource, YearSource],
    by: Sequence[str] = DEFAULT_COMPOSITION,
    overall: str | None = "q_overall",
    level: float = 0.95,
    ci_method: str = "beta",
    method: str = "newcombe",
    years: tuple[Any, Any] = ("current", "base"),
) -> RobustnessReview:
    """Every robustness analysis of the change in ``var`` between two independent years.

    Args:
        current: the current year's design.
        base: the baseline year's design.
        var: the 0/1 variable.
        items: both years' questionnaires (codebooks or item lists), current first.
        flags: both years' :func:`satisfaction.instrument.response_flags`, current first.
        sources: both years' :class:`YearSource`, current first.
        by: who was asked: the characteristics of the decomposition (those in both years).
        overall: the overall item.
        level: confidence level.
        ci_method: interval method of each year's rate.
        method: interval method of a change.
        years: labels of the two years.

    Returns:
        A :class:`RobustnessReview`.
    """
    present = [c for c in by if c in current.data.columns and c in base.data.columns]
    change = compare_designs(current, base, var, None, level=level, ci_method=ci_method,
                             method=method, years=years).iloc[0]
    composition = composition_table(current, base, var, by, level=level, years=years)
    like = like_for_like(current, base, var, items=items, overall=overall, level=level,
                         ci_method=ci_method, method=method, years=years)
    quality = quality_change(current, base, var, flags=flags, level=level, ci_method=ci_method,
                             method=method)
    item_table = common_items(*items)
    return RobustnessReview(
        years=years, level=level, change=change,
        decomposition=decompose_change(current, base, var, present, level=level, years=years),
        groups=decomposition_by_group(current, base, var, present, years=years),
        composition=composition, items=item_table, like=like, quality=quality,
        tipping=tipping_points(current, base, var, level=level),
        checklist=comparability_checklist(
            current, base, var, items=item_table, composition=composition, like=like,
            quality=quality, flags=flags, sources=sources, overall=overall, level=level,
            ci_method=ci_method, method=method),
        by=present,
    )


def review_years(params: YearParams, baseline: YearParams | None,
                 codebooks: tuple[Codebook, Codebook] | None = None,
                 var: str = "satisfied") -> RobustnessReview | None:
    """:func:`review` of a year against its baseline, from their parameters and processed tables.

    Args:
        params: the current year's parameters.
        baseline: the baseline's parameters (None: nothing to compare, returns None).
        codebooks: the two years' questionnaires, current first (default: each year's own,
            its params ``codebook``).
        var: the 0/1 variable.

    Returns:
        The review, or None without a baseline.
    """
    if baseline is None:
        return None
    from .instrument import response_flags
    from .questionnaire import year_codebook
    from .years import load_design

    if codebooks is None:
        codebooks = (year_codebook(params), year_codebook(baseline))
    designs = (load_design(params), load_design(baseline))
    flags = tuple(
        response_flags(d.data, [i for i in cb.items if i in d.data.columns],
                       cb.overall_item if cb.overall_item in d.data.columns else None,
                       "duration_sec" if "duration_sec" in d.data.columns else None,
                       min_duration_sec=p.instrument.get("min_duration_sec"))
        for d, cb, p in zip(designs, codebooks, (params, baseline), strict=True))
    return review(
        designs[0], designs[1], var, items=codebooks, flags=flags,
        sources=(YearSource.from_params(params), YearSource.from_params(baseline)),
        overall=codebooks[0].overall_item, level=params.confidence, ci_method=params.ci_method,
        years=(params.year, baseline.year))
