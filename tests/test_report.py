"""Tests of satisfaction.report: HTML pages in both editions, headlines, provenance, tables.

A small site (tests/fixtures/report_site.py) is run through the real batch runner, papermill and
nbconvert once per module; the pages are then checked as text: no code, no traceback, images
embedded, nothing fetched from the network, escaped data, provenance and synthetic banner, each
edition in its language. Expected values come from the inputs (hashlib, git, the fixture's
numbers), never from the code under test. The runner's failures, incremental rebuilds and
editions are tested in test_runner.py, interrupted and concurrent runs in
test_runner_signals.py, the index in test_index.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import unicodedata
from importlib import metadata
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import report_site

from satisfaction import config
from satisfaction.io import sha256_file
from satisfaction.report import (
    ReportError,
    external_references,
    load_headlines,
    render_html,
    save_headline,
)
from satisfaction.report.html import strip_css
from satisfaction.report.pages import edition_file, index_file
from satisfaction.report.provenance import git_state, package_versions

HOSTILE = "<script>alert(1)</script>"


run, site_args = report_site.run, report_site.site_args


CLEAN_OK = report_site.notebook("print('cleaned', year)", title="# Cleaning")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """2020 (synthetic) run through the fixture notebook; 2019 (not synthetic) has params only."""
    root = tmp_path_factory.mktemp("site")
    folders = report_site.make_site(
        root, {2019: False, 2020: True},
        {"01_clean": CLEAN_OK, "02_report": report_site.FIXTURE_NOTEBOOK},
    )
    code, out, err = run(years=[2020], workers=1, **site_args(folders))
    folders.update(code=code, out=out, err=err)
    return folders


def page(site, year: int, name: str = "02_report", lang: str = "vi") -> str:
    """One edition of a page: Vietnamese (``<nb>.html``) or English (``<nb>.en.html``)."""
    return (site["reports"] / str(year) / edition_file(name, lang)).read_text(encoding="utf-8")


def index(site, lang: str = "vi") -> str:
    return (site["reports"] / index_file(lang)).read_text(encoding="utf-8")


# --- the batch run ---------------------------------------------------------------------------

def test_batch_runs_every_notebook_for_the_year(site):
    assert site["code"] == 0, site["err"]
    assert not (site["reports"] / "2019").exists()
    for year in (2020,):
        folder = site["reports"] / str(year)
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted([
            "01_clean.html", "01_clean.en.html", "01_clean.ipynb", "01_clean.manifest.json",
            "02_report.headline.json", "02_report.html", "02_report.en.html", "02_report.ipynb",
            "02_report.manifest.json",
        ]), names  # no temporary, hidden or .failed file left behind
    assert str(site["reports"] / "index.html") in site["out"]
    assert {p.name for p in site["reports"].iterdir()} == {
        "2020", "index.html", "index.en.html", ".run.lock", "methods.html", "methods.en.html",
        "methods.manifest.json"}  # no staging, no half-swapped year


def test_executed_notebook_got_the_parameters(site):
    nb = nbformat.read(str(site["reports"] / "2020" / "02_report.ipynb"), as_version=4)
    params = nb.metadata.papermill.parameters
    assert params["year"] == 2020
    assert Path(params["params_file"]) == site["params"] / "2020.yaml"
    assert nb.metadata.kernelspec.name == config.KERNEL_NAME


def test_pages_have_no_code_and_no_prompts(site):
    fixture = nbformat.read(str(report_site.FIXTURE_NOTEBOOK), as_version=4)
    html = page(site, 2020)
    for cell in fixture.cells:
        if cell.cell_type == "code":
            first = cell.source.splitlines()[0]
            assert first not in html, first
    assert "class=\"jp-CodeMirrorEditor" not in html and "class=\"jp-InputPrompt" not in html
    assert "In&nbsp;[" not in html and "Out[" not in html
    assert "Respondents in this fixture: 22,250" in html  # outputs are kept
    assert "headline.json" not in html and "HeadlinePath" not in html  # save_headline is silent


def test_pages_have_no_traceback_and_no_stderr(site):
    for name in ("01_clean", "02_report"):
        html = page(site, 2020, name)
        assert "Traceback" not in html
        assert "noise on standard error" not in html


def test_every_image_is_an_embedded_png(site):
    html = page(site, 2020)
    sources = re.findall(r"<img\b[^>]*\bsrc=\"([^\"]*)\"", html)
    assert len(sources) == len(re.findall(r"<img\b", html)) >= 1
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_pages_fetch_nothing_from_the_network(site):
    pages = [page(site, 2020, "01_clean"), page(site, 2020), page(site, 2020, "01_clean", "en"),
             page(site, 2020, lang="en"), index(site), index(site, "en")]
    outside = re.compile(
        r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|"""
        r"""@import|<script\b[^>]*\bsrc\b|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//""",
        re.IGNORECASE,
    )
    for html in pages:
        assert outside.findall(html) == []
        assert not re.search(r"require(?:\.min)?\.js|mathjax|mermaid\.esm|cdnjs|googleapis", html, re.IGNORECASE)
    # The fixture's link to another site stays readable, as text.
    assert "ministry&#x27;s article" in pages[1] or "ministry's article" in pages[1]
    assert "https://example.org/bo-cong-an" in pages[1]


