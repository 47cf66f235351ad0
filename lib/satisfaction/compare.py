"""Is the change larger than sampling error? Year-over-year comparison of satisfaction rates.

Two independent survey years, each analysed with its own design (strata, PSUs, weights), give
for every domain (overall, level, field, province, office) a current and a base estimate with
its own interval. This module turns them into changes with **one verdict each**:

* the change in percentage points and the relative change (ratio), each with an interval built
  from the two years' own intervals -- MOVER-D and MOVER-R (Newcombe's square-and-add, Zou and
  Donner 2008, Donner and Zou 2012) from the same per-year limits: the design's interval of
  each year (Korn-Graubard by default, with the domain's design degrees of freedom and its
  effective sample size, not capped), or Wilson's on the effective n where a domain lies
  inside a single PSU (the ``test`` column says ``binomial``) and for published figures;
* one test, the inversion of those intervals (:func:`satisfaction.intervals.mover_test`): the
  p-value is ``1 -`` the level at which the interval just reaches no change, so ``significant``,
  "the points interval excludes 0", "the relative interval excludes 1" and ``p < 1 - level``
  are the same statement, recorded once in ``verdict`` (``rise``, ``fall``, ``within sampling
  error``); the reviewer's sentences (:mod:`satisfaction.report.change`) word that row;
* domains found in one year only are kept with a ``status`` column, never dropped; a
  comparable domain without an interval says so in ``status`` (never a silent NaN);
* per-domain p-values corrected for multiple testing within each family of domains (Holm;
  Benjamini-Hochberg, from :mod:`satisfaction.multitest`), with a count of the domains that
  moved;
* the same test from published figures only (a rate, a sample size and design effects that
  were never published: :func:`published_setup` takes them as unknowns over a range), a
  sensitivity grid over the unknown base-year sample size and design effect, and the tipping
  points at which the change would stop being larger than sampling error (solved, not scanned);
* both readings of a reported change such as "+9.76 %" (percentage points or relative).

A change larger than sampling error is not yet a real change: whether it could come from how
the two years were measured is :mod:`satisfaction.robustness`'s question (page 06).

Proportions are fractions (0.9645, not 96.45); changes are in proportion units (0.0976 is
9.76 percentage points). Every computation is vectorised over domains.

Not for: estimating the proportions themselves (:class:`satisfaction.design.SurveyDesign`),
intervals of a single proportion (:mod:`satisfaction.intervals`), the power of a future
survey (:mod:`satisfaction.power`), tables and sentences for a reviewer
(:mod:`satisfaction.report.change`) or figures (:mod:`satisfaction.plots.change`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .codebook import nfc
from .intervals import (
    CiMethod,
    check_level,
    check_method,
    diff_ci,
    effective_sample_size,
    mover_difference,
    mover_ratio,
    mover_test,
    survey_limits_at,
    wilson_limits,
    z_quantile,
)
from .multitest import adjust_pvalues, storey_pi0

if TYPE_CHECKING:
    from .design import SurveyDesign
    from .params import YearParams

STATUS_BOTH = "both years"
STATUS_CURRENT_ONLY = "current year only"
STATUS_BASE_ONLY = "base year only"
STATUS_COLUMN_MISSING = "column missing"
STATUS_NO_ANSWER_CURRENT = "no valid answer in current year"
STATUS_NO_ANSWER_BASE = "no valid answer in base year"
STATUS_NO_ANSWER_BOTH = "no valid answer in either year"
STATUS_NO_INTERVAL = "no interval: a year's estimate has no usable effective sample size"

READING_POINTS = "percentage points"
READING_RELATIVE = "relative"

DEFAULT_N0_GRID = (50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000)
DEFAULT_DEFF_GRID = (1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0)
"""Design effects a published-figures comparison is tried at, in either year (never published)."""
DEFAULT_DEFF0_GRID = DEFAULT_DEFF_GRID

TEST_DESIGN: Final = "design"
"""``test`` of a change built from both years' design intervals (design df, effective n)."""
TEST_BINOMIAL: Final = "binomial"
"""``test`` of a change where a year's domain lies inside one PSU (design df < 1): that year's
interval is Wilson's on its effective sample size (its respondents, when the design gives the
domain no variance), since the design cannot estimate the variance between PSUs there."""
TEST_PUBLISHED: Final = "published"
"""``test`` of a change from published figures: Wilson's intervals on ``n / deff`` (Newcombe)."""

VERDICT_RISE: Final = "rise"
VERDICT_FALL: Final = "fall"
VERDICT_WITHIN: Final = "within sampling error"
"""``verdict`` values: the interval excludes no change (a rise or a fall) or includes it;
empty where there is no change to judge."""

CHANGE_COLUMNS = [
    "status", "p_current", "p_base", "se_current", "se_base", "n_current", "n_base",
    "n_eff_current", "n_eff_base", "change", "change_se", "change_low", "change_high",
    "z", "p_value", "test", "ratio", "ratio_low", "ratio_high", "rel_change",
    "rel_change_low", "rel_change_high", "interval_excludes_zero", "significant", "verdict",
]
"""Columns of every change table, in order (domains as the index)."""


class CompareError(ValueError):
    """The two years cannot be compared as asked (a missing column, variable or year)."""


# --------------------------------------------------------------------------- core


@dataclass(frozen=True)
class YearIntervals:
    """One year's proportions per domain, and the interval each gets at any confidence level.

    The change of a domain is built from its two years' own intervals, at the reported level
    for the intervals and at every level for the test that inverts them. A row gets

    * the design's interval (``method``: Korn-Graubard by default) from its estimate, standard
      error, respondents and design degrees of freedom -- exactly the interval the year's
      estimate table reports; or
    * where ``binomial``, Wilson's interval on ``n_eff``: a domain inside one PSU (design df < 1,
      e.g. an office that is itself a PSU, where the design cannot estimate the variance between
      PSUs: the respondents of the PSU are taken as a simple random sample of its clients and
      ``n_eff`` is their number -- not ``p (1 - p) / se**2``: in a multi-stage design the
      later stages' variance of a single PSU is scaled by the first stage's sampling fraction,
      and taken alone it is too small for the office's own rate; the coverage study measured
      0.63-0.85 with it), or a rate from published figures (``n_eff = n / deff``).

    Attributes:
        estimate: the proportions (NaN: no estimate).
        se: their standard errors.
        n: respondents.
        df: design degrees of freedom (``inf`` when not known).
        n_eff: effective sample sizes (not capped at ``n``).
        binomial: rows whose interval is Wilson's on ``n_eff``.
        method: the design interval's method (:data:`~satisfaction.intervals.SURVEY_METHODS`).
    """

    estimate: np.ndarray
    se: np.ndarray
    n: np.ndarray
    df: np.ndarray
    n_eff: np.ndarray
    binomial: np.ndarray
    method: CiMethod = "beta"

    @classmethod
    def from_table(cls, table: pd.DataFrame, method: CiMethod = "beta") -> YearIntervals:
        """From an estimate table (``estimate``, ``se``, ``n`` and, if known, ``df``).

        A table without ``df`` (e.g. built from ``domain_covariance``) is taken to have many
        degrees of freedom (normal quantiles in the design interval).
        """
        p = pd.to_numeric(table["estimate"], errors="coerce").to_numpy(float)
        se = pd.to_numeric(table["se"], errors="coerce").to_numpy(float)
        n = pd.to_numeric(table["n"], errors="coerce").to_numpy(float)
        df = (pd.to_numeric(table["df"], errors="coerce").to_numpy(float) if "df" in table
              else np.full(len(p), np.inf))
        with np.errstate(invalid="ignore"):
            one_psu = ~(df >= 1) | ~(n >= 2)
            n_eff = np.where(one_psu, n, effective_sample_size(np.clip(p, 0, 1), se, n, cap=False))
        return cls(p, se, n, df, n_eff, one_psu, check_method(method))

    @classmethod
    def published(cls, p: Any, n: Any, deff: Any) -> YearIntervals:
        """From published figures: a rate, its respondents and an (assumed) design effect."""
        p, n, deff = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (p, n, deff)))
        return cls(p, np.sqrt(deff * p * (1 - p) / n), n, np.full(p.shape, np.inf), n / deff,
                   np.ones(p.shape, dtype=bool), "wilson")

    @property
    def valid(self) -> np.ndarray:
        """Rows with an estimate and an effective sample size (an interval can be built)."""
        with np.errstate(invalid="ignore"):
            return (np.isfinite(self.estimate) & np.isfinite(self.n_eff) & (self.n_eff > 0)
                    & (self.n > 0))

    @property
    def se_used(self) -> np.ndarray:
        """The standard error behind each row's interval (binomial rows: ``sqrt(pq / n_eff)``)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            binomial = np.sqrt(np.clip(self.estimate * (1 - self.estimate), 0, None) / self.n_eff)
        return np.where(self.binomial, binomial, self.se)

    def limits(self, z: Any) -> tuple[np.ndarray, np.ndarray]:
        """Every row's interval at the normal quantile ``z`` (one per row, or one for all);
        NaN for rows that are not :attr:`valid`."""
        shape = self.estimate.shape
        z = np.broadcast_to(np.asarray(z, dtype=float), shape)
        low, high = np.full(shape, np.nan), np.full(shape, np.nan)
        valid = self.valid
        wilson, design = valid & self.binomial, valid & ~self.binomial
        if wilson.any():
            neff = self.n_eff[wilson]
            low[wilson], high[wilson] = wilson_limits(
                np.clip(self.estimate[wilson], 0, 1) * neff, neff, z[wilson])
        if design.any():
            low[design], high[design] = survey_limits_at(
                np.clip(self.estimate[design], 0, 1), self.se[design], self.n[design],
                self.df[design], z[design], self.method)
        return low, high


_CHANGE_METHOD_ALIASES: Final = {"newcomb": "newcombe", "mover": "newcombe",
                                  "hybrid-score": "newcombe", "wilson": "newcombe"}


def _check_change_method(method: Any) -> str:
    """The change's method: only the square-and-add (MOVER) combination has its test here."""
    key = method.strip().lower() if isinstance(method, str) else None
    if _CHANGE_METHOD_ALIASES.get(key, key) != "newcombe":
        raise ValueError(
            f"method {method!r}: the change's test is the inversion of its interval, which is "
            "built here by the square-and-add (MOVER) combination of each year's own interval, "
            "'newcombe' (Newcombe's hybrid score interval when those are Wilson's); "
            "satisfaction.intervals.diff_ci gives the other intervals of a difference alone")
    return "newcombe"


