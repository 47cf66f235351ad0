"""The questionnaire review as a reviewer reads it: names, tables and findings, in every language.

Page ``05_instrument`` reviews the questionnaire of a year (and of the year before it). The
statistics are :mod:`satisfaction.instrument`; their tables hold codes (items, components,
flags, scenarios, groups). This module words them, once, for every edition
(:mod:`satisfaction.i18n`; numbers through :mod:`satisfaction.report.formats`):

* :class:`Names` -- what each code is called in each language: items and components by each
  year's own codebook (the current year's wording wins; a reworded item is marked), the
  answers, the levels and the groups by the codebook's labels, the response-quality flags and
  scenarios, the two group contrasts ("channel: online − in person", "respondent type:
  organisation − citizen");
* :func:`findings` -- the summary of findings, computed from the review;
* :func:`introduction`, :func:`years_reviewed`, :func:`review_notes` -- the page's framing;
* the page's tables (:class:`satisfaction.report.tables.Table`, one rule per kind of number):
  :func:`answers_table`, :func:`unusable_table`, :func:`top_items_table`,
  :func:`top_components_table`, :func:`consistency_table`, :func:`item_table`,
  :func:`agreement_table`, :func:`quality_table`, :func:`sensitivity_table`,
  :func:`group_rates_table`, :func:`contrasts_table`, :func:`precision_table`.

Every verdict here follows the one rule of the recommendations
(:mod:`satisfaction.report.recommendations`): a statement that a quantity is above or below a
threshold, or that two groups differ, is made only when its interval says so; a comparison the
page calls descriptive never leads to "no change needed".

Not for: computing anything (:mod:`satisfaction.instrument`), the recommendations
(:mod:`satisfaction.report.recommendations`) or drawing (:mod:`satisfaction.plots.instrument`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ..codebook import Codebook, nfc
from ..i18n import N_, Fixed, Language, Listed, Message, Renderable, _, render
from ..instrument import NO_ITEM_MISSING, InstrumentReview, InstrumentSettings
from .formats import Count, Decimal, Percent, Points
from .tables import Column, Table, estimates_table

if TYPE_CHECKING:
    from ..params import YearParams

__all__ = [
    "CONTRAST_LABELS",
    "FLAG_LABELS",
    "SCENARIO_LABELS",
    "Names",
    "agreement_table",
    "alpha_reading",
    "answers_table",
    "consistency_table",
    "contrasts_table",
    "findings",
    "group_rates_table",
    "in_level_order",
    "introduction",
    "item_table",
    "precision_table",
    "quality_reading",
    "quality_table",
    "review_notes",
    "sensitivity_table",
    "target_label",
    "target_points",
    "top_components_table",
    "top_items_table",
    "unusable_table",
    "years_reviewed",
]

FLAG_LABELS: Final[dict[str, Message]] = {
    "straightlined": N_("Straight-lined: the same answer to every item"),
    "fast": N_("Very fast: under the time threshold"),
    "incomplete": N_("Incomplete: an item or the overall question unanswered"),
    "flagged": N_("Any of the three"),
    "straightlined_at_5": N_("Straight-lined, every answer 5"),
}
"""The rows of :func:`satisfaction.instrument.quality_summary`, in words."""

SCENARIO_LABELS: Final[dict[str, Message]] = {
    "all": N_("All forms"),
    "straightlined": N_("Without straight-lined forms"),
    "fast": N_("Without very fast forms"),
    "incomplete": N_("Without incomplete forms"),
    "flagged": N_("Without any flagged form"),
}
"""The rows of :func:`satisfaction.instrument.quality_sensitivity`, in words."""

CONTRAST_LABELS: Final[dict[str, Message]] = {
    "channel": N_("Channel"),
    "respondent_type": N_("Respondent type"),
}
"""What each contrast compares: the channel (online or in person) and the respondent type
(organisation or citizen). Neither is a mode of answering."""

_ALL_COMPONENTS: Final = N_("All components together")


class _Markdown:
    """Text from the codebook inside a Markdown sentence: escaped for Markdown and HTML."""

    def __init__(self, inner: Renderable | str) -> None:
        self.inner = inner

    def render(self, lang: Language) -> str:
        escaped = html.escape(" ".join(nfc(render(self.inner, lang)).split()), quote=False)
        return "".join("\\" + c if c in "\\`*_[]#|<>" else c for c in escaped)


class _Interval:
    """Two limits of a kind of number (decimal, rate, points) as one text."""

    def __init__(self, low: float, high: float, kind: str = "decimal") -> None:
        self.low, self.high, self.kind = float(low), float(high), kind

    def render(self, lang: Language) -> str:
        if self.kind == "points":
            return _("{low} to {high}").format(low=Decimal(100 * self.low, 2, signed=True),
                                               high=Points(self.high)).render(lang)
        number = Percent if self.kind == "rate" else Decimal
        return f"{number(self.low).render(lang)}–{number(self.high).render(lang)}"


def _level(level: float) -> Percent:
    return Percent(level, 0)


def _of_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    return table[table["year"] == year] if "year" in table.columns else table


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------
def _bilingual(spec: Mapping[str, Any], fallback: str) -> dict[str, str]:
    return {lang: " ".join(nfc(str(spec.get(lang) or fallback)).split()) for lang in ("vi", "en")}


@dataclass(frozen=True)
class Names:
    """What each code of the review is called, in each language.

    Args:
        items: item code -> {language: wording} (the codebooks' wording).
        components: component -> {language: name}.
        groups: channel and respondent-type codes -> {language: label}.
        levels: level code -> {language: label}.
        answers: answer code ("1".."5") -> {language: label}.
        overall: the overall-satisfaction item.
        reworded: items whose wording changed between the years reviewed (marked with "*").

    Examples:
        >>> from satisfaction.codebook import load_codebook
        >>> names = Names.of([load_codebook()])
        >>> names.item_labels("vi")["p3"], names.item_labels("en")["p3"]
        ('p3 Phí, lệ phí đúng quy định', 'p3 Fees as regulated')
        >>> names.group_labels("en")["online"], names.answer_labels("vi")["5"]
        ('Online', 'Rất hài lòng')
    """

    items: Mapping[str, Mapping[str, str]]
    components: Mapping[str, Mapping[str, str]]
    groups: Mapping[str, Mapping[str, str]]
    levels: Mapping[str, Mapping[str, str]]
    answers: Mapping[str, Mapping[str, str]]
    overall: str = "q_overall"
    reworded: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, codebooks: Sequence[Codebook], reworded: Sequence[str] = ()) -> Names:
        """The names of the years' codebooks, oldest first (the last year's wording wins)."""
        items: dict[str, dict[str, str]] = {}
        components: dict[str, dict[str, str]] = {}
        for book in codebooks:
            for code in book.likert_columns:
                items[code] = _bilingual(book.columns[code].spec, code)
            for name, spec in book.components.items():
                components[name] = _bilingual(spec, name)
        last = codebooks[-1]
        groups = {code: {lang: last.label(column, code, lang) for lang in ("vi", "en")}
                  for column in ("channel", "respondent_type") for code in last.categories(column)}
        levels = {code: {lang: last.label("level", code, lang) for lang in ("vi", "en")}
                  for code in last.categories("level")}
        scale = last.spec.get("likert", {}).get("labels", {})
        answers = {str(k): _bilingual(v, str(k)) for k, v in scale.items()}
        return cls(items, components, groups, levels, answers, last.overall_item,
                   frozenset(reworded))

    @classmethod
    def for_years(cls, params: Sequence[YearParams]) -> Names:
        """The names of the years reviewed (their parameters, oldest first), each year's own
        questionnaire (params ``codebook``); an item reworded between them is marked."""
        from ..questionnaire import compare_years, year_codebook

        books = [year_codebook(p) for p in params]
        reworded = compare_years(params[-1], params[0]).reworded if len(params) > 1 else []
        return cls.of(books, reworded)

    def item_text(self, code: str, lang: Language) -> str:
        """``"p3 Fees as regulated"``; ``"o3* ..."`` when the item was reworded; the overall
        question by its wording alone (its code is a column name, not a question number)."""
        mark = "*" if code in self.reworded else ""
        wording = self.items.get(code, {}).get(lang, "")
        if code == self.overall and wording:
            return f"{wording}{mark}"
        return f"{code}{mark} {wording}".strip()

    def item_labels(self, lang: Language) -> dict[str, str]:
        """Item code -> its name (code and wording), in ``lang``."""
        return {code: self.item_text(code, lang) for code in self.items}

    def component_labels(self, lang: Language) -> dict[str, str]:
        """Component -> its name, in ``lang`` (``all components``: all of them together)."""
        return {**{name: spec[lang] for name, spec in self.components.items()},
                "all components": render(_ALL_COMPONENTS, lang)}

    def scale_labels(self, lang: Language) -> dict[str, str]:
        """Items and components together (the ceiling figure has both)."""
        return {**self.item_labels(lang), **self.component_labels(lang)}

    def group_labels(self, lang: Language) -> dict[str, str]:
        """Channel and respondent-type codes -> their labels, and the two characteristics."""
        return {**{code: spec[lang] for code, spec in self.groups.items()},
                **{k: render(v, lang) for k, v in CONTRAST_LABELS.items()}}

    def level_labels(self, lang: Language) -> dict[str, str]:
        """Level code -> its label, in ``lang``."""
        return {code: spec[lang] for code, spec in self.levels.items()}

    def answer_labels(self, lang: Language) -> dict[str, str]:
        """Answer code ("1".."5") -> its label, in ``lang``."""
        return {code: spec[lang] for code, spec in self.answers.items()}

    def item(self, code: str, *, markdown: bool = False) -> Renderable:
        """An item's name as a renderable (escaped for a Markdown sentence when asked)."""
        name = _ItemName(self, code)
        return _Markdown(name) if markdown else name

    def component(self, name: str, *, markdown: bool = False) -> Renderable:
        """A component's name as a renderable."""
        label = _LabelOf(self.component_labels, name)
        return _Markdown(label) if markdown else label

    def contrast(self, variable: str, a: str, b: str) -> Renderable:
        """A contrast's name: "Channel: Online − In person"."""
        return _Contrast(self, variable, a, b)


