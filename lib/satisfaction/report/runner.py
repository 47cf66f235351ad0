"""The batch runner: every notebook for every survey year, each page rebuilt only when it must be.

:func:`run_batch` is what ``satisfaction run`` and ``make reports`` call. In order:

1. **The request**: the years (``params/<year>.yaml``) and notebooks (``notebooks/NN_*.ipynb``);
   a wrong one exits 2 with one line.
2. **The lock** of the reports tree (:mod:`~satisfaction.report.lock`): a second run waits for
   the first (``wait`` seconds at most), then refuses with one line naming the holder (exit 75).
   What a killed run left is then put right (:func:`~satisfaction.report.publish.recover`).
3. **The jobs** (:func:`plan_jobs`): the ``01_*`` notebooks (cleaning: the processed data every
   other page reads) of every year first, then every other notebook of every year, each after
   the cleaning of its baseline year and of every year up to its own.
4. **Each job, when its turn comes**: *not run* when a cleaning step it needs (its year's or its
   baseline year's) failed -- said in one line and recorded for the index; *up to date* when its
   inputs hash as its manifest recorded (:mod:`~satisfaction.report.inputs`) and its files are
   intact -- nothing is done; *still failing* when it failed before with these very inputs --
   its failure is named again, it is not run again (``force`` retries; a failure of the
   machinery, a kernel that died or did not start, is always retried); otherwise *run* in a
   worker process
   (:mod:`~satisfaction.report.workers`, :mod:`~satisfaction.report.execute`), up to
   ``workers`` at once, with both editions rendered from the one execution. The runner alone
   publishes: the page's files as one set (:mod:`~satisfaction.report.publish`); after a failure,
   the failure record and the partly executed notebook, the last good page staying in place.
5. **The files beside the pages** (:mod:`~satisfaction.report.site`), each when its inputs
   changed, as soon as a worker would otherwise wait: each year's workbooks (every table its
   pages saved, once every page of the year is settled) and the methods and glossary page.
6. **The index** (:mod:`~satisfaction.report.index`), read from the pages on disk, after the
   publications of each turn of the loop (once the next jobs have started) and at the end.

One failure never stops the others: every job that does not need the failed step still runs, and
every failure is printed as one line naming the notebook, the year, the cell and the line that
raised. ``stop_on_failure=True`` starts no new job after the first failure instead.

Exit codes: 0 every page built or up to date; 1 some failed or were not run, or a year's
workbooks or the methods page could not be written (one FAILED line each); 2 the request is
wrong, or a params file fails its schema (one line each, naming the file and the key; that
year's pages fail without a line of their own, the other years run); 75 another run holds the
lock; 128 + N when stopped by signal N (SIGINT, SIGTERM): the workers and their kernels are
stopped first, pages already published stay, the index is written.
A SIGKILL of the runner stops the workers too (they watch their parent) and leaves each page's old
set of files or its new one.

Not for: rendering a page (:mod:`~satisfaction.report.html`) or the index
(:mod:`~satisfaction.report.index`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from .. import config
from ..i18n import LANGUAGES
from ..params import ParamsError, available_years, load_params, params_path
from .execute import JobOutcome, JobSpec, discard, run_job
from .index import render_index
from .inputs import InputHasher, changed_inputs
from .lock import LockBusy, RunLock
from .pages import (
    MANIFEST_VERSION,
    failure_files,
    failure_record,
    index_file,
    page_files,
    read_page,
    sha256_bytes,
    utc_stamp,
)
from .publish import publish, recover
from .site import methods_due, workbooks_due, write_methods_page, write_year_workbooks
from .workers import InlinePool, WorkerDied, WorkerPool

__all__ = ["EXIT_BUSY", "Job", "list_notebooks", "plan_jobs", "run_batch"]

STAGE_ONE_PREFIX: Final = "01_"
"""Notebooks whose name starts with this run first, for every year (the cleaning step)."""

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_BUSY: Final = 75
"""Another run holds the lock of the reports tree (``EX_TEMPFAIL``: try again later)."""
DEFAULT_WAIT: Final = 600.0
"""Seconds a run waits for another run of the same tree before it gives up."""
_NOTEBOOK = re.compile(r"^\d\d_[\w\-]+\.ipynb$")
_STAGING_PREFIX: Final = "satisfaction-run-"


@dataclass(frozen=True)
class Job:
    """One notebook for one year: the jobs it needs and waits for, and the years it reads.

    Attributes:
        notebook: the notebook file.
        year: the survey year.
        params_file: the year's params file.
        needs: cleaning jobs whose failure means this job is not run (its year's, its baseline's).
        after: jobs that must have finished first (``needs`` and the cleaning of earlier years).
        reads: the years whose inputs the page reads (see :mod:`satisfaction.report.inputs`).
    """

    notebook: Path
    year: int
    params_file: Path
    needs: tuple[tuple[str, int], ...] = ()
    after: tuple[tuple[str, int], ...] = ()
    reads: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        return self.notebook.stem

    @property
    def key(self) -> tuple[str, int]:
        return self.name, self.year

    @property
    def label(self) -> str:
        return f"{self.name} [{self.year}]"

    @property
    def stage_one(self) -> bool:
        return self.name.startswith(STAGE_ONE_PREFIX)


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


def _baseline(year: int, params_dir: Path | None) -> int | None:
    try:
        return load_params(year, params_path(year, params_dir)).baseline_year
    except ParamsError:
        return None


def plan_jobs(
    years: list[int], notebooks: list[Path], params_dir: Path | None = None
) -> list[Job]:
    """The jobs of a batch in run order, each with the cleaning jobs it needs and waits for.

    Stage one is every ``01_*`` notebook for every year; stage two every other notebook for every
    year. A stage-two job *needs* the stage-one jobs of its year and of its baseline year (when
    those are in the batch): if one fails, it is not run. It also *waits for* the stage-one jobs
    of every earlier year in the batch (a trend reads them), and it *reads* every year with
    params up to its own, and its baseline.

    Examples:
        >>> from pathlib import Path
        >>> jobs = plan_jobs([2019, 2020], [Path("01_clean.ipynb"), Path("02_satisfaction.ipynb")])
        >>> [(j.label, j.needs) for j in jobs]  # doctest: +NORMALIZE_WHITESPACE
        [('01_clean [2019]', ()), ('01_clean [2020]', ()),
         ('02_satisfaction [2019]', (('01_clean', 2019),)),
         ('02_satisfaction [2020]', (('01_clean', 2020), ('01_clean', 2019)))]
        >>> jobs[-1].reads
        (2019, 2020)
    """
    first = [nb for nb in notebooks if nb.name.startswith(STAGE_ONE_PREFIX)]
    rest = [nb for nb in notebooks if not nb.name.startswith(STAGE_ONE_PREFIX)]
    known = available_years(params_dir)
    jobs = [Job(nb, y, params_path(y, params_dir), reads=(y,)) for nb in first for y in years]
    for nb in rest:
        for y in years:
            baseline = _baseline(y, params_dir)
            wanted = [y] + ([baseline] if baseline is not None and baseline in years else [])
            needs = tuple((f.stem, w) for w in wanted for f in first)
            earlier = tuple((f.stem, w) for w in years if w < y for f in first)
            reads = {w for w in known if w <= y} | {y} | ({baseline} if baseline else set())
            jobs.append(Job(nb, y, params_path(y, params_dir), needs,
                            tuple(dict.fromkeys(needs + earlier)), tuple(sorted(reads))))
    return jobs


def _one_line(text: Any, limit: int = 400) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _echo(line: str, bar: Any = None, stream: Any = None) -> None:
    stream = stream or sys.stderr
    if bar is not None:
        bar.write(line, file=stream)
    else:
        print(line, file=stream, flush=True)


class _Stop(BaseException):
    """A signal asked the run to stop (SIGTERM, SIGHUP); SIGINT is KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass
