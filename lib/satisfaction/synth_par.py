"""Synthetic PAR-index unit tables of the synthetic years, calibrated to the published figures.

The ministry publishes only aggregates of its administrative-reform (PAR) index. So that
notebook ``04_par_index`` runs out of the box, this module writes a unit x criterion table for
each year of :data:`YEARS` (``data/raw/par_<year>.csv``; the long layout read by
:func:`satisfaction.par_index.load_par`) that reproduces what was published (DESIGN.md
section 1), wherever it was published:

* the mean of the appraised unit scores (params ``published.par_index_mean``), exactly to two
  decimals;
* the units per band (params ``published.par_index_counts``, or the ``published`` section of
  ``data/raw/par_criteria.yaml``), and the change of each band on the previous year
  (``par_index_change`` there, or ``change_on_previous``): a year whose counts were not
  published follows from the next year's published change.

Assumptions (not published; documented here and in the notebook):

* Units: the same 110 units in every year (the count of the one release that gives it): the
  63 provincial police ("Công an tỉnh <P>", "Công an thành phố <P>" for the five
  centrally-run cities, codes P01-P63 in codebook order) and 47 ministry-level units (codes
  B01-B47; the names are illustrative, the real list of scored units was not published).
* Band levels not published (:data:`ASSUMED_LEVELS`): where only excellent and good were
  published, the other bands are assumed so that the units add up.
* A year without a published mean is not calibrated (its mean comes out near
  :data:`SCORE_CENTRE`).
* Bands are those of each year's params (``par_bands``), with the band rule of
  :func:`~satisfaction.par_index.assign_bands`.
* Points are in quarter points. Appraised points never exceed a criterion's maximum;
  self-assessed points are mostly a little higher (units claim more than the appraisal
  council grants) and occasionally lower.
* A unit's standing persists between years (a latent reform capacity plus yearly noise), so
  the transition matrix looks like a real one: most units stay, some move one band.
* The PAR scores are generated independently of the synthetic survey: any rank correlation
  with survey satisfaction in the shipped data is chance.

The shipped files contain no faults; the fault handling of :mod:`satisfaction.par_index` is
tested on tables the tests build.

Not for: analysing the tables (see :mod:`satisfaction.par_index`) or the synthetic survey
(see :mod:`satisfaction.synth`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .codebook import load_codebook, nfc
from .par_index import NOT_COMPLETED, ParCriteria, assign_bands, band_order, load_criteria
from .params import load_params
from .synth import DEFAULT_SEED

YEARS = (2019, 2020, 2021)
"""The synthetic years with a PAR table (their params name ``par_<year>.csv``)."""
QUARTER = 0.25
"""Points are awarded in quarter points."""

CENTRAL_CITIES = ("Hà Nội", "Hải Phòng", "Đà Nẵng", "TP. Hồ Chí Minh", "Cần Thơ")
"""Centrally-run cities: their police is "Công an thành phố ...", not "Công an tỉnh ..."."""

MINISTRY_UNITS = (
    "Văn phòng Bộ Công an",
    "Thanh tra Bộ Công an",
    "Cục Pháp chế và cải cách hành chính, tư pháp",
    "Cục Tổ chức cán bộ",
    "Cục Đào tạo",
    "Cục Tài chính",
    "Cục Kế hoạch và đầu tư",
    "Cục Đối ngoại",
    "Cục Công tác đảng và công tác chính trị",
    "Cục Truyền thông Công an nhân dân",
    "Viện Chiến lược và Khoa học Công an",
    "Cục Quản lý xuất nhập cảnh",
    "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "Cục Cảnh sát giao thông",
    "Cục Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    "Cục Cảnh sát hình sự",
    "Cục Cảnh sát kinh tế",
    "Cục Cảnh sát điều tra tội phạm về ma túy",
    "Cục Cảnh sát phòng, chống tội phạm về môi trường",
    "Cục Cảnh sát điều tra tội phạm về tham nhũng, kinh tế, buôn lậu",
    "Cục Cảnh sát quản lý trại giam, cơ sở giáo dục bắt buộc, trường giáo dưỡng",
    "Cục Cảnh sát thi hành án hình sự và hỗ trợ tư pháp",
    "Cục Cảnh sát quản lý tạm giữ, tạm giam và thi hành án hình sự tại cộng đồng",
    "Cục Cảnh sát điều tra tội phạm về trật tự xã hội",
    "Văn phòng Cơ quan Cảnh sát điều tra",
    "Bộ Tư lệnh Cảnh sát cơ động",
    "Bộ Tư lệnh Cảnh vệ",
    "Cục An ninh đối ngoại",
    "Cục An ninh nội địa",
    "Cục An ninh chính trị nội bộ",
    "Cục An ninh kinh tế",
    "Cục An ninh điều tra",
    "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
    "Cục Hồ sơ nghiệp vụ",
    "Cục Kỹ thuật nghiệp vụ",
    "Cục Trang bị và kho vận",
    "Cục Quản lý xây dựng và doanh trại",
    "Cục Y tế",
    "Cục Viễn thông và cơ yếu",
    "Cục Công nghiệp an ninh",
    "Viện Khoa học hình sự",
    "Cục Quản lý khoa học, công nghệ và môi trường",
    "Học viện An ninh nhân dân",
    "Học viện Cảnh sát nhân dân",
    "Học viện Chính trị Công an nhân dân",
    "Trường Đại học Phòng cháy chữa cháy",
    "Bệnh viện 19-8",
)
"""Illustrative ministry-level units (47, so that with the 63 provinces there are 110)."""

ASSUMED_LEVELS = {2020: {"fair": 11, "completed": 4, NOT_COMPLETED: 0}}
"""Band levels the ministry did not publish (assumption; see the module docstring)."""

DIFFICULTY = {
    "direction": 0.6, "institutions": 0.8, "procedures": 1.0, "apparatus": 0.7,
    "civil_service": 0.8, "public_finance": 0.8, "e_government": 1.7, "impact": 1.4,
    "satisfaction": 1.1,
}
"""Relative tendency of a criterion to lose points (per point of maximum); others: 1."""

SCORE_SD = 8.0
"""SD of the normal distribution unit scores are drawn from (truncated to their band)."""
SCORE_CENTRE = 84.0
"""Centre of that normal in a year without a published mean."""

PERSISTENCE_NOISE = 0.55
"""SD of the yearly noise added to a unit's latent reform capacity (capacity SD 1)."""


