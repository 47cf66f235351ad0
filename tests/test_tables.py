"""Tests of satisfaction.report.tables (every reviewer table) and the table rules of report.formats."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from html_lint import lint

from satisfaction.i18n import _
from satisfaction.report.formats import DIGITS, cell_text, interval_text, rounded, unit
from satisfaction.report.tables import (
    LONG_TABLE,
    Column,
    Table,
    estimates_table,
    format_estimates,
    label_map,
    reason_message,
)

HOSTILE = "<script>alert(1)</script>"


def estimate_table(**flags) -> pd.DataFrame:
    table = pd.DataFrame(
        {"estimate": [0.96449, 0.87351, 0.5], "se": [0.00213, 0.0191, 0.2],
         "ci_low": [0.96012, 0.83449, 0.1], "ci_high": [0.96861, 0.90652, 0.9],
         "deff": [2.104, 1.7, 1.0], "n": [22250, 412, 4], "n_eff": [10575.1, 242.4, 4.0]},
        index=pd.Index(["central", HOSTILE, "commune"], name="level"),
    )
    return table.assign(**flags) if flags else table


FLAGS = {"suppressed": [False, False, True], "flagged": [False, True, False],
         "flag_reason": ["", "wide <interval>", "fewer than 10 respondents (disclosure)"]}


def rows_of(html: str) -> list[list[str]]:
    """The cells (th and td) of every body row."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)]


def headers_of(html: str) -> list[str]:
    head = html[html.index("<thead>"):html.index("</thead>")]
    return re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", head, re.DOTALL)


# --- one precision rule per kind --------------------------------------------------------------

@pytest.mark.parametrize(("kind", "value", "vi", "en"), [
    ("rate", 0.964512, "96,45", "96.45"),
    ("rate", 0.96449, "96,45", "96.45"),
    ("percentage", 85.78, "85,78", "85.78"),
    ("points", 0.0976, "+9,76", "+9.76"),
    ("points", -0.00204, "-0,20", "-0.20"),
    ("count", 22250, "22.250", "22,250"),
    ("count", 1.0, "1", "1"),
    ("decimal", 2.0041, "2,00", "2.00"),
    ("decimal", 11116.985, "11.116,99", "11,116.99"),
    ("p_value", 3e-9, "< 0,0001", "< 0.0001"),
    ("p_value", 0.0234, "0,023", "0.023"),
])
def test_each_kind_has_one_rule_in_both_languages(kind, value, vi, en):
    assert cell_text(kind, value, "vi") == vi
    assert cell_text(kind, value, "en") == en


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.inf, "x"])
def test_a_missing_value_is_a_dash_in_every_kind(missing):
    for kind in ("rate", "percentage", "points", "count", "decimal", "p_value"):
        assert cell_text(kind, missing) == "—"


def test_a_rate_has_the_ministrys_two_decimals():
    assert DIGITS["rate"] == DIGITS["points"] == 2
    assert cell_text("rate", 0.9645) == "96.45"  # never 96.4 or 96.5


def test_units_are_in_the_header_and_intervals_read_as_ranges():
    assert unit("rate", "vi") == " (%)" and unit("points", "vi") == " (điểm)"
    assert interval_text("rate", 0.96088, 0.96787, "vi") == "96,09–96,79"
    assert interval_text("points", 0.0883, 0.1072, "vi") == "+8,83 đến +10,72"
    assert interval_text("points", np.nan, 0.1) == "—"


def test_downloads_hold_the_numbers_the_page_shows():
    assert rounded("rate", [0.964512]).tolist() == [96.45]
    assert rounded("points", [0.09763]).tolist() == [9.76]
    assert rounded("decimal", [2.0041], 3).tolist() == [2.004]
    with pytest.raises(ValueError):
        rounded("text", ["x"])
    with pytest.raises(ValueError):
        cell_text("boolean", True)


# --- columns and tables -----------------------------------------------------------------------

