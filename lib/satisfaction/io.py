"""Reading raw survey files exactly as the offices sent them; atomic writes; file hashes.

:func:`read_raw` opens a raw survey file (CSV in UTF-8, UTF-8 with BOM, UTF-16, Windows-1258,
TCVN3 (ABC) or VNI; Excel .xlsx; SPSS .sav; Stata .dta; Parquet) and returns a
:class:`RawFile` whose frame holds every cell as a Unicode NFC string or missing, with no type
coercion and no trimming, so that the cleaning step sees what the office typed. SPSS/Stata
value labels and SPSS user-missing codes are kept beside the frame. The raw file is only ever
opened for reading; every file-level fault is a :class:`RawFileError` whose message is one line
naming the file and the fault.

Every row of the frame carries the line it came from (:attr:`RawFile.lines`), and every line
of a CSV file that could not be read as a row is listed with its reason
(:attr:`RawFile.faults`: a wrong number of fields, a quote left open), so that the cleaning
step accounts for every physical line (see :mod:`satisfaction.csv_records`).

Inputs are bounded (:class:`Limits`) before they are loaded: the file's size, its rows and
columns (a CSV's lines and header; an Excel sheet's cells as the XML places them, whatever its
declared dimension says), every member of an .xlsx unpacked (a zip bomb is refused before any
of it is inflated in memory), and the longest cell.

Writers (:func:`write_atomic`, :func:`atomic_output`, :func:`write_parquet_atomic`,
:func:`write_csv_atomic`) write to a temporary file in the target folder and rename it over the
target only on success, so a failed run leaves the previous output in place;
:func:`commit_output_set` does the same for several files at once (a kill leaves the old set or
the new one, never a mix). CSV outputs are safe to open in a spreadsheet
(:func:`spreadsheet_safe`).

Not for: cleaning (column mapping, Likert recoding, de-duplication, quarantine: see
:mod:`satisfaction.clean`) or the legacy code tables themselves
(:mod:`satisfaction.legacy_encodings`).

Encoding detection (``encoding=None``, CSV only), in order:

1. a byte-order mark: UTF-8 (``utf-8-sig``), UTF-16 LE or BE;
2. NUL bytes: UTF-16 without a BOM if at least 30 % of the even (or odd) bytes are NUL, almost
   none of the others are, and the bytes decode as UTF-16 without control characters; else
   the file is not text (random bytes, a renamed binary) and not decodable;
3. the bytes are valid UTF-8 (this includes pure ASCII): ``utf-8``;
4. otherwise each legacy candidate (``cp1258``, ``tcvn3``, ``vni``) decodes the first 256 KiB;
   a candidate that fails or yields control characters (other than tab, CR, LF) is out. The
   others are scored by :func:`~satisfaction.legacy_encodings.vietnamese_score`: the share of
   the words holding a non-ASCII character that are well-formed Vietnamese syllables (an
   initial consonant and a rhyme from the Vietnamese sets, a final the vowel permits, at most
   one tone mark, only sắc or nặng before -c -ch -p -t, one case pattern). Text decoded with
   the wrong table is full of words such as ``C«ng``, ``Coâng``, ``tiồnh`` or ``HỔi`` that
   fail. Candidates scoring at least 0.5 are tried best first (ties: the order above) on the
   whole file; the first that decodes every cell wins. Otherwise the file is not decodable.
   Every non-ASCII word of the codebook and of the ministry's 2020 article scores as Vietnamese;
   the wrong readings of such text score below 0.3.

A UTF-8 file is read as it streams (one pass hashes it, checks it is UTF-8 and NFC and finds its
lines; pyarrow then parses it block by block into dictionary-encoded columns), so reading a
large file holds little more than its cells. Legacy files are parsed as Latin-1 (the three
encodings are ASCII-compatible, so delimiters, quotes and line ends are exact) and each distinct
cell is decoded once.

Named encodings (the year's params ``encoding``) are used as given; aliases are listed in
:data:`ENCODING_ALIASES`. Excel, SPSS, Stata and Parquet files store Unicode, but a cell typed
with a legacy font holds the Windows-1252 reading of the font's bytes (``C«ng an tØnh``). With
``encoding=None`` such text is detected (the cells score as Vietnamese only once re-read
through ``tcvn3`` or ``vni``) and repaired, and :attr:`RawFile.encoding` names the font; naming
``tcvn3`` or ``vni`` forces the repair (see
:func:`satisfaction.legacy_encodings.repair_font_text`, which leaves proper Unicode alone).
``cp1258`` is handed to pyreadstat for old SPSS/Stata files that carry no code page.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as _dt
import hashlib
import io as _io
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import legacy_encodings
from .csv_records import CsvFault, LineScanner, Records, read_records, rows_batch
from .legacy_encodings import vietnamese_score

__all__ = [
    "DEFAULT_LIMITS",
    "ENCODING_ALIASES",
    "FORMATS",
    "TEXT_DTYPE",
    "Limits",
    "RawFile",
    "RawFileError",
    "atomic_output",
    "commit_output_set",
    "decode_bytes",
    "detect_encoding",
    "read_raw",
    "sha256_file",
    "spreadsheet_safe",
    "vietnamese_score",
    "write_atomic",
    "write_csv_atomic",
    "write_parquet_atomic",
]

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".sav": "sav",
    ".zsav": "sav",
    ".dta": "dta",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""File suffix (lower case) -> format name of :class:`RawFile`."""

ENCODING_ALIASES: dict[str, str] = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf-16": "utf-16",
    "utf16": "utf-16",
    "utf-16-le": "utf-16-le",
    "utf-16le": "utf-16-le",
    "utf-16-be": "utf-16-be",
    "utf-16be": "utf-16-be",
    "windows-1258": "cp1258",
    "cp1258": "cp1258",
    "tcvn3": "tcvn3",
    "abc": "tcvn3",
    "tcvn3-abc": "tcvn3",
    "vni": "vni",
    "vni-windows": "vni",
}
"""Accepted encoding names (case-insensitive, ``_`` read as ``-``) -> canonical name."""

LEGACY_CANDIDATES: tuple[str, ...] = ("cp1258", "tcvn3", "vni")
"""The legacy encodings tried, in this order of preference, when no encoding is named."""

_TRIED = "utf-8, utf-16, cp1258, tcvn3, vni"
_MIN_SCORE = 0.5
_SAMPLE_BYTES = 1 << 18  # legacy detection scores the first 256 KiB; the winner decodes it all
_CHUNK = 1 << 23          # the streaming pass reads 8 MiB at a time
_BOM = b"\xef\xbb\xbf"

TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
"""The dtype of the text columns of :attr:`RawFile.frame`: text, missing as ``NaN``."""
_SNIFF_CHARS = 65536
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Limits:
    """How large a raw file may be; each bound is checked before the file is loaded.

    Attributes:
        max_bytes: the file's size on disk.
        max_rows: data rows (CSV: non-blank lines below the header; Excel: sheet rows).
        max_columns: columns (the CSV header's fields; the sheet's columns).
        max_cell_chars: the longest cell, in characters (Excel's own limit is 32,767).
        max_unpacked_bytes: an .xlsx's members, unpacked, together.
        max_cells: an Excel sheet's rows times columns, as its cells are placed (a single
            value at XFD1048576 makes a sheet of 17 billion cells).
    """

    max_bytes: int = 2 << 30
    max_rows: int = 2_000_000
    max_columns: int = 1_000
    max_cell_chars: int = 32_767
    max_unpacked_bytes: int = 1 << 30
    max_cells: int = 50_000_000


DEFAULT_LIMITS = Limits()
"""The bounds :func:`read_raw` applies unless it is given others."""


class RawFileError(Exception):
    """A file-level fault: the file cannot be read as a survey table at all.

    Attributes:
        path: the file.
        fault: what is wrong, in a few words.

    Examples:
        >>> str(RawFileError(Path("data/raw/x.csv"), "file not found"))
        'data/raw/x.csv: file not found'
    """

    def __init__(self, path: str | os.PathLike[str], fault: str) -> None:
        self.path = Path(path)
        self.fault = " ".join(str(fault).split())
        super().__init__(f"{self.path}: {self.fault}")


