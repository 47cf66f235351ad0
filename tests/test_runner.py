"""The batch runner: failures that never stop the others, incremental rebuilds, two editions.

Small notebooks built by ``tests/fixtures/report_site.py`` run through the real runner, papermill
and nbconvert in temporary folders. What is checked comes from the files on disk (pages,
manifests, failure records) and from the run's output lines, never from the runner's internals.
The tests of interrupted and concurrent runs are in ``test_runner_signals.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import report_site

from satisfaction import config
from satisfaction.report import plan_jobs
from satisfaction.report.pages import edition_file, page_files, read_page, sha256_bytes

run, site_args = report_site.run, report_site.site_args

CLEAN = report_site.notebook("print('cleaned', year)", title="# Cleaning")
REPORT = report_site.notebook("print('analysis of', year)", title="# Analysis")


def summary(out: str) -> dict[str, int]:
    """The counts of the run's closing line."""
    found = re.search(r"(\d+) pages: (\d+) built, (\d+) up to date, (\d+) failed, (\d+) not run",
                      out)
    assert found, out
    return dict(zip(("pages", "built", "current", "failed", "not_run"),
                    map(int, found.groups()), strict=True))


def rebuilt(err: str) -> set[str]:
    """The pages the run said it rebuilt because an input changed."""
    return set(re.findall(r"^(\S+ \[\d+\]): changed: ", err, re.MULTILINE))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def index_text(reports: Path, lang: str = "vi") -> str:
    return (reports / ("index.html" if lang == "vi" else "index.en.html")).read_text("utf-8")


# --- failures --------------------------------------------------------------------------------

def test_a_failure_names_the_line_that_raised_and_keeps_the_last_good_page(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {"02_x": REPORT})
    assert run(workers=1, **site_args(folders))[0] == 0
    folder = folders["reports"] / "2020"
    before = snapshot(folder)
    failing = report_site.notebook(
        "x = 1\nraise ValueError('office code XYZ is not in the register')\nprint('never')",
        title="# Analysis")
    report_site.put_notebook(folders["notebooks"], "02_x", failing)

    code, out, err = run(workers=1, **site_args(folders))

    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert lines == [lines[0]]
    assert lines[0].startswith("FAILED 02_x [2020] at cell 3/3, line 2 "
                               "`raise ValueError('office code XYZ is not in the register')`: "
                               "ValueError: office code XYZ is not in the register")
    assert "`x = 1`" not in lines[0] and "02_x.failed.ipynb" in lines[0] and "Traceback" not in err
    assert summary(out)["failed"] == 1 and "failed: 02_x [2020]" in out
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if ".failed." not in k} == before  # the good set stays
    kept = nbformat.read(str(folder / "02_x.failed.ipynb"), as_version=4)
    assert any(o.get("output_type") == "error" for c in kept.cells for o in c.get("outputs", []))
    record = json.loads((folder / "02_x.failed.json").read_text("utf-8"))
    assert record["message"] == lines[0] and record["skipped"] is False
    built = json.loads(before["02_x.manifest.json"])["built_utc"].replace("T", " ")[:16]
    for lang, words in (("vi", "lần chạy gần nhất thất bại"), ("en", "last run failed")):
        row = re.search(r'<tr class="sat-status-stale">.*?</tr>', index_text(folders["reports"], lang),
                        re.DOTALL).group(0)
        assert words in row and f"{built} UTC" in row and "office code XYZ" in row
        assert 'href="2020/02_x.failed.ipynb"' in row
    # Nothing it reads changed: named again, not run again (until --force).
    code, out, err = run(workers=1, **site_args(folders))
    assert code == 1 and summary(out)["failed"] == 1
    assert err.startswith(lines[0] + " [not retried: its inputs are unchanged since it failed at ")
    assert snapshot(folder) == after
    code, _, err = run(workers=1, force=True, **site_args(folders))
    assert code == 1 and "not retried" not in err and err.startswith(lines[0])


def test_a_failure_inside_the_library_names_the_library_line(tmp_path):
    calls = report_site.notebook(
        "from satisfaction.params import load_params\nP = load_params(1999)", title="# Library")
    folders = report_site.make_site(tmp_path, {2020: True}, {"02_lib": calls})
    code, _, err = run(workers=1, **site_args(folders))
    assert code == 1
    line = next(x for x in err.splitlines() if x.startswith("FAILED"))
    assert line.startswith("FAILED 02_lib [2020] at cell 3/3, line 2 `P = load_params(1999)`: "
                           "ParamsError: ")
    assert re.search(r"\(raised at satisfaction/params\.py:\d+ `raise ParamsError\(", line), line


CLEAN_FAILS_2019 = report_site.notebook(
    "if year == 2019:\n    raise RuntimeError('raw file unreadable')", title="# Clean")
