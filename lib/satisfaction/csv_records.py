"""CSV records and the physical lines they come from: every line of a raw file accounted for.

A CSV record is usually one line, but a quoted cell may hold line breaks, and a quote that an
office forgot to close runs on into the next rows. :func:`read_records` parses the records of
UTF-8 CSV bytes and says, for every record, on which physical line of the file it starts, and
for every line that could not be read as a row, why:

* ``extra_fields``: more fields than the header (surplus fields that are all empty, as a
  trailing delimiter leaves, are dropped: nothing is lost);
* ``missing_fields``: fewer fields than the header (a field is missing: the cells after it
  would be shifted into the wrong columns);
* ``unbalanced_quote``: several physical lines read as one record because a quote opened on
  the first is not closed where its cell ends. Each of those lines gets its own fault: they
  are never merged silently with their neighbours. A record spanning several lines is kept
  only when it has exactly the header's fields and no line inside it looks like a row of its
  own (as many delimiters as the header): a cell with a typed line break.

Faulty records carry no cells: their fields may be shifted, so personal data could sit in any
column, and they are reported by line number only.

Physical lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r``; line 1 is the first line of the
file. Blank lines (nothing, or only ``\\r``) are counted, not read.

How: one streaming pass (:class:`LineScanner`) finds the line ends and the blank lines with
numpy; pyarrow parses the records (the fast path) and reports rows with the wrong number of
fields, with their record number; when the records and the non-blank lines do not pair one to
one (a quoted line break somewhere, a lone CR, an odd number of quotes), Python's ``csv``
module walks the lines to find each record's span, the faulty lines are cut out and pyarrow
parses the rest.

Not for: detecting encodings or reading other formats (see :mod:`satisfaction.io`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = ["CsvFault", "LineIndex", "LineScanner", "RecordFault", "Records", "Sink", "TableSink",
           "read_records", "rows_batch"]

CELL_TYPE = pa.dictionary(pa.int32(), pa.string())
"""How pyarrow holds every cell: dictionary-encoded text (a Likert column has a few values)."""


class CsvFault(Exception):
    """The records cannot be read at all (a cell too long, a header that is not one line)."""


@dataclass(frozen=True)
class RecordFault:
    """A physical line that could not be read as a row."""

    line: int
    reason: str
    detail: str


@dataclass(frozen=True)
class LineIndex:
    """Where the lines of a file are.

    Attributes:
        nonblank: the 1-based numbers of the lines that hold something (int64).
        lines: the number of physical lines.
        lone_cr: a ``\\r`` not followed by ``\\n`` ends a line somewhere.
        quotes: the number of ``"`` characters in the file.
    """

    nonblank: np.ndarray
    lines: int
    lone_cr: bool
    quotes: int


class LineScanner:
    """Feed a file's bytes chunk by chunk; :meth:`finish` gives its :class:`LineIndex`.

    Examples:
        >>> s = LineScanner()
        >>> s.feed(b"a,b\\n\\r\\n1,")
        >>> s.feed(b"2\\n\\n3,4")
        >>> ix = s.finish()
        >>> ix.nonblank.tolist(), ix.lines, ix.lone_cr
        ([1, 3, 5], 5, False)
    """

    def __init__(self) -> None:
        self._ends: list[np.ndarray] = []     # absolute positions of "\n"
        self._cr: list[np.ndarray] = []       # is the byte before each "\n" a "\r"?
        self._size = 0
        self._last = -1                       # the last byte seen
        self._lone_cr = False
        self._quotes = 0

    def feed(self, chunk: bytes) -> None:
        """Scan the next chunk of the file."""
        if not chunk:
            return
        arr = np.frombuffer(chunk, dtype=np.uint8)
        ends = np.flatnonzero(arr == 10)
        before = np.empty(len(ends), dtype=bool)
        inner = ends > 0
        before[inner] = arr[ends[inner] - 1] == 13
        before[~inner] = self._last == 13
        self._ends.append(ends + self._size)
        self._cr.append(before)
        crs = np.flatnonzero(arr == 13)
        if self._last == 13 and arr[0] != 10:
            self._lone_cr = True
        if len(crs):
            nxt = crs[crs + 1 < len(arr)] + 1
            self._lone_cr |= bool((arr[nxt] != 10).any())
        self._quotes += int(np.count_nonzero(arr == 34))
        self._size += len(arr)
        self._last = int(arr[-1])

    def finish(self) -> LineIndex:
        """The index of the lines fed so far."""
        ends = np.concatenate(self._ends) if self._ends else np.empty(0, dtype=np.int64)
        cr = np.concatenate(self._cr) if self._cr else np.empty(0, dtype=bool)
        starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64) if len(ends) else ends
        length = ends - starts
        blank = (length == 0) | ((length == 1) & cr)
        tail_start = int(ends[-1]) + 1 if len(ends) else 0
        lone_cr = self._lone_cr or self._last == 13
        if self._size > tail_start:      # a last line without a line end
            blank = np.append(blank, self._size - tail_start == 1 and self._last == 13)
        nonblank = (np.flatnonzero(~blank) + 1).astype(np.int64)
        return LineIndex(nonblank=nonblank, lines=len(blank), lone_cr=lone_cr,
                         quotes=self._quotes)


class Sink(Protocol):
    """Where the parsed rows go, batch by batch (so that no whole table is ever held)."""

    def reset(self, width: int) -> None:
        """Forget every batch (the slow path starts again); rows will have ``width`` cells."""

    def add(self, batch: pa.RecordBatch) -> None:
        """Take the next rows: columns ``f0``, ``f1``... of dictionary text (missing: null)."""


class TableSink:
    """A :class:`Sink` that keeps the batches as one table (small files and tests).

    Examples:
        >>> sink = TableSink(); sink.reset(2)
        >>> sink.add(pa.record_batch({"f0": pa.array(["1"]), "f1": pa.array(["2"])}))
        >>> sink.table().to_pydict()
        {'f0': ['1'], 'f1': ['2']}
    """

    def __init__(self) -> None:
        self.width = 0
        self.batches: list[pa.RecordBatch] = []

    def reset(self, width: int) -> None:
        self.width, self.batches = width, []

    def add(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)

    def table(self) -> pa.Table:
        """The rows added, as one table (columns as the batches have them)."""
        if not self.batches:
            return _empty_table(self.width)
        return pa.Table.from_batches(self.batches).unify_dictionaries()


@dataclass
class Records:
    """The records of a CSV file (their cells went to the :class:`Sink`).

    Attributes:
        header: the header's fields as typed (one record, the first non-blank one).
        lines: the physical line on which each row given to the sink starts, in order.
        extra: rows read again because their surplus fields were all empty:
            ``(line, fields)``; they belong between the sink's rows, by line.
        faults: the lines that could not be read as rows, in line order.
        layout: ``lines`` (physical), ``header_lines``, ``blank_lines``, ``records`` (below
            the header, readable or not) and ``record_lines`` (the lines they span):
            ``header_lines + blank_lines + record_lines == lines``.
    """

    header: list[str]
    lines: np.ndarray
    extra: list[tuple[int, list[str]]] = field(default_factory=list)
    faults: list[RecordFault] = field(default_factory=list)
    layout: dict[str, int] = field(default_factory=dict)


def _parse_one(text: str, sep: str) -> list[str]:
    """The fields of one record's text (Python's csv rules; no field can be longer than the
    text itself, so its length is the field limit)."""
    saved = csv.field_size_limit()
    csv.field_size_limit(max(saved, len(text) + 1))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False))
    except csv.Error as exc:
        raise CsvFault(f"a record that cannot be read as CSV ({exc})") from None
    finally:
        csv.field_size_limit(saved)
    return [f for row in rows for f in row] if len(rows) != 1 else rows[0]


def _width_fault(line: int, n: int, width: int) -> RecordFault:
    reason = "extra_fields" if n > width else "missing_fields"
    return RecordFault(line, reason, f"{n} fields, the header has {width}")


def _empty_table(width: int) -> pa.Table:
    return pa.table({f"f{i}": pa.array([], type=CELL_TYPE) for i in range(width)})


def rows_batch(rows: list[list[str]], width: int) -> pa.RecordBatch:
    """Rows of fields as a batch like the parser's (empty cells: null).

    Examples:
        >>> rows_batch([["1", ""]], 2).column(1).to_pylist()
        [None]
    """
    cols = {}
    for i in range(width):
        values = [r[i] if r[i] != "" else None for r in rows]
        cols[f"f{i}"] = pa.array(values, type=pa.string()).dictionary_encode()
    return pa.record_batch(cols)


class _Mismatch(Exception):
    """pyarrow's records do not pair with the lines expected: take the slow path."""


