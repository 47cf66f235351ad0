"""Tests of satisfaction.io: raw files in every format and encoding, faults, atomic writes.

Every file is built here in ``tmp_path`` by an independent writer (Python's codecs, openpyxl,
pyreadstat, pyarrow, and the legacy encoders whose tables tests/test_legacy_encodings.py checks
against published tables); the expected frame is the table the test wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satisfaction import legacy_encodings as le
from satisfaction.io import (
    RawFile,
    RawFileError,
    atomic_output,
    detect_encoding,
    read_raw,
    sha256_file,
    write_atomic,
    write_csv_atomic,
    write_parquet_atomic,
)

HEADER = ["Mã phiếu", "Tỉnh", "Đơn vị", "Câu 1", "Ghi chú"]
ROWS = [
    ["P001", "Hà Giang", "Công an tỉnh Hà Giang", "Rất hài lòng", "không"],
    ["P002", "Thừa Thiên Huế", "Phòng Cảnh sát giao thông", "Hài lòng", ""],
    ["P003", "Đắk Lắk", "Công an huyện Mèo Vạc", "Bình thường", "  có ý kiến  "],
    ["P004", "Bà Rịa - Vũng Tàu", "Phòng Quản lý xuất nhập cảnh", "Không hài lòng", "5"],
    ["P005", "Quảng Ngãi", "Công an thành phố Cần Thơ", "Rất không hài lòng", "đăng ký xe"],
    ["P006", "Hồ Chí Minh", "Công an xã Tân Phú", "Không biết", "cấp căn cước"],
]


def table_text(sep: str = ",", rows: list[list[str]] = ROWS, newline: str = "\n") -> str:
    lines = [sep.join(HEADER)] + [sep.join(r) for r in rows]
    return newline.join(lines) + newline


def expected_frame(rows: list[list[str]] = ROWS) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=HEADER, dtype="str")
    return df.where(df != "")


def assert_frame_is(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(frame.columns) == list(expected.columns)
    assert len(frame) == len(expected)
    got = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    want = expected.astype(object).where(expected.notna(), None).to_numpy().tolist()
    assert got == want
    for col in frame.columns:
        assert pd.api.types.is_string_dtype(frame[col].dtype)
        assert unicodedata.is_normalized("NFC", col)
        for v in frame[col].dropna():
            assert isinstance(v, str) and unicodedata.is_normalized("NFC", v)


def unchanged_after_read(path: Path, **kwargs) -> RawFile:
    before = (path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_mode)
    raw = read_raw(path, **kwargs)
    after = (path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_mode)
    assert before == after
    assert raw.sha256 == hashlib.sha256(before[0]).hexdigest()
    return raw


def fault_of(path: Path, **kwargs) -> RawFileError:
    with pytest.raises(RawFileError) as info:
        read_raw(path, **kwargs)
    err = info.value
    assert str(err) == f"{path}: {err.fault}"
    assert "\n" not in str(err)
    assert err.path == Path(path)
    return err


# ------------------------------------------------------------------------------------------
# CSV encodings


def windows_1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it, built here without the module under test: one byte
    for a letter the code page has, else the letter without its tone plus a combining tone."""
    tones = {"\u0300": b"\xcc", "\u0301": b"\xec", "\u0303": b"\xde", "\u0309": b"\xd2",
             "\u0323": b"\xf2"}  # fmt: skip
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in tones))
            out += base.encode("cp1258") + b"".join(tones[c] for c in nfd if c in tones)
    return out


ENCODERS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: t.encode("utf-8-sig"),
    "utf-16": lambda t: t.encode("utf-16"),  # with BOM
    "utf-16-le": lambda t: t.encode("utf-16-le"),  # no BOM
    "utf-16-be": lambda t: t.encode("utf-16-be"),  # no BOM
    "cp1258": windows_1258,
    "tcvn3": le.encode_tcvn3,
    "vni": le.encode_vni,
}


