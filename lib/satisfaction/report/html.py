"""HTML export of an executed notebook: a page a reviewer can read offline, without code.

:func:`export_html` renders an executed notebook with nbconvert's lab look and the package's
own template (``satisfaction/templates/satisfaction``): code cells' inputs and prompts hidden,
images embedded as ``data:`` URIs so a page is one file that can be mailed, no script, font or
style sheet fetched from anywhere (no require.js, MathJax, mermaid or CDN), a table of
contents built from the page's headings, a banner when the data are synthetic, and the
provenance block (:mod:`satisfaction.report.provenance`). Pages are written atomically.

One executed notebook gives every edition of its page (:func:`render_html` with ``lang``): the
outputs displayed in that language are kept (:mod:`satisfaction.report.show`), the page's own
words (:data:`PAGE_TEXT`: navigation, survey year, banner, contents, provenance) come from the
catalogue in that language, ``<html lang>`` says it, and the page links to its other editions.

A notebook with an error output is refused (:class:`ReportError`): a traceback never reaches a
page. Script-like markup that an output lets through unescaped is shown as text
(:func:`neutralise_active_content`). Standard-error streams (warnings, progress bars) stay in the executed notebook and are
left off the page.

Not for: executing notebooks (see :mod:`satisfaction.report.runner`) or the index page
(see :mod:`satisfaction.report.index`).
"""

from __future__ import annotations

import copy
import functools
import html
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from ..codebook import fold
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, SOURCE_LANGUAGE, Language, check_language
from ..io import write_text_atomic
from .pages import EDITION_NAMES, edition_file, index_file
from .provenance import Provenance, provenance_html
from .show import language_of

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
"""The package's nbconvert templates (``satisfaction``) and the index page template."""

TEMPLATE_NAME = "satisfaction"
TOC_PLACEHOLDER = "<!--satisfaction:toc-->"
AUTO = "auto"
"""``index_href`` default: the index of the page's own edition, one folder up."""

PAGE_TEXT = {
    "all_reports": N_("All reports"),
    "survey_year": N_("Survey year"),
    "synthetic_title": N_("Synthetic data — not the ministry's survey."),
    "synthetic_body": N_(
        "The figures on this page come from a generated sample, calibrated to the figures the "
        "ministry published where it published any; they illustrate the method and are not "
        "survey results."),
    "contents": N_("Contents"),
    "editions": N_("This page in another language"),
    "methods": N_("Methods and glossary"),
}
"""The fixed text of every page (the template's words), rendered in the page's language."""
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})
TRACEBACK_MARK = "Traceback (most recent call last)"

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_ICON_VAR = re.compile(r"^\s*--jp-icon-[\w-]+:\s*url\(data:[^)]*\);\s*$", re.MULTILINE)
_HEADING = re.compile(r'<h([1-6]) id="([^"]*)"')
_EXTERNAL_A = re.compile(
    r'<a\b[^>]*\bhref\s*=\s*["\'](?:https?:)?//[^"\']*["\'][^>]*>(.*?)</a>', re.DOTALL | re.IGNORECASE
)
_OFF_MACHINE = re.compile(r"^\s*(?:(?:https?|ftp|wss?|file):|//|\\\\)", re.IGNORECASE)
"""An address that leaves the machine: a network scheme, or protocol-relative."""
_URL_ATTRIBUTES = frozenset({
    "src", "href", "action", "formaction", "poster", "data", "background", "cite", "longdesc",
    "manifest", "codebase", "archive", "ping", "srcset", "xlink:href", "usemap", "lowsrc",
    "dynsrc", "icon", "profile", "imagesrcset",
})
"""The attributes whose value an element fetches or links to."""
_CSS_REF = re.compile(
    r"""@import\s+(?:url\(\s*)?["']?\s*([^\s"')]+)|url\(\s*["']?\s*([^\s"')]+)""",
    re.IGNORECASE,
)
_SCRIPT_REF = re.compile(r"""\bimport\s*\(\s*["']([^"']+)""", re.IGNORECASE)


_ACTIVE_TAG = re.compile(
    r"<(?=\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|base|form|meta|link|"
    r"noscript|template)\b)",
    re.IGNORECASE,
)
_ACTIVE_ATTR = re.compile(
    r"<(?=[a-zA-Z][^<>]*?(?:\son[a-z]+\s*=|(?:href|src|action|formaction|xlink:href)\s*=\s*"
    r"[\"']?\s*(?:javascript|vbscript|data:text/html)))",
    re.IGNORECASE,
)


class ReportError(RuntimeError):
    """A notebook cannot be published as a page (error output, traceback, external resource)."""


