"""What the review is told: its thresholds (params ``instrument:``) and the components (codebook).

Every threshold of the review is a convention with its source below; each can be set for a
year in its params file under ``instrument:`` (:attr:`satisfaction.params.YearParams.instrument`).

The very-fast threshold: 2 seconds per questionnaire item (Huang, Curran, Keeney, Poposki and
DeShon 2012, "Detecting and deterring insufficient effort responding to surveys", J. Business
and Psychology 27: 99-114), i.e. 36 s for the 18 Likert items, unless the year's params file
sets ``instrument: {min_duration_sec: ...}``.

Not for: the design settings (:class:`satisfaction.design.DesignSpec`, the params' ``design:``)
or the statistics that use these thresholds (the other modules of the package).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..codebook import Codebook, load_codebook
from ..params import YearParams
from .inputs import InstrumentError

__all__ = ["InstrumentSettings", "components_from_codebook"]


@dataclass(frozen=True)
class InstrumentSettings:
    """Thresholds of the instrument review. Override in params under ``instrument:``.

    Attributes:
        min_duration_sec: a form faster than this is "very fast"; None means
            ``seconds_per_item`` times the number of Likert items.
        seconds_per_item: 2 s (Huang et al. 2012).
        near_constant_share: an item is near-constant when one answer takes at least this
            weighted share of the valid answers (0.90: it then carries almost no information).
        ceiling_share: a component has a ceiling effect when more than this weighted share of
            respondents reach its maximum score (0.15, Terwee et al. 2007, J Clin Epidemiol
            60: 34-42).
        rate_ceiling: the satisfied/not-satisfied rate is at its ceiling above this (0.90).
        item_rest_min: an item-rest correlation below 0.30 is weak (Nunnally and Bernstein 1994).
        alpha_min: a component alpha below 0.70 is too low (Nunnally and Bernstein 1994).
        alpha_redundant: above 0.95 the items are likely redundant (Streiner 2003).
        alpha_gain: an item whose deletion raises alpha by at least this is a drop candidate.
        nonresponse_max: an item with more unusable answers (don't know, refused, blank, out
            of range) than this share needs a "not applicable" route.
        half_width: target half-width of the 95 % interval per level next year (0.02 = 2 pp).

    Examples:
        >>> InstrumentSettings(alpha_min=0.8).alpha_min
        0.8
        >>> InstrumentSettings(half_width=0.9)
        Traceback (most recent call last):
        satisfaction.instrument.inputs.InstrumentError: half_width=0.9: need 0 < half_width < 0.5
    """

    min_duration_sec: float | None = None
    seconds_per_item: float = 2.0
    near_constant_share: float = 0.90
    ceiling_share: float = 0.15
    rate_ceiling: float = 0.90
    item_rest_min: float = 0.30
    alpha_min: float = 0.70
    alpha_redundant: float = 0.95
    alpha_gain: float = 0.02
    nonresponse_max: float = 0.05
    half_width: float = 0.02

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise InstrumentError(f"instrument setting {f.name}={value!r}: need a number >= 0")
        if not 0 < self.half_width < 0.5:
            raise InstrumentError(f"half_width={self.half_width}: need 0 < half_width < 0.5")

    @classmethod
    def from_params(cls, params: YearParams) -> InstrumentSettings:
        """Settings from a year's parameters (their ``instrument:`` section).

        Raises:
            InstrumentError: an unknown setting (a misspelt name would otherwise be ignored)
                or a bad value.

        Examples:
            >>> from satisfaction.params import load_params
            >>> InstrumentSettings.from_params(load_params(2020)).half_width
            0.02
        """
        section = params.instrument
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(section) - known)
        if unknown:
            raise InstrumentError(f"unknown instrument setting(s): {', '.join(unknown)}")
        return cls(**dict(section))

    def duration_threshold(self, n_items: int) -> float:
        """Seconds below which a form counts as very fast.

        Examples:
            >>> InstrumentSettings().duration_threshold(18)
            36.0
        """
        if self.min_duration_sec is not None:
            return float(self.min_duration_sec)
        return float(self.seconds_per_item * n_items)


def components_from_codebook(codebook: Codebook | None = None) -> dict[str, list[str]]:
    """The five SIPAS components and their items, from the codebook.

    Examples:
        >>> components_from_codebook()["access"]
        ['a1', 'a2', 'a3']
    """
    if codebook is None:
        codebook = load_codebook()
    return {name: list(spec["items"]) for name, spec in codebook.components.items()}
