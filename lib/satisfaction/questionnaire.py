"""Two years' questionnaires compared: which items and components both years asked the same way.

A year's questionnaire is its codebook (params ``codebook``; the shared
``data/raw/codebook.yaml`` by default). Between two years an item is

* **common** -- the same name, wording and answer scale in both (``same``);
* **added** -- in the current questionnaire only (``current only``);
* **dropped** -- in the baseline questionnaire only (``base only``);
* **reworded** -- the same name, another wording (``wording differs``): not comparable. The
  current codebook may explain the change in the item's ``reworded`` note (a text, or one per
  language: ``{vi: ..., en: ...}``), shown on the pages;
  the wording compared is the item's Vietnamese text (NFC, spaces collapsed, case folded);
* **rescaled** -- another answer scale (``scale differs``): not comparable either.

A component keeps its items (``same``) or changes them (``items changed``: then it is compared
on its :attr:`QuestionnaireChange.common_components` items only), or exists in one year only.
Every comparison of two years goes through here: the components and the trend of page 02, the
like-for-like index and the comparability checklist of page 06
(:mod:`satisfaction.robustness`), the instrument review of page 05.

Examples:
    >>> from satisfaction.params import load_params
    >>> q = compare_years(load_params(2020), load_params(2019))
    >>> q.same, q.added, q.dropped, q.reworded
    (True, [], [], [])

Not for: the codebook itself (:mod:`satisfaction.codebook`), estimation
(:mod:`satisfaction.scores`, :mod:`satisfaction.compare`) or wording
(:mod:`satisfaction.report.questionnaire`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from .codebook import Codebook, load_codebook, nfc

if TYPE_CHECKING:
    from .params import YearParams

__all__ = [
    "COMPARABLE",
    "ItemSource",
    "QuestionnaireChange",
    "changes_along",
    "common_items",
    "compare",
    "compare_components",
    "compare_years",
    "year_codebook",
]

ItemSource = Codebook | Sequence[str]
"""A questionnaire: its codebook, or a bare list of item names (wording not compared)."""
COMPARABLE: Final = ("same", "same name")
"""Item statuses that can be compared between the years."""


def year_codebook(params: YearParams) -> Codebook:
    """The questionnaire of a year: the codebook its params name (``codebook``).

    Examples:
        >>> from satisfaction.params import load_params
        >>> year_codebook(load_params(2020)).overall_item
        'q_overall'
    """
    return load_codebook(params.codebook)


def _item_specs(source: ItemSource) -> tuple[dict[str, dict[str, Any] | None], Any]:
    """Item name -> its codebook entry (None for a bare list), and the answer scale."""
    if isinstance(source, Codebook):
        specs = {name: source.columns[name].spec for name in source.likert_columns}
        likert = source.spec.get("likert", {})
        scale = (tuple(likert.get("scale", ())), tuple(likert.get("satisfied_codes", ())),
                 tuple(sorted((int(k), nfc(str(v.get("vi", ""))))
                              for k, v in likert.get("labels", {}).items())))
        return specs, scale
    if isinstance(source, str) or not isinstance(source, Sequence):
        raise TypeError("items must be a Codebook or a list of item names")
    return {str(name): None for name in source}, None


def _wording(spec: Mapping[str, Any] | None) -> str | None:
    if spec is None:
        return None
    return " ".join(nfc(str(spec.get("vi", spec.get("en", "")))).split()).casefold()


def _note(value: Any) -> str | dict[str, str]:
    """A ``reworded`` note as given: one text, or a text per language (spaces collapsed)."""
    if isinstance(value, Mapping):
        return {str(k): " ".join(str(v).split()) for k, v in value.items() if v}
    return " ".join(str(value or "").split())


def _status(name: str, specs1: Mapping[str, Any], specs0: Mapping[str, Any],
            same_scale: bool) -> str:
    a, b = name in specs1, name in specs0
    if not (a and b):
        return "current only" if a else "base only"
    if specs1[name] is None or specs0[name] is None:
        return "same name"
    if not same_scale:
        return "scale differs"
    if _wording(specs1[name]) != _wording(specs0[name]):
        return "wording differs"
    return "same"


def common_items(current: ItemSource, base: ItemSource) -> pd.DataFrame:
    """Which questionnaire items both years asked the same way.

    Args:
        current: the current year's questionnaire: its :class:`~satisfaction.codebook.Codebook`
            (the Likert items, overall item included, with their Vietnamese wording and the
            answer scale) or a list of item names.
        base: the same for the baseline year.

    Returns:
        One row per item (current-year order, then base-only items): ``in_current``,
        ``in_base``, ``status`` -- ``same`` (same name, wording and scale), ``same name``
        (a list was given: wording not compared), ``wording differs``, ``scale differs``,
        ``current only``, ``base only`` -- ``comparable`` (``same`` or ``same name``), and
        ``note`` (the current codebook's ``reworded`` note of the item: a text, a mapping
        language -> text, or "").

    Examples:
        >>> common_items(["a1", "a2", "q_overall"], ["a1", "q_overall", "b9"])
        ... # doctest: +NORMALIZE_WHITESPACE
                   in_current  in_base        status  comparable note
        item
        a1               True     True     same name        True
        a2               True    False  current only       False
        q_overall        True     True     same name        True
        b9              False     True     base only       False
    """
    specs1, scale1 = _item_specs(current)
    specs0, scale0 = _item_specs(base)
    names = list(dict.fromkeys([*specs1, *specs0]))
    rows = [{"item": name, "in_current": name in specs1, "in_base": name in specs0,
             "status": _status(name, specs1, specs0, scale1 == scale0),
             "note": _note((specs1.get(name) or {}).get("reworded"))}
            for name in names]  # questionnaire items: a few dozen
    out = pd.DataFrame(rows, columns=["item", "in_current", "in_base", "status", "note"])
    out = out.set_index("item")
    out.insert(3, "comparable", out["status"].isin(COMPARABLE))
    return out


def compare_components(current: Codebook, base: Codebook,
                       items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Which components kept the same items, and the items each can be compared on.

    Args:
        current: the current year's codebook.
        base: the baseline year's codebook.
        items: :func:`common_items` of the two (computed if omitted).

    Returns:
        One row per component (current order, then base-only ones): ``in_current``,
        ``in_base``, ``items_current``, ``items_base``, ``common`` (the items of the
        component asked the same way in both years, in current order; tuples), ``status``
        (``same``: the same items, all asked the same way; ``items changed``; ``current
        only``; ``base only``) and ``comparable`` (the component exists in both years with at
        least one common item).

    Examples:
        >>> from satisfaction.params import load_params
        >>> cb = year_codebook(load_params(2020))
        >>> compare_components(cb, cb)["status"].unique().tolist()
        ['same']
    """
    items = common_items(current, base) if items is None else items
    comparable = set(items.index[items["comparable"]])
    names = list(dict.fromkeys([*current.components, *base.components]))
    rows = []
    for name in names:  # five components
        now = tuple(current.components.get(name, {}).get("items", ()))
        then = tuple(base.components.get(name, {}).get("items", ()))
        common = tuple(i for i in now if i in then and i in comparable)
        if not (now and then):
            status = "current only" if now else "base only"
        elif now == then and len(common) == len(now):
            status = "same"
        else:
            status = "items changed"
        rows.append({"component": name, "in_current": bool(now), "in_base": bool(then),
                     "items_current": now, "items_base": then, "common": common,
                     "status": status, "comparable": bool(now and then and common)})
    return pd.DataFrame(rows).set_index("component")


