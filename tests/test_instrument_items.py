"""Tests of satisfaction.instrument.items (answer distribution, unusable answers, ceiling) and of
satisfaction.years.load_item_missing (the cleaning step's counts it reads)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from instrument_frames import COMPONENTS, DESIGN, ITEMS
from satisfaction import config
from satisfaction import instrument as ins
from satisfaction.instrument import InstrumentError
from satisfaction.params import load_params
from satisfaction.years import load_item_missing


def test_item_distribution_against_value_counts(two_years):
    dist = ins.item_distribution(two_years, ["a1", "f2", "q_overall"])
    assert set(dist["year"]) == {2019, 2020}
    for (year, item), rows in dist.groupby(["year", "item"]):
        part = two_years[two_years.year == year]
        counts = part[item].astype("Int64").astype(str).replace("<NA>", "missing").value_counts()
        got = rows.set_index(rows["answer"].astype(str))["n"]
        assert got.sum() == len(part)
        for answer, n in counts.items():
            assert got[answer] == n
        wsum = part.groupby(part[item].astype("Int64").astype(str).replace("<NA>", "missing"))[
            "weight"].sum() / part["weight"].sum()
        np.testing.assert_allclose(
            rows.set_index(rows["answer"].astype(str))["weighted_share"].reindex(wsum.index),
            wsum, rtol=1e-12)
        assert rows["weighted_share_valid"].sum() == pytest.approx(1.0)


def test_near_constant_flags_the_item_built_to_be(survey):
    near = ins.near_constant_items(ins.item_distribution(survey, ITEMS, by=None))
    assert near.loc[near.near_constant, "item"].tolist() == ["a2"]
    row = near.set_index("item").loc["a1"]
    valid = survey["a1"].notna()
    x = survey.loc[valid, "a1"].astype(float)
    w = survey.loc[valid, "weight"]
    assert row["mean"] == pytest.approx(np.average(x, weights=w))
    assert row["sd"] == pytest.approx(np.sqrt(np.average((x - np.average(x, weights=w)) ** 2,
                                                         weights=w)))
    with pytest.raises(InstrumentError, match="threshold"):
        ins.near_constant_items(ins.item_distribution(survey, ["a1"], by=None), 1.5)


def test_item_nonresponse_with_and_without_the_cleaning_counts(two_years, tmp_path, monkeypatch):
    plain = ins.item_nonresponse(two_years, ["a1", "f1"])
    assert plain["dont_know"].isna().all()
    part = two_years[two_years.year == 2020]
    assert plain.query("year == 2020 and item == 'f1'")["n_missing"].item() == part.f1.isna().sum()
    table = pd.DataFrame({"year": [2020, 2020], "item": ["a1", "f1"], "dont_know": [5, 40],
                          "refused": [1, 2], "blank": [3, 9], "out_of_range": [0, 1],
                          "n": [1700, 1700]})
    out = ins.item_nonresponse(two_years[two_years.year == 2020], ["a1", "f1"], table)
    f1 = out.set_index("item").loc["f1"]
    assert f1["dont_know_share"] == pytest.approx(40 / 1700)
    assert f1["unusable_share"] == pytest.approx(52 / 1700)
    # the file the cleaning step writes, beside the year's processed table
    monkeypatch.setattr(config, "PROCESSED", tmp_path)
    folder = tmp_path / "2020"
    folder.mkdir()
    table.drop(columns="year").to_csv(folder / "item_missing.csv", index=False)
    P = load_params(2020)
    read = ins.check_item_missing(load_item_missing(P))
    assert read["dont_know"].tolist() == [5, 40]
    assert load_item_missing(replace(P, year=2021)) is None


def test_item_nonresponse_reads_the_cleaning_steps_format(two_years):
    """The cleaning step also counts unreadable answers and writes extra columns."""
    table = pd.DataFrame({"item": ["a1"], "dont_know": [7], "refused": [5], "blank": [7],
                          "out_of_range": [11], "unreadable": [2], "word": [17],
                          "valid": [1568], "n": [1600]})
    out = ins.item_nonresponse(two_years[two_years.year == 2020], ["a1"], table).iloc[0]
    assert out["unreadable_share"] == pytest.approx(2 / 1600)
    assert out["unusable_share"] == pytest.approx(32 / 1600)


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns="blank"), "lacks column"),
    (lambda t: t.assign(refused=[-1, 0]), "whole counts"),
    (lambda t: t.assign(dont_know=[2000, 0]), "more unusable answers"),
    (lambda t: pd.concat([t, t]), "duplicated"),
])
def test_item_missing_table_errors(change, message):
    table = pd.DataFrame({"item": ["a1", "f1"], "dont_know": [5, 40], "refused": [1, 2],
                          "blank": [3, 9], "out_of_range": [0, 1], "n": [100, 100]})
    with pytest.raises(InstrumentError, match=message):
        ins.check_item_missing(change(table))


def test_item_missing_without_year_refuses_several_years(two_years):
    table = pd.DataFrame({"item": ["a1"], "dont_know": [5], "refused": [1], "blank": [3],
                          "out_of_range": [0], "n": [100]})
    with pytest.raises(InstrumentError, match="several years"):
        ins.item_nonresponse(two_years, ["a1"], table)


def test_likert_values_must_be_clean(survey):
    bad = survey.head(20).copy()
    bad["a1"] = bad["a1"].astype("Int64")
    bad.loc[bad.index[0], "a1"] = 8
    with pytest.raises(InstrumentError, match="outside 1..5"):
        ins.item_distribution(bad, ["a1"], by=None)
    with pytest.raises(InstrumentError, match="lacks column"):
        ins.item_distribution(survey, ["zz"], by=None)
    with pytest.raises(InstrumentError, match="no items"):
        ins.item_distribution(survey, [], by=None)
    with pytest.raises(InstrumentError, match="lacks column"):
        ins.item_distribution(survey.drop(columns="year"), ["a1"])


def test_ceiling_effects_are_weighted_top_shares(survey):
    table = ins.ceiling_effects(survey, ["a1", "q_overall"], DESIGN, {"access": COMPONENTS[
        "access"]}, by=None)
    a1 = table[(table.scale == "item") & (table.name == "a1")].iloc[0]
    valid = survey.a1.notna()
    w = survey.weight[valid]
    assert a1["estimate"] == pytest.approx(np.average(survey.a1[valid] == 5, weights=w))
    assert a1["satisfied_share"] == pytest.approx(np.average(survey.a1[valid] >= 4, weights=w))
    assert a1["n"] == valid.sum()
    assert a1["ci_low"] < a1["estimate"] < a1["ci_high"]
    comp = table[table.scale == "component"].iloc[0]
    x = survey[COMPONENTS["access"]].astype(float)
    complete = x.notna().all(axis=1)
    top = (x[complete] == 5).all(axis=1)
    assert comp["estimate"] == pytest.approx(np.average(top, weights=survey.weight[complete]))
    assert comp["n"] == complete.sum()
    with pytest.raises(InstrumentError, match="lacks column"):
        ins.ceiling_effects(survey.drop(columns="stratum"), ["a1"], DESIGN, by=None)


def test_ceiling_variance_agrees_with_our_linearisation(survey):
    """SurveyDesign's SE (golden-tested against R) equals our domain linearisation."""
    table = ins.ceiling_effects(survey, ["o1"], DESIGN, by=None)
    top = np.where(survey.o1.isna(), np.nan, (survey.o1 == 5).astype(float))
    _, cov, _ = DESIGN.build(survey.assign(top=top)).domain_covariance(
        "top", {"all": np.ones(len(survey), bool)})
    assert table["se"].iloc[0] == pytest.approx(np.sqrt(cov.iloc[0, 0]), rel=1e-8)
