"""Showing text, tables and figures in every edition's language from one notebook run.

A notebook runs once for both editions of its page. Each function here displays one output
per language of the run (:func:`satisfaction.i18n.output_languages`: Vietnamese and English in
the batch, the default language in JupyterLab), tagged in the output's metadata
(``{"satisfaction": {"lang": "vi"}}``); the page exporter keeps one language per edition
(:func:`language_of`).

* :func:`markdown` -- a message (or several) as Markdown: headings, narrative, verdicts;
* :func:`html` -- HTML built per language;
* :func:`table` -- a reviewer table (:class:`satisfaction.report.tables.Table`);
* :func:`findings` -- the summary of findings at the top of a page, as a list;
* :func:`figure` -- a matplotlib figure built per language, with its alt text (the page's
  ``<img alt>``: the template reads it from the output's metadata).

Converting a page to the two editions (``notebooks/02_satisfaction.ipynb`` is the worked
example): every Markdown cell becomes ``show.markdown(_("## ..."), _("..."))``; every
``display(df)`` becomes ``show.table(Table(df, [Column(key, _("Header"), kind), ...]))`` (or
``estimates_table(...)`` for an estimate table) followed by
``downloads.save_table(P.year, NB, "name", table)`` for the tables worth downloading; every
figure becomes ``show.figure(lambda lang: plot(..., lang=lang), alt=_("what it shows"))``;
every ``print(f"...")`` becomes a message with its numbers as ``Percent``/``Count``/``Points``;
the page opens with ``show.findings([...])`` and ends with
``show.markdown(_("## Tables to download"), downloads.links_markdown(P.year, NB))``.

Not for: wording (the messages, :mod:`satisfaction.i18n`), number formats
(:mod:`satisfaction.report.formats`) or drawing (:mod:`satisfaction.plots`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from ..i18n import Language, Renderable, _, output_languages, render

__all__ = ["META_KEY", "figure", "findings", "html", "language_of", "markdown", "table"]

META_KEY: Final = "satisfaction"
"""The key of an output's metadata that holds its language (and a figure's alt text)."""


def _display(data: Mapping[str, Any], metadata: Mapping[str, Any]) -> None:
    from IPython.display import display

    display(dict(data), raw=True, metadata={META_KEY: dict(metadata)})


def language_of(output: Mapping[str, Any]) -> str | None:
    """The language an output was displayed in (None: the same in every language).

    Examples:
        >>> language_of({"metadata": {"satisfaction": {"lang": "en"}}}), language_of({})
        ('en', None)
    """
    meta = output.get("metadata") or {}
    return (meta.get(META_KEY) or {}).get("lang")


def markdown(*parts: Renderable | str, sep: str = "\n\n") -> None:
    """Display messages as Markdown, once per language (parts joined by blank lines).

    Text from the data inside a message must already be escaped for Markdown/HTML by the
    caller's formatting (the messages themselves are the project's own words).
    """
    for lang in output_languages():
        text = sep.join(render(p, lang) for p in parts)
        _display({"text/markdown": text, "text/plain": text}, {"lang": lang})


def html(build: Callable[[Language], str]) -> None:
    """Display the HTML that ``build(lang)`` returns, once per language."""
    for lang in output_languages():
        content = str(build(lang))
        _display({"text/html": content, "text/plain": "(table)"}, {"lang": lang})


def figure(build: Callable[[Language], Any], alt: Renderable | str) -> None:
    """Display the figure that ``build(lang)`` returns as a PNG, once per language.

    Args:
        build: draws the figure with its labels in ``lang`` (a matplotlib Figure).
        alt: what the figure shows, in words: the image's alt text on the page.
    """
    for lang in output_languages():
        if not render(alt, lang).strip():
            raise ValueError("a figure needs an alt text that says what it shows")
        fig = build(lang)
        if hasattr(fig, "axes"):  # a matplotlib figure: its numbers in the edition's style
            from ..plots import localise_numbers

            localise_numbers(fig, lang)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
        _display({"image/png": buffer.getvalue(), "text/plain": render(alt, lang)},
                 {"lang": lang, "alt": render(alt, lang)})


def table(t: Any) -> None:
    """Display a reviewer table (:class:`~satisfaction.report.tables.Table`), once per language."""
    html(t.html)


def findings(items: Sequence[Renderable | str], heading: Renderable | str | None = None) -> None:
    """Display the summary of findings: a heading ("Summary of findings") and one bullet each.

    Args:
        items: the findings, in plain words (:mod:`satisfaction.report.summary`).
        heading: the heading (a level-2 Markdown heading by default).
    """
    title = heading if heading is not None else _("## Summary of findings")
    markdown(title, _Bullets(items))


class _Bullets:
    """Messages as a Markdown list in every language."""

    def __init__(self, items: Sequence[Renderable | str]) -> None:
        self.items = list(items)

    def render(self, lang: Language) -> str:
        return "\n".join("- " + " ".join(render(i, lang).split("\n")) for i in self.items)