def strip_css(css: str) -> str:
    """Drop comments and JupyterLab's icon variables from inlined CSS (size, and no stray URLs).

    Examples:
        >>> strip_css("a { color: red; } /* see https://example.org */")
        'a { color: red; } '
    """
    return _CSS_ICON_VAR.sub("", _CSS_COMMENT.sub("", str(css)))


def notebook_title(nb: NotebookNode, default: str = "Report", lang: str | None = None) -> str:
    """The text of the first level-1 markdown heading of a notebook (``default`` if none).

    Args:
        nb: the notebook.
        default: the title when there is no heading.
        lang: read only the outputs shown in this edition (and those in every language).

    Examples:
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Tỉ lệ hài lòng\\nx")])
        >>> notebook_title(nb)
        'Tỉ lệ hài lòng'
    """
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else [
            o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])
            if lang is None or language_of(o) in (None, lang)
        ]
        for text in texts:
            for line in str(text).splitlines():
                if line.startswith("# "):
                    return unicodedata.normalize("NFC", line[2:].strip())
    return default


def check_publishable(nb: NotebookNode, name: str = "notebook") -> None:
    """Refuse a notebook whose outputs hold an error or a traceback.

    Raises:
        ReportError: naming the first offending cell.

    Examples:
        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1/0", outputs=[
        ...     nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="x", traceback=[])])])
        >>> check_publishable(nb, "demo")
        Traceback (most recent call last):
        ...
        satisfaction.report.html.ReportError: demo: cell 0 has an error output (ZeroDivisionError); a failed notebook gets no page
    """
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise ReportError(
                    f"{name}: cell {index} has an error output ({output.get('ename', '?')}); "
                    "a failed notebook gets no page"
                )
            texts = [output.get("text", "")]
            texts += [v for v in output.get("data", {}).values() if isinstance(v, str)]
            if any(TRACEBACK_MARK in str(t) for t in texts):
                raise ReportError(f"{name}: cell {index} prints a traceback; it cannot be published")


def _publishable_copy(nb: NotebookNode, lang: str | None = None) -> NotebookNode:
    """The notebook as it goes on the page: no removed cells, no stderr, no cell inputs.

    With ``lang``, the outputs displayed in another language
    (:func:`satisfaction.report.show.language_of`) are left out: one edition of the page.
    """
    page = copy.deepcopy(nb)
    cells = []
    for cell in page.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            if tags & REMOVE_OUTPUT_TAGS:
                cell.outputs = []
            cell.outputs = [
                o for o in cell.outputs
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                and (lang is None or language_of(o) in (None, lang))
            ]
        cells.append(cell)
    page.cells = cells
    return page


