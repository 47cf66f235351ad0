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
SEPARATORS = (".", ",", " ", "\u00a0", "'")
"""The marks a params file may declare as ``decimal_separator`` (the first two) or
``thousands_separator``."""


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
    decimal_separator: str = "."
    thousands_separator: str | None = None
    offices_file: Path | None = field(default_factory=lambda: config.RAW / "offices.csv")
    max_quarantine_share: float = 0.5

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

    def _path(key: str) -> Path | None:
        return _confined(path, key, data.get(key))

    return YearParams(
        year=int(data["year"]),
        raw_file=_path("raw_file"),
        design=design,
        synthetic=bool(data.get("synthetic", False)),
        encoding=data.get("encoding"),
        sheet=data.get("sheet"),
        baseline_year=None if data.get("baseline_year") is None else int(data["baseline_year"]),
        par_file=_path("par_file"),
        ci_method=data.get("ci_method", "beta"),
        confidence=float(data.get("confidence", 0.95)),
        disclosure_threshold=int(data.get("disclosure_threshold", 10)),
        published=dict(data.get("published") or {}),
        par_bands={str(k): float(v) for k, v in (data.get("par_bands") or {}).items()},
        instrument=dict(data.get("instrument") or {}),
        source=path.resolve(),
        raw=data,
        **_cleaning_keys(path, data),
    )


def _confined(source: Path, key: str, value: Any) -> Path | None:
    """A path of a params file: relative paths resolved in the repository and kept inside it.

    Examples:
        >>> _confined(Path("p.yaml"), "raw_file", "data/raw/survey_2020.csv").name
        'survey_2020.csv'
        >>> _confined(Path("p.yaml"), "raw_file", "../../x.csv")
        Traceback (most recent call last):
        ...
        satisfaction.params.ParamsError: p.yaml: raw_file: '../../x.csv' points outside the repository (write an absolute path for a file elsewhere)
    """
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ParamsError(f"{source}: {key}: expected a path, not {value!r}")
    given = Path(value)
    if given.is_absolute():
        return given.resolve()
    resolved = (config.ROOT / given).resolve()
    if not resolved.is_relative_to(config.ROOT.resolve()):
        raise ParamsError(f"{source}: {key}: {value!r} points outside the repository (write an "
                          "absolute path for a file elsewhere)")
    return resolved


def _cleaning_keys(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The cleaning step's keys (``decimal_separator``, ``thousands_separator``,
    ``offices_file``, ``max_quarantine_share``), checked; absent keys keep their defaults.

    Examples:
        >>> _cleaning_keys(Path("p.yaml"), {"decimal_separator": ",", "thousands_separator": "."})
        {'decimal_separator': ',', 'thousands_separator': '.'}
        >>> _cleaning_keys(Path("p.yaml"), {"max_quarantine_share": "half"})
        Traceback (most recent call last):
        ...
        satisfaction.params.ParamsError: p.yaml: max_quarantine_share: expected a number above 0 and at most 1, not 'half'
    """
    out: dict[str, Any] = {}
    decimal = data.get("decimal_separator", ".")
    if decimal not in (".", ","):
        raise ParamsError(f"{path}: decimal_separator: expected '.' or ',', not {decimal!r}")
    thousands = data.get("thousands_separator")
    if thousands is not None and (thousands not in SEPARATORS or thousands == decimal):
        raise ParamsError(f"{path}: thousands_separator: expected null or one of "
                          f"{[s for s in SEPARATORS if s != decimal]}, not {thousands!r}")
    share = data.get("max_quarantine_share", 0.5)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise ParamsError(f"{path}: max_quarantine_share: expected a number above 0 and at "
                          f"most 1, not {share!r}")
    for key, value in (("decimal_separator", decimal), ("thousands_separator", thousands),
                       ("max_quarantine_share", float(share))):
        if key in data:
            out[key] = value
    if "offices_file" in data:
        out["offices_file"] = _confined(path, "offices_file", data["offices_file"])
    return out