@dataclass(frozen=True)
class QuestionnaireChange:
    """What changed in the questionnaire between a baseline year and the current year.

    Attributes:
        years: (current, base) labels.
        items: :func:`common_items` of the two questionnaires.
        components: :func:`compare_components` (empty when bare item lists were compared).
        overall: the current year's overall item (None if unknown).
        wording: item -> {language: its question} (the current codebook's wording, else the
            baseline's; empty when bare item lists were compared).
    """

    years: tuple[Any, Any]
    items: pd.DataFrame
    components: pd.DataFrame
    overall: str | None = "q_overall"
    wording: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def _with(self, status: str) -> list[str]:
        return [str(i) for i in self.items.index[self.items["status"] == status]]

    @property
    def added(self) -> list[str]:
        """Items of the current questionnaire only."""
        return self._with("current only")

    @property
    def dropped(self) -> list[str]:
        """Items of the baseline questionnaire only."""
        return self._with("base only")

    @property
    def reworded(self) -> list[str]:
        """Items asked in both years with another wording."""
        return self._with("wording differs")

    @property
    def rescaled(self) -> list[str]:
        """Items asked in both years on another answer scale."""
        return self._with("scale differs")

    @property
    def common(self) -> list[str]:
        """Items asked the same way in both years (the overall item included)."""
        return [str(i) for i in self.items.index[self.items["comparable"]]]

    @property
    def same(self) -> bool:
        """True when nothing changed: every item and component asked the same way."""
        return bool(self.items["comparable"].all()) and (
            self.components.empty or bool((self.components["status"] == "same").all()))

    @property
    def overall_comparable(self) -> bool:
        """True when the overall question (the satisfaction rate's) is asked the same way."""
        if self.overall is None or self.overall not in self.items.index:
            return False
        return bool(self.items.loc[self.overall, "comparable"])

    @property
    def changed_components(self) -> list[str]:
        """Components asked in both years whose items changed."""
        if self.components.empty:
            return []
        c = self.components
        return [str(k) for k in c.index[(c["status"] == "items changed")]]

    @property
    def common_components(self) -> dict[str, list[str]]:
        """Component -> the items it is compared on between the years (its common items), for
        every component asked in both years with at least one common item."""
        if self.components.empty:
            return {}
        c = self.components[self.components["comparable"]]
        return {str(k): list(v) for k, v in c["common"].items()}

    def question(self, item: str, lang: str = "en") -> str:
        """An item's question in ``lang`` ("" when the codebooks do not give it).

        Examples:
            >>> from satisfaction.params import load_params
            >>> compare_years(load_params(2021), load_params(2020)).question("a3")
            'Equipment easy to use'
        """
        spec = self.wording.get(item) or {}
        return " ".join(str(spec.get(lang) or spec.get("en") or "").split())

    def note(self, item: str, lang: str = "en") -> str:
        """The current codebook's note on a reworded item, in ``lang`` when the note is given
        per language ("" when there is none)."""
        if item not in self.items.index:
            return ""
        value = self.items.loc[item, "note"]
        if isinstance(value, Mapping):
            return value.get(lang) or value.get("en") or next(iter(value.values()), "")
        return str(value)


