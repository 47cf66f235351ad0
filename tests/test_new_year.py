"""End to end: a year the repository never saw, added as the README says, in a scratch copy.

The new year has its own questionnaire (an item dropped, one added, one reworded), a raw file in
another format (Excel) with renamed headers and a few faulty and hostile cells, no PAR table and
no published figure. `satisfaction new-year` writes its params; `satisfaction run` builds every
page of the year without a failure, and the pages say what is missing in plain words.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from satisfaction import config
from satisfaction.params import latest_year

pytestmark = pytest.mark.slow
SKIP = {".venv", ".git", ".pytest_cache", ".hypothesis", "__pycache__", ".ipynb_checkpoints"}
# Header renames: each new header is an alias the codebook knows, or one the new codebook adds.
RENAMED = {"ma_phieu": "Mã phiếu", "cap": "Cấp giải quyết", "tinh_tp": "Tỉnh/Thành phố",
           "trong_so": "Trọng số", "linh_vuc": "Lĩnh vực thủ tục", "hai_long_chung": "HL_TONG"}
PHONE = "0912345678"


def _ignore(folder: str, names: list[str]) -> set[str]:
    out = {n for n in names if n in SKIP or n.endswith(".egg-info")}
    if Path(folder).name in ("reports", "processed"):
        out |= {n for n in names if n != "README.md"}
    return out


def _cli(root: Path, *args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    env = {**os.environ, "SATISFACTION_ROOT": str(root)}
    return subprocess.run([sys.executable, "-m", "satisfaction.cli", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _new_codebook(root: Path, year: int) -> Path:
    """The shared codebook with r3 dropped, r4 added, p2 reworded and a new overall header."""
    spec = yaml.safe_load((config.CODEBOOK).read_text(encoding="utf-8"))
    cols = spec["columns"]
    del cols["r3"]
    cols["r4"] = {"kind": "likert", "component": "results", "required": True,
                  "vi": "Kết quả được trả qua dịch vụ bưu chính đúng hẹn",
                  "en": "Result delivered by post on time"}
    spec["components"]["results"]["items"] = ["r1", "r2", "r4"]
    cols["p2"]["vi"] = "Thành phần hồ sơ đúng quy định và được hướng dẫn trực tuyến"
    cols["p2"]["reworded"] = "the question now also asks about online guidance"
    cols["q_overall"]["aliases"] = [*cols["q_overall"]["aliases"], "HL_TONG"]
    path = root / "data" / "raw" / f"codebook_{year}.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _new_raw_file(root: Path, year: int) -> Path:
    """Every fifth row of the shipped CSV as an Excel sheet: the new questionnaire's columns,
    renamed headers, and a few faulty and hostile cells."""
    raw = pd.read_csv(config.RAW / "survey_2020.csv", dtype=str, keep_default_na=False)
    raw = raw.iloc[::5].reset_index(drop=True)
    raw["ma_phieu"] = raw["ma_phieu"].str.replace(r"^\d{4}-", f"{year}-", regex=True)
    raw["r4"] = raw["r1"]
    raw = raw.drop(columns="r3")
    raw.loc[3, "don_vi"] = '=HYPERLINK("http://evil.example","x")'      # a formula
    raw.loc[5, "tinh_tp"] = PHONE                                        # personal data, shifted
    raw.loc[7, "a1"] = "rất hài lòng"                                    # an answer as words
    raw.loc[9, "trong_so"] = "1,234.5"                                   # an ambiguous number
    raw.loc[11, "hai_long_chung"] = "55"                                 # out of range
    raw = raw.rename(columns=RENAMED)
    path = root / "data" / "raw" / f"survey_{year}.xlsx"
    raw.to_excel(path, index=False, sheet_name="Du lieu")
    return path


@pytest.fixture(scope="module")
def new_year(tmp_path_factory):
    root = tmp_path_factory.mktemp("newyear") / "repo"
    shutil.copytree(config.ROOT, root, ignore=_ignore)
    last = max(int(p.stem) for p in (root / "params").glob("*.yaml"))
    year = last + 1
    raw, book = _new_raw_file(root, year), _new_codebook(root, year)
    made = _cli(root, "new-year", str(year), "--raw", str(raw.relative_to(root)),
                "--codebook", str(book.relative_to(root)))
    base = yaml.safe_load((root / "params" / f"{last}.yaml").read_text(encoding="utf-8"))
    cleaned = _cli(root, "clean", base["raw_file"], "--year", str(last),
                   "--out", f"data/processed/{last}")
    run = _cli(root, "run", "--year", str(year))
    return root, year, last, made, cleaned, run


def test_the_shipped_years_are_those_of_params():
    assert latest_year() == max(int(p.stem) for p in config.PARAMS.glob("*.yaml"))


def test_new_year_writes_valid_params(new_year):
    root, year, last, made, _, _ = new_year
    assert made.returncode == 0, made.stderr
    data = yaml.safe_load((root / "params" / f"{year}.yaml").read_text(encoding="utf-8"))
    assert data["baseline_year"] == last and data["par_file"] is None
    assert data["codebook"] == f"data/raw/codebook_{year}.yaml"
    assert not any(data["published"].values()) and data["synthetic"] is False


def test_every_page_of_the_new_year_is_built(new_year):
    root, year, _, _, cleaned, run = new_year
    assert cleaned.returncode == 0, cleaned.stderr
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    notebooks = sorted(p.stem for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for nb in notebooks:
        page = root / "reports" / str(year) / f"{nb}.html"
        assert page.exists(), page
        text = page.read_text(encoding="utf-8")
        assert "Traceback" not in text and PHONE not in text, page
    assert f"{year}/02_satisfaction.html" in (root / "reports" / "index.html").read_text(
        encoding="utf-8")


def test_the_pages_say_what_is_missing_and_what_changed(new_year):
    root, year, _, _, _, _ = new_year
    page = {nb: (root / "reports" / str(year) / f"{nb}.html").read_text(encoding="utf-8")
            for nb in ("02_satisfaction", "04_par_index", "05_instrument", "06_robustness")}
    # no PAR table: said in plain words (Vietnamese edition or English)
    assert ("There is no PAR-index table" in page["04_par_index"]
            or "Không có bảng chỉ số cải cách hành chính" in page["04_par_index"])
    # the questionnaire change: named on the satisfaction, instrument and robustness pages
    for nb in ("02_satisfaction", "05_instrument", "06_robustness"):
        assert "r4" in page[nb] and "r3" in page[nb], nb
    assert "p2" in page["02_satisfaction"]
    # the results component (r3 dropped, r4 added) is compared with the baseline on r1, r2
    assert "r1, r2" in page["02_satisfaction"]


def test_the_hostile_cells_were_quarantined_or_neutralised(new_year):
    import csv
    import json

    root, year, _, _, _, _ = new_year
    out = root / "data" / "processed" / str(year)
    with open(out / "quarantine.csv", encoding="utf-8", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert PHONE not in "".join(cells)
    assert not [c for c in cells if c.startswith("=")]
    reasons = json.loads((out / "clean_log.json").read_text(encoding="utf-8"))[
        "quarantine_reasons"]
    assert reasons.get("invalid_weight", 0) >= 1 and reasons.get("invalid_overall", 0) >= 1
    data = pd.read_parquet(out / "survey.parquet")
    assert "r4" in data and "r3" not in data
    assert not data["office"].astype(str).str.startswith("=").any()
    assert PHONE not in set(data["province"].astype(str))


def test_the_run_changed_no_input(new_year):
    root, _, _, _, _, _ = new_year
    for name in ("survey_2019.xlsx", "survey_2020.csv", "codebook.yaml"):
        assert hashlib.sha256((root / "data" / "raw" / name).read_bytes()).digest() == \
            hashlib.sha256((config.RAW / name).read_bytes()).digest()