class _Request:
    """A checked request: where things are, which years and notebooks, and the jobs."""

    reports: Path
    notebooks_dir: Path
    params_dir: Path | None
    years: list[int]
    jobs: list[Job]


def _request(years: list[int] | None, notebooks: list[str] | None, reports_dir: Any,
             notebooks_dir: Any, params_dir: Any) -> _Request:
    """The request checked; ValueError or ParamsError with one line when it is wrong."""
    reports = Path(reports_dir) if reports_dir is not None else config.REPORTS
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else config.NOTEBOOKS
    pdir = Path(params_dir) if params_dir is not None else None
    known = available_years(pdir)
    chosen = sorted({int(y) for y in years}) if years else known
    unknown = [y for y in chosen if y not in known]
    if unknown:
        raise ValueError(
            f"no params file for year(s) {', '.join(map(str, unknown))} in "
            f"{pdir or config.PARAMS} (known: {', '.join(map(str, known)) or 'none'})")
    chosen_nbs = _resolve_notebooks(notebooks, nb_dir)
    if not chosen_nbs:
        raise ValueError(f"no notebooks (NN_name.ipynb) in {nb_dir}")
    if not chosen:
        raise ValueError(f"no survey years: no params/<year>.yaml in {pdir or config.PARAMS}")
    return _Request(reports, nb_dir, pdir, chosen, plan_jobs(chosen, chosen_nbs, pdir))


