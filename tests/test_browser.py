"""The report pages opened as a reviewer opens them: headless Chromium, offline.

The test runs the fixture notebook through the batch runner into a temporary folder and opens
the page and the index in Debian's Chromium (``apt-get install chromium``, driven by Playwright's
Python package; no browser is downloaded). It also opens the 2020 pages in ``reports/`` when a
pipeline run has made them. Each page must load with no console error and no request leaving
the machine (only ``file:`` and ``data:`` URLs are let through), show every figure (an image
with a natural width), and have a table of contents whose links land on existing headings.
Screenshots go to ``tests/artifacts/`` for the test log.

Without ``/usr/bin/chromium`` the test is skipped, except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import pytest

from satisfaction import config
from satisfaction.report import run_batch

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import report_site

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ALLOWED_SCHEMES = ("file:", "data:", "about:")


def _unavailable(reason: str) -> None:
    message = f"{reason}: install it with `apt-get install chromium` (see README)"
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI: {message}")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("the playwright Python package is missing")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


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


def open_page(browser, path: Path) -> dict:
    """Open ``path`` offline; return what a reviewer's browser saw."""
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900},
                                  java_script_enabled=True)
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    blocked: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url[:80]}"))
    page.on("request", lambda r: requests.append(r.url))

    def guard(route):
        url = route.request.url
        if url.startswith(ALLOWED_SCHEMES):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    images = page.eval_on_selector_all(
        "img",
        "els => els.map(e => ({src: e.currentSrc.slice(0, 22), width: e.naturalWidth,"
        " visible: e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().height > 0}))",
    )
    links = page.eval_on_selector_all(
        "nav.sat-toc a", "els => els.map(e => e.getAttribute('href'))")
    landed = []
    for href in links:
        page.click(f'nav.sat-toc a[href="{href}"]')
        landed.append(page.evaluate(
            """href => {
                const target = document.getElementById(decodeURIComponent(href.slice(1)));
                if (!target) return {href, exists: false};
                const box = target.getBoundingClientRect();
                return {href, exists: true, hash: location.hash,
                        inView: box.top >= -2 && box.top < window.innerHeight};
            }""",
            href,
        ))
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{path.parent.name}_{path.stem}.png"
    page.screenshot(path=str(shot), full_page=True)
    context.close()
    return {"errors": errors, "requests": requests, "blocked": blocked, "images": images,
            "links": landed, "screenshot": shot}


def check(seen: dict, *, expect_images: bool) -> None:
    assert seen["errors"] == []
    assert seen["blocked"] == []
    assert all(url.startswith(ALLOWED_SCHEMES) for url in seen["requests"]), seen["requests"]
    if expect_images:
        assert seen["images"], "no figure on the page"
    for image in seen["images"]:
        assert image["src"].startswith("data:image/")
        assert image["width"] > 0 and image["visible"], image
    assert seen["links"], "no table of contents"
    for link in seen["links"]:
        assert link["exists"], link
        assert link["hash"] == link["href"] and link["inView"], link
    assert seen["screenshot"].stat().st_size > 0


def test_fixture_page_in_chromium(browser, built_site):
    seen = open_page(browser, built_site / "2020" / "02_report.html")
    check(seen, expect_images=True)
    assert len(seen["links"]) >= 4


def test_index_in_chromium(browser, built_site):
    seen = open_page(browser, built_site / "index.html")
    check(seen, expect_images=False)


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
        _unavailable("/usr/bin/chromium is missing")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        _unavailable("/usr/bin/chromium is missing")
