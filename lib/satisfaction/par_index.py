"""The administrative-reform (PAR) index of units: scores, ranking bands, transitions, robustness.

Every year the ministry scores each of its units (provincial police and ministry departments)
on a 100-point administrative-reform index, criterion by criterion, and ranks the units in
bands (excellent, good, fair, completed). This module reads a year's unit table, checks it,
adds the points up, places every unit in its band with thresholds taken from the year's
params (never from code), and answers the questions of notebook ``04_par_index``: the mean
and distribution of scores with intervals, the band counts and their change on the previous
year, the transition matrix of bands between two years, the criteria that lose the most
points, how fragile the ranking is under several assumptions about measurement error
(:func:`fragility`: nothing measures it, so the self-assessment gap is one assumption among
others), and how a province's PAR score relates to the satisfaction of its citizens in the
survey, also net of the index's own satisfaction criterion (:func:`satisfaction_links`).

The unit table (one file per year, *long*: one row per unit x criterion) has the columns

    year, unit_code, unit, unit_type, province, criterion, self_points, appraised_points

``appraised_points`` are the official points (what the index and the bands use);
``self_points`` are the unit's self-assessment, kept apart and used only for the
self-assessment gap ``|self - appraised|`` (one assumed measure of measurement uncertainty).
``year``, ``unit_type``, ``province`` and ``self_points`` are optional. The criteria and
their maximum points come from ``data/raw/par_criteria.yaml`` (its optional
``satisfaction_criterion`` names the criterion that scores citizens' satisfaction; by default
the one coded ``satisfaction``).

Rules for bad input (each case is a row of the problems report with a reason and the action
taken; nothing is dropped silently):

=====================  ======================================================================
reason                 action
=====================  ======================================================================
other_year             the row belongs to another year: excluded from this year's table
unit_code_missing      no unit code, the row cannot be attributed: excluded
unknown_criterion      criterion not in the criteria file: excluded from the total
duplicate_row          the same unit x criterion again: the first row is kept, this one excluded
unit_name_conflict     one code with several names: the first name is kept
unknown_province       province not in the codebook: kept as typed (no satisfaction match)
not_a_number           points that do not parse: treated as missing
negative               points below 0: set to 0
above_max              points above the criterion's maximum: capped at the maximum
criterion_missing      no appraised points for a criterion: scored 0, unit flagged incomplete
self_missing           no self-assessed points: the unit's uncertainty is unknown
unit_in_one_year_only  (between two years, :func:`align_years`): shown as "absent" in the
                       transition matrix
=====================  ======================================================================

Band rule: a unit is in the highest band whose lower bound its score reaches; a score exactly on
a bound belongs to the higher band (80.00 is good, not fair); a score below the lowest bound
is ``not_completed``. A score within 1e-9 points below a bound counts as on it, so that sums of
decimal points (94.99999999999999) are not pushed down by floating-point rounding.

Not for: the survey-based satisfaction estimates (see :mod:`satisfaction.design`), the
synthetic unit tables (see :mod:`satisfaction.synth_par`) or figures
(see :mod:`satisfaction.plots.par`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from . import config
from .codebook import fold_series, load_codebook, map_distinct, nfc
from .params import YearParams
from .reliability import NCHS_COLUMNS, nchs_flags
from .years import load_baseline

NOT_COMPLETED = "not_completed"
"""The band of a score below the lowest configured bound."""
ABSENT = "absent"
"""Row/column of the transition matrix for a unit scored in one of the two years only."""
TOTAL = "total"
"""Margin row/column of the transition matrix."""
SCORE_TOLERANCE = 1e-9
"""A score this close below a band bound counts as on the bound (floating-point sums)."""
SATISFACTION_CRITERION = "satisfaction"
"""The criterion that scores citizens' satisfaction, unless the criteria file names another
(``satisfaction_criterion``; ``null``: none)."""

CRITERIA_FILE = config.RAW / "par_criteria.yaml"
REQUIRED_COLUMNS = ("unit_code", "unit", "criterion", "appraised_points")
OPTIONAL_COLUMNS = ("year", "unit_type", "province", "self_points")
UNIT_COLUMNS = ("unit", "unit_type", "province")
PROBLEM_COLUMNS = ("year", "unit_code", "unit", "criterion", "column", "value", "reason", "action")
SPEARMAN_METHODS = ("bonett-wright", "fieller", "fisher", "bootstrap")


class ParDataError(ValueError):
    """A PAR file or criteria file that cannot be used at all (file-level fault)."""


# --------------------------------------------------------------------------------------------
# Criteria
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParCriteria:
    """The criteria of the index, the band labels and the published PAR figures.

    Attributes:
        table: one row per criterion (index ``criterion``, reporting order) with columns
            ``max_points``, ``vi``, ``en``.
        band_labels: band code -> {"vi": ..., "en": ...}.
        published: year -> what the ministry published (``counts``, ``change_on_previous``).
        source: the YAML file read.
        satisfaction: the criterion that scores citizens' satisfaction (the file's
            ``satisfaction_criterion``; by default the criterion coded ``satisfaction`` when
            there is one), or None: the index has no such criterion.
    """

    table: pd.DataFrame
    band_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    published: dict[int, dict[str, Any]] = field(default_factory=dict)
    source: Path | None = None
    satisfaction: str | None = None

    @property
    def codes(self) -> list[str]:
        """Criterion codes in reporting order."""
        return list(self.table.index)

    @property
    def max_points(self) -> pd.Series:
        """Maximum points per criterion."""
        return self.table["max_points"]

    @property
    def total(self) -> float:
        """Maximum total points of a unit (100 for the shipped criteria)."""
        return float(self.table["max_points"].sum())

    def band_label(self, band: str, lang: str = "en") -> str:
        """The label of a band code (the code itself when the file has none)."""
        return self.band_labels.get(band, {}).get(lang, band)


def _tidy_text(values: pd.Series) -> pd.Series:
    """Strings stripped and in NFC (:func:`~satisfaction.codebook.nfc`, once per distinct value);
    missing and blank values become <NA>."""
    text = values.astype("string").str.strip()
    return map_distinct(text.mask(text == ""), nfc).astype("string")


def load_criteria(path: str | Path | None = None) -> ParCriteria:
    """Read the criteria of the PAR index and their maximum points.

    Args:
        path: a criteria YAML file; ``data/raw/par_criteria.yaml`` by default.

    Returns:
        A :class:`ParCriteria`.

    Raises:
        ParDataError: the file is missing, has no criteria, or a maximum is not a positive
            number.

    Examples:
        >>> c = load_criteria()
        >>> c.codes[:3], c.total, int(c.max_points["satisfaction"])
        (['direction', 'institutions', 'procedures'], 100.0, 20)
        >>> c.band_label("fair", "vi"), c.satisfaction
        ('Khá', 'satisfaction')
    """
    path = Path(path) if path else CRITERIA_FILE
    if not path.exists():
        raise ParDataError(f"{path}: criteria file not found")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParDataError(f"{path}: not valid YAML ({exc})") from exc
    crit = spec.get("criteria") if isinstance(spec, dict) else None
    if not isinstance(crit, dict) or not crit:
        raise ParDataError(f"{path}: no 'criteria' mapping")
    table = pd.DataFrame.from_dict(
        {str(k): (v if isinstance(v, dict) else {"max_points": v}) for k, v in crit.items()},
        orient="index",
    )
    table.index = _tidy_text(pd.Series(table.index)).to_numpy()
    table.index.name = "criterion"
    if "max_points" not in table:
        raise ParDataError(f"{path}: criteria have no max_points")
    maxima = pd.to_numeric(table["max_points"], errors="coerce")
    bad = maxima.index[~(np.isfinite(maxima) & (maxima > 0))]
    if len(bad):
        raise ParDataError(f"{path}: max_points must be a positive number for {', '.join(bad)}")
    table["max_points"] = maxima.astype(float)
    for lang in ("vi", "en"):
        table[lang] = _tidy_text(table[lang]) if lang in table else pd.NA
        table[lang] = table[lang].fillna(pd.Series(table.index, index=table.index))
    named = spec.get("satisfaction_criterion", SATISFACTION_CRITERION)
    if named is not None and str(named) not in table.index:
        if "satisfaction_criterion" in spec:
            raise ParDataError(f"{path}: satisfaction_criterion {named!r} is not a criterion")
        named = None
    return ParCriteria(
        table=table[["max_points", "vi", "en"]],
        band_labels={str(k): dict(v) for k, v in (spec.get("band_labels") or {}).items()},
        published={int(k): dict(v) for k, v in (spec.get("published") or {}).items()},
        source=path.resolve(),
        satisfaction=None if named is None else str(named),
    )


# --------------------------------------------------------------------------------------------
# Reading and checking a year's unit table
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParTable:
    """A checked PAR table of one year.

    Attributes:
        year: the year (None when neither asked for nor in the file).
        scores: one row per unit x criterion, complete (every unit has every criterion):
            ``year, unit_code, unit, unit_type, province, criterion, max_points, self_points,
            appraised_points, flag`` (``flag``: the reasons of the problems on that row, "" if
            none).
        problems: one row per problem found: ``year, unit_code, unit, criterion, column,
            value, reason, action`` (empty when the file is clean).
        criteria: the criteria used.
    """

    year: int | None
    scores: pd.DataFrame
    problems: pd.DataFrame
    criteria: ParCriteria

    @property
    def units(self) -> pd.Index:
        """The unit codes in the table, in file order."""
        return pd.Index(self.scores["unit_code"].unique(), name="unit_code")


def empty_problems() -> pd.DataFrame:
    """An empty problems report with its columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in PROBLEM_COLUMNS})


