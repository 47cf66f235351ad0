"""The per-year parameters in ``params/<year>.yaml``: the schema, loading, new years.

One YAML file per survey year holds what a notebook needs to know about that year: the raw
file and its encoding, the year's questionnaire (``codebook``), the design columns, the
baseline year, the interval method and the figures the ministry published. The batch runner
passes ``year`` (and the file) to every notebook through papermill; notebooks call
:func:`load_params` in the cell after their ``parameters`` cell.

Every file is checked against :data:`SCHEMA` when it is loaded: every key is known, every
value has its type, every path lies inside the repository (unless written absolute) and
exists. A fault is a :class:`ParamsError` whose message is one line naming the file and the
key, e.g. ``params/2021.yaml: par_file: 'data/raw/par_2021.csv' does not exist``.
:func:`new_year_text` writes a new year's file from the latest one, a comment on each key.

Not for: the questionnaire itself (see :mod:`satisfaction.codebook`) or filesystem layout
(see :mod:`satisfaction.config`).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, get_args

import yaml

from . import config
from .design import DesignSpec
from .intervals import CiMethod

SEPARATORS = (".", ",", " ", "\u00a0", "'")
"""The marks a params file may declare as ``decimal_separator`` (the first two) or
``thousands_separator``."""


class ParamsError(ValueError):
    """A params file is missing, unreadable or inconsistent (one line: the file and the key)."""


# ---------------------------------------------------------------------------------------------
# The schema: every key a params file may hold, its type, and what a new year's file says of it
# ---------------------------------------------------------------------------------------------
Check = Callable[[Any], str | None]
"""A value check: None when the value is good, else what was expected ("expected ...")."""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _integer(low: int | None = None, high: int | None = None) -> Check:
    def check(v: Any) -> str | None:
        if _is_int(v) and (low is None or v >= low) and (high is None or v <= high):
            return None
        bounds = "" if low is None else f" from {low}" + ("" if high is None else f" to {high}")
        return f"expected an integer{bounds}"
    return check


def _number(low: float, high: float, *, low_open: bool = False) -> Check:
    def check(v: Any) -> str | None:
        if _is_number(v) and (v > low if low_open else v >= low) and v <= high:
            return None
        return f"expected a number {'above' if low_open else 'from'} {low:g} and at most {high:g}"
    return check


def _one_of(*choices: Any) -> Check:
    def check(v: Any) -> str | None:
        return None if v in choices and not isinstance(v, bool) else \
            f"expected one of {', '.join(repr(c) for c in choices)}"
    return check


def _text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else "expected a text"


def _flag(v: Any) -> str | None:
    return None if isinstance(v, bool) else "expected true or false"


def _sheet(v: Any) -> str | None:
    return None if (isinstance(v, str) and v.strip()) or (_is_int(v) and v >= 0) else \
        "expected a worksheet name or its position (0 = the first)"


def _mapping(v: Any) -> str | None:
    return None if isinstance(v, Mapping) else "expected a mapping (key: value lines)"


def _counts(v: Any) -> str | None:
    if isinstance(v, Mapping) and all(isinstance(k, str) and _is_int(n) for k, n in v.items()):
        return None
    return "expected a mapping of band name to a whole number of units"


def _reported_change(v: Any) -> str | None:
    from .compare import parse_reported_change

    try:
        parse_reported_change(v)
    except (ValueError, TypeError):
        return "expected a change as published, e.g. '+1.5 %' or 1.5"
    return None


def _bands(v: Any) -> str | None:
    ok = isinstance(v, Mapping) and v and all(
        isinstance(k, str) and _is_number(b) and 0 <= b <= 100 for k, b in v.items())
    return None if ok else "expected a mapping of band name to its lower bound (0-100)"


@dataclass(frozen=True)
class Key:
    """One key of a params file.

    Attributes:
        check: the value check (``None`` is always allowed unless ``required``).
        required: the key must be present and not null.
        path: a path: confined to the repository unless absolute; must exist when given.
        edit: what a new year's file says of the key (the comment :func:`new_year_text` writes).
    """

    check: Check | None
    required: bool = False
    path: bool = False
    edit: str = ""


SCHEMA: Final[dict[str, Key]] = {
    "year": Key(_integer(1900, 2200), required=True,
                edit="EDIT: the survey year (the file's name is <year>.yaml)"),
    "synthetic": Key(_flag, edit="EDIT: true only for generated data (a banner on every page)"),
    "raw_file": Key(None, required=True, path=True,
                    edit="EDIT: the year's raw survey file (.csv .xlsx .sav .dta .parquet)"),
    "codebook": Key(None, path=True,
                    edit="EDIT if the questionnaire changed: the year's codebook (copy the last "
                         "one, add/drop items, note rewordings); null: data/raw/codebook.yaml"),
    "encoding": Key(_text, edit="CSV encoding (utf-8, utf-16, cp1258, tcvn3, vni); null: detect"),
    "sheet": Key(_sheet, edit="Excel worksheet name or position; null: the first"),
    "baseline_year": Key(_integer(1900, 2200),
                         edit="EDIT: the year the change is measured against; null: none"),
    "par_file": Key(None, path=True,
                    edit="EDIT: the PAR-index unit table (par_<year>.csv); null: none this year"),
    "design": Key(_mapping, required=True,
                  edit="the design: weights, strata, psu, fpc (columns of the processed table, "
                       "named as in the codebook) and the lonely_psu policy"),
    "decimal_separator": Key(_one_of(".", ","), edit="EDIT: decimal mark of numbers typed as "
                                                     "text: \".\" or \",\""),
    "thousands_separator": Key(_one_of(*SEPARATORS),
                               edit="EDIT: digit-group mark (\",\" \".\" \" \"), or null: none "
                                    "(then \"1,500\" is quarantined, never guessed)"),
    "offices_file": Key(None, path=True, edit="the office list (office_code, office, stratum); "
                                               "null: none (codes trusted, with a warning)"),
    "max_quarantine_share": Key(_number(0, 1, low_open=True),
                                edit="above this share of quarantined rows the file is "
                                     "refused (exit 2)"),
    "ci_method": Key(_one_of(*get_args(CiMethod)), edit="interval method of every rate"),
    "confidence": Key(_number(0.5, 0.999), edit="confidence level of every interval"),
    "disclosure_threshold": Key(_integer(0), edit="cells with fewer respondents are never shown"),
    "published": Key(_mapping, edit="EDIT: what the ministry published for this year; null "
                                    "where nothing was published (never a guess)"),
    "par_bands": Key(_bands, edit="EDIT if they changed: PAR ranking bands (lower bounds; a "
                                  "score on a bound belongs to the higher band)"),
    "instrument": Key(_mapping, edit="thresholds of the questionnaire review "
                                     "(satisfaction.instrument.InstrumentSettings)"),
    "robustness": Key(_mapping, edit="settings of the robustness page (page 06)"),
}
"""Every key a params file may hold (in the order :func:`new_year_text` writes them)."""

PUBLISHED: Final[dict[str, Key]] = {
    "respondents": Key(_integer(1), edit="respondents the ministry reported"),
    "satisfaction_rate": Key(_number(0, 100), edit="published satisfaction rate, in per cent"),
    "change_reported": Key(_reported_change, edit="the change on the baseline as published, "
                                                  "quoted (e.g. \"+1.5 %\")"),
    "par_index_mean": Key(_number(0, 100), edit="published mean PAR-index score, per cent"),
    "par_index_counts": Key(_counts, edit="units per PAR band as published"),
    "par_index_change": Key(_counts, edit="change of units per band on the previous year"),
}
"""The keys of ``published:`` (any may be null or absent: then nothing was published)."""


@dataclass(frozen=True)
class YearParams:
    """The parameters of one survey year, with paths resolved against the project root."""

    year: int
    raw_file: Path
    design: DesignSpec
    synthetic: bool = False
    encoding: str | None = None
    sheet: str | int | None = None
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
    codebook: Path = field(default_factory=lambda: config.CODEBOOK)
    robustness: dict[str, Any] = field(default_factory=dict)

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

    def published_par(self, criteria: Any = None) -> dict[str, Any]:
        """The PAR band figures published for the year: ``counts`` and ``change_on_previous``.

        Args:
            criteria: the PAR criteria (:class:`satisfaction.par_index.ParCriteria`): their
                ``published`` entry of the year is used where the params publish nothing.

        Returns:
            ``{"counts": band -> units, "change_on_previous": band -> change}`` (each only
            when published): the params' ``published.par_index_counts`` and
            ``par_index_change`` over the criteria's.

        Examples:
            >>> load_params(2020).published_par()
            {}
        """
        base = dict((getattr(criteria, "published", None) or {}).get(self.year, {}))
        own = {"counts": self.published.get("par_index_counts"),
               "change_on_previous": self.published.get("par_index_change")}
        return {**base, **{k: dict(v) for k, v in own.items() if v}}


def params_path(year: int, params_dir: Path | None = None) -> Path:
    """The params file of ``year`` (not checked for existence)."""
    return (params_dir or config.PARAMS) / f"{int(year)}.yaml"


def available_years(params_dir: Path | None = None) -> list[int]:
    """Every year that has a params file, oldest first.

    Examples:
        >>> years = available_years()
        >>> years == sorted(int(p.stem) for p in config.PARAMS.glob("*.yaml"))
        True
    """
    folder = params_dir or config.PARAMS
    return sorted(int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit())


def latest_year(params_dir: Path | None = None) -> int:
    """The most recent year with a params file.

    Raises:
        ParamsError: there is none.

    Examples:
        >>> latest_year() == available_years()[-1]
        True
    """
    years = available_years(params_dir)
    if not years:
        raise ParamsError(f"{params_dir or config.PARAMS}: no params file (<year>.yaml)")
    return years[-1]


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ParamsError(f"{path}: not valid YAML{line} ({getattr(exc, 'problem', exc)})") \
            from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamsError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of parameters (key: value lines)")
    return data


def _fault(path: Path, key: str, problem: str) -> ParamsError:
    return ParamsError(" ".join(f"{path}: {key}: {problem}".split()))


def _unknown(path: Path, where: str, key: Any, known: Mapping[str, Any]) -> ParamsError:
    close = difflib.get_close_matches(str(key), list(known), n=1)
    hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
    return _fault(path, f"{where}{key}", f"not a known key{hint}")


def _check_keys(path: Path, data: Mapping[str, Any], schema: Mapping[str, Key],
                where: str = "") -> None:
    """Every key known and every value of its type (paths are checked by :func:`_confined`)."""
    for key, value in data.items():
        spec = schema.get(key) if isinstance(key, str) else None
        if spec is None:
            raise _unknown(path, where, key, schema)
        if value is None or (spec.path and value == ""):
            if spec.required:
                raise _fault(path, where + key, "is empty (a value is required)")
            continue
        if spec.path and not isinstance(value, str):
            raise _fault(path, where + key, f"expected a path, not {value!r}")
        problem = spec.check(value) if spec.check is not None else None
        if problem:
            raise _fault(path, where + key, f"{problem}, not {value!r}")
    missing = [k for k, s in schema.items() if s.required and k not in data]
    if missing:
        raise _fault(path, where + missing[0], "missing (a required key)")


def _confined(source: Path, key: str, value: Any, *, must_exist: bool = False) -> Path | None:
    """A path of a params file: relative paths resolved in the repository and kept inside it.

    Examples:
        >>> _confined(Path("p.yaml"), "raw_file", "data/raw/codebook.yaml").name
        'codebook.yaml'
        >>> _confined(Path("p.yaml"), "raw_file", "../../x.csv")
        Traceback (most recent call last):
        ...
        satisfaction.params.ParamsError: p.yaml: raw_file: '../../x.csv' points outside the repository (write an absolute path for a file elsewhere)
        >>> _confined(Path("p.yaml"), "par_file", "data/raw/par_1900.csv", must_exist=True)
        Traceback (most recent call last):
        ...
        satisfaction.params.ParamsError: p.yaml: par_file: 'data/raw/par_1900.csv' does not exist (or null if there is none)
    """
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _fault(source, key, f"expected a path, not {value!r}")
    given = Path(value)
    if given.is_absolute():
        resolved = given.resolve()
    else:
        resolved = (config.ROOT / given).resolve()
        if not resolved.is_relative_to(config.ROOT.resolve()):
            raise _fault(source, key, f"{value!r} points outside the repository (write an "
                                      "absolute path for a file elsewhere)")
    if must_exist and not resolved.is_file():
        optional = "" if SCHEMA[key].required else " (or null if there is none)"
        raise _fault(source, key, f"{value!r} does not exist{optional}")
    return resolved


def _sections(path: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    """``published``, ``par_bands``, ``instrument`` and ``robustness``, checked."""
    published = dict(data.get("published") or {})
    _check_keys(path, published, PUBLISHED, "published.")
    instrument = dict(data.get("instrument") or {})
    known = _instrument_settings() if instrument else []
    for key, value in instrument.items():
        if key not in known:
            raise _unknown(path, "instrument.", key, dict.fromkeys(known))
        if value is not None and not (_is_number(value) and value >= 0):
            raise _fault(path, f"instrument.{key}", f"expected a number >= 0, not {value!r}")
    return {
        "published": published,
        "par_bands": {str(k): float(v) for k, v in (data.get("par_bands") or {}).items()},
        "instrument": instrument,
        "robustness": dict(data.get("robustness") or {}),
    }


def _instrument_settings() -> list[str]:
    from dataclasses import fields

    from .instrument.settings import InstrumentSettings

    return [f.name for f in fields(InstrumentSettings)]


def _baseline(path: Path, data: Mapping[str, Any], check_paths: bool) -> int | None:
    base = data.get("baseline_year")
    if base is None:
        return None
    if int(base) == int(data["year"]):
        raise _fault(path, "baseline_year", f"{base} is this file's own year")
    if check_paths and not (path.parent / f"{int(base)}.yaml").exists() and \
            not params_path(base).exists():
        raise _fault(path, "baseline_year", f"{base} has no params file ({base}.yaml beside "
                                            "this one); null if the year has no baseline")
    return int(base)


def load_params(year: int | None = None, params_file: str | Path | None = None, *,
                check_paths: bool = True) -> YearParams:
    """Read a survey year's parameters and check them against :data:`SCHEMA`.

    Args:
        year: the survey year; must match the ``year`` key of the file. None: the latest year
            of ``params/`` (what a notebook opened in JupyterLab shows).
        params_file: a params file to read instead of ``params/<year>.yaml``.
        check_paths: check that the files the params name exist (the synthetic generator
            reads a year's settings before it writes that year's files).

    Returns:
        A :class:`YearParams` with every path made absolute.

    Raises:
        ParamsError: the file is missing or not YAML; a key is unknown, missing or of the wrong
            type; a path is outside the repository or does not exist; the file disagrees
            with ``year``. The message is one line naming the file and the key.

    Examples:
        >>> p = load_params(2020)
        >>> p.raw_file.name, p.design.psu, p.baseline_year, p.codebook.name
        ('survey_2020.csv', 'office_code', 2019, 'codebook.yaml')
    """
    if year is None and params_file is None:
        year = latest_year()
    path = Path(params_file) if params_file else params_path(year)
    if not path.exists():
        raise ParamsError(f"{path}: no params file for year {year}")
    data = _read_yaml(path)
    _check_keys(path, data, SCHEMA)
    if year is not None and data["year"] != int(year):
        raise _fault(path, "year", f"says {data['year']}, asked for {year}")
    try:
        design = DesignSpec.from_mapping(data["design"])
    except (ValueError, TypeError) as exc:
        raise _fault(path, "design", str(exc)) from None

    def _path(key: str) -> Path | None:
        return _confined(path, key, data.get(key), must_exist=check_paths)

    codebook = _path("codebook")
    return YearParams(
        year=int(data["year"]),
        raw_file=_path("raw_file"),
        design=design,
        synthetic=bool(data.get("synthetic", False)),
        encoding=data.get("encoding"),
        sheet=data.get("sheet"),
        baseline_year=_baseline(path, data, check_paths),
        par_file=_path("par_file"),
        ci_method=data.get("ci_method") or "beta",
        confidence=float(data.get("confidence") or 0.95),
        disclosure_threshold=10 if data.get("disclosure_threshold") is None
        else int(data["disclosure_threshold"]),
        source=path.resolve(),
        raw=data,
        codebook=codebook if codebook is not None else config.CODEBOOK,
        **_sections(path, data),
        **_cleaning_keys(path, data, check_paths),
    )


def _cleaning_keys(path: Path, data: dict[str, Any], check_paths: bool = False
                   ) -> dict[str, Any]:
    """The cleaning step's keys (``decimal_separator``, ``thousands_separator``,
    ``offices_file``, ``max_quarantine_share``); absent keys keep their defaults.

    Examples:
        >>> _cleaning_keys(Path("p.yaml"), {"decimal_separator": ",", "thousands_separator": "."})
        {'decimal_separator': ',', 'thousands_separator': '.'}
        >>> _cleaning_keys(Path("p.yaml"), {"decimal_separator": ",", "thousands_separator": ","})
        Traceback (most recent call last):
        ...
        satisfaction.params.ParamsError: p.yaml: thousands_separator: ',' is also the decimal separator
    """
    out: dict[str, Any] = {}
    decimal = data.get("decimal_separator") or "."
    thousands = data.get("thousands_separator")
    if thousands is not None and thousands == decimal:
        raise _fault(path, "thousands_separator", f"{thousands!r} is also the decimal separator")
    for key, value in (("decimal_separator", decimal), ("thousands_separator", thousands)):
        if key in data:
            out[key] = value
    if data.get("max_quarantine_share") is not None:
        out["max_quarantine_share"] = float(data["max_quarantine_share"])
    if "offices_file" in data:
        out["offices_file"] = _confined(path, "offices_file", data["offices_file"],
                                        must_exist=check_paths)
    return out


# ---------------------------------------------------------------------------------------------
# A new year
# ---------------------------------------------------------------------------------------------
def _guess(folder: Path, stem: str) -> Path | None:
    """The one file ``<stem>.*`` in ``folder``, if there is exactly one."""
    found = sorted(p for p in folder.glob(f"{stem}.*") if not p.name.startswith("."))
    return found[0] if len(found) == 1 else None


def _relative(path: Path | None) -> str | None:
    if path is None:
        return None
    path = Path(path).resolve()
    root = config.ROOT.resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _yaml_value(value: Any) -> str:
    """One value as YAML flow text (a mapping on one line, a text in double quotes)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000,
                          sort_keys=False).strip()
    return text[:-4].strip() if text.endswith(("\n...", " ...")) else text


