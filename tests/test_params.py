"""Tests of satisfaction.params: a year's parameters read, checked against the schema, made
absolute; a new year's file written from the latest one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from satisfaction import config
from satisfaction.cli import main
from satisfaction.params import (
    PUBLISHED,
    SCHEMA,
    ParamsError,
    available_years,
    latest_year,
    load_params,
    new_year_text,
    write_new_year,
)


def _write(tmp_path, text: str, name: str = "2020.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _shipped(year: int) -> dict:
    return yaml.safe_load((config.PARAMS / f"{year}.yaml").read_text(encoding="utf-8"))


def test_shipped_years_are_every_params_file_and_resolve_their_paths():
    years = available_years()
    assert years == sorted(int(p.stem) for p in config.PARAMS.glob("*.yaml"))
    assert len(years) >= 3 and latest_year() == years[-1]
    for year in years:
        p = load_params(year)
        assert p.year == year and p.raw_file.is_absolute() and p.raw_file.exists()
        assert p.codebook.exists() and p.codebook.is_absolute()
        assert p.par_file is None or p.par_file.exists()
        assert p.baseline_year is None or p.baseline_year in years
    assert load_params().year == years[-1]          # no year: the latest (JupyterLab)


def test_a_year_may_name_its_own_codebook():
    books = {load_params(y).codebook.name for y in available_years()}
    assert "codebook.yaml" in books and len(books) >= 2


@pytest.mark.parametrize(("text", "message"), [
    ("year: 2020\ndesign: {weights: w}\n", "raw_file: missing"),
    ("year: 2020\nraw_file:\ndesign: {weights: w}\n", "raw_file: is empty"),
    ("year: 2020\nraw_file: ''\ndesign: {weights: w}\n", "raw_file: is empty"),
    ("year: 2019\nraw_file: data/raw/codebook.yaml\ndesign: {weights: w}\n", "says 2019"),
    ("- a list\n", "expected a mapping"),
    ("year: [2020\n", "not valid YAML at line"),
])
def test_bad_params_files_name_the_file_and_the_fault(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ParamsError, match=message) as caught:
        load_params(2020, path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("year", "2020", "year: expected an integer"),
    ("synthetic", 1, "synthetic: expected true or false"),
    ("raw_file", 5, "raw_file: expected a path"),
    ("raw_file", "data/raw/survey_1900.csv", "raw_file: 'data/raw/survey_1900.csv' does not exist"),
    ("codebook", "data/raw/codebook_1900.yaml", "codebook: .* does not exist"),
    ("par_file", "data/raw/par_1900.csv", r"par_file: .* does not exist \(or null"),
    ("offices_file", "data/raw/offices_1900.csv", "offices_file: .* does not exist"),
    ("baseline_year", 1999, "baseline_year: 1999 has no params file"),
    ("baseline_year", 2020, "baseline_year: 2020 is this file's own year"),
    ("baseline_year", "2019", "baseline_year: expected an integer"),
    ("sheet", ["a"], "sheet: expected a worksheet name"),
    ("encoding", 8, "encoding: expected a text"),
    ("ci_method", "normal", "ci_method: expected one of 'beta'"),
    ("confidence", 95, "confidence: expected a number"),
    ("disclosure_threshold", 2.5, "disclosure_threshold: expected an integer"),
    ("disclosure_threshold", -1, "disclosure_threshold: expected an integer from 0"),
    ("max_quarantine_share", "half", "max_quarantine_share: expected a number above 0"),
    ("decimal_separator", ";", "decimal_separator: expected one of"),
    ("thousands_separator", ".", "thousands_separator: '.' is also the decimal separator"),
    ("design", [1, 2], "design: expected a mapping"),
    ("design", {"weights": "w", "cluster": "x"}, "design: unknown design key"),
    ("published", 5, "published: expected a mapping"),
    ("published", {"satisfaction_rate": "high"}, "published.satisfaction_rate: expected a number"),
    ("published", {"change_reported": "a lot"}, "published.change_reported: expected a change"),
    ("published", {"rate": 96.45}, r"published.rate: not a known key \(known: respondents"),
    ("published", {"par_index_counts": {"good": 1.5}}, "published.par_index_counts: expected"),
    ("par_bands", {"good": 180}, "par_bands: expected a mapping of band name"),
    ("instrument", {"alpha_minimum": 0.8}, r"instrument.alpha_minimum: .*did you mean alpha_min"),
    ("instrument", {"alpha_min": "high"}, "instrument.alpha_min: expected a number"),
    ("robustness", [1], "robustness: expected a mapping"),
    ("baseline-year", 2019, r"baseline-year: not a known key \(did you mean baseline_year\?\)"),
])
def test_every_key_is_checked_and_named(tmp_path, key, value, message):
    data = _shipped(2020)
    data[key] = value
    path = _write(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ParamsError, match=message) as caught:
        load_params(2020, path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and "\n" not in text


def test_null_keeps_the_default_and_absent_keys_are_optional(tmp_path):
    data = {k: v for k, v in _shipped(2020).items() if SCHEMA[k].required}
    data["baseline_year"] = None
    p = load_params(2020, _write(tmp_path, yaml.safe_dump(data)))
    assert (p.codebook, p.ci_method, p.confidence, p.disclosure_threshold) == (
        config.CODEBOOK, "beta", 0.95, 10)
    assert p.par_file is None and p.published == {} and p.robustness == {}


def test_robustness_section_is_kept(tmp_path):
    data = _shipped(2020) | {"robustness": {"response_rates": [0.5]}}
    assert load_params(2020, _write(tmp_path, yaml.safe_dump(data))).robustness == {
        "response_rates": [0.5]}


def test_paths_are_checked_only_when_asked(tmp_path):
    data = _shipped(2020) | {"raw_file": "data/raw/survey_1900.csv"}
    p = load_params(2020, _write(tmp_path, yaml.safe_dump(data)), check_paths=False)
    assert p.raw_file == config.ROOT / "data" / "raw" / "survey_1900.csv"


def test_a_year_without_a_file():
    with pytest.raises(ParamsError, match="no params file for year 1999"):
        load_params(1999)


def test_the_par_figures_published_in_params_come_first():
    from satisfaction.par_index import load_criteria

    criteria = load_criteria()
    for year in available_years():
        p = load_params(year)
        got = p.published_par(criteria)
        own = p.published.get("par_index_counts")
        assert got.get("counts") == (own or criteria.published.get(year, {}).get("counts"))


# --- the command line: one line, exit 2 ------------------------------------------------------

def test_cli_names_the_file_and_the_key_of_a_bad_params_file(tmp_path, capsys):
    path = _write(tmp_path, yaml.safe_dump(_shipped(2020) | {"confidence": "high"}))
    code = main(["clean", str(config.RAW / "survey_2020.csv"), "--year", "2020",
                 "--out", str(tmp_path / "out"), "--params", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and f"{path}: confidence:" in err
    assert not (tmp_path / "out").exists()


def test_the_batch_names_the_file_and_the_key_too(tmp_path):
    root = tmp_path / "repo"
    (root / "params").mkdir(parents=True)
    (root / "notebooks").mkdir()
    name = "02_satisfaction.ipynb"
    (root / "notebooks" / name).write_bytes((config.NOTEBOOKS / name).read_bytes())
    (root / "params" / "2020.yaml").write_text(
        yaml.safe_dump(_shipped(2020) | {"par_bands": "high"}), encoding="utf-8")
    env = {**os.environ, "SATISFACTION_ROOT": str(root)}
    proc = subprocess.run([sys.executable, "-m", "satisfaction.cli", "run"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert len(lines) == 1 and "2020.yaml: par_bands:" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


# --- a new year --------------------------------------------------------------------------------

def test_new_year_copies_the_latest_year_with_a_comment_on_every_key(tmp_path):
    folder = tmp_path / "params"
    folder.mkdir()
    last = latest_year()
    (folder / f"{last}.yaml").write_bytes((config.PARAMS / f"{last}.yaml").read_bytes())
    text = new_year_text(last + 1, params_dir=folder)
    data = yaml.safe_load(text)
    written = [line.split(":")[0] for line in text.splitlines()
               if line and not line.startswith(("#", " "))]
    assert written == [k for k in SCHEMA if k in data]     # the schema's order, nothing else
    lines = text.splitlines()
    for key in written:                                    # a comment just above every key
        assert lines[lines.index(next(x for x in lines if x.startswith(f"{key}:"))) - 1
                     ].startswith("# ")
    for key in ("raw_file", "codebook", "baseline_year", "par_file", "published", "synthetic",
                "par_bands", "decimal_separator", "thousands_separator"):
        i = lines.index(next(x for x in lines if x.startswith(f"{key}:")))
        assert "EDIT" in lines[i - 1], key
    assert data["year"] == last + 1 and data["baseline_year"] == last
    assert data["synthetic"] is False and data["encoding"] is None
    assert set(data["published"]) == set(PUBLISHED) and not any(data["published"].values())
    last_data = _shipped(last)
    assert data["design"] == last_data["design"] and data["par_bands"] == last_data["par_bands"]
    assert data["codebook"] == last_data.get("codebook", "data/raw/codebook.yaml")


def test_new_year_writes_validates_and_refuses_to_overwrite(tmp_path):
    folder = tmp_path / "params"
    folder.mkdir()
    last = latest_year()
    (folder / f"{last}.yaml").write_bytes((config.PARAMS / f"{last}.yaml").read_bytes())
    path, fault = write_new_year(last + 1, params_dir=folder)   # no raw file yet
    assert path.exists() and fault is not None and "raw_file" in str(fault)
    with pytest.raises(ParamsError, match="exists already"):
        write_new_year(last + 1, params_dir=folder)
    path, fault = write_new_year(last + 1, params_dir=folder, force=True,
                                 raw_file=config.RAW / "survey_2020.csv",
                                 codebook=config.CODEBOOK)
    assert fault is None
    p = load_params(last + 1, path)
    assert p.raw_file.name == "survey_2020.csv" and p.codebook == config.CODEBOOK
    assert p.baseline_year == last and p.par_file is None and p.published == dict.fromkeys(
        PUBLISHED)


def test_new_year_needs_an_earlier_year(tmp_path):
    with pytest.raises(ParamsError, match="no earlier year"):
        new_year_text(1950, params_dir=tmp_path)
