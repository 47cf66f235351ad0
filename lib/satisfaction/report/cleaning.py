"""The cleaning step as a reviewer reads it: rows read, kept and quarantined, in both languages.

Page ``01_clean`` shows what the cleaning step (:mod:`satisfaction.clean`) did to a year's raw
file. The step writes a log (:attr:`satisfaction.clean.CleanResult.log`, saved as
``clean_log.json``) and a count of the item answers that are not on the answer scale
(``item_missing``); this module words them, once, for every edition
(:mod:`satisfaction.i18n`; numbers through :mod:`satisfaction.report.formats`):

* :func:`findings` -- the summary first: rows read, kept and quarantined and why, cells
  repaired, item answers set to missing, the office list;
* :func:`source_sentences` -- the raw file: its format, encoding, lines, the office list and
  any warning of the step;
* :func:`rows_table`, :func:`reasons_table`, :func:`repairs_table`, :func:`items_table` -- the
  page's tables (:class:`~satisfaction.report.tables.Table`: headers in words, reason codes as
  words, items with their wording from the year's codebook, counts with grouped thousands);
* :data:`REASONS`, :data:`REPAIRS` -- the quarantine reasons and the kinds of repair in words.

Not for: cleaning (:mod:`satisfaction.clean`) or drawing (:mod:`satisfaction.plots`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from ..codebook import Codebook
from ..i18n import N_, Fixed, Language, Listed, Message, Renderable, _, render
from .formats import Count, Percent
from .tables import DOMAIN_HEADERS, Column, Table

__all__ = [
    "COLUMN_NAMES",
    "FORMATS",
    "ITEM_STATUS",
    "REASONS",
    "REPAIRS",
    "column_labels",
    "findings",
    "items_table",
    "reason_labels",
    "reasons_table",
    "repairs_table",
    "rows_table",
    "source_sentences",
]

REASONS: Final[dict[str, Message]] = {
    "extra_fields": N_("more fields than the header"),
    "missing_fields": N_("fewer fields than the header"),
    "unbalanced_quote": N_("a quotation mark opened and never closed"),
    "missing_respondent_type": N_("respondent type left blank"),
    "invalid_respondent_type": N_("respondent type not in the questionnaire"),
    "missing_level": N_("level left blank"),
    "invalid_level": N_("level not in the questionnaire"),
    "missing_province": N_("province left blank"),
    "invalid_province": N_("province not in the list of provinces"),
    "missing_field": N_("procedure field left blank"),
    "invalid_field": N_("procedure field not in the questionnaire"),
    "missing_channel": N_("channel left blank"),
    "invalid_channel": N_("channel not in the questionnaire"),
    "office_unknown": N_("office code and office name not in the office list"),
    "office_conflict": N_("office name belongs to another office than the office code"),
    "missing_stratum": N_("stratum left blank, with no office list to fill it"),
    "invalid_weight": N_("weight missing or not a positive number"),
    "ambiguous_weight": N_("weight written with separators the year's settings do not declare"),
    "invalid_overall": N_("overall satisfaction answer off the answer scale or unreadable"),
    "duplicate_exact": N_("exact copy of an earlier row"),
    "duplicate_near": N_("the same respondent as an earlier row (the same form number, or the "
                         "same person about the same office and field)"),
}
"""Each quarantine reason of :data:`satisfaction.clean.REASONS`, in words."""

REPAIRS: Final[dict[str, Message]] = {
    "nfc_normalised": N_("Letters normalised (Unicode NFC)"),
    "spaces_trimmed": N_("Stray spaces removed"),
    "labels_mapped_to_codes": N_("Labels read as codes"),
    "filled_from_office_name": N_("Filled in from the office name"),
    "filled_from_office_code": N_("Filled in from the office code"),
    "filled_from_office_list": N_("Filled in from the office list"),
    "canonicalised": N_("Spelled as in the office list"),
    "unreadable_to_missing": N_("Unreadable, set to missing"),
    "invalid_to_missing": N_("Invalid, set to missing"),
}
"""Each kind of cell repair the cleaning log counts, in words (a table header)."""

_REPAIR_WORDS: Final[dict[str, Message]] = {
    "nfc_normalised": N_("letters normalised to Unicode NFC"),
    "spaces_trimmed": N_("stray spaces"),
    "filled_from_office_name": N_("office codes filled in from the office name"),
    "filled_from_office_code": N_("office names filled in from the office code"),
    "filled_from_office_list": N_("cells filled in from the office list"),
    "canonicalised": N_("office names spelled another way"),
    "unreadable_to_missing": N_("unreadable cells set to missing"),
    "invalid_to_missing": N_("invalid cells set to missing"),
}
"""The same kinds in a sentence (the summary names only the kinds that occurred)."""

COLUMN_NAMES: Final[dict[str, Message]] = {
    **{k: DOMAIN_HEADERS[k] for k in ("level", "field", "respondent_type", "channel",
                                      "province")},
    "office": N_("Office name"),
    "office_code": N_("Office code"),
    "respondent_id": N_("Form number"),
    "stratum": N_("Stratum"),
    "weight": N_("Weight"),
    "interview_date": N_("Interview date"),
    "duration_sec": N_("Interview duration (seconds)"),
}
"""The processed table's columns that are not questionnaire items, in words."""