def _arrow_records(source: Any, skip: int, width: int, sep: str, record_lines: np.ndarray,
                   sink: Sink) -> tuple[np.ndarray, list[tuple[int, list[str]]],
                                        list[RecordFault]]:
    """Parse with pyarrow below the first ``skip`` lines into ``sink``; ``record_lines[k]`` is
    the line the k-th record must start on. Rows of the wrong width become faults, or rows
    again when the surplus fields are all empty. Returns the lines of the sink's rows, the
    rows read again and the faults."""
    invalid: list[tuple[int | None, int, str]] = []

    def handler(row: Any) -> str:
        invalid.append((row.number, row.actual_columns, row.text))
        return "skip"

    names = [f"f{i}" for i in range(width)]
    sink.reset(width)
    rows = 0
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 22,
                                           column_names=names, skip_rows=skip),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True,
                                             escape_char=False, newlines_in_values=True,
                                             ignore_empty_lines=True, invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, CELL_TYPE), null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=True))
        for batch in reader:
            sink.add(batch)
            rows += batch.num_rows
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise _Mismatch(str(exc)) from None
    if rows + len(invalid) != len(record_lines) or any(n is None for n, _, _ in invalid):
        raise _Mismatch("records and lines do not pair")
    if not invalid:
        return record_lines, [], []
    index = np.array([n for n, _, _ in invalid], dtype=np.int64) - skip - 1
    extra, faults = [], []
    for (_, n, text), k in zip(invalid, index):
        fields = _parse_one(text, sep) if n > width else []
        if n > width and len(fields) == n and not any(fields[width:]):
            extra.append((int(record_lines[k]), fields[:width]))
        else:
            faults.append(_width_fault(int(record_lines[k]), n, width))
    return np.delete(record_lines, index), extra, faults


