"""Tests of satisfaction.report: batch runner, HTML pages, index, provenance, reviewer tables.

A small site (tests/fixtures/report_site.py) is run through the real batch runner, papermill and
nbconvert once per module; the pages are then checked as text: no code, no traceback, images
embedded, nothing fetched from the network, escaped data, provenance and synthetic banner. The
failure paths run small notebooks that raise. Expected values come from the inputs (hashlib,
git, the fixture's numbers), never from the code under test.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import re
import shutil
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
    plan_jobs,
    render_html,
    render_index,
    run_batch,
    save_headline,
)
from satisfaction.report.html import strip_css
from satisfaction.report.provenance import git_state, package_versions

HOSTILE = "<script>alert(1)</script>"


def run(**kwargs) -> tuple[int, str, str]:
    """run_batch with its standard output and error captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_batch(progress=False, **kwargs)
    return code, out.getvalue(), err.getvalue()


def site_args(site: dict[str, Path]) -> dict[str, Path]:
    return {"reports_dir": site["reports"], "notebooks_dir": site["notebooks"],
            "params_dir": site["params"]}


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


def page(site, year: int, name: str = "02_report") -> str:
    return (site["reports"] / str(year) / f"{name}.html").read_text(encoding="utf-8")


# --- the batch run ---------------------------------------------------------------------------