def _problems(frame: pd.DataFrame, mask: pd.Series, column: str, reason: str,
              action: str, year: int | None) -> pd.DataFrame:
    """Problem rows for the rows of ``frame`` selected by ``mask``."""
    hit = frame.loc[mask]
    if hit.empty:
        return empty_problems()
    value = hit[column].astype("object") if column in hit else pd.Series(pd.NA, index=hit.index)
    return pd.DataFrame({
        "year": year,
        "unit_code": hit.get("unit_code", pd.Series(pd.NA, index=hit.index)).astype("object"),
        "unit": hit.get("unit", pd.Series(pd.NA, index=hit.index)).astype("object"),
        "criterion": hit.get("criterion", pd.Series(pd.NA, index=hit.index)).astype("object"),
        "column": column,
        "value": value,
        "reason": reason,
        "action": action,
    }).reset_index(drop=True)


def _read_table(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.copy(), "<DataFrame>"
    path = Path(source)
    if not path.exists():
        raise ParDataError(f"{path}: PAR file not found")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, dtype=str, engine="openpyxl")
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            raise ParDataError(f"{path}: unsupported PAR file type {suffix!r} "
                               "(csv, xlsx or parquet)")
    except UnicodeDecodeError as exc:
        raise ParDataError(f"{path}: not UTF-8 ({exc.reason}); convert it first") from exc
    except (ValueError, OSError) as exc:
        if isinstance(exc, ParDataError):
            raise
        raise ParDataError(f"{path}: unreadable ({exc})") from exc
    return frame, str(path)