def _verdicts(ok: np.ndarray, excludes: np.ndarray, change: np.ndarray) -> np.ndarray:
    """The ``verdict`` column: rise, fall, within sampling error, or '' (nothing to judge)."""
    with np.errstate(invalid="ignore"):
        judged = np.where(excludes, np.where(change > 0, VERDICT_RISE, VERDICT_FALL),
                          VERDICT_WITHIN)
    return np.where(ok, judged, "").astype(object)


def significance_level(level: float) -> float:
    """The test's significance level for intervals at ``level``: ``1 - level`` (0.05 for 0.95,
    exactly: rounded to 12 decimals, so that ``p < 0.05`` reads as the page says).

    Examples:
        >>> significance_level(0.95), 1 - 0.95
        (0.05, 0.050000000000000044)
    """
    return round(1 - check_level(level), 12)


def _inverted_test(change: np.ndarray, excludes: np.ndarray, z: np.ndarray, level: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The test's z and p, its last bits settled by the interval shown at ``level``.

    :func:`~satisfaction.intervals.mover_test` finds by bisection the quantile at which the
    interval reaches 0; the interval at ``level`` decides on which side of ``1 - level`` the
    p-value lies (a difference of the order of the bisection's 1e-17), so that ``p < 1 -
    level`` exactly when the interval excludes 0.
    """
    z0, alpha = z_quantile(level), significance_level(level)
    size = np.abs(z)
    size = np.where(excludes, np.maximum(size, np.nextafter(z0, np.inf)), np.minimum(size, z0))
    p = 2 * stats.norm.sf(size)
    p = np.where(excludes, np.minimum(p, np.nextafter(alpha, 0.0)), np.maximum(p, alpha))
    p = np.where(change == 0, 1.0, p)
    signed = np.where(change == 0, 0.0, np.sign(change) * size)
    missing = np.isnan(z)
    return np.where(missing, np.nan, signed), np.where(missing, np.nan, p)


def _change_arrays(current: YearIntervals, base: YearIntervals, *, level: float
                   ) -> dict[str, np.ndarray]:
    """Changes, intervals, the test and the verdict for two years' domains (row by row)."""
    z0 = z_quantile(level)
    ok = current.valid & base.valid
    p1 = np.where(ok, current.estimate, np.nan)
    p0 = np.where(ok, base.estimate, np.nan)
    change = p1 - p0
    l1, u1 = current.limits(z0)
    l0, u0 = base.limits(z0)
    low, high = mover_difference(p1, l1, u1, p0, l0, u0)
    r_low, r_high = mover_ratio(p1, l1, u1, p0, l0, u0)
    with np.errstate(invalid="ignore"):
        excludes = ok & ((low > 0) | (high < 0))
    z, p_value = _inverted_test(change, excludes,
                                mover_test(p1, p0, current.limits, base.limits), level)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(p0 > 0, p1 / p0, np.where(p1 > 0, np.inf, np.nan))
    test = np.where(~ok, "", np.where(current.binomial | base.binomial, TEST_BINOMIAL,
                                      TEST_DESIGN)).astype(object)
    return {
        "p_current": current.estimate, "p_base": base.estimate,
        "se_current": current.se, "se_base": base.se,
        "n_eff_current": current.n_eff, "n_eff_base": base.n_eff,
        "change": change, "change_se": np.hypot(current.se_used, base.se_used),
        "change_low": low, "change_high": high, "z": z, "p_value": p_value, "test": test,
        "ratio": ratio, "ratio_low": r_low, "ratio_high": r_high,
        "rel_change": ratio - 1, "rel_change_low": r_low - 1, "rel_change_high": r_high - 1,
        "interval_excludes_zero": excludes, "significant": excludes.copy(),
        "verdict": _verdicts(ok, excludes, change),
    }


def change_table(
    current: pd.DataFrame,
    base: pd.DataFrame,
    *,
    level: float = 0.95,
    method: str = "newcombe",
    ci_method: CiMethod = "beta",
) -> pd.DataFrame:
    """Change between two estimate tables of the same domains (independent samples).

    Each year's domain keeps the interval its estimate table reports (``ci_method``, with the
    domain's design degrees of freedom and its effective sample size, :class:`YearIntervals`);
    the change's intervals combine the two (MOVER-D for the points, MOVER-R for the ratio) and
    its test inverts them (:func:`~satisfaction.intervals.mover_test`). A domain inside one PSU
    in a year (``df`` < 1) gets Wilson's interval on its effective sample size there, and
    ``test`` says ``binomial``.

    Args:
        current: estimates of the current year, one row per domain (index), with columns
            ``estimate``, ``se``, ``n`` and, if known, ``df`` (as ``SurveyDesign.proportion``
            returns).
        base: the same for the base year.
        level: confidence level of the intervals; the test's significance level is ``1 -
            level`` (one verdict: there is no separate ``alpha``).
        method: how the two years' intervals are combined: ``"newcombe"``, the square-and-add
            (MOVER) combination -- Newcombe's hybrid score interval when the years' intervals
            are Wilson's -- the only one whose test is its inversion here.
        ci_method: each year's interval (:data:`~satisfaction.intervals.SURVEY_METHODS`), as
            the estimate tables were made with.

    Returns:
        One row per domain of either year (current-year order, then base-only domains),
        columns :data:`CHANGE_COLUMNS`. ``status`` says whether the domain is in both years
        (or in both but without a valid answer in one, or without an interval); one-year
        domains keep their estimate and have NaN changes. ``significant`` and
        ``interval_excludes_zero`` are the same verdict (``p_value < 1 - level``, the points
        interval excludes 0, the relative interval excludes 0), worded in ``verdict``; ``z`` is
        the normal quantile at which the interval reaches 0 (``p = 2 norm.sf(|z|)``).

    Raises:
        CompareError: a required column is missing.
        ValueError: an unknown ``method`` or ``ci_method``.

    Examples:
        >>> cur = pd.DataFrame({"estimate": [0.96, 0.97], "se": [0.004, 0.006],
        ...                     "n": [9000, 3000], "df": [300, 100]},
        ...                    index=pd.Index(["district", "commune"], name="level"))
        >>> base = pd.DataFrame({"estimate": [0.87, 0.85], "se": [0.007, 0.02],
        ...                      "n": [8000, 400], "df": [300, 20]},
        ...                     index=pd.Index(["district", "central"], name="level"))
        >>> t = change_table(cur, base)
        >>> t[["status", "change", "change_low", "change_high", "verdict"]].round(4)
        ... # doctest: +NORMALIZE_WHITESPACE
                             status  change  change_low  change_high verdict
        level
        district         both years    0.09      0.0739       0.1063    rise
        commune   current year only     NaN         NaN          NaN
        central      base year only     NaN         NaN          NaN
    """
    for name, table in (("current", current), ("base", base)):
        missing = [c for c in ("estimate", "se", "n") if c not in table.columns]
        if missing:
            raise CompareError(f"{name} estimate table lacks column(s) {', '.join(missing)}")
    _check_change_method(method)
    index = current.index.append(base.index[~base.index.isin(current.index)])
    index.name = current.index.name if current.index.name is not None else base.index.name
    cur = current.reindex(index)
    bas = base.reindex(index)
    in_cur = index.isin(current.index)
    in_base = index.isin(base.index)
    years = (YearIntervals.from_table(cur, ci_method), YearIntervals.from_table(bas, ci_method))
    out = pd.DataFrame(_change_arrays(*years, level=level), index=index)
    status = np.where(in_cur & in_base, STATUS_BOTH,
                      np.where(in_cur, STATUS_CURRENT_ONLY, STATUS_BASE_ONLY)).astype(object)
    no_answer_cur = in_cur & cur["estimate"].isna().to_numpy()
    no_answer_base = in_base & bas["estimate"].isna().to_numpy()
    no_interval = (in_cur & in_base & ~no_answer_cur & ~no_answer_base
                   & ~np.isfinite(out["change_low"].to_numpy(float)))
    status[no_interval] = STATUS_NO_INTERVAL
    status[no_answer_cur & ~no_answer_base] = STATUS_NO_ANSWER_CURRENT
    status[no_answer_base & ~no_answer_cur] = STATUS_NO_ANSWER_BASE
    status[no_answer_base & no_answer_cur] = STATUS_NO_ANSWER_BOTH
    out["status"] = status
    out["n_current"] = pd.to_numeric(cur["n"], errors="coerce").to_numpy()
    out["n_base"] = pd.to_numeric(bas["n"], errors="coerce").to_numpy()
    return out[CHANGE_COLUMNS]


# --------------------------------------------------------------------------- microdata


def compare_designs(
    current: SurveyDesign,
    base: SurveyDesign,
    var: str = "satisfied",
    by: str | Sequence[str] | None = None,
    *,
    level: float = 0.95,
    ci_method: CiMethod = "beta",
    method: str = "newcombe",
    years: tuple[Any, Any] = ("current", "base"),
) -> pd.DataFrame:
    """Change of a proportion between two survey years, each with its own design.

    Args:
        current: the current year's :class:`~satisfaction.design.SurveyDesign`.
        base: the base year's design (an independent sample).
        var: the 0/1 variable (default ``satisfied``).
        by: domain column(s); None for the overall rate (index ``"all"``).
        level: confidence level (and ``1 -`` the test's significance level).
        ci_method: interval method of the per-year estimates (passed to ``proportion``); the
            change is built from those intervals.
        method: how they are combined (see :func:`change_table`).
        years: labels of the two years for messages, e.g. ``(2020, 2019)``.

    Returns:
        The :func:`change_table` of the two years' ``proportion(var, by)`` tables.

    Raises:
        CompareError: ``var`` or a ``by`` column is missing in one of the years (named).
    """
    wanted = [var] + ([] if by is None else [by] if isinstance(by, str) else list(by))
    for design, label in ((current, years[0]), (base, years[1])):
        missing = [c for c in wanted if c not in design.data.columns]
        if missing:
            raise CompareError(
                f"year {label}: column(s) {', '.join(missing)} not in the survey table, so "
                f"the years cannot be compared on them (see schema_differences)"
            )
    tables = []
    for design in (current, base):
        est = design.proportion(var, by=by, ci_method=ci_method, level=level)
        if by is None:
            est = est.iloc[:1].copy()
            est.index = pd.Index(["all"], name="domain")
        tables.append(est)
    return change_table(tables[0], tables[1], level=level, method=method, ci_method=ci_method)


def compare_domains(
    current: SurveyDesign,
    base: SurveyDesign,
    var: str = "satisfied",
    domains: Sequence[str] = ("level", "field", "province", "office"),
    *,
    level: float = 0.95,
    ci_method: CiMethod = "beta",
    method: str = "newcombe",
    alpha: float | None = None,
    years: tuple[Any, Any] = ("current", "base"),
    include_overall: bool = True,
) -> pd.DataFrame:
    """Changes for the whole population and every domain of several domain columns.

    Each domain column is one family of tests: Holm and Benjamini-Hochberg adjustments are
    added within a family (see :func:`add_multiple_testing`). A domain column missing in one
    year is reported as one row with ``status`` "column missing" (not dropped).

    Args:
        current: current-year design.
        base: base-year design.
        var: the 0/1 variable.
        domains: domain columns, one family each.
        level: confidence level (each change's verdict is at ``1 - level``).
        ci_method: interval method of the per-year estimates.
        method: how the two years' intervals are combined (see :func:`change_table`).
        alpha: the family-wise error rate and false discovery rate of the multiple-testing
            columns (default ``1 - level``).
        years: labels of the two years, e.g. ``(2020, 2019)``.
        include_overall: add the overall change as domain type ``overall``.

    Returns:
        Long table: ``domain_type``, ``domain`` and the :data:`CHANGE_COLUMNS`, plus the
        multiple-testing columns.
    """
    alpha = 1 - level if alpha is None else float(alpha)
    kwargs = {"level": level, "ci_method": ci_method, "method": method, "years": years}
    parts = []
    if include_overall:
        t = compare_designs(current, base, var, None, **kwargs)
        parts.append(t.assign(domain_type="overall", domain="all").reset_index(drop=True))
    for column in domains:
        lacking = [
            str(label) for design, label in ((current, years[0]), (base, years[1]))
            if column not in design.data.columns
        ]
        if lacking:
            row = pd.DataFrame({c: [np.nan] for c in CHANGE_COLUMNS})
            row["status"] = f"{STATUS_COLUMN_MISSING} in {' and '.join(lacking)}"
            row[["interval_excludes_zero", "significant"]] = False
            row[["test", "verdict"]] = ""
            parts.append(row.assign(domain_type=column, domain=np.nan))
            continue
        t = compare_designs(current, base, var, column, **kwargs)
        t = t.rename_axis("domain").reset_index()
        t["domain"] = t["domain"].map(lambda v: nfc(v) if isinstance(v, str) else v)
        parts.append(t.assign(domain_type=column))
    out = pd.concat(parts, ignore_index=True)
    out = out[["domain_type", "domain", *CHANGE_COLUMNS]]
    return add_multiple_testing(out, alpha=alpha, family="domain_type")


def schema_differences(current: pd.DataFrame, base: pd.DataFrame,
                       years: tuple[Any, Any] = ("current", "base")) -> pd.DataFrame:
    """Columns that differ between two years' survey tables (presence or type).

    Args:
        current: the current year's respondent table.
        base: the base year's respondent table.
        years: labels for the two years.

    Returns:
        One row per differing column: ``column``, ``in_<y1>``, ``in_<y0>``, ``dtype_<y1>``,
        ``dtype_<y0>``, ``difference``. Empty when the tables agree.

    Examples:
        >>> a = pd.DataFrame({"satisfied": [1.0], "channel": ["online"]})
        >>> b = pd.DataFrame({"satisfied": [1.0], "q_new": [3]})
        >>> schema_differences(a, b, (2020, 2019))[["column", "difference"]]
            column    difference
        0  channel  only in 2020
        1    q_new  only in 2019
    """
    y1, y0 = (str(y) for y in years)
    cols = list(dict.fromkeys([*map(str, current.columns), *map(str, base.columns)]))
    rows = []
    for col in cols:
        a, b = col in current.columns, col in base.columns
        ta = str(current[col].dtype) if a else ""
        tb = str(base[col].dtype) if b else ""
        if a and b and ta == tb:
            continue
        diff = f"only in {y1}" if a and not b else f"only in {y0}" if b and not a else \
            f"type {ta} in {y1}, {tb} in {y0}"
        rows.append({"column": col, f"in_{y1}": a, f"in_{y0}": b, f"dtype_{y1}": ta,
                     f"dtype_{y0}": tb, "difference": diff})
    columns = ["column", f"in_{y1}", f"in_{y0}", f"dtype_{y1}", f"dtype_{y0}", "difference"]
    return pd.DataFrame(rows, columns=columns)


def coverage_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """How many domains of each type are in both years, one year only, or not comparable.

    Args:
        changes: the output of :func:`compare_domains`.

    Returns:
        A table domain_type x status of counts.
    """
    return changes.groupby(["domain_type", "status"], sort=False).size().unstack(fill_value=0)


# --------------------------------------------------------------------------- published figures


def compare_published(
    p1: Any, n1: Any, p0: Any, n0: Any, deff1: Any = 1.0, deff0: Any = 1.0,
    *, level: float = 0.95, method: str = "newcombe",
) -> pd.DataFrame:
    """The change test from published figures only: rates, sample sizes, design effects.

    Each year's effective sample size is ``n / deff`` and its interval Wilson's on it; the
    change's intervals are their MOVER combinations (Newcombe's hybrid score interval for the
    points) and the test their inversion, as for microdata (``test`` = ``published``). All
    arguments broadcast (vectorised sensitivity analyses).

    Args:
        p1: current-year proportion (0.9645, not 96.45).
        n1: current-year respondents.
        p0: base-year proportion.
        n0: base-year respondents (an assumption when unpublished).
        deff1: current-year design effect (1 = simple random sample; an assumption when
            unpublished).
        deff0: base-year design effect (an assumption when unpublished).
        level: confidence level (and ``1 -`` the test's significance level).
        method: ``"newcombe"`` (see :func:`change_table`).

    Returns:
        One row per broadcast element: the inputs, ``n_eff_*`` and the change columns.

    Raises:
        ValueError: a proportion outside [0, 1] (percentages are refused), a size or design
            effect <= 0.

    Examples:
        >>> r = compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
        >>> [round(float(v), 4) for v in (r.change, r.change_low, r.change_high)], r.verdict
        ([0.0976, 0.0906, 0.1048], 'rise')
    """
    p1a, n1a, p0a, n0a, d1a, d0a = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=float)) for v in (p1, n1, p0, n0, deff1, deff0))
    )
    if np.any((p1a < 0) | (p1a > 1) | (p0a < 0) | (p0a > 1)):
        raise ValueError("rates must be proportions in [0, 1] (pass 0.9645, not 96.45)")
    if np.any(~(n1a > 0) | ~(n0a > 0)):
        raise ValueError("sample sizes must be > 0")
    if np.any(~(d1a > 0) | ~(d0a > 0)):
        raise ValueError("design effects must be > 0")
    _check_change_method(method)
    arrays = _change_arrays(YearIntervals.published(p1a, n1a, d1a),
                            YearIntervals.published(p0a, n0a, d0a), level=level)
    arrays["test"] = np.full(len(p1a), TEST_PUBLISHED, dtype=object)
    out = pd.DataFrame(arrays)
    out.insert(0, "deff_base", d0a)
    out.insert(0, "deff_current", d1a)
    out.insert(0, "n_base", n0a)
    out.insert(0, "n_current", n1a)
    return out


