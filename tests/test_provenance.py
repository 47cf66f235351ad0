"""Tests of satisfaction.report.provenance: every input hashed, no machine path, both languages."""

from __future__ import annotations

import hashlib
import re

from satisfaction import config
from satisfaction.params import load_params
from satisfaction.report.provenance import (
    collect_provenance,
    input_files,
    provenance_html,
    shown_path,
)


def test_every_input_of_the_year_is_hashed():
    prov = collect_provenance(2020)
    roles = {i["role"]: i for i in prov.inputs}
    assert set(roles) == {"raw", "params", "codebook", "offices", "par", "par_criteria",
                          "baseline_raw", "baseline_params", "baseline_par"}
    for item in prov.inputs:
        path = config.ROOT / item["file"]
        assert item["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), item
    assert roles["par"]["file"] == "data/raw/par_2020.csv"
    assert roles["par_criteria"]["file"] == "data/raw/par_criteria.yaml"
    assert roles["baseline_raw"]["file"] == "data/raw/survey_2019.xlsx"


def test_a_year_without_baseline_or_par_table_lists_what_it_has():
    roles = [r for r, _ in input_files(load_params(2019))]
    assert "baseline_raw" not in roles and roles[:4] == ["raw", "params", "codebook", "offices"]


def test_no_machine_path_reaches_the_page():
    prov = collect_provenance(2020, config.PARAMS / "2020.yaml")
    page = provenance_html(prov, "en") + provenance_html(prov, "vi")
    assert str(config.ROOT) not in page
    assert "params/2020.yaml" in page  # papermill's params_file, relative
    assert not re.search(r"(?:/home/|/root/|/tmp/|/work/|[A-Z]:\\\\)", page)


def test_a_path_outside_the_repository_shows_its_name_only():
    assert shown_path("/srv/secret/dir/survey.csv") == "…/survey.csv"
    assert shown_path(config.ROOT / "data" / "raw" / "offices.csv") == "data/raw/offices.csv"
    assert shown_path("data/raw/x.csv") == "data/raw/x.csv"


def test_the_block_is_in_the_editions_language():
    prov = collect_provenance(2020)
    vi, en = provenance_html(prov, "vi"), provenance_html(prov, "en")
    assert "Nguồn gốc của trang" in vi and "Tệp số liệu khảo sát gốc" in vi
    assert "Provenance" in en and "PAR index criteria" in en and "Nguồn gốc" not in en
    assert prov.inputs[0]["sha256"] in vi
