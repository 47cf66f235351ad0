"""Tests of satisfaction.instrument.review: the whole review and the years it reads."""

from __future__ import annotations

import pandas as pd
import pytest

from instrument_frames import COMPONENTS, DESIGN, survey_frame
from satisfaction import config
from satisfaction import instrument as ins
from satisfaction.instrument import InstrumentError
from satisfaction.params import load_params
from satisfaction.years import MissingDataError


def test_review_needs_the_year(two_years):
    with pytest.raises(InstrumentError, match="no rows of year 2031"):
        ins.review_instrument(two_years, DESIGN, 2031, COMPONENTS)
    with pytest.raises(InstrumentError, match="DesignSpec"):
        ins.review_instrument(two_years, DESIGN.as_dict(), 2020, COMPONENTS)


def test_review_tables_are_the_functions_tables(two_years):
    review = ins.review_instrument(two_years, DESIGN, 2020, COMPONENTS)
    pd.testing.assert_frame_equal(review.consistency,
                                  ins.internal_consistency(two_years, COMPONENTS, DESIGN))
    pd.testing.assert_frame_equal(review.contrasts, ins.group_contrasts(two_years, DESIGN))
    assert set(review.precision["year"]) == {2020}
    assert set(review.distribution["year"]) == {2019, 2020}
    assert review.notes == [ins.NO_ITEM_MISSING]


def test_load_years_reads_the_year_and_its_baseline(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "PROCESSED", tmp_path)
    P = load_params(2020)
    with pytest.raises(MissingDataError, match="2020"):
        ins.load_years(P)
    counts = pd.DataFrame({"item": ["a1"], "dont_know": [1], "refused": [0], "blank": [2],
                           "out_of_range": [0], "n": [50]})
    for year in (2019, 2020):
        (tmp_path / str(year)).mkdir()
        survey_frame(50, seed=year, year=year).drop(columns="year").to_parquet(
            tmp_path / str(year) / "survey.parquet")
        counts.to_csv(tmp_path / str(year) / "item_missing.csv", index=False)
    data, item_missing = ins.load_years(P)
    assert data.groupby("year").size().to_dict() == {2019: 50, 2020: 50}
    assert "sat_access" in data.columns                       # years.load_survey's indicators
    assert item_missing["year"].tolist() == [2019, 2020]
    only, _ = ins.load_years(P, with_baseline=False)
    assert set(only["year"]) == {2020}
    (tmp_path / "2019" / "item_missing.csv").unlink()
    assert ins.load_years(P)[1] is None                      # one year without the counts


def test_the_package_exports_every_public_name_and_maps_every_module():
    import importlib
    import pkgutil

    modules = [m.name for m in pkgutil.iter_modules(ins.__path__)]
    assert set(modules) == {"consistency", "examples", "groups", "inputs", "items", "precision",
                            "quality", "review", "settings"}
    for name in modules:
        assert f":mod:`.{name}`" in ins.__doc__, name
        if name == "inputs":                       # the shared checks: only the error is public
            continue
        module = importlib.import_module(f"satisfaction.instrument.{name}")
        missing = set(module.__all__) - set(ins.__all__)
        assert not missing, f"{name}: {missing}"
    assert all(getattr(ins, name) is not None for name in ins.__all__)
    assert "InstrumentError" in ins.__all__


# --- each year on its own questionnaire ---------------------------------------------------------

def test_reviews_of_single_years_combine_into_the_review_of_both(two_years):
    whole = ins.review_instrument(two_years, DESIGN, 2020, COMPONENTS)
    parts = [ins.review_instrument(two_years[two_years["year"] == y], DESIGN, y, COMPONENTS)
             for y in (2019, 2020)]
    combined = ins.combine_reviews(parts, 2020)
    for name in ("distribution", "nonresponse", "near_constant", "ceiling", "consistency",
                 "items", "agreement", "quality", "sensitivity", "rates", "contrasts", "precision",
                 "flags"):
        pd.testing.assert_frame_equal(getattr(combined, name), getattr(whole, name),
                                      obj=name)
    assert combined.notes == whole.notes and combined.year == 2020


def test_a_changed_questionnaire_is_reviewed_year_by_year(two_years):
    """One set of components for both years fails when an item was asked in one year only;
    each year on its own components works, and each year's rows use its own items."""
    frame = two_years.copy()
    frame["a9"] = frame["a3"].where(frame["year"] == 2020)        # a9 asked in 2020 only
    frame["a3"] = frame["a3"].where(frame["year"] == 2019)        # a3 dropped after 2019
    now = {**COMPONENTS, "access": [i for i in COMPONENTS["access"] if i != "a3"] + ["a9"]}
    with pytest.raises(InstrumentError):
        ins.review_instrument(frame, DESIGN, 2020, now)
    parts = [ins.review_instrument(frame[frame["year"] == 2019], DESIGN, 2019, COMPONENTS),
             ins.review_instrument(frame[frame["year"] == 2020], DESIGN, 2020, now)]
    review = ins.combine_reviews(parts, 2020)
    items = review.items.set_index(["year", "item"]).index
    assert (2019, "a3") in items and (2020, "a9") in items
    assert (2020, "a3") not in items and (2019, "a9") not in items
    assert review.components == now and set(review.precision["year"]) == {2020}


def test_review_years_reads_each_years_codebook(processed_years):
    """review_years on the shipped params: a year whose codebook differs from its baseline's
    is reviewed on its own items (each year cleaned from its raw file for the session)."""
    from satisfaction.params import available_years
    from satisfaction.questionnaire import compare_years, year_codebook
    from satisfaction.years import load_baseline

    for year in available_years():
        P = load_params(year)
        B = load_baseline(P)
        if B is None or compare_years(P, B).same:
            continue
        review, data = ins.review_years(P)
        assert set(data["year"]) == {B.year, P.year}
        for p in (B, P):
            asked = set(review.items.loc[review.items["year"] == p.year, "item"])
            assert asked == set(year_codebook(p).items)
        return
    raise AssertionError("no shipped year whose questionnaire differs from its baseline's")