def _points(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse points (a decimal comma is accepted); returns values and a not-a-number mask."""
    text = raw.astype("string").str.strip().str.replace(",", ".", regex=False)
    text = text.mask(text == "")
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    return values, text.notna() & values.isna()


def _checked_points(frame: pd.DataFrame, col: str, criteria: ParCriteria, year: int | None,
                    issues: list[pd.DataFrame]) -> pd.Series:
    """The points of ``col`` parsed, negatives set to 0 and capped at the criterion's maximum;
    a problem row for each fix is appended to ``issues``."""
    maxima = frame["criterion"].map(criteria.max_points).astype("float64")
    values, nan_mask = _points(frame[col])
    issues.append(_problems(frame, nan_mask, col, "not_a_number", "treated as missing", year))
    neg = (values < 0).fillna(False).astype(bool)
    issues.append(_problems(frame, neg, col, "negative", "set to 0", year))
    values = values.mask(neg, 0.0)
    above = (values > maxima + SCORE_TOLERANCE).fillna(False).astype(bool)
    capped = frame.loc[above, "criterion"].map(criteria.max_points)
    for m in capped.unique():        # one action text per distinct maximum (few)
        sel = above & maxima.eq(m)
        issues.append(_problems(frame, sel, col, "above_max", f"capped at {m:g} points", year))
    return values.mask(above, maxima)


def load_par(source: str | Path | pd.DataFrame, criteria: ParCriteria | None = None,
             year: int | None = None) -> ParTable:
    """Read, check and complete one year's PAR unit table.

    Args:
        source: a CSV (UTF-8), Excel or Parquet file, or a DataFrame with the columns above.
        criteria: the criteria (default: :func:`load_criteria`).
        year: the year expected; rows of another year are reported and excluded. When None,
            the file's single year (if it has a ``year`` column) is used.

    Returns:
        A :class:`ParTable` whose ``scores`` hold every unit x criterion and whose
        ``problems`` list every fault with the action taken (module docstring).

    Raises:
        ParDataError: the file is missing or unreadable, lacks a required column, or holds
            no usable row.

    Examples:
        >>> c = load_criteria()
        >>> rows = pd.DataFrame({"unit_code": ["U1"] * 9, "unit": "Unit 1",
        ...                      "criterion": c.codes, "appraised_points": c.max_points.values})
        >>> rows.loc[0, "appraised_points"] = 12          # direction: max 10
        >>> t = load_par(rows.drop(index=8), c, year=2020)  # satisfaction missing
        >>> t.problems[["criterion", "reason"]]
              criterion             reason
        0     direction          above_max
        1  satisfaction  criterion_missing
        2          <NA>       self_missing
        >>> t.problems["action"].tolist()[:2]
        ['capped at 10 points', 'scored 0 points; unit flagged incomplete']
        >>> float(unit_scores(t)["score"].iloc[0])
        80.0
    """
    criteria = criteria or load_criteria()
    frame, name = _read_table(source)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ParDataError(f"{name}: missing column(s) {', '.join(missing)}")
    for col in ("unit_code", "unit", "unit_type", "province", "criterion"):
        if col in frame:
            frame[col] = _tidy_text(frame[col])
        else:
            frame[col] = pd.Series(pd.NA, index=frame.index, dtype="string")
    issues: list[pd.DataFrame] = []

    # Year ---------------------------------------------------------------------------------
    if "year" in frame:
        file_years = pd.to_numeric(frame["year"], errors="coerce")
        if year is None:
            found = file_years.dropna().unique()
            year = int(found[0]) if len(found) == 1 else None
        if year is not None:
            other = file_years.ne(year) | file_years.isna()
            issues.append(_problems(frame, other, "year", "other_year",
                                    f"excluded from the {year} table", year))
            frame = frame.loc[~other]
    frame["year"] = year

    # Rows that cannot be scored -----------------------------------------------------------
    no_code = frame["unit_code"].isna()
    issues.append(_problems(frame, no_code, "unit_code", "unit_code_missing",
                            "excluded: the row cannot be attributed to a unit", year))
    frame = frame.loc[~no_code]
    unknown = ~frame["criterion"].isin(criteria.codes)
    issues.append(_problems(frame, unknown, "criterion", "unknown_criterion",
                            "excluded from the total", year))
    frame = frame.loc[~unknown]
    dup = frame.duplicated(["unit_code", "criterion"], keep="first")
    issues.append(_problems(frame, dup, "criterion", "duplicate_row",
                            "excluded: the first row of this unit and criterion is kept", year))
    frame = frame.loc[~dup]
    if frame.empty:
        raise ParDataError(f"{name}: no usable row (see the problems: wrong year, "
                           "no unit code or unknown criteria)")

    # One name (type, province) per unit ----------------------------------------------------
    firsts = frame.groupby("unit_code", sort=False)[list(UNIT_COLUMNS)].first()
    for col in UNIT_COLUMNS:          # three columns, each check vectorised
        conflict = frame[col].notna() & frame[col].ne(frame["unit_code"].map(firsts[col]))
        issues.append(_problems(frame, conflict, col, "unit_name_conflict",
                                f"the first {col} of this code is kept", year))
    firsts["province"] = _canonical_provinces(firsts["province"])
    bad_prov = firsts["province"].notna() & ~firsts["province"].isin(_province_names())
    if bad_prov.any():
        issues.append(_problems(firsts.reset_index(), bad_prov.to_numpy(), "province",
                                "unknown_province", "kept as typed; no satisfaction match",
                                year))

    # Points ---------------------------------------------------------------------------------
    has_self = "self_points" in frame
    if not has_self:
        frame["self_points"] = pd.NA
    for col in ("appraised_points", "self_points"):
        frame[col] = _checked_points(frame, col, criteria, year, issues)

    # Complete grid: every unit x every criterion ---------------------------------------------
    grid = pd.MultiIndex.from_product([firsts.index, criteria.codes],
                                      names=["unit_code", "criterion"])
    full = frame.set_index(["unit_code", "criterion"])[["appraised_points", "self_points"]]
    full = full.reindex(grid).reset_index()
    full = full.join(firsts, on="unit_code")
    full["year"] = year
    full["max_points"] = full["criterion"].map(criteria.max_points).astype("float64")
    missing_crit = full["appraised_points"].isna()
    issues.append(_problems(full, missing_crit, "appraised_points", "criterion_missing",
                            "scored 0 points; unit flagged incomplete", year))
    if has_self:
        self_gap = full["self_points"].isna() & ~missing_crit
        issues.append(_problems(full, self_gap, "self_points", "self_missing",
                                "no measurement uncertainty for this criterion", year))
    else:
        issues.append(pd.DataFrame([{
            "year": year, "unit_code": pd.NA, "unit": pd.NA, "criterion": pd.NA,
            "column": "self_points", "value": pd.NA, "reason": "self_missing",
            "action": "no self_points column: no measurement uncertainty for any unit"}]))
    full["appraised_points"] = full["appraised_points"].fillna(0.0)

    problems = pd.concat([p for p in issues if not p.empty] or [empty_problems()],
                         ignore_index=True)
    problems["year"] = year
    flags = (problems.dropna(subset=["unit_code", "criterion"])
             .groupby(["unit_code", "criterion"])["reason"].agg(";".join))
    key = pd.MultiIndex.from_frame(full[["unit_code", "criterion"]])
    full["flag"] = flags.reindex(key).fillna("").to_numpy()
    cols = ["year", "unit_code", *UNIT_COLUMNS, "criterion", "max_points", "self_points",
            "appraised_points", "flag"]
    return ParTable(year=year, scores=full[cols], problems=problems[list(PROBLEM_COLUMNS)],
                    criteria=criteria)


@lru_cache(maxsize=1)
def _province_lookup() -> tuple[frozenset[str], dict[str, str]]:
    """The codebook's province names and its folded-name lookup (read once)."""
    book = load_codebook()
    return frozenset(book.provinces), dict(book.province_map)


def _province_names() -> list[str]:
    return sorted(_province_lookup()[0])


def _canonical_provinces(values: pd.Series) -> pd.Series:
    """Province names mapped to the codebook's canonical names (aliases, case, diacritics)."""
    canonical = fold_series(values).map(_province_lookup()[1])
    return values.where(canonical.isna(), canonical).astype("string")


def align_years(before: ParTable, after: ParTable) -> pd.DataFrame:
    """Units scored in one of two years only, as problem rows.

    Args:
        before: the earlier year's table.
        after: the later year's table.

    Returns:
        Problem rows (reason ``unit_in_one_year_only``); empty when both years hold the
        same units.

    Examples:
        >>> c = load_criteria()
        >>> def year(y, units):
        ...     return load_par(pd.DataFrame({"unit_code": np.repeat(units, 9), "unit": "x",
        ...         "criterion": c.codes * len(units), "appraised_points": 1.0}), c, y)
        >>> align_years(year(2019, ["A", "B"]), year(2020, ["B", "C"]))[["year", "unit_code"]]
           year unit_code
        0  2019         A
        1  2020         C
    """
    a = before.scores.drop_duplicates("unit_code").set_index("unit_code")
    b = after.scores.drop_duplicates("unit_code").set_index("unit_code")
    only_a = a.loc[~a.index.isin(b.index)].reset_index()
    only_b = b.loc[~b.index.isin(a.index)].reset_index()
    out = [
        _problems(only_a, pd.Series(True, index=only_a.index), "unit_code",
                  "unit_in_one_year_only", f"absent in {after.year}: shown as '{ABSENT}'",
                  before.year),
        _problems(only_b, pd.Series(True, index=only_b.index), "unit_code",
                  "unit_in_one_year_only", f"absent in {before.year}: shown as '{ABSENT}'",
                  after.year),
    ]
    out = [o for o in out if not o.empty]
    return pd.concat(out, ignore_index=True) if out else empty_problems()


# --------------------------------------------------------------------------------------------
# Unit scores and bands
# --------------------------------------------------------------------------------------------


def unit_scores(table: ParTable, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """Add each unit's points up.

    Args:
        table: a checked year (:func:`load_par`).
        exclude: criteria left out: the score is then the other criteria's points in per cent
            of their maximum (the index *net of* those criteria, e.g. of the satisfaction
            criterion when the score is compared with citizens' satisfaction).

    Returns:
        One row per unit (index ``unit_code``, file order): ``unit, unit_type, province,
        appraised_total, self_total, max_total, score`` (appraised total in % of the maximum:
        the official PAR score), ``self_score``, ``uncertainty`` (``|self_score - score|``,
        NaN when a self-assessment is missing), ``complete`` (every criterion appraised) and
        ``n_problems``.

    Examples:
        >>> c = load_criteria()
        >>> t = load_par(pd.DataFrame({"unit_code": "U1", "unit": "Unit 1",
        ...     "criterion": c.codes, "appraised_points": c.max_points.values - 1,
        ...     "self_points": c.max_points.values - 0.5}), c, 2020)
        >>> unit_scores(t)[["appraised_total", "score", "self_score", "uncertainty"]]
        ... # doctest: +NORMALIZE_WHITESPACE
                   appraised_total  score  self_score  uncertainty
        unit_code
        U1                    91.0   91.0        95.5          4.5
        >>> round(float(unit_scores(t, exclude=["satisfaction"])["score"].iloc[0]), 4)
        90.0

    Raises:
        ValueError: ``exclude`` names a criterion that is not one, or every criterion.
    """
    unknown = sorted(set(exclude) - set(table.criteria.codes))
    if unknown:
        raise ValueError(f"exclude: not a criterion: {', '.join(map(str, unknown))}")
    kept = [c for c in table.criteria.codes if c not in set(exclude)]
    if not kept:
        raise ValueError("exclude leaves no criterion to score")
    s = table.scores
    if len(kept) < len(table.criteria.codes):
        s = s.loc[s["criterion"].isin(kept)]
    n_crit = len(kept)
    g = s.groupby("unit_code", sort=False)
    out = g[list(UNIT_COLUMNS)].first()
    out["appraised_total"] = g["appraised_points"].sum()
    out["self_total"] = g["self_points"].sum(min_count=n_crit)
    out["max_total"] = g["max_points"].sum()
    out["score"] = 100.0 * out["appraised_total"] / out["max_total"]
    out["self_score"] = 100.0 * out["self_total"] / out["max_total"]
    out["uncertainty"] = (out["self_score"] - out["score"]).abs()
    incomplete = table.problems.loc[
        table.problems["reason"].isin(["criterion_missing", "not_a_number"])
        & table.problems["column"].eq("appraised_points"), "unit_code"]
    out["complete"] = ~out.index.isin(incomplete)
    counts = table.problems["unit_code"].value_counts()
    out["n_problems"] = counts.reindex(out.index).fillna(0).astype(int)
    return out


def _check_bands(bands: Mapping[str, float]) -> pd.Series:
    """The bands as a Series name -> lower bound, best (highest bound) first."""
    if not isinstance(bands, Mapping) or not bands:
        raise ValueError("bands must be a non-empty mapping of band name -> lower bound "
                         "(params par_bands)")
    names = [str(k) for k in bands]
    if NOT_COMPLETED in names or ABSENT in names or TOTAL in names:
        raise ValueError(f"band names {NOT_COMPLETED!r}, {ABSENT!r} and {TOTAL!r} are reserved")
    try:
        bounds = pd.Series([float(v) for v in bands.values()], index=names)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"band bounds must be numbers: {dict(bands)}") from exc
    if not np.isfinite(bounds).all():
        raise ValueError(f"band bounds must be finite: {dict(bands)}")
    if bounds.duplicated().any():
        raise ValueError(f"two bands share a lower bound: {dict(bands)}")
    return bounds.sort_values(ascending=False, kind="stable")


def band_order(bands: Mapping[str, float]) -> list[str]:
    """Band names from best to worst, ``not_completed`` last.

    Examples:
        >>> band_order({"good": 80, "excellent": 95, "completed": 50, "fair": 70})
        ['excellent', 'good', 'fair', 'completed', 'not_completed']
    """
    return [*_check_bands(bands).index, NOT_COMPLETED]


def assign_bands(scores: pd.Series, bands: Mapping[str, float]) -> pd.Series:
    """Place every score in its ranking band.

    A score is in the highest band whose lower bound it reaches; a score exactly on a bound
    goes to the higher band; below the lowest bound it is ``not_completed``; a missing score
    has no band (NaN).

    Args:
        scores: scores in per cent, any index (kept).
        bands: band name -> lower bound, e.g. ``load_params(year).par_bands``.

    Returns:
        An ordered categorical Series (categories best first, ``not_completed`` last).

    Raises:
        ValueError: empty or non-numeric bands, a reserved or repeated bound, or scores that
            are not numeric.

    Examples:
        >>> b = {"excellent": 95, "good": 80, "fair": 70, "completed": 50}
        >>> assign_bands(pd.Series([95.0, 94.99, 80.0, 79.75, 50.0, 49.9]), b).tolist()
        ['excellent', 'good', 'good', 'fair', 'completed', 'not_completed']
    """
    bounds = _check_bands(bands)
    if not isinstance(scores, pd.Series):
        scores = pd.Series(scores)
    if not (pd.api.types.is_numeric_dtype(scores) or scores.isna().all()):
        raise ValueError(f"scores must be numeric, got dtype {scores.dtype}")
    values = scores.to_numpy(dtype="float64", na_value=np.nan)
    asc = bounds.to_numpy()[::-1]
    asc_names = np.array([NOT_COMPLETED, *bounds.index[::-1]], dtype=object)
    pos = np.searchsorted(asc, values + SCORE_TOLERANCE, side="right")
    labels = np.where(np.isnan(values), None, asc_names[np.minimum(pos, len(asc))])
    cats = pd.CategoricalDtype([*bounds.index, NOT_COMPLETED], ordered=True)
    return pd.Series(pd.Categorical(labels, dtype=cats), index=scores.index, name="band")


def band_counts(bands: pd.Series) -> pd.DataFrame:
    """Units per band, every band shown (zero included), best first.

    Args:
        bands: the output of :func:`assign_bands`.

    Returns:
        Index ``band``; columns ``n`` and ``share`` (per cent of the units with a band).

    Examples:
        >>> b = assign_bands(pd.Series([96.0, 85.0, 81.0, 60.0]), {"excellent": 95, "good": 80,
        ...                  "fair": 70, "completed": 50})
        >>> band_counts(b)["n"].to_dict()
        {'excellent': 1, 'good': 2, 'fair': 0, 'completed': 1, 'not_completed': 0}
    """
    cat = _as_band_categorical(bands)
    n = pd.Series(np.bincount(cat.cat.codes[cat.cat.codes >= 0],
                              minlength=len(cat.cat.categories)),
                  index=pd.Index(cat.cat.categories, name="band"), name="n")
    total = n.sum()
    return pd.DataFrame({"n": n, "share": 100.0 * n / total if total else np.nan})


def _as_band_categorical(bands: pd.Series) -> pd.Series:
    if not isinstance(bands, pd.Series) or not isinstance(bands.dtype, pd.CategoricalDtype):
        raise TypeError("bands must be the categorical Series returned by assign_bands")
    return bands


def band_changes(before: pd.Series, after: pd.Series, before_label: str = "before",
                 after_label: str = "after") -> pd.DataFrame:
    """Units per band in two years and the change.

    Args:
        before: bands of the earlier year (:func:`assign_bands`).
        after: bands of the later year.
        before_label: column name of the earlier year (e.g. "2019").
        after_label: column name of the later year.

    Returns:
        Index ``band`` (union of both years' bands, best first); columns ``before_label``,
        ``after_label`` and ``change`` (after - before).

    Examples:
        >>> b = {"excellent": 95, "good": 80}
        >>> band_changes(assign_bands(pd.Series([96.0, 81, 70]), b),
        ...              assign_bands(pd.Series([97.0, 96, 82]), b), "2019", "2020")
        ... # doctest: +NORMALIZE_WHITESPACE
                       2019  2020  change
        band
        excellent         1     2       1
        good              1     1       0
        not_completed     1     0      -1
    """
    a = band_counts(before)["n"]
    b = band_counts(after)["n"]
    order = list(dict.fromkeys([*a.index, *b.index]))
    out = pd.DataFrame({before_label: a.reindex(order, fill_value=0),
                        after_label: b.reindex(order, fill_value=0)})
    out["change"] = out[after_label] - out[before_label]
    out.index.name = "band"
    return out


# --------------------------------------------------------------------------------------------
# A year of the index, as a page uses it
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParYear:
    """One year of the PAR index, read, checked, added up and placed in bands.

    Attributes:
        year: the year.
        table: the checked unit table (:func:`load_par`), with its problems report.
        units: one row per unit (:func:`unit_scores`), index ``unit_code``.
        bands: each unit's band (:func:`assign_bands` of ``units["score"]``), same index.
        thresholds: band name -> lower bound (the year's params ``par_bands``).
    """

    year: int
    table: ParTable
    units: pd.DataFrame
    bands: pd.Series
    thresholds: dict[str, float]


def load_year(params: YearParams, criteria: ParCriteria | None = None) -> ParYear:
    """The PAR index of a survey year: its unit table (params ``par_file``), scores and bands.

    Args:
        params: the year's parameters (``par_file``, ``par_bands``).
        criteria: the criteria (default: :func:`load_criteria`).

    Returns:
        A :class:`ParYear`.

    Raises:
        ParDataError: the year has no ``par_file``, or the file cannot be used.
        ValueError: the year's ``par_bands`` are empty or malformed.

    Examples:
        >>> from satisfaction.params import load_params
        >>> y = load_year(load_params(2020))
        >>> y.year, len(y.units), band_counts(y.bands)["n"].to_dict()
        (2020, 110, {'excellent': 14, 'good': 81, 'fair': 11, 'completed': 4, 'not_completed': 0})
    """
    if params.par_file is None:
        raise ParDataError(f"year {params.year}: no par_file in its params "
                           f"({params.source}); the PAR page needs the year's unit table")
    table = load_par(params.par_file, criteria, params.year)
    units = unit_scores(table)
    return ParYear(year=params.year, table=table, units=units,
                   bands=assign_bands(units["score"], params.par_bands),
                   thresholds=dict(params.par_bands))


def load_baseline_year(params: YearParams, criteria: ParCriteria | None = None) -> ParYear | None:
    """The PAR index of the year ``params`` is compared with (its ``baseline_year``).

    Args:
        params: the current year's parameters.
        criteria: the criteria (default: :func:`load_criteria`).

    Returns:
        The baseline's :class:`ParYear` (under the baseline's own ``par_bands``), or None when
        there is no baseline year, or the baseline has no ``par_file`` or its file does not
        exist in this repository (the page then shows the current year alone and says so).

    Raises:
        ParamsError: the baseline's parameters cannot be loaded
            (:func:`satisfaction.years.load_baseline`).

    Examples:
        >>> from satisfaction.params import load_params
        >>> load_baseline_year(load_params(2020)).year, load_baseline_year(load_params(2019))
        (2019, None)
    """
    base = load_baseline(params)
    if base is None or base.par_file is None or not base.par_file.exists():
        return None
    return load_year(base, criteria)


# --------------------------------------------------------------------------------------------
# Summary, published figures
# --------------------------------------------------------------------------------------------


def score_summary(scores: pd.Series, confidence: float = 0.95, n_boot: int = 4000,
                  seed: int = 0) -> pd.DataFrame:
    """Mean and distribution of unit scores, with a t interval and a bootstrap interval.

    The units are every unit the ministry scored (a census), so the interval is not about
    sampling units: it describes how much the mean would move if the scoring were repeated
    with unit-level variation of the same size (a model-based reading). Both the t interval
    and the percentile bootstrap over units are given; they should agree.

    Args:
        scores: unit scores in per cent (missing values are ignored and counted).
        confidence: the confidence level.
        n_boot: bootstrap resamples.
        seed: seed of the bootstrap.

    Returns:
        One row: ``n, n_missing, mean, sd, se, ci_low, ci_high`` (t), ``boot_low,
        boot_high``, ``min, q25, median, q75, max``.

    Raises:
        ValueError: fewer than 2 scores or a confidence outside (0, 1).

    Examples:
        >>> s = score_summary(pd.Series([80.0, 85.0, 90.0, 95.0]))
        >>> s[["n", "mean", "ci_low", "ci_high"]].round(3).to_dict("records")
        [{'n': 4, 'mean': 87.5, 'ci_low': 77.229, 'ci_high': 97.771}]
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    x = pd.to_numeric(pd.Series(scores), errors="raise").to_numpy(dtype="float64")
    valid = x[~np.isnan(x)]
    n = valid.size
    if n < 2:
        raise ValueError(f"need at least 2 scores for an interval, got {n}")
    mean = valid.mean()
    sd = valid.std(ddof=1)
    se = sd / np.sqrt(n)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
    rng = np.random.default_rng(seed)
    boot = valid[rng.integers(0, n, size=(int(n_boot), n))].mean(axis=1)
    alpha = 1 - confidence
    q = np.quantile(valid, [0.25, 0.5, 0.75])
    return pd.DataFrame([{
        "n": int(n), "n_missing": int(x.size - n), "mean": mean, "sd": sd, "se": se,
        "ci_low": mean - half, "ci_high": mean + half,
        "boot_low": np.quantile(boot, alpha / 2), "boot_high": np.quantile(boot, 1 - alpha / 2),
        "min": valid.min(), "q25": q[0], "median": q[1], "q75": q[2], "max": valid.max(),
    }], index=pd.Index(["score"], name="statistic"))


def published_comparison(mean: float, changes: pd.DataFrame, published_mean: float | None,
                         published: Mapping[str, Any] | None,
                         after_label: str | None = None) -> pd.DataFrame:
    """The published PAR figures next to those reproduced from the unit table.

    Args:
        mean: the mean unit score reproduced (per cent).
        changes: :func:`band_changes` of the year against the previous one (or a one-column
            ``band_counts``-like table with the year's counts when there is no previous year).
        published_mean: the published mean (params ``published.par_index_mean``) or None.
        published: the year's entry of ``ParCriteria.published`` (``counts``,
            ``change_on_previous``) or None.
        after_label: the column of ``changes`` holding the year's counts (default: the second
            column, or the first when there is only one).

    Returns:
        One row per published figure: ``figure`` (its name in English), ``what`` (``mean``,
        ``count`` or ``change``: what kind of figure, for a page to name it in its language),
        ``band`` (the band of a count or change; missing for the mean), ``published``,
        ``reproduced``, ``match`` (the mean is compared at the published two decimals, counts
        exactly); no row when nothing was published.

    Examples:
        >>> ch = pd.DataFrame({"2019": [10, 68], "2020": [14, 81]}, index=["excellent", "good"])
        >>> ch["change"] = ch["2020"] - ch["2019"]
        >>> published_comparison(85.7795, ch, 85.78, {"counts": {"excellent": 14},
        ...                      "change_on_previous": {"good": 13}}).drop(columns="figure")
             what       band  published  reproduced  match
        0    mean        NaN      85.78       85.78   True
        1   count  excellent      14.00       14.00   True
        2  change       good      13.00       13.00   True
    """
    rows = []
    if published_mean is not None:
        rows.append(("mean score (%)", "mean", None, float(published_mean),
                     round(float(mean), 2)))
    published = published or {}
    col = after_label or (changes.columns[1] if changes.shape[1] > 1 else changes.columns[0])
    for band, n in (published.get("counts") or {}).items():
        got = changes[col].get(band, np.nan)
        rows.append((f"{band} units", "count", str(band), float(n), float(got)))
    if "change" in changes:
        for band, d in (published.get("change_on_previous") or {}).items():
            rows.append((f"{band}: change on the previous year", "change", str(band), float(d),
                         float(changes["change"].get(band, np.nan))))
    out = pd.DataFrame(rows, columns=["figure", "what", "band", "published", "reproduced"])
    out = out.astype({"figure": "object", "what": "object", "band": "object",
                      "published": "float64", "reproduced": "float64"})
    out["match"] = np.isclose(out["published"].to_numpy(), out["reproduced"].to_numpy(),
                              rtol=0, atol=1e-9)
    return out


# --------------------------------------------------------------------------------------------
# Transitions between two years
# --------------------------------------------------------------------------------------------


def _paired_codes(before: pd.Series, after: pd.Series) -> tuple[np.ndarray, np.ndarray, list]:
    """Band codes of the union of units (absent = last code) and the category list."""
    a = _as_band_categorical(before)
    b = _as_band_categorical(after)
    cats = list(dict.fromkeys([*a.cat.categories, *b.cat.categories]))
    if not a.index.is_unique or not b.index.is_unique:
        raise ValueError("bands must be indexed by unique unit codes")
    units = a.index.union(b.index, sort=False)
    cats_all = [*cats, ABSENT]
    dtype = pd.CategoricalDtype(cats_all, ordered=True)

    def codes(s: pd.Series) -> np.ndarray:
        full = s.astype("object").reindex(units)
        full = full.where(full.notna() | ~units.isin(s.index), None)
        return pd.Categorical(full.where(units.isin(s.index), ABSENT),
                              dtype=dtype).codes.astype(np.int64)

    return codes(a), codes(b), cats_all


def transition_matrix(before: pd.Series, after: pd.Series, before_label: str = "before",
                      after_label: str = "after", margins: bool = True) -> pd.DataFrame:
    """Units by band in one year (rows) and the next (columns).

    Units scored in one of the two years only appear in the ``absent`` row or column, so the
    matrix adds up to every unit of either year. Units with a missing score are not counted.

    Args:
        before: bands of the earlier year, indexed by unit code.
        after: bands of the later year, indexed by unit code.
        before_label: name of the row axis (e.g. "2019").
        after_label: name of the column axis.
        margins: add the ``total`` row and column.

    Returns:
        A count table; rows and columns best band first, then ``not_completed``, ``absent``
        (and ``total``).

    Raises:
        TypeError: ``before`` or ``after`` is not a Series from :func:`assign_bands`.
        ValueError: a unit code appears twice in one year.

    Examples:
        >>> b = {"excellent": 95, "good": 80}
        >>> y1 = assign_bands(pd.Series([96.0, 85, 70], index=["A", "B", "C"]), b)
        >>> y2 = assign_bands(pd.Series([94.0, 96, 81], index=["A", "B", "D"]), b)
        >>> transition_matrix(y1, y2, "2019", "2020")  # doctest: +NORMALIZE_WHITESPACE
        2020           excellent  good  not_completed  absent  total
        2019
        excellent              0     1              0       0      1
        good                   1     0              0       0      1
        not_completed          0     0              0       1      1
        absent                 0     1              0       0      1
        total                  1     2              0       1      4
    """
    ca, cb, cats = _paired_codes(before, after)
    k = len(cats)
    ok = (ca >= 0) & (cb >= 0)
    counts = np.bincount(ca[ok] * k + cb[ok], minlength=k * k).reshape(k, k)
    out = pd.DataFrame(counts, index=pd.Index(cats, name=before_label),
                       columns=pd.Index(cats, name=after_label))
    if margins:
        out[TOTAL] = out.sum(axis=1)
        out.loc[TOTAL] = out.sum(axis=0)
    return out


def transition_summary(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """How many units moved up, stayed, moved down, entered or left between two years.

    Args:
        before: bands of the earlier year, indexed by unit code.
        after: bands of the later year.

    Returns:
        One row: ``units, moved_up, stayed, moved_down, entered`` (scored in the later year
        only), ``left`` (earlier year only), ``no_score`` (a missing score in either year).

    Examples:
        >>> b = {"excellent": 95, "good": 80}
        >>> y1 = assign_bands(pd.Series([96.0, 85, 70], index=["A", "B", "C"]), b)
        >>> y2 = assign_bands(pd.Series([94.0, 96, 81], index=["A", "B", "D"]), b)
        >>> transition_summary(y1, y2).iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
        {'units': 4, 'moved_up': 1, 'stayed': 0, 'moved_down': 1, 'entered': 1, 'left': 1,
         'no_score': 0}
    """
    ca, cb, cats = _paired_codes(before, after)
    absent = len(cats) - 1
    both = (ca >= 0) & (cb >= 0) & (ca != absent) & (cb != absent)
    return pd.DataFrame([{
        "units": int(ca.size),
        "moved_up": int((both & (cb < ca)).sum()),
        "stayed": int((both & (cb == ca)).sum()),
        "moved_down": int((both & (cb > ca)).sum()),
        "entered": int((ca == absent).sum()),
        "left": int((cb == absent).sum()),
        "no_score": int(((ca < 0) | (cb < 0)).sum()),
    }])


# --------------------------------------------------------------------------------------------
# Criteria losses
# --------------------------------------------------------------------------------------------


def criterion_losses(table: ParTable, lang: str = "en") -> pd.DataFrame:
    """Points lost per criterion across units, the criterion losing most first.

    Args:
        table: a checked year (:func:`load_par`).
        lang: language of the ``label`` column ("en" or "vi").

    Returns:
        Index ``criterion``; columns ``label, max_points, mean_appraised, mean_lost``
        (points per unit), ``total_lost`` (over all units), ``share_of_losses`` (per cent of
        all points lost), ``lost_pct_of_max`` (mean loss in per cent of the criterion's
        maximum), ``units`` (units scored), ``units_losing`` (units with any loss) and
        ``mean_overclaim`` (self-assessed minus appraised points, per unit with a
        self-assessment).

    Examples:
        >>> c = load_criteria()
        >>> t = load_par(pd.DataFrame({"unit_code": "U1", "unit": "u", "criterion": c.codes,
        ...     "appraised_points": c.max_points.values - np.arange(9) / 4}), c, 2020)
        >>> criterion_losses(t)["total_lost"].head(3).to_dict()
        {'satisfaction': 2.0, 'impact': 1.75, 'e_government': 1.5}
    """
    s = table.scores.assign(lost=lambda d: d["max_points"] - d["appraised_points"],
                            over=lambda d: d["self_points"] - d["appraised_points"])
    g = s.groupby("criterion", sort=False)
    out = pd.DataFrame({
        "max_points": g["max_points"].first(),
        "mean_appraised": g["appraised_points"].mean(),
        "mean_lost": g["lost"].mean(),
        "total_lost": g["lost"].sum(),
        "units": g["unit_code"].nunique(),
        "units_losing": g["lost"].agg(lambda v: int((v > SCORE_TOLERANCE).sum())),
        "mean_overclaim": g["over"].mean(),
    })
    total = out["total_lost"].sum()
    out["share_of_losses"] = 100.0 * out["total_lost"] / total if total else 0.0
    out["lost_pct_of_max"] = 100.0 * out["mean_lost"] / out["max_points"]
    out.insert(0, "label", table.criteria.table[lang].reindex(out.index))
    out.index.name = "criterion"
    cols = ["label", "max_points", "mean_appraised", "mean_lost", "total_lost",
            "share_of_losses", "lost_pct_of_max", "units", "units_losing", "mean_overclaim"]
    return out[cols].sort_values("total_lost", ascending=False, kind="stable")


# --------------------------------------------------------------------------------------------
# Robustness of the ranking
# --------------------------------------------------------------------------------------------


def band_margins(scores: pd.Series, bands: Mapping[str, float]) -> pd.DataFrame:
    """How far each unit is from leaving its band.

    Args:
        scores: unit scores in per cent.
        bands: band name -> lower bound.

    Returns:
        Index as ``scores``; columns ``score, band, to_lower`` (points the score can lose
        and stay in its band: score minus the band's lower bound; NaN for ``not_completed``)
        and ``to_upper`` (points needed to reach the next band up; NaN for the top band).

    Examples:
        >>> band_margins(pd.Series([96.0, 80.0, 79.5]), {"excellent": 95, "good": 80, "fair": 70})
           score       band  to_lower  to_upper
        0   96.0  excellent       1.0       NaN
        1   80.0       good       0.0      15.0
        2   79.5       fair       9.5       0.5
    """
    bounds = _check_bands(bands)
    band = assign_bands(scores, bands)
    lower = band.astype("object").map(bounds).astype("float64")
    names = list(bounds.index)
    upper_of = {names[i]: bounds.iloc[i - 1] for i in range(1, len(names))}
    upper_of[NOT_COMPLETED] = bounds.iloc[-1]
    upper = band.astype("object").map(upper_of).astype("float64")
    s = pd.Series(scores, dtype="float64")
    return pd.DataFrame({"score": s, "band": band, "to_lower": s - lower, "to_upper": upper - s})


def fragile_units(units: pd.DataFrame, bands: Mapping[str, float]) -> pd.DataFrame:
    """The units whose band would change if their score moved by its measurement uncertainty.

    A unit is fragile when its score plus, or minus, its uncertainty (``|self - appraised|``)
    falls in another band under the band rule of :func:`assign_bands`: exactly the units that
    :func:`robustness` counts as changed in its "scores +/- uncertainty" row. A unit whose
    uncertainty is unknown is not fragile (it is counted in ``not_moved`` there).

    Args:
        units: :func:`unit_scores` (columns ``unit``, ``score``, ``uncertainty``).
        bands: band name -> lower bound (params ``par_bands``).

    Returns:
        The fragile units (index ``unit_code``), closest to their lower bound first:
        ``score, band, to_lower, to_upper`` (:func:`band_margins`), ``unit, uncertainty``.

    Examples:
        >>> units = pd.DataFrame({"unit": list("abcd"), "score": [96.0, 95.5, 81.0, 79.0],
        ...                       "uncertainty": [0.5, 1.0, 2.0, np.nan]}, index=list("ABCD"))
        >>> fragile_units(units, {"excellent": 95, "good": 80, "fair": 70})
           score       band  to_lower  to_upper unit  uncertainty
        B   95.5  excellent       0.5       NaN    b          1.0
        C   81.0       good       1.0      14.0    c          2.0
    """
    score = units["score"]
    margins = band_margins(score, bands).join(units[["unit", "uncertainty"]])
    shift = units["uncertainty"].fillna(0.0)
    moves = ((assign_bands(score + shift, bands) != margins["band"])
             | (assign_bands(score - shift, bands) != margins["band"]))
    return margins.loc[moves & score.notna()].sort_values("to_lower")


def robustness(scores: pd.Series, bands: Mapping[str, float],
               uncertainty: pd.Series | float | None = None,
               threshold_shift: float = 1.0) -> pd.DataFrame:
    """How many units change band if scores or thresholds move.

    Scenarios (one row each): the ranking as published; every score up by its uncertainty,
    down by it, and either way (a unit counts if one of the two moves it); every threshold
    up by ``threshold_shift`` points, down, and either way.

    Args:
        scores: unit scores in per cent, indexed by unit code.
        bands: band name -> lower bound (params ``par_bands``).
        uncertainty: each unit's measurement uncertainty in score points (a Series aligned
            on ``scores``, e.g. :func:`unit_scores` ``uncertainty`` = ``|self - appraised|``)
            or one delta for every unit; None skips the score scenarios. Units with a
            missing uncertainty are not moved and are counted in ``not_moved``.
        threshold_shift: points every bound moves by (>= 0).

    Returns:
        One row per scenario: ``scenario, units, changed, moved_up, moved_down, not_moved``,
        then the count of units per band under that scenario (<NA> on the "either" rows).

    Raises:
        ValueError: a negative shift or uncertainty.

    Examples:
        >>> b = {"excellent": 95, "good": 80}
        >>> s = pd.Series([95.5, 94.0, 81.0, 60.0], index=list("ABCD"))
        >>> robustness(s, b, uncertainty=1.0)[["scenario", "changed", "excellent", "good"]]
                         scenario  changed  excellent  good
        0               as scored        0          1     2
        1    scores + uncertainty        1          2     1
        2    scores - uncertainty        1          0     3
        3  scores +/- uncertainty        2       <NA>  <NA>
        4        thresholds +1 pt        1          0     3
        5        thresholds -1 pt        1          2     1
        6      thresholds +/-1 pt        2       <NA>  <NA>
    """
    bounds = _check_bands(bands)
    if threshold_shift < 0:
        raise ValueError(f"threshold_shift must be >= 0, got {threshold_shift}")
    s = pd.Series(scores, dtype="float64")
    base = assign_bands(s, bands)
    base_code = base.cat.codes.to_numpy()
    rows: list[dict[str, Any]] = []

    def scenario(name: str, new: pd.Series, not_moved: int) -> np.ndarray:
        code = new.cat.codes.to_numpy()
        counts = band_counts(new)["n"]
        rows.append({"scenario": name, "units": int(s.notna().sum()),
                     "changed": int((code != base_code).sum()),
                     "moved_up": int((code < base_code).sum()),
                     "moved_down": int((code > base_code).sum()),
                     "not_moved": not_moved, **counts.to_dict()})
        return code

    def either(name: str, c1: np.ndarray, c2: np.ndarray, not_moved: int) -> None:
        rows.append({"scenario": name, "units": int(s.notna().sum()),
                     "changed": int(((c1 != base_code) | (c2 != base_code)).sum()),
                     "moved_up": int(((c1 < base_code) | (c2 < base_code)).sum()),
                     "moved_down": int(((c1 > base_code) | (c2 > base_code)).sum()),
                     "not_moved": not_moved})

    scenario("as scored", base, 0)
    if uncertainty is not None:
        if np.isscalar(uncertainty):
            u = pd.Series(float(uncertainty), index=s.index)
        else:
            u = pd.Series(uncertainty, dtype="float64").reindex(s.index)
        if (u < 0).any():
            raise ValueError("uncertainty must be >= 0")
        unknown = int((u.isna() & s.notna()).sum())
        u = u.fillna(0.0)
        up = scenario("scores + uncertainty", assign_bands(s + u, bands), unknown)
        down = scenario("scores - uncertainty", assign_bands(s - u, bands), unknown)
        either("scores +/- uncertainty", up, down, unknown)
    d = float(threshold_shift)
    up = scenario(f"thresholds +{d:g} pt", assign_bands(s, (bounds + d).to_dict()), 0)
    down = scenario(f"thresholds -{d:g} pt", assign_bands(s, (bounds - d).to_dict()), 0)
    either(f"thresholds +/-{d:g} pt", up, down, 0)
    out = pd.DataFrame(rows)
    for col in [*bounds.index, NOT_COMPLETED]:
        out[col] = out[col].astype("Int64")
    return out


UNCERTAINTY_ASSUMPTIONS = ("as scored", "gap", "half_gap", "fixed", "thresholds")
"""The rows of :func:`fragility`: how a unit's score might be off (or the thresholds moved)."""
_DIRECTIONS = {"scores + uncertainty": "up", "scores - uncertainty": "down",
               "scores +/- uncertainty": "either"}


