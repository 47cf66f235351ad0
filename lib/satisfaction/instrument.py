"""Is the questionnaire measuring well? Item behaviour, reliability, response quality, mode.

The ministry asked for its questionnaire and measurement method to be reviewed. With 96 %
satisfied, the first worry is whether the questions can tell good service from bad at all.
This module computes what notebook ``05_instrument`` shows, for one or several survey years
(one design per year; rows of every table carry the ``year``):

* **Item behaviour** -- :func:`item_distribution` (answers 1-5 and missing, weighted and not),
  :func:`item_nonresponse` ("don't know" / refused / blank / out-of-range counts, from the
  cleaning step's ``item_missing.csv`` when it exists: the processed table has those codes
  already turned into ``<NA>``), :func:`near_constant_items` and :func:`ceiling_effects`
  (weighted share at the top category, with a design-based interval).
* **Reliability** -- :func:`reliability` (Cronbach's alpha per component, weighted, with a
  jackknife-over-PSUs interval, and the unweighted alpha with Feldt's interval),
  :func:`item_statistics` (item-rest correlation, alpha if the item is deleted) and
  :func:`overall_agreement` (weighted Spearman correlation of the overall item with each
  component mean).
* **Response quality** -- :func:`response_flags` (straight-lining, very fast and incomplete
  forms), :func:`quality_summary` and :func:`quality_sensitivity` (the satisfaction rate with
  and without those forms, as rows, never as a silent filter).
* **Mode and respondent effects** -- :func:`mode_effects`: online minus in person, organisation
  minus citizen, the design-based difference with its interval.
* **Precision** -- :func:`sample_size_for_precision`: respondents per level needed next year for a
  chosen interval half-width, given this year's design effect.
* **Recommendations** -- :func:`review_instrument` runs all of the above and
  :func:`recommendations` turns it into a short list, each line naming the figure behind it.

Why alpha is written here rather than taken from pingouin. ``pingouin.cronbach_alpha`` (and R's
``psych::alpha``) treat the rows as a simple random sample. Here the respondents are drawn with
unequal probabilities inside offices (PSUs) and strata, so (1) the population alpha must be
estimated from the *weighted* covariance matrix of the items, otherwise over-sampled offices
(the central level) count more than the population they stand for, and (2) its interval must
respect the clustering: Feldt's F interval assumes independent respondents and is too narrow
when answers cluster within offices. :func:`cronbach_alpha` is the usual formula
``k/(k-1) * (1 - trace(C) / sum(C))`` on the weighted covariance ``C = sum w (x-m)(x-m)' / sum w``
(the normalisation cancels, so with equal weights it *is* pingouin's value; the tests check
that, a published worked example, Hoyt's ANOVA identity, and that integer weights equal
replicated rows). The design interval is a delete-one-PSU stratified jackknife (JKn; Rust and
Rao 1996), centred at the full-sample alpha (R's ``mse = TRUE``; the tests match R's
``withReplicates`` on an ``as.svrepdesign(type = "JKn")`` design): deterministic (no seed),
consistent for a smooth function of weighted moments such as alpha, and vectorised (every
replicate from the PSU moment totals at once, no loop over PSUs). It is formed on the
``log(1 - alpha)`` scale (alpha is bounded above by 1) with Student t quantiles on the design
degrees of freedom (PSUs minus strata), as R's ``survey`` does for replicate designs. Strata
with a single PSU cannot be jackknifed: with ``lonely_psu="fail"`` that is an error, with
``"average"`` the variance is scaled up by strata / strata-with-replicates, otherwise they
contribute no variance (as ``"certainty"``). Missing answers: listwise within a component.

How the mode difference is computed. The difference of two domain means estimated from
ONE design is not the difference of two independent samples: both share strata and PSUs
(an office serves people in person and online), so ``Var(a - b) = Var(a) + Var(b) - 2 Cov(a, b)``.
:func:`domain_contrasts` takes the covariance matrix of the domain means from
:meth:`satisfaction.design.SurveyDesign.domain_covariance` (Taylor linearisation with R
``survey``'s formula: with-replacement PSU variance, finite population correction
``(N_h - n_h)/N_h``, the lonely-PSU policies). The tests match R's ``svycontrast`` of the two
domain ratios (built from ``svytotal``) to 1e-10 under every lonely-PSU policy and with an
FPC. The interval is Wald with normal quantiles, as R's ``confint`` on a contrast.

The very-fast threshold: 2 seconds per questionnaire item (Huang, Curran, Keeney, Poposki and
DeShon 2012, "Detecting and deterring insufficient effort responding to surveys", J. Business
and Psychology 27: 99-114), i.e. 36 s for the 18 Likert items, unless the year's params file
sets ``instrument: {min_duration_sec: ...}``. Other thresholds (:class:`InstrumentSettings`)
are conventions with their source in the field docs; every one can be set in the same section.

Not for: the headline satisfaction estimates (see :mod:`satisfaction.design`), their
publication flags (:mod:`satisfaction.reliability`), year-over-year change
(:mod:`satisfaction.compare`), cleaning
(:mod:`satisfaction.clean`) or drawing (:mod:`satisfaction.plots.instrument`).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import config
from .multitest import adjust_pvalues
from .design import LONELY_PSU_POLICIES, DesignSpec, SurveyDesign
from .intervals import z_quantile

ANSWERS = ("1", "2", "3", "4", "5", "missing")
"""Answer categories of :func:`item_distribution`, in plotting order."""

ITEM_MISSING_COLUMNS = ("item", "dont_know", "refused", "blank", "out_of_range", "n")
"""Columns of the cleaning step's per-item count of unusable answers (``item_missing.csv``)."""

OPTIONAL_REASONS = ("unreadable",)
"""Further reasons counted as unusable when ``item_missing.csv`` has them."""

ESTIMATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "deff", "n", "n_eff", "df")

FIGURES = {
    "distribution": "Figure 1",
    "ceiling": "Figure 2",
    "reliability": "Figure 3",
    "items": "Figure 4",
    "quality": "Figure 5",
    "mode": "Figure 6",
    "precision": "Figure 7",
}
"""The figure of notebook 05_instrument that backs each kind of finding (titles carry them)."""

DEFAULT_CONTRASTS = (
    ("channel", "online", "in_person"),
    ("respondent_type", "organisation", "citizen"),
)
"""(variable, group a, group b): :func:`mode_effects` reports a minus b."""


class InstrumentError(ValueError):
    """Bad input to an instrument-review function (missing column, bad table, bad value)."""


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InstrumentSettings:
    """Thresholds of the instrument review. Override in params under ``instrument:``.

    Attributes:
        min_duration_sec: a form faster than this is "very fast"; None means
            ``seconds_per_item`` times the number of Likert items.
        seconds_per_item: 2 s (Huang et al. 2012).
        near_constant_share: an item is near-constant when one answer takes at least this
            weighted share of the valid answers (0.90: it then carries almost no information).
        ceiling_share: a component has a ceiling effect when more than this weighted share of
            respondents reach its maximum score (0.15, Terwee et al. 2007, J Clin Epidemiol
            60: 34-42).
        rate_ceiling: the satisfied/not-satisfied rate is at its ceiling above this (0.90).
        item_rest_min: an item-rest correlation below 0.30 is weak (Nunnally and Bernstein 1994).
        alpha_min: a component alpha below 0.70 is too low (Nunnally and Bernstein 1994).
        alpha_redundant: above 0.95 the items are likely redundant (Streiner 2003).
        alpha_gain: an item whose deletion raises alpha by at least this is a drop candidate.
        nonresponse_max: an item with more unusable answers (don't know, refused, blank, out
            of range) than this share needs a "not applicable" route.
        half_width: target half-width of the 95 % interval per level next year (0.02 = 2 pp).
    """

    min_duration_sec: float | None = None
    seconds_per_item: float = 2.0
    near_constant_share: float = 0.90
    ceiling_share: float = 0.15
    rate_ceiling: float = 0.90
    item_rest_min: float = 0.30
    alpha_min: float = 0.70
    alpha_redundant: float = 0.95
    alpha_gain: float = 0.02
    nonresponse_max: float = 0.05
    half_width: float = 0.02

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise InstrumentError(f"instrument setting {f.name}={value!r}: need a number >= 0")
        if not 0 < self.half_width < 0.5:
            raise InstrumentError(f"half_width={self.half_width}: need 0 < half_width < 0.5")

    @classmethod
    def from_params(cls, params: Any) -> InstrumentSettings:
        """Settings from a :class:`~satisfaction.params.YearParams` (its ``instrument:`` section).

        Examples:
            >>> from satisfaction.params import load_params
            >>> InstrumentSettings.from_params(load_params(2020)).half_width
            0.02
        """
        raw = getattr(params, "raw", None) or {}
        section = raw.get("instrument") or {}
        if not isinstance(section, Mapping):
            raise InstrumentError("params 'instrument' section must be a mapping")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(section) - known)
        if unknown:
            raise InstrumentError(f"unknown instrument setting(s): {', '.join(unknown)}")
        return cls(**dict(section))

    def duration_threshold(self, n_items: int) -> float:
        """Seconds below which a form counts as very fast.

        Examples:
            >>> InstrumentSettings().duration_threshold(18)
            36.0
        """
        if self.min_duration_sec is not None:
            return float(self.min_duration_sec)
        return float(self.seconds_per_item * n_items)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def components_from_codebook(codebook: Any = None) -> dict[str, list[str]]:
    """The five SIPAS components and their items, from the codebook.

    Examples:
        >>> components_from_codebook()["access"]
        ['a1', 'a2', 'a3']
    """
    if codebook is None:
        from .codebook import load_codebook

        codebook = load_codebook()
    return {name: list(spec["items"]) for name, spec in codebook.components.items()}


def _require(df: pd.DataFrame, columns: Sequence[str], what: str = "data") -> None:
    if not isinstance(df, pd.DataFrame):
        raise InstrumentError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise InstrumentError(f"{what} lacks column(s) {', '.join(map(str, missing))}")


