"""The offline guard of the pages looks at elements, not at words: text from the data is text."""

from __future__ import annotations

import html

import nbformat
import pandas as pd
import pytest

from satisfaction.report.html import ReportError, external_references, render_html

HOSTILE_NAMES = [
    "Công an xã url(https://evil.example/x.png)",
    "Phòng src=//evil.example/a.js href=http://evil.example",
    "@import url('http://evil.example/s.css'); $x^2$",
    '<img src="https://evil.example/p.png">',
]


def _nb(*outputs):
    cell = nbformat.v4.new_code_cell("x", outputs=list(outputs))
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T\n\n## A"), cell])


def _table_output(names):
    table = pd.DataFrame({"office": names, "rate": [96.5] * len(names)})
    shown = table.style.hide(axis="index").format(escape="html").to_html()
    return nbformat.v4.new_output("display_data", data={"text/html": shown, "text/plain": "t"})


def test_office_names_that_mention_addresses_do_not_stop_the_page():
    page = render_html(_nb(_table_output(HOSTILE_NAMES)))
    assert external_references(page) == []
    for name in HOSTILE_NAMES[:3]:
        assert html.escape(name, quote=False) in page or name in html.unescape(page)
    assert '<img src="https://evil.example' not in page


def test_a_real_element_that_fetches_from_elsewhere_still_stops_the_page():
    for markup in ('<img src="https://evil.example/p.png">',
                   '<div style="background: url(//evil.example/p.png)">x</div>',
                   "<style>@import url(https://evil.example/s.css);</style>",
                   '<img srcset="a.png 1x, https://evil.example/b.png 2x">'):
        out = nbformat.v4.new_output("display_data", data={"text/html": markup, "text/plain": "x"})
        with pytest.raises(ReportError, match="off the machine"):
            render_html(_nb(out))
    # a refresh is shown as text by the page (neutralised), and the guard sees it in raw HTML
    refresh = '<meta http-equiv="refresh" content="0; url=https://evil.example/">'
    assert external_references(refresh) == ['content="0; url=https://evil.example/"']


def test_text_is_never_read_as_a_reference():
    text = "<p>url(https://a.example) src=https://b.example @import url(//c.example)</p>"
    assert external_references(text) == []
    assert external_references("<p style=\"color: red\">x</p><a href='../index.html'>i</a>") == []
