"""Headline figures that notebooks save, and the index built from them and from the pages on disk.

A notebook calls :func:`save_headline` with the few numbers a reviewer looks for first (the
satisfaction rate and its interval, the respondents, the change on the baseline year). The
index (:func:`render_index`) opens with each year's findings in plain words
(:func:`satisfaction.report.summary.index_findings`, computed from those figures), links the
methods and glossary page, and lists every year, latest first, with those figures (numbers in
each language's format, :mod:`satisfaction.report.formats`: a rate has the two decimals it has
on every page), the year's tables to download (:func:`satisfaction.report.downloads.year_links`)
and every analysis page: a link to it, when it was built, and what the last run left (up to
date; failed, with its one line and the previous good page still shown; not run because a step
it needs failed; not built yet).
Everything comes from the reports folder -- each page's manifest, failure record and headline
figures (:mod:`satisfaction.report.pages`) -- never from a run's memory. It is written in two
editions, ``index.html`` (Vietnamese) and ``index.en.html`` (English), linked to each other,
every word through the catalogue (:data:`INDEX_TEXT`, :data:`LABELS`). Like the pages, each is
one self-contained file: no script, no font or style sheet fetched from anywhere, every value
HTML-escaped.

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

import functools
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
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, Language, Message, _
from ..io import write_text_atomic
from ..params import available_years, load_params, params_path
from .formats import MISSING, count, decimal, p_value, percent, points
from .pages import EDITION_NAMES, Page, edition_file, failure_files, index_file, read_page
from .provenance import git_state

_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "index"

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

LABELS: dict[str, Message] = {
    "n_valid": N_("Valid answers"),
    "deff": N_("Design effect"),
    "published_rate": N_("Published by the ministry (%)"),
    "rows_in": N_("Rows in the raw file"),
    "quarantined": N_("Rows quarantined"),
    "change_relative_pct": N_("Relative change (%)"),
    "change_p_value": N_("p-value of the change"),
    "units": N_("Units ranked"),
    "par_units": N_("PAR units"),
    "par_excellent": N_("PAR excellent"),
    "par_good": N_("PAR good"),
    "par_fair": N_("PAR fair"),
    "par_completed": N_("PAR completed"),
    "par_not_completed": N_("PAR not completed"),
}
"""Readable labels of headline keys the index has no special layout for (in every language)."""

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


INDEX_TEXT: dict[str, Message] = {
    "title": N_("Citizen satisfaction with public-security services (CAND): reports"),
    "synthetic_title": N_("Synthetic data — not the ministry's survey."),
    "synthetic_all": N_(
        "Every year below is built from a generated sample, calibrated to the figures the "
        "ministry published where it published any; the pages illustrate the method and are "
        "not survey results."),
    "synthetic_some": N_(
        "The years marked “synthetic” below are built from a generated sample, calibrated to "
        "the figures the ministry published where it published any; their pages illustrate the "
        "method and are not survey results."),
    "lead": N_(
        "One page per analysis and survey year. Every estimate carries its {level} confidence "
        "interval, its number of respondents and a reliability flag; every page ends with the "
        "data file hash, code commit and package versions that produced it."),
    "editions": N_("This index in another language"),
    "years": N_("Years"),
    "synthetic_tag": N_("synthetic"),
    "synthetic_data_tag": N_("synthetic data"),
    "nothing_built": N_("No report has been built yet: run"),
    "no_headline": N_("No headline figures saved for this year yet."),
    "analysis": N_("Analysis"),
    "page": N_("Page"),
    "open": N_("Read the page"),
    "built": N_("Built"),
    "status": N_("Status"),
    "partial": N_("partly executed notebook"),
    "written": N_("Index written {when} (UTC) from code commit"),
    "tree": N_("working tree: {state}"),
    "summary": N_("Summary of findings"),
    "downloads": N_("Tables to download"),
    "methods": N_("Methods and glossary"),
}
"""The index's own words, rendered in each edition's language."""

_TREE = {None: N_("unknown"), True: N_("uncommitted changes"), False: N_("clean")}
_STATUS = {
    "ok": N_("up to date"),
    "missing": N_("not built yet"),
    "failed": N_("last run failed ({when}); no page yet"),
    "stale": N_("last run failed ({when}): this is the previous good page"),
    "skipped": N_("not run ({when}): a step it needs failed; no page yet"),
    "skipped_stale": N_("not run ({when}): a step it needs failed; this is the previous good page"),
}


def _level(level: Any, lang: Language) -> str:
    """The confidence level as a percentage: ``0.95`` -> ``95 %``."""
    value = float(level) * 100 if isinstance(level, (int, float)) else 95.0
    return f"{decimal(value, 0 if value == round(value) else 1, lang)} %"


def _value(key: str, value: Any, lang: Language) -> str:
    """A headline value that has no special layout, by its kind."""
    if value is None:
        return MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if "p_value" in key:
        return p_value(value, lang)
    if key.startswith("change_"):  # a change has a direction: signed, as on the pages
        return decimal(value, 2, lang, signed=True)
    return count(value, lang) if isinstance(value, int) else decimal(value, 2, lang)


def _as_percent(figures: dict[str, Any]) -> dict[str, Any]:
    """Proportions (0-1) as estimate tables hold them -> the percentage keys."""
    f = dict(figures)
    for short, long in (("rate", "satisfaction_rate"), ("ci_low", "satisfaction_ci_low"),
                        ("ci_high", "satisfaction_ci_high")):
        value = f.pop(short, None)
        if long not in f and isinstance(value, (int, float)) and not isinstance(value, bool):
            f[long] = 100.0 * float(value)
    return f


def _interval(f: dict[str, Any], low: str, high: str, message: Message, lang: Language, *,
              signed: bool = False) -> str:
    """A confidence interval as the pages write it: "95 % CI 96.10 % to 96.80 %" for a rate,
    "+8.82 to +10.73 points" (signed) for a change."""
    if not all(isinstance(f.get(k), (int, float)) for k in (low, high)):
        return ""
    if signed:
        ends = [decimal(f[k], 2, lang, signed=True) for k in (low, high)]
    else:
        ends = [percent(_fraction(f[k]), lang=lang) for k in (low, high)]
    return message.format(level=_level(f.get("confidence", 0.95), lang),
                          low=ends[0], high=ends[1]).render(lang)


def headline_items(figures: dict[str, Any], lang: Language = "en") -> list[dict[str, Any]]:
    """The headline figures of a year as (label, value, note) items for the index, in order.

    Numbers follow :mod:`satisfaction.report.formats` in ``lang``: one rule per kind of quantity.

    Examples:
        >>> f = {"satisfaction_rate": 96.45, "satisfaction_ci_low": 96.1,
        ...      "satisfaction_ci_high": 96.8, "respondents": 22250, "change_pp": 9.76,
        ...      "baseline_year": 2019}
        >>> [(i["label"], i["value"]) for i in headline_items(f)]
        [('Satisfied or very satisfied', '96.45 %'), ('Respondents', '22,250'), ('Change on 2019', '+9.76 points')]
        >>> headline_items(f)[0]["note"]
        '95 % CI 96.10 % to 96.80 %'
        >>> [i["value"] for i in headline_items(f, "vi")]
        ['96,45 %', '22.250', '+9,76 điểm']
    """
    f = _as_percent(figures)
    used = {"confidence", "satisfaction_ci_low", "satisfaction_ci_high", "change_ci_low",
            "change_ci_high", "baseline_year"}
    items: list[dict[str, Any]] = []
    if "satisfaction_rate" in f:
        items.append({
            "label": _("Satisfied or very satisfied").render(lang),
            "value": percent(_fraction(f["satisfaction_rate"]), lang=lang),
            "note": _interval(f, "satisfaction_ci_low", "satisfaction_ci_high",
                              _("{level} CI {low} to {high}"), lang),
        })
    if "respondents" in f:
        items.append({"label": _("Respondents").render(lang),
                      "value": _value("respondents", f["respondents"], lang), "note": ""})
    if "change_pp" in f:
        base = f.get("baseline_year")
        label = (_("Change on {year}").format(year=str(base)) if base is not None
                 else _("Change on the baseline year"))
        items.append({
            "label": label.render(lang),
            "value": points(_fraction(f["change_pp"]), lang=lang),
            "note": _interval(f, "change_ci_low", "change_ci_high",
                              _("{level} CI {low} to {high} points"), lang, signed=True),
        })
    if "par_index_mean" in f:
        items.append({"label": _("PAR index, mean over units").render(lang),
                      "value": percent(_fraction(f["par_index_mean"]), lang=lang), "note": ""})
    used.update({"satisfaction_rate", "respondents", "change_pp", "par_index_mean"})
    for item in items:
        item["primary"] = True
    for key, value in f.items():
        if key not in used:
            label = LABELS[key].render(lang) if key in LABELS else _label(key)
            items.append({"label": label, "value": _value(key, value, lang), "note": "",
                          "primary": False})
    return items


def _fraction(value: Any) -> Any:
    """A percentage (0-100) as the proportion the formats take (other values as they are)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return float(value) / 100.0