FORMATS: Final[dict[str, Message]] = {
    "csv": N_("a CSV text file"),
    "xlsx": N_("an Excel workbook"),
    "sav": N_("an SPSS data file"),
    "dta": N_("a Stata data file"),
    "parquet": N_("a Parquet file"),
}
"""The raw file's format, in words."""

ITEM_STATUS: Final[dict[str, Message]] = {
    "dont_know": N_("Don't know"),
    "refused": N_("Refused"),
    "user_missing": N_("Other missing-value codes"),
    "blank": N_("Blank"),
    "out_of_range": N_("Code off the scale"),
    "unreadable": N_("Unreadable"),
}
"""The item answers that become missing values, as :func:`satisfaction.clean.parse_likert`
counts them (table headers)."""


_READING: Final = "labels_mapped_to_codes"
"""The "repair" that is the ordinary reading of a category written as its label."""


def _words(code: Any) -> str:
    """A code nobody has worded yet, at least without underscores."""
    return str(code).replace("_", " ")


def reason_labels(lang: Language, width: int = 0, brief: bool = False) -> dict[str, str]:
    """Quarantine reason code -> words in ``lang`` (a table's or figure's ``labels``).

    Args:
        lang: the language.
        width: wrap the words into lines of this many characters (a figure's labels); 0: one
            line.
        brief: leave out a closing parenthesis of detail (a figure's labels; the table keeps
            it).

    Examples:
        >>> reason_labels("en")["extra_fields"]
        'more fields than the header'
        >>> print(reason_labels("en", width=20)["extra_fields"])
        more fields than the
        header
        >>> reason_labels("en", brief=True)["duplicate_near"]
        'the same respondent as an earlier row'
    """
    import re
    import textwrap

    words = {code: render(text, lang) for code, text in REASONS.items()}
    if brief:
        words = {code: re.sub(r"\s*\([^()]*\)$", "", w) for code, w in words.items()}
    return {code: textwrap.fill(w, width) for code, w in words.items()} if width else words


def _reason(code: Any) -> Renderable | str:
    return REASONS.get(str(code), _words(code))


def _item_code(codebook: Codebook, item: str, lang: Language) -> str:
    """An item's code ("a1"), or "Overall question" for the overall item (its code is a name
    with an underscore, not a questionnaire number)."""
    return render(_("Overall question"), lang) if item == codebook.overall_item else str(item)


def _item_wording(codebook: Codebook, item: str, lang: Language) -> str:
    column = codebook.columns.get(item)
    spec = column.spec if column is not None else {}
    return str(spec.get(lang) or spec.get("en") or item)


