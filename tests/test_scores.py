"""Tests of satisfaction.scores: component indicators and the table of component rates.

References: the component rule restated per respondent in the test (mean of the answered
items >= 4), and plain weighted means for the rates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from satisfaction import SurveyDesign
from satisfaction.scores import component_indicators, component_labels, component_rates


@pytest.fixture(scope="module")
def answers(codebook) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    items = [i for comp in codebook.components.values() for i in comp["items"]]
    n = 400
    data = pd.DataFrame({i: pd.array(rng.integers(1, 6, n), dtype="Int8") for i in items})
    data.iloc[::17, 0] = pd.NA                       # some items not answered
    data["w"] = rng.uniform(1, 4, n)
    data["stratum"] = rng.integers(0, 4, n)
    data["psu"] = data["stratum"] * 10 + rng.integers(0, 5, n)
    return data


def test_component_indicators_follow_the_rule(answers, codebook):
    out = component_indicators(answers, codebook)
    for name, comp in codebook.components.items():
        means = answers[comp["items"]].astype("float64").mean(axis=1)
        expected = (means >= 4).astype(float).where(means.notna())
        pd.testing.assert_series_equal(out[f"sat_{name}"], expected, check_names=False)


def test_component_rates_are_each_components_weighted_share(answers, codebook):
    data = component_indicators(answers, codebook)
    design = SurveyDesign(data, weights="w", strata="stratum", psu="psu")
    table = component_rates(design, codebook, ci_method="wilson", level=0.9)
    assert list(table.index) == list(component_labels(codebook))
    for column in table.index:
        one = design.proportion(column, ci_method="wilson", level=0.9)
        pd.testing.assert_frame_equal(table.loc[[column]], one.set_axis([column]))
        valid = data[column].notna()
        naive = np.average(data.loc[valid, column], weights=data.loc[valid, "w"])
        assert table.loc[column, "estimate"] == pytest.approx(naive, rel=1e-12)


def test_component_rates_need_the_indicator_columns(answers, codebook):
    design = SurveyDesign(answers, weights="w")
    with pytest.raises(ValueError, match="'sat_access' is not in the data"):
        component_rates(design, codebook)
