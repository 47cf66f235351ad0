"""Beyond sampling error: the robustness analyses recover what the generator planted."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from satisfaction import config
from satisfaction.codebook import Codebook
from satisfaction.compare import compare_designs, decompose_change
from satisfaction.design import SurveyDesign
from satisfaction.instrument import response_flags
from satisfaction.robustness import (
    DEFAULT_COMPOSITION,
    TOGETHER,
    YearSource,
    common_items,
    composition_table,
    courtesy_curve,
    courtesy_tipping,
    like_for_like,
    nonresponse_tipping,
    office_selection,
    quality_change,
    review,
    review_years,
    tipping_points,
)
from satisfaction.synth import PLANTED_FILE, Planting, build_frame, synthesize_year

DESIGN = {"weights": "weight", "strata": "stratum", "psu": "office_code", "lonely_psu": "adjust"}


@pytest.fixture(scope="module")
def frame(codebook):
    return build_frame(codebook)


def _designs(planting: Planting, codebook: Codebook, frame: pd.DataFrame
             ) -> tuple[SurveyDesign, SurveyDesign, dict]:
    truths = {y: synthesize_year(y, codebook=codebook, frame=frame, planting=planting)[1]
              for y in (2019, 2020)}
    designs = []
    for year in (2020, 2019):
        df = truths[year].copy()
        df["satisfied"] = (df["q_overall"] >= 4).astype(float)
        if year == 2019:
            df["duration_sec"] = np.nan  # as in the shipped 2019 file: no durations
        designs.append(SurveyDesign(df, **DESIGN))
    return designs[0], designs[1], planting.truth(truths)


@pytest.fixture(scope="module")
def composition_only(codebook, frame):
    return _designs(Planting(composition=0.02), codebook, frame)


@pytest.fixture(scope="module")
def courtesy_only(codebook, frame):
    return _designs(Planting(courtesy=0.04), codebook, frame)


@pytest.fixture(scope="module")
def both(codebook, frame):
    return _designs(Planting(composition=-0.01, courtesy=0.03), codebook, frame)


def _covers(row: pd.Series, value: float) -> bool:
    return bool(row["ci_low"] <= value <= row["ci_high"])


# --------------------------------------------------------------------------- planted truth


def test_the_decomposition_recovers_a_planted_composition_shift(composition_only):
    current, base, truth = composition_only
    table = decompose_change(current, base, "satisfied", by="channel")
    assert _covers(table.loc["composition"], 0.02)
    assert table.loc["composition", "estimate"] == pytest.approx(truth["composition_channel"],
                                                                 abs=1e-12)
    assert table.loc["composition", "estimate"] == pytest.approx(0.02, abs=1e-4)
    assert _covers(table.loc["within"], 0.0) and abs(table.loc["within", "estimate"]) < 1e-4
    # the standardised change (the baseline's mix) is the within-channel change: none
    assert _covers(table.loc["standardised_change"], 0.0)


def test_every_characteristic_crossed_still_recovers_it_within_its_interval(composition_only):
    current, base, _ = composition_only
    table = composition_table(current, base, "satisfied", DEFAULT_COMPOSITION)
    together = table.loc[TOGETHER]
    assert together["composition_low"] <= 0.02 <= together["composition_high"]
    assert table.loc["channel", "composition"] == pytest.approx(0.02, abs=1e-4)
    for column in ("level", "region"):  # the same offices and weights: no shift planted there
        assert abs(table.loc[column, "composition"]) < 2e-3


def test_the_courtesy_tipping_point_recovers_a_planted_courtesy_share(courtesy_only):
    current, base, truth = courtesy_only
    assert truth["realised"][2020]["courtesy_share"] == pytest.approx(0.04, abs=1e-4)
    tips = tipping_points(current, base, "satisfied")
    c = tips.courtesy
    assert c["share_erase_low"] <= 0.04 <= c["share_erase_high"]
    assert c["share_erase"] == pytest.approx(0.04, abs=2e-4)
    assert 0 < c["share_nonsignificant"] < c["share_erase"]
    composition = decompose_change(current, base, "satisfied", by="channel")
    assert _covers(composition.loc["composition"], 0.0)


def test_with_both_planted_composition_and_courtesy_are_told_apart(both):
    current, base, truth = both
    planting = Planting(composition=-0.01, courtesy=0.03)
    table = decompose_change(current, base, "satisfied", by="channel")
    assert _covers(table.loc["composition"], -0.01)
    assert _covers(table.loc["within"], planting.courtesy_points)
    assert table.loc["within", "estimate"] == pytest.approx(truth["within_channel"], abs=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"composition": 0.1}, "online share"),
    ({"courtesy": 0.6}, "courtesy must be"),
    ({"courtesy": 0.2}, "dissatisfied respondents can give"),
    ({"mode_gap": 0.0}, "mode_gap"),
])
def test_a_planting_that_cannot_be_planted_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Planting(**kwargs)


def test_planting_another_year_is_refused(codebook, frame):
    truth = synthesize_year(2020, codebook=codebook, frame=frame)[1]
    with pytest.raises(ValueError, match="not in the planted pair"):
        Planting(composition=0.01).apply(truth, 2018, 1)


@pytest.mark.slow
def test_the_cli_plants_and_the_pipeline_recovers_it_after_cleaning(tmp_path):
    from satisfaction.clean import clean_file

    out = tmp_path / "raw"
    cmd = [sys.executable, "-m", "satisfaction.cli", "synth", "--out", str(out),
           "--plant-composition", "0.015", "--plant-courtesy", "0.02"]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    truth = json.loads((out / PLANTED_FILE).read_text(encoding="utf-8"))
    assert truth["planted"]["composition"] == 0.015 and truth["planted"]["courtesy"] == 0.02
    designs = {}
    for year, name, sheet in ((2020, "survey_2020.csv", None),
                              (2019, "survey_2019.xlsx", "Phieu khao sat")):
        result = clean_file(out / name, year, tmp_path / str(year), sheet=sheet,
                            offices_path=out / "offices.csv")
        designs[year] = SurveyDesign(result.data, **DESIGN)
    table = decompose_change(designs[2020], designs[2019], "satisfied", by="channel")
    assert table.loc["composition", "estimate"] == pytest.approx(truth["composition_channel"],
                                                                 abs=1e-9)
    assert _covers(table.loc["composition"], 0.015)
    assert table.loc["total", "estimate"] == pytest.approx(truth["change"], abs=1e-9)


def test_the_cli_refuses_an_impossible_planting(tmp_path):
    from satisfaction.cli import main

    assert main(["synth", "--out", str(tmp_path), "--plant-courtesy", "0.7"]) == 2
    assert not (tmp_path / PLANTED_FILE).exists()


# --------------------------------------------------------------------------- like for like


def test_common_items_of_identical_codebooks_are_all_the_same(codebook):
    table = common_items(codebook, codebook)
    assert table["status"].eq("same").all() and len(table) == len(codebook.likert_columns)


def _revised(codebook: Codebook) -> Codebook:
    """A next year's questionnaire: f3 reworded, p4 dropped, a new item z1."""
    spec = json.loads(json.dumps(codebook.spec))
    spec["columns"]["f3"]["vi"] = "Được thông báo kết quả xử lý góp ý trong 10 ngày"
    del spec["columns"]["p4"]
    spec["components"]["procedures"]["items"] = ["p1", "p2", "p3"]
    spec["columns"]["z1"] = {"kind": "likert", "component": "feedback", "vi": "Mới", "en": "New"}
    spec["components"]["feedback"]["items"] = ["f1", "f2", "f3", "z1"]
    return replace(codebook, spec=spec)