def fragility(units: pd.DataFrame, bands: Mapping[str, float],
              fixed: Sequence[float] = (1.0, 2.0), threshold_shift: float = 1.0) -> pd.DataFrame:
    """How many units could change band under several assumptions about measurement error.

    Nothing measures how precisely a unit is scored (the council appraises each unit once), so
    any "measurement uncertainty" is an assumption. This function tries several, each as
    :func:`robustness` does (every score moved up, down, and either way by its uncertainty):

    * ``gap`` -- each unit's ``|self-assessed - appraised|`` score (:func:`unit_scores`
      ``uncertainty``: how much the council corrected the unit, not how much a second appraisal
      would differ); a unit without a self-assessment is not moved (``not_moved``);
    * ``half_gap`` -- half that gap;
    * ``fixed`` -- the same ``d`` points for every unit, one set of rows per ``d`` of ``fixed``;
    * ``thresholds`` -- the scores as scored, every band threshold moved by ``threshold_shift``.

    Args:
        units: :func:`unit_scores` (columns ``score`` and ``uncertainty``).
        bands: band name -> lower bound (params ``par_bands``).
        fixed: the fixed uncertainties tried, in points (each > 0).
        threshold_shift: points every threshold moves by (> 0).

    Returns:
        One row per assumption and direction: ``assumption`` (:data:`UNCERTAINTY_ASSUMPTIONS`),
        ``points`` (the fixed ``d`` or the threshold shift; NaN for ``gap``, ``half_gap`` and
        ``as scored``), ``direction`` (``up``, ``down``, ``either``; ``none`` for the ranking as
        scored), ``units, changed, moved_up, moved_down, not_moved`` and the units per band
        (<NA> on the ``either`` rows: a unit may move either way).

    Raises:
        ValueError: a fixed uncertainty or a threshold shift that is not positive, or bands
            :func:`assign_bands` refuses.

    Examples:
        >>> units = pd.DataFrame({"score": [95.5, 94.0, 81.0, 60.0],
        ...                       "uncertainty": [1.0, 0.5, 3.0, np.nan]}, index=list("ABCD"))
        >>> f = fragility(units, {"excellent": 95, "good": 80}, fixed=[2.0])
        >>> f.loc[f["direction"].isin(["none", "either"]),
        ...       ["assumption", "points", "changed", "not_moved"]]
            assumption  points  changed  not_moved
        0    as scored     NaN        0          0
        3          gap     NaN        2          1
        6     half_gap     NaN        1          1
        9        fixed     2.0        3          0
        12  thresholds     1.0        2          0
    """
    if threshold_shift <= 0 or any(not float(d) > 0 for d in fixed):
        raise ValueError("fixed uncertainties and the threshold shift must be positive")
    score, gap = units["score"], units["uncertainty"]
    choices: list[tuple[str, float, pd.Series | float]] = [
        ("gap", np.nan, gap), ("half_gap", np.nan, gap / 2),
        *[("fixed", float(d), float(d)) for d in fixed]]
    parts = []
    for name, points, uncertainty in choices:
        r = robustness(score, bands, uncertainty=uncertainty, threshold_shift=threshold_shift)
        if not parts:
            parts.append(r.iloc[[0]].assign(assumption="as scored", points=np.nan,
                                            direction="none"))
            thresholds = r.iloc[4:].assign(assumption="thresholds",
                                           points=float(threshold_shift),
                                           direction=["up", "down", "either"])
        scores = r.loc[r["scenario"].isin(list(_DIRECTIONS))]
        parts.append(scores.assign(assumption=name, points=points,
                                   direction=scores["scenario"].map(_DIRECTIONS)))
    out = pd.concat([*parts, thresholds], ignore_index=True).drop(columns="scenario")
    first = ["assumption", "points", "direction"]
    return out[first + [c for c in out.columns if c not in first]]


