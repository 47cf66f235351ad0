"""How each item is answered: answer distribution, unusable answers, near-constant items, ceiling.

* :func:`item_distribution` -- answers 1-5 and missing per item, counted and weighted;
* :func:`near_constant_items` -- items that nearly everyone answers the same way;
* :func:`item_nonresponse` -- "don't know" / refused / blank / out-of-range per item, from the
  cleaning step's ``item_missing.csv`` (:func:`satisfaction.years.load_item_missing`, checked
  by :func:`check_item_missing`) when it exists: the processed table has those codes already
  turned into ``<NA>``;
* :func:`ceiling_effects` -- the weighted share at the top category, per item and per
  component score, with a design-based interval.

Not for: reading ``item_missing.csv`` (:mod:`satisfaction.years`), alpha and the other
internal-consistency statistics (:mod:`.consistency`) or drawing (:mod:`satisfaction.plots`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..codebook import nfc
from ..design import DesignSpec
from .inputs import (
    InstrumentError,
    build_design,
    likert_matrix,
    per_year,
    proportion_rows,
    require_columns,
    stack,
    weight_array,
    with_key,
)

__all__ = [
    "ANSWERS",
    "ITEM_MISSING_COLUMNS",
    "OPTIONAL_REASONS",
    "ceiling_effects",
    "check_item_missing",
    "item_distribution",
    "item_nonresponse",
    "near_constant_items",
]

ANSWERS = ("1", "2", "3", "4", "5", "missing")
"""Answer categories of :func:`item_distribution`, in plotting order."""

ITEM_MISSING_COLUMNS = ("item", "dont_know", "refused", "blank", "out_of_range", "n")
"""Columns of the cleaning step's per-item count of unusable answers (``item_missing.csv``)."""

OPTIONAL_REASONS = ("unreadable",)
"""Further reasons counted as unusable when ``item_missing.csv`` has them."""


def item_distribution(df: pd.DataFrame, items: Sequence[str], weights: str | None = "weight",
                      by: str | None = "year") -> pd.DataFrame:
    """Answers 1-5 and missing for every item: counts, shares and weighted shares.

    Args:
        df: respondents (items as nullable integers 1..5 or <NA>).
        items: the item columns.
        weights: weight column (None: unweighted).
        by: one table per value (the survey year); None for a single frame.

    Returns:
        One row per (by, item, answer) with answer in ``ANSWERS`` (categorical), ``n``,
        ``share`` (of all forms), ``weighted_share`` (of all forms) and ``weighted_share_valid``
        (of valid answers; NaN on the missing row).

    Examples:
        >>> df = pd.DataFrame({"a1": pd.array([5, 5, 4, None], dtype="Int8"),
        ...                    "weight": [1.0, 1.0, 2.0, 1.0]})
        >>> t = item_distribution(df, ["a1"], by=None)
        >>> t[t.n > 0][["answer", "n", "weighted_share", "weighted_share_valid"]]
            answer  n  weighted_share  weighted_share_valid
        3        4  1             0.4                   0.5
        4        5  2             0.4                   0.5
        5  missing  1             0.2                   NaN
    """
    items = list(items)
    if not items:
        raise InstrumentError("no items given")
    parts = []
    for key, part in per_year(df, by):
        x = likert_matrix(part, items)
        w = weight_array(part, weights)
        codes = np.where(np.isnan(x), 5, x - 1).astype(int)          # 0..4 answers, 5 missing
        n_rows, k = x.shape
        flat = (np.arange(k)[None, :] * len(ANSWERS) + codes).ravel()
        counts = np.bincount(flat, minlength=k * len(ANSWERS)).reshape(k, len(ANSWERS))
        wsum = np.bincount(flat, weights=np.repeat(w, k), minlength=k * len(ANSWERS)
                           ).reshape(k, len(ANSWERS))
        valid_w = wsum[:, :5].sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            wvalid = np.where(np.arange(len(ANSWERS))[None, :] < 5, wsum / valid_w, np.nan)
        table = pd.DataFrame({
            "item": np.repeat(items, len(ANSWERS)),
            "answer": pd.Categorical(np.tile(ANSWERS, k), categories=ANSWERS, ordered=True),
            "n": counts.ravel(),
            "share": (counts / n_rows).ravel(),
            "weighted_share": (wsum / w.sum()).ravel(),
            "weighted_share_valid": wvalid.ravel(),
        })
        parts.append(with_key(table, by, key))
    return stack(parts)