def sensitivity_grid(
    p1: float, n1: float, p0: float,
    n0_values: Sequence[float] = DEFAULT_N0_GRID,
    deff0_values: Sequence[float] = DEFAULT_DEFF_GRID,
    deff1: float = 1.0,
    *, level: float = 0.95, method: str = "newcombe",
) -> pd.DataFrame:
    """Is the change larger than sampling error for every assumed base-year size and design effect?

    Args:
        p1: current-year proportion.
        n1: current-year respondents.
        p0: base-year proportion.
        n0_values: assumed base-year sample sizes.
        deff0_values: assumed base-year design effects.
        deff1: the current year's (assumed) design effect.
        level: confidence level.
        method: ``"newcombe"`` (see :func:`change_table`).

    Returns:
        Long table, one row per (n_base, deff_base), with the :func:`compare_published`
        columns. Pivot it with :func:`sensitivity_table`.
    """
    n0, d0 = np.meshgrid(np.asarray(n0_values, float), np.asarray(deff0_values, float))
    return compare_published(p1, n1, p0, n0.ravel(), deff1, d0.ravel(), level=level,
                             method=method)


def sensitivity_table(grid: pd.DataFrame, value: str = "change_low") -> pd.DataFrame:
    """Pivot a sensitivity grid: rows = base-year design effect, columns = base-year n.

    Args:
        grid: the output of :func:`sensitivity_grid`.
        value: the column to show (``change_low``, ``p_value``, ``significant``...).

    Returns:
        A deff x n table of ``value``.
    """
    return grid.pivot(index="deff_base", columns="n_base", values=value)