def test_common_items_names_each_difference(codebook):
    table = common_items(_revised(codebook), codebook)
    assert table.loc["f3", "status"] == "wording differs"
    assert table.loc["z1", "status"] == "current only"
    assert table.loc["p4", "status"] == "base only"
    assert table.loc["a1", "status"] == "same"
    spec = json.loads(json.dumps(codebook.spec))
    spec["likert"]["scale"] = [1, 7]
    assert common_items(replace(codebook, spec=spec), codebook)["status"].eq(
        "scale differs").sum() == len(codebook.likert_columns)
    with pytest.raises(TypeError):
        common_items("a1", codebook)


def test_like_for_like_views_are_the_changes_of_those_domains(both, codebook):
    current, base, _ = both
    table = like_for_like(current, base, "satisfied", items=(codebook, codebook))
    by_channel = compare_designs(current, base, "satisfied", "channel")
    for value in ("in_person", "online"):
        row = table.loc[f"channel={value}"]
        assert row["change"] == pytest.approx(by_channel.loc[value, "change"], rel=1e-12)
        assert row["change_low"] == pytest.approx(by_channel.loc[value, "change_low"])
    assert table.loc["all", "change"] == pytest.approx(
        compare_designs(current, base, "satisfied").iloc[0]["change"])
    assert table.loc["common items", "value"] == "17/17"