FAULT_COLUMNS = ("line", "reason", "detail")
"""The columns of :attr:`RawFile.faults`."""


def _no_faults() -> pd.DataFrame:
    return pd.DataFrame({"line": pd.Series([], dtype="int64"),
                         "reason": pd.Series([], dtype="str"),
                         "detail": pd.Series([], dtype="str")})


@dataclass(frozen=True, eq=False)
class RawFile:
    """One raw survey file, read but not cleaned.

    Attributes:
        frame: one row per data row of the file; every cell a Unicode NFC ``str`` or missing
            (``NaN``); each column is either categorical (a column with few distinct values,
            such as a Likert item: one small code per cell) or pyarrow-backed text
            (:data:`TEXT_DTYPE`); column names NFC ``str``. Nothing is trimmed or converted:
            numbers from Excel/SPSS/Stata/Parquet are written as text (``5``, ``4.5``), dates
            as ISO text. A CSV record that is not a row (see :attr:`faults`) is not in it.
        path: the file read.
        format: ``csv``, ``xlsx``, ``sav``, ``dta`` or ``parquet``.
        encoding: the encoding detected or named (CSV); the file's code page (SPSS/Stata)
            or the legacy font named; else ``None``.
        sheet: the worksheet read (Excel), else ``None``.
        sha256: hex SHA-256 of the file's bytes.
        value_labels: SPSS/Stata value labels, ``{column: {code: label}}``, codes as text in
            the same form as the frame's cells.
        missing_codes: SPSS user-missing codes, ``{column: [code, ...]}``; a range is written
            ``"lo..hi"``. Stata extended missing values (``.a``...) appear in the frame as
            ``.a``... and are listed here too.
        lines: where each row of the frame comes from: its (first) physical line in a CSV
            file (the header is line 1), its worksheet row in Excel, its case number (from 1)
            in SPSS, Stata and Parquet. ``None``: rows numbered as a CSV with one header line.
        faults: the CSV lines that could not be read as rows: ``line, reason, detail``, one row
            a physical line (reasons ``extra_fields``, ``missing_fields``,
            ``unbalanced_quote``); no cell of theirs is kept.
        layout: the file's lines: ``lines``, ``header_lines``, ``blank_lines``, ``records``,
            ``record_lines`` (``header_lines + blank_lines + record_lines == lines``).
        native_numbers: per column, which cells the file stored as numbers (Excel, SPSS,
            Stata, Parquet): their text is Python's (``1234.5``, ``1e-05``), whatever the
            decimal separator of the year's text cells.
        delimiter: the CSV delimiter found (``,``, ``;`` or a tab), else ``None``.
    """

    frame: pd.DataFrame
    path: Path
    format: str
    encoding: str | None
    sheet: str | None
    sha256: str
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    missing_codes: dict[str, list[str]] = field(default_factory=dict)
    lines: np.ndarray | None = None
    faults: pd.DataFrame = field(default_factory=_no_faults)
    layout: dict[str, int] = field(default_factory=dict)
    native_numbers: dict[str, np.ndarray] = field(default_factory=dict)
    delimiter: str | None = None


# --------------------------------------------------------------------------------------------
# hashes and atomic writes


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks.

    Args:
        path: the file.

    Returns:
        64 lowercase hex digits.

    Examples:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> _ = (d / "abc.txt").write_bytes(b"abc")
        >>> sha256_file(d / "abc.txt")[:16]
        'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _default_mode(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    return 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` only on success.

    The parent folder is created if missing. If the ``with`` block raises, the temporary
    file is removed and ``path`` (if it existed) is left as it was.

    Args:
        path: the final file.

    Returns:
        A context manager yielding the temporary :class:`~pathlib.Path` to write to.

    Examples:
        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp()) / "table.txt"
        >>> with atomic_output(out) as tmp:
        ...     _ = tmp.write_text("ok")
        >>> out.read_text()
        'ok'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _default_mode(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`).

    Args:
        path: the final file.
        data: its new content.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Examples:
        >>> import tempfile
        >>> out = write_atomic(Path(tempfile.mkdtemp()) / "x.bin", b"\\x00\\x01")
        >>> out.read_bytes()
        b'\\x00\\x01'
    """
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8 with ``\\n`` line ends, atomically (see :func:`atomic_output`).

    Examples:
        >>> import tempfile
        >>> write_text_atomic(Path(tempfile.mkdtemp()) / "a.html", "<p>ok</p>").read_text()
        '<p>ok</p>'
    """
    return write_atomic(path, text.encode("utf-8"))


def write_parquet_atomic(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as Parquet (pyarrow, index dropped) atomically.

    Args:
        df: the table.
        path: the final file.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Examples:
        >>> import tempfile
        >>> out = write_parquet_atomic(pd.DataFrame({"a": [1, 2]}), Path(tempfile.mkdtemp()) / "t.parquet")
        >>> pd.read_parquet(out)["a"].tolist()
        [1, 2]
    """
    with atomic_output(path) as tmp:
        df.to_parquet(tmp, engine="pyarrow", index=False)
    return Path(path)


_FORMULA_START = frozenset("=+-@\t\r\n\x00\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?$")


def _safe_cell(value: Any) -> Any:
    if not isinstance(value, str) or not value or value[0] not in _FORMULA_START:
        return value
    if _PLAIN_NUMBER.match(value):
        return value
    return "'" + value


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell that a spreadsheet would run as a formula made plain text.

    The OWASP rule for CSV injection: a cell that begins with ``=``, ``+``, ``-``, ``@``, a
    tab, a carriage return (or a line feed, a NUL, or the full-width ``＝＋－＠``) gets a
    leading apostrophe, which Excel, LibreOffice and Google Sheets read as "this is text".
    Plain numbers (``-1.5``, ``+84``) are left alone: a number is not a formula. Every text
    cell of every column is checked (each distinct value once); numbers and dates are
    untouched.

    Args:
        df: a table about to be written as CSV or Excel.

    Returns:
        A copy with the risky cells neutralised.

    Examples:
        >>> t = pd.DataFrame({"x": ['=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "-1.5",
        ...                         "ok", "+84 98 000"], "n": [1, 2, 3, 4, 5]})
        >>> [v[:6] for v in spreadsheet_safe(t)["x"]]
        ["'=HYPE", "'@SUM(", '-1.5', 'ok', "'+84 9"]
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(s.dtype) \
                or pd.api.types.is_string_dtype(s.dtype):
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            safe = np.array([*[_safe_cell(u) for u in uniques], None], dtype=object)
            out[col] = pd.Series(safe[codes], index=s.index, dtype=object)
    return out


def write_csv_atomic(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV (no index, ``\\n`` line ends) atomically, spreadsheet-safe.

    Every text cell goes through :func:`spreadsheet_safe` first and is quoted: a CSV written
    here can be opened in Excel without running anything.

    Args:
        df: the table.
        path: the final file.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Examples:
        >>> import tempfile
        >>> out = write_csv_atomic(pd.DataFrame({"tỉnh": ["Hà Giang", "=1+1"]}), Path(tempfile.mkdtemp()) / "t.csv")
        >>> out.read_bytes().decode("utf-8")
        '"tỉnh"\\n"Hà Giang"\\n"\\'=1+1"\\n'
    """
    safe = spreadsheet_safe(df)
    with atomic_output(path) as tmp:
        # every text cell quoted (RFC 4180: a cell holding a lone CR is quoted too)
        safe.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n",
                    quoting=csv.QUOTE_NONNUMERIC)
    return Path(path)


# --------------------------------------------------------------------------------------------
# output sets: several files committed together


SETS_DIR = ".sets"
"""The folder (inside an output folder) holding each committed set of outputs."""
CURRENT_LINK = ".current"
"""The link (inside an output folder) to the set its files point at."""


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _swap_link(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` in one rename (a reader sees the old target or the new)."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    tmp = link.with_name(f".{link.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _collect_sets(folder: Path) -> None:
    """Remove the sets no link points at, except those a live process is still writing."""
    sets = folder / SETS_DIR
    used = {os.path.basename(os.readlink(p)) for p in folder.iterdir()
            if p.is_symlink() and os.readlink(p).startswith(SETS_DIR + os.sep)}
    for stage in sets.iterdir():
        owner = stage.name.split("-", 1)[0]
        if stage.name in used or not owner.isdigit():
            continue
        if int(owner) == os.getpid() or not _pid_alive(int(owner)):
            shutil.rmtree(stage, ignore_errors=True)


def commit_output_set(folder: str | os.PathLike[str],
                      writers: dict[str, Callable[[Path], Any]],
                      *, link: str | None = None) -> Path:
    """Write several files so that readers see all of the old ones or all of the new ones.

    The files are written into a fresh folder ``<folder>/.sets/<pid>-...``; then one rename
    points ``<folder>/.current`` at it, and each ``<folder>/<name>`` is a link to
    ``.current/<name>`` (made once; a plain file left by an older version is replaced). A run
    killed while writing leaves the previous set in place; the next commit removes the
    leftovers. With ``link``, the set is reached through ``<folder>/<link>`` instead (a folder
    link: e.g. the outputs of a rejected run, kept for inspection beside the good ones).
    Everything, temporary files included, stays inside ``folder``.

    Args:
        folder: the output folder (created if missing).
        writers: file name -> a function that writes that file at the path it is given.
        link: the name of a link to the whole set, instead of ``.current`` and the file links.

    Returns:
        The folder of the new set.

    Examples:
        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp())
        >>> _ = commit_output_set(out, {"a.txt": lambda p: p.write_text("1")})
        >>> _ = commit_output_set(out, {"a.txt": lambda p: p.write_text("2")})
        >>> (out / "a.txt").read_text(), len(list((out / ".sets").iterdir()))
        ('2', 1)
    """
    folder = Path(folder)
    sets = folder / SETS_DIR
    sets.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=sets, prefix=f"{os.getpid()}-"))
    try:
        os.chmod(stage, 0o777 & ~_umask())   # mkdtemp makes it private; outputs are not
        for name, write in writers.items():
            write(stage / name)
            with open(stage / name, "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(stage)
        target = f"{SETS_DIR}{os.sep}{stage.name}"
        if link is not None:
            _swap_link(folder / link, target)
        else:
            _swap_link(folder / CURRENT_LINK, target)
            for name in writers:
                _swap_link(folder / name, f"{CURRENT_LINK}{os.sep}{name}")
        _fsync_dir(folder)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    _collect_sets(folder)
    return stage
# --------------------------------------------------------------------------------------------
# encodings


def canonical_encoding(name: str) -> str:
    """The canonical name of an accepted encoding name, or ``ValueError``.

    Examples:
        >>> canonical_encoding("Windows-1258"), canonical_encoding("ABC"), canonical_encoding("UTF_8")
        ('cp1258', 'tcvn3', 'utf-8')
    """
    key = str(name).strip().lower().replace("_", "-")
    try:
        return ENCODING_ALIASES[key]
    except KeyError:
        raise ValueError(
            f"unknown encoding {name!r} (supported: {', '.join(sorted(ENCODING_ALIASES))})"
        ) from None


def _decode_with(data: bytes, encoding: str) -> str:
    """Decode strictly with a canonical encoding; raises UnicodeDecodeError / ValueError."""
    if encoding in ("tcvn3", "vni"):
        return legacy_encodings.decode(data, encoding)
    return data.decode(encoding)


def _has_controls(text: str) -> bool:
    return re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text) is not None


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    if len(data) < 4 or len(data) % 2:
        return None
    arr = np.frombuffer(data[: 1 << 20], dtype=np.uint8)
    even_nul = float(np.mean(arr[0::2] == 0))
    odd_nul = float(np.mean(arr[1::2] == 0))
    if odd_nul >= 0.3 and even_nul < 0.05:
        enc = "utf-16-le"
    elif even_nul >= 0.3 and odd_nul < 0.05:
        enc = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return None
    return None if _has_controls(text) else (text, enc)


