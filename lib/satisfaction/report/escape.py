"""Text from the data into HTML: NFC, then escaped, so a name shows as typed and never as markup.

Office and province names, labels and parameters come from files that someone typed: a name like
``<script>`` must show as text, and a name typed in decomposed Unicode must show (and compare)
as the same letters as its precomposed twin. Every page of the report layer writes data text
through :func:`html_text`, as every figure draws it through
:func:`satisfaction.plots.labels.literal`.

Not for: laying out tables or pages (:mod:`satisfaction.report.tables`,
:mod:`satisfaction.report.html`) or writing numbers (:mod:`satisfaction.report.formats`).
"""

from __future__ import annotations

import html
from typing import Any

from ..codebook import nfc

__all__ = ["html_text"]


def html_text(value: Any) -> str:
    """``value`` as HTML text: ``str``, Unicode NFC, then ``& < > " '`` escaped.

    Examples:
        >>> html_text('<b class="x">Hòa & Huế</b>')
        '&lt;b class=&quot;x&quot;&gt;Hòa &amp; Huế&lt;/b&gt;'
        >>> import unicodedata
        >>> html_text(unicodedata.normalize("NFD", "Hòa")) == "Hòa"
        True
    """
    return html.escape(nfc(str(value)), quote=True)