def _published_margin(p1: float, neff1: float, p0: float, neff0: float, level: float) -> float:
    """How far the published-figures interval lies from 0 on the side of the change (> 0: the
    change is larger than sampling error): the quantity the tipping points solve for 0."""
    low, high = diff_ci(p1 * neff1, neff1, p0 * neff0, neff0, method="newcombe", level=level)
    return float(low) if p1 > p0 else -float(high)


def _solve_log(margin: Any, lo: float, hi: float, *, rising: bool) -> float:
    """The root of ``margin(log x)`` on ``[lo, hi]`` (log scale): ``x`` where the change reaches
    sampling error. ``rising``: the margin grows with ``x``. Returns 0 or inf when the margin
    keeps its sign over the whole bracket."""
    at_lo, at_hi = margin(lo), margin(hi)
    if rising:
        if at_hi <= 0:
            return np.inf
        if at_lo > 0:
            return 0.0
    else:
        if at_lo <= 0:
            return 0.0
        if at_hi > 0:
            return np.inf
    return float(np.exp(optimize.brentq(margin, lo, hi, xtol=1e-12, rtol=1e-12)))


def tipping_point(
    p1: float, n1: float, p0: float, deff1: float = 1.0,
    *, n0: float | None = None, deff0: float | None = None,
    level: float = 0.95, method: str = "newcombe",
) -> pd.Series:
    """The base-year effective sample size below which the change is within sampling error.

    From published figures, the base year enters only through ``n0 / deff0``, its effective
    sample size. The critical value ``n_eff*`` solves "the interval of :func:`compare_published`
    just touches 0" (Brent's method) -- the same interval, so the same verdict: the change is
    larger than sampling error exactly when the base year's effective sample size is above
    ``n_eff*``. The smallest base-year sample size at design effect ``deff0`` is then
    ``n_eff* x deff0`` and the largest design effect at sample size ``n0`` is ``n0 / n_eff*``.

    Args:
        p1: current-year proportion.
        n1: current-year respondents.
        p0: base-year proportion.
        deff1: current-year design effect (assumed).
        n0: an assumed base-year sample size (for ``max_deff_base``).
        deff0: an assumed base-year design effect (for ``min_n_base``).
        level: confidence level.
        method: ``"newcombe"`` (see :func:`change_table`).

    Returns:
        Series: ``n_eff_base_critical`` (inf when the change is never larger than sampling
        error, 0 when it always is), ``min_n_base`` (at ``deff0``), ``max_deff_base`` (at
        ``n0``).

    Examples:
        >>> t = tipping_point(0.9645, 22250, 0.8669, n0=20000, deff0=2.0)
        >>> [round(float(t[k]), 2) for k in ("n_eff_base_critical", "min_n_base", "max_deff_base")]
        [13.83, 27.66, 1446.22]
    """
    if not (0 <= p1 <= 1 and 0 <= p0 <= 1):
        raise ValueError("rates must be proportions in [0, 1] (pass 0.9645, not 96.45)")
    _check_change_method(method)
    z_quantile(level)
    neff1 = n1 / deff1
    if p1 == p0:
        critical = np.inf
    else:
        critical = _solve_log(
            lambda log_neff: _published_margin(p1, neff1, p0, float(np.exp(log_neff)), level),
            np.log(1e-6), np.log(1e12), rising=True)
    return pd.Series({
        "n_eff_base_critical": float(critical),
        "min_n_base": float(critical * deff0) if deff0 is not None else np.nan,
        "max_deff_base": float(n0 / critical) if n0 is not None and critical > 0 else
        (np.inf if n0 is not None else np.nan),
    })


