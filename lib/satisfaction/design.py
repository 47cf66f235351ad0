"""Design-based estimation: ``SurveyDesign`` with Taylor-linearised estimates for domains.

What this module is for: describing how the respondents were sampled (weights, strata, primary
sampling units and, for a multi-stage design, the units of the later stages, finite population
corrections, a policy for strata with a single PSU) and estimating proportions, means and
totals -- overall and for domains -- with standard errors, design effects, effective sample
sizes and confidence intervals that equal R's ``survey`` package (``svydesign`` + ``svymean`` /
``svytotal`` / ``svyby`` / ``svyciprop``); and the covariance matrix of several (possibly
overlapping) domain means of the one design (:meth:`SurveyDesign.domain_covariance`, R's
``vcov`` of ``svycontrast`` on ``svytotal``), which a difference of two domains of one survey
needs.

What it is NOT for: interval formulas (:mod:`satisfaction.intervals`), publication rules
(:mod:`satisfaction.reliability`), comparisons between years (``satisfaction.compare``),
calibration, replicate weights, or PPS / two-phase designs.

The method, as R's survey package computes it:

* A domain is estimated over the full design ("domain estimation", never a subset of the
  design): rows outside the domain, and rows where the variable is missing (NaN, R's
  ``na.rm = TRUE``), contribute zero to the linearised variable but the strata keep all their
  PSUs. A mean or proportion is the ratio ``sum(w y) / sum(w)`` over the domain; its
  linearised variable is ``w (y - estimate) / sum(w)``; a total's is ``w y``.
* Variance: ``sum over strata h of f_h n_h / (n_h - 1) * sum over PSUs j of (t_hj - tbar_h)**2``,
  ``t_hj`` the PSU totals of the linearised variable, ``n_h`` the stratum's PSUs in the whole
  sample, ``f_h = 1 - n_h / N_h`` with a finite population correction and 1 without.
* Degrees of freedom of a domain: the PSUs it reaches minus the strata it reaches (R's
  ``degf`` of the subset design that ``svyby`` / ``svyciprop`` see). For the whole sample this
  is the design's :attr:`SurveyDesign.degf`. See "Small domains" for the one exception.
* ``deff`` is R's ``deff = "replace"``: the variance over that of a simple random sample drawn
  with replacement, ``s_w**2 / n`` with ``s_w**2 = n / (n - 1) * sum(w (y - ybar)**2) / sum(w)``
  (times ``sum(w)**2`` for a total).

Multi-stage designs (``psu=["office", "respondent"]``, ``fpc=["fpc1", "fpc2"]``: R's
``svydesign(ids = ~office + respondent, fpc = ~fpc1 + fpc2)``), as R's ``survey:::multistage``:

* Units of stage k are nested in the units of stage k - 1 (and in its strata). Stage k's
  strata are the stage-k ``strata`` column (``strata=["s1", "s2"]``; optional) within each unit
  of stage k - 1; without one, each unit of stage k - 1 is a stratum of stage k.
* The variance is the first stage's, as above, plus for every unit of stage k - 1 the same
  between-unit variance of its stage-k units, multiplied by the product of the sampling
  fractions ``n / N`` of the earlier stages: ``V = V_1 + sum_i (n_h / N_h) V_2i + ...``. A
  first stage that is a census (``N_h = n_h``) thus leaves the whole second-stage variance.
* The later stages enter only with an FPC, one column per stage (R: without an FPC the design
  is the "ultimate cluster" one, the first stage alone); weights left out are the products of
  ``N / n`` over the stages. Degrees of freedom, lonely strata and :meth:`first_stage` are the
  first stage's. A domain is evaluated at stage k only in the units of stage k - 1 it reaches.

Lonely PSUs (a stratum with a single PSU in the sample), as R's ``options(survey.lonely.psu)``,
at every stage:

* ``fail``: the design cannot be built; the error names the strata.
* ``certainty`` and ``remove``: the stratum adds nothing to the variance. (In R 4.1 both give
  the same single-stage variance.)
* ``adjust``: the stratum's PSU total is centred at zero -- the grand mean of the linearised
  variable -- instead of at its own stratum mean, and is not scaled by ``n / (n - 1)``.
* ``average``: the stratum is left out and the variance is multiplied by
  (strata reached) / (strata reached that have two or more PSUs), counted within the domain
  (and, at a later stage, within the unit of the stage before). Where no stratum is left to
  average over -- every stratum the domain reaches is lonely -- R returns NaN; here those
  strata are treated as under ``adjust`` (a documented rule, conservative), so that no domain
  loses its variance, in :meth:`~SurveyDesign.proportion` and
  :meth:`~SurveyDesign.domain_covariance` alike.
* A stratum whose PSUs were all sampled (``N_h = n_h``, ``f_h = 0``) adds no variance whatever
  the policy, and is no error under ``fail`` (as in R).

``adjust_domain_lonely=True`` is R's ``options(survey.adjust.domain.lonely = TRUE)``: a domain
that reaches only one PSU of a stratum with several is treated, in that stratum, as lonely --
``adjust`` uses the uncentred PSU total (with the stratum's ``n_h / (n_h - 1)``), ``average``
leaves the stratum out and rescales; the other policies are unaffected. The default (False)
keeps the stratum's usual centred contribution, as R does by default.

Small domains. A domain that reaches one PSU in every stratum it reaches (a province's offices
spread over the level strata, a group of offices) has R's degrees of freedom 0 and no
interval in R (``svyciprop`` returns NaN). Its first-stage variance in R is the zero-padded one,
``sum_h f_h t_h**2`` over the K PSUs it reaches; for a mean or proportion the K PSU totals of
residuals ``t_h`` add up to zero, so that sum has K - 1 degrees of freedom and is too small by
(K - 1) / K. The rule here (documented, checked by ``benchmarks/coverage.py``): such a domain's
first-stage variance is multiplied by K / (K - 1) -- the collapsed-strata estimator, the K PSUs
taken as one stratum sampled with replacement (Wolter 2007, section 2.5) -- and its degrees of
freedom are K - 1, at most the design's (Korn and Graubard 1999, section 5.2: R's count, PSUs
reached minus strata reached, is the conservative choice for a domain, the full design's df
the liberal one; here it is 0 and would give no interval). Every domain with R's df of 1 or
more keeps R's variance and df, so every interval R computes is equal to R's (a domain with two
PSUs in one stratum and one in two others keeps R's 1). A domain inside a single PSU (K = 1)
has no design-based variance at all (its residuals add up to zero in that PSU): df 0, no
interval, and the reliability rules suppress it with that reason (NCHS 2017: no estimate
without a confidence interval); :meth:`SurveyDesign.within_psu` gives such domains an interval
with the respondents as the units.

FPC: a column of population sizes (PSUs in the stratum; rows when there are no PSUs) when any
value exceeds 1, otherwise of sampling fractions ``n_h / N_h`` (R's rule, over every stage's
column at once; a column of 1s is read as fractions, a census, where R refuses it as
ambiguous). It must be constant within each stratum. Without ``weights`` the weights are
``N_h / n_h`` from the FPC (as R derives them; the product over the stages), or 1 without FPC.

PSU labels are taken within strata (R's ``nest = TRUE``): PSU "1" of stratum A and PSU "1" of
stratum B are different PSUs. String labels (strata, PSUs, domains) are normalised to Unicode
NFC, so "Hà Nội" typed in two Unicode forms is one domain.

Speed: every statistic is one vectorised pass over the rows sorted by domain and last-stage
unit (the sort is cached per ``by``), then, for each stage, passes over the (domain, unit)
cells and (domain, stratum) groups -- no Python loop over domains, strata or PSUs (only over
the stages). ``domain_covariance`` works on a matrix of influence columns (one per domain):
unit and stratum totals by ``np.add.reduceat``, then one matrix product per stage.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .intervals import (
    SURVEY_METHODS,
    CiMethod,
    check_method,
    effective_sample_size,
    survey_proportion_ci,
    t_interval,
    z_quantile,
)

__all__ = [
    "ALL_LABEL",
    "COLUMNS",
    "LONELY_PSU_POLICIES",
    "DesignSpec",
    "FirstStage",
    "LonelyPsu",
    "SurveyDesign",
    "check_lonely_psu",
]

LonelyPsu = Literal["fail", "certainty", "remove", "adjust", "average"]
"""A policy for strata with a single PSU, as R's ``options(survey.lonely.psu)``."""
LONELY_PSU_POLICIES: Final = get_args(LonelyPsu)
#: Columns of every estimate table, in order (the domain is the index).
COLUMNS: Final = ("estimate", "se", "ci_low", "ci_high", "deff", "n", "n_eff", "df")
#: Index label of the single row returned when ``by=None``; the index is named ``"domain"``.
ALL_LABEL: Final = "all"
_CENSUS_F: Final = 1e-7  # R's onestrat: a stratum with f below this adds no variance

By = str | Sequence[str] | None
#: One column, or one column per stage (``None`` in a list of strata: none at that stage).
Columns = str | Sequence[str | None] | None
IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class FirstStage:
    """A design's first stage as arrays: what :meth:`SurveyDesign.first_stage` returns.

    Attributes:
        weights: sampling weight per row, in data order.
        psu: PSU code per row (0 .. PSUs - 1, nested in strata, numbered by stratum).
        psu_stratum: stratum code of each PSU (0 .. strata - 1, nondecreasing).
        n_psu: PSUs in the sample per stratum.
        fpc_factor: ``(N_h - n_h) / N_h`` per stratum (1 without an FPC).
        strata: stratum labels, by stratum code.
        variance_stages: stages whose variance the design's estimates include (1 for a
            single-stage design or an ultimate-cluster one; an estimator written on the first
            stage alone, such as a PSU jackknife, leaves out the later stages' variance when
            this is more than 1).
    """

    weights: FloatArray
    psu: IntArray
    psu_stratum: IntArray
    n_psu: FloatArray
    fpc_factor: FloatArray
    strata: list[str]
    variance_stages: int = 1