def _sample(data: bytes) -> bytes:
    """The first ``_SAMPLE_BYTES`` of ``data``, cut after the last line end."""
    if len(data) <= _SAMPLE_BYTES:
        return data
    head = data[:_SAMPLE_BYTES]
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut > 0 else head


def _candidates(data: bytes) -> list[tuple[str, str | None]]:
    """Encodings to try, best first, each with the decoded text when detection made it.

    Unicode encodings come back alone and decoded; legacy ones ranked by
    :func:`vietnamese_score` on a sample, undecoded (the caller decodes the whole file and
    moves to the next candidate if that fails). An empty list: nothing fits.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return [("utf-8-sig", None)]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [("utf-16", None)]
    if b"\x00" in data:  # UTF-16 without a BOM, or not text at all
        found = _utf16_without_bom(data)
        return [(found[1], found[0])] if found else []
    try:
        return [("utf-8", data.decode("utf-8"))]
    except UnicodeDecodeError:
        pass
    sample = _sample(data)
    ranked = []
    for order, enc in enumerate(LEGACY_CANDIDATES):
        try:
            text = _decode_with(sample, enc)
        except UnicodeDecodeError:
            continue
        if _has_controls(text):
            continue
        score = vietnamese_score(text)
        if score >= _MIN_SCORE:
            ranked.append((-score, order, enc))
    return [(enc, None) for _, _, enc in sorted(ranked)]


def detect_encoding(data: bytes) -> str | None:
    """The encoding of CSV bytes by the rule in the module docstring, or ``None``.

    Args:
        data: the file's bytes.

    Returns:
        A canonical encoding name, or ``None`` if no supported encoding fits.

    Examples:
        >>> detect_encoding("Rất hài lòng".encode("utf-8"))
        'utf-8'
        >>> detect_encoding("Rất hài lòng".encode("utf-16"))
        'utf-16'
        >>> from satisfaction.legacy_encodings import encode_cp1258, encode_tcvn3, encode_vni
        >>> [detect_encoding(f("Công an tỉnh Hà Giang")) for f in (encode_cp1258, encode_tcvn3, encode_vni)]
        ['cp1258', 'tcvn3', 'vni']
    """
    for enc, text in _candidates(data):
        if text is not None:
            return enc
        try:
            _decode_with(data, enc)
        except UnicodeDecodeError:
            continue
        return enc
    return None


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file's bytes to NFC text, detecting the encoding if none is named.

    Args:
        data: the bytes.
        encoding: a name from :data:`ENCODING_ALIASES`, or ``None`` to detect.

    Returns:
        ``(text, encoding)``: NFC text without a BOM, and the canonical encoding used.

    Raises:
        ValueError: the named encoding is unknown, or no supported encoding fits.
        UnicodeDecodeError: the bytes are not valid in the named (or BOM-declared) encoding.

    Examples:
        >>> decode_bytes("Thừa Thiên Huế".encode("utf-8-sig"))
        ('Thừa Thiên Huế', 'utf-8-sig')
    """
    if encoding is not None:
        enc = canonical_encoding(encoding)
        text = _decode_with(data, enc)
    else:
        enc = detect_encoding(data)
        if enc is None:
            raise ValueError(f"cannot decode as any supported encoding (tried {_TRIED})")
        text = _decode_with(data, enc)
    text = unicodedata.normalize("NFC", text)
    return (text.removeprefix("\ufeff")), enc


# --------------------------------------------------------------------------------------------
# cell formatting shared by the binary formats


def _format_number(value: Any, excel: bool) -> str | None:
    """Booleans, integers and floats as text (integral floats without '.0')."""
    if isinstance(value, (bool, np.bool_)):
        if excel:
            return "TRUE" if value else "FALSE"
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    f = float(value)
    if np.isnan(f):
        return None
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def _format_time(value: Any) -> str | None:
    """Timestamps, dates and times as ISO text (a date alone when the time is midnight)."""
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            return None
        value = value.to_pydatetime()
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    return value.isoformat()