def _label(key: str) -> str:
    """A readable label for a headline key no label is written for: ``par_x`` -> ``PAR x``."""
    words = key.replace("_", " ").strip()
    if words.lower().startswith("par "):
        return "PAR " + words[4:]
    return words.capitalize()


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"


def _when(stamp: str | None) -> str:
    """``2026-11-27T15:25:03Z`` -> ``2026-11-27 15:25 UTC``."""
    if not stamp:
        return MISSING
    return str(stamp).replace("T", " ")[:16] + " UTC"


def _status(page: Page) -> str:
    """ok, missing, failed, stale, skipped or skipped_stale: what the last run left."""
    if page.failure is None:
        return "ok" if page.exists else "missing"
    skipped = "skipped" if page.failure.get("skipped") else ""
    if page.exists:
        return f"{skipped}_stale" if skipped else "stale"
    return skipped or "failed"


def _page_entry(year_dir: Path, page: Page, index_root: Path, lang: Language) -> dict[str, Any]:
    """One row of a year's table: the page in ``lang`` (else the edition there is) and its state."""
    shown = lang if lang in page.editions else (page.editions[0] if page.editions else None)
    href = size = ""
    if shown is not None:
        path = year_dir / edition_file(page.name, shown)
        href, size = path.relative_to(index_root).as_posix(), _size(path)
    status = _status(page)
    failure = page.failure or {}
    partial = failure_files(page.name)[1]
    return {
        "name": page.name,
        "title": page.title(lang) or page.name.split("_", 1)[-1].replace("_", " ").capitalize(),
        "href": href, "file": Path(href).name if href else "", "size": size,
        "built": _when(page.built_utc) if page.exists else MISSING,
        "status": status,
        "status_text": _STATUS[status].format(when=_when(failure.get("failed_utc"))).render(lang)
        if failure else _STATUS[status].render(lang),
        "failure": str(failure.get("message", "")),
        "partial_href": (year_dir / partial).relative_to(index_root).as_posix()
        if page.partial and failure else "",
    }