class _Headings(HTMLParser):
    """Collect (level, id, text) of the headings of a page, anchor links left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str, str]] = []
        self._current: tuple[int, str] | None = None
        self._text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            ident = dict(attrs).get("id")
            if ident:
                self._current, self._text = (int(tag[1]), ident), []
        elif tag == "a" and self._current and "anchor-link" in (dict(attrs).get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._current and tag == f"h{self._current[0]}":
            text = " ".join("".join(self._text).split())
            self.headings.append((self._current[0], self._current[1], text))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current and not self._skip:
            self._text.append(data)


def slug(text: str) -> str:
    """An ASCII anchor for a heading: diacritics dropped, words joined by hyphens.

    Examples:
        >>> slug("Tỉ lệ hài lòng theo cấp & lĩnh vực")
        'ti-le-hai-long-theo-cap-linh-vuc'
        >>> slug("Đắk Lắk"), slug("!!!")
        ('dak-lak', 'section')
    """
    words = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return words or "section"


def _add_toc(body: str, toc_levels: tuple[int, ...] = (1, 2, 3), heading: str = "Contents") -> str:
    """Give headings ASCII ids and put a linked table of contents where the placeholder is."""
    parser = _Headings()
    parser.feed(body)
    seen: dict[str, int] = {}
    renamed: dict[str, str] = {}
    entries: list[tuple[int, str, str]] = []
    for level, old_id, text in parser.headings:
        new_id = slug(text)
        if new_id in seen:
            seen[new_id] += 1
            new_id = f"{new_id}-{seen[new_id]}"
        seen.setdefault(new_id, 0)
        renamed.setdefault(old_id, new_id)
        entries.append((level, renamed[old_id], text))

    def _rename(match: re.Match[str]) -> str:
        return f'<h{match.group(1)} id="{renamed.get(html.unescape(match.group(2)), match.group(2))}"'

    body = _HEADING.sub(_rename, body)
    for old_id, new_id in renamed.items():
        body = body.replace(f'href="#{html.escape(old_id)}"', f'href="#{new_id}"')

    # The first level-1 heading is the page title: the contents list what follows it.
    if entries and entries[0][0] == 1:
        entries = entries[1:]
    items = "".join(
        f'<li class="sat-toc-h{level}"><a href="#{ident}">{html.escape(text)}</a></li>'
        for level, ident, text in entries
        if level in toc_levels
    )
    label = html.escape(heading)
    toc = (
        f'<nav class="sat-toc" aria-label="{label}"><h2>{label}</h2><ol>{items}</ol></nav>'
        if items
        else ""
    )
    return body.replace(TOC_PLACEHOLDER, toc, 1)


def _neutralise_external_links(body: str) -> str:
    """Turn links to other sites into plain text with the address (no request, no tracking)."""

    def _plain(match: re.Match[str]) -> str:
        address = re.search(r'href\s*=\s*["\']([^"\']*)', match.group(0), re.IGNORECASE)
        return (
            f'<span class="sat-extlink">{match.group(1)} '
            f'[{html.escape(address.group(1) if address else "")}]</span>'
        )

    return _EXTERNAL_A.sub(_plain, body)


def neutralise_active_content(body: str) -> str:
    """Show as text any script-like markup inside ``<main>`` (defence in depth).

    Text from the data should arrive escaped (:func:`satisfaction.report.format_estimates`,
    ``DataFrame._repr_html_`` do that; a pandas ``Styler`` does not by default). Whatever slips
    through -- a ``<script>``, ``<iframe>``, ``<form>``... element, an ``on...=`` event
    attribute, a ``javascript:`` link -- has its ``<`` escaped, so the browser shows the
    markup as text instead of running it. The page's own template has none of these.

    Examples:
        >>> neutralise_active_content("<main><td><script>alert(1)</script></td></main>")
        '<main><td>&lt;script>alert(1)&lt;/script></td></main>'
        >>> neutralise_active_content('<main><img src=x onerror="alert(1)"><b>ok</b></main>')
        '<main>&lt;img src=x onerror="alert(1)"><b>ok</b></main>'
    """
    start = body.find("<main>")
    end = body.rfind("</main>")
    if start < 0 or end < start:
        start, end = 0, len(body)
    inner = body[start:end]
    inner = _ACTIVE_ATTR.sub("&lt;", _ACTIVE_TAG.sub("&lt;", inner))
    return body[:start] + inner + body[end:]


class _References(HTMLParser):
    """The addresses a page's elements would fetch or link to: attributes (``src``, ``href``,
    ``srcset``...), inline ``style`` attributes and ``<style>`` sheets (``url()``,
    ``@import``), ``<script>`` imports and ``<meta http-equiv=refresh>``. Text is not looked
    at: a table cell that mentions ``url(https://...)`` is a word, not a fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._inside: str | None = None      # "style" or "script" while in one

    def _css(self, css: str) -> None:
        for match in _CSS_REF.finditer(css):
            address = match.group(1) or match.group(2)
            if _OFF_MACHINE.match(address):
                self.found.append(match.group(0))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self._css(value)
            elif name in _URL_ATTRIBUTES:
                candidates = value.split(",") if name.endswith("srcset") else [value]
                if any(_OFF_MACHINE.match(c) for c in candidates):
                    self.found.append(f'{name}="{value}"')
            elif tag == "meta" and name == "content" and "url=" in value.lower():
                target = value.lower().split("url=", 1)[1]
                if _OFF_MACHINE.match(target.strip("'\" ")):
                    self.found.append(f'content="{value}"')
        if tag in ("style", "script"):
            self._inside = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "style":
            self._css(data)
        elif self._inside == "script":
            self.found += [m.group(0) for m in _SCRIPT_REF.finditer(data)
                           if _OFF_MACHINE.match(m.group(1))]


def external_references(page: str) -> list[str]:
    """Every place a page's elements would fetch or link something off the machine (should
    be empty); words in the text, escaped, are not references.

    Examples:
        >>> external_references('<img src="data:image/png;base64,AA"><a href="#x">x</a>')
        []
        >>> external_references('<script src="https://cdn.example/x.js"></script>')
        ['src="https://cdn.example/x.js"']
        >>> external_references('<td>Công an url(https://evil.example/x) src=//y</td>')
        []
        >>> external_references('<div style="background:url(//evil.example/p.png)">x</div>')
        ['url(//evil.example/p.png']
    """
    parser = _References()
    parser.feed(page)
    parser.close()
    return parser.found


@functools.cache
def _exporter() -> Any:
    """nbconvert's exporter with the package's template (made once a process: templates load)."""
    from nbconvert import HTMLExporter  # heavy: imported when a page is made

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        filters={"strip_css": strip_css},
    )