def test_data_text_is_escaped(site):
    html = page(site, 2020)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # format_estimates
    assert "&lt;script>alert(1)&lt;/script>" in html  # the Styler's output, neutralised
    assert "<script>alert(1)" not in html
    assert "<script" not in html.lower()  # the page carries no script at all
    for lang in ("vi", "en"):
        assert "<script" not in page(site, 2020, lang=lang).lower()
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in index(site, lang)
        assert "<script" not in index(site, lang).lower()


def test_suppressed_cell_shows_no_number(site):
    html = page(site, 2020)
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Tiny office 0\.5(?:(?!</tr>).)*</tr>", html, re.DOTALL)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.DOTALL)
    assert "50.0" not in row.group(0) and ">4<" not in row.group(0)
    assert cells.count("—") >= 4
    assert "&lt; 10" in row.group(0)
    assert "fewer than 10 respondents" in html


def test_provenance_block(site):
    html = page(site, 2020, lang="en")
    block = html[html.index('class="sat-provenance"'):]
    raw = (site["data"] / "survey_2020.csv").read_bytes()
    assert hashlib.sha256(raw).hexdigest() in block
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=config.ROOT, capture_output=True,
                          text=True, check=False)
    assert head.returncode == 0 and head.stdout.strip() in block
    assert re.search(r"working tree: (clean|uncommitted changes)", block)
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", block)
    assert ".".join(map(str, sys.version_info[:3])) in block
    for package in ("pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib",
                    "papermill", "nbconvert", "satisfaction"):
        assert f"{package} {metadata.version(package)}" in block
    assert "papermill.params_file" in block and "2020.yaml" in block
    assert "params.synthetic" in block
    vietnamese = page(site, 2020)
    block_vi = vietnamese[vietnamese.index('class="sat-provenance"'):]
    assert ">Nguồn gốc của trang</h2>" in block_vi and "Các tệp đầu vào (mã băm SHA-256)" in block_vi
    assert hashlib.sha256(raw).hexdigest() in block_vi and "Provenance" not in block_vi


def test_synthetic_banner_on_every_synthetic_page(site):
    banners = {"en": r"Synthetic data — not the ministry(&#x27;|&#39;|')s survey",
               "vi": r"Dữ liệu mô phỏng — không phải số liệu khảo sát của Bộ"}
    for lang, banner in banners.items():
        for name in ("01_clean", "02_report"):
            html = page(site, 2020, name, lang)
            found = re.search(banner, html)
            assert found and found.start() < html.index("<h1")  # above the content
        text = index(site, lang)
        assert re.search(banner, text)
        year_2019 = text[text.index('id="year-2019"'):].split("</section>")[0]
        assert "synthetic" not in year_2019 and "mô phỏng" not in year_2019


def test_each_edition_says_its_language_and_links_the_other(site):
    for name in ("01_clean", "02_report"):
        vi, en = page(site, 2020, name), page(site, 2020, name, "en")
        assert re.search(r'<html lang="vi"', vi) and re.search(r'<html lang="en"', en)
        assert f'<a href="{name}.en.html" hreflang="en" lang="en">English</a>' in vi
        assert f'<a href="{name}.html" hreflang="vi" lang="vi">Tiếng Việt</a>' in en
        assert 'href="../index.html"' in vi and 'href="../index.en.html"' in en
        assert "Năm khảo sát <strong>2020</strong>" in vi and "Survey year" not in vi
        assert "Survey year <strong>2020</strong>" in en and "Năm khảo sát" not in en
        assert ">Mục lục</h2>" in vi and ">Contents</h2>" in en
    assert re.search(r'<html lang="vi"', index(site)) and re.search(r'<html lang="en"', index(site, "en"))
    assert 'href="index.en.html"' in index(site) and 'href="index.html"' in index(site, "en")