def synthetic_units() -> pd.DataFrame:
    """The 110 synthetic units: 63 provincial police and 47 ministry units.

    Returns:
        One row per unit: ``unit_code, unit, unit_type`` (``province`` or ``ministry``),
        ``province`` (codebook name; <NA> for ministry units).

    Examples:
        >>> u = synthetic_units()
        >>> len(u), u["unit_type"].value_counts().to_dict()
        (110, {'province': 63, 'ministry': 47})
        >>> u.loc[u["province"].isin(["Hà Giang", "TP. Hồ Chí Minh"]), "unit"].tolist()
        ['Công an tỉnh Hà Giang', 'Công an thành phố Hồ Chí Minh']
    """
    provinces = pd.Series(load_codebook().provinces, dtype="string")
    city = provinces.isin(CENTRAL_CITIES)
    bare = provinces.str.replace(r"^TP\.\s*", "", regex=True)
    names = ("Công an " + pd.Series(np.where(city, "thành phố ", "tỉnh "), dtype="string")
             + bare)
    prov = pd.DataFrame({
        "unit_code": [f"P{i:02d}" for i in range(1, len(provinces) + 1)],
        "unit": names.map(nfc), "unit_type": "province", "province": provinces.map(nfc),
    })
    ministry = pd.DataFrame({
        "unit_code": [f"B{i:02d}" for i in range(1, len(MINISTRY_UNITS) + 1)],
        "unit": [nfc(u) for u in MINISTRY_UNITS], "unit_type": "ministry",
        "province": pd.Series(pd.NA, index=range(len(MINISTRY_UNITS)), dtype="string"),
    })
    out = pd.concat([prov, ministry], ignore_index=True)
    return out.astype({"unit_code": "string", "unit": "string", "unit_type": "string",
                       "province": "string"})


