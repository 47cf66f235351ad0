"""The reviewer-visible text of the rendered pages, to prove that a refactoring changed none of it.

A refactoring must leave every page's text as it was, apart from the provenance stamp (commit,
run time, hashes). This script extracts what a reviewer reads from every HTML page under a
reports folder (headings, narrative, table cells, printed output, image alt texts; not styles,
scripts, embedded image bytes or the provenance block) and compares two such extractions.

Usage::

    python scripts/page_text.py dump reports/ /tmp/pages-before     # one .txt per page
    ... change the code, make reports ...
    python scripts/page_text.py dump reports/ /tmp/pages-after
    python scripts/page_text.py diff /tmp/pages-before /tmp/pages-after   # exit 1 if any differs

Not for: checking numbers against an independent source (the tests do that) or pixels of figures.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

SIZE = re.compile(r"\(\d[\d.,]* (?:[kMG]?B|bytes)\)")
"""File sizes on the index move with the provenance stamp; they are compared as "(size)"."""
SKIP_TAGS = {"style", "script", "head"}
SKIP_CLASSES = {"sat-provenance"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}


class _Text(HTMLParser):
    """Collects visible text, one line per block, skipping styles, scripts and provenance."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._buffer: list[str] = []
        self._stack: list[bool] = []  # per open element: is it (or an ancestor) skipped?

    def _skipping(self) -> bool:
        return bool(self._stack) and self._stack[-1]

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.lines.append(text)
        self._buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        skip = self._skipping() or tag in SKIP_TAGS or bool(classes & SKIP_CLASSES)
        if tag == "img" and not skip:
            self._flush()
            self.lines.append(f"[image: {attributes.get('alt') or ''}]")
        if tag in VOID_TAGS:
            return
        if tag in {"p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table",
                   "td", "th", "section", "title"}:
            self._flush()
        self._stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        if self._stack:
            self._stack.pop()
        self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self._buffer.append(data)


def page_text(html: str) -> str:
    """The visible text of one page, one block a line.

    Examples:
        >>> page_text('<h1>T</h1><div class="sat-provenance">abc</div><p>a <b>b</b></p>')
        'T\\na b'
    """
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._flush()
    return SIZE.sub("(size)", "\n".join(parser.lines))


def dump(reports: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    pages = sorted(reports.rglob("*.html"))
    for page in pages:
        target = out / (str(page.relative_to(reports)).replace("/", "__") + ".txt")
        target.write_text(page_text(page.read_text(encoding="utf-8")) + "\n", encoding="utf-8")
    print(f"{len(pages)} page(s) written to {out}")
    return 0


def diff(before: Path, after: Path) -> int:
    names = sorted({p.name for p in before.glob("*.txt")} | {p.name for p in after.glob("*.txt")})
    differing = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"{name}: only in {'after' if not a.exists() else 'before'}")
            differing += 1
            continue
        lines_a = a.read_text(encoding="utf-8").splitlines()
        lines_b = b.read_text(encoding="utf-8").splitlines()
        if lines_a != lines_b:
            differing += 1
            sys.stdout.writelines(
                line + "\n" for line in difflib.unified_diff(lines_a, lines_b, f"before/{name}",
                                                             f"after/{name}", lineterm="", n=1))
    print(f"{len(names)} page(s) compared, {differing} differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="extract the text of every page under REPORTS into OUT")
    d.add_argument("reports", type=Path)
    d.add_argument("out", type=Path)
    c = sub.add_parser("diff", help="compare two extractions; exit 1 if any page differs")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.reports, args.out)
    return diff(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