@pytest.mark.parametrize("encoding", list(ENCODERS))
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_every_encoding_detected(tmp_path, encoding, sep):
    path = tmp_path / "survey.csv"
    path.write_bytes(ENCODERS[encoding](table_text(sep, newline="\r\n")))
    raw = unchanged_after_read(path)
    assert raw.format == "csv" and raw.sheet is None
    assert raw.encoding == encoding
    assert_frame_is(raw.frame, expected_frame())
    assert raw.value_labels == {} and raw.missing_codes == {}


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("windows-1258", "cp1258"),
        ("CP1258", "cp1258"),
        ("tcvn3", "tcvn3"),
        ("ABC", "tcvn3"),
        ("vni", "vni"),
        ("utf-8", "utf-8"),
        ("utf_16", "utf-16"),
    ],
)
def test_csv_named_encoding_is_used(tmp_path, name, encoding):
    path = tmp_path / "survey.csv"
    path.write_bytes(ENCODERS[encoding](table_text()))
    raw = read_raw(path, encoding=name)
    assert raw.encoding == encoding
    assert_frame_is(raw.frame, expected_frame())


def test_cp1258_bytes_are_really_decomposed():
    data = windows_1258("Rất hài lòng")
    assert data == b"R\xe2\xect h\xe0i lo\xccng"
    assert data.decode("cp1258") != "Rất hài lòng"  # needs NFC


@pytest.mark.parametrize(
    "phrase",
    [
        "Công an tỉnh Hà Giang",
        "Rất hài lòng",
        "Thừa Thiên Huế",
        "Bình thường",
        "Không hài lòng",
        "Đắk Lắk",
        "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
    ],
)
@pytest.mark.parametrize("encoding", ["cp1258", "tcvn3", "vni"])
def test_detection_on_short_realistic_text(phrase, encoding):
    assert detect_encoding(ENCODERS[encoding](f"ma,ten\n1,{phrase}\n")) == encoding


