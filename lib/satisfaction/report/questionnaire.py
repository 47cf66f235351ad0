"""A questionnaire change as a reviewer reads it: what changed, and what is compared on what.

The comparison itself is :mod:`satisfaction.questionnaire`; this module words it, once, for
every edition (:mod:`satisfaction.i18n`):

* :func:`summary` -- the change from a baseline year in plain words: items added, dropped,
  reworded (with the codebook's note), whether the overall question (the satisfaction rate's)
  is the same, and which components are compared on their common items;
* :func:`trend_note` -- one sentence per change along a trend (page 02's "across the years");
* :func:`components_html` -- the components whose items changed, compared on their common
  items (:func:`satisfaction.years.component_change`), as a table for one language;
  :func:`components_table` -- the same as a :class:`~satisfaction.report.tables.Table` (every
  edition, downloadable);
* :func:`no_par_table` -- the PAR page of a year without a unit table.

Not for: computing anything (:mod:`satisfaction.questionnaire`, :mod:`satisfaction.years`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import nfc
from ..i18n import Language, Listed, Message, Renderable, _, render
from ..questionnaire import QuestionnaireChange
from .formats import Decimal, Percent, Points, p_value, percent, points
from .tables import Column, Table

__all__ = ["components_html", "components_table", "no_par_table", "review_note", "summary",
           "trend_note"]


class _Fixed:
    """Text from the data (item codes, a codebook note): the same in every language, escaped
    for Markdown and HTML."""

    def __init__(self, text: Any) -> None:
        self.text = str(text)

    def plain(self, lang: Language) -> str:
        """The text as it is (NFC, spaces collapsed), for a caller that escapes it."""
        return " ".join(nfc(self.text).split())

    def render(self, lang: Language) -> str:
        escaped = html.escape(self.plain(lang), quote=False)
        return "".join("\\" + c if c in "\\`*_[]#|" else c for c in escaped)


class _Label:
    """A codebook label (``{vi: ..., en: ...}``) in the edition's language."""

    def __init__(self, spec: Mapping[str, Any], fallback: str) -> None:
        self.spec, self.fallback = spec, fallback

    def plain(self, lang: Language) -> str:
        return _Fixed(self.spec.get(lang) or self.fallback).plain(lang)

    def render(self, lang: Language) -> str:
        return _Fixed(self.spec.get(lang) or self.fallback).render(lang)


class _Quoted:
    """A name in quotation marks (a component label may hold commas)."""

    def __init__(self, inner: Renderable) -> None:
        self.inner = inner

    def render(self, lang: Language) -> str:
        return f"“{render(self.inner, lang)}”"


def _items(names: Sequence[str]) -> _Fixed:
    return _Fixed(", ".join(names))


class _Asked:
    """An item as a reviewer knows it: its code and, when the codebook gives it, its question
    in the edition's language (``a4 ("Online public services easy to reach and use")``)."""

    def __init__(self, q: QuestionnaireChange, item: str) -> None:
        self.q, self.item = q, item

    def render(self, lang: Language) -> str:
        question = self.q.question(self.item, lang)
        return _Fixed(f"{self.item} (\"{question}\")" if question else self.item).render(lang)


def _asked(q: QuestionnaireChange, names: Sequence[str]) -> Listed:
    return Listed([_Asked(q, item) for item in names], "; ", last=False)


class _Reworded:
    """A reworded item with the codebook's note, in the edition's language when it has one."""

    def __init__(self, q: QuestionnaireChange, item: str) -> None:
        self.q, self.item = q, item

    def render(self, lang: Language) -> str:
        note = self.q.note(self.item, lang).rstrip(" .")
        return _Fixed(f"{self.item} ({note})" if note else self.item).render(lang)


def _reworded(q: QuestionnaireChange) -> Listed:
    return Listed([_Reworded(q, item) for item in q.reworded], "; ", last=False)


def _component(q: QuestionnaireChange, name: str, labels: Mapping[str, Mapping[str, Any]]
               ) -> Listed:
    items = q.common_components.get(name, [])
    return Listed([_Label(labels.get(name, {}), name), _Fixed(f"({', '.join(items)})")], " ",
                  last=False)