def tipping_deff(p1: float, n1: float, p0: float, n0: float, *, level: float = 0.95) -> float:
    """The design effect, the same in both years, above which the change is within sampling error.

    Published figures give each year's respondents but neither design effect; with both at
    ``d``, the effective sample sizes are ``n1 / d`` and ``n0 / d``. The change is larger than
    sampling error exactly when ``d`` is below the value returned (Brent's method on the
    interval of :func:`compare_published`).

    Returns:
        The critical design effect (0 when the change is never larger than sampling error, even
        with design effects far below 1; inf when it always is).

    Examples:
        >>> round(tipping_deff(0.9645, 22250, 0.8669, 22250), 1)
        334.6
    """
    if p1 == p0:
        return 0.0
    return _solve_log(
        lambda log_d: _published_margin(p1, n1 / np.exp(log_d), p0, n0 / np.exp(log_d), level),
        np.log(1e-6), np.log(1e9), rising=False)


# --------------------------------------------------------------------------- two readings

_CHANGE_RE = re.compile(r"^\s*([+\-\u2212]?)\s*(\d+(?:[.,]\d+)?)\s*(%|pp|điểm %|điểm)?\s*$")


def parse_reported_change(text: str | float) -> float:
    """A published change such as ``"+9.76 %"`` as a fraction (0.0976); numbers are percent.

    Examples:
        >>> parse_reported_change("+9.76 %"), parse_reported_change("-1,5%"), parse_reported_change(9.76)
        (0.0976, -0.015, 0.0976)
    """
    if isinstance(text, (int, float, np.floating)) and not isinstance(text, bool):
        return round(float(text) / 100, 12)
    m = _CHANGE_RE.match(nfc(str(text)))
    if not m:
        raise ValueError(f"cannot read a change from {text!r} (expected a signed percentage "
                         "such as '+2.5 %' or '-1,5 %')")
    sign = -1.0 if m.group(1) in ("-", "\u2212") else 1.0
    return round(sign * float(m.group(2).replace(",", ".")) / 100, 12)


def implied_base_rates(p1: float, reported: float) -> dict[str, float]:
    """The base-year rate implied by a reported change under each reading.

    Examples:
        >>> {k: round(v, 4) for k, v in implied_base_rates(0.9645, 0.0976).items()}
        {'percentage points': 0.8669, 'relative': 0.8787}
    """
    return {READING_POINTS: p1 - reported, READING_RELATIVE: p1 / (1 + reported)}


def two_readings(
    p1: float, reported: float | str, n1: float, n0: float,
    deff1: float = 1.0, deff0: float = 1.0,
    *, level: float = 0.95, method: str = "newcombe",
) -> pd.DataFrame:
    """Test the reported change under both readings, side by side.

    Args:
        p1: current-year proportion (0.9645).
        reported: the reported change, as a fraction (0.0976) or text ("+9.76 %").
        n1: current-year respondents.
        n0: assumed base-year respondents.
        deff1: current-year design effect (assumed).
        deff0: base-year design effect (assumed).
        level: confidence level.
        method: ``"newcombe"`` (see :func:`change_table`).

    Returns:
        Indexed by reading (``percentage points``, ``relative``): the implied base rate
        ``p_base`` and the :func:`compare_published` columns, plus the tipping points
        (``n_eff_base_critical``, ``min_n_base``, ``max_deff_base`` of :func:`tipping_point`,
        and ``deff_both_critical``: the design effect of both years above which the change is
        within sampling error, :func:`tipping_deff`).

    Examples:
        >>> r = two_readings(0.9645, "+9.76 %", 22250, 20000, 1.0, 2.0)
        >>> r[["p_base", "change", "rel_change"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                           p_base  change  rel_change
        reading
        percentage points  0.8669  0.0976      0.1126
        relative           0.8787  0.0858      0.0976
    """
    r = parse_reported_change(reported) if isinstance(reported, str) else float(reported)
    bases = implied_base_rates(p1, r)
    table = compare_published(p1, n1, list(bases.values()), n0, deff1, deff0, level=level,
                              method=method)
    table.index = pd.Index(list(bases), name="reading")
    tips = pd.DataFrame([
        tipping_point(p1, n1, p0, deff1, n0=n0, deff0=deff0, level=level, method=method)
        for p0 in bases.values()  # two readings
    ], index=table.index)
    tips["deff_both_critical"] = [tipping_deff(p1, n1, p0, n0, level=level)
                                  for p0 in bases.values()]
    return pd.concat([table, tips], axis=1)


@dataclass(frozen=True)
class PublishedFigures:
    """The inputs of the published-figures test: what was published, what is assumed.

    Attributes:
        reported: the change as published (``"+9.76 %"``), both readings to be tested.
        rate: the current year's published rate, as published (percent, ``96.45``).
        p1: the same as a proportion (``0.9645``).
        n1: current-year respondents: the published count, else the survey's own.
        deff1: the current year's design effect the readings are shown at: never published, so
            the least favourable end of ``deff_range``.
        n0: base-year respondents: the published count, else assumed equal to ``n1``.
        deff0: the base year's design effect the readings are shown at (as ``deff1``).
        deff_range: the design effects both years are tried at (``DEFAULT_DEFF_GRID``): the
            smallest and the largest. What holds at the largest holds over the whole range (a
            larger design effect only widens the intervals).
        n0_published: ``n0`` was published (else it is an assumption).
        n1_published: ``n1`` was published (else it is the survey file's count).
    """

    reported: str | float
    rate: float
    p1: float
    n1: float
    deff1: float
    n0: float
    deff0: float
    deff_range: tuple[float, float] = (min(DEFAULT_DEFF_GRID), max(DEFAULT_DEFF_GRID))
    n0_published: bool = False
    n1_published: bool = True