def calibration_targets(criteria: ParCriteria | None = None, n_units: int = 110,
                        years: tuple[int, ...] = YEARS) -> pd.DataFrame:
    """The band counts and means each synthetic year is calibrated to.

    A year with published counts takes them (bands not published from
    :data:`ASSUMED_LEVELS`); a year without follows from the next year's published change.
    The mean is the params' ``published.par_index_mean`` (None: not calibrated).

    Args:
        criteria: the criteria file (its ``published`` section); default the shipped one.
        n_units: units per year.
        years: the years; each year without published counts must be followed by one with a
            published change.

    Returns:
        Index ``year``; one column per band (best first) and ``mean`` (NaN: free).

    Raises:
        ValueError: the counts do not add up to ``n_units`` or a count is negative.

    Examples:
        >>> calibration_targets()  # doctest: +NORMALIZE_WHITESPACE
              excellent  good  fair  completed  not_completed   mean
        year
        2019         10    68    24          8              0    NaN
        2020         14    81    11          4              0  85.78
        2021         12    76    15          7              0  84.24
    """
    criteria = criteria or load_criteria()
    years = tuple(sorted(years))
    params = {y: load_params(y, check_paths=False) for y in years}
    published = {y: params[y].published_par(criteria) for y in years}
    bands = band_order(params[years[-1]].par_bands)
    rows: dict[int, dict[str, float]] = {}
    for y in years:
        if published[y].get("counts"):
            rows[y] = {b: 0 for b in bands} | ASSUMED_LEVELS.get(y, {}) | published[y]["counts"]
    for y_after, y_before in zip(years[::-1], years[::-1][1:], strict=False):
        change = published[y_after].get("change_on_previous", {})
        if y_before in rows:
            continue
        if not change or y_after not in rows:
            raise ValueError(f"no published change from {y_before} to {y_after}")
        rows[y_before] = {b: rows[y_after][b] - change.get(b, 0) for b in bands}
    out = pd.DataFrame.from_dict(rows, orient="index")[bands].sort_index().astype(int)
    out.index.name = "year"
    for y in years:
        if (out.loc[y] < 0).any() or out.loc[y].sum() != n_units:
            raise ValueError(f"{y}: band counts {out.loc[y].to_dict()} must be >= 0 and add "
                             f"up to {n_units} units")
    out["mean"] = [params[y].published.get("par_index_mean") for y in years]
    out["mean"] = out["mean"].astype("float64")
    return out


def _band_ranges(bands: Mapping[str, float]) -> dict[str, tuple[float, float]]:
    """Drawing range [low, high) of each band's synthetic scores (top band: up to 99.75)."""
    order = band_order(bands)
    bounds = [float(bands[b]) for b in order[:-1]]
    ranges = {order[0]: (bounds[0], 100.0)}
    for i, b in enumerate(order[1:-1], start=1):
        ranges[b] = (bounds[i], bounds[i - 1])
    ranges[NOT_COMPLETED] = (max(bounds[-1] - 15.0, 0.0), bounds[-1])
    return ranges