FAILS_2021 = report_site.notebook(
    "print('start')", "if year == 2021:\n    raise KeyError('weight')", title="# Fragile")


def test_one_failure_never_stops_the_others(tmp_path):
    folders = report_site.make_site(
        tmp_path, {2019: True, 2020: True, 2021: True},
        {"01_clean": CLEAN_FAILS_2019, "02_after": REPORT, "03_fragile": FAILS_2021})
    code, out, err = run(workers=2, **site_args(folders))
    assert code == 1
    failures = sorted(x for x in err.splitlines() if x.startswith("FAILED"))
    assert len(failures) == 2, err
    assert failures[0].startswith("FAILED 01_clean [2019] at cell 3/3, line 2 "
                                  "`raise RuntimeError('raw file unreadable')`")
    assert failures[1].startswith("FAILED 03_fragile [2021] at cell 4/4, line 2 "
                                  "`raise KeyError('weight')`: KeyError: 'weight'")
    # 2019 needs its cleaning, 2020 its baseline's (2019); 2021's baseline is 2020: it runs.
    skipped = set(re.findall(r"^not run (\S+ \[\d+\]): it needs 01_clean \[2019\], which failed$",
                             err, re.MULTILINE))
    assert skipped == {"02_after [2019]", "02_after [2020]", "03_fragile [2019]",
                       "03_fragile [2020]"}
    assert summary(out) == {"pages": 9, "built": 3, "current": 0, "failed": 2, "not_run": 4}
    reports = folders["reports"]
    for built in ("2020/01_clean", "2021/01_clean", "2021/02_after"):
        assert (reports / f"{built}.html").exists() and (reports / f"{built}.en.html").exists()
    record = json.loads((reports / "2020" / "02_after.failed.json").read_text("utf-8"))
    assert record["skipped"] is True and "01_clean [2019]" in record["message"]
    english = index_text(reports, "en")
    assert english.count("a step it needs failed; no page yet") == 4
    assert english.count("last run failed") == 2
    assert index_text(reports).count("một bước cần có trước đã thất bại") == 4


def test_stop_on_failure_starts_nothing_after_the_first(tmp_path):
    folders = report_site.make_site(tmp_path, {2019: True, 2020: True},
                                    {"01_clean": CLEAN_FAILS_2019, "02_after": REPORT},
                                    baselines=False)
    code, out, err = run(workers=1, stop_on_failure=True, **site_args(folders))
    assert code == 1
    assert re.search(r"^not run \(after the failure above\): 01_clean \[2020\], "
                     r"02_after \[2019\], 02_after \[2020\]$", err, re.MULTILINE)
    assert not (folders["reports"] / "2020").exists()
    assert (folders["reports"] / "index.html").exists()
    assert summary(out)["not_run"] == 3


def test_tracebacks_never_get_a_page(tmp_path):
    tolerated = report_site.notebook("print('before')", "1 / 0", title="# Tolerated error")
    tolerated.cells[-1].metadata["tags"] = ["raises-exception"]
    printed = report_site.notebook(
        "import sys, traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    traceback.print_exc(file=sys.stdout)", title="# Logged error")
    folders = report_site.make_site(tmp_path, {2020: True},
                                    {"02_tolerant": tolerated, "03_logged": printed})
    code, _, err = run(workers=1, **site_args(folders))
    assert code == 1
    assert re.search(r"^FAILED 02_tolerant \[2020\] at cell 4/4, line 1 `1 / 0`: ZeroDivisionError",
                     err, re.MULTILINE)
    assert re.search(r"^FAILED 03_logged \[2020\] while rendering the page: .*cell 3 prints a "
                     r"traceback", err, re.MULTILINE)
    folder = folders["reports"] / "2020"
    assert not list(folder.glob("*.html"))
    assert {p.name for p in folder.glob("*.failed.ipynb")} == {
        "02_tolerant.failed.ipynb", "03_logged.failed.ipynb"}


def test_bad_requests_exit_2_with_one_line(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {"01_clean": CLEAN})
    code, _, err = run(years=[1999], **site_args(folders))
    assert code == 2 and "1999" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(notebooks=["07_missing"], **site_args(folders))
    assert code == 2 and "07_missing" in err and "01_clean" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(notebooks_dir=empty, reports_dir=folders["reports"],
                       params_dir=folders["params"])
    assert code == 2 and "no notebooks" in err
    assert not folders["reports"].exists()


