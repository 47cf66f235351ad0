"""Per-respondent indicators derived from the answers: satisfied overall and per component.

The satisfaction rate is the weighted share of respondents *satisfied* (4 or 5 on the 1-5
scale) among those with a valid answer. For the five SIPAS components a respondent's
component score is the mean of the component's items they answered; they count as satisfied
with the component when that mean is at least 4 (the cut of the overall item, applied to the
average answer). A respondent who answered none of a component's items is missing for it,
never counted as dissatisfied.

:func:`component_rates` asks a design for the rate of every component at once (the table of
the satisfaction page).

Not for: estimation itself (the indicators are 0/1 columns that
:class:`~satisfaction.SurveyDesign` turns into rates with intervals).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from .codebook import Codebook, load_codebook

if TYPE_CHECKING:
    from .design import SurveyDesign


def component_indicators(data: pd.DataFrame, codebook: Codebook | None = None, *,
                         components: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """0/1 columns ``sat_<component>`` (NaN when no item of the component was answered).

    Args:
        data: the processed respondent table (Likert items as nullable integers).
        codebook: the year's questionnaire (the shared codebook if omitted): its components
            and the satisfied codes.
        components: component -> items to use instead of the codebook's (e.g. the items two
            years asked the same way, :attr:`satisfaction.questionnaire.QuestionnaireChange.
            common_components`).

    Returns:
        A new DataFrame: ``data`` with one ``sat_<component>`` float column per component,
        plus ``score_<component>`` (the mean item answer).

    Examples:
        >>> df = pd.DataFrame({c: pd.array(v, dtype="Int8") for c, v in {
        ...     "a1": [5, 3, None], "a2": [4, 3, None], "a3": [3, 4, None]}.items()})
        >>> cb = load_codebook()
        >>> out = component_indicators(df, cb)
        >>> out[["score_access", "sat_access"]].round(3).values.tolist()
        [[4.0, 1.0], [3.333, 0.0], [nan, nan]]
        >>> component_indicators(df, cb, components={"access": ["a1"]})["sat_access"].tolist()
        [1.0, 0.0, nan]
    """
    codebook = codebook or load_codebook()
    out = data.copy()
    cut = min(codebook.satisfied_codes)
    chosen = components if components is not None else {
        name: comp["items"] for name, comp in codebook.components.items()}
    for name, wanted in chosen.items():
        items = [i for i in wanted if i in data.columns]
        if not items:
            continue
        score = data[items].astype("float64").mean(axis=1, skipna=True)
        out[f"score_{name}"] = score
        out[f"sat_{name}"] = (score >= cut).astype("float64").where(score.notna())
    return out


def component_labels(codebook: Codebook | None = None, lang: str = "vi") -> dict[str, str]:
    """``sat_<component>`` -> the component's label, for tables and figures."""
    codebook = codebook or load_codebook()
    return {f"sat_{k}": v[lang] for k, v in codebook.components.items()}


def component_rates(design: SurveyDesign, codebook: Codebook | None = None,
                    ci_method: str = "beta", level: float = 0.95) -> pd.DataFrame:
    """The share satisfied with each component, one row per component, each over the full design.

    Args:
        design: the year's design over a table with the ``sat_<component>`` columns
            (:func:`satisfaction.years.load_survey` adds them).
        codebook: the questionnaire that names the components (loaded if omitted).
        ci_method: the interval method of :meth:`~satisfaction.SurveyDesign.proportion`.
        level: the confidence level.

    Returns:
        An estimate table indexed by ``sat_<component>`` in the codebook's order (the keys of
        :func:`component_labels`).

    Raises:
        ValueError: a component's column is missing from the design's table.

    Examples:
        >>> from satisfaction import SurveyDesign
        >>> cb = load_codebook()
        >>> items = [i for comp in cb.components.values() for i in comp["items"]]
        >>> answers = pd.DataFrame({i: pd.array([5, 4, 2, 3], dtype="Int8") for i in items})
        >>> data = component_indicators(answers.assign(w=1.0), cb)
        >>> t = component_rates(SurveyDesign(data, weights="w"), cb)
        >>> t["estimate"].tolist(), list(t.index) == list(component_labels(cb))
        ([0.5, 0.5, 0.5, 0.5, 0.5], True)
    """
    codebook = codebook or load_codebook()
    return pd.concat([
        design.proportion(f"sat_{name}", ci_method=ci_method, level=level).set_axis([f"sat_{name}"])
        for name in codebook.components
    ])
