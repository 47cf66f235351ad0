"""The reports tree's files beside the pages: each year's workbooks and the methods page.

Like a page, each is rebuilt only when one of its inputs changed (a manifest of input hashes,
:mod:`satisfaction.report.inputs`), or when its files are missing or were edited; ``force``
rebuilds it.

=================================================  ============================================
``reports/<year>/tables_<year>.xlsx``,             every table the year's pages saved, one
``tables_<year>.en.xlsx``                          workbook per language with a README sheet
                                                   (:func:`~satisfaction.report.downloads.write_workbooks`).
                                                   Inputs: the saved tables (each CSV and its
                                                   description), the files of the year and of its
                                                   baseline year (params, raw file, codebook, office
                                                   list, PAR table: the README's sources), the
                                                   library. Manifest: ``tables_<year>.workbooks.json``
``reports/methods.html``, ``methods.en.html``      the methods and glossary page
                                                   (:func:`~satisfaction.report.methods.write_methods`).
                                                   Inputs: the library (its text, the catalogue, the
                                                   page template), the environment, the params of the
                                                   latest year (its confidence level, disclosure
                                                   threshold, lonely-PSU rule). Manifest:
                                                   ``methods.manifest.json``
=================================================  ============================================

The workbooks are written from the tables on disk into a staging folder and published into the
year folder as one change (:func:`~satisfaction.report.publish.publish`), their manifest with
them; a year whose pages no longer save any table loses its workbooks. The methods page is
written atomically at the reports' root, then its manifest.

Not for: the pages (:mod:`satisfaction.report.runner`), what the workbooks or the methods page
hold (:mod:`satisfaction.report.downloads`, :mod:`satisfaction.report.methods`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from ..i18n import LANGUAGES
from ..io import write_text_atomic
from .inputs import InputHasher, changed_inputs, library_dir
from .pages import MANIFEST_VERSION, read_json, sha256_bytes, utc_stamp
from .publish import publish

__all__ = [
    "METHODS_MANIFEST",
    "methods_due",
    "methods_files",
    "workbook_files",
    "workbooks_due",
    "workbooks_manifest",
    "write_methods_page",
    "write_year_workbooks",
]

METHODS_MANIFEST: Final = "methods.manifest.json"
"""The methods page's manifest, at the reports' root."""
_TABLE_SUFFIXES: Final = (".csv", ".table.json")


def workbooks_manifest(year: int) -> str:
    """The file name of a year's workbooks manifest (no page's name: the index lists none).

    Examples:
        >>> workbooks_manifest(2020)
        'tables_2020.workbooks.json'
    """
    return f"tables_{int(year)}.workbooks.json"


def workbook_files(year: int) -> list[str]:
    """The workbooks of a year, one per language.

    Examples:
        >>> workbook_files(2020)
        ['tables_2020.xlsx', 'tables_2020.en.xlsx']
    """
    from .downloads import workbook_name

    return [workbook_name(year, lang) for lang in LANGUAGES]


def methods_files() -> list[str]:
    """The methods page's files at the reports' root, one per language.

    Examples:
        >>> methods_files()
        ['methods.html', 'methods.en.html']
    """
    from .methods import methods_href

    return [methods_href(lang, from_year_page=False) for lang in LANGUAGES]


def _intact(folder: Path, outputs: Any) -> bool:
    """Whether every file a manifest lists is in ``folder`` with the hash it recorded."""
    if not isinstance(outputs, dict):
        return False
    for name, digest in outputs.items():
        try:
            if sha256_bytes((folder / name).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def _due(manifest: dict[str, Any] | None, inputs: Mapping[str, str], folder: Path,
         expected: Sequence[str], force: bool) -> bool:
    if force or manifest is None or manifest.get("version") != MANIFEST_VERSION:
        return True
    if changed_inputs(manifest.get("inputs"), inputs):
        return True
    outputs = manifest.get("outputs")
    return not _intact(folder, outputs) or sorted(outputs or {}) != sorted(expected)


def _tables(year_dir: Path) -> list[Path]:
    """The saved tables of a year folder: every CSV and table description."""
    if not year_dir.is_dir():
        return []
    return sorted(p for p in year_dir.iterdir()
                  if p.is_file() and p.name.endswith(_TABLE_SUFFIXES) and not p.name.startswith("."))


def workbooks_due(year: int, reports: Path, hasher: InputHasher, params_files: Sequence[Path], *,
                  force: bool = False) -> dict[str, str] | None:
    """The inputs of a year's workbooks when they must be (re)written or removed, else None.

    Args:
        year: the survey year.
        reports: the reports folder.
        hasher: the run's hasher.
        params_files: the params files of the year and of its baseline year (the files they
            name are the README's sources).
        force: rebuild whatever the manifest says.
    """
    year_dir = reports / str(int(year))
    tables = _tables(year_dir)
    inputs = {f"table:{p.name}": hasher.file(p) for p in tables}
    for params_file in params_files:
        inputs.update(hasher.year_files(params_file))
    inputs["lib/satisfaction/"] = hasher.tree(library_dir())
    if not any(p.name.endswith(".table.json") for p in tables):
        # No table saved: due only when old workbooks are left to remove.
        leftovers = [n for n in (*workbook_files(year), workbooks_manifest(year))
                     if (year_dir / n).exists()]
        return inputs if leftovers else None
    manifest = read_json(year_dir / workbooks_manifest(year))
    return inputs if _due(manifest, inputs, year_dir, workbook_files(year), force) else None


def _stage_tables(year_dir: Path, stage: Path) -> None:
    """The year's saved tables, linked (or copied) into ``stage/<year>/``."""
    target = stage / year_dir.name
    target.mkdir(parents=True, exist_ok=True)
    for path in _tables(year_dir):
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)


