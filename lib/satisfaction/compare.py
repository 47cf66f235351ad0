"""Is the change real? Year-over-year comparison of satisfaction rates: the statistics.

Two independent survey years, each analysed with its own design (strata, PSUs, weights), give
for every domain (overall, level, field, province, office) a current and a base estimate with
design-based standard errors. This module turns them into changes a reviewer can trust:

* the change in percentage points with Newcombe's hybrid score interval on effective sample
  sizes (or another method of :func:`diff_ci`) and a design-based z test;
* the relative change (ratio) with a log-ratio delta-method interval and its z test;
* domains found in one year only are kept with a ``status`` column, never dropped;
* per-domain p-values corrected for multiple testing within each family of domains (Holm;
  Benjamini-Hochberg, from :mod:`satisfaction.multitest`), with a count of the domains that
  moved;
* the same test from published figures only (a rate, a sample size and an assumed design
  effect; :func:`published_setup` reads them from the parameters), a sensitivity grid over
  the unknown base-year sample size and design effect, and the tipping point at which the
  change would stop being significant (solved, not scanned);
* both readings of a reported change such as "+9.76 %" (percentage points or relative).

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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .codebook import nfc
from .intervals import diff_ci, ratio_ci_from_se, ratio_ci_mover, z_quantile
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

READING_POINTS = "percentage points"
READING_RELATIVE = "relative"

DEFAULT_N0_GRID = (50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000)
DEFAULT_DEFF0_GRID = (1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0)

CHANGE_COLUMNS = [
    "status", "p_current", "p_base", "se_current", "se_base", "n_current", "n_base",
    "n_eff_current", "n_eff_base", "change", "change_se", "change_low", "change_high",
    "z", "p_value", "test", "ratio", "ratio_low", "ratio_high", "rel_change",
    "rel_change_low", "rel_change_high", "z_ratio", "p_value_ratio", "interval_excludes_zero",
    "significant",
]
"""Columns of every change table, in order (domains as the index)."""


class CompareError(ValueError):
    """The two years cannot be compared as asked (a missing column, variable or year)."""


# --------------------------------------------------------------------------- core


_SE_FLOOR = 1e-12  # a design SE below this is rounding noise (a domain inside one PSU)
TEST_DESIGN = "design z"
TEST_BINOMIAL = "binomial z on effective n (a design SE is 0 or not estimable)"


def _change_arrays(
    p1: np.ndarray, se1: np.ndarray, neff1: np.ndarray,
    p0: np.ndarray, se0: np.ndarray, neff0: np.ndarray,
    *, level: float, method: str, alpha: float,
    usable1: Any = True, usable0: Any = True,
) -> dict[str, np.ndarray]:
    """Changes, intervals and tests for arrays of current (1) and base (0) estimates.

    ``usable*`` mark design SEs that can be used (False where the domain has no design
    degrees of freedom, e.g. an office that is itself one PSU: its linearised SE is 0).
    """
    z_quantile(level)
    p1, se1, neff1, p0, se0, neff0, u1, u0 = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (p1, se1, neff1, p0, se0, neff0)),
        np.asarray(usable1, dtype=bool), np.asarray(usable0, dtype=bool),
    )
    ok = np.isfinite(p1) & np.isfinite(p0) & (neff1 > 0) & (neff0 > 0)
    change = p1 - p0
    with np.errstate(divide="ignore", invalid="ignore"):
        u1 = u1 & np.isfinite(se1) & (se1 > _SE_FLOOR)
        u0 = u0 & np.isfinite(se0) & (se0 > _SE_FLOOR)
        # where a year's design SE cannot be used, its binomial SE on the effective n
        se1_used = np.where(u1, se1, np.sqrt(np.clip(p1 * (1 - p1), 0, None) / neff1))
        se0_used = np.where(u0, se0, np.sqrt(np.clip(p0 * (1 - p0), 0, None) / neff0))
        # design-based z when both design SEs are usable; otherwise the pooled binomial
        # (score) test on the effective sizes, and `test` says so
        pooled = (p1 * neff1 + p0 * neff0) / (neff1 + neff0)
        pooled_se = np.sqrt(pooled * (1 - pooled) * (1 / neff1 + 1 / neff0))
    design = ok & u1 & u0
    se_test = np.where(design, np.sqrt(se1**2 + se0**2), pooled_se)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se_test > 0, change / se_test,
                     np.where(change == 0, 0.0, np.sign(change) * np.inf))
    z = np.where(ok, z, np.nan)
    p_value = np.where(ok, 2 * stats.norm.sf(np.abs(z)), np.nan)
    test = np.where(~ok, "", np.where(design, TEST_DESIGN, TEST_BINOMIAL))

    x1 = np.where(ok, p1 * neff1, np.nan)
    x0 = np.where(ok, p0 * neff0, np.nan)
    low, high = diff_ci(
        x1, np.where(ok, neff1, 1.0), x0, np.where(ok, neff0, 1.0), method=method, level=level
    )
    low = np.where(ok, low, np.nan)
    high = np.where(ok, high, np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ok & (p0 > 0), p1 / p0, np.nan)
        r_low, r_high = ratio_ci_from_se(
            np.where(ok, p1, 0.5), np.where(ok, se1_used, 0.0), np.where(ok, p0, 0.5),
            np.where(ok, se0_used, 0.0), level=level,
        )
        se_log = np.sqrt((se1_used / p1) ** 2 + (se0_used / p0) ** 2)
        z_ratio = np.where(se_log > 0, np.log(ratio) / se_log, np.nan)
        # At 0 % or 100 % the log-ratio variance is 0 and the delta interval has no width:
        # there the ratio comes from each year's Wilson limits on its effective n (MOVER-R).
        edge = ok & (p0 > 0) & ~(se_log > 0)
        m_low, m_high = ratio_ci_mover(np.where(edge, x1, 1.0), np.where(edge, neff1, 2.0),
                                       np.where(edge, x0, 1.0), np.where(edge, neff0, 2.0),
                                       level=level)
    r_low = np.where(ok, np.where(edge, m_low, r_low), np.nan)
    r_high = np.where(ok, np.where(edge, m_high, r_high), np.nan)
    z_ratio = np.where(ok & (p1 > 0) & (p0 > 0), z_ratio, np.nan)
    p_ratio = 2 * stats.norm.sf(np.abs(z_ratio))

    excludes = np.where(ok, (low > 0) | (high < 0), False)
    significant = np.where(ok, p_value < alpha, False)
    return {
        "p_current": p1, "p_base": p0, "se_current": se1, "se_base": se0,
        "n_eff_current": neff1, "n_eff_base": neff0,
        "change": np.where(ok, change, np.nan), "change_se": np.where(ok, se_test, np.nan),
        "change_low": low, "change_high": high, "z": z, "p_value": p_value, "test": test,
        "ratio": ratio, "ratio_low": r_low, "ratio_high": r_high,
        "rel_change": ratio - 1, "rel_change_low": r_low - 1, "rel_change_high": r_high - 1,
        "z_ratio": z_ratio, "p_value_ratio": p_ratio,
        "interval_excludes_zero": excludes.astype(bool), "significant": significant.astype(bool),
    }


def _se_usable(table: pd.DataFrame) -> np.ndarray:
    """Design SEs that can be used: the domain has design degrees of freedom (df >= 1)."""
    if "df" not in table.columns:
        return np.ones(len(table), dtype=bool)
    df = pd.to_numeric(table["df"], errors="coerce").to_numpy(float)
    return np.nan_to_num(df, nan=0.0) >= 1


def _effective_n(table: pd.DataFrame) -> pd.Series:
    """n_eff of an estimate table; where it is missing or not finite (deff undefined at
    p = 0 or 1), the respondent count n."""
    n = pd.to_numeric(table["n"], errors="coerce").astype(float)
    if "n_eff" not in table:
        return n
    neff = pd.to_numeric(table["n_eff"], errors="coerce").astype(float)
    return neff.where(np.isfinite(neff) & (neff > 0), n)


def change_table(
    current: pd.DataFrame,
    base: pd.DataFrame,
    *,
    level: float = 0.95,
    method: str = "newcombe",
    alpha: float | None = None,
) -> pd.DataFrame:
    """Change between two estimate tables of the same domains (independent samples).

    Args:
        current: estimates of the current year, one row per domain (index), with columns
            ``estimate``, ``se``, ``n`` and, if known, ``n_eff`` (as
            ``SurveyDesign.proportion`` returns).
        base: the same for the base year.
        level: confidence level of the intervals.
        method: interval for the change, see :func:`satisfaction.intervals.diff_ci`;
            applied to effective counts ``p * n_eff``.
        alpha: significance level of the tests (default ``1 - level``).

    Returns:
        One row per domain of either year (current-year order, then base-only domains),
        columns :data:`CHANGE_COLUMNS`. ``status`` says whether the domain is in both years
        (or in both but without a valid answer in one); one-year domains keep their estimate
        and have NaN changes. ``significant`` is the z test at ``alpha``: design-based
        (both years' design SEs) where both are usable, otherwise -- a domain inside a
        single PSU (``df`` < 1, e.g. an office that is itself the PSU), or a design SE of 0
        -- the pooled binomial test on the effective sizes; ``test`` says which.
        ``interval_excludes_zero`` is the interval's verdict.

    Raises:
        CompareError: a required column is missing.

    Examples:
        >>> cur = pd.DataFrame({"estimate": [0.96, 0.97], "se": [0.004, 0.006],
        ...                     "n": [9000, 3000], "n_eff": [4500, 1500]},
        ...                    index=pd.Index(["district", "commune"], name="level"))
        >>> base = pd.DataFrame({"estimate": [0.87, 0.85], "se": [0.007, 0.02],
        ...                      "n": [8000, 400], "n_eff": [4000, 300]},
        ...                     index=pd.Index(["district", "central"], name="level"))
        >>> t = change_table(cur, base)
        >>> t[["status", "change", "change_low", "change_high"]].round(4)
        ... # doctest: +NORMALIZE_WHITESPACE
                             status  change  change_low  change_high
        level
        district         both years    0.09      0.0782        0.102
        commune   current year only     NaN         NaN          NaN
        central      base year only     NaN         NaN          NaN
    """
    for name, table in (("current", current), ("base", base)):
        missing = [c for c in ("estimate", "se", "n") if c not in table.columns]
        if missing:
            raise CompareError(f"{name} estimate table lacks column(s) {', '.join(missing)}")
    alpha = 1 - level if alpha is None else float(alpha)
    index = current.index.append(base.index[~base.index.isin(current.index)])
    index.name = current.index.name if current.index.name is not None else base.index.name
    cur = current.reindex(index)
    bas = base.reindex(index)
    in_cur = index.isin(current.index)
    in_base = index.isin(base.index)
    arrays = _change_arrays(
        cur["estimate"].to_numpy(float), cur["se"].to_numpy(float),
        _effective_n(cur).to_numpy(float),
        bas["estimate"].to_numpy(float), bas["se"].to_numpy(float),
        _effective_n(bas).to_numpy(float),
        level=level, method=method, alpha=alpha,
        usable1=_se_usable(cur), usable0=_se_usable(bas),
    )
    out = pd.DataFrame(arrays, index=index)
    status = np.where(in_cur & in_base, STATUS_BOTH,
                      np.where(in_cur, STATUS_CURRENT_ONLY, STATUS_BASE_ONLY)).astype(object)
    no_answer_cur = in_cur & cur["estimate"].isna().to_numpy()
    no_answer_base = in_base & bas["estimate"].isna().to_numpy()
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
    ci_method: str = "beta",
    method: str = "newcombe",
    alpha: float | None = None,
    years: tuple[Any, Any] = ("current", "base"),
) -> pd.DataFrame:
    """Change of a proportion between two survey years, each with its own design.

    Args:
        current: the current year's :class:`~satisfaction.design.SurveyDesign`.
        base: the base year's design (an independent sample).
        var: the 0/1 variable (default ``satisfied``).
        by: domain column(s); None for the overall rate (index ``"all"``).
        level: confidence level.
        ci_method: interval method of the per-year estimates (passed to ``proportion``).
        method: interval method of the change (see :func:`change_table`).
        alpha: significance level (default ``1 - level``).
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
    return change_table(tables[0], tables[1], level=level, method=method, alpha=alpha)


def compare_domains(
    current: SurveyDesign,
    base: SurveyDesign,
    var: str = "satisfied",
    domains: Sequence[str] = ("level", "field", "province", "office"),
    *,
    level: float = 0.95,
    ci_method: str = "beta",
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
        level: confidence level.
        ci_method: interval method of the per-year estimates.
        method: interval method of the change.
        alpha: significance level (default ``1 - level``).
        years: labels of the two years, e.g. ``(2020, 2019)``.
        include_overall: add the overall change as domain type ``overall``.

    Returns:
        Long table: ``domain_type``, ``domain`` and the :data:`CHANGE_COLUMNS`, plus the
        multiple-testing columns.
    """
    alpha = 1 - level if alpha is None else float(alpha)
    kwargs = {"level": level, "ci_method": ci_method, "method": method, "alpha": alpha,
              "years": years}
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
            row["test"] = ""
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
    *, level: float = 0.95, method: str = "newcombe", alpha: float | None = None,
) -> pd.DataFrame:
    """The change test from published figures only: rates, sample sizes, design effects.

    Each year's standard error is ``sqrt(deff * p * (1 - p) / n)`` and its effective sample
    size ``n / deff``. All arguments broadcast (vectorised sensitivity analyses).

    Args:
        p1: current-year proportion (0.9645, not 96.45).
        n1: current-year respondents.
        p0: base-year proportion.
        n0: base-year respondents (an assumption when unpublished).
        deff1: current-year design effect (1 = simple random sample).
        deff0: base-year design effect (an assumption when unpublished).
        level: confidence level.
        method: interval method of the change.
        alpha: significance level (default ``1 - level``).

    Returns:
        One row per broadcast element: the inputs, ``n_eff_*`` and the change columns.

    Raises:
        ValueError: a proportion outside [0, 1] (percentages are refused), a size or design
            effect <= 0.

    Examples:
        >>> r = compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
        >>> [round(float(v), 4) for v in (r.change, r.change_low, r.change_high)], bool(r.significant)
        ([0.0976, 0.0906, 0.1048], True)
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
    alpha = 1 - level if alpha is None else float(alpha)
    neff1, neff0 = n1a / d1a, n0a / d0a
    se1 = np.sqrt(p1a * (1 - p1a) / neff1)
    se0 = np.sqrt(p0a * (1 - p0a) / neff0)
    arrays = _change_arrays(p1a, se1, neff1, p0a, se0, neff0, level=level, method=method,
                            alpha=alpha)
    out = pd.DataFrame(arrays)
    out.insert(0, "deff_base", d0a)
    out.insert(0, "deff_current", d1a)
    out.insert(0, "n_base", n0a)
    out.insert(0, "n_current", n1a)
    return out


def sensitivity_grid(
    p1: float, n1: float, p0: float,
    n0_values: Sequence[float] = DEFAULT_N0_GRID,
    deff0_values: Sequence[float] = DEFAULT_DEFF0_GRID,
    deff1: float = 1.0,
    *, level: float = 0.95, method: str = "newcombe", alpha: float | None = None,
) -> pd.DataFrame:
    """Is the change significant for every assumed base-year sample size and design effect?

    Args:
        p1: current-year proportion.
        n1: current-year respondents.
        p0: base-year proportion.
        n0_values: assumed base-year sample sizes.
        deff0_values: assumed base-year design effects.
        deff1: the current year's design effect.
        level: confidence level.
        method: interval method of the change.
        alpha: significance level.

    Returns:
        Long table, one row per (n_base, deff_base), with the :func:`compare_published`
        columns. Pivot it with :func:`sensitivity_table`.
    """
    n0, d0 = np.meshgrid(np.asarray(n0_values, float), np.asarray(deff0_values, float))
    return compare_published(p1, n1, p0, n0.ravel(), deff1, d0.ravel(), level=level,
                             method=method, alpha=alpha)


def sensitivity_table(grid: pd.DataFrame, value: str = "change_low") -> pd.DataFrame:
    """Pivot a sensitivity grid: rows = base-year design effect, columns = base-year n.

    Args:
        grid: the output of :func:`sensitivity_grid`.
        value: the column to show (``change_low``, ``p_value``, ``significant``...).

    Returns:
        A deff x n table of ``value``.
    """
    return grid.pivot(index="deff_base", columns="n_base", values=value)


def tipping_point(
    p1: float, n1: float, p0: float, deff1: float = 1.0,
    *, n0: float | None = None, deff0: float | None = None,
    level: float = 0.95, method: str = "newcombe", criterion: str = "interval",
) -> pd.Series:
    """The base-year effective sample size below which the change stops being significant.

    From published figures, the base year enters only through ``n0 / deff0``, the effective
    sample size. The critical value ``n_eff*`` solves "the interval just touches 0"
    (``criterion="interval"``, by Brent's method) or "|z| = z_crit" (``criterion="z"``,
    closed form). Then the smallest base-year sample size at design effect ``deff0`` is
    ``n_eff* x deff0`` and the largest design effect at sample size ``n0`` is
    ``n0 / n_eff*``.

    Args:
        p1: current-year proportion.
        n1: current-year respondents.
        p0: base-year proportion.
        deff1: current-year design effect.
        n0: an assumed base-year sample size (for ``max_deff_base``).
        deff0: an assumed base-year design effect (for ``min_n_base``).
        level: confidence level.
        method: interval method (``criterion="interval"``).
        criterion: ``"interval"`` or ``"z"``.

    Returns:
        Series: ``n_eff_base_critical`` (inf when the change is never significant, 0 when it
        always is), ``min_n_base`` (at ``deff0``), ``max_deff_base`` (at ``n0``), ``criterion``.

    Examples:
        >>> t = tipping_point(0.9645, 22250, 0.8669, n0=20000, deff0=2.0, criterion="z")
        >>> round(t.n_eff_base_critical, 1), round(t.min_n_base, 1), round(t.max_deff_base, 1)
        (46.6, 93.1, 429.6)
    """
    if criterion not in ("interval", "z"):
        raise ValueError(f"criterion must be 'interval' or 'z', got {criterion!r}")
    if not (0 <= p1 <= 1 and 0 <= p0 <= 1):
        raise ValueError("rates must be proportions in [0, 1] (pass 0.9645, not 96.45)")
    z_crit = z_quantile(level)
    change = p1 - p0
    se1_sq = deff1 * p1 * (1 - p1) / n1
    if change == 0:
        critical = np.inf
    elif criterion == "z":
        room = (change / z_crit) ** 2 - se1_sq
        critical = np.inf if room <= 0 else (0.0 if p0 * (1 - p0) == 0 else p0 * (1 - p0) / room)
    else:
        sign = np.sign(change)

        def margin(log_neff: float) -> float:
            neff = float(np.exp(log_neff))
            low, high = diff_ci(p1 * n1 / deff1, n1 / deff1, p0 * neff, neff,
                                method=method, level=level)
            return low if sign > 0 else -high

        lo, hi = np.log(1e-6), np.log(1e12)
        if margin(hi) <= 0:
            critical = np.inf
        elif margin(lo) > 0:
            critical = 0.0
        else:
            critical = float(np.exp(optimize.brentq(margin, lo, hi, xtol=1e-12, rtol=1e-12)))
    return pd.Series({
        "n_eff_base_critical": float(critical),
        "min_n_base": float(critical * deff0) if deff0 is not None else np.nan,
        "max_deff_base": float(n0 / critical) if n0 is not None and critical > 0 else
        (np.inf if n0 is not None else np.nan),
        "criterion": criterion,
    })


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
        raise ValueError(f"cannot read a change from {text!r} (expected e.g. '+9.76 %')")
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
        deff1: current-year design effect.
        deff0: assumed base-year design effect.
        level: confidence level.
        method: interval method of the change.

    Returns:
        Indexed by reading (``percentage points``, ``relative``): the implied base rate
        ``p_base`` and the :func:`compare_published` columns, plus the tipping point
        (``n_eff_base_critical``, ``min_n_base``, ``max_deff_base``).

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
        for p0 in bases.values()
    ], index=table.index)
    return pd.concat([table, tips.drop(columns="criterion")], axis=1)


