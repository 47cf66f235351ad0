"""No year-specific text outside params: no notebook or library string names a survey year or a
published figure. Years, published figures and the sentences built on them come from
``params/``; a new year is data, never code.

Docstrings (their examples are tests) and comments are not looked at. The synthetic generator
(:mod:`satisfaction.synth`) is exempt: its job is to reproduce the shipped years.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from satisfaction import config
from satisfaction.params import available_years

YEAR_TEXT = re.compile("|".join([*(rf"(?<!\d){y}(?!\d)" for y in available_years()),
                                 r"9\.76"]))
"""A survey year of params/ or the published "+9.76 %" change (a citation's year is not one)."""
GENERATOR = {"synth.py"}
"""Modules that generate the shipped synthetic years (their calibration names those years)."""
KNOWN: set[tuple[str, str]] = set()
"""(module, string) pairs allowed to name a year, listed one by one so that any new one fails
(none left: the change page builds its text from params)."""
KNOWN_CELLS: set[tuple[str, str]] = set()
"""(notebook, cell id) pairs allowed to name a year (none left)."""


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants that are not docstrings (f-string parts included)."""
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            docs.add(id(node.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docs]


def test_the_pattern_finds_what_it_must():
    year = available_years()[-1]
    source = (f'x = "from {year} on"\ny = f"{{a}} 9.76 %"\n"""a docstring: {year}"""\n'
              f'z = "{year}1 x"\nw = "Terwee et al. 2007"')
    found = [s for _, s in _strings(ast.parse(source)) if YEAR_TEXT.search(s)]
    assert found == [f"from {year} on", " 9.76 %"]


def test_no_library_string_names_a_year_or_a_published_figure():
    root = config.ROOT / "lib" / "satisfaction"
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in GENERATOR:
            continue
        for line, text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            if YEAR_TEXT.search(text) and (rel, text) not in KNOWN:
                found.append(f"{rel}:{line}: {text!r}")
    assert found == []


def test_no_notebook_names_a_year_or_a_published_figure():
    found = []
    for path in sorted(Path(config.NOTEBOOKS).glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if (path.stem, cell.get("id")) in KNOWN_CELLS:
                continue
            for n, line in enumerate(cell.source.splitlines(), start=1):
                if YEAR_TEXT.search(line):
                    found.append(f"{path.name} cell {cell.get('id')} line {n}: {line.strip()}")
    assert found == []
