"""Reports: the batch runner, the HTML pages, the index, the provenance stamp, reviewer tables.

======================  =====================================================================
:mod:`.runner`          :func:`run_batch`: every notebook x year through papermill, then pages
:mod:`.html`            :func:`export_html`: a self-contained page without code, with contents
:mod:`.index`           :func:`save_headline` (called by notebooks) and :func:`render_index`
:mod:`.provenance`      data hash, code commit, run time, package versions, parameters
:mod:`.tables`          :class:`Table`, :class:`Column`, :func:`estimates_table`: every reviewer table
:mod:`.formats`         how a rate, a change in points and a p-value read on every page
:mod:`.escape`          :func:`html_text`: text from the data into HTML (NFC, escaped)
:mod:`.show`            one output per language: markdown, tables, figures with alt text
:mod:`.summary`         the findings in plain words at the top of a page and of the index
:mod:`.downloads`       :func:`save_table`: the tables as CSV and Excel workbooks
:mod:`.methods`         :func:`write_methods`: the methods and glossary page
======================  =====================================================================

Every name below is importable from the package (``from satisfaction.report import
save_headline``). The submodule is imported on first use, so that a notebook that only saves
its headline figures does not load papermill or nbconvert.

Not for: estimating anything (see :mod:`satisfaction.design`) or drawing figures
(see :mod:`satisfaction.plots`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "list_notebooks": "runner",
    "plan_jobs": "runner",
    "run_batch": "runner",
    "ReportError": "html",
    "export_html": "html",
    "external_references": "html",
    "render_html": "html",
    "LABELS": "index",
    "REPORTS_ENV": "index",
    "STAGING_ENV": "index",
    "headline_items": "index",
    "headline_path": "index",
    "load_headlines": "index",
    "render_index": "index",
    "save_headline": "index",
    "KEY_PACKAGES": "provenance",
    "UNKNOWN": "provenance",
    "Provenance": "provenance",
    "collect_provenance": "provenance",
    "git_state": "provenance",
    "package_versions": "provenance",
    "provenance_html": "provenance",
    "INPUT_ROLES": "provenance",
    "input_files": "provenance",
    "shown_path": "provenance",
    "SUPPRESSED": "tables",
    "DIMENSION_NAMES": "tables",
    "EstimatesHTML": "tables",
    "format_estimates": "tables",
    "DOMAIN_HEADERS": "tables",
    "LONG_TABLE": "tables",
    "STATUS_LABELS": "tables",
    "Column": "tables",
    "Labels": "tables",
    "Table": "tables",
    "TableHTML": "tables",
    "estimates_table": "tables",
    "label_map": "tables",
    "reason_message": "tables",
    "html_text": "escape",
    "RESERVED_NAMES": "downloads",
    "csv_name": "downloads",
    "links_markdown": "downloads",
    "save_table": "downloads",
    "saved_tables": "downloads",
    "workbook_name": "downloads",
    "write_workbooks": "downloads",
    "year_links": "downloads",
    "index_findings": "summary",
    "par_reproduction": "summary",
    "published_check": "summary",
    "satisfaction_findings": "summary",
    "GLOSSARY": "methods",
    "methods_link": "methods",
    "METHODS_PAGE": "methods",
    "methods_content": "methods",
    "methods_href": "methods",
    "methods_notebook": "methods",
    "write_methods": "methods",
}
"""Name -> the submodule that defines it (a submodule's whole ``__all__``; checked by the tests)."""

# The names of _EXPORTS (a literal list, as tools read it; the tests check the two agree).
__all__ = [
    "DIMENSION_NAMES",
    "DOMAIN_HEADERS",
    "GLOSSARY",
    "INPUT_ROLES",
    "KEY_PACKAGES",
    "LABELS",
    "LONG_TABLE",
    "METHODS_PAGE",
    "REPORTS_ENV",
    "RESERVED_NAMES",
    "STAGING_ENV",
    "STATUS_LABELS",
    "SUPPRESSED",
    "UNKNOWN",
    "Column",
    "EstimatesHTML",
    "Labels",
    "Provenance",
    "ReportError",
    "Table",
    "TableHTML",
    "collect_provenance",
    "csv_name",
    "estimates_table",
    "export_html",
    "external_references",
    "format_estimates",
    "git_state",
    "headline_items",
    "headline_path",
    "html_text",
    "index_findings",
    "input_files",
    "label_map",
    "links_markdown",
    "list_notebooks",
    "load_headlines",
    "methods_content",
    "methods_href",
    "methods_link",
    "methods_notebook",
    "package_versions",
    "par_reproduction",
    "plan_jobs",
    "provenance_html",
    "published_check",
    "reason_message",
    "render_html",
    "render_index",
    "run_batch",
    "satisfaction_findings",
    "save_headline",
    "save_table",
    "saved_tables",
    "shown_path",
    "workbook_name",
    "write_methods",
    "write_workbooks",
    "year_links",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'satisfaction.report' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