def test_the_items_view_uses_only_the_items_both_years_asked_the_same_way(both, codebook):
    current, base, _ = both
    revised = _revised(codebook)
    table = like_for_like(current, base, "satisfied", items=(revised, codebook), views=[])
    assert table.loc["common items", "value"] == "15/17"
    usable = [i for i in codebook.items if i not in ("f3", "p4")]
    manual = []
    for design in (current, base):
        mean = design.data[usable].astype(float).mean(axis=1)
        w = design.data["weight"]
        manual.append(float((w * (mean >= 4)).sum() / w.sum()))
    assert table.loc["common items", "p_current"] == pytest.approx(manual[0], abs=1e-12)
    assert table.loc["common items", "p_base"] == pytest.approx(manual[1], abs=1e-12)


def test_a_view_missing_in_a_year_keeps_its_row(both):
    current, base, _ = both
    table = like_for_like(current, base, "satisfied",
                          views=[("channel", "kiosk"), ("no_such_column", "x")])
    assert table.loc["channel=kiosk", "status"] == "in neither year"
    assert "not in the survey table" in table.loc["no_such_column=x", "status"]


# --------------------------------------------------------------------------- response quality


def _flags(design: SurveyDesign, codebook: Codebook) -> pd.DataFrame:
    return response_flags(design.data, codebook.items, codebook.overall_item, "duration_sec")


def test_quality_change_says_where_very_fast_forms_could_be_looked_for(both, codebook):
    current, base, _ = both
    flags = (_flags(current, codebook), _flags(base, codebook))
    table = quality_change(current, base, "satisfied", flags=flags)
    assert list(table.index) == ["all", "straightlined", "fast", "incomplete", "flagged"]
    assert table.loc["fast", "checked_in"] == "current"
    assert table.loc["straightlined", "checked_in"] == "both"
    assert table.loc["fast", "left_out_base"] == 0
    assert table.loc["flagged", "left_out_current"] == int(flags[0]["flagged"].sum())
    overall = compare_designs(current, base, "satisfied").iloc[0]
    assert table.loc["all", "change"] == pytest.approx(overall["change"], rel=1e-12)
    keep = ~flags[0]["straightlined"].to_numpy()
    w = current.data["weight"].to_numpy()
    y = current.data["satisfied"].to_numpy()
    assert table.loc["straightlined", "p_current"] == pytest.approx(
        np.dot(w[keep], y[keep]) / w[keep].sum(), abs=1e-12)


@pytest.mark.parametrize("ci_method", ["beta", "logit"])
def test_a_view_of_the_whole_sample_reads_exactly_as_the_change_page(both, codebook, ci_method):
    """One number, one face: every view that keeps every respondent (all forms, the offices
    surveyed in both years) is the change page's overall row, interval and p-value included
    (each year's design interval with its design df, as page 03 and the index show it)."""
    current, base, _ = both
    flags = (_flags(current, codebook), _flags(base, codebook))
    overall = compare_designs(current, base, "satisfied", ci_method=ci_method).iloc[0]
    table = quality_change(current, base, "satisfied", flags=flags, ci_method=ci_method)
    columns = ["change", "change_low", "change_high", "rel_change_low", "rel_change_high",
               "p_value"]
    assert table.loc["all", columns].astype(float).to_numpy() == pytest.approx(
        overall[columns].astype(float).to_numpy(), rel=1e-12)
    r = review(current, base, "satisfied", items=(codebook, codebook), flags=flags,
               sources=(YearSource("csv"), YearSource("xlsx")), ci_method=ci_method,
               years=(2020, 2019))
    offices = r.checklist.loc["offices"]
    assert offices["detail"]["in_both"] == current.data["office_code"].nunique()
    assert [offices["estimate"], offices["ci_low"], offices["ci_high"]] == pytest.approx(
        [overall["change"], overall["change_low"], overall["change_high"]], rel=1e-12)
    assert r.change[columns].astype(float).to_numpy() == pytest.approx(
        overall[columns].astype(float).to_numpy(), rel=1e-12)
    if ci_method == "beta":  # the other method gives another interval: the method is used
        other = compare_designs(current, base, "satisfied", ci_method="logit").iloc[0]
        assert other["change_low"] != pytest.approx(overall["change_low"], rel=1e-9)


