"""Hostile files through the cleaning step and ``satisfaction clean``: nothing lost, nothing
leaked, every line accounted for, one line and exit 2 for a file-level fault."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from satisfaction import config
from satisfaction.clean import OUTPUT_FILES
from satisfaction.cli import main
from satisfaction.legacy_encodings import encode_cp1258
from satisfaction.params import ParamsError, load_params

PII = ["ho_ten", "so_dien_thoai", "so_cccd"]


def clean(capsys, raw: Path, out: Path, *extra: str, year: int = 2020):
    rc = main(["clean", str(raw), "--year", str(year), "--out", str(out), *extra])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def written_text(out: Path) -> str:
    """Every byte the clean wrote, as text; Parquet tables read back cell by cell."""
    parts = []
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            parts.append(pd.read_parquet(path).astype(str).to_csv())
        else:
            parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def personal_values(rows: pd.DataFrame) -> set[str]:
    """Every name, phone and ID number of the rows, as typed and as bare digits."""
    values = set()
    for col in PII:
        for v in rows[col].dropna():
            v = str(v).strip()
            if v:
                values.add(v)
                digits = re.sub(r"\D", "", v)
                if len(digits) >= 9:
                    values.add(digits)
    return values


def assert_no_personal_data(values: set[str], *texts: str) -> None:
    for text in texts:
        for v in values:
            assert v not in text, f"{v!r} reached an output"


def write_rows(path: Path, rows: pd.DataFrame) -> Path:
    rows.to_csv(path, index=False)
    return path


# --- 1. a Likert cell of 400 digits ----------------------------------------------------------

def test_likert_cell_of_400_digits_is_quarantined_not_a_traceback(capsys, raw_rows, tmp_path):
    rows = raw_rows.copy()
    rows.loc[2, "hai_long_chung"] = "9" * 400
    rows.loc[5, "a1"] = "4" * 400
    rc, _, err = clean(capsys, write_rows(tmp_path / "raw.csv", rows), tmp_path / "out")
    assert rc == 0 and err == ""
    q = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str)
    assert q[["line", "reason"]].values.tolist() == [["4", "invalid_overall"]]
    missing = pd.read_csv(tmp_path / "out" / "item_missing.csv").set_index("item")
    assert missing.loc["a1", "out_of_range"] == 1


# --- 2. a quote that closes rows later -------------------------------------------------------

def test_quote_closing_rows_later_reports_every_line_and_leaks_nothing(capsys, raw_rows,
                                                                      tmp_path):
    lines = raw_rows.to_csv(index=False).splitlines(keepends=True)
    fields = lines[4].rstrip("\n").split(",")
    fields[-2] = '"' + fields[-2]          # the phone cell of line 5 opens a quote
    lines[4] = ",".join(fields) + "\n"
    raw = tmp_path / "raw.csv"
    raw.write_text("".join(lines), encoding="utf-8")
    rc, out, err = clean(capsys, raw, tmp_path / "out")
    assert rc == 0
    log = json.loads((tmp_path / "out" / "clean_log.json").read_text())
    q = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str)
    broken = q[q["reason"] == "unbalanced_quote"]
    assert broken["line"].astype(int).tolist()[:2] == [5, 6]       # each line on its own
    assert log["rows_in"] == log["rows_clean"] + log["rows_quarantined"]
    assert log["lines"]["lines"] == len(lines)
    assert log["lines"]["header_lines"] + log["lines"]["blank_lines"] + \
        log["lines"]["record_lines"] == len(lines)
    assert_no_personal_data(personal_values(raw_rows), written_text(tmp_path / "out"), out, err)


# --- 3. phone and ID numbers typed into any column -------------------------------------------

@pytest.mark.parametrize("offices", [[], ["--offices", "none"]])
def test_phone_and_id_numbers_in_any_column_never_reach_an_output(capsys, raw_rows, tmp_path,
                                                                  offices):
    rows = raw_rows.copy()
    typed = ["0912 345 678", "+84 913 456 789", "0914.567.890", "001122334455", "123456789"]
    rows.loc[0, "ma_don_vi"] = typed[0]                       # office code
    rows.loc[0, "don_vi"] = "Công an phường Không Rõ"
    rows.loc[1, "tinh_tp"] = typed[1]                         # province
    rows.loc[2, "ma_phieu"] = typed[2]                        # respondent id, twice
    rows.loc[3, "ma_phieu"] = typed[2]
    rows.loc[4, "don_vi"] = f"Công an xã Yên Lâm {typed[3]}"  # inside the office name
    rows.loc[5, "trong_so"] = typed[4]                        # weight
    rows.loc[6, "cap"] = f"SĐT {typed[0]}"
    rc, out, err = clean(capsys, write_rows(tmp_path / "raw.csv", rows), tmp_path / "out",
                         *offices)
    assert rc == 0
    secrets = personal_values(rows) | set(typed) | {re.sub(r"\D", "", t) for t in typed}
    assert_no_personal_data(secrets, written_text(tmp_path / "out"), out, err)
    q = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str)
    assert q["detail"].str.contains(r"\[redacted\]").any()


def test_without_an_office_list_the_raw_office_text_is_redacted_and_warned(capsys, raw_rows,
                                                                          tmp_path):
    rows = raw_rows.copy()
    rows.loc[0, "don_vi"] = "Công an xã Yên Lâm 0912345678"
    rc, out, err = clean(capsys, write_rows(tmp_path / "raw.csv", rows), tmp_path / "out",
                         "--offices", "none")
    assert rc == 0
    assert err.count("\n") == 1 and "warning: no office list" in err
    assert "office codes were trusted" in out
    data = pd.read_parquet(tmp_path / "out" / "survey.parquet")
    assert "Công an xã Yên Lâm [redacted]" in set(data["office"])
    log = json.loads((tmp_path / "out" / "clean_log.json").read_text())
    assert log["offices"] is None and log["warnings"]


# --- 4. same file, same result, wherever it lies ---------------------------------------------

def test_the_shipped_file_copied_elsewhere_gives_the_same_result(capsys, tmp_path):
    raw = tmp_path / "elsewhere" / "survey_2020.csv"
    raw.parent.mkdir()
    shutil.copy(config.RAW / "survey_2020.csv", raw)
    rc, out, err = clean(capsys, raw, tmp_path / "out")
    assert rc == 0 and err == ""
    assert "22627 rows -> 22250 clean, 377 quarantined" in out
    assert "office list: data/raw/offices.csv (518 offices)" in out
    log = json.loads((tmp_path / "out" / "clean_log.json").read_text())
    assert log["offices"]["file"] == "data/raw/offices.csv" and log["offices"]["sha256"]


def test_params_name_the_office_list(capsys, raw_rows, tmp_path):
    params = tmp_path / "2020.yaml"
    text = (config.PARAMS / "2020.yaml").read_text(encoding="utf-8")
    params.write_text(text.replace("offices_file: data/raw/offices.csv", "offices_file: null"),
                      encoding="utf-8")
    rc, _, err = clean(capsys, write_rows(tmp_path / "raw.csv", raw_rows), tmp_path / "out",
                         "--params", str(params))
    assert rc == 0 and "warning: no office list" in err


# --- 5. formula cells --------------------------------------------------------------------------

def test_formula_cells_are_plain_text_in_every_csv_output(capsys, raw_rows, tmp_path):
    rows = raw_rows.copy()
    rows.loc[0, "doi_tuong"] = '=HYPERLINK("http://evil.example","x")'
    rows.loc[1, "cap"] = "+cmd|' /C calc'!A0"
    rows.loc[2, "tinh_tp"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    rows.loc[3, "linh_vuc"] = "-2+3+cmd|' /C calc'!A0"
    rows.loc[4, "trong_so"] = "-1.5"
    rc, _, _ = clean(capsys, write_rows(tmp_path / "raw.csv", rows), tmp_path / "out")
    assert rc == 0
    for name in ("quarantine.csv", "item_missing.csv"):
        with open(tmp_path / "out" / name, encoding="utf-8", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        risky = [c for c in cells if c[:1] in ("=", "+", "@", "-", "\t", "\r")
                 and not re.fullmatch(r"[+-]?[\d.,]+", c)]
        assert risky == [], risky
    q = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str)
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in set(q["respondent_type"])
    assert "-1.5" in set(q["weight"])                # a number stays a number


# --- 6. numbers read, never guessed ----------------------------------------------------------

def test_weights_with_undeclared_separators_are_quarantined_not_guessed(capsys, raw_rows,
                                                                       tmp_path):
    rows = raw_rows.copy()
    rows.loc[0, "trong_so"] = "1.234,5"
    rows.loc[1, "trong_so"] = "1,500"
    raw = write_rows(tmp_path / "raw.csv", rows)
    rc, _, _ = clean(capsys, raw, tmp_path / "out")
    q = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str)
    assert rc == 0
    assert q[["line", "reason"]].values.tolist() == [["2", "ambiguous_weight"],
                                                     ["3", "ambiguous_weight"]]
    assert "the params declare decimal '.'" in q["detail"].iloc[0]
    # a year that declares Vietnamese separators reads them
    params = tmp_path / "2020.yaml"
    text = (config.PARAMS / "2020.yaml").read_text(encoding="utf-8")
    params.write_text(text.replace('decimal_separator: "."', 'decimal_separator: ","')
                      .replace("thousands_separator: null", 'thousands_separator: "."'),
                      encoding="utf-8")
    rows.loc[2:, "trong_so"] = rows.loc[2:, "trong_so"].str.replace(".", ",", regex=False)
    rows.loc[1, "trong_so"] = "1.500"
    write_rows(raw, rows)
    rc, _, _ = clean(capsys, raw, tmp_path / "out2", "--params", str(params))
    data = pd.read_parquet(tmp_path / "out2" / "survey.parquet")
    assert rc == 0 and len(data) == 40
    assert data["weight"].tolist()[:2] == [1234.5, 1500.0]
    assert data["weight"].tolist()[2:] == raw_rows["trong_so"].astype(float).tolist()[2:]


# --- 7. bounded inputs -----------------------------------------------------------------------

def test_xlsx_far_cell_exits_2_with_one_line(capsys, tmp_path):
    book = tmp_path / "far.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["ma_phieu", "cap"])
    wb.active["XFD1048576"] = 1
    wb.save(book)
    rc, stdout, err = clean(capsys, book, tmp_path / "out")
    assert rc == 2 and stdout == ""
    assert err.count("\n") == 1 and str(book) in err and "not loaded" in err
    assert not (tmp_path / "out").exists()


def test_a_cell_over_the_cell_limit_exits_2(capsys, raw_rows, tmp_path):
    rows = raw_rows.copy()
    rows.loc[7, "don_vi"] = "x" * 40_000
    rc, _, err = clean(capsys, write_rows(tmp_path / "raw.csv", rows), tmp_path / "out")
    assert rc == 2 and "line 9: a cell of 40,000 characters (limit 32,767)" in err


# --- 8. a file that is mostly bad ------------------------------------------------------------

def test_lossy_reencoding_is_a_file_level_fault_and_keeps_the_last_good_table(capsys, raw_rows,
                                                                            tmp_path):
    raw, out = tmp_path / "raw.csv", tmp_path / "out"
    write_rows(raw, raw_rows)
    assert clean(capsys, raw, out)[0] == 0
    before = {name: (out / name).read_bytes() for name in OUTPUT_FILES}
    raw.write_bytes(raw_rows.to_csv(index=False).encode("ascii", errors="replace"))
    rc, stdout, err = clean(capsys, raw, out)
    assert rc == 2 and stdout == ""
    assert err.count("\n") == 1 and str(raw) in err
    assert "40 of 40 rows quarantined" in err and "Vietnamese letters are '?'" in err
    assert {name: (out / name).read_bytes() for name in OUTPUT_FILES} == before
    rejected = json.loads((out / "rejected" / "clean_log.json").read_text())
    assert rejected["rows_clean"] == 0 and (out / "rejected" / "quarantine.csv").exists()
    assert not (out / "rejected" / "survey.parquet").exists()
    assert clean(capsys, tmp_path / "raw.csv", out, "--encoding", "utf-8")[0] == 2
    write_rows(raw, raw_rows)                        # a good file again: rejected set removed
    assert clean(capsys, raw, out)[0] == 0 and not (out / "rejected").exists()


def test_a_wrong_forced_encoding_is_a_file_level_fault(capsys, raw_rows, tmp_path):
    raw = tmp_path / "raw.csv"
    raw.write_bytes(raw_rows.to_csv(index=False).encode("utf-8"))
    rc, _, err = clean(capsys, raw, tmp_path / "out", "--encoding", "cp1258")
    assert rc == 2 and err.count("\n") == 1


def test_the_quarantine_share_limit_comes_from_params(capsys, raw_rows, tmp_path):
    rows = raw_rows.copy()
    rows.loc[:9, "cap"] = "??"                        # a quarter of the rows
    params = tmp_path / "2020.yaml"
    text = (config.PARAMS / "2020.yaml").read_text(encoding="utf-8")
    params.write_text(text.replace("max_quarantine_share: 0.5", "max_quarantine_share: 0.2"),
                      encoding="utf-8")
    raw = write_rows(tmp_path / "raw.csv", rows)
    assert clean(capsys, raw, tmp_path / "a")[0] == 0
    rc, _, err = clean(capsys, raw, tmp_path / "b", "--params", str(params))
    assert rc == 2 and "most for invalid_level (10)" in err


def test_an_output_folder_that_cannot_be_written_exits_2(capsys, raw_rows, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    rc, _, err = clean(capsys, write_rows(tmp_path / "raw.csv", raw_rows), blocked / "out")
    assert rc == 2 and err.count("\n") == 1 and "cannot write the outputs" in err


# --- 9. the raw file is never an output ------------------------------------------------------

@pytest.mark.parametrize("name", ["quarantine.csv", "clean_log.json", ".salt"])
def test_an_out_folder_that_would_overwrite_the_raw_file_is_refused(capsys, raw_rows, tmp_path,
                                                                    name):
    folder = tmp_path / "data"
    folder.mkdir()
    raw = folder / name
    raw_rows.to_csv(raw, index=False)
    before = raw.read_bytes()
    rc, _, err = clean(capsys, raw, folder)
    assert rc == 2 and "would overwrite the raw file" in err and err.count("\n") == 1
    assert raw.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == [name]


# --- 10. years --------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [40000, 1800, -5])
def test_a_year_out_of_range_exits_2_with_one_line(capsys, raw_rows, tmp_path, year):
    rc, _, err = clean(capsys, write_rows(tmp_path / "raw.csv", raw_rows), tmp_path / "out",
                       year=year)
    assert rc == 2 and err.count("\n") == 1 and "is not a survey year" in err


def test_params_with_a_wrong_cleaning_key_exit_2_naming_file_and_key(capsys, raw_rows,
                                                                    tmp_path):
    params = tmp_path / "2020.yaml"
    text = (config.PARAMS / "2020.yaml").read_text(encoding="utf-8")
    params.write_text(text.replace('decimal_separator: "."', 'decimal_separator: ";"'),
                      encoding="utf-8")
    rc, _, err = clean(capsys, write_rows(tmp_path / "raw.csv", raw_rows), tmp_path / "out",
                       "--params", str(params))
    assert rc == 2 and str(params) in err and "decimal_separator" in err


@pytest.mark.parametrize("key, value", [("design", [1, 2]), ("disclosure_threshold", None),
                                        ("published", 5), ("year", [2020]),
                                        ("max_quarantine_share", "half"), (None, "x: [")])
def test_a_broken_params_file_is_one_line_not_a_traceback(capsys, raw_rows, tmp_path, key,
                                                         value):
    data = yaml.safe_load((config.PARAMS / "2020.yaml").read_text(encoding="utf-8"))
    params = tmp_path / "2020.yaml"
    if key is None:                                  # not YAML at all
        params.write_text(yaml.safe_dump(data) + value, encoding="utf-8")
    else:
        data[key] = value
        params.write_text(yaml.safe_dump(data), encoding="utf-8")
    rc, _, err = clean(capsys, write_rows(tmp_path / "raw.csv", raw_rows), tmp_path / "out",
                       "--params", str(params))
    assert rc in (0, 2) and err.count("\n") <= 1
    if rc == 2:
        assert str(params) in err


# --- 13. salt and temporary files, paths, line numbers ---------------------------------------

def test_salt_and_temporary_files_stay_inside_the_output_folder(capsys, raw_rows, tmp_path,
                                                              monkeypatch):
    import tempfile

    made: list[str] = []
    for name in ("mkstemp", "mkdtemp"):
        real = getattr(tempfile, name)

        def spy(*args, _real=real, **kwargs):
            made.append(str(kwargs.get("dir")))
            return _real(*args, **kwargs)
        monkeypatch.setattr(tempfile, name, spy)
    monkeypatch.delenv("SATISFACTION_SALT", raising=False)
    out = tmp_path / "processed" / "2020"
    rc, _, _ = clean(capsys, write_rows(tmp_path / "raw.csv", raw_rows), out)
    assert rc == 0
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == ["2020"]
    assert (out / ".salt").exists() and oct((out / ".salt").stat().st_mode)[-3:] == "600"
    assert made and all(Path(d).resolve().is_relative_to(out.resolve()) for d in made)


def test_params_paths_outside_the_repository_are_refused(tmp_path):
    params = tmp_path / "2020.yaml"
    text = (config.PARAMS / "2020.yaml").read_text(encoding="utf-8")
    params.write_text(text.replace("raw_file: data/raw/survey_2020.csv",
                                   "raw_file: ../../x.csv"), encoding="utf-8")
    with pytest.raises(ParamsError, match=r"raw_file: '\.\./\.\./x\.csv' points outside"):
        load_params(2020, params)
    params.write_text(text.replace("raw_file: data/raw/survey_2020.csv",
                                   f"raw_file: {tmp_path / 'x.csv'}"), encoding="utf-8")
    with pytest.raises(ParamsError, match=r"raw_file: .*x\.csv' does not exist"):
        load_params(2020, params)
    (tmp_path / "x.csv").write_text("a,b\n", encoding="utf-8")
    assert load_params(2020, params).raw_file == tmp_path / "x.csv"


def test_quarantine_lines_are_lines_of_the_file(capsys, raw_rows, tmp_path):
    rows = raw_rows.copy()
    rows.loc[10, "cap"] = "??"
    rows.loc[30, "trong_so"] = ""
    rows.loc[5, "ma_phieu"] = "P-1\nnote"                  # a cell with a line break
    text = rows.to_csv(index=False).replace("\n", "\r\n")
    parts = text.split("\r\n")
    parts.insert(20, "")                                   # a blank line
    raw = tmp_path / "raw.csv"
    raw.write_bytes("\r\n".join(parts).encode("utf-8"))
    rc, _, _ = clean(capsys, raw, tmp_path / "out")
    assert rc == 0
    q = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype=str)
    physical = raw.read_bytes().decode("utf-8").split("\r\n")
    for line, rid in q[["line", "respondent_id"]].values:
        assert physical[int(line) - 1].startswith(rid.split("\n")[0])
    log = json.loads((tmp_path / "out" / "clean_log.json").read_text())
    assert log["lines"]["blank_lines"] >= 1 and log["lines"]["record_lines"] == 41


# --- all or nothing ---------------------------------------------------------------------------

def _consistent(out: Path) -> str:
    """The source hash the four outputs agree on (they must come from one run)."""
    log = json.loads((out / "clean_log.json").read_text())
    assert len(pd.read_parquet(out / "survey.parquet")) == log["rows_clean"]
    assert len(pd.read_csv(out / "quarantine.csv")) == log["rows_quarantined"]
    assert pd.read_csv(out / "item_missing.csv")["n"].iloc[0] == log["rows_clean"]
    return log["source"]["sha256"]


def test_a_killed_clean_leaves_the_old_outputs_or_the_new_ones(raw_rows, tmp_path):
    small = write_rows(tmp_path / "small.csv", raw_rows)
    out = tmp_path / "out"
    exe = [sys.executable, "-m", "satisfaction.cli", "clean"]
    subprocess.run([*exe, str(small), "--year", "2020", "--out", str(out)], check=True,
                   capture_output=True)
    seen = {_consistent(out)}
    rng = np.random.default_rng(13)
    for _ in range(4):
        proc = subprocess.Popen([*exe, str(config.RAW / "survey_2020.csv"), "--year", "2020",
                                 "--out", str(out)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(float(rng.uniform(1.0, 3.5)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.add(_consistent(out))
    assert len(seen) <= 2


# --- the property: byte-level mutations of real rows -----------------------------------------

_ROWS = (config.RAW / "survey_2020.csv").read_text(encoding="utf-8").splitlines(keepends=True)
_SAMPLE = _ROWS[0] + "".join(_ROWS[1:31])
_SAMPLE_FRAME = pd.read_csv(io.StringIO(_SAMPLE), dtype=str, keep_default_na=False)
_SECRETS = personal_values(_SAMPLE_FRAME)
# the same rows, every other name one the family-name rule does not know: only the structure
# (unrecognised columns, suspicious files and rows, the file's personal values) can hide them
_OTHER_NAMES = ["Kpă Y Bình", "Rơ Mah Hồng", "H'Hen Niê", "Y Moan Êban", "Ksor Y Phun"]
_MIXED_FRAME = _SAMPLE_FRAME.assign(ho_ten=[
    f"{_OTHER_NAMES[i % 5]} {chr(65 + i)}" if i % 2 else name
    for i, name in enumerate(_SAMPLE_FRAME["ho_ten"])])
_MIXED = _MIXED_FRAME.to_csv(index=False)
_MIXED_SECRETS = personal_values(_MIXED_FRAME)


def _share(at: int, start: int, end: int) -> float:
    """The mutation position (a share of ``[start, end)``) that lands on byte ``at``."""
    return (at - start + 0.5) / (end - start)


# the property test's find, in these rows: the header's ho_ten,so_dien_thoai merged, and the
# fourth row (a name the family-name rule does not know) one field short before its overall item
_BYTES_MIXED = _MIXED.encode("utf-8")
_END = _BYTES_MIXED.index(b"\n")
_MERGE = _share(_BYTES_MIXED.index(b",so_dien_thoai"), 0, _END)
_ROW4 = _BYTES_MIXED.split(b"\n")[4]
_SHIFT = _share(_BYTES_MIXED.index(_ROW4) + len(_ROW4.rsplit(b",", 4)[0]), _END,
                len(_BYTES_MIXED))
# quotes, separators, line ends and digits most often; a byte no encoding reads (which makes
# the whole file a file-level fault) now and then
_BYTES = [b'"', b'"', b'"', b",", b",", b",", b";", b"\n", b"\n", b"\r", b"\r\n", b"\t", b"=",
          b"-", b" ", b"0", b"9", b"5", b"5", "ệ".encode(), b"?", b'""', b"\xff", b"\x00"]


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "nfd":
        return unicodedata.normalize("NFD", text).encode("utf-8")
    if encoding == "cp1258":
        return encode_cp1258(text)
    return text.encode(encoding)


def _physical_lines(data: bytes) -> int:
    pieces = re.split(rb"\r\n|\r|\n", data)
    return len(pieces) - (pieces[-1] == b"")


def _records(data: bytes, sep: str) -> int:
    """The records below the header, as Python's csv module counts them (blank lines out)."""
    text = data.decode("utf-8").removeprefix("\ufeff")
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
            if r]
    return max(len(rows) - 1, 0)


