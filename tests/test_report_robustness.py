"""The robustness page in words and figures: every verdict branch, both languages, tables through
the presentation layer (escaped, one rule per kind of number, the HTML lint), and the change read
as on the change page."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from html_lint import lint
from matplotlib.figure import Figure

from satisfaction.i18n import render
from satisfaction.plots.robustness import composition_plot, tipping_plot, views_plot
from satisfaction.report import robustness as text
from satisfaction.robustness import SelectionTipping, Summary, TippingPoints


def _summary(**changes) -> Summary:
    base = Summary(
        change=0.0976, change_low=0.0883, change_high=0.1072, significant=True,
        composition=-0.0024, composition_low=-0.0044, composition_high=-0.0003,
        composition_share=-0.024, within=0.1, within_low=0.0905, within_high=0.1094,
        like_holds=["channel=in_person", "channel=online"], like_fails=[],
        quality_holds=["straightlined", "fast"], quality_fails=[],
        quality_unchecked={"fast": "current"}, courtesy_erase=0.1012,
        courtesy_nonsignificant=0.0915,
        nonresponse=pd.Series([0.8251, 0.7693, -0.0114], index=[0.3, 0.5, 0.9]),
        selection_k_erase=np.inf, selection_k_nonsignificant=np.inf)
    return replace(base, **changes)


def _selection(k_erase: float = np.inf) -> SelectionTipping:
    table = pd.DataFrame({"rate": [0.9645, 0.959], "se": [0.0018, 0.0018],
                          "change": [0.0976, 0.0921], "ci_low": [0.088, 0.083],
                          "ci_high": [0.107, 0.101]}, index=pd.Index([1.0, 3.0], name="factor"))
    return SelectionTipping(table, 133, 518, 0.2, 1.0, 0.9556, k_erase, np.inf)


class _Review:
    """Just what :func:`text.verdict` reads of a RobustnessReview."""

    def __init__(self, summary: Summary, selection: SelectionTipping | None = None) -> None:
        self._summary = summary
        self.years = (2020, 2019)
        self.level = 0.95
        self.by = ["level", "channel"]
        self.change = pd.Series({"p_current": 0.9645, "p_base": 0.8669})
        self.like = pd.DataFrame({"value": [np.nan, "in_person", "online"]},
                                 index=["all", "channel=in_person", "channel=online"])
        self.tipping = TippingPoints(pd.Series(dtype=float), pd.DataFrame(), pd.DataFrame(),
                                     selection or _selection())

    def summary(self) -> Summary:
        return self._summary


def _text(summary: Summary, lang: str = "en", selection=None) -> str:
    return "\n".join(render(m, lang) for m in text.verdict(_Review(summary, selection)))


def test_the_verdict_never_calls_a_change_real_on_sampling_error_alone():
    words = _text(_summary())
    assert "Larger than sampling error" in words
    assert "does not yet make the change real" in words
    assert "still does not prove it real" in words
    assert not re.search(r"\b(is|a) real (rise|change)\b", words)
    assert "+9.76 points" in words and "10.1 %" in words
    assert "2020 only" in words and "2019 recorded no interview durations" in words


def test_the_verdict_in_vietnamese_has_its_numbers_in_vietnamese_style():
    words = _text(_summary(), "vi")
    assert "+9,76 điểm" in words and "10,1 %" in words
    assert "Lớn hơn sai số chọn mẫu" in words
    assert "points" not in words


def test_a_change_within_sampling_error_is_said_to_be_so():
    words = _text(_summary(significant=False, change_low=-0.01))
    assert "Not larger than sampling error" in words
    assert "nothing on this page makes it more than that" in words


def test_a_change_mostly_from_composition_is_said_to_be_so():
    words = _text(_summary(composition=0.06, composition_share=0.61))
    assert "Much of the change is a change in who was asked" in words
    assert "does not pass every check" in words


def test_a_change_partly_from_composition_is_not_called_free_of_it():
    words = _text(_summary(composition=0.03, composition_share=0.3))
    assert "Part of the change is a change in who was asked" in words
    assert "is not a change in who was asked" not in words      # neither there nor "In short"
    assert "does not pass every check" in words


def test_failing_views_and_scenarios_are_named():
    s = _summary(like_holds=["channel=in_person"], like_fails=["channel=online"],
                 quality_fails=["straightlined"], quality_holds=[])
    words = _text(s)
    assert "larger than sampling error in respondents served in person." in words
    assert "In respondents served online it goes the other way, beyond sampling error" in words
    assert "Without straight-lined forms the change goes the other way" in words
    assert "does not pass every check" in words
    none = _text(_summary(like_holds=[], like_fails=["channel=online"]))
    assert "In no like-for-like view" in none


def test_a_view_within_sampling_error_neither_confirms_nor_contradicts():
    """A small group whose change is within sampling error is imprecise, not evidence that the
    change comes from how the years were measured (the 2021 page read it as a failed check)."""
    s = _summary(like_holds=["channel=in_person", "channel=online"],
                 like_unclear=["respondent_type=organisation"])
    words = _text(s)
    assert "In organisations it is within sampling error: too imprecise to confirm" in words
    # no contradiction, but the imprecise view keeps the conclusion from "holds like for like"
    assert "no like-for-like or response-quality view contradicts it, though 1 of them" in words
    assert "holds like for like" not in words and "does not pass" not in words
    assert "That still does not prove it real" in words
    alone = _text(_summary(like_holds=[], like_unclear=["channel=online"]))
    assert "In no like-for-like view" in alone and "does not pass every check" in alone
    assert "quá thiếu chính xác để khẳng định hay bác bỏ" in _text(s, "vi")


@pytest.mark.parametrize("where, sentence", [
    ("base", "Very fast forms could be looked for in 2019 only: 2020 recorded no"),
    ("neither", "Neither year recorded interview durations"),
])
def test_where_very_fast_forms_could_not_be_looked_for_is_said(where, sentence):
    assert sentence in _text(_summary(quality_unchecked={"fast": where}))


def test_a_fall_cannot_be_courtesy_and_a_finite_selection_factor_is_given():
    s = _summary(change=-0.05, change_low=-0.06, change_high=-0.04,
                 courtesy_erase=np.nan, courtesy_nonsignificant=np.nan)
    words = _text(s, selection=_selection(k_erase=4.25))
    assert "cannot have produced it" in words
    assert "over-represented 4.2 times" in words or "over-represented 4.3 times" in words
    assert "The fall is larger than sampling error" in words
    assert "At a response rate of 50 %" in words


def test_a_selection_factor_below_one_is_an_under_representation():
    s = _summary(change=-0.0133, change_low=-0.0197, change_high=-0.007,
                 courtesy_erase=np.nan, courtesy_nonsignificant=np.nan)
    words = _text(s, selection=_selection(k_erase=0.3))
    assert "under-represented, at 0.3 times their share" in words
    assert "over-represented 0.3" not in words
    vi = render(text._selection(_selection(k_erase=0.3)), "vi")
    assert "đại diện thiếu" in vi and "0,3" in vi


def test_the_items_view_says_what_it_counts():
    long, short = text.view_label("common items", "15/17"), text.view_label(
        "common items", "15/17", short=True)
    assert "(15 of this year's 17, the overall question not included;" in render(long, "en")
    assert render(short, "en") == "Index of the items asked the same way (15 of 17)"
    assert "/" not in render(long, "vi") and "15 trên 17" in render(long, "vi")


def test_courtesy_sentence_in_both_languages():
    s = _summary()
    assert render(text.courtesy_sentence(s), "en").startswith("The rise survives unless more than 10.1 %")
    assert "10,1 %" in render(text.courtesy_sentence(s), "vi")


def test_no_baseline_page_in_both_languages():
    assert "There is no baseline for 2019" in render(text.no_baseline(2019), "en")
    assert "không có năm gốc" in render(text.no_baseline(2019), "vi")


def test_tables_escape_what_comes_from_the_data_and_render_per_language():
    like = pd.DataFrame({
        "value": [np.nan, "<b>x</b>"], "p_base": [0.8669, 0.5], "p_current": [0.9645, 0.6],
        "change": [0.0976, np.nan], "change_low": [0.088, np.nan], "change_high": [0.107, np.nan],
        "p_value": [1e-9, np.nan], "significant": [True, False], "n_base": [19752, 10],
        "n_current": [22250, 12]}, index=["all", "channel=<script>"])
    table = text.like_table(like, (2020, 2019), 0.95)
    en, vi = table.html("en"), table.html("vi")
    assert "<script>" not in en and "&lt;script&gt;" in en
    assert "22,250" in en and "22.250" in vi and "Tất cả người trả lời" in vi
    assert "+9.76" in en and "&lt; 0.0001" in en and "86.69" in en
    assert "Respondents 2019" in en and "Số người trả lời năm 2019" in vi   # as on page 03
    rows = table.download("en").set_index("View")["Larger than sampling error"]
    assert rows.tolist() == ["yes", None]  # no change: no verdict, never "no"
    for page in (en, vi):
        assert lint(page) == [] and 'class="dataframe"' not in page


def test_decomposition_shows_the_change_with_the_change_pages_interval():
    d = pd.DataFrame({"estimate": [0.0976, -0.0024, 0.1, 0.9645, 0.8669, 0.9649, 0.098],
                      "se": [0.005] * 7, "ci_low": [0.0878, -0.0044, 0.0905, 0.96, 0.86, 0.961,
                                                    0.0886],
                      "ci_high": [0.107, -0.0003, 0.1094, 0.968, 0.875, 0.968, 0.1074]},
                     index=["total", "composition", "within", "current", "base", "standardised",
                            "standardised_change"])
    change = pd.Series({"change": 0.0976, "change_low": 0.0882, "change_high": 0.1073})
    table = text.decomposition_table(d, change, (2020, 2019), 0.95)
    rows = table.download("en").set_index("Part")
    total = rows.loc["Change in the rate, 2019 to 2020"]
    assert total.tolist() == [9.76, 8.82, 10.73]  # the change page's, not the Wald 8.78-10.70
    assert rows.loc["of which composition (who was asked)"].tolist() == [-0.24, -0.44, -0.03]
    page = table.html("vi")
    assert "96,49 %" in page and lint(page) == []


def test_composition_quality_nonresponse_and_selection_tables_pass_the_lint():
    composition = pd.DataFrame({
        "status": ["ok", "missing in 2019"], "groups": [2, np.nan],
        "composition": [-0.0022, np.nan], "composition_low": [-0.0037, np.nan],
        "composition_high": [-0.0008, np.nan], "share": [-0.0228, np.nan],
        "within": [0.0998, np.nan]}, index=["channel", "region"])
    comp = text.composition_summary_table(composition, 0.95)
    assert comp.download("en").iloc[0].tolist()[2:6] == [-0.22, -0.37, -0.08, -2.28]
    assert "not recorded in both years" in comp.html("en")
    quality = pd.DataFrame({
        "left_out_current": [0, 1335], "left_out_base": [0, 415], "p_base": [0.8669, 0.8702],
        "p_current": [0.9645, 0.9641], "change": [0.0976, 0.0939], "change_low": [0.0882, 0.0845],
        "change_high": [0.1073, 0.1036], "p_value": [1e-9, 1e-9], "significant": [True, True],
        "n_base": [19752, 19337], "n_current": [22250, 20915],
        "checked_in": ["both", "current"]}, index=pd.Index(["all", "fast"], name="scenario"))
    q = text.quality_table(quality, (2020, 2019), 0.95).download("en")
    assert q["Forms"].tolist() == ["All forms", "Without very fast forms"]
    assert q["Checked in"].tolist() == ["both years", "2020 only"]
    nonresponse = pd.DataFrame({"possible": [True, False], "gap_erase": [0.18, 0.9],
                                "nonrespondent_rate_erase": [0.7693, -0.0114],
                                "nonrespondent_rate_nonsignificant": [0.79, 0.01]},
                               index=pd.Index([0.5, 0.9], name="response_rate"))
    nr = text.nonresponse_table(nonresponse, 0.9645)
    assert nr.download("en").iloc[:, 0].tolist() == [50.0, 90.0]
    assert "impossible (below 0 %)" in nr.html("en") and "76.93" in nr.html("en")
    sel = text.selection_table(_selection(), 0.95)
    for table in (comp, text.quality_table(quality, (2020, 2019), 0.95), nr, sel):
        for lang in ("vi", "en"):
            assert lint(table.html(lang)) == []


def test_checklist_table_reads_each_kind_of_value():
    checklist = pd.DataFrame([
        {"aspect": "questionnaire", "kind": "items", "current": (18, 18), "base": (17, 18),
         "same": False, "measure": "restricted", "estimate": 0.2, "ci_low": 0.19,
         "ci_high": 0.21, "detail": {"differ": ["f3"]}},
        {"aspect": "fieldwork", "kind": "dates",
         "current": (pd.Timestamp("2020-09-01"), pd.Timestamp("2020-11-30")), "base": None,
         "same": None, "measure": "none", "estimate": np.nan, "ci_low": np.nan,
         "ci_high": np.nan, "detail": {"missing": "base"}},
        {"aspect": "file_format", "kind": "text", "current": "csv (utf-8)", "base": "xlsx",
         "same": False, "measure": "none", "estimate": np.nan, "ci_low": np.nan,
         "ci_high": np.nan, "detail": {"quarantined": (0.0167, np.nan)}},
    ]).set_index("aspect")
    table = text.checklist_table(checklist, (2020, 2019))
    page = table.html("en")
    assert "17 of the 18 questions of either year asked the same way, the overall question " \
        "included" in page and "2020-09-01 – 2020-11-30" in page
    # the quarantined share with the digits of the cleaning page (1.67 %, not 1.7 %)
    assert "no interview dates in 2019" in page and "quarantined 1.67 % of the 2020 rows" in page
    shares = pd.DataFrame([{"aspect": "straightlined", "kind": "share", "current": 0.0603,
                            "base": 0.0206, "same": None, "measure": "none", "estimate": np.nan,
                            "ci_low": np.nan, "ci_high": np.nan, "detail": {}}]).set_index("aspect")
    cells = text.checklist_table(shares, (2020, 2019)).html("en")
    assert "6.03 %" in cells and "2.06 %" in cells    # as page 05 shows them
    assert "change of the satisfaction index on the items asked the same way: +20.00 points" in page
    assert table.download("en")["Same in both years"].tolist() == ["no", None, "no"]
    assert lint(page) == [] and lint(table.html("vi")) == []


def test_figures_are_built_in_each_language():
    composition = pd.DataFrame({
        "status": ["ok", "missing in 2019"], "composition": [-0.002, np.nan],
        "composition_low": [-0.004, np.nan], "composition_high": [0.0, np.nan],
        "within": [0.1, np.nan], "within_low": [0.09, np.nan], "within_high": [0.11, np.nan],
        "total": [0.098, np.nan]}, index=["channel", "region"])
    fig = composition_plot(composition, labels=text.CHARACTERISTIC_LABELS, lang="vi",
                           years=(2020, 2019))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["hình thức"]
    assert "từ năm 2019 đến năm 2020" in fig.axes[0].get_xlabel()
    rows = pd.DataFrame({"change": [0.1, 0.02, np.nan], "change_low": [0.09, -0.01, np.nan],
                         "change_high": [0.11, 0.05, np.nan], "significant": [True, False, False]},
                        index=["all", "price $5$", "gone"])
    fig = views_plot(rows, labels={"all": text.view_label("all")}, lang="en")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [r"price \$5\$", "All respondents"]  # the empty row left out, $ literal
    curve = pd.DataFrame({"share": [0, 0.1], "rate": [0.96, 0.86], "change": [0.1, 0.0],
                          "ci_low": [0.09, -0.01], "ci_high": [0.11, 0.01]})
    tips = TippingPoints(
        pd.Series({"share_erase": 0.1, "share_nonsignificant": 0.09}), curve,
        pd.DataFrame({"nonrespondent_rate_erase": [0.8, 0.5]}, index=[0.5, 0.8]), _selection())
    fig = tipping_plot(tips, p1=0.9645, p0=0.8669, lang="vi",
                       sentence=text.courtesy_sentence(_summary()))
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert fig.axes[0].get_title() == "(a) Trả lời xã giao"
