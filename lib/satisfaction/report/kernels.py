"""Kernels forked from a process that imported the notebooks' modules once for the whole run.

An ordinary kernel is a new interpreter that imports ipykernel, pandas, SciPy, matplotlib,
seaborn and the library before a page computes anything: 2-3 s of CPU a page, most of a small
page's cost and a third of the batch. A run that builds pages starts one **kernel factory**
(:class:`KernelFactory`): a process that imports ipykernel and every module the batch's
notebooks import at their top level (:func:`preload_modules`) -- nothing else: no notebook
code, no page's data -- and then waits on a Unix socket in the run's staging folder. Each
page's kernel is a fork of it: a new process, started with those modules already imported, and
nothing any other page did. Pages are as isolated from each other as with ordinary kernels.

The workers' kernel manager (:func:`forking_manager`) starts :mod:`~satisfaction.report.kernel_proxy`
in place of the kernel's command. The proxy hands the factory the kernel's command line, its
environment, working directory and standard streams; the factory forks; the fork sets all of
them as the ordinary kernel would have them and runs ipykernel's launcher
(``python -m ipykernel_launcher -f CONNECTION_FILE ...``). The proxy forwards every signal the
kernel manager sends (interrupt, terminate) and ends when the kernel ends; when the proxy ends
first (killed, or its worker is gone), the kernel ends too.

What stays as in an ordinary kernel: the command line and its arguments, the environment, the
working directory, ``sys.path`` as the launcher leaves it, the standard streams, matplotlib's
backend (``MPLBACKEND`` is set as ipykernel sets it, before matplotlib is imported; no backend is
loaded before the kernel exists: the factory refuses to fork when one is), a process of its own
in a session of its own. What differs: the kernel is not the kernel manager's child (its proxy
is); its modules were imported a few seconds before it started; string hashing and numpy's
global random state are the same in every kernel of one run (as in any two runs of one seed:
pages seed what they draw).

Where ``fork`` is not available (not Linux), where ``SATISFACTION_FRESH_KERNELS=1`` is set, or
when the factory cannot start, refuses a command or dies, each kernel starts the ordinary way:
the proxy becomes the kernel (``exec``).

Not for: running notebooks (:mod:`satisfaction.report.execute`) or deciding what runs
(:mod:`satisfaction.report.runner`).
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import functools
import importlib
import importlib.util
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final, NoReturn

__all__ = ["FRESH_ENV", "KernelFactory", "forking_manager", "preload_modules", "serve"]

FRESH_ENV: Final = "SATISFACTION_FRESH_KERNELS"
"""Set to 1 to start every kernel the ordinary way (no factory)."""
PROXY: Final = Path(__file__).resolve().with_name("kernel_proxy.py")
INLINE_BACKEND: Final = "module://matplotlib_inline.backend_inline"
"""The backend ipykernel sets in ``MPLBACKEND`` when none is set (``IPKernelApp.init_gui_pylab``)."""
BASE_MODULES: Final = ("ipykernel.kernelapp", "seaborn")
"""Imported before the notebooks' modules: the kernel itself, and what the library imports inside
its plotting functions on every page (:func:`satisfaction.plots.set_theme`)."""
_LAUNCHER: Final = "ipykernel_launcher"
_PR_SET_PDEATHSIG: Final = 1
_SOCKET_NAME: Final = "kernels.sock"


def preload_modules(notebooks: Iterable[Path]) -> list[str]:
    """The modules the notebooks import at the top level of their code cells, in order.

    ``from package import name`` gives ``package`` and ``package.name`` (which the factory
    imports when it is a module and skips when it is not).

    Examples:
        >>> import json, tempfile
        >>> nb = Path(tempfile.mkdtemp()) / "02_x.ipynb"
        >>> cell = {"cell_type": "code", "source": "%matplotlib inline\\nimport pandas as pd\\n"
        ...         "from satisfaction import plots\\nif x:\\n    import numpy"}
        >>> _ = nb.write_text(json.dumps({"cells": [cell]}))
        >>> preload_modules([nb])
        ['pandas', 'satisfaction', 'satisfaction.plots']
    """
    found: dict[str, None] = {}
    for notebook in notebooks:
        try:
            cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        for cell in cells:
            if cell.get("cell_type") == "code":
                found.update(dict.fromkeys(_imported(cell.get("source", ""))))
    return list(found)


def _imported(source: Any) -> list[str]:
    """The modules a cell's top-level import statements name (IPython's magics left out)."""
    text = "".join(source) if isinstance(source, list) else str(source)
    text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in text.splitlines())
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module, *(f"{node.module}.{a.name}" for a in node.names if a.name != "*")]
    return names


def _kernel_prefix(kernel_name: str) -> list[str] | None:
    """The interpreter and its options of the kernel's command (None: not an ipykernel spec)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = list(KernelSpecManager().get_kernel_spec(kernel_name).argv)
    except (NoSuchKernel, OSError, ValueError):
        return None
    for i in range(len(argv) - 1):
        if argv[i:i + 2] == ["-m", _LAUNCHER]:
            prefix = argv[:i]
            if prefix and prefix[0] in {"python", f"python{sys.version_info[0]}",
                                        "python{}.{}".format(*sys.version_info[:2])}:
                prefix[0] = sys.executable  # as jupyter_client's format_kernel_cmd does
            return prefix or None
    return None


