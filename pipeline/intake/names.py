"""Defined names of a returned workbook (xlsx/xlsm, ods, xls): which sheet and cell each field code names."""
from __future__ import annotations

import functools
import io
import os
import re
import zipfile

from defusedxml import ElementTree

from pipeline.ooxml import column_letter, sheet_parts
from pipeline.xmltext import unescape

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
# 'Số liệu'!$D$20  or  Sheet1!D20  (one cell; a range keeps its top-left cell)
_OOXML_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]+)")
# $'Số liệu'.$D$20  (ODS)
_ODS_REF = re.compile(r"^\$?(?:'((?:[^']|'')+)'|([^.']+))\.\$?([A-Z]{1,3})\$?([0-9]+)")

CellName = tuple[str, str]  # (sheet, "D20")
_DEFINED_NAME = re.compile(r'<(?:\w+:)?definedName\b(?=[^>]*?\sname="([^"]*)")([^>]*)>([^<]*)<')
_QUOTES = {"&quot;": '"', "&apos;": "'"}


def _parsed(match: re.Match | None) -> CellName | None:
    if not match:
        return None
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    return sheet, f"{match.group(3)}{match.group(4)}"


def ooxml_names(archive: zipfile.ZipFile) -> tuple[dict[str, CellName], dict[str, str]]:
    """Workbook-level defined names, and each sheet's part path, from xl/workbook.xml.

    Read with patterns rather than a parser: this runs for every file, and a pattern never expands
    an entity (the zip guard has already refused any part declaring one).
    """
    raw = archive.read("xl/workbook.xml")
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        rels = b""
    return _parse_workbook(raw, rels)


@functools.lru_cache(maxsize=16)
def _parse_workbook(raw: bytes, rels: bytes) -> tuple[dict[str, CellName], dict[str, str]]:
    """Cached on the parts' bytes: every file made from one template carries the same two parts."""
    xml = raw.decode("utf-8", errors="replace")
    names: dict[str, CellName] = {}
    for name, attributes, text in _DEFINED_NAME.findall(xml):
        if "localSheetId" in attributes or not name:
            continue
        parsed = _parsed(_OOXML_REF.match(_unescape(text.strip())))
        if parsed:
            names[_unescape(name)] = parsed
    return names, sheet_parts(raw, rels)


def _unescape(text: str) -> str:
    return unescape(text, _QUOTES) if "&" in text else text  # most names have no entity: skip the call


def ods_names(archive: zipfile.ZipFile) -> dict[str, CellName]:
    """Named ranges of an OpenDocument spreadsheet, read from content.xml without expanding entities."""
    names: dict[str, CellName] = {}
    with archive.open("content.xml") as content:
        for _, element in ElementTree.iterparse(content, forbid_dtd=True):
            if element.tag == f"{_ODS_TABLE}named-range":
                address = element.get(f"{_ODS_TABLE}cell-range-address") or ""
                parsed = _parsed(_ODS_REF.match(address))
                if parsed:
                    names[element.get(f"{_ODS_TABLE}name", "")] = parsed
            elif element.tag == f"{_ODS_TABLE}table-row":
                element.clear()  # rows are not needed; keep memory flat on large sheets
    return names


def xls_names(data: bytes) -> dict[str, CellName]:
    """Workbook-level names of a legacy .xls, through xlrd."""
    import xlrd

    with open(os.devnull, "w", encoding="utf-8") as log:  # xlrd reports oddities and dumps names to its log
        return _xls_names(xlrd.open_workbook(file_contents=data, on_demand=True, logfile=log, verbosity=0))


def _xls_names(book) -> dict[str, CellName]:
    names: dict[str, CellName] = {}
    try:
        for name in book.name_obj_list:
            if name.scope != -1:
                continue
            try:
                sheet, row, _, col, _ = name.area2d(clipped=False)
            except Exception:  # a name that is not a single area: not one of ours
                continue
            names[name.name] = (sheet.name, f"{column_letter(col)}{row + 1}")
    finally:
        book.release_resources()
    return names


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))
