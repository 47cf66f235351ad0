"""Tests of satisfaction.instrument.quality: response flags, their counts, the rate without them."""

from __future__ import annotations

import numpy as np
import pytest

from instrument_frames import DESIGN, ITEMS, survey_frame
from satisfaction import instrument as ins
from satisfaction.instrument import InstrumentError


def test_response_flags_against_direct_rules(survey):
    flags = ins.response_flags(survey, ITEMS)
    x = survey[ITEMS].astype(float)
    expected_straight = x.notna().all(axis=1) & (x.nunique(axis=1) == 1)
    assert (flags.straightlined == expected_straight).all()
    assert flags.attrs["min_duration_sec"] == 36.0
    assert (flags.fast == (survey.duration_sec < 36)).all()
    expected_incomplete = x.isna().any(axis=1) | survey.q_overall.isna()
    assert (flags.incomplete == expected_incomplete).all()
    assert (flags.flagged == (flags.straightlined | flags.fast | flags.incomplete)).all()
    assert (flags.loc[flags.straightlined, "straightline_value"].isin([3, 5])).all()
    custom = ins.response_flags(survey, ITEMS, min_duration_sec=500)
    assert custom.fast.sum() == (survey.duration_sec < 500).sum()


def test_response_flags_without_durations():
    df = survey_frame(200, durations=False).drop(columns="duration_sec")
    flags = ins.response_flags(df, ITEMS, duration=None)
    assert not flags.fast.any() and not flags.duration_known.any()
    with pytest.raises(InstrumentError, match="negative"):
        ins.response_flags(survey_frame(50).assign(duration_sec=-1.0), ITEMS)


def test_quality_summary_counts(two_years):
    flags = ins.response_flags(two_years, ITEMS)
    summary = ins.quality_summary(two_years, flags)
    s20 = summary.query("year == 2020").set_index("flag")
    part = flags[two_years.year == 2020]
    w = two_years.weight[two_years.year == 2020]
    assert s20.loc["straightlined", "n_flagged"] == part.straightlined.sum()
    assert s20.loc["fast", "weighted_share"] == pytest.approx(w[part.fast].sum() / w.sum())
    assert summary.query("year == 2019").set_index("flag").loc["fast", "n_checkable"] == 0
    with pytest.raises(InstrumentError, match="indexed like"):
        ins.quality_summary(two_years, flags.reset_index(drop=True).iloc[:10])


def test_quality_sensitivity_rows_are_domains(survey):
    flags = ins.response_flags(survey, ITEMS)
    sens = ins.quality_sensitivity(survey, flags, DESIGN, by=None).set_index("scenario")
    assert sens.index.tolist() == list(ins.SCENARIOS)
    valid = survey.satisfied.notna()
    assert sens.loc["all", "estimate"] == pytest.approx(
        np.average(survey.satisfied[valid], weights=survey.weight[valid]))
    keep = valid & ~flags.straightlined
    without = np.average(survey.satisfied[keep], weights=survey.weight[keep])
    assert sens.loc["straightlined", "estimate"] == pytest.approx(without)
    assert sens.loc["straightlined", "change"] == pytest.approx(
        without - sens.loc["all", "estimate"])
    assert sens.loc["straightlined", "forms_left_out"] == flags.straightlined.sum()
    row = sens.loc["flagged"]
    assert row["change_low"] <= row["change"] <= row["change_high"]
    # the change's interval is the contrast of the two overlapping domains of the design
    direct = DESIGN.build(survey).contrast("satisfied", ~flags.flagged, np.ones(len(survey), bool))
    assert (row["change_low"], row["change_high"]) == pytest.approx(
        (direct["ci_low"], direct["ci_high"]), rel=1e-12)
    nodur = survey.assign(duration_sec=np.nan)
    s2 = ins.quality_sensitivity(nodur, ins.response_flags(nodur, ITEMS), DESIGN, by=None)
    assert not s2.set_index("scenario").loc["fast", "checkable"]
