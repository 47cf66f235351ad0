"""The batch runner: every notebook for every survey year through papermill, then the HTML pages.

:func:`run_batch` is what ``satisfaction run`` and ``make reports`` call. It runs in two stages:
``01_clean`` for every year first (its processed data feed everything, and the change notebook
of a year reads its baseline year's data), then every other notebook for every year, up to
``workers`` at a time in separate processes, with a progress bar over the jobs. Each notebook
runs with the environment's own kernel (:data:`satisfaction.config.KERNEL_NAME`), parameters
``year`` and ``params_file``, and ``notebooks/`` as its working directory.

Outputs, per year and notebook, in ``reports/<year>/``: the executed ``<nb>.ipynb``, the page
``<nb>.html`` and the headline figures ``<nb>.headline.json``. They are replaced atomically and
only when the notebook ran *and* rendered, so the last good report stays in place when a step
fails. A failure keeps the partly executed notebook as ``<nb>.failed.ipynb`` and prints one line
naming the notebook, the year, the failing cell and the exception.

Failure policy: by default the batch **stops**: no new job starts after the first failure
(jobs already running finish and publish), the jobs not run are listed in one line, and the
return code is 1. With ``keep_going=True`` the independent jobs still run; the jobs that depend
on a failed ``01_clean`` (that year's notebooks, and the notebooks of a year whose baseline year
it is) never run. The index page is rendered at the end in both cases.

Not for: rendering a page (see :mod:`satisfaction.report.html`) or the index
(see :mod:`satisfaction.report.index`).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import config
from ..io import write_text_atomic
from ..params import ParamsError, available_years, load_params, params_path
from .html import ReportError, render_html
from .index import REPORTS_ENV, STAGING_ENV, render_index
from .provenance import collect_provenance

STAGE_ONE_PREFIX = "01_"
"""Notebooks whose name starts with this run first, for every year (the cleaning step)."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_NOTEBOOK = re.compile(r"^\d\d_[\w\-]+\.ipynb$")


@dataclass(frozen=True)
class Job:
    """One notebook for one year, and the jobs it waits for."""

    notebook: Path
    year: int
    params_file: Path
    needs: tuple[tuple[str, int], ...] = ()

    @property
    def name(self) -> str:
        return self.notebook.stem

    @property
    def key(self) -> tuple[str, int]:
        return self.name, self.year

    @property
    def label(self) -> str:
        return f"{self.name} [{self.year}]"


@dataclass
class JobResult:
    """What a job did: ``ok``, or the one-line message of its failure."""

    name: str
    year: int
    ok: bool
    message: str = ""
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)


def list_notebooks(notebooks_dir: str | Path | None = None) -> list[Path]:
    """The pipeline's notebooks, ``NN_name.ipynb``, sorted by name.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> for n in ("02_b.ipynb", "01_a.ipynb", "scratch.ipynb"): _ = (d / n).write_text("{}")
        >>> [p.name for p in list_notebooks(d)]
        ['01_a.ipynb', '02_b.ipynb']
    """
    folder = Path(notebooks_dir) if notebooks_dir is not None else config.NOTEBOOKS
    return sorted(p for p in folder.glob("*.ipynb") if _NOTEBOOK.match(p.name))


def _resolve_notebooks(names: list[str] | None, folder: Path) -> list[Path]:
    available = list_notebooks(folder)
    if names is None:
        return available
    by_stem = {p.stem: p for p in available}
    chosen: list[Path] = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        path = Path(name)
        if stem in by_stem:
            chosen.append(by_stem[stem])
        elif path.suffix == ".ipynb" and path.is_file():
            chosen.append(path.resolve())
        else:
            known = ", ".join(sorted(by_stem)) or "none"
            raise ValueError(f"no notebook {name!r} in {folder} (known: {known})")
    return sorted(set(chosen), key=lambda p: p.name)


