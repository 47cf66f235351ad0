"""Tests of satisfaction.instrument.review: the whole review and the years it reads."""

from __future__ import annotations

import pandas as pd
import pytest

from instrument_frames import COMPONENTS, DESIGN, survey_frame, two_years_frame
from satisfaction import config
from satisfaction import instrument as ins
from satisfaction.instrument import InstrumentError
from satisfaction.params import load_params
from satisfaction.years import MissingDataError


@pytest.fixture(scope="module")
def two_years() -> pd.DataFrame:
    return two_years_frame()


def test_review_needs_the_year(two_years):
    with pytest.raises(InstrumentError, match="no rows of year 2031"):
        ins.review_instrument(two_years, DESIGN, 2031, COMPONENTS)
    with pytest.raises(InstrumentError, match="DesignSpec"):
        ins.review_instrument(two_years, DESIGN.as_dict(), 2020, COMPONENTS)


def test_review_tables_are_the_functions_tables(two_years):
    review = ins.review_instrument(two_years, DESIGN, 2020, COMPONENTS)
    pd.testing.assert_frame_equal(review.consistency,
                                  ins.internal_consistency(two_years, COMPONENTS, DESIGN))
    pd.testing.assert_frame_equal(review.mode, ins.mode_effects(two_years, DESIGN))
    assert set(review.precision["year"]) == {2020}
    assert set(review.distribution["year"]) == {2019, 2020}
    assert review.notes and "item_missing.csv" in review.notes[0]


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
    assert set(modules) == {"consistency", "examples", "inputs", "items", "modes", "precision",
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
