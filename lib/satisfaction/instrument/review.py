"""The whole instrument review of a year (and the year before it): what notebook 05 shows.

* :func:`load_years` -- the processed respondents of a year and of its baseline year, stacked
  with a ``year`` column, and the cleaning step's unusable-answer counts, all read through
  :mod:`satisfaction.years`;
* :func:`review_instrument` -- every table of the review in one :class:`InstrumentReview`
  (one design per year, built from the year's :class:`~satisfaction.design.DesignSpec`);
* :func:`review_years` -- the review of a year and its baseline year from their parameters,
  each year on its own questionnaire (params ``codebook``: its components and items), the
  tables stacked by year.

The sentences that turn a review into recommendations are written by
:mod:`satisfaction.report.recommendations`, its figures drawn by
:mod:`satisfaction.plots.instrument`.

Not for: any statistic itself (the other modules of the package) or wording.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace

import pandas as pd

from ..codebook import load_codebook
from ..design import DesignSpec
from ..params import YearParams
from ..years import load_baseline, load_item_missing, load_survey
from .consistency import internal_consistency, item_statistics, overall_agreement
from .groups import DEFAULT_CONTRASTS, group_contrasts, group_rates
from .inputs import InstrumentError, check_design, require_columns
from .items import (
    ceiling_effects,
    check_item_missing,
    item_distribution,
    item_nonresponse,
    near_constant_items,
)
from .precision import sample_size_for_precision
from .quality import quality_sensitivity, quality_summary, response_flags
from .settings import InstrumentSettings, components_from_codebook

__all__ = ["NO_ITEM_MISSING", "InstrumentReview", "load_years", "review_instrument", "review_years"]

NO_ITEM_MISSING = "no item_missing"
"""A note of :attr:`InstrumentReview.notes`: the cleaning step's per-item counts of unusable
answers were not given, so "don't know", refused and blank are not told apart."""


@dataclass(frozen=True)
class InstrumentReview:
    """Every table of the instrument review, for one or several years (``year`` column).

    Attributes:
        year: the year the review is for (``precision`` is computed for it only).
        settings: the thresholds used.
        components: component -> items.
        distribution: :func:`~.items.item_distribution`.
        nonresponse: :func:`~.items.item_nonresponse`.
        near_constant: :func:`~.items.near_constant_items`.
        ceiling: :func:`~.items.ceiling_effects`.
        consistency: :func:`~.consistency.internal_consistency` (Cronbach's alpha).
        items: :func:`~.consistency.item_statistics`.
        agreement: :func:`~.consistency.overall_agreement`.
        flags: :func:`~.quality.response_flags`.
        quality: :func:`~.quality.quality_summary`.
        sensitivity: :func:`~.quality.quality_sensitivity`.
        rates: :func:`~.groups.group_rates` (by channel and by respondent type).
        contrasts: :func:`~.groups.group_contrasts` (online - in person, organisation -
            citizen: descriptive comparisons).
        precision: :func:`~.precision.sample_size_for_precision` (``year`` only).
        notes: what the review could not do with the data it was given, as codes
            (:data:`NO_ITEM_MISSING`); the report layer words them.
    """

    year: int
    settings: InstrumentSettings
    components: dict[str, list[str]]
    distribution: pd.DataFrame
    nonresponse: pd.DataFrame
    near_constant: pd.DataFrame
    ceiling: pd.DataFrame
    consistency: pd.DataFrame
    items: pd.DataFrame
    agreement: pd.DataFrame
    flags: pd.DataFrame
    quality: pd.DataFrame
    sensitivity: pd.DataFrame
    rates: pd.DataFrame
    contrasts: pd.DataFrame
    precision: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def review_instrument(df: pd.DataFrame, design: DesignSpec, year: int,
                      components: Mapping[str, Sequence[str]] | None = None,
                      overall: str = "q_overall", item_missing: pd.DataFrame | None = None,
                      settings: InstrumentSettings | None = None, level: float = 0.95,
                      ci_method: str = "beta", by: str = "year") -> InstrumentReview:
    """Run the whole instrument review on one or several survey years.

    Args:
        df: processed respondents (one or several years, told apart by ``by``).
        design: the design (``YearParams.design``); one design per year is built from it.
        year: the year the recommendations are for (precision is computed for it only).
        components: component -> items (default: the codebook's).
        overall: the overall-satisfaction item.
        item_missing: per-item unusable-answer counts (with a ``year`` column when several
            years are given); None when the cleaning step did not write them.
        settings: thresholds (default :class:`~.settings.InstrumentSettings`).
        level, ci_method: interval level and method for proportions.
        by: the year column.

    Returns:
        An :class:`InstrumentReview`.

    Examples:
        >>> from satisfaction.instrument import example_survey
        >>> D = DesignSpec(weights="weight", strata="stratum", psu="office_code")
        >>> review = review_instrument(example_survey(), D, 2020)
        >>> review.consistency[["component", "alpha"]].round(3).head(2)
            component  alpha
        0      access  0.932
        1  procedures  0.945
        >>> review.notes
        ['no item_missing']
    """
    design = check_design(design)
    settings = settings or InstrumentSettings()
    components = {k: list(v) for k, v in (components or components_from_codebook()).items()}
    items = [i for v in components.values() for i in v]
    require_columns(df, [by, overall, *items])
    if not (df[by] == year).any():
        raise InstrumentError(f"no rows of {by} {year}")
    weights = design.weights
    notes = []
    distribution = item_distribution(df, [*items, overall], weights, by)
    nonresponse = item_nonresponse(df, [*items, overall], item_missing, by)
    if item_missing is None:
        notes.append(NO_ITEM_MISSING)
    flags = response_flags(df, items, overall, "duration_sec" if "duration_sec" in df else None,
                           settings.duration_threshold(len(items) + 1))
    variables = [c[0] for c in DEFAULT_CONTRASTS if c[0] in df.columns]
    return InstrumentReview(
        year=int(year), settings=settings, components=components, distribution=distribution,
        nonresponse=nonresponse,
        near_constant=near_constant_items(distribution, settings.near_constant_share),
        ceiling=ceiling_effects(df, [*items, overall], design, components, level, ci_method, by),
        consistency=internal_consistency(df, components, design, level, by),
        items=item_statistics(df, components, weights, by),
        agreement=overall_agreement(df, components, overall, weights, by),
        flags=flags, quality=quality_summary(df, flags, weights, by),
        sensitivity=quality_sensitivity(df, flags, design, "satisfied", level, ci_method, by),
        rates=group_rates(df, design, variables, "satisfied", level, ci_method, by),
        contrasts=group_contrasts(df, design, "satisfied", DEFAULT_CONTRASTS, None, level, by),
        precision=sample_size_for_precision(df[df[by] == year], design, "level", "satisfied",
                                            settings.half_width, level, ci_method, by),
        notes=notes)


def load_years(params: YearParams, with_baseline: bool = True
               ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The processed respondents of ``params.year`` (and of its baseline year when processed).

    Each year is read by :func:`satisfaction.years.load_survey` (the baseline year's params
    by :func:`satisfaction.years.load_baseline`), its unusable-answer counts by
    :func:`satisfaction.years.load_item_missing` (checked by
    :func:`~.items.check_item_missing`).

    Returns:
        (respondents, item_missing): the rows of both years stacked (``year`` column), and the
        stacked ``item_missing.csv`` tables with a ``year`` column (None if any year lacks one).

    Raises:
        satisfaction.years.MissingDataError: the year's processed table does not exist (run
            the cleaning step).
    """
    frames, missing = [], []
    for p in _reviewed(params, with_baseline):
        frame = load_survey(p)
        if "year" not in frame.columns:
            frame["year"] = p.year
        frames.append(frame)
        table = load_item_missing(p)
        missing.append(None if table is None else check_item_missing(
            table, source=f"item_missing.csv of {p.year}").assign(year=p.year))
    data = pd.concat(frames, ignore_index=True)
    table = None if any(m is None for m in missing) else pd.concat(missing, ignore_index=True)
    return data, table


def _reviewed(params: YearParams, with_baseline: bool) -> list[YearParams]:
    """The years reviewed: the baseline year first (when it has been processed), then ``params``."""
    base = load_baseline(params) if with_baseline else None
    return [base, params] if base is not None and base.processed_file.exists() else [params]


def _stacked(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Per-year tables one under the other, as one call over the years would have stacked them."""
    parts = [p for p in parts if p is not None and not p.empty] or list(parts[:1])
    if all(isinstance(p.index, pd.RangeIndex) for p in parts):
        return pd.concat(parts, ignore_index=True)
    return pd.concat(parts)


def combine_reviews(reviews: Sequence[InstrumentReview], year: int) -> InstrumentReview:
    """Reviews of single years as one review of all of them (tables stacked by year).

    Args:
        reviews: one review per year, oldest first.
        year: the year the review is for: its ``settings``, ``components`` and ``precision``
            are kept.

    Returns:
        An :class:`InstrumentReview` whose tables hold every year's rows, in the order of
        ``reviews``; the notes of every year (each once).
    """
    current = next(r for r in reviews if r.year == year)
    tables = {f.name: _stacked([getattr(r, f.name) for r in reviews]) for f in fields(current)
              if f.name not in ("precision", "flags")
              and isinstance(getattr(current, f.name), pd.DataFrame)}
    flags = pd.concat([r.flags for r in reviews])
    flags.attrs = dict(current.flags.attrs)
    notes = list(dict.fromkeys(n for r in reviews for n in r.notes))
    return replace(current, **tables, flags=flags, notes=notes)


def review_years(params: YearParams, *, with_baseline: bool = True,
                 settings: InstrumentSettings | None = None
                 ) -> tuple[InstrumentReview, pd.DataFrame]:
    """The review of a year and of its baseline year, each year on its own questionnaire.

    Each year is reviewed with its own codebook's components and overall item and its own
    design (:func:`review_instrument` on its rows), at the current year's confidence level and
    interval method; the tables are then stacked (:func:`combine_reviews`). When the
    questionnaire changed, a component's statistics in the two years are of different item
    sets: :class:`satisfaction.questionnaire.QuestionnaireChange` says which.

    Args:
        params: the year's parameters.
        with_baseline: also review the baseline year (when it has been processed).
        settings: thresholds (default: the year's params ``instrument:``).

    Returns:
        (review, respondents): the review, and the respondents of the years reviewed (stacked,
        ``year`` column), as :func:`load_years` returns them.

    Raises:
        satisfaction.years.MissingDataError: the year's processed table does not exist.
    """
    settings = settings or InstrumentSettings.from_params(params)
    data, item_missing = load_years(params, with_baseline)
    reviews = []
    for p in _reviewed(params, with_baseline):
        book = load_codebook(p.codebook)
        rows = data[data["year"] == p.year]
        missing = None if item_missing is None else item_missing[item_missing["year"] == p.year]
        reviews.append(review_instrument(
            rows, p.design, p.year,
            components_from_codebook(book), book.overall_item, missing, settings,
            level=params.confidence, ci_method=params.ci_method))
    return combine_reviews(reviews, params.year), data