def column_labels(codebook: Codebook) -> Any:
    """Column -> its name in words, per language: an item by its code and wording from the
    year's codebook ("a1 — The office is easy to find and reach"), other columns by
    :data:`COLUMN_NAMES`.

    Examples:
        >>> from satisfaction.codebook import load_codebook
        >>> names = column_labels(load_codebook())
        >>> names("vi")["a1"], names("en")["office_code"]
        ('a1 — Nơi tiếp nhận dễ tìm, thuận tiện', 'Office code')
    """
    def labels(lang: Language) -> dict[str, str]:
        named = {k: render(v, lang) for k, v in COLUMN_NAMES.items()}
        items = {i: f"{_item_code(codebook, i, lang)} — {_item_wording(codebook, i, lang)}"
                 for i in codebook.likert_columns}
        return {**named, **items}

    return labels


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------
def _lines_sentence(log: Mapping[str, Any]) -> Message:
    lines = log.get("lines") or {}
    fmt = (log.get("source") or {}).get("format")
    if fmt == "xlsx":
        return _("Rows of the sheet: {lines} = {header} header row + {records} data rows.").format(
            lines=Count(lines.get("lines")), header=Count(lines.get("header_lines")),
            records=Count(lines.get("records")))
    if fmt in ("sav", "dta", "parquet"):
        return _("Cases in the file: {records}.").format(records=Count(lines.get("records")))
    return _("Lines in the file: {lines} = {header} header line + {blank} blank + {record_lines} "
             "holding {records} records.").format(
                 lines=Count(lines.get("lines")), header=Count(lines.get("header_lines")),
                 blank=Count(lines.get("blank_lines")),
                 record_lines=Count(lines.get("record_lines")),
                 records=Count(lines.get("records")))


def _office_sentence(log: Mapping[str, Any]) -> Message:
    info = log.get("offices")
    if not info:
        return _("**Warning:** there was no office list, so the office codes were trusted as "
                 "typed: no canonical office names, no check of codes against names.")
    return _("Office codes and names were checked against the office list ({offices} "
             "offices).").format(offices=Count(info.get("offices")))


def source_sentences(log: Mapping[str, Any], file_name: str) -> list[Renderable]:
    """The raw file in words: its name, format and encoding, every line accounted for, the
    office list, the columns the codebook does not know, and the step's other warnings.

    Args:
        log: the cleaning log.
        file_name: the raw file's name (as the page may show it: no folder).

    Examples:
        >>> log = {"source": {"format": "csv", "encoding": "utf-8"}, "lines": {"lines": 12,
        ...     "header_lines": 1, "blank_lines": 1, "records": 9, "record_lines": 10},
        ...     "offices": None, "unmapped_columns": ["ghi_chu"]}
        >>> for s in source_sentences(log, "survey.csv"):
        ...     print(s.render("en"))
        The raw file survey.csv is a CSV text file (character encoding utf-8).
        Lines in the file: 12 = 1 header line + 1 blank + 10 holding 9 records.
        **Warning:** there was no office list, so the office codes were trusted as typed: no canonical office names, no check of codes against names.
        Columns the questionnaire does not know, left aside: ghi\\_chu.
    """
    source = log.get("source") or {}
    fmt = FORMATS.get(str(source.get("format")), Fixed(source.get("format") or "?"))
    name = Fixed(_escape(file_name))
    if source.get("encoding"):
        first = _("The raw file {file} is {format} (character encoding {encoding}).").format(
            file=name, format=fmt, encoding=Fixed(_escape(source["encoding"])))
    else:
        first = _("The raw file {file} is {format}.").format(file=name, format=fmt)
    out: list[Renderable] = [first, _lines_sentence(log), _office_sentence(log)]
    unmapped = [str(c) for c in log.get("unmapped_columns") or []]
    if unmapped:
        out.append(_("Columns the questionnaire does not know, left aside: {columns}.").format(
            columns=Fixed(", ".join(_escape(c) for c in unmapped))))
    others = [w for w in log.get("warnings") or [] if not str(w).startswith("no office list")]
    out.extend(_("Warning of the cleaning step: {warning}").format(warning=Fixed(_escape(w)))
               for w in others)
    return out