def _page_names(year_dir: Path, names: list[str]) -> list[str]:
    """The analyses of a year: the notebooks', then any other page found in the folder."""
    suffixes = tuple(f".{lang}" for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)
    found: set[str] = set()
    for pattern, cut in (("*.html", ".html"), ("*.failed.json", ".failed.json"),
                         ("*.failed.ipynb", ".failed.ipynb"), ("*.manifest.json", ".manifest.json")):
        for path in year_dir.glob(pattern):
            stem = path.name[: -len(cut)]
            for suffix in suffixes:
                stem = stem.removesuffix(suffix)
            if _NAME.match(stem) and not stem.startswith("."):
                found.add(stem)
    return names + sorted(n for n in found if n not in names)


def _year_entry(root: Path, year: int, names: list[str], pdir: Path | None) -> dict[str, Any]:
    """What the index shows of one year, read from its folder (languages applied later)."""
    from .summary import index_findings

    try:
        params = load_params(year, params_path(year, pdir))
        synthetic, confidence = params.synthetic, params.confidence
    except Exception:  # noqa: BLE001 - shown as synthetic: never pass unknown data as real
        synthetic, confidence = True, 0.95
    year_dir = root / str(year)
    all_names = _page_names(year_dir, names)
    figures: dict[str, Any] = {}
    headlines = load_headlines(year, root)
    for name in all_names + sorted(set(headlines) - set(all_names)):
        for key, value in headlines.get(name, {}).items():
            figures.setdefault(key, value)
    return {"year": year, "synthetic": synthetic, "confidence": confidence, "figures": figures,
            "findings": index_findings(year, headlines, synthetic=synthetic),
            "dir": year_dir, "pages": [read_page(year_dir, n) for n in all_names]}