def _split(df: pd.DataFrame, by: str | None) -> Iterator[tuple[Any, pd.DataFrame]]:
    """(key, part) per value of ``by`` (one design per survey year), or (None, df)."""
    if by is None:
        yield None, df
        return
    _require(df, [by])
    if df[by].isna().any():
        raise InstrumentError(f"column {by!r} has missing values")
    yield from df.groupby(by, sort=True)


def _with_by(table: pd.DataFrame, by: str | None, key: Any) -> pd.DataFrame:
    if by is None:
        return table
    table = table.copy()
    table.insert(0, by, key)
    return table


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if p is not None]
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def _likert(df: pd.DataFrame, items: Sequence[str]) -> np.ndarray:
    """Items as a float matrix with NaN for missing; values must be 1..5."""
    _require(df, items)
    x = np.empty((len(df), len(items)))
    for j, item in enumerate(items):
        col = df[item]
        if not (pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)):
            raise InstrumentError(f"item {item!r} must hold numeric Likert codes, not {col.dtype}")
        x[:, j] = col.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isnan(x) & ~np.isin(x, [1, 2, 3, 4, 5])
    if bad.any():
        col = list(items)[int(np.flatnonzero(bad.any(axis=0))[0])]
        raise InstrumentError(f"item {col!r} has values outside 1..5 (clean the data first)")
    return x


def _weights(df: pd.DataFrame, weights: str | None) -> np.ndarray:
    if weights is None:
        return np.ones(len(df))
    _require(df, [weights])
    w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(w).any() or (w <= 0).any() or not np.isfinite(w).all():
        raise InstrumentError(f"weights {weights!r} must be finite and > 0 for every row")
    return w


def _z(level: float) -> float:
    """:func:`satisfaction.intervals.z_quantile`, its error as an InstrumentError."""
    try:
        return z_quantile(level)
    except ValueError as exc:
        raise InstrumentError(f"level={level}: need 0 < level < 1") from exc


# ---------------------------------------------------------------------------------------------
# The design: satisfaction.design.SurveyDesign, its errors as InstrumentError
# ---------------------------------------------------------------------------------------------
def _design_spec(design: Mapping[str, Any] | DesignSpec) -> dict[str, Any]:
    if isinstance(design, DesignSpec):
        design = design.as_dict()
    if not isinstance(design, Mapping) or "weights" not in design:
        raise InstrumentError("design must be a mapping with at least 'weights' "
                              "(as params design: weights, strata, psu, fpc, lonely_psu)")
    spec = {
        "weights": design["weights"],
        "strata": design.get("strata"),
        "psu": design.get("psu"),
        "fpc": design.get("fpc"),
        "lonely_psu": design.get("lonely_psu", "fail") or "fail",
    }
    if spec["lonely_psu"] not in LONELY_PSU_POLICIES:
        raise InstrumentError(f"lonely_psu {spec['lonely_psu']!r} is not one of "
                              f"{LONELY_PSU_POLICIES}")
    return spec


def _survey_design(frame: pd.DataFrame, design: Mapping[str, Any]) -> SurveyDesign:
    """The :class:`~satisfaction.design.SurveyDesign` of ``frame``; bad designs raise
    :class:`InstrumentError` (a ``ValueError``)."""
    spec = _design_spec(design)
    _require(frame, [spec["weights"], spec["strata"], spec["psu"], spec["fpc"]])
    if len(frame) == 0:
        raise InstrumentError("no rows")
    _weights(frame, spec["weights"])
    for role in ("strata", "psu"):
        if spec[role] is not None and frame[spec[role]].isna().any():
            raise InstrumentError(f"{role} column {spec[role]!r} has missing values")
    try:
        return SurveyDesign(frame, weights=spec["weights"], strata=spec["strata"],
                            psu=spec["psu"], fpc=spec["fpc"], lonely_psu=spec["lonely_psu"])
    except ValueError as err:
        raise InstrumentError(str(err)) from err


def domain_contrasts(df: pd.DataFrame, y: str, domains: Mapping[str, Any],
                     design: Mapping[str, Any]) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
    """Weighted means of ``y`` in several domains of ONE design, with their covariance matrix.

    A thin wrapper of :meth:`satisfaction.design.SurveyDesign.domain_covariance` taking the
    params' design mapping. Domains may overlap (a subset and the whole sample) or be
    disjoint; each is a boolean mask over the rows. Rows where ``y`` is missing are outside
    every domain (as R's ``na.rm=TRUE``) but keep their PSUs in the design.

    Args:
        df: the respondent table of one survey year.
        y: the variable (e.g. ``satisfied``: 1.0 / 0.0 / NaN).
        domains: domain name -> boolean mask (array-like aligned with ``df``).
        design: ``{weights, strata, psu, fpc, lonely_psu}`` column names and policy.

    Returns:
        (estimates, covariance, n): estimate per domain, its design covariance matrix
        (Taylor linearisation, as R ``survey``), respondents with a valid ``y`` per domain.

    Raises:
        InstrumentError: no domains, a bad design (missing columns, weights not > 0, missing
            strata or PSU labels, a lonely PSU under ``"fail"``, ...), a mask of the wrong
            length or a non-numeric ``y``.

    Examples:
        >>> df = pd.DataFrame({"y": [1., 0., 1., 1., 0., 1.], "g": list("aabbab"),
        ...                    "w": [1., 2., 1., 1., 1., 2.], "psu": [1, 1, 2, 2, 3, 3]})
        >>> est, cov, n = domain_contrasts(df, "y", {"a": df.g == "a", "b": df.g == "b"},
        ...                                {"weights": "w", "psu": "psu"})
        >>> est.round(4).tolist(), n.tolist()
        ([0.25, 1.0], [3, 3])
        >>> float(cov.loc["a", "a"]), float(cov.loc["a", "b"]), float(cov.loc["b", "b"])
        (0.01171875, 0.0, 0.0)
    """
    _require(df, [y])
    if not domains:
        raise InstrumentError("no domains given")
    sd = _survey_design(df, design)
    try:
        return sd.domain_covariance(y, domains)
    except ValueError as err:
        raise InstrumentError(str(err)) from err


def _difference_row(est: pd.Series, cov: pd.DataFrame, n: pd.Series, a: str, b: str,
                    z: float) -> dict[str, float]:
    diff = est[a] - est[b]
    var = cov.loc[a, a] + cov.loc[b, b] - 2 * cov.loc[a, b]
    se = math.sqrt(max(var, 0.0)) if np.isfinite(var) else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = diff / se if se > 0 else np.nan
    return {
        "estimate_a": est[a], "estimate_b": est[b], "difference": diff, "se": se,
        "ci_low": diff - z * se, "ci_high": diff + z * se, "z": stat,
        "p_value": 2 * stats.norm.sf(abs(stat)) if np.isfinite(stat) else np.nan,
        "se_independent": math.sqrt(cov.loc[a, a] + cov.loc[b, b]),
        "covariance": cov.loc[a, b], "n_a": int(n[a]), "n_b": int(n[b]),
    }


def domain_difference(df: pd.DataFrame, y: str, domain_a: Any, domain_b: Any,
                      design: Mapping[str, Any], level: float = 0.95) -> pd.Series:
    """Design-based difference of the means of ``y`` in two domains of one design.

    Args:
        df: one survey year's respondents.
        y: the variable (``satisfied``).
        domain_a, domain_b: boolean masks (may overlap).
        design: design columns and lonely-PSU policy.
        level: confidence level of the Wald interval.

    Returns:
        estimate_a, estimate_b, difference (a - b), se (with the covariance), ci_low, ci_high,
        z, p_value, se_independent (what treating the domains as independent would give),
        covariance, n_a, n_b.

    Examples:
        >>> df = pd.DataFrame({"y": [1., 0., 1., 1., 0., 1.], "g": list("aabbab"),
        ...                    "w": [1., 2., 1., 1., 1., 2.], "psu": [1, 1, 2, 2, 3, 3]})
        >>> r = domain_difference(df, "y", df.g == "a", df.g == "b", {"weights": "w", "psu": "psu"})
        >>> round(float(r["difference"]), 4), round(float(r["se"]), 4)
        (-0.75, 0.1083)
    """
    est, cov, n = domain_contrasts(df, y, {"a": domain_a, "b": domain_b}, design)
    return pd.Series(_difference_row(est, cov, n, "a", "b", _z(level)))


# ---------------------------------------------------------------------------------------------
# Proportions through SurveyDesign (the project's design-based estimator)
# ---------------------------------------------------------------------------------------------
def _design_columns(design: Mapping[str, Any]) -> list[str]:
    spec = _design_spec(design)
    return [c for c in (spec["weights"], spec["strata"], spec["psu"], spec["fpc"]) if c]


