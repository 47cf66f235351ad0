"""Text drawn in figures: literal, in Unicode NFC, never interpreted.

Names in figures come from the data (office and province names): a ``$`` must not switch
matplotlib into mathtext, and a name typed in decomposed Unicode must render with its
diacritics. Every plot module draws data text through :func:`literal`.

Not for: translating or wording labels (the codebook and the report layer do that).
"""

from __future__ import annotations

from typing import Any

from ..codebook import nfc

__all__ = ["literal"]


def literal(value: Any) -> str:
    """Label text drawn as typed: NFC, and ``$`` escaped so that matplotlib shows it.

    Examples:
        >>> literal("Công an $x$")
        'Công an \\\\$x\\\\$'
    """
    return nfc(str(value)).replace("$", r"\$")
