"""Reliability flags for published proportions, after the NCHS Data Presentation Standards.

What this module is for: deciding, cell by cell, whether an estimated proportion may be shown,
shown with a footnote (statistical review), or must be suppressed -- after Parker et al. (2017),
*National Center for Health Statistics Data Presentation Standards for Proportions*, Vital
Health Stat 2(175) -- plus a disclosure rule on the number of respondents.

What it is NOT for: computing the estimates or their intervals (:mod:`satisfaction.design`,
:mod:`satisfaction.intervals`; the standard assumes Korn-Graubard intervals, the library's
default ``ci_method="beta"``), or rules for means and totals (the standard covers proportions
only).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from .design import COLUMNS

__all__ = [
    "FLAG_COLUMNS",
    "MAX_ABS_WIDTH",
    "MAX_REL_WIDTH",
    "MIN_DF",
    "MIN_N_EFF",
    "NCHS_COLUMNS",
    "REQUIRED_ESTIMATE_COLUMNS",
    "SMALL_WIDTH",
    "nchs_flags",
    "with_flags",
]

MIN_N_EFF: Final = 30  # effective sample size below this: suppress
MAX_ABS_WIDTH: Final = 0.30  # absolute CI width at or above this: suppress
SMALL_WIDTH: Final = 0.05  # absolute CI width at or below this: present, whatever else
MAX_REL_WIDTH: Final = 1.30  # relative CI width above this (when width > 0.05): suppress
MIN_DF: Final = 8  # degrees of freedom below this: statistical review

FLAG_COLUMNS: Final = ("suppressed", "flagged", "flag_reason")
#: The columns of an estimate table (:data:`satisfaction.design.COLUMNS`) that
#: :func:`with_flags` needs (``df`` is optional).
REQUIRED_ESTIMATE_COLUMNS: Final = tuple(c for c in COLUMNS if c != "df")
#: The columns the NCHS rules read (:func:`nchs_flags`; ``df`` is optional).
NCHS_COLUMNS: Final = ("estimate", "ci_low", "ci_high", "n", "n_eff")


def _whole_percent(v: pd.Series) -> pd.Series:
    """Whole percentages as text ("40 %"), "inf" where not finite, for the flag reasons.

    Not :func:`satisfaction.report.formats.percent`: this statistics module must not import
    the report layer (figures and tables both read the reasons, and plots may not import the
    report layer either), and the rule thresholds are whole percentages (30 %, 130 %) of a whole
    column, where a relative width can be infinite. When the reports become bilingual the
    reasons should become codes and values, worded in the report layer.
    """
    finite = np.isfinite(v.to_numpy(dtype=float, na_value=np.nan))
    txt = (v.where(finite, 0.0) * 100).round(0).astype("int64").astype(str) + " %"
    return txt.where(finite, "inf")


def _no_interval(table: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The reason of rule 3, with the cause where the table's ``df`` says it (0: one PSU)."""
    reason = pd.Series("no confidence interval", index=index)
    if "df" not in table.columns:
        return reason
    single = (pd.to_numeric(table["df"], errors="coerce") < 1).fillna(False).to_numpy()
    return reason.where(~single, reason + " (0 degrees of freedom: the domain lies within one PSU)")


