"""Tests of satisfaction.synth_par: the shipped synthetic PAR tables.

The published figures (DESIGN.md section 1; the ministry's 2020 release and the known 2021
figures) are the reference:
they are written here as literals, and the tables are read with plain pandas, not with
satisfaction.par_index, so the check does not depend on the code it checks.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest

from satisfaction import config
from satisfaction import synth_par as sp
from satisfaction.codebook import load_codebook

# What the ministry published for 2020, and the assumptions documented in synth_par.
PUBLISHED_MEAN_2020 = 85.78
PUBLISHED_2020 = {"excellent": 14, "good": 81}
PUBLISHED_CHANGE = {"excellent": 4, "good": 13, "fair": -13, "completed": -4}
ASSUMED_2020 = {"fair": 11, "completed": 4}
# Known for 2021 (DESIGN.md section 1): mean 84.24 % over 110 units, every band.
PUBLISHED_MEAN_2021 = 84.24
PUBLISHED_2021 = {"excellent": 12, "good": 76, "fair": 15, "completed": 7}
# The later year's published bands (DESIGN.md): excellent >= 95, good 80 to < 95, ...
BOUNDS = [("excellent", 95, 1000), ("good", 80, 95), ("fair", 70, 80), ("completed", 50, 70)]
COLUMNS = ["year", "unit_code", "unit", "unit_type", "province", "criterion", "self_points",
           "appraised_points"]


def _read(year: int) -> pd.DataFrame:
    return pd.read_csv(config.RAW / f"par_{year}.csv", dtype={"unit_code": str},
                       encoding="utf-8")


def _band_counts(frame: pd.DataFrame) -> dict[str, int]:
    totals = frame.groupby("unit_code")["appraised_points"].sum()
    return {name: int(((totals >= lo) & (totals < hi)).sum()) for name, lo, hi in BOUNDS}


def _par_years() -> list[int]:
    """The years whose params name a shipped PAR table (from params/, not from a list)."""
    from satisfaction.params import available_years, load_params

    return [y for y in available_years() if load_params(y).par_file is not None]


@pytest.fixture(scope="module")
def tables() -> dict[int, pd.DataFrame]:
    return {y: _read(y) for y in _par_years()}


def test_every_year_with_a_par_table_is_generated():
    assert sorted(sp.YEARS) == _par_years()


def test_shipped_files_are_reproducible_byte_for_byte(tmp_path):
    # `satisfaction synth` (make synth) passes the survey generator's seed.
    from satisfaction.synth import DEFAULT_SEED

    written = sp.write_par_tables(tmp_path, seed=DEFAULT_SEED)
    assert [p.name for p in written] == [f"par_{y}.csv" for y in _par_years()]
    for path in written:
        assert path.read_bytes() == (config.RAW / path.name).read_bytes(), path.name
    assert not list(tmp_path.glob(".*.tmp"))             # no temporary file left behind
    assert [p.read_bytes() for p in sp.write_par_tables(tmp_path / "default")] == [
        p.read_bytes() for p in written]


def test_2020_reproduces_the_published_figures(tables):
    totals = tables[2020].groupby("unit_code")["appraised_points"].sum()
    assert round(totals.mean(), 2) == PUBLISHED_MEAN_2020
    counts = _band_counts(tables[2020])
    assert {k: counts[k] for k in PUBLISHED_2020} == PUBLISHED_2020
    assert {k: counts[k] for k in ASSUMED_2020} == ASSUMED_2020
    assert (totals < 50).sum() == 0


def test_2021_reproduces_the_known_figures(tables):
    totals = tables[2021].groupby("unit_code")["appraised_points"].sum()
    assert len(totals) == 110 and round(totals.mean(), 2) == PUBLISHED_MEAN_2021
    assert _band_counts(tables[2021]) == PUBLISHED_2021
    assert (totals < 50).sum() == 0


def test_changes_on_2019_are_the_published_ones(tables):
    before, after = _band_counts(tables[2019]), _band_counts(tables[2020])
    assert {k: after[k] - before[k] for k in PUBLISHED_CHANGE} == PUBLISHED_CHANGE
    assert sum(before.values()) == sum(after.values()) == 110


def test_same_110_units_every_year(tables):
    units = {y: t.drop_duplicates("unit_code").set_index("unit_code")[["unit", "province"]]
             for y, t in tables.items()}
    first, *others = units.values()
    assert len(first) == 110 and len(others) >= 2
    for other in others:
        pd.testing.assert_frame_equal(first, other)
    for t in tables.values():
        assert t.groupby("unit_code")["criterion"].nunique().eq(9).all()
        assert not t.duplicated(["unit_code", "criterion"]).any()


def test_units_are_the_63_provincial_police_and_47_ministry_units(tables):
    u = tables[2020].drop_duplicates("unit_code")
    prov = u[u["unit_type"] == "province"]
    assert len(prov) == 63 and (u["unit_type"] == "ministry").sum() == 47
    assert sorted(prov["province"]) == sorted(load_codebook().provinces)
    assert prov["unit"].str.match(r"^Công an (tỉnh|thành phố) ").all()
    assert set(prov.loc[prov["unit"].str.startswith("Công an thành phố"), "province"]) == {
        "Hà Nội", "Hải Phòng", "Đà Nẵng", "TP. Hồ Chí Minh", "Cần Thơ"}
    assert u.loc[u["unit_type"] == "ministry", "province"].isna().all()
    for text in pd.concat([u["unit"], prov["province"]]):
        assert unicodedata.is_normalized("NFC", text)


def test_points_are_quarter_points_within_the_maxima(tables):
    import yaml

    spec = yaml.safe_load((config.RAW / "par_criteria.yaml").read_text(encoding="utf-8"))
    maxima = {k: v["max_points"] for k, v in spec["criteria"].items()}
    assert sum(maxima.values()) == 100
    for t in tables.values():
        assert list(t.columns) == COLUMNS
        mx = t["criterion"].map(maxima)
        assert mx.notna().all()
        for col in ("appraised_points", "self_points"):
            assert t[col].between(0, mx).all()
            assert np.allclose(t[col] * 4, np.round(t[col] * 4))
        # Units claim more than the council grants, on the whole.
        gap = t.groupby("unit_code")[["self_points", "appraised_points"]].sum()
        assert (gap["self_points"] - gap["appraised_points"]).mean() > 0


def test_the_files_are_plain_utf8_with_unix_line_ends():
    raw = (config.RAW / "par_2020.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    assert raw.decode("utf-8").splitlines()[0] == ",".join(COLUMNS)


@pytest.mark.parametrize("seed", [1, 7])
def test_other_seeds_are_calibrated_too(seed):
    t = sp.synthesize_par(seed)
    shipped = _read(2020)
    assert not np.array_equal(t[2020]["appraised_points"].to_numpy(),
                              shipped["appraised_points"].to_numpy())
    assert round(t[2020].groupby("unit_code")["appraised_points"].sum().mean(), 2) == 85.78
    before, after = _band_counts(t[2019]), _band_counts(t[2020])
    assert {k: after[k] for k in PUBLISHED_2020} == PUBLISHED_2020
    assert {k: after[k] - before[k] for k in PUBLISHED_CHANGE} == PUBLISHED_CHANGE


def test_calibration_targets_follow_the_published_section():
    t = sp.calibration_targets()
    assert t.loc[2020, ["excellent", "good", "fair", "completed"]].tolist() == [14, 81, 11, 4]
    assert t.loc[2019, ["excellent", "good", "fair", "completed"]].tolist() == [10, 68, 24, 8]
    assert t.loc[2020, "mean"] == PUBLISHED_MEAN_2020 and np.isnan(t.loc[2019, "mean"])
    assert t.loc[2021, list(PUBLISHED_2021)].to_dict() == PUBLISHED_2021
    assert t.loc[2021, "mean"] == PUBLISHED_MEAN_2021


def test_a_year_without_counts_needs_the_next_years_change():
    from dataclasses import replace

    from satisfaction.par_index import load_criteria

    criteria = load_criteria()
    stripped = replace(criteria, published={2020: {"counts": criteria.published[2020]["counts"]}})
    with pytest.raises(ValueError, match="no published change from 2019 to 2020"):
        sp.calibration_targets(stripped)


def test_impossible_targets_are_refused():
    with pytest.raises(ValueError, match="add up to 100"):
        sp.calibration_targets(n_units=100)
    targets = sp.calibration_targets()
    targets.loc[2020, "mean"] = 99.0                      # above what the band counts allow
    with pytest.raises(ValueError, match="mean of 99"):
        sp.synthesize_par(targets=targets)