def test_quality_change_refuses_flags_of_other_rows(both, codebook):
    current, base, _ = both
    flags = _flags(current, codebook)
    with pytest.raises(ValueError, match="indexed like"):
        quality_change(current, base, flags=(flags, flags.iloc[:10]))
    with pytest.raises(ValueError, match="lack"):
        quality_change(current, base, flags=(flags.drop(columns="fast"), _flags(base, codebook)))


# --------------------------------------------------------------------------- tipping points


def test_courtesy_tipping_point_erases_the_change_and_its_significance():
    p1, se1, p0, se0 = 0.9645, 0.0018, 0.8669, 0.0045
    t = courtesy_tipping(p1, se1, p0, se0)
    assert p1 * (1 - t["share_erase"]) == pytest.approx(p0, abs=1e-15)
    curve = courtesy_curve(p1, se1, p0, se0, [t["share_nonsignificant"]])
    assert curve["ci_low"].iloc[0] == pytest.approx(0, abs=1e-10)
    fall = courtesy_tipping(0.8, 0.01, 0.9, 0.01)
    assert np.isnan(fall["share_erase"]) and fall["change"] < 0
    flat = courtesy_tipping(0.9, 0.02, 0.89, 0.02)  # not significant to begin with
    assert flat["share_nonsignificant"] == 0 and flat["share_erase"] > 0


def test_nonresponse_tipping_points():
    t = nonresponse_tipping(0.95, 0.002, 0.85, 0.004, [0.5, 0.95])
    assert t.loc[0.5, "gap_erase"] == pytest.approx(0.2)
    assert t.loc[0.5, "nonrespondent_rate_erase"] == pytest.approx(0.75)
    assert not t.loc[0.95, "possible"]
    assert (t["gap_nonsignificant"] < t["gap_erase"]).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nonresponse_tipping(0.95, 0.002, 0.85, 0.004, [0.5, 1.0])


def test_office_selection_against_the_design_with_its_weights_changed(both):
    current, base, _ = both
    p0 = float(base.proportion("satisfied")["estimate"].iloc[0])
    sel = office_selection(current, p0, 0.004, "satisfied", factors=[1, 3])
    own = current.proportion("satisfied").iloc[0]
    assert sel.table.loc[1.0, "rate"] == pytest.approx(own["estimate"], abs=1e-14)
    assert sel.table.loc[1.0, "se"] == pytest.approx(own["se"], rel=1e-9)
    # an independent computation: rebuild the design with the top offices' weights divided by 3
    w = current.data["weight"].to_numpy()
    top = current.data["office_code"].isin(_top_codes(current, 0.2))
    assert top.groupby(current.data["office_code"]).first().sum() == sel.offices
    assert sel.weight_share == pytest.approx(w[top].sum() / w.sum(), abs=1e-12)
    changed = current.data.assign(weight=np.where(top, w / 3, w))
    again = SurveyDesign(changed, **DESIGN).proportion("satisfied").iloc[0]
    assert sel.table.loc[3.0, "rate"] == pytest.approx(again["estimate"], abs=1e-12)
    assert sel.table.loc[3.0, "se"] == pytest.approx(again["se"], rel=1e-9)
    if np.isfinite(sel.k_erase):
        erased = current.data.assign(weight=np.where(top, w / sel.k_erase, w))
        assert SurveyDesign(erased, **DESIGN).proportion("satisfied")["estimate"].iloc[0] == \
            pytest.approx(p0, abs=1e-12)
    with pytest.raises(ValueError, match="top_share"):
        office_selection(current, p0, 0.004, top_share=1.0)