def test_wrong_named_encoding_is_a_clear_fault(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes(windows_1258(table_text()))
    err = fault_of(path, encoding="utf-8")
    assert "cannot decode as utf-8" in err.fault
    err = fault_of(path, encoding="viscii")
    assert "unknown encoding" in err.fault


def test_utf8_with_one_stray_byte_names_the_offset(tmp_path):
    path = tmp_path / "stray.csv"
    good = table_text().encode("utf-8")
    path.write_bytes(good[:40] + b"\xff" + good[40:])
    err = fault_of(path)
    assert err.fault.startswith("cannot decode as any supported encoding (tried utf-8, utf-16")
    assert "offset 40" in err.fault


def test_raw_file_is_opened_only_for_reading(tmp_path, monkeypatch):
    import builtins

    csv_path = tmp_path / "survey.csv"
    csv_path.write_bytes(le.encode_vni(table_text()))
    xlsx_path = tmp_path / "survey.xlsx"
    make_workbook(xlsx_path)
    real_open = builtins.open
    modes = []

    def spy(file, mode="r", *args, **kwargs):
        if Path(str(file)) in (csv_path, xlsx_path):
            modes.append(mode)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    read_raw(csv_path)
    read_raw(xlsx_path, sheet="Dữ liệu")
    assert modes and all(set(m) <= {"r", "b"} for m in modes)


def test_csv_nfd_utf8_is_normalised(tmp_path):
    path = tmp_path / "nfd.csv"
    path.write_bytes(unicodedata.normalize("NFD", table_text()).encode("utf-8"))
    assert_frame_is(read_raw(path).frame, expected_frame())


def test_csv_quoted_fields_and_nothing_coerced(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text(
        'id;text;num\n"001";"Hà Nội; Việt Nam";"01,50"\n"002";"dòng 1\ndòng 2";NA\n003;" ";""\n',
        encoding="utf-8",
    )
    frame = read_raw(path).frame
    assert frame["id"].tolist() == ["001", "002", "003"]
    assert frame["text"].tolist() == ["Hà Nội; Việt Nam", "dòng 1\ndòng 2", " "]
    assert frame["num"].iloc[0] == "01,50"
    assert frame["num"].iloc[1] == "NA"  # the office's text, not missing
    assert pd.isna(frame["num"].iloc[2])


def faults_of(raw: RawFile) -> list[tuple[int, str]]:
    return [(int(line), reason) for line, reason in raw.faults[["line", "reason"]].values]


def test_csv_ragged_rows_are_faults_by_line_and_keep_no_cell(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6,7,8\n9\n10,11,12\n", encoding="utf-8")
    raw = read_raw(path)
    assert list(raw.frame.columns) == ["a", "b", "c"]
    assert raw.frame.astype(object).to_numpy().tolist() == [["1", "2", "3"], ["10", "11", "12"]]
    assert raw.lines.tolist() == [2, 5]
    assert faults_of(raw) == [(3, "extra_fields"), (4, "missing_fields")]
    assert not raw.faults["detail"].str.contains("7|8|9").any()  # no cell of theirs is kept
    assert raw.layout == {"lines": 5, "header_lines": 1, "blank_lines": 0, "records": 4,
                          "record_lines": 4}


def test_csv_ragged_row_with_a_quoted_line_break(tmp_path):
    path = tmp_path / "ragged2.csv"
    path.write_text('a,b,c\n1,"x\ny",3,4,5\n6,7,8\n', encoding="utf-8")
    raw = read_raw(path)
    assert raw.frame.astype(object).to_numpy().tolist() == [["6", "7", "8"]]
    assert raw.lines.tolist() == [4]
    assert faults_of(raw) == [(2, "unbalanced_quote"), (3, "unbalanced_quote")]


def test_csv_quoted_line_break_in_a_well_formed_row_is_kept(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('a,b,c\n1,"dòng 1\ndòng 2",3\n\n4,5,6\n', encoding="utf-8")
    raw = read_raw(path)
    assert raw.frame["b"].tolist() == ["dòng 1\ndòng 2", "5"]
    assert raw.lines.tolist() == [2, 5]      # the blank line 4 is counted, not read
    assert raw.faults.empty
    assert raw.layout == {"lines": 5, "header_lines": 1, "blank_lines": 1, "records": 2,
                          "record_lines": 3}


def test_csv_quote_closed_rows_later_never_merges_rows(tmp_path):
    # the office cell of line 3 opens a quote that the respondent of line 5 closes: the lines
    # in between are swallowed rows, reported one by one
    path = tmp_path / "swallow.csv"
    path.write_text('id,office,phone\n1,A,0911111111\n2,"B,0922222222\n3,C,0933333333\n'
                    '4,D",0944444444\n5,E,0955555555\n', encoding="utf-8")
    raw = read_raw(path)
    assert raw.frame["id"].tolist() == ["1", "5"]
    assert faults_of(raw) == [(3, "unbalanced_quote"), (4, "unbalanced_quote"),
                              (5, "unbalanced_quote")]
    assert raw.faults["detail"].iloc[0].startswith("lines 3-5 read as one record")


def test_csv_long_first_row_is_not_taken_as_an_index(tmp_path):
    # pandas would silently make the surplus leading fields an index, shifting every column
    path = tmp_path / "long_first.csv"
    path.write_text("a,b,c\n1,2,3,4,5\n6,7,8\n", encoding="utf-8")
    raw = read_raw(path)
    assert raw.frame["a"].tolist() == ["6"]
    assert faults_of(raw) == [(2, "extra_fields")]


def test_csv_trailing_delimiters_add_no_columns(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text("a,b,c\n1,2,3,\n6,7,8,\n", encoding="utf-8")
    frame = read_raw(path).frame
    assert list(frame.columns) == ["a", "b", "c"]
    assert frame.to_numpy().tolist() == [["1", "2", "3"], ["6", "7", "8"]]


def test_csv_duplicate_and_blank_header_names(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("a,a,,b\n1,2,3,4\n", encoding="utf-8")
    assert list(read_raw(path).frame.columns) == ["a", "a.1", "Unnamed: 2", "b"]


def test_csv_header_only_is_zero_rows(tmp_path):
    for encoding in ("utf-8", "tcvn3", "cp1258"):
        path = tmp_path / f"header_{encoding}.csv"
        path.write_bytes(ENCODERS[encoding](";".join(HEADER) + "\r\n"))
        raw = read_raw(path)
        assert raw.frame.shape == (0, len(HEADER))
        assert list(raw.frame.columns) == HEADER


def test_csv_unclosed_quote_is_a_fault_of_its_lines(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('a,b\n1,2\n3,"open\n4,5\n', encoding="utf-8")
    raw = read_raw(path)
    assert raw.frame["a"].tolist() == ["1"]
    assert faults_of(raw) == [(3, "unbalanced_quote"), (4, "unbalanced_quote")]


# ------------------------------------------------------------------------------------------
# file-level faults


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert fault_of(path).fault == "empty file"
    for name in ("empty.xlsx", "empty.sav", "empty.dta", "empty.parquet"):
        (tmp_path / name).write_bytes(b"")
        assert fault_of(tmp_path / name).fault == "empty file"


def test_only_blank_lines(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\r\n\r\n  \n")
    assert "no header" in fault_of(path).fault


def test_missing_file_and_directory_and_unknown_type(tmp_path):
    assert fault_of(tmp_path / "nope.csv").fault == "file not found"
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert "directory" in fault_of(folder).fault
    (tmp_path / "x.json").write_text("{}")
    assert "unknown file type '.json'" in fault_of(tmp_path / "x.json").fault
    (tmp_path / "x.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    assert ".xlsx" in fault_of(tmp_path / "x.xls").fault


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav", ".dta", ".parquet"])
def test_random_bytes(tmp_path, suffix):
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(np.random.default_rng(4).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    err = fault_of(path)
    if suffix == ".csv":
        assert "cannot decode as any supported encoding" in err.fault
        assert "utf-8, utf-16, cp1258, tcvn3, vni" in err.fault
    else:
        assert err.fault.startswith("not a readable")


def test_sheet_named_for_a_csv(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n")
    assert "has no sheets" in fault_of(path, sheet="Data").fault


# ------------------------------------------------------------------------------------------
# Excel


def make_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hướng dẫn"
    ws.append(["Phiếu khảo sát: đọc trang sau"])
    data = wb.create_sheet("Dữ liệu")
    data.append(["Mã phiếu", "Tỉnh", "Câu 1", "Trọng số", "Ngày", "Đã kiểm tra", None])
    data.append(["P001", "Hà Giang", 5, 1.25, dt.datetime(2020, 9, 1), True, None])
    data.append(["P002", unicodedata.normalize("NFD", "Thừa Thiên Huế"), "Rất hài lòng", 2,
                 dt.datetime(2020, 9, 2, 14, 30), False, None])  # fmt: skip
    data.append(["P003", None, None, 0.1, None, None, None])
    data.append([None] * 7)  # trailing empty row: formatting, not data
    wb.create_sheet("Trống")
    wb.save(path)


def test_xlsx_first_sheet_and_named_sheet(tmp_path):
    path = tmp_path / "survey.xlsx"
    make_workbook(path)
    first = unchanged_after_read(path)
    assert first.sheet == "Hướng dẫn" and first.format == "xlsx"
    assert first.frame.shape == (0, 1)
    raw = unchanged_after_read(path, sheet="Dữ liệu")
    assert raw.sheet == "Dữ liệu"
    expected = pd.DataFrame(
        [
            ["P001", "Hà Giang", "5", "1.25", "2020-09-01", "TRUE"],
            ["P002", "Thừa Thiên Huế", "Rất hài lòng", "2", "2020-09-02 14:30:00", "FALSE"],
            ["P003", None, None, "0.1", None, None],
        ],
        columns=["Mã phiếu", "Tỉnh", "Câu 1", "Trọng số", "Ngày", "Đã kiểm tra"],
        dtype="str",
    )
    assert_frame_is(raw.frame, expected)


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path):
    path = tmp_path / "survey.xlsx"
    make_workbook(path)
    err = fault_of(path, sheet="Foo")
    assert err.fault == "sheet 'Foo' not found (sheets: Hướng dẫn, Dữ liệu, Trống)"


def test_xlsx_empty_sheet_and_not_a_workbook(tmp_path):
    path = tmp_path / "survey.xlsx"
    make_workbook(path)
    assert "empty" in fault_of(path, sheet="Trống").fault
    fake = tmp_path / "fake.xlsx"
    fake.write_text("Mã phiếu,Tỉnh\n", encoding="utf-8")
    assert fault_of(fake).fault == "not a readable Excel workbook"


def test_xlsx_typed_with_a_legacy_font(tmp_path):
    path = tmp_path / "font.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ma", le.encode_tcvn3("tỉnh").decode("cp1252")])
    for i, name in enumerate(["Hà Giang", "Thừa Thiên Huế", "Đắk Lắk"]):
        ws.append([f"P{i}", le.encode_tcvn3(name).decode("cp1252")])
    wb.save(path)
    for named in ("ABC", None):  # named, or detected
        raw = read_raw(path, encoding=named)
        assert raw.encoding == "tcvn3"
        assert list(raw.frame.columns) == ["ma", "tỉnh"]
        assert raw.frame["tỉnh"].tolist() == ["Hà Giang", "Thừa Thiên Huế", "Đắk Lắk"]


def test_xlsx_proper_unicode_is_not_repaired(tmp_path):
    path = tmp_path / "unicode.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ma", "ten"])
    for i, name in enumerate(["Công an", "Hà Nội", "Bình thường", "café au lait"]):
        ws.append([f"P{i}", name])
    wb.save(path)
    raw = read_raw(path)
    assert raw.encoding is None
    assert raw.frame["ten"].tolist() == ["Công an", "Hà Nội", "Bình thường", "café au lait"]


def test_sav_typed_with_vni_font(tmp_path):
    path = tmp_path / "vni.sav"
    names = ["Hà Giang", "Thừa Thiên Huế", "Quảng Ngãi"]
    df = pd.DataFrame(
        {"tinh": [le.encode_vni(n).decode("cp1252") for n in names], "q1": [5.0, 4.0, 1.0]}
    )
    pyreadstat.write_sav(
        df,
        path,
        variable_value_labels={"q1": {5.0: le.encode_vni("Rất hài lòng").decode("cp1252")}},
    )
    raw = read_raw(path)
    assert raw.encoding == "vni"
    assert raw.frame["tinh"].tolist() == names
    assert raw.value_labels == {"q1": {"5": "Rất hài lòng"}}


# ------------------------------------------------------------------------------------------
# SPSS and Stata


def test_sav_codes_labels_and_user_missing(tmp_path):
    path = tmp_path / "survey.sav"
    df = pd.DataFrame(
        {
            "ma_phieu": ["P1", "P2", "P3", "P4"],
            "tinh": ["Hà Giang", "Thừa Thiên Huế", "", "Đắk Lắk"],
            "q1": [5.0, 9.0, np.nan, 98.0],
            "w": [1.5, 2.0, 3.25, 1.0],
        }
    )
    labels = {"q1": {1.0: "Rất không hài lòng", 5.0: "Rất hài lòng", 9.0: "Không trả lời"}}
    pyreadstat.write_sav(
        df, path, variable_value_labels=labels,
        missing_ranges={"q1": [9.0, {"lo": 97.0, "hi": 99.0}]},
    )  # fmt: skip
    raw = unchanged_after_read(path)
    assert raw.format == "sav"
    expected = pd.DataFrame(
        {
            "ma_phieu": ["P1", "P2", "P3", "P4"],
            "tinh": ["Hà Giang", "Thừa Thiên Huế", None, "Đắk Lắk"],
            "q1": ["5", "9", None, "98"],  # user-missing codes kept, as text
            "w": ["1.5", "2", "3.25", "1"],
        },
        dtype="str",
    )
    assert_frame_is(raw.frame, expected)
    assert raw.value_labels == {
        "q1": {"1": "Rất không hài lòng", "5": "Rất hài lòng", "9": "Không trả lời"}
    }
    assert sorted(raw.missing_codes["q1"]) == ["9", "97..99"]
    assert raw.encoding.replace("-", "").upper() == "UTF8"


def test_dta_tagged_missing_and_labels(tmp_path):
    path = tmp_path / "survey.dta"
    df = pd.DataFrame(
        {
            "ma_phieu": ["P1", "P2", "P3", "P4"],
            # a system-missing value after a tagged one: pyreadstat 1.3.7 misreads it
            "q1": pd.Series([5, "a", np.nan, 3], dtype=object),
            "tinh": ["Hà Giang", "Thừa Thiên Huế", "Đắk Lắk", ""],
        }
    )
    pyreadstat.write_dta(
        df, path,
        variable_value_labels={"q1": {1: "Rất không hài lòng", 5: "Rất hài lòng", "a": "Không biết"}},
        missing_user_values={"q1": ["a"]},
    )  # fmt: skip
    # the file itself holds '.' at row 3 (pandas' own Stata reader agrees)
    check = pd.read_stata(path, convert_missing=True, convert_categoricals=False)["q1"]
    assert [getattr(v, "string", v) for v in check] == [5, ".a", ".", 3]
    raw = unchanged_after_read(path)
    expected = pd.DataFrame(
        {
            "ma_phieu": ["P1", "P2", "P3", "P4"],
            "q1": ["5", ".a", None, "3"],
            "tinh": ["Hà Giang", "Thừa Thiên Huế", "Đắk Lắk", None],
        },
        dtype="str",
    )
    assert_frame_is(raw.frame, expected)
    assert raw.value_labels == {
        "q1": {"1": "Rất không hài lòng", "5": "Rất hài lòng", ".a": "Không biết"}
    }
    assert raw.missing_codes == {"q1": [".a"]}


def test_sav_dates_and_datetimes(tmp_path):
    path = tmp_path / "dates.sav"
    df = pd.DataFrame(
        {
            "ngay": [dt.date(2020, 9, 1), dt.date(2020, 9, 2), None],
            "luc": [dt.datetime(2020, 9, 1, 8, 30), None, dt.datetime(2020, 9, 3)],
        }
    )
    pyreadstat.write_sav(df, path)
    frame = read_raw(path).frame
    assert frame["ngay"].tolist()[:2] == ["2020-09-01", "2020-09-02"]
    assert pd.isna(frame["ngay"].iloc[2])
    assert frame["luc"].iloc[0].startswith("2020-09-01 08:30")
    assert pd.isna(frame["luc"].iloc[1])


def test_dta_plain_numbers(tmp_path):
    path = tmp_path / "plain.dta"
    pyreadstat.write_dta(pd.DataFrame({"q1": [1.0, np.nan, 4.0], "n": [1, 2, 3]}), path)
    raw = read_raw(path)
    assert raw.frame["q1"].tolist()[0] == "1" and pd.isna(raw.frame["q1"].iloc[1])
    assert raw.frame["n"].tolist() == ["1", "2", "3"]


# ------------------------------------------------------------------------------------------
# Parquet


def test_parquet_every_type_as_text(tmp_path):
    path = tmp_path / "survey.parquet"
    table = pa.table(
        {
            "ma_phieu": ["P1", "P2", None],
            "tinh": [unicodedata.normalize("NFD", "Hà Giang"), "Thừa Thiên Huế", ""],
            "q1": pa.array([5, None, 3], type=pa.int8()),
            "w": [1.5, 2.0, None],
            "ok": [True, False, None],
            "ngay": pa.array([dt.datetime(2020, 9, 1), None, dt.datetime(2020, 9, 3)]),
            "kenh": pa.array(["online", "in_person", "online"]).dictionary_encode(),
        }
    )
    pq.write_table(table, path)
    raw = unchanged_after_read(path)
    assert raw.format == "parquet" and raw.encoding is None
    expected = pd.DataFrame(
        {
            "ma_phieu": ["P1", "P2", None],
            "tinh": ["Hà Giang", "Thừa Thiên Huế", None],
            "q1": ["5", None, "3"],
            "w": ["1.5", "2", None],
            "ok": ["True", "False", None],
            "ngay": ["2020-09-01", None, "2020-09-03"],
            "kenh": ["online", "in_person", "online"],
        },
        dtype="str",
    )
    assert_frame_is(raw.frame, expected)


# ------------------------------------------------------------------------------------------
# hashes and atomic writes


def test_sha256_file(tmp_path):
    path = tmp_path / "x.bin"
    data = os.urandom(3 << 20)
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_atomic_output_replaces_only_on_success(tmp_path):
    target = tmp_path / "out" / "survey.parquet"
    write_atomic(target, b"old")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        assert tmp.parent == target.parent and tmp != target
        tmp.write_bytes(b"half written")
        raise RuntimeError("the run failed")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["survey.parquet"]
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # not yet
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["survey.parquet"]


def test_write_parquet_and_csv_atomic(tmp_path):
    df = pd.DataFrame({"tỉnh": ["Hà Giang", "Thừa Thiên Huế"], "n": [1, 2]})
    p = write_parquet_atomic(df, tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(p), df)
    c = write_csv_atomic(df, tmp_path / "t.csv")
    assert c.read_bytes() == '"tỉnh","n"\n"Hà Giang",1\n"Thừa Thiên Huế",2\n'.encode()
    bad = pd.DataFrame({"x": [object()]})
    write_atomic(tmp_path / "keep.parquet", b"previous")
    with pytest.raises(pa.ArrowInvalid):
        write_parquet_atomic(bad, tmp_path / "keep.parquet")
    assert (tmp_path / "keep.parquet").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.parquet", "t.csv", "t.parquet"]


# ------------------------------------------------------------------------------------------
# property: any table of Vietnamese text survives every encoding


cell = st.text(
    alphabet=st.sampled_from(
        [c for c in le.VIETNAMESE_LETTERS if c.islower()] + list("abcdeghiklmnopqrstuvxy đ")
    ),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s and s != "")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=5))
def test_property_named_encoding_round_trip(tmp_path, rows):
    text = "a,b,c\n" + "".join(",".join(r) + "\n" for r in rows)
    for encoding in ("utf-8", "utf-16", "cp1258", "tcvn3", "vni"):
        path = tmp_path / f"p_{encoding}.csv"
        path.write_bytes(ENCODERS[encoding](text))
        frame = read_raw(path, encoding=encoding).frame
        assert frame.to_numpy().tolist() == rows


def test_excel_column_mixing_booleans_and_numbers_keeps_each(tmp_path):
    import openpyxl

    from satisfaction.io import read_raw

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["flag"])
    for value in (True, 1, 1.0, False, 0, 2.5):
        ws.append([value])
    path = tmp_path / "mixed.xlsx"
    wb.save(path)
    assert read_raw(path).frame["flag"].tolist() == ["TRUE", "1", "1", "FALSE", "0", "2.5"]