def summary(q: QuestionnaireChange, labels: Mapping[str, Mapping[str, Any]] | None = None, *,
            components: bool = True) -> list[Message]:
    """The questionnaire change from the baseline year, in plain words.

    Args:
        q: the change (:func:`satisfaction.questionnaire.compare_years`).
        labels: component -> its codebook entry (``vi``, ``en``), for the component names.
        components: also say which components are compared on their common items (the
            page compares components between the years).

    Returns:
        Messages: one line when nothing changed; else what was added, dropped, reworded or
        rescaled, whether the overall question is the same, and (``components``) the
        components compared on their common items.

    Examples:
        >>> from satisfaction.questionnaire import compare
        >>> q = compare(["a1", "a2", "q_overall"], ["a1", "a3", "q_overall"], years=(2031, 2030))
        >>> [m.render("en") for m in summary(q)][:3]
        ['The questionnaire changed from 2030 to 2031.', 'Added in 2031: a2.', 'Dropped after 2030: a3.']
    """
    year, base = (_Fixed(y) for y in q.years)
    if q.same:
        return [_("The questionnaire of {year} is the one of {base}: every question is asked the "
                  "same way in both years.").format(year=year, base=base)]
    out = [_("The questionnaire changed from {base} to {year}.").format(year=year, base=base)]
    if q.added:
        out.append(_("Added in {year}: {items}.").format(year=year, items=_asked(q, q.added)))
    if q.dropped:
        out.append(_("Dropped after {base}: {items}.").format(base=base,
                                                              items=_asked(q, q.dropped)))
    if q.reworded:
        out.append(_("Reworded in {year}, so not compared with {base}: {items}.").format(
            year=year, base=base, items=_reworded(q)))
    if q.rescaled:
        out.append(_("Asked on another answer scale, so not compared: {items}.").format(
            items=_asked(q, q.rescaled)))
    out.append(_overall(q))
    if not components:
        return out
    labels = labels or {}
    compared = [c for c in q.changed_components if c in q.common_components]
    if compared:
        out.append(_("Components whose questions changed are compared with {base} only on the "
                     "questions both years asked the same way: {components}.").format(
            base=base, components=Listed([_component(q, c, labels) for c in compared], "; ",
                                         last=False)))
    lost = [c for c in q.changed_components if c not in q.common_components]
    if lost:
        out.append(_("Not compared with {base}, as no question of theirs was asked the same way "
                     "in both years: {components}.").format(
            base=base, components=Listed([_Label(labels.get(c, {}), c) for c in lost], "; ",
                                         last=False)))
    return out


def review_note(q: QuestionnaireChange, labels: Mapping[str, Mapping[str, Any]] | None = None
                ) -> Message | None:
    """What a questionnaire change means for a review of both years' questionnaires.

    Returns:
        None when no component's questions changed; else one sentence naming those components.

    Examples:
        >>> from satisfaction.questionnaire import compare
        >>> q = compare(["a1", "q_overall"], ["a1", "q_overall"], years=(2031, 2030))
        >>> review_note(q) is None
        True
    """
    changed = q.changed_components
    if not changed:
        return None
    labels = labels or {}
    return _("Each year is reviewed on its own questionnaire. The statistics of {components} "
             "are of different questions in {base} and {year}: they describe each year's "
             "questions, and their difference is not a change in how the same questions "
             "perform.").format(
        components=Listed([_Quoted(_Label(labels.get(c, {}), c)) for c in changed]),
        base=_Fixed(q.years[1]), year=_Fixed(q.years[0]))


def _overall(q: QuestionnaireChange) -> Message:
    year, base = (_Fixed(y) for y in q.years)
    if q.overall_comparable:
        return _("The overall satisfaction question is asked the same way in both years, so the "
                 "satisfaction rates of {base} and {year} compare.").format(year=year, base=base)
    return _("The overall satisfaction question changed between {base} and {year}: the two "
             "satisfaction rates do not measure the same thing.").format(year=year, base=base)


def _what(q: QuestionnaireChange) -> Listed:
    parts = [(q.added, _("added: {items}")), (q.dropped, _("dropped: {items}")),
             (q.reworded, _("reworded: {items}")), (q.rescaled, _("answer scale changed: {items}"))]
    return Listed([m.format(items=_asked(q, names)) for names, m in parts if names], "; ",
                  last=False)


def trend_note(changes: Sequence[QuestionnaireChange]) -> list[Message]:
    """Where the questionnaire changed along a trend, one sentence per change.

    Args:
        changes: the change between each pair of consecutive years of the trend
            (:func:`satisfaction.questionnaire.changes_along`).

    Returns:
        No message for a single year; one sentence when nothing changed; else one per change.

    Examples:
        >>> from satisfaction.questionnaire import compare
        >>> q = compare(["a1", "q_overall"], ["a1", "q_overall"], years=(2031, 2030))
        >>> [m.render("en") for m in trend_note([q])]
        ['The questionnaire did not change between the years shown.']
    """
    if not changes:
        return []
    if all(q.same for q in changes):
        return [_("The questionnaire did not change between the years shown.")]
    out = []
    for q in changes:
        if q.same:
            continue
        year, base = (_Fixed(y) for y in q.years)
        if q.overall_comparable:
            out.append(_("From {base} to {year} the questionnaire changed ({what}); the overall "
                         "satisfaction question stayed the same, so the rates compare.").format(
                year=year, base=base, what=_what(q)))
        else:
            out.append(_("From {base} to {year} the overall satisfaction question changed: the "
                         "rate of {year} does not measure the same thing as the rates before "
                         "it.").format(year=year, base=base))
    return out


