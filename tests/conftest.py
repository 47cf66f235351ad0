"""Shared fixtures: small raw tables built from the shipped synthetic file; headless Chromium.

Helper modules that several test files use live in ``tests/fixtures/`` (``report_site``: a
throw-away report site; ``browser_pages``: opening and checking a page in Chromium), put on the
import path here, once, so that no test file imports another.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))

import browser_pages

from satisfaction import config
from satisfaction.codebook import load_codebook


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture(scope="session")
def offices():
    from satisfaction.clean import read_offices

    return read_offices(config.RAW / "offices.csv")


@pytest.fixture()
def raw_rows() -> pd.DataFrame:
    """40 clean-looking rows of the 2020 raw file, as typed (strings), faults removed."""
    df = pd.read_csv(config.RAW / "survey_2020.csv", dtype=str, keep_default_na=False, nrows=400)
    ok = df.apply(lambda col: col.str.strip().eq(col)).all(axis=1)
    ok &= df["hai_long_chung"].isin(list("12345")) & df["ma_don_vi"].ne("")
    ok &= ~df["ma_phieu"].str.endswith(("b", "x")) & ~df.duplicated()
    offices = pd.read_csv(config.RAW / "offices.csv", dtype=str)
    ok &= df["don_vi"].eq(df["ma_don_vi"].map(offices.set_index("office_code")["office"]))
    ok &= df["tinh_tp"].map(lambda s: unicodedata.is_normalized("NFC", s))
    for item in ["a1", "a2", "a3", "p1", "p2", "p3", "p4", "o1", "o2", "o3", "o4",
                 "r1", "r2", "r3", "f1", "f2", "f3"]:
        ok &= df[item].isin(list("12345"))
    rows = df[ok].head(40).reset_index(drop=True)
    assert len(rows) == 40
    return rows


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, for the tests of one module (skipped without
    Chromium, except in CI)."""
    from playwright.sync_api import sync_playwright

    if not browser_pages.CHROMIUM.exists():
        browser_pages.unavailable(f"{browser_pages.CHROMIUM} is missing")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(browser_pages.CHROMIUM),
                                      args=browser_pages.LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    """One year of the instrument tests' small survey (``fixtures/instrument_frames.py``)."""
    from instrument_frames import survey_frame

    return survey_frame()


@pytest.fixture(scope="module")
def two_years() -> pd.DataFrame:
    """Two years of the instrument tests' small survey, stacked with a ``year`` column."""
    from instrument_frames import two_years_frame

    return two_years_frame()


@pytest.fixture(scope="session")
def processed_root(tmp_path_factory) -> Path:
    """Every shipped year cleaned from its raw file, as the cleaning page does, into a folder
    of the session (so that the tests that need processed tables never depend on a previous
    ``make reports``)."""
    from satisfaction.clean import CleanSettings, clean_file
    from satisfaction.params import available_years, load_params

    root = tmp_path_factory.mktemp("processed")
    for year in available_years():
        P = load_params(year)
        clean_file(P.raw_file, P.year, root / str(year), encoding=P.encoding, sheet=P.sheet,
                   settings=CleanSettings.from_params(P))
    return root


@pytest.fixture()
def processed_years(processed_root, monkeypatch) -> Path:
    """The shipped years' processed tables where the library looks for them (``config``)."""
    monkeypatch.setattr(config, "PROCESSED", processed_root)
    return processed_root
