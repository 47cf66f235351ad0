"""Tests of satisfaction.offices: each office's level and an office table's rows by level."""

from __future__ import annotations

import pandas as pd
import pytest

from satisfaction.offices import at_levels, office_levels


def respondents() -> pd.DataFrame:
    return pd.DataFrame({
        "office": ["CA tỉnh A", "CA xã B", "CA huyện C", "CA tỉnh A", "Bộ D"],
        "level": pd.Categorical(["province", "commune", "district", "province", "central"]),
    })


def test_office_levels_one_per_office_in_order_of_appearance():
    levels = office_levels(respondents())
    assert levels.to_dict() == {"CA tỉnh A": "province", "CA xã B": "commune",
                                "CA huyện C": "district", "Bộ D": "central"}
    assert pd.api.types.is_string_dtype(levels)  # text, also from a categorical column


def test_at_levels_keeps_the_table_order_and_drops_unknown_offices():
    rates = pd.DataFrame({"estimate": [0.7, 0.9, 0.8, 0.95, 0.5]},
                         index=["CA huyện C", "Bộ D", "CA xã B", "CA tỉnh A", "not surveyed"])
    top = at_levels(rates, respondents(), ["central", "province"])
    assert top.index.tolist() == ["Bộ D", "CA tỉnh A"]
    local = at_levels(rates, respondents(), ("district", "commune"))
    assert local.index.tolist() == ["CA huyện C", "CA xã B"]
    assert at_levels(rates, respondents(), []).empty


def test_missing_columns_raise():
    with pytest.raises(KeyError):
        office_levels(respondents().drop(columns="level"))
