"""Codebook-driven cleaning: raw survey rows in, clean rows + quarantined rows + a log out.

Every physical line of the raw file is accounted for: the header, blank lines (counted), and
every record: it ends in exactly one place, the processed table or the quarantine, with one
reason code and the line of the file it starts on. Cell-level faults that can be repaired
without guessing are repaired and counted; row-level faults that cannot are quarantined;
nothing is dropped silently.

The rules, in the order they are applied (a quarantined row gets the first reason that fits):

0. **Records**: a line that is not a row of the header's width (``extra_fields``,
   ``missing_fields``) or that a quote left open merged with its neighbours
   (``unbalanced_quote``, one quarantine row per line) is quarantined by line, without its
   cells (see :mod:`satisfaction.csv_records`).
1. **Headers** are matched to the codebook's canonical names through its aliases (folded:
   no diacritics, any case, spaces/underscores alike). Columns the codebook does not know are
   never read: their values are written nowhere (a misspelled ``ho_ten`` may hold names); the
   log lists their headers (``unmapped_columns``, and a warning). A required column missing,
   or two columns claiming the same name, is a *file-level* fault (:class:`CleanError`):
   nothing is written.
2. **Text** is normalised to NFC and stray spaces are collapsed (counted per column).
3. **Categories** (respondent type, level, field, channel, province) map from any code, label
   or alias; blank -> ``missing_<column>``, unknown -> ``invalid_<column>``. SPSS/Stata value
   labels are applied first.
4. **Office** (the PSU): the office code is authoritative. A blank or unknown code is taken
   from the office name when the name matches exactly one office of the list (spelling
   variants such as "CA huyện ..." or text without diacritics match); a name that matches a
   *different* office than its code -> ``office_conflict``; neither known -> ``office_unknown``.
   The stratum comes from the office list when the file's is blank (``missing_stratum`` when
   there is no list). The list comes from the year's params (``offices_file``) or the project
   (``data/raw/offices.csv``), never from beside the raw file, so a file gives the same result
   wherever it lies; without a list the codes are trusted as typed, and the log says so.
5. **Weight**: a number written as the year's params declare (``decimal_separator``,
   ``thousands_separator``; cells Excel/SPSS stored as numbers are read as numbers), positive
   and finite (the codebook's range), else ``invalid_weight``; digits with separators the
   params do not declare (``1,500`` when no thousands separator is declared) are never
   guessed: ``ambiguous_weight``.
6. **Likert items**: codes (``4``, ``4.0``), words (Vietnamese with or without diacritics, any
   case, or English) -> 1-5; "don't know" (8) and refusal (9) -> missing and counted; blank ->
   missing; other codes (however many digits) -> missing and counted as out of range. For the
   overall item an out-of-range or unreadable answer quarantines the row (``invalid_overall``).
7. **Duplicates**, among the rows still kept, in file order, keeping the first:
   ``duplicate_exact`` when every cleaned value (personal data included) equals an earlier
   row's; ``duplicate_near`` when the respondent id (folded) repeats, or the same person
   (salted hash of name, phone and ID number) answered about the same office and field again.

Personal data (name, phone, ID number) is read only to build the salted respondent key and is
never written: neither the processed table nor the quarantine carries those columns, and any
text that leaves this step, in any column, the log included, is redacted where it looks like a
phone or ID number or an e-mail address (:func:`satisfaction.personal.redact`). Text echoed
from the file's cells (the quarantine's cells and details, the processed table's text, the
unrecognised headers in the log) also passes the file's
:class:`~satisfaction.personal.Screen`: a value that is a Vietnamese full name, or equals a
value of a recognised personal column in any row of the file, is hidden (``[redacted]``).

A file whose header lacks any of the codebook's personal columns is **suspicious**: its
personal data may sit under a header that lost a separator (``ho_tenso_dien_thoai``), and the
rows' fields may have shifted with it. It is cleaned, not refused (a file without a phone
column, or an anonymised one, is a legitimate file; refusing it would hold back its processed
table for nothing the quarantine needs: the line and the reason stay), but every text of two or
more words echoed in its quarantine (cells and details) or its log is hidden unless it is the
codebook's or the office list's own text (a category label, an office name); single words and
codes (``??``, ``55``, ``2020-H027-00001``) are still shown. A *row* whose personal cells are
not shaped as such (a digit in the name, a letter in the phone or ID number) may have had its
fields shifted by a lost and an added separator that its field count does not show; its text
is echoed in the quarantine under the same strict rule. (The processed table's text is held to
the ordinary rules only: its rows passed every check, and an office's name must read the same
in all of them.) The log says so: ``personal_data`` (the personal columns found and not found,
``suspicious``, ``rows_misshapen``, the cells hidden per reason) and a warning.

A file that is mostly bad (a quarantine share above the params' ``max_quarantine_share``,
default 50 %) is a file-level fault (:class:`MostlyBadError`): its quarantine and log are
written for inspection under ``<out>/rejected``, and the previous processed table stays.

Not for: reading files (see :mod:`satisfaction.io`) or estimation (see
:mod:`satisfaction.design`).
"""

from __future__ import annotations

import binascii
import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import config
from .codebook import Codebook, fold, fold_series, load_codebook, nfc, take_distinct
from .io import (
    RawFile,
    RawFileError,
    _no_faults,
    commit_output_set,
    read_raw,
    sha256_file,
    write_atomic,
    write_csv_atomic,
)
from .legacy_encodings import vietnamese_score
from .personal import MASK_REASONS, Screen, looks_personal, personal_hashes, redact

if TYPE_CHECKING:
    from .params import YearParams

REASONS = (
    "extra_fields", "missing_fields", "unbalanced_quote",
    "missing_respondent_type", "invalid_respondent_type", "missing_level", "invalid_level",
    "missing_province", "invalid_province", "missing_field", "invalid_field",
    "missing_channel", "invalid_channel", "office_unknown", "office_conflict",
    "missing_stratum", "invalid_weight", "ambiguous_weight", "invalid_overall",
    "duplicate_exact", "duplicate_near",
)
"""Every quarantine reason code, in the order the checks run."""

PROCESSED_COLUMNS = (
    "respondent_key", "year", "respondent_type", "level", "province", "region", "office_code",
    "office", "field", "channel", "stratum", "weight",
)
OUTPUT_FILES = ("survey.parquet", "quarantine.csv", "item_missing.csv", "clean_log.json")
"""The files one clean writes together into its output folder."""
REJECTED_DIR = "rejected"
"""Where the quarantine and log of a mostly bad file go (inside the output folder)."""
NO_OFFICE_LIST = ("no office list: office codes were trusted as typed (no canonical names, no "
                  "check of codes against names)")
"""The warning of a clean without an office list (log, summary, page)."""
YEARS = (1900, 2200)
"""The survey years the cleaning step accepts."""

CATEGORY_COLUMNS = ("respondent_type", "level", "province", "field", "channel")
LIKERT_STATUS = ("ok", "word", "blank", "dont_know", "refused", "user_missing",
                 "out_of_range", "unreadable")
"""What :func:`parse_likert` finds in a cell, in the order of its codes."""
_DIGITS = re.compile(r"\D+")
_INT_CODE = re.compile(r"^[+-]?\d+(\.0*)?$")
_NATIVE_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_NUMBERISH = re.compile(r"^[+-]?[\d.,'\s\u00a0]*\d[\d.,'\s\u00a0]*$")
_LETTER = "[A-Za-z\u00c0-\u024f\u1e00-\u1eff]"
_SEPARATORS = {".": "a dot", ",": "a comma", " ": "a space", "\u00a0": "a no-break space",
               "'": "an apostrophe"}


class CleanError(Exception):
    """A file-level fault found while cleaning (e.g. a required column is missing)."""

    def __init__(self, path: str | os.PathLike[str] | None, fault: str) -> None:
        self.path = Path(path) if path else None
        self.fault = " ".join(str(fault).split())
        super().__init__(f"{self.path}: {self.fault}" if self.path else self.fault)


class MostlyBadError(CleanError):
    """More of the file was quarantined than the params allow: a file-level fault.

    Attributes:
        result: the :class:`CleanResult` (its quarantine and log were written for inspection).
    """

    def __init__(self, path: str | os.PathLike[str] | None, fault: str,
                 result: CleanResult) -> None:
        super().__init__(path, fault)
        self.result = result


def _default_offices() -> Path | None:
    return config.RAW / "offices.csv"