class _ItemName:
    def __init__(self, names: Names, code: str) -> None:
        self.names, self.code = names, code

    def render(self, lang: Language) -> str:
        return self.names.item_text(self.code, lang)


class _LabelOf:
    def __init__(self, labels: Any, code: Any) -> None:
        self.labels, self.code = labels, code

    def render(self, lang: Language) -> str:
        return str(self.labels(lang).get(self.code, self.code))


class _Contrast:
    def __init__(self, names: Names, variable: str, a: str, b: str) -> None:
        self.names, self.variable, self.a, self.b = names, variable, a, b

    def render(self, lang: Language) -> str:
        labels = self.names.group_labels(lang)
        what = render(CONTRAST_LABELS.get(self.variable, Fixed(self.variable)), lang)
        return f"{what}: {labels.get(self.a, self.a)} − {labels.get(self.b, self.b)}"


def target_label(names: Names, key: str) -> Renderable:
    """The name of what a line of the review concerns: an item, a component or a group code."""
    if key in names.items:
        return names.item(key)
    if key in names.components:
        return names.component(key)
    return Fixed(key)


# ---------------------------------------------------------------------------------------------
# Readings: the one place each verdict is decided
# ---------------------------------------------------------------------------------------------
_ALPHA_READINGS: Final[dict[str, Message]] = {
    "low": N_("below the usual minimum: the whole interval"),
    "low?": N_("below the usual minimum, but the interval reaches it"),
    "ok": N_("at or above the usual minimum"),
    "redundant": N_("above the redundancy threshold: the whole interval"),
}


