"""End to end: `satisfaction run` on a scratch copy of the repository, as `make reports` does."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_pages import check, open_page
from html_lint import lint

from satisfaction import config
from satisfaction.report.pages import edition_file, index_file

pytestmark = pytest.mark.slow
SKIP = {".venv", ".git", ".pytest_cache", ".hypothesis", "__pycache__", ".ipynb_checkpoints"}


def _ignore(folder: str, names: list[str]) -> set[str]:
    out = {n for n in names if n in SKIP or n.endswith(".egg-info")}
    here = Path(folder)
    if here.name in ("reports", "processed"):
        out |= {n for n in names if n != "README.md"}
    return out


def _tree_digest(root: Path) -> dict[str, str]:
    """Hashes of every file outside the generated folders."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0] == "reports" or rel.parts[:2] == ("data", "processed"):
            continue
        if set(rel.parts) & SKIP:
            continue
        out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("repo") / "repo"
    shutil.copytree(config.ROOT, root, ignore=_ignore)
    before = _tree_digest(root)
    env = {**os.environ, "SATISFACTION_ROOT": str(root)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "satisfaction.cli", "run"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=1800, check=False)
    elapsed = time.perf_counter() - start
    print(f"satisfaction run: {elapsed:.1f} s")
    return root, proc, before, elapsed


def test_the_batch_succeeds_and_says_where_the_index_is(pipeline):
    _, proc, _, _ = pipeline
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "index.html" in proc.stdout + proc.stderr


def test_index_links_a_page_per_year_and_notebook(pipeline):
    root, _, _, _ = pipeline
    notebooks = sorted(p.stem for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    years = sorted(int(p.stem) for p in (root / "params").glob("*.yaml"))
    assert len(years) >= 3
    for lang in ("vi", "en"):
        index = (root / "reports" / index_file(lang)).read_text(encoding="utf-8")
        for year in years:
            for nb in notebooks:
                page = root / "reports" / str(year) / edition_file(nb, lang)
                assert page.exists(), page
                assert f"{year}/{edition_file(nb, lang)}" in index
        assert index.index(str(years[-1])) < index.index(str(years[0])), "latest year first"


def test_2020_satisfaction_page_shows_the_published_figures(pipeline):
    root, _, _, _ = pipeline
    folder = root / "reports" / "2020"
    english = (folder / "02_satisfaction.en.html").read_text(encoding="utf-8")
    assert "22,250" in english
    assert "96.45" in english
    assert "Synthetic data — not the ministry" in english
    vietnamese = (folder / "02_satisfaction.html").read_text(encoding="utf-8")
    assert "Dữ liệu mô phỏng — không phải số liệu khảo sát của Bộ" in vietnamese
    assert "22.250" in vietnamese and "96,45" in vietnamese  # Vietnamese number style
    assert "96,4<" not in vietnamese and "96.4<" not in english  # two decimals everywhere


def test_an_unchanged_rerun_builds_nothing(pipeline):
    root, _, _, _ = pipeline
    env = {**os.environ, "SATISFACTION_ROOT": str(root)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "satisfaction.cli", "run"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    elapsed = time.perf_counter() - start
    print(f"satisfaction run, nothing changed: {elapsed:.1f} s")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert re.search(r"\b0 built, \d+ up to date, 0 failed", proc.stdout), proc.stdout
    assert "changed:" not in proc.stderr


def test_every_page_passes_the_html_lint(pipeline):
    """Every page of every year, in both editions, index and methods page included."""
    root, _, _, _ = pipeline
    pages = sorted((root / "reports").rglob("*.html"))
    assert len(pages) >= 2 * 6
    for page in pages:
        problems = lint(page.read_text(encoding="utf-8"))
        assert problems == [], (page, [str(p) for p in problems[:10]])


def test_no_page_shows_code_tracebacks_or_personal_data(pipeline):
    import pandas as pd

    root, _, _, _ = pipeline
    raw = pd.read_csv(root / "data" / "raw" / "survey_2020.csv", dtype=str, nrows=2000)
    personal = set(raw["so_dien_thoai"]) | set(raw["so_cccd"])
    for page in (root / "reports").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Traceback" not in text, page
        found = [v for v in personal if v in text]
        assert not found, (page, found[:3])


def test_the_run_changes_no_file_outside_the_generated_folders(pipeline):
    root, _, before, _ = pipeline
    assert _tree_digest(root) == before


def test_the_2020_pages_and_the_index_in_chromium(pipeline, browser):
    """The real pages, both editions, opened offline as a reviewer would (screenshots in
    tests/artifacts/)."""
    root, _, _, _ = pipeline
    pages = sorted((root / "reports" / "2020").glob("*.html"))
    english = [p for p in pages if p.name.endswith(".en.html")]
    assert len(english) >= 4 and len(pages) == 2 * len(english)
    for page in [*pages, root / "reports" / "index.html", root / "reports" / "index.en.html"]:
        seen = open_page(browser, page)
        check(seen, expect_images=not page.name.startswith("index"))
        assert seen["lang"] == ("en" if page.name.endswith(".en.html") else "vi"), page