mutation = st.tuples(st.floats(0, 1, exclude_max=True),
                     st.sampled_from(["insert", "delete", "replace"]),
                     st.sampled_from(_BYTES))


def _mutate(data: bytearray, mutations, start: int = 0, end: int | None = None) -> None:
    """Apply the mutations in place, each at its share of ``data[start:end]``."""
    for where, kind, payload in mutations:
        at = start + int(where * ((len(data) if end is None else end) - start))
        if kind == "insert":
            data[at:at] = payload
        elif kind == "delete":
            del data[at:at + 1]
        else:
            data[at:at + 1] = payload


def _clean_mutated(capsys, tmp_path: Path, encoding: str, data: bytes,
                   secrets: set[str] = _SECRETS) -> None:
    """Clean the mutated file and check: exit 0 or 2, every line accounted for, no personal
    data in any output."""
    folder = Path(tempfile_dir(tmp_path))
    raw, out = folder / "raw.csv", folder / "out"
    raw.write_bytes(data)
    rc, stdout, err = clean(capsys, raw, out)
    assert rc in (0, 2)
    if rc == 2:
        assert err.count("\n") == 1 and str(raw) in err and stdout == ""
    written = out / "rejected" if (out / "rejected").exists() else out
    if (written / "clean_log.json").exists():
        log = json.loads((written / "clean_log.json").read_text())
        lines = log["lines"]
        assert lines["header_lines"] + lines["blank_lines"] + lines["record_lines"] == \
            lines["lines"]
        if encoding != "utf-16":
            assert lines["lines"] == _physical_lines(data)
        if encoding != "utf-16" and encoding != "cp1258" and log["source"]["format"] == "csv":
            assert lines["records"] == _records(data, log["source"]["delimiter"])
        assert log["rows_in"] == log["rows_clean"] + log["rows_quarantined"]
        assert lines["records"] <= log["rows_in"] <= lines["record_lines"]
        q = pd.read_csv(written / "quarantine.csv", dtype=str, keep_default_na=False)
        assert len(q) == log["rows_quarantined"]
        assert q["line"].astype(int).between(1, lines["lines"]).all()
    assert_no_personal_data(secrets, written_text(out), stdout, err)


