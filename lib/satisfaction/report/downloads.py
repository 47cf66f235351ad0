"""The tables to download: each year's tables as CSV files and one Excel workbook, per language.

A notebook saves each table it shows with one call, :func:`save_table` (a
:class:`~satisfaction.report.tables.Table`, so the file holds what the page shows: the same
headers in words, the same rounding, suppression applied). The files go beside the page, in
``reports/<year>/``; in a batch run they are staged (``$SATISFACTION_STAGING/<year>/``, as the
headline figures are), and the runner publishes them with the page's other files (so a failed
run leaves the last good tables, and a table the page no longer saves leaves with its page's
old outputs). At the end of a run the runner writes each year's workbooks from them
(:func:`write_workbooks`). In ``reports/<year>/``:

=====================================  ==========================================================
``<notebook>.<name>.csv``              the table in Vietnamese (headers, labels), UTF-8 with a BOM
``<notebook>.<name>.en.csv``           the same in English
``<notebook>.<name>.table.json``       what the table is (titles, notes), for the workbook
``tables_<year>.xlsx``                 every table of the year, one sheet each, and a README sheet
                                       (sources, definitions); ``tables_<year>.en.xlsx`` in English
=====================================  ==========================================================

Every text cell is made spreadsheet-safe (:func:`satisfaction.io.spreadsheet_safe`: no cell
runs as a formula) and every file is written atomically. Numbers are numbers (a rate in per
cent with two decimals, as on the page); a suppressed value is an empty cell.

Not for: laying out the tables (:mod:`satisfaction.report.tables`) or the pages' links to the
files (the page shows :func:`links_markdown`; the index, :func:`year_links`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd

from .. import config
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, Language, Message, Renderable, _, render
from ..io import atomic_output, spreadsheet_safe, write_text_atomic
from .index import REPORTS_ENV, STAGING_ENV
from .tables import Table

__all__ = [
    "RESERVED_NAMES",
    "csv_name",
    "links_markdown",
    "save_table",
    "saved_tables",
    "workbook_name",
    "write_workbooks",
    "year_links",
]

RESERVED_NAMES: Final = frozenset({"headline", "manifest", "failed", "table"})
"""Table names that would collide with a page's own files (``<nb>.headline.json``...)."""
_META: Final = ".table.json"
_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_NOTEBOOK: Final = re.compile(r"^\d\d_[\w\-]+$")
_SHEET_BAD: Final = re.compile(r"[\[\]:*?/\\]")


def _suffix(lang: Language) -> str:
    return "" if lang == DEFAULT_LANGUAGE else f".{lang}"


def csv_name(notebook: str, name: str, lang: Language = DEFAULT_LANGUAGE) -> str:
    """The file name of a saved table in ``lang``.

    Examples:
        >>> csv_name("02_satisfaction", "by_level"), csv_name("02_satisfaction", "by_level", "en")
        ('02_satisfaction.by_level.csv', '02_satisfaction.by_level.en.csv')
    """
    return f"{notebook}.{name}{_suffix(lang)}.csv"


def workbook_name(year: int, lang: Language = DEFAULT_LANGUAGE) -> str:
    """The file name of a year's workbook in ``lang``.

    Examples:
        >>> workbook_name(2020), workbook_name(2020, "en")
        ('tables_2020.xlsx', 'tables_2020.en.xlsx')
    """
    return f"tables_{int(year)}{_suffix(lang)}.xlsx"


def _check_names(notebook: str, name: str) -> None:
    if not _NOTEBOOK.match(str(notebook)):
        raise ValueError(f"notebook {notebook!r} is not a notebook name like '02_satisfaction'")
    if not _NAME.match(str(name)) or name in RESERVED_NAMES:
        raise ValueError(f"table name {name!r}: use lower-case letters, digits, '_' and '-' "
                         f"(not {', '.join(sorted(RESERVED_NAMES))})")


