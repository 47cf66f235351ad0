"""Hostile inputs at the reading layer: bounded sizes, record structure, atomic output sets,
spreadsheet-safe CSV."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satisfaction.csv_records import LineScanner, TableSink, read_records
from satisfaction.io import (
    Limits,
    RawFileError,
    commit_output_set,
    read_raw,
    spreadsheet_safe,
    write_csv_atomic,
)


def fault(path: Path, **kwargs) -> str:
    with pytest.raises(RawFileError) as info:
        read_raw(path, **kwargs)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    return info.value.fault


# --- bounded inputs --------------------------------------------------------------------------

def test_csv_limits_on_rows_columns_cells_and_bytes_are_checked(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "1,2\n" * 50, encoding="utf-8")
    assert fault(path, limits=Limits(max_rows=49)) == "50 data lines (limit 49)"
    assert "the header has 2 fields (limit 1)" in fault(path, limits=Limits(max_columns=1))
    assert fault(path, limits=Limits(max_bytes=100)) == "204 bytes (limit 100)"
    path.write_text("a,b\n1,2\n3," + "x" * 500 + "\n", encoding="utf-8")
    assert fault(path, limits=Limits(max_cell_chars=499)) == \
        "line 3: a cell of 500 characters (limit 499)"
    assert len(read_raw(path, limits=Limits(max_cell_chars=500)).frame) == 2


def test_cell_longer_than_the_limit_in_a_broken_file_is_named_by_line(tmp_path):
    path = tmp_path / "t.csv"   # an odd number of quotes: the slow path reads it
    path.write_text('a,b\n1,"x\n2,' + "y" * 300 + "\n", encoding="utf-8")
    assert "a cell longer than 299 characters" in fault(path, limits=Limits(max_cell_chars=299))


def _xlsx_with_far_cell(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b"])
    ws.append(["1", "2"])
    ws["XFD1048576"] = 1
    wb.save(path)


def test_xlsx_with_one_value_at_xfd1048576_is_refused_before_loading(tmp_path):
    path = tmp_path / "far.xlsx"
    _xlsx_with_far_cell(path)
    start = time.perf_counter()
    message = fault(path)
    assert time.perf_counter() - start < 10
    assert "1,048,576 rows x 16,384 columns" in message and "not loaded" in message


def test_xlsx_whose_dimension_lies_is_measured_by_its_cells(tmp_path):
    path = tmp_path / "lie.xlsx"
    _xlsx_with_far_cell(path)
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet].replace(b'ref="A1:XFD1048576"', b'ref="A1:B2"')
    assert b'ref="A1:B2"' in members[sheet]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert "16,384 columns" in fault(path)


def test_xlsx_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = tmp_path / "bomb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (20 << 20))   # 20 MB of zeros, 20 KB zipped
    assert path.stat().st_size < 200_000
    assert "unpacks to" in fault(path, limits=Limits(max_unpacked_bytes=10 << 20))


def test_xlsx_member_larger_than_it_declares_is_refused(tmp_path):
    path = tmp_path / "liar.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.save(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    pos = 0                 # the member's entry in the central directory
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + name_len] == info.filename.encode():
            break
        pos += 4
    size_at = pos + 24      # its uncompressed size: declare half of it
    assert int.from_bytes(data[size_at:size_at + 4], "little") == info.file_size
    data[size_at:size_at + 4] = (info.file_size // 2).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert fault(path).startswith("not a readable Excel workbook")


def test_parquet_and_spss_declared_sizes_are_checked_before_loading(tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"a": ["1", "2", "3"], "b": [1.0, 2.0, 3.0]})
    frame.to_parquet(tmp_path / "t.parquet")
    pyreadstat.write_sav(frame, tmp_path / "t.sav")
    for name in ("t.parquet", "t.sav"):
        assert "declares 3 rows x 2 columns" in fault(tmp_path / name, limits=Limits(max_rows=2))
        assert len(read_raw(tmp_path / name).frame) == 3
    assert "unpacks to" in fault(tmp_path / "t.parquet", limits=Limits(max_unpacked_bytes=10))



def test_a_binary_file_sent_as_csv_is_named_with_its_fix(tmp_path):
    """An office renames its workbook or SPSS file to .csv: one line saying what it is."""
    import pyreadstat

    frame = pd.DataFrame({"a": ["1", "2"], "b": [1.0, 2.0]})
    frame.to_excel(tmp_path / "w.xlsx", index=False)
    pyreadstat.write_sav(frame, tmp_path / "s.sav")
    frame.to_parquet(tmp_path / "p.parquet")
    for source, fix in (("w.xlsx", "give it the .xlsx extension"),
                        ("s.sav", "give it the .sav extension"),
                        ("p.parquet", "give it the .parquet extension")):
        renamed = tmp_path / f"{source}.csv"
        renamed.write_bytes((tmp_path / source).read_bytes())
        assert fix in fault(renamed)
    odd = tmp_path / "nul.csv"
    odd.write_bytes(b"a,b\n1,\x002\n")
    assert "NUL bytes" in fault(odd)

def test_excel_numbers_are_marked_native(tmp_path):
    path = tmp_path / "n.xlsx"
    pd.DataFrame({"w": [1234.5, "1.234,5"], "t": ["x", "y"]}).to_excel(path, index=False)
    raw = read_raw(path)
    assert raw.frame["w"].tolist() == ["1234.5", "1.234,5"]
    assert raw.native_numbers["w"].tolist() == [True, False]
    assert "t" not in raw.native_numbers
    assert raw.lines.tolist() == [2, 3]


# --- lines and records -----------------------------------------------------------------------

def test_line_scanner_counts_crlf_blank_lines_and_lone_cr():
    s = LineScanner()
    for chunk in (b"a,b\r", b"\n\r\n1,2\r\n", b"3,4"):
        s.feed(chunk)
    ix = s.finish()
    assert (ix.nonblank.tolist(), ix.lines, ix.lone_cr) == ([1, 3, 4], 4, False)
    s = LineScanner()
    s.feed(b"a,b\r1,2\r")
    assert s.finish().lone_cr


def test_lone_cr_line_ends_are_read_line_by_line(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"a,b\r1,2\r\r3\r4,5\r")
    raw = read_raw(path)
    assert raw.frame["a"].tolist() == ["1", "4"]
    assert raw.lines.tolist() == [2, 5]
    assert raw.faults[["line", "reason"]].values.tolist() == [[4, "missing_fields"]]
    assert raw.layout["lines"] == 5 and raw.layout["blank_lines"] == 1


def _records(data: bytes, force_slow: bool):
    scanner = LineScanner()
    scanner.feed(data)
    sink = TableSink()
    first = data.split(b"\n", 1)[0] + b"\n"
    rec = read_records(data, scanner.finish(), first, ",", sink, force_slow=force_slow)
    return sink.table().to_pydict(), rec.lines.tolist(), rec.extra, \
        [(f.line, f.reason) for f in rec.faults], rec.layout


cells = st.sampled_from(["1", "x y", "", '"q,1"', '"a\nb"', '"say ""hi"""', "Hà Nội", "0,5"])


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(cells, min_size=2, max_size=4), min_size=1, max_size=8),
       blank=st.lists(st.integers(0, 8), max_size=2))
