"""The review's inputs, checked once: respondent tables, Likert items, weights, the design.

Every table of the instrument review is computed per survey year (one design per year) and
stacked with a ``year`` column; the helpers here split a table by year, turn Likert items into
a float matrix (checked to hold 1..5 or missing), read the weights, and build the year's
:class:`~satisfaction.design.SurveyDesign` from a :class:`~satisfaction.design.DesignSpec`
(the params' ``design:`` section; :meth:`DesignSpec.build` is the one way a design is built).

Not for: any statistic (the other modules of :mod:`satisfaction.instrument`), estimation
itself (:mod:`satisfaction.design`) or reading files (:mod:`satisfaction.years`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..design import COLUMNS, DesignSpec, SurveyDesign

__all__ = [
    "InstrumentError",
    "build_design",
    "check_design",
    "likert_matrix",
    "per_year",
    "proportion_rows",
    "require_columns",
    "stack",
    "weight_array",
    "with_key",
]


class InstrumentError(ValueError):
    """Bad input to an instrument-review function (missing column, bad table, bad value)."""


def require_columns(df: pd.DataFrame, columns: Sequence[str | None], what: str = "data") -> None:
    """Raise :class:`InstrumentError` unless ``df`` is a DataFrame with every named column.

    Examples:
        >>> require_columns(pd.DataFrame({"a1": [5]}), ["a1", "a2"])
        Traceback (most recent call last):
        satisfaction.instrument.inputs.InstrumentError: data lacks column(s) a2
    """
    if not isinstance(df, pd.DataFrame):
        raise InstrumentError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise InstrumentError(f"{what} lacks column(s) {', '.join(map(str, missing))}")


def per_year(df: pd.DataFrame, by: str | None) -> Iterator[tuple[Any, pd.DataFrame]]:
    """(key, rows) per value of ``by`` (one design per survey year), or (None, df) without it.

    Examples:
        >>> df = pd.DataFrame({"year": [2020, 2019, 2020]})
        >>> [(key, len(rows)) for key, rows in per_year(df, "year")]
        [(2019, 1), (2020, 2)]
    """
    if by is None:
        yield None, df
        return
    require_columns(df, [by])
    if df[by].isna().any():
        raise InstrumentError(f"column {by!r} has missing values")
    yield from df.groupby(by, sort=True)


def with_key(table: pd.DataFrame, by: str | None, key: Any) -> pd.DataFrame:
    """``table`` with a first column ``by`` holding ``key`` (unchanged when ``by`` is None)."""
    if by is None:
        return table
    table = table.copy()
    table.insert(0, by, key)
    return table


def stack(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The per-year tables one under the other (an empty frame when there are none)."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def likert_matrix(df: pd.DataFrame, items: Sequence[str]) -> np.ndarray:
    """Items as a float matrix (respondents x items), NaN for missing; values must be 1..5.

    Raises:
        InstrumentError: a column is missing, not numeric, or holds a value outside 1..5.

    Examples:
        >>> df = pd.DataFrame({"a1": pd.array([5, None], dtype="Int8"), "a2": [4.0, 1.0]})
        >>> likert_matrix(df, ["a1", "a2"]).tolist()
        [[5.0, 4.0], [nan, 1.0]]
    """
    require_columns(df, items)
    x = np.empty((len(df), len(items)))
    for j, item in enumerate(items):
        col = df[item]
        if not (pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)):
            raise InstrumentError(f"item {item!r} must hold numeric Likert codes, not {col.dtype}")
        x[:, j] = col.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isnan(x) & ~np.isin(x, [1, 2, 3, 4, 5])
    if bad.any():
        col = list(items)[int(np.flatnonzero(bad.any(axis=0))[0])]
        raise InstrumentError(f"item {col!r} has values outside 1..5 (clean the data first)")
    return x


def weight_array(df: pd.DataFrame, weights: str | None) -> np.ndarray:
    """The weights as floats (1 for every row when ``weights`` is None), checked > 0.

    Examples:
        >>> weight_array(pd.DataFrame({"w": [1, 2.5]}), "w").tolist(), weight_array(
        ...     pd.DataFrame({"w": [1, 2.5]}), None).tolist()
        ([1.0, 2.5], [1.0, 1.0])
    """
    if weights is None:
        return np.ones(len(df))
    require_columns(df, [weights])
    w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(w).any() or (w <= 0).any() or not np.isfinite(w).all():
        raise InstrumentError(f"weights {weights!r} must be finite and > 0 for every row")
    return w


def build_design(frame: pd.DataFrame, design: DesignSpec) -> SurveyDesign:
    """The year's design: ``design.build(frame)`` after checking that ``design`` is a spec.

    Raises:
        InstrumentError: ``design`` is not a :class:`~satisfaction.design.DesignSpec` (a
            params file's ``design:`` mapping becomes one by ``DesignSpec.from_mapping``), or
            ``frame`` lacks a design column.
        ValueError: the design cannot be built (:class:`~satisfaction.design.SurveyDesign`
            names the fault: weights not > 0, a lonely PSU under ``"fail"``, ...).
    """
    require_columns(frame, check_design(design).columns)
    return design.build(frame)


def check_design(design: DesignSpec) -> DesignSpec:
    """``design`` if it is a :class:`~satisfaction.design.DesignSpec`, else an InstrumentError.

    Examples:
        >>> check_design({"weights": "weight"})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        satisfaction.instrument.inputs.InstrumentError: design must be a DesignSpec ..., got dict
    """
    if not isinstance(design, DesignSpec):
        raise InstrumentError(f"design must be a DesignSpec (YearParams.design, or "
                              f"DesignSpec.from_mapping(...)), got {type(design).__name__}")
    return design


def proportion_rows(sd: SurveyDesign, variables: Sequence[str], ci_method: str, level: float,
                    by: str | None = None) -> pd.DataFrame:
    """``SurveyDesign.proportion`` of each indicator column; rows: variable (x domain).

    Returns:
        Columns ``variable`` (and ``domain`` with ``by``), then the estimate columns
        (:data:`satisfaction.design.COLUMNS`).

    Examples:
        >>> df = pd.DataFrame({"w": [1.0, 2, 1, 1], "psu": [1, 2, 3, 4], "top": [1, 0, 1, 1]})
        >>> sd = DesignSpec(weights="w", psu="psu").build(df)
        >>> proportion_rows(sd, ["top"], "wilson", 0.95)[["variable", "estimate", "n"]]
          variable  estimate  n
        0      top       0.6  4
    """
    out = []
    for var in variables:
        est = sd.proportion(var, by=by, ci_method=ci_method, level=level)
        table = est[[c for c in COLUMNS if c in est.columns]].copy()
        table.index = range(len(table))
        if by is not None:
            table.insert(0, "domain", est.index.get_level_values(0).to_numpy())
        table.insert(0, "variable", var)
        out.append(table)
    return pd.concat(out, ignore_index=True)
