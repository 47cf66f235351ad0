"""Worker processes that die with the runner; they run notebooks, the runner publishes.

:class:`WorkerPool` starts up to ``size`` worker processes (spawned: a fresh interpreter, no
copy of the runner's state) when there is work for them, each serving one job at a time over a
pipe. A worker

* asks Linux to send it SIGTERM when the runner dies (``prctl(PR_SET_PDEATHSIG)``; elsewhere a
  thread watches the parent), and exits at once if the runner is already gone;
* ignores SIGINT (Ctrl-C reaches the whole process group: the runner decides what stops) and
  on SIGTERM stops: its job's clean-up runs (the kernel is shut down, the staging folder
  removed); a kernel left behind exits by itself within a second of its worker (ipykernel
  polls its parent);
* never publishes: it hands back where its files are and the runner moves them into place, so
  a worker that outlives a killed runner for a moment has nothing to publish with.

:meth:`WorkerPool.stop` sends SIGTERM to every worker, waits a bounded time, then SIGKILL.
:class:`InlinePool` has the same interface and runs each job in the runner's own process (one
worker: no process start-up).

Not for: what a job does (:mod:`satisfaction.report.execute`).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Final

__all__ = ["InlinePool", "WorkerDied", "WorkerPool"]

_PR_SET_PDEATHSIG: Final = 1


@dataclass(frozen=True)
class WorkerDied:
    """The result of a job whose worker process ended without answering."""

    exitcode: int | None

    def __str__(self) -> str:
        code = self.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return f"the worker process running it ended ({how})"


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
    if os.getppid() != parent_pid:
        os._exit(1)


def _terminate(signum: int, _frame: Any) -> None:
    """Stop the job: its clean-up runs; what the dying kernel client logs is not a failure."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    raise SystemExit(128 + signum)


def _serve(conn: Connection, parent_pid: int, job: Callable[[Any], Any],
           discard: Callable[[Any], Any] | None) -> None:
    """A worker's life: take a job, run it, answer; until the pipe closes or SIGTERM.

    A job interrupted (SIGTERM), or finished after the runner died, is handed to ``discard``
    (its staged files are removed: nobody will publish them).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminate)
    _die_with_parent(parent_pid)
    spec = None
    try:
        while True:
            try:
                spec = conn.recv()
            except (EOFError, OSError):
                return
            if spec is None:
                return
            result = job(spec)
            if os.getppid() != parent_pid:
                raise SystemExit(1)
            conn.send(result)
            spec = None
    except BaseException:
        if spec is not None and discard is not None:
            discard(spec)
        raise


@dataclass
class _Worker:
    process: Any
    conn: Connection


class WorkerPool:
    """Up to ``size`` worker processes running ``job(spec)``; results come back by :meth:`wait`.

    Args:
        size: the most jobs at once.
        job: a module-level function (it is sent to the spawned workers by name).
        discard: a module-level function a worker calls with a job's spec when the job is
            stopped or its result cannot be handed back (the runner is gone).
    """

    def __init__(self, size: int, job: Callable[[Any], Any],
                 discard: Callable[[Any], Any] | None = None) -> None:
        self.size = max(1, int(size))
        self._job = job
        self._discard = discard
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._busy: dict[int, tuple[_Worker, Any]] = {}

    @property
    def free(self) -> int:
        """How many more jobs can start now."""
        return self.size - len(self._busy)

    @property
    def running(self) -> int:
        """How many jobs are running."""
        return len(self._busy)

    def _start(self) -> _Worker:
        mine, theirs = self._ctx.Pipe()
        process = self._ctx.Process(target=_serve,
                                    args=(theirs, os.getpid(), self._job, self._discard),
                                    daemon=True, name="satisfaction-worker")
        process.start()
        theirs.close()
        return _Worker(process, mine)

    def submit(self, key: Any, spec: Any) -> None:
        """Start ``job(spec)`` in an idle worker (a new one if none is idle)."""
        if self.free <= 0:
            raise RuntimeError("every worker is busy")
        worker = self._idle.pop() if self._idle else self._start()
        worker.conn.send(spec)
        self._busy[id(worker)] = (worker, key)

    def wait(self, timeout: float | None = None) -> list[tuple[Any, Any]]:
        """(key, result) of the jobs that finished (a :class:`WorkerDied` when a worker died)."""
        if not self._busy:
            return []
        handles: list[Any] = []
        for worker, _key in self._busy.values():
            handles += [worker.conn, worker.process.sentinel]
        wait(handles, timeout)
        done = []
        for ident, (worker, key) in list(self._busy.items()):
            result: Any = None
            if worker.conn.poll():
                try:
                    result = worker.conn.recv()
                except (EOFError, OSError):
                    result = None
            if result is not None:
                self._idle.append(worker)
            elif not worker.process.is_alive():
                worker.process.join(1)
                result = WorkerDied(worker.process.exitcode)
            else:
                continue
            del self._busy[ident]
            done.append((key, result))
        return done

    def stop(self, grace: float = 5.0) -> None:
        """End every worker: idle ones are told to exit, busy ones get SIGTERM, then SIGKILL."""
        workers = self._idle + [w for w, _ in self._busy.values()]
        for worker in self._idle:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker, _key in self._busy.values():
            with contextlib.suppress(OSError):
                worker.process.terminate()
        deadline = time.monotonic() + grace
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            worker.conn.close()
        self._idle, self._busy = [], {}


class InlinePool:
    """The :class:`WorkerPool` interface, each job run at once in this process."""

    def __init__(self, size: int, job: Callable[[Any], Any],
                 discard: Callable[[Any], Any] | None = None) -> None:
        self.size = 1
        self._job = job
        self._done: list[tuple[Any, Any]] = []

    @property
    def free(self) -> int:
        return 0 if self._done else 1

    @property
    def running(self) -> int:
        return len(self._done)

    def submit(self, key: Any, spec: Any) -> None:
        self._done.append((key, self._job(spec)))

    def wait(self, timeout: float | None = None) -> list[tuple[Any, Any]]:
        done, self._done = self._done, []
        return done

    def stop(self, grace: float = 5.0) -> None:
        self._done = []