@dataclass(frozen=True)
class CleanSettings:
    """What a year's params say about cleaning (see ``params/*.yaml``).

    Attributes:
        decimal_separator: the decimal mark of numbers typed as text (``.`` or ``,``).
        thousands_separator: the digit-group mark of numbers typed as text, or ``None``
            (then a number with a group mark is ambiguous and quarantined, never guessed).
        offices_file: the office list (``office_code, office, stratum``); ``None``: no list,
            office codes trusted as typed (the log and the summary warn).
        max_quarantine_share: above this share of quarantined rows the file is a file-level
            fault (:class:`MostlyBadError`).
        codebook: the year's questionnaire (params ``codebook``); None: the shared
            ``data/raw/codebook.yaml``. Read when no codebook is passed to the cleaning.
    """

    decimal_separator: str = "."
    thousands_separator: str | None = None
    offices_file: Path | None = field(default_factory=_default_offices)
    max_quarantine_share: float = 0.5
    codebook: Path | None = None

    def __post_init__(self) -> None:
        if self.decimal_separator not in (".", ","):
            raise ValueError("decimal_separator must be '.' or ',', "
                             f"not {self.decimal_separator!r}")
        if self.thousands_separator not in (None, *_SEPARATORS) or \
                self.thousands_separator == self.decimal_separator:
            raise ValueError(f"thousands_separator {self.thousands_separator!r} is not one of "
                             f"{sorted(_SEPARATORS)} other than the decimal separator")
        if not 0 < float(self.max_quarantine_share) <= 1:
            raise ValueError("max_quarantine_share must be above 0 and at most 1")

    @classmethod
    def from_params(cls, params: YearParams) -> CleanSettings:
        """The settings of a year's params (:class:`~satisfaction.params.YearParams`)."""
        return cls(decimal_separator=params.decimal_separator,
                   thousands_separator=params.thousands_separator,
                   offices_file=params.offices_file,
                   max_quarantine_share=params.max_quarantine_share,
                   codebook=params.codebook)


@dataclass(frozen=True)
class CleanResult:
    """What :func:`clean_survey` returns.

    Attributes:
        data: the processed respondent table (one row per kept respondent).
        quarantine: one row per quarantined record (one per line for a broken record):
            ``line`` (the line of the file it starts on; see
            :attr:`satisfaction.io.RawFile.lines`), ``reason``, ``detail``, the respondent key
            and the non-personal raw values (as the file's screen lets them be shown, see the
            module docstring; none for a broken record).
        log: counts: lines, rows in/out, per reason, per column repairs, unmapped headers,
            the office list used, personal data (columns found, suspicious, cells hidden),
            warnings.
        item_missing: per Likert item: ``dont_know, refused, blank, out_of_range,
            unreadable, words, n`` (counted over the kept rows).
    """

    data: pd.DataFrame
    quarantine: pd.DataFrame
    log: dict[str, Any]
    item_missing: pd.DataFrame = field(default_factory=pd.DataFrame)


# ---------------------------------------------------------------------------------------------
# one raw column, factorised: every Python-level rule runs once per distinct value
# ---------------------------------------------------------------------------------------------
def _small_int(n: int) -> type:
    return np.int8 if n < 127 else np.int16 if n < 32767 else np.int32


@dataclass
class _Col:
    """A column as distinct values and one code per row (-1: missing)."""

    codes: np.ndarray
    values: list[Any]

    @classmethod
    def of(cls, series: pd.Series) -> _Col:
        if isinstance(series.dtype, pd.CategoricalDtype):
            return cls(series.cat.codes.to_numpy(), list(series.cat.categories))
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return cls(codes, list(uniques))

    @property
    def isna(self) -> np.ndarray:
        return self.codes < 0

    def counts(self) -> np.ndarray:
        """Rows per distinct value."""
        return np.bincount(self.codes[self.codes >= 0], minlength=len(self.values))

    def take(self, results: list[Any] | np.ndarray, missing: Any = None,
             dtype: Any = object) -> np.ndarray:
        """Per-value results expanded to rows (``missing`` where the cell is missing)."""
        table = np.empty(len(results) + 1, dtype=dtype)
        table[:-1] = results
        table[-1] = missing
        return table[self.codes]

    def map(self, func: Callable[[Any], Any]) -> _Col:
        """``func`` once per value; equal results merged; ``None`` results become missing."""
        return _Col(self.codes, [func(v) for v in self.values]).merged()

    def merged(self) -> _Col:
        """Equal values made one (``None`` values: missing); codes as small as they fit."""
        mapped = np.array([*self.values, None], dtype=object)
        remap, uniques = pd.factorize(mapped[:-1], use_na_sentinel=True)
        table = np.append(remap, -1).astype(_small_int(len(uniques)))
        return _Col(table[self.codes], list(uniques))

    def text(self) -> np.ndarray:
        """The cells as an object array (missing: None)."""
        return self.take(self.values)

    def text_at(self, mask: np.ndarray) -> np.ndarray:
        """The cells of the rows of ``mask`` as an object array (missing: None)."""
        return np.array([*self.values, None], dtype=object)[self.codes[mask]]

    def series(self, screen: Screen) -> pd.Series:
        """The cells as text (pandas ``str``), each distinct value through ``screen``'s
        ordinary rules (see :class:`~satisfaction.personal.Screen`)."""
        values = screen.texts(self.values, self.counts(), strict=False)
        return take_distinct(self.codes, [None if v is None else str(v) for v in values],
                             pd.RangeIndex(len(self.codes)))


class _Quarantine:
    """The reason (first one that fits) and detail of every row."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, -1, dtype=np.int16)
        self.detail = np.full(n, None, dtype=object)

    @property
    def kept(self) -> np.ndarray:
        return self.reason < 0

    def mark(self, mask: np.ndarray, code: str,
             what: Callable[[np.ndarray], np.ndarray] | str = "") -> None:
        """Quarantine the rows of ``mask`` not quarantined yet; ``what`` gives the detail of
        the rows it is handed (called only for them) or is the detail of all."""
        fresh = np.asarray(mask, dtype=bool) & self.kept
        if not fresh.any():
            return
        self.reason[fresh] = REASONS.index(code)
        self.detail[fresh] = what(fresh) if callable(what) else what


def _shown(values: np.ndarray, blank: str = "") -> np.ndarray:
    """Cells as text for a detail (missing: ``blank``)."""
    return np.array([blank if v is None or pd.isna(v) else str(v) for v in values], dtype=object)


@dataclass
class _Personal:
    """What the cleaning keeps of the personal columns and the respondent id: no text."""

    key: np.ndarray                  # the salted respondent key (64-bit)
    codes: dict[str, np.ndarray]     # each column factorised (equal text, equal code)
    has_pii: np.ndarray              # the row has a name, phone or ID number
    same_id: np.ndarray              # the respondent id folded (case, spaces), factorised
    values: np.ndarray               # hashes of the personal values (to hide them elsewhere)
    misshapen: np.ndarray            # a personal cell of the row is not shaped as one


@dataclass
class _Work:
    """What the cleaning steps share."""

    codebook: Codebook
    settings: CleanSettings
    cols: dict[str, _Col]
    person: _Personal
    q: _Quarantine
    natives: dict[str, np.ndarray]
    screen: Screen = field(default_factory=Screen)
    repairs: dict[str, dict[str, int]] = field(default_factory=dict)
    out: dict[str, Any] = field(default_factory=dict)
    status: dict[str, np.ndarray] = field(default_factory=dict)

    def shown(self, values: np.ndarray, rows: np.ndarray, blank: str = "") -> np.ndarray:
        """The cells ``values`` of the rows of ``rows`` as text for a detail (missing:
        ``blank``), through the file's screen (strictly for a misshapen row)."""
        return self.screen.cells(_shown(values, blank), strict=self.person.misshapen[rows])

    def count(self, column: str, what: str, n: int) -> None:
        if n:
            by_col = self.repairs.setdefault(column, {})
            by_col[what] = by_col.get(what, 0) + int(n)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def office_key(name: Any) -> str:
    """The matching key of an office name: folded, with the abbreviation "CA" spelled out.

    Examples:
        >>> office_key("CA huyện Tân Phú, Gia Lai") == office_key("Công an huyện Tân Phú, Gia Lai")
        True
        >>> office_key("Cong an tinh Ha Giang")
        'cong an tinh ha giang'
    """
    key = fold(name)
    return re.sub(r"^ca ", "cong an ", key)


def _hex(hashes: np.ndarray) -> pd.Series:
    """64-bit hashes as 16 hex digits (pandas ``str``), without a Python object per row."""
    text = binascii.hexlify(np.ascontiguousarray(hashes, dtype=">u8").tobytes())
    raw = pa.array(np.frombuffer(text, dtype="S16"), type=pa.binary(16)).cast(pa.string())
    return pd.Series(pd.array(raw, dtype="str"))


