"""The change between two years as a reviewer reads it: tables in % and points, and sentences.

Every table and sentence of the change page that is written, not computed, is written here:

* :func:`format_changes` -- a change table with rates in %, changes in points, p-values as
  text, and domains under the disclosure threshold suppressed;
* :func:`format_readings`, :func:`readings_verdict` -- the two readings of a reported change
  ("+9.76 %": points or relative) side by side, and a plain-words verdict on them;
* :func:`describe_change` -- one sentence on one change; :func:`describe_published` -- the
  published figures the test starts from;
* :func:`format_sensitivity` -- a sensitivity grid as a table of points;
* :func:`format_power` -- a power table in % and points;
* :func:`change_headline` -- the figures the index page shows for the change.

Numbers are written by :mod:`satisfaction.report.formats` (``percent``, ``points``,
``p_value``), so a rate reads the same here as on every other page.

Not for: computing changes, tests or power (:mod:`satisfaction.compare`,
:mod:`satisfaction.power`) or drawing them (:mod:`satisfaction.plots.change`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..compare import READING_POINTS, PublishedFigures, sensitivity_table
from .formats import p_value, percent, points

__all__ = [
    "change_headline",
    "describe_change",
    "describe_published",
    "format_changes",
    "format_power",
    "format_readings",
    "format_sensitivity",
    "readings_verdict",
]


def _interval_points(low: pd.Series, high: pd.Series) -> list[str]:
    """Interval limits in signed points without the unit (``"+8.83 to +10.72"``); "" if none."""
    return ["" if np.isnan(a) else f"{100 * a:+.2f} to {100 * b:+.2f}"
            for a, b in zip(low, high, strict=True)]


def _p_cells(values: pd.Series) -> pd.Series:
    """p-values as the change tables show them: :func:`~.formats.p_value`, written ``<0.0001``
    without the space (as these tables have always shown it)."""
    return values.map(lambda p: p_value(p).replace("< ", "<"))


def format_changes(
    changes: pd.DataFrame, *, min_n: int | None = None, years: tuple[Any, Any] = ("current", "base"),
    level: float = 0.95,
) -> pd.DataFrame:
    """A change table for reading: rates and changes in percent/points, rounded.

    Domains with fewer than ``min_n`` respondents in either year (the disclosure threshold)
    keep their row but show no figures, and say so in ``status``.

    Args:
        changes: a change table (:func:`~satisfaction.compare.change_table` or
            :func:`~satisfaction.compare.compare_domains`).
        min_n: the disclosure threshold (None: show every domain).
        years: labels of the current and base years (column names).
        level: confidence level (column names).

    Returns:
        Columns: status, n per year, rate per year (%), change (points) and its interval,
        relative change (%) and its interval, p-value and (if present) Holm / BH p-values.

    Examples:
        >>> from satisfaction.compare import change_table
        >>> cur = pd.DataFrame({"estimate": [0.96], "se": [0.004], "n": [9000]}, index=["x"])
        >>> base = pd.DataFrame({"estimate": [0.87], "se": [0.007], "n": [8]}, index=["x"])
        >>> format_changes(change_table(cur, base), min_n=10, years=(2020, 2019))["status"].iloc[0]
        'suppressed: fewer than 10 respondents'
        >>> base["n"] = 8000
        >>> format_changes(change_table(cur, base), years=(2020, 2019)).iloc[:, 5:9].T
                                           x
        change, points                   9.0
        95 % CI, points       +8.16 to +9.85
        relative change, %             10.34
        95 % CI, relative %  +8.40 to +12.32
    """
    y1, y0 = (str(y) for y in years)
    ci = f"{100 * level:g} % CI"
    df = changes
    out = pd.DataFrame(index=df.index)
    for col in ("domain_type", "domain"):
        if col in df.columns:
            out[col] = df[col]
    out["status"] = df["status"]
    out[f"n {y1}"] = df["n_current"].astype("Int64")
    out[f"n {y0}"] = df["n_base"].astype("Int64")
    out[f"% {y1}"] = (100 * df["p_current"]).round(2)
    out[f"% {y0}"] = (100 * df["p_base"]).round(2)
    out["change, points"] = (100 * df["change"]).round(2)
    out[f"{ci}, points"] = _interval_points(df["change_low"], df["change_high"])
    out["relative change, %"] = (100 * df["rel_change"]).round(2)
    out[f"{ci}, relative %"] = _interval_points(df["rel_change_low"], df["rel_change_high"])
    out["p"] = _p_cells(df["p_value"])
    for col, name in (("p_holm", "p (Holm)"), ("p_bh", "p (BH)")):
        if col in df.columns:
            out[name] = _p_cells(df[col])
    if min_n is not None:
        small = (df["n_current"].fillna(np.inf) < min_n) | (df["n_base"].fillna(np.inf) < min_n)
        figures = [c for c in out.columns if c not in ("domain_type", "domain", "status")]
        out[figures] = out[figures].astype(object)
        out.loc[small, figures] = ""
        out.loc[small, "status"] = f"suppressed: fewer than {min_n} respondents"
    return out


def format_readings(readings: pd.DataFrame, *, years: tuple[Any, Any] = ("current", "base"),
                    level: float = 0.95) -> pd.DataFrame:
    """The two readings side by side, for reading (one column per reading).

    Args:
        readings: the output of :func:`satisfaction.compare.two_readings`.
        years: labels of the current and base years.
        level: confidence level (row names).

    Returns:
        A table of text: implied base rate, change and interval in points, relative change
        and interval, p-value, and the tipping points.

    Examples:
        >>> from satisfaction.compare import two_readings
        >>> r = two_readings(0.9645, "+9.76 %", 22250, 20000, 1.0, 2.0)
        >>> format_readings(r, years=(2020, 2019)).iloc[:3]  # doctest: +NORMALIZE_WHITESPACE
                          percentage points relative
        2019 rate implied           86.69 %  87.87 %
        2020 rate                   96.45 %  96.45 %
        change, points               +9.76    +8.58
    """
    y1, y0 = (str(y) for y in years)
    ci = f"{100 * level:g} % CI"
    rows = {}
    for reading, r in readings.iterrows():  # two readings
        rows[reading] = {
            f"{y0} rate implied": percent(r["p_base"]),
            f"{y1} rate": percent(r["p_current"]),
            "change, points": f"{100 * r['change']:+.2f}",
            f"{ci}, points": f"{100 * r['change_low']:+.2f} to {100 * r['change_high']:+.2f}",
            "relative change, %": f"{100 * r['rel_change']:+.2f}",
            f"{ci}, relative %": f"{100 * r['rel_change_low']:+.2f} to "
                                 f"{100 * r['rel_change_high']:+.2f}",
            "z (design)": f"{r['z']:.1f}",
            "p": p_value(r["p_value"]),
            f"assumed {y0} respondents / design effect":
                f"{r['n_base']:,.0f} / {r['deff_base']:.2f}",
            f"not significant below this effective {y0} n": f"{r['n_eff_base_critical']:,.1f}",
            f"smallest {y0} n at the assumed design effect": f"{r['min_n_base']:,.0f}",
            f"largest {y0} design effect at the assumed n": f"{r['max_deff_base']:,.0f}",
        }
    return pd.DataFrame(rows)


def describe_change(row: pd.Series, *, years: tuple[Any, Any] = ("current", "base"),
                    level: float = 0.95) -> str:
    """One sentence on one change (a row of a change table), in plain words.

    Examples:
        >>> from satisfaction.compare import compare_published
        >>> r = compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
        >>> describe_change(r, years=(2020, 2019))
        'From 2019 to 2020 the rate went from 86.69 % to 96.45 %: +9.76 points (95 % CI +9.06 points to +10.48 points), a relative change of +11.26 % (95 % CI +10.36 % to +12.16 %); design-based z = 27.0, p < 0.0001: a statistically significant rise.'
        >>> describe_change(pd.Series({"change": np.nan, "status": "base year only"}))
        'No change can be computed (base year only).'
    """
    y1, y0 = (str(y) for y in years)
    conf = f"{100 * level:g} % CI"
    if not np.isfinite(row["change"]):
        return f"No change can be computed ({row.get('status', 'not in both years')})."
    verdict = ("a statistically significant rise" if row["significant"] and row["change"] > 0 else
               "a statistically significant fall" if row["significant"] else
               "not statistically significant")
    p_text = p_value(row["p_value"])
    return (
        f"From {y0} to {y1} the rate went from {percent(row['p_base'])} to "
        f"{percent(row['p_current'])}: {points(row['change'])} ({conf} "
        f"{points(row['change_low'])} to {points(row['change_high'])}), "
        f"a relative change of {100 * row['rel_change']:+.2f} % ({conf} "
        f"{100 * row['rel_change_low']:+.2f} % to {100 * row['rel_change_high']:+.2f} %); "
        f"design-based z = {row['z']:.1f}, p {p_text if p_text.startswith('<') else '= ' + p_text}: "
        f"{verdict}."
    )


def describe_published(figures: PublishedFigures, *, years: tuple[Any, Any]) -> str:
    """The published figures the readings start from, in one line (Markdown).

    Args:
        figures: the output of :func:`satisfaction.compare.published_setup`.
        years: labels of the current and base years.

    Examples:
        >>> from satisfaction.compare import PublishedFigures
        >>> f = PublishedFigures("+9.76 %", 96.45, 0.9645, 22250, 3.5, 22250, 3.5)
        >>> describe_published(f, years=(2020, 2019))
        'Reported: **+9.76 %** on 2019; 2020 rate 96.45 % of 22,250 respondents.'
    """
    y1, y0 = years
    return (f"Reported: **{figures.reported}** on {y0}; "
            f"{y1} rate {figures.rate} % of {figures.n1:,} respondents.")


def _tipping_words(crit: float, y0: str) -> str:
    if np.isfinite(crit) and crit > 0:
        return (f"it would stop being statistically significant only if the {y0} survey had "
                f"fewer than {crit:,.0f} effective respondents (for example fewer than "
                f"{2 * crit:,.0f} respondents with a design effect of 2)")
    if crit == 0:
        return "it is significant whatever the size of the base-year survey"
    return "it cannot be significant whatever the size of the base-year survey"


def _reading_line(reading: str, row: pd.Series, y0: str, conf: str) -> str:
    """The verdict on one reading: the implied base rate, the change, and its tipping point."""
    sig = bool(row["interval_excludes_zero"])
    how = _tipping_words(row.get("n_eff_base_critical", np.nan), y0)
    if reading == READING_POINTS:
        what = (f"{y0} would have been {percent(row['p_base'])}; the change is "
                f"{points(row['change'])} ({conf} CI {points(row['change_low'])} to "
                f"{points(row['change_high'])}), a relative rise of "
                f"{100 * row['rel_change']:.2f} %")
    else:
        what = (f"{y0} would have been {percent(row['p_base'])}; the rate rose by "
                f"{100 * row['rel_change']:.2f} % of its {y0} level ({conf} CI "
                f"{100 * row['rel_change_low']:.2f} % to {100 * row['rel_change_high']:.2f} %), "
                f"which is {points(row['change'])} ({conf} CI {points(row['change_low'])} to "
                f"{points(row['change_high'])})")
    verdict = "a real rise" if sig and row["change"] > 0 else \
        "a real fall" if sig else "not distinguishable from no change"
    return (f"- **Read as {reading}:** {what}. This is {verdict} under the assumed "
            f"{y0} sample size and design effect; {how}.")


def _microdata_lines(readings: pd.DataFrame, base_estimate: pd.Series | dict,
                     base_synthetic: bool, y0: str, conf: str) -> list[str]:
    """Which readings the base year's own estimate is consistent with (and a caution)."""
    est = pd.Series(base_estimate)
    low, high = float(est["ci_low"]), float(est["ci_high"])
    inside = [r for r, row in readings.iterrows() if low <= row["p_base"] <= high]
    fits = ("only the " + inside[0] + " reading" if len(inside) == 1 else
            "both readings" if len(inside) == 2 else "neither reading")
    lines = [(
        f"- **What the {y0} microdata say:** the {y0} rate estimated from its own survey is "
        f"{percent(float(est['estimate']))} ({conf} CI {percent(low)} to {percent(high)}); its "
        f"interval is consistent with {fits}."
    )]
    if base_synthetic:
        lines.append(
            f"- **Caution:** the {y0} microdata in this repository are synthetic, generated "
            f"to reproduce a {y0} rate chosen from one of the readings, so this check is "
            f"circular. It becomes evidence only when the real {y0} survey file arrives."
        )
    return lines