def test_a_column_refuses_a_precision_of_its_own_and_unknown_kinds():
    with pytest.raises(ValueError, match="rule of its kind"):
        Column("x", "x", "rate", digits=1)
    with pytest.raises(ValueError, match="unknown kind"):
        Column("x", "x", "share")
    with pytest.raises(ValueError, match="interval"):
        Column(("a", "b"), "x", "text")
    Column("x", "x", "decimal", digits=3)  # a decimal column may say its decimals


def test_table_shows_only_declared_columns_without_index_artefacts():
    frame = pd.DataFrame({"office": ["Huế", "Đà Nẵng"], "rate": [0.9645, 0.5],
                          "secret_column": [1, 2]}, index=[7, 8])
    html = Table(frame, [Column("office", _("Office")), Column("rate", _("Satisfied"), "rate")]
                 ).html("en")
    assert headers_of(html) == ["Office", "Satisfied (%)"]
    assert rows_of(html) == [["Huế", "96.45"], ["Đà Nẵng", "50.00"]]
    assert "secret" not in html and ">7<" not in html and "dataframe" not in html
    assert lint(html) == []


def test_index_levels_are_columns_by_name():
    frame = pd.DataFrame({"rate": [0.9]}, index=pd.Index(["x"], name="office"))
    html = Table(frame, [Column("office", _("Office")), Column("rate", _("Satisfied"), "rate")]
                 ).html("vi")
    assert rows_of(html) == [["x", "90,00"]] and headers_of(html)[0] == "Đơn vị"


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="no column"):
        Table(pd.DataFrame({"a": [1]}), [Column("b", "B", "count")])
    with pytest.raises(TypeError):
        Table([1, 2], [Column("a", "A")])  # type: ignore[arg-type]


def test_booleans_are_words_and_missing_is_a_dash_in_every_kind():
    frame = pd.DataFrame({"ok": [True, False, None], "name": ["a", None, "c"],
                          "n": [1.0, np.nan, 3.0]}, dtype=object)
    t = Table(frame, [Column("name", _("Office")), Column("ok", _("Larger than sampling error"),
                                                          "boolean"),
                      Column("n", _("Respondents (n)"), "count")])
    assert rows_of(t.html("vi")) == [["a", "có", "1"], ["—", "không", "—"], ["c", "—", "3"]]
    assert rows_of(t.html("en"))[0] == ["a", "yes", "1"]
    assert t.download("en").iloc[1].tolist()[0] is None  # missing: an empty cell


def test_category_labels_per_language_from_messages_or_a_function():
    frame = pd.DataFrame({"level": ["central", "commune"], "rate": [0.9, 0.8]})
    codes = {"central": "Trung ương", "commune": "Xã"}
    by_function = Column("level", _("Level"), "category",
                         labels=lambda lang: codes if lang == "vi" else {"central": "Central"})
    t = Table(frame, [by_function])
    assert [r[0] for r in rows_of(t.html("vi"))] == ["Trung ương", "Xã"]
    assert [r[0] for r in rows_of(t.html("en"))] == ["Central", "commune"]  # no label: as typed
    assert label_map({"x": _("Level")}, "vi") == {"x": "Cấp"}


def test_data_text_and_captions_are_escaped_everywhere():
    frame = pd.DataFrame({"office": [HOSTILE], "note": ['"quoted" & <b>']})
    t = Table(frame, [Column("office", _("Office")), Column("note", _("Office"))],
              caption=HOSTILE, notes=[HOSTILE], footnotes={"a": HOSTILE})
    html = t.html("en")
    assert "<script" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4


def test_a_long_table_is_complete_inside_details():
    n = LONG_TABLE + 40
    frame = pd.DataFrame({"office": [f"Office {i}" for i in range(n)], "rate": np.linspace(0, 1, n)})
    html = Table(frame, [Column("office", _("Office")), Column("rate", _("Satisfied"), "rate")],
                 caption=_("Satisfied, by office")).html("en")
    assert html.count("<tr>") == n + 1  # every row, and the header
    assert "<details" in html and f"({n} rows)" in html
    assert "rows ×" not in html and "..." not in html
    short = Table(frame.head(3), [Column("office", _("Office"))]).html("en")
    assert "<details" not in short


