"""The methods and glossary page, in both languages: ``reports/methods.html`` and ``methods.en.html``.

One page, linked from every report page and the index, says how the numbers are made: the
survey design (strata, offices as primary sampling units, weights), what "satisfied" means,
which confidence interval and why (Korn-Graubard, the design's degrees of freedom, the
small-domain rule), the reliability flags and suppression (NCHS), the design effect and the
effective sample size, the tests of a change between years, multiple testing (Holm,
Benjamini-Hochberg), the checks beyond sampling error, and a glossary. Every text is a message
of the catalogue; the few numbers in it (confidence level, disclosure threshold, lonely-PSU
rule) come from the latest year's parameters.

The batch runner writes it once per run, after the notebooks: :func:`write_methods`. The page is
rendered by the same template as the others (:func:`satisfaction.report.html.render_html`):
no script, nothing fetched, a table of contents, the print stylesheet.

Links to it: :func:`methods_href` (``../methods.html`` from a year's page, ``methods.html``
from the index; ``methods.en.html`` in English).

Not for: the statistics themselves (:mod:`satisfaction.design`, :mod:`satisfaction.intervals`,
:mod:`satisfaction.reliability`, :mod:`satisfaction.compare`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from .. import config
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, Language, Message, Renderable, _, render
from ..io import write_text_atomic
from ..params import YearParams, available_years, load_params, params_path
from ..reliability import MIN_DF, MIN_N_EFF
from .formats import Count, Percent
from .tables import Column, Table

__all__ = [
    "GLOSSARY",
    "METHODS_PAGE",
    "methods_content",
    "methods_href",
    "methods_link",
    "methods_notebook",
    "write_methods",
]

METHODS_PAGE: Final = "methods"
"""The page's name: ``reports/methods.html`` (Vietnamese) and ``methods.en.html``."""


def methods_href(lang: Language = DEFAULT_LANGUAGE, *, from_year_page: bool = True) -> str:
    """The link to the methods page from a year's page (or from the index).

    Examples:
        >>> methods_href("vi"), methods_href("en"), methods_href("en", from_year_page=False)
        ('../methods.html', '../methods.en.html', 'methods.en.html')
    """
    name = f"{METHODS_PAGE}{'' if lang == DEFAULT_LANGUAGE else '.' + lang}.html"
    return f"../{name}" if from_year_page else name


class _Href:
    """The methods page's address from a year's page, in each language."""

    def render(self, lang: Language) -> str:
        return methods_href(lang)


def methods_link() -> Message:
    """A Markdown sentence linking the methods and glossary page (from a year's page).

    Examples:
        >>> methods_link().render("en")
        'How these figures are made, and what their terms mean: [methods and glossary](../methods.en.html).'
    """
    return _("How these figures are made, and what their terms mean: [methods and "
             "glossary]({href}).").format(href=_Href())


_LONELY: Final[dict[str, Message]] = {
    "adjust": N_("its office is compared with the national mean (R's \"adjust\")"),
    "average": N_("it is given the average variance of the other strata (R's \"average\")"),
    "certainty": N_("it contributes no variance, as a stratum taken with certainty "
                    "(R's \"certainty\")"),
    "remove": N_("it contributes no variance and the others are scaled up (R's \"remove\")"),
    "fail": N_("the estimation stops with an error (R's \"fail\")"),
}