def test_batch_runs_every_notebook_for_the_year(site):
    assert site["code"] == 0, site["err"]
    assert not (site["reports"] / "2019").exists()
    for year in (2020,):
        folder = site["reports"] / str(year)
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted([
            "01_clean.html", "01_clean.ipynb", "02_report.headline.json", "02_report.html",
            "02_report.ipynb",
        ]), names  # no temporary, hidden or .failed file left behind
    index = site["reports"] / "index.html"
    assert index.exists()
    assert str(index) in site["out"]
    assert not (site["reports"] / ".staging").exists()


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
    pages = [page(site, 2020, "01_clean"), page(site, 2020)]
    pages.append((site["reports"] / "index.html").read_text(encoding="utf-8"))
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
    index = (site["reports"] / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in index
    assert "<script" not in index.lower()


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
    html = page(site, 2020)
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


def test_synthetic_banner_on_every_synthetic_page(site):
    for name in ("01_clean", "02_report"):
        html = page(site, 2020, name)
        assert re.search(r"Synthetic data — not the ministry(&#x27;|')s survey", html)
        assert html.index("Synthetic data") < html.index("<h1")  # above the content
    index = (site["reports"] / "index.html").read_text(encoding="utf-8")
    assert "Synthetic data — not the ministry" in index
    year_2019 = index[index.index('id="year-2019"'):]
    assert "synthetic" not in year_2019.split("</section>")[0]


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
    index = (site["reports"] / "index.html").read_text(encoding="utf-8")
    assert index.index('id="year-2020"') < index.index('id="year-2019"')
    for name in ("01_clean", "02_report"):
        assert f'href="2020/{name}.html"' in index
        assert f'href="2019/{name}.html"' not in index
    assert index.count("not built yet") == 2  # 2019: both analyses
    assert "96.45 %" in index and "22,250" in index and "96.01–96.86" in index


def test_page_sizes_are_mailable(site):
    for year in (2020,):
        total = sum(p.stat().st_size for p in (site["reports"] / str(year)).glob("*.html"))
        print(f"pages of {year}: {total / 1e6:.2f} MB")
        assert total < 5e6


# --- failures --------------------------------------------------------------------------------

def test_failing_notebook_keeps_last_good_page(site, tmp_path):
    shutil.copytree(site["reports"], tmp_path / "reports")
    for key in ("notebooks", "params", "data"):
        shutil.copytree(site[key], tmp_path / key)
    failing = report_site.notebook(
        "from satisfaction.report import save_headline",
        "_ = save_headline(year, '02_report', {'satisfaction_rate': 1.0})",
        "raise ValueError('office code XYZ is not in the register')\nprint('never')",
        title="# Fixture report",
    )
    report_site.put_notebook(tmp_path / "notebooks", "02_report", failing)
    folder = tmp_path / "reports" / "2020"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    code, _, err = run(years=[2020], notebooks=["02_report"], workers=1,
                         reports_dir=tmp_path / "reports", notebooks_dir=tmp_path / "notebooks",
                         params_dir=tmp_path / "params")

    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("FAILED 02_report [2020] at cell 5/5 `raise ValueError(")
    assert "ValueError: office code XYZ is not in the register" in lines[0]
    assert "02_report.failed.ipynb" in lines[0]
    assert "Traceback" not in err
    kept = nbformat.read(str(folder / "02_report.failed.ipynb"), as_version=4)
    assert any(o.get("output_type") == "error" for c in kept.cells for o in c.get("outputs", []))
    for name in ("02_report.html", "02_report.ipynb", "02_report.headline.json"):
        assert (folder / name).read_bytes() == before[name], name
    assert load_headlines(2020, tmp_path / "reports")["02_report"]["satisfaction_rate"] == 96.45
    assert not list(folder.glob(".*"))
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "last run failed" in index


CLEAN_FAILS_2019 = report_site.notebook(
    "if year == 2019:\n    raise RuntimeError('raw file unreadable')", title="# Clean")
AFTER = report_site.notebook("print('analysis', year)", title="# Analysis")


def test_failed_cleaning_blocks_only_that_years_notebooks(tmp_path):
    folders = report_site.make_site(tmp_path, {2019: True, 2020: True},
                                    {"01_clean": CLEAN_FAILS_2019, "02_after": AFTER},
                                    baselines=False)
    code, _, err = run(workers=2, keep_going=True, **site_args(folders))
    assert code == 1
    failures = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert failures == [failures[0]] and failures[0].startswith(
        "FAILED 01_clean [2019] at cell 3/3 `if year == 2019:`: RuntimeError: raw file unreadable")
    assert re.search(r"^not run \(their cleaning step failed\): 02_after \[2019\]$", err, re.MULTILINE)
    reports = folders["reports"]
    assert (reports / "2019" / "01_clean.failed.ipynb").exists()
    assert not (reports / "2019" / "01_clean.html").exists()
    assert not (reports / "2019" / "02_after.ipynb").exists()
    assert (reports / "2020" / "02_after.html").exists()  # independent: it ran


def test_by_default_the_batch_stops_after_a_failure(tmp_path):
    folders = report_site.make_site(tmp_path, {2019: True, 2020: True},
                                    {"01_clean": CLEAN_FAILS_2019, "02_after": AFTER},
                                    baselines=False)
    code, _, err = run(workers=1, **site_args(folders))
    assert code == 1
    assert re.search(r"^not run \(after the failure above\): 01_clean \[2020\], "
                     r"02_after \[2019\], 02_after \[2020\]$", err, re.MULTILINE)
    assert not list(folders["reports"].glob("*/02_after.*"))
    assert not (folders["reports"] / "2020").exists()
    assert (folders["reports"] / "index.html").exists()


def test_tracebacks_never_get_a_page(tmp_path):
    tolerated = report_site.notebook("print('before')", "1 / 0", title="# Tolerated error")
    tolerated.cells[-1].metadata["tags"] = ["raises-exception"]
    printed = report_site.notebook(
        "import sys, traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    traceback.print_exc(file=sys.stdout)", title="# Logged error")
    folders = report_site.make_site(tmp_path, {2020: True},
                                    {"02_tolerant": tolerated, "03_logged": printed})
    code, _, err = run(workers=1, keep_going=True, **site_args(folders))
    assert code == 1
    assert re.search(r"^FAILED 02_tolerant \[2020\] at cell 4/4 `1 / 0`: ZeroDivisionError", err,
                     re.MULTILINE)
    assert re.search(r"^FAILED 03_logged \[2020\] while rendering the page: .*cell 3 prints a "
                     r"traceback", err, re.MULTILINE)
    folder = folders["reports"] / "2020"
    assert not list(folder.glob("*.html"))
    assert {p.name for p in folder.glob("*.failed.ipynb")} == {
        "02_tolerant.failed.ipynb", "03_logged.failed.ipynb"}


def test_bad_requests_exit_2_with_one_line(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {"01_clean": CLEAN_OK})
    code, _, err = run(years=[1999], **site_args(folders))
    assert code == 2 and "1999" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(notebooks=["07_missing"], **site_args(folders))
    assert code == 2 and "07_missing" in err and "01_clean" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(notebooks_dir=empty, reports_dir=folders["reports"],
                         params_dir=folders["params"])
    assert code == 2 and "no notebooks" in err


def test_plan_runs_cleaning_first_and_waits_for_the_baseline(tmp_path):
    folders = report_site.make_site(tmp_path, {2019: True, 2020: True}, {})
    nbs = [Path("01_clean.ipynb"), Path("02_satisfaction.ipynb"), Path("03_change.ipynb")]
    jobs = plan_jobs([2019, 2020], nbs, folders["params"])
    labels = [j.label for j in jobs]
    assert labels[:2] == ["01_clean [2019]", "01_clean [2020]"]
    assert sorted(labels[2:]) == sorted(f"{n} [{y}]" for n in ("02_satisfaction", "03_change")
                                        for y in (2019, 2020))
    needs = {j.label: set(j.needs) for j in jobs}
    assert needs["03_change [2020]"] == {("01_clean", 2020), ("01_clean", 2019)}
    assert needs["03_change [2019]"] == {("01_clean", 2019)}


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


def test_index_reads_proportions_and_labels_other_keys(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {})
    save_headline(2020, "02_x", {"rate": 0.9645, "ci_low": 0.9609, "ci_high": 0.9679,
                                 "deff": 2.0013, "published_rate": 96.45},
                  reports_dir=folders["reports"])
    save_headline(2020, "03_y", {"change_pp": -1.234, "baseline_year": 2019, "confidence": 0.9},
                  reports_dir=folders["reports"])
    text = render_index(folders["reports"], params_dir=folders["params"],
                        notebooks=["02_x", "03_y"]).read_text(encoding="utf-8")
    assert "96.45 %" in text and "96.09–96.79" in text
    assert "Design effect" in text and "2.00" in text
    assert "Published by the ministry (%)" in text
    assert "Change on 2019" in text and "−1.23" not in text and "-1.23 pp" in text
    assert "90 % CI" in text


def test_index_without_reports_escapes_and_says_so(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: False}, {})
    save_headline(2020, "02_x", {"respondents": 5, "office": HOSTILE}, reports_dir=folders["reports"])
    index = render_index(folders["reports"], params_dir=folders["params"], notebooks=["02_x"])
    text = index.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script" not in text.lower()
    assert "not built yet" in text and "Synthetic data" not in text


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