def _top_codes(design: SurveyDesign, share: float) -> list[str]:
    """The best-scoring offices holding ``share`` of the weight: highest rate first, ties in the
    design's PSU order (stratum, then office code), until the weight before an office reaches
    ``share`` of the total."""
    d = design.data
    offices = pd.DataFrame({
        "w": d.groupby("office_code")["weight"].sum(),
        "rate": ((d["weight"] * d["satisfied"]).groupby(d["office_code"]).sum()
                 / d.groupby("office_code")["weight"].sum()).round(12),
        "stratum": d.groupby("office_code")["stratum"].first()})
    offices = offices.reset_index().sort_values(["rate", "stratum", "office_code"],
                                                ascending=[False, True, True])
    before = offices["w"].cumsum() - offices["w"]
    return list(offices.loc[before < share * offices["w"].sum(), "office_code"])


def test_office_selection_cannot_erase_a_change_the_other_offices_carry_alone():
    rng = np.random.default_rng(7)
    n = 600
    df = pd.DataFrame({"office_code": rng.integers(0, 30, n).astype(str), "stratum": "s",
                       "weight": rng.uniform(1, 3, n)})
    df["satisfied"] = (rng.uniform(size=n) < 0.9).astype(float)
    design = SurveyDesign(df, **DESIGN)
    sel = office_selection(design, 0.5, 0.01, "satisfied")
    assert np.isinf(sel.k_erase) and np.isinf(sel.k_nonsignificant)
    assert sel.rate_rest > 0.5


# --------------------------------------------------------------------------- the whole review


def test_review_summary_on_the_planted_pair(both, codebook):
    current, base, _ = both
    flags = (_flags(current, codebook), _flags(base, codebook))
    r = review(current, base, "satisfied", items=(codebook, codebook), flags=flags,
               sources=(YearSource("csv", "utf-8", 100, 2), YearSource("xlsx")),
               years=(2020, 2019))
    s = r.summary()
    assert s.significant and s.change > 0
    assert s.composition_low <= -0.01 <= s.composition_high  # all characteristics crossed
    assert s.composition + s.within == pytest.approx(s.change, abs=1e-12)
    assert s.quality_unchecked == {"fast": "current"}
    assert s.courtesy_erase == pytest.approx(1 - r.change["p_base"] / r.change["p_current"])
    assert not s.like_fails or all(k in r.like.index for k in s.like_fails)
    checklist = r.checklist
    assert {"questionnaire", "mode_mix", "fieldwork", "durations", "file_format",
            "design_effect", "offices"} <= set(checklist.index)
    assert checklist.loc["durations", "current"] == 1.0 and checklist.loc["durations", "base"] == 0
    assert checklist.loc["file_format", "same"] is False
    assert checklist.loc["file_format", "detail"]["quarantined"][0] == pytest.approx(0.02)
    assert checklist.loc["mode_mix", "current"] == pytest.approx(0.125, abs=1e-3)  # planted
    assert checklist.loc["mode_mix", "base"] == pytest.approx(0.25, abs=1e-3)
    assert checklist.loc["offices", "detail"]["in_both"] == current.data["office_code"].nunique()
    assert checklist.loc["fieldwork", "measure"] == "restricted"


def test_checklist_without_interview_dates_in_a_year_says_so(both, codebook):
    current, base, _ = both
    no_dates = SurveyDesign(base.data.drop(columns="interview_date"), **DESIGN)
    flags = (_flags(current, codebook), _flags(no_dates, codebook))
    r = review(current, no_dates, "satisfied", items=(codebook, codebook), flags=flags,
               sources=(YearSource("csv"), YearSource("xlsx")), years=(2020, 2019))
    row = r.checklist.loc["fieldwork"]
    assert row["measure"] == "none" and row["detail"] == {"missing": "base"}


def test_a_year_without_baseline_has_no_review():
    from satisfaction.params import load_params

    assert review_years(load_params(2019), None) is None


def test_year_source_without_a_cleaning_log(tmp_path, monkeypatch):
    from satisfaction.params import load_params

    params = load_params(2020)
    monkeypatch.setattr(config, "PROCESSED", tmp_path)
    source = YearSource.from_params(params)
    assert source == YearSource("csv", None) and np.isnan(source.quarantined_share)
