"""The questionnaire as data: loading ``data/raw/codebook.yaml`` and matching what offices typed.

The codebook names every column of the raw survey files, the header variants offices use, the
category codes and their labels (Vietnamese and English), the Likert scale with its
"don't know" and refusal codes, the five SIPAS components and their items, the personal-data
columns, and the 63 provinces with their regions. Everything the cleaning step, the synthetic
generator and the reports need to know about the instrument comes from here.

Matching is done on a *folded* key (:func:`fold`): NFC, lower case, Vietnamese diacritics and
the letter đ stripped, punctuation and runs of spaces or underscores collapsed to one space.
"Rất hài lòng", "RAT HAI LONG" and " rất  hài lòng " all fold to ``"rat hai long"``.

Not for: cleaning rows (see :mod:`satisfaction.clean`) or reading files
(see :mod:`satisfaction.io`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from . import config

# Separators folded to one space; letters with diacritics to their base letter (a table built
# once from Unicode's canonical decompositions, so "ắ" and "a" + U+0306 + U+0301 both give "a").
_PUNCT = re.compile("[\\s_\\-\u2013\u2014.,;:/()\"'\u2019`]+")


def _base_letter_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {cp: None for cp in range(0x300, 0x370)}  # combining marks
    for start, stop in ((0xC0, 0x250), (0x1E00, 0x1F00)):
        for cp in range(start, stop):
            base = unicodedata.normalize("NFD", chr(cp))[0]
            if base != chr(cp) and base.isascii():
                table[cp] = base
    table[ord("đ")], table[ord("Đ")] = "d", "D"
    return table


_BASE_LETTERS = _base_letter_table()


def nfc(text: str) -> str:
    """Unicode NFC form of ``text`` (Windows-1258 and macOS produce decomposed text).

    Examples:
        >>> len("Hòa"), len(unicodedata.normalize("NFD", "Hòa")), len(nfc(unicodedata.normalize("NFD", "Hòa")))
        (3, 4, 3)
    """
    return unicodedata.normalize("NFC", text)


def fold(text: Any) -> str:
    """The matching key of a label: no diacritics, lower case, punctuation and spaces collapsed.

    Args:
        text: any value; non-strings are converted with ``str``.

    Returns:
        The folded key (an empty string for blank input).

    Examples:
        >>> fold("  Rất  HÀI_lòng ")
        'rat hai long'
        >>> fold("Đắk Lắk"), fold("Bà Rịa - Vũng Tàu"), fold(unicodedata.normalize("NFD", "Hòa"))
        ('dak lak', 'ba ria vung tau', 'hoa')
    """
    return _PUNCT.sub(" ", str(text).translate(_BASE_LETTERS).lower()).strip()


def fold_series(values: pd.Series) -> pd.Series:
    """:func:`fold` over a column, once per distinct value (missing stays missing).

    Examples:
        >>> fold_series(pd.Series(["  Rất  HÀI_lòng ", None, "Đắk Lắk"])).tolist()
        ['rat hai long', nan, 'dak lak']
    """
    return map_distinct(values, fold)


def map_distinct(values: pd.Series, func) -> pd.Series:
    """``func`` applied once to each distinct non-missing value, mapped back to every row.

    The cleaning step's workhorse: a column of a million answers has a handful of distinct
    values, so the Python function runs a handful of times (a factorisation, then a take).

    Examples:
        >>> map_distinct(pd.Series(["a", "b", None, "a"]), str.upper).tolist()
        ['A', 'B', nan, 'A']
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return take_distinct(codes, [func(u) for u in uniques], values.index)


def take_distinct(codes: np.ndarray, results: list[Any], index: pd.Index) -> pd.Series:
    """Expand per-distinct-value ``results`` back to rows by their factorisation ``codes``.

    Strings are gathered by Arrow (no Python object per row); ``None`` and code -1 give a
    missing value.
    """
    if all(r is None or isinstance(r, str) for r in results):
        indices = pa.array(codes, mask=codes < 0)
        gathered = pa.array(results, type=pa.large_string()).take(indices)
        return pd.Series(pd.array(gathered, dtype="str"), index=index)
    mapped = np.array([*results, None], dtype=object)
    return pd.Series(mapped[codes], index=index)


class CodebookError(ValueError):
    """The codebook file is missing, malformed or ambiguous."""


COLUMN_KEYS = frozenset({"kind", "required", "aliases", "values", "values_from", "role", "min",
                         "max", "min_exclusive", "max_exclusive", "component", "vi", "en",
                         "reworded"})
"""The keys a column of the codebook may have (``reworded``: a note on an item whose wording
changed since the previous questionnaire; see :mod:`satisfaction.questionnaire`)."""


