"""How numbers read on a page: one rule per kind of quantity, in each language of the reports.

A rate, a change in points, a count, a p-value: each is written by one function here, so the
same number reads the same way on every page, in every table and sentence and on the index.
Vietnamese writes 96,45 % and 22.250 where English writes 96.45 % and 22,250.

The precision of each kind is fixed here, not at the call site:

===============  ==========================  =============  ==============
kind             function / class            Vietnamese     English
===============  ==========================  =============  ==============
rate             :func:`percent`             96,45 %        96.45 %
change, points   :func:`points`              +9,76 điểm     +9.76 points
count            :func:`count`               22.250         22,250
respondents      :func:`respondents`         22.250 người…  22,250 resp…
other decimal    :func:`decimal`             2,00           2.00
p-value          :func:`p_value`             < 0,0001       < 0.0001
===============  ==========================  =============  ==============

Each function takes the language; each class (:class:`Percent`, :class:`Points`,
:class:`Count`, :class:`Decimal`, :class:`PValue`) holds a value and renders it in any
language, for messages (:mod:`satisfaction.i18n`) that are shown in every edition.

Not for: computing any of these numbers (the statistics modules) or laying out tables
(:mod:`satisfaction.report.tables`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from ..i18n import Language, _, check_language

__all__ = [
    "RATE_DIGITS",
    "Count",
    "Decimal",
    "PValue",
    "Percent",
    "Points",
    "count",
    "decimal",
    "p_value",
    "percent",
    "points",
    "respondents",
]

RATE_DIGITS: Final = 2
"""Decimals of every rate and change in points (the ministry publishes 96.45 % and +9.76)."""
MISSING: Final = "—"
_POINTS_WORD: Final = {"vi": "điểm", "en": "points"}


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _localise(text: str, lang: Language) -> str:
    """English digits to the language's separators (Vietnamese swaps ``,`` and ``.``)."""
    if check_language(lang) == "vi":
        return text.translate(str.maketrans({",": ".", ".": ","}))
    return text


def decimal(x: float, digits: int = 2, lang: Language = "en", *, signed: bool = False) -> str:
    """A number with ``digits`` decimals and grouped thousands; "—" when missing.

    Examples:
        >>> decimal(1234.5, 1), decimal(1234.5, 1, "vi"), decimal(float("nan"))
        ('1,234.5', '1.234,5', '—')
        >>> decimal(0.5, 2, "vi", signed=True)
        '+0,50'
    """
    if not _finite(x):
        return MISSING
    sign = "+" if signed else ""
    return _localise(f"{float(x):{sign},.{digits}f}", lang)


def percent(x: float, digits: int = RATE_DIGITS, lang: Language = "en") -> str:
    """A proportion as a percentage: ``0.9645`` -> ``"96.45 %"`` (``"96,45 %"`` in Vietnamese).

    Examples:
        >>> percent(0.9645), percent(0.9645, lang="vi"), percent(0.5, 1)
        ('96.45 %', '96,45 %', '50.0 %')
    """
    if not _finite(x):
        return MISSING
    return f"{decimal(100 * float(x), digits, lang)} %"


def points(x: float, digits: int = RATE_DIGITS, lang: Language = "en") -> str:
    """A difference of proportions in percentage points, signed.

    Examples:
        >>> points(0.0976), points(0.0976, lang="vi"), points(-0.001, 1)
        ('+9.76 points', '+9,76 điểm', '-0.1 points')
    """
    if not _finite(x):
        return MISSING
    return f"{decimal(100 * float(x), digits, lang, signed=True)} {_POINTS_WORD[lang]}"


def count(n: float, lang: Language = "en") -> str:
    """A whole number with grouped thousands: ``22250`` -> ``"22,250"`` (``"22.250"``).

    Examples:
        >>> count(22250), count(22250, "vi"), count(float("nan"))
        ('22,250', '22.250', '—')
    """
    if not _finite(n):
        return MISSING
    return _localise(f"{round(float(n)):,d}", lang)


def p_value(p: float, lang: Language = "en") -> str:
    """A p-value: two significant digits, ``"< 0.0001"`` below that, ``""`` when not tested.

    Examples:
        >>> p_value(0.0234), p_value(3e-9), p_value(0.0234, "vi"), p_value(float("nan"))
        ('0.023', '< 0.0001', '0,023', '')
    """
    if not _finite(p):
        return ""
    return _localise("< 0.0001" if p < 1e-4 else f"{p:.2g}", lang)


def respondents(n: float, lang: Language = "en") -> str:
    """A number of respondents, in words.

    Examples:
        >>> respondents(22250), respondents(22250, "vi")
        ('22,250 respondents', '22.250 người trả lời')
    """
    return _("{n} respondents").format(n=Count(n)).render(lang)


@dataclass(frozen=True)
class Percent:
    """A rate shown in any language (see :func:`percent`)."""

    value: float
    digits: int = RATE_DIGITS

    def render(self, lang: Language) -> str:
        return percent(self.value, self.digits, lang)


@dataclass(frozen=True)
class Points:
    """A change in percentage points shown in any language (see :func:`points`)."""

    value: float
    digits: int = RATE_DIGITS

    def render(self, lang: Language) -> str:
        return points(self.value, self.digits, lang)


@dataclass(frozen=True)
class Count:
    """A count shown in any language (see :func:`count`)."""

    value: float

    def render(self, lang: Language) -> str:
        return count(self.value, lang)


@dataclass(frozen=True)
class Decimal:
    """A number with fixed decimals shown in any language (see :func:`decimal`)."""

    value: float
    digits: int = 2
    signed: bool = False

    def render(self, lang: Language) -> str:
        return decimal(self.value, self.digits, lang, signed=self.signed)


@dataclass(frozen=True)
class PValue:
    """A p-value shown in any language (see :func:`p_value`)."""

    value: float

    def render(self, lang: Language) -> str:
        return p_value(self.value, lang)