def test_a_broken_params_file_fails_its_year_only(tmp_path):
    folders = report_site.make_site(tmp_path, {2019: True, 2020: True},
                                    {"01_clean": CLEAN, "02_x": REPORT}, baselines=False)
    (folders["params"] / "2020.yaml").write_text("year: 2020\n", encoding="utf-8")
    for attempt in range(2):  # the same one line when run again (not 'still failing')
        code, out, err = run(workers=1, **site_args(folders))
        assert code == 2, (attempt, err)  # a params file that fails its schema: exit 2
        lines = [x for x in err.splitlines() if x.strip()]
        assert len(lines) == 1 and lines[0].startswith("satisfaction run: "), (attempt, err)
        assert "2020.yaml" in lines[0] and "raw_file" in lines[0]
        assert summary(out) == {"pages": 4, "built": 2 - 2 * attempt, "current": 2 * attempt,
                                "failed": 2, "not_run": 0}
        assert "failed: 01_clean [2020], 02_x [2020]" in out
        assert (folders["reports"] / "2019" / "02_x.html").exists()
    assert not (folders["reports"] / "2020" / "tables_2020.xlsx").exists()
    assert (folders["reports"] / "methods.html").exists()  # from 2019's params


def test_plan_runs_cleaning_first_and_waits_for_the_baseline(tmp_path):
    folders = report_site.make_site(tmp_path, {2019: True, 2020: True, 2021: True}, {})
    nbs = [Path("01_clean.ipynb"), Path("02_satisfaction.ipynb"), Path("03_change.ipynb")]
    jobs = plan_jobs([2019, 2020, 2021], nbs, folders["params"])
    labels = [j.label for j in jobs]
    assert labels[:3] == ["01_clean [2019]", "01_clean [2020]", "01_clean [2021]"]
    by = {j.label: j for j in jobs}
    assert set(by["03_change [2021]"].needs) == {("01_clean", 2021), ("01_clean", 2020)}
    assert set(by["03_change [2021]"].after) == {("01_clean", y) for y in (2019, 2020, 2021)}
    assert by["03_change [2021]"].reads == (2019, 2020, 2021)
    assert by["03_change [2019]"].needs == (("01_clean", 2019),)
    assert by["01_clean [2020]"].reads == (2020,)


# --- two editions from one execution ---------------------------------------------------------

SHOWS = report_site.notebook(
    "from pathlib import Path\nfrom satisfaction.i18n import _\nfrom satisfaction.report import show",
    "with open(params_file + '.runs', 'a') as fh:\n    fh.write('ran\\n')",
    "show.markdown(_('Satisfied or very satisfied'))",
    title="# Editions")


def test_each_edition_keeps_its_language_from_one_execution(tmp_path):
    folders = report_site.make_site(tmp_path, {2020: True}, {"02_show": SHOWS})
    assert run(workers=1, **site_args(folders))[0] == 0
    folder = folders["reports"] / "2020"
    vi = (folder / "02_show.html").read_text("utf-8")
    en = (folder / "02_show.en.html").read_text("utf-8")
    assert "Hài lòng hoặc rất hài lòng" in vi and "Satisfied or very satisfied" not in vi
    assert "Satisfied or very satisfied" in en and "Hài lòng hoặc rất hài lòng" not in en
    executed = (folder / "02_show.ipynb").read_text("utf-8")
    assert "Hài lòng hoặc rất hài lòng" in executed and "Satisfied or very satisfied" in executed
    runs = Path(str(folders["params"] / "2020.yaml") + ".runs").read_text("utf-8")
    assert runs == "ran\n"  # executed once for both editions
    manifest = json.loads((folder / "02_show.manifest.json").read_text("utf-8"))
    assert set(manifest["outputs"]) == {"02_show.html", "02_show.en.html", "02_show.ipynb"}
    assert set(manifest["timings"]["render"]) == {"vi", "en"}


# --- incremental batch -----------------------------------------------------------------------

