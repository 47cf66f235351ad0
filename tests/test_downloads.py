"""Tests of satisfaction.report.downloads: the tables as CSV and Excel, staged, published, safe."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from satisfaction.i18n import _
from satisfaction.report import downloads
from satisfaction.report.downloads import (
    links_markdown,
    save_table,
    workbook_name,
    write_workbooks,
    year_links,
)
from satisfaction.report.index import STAGING_ENV
from satisfaction.report.tables import Column, Table, estimates_table

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "+84 98", "-1+2", "\tx"]


def estimates() -> pd.DataFrame:
    return pd.DataFrame(
        {"estimate": [0.964512, 0.87351, 0.5], "se": [0.00213, 0.0191, 0.2],
         "ci_low": [0.96012, 0.83449, 0.1], "ci_high": [0.96861, 0.90652, 0.9],
         "deff": [2.104, 1.7, 1.0], "n": [22250, 412, 4], "n_eff": [10575.1, 242.4, 4.0]},
        index=pd.Index(["Công an tỉnh Huế", HOSTILE[0], "Tiny"], name="office"))


@pytest.fixture(autouse=True)
def _no_staging(monkeypatch):
    monkeypatch.delenv(STAGING_ENV, raising=False)
    downloads._SAVED.clear()


def test_csv_per_language_as_the_page_shows_it(tmp_path):
    table = estimates_table(estimates(), title=_("Satisfied or very satisfied, by survey year"))
    paths = save_table(2020, "02_satisfaction", "by_office", table, reports_dir=tmp_path)
    folder = tmp_path / "2020"  # beside the page
    assert [p.parent for p in paths] == [folder] * 3
    raw = (folder / "02_satisfaction.by_office.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the Vietnamese letters
    vi = pd.read_csv(folder / "02_satisfaction.by_office.csv", encoding="utf-8-sig")
    en = pd.read_csv(folder / "02_satisfaction.by_office.en.csv", encoding="utf-8-sig")
    assert list(vi.columns[:3]) == ["Đơn vị", "Hài lòng (%)", "Khoảng tin cậy 95 % (%): giới hạn dưới"]
    assert list(en.columns[:2]) == ["Office", "Satisfied (%)"]
    assert vi.iloc[0, 1] == 96.45 and en.iloc[0, 1] == 96.45  # the page's figure, as a number
    # suppression applied: the small cell has neither its rate nor its count
    assert pd.isna(en.loc[2, "Satisfied (%)"]) and pd.isna(en.loc[2, "Respondents (n)"])
    assert en.loc[2, "Reliability"] == "suppressed"
    meta = json.loads((folder / "02_satisfaction.by_office.table.json").read_text(encoding="utf-8"))
    assert meta["title"] == {"vi": "Hài lòng hoặc rất hài lòng, theo năm khảo sát",
                             "en": "Satisfied or very satisfied, by survey year"}


def test_no_cell_runs_as_a_formula(tmp_path):
    frame = pd.DataFrame({"office": HOSTILE, "rate": [0.5] * len(HOSTILE)})
    table = Table(frame, [Column("office", _("Office")), Column("rate", _("Satisfied"), "rate")],
                  caption="=cmd|' /C calc'!A0")
    save_table(2020, "02_satisfaction", "hostile", table, reports_dir=tmp_path)
    text = (tmp_path / "2020" / "02_satisfaction.hostile.en.csv").read_text(
        encoding="utf-8-sig")
    for value in HOSTILE:
        assert f'"{value}"' not in text  # each one neutralised with a leading apostrophe
    assert "\"'=HYPERLINK" in text and "\"'@SUM(A1)\"" in text
    books = write_workbooks(2020, tmp_path, synthetic=True)
    sheet = load_workbook(books[1])["02 hostile"]
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "@", "+", "-", "\t")) for v in cells), cells
    assert sheet["A1"].value.startswith("'=cmd")  # the title too
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_workbook_per_language_with_a_readme(tmp_path):
    for name, title in (("by_level", _("Satisfied or very satisfied, by level and procedure "
                                       "field, {year}").format(year="2020")),
                        ("overall", None)):
        save_table(2020, "02_satisfaction", name, estimates_table(estimates(), title=title),
                   reports_dir=tmp_path)
    inputs = [{"role": "raw", "file": "data/raw/survey_2020.csv", "sha256": "ab" * 32}]
    books = write_workbooks(2020, tmp_path, synthetic=True, inputs=inputs)
    assert [b.name for b in books] == [workbook_name(2020, "vi"), workbook_name(2020, "en")]
    vi = load_workbook(books[0])
    assert vi.sheetnames == ["README", "02 by_level", "02 overall"]
    readme = [[c.value for c in row] for row in vi["README"].iter_rows(values_only=False)]
    text = " ".join(str(v) for row in readme for v in row if v)
    assert "Dữ liệu mô phỏng" in text and "ab" * 32 in text and "data/raw/survey_2020.csv" in text
    assert "Korn-Graubard" in text and "cỡ mẫu hiệu dụng" in text
    sheet = vi["02 by_level"]
    assert sheet["A1"].value == "Hài lòng hoặc rất hài lòng, theo cấp và lĩnh vực thủ tục, năm 2020"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "Đơn vị")
    assert values[header + 1][1] == 96.45  # a number, as on the page
    assert values[header + 3][1] is None  # suppressed: empty
    en = load_workbook(books[1])
    assert "Synthetic data" in " ".join(str(c.value) for row in en["README"].iter_rows()
                                        for c in row if c.value)


def test_no_workbook_without_tables(tmp_path):
    assert write_workbooks(2020, tmp_path) == []
    assert year_links(2020, tmp_path) == []


def test_staged_in_a_batch_beside_the_headlines(tmp_path, monkeypatch):
    """In a batch the files wait in the staging folder of the year, where the runner takes the
    page's files from (its headline figures too) and publishes them with the page."""
    staging = tmp_path / "staging"
    monkeypatch.setenv(STAGING_ENV, str(staging))
    save_table(2020, "02_satisfaction", "by_office", estimates_table(estimates()))
    assert sorted(p.name for p in (staging / "2020").iterdir()) == [
        "02_satisfaction.by_office.csv", "02_satisfaction.by_office.en.csv",
        "02_satisfaction.by_office.table.json"]
    assert not (tmp_path / "reports").exists()