def _editions(edition_name: str | None, lang: Language) -> list[dict[str, str]]:
    """Links to the other editions of the page (none without the page's file name)."""
    if edition_name is None:
        return []
    return [{"lang": other, "href": edition_file(edition_name, other), "name": EDITION_NAMES[other]}
            for other in LANGUAGES if other != lang]


def render_html(
    nb: NotebookNode,
    *,
    title: str | None = None,
    synthetic: bool = False,
    provenance: Provenance | dict[str, Any] | None = None,
    index_href: str | None = AUTO,
    name: str = "notebook",
    year: int | None = None,
    lang: str | None = None,
    edition_name: str | None = None,
    methods_href: str | None = AUTO,
) -> str:
    """Render an executed notebook as a self-contained reviewer's page.

    Args:
        nb: the executed notebook.
        title: the page title (the notebook's first ``#`` heading if None).
        synthetic: show the synthetic-data banner.
        provenance: the provenance stamp shown at the foot of the page (omitted if None).
        index_href: link back to the index page (none if None; by default the index of the
            same edition one folder up: ``../index.html``, ``../index.en.html``).
        name: how the notebook is named in error messages.
        year: the survey year, stated at the top of the page and in its title.
        lang: the edition: keep the outputs displayed in this language (and those in none) and
            write the page's own words (navigation, banner, contents, provenance) and
            ``<html lang>`` in it; None keeps every output, in English words.
        edition_name: the page's file name without extension (``02_satisfaction``): the page
            links to its other editions (``02_satisfaction.en.html``); None: no such links.
        methods_href: the header's link to the methods and glossary page (by default the one of
            the same edition one folder up, :func:`satisfaction.report.methods.methods_href`:
            ``../methods.html``, ``../methods.en.html``; None: no link).

    Returns:
        The HTML text.

    Raises:
        ReportError: the notebook has an error output or a traceback, or the page would
            reference something off the machine.
    """
    words: Language = check_language(lang) if lang is not None else SOURCE_LANGUAGE
    check_publishable(nb, name)
    page = _publishable_copy(nb, lang)
    exporter = _exporter()
    exporter.language_code = words
    heading = unicodedata.normalize("NFC", title or notebook_title(page))
    if index_href == AUTO:
        index_href = f"../{index_file(lang or DEFAULT_LANGUAGE)}"
    if methods_href == AUTO:
        from .methods import methods_href as _methods_href

        methods_href = _methods_href(check_language(lang or DEFAULT_LANGUAGE))
    resources = {
        "metadata": {"name": f"{heading} ({int(year)})" if year is not None else heading},
        "satisfaction": {
            "year": None if year is None else int(year),
            "synthetic": bool(synthetic),
            "index_href": index_href,
            "methods_href": methods_href,
            "text": {key: text.render(words) for key, text in PAGE_TEXT.items()},
            "editions": _editions(edition_name, words),
            "provenance_html": (provenance_html(provenance, lang=words)
                                if provenance is not None else ""),
        },
    }
    body, _ = exporter.from_notebook_node(page, resources=resources)
    body = _add_toc(neutralise_active_content(_neutralise_external_links(body)),
                    heading=PAGE_TEXT["contents"].render(words))
    outside = external_references(body)
    if outside:
        raise ReportError(f"{name}: the page would reference resources off the machine: {outside[:3]}")
    if TRACEBACK_MARK in body:
        raise ReportError(f"{name}: a traceback would reach the page")
    return body


def export_html(
    notebook: str | Path | NotebookNode,
    html_path: str | Path,
    **options: Any,
) -> Path:
    """Render an executed notebook (file or node) to ``html_path``, atomically.

    Args:
        notebook: the executed ``.ipynb`` (path) or notebook node.
        html_path: where the page goes; the previous page stays if rendering fails.
        **options: passed to :func:`render_html` (``title``, ``synthetic``, ``provenance``,
            ``index_href``, ``name``).

    Returns:
        ``html_path``.

    Raises:
        ReportError: see :func:`render_html`.
    """
    if isinstance(notebook, (str, Path)):
        options.setdefault("name", Path(notebook).name)
        nb = nbformat.read(str(notebook), as_version=4)
    else:
        nb = notebook
    return write_text_atomic(html_path, render_html(nb, **options))
