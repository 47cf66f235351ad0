"""One job of the batch: execute a notebook for a year, render both editions, stage the files.

:func:`run_job` runs in a worker process (:mod:`satisfaction.report.workers`). It executes the
notebook through papermill with the environment's kernel, ``year`` and ``params_file`` as
parameters, ``SATISFACTION_LANGUAGES`` set to every edition (the notebook displays each text
once per language) and ``SATISFACTION_STAGING`` pointing at the job's own staging folder (the
headline figures and any other file the notebook stages for its page go there). It then
renders the executed notebook once per edition without executing it again
(:func:`satisfaction.report.html.render_html` with ``lang``) and returns where the files are:
the runner publishes them. Nothing here writes into ``reports/``.

A failure is one line (:func:`failure_line`) that names the notebook, the year, the cell, the
line of the cell that raised (read from the traceback, not the cell's first line), where in the
library the exception was raised when it was, and the exception; the partly executed notebook
is staged as ``<nb>.failed.ipynb``.

Not for: scheduling jobs or publishing (:mod:`satisfaction.report.runner`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import LANGUAGES, LANGUAGES_ENV
from .index import REPORTS_ENV, STAGING_ENV
from .pages import edition_file, failure_files, utc_stamp

__all__ = ["Frame", "JobOutcome", "JobSpec", "discard", "failure_line", "raising_frames", "run_job"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FRAME = re.compile(r"^(?:Cell In\[(?P<count>\d+)\], line (?P<cell_line>\d+)"
                    r"|File (?P<file>.+?):(?P<file_line>\d+))")
_ARROW = re.compile(r"^\s*-+>\s*(?P<line>\d+)\s?(?P<code>.*)$")
_TRANSIENT = frozenset({"DeadKernelError", "NoSuchKernel", "TimeoutError", "RuntimeError"})
"""Exceptions of the machinery around a notebook (not raised in it): the kernel died or did not
start. A notebook's own exception reaches the runner as papermill's execution error."""


@dataclass(frozen=True)
class JobSpec:
    """What a worker needs to run one notebook for one year (plain data: it is pickled)."""

    notebook: str
    year: int
    params_file: str
    reports_dir: str
    staging: str
    cwd: str
    kernel_name: str
    synthetic: bool
    provenance: dict[str, Any]
    languages: tuple[str, ...] = LANGUAGES
    cell_timeout: int | None = None

    @property
    def name(self) -> str:
        return Path(self.notebook).stem


@dataclass
class JobOutcome:
    """What a job did: ``ok`` with its staged page files, or the one line of its failure.

    Attributes:
        ok: the notebook ran and both editions rendered.
        message: the failure line (empty when ``ok``).
        files: final file name in the year folder -> the staged file to move there.
        titles: language -> the page's title in that edition.
        timings: seconds spent: ``execute`` (papermill, kernel start to shut-down), ``cells``
            (their sum), ``kernel`` (the rest: start, shut-down, papermill), ``cell_kinds``
            (``setup`` / ``figures`` / ``other`` sums), ``render`` per language.
        transient: the failure came from the machine, not the notebook (the kernel died or
            could not start): worth trying again with the same inputs.
    """

    ok: bool
    message: str = ""
    files: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)
    transient: bool = False


@dataclass(frozen=True)
class Frame:
    """One frame of a notebook traceback: a cell (``In[n]``) or a file, its line and code."""

    where: str
    line: int
    code: str
    in_cell: bool


def _plain(text: str) -> str:
    return _ANSI.sub("", str(text))


def _one_line(text: Any, limit: int = 200) -> str:
    flat = " ".join(_plain(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def raising_frames(traceback: list[str]) -> list[Frame]:
    """The frames of an IPython traceback (as papermill reports it), outermost first.

    Examples:
        >>> tb = ["\\x1b[31mKeyError\\x1b[39m   Traceback (most recent call last)",
        ...       "Cell In[3], line 2\\n      1 a = 1\\n----> 2 f({})\\n",
        ...       "File /x/lib/satisfaction/m.py:7, in f(x)\\n      6 def f(x):\\n----> 7     return x['k']\\n",
        ...       "KeyError: 'k'"]
        >>> [(f.where, f.line, f.code) for f in raising_frames(tb)]
        [('In[3]', 2, 'f({})'), ('/x/lib/satisfaction/m.py', 7, "return x['k']")]
    """
    frames = []
    for entry in traceback:
        lines = _plain(entry).splitlines()
        if not lines:
            continue
        match = _FRAME.match(lines[0].strip())
        if match is None:
            continue
        arrows = [a for a in map(_ARROW.match, lines[1:]) if a]
        rest = [s.strip() for s in lines[1:] if s.strip() and set(s.strip()) != {"^"}]
        code = arrows[0]["code"].strip() if arrows else (rest[0] if rest else "")
        if match["count"]:
            frames.append(Frame(f"In[{match['count']}]", int(match["cell_line"]), code, True))
        else:
            frames.append(Frame(match["file"], int(match["file_line"]), code, False))
    return frames


def _library_frame(frames: list[Frame]) -> Frame | None:
    """The innermost frame in the notebook or the library, when it is not the failing cell's."""
    from .inputs import library_dir

    lib = library_dir().as_posix()
    ours = [f for f in frames if f.in_cell or f.where.startswith(lib)
            or "/satisfaction/" in f.where and "site-packages" not in f.where]
    if len(ours) <= 1 or ours[-1] == frames[0]:
        return None
    return ours[-1]


