"""Design-based estimation: ``SurveyDesign`` with Taylor-linearised estimates for domains.

What this module is for: describing how the respondents were sampled (weights, strata, primary
sampling units, finite population correction, a policy for strata with a single PSU) and
estimating proportions, means and totals -- overall and for domains -- with standard errors,
design effects, effective sample sizes and confidence intervals that equal R's ``survey``
package (``svydesign`` + ``svymean`` / ``svytotal`` / ``svyby`` / ``svyciprop``); and the
covariance matrix of several (possibly overlapping) domain means of the one design
(:meth:`SurveyDesign.domain_covariance`, R's ``vcov`` of ``svycontrast`` on ``svytotal``), which
a difference of two domains of one survey needs.

What it is NOT for: interval formulas (:mod:`satisfaction.intervals`), publication rules
(:mod:`satisfaction.reliability`), comparisons between years (``satisfaction.compare``),
calibration, replicate weights or multi-stage variance (only the first stage, the "ultimate
cluster" approximation, as R does with ``ids = ~psu``).

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
  is the design's :attr:`SurveyDesign.degf`.
* ``deff`` is R's ``deff = "replace"``: the variance over that of a simple random sample drawn
  with replacement, ``s_w**2 / n`` with ``s_w**2 = n / (n - 1) * sum(w (y - ybar)**2) / sum(w)``
  (times ``sum(w)**2`` for a total).

Lonely PSUs (a stratum with a single PSU in the sample), as R's ``options(survey.lonely.psu)``:

* ``fail``: the design cannot be built; the error names the strata.
* ``certainty`` and ``remove``: the stratum adds nothing to the variance. (In R 4.1 both give
  the same single-stage variance.)
* ``adjust``: the stratum's PSU total is centred at zero -- the grand mean of the linearised
  variable -- instead of at its own stratum mean, and is not scaled by ``n / (n - 1)``.
* ``average``: the stratum is left out and the variance is multiplied by
  (strata reached) / (strata reached that have two or more PSUs).
* A stratum whose PSUs were all sampled (``N_h = n_h``, ``f_h = 0``) adds no variance whatever
  the policy, and is no error under ``fail`` (as in R).

``adjust_domain_lonely=True`` is R's ``options(survey.adjust.domain.lonely = TRUE)``: a domain
that reaches only one PSU of a stratum with several is treated, in that stratum, as lonely --
``adjust`` uses the uncentred PSU total (with the stratum's ``n_h / (n_h - 1)``), ``average``
leaves the stratum out and rescales; the other policies are unaffected. The default (False)
keeps the stratum's usual centred contribution, as R does by default.

FPC: a column of population sizes (PSUs in the stratum; rows when there are no PSUs) when any
value exceeds 1, otherwise of sampling fractions ``n_h / N_h`` (R's rule; a column of 1s is
read as fractions, a census, where R refuses it as ambiguous). It must be constant within each
stratum. Without ``weights`` the weights are ``N_h / n_h`` from the FPC (as R
derives them), or 1 without FPC.

PSU labels are taken within strata (R's ``nest = TRUE``): PSU "1" of stratum A and PSU "1" of
stratum B are different PSUs. String labels (strata, PSUs, domains) are normalised to Unicode
NFC, so "Hà Nội" typed in two Unicode forms is one domain.

Speed: every statistic is one vectorised pass over the rows sorted by domain and PSU (the sort
is cached per ``by``), then passes over the (domain, PSU) cells and (domain, stratum) groups --
no Python loop over domains, strata or PSUs. ``domain_covariance`` works on a matrix of
influence columns (one per domain): PSU and stratum totals by ``np.add.reduceat``, then one
matrix product.
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
    """

    weights: FloatArray
    psu: IntArray
    psu_stratum: IntArray
    n_psu: FloatArray
    fpc_factor: FloatArray
    strata: list[str]


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