def build_incremental(root: Path) -> dict[str, Path]:
    """2019 and 2020, a cleaning and an analysis notebook, 2020's params naming a codebook."""
    folders = report_site.make_site(root, {2019: True, 2020: True},
                                    {"01_clean": CLEAN, "02_x": REPORT})
    codebook = folders["data"] / "codebook_2020.yaml"
    codebook.write_text("items: [a1, a2]\n", encoding="utf-8")
    with (folders["params"] / "2020.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"codebook: {codebook}\n")
    code, out, err = run(workers=2, **site_args(folders))
    assert code == 0, err
    assert summary(out)["built"] == 4
    folders["codebook"] = codebook
    return folders


@pytest.fixture()
def incremental(tmp_path, monkeypatch):
    """A site built once, for a test that changes its inputs (processed outputs in tmp_path)."""
    monkeypatch.setattr(config, "PROCESSED", tmp_path / "processed")
    return build_incremental(tmp_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A site built once, for the tests that only read it or run it again unchanged."""
    root = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(config, "PROCESSED", root / "processed")
        yield build_incremental(root)


def again(folders, workers: int = 1, **kwargs) -> tuple[dict[str, int], set[str], str]:
    code, out, err = run(workers=workers, **site_args(folders), **kwargs)
    assert code == 0, err
    return summary(out), rebuilt(err), err


def test_nothing_changed_nothing_rebuilt(built):
    before = snapshot(built["reports"] / "2020") | snapshot(built["reports"] / "2019")
    counts, changed, _ = again(built, workers=2)
    assert counts == {"pages": 4, "built": 0, "current": 4, "failed": 0, "not_run": 0}
    assert changed == set()
    after = snapshot(built["reports"] / "2020") | snapshot(built["reports"] / "2019")
    assert after == before


def test_a_changed_input_rebuilds_the_pages_that_read_it(incremental):
    # The raw file of 2019: its cleaning and analysis, and 2020's analysis (it reads 2019).
    raw = incremental["data"] / "survey_2019.csv"
    raw.write_bytes(raw.read_bytes() + "\nP002,Huế".encode())
    counts, changed, _ = again(incremental)
    assert changed == {"01_clean [2019]", "02_x [2019]", "02_x [2020]"} and counts["built"] == 3
    # The codebook 2020's params name: 2020's pages only.
    incremental["codebook"].write_text("items: [a1, a2, a3]\n", encoding="utf-8")
    counts, changed, _ = again(incremental)
    assert changed == {"01_clean [2020]", "02_x [2020]"}
    # The notebook: its pages, every year.
    report_site.put_notebook(incremental["notebooks"], "02_x",
                             report_site.notebook("print('v2', year)", title="# Analysis"))
    assert again(incremental)[1] == {"02_x [2019]", "02_x [2020]"}
    # The processed outputs of 2020: its cleaning (they are what it produced) and its analysis.
    processed = config.processed_dir(2020)
    processed.mkdir(parents=True, exist_ok=True)
    (processed / "survey.parquet").write_bytes(b"edited")
    counts, _, err = again(incremental)
    assert counts["built"] == 2
    assert "01_clean [2020]: changed" not in err and "02_x [2020]: changed: " in err
    # A damaged page: rebuilt, though no input changed; --force: rebuilt all the same.
    folder = incremental["reports"] / "2020"
    (folder / "02_x.en.html").unlink()
    counts, changed, _ = again(incremental)
    assert counts["built"] == 1 and changed == set()
    page = read_page(folder, "02_x")
    assert page.intact(folder) and page.editions == ("vi", "en")
    counts, _, _ = again(incremental, force=True, years=[2019])
    assert counts == {"pages": 2, "built": 2, "current": 0, "failed": 0, "not_run": 0}


def test_the_manifest_lists_every_input_and_output(built):
    folder = built["reports"] / "2020"
    manifest = json.loads((folder / "02_x.manifest.json").read_text("utf-8"))
    inputs = manifest["inputs"]
    data = built["data"]
    for path in (data / "survey_2020.csv", data / "survey_2019.csv", built["codebook"],
                 built["params"] / "2020.yaml", built["params"] / "2019.yaml",
                 built["notebooks"] / "02_x.ipynb"):
        assert inputs[path.as_posix()] == sha256_bytes(path.read_bytes()), path
    for label in ("lib/satisfaction/", "environment", "data/raw/codebook.yaml",
                  "data/raw/par_criteria.yaml"):
        assert label in inputs  # the shared codebook: 2019 names none
    clean = json.loads((folder / "01_clean.manifest.json").read_text("utf-8"))
    assert "data/raw/codebook.yaml" not in clean["inputs"]  # 2020 names its own
    assert {k for k in inputs if k.endswith(("processed/2019/", "processed/2020/"))}
    for name, digest in manifest["outputs"].items():
        assert sha256_bytes((folder / name).read_bytes()) == digest
    assert set(manifest["outputs"]) | {"02_x.manifest.json", "02_x.headline.json"} == set(
        page_files("02_x").values())
    assert not any("processed" in k for k in clean["inputs"]) and clean["produced"]
    assert (built["data"] / "survey_2019.csv").as_posix() not in clean["inputs"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["built_utc"])
    assert edition_file("02_x", "en") in manifest["outputs"]


def test_a_kernel_that_dies_is_tried_again_next_run(tmp_path):
    dies = report_site.notebook("import os\nos._exit(1)", title="# Dies")
    folders = report_site.make_site(tmp_path, {2020: True}, {"02_dies": dies})
    for _ in range(2):
        code, _, err = run(workers=1, **site_args(folders))
        assert code == 1
        line = next(x for x in err.splitlines() if x.startswith("FAILED 02_dies [2020]"))
        assert "DeadKernelError" in line and "not retried" not in line
