"""Multiple testing: adjusted p-values for a family of tests, and how many of them moved.

When the change is tested in 63 provinces or 518 offices, some look significant by chance. This
module holds the corrections every analysis uses:

* :func:`adjust_pvalues` -- Holm (1979; the family-wise error rate) and Benjamini-Hochberg
  (1995; the false discovery rate). The arithmetic is statsmodels'
  :func:`~statsmodels.stats.multitest.multipletests`; this wrapper only leaves untested
  entries (NaN: a domain found in one year only) out of the family and NaN in the result,
  which statsmodels does not do.
* :func:`storey_pi0` -- Storey's (2002) estimate of the share of true null hypotheses, from
  which "how many domains changed at all, detected or not" follows.

Not for: the tests themselves (:mod:`satisfaction.compare`, :mod:`satisfaction.design`).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from statsmodels.stats.multitest import multipletests

__all__ = ["Adjustment", "adjust_pvalues", "storey_pi0"]

Adjustment = Literal["holm", "bh"]
_STATSMODELS_NAME = {"holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh",
                     "benjamini_hochberg": "fdr_bh"}


def adjust_pvalues(p_values: Any, method: Adjustment = "holm") -> np.ndarray:
    """Multiple-testing adjusted p-values; NaN entries are not tested and stay NaN.

    Args:
        p_values: raw p-values (any shape), NaN where no test was made.
        method: ``"holm"`` (family-wise error) or ``"bh"`` (false discovery rate).

    Returns:
        Adjusted p-values, same shape, capped at 1; the family is the non-NaN entries.

    Raises:
        ValueError: an unknown method, or a p-value outside [0, 1].

    Examples:
        >>> adjust_pvalues([0.01, 0.04, 0.03, np.nan], "holm").round(3).tolist()
        [0.03, 0.06, 0.06, nan]
        >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(3).tolist()
        [0.03, 0.04, 0.04]
    """
    key = str(method).lower().replace("-", "_")
    if key not in _STATSMODELS_NAME:
        raise ValueError(f"unknown adjustment {method!r}; use 'holm' or 'bh'")
    p = np.asarray(p_values, dtype=float)
    flat = p.ravel()
    if np.any((flat < 0) | (flat > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    out = np.full(flat.shape, np.nan)
    tested = ~np.isnan(flat)
    if tested.any():
        out[tested] = multipletests(flat[tested], method=_STATSMODELS_NAME[key])[1]
    return out.reshape(p.shape)


def storey_pi0(p_values: Any, lam: float = 0.5) -> float:
    """Storey's (2002) estimate of the share of true nulls: ``#{p > lam} / (m (1 - lam))``.

    Args:
        p_values: raw p-values; NaN entries are not tested and left out.
        lam: the tuning value lambda in [0, 1).

    Returns:
        The estimate, clipped to [0, 1]; 1.0 when nothing was tested.

    Examples:
        >>> storey_pi0([0.001, 0.002, 0.6, 0.9, np.nan])
        1.0
        >>> storey_pi0([0.001, 0.002, 0.003, 0.9])
        0.5
    """
    p = np.asarray(p_values, dtype=float).ravel()
    p = p[~np.isnan(p)]
    if p.size == 0:
        return 1.0
    return float(np.clip(np.sum(p > lam) / (p.size * (1 - lam)), 0.0, 1.0))