def _format_scalar(value: Any, *, excel: bool = False) -> str | None:
    """One cell as text: None/NaN -> None; integral floats without '.0'; dates ISO.

    Examples:
        >>> [_format_scalar(v) for v in (None, "x", 4.0, 4.5, True, _dt.date(2020, 9, 14))]
        [None, 'x', '4', '4.5', 'True', '2020-09-14']
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_, int, np.integer, float, np.floating)):
        return _format_number(value, excel)
    if isinstance(value, (pd.Timestamp, _dt.date, _dt.time)):
        return _format_time(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _is_native_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def _compact(series: pd.Series, func: Callable[[Any], Any] | None = None) -> pd.Series:
    """A text column as the frame holds it: categorical when values repeat, else text.

    Args:
        series: the cells (``str`` or missing).
        func: applied once to each distinct value first (``None`` back: missing).

    Examples:
        >>> _compact(pd.Series(["4", "5", "4", None])).dtype.name
        'category'
        >>> _compact(pd.Series(["a", "b"])).dtype == TEXT_DTYPE
        True
        >>> _compact(pd.Series(["x ", "x", "y", "y"]), str.strip).tolist()
        ['x', 'x', 'y', 'y']
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if func is not None:
        mapped = np.array([func(u) for u in uniques], dtype=object)
        remap, uniques = pd.factorize(mapped, use_na_sentinel=True)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)] if len(remap) else -1, -1)
    if len(uniques) > len(series) // 2:
        cells = np.array([*uniques, None], dtype=object)[codes]
        return pd.Series(pd.array(cells, dtype=TEXT_DTYPE), index=series.index)
    cats = pd.Index(pd.array(np.asarray(uniques, dtype=object), dtype=TEXT_DTYPE))
    return pd.Series(pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(cats)),
                     index=series.index)


def _nfc_or_none(value: Any) -> str | None:
    return unicodedata.normalize("NFC", value) if value != "" else None


def _text_column(series: pd.Series) -> pd.Series:
    """A column of any dtype as NFC text (pandas ``str`` dtype), vectorised where possible."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        out = pd.Series(np.where(series.to_numpy(dtype=bool), "True", "False"), index=series.index)
        return out.where(series.notna()).astype(TEXT_DTYPE)
    if pd.api.types.is_integer_dtype(dtype):
        out = series.astype("Int64").astype(TEXT_DTYPE)
        return out
    if pd.api.types.is_float_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(values)
        integral = finite & (np.mod(values, 1.0) == 0) & (np.abs(values) < 1e15)
        text = np.empty(len(values), dtype=object)
        text[integral] = values[integral].astype(np.int64).astype(str)
        other = ~integral & ~np.isnan(values)
        text[other] = values[other].astype(str)  # numpy's shortest repr, as Python's repr
        text[np.isnan(values)] = None
        return pd.Series(text, index=series.index, dtype=TEXT_DTYPE)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        s = series
        midnight = s.dropna().dt.normalize().eq(s.dropna()).all()
        fmt = "%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S"
        return s.dt.strftime(fmt).astype(TEXT_DTYPE)
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        out = series.astype(TEXT_DTYPE)
    else:  # mixed Python objects (dates, tagged missing codes...): format each distinct value
        values = series.to_numpy(dtype=object)
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError:  # unhashable cells
            formatted = np.array([_format_scalar(v) for v in values], dtype=object)
        else:
            mapped = np.array([_format_scalar(u) for u in uniques] + [None], dtype=object)
            formatted = mapped[codes]
        out = pd.Series(pd.array(formatted, dtype=TEXT_DTYPE), index=series.index)
    out = out.str.normalize("NFC")
    return out.where(out != "")


def _nfc_name(name: Any) -> str:
    return unicodedata.normalize("NFC", _format_scalar(name) or "")


def _dedupe(names: list[str]) -> list[str]:
    """Make column names unique the way pandas' CSV reader does (``x``, ``x.1``, ...)."""
    seen: dict[str, int] = {}
    taken = set(names)
    out = []
    for n in names:
        if n not in seen:
            seen[n] = 0
            out.append(n)
            continue
        k = seen[n]
        while True:
            k += 1
            cand = f"{n}.{k}"
            if cand not in taken:
                break
        seen[n] = k
        taken.add(cand)
        out.append(cand)
    return out


def _repair_fonts(frame: pd.DataFrame, encoding: str | None) -> pd.DataFrame:
    """Re-read legacy-font text (named ``tcvn3``/``vni``) in a Unicode-storing format."""
    if encoding not in ("tcvn3", "vni"):
        return frame

    def fix(value: str) -> str:
        return legacy_encodings.repair_font_text(value, encoding)

    out = pd.DataFrame({i: _compact(frame.iloc[:, i], fix) for i in range(frame.shape[1])},
                       index=frame.index)
    out.columns = _dedupe([fix(str(c)) for c in frame.columns])
    return out


def _detect_font(frame: pd.DataFrame) -> str | None:
    """``tcvn3``/``vni`` if the text cells read as Vietnamese only through that legacy font."""
    values: list[str] = [str(c) for c in frame.columns if not str(c).isascii()]
    for col in frame.columns:
        uniques = frame[col].dropna().unique()
        values.extend(u for u in uniques[:2000] if isinstance(u, str) and not u.isascii())
        if len(values) > 20000:
            break
    if not values:
        return None
    as_is = vietnamese_score("\n".join(values))
    if as_is >= _MIN_SCORE:
        return None
    best, best_score = None, as_is
    for enc in ("tcvn3", "vni"):
        score = vietnamese_score(
            "\n".join(legacy_encodings.repair_font_text(v, enc) for v in values)
        )
        if score >= _MIN_SCORE and score > best_score:
            best, best_score = enc, score
    return best


