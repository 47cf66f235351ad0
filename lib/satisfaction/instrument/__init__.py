"""Is the questionnaire measuring well? The instrument review behind notebook ``05_instrument``.

The ministry asked for its questionnaire and measurement method to be reviewed. With 96 %
satisfied, the first worry is whether the questions can tell good service from bad at all.
This package computes what notebook ``05_instrument`` shows, for one or several survey years
(one design per year, built from the year's :class:`~satisfaction.design.DesignSpec`; rows of
every table carry the ``year``). The map:

=====================  ===========================================================================
:mod:`.settings`       :class:`InstrumentSettings` (thresholds, params ``instrument:``, with their
                       sources), :func:`components_from_codebook`
:mod:`.items`          how each item is answered: :func:`item_distribution`,
                       :func:`near_constant_items`, :func:`item_nonresponse` (with
                       :func:`check_item_missing`), :func:`ceiling_effects` (share at the top,
                       design-based interval)
:mod:`.consistency`    internal consistency: :func:`internal_consistency` (Cronbach's alpha,
                       weighted with a jackknife over PSUs, and unweighted with Feldt's interval:
                       :func:`cronbach_alpha`, :func:`alpha_jackknife`, :func:`feldt_interval`),
                       :func:`item_statistics` (item-rest, alpha if deleted),
                       :func:`overall_agreement` (:func:`weighted_spearman`); the module says why
                       alpha is written here rather than taken from pingouin
:mod:`.quality`        response quality: :func:`response_flags` (straight-lined, very fast,
                       incomplete), :func:`quality_summary`, :func:`quality_sensitivity`
:mod:`.groups`         satisfaction by channel and by respondent type: :func:`group_rates`,
                       :func:`group_contrasts` (design-based contrasts of domains of one design,
                       Holm-adjusted; descriptive comparisons, not effects)
:mod:`.precision`      respondents per level next year: :func:`sample_size_for_precision`,
                       :func:`sample_size_for_half_width`
:mod:`.review`         all of it: :func:`load_years`, :func:`review_instrument` ->
                       :class:`InstrumentReview`; :func:`review_years` (each year on its own
                       questionnaire), :func:`combine_reviews`
:mod:`.inputs`         the shared input checks (:class:`InstrumentError`, Likert matrix, per year)
:mod:`.examples`       :func:`example_survey`, the small table the examples run on
=====================  ===========================================================================

The tables hold codes (items, components, flags, scenarios, groups), never reviewer text.
Elsewhere: the contrast of two domains of one design is
:meth:`satisfaction.design.SurveyDesign.contrasts`; the review as a reviewer reads it (labels,
tables, findings) is :mod:`satisfaction.report.instrument`, the recommendations written from it
:mod:`satisfaction.report.recommendations`; the figures are :mod:`satisfaction.plots.instrument`.

Not for: the headline satisfaction estimates (see :mod:`satisfaction.design`), their
publication flags (:mod:`satisfaction.reliability`), year-over-year change
(:mod:`satisfaction.compare`), cleaning (:mod:`satisfaction.clean`) or drawing
(:mod:`satisfaction.plots.instrument`).
"""

from __future__ import annotations

from .consistency import (
    alpha_jackknife,
    cronbach_alpha,
    feldt_interval,
    internal_consistency,
    item_rest_statistics,
    item_statistics,
    overall_agreement,
    weighted_covariance,
    weighted_spearman,
)
from .examples import EXAMPLE_ITEMS, example_survey
from .groups import DEFAULT_CONTRASTS, group_contrasts, group_rates
from .inputs import InstrumentError
from .items import (
    ANSWERS,
    ITEM_MISSING_COLUMNS,
    OPTIONAL_REASONS,
    ceiling_effects,
    check_item_missing,
    item_distribution,
    item_nonresponse,
    near_constant_items,
)
from .precision import sample_size_for_half_width, sample_size_for_precision
from .quality import (
    FLAGS,
    SCENARIOS,
    quality_sensitivity,
    quality_summary,
    response_flags,
)
from .review import (
    NO_ITEM_MISSING,
    InstrumentReview,
    combine_reviews,
    load_years,
    review_instrument,
    review_years,
)
from .settings import InstrumentSettings, components_from_codebook

__all__ = [
    "ANSWERS",
    "DEFAULT_CONTRASTS",
    "EXAMPLE_ITEMS",
    "FLAGS",
    "ITEM_MISSING_COLUMNS",
    "NO_ITEM_MISSING",
    "OPTIONAL_REASONS",
    "SCENARIOS",
    "InstrumentError",
    "InstrumentReview",
    "InstrumentSettings",
    "alpha_jackknife",
    "ceiling_effects",
    "check_item_missing",
    "combine_reviews",
    "components_from_codebook",
    "cronbach_alpha",
    "example_survey",
    "feldt_interval",
    "group_contrasts",
    "group_rates",
    "internal_consistency",
    "item_distribution",
    "item_nonresponse",
    "item_rest_statistics",
    "item_statistics",
    "load_years",
    "near_constant_items",
    "overall_agreement",
    "quality_sensitivity",
    "quality_summary",
    "response_flags",
    "review_instrument",
    "review_years",
    "sample_size_for_half_width",
    "sample_size_for_precision",
    "weighted_covariance",
    "weighted_spearman",
]