def _remove_stale_staging() -> None:
    """Staging folders of runs that were killed (their process is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_STAGING_PREFIX}*"):
        match = re.match(rf"^{_STAGING_PREFIX}(\d+)-", folder.name)
        if match is None or not folder.is_dir() or folder.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(match[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            continue


@dataclass
class _Options:
    workers: int
    stop_on_failure: bool
    force: bool
    cell_timeout: int | None
    progress: bool


@dataclass
class _Tally:
    """What became of each job: built, up to date, failed, not run."""

    built: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    extras_failed: list[str] = field(default_factory=list)


class _Batch:
    """One batch run, its steps as methods: dispatch, run, publish, index, summary."""

    def __init__(self, request: _Request, options: _Options) -> None:
        self.req = request
        self.opt = options
        self.hasher = InputHasher()
        self.last: dict[tuple[str, int], float] = {}  # seconds each page took when last built
        self.typical: dict[str, float] = {}  # seconds a notebook takes (its longest year)
        for job in request.jobs:
            self._learn(job, read_page(request.reports / str(job.year), job.name).manifest)
        self.pending = list(request.jobs)
        self.state: dict[tuple[str, int], str] = {}  # key -> built/current/failed/not run
        self.inputs: dict[tuple[str, int], dict[str, str]] = {}
        self.tally = _Tally()
        self.per_year: dict[int, tuple[bool, dict[str, Any]]] = {}
        self.params_problems: dict[int, str | None] = {}
        self.staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-"))
        pool = InlinePool if options.workers <= 1 else WorkerPool
        self.pool: InlinePool | WorkerPool = pool(options.workers, run_job, discard)
        self.bar: Any = None
        self.stopping = False
        self.extras_left: list[str | int] = ["methods", *request.years]
        self.index_due = False  # a page was published since the index was last written
        self.code_state: tuple[str, bool | None] | None = None

    # --- dispatch -----------------------------------------------------------------------------

    def _learn(self, job: Job, manifest: dict[str, Any] | None) -> None:
        """Remember how long a page took (from its manifest), and so its notebook."""
        seconds = ((manifest or {}).get("timings") or {}).get("execute")
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
            self.last[job.key] = float(seconds)
            self.typical[job.name] = max(float(seconds), self.typical.get(job.name, 0.0))

    def _longest_first(self, job: Job) -> tuple[bool, bool, float, int]:
        """Cleaning first. Then a notebook not yet timed in any year, its earliest year first
        (so that each notebook is timed early in a first run); then the longest jobs (as long
        as last time, else as long as the notebook took for another year): the shortest jobs
        end the run, when a worker may have nothing left to do."""
        seconds = self.last.get(job.key, self.typical.get(job.name))
        rank = self.req.years.index(job.year) if job.year in self.req.years else 0
        return (not job.stage_one, seconds is not None, -(seconds or 0.0),
                rank if seconds is None else 0)

    def _ready(self) -> list[Job]:
        return sorted((j for j in self.pending if all(k in self.state for k in j.after)),
                      key=self._longest_first)

    def _dispatch(self) -> None:
        """Start (or settle without running) every job whose turn has come, while workers are free."""
        for job in self._ready():
            if self.stopping or self.pool.free <= 0:
                return
            self.pending.remove(job)
            problem = self._params_problem(job.year)
            if problem is not None:  # said once for the year (_check_params): not again here
                self._failed(job, f"FAILED {job.label}: {problem}", {}, quiet=True)
                continue
            failed = [k for k in job.needs if self.state.get(k) in ("failed", "not run")]
            if failed:
                self._not_run(job, failed)
                continue
            inputs = self._inputs(job)
            failure = self._still_failing(job, inputs)
            if failure is not None:
                self._failed_before(job, failure)
                continue
            reason = self._reason_to_build(job, inputs)
            if reason is None:
                self._up_to_date(job)
                continue
            if reason.startswith("changed"):
                _echo(f"{job.label}: {reason}", self.bar)
            self.inputs[job.key] = inputs
            self._progress().set_postfix_str(job.label, refresh=True)
            self.pool.submit(job.key, self._spec(job))

    def _inputs(self, job: Job) -> dict[str, str]:
        files = {y: params_path(y, self.req.params_dir) for y in job.reads}
        return self.hasher.page(job.notebook, job.year, files, processed=not job.stage_one)

    def _check_params(self) -> None:
        """One line for each params file of the batch that cannot be used (it names the file and
        the key); that year's pages fail without a line of their own, the other years run."""
        for year in self.req.years:
            problem = self._params_problem(year)
            if problem is not None:
                _echo(f"satisfaction run: {problem} (the pages of {year} are not built)",
                      self.bar)

    def _params_problem(self, year: int) -> str | None:
        """Why the year's params file cannot be used (None: it can)."""
        if year not in self.params_problems:
            try:
                load_params(year, params_path(year, self.req.params_dir))
                self.params_problems[year] = None
            except ParamsError as exc:
                self.params_problems[year] = _one_line(exc)
        return self.params_problems[year]

    def _still_failing(self, job: Job, inputs: dict[str, str]) -> dict[str, Any] | None:
        """The failure record of the page when it failed with these very inputs (not retried)."""
        if self.opt.force:
            return None
        failure = read_page(self.req.reports / str(job.year), job.name).failure
        if failure is None or failure.get("skipped") or failure.get("inputs") != inputs:
            return None
        return failure

    def _reason_to_build(self, job: Job, inputs: dict[str, str]) -> str | None:
        """Why the page must be built (None: it is up to date)."""
        if self.opt.force:
            return "forced"
        year_dir = self.req.reports / str(job.year)
        page = read_page(year_dir, job.name)
        manifest = page.manifest
        if manifest is None:
            return "no page yet" if not page.exists else "built without a manifest"
        if manifest.get("version") != MANIFEST_VERSION:
            return "built by another version of the runner"
        changed = changed_inputs(manifest.get("inputs"), inputs)
        if changed:
            more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            return f"changed: {', '.join(changed[:3])}{more}"
        if job.stage_one and changed_inputs(manifest.get("produced"),
                                            self.hasher.produced(job.year)):
            return "its processed outputs changed or are missing"
        if not page.intact(year_dir):
            return "its files changed or are missing"
        return None

    def _spec(self, job: Job) -> JobSpec:
        synthetic, provenance = self._year(job.year)
        return JobSpec(
            notebook=str(job.notebook), year=job.year, params_file=str(job.params_file),
            reports_dir=str(self.req.reports), staging=str(self.staging / f"{job.year}-{job.name}"),
            cwd=str(self.req.notebooks_dir), kernel_name=config.KERNEL_NAME, synthetic=synthetic,
            provenance=provenance, languages=LANGUAGES, cell_timeout=self.opt.cell_timeout)

    def _year(self, year: int) -> tuple[bool, dict[str, Any]]:
        if year not in self.per_year:
            from .provenance import collect_provenance

            path = params_path(year, self.req.params_dir)
            prov = collect_provenance(year, path, run_time=datetime.now(UTC))
            self.per_year[year] = (load_params(year, path).synthetic, prov.to_dict())
        return self.per_year[year]

    def _progress(self) -> Any:
        if self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=len(self.req.jobs), initial=len(self.state), desc="notebooks",
                            unit="nb", file=sys.stderr, disable=not self.opt.progress)
        return self.bar

    def _settle(self, job: Job, state: str) -> None:
        self.state[job.key] = state
        if self.bar is not None:
            self.bar.update(1)

    # --- outcomes -----------------------------------------------------------------------------

    def _not_run(self, job: Job, failed: list[tuple[str, int]]) -> None:
        steps = ", ".join(f"{n} [{y}]" for n, y in failed)
        line = f"not run {job.label}: it needs {steps}, which failed"
        _echo(line, self.bar)
        self._publish_failure(job, line, {}, skipped=True)
        self.tally.not_run.append(job.label)
        self._settle(job, "not run")

    def _failed_before(self, job: Job, failure: dict[str, Any]) -> None:
        """Named again, not run again: nothing it reads changed since it failed."""
        _echo(f"{failure.get('message', f'FAILED {job.label}')} [not retried: its inputs are "
              f"unchanged since it failed at {failure.get('failed_utc')}; --force retries]",
              self.bar)
        self.tally.failed.append(job.label)
        self._settle(job, "failed")
        self.stopping = self.stopping or self.opt.stop_on_failure

    def _up_to_date(self, job: Job) -> None:
        year_dir = self.req.reports / str(job.year)
        stale = [n for n in failure_files(job.name) if (year_dir / n).exists()]
        if stale:
            with _signals_deferred():
                publish(year_dir, {}, stale)
            self.index_due = True
        self.tally.current.append(job.label)
        self._settle(job, "current")

    def _finish(self, key: tuple[str, int], outcome: Any) -> None:
        job = next(j for j in self.req.jobs if j.key == key)
        if isinstance(outcome, WorkerDied) or not isinstance(outcome, JobOutcome):
            outcome = JobOutcome(False, f"FAILED {job.label}: {outcome}", transient=True)
        if outcome.transient:
            self.inputs.pop(job.key, None)  # recorded without inputs: tried again next run
        try:
            if outcome.ok:
                self._learn(job, {"timings": outcome.timings})
                self._publish_page(job, outcome)
                self.tally.built.append(job.label)
                self._settle(job, "built")
            else:
                self._failed(job, outcome.message, outcome.files)
        finally:
            shutil.rmtree(self.staging / f"{job.year}-{job.name}", ignore_errors=True)

    def _failed(self, job: Job, message: str, files: dict[str, str], *,
                quiet: bool = False) -> None:
        if not quiet:
            _echo(message, self.bar)
        self._publish_failure(job, message, files)
        self.tally.failed.append(job.label)
        self._settle(job, "failed")
        self.stopping = self.stopping or self.opt.stop_on_failure

    def _publish_page(self, job: Job, outcome: JobOutcome) -> None:
        year_dir = self.req.reports / str(job.year)
        names = page_files(job.name)
        files = dict(outcome.files)
        outputs = {n: sha256_bytes(Path(p).read_bytes()) for n, p in sorted(files.items())}
        manifest: dict[str, Any] = {
            "version": MANIFEST_VERSION, "notebook": job.name, "year": job.year,
            "built_utc": utc_stamp(), "inputs": self.inputs.pop(job.key, {}),
            "outputs": outputs, "titles": outcome.titles, "timings": outcome.timings,
        }
        if job.stage_one:
            manifest["produced"] = self.hasher.produced(job.year)
        staged = self.staging / f"{job.year}-{job.name}" / names["manifest"]
        staged.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
        files[names["manifest"]] = str(staged)
        before = read_page(year_dir, job.name).manifest or {}
        leftovers = set(before.get("outputs") or {}) | set(names.values()) | set(
            failure_files(job.name))
        with _signals_deferred():
            publish(year_dir, files, leftovers - set(files))
        self.index_due = True

    def _publish_failure(self, job: Job, message: str, files: dict[str, str], *,
                         skipped: bool = False) -> None:
        year_dir = self.req.reports / str(job.year)
        record, partial = failure_files(job.name)
        folder = self.staging / f"{job.year}-{job.name}"
        folder.mkdir(parents=True, exist_ok=True)
        inputs = None if skipped else self.inputs.pop(job.key, None)
        (folder / record).write_bytes(failure_record(message, skipped=skipped, inputs=inputs))
        add = {record: str(folder / record)}
        if partial in files:
            add[partial] = files[partial]
        with _signals_deferred():
            publish(year_dir, add, [] if partial in add else [partial])
        self.index_due = True

    def _index(self) -> Path:
        self.index_due = False
        if self.code_state is None:
            from .provenance import git_state

            self.code_state = git_state()
        return render_index(self.req.reports, years=available_years(self.req.params_dir),
                            notebooks=[p.stem for p in list_notebooks(self.req.notebooks_dir)],
                            params_dir=self.req.params_dir, code_state=self.code_state)

    # --- the files beside the pages ---------------------------------------------------------

    def _extra_ready(self, item: str | int) -> bool:
        """The methods page at any time; a year's workbooks once its every page is settled."""
        return item == "methods" or all(
            j.key in self.state for j in self.req.jobs if j.year == item)

    def _extras(self) -> bool:
        """Write the next file beside the pages whose turn has come (when its inputs changed);
        False when none is left whose turn has come."""
        item = next((x for x in self.extras_left if self._extra_ready(x)), None)
        if item is None:
            return False
        self.extras_left.remove(item)
        label = "methods and glossary page" if item == "methods" else f"workbooks [{item}]"
        try:
            done = self._methods() if item == "methods" else self._workbooks(int(item))
        except Exception as exc:  # noqa: BLE001 - one line, and the run goes on
            _echo(f"FAILED {label}: {type(exc).__name__}: {_one_line(exc)}", self.bar)
            self.tally.extras_failed.append(label)
            return True
        if done:
            self.tally.extras.append(label)
        return True

    def _methods(self) -> bool:
        params = None
        for year in sorted(available_years(self.req.params_dir), reverse=True):
            if self._params_problem(year) is None:
                params = load_params(year, params_path(year, self.req.params_dir))
                break
        if params is None:
            return False  # no usable params file: no numbers to state (each was named)
        inputs = methods_due(self.req.reports, self.hasher, Path(params.source),
                             force=self.opt.force)
        if inputs is None:
            return False
        write_methods_page(self.req.reports, inputs, params)
        return True

    def _workbooks(self, year: int) -> bool:
        if self._params_problem(year) is not None:
            return False  # its params file was named at the start; its pages failed
        baseline = _baseline(year, self.req.params_dir)
        files = [params_path(y, self.req.params_dir) for y in (year, baseline)
                 if y is not None and (y == year or y in available_years(self.req.params_dir))]
        inputs = workbooks_due(year, self.req.reports, self.hasher, files, force=self.opt.force)
        if inputs is None:
            return False
        synthetic, provenance = self._year(year)
        with _signals_deferred():
            write_year_workbooks(year, self.req.reports, inputs, self.staging,
                                 synthetic=synthetic, sources=provenance.get("inputs") or [])
        self.index_due = True  # the index links the year's downloads
        return True

    # --- the loop -----------------------------------------------------------------------------

    def run(self) -> int | None:
        """Every job to its end; the signal number when a signal stopped the run."""
        try:
            self._check_params()
            while True:
                self._dispatch()  # first: a worker that finished starts its next job at once
                if self.index_due:
                    self._index()
                if self.pool.free > 0 and not self._ready() and self._extras():
                    continue  # done while a worker had nothing to do
                if not self.pool.running:
                    if not self._ready() or self.stopping:
                        break
                    continue
                for key, outcome in self.pool.wait():
                    self._finish(key, outcome)
            while self._extras():
                pass
        except KeyboardInterrupt:
            return signal.SIGINT
        except _Stop as stop:
            return stop.signum
        finally:
            self.pool.stop()
            if self.bar is not None:
                self.bar.close()
            shutil.rmtree(self.staging, ignore_errors=True)
        return None

    def summary(self, started: float, signum: int | None) -> int:
        """The closing lines and the exit code."""
        t = self.tally
        unsettled = [j.label for j in self.pending]
        if unsettled and signum is None:
            _echo(f"not run (after the failure above): {', '.join(unsettled)}")
        index = self._index()
        english = self.req.reports / index_file("en")
        if signum is not None:
            _echo(f"satisfaction run: stopped by {signal.Signals(signum).name}; the pages "
                  "published so far stay, the others are as they were")
        extras = f"; written: {', '.join(t.extras)}" if t.extras else ""
        print(f"{len(self.req.jobs)} pages: {len(t.built)} built, {len(t.current)} up to date, "
              f"{len(t.failed)} failed, {len(t.not_run) + len(unsettled)} not run{extras} "
              f"({time.monotonic() - started:.1f} s). Index: {index} (English: {english})",
              flush=True)
        if t.failed or t.extras_failed:
            print(f"failed: {', '.join(t.failed + t.extras_failed)}", flush=True)
        if signum is not None:
            return 128 + int(signum)
        if any(self.params_problems.get(y) for y in self.req.years):
            return EXIT_USAGE
        return EXIT_FAILED if t.failed or t.not_run or unsettled or t.extras_failed else EXIT_OK