def _new_values(year: int, last: YearParams, raw_file: Path | None,
                codebook: Path | None) -> dict[str, Any]:
    raw = last.raw
    raw_file = raw_file or _guess(config.RAW, f"survey_{year}")
    par = _guess(config.RAW, f"par_{year}")
    return {
        "year": year, "synthetic": False,
        "raw_file": _relative(raw_file) or f"data/raw/survey_{year}.csv",
        "codebook": _relative(codebook) or raw.get("codebook") or _relative(last.codebook),
        "encoding": None, "sheet": None, "baseline_year": last.year,
        "par_file": _relative(par),
        "design": raw.get("design"),
        **{k: raw.get(k) for k in ("decimal_separator", "thousands_separator", "offices_file",
                                   "max_quarantine_share", "ci_method", "confidence",
                                   "disclosure_threshold") if k in raw},
        "published": dict.fromkeys(PUBLISHED),
        "par_bands": raw.get("par_bands"),
        **{k: raw[k] for k in ("instrument", "robustness") if raw.get(k)},
    }


def new_year_text(year: int, *, raw_file: str | Path | None = None,
                  codebook: str | Path | None = None, params_dir: Path | None = None) -> str:
    """A new year's params file, copied from the latest year, a comment on each key.

    What cannot be copied is reset: ``synthetic`` false, ``encoding`` and ``sheet`` null (read
    from the file), ``baseline_year`` the latest year, ``par_file`` ``data/raw/par_<year>.*``
    if there is one (else null), every ``published`` figure null. Keys to look at are marked
    ``EDIT``.

    Args:
        year: the new year.
        raw_file: the year's raw file (default: the one ``data/raw/survey_<year>.*``).
        codebook: the year's codebook (default: the latest year's).
        params_dir: the params folder (default ``params/``).

    Returns:
        The YAML text.

    Raises:
        ParamsError: there is no earlier year to copy from, or the latest one is not valid.

    Examples:
        >>> text = new_year_text(2099)
        >>> "year: 2099" in text and "baseline_year:" in text and "# EDIT" in text
        True
    """
    folder = params_dir or config.PARAMS
    earlier = [y for y in available_years(folder) if y < year]
    if not earlier:
        raise ParamsError(f"{folder}: no earlier year to copy {year}.yaml from")
    last = load_params(earlier[-1], params_path(earlier[-1], folder), check_paths=False)
    values = _new_values(year, last, Path(raw_file) if raw_file else None,
                         Path(codebook) if codebook else None)
    lines = [(f"# Parameters of the {year} survey year, written by `satisfaction new-year {year}` "
             f"from {last.year}.yaml."),
             "# Paths are relative to the repository root. Check every key marked EDIT, then run",
             "# `make reports`. The README's section \"A new survey year\" is the whole procedure."]
    for key, spec in SCHEMA.items():
        if key not in values:
            continue
        lines.append(f"# {spec.edit}")
        value = values[key]
        if key != "published":
            lines.append(f"{key}: {_yaml_value(value)}")
            continue
        lines.append("published:")
        lines += [f"{f'  {k}: {_yaml_value(v)}':<32} # {PUBLISHED[k].edit}"
                  for k, v in value.items()]
    return "\n".join(lines) + "\n"


def write_new_year(year: int, *, raw_file: str | Path | None = None,
                   codebook: str | Path | None = None, params_dir: Path | None = None,
                   force: bool = False) -> tuple[Path, ParamsError | None]:
    """Write ``params/<year>.yaml`` (:func:`new_year_text`) and validate it.

    Returns:
        The file written, and the first fault validation found (None: the file is valid). A
        file with a fault is still written: it is the one to edit.

    Raises:
        ParamsError: the file exists already (and not ``force``), or nothing to copy from.
    """
    folder = params_dir or config.PARAMS
    target = params_path(year, folder)
    if target.exists() and not force:
        raise ParamsError(f"{target}: exists already (edit it, or delete it first)")
    text = new_year_text(year, raw_file=raw_file, codebook=codebook, params_dir=folder)
    target.write_text(text, encoding="utf-8")
    try:
        load_params(year, target)
    except ParamsError as exc:
        return target, exc
    return target, None