def readings_verdict(
    readings: pd.DataFrame,
    *,
    base_estimate: pd.Series | dict | None = None,
    base_synthetic: bool = False,
    years: tuple[Any, Any] = ("2020", "2019"),
    level: float = 0.95,
) -> str:
    """A plain-words verdict on the two readings of a reported change (Markdown).

    Args:
        readings: the output of :func:`satisfaction.compare.two_readings`.
        base_estimate: the base year's own estimate from microdata, if any: ``estimate``,
            ``ci_low``, ``ci_high`` (fractions).
        base_synthetic: the base-year microdata are synthetic (the check is then circular).
        years: labels of the current and base years.
        level: the confidence level used (for wording).

    Returns:
        Markdown text for a reviewer.

    Examples:
        >>> from satisfaction.compare import two_readings
        >>> r = two_readings(0.9645, "+9.76 %", 22250, 20000, 1.0, 2.0)
        >>> print(readings_verdict(r, years=(2020, 2019)).splitlines()[-1])
        - **Which reading?** The published figures cannot tell: both readings describe a statistically significant rise; they differ only in the 2019 level (86.69 % against 87.87 %, 1.18 points apart).
    """
    y0 = str(years[1])
    conf = f"{100 * level:g} %"
    lines = [_reading_line(reading, row, y0, conf) for reading, row in readings.iterrows()]
    gap = abs(readings["p_base"].iloc[0] - readings["p_base"].iloc[1])
    all_sig = bool(readings["interval_excludes_zero"].all())
    lines.append(
        "- **Which reading?** The published figures cannot tell: both readings "
        + ("describe a statistically significant rise" if all_sig else "are tested above")
        + f"; they differ only in the {y0} level ({percent(readings['p_base'].iloc[0])} against "
        f"{percent(readings['p_base'].iloc[1])}, {100 * gap:.2f} points apart)."
    )
    if base_estimate is not None:
        lines.extend(_microdata_lines(readings, base_estimate, base_synthetic, y0, conf))
    return "\n".join(lines)


