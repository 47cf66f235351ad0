"""Tests of satisfaction.instrument.settings: thresholds from the params, components."""

from __future__ import annotations

from dataclasses import replace

import pytest

from satisfaction.instrument import InstrumentError, InstrumentSettings, components_from_codebook
from satisfaction.params import load_params


def test_settings_from_params_and_errors():
    P = load_params(2020)
    s = InstrumentSettings.from_params(
        replace(P, instrument={"min_duration_sec": 60, "half_width": 0.01}))
    assert s.duration_threshold(18) == 60 and s.half_width == 0.01
    assert InstrumentSettings().duration_threshold(18) == 36.0
    assert InstrumentSettings.from_params(P) == InstrumentSettings()   # no instrument: section

    with pytest.raises(InstrumentError, match="unknown instrument setting"):
        InstrumentSettings.from_params(replace(P, instrument={"min_duraton": 60}))
    with pytest.raises(InstrumentError, match="need a number"):
        InstrumentSettings(alpha_min=-1)
    with pytest.raises(InstrumentError, match="half_width"):
        InstrumentSettings(half_width=0.9)


def test_components_come_from_the_codebook(codebook):
    components = components_from_codebook(codebook)
    assert list(components) == list(codebook.components)
    assert sum(len(items) for items in components.values()) == 17