def _short_path(where: str) -> str:
    marker = "/lib/satisfaction/"
    return "satisfaction/" + where.split(marker, 1)[1] if marker in where else where


def failure_line(name: str, year: int, cell: tuple[int | None, int], frames: list[Frame],
                 exc: tuple[str, str], kept: str | None, first_line: str = "") -> str:
    """The one line printed when a job fails: the cell, the line that raised, the exception.

    Args:
        name: the notebook's name.
        year: the survey year.
        cell: (0-based index of the failing cell in the notebook, or None; number of cells).
        frames: :func:`raising_frames` of the traceback (may be empty).
        exc: (exception type, message).
        kept: where the partly executed notebook is (None if none).
        first_line: the failing cell's first line, quoted when the traceback has no frame.

    Examples:
        >>> f = [Frame("In[5]", 3, "current = par.load_year(P, criteria)", True),
        ...      Frame("/r/lib/satisfaction/par_index.py", 88, "pd.read_csv(path)", False)]
        >>> failure_line("04_par_index", 2021, (4, 12), f, ("TypeError", "not NoneType"),
        ...              "reports/2021/04_par_index.failed.ipynb")  # doctest: +NORMALIZE_WHITESPACE
        'FAILED 04_par_index [2021] at cell 5/12, line 3 `current = par.load_year(P, criteria)`:
         TypeError: not NoneType (raised at satisfaction/par_index.py:88 `pd.read_csv(path)`)
         (partial notebook: reports/2021/04_par_index.failed.ipynb)'
    """
    index, n_cells = cell
    where = f"cell {index + 1}/{n_cells}" if index is not None else "cell ?"
    if frames and frames[0].in_cell:
        where += f", line {frames[0].line}"
        code = frames[0].code
    else:
        code = first_line
    quoted = f" `{_one_line(code, 100)}`" if code else ""
    exc_type, message = exc
    detail = f"{exc_type}: {_one_line(message)}" if message else exc_type
    inner = _library_frame(frames) if frames else None
    if inner is not None:
        place = inner.where if inner.in_cell else f"{_short_path(inner.where)}:{inner.line}"
        if inner.in_cell:
            place += f" line {inner.line}"
        detail += f" (raised at {place} `{_one_line(inner.code, 80)}`)"
    keep = f" (partial notebook: {kept})" if kept else ""
    return f"FAILED {name} [{year}] at {where}{quoted}: {detail}{keep}"


def _failing_cell(source_nb: Any, failed_nb: Any, error: Any) -> int | None:
    """0-based index in the source notebook of the cell that failed (papermill marks it)."""
    cells = source_nb.cells if source_nb is not None else []
    for cell in (failed_nb.cells if failed_nb is not None else []):
        pm = cell.get("metadata", {}).get("papermill", {})
        if pm.get("exception") or pm.get("status") == "failed":
            for i, original in enumerate(cells):
                if cell.get("id") and original.get("id") == cell.get("id"):
                    return i
            break
    source = getattr(error, "source", None)
    matches = [i for i, c in enumerate(cells) if source is not None and c.source == source]
    return matches[0] if matches else None


def _first_line(source: str) -> str:
    return next((line for line in str(source).splitlines() if line.strip()), "")


@contextlib.contextmanager
def _environment(spec: JobSpec) -> Iterator[None]:
    """The variables the kernel inherits: reports, staging, the languages of the editions."""
    wanted = {REPORTS_ENV: spec.reports_dir, STAGING_ENV: str(Path(spec.staging) / "stage"),
              LANGUAGES_ENV: ",".join(spec.languages)}
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _execute(spec: JobSpec, output: Path) -> None:
    import papermill

    with _environment(spec):
        papermill.execute_notebook(
            spec.notebook, str(output),
            parameters={"year": spec.year, "params_file": spec.params_file},
            kernel_name=spec.kernel_name, cwd=spec.cwd, progress_bar=False, log_output=False,
            # papermill writes the notebook when a cell fails, so the partial notebook is kept
            # without re-writing every page-sized notebook after each cell.
            request_save_on_cell_execute=False,
            execution_timeout=spec.cell_timeout,
            # ipykernel logs its TCP warning at start and an interrupt at shut-down: noise.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            # Every output is in once the last cell ran, and pages write their files inside
            # their cells: the kernel is stopped at once instead of asked to shut down and
            # waited for (0.5 s a page, 10 s of worker time in a three-year batch).
            shutdown_kernel="immediate",
        )