def alpha_reading(row: Mapping[str, Any], settings: InstrumentSettings) -> str:
    """Where a component's alpha stands, decided on its interval.

    Returns:
        ``low`` (the whole interval below ``alpha_min``), ``low?`` (the estimate below, the
        interval reaching it), ``redundant`` (the whole interval above ``alpha_redundant``) or
        ``ok``.

    Examples:
        >>> s = InstrumentSettings()
        >>> [alpha_reading({"alpha": a, "ci_low": a - 0.01, "ci_high": a + 0.01}, s)
        ...  for a in (0.52, 0.695, 0.8, 0.97)]
        ['low', 'low?', 'ok', 'redundant']
    """
    if row["ci_high"] < settings.alpha_min:
        return "low"
    if row["alpha"] < settings.alpha_min:
        return "low?"
    if row["ci_low"] > settings.alpha_redundant:
        return "redundant"
    return "ok"


_QUALITY_READINGS: Final[dict[str, Message]] = {
    "reference": N_("the published rate keeps every valid form"),
    "unchecked": N_("not checked: no interview durations"),
    "none": N_("no form left out"),
    "within": N_("the whole interval of the change lies within the rate's margin of error"),
    "beyond": N_("larger than the rate's margin of error: the rate depends on these forms"),
    "unclear": N_("not conclusive: the interval of the change reaches past the margin of error"),
}


def quality_reading(row: Mapping[str, Any], margin: float) -> str:
    """What leaving a kind of flagged form out does to the rate, decided on its interval.

    Args:
        row: a row of :func:`satisfaction.instrument.quality_sensitivity`.
        margin: the half-width of the interval of the rate with every form.

    Returns:
        ``reference`` (all forms), ``unchecked`` (the rule could not be checked), ``none`` (no
        form flagged), ``within`` (the whole interval of the change inside +-margin: the rate
        does not depend on these forms), ``beyond`` (the interval excludes 0 and the change is
        larger than the margin) or ``unclear``.

    Examples:
        >>> r = {"scenario": "flagged", "checkable": True, "forms_left_out": 9,
        ...      "change": -0.0026, "change_low": -0.0031, "change_high": -0.0021}
        >>> quality_reading(r, 0.0035), quality_reading(r, 0.002), quality_reading(r, 0.0028)
        ('within', 'beyond', 'unclear')
    """
    if row["scenario"] == "all":
        return "reference"
    if not row["checkable"]:
        return "unchecked"
    if not row["forms_left_out"]:
        return "none"
    low, high, change = row["change_low"], row["change_high"], row["change"]
    if -margin <= low and high <= margin:
        return "within"
    if (low > 0 or high < 0) and abs(change) > margin:
        return "beyond"
    return "unclear"


def in_level_order(table: pd.DataFrame, names: Names, column: str = "level") -> pd.DataFrame:
    """The rows of a table by level in the codebook's order (central, province, district,
    commune), unknown codes last.

    Examples:
        >>> from satisfaction.codebook import load_codebook
        >>> t = pd.DataFrame({"level": ["commune", "central", "x", "province"]})
        >>> in_level_order(t, Names.of([load_codebook()]))["level"].tolist()
        ['central', 'province', 'commune', 'x']
    """
    order = {code: i for i, code in enumerate(names.levels)}
    rank = table[column].map(lambda c: order.get(c, len(order))).to_numpy()
    return table.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)


def target_points(half_width: float) -> Decimal:
    """A half-width (proportion scale) in points, as the page writes it: 0.02 -> 2, 0.015 -> 1.50.

    Examples:
        >>> target_points(0.02).render("en"), target_points(0.015).render("vi")
        ('2', '1,50')
    """
    points = round(100 * float(half_width), 9)
    return Decimal(points, 0 if points.is_integer() else 2)


def _margin(sensitivity: pd.DataFrame) -> float:
    """The half-width of the interval of the rate with every form (one year's rows)."""
    row = sensitivity[sensitivity["scenario"] == "all"].iloc[0]
    return float(row["ci_high"] - row["ci_low"]) / 2


