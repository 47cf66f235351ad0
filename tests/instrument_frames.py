"""Respondent tables for the tests of satisfaction.instrument (the processed schema, seeded).

``survey_frame`` is built so that the review has something to find: a2 is near-constant, p3
does not follow the other items, 3 % of forms are straight-lined, 2 % very fast, online
respondents are less satisfied. ``two_years_frame`` stacks 2019 (no durations) and 2020.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from satisfaction.design import DesignSpec

ITEMS = ["a1", "a2", "a3", "p1", "p2", "p3", "p4", "o1", "o2", "o3", "o4",
         "r1", "r2", "r3", "f1", "f2", "f3"]
COMPONENTS = {"access": ["a1", "a2", "a3"], "procedures": ["p1", "p2", "p3", "p4"],
              "officers": ["o1", "o2", "o3", "o4"], "results": ["r1", "r2", "r3"],
              "feedback": ["f1", "f2", "f3"]}
DESIGN = DesignSpec(weights="weight", strata="stratum", psu="office_code", fpc=None,
                    lonely_psu="adjust")


def survey_frame(n: int = 1600, seed: int = 7, year: int = 2020, durations: bool = True
                 ) -> pd.DataFrame:
    """A small processed respondent table of the documented schema.

    Built so that the review has something to find: a2 is near-constant (almost always 5),
    p3 does not follow the others, 3 % of forms are straight-lined, 2 % very fast.
    """
    rng = np.random.default_rng(seed)
    psus = 40
    office = rng.integers(0, psus, n)
    levels = np.array(["central", "province", "district", "commune"])
    level = levels[office % 4]
    stratum = np.char.add(np.char.add(level, "|R"), (office % 3 + 1).astype(str))
    weight = rng.uniform(0.5, 3.0, n) * (1 + office % 5)
    channel = np.where(rng.uniform(size=n) < 0.25, "online", "in_person")
    rtype = np.where(rng.uniform(size=n) < 0.12, "organisation", "citizen")
    latent = (rng.normal(size=n) + rng.normal(0, 0.4, psus)[office]
              - 0.35 * (channel == "online"))
    cuts = np.array([-2.6, -2.0, -1.2, 0.1])
    df = pd.DataFrame({
        "respondent_key": [f"k{year}_{i:05d}" for i in range(n)],
        "year": year, "respondent_type": rtype, "level": level,
        "province": "Hà Nội", "region": "R2",
        "office_code": np.char.add("OF", office.astype(str)),
        "office": "Công an", "field": "residence", "channel": channel, "stratum": stratum,
        "weight": weight,
    })
    for item in ITEMS:
        if item == "p3":
            z = rng.normal(size=n) + 0.4
        else:
            z = 0.8 * latent + 0.6 * rng.normal(size=n)
        codes = 1 + np.searchsorted(cuts, z, side="right")
        if item == "a2":
            codes = np.where(rng.uniform(size=n) < 0.95, 5, codes)
        codes = codes.astype(float)
        codes[rng.uniform(size=n) < (0.06 if item.startswith("f") else 0.01)] = np.nan
        df[item] = codes
    straight = rng.uniform(size=n) < 0.03
    value = np.where(rng.uniform(size=straight.sum()) < 0.8, 5.0, 3.0)
    df.loc[straight, ITEMS] = np.repeat(value[:, None], len(ITEMS), axis=1)
    q = (1 + np.searchsorted(cuts, latent + 0.3 * rng.normal(size=n), side="right")).astype(float)
    q[rng.uniform(size=n) < 0.01] = np.nan
    df["q_overall"] = q
    for col in [*ITEMS, "q_overall"]:
        df[col] = pd.array(df[col].to_numpy(), dtype="Float64").astype("Int8")
    df["satisfied"] = np.where(np.isnan(q), np.nan, (q >= 4).astype(float))
    df["interview_date"] = pd.Timestamp(f"{year}-10-01")
    if durations:
        dur = rng.lognormal(np.log(400), 0.3, size=n)
        fast = rng.uniform(size=n) < 0.02
        dur[fast] = rng.uniform(8, 30, size=fast.sum())
        df["duration_sec"] = dur
    else:
        df["duration_sec"] = np.nan
    return df



def two_years_frame() -> pd.DataFrame:
    """1,200 respondents of 2019 (no durations recorded) and 1,600 of 2020, stacked."""
    return pd.concat([survey_frame(1200, seed=3, year=2019, durations=False),
                      survey_frame(1600, seed=7, year=2020)], ignore_index=True)
