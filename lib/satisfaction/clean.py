"""Codebook-driven cleaning: raw survey rows in, clean rows + quarantined rows + a log out.

Every input row ends in exactly one place: the processed table, or the quarantine with one
reason code. Cell-level faults that can be repaired without guessing are repaired and
counted; row-level faults that cannot are quarantined; nothing is dropped silently.

The rules, in the order they are applied (a quarantined row gets the first reason that fits):

1. **Headers** are matched to the codebook's canonical names through its aliases (folded:
   no diacritics, any case, spaces/underscores alike). Columns the codebook does not know are
   ignored and listed in the log. A required column missing, or two columns claiming the same
   name, is a *file-level* fault (:class:`CleanError`): nothing is written.
2. **Text** is normalised to NFC and stray spaces are collapsed (counted per column).
3. **Categories** (respondent type, level, field, channel, province) map from any code, label
   or alias; blank -> ``missing_<column>``, unknown -> ``invalid_<column>``. SPSS/Stata value
   labels are applied first.
4. **Office** (the PSU): the office code is authoritative. A blank or unknown code is taken
   from the office name when the name matches exactly one office of the list (spelling
   variants such as "CA huyện ..." or text without diacritics match); a name that matches a
   *different* office than its code -> ``office_conflict``; neither known -> ``office_unknown``.
   The stratum comes from the office list when the file's is blank (``missing_stratum`` when
   there is no list).
5. **Weight**: a positive finite number, else ``invalid_weight``.
6. **Likert items**: codes (``4``, ``4.0``), words (Vietnamese with or without diacritics, any
   case, or English) -> 1-5; "don't know" (8) and refusal (9) -> missing and counted; blank ->
   missing; other codes -> missing and counted as out of range. For the overall item an
   out-of-range or unreadable answer quarantines the row (``invalid_overall``): the headline
   answer is unusable, and unlike a "don't know" it is not an answer the respondent gave.
7. **Duplicates**, among the rows still kept, in file order, keeping the first:
   ``duplicate_exact`` when every cleaned value (personal data included) equals an earlier
   row's; ``duplicate_near`` when the respondent id (folded) repeats, or the same person
   (salted hash of name, phone and ID number) answered about the same office and field again.

Personal data (name, phone, ID number) is read only to build the salted respondent key and is
never written: neither the processed table nor the quarantine carries it.

Not for: reading files (see :mod:`satisfaction.io`) or estimation (see
:mod:`satisfaction.design`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .codebook import Codebook, fold, fold_series, load_codebook, map_distinct, nfc, take_distinct
from .io import RawFile, read_raw, write_atomic, write_csv_atomic, write_parquet_atomic

REASONS = (
    "missing_respondent_type", "invalid_respondent_type", "missing_level", "invalid_level",
    "missing_province", "invalid_province", "missing_field", "invalid_field",
    "missing_channel", "invalid_channel", "office_unknown", "office_conflict",
    "missing_stratum", "invalid_weight", "invalid_overall", "extra_fields",
    "duplicate_exact", "duplicate_near",
)
"""Every quarantine reason code, in the order the checks run."""

PROCESSED_COLUMNS = (
    "respondent_key", "year", "respondent_type", "level", "province", "region", "office_code",
    "office", "field", "channel", "stratum", "weight",
)
_DIGITS = re.compile(r"\D+")
_INT_CODE = re.compile(r"^[+-]?\d+(\.0*)?$")
_SPACES = re.compile(r"\s+")


class CleanError(Exception):
    """A file-level fault found while cleaning (e.g. a required column is missing)."""

    def __init__(self, path: str | os.PathLike[str] | None, fault: str) -> None:
        self.path = Path(path) if path else None
        self.fault = fault
        super().__init__(f"{self.path}: {fault}" if self.path else fault)


@dataclass(frozen=True)
class CleanResult:
    """What :func:`clean_survey` returns.

    Attributes:
        data: the processed respondent table (one row per kept respondent).
        quarantine: one row per quarantined input row: ``row`` (1-based data row of the
            file), ``reason``, ``detail``, the respondent key and the non-personal raw values.
        log: counts: rows in/out, per reason, per column repairs, unmapped headers.
        item_missing: per Likert item: ``dont_know, refused, blank, out_of_range,
            unreadable, words, n`` (counted over the kept rows).
    """

    data: pd.DataFrame
    quarantine: pd.DataFrame
    log: dict[str, Any]
    item_missing: pd.DataFrame = field(default_factory=pd.DataFrame)


# ---------------------------------------------------------------------------------------------
# helpers (each works on the distinct values of a column, then maps back: no loop over rows)
# ---------------------------------------------------------------------------------------------
def _tidy(values: pd.Series) -> tuple[pd.Series, int, int]:
    """NFC with runs of spaces collapsed and ends trimmed, blank -> missing; and the counts of
    cells that NFC and the spaces changed (each distinct value is worked on once)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    as_nfc = [nfc(u) for u in uniques]
    tidy = [" ".join(u.split()) for u in as_nfc]
    per_value = np.bincount(codes[codes >= 0], minlength=len(uniques))
    n_nfc = int(per_value[[a != u for a, u in zip(as_nfc, uniques)]].sum()) if len(uniques) else 0
    n_spaces = int(per_value[[t != a for t, a in zip(tidy, as_nfc)]].sum()) if len(uniques) else 0
    return take_distinct(codes, [t or None for t in tidy], values.index), n_nfc, n_spaces


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
    """
    name = fold_series(pii["full_name"]) if "full_name" in pii else None
    parts = []
    for col, norm in (("full_name", None), ("phone", _DIGITS), ("id_number", _DIGITS)):
        if col not in pii:
            parts.append(pd.Series("", index=pii.index, dtype="str"))
        elif norm is None:
            parts.append(name.fillna(""))
        else:
            typed = pii[col].astype("str").fillna("")
            plain = typed.str.isdigit()            # most numbers are typed as bare digits
            parts.append(typed.where(plain, typed[~plain].str.replace(norm, "", regex=True)))
    text = parts[0] + "|" + parts[1] + "|" + parts[2]
    no_pii = text == "||"
    if no_pii.any():
        text = text.where(~no_pii, "id|" + fold_series(respondent_id[no_pii]).fillna(""))
    # SipHash-2-4 keyed with the salt: a keyed hash, vectorised over the column.
    key = hashlib.sha256(salt).hexdigest()[:16]
    hashed = pd.util.hash_pandas_object(text, index=False, hash_key=key).to_numpy()
    return pd.Series(np.char.mod("%016x", hashed), index=pii.index, dtype="str")


def load_salt(path: Path) -> bytes:
    """The secret salt: ``$SATISFACTION_SALT`` if set, else a random one kept in ``path``.

    The salt file is created once (mode 0600) beside the processed data and is not in git,
    so keys are stable across runs on one machine and cannot be recomputed elsewhere.
    """
    env = os.environ.get("SATISFACTION_SALT")
    if env:
        return env.encode("utf-8")
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(16).encode("ascii")
    write_atomic(path, salt)
    path.chmod(0o600)
    return salt


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
        >>> v, s = parse_likert(pd.Series(["4", " rất hài lòng", "8", "7", None, "4.0", "abc"]), cb)
        >>> v.tolist(), s.tolist()
        ([4, 5, <NA>, <NA>, <NA>, 4, <NA>], ['ok', 'word', 'dont_know', 'out_of_range', 'blank', 'ok', 'unreadable'])
    """
    low, high = codebook.scale
    missing = codebook.missing_codes
    words = codebook.likert_words
    user: set[str] = set()
    ranges: list[tuple[float, float]] = []
    for code in user_missing or []:        # SPSS user-missing: single codes and "lo..hi"
        text = str(code).strip()
        low_high = text.split("..")
        if len(low_high) == 2:
            ranges.append((float(low_high[0]), float(low_high[1])))
        else:
            user.add(text)

    def user_missing_code(text: str) -> bool:
        if text in user:
            return True
        try:
            value = float(text)
        except ValueError:
            return False
        return any(lo <= value <= hi for lo, hi in ranges)

    def read(value: Any) -> tuple[float, str]:
        text = str(value).strip()
        if text == "":
            return np.nan, "blank"
        if _INT_CODE.match(text):
            code = int(float(text))
            if code in missing:
                return np.nan, missing[code]
            if user_missing_code(text):
                return np.nan, "user_missing"
            if low <= code <= high:
                return code, "ok"
            return np.nan, "out_of_range"
        if user_missing_code(text):
            return np.nan, "user_missing"
        code = words.get(fold(text))
        if code is None:
            return np.nan, "unreadable"
        if code in missing:
            return np.nan, missing[code]
        return code, "word"

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    found = [read(u) for u in uniques] + [(np.nan, "blank")]      # code -1: missing cell
    values = np.array([v for v, _ in found], dtype="float64")[codes]
    status = np.array([s for _, s in found], dtype=object)[codes]
    return (pd.Series(values, index=series.index).astype("Int8"),
            pd.Series(status, index=series.index))


