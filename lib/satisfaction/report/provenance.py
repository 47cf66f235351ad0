"""The provenance stamp of a report page: which data, which code, which packages, which parameters.

Every HTML page ends with a block that lets a reviewer trace the numbers back: the SHA-256 of
every input of the year (the raw survey file, the params file, the codebook, the office list,
the PAR table and its criteria, and the baseline year's raw file, params and PAR table that the
change pages read), the git commit of the code and whether the working tree had uncommitted
changes, the time of the run (UTC), the Python and package versions, and the parameters the
notebook ran with. Paths are shown relative to the repository; a file outside it by its name
alone: no page shows a path of the machine that made it. The batch runner collects the stamp
once per year (:func:`collect_provenance`) and hands it to the HTML export
(:func:`provenance_html`, in the edition's language).

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
from ..i18n import N_, Language, Message, render
from ..io import sha256_file
from ..params import YearParams, load_params, params_path
from .escape import html_text

__all__ = [
    "INPUT_ROLES",
    "KEY_PACKAGES",
    "UNKNOWN",
    "Provenance",
    "collect_provenance",
    "git_state",
    "input_files",
    "package_versions",
    "provenance_html",
    "shown_path",
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

INPUT_ROLES: dict[str, Message] = {
    "raw": N_("Raw survey file"),
    "params": N_("Parameters of the year"),
    "codebook": N_("Codebook (questionnaire)"),
    "offices": N_("Office list"),
    "par": N_("PAR index table"),
    "par_criteria": N_("PAR index criteria"),
    "baseline_raw": N_("Raw survey file of the baseline year"),
    "baseline_params": N_("Parameters of the baseline year"),
    "baseline_par": N_("PAR index table of the baseline year"),
    "baseline_codebook": N_("Codebook of the baseline year"),
}
"""Every input a year's pages read, as the provenance block names it."""


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
        inputs: every input file: ``{"role", "file", "sha256"}`` (:data:`INPUT_ROLES`).
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
    inputs: list[dict[str, str]] = field(default_factory=list)

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


def shown_path(path: str | Path, root: Path | None = None) -> str:
    """A path as a page shows it: relative to the repository, or the file's name alone.

    Examples:
        >>> from satisfaction import config
        >>> shown_path(config.ROOT / "data" / "raw" / "survey_2020.csv")
        'data/raw/survey_2020.csv'
        >>> shown_path("/home/someone/secret/survey.csv")
        '…/survey.csv'
    """
    base = (root or config.ROOT).resolve()
    target = Path(path)
    try:
        return target.resolve().relative_to(base).as_posix()
    except (ValueError, OSError):
        pass
    if not target.is_absolute():
        return target.as_posix()
    return f"…/{target.name}"


_ABSOLUTE = ("/", "\\")


def _plain(value: Any, root: Path | None = None) -> Any:
    """Parameters as JSON-ready values, every absolute path shown as :func:`shown_path` does."""
    if isinstance(value, dict):
        return {str(k): _plain(v, root) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, root) for v in value]
    if isinstance(value, Path) or (isinstance(value, str) and (
            value.startswith(_ABSOLUTE) or (len(value) > 2 and value[1:3] in (":\\", ":/")))):
        return shown_path(value, root)
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _digest(path: Path | None) -> str:
    try:
        return sha256_file(path) if path is not None else UNKNOWN
    except OSError:
        return UNKNOWN