def _draw_totals(rng: np.random.Generator, propensity: np.ndarray, counts: Mapping[str, int],
                 bands: Mapping[str, float], target_mean: float | None) -> np.ndarray:
    """Unit totals (percent, quarter points) with exactly ``counts`` per band.

    Within its band a score is drawn from a normal distribution (SD :data:`SCORE_SD`)
    truncated to the band, so the density is continuous across band bounds (units just below
    a bound are as common as just above it). The centre of that normal is solved so that the
    mean hits ``target_mean``; the remaining quarter points after rounding are added to or
    taken from randomly chosen units that stay in their band.
    """
    n = propensity.size
    order = band_order(bands)
    ranges = _band_ranges(bands)
    rank = np.argsort(-propensity, kind="stable")           # best unit first
    band_of_rank = np.repeat(np.arange(len(order)), [int(counts.get(b, 0)) for b in order])
    band_idx = np.empty(n, dtype=int)
    band_idx[rank] = band_of_rank
    lo = np.array([ranges[b][0] for b in order])[band_idx]
    top = np.array([ranges[b][1] for b in order])[band_idx] - QUARTER   # highest value allowed
    v = rng.random(n)

    def draw(centre: float) -> np.ndarray:
        a = stats.norm.cdf(lo - QUARTER / 2, centre, SCORE_SD)
        b = stats.norm.cdf(top + QUARTER / 2, centre, SCORE_SD)
        return stats.norm.ppf(a + v * (b - a), centre, SCORE_SD)

    centre = SCORE_CENTRE
    if target_mean is not None:
        low, high = draw(65.0).mean(), draw(105.0).mean()
        if not low <= target_mean <= high:
            raise ValueError(f"cannot reach a mean of {target_mean} with these band counts "
                             f"(reachable about {low:.2f} to {high:.2f})")
        centre = optimize.brentq(lambda m: draw(m).mean() - target_mean, 65.0, 105.0)
    score = np.clip(lo + QUARTER * np.round((draw(centre) - lo) / QUARTER), lo, top)
    # Within a band, the unit with the higher propensity gets the higher score.
    by_unit = np.lexsort((-propensity, band_idx))
    by_score = np.lexsort((-score, band_idx))
    ranked = np.empty(n)
    ranked[by_unit] = score[by_score]
    score = ranked
    if target_mean is None:
        return score
    target_sum = round(target_mean * n / QUARTER) * QUARTER
    if round(target_sum / n, 2) != round(target_mean, 2):
        raise ValueError(f"no quarter-point total gives a mean of {target_mean} over {n} units")
    diff = round((target_sum - score.sum()) / QUARTER)
    while diff != 0:                                       # a pass or two, each vectorised
        step = QUARTER * np.sign(diff)
        eligible = np.flatnonzero((score + step <= top + 1e-9) & (score + step >= lo - 1e-9))
        if eligible.size == 0:
            raise ValueError(f"cannot reach a mean of {target_mean} within the band counts")
        pick = rng.permutation(eligible)[: abs(diff)]
        score[pick] += step
        diff -= int(np.sign(diff)) * pick.size
    return score


def _split_losses(rng: np.random.Generator, totals: np.ndarray,
                  criteria: ParCriteria) -> np.ndarray:
    """Appraised points per unit x criterion (quarter points) adding up to ``totals``."""
    maxima = criteria.max_points.to_numpy()
    n, k = totals.size, maxima.size
    scale = criteria.total / 100.0
    loss_q = np.round((criteria.total - totals * scale) / QUARTER).astype(int)  # quarters lost
    weight = maxima * np.array([DIFFICULTY.get(c, 1.0) for c in criteria.codes])
    share = weight * rng.gamma(2.0, 1.0, size=(n, k))
    share /= share.sum(axis=1, keepdims=True)
    raw = loss_q[:, None] * share
    lost = np.floor(raw).astype(int)
    left = loss_q - lost.sum(axis=1)
    order = np.argsort(np.argsort(-(raw - lost), axis=1, kind="stable"), axis=1, kind="stable")
    lost += order < left[:, None]
    cap = np.round(maxima / QUARTER).astype(int)
    over = np.maximum(lost - cap, 0).sum(axis=1)
    lost = np.minimum(lost, cap)
    while over.any():                                      # rare, a pass or two
        room = cap - lost
        target = np.argmax(room, axis=1)
        give = np.minimum(over, room[np.arange(n), target])
        lost[np.arange(n), target] += give
        over -= give
    return maxima - QUARTER * lost


def _self_assessed(rng: np.random.Generator, appraised: np.ndarray,
                   maxima: np.ndarray) -> np.ndarray:
    """Self-assessed points: mostly a few quarter points above the appraisal, within 0..max."""
    shape = appraised.shape
    claim = np.where(rng.random(shape) < 0.45, 0, rng.geometric(0.35, size=shape))
    under = rng.random(shape) < 0.03
    delta = np.where(under, -rng.geometric(0.5, size=shape), claim) * QUARTER
    return np.clip(appraised + delta, 0.0, maxima)


