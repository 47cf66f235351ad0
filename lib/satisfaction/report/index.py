"""Headline figures that notebooks save, and the index page ``reports/index.html`` built from them.

A notebook calls :func:`save_headline` with the few numbers a reviewer looks for first (the
satisfaction rate and its interval, the respondents, the change on the baseline year). The
index (:func:`render_index`) lists every year, latest first, with those figures and a link to
every analysis page. Like the pages, the index is one self-contained file: no script, no font
or style sheet fetched from anywhere, every value HTML-escaped.

Headline keys with a meaning on the index (all optional; others are shown as they are):

==========================================  ==============================================
``respondents``                             valid respondents (integer)
``satisfaction_rate``                       weighted % satisfied (0-100)
``satisfaction_ci_low`` / ``_ci_high``      its confidence interval (0-100)
``rate`` / ``ci_low`` / ``ci_high``         the same as proportions (0-1), as estimate
                                            tables hold them
``confidence``                              the confidence level of the intervals (0.95)
``change_pp``                               change on the baseline, percentage points
``change_ci_low`` / ``change_ci_high``      its interval (points)
``baseline_year``                           the year compared with
``par_index_mean``                          mean PAR index over units (0-100)
==========================================  ==============================================

Other keys are shown with a readable label (:data:`LABELS`, else the key) and their value.
The path :func:`save_headline` returns displays as nothing in a notebook, so it never reaches a
page.

Not for: rendering notebook pages (see :mod:`satisfaction.report.html`) or running them
(see :mod:`satisfaction.report.runner`).
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from datetime import UTC, datetime
from numbers import Integral, Real
from pathlib import Path
from typing import Any

from .. import config
from ..io import write_text_atomic
from ..params import available_years, load_params, params_path
from .provenance import git_state

__all__ = [
    "LABELS",
    "REPORTS_ENV",
    "STAGING_ENV",
    "headline_items",
    "headline_path",
    "load_headlines",
    "render_index",
    "save_headline",
]

REPORTS_ENV = "SATISFACTION_REPORTS"
"""Environment variable naming the reports folder (set by the batch runner for its kernels)."""
STAGING_ENV = "SATISFACTION_STAGING"
"""Environment variable naming a staging folder: headlines wait there until the run succeeds."""

LABELS: dict[str, str] = {
    "n_valid": "Valid answers",
    "deff": "Design effect",
    "published_rate": "Published by the ministry (%)",
    "rows_in": "Rows in the raw file",
    "quarantined": "Rows quarantined",
    "change_relative_pct": "Relative change (%)",
    "change_p_value": "p-value of the change",
    "units": "Units ranked",
}
"""Readable labels of headline keys the index has no special layout for."""

_NAME = re.compile(r"^[\w.\-]+$")
_NOTEBOOK = re.compile(r"^\d\d_[\w\-]+$")


def _reports_root(reports_dir: str | Path | None) -> Path:
    if reports_dir is not None:
        return Path(reports_dir)
    return Path(os.environ.get(REPORTS_ENV) or config.REPORTS)


def _plain_value(key: str, value: Any) -> int | float | str | bool | None:
    if value is None or isinstance(value, (bool, str)):
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        value = value.item()  # numpy / pandas scalars
    if isinstance(value, bool):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        value = float(value)
        return value if math.isfinite(value) else None
    raise TypeError(
        f"headline figure {key!r} must be a number or a string, not {type(value).__name__}"
    )


class HeadlinePath(type(Path())):  # type: ignore[misc]
    """The path :func:`save_headline` returns: shows nothing when it ends a notebook cell.

    A notebook that ends a cell with ``save_headline(...)`` would otherwise print the path
    (a staging folder during a batch run) on the reviewer's page.
    """

    def _ipython_display_(self) -> None:
        return None


def headline_path(year: int, notebook: str, reports_dir: str | Path | None = None) -> Path:
    """Where the headline figures of one notebook and year are kept."""
    return _reports_root(reports_dir) / str(int(year)) / f"{_stem(notebook)}.headline.json"


def _stem(notebook: str) -> str:
    stem = str(notebook)
    stem = stem.removesuffix(".ipynb")
    if not stem or not _NAME.match(stem) or stem.startswith("."):
        raise ValueError(f"notebook name {notebook!r} is not a plain notebook name")
    return stem


def save_headline(
    year: int, notebook: str, figures: dict[str, Any], *, reports_dir: str | Path | None = None
) -> Path:
    """Save a notebook's headline figures for the index page (JSON, written atomically).

    Inside a batch run the figures are staged and only published when the notebook succeeds,
    so a failed run leaves the last good figures in place.

    Args:
        year: the survey year.
        notebook: the notebook's name, e.g. ``"02_satisfaction"`` (``.ipynb`` allowed).
        figures: key -> number or string (numpy scalars accepted; NaN is stored as null).
            See the module docstring for the keys the index knows.
        reports_dir: the reports folder (default: ``$SATISFACTION_REPORTS`` or ``reports/``).

    Returns:
        The path written.

    Raises:
        TypeError: a value is not a number or a string, or ``figures`` is not a mapping.
        ValueError: a key is empty or the notebook name is not plain.

    Examples:
        >>> import tempfile, json
        >>> p = save_headline(2020, "02_satisfaction", {"respondents": 22250,
        ...                   "satisfaction_rate": 96.45}, reports_dir=tempfile.mkdtemp())
        >>> p.name, json.loads(p.read_text())["figures"]["respondents"]
        ('02_satisfaction.headline.json', 22250)
    """
    if not isinstance(figures, dict):
        raise TypeError(f"figures must be a dict of key -> number or string, not {type(figures).__name__}")
    clean: dict[str, Any] = {}
    for key, value in figures.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"headline keys must be non-empty strings, got {key!r}")
        clean[unicodedata.normalize("NFC", key.strip())] = _plain_value(key, value)
    stem = _stem(notebook)
    staging = os.environ.get(STAGING_ENV)
    target = (
        Path(staging) / str(int(year)) / f"{stem}.headline.json"
        if staging and reports_dir is None
        else headline_path(year, stem, reports_dir)
    )
    payload = {"year": int(year), "notebook": stem, "figures": clean}
    written = write_text_atomic(target, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    return HeadlinePath(written)


def load_headlines(year: int, reports_dir: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The saved headline figures of a year: notebook -> figures (unreadable files skipped).

    Examples:
        >>> import tempfile
        >>> d = tempfile.mkdtemp()
        >>> _ = save_headline(2019, "02_satisfaction", {"respondents": 20000}, reports_dir=d)
        >>> load_headlines(2019, d)
        {'02_satisfaction': {'respondents': 20000}}
    """
    folder = _reports_root(reports_dir) / str(int(year))
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.headline.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("figures"), dict):
            out[path.name[: -len(".headline.json")]] = data["figures"]
    return out


