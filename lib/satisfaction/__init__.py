"""satisfaction: design-based measurement of citizen satisfaction with public-security services.

The library behind the notebooks: cleaning raw survey files (:mod:`~satisfaction.clean`),
estimating satisfaction with intervals that respect the survey design
(:class:`~satisfaction.design.SurveyDesign`), comparing years (:mod:`~satisfaction.compare`),
the administrative-reform index (:mod:`~satisfaction.par_index`) and the HTML reports
(:mod:`~satisfaction.report`). See DESIGN.md for the statistical contract.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["SurveyDesign", "__version__"]


def __getattr__(name: str):
    # Imported lazily so that `import satisfaction` stays light for the command line.
    if name == "SurveyDesign":
        from .design import SurveyDesign

        return SurveyDesign
    raise AttributeError(f"module 'satisfaction' has no attribute {name!r}")
