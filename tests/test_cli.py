"""The command line: exit codes and one-line messages."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from satisfaction import config, synth
from satisfaction.cli import main
from satisfaction.params import available_years, load_params


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "satisfaction.cli", *map(str, args)],
                          capture_output=True, text=True, check=False)


def test_clean_writes_outputs_and_reports_counts(raw_rows, tmp_path):
    raw = tmp_path / "raw.csv"
    raw_rows.assign(trong_so=lambda d: d["trong_so"].where(d.index != 0, "")).to_csv(raw, index=False)
    assert main(["clean", str(raw), "--year", "2020", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "survey.parquet").exists()
    assert len(pd.read_csv(tmp_path / "out" / "quarantine.csv")) == 1


@pytest.mark.parametrize("content, fault", [
    (None, "file not found"),
    (b"", "empty file"),
    (b"ma_phieu,cap\n1,Tinh\n", "required column(s) missing"),
    (b"ma_phieu,cap\n", "no data rows"),
])
def test_file_level_faults_exit_2_with_one_line(tmp_path, content, fault):
    raw = tmp_path / "raw.csv"
    if content is not None:
        raw.write_bytes(content)
    out = tmp_path / "out"
    proc = run_cli("clean", raw, "--year", 2020, "--out", out)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(raw) in lines[0] and fault in lines[0]
    assert not out.exists(), "nothing is written on a file-level fault"


def test_random_bytes_and_missing_sheet(tmp_path, raw_rows):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 40)
    proc = run_cli("clean", junk, "--year", 2020, "--out", tmp_path / "o1")
    assert proc.returncode == 2 and str(junk) in proc.stderr
    book = tmp_path / "book.xlsx"
    raw_rows.to_excel(book, index=False, sheet_name="Data")
    proc = run_cli("clean", book, "--year", 2020, "--out", tmp_path / "o2", "--sheet", "Nope")
    assert proc.returncode == 2 and "sheet 'Nope' not found" in proc.stderr


def test_help_lists_the_commands():
    proc = run_cli("--help")
    assert proc.returncode == 0
    for cmd in ("run", "clean", "synth", "new-year"):
        assert cmd in proc.stdout


def test_synth_writes_the_survey_and_the_par_tables(tmp_path, monkeypatch, capsys):
    """`satisfaction synth` writes both generators' files (the survey's replaced by a stub here:
    test_synth checks those bytes) and prints every path; the PAR tables are the shipped ones."""
    survey = tmp_path / "survey_2020.csv"

    def fake_survey_files(out, seed, planting=None):
        survey.write_text("stub", encoding="utf-8")
        return [survey]

    monkeypatch.setattr(synth, "write_survey_files", fake_survey_files)
    assert main(["synth", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.splitlines()
    par = [f"par_{y}.csv" for y in available_years() if load_params(y).par_file is not None]
    assert printed == [str(survey), *[str(tmp_path / name) for name in par]]
    for name in par:
        assert (tmp_path / name).read_bytes() == (config.RAW / name).read_bytes()