def _number(value: Any, decimals: int, suffix: str = "", signed: bool = False) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—" if value is None else str(value)
    text = f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"
    return text + suffix


def headline_items(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline figures of a year as (label, value, note) items for the index, in order.

    Examples:
        >>> items = headline_items({"satisfaction_rate": 96.45, "satisfaction_ci_low": 96.1,
        ...     "satisfaction_ci_high": 96.8, "respondents": 22250, "change_pp": 9.76,
        ...     "baseline_year": 2019})
        >>> [(i["label"], i["value"]) for i in items]
        [('Satisfied or very satisfied', '96.45 %'), ('Respondents', '22,250'), ('Change on 2019', '+9.76 pp')]
        >>> items[0]["note"]
        '95 % CI 96.10–96.80'
    """
    f = dict(figures)
    # Proportions (0-1) as estimate tables hold them -> percentages.
    for short, long in (("rate", "satisfaction_rate"), ("ci_low", "satisfaction_ci_low"),
                        ("ci_high", "satisfaction_ci_high")):
        value = f.pop(short, None)
        if long not in f and isinstance(value, (int, float)) and not isinstance(value, bool):
            f[long] = 100.0 * float(value)
    used: set[str] = set()
    items: list[dict[str, Any]] = []  # label, value, note (text) and primary (bool)

    def ci(low: str, high: str, decimals: int, unit: str, level: Any) -> str:
        used.update({low, high})
        if f.get(low) is None or f.get(high) is None:
            return ""
        pct = f"{float(level) * 100:g} % " if isinstance(level, (int, float)) else "95 % "
        return f"{pct}CI {_number(f[low], decimals)}–{_number(f[high], decimals)}{unit}"

    level = f.get("confidence", 0.95)
    used.add("confidence")
    if "satisfaction_rate" in f:
        used.add("satisfaction_rate")
        items.append({
            "label": "Satisfied or very satisfied",
            "value": _number(f["satisfaction_rate"], 2, " %"),
            "note": ci("satisfaction_ci_low", "satisfaction_ci_high", 2, "", level),
        })
    if "respondents" in f:
        used.add("respondents")
        items.append({"label": "Respondents", "value": _number(f["respondents"], 0), "note": ""})
    if "change_pp" in f:
        used.update({"change_pp", "baseline_year"})
        base = f.get("baseline_year")
        items.append({
            "label": f"Change on {base}" if base is not None else "Change on baseline",
            "value": _number(f["change_pp"], 2, " pp", signed=True),
            "note": ci("change_ci_low", "change_ci_high", 2, " pp", level),
        })
    if "par_index_mean" in f:
        used.add("par_index_mean")
        items.append({"label": "PAR index, mean over units",
                      "value": _number(f["par_index_mean"], 2, " %"), "note": ""})
    for item in items:
        item["primary"] = True
    for key, value in f.items():
        if key in used:
            continue
        label = LABELS.get(key) or _label(key)
        if "p_value" in key and isinstance(value, float) and 0 <= value < 0.001:
            text = "< 0.001"
        else:
            text = _number(value, 0 if isinstance(value, int) else (3 if "p_value" in key else 2))
        items.append({"label": label, "value": text, "note": "", "primary": False})
    return items


def _label(key: str) -> str:
    """A readable label for a headline key: ``par_good`` -> ``PAR good``."""
    words = key.replace("_", " ").strip()
    if words.lower().startswith("par "):
        return "PAR " + words[4:]
    return words.capitalize()


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"


def _notebook_entry(year_dir: Path, name: str, index_root: Path) -> dict[str, str]:
    page = year_dir / f"{name}.html"
    failed = year_dir / f"{name}.failed.ipynb"
    executed = year_dir / f"{name}.ipynb"
    title = name.split("_", 1)[-1].replace("_", " ").capitalize()
    source = executed if executed.exists() else None
    if source is not None:
        try:
            import nbformat

            from .html import notebook_title

            title = notebook_title(nbformat.read(str(source), as_version=4), title)
        except Exception:  # noqa: BLE001, S110 - a damaged notebook must not break the index
            pass
    entry = {"name": name, "title": title, "href": "", "size": "", "status": "missing",
             "status_text": "not built yet"}
    if page.exists():
        entry.update(href=page.relative_to(index_root).as_posix(), size=_size(page),
                     status="ok", status_text="up to date")
        if failed.exists() and failed.stat().st_mtime > page.stat().st_mtime:
            entry.update(status="stale",
                         status_text="last run failed: this is the previous good page")
    elif failed.exists():
        entry.update(status="failed", status_text="last run failed: no page")
    return entry


def render_index(
    reports_dir: str | Path | None = None,
    *,
    years: list[int] | None = None,
    notebooks: list[str] | None = None,
    params_dir: str | Path | None = None,
    now: datetime | None = None,
) -> Path:
    """Write ``reports/index.html``: every year (latest first) x every analysis, with headlines.

    Args:
        reports_dir: the reports folder (default: ``reports/``).
        years: the years listed (every year with a params file if None).
        notebooks: the analyses listed (every ``notebooks/NN_*.ipynb`` if None); pages found in
            a year's folder are listed too.
        params_dir: where the per-year params files are (``params/`` if None).
        now: the time stamped on the index (now, UTC, if None).

    Returns:
        The path of the index page.
    """
    import jinja2
    from markupsafe import Markup

    from .html import TEMPLATES

    root = Path(reports_dir) if reports_dir is not None else config.REPORTS
    pdir = Path(params_dir) if params_dir is not None else None
    year_list = sorted(set(years if years is not None else available_years(pdir)), reverse=True)
    names = [_stem(n) for n in notebooks] if notebooks is not None else [
        p.stem for p in sorted(config.NOTEBOOKS.glob("*.ipynb")) if _NOTEBOOK.match(p.stem)
    ]
    entries = []
    confidence = 0.95
    for year in year_list:
        try:
            params = load_params(year, params_path(year, pdir))
            synthetic, confidence = params.synthetic, params.confidence
        except Exception:  # noqa: BLE001 - shown as synthetic: never pass unknown data as real
            synthetic = True
        year_dir = root / str(year)
        found = {p.name[: -len(".html")] for p in year_dir.glob("*.html")}
        found |= {p.name[: -len(".failed.ipynb")] for p in year_dir.glob("*.failed.ipynb")}
        all_names = names + sorted(n for n in found if n not in names and _NAME.match(n))
        figures: dict[str, Any] = {}
        headlines = load_headlines(year, root)
        for name in all_names + sorted(set(headlines) - set(all_names)):
            for key, value in headlines.get(name, {}).items():
                figures.setdefault(key, value)
        entries.append({
            "year": year,
            "synthetic": synthetic,
            "headline": headline_items(figures),
            "notebooks": [_notebook_entry(year_dir, n, root) for n in all_names],
        })
    commit, dirty = git_state()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "index")),
        autoescape=True,
        trim_blocks=False,
    )
    page = env.get_template("index.html.j2").render(
        title="Citizen satisfaction with public-security services (CAND): reports",
        css=Markup((TEMPLATES / "index" / "index.css").read_text("utf-8")),
        years=entries,
        any_synthetic=any(e["synthetic"] for e in entries),
        all_synthetic=bool(entries) and all(e["synthetic"] for e in entries),
        confidence_label=f"{confidence * 100:g} %",
        generated=(now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        commit=commit,
        tree="unknown" if dirty is None else ("uncommitted changes" if dirty else "clean"),
    )
    return write_text_atomic(root / "index.html", page)
