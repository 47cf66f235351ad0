"""Text drawn in figures: literal, in Unicode NFC, never interpreted.

Names in figures come from the data (office and province names): a ``$`` must not switch
matplotlib into mathtext, and a name typed in decomposed Unicode must render with its
diacritics. Every plot module draws data text through :func:`literal`, and its titles and
labels (messages rendered in the figure's language) through :func:`drawn`.

Not for: translating or wording labels (the codebook and the report layer do that).
"""

from __future__ import annotations

from typing import Any, overload

from ..codebook import nfc
from ..i18n import Language, Renderable, render

__all__ = ["drawn", "literal"]


def literal(value: Any) -> str:
    """Label text drawn as typed: NFC, and ``$`` escaped so that matplotlib shows it.

    Examples:
        >>> literal("Công an $x$")
        'Công an \\\\$x\\\\$'
    """
    return nfc(str(value)).replace("$", r"\$")


@overload
def drawn(value: None, lang: Language) -> None: ...
@overload
def drawn(value: Renderable | str, lang: Language) -> str: ...
def drawn(value: Renderable | str | None, lang: Language) -> str | None:
    """A title or label in ``lang``, drawn literally (None stays None: no title).

    Examples:
        >>> from satisfaction.i18n import _
        >>> drawn(_("Satisfied"), "vi"), drawn("$5", "en"), drawn(None, "en")
        ('Hài lòng', '\\\\$5', None)
    """
    return None if value is None else literal(render(value, lang))
