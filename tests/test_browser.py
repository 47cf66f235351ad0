"""The report pages opened as a reviewer opens them: headless Chromium, offline.

The test runs the fixture notebook through the batch runner into a temporary folder and opens
the page and the index in Debian's Chromium (``apt-get install chromium``, driven by Playwright's
Python package; no browser is downloaded; the ``browser`` fixture is in ``conftest.py``, the
helpers in ``fixtures/browser_pages.py``, shared with ``test_pipeline``). Both editions of the page and of the index (Vietnamese, English) are opened, each with its
``<html lang>``. Each page must load with no console error and no request leaving
the machine (only ``file:`` and ``data:`` URLs are let through), show every figure (an image
with a natural width), and have a table of contents whose links land on existing headings.
Screenshots go to ``tests/artifacts/`` for the test log.

Without ``/usr/bin/chromium`` the test is skipped, except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import contextlib
import io

import pytest
import report_site
from browser_pages import check, open_page, unavailable

from satisfaction import config
from satisfaction.report import run_batch
from satisfaction.report.pages import edition_file, index_file

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser_site")
    folders = report_site.make_site(root, {2020: True}, {"02_report": report_site.FIXTURE_NOTEBOOK})
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_batch(workers=1, progress=False, reports_dir=folders["reports"],
                         notebooks_dir=folders["notebooks"], params_dir=folders["params"])
    assert code == 0, err.getvalue()
    return folders["reports"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_fixture_page_in_chromium(browser, built_site, lang):
    seen = open_page(browser, built_site / "2020" / edition_file("02_report", lang))
    check(seen, expect_images=True)
    assert len(seen["links"]) >= 4
    assert seen["lang"] == lang


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_index_in_chromium(browser, built_site, lang):
    seen = open_page(browser, built_site / index_file(lang))
    check(seen, expect_images=False)
    assert seen["lang"] == lang


def test_hostile_name_stays_text_in_chromium(browser, built_site):
    context = browser.new_context(offline=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((built_site / "2020" / "02_report.html").as_uri())
    assert dialogs == []
    assert page.locator("text=<script>alert(1)</script>").count() >= 1
    assert page.eval_on_selector_all("script", "els => els.length") == 0
    context.close()


def test_artifacts_are_not_committed():
    ignored = (config.ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "tests/artifacts/" in ignored


def test_the_checks_catch_a_page_that_reaches_out(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<script src="https://cdn.example.org/require.js"></script></head><body>'
        '<nav class="sat-toc"><a href="#missing">x</a></nav>'
        '<img src="https://example.org/figure.png"></body></html>',
        encoding="utf-8",
    )
    seen = open_page(browser, bad)
    assert any("cdn.example.org" in url for url in seen["blocked"])
    assert seen["errors"]
    assert seen["images"][0]["width"] == 0
    assert seen["links"] == [{"href": "#missing", "exists": False}]
    with pytest.raises(AssertionError):
        check(seen, expect_images=True)


def test_missing_chromium_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        unavailable("/usr/bin/chromium is missing")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        unavailable("/usr/bin/chromium is missing")
