"""A survey year as the analyses see it: its processed table, its design, its baseline year.

Every notebook, module and test that needs "the 2020 survey" gets it here, one way:

* :func:`load_survey` -- the cleaned respondent table of a year (``data/processed/<year>/``),
  with the per-respondent component indicators (``sat_<component>``) added;
* :func:`load_design` -- the :class:`~satisfaction.design.SurveyDesign` of that table under
  the year's ``design:`` parameters (a :class:`~satisfaction.design.DesignSpec`: every design
  setting lives there and nowhere else);
* :func:`load_baseline` -- the parameters of the year a year is compared with;
* :func:`trend` -- one statistic for every year processed so far, each from its own design;
* :func:`component_change` -- each component's rate in a year and its baseline, on the items
  both questionnaires asked the same way (:mod:`satisfaction.questionnaire`).

Each year is read with its own questionnaire (params ``codebook``): its components, items and
categories may differ from another year's.

Examples:
    >>> from satisfaction.params import load_params
    >>> P = load_params(2020)
    >>> load_baseline(P).year
    2019

Not for: reading raw files or cleaning them (:mod:`satisfaction.clean`), the parameters
themselves (:mod:`satisfaction.params`) or estimation (:mod:`satisfaction.design`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .codebook import Codebook, load_codebook
from .design import SurveyDesign
from .params import ParamsError, YearParams, available_years, load_params
from .scores import component_indicators

__all__ = [
    "MissingDataError",
    "component_change",
    "load_baseline",
    "load_design",
    "load_item_missing",
    "load_survey",
    "trend",
]


class MissingDataError(FileNotFoundError):
    """A year's processed table does not exist yet (the cleaning step has not run)."""


def load_survey(params: YearParams, codebook: Codebook | None = None) -> pd.DataFrame:
    """The cleaned respondent table of a year, with its component indicators.

    Args:
        params: the year's parameters (its ``processed_file``).
        codebook: the questionnaire that defines the components (default: the year's own,
            params ``codebook``).

    Returns:
        One row per respondent: the processed columns plus ``score_<component>`` and
        ``sat_<component>`` (:func:`satisfaction.scores.component_indicators`).

    Raises:
        MissingDataError: the processed table does not exist (names the year and the fix).
    """
    path = params.processed_file
    if not path.exists():
        raise MissingDataError(
            f"year {params.year}: no processed survey table at {path}; run "
            f"`satisfaction clean` for {params.year} (or `make reports`) first"
        )
    return component_indicators(pd.read_parquet(path), codebook or load_codebook(params.codebook))


def load_design(params: YearParams, data: pd.DataFrame | None = None) -> SurveyDesign:
    """The survey design of a year: its respondents under its ``design:`` parameters.

    Args:
        params: the year's parameters.
        data: the respondent table to use (default: :func:`load_survey` of the year), for
            example a copy with derived columns added.

    Returns:
        A :class:`~satisfaction.design.SurveyDesign` built by ``params.design``.

    Raises:
        MissingDataError: ``data`` is omitted and the year has no processed table yet.
    """
    return params.design.build(load_survey(params) if data is None else data)


def load_baseline(params: YearParams) -> YearParams | None:
    """The parameters of the year ``params`` is compared with, or None when it has none.

    The baseline's params file is looked for beside the current year's (so a scratch copy of
    ``params/`` stays self-contained). Its keys are checked, its paths are not: a comparison
    needs the baseline's processed table (:func:`load_survey` says when it is missing) and, on
    the PAR page, its unit table (:func:`satisfaction.par_index.load_baseline_year` checks it),
    not its raw file.

    Raises:
        ParamsError: the year names itself, or the baseline's params cannot be loaded (the
            message names both years).

    Examples:
        >>> from satisfaction.params import load_params
        >>> load_baseline(load_params(2019)) is None
        True
    """
    base = params.baseline_year
    if base is None:
        return None
    if int(base) == int(params.year):
        raise ParamsError(f"year {params.year} names itself as its baseline year")
    try:
        folder = params.source.parent if params.source is not None else None
        path = folder / f"{int(base)}.yaml" if folder is not None else None
        return load_params(int(base), path if path is not None and path.exists() else None,
                           check_paths=False)
    except ParamsError as exc:
        raise ParamsError(
            f"year {params.year} is compared with baseline year {base}, but the parameters "
            f"of {base} cannot be loaded: {exc}"
        ) from exc