def plan_jobs(
    years: list[int], notebooks: list[Path], params_dir: Path | None = None
) -> list[Job]:
    """The jobs of a batch in run order, each with the cleaning jobs it depends on.

    Stage one is every ``01_*`` notebook for every year; stage two every other notebook for every
    year, each waiting for the stage-one jobs of its year and of its baseline year (when those
    are in the batch).

    Examples:
        >>> from pathlib import Path
        >>> jobs = plan_jobs([2019, 2020], [Path("01_clean.ipynb"), Path("02_satisfaction.ipynb")])
        >>> [(j.label, j.needs) for j in jobs]  # doctest: +NORMALIZE_WHITESPACE
        [('01_clean [2019]', ()), ('01_clean [2020]', ()),
         ('02_satisfaction [2019]', (('01_clean', 2019),)),
         ('02_satisfaction [2020]', (('01_clean', 2020), ('01_clean', 2019)))]
    """
    first = [nb for nb in notebooks if nb.name.startswith(STAGE_ONE_PREFIX)]
    rest = [nb for nb in notebooks if not nb.name.startswith(STAGE_ONE_PREFIX)]
    jobs = [Job(nb, y, params_path(y, params_dir)) for nb in first for y in years]
    for nb in rest:
        for y in years:
            try:
                baseline = load_params(y, params_path(y, params_dir)).baseline_year
            except ParamsError:
                baseline = None
            wanted = [y] + ([baseline] if baseline is not None and baseline in years else [])
            needs = tuple((f.stem, w) for w in wanted for f in first)
            jobs.append(Job(nb, y, params_path(y, params_dir), needs))
    return jobs