@dataclass(frozen=True)
class _Stage:
    """One sampling stage as arrays (units and strata coded so that nesting is sorted order).

    Attributes:
        of_last: the code of this stage's unit for each last-stage unit (None at the last
            stage); nondecreasing.
        stratum: the stratum of each unit (nondecreasing).
        parent: the unit of the previous stage of each stratum (nondecreasing; 0 at stage 1).
        n_parent: units of the previous stage (1 at stage 1).
        n: units sampled per stratum.
        f: ``1 - n / N`` per stratum (1 without an FPC).
        fraction: ``n / N`` per stratum (0 without an FPC).
        weight: the product of the earlier stages' sampling fractions, per stratum (1 at stage 1).
        singleton: every unit is one row.
        per_parent: each unit of the previous stage is one stratum of this one (a later stage
            without a strata column); with ``singleton``, this stage's variance is computed
            from the previous stage's cells (respondents within offices).
        first_unit: the first unit of each stratum.
        bits: bits of a unit's rank within its stratum.
        strata_bits: bits of a stratum code.
        unit_key: ``stratum << bits | rank within the stratum`` per unit: in a row key
            ``domain << shift | unit_key`` the domain, the (domain, stratum) group and the unit
            are each a shift or a mask away (no division on a hot path).
        unit_of_key: the unit of each unit key (-1 where none; empty at the last stage).
        a: ``f n / (n - 1)`` (``f`` for a single unit) times :attr:`weight` per stratum: the
            factor of its centred sum of squares; 0 for a census.
        census: the stratum adds no variance (``f`` below R's 1e-7).
    """

    of_last: IntArray | None
    stratum: IntArray
    parent: IntArray
    n_parent: int
    n: FloatArray
    f: FloatArray
    fraction: FloatArray
    weight: FloatArray
    singleton: bool
    per_parent: bool
    first_unit: IntArray
    bits: int
    strata_bits: int
    unit_key: NDArray[np.int64]
    unit_of_key: IntArray
    a: FloatArray
    census: NDArray[np.bool_]

    @property
    def shift(self) -> int:
        """Bits of :attr:`unit_key`: a row key is ``domain << shift | unit_key``."""
        return self.strata_bits + self.bits

    @property
    def span(self) -> int:
        """``1 << shift``: the range of :attr:`unit_key`."""
        return 1 << self.shift


def check_lonely_psu(policy: Any) -> LonelyPsu:
    """``policy`` if it is one of :data:`LONELY_PSU_POLICIES`, else a ValueError naming them.

    The one place a lonely-PSU policy is checked (the design, its spec and the params use it).

    Examples:
        >>> check_lonely_psu("adjust")
        'adjust'
        >>> check_lonely_psu("drop")
        Traceback (most recent call last):
        ValueError: lonely_psu must be one of fail, certainty, remove, adjust, average, got 'drop'
    """
    if policy not in LONELY_PSU_POLICIES:
        raise ValueError(
            f"lonely_psu must be one of {', '.join(LONELY_PSU_POLICIES)}, got {policy!r}"
        )
    return policy


def _stage_columns(value: Any, role: str, none_ok: bool = False) -> list[str | None]:
    """A design role as a list of column names, one per stage ([] for None).

    Raises:
        ValueError: not a name, a list of names or None; an empty name or list; a None inside a
            list where ``none_ok`` is False.
    """
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if isinstance(items, Sequence) and not isinstance(items, str) and len(items) > 0:
        items = list(items)
        if all((isinstance(c, str) and c) or (none_ok and c is None) for c in items):
            return items
    what = "a column name, a list of column names (one per stage)"
    raise ValueError(f"design {role} must be {what} or null, got {value!r}")