def input_files(params: YearParams, baseline: YearParams | None = None) -> list[tuple[str, Path]]:
    """Every input file of a year's pages, ``(role, path)``, in the order the block lists them.

    Examples:
        >>> from satisfaction.params import load_params
        >>> [role for role, _ in input_files(load_params(2020), load_params(2019))]
        ['raw', 'params', 'codebook', 'offices', 'par', 'par_criteria', 'baseline_raw', 'baseline_params', 'baseline_par']
    """
    from ..par_index import CRITERIA_FILE

    codebook = getattr(params, "codebook", None) or config.CODEBOOK  # the year's questionnaire
    files: list[tuple[str, Path | None]] = [
        ("raw", params.raw_file), ("params", params.source), ("codebook", codebook),
        ("offices", params.offices_file), ("par", params.par_file),
    ]
    if params.par_file is not None:
        files.append(("par_criteria", CRITERIA_FILE))
    if baseline is not None:
        files += [("baseline_raw", baseline.raw_file), ("baseline_params", baseline.source),
                  ("baseline_par", baseline.par_file)]
        base_codebook = getattr(baseline, "codebook", None) or config.CODEBOOK
        if Path(base_codebook) != Path(codebook):
            files.append(("baseline_codebook", base_codebook))
    return [(role, Path(path)) for role, path in files if path is not None]


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
        baseline = (load_params(params.baseline_year,
                                params_path(params.baseline_year, Path(params.source).parent)
                                if params.source else None)
                    if params.baseline_year is not None else None)
    except Exception:  # noqa: BLE001 - a missing baseline is stated by the change pages
        baseline = None
    commit, dirty = git_state(root)
    when = run_time or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    papermill = parameters if parameters is not None else {
        "year": int(year),
        "params_file": str(params.source) if params.source else None,
    }
    inputs = [{"role": role, "file": shown_path(path), "sha256": _digest(path)}
              for role, path in input_files(params, baseline)]
    return Provenance(
        year=int(year),
        data_file=shown_path(params.raw_file),
        data_sha256=_digest(params.raw_file),
        commit=commit,
        dirty=dirty,
        run_time_utc=when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        python=platform.python_version(),
        packages=package_versions(),
        parameters={"papermill": _plain(papermill), "params": _plain(params.raw)},
        inputs=inputs,
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


_WORDS: dict[str, Message] = {
    "title": N_("Provenance"),
    "intro": N_("What produced this page: the data, the code, the software and the parameters."),
    "inputs": N_("Input files (SHA-256)"),
    "commit": N_("Code commit"),
    "tree": N_("working tree: {state}"),
    "clean": N_("clean"),
    "dirty": N_("uncommitted changes"),
    "unknown": N_("unknown"),
    "time": N_("Run time (UTC)"),
    "python": N_("Python"),
    "packages": N_("Packages"),
    "parameters": N_("Parameters used"),
}


def _role(role: Any, lang: Language) -> str:
    return html_text(render(INPUT_ROLES.get(str(role), str(role)), lang))


def provenance_html(prov: Provenance | dict[str, Any], lang: Language = "en") -> str:
    """The provenance block of a page in ``lang``, every value HTML-escaped.

    Args:
        prov: a :class:`Provenance` or its :meth:`~Provenance.to_dict`.
        lang: the edition's language (the labels; values are as recorded).

    Returns:
        A ``<section class="sat-provenance">`` element.

    Examples:
        >>> p = Provenance(2020, "data/raw/x.csv", "ab" * 32, "unknown", None,
        ...                "2021-01-02T03:04:05Z", "3.11.9", {"pandas": "3.1.1"},
        ...                {"papermill": {"year": 2020}},
        ...                [{"role": "codebook", "file": "data/raw/codebook.yaml", "sha256": "cd" * 32}])
        >>> block = provenance_html(p)
        >>> "data/raw/codebook.yaml" in block, "unknown" in block, "<script" not in block
        (True, True, True)
        >>> "Codebook (questionnaire)" in block, "Sổ mã (bảng hỏi)" in provenance_html(p, "vi")
        (True, True)
    """
    data = prov.to_dict() if isinstance(prov, Provenance) else dict(prov)

    def word(key: str, **values: Any) -> str:
        return html_text(render(_WORDS[key].format(**values) if values else _WORDS[key], lang))

    dirty = data.get("dirty")
    state = _WORDS["unknown"] if dirty is None else _WORDS["dirty" if dirty else "clean"]
    packages = ", ".join(f"{k} {v}" for k, v in (data.get("packages") or {}).items())
    inputs = data.get("inputs") or [{"role": "raw", "file": data.get("data_file", UNKNOWN),
                                     "sha256": data.get("data_sha256", UNKNOWN)}]
    input_rows = "".join(
        f'<tr><th scope="row">{_role(i.get("role"), lang)}</th>'
        f'<td><code>{_text(i.get("file", UNKNOWN))}</code><br>'
        f'<code class="sat-hash">{_text(i.get("sha256", UNKNOWN))}</code></td></tr>'
        for i in inputs
    )
    rows = [
        (word("commit"), (f"<code>{_text(data.get('commit', UNKNOWN))}</code> "
                          f"({word('tree', state=state)})")),
        (word("time"), _text(data.get("run_time_utc", UNKNOWN))),
        (word("python"), _text(data.get("python", UNKNOWN))),
        (word("packages"), _text(packages)),
    ]
    params = _flatten("", data.get("parameters") or {})
    param_rows = "".join(
        f"<tr><th scope=\"row\"><code>{_text(k)}</code></th><td><code>{_text(v)}</code></td></tr>"
        for k, v in params
    )
    body = "".join(f"<tr><th scope=\"row\">{k}</th><td>{v}</td></tr>" for k, v in rows)
    return (
        '<section class="sat-provenance">'
        f'<h2 id="provenance">{word("title")}</h2>'
        f"<p>{word('intro')}</p>"
        f'<table class="sat-provenance-table"><caption>{word("inputs")}</caption>'
        f"{input_rows}</table>"
        f'<table class="sat-provenance-table">{body}</table>'
        f"<details><summary>{word('parameters')}</summary>"
        f'<table class="sat-provenance-params">{param_rows}</table></details>'
        "</section>"
    )