@dataclass(frozen=True)
class DesignSpec:
    """How a survey year was sampled, by column name: what ``params/<year>.yaml`` ``design:`` says.

    The one description of a design that notebooks, modules and tests pass around; the
    :class:`SurveyDesign` itself is built from it over a data frame with :meth:`build`
    (or, for a year's processed table, :func:`satisfaction.years.load_design`).

    Attributes:
        weights: column of sampling weights (None: from ``fpc``, or 1).
        strata: column of strata (None: one stratum).
        psu: column of primary sampling units, nested in strata (None: each row).
        fpc: column of population sizes or sampling fractions (None: with replacement).
        lonely_psu: the policy for strata with a single PSU (R's ``survey.lonely.psu``).
        adjust_domain_lonely: R's ``survey.adjust.domain.lonely``.

    Examples:
        >>> spec = DesignSpec(weights="w", strata="s", psu="psu", lonely_psu="adjust")
        >>> spec.columns
        ['w', 's', 'psu']
        >>> df = pd.DataFrame({"w": [1.0, 2, 1, 3], "s": list("aabb"), "psu": [1, 2, 3, 4],
        ...                    "y": [1, 0, 1, 1]})
        >>> spec.build(df)
        SurveyDesign(n=4, strata=2, psu=4, degf=2, weights='w', fpc=None, lonely_psu='adjust')
    """

    weights: str | None = None
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: LonelyPsu = "fail"
    adjust_domain_lonely: bool = False

    def __post_init__(self) -> None:
        for role in ("weights", "strata", "psu", "fpc"):
            value = getattr(self, role)
            if value is not None and not (isinstance(value, str) and value):
                raise ValueError(f"design {role} must be a column name or null, got {value!r}")
        check_lonely_psu(self.lonely_psu)
        if not isinstance(self.adjust_domain_lonely, bool):
            raise ValueError(
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
        """
        if isinstance(spec, DesignSpec):
            return spec
        if not isinstance(spec, Mapping):
            raise ValueError(f"design must be a mapping of column names, got {type(spec).__name__}")
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
        """The data columns the design reads (weights, strata, PSU, FPC), in that order."""
        return [c for c in (self.weights, self.strata, self.psu, self.fpc) if c is not None]

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


def _factorize(values: pd.Series) -> tuple[IntArray, pd.Index]:
    """Sorted integer codes (-1 for missing) and labels; string labels in Unicode NFC.

    Labels that differ only in their Unicode form become one label.
    """
    try:
        codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    except TypeError:  # labels of mixed types that cannot be ordered
        codes, uniques = pd.factorize(values.astype(str).where(values.notna()), sort=True)
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


class SurveyDesign:
    """A complex survey design and its Taylor-linearised estimators, equal to R's ``survey``.

    Args:
        data: one row per respondent. It is read, never modified.
        weights: column of sampling weights (> 0). None: ``N_h / n_h`` from ``fpc``, or 1.
        strata: column of strata. None: one stratum.
        psu: column of primary sampling units (nested in strata). None: each row is a PSU.
        fpc: column of population sizes or of sampling fractions (see the module docstring).
        lonely_psu: ``"fail"``, ``"certainty"``, ``"remove"``, ``"adjust"`` or ``"average"``:
            R's ``survey.lonely.psu``.
        adjust_domain_lonely: R's ``survey.adjust.domain.lonely`` (default False, as in R).

    Raises:
        ValueError: a column is missing; weights are missing, not finite or not positive;
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
    """

    def __init__(
        self,
        data: pd.DataFrame,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | None = None,
        fpc: str | None = None,
        lonely_psu: LonelyPsu = "fail",
        *,
        adjust_domain_lonely: bool = False,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if len(data) == 0:
            raise ValueError("data has no rows")
        check_lonely_psu(lonely_psu)
        for role, col in (("weights", weights), ("strata", strata), ("psu", psu), ("fpc", fpc)):
            if col is not None and col not in data.columns:
                raise ValueError(f"{role} column {col!r} is not in the data")
        self._data = data
        self.weights, self.strata, self.psu, self.fpc = weights, strata, psu, fpc
        self.lonely_psu = lonely_psu
        self.adjust_domain_lonely = bool(adjust_domain_lonely)
        n = len(data)
        self._n = n

        # Strata ---------------------------------------------------------------------------
        if strata is None:
            h = np.zeros(n, dtype=np.intp)
            self._strata_labels = pd.Index([ALL_LABEL], dtype=object)
        else:
            h, self._strata_labels = _factorize(data[strata])
            if np.any(h < 0):
                raise ValueError(
                    f"strata column {strata!r} has {int(np.sum(h < 0))} missing value(s)"
                )
        n_strata = len(self._strata_labels)

        # PSUs, nested in strata, coded so that PSU codes are sorted by stratum --------------
        if psu is None:
            order = np.argsort(h, kind="stable")
            psu_code = np.empty(n, dtype=np.intp)
            psu_code[order] = np.arange(n, dtype=np.intp)
            h_of_psu = h[order]
        else:
            raw, _ = _factorize(data[psu])
            if np.any(raw < 0):
                raise ValueError(f"psu column {psu!r} has {int(np.sum(raw < 0))} missing value(s)")
            key = h.astype(np.int64) * (int(raw.max()) + 1) + raw
            psu_code, ukeys = pd.factorize(key, sort=True)
            psu_code = np.asarray(psu_code, dtype=np.intp)
            h_of_psu = (np.asarray(ukeys) // (int(raw.max()) + 1)).astype(np.intp)
        self._h_of_psu = h_of_psu
        n_psu_h = np.bincount(h_of_psu, minlength=n_strata).astype(float)
        self._n_psu_h = n_psu_h
        self._n_psu = len(h_of_psu)

        # Finite population correction --------------------------------------------------------
        if fpc is None:
            pop_h = np.full(n_strata, np.inf)
        else:
            pop_h = self._read_fpc(data[fpc], h, n_psu_h, fpc)
        with np.errstate(invalid="ignore", divide="ignore"):
            self._f_h = np.where(np.isinf(pop_h), 1.0, (pop_h - n_psu_h) / pop_h)

        # Weights -----------------------------------------------------------------------------
        if weights is not None:
            w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = ~np.isfinite(w) | (w <= 0)
            if np.any(bad):
                first = data.index[np.flatnonzero(bad)[0]]
                raise ValueError(
                    f"weights column {weights!r} has {int(bad.sum())} value(s) that are missing, "
                    f"not finite or not positive (first at row {first!r})"
                )
        elif fpc is not None:
            with np.errstate(divide="ignore"):
                w = (pop_h / n_psu_h)[h]
            if not np.all(np.isfinite(w)):
                raise ValueError("weights cannot be derived from fractions of 0; give weights")
        else:
            w = np.ones(n)

        # Lonely PSUs -------------------------------------------------------------------------
        lonely = (n_psu_h == 1) & (self._f_h >= _CENSUS_F)
        self._lonely_h = lonely
        if lonely_psu == "fail" and np.any(lonely):
            names = [str(v) for v in self._strata_labels[lonely]]
            shown = ", ".join(repr(v) for v in names[:10]) + (" ..." if len(names) > 10 else "")
            what = f"stratum {shown} has" if len(names) == 1 else f"strata {shown} have"
            raise ValueError(
                f"{what} only one PSU (lonely PSU), so its variance cannot be estimated under "
                "lonely_psu='fail'; choose lonely_psu='adjust', 'average', 'certainty' or "
                "'remove' (R's survey.lonely.psu) or merge strata"
            )

        # Rows sorted by PSU (hence by stratum) -------------------------------------------
        if self._n_psu < 2**16:
            perm = np.argsort(psu_code.astype(np.uint16), kind="stable")
        else:
            perm = np.argsort(psu_code, kind="stable")
        self._perm = perm
        self._w_sorted = np.ascontiguousarray(w[perm])
        psu_dtype = np.int32 if self._n_psu < 2**31 else np.int64
        self._psu_sorted = np.ascontiguousarray(psu_code[perm].astype(psu_dtype))
        self._domain_cache: dict[tuple[str, ...], tuple] = {}

    # ----------------------------------------------------------------------------------------
    @staticmethod
    def _read_fpc(col: pd.Series, h: IntArray, n_psu_h: FloatArray, name: str) -> FloatArray:
        v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if np.any(np.isnan(v)) or np.any(v < 0):
            raise ValueError(f"fpc column {name!r} has missing or negative values")
        n_strata = len(n_psu_h)
        lo = pd.Series(v).groupby(h).min().reindex(range(n_strata)).to_numpy()
        hi = pd.Series(v).groupby(h).max().reindex(range(n_strata)).to_numpy()
        if np.any(lo != hi):
            raise ValueError(f"fpc column {name!r} varies within a stratum; it must be constant")
        is_size = bool(np.any(v > 1))
        if is_size and np.any(v < 1):
            raise ValueError(
                f"fpc column {name!r} mixes population sizes (> 1) and sampling fractions (< 1)"
            )
        with np.errstate(divide="ignore"):
            pop = lo if is_size else n_psu_h / lo
        if np.any(pop < n_psu_h):
            raise ValueError(
                f"fpc column {name!r} implies more than 100 % sampling in a stratum "
                f"(population {pop[pop < n_psu_h][0]:g} < {n_psu_h[pop < n_psu_h][0]:g} sampled)"
            )
        return pop

    @property
    def n(self) -> int:
        """Number of rows (respondents) in the design."""
        return self._n

    @property
    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R's ``degf``)."""
        return int(self._n_psu - len(self._strata_labels))

    @property
    def data(self) -> pd.DataFrame:
        """The data the design was built on (not a copy: do not modify it)."""
        return self._data

    @property
    def lonely_strata(self) -> list[str]:
        """Labels of strata with a single PSU (those a census of PSUs excluded)."""
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
        """Domain coding for ``cols`` (cached): index, labels per level, sorted row arrays."""
        cached = self._domain_cache.get(cols)
        if cached is not None:
            return cached
        n = self._n
        if not cols:
            g = np.zeros(n, dtype=np.intp)
            index = pd.Index([ALL_LABEL], name="domain", dtype=object)
            level_labels: list[pd.Index] = []
        else:
            codes, uniq = zip(*(_factorize(self._data[c]) for c in cols), strict=True)
            level_labels = list(uniq)
            if len(cols) == 1:
                g = codes[0]
                index = pd.Index(uniq[0], name=cols[0])
            else:
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
                index = pd.MultiIndex.from_arrays(arrays[::-1], names=list(cols))
        n_dom = len(index)
        # Rows with a missing label get code n_dom and sort last. Small codes are gathered and
        # radix-sorted as 16-bit integers.
        small = n_dom + 1 < 2**16
        g = np.where(g < 0, n_dom, g).astype(np.uint16 if small else np.intp)
        g_psu = g[self._perm]
        o = np.argsort(g_psu, kind="stable")  # stable: rows stay in PSU order within a domain
        order = self._perm[o]
        # One int64 key per row, nondecreasing: domain * (number of PSUs) + PSU. The sorted
        # domain codes are runs, built without a gather.
        counts = np.bincount(g_psu, minlength=n_dom + 1)
        key = np.repeat(np.arange(n_dom + 1, dtype=np.int64) * self._n_psu, counts)
        key += self._psu_sorted[o]
        out = (index, level_labels, n_dom, order, key, np.ascontiguousarray(self._w_sorted[o]))
        self._domain_cache[cols] = out
        return out

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
        index, _levels, n_dom, order, key, w = self._domains(cols)
        n_psu = self._n_psu
        y = y_all[order]
        valid = ~np.isnan(y)
        if not np.all(valid):
            keep = np.flatnonzero(valid)
            y, key, w = y[keep], key[keep], w[keep]
        # Rows are sorted by domain: domain d is rows starts[d]:starts[d + 1].
        starts = np.searchsorted(key, np.arange(n_dom + 1, dtype=np.int64) * n_psu)
        n_g = np.diff(starts).astype(float)
        y = y[: starts[-1]]  # drop rows whose domain label is missing (sorted last)
        key, w = key[: starts[-1]], w[: starts[-1]]
        wy = w * y
        w_g = _segment_sums(w, starts, n_dom)
        a_g = _segment_sums(wy, starts, n_dom)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = a_g / w_g
            dev = y - np.repeat(ratio, n_g.astype(np.intp))
        wdev = w * dev
        q_g = _segment_sums(wdev * dev, starts, n_dom)  # sum of w (y - ybar)**2
        if stat == "total":
            estimate = a_g
            var_g, df_g = self._variance(wy, key, starts, n_dom)
        else:
            # Linearised variable w (y - ratio) / sum(w): the 1 / sum(w) factor is constant
            # within a domain, so it is applied to the variance at the end.
            estimate = ratio
            var_g, df_g = self._variance(wdev, key, starts, n_dom)
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
        self, z: FloatArray, key: NDArray[np.int64], starts: NDArray[np.intp], n_dom: int
    ) -> tuple[FloatArray, FloatArray]:
        """Stratified between-PSU variance of each domain's total of ``z``, and its df.

        ``key`` (domain * PSUs + PSU) is nondecreasing (domain d is rows
        ``starts[d]:starts[d + 1]``), so (domain, PSU) cells are runs of
        rows and (domain, stratum) groups are runs of cells: PSU codes are sorted by stratum.
        """
        if len(z) == 0:
            return np.full(n_dom, np.nan), np.zeros(n_dom)
        n_psu = self._n_psu
        brk = np.empty(len(z), dtype=bool)
        brk[0] = True
        np.not_equal(key[1:], key[:-1], out=brk[1:])
        cs = np.flatnonzero(brk)
        t = np.add.reduceat(z, cs)  # PSU totals within each domain
        # Domain of each cell without dividing: cells are sorted by domain.
        cells_per_dom = np.diff(np.searchsorted(cs, starts))
        cg = np.repeat(np.arange(n_dom, dtype=np.int64), cells_per_dom)
        ch = self._h_of_psu[key[cs] - cg * n_psu]
        gkey = cg * len(self._n_psu_h) + ch
        brk2 = np.empty(len(cs), dtype=bool)
        brk2[0] = True
        np.not_equal(gkey[1:], gkey[:-1], out=brk2[1:])
        gs = np.flatnonzero(brk2)
        reached_i = np.diff(np.append(gs, len(cs)))  # PSUs of the stratum the domain reaches
        reached = reached_i.astype(float)
        s1 = np.add.reduceat(t, gs)
        gg = cg[gs]
        gh = ch[gs]
        n_h = self._n_psu_h[gh]
        f_h = self._f_h[gh]
        tbar = s1 / n_h
        dev = t - np.repeat(tbar, reached_i)
        centred = np.add.reduceat(dev * dev, gs)
        centred += (n_h - reached) * tbar * tbar  # the PSUs of the stratum it does not reach
        scale, uncentred, left_out, census = self._stratum_rule(n_h, f_h, reached)
        # A stratum with one PSU gives 0 when centred: certainty, remove.
        contrib = np.where(uncentred, scale * s1 * s1, scale * centred)
        contrib = np.where(census, 0.0, contrib)
        total = np.bincount(gg, weights=np.where(left_out, 0.0, contrib), minlength=n_dom)
        n_str = np.bincount(gg, minlength=n_dom).astype(float)
        if self.lonely_psu == "average":
            n_ok = np.bincount(gg, weights=(~left_out).astype(float), minlength=n_dom)
            with np.errstate(invalid="ignore", divide="ignore"):
                total = total * n_str / n_ok
        return np.where(n_str > 0, total, np.nan), cells_per_dom - n_str

    def _stratum_rule(
        self, n_h: FloatArray, f_h: FloatArray, reached: FloatArray
    ) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
        """How a stratum enters a domain's variance: FPC scale and lonely-PSU policy.

        Arguments broadcast against each other: ``n_h`` the stratum's PSUs in the sample,
        ``f_h`` its finite population correction, ``reached`` the PSUs of it the domain reaches.

        Returns:
            ``scale`` (``f_h n_h / (n_h - 1)``, ``f_h`` for a single PSU); ``uncentred``: use the
            PSU totals centred at 0 (``adjust``); ``left_out``: drop the stratum and rescale by
            strata reached / strata kept (``average``); ``census``: the stratum adds no variance.
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(n_h > 1, f_h * n_h / (n_h - 1), f_h)
        census = f_h < _CENSUS_F
        policy = self.lonely_psu
        lonely = n_h == 1
        if self.adjust_domain_lonely and policy in ("adjust", "average"):
            lonely = lonely | (reached == 1)
        lonely = lonely & ~census
        none = np.zeros_like(lonely)
        uncentred = lonely if policy == "adjust" else none
        left_out = lonely if policy == "average" else none
        return scale, uncentred, left_out, census

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
        self, var: str, by: By = None, ci_method: str = "beta", level: float = 0.95
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
            domain's degrees of freedom.

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
        if ci_method not in SURVEY_METHODS:
            raise ValueError(
                f"unknown ci_method {ci_method!r}; choose one of {', '.join(SURVEY_METHODS)}"
            )
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
        if ci_method != "t":
            raise ValueError(f"unknown ci_method {ci_method!r} for a mean; use 't'")
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
        ci_method: str = "beta",
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
        covariance is rescaled by the geometric mean of the two factors). This is what a
        difference of two domain means of ONE design needs:
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
        perm, w, n_psu = self._perm, self._w_sorted, self._n_psu
        member = masks[perm] & ~np.isnan(y)[:, None]  # rows sorted by PSU, then by stratum
        wd = w[:, None] * member
        w_d = wd.sum(axis=0)
        n_d = member.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            estimate = (wd * np.where(member, y[:, None], 0.0)).sum(axis=0) / w_d
        # Influence columns w d (y - estimate); the 1 / sum(w d) factor is applied at the end.
        z = np.where(member, wd * (y[:, None] - estimate[None, :]), 0.0)
        starts = np.searchsorted(self._psu_sorted, np.arange(n_psu))
        t = np.add.reduceat(z, starts, axis=0)  # PSU totals, PSUs sorted by stratum
        hits = np.add.reduceat(member.astype(np.int64), starts, axis=0) > 0
        h = self._h_of_psu
        hs = np.searchsorted(h, np.arange(len(self._n_psu_h)))
        s1 = np.add.reduceat(t, hs, axis=0)  # stratum totals
        reached = np.add.reduceat(hits.astype(float), hs, axis=0)
        n_h = self._n_psu_h[:, None]
        scale, uncentred, left_out, census = self._stratum_rule(n_h, self._f_h[:, None], reached)
        x = np.where(uncentred[h], t, t - (s1 / n_h)[h])
        x = np.where(left_out[h] | census[h], 0.0, x)
        cov = (x * scale[h]).T @ x
        cov = (cov + cov.T) / 2  # exactly symmetric (the diagonal is unchanged)
        n_str = (reached > 0).sum(axis=0).astype(float)
        if self.lonely_psu == "average":
            n_ok = ((reached > 0) & ~left_out).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                k = np.sqrt(n_str / n_ok)
            cov = cov * np.outer(k, k)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = cov / np.outer(w_d, w_d)
        empty = n_str == 0
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
        psu_code = np.empty(self._n, dtype=np.int64)
        psu_code[self._perm] = self._psu_sorted
        column = "__psu_within__"
        data = self._data.assign(**{column: psu_code})
        return SurveyDesign(data, weights=self.weights, strata=column, lonely_psu=self.lonely_psu)