def _one_line(text: Any, limit: int = 200) -> str:
    flat = " ".join(_ANSI.sub("", str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _failing_cell(source_nb: Any, failed_nb: Any, error: Any) -> tuple[int | None, str]:
    """(0-based index in the source notebook, first line of source) of the failing cell."""
    cells = source_nb.cells if source_nb is not None else []
    source = getattr(error, "source", None)
    if failed_nb is not None:
        for cell in failed_nb.cells:
            pm = cell.get("metadata", {}).get("papermill", {})
            if pm.get("exception") or pm.get("status") == "failed":
                source = cell.source if source is None else source
                for i, original in enumerate(cells):
                    if cell.get("id") and original.get("id") == cell.get("id"):
                        return i, _first_line(original.source)
                break
    if source is not None:
        matches = [i for i, c in enumerate(cells) if c.source == source]
        if matches:
            return matches[0], _first_line(source)
        return None, _first_line(source)
    return None, ""


def _first_line(source: str) -> str:
    for line in str(source).splitlines():
        if line.strip():
            return _one_line(line, 80)
    return ""


def failure_line(
    name: str, year: int, cell: tuple[int | None, str], n_cells: int, exc_type: str, message: str,
    kept: Path | None,
) -> str:
    """The one line printed when a job fails.

    Examples:
        >>> failure_line("02_satisfaction", 2020, (3, "d = SurveyDesign(df)"), 9, "KeyError",
        ...              "'weight'", Path("reports/2020/02_satisfaction.failed.ipynb"))
        "FAILED 02_satisfaction [2020] at cell 4/9 `d = SurveyDesign(df)`: KeyError: 'weight' (partial notebook: reports/2020/02_satisfaction.failed.ipynb)"
    """
    index, first = cell
    where = f"cell {index + 1}/{n_cells}" if index is not None else "cell ?"
    code = f" `{first}`" if first else ""
    detail = f"{exc_type}: {_one_line(message)}" if message else exc_type
    keep = f" (partial notebook: {kept})" if kept is not None else ""
    return f"FAILED {name} [{year}] at {where}{code}: {detail}{keep}"


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _run_job(spec: dict[str, Any]) -> JobResult:
    """Execute one notebook, render its page and publish both (runs in a worker process)."""
    import nbformat
    import papermill

    started = time.monotonic()
    notebook = Path(spec["notebook"])
    name, year = notebook.stem, int(spec["year"])
    out_dir = Path(spec["reports_dir"]) / str(year)
    out_dir.mkdir(parents=True, exist_ok=True)
    running = out_dir / f".{name}.running.ipynb"
    failed = out_dir / f"{name}.failed.ipynb"
    staging = Path(spec["reports_dir"]) / ".staging" / f"{year}-{name}"
    shutil.rmtree(staging, ignore_errors=True)
    saved_env = {k: os.environ.get(k) for k in (REPORTS_ENV, STAGING_ENV)}
    os.environ[REPORTS_ENV] = str(spec["reports_dir"])
    os.environ[STAGING_ENV] = str(staging)
    source_nb = None
    try:
        source_nb = nbformat.read(str(notebook), as_version=4)
        error: BaseException | None = None
        try:
            papermill.execute_notebook(
                str(notebook),
                str(running),
                parameters={"year": year, "params_file": str(spec["params_file"])},
                kernel_name=spec["kernel_name"],
                cwd=str(spec["cwd"]),
                progress_bar=False,
                log_output=False,
                # papermill writes the notebook when a cell fails, so the partial notebook is kept
                # without re-writing every page-sized notebook after each cell.
                request_save_on_cell_execute=False,
                execution_timeout=spec.get("cell_timeout"),
                # ipykernel logs its TCP warning at start and an interrupt at shut-down: noise in a batch.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
            executed = nbformat.read(str(running), as_version=4)
            provenance = dict(spec["provenance"])
            provenance["run_time_utc"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            page = render_html(
                executed, synthetic=spec["synthetic"], provenance=provenance, name=notebook.name,
                year=year,
            )
        except Exception as exc:  # noqa: BLE001 - papermill, nbclient, rendering: all reported
            error = exc
        if error is not None:
            failed_nb = None
            kept: Path | None = None
            if running.exists():
                os.replace(running, failed)
                kept = failed
                try:
                    failed_nb = nbformat.read(str(failed), as_version=4)
                except Exception:  # noqa: BLE001 - a broken partial notebook is still kept
                    failed_nb = None
            if isinstance(error, ReportError):
                keep = f" (executed notebook: {_display(kept)})" if kept else ""
                line = f"FAILED {name} [{year}] while rendering the page: {_one_line(error)}{keep}"
                return JobResult(name, year, False, line, time.monotonic() - started)
            cell = _failing_cell(source_nb, failed_nb, error)
            exc_type = getattr(error, "ename", None) or type(error).__name__
            message = getattr(error, "evalue", None)
            message = str(error) if message is None else message
            if exc_type == "NoSuchKernel":
                message += " (register it: `make setup`)"
            line = failure_line(
                name, year, cell, len(source_nb.cells), exc_type, message,
                _display(kept) if kept else None,
            )
            return JobResult(name, year, False, line, time.monotonic() - started)
        # Publish: executed notebook, page, headline figures; then drop a stale failure.
        os.replace(running, out_dir / f"{name}.ipynb")
        write_text_atomic(out_dir / f"{name}.html", page)
        for staged in sorted((staging / str(year)).glob("*.headline.json")):
            os.replace(staged, out_dir / staged.name)
        failed.unlink(missing_ok=True)
        return JobResult(
            name, year, True, "", time.monotonic() - started,
            {"html": str(out_dir / f"{name}.html"), "ipynb": str(out_dir / f"{name}.ipynb")},
        )
    except Exception as exc:  # noqa: BLE001 - anything else is still one line, never a traceback
        n_cells = len(source_nb.cells) if source_nb is not None else 0
        line = failure_line(name, year, (None, ""), n_cells, type(exc).__name__, str(exc), None)
        return JobResult(name, year, False, line, time.monotonic() - started)
    finally:
        running.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _InlineExecutor(Executor):
    """Runs each job in this process when ``workers`` is 1 (no process start-up cost)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - Ctrl-C and exit still propagate
            future.set_exception(exc)
        return future


def _echo(line: str, bar: Any = None, stream: Any = None) -> None:
    stream = stream or sys.stderr
    if bar is not None:
        bar.write(line, file=stream)
    else:
        print(line, file=stream, flush=True)


def run_batch(
    years: list[int] | None = None,
    notebooks: list[str] | None = None,
    *,
    workers: int = 2,
    reports_dir: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    params_dir: str | Path | None = None,
    keep_going: bool = False,
    cell_timeout: int | None = None,
    progress: bool = True,
) -> int:
    """Run notebooks for survey years through papermill, render their pages and the index.

    Args:
        years: the survey years (every year with a params file if None).
        notebooks: notebook names (``"02_satisfaction"``, ``.ipynb`` optional) or paths; every
            ``notebooks/NN_*.ipynb`` if None.
        workers: notebooks run at the same time (separate processes; 1 runs in this process).
        reports_dir: where pages go (``reports/`` if None).
        notebooks_dir: where the notebooks are, also their working directory (``notebooks/``).
        params_dir: where the per-year params files are (``params/`` if None).
        keep_going: after a failure, still run the jobs that do not depend on it (see the
            module docstring); by default the batch stops.
        cell_timeout: seconds a cell may run (no limit if None).
        progress: show the progress bar (on standard error).

    Returns:
        The exit code: 0 all notebooks ran and rendered, 1 some failed or were not run,
        2 the request itself is wrong (unknown year or notebook, no notebooks).
    """
    from tqdm.auto import tqdm

    reports = Path(reports_dir) if reports_dir is not None else config.REPORTS
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else config.NOTEBOOKS
    pdir = Path(params_dir) if params_dir is not None else None
    try:
        known = available_years(pdir)
        chosen_years = sorted({int(y) for y in years}) if years else known
        unknown = [y for y in chosen_years if y not in known]
        if unknown:
            raise ValueError(
                f"no params file for year(s) {', '.join(map(str, unknown))} in "
                f"{pdir or config.PARAMS} (known: {', '.join(map(str, known)) or 'none'})"
            )
        chosen_nbs = _resolve_notebooks(notebooks, nb_dir)
        if not chosen_nbs:
            raise ValueError(f"no notebooks (NN_name.ipynb) in {nb_dir}")
        if not chosen_years:
            raise ValueError(f"no survey years: no params/<year>.yaml in {pdir or config.PARAMS}")
        jobs = plan_jobs(chosen_years, chosen_nbs, pdir)
        stamp = datetime.now(UTC)
        per_year = {}
        for y in chosen_years:
            p = load_params(y, params_path(y, pdir))
            prov = collect_provenance(y, params_path(y, pdir), run_time=stamp)
            per_year[y] = (p.synthetic, prov.to_dict())
    except (ValueError, ParamsError) as exc:
        _echo(f"satisfaction run: {_one_line(exc, 400)}")
        return EXIT_USAGE

    reports.mkdir(parents=True, exist_ok=True)
    specs = {
        job.key: {
            "notebook": str(job.notebook),
            "year": job.year,
            "params_file": str(job.params_file),
            "reports_dir": str(reports),
            "cwd": str(nb_dir),
            "kernel_name": config.KERNEL_NAME,
            "synthetic": per_year[job.year][0],
            "provenance": per_year[job.year][1],
            "cell_timeout": cell_timeout,
        }
        for job in jobs
    }
    pending = list(jobs)
    done: dict[tuple[str, int], JobResult] = {}
    blocked: list[str] = []
    running: dict[Future, Job] = {}
    stop = False
    bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", file=sys.stderr, disable=not progress)
    executor: Executor = (
        _InlineExecutor() if workers <= 1
        else ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    )
    try:
        while pending or running:
            if not stop:
                for job in list(pending):
                    if len(running) >= max(1, workers):
                        break
                    states = [done.get(k) for k in job.needs]
                    if any(s is not None and not s.ok for s in states):
                        pending.remove(job)
                        blocked.append(job.label)
                        bar.update(1)
                        continue
                    if all(s is not None for s in states):  # every need ran, and ran well
                        pending.remove(job)
                        bar.set_postfix_str(job.label, refresh=True)
                        running[executor.submit(_run_job, specs[job.key])] = job
            if not running:
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker is a failed job
                    result = JobResult(job.name, job.year, False, failure_line(
                        job.name, job.year, (None, ""), 0, type(exc).__name__, str(exc), None))
                done[job.key] = result
                bar.update(1)
                if not result.ok:
                    _echo(result.message, bar)
                    stop = stop or not keep_going
    except KeyboardInterrupt:
        _echo("satisfaction run: interrupted; finished pages are kept", bar)
        stop = True
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        bar.close()

    try:
        (reports / ".staging").rmdir()
    except OSError:
        pass
    not_run = [j.label for j in pending] + blocked
    if not_run:
        why = "after the failure above" if not keep_going else "their cleaning step failed"
        _echo(f"not run ({why}): {', '.join(not_run)}")
    n_ok = sum(r.ok for r in done.values())
    index = render_index(reports, years=available_years(pdir),
                         notebooks=[p.stem for p in list_notebooks(nb_dir)], params_dir=pdir)
    print(f"{n_ok} of {len(jobs)} notebook runs succeeded. Index: {index}", flush=True)
    return EXIT_OK if n_ok == len(jobs) else EXIT_FAILED
