"""Reports: the batch runner, the HTML pages, the index, the provenance stamp, reviewer tables.

======================  =====================================================================
:mod:`.runner`          :func:`run_batch`: every notebook x year through papermill, then pages
:mod:`.html`            :func:`export_html`: a self-contained page without code, with contents
:mod:`.index`           :func:`save_headline` (called by notebooks) and :func:`render_index`
:mod:`.provenance`      data hash, code commit, run time, package versions, parameters
:mod:`.tables`          :func:`format_estimates`: estimate tables as reviewers read them
:mod:`.formats`         how a rate, a change in points and a p-value read on every page
:mod:`.escape`          :func:`html_text`: text from the data into HTML (NFC, escaped)
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
    "SUPPRESSED": "tables",
    "EstimatesHTML": "tables",
    "format_estimates": "tables",
    "html_text": "escape",
}
"""Name -> the submodule that defines it (a submodule's whole ``__all__``; checked by the tests)."""

# The names of _EXPORTS (a literal list, as tools read it; the tests check the two agree).
__all__ = [
    "KEY_PACKAGES",
    "LABELS",
    "REPORTS_ENV",
    "STAGING_ENV",
    "SUPPRESSED",
    "UNKNOWN",
    "EstimatesHTML",
    "Provenance",
    "ReportError",
    "collect_provenance",
    "export_html",
    "external_references",
    "format_estimates",
    "git_state",
    "headline_items",
    "headline_path",
    "html_text",
    "list_notebooks",
    "load_headlines",
    "package_versions",
    "plan_jobs",
    "provenance_html",
    "render_html",
    "render_index",
    "run_batch",
    "save_headline",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'satisfaction.report' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