@settings(max_examples=45, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(encoding=st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1258", "nfd"]),
       mutations=st.lists(mutation, min_size=1, max_size=8))
# found by this test: the header's ho_ten,so_dien_thoai merged into one unknown column and a row
# one field short put a respondent's name in the overall item, echoed by the quarantine
@example(encoding="utf-8", mutations=[(0.5, "delete", b'"'), (0.02462693857106402, "delete", b'"')])
def test_byte_mutations_of_real_rows_never_lose_a_line_or_leak(capsys, tmp_path, encoding,
                                                               mutations):
    data = bytearray(_encode(_SAMPLE, encoding))
    _mutate(data, mutations)
    _clean_mutated(capsys, tmp_path, encoding, bytes(data))


# the header's own faults: separators lost or doubled, names misspelled, the line end lost
_HEADER_BYTES = [b",", b",", b";", b"_", b" ", b'"', b"\n", b"x", "ệ".encode(), b"\t"]
header_mutation = st.tuples(st.floats(0, 1, exclude_max=True),
                            st.sampled_from(["insert", "delete", "delete", "replace"]),
                            st.sampled_from(_HEADER_BYTES))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(encoding=st.sampled_from(["utf-8", "utf-8", "cp1258", "nfd"]),
       header=st.lists(header_mutation, min_size=1, max_size=3),
       rows=st.lists(mutation, max_size=3))
@example(encoding="utf-8", header=[(_MERGE, "delete", b",")], rows=[(_SHIFT, "delete", b",")])
def test_header_mutations_never_lose_a_line_or_leak(capsys, tmp_path, encoding, header, rows):
    """A header that lost or gained a separator moves the personal columns' values under
    headers the codebook does not know, or their neighbours' under theirs; names the
    family-name rule does not know included."""
    data = bytearray(_encode(_MIXED, encoding))
    end = data.index(b"\n")
    _mutate(data, rows, end, len(data))
    _mutate(data, header, 0, end)
    _clean_mutated(capsys, tmp_path, encoding, bytes(data), _MIXED_SECRETS)


_COUNTER = iter(range(10**9))


def tempfile_dir(tmp_path: Path) -> Path:
    folder = tmp_path / f"case{next(_COUNTER)}"
    folder.mkdir()
    return folder
