"""The per-year parameters in ``params/<year>.yaml``: loading, checking, resolving paths.

One YAML file per survey year holds what a notebook needs to know about that year: the raw
file and its encoding, the design columns, the baseline year, the interval method and the
figures the ministry published. The batch runner passes ``year`` (and the file) to every
notebook through papermill; notebooks call :func:`load_params` in the cell after their
``parameters`` cell.

Not for: the questionnaire (see :mod:`satisfaction.codebook`) or filesystem layout
(see :mod:`satisfaction.config`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import config
from .design import DesignSpec

REQUIRED_KEYS = ("year", "raw_file", "design")


class ParamsError(ValueError):
    """A params file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class YearParams:
    """The parameters of one survey year, with paths resolved against the project root."""

    year: int
    raw_file: Path
    design: DesignSpec
    synthetic: bool = False
    encoding: str | None = None
    sheet: str | None = None
    baseline_year: int | None = None
    par_file: Path | None = None
    ci_method: str = "beta"
    confidence: float = 0.95
    disclosure_threshold: int = 10
    published: dict[str, Any] = field(default_factory=dict)
    par_bands: dict[str, float] = field(default_factory=dict)
    instrument: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def processed_dir(self) -> Path:
        """Where the cleaning step writes this year's processed table and quarantine."""
        return config.processed_dir(self.year)

    @property
    def processed_file(self) -> Path:
        """The cleaned respondent table of this year (parquet)."""
        return self.processed_dir / "survey.parquet"

    @property
    def report_dir(self) -> Path:
        """Where this year's executed notebooks and HTML pages go."""
        return config.report_dir(self.year)


def params_path(year: int, params_dir: Path | None = None) -> Path:
    """The params file of ``year`` (not checked for existence)."""
    return (params_dir or config.PARAMS) / f"{int(year)}.yaml"


def available_years(params_dir: Path | None = None) -> list[int]:
    """Every year that has a params file, oldest first.

    Examples:
        >>> available_years()
        [2019, 2020]
    """
    folder = params_dir or config.PARAMS
    return sorted(int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit())


def load_params(year: int, params_file: str | Path | None = None) -> YearParams:
    """Read and check the parameters of one survey year.

    Args:
        year: the survey year; must match the ``year`` key of the file.
        params_file: a params file to read instead of ``params/<year>.yaml``.

    Returns:
        A :class:`YearParams` with every path made absolute.

    Raises:
        ParamsError: the file is missing, is not a mapping, lacks a required key, has an
            empty ``raw_file``, or disagrees with ``year``.

    Examples:
        >>> p = load_params(2020)
        >>> p.raw_file.name, p.design.psu, p.baseline_year
        ('survey_2020.csv', 'office_code', 2019)
    """
    path = Path(params_file) if params_file else params_path(year)
    if not path.exists():
        raise ParamsError(f"{path}: no params file for year {year}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of parameters")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise ParamsError(f"{path}: missing key(s) {', '.join(missing)}")
    if data["raw_file"] in (None, ""):
        raise ParamsError(f"{path}: raw_file is empty (the year's raw survey file)")
    if int(data["year"]) != int(year):
        raise ParamsError(f"{path}: says year {data['year']}, asked for {year}")
    try:
        design = DesignSpec.from_mapping(data["design"] or {})
    except ValueError as exc:
        raise ParamsError(f"{path}: design: {exc}") from exc

    def _path(value: str | None) -> Path | None:
        return None if value in (None, "") else (config.ROOT / value).resolve()

    return YearParams(
        year=int(data["year"]),
        raw_file=(config.ROOT / data["raw_file"]).resolve(),
        design=design,
        synthetic=bool(data.get("synthetic", False)),
        encoding=data.get("encoding"),
        sheet=data.get("sheet"),
        baseline_year=None if data.get("baseline_year") is None else int(data["baseline_year"]),
        par_file=_path(data.get("par_file")),
        ci_method=data.get("ci_method", "beta"),
        confidence=float(data.get("confidence", 0.95)),
        disclosure_threshold=int(data.get("disclosure_threshold", 10)),
        published=dict(data.get("published") or {}),
        par_bands={str(k): float(v) for k, v in (data.get("par_bands") or {}).items()},
        instrument=dict(data.get("instrument") or {}),
        source=path.resolve(),
        raw=data,
    )
