"""Tests of satisfaction.params: a year's parameters read, checked and made absolute."""

from __future__ import annotations

import pytest

from satisfaction import config
from satisfaction.params import ParamsError, available_years, load_params


def _write(tmp_path, text: str):
    path = tmp_path / "2020.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_years_resolve_their_paths():
    assert available_years() == [2019, 2020]
    p = load_params(2020)
    assert p.raw_file == (config.ROOT / "data" / "raw" / "survey_2020.csv").resolve()
    assert p.par_file is not None and p.par_file.is_absolute()


@pytest.mark.parametrize(("text", "message"), [
    ("year: 2020\ndesign: {weights: w}\n", "missing key\\(s\\) raw_file"),
    ("year: 2020\nraw_file:\ndesign: {weights: w}\n", "raw_file is empty"),
    ("year: 2020\nraw_file: ''\ndesign: {weights: w}\n", "raw_file is empty"),
    ("year: 2019\nraw_file: x.csv\ndesign: {weights: w}\n", "says year 2019"),
    ("- a list\n", "expected a mapping"),
    ("year: [2020\n", "not valid YAML"),
])
def test_bad_params_files_name_the_file_and_the_fault(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ParamsError, match=message) as caught:
        load_params(2020, path)
    assert str(path) in str(caught.value)


def test_a_year_without_a_file():
    with pytest.raises(ParamsError, match="no params file for year 1999"):
        load_params(1999)