def _escape(text: Any) -> str:
    """Text from the data inside a Markdown message: HTML and Markdown characters escaped."""
    import html

    escaped = html.escape(str(text), quote=False)
    return "".join("\\" + c if c in "\\`*_[]#|" else c for c in escaped)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
def rows_table(log: Mapping[str, Any]) -> Table:
    """Rows read, kept and quarantined, with their share of the rows read.

    Examples:
        >>> t = rows_table({"rows_in": 22627, "rows_clean": 22250, "rows_quarantined": 377})
        >>> t.download("en").values.tolist()
        [['Read from the raw file', 22627.0, 100.0], ['Kept (the processed table)', 22250.0, 98.33], ['Quarantined', 377.0, 1.67]]
    """
    n_in = float(log["rows_in"])
    frame = pd.DataFrame({
        "stage": [_("Read from the raw file"), _("Kept (the processed table)"),
                  _("Quarantined")],
        "rows": [log["rows_in"], log["rows_clean"], log["rows_quarantined"]],
    })
    frame["share"] = frame["rows"] / n_in if n_in else float("nan")
    return Table(frame, [Column("stage", _("Rows"), "category"),
                         Column("rows", _("Number of rows"), "count"),
                         Column("share", _("Share of the rows read"), "rate")],
                 caption=_("Rows read, kept and quarantined"))


