"""What one page is on disk: its two editions, its companions, its manifest, its failure record.

A page is one notebook run for one survey year. It lives in ``reports/<year>/`` as a set of
files that are replaced together (:mod:`satisfaction.report.publish`):

=============================  ==============================================================
``<nb>.html``                  the Vietnamese edition (the default language)
``<nb>.en.html``               the English edition
``<nb>.ipynb``                 the executed notebook (both languages' outputs, tagged)
``<nb>.headline.json``         the headline figures, when the notebook saved any
``<nb>.manifest.json``         what the page was built from (a hash per input), when, how
                               long it took, its titles, and a hash of each file above
=============================  ==============================================================

A run that fails leaves that set as it was and adds ``<nb>.failed.json`` (when, and the one
line that says what failed) and, when the kernel ran, the partly executed ``<nb>.failed.ipynb``.
The next good build removes both. The index (:mod:`satisfaction.report.index`) is written from
these files alone.

Not for: deciding whether a page must be rebuilt (:mod:`satisfaction.report.inputs`) or
replacing the files (:mod:`satisfaction.report.publish`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "EDITION_NAMES",
    "MANIFEST_VERSION",
    "Page",
    "edition_file",
    "failure_files",
    "failure_record",
    "index_file",
    "page_files",
    "read_json",
    "read_page",
    "sha256_bytes",
    "utc_stamp",
]

EDITION_NAMES: Final = {"vi": "Tiếng Việt", "en": "English"}
"""Each edition's language named in itself: the link to an edition reads so in every edition."""
MANIFEST_VERSION: Final = 1
"""Bumped when the manifest's meaning changes: every page is then rebuilt once."""


def edition_file(name: str, lang: str) -> str:
    """The file name of one edition of a page (the default language has no suffix).

    Examples:
        >>> edition_file("02_satisfaction", "vi"), edition_file("02_satisfaction", "en")
        ('02_satisfaction.html', '02_satisfaction.en.html')
    """
    return f"{name}.html" if lang == DEFAULT_LANGUAGE else f"{name}.{lang}.html"


def index_file(lang: str) -> str:
    """The file name of one edition of the index.

    Examples:
        >>> index_file("vi"), index_file("en")
        ('index.html', 'index.en.html')
    """
    return edition_file("index", lang)


def page_files(name: str) -> dict[str, str]:
    """Every file of a page's set: kind -> file name (one ``html:<lang>`` per edition).

    Examples:
        >>> sorted(page_files("01_clean").values())  # doctest: +NORMALIZE_WHITESPACE
        ['01_clean.en.html', '01_clean.headline.json', '01_clean.html', '01_clean.ipynb',
         '01_clean.manifest.json']
    """
    files = {f"html:{lang}": edition_file(name, lang) for lang in LANGUAGES}
    files.update(ipynb=f"{name}.ipynb", headline=f"{name}.headline.json",
                 manifest=f"{name}.manifest.json")
    return files


def failure_files(name: str) -> tuple[str, str]:
    """The failure record and the partial notebook of a page."""
    return f"{name}.failed.json", f"{name}.failed.ipynb"


def sha256_bytes(data: bytes) -> str:
    """SHA-256 of ``data`` in hex.

    Examples:
        >>> sha256_bytes(b"")[:12]
        'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def utc_stamp(when: datetime | None = None) -> str:
    """ISO 8601 UTC to the second, the one format of every time the runner writes.

    Examples:
        >>> utc_stamp(datetime(2021, 1, 2, 3, 4, 5, tzinfo=UTC))
        '2021-01-02T03:04:05Z'
    """
    return (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def failure_record(message: str, *, skipped: bool = False, when: datetime | None = None,
                   inputs: dict[str, str] | None = None) -> bytes:
    """The ``<nb>.failed.json`` of a run that failed (or was not run because a step it needs failed).

    Args:
        message: the one line that says what failed.
        skipped: the job was not run (a step it needs failed).
        when: the time of the failure (now if None).
        inputs: the hashes of the inputs it failed with: it is not tried again until one
            changes (see :mod:`satisfaction.report.runner`).

    Examples:
        >>> json.loads(failure_record("FAILED x", when=datetime(2021, 1, 2, tzinfo=UTC)))
        {'failed_utc': '2021-01-02T00:00:00Z', 'skipped': False, 'message': 'FAILED x', 'inputs': None}
    """
    record = {"failed_utc": utc_stamp(when), "skipped": bool(skipped), "message": str(message),
              "inputs": inputs}
    return (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a file the run wrote (a manifest, a failure record); None when it is
    missing, unreadable or not an object (the page or file is then treated as not built)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Page:
    """One page of a year folder as it is on disk.

    Attributes:
        name: the notebook's name (``02_satisfaction``).
        manifest: the manifest of the page shown (None: no page, or one built without a manifest).
        failure: the failure record of a later run (None: the last run was good).
        partial: whether the partly executed notebook of that failure is kept.
        editions: the languages whose edition exists.
        built_utc: when the page shown was built (the manifest's time, else the file's).
    """

    name: str
    manifest: dict[str, Any] | None
    failure: dict[str, Any] | None
    partial: bool
    editions: tuple[str, ...]
    built_utc: str | None

    @property
    def exists(self) -> bool:
        """Whether some edition of the page is there to read."""
        return bool(self.editions)

    def title(self, lang: str) -> str | None:
        """The page's title in ``lang``, as its manifest recorded it."""
        titles = (self.manifest or {}).get("titles") or {}
        title = titles.get(lang) or titles.get(DEFAULT_LANGUAGE)
        return str(title) if title else None

    def intact(self, year_dir: Path) -> bool:
        """Whether every file the manifest lists is there with the hash it recorded."""
        outputs = (self.manifest or {}).get("outputs")
        if not isinstance(outputs, dict) or not outputs:
            return False
        for filename, digest in outputs.items():
            try:
                data = (year_dir / filename).read_bytes()
            except OSError:
                return False
            if sha256_bytes(data) != digest:
                return False
        return True


def read_page(year_dir: Path, name: str) -> Page:
    """What is on disk for one page of a year folder.

    Examples:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> _ = (d / "02_x.failed.json").write_bytes(failure_record("FAILED 02_x [2020]"))
        >>> p = read_page(d, "02_x")
        >>> p.exists, p.failure["message"], p.manifest
        (False, 'FAILED 02_x [2020]', None)
    """
    files = page_files(name)
    manifest = read_json(year_dir / files["manifest"])
    record, partial = failure_files(name)
    editions = tuple(lang for lang in LANGUAGES if (year_dir / files[f"html:{lang}"]).is_file())
    built = (manifest or {}).get("built_utc")
    if built is None and editions:
        mtime = (year_dir / files[f"html:{editions[0]}"]).stat().st_mtime
        built = utc_stamp(datetime.fromtimestamp(mtime, UTC))
    return Page(name=name, manifest=manifest, failure=read_json(year_dir / record),
                partial=(year_dir / partial).is_file(), editions=editions,
                built_utc=None if built is None else str(built))
