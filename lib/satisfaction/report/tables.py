"""Every table a reviewer sees: declared by its columns, written in each language of the reports.

A table is a data frame and the list of the columns a reviewer reads (:class:`Column`): the
column's key in the frame, its header (a message, so it has a Vietnamese and an English text)
and the kind of quantity it holds (:data:`satisfaction.report.formats.Kind`: rate, points,
count, decimal, p-value, text, boolean, category). :class:`Table` writes it per language
(:meth:`Table.html`) and as a download (:meth:`Table.download`), by one set of rules:

* the header in words, the unit once in the header (" (%)"), never a column name or an index;
* every number by its kind's rule (:mod:`satisfaction.report.formats`: a rate with two
  decimals everywhere, counts with grouped thousands, Vietnamese 96,45 and 22.250);
* a missing value as "—", a boolean as a word, a category by its label (the codebook's labels
  in each language, or messages);
* text from the data HTML-escaped (:func:`satisfaction.report.escape.html_text`);
* a long table complete, inside a ``<details>`` element that opens on a click and always prints
  (:data:`LONG_TABLE` rows or more); a wide table that wraps when printed (the stylesheet).

:func:`estimates_table` declares an estimate table (``estimate, se, ci_low, ci_high, deff, n,
n_eff``, the domain as index) with the NCHS reliability rules applied
(:func:`satisfaction.reliability.with_flags`): a suppressed cell shows "—" and its reason in a
footnote, never its number; a cell under the disclosure threshold does not even show its count.
:func:`format_estimates` is its HTML in one language.

In a notebook::

    show.table(estimates_table(rates, labels=lambda lang: codebook.labels("level", lang)))

Not for: computing estimates (:mod:`satisfaction.design`), deciding what is reliable
(:mod:`satisfaction.reliability`) or writing the download files (:mod:`.downloads`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from ..i18n import N_, Language, Message, Renderable, _, output_languages, render
from ..reliability import with_flags
from .escape import html_text
from .formats import (
    DIGITS,
    KINDS,
    MISSING,
    NUMERIC_KINDS,
    Count,
    Decimal,
    Percent,
    cells,
    interval_separator,
    rounded,
    unit,
)

__all__ = [
    "DIMENSION_NAMES",
    "DOMAIN_HEADERS",
    "LONG_TABLE",
    "STATUS_LABELS",
    "SUPPRESSED",
    "Column",
    "EstimatesHTML",
    "Labels",
    "Table",
    "TableHTML",
    "estimates_table",
    "format_estimates",
    "label_map",
    "reason_message",
]

SUPPRESSED: Final = MISSING
"""What a suppressed or missing cell shows."""
LONG_TABLE: Final = 40
"""Tables with this many rows or more are shown complete inside a ``<details>`` element."""
_MARKERS: Final = "abcdefghijklmnopqrstuvwxyz"

Labels = Mapping[Any, "Renderable | str"] | Callable[[Language], Mapping[Any, str]]
"""Labels of category codes: a mapping code -> message (or text), or a function of the
language that returns code -> text (``lambda lang: codebook.labels("level", lang)``)."""

YES_NO: Final = (N_("yes"), N_("no"))

DOMAIN_HEADERS: Final[dict[str, Message]] = {
    "domain": N_("Group"),
    "level": N_("Level"),
    "field": N_("Procedure field"),
    "respondent_type": N_("Respondent type"),
    "channel": N_("Channel"),
    "office": N_("Office"),
    "province": N_("Province"),
    "region": N_("Region"),
    "year": N_("Survey year"),
    "component": N_("Component of the service"),
}
"""Headers of the domains an estimate table is indexed by (the index level names)."""

DIMENSION_NAMES: Final[dict[str, Message]] = {
    "level": N_("level"),
    "field": N_("procedure field"),
    "respondent_type": N_("respondent type"),
    "channel": N_("channel"),
    "office": N_("office"),
    "province": N_("province"),
    "region": N_("region"),
    "component": N_("component of the service"),
}
"""The same dimensions as nouns inside a sentence ("Satisfied, by procedure field")."""

STATUS_LABELS: Final[dict[str, Message]] = {
    "reliable": N_("reliable"),
    "flagged": N_("interpret with caution"),
    "suppressed": N_("suppressed"),
}
"""The reliability column of an estimate table, in words."""

_ALL: Final = N_("All respondents")


def label_map(labels: Labels | None, lang: Language) -> dict[Any, str]:
    """Code -> label text in ``lang`` (labels given as messages, texts or a function of the language).

    Examples:
        >>> label_map({"central": _("Level")}, "vi")
        {'central': 'Cấp'}
        >>> label_map(lambda lang: {"x": lang.upper()}, "en"), label_map(None, "vi")
        ({'x': 'EN'}, {})
    """
    if labels is None:
        return {}
    chosen = labels(lang) if callable(labels) and not isinstance(labels, Mapping) else labels
    return {code: render(text, lang) for code, text in chosen.items()}


class TableHTML(str):
    """HTML text that Jupyter displays as a table (and that stays a plain ``str`` otherwise)."""

    def _repr_html_(self) -> str:
        return str(self)


EstimatesHTML = TableHTML
"""The HTML of :func:`format_estimates` (the name it has always had)."""


@dataclass(frozen=True)
class Column:
    """One column a reviewer reads: where its values are, its header, its kind.

    Args:
        key: the frame's column (or index level) holding the values; for an interval, the
            pair ``(low, high)`` (numeric kinds only): one cell "96,09–96,79".
        header: the header, a message (or a plain text for a year, a name from the data).
        kind: what the column holds (:data:`satisfaction.report.formats.Kind`).
        labels: a category's labels (:data:`Labels`); codes without a label show as typed.
        words: a boolean's words (yes / no by default).
        digits: the decimals of a ``decimal`` column (2 by default); the other kinds have one
            rule each (:data:`satisfaction.report.formats.DIGITS`) and take none.
        unit: state the kind's unit in the header (" (%)", " (points)").
        missing: what a missing value shows ("—").
        marker: a column of the frame holding each row's footnote marker ("a"), written as a
            superscript after the cell (see :class:`Table`'s ``footnotes``).
        on_page: False: in the download only (a reason in words, say).
        nowrap: keep each cell on one line (short words such as a reliability status).

    Raises:
        ValueError: an unknown kind, digits for a kind that has its own rule, an interval of
            a kind that is not numeric.

    Examples:
        >>> Column("estimate", _("Satisfied"), "rate").header_text("vi")
        'Hài lòng (%)'
        >>> Column("estimate", "x", "rate", digits=1)
        Traceback (most recent call last):
        ValueError: a rate column has the rule of its kind (2 decimals); digits is for decimal columns
    """

    key: str | tuple[str, str]
    header: Renderable | str
    kind: str = "text"
    labels: Labels | None = None
    words: tuple[Renderable | str, Renderable | str] = YES_NO
    digits: int | None = None
    unit: bool = True
    missing: Renderable | str = MISSING
    marker: str | None = None
    on_page: bool = True
    nowrap: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; a column holds one of {', '.join(KINDS)}")
        if self.digits is not None and self.kind != "decimal":
            rule = f"{DIGITS[self.kind]} decimals" if self.kind in DIGITS else "no decimals"
            raise ValueError(f"a {self.kind} column has the rule of its kind ({rule}); digits is "
                             "for decimal columns")
        if isinstance(self.key, tuple) and (len(self.key) != 2 or self.kind not in NUMERIC_KINDS
                                            or self.kind in ("p_value", "count")):
            raise ValueError(f"an interval column needs (low, high) of a rate, percentage, points "
                             f"or decimal kind, got {self.key!r} of kind {self.kind!r}")

    @property
    def keys(self) -> tuple[str, ...]:
        """The frame columns this column reads."""
        return self.key if isinstance(self.key, tuple) else (self.key,)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def header_text(self, lang: Language) -> str:
        """The header in ``lang``, with the unit of its kind."""
        return render(self.header, lang) + (unit(self.kind, lang) if self.unit else "")

    def texts(self, frame: pd.DataFrame, lang: Language) -> pd.Series:
        """The column's cells as plain text in ``lang`` (not yet HTML-escaped)."""
        if isinstance(self.key, tuple):
            low, high = (cells(self.kind, frame[k], lang, self.digits) for k in self.key)
            sep = interval_separator(self.kind, lang)
            both = ((low != MISSING) & (high != MISSING)).to_numpy()
            return pd.Series(np.where(both, low + sep + high, render(self.missing, lang)),
                             index=frame.index, dtype=object)
        values = frame[self.key]
        missing = render(self.missing, lang)
        if self.numeric:
            out = cells(self.kind, values, lang, self.digits)
            return out.where(out != MISSING, missing)
        if self.kind == "boolean":
            yes, no = (render(w, lang) for w in self.words)
            known = values.notna().to_numpy()
            flag = values.fillna(False).astype(bool).to_numpy()
            return pd.Series(np.where(~known, missing, np.where(flag, yes, no)), index=frame.index,
                             dtype=object)
        names = label_map(self.labels, lang)
        known = values.notna().to_numpy()
        texts = values.astype(object).map(lambda v: names.get(v, v), na_action="ignore")
        texts = texts.map(lambda v: render(v, lang), na_action="ignore")
        return pd.Series(np.where(known, texts, missing), index=frame.index, dtype=object)

    def download(self, frame: pd.DataFrame, lang: Language) -> dict[str, pd.Series]:
        """The column as a download holds it: header -> values (numbers as numbers, rounded as
        the page shows them; an interval as its two limits)."""
        header = self.header_text(lang)
        if isinstance(self.key, tuple):
            low, high = (rounded(self.kind, frame[k], self.digits) for k in self.key)
            return {
                render(_("{column}: lower limit").format(column=header), lang): low,
                render(_("{column}: upper limit").format(column=header), lang): high,
            }
        if self.kind in DIGITS:
            return {header: rounded(self.kind, frame[self.key], self.digits)}
        if self.kind == "p_value":
            return {header: rounded("p_value", frame[self.key])}
        texts = self.texts(frame, lang)
        return {header: texts.where(texts != render(self.missing, lang), None)}


@dataclass(frozen=True)
class Table:
    """A table as reviewers read it: a frame, the columns shown, a caption and notes.

    Args:
        frame: the data; the index levels are columns too (by their names), but only the
            declared columns are shown: no row numbers, no stray index.
        columns: the columns, in order.
        caption: a caption above the table (a message).
        notes: sentences under the table (messages).
        footnotes: marker -> note, for the markers the columns' ``marker`` put in cells.
        row_class: a column of the frame with a CSS class per row (``sat-suppressed``...).
        long_rows: from this many rows the table is shown inside ``<details>``.
        title: what the table is, for a download (its sheet and the README); the caption if
            None.

    Examples:
        >>> t = Table(pd.DataFrame({"office": ["<b>Huế</b>"], "rate": [0.9645], "n": [1234]}),
        ...           [Column("office", _("Office")), Column("rate", _("Satisfied"), "rate"),
        ...            Column("n", _("Respondents"), "count")])
        >>> html = t.html("vi")
        >>> "<th scope=\\"col\\">Đơn vị</th>" in html, "96,45" in html, "1.234" in html
        (True, True, True)
        >>> "&lt;b&gt;Huế&lt;/b&gt;" in html, "<b>" in html
        (True, False)
        >>> t.download("en").to_dict("records")
        [{'Office': '<b>Huế</b>', 'Satisfied (%)': 96.45, 'Respondents': 1234.0}]
    """

    frame: pd.DataFrame
    columns: Sequence[Column]
    caption: Renderable | str | None = None
    notes: Sequence[Renderable | str] = ()
    footnotes: Mapping[str, Renderable | str] = field(default_factory=dict)
    row_class: str | None = None
    long_rows: int = LONG_TABLE
    title: Renderable | str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise TypeError(f"a Table needs a DataFrame, not {type(self.frame).__name__}")
        data = _with_index_columns(self.frame, {k for c in self.columns for k in c.keys}
                                   | {c.marker for c in self.columns if c.marker}
                                   | ({self.row_class} if self.row_class else set()))
        absent = sorted({k for c in self.columns for k in c.keys} - set(data.columns), key=str)
        if absent:
            raise ValueError(f"no column(s) {', '.join(map(str, absent))} in the table "
                             f"(it has {', '.join(map(str, data.columns))})")
        object.__setattr__(self, "frame", data)
        object.__setattr__(self, "columns", tuple(self.columns))

    def __len__(self) -> int:
        return len(self.frame)

    def html(self, lang: Language) -> TableHTML:
        """The table in ``lang``: HTML, every text escaped, complete however long."""
        shown = [c for c in self.columns if c.on_page]
        head = "".join(f'<th scope="col"{_num(c)}>{html_text(c.header_text(lang))}</th>'
                       for c in shown)
        rows = pd.Series("", index=self.frame.index, dtype=object)
        for i, column in enumerate(shown):
            text = column.texts(self.frame, lang).map(html_text)
            if column.marker:
                marks = self.frame[column.marker].fillna("").astype(str)
                text = text + marks.map(lambda m: f'<sup class="sat-marker">{html_text(m)}</sup>'
                                        if m else "")
            tag = "th" if i == 0 and not column.numeric else "td"
            scope = ' scope="row"' if tag == "th" else ""
            rows = rows + f"<{tag}{scope}{_num(column)}>" + text + f"</{tag}>"
        if self.row_class:
            classes = self.frame[self.row_class].fillna("").astype(str).map(html_text)
            rows = '<tr class="' + classes + '">' + rows + "</tr>"
        else:
            rows = "<tr>" + rows + "</tr>"
        cap = (f"<caption>{html_text(render(self.caption, lang))}</caption>"
               if self.caption is not None else "")
        table = (f'<table class="sat-table sat-estimates">{cap}<thead><tr>{head}</tr></thead>'
                 f"<tbody>{''.join(rows.tolist())}</tbody></table>")
        notes = "".join(
            f'<p><sup class="sat-marker">{html_text(m)}</sup> {html_text(render(n, lang))}</p>'
            for m, n in self.footnotes.items()
        ) + "".join(f"<p>{html_text(render(n, lang))}</p>" for n in self.notes)
        foot = f'<div class="sat-footnotes">{notes}</div>' if notes else ""
        body = f'<div class="sat-table-wrap">{table}</div>{foot}'
        if len(self.frame) >= self.long_rows:
            summary = _("Show the whole table ({n} rows)").format(n=Count(len(self.frame)))
            what = render(self.caption, lang) + ": " if self.caption is not None else ""
            body = (f'<details class="sat-long"><summary>{html_text(what)}'
                    f"{html_text(render(summary, lang))}</summary>{body}</details>")
        return TableHTML(f'<div class="sat-table-block">{body}</div>')

    def download(self, lang: Language) -> pd.DataFrame:
        """The table as a download holds it: headers in ``lang``, numbers as numbers rounded
        as on the page, words for categories and booleans, "" for a missing value."""
        parts: dict[str, pd.Series] = {}
        for column in self.columns:
            for header, values in column.download(self.frame, lang).items():
                parts[header] = pd.Series(values).reset_index(drop=True)
        return pd.DataFrame(parts)

    def _repr_html_(self) -> str:
        return str(self.html(output_languages()[0]))


def _num(column: Column) -> str:
    """The class of a column's cells: numbers right-aligned, with their kind (``sat-k-rate``)."""
    if column.numeric:
        return f' class="sat-num sat-k-{column.kind}"'
    return ' class="sat-nowrap"' if column.nowrap else ""


def _with_index_columns(frame: pd.DataFrame, wanted: set[Any]) -> pd.DataFrame:
    """``frame`` with the index levels that ``wanted`` names as columns (the rest dropped)."""
    names = [n for n in frame.index.names if n is not None and n in wanted
             and n not in frame.columns]
    data = frame.reset_index(level=names) if names else frame
    return data.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Reliability reasons in words
# ---------------------------------------------------------------------------------------------
def _percent_word(text: str) -> Any:
    return "∞" if text == "inf" else Percent(int(text) / 100, 0)


_REASONS: Final[list[tuple[re.Pattern[str], Message, Callable[[re.Match[str]], dict]]]] = [
    (re.compile(r"fewer than (\d+) respondents \(disclosure\)"),
     N_("fewer than {k} respondents: never shown (disclosure rule)"),
     lambda m: {"k": Count(int(m[1]))}),
    (re.compile(r"no estimate"), N_("no estimate"), lambda m: {}),
    (re.compile(r"effective sample size ([\d.]+|nan) < 30"),
     N_("effective sample size {n} < 30"), lambda m: {"n": Decimal(float(m[1]), 1)}),
    (re.compile(r"no confidence interval \(0 degrees of freedom: the domain lies within one PSU\)"),
     N_("no confidence interval: the group lies within one office (primary sampling unit), "
        "0 degrees of freedom"), lambda m: {}),
    (re.compile(r"no confidence interval"), N_("no confidence interval"), lambda m: {}),
    (re.compile(r"CI width (\d+) % >= 30 %"),
     N_("confidence interval {w} points wide: 30 points or more"),
     lambda m: {"w": Decimal(float(m[1]), 0)}),
    (re.compile(r"relative CI width (\d+ %|inf) > 130 %"),
     N_("relative width of the confidence interval {w} > 130 %"),
     lambda m: {"w": _percent_word(m[1].removesuffix(" %"))}),
    (re.compile(r"degrees of freedom (\S+) < 8 \(statistical review\)"),
     N_("{df} degrees of freedom < 8 (statistical review)"),
     lambda m: {"df": Decimal(float(m[1]) if m[1] != "<NA>" else np.nan, 0)}),
    (re.compile(r"estimate of (\d+ %|inf) \(statistical review\)"),
     N_("estimate of {p} (statistical review)"),
     lambda m: {"p": _percent_word(m[1].removesuffix(" %"))}),
    (re.compile(r"complement's relative CI width inf > 130 % \(footnote\)"),
     N_("the complement (not satisfied) is estimated at 0 %: its interval has no finite "
        "relative width"), lambda m: {}),
    (re.compile(r"complement's relative CI width (\d+ %|inf) > 130 % \(footnote\)"),
     N_("relative width of the interval of the complement (not satisfied) {w} > 130 %"),
     lambda m: {"w": _percent_word(m[1].removesuffix(" %"))}),
]


class _Joined:
    """Reasons joined by "; " in every language."""

    def __init__(self, parts: Sequence[Renderable | str]) -> None:
        self.parts = list(parts)

    def render(self, lang: Language) -> str:
        return "; ".join(render(p, lang) for p in self.parts)


def reason_message(reason: str) -> Renderable:
    """A reliability reason of :func:`satisfaction.reliability.nchs_flags` in words, per language.

    Reasons are joined by "; "; a reason this function does not know is kept as written.

    Examples:
        >>> r = reason_message("degrees of freedom 4 < 8 (statistical review); "
        ...                    "complement's relative CI width 197 % > 130 % (footnote)")
        >>> print(r.render("en"))
        4 degrees of freedom < 8 (statistical review); relative width of the interval of the complement (not satisfied) 197 % > 130 %
        >>> print(reason_message("effective sample size 25.0 < 30").render("vi"))
        cỡ mẫu hiệu dụng 25,0 < 30
    """
    parts: list[Renderable | str] = []
    for text in (p.strip() for p in str(reason).split(";")):
        if not text:
            continue
        for pattern, message, values in _REASONS:
            match = pattern.fullmatch(text)
            if match:
                parts.append(message.format(**values(match)))
                break
        else:
            parts.append(text)
    return _Joined(parts)


# ---------------------------------------------------------------------------------------------
# Estimate tables
# ---------------------------------------------------------------------------------------------
def _reliability(flagged: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Status, marker and reason per row, and marker -> reason (in order of first appearance)."""
    suppressed = flagged["suppressed"].fillna(True).astype(bool).to_numpy()
    is_flagged = flagged["flagged"].fillna(False).astype(bool).to_numpy() & ~suppressed
    reasons = flagged["flag_reason"].fillna("").astype(str).map(lambda r: " ".join(r.split()))
    needs_note = suppressed | is_flagged
    reasons = reasons.where(needs_note, "")
    reasons[needs_note & (reasons == "").to_numpy()] = "did not meet the reliability standard"
    distinct = list(dict.fromkeys(reasons[needs_note]))
    marker_of = {reason: _MARKERS[i % len(_MARKERS)] * (1 + i // len(_MARKERS))
                 for i, reason in enumerate(distinct)}
    status = np.where(suppressed, "suppressed", np.where(is_flagged, "flagged", "reliable"))
    words = {r: reason_message(r) if r != "did not meet the reliability standard"
             else _("did not meet the reliability standard") for r in distinct}
    out = pd.DataFrame({
        "status": status,
        "marker": reasons.map(lambda r: marker_of.get(r, "")).to_numpy(),
        "reason": reasons.map(lambda r: words[r] if r else "").to_numpy(),
        "row_class": np.where(suppressed, "sat-suppressed",
                              np.where(is_flagged, "sat-flagged", "sat-ok")),
    }, index=flagged.index)
    return out, {marker_of[r]: words[r] for r in distinct}


class _ReasonColumn(Column):
    """The reason of a row in words (the reason cells are messages, rendered per language)."""

    def texts(self, frame: pd.DataFrame, lang: Language) -> pd.Series:
        return frame[self.key].map(lambda r: render(r, lang) if r else MISSING)  # type: ignore[index]


def estimates_table(
    table: pd.DataFrame,
    *,
    labels: Labels | None = None,
    headers: Mapping[str, Renderable | str] | None = None,
    caption: Renderable | str | None = None,
    title: Renderable | str | None = None,
    percent: bool = True,
    disclosure_threshold: int = 10,
    confidence: float = 0.95,
    estimate_header: Renderable | str | None = None,
) -> Table:
    """An estimate table as reviewers read it, reliability rules applied.

    Args:
        table: an estimate table (``estimate, se, ci_low, ci_high, deff, n, n_eff``; the
            domain as index, possibly several levels, each named). Proportions on 0-1.
        labels: labels of the domain codes (:data:`Labels`; ``"all"`` reads "All respondents").
        headers: the header of each index level (defaults: :data:`DOMAIN_HEADERS`).
        caption: a caption above the table.
        title: what the table is, for its download (the caption if None).
        percent: the estimates are proportions (rates with their interval, SE in points, the
            NCHS rules); otherwise other numbers (2 decimals, the disclosure rule only).
        disclosure_threshold: cells with fewer respondents are suppressed, their count hidden.
        confidence: the confidence level of the intervals, for the header.
        estimate_header: the header of the estimate column ("Satisfied" for a rate).

    Returns:
        A :class:`Table` (``.html(lang)`` for a page, ``.download(lang)`` for a file).

    Raises:
        ValueError: a column of the estimate table is missing, or an index level has no name
            and no header.

    Examples:
        >>> t = pd.DataFrame({"estimate": [0.9645, 0.5], "se": [0.004, 0.2], "ci_low": [0.956, 0.1],
        ...     "ci_high": [0.972, 0.9], "deff": [2.1, 1.0], "n": [22250, 4], "n_eff": [10595.2, 4.0]},
        ...     index=pd.Index(["<b>Hà Nội</b>", "Huế"], name="province"))
        >>> page = estimates_table(t).html("vi")
        >>> "96,45" in page, "95,60–97,20" in page, "&lt;b&gt;Hà Nội&lt;/b&gt;" in page, "<b>" in page
        (True, True, True, False)
        >>> "&lt; 10" in page, "50,00" in page  # the small cell: neither its count nor its rate
        (True, False)
        >>> estimates_table(t).download("en").iloc[:, :4].to_dict("records")[0]
        {'Province': '<b>Hà Nội</b>', 'Satisfied (%)': 96.45, '95 % confidence interval (%): lower limit': 95.6, '95 % confidence interval (%): upper limit': 97.2}
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"estimates_table needs a DataFrame, not {type(table).__name__}")
    flagged = with_flags(table, disclosure_threshold, proportions=percent)
    reliability, footnotes = _reliability(flagged, disclosure_threshold)
    suppressed = (reliability["status"] == "suppressed").to_numpy()
    numbers = flagged[["estimate", "se", "ci_low", "ci_high", "deff", "n_eff"]].apply(
        pd.to_numeric, errors="coerce").astype("float64")
    numbers[suppressed] = np.nan
    n = pd.to_numeric(flagged["n"], errors="coerce").astype("float64")
    numbers["n"] = n.where(n >= disclosure_threshold)
    frame = pd.concat([numbers.reset_index(drop=True), reliability.reset_index(drop=True)], axis=1)
    domain = _domain_columns(flagged.index, labels, headers)
    for i, name in enumerate(domain):
        frame.insert(i, name.key, flagged.index.get_level_values(i).to_numpy())  # type: ignore[arg-type]
    kind = "rate" if percent else "decimal"
    level = Percent(confidence, 0)
    columns = [
        *domain,
        Column("estimate", estimate_header or (_("Satisfied") if percent else _("Estimate")),
               kind),
        Column(("ci_low", "ci_high"), _("{level} confidence interval").format(level=level), kind),
        Column("se", _("Standard error (points)") if percent else _("Standard error"), kind,
               unit=False),
        Column("deff", _("Design effect"), "decimal"),
        Column("n", _("Respondents (n)"), "count",
               missing=_("< {k}").format(k=Count(disclosure_threshold))),
        Column("n_eff", _("Effective sample size"), "count"),
        Column("status", _("Reliability"), "category", labels=STATUS_LABELS, marker="marker",
               nowrap=True),
        _ReasonColumn("reason", _("Reliability note"), on_page=False),
    ]
    notes: list[Renderable] = []
    if suppressed.any():
        notes.append(_("— suppressed: the estimate is not shown. Cells with fewer than {k} "
                       "respondents are never shown, not even their count.").format(
                           k=Count(disclosure_threshold)))
    return Table(frame, columns, caption=caption, notes=notes, footnotes=footnotes,
                 row_class="row_class", title=title)


def _domain_columns(index: pd.Index, labels: Labels | None,
                    headers: Mapping[str, Renderable | str] | None) -> list[Column]:
    chosen = {**DOMAIN_HEADERS, **(headers or {})}
    given = labels

    def with_all(lang: Language) -> dict[Any, str]:
        return {"all": render(_ALL, lang), **label_map(given, lang)}

    columns = []
    for i, name in enumerate(index.names):
        if name is None or name not in chosen:
            raise ValueError(
                f"index level {i} ({name!r}) has no header: name it (table.rename_axis(...)) "
                f"and give headers={{name: _('...')}} unless it is one of {sorted(DOMAIN_HEADERS)}")
        columns.append(Column(f"__domain_{i}", chosen[name], "category", labels=with_all))
    return columns


def format_estimates(table: pd.DataFrame, *, lang: Language = "en", **options: Any) -> TableHTML:
    """An estimate table as HTML in one language: :func:`estimates_table` (same options)
    written by :meth:`Table.html`.

    Examples:
        >>> t = pd.DataFrame({"estimate": [0.9645], "se": [0.004], "ci_low": [0.956],
        ...     "ci_high": [0.972], "deff": [2.1], "n": [22250], "n_eff": [10595.2]},
        ...     index=pd.Index(["all"], name="domain"))
        >>> "All respondents" in format_estimates(t), "Tất cả người trả lời" in format_estimates(t, lang="vi")
        (True, True)
    """
    return estimates_table(table, **options).html(lang)
