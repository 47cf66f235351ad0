"""Publishing pages: a year folder is replaced as a whole, so a kill leaves the old set or the new.

:func:`publish` builds the next version of ``reports/<year>/`` beside it (every file that stays
is hard-linked, not copied; every new file is moved in) and swaps the two folders in one system
call (Linux ``renameat2`` with ``RENAME_EXCHANGE``). Whoever reads the folder, and whenever the
process is killed, finds every page's files (both editions, the executed notebook, the headline
figures, the manifest) from before or from after, never some of each.

Where the exchange is not available (another kernel or file system), the old folder is renamed
aside and the new one renamed in: a kill between those two renames leaves the old folder
beside the missing one, and :func:`recover` puts it back at the start of the next run.
:func:`recover` also removes what a killed run left half-built (``.<year>.next-<pid>``) and the
staging folder of earlier versions of the runner (``reports/.staging``).

One process publishes into a reports folder at a time: the batch runner, holding the tree's lock
(:mod:`satisfaction.report.lock`).

Not for: deciding what to publish (:mod:`satisfaction.report.runner`) or what a page's files
are (:mod:`satisfaction.report.pages`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

__all__ = ["publish", "recover"]

_AT_FDCWD: Final = -100
_RENAME_EXCHANGE: Final = 2
_UNSUPPORTED: Final = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}
_SCRATCH: Final = re.compile(r"^\.(?P<name>[^/]+)\.(?P<kind>next|prev)-\d+$")
LEGACY_STAGING: Final = ".staging"


def _renameat2() -> Any:
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False when this system cannot."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, f"cannot swap {a} and {b}: {os.strerror(code)}")


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _move_or_copy(src: Path, dst: Path) -> None:
    try:
        os.replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.copy2(src, dst)


def _next_version(year_dir: Path, scratch: Path, add: Mapping[str, Path], drop: set[str]) -> None:
    """Fill ``scratch`` with the year folder as it will be: the files kept, then the new ones."""
    scratch.mkdir()
    if year_dir.is_dir():
        for entry in os.scandir(year_dir):
            if entry.name in drop:
                continue
            target = scratch / entry.name
            if entry.is_dir(follow_symlinks=False):
                shutil.copytree(entry.path, target, symlinks=True, copy_function=_link_or_copy)
            elif entry.is_symlink():
                os.symlink(os.readlink(entry.path), target)
            else:
                _link_or_copy(entry.path, str(target))
    for name, source in add.items():
        if "/" in name or name.startswith("."):
            raise ValueError(f"{name!r} is not a plain file name of a year folder")
        _move_or_copy(Path(source), scratch / name)


def publish(year_dir: str | Path, add: Mapping[str, str | Path],
            remove: Iterable[str] = ()) -> Path:
    """Put files into a year folder and take others out, as one change.

    Args:
        year_dir: the folder (``reports/<year>``); created when missing.
        add: file name in the folder -> the file to move there (replacing one of that name).
        remove: file names to take out (missing ones are ignored).

    Returns:
        ``year_dir``.

    Examples:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> new = root / "new.html"
        >>> _ = new.write_text("v2")
        >>> _ = publish(root / "2020", {"02_x.html": new})
        >>> sorted(p.name for p in root.iterdir()), (root / "2020" / "02_x.html").read_text()
        (['2020'], 'v2')
    """
    year_dir = Path(year_dir)
    year_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = year_dir.parent / f".{year_dir.name}.next-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        _next_version(year_dir, scratch, {k: Path(v) for k, v in add.items()},
                      set(add) | set(remove))
        if not year_dir.exists():
            os.rename(scratch, year_dir)
        elif not _exchange(scratch, year_dir):
            aside = year_dir.parent / f".{year_dir.name}.prev-{os.getpid()}"
            shutil.rmtree(aside, ignore_errors=True)
            os.rename(year_dir, aside)
            os.rename(scratch, year_dir)
            shutil.rmtree(aside, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # after a swap: the old version
    return year_dir


def recover(reports_dir: str | Path) -> list[str]:
    """Finish or undo what a killed run left in a reports folder; returns the names removed.

    A year folder set aside by the fallback swap comes back when the folder is missing; any
    other ``.<year>.next-<pid>`` / ``.<year>.prev-<pid>`` folder, and ``.staging``, is removed.
    Call it only while holding the tree's lock.

    Examples:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> (root / ".2020.prev-123").mkdir(); (root / ".2019.next-77").mkdir()
        >>> recover(root), sorted(p.name for p in root.iterdir())
        (['.2019.next-77'], ['2020'])
    """
    root = Path(reports_dir)
    removed: list[str] = []
    if not root.is_dir():
        return removed
    for entry in sorted(root.iterdir()):
        match = _SCRATCH.match(entry.name)
        if match and match["kind"] == "prev" and not (root / match["name"]).exists():
            os.rename(entry, root / match["name"])
        elif match or entry.name == LEGACY_STAGING:
            with contextlib.suppress(OSError):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            removed.append(entry.name)
    return removed