class KernelFactory:
    """The run's kernel factory: started when the first page is built, stopped at the end.

    Args:
        folder: a folder of the run's own (its socket and log go there).
        kernel_name: the kernel the pages run with.
        notebooks: the run's notebooks (the factory imports what they import:
            :func:`preload_modules`).
    """

    def __init__(self, folder: Path, kernel_name: str, notebooks: Iterable[Path]) -> None:
        self.folder = Path(folder)
        self.kernel_name = kernel_name
        self.notebooks = sorted(set(notebooks))
        self.process: subprocess.Popen[bytes] | None = None
        self.address: str | None = None
        self._tried = False

    def start(self) -> str | None:
        """Start the factory once; its socket's address (None: kernels start the ordinary way)."""
        if self._tried:
            return self.address
        self._tried = True
        if os.environ.get(FRESH_ENV, "") not in ("", "0") or not hasattr(os, "fork") \
                or not sys.platform.startswith("linux") or not hasattr(socket, "send_fds"):
            return None
        prefix = _kernel_prefix(self.kernel_name)
        if prefix is None:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        address = str(self.folder / _SOCKET_NAME)
        if len(address.encode()) > 100:  # the limit of a Unix socket's path
            return None
        log = (self.folder / "kernels.log").open("wb")
        try:
            self.process = subprocess.Popen(
                [*prefix, "-m", __name__, address, *BASE_MODULES,
                 *preload_modules(self.notebooks)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                cwd=self.folder)
        except OSError:
            return None
        finally:
            log.close()
        self.address = address
        return address

    def stop(self, grace: float = 5.0) -> None:
        """End the factory (the kernels it forked end with their proxies)."""
        if self.process is None:
            return
        with contextlib.suppress(OSError):
            self.process.terminate()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None


@functools.cache
def forking_manager(address: str) -> type:
    """A kernel manager class whose kernels the factory at ``address`` forks (through the proxy)."""
    from jupyter_client import AsyncKernelManager

    class ForkingKernelManager(AsyncKernelManager):  # type: ignore[misc]
        """Starts :mod:`~satisfaction.report.kernel_proxy` in place of the kernel's command."""

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            return [cmd[0], "-I", "-S", str(PROXY), address, "--", *cmd]

    return ForkingKernelManager


# ---------------------------------------------------------------------------------------------
# The factory process: python -m satisfaction.report.kernels ADDRESS MODULE...
# ---------------------------------------------------------------------------------------------

def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _preload(modules: Sequence[str]) -> bool:
    """Import the modules (a failing one is left to the kernel); whether forking is still safe:
    no thread started, no IPython shell, no matplotlib backend loaded."""
    for name in modules:
        # A name that is not a module is skipped; a module that fails here fails the same way
        # in the notebook's kernel, which says so.
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    from IPython import get_ipython

    return (threading.active_count() == 1 and get_ipython() is None
            and "matplotlib_inline.backend_inline" not in sys.modules)


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """A proxy's request: its command, environment, working directory, and its three streams."""
    header, fds, _flags, _addr = socket.recv_fds(conn, 8, 3)
    if len(header) != 8 or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise ValueError("a request without its header or its three streams")
    size = struct.unpack("!Q", header)[0]
    data = b""
    while len(data) < size:
        chunk = conn.recv(min(1 << 16, size - len(data)))
        if not chunk:
            break
        data += chunk
    request = json.loads(data)
    return (request if isinstance(request, dict) else {}), list(fds)


def _kernel_args(argv: Any) -> list[str] | None:
    """The launcher's arguments when ``argv`` is this factory's interpreter running ipykernel's
    launcher (None: not a command this factory can fork)."""
    mine = sys.orig_argv[:sys.orig_argv.index("-m")] if "-m" in sys.orig_argv else None
    if not isinstance(argv, list) or mine is None or argv[:len(mine)] != mine:
        return None
    rest = argv[len(mine):]
    return [str(a) for a in rest[2:]] if rest[:2] == ["-m", _LAUNCHER] else None


def _watch_proxy(conn: socket.socket) -> None:
    """In the kernel: end at once when the proxy's connection closes (the proxy is gone)."""
    while True:
        try:
            if not conn.recv(64):
                os._exit(1)
        except InterruptedError:
            continue
        except OSError:
            os._exit(1)


def _become_kernel(conn: socket.socket, fds: list[int], request: dict[str, Any],
                   args: list[str]) -> None:
    """In the fork: take the proxy's streams, environment and folder, then run the kernel."""
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP", "SIGCHLD"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    os.chdir(str(request.get("cwd") or os.getcwd()))
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in (request.get("env") or {}).items()})
    spec = importlib.util.find_spec(_LAUNCHER)
    sys.argv = [spec.origin if spec is not None and spec.origin else _LAUNCHER, *args]
    conn.settimeout(None)
    conn.sendall(b"%d\n" % os.getpid())
    threading.Thread(target=_watch_proxy, args=(conn,), daemon=True,
                     name="proxy-watch").start()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _run_kernel(conn: socket.socket, fds: list[int], request: dict[str, Any],
                args: list[str]) -> NoReturn:
    """In the fork: the kernel's life, then the interpreter's ordinary exit (``SystemExit``
    unwinds the factory's frames, which leave the factory's socket alone in a fork)."""
    code = 0
    try:
        _become_kernel(conn, fds, request, args)
    except SystemExit:
        raise
    except BaseException:  # noqa: BLE001 - as the interpreter of an ordinary kernel would
        traceback.print_exc()
        code = 1
    raise SystemExit(code)


