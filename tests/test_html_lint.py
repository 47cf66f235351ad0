"""The HTML lint (tests/fixtures/html_lint.py), the figures' alt text on the page, the methods
page, and the print stylesheet as Chromium prints a page.

The lint runs over every page of the real batch in ``test_pipeline``; here it is shown to catch
each artefact it names, and to pass pages built with the presentation layer.
"""

from __future__ import annotations

import base64
import io

import nbformat
import numpy as np
import pandas as pd
import pytest
from browser_pages import CHROMIUM, unavailable
from html_lint import NO_ALT, lint

from satisfaction.i18n import _
from satisfaction.report.html import render_html
from satisfaction.report.methods import methods_content, methods_href, write_methods
from satisfaction.report.tables import Column, Table, estimates_table

# --- the lint catches what it names -----------------------------------------------------------

@pytest.mark.parametrize(("html", "rule"), [
    ("<table><tr><th>percent_of_input</th></tr></table>", "snake-header"),
    ("<table><tr><th>n_eff</th></tr></table>", "snake-header"),
    ("<p>63 rows × 12 columns</p>", "truncated-table"),
    ("<p>518 rows x 12 columns</p>", "truncated-table"),
    ('<table class="dataframe"><tr><td>1</td></tr></table>', "pandas-table"),
    ("<table><tr><td>&lt;NA&gt;</td></tr></table>", "pandas-cell"),
    ("<table><tr><td>NaN</td></tr></table>", "pandas-cell"),
    ("<table><tr><td>True</td></tr></table>", "pandas-cell"),
    ("<table><tr><td>0.964</td></tr></table>", "pandas-cell"),
    ("<table><tr><td>0,964</td></tr></table>", "pandas-cell"),
    ("<table><tr><td>0.963950</td></tr></table>", "pandas-cell"),
    ("<table><tr><td>0.000964</td></tr></table>", "pandas-cell"),
    ("<table><tr><td>-2.277e-03</td></tr></table>", "pandas-cell"),
    ("<table><tr><td>...</td></tr></table>", "pandas-cell"),
    ("<img src='x'>", "image-alt"),
    ("<img src='x' alt=''>", "image-alt"),
    (f"<img src='x' alt='{NO_ALT}'>", "image-alt"),
    ("<img src='x' alt='Figure 1'>", "image-alt"),
])
def test_the_lint_catches_each_artefact(html, rule):
    assert [p.rule for p in lint(html)] == [rule]


def test_the_lint_passes_what_a_reviewer_may_see():
    ok = ('<h2>Rate</h2><table class="sat-table"><tr><th scope="col">Hài lòng (%)</th></tr>'
          '<tr><td class="sat-num sat-k-rate">96,45</td><td class="sat-num sat-k-p_value">0.023'
          '</td><td class="sat-num sat-k-decimal">0.423</td><td>có</td></tr></table>'
          '<img alt="The satisfaction rate by level, with intervals" src="data:x">'
          '<section class="sat-provenance"><table><tr><th>params.raw_file</th></tr></table>'
          "</section>")
    assert lint(ok) == []


@pytest.mark.parametrize("p", ["0.023", "0.00095", "0,46", "< 0.0001"])
def test_a_p_value_written_by_report_formats_is_not_a_share(p):
    assert lint(f"<table><tr><td>{p}</td></tr></table>") == []


def test_problems_say_where_they_are():
    problems = lint("<h2>Offices</h2><table><tr><th>n_base</th></tr></table>")
    assert "after heading 'Offices'" in str(problems[0])


def test_a_table_of_the_presentation_layer_passes_the_lint_in_both_languages():
    table = pd.DataFrame({"estimate": [0.9645, 0.5, 0.98], "se": [0.004, 0.2, 0.01],
                          "ci_low": [0.956, 0.1, 0.95], "ci_high": [0.972, 0.9, 0.99],
                          "deff": [2.1, 1.0, 1.2], "n": [22250, 4, 300],
                          "n_eff": [10595.2, 4.0, 250.0], "df": [499, 1, 3]},
                         index=pd.Index(["all", "tiny", "few offices"], name="office"))
    for lang in ("vi", "en"):
        assert lint(estimates_table(table).html(lang)) == []
    many = Table(pd.DataFrame({"office": [f"Đơn vị {i}" for i in range(600)],
                               "ok": np.arange(600) % 2 == 0, "n": np.arange(600.0)}),
                 [Column("office", _("Office")), Column("ok", _("Reliability"), "boolean"),
                  Column("n", _("Respondents (n)"), "count")])
    assert lint(many.html("vi")) == []


# --- figures: the alt text reaches the page ----------------------------------------------------

def _png() -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def _image_notebook(alts: dict[str, str | None]) -> nbformat.NotebookNode:
    outputs = []
    for lang, alt in alts.items():
        meta = {"satisfaction": {"lang": lang, **({"alt": alt} if alt is not None else {})}}
        outputs.append(nbformat.v4.new_output("display_data", data={"image/png": _png()},
                                              metadata=meta))
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Page"),
                                           nbformat.v4.new_code_cell("", outputs=outputs)])


def _alts(page: str) -> list[str | None]:
    """The alt attribute of every image of a page, as a browser reads it."""
    from html.parser import HTMLParser

    found: list[str | None] = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                found.append(dict(attrs).get("alt"))

    Images().feed(page)
    return found


def test_the_page_carries_each_figures_alt_text_in_its_language():
    nb = _image_notebook({"vi": 'Tỉ lệ hài lòng theo cấp <b>& "mọi"</b>',
                          "en": "The satisfaction rate by level"})
    vi, en = render_html(nb, lang="vi"), render_html(nb, lang="en")
    assert _alts(vi) == ['Tỉ lệ hài lòng theo cấp <b>& "mọi"</b>']  # as text, escaped in HTML
    assert "<b>&" not in vi
    assert _alts(en) == ["The satisfaction rate by level"]
    assert NO_ALT not in vi + en


