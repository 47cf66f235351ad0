"""The surveyed offices as units of a page: which level each office is at, and its rows of a table.

The satisfaction page shows every office's rate (from the within-office design,
:meth:`satisfaction.SurveyDesign.within_psu`) in two forest plots: the ministry's departments
and the provincial police, then the district and commune offices. :func:`at_levels` picks an
office table's rows for some levels, in the table's order; :func:`office_levels` says which
level each office is at.

Not for: estimating the rates (:class:`~satisfaction.SurveyDesign`), drawing them
(:func:`satisfaction.plots.forest_plot`) or the office list used for cleaning
(:func:`satisfaction.clean.read_offices`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["at_levels", "office_levels"]


def office_levels(data: pd.DataFrame, office: str = "office", level: str = "level") -> pd.Series:
    """The level of every office in a respondent table (the level of its first row).

    Args:
        data: one row per respondent, with an ``office`` and a ``level`` column.
        office: the office column.
        level: the level column.

    Returns:
        A Series of level names (text) indexed by office, in order of first appearance.

    Raises:
        KeyError: a column is missing.

    Examples:
        >>> data = pd.DataFrame({"office": ["A", "B", "A"], "level": ["province", "commune", "x"]})
        >>> office_levels(data).to_dict()
        {'A': 'province', 'B': 'commune'}
    """
    return data.drop_duplicates(office).set_index(office)[level].astype(str)


def at_levels(table: pd.DataFrame, data: pd.DataFrame, levels: Sequence[str]) -> pd.DataFrame:
    """The rows of a by-office table whose office is at one of ``levels``, in the table's order.

    Args:
        table: a table indexed by office, e.g. ``design.within_psu().proportion("satisfied",
            by="office")``.
        data: the respondent table the offices come from (columns ``office`` and ``level``).
        levels: the levels to keep, e.g. ``["central", "province"]``.

    Returns:
        The selected rows of ``table`` (an office not in ``data`` is not kept).

    Examples:
        >>> data = pd.DataFrame({"office": ["A", "B", "C"],
        ...                      "level": ["province", "commune", "district"]})
        >>> rates = pd.DataFrame({"estimate": [0.9, 0.8, 0.7, 0.6]}, index=["C", "B", "A", "Z"])
        >>> at_levels(rates, data, ["district", "commune"]).index.tolist()
        ['C', 'B']
    """
    return table[office_levels(data).reindex(table.index).isin(list(levels))]
