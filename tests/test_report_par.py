"""The PAR page in words: tables a reviewer reads in both languages, findings computed from the
numbers, the calibration label, the assumption behind the ranking's fragility, a bad unit table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from html_lint import lint

from satisfaction import par_index as par
from satisfaction.i18n import render
from satisfaction.params import load_params
from satisfaction.report import par as text

LANGS = ("vi", "en")


@pytest.fixture(scope="module")
def criteria():
    return par.load_criteria()


@pytest.fixture(scope="module")
def years(criteria):
    p = load_params(2020)
    return par.load_year(p, criteria), par.load_baseline_year(p, criteria), p


def _survey(units: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    prov = units.loc[units["unit_type"] == "province", "province"]
    est = np.clip(0.93 + rng.normal(0, 0.02, prov.size), 0, 1)
    return pd.DataFrame({"estimate": est, "se": 0.01, "ci_low": est - 0.02, "ci_high": est + 0.02,
                         "deff": 1.5, "n": 350, "n_eff": 233.0, "df": 12},
                        index=pd.Index(prov.to_numpy(), name="province"))


def _tables(years, criteria):
    current, base, p = years
    summary = par.score_summary(current.units["score"])
    changes = par.band_changes(base.bands, current.bands, "2019", "2020")
    check = par.published_comparison(summary["mean"].iloc[0], changes,
                                     p.published["par_index_mean"], p.published_par(criteria),
                                     after_label="2020")
    matrix = par.transition_matrix(base.bands, current.bands, "2019", "2020")
    fragility = par.fragility(current.units, p.par_bands)
    links = par.satisfaction_links(current.table, _survey(current.units))
    return {
        "criteria": text.criteria_table(criteria),
        "summary": text.summary_table(summary, 0.95),
        "bands": text.bands_table(changes, criteria),
        "published": text.published_table(check, criteria),
        "transitions": text.transitions_table(matrix, criteria),
        "losses": text.losses_table(par.criterion_losses(current.table), criteria),
        "fragility": text.fragility_table(fragility),
        "band_counts": text.band_counts_table(fragility, criteria, par.band_order(p.par_bands)),
        "fragile": text.fragile_table(par.fragile_units(current.units, p.par_bands), criteria),
        "links": text.links_table(links),
    }


def test_every_table_passes_the_lint_in_both_languages(years, criteria):
    for name, table in _tables(years, criteria).items():
        for lang in LANGS:
            assert lint(table.html(lang)) == [], (name, lang)


def test_band_and_criterion_names_come_from_the_criteria_file(years, criteria):
    tables = _tables(years, criteria)
    vi = tables["bands"].html("vi")
    assert all(criteria.band_label(b, "vi") in vi for b in ("excellent", "good", "fair"))
    assert "excellent" not in vi and "not_completed" not in vi
    losses = tables["losses"].html("vi")
    assert all(label in losses for label in criteria.table["vi"])
    transitions = tables["transitions"].download("en")
    assert transitions.columns[-1] == "Total" and "Total" in transitions.iloc[:, 0].tolist()


def test_band_counts_are_whole_numbers_and_changes_signed(years, criteria):
    bands = _tables(years, criteria)["bands"].html("en")
    assert "14.00" not in bands and ">14<" in bands and ">+4<" in bands and ">-13<" in bands


def test_the_published_check_says_calibration_on_synthetic_data(years, criteria):
    current, base, p = years
    summary = par.score_summary(current.units["score"]).iloc[0]
    changes = par.band_changes(base.bands, current.bands, "2019", "2020")
    check = par.published_comparison(summary["mean"], changes, p.published["par_index_mean"],
                                     p.published_par(criteria), after_label="2020")
    fragility = par.fragility(current.units, p.par_bands)
    found = text.findings(summary=summary, counts=par.band_counts(current.bands)["n"],
                          criteria=criteria, confidence=0.95, check=check, synthetic=True,
                          fragility=fragility)
    words = [render(f, "en") for f in found]
    assert any(w.startswith("Calibration, not confirmation") and "7 of 7" in w for w in words)
    # the mean reads as the published figure and the tables read it (per cent), not as points
    mean = f"{summary['mean']:.2f} %"
    assert any(f"scored {mean} on average" in w for w in words) and "points on average" not in " ".join(words)
    real = text.findings(summary=summary, counts=par.band_counts(current.bands)["n"],
                         criteria=criteria, confidence=0.95, check=check.assign(match=False),
                         synthetic=False, fragility=fragility)
    assert any("0 of the 7 published figures" in render(f, "en") for f in real)
    nothing = text.findings(summary=summary, counts=par.band_counts(current.bands)["n"],
                            criteria=criteria, confidence=0.95, check=check.iloc[:0],
                            synthetic=True, fragility=fragility)
    assert any("Nothing about the PAR index was published" in render(f, "en") for f in nothing)


def test_the_fragility_finding_quotes_the_fragility_table(years, criteria):
    current, _, p = years
    fragility = par.fragility(current.units, p.par_bands)
    either = fragility.loc[fragility["direction"] == "either"].set_index("assumption")
    found = render(text._fragility_finding(fragility), "en")
    gap, half = either.loc["gap", "changed"], either.loc["half_gap", "changed"]
    fixed = either.loc["fixed"].set_index("points")["changed"]
    assert f"{gap} of the {len(current.units)} units could change band" in found
    assert f"with half the gap, {half};" in found
    assert f"{fixed[1.0]} for ±1 and {fixed[2.0]} for ±2" in found
    assert "assumption" in found


def test_the_assumption_is_stated(years):
    current = years[0]
    note = [render(m, lang) for m in text.uncertainty_note(current.units) for lang in LANGS]
    assert "**giả định**" in note[0] and "**assumes**" in note[1]
    median = current.units["uncertainty"].median()
    assert f"The median gap is {median:.2f} points" in note[3]


def test_the_correlation_is_also_shown_net_of_the_satisfaction_criterion(years, criteria):
    current = years[0]
    links = par.satisfaction_links(current.table, _survey(current.units))
    table = text.links_table(links).download("en")
    assert table.iloc[:, 0].tolist() == ["The whole PAR score",
                                         "The PAR score net of its satisfaction criterion",
                                         "The satisfaction criterion alone"]
    assert table["Spearman's rank correlation"].tolist() == [
        round(float(link.summary["rho"].iloc[0]), 2) for link in links.values()]
    finding = render(text._link_finding(links, criteria, synthetic=True), "en")
    net = links["net"].summary.iloc[0]
    assert f"net of the index's own satisfaction criterion it is {net['rho']:.2f}" in finding
    assert "chance" in finding
    note = render(text.link_note(False, criteria), "en")
    assert "20 of 100 points" in note and "chance" not in note


def test_without_a_satisfaction_criterion_the_page_says_why(tmp_path):
    spec = tmp_path / "criteria.yaml"
    spec.write_text("criteria:\n  a: {max_points: 50}\n  b: {max_points: 50}\n", encoding="utf-8")
    plain = par.load_criteria(spec)
    assert "names no criterion that scores citizens' satisfaction" in render(
        text.link_note(True, plain), "en")


def test_a_faulty_unit_table_is_listed_in_words(criteria):
    rows = pd.DataFrame({"unit_code": ["U1"] * 9 + ["", "U2"], "unit": "Đơn vị",
                         "criterion": [*criteria.codes, "direction", "nonsense"],
                         "appraised_points": [*map(str, criteria.max_points), "3", "2"],
                         "self_points": "1"})
    rows.loc[0, "appraised_points"] = "12"                 # above the maximum of 10
    rows.loc[1, "appraised_points"] = "-1"                 # negative
    table = par.load_par(rows, criteria, 2020)
    shown = text.problems_table(table.problems, criteria)
    for lang in LANGS:
        assert lint(shown.html(lang)) == []
    en = shown.download("en")
    assert {"points above the criterion's maximum", "points below 0", "no unit code",
            "criterion not in the criteria file"} <= set(en["Fault"])
    assert "capped at the criterion's maximum" in set(en["What was done"])
    assert "above_max" not in shown.html("vi") and "điểm nhỏ hơn 0" in shown.html("vi")


def test_sentences(criteria):
    units = pd.DataFrame({"unit_type": ["province", "ministry", None], "complete": [True] * 3})
    vi = render(text.units_sentence(units, criteria), "vi")
    assert "Công an cấp tỉnh" in vi and "đơn vị thuộc Bộ" in vi and "đơn vị khác" in vi
    moves = pd.Series({"moved_up": 2, "stayed": 5, "moved_down": 1, "entered": 3, "left": 0})
    en = render(text.moves_sentence(moves, 2019), "en")
    assert "2 units moved up" in en and "1 unit moved down" in en and "(s)" not in en
    assert "scored this year only: 3 units; in 2019 only: 0 units" in en
    assert "2 đơn vị lên" in render(text.moves_sentence(moves, 2019), "vi")
    assert "(s)" not in render(text.units_sentence(units, criteria), "en")
    incomplete = units.assign(complete=[True, False, True])
    assert render(text.units_sentence(incomplete, criteria), "en").endswith(
        "incomplete, lacking a criterion's points: 1 unit.")
    gone = pd.DataFrame({"province": ["Cà Mau", "Atlantis"],
                         "side": ["PAR only", "satisfaction only"]})
    assert render(text.unmatched_sentence(gone), "en") == (
        "Left out of the correlation: Cà Mau (no survey estimate for the province); Atlantis "
        "(no PAR unit for the province).")
    assert text.unmatched_sentence(gone.iloc[:0]) is None
    odd = text.thresholds_sentence({"top": 90.5, "excellent": 80}, criteria)
    assert "top from 90.50 points" in render(odd, "en")