# --------------------------------------------------------------------------------------------
# PAR and citizen satisfaction
# --------------------------------------------------------------------------------------------


def spearman_ci(x: Any, y: Any, method: str = "bonett-wright", confidence: float = 0.95,
                n_boot: int = 4000, seed: int = 0) -> dict[str, Any]:
    """Spearman rank correlation with a confidence interval.

    Methods: ``bonett-wright`` (Fisher z with the Bonett & Wright 2000 standard error
    sqrt((1 + rho^2/2) / (n - 3)), as R's statpsych ``ci.spear``), ``fieller`` (Fisher z with
    Fieller, Hartley & Pearson's sqrt(1.06 / (n - 3))), ``fisher`` (plain 1 / sqrt(n - 3)) and
    ``bootstrap`` (percentile interval over resampled pairs, ranks recomputed each time). The
    p-value is the usual t approximation (as ``scipy.stats.spearmanr``).

    Args:
        x: first variable (pairs with a missing value are dropped).
        y: second variable.
        method: one of ``bonett-wright``, ``fieller``, ``fisher``, ``bootstrap``.
        confidence: the confidence level.
        n_boot: bootstrap resamples (``bootstrap`` only).
        seed: bootstrap seed.

    Returns:
        A dict: ``n, rho, se`` (standard error of rho: the delta method on the z scale;
        bootstrap SD for ``bootstrap``), ``ci_low, ci_high, p_value, method, confidence``.

    Raises:
        ValueError: unknown method, different lengths, fewer than 4 pairs, or a constant
            variable.

    Examples:
        >>> y = [21, 4, 9, 12, 35, 18, 10, 22, 24, 1, 6, 8, 13, 16, 19]
        >>> x = [67, 28, 30, 28, 52, 40, 25, 37, 44, 10, 14, 20, 28, 40, 51]
        >>> r = spearman_ci(x, y)
        >>> round(r["rho"], 7), round(r["se"], 8), round(r["ci_low"], 7), round(r["ci_high"], 7)
        (0.8699639, 0.08241326, 0.5840951, 0.9638297)
    """
    if method not in SPEARMAN_METHODS:
        raise ValueError(f"method must be one of {SPEARMAN_METHODS}, got {method!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    xa = np.asarray(x, dtype="float64")
    ya = np.asarray(y, dtype="float64")
    if xa.shape != ya.shape or xa.ndim != 1:
        raise ValueError(f"x and y must be 1-d and of equal length, got {xa.shape} and {ya.shape}")
    ok = ~(np.isnan(xa) | np.isnan(ya))
    xa, ya = xa[ok], ya[ok]
    n = xa.size
    if n < 4:
        raise ValueError(f"need at least 4 complete pairs for a rank correlation, got {n}")
    if np.ptp(xa) == 0 or np.ptp(ya) == 0:
        raise ValueError("a variable is constant: the rank correlation is undefined")
    rho = float(np.corrcoef(stats.rankdata(xa), stats.rankdata(ya))[0, 1])
    alpha = 1 - confidence
    zcrit = stats.norm.ppf(1 - alpha / 2)
    r_c = np.clip(rho, -1 + 1e-15, 1 - 1e-15)
    with np.errstate(divide="ignore"):
        t = r_c * np.sqrt((n - 2) / (1 - r_c**2))
    p_value = float(2 * stats.t.sf(abs(t), n - 2))
    if method == "bootstrap":
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n, size=(int(n_boot), n))
        rx = stats.rankdata(xa[idx], axis=1)
        ry = stats.rankdata(ya[idx], axis=1)
        rx -= rx.mean(axis=1, keepdims=True)
        ry -= ry.mean(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            boot = (rx * ry).sum(1) / np.sqrt((rx**2).sum(1) * (ry**2).sum(1))
        boot = boot[np.isfinite(boot)]
        lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
        se = float(boot.std(ddof=1))
    else:
        var = {"bonett-wright": (1 + r_c**2 / 2), "fieller": 1.06, "fisher": 1.0}[method]
        se_z = np.sqrt(var / (n - 3))
        z = np.arctanh(r_c)
        lo, hi = np.tanh(z - zcrit * se_z), np.tanh(z + zcrit * se_z)
        se = float(se_z * (1 - r_c**2))
    return {"n": int(n), "rho": rho, "se": se, "ci_low": float(lo), "ci_high": float(hi),
            "p_value": p_value, "method": method, "confidence": confidence}


@dataclass(frozen=True)
class ParSatisfaction:
    """PAR scores of provincial units against their citizens' satisfaction.

    Attributes:
        table: one row per matched province: ``province, unit_code, unit, par_score,
            satisfaction`` (the survey estimate as given), ``sat_ci_low, sat_ci_high, sat_n``
            when the estimate table has them, and the two ranks.
        summary: one row: the :func:`spearman_ci` result.
        unmatched: provinces on one side only, or whose satisfaction is suppressed:
            ``province, side``.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    unmatched: pd.DataFrame


def par_vs_satisfaction(units: pd.DataFrame, satisfaction: pd.DataFrame | pd.Series,
                        method: str = "bonett-wright", confidence: float = 0.95,
                        n_boot: int = 4000, seed: int = 0,
                        disclosure_threshold: int = 10) -> ParSatisfaction:
    """Rank correlation between a province's PAR score and its citizens' satisfaction.

    Args:
        units: :func:`unit_scores` (columns ``province``, ``score``; ``unit_type`` if present
            selects the ``province`` units); index unit code.
        satisfaction: satisfaction by province, e.g.
            ``SurveyDesign(...).proportion("satisfied", by="province")`` (index the province,
            column ``estimate``; ``ci_low``, ``ci_high``, ``n``, ``flagged`` are carried
            along), or a Series. A full estimate table without reliability columns gets them
            from :func:`satisfaction.reliability.nchs_flags`; a province whose ``suppressed``
            is true is left out of the correlation and listed as unmatched (its estimate is
            never shown).
        method: interval method of :func:`spearman_ci`.
        confidence: the confidence level.
        n_boot: bootstrap resamples.
        seed: bootstrap seed.
        disclosure_threshold: passed to ``nchs_flags`` (params ``disclosure_threshold``).

    Returns:
        A :class:`ParSatisfaction`.

    Raises:
        ValueError: no ``estimate`` column, a province with two PAR units, or fewer than 4
            matched provinces.

    Examples:
        >>> units = pd.DataFrame({"province": ["Hà Nội", "Huế", "Cà Mau", "Sơn La", "Hà Giang"],
        ...                       "score": [90.0, 85, 80, 75, 70]}, index=list("ABCDE"))
        >>> sat = pd.DataFrame({"estimate": [0.97, 0.95, 0.96, 0.90]},
        ...                    index=["Hà Nội", "Thừa Thiên Huế", "Cà Mau", "Sơn La"])
        >>> r = par_vs_satisfaction(units, sat)
        >>> int(r.summary["n"].iloc[0]), round(float(r.summary["rho"].iloc[0]), 6)
        (4, 0.8)
        >>> r.unmatched.to_dict("records")
        [{'province': 'Hà Giang', 'side': 'PAR only'}]
    """
    if "province" not in units or "score" not in units:
        raise ValueError("units must have 'province' and 'score' columns (unit_scores)")
    par = units
    if "unit_type" in par:
        par = par.loc[par["unit_type"].eq("province").fillna(False) | par["unit_type"].isna()]
    par = par.loc[par["province"].notna()]
    par = pd.DataFrame({"unit_code": par.index.astype(str),
                        "unit": par.get("unit", pd.Series(pd.NA, index=par.index)).to_numpy(),
                        "province": _canonical_provinces(_tidy_text(par["province"])).to_numpy(),
                        "par_score": par["score"].astype("float64").to_numpy()})
    dup = par["province"].duplicated(keep=False)
    if dup.any():
        raise ValueError("a province has several PAR units: "
                         f"{sorted(par.loc[dup, 'province'].unique())}")
    if isinstance(satisfaction, pd.Series):
        satisfaction = satisfaction.rename("estimate").to_frame()
    if "estimate" not in satisfaction:
        raise ValueError("satisfaction must have an 'estimate' column (a SurveyDesign table)")
    if set(NCHS_COLUMNS) <= set(satisfaction.columns) and "suppressed" not in satisfaction:
        satisfaction = nchs_flags(satisfaction, disclosure_threshold)
    keep = {"estimate": "satisfaction", "ci_low": "sat_ci_low", "ci_high": "sat_ci_high",
            "n": "sat_n", "flagged": "sat_flagged"}
    sat = satisfaction[[c for c in keep if c in satisfaction]].rename(columns=keep)
    sat.index = _canonical_provinces(_tidy_text(pd.Series(sat.index.astype(str)))).to_numpy()
    suppressed = (satisfaction["suppressed"].fillna(False).astype(bool).to_numpy()
                  if "suppressed" in satisfaction else np.zeros(len(sat), dtype=bool))
    hidden = pd.DataFrame({"province": sat.index[suppressed], "side": "satisfaction suppressed"})
    surveyed = set(sat.index)
    sat = sat.loc[~suppressed]
    sat = sat.groupby(level=0, sort=False).first()
    table = par.merge(sat, left_on="province", right_index=True, how="inner")
    table = table.loc[table["par_score"].notna() & table["satisfaction"].notna()]
    unmatched = pd.concat([
        pd.DataFrame({"province": par.loc[~par["province"].isin(surveyed), "province"],
                      "side": "PAR only"}),
        pd.DataFrame({"province": sat.index[~sat.index.isin(par["province"])],
                      "side": "satisfaction only"}),
        hidden,
    ], ignore_index=True)
    if len(table) < 4:
        raise ValueError(f"only {len(table)} provinces have both a PAR score and a "
                         "satisfaction estimate; need at least 4")
    result = spearman_ci(table["par_score"], table["satisfaction"], method=method,
                         confidence=confidence, n_boot=n_boot, seed=seed)
    table = table.assign(par_rank=stats.rankdata(-table["par_score"]),
                         satisfaction_rank=stats.rankdata(-table["satisfaction"]))
    return ParSatisfaction(table=table.reset_index(drop=True),
                           summary=pd.DataFrame([result]), unmatched=unmatched)


SCORE_VARIANTS = ("score", "net", "criterion")
"""The scores :func:`satisfaction_links` correlates with citizens' satisfaction."""


def satisfaction_links(table: ParTable, satisfaction: pd.DataFrame | pd.Series,
                       **options: Any) -> dict[str, ParSatisfaction]:
    """Provinces' PAR scores against their citizens' satisfaction, with and without the index's
    own satisfaction criterion.

    The PAR index scores citizens' satisfaction itself (a criterion of the index), so part of a
    correlation between the whole score and a survey's satisfaction can be built in. Three
    scores are compared (:data:`SCORE_VARIANTS`):

    * ``score`` -- the whole index (the official score);
    * ``net`` -- the index *net of* the satisfaction criterion (the other criteria's points in
      per cent of their maximum, :func:`unit_scores` ``exclude``): what the rest of the index
      shares with the survey;
    * ``criterion`` -- the satisfaction criterion alone (in per cent of its maximum).

    Args:
        table: a checked year (:func:`load_par`); its criteria name the satisfaction criterion
            (:attr:`ParCriteria.satisfaction`).
        satisfaction: satisfaction by province (see :func:`par_vs_satisfaction`).
        **options: passed to :func:`par_vs_satisfaction` (``method``, ``confidence``,
            ``disclosure_threshold``...).

    Returns:
        Variant -> :class:`ParSatisfaction`, in the order above. Only ``score`` when the index
        has no satisfaction criterion (or it is its only criterion); ``criterion`` is left out
        when its points are the same for every province (no rank correlation exists).

    Raises:
        ValueError: as :func:`par_vs_satisfaction` for the whole score.

    Examples:
        >>> c = load_criteria()
        >>> provinces = ["Hà Nội", "Huế", "Cà Mau", "Sơn La", "Hà Giang"]
        >>> points = np.tile(c.max_points.to_numpy() / 2, (5, 1))
        >>> points[:, c.codes.index("satisfaction")] = [20, 15, 10, 5, 0]  # follows the survey
        >>> points[:, 0] = [0, 2, 4, 6, 8]                                  # the other way
        >>> rows = pd.DataFrame({"unit_code": np.repeat(list("ABCDE"), 9), "unit": "u",
        ...     "unit_type": "province", "province": np.repeat(provinces, 9),
        ...     "criterion": c.codes * 5, "appraised_points": points.ravel()})
        >>> sat = pd.Series([0.97, 0.95, 0.93, 0.91, 0.90], index=provinces)
        >>> links = satisfaction_links(load_par(rows, c, 2020), sat)
        >>> {k: round(float(v.summary["rho"].iloc[0]), 2) for k, v in links.items()}
        {'score': 1.0, 'net': -1.0, 'criterion': 1.0}
    """
    criterion = table.criteria.satisfaction
    out = {"score": par_vs_satisfaction(unit_scores(table), satisfaction, **options)}
    others = [c for c in table.criteria.codes if c != criterion]
    if criterion is None or not others:
        return out
    out["net"] = par_vs_satisfaction(unit_scores(table, exclude=[criterion]), satisfaction,
                                     **options)
    try:
        out["criterion"] = par_vs_satisfaction(unit_scores(table, exclude=others),
                                               satisfaction, **options)
    except ValueError as exc:
        if "constant" not in str(exc):
            raise
    return out
