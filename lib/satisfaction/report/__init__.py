"""Reports: the batch runner, the HTML pages, the index, the provenance stamp, reviewer tables.

======================  =====================================================================
:mod:`.runner`          :func:`run_batch`: every notebook x year through papermill, then pages
:mod:`.html`            :func:`export_html`: a self-contained page without code, with contents
:mod:`.index`           :func:`save_headline` (called by notebooks) and :func:`render_index`
:mod:`.provenance`      data hash, code commit, run time, package versions, parameters
:mod:`.tables`          :func:`format_estimates`: estimate tables as reviewers read them
======================  =====================================================================

Not for: estimating anything (see :mod:`satisfaction.design`) or drawing figures
(see :mod:`satisfaction.plots`). Submodules are imported on first use so that a notebook that
only saves its headline figures does not load nbconvert.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "run_batch": "runner",
    "plan_jobs": "runner",
    "list_notebooks": "runner",
    "export_html": "html",
    "render_html": "html",
    "ReportError": "html",
    "external_references": "html",
    "save_headline": "index",
    "load_headlines": "index",
    "render_index": "index",
    "collect_provenance": "provenance",
    "provenance_html": "provenance",
    "git_state": "provenance",
    "Provenance": "provenance",
    "format_estimates": "tables",
}

__all__ = [  # noqa: RUF022 - the order of _EXPORTS
    "run_batch", "plan_jobs", "list_notebooks", "export_html", "render_html", "ReportError",
    "external_references", "save_headline", "load_headlines", "render_index",
    "collect_provenance", "provenance_html", "git_state", "Provenance",
    "format_estimates",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'satisfaction.report' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