def test_no_banner_on_real_data():
    nb = _nb(nbformat.v4.new_output("stream", name="stdout", text="ok\n"))
    assert "Synthetic data" not in render_html(nb, synthetic=False)
    assert "Synthetic data" in render_html(nb, synthetic=True)


def test_table_of_contents_points_at_headings(site):
    html = page(site, 2020)
    toc = re.search(r'<nav class="sat-toc".*?</nav>', html, re.DOTALL).group(0)
    targets = re.findall(r'href="#([^"]+)"', toc)
    assert len(targets) >= 4
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert set(targets) <= ids
    assert "Theo đơn vị: satisfaction by office" in toc
    assert all(re.fullmatch(r"[a-z0-9-]+", t) for t in targets)


def test_index_lists_years_latest_first_with_headlines(site):
    for lang, empty, numbers in (("vi", "chưa được tạo", ("96,45 %", "22.250",
                                                          "96,01 % đến 96,86 %")),
                                 ("en", "not built yet", ("96.45 %", "22,250", "96.01 % to 96.86 %"))):
        text = index(site, lang)
        assert text.index('id="year-2020"') < text.index('id="year-2019"')
        for name in ("01_clean", "02_report"):
            assert f'href="2020/{edition_file(name, lang)}"' in text
            assert f'href="2019/{name}' not in text
        link = {"vi": "Xem trang", "en": "Read the page"}[lang]
        assert text.count(f">{link}</a>") == 2 and f">{edition_file('01_clean', lang)}<" not in text
        assert text.count(empty) == 2  # 2019: both analyses
        assert all(n in text for n in numbers), numbers


def test_page_sizes_are_mailable(site):
    for lang in ("vi", "en"):
        pages = list((site["reports"] / "2020").glob(edition_file("*", lang)))
        if lang == "vi":
            pages = [p for p in pages if not p.name.endswith(".en.html")]
        total = sum(p.stat().st_size for p in pages)
        print(f"pages of 2020, {lang}: {total / 1e6:.2f} MB")
        assert len(pages) == 2 and total < 5e6


# --- pages from notebooks in memory ----------------------------------------------------------

def _nb(*outputs, markdown="# T\n\n## A section"):
    cell = nbformat.v4.new_code_cell("x", outputs=list(outputs))
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown), cell])


def test_error_output_is_never_published():
    err = nbformat.v4.new_output("error", ename="KeyError", evalue="'w'", traceback=["tb"])
    with pytest.raises(ReportError, match="error output"):
        render_html(_nb(err))
    text = nbformat.v4.new_output("stream", name="stdout",
                                  text="Traceback (most recent call last):\n  File x\n")
    with pytest.raises(ReportError, match="traceback"):
        render_html(_nb(text))


def test_unescaped_markup_in_an_output_shows_as_text():
    hostile = ('<table><tr><td><script>alert(1)</script></td></tr></table>'
               '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">go</a>'
               '<iframe src="about:blank"></iframe><form action="/x"></form>')
    out = nbformat.v4.new_output("display_data", data={"text/html": hostile, "text/plain": "x"})
    html = render_html(_nb(out))
    main = html[html.index("<main>"):]
    for pattern in (r"<script", r"<iframe", r"<form", r"<[^>]*\sonerror\s*=", r"<a[^>]*javascript:"):
        assert not re.search(pattern, main, re.IGNORECASE), pattern
    assert "&lt;script>alert(1)&lt;/script>" in main
    assert "<table><tr><td>" in main  # harmless markup is kept


def test_remote_image_is_refused_and_links_are_neutralised():
    with pytest.raises(ReportError, match="off the machine"):
        render_html(_nb(markdown="# T\n\n![logo](https://example.org/logo.png)"))
    html = render_html(_nb(markdown="# T\n\nSee [the source](http://example.org/a)."))
    assert external_references(html) == []
    assert "http://example.org/a" in html


def test_external_references_finds_every_kind():
    found = external_references(
        '<script src="https://a/x.js"></script><link href="//b/y.css">'
        "<style>@import url(https://c/z.css); p{background:url('http://d/i.png')}</style>"
        '<img src="data:image/png;base64,AA"><a href="#top">top</a>'
    )
    assert len(found) == 4


def test_strip_css_removes_comments_with_addresses():
    css = "/* https://example.org */ a { color: red; }\n  --jp-icon-x: url(data:image/svg+xml;base64,AA);\n"
    assert "http" not in strip_css(css) and "--jp-icon-x" not in strip_css(css)
    assert "color: red" in strip_css(css)