_SECTIONS: Final[list[tuple[Message, list[Message]]]] = [
    (N_("## 1. The survey design"), [
        N_("Every year the ministry asks citizens and organisations who have just completed an "
           "administrative procedure at a public-security office (residence registration, "
           "identity cards, passports and exit-entry, vehicle registration, fire safety, "
           "conditional business permits, seals, weapons...) how satisfied they are. Offices "
           "are at four levels: the ministry's departments (central), the provincial police, "
           "the district police and the commune police."),
        N_("**Strata.** The offices are grouped in strata (in the synthetic data: level by "
           "region), and each stratum is sampled on its own. Estimates use the strata: "
           "variation between strata does not count as sampling error."),
        N_("**Offices as primary sampling units (PSUs).** Offices are sampled first, then "
           "respondents within each office. Respondents of one office are more alike than "
           "respondents of different offices, so the sampling error is measured between "
           "offices within each stratum, not between respondents. A stratum with a single "
           "office (a lonely PSU) has nothing to vary against: {lonely}."),
        N_("**Weights.** Each respondent carries a weight: how many transactions of the year "
           "the respondent stands for. Every rate is a weighted share, so an office that "
           "handled many procedures counts for more than one that handled few."),
        N_("**Variance.** Standard errors are Taylor-linearised over the whole design (R's "
           "`survey` package and Stata's `svy` compute the same; the test suite checks the "
           "numbers against R to 1e-8). A group (a level, a field, a province) is estimated as "
           "a domain of the full design, never by cutting the sample, so its interval accounts "
           "for every stratum and office it spans."),
        N_("**What is not known.** The ministry has not published how offices and "
           "respondents were chosen, who handed out the forms, the fieldwork dates, the"
           " earlier year's sample size or any design effect. This repository treats "
           "them as parameters and says so wherever they matter."),
    ]),
    (N_("## 2. What \"satisfied\" means"), [
        N_("The overall question is answered on a five-point scale: 1 very dissatisfied, 2 "
           "dissatisfied, 3 neutral, 4 satisfied, 5 very satisfied. A respondent is "
           "**satisfied** when the answer is 4 or 5. The satisfaction rate is the weighted "
           "share of satisfied respondents among those with a valid answer: \"don't know\", "
           "refusals and missing answers are left out of the rate and counted on the cleaning "
           "page."),
        N_("The five components of the service follow the national satisfaction index "
           "(SIPAS): access to the service, administrative procedures, the officers, the "
           "results, and the receiving and handling of feedback. A respondent is satisfied "
           "with a component when the mean of their answers to its items is at least 4."),
    ]),
    (N_("## 3. Confidence intervals: Korn-Graubard"), [
        N_("Every rate has a {level} confidence interval. It is the Korn-Graubard interval: "
           "the exact (Clopper-Pearson) interval computed on the effective sample size and "
           "adjusted for the design's degrees of freedom. The NCHS Data Presentation Standards "
           "for Proportions prescribe it. Rates of satisfaction are close to 100 %, where the "
           "usual interval (estimate plus or minus two standard errors) covers the true rate "
           "too rarely and can pass 100 %; the Korn-Graubard interval stays inside 0-100 % and "
           "a cell where everyone is satisfied still gets a proper interval. A simulation in "
           "the repository (`benchmarks/coverage.py`) measures its coverage: at least 94 % for "
           "a 95 % interval in every regime tried (rates up to 99.5 %, groups from 20 "
           "respondents)."),
        N_("**Design degrees of freedom.** The design has as many degrees of freedom as "
           "offices minus strata; a group's are counted over the offices and strata it "
           "reaches. Few degrees of freedom make the interval wider (a t quantile instead of "
           "the normal one)."),
        N_("**Small groups.** A group that meets one office in every stratum it reaches has "
           "no degrees of freedom in R and no interval. Here its variance is computed as if "
           "its K offices were one stratum (the collapsed-strata estimator), with K - 1 "
           "degrees of freedom; the coverage study checks that this rule covers. A group that "
           "lies within a single office has no design-based interval at all: it is suppressed, "
           "and its footnote says why."),
    ]),
    (N_("## 4. Reliability: flags and suppression"), [
        N_("Every published rate passes the NCHS standards for proportions. A rate is "
           "**suppressed** (shown as \"—\", never as a number) when its group has fewer than "
           "{threshold} respondents (then not even its count is shown), when its effective "
           "sample size is under {n_eff}, when it has no confidence interval, when its "
           "interval is 30 points wide or more, or when the interval is wider than 5 points "
           "and wider than 130 % of the rate. A rate is **flagged** (shown, with a footnote: "
           "interpret with caution) when it has fewer than {df} degrees of freedom, when it is "
           "0 % or 100 %, or when the interval of its complement (the share not satisfied) "
           "fails the relative-width rule. Each table's footnotes give the reason of each "
           "flag."),
    ]),
    (N_("## 5. Design effect and effective sample size"), [
        N_("The **design effect** of an estimate is its variance under the survey's design "
           "divided by the variance it would have from a simple random sample of the same "
           "number of respondents. Clustering in offices and unequal weights make it larger "
           "than 1: a design effect of 2 means the sample is as precise as a simple random "
           "sample half its size. The **effective sample size** is that size: the number of "
           "respondents divided by the design effect. The reliability rules and the intervals "
           "use it."),
    ]),
    (N_("## 6. Change between years"), [
        N_("A change is given in percentage points (the difference of two rates) and as"
           " a relative change (per cent of the earlier rate), each with an interval "
           "and a test. With both years' answers, the two samples are independent; the "
           "interval of a difference is built from each year's own interval (MOVER: the"
           " method of variance estimates recovery, Newcombe's hybrid idea applied to "
           "the design-based intervals shown for each year). The test is the inversion "
           "of the interval shown: a change is larger than sampling error exactly when "
           "its interval excludes 0, so the verdict, both intervals and every sentence "
           "agree."),
        N_("When the earlier year exists only as published figures (a rate and a number"
           " of respondents, its design effect unknown), the same test runs from them "
           "with an assumed design effect, and a sensitivity table shows the verdict "
           "over the values it could take. A published change is tested both ways: as "
           "percentage points and as a relative change."),
    ]),
    (N_("## 7. Many comparisons at once: Holm and Benjamini-Hochberg"), [
        N_("When many offices or provinces are compared at once, some differences pass a 5 % "
           "test by chance alone. The tables then give adjusted p-values. **Holm**'s method "
           "controls the family-wise error rate: the chance that even one of the differences "
           "called real is not. **Benjamini-Hochberg**'s controls the false discovery rate: "
           "the expected share, among the differences called real, of those that are not. "
           "Holm is the stricter; Benjamini-Hochberg finds more differences and accepts that a "
           "few of them are false."),
    ]),
    (N_("## 8. Beyond sampling error"), [
        N_("A change larger than sampling error is not yet a real change. The robustness page "
           "asks how much of it comes from who was asked (composition: the Kitagawa "
           "decomposition and a standardised rate, with design-based intervals), whether it "
           "holds like for like (the same mode, the same respondent type, the items asked the "
           "same way in both years) and without low-quality forms, and how large a courtesy, "
           "non-response or office-selection bias would have to be to erase it. A change in "
           "the questionnaire is named on the page."),
    ]),
    (N_("## 9. Synthetic data and calibration"), [
        N_("The ministry has not published its microdata. The repository therefore ships a "
           "synthetic survey, generated so that its weighted estimates reproduce the published "
           "figures, and every page built on it says so in a banner. When such a page finds "
           "the published figure again, that is a **calibration check** (the generator and "
           "the estimator agree), not a confirmation of the ministry's figure."),
    ]),
]