# --------------------------------------------------------------------------------------------
# readers: CSV


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , ; TAB that splits the first records most consistently."""
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > _SNIFF_CHARS
    best, best_key = ",", (-1.0, 0)
    for d in _DELIMITERS:
        try:
            rows = [r for r in csv.reader(_io.StringIO(sample), delimiter=d) if r]
        except csv.Error:
            continue
        if truncated and len(rows) > 1:
            rows = rows[:-1]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        key = (consistent, width)
        if key > best_key:
            best, best_key = d, key
    return best


@dataclass(frozen=True)
class _Scan:
    """What one streaming pass over a file learns (nothing of it kept but this)."""

    sha256: str
    index: Any                # csv_records.LineIndex
    utf8: bool                # valid UTF-8 (a BOM allowed) ...
    nfc: bool                 # ... whose text is NFC
    nul: bool                 # holds a NUL byte
    head: bytes               # the first bytes, for sniffing


def _utf8_chunk(decoder: Any, chunk: bytes, nfc: bool) -> tuple[bool, bool]:
    """Feed one chunk to an incremental UTF-8 decoder: (still UTF-8, still NFC)."""
    try:
        text = decoder.decode(chunk)
    except UnicodeDecodeError:
        return False, False
    # a combining mark at the start may belong to the letter at the end of the last chunk
    starts_with_mark = bool(text) and unicodedata.combining(text[0]) != 0
    return True, nfc and not starts_with_mark and unicodedata.is_normalized("NFC", text)


def _scan_file(path: Path) -> _Scan:
    """Hash a file, find its lines and check it is UTF-8 and NFC, in one pass."""
    digest, lines = hashlib.sha256(), LineScanner()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8 = nfc = True
    nul = False
    head = b""
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
            lines.feed(chunk)
            head = head or chunk[:_SAMPLE_BYTES]
            nul = nul or b"\x00" in chunk
            if utf8:
                utf8, nfc = _utf8_chunk(decoder, chunk, nfc)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = nfc = False
    return _Scan(digest.hexdigest(), lines.finish(), utf8, nfc, nul, head)


@dataclass(frozen=True)
class _Text:
    """A CSV in the form the record parser reads: UTF-8, from the file or in memory."""

    source: Path | bytes
    index: Any
    head: bytes
    encoding: str
    convert: Callable[[str], str] | None   # applied to each distinct cell (legacy fonts)
    nfc: bool                               # the cells are NFC already


def _first_line(source: Path | bytes, number: int) -> bytes:
    """The bytes of physical line ``number`` (the header), its line end included."""
    with (open(source, "rb") if isinstance(source, Path) else _io.BytesIO(source)) as fh:
        line = b""
        for _ in range(number):
            line = fh.readline(1 << 22)
    return line


def _check_size(path: Path, text: _Text, limits: Limits) -> str:
    """Check rows and columns against the limits before parsing; return the delimiter."""
    if not len(text.index.nonblank):
        raise RawFileError(path, "no header line (the file holds only blank lines)")
    rows = len(text.index.nonblank) - 1
    if rows > limits.max_rows:
        raise RawFileError(path, f"{rows:,} data lines (limit {limits.max_rows:,})")
    sep = _sniff_delimiter(text.head.decode("utf-8", errors="ignore"))
    first = _first_line(text.source, int(text.index.nonblank[0]))
    columns = first.count(sep.encode("ascii")) + 1
    if columns > limits.max_columns:
        raise RawFileError(path, f"the header has {columns:,} fields "
                                 f"(limit {limits.max_columns:,})")
    return sep


def _small_int(n: int) -> type:
    """The smallest signed integer type that holds codes 0..n-1 and -1."""
    return np.int8 if n < 127 else np.int16 if n < 32767 else np.int32


class _ColumnBuilder:
    """One CSV column gathered batch by batch: codes into the distinct values while values
    repeat (a Likert item: one byte a cell), plain text once they do not (ids, names)."""

    PLAIN_AFTER = 50_000
    """Distinct values after which a column whose values do not repeat is kept as text."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.values: list[str] = []
        self.codes: list[np.ndarray] = []
        self.plain: list[pa.Array] | None = None
        self.rows = 0
        self.longest = (0, -1)      # (characters, row) of the longest cell so far

    def add(self, arr: pa.DictionaryArray) -> None:
        if len(arr.dictionary):
            lengths = pc.utf8_length(arr.dictionary)
            most = pc.max(lengths).as_py()
            if most > self.longest[0]:
                code = pc.index(lengths, most).as_py()
                at = np.flatnonzero(arr.indices.fill_null(-1).to_numpy(zero_copy_only=False)
                                    == code)
                self.longest = (most, self.rows + int(at[0]))
        if self.plain is not None:
            self.plain.append(arr.dictionary.take(arr.indices))
        else:
            self._add_codes(arr)
        self.rows += len(arr)

    def _add_codes(self, arr: pa.DictionaryArray) -> None:
        index, values = self.index, self.values
        lookup = np.empty(len(arr.dictionary) + 1, dtype=np.int32)
        for i, v in enumerate(arr.dictionary.to_pylist()):
            code = index.get(v)
            if code is None:
                code = index[v] = len(values)
                values.append(v)
            lookup[i] = code
        lookup[-1] = -1
        codes = lookup[arr.indices.fill_null(-1).to_numpy(zero_copy_only=False)]
        self.codes.append(codes.astype(_small_int(len(values))))
        if len(values) > self.PLAIN_AFTER and len(values) > (self.rows + len(arr)) // 2:
            self.plain = [self._text(np.concatenate(self.codes), pa.array(values))]
            self.index, self.values, self.codes = {}, [], []

    @staticmethod
    def _text(codes: np.ndarray, values: pa.Array) -> pa.Array:
        return values.take(pa.array(codes.astype(np.int64), mask=codes < 0))

    def series(self, convert: Callable[[str], str] | None, nfc: bool) -> pd.Series:
        """The column: categorical while values repeat, else text; NFC, fonts repaired."""
        if self.plain is not None:
            arr = pa.chunked_array(self.plain, type=pa.string()).combine_chunks()
            if convert is not None:
                arr = pa.array([None if v is None else convert(v) for v in arr.to_pylist()],
                               type=pa.string())
            if not nfc:
                arr = pc.utf8_normalize(arr, "NFC")
            return pd.Series(pd.array(arr, dtype=TEXT_DTYPE))
        codes = np.concatenate(self.codes) if self.codes else np.empty(0, dtype=np.int8)
        values = self.values
        if convert is not None or not nfc:
            mapped = [convert(v) if convert is not None else v for v in values]
            mapped = mapped if nfc else [unicodedata.normalize("NFC", v) for v in mapped]
            remap, uniques = pd.factorize(np.asarray(mapped, dtype=object))
            codes = np.append(remap, -1)[codes]
            values = list(uniques)
        if len(values) > len(codes) // 2:
            return pd.Series(pd.array(self._text(codes, pa.array(values, type=pa.string())),
                                      dtype=TEXT_DTYPE))
        cats = pd.Index(pd.array(np.asarray(values, dtype=object), dtype=TEXT_DTYPE))
        return pd.Series(pd.Categorical.from_codes(codes.astype(_small_int(len(values))),
                                                   dtype=pd.CategoricalDtype(cats)))


class _FrameSink:
    """The :class:`~satisfaction.csv_records.Sink` that builds the raw frame column by column."""

    def __init__(self) -> None:
        self.columns: list[_ColumnBuilder] = []

    def reset(self, width: int) -> None:
        self.columns = [_ColumnBuilder() for _ in range(width)]

    def add(self, batch: pa.RecordBatch) -> None:
        for builder, arr in zip(self.columns, batch.columns):
            builder.add(arr)

    def check_cells(self, path: Path, lines: np.ndarray, limit: int) -> None:
        """Refuse a cell longer than ``limit`` characters, naming its line."""
        most, row = max((b.longest for b in self.columns), default=(0, -1))
        if most > limit:
            raise RawFileError(path, f"line {int(lines[row])}: a cell of {most:,} characters "
                                     f"(limit {limit:,})")

    def frame(self, names: list[str], convert: Callable[[str], str] | None,
              nfc: bool, rows: int) -> pd.DataFrame:
        cols = {}
        for name, builder in zip(names, self.columns):
            cols[name] = builder.series(convert, nfc)
            builder.__init__()      # release what it held
        return pd.DataFrame(cols, index=pd.RangeIndex(rows))


def _header_names(fields: list[str], text: _Text) -> list[str]:
    names = []
    for i, name in enumerate(fields):
        name = name.removeprefix("\ufeff") if i == 0 else name
        if text.convert is not None and name:
            name = text.convert(name)
        name = unicodedata.normalize("NFC", name)
        names.append(name if name else f"Unnamed: {i}")
    return _dedupe(names)


def _faults_frame(records: Records) -> pd.DataFrame:
    if not records.faults:
        return _no_faults()
    return pd.DataFrame({"line": np.array([f.line for f in records.faults], dtype=np.int64),
                         "reason": pd.Series([f.reason for f in records.faults], dtype="str"),
                         "detail": pd.Series([f.detail for f in records.faults], dtype="str")})


@dataclass(frozen=True)
class _Read:
    """What a reader hands to :func:`read_raw` besides the frame."""

    frame: pd.DataFrame
    encoding: str | None
    lines: np.ndarray
    faults: pd.DataFrame = field(default_factory=_no_faults)
    layout: dict[str, int] = field(default_factory=dict)
    natives: dict[str, np.ndarray] = field(default_factory=dict)
    sheet: str | None = None
    delimiter: str | None = None


def _parse_csv(path: Path, text: _Text, limits: Limits) -> _Read:
    """Parse a CSV's records into the frame; raises UnicodeDecodeError (legacy fonts)."""
    sep = _check_size(path, text, limits)
    first = _first_line(text.source, int(text.index.nonblank[0]))
    sink = _FrameSink()
    try:
        records = read_records(text.source, text.index, first, sep, sink,
                               max_cell_chars=limits.max_cell_chars)
    except CsvFault as exc:
        raise RawFileError(path, str(exc)) from None
    width = len(records.header)
    if width > limits.max_columns:
        raise RawFileError(path, f"the header has {width:,} fields (limit {limits.max_columns:,})")
    lines = records.lines
    if records.extra:
        sink.add(rows_batch([fields for _, fields in records.extra], width))
        lines = np.concatenate([lines, np.array([ln for ln, _ in records.extra], dtype=np.int64)])
    sink.check_cells(path, lines, limits.max_cell_chars)
    frame = sink.frame(_header_names(records.header, text), text.convert, text.nfc, len(lines))
    if records.extra:
        order = np.argsort(lines, kind="stable")
        frame, lines = frame.take(order).reset_index(drop=True), lines[order]
    unnamed = [n for n in frame.columns if n.startswith("Unnamed: ")]
    while unnamed and frame.columns[-1] == unnamed[-1] and frame[unnamed[-1]].isna().all():
        frame = frame.drop(columns=unnamed.pop())
    pa.default_memory_pool().release_unused()    # the parser's blocks, not kept for later
    return _Read(frame, text.encoding, lines, _faults_frame(records), records.layout,
                 delimiter=sep)


