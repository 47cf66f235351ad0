"""Keeping the translation catalogue complete: extract every message, update, check.

Every reviewer-facing text is written in English and marked with ``_()`` or ``N_()``
(:mod:`satisfaction.i18n`), in the library and in the notebooks' code cells. This module finds
them all (Babel's Python extractor; notebooks cell by cell) and keeps the Vietnamese catalogue
in step:

* ``python -m satisfaction.messages update`` (``make messages``) adds new messages to
  ``locales/vi/LC_MESSAGES/satisfaction.po`` with an empty translation, marks those whose
  English changed as fuzzy, and drops the ones no longer used (kept commented as obsolete);
* ``python -m satisfaction.messages check`` lists every message without a usable translation
  (missing, empty, fuzzy) or whose placeholders differ from the English; it exits 1 if any.
  The test suite runs the same check.

A message must be a literal string (an f-string cannot be looked up): write
``_("{n} respondents").format(n=...)``, never ``_(f"{n} respondents")``.

Not for: rendering messages (:mod:`satisfaction.i18n`).
"""

from __future__ import annotations

import io
import json
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import config
from .i18n import DOMAIN, LANGUAGES, LOCALES, SOURCE_LANGUAGE, placeholders

__all__ = ["Problem", "catalogue_path", "check", "extract", "main", "update"]

KEYWORDS = {"_": None, "N_": None}
_FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def catalogue_path(lang: str) -> Path:
    """Where the catalogue of ``lang`` lives."""
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _python_messages(source: str, origin: str) -> Iterator[tuple[str, str, int]]:
    from babel.messages.extract import extract_python

    for lineno, _func, message, _comments in extract_python(
        io.BytesIO(source.encode("utf-8")), KEYWORDS, [], {"encoding": "utf-8"}
    ):
        if isinstance(message, str) and message:
            yield message, origin, lineno


def _sources(root: Path) -> Iterator[tuple[str, str]]:
    """(origin, Python source) of every library module and every notebook code cell."""
    for path in sorted((root / "lib" / "satisfaction").rglob("*.py")):
        yield path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        for i, cell in enumerate(cells):
            if cell.get("cell_type") == "code":
                src = cell.get("source", "")
                src = "".join(src) if isinstance(src, list) else src
                # IPython magics are not Python: blank them out for the extractor.
                src = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                                for line in src.splitlines())
                yield f"{path.relative_to(root).as_posix()}#cell{i}", src


def _first_fstring_message(source: str) -> int | None:
    """The line of the first ``_(f"...")`` in ``source`` (None if there is none)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    kinds = [(t.type, t.string) for t in tokens]
    for i in range(len(tokens) - 2):
        if kinds[i][1] in KEYWORDS and kinds[i + 1] == (tokenize.OP, "(") and (
            tokens[i + 2].type == getattr(tokenize, "FSTRING_START", -1)
            or (tokens[i + 2].type == tokenize.STRING
                and tokens[i + 2].string.lstrip("rRbB")[:1] in "fF")
        ):
            return tokens[i].start[0]
    return None


def extract(root: Path | None = None) -> dict[str, list[tuple[str, int]]]:
    """Every marked message: English text -> where it is used (origin, line).

    Raises:
        ValueError: a message is an f-string (it could never be translated); names the place.
    """
    root = root or config.ROOT
    found: dict[str, list[tuple[str, int]]] = {}
    for origin, source in _sources(root):
        lineno = _first_fstring_message(source)
        if lineno is not None:
            raise ValueError(f"{origin}:{lineno}: an f-string inside _() cannot be translated;"
                             " use _('... {name} ...').format(name=...)")
        for message, where, lineno in _python_messages(source, origin):
            found.setdefault(message, []).append((where, lineno))
    return found


@dataclass(frozen=True)
class Problem:
    """A message the catalogue of ``lang`` cannot show properly."""

    lang: str
    message: str
    reason: str
    where: str

    def __str__(self) -> str:
        text = self.message if len(self.message) <= 70 else self.message[:67] + "..."
        return f"{self.lang}: {self.reason}: {text!r} ({self.where})"


def _read(lang: str) -> Any:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = catalogue_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def check(root: Path | None = None) -> list[Problem]:
    """Every message without a usable translation in some language, or with other placeholders."""
    messages = extract(root)
    problems: list[Problem] = []
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        cat = _read(lang)
        for text, places in messages.items():
            where = f"{places[0][0]}:{places[0][1]}"
            entry = cat.get(text)
            if entry is None or not entry.string:
                problems.append(Problem(lang, text, "no translation", where))
            elif entry.fuzzy:
                problems.append(Problem(lang, text, "fuzzy (the English changed)", where))
            elif placeholders(str(entry.string)) != placeholders(text):
                problems.append(Problem(lang, text, "placeholders differ", where))
    return problems


def update(root: Path | None = None) -> dict[str, int]:
    """Bring every catalogue in step with the messages in the code; returns counts per language."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    messages = extract(root)
    template = Catalog(domain=DOMAIN, project="satisfaction", creation_date=_FIXED_DATE)
    for text, places in sorted(messages.items()):
        template.add(text, locations=places)
    counts = {}
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        cat = _read(lang)
        cat.update(template, no_fuzzy_matching=True)
        cat.project, cat.fuzzy = "satisfaction", False
        cat.revision_date = cat.creation_date = _FIXED_DATE  # no churn in the file's header
        path = catalogue_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_po(buffer, cat, width=100, omit_header=False, sort_output=True, include_lineno=False,
                 include_previous=False, ignore_obsolete=True)
        path.write_bytes(buffer.getvalue())
        counts[lang] = sum(1 for m in cat if m.id and not m.string)
    return counts


def main(argv: list[str] | None = None) -> int:
    """``python -m satisfaction.messages update|check``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["update"]:
        for lang, missing in update().items():
            print(f"{catalogue_path(lang)}: {missing} message(s) still to translate")
        return 0
    if args == ["check"]:
        problems = check()
        for problem in problems:
            print(problem)
        print(f"{len(problems)} message(s) without a usable translation")
        return 1 if problems else 0
    print("usage: python -m satisfaction.messages update|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