@dataclass(frozen=True)
class DesignSpec:
    """How a survey year was sampled, by column name: what ``params/<year>.yaml`` ``design:`` says.

    The one description of a design that notebooks, modules and tests pass around; the
    :class:`SurveyDesign` itself is built from it over a data frame with :meth:`build`
    (or, for a year's processed table, :func:`satisfaction.years.load_design`).

    Attributes:
        weights: column of sampling weights (None: from ``fpc``, or 1).
        strata: column of strata (None: one stratum), or one per stage (``None`` for a stage
            without strata).
        psu: column of primary sampling units, nested in strata (None: each row), or one column
            per stage for a multi-stage design (``["office", "respondent"]``).
        fpc: column of population sizes or sampling fractions (None: with replacement), or one
            per stage.
        lonely_psu: the policy for strata with a single PSU (R's ``survey.lonely.psu``).
        adjust_domain_lonely: R's ``survey.adjust.domain.lonely``.

    A list (from YAML) is kept as a tuple, so the spec stays hashable.

    Examples:
        >>> spec = DesignSpec(weights="w", strata="s", psu="psu", lonely_psu="adjust")
        >>> spec.columns
        ['w', 's', 'psu']
        >>> df = pd.DataFrame({"w": [1.0, 2, 1, 3], "s": list("aabb"), "psu": [1, 2, 3, 4],
        ...                    "y": [1, 0, 1, 1]})
        >>> spec.build(df)
        SurveyDesign(n=4, strata=2, psu=4, degf=2, weights='w', fpc=None, lonely_psu='adjust')
        >>> DesignSpec(strata="s", psu=["office", "id"], fpc=["N1", "N2"]).columns
        ['s', 'office', 'id', 'N1', 'N2']
    """

    weights: str | None = None
    strata: str | tuple[str | None, ...] | None = None
    psu: str | tuple[str, ...] | None = None
    fpc: str | tuple[str, ...] | None = None
    lonely_psu: LonelyPsu = "fail"
    adjust_domain_lonely: bool = False

    def __post_init__(self) -> None:
        if self.weights is not None and not (isinstance(self.weights, str) and self.weights):
            raise ValueError(f"design weights must be a column name or null, got {self.weights!r}")
        for role in ("strata", "psu", "fpc"):
            value = getattr(self, role)
            cols = _stage_columns(value, role, none_ok=role == "strata")
            if value is not None and not isinstance(value, str):
                object.__setattr__(self, role, cols[0] if len(cols) == 1 else tuple(cols))
        check_lonely_psu(self.lonely_psu)
        if not isinstance(self.adjust_domain_lonely, bool):
            raise ValueError(  # noqa: TRY004 -- a params value: ValueError is the contract
                f"design adjust_domain_lonely must be true or false, got {self.adjust_domain_lonely!r}"
            )

    @classmethod
    def from_mapping(cls, spec: Mapping[str, Any]) -> DesignSpec:
        """A spec from a mapping such as the ``design:`` section of a params file.

        Raises:
            ValueError: not a mapping, an unknown key, or a bad value (the message names it).

        Examples:
            >>> DesignSpec.from_mapping({"weights": "w", "lonely_psu": "average"}).lonely_psu
            'average'
            >>> DesignSpec.from_mapping({"psu": ["office", "respondent"]}).psu
            ('office', 'respondent')
        """
        if isinstance(spec, DesignSpec):
            return spec
        if not isinstance(spec, Mapping):
            raise ValueError(  # noqa: TRY004 -- a params value: ValueError is the contract
                f"design must be a mapping of column names, got {type(spec).__name__}"
            )
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(str(k) for k in spec if k not in known)
        if unknown:
            raise ValueError(
                f"unknown design key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        defaults = ("lonely_psu", "adjust_domain_lonely")  # null there means the default
        return cls(**{k: v for k, v in spec.items() if not (v is None and k in defaults)})

    @property
    def columns(self) -> list[str]:
        """The data columns the design reads (weights, strata, PSUs, FPCs), in that order."""
        cols = [self.weights] if self.weights is not None else []
        for role in (self.strata, self.psu, self.fpc):
            cols += [c for c in _stage_columns(role, "", none_ok=True) if c is not None]
        return cols

    def as_dict(self) -> dict[str, Any]:
        """The spec as keyword arguments of :class:`SurveyDesign`."""
        return asdict(self)

    def build(self, data: pd.DataFrame) -> SurveyDesign:
        """The :class:`SurveyDesign` of ``data`` under this spec."""
        return SurveyDesign(data, **self.as_dict())


def _segment_sums(x: FloatArray, starts: NDArray[np.intp], n_seg: int) -> FloatArray:
    """Sums of ``x`` over the runs ``starts[k]:starts[k + 1]`` (empty runs give 0)."""
    out = np.zeros(n_seg)
    counts = np.diff(starts[: n_seg + 1])
    nonempty = counts > 0
    if np.any(nonempty):
        out[nonempty] = np.add.reduceat(x, starts[:n_seg][nonempty])
    return out


def _runs(key: NDArray[np.int64]) -> tuple[IntArray, IntArray]:
    """Start positions of the runs of equal values in a nondecreasing ``key``, and the run of
    each position (for ``np.bincount``: faster than ``np.add.reduceat`` over many short runs,
    and the same sums in the same order)."""
    brk = np.empty(len(key), dtype=bool)
    if len(key):
        brk[0] = True
        np.not_equal(key[1:], key[:-1], out=brk[1:])
    run = np.cumsum(brk)
    run -= 1
    return np.flatnonzero(brk), run


def _breaks(key: NDArray[np.int64]) -> IntArray:
    """Start positions of the runs of equal values in a nondecreasing ``key``."""
    if len(key) == 0:
        return np.zeros(0, dtype=np.intp)
    brk = np.empty(len(key), dtype=bool)
    brk[0] = True
    np.not_equal(key[1:], key[:-1], out=brk[1:])
    return np.flatnonzero(brk)


def _factorize(values: pd.Series, sort: bool = True) -> tuple[IntArray, pd.Index]:
    """Integer codes (-1 for missing; sorted by label unless ``sort=False``) and labels;
    string labels in Unicode NFC.

    Labels that differ only in their Unicode form become one label.
    """
    try:
        codes, uniques = pd.factorize(values, sort=sort, use_na_sentinel=True)
    except TypeError:  # labels of mixed types that cannot be ordered
        codes, uniques = pd.factorize(values.astype(str).where(values.notna()), sort=sort)
    uniques = pd.Index(uniques)
    if uniques.dtype == object or pd.api.types.is_string_dtype(uniques.dtype):
        # One call per distinct label (not per row).
        normed = pd.Index(
            [unicodedata.normalize("NFC", v) if isinstance(v, str) else v for v in uniques],
            dtype=object,
        )
        if not normed.equals(pd.Index(uniques, dtype=object)):
            recode, merged = pd.factorize(normed, sort=True)
            codes = np.where(codes >= 0, np.asarray(recode)[np.maximum(codes, 0)], -1)
            uniques = pd.Index(merged, dtype=object)
        else:
            uniques = normed
    return np.asarray(codes, dtype=np.intp), uniques


def _codes(
    data: pd.DataFrame, col: str, role: str, sort: bool = True
) -> tuple[IntArray, pd.Index]:
    """Codes and labels of a strata or PSU column; a ValueError if it has missing values."""
    codes, labels = _factorize(data[col], sort=sort)
    if np.any(codes < 0):
        raise ValueError(f"{role} column {col!r} has {int(np.sum(codes < 0))} missing value(s)")
    return codes, labels


def _nest(outer: IntArray, inner: IntArray | None) -> tuple[IntArray, IntArray]:
    """Codes of ``inner`` within ``outer`` (sorted by outer, then inner) and each code's outer.

    ``inner=None``: the outer codes themselves (every outer code occurs in ``outer``).
    """
    if inner is None:
        return outer, np.arange(int(outer.max()) + 1, dtype=np.intp)
    base = int(inner.max()) + 1
    if base == len(inner):  # one row per label (respondents): number the rows by outer
        order = np.argsort(outer.astype(np.uint16) if outer.max() < 2**16 else outer,
                           kind="stable")
        codes = np.empty(len(inner), dtype=np.intp)
        codes[order] = np.arange(len(inner), dtype=np.intp)
        return codes, outer[order]
    key = outer.astype(np.int64) * base + inner
    codes, keys = pd.factorize(key, sort=True)
    return np.asarray(codes, dtype=np.intp), (np.asarray(keys) // base).astype(np.intp)


def _read_fpc(values: FloatArray, h: IntArray, n_h: FloatArray, name: str, is_size: bool):
    """Population size per stratum from an FPC column (sizes or sampling fractions)."""
    lo = np.zeros(len(n_h))
    lo[h] = values  # one of each stratum's values; then every row must equal it
    if not np.array_equal(values, lo[h]):
        raise ValueError(f"fpc column {name!r} varies within a stratum; it must be constant")
    with np.errstate(divide="ignore"):
        pop = lo if is_size else n_h / lo
    if np.any(pop < n_h):
        raise ValueError(
            f"fpc column {name!r} implies more than 100 % sampling in a stratum "
            f"(population {pop[pop < n_h][0]:g} < {n_h[pop < n_h][0]:g} sampled)"
        )
    return pop


def _fpc_values(data: pd.DataFrame, cols: list[str]) -> tuple[list[FloatArray], bool]:
    """The FPC columns as floats, and whether they are population sizes (R: any value > 1)."""
    values = []
    for col in cols:
        v = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if np.any(np.isnan(v)) or np.any(v < 0):
            raise ValueError(f"fpc column {col!r} has missing or negative values")
        values.append(v)
    is_size = any(bool(np.any(v > 1)) for v in values)
    if is_size and any(bool(np.any(v < 1)) for v in values):
        raise ValueError(
            f"the FPC ({', '.join(map(repr, cols))}) mixes population sizes (> 1) and "
            "sampling fractions (< 1)"
        )
    return values, is_size


def _stage_codes(
    data: pd.DataFrame, strata_cols: list[str | None], psu_cols: list[str | None], n_stages: int
) -> tuple[list[tuple[IntArray, IntArray, IntArray, IntArray]], pd.Index]:
    """Per stage: stratum per row, parent unit per stratum, unit per row, stratum per unit.

    Codes are nested and sorted: a stage's strata by their parent unit, its units by stratum.
    Also the labels of the first stage's strata. A loop over the stages, not the units.
    """
    n = len(data)
    parent = np.zeros(n, dtype=np.intp)
    labels = pd.Index([ALL_LABEL], dtype=object)
    out = []
    for k in range(n_stages):
        col = strata_cols[k] if k < len(strata_cols) else None
        inner = None
        if col is not None:
            inner, found = _codes(data, col, "strata")
            if k == 0:
                labels = found
        h, h_parent = _nest(parent, inner)
        if k < len(psu_cols):  # later stages' labels need no sorting (only their nesting)
            u, u_stratum = _nest(h, _codes(data, str(psu_cols[k]), "psu", sort=k == 0)[0])
        else:  # no PSU column: each row is its own PSU
            order = np.argsort(h, kind="stable")
            u = np.empty(n, dtype=np.intp)
            u[order] = np.arange(n, dtype=np.intp)
            u_stratum = h[order]
        out.append((h, h_parent, u, u_stratum))
        parent = u
    return out, labels


def _build_stages(
    codes: list[tuple[IntArray, IntArray, IntArray, IntArray]],
    pops: list[FloatArray],
    strata_given: list[bool],
) -> list[_Stage]:
    """The :class:`_Stage` arrays from the codes of :func:`_stage_codes`, the populations and
    whether each stage has a strata column."""
    last = codes[-1][2]
    n_last = len(codes[-1][3])
    stages: list[_Stage] = []
    for k, (_h, h_parent, u, u_stratum) in enumerate(codes):
        n_h = np.bincount(u_stratum, minlength=len(h_parent)).astype(float)
        pop = pops[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(np.isinf(pop), 1.0, (pop - n_h) / pop)
            fraction = np.where(np.isinf(pop), 0.0, n_h / pop)
        if k == 0:
            weight = np.ones(len(n_h))
        else:
            before = stages[-1]
            weight = (before.weight * before.fraction)[before.stratum[h_parent]]
        of_last = None
        if k < len(codes) - 1:
            of_last = np.empty(n_last, dtype=np.intp)
            of_last[last] = u
        bits = int(n_h.max() - 1).bit_length()
        first_unit = np.searchsorted(u_stratum, np.arange(len(n_h)))
        rank = np.arange(len(u_stratum)) - first_unit[u_stratum]
        unit_key = (u_stratum.astype(np.int64) << bits) | rank
        strata_bits = int(len(n_h) - 1).bit_length()
        unit_of_key = np.full(
            1 << (strata_bits + bits) if k < len(codes) - 1 else 0, -1,
            dtype=np.int32 if len(u_stratum) < 2**31 else np.int64,
        )
        if k < len(codes) - 1:  # read by the next stage only
            unit_of_key[unit_key] = np.arange(len(u_stratum))
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(n_h > 1, f * n_h / (n_h - 1), f)
        stages.append(
            _Stage(
                of_last=of_last,
                stratum=u_stratum,
                parent=h_parent,
                n_parent=1 if k == 0 else len(codes[k - 1][3]),
                n=n_h,
                f=f,
                fraction=fraction,
                weight=weight,
                singleton=len(u_stratum) == len(u),
                per_parent=k > 0 and strata_given[k] is False,
                first_unit=first_unit,
                bits=bits,
                strata_bits=strata_bits,
                unit_key=unit_key,
                unit_of_key=unit_of_key,
                a=np.where(f < _CENSUS_F, 0.0, scale * weight),
                census=f < _CENSUS_F,
            )
        )
    return stages


def _centred(
    t: FloatArray,
    s1: FloatArray,
    gs: IntArray,
    reached: IntArray,
    n_h: FloatArray,
    squares: FloatArray | None = None,
) -> FloatArray:
    """Per group (runs of ``t`` from ``gs``): the sum of squares of its unit totals about their
    mean over the stratum's ``n_h`` units, the units the domain does not reach counting as 0:
    ``sum (t - s1 / n_h)**2 + (n_h - reached) (s1 / n_h)**2``.

    Where the domain leaves some of the stratum's units out, this is ``sum t**2 - s1**2 / n_h``
    in one pass: it is at least ``(1 - reached / n_h) sum t**2``, so the subtraction loses at
    most a factor ``n_h / (n_h - reached)`` of the double precision. Where it reaches them all,
    the sum can be a small difference of large numbers, and the deviations are taken first (two
    passes, as R's ``sweep``). ``squares``: the groups' sums of ``t**2`` when already known.
    """
    if squares is None:
        squares = np.add.reduceat(t * t, gs)
    centred = s1 * s1
    centred /= n_h
    np.subtract(squares, centred, out=centred)
    full = reached >= n_h
    if not full.any():
        return centred
    if full.all():
        rows, gsub, rsub, s1sub, nsub = t, gs, reached, s1, n_h
    else:
        keep = np.repeat(full, reached)
        rows, rsub, s1sub, nsub = t[keep], reached[full], s1[full], n_h[full]
        gsub = np.concatenate([[0], np.cumsum(rsub)[:-1]])
    dev = np.repeat(s1sub / nsub, rsub)
    np.subtract(rows, dev, out=dev)
    np.multiply(dev, dev, out=dev)
    centred[full] = np.add.reduceat(dev, gsub)
    return centred


def _small_domain_factor(psus: FloatArray, strata: FloatArray) -> FloatArray:
    """``K / (K - 1)`` for a domain whose K >= 2 first-stage PSUs lie one to a stratum (R's
    df 0), else 1: the first stage's variance of such a domain is then the collapsed-strata
    (with-replacement) variance of its K PSU totals (module docstring, "Small domains")."""
    small = (psus - strata < 1) & (psus >= 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(small, psus / (psus - 1), 1.0)


def _from_cells(stage: _Stage) -> bool:
    """Whether a stage's variance comes from the previous stage's cells (no row keys)."""
    return stage.singleton and stage.per_parent


def _lonely_error(labels: list[str], stage: int) -> ValueError:
    """The error of ``lonely_psu='fail'`` for lonely strata (named by ``labels``)."""
    shown = ", ".join(repr(v) for v in labels[:10]) + (" ..." if len(labels) > 10 else "")
    what = f"stratum {shown} has" if len(labels) == 1 else f"strata {shown} have"
    where = "" if stage == 1 else f" at stage {stage}"
    return ValueError(
        f"{what} only one PSU{where} (lonely PSU), so its variance cannot be estimated under "
        "lonely_psu='fail'; choose lonely_psu='adjust', 'average', 'certainty' or "
        "'remove' (R's survey.lonely.psu) or merge strata"
    )


def _check_columns(
    data: pd.DataFrame,
    weights: str | None,
    strata_cols: list[str | None],
    psu_cols: list[str | None],
    fpc_cols: list[str | None],
    n_stages: int,
) -> None:
    """Every named column is in the data; strata and FPC columns fit the number of stages."""
    if weights is not None and not (isinstance(weights, str) and weights):
        raise ValueError(f"design weights must be a column name or null, got {weights!r}")
    roles = [("weights", [weights]), ("strata", strata_cols), ("psu", psu_cols),
             ("fpc", fpc_cols)]
    for role, cols in roles:
        for col in cols:
            if col is not None and col not in data.columns:
                raise ValueError(f"{role} column {col!r} is not in the data")
    if len(strata_cols) > n_stages:
        raise ValueError(
            f"strata has {len(strata_cols)} columns for a design of {n_stages} stage(s) "
            "(one PSU column per stage)"
        )
    if fpc_cols and len(fpc_cols) != n_stages:
        raise ValueError(
            f"fpc needs one column per stage: {len(fpc_cols)} given for {n_stages} stage(s) "
            "(R's svydesign refuses it too); without any fpc only the first stage enters "
            "the variance"
        )


class SurveyDesign:
    """A complex survey design and its Taylor-linearised estimators, equal to R's ``survey``.

    Args:
        data: one row per respondent. It is read, never modified.
        weights: column of sampling weights (> 0). None: the product of ``N / n`` over the
            stages from ``fpc``, or 1.
        strata: column of strata (None: one stratum), or a list with one column per stage
            (``None`` for a stage without strata; R's ``strata = ~s1 + s2``).
        psu: column of primary sampling units (nested in strata; None: each row is a PSU), or
            a list with one column per stage (R's ``ids = ~office + respondent``).
        fpc: column of population sizes or of sampling fractions (see the module docstring),
            or a list with one column per stage.
        lonely_psu: ``"fail"``, ``"certainty"``, ``"remove"``, ``"adjust"`` or ``"average"``:
            R's ``survey.lonely.psu``.
        adjust_domain_lonely: R's ``survey.adjust.domain.lonely`` (default False, as in R).

    Raises:
        ValueError: a column is missing; more strata columns than stages, or an FPC column
            count other than the stages'; weights are missing, not finite or not positive;
            strata or PSU labels are missing; the FPC is missing, varies within a stratum,
            mixes sizes and fractions or implies more than 100 % sampling; an unknown
            ``lonely_psu``; or, under ``"fail"``, a stratum has one PSU (the error names it).

    Examples:
        >>> df = pd.DataFrame({"w": [1.0, 2, 1, 3, 2, 1], "s": list("aaabbb"),
        ...                    "psu": [1, 1, 2, 3, 4, 4], "y": [1, 0, 1, 1, 0, 1]})
        >>> d = SurveyDesign(df, weights="w", strata="s", psu="psu")
        >>> d.n, d.degf
        (6, 2)
        >>> d.proportion("y").round(4)[["estimate", "se", "n", "df"]]  # doctest: +NORMALIZE_WHITESPACE
                estimate      se  n  df
        domain
        all          0.6  0.2332  6   2

        Two stages, offices then respondents, with a finite population at each:

        >>> two = pd.DataFrame({"s": list("aaaabbbb"), "office": [1, 1, 2, 2, 3, 3, 4, 4],
        ...                     "id": range(8), "N1": [5] * 4 + [4] * 4,
        ...                     "N2": [40, 40, 30, 30, 20, 20, 50, 50], "y": [1, 0, 1, 1, 0, 1, 1, 1]})
        >>> d2 = SurveyDesign(two, strata="s", psu=["office", "id"], fpc=["N1", "N2"])
        >>> d2.proportion("y").round(4)[["estimate", "se", "n", "df"]]  # doctest: +NORMALIZE_WHITESPACE
                estimate      se  n  df
        domain
        all       0.7778  0.1701  8   2
    """

    def __init__(
        self,
        data: pd.DataFrame,
        weights: str | None = None,
        strata: Columns = None,
        psu: Columns = None,
        fpc: Columns = None,
        lonely_psu: LonelyPsu = "fail",
        *,
        adjust_domain_lonely: bool = False,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if len(data) == 0:
            raise ValueError("data has no rows")
        check_lonely_psu(lonely_psu)
        strata_cols = _stage_columns(strata, "strata", none_ok=True)
        psu_cols = _stage_columns(psu, "psu")
        fpc_cols = _stage_columns(fpc, "fpc")
        n_stages = max(1, len(psu_cols))
        _check_columns(data, weights, strata_cols, psu_cols, fpc_cols, n_stages)
        self._data = data
        self.weights = weights
        self.strata, self.psu, self.fpc = (
            None if not c else c[0] if len(c) == 1 else tuple(c)
            for c in (strata_cols, psu_cols, fpc_cols)
        )
        self.lonely_psu = lonely_psu
        self.adjust_domain_lonely = bool(adjust_domain_lonely)
        self._n = len(data)

        codes, self._strata_labels = _stage_codes(data, strata_cols, psu_cols, n_stages)
        pops = self._populations(codes, [str(c) for c in fpc_cols])
        given = [k < len(strata_cols) and strata_cols[k] is not None for k in range(n_stages)]
        stages = _build_stages(codes, pops, given)
        self._stages = stages
        # Without an FPC only the first stage enters the variance (R's ultimate cluster).
        self._n_var_stages = n_stages if fpc_cols else 1
        first = stages[0]
        self._h_of_psu = first.stratum
        self._n_psu_h = first.n
        self._n_psu = len(first.stratum)
        self._f_h = first.f
        self._lonely_h = (first.n == 1) & (first.f >= _CENSUS_F)
        self._check_fail(codes)
        w = self._row_weights(weights, codes, pops)

        # Rows sorted by last-stage unit (hence by every earlier stage's unit and stratum) ----
        last = codes[-1][2]
        n_last = len(stages[-1].stratum)
        if n_last == self._n:  # one row per last-stage unit: the codes are a permutation
            perm = np.empty(self._n, dtype=np.intp)
            perm[last] = np.arange(self._n, dtype=np.intp)
        else:
            perm = np.argsort(last.astype(np.uint16) if n_last < 2**16 else last, kind="stable")
        if self._n < 2**31:  # half the memory: every gather through it is faster
            perm = perm.astype(np.int32)
        self._perm = perm
        self._w_sorted = np.ascontiguousarray(w[perm])
        code_dtype = np.int32 if n_last < 2**31 else np.int64
        self._last_sorted = np.ascontiguousarray(last[perm].astype(code_dtype))
        self._psu_sorted = (
            self._last_sorted
            if first.of_last is None
            else np.ascontiguousarray(first.of_last[self._last_sorted].astype(code_dtype))
        )
        self._unit_keys = [  # per variance stage, the unit key of every sorted row
            None if _from_cells(stage) else stage.unit_key[
                self._last_sorted if stage.of_last is None else stage.of_last[self._last_sorted]
            ].astype(np.int32 if stage.span < 2**31 else np.int64)
            for stage in stages[: self._n_var_stages]
        ]
        self._domain_cache: dict[tuple[str, ...], tuple] = {}

    # ----------------------------------------------------------------------------------------
    def _populations(self, codes: list, fpc_cols: list[str]) -> list[FloatArray]:
        """Population size per stratum of every stage (inf without an FPC)."""
        if not fpc_cols:
            return [np.full(len(c[1]), np.inf) for c in codes]
        values, is_size = _fpc_values(self._data, fpc_cols)
        pops = []
        for (h, h_parent, _u, u_stratum), v, name in zip(codes, values, fpc_cols, strict=True):
            n_h = np.bincount(u_stratum, minlength=len(h_parent)).astype(float)
            pops.append(_read_fpc(v, h, n_h, name, is_size))
        return pops

    def _check_fail(self, codes: list) -> None:
        """Under ``lonely_psu='fail'``: an error naming the lonely strata of any stage."""
        if self.lonely_psu != "fail":
            return
        if np.any(self._lonely_h):
            raise _lonely_error([str(v) for v in self._strata_labels[self._lonely_h]], 1)
        for k in range(1, self._n_var_stages):
            stage = self._stages[k]
            lonely = np.flatnonzero((stage.n == 1) & (stage.f >= _CENSUS_F))
            if len(lonely):
                h = codes[k][0]
                rows = [int(np.flatnonzero(h == s)[0]) for s in lonely[:11]]
                raise _lonely_error([self._stage_label(r, k) for r in rows], k + 1)

    def _stage_label(self, row: int, k: int) -> str:
        """A label for the stratum of stage ``k`` (0-based) that row ``row`` is in."""
        psu_cols = _stage_columns(self.psu, "psu")
        strata_cols = _stage_columns(self.strata, "strata", none_ok=True)
        first = [strata_cols[0]] if strata_cols and strata_cols[0] is not None else []
        parts = [str(self._data[c].iloc[row]) for c in [*first, *psu_cols[:k]]]
        if k < len(strata_cols) and strata_cols[k] is not None:
            parts.append(str(self._data[strata_cols[k]].iloc[row]))
        return "/".join(parts)

    def _row_weights(self, weights: str | None, codes: list, pops: list) -> FloatArray:
        """The sampling weight of every row (data order)."""
        data = self._data
        if weights is not None:
            w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = ~np.isfinite(w) | (w <= 0)
            if np.any(bad):
                first = data.index[np.flatnonzero(bad)[0]]
                raise ValueError(
                    f"weights column {weights!r} has {int(bad.sum())} value(s) that are missing, "
                    f"not finite or not positive (first at row {first!r})"
                )
            return w
        if self.fpc is None:
            return np.ones(self._n)
        w = np.ones(self._n)
        with np.errstate(divide="ignore", invalid="ignore"):
            for (h, _p, _u, _s), pop, stage in zip(codes, pops, self._stages, strict=True):
                w = w * (pop / stage.n)[h]
        if not np.all(np.isfinite(w)):
            raise ValueError("weights cannot be derived from fractions of 0; give weights")
        return w

    @property
    def n(self) -> int:
        """Number of rows (respondents) in the design."""
        return self._n

    @property
    def degf(self) -> int:
        """Design degrees of freedom: first-stage PSUs minus strata (R's ``degf``)."""
        return int(self._n_psu - len(self._strata_labels))

    @property
    def stages(self) -> int:
        """Sampling stages (1, or the number of PSU columns)."""
        return len(self._stages)

    @property
    def data(self) -> pd.DataFrame:
        """The data the design was built on (not a copy: do not modify it)."""
        return self._data

    @property
    def lonely_strata(self) -> list[str]:
        """Labels of first-stage strata with a single PSU (those a census of PSUs excluded)."""
        return [str(v) for v in self._strata_labels[self._lonely_h]]

    def __repr__(self) -> str:
        return (
            f"SurveyDesign(n={self._n}, strata={len(self._strata_labels)}, psu={self._n_psu}, "
            f"degf={self.degf}, weights={self.weights!r}, fpc={self.fpc!r}, "
            f"lonely_psu={self.lonely_psu!r})"
        )

    # ----------------------------------------------------------------------------------------
    def _by_columns(self, by: By) -> tuple[str, ...]:
        if by is None:
            return ()
        cols = (by,) if isinstance(by, str) else tuple(by)
        if not cols:
            return ()
        for c in cols:
            if not isinstance(c, str):
                raise TypeError(f"by must be a column name or a list of names, got {c!r}")
            if c not in self._data.columns:
                raise ValueError(f"by column {c!r} is not in the data")
        if len(set(cols)) != len(cols):
            raise ValueError(f"by names a column twice: {list(cols)}")
        return cols

    def _domains(self, cols: tuple[str, ...]):
        """Domain coding for ``cols`` (cached): index, labels per level, sorted row arrays.

        Returns ``(index, level labels, domains, order, keys, weights)``: ``order`` the rows
        sorted by domain then last-stage unit, ``keys`` one nondecreasing int64 key per row and
        variance stage, ``domain << shift | unit_key`` (see :class:`_Stage`; stage 1: the PSU),
        ``weights`` in that order.
        """
        cached = self._domain_cache.get(cols)
        if cached is not None:
            return cached
        index, level_labels, g = self._domain_codes(cols)
        n_dom = len(index)
        # Rows with a missing label get code n_dom and sort last. Small codes are gathered and
        # radix-sorted as 16-bit integers.
        small = n_dom + 1 < 2**16
        g = np.where(g < 0, n_dom, g).astype(np.uint16 if small else np.intp)
        g_sorted = g[self._perm]
        o = np.argsort(g_sorted, kind="stable")  # stable: rows stay in unit order in a domain
        order = self._perm[o]
        # The sorted domain codes are runs, built without a gather.
        counts = np.bincount(g_sorted, minlength=n_dom + 1)
        dom = np.arange(n_dom + 1, dtype=np.int64)
        keys = []
        for stage, unit_key in zip(self._stages, self._unit_keys, strict=False):  # stages
            if unit_key is None:  # computed from the previous stage's cells
                keys.append(None)
                continue
            # 32-bit keys where they fit: half the memory traffic on every pass over them
            small_key = (n_dom + 1) << stage.shift < 2**31
            key = np.repeat((dom << stage.shift).astype(np.int32 if small_key else np.int64),
                            counts)
            key |= unit_key[o]
            keys.append(key)
        out = (index, level_labels, n_dom, order, keys, np.ascontiguousarray(self._w_sorted[o]))
        self._domain_cache[cols] = out
        return out

    def _domain_codes(self, cols: tuple[str, ...]) -> tuple[pd.Index, list[pd.Index], IntArray]:
        """The domain index, the labels of each ``by`` column and the domain code of each row."""
        n = self._n
        if not cols:
            return pd.Index([ALL_LABEL], name="domain", dtype=object), [], np.zeros(n, np.intp)
        codes, uniq = zip(*(_factorize(self._data[c]) for c in cols), strict=True)
        if len(cols) == 1:
            return pd.Index(uniq[0], name=cols[0]), list(uniq), codes[0]
        sizes = [len(u) for u in uniq]
        combined = np.zeros(n, dtype=np.int64)
        missing = np.zeros(n, dtype=bool)
        for c, s in zip(codes, sizes, strict=True):  # over the by columns, not rows
            combined = combined * s + c
            missing |= c < 0
        combined[missing] = -1
        g, keys = pd.factorize(combined, sort=True, use_na_sentinel=True)
        g = np.asarray(g, dtype=np.intp)
        keys = np.asarray(keys)
        keep = keys >= 0
        if not np.all(keep):  # -1 (a missing label) sorts first: drop it
            g = g - 1
            keys = keys[keep]
        arrays = []
        rem = keys.copy()
        for s, u in zip(reversed(sizes), reversed(uniq), strict=True):
            arrays.append(u[rem % s])
            rem //= s
        return pd.MultiIndex.from_arrays(arrays[::-1], names=list(cols)), list(uniq), g


    def _variable(self, var: str, binary: bool) -> FloatArray:
        if not isinstance(var, str) or var not in self._data.columns:
            raise ValueError(f"variable {var!r} is not in the data")
        col = self._data[var]
        if pd.api.types.is_bool_dtype(col.dtype):
            y = col.astype("float64").to_numpy(dtype=float, na_value=np.nan)
        elif pd.api.types.is_numeric_dtype(col.dtype):
            y = col.to_numpy(dtype=float, na_value=np.nan)
        else:
            raise ValueError(f"variable {var!r} must be numeric (or boolean), not {col.dtype}")
        if np.any(np.isinf(y)):
            raise ValueError(f"variable {var!r} has infinite values")
        if binary:
            bad = ~np.isnan(y) & (y != 0) & (y != 1)
            if np.any(bad):
                examples = ", ".join(f"{v:g}" for v in np.unique(y[bad])[:5])
                raise ValueError(
                    f"proportion needs a 0/1 variable (NaN = no valid answer); {var!r} has "
                    f"other values: {examples}"
                )
        return y


    def _linearise(self, var: str, cols: tuple[str, ...], stat: str) -> tuple[pd.Index, dict]:
        """Estimate, variance, deff, n and df for every domain, in one pass over the rows."""
        y_all = self._variable(var, binary=stat == "proportion")
        index, _levels, n_dom, order, keys, w = self._domains(cols)
        y = y_all[order]
        valid = ~np.isnan(y)
        if not np.all(valid):
            y, w = y[valid], w[valid]
            keys = [None if k is None else k[valid] for k in keys]
        # Rows are sorted by domain: domain d is rows starts[d]:starts[d + 1].
        shift = self._stages[0].shift
        bounds = (np.arange(n_dom + 1, dtype=np.int64) << shift).astype(keys[0].dtype)
        starts = np.searchsorted(keys[0], bounds)
        n_g = np.diff(starts).astype(float)
        end = starts[-1]  # drop rows whose domain label is missing (sorted last)
        y, w, keys = y[:end], w[:end], [None if k is None else k[:end] for k in keys]
        wy = w * y
        w_g = _segment_sums(w, starts, n_dom)
        a_g = _segment_sums(wy, starts, n_dom)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = a_g / w_g
        dev = np.repeat(ratio, n_g.astype(np.intp))
        np.subtract(y, dev, out=dev)
        wdev = w * dev
        np.multiply(dev, wdev, out=dev)
        q_g = _segment_sums(dev, starts, n_dom)  # sum of w (y - ybar)**2
        if stat == "total":
            estimate = a_g
            var_g, df_g = self._variance(wy, keys, starts, n_dom)
        else:
            # Linearised variable w (y - ratio) / sum(w): the 1 / sum(w) factor is constant
            # within a domain, so it is applied to the variance at the end.
            estimate = ratio
            var_g, df_g = self._variance(wdev, keys, starts, n_dom)
            with np.errstate(invalid="ignore", divide="ignore"):
                var_g = var_g / (w_g * w_g)
        with np.errstate(invalid="ignore", divide="ignore"):
            if stat == "total":
                vsrs = q_g * w_g / (n_g - 1)
            else:
                vsrs = q_g / (w_g * (n_g - 1))
            deff = np.where(n_g > 1, var_g / vsrs, np.nan)
        return index, {
            "estimate": np.where(n_g > 0, estimate, np.nan),
            "var": var_g,
            "deff": deff,
            "n": n_g,
            "df": df_g,
        }

    def _variance(
        self, z: FloatArray, keys: list[NDArray[np.int64]], starts: IntArray, n_dom: int
    ) -> tuple[FloatArray, FloatArray]:
        """Variance of each domain's total of ``z`` (every stage), and the domain's df.

        ``keys`` (one per variance stage, ``domain << shift | unit_key``) are nondecreasing; domain
        d is rows ``starts[d]:starts[d + 1]``. The df is R's (first-stage PSUs reached minus
        strata reached), or, where that is 0, the PSUs reached minus 1 (the module docstring's
        "Small domains"), at most the design's.
        """
        if len(z) == 0:
            return np.full(n_dom, np.nan), np.zeros(n_dom)
        total = np.zeros(n_dom)
        psus = n_str = np.zeros(n_dom)
        before = None  # the previous stage's cells
        for k, stage in enumerate(self._stages[: self._n_var_stages]):  # stages, not units
            if keys[k] is None:
                total += self._rows_variance(stage, z, before, n_dom)
                continue
            v, cells, strata, before = self._stage_variance(
                stage, k == 0, z, keys[k], starts, n_dom
            )
            if k == 0:
                psus, n_str = cells, strata
                v = v * _small_domain_factor(psus, n_str)
            total += v
        df = psus - n_str
        df = np.where((df < 1) & (psus >= 2), np.minimum(psus - 1, max(self.degf, 0)), df)
        return np.where(n_str > 0, total, np.nan), df

    def _stage_variance(
        self,
        stage: _Stage,
        first: bool,
        z: FloatArray,
        key: NDArray[np.int64],
        starts: IntArray,
        n_dom: int,
    ) -> tuple[FloatArray, FloatArray, FloatArray, tuple]:
        """One stage's between-unit variance of each domain's total of ``z``.

        (domain, unit) cells are runs of rows and (domain, stratum) groups runs of cells (unit
        codes are sorted by stratum); a later stage's strata are grouped by (domain, unit of the
        stage before) for ``average``. Returns the variance, the units reached and the strata
        reached, per domain, and the cells (for :meth:`_rows_variance` of the next stage).
        """
        if stage.singleton:  # every unit is one row: the rows are the cells
            cs = np.arange(len(z), dtype=np.intp)
            t, cell_key, cell = z, key, None
        else:
            cs, cell = _runs(key)
            t = np.bincount(cell, weights=z, minlength=len(cs))  # unit totals in each domain
            cell_key = key[cs]
        cells_per_dom = np.diff(np.searchsorted(cs, starts))
        gkey = cell_key >> stage.bits  # domain << strata_bits | stratum, per cell
        gs = _breaks(gkey)
        reached_i = np.diff(np.append(gs, len(cs)))  # units of the stratum the domain reaches
        s1 = np.add.reduceat(t, gs)
        gg = gkey[gs] >> stage.strata_bits
        gh = gkey[gs] & ((1 << stage.strata_bits) - 1)
        centred = _centred(t, s1, gs, reached_i, stage.n[gh])
        if first:  # the strata of a domain form one group
            group, n_groups = gg, n_dom
        else:  # grouped by (domain, unit of the stage before)
            brk = _breaks(gg * stage.n_parent + stage.parent[gh])
            group = np.repeat(np.arange(len(brk)), np.diff(np.append(brk, len(gs))))
            n_groups = len(brk)
        per_group = self._group_variance(stage, gh, reached_i, s1, centred, group, n_groups)
        if first:
            v = per_group
        else:
            v = np.bincount(gg[brk], weights=per_group, minlength=n_dom)
        reached_strata = np.bincount(gg, minlength=n_dom).astype(float)
        return v, cells_per_dom.astype(float), reached_strata, (
            stage, cs, t, cell_key, starts, cell
        )

    def _rows_variance(self, stage: _Stage, z: FloatArray, before: tuple, n_dom: int):
        """The variance of a stage whose units are rows and whose strata are the units of the
        stage before (respondents within offices), from that stage's cells: each (domain,
        unit) cell is the (domain, stratum) group here. The same rules as
        :meth:`_stage_variance`, without a second pass over the rows' keys.
        """
        prev, cs, t, cell_key, starts, cell = before
        unit = prev.unit_of_key[cell_key & (prev.span - 1)]  # = this stage's stratum
        reached_i = np.diff(cs, append=len(z))
        squares = None if cell is None else np.bincount(cell, weights=np.square(z),
                                                        minlength=len(cs))
        centred = _centred(z, t, cs, reached_i, stage.n[unit], squares)
        per_cell = self._group_variance(stage, unit, reached_i, t, centred, None, len(cs))
        cell_starts = np.searchsorted(cs, starts)  # the cells are sorted by domain
        return _segment_sums(per_cell, cell_starts, n_dom)

    def _lonely(self, stage: _Stage, strata: IntArray, reached) -> NDArray[np.bool_] | None:
        """Where a (domain, stratum) group is lonely under ``adjust`` or ``average``.

        A stratum with one unit in the sample, or, with ``adjust_domain_lonely``, one the
        domain reaches in a single unit; a census never. None under the other policies (a
        lonely stratum adds nothing there: its centred total is 0). ``strata`` and ``reached``
        broadcast against each other.
        """
        if self.lonely_psu not in ("adjust", "average"):
            return None
        lonely = stage.n[strata] == 1
        if self.adjust_domain_lonely:
            lonely = lonely | (reached == 1)
        return lonely & ~stage.census[strata]

    def _group_variance(self, stage: _Stage, strata, reached, s1, centred, group, n_groups):
        """Each group's variance from its (domain, stratum) contributions, lonely rules applied.

        ``a * centred`` per stratum (``a``: FPC scale times the earlier stages' sampling
        fractions, 0 for a census); ``adjust``: ``a * s1**2`` where lonely; ``average``: lonely
        strata left out and the group rescaled (:meth:`_average`). ``group=None``: each stratum
        is its own group.
        """
        a = stage.a[strata]
        contrib = np.multiply(a, centred, out=centred)  # the centred sums are not used again
        lonely = self._lonely(stage, strata, reached)
        factor: Any = 1.0
        if lonely is not None and lonely.any():
            uncentred = lonely
            if self.lonely_psu == "average":
                uncentred, left_out, factor = self._average(
                    np.arange(n_groups) if group is None else group, n_groups,
                    np.ones(len(lonely), dtype=bool), lonely,
                )
                contrib = np.where(left_out, 0.0, contrib)
            contrib = np.where(uncentred, a * s1 * s1, contrib)
        if group is not None:  # strata summed by group
            contrib = np.bincount(group, weights=contrib, minlength=n_groups)
        return contrib if np.isscalar(factor) else contrib * factor

    def _average(self, group: IntArray, n_groups: int, present, lonely):
        """``average``: the rescaling per group of strata, and its fallback to ``adjust``.

        ``group`` (nondecreasing) is the group of each stratum, along the first axis of the
        masks (a second axis, if any, holds domains; then every group has a stratum). Each
        group's variance is multiplied by (strata present) / (strata present and not lonely);
        where none is left, the group's lonely strata are treated as under ``adjust`` instead
        (R would return NaN) and the factor is 1.

        Returns:
            ``(uncentred, left_out, factor)``: the lonely strata to take uncentred (the
            fallback), those to leave out, and the factor per group.
        """
        kept = present & ~lonely
        if present.ndim == 1:
            n_str = np.bincount(group, weights=present, minlength=n_groups)
            n_ok = np.bincount(group, weights=kept, minlength=n_groups)
        else:
            starts = np.searchsorted(group, np.arange(n_groups))
            n_str = np.add.reduceat(present.astype(float), starts, axis=0)
            n_ok = np.add.reduceat(kept.astype(float), starts, axis=0)
        fallback = (n_ok == 0)[group]
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(n_ok > 0, n_str / n_ok, 1.0)
        return lonely & fallback, lonely & ~fallback, factor

    def _table(self, index: pd.Index, r: dict, low, high, n_eff) -> pd.DataFrame:
        se = np.sqrt(r["var"])
        out = pd.DataFrame(
            {
                "estimate": r["estimate"],
                "se": se,
                "ci_low": low,
                "ci_high": high,
                "deff": r["deff"],
                "n": r["n"].astype(np.int64),
                "n_eff": n_eff,
                "df": r["df"].astype(np.int64),
            },
            index=index,
        )
        return out

    # Public estimators ------------------------------------------------------------------------
    def proportion(
        self, var: str, by: By = None, ci_method: CiMethod = "beta", level: float = 0.95
    ) -> pd.DataFrame:
        """Weighted proportion of a 0/1 variable, overall or for each domain of ``by``.

        Args:
            var: column with values 0, 1 or missing (NaN / <NA>: not in the domain).
            by: None (one row labelled ``"all"``, index named ``"domain"``), a column, or a list
                of columns (a MultiIndex). Rows with a missing ``by`` value are in no domain;
                a domain whose rows all miss ``var`` is kept with ``n = 0`` and NaN estimates.
            ci_method: one of ``beta`` (Korn-Graubard, default), ``logit``, ``wilson``,
                ``clopper-pearson``, ``jeffreys``, ``wald``; see
                :func:`satisfaction.intervals.survey_proportion_ci`.
            level: confidence level.

        Returns:
            DataFrame indexed by domain with columns ``estimate, se, ci_low, ci_high, deff, n,
            n_eff, df``: ``n`` respondents with a valid answer, ``n_eff`` the NCHS effective
            sample size (:func:`~satisfaction.intervals.effective_sample_size`), ``df`` the
            domain's degrees of freedom (module docstring, "Small domains"). A domain inside a
            single PSU has df 0 and no interval (NaN limits), which the reliability rules
            suppress with that reason.

        Raises:
            ValueError: unknown column, a value other than 0/1, an unknown method or level.

        Examples:
            >>> df = pd.DataFrame({"y": [1, 1, 0, 1, None, 1], "g": list("aabbbb")})
            >>> SurveyDesign(df).proportion("y", by="g")[["estimate", "n", "df"]]  # doctest: +NORMALIZE_WHITESPACE
               estimate  n  df
            g
            a  1.000000  2   1
            b  0.666667  3   2
        """
        ci_method = check_method(ci_method, SURVEY_METHODS, what="ci_method")
        cols = self._by_columns(by)
        index, r = self._linearise(var, cols, "proportion")
        se = np.sqrt(r["var"])
        low, high = survey_proportion_ci(r["estimate"], se, r["n"], r["df"], ci_method, level)
        n_eff = effective_sample_size(r["estimate"], se, r["n"])
        return self._table(index, r, low, high, n_eff)

    def mean(
        self, var: str, by: By = None, ci_method: str = "t", level: float = 0.95
    ) -> pd.DataFrame:
        """Weighted mean of a numeric variable, overall or for each domain of ``by``.

        The interval is ``estimate +/- t(df) se`` with the domain's degrees of freedom
        (``ci_method="t"``, the only method). ``n_eff = n / deff``, at most ``n``.

        Args:
            var: numeric column; NaN / <NA> = not in the domain.
            by: as in :meth:`proportion`.
            ci_method: ``"t"``.
            level: confidence level.

        Returns:
            DataFrame with the columns of :meth:`proportion`.

        Examples:
            >>> df = pd.DataFrame({"score": [4.0, 5, 3, 4], "w": [1.0, 1, 2, 2]})
            >>> SurveyDesign(df, weights="w").mean("score")[["estimate", "n", "df"]]  # doctest: +NORMALIZE_WHITESPACE
                    estimate  n  df
            domain
            all     3.833333  4   3
        """
        check_method(ci_method, ("t",), what="ci_method for a mean")
        return self._continuous(var, by, "mean", level)

    def total(self, var: str, by: By = None, level: float = 0.95) -> pd.DataFrame:
        """Weighted total of a numeric variable, overall or for each domain of ``by``.

        The interval is ``estimate +/- t(df) se``; ``deff`` is R's ``svytotal(deff="replace")``;
        ``n_eff = n / deff``, at most ``n``.

        Args:
            var: numeric column; NaN / <NA> = not counted.
            by: as in :meth:`proportion`.
            level: confidence level.

        Returns:
            DataFrame with the columns of :meth:`proportion`.

        Examples:
            >>> df = pd.DataFrame({"y": [1.0, 0, 1, 1], "w": [10.0, 10, 20, 20]})
            >>> SurveyDesign(df, weights="w").total("y")["estimate"].tolist()
            [50.0]
        """
        return self._continuous(var, by, "total", level)

    def _continuous(self, var: str, by: By, stat: str, level: float) -> pd.DataFrame:
        cols = self._by_columns(by)
        index, r = self._linearise(var, cols, stat)
        se = np.sqrt(r["var"])
        low, high = t_interval(r["estimate"], se, r["df"], level)
        with np.errstate(invalid="ignore", divide="ignore"):
            n_eff = np.minimum(r["n"], r["n"] / r["deff"])
        n_eff = np.where(r["n"] > 0, n_eff, np.nan)
        return self._table(index, r, low, high, n_eff)

    def crosstab(
        self,
        var: str,
        rows: str,
        cols: str,
        ci_method: CiMethod = "beta",
        level: float = 0.95,
    ) -> pd.DataFrame:
        """Two-way table of proportions of ``var`` (e.g. satisfied by level x field), long form.

        Every (row, column) domain is estimated over the full design, exactly as
        ``proportion(var, by=[rows, cols])``; the result has a row for every combination of an
        observed ``rows`` label and an observed ``cols`` label, empty cells with ``n = 0`` and
        NaN elsewhere. For the wide table of estimates use
        ``crosstab(...)["estimate"].unstack(cols)``.

        Args:
            var: 0/1 column.
            rows: column for the table's rows.
            cols: column for the table's columns.
            ci_method: as in :meth:`proportion`.
            level: confidence level.

        Returns:
            DataFrame with a (rows, cols) MultiIndex and the columns of :meth:`proportion`.

        Examples:
            >>> df = pd.DataFrame({"y": [1, 0, 1, 1], "lv": list("ppdd"), "f": list("xyxx")})
            >>> SurveyDesign(df).crosstab("y", "lv", "f")[["estimate", "n"]]  # doctest: +NORMALIZE_WHITESPACE
                  estimate  n
            lv f
            d  x       1.0  2
               y       NaN  0
            p  x       1.0  1
               y       0.0  1
        """
        if rows == cols:
            raise ValueError("crosstab needs two different columns")
        table = self.proportion(var, by=[rows, cols], ci_method=ci_method, level=level)
        _, levels, *_ = self._domains(self._by_columns([rows, cols]))
        full = pd.MultiIndex.from_product(levels, names=[rows, cols])
        table = table.reindex(full)
        table["n"] = table["n"].fillna(0).astype(np.int64)
        table["df"] = table["df"].fillna(0).astype(np.int64)
        return table

    def domain_covariance(
        self, var: str, domains: Mapping[str, ArrayLike]
    ) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
        """Weighted means of ``var`` in several domains and their design covariance matrix.

        The domains may overlap (a subset and the whole sample) or be disjoint; each is a mask
        over the rows of the design. Every mean is linearised as in :meth:`mean` (influence
        column ``w d (y - estimate) / sum(w d)``), the columns' PSU totals are centred within
        strata and crossed with the same FPC and lonely-PSU rules, so the diagonal is the
        ``se**2`` of :meth:`mean` on each domain and the matrix equals R's ``vcov`` of
        ``svycontrast`` on ``svytotal`` of the domain totals (when every domain reaches every
        stratum; under ``average`` each domain's rescaling is by the strata it reaches, and a
        covariance is rescaled by the geometric mean of the two factors; where a domain
        reaches only lonely strata, those count as under ``adjust``, as in :meth:`mean`, so no
        row or column is NaN). A multi-stage design adds every later stage's term, as
        :meth:`mean` does. This is what a difference of two domain means of ONE design needs:
        ``Var(a - b) = Var(a) + Var(b) - 2 Cov(a, b)``.

        Args:
            var: numeric column; rows where it is missing are outside every domain (R's
                ``na.rm = TRUE``) but keep their PSUs in the design.
            domains: domain name -> boolean mask with one value per row, by position (a
                pandas Series must carry the data's index); a missing value means "not in
                the domain".

        Returns:
            ``(estimates, covariance, n)``: the mean per domain (a Series named by domain), its
            covariance matrix (a DataFrame, domains by domains) and the respondents with a
            valid ``var`` per domain. A domain without such respondents has a NaN estimate and
            NaN row and column.

        Raises:
            ValueError: unknown or non-numeric ``var``, no domains, a mask of the wrong length,
                with an index other than the data's, or with values other than True/False.

        Examples:
            >>> df = pd.DataFrame({"y": [1., 0., 1., 1., 0., 1.], "g": list("aabbab"),
            ...                    "w": [1., 2., 1., 1., 1., 2.], "psu": [1, 1, 2, 2, 3, 3]})
            >>> d = SurveyDesign(df, weights="w", psu="psu")
            >>> est, cov, n = d.domain_covariance("y", {"a": df.g == "a", "all": df.g.notna()})
            >>> est.round(4).tolist(), n.tolist()
            ([0.25, 0.625], [3, 6])
            >>> cov.round(6)  # doctest: +NORMALIZE_WHITESPACE
                           a       all
            domain
            a       0.011719 -0.011719
            all    -0.011719  0.031494
            >>> bool(np.isclose(cov.loc["a", "a"], d.mean("y", by="g").loc["a", "se"] ** 2))
            True
        """
        if not isinstance(domains, Mapping) or not domains:
            raise ValueError("domains must be a non-empty mapping of name -> boolean mask")
        y = self._variable(var, binary=False)[self._perm]
        names = [str(k) for k in domains]
        masks = np.column_stack([self._domain_mask(str(k), m) for k, m in domains.items()])
        w = self._w_sorted
        member = masks[self._perm] & ~np.isnan(y)[:, None]  # rows sorted by unit, then stratum
        wd = w[:, None] * member
        w_d = wd.sum(axis=0)
        n_d = member.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            estimate = (wd * np.where(member, y[:, None], 0.0)).sum(axis=0) / w_d
        # Influence columns w d (y - estimate); the 1 / sum(w d) factor is applied at the end.
        z = np.where(member, wd * (y[:, None] - estimate[None, :]), 0.0)
        cov = np.zeros((len(names), len(names)))
        for k, stage in enumerate(self._stages[: self._n_var_stages]):  # stages, not units
            cov += self._stage_influence(stage, z, member, first=k == 0)
        cov = (cov + cov.T) / 2  # exactly symmetric (the diagonal is unchanged)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = cov / np.outer(w_d, w_d)
        empty = n_d == 0
        cov[empty, :] = np.nan
        cov[:, empty] = np.nan
        estimate = np.where(n_d > 0, estimate, np.nan)
        index = pd.Index(names, name="domain", dtype=object)
        return (
            pd.Series(estimate, index=index, name="estimate"),
            pd.DataFrame(cov, index=index, columns=pd.Index(names, dtype=object)),
            pd.Series(n_d.astype(np.int64), index=index, name="n"),
        )

    def contrasts(
        self,
        var: str,
        domains: Mapping[str, ArrayLike],
        pairs: Sequence[tuple[str, str]],
        level: float = 0.95,
    ) -> pd.DataFrame:
        """Differences of the means of ``var`` between pairs of domains of this design.

        Two domains of ONE design are not two independent samples: both share strata and
        PSUs (an office serves people in person and online), so the difference ``a - b`` has
        ``Var(a - b) = Var(a) + Var(b) - 2 Cov(a, b)``, from :meth:`domain_covariance` (the
        same linearisation, FPC and lonely-PSU rules as :meth:`mean`). This equals R's
        ``svycontrast`` of the two domain ratios built from ``svytotal`` (the tests match it
        to 1e-10 under every lonely-PSU policy and with an FPC). The interval is Wald with
        normal quantiles and the test its inversion, as R's ``confint`` on a contrast. The
        covariance matrix is computed once for all pairs.

        Args:
            var: numeric column (e.g. ``satisfied``: 1.0 / 0.0 / NaN); rows where it is
                missing are outside every domain but keep their PSUs in the design.
            domains: domain name -> boolean mask (may overlap: a subset and the whole sample).
            pairs: ``(a, b)`` names of ``domains``; each row of the result is ``a - b``.
            level: confidence level of the interval.

        Returns:
            One row per pair, indexed by (``domain_a``, ``domain_b``): estimate_a, estimate_b,
            difference, se, ci_low, ci_high, z, p_value (two-sided), se_independent (what
            treating the domains as independent samples would give), covariance, n_a, n_b
            (respondents with a valid ``var``).

        Raises:
            ValueError: no pairs, a pair naming an unknown domain, a bad ``level``, or what
                :meth:`domain_covariance` refuses.

        Examples:
            >>> df = pd.DataFrame({"y": [1., 0., 1., 1., 0., 1.], "g": list("aabbab"),
            ...                    "w": [1., 2., 1., 1., 1., 2.], "psu": [1, 1, 2, 2, 3, 3]})
            >>> d = SurveyDesign(df, weights="w", psu="psu")
            >>> t = d.contrasts("y", {"a": df.g == "a", "b": df.g == "b", "all": df.g.notna()},
            ...                 [("a", "b"), ("a", "all")])
            >>> t[["difference", "se", "se_independent", "n_a", "n_b"]].round(4)  # doctest: +NORMALIZE_WHITESPACE
                               difference      se  se_independent  n_a  n_b
            domain_a domain_b
            a        b             -0.750  0.1083          0.1083    3    3
                     all           -0.375  0.2582          0.2079    3    6
        """
        pairs = [(str(a), str(b)) for a, b in pairs]
        if not pairs:
            raise ValueError("no pairs of domains given")
        z = z_quantile(level)
        est, cov, n = self.domain_covariance(var, domains)
        ia = est.index.get_indexer([a for a, _ in pairs])
        ib = est.index.get_indexer([b for _, b in pairs])
        if (ia < 0).any() or (ib < 0).any():
            unknown = sorted({x for pair in pairs for x in pair} - set(est.index))
            raise ValueError(f"pair names unknown domain(s) {', '.join(unknown)}")
        e, c, counts = est.to_numpy(), cov.to_numpy(), n.to_numpy()
        diff = e[ia] - e[ib]
        var_d = c[ia, ia] + c[ib, ib] - 2 * c[ia, ib]
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.where(np.isfinite(var_d), np.sqrt(np.maximum(var_d, 0.0)), np.nan)
            stat = np.where(se > 0, diff / se, np.nan)
            se_independent = np.sqrt(c[ia, ia] + c[ib, ib])
        p = np.where(np.isfinite(stat), 2 * stats.norm.sf(np.abs(stat)), np.nan)
        return pd.DataFrame(
            {
                "estimate_a": e[ia],
                "estimate_b": e[ib],
                "difference": diff,
                "se": se,
                "ci_low": diff - z * se,
                "ci_high": diff + z * se,
                "z": stat,
                "p_value": p,
                "se_independent": se_independent,
                "covariance": c[ia, ib],
                "n_a": counts[ia],
                "n_b": counts[ib],
            },
            index=pd.MultiIndex.from_tuples(pairs, names=["domain_a", "domain_b"]),
        )

    def contrast(
        self, var: str, domain_a: ArrayLike, domain_b: ArrayLike, level: float = 0.95
    ) -> pd.Series:
        """The difference of the means of ``var`` in two domains of this design, ``a - b``.

        One row of :meth:`contrasts` (which see for the method and the columns).

        Examples:
            >>> df = pd.DataFrame({"y": [1., 0., 1., 1., 0., 1.], "g": list("aabbab"),
            ...                    "w": [1., 2., 1., 1., 1., 2.], "psu": [1, 1, 2, 2, 3, 3]})
            >>> r = SurveyDesign(df, weights="w", psu="psu").contrast("y", df.g == "a", df.g == "b")
            >>> round(float(r["difference"]), 4), round(float(r["se"]), 4)
            (-0.75, 0.1083)
        """
        table = self.contrasts(var, {"a": domain_a, "b": domain_b}, [("a", "b")], level)
        return table.iloc[0].rename(None)

    def _stage_influence(
        self, stage: _Stage, z: FloatArray, member, first: bool = False
    ) -> FloatArray:
        """One stage's covariance contribution of the influence columns (domains by domains).

        The unit totals centred in their strata (uncentred where lonely under ``adjust``), times
        the FPC scale and the earlier stages' sampling fractions: ``(x * a).T @ x``; under
        ``average`` the left-out strata are dropped and each (group, domain) rescaled, a
        covariance by the geometric mean of its two domains' factors, as is, at the first
        stage, the small-domain factor of :func:`_small_domain_factor`.

        ``z`` and ``member`` are rows (sorted by last-stage unit) by domains.
        """
        if stage.singleton:
            t, hits = z, member
        else:
            units = self._last_sorted if stage.of_last is None else stage.of_last[self._last_sorted]
            starts = np.searchsorted(units, np.arange(len(stage.stratum)))
            t = np.add.reduceat(z, starts, axis=0)  # unit totals, units sorted by stratum
            hits = np.add.reduceat(member.astype(np.int64), starts, axis=0) > 0
        h = stage.stratum
        strata = np.arange(len(stage.n))[:, None]
        s1 = np.add.reduceat(t, np.searchsorted(h, strata[:, 0]), axis=0)  # stratum totals
        reached = np.add.reduceat(hits.astype(float), np.searchsorted(h, strata[:, 0]), axis=0)
        x = t - (s1 / stage.n[:, None])[h]
        column = np.ones(len(reached[0]))  # a factor per domain
        lonely = self._lonely(stage, strata, reached)
        if lonely is not None and lonely.any():
            uncentred = lonely
            if self.lonely_psu == "average":
                uncentred, left_out, factor = self._average(
                    stage.parent, stage.n_parent, reached > 0, lonely
                )
                x = np.where(left_out[h], 0.0, x)
                if first:  # one group: a factor per domain
                    column = column * factor[0]
                else:  # a factor per (unit of the stage before, domain)
                    x = x * np.sqrt(factor[stage.parent])[h]
            x = np.where(uncentred[h], t, x)
        if first:
            column = column * _small_domain_factor(reached.sum(axis=0), (reached > 0).sum(axis=0))
        cov = (x * stage.a[h][:, None]).T @ x
        if np.any(column != 1):
            k = np.sqrt(column)
            cov = cov * np.outer(k, k)
        return cov

    def _domain_mask(self, name: str, mask: ArrayLike) -> NDArray[np.bool_]:
        """A domain's mask as a boolean array in data order (missing = not in the domain)."""
        if isinstance(mask, pd.Series):
            if not mask.index.equals(self._data.index):
                raise ValueError(f"domain {name!r}: the mask's index is not the data's index")
            values = mask.to_numpy()
        else:
            values = np.asarray(mask)
        if values.shape != (self._n,):
            raise ValueError(
                f"domain {name!r}: mask must have one value per row ({self._n}), "
                f"got shape {values.shape}"
            )
        s = pd.Series(values)
        s = s.where(s.notna(), False)
        if not s.isin([True, False]).all():
            raise ValueError(f"domain {name!r}: mask must hold True/False (missing = False)")
        return s.astype(bool).to_numpy()


    def first_stage(self) -> FirstStage:
        """The design's first stage as arrays (for estimators written on PSU totals).

        For a multi-stage design this is the first stage alone (the later stages' variance is
        not in it: ``variance_stages`` says how many stages the design's own estimates use).

        Returns:
            A :class:`FirstStage`: weights and PSU code per row (data order), the stratum of
            each PSU, PSUs per stratum, the FPC factor ``(N_h - n_h) / N_h`` per stratum.

        Examples:
            >>> df = pd.DataFrame({"s": list("aabb"), "psu": [1, 2, 1, 1], "w": [1., 2, 3, 4]})
            >>> fs = SurveyDesign(df, weights="w", strata="s", psu="psu",
            ...                   lonely_psu="certainty").first_stage()
            >>> fs.psu.tolist(), fs.psu_stratum.tolist(), fs.n_psu.tolist(), fs.strata
            ([0, 1, 2, 2], [0, 0, 1], [2.0, 1.0], ['a', 'b'])
        """
        w = np.empty(self._n)
        w[self._perm] = self._w_sorted
        psu = np.empty(self._n, dtype=np.intp)
        psu[self._perm] = self._psu_sorted
        return FirstStage(
            weights=w,
            psu=psu,
            psu_stratum=self._h_of_psu.copy(),
            n_psu=self._n_psu_h.copy(),
            fpc_factor=self._f_h.copy(),
            strata=[str(v) for v in self._strata_labels],
            variance_stages=self._n_var_stages,
        )

    def within_psu(self) -> SurveyDesign:
        """The design for estimates of single PSUs: each PSU a stratum, its respondents the units.

        A PSU of the national design (an office) has no design-based variance of its own there
        (one PSU, df 0). Within a PSU the respondents are the sample: this design takes every
        PSU as a stratum and every respondent as a unit, with the same weights and no FPC, so
        that ``within_psu().proportion(y, by=psu_column)`` gives each PSU's rate with an interval
        that treats its respondents as a with-replacement sample (R: ``svydesign(ids = ~1,
        strata = ~psu, weights = ~w)``). A PSU with a single respondent follows the design's
        lonely-PSU policy.

        For a multi-stage design it is the later stages within each PSU: the PSU (with the
        second stage's strata, if any) is the stratum, the second-stage units the PSUs, with
        their FPCs (R: ``svydesign(ids = ~respondent, strata = ~office, fpc = ~fpc2)``).

        Raises:
            ValueError: the design has no PSU column.

        Examples:
            >>> df = pd.DataFrame({"s": list("aaabb"), "office": list("xxyzz"),
            ...                    "w": [1., 1, 2, 1, 3], "y": [1, 0, 1, 1, 0]})
            >>> d = SurveyDesign(df, weights="w", strata="s", psu="office", lonely_psu="adjust")
            >>> d.within_psu().proportion("y", by="office")[["estimate", "n", "df"]]  # doctest: +NORMALIZE_WHITESPACE
                    estimate  n  df
            office
            x           0.50  2   1
            y           1.00  1   0
            z           0.25  2   1
        """
        if self.psu is None:
            raise ValueError("the design has no PSU column: every row is its own PSU already")
        column, weight = "__psu_within__", "__weight_within__"
        if len(self._stages) == 1:
            code = self._psu_sorted
            psu, strata, fpc = None, column, None
        else:
            second = self._stages[1]
            units = self._last_sorted if second.of_last is None else second.of_last[self._last_sorted]
            code = second.stratum[units]  # the PSU (and second-stage stratum) of each row
            later = _stage_columns(self.strata, "strata", none_ok=True)[2:]
            psu = list(_stage_columns(self.psu, "psu")[1:])
            strata = [column, *later]
            fpc = list(_stage_columns(self.fpc, "fpc")[1:]) or None
        rows = np.empty(self._n, dtype=np.int64)
        rows[self._perm] = code
        w = np.empty(self._n)
        w[self._perm] = self._w_sorted
        data = self._data.assign(**{column: rows, weight: w})
        return SurveyDesign(
            data, weights=weight, strata=strata, psu=psu, fpc=fpc, lonely_psu=self.lonely_psu
        )