def _key_hashes(pii: pd.DataFrame, respondent_id: pd.Series, salt: bytes
                ) -> tuple[np.ndarray, pd.Series]:
    """The salted respondent keys as 64-bit integers (see :func:`respondent_keys`), and the
    folded names."""
    key = hashlib.sha256(salt).hexdigest()[:16]

    def keyed(text: pd.Series) -> np.ndarray:   # SipHash-2-4 keyed with the salt
        return pd.util.hash_pandas_object(text.fillna(""), index=False, hash_key=key).to_numpy()

    hashes, present = {}, np.zeros(len(pii), dtype=bool)
    names = pd.Series([], dtype="str")
    for col in ("full_name", "phone", "id_number"):
        if col not in pii:
            continue
        if col == "full_name":
            part = names = fold_series(pii[col]).fillna("")
        else:
            typed = pii[col].astype("str").fillna("")
            plain = typed.str.isdigit()            # most numbers are typed as bare digits
            part = typed.where(plain, typed[~plain].str.replace(_DIGITS, "", regex=True))
        present |= (part != "").to_numpy()
        hashes[col] = keyed(part)
        del part
    combined = pd.util.hash_pandas_object(pd.DataFrame(hashes, index=range(len(pii))),
                                          index=False).to_numpy().copy()
    if not present.all():     # no personal data at all: keyed by the respondent id
        by_id = keyed("id|" + fold_series(respondent_id[~present]).fillna(""))
        combined[~present] = by_id
    return combined, names


def respondent_keys(pii: pd.DataFrame, respondent_id: pd.Series, salt: bytes) -> pd.Series:
    """Salted (keyed) hashes of the respondents, from their personal data.

    The key is built from the folded name and the digits of the phone and ID numbers; a row
    with no personal data at all is keyed by its respondent id instead. The salt keeps the
    key from being reversed by hashing every phone number.

    Args:
        pii: the personal-data columns (any subset of ``full_name, phone, id_number``).
        respondent_id: the ids, used where a row has no personal data.
        salt: secret bytes (see :func:`load_salt`).

    Returns:
        A Series of 16-hex-digit keys aligned with ``pii``.

    Examples:
        >>> p = pd.DataFrame({"full_name": ["Lê Văn A", "LE VAN A", None],
        ...                   "phone": ["0912 345 678", "0912345678", None]})
        >>> k = respondent_keys(p, pd.Series(["1", "2", "3"]), b"salt")
        >>> k[0] == k[1], k[1] == k[2], len(k[0])
        (True, False, 16)
    """
    keys = _hex(_key_hashes(pii.reset_index(drop=True), respondent_id.reset_index(drop=True),
                            salt)[0])
    keys.index = pii.index
    return keys


def load_salt(path: Path, new: bytes | None = None) -> bytes:
    """The secret salt: ``$SATISFACTION_SALT`` if set, else a random one kept in ``path``.

    The salt file is created once (mode 0600) inside the output folder and is not in git,
    so keys are stable across runs on one machine and cannot be recomputed elsewhere.

    Args:
        path: the salt file (``<output folder>/.salt``).
        new: the salt to keep when the file does not exist yet (default: a random one).
    """
    env = os.environ.get("SATISFACTION_SALT")
    if env:
        return env.encode("utf-8")
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = new or secrets.token_hex(16).encode("ascii")
    write_atomic(path, salt)
    path.chmod(0o600)
    return salt


def _salt(path: Path) -> tuple[bytes, bool]:
    """The salt :func:`load_salt` would give, without writing it: (salt, is it new)."""
    env = os.environ.get("SATISFACTION_SALT")
    if env:
        return env.encode("utf-8"), False
    if path.exists():
        return path.read_bytes(), False
    return secrets.token_hex(16).encode("ascii"), True


def map_headers(columns: list[str], codebook: Codebook, path: Path | None = None) -> dict[str, str]:
    """Raw header -> canonical name, for the headers the codebook knows.

    Raises:
        CleanError: two raw columns map to the same canonical column, or a required column
            is missing (the message lists the names looked for).

    Examples:
        >>> cb = load_codebook()
        >>> map_headers(["Mã phiếu", "TRONG_SO"], cb, None)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        satisfaction.clean.CleanError: required column(s) missing: respondent_type (looked for: Loại đối tượng, doi_tuong, loai_doi_tuong); ...
    """
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for col in columns:
        canon = codebook.header_map.get(fold(col))
        if canon is None:
            continue
        if canon in seen:
            raise CleanError(path, f"columns {seen[canon]!r} and {col!r} both mean {canon!r}")
        seen[canon] = col
        mapping[col] = canon
    missing = [c for c in codebook.required_columns if c not in seen]
    if missing:
        shown = [f"{c} (looked for: {', '.join(codebook.columns[c].aliases) or c})" for c in missing]
        raise CleanError(path, f"required column(s) missing: {'; '.join(shown)}")
    return mapping


def _user_missing(codes: list[str] | None) -> tuple[set[str], list[tuple[float, float]]]:
    """SPSS user-missing codes: single codes and ``lo..hi`` ranges."""
    single: set[str] = set()
    ranges: list[tuple[float, float]] = []
    for code in codes or []:
        text = str(code).strip()
        low_high = text.split("..")
        if len(low_high) == 2:
            ranges.append((float(low_high[0]), float(low_high[1])))
        else:
            single.add(text)
    return single, ranges


class _LikertReader:
    """Reads one distinct Likert cell: (value, status code)."""

    def __init__(self, codebook: Codebook, user_missing: list[str] | None) -> None:
        self.low, self.high = codebook.scale
        self.missing = codebook.missing_codes
        self.words = codebook.likert_words
        self.user, self.ranges = _user_missing(user_missing)

    def _user_code(self, text: str) -> bool:
        if text in self.user:
            return True
        try:
            value = float(text)
        except ValueError:
            return False
        return any(lo <= value <= hi for lo, hi in self.ranges)

    def _code(self, text: str) -> tuple[float, str]:
        digits = text.lstrip("+-").split(".")[0].lstrip("0")
        code = int(digits or "0") if len(digits) <= 6 else None   # 400 digits: out of range
        if code is not None and code in self.missing:
            return np.nan, self.missing[code]
        if self._user_code(text):
            return np.nan, "user_missing"
        if code is not None and not text.startswith("-") and self.low <= code <= self.high:
            return code, "ok"
        return np.nan, "out_of_range"

    def __call__(self, value: Any) -> tuple[float, str]:
        text = str(value).strip()
        if text == "":
            return np.nan, "blank"
        if _INT_CODE.match(text):
            return self._code(text)
        if self._user_code(text):
            return np.nan, "user_missing"
        code = self.words.get(fold(text))
        if code is None:
            return np.nan, "unreadable"
        if code in self.missing:
            return np.nan, self.missing[code]
        return code, "word"