@functools.cache
def _environment() -> Any:
    """The index template's environment (made once a process: the run writes the index often)."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATE)),
                              autoescape=True, trim_blocks=False)


def _downloads(links: list[dict[str, str]], lang: Language) -> dict[str, Any] | None:
    """A year's downloads as the index shows them: the workbook in view, the CSV files folded
    under one line that counts them (the workbook holds them all); None when there are none."""
    if not links:
        return None
    csvs = [d for d in links if d["kind"] == "csv"]
    return {"workbooks": [d for d in links if d["kind"] != "csv"], "csvs": csvs,
            "csv_summary": _("Each table on its own, as CSV ({n} files)").format(
                n=count(len(csvs), lang)).render(lang)}


def _render_edition(entries: list[dict[str, Any]], root: Path, lang: Language,
                    context: dict[str, Any]) -> str:
    from markupsafe import Markup

    from .downloads import year_links
    from .methods import methods_href

    text = {k: m.render(lang) for k, m in INDEX_TEXT.items() if k not in ("lead", "written", "tree")}
    confidence = entries[0]["confidence"] if entries else 0.95
    text["lead"] = INDEX_TEXT["lead"].format(level=_level(confidence, lang)).render(lang)
    text["written"] = INDEX_TEXT["written"].format(when=context["generated"]).render(lang)
    text["tree"] = INDEX_TEXT["tree"].format(state=_TREE[context["dirty"]]).render(lang)
    years = [{
        "year": e["year"], "synthetic": e["synthetic"],
        "headline": headline_items(e["figures"], lang),
        "findings": [" ".join(finding.render(lang).split()) for finding in e["findings"]],
        "downloads": _downloads(year_links(e["year"], root, lang), lang),
        "notebooks": [_page_entry(e["dir"], page, root, lang) for page in e["pages"]],
    } for e in entries]
    return _environment().get_template("index.html.j2").render(
        lang=lang, text=text, years=years, methods_href=methods_href(lang, from_year_page=False),
        css=Markup((_TEMPLATE / "index.css").read_text("utf-8")),
        any_synthetic=any(e["synthetic"] for e in entries),
        all_synthetic=bool(entries) and all(e["synthetic"] for e in entries),
        editions=[{"lang": o, "href": index_file(o), "name": EDITION_NAMES[o]}
                  for o in LANGUAGES if o != lang],
        commit=context["commit"],
    )


def render_index(
    reports_dir: str | Path | None = None,
    *,
    years: list[int] | None = None,
    notebooks: list[str] | None = None,
    params_dir: str | Path | None = None,
    now: datetime | None = None,
    code_state: tuple[str, bool | None] | None = None,
) -> Path:
    """Write the index, one file per edition: every year (latest first) x every analysis.

    Everything shown is read from the reports folder (each page's manifest, failure record
    and headline figures), never from a run's memory: ``reports/index.html`` (Vietnamese)
    and ``reports/index.en.html`` (English), each linking to the other and to the pages of its
    own language.

    Args:
        reports_dir: the reports folder (default: ``reports/``).
        years: the years listed (every year with a params file if None).
        notebooks: the analyses listed (every ``notebooks/NN_*.ipynb`` if None); pages found in
            a year's folder are listed too.
        params_dir: where the per-year params files are (``params/`` if None).
        now: the time stamped on the index (now, UTC, if None).
        code_state: the code's commit and whether the working tree is dirty, as
            :func:`satisfaction.report.provenance.git_state` says (asked now if None; a run that
            writes the index after every page asks once).

    Returns:
        The path of the default edition (``index.html``).
    """
    root = Path(reports_dir) if reports_dir is not None else config.REPORTS
    pdir = Path(params_dir) if params_dir is not None else None
    year_list = sorted(set(years if years is not None else available_years(pdir)), reverse=True)
    names = [_stem(n) for n in notebooks] if notebooks is not None else [
        p.stem for p in sorted(config.NOTEBOOKS.glob("*.ipynb")) if _NOTEBOOK.match(p.stem)
    ]
    entries = [_year_entry(root, year, names, pdir) for year in year_list]
    commit, dirty = code_state if code_state is not None else git_state()
    context = {"commit": commit, "dirty": dirty,
               "generated": (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")}
    for lang in LANGUAGES:
        write_text_atomic(root / index_file(lang), _render_edition(entries, root, lang, context))
    return root / index_file(DEFAULT_LANGUAGE)