def _serve_one(conn: socket.socket, listener: socket.socket, safe: bool) -> None:
    """Answer one proxy: fork its kernel, or tell it to start one itself."""
    fds: list[int] = []
    try:
        request, fds = _receive(conn)
        args = _kernel_args(request.get("argv")) if safe else None
        if args is None:
            conn.sendall(b"0\n")
        elif os.fork() == 0:
            listener.close()
            _run_kernel(conn, fds, request, args)
    except (OSError, ValueError):
        pass
    finally:
        if not _in_fork():
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            conn.close()


_FACTORY_PID: list[int] = []


def _in_fork() -> bool:
    return bool(_FACTORY_PID) and os.getpid() != _FACTORY_PID[0]


def serve(address: str, modules: Sequence[str]) -> None:
    """The factory: listen at ``address``, import ``modules``, then fork a kernel per request
    until the runner that started it is gone or stops it (SIGTERM). In a fork, the kernel's end
    raises ``SystemExit`` through here (the interpreter then exits as a kernel's does)."""
    parent = os.getppid()
    _FACTORY_PID[:] = [os.getpid()]
    _die_with_parent()
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]  # as ipykernel's launcher does
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)  # proxies wait in the queue while the modules are imported
    try:
        safe = _preload(modules)
        listener.settimeout(0.5)
        while os.getppid() == parent:
            _reap()
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(30)
            _serve_one(conn, listener, safe)
    finally:
        if not _in_fork():
            listener.close()
            with contextlib.suppress(OSError):
                os.unlink(address)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
