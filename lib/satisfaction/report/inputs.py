"""What a page is built from, hashed: a page is rebuilt only when one of its inputs changed.

The inputs of the page of notebook ``NN_name`` for survey year ``Y`` (each a SHA-256, keyed by
its path relative to the project root):

* the notebook file;
* ``lib/satisfaction/``: every file of the library (code, page and index templates, the
  translation catalogue); ``environment``: the Python version and the versions of the
  packages every page states (:data:`satisfaction.report.provenance.KEY_PACKAGES`);
* for each year the page reads: that year's params file and every file the params name (any
  value that is the path of an existing file: ``raw_file``, ``par_file``, ``codebook``...),
  the shared codebook when the params name no ``codebook``, the PAR criteria and the office
  list of ``data/raw/`` (and an ``offices.csv`` beside the raw file, the one cleaning reads by
  default);
* for a page other than the cleaning step (``01_*``), the processed outputs of each year it
  reads (``data/processed/<year>/``, every file).

The cleaning page reads its own year only. Every other page reads its own year, its baseline
year and every earlier year with params: the change, PAR and instrument pages read the
baseline, and the satisfaction page's trend reads every year up to its own. A cleaning page
also records the processed outputs it produced, so that deleting or editing them rebuilds it.
A path that does not exist hashes as ``absent`` (so its appearance is a change too).

Not for: running anything (:mod:`satisfaction.report.runner`) or the page's files
(:mod:`satisfaction.report.pages`).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from .. import config

__all__ = ["ABSENT", "InputHasher", "changed_inputs", "library_dir"]

ABSENT: Final = "absent"
_SHARED_RAW: Final = ("par_criteria.yaml", "offices.csv")
_MAX_PATH_TEXT: Final = 1000


def library_dir() -> Path:
    """The folder of the ``satisfaction`` package the kernels import."""
    return Path(__file__).resolve().parent.parent


def _label(path: Path) -> str:
    """A path as the manifest names it: relative to the project root when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(config.ROOT).as_posix()
    except ValueError:
        return resolved.as_posix()


def _tree_files(folder: Path) -> Iterator[Path]:
    """Every file under ``folder``, sorted, without caches and hidden (temporary) files."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and not name.endswith((".pyc", ".pyo")):
                yield Path(dirpath) / name


def _named_files(value: Any) -> Iterator[Path]:
    """Every string in a params mapping (nested) that is the path of an existing file."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _named_files(item)
    elif isinstance(value, list):
        for item in value:
            yield from _named_files(item)
    elif isinstance(value, str) and 0 < len(value) < _MAX_PATH_TEXT and "\n" not in value:
        candidate = config.ROOT / value
        try:
            if candidate.is_file():
                yield candidate
        except OSError:
            return


class InputHasher:
    """Hashes of files and folders, each file read once per run (keyed by size and mtime).

    Examples:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> _ = (d / "a.txt").write_text("x")
        >>> h = InputHasher()
        >>> h.file(d / "a.txt")[:12], h.file(d / "missing")
        ('2d711642b726', 'absent')
        >>> h.tree(d) == h.tree(d), h.tree(d / "none")
        (True, 'absent')
    """

    def __init__(self) -> None:
        self._files: dict[tuple[str, int, int, int], str] = {}
        self._environment: str | None = None

    def file(self, path: Path) -> str:
        """SHA-256 of a file's bytes (``absent`` when it is not a file)."""
        try:
            st = path.stat()
        except OSError:
            return ABSENT
        if not path.is_file():
            return ABSENT
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
        digest = self._files.get(key)
        if digest is None:
            sha = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    sha.update(block)
            digest = self._files[key] = sha.hexdigest()
        return digest

    def tree(self, folder: Path) -> str:
        """One SHA-256 over the relative name and hash of every file under ``folder``."""
        if not folder.is_dir():
            return ABSENT
        sha = hashlib.sha256()
        for path in _tree_files(folder):
            sha.update(f"{path.relative_to(folder).as_posix()}\0{self.file(path)}\n".encode())
        return sha.hexdigest()

    def environment(self) -> str:
        """SHA-256 of the Python version and the versions of the packages pages state."""
        if self._environment is None:
            from .provenance import package_versions

            text = sys.version + "\n" + "\n".join(
                f"{k}={v}" for k, v in sorted(package_versions().items()))
            self._environment = hashlib.sha256(text.encode()).hexdigest()
        return self._environment

    def year_files(self, params_file: Path) -> dict[str, str]:
        """The params file of a year, every file it names, and the shared raw files (the shared
        codebook when the params name none)."""
        try:
            import yaml

            data = yaml.safe_load(params_file.read_text(encoding="utf-8"))
        except (OSError, ValueError, ImportError):
            data = None
        data = data if isinstance(data, Mapping) else {}
        paths = [params_file, *(config.RAW / n for n in _SHARED_RAW)]
        if not data.get("codebook"):
            paths.append(config.CODEBOOK)
        raw = data.get("raw_file")
        if isinstance(raw, str) and raw.strip():
            paths.append((config.ROOT / raw).parent / "offices.csv")
        return {_label(p): self.file(p) for p in [*paths, *_named_files(data)]}

    def page(self, notebook: Path, year: int, params_files: Mapping[int, Path], *,
             processed: bool) -> dict[str, str]:
        """The inputs of the page of ``notebook`` for ``year``: label -> SHA-256.

        Args:
            notebook: the notebook file.
            year: the page's survey year.
            params_files: year -> params file of every year the page reads (its own included).
            processed: whether the page reads the processed outputs of those years.
        """
        inputs = {
            _label(notebook): self.file(notebook),
            _label(library_dir()) + "/": self.tree(library_dir()),
            "environment": self.environment(),
        }
        for y in sorted(params_files):
            inputs.update(self.year_files(params_files[y]))
            if processed:
                inputs[_label(config.processed_dir(y)) + "/"] = self.tree(config.processed_dir(y))
        inputs["year"] = str(int(year))
        return inputs

    def produced(self, year: int) -> dict[str, str]:
        """The processed outputs of a year as the cleaning page left them."""
        folder = config.processed_dir(year)
        return {_label(folder) + "/": self.tree(folder)}


def changed_inputs(before: Mapping[str, Any] | None, now: Mapping[str, str]) -> list[str]:
    """The labels whose hash differs between a manifest's inputs and now (added and removed too).

    Examples:
        >>> changed_inputs({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"})
        ['b', 'c']
        >>> changed_inputs(None, {"a": "1"})
        ['a']
    """
    before = before or {}
    return sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
