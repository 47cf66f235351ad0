"""Reviewer-facing text in every language of the reports: messages, catalogues, editions.

Every page exists in a Vietnamese edition (the default) and an English one. A notebook runs
once; each text it shows is a :class:`Message` that renders in both languages, and the page
exporter keeps one language per edition. The rules:

* Text is written in English in the code, marked with ``_()``: ``_("Satisfied by level")``.
  English is the source language (gettext's convention); the Vietnamese text comes from the
  one catalogue ``lib/satisfaction/locales/vi/LC_MESSAGES/satisfaction.po`` (a standard PO
  file: Poedit, Weblate or any text editor can edit it). ``N_()`` marks a module-level
  constant the same way.
* Placeholders use ``str.format`` names: ``_("{n} respondents").format(n=Count(22250))``. A
  value that has a locale (a rate, a count, another message) is rendered in each language by
  its own ``render(lang)``: 96,45 % and 22.250 in Vietnamese, 96.45 % and 22,250 in English
  (:mod:`satisfaction.report.formats`). Text from the data (office names) is the same in every
  language and is passed as a plain string.
* ``scripts/messages.py`` extracts every marked message from ``lib/`` and ``notebooks/`` and
  updates the catalogue; a test fails when any message lacks a Vietnamese translation or a
  translation's placeholders differ from the source's.

What is shown where: :mod:`satisfaction.report.show` displays one output per language of the
run (:func:`output_languages`); the exporter (:mod:`satisfaction.report.html`) keeps, in each
edition, the outputs of that language.

Not for: the questionnaire's own words (category and item labels live in the codebook, in
both languages) or number formatting rules (:mod:`satisfaction.report.formats`).
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal, Protocol, get_args

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGES_ENV",
    "N_",
    "Fixed",
    "Language",
    "Listed",
    "Message",
    "Renderable",
    "_",
    "catalogue",
    "check_language",
    "output_languages",
    "placeholders",
    "render",
]

Language = Literal["vi", "en"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
"""Every edition, the default first."""
DEFAULT_LANGUAGE: Final[Language] = "vi"
SOURCE_LANGUAGE: Final[Language] = "en"
LANGUAGES_ENV: Final = "SATISFACTION_LANGUAGES"
"""Comma-separated languages a run displays (the batch sets ``vi,en``; JupyterLab: unset)."""
LOCALES: Final = Path(__file__).resolve().parent / "locales"
DOMAIN: Final = "satisfaction"


class Renderable(Protocol):
    """Anything that has a text in each language."""

    def render(self, lang: Language) -> str: ...


def check_language(lang: Any) -> Language:
    """``lang`` if it is an edition's language, else a ValueError naming them.

    Examples:
        >>> check_language("vi")
        'vi'
        >>> check_language("fr")
        Traceback (most recent call last):
        ValueError: unknown language 'fr'; the reports exist in vi, en
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; the reports exist in {', '.join(LANGUAGES)}")
    return lang


def output_languages() -> tuple[Language, ...]:
    """The languages this run displays: ``$SATISFACTION_LANGUAGES`` or the default alone.

    The batch runner sets the variable to every edition; a researcher in JupyterLab sees the
    default language, or the one(s) the variable names (``SATISFACTION_LANGUAGES=en``).
    """
    raw = os.environ.get(LANGUAGES_ENV, "")
    chosen = tuple(check_language(x.strip()) for x in raw.split(",") if x.strip())
    return chosen or (DEFAULT_LANGUAGE,)


@cache
def catalogue(lang: Language) -> Mapping[str, str]:
    """The translations of one language: source text -> translated text (empty for English).

    Untranslated and fuzzy entries are left out (they fall back to English, and the catalogue
    test fails on them).
    """
    check_language(lang)
    if lang == SOURCE_LANGUAGE:
        return {}
    from babel.messages.pofile import read_po

    path = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in cat
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def render(value: Any, lang: Language) -> str:
    """The text of ``value`` in ``lang``: its ``render(lang)`` if it has one, else ``str()``.

    Examples:
        >>> render(_("Satisfied"), "en"), render("Công an tỉnh", "vi"), render(3, "vi")
        ('Satisfied', 'Công an tỉnh', '3')
    """
    method = getattr(value, "render", None)
    return method(lang) if callable(method) else str(value)


class _Values(dict):
    """Format arguments rendered in one language on access."""

    def __init__(self, values: Mapping[str, Any], lang: Language) -> None:
        super().__init__(values)
        self.lang = lang

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        return render(value, self.lang) if hasattr(value, "render") else value