def _cell_kind(cell: Any) -> str:
    outputs = cell.get("outputs", [])
    if any("image/png" in o.get("data", {}) for o in outputs):
        return "figures"
    tags = set(cell.get("metadata", {}).get("tags", []))
    code = [line.strip() for line in str(cell.source).splitlines() if line.strip()]
    if tags & {"parameters", "injected-parameters"} or (
            code and all(s.startswith(("import ", "from ", "#")) for s in code[:1])):
        return "setup"
    return "other"


def _timings(executed: Any, wall: float) -> dict[str, Any]:
    kinds = {"setup": 0.0, "figures": 0.0, "other": 0.0}
    for cell in executed.cells:
        if cell.cell_type == "code":
            duration = cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
            kinds[_cell_kind(cell)] += float(duration)
    cells = sum(kinds.values())
    return {"execute": wall, "cells": cells, "kernel": max(0.0, wall - cells),
            "cell_kinds": kinds}


def _render(spec: JobSpec, executed: Any, folder: Path) -> tuple[dict[str, str], dict, dict]:
    """Both editions of the page, written into ``folder``: (files, titles, seconds per language)."""
    from .html import notebook_title, render_html

    provenance = dict(spec.provenance)
    provenance["run_time_utc"] = utc_stamp()
    files, titles, seconds = {}, {}, {}
    for lang in spec.languages:
        started = time.monotonic()
        page = render_html(executed, synthetic=spec.synthetic, provenance=provenance,
                           name=Path(spec.notebook).name, year=spec.year, lang=lang,
                           edition_name=spec.name)
        target = folder / edition_file(spec.name, lang)
        target.write_text(page, encoding="utf-8")
        files[target.name] = str(target)
        titles[lang] = notebook_title(executed, spec.name, lang=lang)
        seconds[lang] = time.monotonic() - started
    return files, titles, seconds


def _staged_companions(spec: JobSpec) -> dict[str, str]:
    """Files the notebook staged for its year folder (its headline figures, downloads...)."""
    folder = Path(spec.staging) / "stage" / str(spec.year)
    if not folder.is_dir():
        return {}
    return {p.name: str(p) for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}


def _failed(spec: JobSpec, source_nb: Any, executed_path: Path, error: BaseException,
            started: float) -> JobOutcome:
    import nbformat

    from .html import ReportError

    name, year = spec.name, spec.year
    partial = failure_files(name)[1]
    final = Path(spec.reports_dir) / str(year) / partial
    files: dict[str, str] = {}
    failed_nb = None
    if executed_path.exists():
        kept = executed_path.with_name(partial)
        os.replace(executed_path, kept)
        files[partial] = str(kept)
        with contextlib.suppress(Exception):
            failed_nb = nbformat.read(str(kept), as_version=4)
    shown = _display(final) if files else None
    if isinstance(error, ReportError):
        keep = f" (executed notebook: {shown})" if shown else ""
        line = f"FAILED {name} [{year}] while rendering the page: {_one_line(error)}{keep}"
    else:
        index = _failing_cell(source_nb, failed_nb, error)
        exc_type = getattr(error, "ename", None) or type(error).__name__
        message = getattr(error, "evalue", None)
        message = str(error) if message is None else str(message)
        if exc_type == "NoSuchKernel":
            message += " (register it: `make setup`)"
        n_cells = len(source_nb.cells) if source_nb is not None else 0
        first = _first_line(source_nb.cells[index].source) if index is not None else ""
        frames = raising_frames(list(getattr(error, "traceback", None) or []))
        line = failure_line(name, year, (index, n_cells), frames, (exc_type, message), shown,
                            first)
    transient = type(error).__name__ in _TRANSIENT
    return JobOutcome(False, line, files, timings={"execute": time.monotonic() - started},
                      transient=transient)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def run_job(spec: JobSpec) -> JobOutcome:
    """Execute one notebook for one year and stage both editions of its page.

    Returns:
        A :class:`JobOutcome`; never raises for a failure of the notebook or of rendering
        (those are the outcome's one line). The staged files are in ``spec.staging``, which the
        caller removes once it has published them.
    """
    import nbformat

    started = time.monotonic()
    staging = Path(spec.staging)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    executed_path = staging / f"{spec.name}.ipynb"
    source_nb = None
    try:
        source_nb = nbformat.read(spec.notebook, as_version=4)
        _execute(spec, executed_path)
        wall = time.monotonic() - started
        executed = nbformat.read(str(executed_path), as_version=4)
        files, titles, seconds = _render(spec, executed, staging)
    except Exception as exc:  # noqa: BLE001 - papermill, nbclient, rendering: all one line
        return _failed(spec, source_nb, executed_path, exc, started)
    files[executed_path.name] = str(executed_path)
    files.update(_staged_companions(spec))
    timings = _timings(executed, wall)
    timings["render"] = seconds
    return JobOutcome(True, "", files, titles, timings)


def discard(spec: JobSpec) -> None:
    """Remove what a job staged (it was stopped, or its runner is gone), and the run's staging
    folder when no other job is left in it."""
    staging = Path(spec.staging)
    shutil.rmtree(staging, ignore_errors=True)
    with contextlib.suppress(OSError):
        staging.parent.rmdir()