GLOSSARY: Final[list[tuple[Message, Message]]] = [
    (N_("Stratum"), N_("A group of offices sampled on its own; variation between strata is "
                       "not sampling error.")),
    (N_("Primary sampling unit (PSU)"), N_("The unit sampled first: here an office. The "
                                           "sampling error is measured between PSUs.")),
    (N_("Weight"), N_("How many transactions of the year a respondent stands for.")),
    (N_("Domain"), N_("A group estimated within the full design: a level, a field, a "
                      "province, an office.")),
    (N_("Lonely PSU"), N_("A stratum with a single office: it has no variation of its own; a "
                          "stated rule replaces it.")),
    (N_("Taylor linearisation"), N_("The way the standard errors of rates are computed over the "
                                    "design (as in R's survey package and Stata's svy).")),
    (N_("Confidence interval"), N_("The range of rates compatible with the sample: a 95 % "
                                   "interval covers the true rate in 95 % of samples.")),
    (N_("Korn-Graubard interval"), N_("The exact interval on the effective sample size with "
                                      "the design's degrees of freedom (NCHS).")),
    (N_("Degrees of freedom"), N_("Offices minus strata (for a group: those it reaches); few "
                                  "of them widen the interval.")),
    (N_("Design effect"), N_("Variance under the design over the variance of a simple random "
                             "sample of the same size.")),
    (N_("Effective sample size"), N_("Respondents divided by the design effect: the size of "
                                     "an equally precise simple random sample.")),
    (N_("Standard error"), N_("The sampling error of an estimate (for a rate, in percentage "
                              "points).")),
    (N_("Suppressed"), N_("Not shown, because too few respondents or too unstable (NCHS); "
                          "shown as \"—\".")),
    (N_("Flagged"), N_("Shown with a footnote: interpret with caution (NCHS).")),
    (N_("Percentage point"), N_("The unit of a difference of two rates: from 80.00 % to"
                                " 90.00 % is +10.00 points.")),
    (N_("Relative change"), N_("A change as a share of the earlier rate: +10.00 points "
                               "on 80.00 % is +12.50 %.")),
    (N_("p-value"), N_("The chance of a difference at least this large if there were none; "
                       "small values speak against \"no difference\".")),
    (N_("Holm"), N_("Adjusted p-values that control the chance of any false finding among "
                    "many tests.")),
    (N_("Benjamini-Hochberg (BH)"), N_("Adjusted p-values that control the expected share of "
                                       "false findings among those reported.")),
    (N_("NCHS standards"), N_("The US National Center for Health Statistics' Data "
                              "Presentation Standards for Proportions (2017).")),
    (N_("SIPAS"), N_("The national index of satisfaction with public administrative "
                     "services, whose five components the questionnaire follows.")),
    (N_("PAR index"), N_("The administrative-reform index with which the ministry scores and "
                         "ranks its units every year.")),
    (N_("Calibration check"), N_("A match that holds because the synthetic data were built to "
                                 "match: it checks the method, not the published figure.")),
]
"""Term -> its meaning, as the glossary lists them."""