# --- headline figures and index --------------------------------------------------------------

def test_save_headline_round_trip_and_types(tmp_path):
    path = save_headline(2020, "02_satisfaction.ipynb", {
        "satisfaction_rate": np.float64(96.45), "respondents": np.int64(22250),
        "change_pp": float("nan"), "label": unicodedata.normalize("NFD", "Thừa Thiên Huế"),
    }, reports_dir=tmp_path)
    assert path == tmp_path / "2020" / "02_satisfaction.headline.json"
    data = json.loads(path.read_text(encoding="utf-8"))["figures"]
    assert data == {"satisfaction_rate": 96.45, "respondents": 22250, "change_pp": None,
                    "label": "Thừa Thiên Huế"}
    assert isinstance(data["respondents"], int)


@pytest.mark.parametrize("figures, error", [
    ({"x": [1, 2]}, TypeError),
    ({"x": {"a": 1}}, TypeError),
    ({"": 1}, ValueError),
    ([("x", 1)], TypeError),
])
def test_save_headline_rejects_bad_figures(tmp_path, figures, error):
    with pytest.raises(error):
        save_headline(2020, "02_satisfaction", figures, reports_dir=tmp_path)


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden"])
def test_save_headline_rejects_paths(tmp_path, name):
    with pytest.raises(ValueError, match="notebook name"):
        save_headline(2020, name, {"x": 1}, reports_dir=tmp_path)


def test_save_headline_stages_inside_a_batch(tmp_path, monkeypatch):
    monkeypatch.setenv("SATISFACTION_STAGING", str(tmp_path / "stage"))
    monkeypatch.setenv("SATISFACTION_REPORTS", str(tmp_path / "reports"))
    path = save_headline(2020, "02_satisfaction", {"x": 1})
    assert path == tmp_path / "stage" / "2020" / "02_satisfaction.headline.json"
    assert load_headlines(2020, tmp_path / "reports") == {}


# --- provenance ------------------------------------------------------------------------------

def test_data_file_hash_matches_hashlib(tmp_path):
    data = bytes(range(256)) * 5000
    (tmp_path / "f").write_bytes(data)
    assert sha256_file(tmp_path / "f") == hashlib.sha256(data).hexdigest()
    with pytest.raises(FileNotFoundError):
        sha256_file(tmp_path / "missing")


def test_git_state_outside_git_is_unknown(tmp_path):
    assert git_state(tmp_path) == ("unknown", None)


def test_package_versions_are_the_installed_ones():
    versions = package_versions()
    assert versions["pandas"] == metadata.version("pandas") == pd.__version__
    assert set(versions) >= {"numpy", "scipy", "statsmodels", "seaborn", "matplotlib",
                             "papermill", "nbconvert", "satisfaction"}


# --- reviewer tables: tests/test_tables.py -------------------------------------------------


def test_page_states_the_year_in_title_and_header():
    html = render_html(_nb(nbformat.v4.new_output("stream", name="stdout", text="ok\n")),
                       year=2020, title="Tỉ lệ")
    assert "<title>Tỉ lệ (2020)</title>" in html
    assert "Survey year <strong>2020</strong>" in html


# --------------------------------------------------------------------------------------------
# The package's export table
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module_name", ["index", "provenance", "tables", "escape"])
def test_the_package_exports_each_submodule_whole(module_name):
    import importlib

    from satisfaction import report

    module = importlib.import_module(f"satisfaction.report.{module_name}")
    listed = {n for n, m in report._EXPORTS.items() if m == module_name}
    assert listed == set(module.__all__)


def test_every_exported_name_resolves_and_all_is_the_table():
    import importlib

    from satisfaction import report

    assert sorted(report.__all__) == sorted(report._EXPORTS)
    for name, module_name in report._EXPORTS.items():
        module = importlib.import_module(f"satisfaction.report.{module_name}")
        assert getattr(report, name) is getattr(module, name), name
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        report.no_such_name  # noqa: B018


def test_saving_a_headline_loads_neither_papermill_nor_nbconvert(tmp_path):
    code = (
        "import sys\n"
        "from satisfaction import report\n"
        f"report.save_headline(2020, '02_x', {{'rate': 0.9}}, reports_dir={str(tmp_path)!r})\n"
        "print(sorted(m for m in ('papermill', 'nbconvert', 'nbclient') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert (tmp_path / "2020" / "02_x.headline.json").exists()