@dataclass
class _Span:
    """One record found by the slow path: its lines and fields."""

    first: int
    last: int
    fields: list[str]


def _spans(lines: list[bytes], sep: str, limit: int) -> Iterator[_Span]:
    """Every record of the lines with the physical lines it spans (blank lines included)."""
    reader = csv.reader((ln.decode("utf-8") for ln in lines), delimiter=sep, strict=False)
    last = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise CsvFault(f"line {last + 1}: a cell longer than {limit:,} characters "
                               f"(limit {limit:,})") from None
            raise CsvFault(f"line {last + 1}: {exc}") from None
        yield _Span(last + 1, reader.line_num, row)
        last = reader.line_num


def _swallows_rows(span: _Span, sep: str, width: int) -> bool:
    """A cell with a line break holding about a row's worth of delimiters: rows swallowed by
    a quote left open (a typed line break in a comment or an address holds a few)."""
    return any(("\n" in f or "\r" in f) and f.count(sep) >= max(2, width - 2)
               for f in span.fields)


def _judge(span: _Span, lines: list[bytes], sep: str, width: int) -> list[RecordFault]:
    """The faults of one record of the slow path (empty: the record is a row)."""
    n = len(span.fields)
    fits = n == width or (n > width and not any(span.fields[width:]))
    if span.last == span.first:
        unclosed = span.last == len(lines) and lines[-1].count(b'"') % 2 == 1
        if fits and not unclosed:
            return []
        if fits:
            return [RecordFault(span.first, "unbalanced_quote",
                                "a quote opened on this line is never closed")]
        return [_width_fault(span.first, n, width)]
    quotes = sum(lines[i - 1].count(b'"') for i in range(span.first, span.last + 1))
    if fits and quotes % 2 == 0 and not _swallows_rows(span, sep, width):
        return []
    detail = (f"lines {span.first}-{span.last} read as one record of {n} fields (the header "
              f"has {width}): a quote is not closed where its cell ends")
    return [RecordFault(i, "unbalanced_quote", detail) for i in range(span.first, span.last + 1)]


