"""How numbers read on a page: one rule per kind of quantity, used by every table and sentence.

A rate, a change in points, a p-value: each is written by one function here, so the same number
reads the same way on every page (the bilingual reports will give each a locale).

Not for: computing any of these numbers (the statistics modules) or laying out tables
(:mod:`satisfaction.report.tables`).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["p_value", "percent", "points"]


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def percent(x: float, digits: int = 2) -> str:
    """A proportion as a percentage: ``0.9645`` -> ``"96.45 %"``.

    Examples:
        >>> percent(0.9645), percent(0.5, 1)
        ('96.45 %', '50.0 %')
    """
    return f"{100 * float(x):.{digits}f} %"


def points(x: float, digits: int = 2) -> str:
    """A difference of proportions in percentage points, signed: ``0.0976`` -> ``"+9.76 points"``.

    Examples:
        >>> points(0.0976), points(-0.001, 1)
        ('+9.76 points', '-0.1 points')
    """
    return f"{100 * float(x):+.{digits}f} points"


def p_value(p: float) -> str:
    """A p-value: two significant digits, ``"< 0.0001"`` below that, ``""`` when not tested.

    Examples:
        >>> p_value(0.0234), p_value(3e-9), p_value(float("nan"))
        ('0.023', '< 0.0001', '')
    """
    if not _finite(p):
        return ""
    return "< 0.0001" if p < 1e-4 else f"{p:.2g}"
