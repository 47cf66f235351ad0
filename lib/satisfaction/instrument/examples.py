"""A small respondent table of the processed schema, for the examples of the review's functions.

Built from formulas (no random numbers), so every example prints the same numbers on every
machine. Not a model of the survey: 12 offices (PSUs) in 4 strata, items that move together.

Not for: realistic data (the calibrated synthetic survey is :mod:`satisfaction.synth`; a
year's processed table is :func:`satisfaction.years.load_survey`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EXAMPLE_ITEMS", "example_survey"]

EXAMPLE_ITEMS = ("a1", "a2", "a3", "p1", "p2", "p3", "p4", "o1", "o2", "o3", "o4",
                 "r1", "r2", "r3", "f1", "f2", "f3", "q_overall")
"""The Likert columns of :func:`example_survey`: the codebook's 17 component items and the
overall item."""


def example_survey(year: int = 2020) -> pd.DataFrame:
    """120 respondents of one year: design columns, Likert items, ``satisfied``, durations.

    Columns: year, level, stratum (= level), office_code (12 PSUs), weight, channel
    (``online`` / ``in_person``), respondent_type (``organisation`` / ``citizen``), the items
    of :data:`EXAMPLE_ITEMS` (``Int8``, five answers of ``f2`` missing), satisfied (overall
    item 4 or 5) and duration_sec (four forms take 20 s). Its design is
    ``DesignSpec(weights="weight", strata="stratum", psu="office_code")``.

    Examples:
        >>> df = example_survey()
        >>> len(df), df["office_code"].nunique(), int(df["f2"].isna().sum())
        (120, 12, 5)
        >>> df[["level", "office_code", "weight", "channel", "a1", "satisfied"]].head(3)
             level office_code  weight    channel  a1  satisfied
        0  central        OF00     1.0     online   2        0.0
        1  central        OF00     3.5  in_person   4        0.0
        2  central        OF00     2.5  in_person   3        0.0
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
    for j, item in enumerate(EXAMPLE_ITEMS):
        value = np.clip(np.round(2.2 + 2.6 * base + ((i * (j + 3)) % 5 - 2) / 3), 1, 5)
        df[item] = pd.array(value.astype(int), dtype="Int8")
    df.loc[i % 23 == 5, "f2"] = pd.NA
    df["satisfied"] = (df["q_overall"] >= 4).astype(float)
    df["duration_sec"] = np.where(i % 31 == 3, 20.0, 300.0 + (i * 13) % 200)
    return df
