"""Two years' questionnaires compared (satisfaction.questionnaire) and the words for it
(satisfaction.report.questionnaire)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from satisfaction import robustness
from satisfaction.codebook import Codebook, load_codebook
from satisfaction.params import available_years, load_params
from satisfaction.questionnaire import (
    changes_along,
    common_items,
    compare,
    compare_components,
    compare_years,
    year_codebook,
)
from satisfaction.report import questionnaire as text


@pytest.fixture(scope="module")
def base() -> Codebook:
    return load_codebook()


def revised(book: Codebook, *, drop: str | None = None, add: tuple[str, str] | None = None,
            reword: str | None = None, note: str | dict = "", scale: bool = False,
            overall: bool = False) -> Codebook:
    """A copy of ``book`` with one change of each kind asked for."""
    spec = copy.deepcopy(book.spec)
    columns, comps = spec["columns"], spec["components"]
    if drop:
        del columns[drop]
        for comp in comps.values():
            comp["items"] = [i for i in comp["items"] if i != drop]
    if add:
        name, component = add
        columns[name] = {"kind": "likert", "component": component, "required": True,
                         "vi": f"Câu mới {name}", "en": f"New {name}"}
        comps[component]["items"].append(name)
    if reword:
        columns[reword]["vi"] += " (sửa)"
        if note:
            columns[reword]["reworded"] = note
    if scale:
        spec["likert"]["labels"][3]["vi"] = "Tạm được"
    if overall:
        columns[book.overall_item]["vi"] = "Nói chung, ông/bà có hài lòng không?"
    return Codebook(spec=spec)


def test_the_same_questionnaire_is_the_same(base):
    q = compare(base, base, years=(2031, 2030))
    assert q.same and q.overall_comparable
    assert (q.added, q.dropped, q.reworded, q.rescaled, q.changed_components) == ([],) * 5
    assert q.common == base.likert_columns
    assert q.common_components == {k: v["items"] for k, v in base.components.items()}


def test_added_dropped_and_reworded_items_and_the_components_they_change(base):
    now = revised(base, drop="a3", add=("a9", "access"), reword="o3", note="asks about forms")
    q = compare(now, base, years=(2031, 2030))
    assert (q.added, q.dropped, q.reworded) == (["a9"], ["a3"], ["o3"])
    assert not q.same and q.overall_comparable
    items = q.items
    assert items.loc["a9", "status"] == "current only" and not items.loc["a9", "in_base"]
    assert items.loc["a3", "status"] == "base only" and not items.loc["a3", "in_current"]
    assert items.loc["o3", "status"] == "wording differs" and not items.loc["o3", "comparable"]
    assert q.note("o3") == "asks about forms" and q.note("o1") == ""
    assert list(items.index[-1:]) == ["a3"]              # base-only items last
    assert q.changed_components == ["access", "officers"]
    assert q.common_components["access"] == ["a1", "a2"]
    assert q.common_components["officers"] == ["o1", "o2", "o4"]
    comps = q.components
    assert comps.loc["access", "items_current"] == ("a1", "a2", "a9")
    assert comps.loc["access", "items_base"] == ("a1", "a2", "a3")
    assert comps.loc["procedures", "status"] == "same"


def test_another_answer_scale_makes_nothing_comparable(base):
    q = compare(revised(base, scale=True), base)
    assert set(q.items["status"]) == {"scale differs"}
    assert q.rescaled == base.likert_columns and not q.overall_comparable
    assert q.common_components == {} and q.changed_components == list(base.components)


def test_a_changed_overall_question_is_not_comparable(base):
    q = compare(revised(base, overall=True), base)
    assert not q.overall_comparable and q.reworded == [base.overall_item]
    assert q.changed_components == []                     # components keep their items


def test_a_component_with_no_common_item_is_not_compared(base):
    now = revised(revised(revised(base, reword="r1"), reword="r2"), reword="r3")
    q = compare(now, base)
    assert "results" in q.changed_components and "results" not in q.common_components
    assert not q.components.loc["results", "comparable"]


def test_components_in_one_year_only(base):
    spec = copy.deepcopy(base.spec)
    spec["components"]["digital"] = spec["components"].pop("feedback")
    q = compare_components(Codebook(spec=spec), base)
    assert q.loc["digital", "status"] == "current only"
    assert q.loc["feedback", "status"] == "base only"
    assert not q.loc["digital", "comparable"]


def test_bare_item_lists_are_compared_by_name():
    q = compare(["a1", "a2", "q_overall"], ["a1", "q_overall", "b9"])
    assert q.items["status"].tolist() == ["same name", "current only", "same name", "base only"]
    assert q.components.empty and q.changed_components == [] and q.common_components == {}
    with pytest.raises(TypeError, match="Codebook or a list"):
        common_items("a1", ["a1"])


def test_robustness_uses_the_one_comparison():
    assert robustness.common_items is common_items


def test_the_shipped_years_compare_from_their_params():
    years = available_years()
    changes = changes_along([load_params(y) for y in years])
    assert [q.years for q in changes] == list(zip(years[1:], years[:-1], strict=True))
    for q, year in zip(changes, years[1:], strict=True):
        P = load_params(year)
        same_book = P.codebook == load_params(q.years[1]).codebook
        assert q.same == same_book
        assert q.overall == year_codebook(P).overall_item
    for year in years:
        base = load_params(year).baseline_year
        if base is not None:
            assert compare_years(load_params(year), load_params(base)).years == (year, base)


# --- words --------------------------------------------------------------------------------------

def _render(messages, lang="en"):
    return [m.render(lang) for m in messages]


def test_summary_says_what_changed_in_both_languages(base):
    now = revised(base, drop="a3", add=("a9", "access"), reword="o3",
                  note="asks *about* <forms>.")
    q = compare(now, base, years=(2031, 2030))
    en = _render(text.summary(q, base.components))
    assert en[0] == "The questionnaire changed from 2030 to 2031."
    # an item is named by its code and its question, never by its code alone
    assert "Added in 2031: a9 (\"New a9\")." in en
    assert "Dropped after 2030: a3 (\"Equipment easy to use\")." in en
    reworded = next(s for s in en if s.startswith("Reworded"))
    assert "o3 (asks \\*about\\* &lt;forms&gt;)" in reworded     # data text escaped
    assert any("asked the same way in both years, so the satisfaction rates" in s for s in en)
    last = en[-1]
    assert "Access to the service (a1, a2)" in last and "Officers (o1, o2, o4)" in last
    vi = _render(text.summary(q, base.components), "vi")
    assert vi[0] == "Bảng hỏi đã thay đổi từ năm 2030 sang năm 2031."
    assert "Bỏ đi sau năm 2030: a3 (\"Trang thiết bị dễ sử dụng\")." in vi
    assert "Tiếp cận dịch vụ (a1, a2)" in vi[-1]
    assert len(_render(text.summary(q, components=False))) == len(en) - 1


def test_a_note_per_language_is_shown_in_each_edition(base):
    now = revised(base, reword="o3", note={"vi": "hỏi về hồ sơ", "en": "asks about forms"})
    q = compare(now, base, years=(2031, 2030))
    assert q.note("o3", "vi") == "hỏi về hồ sơ" and q.note("o3") == "asks about forms"
    line = next(m for m in text.summary(q) if "o3" in m.render("en"))
    assert "o3 (asks about forms)" in line.render("en")
    assert "o3 (hỏi về hồ sơ)" in line.render("vi")


def test_summary_of_the_same_questionnaire_is_one_line(base):
    assert len(text.summary(compare(base, base))) == 1
    assert text.review_note(compare(base, base)) is None


def test_trend_note_names_each_change(base):
    same = compare(base, base, years=(2030, 2029))
    changed = compare(revised(base, drop="a3"), base, years=(2031, 2030))
    other = compare(revised(base, overall=True), base, years=(2032, 2031))
    assert _render(text.trend_note([])) == []
    assert _render(text.trend_note([same])) == [
        "The questionnaire did not change between the years shown."]
    lines = _render(text.trend_note([same, changed, other]))
    assert len(lines) == 2
    assert lines[0].startswith("From 2030 to 2031 the questionnaire changed (dropped: a3 "
                               "(\"Equipment easy to use\"))")
    assert "the overall satisfaction question changed" in lines[1] and "2032" in lines[1]


def test_components_table_escapes_and_formats(base):
    spec = copy.deepcopy(base.spec)
    spec["components"]["access"]["en"] = "Access <b>now</b>"
    book = Codebook(spec=spec)
    q = compare(revised(book, drop="a3"), book, years=(2031, 2030))
    table = pd.DataFrame({"p_base": [0.9423], "p_current": [0.9221], "change": [-0.0202],
                          "change_low": [-0.0279], "change_high": [-0.0127],
                          "p_value": [0.00001], "significant": [True]}, index=["access"])
    en = text.components_html(table, q, book.components, 0.95, "en")
    assert "Access &lt;b&gt;now&lt;/b&gt;" in en and "<b>now" not in en
    assert "94.23 %" in en and "-2.02 points" in en and "a1, a2" in en
    vi = text.components_html(table, q, book.components, 0.95, "vi")
    assert "94,23 %" in vi and "Tiếp cận dịch vụ" in vi and "có" in vi


def test_no_par_table_says_so():
    en = text.no_par_table(2031).render("en")
    assert en.startswith("**There is no PAR-index table for 2031.**")
    assert "par_file" not in en and "`" not in en      # no code name on a reviewer's page
    assert "2031" in text.no_par_table(2031).render("vi")
