"""Figures for the notebooks and report pages (seaborn look, matplotlib figures).

Call :func:`set_theme` once at the top of a notebook: it applies seaborn's theme and then a
font that has every Vietnamese letter, so province and office names keep their diacritics in
every figure on a bare machine. The figures themselves live in submodules and are re-exported
here: :mod:`.estimates` (by-domain estimates, forest plot of offices, the five components,
trend across years, plain counts); other submodules (change, PAR index, instrument) are found the same way.
Every function returns a :class:`matplotlib.figure.Figure` and none calls ``plt.show``; the
figures are built without pyplot, so a notebook shows one when it is displayed:
``display(fig)``, or the figure as the cell's last expression (``fig = ...`` alone shows
nothing).

Not for: computing estimates or deciding reliability (figures take estimate tables and ask
:mod:`satisfaction.reliability` which cells may be drawn).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

FONT_FAMILY = "DejaVu Sans"
"""Ships with matplotlib and covers Vietnamese (Latin Extended Additional, U+1EA0-U+1EF9)."""

VIETNAMESE_SAMPLE = (
    "ẠẢÃÀÁÂẬẦẤẨẪĂẮẰẲẴẶ ắằẳẵặ đĐ ơờớởỡợ ưừứửữự Thừa Thiên Huế "
    "Đắk Lắk Bà Rịa – Vũng Tàu Quảng Ngãi Hải Phòng Thành phố Hồ Chí Minh"
)
"""Text whose every glyph must render (checked by the tests)."""

_SUBMODULES = ("estimates", "change", "par", "instrument")

__all__ = [
    "FONT_FAMILY",
    "VIETNAMESE_SAMPLE",
    "bar_counts",
    "components_plot",
    "enable_notebook_display",
    "estimates_plot",
    "forest_plot",
    "set_theme",
    "trend_plot",
]


def set_theme(context: str = "notebook", style: str = "whitegrid", font_scale: float = 1.0) -> None:
    """Seaborn's theme, then a Vietnamese-capable font (DejaVu Sans) for all text.

    Args:
        context: seaborn plotting context (``paper``, ``notebook``, ``talk``, ``poster``).
        style: seaborn style.
        font_scale: seaborn font scale.

    Examples:
        >>> import matplotlib as mpl
        >>> set_theme()
        >>> mpl.rcParams["font.family"], mpl.rcParams["font.sans-serif"][0]
        (['sans-serif'], 'DejaVu Sans')
    """
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context=context, style=style, font_scale=font_scale)
    others = [f for f in mpl.rcParams["font.sans-serif"] if f != FONT_FAMILY]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [FONT_FAMILY, *others]
    mpl.rcParams["axes.unicode_minus"] = True
    mpl.rcParams["figure.dpi"] = 100
    mpl.rcParams["savefig.dpi"] = 100
    mpl.rcParams["savefig.bbox"] = "tight"
    enable_notebook_display()


def enable_notebook_display() -> bool:
    """Let Jupyter show a returned figure as a PNG (once), also when pyplot was never used.

    The figures are built without pyplot, so the inline backend may not have registered its
    display formatter yet. An existing registration (say, SVG chosen by the user) is kept.

    Returns:
        True inside IPython (formatter present), False elsewhere.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    from matplotlib.figure import Figure

    formatters = shell.display_formatter.formatters
    if any(Figure in f.type_printers for f in formatters.values()):
        return True
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(shell, {"png"}, bbox_inches="tight")
    return True


def __getattr__(name: str) -> Any:
    # Figures are found in the submodules on first use (seaborn is imported only then).
    for module_name in _SUBMODULES:
        try:
            module = import_module(f".{module_name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                continue
            raise
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AttributeError(f"module 'satisfaction.plots' has no attribute {name!r}")