def test_a_figure_without_alt_text_is_still_caught():
    page = render_html(_image_notebook({"vi": None}), lang="vi")
    assert [p.rule for p in lint(page)] == ["image-alt"]


def test_show_figure_stores_the_alt_text_and_refuses_none(monkeypatch):
    from matplotlib.figure import Figure

    from satisfaction.report import show

    shown = []
    monkeypatch.setattr(show, "_display", lambda data, meta: shown.append((data, meta)))
    monkeypatch.setenv("SATISFACTION_LANGUAGES", "vi,en")
    show.figure(lambda lang: Figure(figsize=(1, 1)), alt=_("Satisfied"))
    assert [m for _d, m in shown] == [{"lang": "vi", "alt": "Hài lòng"},
                                      {"lang": "en", "alt": "Satisfied"}]
    with pytest.raises(ValueError, match="alt text"):
        show.figure(lambda lang: Figure(), alt="  ")


# --- the methods and glossary page -------------------------------------------------------------

def test_methods_page_in_both_languages(tmp_path):
    pages = write_methods(tmp_path)
    assert [p.name for p in pages] == ["methods.html", "methods.en.html"]
    vi, en = (p.read_text(encoding="utf-8") for p in pages)
    for text in ("Phương pháp và thuật ngữ", "Korn-Graubard", "hiệu ứng thiết kế",
                 "cỡ mẫu hiệu dụng", "Holm", "Benjamini-Hochberg", "quyền số", "tầng"):
        assert text.lower() in vi.lower(), text
    for text in ("Methods and glossary", "design effect", "effective sample size",
                 "primary sampling unit", "Newcombe", "lonely PSU"):
        assert text.lower() in en.lower(), text
    assert "<script" not in vi.lower() and lint(vi) == [] and lint(en) == []
    assert 'href="index.html"' in vi and 'href="index.en.html"' in en
    for field in ("{threshold}", "{level}", "{lonely}", "{n_eff}", "{df}", "{href}"):
        assert field not in vi + en  # every placeholder filled


def test_methods_page_states_the_years_rules():
    from satisfaction.params import load_params

    text = " ".join(b.render("en") for kind, b in methods_content(load_params(2020))
                    if kind == "markdown")
    assert "fewer than 10 respondents" in text and "95 % confidence interval" in text
    assert "under 30" in text and "fewer than 8 degrees of freedom" in text
    assert methods_href("vi") == "../methods.html" and methods_href("en") == "../methods.en.html"


# --- printing ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def printed_page(tmp_path_factory):
    """A page with a long table (in <details>), a wide table and a figure, rendered."""
    long = Table(pd.DataFrame({"office": [f"Công an xã {i}" for i in range(80)],
                               "rate": np.linspace(0.5, 1.0, 80)}),
                 [Column("office", _("Office")), Column("rate", _("Satisfied"), "rate")],
                 caption=_("Satisfied, by office"))
    wide = Table(pd.DataFrame({f"c{i}": [0.9645] * 3 for i in range(16)}),
                 [Column(f"c{i}", _("Satisfied or very satisfied, by survey year"), "rate")
                  for i in range(16)])
    outputs = [nbformat.v4.new_output("display_data", data={"text/html": str(t.html("vi"))})
               for t in (long, wide)]
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Trang in\n\n## Bảng dài"),
        nbformat.v4.new_code_cell("", outputs=outputs[:1]),
        nbformat.v4.new_markdown_cell("## Bảng rộng"),
        nbformat.v4.new_code_cell("", outputs=outputs[1:])])
    path = tmp_path_factory.mktemp("print") / "page.html"
    path.write_text(render_html(nb, lang="vi"), encoding="utf-8")
    return path


def test_printing_shows_every_row_wraps_wide_tables_and_shows_no_scrollbar(printed_page):
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing")
    from browser_pages import LAUNCH_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 800, "height": 1000})
        page.goto(printed_page.as_uri())
        screen = page.evaluate("""() => {
            const rows = [...document.querySelectorAll('details.sat-long tbody tr')];
            return rows.filter(r => r.checkVisibility()).length;
        }""")
        page.emulate_media(media="print")
        printed = page.evaluate("""() => {
            const rows = [...document.querySelectorAll('details.sat-long tbody tr')];
            const wide = document.querySelectorAll('table.sat-table')[1];
            const body = document.body.getBoundingClientRect();
            const scrolling = [...document.querySelectorAll('*')].filter(e => {
                const s = getComputedStyle(e);
                return (s.overflowX === 'auto' || s.overflowX === 'scroll' ||
                        s.overflowY === 'auto' || s.overflowY === 'scroll');
            }).length;
            return {rows: rows.filter(r => r.checkVisibility()).length,
                    wideRight: wide.getBoundingClientRect().right, bodyRight: body.right,
                    scrolling,
                    repeat: getComputedStyle(wide.querySelector('thead')).display,
                    headingBreak: getComputedStyle(document.querySelector('h2')).breakAfter};
        }""")
        pdf = page.pdf(format="A4")
        browser.close()
    assert screen == 0  # closed on screen: one click opens it
    assert printed["rows"] == 80  # every row on paper
    assert printed["wideRight"] <= printed["bodyRight"] + 1  # the wide table fits the page
    assert printed["scrolling"] == 0
    assert printed["repeat"] == "table-header-group" and printed["headingBreak"] == "avoid"
    assert pdf.startswith(b"%PDF")
