"""Response quality: straight-lined, very fast and incomplete forms, and what they change.

* :func:`response_flags` -- per-form flags (the very-fast threshold is
  :meth:`InstrumentSettings.duration_threshold <.settings.InstrumentSettings.duration_threshold>`:
  2 s per Likert item, Huang et al. 2012, unless the params say otherwise);
* :func:`quality_summary` -- how many forms each rule flags, counted and weighted;
* :func:`quality_sensitivity` -- the satisfaction rate with all forms and without each kind of
  flagged form: rows to compare, never a silent filter. Each row is a domain of the full
  design, and its change against all forms is a design-based contrast of two overlapping
  domains (:meth:`satisfaction.design.SurveyDesign.contrasts`).

Not for: cleaning (rows are never dropped here; :mod:`satisfaction.clean`) or the published
estimate, which keeps every valid form (:mod:`satisfaction.design`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..design import COLUMNS, DesignSpec
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
from .settings import InstrumentSettings

__all__ = ["FLAGS", "SCENARIOS", "quality_sensitivity", "quality_summary", "response_flags"]

FLAGS = ("straightlined", "fast", "incomplete", "flagged", "straightlined_at_5")
"""The rows of :func:`quality_summary`: the flags of :func:`response_flags` (``flagged``: any of
the three), and the straight-lined forms whose every answer is 5. The report layer names them
(:mod:`satisfaction.report.instrument`)."""

SCENARIOS = ("all", "straightlined", "fast", "incomplete", "flagged")
"""The rows of :func:`quality_sensitivity`: all forms, then without the forms of each flag (the
codes of :data:`satisfaction.robustness.QUALITY_SCENARIOS`)."""


def response_flags(df: pd.DataFrame, items: Sequence[str], overall: str | None = "q_overall",
                   duration: str | None = "duration_sec",
                   min_duration_sec: float | None = None) -> pd.DataFrame:
    """Per-form quality flags: straight-lining, very fast, incomplete.

    * ``straightlined``: every component item answered, all with the same answer
      (``straightline_value`` says which).
    * ``fast``: ``duration`` below ``min_duration_sec`` (default 2 s per Likert item). False
      where the duration is unknown; ``duration_known`` says where it is.
    * ``incomplete``: at least one component item or the overall item missing.

    Returns:
        A frame on ``df``'s index: n_answered, straightlined, straightline_value (Int8),
        duration_known, fast, incomplete, flagged (any of the three); its
        ``attrs["min_duration_sec"]`` is the threshold used.

    Examples:
        >>> df = pd.DataFrame({"a1": pd.array([5, 4, None], dtype="Int8"),
        ...                    "a2": pd.array([5, 3, 4], dtype="Int8"),
        ...                    "q_overall": pd.array([5, 4, 4], dtype="Int8"),
        ...                    "duration_sec": [5.0, 300.0, None]})
        >>> f = response_flags(df, ["a1", "a2"])   # 3 Likert items: fast below 6 s
        >>> f[["straightlined", "straightline_value", "fast", "incomplete", "flagged"]]
           straightlined  straightline_value   fast  incomplete  flagged
        0           True                   5   True       False     True
        1          False                <NA>  False       False    False
        2          False                <NA>  False        True     True
    """
    items = list(items)
    if not items:
        raise InstrumentError("no items given")
    x = likert_matrix(df, items)
    answered = ~np.isnan(x)
    n_answered = answered.sum(axis=1)
    complete = n_answered == len(items)
    lo, hi = np.nanmin(np.where(answered, x, np.inf), axis=1), np.nanmax(
        np.where(answered, x, -np.inf), axis=1)
    straight = complete & (lo == hi)
    value = pd.array(np.where(straight, lo, 0).astype(int), dtype="Int8")
    value[~straight] = pd.NA
    incomplete = ~complete
    if overall is not None:
        incomplete = incomplete | np.isnan(likert_matrix(df, [overall])[:, 0])
    n_likert = len(items) + (1 if overall is not None else 0)
    threshold = InstrumentSettings(min_duration_sec=min_duration_sec).duration_threshold(n_likert)
    if duration is not None and duration in df.columns:
        secs = pd.to_numeric(df[duration], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if (secs[~np.isnan(secs)] < 0).any():
            raise InstrumentError(f"column {duration!r} has negative durations")
    else:
        secs = np.full(len(df), np.nan)
    known = ~np.isnan(secs)
    fast = known & (np.where(known, secs, np.inf) < threshold)
    out = pd.DataFrame({
        "n_answered": n_answered,
        "straightlined": straight,
        "straightline_value": value,
        "duration_known": known,
        "fast": fast,
        "incomplete": incomplete,
    }, index=df.index)
    out["flagged"] = out["straightlined"] | out["fast"] | out["incomplete"]
    out.attrs["min_duration_sec"] = threshold
    return out


def _check_flags(df: pd.DataFrame, flags: pd.DataFrame, columns: list[str]) -> None:
    require_columns(flags, columns, "flags")
    if not flags.index.equals(df.index):
        raise InstrumentError("flags must be indexed like the data (use response_flags(df))")


def quality_summary(df: pd.DataFrame, flags: pd.DataFrame, weights: str | None = "weight",
                    by: str | None = "year") -> pd.DataFrame:
    """How many forms each quality rule flags, counted and weighted.

    Returns:
        One row per (year, flag) of :data:`FLAGS`: n_flagged, n_forms, share, weighted_share,
        n_checkable (forms the rule could be checked on: those with a duration for ``fast``).

    Examples:
        >>> from satisfaction.instrument import example_survey
        >>> df = example_survey()
        >>> flags = response_flags(df, ["a1", "a2", "a3", "f1", "f2", "f3"])
        >>> quality_summary(df, flags, by=None)[["flag", "n_flagged", "weighted_share"]].round(3)
                         flag  n_flagged  weighted_share
        0       straightlined         39           0.318
        1                fast          0           0.000
        2          incomplete          5           0.042
        3             flagged         44           0.360
        4  straightlined_at_5         21           0.174
    """
    _check_flags(df, flags, ["straightlined", "fast", "incomplete", "flagged", "duration_known",
                             "straightline_value"])
    parts = []
    for key, part in per_year(df, by):
        f = flags.loc[part.index]
        w = weight_array(part, weights)
        table_flags = {name: f[name].to_numpy(dtype=bool) for name in FLAGS[:-1]}
        table_flags["straightlined_at_5"] = (f["straightline_value"] == 5).fillna(False).to_numpy(
            dtype=bool)
        rows = []
        for name, mask in table_flags.items():
            checkable = (f["duration_known"].to_numpy(dtype=bool) if name == "fast"
                         else np.ones(len(f), dtype=bool))
            rows.append({
                "flag": name,
                "n_flagged": int(mask.sum()), "n_forms": len(f),
                "share": mask.mean() if len(f) else np.nan,
                "weighted_share": float(w[mask].sum() / w.sum()),
                "n_checkable": int(checkable.sum()),
            })
        parts.append(with_key(pd.DataFrame(rows), by, key))
    return stack(parts)


def _sensitivity_rows(frame: pd.DataFrame, f: pd.DataFrame, y: str, design: DesignSpec,
                      level: float, ci_method: str) -> pd.DataFrame:
    """The scenario rows of one year (``frame``: design columns, ``y`` and keep__ columns)."""
    sd = build_design(frame, design)
    masks = {flag: frame[f"keep__{flag}"].to_numpy(dtype=bool) for flag in SCENARIOS}
    change = sd.contrasts(y, masks, [(flag, "all") for flag in SCENARIOS], level)
    checkable_fast = bool(f["duration_known"].any())
    rows = []
    for flag, diff in zip(SCENARIOS, change.itertuples(index=False)):
        if flag == "all":
            row = proportion_rows(sd, [y], ci_method, level).iloc[0]
        else:
            prop = proportion_rows(sd, [y], ci_method, level, by=f"keep__{flag}")
            prop = prop[prop["domain"].eq(True)]  # the domain label is the keep indicator
            row = prop.iloc[0] if len(prop) else pd.Series(dtype=float)
        rows.append({
            "scenario": flag,
            "forms_left_out": 0 if flag == "all" else int((~masks[flag]).sum()),
            **{c: row.get(c, np.nan) for c in COLUMNS},
            "change": 0.0 if flag == "all" else diff.difference,
            "change_low": 0.0 if flag == "all" else diff.ci_low,
            "change_high": 0.0 if flag == "all" else diff.ci_high,
            "checkable": checkable_fast if flag == "fast" else True,
        })
    return pd.DataFrame(rows)


def quality_sensitivity(df: pd.DataFrame, flags: pd.DataFrame, design: DesignSpec,
                        y: str = "satisfied", level: float = 0.95, ci_method: str = "beta",
                        by: str | None = "year") -> pd.DataFrame:
    """The satisfaction rate with all forms, and without each kind of flagged form.

    Each row is a domain estimate on the full design (``SurveyDesign.proportion`` by the keep
    indicator), never a re-weighted subset; the change against "all forms" has its own
    interval from :meth:`SurveyDesign.contrasts <satisfaction.design.SurveyDesign.contrasts>`
    (the two domains overlap, so their covariance counts).

    Returns:
        One row per (year, scenario) of :data:`SCENARIOS` (``all``: every form; else the forms
        without that flag): scenario, forms_left_out, estimate, se, ci_low, ci_high,
        deff, n, n_eff, df, change, change_low, change_high (subset minus all forms, proportion
        scale), checkable (False when the rule could not be checked, e.g. no durations).

    Examples:
        >>> from satisfaction.design import DesignSpec
        >>> from satisfaction.instrument import example_survey
        >>> df = example_survey()
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> flags = response_flags(df, ["a1", "a2", "a3", "f1", "f2", "f3"])
        >>> t = quality_sensitivity(df, flags, D, by=None)
        >>> t[["scenario", "forms_left_out", "estimate", "change", "change_low"]].round(3)
                scenario  forms_left_out  estimate  change  change_low
        0            all               0     0.466   0.000       0.000
        1  straightlined              39     0.371  -0.095      -0.173
        2           fast               0     0.466   0.000       0.000
        3     incomplete               5     0.467   0.001      -0.015
        4        flagged              44     0.366  -0.099      -0.174
    """
    require_columns(df, [y])
    _check_flags(df, flags, ["straightlined", "fast", "incomplete", "flagged", "duration_known"])
    parts = []
    for key, part in per_year(df, by):
        f = flags.loc[part.index]
        require_columns(part, design.columns)
        frame = part[[*design.columns, y]].copy()
        frame[y] = pd.to_numeric(frame[y], errors="coerce").astype(float)
        for flag in SCENARIOS:
            frame[f"keep__{flag}"] = True if flag == "all" else ~f[flag].to_numpy(dtype=bool)
        table = _sensitivity_rows(frame, f, y, design, level, ci_method)
        parts.append(with_key(table, by, key))
    return stack(parts)
