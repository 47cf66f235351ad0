"""The PAR index of units as a reviewer reads it: findings, tables and caveats, in both languages.

Page ``04_par_index`` shows a year's administrative-reform (PAR) index of units. The statistics
are :mod:`satisfaction.par_index`; this module words them, once, for every edition
(:mod:`satisfaction.i18n`; numbers through :mod:`satisfaction.report.formats`; band and
criterion names from the criteria file's vi/en labels):

* :func:`findings` -- the summary first: the mean and the bands, what the published-figures
  check proves (:func:`satisfaction.report.summary.par_reproduction`), the movements, how
  fragile the ranking is under several assumptions, and the link with citizens' satisfaction
  with and without the index's own satisfaction criterion;
* :func:`introduction`, :func:`units_sentence`, :func:`thresholds_sentence`,
  :func:`synthetic_note`, :func:`moves_sentence`, :func:`uncertainty_note`,
  :func:`unmatched_sentence`, :func:`link_note`: the page's sentences;
* :func:`criteria_table`, :func:`problems_table`, :func:`summary_table`, :func:`bands_table`,
  :func:`published_table`, :func:`transitions_table`, :func:`losses_table`,
  :func:`fragility_table`, :func:`band_counts_table`, :func:`fragile_table`,
  :func:`links_table`: the page's tables (:class:`~satisfaction.report.tables.Table`);
* :func:`band_labels`, :func:`criterion_labels`, :func:`assumption_names`: names for the
  tables and figures.

Not for: computing anything (:mod:`satisfaction.par_index`) or drawing
(:mod:`satisfaction.plots.par`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import pandas as pd

from ..i18n import N_, Fixed, Language, Listed, Message, Renderable, _, render
from ..par_index import ABSENT, NOT_COMPLETED, TOTAL, ParCriteria, ParSatisfaction
from .formats import Count, Decimal, Percent, cells, count
from .summary import par_reproduction
from .tables import Column, Labels, Table, label_map

__all__ = [
    "LINK_NAMES",
    "PROBLEMS",
    "SCORE_AXES",
    "UNIT_TYPES",
    "assumption_key",
    "assumption_names",
    "band_counts_table",
    "band_labels",
    "bands_table",
    "criteria_table",
    "criterion_labels",
    "findings",
    "fragile_table",
    "fragility_table",
    "introduction",
    "link_note",
    "links_table",
    "losses_table",
    "moves_sentence",
    "problems_table",
    "published_table",
    "summary_table",
    "synthetic_note",
    "thresholds_sentence",
    "transitions_table",
    "uncertainty_note",
    "units_sentence",
    "unmatched_sentence",
]

UNIT_TYPES: Final[dict[str, Message]] = {
    "province": N_("provincial police"),
    "ministry": N_("ministry departments"),
}
"""The unit types of a PAR table (``unit_type``), in words."""

LINK_NAMES: Final[dict[str, Message]] = {
    "score": N_("The whole PAR score"),
    "net": N_("The PAR score net of its satisfaction criterion"),
    "criterion": N_("The satisfaction criterion alone"),
}
"""The scores :func:`satisfaction.par_index.satisfaction_links` compares with the survey."""

SCORE_AXES: Final[dict[str, Message]] = {
    "score": N_("PAR index score of the provincial police (%)"),
    "net": N_("PAR score net of the satisfaction criterion (%)"),
    "criterion": N_("Points of the satisfaction criterion (% of its maximum)"),
}
"""The same scores as the horizontal axis of a figure."""

PROBLEMS: Final[dict[str, tuple[Message, Message]]] = {
    "other_year": (N_("the row belongs to another year"),
                   N_("left out of this year's table")),
    "unit_code_missing": (N_("no unit code"),
                          N_("left out: the row cannot be attributed to a unit")),
    "unknown_criterion": (N_("criterion not in the criteria file"),
                          N_("left out of the total")),
    "duplicate_row": (N_("the same unit and criterion again"),
                      N_("left out: the first row of this unit and criterion is kept")),
    "unit_name_conflict": (N_("one unit code with several names, types or provinces"),
                           N_("the first value of this unit code is kept")),
    "unknown_province": (N_("province not in the list of provinces"),
                         N_("kept as typed; no satisfaction estimate to match")),
    "not_a_number": (N_("points that are not a number"), N_("treated as missing")),
    "negative": (N_("points below 0"), N_("set to 0")),
    "above_max": (N_("points above the criterion's maximum"),
                  N_("capped at the criterion's maximum")),
    "criterion_missing": (N_("no appraised points for the criterion"),
                          N_("scored 0 points; the unit is flagged incomplete")),
    "self_missing": (N_("no self-assessed points"),
                     N_("no self-assessment gap for this unit")),
    "unit_in_one_year_only": (N_("unit scored in one of the two years only"),
                              N_("shown as not scored in the other year")),
}
"""Each fault of a unit table (:mod:`satisfaction.par_index`'s rules): what it is, what was
done."""

_POINT_COLUMNS: Final[dict[str, Message]] = {
    "appraised_points": N_("appraised points"),
    "self_points": N_("self-assessed points"),
    "year": N_("year"),
    "unit_code": N_("unit code"),
    "unit": N_("unit name"),
    "unit_type": N_("unit type"),
    "province": N_("province"),
    "criterion": N_("criterion"),
}

_DIRECTIONS: Final[dict[tuple[str, str], Message]] = {
    ("scores", "up"): N_("every score up by it"),
    ("scores", "down"): N_("every score down by it"),
    ("thresholds", "up"): N_("every threshold raised"),
    ("thresholds", "down"): N_("every threshold lowered"),
}


class _Label:
    """A code by its label, in each language."""

    def __init__(self, labels: Labels | None, code: Any) -> None:
        self.labels, self.code = labels, code

    def render(self, lang: Language) -> str:
        return str(label_map(self.labels, lang).get(self.code, _words(self.code)))


class _Units:
    """A number of units in words: "1 unit", "31 units" ("31 đơn vị")."""

    def __init__(self, n: Any) -> None:
        self.n = int(n)

    def render(self, lang: Language) -> str:
        word = _("{n} unit") if self.n == 1 else _("{n} units")
        return word.format(n=Count(self.n)).render(lang)


class _Signed:
    """A whole number with its sign (+4, -13, 0), in each language."""

    def __init__(self, value: float) -> None:
        self.value = value

    def render(self, lang: Language) -> str:
        return ("+" if self.value > 0 else "") + count(self.value, lang)


class _SignedColumn(Column):
    """A count column whose cells carry their sign (a change in units)."""

    def texts(self, frame: pd.DataFrame, lang: Language) -> pd.Series:
        values = pd.to_numeric(frame[self.key], errors="coerce")  # type: ignore[index]
        out = cells("count", values, lang)
        return out.where(~(values > 0).to_numpy(), "+" + out)


def _words(code: Any) -> str:
    return str(code).replace("_", " ")


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------
def band_labels(criteria: ParCriteria,
                bands: Iterable[Any] = ()) -> Callable[[Language], dict[str, str]]:
    """Band code -> its name in a language (the criteria file's labels), with the transition
    table's ``absent`` and ``total``; a band of ``bands`` the file does not name reads as its
    code in words.

    Examples:
        >>> from satisfaction.par_index import load_criteria
        >>> names = band_labels(load_criteria(), ["new_band"])
        >>> names("vi")["fair"], names("en")["absent"], names("en")["new_band"]
        ('Khá', 'not scored that year', 'new band')
    """
    def labels(lang: Language) -> dict[str, str]:
        named = {str(b): _words(b) for b in bands}
        named.update({band: spec.get(lang) or _words(band)
                      for band, spec in criteria.band_labels.items()})
        named.setdefault(NOT_COMPLETED, render(_("Not completed"), lang))
        named[ABSENT] = render(_("not scored that year"), lang)
        named[TOTAL] = render(_("Total"), lang)
        return named

    return labels


def criterion_labels(criteria: ParCriteria) -> Callable[[Language], dict[str, str]]:
    """Criterion code -> its name in a language (the criteria file's vi/en labels).

    Examples:
        >>> from satisfaction.par_index import load_criteria
        >>> criterion_labels(load_criteria())("en")["impact"]
        'Impact on people and socio-economic development'
    """
    return lambda lang: {c: str(v) for c, v in criteria.table[lang].items()}


def assumption_names(fragility: pd.DataFrame) -> dict[str, Message]:
    """Key of each ``either`` row of :func:`satisfaction.par_index.fragility` -> its name.

    Keys: ``gap``, ``half_gap``, ``fixed:<d>``, ``thresholds:<d>`` (:func:`assumption_key`).
    """
    names: dict[str, Message] = {}
    for _i, row in fragility.iterrows():   # a handful of assumptions, not data rows
        names[assumption_key(row)] = _assumption_name(row)
    return names


def assumption_key(row: pd.Series) -> str:
    """The key of one row of :func:`satisfaction.par_index.fragility` (``fixed:1``, ``gap``).

    Examples:
        >>> assumption_key(pd.Series({"assumption": "fixed", "points": 2.0}))
        'fixed:2'
    """
    if row["assumption"] in ("fixed", "thresholds"):
        return f"{row['assumption']}:{float(row['points']):g}"
    return str(row["assumption"])


def _assumption_name(row: pd.Series) -> Message:
    what = row["assumption"]
    if what == "gap":
        return _("Each unit's own self-assessment gap (the assumption above)")
    if what == "half_gap":
        return _("Half of each unit's self-assessment gap")
    if what == "fixed":
        return _("A fixed ±{d} on every unit's score").format(
            d=Decimal(row["points"], _digits(row["points"])))
    if what == "thresholds":
        return _("Scores as appraised, every threshold moved by ±{d}").format(
            d=Decimal(row["points"], _digits(row["points"])))
    return _("As appraised (the ranking as scored)")


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------
def introduction(criteria: ParCriteria) -> list[Message]:
    """What the page is about and what it answers."""
    return [
        _("Every year the ministry scores each of its units (the police of the provinces and "
          "the ministry's departments) on a {total}-point administrative-reform (PAR) index, "
          "criterion by criterion, and ranks them in bands. This page asks, for a reviewer: "
          "does the unit table reproduce the figures the ministry published; how are the "
          "scores spread and how precise is their mean; which units moved between bands since "
          "the previous year; where do units lose points; how fragile is the ranking; and do "
          "provinces whose police score higher also have more satisfied citizens?").format(
              total=Decimal(criteria.total, 0)),
        _("The band thresholds come from the year's parameters; a score exactly on a threshold "
          "belongs to the higher band. Faults in the unit table are listed with the rule "
          "applied; no row is dropped silently."),
    ]


def synthetic_note(units: int) -> Message:
    """The unit table is generated (a synthetic year)."""
    return _("**Synthetic data.** The ministry publishes only aggregates of the PAR index; the "
             "unit table on this page ({units} units) is generated to reproduce them, and the "
             "band levels that were not published are assumptions. Individual units' scores "
             "are not real.").format(units=Count(units))


def units_sentence(units: pd.DataFrame, criteria: ParCriteria) -> Message:
    """How many units of each type were scored, on how many criteria, how many incomplete.

    Examples:
        >>> from satisfaction.par_index import load_criteria
        >>> u = pd.DataFrame({"unit_type": ["province", "province", "ministry"],
        ...                   "complete": [True, True, False]})
        >>> print(units_sentence(u, load_criteria()).render("en"))
        3 units were scored (2 provincial police and 1 ministry departments) on 9 criteria; incomplete, lacking a criterion's points: 1 unit.
    """
    types = units["unit_type"].fillna("other").value_counts(sort=False) if "unit_type" in units \
        else pd.Series({"other": len(units)})
    parts = [_("{n} {type}").format(n=Count(n), type=UNIT_TYPES.get(t, _("other units")))
             for t, n in types.items()]
    incomplete = int((~units["complete"].astype(bool)).sum()) if "complete" in units else 0
    values = {"units": Count(len(units)), "types": Listed(parts),
              "criteria": Count(len(criteria.codes)), "incomplete": _Units(incomplete)}
    if not incomplete:
        return _("{units} units were scored ({types}) on {criteria} criteria; every unit has "
                 "the points of every criterion.").format(**values)
    return _("{units} units were scored ({types}) on {criteria} criteria; incomplete, lacking "
             "a criterion's points: {incomplete}.").format(**values)


def thresholds_sentence(thresholds: Mapping[str, float], criteria: ParCriteria) -> Message:
    """The band thresholds of the year in words.

    Examples:
        >>> from satisfaction.par_index import load_criteria
        >>> print(thresholds_sentence({"excellent": 95, "good": 80}, load_criteria()).render("vi"))
        Ngưỡng xếp loại của năm (một điểm số nằm đúng ngưỡng thuộc mức cao hơn): Xuất sắc từ 95 điểm, Tốt từ 80 điểm; dưới 80 điểm: Không hoàn thành nhiệm vụ.
    """
    names = band_labels(criteria)
    ordered = sorted(thresholds.items(), key=lambda kv: -float(kv[1]))
    parts = [_("{band} from {bound} points").format(band=_Label(names, band),
                                                     bound=Decimal(bound, _digits(bound)))
             for band, bound in ordered]
    lowest = ordered[-1][1]
    return _("The year's band thresholds (a score exactly on a threshold belongs to the higher "
             "band): {bands}; below {lowest} points: {last}.").format(
                 bands=Listed(parts, last=False), lowest=Decimal(lowest, _digits(lowest)),
                 last=_Label(names, NOT_COMPLETED))


def _digits(x: float) -> int:
    return 0 if float(x).is_integer() else 2


def moves_sentence(moves: pd.Series, base_year: Any) -> Message:
    """How many units moved up, stayed, moved down, entered or left since the base year.

    Examples:
        >>> m = pd.Series({"moved_up": 31, "stayed": 71, "moved_down": 8, "entered": 0, "left": 0})
        >>> print(moves_sentence(m, 2019).render("en"))
        Since 2019, 31 units moved up a band or more, 71 units stayed in their band and 8 units moved down; every unit was scored in both years.
        >>> m = pd.Series({"moved_up": 1, "stayed": 2, "moved_down": 0, "entered": 1, "left": 0})
        >>> print(moves_sentence(m, 2019).render("en"))
        Since 2019, 1 unit moved up a band or more, 2 units stayed in their band and 0 units moved down; scored this year only: 1 unit; in 2019 only: 0 units.
    """
    moved = _("Since {base}, {up} moved up a band or more, {stayed} stayed in their band "
              "and {down} moved down").format(base=Fixed(base_year), up=_Units(moves["moved_up"]),
                                              stayed=_Units(moves["stayed"]),
                                              down=_Units(moves["moved_down"]))
    if not moves["entered"] and not moves["left"]:
        return moved + _("; every unit was scored in both years.")
    return moved + _("; scored this year only: {entered}; in {base} only: {left}.").format(
        entered=_Units(moves["entered"]), left=_Units(moves["left"]), base=Fixed(base_year))


def uncertainty_note(units: pd.DataFrame) -> list[Message]:
    """The assumption behind "measurement uncertainty", stated, and what the page does about it.

    Examples:
        >>> u = pd.DataFrame({"uncertainty": [1.0, 2.0, float("nan")]})
        >>> print(uncertainty_note(u)[1].render("en"))
        The median gap is 1.50 points; without a self-assessment, so without a gap: 1 unit.
    """
    gap = pd.to_numeric(units["uncertainty"], errors="coerce")
    return [
        _("Nothing measures how precisely a unit is scored: the council appraises each unit "
          "once. This page therefore **assumes** a measurement uncertainty. Its first choice is "
          "each unit's self-assessment gap, the distance between the unit's self-assessed and "
          "its appraised score: that is how much the council corrected the unit, not how much a "
          "second appraisal would differ, so it may overstate or understate the error. The "
          "tables below therefore show the ranking under other choices too: half that gap, the "
          "same ±1 and ±2 points for every unit, and every threshold moved by one point."),
        (_("The median gap is {median} points; every unit has a self-assessment.")
         if not gap.isna().any() else
         _("The median gap is {median} points; without a self-assessment, so without a gap: "
           "{unknown}.")).format(median=Decimal(gap.median()),
                                 unknown=_Units(int(gap.isna().sum()))),
    ]


def unmatched_sentence(unmatched: pd.DataFrame) -> Message | None:
    """The provinces left out of the correlation, and why; None when none is.

    Examples:
        >>> u = pd.DataFrame({"province": ["Lạng Sơn", "Điện Biên"],
        ...                   "side": ["satisfaction suppressed"] * 2})
        >>> print(unmatched_sentence(u).render("en"))
        Left out of the correlation: Lạng Sơn, Điện Biên (the satisfaction estimate does not meet the reliability standard and is not shown).
    """
    if unmatched is None or unmatched.empty:
        return None
    why = {"satisfaction suppressed": _("the satisfaction estimate does not meet the reliability "
                                        "standard and is not shown"),
           "PAR only": _("no survey estimate for the province"),
           "satisfaction only": _("no PAR unit for the province")}
    parts = [_("{provinces} ({why})").format(
        provinces=Fixed(", ".join(str(p) for p in group["province"])),
        why=why.get(side, Fixed(side)))
        for side, group in unmatched.groupby("side", sort=False)]
    return _("Left out of the correlation: {parts}.").format(
        parts=Listed(parts, sep="; ", last=False))


def link_note(synthetic: bool, criteria: ParCriteria) -> Message:
    """Why the correlation is also shown net of the satisfaction criterion (or why it is not)."""
    if criteria.satisfaction is None:
        return _("The criteria file names no criterion that scores citizens' satisfaction, so "
                 "the whole PAR score is compared with the survey as it is.")
    share = criteria.max_points[criteria.satisfaction] / criteria.total
    note = _("The PAR index itself contains a satisfaction criterion ({points} of {total} "
             "points, {share} of the score), so part of a correlation between the whole score "
             "and the survey's satisfaction could be built in. The score net of that criterion "
             "(the other criteria's points, in per cent of their maximum) shows what the rest "
             "of the index shares with citizens' satisfaction; the criterion alone shows how "
             "far the ministry's own satisfaction score agrees with the survey.").format(
                 points=Decimal(criteria.max_points[criteria.satisfaction], 0),
                 total=Decimal(criteria.total, 0), share=Percent(share, 0))
    if synthetic:
        return note + " " + _("In this synthetic year the PAR table is generated independently "
                              "of the survey, so any correlation here is chance.")
    return note


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
def criteria_table(criteria: ParCriteria) -> Table:
    """The criteria of the index and their maximum points (the satisfaction criterion marked).

    Examples:
        >>> from satisfaction.par_index import load_criteria
        >>> criteria_table(load_criteria()).download("vi").iloc[-1].to_dict()
        {'Tiêu chí': 'Sự hài lòng của người dân, tổ chức', 'Điểm tối đa': 20.0, 'Chấm sự hài lòng của người dân': 'có'}
    """
    frame = criteria.table[["max_points"]].rename_axis("criterion").reset_index()
    frame["satisfaction"] = frame["criterion"].eq(criteria.satisfaction)
    return Table(frame, [
        Column("criterion", _("Criterion"), "category", labels=criterion_labels(criteria)),
        Column("max_points", _("Maximum points"), "decimal", digits=0),
        Column("satisfaction", _("Scores citizens' satisfaction"), "boolean"),
    ], caption=_("The criteria of the PAR index"))


def problems_table(problems: pd.DataFrame, criteria: ParCriteria) -> Table:
    """The faults found in the unit table, each with the rule applied, in words."""
    frame = problems.copy()
    frame["what"] = frame["reason"].map(lambda r: PROBLEMS.get(r, (Fixed(_words(r)),))[0])
    frame["action_words"] = frame["reason"].map(
        lambda r: PROBLEMS[r][1] if r in PROBLEMS else Fixed(""))
    return Table(frame, [
        Column("unit_code", _("Unit code"), "text", nowrap=True),
        Column("unit", _("Unit"), "text"),
        Column("criterion", _("Criterion"), "category", labels=criterion_labels(criteria)),
        Column("column", _("In"), "category", labels=_POINT_COLUMNS),
        Column("value", _("Value as typed"), "text"),
        Column("what", _("Fault"), "category"),
        Column("action_words", _("What was done"), "category"),
    ], caption=_("Faults found in the unit table"))


def summary_table(summary: pd.DataFrame, confidence: float) -> Table:
    """The mean score with its two intervals and the distribution of scores."""
    level = Percent(confidence, 0)
    return Table(summary, [
        Column("n", _("Units"), "count"),
        Column("mean", _("Mean score"), "percentage"),
        Column(("ci_low", "ci_high"), _("{level} confidence interval (t)").format(level=level),
               "percentage"),
        Column(("boot_low", "boot_high"),
               _("{level} interval, bootstrap over units").format(level=level), "percentage"),
        Column("sd", _("Standard deviation (points)"), "decimal"),
        Column("min", _("Lowest"), "percentage"),
        Column("q25", _("Lower quartile"), "percentage"),
        Column("median", _("Median"), "percentage"),
        Column("q75", _("Upper quartile"), "percentage"),
        Column("max", _("Highest"), "percentage"),
    ], caption=_("Unit scores: the mean and the spread"))


def bands_table(changes: pd.DataFrame, criteria: ParCriteria) -> Table:
    """Units per band in each year shown, with the change when there are two years."""
    years = [c for c in changes.columns if c != "change"]
    frame = changes.rename_axis("band").reset_index()
    frame.columns = ["band", *[f"__year_{i}" for i in range(len(years))],
                     *(["change"] if "change" in changes else [])]
    columns: list[Column] = [Column("band", _("Band"), "category",
                                    labels=band_labels(criteria, changes.index))]
    columns += [Column(f"__year_{i}", _("Units in {year}").format(year=Fixed(y)), "count")
                for i, y in enumerate(years)]
    if "change" in changes:
        columns.append(_SignedColumn("change", _("Change (units)"), "count"))
    return Table(frame, columns, caption=_("Units per band"))


def published_table(check: pd.DataFrame, criteria: ParCriteria) -> Table:
    """The published PAR figures next to those reproduced from the unit table.

    Examples:
        >>> from satisfaction.par_index import load_criteria
        >>> check = pd.DataFrame({"figure": ["x", "y"], "what": ["mean", "change"],
        ...     "band": [None, "fair"], "published": [85.78, -13.0],
        ...     "reproduced": [85.78, -13.0], "match": [True, True]})
        >>> published_table(check, load_criteria()).download("vi").values.tolist()
        [['Điểm trung bình', '85,78 %', '85,78 %', 'có'], ['Khá: thay đổi so với năm trước', '-13', '-13', 'có']]
    """
    names = band_labels(criteria)

    def figure(row: pd.Series) -> Renderable:
        if row["what"] == "mean":
            return _("Mean score")
        if row["what"] == "count":
            return _("{band}: units").format(band=_Label(names, row["band"]))
        return _("{band}: change on the previous year").format(band=_Label(names, row["band"]))

    def value(what: str, x: float) -> Renderable:
        if what == "mean":
            return _("{score} %").format(score=Decimal(x))
        return _Signed(x) if what == "change" else Count(x)

    frame = pd.DataFrame({
        "figure": [figure(r) for _i, r in check.iterrows()],   # a few published figures
        "published": [value(w, x) for w, x in zip(check["what"], check["published"], strict=True)],
        "reproduced": [value(w, x) for w, x in zip(check["what"], check["reproduced"],
                                                   strict=True)],
        "match": check["match"].to_numpy(),
    })
    return Table(frame, [
        Column("figure", _("Published figure"), "category"),
        Column("published", _("As published"), "category"),
        Column("reproduced", _("From the unit table"), "category"),
        Column("match", _("The same"), "boolean"),
    ], caption=_("The published PAR figures against the unit table"))


def transitions_table(matrix: pd.DataFrame, criteria: ParCriteria,
                      drop_empty: bool = True) -> Table:
    """The transition matrix: rows the band in the earlier year, columns the band this year.

    Args:
        matrix: :func:`satisfaction.par_index.transition_matrix` with its margins; its index
            and columns are named by the two years.
        criteria: the band names.
        drop_empty: leave out ``not_completed`` and ``absent`` when empty in both years.
    """
    core = matrix
    if drop_empty:
        keep = [c for c in matrix.index if c not in (NOT_COMPLETED, ABSENT)
                or matrix.loc[c].drop(TOTAL, errors="ignore").sum()
                or matrix[c].drop(TOTAL, errors="ignore").sum()]
        core = matrix.loc[keep, keep]
    names = band_labels(criteria, core.index)
    before, after = Fixed(matrix.index.name or ""), Fixed(matrix.columns.name or "")
    frame = core.copy()
    frame.columns = [f"__to_{i}" for i in range(core.shape[1])]
    frame = frame.rename_axis("__from").reset_index()
    columns = [Column("__from", _("Band in {before} ↓, in {after} →").format(
        before=before, after=after), "category", labels=names)]
    columns += [Column(f"__to_{i}", _Label(names, c), "count") for i, c in enumerate(core.columns)]
    return Table(frame, columns, caption=_("Units by band in {before} (rows) and {after} "
                                           "(columns)").format(before=before, after=after),
                 notes=[_("The table adds up to every unit scored in either year; a unit scored "
                          "in one year only is counted as not scored in the other.")])


def losses_table(losses: pd.DataFrame, criteria: ParCriteria) -> Table:
    """Where units lose points: per criterion, the criterion losing most first."""
    return Table(losses, [
        Column("criterion", _("Criterion"), "category", labels=criterion_labels(criteria)),
        Column("max_points", _("Maximum points"), "decimal", digits=0),
        Column("mean_appraised", _("Mean points appraised"), "decimal"),
        Column("mean_lost", _("Mean points lost per unit"), "decimal"),
        Column("total_lost", _("Points lost, all units"), "decimal"),
        Column("share_of_losses", _("Share of all points lost"), "percentage"),
        Column("lost_pct_of_max", _("Mean loss, share of the maximum"), "percentage"),
        Column("units_losing", _("Units losing points"), "count"),
        Column("mean_overclaim", _("Mean over-claim (points)"), "decimal"),
    ], caption=_("Points lost by criterion"))


def fragility_table(fragility: pd.DataFrame) -> Table:
    """Units that could change band under each assumption (the ``either`` rows)."""
    rows = fragility.loc[fragility["direction"].eq("either")].copy()
    rows["name"] = [_assumption_name(r) for _i, r in rows.iterrows()]  # a handful of rows
    return Table(rows, [
        Column("name", _("Assumption"), "category"),
        Column("changed", _("Units that could change band"), "count"),
        Column("moved_up", _("could move up"), "count"),
        Column("moved_down", _("could move down"), "count"),
        Column("not_moved", _("Units with no self-assessment (not moved)"), "count"),
        Column("units", _("Units"), "count"),
    ], caption=_("How many units could change band, under each assumption"))


def band_counts_table(fragility: pd.DataFrame, criteria: ParCriteria,
                      bands: Sequence[str]) -> Table:
    """Units per band under each assumption and direction (the published counts first)."""
    rows = fragility.loc[~fragility["direction"].eq("either")].copy()
    rows["name"] = [_assumption_name(r) for _i, r in rows.iterrows()]   # a handful of rows
    rows["how"] = [_DIRECTIONS.get(("thresholds" if r["assumption"] == "thresholds"
                                    else "scores", r["direction"]), Fixed("—"))
                   for _i, r in rows.iterrows()]
    names = band_labels(criteria)
    return Table(rows, [
        Column("name", _("Assumption"), "category"),
        Column("how", _("Shift"), "category"),
        *[Column(b, _Label(names, b), "count") for b in bands],
    ], caption=_("Units per band under each assumption"))


def fragile_table(fragile: pd.DataFrame, criteria: ParCriteria) -> Table:
    """The units within their self-assessment gap of a band threshold."""
    return Table(fragile.rename_axis("unit_code").reset_index(), [
        Column("unit", _("Unit"), "text"),
        Column("unit_code", _("Unit code"), "text", nowrap=True),
        Column("score", _("Score"), "percentage"),
        Column("band", _("Band"), "category", labels=band_labels(criteria, fragile["band"])),
        Column("to_lower", _("Points above the band's threshold"), "decimal"),
        Column("to_upper", _("Points short of the next band"), "decimal"),
        Column("uncertainty", _("Self-assessment gap (points)"), "decimal"),
    ], caption=_("Units within their self-assessment gap of a band threshold"))


def links_table(links: Mapping[str, ParSatisfaction]) -> Table:
    """The rank correlation of each score with citizens' satisfaction, with its interval."""
    rows = []
    for key, link in links.items():
        r = link.summary.iloc[0]
        rows.append({"name": LINK_NAMES.get(key, Fixed(key)), "n": r["n"], "rho": r["rho"],
                     "ci": _("{low} to {high}").format(low=Decimal(r["ci_low"]),
                                                       high=Decimal(r["ci_high"])),
                     "p": r["p_value"]})
    frame = pd.DataFrame(rows)
    level = Percent(links["score"].summary["confidence"].iloc[0], 0) if links else Percent(0.95, 0)
    return Table(frame, [
        Column("name", _("Score compared with satisfaction"), "category"),
        Column("n", _("Provinces"), "count"),
        Column("rho", _("Spearman's rank correlation"), "decimal"),
        Column("ci", _("{level} confidence interval").format(level=level), "category"),
        Column("p", _("p-value"), "p_value"),
    ], caption=_("PAR score and citizens' satisfaction by province: rank correlations"))


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------
def _mean_finding(summary: pd.Series, counts: pd.Series, criteria: ParCriteria,
                  confidence: float) -> Message:
    names = band_labels(criteria)
    parts = [_("{band} {n}").format(n=Count(n), band=_Label(names, band))
             for band, n in counts.items() if n or band != NOT_COMPLETED]
    return _("The {units} units scored {mean} on average ({level} confidence interval {low} to "
             "{high}); by band: {bands}.").format(
                 units=Count(summary["n"]), mean=Percent(summary["mean"] / 100),
                 level=Percent(confidence, 0), low=Percent(summary["ci_low"] / 100),
                 high=Percent(summary["ci_high"] / 100), bands=Listed(parts, last=False))


def _fragility_finding(fragility: pd.DataFrame) -> Message:
    either = fragility.loc[fragility["direction"].eq("either")].set_index(
        [fragility.loc[fragility["direction"].eq("either"), "assumption"],
         fragility.loc[fragility["direction"].eq("either"), "points"].fillna(0)])
    units = Count(either["units"].max())
    fixed = either.xs("fixed", level=0)
    parts = [_("{n} for ±{d}").format(d=Decimal(d, _digits(d)), n=Count(fixed.loc[d, "changed"]))
             for d in fixed.index]
    threshold = either.xs("thresholds", level=0).iloc[0]
    return _("The ranking is fragile, and how fragile depends on an assumption: with each unit's "
             "self-assessment gap as its measurement error, {gap} of the {units} units could "
             "change band; with half the gap, {half}; with a fixed error on every score, "
             "{fixed}; with every threshold moved by one point, {thresholds}.").format(
                 gap=Count(either.loc[("gap", 0), "changed"]), units=units,
                 half=Count(either.loc[("half_gap", 0), "changed"]),
                 fixed=Listed(parts), thresholds=Count(threshold["changed"]))


def _link_finding(links: Mapping[str, ParSatisfaction], criteria: ParCriteria,
                  synthetic: bool) -> Message:
    def rho(key: str) -> dict[str, Any]:
        r = links[key].summary.iloc[0]
        return {"rho": Decimal(r["rho"]), "low": Decimal(r["ci_low"]),
                "high": Decimal(r["ci_high"])}

    first = links["score"].summary.iloc[0]
    whole = _("Across {n} provinces, the rank correlation of the police's PAR score with "
              "citizens' satisfaction is {rho} ({level} confidence interval {low} to "
              "{high})").format(n=Count(first["n"]), level=Percent(first["confidence"], 0),
                                **rho("score"))
    if "net" not in links:
        return whole + _("; the index has no satisfaction criterion to take out.")
    net = _("; net of the index's own satisfaction criterion it is {rho} ({low} to "
            "{high}).").format(**rho("net"))
    out = whole + net
    if synthetic:
        out = out + " " + _("(Synthetic year: the PAR table is generated independently of the "
                            "survey, so any correlation is chance.)")
    return out


def findings(*, summary: pd.Series, counts: pd.Series, criteria: ParCriteria, confidence: float,
             check: pd.DataFrame, synthetic: bool, fragility: pd.DataFrame,
             links: Mapping[str, ParSatisfaction] | None = None,
             moves: pd.Series | None = None, base_year: Any = None) -> list[Renderable]:
    """The findings of the PAR page, in plain words (four or five).

    Args:
        summary: the row of :func:`satisfaction.par_index.score_summary`.
        counts: units per band (:func:`satisfaction.par_index.band_counts` ``n``).
        criteria: the criteria (band names, the satisfaction criterion).
        confidence: the confidence level.
        check: :func:`satisfaction.par_index.published_comparison` (empty: nothing published).
        synthetic: the unit table is synthetic (a match is calibration, not confirmation).
        fragility: :func:`satisfaction.par_index.fragility`.
        links: :func:`satisfaction.par_index.satisfaction_links` (None: not computed).
        moves: the row of :func:`satisfaction.par_index.transition_summary` (None: no
            earlier year).
        base_year: the earlier year of ``moves``.

    Returns:
        The mean and the bands; the published figures (or that none were published); the
        movements since the earlier year; the ranking's fragility; the link with satisfaction.
    """
    found: list[Renderable] = [_mean_finding(summary, counts, criteria, confidence)]
    if check.empty:
        found.append(_("Nothing about the PAR index was published for this year, so there is no "
                       "published figure to check."))
    else:
        found.append(par_reproduction(int(check["match"].sum()), len(check), synthetic=synthetic))
    if moves is not None:
        found.append(moves_sentence(moves, base_year))
    found.append(_fragility_finding(fragility))
    if links:
        found.append(_link_finding(links, criteria, synthetic))
    return found
