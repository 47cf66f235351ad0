"""The shipped synthetic survey: reproducible to the byte, calibrated to the published figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from satisfaction import config
from satisfaction.clean import clean_file
from satisfaction.params import available_years, load_params
from satisfaction.synth import (
    DEFAULT_SEED,
    YEARS,
    build_frame,
    synthesize_year,
    write_survey_files,
)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    return write_survey_files(out, seed=DEFAULT_SEED)


def _synthetic_years() -> list[int]:
    """The years whose params say their data are synthetic (from params/, not from a list)."""
    return [y for y in available_years() if load_params(y).synthetic]


def test_every_synthetic_year_of_params_is_generated(regenerated):
    assert sorted(YEARS) == _synthetic_years()
    written = {p.name for p in regenerated}
    assert {load_params(y).raw_file.name for y in _synthetic_years()} <= written


@pytest.mark.parametrize("name", ["offices.csv", "survey_2019.xlsx", "survey_2020.csv",
                                  "survey_2021.sav"])
def test_shipped_files_regenerate_byte_for_byte(regenerated, name):
    fresh = next(p for p in regenerated if p.name == name)
    assert fresh.read_bytes() == (config.RAW / name).read_bytes(), (
        f"{name} differs from what `satisfaction synth --seed {DEFAULT_SEED}` writes; "
        "run `make synth` and commit the result if the change is intended")


def test_another_seed_gives_other_data(codebook):
    a, _ = synthesize_year(2020, seed=1, codebook=codebook)
    b, _ = synthesize_year(2020, seed=2, codebook=codebook)
    assert not a["respondent_id"].head(50).equals(b["respondent_id"].head(50))


def test_design_has_strata_psus_and_transaction_weights(codebook):
    frame = build_frame(codebook)
    assert frame["stratum"].nunique() == 19 and frame["office_code"].is_unique
    assert set(frame["level"]) == {"central", "province", "district", "commune"}
    assert (frame["pi"] > 0).all() and (frame["pi"] <= 1).all()
    # Every stratum has at least two PSUs: no lonely PSU in the shipped design.
    assert frame.groupby("stratum")["office_code"].nunique().min() >= 2


def weighted_rate(data: pd.DataFrame) -> float:
    """Independent of SurveyDesign: sum(w * satisfied) / sum(w) over valid answers."""
    valid = data["q_overall"].notna()
    w = data.loc[valid, "weight"].to_numpy()
    y = data.loc[valid, "q_overall"].astype(int).isin([4, 5]).to_numpy()
    return float(np.sum(w * y) / np.sum(w))


@pytest.mark.parametrize("year, raw, sheet, n, rate", [
    (2020, "survey_2020.csv", None, 22_250, 96.45),
    (2019, "survey_2019.xlsx", "Phieu khao sat", 19_752, 86.69),
])
def test_cleaning_the_shipped_file_reproduces_the_published_figures(tmp_path, year, raw, sheet, n, rate):
    result = clean_file(config.RAW / raw, year, tmp_path / str(year), sheet=sheet)
    assert len(result.data) == n
    assert round(100 * weighted_rate(result.data), 2) == rate
    # the faults are there and were handled: a few per cent of rows, each reason present
    reasons = result.log["quarantine_reasons"]
    assert {"duplicate_exact", "duplicate_near", "invalid_overall", "invalid_weight",
            "invalid_level", "office_unknown"} <= set(reasons)
    assert 0.01 < result.log["rows_quarantined"] / result.log["rows_in"] < 0.05
    repairs = result.log["repairs"]
    assert repairs["office"]["canonicalised"] > 100
    assert repairs["q_overall"]["spaces_trimmed"] > 100
    words = result.item_missing.set_index("item")["word"]
    assert words.sum() > 100


def test_2021_is_an_spss_file_with_labels_and_user_missing_codes():
    import pyreadstat

    from satisfaction.codebook import load_codebook

    P = load_params(2021)
    _, meta = pyreadstat.read_sav(str(P.raw_file), metadataonly=True)
    book = load_codebook(P.codebook)
    _, full = pyreadstat.read_sav(str(P.raw_file), user_missing=True, row_limit=5)
    for item in ("A1", "A4", "O3", "HLCHUNG"):
        labels = full.variable_value_labels[item]
        assert labels[5.0] == "Rất hài lòng" and labels[98.0] == "Không biết", item
        assert {r["lo"] for r in full.missing_ranges[item]} == {98.0, 99.0}, item
    assert full.variable_value_labels["CAPGQ"] == {1.0: "Trung ương", 2.0: "Tỉnh", 3.0: "Huyện",
                                                   4.0: "Xã"}
    assert meta.column_names_to_labels["O3"] == book.columns["o3"].spec["vi"]
    # the file carries the 2021 questionnaire: a4 asked, a3 not
    assert "A4" in meta.column_names and "A3" not in meta.column_names
    assert sorted(book.missing_codes) == [98, 99]


def test_2021_has_a_revised_questionnaire():
    from satisfaction.questionnaire import compare_years

    q = compare_years(load_params(2021), load_params(2020))
    assert (len(q.added), len(q.dropped), len(q.reworded)) == (1, 1, 1)
    assert q.overall_comparable and q.note(q.reworded[0])


def test_cleaning_the_2021_file_reproduces_its_calibration(tmp_path):
    from satisfaction.clean import CleanSettings

    P = load_params(2021)
    result = clean_file(P.raw_file, 2021, tmp_path / "2021", settings=CleanSettings.from_params(P))
    spec = YEARS[2021]
    assert len(result.data) == spec.n_clean
    assert round(weighted_rate(result.data), 4) == round(spec.target_rate, 4)
    assert "a4" in result.data and "a3" not in result.data
    reasons = result.log["quarantine_reasons"]
    assert {"duplicate_exact", "duplicate_near", "invalid_overall", "invalid_weight",
            "invalid_level", "office_unknown"} <= set(reasons)
    missing = result.item_missing.set_index("item")
    assert missing["dont_know"].sum() > 100 and missing["refused"].sum() > 20
