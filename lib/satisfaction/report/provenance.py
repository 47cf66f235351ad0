"""The provenance stamp of a report page: which data, which code, which packages, which parameters.

Every HTML page ends with a block that lets a reviewer trace the numbers back: the SHA-256 of
the year's raw data file, the git commit of the code and whether the working tree had
uncommitted changes, the time of the run (UTC), the Python and package versions, and the
parameters the notebook ran with. The batch runner collects it once per year
(:func:`collect_provenance`) and hands it to the HTML export (:func:`provenance_html`).

Not for: running notebooks (see :mod:`satisfaction.report.runner`) or rendering pages
(see :mod:`satisfaction.report.html`). Only read-only git commands are run here.
"""

from __future__ import annotations

import json
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import config
from ..i18n import N_, Language, _
from ..io import sha256_file
from ..params import load_params
from .escape import html_text

__all__ = [
    "KEY_PACKAGES",
    "UNKNOWN",
    "Provenance",
    "collect_provenance",
    "git_state",
    "package_versions",
    "provenance_html",
]

KEY_PACKAGES: tuple[str, ...] = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "seaborn",
    "matplotlib",
    "papermill",
    "nbconvert",
    "satisfaction",
)
"""The packages whose versions every page states."""

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Provenance:
    """What made a report page: data hash, code commit, run time, versions, parameters.

    Attributes:
        year: the survey year of the page.
        data_file: the raw data file of the year (as a path relative to the project root when
            it lies inside it).
        data_sha256: SHA-256 of that file, or ``"unknown"`` when it is missing.
        commit: the git commit (full hash) of the code, or ``"unknown"`` outside git.
        dirty: whether the working tree had uncommitted changes (``None`` when unknown).
        run_time_utc: ISO 8601 time of the run, UTC, to the second.
        python: the Python version.
        packages: package name -> version (``"not installed"`` when absent).
        parameters: the parameters the notebook ran with (papermill's and the year's params).
    """

    year: int
    data_file: str
    data_sha256: str
    commit: str
    dirty: bool | None
    run_time_utc: str
    python: str
    packages: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (for the executed notebook's metadata and for tests)."""
        return asdict(self)


def git_state(root: str | Path | None = None) -> tuple[str, bool | None]:
    """The commit checked out at ``root`` and whether the working tree is dirty.

    Only read-only commands run (``git rev-parse HEAD``, ``git status --porcelain``). Ignored
    files (reports, processed data) do not make the tree dirty.

    Args:
        root: a folder inside the repository; the project root by default.

    Returns:
        ``(commit, dirty)``; ``("unknown", None)`` outside a git checkout or without git.

    Examples:
        >>> import tempfile
        >>> git_state(tempfile.gettempdir())
        ('unknown', None)
    """
    cwd = Path(root) if root is not None else config.ROOT

    def _git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return UNKNOWN, None
    status = _git("status", "--porcelain", "--untracked-files=normal")
    return commit.strip(), (None if status is None else bool(status.strip()))


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    """Installed versions of ``names`` (``"not installed"`` for a missing one).

    Examples:
        >>> package_versions(("satisfaction", "no-such-package-xyz"))["no-such-package-xyz"]
        'not installed'
    """
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(config.ROOT).as_posix()
    except ValueError:
        return str(path)


def _plain(value: Any) -> Any:
    """Parameters as JSON-ready values (paths as text)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def collect_provenance(
    year: int,
    params_file: str | Path | None = None,
    *,
    parameters: dict[str, Any] | None = None,
    run_time: datetime | None = None,
    root: str | Path | None = None,
) -> Provenance:
    """Collect the provenance stamp of one year's pages.

    Args:
        year: the survey year.
        params_file: the params file the notebooks run with (``params/<year>.yaml`` if None).
        parameters: the papermill parameters; defaults to ``{"year", "params_file"}``.
        run_time: the time of the run (now, UTC, if None); naive times are taken as UTC.
        root: the repository whose commit is stamped (the project root if None).

    Returns:
        A :class:`Provenance`; its ``parameters`` hold ``papermill`` (what was injected) and
        ``params`` (the year's YAML as read).

    Examples:
        >>> p = collect_provenance(2020, run_time=datetime(2021, 1, 2, 3, 4, 5, tzinfo=UTC))
        >>> p.run_time_utc, p.parameters["papermill"]["year"], len(p.data_sha256) in (7, 64)
        ('2021-01-02T03:04:05Z', 2020, True)
    """
    params = load_params(year, params_file)
    try:
        digest = sha256_file(params.raw_file)
    except OSError:
        digest = UNKNOWN
    commit, dirty = git_state(root)
    when = run_time or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    papermill = parameters if parameters is not None else {
        "year": int(year),
        "params_file": str(params.source) if params.source else None,
    }
    return Provenance(
        year=int(year),
        data_file=_relative(params.raw_file),
        data_sha256=digest,
        commit=commit,
        dirty=dirty,
        run_time_utc=when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        python=platform.python_version(),
        packages=package_versions(),
        parameters={"papermill": _plain(papermill), "params": _plain(params.raw)},
    )


def _text(value: Any) -> str:
    """A value for HTML (:func:`~satisfaction.report.escape.html_text`); lists and dicts as JSON."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return html_text(value)


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        rows: list[tuple[str, Any]] = []
        for key, item in value.items():
            rows.extend(_flatten(f"{prefix}.{key}" if prefix else str(key), item))
        return rows
    return [(prefix, value)]


_TREE = {None: N_("unknown"), True: N_("uncommitted changes"), False: N_("clean")}


def provenance_html(prov: Provenance | dict[str, Any], lang: Language = "en") -> str:
    """The provenance block of a page, every value HTML-escaped, its words in ``lang``.

    Args:
        prov: a :class:`Provenance` or its :meth:`~Provenance.to_dict`.
        lang: the language of the page's edition.

    Returns:
        A ``<section class="sat-provenance">`` element.

    Examples:
        >>> p = Provenance(2020, "data/raw/x.csv", "ab" * 32, "unknown", None,
        ...                "2021-01-02T03:04:05Z", "3.11.9", {"pandas": "3.1.1"},
        ...                {"papermill": {"year": 2020}})
        >>> block = provenance_html(p)
        >>> "data/raw/x.csv" in block, "unknown" in block, "<script" in block
        (True, True, False)
        >>> "Nguồn gốc" in provenance_html(p, lang="vi")
        True
    """
    data = prov.to_dict() if isinstance(prov, Provenance) else dict(prov)
    dirty = data.get("dirty")
    tree = _TREE[None if dirty is None else bool(dirty)].render(lang)
    packages = ", ".join(f"{k} {v}" for k, v in (data.get("packages") or {}).items())
    rows = [
        (_("Data file"), f"<code>{_text(data.get('data_file', UNKNOWN))}</code>"),
        (_("Data SHA-256"),
         f"<code class=\"sat-hash\">{_text(data.get('data_sha256', UNKNOWN))}</code>"),
        (_("Code commit"), f"<code>{_text(data.get('commit', UNKNOWN))}</code> ("
         + _text(_("working tree: {state}").format(state=tree).render(lang)) + ")"),
        (_("Run time (UTC)"), _text(data.get("run_time_utc", UNKNOWN))),
        (_("Python"), _text(data.get("python", UNKNOWN))),
        (_("Packages"), _text(packages)),
    ]
    params = _flatten("", data.get("parameters") or {})
    param_rows = "".join(
        f"<tr><th scope=\"row\"><code>{_text(k)}</code></th><td><code>{_text(v)}</code></td></tr>"
        for k, v in params
    )
    body = "".join(f"<tr><th scope=\"row\">{_text(k.render(lang))}</th><td>{v}</td></tr>"
                   for k, v in rows)
    heading = _text(_("Provenance").render(lang))
    lead = _text(_("What produced this page: the data, the code, the software and the "
                   "parameters.").render(lang))
    used = _text(_("Parameters used").render(lang))
    return (
        '<section class="sat-provenance">'
        f'<h2 id="provenance">{heading}</h2>'
        f"<p>{lead}</p>"
        f'<table class="sat-provenance-table">{body}</table>'
        f"<details><summary>{used}</summary>"
        f'<table class="sat-provenance-params">{param_rows}</table></details>'
        "</section>"
    )
