"""Values of named cells (from the sheet XML where sheetxml can, through python-calamine otherwise), and the
formula faults calamine hides as blanks."""
from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineWorkbook

from pipeline.intake.sheetxml import Declined, XmlWorkbook
from pipeline.intake.zipguard import InflatedParts
from pipeline.ooxml import a1_to_index

_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_VALUE = re.compile(rb"<v>([^<]*)</v>")

@dataclass
class SheetGrid:
    """One sheet's values as calamine gives them, addressed by absolute row and column."""

    rows: list[list[Any]]
    start: tuple[int, int]

    def value(self, ref: str) -> Any:
        row, col = a1_to_index(ref)
        row -= self.start[0]
        col -= self.start[1]
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            value = self.rows[row][col]
            return None if value == "" else value
        return None


@dataclass
class CellReader:
    """Reads named cells of one workbook, each sheet once: from its XML where sheetxml can (an xlsx whose
    parts the zip guard inflated), through calamine otherwise or where sheetxml declines a sheet."""

    data: bytes
    xml: XmlWorkbook | None = None
    grids: dict[str, SheetGrid] = field(default_factory=dict)  # calamine's: the sheets sheetxml declined or cannot read

    @classmethod
    def from_bytes(cls, data: bytes) -> CellReader:
        return cls(data)

    @classmethod
    def from_parts(cls, data: bytes, parts: InflatedParts, sheets: dict[str, str]) -> CellReader:
        return cls(data, XmlWorkbook(parts, sheets))

    @functools.cached_property
    def book(self) -> CalamineWorkbook:
        return CalamineWorkbook.from_filelike(io.BytesIO(self.data))

    @property
    def sheet_names(self) -> list[str]:
        return list(self.xml.sheets) if self.xml is not None else list(self.book.sheet_names)

    def value(self, sheet: str, ref: str) -> Any:
        grid = self.grids.get(sheet)
        if grid is None and self.xml is not None:
            try:
                return self.xml.value(sheet, ref)
            except Declined:
                pass
        if grid is None:
            grid = self.grids[sheet] = self._calamine_grid(sheet)
        return grid.value(ref)

    def _calamine_grid(self, sheet: str) -> SheetGrid:
        calamine_sheet = self.book.get_sheet_by_name(sheet)
        return SheetGrid(calamine_sheet.to_python(), calamine_sheet.start or (0, 0))


def formula_faults(archive: zipfile.ZipFile, part: str, blank: set[str]) -> dict[str, str]:
    """For cells calamine read as blank: "#DIV/0!"-like error values, or "" for a formula with no cached value.

    calamine shows both as a blank cell; only blank cells can hide one, so only they are looked up.
    """
    faults: dict[str, str] = {}
    if not blank:
        return faults
    try:
        xml = archive.read(part)
    except KeyError:
        return faults
    for ref in blank:
        start = xml.find(b'<c r="' + ref.encode() + b'"')
        match = _CELL.match(xml, start) if start >= 0 else None
        if match is None:
            continue
        attributes, body = match.group(2), match.group(3) or b""
        cached = _VALUE.search(body)
        if b't="e"' in attributes:
            faults[ref] = (cached.group(1).decode(errors="replace") if cached else "#N/A") or "#N/A"
        elif b"<f" in body and (cached is None or cached.group(1) == b""):
            faults[ref] = ""
    return faults