def nchs_flags(table: pd.DataFrame, disclosure_threshold: int = 10) -> pd.DataFrame:
    """Add ``suppressed``, ``flagged`` and ``flag_reason`` to a table of proportions.

    Rules, applied to every row (``width = ci_high - ci_low``, the Korn-Graubard interval in
    the standard; ``p`` the estimate; ``n_eff`` as in
    :func:`satisfaction.intervals.effective_sample_size`, equal to ``n`` when ``p`` is 0 or 1):

    Suppressed (``suppressed=True``; the reasons say which rules failed):

    1. Disclosure: fewer than ``disclosure_threshold`` respondents (``n``). Not an NCHS rule:
       such cells are never shown.
    2. ``n_eff < 30`` (NCHS: minimum effective sample size), or no estimate.
    3. No confidence interval (a limit is NaN). With a ``df`` column, a cell with 0 degrees of
       freedom says why: the domain lies within a single PSU, where a design gives no
       variance (:mod:`satisfaction.design`, "Small domains").
    4. ``width >= 0.30`` (NCHS: absolute CI width of 30 percentage points or more).
    5. ``0.05 < width < 0.30`` and ``width / p > 1.30`` (NCHS: relative CI width above 130 %).
       A width of 0.05 or less passes whatever its relative width. When ``p`` is 0 or 1 the
       relative width is not used (it is infinite at 0); such cells get rule 7.

    Shown with a footnote (``flagged=True``) when not suppressed:

    6. ``df < 8`` (NCHS: fewer than 8 degrees of freedom -- statistical review); only when the
       table has a ``df`` column.
    7. ``p`` is 0 or 1 (NCHS: estimates of 0 % or 100 % -- statistical review).
    8. ``width > 0.05`` and ``width / (1 - p) > 1.30``: the complementary proportion
       ``1 - p`` would fail rule 5 (NCHS: a footnote on the complement).

    ``flag_reason`` lists the reasons (suppression reasons for suppressed rows, footnote
    reasons for flagged rows) separated by ``"; "``, and is ``""`` when the cell is fine.
    ``suppressed`` and ``flagged`` are never both True.

    Args:
        table: an estimate table with at least ``estimate, ci_low, ci_high, n, n_eff``
            (``df`` optional), estimates between 0 and 1. It is not modified.
        disclosure_threshold: minimum number of respondents for a cell to be shown (>= 0).

    Returns:
        A new DataFrame: ``table`` with the three columns added.

    Raises:
        ValueError: missing columns, estimates outside [0, 1], a negative threshold.

    Examples:
        >>> t = pd.DataFrame({"estimate": [0.9, 0.5, 1.0], "ci_low": [0.86, 0.3, 0.95],
        ...                   "ci_high": [0.93, 0.7, 1.0], "n": [900, 40, 80],
        ...                   "n_eff": [400.0, 25.0, 80.0], "df": [60, 6, 30]})
        >>> f = nchs_flags(t)
        >>> f["suppressed"].tolist(), f["flagged"].tolist()
        ([False, True, False], [False, False, True])
        >>> for reason in f["flag_reason"]:
        ...     print(repr(reason))
        ''
        'effective sample size 25.0 < 30; CI width 40 % >= 30 %'
        "estimate of 100 % (statistical review); complement's relative CI width inf > 130 % (footnote)"
    """
    missing = [c for c in NCHS_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"nchs_flags needs the columns {', '.join(missing)}")
    if not isinstance(disclosure_threshold, (int, np.integer)) or disclosure_threshold < 0:
        raise ValueError(
            f"disclosure_threshold must be a whole number >= 0, got {disclosure_threshold!r}"
        )
    p = pd.to_numeric(table["estimate"], errors="coerce").astype(float)
    if bool(((p < 0) | (p > 1)).any()):
        raise ValueError("nchs_flags applies to proportions: estimates must be between 0 and 1")
    low = pd.to_numeric(table["ci_low"], errors="coerce").astype(float)
    high = pd.to_numeric(table["ci_high"], errors="coerce").astype(float)
    n = pd.to_numeric(table["n"], errors="coerce").astype(float)
    n_eff = pd.to_numeric(table["n_eff"], errors="coerce").astype(float)
    width = high - low
    edge = (p == 0) | (p == 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = width / p
        rel_c = width / (1 - p)

    # Suppression rules (a loop over the rules, not over rows).
    supp_rules = [
        (
            n.isna() | (n < disclosure_threshold),
            pd.Series(f"fewer than {disclosure_threshold} respondents (disclosure)", index=p.index),
        ),
        (p.isna(), pd.Series("no estimate", index=p.index)),
        (
            p.notna() & (n_eff.isna() | (n_eff < MIN_N_EFF)),
            "effective sample size " + (np.floor(n_eff * 10) / 10).astype(str) + " < 30",
        ),
        (p.notna() & width.isna(), _no_interval(table, p.index)),
        (width >= MAX_ABS_WIDTH, "CI width " + _whole_percent(width) + " >= 30 %"),
        (
            (width > SMALL_WIDTH) & (width < MAX_ABS_WIDTH) & ~edge & (rel > MAX_REL_WIDTH),
            "relative CI width " + _whole_percent(rel) + " > 130 %",
        ),
    ]
    if "df" in table.columns:
        df = pd.to_numeric(table["df"], errors="coerce").astype(float)
    else:  # no df column: the rule cannot apply
        df = pd.Series(np.inf, index=p.index)
    df_text = df.where(np.isfinite(df)).round(0).astype("Int64").astype(str)
    flag_rules = [
        (df < MIN_DF, "degrees of freedom " + df_text + " < 8 (statistical review)"),
        (edge, "estimate of " + _whole_percent(p) + " (statistical review)"),
        (
            (width > SMALL_WIDTH) & (rel_c > MAX_REL_WIDTH),
            "complement's relative CI width " + _whole_percent(rel_c) + " > 130 % (footnote)",
        ),
    ]

    def collect(rules: list) -> tuple[pd.Series, pd.Series]:
        hit = pd.Series(False, index=p.index)
        text = pd.Series("", index=p.index, dtype=object)
        for mask, msg in rules:
            mask = mask.fillna(False).astype(bool)
            add = msg.astype(str).where(mask, "")
            text = text.where(~mask | (text == ""), text + "; ")
            text = text + add
            hit |= mask
        return hit, text

    suppressed, s_text = collect(supp_rules)
    flagged, f_text = collect(flag_rules)
    flagged = flagged & ~suppressed
    out = table.copy()
    out["suppressed"] = suppressed.to_numpy()
    out["flagged"] = flagged.to_numpy()
    out["flag_reason"] = np.where(suppressed, s_text, np.where(flagged, f_text, "")).astype(object)
    return out


def with_flags(
    table: pd.DataFrame, disclosure_threshold: int = 10, *, proportions: bool = True
) -> pd.DataFrame:
    """The table with the columns ``suppressed``, ``flagged``, ``flag_reason``.

    Uses the columns when the table already has them. Otherwise proportions get
    :func:`satisfaction.reliability.nchs_flags` (the NCHS standard); other estimates (means,
    which the standard does not cover) get the disclosure rule only: fewer than
    ``disclosure_threshold`` respondents are suppressed.

    Raises:
        ValueError: a column of the estimate table is missing.

    Examples:
        >>> t = pd.DataFrame({"estimate": [3.9, 4.2], "se": [0.1, 0.5], "ci_low": [3.7, 3.2],
        ...     "ci_high": [4.1, 5.0], "deff": [1.0, 1.0], "n": [300, 4], "n_eff": [300.0, 4.0]})
        >>> with_flags(t, proportions=False)[["suppressed", "flag_reason"]].values.tolist()
        [[False, ''], [True, 'fewer than 10 respondents (disclosure)']]
    """
    missing = [c for c in REQUIRED_ESTIMATE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"not an estimate table: missing column(s) {', '.join(missing)} "
            f"(expected {', '.join(REQUIRED_ESTIMATE_COLUMNS)})"
        )
    if all(c in table.columns for c in FLAG_COLUMNS):
        return table
    if not proportions:
        small = (pd.to_numeric(table["n"], errors="coerce") < disclosure_threshold).fillna(True)
        reason = f"fewer than {int(disclosure_threshold)} respondents (disclosure)"
        return table.assign(suppressed=small.to_numpy(), flagged=False,
                            flag_reason=np.where(small, reason, "").astype(object))
    flagged = nchs_flags(table, disclosure_threshold)
    absent = [c for c in FLAG_COLUMNS if c not in flagged.columns]
    if absent:
        raise ValueError(f"nchs_flags did not return column(s) {', '.join(absent)}")
    return flagged
