"""The index: both editions, written from the pages on disk alone, numbers in each language.

The reports folders here are laid out by hand (pages, manifests, failure records, headline
figures), as a run would leave them, so that what the index says is checked against files and
not against a run's memory. No notebook runs here.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import report_site

from satisfaction.i18n import _, catalogue
from satisfaction.report import headline_items, render_index, save_headline
from satisfaction.report.index import INDEX_TEXT, LABELS
from satisfaction.report.pages import failure_record, page_files

HOSTILE = "<script>alert(1)</script>"


def put_page(year_dir: Path, name: str, *, built: str = "2026-01-02T03:04:05Z",
             title: str = "Analysis", editions: tuple[str, ...] = ("vi", "en")) -> None:
    """A page's files as a good build leaves them."""
    year_dir.mkdir(parents=True, exist_ok=True)
    files = page_files(name)
    for lang in editions:
        (year_dir / files[f"html:{lang}"]).write_text(f"<html lang='{lang}'>page</html>", "utf-8")
    manifest = {"version": 1, "notebook": name, "built_utc": built, "inputs": {}, "outputs": {},
                "titles": {"vi": f"{title} (vi)", "en": f"{title} (en)"}}
    (year_dir / files["manifest"]).write_text(json.dumps(manifest), "utf-8")


def put_failure(year_dir: Path, name: str, message: str, *, skipped: bool = False,
                partial: bool = False) -> None:
    year_dir.mkdir(parents=True, exist_ok=True)
    when = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
    (year_dir / f"{name}.failed.json").write_bytes(failure_record(message, skipped=skipped,
                                                                  when=when))
    if partial:
        (year_dir / f"{name}.failed.ipynb").write_text("{}", "utf-8")


def rows(text: str) -> dict[str, str]:
    """Table row of each analysis, keyed by its status class."""
    return {m.group(1): m.group(0) for m in
            re.finditer(r'<tr class="sat-status-([a-z_]+)">.*?</tr>', text, re.DOTALL)}


@pytest.fixture()
def site(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {})
    year = folders["reports"] / "2020"
    put_page(year, "01_clean", title="Cleaning")
    put_page(year, "02_stale", title="Satisfaction")
    put_failure(year, "02_stale", "FAILED 02_stale [2020] at cell 4/9, line 2 `x`: KeyError: 'w'",
                partial=True)
    put_failure(year, "03_failed", "FAILED 03_failed [2020] at cell 1/2: ValueError: no")
    put_page(year, "04_skipped", title="PAR index")
    put_failure(year, "04_skipped", "not run 04_skipped [2020]: it needs 01_clean [2020], which "
                "failed", skipped=True)
    put_failure(year, "05_never", "not run 05_never [2020]: it needs x", skipped=True)
    render_index(folders["reports"], params_dir=folders["params"],
                 notebooks=["01_clean", "02_stale", "03_failed", "04_skipped", "05_never",
                            "06_missing"])
    return folders


def test_the_index_says_what_each_page_is_from_the_files_on_disk(site):
    english = rows((site["reports"] / "index.en.html").read_text("utf-8"))
    assert set(english) == {"ok", "stale", "failed", "skipped_stale", "skipped", "missing"}
    assert "Cleaning (en)" in english["ok"] and "2026-01-02 03:04 UTC" in english["ok"]
    assert 'href="2020/01_clean.en.html"' in english["ok"] and "up to date" in english["ok"]
    stale = english["stale"]
    assert "last run failed (2026-02-03 04:05 UTC): this is the previous good page" in stale
    assert "2026-01-02 03:04 UTC" in stale  # when the page still shown was built
    assert "KeyError: &#39;w&#39;" in stale and 'href="2020/02_stale.failed.ipynb"' in stale
    assert "no page yet" in english["failed"] and "ValueError: no" in english["failed"]
    assert "a step it needs failed; this is the previous good page" in english["skipped_stale"]
    assert "a step it needs failed; no page yet" in english["skipped"]
    assert "not built yet" in english["missing"]
    vietnamese = rows((site["reports"] / "index.html").read_text("utf-8"))
    assert "Cleaning (vi)" in vietnamese["ok"] and 'href="2020/01_clean.html"' in vietnamese["ok"]
    assert "lần chạy gần nhất thất bại (2026-02-03 04:05 UTC)" in vietnamese["stale"]
    assert "chưa được tạo" in vietnamese["missing"]


