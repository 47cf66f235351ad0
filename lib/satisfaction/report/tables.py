"""Estimate tables as reviewers read them: one decimal, the interval beside it, n, n_eff, a flag.

:func:`format_estimates` turns an estimate table (columns ``estimate, se, ci_low, ci_high,
deff, n, n_eff``, the domain as index) into an HTML table. Reliability comes from
:func:`satisfaction.reliability.nchs_flags` (the NCHS standards for proportions): a suppressed
cell shows "—" and the reason in a footnote, never its number; a cell under the disclosure
threshold does not even show its count. Every text that comes from the data (office and
province names, labels) is HTML-escaped, so a name like ``<script>`` shows as text.

Not for: computing estimates (see :mod:`satisfaction.design`) or deciding what is reliable
(see :mod:`satisfaction.reliability`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..reliability import with_flags
from .escape import html_text

__all__ = [
    "SUPPRESSED",
    "EstimatesHTML",
    "format_estimates",
]

SUPPRESSED = "—"
_MARKERS = "abcdefghijklmnopqrstuvwxyz"


class EstimatesHTML(str):
    """HTML text that Jupyter displays as a table (and that stays a plain ``str`` otherwise)."""

    def _repr_html_(self) -> str:
        return str(self)


def _fixed(values: pd.Series, decimals: int) -> pd.Series:
    """Numbers as text with ``decimals`` places; missing as the dash."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    text = numbers.map(lambda v: f"{v:,.{decimals}f}", na_action="ignore")
    return text.fillna(SUPPRESSED).astype(object)


def _domain_labels(index: pd.Index, labels: Mapping[Any, str] | None) -> pd.DataFrame:
    """One text column per index level, labels applied, escaped."""
    frame = index.to_frame(index=False)
    frame.columns = [
        str(name) if name is not None else ("domain" if frame.shape[1] == 1 else f"level {i}")
        for i, name in enumerate(index.names)
    ]
    if labels:
        frame = frame.apply(lambda col: col.map(lambda v: labels.get(v, v)))
    return frame.apply(lambda col: col.map(html_text))


