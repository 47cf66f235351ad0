"""Personal data in text from the data: what looks like it, and how it is kept out of outputs.

The codebook's personal columns (name, phone, ID number) are read by the cleaning step only to
recognise duplicate respondents and are never written. But personal data can also sit in any
other column: typed into the office or respondent-id cell by mistake, or shifted there by a
missing field or a header that lost a separator. Every text that leaves the cleaning step goes
through one of two checks:

* :func:`redact`, for every text (the processed table's text columns, the quarantine's cells
  and details, the log, the one-line summary, error messages), replaces anything that looks
  like a Vietnamese phone number, a 9- or 12-digit ID number or an e-mail address:

  - a run of 9 or more digits, with at most two spaces, hyphens or brackets between two digits
    (``0980422302``, ``0980 422 302``, ``(024) 3826 1234``, ``+84 98 042 2302``, a 9-digit CMND,
    a 12-digit CCCD, and any longer run of digits, which may hold one);
  - digits grouped by dots, 9 or more in all (``0980.422.302``); a decimal number such as
    ``29667.7967`` has one dot and is left alone;
  - ``name@domain.tld``.

  Where a text holds such a number, a person's name beside it is hidden too (:func:`mask_names`).

* :class:`Screen`, for text echoed from one file's cells (the quarantine's cells and details, the
  processed table's text, the log's unrecognised headers), adds what only the file can tell:
  a value that is a Vietnamese full name (:func:`looks_like_name`) or equals a value of one of
  the file's personal columns in any row is hidden, and in a *suspicious* file (one whose
  personal columns were not all recognised in its header) any text of two or more words is
  hidden unless it is the codebook's or the office list's own text.

Dates (``14/09/2020``), weights, office codes, office names ("Công an xã ...") and the codebook's
labels are shaped otherwise and left alone; what is hidden by mistake is only hidden, never lost
(the raw file keeps it).

Not for: the personal columns themselves (the codebook names them; :mod:`satisfaction.clean`
drops them) or escaping HTML (the report layer does).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .codebook import fold

__all__ = ["FAMILY_NAMES", "MASK_REASONS", "REDACTED", "Screen", "looks_like_name",
           "looks_personal", "mask_names", "personal_hashes", "redact"]

REDACTED = "[redacted]"
"""What a phone or ID number, an e-mail address or a name is replaced with."""

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Đoàn", "Lâm", "Mai", "Trịnh", "Lương", "Cao",
    "Hà", "Tạ", "Tô", "Thái", "Quách", "Châu", "Chu", "Triệu", "Lưu", "Kiều", "Đào", "Đàm",
    "Phùng", "Hứa", "Mạc", "Lại", "Khổng", "Nghiêm", "Từ", "Vương", "Giang", "La", "Thân",
    "Tăng", "Lã", "Lữ", "Hàn", "Bạch", "Doãn", "Kim", "Lục", "Nông", "Tôn", "Âu", "Diệp", "Hầu",
    "Khúc", "Cù", "Ông", "Phó", "Quan", "Tiêu", "Lò", "Đồng", "Ninh", "Lường", "Sầm",
)
"""Common Vietnamese family names (a full name starts with one of them). A word with
diacritics must match one exactly (any case); a word typed without them matches the folded
form (``Nguyen``, ``TRAN``)."""

MASK_REASONS = ("phone_or_id", "name", "personal_value", "suspicious_file")
"""Why :class:`Screen` hid a value, in the order its checks run."""

_FAMILY_EXACT = frozenset(n.lower() for n in FAMILY_NAMES)
_FAMILY_FOLDED = frozenset(fold(n) for n in FAMILY_NAMES)
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:[ \t\-()\u00a0]{0,2}\d){8,}")
_DOTTED = re.compile(r"\+?\d{1,4}(?:\.\d{1,4}){2,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_APOSTROPHES = "'\u2019"        # H'Hen, H’Hen
_WORD = re.compile(rf"[^\W\d_]+(?:[{_APOSTROPHES}][^\W\d_]+)*")
_NAME_GAP = re.compile(r"[ \t\u00a0]{1,2}")
_EDGES = " \t\u00a0,.;:-\"'()"
_LONGEST_SYLLABLE = 7          # "nghiêng": no Vietnamese syllable has more letters
_MIN_PERSONAL = 5              # a personal value shorter than this (folded) is not looked for
_ALL_DIGITS_LONG = re.compile(r"\d{9,}")


def _dotted(match: re.Match[str]) -> str:
    text = match.group(0)
    return REDACTED if sum(ch.isdigit() for ch in text) >= 9 else text


def redact(text: Any, known: frozenset[str] = frozenset()) -> Any:
    """``text`` with every phone- or ID-like number and e-mail address replaced by
    :data:`REDACTED`, and a name beside one hidden too (:func:`mask_names`).

    Args:
        text: any value; only strings are changed.
        known: folded texts that are not names (see :func:`mask_names`).

    Returns:
        The redacted string (other values as given).

    Examples:
        >>> redact("Trần Văn Hùng 0980 422 302, CCCD 177660420595")
        '[redacted] [redacted], CCCD [redacted]'
        >>> redact("0980.422.302"), redact("+84 98 042 2302"), redact("(024) 3826 1234")
        ('[redacted]', '[redacted]', '[redacted]')
        >>> redact("Công an xã Yên Lâm 0912345678"), redact("an.phan82@gmail.com")
        ('Công an xã Yên Lâm [redacted]', '[redacted]')
        >>> redact("29667.7967"), redact("14/09/2020"), redact("2020-X195-00010"), redact(5)
        ('29667.7967', '14/09/2020', '2020-X195-00010', 5)
        >>> redact("@SUM(1+1)")
        '@SUM(1+1)'
    """
    if not isinstance(text, str) or (sum(ch.isdigit() for ch in text[:64]) < 9
                                     and len(text) <= 64 and "@" not in text):
        return text
    found = _EMAIL.sub(REDACTED, _DOTTED.sub(_dotted, _DIGIT_RUN.sub(REDACTED, text)))
    return mask_names(found, known) if found != text else text


def looks_personal(text: Any) -> bool:
    """Whether :func:`redact` would change ``text``.

    Examples:
        >>> looks_personal("Công an xã Yên Lâm"), looks_personal("SĐT: 0912345678")
        (False, True)
    """
    return redact(text) != text


def _family(word: str) -> bool:
    """Whether a word is a common family name (exactly, or folded when typed in ASCII)."""
    if word.isascii():
        return word.lower() in _FAMILY_FOLDED
    return word.lower() in _FAMILY_EXACT


def _name_word(word: str) -> bool:
    """A capitalised syllable: first letter upper case, the rest all lower or all upper."""
    letters = word.translate({ord(a): None for a in _APOSTROPHES})
    rest = letters[1:]
    return (0 < len(letters) <= _LONGEST_SYLLABLE and letters[0].isupper()
            and (not rest or rest.islower() or rest.isupper()))


def looks_like_name(text: Any) -> bool:
    """Whether the whole of ``text`` is a Vietnamese full name.

    A full name is 2 to 5 capitalised syllables (``Phan Quốc An``, ``NGUYỄN VĂN AN``,
    ``Tran Thi Mai``) whose first is a common family name (:data:`FAMILY_NAMES`); punctuation
    and spaces around it are ignored. Office names, labels and free text are not names.

    Examples:
        >>> looks_like_name("Phan Quốc An"), looks_like_name(" NGUYỄN VĂN AN,")
        (True, True)
        >>> looks_like_name("Tran Thi Mai"), looks_like_name("Lê Văn")
        (True, True)
        >>> looks_like_name("Công an xã Yên Lâm"), looks_like_name("Phường")
        (False, False)
        >>> looks_like_name("Lệ phí"), looks_like_name("Lệ Thủy"), looks_like_name("Phan An 5")
        (False, False, False)
    """
    if not isinstance(text, str):
        return False
    words = unicodedata.normalize("NFC", text).strip(_EDGES).split()
    return (2 <= len(words) <= 5 and _family(words[0])
            and all(_WORD.fullmatch(w) and _name_word(w) for w in words))


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Where a family name starts a run of 2-5 capitalised syllables inside ``text``."""
    words = list(_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        start = words[i]
        if not (_name_word(start.group()) and _family(start.group())):
            i += 1
            continue
        j = i
        while (j + 1 < len(words) and j - i < 4 and _name_word(words[j + 1].group())
               and _NAME_GAP.fullmatch(text, words[j].end(), words[j + 1].start())):
            j += 1
        if j > i:
            spans.append((start.start(), words[j].end()))
        i = j + 1
    return spans


def mask_names(text: Any, known: frozenset[str] = frozenset()) -> Any:
    """``text`` with every run of 2-5 capitalised syllables that starts with a family name
    replaced by :data:`REDACTED`, unless the run, folded, is in ``known``.

    :func:`redact` applies it to a text that held a phone or ID number (a name beside one is
    the person's); it is not applied to every text, since many place and office names hold
    people's names ("Công an phường Trần Hưng Đạo", "Công an tỉnh Hà Giang").

    Args:
        text: any value; only strings are changed.
        known: folded texts that are not names (the codebook's provinces, for instance).

    Examples:
        >>> mask_names("Ông Phan Quốc An, tổ 5, [redacted]")
        '[redacted], tổ 5, [redacted]'
        >>> mask_names("Công an xã Yên Lâm, Gia Lai")
        'Công an xã Yên Lâm, Gia Lai'
        >>> mask_names("Công an tỉnh Hà Giang")
        'Công an tỉnh [redacted]'
        >>> mask_names("Công an tỉnh Hà Giang", frozenset({"ha giang"}))
        'Công an tỉnh Hà Giang'
    """
    if not isinstance(text, str):
        return text
    text = unicodedata.normalize("NFC", text)
    for start, end in reversed(_name_spans(text)):
        if fold(text[start:end]) not in known:
            text = text[:start] + REDACTED + text[end:]
    return text


def _hashes(folded: Sequence[str] | pd.Series) -> np.ndarray:
    return pd.util.hash_array(np.asarray(folded, dtype=object)) if len(folded) else \
        np.empty(0, dtype=np.uint64)


def personal_hashes(folded: Iterable[pd.Series]) -> np.ndarray:
    """The values of a file's personal columns, as sorted distinct 64-bit hashes.

    Args:
        folded: each personal column's values, folded (:func:`~satisfaction.codebook.fold`).
            Values shorter than 5 characters (a stray ``x`` or ``0``) are not looked for, nor
            runs of 9 or more digits (:func:`redact` hides every one of those).

    Returns:
        Sorted ``uint64`` hashes, for :class:`Screen`.

    Examples:
        >>> h = personal_hashes([pd.Series(["phan quoc an", "x", None]), pd.Series(["0980422302"])])
        >>> len(h), bool(np.all(np.diff(h.astype(np.float64)) >= 0))
        (1, True)
    """
    parts = []
    for col in folded:
        text = pd.Series(col, dtype="str").dropna()
        text = text[(text.str.len() >= _MIN_PERSONAL) & ~text.str.fullmatch(_ALL_DIGITS_LONG)]
        parts.append(_hashes(text.unique()))
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint64)