def test_page_links_and_index_links(tmp_path):
    with pytest.raises(ValueError, match="saved no table"):
        links_markdown(2020, "02_satisfaction")
    save_table(2020, "02_satisfaction", "by_office",
               estimates_table(estimates(), title=_("Satisfied or very satisfied, by survey year")),
               reports_dir=tmp_path)
    line = links_markdown(2020, "02_satisfaction")
    assert "(02_satisfaction.by_office.csv)" in line.render("vi")
    assert "(02_satisfaction.by_office.en.csv)" in line.render("en")
    assert "[Hài lòng hoặc rất hài lòng, theo năm khảo sát]" in line.render("vi")
    write_workbooks(2020, tmp_path)
    links = year_links(2020, tmp_path, "en")
    assert links[0]["href"] == "2020/tables_2020.en.xlsx"
    assert links[1] == {"label": "Satisfied or very satisfied, by survey year (CSV)",
                        "href": "2020/02_satisfaction.by_office.en.csv", "kind": "csv"}


@pytest.mark.parametrize(("notebook", "name"), [("x", "ok"), ("02_satisfaction", "Bad Name"),
                                                ("02_satisfaction", "../up"),
                                                ("02_satisfaction", "manifest"),
                                                ("02_satisfaction", "headline")])
def test_names_must_be_plain(tmp_path, notebook, name):
    with pytest.raises(ValueError):
        save_table(2020, notebook, name, estimates_table(estimates()), reports_dir=tmp_path)


def test_only_tables_of_the_presentation_layer(tmp_path):
    with pytest.raises(TypeError):
        save_table(2020, "02_satisfaction", "raw", estimates(), reports_dir=tmp_path)  # type: ignore[arg-type]
