"""Tests of satisfaction.instrument.precision: respondents needed for a chosen half-width."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from instrument_frames import DESIGN, survey_frame
from satisfaction import instrument as ins
from satisfaction.instrument import InstrumentError


def test_sample_size_for_half_width_formula():
    z = stats.norm.ppf(0.975)
    got = ins.sample_size_for_half_width([0.96, 0.5], [2.5, 1.0], 0.01)
    assert got.tolist() == [int(np.ceil(2.5 * z * z * 0.96 * 0.04 / 1e-4)),
                            int(np.ceil(z * z * 0.25 / 1e-4))]
    with pytest.raises(InstrumentError, match="half_width"):
        ins.sample_size_for_half_width(0.5, 1, 0.7)


def test_sample_size_for_precision_uses_the_least_favourable_end():
    prec = ins.sample_size_for_precision(survey_frame(), DESIGN, half_width=0.03, by=None)
    assert set(prec.level) == {"central", "province", "district", "commune"}
    for r in prec.itertuples():
        end = r.ci_low if r.ci_low > 0.5 else min(0.5, r.ci_high)
        assert r.p_plan == end
        assert r.n_required == ins.sample_size_for_half_width(end, r.deff, 0.03)
