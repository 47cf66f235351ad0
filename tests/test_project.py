"""The repository itself: environment files in step, notebooks stripped, layout intact."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

import pytest
import yaml

from satisfaction import config

ROOT = config.ROOT


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def pins(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_every_dependency_is_pinned_and_locked():
    project = pyproject()["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    declared_pins = pins(declared)
    assert len(declared_pins) == len(declared), "every dependency is pinned with =="
    lock = pins((ROOT / "requirements.lock").read_text().splitlines())
    for name, version in declared_pins.items():
        assert lock.get(name) == version, f"{name}: pyproject {version}, lock {lock.get(name)}"


def test_environment_yml_is_in_step_with_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    requires = pyproject()["project"]["requires-python"]
    assert python.split("=")[-1] == "3.11" and ">=3.11" in requires
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-e .[dev]" in pip and "-c requirements.lock" in pip


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_stripped_parameterised_and_use_the_project_kernel(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [i for i, c in enumerate(nb["cells"]) if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    source = "".join(nb["cells"][tagged[0]]["source"])
    # a year, or None: the latest year of params/ (JupyterLab); the batch passes each year
    assert re.search(r"^year = (\d{4}|None)\b", source, re.MULTILINE)
    assert nb["metadata"]["kernelspec"]["name"] == config.KERNEL_NAME


def test_the_four_pipeline_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01_clean", "02_satisfaction", "03_change", "04_par_index"} <= names


def test_layout_and_gitignore_keep_the_library():
    for folder in ("notebooks", "lib/satisfaction", "data/raw", "data/processed", "reports",
                   "params", "tests", "benchmarks", ".ci"):
        assert (ROOT / folder).is_dir(), folder
    ignore = (ROOT / ".gitignore").read_text().splitlines()
    assert "lib/" not in ignore and "lib" not in ignore
    if (ROOT / ".git").exists():
        tracked = subprocess.run(["git", "check-ignore", "lib/satisfaction/design.py"],
                                 cwd=ROOT, capture_output=True, text=True, check=False)
        assert tracked.returncode == 1, "lib/ must not be ignored"


def test_readme_commands_and_ci_script():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make reports" in readme and "make test" in readme
    assert "chromium" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_make_test_lints_the_whole_tree_first_with_the_size_bounds():
    lint = pyproject()["tool"]["ruff"]["lint"]
    assert {"C901", "PLR0912", "PLR0915"} <= set(lint["extend-select"])
    assert lint["mccabe"]["max-complexity"] == 15
    assert (lint["pylint"]["max-statements"], lint["pylint"]["max-branches"]) == (70, 18)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: lint$", makefile, re.MULTILINE), "make test runs the lint first"
    linted = re.search(r"^LINTED := (.+)$", makefile, re.MULTILINE).group(1).split()
    assert linted == ["lib", "tests", "notebooks", "scripts", "benchmarks"]
    assert "ruff check --output-format concise $(LINTED)" in makefile