def format_estimates(
    table: pd.DataFrame,
    *,
    percent: bool = True,
    disclosure_threshold: int = 10,
    labels: Mapping[Any, str] | None = None,
    caption: str | None = None,
    confidence: float = 0.95,
    estimate_label: str | None = None,
) -> EstimatesHTML:
    """An estimate table as an HTML table for a report page.

    Args:
        table: an estimate table (``estimate, se, ci_low, ci_high, deff, n, n_eff``; the
            domain as index, possibly several levels). Proportions are on the 0-1 scale.
        percent: show estimates, intervals and standard errors as percentages (one decimal;
            SE in percentage points, two decimals); otherwise as they are (two decimals).
        disclosure_threshold: cells with fewer respondents are suppressed and their count
            hidden (passed to :func:`satisfaction.reliability.nchs_flags`; with
            ``percent=False`` the estimates are not proportions and only this rule applies,
            see :func:`satisfaction.reliability.with_flags`).
        labels: display labels for domain values (e.g. ``{"central": "Trung ương"}``).
        caption: a caption above the table (escaped).
        confidence: the confidence level of the intervals, for the header.
        estimate_label: the header of the estimate column.

    Returns:
        The HTML (a ``str`` that Jupyter shows as a table).

    Raises:
        ValueError: ``table`` lacks an estimate column.

    Examples:
        >>> t = pd.DataFrame({"estimate": [0.9645], "se": [0.004], "ci_low": [0.956],
        ...     "ci_high": [0.972], "deff": [2.1], "n": [22250], "n_eff": [10595.2],
        ...     "suppressed": [False], "flagged": [False], "flag_reason": [""]},
        ...     index=pd.Index(["<b>Hà Nội</b>"], name="province"))
        >>> page = format_estimates(t)
        >>> "96.5" in page, "95.6–97.2" in page, "&lt;b&gt;Hà Nội&lt;/b&gt;" in page, "<b>" in page
        (True, True, True, False)
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"format_estimates needs a DataFrame, not {type(table).__name__}")
    flagged = with_flags(table, disclosure_threshold, proportions=percent)
    scale, decimals = (100.0, 1) if percent else (1.0, 2)
    suppressed = flagged["suppressed"].fillna(True).astype(bool).to_numpy()
    is_flagged = flagged["flagged"].fillna(False).astype(bool).to_numpy() & ~suppressed
    n = pd.to_numeric(flagged["n"], errors="coerce")
    small = (n < disclosure_threshold).fillna(True).to_numpy()

    est = _fixed(flagged["estimate"] * scale, decimals)
    low = _fixed(flagged["ci_low"] * scale, decimals)
    high = _fixed(flagged["ci_high"] * scale, decimals)
    ci = (low + "–" + high).where((low != SUPPRESSED) & (high != SUPPRESSED), SUPPRESSED)
    se = _fixed(flagged["se"] * scale, 2)
    deff = _fixed(flagged["deff"], 2)
    n_text = _fixed(n, 0).where(~small, f"&lt; {int(disclosure_threshold)}")
    n_eff = _fixed(flagged["n_eff"], 0)
    for column in (est, ci, se, deff, n_eff):
        column[suppressed] = SUPPRESSED

    # One marker per distinct reason, in order of first appearance.
    reasons = flagged["flag_reason"].fillna("").astype(str).map(lambda r: " ".join(r.split()))
    needs_note = suppressed | is_flagged
    reasons = reasons.where(needs_note, "")
    reasons[needs_note & (reasons == "").to_numpy()] = "did not meet the reliability standard"
    distinct = list(dict.fromkeys(reasons[needs_note]))
    marker_of = {reason: _MARKERS[i % len(_MARKERS)] * (1 + i // len(_MARKERS))
                 for i, reason in enumerate(distinct)}
    markers = reasons.map(lambda r: f'<sup class="sat-marker">{marker_of[r]}</sup>' if r else "")
    status = np.where(suppressed, "suppressed", np.where(is_flagged, "flagged", "reliable"))
    status_text = pd.Series(status, index=flagged.index).astype(object) + markers
    row_class = pd.Series(
        np.where(suppressed, "sat-suppressed", np.where(is_flagged, "sat-flagged", "sat-ok")),
        index=flagged.index,
    )

    domains = _domain_labels(flagged.index, labels)
    domain_cells = pd.Series("", index=range(len(domains)), dtype=object)
    for column in domains.columns:
        domain_cells = domain_cells + '<td class="sat-domain">' + domains[column].to_numpy() + "</td>"
    values = [est, ci, se, deff, n_text, n_eff]
    classes = ["sat-estimate", "sat-ci", "sat-se", "sat-deff", "sat-n", "sat-neff"]
    body = domain_cells.to_numpy().astype(object)
    for cls, column in zip(classes, values, strict=True):
        body = body + f'<td class="{cls}">' + column.to_numpy().astype(object) + "</td>"
    body = body + '<td class="sat-flag">' + status_text.to_numpy().astype(object) + "</td>"
    rows = "".join(
        ('<tr class="' + row_class.to_numpy().astype(object) + '">' + body + "</tr>").tolist()
    )

    level = f"{confidence * 100:g} %"
    unit = " (%)" if percent else ""
    head_domain = "".join(
        f'<th scope="col" class="sat-domain">{html_text(c.replace("_", " ").capitalize())}</th>'
        for c in domains.columns
    )
    head = (
        f"<thead><tr>{head_domain}"
        f'<th scope="col">{html_text(estimate_label or ("Estimate" + unit))}</th>'
        f'<th scope="col">{level} CI{unit}</th>'
        f'<th scope="col">SE{" (pp)" if percent else ""}</th>'
        '<th scope="col">Design effect</th><th scope="col">n</th>'
        '<th scope="col">n<sub>eff</sub></th><th scope="col">Reliability</th></tr></thead>'
    )
    cap = f"<caption>{html_text(caption)}</caption>" if caption else ""
    notes = "".join(
        f'<p><sup class="sat-marker">{marker_of[r]}</sup> {html_text(r)}</p>' for r in distinct
    )
    legend = (
        f"<p>{SUPPRESSED} suppressed: the estimate is not shown. Cells with fewer than "
        f"{int(disclosure_threshold)} respondents are never shown.</p>"
        if suppressed.any()
        else ""
    )
    footer = f'<div class="sat-footnotes">{notes}{legend}</div>' if notes or legend else ""
    return EstimatesHTML(
        f'<table class="sat-estimates">{cap}{head}<tbody>{rows}</tbody></table>{footer}'
    )
