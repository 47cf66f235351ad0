"""One batch run per reports tree: an advisory lock on ``reports/.run.lock``.

Two ``satisfaction run`` started on one tree (two terminals, a cron job and a user) would
execute the same notebooks and publish into the same folders. The second one waits for the
first (up to a bound) and then goes on -- usually to find every page up to date -- or gives up
with one line naming the holder: its process id, host, start time and command.

The lock is ``flock(2)`` on a file that stays in place: the system releases it when the holder
exits, however it exits (a SIGKILL included), so a lock is never left stale. The file holds a
description of the current holder, for the message.

Not for: the atomicity of what is published (:mod:`satisfaction.report.publish`).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Self

from .pages import utc_stamp

__all__ = ["LOCK_NAME", "LockBusy", "RunLock"]

LOCK_NAME: Final = ".run.lock"
_POLL: Final = 0.2


class LockBusy(RuntimeError):
    """Another run holds the tree's lock (the message names it)."""


def _describe(text: str) -> str:
    try:
        holder = json.loads(text)
    except ValueError:
        holder = None
    if not isinstance(holder, dict):
        return "a run that has not said who it is"
    return (f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, started "
            f"{holder.get('started_utc', '?')}: `{holder.get('command', '?')}`")


class RunLock:
    """The lock of one reports tree.

    Examples:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> with RunLock(root).acquire(wait=0):  # doctest: +ELLIPSIS
        ...     try:
        ...         RunLock(root).acquire(wait=0)
        ...     except LockBusy as exc:
        ...         print(str(exc).split(" (pid")[0])
        another run holds the lock of this reports tree: .../.run.lock
    """

    def __init__(self, reports_dir: str | Path) -> None:
        self.path = Path(reports_dir) / LOCK_NAME
        self._fd: int | None = None

    def holder(self) -> str:
        """Who holds the lock, as the holder wrote it."""
        try:
            return _describe(self.path.read_text(encoding="utf-8"))
        except OSError:
            return "a run that has not said who it is"

    def acquire(self, wait: float = 0.0, on_wait: Callable[[str], Any] | None = None) -> RunLock:
        """Take the lock, waiting up to ``wait`` seconds for the run that holds it.

        Args:
            wait: seconds to wait (0: give up at once).
            on_wait: called once with the holder's description when the lock is busy.

        Raises:
            LockBusy: still busy after ``wait`` seconds; the message names the holder.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + max(0.0, wait)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockBusy(
                        f"another run holds the lock of this reports tree: {self.path} "
                        f"({self.holder()}); waited {wait:g} s") from None
                if not told and on_wait is not None:
                    on_wait(self.holder())
                told = True
                time.sleep(_POLL)
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started_utc": utc_stamp(),
              "command": " ".join(["satisfaction", *sys.argv[1:]])[:300]}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(me) + "\n").encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let the lock go (the file stays: another run may be waiting on it)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