def test_an_index_edition_has_no_word_of_the_other_language(site):
    vietnamese = (site["reports"] / "index.html").read_text("utf-8")
    english = (site["reports"] / "index.en.html").read_text("utf-8")
    assert '<html lang="vi">' in vietnamese and '<html lang="en">' in english
    assert '<a href="index.en.html" hreflang="en" lang="en">English</a>' in vietnamese
    assert '<a href="index.html" hreflang="vi" lang="vi">Tiếng Việt</a>' in english
    translations = catalogue("vi")
    for key, message in INDEX_TEXT.items():
        assert message.source in translations, key  # in the catalogue, translated
        head = message.source.split("{")[0].strip()
        if len(head) > 6:
            assert head not in vietnamese, key
            assert translations[message.source].split("{")[0].strip() not in english, key


def test_a_page_without_its_edition_links_the_one_there_is(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {})
    put_page(folders["reports"] / "2020", "02_old", editions=("vi",))
    render_index(folders["reports"], params_dir=folders["params"], notebooks=["02_old"])
    assert 'href="2020/02_old.html"' in (folders["reports"] / "index.en.html").read_text("utf-8")


def test_headline_numbers_follow_each_language(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {})
    save_headline(2020, "02_x", {"rate": 0.9645, "ci_low": 0.9609, "ci_high": 0.9679,
                                 "deff": 2.0013, "published_rate": 96.45, "respondents": 22250},
                  reports_dir=folders["reports"])
    save_headline(2020, "03_y", {"change_pp": -1.234, "baseline_year": 2019, "confidence": 0.9,
                                 "change_p_value": 3e-9},
                  reports_dir=folders["reports"])
    index = render_index(folders["reports"], params_dir=folders["params"], notebooks=["02_x", "03_y"])
    assert index.name == "index.html"
    english = (folders["reports"] / "index.en.html").read_text("utf-8")
    assert "96.45 %" in english and "90 % CI 96.09 % to 96.79 %" in english and "22,250" in english
    assert "Design effect" in english and "2.00" in english
    assert "Published by the ministry (%)" in english
    assert "Change on 2019" in english and "-1.23 points" in english and "&lt; 0.0001" in english
    assert not re.search(r">\w+(\.en)?\.html</a>", english)  # no file names as link text
    vietnamese = index.read_text("utf-8")
    assert "96,45 %" in vietnamese and "khoảng tin cậy 90 %: 96,09 % đến 96,79 %" in vietnamese
    assert "22.250" in vietnamese and "Hiệu ứng thiết kế" in vietnamese and "2,00" in vietnamese
    assert "Thay đổi so với năm 2019" in vietnamese and "-1,23 điểm" in vietnamese


def test_headline_items_label_every_key_the_notebooks_save():
    figures = {"rows_in": 22627, "quarantined": 377, "n_valid": 22250, "deff": 2.0,
               "par_units": 110, "par_excellent": 14, "par_good": 81, "par_fair": 11,
               "par_completed": 4, "par_not_completed": 0, "change_relative_pct": 11.26,
               "change_p_value": 0.02}
    assert set(figures) <= set(LABELS)
    items = headline_items(figures, "vi")
    assert [i["value"] for i in items][:2] == ["22.627", "377"]
    assert all(i["label"] == LABELS[k].render("vi") for i, k in zip(items, figures, strict=True))
    assert headline_items({"par_new_band": 3}, "en")[0]["label"] == "PAR new band"
    values = {k: i["value"] for i, k in zip(headline_items(figures, "en"), figures, strict=True)}
    assert values["change_relative_pct"] == "+11.26"  # a change is signed, as on the pages


def test_a_change_interval_on_the_index_reads_as_on_the_change_page():
    items = headline_items({"change_pp": -1.33, "change_ci_low": -1.97, "change_ci_high": -0.70,
                            "baseline_year": 2020}, "en")
    assert items[0]["value"] == "-1.33 points"
    assert items[0]["note"] == "95 % CI -1.97 to -0.70 points"
    vi = headline_items({"change_pp": 0.79, "change_ci_low": 0.09, "change_ci_high": 1.5}, "vi")
    assert vi[0]["note"] == "khoảng tin cậy 95 %: +0,09 đến +1,50 điểm"


