"""A survey year's table, design and baseline: satisfaction.years."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from satisfaction import years
from satisfaction.design import DesignSpec, SurveyDesign
from satisfaction.params import ParamsError, available_years, load_params


def test_baseline_of_the_shipped_years():
    assert years.load_baseline(load_params(2020)).year == 2019
    assert years.load_baseline(load_params(2019)) is None
    for year in available_years():
        base = years.load_baseline(load_params(year))
        assert base is None or base.year == load_params(year).baseline_year


def test_missing_baseline_year_is_a_clear_error(tmp_path):
    (tmp_path / "2031.yaml").write_text(textwrap.dedent("""\
        year: 2031
        raw_file: data/raw/survey_2020.csv
        baseline_year: 2018
        design: {weights: weight, strata: stratum, psu: office_code, lonely_psu: adjust}
    """), encoding="utf-8")
    with pytest.raises(ParamsError, match=r"2031.yaml: baseline_year: 2018 has no params file"):
        load_params(2031, tmp_path / "2031.yaml")
    params = load_params(2031, tmp_path / "2031.yaml", check_paths=False)
    with pytest.raises(ParamsError, match=r"year 2031 is compared with baseline year 2018"):
        years.load_baseline(params)


def test_every_year_is_read_with_its_own_questionnaire(processed_years):
    from satisfaction.questionnaire import year_codebook

    for year in available_years():
        P = load_params(year)
        data = years.load_survey(P)
        book = year_codebook(P)
        assert set(book.items) <= set(data.columns)
        assert {f"sat_{c}" for c in book.components} <= set(data.columns)


def test_component_change_compares_each_component_on_the_items_given(processed_years):
    from satisfaction.compare import compare_designs
    from satisfaction.scores import component_indicators

    pair = [(load_params(y), years.load_baseline(load_params(y))) for y in available_years()]
    pair = [(p, b) for p, b in pair if b is not None]
    assert pair and all(p.processed_file.exists() and b.processed_file.exists() for p, b in pair)
    P, B = pair[-1]
    table = years.component_change(P, B, {"procedures": ["p1", "p2"], "results": ["r1"]})
    assert list(table.index) == ["procedures", "results"]
    assert table["items"].tolist() == [2, 1]
    # the same as an index built by hand on those items, each year from its own design
    cur, base = (years.load_survey(p) for p in (P, B))
    cur, base = (component_indicators(d, components={"x": ["p1", "p2"]}) for d in (cur, base))
    ref = compare_designs(years.load_design(P, cur), years.load_design(B, base), "sat_x",
                          level=P.confidence, ci_method=P.ci_method)
    assert table.loc["procedures", "change"] == pytest.approx(ref["change"].iloc[0], abs=1e-12)
    assert table.loc["procedures", "change_se"] == pytest.approx(ref["change_se"].iloc[0])


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