def components_html(table: pd.DataFrame, q: QuestionnaireChange,
                    labels: Mapping[str, Mapping[str, Any]], level: float,
                    lang: Language) -> str:
    """The components whose items changed, each compared on its common items, as a table.

    Args:
        table: :func:`satisfaction.years.component_change` of those components.
        q: the questionnaire change.
        labels: component -> its codebook entry (``vi``, ``en``).
        level: the confidence level.
        lang: the edition's language.
    """
    year, base = (_Fixed(y) for y in q.years)
    headers = [_("Component"), _("Questions compared"), _("{year} rate").format(year=base),
               _("{year} rate").format(year=year), _("Change"),
               _("{level} interval").format(level=Percent(level, 0)), _("p"),
               _("Larger than sampling error")]
    rows = []
    for name, r in table.iterrows():  # a few components
        finite = np.isfinite(r.get("change", np.nan))
        rows.append([
            _Label(labels.get(str(name), {}), str(name)),
            _items(q.common_components.get(str(name), [])),
            percent(r["p_base"], lang=lang), percent(r["p_current"], lang=lang),
            points(r["change"], lang=lang) if finite else "—",
            _("{low} to {high}").format(low=Decimal(100 * r["change_low"], 2, signed=True),
                                        high=Points(r["change_high"])) if finite else "—",
            p_value(r["p_value"], lang) if finite else "",
            (_("yes") if r["significant"] else _("no")) if finite else ""])

    def cell(value: Any) -> str:
        plain = getattr(value, "plain", None)
        return html.escape(plain(lang) if callable(plain) else render(value, lang), quote=True)

    head = "".join(f'<th scope="col">{cell(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return (f'<table class="sat-estimates"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


class _Plain:
    """A renderable's plain text (a table escapes it itself)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def render(self, lang: Language) -> str:
        return self.inner.plain(lang)


def components_table(table: pd.DataFrame, q: QuestionnaireChange,
                     labels: Mapping[str, Mapping[str, Any]], level: float) -> Table:
    """The components whose items changed, each compared on its common items (named), as a table.

    Args:
        table: :func:`satisfaction.years.component_change` of those components.
        q: the questionnaire change.
        labels: component -> its codebook entry (``vi``, ``en``).
        level: the confidence level.

    Examples:
        >>> from satisfaction.questionnaire import compare
        >>> q = compare(["a1", "a2", "q_overall"], ["a1", "a3", "q_overall"], years=(2031, 2030))
        >>> t = pd.DataFrame({"p_current": [0.9], "p_base": [0.8], "change": [0.1],
        ...     "change_low": [0.05], "change_high": [0.15], "p_value": [0.001],
        ...     "significant": [True]}, index=["access"])
        >>> d = components_table(t, q, {"access": {"en": "Access", "vi": "Tiếp cận"}}, 0.95)
        >>> print(d.download("en").iloc[:, [0, 2, 3, 4]].to_string(index=False))
        Component  2030 rate (%)  2031 rate (%)  Change (points)
           Access           80.0           90.0             10.0
    """
    year, base = (_Fixed(y) for y in q.years)
    frame = table.rename_axis("component").reset_index()
    frame["name"] = [_Plain(_Label(labels.get(str(c), {}), str(c))) for c in frame["component"]]
    frame["items"] = [", ".join(q.common_components.get(str(c), [])) for c in frame["component"]]
    tested = np.isfinite(pd.to_numeric(frame["change"], errors="coerce").to_numpy(float))
    frame["larger"] = np.where(tested, frame["significant"].fillna(False).astype(bool).to_numpy(),
                               None)
    return Table(frame, [
        Column("name", _("Component")),
        Column("items", _("Questions compared")),
        Column("p_base", _("{year} rate").format(year=base), "rate"),
        Column("p_current", _("{year} rate").format(year=year), "rate"),
        Column("change", _("Change"), "points"),
        Column(("change_low", "change_high"), _("{level} interval").format(
            level=Percent(level, 0)), "points"),
        Column("p_value", _("p-value"), "p_value"),
        Column("larger", _("Larger than sampling error"), "boolean"),
    ], caption=_("Components whose questions changed, compared on the questions both years "
                 "asked the same way"))


def no_par_table(year: Any) -> Message:
    """The PAR page of a year whose params name no unit table, in plain words.

    Examples:
        >>> no_par_table(2031).render("en")[:41]
        '**There is no PAR-index table for 2031.**'
    """
    return _("**There is no PAR-index table for {year}.** Its parameters name none, so this "
             "page has no unit scores, bands or transitions to show. To build it, add the "
             "year's unit table to the raw data and name it in the year's parameters.").format(
                 year=_Fixed(year))