def _slow(data: bytes, sep: str, limit: int, sink: Sink) -> Records:
    """Walk the lines with Python's csv module, cut the faulty records out, parse the rest."""
    lines = data.splitlines(keepends=True)
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):   # a BOM is not part of the first line
        lines[0] = lines[0][3:]
    header: _Span | None = None
    blank, keep, starts, faults = 0, [], [], []
    n_records, record_lines = 0, 0
    saved = csv.field_size_limit()
    csv.field_size_limit(limit + 1)
    try:
        for span in _spans(lines, sep, limit):
            if not span.fields:
                blank += span.last - span.first + 1
                continue
            if header is None:
                header = span
                keep.extend(range(span.first, span.last + 1))
                continue
            n_records += 1
            record_lines += span.last - span.first + 1
            found = _judge(span, lines, sep, len(header.fields))
            faults.extend(found)
            if not found:
                keep.extend(range(span.first, span.last + 1))
                starts.append(span.first)
    finally:
        csv.field_size_limit(saved)
    if header is None:
        raise CsvFault("no header line (the file holds only blank lines)")
    width = len(header.fields)
    body = b"".join(lines[i - 1] for i in keep)
    skip = header.last - header.first + 1
    record_starts = np.array(starts, dtype=np.int64)
    try:
        rows_lines, extra, more = _arrow_records(io.BytesIO(body), skip, width, sep,
                                                 record_starts, sink)
    except _Mismatch:
        raise CsvFault("the records cannot be told apart (quotes inside cells are not doubled)"
                       ) from None
    layout = {"lines": len(lines), "header_lines": skip, "blank_lines": blank,
              "records": n_records, "record_lines": record_lines}
    faults = sorted(faults + more, key=lambda f: f.line)
    return Records(header.fields, rows_lines, extra, faults, layout)


def _header(first_line: bytes, sep: str) -> list[str] | None:
    """The header's fields when the header is one line, else None."""
    text = first_line.decode("utf-8").removeprefix("\ufeff").rstrip("\r\n")
    if text.count('"') % 2 or not text:   # a header over several lines; a line of a BOM alone
        return None
    return _parse_one(text, sep)


def read_records(source: Path | bytes, index: LineIndex, first_line: bytes, sep: str,
                 sink: Sink, *, max_cell_chars: int = 32767, force_slow: bool = False) -> Records:
    """The records of UTF-8 CSV text (a file path, or the bytes), with their lines.

    Args:
        source: the file (read by pyarrow as it goes) or its bytes.
        index: the file's :class:`LineIndex` (from :class:`LineScanner`).
        first_line: the bytes of the first non-blank line (the header), line end included.
        sep: the delimiter.
        sink: where the rows go (:class:`Sink`), in file order.
        max_cell_chars: the longest cell the slow path accepts (a longer one is a
            :class:`CsvFault`; the fast path's cells are checked by the caller).
        force_slow: take the slow path (for tests: both paths give the same records).

    Returns:
        The :class:`Records`.

    Raises:
        CsvFault: the records cannot be read at all.

    Examples:
        >>> data = b'a,b,c\\n1,2,3\\n4,"x\\n5,6,7\\n8",9\\n\\n10,11\\n12,13,14,\\n'
        >>> s = LineScanner(); s.feed(data)
        >>> sink = TableSink()
        >>> r = read_records(data, s.finish(), b"a,b,c\\n", ",", sink)
        >>> sink.table().to_pydict()["f0"], r.lines.tolist(), r.extra
        (['1'], [2], [(8, ['12', '13', '14'])])
        >>> [(f.line, f.reason) for f in r.faults]
        [(3, 'unbalanced_quote'), (4, 'unbalanced_quote'), (5, 'unbalanced_quote'), (7, 'missing_fields')]
        >>> r.layout
        {'lines': 8, 'header_lines': 1, 'blank_lines': 1, 'records': 4, 'record_lines': 6}
    """
    header = _header(first_line, sep)
    simple = not (index.lone_cr or index.quotes % 2 or header is None or force_slow)
    if simple and len(index.nonblank):
        skip = int(index.nonblank[0])
        data_lines = index.nonblank[1:]
        src = io.BytesIO(source) if isinstance(source, bytes) else str(source)
        try:
            lines, extra, faults = _arrow_records(src, skip, len(header), sep, data_lines, sink)
        except _Mismatch:
            pass
        else:
            layout = {"lines": index.lines, "header_lines": 1,
                      "blank_lines": index.lines - len(index.nonblank),
                      "records": len(data_lines), "record_lines": len(data_lines)}
            return Records(header, lines, extra, faults, layout)
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    return _slow(data, sep, max_cell_chars, sink)