def _likert_col(col: _Col, codebook: Codebook, user_missing: list[str] | None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Values (int8, -1 missing) and status codes (index into :data:`LIKERT_STATUS`)."""
    read = _LikertReader(codebook, user_missing)
    found = [read(v) for v in col.values]
    values = np.array([-1 if np.isnan(v) else v for v, _ in found] + [-1], dtype=np.int8)
    status = np.array([LIKERT_STATUS.index(s) for _, s in found] + [2], dtype=np.int8)
    return values[col.codes], status[col.codes]


def parse_likert(series: pd.Series, codebook: Codebook,
                 user_missing: list[str] | None = None) -> tuple[pd.Series, pd.Series]:
    """Read one Likert column: values 1-5 and, per cell, what was found.

    Args:
        series: the column as typed (strings or missing).
        codebook: the questionnaire (scale, words, missing codes).
        user_missing: SPSS user-missing codes of this column (read as missing).

    Returns:
        ``(values, status)``: ``values`` nullable Int8 in 1-5; ``status`` per cell one of
        ``ok``, ``word``, ``blank``, ``dont_know``, ``refused``, ``user_missing`` (an SPSS
        user-missing code or range the codebook does not name), ``out_of_range``,
        ``unreadable``.

    Examples:
        >>> cb = load_codebook()
        >>> v, s = parse_likert(pd.Series(["4", " rất hài lòng", "8", "7", None, "4.0", "abc", "9" * 400]), cb)
        >>> v.tolist(), s.tolist()
        ([4, 5, <NA>, <NA>, <NA>, 4, <NA>, <NA>], ['ok', 'word', 'dont_know', 'out_of_range', 'blank', 'ok', 'unreadable', 'out_of_range'])
    """
    values, status = _likert_col(_Col.of(series), codebook, user_missing)
    return (pd.Series(pd.array(np.where(values < 0, None, values), dtype="Int8"),
                      index=series.index),
            pd.Series(np.array(LIKERT_STATUS, dtype=object)[status], index=series.index))


def _number_pattern(decimal: str, thousands: str | None) -> re.Pattern[str]:
    d = re.escape(decimal)
    grouped = rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|" if thousands else ""
    return re.compile(rf"^([+-]?)({grouped}\d+)?(?:{d}(\d+))?$")


def _read_number(text: str, native: bool, pattern: re.Pattern[str],
                 settings: CleanSettings) -> tuple[float, str]:
    """One distinct number cell: (value, ``ok`` | ``blank`` | a reason it is not read)."""
    text = text.strip()
    if not text:
        return np.nan, "blank"
    if looks_personal(text):     # never kept as a number: it may be a phone or an ID
        return np.nan, "looks like a phone or ID number"
    if native:
        return (float(text), "ok") if _NATIVE_NUMBER.match(text) else (np.nan, "not a number")
    m = pattern.match(text)
    if m and (m.group(2) or m.group(3)):
        whole = (m.group(2) or "0").replace(settings.thousands_separator or "\0", "")
        return float(f"{m.group(1)}{whole}.{m.group(3) or '0'}"), "ok"
    if _NUMBERISH.match(text):
        marks = sorted({_SEPARATORS.get(c, repr(c)) for c in text if not c.isdigit()
                        and c not in "+-"})
        declared = f"decimal '{settings.decimal_separator}', thousands " + (
            f"'{settings.thousands_separator}'" if settings.thousands_separator else "none")
        return np.nan, f"ambiguous: {' and '.join(marks)} where the params declare {declared}"
    return np.nan, "not a number"


def _in_range(values: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    ok = np.isfinite(values)
    for key, test in (("min", np.greater_equal), ("max", np.less_equal),
                      ("min_exclusive", np.greater), ("max_exclusive", np.less)):
        if key in spec:
            ok &= test(values, float(spec[key]), where=ok, out=np.zeros_like(ok))
    return ok


def _numbers(col: _Col, settings: CleanSettings, native: np.ndarray | None,
             spec: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Values (NaN where not read) and, per row, an index into the problems found (0: none)."""
    pattern = _number_pattern(settings.decimal_separator, settings.thousands_separator)
    native_row = np.zeros(len(col.codes), dtype=bool) if native is None \
        else np.asarray(native, dtype=bool)
    # a value may be typed in one cell and stored as a number in another: read each pair once
    pair = col.codes.astype(np.int64) * 2 + native_row
    keys, inverse = np.unique(pair, return_inverse=True)
    found = [(np.nan, "blank") if k < 0 else
             _read_number(str(col.values[k // 2]), bool(k % 2), pattern, settings) for k in keys]
    problems = ["", "blank", "out of range"]
    index = {p: i for i, p in enumerate(problems)}
    for _, p in found:
        if p != "ok" and p not in index:
            index[p] = len(problems)
            problems.append(p)
    values = np.array([v for v, _ in found], dtype="float64")[inverse]
    problem = np.array([index.get(p, 0) for _, p in found], dtype=np.int16)[inverse]
    problem[(problem == 0) & ~_in_range(values, spec)] = index["out of range"]
    return values, problem, problems


def parse_numbers(col: pd.Series, settings: CleanSettings | None = None,
                  native: np.ndarray | None = None,
                  spec: dict[str, Any] | None = None) -> tuple[pd.Series, pd.Series]:
    """Read a column of numbers as the year's params declare them; never guess.

    Args:
        col: the cells as typed.
        settings: the decimal and thousands separators (default ``.`` and none).
        native: which cells the file stored as numbers (read as Python writes numbers).
        spec: the codebook's range (``min``, ``max``, ``min_exclusive``, ``max_exclusive``).

    Returns:
        ``(values, problem)``: floats (NaN where not read) and per cell ``""`` (read and in
        range), ``blank``, ``not a number``, ``ambiguous: ...``, ``out of range`` or ``looks
        like a phone or ID number`` (9 digits or more: never kept, see
        :mod:`satisfaction.personal`).

    Examples:
        >>> s = pd.Series(["1,500", "1.234,5", "353.61", " 7 ", "abc", "-2", None, "1.500"])
        >>> v, why = parse_numbers(s, spec={"min_exclusive": 0})
        >>> v.tolist()[2:4], why.tolist()[2:7]
        ([353.61, 7.0], ['', '', 'not a number', 'out of range', 'blank'])
        >>> why[0]
        "ambiguous: a comma where the params declare decimal '.', thousands none"
        >>> vn = CleanSettings(decimal_separator=",", thousands_separator=".", offices_file=None)
        >>> vals = parse_numbers(s, vn)[0].tolist()
        >>> vals[:3], vals[-1]
        ([1.5, 1234.5, nan], 1500.0)
    """
    values, problem, problems = _numbers(_Col.of(col), settings or CleanSettings(offices_file=None),
                                         native, spec or {})
    return (pd.Series(values, index=col.index),
            pd.Series(np.array(problems, dtype=object)[problem], index=col.index, dtype=object))


def _parse_dates(values: list[Any]) -> pd.Series:
    text = pd.Series(values, dtype="string").str.strip()
    out = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    retry = out.isna() & text.notna()          # ISO dates (Excel, SPSS) only where needed
    if retry.any():
        iso = pd.to_datetime(text[retry].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        out = out.where(~retry, iso.reindex(out.index))
    return out


# ---------------------------------------------------------------------------------------------
# the cleaning steps
# ---------------------------------------------------------------------------------------------
def _tidy(col: _Col) -> tuple[_Col, int, int]:
    """NFC with runs of spaces collapsed and ends trimmed, blank -> missing; and the counts of
    cells that NFC and the spaces changed (each distinct value is worked on once)."""
    per_value = col.counts()
    as_nfc = [nfc(str(v)) for v in col.values]
    tidy = [" ".join(a.split()) for a in as_nfc]
    n_nfc = int(per_value[[a != str(u) for a, u in zip(as_nfc, col.values)]].sum()) \
        if len(col.values) else 0
    n_spaces = int(per_value[[t != a for t, a in zip(tidy, as_nfc)]].sum()) \
        if len(col.values) else 0
    lookup = dict(zip(col.values, tidy))
    return col.map(lambda v: lookup[v] or None), n_nfc, n_spaces


def _blank_to_missing(series: pd.Series) -> pd.Series:
    """Text as typed, a cell of spaces only made missing (each distinct value looked at once)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        blank = np.array([not str(c).strip() for c in series.cat.categories] + [True])
        codes = series.cat.codes.to_numpy()
        return pd.Series(pd.Categorical.from_codes(np.where(blank[codes], -1, codes),
                                                   dtype=series.dtype))
    text = series.astype("str")
    blank = (text.str.strip() == "").to_numpy(dtype=bool, na_value=False)
    return text.where(~blank) if blank.any() else text


def _personal(frame: pd.DataFrame, headers: dict[str, str], codebook: Codebook,
              salt: bytes) -> _Personal:
    """The personal columns and the id, read for the key and the duplicates, then let go."""
    wanted = {*codebook.pii_columns, "respondent_id"}
    cols = {canon: _blank_to_missing(frame[raw]) for raw, canon in headers.items()
            if canon in wanted}
    pii = pd.DataFrame({c: cols[c] for c in codebook.pii_columns if c in cols},
                       index=range(len(frame)))
    key, names = _key_hashes(pii, cols["respondent_id"], salt)
    numbers = [_folded_numbers(pii[c]) for c in pii.columns if c != "full_name"]
    has_pii = pii.notna().any(axis=1).to_numpy() if len(pii.columns) else \
        np.zeros(len(frame), dtype=bool)
    del pii
    codes = {}
    misshapen = np.zeros(len(frame), dtype=bool)
    for name in list(cols):
        found, uniques = pd.factorize(cols.pop(name) if name != "respondent_id" else cols[name])
        if name != "respondent_id":
            misshapen |= np.append(_misshapen(name, uniques), False)[found]
        codes[name] = found.astype(_small_int(int(found.max(initial=0)) + 1))
    # ids are codes: the same id typed in another case or with spaces is the same id
    folded = cols.pop("respondent_id").astype("str").str.lower().str.replace(" ", "", regex=False)
    same_id = pd.factorize(folded)[0]
    del folded
    same_id = same_id.astype(_small_int(int(same_id.max(initial=0)) + 1))
    return _Personal(key, codes, has_pii, same_id, personal_hashes([names, *numbers]),
                     misshapen)


def _misshapen(column: str, values: Any) -> np.ndarray:
    """Which distinct values of a personal column are not shaped as its values are: a digit in
    a name, a letter in a phone or ID number. The row's fields have shifted (a lost or an added
    separator that its field count does not show), so its other cells may hold personal data.
    """
    text = pd.Series(values).astype("str")
    if column == "full_name":
        return text.str.contains("[0-9]", regex=True).to_numpy(dtype=bool, na_value=False)
    return text.str.contains(_LETTER, regex=True).to_numpy(dtype=bool, na_value=False)


def _folded_numbers(typed: pd.Series) -> pd.Series:
    """A phone or ID column folded for :func:`~satisfaction.personal.personal_hashes`: runs of
    9 or more digits left out (redaction hides each of them), the rest folded."""
    long = typed.str.fullmatch(r"\d{9,}").to_numpy(dtype=bool, na_value=True)
    text = typed[~long].dropna().astype("str")
    plain = text.str.fullmatch(r"\d*")          # fold leaves bare digits as they are
    return pd.concat([text[plain], fold_series(text[~plain])], ignore_index=True)


def _read_columns(frame: pd.DataFrame, headers: dict[str, str], codebook: Codebook,
                  value_labels: dict[str, dict[str, str]], work: _Work) -> None:
    """Step 2: every mapped column but the personal ones factorised and tidied."""
    pii_or_id = {*codebook.pii_columns, "respondent_id"}
    for raw_name, canon in headers.items():
        if canon in pii_or_id:         # read only for the respondent key (see _personal)
            continue
        col = _Col.of(frame[raw_name])
        labels = value_labels.get(raw_name)
        if labels and codebook.columns[canon].kind == "category":
            col = col.map(lambda v, lab=labels: lab.get(v, v))
        col, n_nfc, n_spaces = _tidy(col)
        work.count(canon, "nfc_normalised", n_nfc)
        work.count(canon, "spaces_trimmed", n_spaces)
        work.cols[canon] = col


def _categories(work: _Work) -> None:
    """Step 3: category labels -> codes; missing_<col>, invalid_<col>."""
    for name in CATEGORY_COLUMNS:
        col = work.cols[name]
        mapping = work.codebook.category_map(name)
        mapped = [mapping.get(fold(v)) for v in col.values]
        codes = _Col(col.codes, mapped).merged()
        work.q.mark(col.isna, f"missing_{name}")
        work.q.mark(~col.isna & codes.isna, f"invalid_{name}",
                    lambda m, c=col: work.shown(c.text_at(m), m))
        changed = np.array([m is not None and m != v for m, v in zip(mapped, col.values)],
                           dtype=bool)
        work.count(name, "labels_mapped_to_codes", int(col.counts()[changed].sum()))
        work.out[name] = codes
    work.out["region"] = work.out["province"].map(work.codebook.province_region.get)


@dataclass(frozen=True)
class _Offices:
    """The office list, indexed for matching."""

    codes: np.ndarray        # upper-case office codes (object)
    names: np.ndarray        # canonical names (object)
    strata: np.ndarray | None
    by_code: dict[str, int]
    by_key: dict[str, int]   # office_key of a name -> office (keys shared by two: left out)
    by_name: dict[str, int]  # exact canonical name -> an office of that name

    @classmethod
    def of(cls, offices: pd.DataFrame) -> _Offices:
        codes = offices["office_code"].astype(str).str.upper().to_numpy(dtype=object)
        names = offices["office"].to_numpy(dtype=object)
        keys = [office_key(n) for n in names]
        seen: dict[str, int] = {}
        for k in keys:
            seen[k] = seen.get(k, 0) + 1
        strata = offices["stratum"].astype(str).to_numpy(dtype=object) \
            if "stratum" in offices else None
        return cls(codes, names, strata,
                   {c: i for i, c in enumerate(codes)},
                   {k: i for i, k in enumerate(keys) if seen[k] == 1},
                   {n: i for i, n in enumerate(names)})


def _office_ids(work: _Work, ref: _Offices) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the office of the code and the office of the name (-1: none)."""
    code, name = work.cols["office_code"], work.cols["office"]
    code_id = code.take([ref.by_code.get(str(v).upper(), -1) for v in code.values], -1, np.int64)
    name_id = name.take([ref.by_key.get(office_key(v), -1) for v in name.values], -1, np.int64)
    return code_id, name_id


def _shifted(col: _Col, by: int) -> np.ndarray:
    """The column's codes moved up by ``by`` (missing stays -1), for a longer value list."""
    return np.where(col.isna, -1, col.codes.astype(np.int64) + by)


def _office_with_list(work: _Work, ref: _Offices) -> None:
    """Step 4 with an office list: code authoritative, name as a fallback and a check."""
    code, name, stratum = work.cols["office_code"], work.cols["office"], work.cols["stratum"]
    code_id, name_id = _office_ids(work, ref)
    upper = code.map(lambda v: str(v).upper())
    conflict = (code_id >= 0) & (name_id >= 0) & (name_id != code_id)
    work.q.mark(conflict, "office_conflict",
                lambda m: work.shown(upper.text_at(m), m) + " vs " + work.shown(name.text_at(m), m))
    filled = (code_id < 0) & (name_id >= 0)
    work.count("office_code", "filled_from_office_name", int((filled & work.q.kept).sum()))
    final = np.where(code_id >= 0, code_id, name_id)
    known = final >= 0
    work.q.mark(~known, "office_unknown", lambda m: work.shown(name.text_at(m), m, "(blank)")
                + " / " + work.shown(code.text_at(m), m, "(blank)"))
    safe, k = np.maximum(final, 0), len(ref.codes)
    same = name.take([ref.by_name.get(v, -1) for v in name.values], -1, np.int64)
    renamed = known & ~name.isna & (same != final)
    if renamed.any():   # two offices may share a name: compare the text where ids differ
        renamed[renamed] = ref.names[safe[renamed]] != name.text_at(renamed)
    work.count("office", "canonicalised", int(renamed.sum()))
    work.count("office", "filled_from_office_code", int((known & name.isna).sum()))
    # the list's text where the office is known, the file's (for the quarantine) elsewhere
    work.out["office_code"] = _Col(np.where(known, final, _shifted(upper, k)),
                                   [*ref.codes, *upper.values]).merged()
    work.out["office"] = _Col(np.where(known, final, _shifted(name, k)),
                              [*ref.names, *name.values]).merged()
    if ref.strata is not None:
        fill = stratum.isna & known & (ref.strata[safe] != "")
        work.count("stratum", "filled_from_office_list", int(fill.sum()))
        n = len(stratum.values)
        stratum = _Col(np.where(fill, n + safe, stratum.codes.astype(np.int64)),
                       [*stratum.values, *ref.strata]).merged()
    work.out["stratum"] = stratum


def _office(work: _Work, offices: pd.DataFrame | None) -> None:
    """Step 4: office (PSU) and stratum."""
    if offices is not None and len(offices):
        _office_with_list(work, _Offices.of(offices))
    else:
        code, name = work.cols["office_code"], work.cols["office"]
        work.q.mark(code.isna, "office_unknown", lambda m: work.shown(name.text_at(m), m, "(blank)"))
        work.out["office_code"] = code.map(lambda v: str(v).upper())
        work.out["office"] = name
        work.out["stratum"] = work.cols["stratum"]
    work.q.mark(work.out["stratum"].isna, "missing_stratum")


def _weight(work: _Work, raw_name: str) -> None:
    """Step 5: the weight, read as the params declare numbers."""
    col = work.cols["weight"]
    values, problem, problems = _numbers(col, work.settings, work.natives.get(raw_name),
                                         work.codebook.columns["weight"].spec)
    why = np.array(problems, dtype=object)
    ambiguous = [i for i, p in enumerate(problems) if p.startswith("ambiguous")]
    work.q.mark(np.isin(problem, ambiguous), "ambiguous_weight",
                lambda m: work.shown(col.text_at(m), m) + ": " + why[problem[m]])
    work.q.mark(problem == problems.index("blank"), "invalid_weight", "(blank)")
    work.q.mark(problem != 0, "invalid_weight",
                lambda m: work.shown(col.text_at(m), m) + ": " + why[problem[m]])
    work.out["weight"] = values


def _likert(work: _Work, user_missing: dict[str, list[str]], raw_name_of: dict[str, str]) -> None:
    """Step 6: the Likert items; invalid_overall."""
    overall = work.codebook.overall_item
    for item in work.codebook.likert_columns:
        if item not in work.cols:
            continue
        col = work.cols[item]
        values, status = _likert_col(col, work.codebook, user_missing.get(raw_name_of[item]))
        work.out[item] = values
        work.status[item] = status
        if item == overall:
            bad = np.isin(status, [LIKERT_STATUS.index("out_of_range"),
                                   LIKERT_STATUS.index("unreadable")])
            work.q.mark(bad, "invalid_overall", lambda m, c=col: work.shown(c.text_at(m), m))


def _optional(work: _Work, raw_name_of: dict[str, str], n: int) -> None:
    """The interview date and the duration (unreadable -> missing, counted)."""
    if "interview_date" in work.cols:
        col = work.cols["interview_date"]
        parsed = _parse_dates(col.values)
        dates = pd.Series(np.append(parsed.to_numpy(), np.datetime64("NaT"))[col.codes])
        work.count("interview_date", "unreadable_to_missing", int((~col.isna & dates.isna()).sum()))
        work.out["interview_date"] = dates.to_numpy()
    else:
        work.out["interview_date"] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    if "duration_sec" in work.cols:
        col = work.cols["duration_sec"]
        dur, problem, _ = _numbers(col, work.settings,
                                   work.natives.get(raw_name_of["duration_sec"]),
                                   work.codebook.columns["duration_sec"].spec)
        bad = ~col.isna & (problem != 0)
        work.count("duration_sec", "invalid_to_missing", int(bad.sum()))
        work.out["duration_sec"] = np.where(bad, np.nan, dur)
    else:
        work.out["duration_sec"] = np.full(n, np.nan)


def _codes_frame(work: _Work) -> pd.DataFrame:
    """Every cleaned value, personal data included, as numbers (equal values, equal codes)."""
    cols: dict[str, Any] = {}
    for name, values in work.out.items():
        if isinstance(values, _Col):
            cols[name] = values.codes
        else:
            arr = np.asarray(values)
            cols[name] = arr.view("int64") if arr.dtype.kind in "Mm" else arr
    for name, codes in work.person.codes.items():
        cols[f"_{name}"] = codes
    return pd.DataFrame(cols)


def _duplicated(frame: pd.DataFrame, among: np.ndarray) -> np.ndarray:
    """Rows of ``frame`` (within ``among``) equal to an earlier one, first occurrence kept.

    A 64-bit hash of each row finds the candidates in one vectorised pass; the candidates
    (rows whose hash repeats) are then compared value by value, so a hash collision can never
    quarantine a row.
    """
    rows = np.flatnonzero(among)
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()[rows]
    cand = pd.Series(hashed).duplicated(keep=False).to_numpy()
    dup = np.zeros(len(frame), dtype=bool)
    if cand.any():
        exact = frame.iloc[rows[cand]].duplicated(keep="first").to_numpy()
        dup[rows[cand][exact]] = True
    return dup


def _duplicates(work: _Work, ids: pd.Series) -> None:
    """Step 7: exact and near duplicates among the rows still kept."""
    q, person = work.q, work.person
    signature = _codes_frame(work)
    q.mark(_duplicated(signature, q.kept), "duplicate_exact", "same values as an earlier row")
    has_id = person.same_id >= 0
    dup_id = _duplicated(pd.DataFrame({"id": person.same_id}), q.kept & has_id)
    q.mark(dup_id, "duplicate_near",
           lambda m: "respondent id repeats: " + work.shown(ids[m].to_numpy(dtype=object), m))
    same_person = pd.DataFrame({"key": person.key, "office": signature["office_code"],
                                "field": signature["field"]})
    q.mark(_duplicated(same_person, q.kept & person.has_pii), "duplicate_near",
           "same person, office and field as an earlier row")


# ---------------------------------------------------------------------------------------------
# the outputs of a clean
# ---------------------------------------------------------------------------------------------
def _processed(work: _Work, key: np.ndarray, year: int) -> pd.DataFrame:
    """The processed table: the kept rows, typed (text hidden where it looks personal; the
    strict rule of a suspicious file or row is for the quarantine: a kept row passed every
    check, and an office's name must read the same in all its rows)."""
    kept = work.q.kept
    cb = work.codebook
    n = int(kept.sum())
    data: dict[str, Any] = {"respondent_key": _hex(key[kept]),
                            "year": np.full(n, year, dtype=np.int16)}
    for name in ("respondent_type", "level", "province", "region", "office_code", "office",
                 "field", "channel", "stratum"):
        col = work.out[name]
        kept_col = _Col(col.codes[kept], col.values)
        if name in ("respondent_type", "level", "field", "channel"):
            order = {c: i for i, c in enumerate(cb.categories(name))}
            codes = kept_col.take([order[v] for v in col.values], -1, np.int16)
            data[name] = pd.Categorical.from_codes(codes, categories=cb.categories(name))
        else:
            data[name] = kept_col.series(work.screen)
    data["weight"] = work.out["weight"][kept]
    likert = [c for c in cb.likert_columns if c in work.out]
    for item in likert:
        values = work.out[item][kept]
        data[item] = pd.arrays.IntegerArray(values, values < 0)
    overall = pd.Series(data[cb.overall_item])
    data["satisfied"] = overall.isin(cb.satisfied_codes).astype("float64").where(overall.notna())
    data["interview_date"] = pd.Series(np.asarray(work.out["interview_date"])[kept])
    data["duration_sec"] = np.asarray(work.out["duration_sec"])[kept]
    order = [*PROCESSED_COLUMNS, *likert, "satisfied", "interview_date", "duration_sec"]
    return pd.DataFrame({k: data[k] for k in order}, copy=False)


def _screened(values: pd.Series, screen: Screen, strict: bool | np.ndarray | None = None
              ) -> pd.Series:
    """Cells as :class:`~satisfaction.personal.Screen` lets them be shown (pandas ``str``)."""
    return pd.Series(screen.cells(values.astype(object).to_numpy(), strict=strict),
                     index=values.index, dtype="str")


def _quarantine_table(frame: pd.DataFrame, headers: dict[str, str], work: _Work,
                      key: np.ndarray, lines: np.ndarray, faults: pd.DataFrame) -> pd.DataFrame:
    """The quarantined rows and the broken lines, by line, with no personal data."""
    out = ~work.q.kept
    non_pii = [raw for raw, canon in headers.items() if canon not in work.codebook.pii_columns]
    rows = pd.DataFrame({
        "line": lines[out],
        "_strict": work.person.misshapen[out],
        "reason": np.array(REASONS, dtype=object)[work.q.reason[out]],
        "detail": pd.Series(work.q.detail[out], dtype=object).fillna("").astype("str"),
        "respondent_key": _hex(key[out]).to_numpy(dtype=object),
    })
    for raw in non_pii:
        rows[headers[raw]] = frame[raw][out].astype(object).to_numpy()
    if len(faults):   # a broken record has no cells to screen
        rows = pd.concat([rows, faults.astype({"line": "int64"}).assign(_strict=False)],
                         ignore_index=True)
    rows = rows.sort_values("line", kind="stable").reset_index(drop=True)
    strict = rows.pop("_strict").to_numpy(dtype=bool)
    # a detail's echoed values were screened when it was written (work.shown): the rest of it
    # is the cleaning's own words, checked again but not held to the strict rule
    rows["detail"] = _screened(rows["detail"], work.screen, strict=False)
    for col in (headers[raw] for raw in non_pii):
        rows[col] = _screened(rows[col], work.screen, strict)
    return rows


def _item_missing(work: _Work, data: pd.DataFrame) -> pd.DataFrame:
    kept = work.q.kept
    rows = []
    for item, status in work.status.items():
        counts = np.bincount(status[kept], minlength=len(LIKERT_STATUS))
        rows.append({"item": item, **{s: int(counts[LIKERT_STATUS.index(s)]) for s in (
            "dont_know", "refused", "user_missing", "blank", "out_of_range", "unreadable",
            "word")}, "valid": int(data[item].notna().sum()), "n": int(kept.sum())})
    return pd.DataFrame(rows)


def _question_marks(work: _Work) -> tuple[int, int]:
    """'?' inside words, and non-ASCII letters, over the distinct text of the kept columns."""
    marks = letters = 0
    for col in work.cols.values():
        for v in col.values:
            text = str(v)
            marks += len(re.findall(r"\w\?|\?\w", text))
            letters += sum(1 for ch in text if not ch.isascii() and ch.isalpha())
    return marks, letters


def _hint(work: _Work, log: dict[str, Any]) -> str:
    """Why a file is mostly bad, as far as its text and reasons tell."""
    marks, letters = _question_marks(work)
    if marks >= 3 and marks > letters:
        return ("most Vietnamese letters are '?': the file was saved in an encoding that lost "
                "them; save it again from the original as UTF-8")
    words = " ".join(str(v) for c in CATEGORY_COLUMNS for v in work.cols[c].values
                     if not str(v).isascii())
    if words and vietnamese_score(words) < 0.5:
        return (f"the text does not read as Vietnamese in {log['source']['encoding']}: the file "
                "is in another encoding (clean it without --encoding, or name the right one)")
    top = max(log["quarantine_reasons"], key=log["quarantine_reasons"].get)
    hints = {
        "extra_fields": "its lines have more fields than the header: check the delimiter and "
                        "the header line",
        "missing_fields": "its lines have fewer fields than the header: check the delimiter "
                          "and the header line",
        "unbalanced_quote": "quotes are opened and not closed: check how the file was saved",
        "office_unknown": f"its office codes are not in the office list "
                          f"({(log['offices'] or {}).get('file', 'none')})",
        "invalid_weight": "the weights are not numbers as the params declare them",
        "ambiguous_weight": "the weights use separators the params do not declare "
                            "(decimal_separator, thousands_separator)",
        "duplicate_exact": "most rows repeat earlier ones: was the file appended to itself?",
    }
    if top.startswith(("invalid_", "missing_")) and top not in hints:
        return (f"its {top.split('_', 1)[1]} values are not the codebook's: is it this "
                "survey's questionnaire?")
    return hints.get(top, "see the quarantine for the reasons")


@dataclass
class _Source:
    """The raw input as the steps need it, from a RawFile or a bare DataFrame."""

    frame: pd.DataFrame
    path: Path | None
    lines: np.ndarray
    faults: pd.DataFrame
    layout: dict[str, int]
    labels: dict[str, dict[str, str]]
    missing: dict[str, list[str]]
    natives: dict[str, np.ndarray]
    info: dict[str, Any]

    @classmethod
    def of(cls, raw: RawFile | pd.DataFrame) -> _Source:
        if isinstance(raw, RawFile):
            n = len(raw.frame)
            lines = raw.lines if raw.lines is not None else np.arange(n, dtype=np.int64) + 2
            info = {"file": redact(str(raw.path)), "sha256": raw.sha256, "format": raw.format,
                    "encoding": raw.encoding, "delimiter": raw.delimiter}
            return cls(raw.frame.reset_index(drop=True), raw.path, lines, raw.faults,
                       raw.layout or _csv_layout(n), raw.value_labels, raw.missing_codes,
                       raw.native_numbers, info)
        frame = raw.reset_index(drop=True)
        return cls(frame, None, np.arange(len(frame), dtype=np.int64) + 2, _no_faults(),
                   _csv_layout(len(frame)), {}, {}, {},
                   {"file": None, "sha256": None, "format": None, "encoding": None})


def _csv_layout(n: int) -> dict[str, int]:
    return {"lines": n + 1, "header_lines": 1, "blank_lines": 0, "records": n,
            "record_lines": n}


def _office_list_info(offices: pd.DataFrame | None, path: Path | None) -> dict[str, Any] | None:
    if offices is None:
        return None
    shown = None
    if path is not None:
        p = Path(path).resolve()
        shown = str(p.relative_to(config.ROOT)) if p.is_relative_to(config.ROOT) else str(p)
        shown = redact(shown)
    return {"file": shown, "offices": len(offices),
            "sha256": sha256_file(path) if path is not None and Path(path).exists() else None}


def _base_log(src: _Source, year: int, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "year": int(year),
        "rows_in": len(src.frame) + len(src.faults),
        "lines": dict(src.layout),
        "source": src.info,
        "headers": {redact(str(k)): v for k, v in headers.items()},
        "unmapped_columns": [],      # screened once the file's personal values are known
    }


def _known_texts(codebook: Codebook, offices: pd.DataFrame | None) -> frozenset[str]:
    """The codebook's and the office list's own text, folded: shown even where a value of that
    shape would be hidden (a province "Cao Bằng" is not a person)."""
    known = set(codebook.header_map) | set(codebook.likert_words)
    for name, col in codebook.columns.items():
        if col.kind == "category":
            known.update(codebook.category_map(name))
    for code, labels in (codebook.spec.get("regions") or {}).items():
        known.update(fold(t) for t in (code, *dict(labels).values()))
    if offices is not None:
        for col in ("office_code", "office", "stratum"):
            if col in offices:
                known.update(fold(v) for v in offices[col].astype(str))
        known.update("ca " + k.removeprefix("cong an ") for k in list(known)
                     if k.startswith("cong an "))
    known.discard("")
    return frozenset(known)


def _pii_not_found(headers: dict[str, str], codebook: Codebook) -> list[str]:
    """The codebook's personal columns the header does not have (the file is then suspicious)."""
    found = set(headers.values())
    return [c for c in codebook.pii_columns if c not in found]


def _personal_log(work: _Work, headers: dict[str, str], unmapped: dict[int, str]
                  ) -> tuple[dict[str, Any], list[str], list[str]]:
    """The log's account of personal data: its section, the unrecognised headers as they may
    be shown, and the warnings (which give each unrecognised header's column, as its name may
    be hidden)."""
    missing = _pii_not_found(headers, work.codebook)
    shown = [str(h) for h in work.screen.texts(list(unmapped.values()))]
    warnings = []
    if shown:
        where = ", ".join(f"column {i} ({h})" for i, h in zip(unmapped, shown))
        warnings.append(f"unrecognised header(s) {where}: their values were not read and are "
                        "written nowhere")
    if missing:
        warnings.append(f"personal column(s) {', '.join(missing)} not found in the header: the "
                        "file is treated as suspicious (text of two or more words is echoed in "
                        "the quarantine only where it is the codebook's or the office list's)")
    misshapen = int(work.person.misshapen.sum())
    if misshapen and not missing:
        warnings.append(f"{misshapen:,} row(s) with a personal cell not shaped as one (a digit "
                        "in a name, a letter in a phone or ID number): their fields may have "
                        "shifted, and their text is echoed as a suspicious file's")
    section = {
        "columns": [c for c in work.codebook.pii_columns if c not in missing],
        "columns_not_found": missing,
        "suspicious": bool(missing),
        "rows_misshapen": misshapen,
        "masked": {r: work.screen.masked[r] for r in MASK_REASONS if r in work.screen.masked},
    }
    return section, shown, warnings


def _check_year(year: Any, path: Path | None) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise CleanError(path, f"year {year!r} is not a number") from None
    if not YEARS[0] <= value <= YEARS[1]:
        raise CleanError(path, f"year {value} is not a survey year ({YEARS[0]}-{YEARS[1]})")
    return value


def _clean_rows(src: _Source, headers: dict[str, str], codebook: Codebook,
                settings: CleanSettings, offices: pd.DataFrame | None, salt: bytes) -> _Work:
    """Steps 2-6 on the rows of the frame (the duplicates come after)."""
    n = len(src.frame)
    person = _personal(src.frame, headers, codebook, salt)
    # the personal columns are not read again, and the columns the codebook does not know are
    # never read: let them go (the caller's copy, if it keeps one, stays whole)
    src.frame = src.frame[[raw for raw in src.frame.columns if str(raw) in headers
                           and headers[str(raw)] not in codebook.pii_columns]]
    pa.default_memory_pool().release_unused()
    screen = Screen(person.values, _known_texts(codebook, offices),
                    strict=bool(_pii_not_found(headers, codebook)))
    work = _Work(codebook, settings, {}, person, _Quarantine(n), src.natives, screen)
    _read_columns(src.frame, headers, codebook, src.labels, work)
    raw_name_of = {canon: raw for raw, canon in headers.items()}
    _categories(work)
    _office(work, offices)
    _weight(work, raw_name_of["weight"])
    _likert(work, src.missing, raw_name_of)
    _optional(work, raw_name_of, n)
    return work


def clean_survey(raw: RawFile | pd.DataFrame, year: int, *, codebook: Codebook | None = None,
                 offices: pd.DataFrame | None = None, salt: bytes = b"",
                 settings: CleanSettings | None = None,
                 offices_path: Path | None = None) -> CleanResult:
    """Clean one year's raw survey rows (see the module docstring for the rules).

    Args:
        raw: a :class:`~satisfaction.io.RawFile` (or a DataFrame of strings as typed, read as a
            CSV whose header is line 1).
        year: the survey year, written into the processed table (1900-2200).
        codebook: the questionnaire (default: the settings' codebook, else the shared one).
        offices: the office list (``office_code, office, stratum`` at least, e.g.
            ``data/raw/offices.csv``) for canonical names; ``None`` trusts the file's codes.
        salt: the salt of the respondent key.
        settings: the number format and the quarantine limit (defaults: ``.`` decimals, no
            thousands separator); its office list is not read here (pass ``offices``).
        offices_path: where ``offices`` came from (named in the log).

    Returns:
        A :class:`CleanResult`; ``len(data) + len(quarantine)`` is always the number of
        input records (a broken record counted once per line).

    Raises:
        CleanError: a file-level fault (no data rows, required column missing, ambiguous
            headers, a year out of range).
    """
    settings = settings or CleanSettings(offices_file=offices_path)
    codebook = codebook or load_codebook(settings.codebook)
    src = _Source.of(raw)
    del raw      # a file handed over by clean_file is held by ``src`` alone from here
    year = _check_year(year, src.path)
    if len(src.frame) + len(src.faults) == 0:
        raise CleanError(src.path, "no data rows (the file has only a header)")
    headers = map_headers([str(c) for c in src.frame.columns], codebook, src.path)
    log = _base_log(src, year, headers)
    unmapped = {i + 1: str(c) for i, c in enumerate(src.frame.columns) if str(c) not in headers}
    work = _clean_rows(src, headers, codebook, settings, offices, salt)
    key = work.person.key
    id_column = next(raw for raw, canon in headers.items() if canon == "respondent_id")
    _duplicates(work, src.frame[id_column])
    data = _processed(work, key, year)
    quarantined = _quarantine_table(src.frame, headers, work, key, src.lines, src.faults)
    item_missing = _item_missing(work, data)
    reasons = pd.Series(quarantined["reason"]).value_counts()
    personal, log["unmapped_columns"], warnings = _personal_log(work, headers, unmapped)
    log.update({
        "repairs": work.repairs,
        "offices": _office_list_info(offices, offices_path),
        "warnings": ([] if offices is not None else [NO_OFFICE_LIST]) + warnings,
        "personal_data": personal,
        "rows_clean": len(data),
        "rows_quarantined": len(quarantined),
        "quarantine_reasons": {r: int(v) for r, v in reasons.items()},
        "quarantine_share": round(len(quarantined) / log["rows_in"], 6),
        "max_quarantine_share": float(settings.max_quarantine_share),
        "overall_item": {"valid": int(data[codebook.overall_item].notna().sum()),
                         "no_valid_answer": int(data[codebook.overall_item].isna().sum())},
    })
    if log["quarantine_share"] > settings.max_quarantine_share:
        log["hint"] = _hint(work, log)
    if log["rows_clean"] + log["rows_quarantined"] != log["rows_in"]:
        raise AssertionError("a row was lost")
    # every record gives a row or, if broken, one fault a line: none may give nothing
    if not src.layout["records"] <= log["rows_in"] <= src.layout["record_lines"]:
        raise AssertionError("a record of the file was lost")
    return CleanResult(data=data, quarantine=quarantined, log=log, item_missing=item_missing)


# ---------------------------------------------------------------------------------------------
# the cleaning step of the pipeline: files in, files out
# ---------------------------------------------------------------------------------------------
def read_offices(path: str | Path | None) -> pd.DataFrame | None:
    """The office list (``office_code, office, stratum, ...``) or None when there is none.

    Raises:
        CleanError: the list exists but is not a readable office list.
    """
    if path is None or not Path(path).exists():
        return None
    try:
        offices = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CleanError(path, f"not a readable office list ({type(exc).__name__})") from None
    missing = {"office_code", "office"} - set(offices.columns)
    if missing:
        raise CleanError(path, f"office list without column(s) {', '.join(sorted(missing))}")
    return offices.map(nfc)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _refuse_overwriting(raw_path: Path, out: Path, offices_path: Path | None) -> None:
    """``--out`` must not hold an input where an output or the salt would be written."""
    out = out.resolve()
    managed = [out / n for n in (*OUTPUT_FILES, ".salt", ".current", REJECTED_DIR)]
    for label, given in (("the raw file", raw_path), ("the office list", offices_path)):
        if given is None:
            continue
        inp = Path(given).resolve()
        inside = inp.is_relative_to(out / ".sets") or inp.is_relative_to(out / REJECTED_DIR)
        if inside or any(inp == m or _same_file(inp, m) for m in managed):
            raise CleanError(raw_path, f"--out {out} would overwrite {label} ({inp.name}); "
                                       "choose another output folder")


def _writers(result: CleanResult) -> dict[str, Callable[[Path], Any]]:
    log = json.dumps(result.log, ensure_ascii=False, indent=2).encode("utf-8")
    return {
        "survey.parquet": lambda p: result.data.to_parquet(p, engine="pyarrow", index=False),
        "quarantine.csv": lambda p: write_csv_atomic(result.quarantine, p),
        "item_missing.csv": lambda p: write_csv_atomic(result.item_missing, p),
        "clean_log.json": lambda p: p.write_bytes(log),
    }


def _mostly_bad_message(log: dict[str, Any], out: Path) -> str:
    reasons = log["quarantine_reasons"]
    top = max(reasons, key=reasons.get)
    return (f"{log['rows_quarantined']:,} of {log['rows_in']:,} rows quarantined "
            f"({log['quarantine_share']:.1%}, above the limit of "
            f"{log['max_quarantine_share']:.0%}), most for {top} ({reasons[top]:,}): "
            f"{log.get('hint', '')}; the quarantine and log are in {out / REJECTED_DIR}, "
            "the previous processed table is kept")


def clean_file(raw_path: str | Path, year: int, out_dir: str | Path, *,
               encoding: str | None = None, sheet: str | None = None,
               offices_path: str | Path | None = None,
               codebook: Codebook | None = None,
               settings: CleanSettings | None = None) -> CleanResult:
    """Read, clean and write one year's file: the whole cleaning step of the pipeline.

    Writes ``survey.parquet`` (the processed table), ``quarantine.csv``, ``item_missing.csv``
    and ``clean_log.json`` into ``out_dir`` together, only after the whole file has been
    cleaned (:func:`satisfaction.io.commit_output_set`: a run that fails or is killed leaves
    the previous four in place, never a mix). The salt and every temporary file stay inside
    ``out_dir``. The raw file is only read; an ``out_dir`` where an output would overwrite the
    raw file or the office list is refused.

    Args:
        raw_path: the raw file.
        year: the survey year.
        out_dir: the output folder (e.g. ``data/processed/2020``).
        encoding: the CSV encoding (``None``: detect).
        sheet: the Excel worksheet.
        offices_path: the office list; ``None``: the settings' (by default the project's
            ``data/raw/offices.csv``).
        codebook: the questionnaire (default: the settings' codebook, the year's).
        settings: the year's cleaning settings (:meth:`CleanSettings.from_params`).

    Raises:
        satisfaction.io.RawFileError: the file cannot be read.
        MostlyBadError: more rows quarantined than the settings allow (the quarantine and
            the log are written to ``out_dir/rejected``; the processed table is not).
        CleanError: another file-level fault in its contents or arguments.
    """
    settings = settings or CleanSettings()
    out = Path(out_dir)
    office_file = Path(offices_path) if offices_path is not None else settings.offices_file
    _refuse_overwriting(Path(raw_path), out, office_file)
    offices = read_offices(office_file)
    salt, new_salt = _salt(out / ".salt")
    # the raw file is handed over, not kept here, so that its cells are let go while cleaning
    codebook = codebook or load_codebook(settings.codebook)
    result = clean_survey(read_raw(raw_path, encoding=encoding, sheet=sheet), year,
                          codebook=codebook, offices=offices, salt=salt, settings=settings,
                          offices_path=office_file if offices is not None else None)
    writers = _writers(result)
    mostly_bad = result.log["quarantine_share"] > settings.max_quarantine_share
    if mostly_bad:
        del writers["survey.parquet"]
    try:
        out.mkdir(parents=True, exist_ok=True)
        if new_salt:   # only now that something is written: a fault above leaves no folder
            load_salt(out / ".salt", salt)
        commit_output_set(out, writers, link=REJECTED_DIR if mostly_bad else None)
    except OSError as exc:
        raise CleanError(out, f"cannot write the outputs ({exc.strerror or exc}); the previous "
                              "ones are kept") from None
    if mostly_bad:
        raise MostlyBadError(raw_path, _mostly_bad_message(result.log, out), result)
    rejected = out / REJECTED_DIR
    if rejected.is_symlink():   # the last run was rejected; this one replaces it
        rejected.unlink()
    return result


def office_list_line(log: dict[str, Any]) -> str:
    """Which office list the cleaning used, as one sentence (or the warning of none).

    Examples:
        >>> office_list_line({"offices": {"file": "data/raw/offices.csv", "offices": 518}})
        'Office list: data/raw/offices.csv (518 offices).'
        >>> office_list_line({"offices": None})
        'Warning: no office list: office codes were trusted as typed.'
    """
    info = log.get("offices")
    if not info:
        return "Warning: no office list: office codes were trusted as typed."
    return f"Office list: {info['file']} ({info['offices']:,} offices)."


__all__ = [
    "OUTPUT_FILES", "PROCESSED_COLUMNS", "REASONS", "CleanError", "CleanResult", "CleanSettings",
    "MostlyBadError", "RawFileError", "clean_file", "clean_survey", "load_salt", "map_headers",
    "office_key", "office_list_line", "parse_likert", "parse_numbers", "read_offices",
    "respondent_keys",
]
