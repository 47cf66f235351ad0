"""Synthetic raw survey files, messy like field data, calibrated to the published figures.

Published microdata does not exist, so the repository ships a synthetic survey that lets every
notebook run out of the box. The generator draws a real two-stage design and then writes the
file as an office would have sent it:

* **Design.** 19 strata: the central level (5 ministry departments, taken with certainty),
  and province, district and commune levels crossed with the six regions. Provincial police
  offices are all taken; district and commune offices are drawn by systematic
  probability-proportional-to-size sampling on their yearly transaction volume. The same
  offices (the primary sampling units) are surveyed in both years. A respondent's weight is
  ``transactions / (inclusion probability x respondents in the office)``: the number of
  transactions the respondent stands for.
* **Answers.** A latent satisfaction per respondent (office, field and channel effects plus
  noise) drives the overall item and the 17 component items (correlated, so that reliability is
  realistic; fees and feedback items behave differently on purpose). The overall item is then
  calibrated *exactly*: respondents nearest the satisfied/neutral boundary are moved across it
  until the weighted share satisfied rounds to the target (:data:`YEARS`: the published rate of
  the latest published year, the percentage-point reading of its published change for the year
  before, an assumption for a year that published none).
* **Faults.** A few per cent of rows carry what real files carry: Likert answers typed as
  words, decomposed Unicode, stray spaces, office names spelled two ways, "don't know",
  refusal, blank and out-of-range codes in component items, a missing office code. Those are
  all repairable, so these rows stay. On top of the calibrated respondents, extra rows are
  written that the cleaning step must quarantine: exact and near duplicates of respondents,
  out-of-range overall answers, invalid weights, unknown categories and unknown offices.
  After cleaning, each year has exactly its ``n_clean`` respondents.
* **Questionnaires.** Each year is drawn on its own codebook (:attr:`YearSpec.codebook`): a
  revised questionnaire drops, adds and rewords items, and its file carries what it asked.

Files (one per year of :data:`YEARS`, in the year's format): a UTF-8 CSV with snake-case
Vietnamese headers, an Excel workbook with Vietnamese headers and no duration column, an SPSS
``.sav`` with short variable names, variable and value labels and user-missing codes; and
``offices.csv`` (the sampled offices: the list the cleaning step canonicalises office names
against). Everything is a pure function of the seed: the same seed writes the same bytes (the
.xlsx and the .sav are written with fixed timestamps).

Not for: the PAR index tables (see :mod:`satisfaction.synth_par`) or cleaning.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import config
from .codebook import Codebook, fold, load_codebook

DEFAULT_SEED = 20201

LEVELS = ("central", "province", "district", "commune")
CENTRAL_OFFICES = (
    ("TW01", "Cục Quản lý xuất nhập cảnh", ("passport",)),
    ("TW02", "Cục Cảnh sát quản lý hành chính về trật tự xã hội", ("business_security", "seals", "weapons", "id_card")),
    ("TW03", "Cục Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ", ("fire_safety",)),
    ("TW04", "Cục Cảnh sát giao thông", ("vehicle",)),
    ("TW05", "Trung tâm Dữ liệu quốc gia về dân cư", ("id_card", "residence")),
)
CITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ"}
# Procedure fields handled at each level, with their shares of transactions.
FIELDS_BY_LEVEL = {
    "province": {"passport": 0.28, "id_card": 0.22, "vehicle": 0.18, "fire_safety": 0.10,
                 "business_security": 0.09, "seals": 0.08, "weapons": 0.05},
    "district": {"id_card": 0.40, "residence": 0.25, "vehicle": 0.25, "fire_safety": 0.06,
                 "business_security": 0.04},
    "commune": {"residence": 0.70, "id_card": 0.25, "business_security": 0.05},
}
ORGANISATION_SHARE = {"fire_safety": 0.7, "business_security": 0.6, "seals": 0.8, "weapons": 0.7}
_FIRST = ("Tân", "Phú", "An", "Bình", "Vĩnh", "Thạch", "Hòa", "Long", "Đức", "Quảng", "Kim", "Yên")
_SECOND = ("Phú", "Lộc", "Sơn", "Thành", "Hưng", "Lợi", "Bình", "Thịnh", "Hải", "Xuân", "Điền", "Lâm")
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
           "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
_MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Xuân")
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hoa", "Hùng", "Lan", "Linh", "Long",
          "Mai", "Nam", "Nga", "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Vy", "Yến")

HEADERS = {
    # canonical -> (2020 CSV header, 2019 Excel header)
    "respondent_id": ("ma_phieu", "Mã phiếu"),
    "respondent_type": ("doi_tuong", "Loại đối tượng"),
    "level": ("cap", "Cấp giải quyết"),
    "province": ("tinh_tp", "Tỉnh/Thành phố"),
    "office_code": ("ma_don_vi", "Mã đơn vị"),
    "office": ("don_vi", "Đơn vị giải quyết"),
    "field": ("linh_vuc", "Lĩnh vực"),
    "channel": ("hinh_thuc", "Hình thức"),
    "stratum": ("tang", "Tầng"),
    "weight": ("trong_so", "Trọng số"),
    "interview_date": ("ngay_khao_sat", "Ngày khảo sát"),
    "duration_sec": ("thoi_gian_giay", None),
    "q_overall": ("hai_long_chung", "Hài lòng chung"),
    "full_name": ("ho_ten", "Họ và tên"),
    "phone": ("so_dien_thoai", "Số điện thoại"),
    "id_number": ("so_cccd", "Số CCCD/CMND"),
}


# The SPSS file's variable names (short, ASCII, as statistics offices name them): the codebook of
# its year lists them as aliases. Component items are written in upper case (A1, P3...).
SAV_HEADERS = {
    "respondent_id": "MAPHIEU", "respondent_type": "DOITUONG", "level": "CAPGQ",
    "province": "TINHTP", "office_code": "MADV", "office": "TENDV", "field": "LINHVUC",
    "channel": "HINHTHUC", "stratum": "TANG", "weight": "TRONGSO", "interview_date": "NGAYKS",
    "duration_sec": "TGTRALOI", "q_overall": "HLCHUNG", "full_name": "HOTEN", "phone": "SDT",
    "id_number": "CCCD",
}
SAV_CATEGORIES = ("respondent_type", "level", "field", "channel")
"""Category columns written as numeric codes with value labels in the .sav."""
SAV_NO_LABEL = 99
"""The .sav code of a category value the codebook does not know (no value label)."""

_DIFFICULTY = {"a1": 0.1, "a2": -0.1, "a3": 0.0, "p1": 0.1, "p2": 0.0, "p3": 1.2, "p4": -0.2,
               "o1": 0.2, "o2": 0.1, "o3": 0.0, "o4": 0.15, "r1": 0.1, "r2": 0.05,
               "r3": -0.25, "f1": -0.4, "f2": -0.6, "f3": -0.8}
_LOADINGS = {"f1": 0.6, "f2": 0.6, "f3": 0.6, "p3": 0.5}


@dataclass(frozen=True)
class YearSpec:
    """What one synthetic year looks like. Only the published figures of DESIGN.md section 1
    are facts (a rate, respondents); everything else is an assumption of the generator.

    Attributes:
        codebook: the year's questionnaire, a file of ``data/raw``.
        difficulty: per-item difficulty (added to the item's latent), over the defaults.
        loadings: per-item loading on the latent satisfaction, over the defaults (0.85).
    """

    year: int
    n_clean: int
    target_rate: float
    level_shares: dict[str, float]
    top_share: float            # share answering 5 on the overall item
    online_share: float
    transaction_factor: float   # transactions relative to 2020
    fmt: str                    # "csv", "xlsx" or "sav"
    faults: dict[str, float] = field(default_factory=dict)
    codebook: str = "codebook.yaml"
    difficulty: dict[str, float] = field(default_factory=dict)
    loadings: dict[str, float] = field(default_factory=dict)


_ROW_FAULTS = {  # share of kept rows carrying each repairable fault
    "likert_word": 0.020, "nfd_text": 0.030, "stray_spaces": 0.020, "office_variant": 0.020,
    "item_dont_know": 0.012, "item_refused": 0.004, "item_blank": 0.007,
    "item_out_of_range": 0.004, "office_code_blank": 0.002,
}
_EXTRA_ROWS = {  # extra rows (share of n_clean) that cleaning must quarantine
    "duplicate_exact": 0.010, "duplicate_near": 0.003, "overall_out_of_range": 0.002,
    "weight_invalid": 0.001, "category_invalid": 0.0005, "office_unknown": 0.0005,
}

YEARS = {
    2020: YearSpec(2020, 22_250, 0.9645, {"central": 0.06, "province": 0.27, "district": 0.335,
                                           "commune": 0.335}, 0.5645, 0.25, 1.0, "csv"),
    2019: YearSpec(2019, 19_752, 0.8669, {"central": 0.06, "province": 0.27, "district": 0.335,
                                           "commune": 0.335}, 0.3969, 0.10, 0.93, "xlsx"),
    # No rate or sample size was published for 2021: both are assumptions (a small fall, as the
    # PAR index fell from 85.78 to 84.24). A revised questionnaire: a3 dropped, a4 (online
    # services) added, o3 reworded (codebook_2021.yaml); the reworded o3 is a harder question.
    2021: YearSpec(2021, 21_870, 0.9512, {"central": 0.06, "province": 0.26, "district": 0.33,
                                           "commune": 0.35}, 0.5012, 0.38, 1.03, "sav",
                   codebook="codebook_2021.yaml", difficulty={"a4": 0.35, "o3": -0.3},
                   loadings={"a4": 0.7}),
}
"""The synthetic years. A year's spec is the generator's; its params file says the rest."""


# ---------------------------------------------------------------------------------------------
# The frame of offices (primary sampling units)
# ---------------------------------------------------------------------------------------------
def _province_office_name(province: str) -> str:
    if province == "TP. Hồ Chí Minh":
        return "Công an Thành phố Hồ Chí Minh"
    kind = "thành phố" if province in CITIES else "tỉnh"
    return f"Công an {kind} {province}"


def _pps_systematic(size: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices drawn by systematic PPS (one pass, no loop); sizes assumed below T/n."""
    cum = np.cumsum(size)
    step = cum[-1] / n
    points = rng.uniform(0, step) + step * np.arange(n)
    return np.searchsorted(cum, points, side="right")


def build_frame(codebook: Codebook, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The sampled offices with their design: code, name, level, province, stratum, size, pi.

    Args:
        codebook: the questionnaire (provinces and regions).
        seed: the generator seed.

    Returns:
        One row per sampled office (518 offices in 19 strata) with columns ``office_code,
        office, level, province, region, stratum, transactions, pi``.

    Examples:
        >>> f = build_frame(load_codebook())
        >>> len(f), f["stratum"].nunique(), f.groupby("level").size().to_dict()
        (518, 19, {'central': 5, 'commune': 300, 'district': 150, 'province': 63})
    """
    rng = np.random.default_rng([seed, 0])
    rows = []
    for code, name, _ in CENTRAL_OFFICES:
        rows.append((code, name, "central", "Hà Nội", "R2", "central",
                     float(rng.lognormal(11.0, 0.3)), 1.0))
    for i, prov in enumerate(codebook.provinces, start=1):
        region = codebook.province_region[prov]
        rows.append((f"T{i:02d}", _province_office_name(prov), "province", prov, region,
                     f"province-{region}", float(rng.lognormal(10.3, 0.5)), 1.0))
    counters = {"district": 0, "commune": 0}
    for level, per_province, n_per_region, prefix, kind, mu in (
        ("district", 11, 25, "H", "huyện", 8.6),
        ("commune", 160, 50, "X", "xã", 6.2),
    ):
        for region, provs in codebook.spec["provinces"].items():
            provs = [unicodedata.normalize("NFC", p) for p in provs]
            pop = len(provs) * per_province
            size = rng.lognormal(mu, 0.55, size=pop)
            home = rng.integers(0, len(provs), size=pop)
            picked = _pps_systematic(size, n_per_region, rng)
            pi = np.minimum(1.0, n_per_region * size[picked] / size.sum())
            names = rng.permutation(len(_FIRST) * len(_SECOND))
            for k, idx in enumerate(picked):
                counters[level] += 1
                prov = provs[home[idx]]
                first, second = divmod(int(names[k]), len(_SECOND))
                place = f"{_FIRST[first]} {_SECOND[second]}"
                rows.append((f"{prefix}{counters[level]:03d}", f"Công an {kind} {place}, {prov}",
                             level, prov, region, f"{level}-{region}", float(size[idx]),
                             float(pi[k])))
    frame = pd.DataFrame(rows, columns=["office_code", "office", "level", "province", "region",
                                        "stratum", "transactions", "pi"])
    frame["transactions"] = frame["transactions"].round(0)
    if frame["office"].duplicated().any():  # a PPS draw may hit the same office twice
        frame = frame.drop_duplicates("office").reset_index(drop=True)
    return frame


# ---------------------------------------------------------------------------------------------
# Respondents
# ---------------------------------------------------------------------------------------------
def _allocate(total: int, units: int, rng: np.random.Generator) -> np.ndarray:
    base = np.full(units, total // units)
    base[rng.permutation(units)[: total - base.sum()]] += 1
    return base


def _weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(w[order]) / w.sum()
    return float(x[order][np.searchsorted(cw, q)])


def _draw_respondents(frame: pd.DataFrame, spec: YearSpec, n: int, rng: np.random.Generator,
                      codebook: Codebook, calibrate: bool = True) -> pd.DataFrame:
    """Respondents with their design columns, answers (codes) and personal data."""
    per_level = {lvl: round(spec.level_shares[lvl] * n) for lvl in LEVELS}
    per_level["commune"] += n - sum(per_level.values())
    m = np.zeros(len(frame), dtype=int)
    for lvl in LEVELS:
        idx = np.flatnonzero(frame["level"].to_numpy() == lvl)
        m[idx] = _allocate(per_level[lvl], len(idx), rng)
    office_idx = np.repeat(np.arange(len(frame)), m)
    df = frame.iloc[office_idx].reset_index(drop=True)
    df["weight"] = np.round(
        (df["transactions"] * spec.transaction_factor) / (df["pi"] * m[office_idx]), 4)

    # Procedure field: by level, central offices by their own remit.
    level = df["level"].to_numpy()
    field_col = np.empty(n, dtype=object)
    for lvl, shares in FIELDS_BY_LEVEL.items():
        sel = level == lvl
        field_col[sel] = rng.choice(list(shares), size=sel.sum(), p=list(shares.values()))
    for code, _, remit in CENTRAL_OFFICES:
        sel = df["office_code"].to_numpy() == code
        field_col[sel] = rng.choice(remit, size=sel.sum())
    df["field"] = field_col
    org_p = df["field"].map(ORGANISATION_SHARE).fillna(0.04).to_numpy()
    df["respondent_type"] = np.where(rng.uniform(size=n) < org_p, "organisation", "citizen")
    online_p = np.where(np.isin(field_col, ["passport", "residence", "vehicle"]),
                        spec.online_share * 1.4, spec.online_share * 0.5)
    df["channel"] = np.where(rng.uniform(size=n) < online_p, "online", "in_person")

    # Latent satisfaction: office, field and channel effects plus respondent noise.
    office_effect = rng.normal(0, 0.35, size=len(frame))[office_idx]
    field_effect = df["field"].map({"passport": 0.15, "fire_safety": -0.2,
                                    "business_security": -0.15, "weapons": -0.1}).fillna(0.0)
    channel_effect = np.where(df["channel"] == "online", -0.12, 0.0)
    latent = office_effect + field_effect.to_numpy() + channel_effect + rng.normal(size=n)
    latent = (latent - latent.mean()) / latent.std()
    w = df["weight"].to_numpy()

    # Overall item: cut the latent at weighted quantiles of the target distribution.
    dissat = 1.0 - spec.target_rate
    cuts = [_weighted_quantile(latent, w, q)
            for q in (dissat * 0.17, dissat * 0.42, dissat, 1.0 - spec.top_share)]
    q_overall = 1 + np.searchsorted(np.array(cuts), latent, side="right")
    df["q_overall"] = _calibrate(q_overall, latent, w, spec.target_rate) if calibrate else q_overall

    # Component items: correlated with the latent, each with its own difficulty.
    difficulty = {**_DIFFICULTY, **spec.difficulty}
    loadings = {**_LOADINGS, **spec.loadings}
    item_cuts = np.array(cuts)
    for item in codebook.items:
        lam = loadings.get(item, 0.85)
        z = lam * latent + np.sqrt(1 - lam**2) * rng.normal(size=n) + difficulty.get(item, 0.0)
        df[item] = 1 + np.searchsorted(item_cuts, z, side="right")

    day0 = pd.Timestamp(f"{spec.year}-09-01")
    df["interview_date"] = day0 + pd.to_timedelta(rng.integers(0, 91, size=n), unit="D")
    duration = rng.lognormal(np.log(420), 0.35, size=n)
    fast = rng.uniform(size=n) < 0.01
    duration[fast] = rng.uniform(25, 60, size=fast.sum())
    df["duration_sec"] = np.round(duration).astype(int)
    df["full_name"] = [" ".join(parts) for parts in zip(
        rng.choice(_FAMILY, n), rng.choice(_MIDDLE, n), rng.choice(_GIVEN, n))]
    df["phone"] = ["0" + str(v) for v in 900_000_000 + rng.choice(99_999_999, n, replace=False)]
    df["id_number"] = [f"{v:012d}" for v in rng.choice(10**11, n, replace=False) + 10**11]
    return df


def _calibrate(q: np.ndarray, latent: np.ndarray, w: np.ndarray, target: float) -> np.ndarray:
    """Move respondents across the satisfied boundary until the weighted rate rounds to target.

    Respondents nearest the boundary move first (3 -> 4 to raise the rate, 4 -> 3 to lower
    it); the last one is chosen by weight so that the rate lands within 2e-5 of ``target``
    (0.002 percentage points, well inside the rounding to two decimals).
    """
    q = q.copy()
    total = w.sum()
    tol = 2e-5 * total
    need = target * total - w[q >= 4].sum()          # weight to add to "satisfied"
    if abs(need) <= tol:
        return q
    src, dst = (3, 4) if need > 0 else (4, 3)
    cand = np.flatnonzero(q == src)
    cand = cand[np.argsort(-latent[cand] if need > 0 else latent[cand], kind="stable")]
    need = abs(need)
    cum = np.cumsum(w[cand])
    k = int(np.searchsorted(cum, need - tol))        # take cand[:k], then one exact fit
    if k >= len(cand):
        raise RuntimeError("cannot calibrate: not enough respondents near the boundary")
    taken = cand[:k]
    rest = need - (cum[k - 1] if k else 0.0)
    pool = cand[k:]
    fit = pool[np.argmin(np.abs(w[pool] - rest))]
    if abs(w[fit] - rest) > tol:
        # No single respondent fits: take the smallest weights until within tolerance.
        small = pool[np.argsort(w[pool], kind="stable")]
        csum = np.cumsum(w[small])
        j = int(np.searchsorted(csum, rest - tol))
        if j >= len(small) or csum[j] > rest + tol:
            raise RuntimeError("cannot calibrate the satisfaction rate to the target")
        extra = small[: j + 1]
    else:
        extra = np.array([fit])
    q[np.concatenate([taken, extra])] = dst
    return q


# ---------------------------------------------------------------------------------------------
# Writing the answers as an office would type them, faults included
# ---------------------------------------------------------------------------------------------
def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    out = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return out.replace("đ", "d").replace("Đ", "D")


def _as_typed(df: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Codes -> the labels and digits a clean office file would hold (all strings)."""
    out = pd.DataFrame(index=df.index)
    out["respondent_id"] = [f"{y}-{c}-{i:05d}" for y, c, i in zip(
        df["year"], df["office_code"], df.groupby("office_code").cumcount() + 1)]
    for col in ("respondent_type", "level", "field", "channel"):
        out[col] = df[col].map(codebook.labels(col))
    for col in ("province", "office_code", "office", "stratum"):
        out[col] = df[col].astype(str)
    out["weight"] = df["weight"].map(lambda v: f"{v:.4f}")
    out["interview_date"] = df["interview_date"].dt.strftime("%d/%m/%Y")
    out["duration_sec"] = df["duration_sec"].astype(str)
    for item in codebook.likert_columns:
        out[item] = df[item].astype(str)
    for col in codebook.pii_columns:
        out[col] = df[col].astype(str)
    return out


def _word_variant(code: int, codebook: Codebook, rng: np.random.Generator) -> str:
    label = codebook.likert_label(int(code), "vi")
    style = rng.integers(0, 5)
    if style == 0:
        return label
    if style == 1:
        return _strip_marks(label).lower()
    if style == 2:
        return label.upper()
    if style == 3:
        return f"  {label.lower()} "
    return codebook.likert_label(int(code), "en")


def _inject_row_faults(typed: pd.DataFrame, spec: YearSpec, rng: np.random.Generator,
                       codebook: Codebook) -> pd.DataFrame:
    """Repairable faults in a few per cent of the calibrated rows (values never change)."""
    out = typed.copy()
    n = len(out)

    def pick(share: float) -> np.ndarray:
        return rng.choice(n, size=round(share * n), replace=False)

    likert = codebook.likert_columns
    for r in pick(_ROW_FAULTS["likert_word"]):
        col = likert[rng.integers(len(likert))]
        out.iat[r, out.columns.get_loc(col)] = _word_variant(int(out.iat[r, out.columns.get_loc(col)]), codebook, rng)
    rows = pick(_ROW_FAULTS["nfd_text"])
    for col in ("office", "province"):
        out.loc[out.index[rows], col] = out[col].iloc[rows].map(lambda s: unicodedata.normalize("NFD", s)).to_numpy()
    rows = pick(_ROW_FAULTS["stray_spaces"])
    for col in ("level", "field", "channel", "q_overall", "respondent_type"):
        out.loc[out.index[rows], col] = (" " + out[col].iloc[rows] + "  ").to_numpy()
    rows = pick(_ROW_FAULTS["office_variant"])
    variants = out["office"].iloc[rows].map(
        lambda s: s.replace("Công an", "CA", 1) if rng.uniform() < 0.5 else _strip_marks(s))
    out.loc[out.index[rows], "office"] = variants.to_numpy()
    items = codebook.items
    code = {reason: str(c) for c, reason in sorted(codebook.missing_codes.items())}
    for fault, values in (("item_dont_know", [code["dont_know"]]),
                          ("item_refused", [code["refused"]]), ("item_blank", [""]),
                          ("item_out_of_range", ["0", "6", "7", "44"])):
        for r in pick(_ROW_FAULTS[fault]):
            col = items[rng.integers(len(items))]
            out.iat[r, out.columns.get_loc(col)] = values[rng.integers(len(values))]
    out.loc[out.index[pick(_ROW_FAULTS["office_code_blank"])], "office_code"] = ""
    return out


def _extra_rows(typed: pd.DataFrame, fresh: pd.DataFrame, spec: YearSpec,
                rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows the cleaning step must quarantine, and for each the row it must come after."""
    n = len(typed)
    pieces, after = [], []

    def count(kind: str) -> int:
        return max(1, round(_EXTRA_ROWS[kind] * spec.n_clean))

    src = rng.choice(n, size=count("duplicate_exact"), replace=False)
    pieces.append(typed.iloc[src])
    after.append(src)
    src = rng.choice(n, size=count("duplicate_near"), replace=False)
    near = typed.iloc[src].copy()
    near["respondent_id"] = near["respondent_id"] + "b"
    near["full_name"] = " " + near["full_name"].str.upper() + " "
    pieces.append(near)
    after.append(src)

    start = 0
    for kind in ("overall_out_of_range", "weight_invalid", "category_invalid", "office_unknown"):
        k = count(kind)
        rows = fresh.iloc[start:start + k].copy()
        start += k
        if kind == "overall_out_of_range":
            rows["q_overall"] = rng.choice(["0", "6", "7", "55"], size=k)
        elif kind == "weight_invalid":
            rows["weight"] = rng.choice(["", "-1.0000", "0"], size=k)
        elif kind == "category_invalid":
            rows["level"] = rng.choice(["Phường", "??"], size=k)
        else:
            rows["office"] = "Công an phường Không Rõ"
            rows["office_code"] = ""
        pieces.append(rows)
        after.append(rng.integers(0, n, size=k))
    return pd.concat(pieces), np.concatenate(after)


def synthesize_year(year: int, seed: int = DEFAULT_SEED, codebook: Codebook | None = None,
                    frame: pd.DataFrame | None = None, *,
                    planting: Planting | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One synthetic year: the raw file's rows as typed, and the true (calibrated) respondents.

    Args:
        year: a year of :data:`YEARS`.
        seed: the generator seed.
        codebook: the questionnaire (default: the year's, :func:`year_codebook`).
        frame: the sampled offices (built from ``seed`` if omitted).
        planting: a composition shift and a courtesy bias to plant (:class:`Planting`); None
            (the default) writes the shipped year.

    Returns:
        ``(raw, truth)``: ``raw`` has one string column per canonical column, in file order,
        extra rows for quarantine included; ``truth`` holds the calibrated respondents (codes,
        numeric weights), the rows that must survive cleaning.

    Examples:
        >>> raw, truth = synthesize_year(2020)
        >>> len(truth), round(float(100 * (truth.weight * (truth.q_overall >= 4)).sum() / truth.weight.sum()), 2)
        (22250, 96.45)
    """
    spec = YEARS[year]
    codebook = codebook or year_codebook(year)
    frame = build_frame(codebook, seed) if frame is None else frame
    rng = np.random.default_rng([seed, year])
    truth = _draw_respondents(frame, spec, spec.n_clean, rng, codebook)
    if planting is not None:  # its own random stream: the shipped path is unchanged
        truth = planting.apply(truth, year, seed)
    truth.insert(0, "year", year)
    typed = _inject_row_faults(_as_typed(truth, codebook), spec, rng, codebook)
    fresh_truth = _draw_respondents(frame, spec, 200, np.random.default_rng([seed, year, 1]),
                                    codebook, calibrate=False)
    fresh_truth.insert(0, "year", year)
    fresh = _as_typed(fresh_truth, codebook)
    fresh["respondent_id"] = fresh["respondent_id"] + "x"
    extra, after = _extra_rows(typed, fresh, spec, rng)
    # File order: calibrated rows shuffled, each extra row placed after the row it follows.
    position = rng.permutation(len(typed)).astype(float)
    extra_pos = position[after] + rng.uniform(0.1, 0.9, size=len(after))
    raw = pd.concat([typed, extra], ignore_index=True)
    raw = raw.iloc[np.argsort(np.concatenate([position, extra_pos]), kind="stable")]
    return raw.reset_index(drop=True), truth


def _xlsx_bytes(frame: pd.DataFrame, sheet: str, numeric: set[str]) -> bytes:
    """A deterministic .xlsx: fixed document timestamps, fixed zip entry times."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(list(frame.columns))
    num_pat = re.compile(r"^\d+(\.\d+)?$")
    cols = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        ws.append([float(v) if (c in numeric and num_pat.match(v)) and "." in v
                   else int(v) if (c in numeric and num_pat.match(v)) else v
                   for c, v in zip(cols, values)])
    fixed = pd.Timestamp("2020-01-01").to_pydatetime()
    wb.properties.created = fixed
    wb.properties.creator = "satisfaction synth"
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2020-01-01T00:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def year_codebook(year: int) -> Codebook:
    """The questionnaire a synthetic year is drawn on (:attr:`YearSpec.codebook` in data/raw).

    Examples:
        >>> [len(year_codebook(y).items) for y in sorted(YEARS)]
        [17, 17, 17]
    """
    return load_codebook(config.RAW / YEARS[year].codebook)


def _sav_column(values: pd.Series, name: str, codebook: Codebook) -> tuple[pd.Series, dict]:
    """One column of the .sav (typed text -> SPSS values) and its metadata."""
    meta: dict[str, Any] = {}
    if name in codebook.likert_columns:
        text = values.str.strip()
        words = text.map(lambda v: codebook.likert_words.get(fold(v)) if v else None)
        labels = {**{int(k): v["vi"] for k, v in codebook.spec["likert"]["labels"].items()},
                  **{int(k): v["vi"] for k, v in codebook.spec["likert"]["missing_codes"].items()}}
        meta = {"labels": {float(k): v for k, v in sorted(labels.items())},
                "missing": sorted(float(k) for k in codebook.missing_codes),
                "measure": "ordinal", "label": codebook.columns[name].spec.get("vi")}
        return pd.to_numeric(text, errors="coerce").fillna(words.astype(float)), meta
    if name in SAV_CATEGORIES:
        cats = codebook.categories(name)
        code = {fold(codebook.label(name, c, "vi")): i for i, c in enumerate(cats, start=1)}
        meta = {"labels": {float(i): codebook.label(name, c, "vi")
                           for i, c in enumerate(cats, start=1)}, "measure": "nominal"}
        return values.map(lambda v: code.get(fold(v), SAV_NO_LABEL)).astype(float), meta
    if name in ("weight", "duration_sec"):
        return pd.to_numeric(values, errors="coerce"), {"measure": "scale"}
    if name == "interview_date":
        return pd.to_datetime(values, format="%d/%m/%Y").dt.date, {}
    return values.astype(str), {}


def _sav_bytes(raw: pd.DataFrame, codebook: Codebook, label: str) -> bytes:
    """A deterministic SPSS .sav of the typed rows: short variable names, variable labels,
    value labels, user-missing codes (the codebook's), a fixed creation timestamp."""
    import tempfile

    import pyreadstat

    columns, meta = {}, {}
    for name in raw.columns:
        header = SAV_HEADERS.get(name, name.upper())
        columns[header], meta[header] = _sav_column(raw[name], name, codebook)
    frame = pd.DataFrame(columns)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "survey.sav"
        pyreadstat.write_sav(
            frame, str(path), file_label=label, row_compress=True,
            column_labels={h: m["label"] for h, m in meta.items() if m.get("label")},
            variable_value_labels={h: m["labels"] for h, m in meta.items() if "labels" in m},
            missing_ranges={h: m["missing"] for h, m in meta.items() if "missing" in m},
            variable_measure={h: m["measure"] for h, m in meta.items() if "measure" in m})
        data = bytearray(path.read_bytes())
    data[92:109] = b"01 Jan 2200:00:00"   # the header's creation date and time
    return bytes(data)


def write_survey_files(out_dir: str | Path, seed: int = DEFAULT_SEED,
                       years: tuple[int, ...] | None = None, *,
                       planting: Planting | None = None) -> list[Path]:
    """Write the synthetic raw files (and the office list) into ``out_dir``.

    Args:
        out_dir: destination folder (created).
        seed: the generator seed; the same seed writes the same bytes.
        years: which years to write (default: every year of :data:`YEARS`, or the planted
            pair with ``planting``).
        planting: a composition shift and a courtesy bias to plant in the pair of years
            (:class:`Planting`); the truth is written beside the files as ``planted.json``.
            None (the default) writes the shipped files.

    Returns:
        The paths written.
    """
    from .io import write_atomic

    codebook = load_codebook()
    if years is None:
        years = tuple(sorted(YEARS)) if planting is None else (planting.base_year,
                                                                planting.current_year)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame = build_frame(codebook, seed)
    written = []
    offices = frame[["office_code", "office", "level", "province", "region", "stratum",
                     "transactions", "pi"]]
    path = out / "offices.csv"
    write_atomic(path, offices.to_csv(index=False, lineterminator="\n",
                                      float_format="%.6f").encode("utf-8"))
    written.append(path)
    truths: dict[int, pd.DataFrame] = {}
    for year in years:
        spec = YEARS[year]
        book = year_codebook(year)
        raw, truth = synthesize_year(year, seed, book, frame, planting=planting)
        truths[year] = truth
        if spec.fmt == "sav":
            path = out / f"survey_{year}.sav"
            write_atomic(path, _sav_bytes(raw, book, f"Khảo sát sự hài lòng CAND {year}"))
            written.append(path)
            continue
        which = 0 if spec.fmt == "csv" else 1
        cols = [c for c in raw.columns if c in HEADERS and HEADERS[c][which] is None]
        raw = raw.drop(columns=cols)
        header = {c: (HEADERS[c][which] if c in HEADERS else (c if which == 0 else c.upper()))
                  for c in raw.columns}
        raw = raw.rename(columns=header)
        if spec.fmt == "csv":
            path = out / f"survey_{year}.csv"
            write_atomic(path, raw.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        else:
            numeric = {header[c] for c in ("weight", *book.likert_columns)}
            path = out / f"survey_{year}.xlsx"
            write_atomic(path, _xlsx_bytes(raw, "Phieu khao sat", numeric))
        written.append(path)
    if planting is not None:
        path = out / PLANTED_FILE
        report = planting.truth(truths)
        write_atomic(path, (json.dumps(report, indent=2, sort_keys=True) + "\n").encode("utf-8"))
        written.append(path)
    return written



# =============================================================================================
# Planted truth (issue 16): a pair of years with a composition shift and a courtesy bias of
# known size, for testing the robustness analysis. A separate code path: without a planting
# (the default) nothing below runs, and the shipped files are unchanged.
# =============================================================================================
PLANTED_FILE = "planted.json"
"""The truth of a planted pair, written beside its files."""
_CHANNELS = ("in_person", "online")


@dataclass(frozen=True)
class Planting:
    """A composition shift and a courtesy bias of known size, planted in the pair of years.

    The planted pair keeps the shipped generator's offices, weights, respondents, component
    items and faults; it sets two columns of each year's true respondents:

    * **channel** -- the weighted share served online is set (to within one respondent's
      weight): ``online_base`` in the base year, ``online_base + composition / mode_gap`` in
      the current year;
    * **overall answer** -- in both years each channel has the same true satisfaction rate,
      online ``mode_gap`` above in person, the base year's overall rate being its shipped
      target (86.69 %). So the true change within channels is 0 and the true change is
      composition, ``(online share change) x mode_gap = composition`` (exactly, in the sample:
      the rates are calibrated per channel);
    * **courtesy** -- in the current year, not-satisfied respondents nearest the satisfied
      boundary answer "satisfied" instead, the same weighted share ``a`` of each channel, so
      that a share ``courtesy`` of the current year's satisfied answers are courtesy:
      ``a = courtesy x p / (1 - courtesy)``, ``p`` the current year's true rate. The mode gap
      is unchanged, so the decomposition's composition stays ``composition`` and its
      within-channel change is ``a``; with no composition shift, the courtesy share that erases
      the change is exactly ``courtesy``.

    Attributes:
        composition: the planted change from the channel mix, as a proportion (0.02 = 2 points).
        courtesy: the share of the current year's satisfied answers that are courtesy.
        online_base: the base year's weighted share online.
        mode_gap: online minus in-person satisfaction, both years.
        current_year: the year that gets the new mix and the courtesy.
        base_year: the baseline year.

    Raises:
        ValueError: values that cannot be planted (an online share outside 1-99 %, a
            courtesy outside [0, 0.5), or more courtesy than the online channel's dissatisfied
            respondents can give).

    Examples:
        >>> p = Planting(composition=0.02, courtesy=0.03)
        >>> round(p.online_current, 4), {k: round(v, 4) for k, v in p.rates.items()}
        (0.5, {'in_person': 0.8469, 'online': 0.9269})
        >>> round(p.courtesy_points, 5)
        0.02743
    """

    composition: float = 0.0
    courtesy: float = 0.0
    online_base: float = 0.25
    mode_gap: float = 0.08
    current_year: int = 2020
    base_year: int = 2019

    def __post_init__(self) -> None:
        if self.mode_gap == 0 or not 0 < self.mode_gap < 0.5:
            raise ValueError(f"mode_gap must be in (0, 0.5), got {self.mode_gap}")
        for name, share in (("online_base", self.online_base),
                            ("online share of the current year", self.online_current)):
            if not 0.01 <= share <= 0.99:
                raise ValueError(f"{name} would be {share:.3f}: a planted composition of "
                                 f"{self.composition} needs an online share between 1 and 99 %")
        if not 0 <= self.courtesy < 0.5:
            raise ValueError(f"courtesy must be a share in [0, 0.5), got {self.courtesy}")
        room = 1 - max(self.rates.values()) - 0.01
        if self.courtesy_points > room:
            raise ValueError(f"a courtesy of {self.courtesy} needs {self.courtesy_points:.3f} of "
                             f"each channel's answers to move, more than the {room:.3f} the "
                             "online channel's dissatisfied respondents can give")

    @property
    def online_current(self) -> float:
        """The current year's weighted share online."""
        return self.online_base + self.composition / self.mode_gap

    @property
    def rates(self) -> dict[str, float]:
        """The true satisfaction rate of each channel, the same in both years."""
        in_person = YEARS[self.base_year].target_rate - self.online_base * self.mode_gap
        return {"in_person": in_person, "online": in_person + self.mode_gap}

    @property
    def true_current_rate(self) -> float:
        """The current year's rate before courtesy (the base rate plus the composition)."""
        r = self.rates
        return (1 - self.online_current) * r["in_person"] + self.online_current * r["online"]

    @property
    def courtesy_points(self) -> float:
        """``a``: the weighted share of each channel that answers satisfied out of courtesy."""
        return self.courtesy * self.true_current_rate / (1 - self.courtesy)

    def apply(self, truth: pd.DataFrame, year: int, seed: int) -> pd.DataFrame:
        """One year's true respondents with the planted channel and overall answer.

        Args:
            truth: the respondents :func:`synthesize_year` drew.
            year: the planted pair's current or base year.
            seed: the generator seed (the planting has its own stream from it).

        Returns:
            A copy with ``channel`` and ``q_overall`` set, and ``courtesy`` (True where the
            answer is a planted courtesy).
        """
        if year not in (self.current_year, self.base_year):
            raise ValueError(f"year {year} is not in the planted pair "
                             f"({self.base_year}, {self.current_year})")
        current = year == self.current_year
        rng = np.random.default_rng([seed, year, 16])
        w = truth["weight"].to_numpy(float)
        online = _exact_share(w, self.online_current if current else self.online_base, rng)
        items = truth[[c for c in truth.columns if re.fullmatch(r"[aporf]\d", c)]]
        latent = items.to_numpy(float).mean(axis=1) + rng.normal(0, 0.5, size=len(truth))
        q = np.zeros(len(truth), dtype=int)
        courtesy = np.zeros(len(truth), dtype=bool)
        for channel in _CHANNELS:  # two channels
            sel = online if channel == "online" else ~online
            rate = self.rates[channel]
            q_true = _answers_at(latent[sel], w[sel], rate)
            q[sel] = q_true
            if current and self.courtesy > 0:
                q[sel] = _courtesy(q_true, latent[sel], w[sel], rate + self.courtesy_points)
                courtesy[sel] = q[sel] != q_true
        out = truth.copy()
        out["channel"] = np.where(online, "online", "in_person")
        out["q_overall"] = q
        out["courtesy"] = courtesy
        return out

    def truth(self, truths: Mapping[int, pd.DataFrame]) -> dict[str, Any]:
        """What was planted and what the pair's true respondents realise (``planted.json``)."""
        out: dict[str, Any] = {"planted": asdict(self), "rates_true": self.rates,
                               "courtesy_points": self.courtesy_points}
        realised = {}
        for year, df in truths.items():
            w = df["weight"].to_numpy(float)
            sat = (df["q_overall"].to_numpy() >= 4).astype(float)
            on = (df["channel"] == "online").to_numpy()
            share = float(w[on].sum() / w.sum())
            rates = {c: float(np.dot(w[m], sat[m]) / w[m].sum()) for c, m in
                     (("in_person", ~on), ("online", on))}
            courtesy = df["courtesy"].to_numpy(bool) if "courtesy" in df else np.zeros(len(df), bool)
            realised[int(year)] = {
                "online_share": share, "rates": rates, "rate": float(np.dot(w, sat) / w.sum()),
                "courtesy_share": float(np.dot(w, courtesy) / np.dot(w, sat))}
        out["realised"] = realised
        if self.current_year in realised and self.base_year in realised:
            c, b = realised[self.current_year], realised[self.base_year]
            ds = c["online_share"] - b["online_share"]
            comp = sum((sc - sb) * (c["rates"][k] + b["rates"][k]) / 2 for k, sc, sb in (
                ("online", c["online_share"], b["online_share"]),
                ("in_person", 1 - c["online_share"], 1 - b["online_share"])))
            out["change"] = c["rate"] - b["rate"]
            out["composition_channel"] = comp
            out["within_channel"] = out["change"] - comp
            out["online_share_change"] = ds
        return out


def _exact_share(w: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Rows (in a random order) whose weights first reach ``share`` of the total weight."""
    order = rng.permutation(len(w))
    before = np.cumsum(w[order]) - w[order]
    chosen = np.zeros(len(w), dtype=bool)
    chosen[order[before < share * w.sum()]] = True
    return chosen


def _answers_at(latent: np.ndarray, w: np.ndarray, rate: float) -> np.ndarray:
    """Overall answers 1-5 cut from ``latent`` so that the weighted rate satisfied is ``rate``."""
    dissat = 1.0 - rate
    cuts = [_weighted_quantile(latent, w, q)
            for q in (dissat * 0.17, dissat * 0.42, dissat, 1.0 - 0.5 * rate)]
    q = 1 + np.searchsorted(np.array(cuts), latent, side="right")
    return _shift_to(q, latent, w, rate)


def _courtesy(q: np.ndarray, latent: np.ndarray, w: np.ndarray, rate: float) -> np.ndarray:
    """Not-satisfied answers nearest the boundary turned "satisfied" until the rate is ``rate``."""
    return _shift_to(q, latent, w, rate)


def _shift_to(q: np.ndarray, latent: np.ndarray, w: np.ndarray, rate: float) -> np.ndarray:
    """Answers moved across the satisfied boundary, nearest first, to the weighted ``rate``.

    To raise the rate, not-satisfied answers (1-3) with the highest latent become 4; to lower
    it, satisfied answers (4-5) with the lowest latent become 3. The number moved is the one
    whose weight comes closest to the target (within half a respondent's weight).
    """
    need = rate * w.sum() - w[q >= 4].sum()
    raise_rate = need > 0
    cand = np.flatnonzero(q <= 3 if raise_rate else q >= 4)
    cand = cand[np.argsort(-latent[cand] if raise_rate else latent[cand], kind="stable")]
    cum = np.concatenate([[0.0], np.cumsum(w[cand])])
    k = int(np.argmin(np.abs(cum - abs(need))))
    out = q.copy()
    out[cand[:k]] = 4 if raise_rate else 3
    return out
