"""The files a run writes beside the pages: each year's workbooks, the methods page, the index.

Small notebooks built by ``tests/fixtures/report_site.py`` run through the real runner. What is
checked comes from the files on disk and the run's output lines: each file is written when one
of its inputs changed, and only then.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import report_site
from openpyxl import load_workbook

from satisfaction.report import site

run, site_args = report_site.run, report_site.site_args


def tables_notebook(rate: float, *, save: bool = True) -> object:
    """A page that shows (and, with ``save``, saves to download) one table of offices."""
    save_line = "downloads.save_table(year, '02_tables', 'by_office', t)" if save else "t"
    return report_site.notebook(
        "import pandas as pd\nfrom satisfaction.i18n import _\n"
        "from satisfaction.report import downloads, save_headline\n"
        "from satisfaction.report.tables import Column, Table",
        f"t = Table(pd.DataFrame({{'office': ['Huế', '=1+1'], 'rate': [{rate}, 0.5]}}),\n"
        "          [Column('office', _('Office')), Column('rate', _('Satisfied'), 'rate')],\n"
        "          title=_('Satisfied, by office'))\n" + save_line,
        "save_headline(year, '02_tables', {'rate': 0.9645, 'ci_low': 0.9609, 'ci_high': 0.9679,"
        " 'n_valid': 22250, 'published_rate': 96.45})",
        title="# Tables")


def written(out: str) -> set[str]:
    """What the run's closing line says it wrote beside the pages."""
    found = re.search(r"; written: (.*?) \(\d", out)
    return set(found.group(1).split(", ")) if found else set()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a reports folder but the index and the lock (both rewritten by a run)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(("index", ".run.lock"))}


def build(root: Path) -> dict[str, Path]:
    folders = report_site.make_site(root, {2019: True, 2020: True},
                                    {"02_tables": tables_notebook(0.9645)})
    code, out, err = run(workers=2, **site_args(folders))
    assert code == 0, err
    assert written(out) == {"methods and glossary page", "workbooks [2019]", "workbooks [2020]"}
    return folders


@pytest.fixture(scope="module")
def tables_site(tmp_path_factory):
    """A site built once, for the tests that read it or run it again unchanged."""
    return build(tmp_path_factory.mktemp("site"))


def test_each_year_gets_its_workbooks_and_the_index_links_them(tables_site):
    folder = tables_site["reports"] / "2020"
    for name, lang, header in (("tables_2020.xlsx", "vi", "Hài lòng (%)"),
                               ("tables_2020.en.xlsx", "en", "Satisfied (%)")):
        book = load_workbook(folder / name)
        assert book.sheetnames[0] == "README" and len(book.sheetnames) == 2
        rows = list(book[book.sheetnames[1]].values)
        assert header in rows[3] or header.replace("Hài lòng", "Satisfied") in rows[3], rows[:5]
        assert (96.45, ) == tuple(r[1] for r in rows[4:5])  # a rate with its two decimals
        assert rows[5][0] == "'=1+1"  # never a formula
        readme = " ".join(str(c) for row in book["README"].values for c in row if c)
        assert "survey_2020.csv" in readme and "SHA-256" in readme  # its sources
        assert lang == "en" or "02_tables.html" in readme
    manifest = json.loads((folder / site.workbooks_manifest(2020)).read_text("utf-8"))
    assert set(manifest["outputs"]) == {"tables_2020.xlsx", "tables_2020.en.xlsx"}
    assert any(k.startswith("table:02_tables.by_office") for k in manifest["inputs"])
    index = (tables_site["reports"] / "index.en.html").read_text("utf-8")
    assert 'href="2020/tables_2020.en.xlsx"' in index and 'href="2019/tables_2019.en.xlsx"' in index
    assert 'href="methods.en.html"' in index and "In 2020, 96.45 %" in index
    assert "tables_2020.workbooks" not in index  # not listed as a page
    index = (tables_site["reports"] / "index.html").read_text("utf-8")  # each edition its own
    assert 'href="2020/tables_2020.xlsx"' in index and 'href="2019/tables_2019.xlsx"' in index
    assert 'href="methods.html"' in index and ".en.xlsx" not in index and "Năm 2020, 96,45 %" in index


def test_the_methods_page_is_written_once_and_linked_from_every_page(tables_site):
    reports = tables_site["reports"]
    vi = (reports / "methods.html").read_text("utf-8")
    en = (reports / "methods.en.html").read_text("utf-8")
    assert '<html lang="vi">' in vi and '<html lang="en">' in en
    assert 'href="methods.en.html"' in vi and 'href="methods.html"' in en  # each other
    assert 'href="index.en.html"' in en and "../" not in re.sub(r"<style.*?</style>", "", en,
                                                                flags=re.DOTALL)
    for lang, methods in (("vi", "../methods.html"), ("en", "../methods.en.html")):
        page = (reports / "2020" / (f"02_tables.{lang}.html" if lang == "en" else "02_tables.html")
                ).read_text("utf-8")
        header = page[page.index('<header class="sat-header">'):page.index("</header>")]
        assert f'href="{methods}"' in header, header