def near_constant_items(distribution: pd.DataFrame, threshold: float = 0.90) -> pd.DataFrame:
    """Items that nearly everyone answers the same way (from :func:`item_distribution`).

    Args:
        distribution: the output of :func:`item_distribution`.
        threshold: modal weighted share of valid answers at or above which an item is flagged.

    Returns:
        One row per (year, item): ``mode`` (the modal answer), ``modal_share``, weighted
        ``mean`` and ``sd`` of the valid answers, ``near_constant`` (bool).

    Examples:
        >>> df = pd.DataFrame({"a1": pd.array([5] * 19 + [4], dtype="Int8"),
        ...                    "a2": pd.array([5, 4] * 10, dtype="Int8"), "weight": 1.0})
        >>> near_constant_items(item_distribution(df, ["a1", "a2"], by=None))
          item  mode  modal_share  mean        sd  near_constant
        0   a1     5         0.95  4.95  0.217945           True
        1   a2     4         0.50  4.50  0.500000          False
    """
    require_columns(distribution, ["item", "answer", "weighted_share_valid"], "distribution")
    if not 0 < threshold <= 1:
        raise InstrumentError(f"threshold={threshold}: need 0 < threshold <= 1")
    keys = [c for c in distribution.columns if c not in (
        "item", "answer", "n", "share", "weighted_share", "weighted_share_valid")]
    valid = distribution[distribution["answer"] != "missing"].copy()
    valid["value"] = valid["answer"].astype(str).astype(int)
    valid["p"] = valid["weighted_share_valid"].fillna(0.0)
    valid["px"] = valid["p"] * valid["value"]
    valid["px2"] = valid["p"] * valid["value"] ** 2
    group = valid.groupby([*keys, "item"], sort=False)
    idx = group["p"].idxmax()
    out = valid.loc[idx, [*keys, "item", "value", "p"]].rename(
        columns={"value": "mode", "p": "modal_share"}).reset_index(drop=True)
    moments = group[["px", "px2"]].sum().reset_index(drop=True)
    out["mean"] = moments["px"].to_numpy()
    out["sd"] = np.sqrt(np.maximum(moments["px2"].to_numpy() - out["mean"] ** 2, 0.0))
    out["near_constant"] = out["modal_share"] >= threshold
    return out


def check_item_missing(table: pd.DataFrame, source: str = "item_missing") -> pd.DataFrame:
    """Check a per-item unusable-answer table and return it with integer counts.

    Args:
        table: the cleaning step's ``item_missing.csv`` (columns ``ITEM_MISSING_COLUMNS``,
            optionally ``OPTIONAL_REASONS`` and a ``year`` column).
        source: what to call the table in an error (the file it came from).

    Raises:
        InstrumentError: a column is missing, a count is negative or not a whole number, or
            the four reasons add up to more than ``n``.

    Examples:
        >>> t = check_item_missing(pd.DataFrame({"item": ["a1"], "dont_know": [3.0],
        ...     "refused": [1], "blank": [2], "out_of_range": [0], "n": [100]}))
        >>> t.dtypes["dont_know"], int(t.loc[0, "n"])
        (dtype('int64'), 100)
    """
    if not isinstance(table, pd.DataFrame):
        raise InstrumentError(f"{source}: must be a DataFrame")
    missing = [c for c in ITEM_MISSING_COLUMNS if c not in table.columns]
    if missing:
        raise InstrumentError(f"{source}: lacks column(s) {', '.join(missing)} "
                              f"(need {', '.join(ITEM_MISSING_COLUMNS)})")
    out = table.copy()
    out["item"] = out["item"].astype(str).map(nfc)
    optional = [c for c in OPTIONAL_REASONS if c in out.columns]
    for col in optional:
        out[col] = out[col].fillna(0)           # a year whose cleaning did not count it
    for col in [*ITEM_MISSING_COLUMNS[1:], *optional]:
        values = pd.to_numeric(out[col], errors="coerce")
        if values.isna().any() or (values < 0).any() or (values % 1 != 0).any():
            raise InstrumentError(f"{source}: column {col!r} must hold whole counts >= 0")
        out[col] = values.astype("int64")
    total = out[["dont_know", "refused", "blank", "out_of_range", *optional]].sum(axis=1)
    if (total > out["n"]).any():
        bad = out.loc[total > out["n"], "item"].iloc[0]
        raise InstrumentError(f"{source}: item {bad!r} has more unusable answers than forms (n)")
    keys = ["year", "item"] if "year" in out.columns else ["item"]
    if out.duplicated(keys).any():
        raise InstrumentError(f"{source}: duplicated item rows")
    return out