def _folder(year: int, reports_dir: str | Path | None) -> Path:
    """Where saved tables go: the staging folder in a batch run, else the year's reports."""
    staging = os.environ.get(STAGING_ENV)
    if staging and reports_dir is None:
        return Path(staging) / str(int(year))
    root = Path(reports_dir) if reports_dir is not None else Path(
        os.environ.get(REPORTS_ENV) or config.REPORTS)
    return root / str(int(year))


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese letters), spreadsheet-safe."""
    import csv

    safe = spreadsheet_safe(frame)
    with atomic_output(path) as tmp:
        safe.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n",
                    quoting=csv.QUOTE_NONNUMERIC)
    return path


class _Saved(list):
    """The paths :func:`save_table` wrote: shows nothing when it ends a notebook cell."""

    def _ipython_display_(self) -> None:
        return None


def save_table(year: int, notebook: str, name: str, table: Table, *,
               reports_dir: str | Path | None = None) -> list[Path]:
    """Save a table a page shows, to download: a CSV per language and its description.

    Args:
        year: the survey year.
        notebook: the page's notebook, e.g. ``"02_satisfaction"``.
        name: the table's name on that page (``by_level``): lower-case, digits, ``_``, ``-``.
        table: the table as the page shows it (its ``title``, else its caption, names it).
        reports_dir: the reports folder (default: staged in a batch run, else ``reports/``).

    Returns:
        The files written (a list that a notebook cell does not display).

    Raises:
        ValueError: a name is not plain.
        TypeError: ``table`` is not a :class:`~satisfaction.report.tables.Table`.

    Examples:
        >>> import tempfile
        >>> from satisfaction.report.tables import Column
        >>> t = Table(pd.DataFrame({"office": ["=HYPERLINK(1)"], "rate": [0.9645]}),
        ...           [Column("office", _("Office")), Column("rate", _("Satisfied"), "rate")],
        ...           title=_("Satisfied, by office"))
        >>> paths = save_table(2020, "02_satisfaction", "by_office", t, reports_dir=tempfile.mkdtemp())
        >>> [p.name for p in paths]
        ['02_satisfaction.by_office.csv', '02_satisfaction.by_office.en.csv', '02_satisfaction.by_office.table.json']
        >>> paths[1].read_text(encoding="utf-8-sig")
        '"Office","Satisfied (%)"\\n"\\'=HYPERLINK(1)",96.45\\n'
    """
    _check_names(notebook, name)
    if not isinstance(table, Table):
        raise TypeError(f"save_table takes a report.tables.Table, not {type(table).__name__}")
    folder = _folder(year, reports_dir)
    written = [_write_csv(table.download(lang), folder / csv_name(notebook, name, lang))
               for lang in LANGUAGES]
    what = table.title if table.title is not None else table.caption
    meta = {
        "year": int(year), "notebook": notebook, "name": name,
        "title": {lang: render(what, lang) if what is not None else name for lang in LANGUAGES},
        "notes": {lang: [render(n, lang) for n in (*table.footnotes.values(), *table.notes)]
                  for lang in LANGUAGES},
        "rows": len(table),
    }
    written.append(write_text_atomic(folder / f"{notebook}.{name}{_META}",
                                     json.dumps(meta, ensure_ascii=False, indent=1) + "\n"))
    _SAVED.setdefault((int(year), notebook), {})[name] = what if what is not None else name
    return _Saved(written)


def saved_tables(year_dir: str | Path) -> list[dict[str, Any]]:
    """The descriptions of the tables saved in a year's folder, in page order."""
    folder = Path(year_dir)
    out = []
    for path in sorted(folder.glob(f"*{_META}")) if folder.is_dir() else []:
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and {"notebook", "name", "title"} <= set(meta):
            out.append(meta)
    return out


_README: Final[list[tuple[Message, Message]]] = [
    (N_("What this workbook holds"),
     N_("The tables of the year's report pages, one sheet each, as the pages show them: the "
        "same headers, the same rounding (a rate in per cent with two decimals), the same "
        "reliability rules.")),
    (N_("Satisfied"),
     N_("A respondent is satisfied when the answer to the overall question is 4 (satisfied) "
        "or 5 (very satisfied) on the 1-5 scale. The rate is the weighted share of satisfied "
        "respondents among those with a valid answer.")),
    (N_("Confidence interval"),
     N_("Korn-Graubard (Clopper-Pearson on the effective sample size, with the design's "
        "degrees of freedom), as the NCHS standards for proportions prescribe; 95 % unless the "
        "header says otherwise.")),
    (N_("Standard error, design effect, effective sample size"),
     N_("Taylor linearisation over the design (strata; offices as primary sampling units; "
        "weights). The design effect is the variance under the design over the variance of a "
        "simple random sample of the same size; the effective sample size is n divided by the "
        "design effect.")),
    (N_("Suppressed cells"),
     N_("An empty cell is suppressed: fewer respondents than the disclosure threshold, an "
        "effective sample size under 30, no confidence interval, or an interval too wide "
        "(NCHS standards). The reliability note of the row says why.")),
    (N_("Safe to open"),
     N_("No cell holds a formula: a text that a spreadsheet would run as one starts with an "
        "apostrophe.")),
]


