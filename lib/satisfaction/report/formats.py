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

Tables (:mod:`satisfaction.report.tables`) name the kind of each column (:data:`Kind`) and write
its cells with :func:`cell_text`: the same precision (:data:`DIGITS`), the unit once in the
column's header (:func:`unit`) instead of in every cell, "—" for a missing value.

Each function takes the language; each class (:class:`Percent`, :class:`Points`,
:class:`Count`, :class:`Decimal`, :class:`PValue`) holds a value and renders it in any
language, for messages (:mod:`satisfaction.i18n`) that are shown in every edition.

Not for: computing any of these numbers (the statistics modules) or laying out tables
(:mod:`satisfaction.report.tables`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd

from ..i18n import Language, _, check_language

__all__ = [
    "DIGITS",
    "KINDS",
    "MISSING",
    "NUMERIC_KINDS",
    "RATE_DIGITS",
    "Count",
    "Decimal",
    "Kind",
    "PValue",
    "Percent",
    "Points",
    "cell_text",
    "cells",
    "count",
    "decimal",
    "interval_separator",
    "interval_text",
    "p_value",
    "percent",
    "points",
    "respondents",
    "rounded",
    "unit",
]

RATE_DIGITS: Final = 2
"""Decimals of every rate and change in points (the ministry publishes 96.45 % and +9.76)."""
MISSING: Final = "—"
"""A missing value, everywhere: tables, sentences, the index."""
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
        >>> decimal(-0.0004, 2), decimal(-0.0004, 2, signed=True)
        ('0.00', '-0.00')

    An unsigned number that rounds to zero has no sign; a signed one (a change, an interval's
    end) keeps it: "-0.00" says on which side of zero the value lies.
    """
    if not _finite(x):
        return MISSING
    value = float(x)
    if not signed and round(value, digits) == 0:
        value = 0.0
    sign = "+" if signed else ""
    return _localise(f"{value:{sign},.{digits}f}", lang)


def percent(x: float, digits: int = RATE_DIGITS, lang: Language = "en") -> str:
    """A proportion as a percentage: ``0.9645`` -> ``"96.45 %"`` (``"96,45 %"`` in Vietnamese).

    Examples:
        >>> percent(0.9645), percent(0.9645, lang="vi"), percent(0.5, 1)
        ('96.45 %', '96,45 %', '50.0 %')
    """
    if not _finite(x):
        return MISSING
    return f"{decimal(100 * float(x), digits, lang)} %"


def points(x: float, digits: int = RATE_DIGITS, lang: Language = "en", *,
           signed: bool = True) -> str:
    """A difference of proportions in percentage points, signed (a change); unsigned for a
    size that has no direction (the smallest detectable change, a margin of error).

    Examples:
        >>> points(0.0976), points(0.0976, lang="vi"), points(-0.001, 1)
        ('+9.76 points', '+9,76 điểm', '-0.1 points')
        >>> points(0.0182, signed=False), points(0.0182, lang="vi", signed=False)
        ('1.82 points', '1,82 điểm')
    """
    if not _finite(x):
        return MISSING
    return f"{decimal(100 * float(x), digits, lang, signed=signed)} {_POINTS_WORD[lang]}"


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
    signed: bool = True

    def render(self, lang: Language) -> str:
        return points(self.value, self.digits, lang, signed=self.signed)


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


# ---------------------------------------------------------------------------------------------
# Kinds of quantity: the one precision rule of each, for table cells and downloads
# ---------------------------------------------------------------------------------------------
Kind = Literal["rate", "percentage", "points", "count", "decimal", "p_value", "text", "boolean",
               "category"]
"""What a column of a table holds:

* ``rate`` -- a proportion (0-1) shown as a percentage, :data:`RATE_DIGITS` decimals (96,45);
* ``percentage`` -- a number already in per cent (a PAR score of 85.78), the same decimals;
* ``points`` -- a difference of proportions in percentage points, signed (+9,76);
* ``count`` -- a whole number with grouped thousands (22.250);
* ``decimal`` -- any other number (a design effect), 2 decimals unless the column says;
* ``p_value`` -- :func:`p_value`;
* ``text`` -- text from the data (an office name), shown as typed;
* ``boolean`` -- yes / no in words;
* ``category`` -- a code shown by its label (the codebook's, or a message).
"""
KINDS: Final[tuple[str, ...]] = get_args(Kind)
NUMERIC_KINDS: Final = frozenset({"rate", "percentage", "points", "count", "decimal", "p_value"})
DIGITS: Final[Mapping[str, int]] = {"rate": RATE_DIGITS, "percentage": RATE_DIGITS,
                                    "points": RATE_DIGITS, "count": 0, "decimal": 2}
"""Decimals of each numeric kind (a rate has the ministry's two decimals on every page)."""
_SCALE: Final[Mapping[str, float]] = {"rate": 100.0, "points": 100.0}


def unit(kind: str, lang: Language) -> str:
    """The unit a column of ``kind`` states once, in its header: " (%)", " (points)" or "".

    Examples:
        >>> unit("rate", "vi"), unit("points", "en"), unit("count", "en")
        (' (%)', ' (points)', '')
    """
    if kind in ("rate", "percentage"):
        return " (%)"
    if kind == "points":
        return f" ({_POINTS_WORD[check_language(lang)]})"
    return ""


def cell_text(kind: str, value: Any, lang: Language = "en", digits: int | None = None) -> str:
    """One value of a table column of ``kind``, without its unit; "—" when missing.

    Examples:
        >>> cell_text("rate", 0.9645, "vi"), cell_text("points", 0.0976), cell_text("count", 22250.0)
        ('96,45', '+9.76', '22,250')
        >>> cell_text("percentage", 85.78, "vi"), cell_text("p_value", 2e-7), cell_text("rate", None)
        ('85,78', '< 0.0001', '—')
    """
    if kind == "p_value":
        return p_value(value, lang) or MISSING
    if kind == "count":
        return count(value, lang)
    if kind not in DIGITS:
        raise ValueError(f"cell_text formats numbers; {kind!r} is not a numeric kind")
    places = DIGITS[kind] if digits is None else int(digits)
    if not _finite(value):
        return MISSING
    return decimal(float(value) * _SCALE.get(kind, 1.0), places, lang, signed=kind == "points")


def cells(kind: str, values: Any, lang: Language = "en", digits: int | None = None) -> pd.Series:
    """:func:`cell_text` of every value of a column (each distinct value formatted once).

    Examples:
        >>> cells("rate", pd.Series([0.9645, float("nan"), 0.9645]), "vi").tolist()
        ['96,45', '—', '96,45']
    """
    series = pd.Series(values)
    numbers = pd.to_numeric(series, errors="coerce").astype("float64")
    codes, uniques = pd.factorize(numbers, use_na_sentinel=True)
    text = np.array([*[cell_text(kind, u, lang, digits) for u in uniques],
                     cell_text(kind, np.nan, lang, digits)], dtype=object)
    return pd.Series(text[codes], index=series.index, dtype=object)


def interval_text(kind: str, low: Any, high: Any, lang: Language = "en") -> str:
    """An interval of two values of ``kind``: "96,09–96,79"; "+8.83 to +10.72" when signed.

    Examples:
        >>> interval_text("rate", 0.9609, 0.9679, "vi"), interval_text("points", 0.0883, 0.1072)
        ('96,09–96,79', '+8.83 to +10.72')
        >>> interval_text("rate", float("nan"), 0.5)
        '—'
    """
    a, b = cell_text(kind, low, lang), cell_text(kind, high, lang)
    if MISSING in (a, b):
        return MISSING
    return a + interval_separator(kind, lang) + b


def interval_separator(kind: str, lang: Language = "en") -> str:
    """What stands between an interval's limits: an en dash, or " to " between signed limits.

    Examples:
        >>> interval_separator("rate"), interval_separator("points", "vi")
        ('–', ' đến ')
    """
    if kind == "points":
        return _("{low} to {high}").format(low="", high="").render(lang)
    return "–"


def rounded(kind: str, values: Any, digits: int | None = None) -> pd.Series:
    """Numbers of ``kind`` as a page shows them, as numbers (a rate in per cent, 2 decimals):
    what a download holds, so that a spreadsheet shows the page's figures.

    Examples:
        >>> rounded("rate", [0.964512, None]).tolist(), rounded("count", [22250.0]).tolist()
        ([96.45, nan], [22250.0])
    """
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64")
    if kind == "p_value":
        return numbers.round(6)
    if kind not in DIGITS:
        raise ValueError(f"rounded takes a numeric kind, not {kind!r}")
    places = DIGITS[kind] if digits is None else int(digits)
    return (numbers * _SCALE.get(kind, 1.0)).round(places)
