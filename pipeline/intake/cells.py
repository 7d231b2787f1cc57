"""Values of named cells through python-calamine, and the formula faults calamine hides as blanks."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineWorkbook

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
    """Reads named cells of one workbook, each sheet once."""

    book: CalamineWorkbook
    grids: dict[str, SheetGrid] = field(default_factory=dict)

    @classmethod
    def from_bytes(cls, data: bytes) -> CellReader:
        return cls(CalamineWorkbook.from_filelike(io.BytesIO(data)))

    @property
    def sheet_names(self) -> list[str]:
        return list(self.book.sheet_names)

    def value(self, sheet: str, ref: str) -> Any:
        grid = self.grids.get(sheet)
        if grid is None:
            calamine_sheet = self.book.get_sheet_by_name(sheet)
            grid = SheetGrid(calamine_sheet.to_python(), calamine_sheet.start or (0, 0))
            self.grids[sheet] = grid
        return grid.value(ref)


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
