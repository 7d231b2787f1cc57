"""Rows of a workbook sheet written straight as sheet XML, for the sheets that hold a province's texts.

A province's narratives run to millions of characters and its units' figures to hundreds of thousands of cells;
XlsxWriter spends about 20 µs a cell on them. Here XlsxWriter writes each such sheet's frame (title, column
heads, widths, panes, filter, page setup) and the package it saves is then copied part by part, byte for byte,
except that these rows are streamed in after the frame's last row: a few µs a cell, in bounded memory.
Strings go inline (`t="inlineStr"`), escaped as XlsxWriter escapes them.
"""
from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.ooxml import column_letter
from pipeline.outputs.package import Package

Cell = tuple[int, object, int]  # (column, value, xf index); a value is a str, a number, a date, or None (blank)
Row = tuple[float | None, list[Cell]]  # (height in points or None, cells); no cells: the row stays empty

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_ESCAPES = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_EPOCH = dt.datetime(1899, 12, 30)
# Rows joined before they are encoded and compressed: up to this many characters (a row of a unit's texts runs to
# tens of thousands, a row of figures to a few hundred).
_BATCH_CHARS = 1 << 20
_ESCAPED_KEPT = 4096  # escaped texts kept for reuse within a sheet: short ones (labels, names), which repeat
_ESCAPED_LENGTH = 300


@dataclass
class SheetRows:
    """The rows that follow a sheet's frame: `make()` yields one Row for each of `count` rows from `first`
    (0-based), no cell beyond column `last_column`. The counts are known before the rows are made: the
    sheet's dimension, written before them, names the range."""

    part: str
    first: int
    count: int
    last_column: int
    make: Callable[[], Iterable[Row]]

    def xml(self) -> Iterator[bytes]:
        letters = [column_letter(col) for col in range(self.last_column + 1)]
        number = self.first
        batch: list[str] = []
        held = 0  # characters in batch
        # A short text's escaped form, kept while it repeats: a section, a group's label, a unit's name stand on
        # row after row. Emptied when full, so that one-off texts never make it grow without bound.
        escaped: dict[str, str] = {}
        for height, cells in self.make():
            number += 1
            if cells:
                line = [f'<row r="{number}" ht="{height:g}" customHeight="1">' if height else f'<row r="{number}">']
                for col, value, style in cells:
                    if type(value) is str and value:  # most cells: a text, written inline
                        text = escaped.get(value)
                        if text is None:
                            text = _text(value)
                            if len(value) <= _ESCAPED_LENGTH:
                                if len(escaped) >= _ESCAPED_KEPT:
                                    escaped.clear()
                                escaped[value] = text
                        line.append(f'<c r="{letters[col]}{number}" s="{style}" t="inlineStr"><is>{text}</is></c>')
                    else:
                        line.append(_cell(f"{letters[col]}{number}", value, style))
                line.append("</row>")
                batch.append("".join(line))
                held += len(batch[-1])
            if held >= _BATCH_CHARS:
                yield "".join(batch).encode("utf-8", "replace")
                batch, held = [], 0
        if number != self.first + self.count:
            raise AssertionError(f"{self.part}: {number - self.first} rows made, {self.count} announced")
        if batch:
            yield "".join(batch).encode("utf-8", "replace")

    @property
    def dimension(self) -> str:
        last = max(self.first + self.count, 1)
        return f"A1:{column_letter(self.last_column)}{last}"


def _cell(ref: str, value: object, style: int) -> str:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, str):
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is>{_text(value)}</is></c>'
    if isinstance(value, (dt.date, dt.datetime)):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        value = (moment.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
    if isinstance(value, bool) or not isinstance(value, numbers.Real):  # numpy's numbers are Real too
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is>{_text(str(value))}</is></c>'
    if not math.isfinite(value):
        return f'<c r="{ref}" s="{style}"/>'
    return f'<c r="{ref}" s="{style}"><v>{value:.16G}</v></c>'


def _text(value: str) -> str:
    if ("_x" in value or _CONTROL.search(value)) and _ESCAPES.search(value):  # two quick looks, then the slow one
        value = _ESCAPES.sub(_escape_control, value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    if "&" in value:  # str.replace, not str.translate: a hundred times faster on Vietnamese text
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return f"<t{space}>{value}</t>"


def _escape_control(match: re.Match) -> str:
    found = match.group(0)
    return f"_x005F{found}" if len(found) > 1 else f"_x{ord(found):04X}_"


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def save_with_rows(frame: bytes, sheets: list[SheetRows], path: Path) -> None:
    """The package XlsxWriter saved (`frame`), each sheet of `sheets` with its rows spliced in, written to `path`."""
    package = Package(frame)
    streams = {}
    for rows in sheets:
        xml = package.read(rows.part)
        closing = xml.rfind(b"</sheetData>")
        if closing < 0:
            raise AssertionError(f"{rows.part}: no </sheetData> to put the rows before")
        head = _DIMENSION.sub(f'<dimension ref="{rows.dimension}"/>'.encode(), xml[:closing], count=1)
        streams[rows.part] = _joined(head, rows.xml(), xml[closing:])
    with open(path, "wb") as out:
        package.save_to(out, streams)


def _joined(head: bytes, middle: Iterable[bytes], tail: bytes) -> Iterator[bytes]:
    yield head
    yield from middle
    yield tail