def test_index_without_reports_escapes_and_says_so(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: False}, {})
    save_headline(2020, "02_x", {"respondents": 5, "office": HOSTILE}, reports_dir=folders["reports"])
    render_index(folders["reports"], params_dir=folders["params"], notebooks=["02_x"])
    for name, missing, synthetic in (("index.en.html", "not built yet", "Synthetic data"),
                                     ("index.html", "chưa được tạo", "Dữ liệu mô phỏng")):
        text = (folders["reports"] / name).read_text("utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script" not in text.lower()
        assert missing in text and synthetic not in text


def test_the_index_opens_with_each_years_findings_in_plain_words(tmp_path):
    folders = report_site.make_site(tmp_path, {2019: True, 2020: True}, {})
    save_headline(2020, "02_x", {"rate": 0.96449, "ci_low": 0.96088, "ci_high": 0.96787,
                                 "n_valid": 22250, "published_rate": 96.45},
                  reports_dir=folders["reports"])
    save_headline(2020, "03_y", {"change_pp": 9.759, "change_ci_low": 8.82, "change_ci_high": 10.73,
                                 "change_p_value": 6e-81, "baseline_year": 2019},
                  reports_dir=folders["reports"])
    save_headline(2019, "04_z", {"par_index_mean": 85.7795, "par_units": 110},
                  reports_dir=folders["reports"])
    render_index(folders["reports"], params_dir=folders["params"], notebooks=["02_x", "03_y"])
    for lang, words in (("en", ("Summary of findings", "In 2020, 96.45 %", "+9.76 points",
                                "Calibration check", "averaged 85.78 % over 110 units")),
                        ("vi", ("Tóm tắt kết quả", "Năm 2020, 96,45 %", "+9,76 điểm",
                                "kiểm tra hiệu chỉnh", "85,78 %"))):
        text = (folders["reports"] / ("index.en.html" if lang == "en" else "index.html")
                ).read_text("utf-8")
        summary = text[text.index('<section class="sat-summary"'):text.index("</section>")]
        for word in words:
            assert word in summary, (lang, word)
        assert summary.index(">2020") < summary.index(">2019")  # latest year first
        assert summary.count("<li>") == 4  # 2020: rate, calibration, change; 2019: PAR
        assert text.index("sat-summary") < text.index('class="sat-year"')  # at the top
        # The same rate on the index as on the pages: two decimals, through report.formats.
        assert "96.449" not in text and "96,449" not in text and "85.7795" not in text


def test_the_index_links_the_methods_page_and_each_years_downloads(tmp_path):
    from satisfaction.report.downloads import save_table, write_workbooks
    from satisfaction.report.tables import Column, Table

    folders = report_site.make_site(tmp_path, {2020: True}, {})
    table = Table(pd.DataFrame({"office": ["Huế"], "rate": [0.9645]}),
                  [Column("office", _("Office")), Column("rate", _("Satisfied"), "rate")],
                  title=_("Satisfied, by office"))
    save_table(2020, "02_x", "by_office", table, reports_dir=folders["reports"])
    write_workbooks(2020, folders["reports"])
    render_index(folders["reports"], params_dir=folders["params"], notebooks=["02_x"])
    english = (folders["reports"] / "index.en.html").read_text("utf-8")
    vietnamese = (folders["reports"] / "index.html").read_text("utf-8")
    assert '<a href="methods.en.html">Methods and glossary</a>' in english
    assert '<a href="methods.html">Phương pháp và thuật ngữ</a>' in vietnamese
    assert 'href="2020/tables_2020.en.xlsx"' in english and "Tables to download" in english
    assert 'href="2020/02_x.by_office.en.csv">Satisfied, by office (CSV)' in english
    assert 'href="2020/tables_2020.xlsx"' in vietnamese and 'href="2020/02_x.by_office.csv"' in vietnamese
    block = re.search(r'<h3 id="downloads-2020">.*?</details>', vietnamese, re.DOTALL).group(0)
    assert block.count("<li>") == 2 and ".en." not in block  # the edition's own files
    # the workbook in view, each CSV folded under one line that counts them
    assert block.index("tables_2020.xlsx") < block.index("<details")
    assert "<summary>Từng bảng riêng, dạng CSV (1 tệp)</summary>" in block
    assert "tables_2020.xlsx" not in english


def test_a_year_without_tables_or_figures_has_no_summary_or_downloads(tmp_path):
    folders = report_site.make_site(tmp_path, {2021: False}, {})
    render_index(folders["reports"], params_dir=folders["params"], notebooks=["02_x"])
    text = (folders["reports"] / "index.en.html").read_text("utf-8")
    assert '<section class="sat-summary"' not in text and '<ul class="sat-downloads"' not in text
    assert "No headline figures saved for this year yet." in text