def _readme(year: int, tables: Sequence[Mapping[str, Any]], lang: Language, *, synthetic: bool,
            inputs: Sequence[Mapping[str, str]], sheets: Sequence[str]) -> pd.DataFrame:
    """The README sheet: sources, definitions, the sheets."""
    rows: list[tuple[str, str]] = [
        (render(_("Tables of the survey year {year}").format(year=str(int(year))), lang), ""),
        (render(_("Made on (UTC)"), lang), datetime.now(UTC).strftime("%Y-%m-%d %H:%M")),
    ]
    if synthetic:
        rows.append((render(_("Synthetic data"), lang),
                     render(_("These figures come from a generated sample, calibrated to the "
                              "figures the ministry published where it published any; they "
                              "illustrate the method and are not survey results."), lang)))
    for item in inputs:
        rows.append((render(_("Source: {file}").format(file=item.get("file", "")), lang),
                     "SHA-256 " + str(item.get("sha256", ""))))
    rows += [(render(head, lang), render(text, lang)) for head, text in _README]
    for sheet, meta in zip(sheets, tables, strict=True):
        page = f"{meta['notebook']}{_suffix(lang)}.html"
        rows.append((render(_("Sheet {sheet}").format(sheet=sheet), lang),
                     render(_("{title} (page {page})").format(
                         title=meta["title"].get(lang, meta["name"]), page=page), lang)))
    return pd.DataFrame(rows, columns=[render(_("Item"), lang), render(_("Description"), lang)])


def _sheet_names(tables: Sequence[Mapping[str, Any]]) -> list[str]:
    """Unique sheet names of at most 31 characters: ``02 by_level``."""
    names: list[str] = []
    for meta in tables:
        base = _SHEET_BAD.sub("_", f"{meta['notebook'][:2]} {meta['name']}")[:31]
        name, i = base, 2
        while name in names or name == "README":
            name = f"{base[:28]}~{i}"
            i += 1
        names.append(name)
    return names


def write_workbooks(year: int, reports_dir: str | Path | None = None, *, synthetic: bool = True,
                    inputs: Sequence[Mapping[str, str]] = ()) -> list[Path]:
    """Write the year's workbooks (one per language) from the tables saved in its downloads.

    Args:
        year: the survey year.
        reports_dir: the reports folder (``reports/`` if None).
        synthetic: the year's data are synthetic (the README says so).
        inputs: the input files and their hashes (the provenance's ``inputs``).

    Returns:
        The workbooks written (none when no table was saved).
    """
    year_dir = (Path(reports_dir) if reports_dir is not None else config.REPORTS) / str(int(year))
    tables = saved_tables(year_dir)
    if not tables:
        return []
    sheets = _sheet_names(tables)
    written = []
    for lang in LANGUAGES:
        path = year_dir / workbook_name(year, lang)
        frames = []
        for meta in tables:
            csv = year_dir / csv_name(meta["notebook"], meta["name"], lang)
            frames.append(pd.read_csv(csv, encoding="utf-8-sig", keep_default_na=False,
                                      na_values=[""]) if csv.exists() else pd.DataFrame())
        readme = _readme(year, tables, lang, synthetic=synthetic, inputs=inputs, sheets=sheets)
        written.append(_write_workbook(path, readme, list(zip(sheets, tables, frames,
                                                              strict=True)), lang))
    return written


def _safe(text: Any) -> str:
    """One text cell, spreadsheet-safe."""
    return str(spreadsheet_safe(pd.DataFrame({"t": [str(text)]}))["t"].iloc[0])