def synthesize_par(seed: int = DEFAULT_SEED, criteria: ParCriteria | None = None,
                   bands: Mapping[int, Mapping[str, float]] | None = None,
                   targets: pd.DataFrame | None = None) -> dict[int, pd.DataFrame]:
    """Generate the synthetic unit x criterion tables of every year.

    Args:
        seed: seed of the random generator (the tables are a pure function of it); default
            the survey generator's, as ``satisfaction synth`` passes.
        criteria: the criteria (default: ``data/raw/par_criteria.yaml``).
        bands: year -> band bounds (default: each year's params ``par_bands``).
        targets: band counts and means per year (default: :func:`calibration_targets`).

    Returns:
        Year -> long table ``year, unit_code, unit, unit_type, province, criterion,
        self_points, appraised_points`` (units in code order, criteria in file order).

    Raises:
        ValueError: targets that cannot be met (counts not adding up to the units, a mean
            outside what the band counts allow).

    Examples:
        >>> t = synthesize_par()
        >>> sorted(t) == sorted(YEARS), t[2020].shape
        (True, (990, 8))
        >>> tot = t[2020].groupby("unit_code")["appraised_points"].sum()
        >>> good = (tot >= 80) & (tot < 95)
        >>> round(float(tot.mean()), 2), int((tot >= 95).sum()), int(good.sum())
        (85.78, 14, 81)
    """
    criteria = criteria or load_criteria()
    units = synthetic_units()
    targets = calibration_targets(criteria, len(units)) if targets is None else targets
    years = [int(y) for y in targets.index]
    bands = bands or {y: load_params(y, check_paths=False).par_bands for y in years}
    rng = np.random.default_rng(seed)
    capacity = rng.normal(size=len(units))
    out: dict[int, pd.DataFrame] = {}
    for year in years:                                      # a few years, not a hot path
        b = bands[year]
        order = band_order(b)
        counts = {band: int(targets.loc[year, band]) if band in targets else 0
                  for band in order}
        mean = targets.loc[year, "mean"] if "mean" in targets else np.nan
        propensity = capacity + PERSISTENCE_NOISE * rng.normal(size=len(units))
        totals = _draw_totals(rng, propensity, counts, b,
                              None if pd.isna(mean) else float(mean))
        appraised = _split_losses(rng, totals, criteria)
        self_pts = _self_assessed(rng, appraised, criteria.max_points.to_numpy())
        got = assign_bands(pd.Series(appraised.sum(axis=1)), b).value_counts()
        if any(int(got.get(band, 0)) != n for band, n in counts.items()):
            raise ValueError(f"{year}: calibration failed, got {got.to_dict()}")
        k = len(criteria.codes)
        table = units.loc[units.index.repeat(k)].reset_index(drop=True)
        table.insert(0, "year", year)
        table["criterion"] = np.tile(criteria.codes, len(units))
        table["self_points"] = self_pts.ravel()
        table["appraised_points"] = appraised.ravel()
        out[year] = table
    return out


def write_par_tables(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write ``par_<year>.csv`` for every synthetic year (UTF-8, LF, two decimals).

    The files are byte-for-byte the same for the same seed, criteria, params and codebook.
    The shipped ``data/raw/par_*.csv`` are those of the default seed, the survey generator's
    :data:`satisfaction.synth.DEFAULT_SEED`, which ``satisfaction synth`` (``make synth``)
    passes. Each file is written atomically (a temporary file renamed over the target).

    Args:
        out_dir: the folder (created if missing), e.g. ``data/raw``.
        seed: the generator's seed.

    Returns:
        The paths written, oldest year first.

    Examples:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     [p.name for p in write_par_tables(Path(d))] == [f"par_{y}.csv" for y in YEARS]
        True
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for year, table in sorted(synthesize_par(seed).items()):
        path = out_dir / f"par_{year}.csv"
        text = table.to_csv(index=False, float_format="%.2f", lineterminator="\n")
        fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        paths.append(path)
    return paths
