"""Where things live: every path the library and the notebooks use, from one place.

Notebooks import their paths from here, so they run the same from JupyterLab (whose working
directory is ``notebooks/``), from papermill and from the tests. The project root is found by
walking up from this file to the folder holding ``pyproject.toml``; set ``SATISFACTION_ROOT``
to point the library at another checkout or a scratch copy (the tests do).

Not for: reading the per-year parameters (see :mod:`satisfaction.params`) or any I/O.
"""

from __future__ import annotations

import os
from pathlib import Path

KERNEL_NAME = "satisfaction"
"""The Jupyter kernel that ``make setup`` registers inside the virtual environment."""


def project_root() -> Path:
    """The repository root: ``$SATISFACTION_ROOT`` if set, else the folder with pyproject.toml.

    Examples:
        >>> (project_root() / "pyproject.toml").exists()
        True
    """
    env = os.environ.get("SATISFACTION_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "lib" / "satisfaction").exists():
            return parent
    raise RuntimeError(
        "cannot find the project root above "
        f"{here}; set SATISFACTION_ROOT to the repository folder"
    )


ROOT = project_root()
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
REPORTS = ROOT / "reports"
PARAMS = ROOT / "params"
NOTEBOOKS = ROOT / "notebooks"
CODEBOOK = RAW / "codebook.yaml"


def processed_dir(year: int, root: Path | None = None) -> Path:
    """Folder of the processed outputs of one survey year (not created here)."""
    return (root or PROCESSED) / str(int(year))


def report_dir(year: int, root: Path | None = None) -> Path:
    """Folder of the executed notebooks and HTML pages of one survey year."""
    return (root or REPORTS) / str(int(year))