def _duplicated(frame: pd.DataFrame, among: pd.Series) -> pd.Series:
    """Rows of ``frame`` (within ``among``) equal to an earlier one, first occurrence kept.

    A 64-bit hash of each row finds the candidates in one vectorised pass; the candidates
    (rows whose hash repeats) are then compared value by value, so a hash collision can never
    quarantine a row.
    """
    sub = frame[among.to_numpy()]
    hashed = pd.util.hash_pandas_object(sub, index=False)
    cand = hashed.duplicated(keep=False).to_numpy()
    dup = pd.Series(False, index=frame.index)
    if cand.any():
        exact = sub[cand].astype("string").duplicated(keep="first")
        dup[exact.index[exact.to_numpy()]] = True
    return dup


def _parse_number(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.strip()
    # "353,61" (decimal comma, no dot) is read as 353.61; a comma with a dot is a thousands mark.
    comma_decimal = text.str.contains(",", regex=False) & ~text.str.contains(".", regex=False)
    text = text.where(~comma_decimal, text.str.replace(",", ".", regex=False))
    text = text.str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _parse_dates(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.strip()
    out = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    retry = out.isna() & text.notna()          # ISO dates (Excel, SPSS) only where needed
    if retry.any():
        iso = pd.to_datetime(text[retry].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        out = out.where(~retry, iso.reindex(out.index))
    return out


# ---------------------------------------------------------------------------------------------
# the cleaning step
# ---------------------------------------------------------------------------------------------
def clean_survey(raw: RawFile | pd.DataFrame, year: int, *, codebook: Codebook | None = None,
                 offices: pd.DataFrame | None = None, salt: bytes = b"") -> CleanResult:
    """Clean one year's raw survey rows (see the module docstring for the rules).

    Args:
        raw: a :class:`~satisfaction.io.RawFile` (or a DataFrame of strings as typed).
        year: the survey year, written into the processed table.
        codebook: the questionnaire (loaded if omitted).
        offices: the office list (``office_code, office, stratum`` at least, e.g.
            ``data/raw/offices.csv``) for canonical names; ``None`` trusts the file's codes.
        salt: the salt of the respondent key.

    Returns:
        A :class:`CleanResult`; ``len(data) + len(quarantine)`` is always the number of
        input rows.

    Raises:
        CleanError: a file-level fault (no data rows, required column missing, ambiguous
            headers).
    """
    codebook = codebook or load_codebook()
    path = raw.path if isinstance(raw, RawFile) else None
    frame = raw.frame if isinstance(raw, RawFile) else raw
    value_labels = raw.value_labels if isinstance(raw, RawFile) else {}
    user_missing = raw.missing_codes if isinstance(raw, RawFile) else {}
    if len(frame) == 0:
        raise CleanError(path, "no data rows (the file has only a header)")
    headers = map_headers([str(c) for c in frame.columns], codebook, path)
    n_in = len(frame)
    index = pd.RangeIndex(n_in)
    src = frame.reset_index(drop=True)
    log: dict[str, Any] = {
        "year": int(year), "rows_in": n_in,
        "source": {"file": str(path) if path else None,
                   **{k: getattr(raw, k) if isinstance(raw, RawFile) else None
                      for k in ("sha256", "format", "encoding")}},
        "headers": dict(headers),
        "unmapped_columns": [str(c) for c in frame.columns if str(c) not in headers],
        "repairs": {},
    }
    repairs: dict[str, dict[str, int]] = log["repairs"]

    def count(column: str, what: str, n: int) -> None:
        if n:
            repairs.setdefault(column, {})[what] = repairs.get(column, {}).get(what, 0) + int(n)

    # 2. text: NFC and spaces, counted per column ----------------------------------------------
    cols: dict[str, pd.Series] = {}
    pii_or_id = {*codebook.pii_columns, "respondent_id"}
    for raw_name, canon in headers.items():
        s = src[raw_name].astype("str")
        labels = value_labels.get(raw_name)
        if labels and codebook.columns[canon].kind == "category":
            s = map_distinct(s, lambda v, lab=labels: lab.get(v, v))
        if canon in pii_or_id:         # read only for the respondent key: folded there
            cols[canon] = s.where(s.str.strip() != "")
            continue
        cols[canon], n_nfc, n_spaces = _tidy(s)
        count(canon, "nfc_normalised", n_nfc)
        count(canon, "spaces_trimmed", n_spaces)
    reason = pd.Series(pd.NA, index=index, dtype="object")
    detail = pd.Series("", index=index, dtype="object")

    def quarantine(mask: pd.Series, code: str, what: pd.Series | str = "") -> None:
        fresh = mask & reason.isna()
        reason[fresh] = code
        if isinstance(what, pd.Series):
            detail[fresh] = what[fresh].astype(str)
        elif what:
            detail[fresh] = what

    extra = [c for c in frame.columns if str(c).startswith("_extra_field_")]
    if extra:
        quarantine(src[extra].notna().any(axis=1), "extra_fields", "more fields than the header")

    out = pd.DataFrame(index=index)
    # 3. categories ---------------------------------------------------------------------------
    for col in ("respondent_type", "level", "province", "field", "channel"):
        s = cols[col]
        mapping = codebook.category_map(col)
        codes = map_distinct(s, lambda v, m=mapping: m.get(fold(v)))
        quarantine(s.isna(), f"missing_{col}")
        quarantine(s.notna() & codes.isna(), f"invalid_{col}", s)
        changed = s.notna() & codes.notna() & (codes != s)
        count(col, "labels_mapped_to_codes", changed.sum())
        out[col] = codes
    out["region"] = out["province"].map(codebook.province_region)

    # 4. office (PSU) and stratum -------------------------------------------------------------
    code = cols["office_code"].str.upper()
    name = cols["office"]
    stratum = cols["stratum"]
    if offices is not None and len(offices):
        ref = offices.assign(office_code=offices["office_code"].astype(str).str.upper(),
                             key=offices["office"].map(office_key))
        by_code = ref.set_index("office_code")
        unique_keys = ref["key"][~ref["key"].duplicated(keep=False)]
        by_key = pd.Series(ref.loc[unique_keys.index, "office_code"].to_numpy(),
                           index=unique_keys.to_numpy())
        key = map_distinct(name, office_key)
        code_known = code.isin(by_code.index)
        code_from_name = key.map(by_key)
        conflict = code_known & code_from_name.notna() & (code_from_name != code)
        quarantine(conflict, "office_conflict", code.fillna("") + " vs " + name.fillna(""))
        filled = ~code_known & code_from_name.notna()
        count("office_code", "filled_from_office_name", (filled & reason.isna()).sum())
        code = code.where(code_known, code_from_name)
        known = code.isin(by_code.index)
        quarantine(~known, "office_unknown", name.fillna("(blank)") + " / " + cols["office_code"].fillna("(blank)"))
        canonical = code.map(by_code["office"])
        count("office", "canonicalised", (known & name.notna() & (canonical != name)).sum())
        count("office", "filled_from_office_code", (known & name.isna()).sum())
        name = canonical.where(known, name)
        if "stratum" in by_code:
            ref_stratum = code.map(by_code["stratum"].astype(str))
            count("stratum", "filled_from_office_list", (stratum.isna() & ref_stratum.notna()).sum())
            stratum = stratum.fillna(ref_stratum)
    else:
        quarantine(code.isna(), "office_unknown", name.fillna("(blank)"))
    quarantine(stratum.isna(), "missing_stratum")
    out["office_code"], out["office"], out["stratum"] = code, name, stratum

    # 5. weight -------------------------------------------------------------------------------
    weight = _parse_number(cols["weight"])
    bad_w = ~(np.isfinite(weight) & (weight > 0))
    quarantine(bad_w, "invalid_weight", cols["weight"].fillna("(blank)"))
    out["weight"] = weight

    # 6. Likert items -------------------------------------------------------------------------
    status_table = {}
    raw_name_of = {canon: raw_name for raw_name, canon in headers.items()}
    for item in codebook.likert_columns:
        if item not in cols:
            continue
        values, status = parse_likert(cols[item], codebook, user_missing.get(raw_name_of[item]))
        out[item] = values
        status_table[item] = status
        if item == codebook.overall_item:
            bad = status.isin(["out_of_range", "unreadable"])
            quarantine(bad, "invalid_overall", cols[item].fillna(""))

    # optional columns ---------------------------------------------------------------------
    if "interview_date" in cols:
        dates = _parse_dates(cols["interview_date"])
        count("interview_date", "unreadable_to_missing", (cols["interview_date"].notna() & dates.isna()).sum())
        out["interview_date"] = dates
    else:
        out["interview_date"] = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if "duration_sec" in cols:
        dur = _parse_number(cols["duration_sec"])
        bad = cols["duration_sec"].notna() & ~(dur >= 0)
        count("duration_sec", "invalid_to_missing", bad.sum())
        out["duration_sec"] = dur.where(~bad)
    else:
        out["duration_sec"] = np.nan

    # 7. respondent key and duplicates --------------------------------------------------------
    pii = pd.DataFrame({c: cols[c] for c in codebook.pii_columns if c in cols}, index=index)
    out["respondent_key"] = respondent_keys(pii, cols["respondent_id"], salt)
    kept = reason.isna()
    value_cols = [c for c in out.columns if c != "respondent_key"]
    signature = pd.concat([out[value_cols], pii, cols["respondent_id"].rename("_id")], axis=1)
    exact = kept & _duplicated(signature, kept)
    quarantine(exact, "duplicate_exact", "same values as an earlier row")
    kept = reason.isna()
    # ids are codes: the same id typed in another case or with spaces is the same id
    same_id = cols["respondent_id"].str.lower().str.replace(" ", "", regex=False)
    dup_id = kept & same_id.notna() & _duplicated(same_id.to_frame(), kept & same_id.notna())
    quarantine(dup_id, "duplicate_near", "respondent id repeats: " + cols["respondent_id"].fillna(""))
    kept = reason.isna()
    has_pii = pii.notna().any(axis=1) if len(pii.columns) else pd.Series(False, index=index)
    person = out[["respondent_key", "office_code", "field"]]
    dup_person = kept & has_pii & _duplicated(person, kept & has_pii)
    quarantine(dup_person, "duplicate_near", "same person, office and field as an earlier row")

    # assemble ------------------------------------------------------------------------------
    kept = reason.isna()
    data = out[kept].copy()
    data.insert(1, "year", np.int16(year))
    for col in ("respondent_type", "level", "field", "channel"):
        data[col] = pd.Categorical(data[col], categories=codebook.categories(col))
    overall = codebook.overall_item
    satisfied = data[overall].isin(codebook.satisfied_codes).astype("float64")
    data["satisfied"] = satisfied.where(data[overall].notna())
    likert = [c for c in codebook.likert_columns if c in data]
    order = [*PROCESSED_COLUMNS, *likert, "satisfied", "interview_date", "duration_sec"]
    data = data[order].reset_index(drop=True)

    non_pii = [raw_name for raw_name, canon in headers.items() if canon not in codebook.pii_columns]
    quarantined = src.loc[~kept, non_pii].copy()
    quarantined.columns = [headers[c] for c in non_pii]
    quarantined.insert(0, "respondent_key", out.loc[~kept, "respondent_key"])
    quarantined.insert(0, "detail", detail[~kept])
    quarantined.insert(0, "reason", reason[~kept])
    quarantined.insert(0, "row", (index[~kept.to_numpy()] + 1).to_numpy())
    quarantined = quarantined.reset_index(drop=True)

    item_rows = []
    for item, status in status_table.items():
        k = status[kept]
        vc = k.value_counts()
        item_rows.append({"item": item, **{s: int(vc.get(s, 0)) for s in (
            "dont_know", "refused", "user_missing", "blank", "out_of_range", "unreadable",
            "word")},
            "valid": int(data[item].notna().sum()), "n": len(k)})
    item_missing = pd.DataFrame(item_rows)

    log["rows_clean"] = len(data)
    log["rows_quarantined"] = len(quarantined)
    log["quarantine_reasons"] = {r: int(v) for r, v in reason.value_counts().items()}
    log["overall_item"] = {"valid": int(data[overall].notna().sum()),
                           "no_valid_answer": int(data[overall].isna().sum())}
    assert log["rows_clean"] + log["rows_quarantined"] == n_in, "a row was lost"
    return CleanResult(data=data, quarantine=quarantined, log=log, item_missing=item_missing)


def read_offices(path: str | Path | None) -> pd.DataFrame | None:
    """The office list (``office_code, office, stratum, ...``) or None when there is none."""
    if path is None or not Path(path).exists():
        return None
    offices = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return offices.map(nfc)


def clean_file(raw_path: str | Path, year: int, out_dir: str | Path, *,
               encoding: str | None = None, sheet: str | None = None,
               offices_path: str | Path | None = None,
               codebook: Codebook | None = None) -> CleanResult:
    """Read, clean and write one year's file: the whole cleaning step of the pipeline.

    Writes ``survey.parquet`` (the processed table), ``quarantine.csv``, ``item_missing.csv``
    and ``clean_log.json`` into ``out_dir``, each atomically and only after the whole file has
    been cleaned: a run that fails leaves the previous outputs in place. The raw file is only
    read.

    Raises:
        satisfaction.io.RawFileError: the file cannot be read.
        CleanError: a file-level fault in its contents.
    """
    raw = read_raw(raw_path, encoding=encoding, sheet=sheet)
    out = Path(out_dir)
    if offices_path is None:
        candidate = Path(raw_path).resolve().parent / "offices.csv"
        offices_path = candidate if candidate.exists() else None
    result = clean_survey(raw, year, codebook=codebook, offices=read_offices(offices_path),
                          salt=load_salt(out.parent / ".salt"))
    out.mkdir(parents=True, exist_ok=True)
    write_csv_atomic(result.quarantine, out / "quarantine.csv")
    write_csv_atomic(result.item_missing, out / "item_missing.csv")
    write_atomic(out / "clean_log.json",
                 json.dumps(result.log, ensure_ascii=False, indent=2).encode("utf-8"))
    write_parquet_atomic(result.data, out / "survey.parquet")
    return result


def summary_tables(log: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The cleaning log as tables a reviewer can read: rows, reasons, repairs.

    Args:
        log: :attr:`CleanResult.log` (or the saved ``clean_log.json``).

    Returns:
        ``{"rows": ..., "reasons": ..., "repairs": ...}``: rows in and out; quarantined rows
        per reason with their share of the input; cells repaired, one row per column and one
        count column per kind of repair.

    Examples:
        >>> t = summary_tables({"rows_in": 10, "rows_clean": 8, "rows_quarantined": 2,
        ...                     "quarantine_reasons": {"duplicate_exact": 2},
        ...                     "repairs": {"office": {"canonicalised": 3}}})
        >>> t["rows"]["rows"].tolist(), t["reasons"].values.tolist(), t["repairs"].values.tolist()
        ([10, 8, 2], [['duplicate_exact', 2, 20.0]], [['office', 3]])
    """
    n_in = log["rows_in"]
    rows = pd.DataFrame({"stage": ["read from the raw file", "kept (processed table)",
                                   "quarantined"],
                         "rows": [n_in, log["rows_clean"], log["rows_quarantined"]]})
    reasons = pd.DataFrame(
        [(r, n, round(100 * n / n_in, 2)) for r, n in sorted(
            log["quarantine_reasons"].items(), key=lambda kv: (-kv[1], kv[0]))],
        columns=["reason", "rows", "percent_of_input"])
    long = pd.DataFrame(
        [(col, what, n) for col, kinds in log["repairs"].items() for what, n in kinds.items()],
        columns=["column", "repair", "cells"])
    repairs = (long.pivot_table(index="column", columns="repair", values="cells",
                                aggfunc="sum", fill_value=0, sort=False)
               .rename_axis(columns=None).reset_index())
    return {"rows": rows, "reasons": reasons, "repairs": repairs}
