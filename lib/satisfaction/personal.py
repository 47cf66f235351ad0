"""Personal data in text from the data: what looks like it, and how it is kept out of outputs.

The codebook's personal columns (name, phone, ID number) are read by the cleaning step only to
recognise duplicate respondents and are never written. But a phone or ID number can also sit in
any other column: typed into the office or respondent-id cell by mistake, or shifted there by a
missing field. Every text that leaves the cleaning step (the processed table's text columns, the
quarantine's cells and details, the log, the one-line summary, error messages) goes through
:func:`redact`, which replaces anything that looks like a Vietnamese phone number or a 9- or
12-digit ID number:

* a run of 9 or more digits, with at most two spaces, hyphens or brackets between two digits
  (``0980422302``, ``0980 422 302``, ``(024) 3826 1234``, ``+84 98 042 2302``, a 9-digit CMND,
  a 12-digit CCCD, and any longer run of digits, which may hold one);
* digits grouped by dots, 9 or more in all (``0980.422.302``); a decimal number such as
  ``29667.7967`` has one dot and is left alone.

Dates (``14/09/2020``), weights and office codes are shorter or differently shaped; what is
redacted by mistake is only hidden, never lost (the raw file keeps it).

Not for: the personal columns themselves (the codebook names them; :mod:`satisfaction.clean`
drops them) or escaping HTML (the report layer does).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["REDACTED", "looks_personal", "redact"]

REDACTED = "[redacted]"
"""What a phone or ID number is replaced with."""

_DIGIT_RUN = re.compile(r"\+?\(?\d(?:[ \t\-()\u00a0]{0,2}\d){8,}")
_DOTTED = re.compile(r"\+?\d{1,4}(?:\.\d{1,4}){2,}")


def _dotted(match: re.Match[str]) -> str:
    text = match.group(0)
    return REDACTED if sum(ch.isdigit() for ch in text) >= 9 else text


def redact(text: Any) -> Any:
    """``text`` with every phone- or ID-like number replaced by :data:`REDACTED`.

    Args:
        text: any value; only strings are changed.

    Returns:
        The redacted string (other values as given).

    Examples:
        >>> redact("Trần Văn Hùng 0980 422 302, CCCD 177660420595")
        'Trần Văn Hùng [redacted], CCCD [redacted]'
        >>> redact("0980.422.302"), redact("+84 98 042 2302"), redact("(024) 3826 1234")
        ('[redacted]', '[redacted]', '[redacted]')
        >>> redact("29667.7967"), redact("14/09/2020"), redact("2020-X195-00010"), redact(5)
        ('29667.7967', '14/09/2020', '2020-X195-00010', 5)
    """
    if not isinstance(text, str) or sum(ch.isdigit() for ch in text[:64]) < 9 and len(text) <= 64:
        return text
    return _DOTTED.sub(_dotted, _DIGIT_RUN.sub(REDACTED, text))


def looks_personal(text: Any) -> bool:
    """Whether :func:`redact` would change ``text``.

    Examples:
        >>> looks_personal("Công an xã Yên Lâm"), looks_personal("SĐT: 0912345678")
        (False, True)
    """
    return redact(text) != text
