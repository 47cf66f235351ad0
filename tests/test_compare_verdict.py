"""One verdict per comparison: a property test over rates, sizes, design effects and levels.

For change tables built from microdata-like estimate tables (design degrees of freedom from 0 --
a single PSU -- to many, design effects below and above 1, rates at 0 % and 100 %) and from
published figures, and for the readings of a reported change, every way the page can state the
verdict must say the same thing: ``significant``, ``interval_excludes_zero``, ``p_value <
1 - level``, the points interval excluding 0, the relative interval excluding 0, ``verdict``, the
tipping point, and the sentences of :mod:`satisfaction.report.change`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from satisfaction import compare as cmp
from satisfaction.i18n import render
from satisfaction.report import change as rc

LEVELS = st.sampled_from([0.8, 0.9, 0.95, 0.99])
RATES = st.one_of(st.sampled_from([0.0, 1.0, 0.5, 0.9, 0.97, 0.995, 0.02]),
                  st.floats(1e-9, 1 - 1e-9))  # a survey rate: 0, 1, or a ratio of weight sums
DFS = st.sampled_from([0.0, 1.0, 2.0, 4.0, 9.0, 30.0, 500.0, np.inf])


@st.composite
def year_rows(draw, rows: int) -> pd.DataFrame:
    """An estimate table as a design gives it: se = sqrt(deff p (1 - p) / n), design df."""
    p = np.array(draw(st.lists(RATES, min_size=rows, max_size=rows)))
    n = np.array(draw(st.lists(st.integers(1, 5000), min_size=rows, max_size=rows)), float)
    deff = np.array(draw(st.lists(st.floats(0.3, 20.0), min_size=rows, max_size=rows)))
    df = np.array(draw(st.lists(DFS, min_size=rows, max_size=rows)))
    return pd.DataFrame({"estimate": p, "se": np.sqrt(deff * p * (1 - p) / n), "n": n, "df": df},
                        index=pd.RangeIndex(rows, name="domain"))


def _words_agree(row: pd.Series, level: float) -> None:
    """The sentence on one change says what its row says."""
    text = rc.describe_change(row, years=(2020, 2019), level=level).render("en")
    larger = "larger than sampling error" in text
    assert larger == bool(row["significant"]), text
    assert ("a rise" in text) == (row["verdict"] == cmp.VERDICT_RISE)
    assert ("a fall" in text) == (row["verdict"] == cmp.VERDICT_FALL)
    low = re.search(r"interval ([+-]\d+\.\d\d) to ([+-]\d+\.\d\d) points", text)
    assert low is not None, text
    assert low.group(1) == f"{100 * row['change_low']:+.2f}"
    assert low.group(2) == f"{100 * row['change_high']:+.2f}"
    if row["significant"] and row["change"] > 0:
        assert not low.group(1).startswith("-")
    if not row["significant"]:
        assert low.group(1).startswith("-") or low.group(1) == "+0.00"
        assert low.group(2).startswith("+") or low.group(2) == "-0.00"
    alpha = cmp.significance_level(level)
    p = re.search(r"p ([<=]) (\d(?:\.\d+)?(?:e-\d+)?)", text)
    assert p is not None, text
    if p.group(1) == "<":
        assert row["significant"] and float(p.group(2)) <= alpha
    else:
        assert (float(p.group(2)) < alpha) == bool(row["significant"]) or (
            not row["significant"] and float(p.group(2)) >= alpha)
    beyond = rc.beyond_sampling_error(row)
    assert (beyond is not None) == bool(row["significant"])
    if beyond is not None:
        assert "06_robustness.html" in beyond.render("en")


def _one_verdict(t: pd.DataFrame, level: float) -> int:
    """Every statement of the verdict agrees, row by row; returns the rows checked."""
    alpha = cmp.significance_level(level)
    rows = t[t["status"] == cmp.STATUS_BOTH]
    for _, row in rows.iterrows():
        sig = bool(row["significant"])
        assert sig == bool(row["interval_excludes_zero"])
        assert sig == (row["p_value"] < alpha), row
        assert sig == ((row["change_low"] > 0) or (row["change_high"] < 0)), row
        if np.isfinite(row["ratio"]):
            assert sig == ((row["ratio_low"] > 1) or (row["ratio_high"] < 1)), row
            assert row["ratio_low"] <= row["ratio"] <= row["ratio_high"]
        assert row["change_low"] <= row["change"] <= row["change_high"]
        expected = (cmp.VERDICT_RISE if sig and row["change"] > 0 else
                    cmp.VERDICT_FALL if sig else cmp.VERDICT_WITHIN)
        assert row["verdict"] == expected
        assert np.isclose(row["p_value"], min(1.0, 2 * stats.norm.sf(abs(row["z"]))),
                          rtol=1e-9, atol=1e-300)
        assert 0 <= row["p_value"] <= 1
        _words_agree(row, level)
    return len(rows)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), level=LEVELS, rows=st.integers(1, 12))
def test_microdata_changes_have_one_verdict(data, level, rows):
    current = data.draw(year_rows(rows))
    base = data.draw(year_rows(rows))
    t = cmp.change_table(current, base, level=level)
    comparable = (current["n"] > 0) & (base["n"] > 0)
    # never a silent NaN: every domain of both years has its intervals
    assert t.loc[comparable.to_numpy(), "change_low"].notna().all()
    assert _one_verdict(t, level) == int(comparable.sum())
    single = ((current["df"] < 1) | (base["df"] < 1) | (current["n"] < 2) | (base["n"] < 2))
    assert ((t["test"] == cmp.TEST_BINOMIAL) == single.to_numpy()).all()


@settings(max_examples=60, deadline=None)
@given(p1=st.lists(RATES, min_size=8, max_size=8), p0=st.lists(RATES, min_size=8, max_size=8),
       n1=st.integers(1, 50_000), n0=st.lists(st.integers(1, 50_000), min_size=8, max_size=8),
       d1=st.floats(0.3, 60.0), d0=st.lists(st.floats(0.3, 60.0), min_size=8, max_size=8),
       level=LEVELS)
def test_published_comparisons_have_one_verdict(p1, p0, n1, n0, d1, d0, level):
    t = cmp.compare_published(p1, n1, p0, n0, d1, d0, level=level).assign(status=cmp.STATUS_BOTH)
    assert _one_verdict(t, level) == 8


@settings(max_examples=40, deadline=None)
@given(p1=st.floats(0.05, 0.999), reported=st.floats(-30.0, 30.0).filter(lambda x: abs(x) > 1e-3),
       n1=st.integers(30, 30_000), n0=st.integers(30, 30_000), deff=st.floats(0.5, 50.0),
       level=LEVELS)
def test_readings_tipping_points_and_words_agree_with_the_verdict(p1, reported, n1, n0, deff,
                                                                  level):
    implied = cmp.implied_base_rates(p1, reported / 100)
    if not all(0 <= v <= 1 for v in implied.values()):
        return
    r = cmp.two_readings(p1, reported / 100, n1, n0, deff, deff, level=level)
    for reading, row in r.iterrows():
        crit, neff0 = row["n_eff_base_critical"], n0 / deff
        if np.isfinite(crit) and abs(neff0 / crit - 1) > 1e-6:
            assert bool(row["significant"]) == (neff0 > crit), (reading, row)
        both = row["deff_both_critical"]
        if np.isfinite(both) and both > 0 and abs(deff / both - 1) > 1e-6:
            assert bool(row["significant"]) == (deff < both), (reading, row)
    table = rc.readings_table(r, years=(2020, 2019), level=level).download("en")
    verdicts = table.set_index("Figure").loc["Verdict"]
    words = rc.readings_verdict(r, years=(2020, 2019), level=level)
    for (reading, row), line in zip(r.iterrows(), words, strict=False):
        larger = row["verdict"] in (cmp.VERDICT_RISE, cmp.VERDICT_FALL)
        shown = verdicts[render(rc.READING_NAMES[reading], "en")]
        assert (shown == "larger than sampling error") == larger
        text = line.render("en")
        assert (" this is a rise larger than sampling error" in text) == (
            row["verdict"] == cmp.VERDICT_RISE)
        assert (" this is within sampling error" in text) == (not larger)
        assert "real" not in text


def test_the_shipped_change_has_one_verdict(tmp_path):
    """The +9.76 of 2020 on 2019, both readings, at the least favourable design effects."""
    r = cmp.two_readings(0.9645, "+9.76 %", 22250, 22250, 50.0, 50.0)
    assert (r["verdict"] == cmp.VERDICT_RISE).all()
    grids = cmp.readings_sensitivity(r)
    for grid in grids.values():
        assert _one_verdict(grid.assign(status=cmp.STATUS_BOTH), 0.95) == 72