def _significant(low: float, high: float) -> bool:
    return bool(low > 0 or high < 0)


# ---------------------------------------------------------------------------------------------
# Framing
# ---------------------------------------------------------------------------------------------
def introduction() -> list[Message]:
    """What the page asks, in plain words."""
    return [
        _("The ministry asked for its questionnaire and measurement method to be reviewed so "
          "that the satisfaction results are \"scientific, accurate and objective\". With most "
          "respondents satisfied, the first worry is whether the questions can tell good "
          "service from bad at all. This page reviews the year's questionnaire (and the "
          "previous year's, each on its own questions): how each item is answered (Figure 1); "
          "whether the top of the scale is crowded (Figure 2); whether the items of each "
          "component measure one thing (Figures 3 and 4); forms of poor quality and what they "
          "change (Figure 5); the satisfaction rate by channel and by respondent type, two "
          "descriptive comparisons (Figure 6); and the respondents needed per level next year "
          "(Figure 7)."),
        _("It ends with recommendations; each follows from a table above by a stated threshold "
          "and names its figure. A threshold is applied to an interval where the statistic has "
          "one: a component is called unreliable only when its whole interval lies below the "
          "minimum, and two groups are said to differ only when the interval of their "
          "difference excludes zero. Every threshold can be changed in the year's parameters "
          "(their section on the questionnaire review)."),
    ]


def years_reviewed(data: pd.DataFrame) -> Message:
    """The years reviewed and their respondents: "2019 (19,752 respondents) and 2020 (...)".

    Examples:
        >>> years_reviewed(pd.DataFrame({"year": [2019, 2020, 2020]})).render("en")
        'Years reviewed: 2019 (1 respondents) and 2020 (2 respondents).'
    """
    sizes = data.groupby("year").size()
    parts = [_("{year} ({n} respondents)").format(year=Fixed(y), n=Count(n))
             for y, n in sizes.items()]
    return _("Years reviewed: {years}.").format(years=Listed(parts))


def review_notes(review: InstrumentReview) -> list[Message]:
    """What the review could not do with the data it was given, in words."""
    words = {NO_ITEM_MISSING: _("The cleaning step's counts of unusable answers were not found: "
                                "\"don't know\", refused and blank answers are not told apart, "
                                "only their total is shown.")}
    return [words.get(n, Fixed(n)) for n in review.notes]  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------
def _scale_finding(review: InstrumentReview, names: Names) -> Message | None:
    s = review.settings
    ceiling = _of_year(review.ceiling, review.year)
    overall = ceiling[(ceiling["scale"] == "item") & (ceiling["name"] == names.overall)]
    comps = ceiling[ceiling["scale"] == "component"]
    above = comps[comps["ci_low"] > s.ceiling_share]
    if overall.empty:
        return None
    r = overall.iloc[0]
    values = {"satisfied": Percent(r["satisfied_share"]), "top": Percent(r["estimate"]),
              "k": Count(len(above)), "of": Count(len(comps)),
              "ceiling": Percent(s.ceiling_share, 0)}
    if r["satisfied_share"] >= s.rate_ceiling:
        return _("**The scale is crowded at the top.** {satisfied} of respondents answer the "
                 "overall question with 4 or 5 and {top} with 5: the satisfied / not satisfied "
                 "rate is near its ceiling and can show little further improvement. In {k} of "
                 "{of} components more than {ceiling} of respondents give every item 5 (a "
                 "ceiling effect; the whole interval above it).").format(**values)
    return _("**The top of the scale.** {satisfied} of respondents answer the overall question "
             "with 4 or 5 and {top} with 5. In {k} of {of} components more than {ceiling} of "
             "respondents give every item 5 (a ceiling effect; the whole interval above "
             "it).").format(**values)


def _items_finding(review: InstrumentReview, names: Names) -> Message:
    s = review.settings
    near = _of_year(review.near_constant, review.year)
    items = _of_year(review.items, review.year)
    consistency = _of_year(review.consistency, review.year)
    low = [r for r in consistency.to_dict("records") if alpha_reading(r, s) == "low"]
    flagged = list(dict.fromkeys([*near.loc[near["near_constant"], "item"],
                                  *items.loc[items["item_rest_r"] < s.item_rest_min, "item"]]))
    values = {"minimum": Decimal(s.alpha_min),
              "low": Listed([_("{component} ({alpha})").format(
                  component=names.component(r["component"], markdown=True),
                  alpha=Decimal(r["alpha"])) for r in low]),
              "items": Listed([names.item(i, markdown=True) for i in flagged]),
              "range": _Interval(consistency["alpha"].min(), consistency["alpha"].max())}
    if low and flagged:
        return _("**Internal consistency.** Cronbach's alpha (weighted) is below the usual "
                 "minimum of {minimum}, with its whole interval, for {low}. Items that nearly "
                 "everyone answers the same way or that do not move with their component: "
                 "{items}.").format(**values)
    if low:
        return _("**Internal consistency.** Cronbach's alpha (weighted) is below the usual "
                 "minimum of {minimum}, with its whole interval, for {low}. No item is "
                 "near-constant or weakly related to its component.").format(**values)
    if flagged:
        return _("**Internal consistency.** Every component's Cronbach's alpha (weighted) is "
                 "at least near the usual minimum of {minimum} ({range}). Items that nearly "
                 "everyone answers the same way or that do not move with their component: "
                 "{items}.").format(**values)
    return _("**Internal consistency.** Every component's Cronbach's alpha (weighted) is at "
             "least near the usual minimum of {minimum} ({range}); no item is near-constant "
             "or weakly related to its component.").format(**values)