def format_sensitivity(grid: pd.DataFrame, value: str = "change_low") -> pd.DataFrame:
    """A sensitivity grid as a table of points: base-year design effect x sample size.

    Args:
        grid: the output of :func:`satisfaction.compare.sensitivity_grid`.
        value: a change column (``change_low`` by default, the interval's lower limit).

    Returns:
        :func:`satisfaction.compare.sensitivity_table` of ``value`` in percentage points,
        two decimals.

    Examples:
        >>> from satisfaction.compare import sensitivity_grid
        >>> format_sensitivity(sensitivity_grid(0.9645, 22250, 0.8669, [50, 5000], [1.0, 10.0]))
        ... # doctest: +NORMALIZE_WHITESPACE
        n_base     50.0    5000.0
        deff_base
        1.0          2.93    8.81
        10.0        -1.79    7.05
    """
    return sensitivity_table(grid, value).mul(100).round(2)


def format_power(table: pd.DataFrame, mde: float | None = None) -> pd.DataFrame:
    """A :func:`satisfaction.power.power_table` for reading: rates in %, changes in points.

    Args:
        table: the output of :func:`satisfaction.power.power_table`.
        mde: the planned change used for ``n_needed`` (for the column name).

    Returns:
        A rounded copy with readable column names.

    Examples:
        >>> from satisfaction.power import power_table
        >>> est = pd.DataFrame({"estimate": [0.9645], "se": [0.0018], "n": [22250],
        ...                     "deff": [2.0]}, index=["all"])
        >>> format_power(power_table(est, mde=0.02), mde=0.02).T
                                                     all
        rate, %                                    96.45
        respondents                                22250
        design effect                                2.0
        effective n                                11125
        smallest detectable change, points          0.73
        from the se alone (repeat survey), points   0.71
        respondents needed for 2 points             3407
        x current n                                 0.15
    """
    out = pd.DataFrame(index=table.index)
    out["rate, %"] = (100 * table["estimate"]).round(2)
    out["respondents"] = table["n"].astype("Int64")
    out["design effect"] = table["deff"].round(2)
    out["effective n"] = table["n_eff"].round(0).astype("Int64")
    out["smallest detectable change, points"] = (100 * table["mde"]).round(2)
    out["from the se alone (repeat survey), points"] = (100 * table["mde_se"]).round(2)
    if "n_needed" in table:
        label = f"{100 * mde:g} points" if mde is not None else "the planned change"
        out[f"respondents needed for {label}"] = table["n_needed"].astype("Int64")
        out["x current n"] = table["n_needed_ratio"].round(2)
    return out