@dataclass(frozen=True)
class PublishedFigures:
    """The inputs of the published-figures test: what was published, what is assumed.

    Attributes:
        reported: the change as published (``"+9.76 %"``), both readings to be tested.
        rate: the current year's published rate, as published (percent, ``96.45``).
        p1: the same as a proportion (``0.9645``).
        n1: current-year respondents: the published count, else the survey's own.
        deff1: the current year's design effect, from its own survey (never published).
        n0: base-year respondents: the published count, else assumed equal to ``n1``.
        deff0: the base year's design effect: never published, assumed equal to ``deff1``.
    """

    reported: str | float
    rate: float
    p1: float
    n1: float
    deff1: float
    n0: float
    deff0: float


def published_setup(params: YearParams, baseline: YearParams | None,
                    overall: pd.DataFrame) -> PublishedFigures | None:
    """The published figures of a year and its baseline, with the assumptions that fill the gaps.

    The ministry publishes a rate, its respondents and a change; it never published the base
    year's respondents or either year's design effect. The current year's design effect is
    taken from its own survey (``overall``); the base year is assumed to have had as many
    respondents (when unpublished) and the same design effect -- assumptions that
    :func:`sensitivity_grid` and :func:`tipping_point` then vary.

    Args:
        params: the current year's parameters (its ``published:`` section).
        baseline: the base year's parameters, or None when the year has no baseline.
        overall: the current year's overall estimate (a one-row ``SurveyDesign.proportion``
            table: ``n``, ``deff``).

    Returns:
        The inputs of :func:`two_readings`, or None when there is no baseline or the year
        publishes no rate or no change.

    Examples:
        >>> from satisfaction.params import load_params
        >>> overall = pd.DataFrame({"n": [22000], "deff": [3.5]}, index=["all"])
        >>> s = published_setup(load_params(2020), load_params(2019), overall)
        >>> s.reported, s.p1, s.n1, s.deff1, s.n0, s.deff0
        ('+9.76 %', 0.9645, 22250, 3.5, 22250, 3.5)
        >>> published_setup(load_params(2019), None, overall) is None
        True
    """
    published = params.published
    rate, reported = published.get("satisfaction_rate"), published.get("change_reported")
    if baseline is None or reported is None or rate is None:
        return None
    n1 = published.get("respondents") or int(overall["n"].iloc[0])
    deff1 = float(overall["deff"].iloc[0])
    return PublishedFigures(
        reported=reported, rate=rate, p1=rate / 100, n1=n1, deff1=deff1,
        n0=baseline.published.get("respondents") or n1, deff0=deff1,
    )


def readings_sensitivity(
    readings: pd.DataFrame,
    n0_values: Sequence[float] = DEFAULT_N0_GRID,
    deff0_values: Sequence[float] = DEFAULT_DEFF0_GRID,
    *, level: float = 0.95, method: str = "newcombe",
) -> dict[str, pd.DataFrame]:
    """The :func:`sensitivity_grid` of each reading of a reported change.

    Args:
        readings: the output of :func:`two_readings` (its current-year rate, respondents and
            design effect, and each reading's implied base rate).
        n0_values: assumed base-year sample sizes.
        deff0_values: assumed base-year design effects.
        level: confidence level.
        method: interval method of the change.

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