def _proportions(frame: pd.DataFrame, variables: Sequence[str], design: Mapping[str, Any],
                 ci_method: str, level: float, by: str | None = None) -> pd.DataFrame:
    """SurveyDesign.proportion of each indicator column; rows: variable (x domain)."""
    sd = _survey_design(frame, design)
    out = []
    for var in variables:
        est = sd.proportion(var, by=by, ci_method=ci_method, level=level)
        table = est[[c for c in ESTIMATE_COLUMNS if c in est.columns]].copy()
        table.index = range(len(table))
        if by is not None:
            table.insert(0, "domain", est.index.get_level_values(0).to_numpy())
        table.insert(0, "variable", var)
        out.append(table)
    return pd.concat(out, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Item behaviour
# ---------------------------------------------------------------------------------------------
def item_distribution(df: pd.DataFrame, items: Sequence[str], weights: str | None = "weight",
                      by: str | None = "year") -> pd.DataFrame:
    """Answers 1-5 and missing for every item: counts, shares and weighted shares.

    Args:
        df: respondents (items as nullable integers 1..5 or <NA>).
        items: the item columns.
        weights: weight column (None: unweighted).
        by: one table per value (the survey year); None for a single frame.

    Returns:
        One row per (by, item, answer) with answer in ``ANSWERS`` (categorical), ``n``,
        ``share`` (of all forms), ``weighted_share`` (of all forms) and ``weighted_share_valid``
        (of valid answers; NaN on the missing row).

    Examples:
        >>> df = pd.DataFrame({"a1": pd.array([5, 5, 4, None], dtype="Int8"),
        ...                    "weight": [1.0, 1.0, 2.0, 1.0]})
        >>> t = item_distribution(df, ["a1"], by=None)
        >>> t[t.n > 0][["answer", "n", "weighted_share", "weighted_share_valid"]]
            answer  n  weighted_share  weighted_share_valid
        3        4  1             0.4                   0.5
        4        5  2             0.4                   0.5
        5  missing  1             0.2                   NaN
    """
    items = list(items)
    if not items:
        raise InstrumentError("no items given")
    parts = []
    for key, part in _split(df, by):
        x = _likert(part, items)
        w = _weights(part, weights)
        codes = np.where(np.isnan(x), 5, x - 1).astype(int)          # 0..4 answers, 5 missing
        n_rows, k = x.shape
        flat = (np.arange(k)[None, :] * len(ANSWERS) + codes).ravel()
        counts = np.bincount(flat, minlength=k * len(ANSWERS)).reshape(k, len(ANSWERS))
        wsum = np.bincount(flat, weights=np.repeat(w, k), minlength=k * len(ANSWERS)
                           ).reshape(k, len(ANSWERS))
        valid_w = wsum[:, :5].sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            wvalid = np.where(np.arange(len(ANSWERS))[None, :] < 5, wsum / valid_w, np.nan)
        table = pd.DataFrame({
            "item": np.repeat(items, len(ANSWERS)),
            "answer": pd.Categorical(np.tile(ANSWERS, k), categories=ANSWERS, ordered=True),
            "n": counts.ravel(),
            "share": (counts / n_rows).ravel(),
            "weighted_share": (wsum / w.sum()).ravel(),
            "weighted_share_valid": wvalid.ravel(),
        })
        parts.append(_with_by(table, by, key))
    return _concat(parts)


def near_constant_items(distribution: pd.DataFrame, threshold: float = 0.90) -> pd.DataFrame:
    """Items that nearly everyone answers the same way (from :func:`item_distribution`).

    Args:
        distribution: the output of :func:`item_distribution`.
        threshold: modal weighted share of valid answers at or above which an item is flagged.

    Returns:
        One row per (year, item): ``mode`` (the modal answer), ``modal_share``, weighted
        ``mean`` and ``sd`` of the valid answers, ``near_constant`` (bool).

    Examples:
        >>> df = pd.DataFrame({"a1": pd.array([5] * 19 + [4], dtype="Int8"),
        ...                    "a2": pd.array([5, 4] * 10, dtype="Int8"), "weight": 1.0})
        >>> near_constant_items(item_distribution(df, ["a1", "a2"], by=None))
          item  mode  modal_share  mean        sd  near_constant
        0   a1     5         0.95  4.95  0.217945           True
        1   a2     4         0.50  4.50  0.500000          False
    """
    _require(distribution, ["item", "answer", "weighted_share_valid"], "distribution")
    if not 0 < threshold <= 1:
        raise InstrumentError(f"threshold={threshold}: need 0 < threshold <= 1")
    keys = [c for c in distribution.columns if c not in (
        "item", "answer", "n", "share", "weighted_share", "weighted_share_valid")]
    valid = distribution[distribution["answer"] != "missing"].copy()
    valid["value"] = valid["answer"].astype(str).astype(int)
    valid["p"] = valid["weighted_share_valid"].fillna(0.0)
    valid["px"] = valid["p"] * valid["value"]
    valid["px2"] = valid["p"] * valid["value"] ** 2
    group = valid.groupby([*keys, "item"], sort=False)
    idx = group["p"].idxmax()
    out = valid.loc[idx, [*keys, "item", "value", "p"]].rename(
        columns={"value": "mode", "p": "modal_share"}).reset_index(drop=True)
    moments = group[["px", "px2"]].sum().reset_index(drop=True)
    out["mean"] = moments["px"].to_numpy()
    out["sd"] = np.sqrt(np.maximum(moments["px2"].to_numpy() - out["mean"] ** 2, 0.0))
    out["near_constant"] = out["modal_share"] >= threshold
    return out


def read_item_missing(year: int, root: Path | None = None) -> pd.DataFrame | None:
    """The cleaning step's per-item unusable-answer counts of one year, if it wrote them.

    Reads ``data/processed/<year>/item_missing.csv`` (columns ``ITEM_MISSING_COLUMNS``).

    Returns:
        The checked table, or None when the file does not exist.

    Examples:
        >>> read_item_missing(1900) is None
        True
    """
    path = config.processed_dir(year, root) / "item_missing.csv"
    if not path.exists():
        return None
    table = pd.read_csv(path, encoding="utf-8")
    return check_item_missing(table, source=str(path))


def check_item_missing(table: pd.DataFrame, source: str = "item_missing") -> pd.DataFrame:
    """Check a per-item unusable-answer table and return it with integer counts.

    Raises:
        InstrumentError: a column is missing, a count is negative or not a whole number, or
            the four reasons add up to more than ``n``.

    Examples:
        >>> t = check_item_missing(pd.DataFrame({"item": ["a1"], "dont_know": [3.0],
        ...     "refused": [1], "blank": [2], "out_of_range": [0], "n": [100]}))
        >>> t.dtypes["dont_know"], int(t.loc[0, "n"])
        (dtype('int64'), 100)
    """
    if not isinstance(table, pd.DataFrame):
        raise InstrumentError(f"{source}: must be a DataFrame")
    missing = [c for c in ITEM_MISSING_COLUMNS if c not in table.columns]
    if missing:
        raise InstrumentError(f"{source}: lacks column(s) {', '.join(missing)} "
                              f"(need {', '.join(ITEM_MISSING_COLUMNS)})")
    out = table.copy()
    out["item"] = out["item"].astype(str).map(_nfc)
    for col in [c for c in OPTIONAL_REASONS if c in out.columns]:
        out[col] = out[col].fillna(0)           # a year whose cleaning did not count it
    for col in [*ITEM_MISSING_COLUMNS[1:], *[c for c in OPTIONAL_REASONS if c in out.columns]]:
        values = pd.to_numeric(out[col], errors="coerce")
        if values.isna().any() or (values < 0).any() or (values % 1 != 0).any():
            raise InstrumentError(f"{source}: column {col!r} must hold whole counts >= 0")
        out[col] = values.astype("int64")
    total = out[["dont_know", "refused", "blank", "out_of_range",
                 *[c for c in OPTIONAL_REASONS if c in out.columns]]].sum(axis=1)
    if (total > out["n"]).any():
        bad = out.loc[total > out["n"], "item"].iloc[0]
        raise InstrumentError(f"{source}: item {bad!r} has more unusable answers than forms (n)")
    keys = ["year", "item"] if "year" in out.columns else ["item"]
    if out.duplicated(keys).any():
        raise InstrumentError(f"{source}: duplicated item rows")
    return out


def item_nonresponse(df: pd.DataFrame, items: Sequence[str],
                     item_missing: pd.DataFrame | None = None,
                     by: str | None = "year") -> pd.DataFrame:
    """Unusable answers per item: missing in the processed table, and why, when known.

    The processed table holds ``<NA>`` for "don't know", refusals, blanks and out-of-range
    codes alike; the cleaning step's ``item_missing.csv`` keeps them apart. Given that table
    (with a ``year`` column when ``df`` holds several years), its counts and shares (count /
    its ``n``) are added; without it those columns are NA.

    Returns:
        One row per (year, item): n_forms, n_valid, n_missing, missing_share, dont_know,
        refused, blank, out_of_range (and ``unreadable`` when the table has it), n_counted,
        one ``*_share`` column per reason, and ``unusable_share`` (all reasons together).

    Examples:
        >>> df = pd.DataFrame({"f1": pd.array([5, None, 4, None], dtype="Int8")})
        >>> im = pd.DataFrame({"item": ["f1"], "dont_know": [1], "refused": [0], "blank": [1],
        ...                    "out_of_range": [0], "n": [4]})
        >>> item_nonresponse(df, ["f1"], im, by=None)[["item", "n_missing", "dont_know_share",
        ...                                             "unusable_share"]]
          item  n_missing  dont_know_share  unusable_share
        0   f1          2             0.25             0.5
    """
    items = list(items)
    reasons = ["dont_know", "refused", "blank", "out_of_range"]
    if item_missing is not None:
        item_missing = check_item_missing(item_missing)
        reasons += [c for c in OPTIONAL_REASONS if c in item_missing.columns]
    parts = []
    for key, part in _split(df, by):
        x = _likert(part, items)
        table = pd.DataFrame({
            "item": items,
            "n_forms": len(part),
            "n_valid": (~np.isnan(x)).sum(axis=0),
        })
        table["n_missing"] = table["n_forms"] - table["n_valid"]
        table["missing_share"] = table["n_missing"] / table["n_forms"]
        if item_missing is not None:
            counts = item_missing
            if "year" in counts.columns and by is not None:
                counts = counts[counts["year"] == key]
            elif by is not None and df[by].nunique() > 1:
                raise InstrumentError("item_missing has no 'year' column but the data hold "
                                      "several years: pass one year at a time")
            counts = counts.set_index("item")[[*reasons, "n"]].rename(columns={"n": "n_counted"})
            table = table.join(counts, on="item")
        else:
            for col in [*reasons, "n_counted"]:
                table[col] = pd.NA
        for col in [*reasons, "n_counted"]:
            table[col] = table[col].astype("Int64")
        denom = table["n_counted"].astype("Float64")
        for col in reasons:
            table[f"{col}_share"] = table[col].astype("Float64") / denom
        table["unusable_share"] = table[reasons].astype("Float64").sum(axis=1, skipna=False) / denom
        parts.append(_with_by(table, by, key))
    return _concat(parts)


def ceiling_effects(df: pd.DataFrame, items: Sequence[str], design: Mapping[str, Any],
                    components: Mapping[str, Sequence[str]] | None = None,
                    level: float = 0.95, ci_method: str = "beta",
                    by: str | None = "year") -> pd.DataFrame:
    """Weighted share at the top category, per item and per component score, with intervals.

    Item rows: share answering 5 among valid answers. Component rows: share of respondents
    (with every item of the component answered) whose component mean is 5, the ceiling
    criterion of Terwee et al. (2007). Estimates and intervals come from
    ``SurveyDesign.proportion`` on an indicator (one design per year).

    Returns:
        One row per (year, scale, name): scale is ``item`` or ``component``; columns
        ``estimate, se, ci_low, ci_high, deff, n, n_eff`` and ``satisfied_share`` (weighted
        share answering 4 or 5; for a component, mean >= 4).

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> t = ceiling_effects(df, ["a1"], D, {"access": ["a1", "a2", "a3"]}, by=None)
        >>> t[["scale", "name", "estimate", "ci_low", "ci_high", "n"]].round(3)
               scale    name  estimate  ci_low  ci_high    n
        0       item      a1     0.385   0.230    0.560  120
        1  component  access     0.178   0.062    0.363  120
    """
    items = list(items)
    components = dict(components or {})
    parts = []
    for key, part in _split(df, by):
        x = _likert(part, items)
        frame = part[_design_columns(design)].copy()
        variables, kind, sat = [], [], {}
        w = _weights(part, _design_spec(design)["weights"])
        for j, item in enumerate(items):
            col = f"top__{item}"
            frame[col] = np.where(np.isnan(x[:, j]), np.nan, (x[:, j] == 5).astype(float))
            variables.append(col)
            kind.append(("item", item))
            ok = ~np.isnan(x[:, j])
            sat[col] = float((w[ok] * (x[ok, j] >= 4)).sum() / w[ok].sum()) if ok.any() else np.nan
        for name, comp_items in components.items():
            cx = _likert(part, comp_items)
            complete = ~np.isnan(cx).any(axis=1)
            mean = cx.mean(axis=1)  # NaN where an item is missing
            col = f"top__{name}"
            frame[col] = np.where(complete, (mean == 5).astype(float), np.nan)
            variables.append(col)
            kind.append(("component", name))
            sat[col] = (float((w[complete] * (mean[complete] >= 4)).sum() / w[complete].sum())
                        if complete.any() else np.nan)
        table = _proportions(frame, variables, design, ci_method, level)
        table.insert(0, "scale", [k for k, _ in kind])
        table.insert(1, "name", [nm for _, nm in kind])
        table["satisfied_share"] = table["variable"].map(sat)
        table = table.drop(columns="variable")
        parts.append(_with_by(table, by, key))
    return _concat(parts)


# ---------------------------------------------------------------------------------------------
# Reliability
# ---------------------------------------------------------------------------------------------
def _complete(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keep = ~np.isnan(x).any(axis=1)
    return x[keep], w[keep], keep


def _weighted_cov(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    m = (w[:, None] * x).sum(axis=0) / w.sum()
    c = x - m
    return (w[:, None] * c).T @ c / w.sum()


def _alpha_from_cov(C: np.ndarray) -> np.ndarray:
    """Alpha of one (k, k) or many (r, k, k) covariance matrices."""
    k = C.shape[-1]
    tr = np.trace(C, axis1=-2, axis2=-1)
    tot = C.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return k / (k - 1) * (1 - tr / tot)


def _as_matrix(scores: Any, weights: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if isinstance(scores, pd.DataFrame):
        names = [str(c) for c in scores.columns]
        x = scores.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        x = np.asarray(scores, dtype=float)
        names = [f"item{j + 1}" for j in range(x.shape[1] if x.ndim == 2 else 0)]
    if x.ndim != 2:
        raise InstrumentError("scores must be a 2-D table: respondents x items")
    if x.shape[1] < 2:
        raise InstrumentError("alpha needs at least two items")
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(x),):
        raise InstrumentError("weights must have one value per respondent")
    if np.isnan(w).any() or (w <= 0).any():
        raise InstrumentError("weights must be > 0 for every respondent")
    return x, w, names


def cronbach_alpha(scores: Any, weights: Any = None) -> float:
    """Cronbach's alpha, weighted, with listwise deletion of incomplete rows.

    ``k/(k-1) * (1 - trace(C)/sum(C))`` with ``C`` the weighted covariance matrix of the items.
    With equal weights this equals ``pingouin.cronbach_alpha(..., nan_policy="listwise")``.

    Args:
        scores: respondents x items (DataFrame or 2-D array; NaN / <NA> for missing).
        weights: survey weights, one per respondent (None: equal).

    Returns:
        alpha (NaN when fewer than two complete rows or no variance).

    Examples:
        >>> x = [[3, 3, 3, 3], [3, 3, 4, 3], [3, 3, 3, 1], [5, 4, 4, 5], [2, 1, 4, 4],
        ...      [4, 4, 4, 5], [3, 2, 3, 3], [3, 4, 3, 3], [4, 2, 2, 3], [3, 3, 2, 3]]
        >>> round(cronbach_alpha(x), 3)
        0.674
    """
    x, w, _ = _as_matrix(scores, weights)
    x, w, _ = _complete(x, w)
    if len(x) < 2:
        return float("nan")
    return float(_alpha_from_cov(_weighted_cov(x, w)))


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965; Feldt, Woodruff and Salih 1987) interval for an unweighted alpha.

    ``1 - (1 - alpha) F_{1-a/2}(n-1, (n-1)(k-1))`` to ``1 - (1 - alpha) F_{a/2}(...)``:
    assumes independent respondents (simple random sampling).

    Examples:
        >>> [round(v, 3) for v in feldt_interval(0.6737, 10, 4)]
        [0.142, 0.909]
    """
    if n < 2 or k < 2:
        raise InstrumentError("Feldt's interval needs n >= 2 respondents and k >= 2 items")
    _z(level)  # checks the level
    a = 1 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * stats.f.isf(a / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - a / 2, df1, df2)
    return float(low), float(high)


def alpha_jackknife(df: pd.DataFrame, items: Sequence[str], design: Mapping[str, Any],
                    level: float = 0.95) -> pd.Series:
    """Weighted alpha with a delete-one-PSU stratified jackknife (JKn) interval.

    Replicate ``(h, j)`` drops PSU ``j`` of stratum ``h`` and multiplies the weights of the
    other PSUs of ``h`` by ``n_h/(n_h-1)``; ``v = sum_h (1-f_h)(n_h-1)/n_h sum_j
    (alpha_hj - alpha)^2``. All replicates come from PSU moment totals at once. The interval is
    ``1 - (1 - alpha) exp(+-t se/(1 - alpha))`` with ``t`` on PSUs - strata degrees of freedom.

    Returns:
        alpha, se, ci_low, ci_high, df (design degrees of freedom), n (complete respondents),
        k, replicates.

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> jk = alpha_jackknife(df, ["o1", "o2", "o3", "o4"], D)
        >>> jk[["alpha", "se", "ci_low", "ci_high", "df"]].round(3).tolist()
        [0.948, 0.008, 0.927, 0.963, 8.0]
    """
    items = list(items)
    x = _likert(df, items)
    sd = _survey_design(df, design)  # raises under "fail" when a stratum has one PSU
    fs = sd.first_stage()
    lonely_h = fs.n_psu == 1  # cannot be jackknifed
    keep = ~np.isnan(x).any(axis=1)
    k = len(items)
    if keep.sum() < 2:
        raise InstrumentError(f"items {items}: fewer than two complete answers")
    w = np.where(keep, fs.weights, 0.0)
    xc = np.where(keep[:, None], x, 0.0)
    centre = (w[:, None] * xc).sum(axis=0) / w.sum()
    xc = np.where(keep[:, None], xc - centre, 0.0)
    moments = np.column_stack([w, w[:, None] * xc,
                               (w[:, None, None] * xc[:, :, None] * xc[:, None, :]).reshape(
                                   len(xc), k * k)])
    H = len(fs.n_psu)
    T = np.zeros((len(fs.psu_stratum), moments.shape[1]))  # PSU totals
    np.add.at(T, fs.psu, moments)
    T_h = np.zeros((H, T.shape[1]))
    np.add.at(T_h, fs.psu_stratum, T)
    total = T.sum(axis=0)

    def alpha_of(M: np.ndarray) -> np.ndarray:
        s0 = M[:, 0]
        mean = M[:, 1:1 + k] / s0[:, None]
        C = M[:, 1 + k:].reshape(-1, k, k) / s0[:, None, None] - mean[:, :, None] * mean[:, None, :]
        return _alpha_from_cov(C)

    alpha = float(alpha_of(total[None, :])[0])
    jk = ~lonely_h[fs.psu_stratum]
    g = np.flatnonzero(jk)
    h = fs.psu_stratum[g]
    nh = fs.n_psu[h]
    reps = total[None, :] - T_h[h] + (nh / (nh - 1))[:, None] * (T_h[h] - T[g])
    theta = alpha_of(reps) if len(g) else np.array([])
    factor = fs.fpc_factor[h] * (nh - 1) / nh
    var = float((factor * (theta - alpha) ** 2).sum())
    if sd.lonely_psu == "average" and lonely_h.any():
        ok = int((~lonely_h).sum())
        var = var * H / ok if ok else 0.0
    se = math.sqrt(var)
    dof = max(sd.degf, 1)
    _z(level)  # checks the level
    t = float(stats.t.ppf(0.5 + level / 2, dof))
    if alpha < 1 and np.isfinite(alpha):
        spread = math.exp(t * se / (1 - alpha))
        low, high = 1 - (1 - alpha) * spread, 1 - (1 - alpha) / spread
    else:
        low = high = np.nan
    return pd.Series({"alpha": alpha, "se": se, "ci_low": low, "ci_high": high,
                      "df": dof, "n": int(keep.sum()), "k": k, "replicates": len(g)})


def item_rest_statistics(scores: Any, weights: Any = None) -> pd.DataFrame:
    """Item-rest correlation and alpha-if-item-deleted for every item of one scale.

    Listwise complete rows; all quantities from the weighted covariance matrix (the item-rest
    correlation is ``psych::alpha``'s ``r.drop``; alpha if deleted its ``alpha.drop``).

    Returns:
        Indexed by item: item_rest_r, alpha_if_deleted, mean, sd (weighted; divisor the sum
        of the weights, so the population form).


    Examples:
        >>> x = pd.DataFrame([[3, 3, 3, 3], [3, 3, 4, 3], [3, 3, 3, 1], [5, 4, 4, 5],
        ...     [2, 1, 4, 4], [4, 4, 4, 5], [3, 2, 3, 3], [3, 4, 3, 3], [4, 2, 2, 3], [3, 3, 2, 3]],
        ...     columns=["X1", "X2", "X3", "X4"])
        >>> item_rest_statistics(x).round(3)
            item_rest_r  alpha_if_deleted  mean     sd
        X1        0.547             0.559   3.3  0.781
        X2        0.405             0.642   2.9  0.943
        X3        0.364             0.662   3.2  0.748
        X4        0.545             0.546   3.3  1.100
    """
    x, w, names = _as_matrix(scores, weights)
    x, w, _ = _complete(x, w)
    k = x.shape[1]
    if len(x) < 2:
        nan = np.full(k, np.nan)
        return pd.DataFrame({"item_rest_r": nan, "alpha_if_deleted": nan, "mean": nan,
                             "sd": nan}, index=names)
    C = _weighted_cov(x, w)
    diag = np.diag(C)
    row = C.sum(axis=1)
    tot = C.sum()
    rest_var = tot - 2 * row + diag
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (row - diag) / np.sqrt(diag * rest_var)
        if k > 2:
            a_del = (k - 1) / (k - 2) * (1 - (np.trace(C) - diag) / rest_var)
        else:
            a_del = np.full(k, np.nan)  # one item left: alpha undefined
    mean = (w[:, None] * x).sum(axis=0) / w.sum()
    return pd.DataFrame({"item_rest_r": r, "alpha_if_deleted": a_del, "mean": mean,
                         "sd": np.sqrt(diag)}, index=names)


def _weighted_ranks(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mid-ranks: weight of smaller values + (weight of ties + 1)/2."""
    codes, uniq = pd.factorize(v, sort=True)
    tie = np.bincount(codes, weights=w, minlength=len(uniq))
    below = np.cumsum(tie) - tie
    return (below + (tie + 1) / 2)[codes]


def weighted_spearman(x: Any, y: Any, weights: Any = None) -> float:
    """Spearman's rank correlation with survey weights (pairs with a missing value dropped).

    Weighted mid-ranks, then the weighted Pearson correlation of the ranks. With equal weights
    it is ``scipy.stats.spearmanr``; integer weights give the same value as repeating rows.

    Examples:
        >>> round(weighted_spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 6)
        0.820783
    """
    a = np.asarray(pd.array(x, dtype="Float64").to_numpy(dtype=float, na_value=np.nan))
    b = np.asarray(pd.array(y, dtype="Float64").to_numpy(dtype=float, na_value=np.nan))
    if a.shape != b.shape or a.ndim != 1:
        raise InstrumentError("x and y must be 1-D and of the same length")
    w = np.ones(len(a)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != a.shape or np.isnan(w).any() or (w <= 0).any():
        raise InstrumentError("weights must be > 0, one per pair")
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b, w = a[ok], b[ok], w[ok]
    if len(a) < 2:
        return float("nan")
    ra, rb = _weighted_ranks(a, w), _weighted_ranks(b, w)
    C = _weighted_cov(np.column_stack([ra, rb]), w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(C[0, 1] / math.sqrt(C[0, 0] * C[1, 1]))


def reliability(df: pd.DataFrame, components: Mapping[str, Sequence[str]],
                design: Mapping[str, Any], level: float = 0.95,
                by: str | None = "year") -> pd.DataFrame:
    """Cronbach's alpha per component: weighted with a jackknife interval, and unweighted (Feldt).

    Returns:
        One row per (year, component): k, n (complete answers), alpha, se, ci_low, ci_high
        (weighted, JKn over PSUs), df, alpha_unweighted, feldt_low, feldt_high.

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> r = reliability(df, {"officers": ["o1", "o2", "o3", "o4"]}, D, by=None)
        >>> r[["alpha", "ci_low", "ci_high", "alpha_unweighted", "feldt_low"]].round(3)
           alpha  ci_low  ci_high  alpha_unweighted  feldt_low
        0  0.948   0.927    0.963              0.95      0.933
    """
    if not components:
        raise InstrumentError("no components given")
    parts = []
    for key, part in _split(df, by):
        rows = []
        for name, items in components.items():
            items = list(items)
            if len(items) < 2:
                raise InstrumentError(f"component {name!r}: alpha needs at least two items")
            jk = alpha_jackknife(part, items, design, level)
            x = _likert(part, items)
            a_u = cronbach_alpha(x)
            n = int(jk["n"])
            low, high = feldt_interval(a_u, n, len(items), level) if n >= 2 else (np.nan, np.nan)
            rows.append({"component": name, "k": len(items), "n": n, "alpha": jk["alpha"],
                         "se": jk["se"], "ci_low": jk["ci_low"], "ci_high": jk["ci_high"],
                         "df": int(jk["df"]), "alpha_unweighted": a_u,
                         "feldt_low": low, "feldt_high": high})
        parts.append(_with_by(pd.DataFrame(rows), by, key))
    return _concat(parts)


def item_statistics(df: pd.DataFrame, components: Mapping[str, Sequence[str]],
                    weights: str | None = "weight", by: str | None = "year") -> pd.DataFrame:
    """Item-rest correlation and alpha-if-deleted for every item, within its component.

    Returns:
        One row per (year, component, item): item_rest_r, alpha_if_deleted, alpha (of the
        whole component), alpha_gain (alpha_if_deleted - alpha), mean, sd (all weighted).

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> t = item_statistics(df, {"access": ["a1", "a2", "a3"]}, by=None)
        >>> t[["item", "item_rest_r", "alpha_if_deleted", "alpha"]].round(3)
          item  item_rest_r  alpha_if_deleted  alpha
        0   a1        0.865             0.898  0.932
        1   a2        0.857             0.904  0.932
        2   a3        0.860             0.902  0.932
    """
    parts = []
    for key, part in _split(df, by):
        w = _weights(part, weights)
        rows = []
        for name, items in components.items():
            x = _likert(part, list(items))
            stats_ = item_rest_statistics(pd.DataFrame(x, columns=list(items)), w)
            stats_.insert(0, "component", name)
            stats_["alpha"] = cronbach_alpha(x, w)
            stats_["alpha_gain"] = stats_["alpha_if_deleted"] - stats_["alpha"]
            rows.append(stats_.rename_axis("item").reset_index())
        table = pd.concat(rows, ignore_index=True)
        table = table[["component", "item", "item_rest_r", "alpha_if_deleted", "alpha",
                       "alpha_gain", "mean", "sd"]]
        parts.append(_with_by(table, by, key))
    return _concat(parts)


def overall_agreement(df: pd.DataFrame, components: Mapping[str, Sequence[str]],
                      overall: str = "q_overall", weights: str | None = "weight",
                      by: str | None = "year") -> pd.DataFrame:
    """Does the overall item agree with the component items? Weighted Spearman correlations.

    The component score is the mean of its items (respondents with every item answered);
    ``all components`` is the mean of all component items.

    Returns:
        One row per (year, score): rho (weighted), rho_unweighted (scipy), n.

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> overall_agreement(df, {"access": ["a1", "a2", "a3"]}, by=None).round(3)
                    score    rho  rho_unweighted    n
        0          access  0.956            0.96  120
        1  all components  0.956            0.96  120
    """
    all_items = [i for items in components.values() for i in items]
    parts = []
    for key, part in _split(df, by):
        w = _weights(part, weights)
        q = _likert(part, [overall])[:, 0]
        rows = []
        for name, items in [*components.items(), ("all components", all_items)]:
            x = _likert(part, list(items))
            score = x.mean(axis=1)  # NaN unless every item is answered
            ok = ~(np.isnan(score) | np.isnan(q))
            rho_u = (float(stats.spearmanr(score[ok], q[ok]).statistic)
                     if ok.sum() > 2 else np.nan)
            rows.append({"score": name, "rho": weighted_spearman(score, q, w),
                         "rho_unweighted": rho_u, "n": int(ok.sum())})
        parts.append(_with_by(pd.DataFrame(rows), by, key))
    return _concat(parts)


# ---------------------------------------------------------------------------------------------
# Response quality
# ---------------------------------------------------------------------------------------------
def response_flags(df: pd.DataFrame, items: Sequence[str], overall: str | None = "q_overall",
                   duration: str | None = "duration_sec",
                   min_duration_sec: float | None = None) -> pd.DataFrame:
    """Per-form quality flags: straight-lining, very fast, incomplete.

    * ``straightlined``: every component item answered, all with the same answer
      (``straightline_value`` says which).
    * ``fast``: ``duration`` below ``min_duration_sec`` (default 2 s per Likert item). False
      where the duration is unknown; ``duration_known`` says where it is.
    * ``incomplete``: at least one component item or the overall item missing.

    Returns:
        A frame on ``df``'s index: n_answered, straightlined, straightline_value (Int8),
        duration_known, fast, incomplete, flagged (any of the three).

    Examples:
        >>> df = pd.DataFrame({"a1": pd.array([5, 4, None], dtype="Int8"),
        ...                    "a2": pd.array([5, 3, 4], dtype="Int8"),
        ...                    "q_overall": pd.array([5, 4, 4], dtype="Int8"),
        ...                    "duration_sec": [5.0, 300.0, None]})
        >>> f = response_flags(df, ["a1", "a2"])   # 3 Likert items: fast below 6 s
        >>> f[["straightlined", "straightline_value", "fast", "incomplete", "flagged"]]
           straightlined  straightline_value   fast  incomplete  flagged
        0           True                   5   True       False     True
        1          False                <NA>  False       False    False
        2          False                <NA>  False        True     True
    """
    items = list(items)
    if not items:
        raise InstrumentError("no items given")
    x = _likert(df, items)
    answered = ~np.isnan(x)
    n_answered = answered.sum(axis=1)
    complete = n_answered == len(items)
    lo, hi = np.nanmin(np.where(answered, x, np.inf), axis=1), np.nanmax(
        np.where(answered, x, -np.inf), axis=1)
    straight = complete & (lo == hi)
    value = pd.array(np.where(straight, lo, 0).astype(int), dtype="Int8")
    value[~straight] = pd.NA
    incomplete = ~complete
    if overall is not None:
        incomplete = incomplete | np.isnan(_likert(df, [overall])[:, 0])
    n_likert = len(items) + (1 if overall is not None else 0)
    threshold = InstrumentSettings(min_duration_sec=min_duration_sec).duration_threshold(n_likert)
    if duration is not None and duration in df.columns:
        secs = pd.to_numeric(df[duration], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if (secs[~np.isnan(secs)] < 0).any():
            raise InstrumentError(f"column {duration!r} has negative durations")
    else:
        secs = np.full(len(df), np.nan)
    known = ~np.isnan(secs)
    fast = known & (np.where(known, secs, np.inf) < threshold)
    out = pd.DataFrame({
        "n_answered": n_answered,
        "straightlined": straight,
        "straightline_value": value,
        "duration_known": known,
        "fast": fast,
        "incomplete": incomplete,
    }, index=df.index)
    out["flagged"] = out["straightlined"] | out["fast"] | out["incomplete"]
    out.attrs["min_duration_sec"] = threshold
    return out


_FLAG_LABELS = {
    "straightlined": "straight-lined (same answer to every item)",
    "fast": "very fast",
    "incomplete": "incomplete",
    "flagged": "any of the three",
}


def quality_summary(df: pd.DataFrame, flags: pd.DataFrame, weights: str | None = "weight",
                    by: str | None = "year") -> pd.DataFrame:
    """How many forms each quality rule flags, counted and weighted.

    Returns:
        One row per (year, flag): label, n_flagged, n_forms, share, weighted_share,
        n_checkable (forms the rule could be checked on: those with a duration for ``fast``).
        Also a ``straightlined_at_5`` row: straight-lined with every answer 5.

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> flags = response_flags(df, ["a1", "a2", "a3", "f1", "f2", "f3"])
        >>> quality_summary(df, flags, by=None)[["flag", "n_flagged", "weighted_share"]].round(3)
                         flag  n_flagged  weighted_share
        0       straightlined         39           0.318
        1                fast          0           0.000
        2          incomplete          5           0.042
        3             flagged         44           0.360
        4  straightlined_at_5         21           0.174
    """
    _require(flags, ["straightlined", "fast", "incomplete", "flagged", "duration_known",
                     "straightline_value"], "flags")
    if not flags.index.equals(df.index):
        raise InstrumentError("flags must be indexed like the data (use response_flags(df))")
    parts = []
    for key, part in _split(df, by):
        f = flags.loc[part.index]
        w = _weights(part, weights)
        table_flags = {name: f[name].to_numpy(dtype=bool) for name in _FLAG_LABELS}
        table_flags["straightlined_at_5"] = (f["straightline_value"] == 5).fillna(False).to_numpy(
            dtype=bool)
        rows = []
        for name, mask in table_flags.items():
            checkable = (f["duration_known"].to_numpy(dtype=bool) if name == "fast"
                         else np.ones(len(f), dtype=bool))
            rows.append({
                "flag": name,
                "label": _FLAG_LABELS.get(name, "straight-lined, every answer 5"),
                "n_flagged": int(mask.sum()), "n_forms": len(f),
                "share": mask.mean() if len(f) else np.nan,
                "weighted_share": float(w[mask].sum() / w.sum()),
                "n_checkable": int(checkable.sum()),
            })
        parts.append(_with_by(pd.DataFrame(rows), by, key))
    return _concat(parts)


def quality_sensitivity(df: pd.DataFrame, flags: pd.DataFrame, design: Mapping[str, Any],
                        y: str = "satisfied", level: float = 0.95, ci_method: str = "beta",
                        by: str | None = "year") -> pd.DataFrame:
    """The satisfaction rate with all forms, and without each kind of flagged form.

    Each row is a domain estimate on the full design (``SurveyDesign.proportion`` by the keep
    indicator), never a re-weighted subset; the change against "all forms" has its own
    interval from :func:`domain_contrasts` (the two domains overlap, so their covariance counts).

    Returns:
        One row per (year, scenario): scenario, forms_left_out, estimate, se, ci_low, ci_high,
        deff, n, n_eff, df, change, change_low, change_high (subset minus all forms, proportion
        scale), checkable (False when the rule could not be checked, e.g. no durations).

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> flags = response_flags(df, ["a1", "a2", "a3", "f1", "f2", "f3"])
        >>> t = quality_sensitivity(df, flags, D, by=None)
        >>> t[["scenario", "forms_left_out", "estimate", "change", "change_low"]].round(3)
                         scenario  forms_left_out  estimate  change  change_low
        0               all forms               0     0.466   0.000       0.000
        1  without straight-lined              39     0.371  -0.095      -0.173
        2       without very fast               0     0.466   0.000       0.000
        3      without incomplete               5     0.467   0.001      -0.015
        4     without any flagged              44     0.366  -0.099      -0.174
    """
    _require(df, [y])
    _require(flags, ["straightlined", "fast", "incomplete", "flagged", "duration_known"], "flags")
    if not flags.index.equals(df.index):
        raise InstrumentError("flags must be indexed like the data (use response_flags(df))")
    scenarios = {
        "all forms": None,
        "without straight-lined": "straightlined",
        "without very fast": "fast",
        "without incomplete": "incomplete",
        "without any flagged": "flagged",
    }
    zq = _z(level)
    parts = []
    for key, part in _split(df, by):
        f = flags.loc[part.index]
        frame = part[[*_design_columns(design), y]].copy()
        frame[y] = pd.to_numeric(frame[y], errors="coerce").astype(float)
        keep_cols = {}
        for label, flag in scenarios.items():
            col = f"keep__{flag or 'all'}"
            frame[col] = True if flag is None else ~f[flag].to_numpy(dtype=bool)
            keep_cols[label] = col
        rows = []
        overall = _proportions(frame, [y], design, ci_method, level).iloc[0]
        masks = {label: frame[col].to_numpy(dtype=bool) for label, col in keep_cols.items()}
        est, cov, n = domain_contrasts(frame, y, masks, design)
        checkable_fast = bool(f["duration_known"].any())
        for label, flag in scenarios.items():
            if flag is None:
                row = overall
            else:
                frame["_dom"] = np.where(masks[label], "keep", "drop")
                prop = _proportions(frame, [y], design, ci_method, level, by="_dom")
                prop = prop[prop["domain"] == "keep"]
                row = prop.iloc[0] if len(prop) else pd.Series(dtype=float)
            change = _difference_row(est, cov, n, label, "all forms", zq)
            rows.append({
                "scenario": label,
                "forms_left_out": 0 if flag is None else int((~masks[label]).sum()),
                **{c: row.get(c, np.nan) for c in ESTIMATE_COLUMNS},
                "change": 0.0 if flag is None else change["difference"],
                "change_low": 0.0 if flag is None else change["ci_low"],
                "change_high": 0.0 if flag is None else change["ci_high"],
                "checkable": checkable_fast if flag == "fast" else True,
            })
        parts.append(_with_by(pd.DataFrame(rows), by, key))
    return _concat(parts)


# ---------------------------------------------------------------------------------------------
# Mode and respondent effects
# ---------------------------------------------------------------------------------------------
def mode_effects(df: pd.DataFrame, design: Mapping[str, Any], y: str = "satisfied",
                 contrasts: Sequence[tuple[str, str, str]] = DEFAULT_CONTRASTS,
                 within: str | None = None, level: float = 0.95,
                 by: str | None = "year") -> pd.DataFrame:
    """Design-based differences in ``y`` between groups: online - in person, organisation - citizen.

    All group means of a year come from ONE design, with their full covariance matrix
    (:func:`domain_contrasts`), so the difference's standard error includes the covariance
    of groups served by the same offices. With ``within`` (e.g. ``"level"``), the difference
    is also given inside each category of that variable.

    Returns:
        One row per (year, contrast[, within category]): variable, group_a, group_b,
        estimate_a, estimate_b, difference, se, ci_low, ci_high, z, p_value, se_independent,
        covariance, n_a, n_b, p_holm (Holm-adjusted over the rows of the year: with ``within``
        there are many comparisons, and some will look significant by chance).

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> t = mode_effects(df, D, by=None)
        >>> t[["group_a", "group_b", "difference", "se", "se_independent", "p_value"]].round(3)
                group_a    group_b  difference     se  se_independent  p_value
        0        online  in_person      -0.061  0.073           0.109    0.401
        1  organisation    citizen       0.168  0.113           0.149    0.137
    """
    if not contrasts:
        raise InstrumentError("no contrasts given")
    needed = [y, *[c[0] for c in contrasts]] + ([within] if within else [])
    _require(df, needed)
    zq = _z(level)
    parts = []
    for key, part in _split(df, by):
        masks: dict[str, np.ndarray] = {}
        plan = []
        strata_values = ([None] if within is None
                         else [None, *sorted(part[within].dropna().unique().tolist())])
        for var, a, b in contrasts:
            values = part[var].astype("string").map(_nfc)
            for a_or_b in (a, b):
                if not (values == a_or_b).any():
                    raise InstrumentError(f"{var!r} has no row equal to {a_or_b!r}"
                                          + (f" in {by} {key}" if by else ""))
            for cat in strata_values:
                inside = (np.ones(len(part), dtype=bool) if cat is None
                          else (part[within] == cat).to_numpy(dtype=bool))
                ka, kb = f"{var}|{a}|{cat}", f"{var}|{b}|{cat}"
                masks[ka] = (values == a).fillna(False).to_numpy(dtype=bool) & inside
                masks[kb] = (values == b).fillna(False).to_numpy(dtype=bool) & inside
                plan.append((var, a, b, cat, ka, kb))
        est, cov, n = domain_contrasts(part, y, masks, design)
        rows = []
        for var, a, b, cat, ka, kb in plan:
            row = {"variable": var, "group_a": a, "group_b": b}
            if within is not None:
                row[within] = "all" if cat is None else cat
            row.update(_difference_row(est, cov, n, ka, kb, zq))
            rows.append(row)
        table = pd.DataFrame(rows)
        table["p_holm"] = adjust_pvalues(table["p_value"].to_numpy(float), "holm")
        parts.append(_with_by(table, by, key))
    return _concat(parts)


def group_rates(df: pd.DataFrame, design: Mapping[str, Any], variables: Sequence[str],
                y: str = "satisfied", level: float = 0.95, ci_method: str = "beta",
                by: str | None = "year") -> pd.DataFrame:
    """The rate of ``y`` by each grouping variable (``SurveyDesign.proportion``, by= variable).

    Returns:
        One row per (year, variable, group): estimate, se, ci_low, ci_high, deff, n, n_eff.

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> t = group_rates(df, D, ["channel"], by=None)
        >>> t[["group", "estimate", "ci_low", "ci_high", "n"]].round(3)
               group  estimate  ci_low  ci_high   n
        0  in_person     0.481   0.300    0.665  90
        1     online     0.420   0.247    0.608  30
    """
    _require(df, [y, *variables])
    parts = []
    for key, part in _split(df, by):
        frame = part[[*_design_columns(design), y, *variables]].copy()
        frame[y] = pd.to_numeric(frame[y], errors="coerce").astype(float)
        rows = []
        for var in variables:
            t = _proportions(frame, [y], design, ci_method, level, by=var)
            t = t.rename(columns={"domain": "group"}).drop(columns="variable")
            t.insert(0, "variable", var)
            rows.append(t)
        parts.append(_with_by(pd.concat(rows, ignore_index=True), by, key))
    return _concat(parts)


# ---------------------------------------------------------------------------------------------
# Precision next year
# ---------------------------------------------------------------------------------------------
def sample_size_for_half_width(p: Any, deff: Any, half_width: float, level: float = 0.95) -> np.ndarray:
    """Respondents needed for a ``half_width`` interval: ``ceil(deff z^2 p(1-p) / h^2)``.

    Examples:
        >>> sample_size_for_half_width([0.5, 0.9], [1.0, 2.0], 0.05).tolist()
        [385, 277]
    """
    if not 0 < half_width < 0.5:
        raise InstrumentError(f"half_width={half_width}: need 0 < half_width < 0.5")
    p = np.asarray(p, dtype=float)
    deff = np.asarray(deff, dtype=float)
    z = _z(level)
    return np.ceil(np.round(deff * z * z * p * (1 - p) / half_width ** 2, 9)).astype(int)


def sample_size_for_precision(df: pd.DataFrame, design: Mapping[str, Any],
                              domain: str = "level", y: str = "satisfied",
                              half_width: float = 0.02, level: float = 0.95,
                              ci_method: str = "beta", by: str | None = "year") -> pd.DataFrame:
    """Respondents per domain (level) needed next year for a chosen interval half-width.

    Uses this year's design effect per domain and, as planning value, the end of this year's
    interval closest to 50 % (the least favourable rate the data allow): ``n = deff z^2
    p(1-p)/h^2``. A design effect below 1 is kept (it is what the design achieved).

    Returns:
        One row per (year, domain): estimate, ci_low, ci_high, half_width_now, deff, n,
        n_eff, p_plan, n_required, target_half_width.

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> t = sample_size_for_precision(df, D, half_width=0.05, by=None)
        >>> t[["level", "estimate", "deff", "n", "p_plan", "n_required"]].round(3)
              level  estimate   deff   n  p_plan  n_required
        0   central     0.392  1.470  30     0.5         565
        1   commune     0.490  1.492  30     0.5         574
        2  district     0.513  1.972  30     0.5         758
        3  province     0.467  4.704  30     0.5        1808
    """
    _require(df, [y, domain])
    parts = []
    for key, part in _split(df, by):
        frame = part[[*_design_columns(design), y, domain]].copy()
        frame[y] = pd.to_numeric(frame[y], errors="coerce").astype(float)
        t = _proportions(frame, [y], design, ci_method, level, by=domain)
        t = t.rename(columns={"domain": domain}).drop(columns="variable")
        t["half_width_now"] = (t["ci_high"] - t["ci_low"]) / 2
        lo, hi = t["ci_low"].to_numpy(float), t["ci_high"].to_numpy(float)
        t["p_plan"] = np.where(hi < 0.5, hi, np.where(lo > 0.5, lo, 0.5))
        deff = t["deff"].to_numpy(float)
        t["n_required"] = sample_size_for_half_width(t["p_plan"], np.where(np.isfinite(deff), deff, 1.0),
                                               half_width, level)
        t["target_half_width"] = half_width
        keep = [domain, "estimate", "ci_low", "ci_high", "half_width_now", "deff", "n", "n_eff",
                "p_plan", "n_required", "target_half_width"]
        parts.append(_with_by(t[keep], by, key))
    return _concat(parts)


# ---------------------------------------------------------------------------------------------
# The whole review and its recommendations
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InstrumentReview:
    """Every table of the instrument review, for one or several years (``year`` column)."""

    year: int
    settings: InstrumentSettings
    components: dict[str, list[str]]
    distribution: pd.DataFrame
    nonresponse: pd.DataFrame
    near_constant: pd.DataFrame
    ceiling: pd.DataFrame
    reliability: pd.DataFrame
    items: pd.DataFrame
    agreement: pd.DataFrame
    flags: pd.DataFrame
    quality: pd.DataFrame
    sensitivity: pd.DataFrame
    rates: pd.DataFrame
    mode: pd.DataFrame
    precision: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def review_instrument(df: pd.DataFrame, design: Mapping[str, Any], year: int,
                      components: Mapping[str, Sequence[str]] | None = None,
                      overall: str = "q_overall", item_missing: pd.DataFrame | None = None,
                      settings: InstrumentSettings | None = None, level: float = 0.95,
                      ci_method: str = "beta", by: str = "year") -> InstrumentReview:
    """Run the whole instrument review on one or several survey years.

    Args:
        df: processed respondents (one or several years, told apart by ``by``).
        design: the design columns and lonely-PSU policy (``YearParams.design``).
        year: the year the recommendations are for (precision is computed for it only).
        components: component -> items (default: the codebook's).
        overall: the overall-satisfaction item.
        item_missing: per-item unusable-answer counts (with a ``year`` column when several
            years are given); None when the cleaning step did not write them.
        settings: thresholds (default :class:`InstrumentSettings`).
        level, ci_method: interval level and method for proportions.
        by: the year column.

    Returns:
        An :class:`InstrumentReview`.
    """
    settings = settings or InstrumentSettings()
    components = {k: list(v) for k, v in (components or components_from_codebook()).items()}
    items = [i for v in components.values() for i in v]
    _require(df, [by, overall, *items])
    if not (df[by] == year).any():
        raise InstrumentError(f"no rows of {by} {year}")
    weights = _design_spec(design)["weights"]
    notes = []
    distribution = item_distribution(df, [*items, overall], weights, by)
    nonresponse = item_nonresponse(df, [*items, overall], item_missing, by)
    if item_missing is None:
        notes.append("item_missing.csv not found: don't know / refused / blank are not "
                     "told apart (only the total missing share is shown)")
    near = near_constant_items(distribution, settings.near_constant_share)
    ceiling = ceiling_effects(df, [*items, overall], design, components, level, ci_method, by)
    rel = reliability(df, components, design, level, by)
    item_tab = item_statistics(df, components, weights, by)
    agreement = overall_agreement(df, components, overall, weights, by)
    n_likert = len(items) + 1
    flags = response_flags(df, items, overall, "duration_sec" if "duration_sec" in df else None,
                           settings.duration_threshold(n_likert))
    quality = quality_summary(df, flags, weights, by)
    sensitivity = quality_sensitivity(df, flags, design, "satisfied", level, ci_method, by)
    variables = [c[0] for c in DEFAULT_CONTRASTS if c[0] in df.columns]
    rates = group_rates(df, design, variables, "satisfied", level, ci_method, by)
    mode = mode_effects(df, design, "satisfied", DEFAULT_CONTRASTS, None, level, by)
    this_year = df[df[by] == year]
    precision = sample_size_for_precision(this_year, design, "level", "satisfied",
                                          settings.half_width, level, ci_method, by)
    return InstrumentReview(
        year=int(year), settings=settings, components=components, distribution=distribution,
        nonresponse=nonresponse, near_constant=near, ceiling=ceiling, reliability=rel,
        items=item_tab, agreement=agreement, flags=flags, quality=quality,
        sensitivity=sensitivity, rates=rates, mode=mode, precision=precision, notes=notes)


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def recommendations(review: InstrumentReview) -> pd.DataFrame:
    """A short, data-driven list of changes to the questionnaire and sample for ``review.year``.

    Each line follows from a table of the review by a stated threshold
    (:class:`InstrumentSettings`) and names the figure of notebook 05 that shows it.

    Returns:
        Columns: topic, target, finding, action, figure. Ordered: items, scale, components,
        response quality, mode, sample size.

    Examples:
        >>> df = _doc_frame()
        >>> D = {"weights": "weight", "strata": "stratum", "psu": "office_code"}
        >>> review = review_instrument(df, D, 2020)
        >>> recommendations(review)[["topic", "target", "figure"]].head(4)
             topic                                           target    figure
        0    scale  access, procedures, officers, results, feedback  Figure 2
        1  quality                                    flagged forms  Figure 5
        2     mode                              online vs in_person  Figure 6
        3     mode                          organisation vs citizen  Figure 6
    """
    s = review.settings
    y = review.year
    rows: list[dict[str, str]] = []

    def add(topic: str, target: str, finding: str, action: str, fig: str) -> None:
        rows.append({"topic": topic, "target": target, "finding": finding, "action": action,
                     "figure": FIGURES[fig]})

    near = review.near_constant[review.near_constant["year"] == y]
    for r in near[near["near_constant"]].itertuples():
        add("item", r.item, f"{_pct(r.modal_share)} of valid answers are {r.mode}",
            "reword so that it separates good from poor service, or drop it", "distribution")
    items = review.items[review.items["year"] == y]
    for r in items.itertuples():
        if r.item_rest_r < s.item_rest_min:
            gain = (f"; deleting it raises {r.component} alpha from {r.alpha:.2f} to "
                    f"{r.alpha_if_deleted:.2f}" if r.alpha_gain >= s.alpha_gain else "")
            add("item", r.item, f"item-rest correlation {r.item_rest_r:.2f} in {r.component} "
                f"(below {s.item_rest_min:.2f}){gain}",
                "reword, move to another component or drop: it does not move with the others",
                "items")
        elif r.alpha_gain >= s.alpha_gain:
            add("item", r.item, f"deleting it raises {r.component} alpha from {r.alpha:.2f} to "
                f"{r.alpha_if_deleted:.2f}", "candidate to drop", "items")
    nonresp = review.nonresponse[review.nonresponse["year"] == y]
    share = nonresp["unusable_share"].astype("Float64").fillna(
        nonresp["missing_share"].astype("Float64"))
    for r, sh in zip(nonresp.itertuples(), share):
        if pd.notna(sh) and sh > s.nonresponse_max:
            add("item", r.item, f"{_pct(float(sh))} unusable answers (don't know, refused, "
                "blank, out of range)", "add a 'not applicable' answer or a filter question",
                "distribution")
    ceiling = review.ceiling[review.ceiling["year"] == y]
    comp = ceiling[(ceiling["scale"] == "component") & (ceiling["estimate"] > s.ceiling_share)]
    if len(comp):
        add("scale", ", ".join(comp["name"]),
            f"{_pct(comp['estimate'].min())} to {_pct(comp['estimate'].max())} of respondents at "
            f"the maximum score (ceiling effect above {_pct(s.ceiling_share)})",
            "use a wider scale (0-10 or 7 points) or more demanding anchors", "ceiling")
    overall_rows = ceiling[(ceiling["scale"] == "item") & (ceiling["name"] == "q_overall")]
    for r in overall_rows.itertuples():
        if r.satisfied_share >= s.rate_ceiling:
            add("scale", "q_overall", f"{_pct(r.satisfied_share)} satisfied: the binary rate "
                f"is at its ceiling; {_pct(r.estimate)} answer 'very satisfied'",
                "report the 'very satisfied' share next to the rate and widen the scale",
                "ceiling")
    rel = review.reliability[review.reliability["year"] == y]
    for r in rel.itertuples():
        if r.alpha < s.alpha_min:
            add("component", r.component, f"alpha {r.alpha:.2f} (CI {r.ci_low:.2f}-"
                f"{r.ci_high:.2f}) below {s.alpha_min:.2f}",
                "review the items: they do not measure one thing", "reliability")
        elif r.alpha > s.alpha_redundant:
            add("component", r.component, f"alpha {r.alpha:.2f} above {s.alpha_redundant:.2f}",
                "items are near-duplicates: the component can be shortened", "reliability")
    sens = review.sensitivity[review.sensitivity["year"] == y].set_index("scenario")
    margin = float(sens.loc["all forms", "ci_high"] - sens.loc["all forms", "ci_low"]) / 2
    material = []
    for label, r in sens.drop(index="all forms").iterrows():
        what = str(label).replace("without ", "")
        if not r["checkable"]:
            add("quality", what, "no durations recorded",
                "record the interview duration on every form", "quality")
        elif (r["forms_left_out"] and abs(r["change"]) > margin
              and (r["change_low"] > 0 or r["change_high"] < 0)):
            material.append(label)
            add("quality", what, f"leaving {int(r['forms_left_out'])} forms out moves the rate by "
                f"{100 * r['change']:+.2f} pp (CI {100 * r['change_low']:+.2f} to "
                f"{100 * r['change_high']:+.2f}), more than its margin of error "
                f"(+-{100 * margin:.2f} pp)",
                "publish the rate with and without these forms; add an attention check",
                "quality")
    q = review.quality[review.quality["year"] == y].set_index("flag")
    if not material and "without any flagged" in sens.index:
        r = sens.loc["without any flagged"]
        add("quality", "flagged forms", f"{_pct(q.loc['flagged', 'weighted_share'])} of forms "
            f"flagged ({_pct(q.loc['straightlined', 'weighted_share'])} straight-lined); leaving "
            f"them out moves the rate by {100 * r['change']:+.2f} pp, within its margin of "
            f"error (+-{100 * margin:.2f} pp)",
            "no change to the estimate; add one reverse-worded item to tell attentive "
            "'all 5' answers from straight-lining", "quality")
    mode = review.mode[review.mode["year"] == y]
    for r in mode.itertuples():
        label = f"{r.group_a} vs {r.group_b}"
        if r.ci_low > 0 or r.ci_high < 0:
            add("mode", label, f"difference {100 * r.difference:+.2f} pp (CI "
                f"{100 * r.ci_low:+.2f} to {100 * r.ci_high:+.2f})",
                f"report by {r.variable} and keep its mix stable between years", "mode")
        else:
            add("mode", label, f"no detectable difference ({100 * r.difference:+.2f} pp, CI "
                f"{100 * r.ci_low:+.2f} to {100 * r.ci_high:+.2f})",
                "no change needed", "mode")
    prec = review.precision[review.precision["year"] == y]
    for r in prec.itertuples():
        level_name = getattr(r, "level", "")
        add("sample", str(level_name), f"{int(r.n)} respondents give +-{100 * r.half_width_now:.2f}"
            f" pp (deff {r.deff:.2f})",
            f"{int(r.n_required)} respondents for +-{100 * s.half_width:.1f} pp", "precision")
    return pd.DataFrame(rows, columns=["topic", "target", "finding", "action", "figure"])


def _doc_frame(year: int = 2020) -> pd.DataFrame:
    """A 120-row respondent table of the processed schema, from formulas (for the examples).

    Not a model of the survey: 12 offices (PSUs) in 4 strata, items that move together.
    """
    i = np.arange(120)
    psu = i // 10
    level = np.array(["central", "province", "district", "commune"])[psu % 4]
    base = ((i * 7) % 11) / 10 + (psu % 3) / 4
    df = pd.DataFrame({
        "year": year, "level": level, "stratum": level, "office_code": [f"OF{p:02d}" for p in psu],
        "weight": 1 + (i * 5 % 7) / 2,
        "channel": np.where(i % 4 == 0, "online", "in_person"),
        "respondent_type": np.where(i % 9 == 0, "organisation", "citizen"),
    })
    for j, item in enumerate(["a1", "a2", "a3", "p1", "p2", "p3", "p4", "o1", "o2", "o3", "o4",
                              "r1", "r2", "r3", "f1", "f2", "f3", "q_overall"]):
        value = np.clip(np.round(2.2 + 2.6 * base + ((i * (j + 3)) % 5 - 2) / 3), 1, 5)
        df[item] = pd.array(value.astype(int), dtype="Int8")
    df.loc[i % 23 == 5, "f2"] = pd.NA
    df["satisfied"] = (df["q_overall"] >= 4).astype(float)
    df["duration_sec"] = np.where(i % 31 == 3, 20.0, 300.0 + (i * 13) % 200)
    return df


# ---------------------------------------------------------------------------------------------
# Data for the notebook
# ---------------------------------------------------------------------------------------------
def load_years(params: Any, with_baseline: bool = True) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The processed respondents of ``params.year`` (and its baseline year when processed).

    Returns:
        (respondents, item_missing): the rows of both years stacked (``year`` column), and the
        stacked ``item_missing.csv`` tables with a ``year`` column (None if any year lacks one).

    Raises:
        FileNotFoundError: the year's processed table does not exist (run the cleaning step).
    """
    from .params import load_params

    years = [params]
    if with_baseline and params.baseline_year is not None:
        base = load_params(params.baseline_year)
        if base.processed_file.exists():
            years.insert(0, base)
    frames, missing = [], []
    for p in years:
        if not p.processed_file.exists():
            raise FileNotFoundError(f"{p.processed_file}: no processed table for {p.year}; "
                                    "run the cleaning step (notebook 01_clean) first")
        frame = pd.read_parquet(p.processed_file)
        if "year" not in frame.columns:
            frame["year"] = p.year
        frames.append(frame)
        im = read_item_missing(p.year)
        missing.append(None if im is None else im.assign(year=p.year))
    data = pd.concat(frames, ignore_index=True)
    table = None if any(m is None for m in missing) else pd.concat(missing, ignore_index=True)
    return data, table


__all__ = [
    "ANSWERS",
    "DEFAULT_CONTRASTS",
    "FIGURES",
    "ITEM_MISSING_COLUMNS",
    "InstrumentError",
    "InstrumentReview",
    "InstrumentSettings",
    "alpha_jackknife",
    "ceiling_effects",
    "check_item_missing",
    "components_from_codebook",
    "cronbach_alpha",
    "domain_contrasts",
    "domain_difference",
    "feldt_interval",
    "group_rates",
    "item_distribution",
    "item_nonresponse",
    "item_rest_statistics",
    "item_statistics",
    "load_years",
    "mode_effects",
    "near_constant_items",
    "overall_agreement",
    "quality_sensitivity",
    "quality_summary",
    "read_item_missing",
    "recommendations",
    "reliability",
    "response_flags",
    "review_instrument",
    "sample_size_for_half_width",
    "sample_size_for_precision",
    "weighted_spearman",
]