def _cleaning_counts(item_missing: pd.DataFrame, reasons: list[str], by: str | None, key: object,
                     several_years: bool) -> pd.DataFrame:
    """The rows of ``item_missing`` for one year, indexed by item: reasons and n_counted."""
    counts = item_missing
    if "year" in counts.columns and by is not None:
        counts = counts[counts["year"] == key]
    elif several_years:
        raise InstrumentError("item_missing has no 'year' column but the data hold "
                              "several years: pass one year at a time")
    return counts.set_index("item")[[*reasons, "n"]].rename(columns={"n": "n_counted"})


def item_nonresponse(df: pd.DataFrame, items: Sequence[str],
                     item_missing: pd.DataFrame | None = None,
                     by: str | None = "year") -> pd.DataFrame:
    """Unusable answers per item: missing in the processed table, and why, when known.

    The processed table holds ``<NA>`` for "don't know", refusals, blanks and out-of-range
    codes alike; the cleaning step's ``item_missing.csv`` keeps them apart. Given that table
    (with a ``year`` column when ``df`` holds several years), its counts and shares (count /
    its ``n``) are added; without it those columns are NA.

    Returns:
        One row per (year, item): n_forms, n_valid, n_missing, missing_share, dont_know,
        refused, blank, out_of_range (and ``unreadable`` when the table has it), n_counted,
        one ``*_share`` column per reason, and ``unusable_share`` (all reasons together).

    Examples:
        >>> df = pd.DataFrame({"f1": pd.array([5, None, 4, None], dtype="Int8")})
        >>> im = pd.DataFrame({"item": ["f1"], "dont_know": [1], "refused": [0], "blank": [1],
        ...                    "out_of_range": [0], "n": [4]})
        >>> item_nonresponse(df, ["f1"], im, by=None)[["item", "n_missing", "dont_know_share",
        ...                                             "unusable_share"]]
          item  n_missing  dont_know_share  unusable_share
        0   f1          2             0.25             0.5
    """
    items = list(items)
    reasons = ["dont_know", "refused", "blank", "out_of_range"]
    if item_missing is not None:
        item_missing = check_item_missing(item_missing)
        reasons += [c for c in OPTIONAL_REASONS if c in item_missing.columns]
    parts = []
    for key, part in per_year(df, by):
        x = likert_matrix(part, items)
        table = pd.DataFrame({
            "item": items,
            "n_forms": len(part),
            "n_valid": (~np.isnan(x)).sum(axis=0),
        })
        table["n_missing"] = table["n_forms"] - table["n_valid"]
        table["missing_share"] = table["n_missing"] / table["n_forms"]
        if item_missing is not None:
            several = by is not None and df[by].nunique() > 1
            table = table.join(_cleaning_counts(item_missing, reasons, by, key, several),
                               on="item")
        else:
            for col in [*reasons, "n_counted"]:
                table[col] = pd.NA
        for col in [*reasons, "n_counted"]:
            table[col] = table[col].astype("Int64")
        denom = table["n_counted"].astype("Float64")
        for col in reasons:
            table[f"{col}_share"] = table[col].astype("Float64") / denom
        table["unusable_share"] = table[reasons].astype("Float64").sum(axis=1, skipna=False) / denom
        parts.append(with_key(table, by, key))
    return stack(parts)