def test_fast_and_slow_paths_read_the_same_records(rows, blank):
    lines = [",".join(r) for r in rows]
    for i in sorted(blank, reverse=True):
        lines.insert(min(i, len(lines)), "")
    data = ("a,b,c\n" + "\n".join(lines) + "\n").encode("utf-8")
    fast, slow = _records(data, False), _records(data, True)
    assert fast == slow
    layout = fast[4]
    assert layout["header_lines"] + layout["blank_lines"] + layout["record_lines"] == \
        layout["lines"]


# --- spreadsheet-safe CSV --------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1",
                                  "\r=1", "＝1+1", '=HYPERLINK("http://evil.example","x")'])
def test_formula_cells_are_neutralised_in_csv(tmp_path, cell):
    out = write_csv_atomic(pd.DataFrame({"x": [cell, "ok"], "n": [-1.5, 2]}), tmp_path / "o.csv")
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert back["x"].tolist() == ["'" + cell, "ok"]
    assert back["n"].tolist() == ["-1.5", "2.0"]


def test_plain_numbers_and_safe_text_are_untouched():
    t = pd.DataFrame({"x": pd.Categorical(["-1.0000", "+84", "Hà Nội", "=x", "'=x"])})
    assert spreadsheet_safe(t)["x"].tolist() == ["-1.0000", "+84", "Hà Nội", "'=x", "'=x"]


# --- output sets: all or nothing -------------------------------------------------------------

def test_output_set_is_replaced_whole_or_not_at_all(tmp_path):
    out = tmp_path / "out"
    commit_output_set(out, {"a.txt": lambda p: p.write_text("a1"),
                            "b.txt": lambda p: p.write_text("b1")})

    def broken(p: Path) -> None:
        p.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        commit_output_set(out, {"a.txt": lambda p: p.write_text("a2"), "b.txt": broken})
    assert ((out / "a.txt").read_text(), (out / "b.txt").read_text()) == ("a1", "b1")
    assert len(list((out / ".sets").iterdir())) == 1
    assert sorted(p.name for p in out.iterdir()) == [".current", ".sets", "a.txt", "b.txt"]


def test_output_set_leftovers_of_a_dead_writer_are_collected(tmp_path):
    out = tmp_path / "out"
    commit_output_set(out, {"a.txt": lambda p: p.write_text("1")})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (out / ".sets" / f"{dead}-leftover").mkdir()
    commit_output_set(out, {"a.txt": lambda p: p.write_text("2")})
    assert [p.name for p in (out / ".sets").iterdir()] == [os.readlink(out / ".current")[6:]]


_KILLED_WRITER = """
import sys, time
from pathlib import Path
from satisfaction.io import commit_output_set
tag = sys.argv[2]
def slow(p):
    p.write_text(tag)
    time.sleep(0.05)
commit_output_set(Path(sys.argv[1]), {f"f{i}.txt": slow for i in range(8)})
"""


def test_a_kill_leaves_the_old_set_or_the_new_one(tmp_path):
    out = tmp_path / "out"
    commit_output_set(out, {f"f{i}.txt": (lambda p: p.write_text("old")) for i in range(8)})
    rng = np.random.default_rng(5)
    for attempt in range(6):
        proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(out), f"new{attempt}"])
        time.sleep(float(rng.uniform(0.3, 1.2)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        tags = {(out / f"f{i}.txt").read_text() for i in range(8)}
        assert len(tags) == 1, tags          # never a mix
    assert not list(out.glob("*.tmp"))