def _quality_finding(review: InstrumentReview) -> Message:
    sens = _of_year(review.sensitivity, review.year)
    quality = _of_year(review.quality, review.year).set_index("flag")
    margin = _margin(sens)
    row = sens[sens["scenario"] == "flagged"].iloc[0]
    reading = quality_reading(row, margin)
    values = {"flagged": Percent(quality.loc["flagged", "weighted_share"]),
              "straight": Percent(quality.loc["straightlined", "weighted_share"]),
              "change": Points(row["change"]),
              "interval": _Interval(row["change_low"], row["change_high"], "points"),
              "margin": Decimal(100 * margin)}
    if reading == "within":
        return _("**Response quality.** {flagged} of forms are flagged (straight-lined, very "
                 "fast or incomplete; straight-lined alone {straight}). Leaving them all out "
                 "moves the rate by {change} ({interval}), an interval inside the rate's own "
                 "margin of error (±{margin} points): leaving them out changes the rate by less "
                 "than its sampling error."
                 ).format(**values)
    if reading == "beyond":
        return _("**Response quality.** {flagged} of forms are flagged (straight-lined, very "
                 "fast or incomplete; straight-lined alone {straight}). Leaving them all out "
                 "moves the rate by {change} ({interval}), more than the rate's margin of error "
                 "(±{margin} points): the rate depends on them.").format(**values)
    return _("**Response quality.** {flagged} of forms are flagged (straight-lined, very fast "
             "or incomplete; straight-lined alone {straight}). Leaving them all out moves the "
             "rate by {change} ({interval}); compared with the rate's margin of error (±{margin} "
             "points) this is not conclusive.").format(**values)


def _groups_finding(review: InstrumentReview, names: Names) -> Message | None:
    contrasts = _of_year(review.contrasts, review.year)
    if contrasts.empty:
        return None
    parts = []
    within = False
    for r in contrasts.to_dict("records"):
        within = within or not _significant(r["ci_low"], r["ci_high"])
        verdict = (_("larger than sampling error") if _significant(r["ci_low"], r["ci_high"])
                   else _("within sampling error"))
        parts.append(_("{contrast} {difference} ({interval}, {verdict})").format(
            contrast=_Markdown(names.contrast(r["variable"], r["group_a"], r["group_b"])),
            difference=Points(r["difference"]),
            interval=_Interval(r["ci_low"], r["ci_high"], "points"), verdict=verdict))
    if within:
        return _("**By channel and by respondent type** (descriptive comparisons): {parts}. "
                 "Who applies online also differs by procedure, level and respondent type, so a "
                 "difference between the channels describes two groups of users, not what the "
                 "channel does to the answer; a difference within sampling error does not show "
                 "that the channel makes no difference either.").format(parts=Listed(parts))
    return _("**By channel and by respondent type** (descriptive comparisons): {parts}. Who "
             "applies online also differs by procedure, level and respondent type, so a "
             "difference between the channels describes two groups of users, not what the "
             "channel does to the answer.").format(parts=Listed(parts))


def findings(review: InstrumentReview, names: Names, change: Any = None) -> list[Message]:
    """The summary of findings of the review, in plain words (four or five).

    Args:
        review: the review (:func:`satisfaction.instrument.review_years`).
        names: the names of its codes.
        change: the questionnaire change from the baseline year
            (:func:`satisfaction.questionnaire.compare_years`), or None.

    Returns:
        Messages: the questionnaire change (when there is one), the top of the scale, the
        internal consistency and the items, response quality, and the two descriptive
        comparisons.
    """
    out: list[Message] = []
    if change is not None and not change.same:
        year, base = (Fixed(y) for y in change.years)
        changed = Listed([names.component(c, markdown=True) for c in change.changed_components])
        out.append(_("**The questionnaire changed from {base} to {year}** ({what}). Each year "
                     "is reviewed on its own questions; the statistics of {components} are of "
                     "different questions in the two years.").format(
                         base=base, year=year, what=_changes(change, names), components=changed)
                   if change.changed_components else
                   _("**The questionnaire changed from {base} to {year}** ({what}). Each year "
                     "is reviewed on its own questions.").format(
                         base=base, year=year, what=_changes(change, names)))
    for finding in (_scale_finding(review, names), _items_finding(review, names),
                    _quality_finding(review), _groups_finding(review, names)):
        if finding is not None:
            out.append(finding)
    return out


class _Semicolons:
    """Renderables joined by semicolons (parts that are lists themselves)."""

    def __init__(self, parts: Sequence[Renderable]) -> None:
        self.parts = list(parts)

    def render(self, lang: Language) -> str:
        return "; ".join(render(p, lang) for p in self.parts)


def _changes(change: Any, names: Names) -> _Semicolons:
    """What changed, each item by its code and question (never a bare code)."""
    parts = [(change.added, _("added: {items}")), (change.dropped, _("dropped: {items}")),
             (change.reworded, _("reworded: {items}")),
             (change.rescaled, _("answer scale changed: {items}"))]
    return _Semicolons([m.format(items=Listed([names.item(c, markdown=True) for c in codes]))
                        for codes, m in parts if codes])


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------
def _caption(text: Message, year: int) -> Message:
    return text.format(year=Fixed(year))