def compare(current: ItemSource, base: ItemSource,
            years: tuple[Any, Any] = ("current", "base")) -> QuestionnaireChange:
    """The :class:`QuestionnaireChange` between two questionnaires.

    Examples:
        >>> q = compare(["a1", "a2", "q_overall"], ["a1", "q_overall"], years=(2021, 2020))
        >>> q.added, q.same, q.overall_comparable
        (['a2'], False, True)
    """
    items = common_items(current, base)
    both = isinstance(current, Codebook) and isinstance(base, Codebook)
    components = compare_components(current, base, items) if both else pd.DataFrame()
    overall = current.overall_item if isinstance(current, Codebook) else "q_overall"
    wording = {name: {lang: nfc(str(spec[lang])) for lang in ("vi", "en") if spec.get(lang)}
               for source in (base, current) for name, spec in _item_specs(source)[0].items()
               if spec}
    return QuestionnaireChange(years=years, items=items, components=components,
                               overall=overall, wording=wording)


def compare_years(params: YearParams, baseline: YearParams) -> QuestionnaireChange:
    """The :class:`QuestionnaireChange` from ``baseline``'s questionnaire to ``params``'s."""
    return compare(year_codebook(params), year_codebook(baseline),
                   years=(params.year, baseline.year))


def changes_along(params: Sequence[YearParams]) -> list[QuestionnaireChange]:
    """The change between each pair of consecutive years (oldest first), e.g. for a trend.

    Examples:
        >>> from satisfaction.params import load_params
        >>> [q.years for q in changes_along([load_params(2019), load_params(2020)])]
        [(2020, 2019)]
    """
    ordered = sorted(params, key=lambda p: p.year)
    books = {p.year: year_codebook(p) for p in ordered}
    return [compare(books[b.year], books[a.year], years=(b.year, a.year))
            for a, b in itertools.pairwise(ordered)]