def trend(up_to: int, var: str = "satisfied") -> pd.DataFrame:
    """The proportion ``var`` of every year of ``params/`` up to ``up_to`` that has been processed.

    Each year is estimated from its own design with its own interval method and confidence
    level; a year not processed yet is left out (the batch cleans every year first).

    Args:
        up_to: the last year to include (the page's year).
        var: a 0/1 column of the processed tables.

    Returns:
        An estimate table (``estimate, se, ci_low, ci_high, deff, n, n_eff, df``) indexed by year.
    """
    rows = []
    for year in available_years():
        p = load_params(year, check_paths=False)  # its processed table is what is read
        if year <= up_to and p.processed_file.exists():
            table = load_design(p).proportion(var, ci_method=p.ci_method, level=p.confidence)
            rows.append(table.set_axis([year]))
    return pd.concat(rows) if rows else pd.DataFrame()


def load_item_missing(params: YearParams) -> pd.DataFrame | None:
    """The cleaning step's count of unusable answers per Likert item of a year, if it wrote one.

    Reads ``item_missing.csv`` beside the year's processed table: per item ``dont_know,
    refused, blank, out_of_range`` (and further reasons, such as ``unreadable``) and ``n``.
    The processed table has those answers already turned into missing values; this is where
    they are still told apart. The table is returned as written (checked by
    :func:`satisfaction.instrument.check_item_missing` where it is used).

    Returns:
        The table, or None when the file does not exist (processed by an older cleaning step
        or elsewhere).

    Examples:
        >>> from dataclasses import replace
        >>> from satisfaction.params import load_params
        >>> load_item_missing(replace(load_params(2020), year=1900)) is None
        True
    """
    path = params.processed_dir / "item_missing.csv"
    if not path.exists():
        return None
    return pd.read_csv(path, encoding="utf-8")


def component_change(params: YearParams, baseline: YearParams,
                     components: Mapping[str, Sequence[str]],
                     data: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rate of each component in a year and in its baseline, each on the items given.

    A component whose items changed between the questionnaires is compared on the items both
    years asked the same way (:attr:`satisfaction.questionnaire.QuestionnaireChange.
    common_components`): a respondent is satisfied with it when the mean of their answers to
    those items is at least the satisfied cut (4), in both years alike.

    Args:
        params: the current year's parameters.
        baseline: the baseline year's parameters (its processed table must exist).
        components: component -> the items to compare it on.
        data: the current year's table (default: :func:`load_survey`).

    Returns:
        One row per component (index: its name): the change table of
        :func:`satisfaction.compare.compare_designs` (``p_current``, ``p_base``, ``change``,
        its interval and test, ``n_current``, ``n_base``...) and ``items`` (how many items).

    Raises:
        MissingDataError: a year's processed table does not exist.
    """
    from .compare import compare_designs

    codebook = load_codebook(params.codebook)
    frames = [component_indicators(load_survey(p) if d is None else d, codebook,
                                   components=components)
              for p, d in ((params, data), (baseline, None))]
    designs = [load_design(p, f) for p, f in zip((params, baseline), frames, strict=True)]
    rows = [compare_designs(designs[0], designs[1], f"sat_{name}", None,
                            level=params.confidence, ci_method=params.ci_method,
                            years=(params.year, baseline.year)).set_axis([name])
            for name in components]  # five components
    out = pd.concat(rows) if rows else pd.DataFrame()
    out["items"] = [len(components[name]) for name in out.index]
    return out
