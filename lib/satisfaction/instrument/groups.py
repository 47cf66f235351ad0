"""Satisfaction by group of respondents: by channel and by respondent type, and the contrasts.

* :func:`group_rates` -- the satisfaction rate by channel and by respondent type;
* :func:`group_contrasts` -- online minus in person (the channel), organisation minus citizen
  (the respondent type): the design-based difference with its interval, optionally inside each
  level, Holm-adjusted.

What a contrast is. Both are descriptive comparisons of two groups of respondents. The channel
(the procedure done online or in person) is not randomised: who applies online also differs by
procedure, level and respondent type, so a difference between the channels is confounded with
who uses each one and says nothing about what the channel itself does to the answer. The
respondent type is who answers (a citizen or an organisation), not a way of answering.

How the difference is computed. The difference of two domain means estimated from ONE design
is not the difference of two independent samples: both share strata and PSUs (an office serves
people in person and online), so ``Var(a - b) = Var(a) + Var(b) - 2 Cov(a, b)``:
:meth:`satisfaction.design.SurveyDesign.contrasts` (Taylor linearisation with R ``survey``'s
formula, tested against R's ``svycontrast``).

Not for: year-over-year change (:mod:`satisfaction.compare`) or the contrast itself
(:mod:`satisfaction.design`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import nfc
from ..design import DesignSpec
from ..multitest import adjust_pvalues
from .inputs import (
    InstrumentError,
    build_design,
    per_year,
    proportion_rows,
    require_columns,
    stack,
    with_key,
)

__all__ = ["DEFAULT_CONTRASTS", "group_contrasts", "group_rates"]

DEFAULT_CONTRASTS = (
    ("channel", "online", "in_person"),
    ("respondent_type", "organisation", "citizen"),
)
"""(variable, group a, group b): :func:`group_contrasts` reports a minus b."""


def _contrast_plan(part: pd.DataFrame, contrasts: Sequence[tuple[str, str, str]],
                   within: str | None, where: str
                   ) -> tuple[dict[str, np.ndarray], list[tuple[str, str, str, Any, str, str]]]:
    """The domain masks of one year and, per compared pair, (var, a, b, category, key a, key b)."""
    masks: dict[str, np.ndarray] = {}
    plan = []
    categories = ([None] if within is None
                  else [None, *sorted(part[within].dropna().unique().tolist())])
    for var, a, b in contrasts:
        values = part[var].astype("string").map(nfc, na_action="ignore")
        for a_or_b in (a, b):
            if not (values == a_or_b).any():
                raise InstrumentError(f"{var!r} has no row equal to {a_or_b!r}{where}")
        for cat in categories:
            inside = (np.ones(len(part), dtype=bool) if cat is None
                      else (part[within] == cat).to_numpy(dtype=bool))
            ka, kb = f"{var}|{a}|{cat}", f"{var}|{b}|{cat}"
            masks[ka] = (values == a).fillna(False).to_numpy(dtype=bool) & inside
            masks[kb] = (values == b).fillna(False).to_numpy(dtype=bool) & inside
            plan.append((var, a, b, cat, ka, kb))
    return masks, plan


def group_contrasts(df: pd.DataFrame, design: DesignSpec, y: str = "satisfied",
                    contrasts: Sequence[tuple[str, str, str]] = DEFAULT_CONTRASTS,
                    within: str | None = None, level: float = 0.95,
                    by: str | None = "year") -> pd.DataFrame:
    """Design-based differences in ``y`` between groups: online - in person, organisation - citizen.

    Descriptive comparisons (see the module's docstring): an interval that excludes 0 says the
    two groups' rates differ by more than sampling error, not why.

    All group means of a year come from ONE design, with their full covariance matrix
    (:meth:`SurveyDesign.contrasts <satisfaction.design.SurveyDesign.contrasts>`), so the
    difference's standard error includes the covariance of groups served by the same offices.
    With ``within`` (e.g. ``"level"``), the difference is also given inside each category of
    that variable.

    Returns:
        One row per (year, contrast[, within category]): variable, group_a, group_b,
        estimate_a, estimate_b, difference, se, ci_low, ci_high, z, p_value, se_independent,
        covariance, n_a, n_b, p_holm (Holm-adjusted over the rows of the year: with ``within``
        there are many comparisons, and some will look significant by chance).

    Examples:
        >>> from satisfaction.design import DesignSpec
        >>> from satisfaction.instrument import example_survey
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> t = group_contrasts(example_survey(), D, by=None)
        >>> t[["group_a", "group_b", "difference", "se", "se_independent", "p_value"]].round(3)
                group_a    group_b  difference     se  se_independent  p_value
        0        online  in_person      -0.061  0.073           0.109    0.401
        1  organisation    citizen       0.168  0.113           0.149    0.137
    """
    if not contrasts:
        raise InstrumentError("no contrasts given")
    needed = [y, *[c[0] for c in contrasts]] + ([within] if within else [])
    require_columns(df, needed)
    parts = []
    for key, part in per_year(df, by):
        masks, plan = _contrast_plan(part, contrasts, within, f" in {by} {key}" if by else "")
        diffs = build_design(part, design).contrasts(
            y, masks, [(ka, kb) for *_, ka, kb in plan], level)
        table = pd.DataFrame({"variable": [p[0] for p in plan], "group_a": [p[1] for p in plan],
                              "group_b": [p[2] for p in plan]})
        if within is not None:
            table[within] = ["all" if p[3] is None else p[3] for p in plan]
        table = pd.concat([table, diffs.reset_index(drop=True)], axis=1)
        table["p_holm"] = adjust_pvalues(table["p_value"].to_numpy(float), "holm")
        parts.append(with_key(table, by, key))
    return stack(parts)


def group_rates(df: pd.DataFrame, design: DesignSpec, variables: Sequence[str],
                y: str = "satisfied", level: float = 0.95, ci_method: str = "beta",
                by: str | None = "year") -> pd.DataFrame:
    """The rate of ``y`` by each grouping variable (``SurveyDesign.proportion``, by= variable).

    Returns:
        One row per (year, variable, group): estimate, se, ci_low, ci_high, deff, n, n_eff, df.

    Examples:
        >>> from satisfaction.design import DesignSpec
        >>> from satisfaction.instrument import example_survey
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> t = group_rates(example_survey(), D, ["channel"], by=None)
        >>> t[["group", "estimate", "ci_low", "ci_high", "n"]].round(3)
               group  estimate  ci_low  ci_high   n
        0  in_person     0.481   0.300    0.665  90
        1     online     0.420   0.247    0.608  30
    """
    require_columns(df, [y, *variables])
    parts = []
    for key, part in per_year(df, by):
        require_columns(part, design.columns)
        frame = part[[*design.columns, y, *variables]].copy()
        frame[y] = pd.to_numeric(frame[y], errors="coerce").astype(float)
        sd = build_design(frame, design)
        rows = []
        for var in variables:
            t = proportion_rows(sd, [y], ci_method, level, by=var)
            t = t.rename(columns={"domain": "group"}).drop(columns="variable")
            t.insert(0, "variable", var)
            rows.append(t)
        parts.append(with_key(pd.concat(rows, ignore_index=True), by, key))
    return stack(parts)