def _write_workbook(path: Path, readme: pd.DataFrame,
                    sheets: list[tuple[str, Mapping[str, Any], pd.DataFrame]],
                    lang: Language) -> Path:
    """One workbook: README first, then a sheet a table (title row, notes, the table)."""
    from openpyxl.styles import Font

    with atomic_output(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        spreadsheet_safe(readme).to_excel(writer, sheet_name="README", index=False)
        book = writer.book
        ws = book["README"]
        ws.column_dimensions["A"].width = 42
        ws.column_dimensions["B"].width = 110
        for sheet, meta, frame in sheets:
            notes = meta.get("notes", {}).get(lang, [])
            start = 2 + len(notes) + 1
            spreadsheet_safe(frame).to_excel(writer, sheet_name=sheet, index=False,
                                             startrow=start)
            ws = book[sheet]
            ws.cell(row=1, column=1, value=_safe(meta["title"].get(lang, meta["name"])))
            ws.cell(row=1, column=1).font = Font(bold=True, size=12)
            for i, note in enumerate(notes):
                ws.cell(row=2 + i, column=1, value=_safe(note))
            ws.freeze_panes = ws.cell(row=start + 2, column=1)
            for column in ws.iter_cols(min_row=start + 1, max_row=start + 1):
                ws.column_dimensions[column[0].column_letter].width = min(
                    max(12, len(str(column[0].value or "")) + 2), 45)
    return path


_SAVED: dict[tuple[int, str], dict[str, Renderable | str]] = {}
"""(year, notebook) -> name -> title of the tables this process saved (for the page's links)."""


def _markdown_text(text: str) -> str:
    """Text inside a Markdown link: brackets and markup characters escaped."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


class _Links:
    """The download links of a page, in each language (each edition links its own files)."""

    def __init__(self, year: int, notebook: str, tables: Mapping[str, Renderable | str]) -> None:
        self.year, self.notebook, self.tables = int(year), notebook, dict(tables)

    def render(self, lang: Language) -> str:
        prefix = ""
        files = "\n".join(
            f"- [{_markdown_text(render(title, lang))}]({prefix}{csv_name(self.notebook, name, lang)})"
            for name, title in self.tables.items())
        book = f"[{workbook_name(self.year, lang)}]({prefix}{workbook_name(self.year, lang)})"
        intro = render(_("**Download.** Every table of {year} in one Excel workbook, with a README "
                         "sheet (sources, definitions): {workbook}. Each table of this page as a "
                         "CSV file:").format(year=str(self.year), workbook=book), lang)
        return f"{intro}\n\n{files}"


def links_markdown(year: int, notebook: str) -> Renderable:
    """The paragraph a page shows to link the tables it saved and the year's workbook.

    Call it after the page's :func:`save_table` calls (it links the tables saved by this
    process, with their titles); the links are relative to the page.

    Raises:
        ValueError: the page saved no table.

    Examples:
        >>> import tempfile
        >>> from satisfaction.report.tables import Column
        >>> t = Table(pd.DataFrame({"rate": [0.9]}), [Column("rate", _("Satisfied"), "rate")],
        ...           title=_("Satisfied, by office"))
        >>> _ = save_table(2020, "02_satisfaction", "by_office", t, reports_dir=tempfile.mkdtemp())
        >>> print(links_markdown(2020, "02_satisfaction").render("en"))  # doctest: +NORMALIZE_WHITESPACE
        **Download.** Every table of 2020 in one Excel workbook, with a README sheet (sources,
        definitions): [tables_2020.en.xlsx](tables_2020.en.xlsx). Each table of this page as a
        CSV file:
        <BLANKLINE>
        - [Satisfied, by office](02_satisfaction.by_office.en.csv)
    """
    tables = _SAVED.get((int(year), notebook))
    if not tables:
        raise ValueError(f"{notebook} [{year}] saved no table to download (report.save_table)")
    return _Links(year, notebook, tables)


def year_links(year: int, reports_dir: str | Path | None = None,
               lang: Language = DEFAULT_LANGUAGE) -> list[dict[str, str]]:
    """The downloads of a year for the index: ``{"label", "href", "kind"}`` (``workbook`` or
    ``csv``), hrefs relative to ``reports/`` (the workbook first, then each CSV in ``lang``);
    empty when none exist.

    Examples:
        >>> year_links(1999, "/nonexistent")
        []
    """
    root = Path(reports_dir) if reports_dir is not None else config.REPORTS
    year_dir = root / str(int(year))
    out = []
    book = year_dir / workbook_name(year, lang)
    if book.exists():
        out.append({"label": render(_("All tables of {year} (Excel)").format(year=str(int(year))),
                                    lang),
                    "href": f"{int(year)}/{book.name}", "kind": "workbook"})
    for meta in saved_tables(year_dir):
        name = csv_name(meta["notebook"], meta["name"], lang)
        if (year_dir / name).exists():
            out.append({"label": f"{meta['title'].get(lang, meta['name'])} (CSV)",
                        "href": f"{int(year)}/{name}", "kind": "csv"})
    return out
