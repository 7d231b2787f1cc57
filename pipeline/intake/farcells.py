"""Far cells: whether a part's cell, row and range positions stay within the limits, fast for canonical markup
and walking every cell and row tag (OOXML) or repeat count (ODS) otherwise."""
from __future__ import annotations

import functools
import html
import re

from pipeline.intake.ziptypes import FarCell, NeedsPositions, ZipLimits
from pipeline.ooxml import column_index, column_letter

# Each pattern starts with a literal, so the regex engine skips ahead at C speed; a `<` start costs 5x more.
_PREFIXED_TAG = re.compile(rb":(?:c|row)[\s/>]")  # the OpenXML SDK writes `<x:c r=...>`
_DIMENSION_REF = re.compile(rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_MERGE_REF = re.compile(rb"mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_R_VALUE = re.compile(rb"""\sr\s*=\s*["']([^"']*)""")
_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")


def check_canonical(segment: bytes, limits: ZipLimits) -> None:
    """Canonical markup (`<c r="A1"`, `<row r="1"`) within limits passes at C speed.

    A match is either a far cell or markup the patterns do not cover (no r, r not first, other
    whitespace or quotes, `<x:c`): NeedsPositions, and the positional walk then tells which and names the cell.
    """
    cell_ok, row_ok = _position_patterns(limits.max_row, limits.max_col)
    if cell_ok.search(segment) or row_ok.search(segment) or _PREFIXED_TAG.search(segment):
        raise NeedsPositions


def check_ranges(segment: bytes, part: str, limits: ZipLimits) -> None:
    """The ranges a sheet declares (its dimension, its merged cells) end within the limits."""
    cell_ok = _range_pattern(limits.max_row, limits.max_col)
    for pattern in (_DIMENSION_REF, _MERGE_REF):
        for ref in pattern.findall(segment):
            if cell_ok.fullmatch(ref):  # the usual "A1:E12": within limits at C speed
                continue
            if not all(_within(_position(corner), limits) for corner in ref.split(b":")):
                raise FarCell(part, ref.decode("ascii", "replace"))


@functools.lru_cache(maxsize=8)
def _position_patterns(max_row: int, max_col: int) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Regexes matching a cell or row start tag that is not `<c r="in-limits"` / `<row r="in-limits"`.

    Only `<c` and `<row` tags count: DrawingML in themes and drawings has r attributes of its own
    (`<a:fillToRect r="50000"/>`).
    """
    rows = _decimal_up_to(max_row)
    cell = f'<c(?=[\\s/>])(?! r="(?i:{_columns_up_to(max_col)}){rows}")'
    row = f'<row(?=[\\s/>])(?! r="{rows}")'
    return re.compile(cell.encode("ascii")), re.compile(row.encode("ascii"))


@functools.lru_cache(maxsize=8)
def _range_pattern(max_row: int, max_col: int) -> re.Pattern[bytes]:
    """A range (or single cell) whose corners are plain A1 references within the limits."""
    corner = f"(?:{_columns_up_to(max_col)}){_decimal_up_to(max_row)}"
    return re.compile(f"{corner}(?::{corner})?".encode("ascii"))


def _decimal_up_to(limit: int) -> str:
    """A regex for the integers 1..limit written without leading zeros."""
    digits = str(limit)
    alternatives = [rf"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for index, char in enumerate(digits):
        low = 1 if index == 0 else 0
        if int(char) > low:
            alternatives.append(f"{digits[:index]}[{low}-{int(char) - 1}][0-9]{{{len(digits) - index - 1}}}")
    alternatives.append(digits)
    return "(?:" + "|".join(alternatives) + ")"


def _columns_up_to(limit: int) -> str:
    """A regex for the column names A..name(limit): same-length names sort like their numbers."""
    name = column_name(limit)
    alternatives = [f"[A-Z]{{1,{len(name) - 1}}}"] if len(name) > 1 else []
    for index, char in enumerate(name):
        if char > "A":
            alternatives.append(f"{name[:index]}[A-{chr(ord(char) - 1)}][A-Z]{{{len(name) - index - 1}}}")
    alternatives.append(name)
    return "(?:" + "|".join(alternatives) + ")"


def column_name(index: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, 200 -> GR; 0 (no column) -> ""."""
    return column_letter(index - 1)


def _position(ref: bytes) -> tuple[int, int]:
    """(row, column) of an A1 ref, column 0 when absent; (0, 0), never within limits, when it is no plain ref."""
    if ref.isdigit() and len(ref) <= 7:
        return int(ref), 0
    match = _REF.fullmatch(ref)
    if match is None:
        return 0, 0
    return int(match.group(2)), column_index(match.group(1))


def _within(position: tuple[int, int], limits: ZipLimits) -> bool:
    row, column = position
    return 1 <= row <= limits.max_row and column <= limits.max_col


class PositionTracker:
    """The slow path: walks every cell and row tag in order, as readers do, to place implied positions."""

    _TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)(?=[\s/>])([^>]*)")

    def __init__(self, part: str, limits: ZipLimits) -> None:
        self.part = part
        self.limits = limits
        self.row = 0
        self.column = 0

    def feed(self, segment: bytes) -> None:
        for name, attributes in self._TAG.findall(segment):
            value = _R_VALUE.search(attributes)
            if name == b"row":
                self._enter_row(value.group(1) if value else None)
            else:
                self._place_cell(value.group(1) if value else None)

    def _enter_row(self, ref: bytes | None) -> None:
        # A far row is refused only once it holds a cell: Excel writes empty rows far down for a changed height.
        if ref is None:
            self.row += 1
        else:
            self.row = _position(ref)[0]
            if self.row == 0:
                raise FarCell(self.part, ref.decode("ascii", "replace"))
        self.column = 0

    def _place_cell(self, ref: bytes | None) -> None:
        if ref is None:
            self.column += 1
        else:
            self.row, self.column = _position(ref)
        if not _within((self.row, self.column), self.limits):
            label = ref.decode("ascii", "replace") if ref else f"{column_name(self.column)}{self.row}"
            raise FarCell(self.part, label)


class OdsTracker:
    """Places ODS cells through their repeat counts; only cells with content widen what readers allocate.

    calamine expands repeated rows and columns into a dense grid: an 812-byte file repeating one value
    over 1,000,000 rows x 99 columns took 7.8 GB and 24 s before failing. Empty repeats (LibreOffice pads
    every sheet to row 1048576 with them) cost nothing and are allowed.
    """

    # Any prefix: calamine wants the literal `table:`, but odfpy (pandas' ODS reader) resolves namespaces.
    _TAG = re.compile(rb"<(?:[\w.-]+:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*)>")
    _NAME = re.compile(rb"\s(?:[\w.-]+:)?name\s*=\s*[\"']([^\"']*)")
    _ROWS = re.compile(rb"number-rows-repeated\s*=\s*[\"']([0-9]{1,12})")
    _COLUMNS = re.compile(rb"number-columns-repeated\s*=\s*[\"']([0-9]{1,12})")

    def __init__(self, part: str, limits: ZipLimits) -> None:
        self.part = part
        self.limits = limits
        self.sheet: str | None = None
        self.next_row = 1
        self.row_end = 0
        self.column = 0

    def feed(self, segment: bytes) -> None:
        for name, attributes in self._TAG.findall(segment):
            if name == b"table":
                self._enter_table(attributes)
            elif name == b"table-row":
                self._enter_row(attributes)
            else:
                self._place_cell(attributes)

    def _enter_table(self, attributes: bytes) -> None:
        name = self._NAME.search(attributes)
        self.sheet = html.unescape(name.group(1).decode("utf-8", "replace")) if name else None
        self.next_row = 1

    def _enter_row(self, attributes: bytes) -> None:
        repeat = _repeat(self._ROWS, attributes)
        self.row_end = self.next_row + repeat - 1
        self.next_row += repeat
        self.column = 0

    def _place_cell(self, attributes: bytes) -> None:
        repeat = _repeat(self._COLUMNS, attributes)
        self.column += repeat
        has_content = not attributes.endswith(b"/") or b"value-type" in attributes
        if has_content and not _within((self.row_end, self.column), self.limits):
            raise FarCell(self.part, f"{column_name(self.column)}{self.row_end}", self.sheet)


def _repeat(pattern: re.Pattern[bytes], attributes: bytes) -> int:
    match = pattern.search(attributes)
    return max(int(match.group(1)), 1) if match else 1