@dataclass(eq=False)
class Screen:
    """What of one file's text may be echoed into an output, value by value.

    A value is shown as :func:`redact` leaves it when it is the codebook's or the office list's
    own text (``known``, folded). Otherwise it is hidden (:data:`REDACTED`) when

    1. ``phone_or_id``: :func:`redact` finds a phone or ID number or an e-mail address in it
       (only that part is hidden, with any name beside it);
    2. ``name``: it is a Vietnamese full name (:func:`looks_like_name`);
    3. ``personal_value``: folded, it equals a value of one of the file's personal columns in
       any row (``personal``, from :func:`personal_hashes`);
    4. ``suspicious_file``: the file is suspicious (``strict``) and the value has two or more
       words: only single words and codes (``2020-H027-00001``, ``??``, ``55``) pass.

    ``masked`` counts the cells hidden, per reason.

    Examples:
        >>> s = Screen(personal_hashes([pd.Series(["kpa y binh"])]), frozenset({"ho chi minh"}))
        >>> s.texts(["Phan Quốc An", "Kpă Y Bình", "Hồ Chí Minh", "Công an phường Không Rõ", "7"])
        ['[redacted]', '[redacted]', 'Hồ Chí Minh', 'Công an phường Không Rõ', '7']
        >>> s.masked
        {'name': 1, 'personal_value': 1}
        >>> Screen(strict=True).texts(["Công an phường Không Rõ", "H027", "Phường"])
        ['[redacted]', 'H027', 'Phường']
    """

    personal: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    known: frozenset[str] = frozenset()
    strict: bool = False
    masked: dict[str, int] = field(default_factory=dict)

    def _personal(self, folded: list[str]) -> np.ndarray:
        if not len(self.personal) or not folded:
            return np.zeros(len(folded), dtype=bool)
        hashed = _hashes(folded)
        at = np.minimum(np.searchsorted(self.personal, hashed), len(self.personal) - 1)
        return (self.personal[at] == hashed) & \
            np.array([len(f) >= _MIN_PERSONAL for f in folded], dtype=bool)

    def _reason(self, text: str, folded: str, personal: bool, strict: bool) -> str | None:
        if folded in self.known:
            return None
        if looks_personal(text):
            return "phone_or_id"
        if looks_like_name(text):
            return "name"
        if personal:
            return "personal_value"
        if strict and len(text.split()) >= 2:
            return "suspicious_file"
        return None

    def texts(self, values: Sequence[Any], cells: Sequence[int] | np.ndarray | None = None, *,
              strict: bool | None = None) -> list[Any]:
        """Each value as it may be shown (``None`` and NaN stay missing; others as text).

        Args:
            values: distinct values (each is looked at once).
            cells: how many cells hold each value (for :attr:`masked`; default one each).
            strict: override the screen's own ``strict`` (``False`` for text the cleaning
                wrote itself, such as a quarantine detail, whose echoed values were screened).
        """
        strict = self.strict if strict is None else strict
        text = [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                for v in values]
        folded = [fold(t) if t is not None else "" for t in text]
        personal = self._personal(folded)
        shown: list[Any] = []
        for i, (t, f) in enumerate(zip(text, folded)):
            why = None if t is None else self._reason(t, f, bool(personal[i]), strict)
            if why is not None:
                self.masked[why] = self.masked.get(why, 0) + int(1 if cells is None else cells[i])
            shown.append(t if why is None else redact(t, self.known) if why == "phone_or_id"
                         else REDACTED)
        return shown

    def cells(self, values: Sequence[Any] | np.ndarray | pd.Series, *,
              strict: bool | np.ndarray | None = None) -> np.ndarray:
        """:meth:`texts` over cells (each distinct value looked at once), as an object array.

        Args:
            values: the cells.
            strict: as for :meth:`texts`, or per cell (a boolean array: those cells are
                screened strictly, the others as the screen is).

        Examples:
            >>> Screen().cells(["Lê Văn Bình", "5", None, "Lê Văn Bình"]).tolist()
            ['[redacted]', '5', None, '[redacted]']
            >>> Screen().cells(["Ea Kar Ba", "Ea Kar Ba"], strict=np.array([False, True])).tolist()
            ['Ea Kar Ba', '[redacted]']
        """
        values = np.asarray(values, dtype=object)
        if isinstance(strict, np.ndarray):
            flags = strict.astype(bool) | self.strict
            if flags.all() or not flags.any():
                return self._cells(values, bool(flags.all()) if len(flags) else None)
            out = np.empty(len(values), dtype=object)
            out[~flags] = self._cells(values[~flags], False)
            out[flags] = self._cells(values[flags], True)
            return out
        return self._cells(values, strict)

    def _cells(self, values: np.ndarray, strict: bool | None) -> np.ndarray:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        shown = np.array([*self.texts(list(uniques), counts, strict=strict), None], dtype=object)
        return shown[codes]