def answers_table(review: InstrumentReview, names: Names) -> Table:
    """How each item of the year is answered: the weighted shares 1-5 of the valid answers,
    the mean, the standard deviation and the near-constant flag."""
    dist = _of_year(review.distribution, review.year)
    valid = dist[dist["answer"] != "missing"]
    shares = valid.pivot_table(index="item", columns="answer", values="weighted_share_valid",
                               observed=True, aggfunc="sum", sort=False)
    shares.columns = [f"a{c}" for c in shares.columns.astype(str)]
    n_valid = valid.groupby("item", sort=False)["n"].sum().rename("n_valid")
    near = _of_year(review.near_constant, review.year).set_index("item")
    frame = near.join(shares).join(n_valid).rename_axis("item").reset_index()
    answers = [Column(f"a{code}", _AnswerHeader(names, code), "rate")
               for code in ("1", "2", "3", "4", "5")]
    return Table(frame, [
        Column("item", _("Question"), "category", labels=names.item_labels),
        Column("n_valid", _("Valid answers"), "count"),
        *answers,
        Column("mean", _("Mean (1-5)"), "decimal"),
        Column("sd", _("Standard deviation"), "decimal"),
        Column("modal_share", _("Largest share"), "rate"),
        Column("near_constant", _("Near-constant"), "boolean"),
    ], caption=_caption(_("Answers to each item, weighted shares of the valid answers, {year}"),
                        review.year))


class _AnswerHeader:
    def __init__(self, names: Names, code: str) -> None:
        self.names, self.code = names, code

    def render(self, lang: Language) -> str:
        label = self.names.answer_labels(lang).get(self.code, "")
        return f"{self.code} {label}".strip()