def test_wide_tables_sit_in_a_wrapper_that_the_print_stylesheet_unrolls():
    html = Table(pd.DataFrame({"a": [1]}), [Column("a", _("Office"), "count")]).html("en")
    assert 'class="sat-table-wrap"' in html


def test_download_headers_in_words_numbers_as_numbers_interval_as_two_columns():
    frame = pd.DataFrame({"rate": [0.964512], "low": [0.9601], "high": [0.9686], "p": [3e-9]})
    t = Table(frame, [Column("rate", _("Satisfied"), "rate"),
                      Column(("low", "high"), _("{level} confidence interval").format(
                          level="95 %"), "rate"),
                      Column("p", _("p"), "p_value")])
    down = t.download("vi")
    assert list(down.columns) == ["Hài lòng (%)", "Khoảng tin cậy 95 % (%): giới hạn dưới",
                                  "Khoảng tin cậy 95 % (%): giới hạn trên", "p"]
    assert down.iloc[0].tolist() == [96.45, 96.01, 96.86, 0.0]


# --- estimate tables --------------------------------------------------------------------------

def test_estimates_numbers_interval_and_flags():
    html = format_estimates(estimate_table(**FLAGS), labels={"central": "Trung ương"})
    first, second, third = rows_of(html)
    assert first[0] == "Trung ương"
    assert first[1] == "96.45" and first[2] == "96.01–96.86"  # two decimals, as published
    assert first[3] == "0.21" and first[4] == "2.10"
    assert first[5] == "22,250" and first[6] == "10,575" and first[7] == "reliable"
    assert second[0] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert second[1] == "87.35" and second[7].startswith("interpret with caution<sup")
    assert third[1:5] == ["—", "—", "—", "—"] and third[5] == "&lt; 10" and third[6] == "—"
    assert "50.00" not in html and "10.00–90.00" not in html
    assert "wide &lt;interval&gt;" in html and "<interval>" not in html
    assert "fewer than 10 respondents: never shown" in html
    assert "<script" not in html
    assert lint(html) == []


def test_estimates_in_vietnamese():
    html = format_estimates(estimate_table(**FLAGS), lang="vi",
                            labels=lambda lang: {"central": "Trung ương"})
    assert headers_of(html)[:3] == ["Cấp", "Hài lòng (%)", "Khoảng tin cậy 95 % (%)"]
    first = rows_of(html)[0]
    assert first[1:3] == ["96,45", "96,01–96,86"] and first[5] == "22.250"
    assert "dưới 10 người trả lời" in html  # the disclosure reason, in words


def test_estimates_not_percent_and_caption_escaped():
    html = format_estimates(estimate_table(**FLAGS), percent=False, caption="<b>Mean</b>")
    assert rows_of(html)[0][1] == "0.96" and "&lt;b&gt;Mean&lt;/b&gt;" in html
    assert "Estimate" in headers_of(html)[1]


def test_estimates_multiindex_has_one_column_per_level():
    table = estimate_table(**FLAGS)
    table.index = pd.MultiIndex.from_tuples(
        [("province", "Huế"), ("district", "Đắk Lắk"), ("commune", "x")], names=["level", "office"])
    html = format_estimates(table)
    assert rows_of(html)[1][:2] == ["district", "Đắk Lắk"]
    assert headers_of(html)[:2] == ["Level", "Office"]


def test_estimates_need_a_header_for_every_index_level():
    table = estimate_table()
    table.index = pd.Index(["a", "b", "c"])
    with pytest.raises(ValueError, match="no header"):
        format_estimates(table)
    table.index.name = "unit_code"
    assert "Unit" in format_estimates(table, headers={"unit_code": "Unit"})