def test_an_unchanged_run_writes_nothing_beside_the_pages(tables_site):
    before = snapshot(tables_site["reports"])
    code, out, _ = run(workers=2, **site_args(tables_site))
    assert code == 0 and written(out) == set()
    assert "0 built" in out and snapshot(tables_site["reports"]) == before


def test_what_changed_is_written_again_and_only_that(tmp_path, monkeypatch):
    folders = build(tmp_path / "site")
    reports = folders["reports"]
    # Missing or edited files: written again, though no input changed.
    (reports / "methods.en.html").unlink()
    (reports / "2019" / "tables_2019.xlsx").write_bytes(b"edited")
    code, out, _ = run(workers=1, **site_args(folders))
    assert code == 0 and "0 built" in out
    assert written(out) == {"methods and glossary page", "workbooks [2019]"}
    assert (reports / "methods.en.html").exists()
    load_workbook(reports / "2019" / "tables_2019.xlsx")
    # A changed table: its year's workbooks.
    report_site.put_notebook(folders["notebooks"], "02_tables", tables_notebook(0.9012))
    code, out, _ = run(workers=1, years=[2020], **site_args(folders))
    assert code == 0 and written(out) == {"workbooks [2020]"}
    book = load_workbook(reports / "2020" / "tables_2020.en.xlsx")
    assert list(book[book.sheetnames[1]].values)[4][1] == 90.12
    # A changed methods text (the page's inputs are the library's files).
    library = tmp_path / "library"
    library.mkdir()
    (library / "methods.py").write_text("TEXT = 'Korn-Graubard'\n", "utf-8")
    monkeypatch.setattr(site, "library_dir", lambda: library)
    assert "methods and glossary page" in written(run(workers=1, **site_args(folders))[1])
    assert written(run(workers=1, **site_args(folders))[1]) == set()
    (library / "methods.py").write_text("TEXT = 'Clopper-Pearson'\n", "utf-8")
    code, out, _ = run(workers=1, **site_args(folders))
    # The workbooks read the library too (their README's words): written again with it.
    assert code == 0 and "methods and glossary page" in written(out) and "0 built" in out
    monkeypatch.undo()
    # A page that no longer saves tables takes its year's workbooks away.
    report_site.put_notebook(folders["notebooks"], "02_tables",
                             tables_notebook(0.9645, save=False))
    code, out, _ = run(workers=1, years=[2020], **site_args(folders))
    assert code == 0 and "workbooks [2020]" in written(out)
    folder = reports / "2020"
    assert not list(folder.glob("*.xlsx")) and not list(folder.glob("*.csv"))
    assert not (folder / site.workbooks_manifest(2020)).exists()
    index = (reports / "index.en.html").read_text("utf-8")
    assert "2020/tables_2020" not in index and "2019/tables_2019.en.xlsx" in index
    code, out, _ = run(workers=1, years=[2020], **site_args(folders))
    assert written(out) == set()


def test_a_workbook_that_cannot_be_written_is_one_line_and_the_run_goes_on(tmp_path,
                                                                            monkeypatch):
    from satisfaction.report import downloads

    folders = report_site.make_site(tmp_path / "site", {2019: True, 2020: True},
                                    {"02_tables": tables_notebook(0.9645)})
    write_workbooks = downloads.write_workbooks

    def refuse_2019(year, *args, **kwargs):
        if year == 2019:
            raise PermissionError(13, "Permission denied", "tables_2019.xlsx")
        return write_workbooks(year, *args, **kwargs)

    monkeypatch.setattr(downloads, "write_workbooks", refuse_2019)
    code, out, err = run(workers=1, **site_args(folders))
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("FAILED workbooks [2019]: PermissionError"), err
    assert code == 1 and "2 built" in out and "failed: workbooks [2019]" in out
    assert written(out) == {"methods and glossary page", "workbooks [2020]"}
    reports = folders["reports"]
    assert not list((reports / "2019").glob("tables_2019*"))  # nothing half-written
    assert (reports / "2020" / "tables_2020.xlsx").exists()
    assert (reports / "2019" / "02_tables.html").exists() and (reports / "index.html").exists()
    index = (reports / "index.html").read_text("utf-8")
    assert 'href="2020/tables_2020.xlsx"' in index and "tables_2019" not in index
    # Tried again by the next run, and only it.
    monkeypatch.undo()
    code, out, err = run(workers=1, **site_args(folders))
    assert code == 0 and written(out) == {"workbooks [2019]"} and "0 built" in out, err
    assert 'href="2019/tables_2019.xlsx"' in (reports / "index.html").read_text("utf-8")