_DEFERRED: Final = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


@contextlib.contextmanager
def _signals_deferred() -> Any:
    """Hold SIGINT, SIGTERM and SIGHUP while a page is published (delivered right after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _stop_on_signals() -> Any:
    """SIGTERM and SIGHUP stop the run like Ctrl-C does (once; a second one waits its turn)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = []

    def handler(signum: int, _frame: Any) -> None:
        if not raised:
            raised.append(signum)
            raise _Stop(signum)

    saved = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, previous in saved.items():
            signal.signal(s, previous)


def run_batch(
    years: list[int] | None = None,
    notebooks: list[str] | None = None,
    *,
    workers: int = 2,
    reports_dir: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    params_dir: str | Path | None = None,
    stop_on_failure: bool = False,
    force: bool = False,
    wait: float = DEFAULT_WAIT,
    cell_timeout: int | None = None,
    progress: bool = True,
) -> int:
    """Run notebooks for survey years (those whose inputs changed), publish their pages, the index.

    Args:
        years: the survey years (every year with a params file if None).
        notebooks: notebook names (``"02_satisfaction"``, ``.ipynb`` optional) or paths; every
            ``notebooks/NN_*.ipynb`` if None.
        workers: notebooks run at the same time (separate processes; 1 runs in this process).
        reports_dir: where pages go (``reports/`` if None).
        notebooks_dir: where the notebooks are, also their working directory (``notebooks/``).
        params_dir: where the per-year params files are (``params/`` if None).
        stop_on_failure: start no new job after the first failure (by default every job that
            does not need the failed one still runs).
        force: rebuild every page, changed inputs or not.
        wait: seconds to wait for another run of the same reports tree.
        cell_timeout: seconds a cell may run (no limit if None).
        progress: show the progress bar (on standard error).

    Returns:
        The exit code (see the module docstring).
    """
    started = time.monotonic()
    try:
        request = _request(years, notebooks, reports_dir, notebooks_dir, params_dir)
    except (ValueError, ParamsError) as exc:
        _echo(f"satisfaction run: {_one_line(exc)}")
        return EXIT_USAGE
    lock = RunLock(request.reports)
    try:
        lock.acquire(wait, on_wait=lambda holder: _echo(
            f"satisfaction run: waiting up to {wait:g} s for the run holding {lock.path} "
            f"({holder})"))
    except LockBusy as exc:
        _echo(f"satisfaction run: {exc}")
        return EXIT_BUSY
    except KeyboardInterrupt:
        _echo("satisfaction run: stopped by SIGINT while waiting for the other run; nothing done")
        return 128 + signal.SIGINT
    with lock, _stop_on_signals():
        recover(request.reports)
        _remove_stale_staging()
        batch = _Batch(request, _Options(workers, stop_on_failure, force, cell_timeout, progress))
        signum = batch.run()
        return batch.summary(started, signum)
