"""Tests of satisfaction.instrument.inputs: the checks every review function relies on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from satisfaction.design import DesignSpec
from satisfaction.instrument import InstrumentError
from satisfaction.instrument.inputs import (
    build_design,
    likert_matrix,
    per_year,
    weight_array,
)


def test_build_design_takes_a_spec_and_names_missing_columns():
    df = pd.DataFrame({"w": [1.0, 2.0, 1.0], "psu": [1, 2, 3], "y": [1, 0, 1]})
    assert build_design(df, DesignSpec(weights="w", psu="psu")).n == 3
    with pytest.raises(InstrumentError, match="DesignSpec"):
        build_design(df, {"weights": "w", "psu": "psu"})
    with pytest.raises(InstrumentError, match="lacks column"):
        build_design(df, DesignSpec(weights="w", strata="stratum"))


def test_likert_weights_and_years_are_checked():
    df = pd.DataFrame({"year": [2019, None], "a1": ["5", "4"], "w": [1.0, -1.0]})
    with pytest.raises(InstrumentError, match="numeric Likert codes"):
        likert_matrix(df, ["a1"])
    with pytest.raises(InstrumentError, match="> 0"):
        weight_array(df, "w")
    with pytest.raises(InstrumentError, match="missing values"):
        list(per_year(df, "year"))
    assert np.isnan(likert_matrix(pd.DataFrame({"a1": pd.array([None], dtype="Int8")}),
                                  ["a1"])).all()
