"""Reading raw survey files exactly as the offices sent them; atomic writes; file hashes.

:func:`read_raw` opens a raw survey file (CSV in UTF-8, UTF-8 with BOM, UTF-16, Windows-1258,
TCVN3 (ABC) or VNI; Excel .xlsx; SPSS .sav; Stata .dta; Parquet) and returns a
:class:`RawFile` whose frame holds every cell as a Unicode NFC string or missing, with no type
coercion and no trimming, so that the cleaning step sees what the office typed. SPSS/Stata
value labels and SPSS user-missing codes are kept beside the frame. The raw file is only ever
opened for reading; every file-level fault is a :class:`RawFileError` whose message is one line
naming the file and the fault.

Writers (:func:`write_atomic`, :func:`atomic_output`, :func:`write_parquet_atomic`,
:func:`write_csv_atomic`) write to a temporary file in the target folder and rename it over the
target only on success, so a failed run leaves the previous output in place.

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

Legacy files are parsed as Latin-1 (the three encodings are ASCII-compatible, so delimiters,
quotes and line ends are exact) and each distinct cell is decoded once, which keeps reading
within a few times ``pandas.read_csv`` on large files.

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

import contextlib
import csv
import datetime as _dt
import hashlib
import io as _io
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import legacy_encodings
from .legacy_encodings import vietnamese_score

__all__ = [
    "ENCODING_ALIASES",
    "FORMATS",
    "TEXT_DTYPE",
    "RawFile",
    "RawFileError",
    "atomic_output",
    "decode_bytes",
    "detect_encoding",
    "read_raw",
    "sha256_file",
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

TEXT_DTYPE = pd.StringDtype("python", na_value=np.nan)
"""The dtype of every column of :attr:`RawFile.frame`: text, missing as ``NaN``."""
_SNIFF_CHARS = 65536
_DELIMITERS = (",", ";", "\t")


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
        self.fault = fault
        super().__init__(f"{self.path}: {fault}")


@dataclass(frozen=True, eq=False)
class RawFile:
    """One raw survey file, read but not cleaned.

    Attributes:
        frame: one row per data row of the file; every cell a Unicode NFC ``str`` or missing
            (``NaN``; columns have pandas' ``str`` dtype); column names NFC ``str``. Nothing
            is trimmed or converted: numbers from Excel/SPSS/Stata/Parquet are written as
            text (``5``, ``4.5``), dates as ISO text. A CSV row with more fields than the
            header keeps its surplus fields in extra columns ``_extra_field_1``, ... (the
            cleaning step should quarantine such rows).
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
    """

    frame: pd.DataFrame
    path: Path
    format: str
    encoding: str | None
    sheet: str | None
    sha256: str
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    missing_codes: dict[str, list[str]] = field(default_factory=dict)


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


def _default_mode(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


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


def write_csv_atomic(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV (no index, ``\\n`` line ends) atomically.

    Args:
        df: the table.
        path: the final file.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Examples:
        >>> import tempfile
        >>> out = write_csv_atomic(pd.DataFrame({"tỉnh": ["Hà Giang"]}), Path(tempfile.mkdtemp()) / "t.csv")
        >>> out.read_bytes().decode("utf-8")
        'tỉnh\\nHà Giang\\n'
    """
    with atomic_output(path) as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return Path(path)


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


def _format_scalar(value: Any, *, excel: bool = False) -> str | None:
    """One cell as text: None/NaN -> None; integral floats without '.0'; dates ISO."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        if excel:
            return "TRUE" if value else "FALSE"
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if np.isnan(f):
            return None
        if f.is_integer() and abs(f) < 1e15:
            return str(int(f))
        return repr(f)
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            return None
        value = value.to_pydatetime()
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


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

    out = _map_unique(frame, fix)
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
# readers


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , ; TAB that splits the first records most consistently."""
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > _SNIFF_CHARS
    best, best_key = ",", (-1.0, 0)
    for d in _DELIMITERS:
        rows = [r for r in csv.reader(_io.StringIO(sample), delimiter=d) if r]
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


def _read_csv_bytes(
    buf: bytes, text: str, sep: str, path: Path, pandas_encoding: str
) -> pd.DataFrame:
    common: dict[str, Any] = {
        "sep": sep,
        "encoding": pandas_encoding,
        "dtype": object,
        "keep_default_na": False,
        "na_values": [""],
        "skip_blank_lines": True,
        "engine": "c",
        # never take surplus leading fields as an index: that would shift the data silently
        "index_col": False,
    }
    with warnings.catch_warnings():
        # pandas warns (and drops fields) when the first rows are longer than the header
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            return pd.read_csv(_io.BytesIO(buf), **common)
        except pd.errors.EmptyDataError:
            raise RawFileError(path, "no header line (the file holds only blank lines)") from None
        except pd.errors.ParserError as exc:
            if "Expected" not in str(exc):
                raise RawFileError(path, f"cannot parse as CSV: {str(exc).strip()}") from None
        except pd.errors.ParserWarning:
            pass
        # Ragged rows: some rows have more fields than the header. Keep every field: read
        # with as many unnamed columns as the longest record has fields.
        try:
            width = max(len(r) for r in csv.reader(_io.StringIO(text), delimiter=sep))
        except (csv.Error, ValueError):
            width = max(line.count(sep) for line in text.split("\n")) + 1
        try:
            raw = pd.read_csv(_io.BytesIO(buf), header=None, names=list(range(width)), **common)
        except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
            raise RawFileError(path, f"cannot parse as CSV: {str(exc).strip()}") from None
    header = raw.iloc[0].tolist()
    body = raw.iloc[1:].reset_index(drop=True)
    n_head = max(i for i, h in enumerate(header) if isinstance(h, str)) + 1
    used = body.notna().any(axis=0).to_numpy()
    n_cols = max(n_head, int(np.flatnonzero(used).max()) + 1 if used.any() else n_head)
    names = [h if isinstance(h, str) else f"Unnamed: {i}" for i, h in enumerate(header[:n_head])]
    names = _dedupe(names) + [f"_extra_field_{k}" for k in range(1, n_cols - n_head + 1)]
    body = body.iloc[:, :n_cols]
    body.columns = names
    return body


def _map_unique(frame: pd.DataFrame, func) -> pd.DataFrame:
    """Apply ``func`` once per distinct non-missing value of each column (text dtype out)."""
    cols = {}
    for col in frame.columns:
        codes, uniques = pd.factorize(frame[col].to_numpy(dtype=object), use_na_sentinel=True)
        mapped = np.array([func(u) for u in uniques] + [None], dtype=object)
        # code -1 (missing) picks the trailing None
        cols[col] = pd.array(mapped[codes], dtype=TEXT_DTYPE)
    return pd.DataFrame(cols, index=frame.index, columns=frame.columns)


def _parse_csv(path: Path, data: bytes, enc: str, text: str | None) -> pd.DataFrame:
    """Parse CSV bytes in a known encoding; cells and names NFC. Raises UnicodeDecodeError."""
    if enc in LEGACY_CANDIDATES:
        # The legacy encodings are ASCII-compatible: parse the bytes as Latin-1 (delimiters,
        # quotes and line ends are exact), then decode each distinct cell once.
        view = data.decode("latin-1")
        buf, pandas_encoding = data, "latin-1"

        def convert(u: str) -> str:
            return u if u.isascii() else legacy_encodings.decode(u.encode("latin-1"), enc)

    else:
        view = text if text is not None else data.decode(enc)
        view = view.removeprefix("\ufeff")
        if enc == "utf-8":
            buf = data
        elif enc == "utf-8-sig":
            buf = data[3:]
        else:
            buf = view.encode("utf-8")
        pandas_encoding = "utf-8"
        convert = None if unicodedata.is_normalized("NFC", view) else _nfc_text
    if "\x00" in view:
        raise RawFileError(path, f"not a text file (NUL characters after decoding as {enc})")
    if not view.strip():
        raise RawFileError(path, "no header line (the file holds only blank lines)")
    frame = _read_csv_bytes(buf, view, _sniff_delimiter(view), path, pandas_encoding)
    names = [str(c) for c in frame.columns]
    if convert is not None:
        frame = _map_unique(frame, convert)
        names = [convert(c) for c in names]
    frame.columns = _dedupe([unicodedata.normalize("NFC", c) for c in names])
    return frame.astype(TEXT_DTYPE)


def _nfc_text(u: str) -> str:
    return unicodedata.normalize("NFC", u)


def _read_csv(path: Path, data: bytes, encoding: str | None) -> tuple[pd.DataFrame, str]:
    if encoding is not None:
        try:
            return _parse_csv(path, data, encoding, None), encoding
        except UnicodeDecodeError as exc:
            raise RawFileError(path, f"cannot decode as {encoding} ({exc.reason})") from None
    for enc, text in _candidates(data):
        try:
            return _parse_csv(path, data, enc, text), enc
        except UnicodeDecodeError as exc:
            if enc not in LEGACY_CANDIDATES:  # a BOM promised this encoding
                raise RawFileError(path, f"cannot decode as {enc} ({exc.reason})") from None
    hint = ""
    if b"\x00" in data:
        hint = "; the file holds NUL bytes, so it is not a text file"
    else:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            hint = f"; first byte that is not UTF-8 at offset {exc.start}"
    raise RawFileError(path, f"cannot decode as any supported encoding (tried {_TRIED}{hint})")


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> tuple[pd.DataFrame, str]:
    from python_calamine import CalamineWorkbook

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RawFileError(
            path,
            "not a readable Excel workbook (an old .xls or a password-protected file; "
            "save it as .xlsx without a password)",
        )
    if not data.startswith(b"PK"):
        raise RawFileError(path, "not a readable Excel workbook")
    try:
        # calamine (Rust) reads a 20,000-row sheet in about a second; openpyxl took 20.
        wb = CalamineWorkbook.from_filelike(_io.BytesIO(data))
        names = list(wb.sheet_names)
    except Exception:  # calamine raises its own error types for zip and XML faults
        raise RawFileError(path, "not a readable Excel workbook") from None
    if not names:
        raise RawFileError(path, "workbook has no sheets")
    if sheet is None:
        name = names[0]
    else:
        wanted = unicodedata.normalize("NFC", str(sheet))
        matches = [n for n in names if unicodedata.normalize("NFC", n) == wanted]
        if not matches:
            raise RawFileError(path, f"sheet '{sheet}' not found (sheets: {', '.join(names)})")
        name = matches[0]
    try:
        cells = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise RawFileError(path, f"not a readable Excel workbook ({exc})") from None
    grid = pd.DataFrame(cells, dtype=object)
    # Format each distinct cell value once (a Likert column holds a handful), not every cell.
    for col in grid.columns:
        codes, uniques = pd.factorize(grid[col], use_na_sentinel=True)
        if any(isinstance(u, bool) for u in uniques):  # True == 1 == 1.0 for factorize
            grid[col] = [None if v == "" else _format_scalar(v, excel=True) for v in grid[col]]
            continue
        text = [None if u == "" else _format_scalar(u, excel=True) for u in uniques]
        grid[col] = np.array([*text, None], dtype=object)[codes]
    filled = grid.notna().to_numpy()
    if not filled.any():
        raise RawFileError(path, f"sheet '{name}' is empty")
    grid = grid.iloc[: int(np.flatnonzero(filled.any(axis=1))[-1]) + 1]  # trailing empty rows
    header, body = grid.iloc[0], grid.iloc[1:]
    # trailing columns with neither a header nor a value are formatting, not data
    width = grid.shape[1]
    while width > 1 and header.iloc[width - 1] is None and body.iloc[:, width - 1].isna().all():
        width -= 1
    names = _dedupe(
        [_nfc_name(h) if h is not None else f"Unnamed: {i}" for i, h in enumerate(header.iloc[:width])]
    )
    frame = pd.DataFrame(body.iloc[:, :width].to_numpy(), columns=names, dtype=object)
    if frame.empty:
        frame = pd.DataFrame({n: pd.Series([], dtype=TEXT_DTYPE) for n in names})
    frame = frame.astype(TEXT_DTYPE).apply(lambda s: s.str.normalize("NFC"))
    return frame.where(frame != ""), name


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


def _read_stat(path: Path, fmt: str, encoding: str | None):
    import pyreadstat

    kwargs: dict[str, Any] = {"apply_value_formats": False}
    enc = _pyreadstat_encoding(encoding)
    if enc:
        kwargs["encoding"] = enc
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    kind = "SPSS" if fmt == "sav" else "Stata"
    try:
        df, meta = reader(str(path), user_missing=True, **kwargs)
    except Exception as exc:  # noqa: BLE001 - pyreadstat's errors have no common base
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RawFileError(path, f"not a readable {kind} file ({detail})") from None
    tagged = dict(getattr(meta, "missing_user_values", None) or {}) if fmt == "dta" else {}
    if tagged:
        # pyreadstat 1.3.7 returns a system-missing value (.) that follows a tagged one (.a) in
        # the same column as a number (0, 2...) when user_missing=True; the plain read has the
        # true missing mask, so keep the user_missing=True value only where the plain read has
        # a value or the value is a tag letter.
        plain, _ = reader(str(path), user_missing=False, usecols=list(tagged), **kwargs)
        for col in tagged:
            values = df[col]
            is_tag = values.map(lambda v: isinstance(v, str))
            keep = plain[col].notna().to_numpy() | is_tag.to_numpy()
            fixed = values.where(keep, None).astype(object)
            fixed[is_tag.to_numpy()] = "." + values[is_tag.to_numpy()].astype(str)
            df[col] = fixed
    frame = pd.DataFrame(
        {_nfc_name(c): _text_column(df[c]) for c in df.columns}, index=pd.RangeIndex(len(df))
    )
    missing = _missing_from_ranges(getattr(meta, "missing_ranges", None) or {})
    for col, codes in tagged.items():
        missing.setdefault(_nfc_name(col), []).extend(f".{c}" for c in codes)
    labels = _labels(meta)
    if tagged:
        for col, codes in labels.items():
            if col in tagged:
                tags = {str(c) for c in tagged[col]}
                labels[col] = {(f".{k}" if k in tags else k): v for k, v in codes.items()}
    file_enc = getattr(meta, "file_encoding", None)
    return frame, labels, missing, (encoding or file_enc or None)


def _read_parquet(path: Path, data: bytes) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(_io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - pyarrow raises Arrow and OS errors
        raise RawFileError(path, f"not a readable Parquet file ({type(exc).__name__})") from None
    df = table.to_pandas()
    return pd.DataFrame(
        {_nfc_name(c): _text_column(df[c]) for c in df.columns}, index=pd.RangeIndex(len(df))
    )


def read_raw(
    path: str | os.PathLike[str], *, encoding: str | None = None, sheet: str | None = None
) -> RawFile:
    """Read one raw survey file without cleaning it.

    Args:
        path: a ``.csv``/``.tsv``/``.txt``, ``.xlsx``/``.xlsm``, ``.sav``/``.zsav``, ``.dta``
            or ``.parquet``/``.pq`` file.
        encoding: CSV: a name from :data:`ENCODING_ALIASES`, or ``None`` to detect (see the
            module docstring). Excel/SPSS/Stata/Parquet: ``None``, or ``tcvn3``/``vni`` for
            text typed with a legacy font, or (SPSS/Stata) a code page for old files.
        sheet: Excel only: the worksheet; ``None`` reads the first.

    Returns:
        A :class:`RawFile`.

    Raises:
        RawFileError: the file is missing, a directory, empty (0 bytes), of an unknown type,
            undecodable, unparseable, or the sheet does not exist.

    Examples:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "s.csv"
        >>> from satisfaction.legacy_encodings import encode_cp1258
        >>> _ = p.write_bytes(encode_cp1258("tỉnh;q1\\nHà Giang;Rất hài lòng\\n"))
        >>> raw = read_raw(p)
        >>> raw.encoding, raw.frame.columns.tolist(), raw.frame.iloc[0].tolist()
        ('cp1258', ['tỉnh', 'q1'], ['Hà Giang', 'Rất hài lòng'])
    """
    p = Path(path)
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
    try:
        with open(p, "rb") as fh:
            data = fh.read()
    except PermissionError:
        raise RawFileError(p, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise RawFileError(p, f"cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise RawFileError(p, "empty file")
    digest = hashlib.sha256(data).hexdigest()

    labels: dict[str, dict[str, str]] = {}
    missing: dict[str, list[str]] = {}
    used_sheet: str | None = None
    if fmt == "csv":
        frame, enc_used = _read_csv(p, data, enc_name)
    else:
        if fmt == "xlsx":
            frame, used_sheet = _read_xlsx(p, data, sheet)
            enc_used = enc_name
        elif fmt in ("sav", "dta"):
            frame, labels, missing, enc_used = _read_stat(p, fmt, enc_name)
        else:
            frame, enc_used = _read_parquet(p, data), enc_name
        font = enc_name if enc_name in ("tcvn3", "vni") else None
        if enc_name is None:
            font = _detect_font(frame)
        if font is not None:
            frame, enc_used = _repair_fonts(frame, font), font
            labels = {
                col: {k: legacy_encodings.repair_font_text(v, font) for k, v in codes.items()}
                for col, codes in labels.items()
            }
    return RawFile(
        frame=frame,
        path=p,
        format=fmt,
        encoding=enc_used,
        sheet=used_sheet,
        sha256=digest,
        value_labels=labels,
        missing_codes=missing,
    )