def _decoded_text(path: Path, data: bytes, enc: str, text: str | None) -> _Text:
    """A CSV decoded in memory (UTF-16, legacy, or named) as UTF-8 bytes to parse."""
    if enc in LEGACY_CANDIDATES:
        # ASCII-compatible: parse the bytes as Latin-1 (delimiters, quotes and line ends are
        # exact), then decode each distinct cell once
        view = data.decode("latin-1")

        def convert(u: str) -> str:
            return u if u.isascii() else legacy_encodings.decode(u.encode("latin-1"), enc)

        nfc = True
    else:
        view = (text if text is not None else data.decode(enc)).removeprefix("\ufeff")
        convert, nfc = None, unicodedata.is_normalized("NFC", view)
    if "\x00" in view:
        raise RawFileError(path, f"not a text file (NUL characters after decoding as {enc})")
    if not view.strip():
        raise RawFileError(path, "no header line (the file holds only blank lines)")
    buf = view.encode("utf-8")
    del view
    scanner = LineScanner()
    scanner.feed(buf)
    return _Text(buf, scanner.finish(), buf[:_SAMPLE_BYTES], enc, convert, nfc)


def _read_csv(path: Path, scan: _Scan, encoding: str | None, limits: Limits) -> _Read:
    if scan.utf8 and not scan.nul and encoding in (None, "utf-8", "utf-8-sig"):
        enc = encoding or ("utf-8-sig" if scan.head.startswith(_BOM) else "utf-8")
        if not any(scan.head.strip(b" \t\r\n\xef\xbb\xbf")):
            raise RawFileError(path, "no header line (the file holds only blank lines)")
        return _parse_csv(path, _Text(path, scan.index, scan.head, enc, None, scan.nfc), limits)
    data = _read_bytes(path)
    if encoding is not None:
        try:
            return _parse_csv(path, _decoded_text(path, data, encoding, None), limits)
        except UnicodeDecodeError as exc:
            raise RawFileError(path, f"cannot decode as {encoding} ({exc.reason})") from None
    for enc, text in _candidates(data):
        try:
            return _parse_csv(path, _decoded_text(path, data, enc, text), limits)
        except UnicodeDecodeError as exc:
            if enc not in LEGACY_CANDIDATES:  # a BOM promised this encoding
                raise RawFileError(path, f"cannot decode as {enc} ({exc.reason})") from None
    raise RawFileError(path, f"cannot decode as any supported encoding (tried {_TRIED}"
                             f"{_undecodable_hint(data)})")


_KNOWN_BINARY: Final = (
    (b"PK\x03\x04", ("it starts as a zip archive, as an Excel workbook does: if it is one, "
                      "give it the .xlsx extension")),
    (b"\xd0\xcf\x11\xe0", ("it starts as an old Excel (.xls) or other Office file: save it as "
                           ".xlsx or CSV")),
    (b"$FL2", "it starts as an SPSS file: give it the .sav extension"),
    (b"$FL3", "it starts as an SPSS file: give it the .sav extension"),
    (b"PAR1", "it starts as a Parquet file: give it the .parquet extension"),
)
"""The signatures of the binary formats an office may send under a .csv name, with the fix."""


def _undecodable_hint(data: bytes) -> str:
    r"""Why the bytes are not text, and the fix where the format is recognisable.

    Examples:
        >>> _undecodable_hint(b"PK\x03\x04\x14\x00\x06\x00")[:40]
        '; it starts as a zip archive, as an Exce'
        >>> _undecodable_hint(b"a,b\x00")
        '; the file holds NUL bytes, so it is not a text file'
    """
    for signature, fix in _KNOWN_BINARY:
        if data.startswith(signature):
            return f"; {fix}"
    if b"\x00" in data:
        return "; the file holds NUL bytes, so it is not a text file"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"; first byte that is not UTF-8 at offset {exc.start}"
    return ""


# --------------------------------------------------------------------------------------------
# readers: Excel

_SHEET_MEMBER = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d+)\"")
_CELL_COL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]+)")
_CELL_FAR_ROW = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"[A-Z]+(\d{7,})\"")
_CELL_ANY = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_ANY = re.compile(rb"<(?:\w+:)?row[\s/>]")
_CELL_COL_FAST = re.compile(rb"<c r=\"([A-Z]+)")
_ROW_REF_FAST = re.compile(rb"<row r=\"(\d+)\"")
_FAR_ROW_FAST = re.compile(rb"<c r=\"[A-Z]+(\d{7,})\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"[A-Z]*\d*:?([A-Z]+)(\d+)\"")