def _glossary_table() -> Table:
    frame = pd.DataFrame(GLOSSARY, columns=["term", "meaning"])
    return Table(frame, [Column("term", _("Term")), Column("meaning", _("Meaning"))],
                 long_rows=len(GLOSSARY) + 1)


def _values(params: YearParams | None) -> dict[str, Renderable]:
    lonely = params.design.lonely_psu if params is not None else "adjust"
    return {
        "level": Percent(params.confidence if params is not None else 0.95, 0),
        "threshold": Count(params.disclosure_threshold if params is not None else 10),
        "n_eff": Count(MIN_N_EFF),
        "df": Count(MIN_DF),
        "lonely": _LONELY.get(str(lonely), _LONELY["adjust"]),
    }


def methods_content(params: YearParams | None = None) -> list[tuple[str, Renderable | Table]]:
    """The page's blocks in order: ``("markdown", message)`` or ``("table", glossary)``."""
    from ..i18n import placeholders

    values = _values(params)
    blocks: list[tuple[str, Renderable | Table]] = [
        ("markdown", _("# Methods and glossary")),
        ("markdown", _("How the figures of the reports are made, and what their terms mean. "
                       "Each report page links here.")),
    ]
    for heading, paragraphs in _SECTIONS:
        blocks.append(("markdown", heading))
        for text in paragraphs:
            wanted = {k: values[k] for k in placeholders(text.source)}
            blocks.append(("markdown", text.format(**wanted) if wanted else text))
    blocks.append(("markdown", _("## 10. Glossary")))
    blocks.append(("table", _glossary_table()))
    return blocks


def methods_notebook(params: YearParams | None = None,
                     languages: Sequence[Language] = LANGUAGES) -> Any:
    """The page as an executed notebook: one output per block and language, tagged as
    :func:`satisfaction.report.show` tags them (so the exporter keeps one language per edition)."""
    import nbformat

    outputs = []
    for kind, block in methods_content(params):
        for lang in languages:
            if kind == "table":
                data = {"text/html": str(block.html(lang)), "text/plain": "(table)"}  # type: ignore[union-attr]
            else:
                text = render(block, lang)
                data = {"text/markdown": text, "text/plain": text}
            outputs.append(nbformat.v4.new_output("display_data", data=data,
                                                  metadata={"satisfaction": {"lang": lang}}))
    cell = nbformat.v4.new_code_cell("", outputs=outputs)
    return nbformat.v4.new_notebook(cells=[cell])


def write_methods(reports_dir: str | Path | None = None, *, params: YearParams | None = None,
                  provenance: Any = None) -> list[Path]:
    """Write the methods and glossary page in every language at the reports' root.

    The runner's call, once per batch run (after the notebooks)::

        write_methods(reports_dir)   # reports/methods.html, reports/methods.en.html

    Args:
        reports_dir: the reports folder (``reports/`` if None).
        params: the parameters whose numbers the page states (confidence level, disclosure
            threshold, lonely-PSU rule); the latest year's if None.
        provenance: a provenance stamp for the foot of the page (none if None).

    Returns:
        The pages written, the default language first.
    """
    from .html import render_html

    root = Path(reports_dir) if reports_dir is not None else config.REPORTS
    if params is None:
        years = available_years()
        params = load_params(max(years), params_path(max(years))) if years else None
    nb = methods_notebook(params)
    written = []
    for lang in LANGUAGES:
        page = render_html(nb, title=render(_("Methods and glossary"), lang), synthetic=False,
                           provenance=provenance, name=METHODS_PAGE, lang=lang,
                           index_href="index.html" if lang == DEFAULT_LANGUAGE
                           else f"index.{lang}.html", edition_name=METHODS_PAGE,
                           methods_href=None)
        written.append(write_text_atomic(root / methods_href(lang, from_year_page=False), page))
    return written