def change_headline(overall: pd.Series, *, baseline_year: int, level: float) -> dict[str, Any]:
    """The figures of the overall change that the index page shows (points and %).

    Args:
        overall: the overall row of a change table.
        baseline_year: the year compared with.
        level: the confidence level of the interval.

    Returns:
        ``baseline_year``, ``change_pp`` and its interval ``change_ci_low`` /
        ``change_ci_high`` (points), ``change_relative_pct`` (%), ``change_p_value`` and
        ``confidence``: the ``03_change`` headline of
        :func:`satisfaction.report.index.save_headline`.

    Examples:
        >>> from satisfaction.compare import compare_published
        >>> r = compare_published(0.9645, 22250, 0.8669, 20000, 1.0, 2.0).iloc[0]
        >>> {k: round(v, 2) for k, v in change_headline(r, baseline_year=2019, level=0.95).items()}
        ... # doctest: +NORMALIZE_WHITESPACE
        {'baseline_year': 2019, 'change_pp': 9.76, 'change_ci_low': 9.06, 'change_ci_high': 10.48,
         'change_relative_pct': 11.26, 'change_p_value': 0.0, 'confidence': 0.95}
    """
    return {
        "baseline_year": baseline_year,
        "change_pp": 100 * float(overall["change"]),
        "change_ci_low": 100 * float(overall["change_low"]),
        "change_ci_high": 100 * float(overall["change_high"]),
        "change_relative_pct": 100 * float(overall["rel_change"]),
        "change_p_value": float(overall["p_value"]),
        "confidence": level,
    }