def published_setup(params: YearParams, baseline: YearParams | None,
                    overall: pd.DataFrame,
                    deff_values: Sequence[float] = DEFAULT_DEFF_GRID) -> PublishedFigures | None:
    """The published figures of a year and its baseline, with the assumptions that fill the gaps.

    The ministry publishes a rate, its respondents and a change; it never published the base
    year's respondents or either year's design effect. Neither design effect is taken from
    the microdata (a synthetic year's design effect is no evidence about the real survey):
    both are unknowns over ``deff_values``, and the readings are shown at the least favourable
    end of that range, the largest (where the intervals are widest, so that a change larger
    than sampling error there is larger everywhere in the range). The base year is assumed to
    have had as many respondents as the current one when its count is unpublished --
    an assumption :func:`sensitivity_grid` and :func:`tipping_point` then vary.

    Args:
        params: the current year's parameters (its ``published:`` section).
        baseline: the base year's parameters, or None when the year has no baseline.
        overall: the current year's overall estimate (a one-row ``SurveyDesign.proportion``
            table: ``n``), for the respondents when the count is unpublished.
        deff_values: the design effects both years are tried at.

    Returns:
        The inputs of :func:`two_readings`, or None when there is no baseline or the year
        publishes no rate or no change.

    Examples:
        >>> from satisfaction.params import load_params
        >>> overall = pd.DataFrame({"n": [22000], "deff": [3.5]}, index=["all"])
        >>> s = published_setup(load_params(2020), load_params(2019), overall)
        >>> s.reported, s.p1, s.n1, s.deff1, s.n0, s.deff0, s.deff_range, s.n0_published
        ('+9.76 %', 0.9645, 22250, 50.0, 22250, 50.0, (1.0, 50.0), False)
        >>> published_setup(load_params(2019), None, overall) is None
        True
    """
    published = params.published
    rate, reported = published.get("satisfaction_rate"), published.get("change_reported")
    if baseline is None or reported is None or rate is None:
        return None
    deffs = [float(d) for d in deff_values]
    if not deffs or min(deffs) <= 0:
        raise ValueError("design effects to try must be > 0")
    n1 = published.get("respondents") or int(overall["n"].iloc[0])
    n0 = baseline.published.get("respondents")
    worst = max(deffs)
    return PublishedFigures(
        reported=reported, rate=rate, p1=rate / 100, n1=n1, deff1=worst, n0=n0 or n1,
        deff0=worst, deff_range=(min(deffs), worst), n0_published=n0 is not None,
        n1_published=published.get("respondents") is not None,
    )


def readings_sensitivity(
    readings: pd.DataFrame,
    n0_values: Sequence[float] = DEFAULT_N0_GRID,
    deff0_values: Sequence[float] = DEFAULT_DEFF_GRID,
    *, level: float = 0.95, method: str = "newcombe",
) -> dict[str, pd.DataFrame]:
    """The :func:`sensitivity_grid` of each reading of a reported change.

    The current year's design effect is the one the readings were computed at (``deff_current``:
    the least favourable of its range in :func:`published_setup`).

    Args:
        readings: the output of :func:`two_readings` (its current-year rate, respondents and
            design effect, and each reading's implied base rate).
        n0_values: assumed base-year sample sizes.
        deff0_values: assumed base-year design effects.
        level: confidence level.
        method: ``"newcombe"`` (see :func:`change_table`).

    Returns:
        Reading -> its grid (one row per assumed base-year size and design effect).

    Examples:
        >>> r = two_readings(0.9645, "+9.76 %", 22250, 20000, 1.0, 2.0)
        >>> grids = readings_sensitivity(r, [50, 500], [1.0, 10.0])
        >>> {k: len(g) for k, g in grids.items()}
        {'percentage points': 4, 'relative': 4}
    """
    return {
        reading: sensitivity_grid(row["p_current"], row["n_current"], row["p_base"], n0_values,
                                  deff0_values, deff1=row["deff_current"], level=level,
                                  method=method)
        for reading, row in readings.iterrows()
    }


# --------------------------------------------------------------------------- multiple testing


def add_multiple_testing(
    changes: pd.DataFrame, *, alpha: float = 0.05, family: str | None = "domain_type",
    p_column: str = "p_value",
) -> pd.DataFrame:
    """Add Holm and Benjamini-Hochberg adjusted p-values and verdicts within each family.

    Args:
        changes: a change table (e.g. from :func:`compare_domains`).
        alpha: the family-wise error rate (Holm) and false discovery rate (BH).
        family: column defining the families of tests (None: one family).
        p_column: the raw p-value column.

    Returns:
        A copy with ``p_holm``, ``p_bh``, ``significant_holm``, ``significant_bh`` and
        ``direction`` (``up``/``down``/``""``).
    """
    out = changes.copy()
    p = out[p_column].to_numpy(float)
    keys = out[family] if family is not None else pd.Series(0, index=out.index)
    holm = np.full(len(out), np.nan)
    bh = np.full(len(out), np.nan)
    for pos in keys.groupby(keys, sort=False).indices.values():  # one pass per family
        holm[pos] = adjust_pvalues(p[pos], "holm")
        bh[pos] = adjust_pvalues(p[pos], "bh")
    out["p_holm"] = holm
    out["p_bh"] = bh
    out["significant_holm"] = np.nan_to_num(holm, nan=1.0) < alpha
    out["significant_bh"] = np.nan_to_num(bh, nan=1.0) < alpha
    change = out["change"].to_numpy(float) if "change" in out else np.zeros(len(out))
    out["direction"] = np.where(np.isnan(change), "", np.where(change > 0, "up",
                                np.where(change < 0, "down", "")))
    return out


def moved_summary(changes: pd.DataFrame, *, alpha: float = 0.05, family: str = "domain_type",
                  storey_lambda: float = 0.5) -> pd.DataFrame:
    """How many domains truly moved, per family of tests.

    Args:
        changes: a table from :func:`add_multiple_testing` (or :func:`compare_domains`).
        alpha: significance level used for the raw count.
        family: the family column.
        storey_lambda: lambda of Storey's (2002) estimate of the share of true nulls.

    Returns:
        Per family: ``domains``, ``tested`` (in both years), ``not_tested``,
        ``significant_raw``, ``expected_false_raw`` (``tested x alpha``: how many raw
        "significant" changes chance alone would give), ``significant_holm``,
        ``significant_bh`` (with ``up_bh``/``down_bh``) and ``estimated_true_moves``
        (``tested x (1 - pi0)``, Storey's estimate of how many domains changed at all,
        detected or not).
    """
    df = changes.copy()
    tested = df["p_value"].notna()
    df["_tested"] = tested
    df["_raw"] = tested & (df["p_value"] < alpha)
    df["_holm"] = df["significant_holm"].astype(bool)
    df["_bh"] = df["significant_bh"].astype(bool)
    df["_up_bh"] = df["_bh"] & (df["change"] > 0)
    df["_down_bh"] = df["_bh"] & (df["change"] < 0)
    g = df.groupby(family, sort=False)
    out = pd.DataFrame({
        "domains": g.size(),
        "tested": g["_tested"].sum(),
        "significant_raw": g["_raw"].sum(),
        "significant_holm": g["_holm"].sum(),
        "significant_bh": g["_bh"].sum(),
        "up_bh": g["_up_bh"].sum(),
        "down_bh": g["_down_bh"].sum(),
    })
    out.insert(2, "not_tested", out["domains"] - out["tested"])
    out.insert(4, "expected_false_raw", out["tested"] * alpha)
    pi0 = g["p_value"].agg(lambda p: storey_pi0(p, storey_lambda))  # one call per family
    out["estimated_true_moves"] = np.round(out["tested"] * (1 - pi0), 1)
    return out




# =============================================================================================
# Composition: how much of a change comes from who was asked (issue 16).
#
# This section is appended to the module: the symmetric Kitagawa decomposition of a change in
# a rate into composition and within-group change, with design-based standard errors from each
# year's own design. Everything else of the robustness analysis lives in
# :mod:`satisfaction.robustness`.
# =============================================================================================

if TYPE_CHECKING:  # names used in this section's annotations only
    from collections.abc import Mapping

    from numpy.typing import ArrayLike

DECOMPOSITION_ROWS = ("total", "composition", "within", "current", "base", "standardised",
                      "standardised_change")
"""Rows of :func:`decompose_change`, in order."""
DECOMPOSITION_COLUMNS = ("estimate", "se", "ci_low", "ci_high")
"""Columns of :func:`decompose_change`."""
MISSING_GROUP = "(missing)"
"""The group label of a valid answer whose ``by`` value is missing (kept as a group of its own)."""


