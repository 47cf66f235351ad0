"""Precision next year: respondents per level needed for a chosen interval half-width.

``n = deff z^2 p(1-p) / h^2`` with this year's design effect per level and, as planning rate,
the end of this year's interval closest to 50 % (the least favourable rate the data allow).

Not for: this year's intervals themselves (:mod:`satisfaction.design`) or allocating the
sample to offices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..design import DesignSpec
from ..intervals import z_quantile
from .inputs import (
    InstrumentError,
    build_design,
    per_year,
    proportion_rows,
    require_columns,
    stack,
    with_key,
)

__all__ = ["sample_size_for_half_width", "sample_size_for_precision"]


def sample_size_for_half_width(p: Any, deff: Any, half_width: float,
                               level: float = 0.95) -> np.ndarray:
    """Respondents needed for a ``half_width`` interval: ``ceil(deff z^2 p(1-p) / h^2)``.

    Examples:
        >>> sample_size_for_half_width([0.5, 0.9], [1.0, 2.0], 0.05).tolist()
        [385, 277]
    """
    if not 0 < half_width < 0.5:
        raise InstrumentError(f"half_width={half_width}: need 0 < half_width < 0.5")
    p = np.asarray(p, dtype=float)
    deff = np.asarray(deff, dtype=float)
    z = z_quantile(level)
    return np.ceil(np.round(deff * z * z * p * (1 - p) / half_width ** 2, 9)).astype(int)


def sample_size_for_precision(df: pd.DataFrame, design: DesignSpec,
                              domain: str = "level", y: str = "satisfied",
                              half_width: float = 0.02, level: float = 0.95,
                              ci_method: str = "beta", by: str | None = "year") -> pd.DataFrame:
    """Respondents per domain (level) needed next year for a chosen interval half-width.

    Uses this year's design effect per domain and, as planning value, the end of this year's
    interval closest to 50 % (the least favourable rate the data allow): ``n = deff z^2
    p(1-p)/h^2``. A design effect below 1 is kept (it is what the design achieved).

    Returns:
        One row per (year, domain): estimate, ci_low, ci_high, half_width_now, deff, n,
        n_eff, p_plan, n_required, target_half_width.

    Examples:
        >>> from satisfaction.design import DesignSpec
        >>> from satisfaction.instrument import example_survey
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> t = sample_size_for_precision(example_survey(), D, half_width=0.05, by=None)
        >>> t[["level", "estimate", "deff", "n", "p_plan", "n_required"]].round(3)
              level  estimate   deff   n  p_plan  n_required
        0   central     0.392  1.470  30     0.5         565
        1   commune     0.490  1.492  30     0.5         574
        2  district     0.513  1.972  30     0.5         758
        3  province     0.467  4.704  30     0.5        1808
    """
    require_columns(df, [y, domain])
    parts = []
    for key, part in per_year(df, by):
        require_columns(part, design.columns)
        frame = part[[*design.columns, y, domain]].copy()
        frame[y] = pd.to_numeric(frame[y], errors="coerce").astype(float)
        t = proportion_rows(build_design(frame, design), [y], ci_method, level, by=domain)
        t = t.rename(columns={"domain": domain}).drop(columns="variable")
        t["half_width_now"] = (t["ci_high"] - t["ci_low"]) / 2
        lo, hi = t["ci_low"].to_numpy(float), t["ci_high"].to_numpy(float)
        t["p_plan"] = np.where(hi < 0.5, hi, np.where(lo > 0.5, lo, 0.5))
        deff = t["deff"].to_numpy(float)
        t["n_required"] = sample_size_for_half_width(
            t["p_plan"], np.where(np.isfinite(deff), deff, 1.0), half_width, level)
        t["target_half_width"] = half_width
        keep = [domain, "estimate", "ci_low", "ci_high", "half_width_now", "deff", "n", "n_eff",
                "p_plan", "n_required", "target_half_width"]
        parts.append(with_key(t[keep], by, key))
    return stack(parts)
