"""Tests of satisfaction.instrument.groups: rates by channel and respondent type, their contrasts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from instrument_frames import DESIGN
from satisfaction import instrument as ins
from satisfaction.instrument import InstrumentError


def test_group_contrasts_differences_and_errors(two_years):
    contrasts = ins.group_contrasts(two_years, DESIGN)
    assert len(contrasts) == 4
    row = contrasts.query("year == 2020 and variable == 'channel'").iloc[0]
    part = two_years[two_years.year == 2020]
    valid = part.satisfied.notna()
    means = {g: np.average(part.satisfied[valid & (part.channel == g)],
                           weights=part.weight[valid & (part.channel == g)])
             for g in ("online", "in_person")}
    assert row["difference"] == pytest.approx(means["online"] - means["in_person"])
    sd = DESIGN.build(part)
    direct = sd.contrast("satisfied", part.channel == "online", part.channel == "in_person")
    assert row["se"] == pytest.approx(direct["se"])
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(abs(row["difference"] / row["se"])))
    assert row["difference"] < 0          # the frame makes online respondents less satisfied
    within = ins.group_contrasts(part, DESIGN, within="level", by=None)
    assert set(within["level"]) == {"all", "central", "province", "district", "commune"}
    central = within.query("variable == 'channel' and level == 'central'").iloc[0]
    inside = part.level == "central"
    ref = sd.contrast("satisfied", inside & (part.channel == "online"),
                      inside & (part.channel == "in_person"))
    assert central["se"] == pytest.approx(ref["se"])
    p = within["p_value"].to_numpy()                  # Holm by hand: sorted, (m - i) p, running max
    order = np.argsort(p)
    adjusted = np.minimum(np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order]), 1)
    np.testing.assert_allclose(within["p_holm"].to_numpy()[order], adjusted)
    with pytest.raises(InstrumentError, match="no row equal"):
        ins.group_contrasts(part, DESIGN, contrasts=[("channel", "phone", "online")], by=None)
    with pytest.raises(ValueError, match="level"):
        ins.group_contrasts(part, DESIGN, level=1.5, by=None)
    with pytest.raises(InstrumentError, match="DesignSpec"):
        ins.group_contrasts(part, {"weights": "weight"}, by=None)


def test_group_rates_are_domain_estimates(two_years):
    rates = ins.group_rates(two_years, DESIGN, ["channel", "respondent_type"])
    part = two_years[two_years.year == 2020]
    expected = DESIGN.build(part).proportion("satisfied", by="channel")
    got = rates.query("year == 2020 and variable == 'channel'").set_index("group")
    np.testing.assert_allclose(got.loc[expected.index, ["estimate", "se", "ci_low", "ci_high"]],
                               expected[["estimate", "se", "ci_low", "ci_high"]], rtol=1e-12)
    assert set(rates["variable"]) == {"channel", "respondent_type"}