def influence_variance(design: SurveyDesign, influence: Mapping[str, ArrayLike]) -> pd.Series:
    """The design-based variance of ``sum_i w_i u_i`` for each influence column ``u``.

    A smooth statistic of one survey year is linearised as ``theta_hat - theta ~ sum_i w_i u_i``
    (``w`` the sampling weights, ``u`` its influence value per respondent, 0 for respondents it
    does not touch). Its variance is the variance of that weighted total under the design: the
    design's own :meth:`~satisfaction.design.SurveyDesign.total` on the same data with ``u``
    added, so strata, PSUs, the finite population correction and the lonely-PSU policy are
    exactly those of every other estimate of the year.

    Args:
        design: the year's design.
        influence: name -> one value per row of ``design.data`` (data order), finite.

    Returns:
        Variance per influence column (a Series named ``variance``).

    Raises:
        ValueError: a column has the wrong length or values that are not finite.

    Examples:
        >>> from satisfaction.design import SurveyDesign
        >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1], "w": [1.0, 2, 1, 2], "psu": [1, 1, 2, 2]})
        >>> d = SurveyDesign(df, weights="w", psu="psu")
        >>> u = (df.y - 4 / 6) / 6                      # the influence of the weighted mean
        >>> v = influence_variance(d, {"mean": u})
        >>> bool(np.isclose(v["mean"], d.mean("y").se.iloc[0] ** 2, rtol=1e-12))
        True
    """
    from .design import DesignSpec

    names = {f"__influence_{i}__": str(k) for i, k in enumerate(influence)}
    columns = {}
    for column, (key, values) in zip(names, influence.items(), strict=True):
        u = np.asarray(values, dtype=float)
        if u.shape != (design.n,) or not np.all(np.isfinite(u)):
            raise ValueError(f"influence {key!r}: need {design.n} finite values, one per row")
        columns[column] = u
    spec = DesignSpec(weights=design.weights, strata=design.strata, psu=design.psu,
                      fpc=design.fpc, lonely_psu=design.lonely_psu,
                      adjust_domain_lonely=design.adjust_domain_lonely)
    rebuilt = spec.build(design.data.assign(**columns))
    variance = [float(rebuilt.total(column)["se"].iloc[0]) ** 2 for column in columns]
    return pd.Series(variance, index=pd.Index(list(names.values()), dtype=object), name="variance")


