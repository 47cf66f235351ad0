"""The cleaning page in words: every reason and repair the cleaning step can report has words in
both languages, the tables pass the reviewer lint, the findings add up to the log.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from html_lint import lint

from satisfaction import clean, config
from satisfaction.clean import clean_survey
from satisfaction.i18n import render
from satisfaction.report import cleaning as text

LANGS = ("vi", "en")


@pytest.fixture()
def result(raw_rows, codebook, offices):
    """A clean of 40 rows with a fault of each kind the page shows."""
    rows = pd.concat([raw_rows, raw_rows.iloc[[0, 1]]], ignore_index=True)   # two exact copies
    rows.loc[2, "trong_so"] = "-3"                                          # invalid weight
    rows.loc[3, "cap"] = "??"                                               # invalid level
    rows.loc[4, "a1"] = "rất hài lòng"                                       # an answer as words
    rows.loc[5, "a2"] = "8"                                                 # don't know
    rows.loc[6, "a3"] = ""                                                  # blank
    rows.loc[7, "p1"] = " 4 "                                               # stray spaces
    rows.loc[8, "ma_don_vi"] = ""                                           # code from the name
    return clean_survey(rows, 2020, codebook=codebook, offices=offices)


def _repair_kinds() -> set[str]:
    """Every kind of repair clean.py counts (``work.count(column, "kind", n)``)."""
    source = (config.ROOT / "lib" / "satisfaction" / "clean.py").read_text(encoding="utf-8")
    return set(re.findall(r'\.count\(\s*[\w"]+,\s*"(\w+)"', source))


def test_every_reason_and_repair_of_the_cleaning_step_has_words():
    assert set(clean.REASONS) <= set(text.REASONS), set(clean.REASONS) - set(text.REASONS)
    kinds = _repair_kinds()
    assert {"spaces_trimmed", "canonicalised"} <= kinds     # the scan finds them
    assert kinds <= set(text.REPAIRS), kinds - set(text.REPAIRS)
    for lang in LANGS:
        words = text.reason_labels(lang)
        assert all("_" not in w for w in words.values())


def test_the_tables_pass_the_lint_in_both_languages(result, codebook):
    tables = [text.rows_table(result.log), text.reasons_table(result.log),
              text.repairs_table(result.log, codebook),
              text.items_table(result.item_missing, codebook)]
    for table in tables:
        for lang in LANGS:
            assert lint(table.html(lang)) == [], (table.caption, lang)


def test_the_tables_hold_the_log(result, codebook):
    log = result.log
    rows = text.rows_table(log).download("en")
    assert rows.iloc[:, 1].tolist() == [log["rows_in"], log["rows_clean"], log["rows_quarantined"]]
    reasons = text.reasons_table(log).download("en")
    assert reasons["Rows quarantined"].sum() == log["rows_quarantined"]
    assert "exact copy of an earlier row" in set(reasons["Reason"])
    repairs = text.repairs_table(log, codebook).download("en").set_index("Column")
    total = sum(sum(k.values()) for k in log["repairs"].values())
    assert repairs["All repairs"].sum() == total
    assert repairs.loc["Office code", "Filled in from the office name"] == 1
    items = text.items_table(result.item_missing, codebook).download("vi").set_index("Mã câu hỏi")
    assert items.loc["a1", "Nội dung câu hỏi"] == "Nơi tiếp nhận dễ tìm, thuận tiện"
    assert items.loc["Câu hỏi chung", "Số dòng được giữ lại"] == log["rows_clean"]


def test_empty_kinds_of_missing_answer_are_named_under_the_table(result, codebook):
    table = text.items_table(result.item_missing, codebook)
    shown = table.download("en").columns
    assert "Don't know" in shown and "Blank" in shown and "Refused" not in shown
    assert "Refused" in render(table.notes[0], "en")


def test_findings_add_up_to_the_log(result, codebook):
    log = result.log
    found = [render(f, "en") for f in text.findings(log, result.item_missing, codebook)]
    assert found[0].startswith(f"{log['rows_in']:,} rows were read from the raw file: "
                               f"{log['rows_clean']:,} were kept")
    assert "exact copy of an earlier row: 2" in found[1]
    labels = sum(k.get("labels_mapped_to_codes", 0) for k in log["repairs"].values())
    assert f"Besides, {labels:,} category answers written as labels" in found[2]
    assert found[3].startswith("2 of the") and "don't know: 1; refused: 0; blank: 1" in found[3]
    assert len(found) == 4                         # an office list was used: no warning


def test_without_an_office_list_the_page_warns(raw_rows, codebook):
    res = clean_survey(raw_rows, 2020, codebook=codebook)
    found = [render(f, "vi") for f in text.findings(res.log, res.item_missing, codebook)]
    assert found[-1].startswith("**Cảnh báo:** không có danh sách đơn vị")
    sentences = [render(s, "en") for s in text.source_sentences(res.log, "x.csv")]
    assert not any("checked against the office list" in s for s in sentences)


def test_source_sentences_by_format_and_escaped_names():
    base = {"lines": {"lines": 41, "header_lines": 1, "blank_lines": 0, "records": 40,
                      "record_lines": 40}, "offices": {"offices": 518}}
    xlsx = text.source_sentences({**base, "source": {"format": "xlsx", "encoding": None}},
                                 "survey_<b>.xlsx")
    assert render(xlsx[0], "en") == "The raw file survey\\_&lt;b&gt;.xlsx is an Excel workbook."
    assert render(xlsx[1], "vi") == ("Số dòng của trang tính: 41 = 1 dòng tiêu đề + 40 dòng số "
                                     "liệu.")
    sav = text.source_sentences({**base, "source": {"format": "sav", "encoding": "UTF-8"},
                                 "warnings": ["a new warning"]}, "s.sav")
    assert render(sav[1], "en") == "Cases in the file: 40."
    assert render(sav[-1], "en") == "Warning of the cleaning step: a new warning"


def test_an_unknown_reason_or_repair_still_reads_without_code_names(codebook):
    log = {"rows_in": 10, "rows_clean": 9, "rows_quarantined": 1,
           "quarantine_reasons": {"brand_new_rule": 1},
           "repairs": {"weight": {"comma_fixed": 2}}}
    for table in (text.reasons_table(log), text.repairs_table(log, codebook)):
        for lang in LANGS:
            assert lint(table.html(lang)) == []
    assert "brand new rule" in text.reasons_table(log).html("en")