def test_estimates_call_nchs_flags_with_the_threshold(monkeypatch):
    seen = {}

    def fake(table, disclosure_threshold):
        seen["threshold"] = disclosure_threshold
        n = table["n"]
        return table.assign(suppressed=n < disclosure_threshold, flagged=False,
                            flag_reason=np.where(n < disclosure_threshold, "too few", ""))

    from satisfaction import reliability

    monkeypatch.setattr(reliability, "nchs_flags", fake)
    html = format_estimates(estimate_table(), disclosure_threshold=500)
    assert seen["threshold"] == 500
    assert rows_of(html)[1][1] == "—" and rows_of(html)[1][5] == "&lt; 500"
    assert rows_of(html)[0][1] == "96.45"


def test_estimates_with_the_real_reliability_rules():
    html = format_estimates(estimate_table())
    assert rows_of(html)[2][1] == "—" and "50.00" not in html


def test_estimates_bad_input():
    with pytest.raises(ValueError, match="missing column"):
        format_estimates(estimate_table().drop(columns="n_eff"))
    with pytest.raises(TypeError):
        format_estimates([1, 2, 3])  # type: ignore[arg-type]


def test_estimates_display_in_jupyter():
    html = format_estimates(estimate_table(**FLAGS))
    assert isinstance(html, str) and html._repr_html_() == str(html)
    table = estimates_table(estimate_table(**FLAGS))
    assert "96,45" in table._repr_html_()  # a Table shows in the default language


def test_estimates_of_means_use_the_disclosure_rule_only():
    means = estimate_table().assign(estimate=[4.21, 3.87, 2.5], ci_low=[4.1, 3.6, 1.0],
                                    ci_high=[4.3, 4.1, 4.0])
    html = format_estimates(means, percent=False)
    assert rows_of(html)[0][1] == "4.21" and rows_of(html)[0][2] == "4.10–4.30"
    assert rows_of(html)[2][1] == "—" and rows_of(html)[2][5] == "&lt; 10"


def test_estimates_download_applies_suppression():
    down = estimates_table(estimate_table(**FLAGS)).download("en")
    assert down.loc[2, "Satisfied (%)"] != down.loc[2, "Satisfied (%)"]  # NaN: empty cell
    assert pd.isna(down.loc[2, "Respondents (n)"])  # a small count is not given either
    assert down.loc[0, "Satisfied (%)"] == 96.45
    assert down.loc[2, "Reliability note"].startswith("fewer than 10 respondents")


def test_every_reliability_reason_has_words_in_both_languages():
    from satisfaction.reliability import nchs_flags

    table = pd.DataFrame({
        "estimate": [0.9, 0.5, 0.5, 0.6, 1.0, 0.3, np.nan, 0.5],
        "ci_low": [0.86, 0.1, np.nan, 0.45, 0.95, 0.01, np.nan, 0.2],
        "ci_high": [0.93, 0.9, np.nan, 0.74, 1.0, 0.5, np.nan, 0.8],
        "n": [900, 400, 400, 400, 80, 400, 400, 5],
        "n_eff": [400.0, 25.0, 400.0, 400.0, 80.0, 400.0, np.nan, 5.0],
        "df": [60, 60, 0, 6, 30, 60, 60, 60]})
    reasons = {r for text in nchs_flags(table)["flag_reason"] for r in text.split("; ") if r}
    assert len(reasons) >= 8
    for reason in reasons:
        vi, en = reason_message(reason).render("vi"), reason_message(reason).render("en")
        assert vi != en, reason  # translated, not passed through
        assert "CI" not in vi and "degrees of freedom" not in vi


def test_a_wide_interval_says_its_width_in_points_in_both_languages():
    reason = reason_message("CI width 56 % >= 30 %")
    assert reason.render("en") == "confidence interval 56 points wide: 30 points or more"
    assert "56 điểm phần trăm" in reason.render("vi")


def test_an_unbounded_relative_width_is_said_in_words():
    reason = reason_message("complement's relative CI width inf > 130 % (footnote)")
    assert "∞" not in reason.render("en") and "estimated at 0 %" in reason.render("en")
    assert "0 %" in reason.render("vi") and "∞" not in reason.render("vi")