def _group_keys(current: pd.DataFrame, base: pd.DataFrame,
                by: Sequence[str]) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Group codes shared by both years (labels in NFC; a missing label is its own group)."""
    keys = pd.concat([current[list(by)], base[list(by)]], ignore_index=True)
    for column in by:
        text = keys[column].astype("string")
        distinct = text.dropna().unique()
        text = text.map(dict(zip(distinct, (nfc(str(v)) for v in distinct), strict=True)))
        keys[column] = text.fillna(MISSING_GROUP).astype(object)
    grouped = keys.groupby(list(by), sort=True)
    codes = grouped.ngroup().to_numpy(dtype=np.intp)
    labels = grouped.size().index
    return codes[: len(current)], codes[len(current):], labels


def _binary(design: SurveyDesign, var: str, label: Any) -> np.ndarray:
    """The 0/1 variable of a year as floats (NaN = no valid answer), checked."""
    if var not in design.data.columns:
        raise CompareError(f"year {label}: variable {var!r} is not in the survey table")
    column = design.data[var]
    if not (pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)):
        raise CompareError(f"year {label}: {var!r} must be a 0/1 variable, not {column.dtype}")
    y = column.astype("float64").to_numpy(dtype=float, na_value=np.nan)
    if np.any(~np.isnan(y) & (y != 0) & (y != 1)):
        raise CompareError(f"year {label}: {var!r} has values other than 0, 1 and missing")
    return y


@dataclass(frozen=True)
class _YearMix:
    """One year's group mix and group rates among its valid answers."""

    y: np.ndarray        # 0/1 per row (0 where not valid)
    valid: np.ndarray    # a valid answer
    codes: np.ndarray    # group code per row
    weight: np.ndarray   # sampling weight per row
    w_g: np.ndarray      # weight of the valid answers per group
    n_g: np.ndarray      # respondents with a valid answer per group
    share: np.ndarray    # p_g: the group's share of the valid answers' weight
    rate: np.ndarray     # r_g: the group's rate (NaN where the group has no valid answer)

    @classmethod
    def of(cls, design: SurveyDesign, var: str, codes: np.ndarray, groups: int,
           label: Any) -> _YearMix:
        y = _binary(design, var, label)
        valid = ~np.isnan(y)
        if not valid.any():
            raise CompareError(f"year {label}: {var!r} has no valid answer")
        w = design.first_stage().weights
        wv = np.where(valid, w, 0.0)
        y0 = np.where(valid, y, 0.0)
        w_g = np.bincount(codes, weights=wv, minlength=groups)
        a_g = np.bincount(codes, weights=wv * y0, minlength=groups)
        n_g = np.bincount(codes, weights=valid.astype(float), minlength=groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(w_g > 0, a_g / w_g, np.nan)
        return cls(y0, valid, codes, w, w_g, n_g.astype(np.int64), w_g / w_g.sum(), rate)

    def influence(self, d_share: np.ndarray, d_rate: np.ndarray) -> np.ndarray:
        """Per-row influence of a statistic with gradient ``d_share`` (by p_g), ``d_rate`` (r_g).

        ``p_g = W_g / W`` has influence ``(1[g] - p_g) / W``; ``r_g = A_g / W_g`` has
        ``1[g] (y - r_g) / W_g`` (rows with a valid answer only).
        """
        d_share = np.nan_to_num(d_share)
        d_rate = np.nan_to_num(d_rate)
        total_w = self.w_g.sum()
        centre = float(np.dot(d_share, self.share))
        g = self.codes
        with np.errstate(invalid="ignore", divide="ignore"):
            rate_part = np.where(self.w_g[g] > 0,
                                 d_rate[g] * (self.y - np.nan_to_num(self.rate)[g]) / self.w_g[g],
                                 0.0)
        return np.where(self.valid, (d_share[g] - centre) / total_w + rate_part, 0.0)


def _decomposition_parts(cur: _YearMix, bas: _YearMix) -> dict[str, tuple[float, tuple, tuple]]:
    """Each statistic: (estimate, (d_share, d_rate) of the current year, the same of the base).

    A group found in one year only takes, as its missing rate, the rate of the year it is in:
    its whole contribution is then composition (a group that appears or disappears changes
    the mix, not anyone's satisfaction), and composition + within = total still holds exactly.
    """
    p1, p0 = cur.share, bas.share
    in1, in0 = cur.w_g > 0, bas.w_g > 0
    r1 = np.where(in1, cur.rate, bas.rate)
    r0 = np.where(in0, bas.rate, cur.rate)
    r1, r0 = np.nan_to_num(r1), np.nan_to_num(r0)
    mean_rate, mean_share = (r1 + r0) / 2, (p1 + p0) / 2
    zero = np.zeros_like(p1)
    # The chain rule through the borrowed rate of a one-year group: d r0 / d r1 = 1 where the
    # group is not in the base, d r1 / d r0 = 1 where it is not in the current year.
    both1, both0 = np.where(in0, 1.0, 2.0), np.where(in1, 1.0, 2.0)
    standard = float(np.dot(p0, r1))
    base_rate, current_rate = float(np.dot(p0, r0)), float(np.dot(p1, r1))
    return {
        "total": (current_rate - base_rate, (r1, p1), (-r0, -p0)),
        "composition": (float(np.dot(p1 - p0, mean_rate)),
                        (mean_rate, (p1 - p0) / 2 * both1), (-mean_rate, (p1 - p0) / 2 * both0)),
        "within": (float(np.dot(r1 - r0, mean_share)),
                   ((r1 - r0) / 2, np.where(in0, mean_share, 0.0)),
                   ((r1 - r0) / 2, np.where(in1, -mean_share, 0.0))),
        "current": (current_rate, (r1, p1), (zero, zero)),
        "base": (base_rate, (zero, zero), (r0, p0)),
        "standardised": (standard, (zero, p0), (r1, np.where(in1, 0.0, p0))),
        "standardised_change": (standard - base_rate, (zero, p0),
                                (r1 - r0, np.where(in1, -p0, 0.0))),
    }


def _decomposition_setup(current: SurveyDesign, base: SurveyDesign, var: str,
                         by: str | Sequence[str], years: tuple[Any, Any]
                         ) -> tuple[_YearMix, _YearMix, pd.Index]:
    columns = [by] if isinstance(by, str) else list(by)
    if not columns:
        raise CompareError("decompose_change needs at least one grouping column in `by`")
    for design, label in ((current, years[0]), (base, years[1])):
        missing = [c for c in columns if c not in design.data.columns]
        if missing:
            raise CompareError(f"year {label}: column(s) {', '.join(missing)} not in the survey "
                               "table, so the change cannot be decomposed by them")
    codes1, codes0, labels = _group_keys(current.data, base.data, columns)
    groups = len(labels)
    cur = _YearMix.of(current, var, codes1, groups, years[0])
    bas = _YearMix.of(base, var, codes0, groups, years[1])
    return cur, bas, labels


def decompose_change(
    current: SurveyDesign,
    base: SurveyDesign,
    var: str = "satisfied",
    by: str | Sequence[str] = ("level", "channel"),
    *,
    level: float = 0.95,
    years: tuple[Any, Any] = ("current", "base"),
) -> pd.DataFrame:
    """How much of a change in a rate comes from who was asked: the Kitagawa decomposition.

    The rate of a year is ``R = sum_g p_g r_g``: ``p_g`` the group's share of the weighted
    valid answers of ``var``, ``r_g`` the group's rate. The symmetric decomposition of
    Kitagawa (1955, JASA 50: 1168-1194) splits ``R1 - R0`` exactly into

    * ``composition = sum_g (p1_g - p0_g) (r1_g + r0_g) / 2`` -- the change had every group
      kept its rate (the mix of who was asked changed), and
    * ``within = sum_g (r1_g - r0_g) (p1_g + p0_g) / 2`` -- the change within groups,

    so that ``composition + within = total``. The direct-standardised rate
    ``sum_g p0_g r1_g`` is this year's group rates on the baseline's mix, and
    ``standardised_change`` its difference from the baseline's rate (the change had the mix
    stayed as it was). A group found in one year only keeps, in the other year, its own rate:
    its contribution is all composition (documented, and the identity still holds).

    Standard errors: each statistic is a smooth function of both years' group shares and
    rates; it is linearised by the delta method into one influence value per respondent and
    year, and each year's variance comes from that year's own design
    (:func:`influence_variance`: strata, PSUs, FPC, lonely-PSU policy). The two samples are
    independent, so the variances add. This equals R's ``svycontrast`` of the decomposition
    (as an expression of the weighted totals) on ``svytotal`` of each year's group totals
    (``tests/golden/make_golden_decompose.R``). Intervals are Wald intervals with the normal
    quantile, as ``confint`` of ``svycontrast``.

    Args:
        current: the current year's design.
        base: the baseline year's design (an independent sample).
        var: the 0/1 variable (NaN = no valid answer: not in any share).
        by: the grouping column(s), crossed (e.g. level, field, channel, respondent type,
            region). A valid answer with a missing group value is a group of its own,
            :data:`MISSING_GROUP`.
        level: confidence level.
        years: labels of the two years, for messages.

    Returns:
        A table indexed by :data:`DECOMPOSITION_ROWS` (``total``, ``composition``, ``within``,
        ``current``, ``base``, ``standardised``, ``standardised_change``) with columns
        :data:`DECOMPOSITION_COLUMNS` (proportion scale). ``attrs`` hold ``by``, ``groups``
        and the groups found in one year only.

    Raises:
        CompareError: ``var`` or a ``by`` column is missing in a year, ``var`` is not 0/1, or a
            year has no valid answer.

    Examples:
        >>> from satisfaction.design import SurveyDesign
        >>> base = pd.DataFrame({"y": [1., 1, 0, 1, 0, 0], "g": list("aaabbb"),
        ...                      "psu": [1, 2, 3, 4, 5, 6]})
        >>> cur = pd.DataFrame({"y": [1., 1, 1, 1, 0, 1], "g": list("aaaaab"),
        ...                     "psu": [1, 2, 3, 4, 5, 6]})
        >>> t = decompose_change(SurveyDesign(cur, psu="psu"), SurveyDesign(base, psu="psu"),
        ...                      "y", by="g")
        >>> t.round(4)  # doctest: +NORMALIZE_WHITESPACE
                             estimate      se  ci_low  ci_high
        total                  0.3333  0.2789 -0.2133   0.8799
        composition            0.0222  0.0797 -0.1340   0.1784
        within                 0.3111  0.2683 -0.2147   0.8370
        current                0.8333  0.1667  0.5067   1.1600
        base                   0.5000  0.2236  0.0617   0.9383
        standardised           0.9000  0.1077  0.6889   1.1111
        standardised_change    0.4000  0.2613 -0.1121   0.9121
        >>> bool(np.isclose(t.estimate["composition"] + t.estimate["within"], t.estimate["total"]))
        True
    """
    z = z_quantile(level)
    cur, bas, labels = _decomposition_setup(current, base, var, by, years)
    parts = _decomposition_parts(cur, bas)
    u1 = {name: cur.influence(*g1) for name, (_, g1, _) in parts.items()}
    u0 = {name: bas.influence(*g0) for name, (_, _, g0) in parts.items()}
    variance = influence_variance(current, u1) + influence_variance(base, u0)
    estimate = pd.Series({name: est for name, (est, _, _) in parts.items()})
    se = np.sqrt(variance.clip(lower=0.0))
    out = pd.DataFrame({"estimate": estimate, "se": se, "ci_low": estimate - z * se,
                        "ci_high": estimate + z * se}, index=pd.Index(DECOMPOSITION_ROWS))
    out.attrs.update({
        "by": [by] if isinstance(by, str) else list(by),
        "groups": len(labels),
        "groups_current_only": int(np.sum((cur.w_g > 0) & ~(bas.w_g > 0))),
        "groups_base_only": int(np.sum((bas.w_g > 0) & ~(cur.w_g > 0))),
    })
    return out


def decomposition_by_group(
    current: SurveyDesign,
    base: SurveyDesign,
    var: str = "satisfied",
    by: str | Sequence[str] = ("level", "channel"),
    *,
    years: tuple[Any, Any] = ("current", "base"),
) -> pd.DataFrame:
    """Each group's part of the Kitagawa decomposition of :func:`decompose_change`.

    Args:
        current: the current year's design.
        base: the baseline year's design.
        var: the 0/1 variable.
        by: the grouping column(s), crossed.
        years: labels of the two years, for messages.

    Returns:
        One row per group (the ``by`` values as index): ``n_current``, ``n_base`` (valid
        answers), ``share_current``, ``share_base``, ``rate_current``, ``rate_base`` (NaN where
        the group has no valid answer that year), ``composition`` and ``within`` (the group's
        terms; they add up to the totals of :func:`decompose_change`).

    Examples:
        >>> from satisfaction.design import SurveyDesign
        >>> base = pd.DataFrame({"y": [1., 1, 0, 1, 0, 0], "g": list("aaabbb")})
        >>> cur = pd.DataFrame({"y": [1., 1, 1, 1, 0, 1], "g": list("aaaaab")})
        >>> t = decomposition_by_group(SurveyDesign(cur), SurveyDesign(base), "y", by="g")
        >>> t[["share_current", "share_base", "composition", "within"]].round(4)
        ... # doctest: +NORMALIZE_WHITESPACE
           share_current  share_base  composition  within
        g
        a         0.8333         0.5       0.2444  0.0889
        b         0.1667         0.5      -0.2222  0.2222
    """
    cur, bas, labels = _decomposition_setup(current, base, var, by, years)
    in1, in0 = cur.w_g > 0, bas.w_g > 0
    r1 = np.nan_to_num(np.where(in1, cur.rate, bas.rate))
    r0 = np.nan_to_num(np.where(in0, bas.rate, cur.rate))
    return pd.DataFrame({
        "n_current": cur.n_g,
        "n_base": bas.n_g,
        "share_current": cur.share,
        "share_base": bas.share,
        "rate_current": cur.rate,
        "rate_base": bas.rate,
        "composition": (cur.share - bas.share) * (r1 + r0) / 2,
        "within": (r1 - r0) * (cur.share + bas.share) / 2,
    }, index=labels)