def unusable_table(review: InstrumentReview, names: Names) -> Table:
    """Unusable answers per item of the year: "don't know", refused, blank, out of range."""
    frame = _of_year(review.nonresponse, review.year).copy()
    frame["unusable"] = frame["unusable_share"].astype("Float64").fillna(
        frame["missing_share"].astype("Float64")).astype(float)
    columns = [
        Column("item", _("Question"), "category", labels=names.item_labels),
        Column("n_forms", _("Forms"), "count"),
        Column("n_valid", _("Valid answers"), "count"),
        Column("dont_know", _("Don't know"), "count"),
        Column("refused", _("Refused"), "count"),
        Column("blank", _("Blank"), "count"),
        Column("out_of_range", _("Out of range"), "count"),
    ]
    if "unreadable" in frame.columns and pd.to_numeric(frame["unreadable"]).fillna(0).gt(0).any():
        columns.append(Column("unreadable", _("Unreadable"), "count"))
    columns.append(Column("unusable", _("Unusable, all reasons"), "rate"))
    for c in ("dont_know", "refused", "blank", "out_of_range"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    return Table(frame, columns, caption=_caption(
        _("Unusable answers per item (counted by the cleaning step), {year}"), review.year))


def top_items_table(review: InstrumentReview, names: Names, *, disclosure_threshold: int = 10,
                    confidence: float = 0.95) -> Table:
    """The share answering 5 of each item of the year, with its interval (an estimate table)."""
    ceiling = _of_year(review.ceiling, review.year)
    items = ceiling[ceiling["scale"] == "item"].set_index("name").rename_axis("item")
    return estimates_table(
        items, labels=names.item_labels, headers={"item": _("Question")},
        estimate_header=_("Answering 5, very satisfied"),
        caption=_caption(_("Answering 5 (very satisfied), share of the valid answers to each "
                           "item, {year}"), review.year),
        disclosure_threshold=disclosure_threshold, confidence=confidence)


def top_components_table(review: InstrumentReview, names: Names, *,
                         disclosure_threshold: int = 10, confidence: float = 0.95) -> Table:
    """The share at the maximum score of each component of the year (every item at 5)."""
    ceiling = _of_year(review.ceiling, review.year)
    comps = ceiling[ceiling["scale"] == "component"].set_index("name").rename_axis("component")
    return estimates_table(
        comps, labels=names.component_labels,
        estimate_header=_("At the maximum score: every item at 5"),
        caption=_("At the maximum score of each component (a ceiling effect above {ceiling}), "
                  "{year}").format(ceiling=Percent(review.settings.ceiling_share, 0),
                                   year=Fixed(review.year)),
        disclosure_threshold=disclosure_threshold, confidence=confidence)


def consistency_table(review: InstrumentReview, names: Names, level: float = 0.95) -> Table:
    """Cronbach's alpha of each component of the year: weighted with its jackknife interval,
    and unweighted with Feldt's interval, and where it stands."""
    frame = _of_year(review.consistency, review.year).copy()
    frame["reading"] = [alpha_reading(r, review.settings) for r in frame.to_dict("records")]
    interval = _("{level} interval").format(level=_level(level))
    return Table(frame, [
        Column("component", _("Component"), "category", labels=names.component_labels),
        Column("k", _("Items"), "count"),
        Column("n", _("Respondents who answered every item"), "count"),
        Column("alpha", _("Cronbach's alpha, weighted"), "decimal"),
        Column(("ci_low", "ci_high"), _("{interval} (jackknife over offices)").format(
            interval=interval), "decimal"),
        Column("alpha_unweighted", _("Cronbach's alpha, unweighted"), "decimal"),
        Column(("feldt_low", "feldt_high"), _("{interval} (Feldt: independent respondents)")
               .format(interval=interval), "decimal"),
        Column("reading", _("Against the usual minimum {minimum}").format(
            minimum=Decimal(review.settings.alpha_min)), "category", labels=_ALPHA_READINGS),
    ], caption=_caption(_("Internal consistency of each component (Cronbach's alpha), {year}"),
                        review.year))


_ITEM_READINGS: Final[dict[str, Message]] = {
    "weak": N_("weak: does not move with the other items"),
    "drop": N_("deleting it raises alpha: a candidate to drop"),
    "ok": N_("moves with the other items"),
}


def item_table(review: InstrumentReview, names: Names) -> Table:
    """Each item of the year against the rest of its component."""
    s = review.settings
    frame = _of_year(review.items, review.year).copy()
    frame["reading"] = np.where(frame["item_rest_r"] < s.item_rest_min, "weak",
                                np.where(frame["alpha_gain"] >= s.alpha_gain, "drop", "ok"))
    return Table(frame, [
        Column("item", _("Question"), "category", labels=names.item_labels),
        Column("component", _("Component"), "category", labels=names.component_labels),
        Column("item_rest_r", _("Item-rest correlation"), "decimal"),
        Column("alpha", _("Alpha of the component"), "decimal"),
        Column("alpha_if_deleted", _("Alpha if the item is deleted"), "decimal"),
        Column("mean", _("Mean (1-5)"), "decimal"),
        Column("sd", _("Standard deviation"), "decimal"),
        Column("reading", _("Reading (weak below {r}; a candidate to drop when alpha rises by "
                            "{gain} or more)").format(r=Decimal(s.item_rest_min),
                                                      gain=Decimal(s.alpha_gain)),
               "category", labels=_ITEM_READINGS),
    ], caption=_caption(_("Each item against the rest of its component (weighted), {year}"),
                        review.year))


def agreement_table(review: InstrumentReview, names: Names) -> Table:
    """The overall question against each component's mean score (weighted Spearman)."""
    frame = _of_year(review.agreement, review.year)
    return Table(frame, [
        Column("score", _("Mean score of"), "category", labels=names.component_labels),
        Column("rho", _("Spearman correlation with the overall question, weighted"), "decimal"),
        Column("rho_unweighted", _("Unweighted"), "decimal"),
        Column("n", _("Respondents who answered every item"), "count"),
    ], caption=_caption(_("Does the overall question agree with the detailed ones? {year}"),
                        review.year))


def quality_table(review: InstrumentReview, names: Names) -> Table:
    """How many forms of the year each quality rule flags."""
    frame = _of_year(review.quality, review.year).copy()
    frame["weighted"] = frame["weighted_share"].where(frame["n_checkable"] > 0)
    frame["flagged_n"] = frame["n_flagged"].astype(float).where(frame["n_checkable"] > 0)
    seconds = review.flags.attrs.get("min_duration_sec")
    notes = ([_("Very fast: under {seconds} seconds for the whole form (2 seconds a "
                "question).").format(seconds=Decimal(float(seconds), 0))]
             if seconds is not None else [])
    return Table(frame, [
        Column("flag", _("Forms"), "category", labels=FLAG_LABELS),
        Column("flagged_n", _("Forms flagged"), "count",
               missing=_("not checked")),
        Column("n_checkable", _("Forms that could be checked"), "count"),
        Column("weighted", _("Share of forms, weighted"), "rate", missing=_("not checked")),
    ], caption=_caption(_("Straight-lined, very fast and incomplete forms, {year}"), review.year),
        notes=notes)


def sensitivity_table(review: InstrumentReview, names: Names, level: float = 0.95) -> Table:
    """The satisfaction rate of the year with all forms and without each kind of flagged form,
    the change against all forms with its interval, and what it means."""
    frame = _of_year(review.sensitivity, review.year).copy()
    margin = _margin(frame)
    frame["reading"] = [quality_reading(r, margin) for r in frame.to_dict("records")]
    unchecked = ~frame["checkable"].astype(bool)
    numbers = ["estimate", "ci_low", "ci_high", "n", "n_eff", "change", "change_low",
               "change_high"]
    frame[numbers] = frame[numbers].astype(float)
    frame.loc[unchecked, numbers] = np.nan
    frame.loc[frame["scenario"] == "all", ["change", "change_low", "change_high"]] = np.nan
    interval = _("{level} interval").format(level=_level(level))
    return Table(frame, [
        Column("scenario", _("Forms"), "category", labels=SCENARIO_LABELS),
        Column("forms_left_out", _("Forms left out"), "count"),
        Column("estimate", _("Satisfied"), "rate"),
        Column(("ci_low", "ci_high"), interval, "rate"),
        Column("n", _("Respondents (n)"), "count"),
        Column("n_eff", _("Effective sample size"), "count"),
        Column("change", _("Change against all forms"), "points"),
        Column(("change_low", "change_high"), _("{interval} of the change").format(
            interval=interval), "points"),
        Column("reading", _("Reading (margin of error of the rate: ±{margin} points)").format(
            margin=Decimal(100 * margin)), "category", labels=_QUALITY_READINGS),
    ], caption=_caption(_("The satisfaction rate with all forms and without each kind of flagged "
                          "form, {year}"), review.year))


def group_rates_table(review: InstrumentReview, names: Names, *, disclosure_threshold: int = 10,
                      confidence: float = 0.95) -> Table:
    """The satisfaction rate of the year by channel and by respondent type (an estimate table)."""
    rates = _of_year(review.rates, review.year).set_index(["variable", "group"]).rename_axis(
        ["characteristic", "domain"])
    return estimates_table(
        rates, labels=names.group_labels, headers={"characteristic": _("Characteristic")},
        caption=_caption(_("Satisfied or very satisfied, by channel and by respondent type, "
                           "{year}"), review.year),
        disclosure_threshold=disclosure_threshold, confidence=confidence)


def contrasts_table(contrasts: pd.DataFrame, names: Names, year: int, level: float = 0.95, *,
                    within: str | None = None) -> Table:
    """The design-based differences of the groups: online − in person, organisation − citizen.

    Args:
        contrasts: :func:`satisfaction.instrument.group_contrasts` (of one year, or with a
            ``year`` column).
        names: the names of the codes.
        year: the year shown.
        level: the confidence level.
        within: the column of the categories the contrasts were repeated in (``level``): the
            table then has that column and the Holm-adjusted p-values, and a difference is
            larger than sampling error when its Holm-adjusted p-value is below ``1 - level``
            (many comparisons at once); otherwise when its interval excludes zero.
    """
    frame = _of_year(contrasts, year).copy()
    if within is not None:  # each comparison: all levels first, then the codebook's order
        levels = {code: i for i, code in enumerate(["all", *names.levels])}
        variables = {v: i for i, v in enumerate(dict.fromkeys(frame["variable"]))}
        frame = frame.assign(
            _variable=frame["variable"].map(variables),
            _level=frame[within].map(lambda c: levels.get(c, len(levels))),
        ).sort_values(["_variable", "_level"], kind="stable")
    frame["comparison"] = [names.contrast(v, a, b) for v, a, b in
                           zip(frame["variable"], frame["group_a"], frame["group_b"])]
    frame["larger"] = ([bool(p < 1 - level) for p in frame["p_holm"]] if within is not None
                       else [_significant(lo, hi) for lo, hi in zip(frame["ci_low"],
                                                                    frame["ci_high"])])
    interval = _("{level} interval").format(level=_level(level))
    columns = [Column("comparison", _("Comparison (first group − second group)"), "text")]
    if within is not None:
        columns.append(Column(within, _("Level"), "category", labels=lambda lang: {
            "all": render(_("All levels"), lang), **names.level_labels(lang)}))
    columns += [
        Column("estimate_a", _("First group: satisfied"), "rate"),
        Column("estimate_b", _("Second group: satisfied"), "rate"),
        Column("difference", _("Difference"), "points"),
        Column(("ci_low", "ci_high"), interval, "points"),
    ]
    if within is None:
        columns += [
            Column("se", _("Standard error (points)"), "rate", unit=False),
            Column("se_independent", _("Standard error as independent samples (points)"),
                   "rate", unit=False),
        ]
    columns.append(Column("p_value", _("p-value"), "p_value"))
    if within is not None:
        columns.append(Column("p_holm", _("p-value, Holm-adjusted"), "p_value"))
    columns += [
        Column("n_a", _("Respondents, first group"), "count"),
        Column("n_b", _("Respondents, second group"), "count"),
        Column("larger", _("Larger than sampling error, after Holm") if within is not None
               else _("Larger than sampling error"), "boolean"),
    ]
    caption = (_("The differences inside each level (descriptive; Holm-adjusted over the rows), "
                 "{year}") if within is not None else
               _("Differences between the groups (descriptive comparisons), {year}"))
    return Table(frame, columns, caption=_caption(caption, year))


def precision_table(review: InstrumentReview, names: Names, level: float = 0.95) -> Table:
    """Respondents per level now, and needed next year for a ±h-point interval on the level's
    rate (a precision target: not the sample needed to detect a change)."""
    frame = in_level_order(_of_year(review.precision, review.year), names)
    frame["half_now"] = 100 * frame["half_width_now"]
    target = target_points(review.settings.half_width)
    return Table(frame, [
        Column("level", _("Level"), "category", labels=names.level_labels),
        Column("estimate", _("Satisfied"), "rate"),
        Column(("ci_low", "ci_high"), _("{level} interval").format(level=_level(level)), "rate"),
        Column("half_now", _("Half-width of the interval now (points)"), "decimal"),
        Column("deff", _("Design effect"), "decimal"),
        Column("n", _("Respondents now"), "count"),
        Column("n_eff", _("Effective sample size"), "count"),
        Column("p_plan", _("Planning rate"), "rate"),
        Column("n_required", _("Respondents needed for a ±{half}-point interval on the level's "
                               "rate").format(half=target), "count"),
    ], caption=_caption(_("Respondents per level for a chosen precision next year, from {year}"),
                        review.year),
        notes=[_("This is a precision target for each level's rate, not the sample needed to "
                 "detect a change between two years (that is on the change page).")])