class Message:
    """A text written in English and shown in every language of the reports.

    Args:
        source: the English text (the msgid of the catalogue); may hold ``{name}`` fields.
        values: values for the fields (see :meth:`format`).

    Examples:
        >>> from satisfaction.report.formats import Count
        >>> m = _("{n} respondents").format(n=Count(22250))
        >>> m.render("en")
        '22,250 respondents'
        >>> m.render("vi")  # the catalogue's translation, the count in Vietnamese style
        '22.250 người trả lời'
    """

    __slots__ = ("source", "values")

    def __init__(self, source: str, values: Mapping[str, Any] | None = None) -> None:
        if not isinstance(source, str):
            raise TypeError(f"a message is text, got {type(source).__name__}")
        self.source = source
        self.values = dict(values or {})

    def format(self, **values: Any) -> Message:
        """The message with values for its fields (rendered per language when shown)."""
        missing = placeholders(self.source) - set(values) - set(self.values)
        if missing:
            raise KeyError(f"message {self.source[:60]!r} needs value(s) for {sorted(missing)}")
        return Message(self.source, {**self.values, **values})

    def render(self, lang: Language) -> str:
        """The text in ``lang``: the catalogue's translation (English if none), fields filled."""
        text = self.source if lang == SOURCE_LANGUAGE else catalogue(lang).get(self.source,
                                                                              self.source)
        if not self.values and not placeholders(text):
            return text
        return string.Formatter().vformat(text, (), _Values(self.values, lang))

    def __add__(self, other: Any) -> _Joined:
        return _Joined((self, other))

    def __radd__(self, other: Any) -> _Joined:
        return _Joined((other, self))

    def __str__(self) -> str:
        return self.render(output_languages()[0])

    def __repr__(self) -> str:
        return f"_({self.source!r})" + (f".format(**{self.values!r})" if self.values else "")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Message) and other.source == self.source
                and other.values == self.values)

    def __hash__(self) -> int:
        return hash(self.source)


class _Joined:
    """Messages and plain strings joined end to end (``_("a") + ": " + name``)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Any, ...]) -> None:
        self.parts = parts

    def __add__(self, other: Any) -> _Joined:
        return _Joined((*self.parts, other))

    def __radd__(self, other: Any) -> _Joined:
        return _Joined((other, *self.parts))

    def render(self, lang: Language) -> str:
        return "".join(render(p, lang) for p in self.parts)

    def __str__(self) -> str:
        return self.render(output_languages()[0])


class Fixed:
    """A text that is the same in every language: a year, a code, a name from the data.

    Examples:
        >>> Fixed(2021).render("vi"), Fixed("Huế").render("en")
        ('2021', 'Huế')
    """

    def __init__(self, text: Any) -> None:
        self.text = str(text)

    def render(self, lang: Language) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


class Listed:
    """Texts as a list in words: "a, b and c" ("a, b và c"), each part rendered in the language.

    Args:
        parts: messages, renderables or plain strings.
        sep: what separates the parts (``"; "`` for parts that hold commas).
        last: join the last two parts with " and " (False: ``sep`` throughout).

    Examples:
        >>> Listed(["a", "b", "c"]).render("vi"), Listed(["a"]).render("en")
        ('a, b và c', 'a')
        >>> Listed(["x, 1", "y, 2"], sep="; ", last=False).render("en")
        'x, 1; y, 2'
    """

    def __init__(self, parts: Sequence[Any], sep: str = ", ", last: bool = True) -> None:
        self.parts, self.sep, self.last = list(parts), sep, last

    def render(self, lang: Language) -> str:
        texts = [render(p, lang) for p in self.parts]
        if len(texts) <= 1 or not self.last:
            return self.sep.join(texts)
        return self.sep.join(texts[:-1]) + render(_(" and "), lang) + texts[-1]

    def __str__(self) -> str:
        return self.render(output_languages()[0])


def _(source: str) -> Message:
    """Mark an English text for translation; it renders in each language when shown."""
    return Message(source)


N_ = _
"""Marks a module-level constant (same as ``_``: messages are rendered when shown)."""


def placeholders(text: str) -> set[str]:
    """The ``{field}`` names of a format string.

    Examples:
        >>> sorted(placeholders("{rate} of {n:,} ({{literal}})"))
        ['n', 'rate']
    """
    return {name.split(".")[0].split("[")[0]
            for _text, name, _spec, _conv in string.Formatter().parse(text) if name}