def _column_number(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n


@dataclass
class _Extent:
    """How far a worksheet's cells reach, as its XML places them."""

    rows: int = 0
    cols: int = 0
    widest_bare_row: int = 0
    in_data: bool = False

    def feed(self, part: bytes) -> None:
        """Take in a piece of the sheet's XML cut after a ``>``."""
        if not self.in_data:     # the declared dimension comes before the cells
            for col, row in _DIMENSION.findall(part):
                self.cols = max(self.cols, _column_number(col))
                self.rows = max(self.rows, int(row))
            self.in_data = b"sheetData" in part
        n_rows = part.count(b"<row ") + part.count(b"<row>")
        n_cells = part.count(b"<c ") + part.count(b"<c>") + part.count(b"<c/>")
        found = _CELL_COL_FAST.findall(part)
        plain = len(found) == n_cells and not re.search(rb"<\w+:(?:c|row)[\s/>]", part)
        if plain:    # the usual writing: <row r="7"><c r="A7" ...>: literal scans, fast
            rows = [*map(int, _ROW_REF_FAST.findall(part)), *map(int, _FAR_ROW_FAST.findall(part))]
        else:        # any attribute order, namespaces, cells placed without a reference
            found = _CELL_COL.findall(part)
            rows = [*map(int, _ROW_REF.findall(part)), *map(int, _CELL_FAR_ROW.findall(part))]
            n_rows = max(n_rows, len(_ROW_ANY.findall(part)))
            n_cells = len(_CELL_ANY.findall(part))
        self.cols = max([self.cols, *(_column_number(c) for c in set(found))])
        self.rows = max([self.rows, n_rows, *rows])
        if n_cells > len(found):  # cells placed one after the other: count them per row
            widest = max(len(_CELL_ANY.findall(r)) for r in part.split(b"</row>"))
            self.widest_bare_row = max(self.widest_bare_row, widest)

    @property
    def columns(self) -> int:
        """The columns the cells reach."""
        return max(self.cols, self.widest_bare_row)


def _sheet_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Extent:
    extent, carry = _Extent(), b""
    with zf.open(info) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            buf = carry + chunk
            cut = buf.rfind(b">") + 1
            extent.feed(buf[:cut])
            carry = buf[cut:]
            if len(carry) > 1 << 20:
                carry = carry[-4096:]
    return extent


def _unpack_all(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    with zf.open(info) as fh:
        while fh.read(1 << 20):
            pass


def _check_workbook(path: Path, data: bytes, limits: Limits) -> None:
    """Refuse a workbook too large to load, before anything of it is inflated in memory.

    Every member is unpacked once as a stream (a member larger than it declares fails its
    checksum), the declared total is bounded, and each worksheet's cells are located in its XML
    (rows, columns, and rows x columns: what the Excel reader would allocate).
    """
    try:
        zf = zipfile.ZipFile(_io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise RawFileError(path, "not a readable Excel workbook") from None
    with zf:
        infos = zf.infolist()
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.max_unpacked_bytes:
            raise RawFileError(path, f"unpacks to {unpacked:,} bytes (limit "
                                     f"{limits.max_unpacked_bytes:,}): not loaded")
        for info in infos:
            try:
                if _SHEET_MEMBER.match(info.filename):
                    _check_extent(path, info.filename, _sheet_extent(zf, info), limits)
                else:
                    _unpack_all(zf, info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                    RuntimeError, ValueError) as exc:
                raise RawFileError(path, f"not a readable Excel workbook ({info.filename}: "
                                         f"{type(exc).__name__})") from None


def _check_extent(path: Path, member: str, extent: _Extent, limits: Limits) -> None:
    rows, cols = extent.rows, extent.columns
    if rows - 1 > limits.max_rows or cols > limits.max_columns or \
            rows * cols > limits.max_cells:
        raise RawFileError(path, f"{member} places cells over {rows:,} rows x {cols:,} columns "
                                 f"(limits {limits.max_rows + 1:,} rows, {limits.max_columns:,} "
                                 f"columns, {limits.max_cells:,} cells): not loaded")


def _open_workbook(path: Path, data: bytes, limits: Limits) -> Any:
    from python_calamine import CalamineWorkbook

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RawFileError(
            path,
            "not a readable Excel workbook (an old .xls or a password-protected file; "
            "save it as .xlsx without a password)",
        )
    if not data.startswith(b"PK"):
        raise RawFileError(path, "not a readable Excel workbook")
    _check_workbook(path, data, limits)
    try:
        # calamine (Rust) reads a 20,000-row sheet in about a second; openpyxl took 20.
        wb = CalamineWorkbook.from_filelike(_io.BytesIO(data))
        names = list(wb.sheet_names)
    except Exception:  # noqa: BLE001 - calamine raises its own types for zip and XML faults
        raise RawFileError(path, "not a readable Excel workbook") from None
    if not names:
        raise RawFileError(path, "workbook has no sheets")
    return wb, names


def _pick_sheet(path: Path, names: list[str], sheet: str | None) -> str:
    if sheet is None:
        return names[0]
    wanted = unicodedata.normalize("NFC", str(sheet))
    matches = [n for n in names if unicodedata.normalize("NFC", n) == wanted]
    if not matches:
        raise RawFileError(path, f"sheet '{sheet}' not found (sheets: {', '.join(names)})")
    return matches[0]


def _format_grid(grid: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each distinct cell formatted once (a Likert column holds a handful); and which cells
    were numbers."""
    native = pd.DataFrame(False, index=grid.index, columns=grid.columns)
    for col in grid.columns:
        codes, uniques = pd.factorize(grid[col], use_na_sentinel=True)
        if any(isinstance(u, bool) for u in uniques):  # True == 1 == 1.0 for factorize
            native[col] = [_is_native_number(v) for v in grid[col]]
            grid[col] = [None if v == "" else _format_scalar(v, excel=True) for v in grid[col]]
            continue
        is_num = np.array([*(_is_native_number(u) for u in uniques), False])
        native[col] = is_num[codes]
        text = [None if u == "" else _format_scalar(u, excel=True) for u in uniques]
        grid[col] = np.array([*text, None], dtype=object)[codes]
    return grid, native


def _read_xlsx(path: Path, data: bytes, sheet: str | None, limits: Limits) -> _Read:
    wb, names = _open_workbook(path, data, limits)
    name = _pick_sheet(path, names, sheet)
    try:
        cells = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - as above
        raise RawFileError(path, f"not a readable Excel workbook ({exc})") from None
    grid, native = _format_grid(pd.DataFrame(cells, dtype=object))
    filled = grid.notna().to_numpy()
    if not filled.any():
        raise RawFileError(path, f"sheet '{name}' is empty")
    last = int(np.flatnonzero(filled.any(axis=1))[-1]) + 1      # trailing empty rows
    grid, native = grid.iloc[:last], native.iloc[:last]
    header, body = grid.iloc[0], grid.iloc[1:]
    # trailing columns with neither a header nor a value are formatting, not data
    width = grid.shape[1]
    while width > 1 and header.iloc[width - 1] is None and body.iloc[:, width - 1].isna().all():
        width -= 1
    names = _dedupe(
        [_nfc_name(h) if h is not None else f"Unnamed: {i}" for i, h in enumerate(header.iloc[:width])]
    )
    frame = pd.DataFrame(body.iloc[:, :width].to_numpy(), columns=names, dtype=object)
    natives = {n: native.iloc[1:, i].to_numpy(dtype=bool) for i, n in enumerate(names)
               if native.iloc[1:, i].any()}
    frame = pd.DataFrame({i: _compact(frame.iloc[:, i], _nfc_or_none)
                          for i in range(frame.shape[1])}, index=frame.index)
    frame.columns = names
    lines = np.arange(len(frame), dtype=np.int64) + 2
    layout = {"lines": len(frame) + 1, "header_lines": 1, "blank_lines": 0,
              "records": len(frame), "record_lines": len(frame)}
    return _Read(frame, None, lines, layout=layout, natives=natives, sheet=name)


# --------------------------------------------------------------------------------------------
# readers: SPSS, Stata, Parquet


def _missing_from_ranges(ranges: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for col, items in ranges.items():
        codes = []
        for item in items:
            lo, hi = _format_scalar(item.get("lo")), _format_scalar(item.get("hi"))
            codes.append(lo if lo == hi else f"{lo}..{hi}")
        if codes:
            out[_nfc_name(col)] = codes
    return out


def _labels(meta: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for col, labels in (getattr(meta, "variable_value_labels", None) or {}).items():
        out[_nfc_name(col)] = {
            _format_scalar(code) or "": unicodedata.normalize("NFC", str(label))
            for code, label in labels.items()
        }
    return out


def _pyreadstat_encoding(encoding: str | None) -> str | None:
    if encoding is None or encoding in ("tcvn3", "vni"):
        return None
    return {"cp1258": "WINDOWS-1258"}.get(encoding, encoding.upper())


def _numeric_cells(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which cells of each column were stored as numbers (not booleans)."""
    out = {}
    for col in df.columns:
        dtype = df[col].dtype
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            out[_nfc_name(col)] = df[col].notna().to_numpy()
        elif pd.api.types.is_object_dtype(dtype):
            mask = np.array([_is_native_number(v) and not np.isnan(v) for v in df[col]],
                            dtype=bool)
            if mask.any():
                out[_nfc_name(col)] = mask
    return out


def _fix_tagged(df: pd.DataFrame, plain: pd.DataFrame, tagged: dict[str, Any]) -> None:
    """pyreadstat 1.3.7 returns a system-missing value (.) that follows a tagged one (.a) in
    the same column as a number (0, 2...) when user_missing=True; the plain read has the true
    missing mask, so keep the user_missing=True value only where the plain read has a value
    or the value is a tag letter."""
    for col in tagged:
        values = df[col]
        is_tag = values.map(lambda v: isinstance(v, str))
        keep = plain[col].notna().to_numpy() | is_tag.to_numpy()
        fixed = values.where(keep, None).astype(object)
        fixed[is_tag.to_numpy()] = "." + values[is_tag.to_numpy()].astype(str)
        df[col] = fixed


def _stat_labels(meta: Any, tagged: dict[str, Any]) -> tuple[dict, dict]:
    missing = _missing_from_ranges(getattr(meta, "missing_ranges", None) or {})
    for col, codes in tagged.items():
        missing.setdefault(_nfc_name(col), []).extend(f".{c}" for c in codes)
    labels = _labels(meta)
    for col, codes in labels.items():
        if col in tagged:
            tags = {str(c) for c in tagged[col]}
            labels[col] = {(f".{k}" if k in tags else k): v for k, v in codes.items()}
    return labels, missing


def _check_shape(path: Path, rows: int | None, cols: int | None, limits: Limits) -> None:
    """A file's declared rows and columns against the limits, before its data are read."""
    rows, cols = max(int(rows or 0), 0), max(int(cols or 0), 0)
    if rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells:
        raise RawFileError(path, f"declares {rows:,} rows x {cols:,} columns (limits "
                                 f"{limits.max_rows:,} rows, {limits.max_columns:,} columns, "
                                 f"{limits.max_cells:,} cells): not loaded")


def _read_stat(path: Path, fmt: str, encoding: str | None, limits: Limits = DEFAULT_LIMITS):
    import pyreadstat

    kwargs: dict[str, Any] = {"apply_value_formats": False}
    enc = _pyreadstat_encoding(encoding)
    if enc:
        kwargs["encoding"] = enc
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    kind = "SPSS" if fmt == "sav" else "Stata"
    try:
        _, head = reader(str(path), metadataonly=True, **kwargs)
        _check_shape(path, head.number_rows, head.number_columns, limits)
        df, meta = reader(str(path), user_missing=True, **kwargs)
    except Exception as exc:  # noqa: BLE001 - pyreadstat's errors have no common base
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RawFileError(path, f"not a readable {kind} file ({detail})") from None
    tagged = dict(getattr(meta, "missing_user_values", None) or {}) if fmt == "dta" else {}
    if tagged:
        plain, _ = reader(str(path), user_missing=False, usecols=list(tagged), **kwargs)
        _fix_tagged(df, plain, tagged)
    natives = _numeric_cells(df)
    frame = pd.DataFrame(
        {_nfc_name(c): _compact(_text_column(df[c])) for c in df.columns},
        index=pd.RangeIndex(len(df)),
    )
    labels, missing = _stat_labels(meta, tagged)
    file_enc = getattr(meta, "file_encoding", None)
    return frame, labels, missing, (encoding or file_enc or None), natives


def _read_parquet(path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS
                  ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(_io.BytesIO(data)).metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as exc:  # noqa: BLE001 - pyarrow raises Arrow and OS errors
        raise RawFileError(path, f"not a readable Parquet file ({type(exc).__name__})") from None
    _check_shape(path, meta.num_rows, meta.num_columns, limits)
    if unpacked > limits.max_unpacked_bytes:
        raise RawFileError(path, f"unpacks to {unpacked:,} bytes (limit "
                                 f"{limits.max_unpacked_bytes:,}): not loaded")
    try:
        table = pq.read_table(_io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - pyarrow raises Arrow and OS errors
        raise RawFileError(path, f"not a readable Parquet file ({type(exc).__name__})") from None
    df = table.to_pandas()
    frame = pd.DataFrame(
        {_nfc_name(c): _compact(_text_column(df[c])) for c in df.columns},
        index=pd.RangeIndex(len(df)),
    )
    return frame, _numeric_cells(df)


# --------------------------------------------------------------------------------------------
# read_raw


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except PermissionError:
        raise RawFileError(path, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise RawFileError(path, f"cannot be read ({exc.strerror or exc})") from None


def _check_path(p: Path, encoding: str | None, sheet: str | None, limits: Limits
                ) -> tuple[str, str | None]:
    """The file's format and canonical encoding, after the checks made before reading it."""
    if not p.exists():
        raise RawFileError(p, "file not found")
    if p.is_dir():
        raise RawFileError(p, "is a directory, not a file")
    suffix = p.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        hint = " (save .xls workbooks as .xlsx)" if suffix == ".xls" else ""
        raise RawFileError(
            p,
            f"unknown file type '{p.suffix or '(none)'}'{hint} "
            f"(supported: {', '.join(sorted(FORMATS))})",
        )
    if sheet is not None and fmt != "xlsx":
        raise RawFileError(p, f"a sheet ('{sheet}') was named but a {fmt} file has no sheets")
    enc_name: str | None = None
    if encoding is not None:
        try:
            enc_name = canonical_encoding(encoding)
        except ValueError as exc:
            raise RawFileError(p, str(exc)) from None
    size = p.stat().st_size
    if size == 0:
        raise RawFileError(p, "empty file")
    if size > limits.max_bytes:
        raise RawFileError(p, f"{size:,} bytes (limit {limits.max_bytes:,})")
    return fmt, enc_name


def _read_binary(p: Path, fmt: str, enc_name: str | None, sheet: str | None,
                 limits: Limits) -> tuple[_Read, str, dict, dict]:
    """Excel, SPSS, Stata, Parquet: the read, the file's hash, labels and missing codes."""
    data = _read_bytes(p)
    digest = hashlib.sha256(data).hexdigest()
    labels: dict[str, dict[str, str]] = {}
    missing: dict[str, list[str]] = {}
    if fmt == "xlsx":
        read = _read_xlsx(p, data, sheet, limits)
        enc_used = enc_name
    else:
        del data
        if fmt in ("sav", "dta"):
            frame, labels, missing, enc_used, natives = _read_stat(p, fmt, enc_name, limits)
        else:
            frame, natives = _read_parquet(p, _read_bytes(p), limits)
            enc_used = enc_name
        lines = np.arange(len(frame), dtype=np.int64) + 1
        layout = {"lines": len(frame), "header_lines": 0, "blank_lines": 0,
                  "records": len(frame), "record_lines": len(frame)}
        read = _Read(frame, enc_used, lines, layout=layout, natives=natives)
    font = enc_name if enc_name in ("tcvn3", "vni") else None
    if enc_name is None:
        font = _detect_font(read.frame)
    if font is not None:
        read = replace(read, frame=_repair_fonts(read.frame, font))
        labels = {
            col: {k: legacy_encodings.repair_font_text(v, font) for k, v in codes.items()}
            for col, codes in labels.items()
        }
    read = replace(read, encoding=font or enc_used)
    _check_frame_cells(p, read, limits)
    return read, digest, labels, missing


def _check_frame_cells(path: Path, read: _Read, limits: Limits) -> None:
    """The longest cell and the size of a frame read from a binary format."""
    rows, cols = read.frame.shape
    if rows > limits.max_rows or cols > limits.max_columns:
        raise RawFileError(path, f"{rows:,} rows x {cols:,} columns (limits "
                                 f"{limits.max_rows:,} x {limits.max_columns:,})")
    for col in read.frame.columns:
        s = read.frame[col]
        distinct = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else s.dropna()
        values = pd.Series(np.asarray(distinct, dtype=object), dtype=TEXT_DTYPE)
        lengths = values.str.len().to_numpy(dtype=np.int64)
        if len(lengths) and lengths.max() > limits.max_cell_chars:
            longest = values.iloc[int(np.argmax(lengths))]
            row = int(np.flatnonzero((s == longest).to_numpy(dtype=bool, na_value=False))[0])
            raise RawFileError(path, f"line {int(read.lines[row])}: a cell of "
                                     f"{int(lengths.max()):,} characters (limit "
                                     f"{limits.max_cell_chars:,})")


def read_raw(
    path: str | os.PathLike[str], *, encoding: str | None = None, sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> RawFile:
    """Read one raw survey file without cleaning it.

    Args:
        path: a ``.csv``/``.tsv``/``.txt``, ``.xlsx``/``.xlsm``, ``.sav``/``.zsav``, ``.dta``
            or ``.parquet``/``.pq`` file.
        encoding: CSV: a name from :data:`ENCODING_ALIASES`, or ``None`` to detect (see the
            module docstring). Excel/SPSS/Stata/Parquet: ``None``, or ``tcvn3``/``vni`` for
            text typed with a legacy font, or (SPSS/Stata) a code page for old files.
        sheet: Excel only: the worksheet; ``None`` reads the first.
        limits: the bounds the file must keep (:class:`Limits`).

    Returns:
        A :class:`RawFile`.

    Raises:
        RawFileError: the file is missing, a directory, empty (0 bytes), of an unknown type,
            too large (see :class:`Limits`), undecodable, unparseable, or the sheet does not
            exist.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "s.csv"
        >>> from satisfaction.legacy_encodings import encode_cp1258
        >>> _ = p.write_bytes(encode_cp1258("tỉnh;q1\\nHà Giang;Rất hài lòng\\n"))
        >>> raw = read_raw(p)
        >>> raw.encoding, raw.frame.columns.tolist(), raw.frame.iloc[0].tolist(), raw.lines.tolist()
        ('cp1258', ['tỉnh', 'q1'], ['Hà Giang', 'Rất hài lòng'], [2])
    """
    p = Path(path)
    fmt, enc_name = _check_path(p, encoding, sheet, limits)
    labels: dict[str, dict[str, str]] = {}
    missing: dict[str, list[str]] = {}
    if fmt == "csv":
        try:
            scan = _scan_file(p)
        except OSError:
            _read_bytes(p)  # the same fault, worded as for any other format
            raise
        read, digest = _read_csv(p, scan, enc_name, limits), scan.sha256
    else:
        read, digest, labels, missing = _read_binary(p, fmt, enc_name, sheet, limits)
    return RawFile(
        frame=read.frame,
        path=p,
        format=fmt,
        encoding=read.encoding,
        sheet=read.sheet,
        sha256=digest,
        value_labels=labels,
        missing_codes=missing,
        lines=read.lines,
        faults=read.faults,
        layout=read.layout,
        native_numbers=read.natives,
        delimiter=read.delimiter,
    )