def _check_columns(path: Path, book: Codebook) -> None:
    """Every column's keys known; every item's ``component`` lists it among its items."""
    for name, spec in book.spec["columns"].items():
        unknown = sorted(set(spec) - COLUMN_KEYS)
        if unknown:
            raise CodebookError(
                f"{path}: columns: {name}: unknown key(s) {', '.join(unknown)} (known: "
                f"{', '.join(sorted(COLUMN_KEYS))}; a year with another questionnaire has its "
                "own codebook, named in its params)")
        comp = spec.get("component")
        if comp is not None and name not in book.components.get(comp, {}).get("items", ()):
            raise CodebookError(f"{path}: columns: {name}: its component {comp!r} does not list "
                                "it under items")


@dataclass(frozen=True)
class Column:
    """One column of the questionnaire."""

    name: str
    kind: str
    required: bool
    aliases: tuple[str, ...]
    spec: dict[str, Any]

    @property
    def role(self) -> str | None:
        """Design role (``weights``, ``strata``, ``psu``, ``overall``...) or None."""
        return self.spec.get("role")


@dataclass(frozen=True)
class Codebook:
    """The loaded questionnaire. Build it with :func:`load_codebook`."""

    spec: dict[str, Any]
    source: Path | None = None

    # -- columns -------------------------------------------------------------------------
    @cached_property
    def columns(self) -> dict[str, Column]:
        """Every column by canonical name, in codebook order."""
        out = {}
        for name, spec in self.spec["columns"].items():
            out[name] = Column(
                name=name,
                kind=spec["kind"],
                required=bool(spec.get("required", False)),
                aliases=tuple(spec.get("aliases", ())),
                spec=spec,
            )
        return out

    def of_kind(self, kind: str) -> list[str]:
        """Canonical names of the columns of one kind, in codebook order.

        Examples:
            >>> load_codebook().of_kind("pii")
            ['full_name', 'phone', 'id_number']
        """
        return [c.name for c in self.columns.values() if c.kind == kind]

    @property
    def pii_columns(self) -> list[str]:
        """Personal-data columns: read for de-duplication, never written downstream."""
        return self.of_kind("pii")

    @property
    def required_columns(self) -> list[str]:
        """Columns a raw file must carry (after header mapping)."""
        return [c.name for c in self.columns.values() if c.required]

    @property
    def overall_item(self) -> str:
        """The overall-satisfaction item (``q_overall``)."""
        return self.spec["overall_item"]

    @property
    def items(self) -> list[str]:
        """Component items in questionnaire order (the overall item excluded)."""
        return [i for comp in self.components.values() for i in comp["items"]]

    @property
    def likert_columns(self) -> list[str]:
        """Every Likert column: the component items, then the overall item."""
        return [*self.items, self.overall_item]

    @property
    def components(self) -> dict[str, dict[str, Any]]:
        """The five SIPAS components: name -> {vi, en, items}."""
        return self.spec["components"]

    def role(self, role: str) -> str:
        """The canonical column playing a design role (``weights``, ``strata``, ``psu``...).

        Examples:
            >>> cb = load_codebook(); cb.role("psu"), cb.role("weights")
            ('office_code', 'weight')
        """
        for col in self.columns.values():
            if col.role == role:
                return col.name
        raise CodebookError(f"no column has the role {role!r}")

    @cached_property
    def header_map(self) -> dict[str, str]:
        """Folded header variant -> canonical column name (the canonical name included)."""
        out: dict[str, str] = {}
        for col in self.columns.values():
            for variant in (col.name, *col.aliases):
                key = fold(variant)
                if out.get(key, col.name) != col.name:
                    raise CodebookError(f"header {variant!r} is claimed by {out[key]} and {col.name}")
                out[key] = col.name
        return out

    # -- categories ----------------------------------------------------------------------
    def categories(self, column: str) -> list[str]:
        """The category codes of a category column, in codebook order.

        Examples:
            >>> load_codebook().categories("level")
            ['central', 'province', 'district', 'commune']
        """
        spec = self.columns[column].spec
        if spec.get("values_from") == "provinces":
            return self.provinces
        return list(spec["values"])

    def label(self, column: str, code: str, lang: str = "vi") -> str:
        """The label of a category code (the code itself when there is none)."""
        spec = self.columns[column].spec
        if spec.get("values_from") == "provinces":
            return code
        return spec["values"].get(code, {}).get(lang, code)

    def labels(self, column: str, lang: str = "vi") -> dict[str, str]:
        """Code -> label for a category column."""
        return {code: self.label(column, code, lang) for code in self.categories(column)}

    @cached_property
    def _category_maps(self) -> dict[str, dict[str, str]]:
        maps: dict[str, dict[str, str]] = {}
        for col in self.columns.values():
            if col.kind != "category":
                continue
            if col.spec.get("values_from") == "provinces":
                maps[col.name] = self.province_map
                continue
            mapping: dict[str, str] = {}
            for code, spec in col.spec["values"].items():
                for variant in (code, spec.get("vi"), spec.get("en"), *spec.get("aliases", ())):
                    if variant is None:
                        continue
                    key = fold(variant)
                    if mapping.get(key, code) != code:
                        raise CodebookError(f"{col.name}: {variant!r} maps to two codes")
                    mapping[key] = code
            maps[col.name] = mapping
        return maps

    def category_map(self, column: str) -> dict[str, str]:
        """Folded label/alias/code -> category code, for one category column.

        Examples:
            >>> m = load_codebook().category_map("channel")
            >>> m["truc tuyen"], m["in person"]
            ('online', 'in_person')
        """
        return self._category_maps[column]

    # -- Likert --------------------------------------------------------------------------
    @property
    def scale(self) -> tuple[int, int]:
        """Lowest and highest valid Likert codes."""
        low, high = self.spec["likert"]["scale"]
        return int(low), int(high)

    @property
    def satisfied_codes(self) -> list[int]:
        """Codes that count as satisfied (4 and 5)."""
        return [int(c) for c in self.spec["likert"]["satisfied_codes"]]

    @property
    def missing_codes(self) -> dict[int, str]:
        """Likert missing codes -> reason (``dont_know``, ``refused``)."""
        return {int(k): v["reason"] for k, v in self.spec["likert"]["missing_codes"].items()}

    def likert_label(self, code: int, lang: str = "vi") -> str:
        """The label of a Likert code (valid or missing)."""
        spec = self.spec["likert"]
        entry = spec["labels"].get(code) or spec["missing_codes"].get(code)
        if entry is None:
            raise KeyError(f"no Likert code {code}")
        return entry[lang]

    @cached_property
    def likert_words(self) -> dict[str, int]:
        """Folded Likert word (vi or en label) -> code, missing codes included.

        Examples:
            >>> w = load_codebook().likert_words
            >>> w["rat hai long"], w["hai long"], w["khong biet"]
            (5, 4, 8)
        """
        out: dict[str, int] = {}
        spec = self.spec["likert"]
        for table in (spec["labels"], spec["missing_codes"]):
            for code, labels in table.items():
                for lang in ("vi", "en"):
                    out[fold(labels[lang])] = int(code)
        return out

    # -- geography -----------------------------------------------------------------------
    @property
    def regions(self) -> dict[str, dict[str, str]]:
        """Region code -> labels."""
        return self.spec["regions"]

    @property
    def provinces(self) -> list[str]:
        """The 63 province names (NFC), grouped by region in codebook order."""
        return [nfc(p) for region in self.spec["provinces"].values() for p in region]

    @cached_property
    def province_region(self) -> dict[str, str]:
        """Province name -> region code."""
        return {nfc(p): r for r, names in self.spec["provinces"].items() for p in names}

    @cached_property
    def province_map(self) -> dict[str, str]:
        """Folded province name or alias -> canonical name.

        Examples:
            >>> m = load_codebook().province_map
            >>> m["tphcm"], m[fold("Hoà Bình")], m["dak lak"]
            ('TP. Hồ Chí Minh', 'Hòa Bình', 'Đắk Lắk')
        """
        out: dict[str, str] = {}
        aliases = self.spec.get("province_aliases", {})
        for name in self.provinces:
            for variant in (name, *aliases.get(name, ())):
                key = fold(variant)
                if out.get(key, name) != name:
                    raise CodebookError(f"province {variant!r} folds like {out[key]!r}")
                out[key] = name
        return out


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read the codebook (``data/raw/codebook.yaml`` by default) and check it.

    Args:
        path: another codebook file.

    Returns:
        A :class:`Codebook`.

    Raises:
        CodebookError: the file is missing or not a valid codebook.

    Examples:
        >>> cb = load_codebook()
        >>> len(cb.provinces), cb.items[:4], cb.overall_item
        (63, ['a1', 'a2', 'a3', 'p1'], 'q_overall')
    """
    path = Path(path) if path else config.CODEBOOK
    if not path.exists():
        raise CodebookError(f"{path}: codebook not found")
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("likert", "components", "columns", "provinces", "overall_item"):
        if key not in (spec or {}):
            raise CodebookError(f"{path}: missing section {key!r}")
    book = Codebook(spec=spec, source=path)
    # Build the lookup tables now so that an ambiguous codebook fails at load time.
    _ = book.header_map, book.province_map, book._category_maps, book.likert_words
    unknown = [i for i in book.items if i not in book.columns]
    if unknown:
        raise CodebookError(f"{path}: component items without a column: {unknown}")
    _check_columns(path, book)
    return book
