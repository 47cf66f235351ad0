"""A survey year's table, design and baseline: satisfaction.years."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from satisfaction import years
from satisfaction.design import DesignSpec, SurveyDesign
from satisfaction.params import ParamsError, load_params


def test_baseline_of_the_shipped_years():
    assert years.load_baseline(load_params(2020)).year == 2019
    assert years.load_baseline(load_params(2019)) is None


def test_missing_baseline_year_is_a_clear_error(tmp_path):
    (tmp_path / "2021.yaml").write_text(textwrap.dedent("""\
        year: 2021
        raw_file: data/raw/survey_2021.csv
        baseline_year: 2018
        design: {weights: weight, strata: stratum, psu: office_code, lonely_psu: adjust}
    """), encoding="utf-8")
    params = load_params(2021, tmp_path / "2021.yaml")
    with pytest.raises(ParamsError, match=r"year 2021 is compared with baseline year 2018"):
        years.load_baseline(params)


def test_a_year_without_processed_table_says_how_to_make_it(tmp_path, monkeypatch):
    params = load_params(2020)
    monkeypatch.setattr(type(params), "processed_file", property(lambda self: tmp_path / "x.pq"))
    with pytest.raises(years.MissingDataError, match="run `satisfaction clean` for 2020"):
        years.load_design(params)


def test_load_design_uses_every_design_setting_of_the_params():
    params = load_params(2020)
    data = pd.DataFrame({"weight": [1.0, 2.0, 1.0, 3.0], "stratum": list("aabb"),
                         "office_code": ["o1", "o2", "o3", "o3"], "satisfied": [1, 0, 1, 1]})
    design = years.load_design(params, data)
    assert isinstance(design, SurveyDesign)
    spec = params.design
    assert (design.weights, design.strata, design.psu, design.fpc, design.lonely_psu,
            design.adjust_domain_lonely) == (spec.weights, spec.strata, spec.psu, spec.fpc,
                                             spec.lonely_psu, spec.adjust_domain_lonely)
    assert design.lonely_strata == ["b"]


def test_design_spec_rejects_what_a_design_cannot_be():
    with pytest.raises(ValueError, match="lonely_psu must be one of"):
        DesignSpec(weights="w", lonely_psu="drop")
    with pytest.raises(ValueError, match="unknown design key"):
        DesignSpec.from_mapping({"weights": "w", "cluster": "office"})
    with pytest.raises(ValueError, match="must be a mapping"):
        DesignSpec.from_mapping([1, 2])
    with pytest.raises(ValueError, match="weights must be a column name"):
        DesignSpec.from_mapping({"weights": 5})
    assert DesignSpec.from_mapping({"weights": "w", "lonely_psu": None}).lonely_psu == "fail"