def _top_indicators(part: pd.DataFrame, items: list[str],
                    components: Mapping[str, Sequence[str]], w: np.ndarray
                    ) -> tuple[pd.DataFrame, list[tuple[str, str]], dict[str, float]]:
    """Per item and component: the 0/1 "at the top" column, its (scale, name), satisfied share."""
    x = likert_matrix(part, items)
    columns: dict[str, np.ndarray] = {}
    kind, sat = [], {}
    for j, item in enumerate(items):
        col = f"top__{item}"
        columns[col] = np.where(np.isnan(x[:, j]), np.nan, (x[:, j] == 5).astype(float))
        kind.append(("item", item))
        ok = ~np.isnan(x[:, j])
        sat[col] = float((w[ok] * (x[ok, j] >= 4)).sum() / w[ok].sum()) if ok.any() else np.nan
    for name, comp_items in components.items():
        cx = likert_matrix(part, comp_items)
        complete = ~np.isnan(cx).any(axis=1)
        mean = cx.mean(axis=1)  # NaN where an item is missing
        col = f"top__{name}"
        columns[col] = np.where(complete, (mean == 5).astype(float), np.nan)
        kind.append(("component", name))
        sat[col] = (float((w[complete] * (mean[complete] >= 4)).sum() / w[complete].sum())
                    if complete.any() else np.nan)
    return pd.DataFrame(columns, index=part.index), kind, sat


def ceiling_effects(df: pd.DataFrame, items: Sequence[str], design: DesignSpec,
                    components: Mapping[str, Sequence[str]] | None = None,
                    level: float = 0.95, ci_method: str = "beta",
                    by: str | None = "year") -> pd.DataFrame:
    """Weighted share at the top category, per item and per component score, with intervals.

    Item rows: share answering 5 among valid answers. Component rows: share of respondents
    (with every item of the component answered) whose component mean is 5, the ceiling
    criterion of Terwee et al. (2007). Estimates and intervals come from
    ``SurveyDesign.proportion`` on an indicator (one design per year).

    Returns:
        One row per (year, scale, name): scale is ``item`` or ``component``; columns
        ``estimate, se, ci_low, ci_high, deff, n, n_eff, df`` and ``satisfied_share`` (weighted
        share answering 4 or 5; for a component, mean >= 4).

    Examples:
        >>> from satisfaction.design import DesignSpec
        >>> from satisfaction.instrument import example_survey
        >>> df = example_survey()
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> t = ceiling_effects(df, ["a1"], D, {"access": ["a1", "a2", "a3"]}, by=None)
        >>> t[["scale", "name", "estimate", "ci_low", "ci_high", "n"]].round(3)
               scale    name  estimate  ci_low  ci_high    n
        0       item      a1     0.385   0.230    0.560  120
        1  component  access     0.178   0.062    0.363  120
    """
    items = list(items)
    components = {k: list(v) for k, v in (components or {}).items()}
    parts = []
    for key, part in per_year(df, by):
        require_columns(part, design.columns)
        w = weight_array(part, design.weights)
        tops, kind, sat = _top_indicators(part, items, components, w)
        frame = pd.concat([part[design.columns], tops], axis=1)
        table = proportion_rows(build_design(frame, design), list(tops.columns), ci_method, level)
        table.insert(0, "scale", [k for k, _ in kind])
        table.insert(1, "name", [nm for _, nm in kind])
        table["satisfied_share"] = table["variable"].map(sat)
        table = table.drop(columns="variable")
        parts.append(with_key(table, by, key))
    return stack(parts)