def write_year_workbooks(year: int, reports: Path, inputs: Mapping[str, str], staging: Path, *,
                         synthetic: bool, sources: Sequence[Mapping[str, str]]) -> list[str]:
    """Write a year's workbooks from its saved tables and publish them with their manifest.

    Args:
        year: the survey year.
        reports: the reports folder.
        inputs: what :func:`workbooks_due` returned (recorded in the manifest).
        staging: a folder of the run's own (emptied and removed here).
        synthetic: the year's data are synthetic (the README says so).
        sources: the provenance's inputs (``role``, ``file``, ``sha256``) for the README.

    Returns:
        The workbooks now in the year folder (none when the year saved no table: the old ones
        are removed).
    """
    from .downloads import write_workbooks

    year_dir = reports / str(int(year))
    stage = staging / f"workbooks-{int(year)}"
    shutil.rmtree(stage, ignore_errors=True)
    try:
        _stage_tables(year_dir, stage)
        books = write_workbooks(year, stage, synthetic=synthetic, inputs=list(sources))
        add = {book.name: book for book in books}
        if add:
            manifest = {"version": MANIFEST_VERSION, "year": int(year), "built_utc": utc_stamp(),
                        "inputs": dict(inputs),
                        "outputs": {n: sha256_bytes(p.read_bytes()) for n, p in sorted(add.items())}}
            path = stage / workbooks_manifest(year)
            path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
            add[path.name] = path
        stale = {*workbook_files(year), workbooks_manifest(year)} - set(add)
        publish(year_dir, add, stale)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return sorted(n for n in add if n.endswith(".xlsx"))


def methods_due(reports: Path, hasher: InputHasher, params_file: Path | None, *,
                force: bool = False) -> dict[str, str] | None:
    """The inputs of the methods page when it must be (re)written, else None.

    Args:
        reports: the reports folder.
        hasher: the run's hasher.
        params_file: the params file whose numbers the page states (the latest year's).
        force: rebuild whatever the manifest says.
    """
    inputs = {"lib/satisfaction/": hasher.tree(library_dir()), "environment": hasher.environment()}
    if params_file is not None:
        inputs[f"params:{params_file.name}"] = hasher.file(params_file)
    manifest = read_json(reports / METHODS_MANIFEST)
    return inputs if _due(manifest, inputs, reports, methods_files(), force) else None


def write_methods_page(reports: Path, inputs: Mapping[str, str], params: Any) -> list[str]:
    """Write the methods page in every language, then its manifest.

    Args:
        reports: the reports folder.
        inputs: what :func:`methods_due` returned.
        params: the :class:`~satisfaction.params.YearParams` whose numbers the page states.

    Returns:
        The file names written.
    """
    from .methods import write_methods

    reports.mkdir(parents=True, exist_ok=True)
    pages = write_methods(reports, params=params)
    manifest = {"version": MANIFEST_VERSION, "built_utc": utc_stamp(), "inputs": dict(inputs),
                "outputs": {p.name: sha256_bytes(p.read_bytes()) for p in pages}}
    write_text_atomic(reports / METHODS_MANIFEST,
                      json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return [p.name for p in pages]