def reasons_table(log: Mapping[str, Any]) -> Table:
    """Quarantined rows per reason (in words), most frequent first, with their share.

    Examples:
        >>> t = reasons_table({"rows_in": 1000, "quarantine_reasons": {"invalid_weight": 2,
        ...                    "extra_fields": 5, "new_rule": 1}})
        >>> t.download("en").values.tolist()
        [['more fields than the header', 5.0, 0.5], ['weight missing or not a positive number', 2.0, 0.2], ['new rule', 1.0, 0.1]]
    """
    n_in = float(log["rows_in"])
    reasons = sorted((log.get("quarantine_reasons") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    frame = pd.DataFrame(reasons, columns=["code", "rows"]).astype({"code": object, "rows": float})
    frame["reason"] = frame["code"].map(_reason)
    frame["share"] = frame["rows"] / n_in if n_in else float("nan")
    notes = [] if len(frame) else [_("No row was quarantined.")]
    return Table(frame, [Column("reason", _("Reason"), "category"),
                         Column("rows", _("Rows quarantined"), "count"),
                         Column("share", _("Share of the rows read"), "rate")],
                 caption=_("Quarantined rows by reason (the first rule each row failed)"),
                 notes=notes)


def repairs_table(log: Mapping[str, Any], codebook: Codebook) -> Table:
    """Cells repaired, one row per column, one count column per kind of repair found.

    Examples:
        >>> from satisfaction.codebook import load_codebook
        >>> t = repairs_table({"repairs": {"office": {"canonicalised": 3},
        ...                    "a1": {"spaces_trimmed": 2}}}, load_codebook())
        >>> t.download("en").to_dict("records")[0]
        {'Column': 'Office name', 'Spelled as in the office list': 3.0, 'Stray spaces removed': 0.0, 'All repairs': 3.0}
    """
    repairs = log.get("repairs") or {}
    kinds = list(dict.fromkeys(k for by_kind in repairs.values() for k in by_kind))
    frame = pd.DataFrame([{"column": col, **{k: by_kind.get(k, 0) for k in kinds}}
                          for col, by_kind in repairs.items()], columns=["column", *kinds])
    frame[kinds] = frame[kinds].astype(float)
    frame["all"] = frame[kinds].sum(axis=1)
    names = column_labels(codebook)
    columns = [Column("column", _("Column"), "category",
                      labels=lambda lang: {c: names(lang).get(c, _words(c)) for c in repairs}),
               *[Column(k, REPAIRS.get(k, _words(k).capitalize()), "count") for k in kinds],
               Column("all", _("All repairs"), "count")]
    notes = [] if len(frame) else [_("No cell needed a repair.")]
    return Table(frame, columns, caption=_("Cells repaired, by column and kind of repair"),
                 notes=notes)


def items_table(item_missing: pd.DataFrame, codebook: Codebook) -> Table:
    """Per questionnaire item: its wording, the answers set to missing and why, the answers
    read from words, the valid answers and the rows kept. A kind of missing answer that no
    item has this year is left out of the page's table, and a note under it names it.

    Args:
        item_missing: :attr:`satisfaction.clean.CleanResult.item_missing` (or the saved
            ``item_missing.csv``).
        codebook: the year's questionnaire (the items' wording).
    """
    frame = item_missing.copy()
    found = [s for s in ITEM_STATUS if s in frame]
    for col in [*found, "word", "valid", "n"]:
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame["missing"] = frame[found].sum(axis=1)
    status = [s for s in found if frame[s].fillna(0).any()]
    empty = [ITEM_STATUS[s] for s in found if s not in status]
    frame["wording"] = frame["item"].astype(str)
    low, high = codebook.scale
    columns = [
        Column("item", _("Item code"), "category", nowrap=True,
               labels=lambda lang: {i: _item_code(codebook, i, lang)
                                    for i in frame["item"].astype(str)}),
        Column("wording", _("Question"), "category",
               labels=lambda lang: {i: _item_wording(codebook, i, lang)
                                    for i in frame["item"].astype(str)}),
        *[Column(s, ITEM_STATUS[s], "count") for s in status],
        Column("missing", _("All set to missing"), "count"),
        Column("word", _("Answered in words, read as {low}-{high}").format(
            low=Count(low), high=Count(high)), "count"),
        Column("valid", _("Valid answers"), "count"),
        Column("n", _("Rows kept"), "count"),
    ]
    notes = [_("Columns left out because they are empty this year: {columns}.").format(
        columns=Listed(empty))] if empty else []
    return Table(frame, [c for c in columns if all(k in frame for k in c.keys)],
                 caption=_("Item answers not on the {low}-{high} scale, by item (rows kept)")
                 .format(low=Count(low), high=Count(high)), notes=notes)


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------
def _rows_finding(log: Mapping[str, Any]) -> Message:
    n_in = float(log["rows_in"]) or float("nan")
    return _("{rows} rows were read from the raw file: {kept} were kept for the analysis "
             "({kept_share}) and {quarantined} were set aside in the quarantine "
             "({quarantined_share}), each with its reason; no row was dropped "
             "silently.").format(
                 rows=Count(log["rows_in"]), kept=Count(log["rows_clean"]),
                 kept_share=Percent(log["rows_clean"] / n_in),
                 quarantined=Count(log["rows_quarantined"]),
                 quarantined_share=Percent(log["rows_quarantined"] / n_in))


def _reasons_finding(log: Mapping[str, Any], top: int = 3) -> Message:
    reasons = sorted((log.get("quarantine_reasons") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    if not reasons:
        return _("No row was quarantined.")
    named = [_("{reason}: {rows}").format(reason=_reason(code), rows=Count(n))
             for code, n in reasons[:top]]
    rest = sum(n for _code, n in reasons[top:])
    if rest:
        named.append(_("other reasons: {rows}").format(rows=Count(rest)))
    return _("Rows quarantined, by reason, the most frequent first: {reasons}.").format(
        reasons=Listed(named, sep="; ", last=False))


def _repairs_finding(log: Mapping[str, Any]) -> Message:
    repairs = log.get("repairs") or {}
    labels = sum(int(by_kind.get(_READING, 0)) for by_kind in repairs.values())
    fixed = {col: sum(int(n) for k, n in by_kind.items() if k != _READING)
             for col, by_kind in repairs.items()}
    cells = sum(fixed.values())
    kinds = [k for k in dict.fromkeys(k for by_kind in repairs.values() for k, n in
                                      by_kind.items() if k != _READING and int(n))]
    kinds.sort(key=lambda k: -sum(int(by_kind.get(k, 0)) for by_kind in repairs.values()))
    repaired = (_("No cell needed a repair.") if not cells else
                _("{cells} cells in {columns} columns were repaired without guessing ({kinds}); "
                  "each repair is counted in the table below.").format(
                      cells=Count(cells), columns=Count(sum(1 for n in fixed.values() if n)),
                      kinds=Listed([_REPAIR_WORDS.get(k, _words(k)) for k in kinds])))
    if not labels:
        return repaired
    return repaired + " " + _("Besides, {labels} category answers written as labels (\"Công "
                              "dân\") were read as their codes.").format(labels=Count(labels))


def _items_finding(item_missing: pd.DataFrame, codebook: Codebook) -> Message | None:
    if item_missing is None or item_missing.empty:
        return None
    totals = {s: int(pd.to_numeric(item_missing[s], errors="coerce").sum())
              for s in ITEM_STATUS if s in item_missing}
    answers = int(pd.to_numeric(item_missing["n"], errors="coerce").sum())
    low, high = codebook.scale
    return _("{missing} of the {answers} item answers of the rows kept were not on the {low}-"
             "{high} scale (don't know: {dont_know}; refused: {refused}; blank: {blank}; off the "
             "scale or unreadable: {other}): they are missing values, left out of every rate, "
             "never counted as dissatisfied.").format(
                 missing=Count(sum(totals.values())), answers=Count(answers),
                 low=Count(low), high=Count(high),
                 dont_know=Count(totals.get("dont_know", 0)),
                 refused=Count(totals.get("refused", 0)), blank=Count(totals.get("blank", 0)),
                 other=Count(totals.get("out_of_range", 0) + totals.get("unreadable", 0)
                             + totals.get("user_missing", 0)))


def findings(log: Mapping[str, Any], item_missing: pd.DataFrame,
             codebook: Codebook) -> list[Renderable]:
    """The findings of the cleaning page, in plain words (four or five).

    Args:
        log: the cleaning log.
        item_missing: the item answers set to missing (:func:`items_table`).
        codebook: the year's questionnaire.

    Returns:
        Rows read, kept and quarantined; the reasons; the repairs; the item answers set to
        missing; and, without an office list, the warning.

    Examples:
        >>> from satisfaction.codebook import load_codebook
        >>> log = {"rows_in": 1000, "rows_clean": 990, "rows_quarantined": 10,
        ...        "quarantine_reasons": {"duplicate_exact": 7, "invalid_weight": 2,
        ...                               "office_unknown": 1}, "repairs": {},
        ...        "offices": {"offices": 518}}
        >>> found = findings(log, pd.DataFrame(), load_codebook())
        >>> print(found[0].render("en"))
        1,000 rows were read from the raw file: 990 were kept for the analysis (99.00 %) and 10 were set aside in the quarantine (1.00 %), each with its reason; no row was dropped silently.
        >>> print(found[1].render("en"))
        Rows quarantined, by reason, the most frequent first: exact copy of an earlier row: 7; weight missing or not a positive number: 2; office code and office name not in the office list: 1.
    """
    found: list[Renderable | None] = [_rows_finding(log), _reasons_finding(log),
                                      _repairs_finding(log),
                                      _items_finding(item_missing, codebook)]
    if not log.get("offices"):
        found.append(_office_sentence(log))
    return [f for f in found if f is not None]
